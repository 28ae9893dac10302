//! The ordered key-value interface the store is written against, with a
//! sled backend and an in-memory backend.
//!
//! The store above this module ([`crate::store`]) sees only [`KvStore`]:
//! named trees of byte keys ordered lexicographically, point reads, ordered
//! range scans, and [`KvStore::commit`] of a [`WriteBatch`] of puts and
//! deletes spanning several trees, applied all-or-nothing. Adding a backend
//! (redb is the obvious third) means implementing this trait and passing
//! the result to [`crate::Graph::open_backend`]; nothing above changes.
//!
//! Architecture invariant: no backend interprets keys or values. Keys are
//! compared as bytes; every encoding decision lives in the store's format
//! module.
//!
//! ```
//! use relgraph_graph::kv::{KvStore, MemoryKv, WriteBatch};
//! use relgraph_graph::store::Durability;
//!
//! let kv = MemoryKv::new();
//! let mut batch = WriteBatch::new();
//! batch.put("log", 1u64.to_be_bytes().to_vec(), b"first".to_vec());
//! batch.put("meta", b"name".to_vec(), b"demo".to_vec());
//! kv.commit(batch, Durability::Durable).unwrap();
//! assert_eq!(kv.get("meta", b"name").unwrap().as_deref(), Some(&b"demo"[..]));
//! assert_eq!(kv.scan_prefix("log", b"").unwrap().len(), 1);
//! ```

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::error::Result;
use crate::store::Durability;

pub mod conformance;
mod memory;
mod sled_backend;

pub use memory::MemoryKv;
pub(crate) use sled_backend::fsync_path;
pub use sled_backend::{SledKv, LOCK_FILE, SLED_POINTER};

/// One key and its value, as returned by scans.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// One operation of a batch: a key and its new value (`None` deletes it).
pub type KvOp = (Vec<u8>, Option<Vec<u8>>);

/// A set of puts and deletes over named trees, committed atomically by
/// [`KvStore::commit`]. Within one tree, a later operation on the same key
/// wins.
///
/// ```
/// use relgraph_graph::kv::WriteBatch;
/// let mut b = WriteBatch::new();
/// b.put("nodes", vec![0, 1], vec![42]);
/// b.delete("log", vec![0, 7]);
/// assert_eq!(b.len(), 2);
/// assert_eq!(b.trees().collect::<Vec<_>>(), vec!["log", "nodes"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct WriteBatch {
    ops: BTreeMap<String, Vec<KvOp>>,
    bytes: usize,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> WriteBatch {
        WriteBatch::default()
    }

    /// Sets `key` in `tree` to `value`.
    pub fn put(&mut self, tree: &str, key: Vec<u8>, value: Vec<u8>) {
        self.bytes += key.len() + value.len();
        self.tree_ops(tree).push((key, Some(value)));
    }

    /// Removes `key` from `tree` (no error if absent).
    pub fn delete(&mut self, tree: &str, key: Vec<u8>) {
        self.bytes += key.len();
        self.tree_ops(tree).push((key, None));
    }

    fn tree_ops(&mut self, tree: &str) -> &mut Vec<KvOp> {
        if !self.ops.contains_key(tree) {
            self.ops.insert(tree.to_string(), Vec::new());
        }
        self.ops
            .get_mut(tree)
            .expect("tree entry inserted just above")
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.values().map(Vec::len).sum()
    }

    /// True when the batch holds no operation.
    pub fn is_empty(&self) -> bool {
        self.ops.values().all(Vec::is_empty)
    }

    /// Total bytes of keys and values in the batch.
    pub fn byte_size(&self) -> usize {
        self.bytes
    }

    /// The trees the batch touches, in name order.
    pub fn trees(&self) -> impl Iterator<Item = &str> {
        self.ops.keys().map(String::as_str)
    }

    /// The operations on one tree, in the order they were added
    /// (`None` = delete).
    pub fn ops(&self, tree: &str) -> &[KvOp] {
        self.ops.get(tree).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Consumes the batch into per-tree operation lists (name order).
    pub fn into_ops(self) -> impl Iterator<Item = (String, Vec<KvOp>)> {
        self.ops.into_iter()
    }
}

/// An ordered key-value store of named trees.
///
/// Semantics every backend must provide (checked by
/// [`conformance::check_backend`]):
/// - keys within a tree are ordered by unsigned byte comparison;
/// - a tree that was never written reads as empty (reading does not create it);
/// - [`commit`](KvStore::commit) applies the whole batch or nothing, also
///   across a process crash; with [`Durability::Durable`] it returns only
///   once the batch would survive a power loss;
/// - reads see every batch whose `commit` returned.
///
/// Implementations must be usable from many threads at once.
pub trait KvStore: Send + Sync + 'static {
    /// A short name for messages and benches (`"sled"`, `"memory"`).
    fn backend_name(&self) -> &'static str;

    /// The value of `key` in `tree`.
    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Pairs with `start <= key < end` (per the bounds) in ascending key order.
    fn range(&self, tree: &str, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<KvPair>>;

    /// Applies a batch atomically. An empty batch is a no-op.
    fn commit(&self, batch: WriteBatch, durability: Durability) -> Result<()>;

    /// Makes every committed batch durable (as a durable commit would).
    fn sync(&self) -> Result<()>;

    /// The names of the trees that hold at least one key or were written.
    fn tree_names(&self) -> Result<Vec<String>>;

    /// Applies `batch` and rewrites the store's files so that none of them
    /// still holds a value that was deleted or replaced (erasure, see
    /// docs/erasure.md): afterwards the files hold exactly the live pairs.
    /// Atomic like [`commit`](KvStore::commit) (either the old files
    /// without `batch`, or the rewritten ones with it, also across a
    /// crash) and durable when it returns. A backend that keeps no files
    /// just commits the batch.
    fn rewrite(&self, batch: WriteBatch) -> Result<()>;

    /// Approximate bytes used on disk (0 for memory).
    fn size_on_disk(&self) -> Result<u64> {
        Ok(0)
    }

    /// All pairs whose key starts with `prefix`, ascending.
    fn scan_prefix(&self, tree: &str, prefix: &[u8]) -> Result<Vec<KvPair>> {
        match prefix_successor(prefix) {
            Some(end) => self.range(tree, Bound::Included(prefix), Bound::Excluded(&end)),
            None => self.range(tree, Bound::Included(prefix), Bound::Unbounded),
        }
    }
}

/// The smallest key greater than every key starting with `prefix`, or
/// `None` when there is none (the prefix is empty or all `0xff`).
///
/// ```
/// use relgraph_graph::kv::prefix_successor;
/// assert_eq!(prefix_successor(b"ab"), Some(b"ac".to_vec()));
/// assert_eq!(prefix_successor(&[1, 0xff]), Some(vec![2]));
/// assert_eq!(prefix_successor(&[0xff]), None);
/// ```
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Whether `key` lies within the bounds.
pub(crate) fn in_bounds(key: &[u8], start: Bound<&[u8]>, end: Bound<&[u8]>) -> bool {
    let after_start = match start {
        Bound::Included(s) => key >= s,
        Bound::Excluded(s) => key > s,
        Bound::Unbounded => true,
    };
    let before_end = match end {
        Bound::Included(e) => key <= e,
        Bound::Excluded(e) => key < e,
        Bound::Unbounded => true,
    };
    after_start && before_end
}
