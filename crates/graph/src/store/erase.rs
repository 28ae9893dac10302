//! Erasure of nodes: delete them and their relationships, then remove every
//! copy the database files hold (docs/erasure.md). The store's steps and
//! the crash protocol are in `engine/erase.rs`; this is the [`Graph`] API
//! and the waiting for readers of older versions.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::format::{ErasureIntent, ErasureStage};
use super::{Graph, WriterPermit};
use crate::change::{Change, ChangeSet};
use crate::error::{GraphError, Result};
use crate::ids::{Direction, NodeId, RelId, RelTypeId};
use crate::snapshot::stats::GraphStats;
use crate::snapshot::SnapshotWatch;

/// What an erasure removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// Nodes erased.
    pub nodes: u64,
    /// Relationships erased (those of the erased nodes).
    pub relationships: u64,
}

/// An earlier erasure's redaction failed half-way (an I/O error): the
/// files are only consistent again once its recorded plans are applied,
/// which opening does before reading any segment.
fn interrupted_scrub() -> GraphError {
    GraphError::Storage(
        "an erasure's segment redaction was interrupted by an error; reopen the database \
         to finish it"
            .into(),
    )
}

fn union(a: &mut Vec<u64>, b: &[u64]) {
    let set: BTreeSet<u64> = a.iter().chain(b).copied().collect();
    *a = set.into_iter().collect();
}

impl Graph {
    /// Erases `nodes`: deletes them with their relationships (and so
    /// every property value stored on them), then removes every copy of
    /// those values the database files hold (delta log records, current and
    /// superseded chunks in every segment file, the key-value store's old
    /// versions, statistics). Returns when the erasure is durable. Ids of
    /// nodes that do not exist are ignored.
    ///
    /// It waits (up to the write-lock timeout) until no reader holds a
    /// snapshot taken before the delete, since those read the bytes it
    /// overwrites; after that it fails with
    /// [`GraphError::ErasureBlocked`], the entities already deleted, and
    /// the rest is done by [`Graph::finish_erasure`], at close, or at the
    /// next open.
    ///
    /// ```
    /// use relgraph_graph::{Graph, Value};
    /// let dir = tempfile::tempdir().unwrap();
    /// let graph = Graph::open(&dir.path().join("db")).unwrap();
    /// let mut tx = graph.begin_write().unwrap();
    /// let ada = tx.create_node(&["Person"], vec![("email", Value::from("ada@example.com"))]).unwrap();
    /// let bob = tx.create_node(&["Person"], vec![]).unwrap();
    /// tx.create_rel(ada, "KNOWS", bob, vec![]).unwrap();
    /// tx.commit().unwrap();
    /// let erased = graph.erase(&[ada]).unwrap();
    /// assert_eq!((erased.nodes, erased.relationships), (1, 1));
    /// assert!(!graph.snapshot().node_exists(ada));
    /// assert!(!graph.erasure_pending());
    /// ```
    pub fn erase(&self, nodes: &[NodeId]) -> Result<Erased> {
        let erased = self.delete_for_erasure(nodes)?;
        self.finish_erasure()?;
        Ok(erased)
    }

    /// The first half of [`Graph::erase`]: deletes `nodes` and their
    /// relationships and records the erasure, in one durable commit. The
    /// files still hold copies until [`Graph::finish_erasure`] runs (a
    /// crash in between is finished at the next open). For callers that
    /// hold a snapshot themselves (a query that found the nodes) and
    /// release it before finishing.
    pub fn delete_for_erasure(&self, nodes: &[NodeId]) -> Result<Erased> {
        let mut txn = self.begin_write()?;
        if let Some(ErasureIntent {
            stage: ErasureStage::Scrubbing(_) | ErasureStage::ScrubbingImage(..),
            ..
        }) = self.inner.store.erasure_intent()?
        {
            return Err(interrupted_scrub());
        }
        let view = txn.snapshot().clone();
        let mut node_ids = BTreeSet::new();
        let mut rel_ids = BTreeSet::new();
        let types = view.catalog().rel_types().len();
        for n in nodes {
            if !view.node_exists(*n) {
                continue;
            }
            node_ids.insert(n.0);
            for t in 0..types {
                for dir in [Direction::Outgoing, Direction::Incoming] {
                    let adj = view.adjacency(*n, RelTypeId(t as u32), dir);
                    rel_ids.extend(adj.iter().map(|a| a.rel.0));
                }
            }
        }
        if node_ids.is_empty() {
            return Ok(Erased::default());
        }
        drop(view);
        let mut changes: Vec<Change> = rel_ids
            .iter()
            .map(|r| Change::DeleteRel { id: RelId(*r) })
            .collect();
        changes.extend(
            node_ids
                .iter()
                .map(|n| Change::DeleteNode { id: NodeId(*n) }),
        );
        txn.apply(ChangeSet {
            catalog: None,
            changes,
        })?;
        let erased = Erased {
            nodes: node_ids.len() as u64,
            relationships: rel_ids.len() as u64,
        };
        let mut intent = ErasureIntent {
            nodes: node_ids.into_iter().collect(),
            rels: rel_ids.into_iter().collect(),
            stage: ErasureStage::Deleted,
        };
        // An unfinished earlier erasure is finished together with this one
        // (from its start: its redaction plans, if any, were applied at
        // open or are refused below).
        if let Some(prev) = self.inner.store.erasure_intent()? {
            union(&mut intent.nodes, &prev.nodes);
            union(&mut intent.rels, &prev.rels);
        }
        txn.erasure = Some(intent);
        txn.commit()?;
        Ok(erased)
    }

    /// Whether an erasure is committed but its copies not yet all removed.
    pub fn erasure_pending(&self) -> bool {
        self.inner.store.erasure_pending()
    }

    /// Finishes a pending erasure (the second half of [`Graph::erase`]):
    /// waits for readers of versions from before the delete, redacts the
    /// values in every segment and in the log, refreshes the planner
    /// statistics, rewrites the key-value store. Returns whether there was
    /// one.
    pub fn finish_erasure(&self) -> Result<bool> {
        if !self.inner.store.erasure_pending() {
            return Ok(false);
        }
        self.inner.gate.acquire(self.inner.write_lock_timeout)?;
        let _permit = WriterPermit {
            graph: self.inner.clone(),
        };
        let store = &self.inner.store;
        let Some(intent) = store.erasure_intent()? else {
            return Ok(false);
        };
        let mut intent = intent;
        if intent.stage == ErasureStage::Deleted {
            let older = store.take_published()?;
            self.republish_without_caches(None);
            store.forget_base_caches()?;
            if let Err(e) = self.wait_for_readers(&older) {
                // Still watched: a later attempt waits for them too.
                for w in older {
                    store.note_watch(w);
                }
                return Err(e);
            }
            store.redact(&intent)?;
            intent.stage = ErasureStage::Rewriting;
        }
        if let ErasureStage::Scrubbing(_) | ErasureStage::ScrubbingImage(..) = intent.stage {
            // Recorded plans are applied at open, before any segment is
            // mapped; a failure while applying them here leaves files the
            // manifest does not describe yet.
            return Err(interrupted_scrub());
        }
        let stats = store.refresh_stats(&self.snapshot())?;
        self.republish_without_caches(Some(stats));
        store.rewrite_kv()?;
        Ok(true)
    }

    /// Publishes the current version again without derived caches (see
    /// [`crate::Snapshot`]'s `without_caches`), with `stats` if given.
    fn republish_without_caches(&self, stats: Option<Arc<GraphStats>>) {
        let mut cur = self
            .inner
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner());
        *cur = cur.without_caches(stats);
        self.inner.store.note_published(&cur);
    }

    /// Waits until every version in `older` is released.
    fn wait_for_readers(&self, older: &[SnapshotWatch]) -> Result<()> {
        let start = Instant::now();
        let timeout = self.inner.write_lock_timeout;
        loop {
            let held = older.iter().filter(|w| w.alive()).count();
            if held == 0 {
                return Ok(());
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(GraphError::ErasureBlocked {
                    readers: held,
                    waited_ms: waited.as_millis() as u64,
                });
            }
            std::thread::sleep(Duration::from_millis(2).min(timeout - waited));
        }
    }
}
