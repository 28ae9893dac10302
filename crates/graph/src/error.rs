//! The graph crate's error type.

use std::path::PathBuf;

use crate::ids::{NodeId, RelId};

/// Everything that can go wrong in storage, snapshots and import.
///
/// ```
/// use relgraph_graph::GraphError;
/// let e = GraphError::Locked { path: "db".into() };
/// assert!(e.to_string().contains("locked by another process"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// An operating-system I/O error.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The key-value backend failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// Another process holds the database open.
    #[error("database at {path} is locked by another process")]
    Locked {
        /// The database directory.
        path: PathBuf,
    },
    /// The directory exists but is not a relgraph database.
    #[error("{path} is not a relgraph database: {reason}")]
    NotADatabase {
        /// The directory.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The database was written in a format this version cannot read.
    #[error(
        "database format version {found} is not supported (this build reads version {expected})"
    )]
    FormatVersion {
        /// The version on disk.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// A stored record could not be decoded.
    #[error("corrupt record in {tree} at key {key}: {reason}")]
    Corrupt {
        /// The tree (table) holding it.
        tree: String,
        /// The key, rendered in hex.
        key: String,
        /// What failed.
        reason: String,
    },
    /// The key-value store's own files are damaged (sled found a bad page).
    #[error("damaged database files: {0}")]
    DamagedStore(String),
    /// A segment file of the base image is missing, has the wrong size, or
    /// does not match its checksum or directory.
    #[error("damaged segment file {file}: {reason}")]
    CorruptSegment {
        /// The segment file (its path, or its name for in-memory databases).
        file: String,
        /// What does not match.
        reason: String,
    },
    /// A node was deleted while it still had relationships.
    #[error("cannot delete node {0} because it still has relationships; use DETACH DELETE")]
    NodeHasRelationships(NodeId),
    /// A change referenced a node that does not exist.
    #[error("node {0} does not exist")]
    NodeNotFound(NodeId),
    /// A change referenced a relationship that does not exist.
    #[error("relationship {0} does not exist")]
    RelNotFound(RelId),
    /// A unique constraint would be violated.
    #[error("node {node} already has label {label} and property {key} = {value}, violating constraint {constraint}")]
    ConstraintViolation {
        /// The constraint's name.
        constraint: String,
        /// The label.
        label: String,
        /// The key.
        key: String,
        /// The duplicated value, rendered.
        value: String,
        /// The node that already holds the value.
        node: NodeId,
    },
    /// A value does not fit a declared property type, or is not storable.
    #[error("invalid property value for {key}: {reason}")]
    InvalidProperty {
        /// The property key.
        key: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Another writer holds the write lock longer than the timeout allows.
    #[error("timed out after {waited_ms} ms waiting for the write lock (another write transaction is open)")]
    WriterBusy {
        /// How long this writer waited.
        waited_ms: u64,
    },
    /// An erasure deleted its entities, but snapshots taken before it are
    /// still held, and they read the file regions erasure must overwrite.
    #[error(
        "the erased entities are deleted, but {readers} snapshot(s) taken before the erasure \
         were still held after {waited_ms} ms; the database files keep copies of them until \
         those readers finish and the erasure completes (Graph::finish_erasure, closing, or \
         the next open)"
    )]
    ErasureBlocked {
        /// Snapshots from before the erasure still held.
        readers: usize,
        /// How long the erasure waited for them.
        waited_ms: u64,
    },
    /// A bad row or header in an import file.
    #[error("{file}:{line}:{column}: {reason}")]
    Import {
        /// The file.
        file: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column (field) number.
        column: u64,
        /// What is wrong.
        reason: String,
    },
    /// An invalid argument to an API call or command.
    #[error("{0}")]
    Invalid(String),
}

/// The graph crate's result type.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;
