//! Chunks written to and read in place from segment files.
//!
//! A segment is a sequence of 8-aligned little-endian arrays (the parts of
//! some node and relationship chunks), then a footer that says where each
//! chunk's parts are (its directory, framed bincode with a CRC-32), then a
//! fixed 28-byte trailer: footer offset (u64), footer length (u64), CRC-32
//! of everything before the footer (u32), and the magic `RGSEG4\0\0`.
//! docs/storage-format.md gives the same layout byte by byte. Every array
//! the footer names carries the CRC-32 of its own bytes, checked the first
//! time a snapshot reads the array (`check.rs`). Id arrays (adjacency
//! entries, relationship ends) are written 4 bytes an id when every id of
//! the array fits, and a relationship chunk of one type names it once
//! (`adj.rs`). Segments of format 4 and 5 databases (`RGSEG3`: every id 8
//! bytes) are read in place, their footer converted as it is decoded;
//! those of format 3 databases (`RGSEG2`, no per-array checksums) only to
//! upgrade them (`store/engine.rs`).
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

use super::adj::{bits_for, pack, Adj32, Entries, Ids, Types, MAX_PACKED_BITS};
use super::buf::{Buf, SegmentBytes};
use super::check::{ArrayCheck, ArrayName, ArrayPart, DamageLog, SegmentInfo};
use super::chunk::{
    AdjList, AdjLists, Bits, Column, Columns, NodeChunk, NodeMeta, RelChunk, RelEnds,
    MAX_LIST_ENTRIES, REL_CHUNK,
};
use super::column::{
    encode_value, Codes, ColumnKind, Floats, Ints, TypedColumn, Utf8, DICT_ABSENT, MAX_DECIMALS,
};
use super::Adj;

/// Magic bytes at the very end of a segment file (format 6 databases).
pub const SEGMENT_MAGIC: &[u8; 8] = b"RGSEG4\0\0";
/// Magic bytes of a segment of a format 4 or 5 database: per-array
/// checksums, every id 64 bits wide (read in place; the footer is decoded
/// into the current shape).
pub const SEGMENT_MAGIC_V3: &[u8; 8] = b"RGSEG3\0\0";
/// Magic bytes of a segment of a format 2 or 3 database, whose arrays
/// carry no checksums of their own (read only to upgrade it).
pub const SEGMENT_MAGIC_V2: &[u8; 8] = b"RGSEG2\0\0";
/// Length of the trailer.
pub const TRAILER_LEN: u64 = 28;

/// Where one array lies: absolute byte offset in the segment, element
/// count, and the CRC-32 of its `len * element size` bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arr {
    /// Byte offset from the start of the file (a multiple of 8).
    pub off: u64,
    /// Number of elements.
    pub len: u64,
    /// CRC-32 (IEEE) of the array's bytes (padding excluded).
    pub crc: u32,
}

/// An array of an `RGSEG2` segment: no checksum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrV2 {
    /// Byte offset from the start of the file.
    pub off: u64,
    /// Number of elements.
    pub len: u64,
}

impl From<ArrV2> for Arr {
    fn from(a: ArrV2) -> Arr {
        Arr {
            off: a.off,
            len: a.len,
            crc: 0,
        }
    }
}

/// The stored form of one property column of one chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum ColumnDir<A = Arr> {
    /// `i64` values and a presence bitmap (`u64` words).
    Int { present: A, values: A },
    /// `f64` values and a presence bitmap.
    Float { present: A, values: A },
    /// Two bitmaps: presence and value.
    Bool { present: A, values: A },
    /// `i32` days since 1970-01-01 and a presence bitmap.
    Date { present: A, values: A },
    /// `u32` codes into `dict` (`u32::MAX` = absent).
    Dict { codes: A, dict: Vec<String> },
    /// `u32` offsets (one more than entries) into UTF-8 bytes, and a presence bitmap.
    Text { present: A, offsets: A, bytes: A },
    /// `u32` offsets into bincode-encoded values (an empty range is absent).
    Encoded { offsets: A, bytes: A },
    /// Signed integers of `width` bytes (1, 2 or 4) and a presence bitmap
    /// (format 6): integers, days or decimals, as `of` says.
    Narrow {
        present: A,
        values: A,
        width: u8,
        of: Narrowed,
    },
    /// Codes of `width` bytes (1 or 2; the width's largest value is
    /// absent) into `dict` (format 6).
    DictN {
        codes: A,
        width: u8,
        dict: Vec<String>,
    },
}

/// An array of node or relationship ids at its width: `U64` (for
/// adjacency entries, 16 bytes: neighbour, relationship) or `U32` (8
/// bytes), chosen per array by the writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdsDir<A = Arr> {
    /// 64-bit ids.
    U64(A),
    /// 32-bit ids (every id of the array below `u32::MAX`).
    U32(A),
    /// `count` ids, each `base` plus a `bits`-bit number, packed into
    /// `u64` words (`words.len` counts words): relationship ends only.
    Packed {
        /// The smallest live id of the array.
        base: u64,
        /// Bits per id (at most 31).
        bits: u8,
        /// Number of ids.
        count: u64,
        /// The packed bits, `u64` words.
        words: A,
    },
}

impl<A: Copy> IdsDir<A> {
    /// The array.
    pub fn arr(&self) -> A {
        match self {
            IdsDir::U64(a) | IdsDir::U32(a) | IdsDir::Packed { words: a, .. } => *a,
        }
    }

    /// Bytes per element of the array (`ids` ids per element: 2 for
    /// adjacency entries; a packed array's elements are `u64` words).
    pub fn element_size(&self, ids: u64) -> u64 {
        match self {
            IdsDir::U64(_) | IdsDir::Packed { .. } => 8 * ids,
            IdsDir::U32(_) => 4 * ids,
        }
    }

    pub(crate) fn arr_mut(&mut self) -> &mut A {
        match self {
            IdsDir::U64(a) | IdsDir::U32(a) | IdsDir::Packed { words: a, .. } => a,
        }
    }
}

impl IdsDir {
    /// Id `i` of the array, read from the segment file's bytes `file`,
    /// with `per` ids an element (2 for adjacency entries: `i` is then
    /// entry `i / 2`, its neighbour when even); `None` past the array or
    /// the file.
    ///
    /// ```
    /// use relgraph_graph::snapshot::segment::{Arr, IdsDir};
    /// let file = [7u8, 0, 0, 0, 9, 0, 0, 0];
    /// let ids = IdsDir::U32(Arr { off: 0, len: 2, crc: 0 });
    /// assert_eq!((ids.id(&file, 1, 1), ids.id(&file, 1, 2)), (Some(9), None));
    /// ```
    pub fn id(&self, file: &[u8], per: u64, i: u64) -> Option<u64> {
        let at = |off: u64, width: usize| -> Option<u64> {
            let b = file.get(usize::try_from(off).ok()?..)?.get(..width)?;
            let mut x = [0u8; 8];
            x[..width].copy_from_slice(b);
            Some(u64::from_le_bytes(x))
        };
        match self {
            IdsDir::U64(a) => (i < per * a.len).then(|| at(a.off + 8 * i, 8))?,
            IdsDir::U32(a) => (i < per * a.len).then(|| at(a.off + 4 * i, 4))?,
            IdsDir::Packed {
                base,
                bits,
                count,
                words,
            } => {
                if i >= *count {
                    return None;
                }
                let w: Vec<u64> = (0..words.len)
                    .map(|k| at(words.off + 8 * k, 8))
                    .collect::<Option<_>>()?;
                base.checked_add(super::adj::unpack(&w, u32::from(*bits), i as usize)?)
            }
        }
    }
}

/// The types of a relationship chunk: an array of `u32` type ids, or one
/// id for every live relationship of the chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypesDir<A = Arr> {
    /// One type id per local.
    Each(A),
    /// The type of every live local.
    All(u32),
}

/// What the values of a [`ColumnDir::Narrow`] column stand for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Narrowed {
    /// `Int` values.
    Int,
    /// `Date` values: days since 1970-01-01.
    Date,
    /// `Float` values: the integer divided by 10 to this power.
    Decimal(u8),
}

/// Directory of one node chunk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeChunkDir<A = Arr> {
    /// Liveness bitmap words.
    pub alive: A,
    /// Label CSR offsets (`u32`).
    pub label_offsets: A,
    /// Label ids (`u32`).
    pub label_data: A,
    /// Per-label membership bitmaps.
    pub label_bits: Vec<(u32, A)>,
    /// Property columns by key id.
    pub props: Vec<(u32, ColumnDir<A>)>,
    /// Adjacency per (type id, direction 0 = out / 1 = in): offsets (`u32`)
    /// and entries (neighbour id, relationship id; both `u64` or both `u32`).
    pub adj: Vec<(u32, u8, A, IdsDir<A>)>,
}

/// Directory of one relationship chunk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelChunkDir<A = Arr> {
    /// Liveness bitmap words.
    pub alive: A,
    /// Type ids.
    pub rel_type: TypesDir<A>,
    /// Start node ids.
    pub src: IdsDir<A>,
    /// End node ids.
    pub dst: IdsDir<A>,
    /// Property columns by key id.
    pub props: Vec<(u32, ColumnDir<A>)>,
}

/// The footer of a segment: the chunks it holds, by chunk index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentFooter<A = Arr> {
    /// Node chunks.
    pub nodes: Vec<(u64, NodeChunkDir<A>)>,
    /// Relationship chunks.
    pub rels: Vec<(u64, RelChunkDir<A>)>,
}

/// The footer shapes of `RGSEG2` and `RGSEG3` segments (format 2 to 5
/// databases): every id array 64 bits wide, a type per relationship.
mod v3 {
    use super::{ColumnDir, Serialize};
    use serde::Deserialize;

    #[derive(Deserialize, Serialize)]
    pub(super) struct NodeChunkDir<A> {
        pub(super) alive: A,
        pub(super) label_offsets: A,
        pub(super) label_data: A,
        pub(super) label_bits: Vec<(u32, A)>,
        pub(super) props: Vec<(u32, ColumnDir<A>)>,
        pub(super) adj: Vec<(u32, u8, A, A)>,
    }

    #[derive(Deserialize, Serialize)]
    pub(super) struct RelChunkDir<A> {
        pub(super) alive: A,
        pub(super) rel_type: A,
        pub(super) src: A,
        pub(super) dst: A,
        pub(super) props: Vec<(u32, ColumnDir<A>)>,
    }

    #[derive(Deserialize, Serialize)]
    pub(super) struct SegmentFooter<A> {
        pub(super) nodes: Vec<(u64, NodeChunkDir<A>)>,
        pub(super) rels: Vec<(u64, RelChunkDir<A>)>,
    }
}

impl<A: Copy> ColumnDir<A> {
    /// The column's arrays: each with its element size in bytes and name.
    pub(crate) fn arrays(&self) -> Vec<(A, u64, &'static str)> {
        match self {
            ColumnDir::Int { present, values } | ColumnDir::Float { present, values } => {
                vec![(*present, 8, "presence"), (*values, 8, "values")]
            }
            ColumnDir::Bool { present, values } => {
                vec![(*present, 8, "presence"), (*values, 8, "values")]
            }
            ColumnDir::Date { present, values } => {
                vec![(*present, 8, "presence"), (*values, 4, "values")]
            }
            ColumnDir::Dict { codes, .. } => vec![(*codes, 4, "codes")],
            ColumnDir::Text {
                present,
                offsets,
                bytes,
            } => vec![
                (*present, 8, "presence"),
                (*offsets, 4, "offsets"),
                (*bytes, 1, "bytes"),
            ],
            ColumnDir::Encoded { offsets, bytes } => {
                vec![(*offsets, 4, "offsets"), (*bytes, 1, "bytes")]
            }
            ColumnDir::Narrow {
                present,
                values,
                width,
                ..
            } => vec![
                (*present, 8, "presence"),
                (*values, u64::from(*width), "values"),
            ],
            ColumnDir::DictN { codes, width, .. } => vec![(*codes, u64::from(*width), "codes")],
        }
    }

    /// The same column with every array converted.
    fn map<B>(self, f: &impl Fn(A) -> B) -> ColumnDir<B> {
        match self {
            ColumnDir::Int { present, values } => ColumnDir::Int {
                present: f(present),
                values: f(values),
            },
            ColumnDir::Float { present, values } => ColumnDir::Float {
                present: f(present),
                values: f(values),
            },
            ColumnDir::Bool { present, values } => ColumnDir::Bool {
                present: f(present),
                values: f(values),
            },
            ColumnDir::Date { present, values } => ColumnDir::Date {
                present: f(present),
                values: f(values),
            },
            ColumnDir::Dict { codes, dict } => ColumnDir::Dict {
                codes: f(codes),
                dict,
            },
            ColumnDir::Text {
                present,
                offsets,
                bytes,
            } => ColumnDir::Text {
                present: f(present),
                offsets: f(offsets),
                bytes: f(bytes),
            },
            ColumnDir::Encoded { offsets, bytes } => ColumnDir::Encoded {
                offsets: f(offsets),
                bytes: f(bytes),
            },
            ColumnDir::Narrow {
                present,
                values,
                width,
                of,
            } => ColumnDir::Narrow {
                present: f(present),
                values: f(values),
                width,
                of,
            },
            ColumnDir::DictN { codes, width, dict } => ColumnDir::DictN {
                codes: f(codes),
                width,
                dict,
            },
        }
    }
}

impl ColumnDir {
    /// The column's arrays, mutable, each with its element size.
    pub(crate) fn arrays_mut(&mut self) -> Vec<(&mut Arr, u64)> {
        match self {
            ColumnDir::Int { present, values }
            | ColumnDir::Float { present, values }
            | ColumnDir::Bool { present, values } => vec![(present, 8), (values, 8)],
            ColumnDir::Date { present, values } => vec![(present, 8), (values, 4)],
            ColumnDir::Dict { codes, .. } => vec![(codes, 4)],
            ColumnDir::Text {
                present,
                offsets,
                bytes,
            } => vec![(present, 8), (offsets, 4), (bytes, 1)],
            ColumnDir::Encoded { offsets, bytes } => vec![(offsets, 4), (bytes, 1)],
            ColumnDir::Narrow {
                present,
                values,
                width,
                ..
            } => vec![(present, 8), (values, u64::from(*width))],
            ColumnDir::DictN { codes, width, .. } => vec![(codes, u64::from(*width))],
        }
    }
}

fn map_cols<A: Copy, B>(
    cols: Vec<(u32, ColumnDir<A>)>,
    f: &impl Fn(A) -> B,
) -> Vec<(u32, ColumnDir<B>)> {
    cols.into_iter().map(|(k, c)| (k, c.map(f))).collect()
}

impl<A: Copy> v3::SegmentFooter<A> {
    /// The same footer with every array converted by `f`.
    fn map<B>(self, f: &impl Fn(A) -> B) -> v3::SegmentFooter<B> {
        let nodes = self.nodes.into_iter().map(|(i, d)| {
            let dir = v3::NodeChunkDir {
                alive: f(d.alive),
                label_offsets: f(d.label_offsets),
                label_data: f(d.label_data),
                label_bits: d.label_bits.into_iter().map(|(l, a)| (l, f(a))).collect(),
                props: map_cols(d.props, f),
                adj: d
                    .adj
                    .into_iter()
                    .map(|(t, dir, o, e)| (t, dir, f(o), f(e)))
                    .collect(),
            };
            (i, dir)
        });
        let rels = self.rels.into_iter().map(|(i, d)| {
            let dir = v3::RelChunkDir {
                alive: f(d.alive),
                rel_type: f(d.rel_type),
                src: f(d.src),
                dst: f(d.dst),
                props: map_cols(d.props, f),
            };
            (i, dir)
        });
        v3::SegmentFooter {
            nodes: nodes.collect(),
            rels: rels.collect(),
        }
    }
}

impl<A: Copy> v3::SegmentFooter<A> {
    /// The footer in the current shape, every array converted by `f`:
    /// every id array 64 bits wide, a type per relationship.
    fn current(self, f: &impl Fn(A) -> Arr) -> SegmentFooter {
        let old = self.map(f);
        let nodes = old.nodes.into_iter().map(|(i, d)| {
            let adj = d.adj.into_iter();
            let dir = NodeChunkDir {
                adj: adj
                    .map(|(t, dir, o, e)| (t, dir, o, IdsDir::U64(e)))
                    .collect(),
                alive: d.alive,
                label_offsets: d.label_offsets,
                label_data: d.label_data,
                label_bits: d.label_bits,
                props: d.props,
            };
            (i, dir)
        });
        let rels = old.rels.into_iter().map(|(i, d)| {
            let dir = RelChunkDir {
                rel_type: TypesDir::Each(d.rel_type),
                src: IdsDir::U64(d.src),
                dst: IdsDir::U64(d.dst),
                alive: d.alive,
                props: d.props,
            };
            (i, dir)
        });
        SegmentFooter {
            nodes: nodes.collect(),
            rels: rels.collect(),
        }
    }
}

impl SegmentFooter {
    /// Every array the footer names: the array, its element size in bytes
    /// and what it is.
    pub(crate) fn arrays(&self) -> Vec<(Arr, u64, ArrayPart)> {
        let mut out = Vec::new();
        let mut push = |chunk: u64, a: Arr, size: u64, name: ArrayName| {
            out.push((a, size, ArrayPart { chunk, name }));
        };
        for (c, d) in &self.nodes {
            push(*c, d.alive, 8, ArrayName::NodeAlive);
            push(*c, d.label_offsets, 4, ArrayName::LabelOffsets);
            push(*c, d.label_data, 4, ArrayName::LabelData);
            for (l, a) in &d.label_bits {
                push(*c, *a, 8, ArrayName::LabelBits(*l));
            }
            for (k, col) in &d.props {
                for (a, size, what) in col.arrays() {
                    push(*c, a, size, ArrayName::NodeProp(*k, what));
                }
            }
            for (t, dir, o, e) in &d.adj {
                push(*c, *o, 4, ArrayName::AdjOffsets(*t, *dir));
                push(
                    *c,
                    e.arr(),
                    e.element_size(2),
                    ArrayName::AdjEntries(*t, *dir),
                );
            }
        }
        for (c, d) in &self.rels {
            push(*c, d.alive, 8, ArrayName::RelAlive);
            if let TypesDir::Each(a) = d.rel_type {
                push(*c, a, 4, ArrayName::RelType);
            }
            push(*c, d.src.arr(), d.src.element_size(1), ArrayName::RelSrc);
            push(*c, d.dst.arr(), d.dst.element_size(1), ArrayName::RelDst);
            for (k, col) in &d.props {
                for (a, size, what) in col.arrays() {
                    push(*c, a, size, ArrayName::RelProp(*k, what));
                }
            }
        }
        out
    }
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
        self.elements(bytemuck::cast_slice(data), data.len() as u64)
    }

    /// Writes `len` elements given as their little-endian `bytes`.
    fn elements(&mut self, bytes: &[u8], len: u64) -> Result<Arr> {
        let pad = (8 - self.pos % 8) % 8;
        self.raw(&[0u8; 8][..pad as usize])?;
        let off = self.pos;
        self.out
            .write_all(bytes)
            .map_err(|e| GraphError::Storage(format!("writing a segment: {e}")))?;
        // The array's own checksum, folded into the file's: one pass.
        let mut own = crc32fast::Hasher::new();
        own.update(bytes);
        self.crc.combine(&own);
        self.pos += bytes.len() as u64;
        Ok(Arr {
            off,
            len,
            crc: own.finalize(),
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
        let ints_of = |f: fn(&Value) -> i64| -> Vec<i64> {
            let mut values = vec![0i64; n];
            for (l, v) in &entries {
                values[*l as usize] = f(v);
            }
            values
        };
        Ok(Some(match kind {
            ColumnKind::Int => {
                let values = ints_of(|v| match v {
                    Value::Int(i) => *i,
                    _ => 0,
                });
                let present = self.array(present.words())?;
                match Ints::width_of(values.iter().copied()) {
                    8 => ColumnDir::Int {
                        present,
                        values: self.array(&values)?,
                    },
                    width => ColumnDir::Narrow {
                        present,
                        values: self.elements(&Ints::bytes(&values, width), n as u64)?,
                        width,
                        of: Narrowed::Int,
                    },
                }
            }
            ColumnKind::Float => {
                let mut values = vec![0f64; n];
                for (l, v) in &entries {
                    if let Value::Float(f) = v.as_ref() {
                        values[*l as usize] = *f;
                    }
                }
                let present = self.array(present.words())?;
                match Floats::decimal(&values) {
                    Some((digits, ints)) => {
                        let width = Ints::width_of(ints.iter().copied());
                        ColumnDir::Narrow {
                            present,
                            values: self.elements(&Ints::bytes(&ints, width), n as u64)?,
                            width,
                            of: Narrowed::Decimal(digits),
                        }
                    }
                    None => ColumnDir::Float {
                        present,
                        values: self.array(&values)?,
                    },
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
                let values = ints_of(|v| match v {
                    Value::Date(d) => i64::from(d.days),
                    _ => 0,
                });
                let present = self.array(present.words())?;
                match Ints::width_of(values.iter().copied()) {
                    width @ (1 | 2) => ColumnDir::Narrow {
                        present,
                        values: self.elements(&Ints::bytes(&values, width), n as u64)?,
                        width,
                        of: Narrowed::Date,
                    },
                    _ => ColumnDir::Date {
                        present,
                        values: self.elements(&Ints::bytes(&values, 4), n as u64)?,
                    },
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
                match Codes::width_for(dict.len()) {
                    4 => ColumnDir::Dict {
                        codes: self.array(&codes)?,
                        dict,
                    },
                    width => ColumnDir::DictN {
                        codes: self.elements(&Codes::bytes(&codes, width), n as u64)?,
                        width,
                        dict,
                    },
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

    /// Writes adjacency lists, each at the narrowest width that holds its
    /// ids; returns their directory entries.
    pub(crate) fn adj_lists(&mut self, lists: &AdjLists) -> Result<Vec<(u32, u8, Arr, IdsDir)>> {
        let mut out = Vec::with_capacity(lists.len());
        for ((t, d), list) in lists {
            if list.entries.len() as u64 > MAX_LIST_ENTRIES {
                return Err(GraphError::Storage(format!(
                    "a chunk of 4096 nodes has {} relationships of type id {t} in one direction; \
                     a segment holds at most {MAX_LIST_ENTRIES}",
                    list.entries.len()
                )));
            }
            let offsets = self.array(&list.offsets)?;
            let entries = match &list.entries {
                Entries::Narrow(e) => IdsDir::U32(self.array(e)?),
                Entries::Wide(e) => match e
                    .iter()
                    .map(|a| Adj32::narrow(*a))
                    .collect::<Option<Vec<_>>>()
                {
                    Some(narrow) => IdsDir::U32(self.array::<Adj32>(&narrow)?),
                    None => IdsDir::U64(self.array(e)?),
                },
            };
            out.push((t.0, *d, offsets, entries));
        }
        Ok(out)
    }

    /// Writes a relationship chunk's starts or ends: packed as offsets
    /// from the smallest live one when they span fewer than 2^31 ids (a
    /// chunk's relationships usually start at a few hundred neighbouring
    /// nodes), else as `u32` when every one fits, else `u64`. Dead
    /// relationships are written as the base (their ends are never read).
    fn ids(&mut self, ids: &Ids, alive: &Bits) -> Result<IdsDir> {
        let n = ids.stored_len();
        let values: Vec<u64> = (0..n).map(|l| ids.get(l).map_or(0, |v| v.0)).collect();
        let (base, max) = (0..n)
            .filter(|l| alive.get(*l))
            .map(|l| values[l])
            .fold(None, |r, v| match r {
                None => Some((v, v)),
                Some((lo, hi)) => Some((v.min(lo), v.max(hi))),
            })
            .unwrap_or((0, 0));
        let bits = bits_for(max - base);
        if bits <= MAX_PACKED_BITS {
            let offsets: Vec<u64> = (0..n)
                .map(|l| if alive.get(l) { values[l] - base } else { 0 })
                .collect();
            let words = pack(&offsets, bits);
            return Ok(IdsDir::Packed {
                base,
                bits: bits as u8,
                count: n as u64,
                words: self.array(&words)?,
            });
        }
        Ok(
            match values
                .iter()
                .map(|v| u32::try_from(*v).ok())
                .collect::<Option<Vec<_>>>()
            {
                Some(narrow) => IdsDir::U32(self.array::<u32>(&narrow)?),
                None => IdsDir::U64(self.array(&values)?),
            },
        )
    }

    /// Writes a relationship chunk's types: one id when every live
    /// relationship has the same type.
    fn types(&mut self, e: &RelEnds) -> Result<TypesDir> {
        let each = match &e.rel_type {
            Types::All(t) => return Ok(TypesDir::All(t.0)),
            Types::Each(each) => each,
        };
        let mut live = e
            .alive
            .ones(0, REL_CHUNK as usize)
            .map(|l| each.get(l).copied());
        if let Some(Some(first)) = live.next() {
            if live.all(|t| t == Some(first)) {
                return Ok(TypesDir::All(first.0));
            }
        }
        Ok(TypesDir::Each(self.array(each)?))
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
            rel_type: self.types(e)?,
            src: self.ids(&e.src, &e.alive)?,
            dst: self.ids(&e.dst, &e.alive)?,
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
    /// Where the arrays' checksums report damage; `None` for an `RGSEG2`
    /// segment, whose arrays have no checksums.
    checks: Option<Arc<SegmentInfo>>,
}

fn damaged(name: &str, reason: impl Into<String>) -> GraphError {
    GraphError::CorruptSegment {
        file: name.to_string(),
        reason: reason.into(),
    }
}

/// How many damaged arrays [`OpenSegment::verify`] names before counting.
const NAMED_DAMAGE: usize = 8;

impl OpenSegment {
    /// Checks the trailer against `expected` (from the manifest) and
    /// decodes the footer. Damaged arrays found later are counted in
    /// `damage`.
    pub(crate) fn open(
        name: &str,
        bytes: Arc<dyn SegmentBytes>,
        expected: SegmentSummary,
        damage: &Arc<DamageLog>,
    ) -> Result<OpenSegment> {
        let b = bytes.bytes();
        if b.len() as u64 != expected.len {
            return Err(damaged(
                name,
                format!("{} bytes long, the manifest says {}", b.len(), expected.len),
            ));
        }
        let t = trailer(name, b)?;
        if t.data_crc != expected.data_crc {
            return Err(damaged(
                name,
                "its checksum is not the one the manifest names (a different file)",
            ));
        }
        let footer_end = t
            .footer_off
            .checked_add(t.footer_len)
            .filter(|e| *e == b.len() as u64 - TRAILER_LEN)
            .ok_or_else(|| damaged(name, "the trailer's footer range is out of bounds"))?;
        let raw = &b[t.footer_off as usize..footer_end as usize];
        let bad = |e: GraphError| damaged(name, format!("footer: {e}"));
        let what = "segment footer";
        let footer: SegmentFooter = match t.magic {
            Magic::V2 => decode_framed::<v3::SegmentFooter<ArrV2>>(what, name.as_bytes(), raw)
                .map_err(bad)?
                .current(&Arr::from),
            Magic::V3 => decode_framed::<v3::SegmentFooter<Arr>>(what, name.as_bytes(), raw)
                .map_err(bad)?
                .current(&|a| a),
            Magic::V4 => decode_framed(what, name.as_bytes(), raw).map_err(bad)?,
        };
        let checks = (t.magic != Magic::V2).then(|| {
            Arc::new(SegmentInfo {
                name: name.to_string(),
                damage: damage.clone(),
            })
        });
        Ok(OpenSegment {
            name: name.to_string(),
            bytes,
            footer,
            checks,
        })
    }

    /// True for an `RGSEG2` segment (a format 3 database's): its arrays
    /// have no checksums of their own.
    pub(crate) fn is_v2(&self) -> bool {
        self.checks.is_none()
    }

    /// Recomputes the data checksum and every array's checksum (reads the
    /// whole file); the error names the damaged arrays.
    pub(crate) fn verify(&self) -> Result<()> {
        let b = self.bytes.bytes();
        let t = trailer(&self.name, b)?;
        let mut found = Vec::new();
        let actual = crc32fast::hash(&b[..t.footer_off as usize]);
        if actual != t.data_crc {
            found.push(format!(
                "data checksum {actual:08x}, expected {:08x}",
                t.data_crc
            ));
        }
        if !self.is_v2() {
            let mut bad = 0usize;
            for (a, size, part) in self.footer.arrays() {
                let range = a
                    .len
                    .checked_mul(size)
                    .and_then(|n| a.off.checked_add(n))
                    .filter(|end| *end <= t.footer_off)
                    .map(|end| a.off as usize..end as usize);
                let what = match range {
                    None => format!("{part}: out of bounds"),
                    Some(r) => {
                        let crc = crc32fast::hash(&b[r]);
                        if crc == a.crc {
                            continue;
                        }
                        format!("{part}: checksum {crc:08x}, the footer says {:08x}", a.crc)
                    }
                };
                bad += 1;
                if bad <= NAMED_DAMAGE {
                    found.push(what);
                }
            }
            if bad > NAMED_DAMAGE {
                found.push(format!("{} more damaged arrays", bad - NAMED_DAMAGE));
            }
        }
        if found.is_empty() {
            Ok(())
        } else {
            Err(damaged(&self.name, found.join("; ")))
        }
    }

    fn buf<T: Pod>(&self, a: Arr, chunk: u64, name: ArrayName) -> Result<Buf<T>> {
        let check = self
            .checks
            .as_ref()
            .map(|seg| ArrayCheck::new(a.crc, ArrayPart { chunk, name }, seg.clone()));
        Buf::shared(&self.bytes, a.off, a.len, check).ok_or_else(|| {
            damaged(
                &self.name,
                format!("array at {} of {} elements is out of bounds", a.off, a.len),
            )
        })
    }

    fn bits(&self, a: Arr, chunk: u64, name: ArrayName) -> Result<Bits> {
        Ok(Bits::from_words(self.buf(a, chunk, name)?))
    }

    fn columns(
        &self,
        dirs: &[(u32, ColumnDir)],
        chunk: u64,
        name: fn(u32, &'static str) -> ArrayName,
    ) -> Result<Columns> {
        let mut out: Columns = Vec::with_capacity(dirs.len());
        for (k, d) in dirs {
            let n = |what: &'static str| name(*k, what);
            let ints = |a: Arr, width: u8| -> Result<Ints> {
                let name = n("values");
                Ok(match width {
                    1 => Ints::I8(self.buf(a, chunk, name)?),
                    2 => Ints::I16(self.buf(a, chunk, name)?),
                    4 => Ints::I32(self.buf(a, chunk, name)?),
                    8 => Ints::I64(self.buf(a, chunk, name)?),
                    w => return Err(damaged(&self.name, format!("a column width of {w} bytes"))),
                })
            };
            let col = match d {
                ColumnDir::Int { present, values } => TypedColumn::Int {
                    present: self.bits(*present, chunk, n("presence"))?,
                    values: Ints::I64(self.buf(*values, chunk, n("values"))?),
                },
                ColumnDir::Narrow {
                    present,
                    values,
                    width,
                    of,
                } => {
                    if *width > 4 {
                        return Err(damaged(&self.name, "a narrowed column of 8 bytes"));
                    }
                    let (present, values) = (
                        self.bits(*present, chunk, n("presence"))?,
                        ints(*values, *width)?,
                    );
                    match of {
                        Narrowed::Int => TypedColumn::Int { present, values },
                        Narrowed::Date => TypedColumn::Date { present, values },
                        Narrowed::Decimal(digits) if *digits <= MAX_DECIMALS => {
                            TypedColumn::Float {
                                present,
                                values: Floats::Decimal {
                                    scale: 10f64.powi(i32::from(*digits)),
                                    ints: values,
                                },
                            }
                        }
                        Narrowed::Decimal(_) => {
                            return Err(damaged(&self.name, "a decimal column out of range"))
                        }
                    }
                }
                ColumnDir::Float { present, values } => TypedColumn::Float {
                    present: self.bits(*present, chunk, n("presence"))?,
                    values: Floats::F64(self.buf(*values, chunk, n("values"))?),
                },
                ColumnDir::Bool { present, values } => TypedColumn::Bool {
                    present: self.bits(*present, chunk, n("presence"))?,
                    values: self.bits(*values, chunk, n("values"))?,
                },
                ColumnDir::Date { present, values } => TypedColumn::Date {
                    present: self.bits(*present, chunk, n("presence"))?,
                    values: Ints::I32(self.buf(*values, chunk, n("values"))?),
                },
                ColumnDir::Dict { codes, dict } => TypedColumn::Dict {
                    codes: Codes::U32(self.buf(*codes, chunk, n("codes"))?),
                    dict: dict.iter().map(|s| Value::from(s.as_str())).collect(),
                },
                ColumnDir::DictN { codes, width, dict } => TypedColumn::Dict {
                    codes: match width {
                        1 => Codes::U8(self.buf(*codes, chunk, n("codes"))?),
                        2 => Codes::U16(self.buf(*codes, chunk, n("codes"))?),
                        w => return Err(damaged(&self.name, format!("a code width of {w} bytes"))),
                    },
                    dict: dict.iter().map(|s| Value::from(s.as_str())).collect(),
                },
                ColumnDir::Text {
                    present,
                    offsets,
                    bytes,
                } => TypedColumn::Text {
                    present: self.bits(*present, chunk, n("presence"))?,
                    offsets: self.buf(*offsets, chunk, n("offsets"))?,
                    bytes: self.buf(*bytes, chunk, n("bytes"))?,
                    utf8: Utf8::default(),
                },
                ColumnDir::Encoded { offsets, bytes } => TypedColumn::Encoded {
                    offsets: self.buf(*offsets, chunk, n("offsets"))?,
                    bytes: self.buf(*bytes, chunk, n("bytes"))?,
                },
            };
            out.push((PropKeyId(*k), Arc::new(Column::Typed(col))));
        }
        if !out.windows(2).all(|w| w[0].0 < w[1].0) {
            return Err(damaged(&self.name, "property columns out of key order"));
        }
        Ok(out)
    }

    /// Node chunk `c` as directory `d` describes it, reading in place.
    pub(crate) fn node_chunk(&self, c: u64, d: &NodeChunkDir) -> Result<NodeChunk> {
        let mut label_bits = Vec::with_capacity(d.label_bits.len());
        for (l, a) in &d.label_bits {
            label_bits.push((LabelId(*l), self.bits(*a, c, ArrayName::LabelBits(*l))?));
        }
        let meta = NodeMeta {
            alive: self.bits(d.alive, c, ArrayName::NodeAlive)?,
            label_offsets: self.buf(d.label_offsets, c, ArrayName::LabelOffsets)?,
            label_data: self.buf::<LabelId>(d.label_data, c, ArrayName::LabelData)?,
            label_bits,
        };
        let mut adj = Vec::with_capacity(d.adj.len());
        for (t, dir, offsets, entries) in &d.adj {
            if entries.arr().len > MAX_LIST_ENTRIES {
                return Err(damaged(
                    &self.name,
                    "an adjacency list holds more than 2^31 - 1 entries",
                ));
            }
            let name = ArrayName::AdjEntries(*t, *dir);
            let list = AdjList {
                offsets: self.buf(*offsets, c, ArrayName::AdjOffsets(*t, *dir))?,
                entries: match *entries {
                    IdsDir::U64(a) => Entries::Wide(self.buf::<Adj>(a, c, name)?),
                    IdsDir::U32(a) => Entries::Narrow(self.buf::<Adj32>(a, c, name)?),
                    IdsDir::Packed { .. } => {
                        return Err(damaged(&self.name, "an adjacency list of packed ids"))
                    }
                },
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
            props: self.columns(&d.props, c, ArrayName::NodeProp)?,
            adj,
        })
    }

    /// Relationship chunk `c` as directory `d` describes it, reading in place.
    pub(crate) fn rel_chunk(&self, c: u64, d: &RelChunkDir) -> Result<RelChunk> {
        let ids = |a: IdsDir, name: ArrayName| -> Result<Ids> {
            Ok(match a {
                IdsDir::U64(a) => Ids::Wide(self.buf::<NodeId>(a, c, name)?),
                IdsDir::U32(a) => Ids::Narrow(self.buf::<u32>(a, c, name)?),
                IdsDir::Packed {
                    base,
                    bits,
                    count,
                    words,
                } => {
                    let bits = u32::from(bits);
                    let need = count.checked_mul(u64::from(bits)).map(|b| b.div_ceil(64));
                    if bits > MAX_PACKED_BITS || need != Some(words.len) {
                        return Err(damaged(&self.name, "packed relationship ends out of range"));
                    }
                    Ids::Packed {
                        base,
                        bits,
                        count: count as usize,
                        words: self.buf::<u64>(words, c, name)?,
                    }
                }
            })
        };
        let ends = RelEnds {
            alive: self.bits(d.alive, c, ArrayName::RelAlive)?,
            rel_type: match d.rel_type {
                TypesDir::Each(a) => {
                    Types::Each(self.buf::<RelTypeId>(a, c, ArrayName::RelType)?)
                }
                TypesDir::All(t) => Types::All(RelTypeId(t)),
            },
            src: ids(d.src, ArrayName::RelSrc)?,
            dst: ids(d.dst, ArrayName::RelDst)?,
        };
        // Lengths only: reading the arrays here would page the whole
        // segment in at open (and verify it). Accessors tolerate short
        // arrays.
        let n = ends.src.stored_len();
        let types_differ = match d.rel_type {
            TypesDir::Each(a) => a.len != n as u64,
            TypesDir::All(_) => false,
        };
        if ends.dst.stored_len() != n || types_differ {
            return Err(damaged(
                &self.name,
                "a relationship chunk's arrays disagree in length",
            ));
        }
        Ok(RelChunk {
            ends: Arc::new(ends),
            props: self.columns(&d.props, c, ArrayName::RelProp)?,
        })
    }
}

/// Decodes the footer of a whole segment file's bytes (format `RGSEG3`,
/// or `RGSEG2` with every checksum 0) and returns it with the length of
/// the data region (where the footer starts). For tools and tests that
/// look at a file's arrays; reading a database goes through the manifest.
///
/// ```
/// use relgraph_graph::snapshot::segment::read_footer;
/// assert!(read_footer(b"too short").is_err());
/// ```
pub fn read_footer(bytes: &[u8]) -> Result<(SegmentFooter, u64)> {
    let owner: Arc<dyn SegmentBytes> = Arc::new(super::HeapBytes::new(bytes));
    let t = trailer("segment", bytes)?;
    let seg = OpenSegment::open(
        "segment",
        owner,
        SegmentSummary {
            len: bytes.len() as u64,
            data_crc: t.data_crc,
        },
        &Arc::default(),
    )?;
    Ok((seg.footer, t.footer_off))
}

/// A segment's trailer.
pub(crate) struct Trailer {
    /// Where the footer starts (= the data region's length).
    pub(crate) footer_off: u64,
    /// The footer's length.
    pub(crate) footer_len: u64,
    /// CRC-32 of the data region.
    pub(crate) data_crc: u32,
    /// Which footer shape the segment has.
    pub(crate) magic: Magic,
}

/// The trailer magics this build reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Magic {
    /// `RGSEG2`: no per-array checksums, ids 64 bits wide (format 2, 3).
    V2,
    /// `RGSEG3`: per-array checksums, ids 64 bits wide (format 4, 5).
    V3,
    /// `RGSEG4`: ids at the width the writer chose (format 6).
    V4,
}

/// Reads the trailer of segment bytes `b`.
pub(crate) fn trailer(name: &str, b: &[u8]) -> Result<Trailer> {
    if (b.len() as u64) < TRAILER_LEN {
        return Err(damaged(name, "shorter than a segment trailer"));
    }
    let t = &b[b.len() - TRAILER_LEN as usize..];
    let magic = match &t[20..28] {
        m if m == SEGMENT_MAGIC => Magic::V4,
        m if m == SEGMENT_MAGIC_V3 => Magic::V3,
        m if m == SEGMENT_MAGIC_V2 => Magic::V2,
        _ => return Err(damaged(name, "no segment magic at the end (truncated?)")),
    };
    let u64_at = |i: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&t[i..i + 8]);
        u64::from_le_bytes(x)
    };
    let mut c = [0u8; 4];
    c.copy_from_slice(&t[16..20]);
    let footer_off = u64_at(0);
    if footer_off > b.len() as u64 {
        return Err(damaged(
            name,
            "the trailer's footer offset is out of bounds",
        ));
    }
    Ok(Trailer {
        footer_off,
        footer_len: u64_at(8),
        data_crc: u32::from_le_bytes(c),
        magic,
    })
}

#[cfg(test)]
mod tests {
    use super::super::adj::unpack;
    use super::*;
    use crate::kv::{KvStore, MemoryKv, WriteBatch};
    use crate::store::format::{self, Manifest, KEY_FORMAT_VERSION, KEY_MANIFEST, META};
    use crate::store::{Durability, Graph, OpenOptions, SEGMENTS_TREE};

    fn dump(g: &Graph) -> Vec<String> {
        let s = g.snapshot();
        let mut out: Vec<String> = s
            .nodes()
            .map(|n| format!("{n:?} {:?} {:?}", s.node_labels(n), s.node_properties(n)))
            .collect();
        out.extend(
            s.rels()
                .map(|r| format!("{r:?} {:?}", s.rel_properties(r.id))),
        );
        out
    }

    fn manifest(kv: &dyn KvStore) -> Manifest {
        let raw = kv.get(META, KEY_MANIFEST).unwrap().unwrap();
        format::decode_framed(META, KEY_MANIFEST, &raw).unwrap()
    }

    fn assert_current_version(kv: &dyn KvStore) {
        assert_eq!(
            kv.get(META, KEY_FORMAT_VERSION).unwrap().unwrap(),
            format::FORMAT_VERSION.to_be_bytes()
        );
    }

    /// The whole segment `id` of a database kept in `kv`.
    fn segment_bytes(kv: &dyn KvStore, id: u64) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (_, v) in kv.scan_prefix(SEGMENTS_TREE, &id.to_be_bytes()).unwrap() {
            bytes.extend_from_slice(&v);
        }
        bytes
    }

    /// Segment bytes as a format 5 build wrote them: every narrow array
    /// widened (appended to the data region with its checksum), a type per
    /// relationship. Returns the old-shape footer and the data region.
    fn widened(bytes: &[u8]) -> (v3::SegmentFooter<Arr>, Vec<u8>) {
        let (footer, data_len) = read_footer(bytes).unwrap();
        let mut data = bytes[..data_len as usize].to_vec();
        fn append(data: &mut Vec<u8>, new: &[u8], len: u64) -> Arr {
            while !data.len().is_multiple_of(8) {
                data.push(0);
            }
            let off = data.len() as u64;
            data.extend_from_slice(new);
            Arr {
                off,
                len,
                crc: crc32fast::hash(new),
            }
        }
        // `per` ids an element; a narrow hole (u32::MAX) widens to a hole.
        let wide = |data: &mut Vec<u8>, ids: IdsDir, per: u64| -> Arr {
            if let IdsDir::Packed {
                base,
                bits,
                count,
                words,
            } = ids
            {
                let w: Vec<u64> = data[words.off as usize..(words.off + 8 * words.len) as usize]
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
                    .collect();
                let new: Vec<u8> = (0..count as usize)
                    .flat_map(|l| (base + unpack(&w, u32::from(bits), l).unwrap()).to_le_bytes())
                    .collect();
                return append(data, &new, count);
            }
            let IdsDir::U32(a) = ids else {
                return ids.arr();
            };
            let old = data[a.off as usize..(a.off + 4 * per * a.len) as usize].to_vec();
            let new: Vec<u8> = old
                .chunks_exact(4)
                .flat_map(|b| {
                    let v = u32::from_le_bytes(b.try_into().unwrap());
                    let v = if v == u32::MAX {
                        u64::MAX
                    } else {
                        u64::from(v)
                    };
                    v.to_le_bytes()
                })
                .collect();
            append(data, &new, a.len)
        };
        let nodes = footer
            .nodes
            .into_iter()
            .map(|(c, d)| {
                let adj = d
                    .adj
                    .iter()
                    .map(|(t, dir, o, e)| (*t, *dir, *o, wide(&mut data, *e, 2)))
                    .collect();
                let dir = v3::NodeChunkDir {
                    alive: d.alive,
                    label_offsets: d.label_offsets,
                    label_data: d.label_data,
                    label_bits: d.label_bits,
                    props: widened_columns(&mut data, d.props, append),
                    adj,
                };
                (c, dir)
            })
            .collect();
        let rels = footer
            .rels
            .into_iter()
            .map(|(c, d)| {
                let n = match d.src {
                    IdsDir::Packed { count, .. } => count,
                    other => other.arr().len,
                };
                let rel_type = match d.rel_type {
                    TypesDir::Each(a) => a,
                    TypesDir::All(t) => {
                        let new: Vec<u8> = (0..n).flat_map(|_| t.to_le_bytes()).collect();
                        append(&mut data, &new, n)
                    }
                };
                let dir = v3::RelChunkDir {
                    alive: d.alive,
                    rel_type,
                    src: wide(&mut data, d.src, 1),
                    dst: wide(&mut data, d.dst, 1),
                    props: widened_columns(&mut data, d.props, append),
                };
                (c, dir)
            })
            .collect();
        (v3::SegmentFooter { nodes, rels }, data)
    }

    /// Columns of the format 6 variants as format 5 wrote them: values 8
    /// (dates 4) bytes wide, dictionary codes 4, appended to `data`.
    fn widened_columns(
        data: &mut Vec<u8>,
        cols: Vec<(u32, ColumnDir)>,
        append: fn(&mut Vec<u8>, &[u8], u64) -> Arr,
    ) -> Vec<(u32, ColumnDir)> {
        let read = |data: &Vec<u8>, a: Arr, width: u8| -> Vec<i64> {
            let w = usize::from(width);
            data[a.off as usize..a.off as usize + w * a.len as usize]
                .chunks_exact(w)
                .map(|b| {
                    let mut x = [0u8; 8];
                    x[..w].copy_from_slice(b);
                    // Sign-extend from the top bit of the width.
                    let v = i64::from_le_bytes(x);
                    let shift = 64 - 8 * w as u32;
                    (v << shift) >> shift
                })
                .collect()
        };
        cols.into_iter()
            .map(|(k, c)| {
                let c = match c {
                    ColumnDir::Narrow {
                        present,
                        values,
                        width,
                        of,
                    } => {
                        let ints = read(data, values, width);
                        let v: Vec<u8> = match of {
                            Narrowed::Int => ints.iter().flat_map(|x| x.to_le_bytes()).collect(),
                            Narrowed::Date => ints
                                .iter()
                                .flat_map(|x| (*x as i32).to_le_bytes())
                                .collect(),
                            Narrowed::Decimal(digits) => {
                                let scale = 10f64.powi(i32::from(digits));
                                ints.iter()
                                    .flat_map(|x| (*x as f64 / scale).to_le_bytes())
                                    .collect()
                            }
                        };
                        let values = append(data, &v, values.len);
                        match of {
                            Narrowed::Int => ColumnDir::Int { present, values },
                            Narrowed::Date => ColumnDir::Date { present, values },
                            Narrowed::Decimal(_) => ColumnDir::Float { present, values },
                        }
                    }
                    ColumnDir::DictN { codes, width, dict } => {
                        let all_ones = (1i64 << (8 * u32::from(width))) - 1;
                        let v: Vec<u8> = read(data, codes, width)
                            .iter()
                            .map(|x| x & all_ones)
                            .flat_map(|x| {
                                let c = if x == all_ones { u32::MAX } else { x as u32 };
                                c.to_le_bytes()
                            })
                            .collect();
                        ColumnDir::Dict {
                            codes: append(data, &v, codes.len),
                            dict,
                        }
                    }
                    other => other,
                };
                (k, c)
            })
            .collect()
    }

    /// Replaces every segment of the database held in `kv` by what `f`
    /// makes of its bytes (data region, footer frame, magic) and sets the
    /// format version; `damage` flips a data byte after the checksum.
    fn rewrite_segments(
        kv: &dyn KvStore,
        version: u32,
        damage: bool,
        f: impl Fn(&[u8]) -> (Vec<u8>, Vec<u8>, &'static [u8; 8]),
    ) {
        let mut m = manifest(kv);
        let mut b = WriteBatch::new();
        for e in &mut m.segments {
            let bytes = segment_bytes(kv, e.id);
            let (mut file, framed, magic) = f(&bytes);
            let data_len = file.len() as u64;
            let crc = crc32fast::hash(&file);
            if damage {
                // Damaged after it was written: the file's checksum no
                // longer matches.
                file[0] ^= 1;
            }
            file.extend_from_slice(&framed);
            file.extend_from_slice(&data_len.to_le_bytes());
            file.extend_from_slice(&(framed.len() as u64).to_le_bytes());
            file.extend_from_slice(&crc.to_le_bytes());
            file.extend_from_slice(magic);
            for (k, _) in kv.scan_prefix(SEGMENTS_TREE, &e.id.to_be_bytes()).unwrap() {
                b.delete(SEGMENTS_TREE, k);
            }
            let mut key = e.id.to_be_bytes().to_vec();
            key.extend_from_slice(&0u32.to_be_bytes());
            b.put(SEGMENTS_TREE, key, file.clone());
            e.len = file.len() as u64;
            e.data_crc = crc;
        }
        b.put(
            META,
            KEY_MANIFEST.to_vec(),
            format::encode_framed(&m).unwrap(),
        );
        b.put(
            META,
            KEY_FORMAT_VERSION.to_vec(),
            version.to_be_bytes().to_vec(),
        );
        kv.commit(b, Durability::Durable).unwrap();
    }

    /// Rewrites every segment of the database held in `kv` as a format 3
    /// database has it (`RGSEG2`, no per-array checksums) and sets the
    /// version to 3; `damage` flips a data byte after the file's checksum
    /// was taken (the only check an RGSEG2 file has).
    fn downgrade(kv: &dyn KvStore, damage: bool) {
        rewrite_segments(kv, 3, damage, |bytes| {
            let (footer, data) = widened(bytes);
            let old = footer.map(&|a: Arr| ArrV2 {
                off: a.off,
                len: a.len,
            });
            (data, encode_framed(&old).unwrap(), SEGMENT_MAGIC_V2)
        });
    }

    fn populated() -> (Arc<dyn KvStore>, Vec<String>) {
        let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
        let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap();
        let mut tx = g.begin_write().unwrap();
        let mut prev = None;
        for i in 0..50 {
            let n = tx
                .create_node(
                    &["P"],
                    vec![("i", Value::Int(i)), ("s", Value::from(format!("n{i}")))],
                )
                .unwrap();
            if let Some(p) = prev {
                tx.create_rel(p, "NEXT", n, vec![("w", Value::Float(i as f64))])
                    .unwrap();
            }
            prev = Some(n);
        }
        tx.commit().unwrap();
        g.checkpoint().unwrap();
        let before = dump(&g);
        drop(g);
        (kv, before)
    }

    /// The writer narrows what fits: adjacency entries of small ids in 4
    /// bytes an id, ends packed, one type for a chunk of one type, small
    /// integers in a byte, whole floats as integers.
    #[test]
    fn small_ids_are_written_narrow() {
        let (kv, _) = populated();
        let m = manifest(kv.as_ref());
        let bytes = segment_bytes(kv.as_ref(), m.segments.last().unwrap().id);
        assert_eq!(&bytes[bytes.len() - 8..], SEGMENT_MAGIC);
        let (footer, _) = read_footer(&bytes).unwrap();
        let adj: Vec<IdsDir> = footer
            .nodes
            .iter()
            .flat_map(|(_, d)| d.adj.iter().map(|a| a.3))
            .collect();
        assert!(!adj.is_empty());
        assert!(adj.iter().all(|e| matches!(e, IdsDir::U32(_))));
        let (_, rels) = &footer.rels[0];
        // A chain: the 49 starts and ends are neighbouring ids.
        assert!(
            matches!(rels.src, IdsDir::Packed { bits: 6, .. }),
            "{:?}",
            rels.src
        );
        assert!(matches!(rels.dst, IdsDir::Packed { bits: 6, .. }));
        assert!(matches!(rels.rel_type, TypesDir::All(_)));
        let (_, nodes) = &footer.nodes[0];
        let col = |k: u32| &nodes.props.iter().find(|(key, _)| *key == k).unwrap().1;
        assert!(
            matches!(
                col(0),
                ColumnDir::Narrow {
                    width: 1,
                    of: Narrowed::Int,
                    ..
                }
            ),
            "i: 0..50"
        );
        let (_, w) = &rels.props[0];
        assert!(
            matches!(
                w,
                ColumnDir::Narrow {
                    width: 1,
                    of: Narrowed::Decimal(0),
                    ..
                }
            ),
            "{w:?}"
        );
    }

    /// Ids that do not fit 32 bits (a node id past 2^32, ends spanning
    /// more than 2^31) are written wide and read back as they were.
    #[test]
    fn ids_that_do_not_fit_stay_wide() {
        use super::super::chunk::{build_adj_lists, rebuild_rel_chunk, NodeChunk, RelView};
        let far = NodeId(1 << 40);
        let adj = |n: NodeId, r: u64| Adj {
            node: n,
            rel: crate::ids::RelId(r),
        };
        let lists = build_adj_lists(&[
            ((RelTypeId(0), 0), 0, adj(far, 7)),
            ((RelTypeId(0), 0), 0, adj(NodeId(3), 8)),
            ((RelTypeId(0), 1), 1, adj(NodeId(2), 9)),
        ]);
        let node = NodeChunk {
            adj: lists,
            ..NodeChunk::default()
        };
        let views = [
            RelView {
                rel_type: RelTypeId(0),
                src: NodeId(0),
                dst: far,
                props: &[],
            },
            RelView {
                rel_type: RelTypeId(1),
                src: NodeId(5),
                dst: NodeId(6),
                props: &[],
            },
        ];
        let rels = rebuild_rel_chunk(None, &[(0, Some(views[0])), (1, Some(views[1]))]);
        let mut w = SegmentWriter::new(Vec::new());
        w.node_chunk(0, &node).unwrap();
        w.rel_chunk(0, &rels).unwrap();
        let (bytes, summary) = w.finish().unwrap();
        let owner: Arc<dyn SegmentBytes> = Arc::new(crate::snapshot::HeapBytes::new(&bytes));
        let seg = OpenSegment::open("t", owner, summary, &Arc::default()).unwrap();
        let (c, dir) = &seg.footer.nodes[0];
        assert!(
            matches!(dir.adj[0].3, IdsDir::U64(_)),
            "the list with node 2^40"
        );
        assert!(matches!(dir.adj[1].3, IdsDir::U32(_)), "the other list");
        let read = seg.node_chunk(*c, dir).unwrap();
        let out = read.adj_list((RelTypeId(0), 0)).unwrap().get(0);
        assert_eq!(out, &[adj(NodeId(3), 8), adj(far, 7)]);
        let (c, dir) = &seg.footer.rels[0];
        assert!(matches!(dir.dst, IdsDir::U64(_)), "ends span 2^40");
        assert!(
            matches!(dir.src, IdsDir::Packed { bits: 3, .. }),
            "{:?}",
            dir.src
        );
        assert!(matches!(dir.rel_type, TypesDir::Each(_)), "two types");
        let read = seg.rel_chunk(*c, dir).unwrap();
        assert_eq!(read.ends.get(0), Some((RelTypeId(0), NodeId(0), far)));
        assert_eq!(read.ends.get(1), Some((RelTypeId(1), NodeId(5), NodeId(6))));
        assert_eq!(read.ends.get(2), None);
    }

    /// A format 5 database (`RGSEG3` segments: every id 64 bits wide) is
    /// read in place: opening it writes the version alone, and the next
    /// checkpoint writes an `RGSEG4` segment beside the old one.
    #[test]
    fn a_format_5_database_is_read_in_place() {
        let (kv, before) = populated();
        rewrite_segments(kv.as_ref(), 5, false, |bytes| {
            let (footer, data) = widened(bytes);
            (data, encode_framed(&footer).unwrap(), SEGMENT_MAGIC_V3)
        });
        let old = manifest(kv.as_ref());
        let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap();
        assert_eq!(dump(&g), before);
        assert_current_version(kv.as_ref());
        let m = manifest(kv.as_ref());
        assert_eq!(m.segments, old.segments, "nothing rewritten");
        let bytes = segment_bytes(kv.as_ref(), m.segments[0].id);
        assert_eq!(&bytes[bytes.len() - 8..], SEGMENT_MAGIC_V3);
        assert!(g.verify_segments().unwrap()[0].damage.is_none());
        let mut tx = g.begin_write().unwrap();
        let a = tx.create_node(&["P"], vec![("i", Value::Int(-1))]).unwrap();
        tx.create_rel(a, "NEXT", NodeId(0), vec![]).unwrap();
        tx.commit().unwrap();
        g.checkpoint().unwrap();
        let after = dump(&g);
        drop(g);
        let m = manifest(kv.as_ref());
        let newest = segment_bytes(kv.as_ref(), m.segments.last().unwrap().id);
        assert_eq!(&newest[newest.len() - 8..], SEGMENT_MAGIC);
        let g = Graph::open_backend(kv, &OpenOptions::default()).unwrap();
        assert_eq!(dump(&g), after);
        assert!(g
            .verify_segments()
            .unwrap()
            .iter()
            .all(|v| v.damage.is_none()));
    }

    /// A format 3 database (`RGSEG2` segments) is verified whole and
    /// rewritten as one `RGSEG3` segment at open: the same graph, format 5.
    #[test]
    fn a_format_3_database_is_rewritten_with_array_checksums() {
        let (kv, before) = populated();
        downgrade(kv.as_ref(), false);
        let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap();
        assert_eq!(dump(&g), before);
        assert_current_version(kv.as_ref());
        let m = manifest(kv.as_ref());
        assert_eq!(m.segments.len(), 1);
        let bytes = segment_bytes(kv.as_ref(), m.segments[0].id);
        assert_eq!(&bytes[bytes.len() - 8..], SEGMENT_MAGIC);
        let (footer, _) = read_footer(&bytes).unwrap();
        assert!(footer.arrays().iter().any(|(a, _, _)| a.crc != 0));
        assert!(g.verify_segments().unwrap()[0].damage.is_none());
        drop(g);
        // Opened again: nothing more to upgrade.
        let g = Graph::open_backend(kv, &OpenOptions::default()).unwrap();
        assert_eq!(dump(&g), before);
    }

    /// Damaged data in a format 3 segment refuses the upgrade (it would be
    /// copied under fresh checksums), naming the file; nothing changes.
    #[test]
    fn a_damaged_format_3_segment_refuses_the_upgrade() {
        let (kv, _) = populated();
        downgrade(kv.as_ref(), true);
        let err = Graph::open_backend(kv.clone(), &OpenOptions::default())
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains("seg-") && err.contains("data checksum"),
            "{err}"
        );
        assert_eq!(
            kv.get(META, KEY_FORMAT_VERSION).unwrap().unwrap(),
            3u32.to_be_bytes()
        );
    }
}
