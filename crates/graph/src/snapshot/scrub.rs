//! Planning the in-place removal of superseded chunks from a segment file
//! (erasure, docs/erasure.md).
//!
//! A segment is immutable while a manifest names it *as far as its
//! current chunks go*; a chunk that a newer segment replaced is never read
//! again by a snapshot built after that replacement. Erasure zeroes the
//! arrays of such chunks in place and replaces the footer by one without
//! their directories (the footer holds the string dictionaries). The data
//! checksum is updated from the zeroed bytes alone (CRC-32 is affine:
//! `crc(a ^ b ^ c) = crc(a) ^ crc(b) ^ crc(c)` for equal lengths), so the
//! cost is the size of the removed chunks, not of the file.

use std::collections::BTreeSet;

use super::segment::{
    Arr, ColumnDir, NodeChunkDir, OpenSegment, RelChunkDir, SegmentFooter, SEGMENT_MAGIC,
    TRAILER_LEN,
};
use crate::error::{GraphError, Result};
use crate::store::format::{encode_framed, ScrubPlan};

/// Byte ranges `(offset, length)` of a node chunk's arrays.
fn node_ranges(d: &NodeChunkDir, out: &mut Vec<(u64, u64)>) {
    let mut add = |a: Arr, size: u64| out.push((a.off, a.len.saturating_mul(size)));
    add(d.alive, 8);
    add(d.label_offsets, 4);
    add(d.label_data, 4);
    for (_, a) in &d.label_bits {
        add(*a, 8);
    }
    for (_, _, offsets, entries) in &d.adj {
        add(*offsets, 4);
        add(*entries, 16);
    }
    for (_, c) in &d.props {
        column_ranges(c, out);
    }
}

fn rel_ranges(d: &RelChunkDir, out: &mut Vec<(u64, u64)>) {
    let mut add = |a: Arr, size: u64| out.push((a.off, a.len.saturating_mul(size)));
    add(d.alive, 8);
    add(d.rel_type, 4);
    add(d.src, 8);
    add(d.dst, 8);
    for (_, c) in &d.props {
        column_ranges(c, out);
    }
}

fn column_ranges(c: &ColumnDir, out: &mut Vec<(u64, u64)>) {
    let mut add = |a: Arr, size: u64| out.push((a.off, a.len.saturating_mul(size)));
    match c {
        ColumnDir::Int { present, values } | ColumnDir::Float { present, values } => {
            add(*present, 8);
            add(*values, 8);
        }
        ColumnDir::Bool { present, values } => {
            add(*present, 8);
            add(*values, 8);
        }
        ColumnDir::Date { present, values } => {
            add(*present, 8);
            add(*values, 4);
        }
        ColumnDir::Dict { codes, .. } => add(*codes, 4),
        ColumnDir::Text {
            present,
            offsets,
            bytes,
        } => {
            add(*present, 8);
            add(*offsets, 4);
            add(*bytes, 1);
        }
        ColumnDir::Encoded { offsets, bytes } => {
            add(*offsets, 4);
            add(*bytes, 1);
        }
    }
}

/// Sorts ranges, drops empty ones and merges overlapping or touching ones.
fn merge(mut ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    ranges.retain(|r| r.1 > 0);
    ranges.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (off, len) in ranges {
        let end = off.saturating_add(len);
        match out.last_mut() {
            Some((o, l)) if *o + *l >= off => *l = (*l).max(end - *o),
            _ => out.push((off, len)),
        }
    }
    out
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

/// The data checksum after zeroing `ranges` (sorted, disjoint, inside
/// `data`) of `data`, whose checksum is `crc`: reads only the ranges.
pub(crate) fn crc_after_zeroing(crc: u32, data: &[u8], ranges: &[(u64, u64)]) -> u32 {
    let n = data.len() as u64;
    // crc(data with ranges zeroed) = crc(data) ^ crc(delta) ^ crc(zeros),
    // delta being the old bytes of the ranges and zeros elsewhere.
    let mut delta = crc32fast::Hasher::new();
    let mut pos = 0u64;
    for &(off, len) in ranges {
        delta.combine(&zeros(off - pos));
        delta.update(&data[off as usize..(off + len) as usize]);
        pos = off + len;
    }
    delta.combine(&zeros(n - pos));
    crc ^ delta.finalize() ^ zeros(n).finalize()
}

/// Plans the removal of the node chunks `nodes` and relationship chunks
/// `rels` from `seg` (whose data checksum is `crc`); `None` when it holds
/// none of them. The caller guarantees that no snapshot still reads them.
pub(crate) fn plan(
    segment: u64,
    seg: &OpenSegment,
    crc: u32,
    nodes: &BTreeSet<u64>,
    rels: &BTreeSet<u64>,
) -> Result<Option<ScrubPlan>> {
    let footer = &seg.footer;
    let mut ranges = Vec::new();
    let mut kept = SegmentFooter::default();
    for (c, d) in &footer.nodes {
        if nodes.contains(c) {
            node_ranges(d, &mut ranges);
        } else {
            kept.nodes.push((*c, d.clone()));
        }
    }
    for (c, d) in &footer.rels {
        if rels.contains(c) {
            rel_ranges(d, &mut ranges);
        } else {
            kept.rels.push((*c, d.clone()));
        }
    }
    if kept.nodes.len() == footer.nodes.len() && kept.rels.len() == footer.rels.len() {
        return Ok(None);
    }
    let bytes = seg.bytes.bytes();
    let old_len = bytes.len() as u64;
    let damaged = |reason: String| GraphError::CorruptSegment {
        file: seg.name.clone(),
        reason,
    };
    let t = bytes
        .get(bytes.len().saturating_sub(TRAILER_LEN as usize)..)
        .filter(|t| t.len() == TRAILER_LEN as usize && &t[20..28] == SEGMENT_MAGIC)
        .ok_or_else(|| damaged("no segment trailer".into()))?;
    let mut off = [0u8; 8];
    off.copy_from_slice(&t[..8]);
    let footer_off = u64::from_le_bytes(off);
    if footer_off > old_len {
        return Err(damaged(
            "the trailer's footer offset is out of bounds".into(),
        ));
    }
    let ranges = merge(ranges);
    if let Some((o, l)) = ranges.iter().find(|(o, l)| o + l > footer_off) {
        return Err(damaged(format!(
            "an array at {o} of {l} bytes reaches past the data region"
        )));
    }
    let new_crc = crc_after_zeroing(crc, &bytes[..footer_off as usize], &ranges);
    let framed = encode_framed(&kept)?;
    let mut tail = framed.clone();
    tail.extend_from_slice(&footer_off.to_le_bytes());
    tail.extend_from_slice(&(framed.len() as u64).to_le_bytes());
    tail.extend_from_slice(&new_crc.to_le_bytes());
    tail.extend_from_slice(SEGMENT_MAGIC);
    Ok(Some(ScrubPlan {
        segment,
        zero: ranges,
        tail_off: footer_off,
        new_len: footer_off + tail.len() as u64,
        tail,
        old_len,
        new_crc,
    }))
}

/// Applies `plan` to the bytes of a whole segment held in memory.
pub(crate) fn apply_in_memory(bytes: &mut Vec<u8>, plan: &ScrubPlan) {
    for &(off, len) in &plan.zero {
        let end = ((off + len) as usize).min(bytes.len());
        if let Some(r) = bytes.get_mut(off as usize..end) {
            r.fill(0);
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
        let ranges = merge(vec![(5, 10), (12, 20), (70_000, 100_000), (299_990, 10)]);
        assert_eq!(ranges, vec![(5, 27), (70_000, 100_000), (299_990, 10)]);
        let mut zeroed = data.clone();
        for (o, l) in &ranges {
            zeroed[*o as usize..(*o + *l) as usize].fill(0);
        }
        assert_eq!(
            crc_after_zeroing(crc, &data, &ranges),
            crc32fast::hash(&zeroed)
        );
        assert_eq!(crc_after_zeroing(crc, &data, &[]), crc);
    }
}
