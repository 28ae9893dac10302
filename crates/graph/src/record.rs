//! Whole-entity records: how import builds a graph and how the store's base
//! blocks hold it, and [`RecordSink`], where a stream of them goes (a new
//! database's base image with [`crate::Graph::create_from_records`], or
//! [`Records`] in memory).

use serde::{Deserialize, Serialize};

use crate::error::Result;
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

/// Where a stream of records goes: every node, then every relationship,
/// each kind in ascending id order (give ids densely from 0: an id skipped
/// is a node or relationship that does not exist).
/// [`crate::Graph::create_from_records`] rejects a node after a
/// relationship or an id out of order with [`crate::GraphError::Invalid`],
/// and a relationship whose end was not pushed with
/// [`crate::GraphError::NodeNotFound`].
///
/// ```
/// use relgraph_graph::record::{NodeRecord, RecordSink, Records};
/// use relgraph_graph::NodeId;
/// fn two_nodes(sink: &mut dyn RecordSink) -> relgraph_graph::Result<()> {
///     for i in 0..2 {
///         sink.push_node(NodeRecord { id: NodeId(i), labels: vec![], props: vec![] })?;
///     }
///     Ok(())
/// }
/// let mut records = Records::default();
/// two_nodes(&mut records).unwrap();
/// assert_eq!(records.nodes.len(), 2);
/// ```
pub trait RecordSink {
    /// Adds a node: labels ascending and distinct, properties ascending by
    /// key without nulls.
    fn push_node(&mut self, node: NodeRecord) -> Result<()>;
    /// Adds a relationship between nodes already added.
    fn push_rel(&mut self, rel: RelRecord) -> Result<()>;
}

impl<S: RecordSink + ?Sized> RecordSink for &mut S {
    fn push_node(&mut self, node: NodeRecord) -> Result<()> {
        (**self).push_node(node)
    }
    fn push_rel(&mut self, rel: RelRecord) -> Result<()> {
        (**self).push_rel(rel)
    }
}

/// A [`RecordSink`] that keeps the records in memory, as they come (for
/// `Snapshot::from_records`, or tests).
///
/// ```
/// use relgraph_graph::record::{NodeRecord, RecordSink, RelRecord, Records};
/// use relgraph_graph::{NodeId, RelId, RelTypeId};
/// let mut r = Records::default();
/// r.push_node(NodeRecord { id: NodeId(0), labels: vec![], props: vec![] }).unwrap();
/// r.push_rel(RelRecord { id: RelId(0), rel_type: RelTypeId(0), src: NodeId(0), dst: NodeId(0), props: vec![] }).unwrap();
/// assert_eq!((r.nodes.len(), r.rels.len()), (1, 1));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    /// The nodes, in the order they were pushed.
    pub nodes: Vec<NodeRecord>,
    /// The relationships, in the order they were pushed.
    pub rels: Vec<RelRecord>,
}

impl RecordSink for Records {
    fn push_node(&mut self, node: NodeRecord) -> Result<()> {
        self.nodes.push(node);
        Ok(())
    }
    fn push_rel(&mut self, rel: RelRecord) -> Result<()> {
        self.rels.push(rel);
        Ok(())
    }
}
