//! Whole-entity records: how import builds a graph and how the store's base
//! blocks hold it.

use serde::{Deserialize, Serialize};

use crate::ids::{LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::Value;

/// A node with its labels and properties.
///
/// ```
/// use relgraph_graph::record::NodeRecord;
/// use relgraph_graph::NodeId;
/// let n = NodeRecord { id: NodeId(0), labels: vec![], props: vec![] };
/// assert!(n.props.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeRecord {
    /// Id.
    pub id: NodeId,
    /// Labels, ascending, no duplicates.
    pub labels: Vec<LabelId>,
    /// Properties, ascending by key, no nulls.
    pub props: Vec<(PropKeyId, Value)>,
}

/// A relationship with its endpoints and properties.
///
/// ```
/// use relgraph_graph::record::RelRecord;
/// use relgraph_graph::{NodeId, RelId, RelTypeId};
/// let r = RelRecord { id: RelId(0), rel_type: RelTypeId(0), src: NodeId(0), dst: NodeId(1), props: vec![] };
/// assert_eq!(r.dst, NodeId(1));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelRecord {
    /// Id.
    pub id: RelId,
    /// Type.
    pub rel_type: RelTypeId,
    /// Start node.
    pub src: NodeId,
    /// End node.
    pub dst: NodeId,
    /// Properties, ascending by key, no nulls.
    pub props: Vec<(PropKeyId, Value)>,
}
