//! A change set: the unit of a write. The executor (or the importer, or the
//! Rust API) describes a transaction's effects as a list of [`Change`]s; the
//! snapshot applies and validates them, the store persists them as one
//! atomic record.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::ids::{LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::Value;

/// One primitive change to the graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// Creates a node with a fresh id.
    CreateNode {
        /// The new node's id (from [`crate::Snapshot::next_node_id`] onwards).
        id: NodeId,
        /// Its labels.
        labels: Vec<LabelId>,
        /// Its properties (no nulls).
        props: Vec<(PropKeyId, Value)>,
    },
    /// Deletes a node, which must have no relationships left.
    DeleteNode {
        /// The node.
        id: NodeId,
    },
    /// Creates a relationship with a fresh id.
    CreateRel {
        /// The new relationship's id.
        id: RelId,
        /// Its type.
        rel_type: RelTypeId,
        /// Start node.
        src: NodeId,
        /// End node.
        dst: NodeId,
        /// Its properties (no nulls).
        props: Vec<(PropKeyId, Value)>,
    },
    /// Deletes a relationship.
    DeleteRel {
        /// The relationship.
        id: RelId,
    },
    /// Sets a node property; `Value::Null` removes it.
    SetNodeProp {
        /// The node.
        id: NodeId,
        /// The key.
        key: PropKeyId,
        /// The new value.
        value: Value,
    },
    /// Sets a relationship property; `Value::Null` removes it.
    SetRelProp {
        /// The relationship.
        id: RelId,
        /// The key.
        key: PropKeyId,
        /// The new value.
        value: Value,
    },
    /// Adds a label to a node (no-op if present).
    AddLabel {
        /// The node.
        id: NodeId,
        /// The label.
        label: LabelId,
    },
    /// Removes a label from a node (no-op if absent).
    RemoveLabel {
        /// The node.
        id: NodeId,
        /// The label.
        label: LabelId,
    },
}

/// The effects of one transaction, applied atomically.
///
/// ```
/// use relgraph_graph::{ChangeSet, Change, NodeId};
/// let mut cs = ChangeSet::default();
/// cs.changes.push(Change::CreateNode { id: NodeId(0), labels: vec![], props: vec![] });
/// assert!(!cs.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// The catalog after this transaction, when the transaction interned new
    /// names or changed the schema; `None` when the catalog is unchanged.
    pub catalog: Option<CatalogSnapshot>,
    /// The changes, in the order they were made.
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// True when applying this change set would change nothing.
    pub fn is_empty(&self) -> bool {
        self.catalog.is_none() && self.changes.is_empty()
    }
}

/// A whole catalog carried inside a change set (catalogs are small).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CatalogSnapshot(pub Catalog);

impl PartialEq for CatalogSnapshot {
    fn eq(&self, other: &Self) -> bool {
        // Catalogs are compared by their names and schema.
        self.0.labels().names() == other.0.labels().names()
            && self.0.rel_types().names() == other.0.rel_types().names()
            && self.0.prop_keys().names() == other.0.prop_keys().names()
            && self.0.indexes == other.0.indexes
            && self.0.constraints == other.0.constraints
            && self.0.property_types == other.0.property_types
            && self.0.policies == other.0.policies
    }
}
