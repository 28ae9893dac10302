//! Query results as users see them: column names, rows of materialized
//! values (nodes carry their labels and properties), and write statistics.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A value in a query result. Unlike the executor's internal value, graph
/// entities are materialized with their labels/type and properties, so a
/// result can outlive the snapshot it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultValue {
    /// null
    Null,
    /// boolean
    Bool(bool),
    /// integer
    Int(i64),
    /// float
    Float(f64),
    /// string
    String(String),
    /// list
    List(Vec<ResultValue>),
    /// map
    Map(BTreeMap<String, ResultValue>),
    /// date
    Date(Date),
    /// local time
    LocalTime(LocalTime),
    /// time with offset
    Time(Time),
    /// local date-time
    LocalDateTime(LocalDateTime),
    /// zoned date-time
    DateTime(DateTime),
    /// duration
    Duration(Duration),
    /// a node
    Node(NodeValue),
    /// a relationship
    Relationship(RelValue),
    /// a path
    Path(PathValue),
}

/// A materialized node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeValue {
    /// Its id.
    pub id: u64,
    /// Label names.
    pub labels: Vec<String>,
    /// Properties by name.
    pub properties: BTreeMap<String, ResultValue>,
}

/// A materialized relationship.
#[derive(Clone, Debug, PartialEq)]
pub struct RelValue {
    /// Its id.
    pub id: u64,
    /// Type name.
    pub rel_type: String,
    /// Start node id.
    pub start: u64,
    /// End node id.
    pub end: u64,
    /// Properties by name.
    pub properties: BTreeMap<String, ResultValue>,
}

/// A materialized path: `nodes.len() == rels.len() + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathValue {
    /// Nodes in order.
    pub nodes: Vec<NodeValue>,
    /// Relationships in order of traversal.
    pub rels: Vec<RelValue>,
}

/// Counters of what a write query changed (as the openCypher TCK counts them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryStats {
    /// Nodes created.
    pub nodes_created: u64,
    /// Nodes deleted.
    pub nodes_deleted: u64,
    /// Relationships created.
    pub relationships_created: u64,
    /// Relationships deleted.
    pub relationships_deleted: u64,
    /// Properties set (including removals by setting null).
    pub properties_set: u64,
    /// Labels added.
    pub labels_added: u64,
    /// Labels removed.
    pub labels_removed: u64,
    /// Indexes added.
    pub indexes_added: u64,
    /// Indexes removed.
    pub indexes_removed: u64,
    /// Constraints added.
    pub constraints_added: u64,
    /// Constraints removed.
    pub constraints_removed: u64,
}

/// The outcome of one statement.
#[derive(Clone, Debug, Default)]
pub struct QueryResult {
    /// Column names in order.
    pub columns: Arc<[String]>,
    /// Rows; each has one value per column.
    pub rows: Vec<Vec<ResultValue>>,
    /// Write counters.
    pub stats: QueryStats,
    /// The plan (EXPLAIN), or the plan with per-operator rows and time (PROFILE).
    pub plan: Option<String>,
}
