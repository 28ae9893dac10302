//! Bulk creation: a complete database is written into a hidden sibling
//! directory (`.<name>.importing-<pid>`), synced, and renamed onto the
//! target. A crash before the rename leaves only the hidden directory
//! (removed by the next bulk creation once its process is gone); a crash
//! after it leaves the whole database.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::engine::Store;
use super::segments::SegmentDir;
use super::OpenOptions;
use crate::error::{GraphError, Result};
use crate::kv::{KvStore, SledKv};
use crate::snapshot::Snapshot;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> GraphError + '_ {
    move |source| GraphError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The hidden working directory for `name` in `parent`, for process `pid`.
pub(crate) fn staging_dir(parent: &Path, name: &str, pid: u32) -> PathBuf {
    parent.join(format!(".{name}.importing-{pid}"))
}

/// Whether a process with this id is running.
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes staging directories of `name` left by processes that died.
fn remove_stale(parent: &Path, name: &str) -> Result<()> {
    let prefix = format!(".{name}.importing-");
    let entries = match fs::read_dir(parent) {
        Ok(e) => e,
        Err(_) => return Ok(()),
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Ok(pid) = rest.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let p = entry.path();
            fs::remove_dir_all(&p).map_err(io_err(&p))?;
        }
    }
    Ok(())
}

pub(crate) fn create(
    path: &Path,
    snapshot: &Snapshot,
    options: &OpenOptions,
) -> Result<(Store, Snapshot)> {
    create_with(path, options, Some(snapshot), |kv, segments| {
        Store::write_image(kv, segments, snapshot)
    })
}

/// Bulk creation with the image written by `write` into the staging
/// directory's store and segment directory; `written`, when known, is
/// checked against the manifest.
pub(crate) fn create_with(
    path: &Path,
    options: &OpenOptions,
    written: Option<&Snapshot>,
    write: impl FnOnce(&dyn KvStore, &SegmentDir) -> Result<()>,
) -> Result<(Store, Snapshot)> {
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => {
            if fs::read_dir(path).map_err(io_err(path))?.next().is_some() {
                return Err(GraphError::Invalid(format!(
                    "{} is not empty; a new database needs a missing or empty directory",
                    path.display()
                )));
            }
        }
        Ok(_) => {
            return Err(GraphError::Invalid(format!(
                "{} exists and is not a directory",
                path.display()
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(GraphError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    }
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        GraphError::Invalid(format!("{} has no usable directory name", path.display()))
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    remove_stale(&parent, name)?;
    let staging = staging_dir(&parent, name, std::process::id());
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    {
        let kv = SledKv::open(&staging, true)?;
        write(&kv, &SegmentDir::files(&staging))?;
        // Everything, including new blob files and directory entries, on
        // disk before the rename publishes it.
        kv.sync()?;
    }
    fs::rename(&staging, path).map_err(io_err(path))?;
    crate::kv::fsync_path(&parent)?;

    // The staging handle is closed; opening waits briefly for sled's
    // background threads to let go of its file lock.
    let kv = SledKv::open(path, false)?;
    let kv: Arc<dyn KvStore> = Arc::new(kv);
    Store::attach(
        kv,
        SegmentDir::files(path),
        path,
        options.durability,
        written,
    )
}
