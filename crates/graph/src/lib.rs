//! relgraph-graph: the data model and storage of relgraph.
//!
//! - [`Value`], ids ([`NodeId`], [`RelId`], ...), the [`Catalog`] of interned
//!   names and declared schema;
//! - [`ChangeSet`]: the unit of a write;
//! - [`kv`]: the ordered key-value interface with sled and in-memory backends;
//! - [`store`]: the durable store of record (base blocks + delta log) and the
//!   [`Graph`] handle that serializes writers and publishes snapshots;
//! - [`snapshot`]: immutable, memory-resident snapshots (CSR adjacency,
//!   columnar properties) that every query reads;
//! - [`import`]: bulk import of neo4j-admin style CSV files.
//!
//! Architecture invariant: this crate knows nothing of Cypher.

#![warn(missing_docs)]

pub mod access;
pub mod catalog;
pub mod change;
pub mod error;
pub mod ids;
pub mod import;
pub mod kv;
pub mod record;
pub mod snapshot;
pub mod store;
pub mod temporal;
pub mod value;

pub use catalog::Catalog;
pub use change::{Change, ChangeSet};
pub use error::{GraphError, Result};
pub use ids::{Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId};
pub use snapshot::{
    Adj, AdjIter, AdjSlice, DamageMark, NeighborLists, NodeProbe, PropStr, RelRef, Snapshot, StrEq,
};
pub use store::Graph;
pub use value::{Path, Scalar, Value};
