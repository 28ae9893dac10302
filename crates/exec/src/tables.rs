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
    pub others: FxHashMap<NodeId, u32>,
}

impl HopIndex {
    /// The most relationships an index counts (its table then takes up to
    /// 24 MB); a node with more is read as without an index.
    pub const MAX_ENTRIES: usize = 1 << 20;

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
        Some(self.others.get(&other).map_or(0, |n| *n as usize))
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
