//! The durable store of record and the [`Graph`] handle.
//!
//! CONTRACT (shared with crates/exec and the facade; change only in
//! coordination): the public signatures below stay.

use std::path::Path;
use std::time::Duration;

use crate::change::ChangeSet;
use crate::error::Result;
use crate::snapshot::Snapshot;

/// When a commit is considered done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Commit returns after the change is fsynced: survives process crash and power loss.
    #[default]
    Durable,
    /// Commit returns after the change is handed to the store: survives a
    /// process crash of the application only once flushed (see docs/storage-format.md).
    Relaxed,
}

/// Options for opening a database.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Commit durability.
    pub durability: Durability,
    /// How long `begin_write` waits for another writer before failing.
    pub write_lock_timeout: Duration,
    /// Create the database if the directory does not exist or is empty.
    pub create: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            durability: Durability::Durable,
            write_lock_timeout: Duration::from_secs(10),
            create: true,
        }
    }
}

/// A handle to an open graph database (durable or in-memory). Clone it to
/// share it between threads; open a directory once per process.
#[derive(Clone)]
pub struct Graph {
    _todo: (),
}

#[allow(unused_variables)]
impl Graph {
    /// Opens (creating if allowed) the database in `path` with default options.
    pub fn open(path: &Path) -> Result<Graph> {
        Self::open_with(path, &OpenOptions::default())
    }
    /// Opens the database in `path`.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Graph> {
        todo!()
    }
    /// Creates a new database in `path` (which must not exist or be an
    /// empty directory) whose base image is `snapshot`, writing it beside
    /// the target and publishing it with a rename only when complete, so a
    /// crash leaves either no database or the whole one. Used by import.
    pub fn create_bulk(path: &Path, snapshot: &Snapshot, options: &OpenOptions) -> Result<Graph> {
        todo!()
    }
    /// A new empty database that lives in memory only.
    pub fn in_memory() -> Graph {
        todo!()
    }
    /// The latest committed snapshot.
    pub fn snapshot(&self) -> Snapshot {
        todo!()
    }
    /// Starts the (single) write transaction, waiting up to the configured timeout.
    pub fn begin_write(&self) -> Result<WriteTxn> {
        todo!()
    }
}

/// The one open write transaction. Dropping it without `commit` rolls back.
pub struct WriteTxn {
    _todo: (),
}

#[allow(unused_variables)]
impl WriteTxn {
    /// The transaction's view: the snapshot it began on plus its own applied changes.
    pub fn snapshot(&self) -> &Snapshot {
        todo!()
    }
    /// Validates and applies a change set to the transaction's view. On
    /// error the view is unchanged (statement atomicity).
    pub fn apply(&mut self, changes: ChangeSet) -> Result<()> {
        todo!()
    }
    /// Makes all applied changes durable (per the durability mode) and
    /// publishes the new snapshot. Returns the new version.
    pub fn commit(self) -> Result<u64> {
        todo!()
    }
    /// Discards all applied changes.
    pub fn rollback(self) {}
}
