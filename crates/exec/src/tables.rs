//! What one run of a statement builds once and keeps in its context
//! ([`RunTables`], `Ctx::tables`), indexed by the numbers the optimizer
//! gave the plan's operators ([`TableCounts`]): run-time state stays out of
//! the plan, so a prepared plan can run again on another snapshot.

use std::sync::OnceLock;

use relgraph_graph::{Direction, NodeId, RelId, RelTypeId, Value};
use rustc_hash::FxHashMap;

use crate::value_ops::GroupKey;

/// How many run-time tables of each kind a plan's operators are numbered
/// into (the optimizer counts them as it makes the operators).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableCounts {
    /// Hash joins (`HashJoin::table`).
    pub joins: usize,
    /// Row-independent relationship id lists (`RelIdList::index`).
    pub rel_lists: usize,
    /// Variable-length expansions between bound nodes (`Expand::trails`).
    pub trails: usize,
    /// Decorrelated OPTIONAL MATCH clauses (`OptionalMemo::table`).
    pub optionals: usize,
    /// One-hop expansions between bound nodes (`Expand::hops`).
    pub hops: usize,
}

/// The tables of one run, each empty until an operator first needs it.
#[derive(Debug, Default)]
pub(crate) struct RunTables {
    pub joins: Vec<OnceLock<JoinTable>>,
    pub rel_lists: Vec<OnceLock<RelListIndex>>,
    pub trails: Vec<TrailCache>,
    pub optionals: Vec<OnceLock<OptionalRows>>,
    pub hops: Vec<HopCache>,
}

/// No tables: for contexts that run no plan (folding constants, access
/// conditions, tests).
pub(crate) static NO_TABLES: RunTables = RunTables {
    joins: Vec::new(),
    rel_lists: Vec::new(),
    trails: Vec::new(),
    optionals: Vec::new(),
    hops: Vec::new(),
};

impl RunTables {
    /// Empty tables for a plan that numbers `counts` of them.
    pub(crate) fn new(counts: TableCounts) -> Self {
        RunTables {
            joins: (0..counts.joins).map(|_| OnceLock::new()).collect(),
            rel_lists: (0..counts.rel_lists).map(|_| OnceLock::new()).collect(),
            trails: (0..counts.trails).map(|_| TrailCache::default()).collect(),
            optionals: (0..counts.optionals).map(|_| OnceLock::new()).collect(),
            hops: (0..counts.hops).map(|_| HopCache::default()).collect(),
        }
    }
}

/// The materialized build side of a hash join (`plan::HashJoin`).
#[derive(Clone, Debug, Default)]
pub(crate) struct JoinTable {
    /// The values of the join's params (`HashJoin::params`) it was built
    /// for.
    pub params: Vec<GroupKey>,
    /// Per build row, the values of the join's `slots`.
    pub rows: Vec<Vec<Value>>,
    /// Build rows by key; unused when the join has no keys.
    pub index: FxHashMap<Vec<GroupKey>, Vec<u32>>,
}

/// A row-independent relationship id list, its relationships indexed by
/// each end node (a self-loop once): built once per run.
#[derive(Debug, Default)]
pub(crate) struct RelListIndex {
    /// The list was not a list: read the adjacency (the filter after the
    /// expansion raises what it raises).
    pub(crate) not_a_list: bool,
    pub(crate) by_node: rustc_hash::FxHashMap<relgraph_graph::NodeId, Vec<relgraph_graph::RelRef>>,
}

/// The trails of one or two hops that end at one node, for a
/// variable-length expansion of at most two hops between bound nodes
/// whose far end is the same for many rows (`(p)-[:KNOWS*1..2]-(me)`
/// checked for every employee of a company): each row then finds its
/// trails by its start node instead of reading the far end's adjacency
/// again.
#[derive(Debug, Default)]
pub(crate) struct TrailCache {
    /// The far end of the first row that asked. The index is built when a
    /// later row asks with the same end, so an expansion whose far end
    /// changes with every row builds nothing.
    pub first_end: OnceLock<NodeId>,
    /// The index; `None` when that end has more trails than
    /// [`TrailIndex::MAX_TRAILS`].
    pub index: OnceLock<Option<TrailIndex>>,
}

/// Every trail of one or two hops into `end` (see [`TrailCache`]).
#[derive(Debug)]
pub(crate) struct TrailIndex {
    pub end: NodeId,
    /// The relationship types and the directions (seen from the start)
    /// it was built for.
    pub types: Vec<RelTypeId>,
    pub dirs: &'static [Direction],
    /// Sorted: by start node, then in the order a walk from the start
    /// finds them.
    pub trails: Vec<Trail>,
}

impl TrailIndex {
    /// The most trails an index holds (about 3 MB); an end with more is
    /// walked to from each start as without an index.
    pub const MAX_TRAILS: usize = 1 << 16;

    /// The trails from `start`, in the order a walk from `start` finds
    /// them.
    pub fn from(&self, start: NodeId) -> &[Trail] {
        let lo = self.trails.partition_point(|t| t.start < start);
        let n = self.trails[lo..].partition_point(|t| t.start == start);
        &self.trails[lo..lo + n]
    }
}

/// One trail of a [`TrailIndex`]. The fields are in the order of a walk
/// from `start` (adjacency list, then neighbour, then relationship; a
/// one-hop trail before the two-hop trails through the same step), so
/// sorting orders the trails as that walk finds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Trail {
    pub start: NodeId,
    /// The first step's adjacency list, seen from `start`: the index of
    /// its type times two plus the index of its direction.
    pub list: u32,
    /// The node after the first step (the end, for a one-hop trail).
    pub middle: NodeId,
    pub first: RelId,
    /// The second relationship; `None` for a one-hop trail.
    pub second: Option<RelId>,
}

/// One hop between two bound nodes one of which is the same for many
/// rows (`NOT (me)-[:KNOWS]-(fof)` checked for every `fof`): the shared
/// end's matching relationships are counted once, by their other end, and
/// each row looks its other end up there (one hash probe) instead of
/// reading the shared end's lists again.
#[derive(Debug, Default)]
pub(crate) struct HopCache {
    /// Both ends of the first row that asked. The index is built when a
    /// later row shares one of them, so an expansion whose ends both
    /// change with every row builds nothing.
    pub first: OnceLock<(NodeId, NodeId)>,
    /// The index; `None` when the shared end has more relationships than
    /// [`HopIndex::MAX_ENTRIES`].
    pub index: OnceLock<Option<HopIndex>>,
}

/// The relationships of one node that a one-hop expansion matches, by
/// their other end (see [`HopCache`]).
#[derive(Debug)]
pub(crate) struct HopIndex {
    /// The shared end.
    pub node: NodeId,
    /// Whether the shared end is the expansion's source (else its target).
    pub is_source: bool,
    /// Per other end, how many matching relationships lead there.
    others: Others,
}

/// The other ends of a [`HopIndex`] with their counts.
#[derive(Debug)]
enum Others {
    /// Found by hashing.
    Sparse(FxHashMap<NodeId, u32>),
    /// A bit per node id from `base` (set: one relationship or more), and
    /// the counts above one. Rows that ask in scan order read the bits in
    /// order (cookbook cb09 asks for each of 450,000 companies whether it
    /// is one of a vendor's 135,000 customers, all within 450,000 ids: 56
    /// KB of bits instead of a 3 MB table probed at random).
    Dense {
        base: u64,
        bits: Vec<u64>,
        more: FxHashMap<NodeId, u32>,
    },
}

impl HopIndex {
    /// The most relationships an index counts (its table then takes up to
    /// 24 MB); a node with more is read as without an index.
    pub const MAX_ENTRIES: usize = 1 << 20;

    /// The index of `others` (per other end, how many relationships lead
    /// there): bits over their ids where those span at most 64 ids per
    /// end (the bits then take no more than a table would), else a table.
    pub fn new(node: NodeId, is_source: bool, others: FxHashMap<NodeId, u32>) -> Self {
        let lo = others.keys().map(|n| n.0).min().unwrap_or(0);
        let hi = others.keys().map(|n| n.0).max().unwrap_or(0);
        let words = (hi - lo) / 64 + 1;
        let others = if words <= others.len() as u64 {
            Others::dense(lo, words as usize, others)
        } else {
            Others::Sparse(others)
        };
        HopIndex {
            node,
            is_source,
            others,
        }
    }

    /// [`HopIndex::new`] always as a table (for tests of both kinds).
    #[cfg(test)]
    pub fn sparse(node: NodeId, is_source: bool, others: FxHashMap<NodeId, u32>) -> Self {
        HopIndex {
            node,
            is_source,
            others: Others::Sparse(others),
        }
    }

    /// Whether the other ends are held as bits.
    #[cfg(test)]
    pub fn is_dense(&self) -> bool {
        matches!(self.others, Others::Dense { .. })
    }

    /// How many relationships the expansion matches from `from` to `to`,
    /// if this index is of one of them.
    pub fn count(&self, from: NodeId, to: NodeId) -> Option<usize> {
        let (shared, other) = if self.is_source {
            (from, to)
        } else {
            (to, from)
        };
        if shared != self.node {
            return None;
        }
        Some(self.others.count(other) as usize)
    }
}

impl Others {
    /// Bits for ids from `base`, `words` words of them, and the counts
    /// above one.
    fn dense(base: u64, words: usize, others: FxHashMap<NodeId, u32>) -> Self {
        let mut bits = vec![0u64; words];
        let mut more = FxHashMap::default();
        for (n, c) in others {
            let at = n.0 - base;
            bits[(at / 64) as usize] |= 1 << (at % 64);
            if c > 1 {
                more.insert(n, c);
            }
        }
        Others::Dense { base, bits, more }
    }

    /// How many relationships lead to `other`.
    #[inline]
    fn count(&self, other: NodeId) -> u32 {
        match self {
            Others::Sparse(map) => map.get(&other).copied().unwrap_or(0),
            Others::Dense { base, bits, more } => {
                let Some(at) = other.0.checked_sub(*base) else {
                    return 0;
                };
                let set = bits
                    .get((at / 64) as usize)
                    .is_some_and(|w| w & (1 << (at % 64)) != 0);
                match set {
                    false => 0,
                    true if more.is_empty() => 1,
                    true => more.get(&other).copied().unwrap_or(1),
                }
            }
        }
    }
}

/// The matches of a decorrelated OPTIONAL MATCH (`plan::OptionalMemo`),
/// kept for one run.
#[derive(Debug)]
pub(crate) struct OptionalRows {
    /// The values of the memo's params they were matched for.
    pub params: Vec<GroupKey>,
    /// `None`: the pattern had more matches than are worth keeping; every
    /// row is matched by the correlated operators.
    pub rows: Option<KeptMatches>,
}

/// Matches by the values of the memo's keys.
#[derive(Debug, Default)]
pub(crate) struct KeptMatches {
    /// The slots the pattern binds (other than the keys).
    pub slots: Vec<usize>,
    /// Per match, the values of `slots`.
    pub values: Vec<Vec<Value>>,
    /// Matches by their keys' values.
    pub index: FxHashMap<Vec<GroupKey>, Vec<u32>>,
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use relgraph_graph::NodeId;
    use rustc_hash::FxHashMap;

    use super::HopIndex;

    /// A hop index held as bits counts what one held as a table counts,
    /// for every id inside and around the span of its other ends, counts
    /// above one included; ends spread too far apart are held as a table.
    #[test]
    fn dense_hop_index_counts_as_the_table_does() {
        let mut rng = StdRng::seed_from_u64(11);
        let (mut dense, mut sparse) = (0, 0);
        for round in 0..300 {
            let base = rng.random_range(0..1_000u64);
            let span = if round % 3 == 0 { 20_000 } else { 300 };
            let mut others = FxHashMap::default();
            for _ in 0..rng.random_range(0..120) {
                let n = NodeId(base + rng.random_range(0..span));
                *others.entry(n).or_insert(0) += rng.random_range(1..=3u32);
            }
            let table = HopIndex::sparse(NodeId(7), true, others.clone());
            let index = HopIndex::new(NodeId(7), true, others.clone());
            if index.is_dense() {
                dense += 1;
            } else {
                sparse += 1;
            }
            for id in 0..base + span + 200 {
                let n = NodeId(id);
                let want = others.get(&n).map_or(0, |c| *c as usize);
                assert_eq!(table.count(NodeId(7), n), Some(want));
                assert_eq!(index.count(NodeId(7), n), Some(want), "id {id}");
                assert_eq!(index.count(n, NodeId(7)).filter(|_| id != 7), None);
            }
        }
        assert!(dense > 50 && sparse > 50, "{dense} dense, {sparse} sparse");
    }
}
