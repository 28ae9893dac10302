//! relgraph-exec: binder, logical plan, optimizer and parallel batch executor.
//!
//! [`execute`] compiles a parsed statement against a [`relgraph_graph::Snapshot`]
//! (binding variables to row slots and planning pattern matching by
//! selectivity), runs the pipeline in parallel over morsels with rayon, and
//! returns a materialized [`result::QueryResult`] plus the
//! [`relgraph_graph::ChangeSet`] of its writes.
//!
//! Architecture invariant: the executor reads snapshots, never the store.

#![warn(missing_docs)]

pub mod error;
pub mod functions;
pub mod procedures;
pub mod result;
pub mod standing;
pub mod value_ops;

mod access;
mod compile;
mod engine;
mod eval;
mod exec;
mod hosts;
mod materialize;
mod optimize;
mod options;
mod params;
mod plan;
mod schema;
mod tables;

pub use access::restrict;
pub use compile::is_read_only;
pub use engine::{execute, execute_in, execute_streaming, prepare, Outcome, Prepared};
pub use options::{
    query_too_long, QueryOptions, EXEC_STACK_BUDGET, MAX_PATTERN_LENGTH, MAX_VALUE_DEPTH,
};
pub use params::LateParams;
