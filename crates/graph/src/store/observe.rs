//! The commit observer: one hook, called by every commit after it is
//! durable and published, while the writer gate is still held, so calls
//! arrive in commit order and never overlap. The facade's standing queries
//! hang off it; the graph crate knows nothing of what the observer does.

use std::sync::Arc;

use crate::change::ChangeSet;
use crate::snapshot::Snapshot;

/// What one commit published.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use relgraph_graph::store::{CommitEvent, CommitObserver};
/// use relgraph_graph::{Graph, Value};
///
/// struct Versions(Mutex<Vec<u64>>);
/// impl CommitObserver for Versions {
///     fn committed(&self, event: CommitEvent) {
///         self.0.lock().unwrap().push(event.version);
///     }
/// }
/// let graph = Graph::in_memory();
/// let seen = Arc::new(Versions(Mutex::new(Vec::new())));
/// graph.set_commit_observer(Some(seen.clone()));
/// let mut tx = graph.begin_write().unwrap();
/// tx.create_node(&["Person"], vec![("name", Value::from("Ada"))]).unwrap();
/// tx.commit().unwrap();
/// assert_eq!(*seen.0.lock().unwrap(), [1]);
/// ```
#[derive(Clone, Debug)]
pub struct CommitEvent {
    /// The version the commit produced (its last change set's).
    pub version: u64,
    /// The snapshot published before this commit.
    pub before: Snapshot,
    /// The snapshot this commit published.
    pub after: Snapshot,
    /// The commit's change sets, in order.
    pub change_sets: Arc<[ChangeSet]>,
}

/// Receives every commit, in commit order. Called on the committing thread
/// while the writer gate is held: an implementation must only hand the
/// event on (a channel send) and never block or call back into the graph's
/// write path.
pub trait CommitObserver: Send + Sync {
    /// One commit was made durable and published.
    fn committed(&self, event: CommitEvent);
}
