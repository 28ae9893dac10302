//! The store of record over a [`KvStore`]: loads the base image and replays
//! the delta log at open, appends one log record per commit, and folds the
//! log into rewritten blocks at checkpoints.
//!
//! Invariant kept by every batch this module commits: the base image
//! (blocks + catalog + base header) reflects exactly version
//! `header.version`, and the log holds one record for every later commit,
//! with contiguous versions. A checkpoint moves the boundary in one atomic
//! batch (rewritten blocks, new header, deleted log records), so a crash
//! at any instant leaves a state that satisfies it.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rayon::prelude::*;

use super::format::{
    corrupt, decode_framed, decode_version, encode_framed, encode_version, key_u64, u64_key,
    BaseHeader, LogRecord, DEFAULT_NODE_BLOCK, DEFAULT_REL_BLOCK, FORMAT_VERSION, KEY_BASE,
    KEY_CATALOG, KEY_FORMAT_VERSION, KEY_MAGIC, LOG, MAGIC, META, NODES, RELS,
};
use super::{CheckpointPolicy, Durability, OpenTimings, StoreStats};
use crate::catalog::Catalog;
use crate::change::{Change, ChangeSet};
use crate::error::{GraphError, Result};
use crate::ids::{NodeId, RelId};
use crate::kv::{KvStore, WriteBatch};
use crate::record::{NodeRecord, RelRecord};
use crate::snapshot::Snapshot;

/// Log records at least this large are synced even in relaxed mode.
pub(crate) const RELAXED_SYNC_BYTES: u64 = 64 * 1024;

/// Log state since the last checkpoint.
#[derive(Default)]
struct Pending {
    /// Keys (commit versions) of the log records not yet folded.
    log_keys: Vec<u64>,
    /// Their total encoded size.
    log_bytes: u64,
    /// Node blocks touched by those records.
    dirty_nodes: BTreeSet<u64>,
    /// Relationship blocks touched by those records.
    dirty_rels: BTreeSet<u64>,
    /// Whether some record changed the catalog.
    catalog_changed: bool,
}

/// The persistent half of a [`super::Graph`].
pub(crate) struct Store {
    kv: Arc<dyn KvStore>,
    path: PathBuf,
    durability: Durability,
    header: Mutex<BaseHeader>,
    pending: Mutex<Pending>,
    policy: Mutex<CheckpointPolicy>,
    checkpoints: Mutex<u64>,
    /// Set when a failed commit could not be rolled back in the store;
    /// further commits are refused.
    failed: AtomicBool,
    /// How long the last open took, by phase.
    timings: Mutex<OpenTimings>,
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| GraphError::Storage("store state lock poisoned by a panicking thread".into()))
}

impl Store {
    /// Opens the store in `kv` (initializing an empty one when `create`)
    /// and returns it with the latest committed snapshot.
    pub(crate) fn open(
        kv: Arc<dyn KvStore>,
        path: &Path,
        durability: Durability,
        create: bool,
    ) -> Result<(Store, Snapshot)> {
        let magic = kv.get(META, KEY_MAGIC)?;
        let header = match magic {
            None => {
                let names = kv.tree_names()?;
                if !names.is_empty() {
                    return Err(GraphError::NotADatabase {
                        path: path.to_path_buf(),
                        reason: format!(
                            "the store has trees [{}] but no relgraph metadata",
                            names.join(", ")
                        ),
                    });
                }
                if !create {
                    return Err(GraphError::NotADatabase {
                        path: path.to_path_buf(),
                        reason: "the store is empty and creation was not requested".into(),
                    });
                }
                let header = BaseHeader {
                    version: 0,
                    next_node_id: 0,
                    next_rel_id: 0,
                    node_block: DEFAULT_NODE_BLOCK,
                    rel_block: DEFAULT_REL_BLOCK,
                };
                let mut batch = WriteBatch::new();
                put_meta(&mut batch, &header, &Catalog::default())?;
                kv.commit(batch, Durability::Durable)?;
                header
            }
            Some(m) if m != MAGIC => {
                return Err(GraphError::NotADatabase {
                    path: path.to_path_buf(),
                    reason: "the store's magic bytes are not relgraph's".into(),
                })
            }
            Some(_) => {
                let version = kv
                    .get(META, KEY_FORMAT_VERSION)?
                    .ok_or_else(|| corrupt(META, KEY_FORMAT_VERSION, "missing"))?;
                let found = decode_version(&version)?;
                if found != FORMAT_VERSION {
                    return Err(GraphError::FormatVersion {
                        found,
                        expected: FORMAT_VERSION,
                    });
                }
                read_header(kv.as_ref())?
            }
        };
        let store = Store {
            kv,
            path: path.to_path_buf(),
            durability,
            header: Mutex::new(header),
            pending: Mutex::new(Pending::default()),
            policy: Mutex::new(CheckpointPolicy::default()),
            checkpoints: Mutex::new(0),
            failed: AtomicBool::new(false),
            timings: Mutex::new(OpenTimings::default()),
        };
        let snapshot = store.load()?;
        Ok((store, snapshot))
    }

    /// Attaches to a store just written by [`Store::write_image`] for
    /// `snapshot`, checking its metadata instead of decoding every block.
    pub(crate) fn attach(
        kv: Arc<dyn KvStore>,
        path: &Path,
        durability: Durability,
        snapshot: &Snapshot,
    ) -> Result<Store> {
        if kv.get(META, KEY_MAGIC)?.as_deref() != Some(MAGIC) {
            return Err(corrupt(META, KEY_MAGIC, "missing after bulk creation"));
        }
        let version = kv
            .get(META, KEY_FORMAT_VERSION)?
            .ok_or_else(|| corrupt(META, KEY_FORMAT_VERSION, "missing"))?;
        let found = decode_version(&version)?;
        if found != FORMAT_VERSION {
            return Err(GraphError::FormatVersion {
                found,
                expected: FORMAT_VERSION,
            });
        }
        let header = read_header(kv.as_ref())?;
        if header.version != snapshot.version()
            || header.next_node_id != snapshot.next_node_id().0
            || header.next_rel_id != snapshot.next_rel_id().0
        {
            return Err(corrupt(
                META,
                KEY_BASE,
                "the header does not describe the image just written",
            ));
        }
        if !kv
            .range(LOG, Bound::Unbounded, Bound::Unbounded)?
            .is_empty()
        {
            return Err(corrupt(
                LOG,
                b"",
                "a freshly created database has log records",
            ));
        }
        Ok(Store {
            kv,
            path: path.to_path_buf(),
            durability,
            header: Mutex::new(header),
            pending: Mutex::new(Pending::default()),
            policy: Mutex::new(CheckpointPolicy::default()),
            checkpoints: Mutex::new(0),
            failed: AtomicBool::new(false),
            timings: Mutex::new(OpenTimings::default()),
        })
    }

    /// Writes a complete base image of `snapshot` into an empty `kv`
    /// (bulk creation). Does not sync; the caller does.
    pub(crate) fn write_image(kv: &dyn KvStore, snapshot: &Snapshot) -> Result<()> {
        if kv.get(META, KEY_MAGIC)?.is_some() || !kv.tree_names()?.is_empty() {
            return Err(GraphError::Invalid(
                "bulk creation needs an empty store".into(),
            ));
        }
        let header = BaseHeader {
            version: snapshot.version(),
            next_node_id: snapshot.next_node_id().0,
            next_rel_id: snapshot.next_rel_id().0,
            node_block: DEFAULT_NODE_BLOCK,
            rel_block: DEFAULT_REL_BLOCK,
        };
        let node_blocks = header.next_node_id.div_ceil(header.node_block);
        let rel_blocks = header.next_rel_id.div_ceil(header.rel_block);
        // Bounded batches keep memory flat for big imports; the temporary
        // directory this goes into is published only after a full sync.
        const BLOCKS_PER_BATCH: u64 = 64;
        for (tree, blocks) in [(NODES, node_blocks), (RELS, rel_blocks)] {
            let mut start = 0;
            while start < blocks {
                let end = (start + BLOCKS_PER_BATCH).min(blocks);
                let encoded: Vec<(u64, Option<Vec<u8>>)> = (start..end)
                    .into_par_iter()
                    .map(|b| encode_block(snapshot, &header, tree, b).map(|v| (b, v)))
                    .collect::<Result<_>>()?;
                let mut batch = WriteBatch::new();
                for (b, v) in encoded {
                    if let Some(v) = v {
                        batch.put(tree, u64_key(b), v);
                    }
                }
                kv.commit(batch, Durability::Relaxed)?;
                start = end;
            }
        }
        // The metadata goes last: a store without magic is not a database.
        let mut batch = WriteBatch::new();
        put_meta(&mut batch, &header, snapshot.catalog())?;
        kv.commit(batch, Durability::Relaxed)
    }

    /// Reads the base image and replays the log.
    fn load(&self) -> Result<Snapshot> {
        let header = *lock(&self.header)?;
        let catalog_bytes = self
            .kv
            .get(META, KEY_CATALOG)?
            .ok_or_else(|| corrupt(META, KEY_CATALOG, "missing"))?;
        let mut catalog: Catalog = decode_framed(META, KEY_CATALOG, &catalog_bytes)?;
        catalog.reindex();

        let mut timings = OpenTimings::default();
        let nodes: Vec<NodeRecord> = load_blocks(
            &*self.kv,
            NODES,
            "node",
            header.node_block,
            header.next_node_id,
            |r: &NodeRecord| r.id.0,
            &mut timings,
        )?;
        let rels: Vec<RelRecord> = load_blocks(
            &*self.kv,
            RELS,
            "relationship",
            header.rel_block,
            header.next_rel_id,
            |r: &RelRecord| r.id.0,
            &mut timings,
        )?;
        let t = Instant::now();
        let mut snapshot = Snapshot::from_records(
            catalog,
            header.version,
            NodeId(header.next_node_id),
            RelId(header.next_rel_id),
            nodes,
            rels,
        )
        .map_err(|e| {
            corrupt(
                META,
                KEY_BASE,
                format!("the base image is inconsistent: {e}"),
            )
        })?;

        timings.build = t.elapsed();
        let t = Instant::now();
        let mut pending = lock(&self.pending)?;
        let start = u64_key(header.version.saturating_add(1));
        let older = self
            .kv
            .range(LOG, Bound::Unbounded, Bound::Excluded(&start))?;
        if let Some((k, _)) = older.first() {
            return Err(corrupt(
                LOG,
                k,
                format!("log record at or below the base version {}", header.version),
            ));
        }
        for (k, v) in self
            .kv
            .range(LOG, Bound::Included(&start), Bound::Unbounded)?
        {
            let key =
                key_u64(&k).ok_or_else(|| corrupt(LOG, &k, "key is not an 8-byte version"))?;
            let mut record: LogRecord = decode_framed(LOG, &k, &v)?;
            let n = record.change_sets.len() as u64;
            if n == 0
                || record.first_version != snapshot.version() + 1
                || key != record.first_version + n - 1
            {
                return Err(corrupt(
                    LOG,
                    &k,
                    format!(
                        "record for versions {}..={} does not follow version {}",
                        record.first_version,
                        record.first_version.saturating_add(n).saturating_sub(1),
                        snapshot.version()
                    ),
                ));
            }
            for cs in &mut record.change_sets {
                if let Some(c) = cs.catalog.as_mut() {
                    c.0.reindex();
                }
                let next = snapshot
                    .apply(cs)
                    .map_err(|e| corrupt(LOG, &k, format!("replaying the record failed: {e}")))?;
                if next.version() != snapshot.version() + 1 {
                    return Err(GraphError::Storage(format!(
                        "snapshot apply moved version {} to {}, expected +1",
                        snapshot.version(),
                        next.version()
                    )));
                }
                snapshot = next;
            }
            note_record(
                &mut pending,
                &header,
                key,
                v.len() as u64,
                &record.change_sets,
            );
        }
        timings.replay = t.elapsed();
        *lock(&self.timings)? = timings;
        Ok(snapshot)
    }

    /// Appends one committed transaction to the log (all-or-nothing, per
    /// the durability mode). `key` is the version after the last change set.
    pub(crate) fn append(&self, key: u64, record: &LogRecord) -> Result<()> {
        let bytes = encode_framed(record)?;
        let len = bytes.len() as u64;
        // sled keeps large pages in separate blob files, which its periodic
        // flush never fsyncs; a large record is therefore made durable even
        // in relaxed mode, so a power loss cannot leave a log entry that
        // points at a lost blob.
        let durability = if len >= RELAXED_SYNC_BYTES {
            Durability::Durable
        } else {
            self.durability
        };
        if self.failed.load(Ordering::Acquire) {
            return Err(GraphError::Storage(
                "an earlier commit failed and could not be undone; reopen the database".into(),
            ));
        }
        let mut batch = WriteBatch::new();
        batch.put(LOG, u64_key(key), bytes);
        if let Err(e) = self.kv.commit(batch, durability) {
            // The record may have reached the store even though the commit
            // failed (an fsync error). It must not stay: the next commit
            // may reuse neither its key nor its versions consistently.
            let mut undo = WriteBatch::new();
            undo.delete(LOG, u64_key(key));
            if self.kv.commit(undo, Durability::Durable).is_err() {
                self.failed.store(true, Ordering::Release);
            }
            return Err(e);
        }
        let header = *lock(&self.header)?;
        note_record(
            &mut *lock(&self.pending)?,
            &header,
            key,
            len,
            &record.change_sets,
        );
        Ok(())
    }

    /// True when the log has grown past the checkpoint policy.
    pub(crate) fn wants_checkpoint(&self) -> bool {
        let (Ok(p), Ok(policy)) = (lock(&self.pending), lock(&self.policy)) else {
            return false;
        };
        !p.log_keys.is_empty()
            && (p.log_keys.len() as u64 >= policy.max_log_records
                || p.log_bytes >= policy.max_log_bytes)
    }

    /// True when a checkpoint at close is allowed and small enough.
    pub(crate) fn wants_close_checkpoint(&self) -> bool {
        let (Ok(p), Ok(policy)) = (lock(&self.pending), lock(&self.policy)) else {
            return false;
        };
        !p.log_keys.is_empty()
            && policy.checkpoint_at_close
            && (p.dirty_nodes.len() + p.dirty_rels.len()) as u64 <= policy.max_close_blocks
    }

    /// Folds the log into the base image. `snapshot` must be the latest
    /// committed snapshot (its version is the last log key); the caller
    /// holds the writer lock.
    pub(crate) fn checkpoint(&self, snapshot: &Snapshot) -> Result<()> {
        let mut pending = lock(&self.pending)?;
        let Some(&last) = pending.log_keys.last() else {
            return Ok(());
        };
        if last != snapshot.version() {
            return Err(GraphError::Storage(format!(
                "checkpoint of version {} requested but the log ends at {last}",
                snapshot.version()
            )));
        }
        let mut header = *lock(&self.header)?;
        header.version = snapshot.version();
        header.next_node_id = snapshot.next_node_id().0;
        header.next_rel_id = snapshot.next_rel_id().0;
        let dirty: Vec<(&str, u64)> = pending
            .dirty_nodes
            .iter()
            .map(|b| (NODES, *b))
            .chain(pending.dirty_rels.iter().map(|b| (RELS, *b)))
            .collect();
        let encoded: Vec<(&str, u64, Option<Vec<u8>>)> = dirty
            .par_iter()
            .map(|&(tree, b)| encode_block(snapshot, &header, tree, b).map(|v| (tree, b, v)))
            .collect::<Result<_>>()?;
        let mut batch = WriteBatch::new();
        for (tree, b, v) in encoded {
            match v {
                Some(v) => batch.put(tree, u64_key(b), v),
                None => batch.delete(tree, u64_key(b)),
            }
        }
        batch.put(META, KEY_BASE.to_vec(), encode_framed(&header)?);
        if pending.catalog_changed {
            batch.put(
                META,
                KEY_CATALOG.to_vec(),
                encode_framed(snapshot.catalog())?,
            );
        }
        for k in &pending.log_keys {
            batch.delete(LOG, u64_key(*k));
        }
        // Always durable: checkpoints are rare, large (blob files in sled)
        // and rewrite the base image.
        self.kv.commit(batch, Durability::Durable)?;
        *lock(&self.header)? = header;
        *pending = Pending::default();
        *lock(&self.checkpoints)? += 1;
        Ok(())
    }

    pub(crate) fn set_policy(&self, policy: CheckpointPolicy) -> Result<()> {
        *lock(&self.policy)? = policy;
        Ok(())
    }

    pub(crate) fn stats(&self) -> Result<StoreStats> {
        let p = lock(&self.pending)?;
        let h = lock(&self.header)?;
        Ok(StoreStats {
            backend: self.kv.backend_name(),
            base_version: h.version,
            log_records: p.log_keys.len() as u64,
            log_bytes: p.log_bytes,
            dirty_node_blocks: p.dirty_nodes.len() as u64,
            dirty_rel_blocks: p.dirty_rels.len() as u64,
            checkpoints: *lock(&self.checkpoints)?,
            size_on_disk: self.kv.size_on_disk()?,
            open_timings: *lock(&self.timings)?,
        })
    }

    pub(crate) fn sync(&self) -> Result<()> {
        self.kv.sync()
    }

    pub(crate) fn durability(&self) -> Durability {
        self.durability
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads and decodes (in parallel) every block of one record tree, checking
/// that each record's id belongs to the block it was found in.
fn load_blocks<R: serde::de::DeserializeOwned + Send>(
    kv: &dyn KvStore,
    tree: &str,
    what: &str,
    block_size: u64,
    id_bound: u64,
    id_of: impl Fn(&R) -> u64 + Sync,
    timings: &mut OpenTimings,
) -> Result<Vec<R>> {
    let t = Instant::now();
    let pairs = kv.range(tree, Bound::Unbounded, Bound::Unbounded)?;
    timings.read += t.elapsed();
    let t = Instant::now();
    let blocks: Vec<Vec<R>> = pairs
        .par_iter()
        .map(|(k, v)| {
            let block =
                key_u64(k).ok_or_else(|| corrupt(tree, k, "key is not an 8-byte block number"))?;
            let recs: Vec<R> = decode_framed(tree, k, v)?;
            let lo = block.saturating_mul(block_size);
            let hi = lo.saturating_add(block_size).min(id_bound);
            if let Some(id) = recs.iter().map(&id_of).find(|id| *id < lo || *id >= hi) {
                return Err(corrupt(
                    tree,
                    k,
                    format!("{what} {id} does not belong to block {block}"),
                ));
            }
            Ok(recs)
        })
        .collect::<Result<_>>()?;
    drop(pairs);
    let records = blocks.into_iter().flatten().collect();
    timings.decode += t.elapsed();
    Ok(records)
}

fn put_meta(batch: &mut WriteBatch, header: &BaseHeader, catalog: &Catalog) -> Result<()> {
    batch.put(META, KEY_MAGIC.to_vec(), MAGIC.to_vec());
    batch.put(
        META,
        KEY_FORMAT_VERSION.to_vec(),
        encode_version(FORMAT_VERSION),
    );
    batch.put(META, KEY_CATALOG.to_vec(), encode_framed(catalog)?);
    batch.put(META, KEY_BASE.to_vec(), encode_framed(header)?);
    Ok(())
}

fn read_header(kv: &dyn KvStore) -> Result<BaseHeader> {
    let bytes = kv
        .get(META, KEY_BASE)?
        .ok_or_else(|| corrupt(META, KEY_BASE, "missing"))?;
    let h: BaseHeader = decode_framed(META, KEY_BASE, &bytes)?;
    if h.node_block == 0 || h.rel_block == 0 {
        return Err(corrupt(META, KEY_BASE, "block size of zero"));
    }
    Ok(h)
}

/// The encoded block `b` of `tree`, or `None` when it holds no live record.
fn encode_block(
    snapshot: &Snapshot,
    header: &BaseHeader,
    tree: &str,
    b: u64,
) -> Result<Option<Vec<u8>>> {
    if tree == NODES {
        let lo = b * header.node_block;
        let recs = snapshot.node_records(lo..lo + header.node_block);
        if recs.is_empty() {
            return Ok(None);
        }
        encode_framed(&recs).map(Some)
    } else {
        let lo = b * header.rel_block;
        let recs = snapshot.rel_records(lo..lo + header.rel_block);
        if recs.is_empty() {
            return Ok(None);
        }
        encode_framed(&recs).map(Some)
    }
}

/// Records a log entry and the blocks it dirties.
fn note_record(
    p: &mut Pending,
    header: &BaseHeader,
    key: u64,
    bytes: u64,
    change_sets: &[ChangeSet],
) {
    p.log_keys.push(key);
    p.log_bytes += bytes;
    for cs in change_sets {
        if cs.catalog.is_some() {
            p.catalog_changed = true;
        }
        for c in &cs.changes {
            match c {
                Change::CreateNode { id, .. }
                | Change::DeleteNode { id }
                | Change::SetNodeProp { id, .. }
                | Change::AddLabel { id, .. }
                | Change::RemoveLabel { id, .. } => {
                    p.dirty_nodes.insert(id.0 / header.node_block);
                }
                Change::CreateRel { id, .. }
                | Change::DeleteRel { id }
                | Change::SetRelProp { id, .. } => {
                    p.dirty_rels.insert(id.0 / header.rel_block);
                }
            }
        }
    }
}
