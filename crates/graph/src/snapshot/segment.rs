//! Chunks written to and read in place from segment files.
//!
//! A segment is a sequence of 8-aligned little-endian arrays (the parts of
//! some node and relationship chunks), then a footer that says where each
//! chunk's parts are (its directory, framed bincode with a CRC-32), then a
//! fixed 28-byte trailer: footer offset (u64), footer length (u64), CRC-32
//! of everything before the footer (u32), and the magic `RGSEG2\0\0`.
//! docs/storage-format.md gives the same layout byte by byte.
//!
//! Opening a segment reads the trailer and the footer only; every array is
//! then a [`Buf::Shared`] view of the memory map. Which segment holds the
//! current version of each chunk is decided by the store's manifest: the
//! segments are applied in manifest order, a later one replacing the chunks
//! it contains (an empty directory removes a chunk).

use std::io::Write;
use std::sync::Arc;

use bytemuck::Pod;
use serde::{Deserialize, Serialize};

use crate::error::{GraphError, Result};
use crate::ids::{LabelId, NodeId, PropKeyId, RelTypeId};
use crate::store::format::{decode_framed, encode_framed};
use crate::value::Value;

use super::buf::{Buf, SegmentBytes};
use super::chunk::{
    AdjList, AdjLists, Bits, Column, Columns, NodeChunk, NodeMeta, RelChunk, RelEnds,
};
use super::column::{encode_value, ColumnKind, TypedColumn, DICT_ABSENT};
use super::Adj;

/// Magic bytes at the very end of a segment file.
pub const SEGMENT_MAGIC: &[u8; 8] = b"RGSEG2\0\0";
/// Length of the trailer.
pub const TRAILER_LEN: u64 = 28;

/// Where one array lies: absolute byte offset in the segment, element count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arr {
    /// Byte offset from the start of the file (a multiple of 8).
    pub off: u64,
    /// Number of elements.
    pub len: u64,
}

/// The stored form of one property column of one chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ColumnDir {
    /// `i64` values and a presence bitmap (`u64` words).
    Int { present: Arr, values: Arr },
    /// `f64` values and a presence bitmap.
    Float { present: Arr, values: Arr },
    /// Two bitmaps: presence and value.
    Bool { present: Arr, values: Arr },
    /// `i32` days since 1970-01-01 and a presence bitmap.
    Date { present: Arr, values: Arr },
    /// `u32` codes into `dict` (`u32::MAX` = absent).
    Dict { codes: Arr, dict: Vec<String> },
    /// `u32` offsets (one more than entries) into UTF-8 bytes, and a presence bitmap.
    Text {
        present: Arr,
        offsets: Arr,
        bytes: Arr,
    },
    /// `u32` offsets into bincode-encoded values (an empty range is absent).
    Encoded { offsets: Arr, bytes: Arr },
}

/// Directory of one node chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeChunkDir {
    /// Liveness bitmap words.
    pub alive: Arr,
    /// Label CSR offsets (`u32`).
    pub label_offsets: Arr,
    /// Label ids (`u32`).
    pub label_data: Arr,
    /// Per-label membership bitmaps.
    pub label_bits: Vec<(u32, Arr)>,
    /// Property columns by key id.
    pub props: Vec<(u32, ColumnDir)>,
    /// Adjacency per (type id, direction 0 = out / 1 = in): offsets (`u32`)
    /// and entries (16 bytes each: neighbour id, relationship id, `u64` LE).
    pub adj: Vec<(u32, u8, Arr, Arr)>,
}

/// Directory of one relationship chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RelChunkDir {
    /// Liveness bitmap words.
    pub alive: Arr,
    /// Type ids (`u32`).
    pub rel_type: Arr,
    /// Start node ids (`u64`).
    pub src: Arr,
    /// End node ids (`u64`).
    pub dst: Arr,
    /// Property columns by key id.
    pub props: Vec<(u32, ColumnDir)>,
}

/// The footer of a segment: the chunks it holds, by chunk index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFooter {
    /// Node chunks.
    pub nodes: Vec<(u64, NodeChunkDir)>,
    /// Relationship chunks.
    pub rels: Vec<(u64, RelChunkDir)>,
}

/// What a finished segment file is, for the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentSummary {
    /// Total length in bytes.
    pub len: u64,
    /// CRC-32 of the data region (everything before the footer).
    pub data_crc: u32,
}

/// Streams chunks into a segment.
pub(crate) struct SegmentWriter<W: Write> {
    out: W,
    pos: u64,
    crc: crc32fast::Hasher,
    footer: SegmentFooter,
}

impl<W: Write> SegmentWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        SegmentWriter {
            out,
            pos: 0,
            crc: crc32fast::Hasher::new(),
            footer: SegmentFooter::default(),
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        self.out
            .write_all(bytes)
            .map_err(|e| GraphError::Storage(format!("writing a segment: {e}")))?;
        self.crc.update(bytes);
        self.pos += bytes.len() as u64;
        Ok(())
    }

    fn array<T: Pod>(&mut self, data: &[T]) -> Result<Arr> {
        let pad = (8 - self.pos % 8) % 8;
        self.raw(&[0u8; 8][..pad as usize])?;
        let off = self.pos;
        self.raw(bytemuck::cast_slice(data))?;
        Ok(Arr {
            off,
            len: data.len() as u64,
        })
    }

    fn columns(&mut self, cols: &Columns) -> Result<Vec<(u32, ColumnDir)>> {
        let mut out = Vec::with_capacity(cols.len());
        for (k, col) in cols {
            if let Some(dir) = self.column(col)? {
                out.push((k.0, dir));
            }
        }
        Ok(out)
    }

    fn column(&mut self, col: &Column) -> Result<Option<ColumnDir>> {
        let entries: Vec<(u32, std::borrow::Cow<'_, Value>)> = col.entries().collect();
        let Some(last) = entries.last() else {
            return Ok(None);
        };
        let n = last.0 as usize + 1;
        let mut present = Bits::with_capacity(n);
        for (l, _) in &entries {
            present.put(*l as usize, true);
        }
        let kind = ColumnKind::choose(entries.iter().map(|(_, v)| v.as_ref()));
        let fixed = |w: &mut Self, f: &dyn Fn(&Value) -> i64| -> Result<Arr> {
            let mut values = vec![0i64; n];
            for (l, v) in &entries {
                values[*l as usize] = f(v);
            }
            w.array(&values)
        };
        Ok(Some(match kind {
            ColumnKind::Int => ColumnDir::Int {
                present: self.array(present.words())?,
                values: fixed(self, &|v| match v {
                    Value::Int(i) => *i,
                    _ => 0,
                })?,
            },
            ColumnKind::Float => {
                let mut values = vec![0f64; n];
                for (l, v) in &entries {
                    if let Value::Float(f) = v.as_ref() {
                        values[*l as usize] = *f;
                    }
                }
                ColumnDir::Float {
                    present: self.array(present.words())?,
                    values: self.array(&values)?,
                }
            }
            ColumnKind::Bool => {
                let mut values = Bits::with_capacity(n);
                for (l, v) in &entries {
                    values.put(*l as usize, matches!(v.as_ref(), Value::Bool(true)));
                }
                ColumnDir::Bool {
                    present: self.array(present.words())?,
                    values: self.array(values.words())?,
                }
            }
            ColumnKind::Date => {
                let mut values = vec![0i32; n];
                for (l, v) in &entries {
                    if let Value::Date(d) = v.as_ref() {
                        values[*l as usize] = d.days;
                    }
                }
                ColumnDir::Date {
                    present: self.array(present.words())?,
                    values: self.array(&values)?,
                }
            }
            ColumnKind::Dict => {
                let mut dict: Vec<String> = Vec::new();
                let mut codes = vec![DICT_ABSENT; n];
                for (l, v) in &entries {
                    if let Value::String(s) = v.as_ref() {
                        let code = match dict.iter().position(|d| d.as_str() == s.as_ref()) {
                            Some(c) => c,
                            None => {
                                dict.push(s.to_string());
                                dict.len() - 1
                            }
                        };
                        codes[*l as usize] = code as u32;
                    }
                }
                ColumnDir::Dict {
                    codes: self.array(&codes)?,
                    dict,
                }
            }
            ColumnKind::Text | ColumnKind::Encoded => {
                let mut offsets = Vec::with_capacity(n + 1);
                let mut bytes: Vec<u8> = Vec::new();
                let mut next = entries.iter().peekable();
                for l in 0..n as u32 {
                    offsets.push(offset_u32(bytes.len())?);
                    if let Some((_, v)) = next.next_if(|(el, _)| *el == l) {
                        match (kind, v.as_ref()) {
                            (ColumnKind::Text, Value::String(s)) => {
                                bytes.extend_from_slice(s.as_bytes())
                            }
                            (_, v) => bytes.extend_from_slice(&encode_value(v)?),
                        }
                    }
                }
                offsets.push(offset_u32(bytes.len())?);
                let (offsets, bytes) = (self.array(&offsets)?, self.array(&bytes)?);
                if kind == ColumnKind::Text {
                    ColumnDir::Text {
                        present: self.array(present.words())?,
                        offsets,
                        bytes,
                    }
                } else {
                    ColumnDir::Encoded { offsets, bytes }
                }
            }
        }))
    }

    /// Appends node chunk `index`.
    pub(crate) fn node_chunk(&mut self, index: u64, c: &NodeChunk) -> Result<()> {
        let mut dir = self.node_parts(c)?;
        dir.adj = self.adj_lists(&c.adj)?;
        self.add_node_dir(index, dir);
        Ok(())
    }

    /// Writes a node chunk's liveness, labels and columns (not its
    /// adjacency); the directory is added later with [`Self::add_node_dir`].
    pub(crate) fn node_parts(&mut self, c: &NodeChunk) -> Result<NodeChunkDir> {
        let m = &c.meta;
        let mut dir = NodeChunkDir {
            alive: self.array(m.alive.words())?,
            label_offsets: self.array(&m.label_offsets)?,
            label_data: self.array(&m.label_data)?,
            ..NodeChunkDir::default()
        };
        for (l, b) in &m.label_bits {
            dir.label_bits.push((l.0, self.array(b.words())?));
        }
        dir.props = self.columns(&c.props)?;
        Ok(dir)
    }

    /// Writes adjacency lists; returns their directory entries.
    pub(crate) fn adj_lists(&mut self, lists: &AdjLists) -> Result<Vec<(u32, u8, Arr, Arr)>> {
        let mut out = Vec::with_capacity(lists.len());
        for ((t, d), list) in lists {
            let offsets = self.array(&list.offsets)?;
            let entries = self.array(&list.entries)?;
            out.push((t.0, *d, offsets, entries));
        }
        Ok(out)
    }

    /// Names node chunk `index` in the footer.
    pub(crate) fn add_node_dir(&mut self, index: u64, dir: NodeChunkDir) {
        self.footer.nodes.push((index, dir));
    }

    /// Appends relationship chunk `index`.
    pub(crate) fn rel_chunk(&mut self, index: u64, c: &RelChunk) -> Result<()> {
        let e = &c.ends;
        let dir = RelChunkDir {
            alive: self.array(e.alive.words())?,
            rel_type: self.array(&e.rel_type)?,
            src: self.array(&e.src)?,
            dst: self.array(&e.dst)?,
            props: self.columns(&c.props)?,
        };
        self.footer.rels.push((index, dir));
        Ok(())
    }

    /// Writes the footer and trailer; returns the writer and the summary.
    pub(crate) fn finish(mut self) -> Result<(W, SegmentSummary)> {
        let pad = (8 - self.pos % 8) % 8;
        self.raw(&[0u8; 8][..pad as usize])?;
        let data_crc = self.crc.clone().finalize();
        let footer_off = self.pos;
        let footer = encode_framed(&self.footer)?;
        self.raw(&footer)?;
        let mut trailer = Vec::with_capacity(TRAILER_LEN as usize);
        trailer.extend_from_slice(&footer_off.to_le_bytes());
        trailer.extend_from_slice(&(footer.len() as u64).to_le_bytes());
        trailer.extend_from_slice(&data_crc.to_le_bytes());
        trailer.extend_from_slice(SEGMENT_MAGIC);
        self.raw(&trailer)?;
        self.out
            .flush()
            .map_err(|e| GraphError::Storage(format!("writing a segment: {e}")))?;
        Ok((
            self.out,
            SegmentSummary {
                len: self.pos,
                data_crc,
            },
        ))
    }
}

fn offset_u32(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| {
        GraphError::Storage("a property column of one chunk holds more than 4 GiB".into())
    })
}

/// A segment opened for reading: its bytes and its footer.
pub(crate) struct OpenSegment {
    pub(crate) name: String,
    pub(crate) bytes: Arc<dyn SegmentBytes>,
    pub(crate) footer: SegmentFooter,
}

fn damaged(name: &str, reason: impl Into<String>) -> GraphError {
    GraphError::CorruptSegment {
        file: name.to_string(),
        reason: reason.into(),
    }
}

impl OpenSegment {
    /// Checks the trailer against `expected` (from the manifest) and
    /// decodes the footer.
    pub(crate) fn open(
        name: &str,
        bytes: Arc<dyn SegmentBytes>,
        expected: SegmentSummary,
    ) -> Result<OpenSegment> {
        let b = bytes.bytes();
        if b.len() as u64 != expected.len {
            return Err(damaged(
                name,
                format!("{} bytes long, the manifest says {}", b.len(), expected.len),
            ));
        }
        let (footer_off, footer_len, data_crc) = trailer(name, b)?;
        if data_crc != expected.data_crc {
            return Err(damaged(
                name,
                "its checksum is not the one the manifest names (a different file)",
            ));
        }
        let footer_end = footer_off
            .checked_add(footer_len)
            .filter(|e| *e == b.len() as u64 - TRAILER_LEN)
            .ok_or_else(|| damaged(name, "the trailer's footer range is out of bounds"))?;
        let footer: SegmentFooter = decode_framed(
            "segment footer",
            name.as_bytes(),
            &b[footer_off as usize..footer_end as usize],
        )
        .map_err(|e| damaged(name, format!("footer: {e}")))?;
        Ok(OpenSegment {
            name: name.to_string(),
            bytes,
            footer,
        })
    }

    /// Recomputes the data checksum (reads the whole file).
    pub(crate) fn verify(&self) -> Result<()> {
        let b = self.bytes.bytes();
        let (footer_off, _, data_crc) = trailer(&self.name, b)?;
        let actual = crc32fast::hash(&b[..footer_off as usize]);
        if actual != data_crc {
            return Err(damaged(
                &self.name,
                format!("data checksum {actual:08x}, expected {data_crc:08x}"),
            ));
        }
        Ok(())
    }

    fn buf<T: Pod>(&self, a: Arr) -> Result<Buf<T>> {
        Buf::shared(&self.bytes, a.off, a.len).ok_or_else(|| {
            damaged(
                &self.name,
                format!("array at {} of {} elements is out of bounds", a.off, a.len),
            )
        })
    }

    fn bits(&self, a: Arr) -> Result<Bits> {
        Ok(Bits::from_words(self.buf(a)?))
    }

    fn columns(&self, dirs: &[(u32, ColumnDir)]) -> Result<Columns> {
        let mut out: Columns = Vec::with_capacity(dirs.len());
        for (k, d) in dirs {
            let col = match d {
                ColumnDir::Int { present, values } => TypedColumn::Int {
                    present: self.bits(*present)?,
                    values: self.buf(*values)?,
                },
                ColumnDir::Float { present, values } => TypedColumn::Float {
                    present: self.bits(*present)?,
                    values: self.buf(*values)?,
                },
                ColumnDir::Bool { present, values } => TypedColumn::Bool {
                    present: self.bits(*present)?,
                    values: self.bits(*values)?,
                },
                ColumnDir::Date { present, values } => TypedColumn::Date {
                    present: self.bits(*present)?,
                    values: self.buf(*values)?,
                },
                ColumnDir::Dict { codes, dict } => TypedColumn::Dict {
                    codes: self.buf(*codes)?,
                    dict: dict.iter().map(|s| Value::from(s.as_str())).collect(),
                },
                ColumnDir::Text {
                    present,
                    offsets,
                    bytes,
                } => TypedColumn::Text {
                    present: self.bits(*present)?,
                    offsets: self.buf(*offsets)?,
                    bytes: self.buf(*bytes)?,
                },
                ColumnDir::Encoded { offsets, bytes } => TypedColumn::Encoded {
                    offsets: self.buf(*offsets)?,
                    bytes: self.buf(*bytes)?,
                },
            };
            out.push((PropKeyId(*k), Arc::new(Column::Typed(col))));
        }
        if !out.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(damaged(&self.name, "property columns out of key order"));
        }
        Ok(out)
    }

    /// The node chunk a directory describes, reading in place.
    pub(crate) fn node_chunk(&self, d: &NodeChunkDir) -> Result<NodeChunk> {
        let mut label_bits = Vec::with_capacity(d.label_bits.len());
        for (l, a) in &d.label_bits {
            label_bits.push((LabelId(*l), self.bits(*a)?));
        }
        let meta = NodeMeta {
            alive: self.bits(d.alive)?,
            label_offsets: self.buf(d.label_offsets)?,
            label_data: self.buf::<LabelId>(d.label_data)?,
            label_bits,
        };
        let mut adj = Vec::with_capacity(d.adj.len());
        for (t, dir, offsets, entries) in &d.adj {
            let list = AdjList {
                offsets: self.buf(*offsets)?,
                entries: self.buf::<Adj>(*entries)?,
            };
            if *dir > 1 {
                return Err(damaged(&self.name, "an adjacency direction is not 0 or 1"));
            }
            adj.push(((RelTypeId(*t), *dir), Arc::new(list)));
        }
        if !adj.windows(2).all(|w| w[0].0 < w[1].0)
            || !meta.label_bits.windows(2).all(|w| w[0].0 < w[1].0)
        {
            return Err(damaged(
                &self.name,
                "a node chunk's directory is out of order",
            ));
        }
        Ok(NodeChunk {
            meta: Arc::new(meta),
            props: self.columns(&d.props)?,
            adj,
        })
    }

    /// The relationship chunk a directory describes, reading in place.
    pub(crate) fn rel_chunk(&self, d: &RelChunkDir) -> Result<RelChunk> {
        let ends = RelEnds {
            alive: self.bits(d.alive)?,
            rel_type: self.buf::<RelTypeId>(d.rel_type)?,
            src: self.buf::<NodeId>(d.src)?,
            dst: self.buf::<NodeId>(d.dst)?,
        };
        // Lengths only: reading the arrays here would page the whole
        // segment in at open. Accessors tolerate short arrays.
        let n = ends.rel_type.len();
        if ends.src.len() != n || ends.dst.len() != n {
            return Err(damaged(
                &self.name,
                "a relationship chunk's arrays disagree in length",
            ));
        }
        Ok(RelChunk {
            ends: Arc::new(ends),
            props: self.columns(&d.props)?,
        })
    }
}

/// Reads the trailer: footer offset, footer length, data checksum.
fn trailer(name: &str, b: &[u8]) -> Result<(u64, u64, u32)> {
    if (b.len() as u64) < TRAILER_LEN {
        return Err(damaged(name, "shorter than a segment trailer"));
    }
    let t = &b[b.len() - TRAILER_LEN as usize..];
    if &t[20..28] != SEGMENT_MAGIC {
        return Err(damaged(name, "no segment magic at the end (truncated?)"));
    }
    let u64_at = |i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&t[i..i + 8]);
        u64::from_le_bytes(x)
    };
    let mut c = [0u8; 4];
    c.copy_from_slice(&t[16..20]);
    Ok((u64_at(0), u64_at(8), u32::from_le_bytes(c)))
}
