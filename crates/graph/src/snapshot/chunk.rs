//! Chunk storage: fixed-size blocks of consecutive node or relationship ids.
//!
//! A chunk is a small struct of `Arc`s to its parts (liveness and labels,
//! one column per property key, one CSR list per relationship type and
//! direction), so a rebuilt chunk shares every part a change did not touch
//! with the chunk it replaces.

use std::borrow::Cow;
use std::sync::Arc;

use crate::ids::{LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::{Scalar, Value};

use super::adj::{AdjSlice, Entries, Ids, Types, HOLE32};
use super::buf::Buf;
use super::column::{StrTest, TypedColumn};
use super::Adj;

/// log2 of the number of node ids per chunk.
pub(crate) const NODE_CHUNK_BITS: u32 = 12;
/// Node ids per chunk.
pub(crate) const NODE_CHUNK: u64 = 1 << NODE_CHUNK_BITS;
/// log2 of the number of relationship ids per chunk.
pub(crate) const REL_CHUNK_BITS: u32 = 12;
/// Relationship ids per chunk.
pub(crate) const REL_CHUNK: u64 = 1 << REL_CHUNK_BITS;

/// Splits a node id into (chunk index, local offset).
#[inline]
pub(crate) fn node_pos(n: u64) -> (usize, usize) {
    (
        (n >> NODE_CHUNK_BITS) as usize,
        (n & (NODE_CHUNK - 1)) as usize,
    )
}

/// Splits a relationship id into (chunk index, local offset).
#[inline]
pub(crate) fn rel_pos(r: u64) -> (usize, usize) {
    (
        (r >> REL_CHUNK_BITS) as usize,
        (r & (REL_CHUNK - 1)) as usize,
    )
}

/// A fixed-capacity bitset over the local offsets of one chunk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Buf<u64>,
}

impl Bits {
    /// An empty bitset able to hold `capacity` bits.
    pub(crate) fn with_capacity(capacity: usize) -> Bits {
        Bits {
            words: vec![0; capacity.div_ceil(64)].into(),
        }
    }

    /// A bitset over existing words (read in place from a segment).
    pub(crate) fn from_words(words: Buf<u64>) -> Bits {
        Bits { words }
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }

    /// Sets or clears bit `i`, growing the set when needed.
    pub(crate) fn put(&mut self, i: usize, on: bool) {
        if i / 64 >= self.words.len() && !on {
            return;
        }
        self.words.update(|words| {
            if i / 64 >= words.len() {
                words.resize(i / 64 + 1, 0);
            }
            if on {
                words[i / 64] |= 1u64 << (i % 64);
            } else {
                words[i / 64] &= !(1u64 << (i % 64));
            }
        });
    }

    pub(crate) fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// The position of the `rank`-th set bit (from 0), if there are that many.
    pub(crate) fn select(&self, rank: u64) -> Option<usize> {
        let mut left = rank;
        for (wi, &w) in self.words().iter().enumerate() {
            let ones = u64::from(w.count_ones());
            if left < ones {
                let mut w = w;
                for _ in 0..left {
                    w &= w - 1;
                }
                return Some(wi * 64 + w.trailing_zeros() as usize);
            }
            left -= ones;
        }
        None
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// Set bits in `lo..hi`, ascending.
    pub(crate) fn ones(&self, lo: usize, hi: usize) -> Ones<'_> {
        let hi = hi.min(self.words.len() * 64);
        let mut it = Ones {
            words: &self.words,
            word: lo / 64,
            cur: 0,
            hi,
        };
        if lo < hi {
            it.cur = self.words[lo / 64] & (!0u64 << (lo % 64));
        } else {
            it.word = self.words.len();
        }
        it
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.heap_bytes()
    }
}

/// Iterator over set bits of a [`Bits`].
pub(crate) struct Ones<'a> {
    words: &'a [u64],
    word: usize,
    cur: u64,
    hi: usize,
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.word >= self.words.len() {
                return None;
            }
            if self.cur != 0 {
                let i = self.word * 64 + self.cur.trailing_zeros() as usize;
                if i >= self.hi {
                    self.word = self.words.len();
                    return None;
                }
                self.cur &= self.cur - 1;
                return Some(i);
            }
            self.word += 1;
            if self.word * 64 >= self.hi || self.word >= self.words.len() {
                self.word = self.words.len();
                return None;
            }
            self.cur = self.words[self.word];
        }
    }
}

/// The values of one property key within one chunk. Dense columns index by
/// local offset (`Null` marks absence); sparse ones keep sorted offsets;
/// typed columns are read in place from a segment (see `column.rs`).
/// Writes rebuild a touched column as dense or sparse on the heap.
#[derive(Clone, Debug)]
pub(crate) enum Column {
    Dense(Vec<Value>),
    Sparse {
        locals: Vec<u32>,
        values: Vec<Value>,
    },
    Typed(TypedColumn),
}

impl Column {
    /// Builds a column from entries sorted by local offset without nulls;
    /// `None` when there are none. A column is dense when at least a quarter
    /// of the offsets up to its last entry are present.
    pub(crate) fn from_sorted(entries: Vec<(u32, Value)>) -> Option<Column> {
        let last = entries.last()?.0 as usize;
        if entries.len() * 4 > last {
            let mut dense = vec![Value::Null; last + 1];
            for (l, v) in entries {
                dense[l as usize] = v;
            }
            Some(Column::Dense(dense))
        } else {
            let (locals, values) = entries.into_iter().unzip();
            Some(Column::Sparse { locals, values })
        }
    }

    #[inline]
    pub(crate) fn get(&self, local: usize) -> Option<Cow<'_, Value>> {
        match self {
            Column::Dense(v) => v.get(local).filter(|v| !v.is_null()).map(Cow::Borrowed),
            Column::Sparse { locals, values } => locals
                .binary_search(&(local as u32))
                .ok()
                .map(|i| Cow::Borrowed(&values[i])),
            Column::Typed(t) => t.get(local),
        }
    }

    /// [`Column::get`] as an owned value, `Null` when absent: built in
    /// place for the caller (a read per row of a property, where the
    /// layers of `Option<Cow<_>>` cost more than the read).
    #[inline]
    pub(crate) fn value(&self, local: usize) -> Value {
        match self {
            Column::Dense(v) => v.get(local).cloned().unwrap_or(Value::Null),
            Column::Sparse { locals, values } => match locals.binary_search(&(local as u32)) {
                Ok(i) => values[i].clone(),
                Err(_) => Value::Null,
            },
            Column::Typed(t) => t.value(local),
        }
    }

    /// The values of `nodes` (all of this column's chunk) appended to
    /// `out` as scalars; false (with `out` as it was) where a value is not
    /// a scalar.
    pub(crate) fn scalars(&self, nodes: &[NodeId], out: &mut Vec<Scalar>) -> bool {
        match self {
            Column::Typed(t) => t.scalars(nodes, out),
            _ => super::column::scalars_of(nodes.iter().map(|n| self.value(node_pos(n.0).1)), out),
        }
    }

    /// Whether the value at `local` is the string `s`, where the stored
    /// bytes tell ([`super::StrEq`]).
    pub(crate) fn equals_str(&self, local: usize, s: &str) -> super::StrEq {
        match self {
            Column::Typed(t) => t.equals_str(local, s),
            _ => super::StrEq::Unknown,
        }
    }

    /// [`TypedColumn::str_test`] of a typed column; [`StrTest::Unknown`]
    /// for the others.
    pub(crate) fn str_test<'c, 's>(&'c self, s: &'s str) -> StrTest<'c, 's> {
        match self {
            Column::Typed(t) => t.str_test(s),
            _ => StrTest::Unknown,
        }
    }

    /// [`TypedColumn::retain_str_eq`] of a typed column; false (nothing
    /// kept or dropped) for the others.
    pub(crate) fn retain_str_eq(&self, locals: &mut Vec<u32>, s: &str) -> bool {
        match self {
            Column::Typed(t) => t.retain_str_eq(locals, s),
            _ => false,
        }
    }

    /// The value at `local` as a [`super::PropStr`], a string borrowed
    /// where it lies.
    pub(crate) fn str_at(&self, local: usize) -> super::PropStr<'_> {
        match self {
            Column::Typed(t) => t.str_at(local),
            _ => super::PropStr::of(self.get(local)),
        }
    }

    /// The locals in `lo..hi` that are set in `among` and hold a value,
    /// ascending, appended to `out`, without building any value: a sparse
    /// column walks its entries and a presence bitmap is intersected with
    /// `among` a word at a time, so a rare property costs about a bit per
    /// entity.
    pub(crate) fn present_among(&self, among: &Bits, lo: usize, hi: usize, out: &mut Vec<u32>) {
        match self {
            Column::Sparse { locals, .. } => {
                let from = locals.partition_point(|&l| (l as usize) < lo);
                out.extend(
                    locals[from..]
                        .iter()
                        .take_while(|&&l| (l as usize) < hi)
                        .filter(|&&l| among.get(l as usize)),
                );
            }
            Column::Typed(t) => match t.present() {
                Some(present) => {
                    let (a, p) = (among.words(), present.words());
                    let hi = hi.min(a.len().min(p.len()) * 64);
                    let mut w = lo / 64;
                    while w * 64 < hi {
                        let mut bits = a[w] & p[w];
                        if w == lo / 64 {
                            bits &= !0u64 << (lo % 64);
                        }
                        while bits != 0 {
                            let i = w * 64 + bits.trailing_zeros() as usize;
                            if i >= hi {
                                break;
                            }
                            out.push(i as u32);
                            bits &= bits - 1;
                        }
                        w += 1;
                    }
                }
                None => out.extend(among.ones(lo, hi).filter(|&l| t.has(l)).map(|l| l as u32)),
            },
            Column::Dense(v) => out.extend(
                among
                    .ones(lo, hi)
                    .filter(|&l| v.get(l).is_some_and(|x| !x.is_null()))
                    .map(|l| l as u32),
            ),
        }
    }

    /// Present entries, ascending by local offset.
    pub(crate) fn entries(&self) -> Box<dyn Iterator<Item = (u32, Cow<'_, Value>)> + '_> {
        match self {
            Column::Dense(v) => Box::new(
                v.iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(i, v)| (i as u32, Cow::Borrowed(v))),
            ),
            Column::Sparse { locals, values } => {
                Box::new(locals.iter().copied().zip(values.iter().map(Cow::Borrowed)))
            }
            Column::Typed(t) => Box::new(
                (0..t.locals() as u32).filter_map(move |l| t.get(l as usize).map(|v| (l, v))),
            ),
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let v = std::mem::size_of::<Value>();
        match self {
            Column::Dense(d) => d.capacity() * v,
            Column::Sparse { locals, values } => locals.capacity() * 4 + values.capacity() * v,
            Column::Typed(t) => t.heap_bytes(),
        }
    }
}

/// Property columns of a chunk, sorted by key.
pub(crate) type Columns = Vec<(PropKeyId, Arc<Column>)>;

/// Looks up a property in a chunk's columns.
#[inline]
pub(crate) fn column_get(cols: &Columns, key: PropKeyId, local: usize) -> Option<Cow<'_, Value>> {
    column_of(cols, key).and_then(|c| c.get(local))
}

/// The value of `key` in a list sorted by key. A chunk's property
/// columns and adjacency lists are a few (one label's keys, the types its
/// nodes have), and a scan of a few compares independent keys where a
/// binary search waits on each probe before the next (cb07 at scale 450
/// spent 12% of its time in the search for a column).
#[inline]
pub(crate) fn find_sorted<K: Ord + Copy, V>(list: &[(K, V)], key: K) -> Option<&V> {
    const SCAN: usize = 16;
    if list.len() <= SCAN {
        return list.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
    }
    list.binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .map(|i| &list[i].1)
}

/// The column of `key` among a chunk's columns.
#[inline]
pub(crate) fn column_of(cols: &Columns, key: PropKeyId) -> Option<&Column> {
    find_sorted(cols, key).map(|c| &**c)
}

/// All properties of one entity, sorted by key.
pub(crate) fn column_props(cols: &Columns, local: usize) -> Vec<(PropKeyId, Value)> {
    cols.iter()
        .filter_map(|(k, c)| c.get(local).map(|v| (*k, v.into_owned())))
        .collect()
}

/// The new property state of the entities of one chunk that a change
/// touched: `(local, None)` for an entity that is dead afterwards, else its
/// whole property list sorted by key.
pub(crate) type PropEdits<'a> = [PropEdit<'a>];

/// One entry of [`PropEdits`].
pub(crate) type PropEdit<'a> = (u32, Option<&'a [(PropKeyId, Value)]>);

/// A node edit: local offset and the node's new state (`None`: dead).
pub(crate) type NodeEdit<'a> = (u32, Option<NodeView<'a>>);

/// A relationship edit: local offset and its new state (`None`: dead).
pub(crate) type RelEdit<'a> = (u32, Option<RelView<'a>>);

/// The adjacency lists of one chunk, sorted by key.
pub(crate) type AdjLists = Vec<(AdjKey, Arc<AdjList>)>;

/// Rebuilds property columns after edits (sorted by local). Columns no edit
/// touches are shared with `old`.
pub(crate) fn merge_columns<'a>(old: &Columns, edits: &PropEdits<'a>) -> Columns {
    if edits.is_empty() {
        return old.clone();
    }
    let mut keys: Vec<PropKeyId> = old.iter().map(|(k, _)| *k).collect();
    for (_, props) in edits {
        if let Some(props) = props {
            keys.extend(props.iter().map(|(k, _)| *k));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut out = Columns::with_capacity(keys.len());
    for key in keys {
        let old_col = old
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &old[i].1);
        let new_value = |props: &Option<&[(PropKeyId, Value)]>| -> Option<Value> {
            props.and_then(|p| {
                p.binary_search_by_key(&key, |(k, _)| *k)
                    .ok()
                    .map(|i| p[i].1.clone())
            })
        };
        let new_ref = |props: &Option<&'a [(PropKeyId, Value)]>| -> Option<&'a Value> {
            props.and_then(|p| {
                p.binary_search_by_key(&key, |(k, _)| *k)
                    .ok()
                    .map(|i| &p[i].1)
            })
        };
        // A column is rebuilt only when some edit changes its value.
        let touched = edits
            .iter()
            .any(|(l, p)| old_col.and_then(|c| c.get(*l as usize)).as_deref() != new_ref(p));
        if !touched {
            if let Some(c) = old_col {
                out.push((key, c.clone()));
            }
            continue;
        }
        if let Some(Column::Dense(dense)) = old_col.map(|c| &**c) {
            // Clone and overwrite: cheaper than re-merging entries.
            let mut v = dense.clone();
            for (l, p) in edits {
                let l = *l as usize;
                match new_ref(p) {
                    Some(nv) => {
                        if l >= v.len() {
                            v.resize(l + 1, Value::Null);
                        }
                        v[l] = nv.clone();
                    }
                    None if l < v.len() => v[l] = Value::Null,
                    None => {}
                }
            }
            while v.last().is_some_and(Value::is_null) {
                v.pop();
            }
            let present = v.iter().filter(|x| !x.is_null()).count();
            if present * 4 >= v.len() && present > 0 {
                out.push((key, Arc::new(Column::Dense(v))));
            } else if let Some(col) = Column::from_sorted(
                v.into_iter()
                    .enumerate()
                    .filter(|(_, x)| !x.is_null())
                    .map(|(i, x)| (i as u32, x))
                    .collect(),
            ) {
                out.push((key, Arc::new(col)));
            }
            continue;
        }
        // Merge the old entries with the edits, both ascending by local.
        let mut entries: Vec<(u32, Value)> = Vec::new();
        let mut ei = 0;
        let push_edits_below = |bound: u32, entries: &mut Vec<(u32, Value)>, ei: &mut usize| {
            while *ei < edits.len() && edits[*ei].0 < bound {
                if let Some(v) = new_value(&edits[*ei].1) {
                    entries.push((edits[*ei].0, v));
                }
                *ei += 1;
            }
        };
        if let Some(c) = old_col {
            for (l, v) in c.entries() {
                push_edits_below(l, &mut entries, &mut ei);
                if ei < edits.len() && edits[ei].0 == l {
                    continue; // replaced by the edit, emitted later
                }
                entries.push((l, v.into_owned()));
            }
        }
        push_edits_below(u32::MAX, &mut entries, &mut ei);
        if ei < edits.len() {
            if let Some(v) = new_value(&edits[ei].1) {
                entries.push((edits[ei].0, v));
            }
        }
        if let Some(col) = Column::from_sorted(entries) {
            out.push((key, Arc::new(col)));
        }
    }
    out
}

/// Liveness and labels of the nodes of one chunk.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeMeta {
    pub(crate) alive: Bits,
    /// CSR of labels: `label_data[label_offsets[l]..label_offsets[l + 1]]`,
    /// trimmed after the last node that has labels.
    pub(crate) label_offsets: Buf<u32>,
    pub(crate) label_data: Buf<LabelId>,
    /// Per-label membership bitmaps, sorted by label.
    pub(crate) label_bits: Vec<(LabelId, Bits)>,
}

impl NodeMeta {
    #[inline]
    pub(crate) fn labels(&self, local: usize) -> &[LabelId] {
        // One checked read of each array (see `Buf`'s `Deref`).
        let offsets: &[u32] = &self.label_offsets;
        match (offsets.get(local), offsets.get(local + 1)) {
            (Some(&a), Some(&b)) => self.label_data.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    pub(crate) fn label_bits(&self, l: LabelId) -> Option<&Bits> {
        find_sorted(&self.label_bits, l)
    }
}

/// Key of an adjacency list: relationship type and direction
/// (0 = outgoing, 1 = incoming).
pub(crate) type AdjKey = (RelTypeId, u8);

/// CSR adjacency of one chunk for one relationship type and direction.
#[derive(Clone, Debug, Default)]
pub(crate) struct AdjList {
    /// `entries[offsets[l]..offsets[l + 1]]` are the entries of local `l`;
    /// trimmed after the last node with entries.
    pub(crate) offsets: Buf<u32>,
    pub(crate) entries: Entries,
}

/// The bit of an adjacency offset `offsets[l + 1]` that says the list of
/// local `l` ends in [`HOLE`] entries (left by an erasure, which removes
/// entries in place: docs/storage-format.md). The other 31 bits are the
/// offset, so a chunk's list holds fewer than 2^31 entries.
pub(crate) const ENDS_IN_HOLES: u32 = 1 << 31;
/// The offset bits of an adjacency offset.
pub(crate) const OFFSET_BITS: u32 = ENDS_IN_HOLES - 1;
/// The most entries one chunk's adjacency list may hold.
pub(crate) const MAX_LIST_ENTRIES: u64 = OFFSET_BITS as u64;

/// An adjacency entry removed in place: no node or relationship has this
/// id, and it sorts after every real entry.
pub(crate) const HOLE: Adj = Adj {
    node: NodeId(u64::MAX),
    rel: RelId(u64::MAX),
};

impl AdjList {
    #[inline(always)]
    pub(crate) fn get(&self, local: usize) -> AdjSlice<'_> {
        // One checked read of each array (see `Buf`'s `Deref`).
        let offsets: &[u32] = &self.offsets;
        match (offsets.get(local), offsets.get(local + 1)) {
            // `get`: offsets read from a damaged segment never panic.
            (Some(&a), Some(&b)) => {
                let range = (a & OFFSET_BITS) as usize..(b & OFFSET_BITS) as usize;
                let list = self.entries.slice(range);
                if b & ENDS_IN_HOLES == 0 {
                    list
                } else {
                    without_holes(list)
                }
            }
            _ => AdjSlice::EMPTY,
        }
    }

    /// Number of locals covered by `offsets`.
    pub(crate) fn locals(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
}

/// `list` without its trailing holes (entries whose node is
/// [`HOLE`]'s, `u32::MAX` in a narrow list).
#[cold]
fn without_holes(list: AdjSlice<'_>) -> AdjSlice<'_> {
    let kept = list
        .iter()
        .rposition(|a| a != HOLE && a != HOLE32.wide())
        .map_or(0, |i| i + 1);
    list.prefix(kept)
}

/// Edits to one adjacency list: entries to insert and (local, rel) entries
/// to delete, both sorted.
#[derive(Debug, Default)]
pub(crate) struct AdjEdits {
    pub(crate) inserts: Vec<(u32, Adj)>,
    pub(crate) deletes: Vec<(u32, RelId)>,
}

/// Rebuilds one adjacency list; `None` when it ends up empty.
pub(crate) fn rebuild_adj(old: Option<&AdjList>, edits: &AdjEdits) -> Option<AdjList> {
    let old_locals = old.map_or(0, AdjList::locals);
    let last_insert = edits.inserts.last().map_or(0, |(l, _)| *l as usize + 1);
    let locals = old_locals.max(last_insert);
    let capacity = old.map_or(0, |o| o.entries.len()) + edits.inserts.len();
    let mut offsets = Vec::with_capacity(locals + 1);
    let mut entries: Vec<Adj> = Vec::with_capacity(capacity.saturating_sub(edits.deletes.len()));
    let (mut ii, mut di) = (0usize, 0usize);
    offsets.push(0u32);
    let mut last_nonempty = 0usize;
    for local in 0..locals {
        let start = entries.len();
        let old_slice = old.map_or(AdjSlice::EMPTY, |o| o.get(local));
        let d_start = di;
        while di < edits.deletes.len() && (edits.deletes[di].0 as usize) <= local {
            di += 1;
        }
        let deleted = &edits.deletes[d_start..di];
        let i_start = ii;
        while ii < edits.inserts.len() && (edits.inserts[ii].0 as usize) <= local {
            ii += 1;
        }
        let inserted = &edits.inserts[i_start..ii];
        if deleted.is_empty() {
            entries.extend(old_slice.iter());
        } else {
            entries.extend(old_slice.iter().filter(|a| {
                !deleted
                    .iter()
                    .any(|(l, r)| *l as usize == local && *r == a.rel)
            }));
        }
        if !inserted.is_empty() {
            let sorted_before = entries.len();
            entries.extend(
                inserted
                    .iter()
                    .filter(|(l, _)| *l as usize == local)
                    .map(|(_, a)| *a),
            );
            if sorted_before > start && sorted_before < entries.len() {
                // Both parts are sorted: a stable sort merges the two runs.
                entries[start..].sort();
            } else if sorted_before == start {
                entries[start..].sort_unstable();
            }
        }
        if entries.len() > start {
            last_nonempty = local + 1;
        }
        offsets.push(
            u32::try_from(entries.len())
                .ok()
                .filter(|n| *n <= OFFSET_BITS)
                .expect("invariant: a chunk's adjacency list holds fewer than 2^31 entries"),
        );
    }
    if entries.is_empty() {
        return None;
    }
    offsets.truncate(last_nonempty + 1);
    entries.shrink_to_fit();
    offsets.shrink_to_fit();
    Some(AdjList {
        offsets: offsets.into(),
        entries: entries.into(),
    })
}

/// Builds the adjacency lists of one chunk from scratch: a counting sort
/// by (list, local offset) lays out the CSR directly, and only each node's
/// own segment is sorted by `(node, rel)`.
pub(crate) fn build_adj_lists(entries: &[(AdjKey, u32, Adj)]) -> AdjLists {
    let mut keys: Vec<AdjKey> = Vec::new();
    let mut locals = 0usize;
    for (k, l, _) in entries {
        if keys.last() != Some(k) && !keys.contains(k) {
            keys.push(*k);
        }
        locals = locals.max(*l as usize + 1);
    }
    keys.sort_unstable();
    let stride = locals + 1;
    let key_index = |k: &AdjKey| {
        keys.binary_search(k)
            .expect("invariant: every entry's key was collected above")
    };
    // counts, then prefix sums: offsets[ki * stride + l] is where local l starts.
    let mut offsets = vec![0u32; keys.len() * stride];
    let mut totals = vec![0usize; keys.len()];
    for (k, l, _) in entries {
        let ki = key_index(k);
        offsets[ki * stride + *l as usize + 1] += 1;
        totals[ki] += 1;
    }
    for ki in 0..keys.len() {
        for l in 1..stride {
            offsets[ki * stride + l] += offsets[ki * stride + l - 1];
        }
    }
    let blank = Adj {
        node: NodeId(0),
        rel: RelId(0),
    };
    let mut lists: Vec<Vec<Adj>> = totals.iter().map(|t| vec![blank; *t]).collect();
    let mut cursor = offsets.clone();
    for (k, l, a) in entries {
        let ki = key_index(k);
        let pos = &mut cursor[ki * stride + *l as usize];
        lists[ki][*pos as usize] = *a;
        *pos += 1;
    }
    keys.iter()
        .zip(lists)
        .enumerate()
        .map(|(ki, (key, mut list))| {
            let offs = &offsets[ki * stride..(ki + 1) * stride];
            let mut last_nonempty = 0;
            for l in 0..locals {
                let (a, b) = (offs[l] as usize, offs[l + 1] as usize);
                if b > a {
                    list[a..b].sort_unstable();
                    last_nonempty = l + 1;
                }
            }
            let adj = AdjList {
                offsets: offs[..=last_nonempty].to_vec().into(),
                entries: list.into(),
            };
            (*key, Arc::new(adj))
        })
        .collect()
}

/// One chunk of node ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeChunk {
    pub(crate) meta: Arc<NodeMeta>,
    pub(crate) props: Columns,
    /// Adjacency lists, sorted by key.
    pub(crate) adj: AdjLists,
}

impl NodeChunk {
    #[inline]
    pub(crate) fn adj_list(&self, key: AdjKey) -> Option<&AdjList> {
        find_sorted(&self.adj, key).map(|a| &**a)
    }

    /// Relationships attached to `local` (self-loops counted twice).
    pub(crate) fn degree(&self, local: usize) -> u64 {
        self.adj
            .iter()
            .map(|(_, a)| a.get(local).len() as u64)
            .sum()
    }
}

/// The state of one node that a rebuild writes: `None` for dead.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeView<'a> {
    pub(crate) labels: &'a [LabelId],
    pub(crate) props: &'a [(PropKeyId, Value)],
}

/// Rebuilds a node chunk from `old` (or nothing), node edits sorted by local
/// (labels sorted and deduplicated, properties sorted by key without nulls)
/// and adjacency edits per list key.
pub(crate) fn rebuild_node_chunk(
    old: Option<&NodeChunk>,
    nodes: &[NodeEdit<'_>],
    adj: &[(AdjKey, AdjEdits)],
) -> NodeChunk {
    let empty = NodeChunk::default();
    let old = old.unwrap_or(&empty);
    // Property-only edits keep liveness and labels: share them.
    let meta_unchanged = nodes.iter().all(|(l, v)| {
        let l = *l as usize;
        old.meta.alive.get(l) == v.is_some()
            && old.meta.labels(l) == v.map_or(&[][..], |v| v.labels)
    });
    let meta = if meta_unchanged {
        old.meta.clone()
    } else {
        Arc::new(rebuild_meta(&old.meta, nodes))
    };
    let props = if nodes.is_empty() {
        old.props.clone()
    } else {
        let edits: Vec<PropEdit<'_>> = nodes
            .iter()
            .map(|(l, v)| (*l, v.map(|v| v.props)))
            .collect();
        merge_columns(&old.props, &edits)
    };
    let adj = if adj.is_empty() {
        old.adj.clone()
    } else {
        let mut out = Vec::with_capacity(old.adj.len() + adj.len());
        let (mut i, mut j) = (0, 0);
        while i < old.adj.len() || j < adj.len() {
            let take_old = j >= adj.len() || (i < old.adj.len() && old.adj[i].0 < adj[j].0);
            if take_old {
                out.push(old.adj[i].clone());
                i += 1;
                continue;
            }
            let key = adj[j].0;
            let prev = if i < old.adj.len() && old.adj[i].0 == key {
                i += 1;
                Some(&*old.adj[i - 1].1)
            } else {
                None
            };
            if let Some(list) = rebuild_adj(prev, &adj[j].1) {
                out.push((key, Arc::new(list)));
            }
            j += 1;
        }
        out
    };
    NodeChunk { meta, props, adj }
}

fn rebuild_meta(old: &NodeMeta, nodes: &[NodeEdit<'_>]) -> NodeMeta {
    let mut alive = old.alive.clone();
    if alive.words().is_empty() {
        alive = Bits::with_capacity(NODE_CHUNK as usize);
    }
    for (l, v) in nodes {
        alive.put(*l as usize, v.is_some());
    }
    let old_locals = old.label_offsets.len().saturating_sub(1);
    let locals = old_locals.max(nodes.last().map_or(0, |(l, _)| *l as usize + 1));
    let mut label_offsets = Vec::with_capacity(locals + 1);
    let mut label_data = Vec::with_capacity(old.label_data.len() + nodes.len());
    label_offsets.push(0u32);
    let mut ni = 0;
    let mut last_nonempty = 0;
    for local in 0..locals {
        let labels = if ni < nodes.len() && nodes[ni].0 as usize == local {
            ni += 1;
            nodes[ni - 1].1.map_or(&[][..], |v| v.labels)
        } else {
            old.labels(local)
        };
        label_data.extend_from_slice(labels);
        if !labels.is_empty() {
            last_nonempty = local + 1;
        }
        label_offsets.push(label_data.len() as u32);
    }
    label_offsets.truncate(last_nonempty + 1);
    let mut label_bits: Vec<(LabelId, Bits)> = Vec::new();
    for local in 0..last_nonempty {
        let (a, b) = (
            label_offsets[local] as usize,
            label_offsets[local + 1] as usize,
        );
        for l in &label_data[a..b] {
            let i = match label_bits.binary_search_by_key(l, |(k, _)| *k) {
                Ok(i) => i,
                Err(i) => {
                    label_bits.insert(i, (*l, Bits::with_capacity(NODE_CHUNK as usize)));
                    i
                }
            };
            label_bits[i].1.put(local, true);
        }
    }
    label_data.shrink_to_fit();
    NodeMeta {
        alive,
        label_offsets: label_offsets.into(),
        label_data: label_data.into(),
        label_bits,
    }
}

/// Identity and endpoints of the relationships of one chunk.
#[derive(Clone, Debug, Default)]
pub(crate) struct RelEnds {
    pub(crate) alive: Bits,
    pub(crate) rel_type: Types,
    pub(crate) src: Ids,
    pub(crate) dst: Ids,
}

impl RelEnds {
    /// Type, start and end of local `l` if it is live. Reads with `get`:
    /// arrays from a damaged segment may be shorter than the liveness
    /// bitmap says, and that must not panic.
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<(RelTypeId, NodeId, NodeId)> {
        if !self.alive.get(l) {
            return None;
        }
        Some((self.rel_type.get(l)?, self.src.get(l)?, self.dst.get(l)?))
    }
}

/// One chunk of relationship ids.
#[derive(Clone, Debug, Default)]
pub(crate) struct RelChunk {
    pub(crate) ends: Arc<RelEnds>,
    pub(crate) props: Columns,
}

/// The state of one relationship that a rebuild writes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RelView<'a> {
    pub(crate) rel_type: RelTypeId,
    pub(crate) src: NodeId,
    pub(crate) dst: NodeId,
    pub(crate) props: &'a [(PropKeyId, Value)],
}

/// Rebuilds a relationship chunk from `old` and edits sorted by local.
pub(crate) fn rebuild_rel_chunk(old: Option<&RelChunk>, rels: &[RelEdit<'_>]) -> RelChunk {
    let empty = RelChunk::default();
    let old = old.unwrap_or(&empty);
    if rels.is_empty() {
        return old.clone();
    }
    let mut ends = (*old.ends).clone();
    if ends.alive.words().is_empty() {
        ends.alive = Bits::with_capacity(REL_CHUNK as usize);
    }
    let need = rels.last().map_or(0, |(l, _)| *l as usize + 1);
    let stored = ends.src.stored_len();
    ends.rel_type.update(&ends.alive, stored, |v| {
        if v.len() < need {
            v.resize(need, RelTypeId(0));
        }
        // A deleted relationship keeps no type or ends (erasure relies on
        // a folded delete leaving none in the new chunk).
        for (l, r) in rels {
            v[*l as usize] = r.map_or(RelTypeId(0), |r| r.rel_type);
        }
    });
    for (arr, end) in [(&mut ends.src, 0), (&mut ends.dst, 1)] {
        arr.update(|v| {
            if v.len() < need {
                v.resize(need, NodeId(0));
            }
            for (l, r) in rels {
                v[*l as usize] = match r {
                    Some(r) if end == 0 => r.src,
                    Some(r) => r.dst,
                    None => NodeId(0),
                };
            }
        });
    }
    for (l, v) in rels {
        ends.alive.put(*l as usize, v.is_some());
    }
    let edits: Vec<PropEdit<'_>> = rels.iter().map(|(l, v)| (*l, v.map(|v| v.props))).collect();
    RelChunk {
        ends: Arc::new(ends),
        props: merge_columns(&old.props, &edits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key is found, or not, the same way in a short list (scanned) and
    /// a long one (searched), at every place.
    #[test]
    fn find_sorted_scans_short_lists_and_searches_long_ones() {
        for len in [0usize, 1, 2, 15, 16, 17, 40] {
            let list: Vec<(u32, usize)> = (0..len).map(|i| (3 * i as u32 + 1, i)).collect();
            for key in 0..(3 * len as u32 + 3) {
                let want = list.iter().position(|(k, _)| *k == key);
                assert_eq!(
                    find_sorted(&list, key).copied(),
                    want,
                    "len {len}, key {key}"
                );
            }
        }
    }

    /// A list whose end offset carries [`ENDS_IN_HOLES`] reads without its
    /// trailing holes; the next list starts at the masked offset; a
    /// rebuild writes the lists without holes or flags.
    #[test]
    fn lists_that_end_in_holes_read_without_them() {
        let a = |n: u64, r: u64| Adj {
            node: NodeId(n),
            rel: RelId(r),
        };
        let list = AdjList {
            offsets: vec![0, 3 | ENDS_IN_HOLES, 5, 6 | ENDS_IN_HOLES].into(),
            entries: vec![a(1, 10), a(2, 11), HOLE, a(3, 12), a(4, 13), HOLE].into(),
        };
        assert_eq!(list.get(0), &[a(1, 10), a(2, 11)]);
        assert_eq!(list.get(1), &[a(3, 12), a(4, 13)]);
        assert!(list.get(2).is_empty());
        assert!(list.get(3).is_empty());
        let rebuilt = rebuild_adj(
            Some(&list),
            &AdjEdits {
                inserts: vec![(2, a(5, 14))],
                deletes: vec![(1, RelId(13))],
            },
        )
        .expect("entries remain");
        let offsets: &[u32] = &rebuilt.offsets;
        let entries = rebuilt.entries.slice(0..rebuilt.entries.len());
        assert_eq!(offsets, &[0, 2, 3, 4]);
        assert_eq!(entries, &[a(1, 10), a(2, 11), a(3, 12), a(5, 14)]);
    }

    #[test]
    fn ones_respects_bounds() {
        let mut b = Bits::with_capacity(256);
        for i in [0, 1, 63, 64, 65, 130, 255] {
            b.put(i, true);
        }
        assert_eq!(
            b.ones(0, 256).collect::<Vec<_>>(),
            vec![0, 1, 63, 64, 65, 130, 255]
        );
        assert_eq!(b.ones(1, 65).collect::<Vec<_>>(), vec![1, 63, 64]);
        assert_eq!(b.ones(66, 130).count(), 0);
        assert_eq!(b.ones(130, 131).collect::<Vec<_>>(), vec![130]);
        assert_eq!(b.ones(200, 100).count(), 0);
        assert_eq!(b.count(), 7);
    }

    #[test]
    fn column_density_choice_and_merge() {
        let dense = Column::from_sorted(vec![(0, Value::Int(1)), (1, Value::Int(2))]).unwrap();
        assert!(matches!(dense, Column::Dense(_)));
        let sparse = Column::from_sorted(vec![(0, Value::Int(1)), (4000, Value::Int(2))]).unwrap();
        assert!(matches!(sparse, Column::Sparse { .. }));
        assert_eq!(sparse.get(4000).as_deref(), Some(&Value::Int(2)));
        assert_eq!(sparse.get(3).as_deref(), None);
        let cols: Columns = vec![(PropKeyId(0), Arc::new(sparse))];
        let p1 = [(PropKeyId(0), Value::Int(9)), (PropKeyId(1), Value::Int(5))];
        let merged = merge_columns(&cols, &[(0, None), (10, Some(&p1[..]))]);
        assert_eq!(column_get(&merged, PropKeyId(0), 0).as_deref(), None);
        assert_eq!(
            column_get(&merged, PropKeyId(0), 10).as_deref(),
            Some(&Value::Int(9))
        );
        assert_eq!(
            column_get(&merged, PropKeyId(0), 4000).as_deref(),
            Some(&Value::Int(2))
        );
        assert_eq!(
            column_get(&merged, PropKeyId(1), 10).as_deref(),
            Some(&Value::Int(5))
        );
    }

    #[test]
    fn dense_column_edits_share_untouched_and_turn_sparse() {
        let entries: Vec<(u32, Value)> = (0..8).map(|i| (i, Value::Int(i as i64))).collect();
        let cols: Columns = vec![
            (
                PropKeyId(0),
                Arc::new(Column::from_sorted(entries.clone()).unwrap()),
            ),
            (
                PropKeyId(1),
                Arc::new(Column::from_sorted(entries).unwrap()),
            ),
        ];
        // Rewriting node 3 with its current values changes no column.
        let same = [(PropKeyId(0), Value::Int(3)), (PropKeyId(1), Value::Int(3))];
        let merged = merge_columns(&cols, &[(3, Some(&same[..]))]);
        assert!(Arc::ptr_eq(&merged[0].1, &cols[0].1) && Arc::ptr_eq(&merged[1].1, &cols[1].1));
        // Changing key 0 only rebuilds column 0.
        let changed = [
            (PropKeyId(0), Value::Int(30)),
            (PropKeyId(1), Value::Int(3)),
        ];
        let merged = merge_columns(&cols, &[(3, Some(&changed[..]))]);
        assert!(!Arc::ptr_eq(&merged[0].1, &cols[0].1) && Arc::ptr_eq(&merged[1].1, &cols[1].1));
        assert_eq!(
            column_get(&merged, PropKeyId(0), 3).as_deref(),
            Some(&Value::Int(30))
        );
        // Removing most values makes the column sparse; removing all drops it.
        let edits: Vec<PropEdit<'_>> = (0..7).map(|l| (l, None)).collect();
        let merged = merge_columns(&cols, &edits);
        assert!(matches!(*merged[0].1, Column::Sparse { .. }));
        assert_eq!(
            column_get(&merged, PropKeyId(0), 7).as_deref(),
            Some(&Value::Int(7))
        );
        assert_eq!(column_get(&merged, PropKeyId(0), 0).as_deref(), None);
        let edits: Vec<PropEdit<'_>> = (0..8).map(|l| (l, None)).collect();
        assert!(merge_columns(&cols, &edits).is_empty());
    }

    #[test]
    fn direct_build_equals_incremental_build() {
        let a = |n: u64, r: u64| Adj {
            node: NodeId(n),
            rel: RelId(r),
        };
        let t = |x: u32, d: u8| (RelTypeId(x), d);
        let entries = vec![
            (t(1, 0), 5, a(9, 1)),
            (t(0, 1), 0, a(3, 2)),
            (t(1, 0), 5, a(2, 3)),
            (t(1, 0), 0, a(2, 4)),
            (t(0, 1), 7, a(1, 5)),
            (t(1, 0), 5, a(2, 0)),
        ];
        let direct = build_adj_lists(&entries);
        assert_eq!(
            direct.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            vec![t(0, 1), t(1, 0)]
        );
        for (key, list) in &direct {
            let mut inserts: Vec<(u32, Adj)> = entries
                .iter()
                .filter(|(k, _, _)| k == key)
                .map(|(_, l, a)| (*l, *a))
                .collect();
            inserts.sort();
            let incremental = rebuild_adj(
                None,
                &AdjEdits {
                    inserts,
                    deletes: vec![],
                },
            )
            .unwrap();
            assert_eq!(list.offsets, incremental.offsets);
            assert_eq!(list.entries, incremental.entries);
        }
        assert_eq!(direct[1].1.get(5), &[a(2, 0), a(2, 3), a(9, 1)]);
    }

    #[test]
    fn adjacency_rebuild_merges_and_deletes() {
        let a = |n: u64, r: u64| Adj {
            node: NodeId(n),
            rel: RelId(r),
        };
        let first = rebuild_adj(
            None,
            &AdjEdits {
                inserts: vec![(0, a(5, 1)), (0, a(3, 2)), (2, a(1, 3))],
                deletes: vec![],
            },
        )
        .unwrap();
        assert_eq!(first.get(0), &[a(3, 2), a(5, 1)]);
        assert_eq!(first.get(1), &[]);
        assert_eq!(first.get(2), &[a(1, 3)]);
        let second = rebuild_adj(
            Some(&first),
            &AdjEdits {
                inserts: vec![(0, a(4, 7))],
                deletes: vec![(0, RelId(2)), (2, RelId(3))],
            },
        )
        .unwrap();
        assert_eq!(second.get(0), &[a(4, 7), a(5, 1)]);
        assert_eq!(second.get(2), &[]);
        assert_eq!(second.locals(), 1);
        let gone = rebuild_adj(
            Some(&second),
            &AdjEdits {
                inserts: vec![],
                deletes: vec![(0, RelId(7)), (0, RelId(1))],
            },
        );
        assert!(gone.is_none());
    }
}
