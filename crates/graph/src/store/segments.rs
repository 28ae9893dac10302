//! Where segment files live: a directory beside sled's files, or, for a
//! database opened on a key-value backend alone (no directory), the
//! backend's own tree `segments`, cut into pieces.
//!
//! A segment is written completely and made durable (file fsync, then
//! directory fsync) before a manifest names it; files the manifest does not
//! name are leftovers of an interrupted checkpoint or import and are
//! removed at open. A file the manifest stops naming is unlinked at once:
//! snapshots that still map it keep reading it (the kernel frees the blocks
//! when the last mapping goes), so no reader ever sees it change.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::format::{u64_key, ScrubPlan, SegmentEntry};
use super::Durability;
use crate::error::{GraphError, Result};
use crate::kv::{KvStore, WriteBatch};
use crate::snapshot::image::{Finished, ImageWriter};
use crate::snapshot::segment::{OpenSegment, SegmentSummary, SegmentWriter};
use crate::snapshot::{DamageLog, HeapBytes, SegmentBytes, Snapshot, SnapshotCounts};

/// The folder inside a database directory that holds segment files.
pub const SEGMENTS_DIR: &str = "segments";
/// The key-value tree that holds segments when there is no directory:
/// key = segment id (u64 BE) + piece number (u32 BE), value = the piece.
pub const SEGMENTS_TREE: &str = "segments";
/// Bytes per piece in [`SEGMENTS_TREE`].
const PIECE: usize = 1 << 20;

/// The place segment files are kept.
pub(crate) enum SegmentDir {
    /// Files in this directory.
    Files(PathBuf),
    /// Pieces in a tree of the key-value store (read onto the heap at open).
    Kv(Arc<dyn KvStore>),
}

fn piece_key(id: u64, piece: u32) -> Vec<u8> {
    let mut k = u64_key(id);
    k.extend_from_slice(&piece.to_be_bytes());
    k
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> GraphError + '_ {
    move |source| GraphError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl SegmentDir {
    /// Segment files in `db/segments`.
    pub(crate) fn files(db: &Path) -> SegmentDir {
        SegmentDir::Files(db.join(SEGMENTS_DIR))
    }

    /// Segments kept in `kv` itself.
    pub(crate) fn in_kv(kv: Arc<dyn KvStore>) -> SegmentDir {
        SegmentDir::Kv(kv)
    }

    fn path_of(&self, id: u64) -> Option<PathBuf> {
        match self {
            SegmentDir::Files(dir) => Some(dir.join(SegmentEntry::file_name(id))),
            SegmentDir::Kv(_) => None,
        }
    }

    fn pieces(kv: &dyn KvStore, id: u64) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        kv.scan_prefix(SEGMENTS_TREE, &u64_key(id))
    }

    /// A name for messages: the file's path, or the segment's name.
    pub(crate) fn display(&self, id: u64) -> String {
        match self.path_of(id) {
            Some(p) => p.display().to_string(),
            None => SegmentEntry::file_name(id),
        }
    }

    /// Writes segment `id` with the given chunks of `snapshot`, durably.
    pub(crate) fn write(
        &self,
        id: u64,
        snapshot: &Snapshot,
        nodes: &[u64],
        rels: &[u64],
    ) -> Result<SegmentEntry> {
        let summary = match self {
            SegmentDir::Files(dir) => {
                write_file(dir, id, |out| {
                    let mut w = SegmentWriter::new(out);
                    snapshot.write_chunks(nodes.iter().copied(), rels.iter().copied(), &mut w)?;
                    let (out, summary) = w.finish()?;
                    Ok((out, summary, ()))
                })?
                .1
            }
            SegmentDir::Kv(kv) => {
                let mut w = SegmentWriter::new(Vec::new());
                snapshot.write_chunks(nodes.iter().copied(), rels.iter().copied(), &mut w)?;
                let (bytes, summary) = w.finish()?;
                let mut batch = WriteBatch::new();
                for (k, _) in Self::pieces(kv.as_ref(), id)? {
                    batch.delete(SEGMENTS_TREE, k);
                }
                for (i, piece) in bytes.chunks(PIECE).enumerate() {
                    batch.put(SEGMENTS_TREE, piece_key(id, i as u32), piece.to_vec());
                }
                kv.commit(batch, Durability::Durable)?;
                summary
            }
        };
        Ok(SegmentEntry {
            id,
            len: summary.len,
            data_crc: summary.data_crc,
        })
    }

    /// Writes segment `id` from a stream of records (bulk import), durably:
    /// `f` fills the writer and finishes it. Only for segment files: a
    /// directory-less backend imports through a snapshot instead.
    pub(crate) fn write_streamed<T>(
        &self,
        id: u64,
        f: impl FnOnce(ImageWriter<BufWriter<File>>) -> Result<(Finished<BufWriter<File>>, T)>,
    ) -> Result<(SegmentEntry, SnapshotCounts, T)> {
        let SegmentDir::Files(dir) = self else {
            return Err(GraphError::Invalid(
                "a streamed image needs a database directory".into(),
            ));
        };
        let ((counts, value), summary) = write_file(dir, id, |out| {
            let ((out, summary, counts), value) = f(ImageWriter::new(out))?;
            Ok((out, summary, (counts, value)))
        })?;
        let entry = SegmentEntry {
            id,
            len: summary.len,
            data_crc: summary.data_crc,
        };
        Ok((entry, counts, value))
    }

    /// Opens segment `entry`, checking its size, trailer and footer; its
    /// arrays, checked when first read, report damage to `damage`.
    pub(crate) fn open(
        &self,
        entry: &SegmentEntry,
        damage: &Arc<DamageLog>,
    ) -> Result<OpenSegment> {
        let name = self.display(entry.id);
        let missing = |reason: String| GraphError::CorruptSegment {
            file: name.clone(),
            reason,
        };
        let bytes: Arc<dyn SegmentBytes> = match self {
            SegmentDir::Files(dir) => {
                let path = dir.join(SegmentEntry::file_name(entry.id));
                let file = File::open(&path).map_err(|e| missing(format!("cannot open: {e}")))?;
                // SAFETY: segment files are immutable once a manifest names
                // them: nothing in relgraph writes to them again, and they
                // are replaced by new files, never rewritten in place.
                let map = unsafe { memmap2::Mmap::map(&file) }
                    .map_err(|e| missing(format!("cannot map: {e}")))?;
                Arc::new(MappedFile { map, file })
            }
            SegmentDir::Kv(kv) => {
                let mut bytes = Vec::with_capacity(entry.len as usize);
                for (i, (k, v)) in Self::pieces(kv.as_ref(), entry.id)?.into_iter().enumerate() {
                    if k != piece_key(entry.id, i as u32) {
                        return Err(missing(format!("piece {i} is missing")));
                    }
                    bytes.extend_from_slice(&v);
                }
                Arc::new(HeapBytes::new(&bytes))
            }
        };
        OpenSegment::open(
            &name,
            bytes,
            SegmentSummary {
                len: entry.len,
                data_crc: entry.data_crc,
            },
            damage,
        )
    }

    /// Deletes segment `id` (already unnamed by the manifest).
    pub(crate) fn remove(&self, id: u64) -> Result<()> {
        match self {
            SegmentDir::Files(dir) => {
                let path = dir.join(SegmentEntry::file_name(id));
                match fs::remove_file(&path) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(io_err(&path)(e)),
                }
            }
            SegmentDir::Kv(kv) => {
                let mut batch = WriteBatch::new();
                for (k, _) in Self::pieces(kv.as_ref(), id)? {
                    batch.delete(SEGMENTS_TREE, k);
                }
                kv.commit(batch, Durability::Durable)
            }
        }
    }

    /// Rewrites segment `plan.segment` in place as `plan` says (erasure):
    /// writes the runs, the new footer and trailer, zeroes what is left of
    /// the old footer, cuts the file to its new length and syncs it.
    /// Idempotent, so an interrupted scrub is simply applied again. Mapped
    /// readers never read the changed bytes (they belong to deleted
    /// entities, and the caller waits for older readers), and no data
    /// array lies beyond the new length.
    pub(crate) fn apply_scrub(&self, plan: &ScrubPlan) -> Result<()> {
        match self {
            SegmentDir::Files(dir) => {
                use std::os::unix::fs::FileExt;
                let path = dir.join(SegmentEntry::file_name(plan.segment));
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(io_err(&path))?;
                let len = file.metadata().map_err(io_err(&path))?.len();
                let zeros = vec![0u8; 1 << 16];
                let zero = |off: u64, n: u64| -> Result<()> {
                    let mut done = 0;
                    while done < n {
                        let k = (n - done).min(zeros.len() as u64) as usize;
                        file.write_all_at(&zeros[..k], off + done)
                            .map_err(io_err(&path))?;
                        done += k as u64;
                    }
                    Ok(())
                };
                for (off, run) in &plan.writes {
                    file.write_all_at(run, *off).map_err(io_err(&path))?;
                }
                file.write_all_at(&plan.tail, plan.tail_off)
                    .map_err(io_err(&path))?;
                // The old footer's rest (it held string dictionaries):
                // overwritten before the cut, never just freed.
                let old_end = len.min(plan.old_len);
                if old_end > plan.new_len {
                    zero(plan.new_len, old_end - plan.new_len)?;
                }
                file.sync_all().map_err(io_err(&path))?;
                file.set_len(plan.new_len).map_err(io_err(&path))?;
                file.sync_all().map_err(io_err(&path))
            }
            SegmentDir::Kv(kv) => {
                let pieces = Self::pieces(kv.as_ref(), plan.segment)?;
                let mut bytes = Vec::new();
                let mut batch = WriteBatch::new();
                for (k, v) in pieces {
                    bytes.extend_from_slice(&v);
                    batch.delete(SEGMENTS_TREE, k);
                }
                crate::snapshot::scrub::apply_in_memory(&mut bytes, plan);
                for (i, piece) in bytes.chunks(PIECE).enumerate() {
                    batch.put(
                        SEGMENTS_TREE,
                        piece_key(plan.segment, i as u32),
                        piece.to_vec(),
                    );
                }
                kv.commit(batch, Durability::Durable)
            }
        }
    }

    /// Removes every file in the directory that `keep` does not name.
    pub(crate) fn remove_unnamed(&self, keep: &[SegmentEntry]) -> Result<()> {
        let dir = match self {
            SegmentDir::Files(dir) => dir,
            SegmentDir::Kv(kv) => {
                let mut batch = WriteBatch::new();
                for (k, _) in kv.range(SEGMENTS_TREE, Bound::Unbounded, Bound::Unbounded)? {
                    let id = k.get(..8).and_then(super::format::key_u64);
                    if id.is_none_or(|id| !keep.iter().any(|e| e.id == id)) {
                        batch.delete(SEGMENTS_TREE, k);
                    }
                }
                return kv.commit(batch, Durability::Durable);
            }
        };
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err(dir)(e)),
        };
        let names: Vec<String> = keep.iter().map(|e| SegmentEntry::file_name(e.id)).collect();
        for entry in entries {
            let entry = entry.map_err(io_err(dir))?;
            let name = entry.file_name();
            if !names.iter().any(|n| name.to_str() == Some(n.as_str())) {
                let p = entry.path();
                fs::remove_file(&p).map_err(io_err(&p))?;
            }
        }
        Ok(())
    }

    /// Bytes the segment files take.
    pub(crate) fn size(&self) -> u64 {
        match self {
            SegmentDir::Files(dir) => fs::read_dir(dir)
                .map(|rd| {
                    rd.filter_map(|e| e.ok()?.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0),
            // Counted by the key-value store's own size.
            SegmentDir::Kv(_) => 0,
        }
    }
}

/// A segment file mapped for reading, with the file kept open to check
/// arrays through `pread` rather than the map (see
/// [`SegmentBytes::crc32`]): checking a whole array for a query that
/// reads a few of its entries would otherwise make every page of it
/// resident (measured at scale 45: +120 MB after the cookbook queries).
struct MappedFile {
    map: memmap2::Mmap,
    file: File,
}

impl SegmentBytes for MappedFile {
    fn bytes(&self) -> &[u8] {
        &self.map
    }

    fn crc32(&self, range: std::ops::Range<usize>) -> u32 {
        use std::os::unix::fs::FileExt;
        let mut h = crc32fast::Hasher::new();
        let mut buf = vec![0u8; (range.end.saturating_sub(range.start)).min(1 << 16)];
        let mut at = range.start;
        while at < range.end {
            let n = (range.end - at).min(buf.len());
            // A read error or a short file: hash what the map holds (the
            // same bytes; a short file would fail the check either way).
            if self.file.read_exact_at(&mut buf[..n], at as u64).is_err() {
                return self.map.get(range).map_or(0, crc32fast::hash);
            }
            h.update(&buf[..n]);
            at += n;
        }
        h.finalize()
    }
}

/// Creates segment file `id` in `dir`, lets `f` write it through a buffer,
/// then makes it durable (file, then directory) before anything names it.
fn write_file<T>(
    dir: &Path,
    id: u64,
    f: impl FnOnce(BufWriter<File>) -> Result<(BufWriter<File>, SegmentSummary, T)>,
) -> Result<(T, SegmentSummary)> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let path = dir.join(SegmentEntry::file_name(id));
    let file = File::create(&path).map_err(io_err(&path))?;
    let (out, summary, value) = f(BufWriter::with_capacity(1 << 20, file))?;
    let file = out
        .into_inner()
        .map_err(|e| GraphError::Storage(format!("writing {}: {e}", path.display())))?;
    file.sync_all().map_err(io_err(&path))?;
    crate::kv::fsync_path(dir)?;
    Ok((value, summary))
}
