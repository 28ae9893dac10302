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
    /// The database directory (lock file, pointer file, segments).
    path: PathBuf,
    /// sled's files as they are now; replaced whole by
    /// [`KvStore::rewrite`].
    files: RwLock<SledFiles>,
    /// Held for the lifetime of the store; closing it releases the flock.
    _lock: LockFile,
}

/// One generation of sled's files: sled's directory, the open handle and
/// what has been made durable in it.
struct SledFiles {
    db: sled::Db,
    /// Where sled's files are: the database directory itself (generation
    /// 0, as every database is created) or `sled-NNNNNNNN` inside it (the
    /// generation a rewrite made, named by the pointer file).
    dir: PathBuf,
    generation: u64,
    trees: RwLock<HashMap<String, sled::Tree>>,
    /// sled's log file, kept open to fsync it.
    log_file: File,
    synced: Mutex<SyncState>,
}

/// The file naming the directory that holds sled's files, once a rewrite
/// moved them out of the database directory itself.
pub const SLED_POINTER: &str = "sled.current";

/// The directory name of rewrite generation `n`.
fn generation_dir(n: u64) -> String {
    format!("sled-{n:08}")
}

/// The generation a directory name stands for.
fn parse_generation(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("sled-")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// sled's own entries in a directory that holds its files.
fn is_sled_entry(name: &str) -> bool {
    name == "db" || name == "conf" || name == "blobs" || name.starts_with("snap.")
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
    if names.iter().any(|n| n == SLED_POINTER)
        || (names.iter().any(|n| n == "db") && names.iter().any(|n| n == "conf"))
    {
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
        let (dir, generation) = settle_generations(path)?;
        let db = open_sled(&dir)?;
        let files = SledFiles::new(db, dir, generation)?;
        let kv = SledKv {
            path: path.to_path_buf(),
            files: RwLock::new(files),
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

    fn files(&self) -> Result<std::sync::RwLockReadGuard<'_, SledFiles>> {
        self.files.read().map_err(|_| poisoned())
    }
}

/// Opens sled's files in `dir` (creating them if missing).
fn open_sled(dir: &Path) -> Result<sled::Db> {
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(64 * 1024 * 1024)
        .mode(sled::Mode::HighThroughput)
        .flush_every_ms(Some(500));
    // Holding our lock, a sled lock error can only come from a handle
    // this process closed a moment ago whose background threads still
    // hold sled's file; wait for them briefly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        // sled may panic on some damaged files instead of returning an
        // error; a database file must never crash the application.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()));
        match opened {
            Ok(Ok(db)) => return Ok(db),
            Ok(Err(e)) => match map_open_error(dir, e) {
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
    }
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> GraphError + '_ {
    move |source| GraphError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn remove_entry(p: &Path) -> Result<()> {
    let removed = match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
    };
    match removed {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_at(p)(e)),
        _ => Ok(()),
    }
}

/// Finds where sled's files are and finishes or undoes an interrupted
/// rewrite (see [`KvStore::rewrite`]): with a pointer file, the generation
/// it names is the store and every other generation, and sled's files at
/// the top level, are leftovers of the one before; without one, the top
/// level is the store and any generation directory is an unfinished copy.
fn settle_generations(path: &Path) -> Result<(PathBuf, u64)> {
    let pointer = path.join(SLED_POINTER);
    let current = match fs::read_to_string(&pointer) {
        Ok(text) => {
            let name = text.trim();
            let n = parse_generation(name).ok_or_else(|| GraphError::NotADatabase {
                path: path.to_path_buf(),
                reason: format!("{SLED_POINTER} names {name:?}, not a sled-NNNNNNNN directory"),
            })?;
            if !path.join(name).join("db").exists() {
                return Err(GraphError::DamagedStore(format!(
                    "{} names {name}, which holds no sled files; restore the database from a copy",
                    pointer.display()
                )));
            }
            Some(n)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(GraphError::Io {
                path: pointer,
                source,
            })
        }
    };
    let mut changed = false;
    for name in list_names(path)? {
        let name = name.to_string_lossy().into_owned();
        let stale = match parse_generation(&name) {
            Some(n) => Some(n) != current,
            None => {
                name == format!("{SLED_POINTER}.tmp") || (current.is_some() && is_sled_entry(&name))
            }
        };
        if stale {
            remove_entry(&path.join(&name))?;
            changed = true;
        }
    }
    if changed {
        fsync_path(path)?;
    }
    Ok(match current {
        Some(n) => (path.join(generation_dir(n)), n),
        None => (path.to_path_buf(), 0),
    })
}

impl SledFiles {
    fn new(db: sled::Db, dir: PathBuf, generation: u64) -> Result<SledFiles> {
        let log_path = dir.join("db");
        let log_file = File::open(&log_path).map_err(io_at(&log_path))?;
        Ok(SledFiles {
            db,
            dir,
            generation,
            trees: RwLock::new(HashMap::new()),
            log_file,
            synced: Mutex::new(SyncState::default()),
        })
    }

    fn storage_error(&self, e: sled::Error) -> GraphError {
        map_sled_error(&self.dir, e)
    }

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

    fn sync(&self) -> Result<()> {
        self.db.flush().map_err(|e| self.storage_error(e))?;
        self.fsync_files()
    }

    fn fsync_files(&self) -> Result<()> {
        let mut synced = self.synced.lock().map_err(|_| poisoned())?;
        self.log_file
            .sync_all()
            .map_err(io_at(&self.dir.join("db")))?;
        let blob_dir = self.dir.join("blobs");
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
        let top = list_names(&self.dir)?;
        if top != synced.top {
            for name in &top {
                if name == "conf" || name.to_string_lossy().starts_with("snap.") {
                    let p = self.dir.join(name);
                    if let Ok(f) = File::open(&p) {
                        f.sync_all()
                            .map_err(|source| GraphError::Io { path: p, source })?;
                    }
                }
            }
            fsync_path(&self.dir)?;
            synced.top = top;
        }
        Ok(())
    }

    /// Applies `batch` atomically (one tree: a sled batch; several: a
    /// blind-write transaction).
    fn apply(&self, batch: WriteBatch) -> Result<()> {
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
        Ok(())
    }

    /// Copies every tree of `self` into `to`.
    fn copy_into(&self, to: &sled::Db) -> Result<()> {
        let copy_err = |e: sled::Error| map_sled_error(&self.dir, e);
        for name in self.db.tree_names() {
            let src = self.db.open_tree(&name).map_err(copy_err)?;
            let dst = to.open_tree(&name).map_err(copy_err)?;
            for item in src.iter() {
                let (k, v) = item.map_err(copy_err)?;
                dst.insert(k, v).map_err(copy_err)?;
            }
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
        let files = self.files()?;
        let Some(t) = files.read_tree(tree)? else {
            return Ok(None);
        };
        let v = t.get(key).map_err(|e| files.storage_error(e))?;
        Ok(v.map(|v| v.to_vec()))
    }

    fn range(&self, tree: &str, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<KvPair>> {
        if bounds_empty(start, end) {
            return Ok(Vec::new());
        }
        let files = self.files()?;
        let Some(t) = files.read_tree(tree)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for item in t.range::<&[u8], _>((start, end)) {
            let (k, v) = item.map_err(|e| files.storage_error(e))?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn commit(&self, batch: WriteBatch, durability: Durability) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let files = self.files()?;
        files.apply(batch)?;
        if durability == Durability::Durable {
            files.sync()?;
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.files()?.sync()
    }

    fn tree_names(&self) -> Result<Vec<String>> {
        let files = self.files()?;
        let mut names: Vec<String> = files
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
        let files = self.files()?;
        files.db.size_on_disk().map_err(|e| files.storage_error(e))
    }

    /// Copies every tree into a fresh generation directory
    /// (`sled-NNNNNNNN`), applies `batch` there, makes it durable, and
    /// switches to it by renaming the pointer file [`SLED_POINTER`] into
    /// place (the one atomic step); then closes the old generation and
    /// deletes its files. sled 0.34 keeps superseded versions of pages in
    /// its log until it happens to rewrite their segments, and it has no
    /// call that forces that; a copy holds only the live values. A crash
    /// before the rename leaves the old generation in force (the copy is
    /// deleted at the next open), after it the new one (the old files are).
    fn rewrite(&self, batch: WriteBatch) -> Result<()> {
        let mut files = self.files.write().map_err(|_| poisoned())?;
        let generation = files.generation + 1;
        let name = generation_dir(generation);
        let dir = self.path.join(&name);
        remove_entry(&dir)?;
        let db = open_sled(&dir)?;
        files.copy_into(&db)?;
        let fresh = SledFiles::new(db, dir, generation)?;
        fresh.apply(batch)?;
        fresh.sync()?;
        fsync_path(&self.path)?;
        let tmp = self.path.join(format!("{SLED_POINTER}.tmp"));
        {
            let mut f = File::create(&tmp).map_err(io_at(&tmp))?;
            io::Write::write_all(&mut f, format!("{name}\n").as_bytes()).map_err(io_at(&tmp))?;
            f.sync_all().map_err(io_at(&tmp))?;
        }
        let pointer = self.path.join(SLED_POINTER);
        fs::rename(&tmp, &pointer).map_err(io_at(&pointer))?;
        fsync_path(&self.path)?;
        let old = std::mem::replace(&mut *files, fresh);
        drop(files);
        let (old_dir, old_generation) = (old.dir.clone(), old.generation);
        // Closing sled flushes what it still buffers into the old files,
        // which are deleted next.
        drop(old);
        if old_generation == 0 {
            for entry in list_names(&self.path)? {
                let entry = entry.to_string_lossy().into_owned();
                if is_sled_entry(&entry) {
                    remove_entry(&self.path.join(entry))?;
                }
            }
        } else {
            remove_entry(&old_dir)?;
        }
        fsync_path(&self.path)
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
