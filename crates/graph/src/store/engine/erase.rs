//! The store's half of erasure (docs/erasure.md): the intent record, the
//! in-place redaction of the erased entities' values in every segment, the
//! redaction of the delta log, and the rewrite of the key-value store's
//! files. The order of the steps, and what is redone at open, is the crash
//! protocol:
//!
//! 1. `Deleted`: the delete's log record and the intent, one durable batch
//!    ([`Store::append`]).
//! 2. `ScrubbingImage(plans, counts)`: the in-place redactions of the
//!    segments (the entities and their values: [`scrub`]), recorded
//!    before any file changes; then applied; then one batch writes the
//!    manifest (new sizes, checksums and counts), the log records without
//!    any change that names an erased entity, and `Rewriting`. At open,
//!    recorded plans are applied again before any segment is read
//!    ([`resume_scrubs`]). (`Scrubbing(plans)`, recorded by format 4
//!    builds, redacted values only and kept the log's changes.)
//! 3. Fresh planner statistics (they sample values), then the key-value
//!    store is rewritten into fresh files without the intent
//!    ([`crate::kv::KvStore::rewrite`]), which drops every old version of
//!    the log records, manifests and statistics.
//!
//! The redacted base image replayed with the redacted log is exactly the
//! graph after the delete, and no chunk of a neighbour has to be
//! rewritten (at scale 45 a person's neighbours span most of the node
//! chunks, hundreds of megabytes): their lists lose the entries in place.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, put_stats, Store};
use crate::change::{Change, ChangeSet};
use crate::error::Result;
use crate::kv::{KvStore, WriteBatch};
use crate::snapshot::stats::GraphStats;
use crate::snapshot::{scrub, Snapshot, SnapshotCounts, SnapshotWatch};
use crate::store::format::{
    corrupt, decode_framed, encode_framed, ErasureIntent, ErasureStage, LogRecord, Manifest,
    ScrubPlan, KEY_ERASURE, KEY_MANIFEST, LOG, META,
};
use crate::store::segments::SegmentDir;
use crate::store::Durability;
use crate::value::Value;

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
    match &intent.stage {
        ErasureStage::Scrubbing(plans) => {
            let plans = plans.clone();
            *manifest = apply_plans(kv, segments, manifest, &mut intent, &plans, None)?;
        }
        ErasureStage::ScrubbingImage(plans, counts) => {
            let (plans, counts) = (plans.clone(), counts.clone());
            *manifest = apply_plans(kv, segments, manifest, &mut intent, &plans, Some(counts))?;
        }
        _ => {}
    }
    Ok(true)
}

/// Applies `plans` (already recorded in the intent) and commits the
/// manifest that names the scrubbed files (with the base image's `counts`
/// when the plans removed entities from it) with the next stage.
fn apply_plans(
    kv: &dyn KvStore,
    segments: &SegmentDir,
    manifest: &Manifest,
    intent: &mut ErasureIntent,
    plans: &[ScrubPlan],
    counts: Option<SnapshotCounts>,
) -> Result<Manifest> {
    let mut manifest = manifest.clone();
    // Plans that removed the entities themselves (not only their values)
    // go with a log without any change of theirs.
    let structure = counts.is_some();
    if let Some(counts) = counts {
        manifest.counts = counts;
    }
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
    let edit = if structure {
        without_entities
    } else {
        without_values
    };
    rewrite_log(kv, intent, &mut batch, edit)?;
    batch.put(META, KEY_MANIFEST.to_vec(), encode_framed(&manifest)?);
    batch.put(META, KEY_ERASURE.to_vec(), encode_framed(&*intent)?);
    kv.commit(batch, Durability::Durable)?;
    Ok(manifest)
}

/// Puts into `batch` every log record in which `edit` changed a change
/// set; `edit` gets the erased nodes and the erased relationships, which
/// it extends with the ones it finds (the log's records are read in
/// version order, so a relationship's creation comes before its other
/// changes).
fn rewrite_log(
    kv: &dyn KvStore,
    intent: &ErasureIntent,
    batch: &mut WriteBatch,
    edit: fn(&mut ChangeSet, &BTreeSet<u64>, &mut BTreeSet<u64>) -> bool,
) -> Result<()> {
    let nodes: BTreeSet<u64> = intent.nodes.iter().copied().collect();
    let mut rels: BTreeSet<u64> = intent.rels.iter().copied().collect();
    for (k, v) in kv.range(LOG, Bound::Unbounded, Bound::Unbounded)? {
        let mut record: LogRecord = decode_framed(LOG, &k, &v)?;
        let mut changed = false;
        for cs in &mut record.change_sets {
            changed |= edit(cs, &nodes, &mut rels);
        }
        if changed {
            batch.put(LOG, k, encode_framed(&record)?);
        }
    }
    Ok(())
}

/// The erased entities' values out of `cs` (stage `Scrubbing`): created
/// ones get no properties, and every property set on them becomes a
/// removal (so the change set keeps its changes, and replaying gives the
/// same graph, since the delete comes later).
fn without_values(cs: &mut ChangeSet, nodes: &BTreeSet<u64>, rels: &mut BTreeSet<u64>) -> bool {
    let mut changed = false;
    for c in &mut cs.changes {
        match c {
            Change::CreateNode { id, props, .. } if nodes.contains(&id.0) => {
                changed |= !props.is_empty();
                props.clear();
            }
            // Relationships of the person deleted before the
            // erasure are the person's too.
            Change::CreateRel {
                id,
                src,
                dst,
                props,
                ..
            } if rels.contains(&id.0) || nodes.contains(&src.0) || nodes.contains(&dst.0) => {
                rels.insert(id.0);
                changed |= !props.is_empty();
                props.clear();
            }
            Change::SetNodeProp { id, value, .. } if nodes.contains(&id.0) => {
                changed |= *value != Value::Null;
                *value = Value::Null;
            }
            Change::SetRelProp { id, value, .. } if rels.contains(&id.0) => {
                changed |= *value != Value::Null;
                *value = Value::Null;
            }
            _ => {}
        }
    }
    changed
}

/// `cs` without the changes that name an erased entity (stage
/// `ScrubbingImage`): its creation, its properties and labels, its
/// delete, and every relationship with an erased end (added to the erased
/// ones). The base image no longer holds the entities either, so
/// replaying gives the same graph; a change set left empty keeps its
/// version.
fn without_entities(cs: &mut ChangeSet, nodes: &BTreeSet<u64>, rels: &mut BTreeSet<u64>) -> bool {
    let before = cs.changes.len();
    cs.changes.retain(|c| match c {
        Change::CreateNode { id, .. }
        | Change::DeleteNode { id }
        | Change::SetNodeProp { id, .. }
        | Change::AddLabel { id, .. }
        | Change::RemoveLabel { id, .. } => !nodes.contains(&id.0),
        Change::CreateRel { id, src, dst, .. } => {
            if nodes.contains(&src.0) || nodes.contains(&dst.0) {
                rels.insert(id.0);
            }
            !rels.contains(&id.0)
        }
        Change::DeleteRel { id } | Change::SetRelProp { id, .. } => !rels.contains(&id.0),
    });
    cs.changes.len() != before
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
        *base = base.without_caches(None);
        Ok(())
    }

    /// The versions published so far (the list starts again empty).
    pub(crate) fn take_published(&self) -> Result<Vec<SnapshotWatch>> {
        Ok(std::mem::take(&mut *lock(&self.published)?))
    }

    /// Step 2: redacts the erased entities' values in every segment of
    /// the manifest (current and superseded chunks alike) and in the log.
    /// The caller made sure that no snapshot from before the delete is
    /// still held.
    pub(crate) fn redact(&self, intent: &ErasureIntent) -> Result<()> {
        let _one_at_a_time = lock(&self.checkpointing)?;
        let manifest = lock(&self.manifest)?.clone();
        let (mut intent, plans, counts) = self.plan_redaction(&manifest, intent)?;
        if !plans.is_empty() {
            // Recorded before the first byte changes: a crash in between
            // is finished at open.
            intent.stage = ErasureStage::ScrubbingImage(plans.clone(), counts.clone());
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
            Some(counts),
        )?;
        *lock(&self.manifest)? = manifest;
        Ok(())
    }

    /// The redaction of every segment of `manifest`: the intent with every
    /// relationship the segments list at an erased node, the plans, and
    /// the base image's counts without what the plans remove.
    fn plan_redaction(
        &self,
        manifest: &Manifest,
        intent: &ErasureIntent,
    ) -> Result<(ErasureIntent, Vec<ScrubPlan>, SnapshotCounts)> {
        let opened: Vec<_> = manifest
            .segments
            .iter()
            .map(|e| self.segments.open(e, &self.damage))
            .collect::<Result<_>>()?;
        let mut erased = scrub::Erased {
            nodes: intent.nodes.iter().copied().collect(),
            rels: intent.rels.iter().copied().collect(),
            ..scrub::Erased::default()
        };
        for seg in &opened {
            erased.add_connections(seg)?;
        }
        for seg in &opened {
            erased.add_named_by_neighbours(seg)?;
        }
        // The current version of a chunk is in the last segment holding it.
        let mut current: BTreeMap<(bool, u64), u64> = BTreeMap::new();
        for (entry, seg) in manifest.segments.iter().zip(&opened) {
            for (c, _) in &seg.footer.nodes {
                current.insert((false, *c), entry.id);
            }
            for (c, _) in &seg.footer.rels {
                current.insert((true, *c), entry.id);
            }
        }
        let mut removed = scrub::Removed::default();
        let mut plans = Vec::new();
        for (entry, seg) in manifest.segments.iter().zip(&opened) {
            let is_current = |rels: bool, c: u64| current.get(&(rels, c)) == Some(&entry.id);
            if let Some(plan) = scrub::plan(
                entry.id,
                seg,
                entry.data_crc,
                &erased,
                &is_current,
                &mut removed,
            )? {
                plans.push(plan);
            }
        }
        let mut counts = manifest.counts.clone();
        counts.node_count = counts.node_count.saturating_sub(removed.nodes);
        counts.rel_count = counts.rel_count.saturating_sub(removed.rels);
        for (label, n) in removed.labels {
            if let Some(c) = counts.label_counts.get_mut(label as usize) {
                *c = c.saturating_sub(n);
            }
        }
        for (t, n) in removed.types {
            if let Some(c) = counts.rel_type_counts.get_mut(t as usize) {
                *c = c.saturating_sub(n);
            }
        }
        let mut intent = intent.clone();
        intent.rels = erased.rels.into_iter().collect();
        Ok((intent, plans, counts))
    }

    /// Planner statistics sampled from `snapshot` (which no longer holds
    /// the erased entities), stored for the base image durably; the stored
    /// ones may hold their values as common values or bounds.
    pub(crate) fn refresh_stats(&self, snapshot: &Snapshot) -> Result<Arc<GraphStats>> {
        let version = lock(&self.manifest)?.counts.version;
        let mut batch = WriteBatch::new();
        let stats = put_stats(&mut batch, version, GraphStats::compute(snapshot))?;
        self.kv.commit(batch, Durability::Durable)?;
        Ok(stats)
    }

    /// Step 3: rewrites the key-value store's files without the intent;
    /// the erasure is then complete.
    pub(crate) fn rewrite_kv(&self) -> Result<()> {
        let mut batch = WriteBatch::new();
        batch.delete(META, KEY_ERASURE.to_vec());
        self.kv.rewrite(batch)?;
        self.erasure_pending.store(false, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CheckpointPolicy;
    use crate::{Graph, Value};

    fn holds(dir: &std::path::Path, needle: &[u8]) -> bool {
        std::fs::read_dir(dir).unwrap().any(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                holds(&p, needle)
            } else {
                std::fs::read(&p)
                    .unwrap()
                    .windows(needle.len())
                    .any(|w| w == needle)
            }
        })
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.path().is_dir() {
                copy_dir(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }

    /// The state a crash in the middle of applying the plans leaves:
    /// recorded, partly written. Opening applies them before reading a
    /// segment, then finishes the erasure.
    #[test]
    fn a_redaction_interrupted_half_way_is_finished_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let g = Graph::open(&path).unwrap();
        g.set_checkpoint_policy(CheckpointPolicy {
            checkpoint_at_close: false,
            background: false,
            ..CheckpointPolicy::default()
        })
        .unwrap();
        let mut tx = g.begin_write().unwrap();
        let ada = tx
            .create_node(
                &["Person"],
                vec![
                    ("name", Value::from("zzsecretzz")),
                    ("age", Value::Int(0x5EC2E7)),
                ],
            )
            .unwrap();
        let bob = tx
            .create_node(&["Person"], vec![("name", Value::from("zzkeptzz"))])
            .unwrap();
        tx.create_rel(ada, "KNOWS", bob, vec![("note", Value::from("zznotezz"))])
            .unwrap();
        tx.commit().unwrap();
        g.checkpoint().unwrap();
        g.delete_for_erasure(&[ada]).unwrap();

        let store = &g.inner.store;
        let intent = store.erasure_intent().unwrap().unwrap();
        let manifest = lock(&store.manifest).unwrap().clone();
        let (mut intent, plans, counts) = store.plan_redaction(&manifest, &intent).unwrap();
        assert!(!plans.is_empty());
        assert_eq!((counts.node_count, counts.rel_count), (1, 0));
        intent.stage = ErasureStage::ScrubbingImage(plans.clone(), counts);
        let mut batch = WriteBatch::new();
        batch.put(META, KEY_ERASURE.to_vec(), encode_framed(&intent).unwrap());
        store.kv.commit(batch, Durability::Durable).unwrap();
        // The first run only: the file now matches neither checksum.
        {
            use std::os::unix::fs::FileExt;
            let plan = &plans[0];
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(
                    path.join("segments")
                        .join(crate::store::format::SegmentEntry::file_name(plan.segment)),
                )
                .unwrap();
            let (off, run) = &plan.writes[0];
            file.write_all_at(run, *off).unwrap();
        }
        drop(g);
        assert!(holds(&path, b"zzsecretzz") && holds(&path, &0x5EC2E7i64.to_le_bytes()));

        let copy = dir.path().join("copy");
        copy_dir(&path, &copy);
        let g = Graph::open(&copy).unwrap();
        assert!(!g.erasure_pending());
        assert!(g
            .verify_segments()
            .unwrap()
            .iter()
            .all(|s| s.damage.is_none()));
        assert_eq!(g.snapshot().node_count(), 1);
        drop(g);
        for gone in [&b"zzsecretzz"[..], b"zznotezz", &0x5EC2E7i64.to_le_bytes()] {
            assert!(!holds(&copy, gone), "{gone:?} is still in the files");
        }
        assert!(holds(&copy, b"zzkeptzz"));
    }
}
