//! The store of record over a [`KvStore`] and a [`SegmentDir`]: opens the
//! base image from the segments the manifest names and replays the delta
//! log, appends one log record per commit, and folds the log into new
//! segments at checkpoints.
//!
//! Invariant kept by every batch this module commits: the base image (the
//! manifest's segments + catalog) reflects exactly version
//! `manifest.counts.version`, and the log holds one record for every later
//! commit, with contiguous versions. A checkpoint first writes and syncs a
//! new segment, then moves the boundary in one atomic batch (new manifest,
//! deleted log records), so a crash at any instant leaves either the old
//! manifest with its segments or the new one with its segments.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rayon::prelude::*;

use super::format::{
    corrupt, decode_framed, decode_framed_if_current, decode_version, encode_framed,
    encode_version, key_u64, u64_key, BaseHeader, ErasureIntent, LogRecord, LogRecordV2, Manifest,
    SegmentEntry, StandingCursor, StandingRecord, StoredStats, FORMAT_VERSION,
    FORMAT_VERSION_BLOCKS, FORMAT_VERSION_CATALOG, FORMAT_VERSION_CHECKSUMS, FORMAT_VERSION_HOLES,
    FORMAT_VERSION_SEGMENTS, KEY_BASE, KEY_CATALOG, KEY_ERASURE, KEY_FORMAT_VERSION,
    KEY_LAST_VERSION, KEY_MAGIC, KEY_MANIFEST, KEY_STATS, KEY_STATS_LEGACY, LOG, MAGIC, META,
    NODES, RELS, STANDING, STANDING_CURSORS,
};
use super::segments::SegmentDir;
use super::{CheckpointPolicy, Durability, OpenTimings, StoreStats};
use crate::catalog::{Catalog, CatalogV2};
use crate::change::{Change, ChangeSet};
use crate::error::{GraphError, Result};
use crate::ids::{NodeId, RelId};
use crate::kv::{KvStore, WriteBatch};
use crate::record::{NodeRecord, RelRecord};
use crate::snapshot::image::{Finished, ImageWriter};
use crate::snapshot::segment::OpenSegment;
use crate::snapshot::stats::{GraphStats, STATS_REVISION};
use crate::snapshot::{DamageLog, Snapshot, SnapshotWatch, NODE_CHUNK, REL_CHUNK};

mod erase;

/// Log records at least this large are synced even in relaxed mode.
pub(crate) const RELAXED_SYNC_BYTES: u64 = 64 * 1024;

/// Log state since the last checkpoint.
#[derive(Default)]
struct Pending {
    /// Keys (commit versions) of the log records not yet folded, with
    /// their encoded sizes.
    log_keys: Vec<(u64, u64)>,
    /// Their total encoded size.
    log_bytes: u64,
    /// Node chunks touched by those records.
    dirty_nodes: BTreeSet<u64>,
    /// Relationship chunks touched by those records.
    dirty_rels: BTreeSet<u64>,
    /// Whether some record changed the catalog.
    catalog_changed: bool,
}

/// Which segment holds the current version of each chunk, and how many
/// chunks each segment stores (current or superseded).
#[derive(Default)]
struct Owners {
    nodes: Vec<u64>,
    rels: Vec<u64>,
    stored: BTreeMap<u64, u64>,
}

impl Owners {
    fn record(
        &mut self,
        id: u64,
        nodes: impl Iterator<Item = u64>,
        rels: impl Iterator<Item = u64>,
    ) {
        let mut n = 0;
        for (list, chunks) in [
            (
                &mut self.nodes,
                Box::new(nodes) as Box<dyn Iterator<Item = u64>>,
            ),
            (&mut self.rels, Box::new(rels)),
        ] {
            for c in chunks {
                let c = c as usize;
                if list.len() <= c {
                    list.resize(c + 1, u64::MAX);
                }
                list[c] = id;
                n += 1;
            }
        }
        *self.stored.entry(id).or_default() += n;
    }

    fn from_segments(segments: &[OpenSegment], entries: &[SegmentEntry]) -> Owners {
        let mut o = Owners::default();
        for (seg, e) in segments.iter().zip(entries) {
            o.record(
                e.id,
                seg.footer.nodes.iter().map(|(i, _)| *i),
                seg.footer.rels.iter().map(|(i, _)| *i),
            );
        }
        o
    }

    /// Segments that hold the current version of some chunk.
    fn live(&self) -> BTreeSet<u64> {
        self.nodes
            .iter()
            .chain(&self.rels)
            .copied()
            .filter(|i| *i != u64::MAX)
            .collect()
    }
}

/// The persistent half of a [`super::Graph`].
pub(crate) struct Store {
    kv: Arc<dyn KvStore>,
    segments: SegmentDir,
    path: PathBuf,
    durability: Durability,
    manifest: Mutex<Manifest>,
    /// Serializes checkpoints (a background one and an explicit one).
    checkpointing: Mutex<()>,
    /// The snapshot the manifest describes (chunks read in place): a
    /// checkpoint writes the chunks that differ from it.
    base: Mutex<Snapshot>,
    owners: Mutex<Owners>,
    pending: Mutex<Pending>,
    policy: Mutex<CheckpointPolicy>,
    checkpoints: Mutex<u64>,
    /// Set when a failed commit could not be rolled back in the store;
    /// further commits are refused.
    failed: AtomicBool,
    /// How long the last open took, by phase.
    timings: Mutex<OpenTimings>,
    /// Every snapshot version published since the last erasure, so that
    /// an erasure can wait until no reader holds one (see `erase.rs`).
    published: Mutex<Vec<SnapshotWatch>>,
    /// Whether `meta`/`erasure` holds an unfinished erasure.
    erasure_pending: AtomicBool,
    /// Reads of damaged segment arrays, shared by every snapshot.
    pub(crate) damage: Arc<DamageLog>,
}

fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    m.lock()
        .map_err(|_| GraphError::Storage("store state lock poisoned by a panicking thread".into()))
}

impl Store {
    fn new(
        kv: Arc<dyn KvStore>,
        segments: SegmentDir,
        path: &Path,
        durability: Durability,
        manifest: Manifest,
    ) -> Store {
        Store {
            kv,
            segments,
            path: path.to_path_buf(),
            durability,
            manifest: Mutex::new(manifest),
            checkpointing: Mutex::new(()),
            base: Mutex::new(Snapshot::empty()),
            owners: Mutex::new(Owners::default()),
            pending: Mutex::new(Pending::default()),
            policy: Mutex::new(CheckpointPolicy::default()),
            checkpoints: Mutex::new(0),
            failed: AtomicBool::new(false),
            timings: Mutex::new(OpenTimings::default()),
            published: Mutex::new(Vec::new()),
            erasure_pending: AtomicBool::new(false),
            damage: Arc::default(),
        }
    }

    /// Opens the store in `kv` and `segments` (initializing an empty one
    /// when `create`) and returns it with the latest committed snapshot.
    pub(crate) fn open(
        kv: Arc<dyn KvStore>,
        segments: SegmentDir,
        path: &Path,
        durability: Durability,
        create: bool,
    ) -> Result<(Store, Snapshot)> {
        let magic = kv.get(META, KEY_MAGIC)?;
        let mut upgrade = false;
        let manifest = match magic {
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
                let manifest = Manifest::default();
                let mut batch = WriteBatch::new();
                put_meta(&mut batch, &manifest, &Catalog::default())?;
                kv.commit(batch, Durability::Durable)?;
                manifest
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
                match decode_version(&version)? {
                    FORMAT_VERSION => read_manifest(kv.as_ref())?,
                    FORMAT_VERSION_HOLES | FORMAT_VERSION_CHECKSUMS | FORMAT_VERSION_CATALOG => {
                        upgrade = true;
                        read_manifest(kv.as_ref())?
                    }
                    FORMAT_VERSION_SEGMENTS => {
                        upgrade_catalog_layout(kv.as_ref())?;
                        upgrade = true;
                        read_manifest(kv.as_ref())?
                    }
                    FORMAT_VERSION_BLOCKS => {
                        upgrade_blocks(kv.as_ref(), &segments)?;
                        upgrade_catalog_layout(kv.as_ref())?;
                        upgrade = true;
                        read_manifest(kv.as_ref())?
                    }
                    found => {
                        return Err(GraphError::FormatVersion {
                            found,
                            expected: FORMAT_VERSION,
                        })
                    }
                }
            }
        };
        let mut manifest = manifest;
        let pending = erase::resume_scrubs(kv.as_ref(), &segments, &mut manifest)?;
        // Leftovers of an interrupted checkpoint, import or upgrade.
        segments.remove_unnamed(&manifest.segments)?;
        if upgrade {
            manifest = upgrade_segments(kv.as_ref(), &segments, manifest)?;
        }
        let store = Store::new(kv, segments, path, durability, manifest);
        store.erasure_pending.store(pending, Ordering::Release);
        let snapshot = store.load()?;
        Ok((store, snapshot))
    }

    /// Attaches to a store just written by [`Store::write_image`] (of
    /// `written`, when given) and returns it with the snapshot read in place
    /// from its segments.
    pub(crate) fn attach(
        kv: Arc<dyn KvStore>,
        segments: SegmentDir,
        path: &Path,
        durability: Durability,
        written: Option<&Snapshot>,
    ) -> Result<(Store, Snapshot)> {
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
        let manifest = read_manifest(kv.as_ref())?;
        if written.is_some_and(|w| manifest.counts != w.counts()) {
            return Err(corrupt(
                META,
                KEY_MANIFEST,
                "the manifest does not describe the image just written",
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
        let store = Store::new(kv, segments, path, durability, manifest);
        let snapshot = store.load()?;
        // Statistics are computed once here, so that no later open pays
        // for them (a checkpoint replaces them).
        let mut batch = WriteBatch::new();
        let stats = put_stats(
            &mut batch,
            snapshot.version(),
            GraphStats::compute(&snapshot),
        )?;
        store.kv.commit(batch, Durability::Durable)?;
        snapshot.set_stats(stats);
        Ok((store, snapshot))
    }

    /// Writes a complete base image of `snapshot` as one segment and its
    /// manifest into an empty store (bulk creation). The caller syncs.
    pub(crate) fn write_image(
        kv: &dyn KvStore,
        segments: &SegmentDir,
        snapshot: &Snapshot,
    ) -> Result<()> {
        if kv.get(META, KEY_MAGIC)?.is_some() || !kv.tree_names()?.is_empty() {
            return Err(GraphError::Invalid(
                "bulk creation needs an empty store".into(),
            ));
        }
        let manifest = write_full_image(segments, snapshot, 0)?;
        // The metadata goes last: a store without magic is not a database.
        let mut batch = WriteBatch::new();
        put_meta(&mut batch, &manifest, snapshot.catalog())?;
        kv.commit(batch, Durability::Relaxed)
    }

    /// Writes a base image streamed by `f` (which returns the catalog) as
    /// one segment and its manifest into an empty store (bulk import). The
    /// caller syncs.
    pub(crate) fn write_streamed_image(
        kv: &dyn KvStore,
        segments: &SegmentDir,
        f: impl FnOnce(
            ImageWriter<std::io::BufWriter<std::fs::File>>,
        ) -> Result<(Finished<std::io::BufWriter<std::fs::File>>, Catalog)>,
    ) -> Result<()> {
        if kv.get(META, KEY_MAGIC)?.is_some() || !kv.tree_names()?.is_empty() {
            return Err(GraphError::Invalid(
                "bulk creation needs an empty store".into(),
            ));
        }
        let (entry, counts, catalog) = segments.write_streamed(0, f)?;
        let manifest = Manifest {
            counts,
            segments: vec![entry],
            next_segment: 1,
        };
        let mut batch = WriteBatch::new();
        put_meta(&mut batch, &manifest, &catalog)?;
        kv.commit(batch, Durability::Relaxed)
    }

    /// Reads the base image in place and replays the log.
    fn load(&self) -> Result<Snapshot> {
        let manifest = lock(&self.manifest)?.clone();
        let catalog_bytes = self
            .kv
            .get(META, KEY_CATALOG)?
            .ok_or_else(|| corrupt(META, KEY_CATALOG, "missing"))?;
        let mut catalog: Catalog = decode_framed(META, KEY_CATALOG, &catalog_bytes)?;
        catalog.reindex();

        let mut timings = OpenTimings::default();
        let t = Instant::now();
        let opened: Vec<OpenSegment> = manifest
            .segments
            .iter()
            .map(|e| self.segments.open(e, &self.damage))
            .collect::<Result<_>>()?;
        timings.read = t.elapsed();
        let t = Instant::now();
        *lock(&self.owners)? = Owners::from_segments(&opened, &manifest.segments);
        if let Some(old) = opened.iter().find(|s| s.is_v2()) {
            return Err(GraphError::CorruptSegment {
                file: old.name.clone(),
                reason: format!(
                    "a segment of format {FORMAT_VERSION_CATALOG} (RGSEG2) in a database of format {FORMAT_VERSION}"
                ),
            });
        }
        let mut snapshot = Snapshot::from_segments(
            catalog,
            manifest.counts.clone(),
            &opened,
            self.damage.clone(),
        )?;
        drop(opened);
        if let Some(stats) = self.read_stats(manifest.counts.version)? {
            // Replayed commits inherit them while the counts stay close.
            snapshot.set_stats(Arc::new(stats));
        }
        *lock(&self.base)? = snapshot.clone();
        timings.build = t.elapsed();

        let t = Instant::now();
        let version = manifest.counts.version;
        let mut pending = lock(&self.pending)?;
        let start = u64_key(version.saturating_add(1));
        let older = self
            .kv
            .range(LOG, Bound::Unbounded, Bound::Excluded(&start))?;
        if let Some((k, _)) = older.first() {
            return Err(corrupt(
                LOG,
                k,
                format!("log record at or below the base version {version}"),
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
            note_record(&mut pending, key, v.len() as u64, &record.change_sets);
        }
        if let Some(v) = self.kv.get(META, KEY_LAST_VERSION)? {
            let last = key_u64(&v)
                .ok_or_else(|| corrupt(META, KEY_LAST_VERSION, "not an 8-byte version"))?;
            if snapshot.version() < last {
                return Err(corrupt(
                    LOG,
                    &u64_key(snapshot.version() + 1),
                    format!(
                        "the log ends at version {} but version {last} was committed: log records are missing",
                        snapshot.version()
                    ),
                ));
            }
        }
        timings.replay = t.elapsed();
        *lock(&self.timings)? = timings;
        Ok(snapshot)
    }

    /// Stores (or replaces) the standing-query registration `name`, durably.
    pub(crate) fn put_standing(&self, name: &str, record: &StandingRecord) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(STANDING, name.as_bytes().to_vec(), encode_framed(record)?);
        self.kv.commit(batch, Durability::Durable)
    }

    /// Deletes the registration `name` and its cursor (nothing if
    /// absent), durably, in one batch.
    pub(crate) fn delete_standing(&self, name: &str) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(STANDING, name.as_bytes().to_vec());
        batch.delete(STANDING_CURSORS, name.as_bytes().to_vec());
        self.kv.commit(batch, Durability::Durable)
    }

    /// Stores (or replaces) the cursor of registration `name`, durably.
    pub(crate) fn put_standing_cursor(&self, name: &str, cursor: &StandingCursor) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.put(
            STANDING_CURSORS,
            name.as_bytes().to_vec(),
            encode_framed(cursor)?,
        );
        self.kv.commit(batch, Durability::Durable)
    }

    /// The cursor of registration `name`, if one was stored.
    pub(crate) fn standing_cursor(&self, name: &str) -> Result<Option<StandingCursor>> {
        let key = name.as_bytes();
        match self.kv.get(STANDING_CURSORS, key)? {
            Some(bytes) => Ok(Some(decode_framed(STANDING_CURSORS, key, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Every stored registration, by name.
    pub(crate) fn standing_records(&self) -> Result<Vec<(String, StandingRecord)>> {
        let mut out = Vec::new();
        for (key, value) in self.kv.scan_prefix(STANDING, b"")? {
            let name = String::from_utf8(key.clone())
                .map_err(|_| corrupt(STANDING, &key, "the name is not UTF-8"))?;
            out.push((name, decode_framed(STANDING, &key, &value)?));
        }
        Ok(out)
    }

    /// Appends one committed transaction to the log (all-or-nothing, per
    /// the durability mode). `key` is the version after the last change set.
    /// With `intent`, the record is an erasure's delete: the intent is
    /// written in the same batch, and the batch is always durable.
    pub(crate) fn append(
        &self,
        key: u64,
        record: &LogRecord,
        intent: Option<&ErasureIntent>,
    ) -> Result<()> {
        let bytes = encode_framed(record)?;
        let len = bytes.len() as u64;
        // sled keeps large pages in separate blob files, which its periodic
        // flush never fsyncs; a large record is therefore made durable even
        // in relaxed mode, so a power loss cannot leave a log entry that
        // points at a lost blob.
        let durability = if len >= RELAXED_SYNC_BYTES || intent.is_some() {
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
        // The last acknowledged version, in the same batch: a log that ends
        // before it at open has lost records (see `load`).
        batch.put(META, KEY_LAST_VERSION.to_vec(), u64_key(key));
        let previous_intent = match intent {
            Some(intent) => {
                batch.put(META, KEY_ERASURE.to_vec(), encode_framed(intent)?);
                self.kv.get(META, KEY_ERASURE)?
            }
            None => None,
        };
        if let Err(e) = self.kv.commit(batch, durability) {
            // The record may have reached the store even though the commit
            // failed (an fsync error). It must not stay: the next commit
            // may reuse neither its key nor its versions consistently.
            let mut undo = WriteBatch::new();
            undo.delete(LOG, u64_key(key));
            undo.put(
                META,
                KEY_LAST_VERSION.to_vec(),
                u64_key(record.first_version.saturating_sub(1)),
            );
            if intent.is_some() {
                match previous_intent {
                    Some(v) => undo.put(META, KEY_ERASURE.to_vec(), v),
                    None => undo.delete(META, KEY_ERASURE.to_vec()),
                }
            }
            if self.kv.commit(undo, Durability::Durable).is_err() {
                self.failed.store(true, Ordering::Release);
            }
            return Err(e);
        }
        note_record(&mut *lock(&self.pending)?, key, len, &record.change_sets);
        if intent.is_some() {
            self.erasure_pending.store(true, Ordering::Release);
        }
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

    /// Folds the log up to `snapshot` into the base image: writes the
    /// chunks that differ from the base into a new segment (or every chunk
    /// into one segment when the segments would hold more than twice the
    /// live chunks), syncs it, then switches the manifest and deletes the
    /// folded log records in one batch. `snapshot` must be a committed
    /// snapshot at least as new as the base. Commits may go on meanwhile:
    /// the log lock is held only to read and then trim the list of records,
    /// never while the segment is written.
    ///
    /// Returns `snapshot` with the chunks just written read in place from
    /// the new segment (`None` when there was nothing to fold), for the
    /// caller to publish (see [`Snapshot::rebase`]).
    pub(crate) fn checkpoint(&self, snapshot: &Snapshot) -> Result<Option<Snapshot>> {
        let _one_at_a_time = lock(&self.checkpointing)?;
        let version = snapshot.version();
        let folded: Vec<u64> = {
            let pending = lock(&self.pending)?;
            let folded: Vec<u64> = pending
                .log_keys
                .iter()
                .map(|(k, _)| *k)
                .take_while(|k| *k <= version)
                .collect();
            if folded.is_empty() {
                return Ok(None);
            }
            if folded.last() != Some(&version) {
                return Err(GraphError::Storage(format!(
                    "checkpoint of version {version} requested but no log record ends there"
                )));
            }
            folded
        };
        let mut manifest = lock(&self.manifest)?.clone();
        let mut base = lock(&self.base)?;
        let (node_chunks, rel_chunks) = snapshot.chunk_counts();
        let (nodes, rels) = snapshot.changed_chunks(&base);
        let id = manifest.next_segment;
        let mut owners = lock(&self.owners)?;
        let stored: u64 = owners.stored.values().sum();
        let dirty = (nodes.len() + rels.len()) as u64;
        let removed: Vec<u64> = if stored + dirty > 2 * (node_chunks + rel_chunks).max(1) {
            // Compaction: one segment with every chunk replaces them all.
            let old: Vec<u64> = manifest.segments.iter().map(|e| e.id).collect();
            manifest = write_full_image(&self.segments, snapshot, id)?;
            *owners = Owners::default();
            owners.record(id, 0..node_chunks, 0..rel_chunks);
            old
        } else {
            let entry = self.segments.write(id, snapshot, &nodes, &rels)?;
            manifest.segments.push(entry);
            manifest.next_segment = id + 1;
            manifest.counts = snapshot.counts();
            owners.record(id, nodes.into_iter(), rels.into_iter());
            let live = owners.live();
            let (keep, drop): (Vec<SegmentEntry>, Vec<SegmentEntry>) =
                manifest.segments.iter().partition(|e| live.contains(&e.id));
            manifest.segments = keep;
            for e in &drop {
                owners.stored.remove(&e.id);
            }
            drop.iter().map(|e| e.id).collect()
        };
        drop(owners);
        let mut batch = WriteBatch::new();
        batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(&manifest)?);
        batch.put(
            META,
            KEY_CATALOG.to_vec(),
            encode_framed(snapshot.catalog())?,
        );
        // Fresh statistics of the new base image, from a sample (milliseconds).
        let stats = put_stats(&mut batch, version, GraphStats::compute(snapshot))?;
        for k in &folded {
            batch.delete(LOG, u64_key(*k));
        }
        // Always durable: the manifest names segments that are on disk.
        self.kv.commit(batch, Durability::Durable)?;
        let entry = *manifest
            .segments
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| GraphError::Storage("the new segment is not in its manifest".into()))?;
        *lock(&self.manifest)? = manifest;
        {
            let mut pending = lock(&self.pending)?;
            let n = folded.len().min(pending.log_keys.len());
            let gone: u64 = pending.log_keys.drain(..n).map(|(_, b)| b).sum();
            pending.log_bytes = pending.log_bytes.saturating_sub(gone);
            if pending.log_keys.is_empty() {
                *pending = Pending::default();
            }
        }
        *lock(&self.checkpoints)? += 1;
        // Readers that map a removed file keep it until they drop it.
        for id in removed {
            self.segments.remove(id)?;
        }
        // The written chunks, read in place from now on.
        let mapped = snapshot.with_segment(&self.segments.open(&entry, &self.damage)?)?;
        mapped.set_stats(stats);
        *base = mapped.clone();
        Ok(Some(mapped))
    }

    /// The stored statistics, if they describe the base image of `version`.
    fn read_stats(&self, version: u64) -> Result<Option<GraphStats>> {
        let Some(bytes) = self.kv.get(META, KEY_STATS)? else {
            return Ok(None);
        };
        // Derived data: statistics of another revision, or of a layout
        // that no longer decodes, are sampled again instead.
        let stored: Option<StoredStats> = decode_framed_if_current(META, KEY_STATS, &bytes)?;
        Ok(stored
            .filter(|s| s.version == version && s.revision == STATS_REVISION)
            .map(|s| s.stats))
    }

    /// Reads every segment the manifest names and checks its size,
    /// footer and data checksum; one entry per segment.
    pub(crate) fn verify_segments(&self) -> Result<Vec<super::SegmentCheck>> {
        let manifest = lock(&self.manifest)?.clone();
        Ok(manifest
            .segments
            .iter()
            .map(|e| super::SegmentCheck {
                file: self.segments.display(e.id),
                bytes: e.len,
                damage: self
                    .segments
                    .open(e, &self.damage)
                    .and_then(|s| s.verify())
                    .err()
                    .map(|err| err.to_string()),
            })
            .collect())
    }

    /// Whether threshold checkpoints run on the background thread.
    pub(crate) fn background_checkpoints(&self) -> bool {
        lock(&self.policy).map_or(true, |p| p.background)
    }

    pub(crate) fn set_policy(&self, policy: CheckpointPolicy) -> Result<()> {
        *lock(&self.policy)? = policy;
        Ok(())
    }

    pub(crate) fn stats(&self) -> Result<StoreStats> {
        let p = lock(&self.pending)?;
        let m = lock(&self.manifest)?;
        Ok(StoreStats {
            backend: self.kv.backend_name(),
            base_version: m.counts.version,
            segments: m.segments.len() as u64,
            log_records: p.log_keys.len() as u64,
            log_bytes: p.log_bytes,
            dirty_node_blocks: p.dirty_nodes.len() as u64,
            dirty_rel_blocks: p.dirty_rels.len() as u64,
            checkpoints: *lock(&self.checkpoints)?,
            size_on_disk: self.kv.size_on_disk()? + self.segments.size(),
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

/// Writes every chunk of `snapshot` as segment `id`; the manifest naming it alone.
fn write_full_image(segments: &SegmentDir, snapshot: &Snapshot, id: u64) -> Result<Manifest> {
    let (node_chunks, rel_chunks) = snapshot.chunk_counts();
    let nodes: Vec<u64> = (0..node_chunks).collect();
    let rels: Vec<u64> = (0..rel_chunks).collect();
    let entry = segments.write(id, snapshot, &nodes, &rels)?;
    Ok(Manifest {
        counts: snapshot.counts(),
        segments: vec![entry],
        next_segment: id + 1,
    })
}

fn put_meta(batch: &mut WriteBatch, manifest: &Manifest, catalog: &Catalog) -> Result<()> {
    batch.put(META, KEY_MAGIC.to_vec(), MAGIC.to_vec());
    batch.put(
        META,
        KEY_FORMAT_VERSION.to_vec(),
        encode_version(FORMAT_VERSION),
    );
    batch.put(META, KEY_CATALOG.to_vec(), encode_framed(catalog)?);
    batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(manifest)?);
    Ok(())
}

/// Puts `stats` of the base image of `version` into `batch`; returns them
/// for the snapshot.
fn put_stats(batch: &mut WriteBatch, version: u64, stats: GraphStats) -> Result<Arc<GraphStats>> {
    let stored = StoredStats {
        version,
        stats,
        revision: STATS_REVISION,
    };
    batch.put(META, KEY_STATS.to_vec(), encode_framed(&stored)?);
    batch.delete(META, KEY_STATS_LEGACY.to_vec());
    Ok(Arc::new(stored.stats))
}

fn read_manifest(kv: &dyn KvStore) -> Result<Manifest> {
    let bytes = kv
        .get(META, KEY_MANIFEST)?
        .ok_or_else(|| corrupt(META, KEY_MANIFEST, "missing"))?;
    decode_framed(META, KEY_MANIFEST, &bytes)
}

/// Converts a format-1 database (record blocks in sled) in place: builds
/// the base image from its blocks, writes it as segment 0, then in one
/// batch names it in a manifest, sets the format version and deletes the
/// blocks. The log is untouched: it continues from the same base version.
fn upgrade_blocks(kv: &dyn KvStore, segments: &SegmentDir) -> Result<Manifest> {
    let header = read_header(kv)?;
    let catalog_bytes = kv
        .get(META, KEY_CATALOG)?
        .ok_or_else(|| corrupt(META, KEY_CATALOG, "missing"))?;
    let catalog: Catalog = decode_framed::<CatalogV2>(META, KEY_CATALOG, &catalog_bytes)?.into();
    let mut timings = OpenTimings::default();
    let nodes: Vec<NodeRecord> = load_blocks(
        kv,
        NODES,
        "node",
        header.node_block,
        header.next_node_id,
        |r: &NodeRecord| r.id.0,
        &mut timings,
    )?;
    let rels: Vec<RelRecord> = load_blocks(
        kv,
        RELS,
        "relationship",
        header.rel_block,
        header.next_rel_id,
        |r: &RelRecord| r.id.0,
        &mut timings,
    )?;
    let base = Snapshot::from_records(
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
    let manifest = write_full_image(segments, &base, 0)?;
    let mut batch = WriteBatch::new();
    batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(&manifest)?);
    // Format 2: the catalog and log keep their older layout until
    // `upgrade_catalog_layout` rewrites them.
    batch.put(
        META,
        KEY_FORMAT_VERSION.to_vec(),
        encode_version(FORMAT_VERSION_SEGMENTS),
    );
    batch.delete(META, KEY_BASE.to_vec());
    for tree in [NODES, RELS] {
        for (k, _) in kv.range(tree, Bound::Unbounded, Bound::Unbounded)? {
            batch.delete(tree, k);
        }
    }
    kv.commit(batch, Durability::Durable)?;
    Ok(manifest)
}

/// Format 2 to 3: rewrites the catalog and every log record in the
/// catalog's new layout (with policies, none yet) and sets the version, in
/// one durable batch: an interruption leaves format 2 as it was.
fn upgrade_catalog_layout(kv: &dyn KvStore) -> Result<()> {
    let bytes = kv
        .get(META, KEY_CATALOG)?
        .ok_or_else(|| corrupt(META, KEY_CATALOG, "missing"))?;
    let catalog: Catalog = decode_framed::<CatalogV2>(META, KEY_CATALOG, &bytes)?.into();
    let mut batch = WriteBatch::new();
    batch.put(META, KEY_CATALOG.to_vec(), encode_framed(&catalog)?);
    for (k, v) in kv.range(LOG, Bound::Unbounded, Bound::Unbounded)? {
        let record: LogRecord = decode_framed::<LogRecordV2>(LOG, &k, &v)?.into();
        batch.put(LOG, k, encode_framed(&record)?);
    }
    batch.put(
        META,
        KEY_FORMAT_VERSION.to_vec(),
        encode_version(FORMAT_VERSION_CATALOG),
    );
    kv.commit(batch, Durability::Durable)
}

/// Format 3 to 4: segments of format 3 (`RGSEG2`) carry no checksum per
/// array, so the base image is verified whole (every file's data
/// checksum, a read of all of it), written again as one new segment
/// (`RGSEG3`, every array checksummed), and the manifest naming it and
/// the version are one durable batch; the old files are removed after
/// it. An interruption leaves format 3 as it was (the new file unnamed,
/// removed at the next open). The log is untouched: the base version
/// stays. A damaged old segment refuses the upgrade, naming the file.
/// Formats 4 and 5 to 6 write the version alone (their `RGSEG3` segments
/// are read in place).
fn upgrade_segments(
    kv: &dyn KvStore,
    segments: &SegmentDir,
    manifest: Manifest,
) -> Result<Manifest> {
    let damage = Arc::default();
    let opened: Vec<OpenSegment> = manifest
        .segments
        .iter()
        .map(|e| segments.open(e, &damage))
        .collect::<Result<_>>()?;
    let mut batch = WriteBatch::new();
    let mut removed = Vec::new();
    let mut manifest = manifest;
    if opened.iter().any(OpenSegment::is_v2) {
        for seg in &opened {
            seg.verify()?;
        }
        let bytes = kv
            .get(META, KEY_CATALOG)?
            .ok_or_else(|| corrupt(META, KEY_CATALOG, "missing"))?;
        let mut catalog: Catalog = decode_framed(META, KEY_CATALOG, &bytes)?;
        catalog.reindex();
        let base = Snapshot::from_segments(catalog, manifest.counts.clone(), &opened, damage)?;
        let rewritten = write_full_image(segments, &base, manifest.next_segment)?;
        drop(base);
        drop(opened);
        removed = manifest.segments.iter().map(|e| e.id).collect();
        manifest = rewritten;
        batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(&manifest)?);
    }
    batch.put(
        META,
        KEY_FORMAT_VERSION.to_vec(),
        encode_version(FORMAT_VERSION),
    );
    kv.commit(batch, Durability::Durable)?;
    for id in removed {
        segments.remove(id)?;
    }
    Ok(manifest)
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

/// Records a log entry and the chunks it dirties.
fn note_record(p: &mut Pending, key: u64, bytes: u64, change_sets: &[ChangeSet]) {
    p.log_keys.push((key, bytes));
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
                    p.dirty_nodes.insert(id.0 / NODE_CHUNK);
                }
                Change::CreateRel { id, src, dst, .. } => {
                    // Adjacency lives in the endpoints' node chunks.
                    p.dirty_rels.insert(id.0 / REL_CHUNK);
                    p.dirty_nodes.insert(src.0 / NODE_CHUNK);
                    p.dirty_nodes.insert(dst.0 / NODE_CHUNK);
                }
                Change::DeleteRel { id } | Change::SetRelProp { id, .. } => {
                    p.dirty_rels.insert(id.0 / REL_CHUNK);
                }
            }
        }
    }
}
