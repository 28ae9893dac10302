//! The sled backend.
//!
//! What this adds to sled, and why:
//! - **A lock file** (`relgraph.lock`, `flock(LOCK_EX | LOCK_NB)`) taken
//!   before sled is opened: a second open of a directory fails inside sled
//!   with an untyped I/O error, and within one process sled can hang on it.
//!   The lock turns both into [`GraphError::Locked`].
//! - **A directory check** before sled touches anything: a non-empty
//!   directory that holds no sled files is refused with
//!   [`GraphError::NotADatabase`], so sled never writes into a foreign one.
//! - **Real fsync**: `sled::Db::flush` ends in `sync_file_range`, which
//!   neither flushes the drive cache nor the file's metadata. A durable
//!   commit therefore also calls `fsync` on sled's log file, on blob files
//!   sled created since the last sync, and on the directories whose entries
//!   changed.
//! - **Atomic multi-tree batches**: reads never happen inside sled
//!   transactions (which hold a process-wide lock and cannot scan); a
//!   commit is one blind-write transaction over the touched trees, which
//!   sled's log recovers all-or-nothing.

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::ops::Bound;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use sled::Transactional;

use super::{KvPair, KvStore, WriteBatch};
use crate::error::{GraphError, Result};
use crate::store::Durability;

/// The name of the lock file inside a database directory.
pub const LOCK_FILE: &str = "relgraph.lock";

/// An ordered key-value store on sled 0.34.
///
/// ```
/// use relgraph_graph::kv::{KvStore, SledKv, WriteBatch};
/// use relgraph_graph::store::Durability;
/// let dir = tempfile::tempdir().unwrap();
/// let kv = SledKv::open(&dir.path().join("db"), true).unwrap();
/// let mut b = WriteBatch::new();
/// b.put("meta", b"k".to_vec(), b"v".to_vec());
/// kv.commit(b, Durability::Durable).unwrap();
/// assert_eq!(kv.get("meta", b"k").unwrap(), Some(b"v".to_vec()));
/// ```
pub struct SledKv {
    db: sled::Db,
    path: PathBuf,
    trees: RwLock<HashMap<String, sled::Tree>>,
    /// sled's log file, kept open to fsync it.
    log_file: File,
    synced: Mutex<SyncState>,
    /// Held for the lifetime of the store; closing it releases the flock.
    _lock: LockFile,
}

/// Directory entries already made durable.
#[derive(Default)]
struct SyncState {
    top: BTreeSet<OsString>,
    blobs: BTreeSet<OsString>,
}

/// An exclusive `flock` on a file, released when dropped (the descriptor closes).
struct LockFile {
    _file: File,
}

impl LockFile {
    fn acquire(dir: &Path) -> Result<LockFile> {
        let path = dir.join(LOCK_FILE);
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|source| GraphError::Io {
                path: path.clone(),
                source,
            })?;
        // SAFETY: flock on a descriptor we own; no memory is passed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let err = io::Error::last_os_error();
            return if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
                Err(GraphError::Locked {
                    path: dir.to_path_buf(),
                })
            } else {
                Err(GraphError::Io { path, source: err })
            };
        }
        Ok(LockFile { _file: file })
    }
}

/// What a directory holds before we open it.
enum DirState {
    Missing,
    Empty,
    Sled,
}

fn inspect_dir(path: &Path) -> Result<DirState> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DirState::Missing),
        Err(source) => {
            return Err(GraphError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if !meta.is_dir() {
        return Err(GraphError::NotADatabase {
            path: path.to_path_buf(),
            reason: "it is a file, not a directory".into(),
        });
    }
    let mut names = Vec::new();
    let entries = fs::read_dir(path).map_err(|source| GraphError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| GraphError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.retain(|n| n != LOCK_FILE);
    if names.is_empty() {
        return Ok(DirState::Empty);
    }
    if names.iter().any(|n| n == "db") && names.iter().any(|n| n == "conf") {
        return Ok(DirState::Sled);
    }
    names.sort();
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    Err(GraphError::NotADatabase {
        path: path.to_path_buf(),
        reason: format!(
            "the directory holds {}{} and no relgraph store files",
            shown.join(", "),
            if names.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        ),
    })
}

/// fsyncs a file or directory by path.
pub(crate) fn fsync_path(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| GraphError::Io {
            path: path.to_path_buf(),
            source,
        })
}

fn list_names(dir: &Path) -> Result<BTreeSet<OsString>> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let mut out = BTreeSet::new();
            for e in entries {
                let e = e.map_err(|source| GraphError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
                out.insert(e.file_name());
            }
            Ok(out)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(source) => Err(GraphError::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

impl SledKv {
    /// Opens the sled store in directory `path`, creating it when `create`
    /// is set and the directory is missing or empty.
    ///
    /// Errors: [`GraphError::Locked`] when another handle (in this or
    /// another process) has it open; [`GraphError::NotADatabase`] when the
    /// directory holds something else, or is missing/empty and `create` is
    /// off.
    pub fn open(path: &Path, create: bool) -> Result<SledKv> {
        let state = inspect_dir(path)?;
        let fresh = match state {
            DirState::Sled => false,
            DirState::Missing | DirState::Empty if !create => {
                return Err(GraphError::NotADatabase {
                    path: path.to_path_buf(),
                    reason: "the directory is missing or empty and creation was not requested"
                        .into(),
                })
            }
            DirState::Missing => {
                fs::create_dir_all(path).map_err(|source| GraphError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                true
            }
            DirState::Empty => true,
        };
        let lock = LockFile::acquire(path)?;
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(64 * 1024 * 1024)
            .mode(sled::Mode::HighThroughput)
            .flush_every_ms(Some(500));
        // Holding our lock, a sled lock error can only come from a handle
        // this process closed a moment ago whose background threads still
        // hold sled's file; wait for them briefly.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let db = loop {
            // sled may panic on some damaged files instead of returning an
            // error; a database file must never crash the application.
            let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()));
            match opened {
                Ok(Ok(db)) => break db,
                Ok(Err(e)) => match map_open_error(path, e) {
                    GraphError::Locked { .. } if std::time::Instant::now() < deadline => {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    e => return Err(e),
                },
                Err(_) => {
                    return Err(GraphError::Corrupt {
                        tree: "sled".into(),
                        key: String::new(),
                        reason: "sled failed while recovering its files".into(),
                    })
                }
            }
        };
        let log_path = path.join("db");
        let log_file = File::open(&log_path).map_err(|source| GraphError::Io {
            path: log_path,
            source,
        })?;
        let kv = SledKv {
            db,
            path: path.to_path_buf(),
            trees: RwLock::new(HashMap::new()),
            log_file,
            synced: Mutex::new(SyncState::default()),
            _lock: lock,
        };
        if fresh {
            // Make the new files and the directory entry itself durable.
            kv.sync()?;
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                fsync_path(parent)?;
            }
        }
        Ok(kv)
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn storage_error(&self, e: sled::Error) -> GraphError {
        map_sled_error(&self.path, e)
    }

    /// The tree for reading: `None` if it was never created.
    fn read_tree(&self, name: &str) -> Result<Option<sled::Tree>> {
        if let Some(t) = self.trees.read().map_err(|_| poisoned())?.get(name) {
            return Ok(Some(t.clone()));
        }
        let exists = self
            .db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == name.as_bytes());
        if !exists {
            return Ok(None);
        }
        self.write_tree(name).map(Some)
    }

    /// The tree for writing, created if needed.
    fn write_tree(&self, name: &str) -> Result<sled::Tree> {
        if let Some(t) = self.trees.read().map_err(|_| poisoned())?.get(name) {
            return Ok(t.clone());
        }
        let tree = self.db.open_tree(name).map_err(|e| self.storage_error(e))?;
        self.trees
            .write()
            .map_err(|_| poisoned())?
            .insert(name.to_string(), tree.clone());
        Ok(tree)
    }

    /// fsyncs the log file, new blob files and changed directories.
    fn fsync_files(&self) -> Result<()> {
        let mut synced = self.synced.lock().map_err(|_| poisoned())?;
        self.log_file.sync_all().map_err(|source| GraphError::Io {
            path: self.path.join("db"),
            source,
        })?;
        let blob_dir = self.path.join("blobs");
        let blobs = list_names(&blob_dir)?;
        let mut new_blob = false;
        for name in blobs.difference(&synced.blobs) {
            let p = blob_dir.join(name);
            match File::open(&p) {
                Ok(f) => f.sync_all().map_err(|source| GraphError::Io {
                    path: p.clone(),
                    source,
                })?,
                // sled removes blobs of rewritten pages concurrently.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(source) => return Err(GraphError::Io { path: p, source }),
            }
            new_blob = true;
        }
        if new_blob || blobs.len() != synced.blobs.len() {
            fsync_path(&blob_dir).or_else(|e| match e {
                GraphError::Io { ref source, .. } if source.kind() == io::ErrorKind::NotFound => {
                    Ok(())
                }
                e => Err(e),
            })?;
        }
        synced.blobs = blobs;
        let top = list_names(&self.path)?;
        if top != synced.top {
            for name in &top {
                if name == "conf" || name.to_string_lossy().starts_with("snap.") {
                    let p = self.path.join(name);
                    if let Ok(f) = File::open(&p) {
                        f.sync_all()
                            .map_err(|source| GraphError::Io { path: p, source })?;
                    }
                }
            }
            fsync_path(&self.path)?;
            synced.top = top;
        }
        Ok(())
    }
}

fn poisoned() -> GraphError {
    GraphError::Storage("sled store lock poisoned by a panicking thread".into())
}

fn map_open_error(path: &Path, e: sled::Error) -> GraphError {
    match e {
        sled::Error::Io(ref io) if io.to_string().contains("could not acquire lock") => {
            GraphError::Locked {
                path: path.to_path_buf(),
            }
        }
        sled::Error::Io(ref io)
            if io.kind() == io::ErrorKind::InvalidData
                || io.kind() == io::ErrorKind::UnexpectedEof =>
        {
            GraphError::NotADatabase {
                path: path.to_path_buf(),
                reason: format!("sled could not read its files: {io}"),
            }
        }
        sled::Error::Unsupported(msg) => GraphError::NotADatabase {
            path: path.to_path_buf(),
            reason: format!("sled refused the files: {msg}"),
        },
        e => map_sled_error(path, e),
    }
}

fn map_sled_error(path: &Path, e: sled::Error) -> GraphError {
    match e {
        sled::Error::Io(source) => GraphError::Io {
            path: path.to_path_buf(),
            source,
        },
        sled::Error::Corruption { at, .. } => GraphError::DamagedStore(describe_sled_damage(
            path,
            at.map(|p| format!("{p:?}")).as_deref(),
        )),
        other => GraphError::Storage(other.to_string()),
    }
}

/// Names the damaged file for a person, from sled's disk pointer
/// (`Inline(offset)`: a page inside `db`; `Blob(offset, id)`: a page kept in
/// `blobs/<id>`), instead of sled's internal notation.
fn describe_sled_damage(path: &Path, at: Option<&str>) -> String {
    let numbers = |s: &str| -> Vec<u64> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect()
    };
    let what = match at {
        Some(p) if p.starts_with("Inline") => match numbers(p).first() {
            Some(off) => format!("the page at byte {off} of {}", path.join("db").display()),
            None => format!("a page of {}", path.join("db").display()),
        },
        Some(p) if p.starts_with("Blob") => match numbers(p).get(1) {
            Some(id) => format!(
                "the blob file {}",
                path.join("blobs").join(id.to_string()).display()
            ),
            None => format!("a blob file in {}", path.join("blobs").display()),
        },
        _ => format!("sled's files in {}", path.display()),
    };
    format!(
        "{what} is damaged (the catalog, the manifest or the delta log lives there); \
         `relgraph check --db {}` reports the rest; restore the database from a copy",
        path.display()
    )
}

/// True when no key can satisfy both bounds (sled and BTreeMap dislike
/// inverted ranges).
fn bounds_empty(start: Bound<&[u8]>, end: Bound<&[u8]>) -> bool {
    match (start, end) {
        (Bound::Included(s), Bound::Included(e)) => s > e,
        (Bound::Included(s), Bound::Excluded(e))
        | (Bound::Excluded(s), Bound::Included(e))
        | (Bound::Excluded(s), Bound::Excluded(e)) => s >= e,
        _ => false,
    }
}

impl KvStore for SledKv {
    fn backend_name(&self) -> &'static str {
        "sled"
    }

    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let Some(t) = self.read_tree(tree)? else {
            return Ok(None);
        };
        let v = t.get(key).map_err(|e| self.storage_error(e))?;
        Ok(v.map(|v| v.to_vec()))
    }

    fn range(&self, tree: &str, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<KvPair>> {
        if bounds_empty(start, end) {
            return Ok(Vec::new());
        }
        let Some(t) = self.read_tree(tree)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for item in t.range::<&[u8], _>((start, end)) {
            let (k, v) = item.map_err(|e| self.storage_error(e))?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn commit(&self, batch: WriteBatch, durability: Durability) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut trees = Vec::new();
        let mut batches = Vec::new();
        for (name, ops) in batch.into_ops() {
            trees.push(self.write_tree(&name)?);
            let mut b = sled::Batch::default();
            for (k, v) in ops {
                match v {
                    Some(v) => b.insert(k, v),
                    None => b.remove(k),
                }
            }
            batches.push(b);
        }
        if trees.len() == 1 {
            let b = batches.pop().expect("one batch per tree");
            trees[0].apply_batch(b).map_err(|e| self.storage_error(e))?;
        } else {
            let result: sled::transaction::TransactionResult<(), ()> =
                trees.as_slice().transaction(|tx| {
                    for (t, b) in tx.iter().zip(&batches) {
                        t.apply_batch(b)?;
                    }
                    Ok(())
                });
            match result {
                Ok(()) => {}
                Err(sled::transaction::TransactionError::Storage(e)) => {
                    return Err(self.storage_error(e))
                }
                Err(sled::transaction::TransactionError::Abort(())) => {
                    return Err(GraphError::Storage(
                        "sled aborted a blind-write batch".into(),
                    ))
                }
            }
        }
        if durability == Durability::Durable {
            self.sync()?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.storage_error(e))?;
        self.fsync_files()
    }

    fn tree_names(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .db
            .tree_names()
            .iter()
            .filter(|n| n.as_ref() != b"__sled__default")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    fn size_on_disk(&self) -> Result<u64> {
        self.db.size_on_disk().map_err(|e| self.storage_error(e))
    }
}

impl std::fmt::Debug for SledKv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledKv").field("path", &self.path).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sled_damage_names_the_file_not_the_pointer() {
        let p = Path::new("/data/crm.db");
        let m = describe_sled_damage(p, Some("Inline(676031)"));
        assert!(
            m.starts_with("the page at byte 676031 of /data/crm.db/db is damaged"),
            "{m}"
        );
        assert!(!m.contains("Inline"));
        let m = describe_sled_damage(p, Some("Blob(12, 7)"));
        assert!(m.contains("/data/crm.db/blobs/7"), "{m}");
        let m = describe_sled_damage(p, None);
        assert!(m.contains("sled's files in /data/crm.db"), "{m}");
        let e = map_sled_error(p, sled::Error::Corruption { at: None, bt: () });
        assert!(e.to_string().starts_with("damaged database files:"), "{e}");
    }
}
