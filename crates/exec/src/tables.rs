//! What one run of a statement builds once and keeps in its context
//! (`Ctx::joins`, `Ctx::rel_lists`), indexed by the numbers the optimizer
//! gave the plan's operators: run-time state stays out of the plan, so a
//! prepared plan can run again on another snapshot.

use relgraph_graph::Value;
use rustc_hash::FxHashMap;

use crate::value_ops::GroupKey;

/// The materialized build side of a hash join (`plan::HashJoin`).
#[derive(Clone, Debug, Default)]
pub(crate) struct JoinTable {
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
