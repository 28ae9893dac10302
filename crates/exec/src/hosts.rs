//! What the embedding database provides to a statement, carried in
//! [`crate::QueryOptions`]: the standing-query registry the
//! `db.standing.*` procedures manage and the erasure `db.erase` runs
//! through. The executor knows these only as traits (`relgraph::Database`
//! implements them); the procedures re-export them
//! (`relgraph_exec::procedures::StandingHost`, ...).

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::{NodeId, Value};

/// One registered standing query, as `db.standing.list()` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StandingInfo {
    /// Its name.
    pub name: String,
    /// The query text.
    pub query: String,
    /// Its parameters.
    pub params: BTreeMap<String, Value>,
    /// `added` or `both` (notifications also carry rows that left).
    pub mode: &'static str,
    /// The commit version its current answer reflects.
    pub version: u64,
    /// Rows in its current answer.
    pub rows: u64,
    /// How it is kept up to date: which commits make it run again (see
    /// [`crate::standing::Footprint`]'s `Display`).
    pub evaluation: String,
}

/// The database's standing-query registry, as the procedures see it.
///
/// ```
/// use std::collections::BTreeMap;
/// use relgraph_exec::procedures::{StandingHost, StandingInfo};
/// use relgraph_graph::Value;
/// struct Nothing;
/// impl StandingHost for Nothing {
///     fn register(&self, name: &str, _: &str, _: BTreeMap<String, Value>, _: bool) -> Result<StandingInfo, String> {
///         Err(format!("cannot register {name}"))
///     }
///     fn list(&self) -> Vec<StandingInfo> { Vec::new() }
///     fn drop_query(&self, name: &str) -> Result<(), String> { Err(format!("no {name}")) }
/// }
/// assert!(Nothing.list().is_empty());
/// ```
pub trait StandingHost: Send + Sync {
    /// Registers `query` under `name`; `both` also notifies rows that leave
    /// the answer. Returns what `list` will show for it.
    fn register(
        &self,
        name: &str,
        query: &str,
        params: BTreeMap<String, Value>,
        both: bool,
    ) -> std::result::Result<StandingInfo, String>;
    /// Every registration, by name.
    fn list(&self) -> Vec<StandingInfo>;
    /// Drops the registration `name`.
    fn drop_query(&self, name: &str) -> std::result::Result<(), String>;
    /// How the registration `name` is evaluated after a commit: one entry
    /// per query it runs (each delta part, or the whole query), with the
    /// plan on the current snapshot. A registry that cannot tell says why.
    fn explain(&self, name: &str) -> std::result::Result<Vec<StandingPart>, String> {
        Err(format!(
            "this registry cannot explain standing query `{name}`"
        ))
    }
}

/// One query a standing query runs after a commit, as
/// `db.standing.explain()` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StandingPart {
    /// `delta` (a part seeded by what the commit touched), `shared` (a part
    /// run once for the registrations of one text) or `whole`.
    pub path: &'static str,
    /// Which touched elements start it, or when the whole query runs.
    pub seed: String,
    /// The query text it runs.
    pub query: String,
    /// Its plan (EXPLAIN) on the current snapshot.
    pub plan: String,
}

/// A shared [`StandingHost`] carried in [`crate::QueryOptions`].
///
/// ```
/// let opts = relgraph_exec::QueryOptions::default();
/// assert!(opts.standing.is_none()); // relgraph::Database sets it per query
/// ```
#[derive(Clone)]
pub struct StandingHandle(pub Arc<dyn StandingHost>);

impl std::fmt::Debug for StandingHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StandingHandle")
    }
}

/// What erases, as the `db.erase` procedure sees it.
///
/// ```
/// use relgraph_exec::procedures::ErasureHost;
/// use relgraph_graph::NodeId;
/// struct Refuse;
/// impl ErasureHost for Refuse {
///     fn erase(&self, node: NodeId) -> Result<(u64, u64), String> {
///         Err(format!("cannot erase {node:?}"))
///     }
/// }
/// assert!(Refuse.erase(NodeId(1)).is_err());
/// ```
pub trait ErasureHost: Send + Sync {
    /// Deletes `node` and its relationships for erasure; returns how many
    /// nodes (0 when it no longer exists) and relationships it deleted.
    /// The host finishes removing the copies once the statement's
    /// snapshot is released, before the statement returns.
    fn erase(&self, node: NodeId) -> std::result::Result<(u64, u64), String>;
}

/// A shared [`ErasureHost`] carried in [`crate::QueryOptions`].
///
/// ```
/// let opts = relgraph_exec::QueryOptions::default();
/// assert!(opts.erasure.is_none()); // relgraph::Database sets it per query
/// ```
#[derive(Clone)]
pub struct ErasureHandle(pub Arc<dyn ErasureHost>);

impl std::fmt::Debug for ErasureHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErasureHandle")
    }
}
