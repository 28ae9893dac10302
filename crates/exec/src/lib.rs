//! relgraph-exec: binder, logical plan, optimizer and parallel batch executor.
//!
//! Architecture invariant: the executor reads snapshots, never the store.

#![warn(missing_docs)]

pub mod error;
pub mod result;
pub mod functions;
pub mod value_ops;
