//! Grouping for aggregation: the sink that places each row in its group
//! and feeds the group's accumulators.

use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use relgraph_graph::Value;

use super::batch::{
    self, BatchPlan, BuildRows, Evaluator, HopSlots, MatchSink, Matches, Source, BATCH,
};
use super::sort::TopK;
use super::stream::{self, Sink};
use super::{groups_after, split, After, Hold, CHECK_EVERY, HOLD_STEP, PAR_MIN_ROWS};
use crate::error::Result;
use crate::eval::{self, eval, Ctx};
use crate::functions::aggregate::Accumulator;
use crate::options::VALUE_BYTES;
use crate::plan::{put_value, AggSpec, CExpr, Expand, HashJoin, Op, Row};
use crate::tables::JoinTable;
use crate::value_ops::GroupKey;

/// How many groups a partial aggregation makes room for: `first` before
/// its first group, `most` when its table first fills (the planner's
/// estimate of the groups; see `exec::expected_groups`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Room {
    pub first: usize,
    pub most: usize,
}

/// Groups' key values and accumulators in two flat lists (a group's keys,
/// then the next group's): a new group appends to both, with no vector
/// of its own to allocate and free.
pub(super) struct GroupTable {
    /// Keys per group.
    width: usize,
    /// Accumulators per group.
    aggs: usize,
    keys: Vec<GroupKey>,
    accs: Vec<Accumulator>,
    /// Per group, the position of its first row (groups are returned in
    /// this order, whichever thread saw them first).
    first: Vec<u64>,
    /// The groups the table makes room for at once when it first fills
    /// (the planner's estimate), instead of doubling its way there.
    most: usize,
}

impl GroupTable {
    pub(super) fn new(width: usize, aggs: usize) -> Self {
        GroupTable {
            width,
            aggs,
            keys: Vec::new(),
            accs: Vec::new(),
            first: Vec::new(),
            most: 0,
        }
    }

    /// How many groups there are.
    pub(super) fn len(&self) -> usize {
        self.first.len()
    }

    /// True when there is no group.
    pub(super) fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// Makes room for `groups` more groups.
    fn reserve(&mut self, groups: usize) {
        self.keys.reserve(groups * self.width);
        self.accs.reserve(groups * self.aggs);
        self.first.reserve(groups);
    }

    /// Appends a group (its `width` keys and `aggs` accumulators).
    pub(super) fn push(
        &mut self,
        keys: impl IntoIterator<Item = GroupKey>,
        accs: impl IntoIterator<Item = Accumulator>,
        first: u64,
    ) {
        if self.first.len() == self.first.capacity() && self.most > self.first.len() {
            // Full for the first time short of the estimate: room for all
            // of it, each key and accumulator copied once (not at every
            // doubling, each time onto fresh pages).
            self.reserve(self.most - self.first.len());
        }
        self.keys.extend(keys);
        self.accs.extend(accs);
        self.first.push(first);
    }

    /// Removes every group, keeping the room they took.
    fn clear(&mut self) {
        self.keys.clear();
        self.accs.clear();
        self.first.clear();
    }

    /// Removes the groups marked [`GONE`] (merged into another), moving
    /// the others down in place.
    fn drop_gone(&mut self) {
        let (w, a) = (self.width, self.aggs);
        let mut kept = 0;
        for i in 0..self.len() {
            if self.first[i] == GONE {
                continue;
            }
            if kept != i {
                self.first[kept] = self.first[i];
                for j in 0..w {
                    self.keys.swap(kept * w + j, i * w + j);
                }
                for j in 0..a {
                    self.accs.swap(kept * a + j, i * a + j);
                }
            }
            kept += 1;
        }
        self.first.truncate(kept);
        self.keys.truncate(kept * w);
        self.accs.truncate(kept * a);
    }

    /// The groups of `tables`, one table after another, in one table.
    pub(super) fn concat(tables: Vec<GroupTable>) -> GroupTable {
        let mut tables = tables.into_iter();
        let Some(mut out) = tables.next() else {
            return GroupTable::new(0, 0);
        };
        for t in tables {
            out.keys.extend(t.keys);
            out.accs.extend(t.accs);
            out.first.extend(t.first);
        }
        out
    }

    fn keys_of(&self, i: usize) -> &[GroupKey] {
        &self.keys[i * self.width..(i + 1) * self.width]
    }

    fn accs_of(&mut self, i: usize) -> &mut [Accumulator] {
        &mut self.accs[i * self.aggs..(i + 1) * self.aggs]
    }

    /// The keys and accumulators of group `i`, to move out of.
    fn group_mut(&mut self, i: usize) -> (&mut [GroupKey], &mut [Accumulator]) {
        let (w, a) = (self.width, self.aggs);
        (
            &mut self.keys[i * w..(i + 1) * w],
            &mut self.accs[i * a..(i + 1) * a],
        )
    }

    /// The number of groups, then every group's keys and accumulators in
    /// order (`width` and `aggs` a group), moved out.
    #[cfg(test)]
    pub(super) fn into_parts(
        self,
    ) -> (
        usize,
        std::vec::IntoIter<GroupKey>,
        std::vec::IntoIter<Accumulator>,
    ) {
        (
            self.first.len(),
            self.keys.into_iter(),
            self.accs.into_iter(),
        )
    }

    /// The table cut at the group offsets `cuts` (ascending, each at most
    /// its length) into consecutive pieces, one more than the cuts.
    fn pieces(&mut self, cuts: &[usize]) -> Vec<Piece<'_>> {
        let (w, a, len) = (self.width, self.aggs, self.len());
        let mut keys = &mut self.keys[..];
        let mut accs = &mut self.accs[..];
        let mut first = &self.first[..];
        let mut out = Vec::with_capacity(cuts.len() + 1);
        let mut at = 0;
        for c in cuts.iter().copied().chain([len]) {
            let n = c - at;
            let (k, rest_k) = std::mem::take(&mut keys).split_at_mut(n * w);
            let (x, rest_a) = std::mem::take(&mut accs).split_at_mut(n * a);
            let (f, rest_f) = first.split_at(n);
            out.push(Piece {
                keys: k,
                accs: x,
                first: f,
                width: w,
                aggs: a,
            });
            (keys, accs, first) = (rest_k, rest_a, rest_f);
            at = c;
        }
        out
    }
}

/// True when key `i` holds a node in every group of `tables`, or a
/// relationship in every group, and `each` accepts every one's id.
fn entities_of_one_kind(
    tables: &[GroupTable],
    i: usize,
    mut each: impl FnMut(u64) -> bool,
) -> bool {
    let mut kind = None;
    tables.iter().all(|t| {
        (0..t.len()).all(|g| {
            let v = &t.keys_of(g)[i].0;
            let id = match v {
                Value::Node(n) => n.0,
                Value::Relationship(r) => r.0,
                _ => return false,
            };
            let k = std::mem::discriminant(v);
            *kind.get_or_insert(k) == k && each(id)
        })
    })
}

/// The groups an aggregation finished with, in first-seen order: its
/// tables read one after another, or, where `interleaved`, merged by
/// their groups' first-row positions (each table's groups in that order
/// already): the groups of partials that took turns at the same rows
/// are read where they lie instead of being moved into one table (whose
/// fresh pages, faulted in on one thread, were a sixth of cookbook cb07
/// on two).
pub(super) struct Finished {
    pub(super) tables: Vec<GroupTable>,
    pub(super) interleaved: bool,
}

impl Finished {
    /// Tables read one after another.
    pub(super) fn in_order(tables: Vec<GroupTable>) -> Self {
        Finished {
            tables,
            interleaved: false,
        }
    }

    /// How many groups there are.
    pub(super) fn len(&self) -> usize {
        self.tables.iter().map(GroupTable::len).sum()
    }

    /// The groups in runs of about `per` consecutive groups each (in
    /// first-seen order), at least one run.
    pub(super) fn runs(&mut self, per: usize) -> Vec<Run<'_>> {
        let per = per.max(1);
        let interleaved = self.interleaved && self.tables.len() > 1;
        if !interleaved {
            // Runs within one table each, as the tables follow one another.
            let mut runs = Vec::new();
            for t in &mut self.tables {
                let cuts: Vec<usize> = (1..t.len().div_ceil(per)).map(|r| r * per).collect();
                runs.extend(t.pieces(&cuts).into_iter().map(|p| Run {
                    parts: vec![p],
                    interleaved: false,
                    at: 0,
                }));
            }
            if runs.is_empty() {
                runs.push(Run {
                    parts: Vec::new(),
                    interleaved: false,
                    at: 0,
                });
            }
            return runs;
        }
        // Where each run starts in each table: the merge walked once.
        let mut cuts: Vec<Vec<usize>> = vec![Vec::new(); self.tables.len()];
        let n = self.len();
        let mut merge = Merge::new(self.tables.iter().map(|t| &t.first[..]).collect());
        let mut taken = 0;
        while merge.next().is_some() {
            taken += 1;
            if taken % per == 0 && taken < n {
                for (c, at) in cuts.iter_mut().zip(&merge.at) {
                    c.push(*at);
                }
            }
        }
        let runs = cuts.first().map_or(0, Vec::len) + 1;
        let mut pieces: Vec<std::vec::IntoIter<Piece<'_>>> = self
            .tables
            .iter_mut()
            .zip(&cuts)
            .map(|(t, c)| t.pieces(c).into_iter())
            .collect();
        (0..runs)
            .map(|_| Run {
                parts: pieces.iter_mut().filter_map(Iterator::next).collect(),
                interleaved: true,
                at: 0,
            })
            .collect()
    }
}

/// The merge of ascending first-row position lists: which list's next
/// group came first (ties: the earlier list).
struct Merge<'f> {
    lists: Vec<&'f [u64]>,
    /// Per list, how many of its groups were taken.
    at: Vec<usize>,
}

impl<'f> Merge<'f> {
    fn new(lists: Vec<&'f [u64]>) -> Self {
        let at = vec![0; lists.len()];
        Merge { lists, at }
    }

    /// The list of the next group, and its place in it.
    fn next(&mut self) -> Option<(usize, usize)> {
        let heads = self
            .lists
            .iter()
            .zip(&self.at)
            .map(|(l, &at)| l.get(at).copied());
        let t = earliest(heads)?;
        self.at[t] += 1;
        Some((t, self.at[t] - 1))
    }
}

/// Which of the lists whose next first-row positions are `heads` (`None`
/// for a list read to its end) comes next: the smallest position, ties
/// to the earlier list.
#[inline]
fn earliest(heads: impl Iterator<Item = Option<u64>>) -> Option<usize> {
    let mut best: Option<(u64, usize)> = None;
    for (t, f) in heads.enumerate() {
        if let Some(f) = f {
            if best.is_none_or(|(b, _)| f < b) {
                best = Some((f, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// Consecutive groups of one table, to move out of.
struct Piece<'t> {
    keys: &'t mut [GroupKey],
    accs: &'t mut [Accumulator],
    first: &'t [u64],
    width: usize,
    aggs: usize,
}

impl<'t> Piece<'t> {
    /// The keys and accumulators of its first group, split off.
    #[inline]
    fn take_front(&mut self) -> Option<(&'t mut [GroupKey], &'t mut [Accumulator])> {
        let (_, rest) = self.first.split_first()?;
        self.first = rest;
        let (k, rest_k) = std::mem::take(&mut self.keys).split_at_mut(self.width);
        let (a, rest_a) = std::mem::take(&mut self.accs).split_at_mut(self.aggs);
        (self.keys, self.accs) = (rest_k, rest_a);
        Some((k, a))
    }
}

/// A run of consecutive groups of a [`Finished`] (in first-seen order):
/// a piece of one table, or pieces of several merged. Iterated, it yields
/// every group's keys and accumulators, to move out of.
pub(super) struct Run<'t> {
    parts: Vec<Piece<'t>>,
    interleaved: bool,
    /// The piece being read (pieces read one after another).
    at: usize,
}

impl<'t> Iterator for Run<'t> {
    type Item = (&'t mut [GroupKey], &'t mut [Accumulator]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if !self.interleaved {
            while let Some(p) = self.parts.get_mut(self.at) {
                if let Some(g) = p.take_front() {
                    return Some(g);
                }
                self.at += 1;
            }
            return None;
        }
        // The piece whose next group came first.
        let t = earliest(self.parts.iter().map(|p| p.first.first().copied()))?;
        self.parts[t].take_front()
    }
}

/// A key moved out of a group that is being dropped or moved.
fn take_key(k: &mut GroupKey) -> GroupKey {
    std::mem::replace(k, GroupKey(Value::Null))
}

/// An accumulator moved out of a group that is being dropped or moved.
fn take_acc(a: &mut Accumulator) -> Accumulator {
    std::mem::replace(a, Accumulator::Count(0))
}

/// A sink that aggregates rows into groups, in first-seen order.
///
/// A grouping key computed from one variable alone (`t.name`, `id(p)`:
/// [`deferred_slot`]) is hashed on the variable's value (a node id: cheap
/// to hash, nothing to copy) and computed once per group at the end, when
/// [`Groups::finish`] regroups by the real key values.
pub(super) struct Groups<'a, 'c> {
    keys: &'a [(CExpr, usize)],
    /// Per key: the slot it is computed from, when deferred.
    deferred: Vec<Option<usize>>,
    /// The slots every key is read from (a variable, or a property
    /// deferred to its variable), when they are one or two (`c.name,
    /// e.amount, e.date` read `c` and `e`): the fast path reads ids
    /// straight from the row.
    key_slots: Option<[usize; 2]>,
    /// With `key_slots`: per key, its slot.
    slot_of_key: Vec<usize>,
    /// Which keys' values make a group's [`IdKey`]: one per slot read.
    id_positions: Option<[usize; 2]>,
    aggs: &'a [AggSpec],
    /// Fresh accumulators for a new group.
    template: &'a [Accumulator],
    ctx: &'a Ctx<'c>,
    index: FxHashMap<Vec<GroupKey>, usize>,
    /// Groups whose keys are all nodes or relationships (at most two),
    /// by their ids: no key copy, a cheap hash.
    by_id: FxHashMap<IdKey, usize>,
    /// The ids and group of the last row `fast_group` placed: rows of one
    /// group often come together (a build-major product), and then skip
    /// the hash table.
    last: Option<(IdKey, usize)>,
    groups: GroupTable,
    key: Vec<GroupKey>,
    locals: Vec<Value>,
    seen: usize,
    /// Position of the current row: task index in the high half, row in
    /// the low half.
    pos: u64,
    /// Per aggregate, whether it keeps values (`collect`, percentiles,
    /// DISTINCT).
    keeps: Vec<bool>,
    /// Bytes of values kept since the last hold.
    pending: u64,
    /// Groups already held against the memory budget.
    held_groups: usize,
    /// Bytes of groups and kept values held against the memory budget.
    hold: Hold<'a>,
    /// Groups to make room for when the first one is added (the table
    /// knows how many when it first fills).
    expected: usize,
    /// The tables of large partials merged in place ([`Groups::merge`]):
    /// their groups new here stay where they are, found through this
    /// sink's index by a [`GroupRef`]; [`GONE`] marks the groups merged
    /// into an earlier one.
    later: Vec<GroupTable>,
    /// The hop whose matches this sink last planned to take in batches
    /// (by address) and the plan, `None` where they cannot be
    /// ([`batch::plan`]).
    batch: Option<(usize, Option<BatchPlan>)>,
    /// The batch a hop fills ([`MatchSink`]).
    matches: Matches,
    /// Batches taken under the current plan, and their matches: where
    /// they turn out small, the rows are taken one by one instead.
    batched: (u64, u64),
    /// Matches of earlier rows not yet fed to their groups.
    waiting: Waiting,
    /// Where groups go once complete, if they may go before the end.
    outflow: Option<Outflow<'a>>,
    /// Per pattern count (by its sub-plan's address) whose sum a product
    /// takes at once, the ends it reads of the incoming rows, added up
    /// (`None`: not summable).
    summed_ends: Vec<(usize, Option<batch::SummedEnds>)>,
}

/// Where the groups of an aggregation go as soon as they are complete,
/// rather than waiting in its table for the last row
/// ([`Groups::flow_out`]): through what follows the aggregation
/// ([`After`]) into a top-k or kept rows, in first-seen order. Groups are
/// complete when a chunk of a product's build rows is taken and each
/// build row makes a group of its own (cookbook cb09: every company with
/// ten customers, grouped by the company). The table then holds one
/// chunk's groups at a time, on the same pages, instead of 315,000 at
/// scale 450 (about 75 MB of fresh pages per run).
pub(super) struct Outflow<'a> {
    after: &'a After<'a>,
    width: usize,
    top: Option<TopK<'a>>,
    kept: Vec<Row>,
    /// The product (by address) last asked about, and whether its build
    /// rows each make a group of their own ([`Groups::completes_groups`]).
    product: Option<(usize, bool)>,
    /// Whether any group went out.
    used: bool,
}

impl<'a> Outflow<'a> {
    /// Groups out through `after`, with rows `width` slots wide.
    pub(super) fn new(after: &'a After<'a>, width: usize) -> Self {
        Outflow {
            after,
            width,
            top: after.top.map(|(keys, k)| TopK::new(keys, k)),
            kept: Vec::new(),
            product: None,
            used: false,
        }
    }

    /// Adds the rows of a later sink's outflow, as if its groups had come
    /// after these.
    fn absorb(&mut self, later: Outflow<'a>, ctx: &Ctx<'_>) -> Result<()> {
        self.used |= later.used;
        match (&mut self.top, later.top) {
            (Some(top), Some(theirs)) => {
                // Each partial's best in order: ties keep the order of the
                // groups, as one pass would.
                for row in theirs.into_rows() {
                    top.offer(std::borrow::Cow::Owned(row), ctx)?;
                }
            }
            _ => self.kept.extend(later.kept),
        }
        Ok(())
    }

    /// The rows of the groups that went out, followed by `rows` (those of
    /// the groups that stayed, which came later): ranked together where
    /// there is a top-k.
    pub(super) fn then(self, rows: Vec<Row>, ctx: &Ctx<'_>) -> Result<Vec<Row>> {
        if !self.used {
            return Ok(rows);
        }
        match self.top {
            Some(mut top) => {
                for row in rows {
                    top.offer(std::borrow::Cow::Owned(row), ctx)?;
                }
                Ok(top.into_rows())
            }
            None => {
                let mut kept = self.kept;
                kept.extend(rows);
                Ok(kept)
            }
        }
    }
}

/// The matches of several input rows of one hop, each row's with its
/// group, waiting to be evaluated as one batch (`Groups::take_batch`): a
/// hop's rows often have a few matches each (a customer's tickets), and
/// a batch costs about what a few rows cost. Only for arguments that read
/// nothing of the row but its match ([`BatchPlan::row_free`]), so that
/// the rows themselves need not be kept.
#[derive(Default)]
struct Waiting {
    /// The hop (by address), its plan and the slots it writes, for the
    /// matches that wait.
    hop: usize,
    plan: Option<BatchPlan>,
    slots: HopSlots,
    matches: Matches,
    /// Per row, in order: its group and how many of `matches` it gave.
    runs: Vec<(usize, usize)>,
    /// A row the matches are written into where they are taken one by
    /// one (nulls but for the hop's slots).
    scratch: Row,
}

/// About how many joined rows a chunk of a product's build rows makes
/// ([`Groups::take_product`]): its columns, one per argument and incoming
/// row, stay in cache.
const PRODUCT_CHUNK: usize = 4096;

/// How many batches a sink takes before it judges their size.
const BATCHES_TRIED: u64 = 16;

/// The fewest matches a batch must average for batches to go on
/// ([`Groups::batch_plan`]).
const BATCH_MIN_AVG: u64 = 4;

/// A group of a [`Groups`] sink: an index into its own table, or (with the
/// table's number from 1 in the bits from [`TABLE_SHIFT`]) into one of the
/// tables of the partials merged in place.
type GroupRef = usize;

/// The bits of a [`GroupRef`] that hold its table's number.
const TABLE_BITS: u32 = 16;

/// The bit where a [`GroupRef`]'s table number starts.
const TABLE_SHIFT: u32 = usize::BITS - TABLE_BITS;

/// The first-row position of a group of a table merged in place whose
/// rows went into an earlier group.
const GONE: u64 = u64::MAX;

/// Whether the groups of `own`, then those of `later` still there, are in
/// the order of their first rows.
fn in_table_order(own: &GroupTable, later: &[GroupTable]) -> bool {
    let mut last = 0;
    std::iter::once(own).chain(later).all(|t| {
        t.first.iter().filter(|f| **f != GONE).all(|&f| {
            let ordered = f >= last;
            last = f;
            ordered
        })
    })
}

/// The groups of `tables` that are still there (not [`GONE`]) moved into
/// one table, in the order of their first rows (ties in table order, then
/// by place). One table already in that order is handed back as it is (a
/// sink's own table holds no `GONE` group).
fn in_first_order(mut tables: Vec<GroupTable>) -> GroupTable {
    if tables.len() == 1 && tables[0].first.is_sorted() {
        return tables.pop().expect("one table");
    }
    let (w, a) = tables.first().map_or((0, 0), |t| (t.width, t.aggs));
    let mut order: Vec<(u64, GroupRef)> =
        Vec::with_capacity(tables.iter().map(GroupTable::len).sum());
    for (t, table) in tables.iter().enumerate() {
        let live = table.first.iter().enumerate().filter(|(_, f)| **f != GONE);
        order.extend(live.map(|(i, f)| (*f, (t << TABLE_SHIFT) | i)));
    }
    if order.len() < PAR_MIN_ROWS {
        order.sort_unstable();
    } else {
        order.par_sort_unstable();
    }
    let mut out = GroupTable::new(w, a);
    out.reserve(order.len());
    for (first, r) in order {
        let (t, i) = split_ref(r);
        let (k, a) = tables[t].group_mut(i);
        out.push(
            k.iter_mut().map(take_key),
            a.iter_mut().map(take_acc),
            first,
        );
    }
    out
}

/// A [`GroupRef`]'s table (0: the sink's own) and index in it.
fn split_ref(r: GroupRef) -> (usize, usize) {
    (r >> TABLE_SHIFT, r & ((1 << TABLE_SHIFT) - 1))
}

/// A group key of at most two node/relationship values, by id (the high
/// bit tells a relationship from a node).
type IdKey = [u64; 2];

/// The [`IdKey`] of a group key whose values at `positions` are nodes or
/// relationships (the other keys' values follow from them).
fn id_key(key: &[GroupKey], positions: Option<[usize; 2]>) -> Option<IdKey> {
    let [a, b] = positions?;
    let first = id_of(&key.get(a)?.0)?;
    if b == usize::MAX {
        return Some([first, u64::MAX]);
    }
    Some([first, id_of(&key.get(b)?.0)?])
}

/// The positions of the keys that make an [`IdKey`] of any one or two
/// keys.
fn positions_by_len(len: usize) -> Option<[usize; 2]> {
    match len {
        1 => Some([0, usize::MAX]),
        2 => Some([0, 1]),
        _ => None,
    }
}

/// A node's or relationship's id as one half of an [`IdKey`].
#[inline]
fn id_of(v: &Value) -> Option<u64> {
    const REL: u64 = 1 << 63;
    match v {
        Value::Node(n) if n.0 < REL => Some(n.0),
        Value::Relationship(r) if r.0 < REL => Some(r.0 | REL),
        _ => None,
    }
}

/// The slot a grouping key is computed from alone, when it can be
/// computed once per group instead of once per row: a (nested) property
/// of a variable (`t.name`), or a deterministic function of one variable
/// and constants (`id(p)`, `toLower(p.name)`, `type(r)`). The rows are
/// grouped by the variable's value and the key computed at the end.
fn deferred_slot(e: &CExpr) -> Option<usize> {
    match e {
        CExpr::Property(base, _, _) => match &**base {
            CExpr::Slot(s) => Some(*s),
            inner => deferred_slot(inner),
        },
        CExpr::Call(f, args, _) if !crate::functions::is_nondeterministic(f.name()) => {
            let mut slot = None;
            for a in args {
                let s = match a {
                    CExpr::Const(_) => continue,
                    CExpr::Slot(s) => *s,
                    other => deferred_slot(other)?,
                };
                if slot.is_some_and(|x| x != s) {
                    return None;
                }
                slot = Some(s);
            }
            slot
        }
        _ => None,
    }
}

/// Per grouping key of an aggregation fed by the segment `ops`, whether
/// computing it once per group from its variable ([`deferred_slot`])
/// pays: not when the variable is a scan's and the planner expects about
/// one row per node scanned. Grouping tickets by `t.kind` right after a
/// scan of tickets made a group per ticket (2.37 million at scale 450)
/// to regroup into four at the end: 1,154 ms on one thread, where
/// computing `t.kind` per row (as `t.kind + ''` did) took 381. The
/// target of an expansion keeps the deferral: its rows count matches,
/// not distinct nodes (friends' topics reach 16 topics in hundreds of
/// rows; computing `t.name` per row made that floor question 69 -> 110
/// us). So does a key whose variable is bound before a product, a
/// projection or anything but a scan, an expansion or a filter of the
/// segment (the estimates are not on one basis across them), and every
/// key of an aggregation over rows already made (`ops` empty).
pub(super) fn deferral_pays(ops: &[Op], keys: &[(CExpr, usize)]) -> Vec<bool> {
    let rows = ops.iter().rev().find_map(Op::estimate);
    keys.iter()
        .map(|(e, _)| {
            let Some(slot) = deferred_slot(e) else {
                return true;
            };
            match (rows, binding_estimate(ops, slot)) {
                (Some(rows), Some(values)) => rows >= ROWS_PER_DEFERRED_VALUE * values,
                _ => true,
            }
        })
        .collect()
}

/// Rows per value of a key's variable from which a key computed from it
/// is computed once per group ([`deferral_pays`]).
const ROWS_PER_DEFERRED_VALUE: f64 = 2.0;

/// The planner's estimate of the rows after the scan of `ops` that binds
/// `slot` (the nodes it finds), found going back over scans, expansions
/// and filters only; none for a variable bound otherwise.
fn binding_estimate(ops: &[Op], slot: usize) -> Option<f64> {
    for op in ops.iter().rev() {
        match op {
            Op::NodeScan(s) if s.slot == slot => return Some(s.estimate),
            Op::Expand(e) if e.to == slot || e.rel == slot => return None,
            Op::NodeScan(_) | Op::Expand(_) | Op::Filter(..) => {}
            _ => return None,
        }
    }
    None
}

/// The planner's estimate of the groups of `keys` over the rows of
/// `ops`: the rows after the last scan or expansion that binds a variable
/// a key reads (later operators only repeat or drop a key's values), or
/// the rows `ops` yields where fewer; `None` where no scan or expansion
/// of `ops` binds one (the keys read the segment's input or a value
/// computed in it).
pub(super) fn estimated_groups(ops: &[Op], keys: &[(CExpr, usize)]) -> Option<f64> {
    let mut read = Vec::new();
    for (k, _) in keys {
        k.visit_slots(&mut |s| read.push(s));
    }
    let (mut rows, mut groups) = (None, None);
    for op in ops {
        rows = op.estimate().or(rows);
        let binds = match op {
            Op::NodeScan(s) => read.contains(&s.slot),
            Op::Expand(e) => read.contains(&e.to) || read.contains(&e.rel),
            _ => false,
        };
        if binds {
            groups = rows;
        }
    }
    Some(groups?.min(rows?))
}

impl<'a, 'c> Groups<'a, 'c> {
    /// Groups by `keys`, each key that reads one variable computed once
    /// per group where `defer` (from [`deferral_pays`]) says so.
    pub(super) fn new(
        keys: &'a [(CExpr, usize)],
        defer: &[bool],
        aggs: &'a [AggSpec],
        template: &'a [Accumulator],
        ctx: &'a Ctx<'c>,
        expected: Room,
    ) -> Self {
        let deferred: Vec<Option<usize>> = keys
            .iter()
            .enumerate()
            .map(|(i, (e, _))| match defer.get(i) {
                Some(false) => None,
                _ => deferred_slot(e),
            })
            .collect();
        let slot_of = |i: usize| match (&keys[i].0, deferred[i]) {
            (_, Some(s)) => Some(s),
            (CExpr::Slot(s), None) => Some(*s),
            _ => None,
        };
        // The distinct slots the keys read, and the first key reading each.
        let slot_of_key: Vec<usize> = (0..keys.len()).map_while(slot_of).collect();
        let mut read: Vec<(usize, usize)> = Vec::new();
        for (i, s) in slot_of_key.iter().enumerate() {
            if !read.iter().any(|(r, _)| r == s) {
                read.push((*s, i));
            }
        }
        let (key_slots, id_positions) = match read.as_slice() {
            _ if slot_of_key.len() < keys.len() => (None, positions_by_len(keys.len())),
            [(a, i)] => (Some([*a, usize::MAX]), Some([*i, usize::MAX])),
            [(a, i), (b, j)] => (Some([*a, *b]), Some([*i, *j])),
            _ => (None, positions_by_len(keys.len())),
        };
        Groups {
            keys,
            deferred,
            key_slots,
            slot_of_key,
            id_positions,
            aggs,
            template,
            ctx,
            index: FxHashMap::default(),
            by_id: FxHashMap::default(),
            last: None,
            groups: GroupTable {
                most: expected.most,
                ..GroupTable::new(keys.len(), aggs.len())
            },
            key: Vec::with_capacity(keys.len()),
            locals: Vec::new(),
            seen: 0,
            pos: 0,
            keeps: template.iter().map(keeps_values).collect(),
            pending: 0,
            held_groups: 0,
            hold: Hold::new(ctx.guard),
            expected: expected.first,
            later: Vec::new(),
            batch: None,
            matches: Matches::default(),
            batched: (0, 0),
            waiting: Waiting::default(),
            outflow: None,
            summed_ends: Vec::new(),
        }
    }

    /// Lets complete groups go out before the end ([`Outflow`]).
    pub(super) fn with_outflow(mut self, outflow: Outflow<'a>) -> Self {
        self.outflow = Some(outflow);
        self
    }

    /// The rows of the groups that went out, and where the others go.
    pub(super) fn take_outflow(&mut self) -> Option<Outflow<'a>> {
        self.outflow.take()
    }

    /// Starts the rows of task `i`.
    pub(super) fn start_task(&mut self, i: usize) {
        self.pos = (i as u64) << 32;
    }

    /// Adds the groups of a later partial aggregation. A small partial's
    /// groups are moved into this sink's table; a large one's table is kept
    /// as it is, and only its groups that are new here are indexed where
    /// they lie ([`Groups::later`]): its groups are moved once, into first-
    /// seen order at the end, instead of into this table (which grew to
    /// take them, copying what it held) and then again.
    pub(super) fn merge(&mut self, mut other: Groups<'a, '_>) -> Result<()> {
        self.take_waiting()?;
        other.take_waiting()?;
        if let (Some(mine), Some(theirs)) = (&mut self.outflow, other.outflow.take()) {
            mine.absorb(theirs, self.ctx)?;
        }
        // A partial with tables of its own merged in place hands them all
        // over, in the order of their first rows.
        for table in other.tables_in_first_order(false).0 {
            self.merge_table(table)?;
        }
        Ok(())
    }

    /// [`Groups::merge`] of one table of a later partial.
    fn merge_table(&mut self, mut table: GroupTable) -> Result<()> {
        let n = table.len();
        // A table whose number or places a `GroupRef` cannot hold is
        // merged as a small one is.
        let fits = self.later.len() + 1 < 1 << TABLE_BITS && n < 1 << TABLE_SHIFT;
        if n < PAR_MIN_ROWS || !fits {
            self.reserve_new(&table, true);
            for i in 0..n {
                let first = table.first[i];
                let (k, accs) = table.group_mut(i);
                self.absorb(k, accs, first)?;
            }
            return Ok(());
        }
        self.reserve_new(&table, false);
        let t = self.later.len() + 1;
        for i in 0..n {
            let k = table.keys_of(i);
            match self.find(k) {
                Some(r) => {
                    let first = std::mem::replace(&mut table.first[i], GONE);
                    let (mine, first_here) = self.group_at(r);
                    for (mine, theirs) in mine.iter_mut().zip(table.accs_of(i)) {
                        mine.merge(take_acc(theirs))?;
                    }
                    *first_here = (*first_here).min(first);
                }
                None => {
                    let r = (t << TABLE_SHIFT) | i;
                    match id_key(k, self.id_positions) {
                        Some(id) => {
                            self.by_id.insert(id, r);
                        }
                        None => {
                            self.index.insert(k.to_vec(), r);
                        }
                    }
                }
            }
        }
        self.later.push(table);
        Ok(())
    }

    /// The accumulators and first-row position of group `r`.
    fn group_at(&mut self, r: GroupRef) -> (&mut [Accumulator], &mut u64) {
        let (t, i) = split_ref(r);
        let table = match t {
            0 => &mut self.groups,
            t => &mut self.later[t - 1],
        };
        let (a, first) = (table.aggs, &mut table.first[i]);
        (&mut table.accs[i * a..(i + 1) * a], first)
    }

    /// Every group of this sink's table and of the tables merged in place,
    /// in the order of their first rows (ties in table order): in tables
    /// to read one after another. Where the tables are in that order
    /// already (partials of consecutive runs of tasks, such as a product's
    /// ranges), they are handed back as they are, less the groups merged
    /// elsewhere; otherwise the groups are moved into one table, unless
    /// `interleave` allows tables whose groups are each in that order to
    /// be handed back for a merge ([`Finished`]; true then).
    fn tables_in_first_order(&mut self, interleave: bool) -> (Vec<GroupTable>, bool) {
        let (w, a) = (self.keys.len(), self.aggs.len());
        let own = std::mem::replace(&mut self.groups, GroupTable::new(w, a));
        if self.later.is_empty() {
            return (vec![in_first_order(vec![own])], false);
        }
        if in_table_order(&own, &self.later) {
            let mut tables = vec![own];
            for mut t in self.later.drain(..) {
                t.drop_gone();
                tables.push(t);
            }
            return (tables, false);
        }
        let mut tables: Vec<GroupTable> = Vec::with_capacity(self.later.len() + 1);
        tables.push(own);
        tables.append(&mut self.later);
        if interleave {
            for t in &mut tables {
                t.drop_gone();
            }
            if tables.iter().all(|t| t.first.is_sorted()) {
                return (tables, true);
            }
        }
        (vec![in_first_order(tables)], false)
    }

    /// The index of the group of `k`, if there is one yet.
    fn find(&self, k: &[GroupKey]) -> Option<usize> {
        match id_key(k, self.id_positions) {
            Some(id) => self.by_id.get(&id).copied(),
            None => self.index.get(k).copied(),
        }
    }

    /// Adds a new group of the keys `k` and accumulators `accs`; returns
    /// its index.
    fn insert(
        &mut self,
        k: impl IntoIterator<Item = GroupKey>,
        accs: impl IntoIterator<Item = Accumulator>,
    ) -> usize {
        let i = self.groups.len();
        self.reserve_first();
        self.groups.push(k, accs, self.pos);
        let k = self.groups.keys_of(i);
        match id_key(k, self.id_positions) {
            Some(id) => {
                self.by_id.insert(id, i);
            }
            None => {
                self.index.insert(k.to_vec(), i);
            }
        }
        i
    }

    /// Makes room at once for the groups of `other` that will be new here,
    /// as many as a sample of its groups spread over its table says: the
    /// lists and the index then grow once instead of doubling on the way
    /// (cookbook cb09 at scale 450 merges two partials of 157,000 groups
    /// each, none shared: 32-40 -> 24.5-31 ms), and partials that share
    /// their groups (every task seeing every key) make no room they will
    /// not fill.
    /// With `table` false (a table merged in place), only the index.
    fn reserve_new(&mut self, other: &GroupTable, table: bool) {
        const SAMPLE: usize = 64;
        let n = other.len();
        // A few groups grow the lists by little; sampling them would probe
        // as often as merging them does (a partial per batch of a cut).
        if n < PAR_MIN_ROWS {
            return;
        }
        let sample = SAMPLE;
        let new = (0..sample)
            .filter(|k| self.find(other.keys_of(k * n / sample)).is_none())
            .count();
        let more = n * new / sample;
        if more == 0 {
            return;
        }
        if table {
            self.groups.reserve(more);
        }
        match self.id_positions {
            Some(_) => self.by_id.reserve(more),
            None => self.index.reserve(more),
        }
    }

    /// Makes room for the expected number of groups before the first one.
    fn reserve_first(&mut self) {
        self.make_room(self.expected);
    }

    /// Makes room for `n` groups in a sink that has none yet.
    fn make_room(&mut self, n: usize) {
        if self.groups.is_empty() && n > 0 {
            self.reserve_groups(n);
        }
    }

    /// Makes room for `n` groups more.
    fn reserve_groups(&mut self, n: usize) {
        self.groups.reserve(n);
        match self.id_positions {
            Some(_) => self.by_id.reserve(n),
            None => self.index.reserve(n),
        }
    }

    /// Merges a group of another partial (its keys and accumulators moved
    /// out of their places) into its group here, or adds it.
    fn absorb(&mut self, k: &mut [GroupKey], accs: &mut [Accumulator], first: u64) -> Result<()> {
        match self.find(k) {
            Some(r) => {
                let (mine, first_here) = self.group_at(r);
                for (mine, theirs) in mine.iter_mut().zip(accs) {
                    mine.merge(take_acc(theirs))?;
                }
                *first_here = (*first_here).min(first);
            }
            None => {
                self.pos = first;
                self.insert(k.iter_mut().map(take_key), accs.iter_mut().map(take_acc));
            }
        }
        Ok(())
    }

    /// The groups by their real key values, in first-seen order: deferred
    /// keys are computed from their variable, and groups whose values
    /// coincide are merged (in first-seen order, as if grouped by the
    /// values directly).
    pub(super) fn finish(mut self, width: usize) -> Result<Finished> {
        self.take_waiting()?;
        let (mut tables, interleaved) = self.tables_in_first_order(true);
        if self.deferred.iter().all(Option::is_none) {
            return Ok(Finished {
                tables,
                interleaved,
            });
        }
        if self.keeps_groups_apart(&tables) {
            for t in &mut tables {
                self.keys_in_place(t, width)?;
            }
            return Ok(Finished {
                tables,
                interleaved,
            });
        }
        let mut groups = match interleaved {
            true => in_first_order(tables),
            false => GroupTable::concat(tables),
        };
        let mut out = Groups {
            deferred: Vec::new(),
            // Grouped by the real key values now: an id key only of one or
            // two keys that are nodes or relationships themselves.
            key_slots: None,
            slot_of_key: Vec::new(),
            id_positions: positions_by_len(self.keys.len()),
            index: FxHashMap::default(),
            by_id: FxHashMap::default(),
            last: None,
            groups: GroupTable::new(self.keys.len(), self.aggs.len()),
            key: Vec::new(),
            locals: Vec::new(),
            ..self
        };
        let mut scratch = crate::plan::null_row(width);
        let mut locals = Vec::new();
        let mut real = Vec::with_capacity(out.keys.len());
        for i in 0..groups.len() {
            let first = groups.first[i];
            let (k, accs) = groups.group_mut(i);
            real.clear();
            for ((v, (e, _)), d) in k.iter_mut().zip(out.keys).zip(&self.deferred) {
                match d {
                    Some(s) => {
                        scratch[*s] = take_key(v).0;
                        real.push(GroupKey(eval(e, &scratch, &mut locals, out.ctx)?));
                    }
                    None => real.push(take_key(v)),
                }
            }
            out.absorb(&mut real, accs, first)?;
        }
        Ok(Finished::in_order(vec![out.groups]))
    }

    /// True when computing the deferred keys cannot make two groups equal,
    /// so [`Groups::finish`] need not regroup: a key that is not deferred
    /// holds a different node (or a different relationship) in every group
    /// (`c` of `c, co.revenue`: groups that differ there stay apart
    /// whatever the other keys become), or every deferred key is `id(v)`
    /// and its variable holds nodes in every group, or relationships in
    /// every group (a node and a relationship can share an id; two nodes
    /// cannot).
    fn keeps_groups_apart(&self, tables: &[GroupTable]) -> bool {
        if self.has_distinct_entity_key(tables) {
            return true;
        }
        let id_of_variable = |e: &CExpr| {
            matches!(e, CExpr::Call(f, args, _)
                if f.name() == "id" && matches!(args.as_slice(), [CExpr::Slot(_)]))
        };
        self.keys
            .iter()
            .zip(&self.deferred)
            .enumerate()
            .all(|(i, ((e, _), d))| {
                d.is_none() || (id_of_variable(e) && entities_of_one_kind(tables, i, |_| true))
            })
    }

    /// True when some key that is not deferred holds a node in every group
    /// and no two groups the same node, or a relationship in every group
    /// and no two groups the same one.
    fn has_distinct_entity_key(&self, tables: &[GroupTable]) -> bool {
        let mut seen = rustc_hash::FxHashSet::default();
        self.deferred.iter().enumerate().any(|(i, d)| {
            seen.clear();
            d.is_none() && entities_of_one_kind(tables, i, |id| seen.insert(id))
        })
    }

    /// Computes the deferred keys of every group where they are
    /// ([`Groups::keeps_groups_apart`] said none merge).
    /// In parallel over runs of groups unless the groups are few.
    fn keys_in_place(&self, groups: &mut GroupTable, width: usize) -> Result<()> {
        let run = |keys: &mut [GroupKey]| -> Result<()> {
            let mut scratch = crate::plan::null_row(width);
            let mut locals = Vec::new();
            for k in keys.chunks_exact_mut(self.keys.len()) {
                for ((v, (e, _)), d) in k.iter_mut().zip(self.keys).zip(&self.deferred) {
                    if let Some(s) = d {
                        scratch[*s] = take_key(v).0;
                        v.0 = eval(e, &scratch, &mut locals, self.ctx)?;
                    }
                }
            }
            Ok(())
        };
        let width = self.keys.len();
        if width == 0 {
            return Ok(());
        }
        if groups.len() < PAR_MIN_ROWS {
            return run(&mut groups.keys);
        }
        groups
            .keys
            .par_chunks_mut(PAR_MIN_ROWS * width)
            .try_for_each(run)
    }
}

impl Groups<'_, '_> {
    /// The group of a row whose key values are ids in `key_slots`, if they are.
    #[inline]
    fn fast_group(&mut self, row: &Row) -> Result<Option<usize>> {
        let Some([a, b]) = self.key_slots else {
            return Ok(None);
        };
        let Some(x) = row.get(a).and_then(id_of) else {
            return Ok(None);
        };
        let y = if b == usize::MAX {
            u64::MAX
        } else {
            match row.get(b).and_then(id_of) {
                Some(y) => y,
                None => return Ok(None),
            }
        };
        match self.last {
            Some((ids, i)) if ids == [x, y] => return Ok(Some(i)),
            _ => {}
        }
        self.reserve_first();
        // One probe: a new group's keys are copied from the row straight
        // into the table.
        let i = match self.by_id.entry([x, y]) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let i = self.groups.len();
                let keys = self.slot_of_key.iter().map(|s| GroupKey(row[*s].clone()));
                self.groups
                    .push(keys, self.template.iter().cloned(), self.pos);
                e.insert(i);
                i
            }
        };
        self.last = Some(([x, y], i));
        Ok(Some(i))
    }

    /// Checks the guard where `check` says, and holds the groups and kept
    /// values added since the last hold against the memory budget.
    fn hold_now(&mut self, check: bool) -> Result<()> {
        if check {
            self.ctx.guard.check()?;
        }
        // New groups and the values kept since the last hold.
        let groups = (self.groups.len() - self.held_groups) as u64;
        self.held_groups = self.groups.len();
        let bytes = groups * (self.keys.len() + self.aggs.len() + 1) as u64 * VALUE_BYTES
            + std::mem::take(&mut self.pending);
        if bytes > 0 {
            self.hold.add(bytes)?;
        }
        Ok(())
    }

    /// The group of `row`, added if new.
    #[inline(always)]
    fn group_of(&mut self, row: &Row) -> Result<usize> {
        Ok(match self.fast_group(row)? {
            Some(i) => i,
            // No grouping keys: one group.
            None if self.keys.is_empty() && !self.groups.is_empty() => 0,
            None => {
                self.key.clear();
                for ((e, _), d) in self.keys.iter().zip(&self.deferred) {
                    let v = match d {
                        Some(s) => row[*s].clone(),
                        None => eval(e, row, &mut self.locals, self.ctx)?,
                    };
                    self.key.push(GroupKey(v));
                }
                match self.find(&self.key) {
                    Some(i) => i,
                    None => {
                        let template = self.template;
                        let key = std::mem::take(&mut self.key);
                        let i = self.insert(key.iter().cloned(), template.iter().cloned());
                        self.key = key;
                        i
                    }
                }
            }
        })
    }

    /// The plan by which this sink takes hop `e`'s matches in batches.
    fn batch_plan(&mut self, e: &Expand) -> Option<&BatchPlan> {
        let at = e as *const Expand as usize;
        if self.batch.as_ref().is_none_or(|(a, _)| *a != at) {
            let plan = batch::plan(e, self.keys, self.aggs, self.template);
            self.batch = Some((at, plan));
            self.batched = (0, 0);
        }
        // A batch costs about what a few rows cost (its group found, its
        // columns read, each argument's lanes made): once the batches seen
        // average fewer than `BATCH_MIN_AVG` matches, rows are cheaper.
        let (batches, matches) = self.batched;
        if batches >= BATCHES_TRIED && matches < BATCH_MIN_AVG * batches {
            return None;
        }
        self.batch.as_ref().and_then(|(_, p)| p.as_ref())
    }

    /// Takes the matches `m` of hop `e` from input row `row`: evaluated a
    /// batch at a time where [`batch::accumulate`] can, else pushed row by
    /// row.
    fn take_batch(&mut self, e: &Expand, row: &mut Row, m: &mut Matches) -> Result<bool> {
        let n = m.len();
        if n == 0 {
            return Ok(true);
        }
        self.batched.0 += 1;
        self.batched.1 += n as u64;
        let no_plan = || crate::error::ExecError::internal("a batch of matches taken with no plan");
        let row_free = match &self.batch {
            Some((_, Some(plan))) => plan.row_free,
            _ => return Err(no_plan()),
        };
        if row_free {
            return self.wait(e, row, m);
        }
        m.read(e, self.ctx.snapshot);
        let (seen, pos) = (self.seen, self.pos);
        // The batch's first row finds the group; its others follow.
        self.count_rows(1)?;
        let gi = self.group_of(row)?;
        let Some((_, Some(plan))) = &self.batch else {
            return Err(no_plan());
        };
        let ev = Evaluator {
            source: Source::Hop(m),
            row,
            ctx: self.ctx,
            locals: &mut self.locals,
        };
        if batch::accumulate(plan, self.groups.accs_of(gi), ev)? {
            self.count_rows(n - 1)?;
            return Ok(true);
        }
        (self.seen, self.pos) = (seen, pos);
        for j in 0..n {
            m.write(j, e, row);
            if !self.push(row)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Keeps the matches `m` of row `row` of hop `e` with their group,
    /// to be fed with those of the rows that follow ([`Waiting`]): the
    /// group is found now, in the row's turn, and its values arrive in
    /// the order of the rows.
    fn wait(&mut self, e: &Expand, row: &Row, m: &Matches) -> Result<bool> {
        let at = e as *const Expand as usize;
        if self.waiting.hop != at || self.waiting.plan.is_none() {
            self.take_waiting()?;
            let plan = self.batch.as_ref().and_then(|(_, p)| p.clone());
            self.waiting.hop = at;
            self.waiting.plan = plan;
            self.waiting.slots = HopSlots::of(e);
        }
        if self.waiting.scratch.len() != row.len() {
            self.waiting.scratch = crate::plan::null_row(row.len());
        }
        let n = m.len();
        self.count_rows(1)?;
        let gi = self.group_of(row)?;
        self.count_rows(n - 1)?;
        self.waiting.matches.append(m);
        self.waiting.runs.push((gi, n));
        if self.waiting.matches.len() >= BATCH {
            self.take_waiting()?;
        }
        Ok(true)
    }

    /// Feeds the waiting matches to their groups, as one batch where the
    /// lanes can take it, else match by match in the order of their rows
    /// (so an error is the one the first failing row raises).
    #[inline(always)]
    fn take_waiting(&mut self) -> Result<()> {
        if self.waiting.runs.is_empty() {
            return Ok(());
        }
        self.take_waiting_now()
    }

    #[inline(never)]
    fn take_waiting_now(&mut self) -> Result<()> {
        let mut w = std::mem::take(&mut self.waiting);
        let fed = self.feed_waiting(&mut w);
        w.matches.clear();
        w.runs.clear();
        self.waiting = w;
        fed
    }

    fn feed_waiting(&mut self, w: &mut Waiting) -> Result<()> {
        let Some(plan) = &w.plan else {
            return Err(crate::error::ExecError::internal(
                "matches waiting with no plan",
            ));
        };
        // The targets' properties, read for the whole batch.
        w.matches.read_keys(&w.slots.reads, self.ctx.snapshot);
        let mut ev = Evaluator {
            source: Source::Hop(&w.matches),
            row: &w.scratch,
            ctx: self.ctx,
            locals: &mut self.locals,
        };
        if let Some(columns) = batch::arg_values(plan, self.template, &mut ev) {
            let mut start = 0;
            for &(g, n) in &w.runs {
                batch::feed(&columns, self.groups.accs_of(g), start..start + n)?;
                start += n;
            }
            return Ok(());
        }
        let mut j = 0;
        for &(g, n) in &w.runs {
            for _ in 0..n {
                w.matches.write_to(j, &w.slots, &mut w.scratch);
                self.update_group(g, &w.scratch)?;
                j += 1;
            }
        }
        Ok(())
    }

    /// The plan by which this sink takes the rows of product `j` a batch
    /// of build rows at a time: where every key reads the build side
    /// alone (each build row is then one group for all the incoming rows
    /// it is joined with) and every aggregate takes batches.
    fn product_plan(&mut self, j: &HashJoin) -> Option<BatchPlan> {
        let at = j as *const HashJoin as usize;
        if self.batch.as_ref().is_none_or(|(a, _)| *a != at) {
            let mut by_build = true;
            for (k, _) in self.keys {
                k.visit_slots(&mut |s| by_build &= j.slots.binary_search(&s).is_ok());
            }
            let plan = by_build
                .then(|| batch::plan_product(&j.slots, self.aggs, self.template))
                .flatten();
            self.batch = Some((at, plan));
        }
        self.batch.as_ref().and_then(|(_, p)| p.clone())
    }

    /// Takes the rows of product `j` with build rows `range` of `table`,
    /// each joined with every one of `rows` in turn, a chunk of build rows
    /// at a time: each build row's group found once, each argument
    /// evaluated over the chunk for one incoming row at a time
    /// ([`batch::arg_values`]), and each group fed its rows' values in the
    /// order the rows would have come. A chunk the lanes cannot take as
    /// rows would is taken row by row.
    fn take_product_chunks(
        &mut self,
        plan: &BatchPlan,
        j: &HashJoin,
        table: &JoinTable,
        range: Range<usize>,
        rows: &mut [Row],
    ) -> Result<bool> {
        let per = rows.len().max(1);
        let chunk = (PRODUCT_CHUNK / per).clamp(64, batch::BATCH);
        let mut groups = Vec::with_capacity(chunk);
        // The build values the keys read (the only ones a group is found
        // by): each written into the row, the others not copied (a text's
        // copy is an atomic count up and, when overwritten, down).
        let mut keyed: SmallVec<[(usize, usize); 4]> = SmallVec::new();
        for (i, s) in j.slots.iter().enumerate() {
            let mut read = false;
            for (k, _) in self.keys {
                k.visit_slots(&mut |x| read |= x == *s);
            }
            if read {
                keyed.push((*s, i));
            }
        }
        let mut start = range.start;
        let before = self.groups.len();
        let complete = self.completes_groups(j);
        while start < range.end {
            if !complete && start == range.start + chunk && self.groups.len() - before == chunk {
                // Each build row of the first chunk made a group of its
                // own (the keys name the build row): room for the rest,
                // instead of the table doubling (a copy and fresh pages
                // each time) while it fills.
                self.reserve_groups(range.end - start);
            }
            let end = (start + chunk).min(range.end);
            let Some(build) = table.rows.get(start..end) else {
                break;
            };
            let (seen, pos) = (self.seen, self.pos);
            groups.clear();
            for vals in build {
                // A build row's rows with every incoming row are counted
                // at once, before its group is found: the group's first
                // position is its block's last (no other group comes
                // between, so the groups keep their order).
                self.count_rows(per)?;
                let row = &mut rows[0];
                for &(s, i) in &keyed {
                    if let Some(v) = vals.get(i) {
                        put_value(&mut row[s], v);
                    }
                }
                groups.push(self.group_of(row)?);
            }
            if !self.feed_product(plan, j, build, rows, &groups)? {
                (self.seen, self.pos) = (seen, pos);
                let ctx = self.ctx;
                if !stream::product_rows_each(j, table, start..end, &[], rows, ctx, self)? {
                    return Ok(false);
                }
            }
            if complete {
                self.flow_out()?;
            }
            start = end;
        }
        Ok(true)
    }

    /// Whether each build row of product `j` makes a group of its own,
    /// complete once the row is joined with every incoming row (a
    /// product's tasks each take all of them, [`Task::ProductRows`]), so
    /// that the groups can go out a chunk at a time ([`Outflow`]): a key
    /// is the build row's distinct slot ([`HashJoin::distinct_build_slot`])
    /// itself. Groups of two builds are never mixed in one table (the
    /// sink holds none merged from elsewhere).
    ///
    /// [`Task::ProductRows`]: super::Task::ProductRows
    fn completes_groups(&mut self, j: &HashJoin) -> bool {
        let at = j as *const HashJoin as usize;
        let Some(out) = &mut self.outflow else {
            return false;
        };
        if let Some((p, complete)) = out.product {
            if p == at {
                return complete;
            }
        }
        let distinct = j.distinct_build_slot();
        let keyed =
            self.keys.iter().zip(&self.deferred).any(|((e, _), d)| {
                d.is_none() && matches!(e, CExpr::Slot(s) if Some(*s) == distinct)
            });
        let complete = keyed && self.later.is_empty();
        out.product = Some((at, complete));
        complete
    }

    /// Sends every group of the table out ([`Outflow`]), complete: their
    /// deferred keys computed (the distinct key keeps them apart), their
    /// rows through what follows the aggregation. The table, its index
    /// and the memory held for them are then cleared for the next groups.
    fn flow_out(&mut self) -> Result<()> {
        let Some(width) = self.outflow.as_ref().map(|o| o.width) else {
            return Ok(());
        };
        if self.groups.is_empty() {
            return Ok(());
        }
        let (w, a) = (self.keys.len(), self.aggs.len());
        let mut table = std::mem::replace(&mut self.groups, GroupTable::new(w, a));
        if self.deferred.iter().any(Option::is_some) {
            self.keys_in_place(&mut table, width)?;
        }
        if let Some(out) = &mut self.outflow {
            let run = Run {
                parts: table.pieces(&[]),
                interleaved: false,
                at: 0,
            };
            let (keys, aggs, ctx) = (self.keys, self.aggs, self.ctx);
            groups_after(
                run,
                &mut out.top,
                &mut out.kept,
                keys,
                aggs,
                width,
                out.after,
                ctx,
            )?;
            out.used = true;
            if out.top.is_none() {
                ctx.guard.check_rows(out.kept.len(), width)?;
            }
        }
        table.clear();
        self.groups = table;
        self.by_id.clear();
        self.index.clear();
        self.last = None;
        // The groups' memory is the table's again.
        self.held_groups = 0;
        self.pending = 0;
        self.hold.release_all();
        Ok(())
    }

    /// Feeds build rows `build` joined with each of `rows` to their
    /// `groups`; false, with nothing fed, where an argument's lanes cannot
    /// take them.
    fn feed_product(
        &mut self,
        plan: &BatchPlan,
        j: &HashJoin,
        build: &[Row],
        rows: &[Row],
        groups: &[usize],
    ) -> Result<bool> {
        let Some(b) = BuildRows::new(&j.slots, build, plan, self.ctx.snapshot) else {
            return Ok(false);
        };
        // A count or a sum of integers takes the chunk's totals; those of
        // a pattern count, summed over every incoming row at once where
        // they can be.
        let sums = |acc: &mut Accumulator| acc.add_ints(0, 0);
        let mut summed: SmallVec<[Option<Vec<i64>>; 4]> = SmallVec::new();
        for (a, arg) in plan.args.iter().enumerate() {
            let counted = match (arg, groups.first()) {
                (Some(batch::Lane::Count(sub)), Some(&g))
                    if self.groups.accs_of(g).get_mut(a).is_some_and(sums) =>
                {
                    crate::eval::tick(self.ctx)?;
                    // The incoming rows are the same for every chunk (a
                    // product's tasks each take all of them): their ends
                    // are added up once.
                    let at = std::sync::Arc::as_ptr(sub) as usize;
                    if !self.summed_ends.iter().any(|(s, _)| *s == at) {
                        let ends = b.summed_ends(sub, rows, self.ctx);
                        self.summed_ends.push((at, ends));
                    }
                    let ends = self.summed_ends.iter().find(|(s, _)| *s == at);
                    ends.and_then(|(_, e)| b.count_totals(sub, e.as_ref()?, self.ctx))
                }
                _ => None,
            };
            summed.push(counted);
        }
        let taken: SmallVec<[bool; 4]> = summed.iter().map(Option::is_some).collect();
        let mut args = Vec::with_capacity(rows.len());
        for row in rows {
            let mut ev = Evaluator {
                source: Source::Build(&b),
                row,
                ctx: self.ctx,
                locals: &mut self.locals,
            };
            match batch::arg_values_but(plan, self.template, &mut ev, &taken) {
                Some(a) => args.push(a),
                None => return Ok(false),
            }
        }
        // An aggregate at a time: a count or a sum of integers takes the
        // chunk's totals column by column, anything else each group's
        // values in the order its rows would have come.
        let per = rows.len() as u64;
        for a in 0..self.aggs.len() {
            let totals = match (summed.get(a), groups.first()) {
                (Some(Some(counts)), _) => {
                    Some(counts.iter().map(|c| (i128::from(*c), per)).collect())
                }
                (_, Some(&g)) if self.groups.accs_of(g).get_mut(a).is_some_and(sums) => {
                    batch::int_totals(&args, a, groups.len())
                }
                _ => None,
            };
            for (i, &g) in groups.iter().enumerate() {
                let Some(acc) = self.groups.accs_of(g).get_mut(a) else {
                    continue;
                };
                match totals.as_ref().and_then(|t| t.get(i)) {
                    Some(&(total, ints)) => {
                        acc.add_ints(total, ints);
                    }
                    None => batch::feed_element(acc, &args, a, i)?,
                }
            }
        }
        Ok(true)
    }

    /// Counts `k` more input rows, checking the guard every
    /// [`CHECK_EVERY`] rows and holding memory every [`HOLD_STEP`] bytes
    /// kept.
    #[inline(always)]
    fn count_rows(&mut self, k: usize) -> Result<()> {
        let before = self.seen;
        self.seen += k;
        self.pos += k as u64;
        let check = self.seen / CHECK_EVERY != before / CHECK_EVERY;
        if check || self.pending >= HOLD_STEP {
            self.hold_now(check)?;
        }
        Ok(())
    }
}

impl MatchSink for Groups<'_, '_> {
    fn batch(&mut self) -> Matches {
        std::mem::take(&mut self.matches)
    }

    fn take(&mut self, e: &Expand, row: &mut Row, m: &mut Matches) -> Result<bool> {
        self.take_batch(e, row, m)
    }

    fn done(&mut self, mut m: Matches) {
        m.clear();
        self.matches = m;
    }
}

impl split::Absorb for Groups<'_, '_> {
    fn absorb(&mut self, later: Self) -> Result<()> {
        self.merge(later)
    }
}

impl Sink for Groups<'_, '_> {
    fn begin_batch(&mut self, i: usize) {
        self.start_task(i);
    }

    fn match_sink(&mut self, e: &Expand) -> Option<&mut dyn MatchSink> {
        self.batch_plan(e)?;
        self.matches.reset(e);
        Some(self)
    }

    fn take_product(
        &mut self,
        j: &HashJoin,
        table: &JoinTable,
        range: Range<usize>,
        rows: &mut [Row],
    ) -> Option<Result<bool>> {
        if let Err(e) = self.take_waiting() {
            return Some(Err(e));
        }
        let plan = self.product_plan(j)?;
        Some(self.take_product_chunks(&plan, j, table, range, rows))
    }

    fn push(&mut self, row: &mut Row) -> Result<bool> {
        self.take_waiting()?;
        self.count_rows(1)?;
        let gi = self.group_of(row)?;
        self.update_group(gi, row)?;
        Ok(true)
    }
}

impl Groups<'_, '_> {
    /// Feeds `row`'s arguments to the accumulators of group `gi`.
    #[inline(always)]
    fn update_group(&mut self, gi: usize, row: &Row) -> Result<()> {
        let accs = self.groups.accs_of(gi);
        for ((a, acc), &keeps) in self.aggs.iter().zip(accs.iter_mut()).zip(&self.keeps) {
            match &a.arg {
                Some(e) if !keeps => {
                    eval::with_ref(e, row, &mut self.locals, self.ctx, |v, _| acc.update(v))?
                }
                Some(e) => {
                    let pending = &mut self.pending;
                    eval::with_ref(e, row, &mut self.locals, self.ctx, |v, _| {
                        let before = acc.kept();
                        acc.update(v)?;
                        if acc.kept() > before {
                            // DISTINCT keeps a value once, with the
                            // list's slack and the table's slot.
                            *pending += if a.distinct {
                                2 * VALUE_BYTES + eval::approx_bytes(v)
                            } else {
                                eval::approx_bytes(v)
                            };
                        }
                        Ok(())
                    })?
                }
                None => acc.update(&Value::Bool(true))?,
            }
        }
        Ok(())
    }
}

/// True for accumulators that keep the values they see (whose memory grows
/// with their input).
pub(super) fn keeps_values(a: &Accumulator) -> bool {
    matches!(
        a,
        Accumulator::Collect(_) | Accumulator::Percentile { .. } | Accumulator::Distinct { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{NameRef, NodeScan, Seek};
    use relgraph_cypher::ast::BinaryOp;

    fn scan(slot: usize, estimate: f64) -> Op {
        Op::NodeScan(NodeScan {
            slot,
            var: format!("n{slot}"),
            seek: Seek::All,
            labels: vec![],
            reads: vec![],
            estimate,
        })
    }

    fn prop(slot: usize) -> (CExpr, usize) {
        let key = NameRef {
            name: "k".into(),
            id: None,
        };
        (
            CExpr::Property(Box::new(CExpr::Slot(slot)), key, Default::default()),
            9,
        )
    }

    /// A key is computed once per group when its variable's value comes
    /// in two rows or more by the estimates, per row when about once, and
    /// once per group (as before) when its binding is not a scan or
    /// expansion of the segment or there is no segment.
    #[test]
    fn keys_are_deferred_where_their_variable_repeats() {
        let ops = [
            scan(0, 1000.0),
            scan(1, 40_000.0),
            Op::Filter(CExpr::Const(Value::Bool(true)), Some(30_000.0)),
        ];
        assert_eq!(deferral_pays(&ops, &[prop(0), prop(1)]), vec![true, false]);
        assert_eq!(deferral_pays(&ops[..1], &[prop(0)]), vec![false]);
        assert_eq!(deferral_pays(&[], &[prop(0)]), vec![true]);
        // Bound before a projection: the estimates are not comparable.
        let projected = [
            scan(0, 10.0),
            Op::Project {
                items: vec![(CExpr::Slot(0), 1)],
                names: vec!["m".into()],
            },
            scan(2, 10.0),
        ];
        assert_eq!(
            deferral_pays(&projected, &[prop(1), prop(0)]),
            vec![true, true]
        );
        // An expansion's target keeps the deferral, however its rows
        // compare: they count matches, and many share a target.
        let hop = Op::Expand(crate::plan::Expand {
            estimate: Some(500.0),
            ..crate::plan::Expand::plain(0, 1, 2)
        });
        let expanded = [scan(0, 100.0), hop];
        assert_eq!(
            deferral_pays(&expanded, &[prop(2), prop(1), prop(0)]),
            vec![true, true, true]
        );
        assert_eq!(deferral_pays(&expanded[..1], &[prop(0)]), vec![false]);
        // A key that is not one variable's is computed per row anyway.
        let (e, _) = prop(0);
        let sum = (
            CExpr::Binary(
                BinaryOp::Add,
                Box::new(e.clone()),
                Box::new(e),
                Default::default(),
            ),
            9,
        );
        assert_eq!(deferral_pays(&ops[..1], &[sum]), vec![true]);
    }

    /// The groups' estimate is the rows after the last scan or expansion
    /// binding a key's variable, or the rows at the end where fewer; none
    /// where the keys read nothing the segment binds.
    #[test]
    fn groups_are_estimated_where_their_keys_are_bound() {
        let hop = Op::Expand(crate::plan::Expand {
            estimate: Some(500.0),
            ..crate::plan::Expand::plain(0, 1, 2)
        });
        let ops = [
            scan(0, 100.0),
            hop,
            Op::Filter(CExpr::Const(Value::Bool(true)), Some(300.0)),
        ];
        assert_eq!(estimated_groups(&ops, &[prop(0)]), Some(100.0));
        assert_eq!(estimated_groups(&ops, &[prop(2)]), Some(300.0));
        assert_eq!(estimated_groups(&ops, &[prop(2), prop(0)]), Some(300.0));
        assert_eq!(estimated_groups(&ops[..2], &[prop(1)]), Some(500.0));
        assert_eq!(estimated_groups(&ops, &[prop(7)]), None);
        assert_eq!(estimated_groups(&[], &[prop(0)]), None);
    }

    /// A table that first fills short of its estimate makes room for all
    /// of it at once; one with no estimate grows as vectors do.
    #[test]
    fn a_table_grows_to_its_estimate_at_once() {
        let mut t = GroupTable {
            most: 10_000,
            ..GroupTable::new(1, 1)
        };
        let mut plain = GroupTable::new(1, 1);
        for table in [&mut t, &mut plain] {
            table.push([GroupKey(Value::Int(1))], [Accumulator::Count(1)], 0);
        }
        assert!(t.first.capacity() >= 10_000 && t.accs.capacity() >= 10_000);
        assert!(plain.first.capacity() < 10_000);
        for i in 2..=10_000 {
            t.push([GroupKey(Value::Int(i))], [Accumulator::Count(i)], 0);
        }
        assert_eq!(t.len(), 10_000);
    }

    /// Groups are handed out in the order of their first rows, each with
    /// its own keys and accumulators, whatever order they were added in
    /// (partials merged from tasks that started later).
    #[test]
    fn groups_come_back_in_first_row_order() {
        let mut t = GroupTable::new(1, 2);
        for (k, first) in [(10, 5u64), (20, 1), (30, 9), (40, 3)] {
            let accs = [Accumulator::Count(k), Accumulator::Count(-k)];
            t.push([GroupKey(Value::Int(k))], accs, first);
        }
        let (n, keys, accs) = in_first_order(vec![t]).into_parts();
        assert_eq!(n, 4);
        let keys: Vec<Value> = keys.map(|k| k.0).collect();
        assert_eq!(keys, [20, 40, 10, 30].map(Value::Int));
        let counts: Vec<Value> = accs.map(|a| a.finish().unwrap()).collect();
        assert_eq!(counts, [20, -20, 40, -40, 10, -10, 30, -30].map(Value::Int));
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;
    use crate::options::QueryOptions;
    use relgraph_graph::{NodeId, Snapshot};

    /// `count(*)` into slot 1.
    fn count_rows() -> [AggSpec; 1] {
        [AggSpec {
            name: "count".into(),
            distinct: false,
            arg: None,
            extra: vec![],
            slot: 1,
            text: "count(*)".into(),
        }]
    }

    /// Partials keyed by a node, counting rows: one over nodes `from..to`,
    /// each node's row pushed twice.
    fn partial<'a, 'c>(
        keys: &'a [(CExpr, usize)],
        aggs: &'a [AggSpec],
        template: &'a [Accumulator],
        ctx: &'a Ctx<'c>,
        nodes: std::ops::Range<u64>,
    ) -> Groups<'a, 'c> {
        partial_of_tasks(keys, aggs, template, ctx, &[(0, nodes)])
    }

    /// A partial over tasks: each `(task, nodes)` pushes each node's row
    /// twice, as rows of that task.
    fn partial_of_tasks<'a, 'c>(
        keys: &'a [(CExpr, usize)],
        aggs: &'a [AggSpec],
        template: &'a [Accumulator],
        ctx: &'a Ctx<'c>,
        tasks: &[(usize, std::ops::Range<u64>)],
    ) -> Groups<'a, 'c> {
        let mut g = Groups::new(keys, &[false], aggs, template, ctx, Room::default());
        for (task, nodes) in tasks {
            g.start_task(*task);
            for n in nodes.clone() {
                for _ in 0..2 {
                    let mut row = vec![Value::Node(NodeId(n)), Value::Null];
                    g.push(&mut row).expect("pushed");
                }
            }
        }
        g
    }

    /// The keys (node ids) and counts of finished groups, in order.
    fn keys_and_counts(groups: Finished) -> Vec<(u64, Value)> {
        keys_and_counts_in_runs(groups, usize::MAX).0
    }

    /// [`keys_and_counts`] read in runs of `per` groups; and how many runs.
    fn keys_and_counts_in_runs(mut groups: Finished, per: usize) -> (Vec<(u64, Value)>, usize) {
        let mut out = Vec::new();
        let runs = groups.runs(per);
        let n = runs.len();
        for (k, a) in runs.into_iter().flatten() {
            match &k[0].0 {
                Value::Node(n) => out.push((n.0, take_acc(&mut a[0]).finish().expect("a count"))),
                other => panic!("a node key, not {other:?}"),
            }
        }
        (out, n)
    }

    /// Large partials are merged in place: their new groups stay in their
    /// tables. The groups come back once each, with the rows of every
    /// partial counted, in the order of their first rows: as the tables
    /// are where they follow one another, moved into that order where
    /// they interleave.
    #[test]
    fn partials_merged_in_place_come_back_in_first_row_order() {
        let snap = Snapshot::empty();
        let owned = crate::exec::TestCtx::new(&QueryOptions::default());
        let ctx = owned.ctx(&snap);
        let keys = [(CExpr::Slot(0), 0)];
        let aggs = count_rows();
        let template = super::super::new_accs(&aggs).expect("accumulators");
        let make = |tasks: &[(usize, std::ops::Range<u64>)]| {
            partial_of_tasks(&keys, &aggs, &template, &ctx, tasks)
        };
        // Consecutive tasks, partly shared: 0..3000, 2000..5000, 4500..8000.
        let mut a = make(&[(0, 0..3000)]);
        a.merge(make(&[(1, 2000..5000)])).expect("merged");
        a.merge(make(&[(2, 4500..8000)])).expect("merged");
        let finished = a.finish(2).expect("finished");
        assert_eq!(
            (finished.tables.len(), finished.interleaved),
            (3, false),
            "tables in order are handed back as they are"
        );
        let got = keys_and_counts(finished);
        let shared = |n: u64| {
            [0..3000, 2000..5000, 4500..8000]
                .iter()
                .filter(|r| r.contains(&n))
                .count()
        };
        let want: Vec<(u64, Value)> = (0..8000)
            .map(|n| (n, Value::Int(2 * shared(n) as i64)))
            .collect();
        assert_eq!(got, want);
        // The same partials, the last two merged first: a partial holding
        // a table merged in place hands it over when it is merged.
        let mut c = make(&[(0, 0..3000)]);
        let mut d = make(&[(1, 2000..5000)]);
        d.merge(make(&[(2, 4500..8000)])).expect("merged");
        assert_eq!(d.later.len(), 1);
        c.merge(d).expect("merged");
        assert_eq!(keys_and_counts(c.finish(2).expect("finished")), want);
        // Interleaved tasks: the first partial ran tasks 0 and 2, the
        // second task 1 (with 1,000 nodes of task 0 again).
        let mut b = make(&[(0, 0..2000), (2, 4000..6000)]);
        b.merge(make(&[(1, 1000..4000)])).expect("merged");
        let finished = b.finish(2).expect("finished");
        assert_eq!(
            (finished.tables.len(), finished.interleaved),
            (2, true),
            "interleaved tables are merged where they lie"
        );
        let got = keys_and_counts(finished);
        let want: Vec<(u64, Value)> = (0..6000)
            .map(|n| (n, Value::Int(if (1000..2000).contains(&n) { 4 } else { 2 })))
            .collect();
        assert_eq!(got, want);
        // Read in runs of any size, the merge gives the same groups in
        // the same order.
        for per in [1, 7, 1000, 2999, 6000] {
            let mut b = make(&[(0, 0..2000), (2, 4000..6000)]);
            b.merge(make(&[(1, 1000..4000)])).expect("merged");
            let (got, runs) = keys_and_counts_in_runs(b.finish(2).expect("finished"), per);
            assert_eq!(runs, 6000usize.div_ceil(per), "runs of {per}");
            assert_eq!(got, want, "runs of {per}");
        }
    }

    /// A merge makes room at once for the groups a partial will add, and
    /// none for groups it shares; the counts come out the same either way.
    #[test]
    fn merges_make_room_for_new_groups_only() {
        let snap = Snapshot::empty();
        let owned = crate::exec::TestCtx::new(&QueryOptions::default());
        let ctx = owned.ctx(&snap);
        let keys = [(CExpr::Slot(0), 0)];
        let aggs = count_rows();
        let template = super::super::new_accs(&aggs).expect("accumulators");
        let make = |nodes| partial(&keys, &aggs, &template, &ctx, nodes);
        // Disjoint: room for all 5,000 new groups before the first insert.
        let (mut a, b) = (make(0..5000), make(5000..10_000));
        a.reserve_new(&b.groups, true);
        assert!(a.groups.first.capacity() >= 10_000);
        assert!(a.by_id.capacity() >= 10_000);
        // Shared: no room made.
        let (mut c, d) = (make(0..5000), make(0..5000));
        let before = (c.groups.first.capacity(), c.by_id.capacity());
        c.reserve_new(&d.groups, true);
        assert_eq!((c.groups.first.capacity(), c.by_id.capacity()), before);
        // A small partial: no sampling, no room made ahead.
        let (mut g, h) = (make(0..5000), make(5000..5100));
        g.groups.first.shrink_to_fit();
        g.reserve_new(&h.groups, true);
        assert_eq!(g.groups.first.capacity(), 5000);
        // Half shared: room for about half.
        let (mut e, f) = (make(0..5000), make(2500..7500));
        e.reserve_new(&f.groups, true);
        assert!(e.groups.first.capacity() >= 7000);
        // Groups (counts of 2 from one partial, 4 from both), and how many
        // came from both.
        for (mut x, y, groups, shared) in
            [(a, b, 10_000, 0), (c, d, 5000, 5000), (e, f, 7500, 2500)]
        {
            x.merge(y).expect("merged");
            let finished = x.finish(2).expect("finished");
            assert_eq!(finished.len(), groups);
            let counts: Vec<Value> = keys_and_counts(finished)
                .into_iter()
                .map(|(_, c)| c)
                .collect();
            let fours = counts.iter().filter(|c| **c == Value::Int(4)).count();
            let twos = counts.iter().filter(|c| **c == Value::Int(2)).count();
            assert_eq!((fours, twos), (shared, groups - shared), "{groups} groups");
        }
    }
}
