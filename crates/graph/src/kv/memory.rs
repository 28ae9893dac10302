//! The in-memory backend: one `BTreeMap` per tree behind a lock. A commit
//! takes the write lock once, so batches are atomic and readers see whole
//! batches only. Nothing survives the process.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

use super::{in_bounds, KvPair, KvStore, WriteBatch};
use crate::error::{GraphError, Result};
use crate::store::Durability;

type Tree = BTreeMap<Vec<u8>, Vec<u8>>;

/// An ordered key-value store held in memory (for [`crate::Graph::in_memory`]
/// and tests).
///
/// ```
/// use relgraph_graph::kv::{KvStore, MemoryKv};
/// let kv = MemoryKv::new();
/// assert!(kv.get("meta", b"magic").unwrap().is_none());
/// assert!(kv.tree_names().unwrap().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct MemoryKv {
    trees: RwLock<BTreeMap<String, Tree>>,
}

impl MemoryKv {
    /// An empty store.
    pub fn new() -> MemoryKv {
        MemoryKv::default()
    }

    fn poisoned() -> GraphError {
        GraphError::Storage("memory store lock poisoned by a panicking thread".into())
    }
}

impl KvStore for MemoryKv {
    fn backend_name(&self) -> &'static str {
        "memory"
    }

    fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let trees = self.trees.read().map_err(|_| Self::poisoned())?;
        Ok(trees.get(tree).and_then(|t| t.get(key).cloned()))
    }

    fn range(&self, tree: &str, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Result<Vec<KvPair>> {
        let trees = self.trees.read().map_err(|_| Self::poisoned())?;
        let Some(t) = trees.get(tree) else {
            return Ok(Vec::new());
        };
        // Only the start bound is handed to BTreeMap::range (which panics on
        // inverted bounds); the end is checked per key.
        let start_owned: Bound<Vec<u8>> = start.map(<[u8]>::to_vec);
        Ok(t.range((start_owned, Bound::Unbounded))
            .take_while(|(k, _)| in_bounds(k, start, end))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn rewrite(&self, batch: WriteBatch) -> Result<()> {
        // Values live in maps only: a removed one is gone.
        self.commit(batch, Durability::Durable)
    }

    fn commit(&self, batch: WriteBatch, _durability: Durability) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut trees = self.trees.write().map_err(|_| Self::poisoned())?;
        for (name, ops) in batch.into_ops() {
            let t = trees.entry(name).or_default();
            for (k, v) in ops {
                match v {
                    Some(v) => {
                        t.insert(k, v);
                    }
                    None => {
                        t.remove(&k);
                    }
                }
            }
        }
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        Ok(())
    }

    fn tree_names(&self) -> Result<Vec<String>> {
        let trees = self.trees.read().map_err(|_| Self::poisoned())?;
        Ok(trees.keys().cloned().collect())
    }
}
