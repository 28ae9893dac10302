//! relgraph: an embeddable relationship-graph query engine with its own
//! durable store.
//!
//! CONTRACT (shared with crates/tck, crates/cli, tests, examples): the public
//! signatures below stay; implementation pending in this session.

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

pub use relgraph_exec::result::{NodeValue, PathValue, QueryResult, QueryStats, RelValue, ResultValue};
pub use relgraph_graph::store::{Durability, OpenOptions};
pub use relgraph_graph::{Snapshot, Value};

/// Query parameters by name.
pub type Params = BTreeMap<String, Value>;

/// When an error was detected, in openCypher TCK terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// While parsing, binding or planning (nothing ran).
    Compile,
    /// While running.
    Runtime,
}

/// Any relgraph error.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Rendered message (for query errors: with line, column and caret).
    pub message: String,
    /// TCK error type: SyntaxError, SemanticError, TypeError, ArgumentError,
    /// EntityNotFound, ConstraintVerificationFailed, ConstraintValidationFailed,
    /// DatabaseError, ...
    pub kind: &'static str,
    /// TCK detail code (e.g. `UndefinedVariable`), when one applies.
    pub detail: Option<&'static str>,
    /// When it was detected.
    pub phase: Phase,
}

/// relgraph's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An open database.
pub struct Database {
    _todo: (),
}

#[allow(unused_variables)]
impl Database {
    /// Opens or creates the database in `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        todo!()
    }
    /// Opens with options.
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Database> {
        todo!()
    }
    /// A new empty in-memory database.
    pub fn in_memory() -> Database {
        todo!()
    }
    /// Runs one statement in its own transaction.
    pub fn query(&self, text: &str, params: &Params) -> Result<QueryResult> {
        todo!()
    }
    /// Starts an explicit write transaction.
    pub fn begin_write(&self) -> Result<Transaction> {
        todo!()
    }
    /// The latest committed snapshot.
    pub fn snapshot(&self) -> Snapshot {
        todo!()
    }
}

/// An explicit write transaction; rolled back on drop unless committed.
pub struct Transaction {
    _todo: (),
}

#[allow(unused_variables)]
impl Transaction {
    /// Runs a statement inside the transaction; it sees earlier statements' writes.
    pub fn query(&mut self, text: &str, params: &Params) -> Result<QueryResult> {
        todo!()
    }
    /// Commits.
    pub fn commit(self) -> Result<()> {
        todo!()
    }
    /// Rolls back.
    pub fn rollback(self) {}
}
