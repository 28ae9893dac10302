//! The durable store of record and the [`Graph`] handle.
//!
//! CONTRACT (shared with crates/exec and the facade; change only in
//! coordination): the public signatures below stay.
//!
//! A [`Graph`] pairs the store of record (a base image of record blocks
//! plus a delta log, kept in a [`KvStore`]; see [`format`] and
//! docs/storage-format.md) with the latest committed [`Snapshot`], which is
//! what every query reads. Writers are serialized by a gate with a wait
//! timeout; readers never wait for writers: they clone the published
//! snapshot (an `Arc`) and keep it as long as they like.
//!
//! ```
//! use relgraph_graph::{Graph, Value};
//!
//! let graph = Graph::in_memory();
//! let mut tx = graph.begin_write().unwrap();
//! let ada = tx.create_node(&["Person"], vec![("name", Value::from("Ada"))]).unwrap();
//! let acme = tx.create_node(&["Company"], vec![]).unwrap();
//! tx.create_rel(ada, "WORKS_AT", acme, vec![]).unwrap();
//! let reader = graph.snapshot(); // taken before the commit
//! tx.commit().unwrap();
//! assert_eq!(reader.node_count(), 0); // a reader keeps its version
//! assert_eq!(graph.snapshot().node_count(), 2);
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::change::ChangeSet;
use crate::error::{GraphError, Result};
use crate::kv::{KvStore, MemoryKv, SledKv};
use crate::record::RecordSink;
use crate::snapshot::Snapshot;

mod builder;
mod bulk;
mod engine;
mod erase;
pub mod format;
mod observe;
mod segments;
mod txn_api;

pub use builder::ChangeBuilder;
use engine::Store;
pub use erase::Erased;
use format::{LogRecord, StandingCursor, StandingRecord};
pub use observe::{CommitEvent, CommitObserver};
use segments::SegmentDir;
pub use segments::{SEGMENTS_DIR, SEGMENTS_TREE};

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

/// When the delta log is folded into the base image.
///
/// A checkpoint writes the chunks the log changed into a new segment file
/// and then switches the manifest and deletes the folded log records in one
/// atomic batch. It runs on a background thread once a commit crosses a
/// threshold (never inside the commit: commits go on while it writes), on
/// [`Graph::checkpoint`], and when the last handle is dropped if the log
/// touched at most `max_close_blocks` chunks. Afterwards the published
/// snapshot reads those chunks in place, so the heap copies writes made are
/// freed.
///
/// ```
/// use relgraph_graph::store::CheckpointPolicy;
/// let p = CheckpointPolicy { max_log_records: 10, ..CheckpointPolicy::default() };
/// assert_eq!(p.max_log_records, 10);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Checkpoint once the log holds this many records (commits).
    pub max_log_records: u64,
    /// Checkpoint once the log holds this many encoded bytes.
    pub max_log_bytes: u64,
    /// Checkpoint when the last handle closes.
    pub checkpoint_at_close: bool,
    /// ... but only if the log touched at most this many chunks.
    pub max_close_blocks: u64,
    /// Run threshold checkpoints on the background thread (`true`), or in
    /// the commit that crosses the threshold (`false`: deterministic, for
    /// tests).
    pub background: bool,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        CheckpointPolicy {
            max_log_records: 1000,
            max_log_bytes: 64 * 1024 * 1024,
            checkpoint_at_close: true,
            max_close_blocks: 4096,
            background: true,
        }
    }
}

/// Figures about the store of record, for `stats` output and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreStats {
    /// The key-value backend (`"sled"`, `"memory"`, ...).
    pub backend: &'static str,
    /// The version the base image reflects.
    pub base_version: u64,
    /// Segment files the manifest names.
    pub segments: u64,
    /// Commits in the delta log, not yet folded.
    pub log_records: u64,
    /// Encoded bytes of those records.
    pub log_bytes: u64,
    /// Node chunks (4096 ids) the log has touched.
    pub dirty_node_blocks: u64,
    /// Relationship chunks (4096 ids) the log has touched.
    pub dirty_rel_blocks: u64,
    /// Checkpoints completed since open.
    pub checkpoints: u64,
    /// Bytes on disk as the backend reports them.
    pub size_on_disk: u64,
    /// Where the time of the open went (zero for a bulk-created handle).
    pub open_timings: OpenTimings,
}

/// What [`Graph::verify_segments`] found in one segment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentCheck {
    /// The file (its path, or its name for in-memory databases).
    pub file: String,
    /// Its length according to the manifest.
    pub bytes: u64,
    /// What is wrong with it, if anything.
    pub damage: Option<String>,
}

/// The phases of opening a database, as measured at the last open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenTimings {
    /// Opening the segment files and reading their footers.
    pub read: Duration,
    /// Decoding record blocks (format 1 databases being upgraded only).
    pub decode: Duration,
    /// Assembling the snapshot's chunks over the segments and building indexes.
    pub build: Duration,
    /// Reading and replaying the delta log.
    pub replay: Duration,
}

/// A handle to an open graph database (durable or in-memory). Clone it to
/// share it between threads; open a directory once per process.
#[derive(Clone)]
pub struct Graph {
    inner: Arc<GraphInner>,
}

struct GraphInner {
    store: Arc<Store>,
    current: Arc<RwLock<Snapshot>>,
    gate: WriterGate,
    write_lock_timeout: Duration,
    checkpointer: Checkpointer,
    /// Told of every commit, in order (see [`CommitObserver`]).
    observer: RwLock<Option<Arc<dyn CommitObserver>>>,
}

/// The background checkpoint thread, started on the first request. It
/// holds the store and the published snapshot, never the `GraphInner`, so
/// dropping the last handle stops and joins it before the store closes.
#[derive(Default)]
struct Checkpointer {
    wake: Arc<(Mutex<Wake>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
struct Wake {
    requested: bool,
    stop: bool,
}

impl Checkpointer {
    /// Asks for a checkpoint of the latest snapshot soon.
    fn request(&self, store: &Arc<Store>, current: &Arc<RwLock<Snapshot>>) {
        let mut thread = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        if thread.is_none() {
            // A handle's `close` stopped an earlier thread; other clones go on.
            self.wake.0.lock().unwrap_or_else(|e| e.into_inner()).stop = false;
            let (wake, store, current) = (self.wake.clone(), store.clone(), current.clone());
            let spawned = std::thread::Builder::new()
                .name("relgraph-checkpoint".into())
                .spawn(move || background_checkpoints(&wake, &store, &current));
            match spawned {
                Ok(handle) => *thread = Some(handle),
                // No thread: the next commit asks again; the log keeps
                // everything meanwhile and close folds it.
                Err(_) => return,
            }
        }
        let (state, cv) = &*self.wake;
        state.lock().unwrap_or_else(|e| e.into_inner()).requested = true;
        cv.notify_one();
    }

    /// Stops the thread and waits for a checkpoint in progress.
    fn stop(&self) {
        let (state, cv) = &*self.wake;
        state.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
        cv.notify_one();
        if let Some(handle) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = handle.join();
        }
    }
}

fn background_checkpoints(
    wake: &(Mutex<Wake>, Condvar),
    store: &Store,
    current: &RwLock<Snapshot>,
) {
    let (state, cv) = wake;
    loop {
        {
            let mut w = state.lock().unwrap_or_else(|e| e.into_inner());
            while !w.requested && !w.stop {
                w = cv.wait(w).unwrap_or_else(|e| e.into_inner());
            }
            if w.stop {
                return;
            }
            w.requested = false;
        }
        let snap = current.read().unwrap_or_else(|e| e.into_inner()).clone();
        // A failed checkpoint leaves the log in place; the next request
        // retries it.
        if let Ok(Some(mapped)) = store.checkpoint(&snap) {
            publish_mapped(store, current, &snap, &mapped);
        }
    }
}

/// Carries a checkpoint's chunks, now read in place, over to the published
/// snapshot (same content, same version: readers cannot tell).
fn publish_mapped(
    store: &Store,
    current: &RwLock<Snapshot>,
    checkpointed: &Snapshot,
    mapped: &Snapshot,
) {
    let mut cur = current.write().unwrap_or_else(|e| e.into_inner());
    *cur = cur.rebase(checkpointed, mapped);
    store.note_published(&cur);
}

/// One writer at a time, with a bounded wait.
struct WriterGate {
    busy: Mutex<bool>,
    freed: Condvar,
}

impl WriterGate {
    fn acquire(&self, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        while *busy {
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(GraphError::WriterBusy {
                    waited_ms: waited.as_millis() as u64,
                });
            }
            busy = self
                .freed
                .wait_timeout(busy, timeout - waited)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *busy = true;
        Ok(())
    }

    fn release(&self) {
        *self.busy.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.freed.notify_one();
    }
}

/// Holds the writer gate; releases it when dropped.
struct WriterPermit {
    graph: Arc<GraphInner>,
}

impl Drop for WriterPermit {
    fn drop(&mut self) {
        self.graph.gate.release();
    }
}

impl Drop for GraphInner {
    fn drop(&mut self) {
        self.checkpointer.stop();
        // Best effort: errors at close cannot be reported from a destructor;
        // [`Graph::close`] reports them.
        if self.store.wants_close_checkpoint() {
            let snap = self
                .current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let _ = self.store.checkpoint(&snap);
        }
        if self.store.durability() == Durability::Relaxed {
            let _ = self.store.sync();
        }
    }
}

impl Graph {
    /// Opens (creating if allowed) the database in `path` with default options.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let graph = relgraph_graph::Graph::open(&dir.path().join("db")).unwrap();
    /// assert_eq!(graph.snapshot().node_count(), 0);
    /// ```
    pub fn open(path: &Path) -> Result<Graph> {
        Self::open_with(path, &OpenOptions::default())
    }

    /// Opens the database in `path`.
    ///
    /// Errors: [`GraphError::Locked`] when another handle has it open (in
    /// this process or another), [`GraphError::NotADatabase`] for a
    /// directory with other content, [`GraphError::FormatVersion`] for a
    /// database of another format version, [`GraphError::Corrupt`] when a
    /// stored record cannot be decoded.
    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Graph> {
        let kv = SledKv::open(path, options.create)?;
        Self::open_on(Arc::new(kv), SegmentDir::files(path), path, options)
    }

    /// Opens a database kept in any [`KvStore`] backend (a new backend plugs
    /// in here without changes elsewhere).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use relgraph_graph::{Graph, kv::MemoryKv, store::OpenOptions};
    /// let graph = Graph::open_backend(Arc::new(MemoryKv::new()), &OpenOptions::default()).unwrap();
    /// assert_eq!(graph.store_stats().unwrap().backend, "memory");
    /// ```
    pub fn open_backend(kv: Arc<dyn KvStore>, options: &OpenOptions) -> Result<Graph> {
        let label = PathBuf::from(format!("<{} store>", kv.backend_name()));
        Self::open_on(kv.clone(), SegmentDir::in_kv(kv), &label, options)
    }

    fn open_on(
        kv: Arc<dyn KvStore>,
        segments: SegmentDir,
        path: &Path,
        options: &OpenOptions,
    ) -> Result<Graph> {
        let (store, snapshot) =
            Store::open(kv, segments, path, options.durability, options.create)?;
        let graph = Self::assemble(store, snapshot, options);
        // An erasure interrupted by a crash is finished before anything
        // reads the database.
        if graph.inner.store.erasure_pending() {
            graph.finish_erasure()?;
        }
        Ok(graph)
    }

    fn assemble(store: Store, snapshot: Snapshot, options: &OpenOptions) -> Graph {
        store.note_published(&snapshot);
        Graph {
            inner: Arc::new(GraphInner {
                store: Arc::new(store),
                current: Arc::new(RwLock::new(snapshot)),
                gate: WriterGate {
                    busy: Mutex::new(false),
                    freed: Condvar::new(),
                },
                write_lock_timeout: options.write_lock_timeout,
                checkpointer: Checkpointer::default(),
                observer: RwLock::new(None),
            }),
        }
    }

    /// Creates a new database in `path` (which must not exist or be an
    /// empty directory) whose base image is `snapshot`, writing it beside
    /// the target and publishing it with a rename only when complete, so a
    /// crash leaves either no database or the whole one. To create one
    /// from records without building the snapshot in memory, see
    /// [`Graph::create_from_records`].
    ///
    /// ```
    /// use relgraph_graph::{Graph, Snapshot, store::OpenOptions};
    /// let dir = tempfile::tempdir().unwrap();
    /// let target = dir.path().join("imported");
    /// let g = Graph::create_bulk(&target, &Snapshot::empty(), &OpenOptions::default()).unwrap();
    /// assert_eq!(g.snapshot().node_count(), 0);
    /// assert!(target.join("db").exists());
    /// ```
    pub fn create_bulk(path: &Path, snapshot: &Snapshot, options: &OpenOptions) -> Result<Graph> {
        let (store, snapshot) = bulk::create(path, snapshot, options)?;
        Ok(Self::assemble(store, snapshot, options))
    }

    /// Creates a new database in `path` (which must not exist or be an
    /// empty directory) whose base image is the records `fill` pushes into
    /// the [`RecordSink`] it is given, streamed into one segment file as
    /// they come, so memory holds the adjacency entries (two small entries
    /// per relationship) and a chunk of records, never the whole graph.
    /// `fill` pushes every node, then every relationship, each kind in
    /// ascending id order (see [`RecordSink`]), and returns the catalog
    /// that names their labels, types and property keys. The database is
    /// written beside `path` and published with a rename only when
    /// complete, like [`Graph::create_bulk`]: on an error, `fill`'s
    /// included, no database is left at `path` (the hidden staging
    /// directory beside it is removed by the next bulk creation). Used by
    /// import and `relgraph generate --format db`.
    ///
    /// `fill` may fail with its own error type `E` (one that a
    /// [`GraphError`] converts into); that error is returned as it is.
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RecordSink, RelRecord};
    /// use relgraph_graph::store::OpenOptions;
    /// use relgraph_graph::{Catalog, Graph, GraphError, NodeId, RelId};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// let graph = Graph::create_from_records(&dir.path().join("db"), &OpenOptions::default(), |sink| {
    ///     let mut catalog = Catalog::default();
    ///     let person = catalog.intern_label("Person");
    ///     let knows = catalog.intern_rel_type("KNOWS");
    ///     for i in 0..3 {
    ///         sink.push_node(NodeRecord { id: NodeId(i), labels: vec![person], props: vec![] })?;
    ///     }
    ///     sink.push_rel(RelRecord { id: RelId(0), rel_type: knows, src: NodeId(0), dst: NodeId(2), props: vec![] })?;
    ///     Ok::<_, GraphError>(catalog)
    /// })
    /// .unwrap();
    /// assert_eq!((graph.snapshot().node_count(), graph.snapshot().rel_count()), (3, 1));
    ///
    /// // Out of order: a typed error, and nothing at the target.
    /// let target = dir.path().join("bad");
    /// let bad = Graph::create_from_records(&target, &OpenOptions::default(), |sink| {
    ///     sink.push_node(NodeRecord { id: NodeId(1), labels: vec![], props: vec![] })?;
    ///     sink.push_node(NodeRecord { id: NodeId(0), labels: vec![], props: vec![] })?;
    ///     Ok::<_, GraphError>(Catalog::default())
    /// });
    /// assert!(matches!(bad, Err(GraphError::Invalid(_))));
    /// assert!(!target.exists());
    /// ```
    pub fn create_from_records<E: From<GraphError>>(
        path: &Path,
        options: &OpenOptions,
        fill: impl FnOnce(&mut dyn RecordSink) -> std::result::Result<Catalog, E>,
    ) -> std::result::Result<Graph, E> {
        let fill = |sink: &mut dyn RecordSink| fill(sink).map(|catalog| (catalog, ()));
        let (graph, ()) = Self::create_streamed(path, options, fill, |_| {})?;
        Ok(graph)
    }

    /// [`Graph::create_from_records`] with a value `T` passed from `fill`
    /// to the caller, and `written`, called with it once the segment is
    /// complete (before the sync and the rename: import's progress).
    pub(crate) fn create_streamed<T, E: From<GraphError>>(
        path: &Path,
        options: &OpenOptions,
        fill: impl FnOnce(&mut dyn RecordSink) -> std::result::Result<(Catalog, T), E>,
        written: impl FnOnce(&T),
    ) -> std::result::Result<(Graph, T), E> {
        // `fill`'s own error and value cross the store's code (which speaks
        // `GraphError`) beside it.
        let mut failed: Option<E> = None;
        let mut value: Option<T> = None;
        let created = bulk::create_with(path, options, None, |kv, segments| {
            Store::write_streamed_image(kv, segments, |mut writer| {
                let (catalog, v) = match fill(&mut writer) {
                    Ok(filled) => filled,
                    Err(e) => {
                        failed = Some(e);
                        return Err(GraphError::Invalid(
                            "the records of a new database could not be produced".into(),
                        ));
                    }
                };
                let finished = writer.finish()?;
                written(&v);
                value = Some(v);
                Ok((finished, catalog))
            })
        });
        let (store, snapshot) = match created {
            Ok(created) => created,
            Err(e) => return Err(failed.take().unwrap_or_else(|| e.into())),
        };
        let graph = Self::assemble(store, snapshot, options);
        let value = value.ok_or_else(|| {
            GraphError::Storage("a streamed database was created without its records".into())
        })?;
        Ok((graph, value))
    }

    /// A new empty database that lives in memory only.
    pub fn in_memory() -> Graph {
        let options = OpenOptions {
            create: true,
            ..OpenOptions::default()
        };
        Self::open_backend(Arc::new(MemoryKv::new()), &options)
            .expect("an empty in-memory store always initializes")
    }

    /// The latest committed snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.inner
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Installs (or with `None` removes) the observer told of every commit;
    /// returns the one it replaces. There is one observer per database
    /// (the facade's standing-query registry); see [`CommitObserver`] and
    /// the example on [`CommitEvent`].
    ///
    /// ```
    /// let graph = relgraph_graph::Graph::in_memory();
    /// assert!(graph.set_commit_observer(None).is_none());
    /// ```
    pub fn set_commit_observer(
        &self,
        observer: Option<Arc<dyn CommitObserver>>,
    ) -> Option<Arc<dyn CommitObserver>> {
        let mut slot = self
            .inner
            .observer
            .write()
            .unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *slot, observer)
    }

    /// Every stored standing-query registration (tree `standing`), by name.
    ///
    /// ```
    /// use relgraph_graph::{Graph, store::format::StandingRecord};
    /// let graph = Graph::in_memory();
    /// let rec = StandingRecord { query: "MATCH (n:A) RETURN n.x".into(), params: vec![], both: false };
    /// graph.put_standing("a", &rec).unwrap();
    /// assert_eq!(graph.standing_records().unwrap(), vec![("a".to_string(), rec)]);
    /// graph.delete_standing("a").unwrap();
    /// assert!(graph.standing_records().unwrap().is_empty());
    /// ```
    pub fn standing_records(&self) -> Result<Vec<(String, StandingRecord)>> {
        self.inner.store.standing_records()
    }

    /// Stores (or replaces) a standing-query registration, durably.
    pub fn put_standing(&self, name: &str, record: &StandingRecord) -> Result<()> {
        self.inner.store.put_standing(name, record)
    }

    /// Deletes a stored standing-query registration and its cursor
    /// (nothing if absent), durably.
    pub fn delete_standing(&self, name: &str) -> Result<()> {
        self.inner.store.delete_standing(name)
    }

    /// Stores (or replaces) a standing query's acknowledged cursor, durably.
    ///
    /// ```
    /// use relgraph_graph::{Graph, store::format::StandingCursor};
    /// let graph = Graph::in_memory();
    /// let cursor = StandingCursor { version: 3, rows: vec![("[Int(1)]".into(), 2)] };
    /// graph.put_standing_cursor("a", &cursor).unwrap();
    /// assert_eq!(graph.standing_cursor("a").unwrap(), Some(cursor));
    /// graph.delete_standing("a").unwrap();
    /// assert_eq!(graph.standing_cursor("a").unwrap(), None);
    /// ```
    pub fn put_standing_cursor(&self, name: &str, cursor: &StandingCursor) -> Result<()> {
        self.inner.store.put_standing_cursor(name, cursor)
    }

    /// The stored cursor of a standing query, if any.
    pub fn standing_cursor(&self, name: &str) -> Result<Option<StandingCursor>> {
        self.inner.store.standing_cursor(name)
    }

    /// Starts the (single) write transaction, waiting up to the configured timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// use relgraph_graph::{Graph, GraphError};
    /// let graph = Graph::in_memory();
    /// let first = graph.begin_write().unwrap();
    /// let second = graph.begin_write_timeout(Duration::from_millis(10));
    /// assert!(matches!(second, Err(GraphError::WriterBusy { .. })));
    /// drop(first);
    /// assert!(graph.begin_write().is_ok());
    /// ```
    pub fn begin_write(&self) -> Result<WriteTxn> {
        self.begin_write_timeout(self.inner.write_lock_timeout)
    }

    /// Starts the write transaction, waiting at most `timeout` for another writer.
    pub fn begin_write_timeout(&self, timeout: Duration) -> Result<WriteTxn> {
        self.inner.gate.acquire(timeout)?;
        let permit = WriterPermit {
            graph: self.inner.clone(),
        };
        let view = self.snapshot();
        Ok(WriteTxn {
            base_version: view.version(),
            view,
            change_sets: Vec::new(),
            permit,
            erasure: None,
        })
    }

    /// Folds the delta log into the base image now (waits for the writer gate).
    ///
    /// ```
    /// use relgraph_graph::Graph;
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// tx.create_node(&["A"], vec![]).unwrap();
    /// tx.commit().unwrap();
    /// assert_eq!(graph.store_stats().unwrap().log_records, 1);
    /// graph.checkpoint().unwrap();
    /// assert_eq!(graph.store_stats().unwrap().log_records, 0);
    /// ```
    pub fn checkpoint(&self) -> Result<()> {
        self.inner.gate.acquire(self.inner.write_lock_timeout)?;
        let _permit = WriterPermit {
            graph: self.inner.clone(),
        };
        let snap = self.snapshot();
        if let Some(mapped) = self.inner.store.checkpoint(&snap)? {
            publish_mapped(&self.inner.store, &self.inner.current, &snap, &mapped);
        }
        Ok(())
    }

    /// Replaces the checkpoint policy.
    pub fn set_checkpoint_policy(&self, policy: CheckpointPolicy) -> Result<()> {
        self.inner.store.set_policy(policy)
    }

    /// Reads every byte of every segment file of the base image and checks
    /// it against its checksum (opening checks sizes and footers only, so
    /// that it stays fast). One entry per file; `damage` names what is wrong.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let g = relgraph_graph::Graph::open(&dir.path().join("db")).unwrap();
    /// let mut tx = g.begin_write().unwrap();
    /// tx.create_node(&["Person"], vec![]).unwrap();
    /// tx.commit().unwrap();
    /// g.checkpoint().unwrap();
    /// let report = g.verify_segments().unwrap();
    /// assert_eq!(report.len(), 1);
    /// assert!(report.iter().all(|s| s.damage.is_none()));
    /// ```
    pub fn verify_segments(&self) -> Result<Vec<SegmentCheck>> {
        self.inner.store.verify_segments()
    }

    /// Figures about the store of record.
    pub fn store_stats(&self) -> Result<StoreStats> {
        self.inner.store.stats()
    }

    /// The database directory (a `<memory store>` label for in-memory graphs).
    pub fn path(&self) -> &Path {
        self.inner.store.path()
    }

    /// The commit durability this handle uses.
    pub fn durability(&self) -> Durability {
        self.inner.store.durability()
    }

    /// Checkpoints (when the policy allows it at close) and syncs, reporting
    /// errors that a silent drop would swallow. Other clones stay usable.
    pub fn close(self) -> Result<()> {
        self.inner.checkpointer.stop();
        self.inner.gate.acquire(self.inner.write_lock_timeout)?;
        let _permit = WriterPermit {
            graph: self.inner.clone(),
        };
        if self.inner.store.wants_close_checkpoint() {
            let snap = self.snapshot();
            self.inner.store.checkpoint(&snap)?;
        }
        drop(_permit);
        if self.inner.store.erasure_pending() {
            self.finish_erasure()?;
        }
        self.inner.store.sync()
    }
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph").field("path", &self.path()).finish()
    }
}

/// The one open write transaction. Dropping it without `commit` rolls back.
pub struct WriteTxn {
    base_version: u64,
    view: Snapshot,
    /// Applied change sets, in order (one per statement / API call).
    change_sets: Vec<ChangeSet>,
    permit: WriterPermit,
    /// Set when the transaction is an erasure's delete (see `erase.rs`).
    erasure: Option<format::ErasureIntent>,
}

impl WriteTxn {
    /// The transaction's view: the snapshot it began on plus its own applied changes.
    pub fn snapshot(&self) -> &Snapshot {
        &self.view
    }

    /// Validates and applies a change set to the transaction's view. On
    /// error the view is unchanged (statement atomicity).
    ///
    /// ```
    /// use relgraph_graph::{Change, ChangeSet, Graph, GraphError, NodeId};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let bad = ChangeSet { catalog: None, changes: vec![Change::DeleteNode { id: NodeId(7) }] };
    /// assert!(tx.apply(bad).is_err());
    /// let id = tx.snapshot().next_node_id();
    /// let good = ChangeSet { catalog: None, changes: vec![Change::CreateNode { id, labels: vec![], props: vec![] }] };
    /// tx.apply(good).unwrap();
    /// assert_eq!(tx.snapshot().node_count(), 1);
    /// ```
    pub fn apply(&mut self, changes: ChangeSet) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let next = self.view.apply(&changes)?;
        self.view = next;
        self.change_sets.push(changes);
        Ok(())
    }

    /// Makes all applied changes durable (per the durability mode) and
    /// publishes the new snapshot. Returns the new version.
    ///
    /// The version advances by one per applied (non-empty) change set; a
    /// transaction that applied nothing writes nothing and returns the
    /// version it began on.
    pub fn commit(self) -> Result<u64> {
        let WriteTxn {
            base_version,
            view,
            change_sets,
            permit,
            erasure,
        } = self;
        if change_sets.is_empty() {
            return Ok(base_version);
        }
        let key = view.version();
        let record = LogRecord {
            first_version: base_version + 1,
            change_sets,
        };
        if key != base_version + record.change_sets.len() as u64 {
            return Err(GraphError::Storage(format!(
                "transaction view is at version {key} after {} change sets on version {base_version}",
                record.change_sets.len()
            )));
        }
        let graph = &permit.graph;
        graph.store.append(key, &record, erasure.as_ref())?;
        graph.store.note_published(&view);
        let before = std::mem::replace(
            &mut *graph.current.write().unwrap_or_else(|e| e.into_inner()),
            view.clone(),
        );
        // Still under the writer gate: observers see commits in order.
        let observer = graph
            .observer
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(observer) = observer {
            observer.committed(CommitEvent {
                version: key,
                before,
                after: view.clone(),
                change_sets: record.change_sets.into(),
            });
        }
        if graph.store.wants_checkpoint() {
            if graph.store.background_checkpoints() {
                graph.checkpointer.request(&graph.store, &graph.current);
            } else if let Ok(Some(mapped)) = graph.store.checkpoint(&view) {
                // The commit is already durable; a failed checkpoint leaves
                // the log in place and is retried by the next commit.
                publish_mapped(&graph.store, &graph.current, &view, &mapped);
            }
        }
        drop(permit);
        Ok(key)
    }

    /// Discards all applied changes.
    pub fn rollback(self) {}

    /// The version of the snapshot the transaction began on.
    pub fn base_version(&self) -> u64 {
        self.base_version
    }

    /// The change sets applied so far, in order.
    pub fn change_sets(&self) -> &[ChangeSet] {
        &self.change_sets
    }
}
