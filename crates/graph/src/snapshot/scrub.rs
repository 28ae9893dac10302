//! Planning the in-place redaction of erased entities' property values in
//! a segment file (erasure, docs/erasure.md).
//!
//! For every chunk of the segment (current or superseded) that holds an
//! erased node or relationship, the entity's value in every property
//! column is removed where it lies: its presence bit is cleared, its fixed
//! value or its text/encoded bytes are zeroed, its dictionary code becomes
//! "absent", and a dictionary string that only erased entities used is
//! blanked in the footer (which is rewritten). Nothing else changes: the
//! other entities' bytes, the arrays' places, ids and labels. An erased
//! entity reads as having no properties afterwards, which is what the log
//! replayed over the image then deletes. The data checksum is updated from
//! the changed bytes alone (CRC-32 is affine: `crc(a ^ b ^ c) = crc(a) ^
//! crc(b) ^ crc(c)` for equal lengths), so the cost is the person's, not
//! the file's; each changed array's own checksum (in the footer, which is
//! written again) is recomputed from its new bytes (one chunk's column).
//!
//! Only snapshots from before the erasure's delete read these bytes (a
//! deleted entity is never read again); the caller waits for them.

use std::collections::{BTreeMap, BTreeSet};

use super::column::DICT_ABSENT;
use super::segment::{Arr, ColumnDir, OpenSegment, SEGMENT_MAGIC, TRAILER_LEN};
use crate::error::{GraphError, Result};
use crate::store::format::{encode_framed, ScrubPlan};

/// New values of single bytes of the file, over its current bytes.
struct Overlay<'a> {
    data: &'a [u8],
    name: &'a str,
    bytes: BTreeMap<u64, u8>,
}

impl Overlay<'_> {
    fn damaged(&self, what: String) -> GraphError {
        GraphError::CorruptSegment {
            file: self.name.to_string(),
            reason: what,
        }
    }

    fn byte(&self, off: u64) -> Result<u8> {
        match self.bytes.get(&off) {
            Some(b) => Ok(*b),
            None => self
                .data
                .get(off as usize)
                .copied()
                .ok_or_else(|| self.damaged(format!("byte {off} is past the data region"))),
        }
    }

    fn set(&mut self, off: u64, b: u8) -> Result<()> {
        if off as usize >= self.data.len() {
            return Err(self.damaged(format!("byte {off} is past the data region")));
        }
        self.bytes.insert(off, b);
        Ok(())
    }

    fn zero(&mut self, off: u64, len: u64) -> Result<()> {
        for i in off..off.saturating_add(len) {
            self.set(i, 0)?;
        }
        Ok(())
    }

    /// Clears bit `l` of a bitmap of `u64` words (nothing if `l` is past it).
    fn clear_bit(&mut self, bitmap: Arr, l: u64) -> Result<()> {
        if l / 64 >= bitmap.len {
            return Ok(());
        }
        let off = bitmap.off + (l / 64) * 8 + (l % 64) / 8;
        let b = self.byte(off)?;
        self.set(off, b & !(1u8 << (l % 8)))
    }

    /// Element `i` of a `u32` array, as the file holds it.
    fn u32_at(&self, a: Arr, i: u64) -> Result<Option<u32>> {
        if i >= a.len {
            return Ok(None);
        }
        let off = a.off + 4 * i;
        let mut x = [0u8; 4];
        for (k, b) in x.iter_mut().enumerate() {
            *b = self.byte(off + k as u64)?;
        }
        Ok(Some(u32::from_le_bytes(x)))
    }

    /// The CRC-32 of `len` bytes at `off` as they will be.
    fn crc_of(&self, off: u64, len: u64) -> Result<u32> {
        let end = off.saturating_add(len);
        let old = self
            .data
            .get(off as usize..end as usize)
            .ok_or_else(|| self.damaged(format!("array at {off} is past the data region")))?;
        let mut new = old.to_vec();
        for (&o, &b) in self.bytes.range(off..end) {
            new[(o - off) as usize] = b;
        }
        Ok(crc32fast::hash(&new))
    }

    /// Whether any byte in `off .. off + len` changes.
    fn changes(&self, off: u64, len: u64) -> bool {
        self.bytes
            .range(off..off.saturating_add(len))
            .next()
            .is_some()
    }

    /// Runs of consecutive changed bytes.
    fn runs(&self) -> Vec<(u64, Vec<u8>)> {
        let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
        for (&off, &b) in &self.bytes {
            match out.last_mut() {
                Some((start, run)) if *start + run.len() as u64 == off => run.push(b),
                _ => out.push((off, vec![b])),
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
            ColumnDir::Bool { present, values } => {
                for &l in locals {
                    ov.clear_bit(*present, l)?;
                    ov.clear_bit(*values, l)?;
                }
            }
            ColumnDir::Dict { codes, dict } => {
                let mut dropped = BTreeSet::new();
                for &l in locals {
                    if let Some(code) = ov.u32_at(*codes, l)? {
                        if code != DICT_ABSENT {
                            dropped.insert(code);
                        }
                        for (k, b) in DICT_ABSENT.to_le_bytes().into_iter().enumerate() {
                            ov.set(codes.off + 4 * l + k as u64, b)?;
                        }
                    }
                }
                if dropped.is_empty() {
                    continue;
                }
                // Strings still used by an entity that stays are kept.
                for i in 0..codes.len {
                    if let Some(code) = ov.u32_at(*codes, i)? {
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

/// Plans the redaction of the node locals `nodes` and relationship locals
/// `rels` (by chunk) in `seg`, whose data checksum is `crc`; `None` when
/// the segment holds none of them.
pub(crate) fn plan(
    segment: u64,
    seg: &OpenSegment,
    crc: u32,
    nodes: &BTreeMap<u64, BTreeSet<u64>>,
    rels: &BTreeMap<u64, BTreeSet<u64>>,
) -> Result<Option<ScrubPlan>> {
    let bytes = seg.bytes.bytes();
    let old_len = bytes.len() as u64;
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
        .filter(|t| t.len() == TRAILER_LEN as usize && &t[20..28] == SEGMENT_MAGIC)
        .ok_or_else(|| damaged("no segment trailer"))?;
    let mut off = [0u8; 8];
    off.copy_from_slice(&t[..8]);
    let footer_off = u64::from_le_bytes(off);
    if footer_off > old_len {
        return Err(damaged("the trailer's footer offset is out of bounds"));
    }
    let data = &bytes[..footer_off as usize];
    let mut ov = Overlay {
        data,
        name: &seg.name,
        bytes: BTreeMap::new(),
    };
    let mut footer = seg.footer.clone();
    let mut touched = false;
    for (c, dir) in footer.nodes.iter_mut() {
        if let Some(locals) = nodes.get(c) {
            touched = true;
            redact_columns(&mut ov, &mut dir.props, locals)?;
        }
    }
    for (c, dir) in footer.rels.iter_mut() {
        if let Some(locals) = rels.get(c) {
            touched = true;
            redact_columns(&mut ov, &mut dir.props, locals)?;
        }
    }
    if !touched {
        return Ok(None);
    }
    let writes = ov.runs();
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
