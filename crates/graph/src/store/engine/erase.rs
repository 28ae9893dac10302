//! The store's half of erasure (docs/erasure.md): the intent record, the
//! in-place scrub of superseded chunks in older segments, and the rewrite
//! of the key-value store's files. The order of the steps, and what is
//! redone at open, is the crash protocol:
//!
//! 1. `Deleted`: the delete's log record and the intent, one durable batch
//!    ([`Store::append`]).
//! 2. The log is folded (an ordinary checkpoint): the chunks that held the
//!    entities are written anew without them, and the records that wrote
//!    them are deleted from the log.
//! 3. `Scrubbing(plans)`: the in-place rewrites of older segments, recorded
//!    before any file changes; then applied; then the manifest (new sizes
//!    and checksums) and `Rewriting`, one batch. At open, recorded plans
//!    are applied again before any segment is read ([`resume_scrubs`]).
//! 4. The key-value store is rewritten into fresh files without the
//!    intent ([`crate::kv::KvStore::rewrite`]), which drops every old
//!    version of the log records, manifests and statistics.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use super::{lock, Store};
use crate::error::Result;
use crate::kv::{KvStore, WriteBatch};
use crate::snapshot::{scrub, Snapshot, SnapshotWatch};
use crate::store::format::{
    corrupt, decode_framed, encode_framed, ErasureIntent, ErasureStage, Manifest, ScrubPlan,
    KEY_ERASURE, KEY_MANIFEST, META,
};
use crate::store::segments::SegmentDir;
use crate::store::Durability;

/// Reads the pending erasure, if any.
fn read_intent(kv: &dyn KvStore) -> Result<Option<ErasureIntent>> {
    match kv.get(META, KEY_ERASURE)? {
        Some(bytes) => Ok(Some(decode_framed(META, KEY_ERASURE, &bytes)?)),
        None => Ok(None),
    }
}

/// At open, before any segment is read: applies scrub plans that were
/// recorded but maybe not (wholly) applied, and records their result in
/// the manifest. Returns whether an erasure is pending.
pub(super) fn resume_scrubs(
    kv: &dyn KvStore,
    segments: &SegmentDir,
    manifest: &mut Manifest,
) -> Result<bool> {
    let Some(mut intent) = read_intent(kv)? else {
        return Ok(false);
    };
    if let ErasureStage::Scrubbing(plans) = &intent.stage {
        let plans = plans.clone();
        *manifest = apply_plans(kv, segments, manifest, &mut intent, &plans)?;
    }
    Ok(true)
}

/// Applies `plans` (already recorded in the intent) and commits the
/// manifest that names the scrubbed files with the next stage.
fn apply_plans(
    kv: &dyn KvStore,
    segments: &SegmentDir,
    manifest: &Manifest,
    intent: &mut ErasureIntent,
    plans: &[ScrubPlan],
) -> Result<Manifest> {
    let mut manifest = manifest.clone();
    for plan in plans {
        segments.apply_scrub(plan)?;
        match manifest.segments.iter_mut().find(|e| e.id == plan.segment) {
            Some(e) => {
                e.len = plan.new_len;
                e.data_crc = plan.new_crc;
            }
            None => {
                return Err(corrupt(
                    META,
                    KEY_ERASURE,
                    format!(
                        "a scrub plan names segment {}, which the manifest does not",
                        plan.segment
                    ),
                ))
            }
        }
    }
    intent.stage = ErasureStage::Rewriting;
    let mut batch = WriteBatch::new();
    batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(&manifest)?);
    batch.put(META, KEY_ERASURE.to_vec(), encode_framed(&*intent)?);
    kv.commit(batch, Durability::Durable)?;
    Ok(manifest)
}

impl Store {
    /// Whether an erasure is committed but not finished.
    pub(crate) fn erasure_pending(&self) -> bool {
        self.erasure_pending.load(Ordering::Acquire)
    }

    /// The pending erasure, if any.
    pub(crate) fn erasure_intent(&self) -> Result<Option<ErasureIntent>> {
        read_intent(self.kv.as_ref())
    }

    /// Records that `snapshot` was published (readers may hold it).
    pub(crate) fn note_published(&self, snapshot: &Snapshot) {
        if let Ok(mut list) = lock(&self.published) {
            if list.len() >= 64 {
                list.retain(SnapshotWatch::alive);
            }
            list.push(snapshot.watch());
        }
    }

    /// Watches `w` again (after a failed wait).
    pub(crate) fn note_watch(&self, w: SnapshotWatch) {
        if let Ok(mut list) = lock(&self.published) {
            list.push(w);
        }
    }

    /// Replaces the base image's snapshot by one without derived caches
    /// (its indexes were updated entry by entry and may keep erased keys).
    pub(crate) fn forget_base_caches(&self) -> Result<()> {
        let mut base = lock(&self.base)?;
        *base = base.without_caches();
        Ok(())
    }

    /// The versions published so far (the list starts again empty).
    pub(crate) fn take_published(&self) -> Result<Vec<SnapshotWatch>> {
        Ok(std::mem::take(&mut *lock(&self.published)?))
    }

    /// Step 3: zeroes, in every segment of the manifest, the chunks named
    /// by `intent` that a newer segment replaced, and cuts their
    /// directories from the footer. The caller has folded the log (so the
    /// current version of each such chunk is in a newer segment) and made
    /// sure that no snapshot from before the fold is still held.
    pub(crate) fn scrub_superseded(&self, intent: &ErasureIntent) -> Result<()> {
        let _one_at_a_time = lock(&self.checkpointing)?;
        let manifest = lock(&self.manifest)?.clone();
        let node_set: BTreeSet<u64> = intent.node_chunks.iter().copied().collect();
        let rel_set: BTreeSet<u64> = intent.rel_chunks.iter().copied().collect();
        let mut plans = Vec::new();
        let mut removed: Vec<(u64, u64)> = Vec::new();
        {
            let owners = lock(&self.owners)?;
            let owner = |list: &[u64], c: u64| list.get(c as usize).copied();
            for entry in &manifest.segments {
                let seg = self.segments.open(entry)?;
                let nodes: BTreeSet<u64> = seg
                    .footer
                    .nodes
                    .iter()
                    .map(|(c, _)| *c)
                    .filter(|c| node_set.contains(c) && owner(&owners.nodes, *c) != Some(entry.id))
                    .collect();
                let rels: BTreeSet<u64> = seg
                    .footer
                    .rels
                    .iter()
                    .map(|(c, _)| *c)
                    .filter(|c| rel_set.contains(c) && owner(&owners.rels, *c) != Some(entry.id))
                    .collect();
                if nodes.is_empty() && rels.is_empty() {
                    continue;
                }
                if let Some(plan) = scrub::plan(entry.id, &seg, entry.data_crc, &nodes, &rels)? {
                    removed.push((entry.id, (nodes.len() + rels.len()) as u64));
                    plans.push(plan);
                }
            }
        }
        let mut intent = intent.clone();
        if !plans.is_empty() {
            // Recorded before the first byte changes: a crash in between
            // is finished at open.
            intent.stage = ErasureStage::Scrubbing(plans.clone());
            let mut batch = WriteBatch::new();
            batch.put(META, KEY_ERASURE.to_vec(), encode_framed(&intent)?);
            self.kv.commit(batch, Durability::Durable)?;
        }
        let manifest = apply_plans(
            self.kv.as_ref(),
            &self.segments,
            &manifest,
            &mut intent,
            &plans,
        )?;
        *lock(&self.manifest)? = manifest;
        let mut owners = lock(&self.owners)?;
        for (id, n) in removed {
            if let Some(stored) = owners.stored.get_mut(&id) {
                *stored = stored.saturating_sub(n);
            }
        }
        Ok(())
    }

    /// Step 4: rewrites the key-value store's files without the intent;
    /// the erasure is then complete.
    pub(crate) fn rewrite_kv(&self) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(META, KEY_ERASURE.to_vec());
        self.kv.rewrite(batch)?;
        self.erasure_pending.store(false, Ordering::Release);
        Ok(())
    }
}
