//! Planning the in-place redaction of erased entities in a segment file
//! (erasure, docs/erasure.md).
//!
//! For every chunk of the segment (current or superseded) that holds an
//! erased node or relationship, the entity's value in every property
//! column is removed where it lies: its presence bit is cleared, its fixed
//! value or its text/encoded bytes are zeroed, its dictionary code becomes
//! "absent", and a dictionary string that only erased entities used is
//! blanked in the footer (which is rewritten). Then the entity itself: a
//! node's liveness and label bits are cleared and its label ids zeroed, a
//! relationship's liveness bit cleared and its type and ends zeroed, and
//! every adjacency entry that names an erased node or relationship (in the
//! erased nodes' lists and their neighbours') is removed within its own
//! node's list: the rest of the list moves up and the places freed at its
//! end become [`HOLE`]s, flagged by [`ENDS_IN_HOLES`] on the list's end
//! offset. No array moves and no other list changes. The data checksum is
//! updated from the changed bytes alone (CRC-32 is affine: `crc(a ^ b ^
//! c) = crc(a) ^ crc(b) ^ crc(c)` for equal lengths), so the cost is the
//! person's, not the file's, and so is each changed array's own checksum
//! (in the footer, which is written again), except a value column's,
//! computed from its new bytes after its old bytes were checked. Finding
//! the relationships a segment still holds ([`Erased::add_connections`])
//! reads every relationship chunk's ends: that part grows with the graph.
//!
//! Only snapshots from before the erasure's delete read these bytes (the
//! delete rebuilt every list it changed; a deleted entity is never read
//! again); the caller waits for them.

use std::collections::{BTreeMap, BTreeSet};

use super::adj::{pack, unpack, Adj32, HOLE32};
use super::chunk::{ENDS_IN_HOLES, HOLE, OFFSET_BITS};
use super::column::DICT_ABSENT;
use super::segment::{
    Arr, ColumnDir, IdsDir, NodeChunkDir, OpenSegment, RelChunkDir, TypesDir, SEGMENT_MAGIC,
    SEGMENT_MAGIC_V3, TRAILER_LEN,
};
use super::{Adj, NODE_CHUNK, REL_CHUNK};
use crate::error::{GraphError, Result};
use crate::store::format::{encode_framed, ScrubPlan};

/// New bytes of the file, over its current bytes: runs that do not
/// overlap, by offset.
struct Overlay<'a> {
    data: &'a [u8],
    name: &'a str,
    runs: BTreeMap<u64, Vec<u8>>,
}

impl Overlay<'_> {
    fn damaged(&self, what: String) -> GraphError {
        GraphError::CorruptSegment {
            file: self.name.to_string(),
            reason: what,
        }
    }

    fn check_range(&self, off: u64, len: u64) -> Result<()> {
        match off.checked_add(len) {
            Some(end) if end <= self.data.len() as u64 => Ok(()),
            _ => Err(self.damaged(format!("bytes {off}+{len} are past the data region"))),
        }
    }

    /// The run holding byte `off`, if any: its start and bytes.
    fn run_at(&self, off: u64) -> Option<(u64, &Vec<u8>)> {
        self.runs
            .range(..=off)
            .next_back()
            .filter(|(start, run)| off < *start + run.len() as u64)
            .map(|(start, run)| (*start, run))
    }

    fn byte(&self, off: u64) -> Result<u8> {
        if let Some((start, run)) = self.run_at(off) {
            return Ok(run[(off - start) as usize]);
        }
        self.data
            .get(off as usize)
            .copied()
            .ok_or_else(|| self.damaged(format!("byte {off} is past the data region")))
    }

    fn set(&mut self, off: u64, b: u8) -> Result<()> {
        self.check_range(off, 1)?;
        if let Some(start) = self.run_at(off).map(|(start, _)| start) {
            if let Some(run) = self.runs.get_mut(&start) {
                run[(off - start) as usize] = b;
            }
        } else {
            self.runs.insert(off, vec![b]);
        }
        Ok(())
    }

    /// Writes `bytes` at `off`, byte by byte where earlier writes overlap.
    fn write(&mut self, off: u64, bytes: &[u8]) -> Result<()> {
        self.check_range(off, bytes.len() as u64)?;
        let end = off + bytes.len() as u64;
        let overlaps = self.run_at(off).is_some() || self.runs.range(off..end).next().is_some();
        if overlaps {
            for (i, b) in bytes.iter().enumerate() {
                self.set(off + i as u64, *b)?;
            }
        } else if !bytes.is_empty() {
            self.runs.insert(off, bytes.to_vec());
        }
        Ok(())
    }

    fn zero(&mut self, off: u64, len: u64) -> Result<()> {
        self.check_range(off, len)?;
        self.write(off, &vec![0u8; len as usize])
    }

    /// Bit `l` of a bitmap of `u64` words as it will be (clear past it).
    fn bit(&self, bitmap: Arr, l: u64) -> Result<bool> {
        if l / 64 >= bitmap.len {
            return Ok(false);
        }
        let byte = self.byte(bitmap.off + (l / 64) * 8 + (l % 64) / 8)?;
        Ok(byte & (1 << (l % 8)) != 0)
    }

    /// Clears bit `l` of a bitmap of `u64` words (nothing if `l` is past
    /// it); returns whether it was set.
    fn clear_bit(&mut self, bitmap: Arr, l: u64) -> Result<bool> {
        if l / 64 >= bitmap.len {
            return Ok(false);
        }
        let off = bitmap.off + (l / 64) * 8 + (l % 64) / 8;
        let b = self.byte(off)?;
        let bit = 1u8 << (l % 8);
        self.set(off, b & !bit)?;
        Ok(b & bit != 0)
    }

    /// `n` bytes at `off` as they will be.
    fn read<const N: usize>(&self, off: u64) -> Result<[u8; N]> {
        let mut x = [0u8; N];
        for (k, b) in x.iter_mut().enumerate() {
            *b = self.byte(off + k as u64)?;
        }
        Ok(x)
    }

    /// Element `i` of a `u32` array, as it will be.
    fn u32_at(&self, a: Arr, i: u64) -> Result<Option<u32>> {
        if i >= a.len {
            return Ok(None);
        }
        Ok(Some(u32::from_le_bytes(self.read(a.off + 4 * i)?)))
    }

    /// Dictionary code `i` of a codes array of `width` bytes, as it will
    /// be ([`DICT_ABSENT`] for the width's all-ones "absent").
    fn code_at(&self, a: Arr, width: u64, i: u64) -> Result<Option<u32>> {
        if i >= a.len {
            return Ok(None);
        }
        let mut x = [0u8; 4];
        for (k, b) in x.iter_mut().enumerate().take(width as usize) {
            *b = self.byte(a.off + width * i + k as u64)?;
        }
        let code = u32::from_le_bytes(x);
        let absent = if width >= 4 {
            u32::MAX
        } else {
            (1u32 << (8 * width)) - 1
        };
        Ok(Some(if code == absent { DICT_ABSENT } else { code }))
    }

    /// Sets element `i` of a `u32` array.
    fn set_u32(&mut self, a: Arr, i: u64, v: u32) -> Result<()> {
        if i < a.len {
            self.write(a.off + 4 * i, &v.to_le_bytes())?;
        }
        Ok(())
    }

    /// The adjacency entries `a .. b` of an entries array, as they will be
    /// (widened; a narrow hole reads as [`HOLE`]).
    fn entries(&self, list: IdsDir, a: u64, b: u64) -> Result<Vec<Adj>> {
        let arr = list.arr();
        if a > b || b > arr.len {
            return Err(self.damaged(format!(
                "adjacency offsets {a}..{b} are outside a list of {} entries",
                arr.len
            )));
        }
        let size = list.element_size(2);
        let (off, len) = (arr.off + size * a, size * (b - a));
        self.check_range(off, len)?;
        let bytes: Vec<u8> = if self.changes(off, len) {
            (off..off + len)
                .map(|i| self.byte(i))
                .collect::<Result<_>>()?
        } else {
            // Not written yet (the usual case): straight from the file.
            self.data[off as usize..(off + len) as usize].to_vec()
        };
        Ok(match list {
            IdsDir::Packed { .. } => {
                return Err(self.damaged("an adjacency list of packed ids".into()));
            }
            IdsDir::U64(_) => bytes
                .chunks_exact(16)
                .map(bytemuck::pod_read_unaligned::<Adj>)
                .collect(),
            IdsDir::U32(_) => bytes
                .chunks_exact(8)
                .map(|b| bytemuck::pod_read_unaligned::<Adj32>(b).wide_or_hole())
                .collect(),
        })
    }

    /// Runs that lie in `off .. off + len`, relative to `off`.
    fn runs_in(&self, off: u64, len: u64) -> Vec<(u64, Vec<u8>)> {
        let end = off.saturating_add(len);
        let mut out = Vec::new();
        for (&start, run) in self.runs.range(off..end) {
            let n = (run.len() as u64).min(end - start) as usize;
            out.push((start - off, run[..n].to_vec()));
        }
        out
    }

    /// The CRC-32 of `len` bytes at `off` as they will be.
    fn crc_of(&self, off: u64, len: u64) -> Result<u32> {
        self.check_range(off, len)?;
        let mut new = self.data[off as usize..(off + len) as usize].to_vec();
        for (o, run) in self.runs_in(off, len) {
            new[o as usize..o as usize + run.len()].copy_from_slice(&run);
        }
        Ok(crc32fast::hash(&new))
    }

    /// The checksum of array `a` of `size`-byte elements after the writes,
    /// from its recorded checksum and the changed bytes alone. An array
    /// that was damaged before stays detectably damaged.
    fn array_crc(&self, a: Arr, size: u64) -> Result<u32> {
        let len = a.len.saturating_mul(size);
        self.check_range(a.off, len)?;
        let writes = self.runs_in(a.off, len);
        if writes.is_empty() {
            return Ok(a.crc);
        }
        let data = &self.data[a.off as usize..(a.off + len) as usize];
        Ok(crc_after_writes(a.crc, data, &writes))
    }

    /// Whether any byte in `off .. off + len` changes.
    fn changes(&self, off: u64, len: u64) -> bool {
        let end = off.saturating_add(len);
        self.run_at(off).is_some() || self.runs.range(off..end).next().is_some()
    }

    /// The writes, adjacent runs joined.
    fn into_runs(self) -> Vec<(u64, Vec<u8>)> {
        let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
        for (off, run) in self.runs {
            match out.last_mut() {
                Some((start, last)) if *start + last.len() as u64 == off => last.extend(run),
                _ => out.push((off, run)),
            }
        }
        out
    }
}

/// Removes the values of `locals` from the columns `cols`; returns whether
/// a dictionary string was blanked (the footer changed).
fn redact_columns(
    ov: &mut Overlay<'_>,
    cols: &mut [(u32, ColumnDir)],
    locals: &BTreeSet<u64>,
) -> Result<bool> {
    let mut footer_changed = false;
    for (key, col) in cols.iter_mut() {
        // The column's arrays are read to find the bytes to clear, and the
        // changed ones get fresh checksums: a damaged one must not be
        // redacted under a checksum that would then vouch for it.
        for (a, size, what) in col.arrays() {
            let len = a.len.saturating_mul(size);
            if ov.crc_of(a.off, len)? != a.crc {
                return Err(ov.damaged(format!(
                    "the {what} of property column of key id {key} fails its checksum; \
                     `relgraph check` names every damaged array"
                )));
            }
        }
        let col_width = match col {
            ColumnDir::DictN { width, .. } => Some(*width),
            _ => None,
        };
        match col {
            ColumnDir::Int { present, values } | ColumnDir::Float { present, values } => {
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    if l < values.len {
                        ov.zero(values.off + 8 * l, 8)?;
                    }
                }
            }
            ColumnDir::Date { present, values } => {
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    if l < values.len {
                        ov.zero(values.off + 4 * l, 4)?;
                    }
                }
            }
            ColumnDir::Narrow {
                present,
                values,
                width,
                ..
            } => {
                let w = u64::from(*width);
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    if l < values.len {
                        ov.zero(values.off + w * l, w)?;
                    }
                }
            }
            ColumnDir::Bool { present, values } => {
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    ov.clear_bit(*values, l)?;
                }
            }
            ColumnDir::Dict { codes, dict } | ColumnDir::DictN { codes, dict, .. } => {
                let width = match col_width {
                    Some(w) => u64::from(w),
                    None => 4,
                };
                let mut dropped = BTreeSet::new();
                for &l in locals {
                    if let Some(code) = ov.code_at(*codes, width, l)? {
                        if code != DICT_ABSENT {
                            dropped.insert(code);
                        }
                        // All ones: absent at any width.
                        ov.write(codes.off + width * l, &vec![0xff; width as usize])?;
                    }
                }
                if dropped.is_empty() {
                    continue;
                }
                // Strings still used by an entity that stays are kept.
                for i in 0..codes.len {
                    if let Some(code) = ov.code_at(*codes, width, i)? {
                        dropped.remove(&code);
                    }
                }
                for code in dropped {
                    if let Some(s) = dict.get_mut(code as usize) {
                        s.clear();
                        footer_changed = true;
                    }
                }
            }
            ColumnDir::Text {
                present,
                offsets,
                bytes,
            } => {
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    zero_entry(ov, *offsets, *bytes, l)?;
                }
            }
            // A zeroed entry decodes as null; the entity is deleted anyway.
            ColumnDir::Encoded { offsets, bytes } => {
                for &l in locals {
                    zero_entry(ov, *offsets, *bytes, l)?;
                }
            }
        }
        // The checksums of the arrays that change.
        for (a, size) in col.arrays_mut() {
            let len = a.len.saturating_mul(size);
            if ov.changes(a.off, len) {
                a.crc = ov.crc_of(a.off, len)?;
            }
        }
    }
    Ok(footer_changed)
}

/// Zeroes `bytes[offsets[l] .. offsets[l + 1]]`.
fn zero_entry(ov: &mut Overlay<'_>, offsets: Arr, bytes: Arr, l: u64) -> Result<()> {
    if let (Some(a), Some(b)) = (ov.u32_at(offsets, l)?, ov.u32_at(offsets, l + 1)?) {
        let (a, b) = (u64::from(a), u64::from(b));
        if a < b && b <= bytes.len {
            ov.zero(bytes.off + a, b - a)?;
        }
    }
    Ok(())
}

/// The CRC-32 state of `n` zero bytes.
fn zeros(n: u64) -> crc32fast::Hasher {
    const SMALL: u64 = 1 << 16;
    let mut h = crc32fast::Hasher::new();
    if n <= SMALL {
        h.update(&vec![0u8; n as usize]);
        return h;
    }
    // Powers of two by doubling, combined per set bit.
    let mut power = crc32fast::Hasher::new();
    power.update(&[0u8]);
    let mut rest = n;
    while rest > 0 {
        if rest & 1 == 1 {
            h.combine(&power);
        }
        let p = power.clone();
        power.combine(&p);
        rest >>= 1;
    }
    h
}

/// The checksum of `data` (whose checksum is `crc`) after `writes`
/// (sorted, disjoint runs inside `data`); reads only the runs.
pub(crate) fn crc_after_writes(crc: u32, data: &[u8], writes: &[(u64, Vec<u8>)]) -> u32 {
    let n = data.len() as u64;
    // crc(new) = crc(old) ^ crc(old ^ new) ^ crc(zeros of the same length).
    let mut delta = crc32fast::Hasher::new();
    let mut pos = 0u64;
    for (off, bytes) in writes {
        delta.combine(&zeros(off - pos));
        let old = &data[*off as usize..*off as usize + bytes.len()];
        let x: Vec<u8> = old.iter().zip(bytes).map(|(a, b)| a ^ b).collect();
        delta.update(&x);
        pos = off + bytes.len() as u64;
    }
    delta.combine(&zeros(n - pos));
    crc ^ delta.finalize() ^ zeros(n).finalize()
}

/// What an erasure removes, by id and by chunk.
#[derive(Debug, Default)]
pub(crate) struct Erased {
    /// Erased node ids.
    pub(crate) nodes: BTreeSet<u64>,
    /// Erased relationship ids: the erased nodes' own and every one a
    /// segment lists at an erased node.
    pub(crate) rels: BTreeSet<u64>,
    /// Nodes whose adjacency lists may name an erased node or
    /// relationship (the erased nodes' neighbours), by chunk and local.
    pub(crate) neighbours: BTreeMap<u64, BTreeSet<u64>>,
}

impl Erased {
    /// The erased nodes' locals by chunk.
    pub(crate) fn node_locals(&self) -> BTreeMap<u64, BTreeSet<u64>> {
        locals(&self.nodes, NODE_CHUNK)
    }

    /// The erased relationships' locals by chunk.
    pub(crate) fn rel_locals(&self) -> BTreeMap<u64, BTreeSet<u64>> {
        locals(&self.rels, REL_CHUNK)
    }

    fn add_neighbour(&mut self, n: u64) {
        if !self.nodes.contains(&n) && n != HOLE.node.0 {
            self.neighbours
                .entry(n / NODE_CHUNK)
                .or_default()
                .insert(n % NODE_CHUNK);
        }
    }

    /// Adds what `seg` holds of the erased nodes: the relationships in
    /// their lists (and the nodes at the other ends), and the ends of the
    /// erased relationships. Then, once every segment was read
    /// ([`Self::add_named_by_neighbours`]), the relationships the
    /// neighbours' lists name at an erased node.
    pub(crate) fn add_connections(&mut self, seg: &OpenSegment) -> Result<()> {
        let ov = overlay(seg)?;
        let nodes = self.node_locals();
        for (c, dir) in &seg.footer.nodes {
            let Some(locals) = nodes.get(c) else { continue };
            for (_, _, offsets, entries) in &dir.adj {
                for &l in locals {
                    for a in list(&ov, *offsets, *entries, l)? {
                        self.rels.insert(a.rel.0);
                        self.add_neighbour(a.node.0);
                    }
                }
            }
        }
        // Every relationship chunk: one deleted before the erasure may
        // keep its ends in a superseded chunk that no list of the
        // person's names any more.
        let sorted: Vec<u64> = self.nodes.iter().copied().collect();
        let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
            return Ok(());
        };
        // Most ends fall outside the erased ids' range: one comparison.
        let erased = |n: u64| n >= lo && n <= hi && sorted.binary_search(&n).is_ok();
        for (c, dir) in &seg.footer.rels {
            let (src, dst) = (u64s(&ov, dir.src)?, u64s(&ov, dir.dst)?);
            for (l, (s, d)) in src.zip(dst).enumerate() {
                if erased(s) || erased(d) {
                    self.rels.insert(c * REL_CHUNK + l as u64);
                    self.add_neighbour(s);
                    self.add_neighbour(d);
                }
            }
        }
        Ok(())
    }

    /// Adds the relationships that the neighbours' lists in `seg` name at
    /// an erased node (one deleted and folded before the erasure, whose
    /// other records are gone).
    pub(crate) fn add_named_by_neighbours(&mut self, seg: &OpenSegment) -> Result<()> {
        let ov = overlay(seg)?;
        for (c, dir) in &seg.footer.nodes {
            let Some(locals) = self.neighbours.get(c) else {
                continue;
            };
            let mut found = Vec::new();
            for (_, _, offsets, entries) in &dir.adj {
                for &l in locals {
                    for a in list(&ov, *offsets, *entries, l)? {
                        if self.nodes.contains(&a.node.0) {
                            found.push(a.rel.0);
                        }
                    }
                }
            }
            self.rels.extend(found);
        }
        Ok(())
    }
}

/// The ids of array `ids` (`u64` or `u32` each), as the file holds them.
fn u64s<'a>(ov: &Overlay<'a>, ids: IdsDir) -> Result<Box<dyn Iterator<Item = u64> + 'a>> {
    let (a, size) = (ids.arr(), ids.element_size(1));
    let len = a.len.saturating_mul(size);
    ov.check_range(a.off, len)?;
    let bytes: &'a [u8] = &ov.data[a.off as usize..(a.off + len) as usize];
    Ok(match ids {
        IdsDir::Packed {
            base, bits, count, ..
        } => {
            let words: Vec<u64> = bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                .collect();
            let bits = u32::from(bits);
            Box::new(
                (0..count as usize)
                    .map_while(move |l| unpack(&words, bits, l).map(|v| base.saturating_add(v))),
            )
        }
        IdsDir::U64(_) => Box::new(
            bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
        ),
        IdsDir::U32(_) => Box::new(
            bytes
                .chunks_exact(4)
                .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        ),
    })
}

/// Ids by chunk: chunk index to locals.
fn locals(ids: &BTreeSet<u64>, per_chunk: u64) -> BTreeMap<u64, BTreeSet<u64>> {
    let mut out: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for id in ids {
        out.entry(id / per_chunk)
            .or_default()
            .insert(id % per_chunk);
    }
    out
}

/// Where local `l`'s entries lie in a stored adjacency list (start, end),
/// and its end offset as stored (with [`ENDS_IN_HOLES`]); `None` past the
/// list.
fn list_range(ov: &Overlay<'_>, offsets: Arr, l: u64) -> Result<Option<(u64, u64, u32)>> {
    let (Some(a), Some(b)) = (ov.u32_at(offsets, l)?, ov.u32_at(offsets, l + 1)?) else {
        return Ok(None);
    };
    Ok(Some((
        u64::from(a & OFFSET_BITS),
        u64::from(b & OFFSET_BITS),
        b,
    )))
}

/// The entries of local `l` in a stored adjacency list (holes left out).
fn list(ov: &Overlay<'_>, offsets: Arr, entries: IdsDir, l: u64) -> Result<Vec<Adj>> {
    let Some((start, end, _)) = list_range(ov, offsets, l)? else {
        return Ok(Vec::new());
    };
    let mut out = ov.entries(entries, start, end)?;
    out.retain(|a| *a != HOLE);
    Ok(out)
}

/// Counts of the base image that an erasure lowers: what was alive in the
/// current version of a chunk.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Removed {
    pub(crate) nodes: u64,
    pub(crate) rels: u64,
    /// Label id to nodes.
    pub(crate) labels: BTreeMap<u32, u64>,
    /// Relationship type id to relationships.
    pub(crate) types: BTreeMap<u32, u64>,
}

/// Removes the erased nodes of one node chunk (liveness, label bits and
/// label ids) and every adjacency entry of the chunk's erased nodes and
/// neighbours that names an erased node or relationship: a list keeps
/// its other entries in order and ends in [`HOLE`]s, and its end offset
/// gets [`ENDS_IN_HOLES`]. Counts into `removed` when `current`.
fn redact_node_structure(
    ov: &mut Overlay<'_>,
    dir: &mut NodeChunkDir,
    erased_locals: Option<&BTreeSet<u64>>,
    neighbour_locals: Option<&BTreeSet<u64>>,
    erased: &Erased,
    mut removed: Option<&mut Removed>,
) -> Result<()> {
    let none = BTreeSet::new();
    let own = erased_locals.unwrap_or(&none);
    for &l in own {
        let was_alive = ov.clear_bit(dir.alive, l)?;
        for (_, bits) in &dir.label_bits {
            ov.clear_bit(*bits, l)?;
        }
        if let (Some(a), Some(b)) = (
            ov.u32_at(dir.label_offsets, l)?,
            ov.u32_at(dir.label_offsets, l + 1)?,
        ) {
            for i in u64::from(a)..u64::from(b).min(dir.label_data.len) {
                if let (true, Some(r)) = (was_alive, removed.as_deref_mut()) {
                    if let Some(label) = ov.u32_at(dir.label_data, i)? {
                        *r.labels.entry(label).or_default() += 1;
                    }
                }
                ov.set_u32(dir.label_data, i, 0)?;
            }
        }
        if let (true, Some(r)) = (was_alive, removed.as_deref_mut()) {
            r.nodes += 1;
        }
    }
    let touched: BTreeSet<u64> = own
        .iter()
        .chain(neighbour_locals.unwrap_or(&none))
        .copied()
        .collect();
    for (_, _, offsets, entries) in &dir.adj {
        for &l in &touched {
            let Some((start, end, b)) = list_range(ov, *offsets, l)? else {
                continue;
            };
            let old = ov.entries(*entries, start, end)?;
            let mut kept: Vec<Adj> = old
                .iter()
                .filter(|e| {
                    **e != HOLE
                        && !erased.nodes.contains(&e.node.0)
                        && !erased.rels.contains(&e.rel.0)
                })
                .copied()
                .collect();
            if kept.len() == old.iter().filter(|e| **e != HOLE).count() {
                continue;
            }
            kept.resize(old.len(), HOLE);
            // Only the bytes from the first changed entry on are written.
            let first = old.iter().zip(&kept).position(|(o, k)| o != k).unwrap_or(0);
            let bytes: Vec<u8> = match entries {
                // `entries` above refused a packed list.
                IdsDir::U64(_) | IdsDir::Packed { .. } => {
                    bytemuck::cast_slice(&kept[first..]).to_vec()
                }
                IdsDir::U32(_) => kept[first..]
                    .iter()
                    .flat_map(|a| {
                        // Read from the narrow list: the ids fit.
                        let n = Adj32::narrow(*a).unwrap_or(HOLE32);
                        bytemuck::bytes_of(&n).to_vec()
                    })
                    .collect(),
            };
            let size = entries.element_size(2);
            ov.write(entries.arr().off + size * (start + first as u64), &bytes)?;
            ov.set_u32(*offsets, l + 1, b | ENDS_IN_HOLES)?;
        }
    }
    for (_, bits) in &mut dir.label_bits {
        bits.crc = ov.array_crc(*bits, 8)?;
    }
    dir.alive.crc = ov.array_crc(dir.alive, 8)?;
    dir.label_data.crc = ov.array_crc(dir.label_data, 4)?;
    for (_, _, offsets, entries) in &mut dir.adj {
        offsets.crc = ov.array_crc(*offsets, 4)?;
        let size = entries.element_size(2);
        let crc = ov.array_crc(entries.arr(), size)?;
        entries.arr_mut().crc = crc;
    }
    Ok(())
}

/// Removes the erased relationships of one chunk: liveness, type and ends.
fn redact_rel_structure(
    ov: &mut Overlay<'_>,
    dir: &mut RelChunkDir,
    locals: &BTreeSet<u64>,
    mut removed: Option<&mut Removed>,
) -> Result<()> {
    for &l in locals {
        let was_alive = ov.clear_bit(dir.alive, l)?;
        let rel_type = match dir.rel_type {
            TypesDir::Each(a) => {
                let t = ov.u32_at(a, l)?;
                ov.set_u32(a, l, 0)?;
                t
            }
            // One type for the chunk: nothing of this relationship's own.
            TypesDir::All(t) => Some(t),
        };
        if let (true, Some(r)) = (was_alive, removed.as_deref_mut()) {
            r.rels += 1;
            if let Some(t) = rel_type {
                *r.types.entry(t).or_default() += 1;
            }
        }
        for ends in [dir.src, dir.dst] {
            let (a, size) = (ends.arr(), ends.element_size(1));
            if l < a.len && !matches!(ends, IdsDir::Packed { .. }) {
                ov.zero(a.off + size * l, size)?;
            }
        }
    }
    for ends in [&mut dir.src, &mut dir.dst] {
        repack_without_dead(ov, ends, dir.alive)?;
    }
    dir.alive.crc = ov.array_crc(dir.alive, 8)?;
    if let TypesDir::Each(a) = &mut dir.rel_type {
        a.crc = ov.array_crc(*a, 4)?;
    }
    for ends in [&mut dir.src, &mut dir.dst] {
        let crc = ov.array_crc(ends.arr(), ends.element_size(1))?;
        ends.arr_mut().crc = crc;
    }
    Ok(())
}

/// Writes packed ends again with the dead relationships' offsets zero and
/// the base the smallest live end: the old base may be an erased node's
/// id (the smallest end when the chunk was written), and it lies in the
/// footer, which an erasure rewrites. The bit width stays (the live ends
/// span no more than before).
fn repack_without_dead(ov: &mut Overlay<'_>, ends: &mut IdsDir, alive: Arr) -> Result<()> {
    let IdsDir::Packed {
        base,
        bits,
        count,
        words,
    } = *ends
    else {
        return Ok(());
    };
    let (bits, n) = (u32::from(bits), count as usize);
    let stored: Vec<u64> = packed_words(ov, words)?;
    let mut live = Vec::with_capacity(n);
    for l in 0..n {
        let v = unpack(&stored, bits, l)
            .and_then(|v| base.checked_add(v))
            .ok_or_else(|| ov.damaged("packed relationship ends are cut short".into()))?;
        live.push(ov.bit(alive, l as u64)?.then_some(v));
    }
    let new_base = live.iter().flatten().min().copied().unwrap_or(0);
    let offsets: Vec<u64> = live.iter().map(|v| v.map_or(0, |v| v - new_base)).collect();
    let packed = pack(&offsets, bits);
    if packed != stored {
        ov.write(words.off, bytemuck::cast_slice(&packed))?;
    }
    // The caller updates the words' checksum (from the original one).
    if let IdsDir::Packed { base, .. } = ends {
        *base = new_base;
    }
    Ok(())
}

/// The `u64` words of a packed array, as they will be.
fn packed_words(ov: &Overlay<'_>, words: Arr) -> Result<Vec<u64>> {
    (0..words.len)
        .map(|i| ov.read::<8>(words.off + 8 * i).map(u64::from_le_bytes))
        .collect()
}

/// The data region of `seg` (checked against its trailer) to plan writes
/// over, and the footer's offset.
fn overlay(seg: &OpenSegment) -> Result<Overlay<'_>> {
    let bytes = seg.bytes.bytes();
    let damaged = |reason: &str| GraphError::CorruptSegment {
        file: seg.name.clone(),
        reason: reason.to_string(),
    };
    if seg.is_v2() {
        return Err(damaged(
            "an RGSEG2 segment cannot be redacted by this build",
        ));
    }
    let t = bytes
        .get(bytes.len().saturating_sub(TRAILER_LEN as usize)..)
        .filter(|t| {
            // A format 5 segment (RGSEG3) is redacted too: its new footer,
            // written whole, is the current shape under the current magic.
            t.len() == TRAILER_LEN as usize
                && (&t[20..28] == SEGMENT_MAGIC || &t[20..28] == SEGMENT_MAGIC_V3)
        })
        .ok_or_else(|| damaged("no segment trailer"))?;
    let mut off = [0u8; 8];
    off.copy_from_slice(&t[..8]);
    let footer_off = u64::from_le_bytes(off);
    if footer_off > bytes.len() as u64 {
        return Err(damaged("the trailer's footer offset is out of bounds"));
    }
    Ok(Overlay {
        data: &bytes[..footer_off as usize],
        name: &seg.name,
        runs: BTreeMap::new(),
    })
}

/// Plans the redaction of `erased` in `seg`, whose data checksum is
/// `crc`: values, liveness, labels, relationship ends and adjacency
/// entries. `current(kind, chunk)` says whether the segment holds the
/// current version of a node (`false`) or relationship (`true`) chunk; what
/// was alive there is counted into `removed`. `None` when the segment
/// holds nothing erased.
pub(crate) fn plan(
    segment: u64,
    seg: &OpenSegment,
    crc: u32,
    erased: &Erased,
    current: &dyn Fn(bool, u64) -> bool,
    removed: &mut Removed,
) -> Result<Option<ScrubPlan>> {
    let mut ov = overlay(seg)?;
    let footer_off = ov.data.len() as u64;
    let old_len = seg.bytes.bytes().len() as u64;
    let (nodes, rels) = (erased.node_locals(), erased.rel_locals());
    let mut footer = seg.footer.clone();
    let mut touched = false;
    for (c, dir) in footer.nodes.iter_mut() {
        let (own, near) = (nodes.get(c), erased.neighbours.get(c));
        if own.is_none() && near.is_none() {
            continue;
        }
        touched = true;
        if let Some(locals) = own {
            redact_columns(&mut ov, &mut dir.props, locals)?;
        }
        let count = current(false, *c).then_some(&mut *removed);
        redact_node_structure(&mut ov, dir, own, near, erased, count)?;
    }
    for (c, dir) in footer.rels.iter_mut() {
        if let Some(locals) = rels.get(c) {
            touched = true;
            redact_columns(&mut ov, &mut dir.props, locals)?;
            let count = current(true, *c).then_some(&mut *removed);
            redact_rel_structure(&mut ov, dir, locals, count)?;
        }
    }
    if !touched {
        return Ok(None);
    }
    let data = ov.data;
    let writes = ov.into_runs();
    if writes.is_empty() && footer == seg.footer {
        return Ok(None);
    }
    let new_crc = crc_after_writes(crc, data, &writes);
    let framed = encode_framed(&footer)?;
    let mut tail = framed.clone();
    tail.extend_from_slice(&footer_off.to_le_bytes());
    tail.extend_from_slice(&(framed.len() as u64).to_le_bytes());
    tail.extend_from_slice(&new_crc.to_le_bytes());
    tail.extend_from_slice(SEGMENT_MAGIC);
    Ok(Some(ScrubPlan {
        segment,
        writes,
        tail_off: footer_off,
        new_len: footer_off + tail.len() as u64,
        tail,
        old_len,
        new_crc,
    }))
}

/// Applies `plan` to the bytes of a whole segment held in memory.
pub(crate) fn apply_in_memory(bytes: &mut Vec<u8>, plan: &ScrubPlan) {
    for (off, run) in &plan.writes {
        let (a, b) = (*off as usize, *off as usize + run.len());
        if let Some(r) = bytes.get_mut(a..b) {
            r.copy_from_slice(run);
        }
    }
    bytes.resize(plan.tail_off as usize, 0);
    bytes.extend_from_slice(&plan.tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_update_matches_a_full_hash() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let crc = crc32fast::hash(&data);
        let writes = vec![
            (5u64, vec![0u8; 27]),
            (70_000, vec![0xAB; 100_000]),
            (299_990, vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        ];
        let mut patched = data.clone();
        for (o, w) in &writes {
            patched[*o as usize..*o as usize + w.len()].copy_from_slice(w);
        }
        assert_eq!(
            crc_after_writes(crc, &data, &writes),
            crc32fast::hash(&patched)
        );
        assert_eq!(crc_after_writes(crc, &data, &[]), crc);
    }
}
