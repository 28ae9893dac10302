//! Immutable, memory-resident snapshots of the graph.
//!
//! CONTRACT (shared with crates/exec; change only in coordination):
//! every method below keeps its signature. Implementation: chunked
//! copy-on-write storage (see docs/architecture.md): nodes live in chunks of
//! a fixed number of consecutive ids; each chunk holds label membership,
//! columnar properties and CSR adjacency per (relationship type, direction);
//! `apply` clones only the chunks a change set touches.

use std::ops::{Bound, Range};

use crate::catalog::Catalog;
use crate::change::ChangeSet;
use crate::error::Result;
use crate::ids::{Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::record::{NodeRecord, RelRecord};
use crate::value::Value;

/// One entry of an adjacency list: the node at the other end and the
/// relationship that leads there. Lists are sorted by `(node, rel)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Adj {
    /// The neighbour.
    pub node: NodeId,
    /// The relationship.
    pub rel: RelId,
}

/// A relationship's identity and endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelRef {
    /// Its id.
    pub id: RelId,
    /// Its type.
    pub rel_type: RelTypeId,
    /// Start node.
    pub src: NodeId,
    /// End node.
    pub dst: NodeId,
}

/// An immutable view of the whole graph at one committed version. Cloning is
/// cheap (reference counted). Readers keep the snapshot they started with.
#[derive(Clone)]
pub struct Snapshot {
    _todo: (),
}

#[allow(unused_variables, missing_docs)]
impl Snapshot {
    /// An empty graph with an empty catalog at version 0.
    pub fn empty() -> Snapshot {
        todo!()
    }
    /// The commit version this snapshot reflects.
    pub fn version(&self) -> u64 {
        todo!()
    }
    /// Interned names and schema as of this snapshot.
    pub fn catalog(&self) -> &Catalog {
        todo!()
    }
    /// Number of live nodes.
    pub fn node_count(&self) -> u64 {
        todo!()
    }
    /// Number of live relationships.
    pub fn rel_count(&self) -> u64 {
        todo!()
    }
    /// The id the next created node must take (ids are dense, never reused).
    pub fn next_node_id(&self) -> NodeId {
        todo!()
    }
    /// The id the next created relationship must take.
    pub fn next_rel_id(&self) -> RelId {
        todo!()
    }
    pub fn node_exists(&self, n: NodeId) -> bool {
        todo!()
    }
    /// Labels of a node, ascending by id; empty for a missing node.
    pub fn node_labels(&self, n: NodeId) -> &[LabelId] {
        todo!()
    }
    pub fn has_label(&self, n: NodeId, l: LabelId) -> bool {
        todo!()
    }
    pub fn node_property(&self, n: NodeId, k: PropKeyId) -> Option<&Value> {
        todo!()
    }
    /// All properties of a node, sorted by key id.
    pub fn node_properties(&self, n: NodeId) -> Vec<(PropKeyId, Value)> {
        todo!()
    }
    pub fn rel(&self, r: RelId) -> Option<RelRef> {
        todo!()
    }
    pub fn rel_property(&self, r: RelId, k: PropKeyId) -> Option<&Value> {
        todo!()
    }
    /// All properties of a relationship, sorted by key id.
    pub fn rel_properties(&self, r: RelId) -> Vec<(PropKeyId, Value)> {
        todo!()
    }
    /// Number of live nodes carrying label `l`.
    pub fn label_count(&self, l: LabelId) -> u64 {
        todo!()
    }
    /// Number of live relationships of type `t`.
    pub fn rel_type_count(&self, t: RelTypeId) -> u64 {
        todo!()
    }
    /// Live node ids, ascending.
    pub fn nodes(&self) -> Box<dyn Iterator<Item = NodeId> + '_> {
        todo!()
    }
    /// Live node ids carrying `l`, ascending.
    pub fn nodes_with_label(&self, l: LabelId) -> Box<dyn Iterator<Item = NodeId> + '_> {
        todo!()
    }
    /// Disjoint id ranges covering `0..next_node_id`, one per chunk, for
    /// parallel (morsel-driven) scans.
    pub fn node_morsels(&self) -> Vec<Range<u64>> {
        todo!()
    }
    /// Live nodes in `range` carrying `l` (or all live nodes when `l` is None), ascending.
    pub fn nodes_in_range(&self, range: Range<u64>, l: Option<LabelId>) -> Vec<NodeId> {
        todo!()
    }
    /// Adjacency of `n` over relationships of type `t` in direction `dir`,
    /// sorted by `(node, rel)`. A self-loop appears in both directions' lists.
    pub fn neighbors(&self, n: NodeId, t: RelTypeId, dir: Direction) -> &[Adj] {
        todo!()
    }
    /// Live relationships, ascending by id.
    pub fn rels(&self) -> Box<dyn Iterator<Item = RelRef> + '_> {
        todo!()
    }
    /// Nodes with label `label` whose property `key` equals `value` under
    /// Cypher equality (1 = 1.0), ascending; `None` when no index exists.
    pub fn index_lookup(&self, label: LabelId, key: PropKeyId, value: &Value) -> Option<Vec<NodeId>> {
        todo!()
    }
    /// Nodes with label `label` whose property `key` lies in the range
    /// (values of the bounds' type family only: numbers with numbers,
    /// strings with strings, ...), ascending by id; `None` when no index exists.
    pub fn index_range(
        &self,
        label: LabelId,
        key: PropKeyId,
        lower: Bound<&Value>,
        upper: Bound<&Value>,
    ) -> Option<Vec<NodeId>> {
        todo!()
    }
    /// Applies a change set, validating it (existence, no dangling
    /// relationships, unique constraints, declared types, storable values),
    /// and returns the new snapshot with `version + 1`. On error, nothing
    /// changes. Only the chunks the change touches are copied.
    pub fn apply(&self, changes: &ChangeSet) -> Result<Snapshot> {
        todo!()
    }
    /// Builds a snapshot from whole records (import, store load). Records
    /// may come in any order; ids must be below the given bounds; every
    /// relationship's endpoints must exist. Builds in parallel (rayon).
    pub fn from_records(
        catalog: Catalog,
        version: u64,
        next_node_id: NodeId,
        next_rel_id: RelId,
        nodes: Vec<NodeRecord>,
        rels: Vec<RelRecord>,
    ) -> Result<Snapshot> {
        todo!()
    }
    /// Live nodes with ids in `range`, as records, ascending (store checkpoints).
    pub fn node_records(&self, range: Range<u64>) -> Vec<NodeRecord> {
        todo!()
    }
    /// Live relationships with ids in `range`, as records, ascending.
    pub fn rel_records(&self, range: Range<u64>) -> Vec<RelRecord> {
        todo!()
    }
}
