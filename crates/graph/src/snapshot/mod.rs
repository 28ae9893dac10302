//! Immutable, memory-resident snapshots of the graph.
//!
//! CONTRACT (shared with crates/exec; change only in coordination):
//! every method below keeps its signature. Implementation: chunked
//! copy-on-write storage (see docs/architecture.md): nodes live in chunks of
//! a fixed number of consecutive ids; each chunk holds label membership,
//! columnar properties and CSR adjacency per (relationship type, direction);
//! `apply` clones only the chunks a change set touches.
//!
//! # Layout and why
//!
//! A [`Snapshot`] is an `Arc` to a small root: counters, the catalog, the
//! property indexes and two vectors of `Arc`ed chunks, one for node ids and
//! one for relationship ids. A chunk covers 4096 consecutive ids.
//!
//! - **Node chunk**: a liveness bitset, labels per node as a CSR (offsets +
//!   sorted label ids, so [`Snapshot::node_labels`] returns a slice),
//!   a membership bitmap per label (label scans touch 64 words per chunk),
//!   one property column per key (dense `Vec<Value>` indexed by offset, or
//!   sparse sorted offsets when under a quarter full), and one CSR adjacency
//!   list per (relationship type, direction): offsets plus [`Adj`] entries
//!   sorted by `(node, rel)`. Import allocates ids per file, so chunks are
//!   mostly label-homogeneous and dense columns are the common case.
//! - **Relationship chunk**: liveness, type, start and end per id, and
//!   property columns like nodes.
//!
//! Every part of a chunk (liveness/labels, each column, each adjacency
//! list) is its own `Arc`, so rebuilding a chunk shares every part a change
//! did not touch. [`Snapshot::neighbors`] is two pointer hops and a binary
//! search over the handful of lists of a chunk: no allocation, no overlay.
//!
//! **Writes** ([`Snapshot::apply`]) first replay the change set against a
//! small overlay of the entities it touches (validating each change in
//! order), then check end-of-set rules (deleted nodes have no relationships
//! left, declared property types, unique constraints), then group the final
//! states per chunk and rebuild each touched chunk once, in parallel. Cost
//! is linear in the change set plus the size of the touched chunks, which
//! keeps a 200k-node `CREATE` linear and a one-property `SET` at tens of
//! microseconds. Versions share every untouched chunk, so readers holding an
//! older snapshot keep it at no cost to writers.
//!
//! **Indexes** (one per declared index or unique constraint) are persistent
//! ordered sets of `(key, node)` (see `index.rs`): a write updates them in
//! `O(log n)` per touched entry without copying.
//!
//! **Chunk size.** 4096 ids per chunk. Measured on the synthetic LDBC
//! SF0.1-sized graph (332k nodes, 1.4M relationships; CPU time, release,
//! `snapshot_scale`), chunks of 1024 / 4096 / 16384 ids gave the same
//! build cost (`from_records` 1.1-1.3 s CPU before the direct CSR build),
//! the same 200k-node `CREATE` cost (0.37-0.42 s CPU before borrowing
//! created properties), and the same heap (~102 bytes per relationship).
//! What the size does move is the worst case of a small write (a touched
//! dense column is copied whole: about 45-80 us at 4096) and the morsel
//! size for parallel scans (1024 ids is too fine for rayon to amortize).
//! 4096 balances the two.
//!
//! **Memory** (same graph): ~102 heap bytes per relationship by the
//! snapshot's own accounting ([`Snapshot::heap_bytes`]) and ~167 resident
//! bytes per relationship measured with `/proc/self/statm`, nodes and
//! their properties included. Per relationship: two [`Adj`] entries (32
//! bytes), type and endpoints (20 bytes), plus offsets and property
//! values (a `Value` is 48 bytes).
//!
//! **petgraph.** [`Snapshot::typed`] returns a [`TypedGraph`], a view of one
//! relationship type that implements petgraph's graph traits.

use std::borrow::Cow;
use std::io::Write;
use std::ops::{Bound, Range};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::access::{AccessRules, Restriction};
use crate::catalog::Catalog;
use crate::change::ChangeSet;
use crate::error::{GraphError, Result};
use crate::ids::{Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::record::{NodeRecord, RelRecord};
use crate::value::Value;

mod adj;
mod apply;
mod buf;
mod build;
mod check;
mod chunk;
mod column;
pub(crate) mod image;
mod index;
mod probe;
pub(crate) mod scrub;
pub mod segment;
pub mod stats;
mod typed;

pub use adj::{AdjIter, AdjSlice};
pub use buf::{HeapBytes, SegmentBytes};
pub(crate) use check::DamageLog;
pub use check::DamageMark;
use chunk::{node_pos, rel_pos, AdjList, NodeChunk, RelChunk};
pub(crate) use chunk::{NODE_CHUNK, REL_CHUNK};
use index::{IndexKey, PropIndex};
pub use probe::NodeProbe;
pub(crate) use typed::VisibleNodes;
pub use typed::{NodeVisitMap, TypedEdge, TypedEdges, TypedGraph, TypedNeighbors};

/// One entry of an adjacency list: the node at the other end and the
/// relationship that leads there. Lists are sorted by `(node, rel)`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(C)]
pub struct Adj {
    /// The neighbour.
    pub node: NodeId,
    /// The relationship.
    pub rel: RelId,
}

/// A relationship's identity and endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelRef {
    /// Its id.
    pub id: RelId,
    /// Its type.
    pub rel_type: RelTypeId,
    /// Start node.
    pub src: NodeId,
    /// End node.
    pub dst: NodeId,
}

/// An immutable view of the whole graph at one committed version. Cloning is
/// cheap (reference counted). Readers keep the snapshot they started with.
///
/// ```
/// use relgraph_graph::{Change, ChangeSet, Direction, NodeId, RelId, Snapshot};
///
/// let mut catalog = relgraph_graph::Catalog::default();
/// let person = catalog.intern_label("Person");
/// let knows = catalog.intern_rel_type("KNOWS");
/// let s0 = Snapshot::empty();
/// let cs = ChangeSet {
///     catalog: Some(relgraph_graph::change::CatalogSnapshot(catalog)),
///     changes: vec![
///         Change::CreateNode { id: NodeId(0), labels: vec![person], props: vec![] },
///         Change::CreateNode { id: NodeId(1), labels: vec![person], props: vec![] },
///         Change::CreateRel { id: RelId(0), rel_type: knows, src: NodeId(0), dst: NodeId(1), props: vec![] },
///     ],
/// };
/// let s1 = s0.apply(&cs).unwrap();
/// assert_eq!(s1.version(), 1);
/// assert_eq!(s1.neighbors(NodeId(0), knows, Direction::Outgoing)[0].node, NodeId(1));
/// assert_eq!(s1.label_count(person), 2);
/// assert_eq!(s0.node_count(), 0); // the old version is untouched
/// ```
#[derive(Clone)]
pub struct Snapshot {
    inner: Arc<Inner>,
    /// A role's view: what it may not see is left out by every accessor.
    access: Option<Arc<Restriction>>,
}

/// The direction byte of an adjacency list key (0 outgoing, 1 incoming).
#[inline]
fn adj_dir(dir: Direction) -> u8 {
    match dir {
        Direction::Outgoing => 0,
        Direction::Incoming => 1,
    }
}

/// Reads the lists of one relationship type and direction node by node,
/// looking each chunk's list up once ([`Snapshot::neighbor_lists`]).
pub struct NeighborLists<'a> {
    snap: &'a Snapshot,
    t: RelTypeId,
    dir: Direction,
    /// The chunk `list` belongs to (`usize::MAX`: none yet).
    chunk: usize,
    list: Option<&'a AdjList>,
}

impl<'a> NeighborLists<'a> {
    /// The list of `n`, as [`Snapshot::adjacency`] gives it.
    #[inline]
    pub fn get(&mut self, n: NodeId) -> AdjSlice<'a> {
        if self.snap.access.is_some() {
            return self.restricted(n);
        }
        let (c, l) = node_pos(n.0);
        if c != self.chunk {
            let d = adj_dir(self.dir);
            self.chunk = c;
            self.list = self
                .snap
                .inner
                .nodes
                .get(c)
                .and_then(|c| c.adj_list((self.t, d)));
        }
        self.list.map_or(AdjSlice::EMPTY, |a| a.get(l))
    }

    /// The list of `n` in a role's view (kept out of line so that the
    /// administrator's path of [`NeighborLists::get`] inlines).
    #[inline(never)]
    fn restricted(&self, n: NodeId) -> AdjSlice<'a> {
        self.snap.adjacency(n, self.t, self.dir)
    }
}

/// Whether a version is still held (see [`Snapshot::watch`]).
pub(crate) struct SnapshotWatch(std::sync::Weak<Inner>);

impl SnapshotWatch {
    /// True while some [`Snapshot`] of this version exists.
    pub(crate) fn alive(&self) -> bool {
        self.0.strong_count() > 0
    }
}

/// The root of one version.
struct Inner {
    version: u64,
    catalog: Arc<Catalog>,
    next_node: u64,
    next_rel: u64,
    node_count: u64,
    rel_count: u64,
    /// Live nodes per label id.
    label_counts: Vec<u64>,
    /// Live relationships per type id.
    rel_type_counts: Vec<u64>,
    nodes: Vec<Arc<NodeChunk>>,
    rels: Vec<Arc<RelChunk>>,
    /// Sorted by (label, key). Built on first use for a snapshot opened
    /// from segments (an index over a million nodes costs ~0.4 s and
    /// ~120 bytes per entry, which a query that never seeks should not pay);
    /// set at once by writes and by `from_records`.
    indexes: OnceLock<Vec<PropIndex>>,
    /// While `indexes` is unset: one slot per declared index, each built
    /// on its first use (a query seeking on `Person(id)` does not pay for
    /// the other indexes).
    lazy_indexes: OnceLock<Vec<LazyIndex>>,
    /// Rank structure for the compact petgraph indexing, built on first use.
    rank: OnceLock<typed::LiveRank>,
    /// Planner statistics: computed on first use, or inherited from the
    /// snapshot this one was derived from while still fresh.
    stats: OnceLock<Arc<stats::GraphStats>>,
    /// Role views of this version already built ([`Snapshot::restrict_as`]),
    /// so that their visibility memos serve every query of the version.
    role_views: std::sync::Mutex<Vec<(String, Arc<Restriction>)>>,
    /// Reads of damaged segment arrays (shared by every version of one
    /// database; see `check.rs`).
    damage: Arc<DamageLog>,
}

impl Inner {
    fn node_chunk(&self, n: u64) -> Option<(&NodeChunk, usize)> {
        let (c, l) = node_pos(n);
        self.nodes.get(c).map(|c| (&**c, l))
    }

    fn rel_chunk(&self, r: u64) -> Option<(&RelChunk, usize)> {
        let (c, l) = rel_pos(r);
        self.rels.get(c).map(|c| (&**c, l))
    }

    fn node_alive(&self, n: u64) -> bool {
        self.node_chunk(n).is_some_and(|(c, l)| c.meta.alive.get(l))
    }

    fn index(&self, label: LabelId, key: PropKeyId) -> Option<&PropIndex> {
        if let Some(indexes) = self.indexes.get() {
            return indexes
                .binary_search_by_key(&(label, key), |i| (i.label, i.key))
                .ok()
                .map(|i| &indexes[i]);
        }
        let lazy = self.lazy_indexes.get_or_init(|| {
            apply::index_defs(&self.catalog)
                .into_iter()
                .map(|(label, key, unique)| LazyIndex {
                    label,
                    key,
                    unique,
                    built: OnceLock::new(),
                })
                .collect()
        });
        let slot = lazy.iter().find(|l| (l.label, l.key) == (label, key))?;
        // Segments hold validated data, so building cannot find a
        // violation; if damaged data made it fail, or the build read a
        // damaged array (which reads as empty), queries scan instead, and
        // the scan reports the damage.
        slot.built
            .get_or_init(|| {
                let mark = self.damage.mark();
                let built = apply::build_index(self, label, key, slot.unique.clone()).ok();
                built.filter(|_| self.damage.since(mark).is_ok())
            })
            .as_ref()
    }
}

/// A declared index of a snapshot opened from segments, built on first use.
struct LazyIndex {
    label: LabelId,
    key: PropKeyId,
    unique: Option<String>,
    built: OnceLock<Option<PropIndex>>,
}

/// How many nodes [`Snapshot::degree_sample`] looks at, at most.
pub const DEGREE_SAMPLE: u64 = 256;

impl Snapshot {
    fn from_inner(inner: Inner) -> Snapshot {
        Snapshot {
            inner: Arc::new(inner),
            access: None,
        }
    }

    /// An empty graph with an empty catalog at version 0.
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert_eq!((s.version(), s.node_count(), s.rel_count()), (0, 0, 0));
    /// ```
    pub fn empty() -> Snapshot {
        Snapshot::from_inner(Inner {
            version: 0,
            catalog: Arc::new(Catalog::default()),
            next_node: 0,
            next_rel: 0,
            node_count: 0,
            rel_count: 0,
            label_counts: Vec::new(),
            rel_type_counts: Vec::new(),
            nodes: Vec::new(),
            rels: Vec::new(),
            indexes: OnceLock::from(Vec::new()),
            lazy_indexes: OnceLock::new(),
            rank: OnceLock::new(),
            stats: OnceLock::new(),
            role_views: Default::default(),
            damage: Default::default(),
        })
    }

    /// The commit version this snapshot reflects.
    pub fn version(&self) -> u64 {
        self.inner.version
    }

    /// Interned names and schema as of this snapshot.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    /// The catalog as a shared handle: snapshots whose commits changed no
    /// name, index, constraint or policy share one, so `Arc::ptr_eq` on
    /// two handles says the catalog did not change between them.
    ///
    /// ```
    /// let graph = relgraph_graph::Graph::in_memory();
    /// let before = graph.snapshot();
    /// let mut txn = graph.begin_write().unwrap();
    /// txn.create_node(&["Person"], vec![]).unwrap();
    /// txn.commit().unwrap();
    /// let after = graph.snapshot();
    /// // A new label changed the catalog.
    /// assert!(!std::sync::Arc::ptr_eq(&before.shared_catalog(), &after.shared_catalog()));
    /// ```
    pub fn shared_catalog(&self) -> Arc<Catalog> {
        self.inner.catalog.clone()
    }

    /// Number of live nodes.
    pub fn node_count(&self) -> u64 {
        self.inner.node_count
    }

    /// Number of live relationships.
    pub fn rel_count(&self) -> u64 {
        self.inner.rel_count
    }

    /// The id the next created node must take (ids are dense, never reused).
    pub fn next_node_id(&self) -> NodeId {
        NodeId(self.inner.next_node)
    }

    /// The id the next created relationship must take.
    pub fn next_rel_id(&self) -> RelId {
        RelId(self.inner.next_rel)
    }

    /// True if node `n` exists (is live) in this snapshot.
    pub fn node_exists(&self, n: NodeId) -> bool {
        match &self.access {
            None => self.inner.node_alive(n.0),
            Some(a) => self.seen(a, n),
        }
    }

    /// This snapshot as `rules` let their role see it (see
    /// [`crate::access`]): nodes and relationships it may not traverse are
    /// left out of every scan, seek, expansion and lookup, labels it may
    /// not see are left out of label lists, and properties it may not read
    /// are absent. Writes through [`Snapshot::apply`] keep the restriction.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use relgraph_graph::access::{AccessRules, Policies};
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let person = c.intern_label("Person");
    /// let s = Snapshot::from_records(c.clone(), 1, NodeId(1), RelId(0),
    ///     vec![NodeRecord { id: NodeId(0), labels: vec![person], props: vec![] }], vec![]).unwrap();
    /// let mut p = Policies::default();
    /// p.create_role("nobody"); // a new role sees nothing
    /// let rules = AccessRules::compile("nobody", &p, &c, &mut |_| unreachable!()).unwrap();
    /// let r = s.restrict(Arc::new(rules));
    /// assert!(s.node_exists(NodeId(0)));
    /// assert!(!r.node_exists(NodeId(0)));
    /// assert_eq!(r.nodes().count(), 0);
    /// assert!(r.unrestricted().node_exists(NodeId(0)));
    /// ```
    pub fn restrict(&self, rules: Arc<AccessRules>) -> Snapshot {
        Snapshot {
            inner: self.inner.clone(),
            access: Some(Arc::new(Restriction::new(rules, self.inner.next_node))),
        }
    }

    /// This version as `role` sees it, built by `rules` the first time a
    /// role asks and kept for the version's later queries (the catalog,
    /// and so the policies, belong to the version).
    pub fn restrict_as<E>(
        &self,
        role: &str,
        rules: impl FnOnce() -> std::result::Result<AccessRules, E>,
    ) -> std::result::Result<Snapshot, E> {
        let cached = self.inner.role_views.lock().ok().and_then(|views| {
            views
                .iter()
                .find(|(r, _)| r == role)
                .map(|(_, v)| v.clone())
        });
        let view = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(Restriction::new(Arc::new(rules()?), self.inner.next_node));
                if let Ok(mut views) = self.inner.role_views.lock() {
                    views.push((role.to_string(), v.clone()));
                }
                v
            }
        };
        Ok(Snapshot {
            inner: self.inner.clone(),
            access: Some(view),
        })
    }

    /// A mark to pass to [`Snapshot::check_damage`] when a statement
    /// ends. Segment arrays are verified by checksum the first time they
    /// are read; a damaged one reads as empty and is counted, so a reader
    /// takes a mark before it starts and checks it when it is done.
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// let mark = s.damage_mark();
    /// assert_eq!(s.node_count(), 0);
    /// s.check_damage(mark).unwrap(); // nothing damaged was read
    /// ```
    pub fn damage_mark(&self) -> DamageMark {
        self.inner.damage.mark()
    }

    /// `Err(GraphError::CorruptSegment)`, naming the file, chunk and
    /// array, if a damaged segment array was read since `mark` (by this
    /// reader, or by one running at the same time on the same database:
    /// the count is per database, so a concurrent reader may be refused
    /// too; none is ever answered from damaged bytes).
    pub fn check_damage(&self, mark: DamageMark) -> Result<()> {
        self.inner.damage.since(mark)
    }

    /// The same version without any role's restriction.
    pub fn unrestricted(&self) -> Snapshot {
        Snapshot {
            inner: self.inner.clone(),
            access: None,
        }
    }

    /// Under restriction `a` (this snapshot's): whether node `n` is seen.
    #[inline]
    fn seen(&self, a: &Restriction, n: NodeId) -> bool {
        a.node_visible(n, || self.unrestricted())
    }

    /// Under restriction `a`: whether key `k` of (visible) node `n` is read.
    #[inline]
    fn key_seen(&self, a: &Restriction, n: NodeId, k: PropKeyId) -> bool {
        a.rules.node_key_open(k) || a.rules.node_key_readable(&self.unrestricted(), n, k)
    }

    /// The rules restricting this snapshot, if any.
    pub fn access_rules(&self) -> Option<&Arc<AccessRules>> {
        self.access.as_ref().map(|a| &a.rules)
    }

    /// Labels of a node, ascending by id; empty for a missing node.
    pub fn node_labels(&self, n: NodeId) -> Cow<'_, [LabelId]> {
        let all = match self.inner.node_chunk(n.0) {
            Some((c, l)) => c.meta.labels(l),
            None => &[],
        };
        match &self.access {
            None => Cow::Borrowed(all),
            Some(a) if !self.seen(a, n) => Cow::Borrowed(&[]),
            Some(a) if all.iter().all(|l| a.rules.label_visible(*l)) => Cow::Borrowed(all),
            Some(a) => Cow::Owned(
                all.iter()
                    .copied()
                    .filter(|l| a.rules.label_visible(*l))
                    .collect(),
            ),
        }
    }

    /// True if node `n` exists and carries label `l`.
    #[inline]
    pub fn has_label(&self, n: NodeId, l: LabelId) -> bool {
        // The chunk's membership bitmap (a few labels per chunk, cache
        // resident) instead of the node's label list.
        let raw = match self.inner.node_chunk(n.0) {
            Some((c, local)) => c.meta.label_bits(l).is_some_and(|b| b.get(local)),
            None => false,
        };
        raw && self
            .access
            .as_ref()
            .is_none_or(|a| a.rules.label_visible(l) && self.seen(a, n))
    }

    /// The value of property `k` of node `n`, if the node exists and has it.
    /// Borrowed where the snapshot holds a `Value` (heap columns,
    /// dictionaries), built on the fly where a segment column stores plain
    /// numbers or bytes.
    pub fn node_property(&self, n: NodeId, k: PropKeyId) -> Option<Cow<'_, Value>> {
        let (column, l) = self.node_column(n, k)?;
        column.get(l)
    }

    /// [`Snapshot::node_property`] as an owned value, `Null` where there is
    /// none: what an expression reads per row, built in place with no
    /// `Option<Cow<_>>` around it.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let age = c.intern_prop_key("age");
    /// let nodes = vec![NodeRecord { id: NodeId(0), labels: vec![], props: vec![(age, Value::Int(36))] }];
    /// let s = Snapshot::from_records(c, 1, NodeId(1), RelId(0), nodes, vec![]).unwrap();
    /// assert_eq!(s.node_value(NodeId(0), age), Value::Int(36));
    /// assert_eq!(s.node_value(NodeId(1), age), Value::Null);
    /// ```
    #[inline]
    pub fn node_value(&self, n: NodeId, k: PropKeyId) -> Value {
        match self.node_column(n, k) {
            Some((column, l)) => column.value(l),
            None => Value::Null,
        }
    }

    /// The column holding `n`'s `k` and `n`'s place in it, unless the role
    /// may not see them.
    #[inline]
    fn node_column(&self, n: NodeId, k: PropKeyId) -> Option<(&chunk::Column, usize)> {
        let (c, l) = self.inner.node_chunk(n.0)?;
        if let Some(a) = &self.access {
            if !(self.seen(a, n) && self.key_seen(a, n, k)) {
                return None;
            }
        }
        Some((chunk::column_of(&c.props, k)?, l))
    }

    /// [`Snapshot::node_property`] for a comparison with a string: a
    /// string value borrowed where it lies (a segment's text column is
    /// read in place, with no new string), `PropStr::Other` for a value of
    /// another type (or a string that would have to be decoded),
    /// `PropStr::Absent` when there is none (or the role may not see it).
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, PropStr, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let name = c.intern_prop_key("name");
    /// let age = c.intern_prop_key("age");
    /// let nodes = vec![NodeRecord {
    ///     id: NodeId(0),
    ///     labels: vec![],
    ///     props: vec![(name, Value::from("Ada")), (age, Value::Int(36))],
    /// }];
    /// let s = Snapshot::from_records(c, 1, NodeId(1), RelId(0), nodes, vec![]).unwrap();
    /// assert_eq!(s.node_str_property(NodeId(0), name), PropStr::Str("Ada"));
    /// assert_eq!(s.node_str_property(NodeId(0), age), PropStr::Other);
    /// assert_eq!(s.node_str_property(NodeId(1), name), PropStr::Absent);
    /// ```
    pub fn node_str_property(&self, n: NodeId, k: PropKeyId) -> PropStr<'_> {
        match self.node_column(n, k) {
            Some((column, l)) => column.str_at(l),
            None => PropStr::Absent,
        }
    }

    /// All properties of a node, sorted by key id.
    pub fn node_properties(&self, n: NodeId) -> Vec<(PropKeyId, Value)> {
        let mut all = match self.inner.node_chunk(n.0) {
            Some((c, l)) => chunk::column_props(&c.props, l),
            None => Vec::new(),
        };
        if let Some(a) = &self.access {
            if !self.seen(a, n) {
                return Vec::new();
            }
            all.retain(|(k, _)| self.key_seen(a, n, *k));
        }
        all
    }

    /// A live relationship's identity and endpoints.
    pub fn rel(&self, r: RelId) -> Option<RelRef> {
        let (c, l) = self.inner.rel_chunk(r.0)?;
        let (rel_type, src, dst) = c.ends.get(l)?;
        let rel = RelRef {
            id: r,
            rel_type,
            src,
            dst,
        };
        self.rel_visible(&rel).then_some(rel)
    }

    /// True when the role (if any) sees `r`: its type and both ends.
    #[inline]
    fn rel_visible(&self, r: &RelRef) -> bool {
        self.access.as_ref().is_none_or(|a| {
            a.rules.rel_type_visible(r.rel_type) && self.seen(a, r.src) && self.seen(a, r.dst)
        })
    }

    /// The value of property `k` of relationship `r`, if it exists and has it
    /// (borrowed or built, as for [`Snapshot::node_property`]).
    pub fn rel_property(&self, r: RelId, k: PropKeyId) -> Option<Cow<'_, Value>> {
        let (c, l) = self.inner.rel_chunk(r.0)?;
        if self.access.is_some() {
            let rel = self.rel(r)?;
            let a = self.access.as_ref()?;
            if !a.rules.rel_key_readable(rel.rel_type, k) {
                return None;
            }
        }
        chunk::column_get(&c.props, k, l)
    }

    /// [`Snapshot::rel_property`] as an owned value, `Null` where there is
    /// none (as [`Snapshot::node_value`] is for nodes).
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("KNOWS");
    /// let since = c.intern_prop_key("since");
    /// let n = |i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![] };
    /// let r = RelRecord { id: RelId(0), rel_type: t, src: NodeId(0), dst: NodeId(1), props: vec![(since, Value::Int(2020))] };
    /// let s = Snapshot::from_records(c, 1, NodeId(2), RelId(1), vec![n(0), n(1)], vec![r]).unwrap();
    /// assert_eq!(s.rel_value(RelId(0), since), Value::Int(2020));
    /// assert_eq!(s.rel_value(RelId(1), since), Value::Null);
    /// ```
    #[inline]
    pub fn rel_value(&self, r: RelId, k: PropKeyId) -> Value {
        let Some((c, l)) = self.inner.rel_chunk(r.0) else {
            return Value::Null;
        };
        if self.access.is_some() {
            return self.rel_property(r, k).map_or(Value::Null, Cow::into_owned);
        }
        match chunk::column_of(&c.props, k) {
            Some(column) => column.value(l),
            None => Value::Null,
        }
    }

    /// All properties of a relationship, sorted by key id.
    pub fn rel_properties(&self, r: RelId) -> Vec<(PropKeyId, Value)> {
        let mut all = match self.inner.rel_chunk(r.0) {
            Some((c, l)) => chunk::column_props(&c.props, l),
            None => Vec::new(),
        };
        if let Some(a) = &self.access {
            match self.rel(r) {
                None => return Vec::new(),
                Some(rel) => all.retain(|(k, _)| a.rules.rel_key_readable(rel.rel_type, *k)),
            }
        }
        all
    }

    /// Number of live nodes carrying label `l`.
    pub fn label_count(&self, l: LabelId) -> u64 {
        self.inner.label_counts.get(l.index()).copied().unwrap_or(0)
    }

    /// Number of live relationships of type `t`.
    pub fn rel_type_count(&self, t: RelTypeId) -> u64 {
        self.inner
            .rel_type_counts
            .get(t.index())
            .copied()
            .unwrap_or(0)
    }

    /// Sampled fan-out statistics for the query planner: over up to
    /// [`DEGREE_SAMPLE`] nodes carrying `from` (any node when `None`),
    /// spread evenly over the label, returns the average number of
    /// adjacency entries of the `types` in the `dirs` (what an expansion
    /// scans per node) and the average number of those whose other end
    /// carries every label in `to` (what it produces per node).
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Catalog, Direction, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let (p, t, knows) = (c.intern_label("P"), c.intern_label("T"), c.intern_rel_type("K"));
    /// let n = |i, l| NodeRecord { id: NodeId(i), labels: vec![l], props: vec![] };
    /// let r = |i, s, d| RelRecord { id: RelId(i), rel_type: knows, src: NodeId(s), dst: NodeId(d), props: vec![] };
    /// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(3), vec![n(0, p), n(1, p), n(2, t)],
    ///     vec![r(0, 0, 1), r(1, 0, 2), r(2, 1, 2)]).unwrap();
    /// let (scanned, produced) = s.degree_sample(Some(p), &[knows], &[Direction::Outgoing], &[t]);
    /// assert_eq!((scanned, produced), (1.5, 1.0));
    /// ```
    pub fn degree_sample(
        &self,
        from: Option<LabelId>,
        types: &[RelTypeId],
        dirs: &[Direction],
        to: &[LabelId],
    ) -> (f64, f64) {
        let total = match from {
            Some(l) => self.label_count(l),
            None => self.node_count(),
        };
        if total == 0 {
            return (0.0, 0.0);
        }
        let step = (total / DEGREE_SAMPLE).max(1) as usize;
        let nodes: Box<dyn Iterator<Item = NodeId> + '_> = match from {
            Some(l) => self.nodes_with_label(l),
            None => self.nodes(),
        };
        let (mut seen, mut scanned, mut produced) = (0u64, 0u64, 0u64);
        for n in nodes.step_by(step).take(DEGREE_SAMPLE as usize) {
            seen += 1;
            for &t in types {
                for &d in dirs {
                    let adj = self.adjacency(n, t, d);
                    scanned += adj.len() as u64;
                    produced += if to.is_empty() {
                        adj.len() as u64
                    } else {
                        // Label checks on a bounded prefix keep planning cheap.
                        let head = adj.slice(0..adj.len().min(64));
                        let hits = head
                            .iter()
                            .filter(|a| to.iter().all(|l| self.has_label(a.node, *l)))
                            .count() as u64;
                        hits * adj.len() as u64 / head.len().max(1) as u64
                    };
                }
            }
        }
        let seen = seen.max(1) as f64;
        (scanned as f64 / seen, produced as f64 / seen)
    }

    /// Planner statistics of this snapshot (see [`stats::GraphStats`]):
    /// those stored with the base image (written at bulk creation and by
    /// every checkpoint), or those of the snapshot it was derived from
    /// while they are still [fresh](stats::GraphStats::fresh_for), else
    /// sampled on first use.
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert_eq!(s.stats().node_count, 0);
    /// ```
    pub fn stats(&self) -> Arc<stats::GraphStats> {
        self.inner
            .stats
            .get_or_init(|| Arc::new(stats::GraphStats::compute(self)))
            .clone()
    }

    /// The statistics if this snapshot already has them (installed from the
    /// store, inherited or computed), without computing them.
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert!(s.stats_if_known().is_none());
    /// s.stats();
    /// assert!(s.stats_if_known().is_some());
    /// ```
    pub fn stats_if_known(&self) -> Option<Arc<stats::GraphStats>> {
        self.inner.stats.get().cloned()
    }

    /// Installs statistics computed elsewhere (read from the store, or
    /// computed by a checkpoint); ignored if this snapshot already has some.
    pub fn set_stats(&self, stats: Arc<stats::GraphStats>) {
        let _ = self.inner.stats.set(stats);
    }

    /// Live node ids, ascending.
    pub fn nodes(&self) -> Box<dyn Iterator<Item = NodeId> + '_> {
        let all = self.inner.nodes.iter().enumerate().flat_map(|(ci, c)| {
            let base = ci as u64 * NODE_CHUNK;
            c.meta
                .alive
                .ones(0, NODE_CHUNK as usize)
                .map(move |l| NodeId(base + l as u64))
        });
        match &self.access {
            None => Box::new(all),
            Some(a) => Box::new(all.filter(move |n| self.seen(a, *n))),
        }
    }

    /// Live node ids carrying `l`, ascending.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let person = c.intern_label("Person");
    /// let n = |i, labels| NodeRecord { id: NodeId(i), labels, props: vec![] };
    /// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(0), vec![n(0, vec![person]), n(1, vec![]), n(2, vec![person])], vec![]).unwrap();
    /// assert_eq!(s.nodes_with_label(person).collect::<Vec<_>>(), vec![NodeId(0), NodeId(2)]);
    /// assert_eq!(s.label_count(person), 2);
    /// assert_eq!(s.nodes().count(), 3);
    /// ```
    pub fn nodes_with_label(&self, l: LabelId) -> Box<dyn Iterator<Item = NodeId> + '_> {
        if let Some(a) = &self.access {
            if !a.rules.label_visible(l) {
                return Box::new(std::iter::empty());
            }
            return Box::new(self.all_with_label(l).filter(move |n| self.seen(a, *n)));
        }
        self.all_with_label(l)
    }

    /// Live node ids carrying `l`, whatever the restriction.
    fn all_with_label(&self, l: LabelId) -> Box<dyn Iterator<Item = NodeId> + '_> {
        Box::new(
            self.inner
                .nodes
                .iter()
                .enumerate()
                .flat_map(move |(ci, c)| {
                    let base = ci as u64 * NODE_CHUNK;
                    c.meta.label_bits(l).into_iter().flat_map(move |b| {
                        b.ones(0, NODE_CHUNK as usize)
                            .map(move |x| NodeId(base + x as u64))
                    })
                }),
        )
    }

    /// Disjoint id ranges covering `0..next_node_id`, one per chunk, for
    /// parallel (morsel-driven) scans.
    ///
    /// ```
    /// use relgraph_graph::{NodeId, RelId, Snapshot, Catalog};
    /// let s = Snapshot::from_records(Catalog::default(), 0, NodeId(5000), RelId(0), vec![], vec![]).unwrap();
    /// assert_eq!(s.node_morsels(), vec![0..4096, 4096..5000]);
    /// ```
    pub fn node_morsels(&self) -> Vec<Range<u64>> {
        let end = self.inner.next_node;
        (0..end.div_ceil(NODE_CHUNK))
            .map(|c| c * NODE_CHUNK..((c + 1) * NODE_CHUNK).min(end))
            .collect()
    }

    /// Ranges of node ids that together cover every live node carrying `l`
    /// (every live node when `None`), each holding about `per_morsel` such
    /// nodes (at most one chunk): units of parallel work for a scan. Chunks
    /// without such nodes are left out.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let tag = c.intern_label("Tag");
    /// let nodes = (0..10).map(|i| NodeRecord { id: NodeId(i), labels: if i >= 4 { vec![tag] } else { vec![] }, props: vec![] }).collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(10), RelId(0), nodes, vec![]).unwrap();
    /// let m = s.label_morsels(Some(tag), 4);
    /// assert_eq!(m, vec![0..8, 8..10]); // 4 tagged nodes in each
    /// let covered: Vec<_> = m.into_iter().flat_map(|r| s.nodes_in_range(r, Some(tag))).collect();
    /// assert_eq!(covered.len(), 6);
    /// ```
    pub fn label_morsels(&self, l: Option<LabelId>, per_morsel: usize) -> Vec<Range<u64>> {
        let per_morsel = per_morsel.max(1);
        let mut out = Vec::new();
        for (ci, c) in self.inner.nodes.iter().enumerate() {
            let bits = match l {
                None => Some(&c.meta.alive),
                Some(l) => c.meta.label_bits(l),
            };
            let Some(bits) = bits else { continue };
            let count = bits.count() as usize;
            if count == 0 {
                continue;
            }
            let base = ci as u64 * NODE_CHUNK;
            let end = (base + NODE_CHUNK).min(self.inner.next_node);
            if count <= per_morsel {
                out.push(base..end);
                continue;
            }
            let mut start = base;
            for (k, local) in bits.ones(0, NODE_CHUNK as usize).enumerate() {
                if k > 0 && k % per_morsel == 0 {
                    let cut = base + local as u64;
                    out.push(start..cut);
                    start = cut;
                }
            }
            out.push(start..end);
        }
        out
    }

    /// A small sample of the live nodes carrying `l` (every live node for
    /// `None`) for estimation while planning: up to `runs` runs of at most
    /// `run` consecutive ones, spread evenly over the nodes of evenly
    /// spaced chunks that hold the label (several runs per chunk when the
    /// label has few chunks). Reads a few chunks, not the whole label, so
    /// it costs microseconds at any size.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let tag = c.intern_label("Tag");
    /// let nodes = (0..100).map(|i| NodeRecord { id: NodeId(i), labels: if i % 2 == 0 { vec![tag] } else { vec![] }, props: vec![] }).collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(100), RelId(0), nodes, vec![]).unwrap();
    /// let sample = s.label_sample(Some(tag), 4, 2);
    /// assert_eq!(sample, vec![NodeId(0), NodeId(2), NodeId(24), NodeId(26), NodeId(50), NodeId(52), NodeId(74), NodeId(76)]);
    /// assert_eq!(s.label_sample(Some(tag), 100, 100).len(), 50); // at most the whole label
    /// ```
    pub fn label_sample(&self, l: Option<LabelId>, runs: usize, run: usize) -> Vec<NodeId> {
        let chunks: Vec<usize> = self
            .inner
            .nodes
            .iter()
            .enumerate()
            .filter(|(ci, _)| self.chunk_bits(*ci, l).is_some_and(|b| b.count() > 0))
            .map(|(ci, _)| ci)
            .collect();
        let (runs, run) = (runs.max(1), run.max(1));
        let step = chunks.len().div_ceil(runs).max(1);
        let per_chunk = runs.div_ceil(chunks.len().max(1));
        let mut out = Vec::new();
        for &ci in chunks.iter().skip(step / 2).step_by(step) {
            let base = ci as u64 * NODE_CHUNK;
            let Some(bits) = self.chunk_bits(ci, l) else {
                continue;
            };
            let count = bits.count();
            if count <= (per_chunk * run) as u64 {
                out.extend(self.nodes_in_range(base..base + NODE_CHUNK, l));
                continue;
            }
            // Each run starts at its rank, found by counting the bits of
            // whole words: listing the chunk's nodes first cost most of
            // planning a query that samples.
            for j in 0..per_chunk as u64 {
                if let Some(at) = bits.select(j * count / per_chunk as u64) {
                    let from = base + at as u64;
                    out.extend(self.nodes_in_range_upto(from..base + NODE_CHUNK, l, run));
                }
            }
        }
        out
    }

    /// Chunk `ci`'s bits of nodes carrying `l` (of live nodes for `None`).
    fn chunk_bits(&self, ci: usize, l: Option<LabelId>) -> Option<&chunk::Bits> {
        let c = self.inner.nodes.get(ci)?;
        match l {
            None => Some(&c.meta.alive),
            Some(l) => c.meta.label_bits(l),
        }
    }

    /// Live nodes in `range` carrying `l` (or all live nodes when `l` is None), ascending.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let tag = c.intern_label("Tag");
    /// let nodes = (0..10).map(|i| NodeRecord { id: NodeId(i), labels: if i % 3 == 0 { vec![tag] } else { vec![] }, props: vec![] }).collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(10), RelId(0), nodes, vec![]).unwrap();
    /// assert_eq!(s.nodes_in_range(2..7, Some(tag)), vec![NodeId(3), NodeId(6)]);
    /// assert_eq!(s.nodes_in_range(8..100, None), vec![NodeId(8), NodeId(9)]);
    /// ```
    pub fn nodes_in_range(&self, range: Range<u64>, l: Option<LabelId>) -> Vec<NodeId> {
        self.nodes_in_range_upto(range, l, usize::MAX)
    }

    /// [`Snapshot::nodes_in_range`], stopping after the first `n` in the
    /// range (those the role may not see are then left out of them).
    fn nodes_in_range_upto(&self, range: Range<u64>, l: Option<LabelId>, n: usize) -> Vec<NodeId> {
        let end = range.end.min(self.inner.next_node);
        let mut out = Vec::new();
        let mut start = range.start;
        while start < end && out.len() < n {
            let (ci, lo) = node_pos(start);
            let chunk_end = ((ci as u64) + 1) * NODE_CHUNK;
            let hi = (end.min(chunk_end) - ci as u64 * NODE_CHUNK) as usize;
            if let Some(bits) = self.chunk_bits(ci, l) {
                let base = ci as u64 * NODE_CHUNK;
                let left = n - out.len();
                out.extend(
                    bits.ones(lo, hi)
                        .take(left)
                        .map(|x| NodeId(base + x as u64)),
                );
            }
            start = chunk_end;
        }
        if let Some(a) = &self.access {
            if l.is_some_and(|l| !a.rules.label_visible(l)) {
                out.clear();
            }
            out.retain(|n| self.seen(a, *n));
        }
        out
    }

    /// Live nodes in `range` carrying `l` (all live nodes when `l` is
    /// None) that hold a value for `key`, ascending. Chunk by chunk: a
    /// chunk whose nodes lack the key is skipped whole, and the key's
    /// column is read for presence only (a sparse column by its entries, a
    /// presence bitmap a word at a time), so a scan for a property few
    /// nodes have costs about a bit per node rather than a property read.
    /// A role's view leaves out the nodes it may not see; whether it sees
    /// their `key` is the property read's to say.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let tag = c.intern_label("Tag");
    /// let me = c.intern_prop_key("me");
    /// let nodes = (0..10)
    ///     .map(|i| NodeRecord {
    ///         id: NodeId(i),
    ///         labels: if i % 3 == 0 { vec![tag] } else { vec![] },
    ///         props: if i == 6 || i == 7 { vec![(me, Value::Bool(true))] } else { vec![] },
    ///     })
    ///     .collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(10), RelId(0), nodes, vec![]).unwrap();
    /// let having: Vec<NodeId> = s.nodes_having(0..10, Some(tag), me).collect();
    /// assert_eq!(having, vec![NodeId(6)]);
    /// assert_eq!(s.nodes_having(0..10, None, me).count(), 2);
    /// ```
    pub fn nodes_having(
        &self,
        range: Range<u64>,
        l: Option<LabelId>,
        key: PropKeyId,
    ) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes_having_where(range, l, key, None)
    }

    /// [`Snapshot::nodes_having`], less the nodes whose `key` the stored
    /// column shows is not the string `s`: the candidates of `{key: s}`,
    /// decided a chunk at a time over the column's offsets and bytes (or
    /// its dictionary) instead of node by node. Where a chunk's column
    /// cannot tell (it is not text, or the view is a role's, whose
    /// property reads decide what it sees), its nodes holding `key` are
    /// all candidates, so the caller still compares each.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let name = c.intern_prop_key("name");
    /// let nodes = ["Ada", "Alan", "Ada"]
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, n)| NodeRecord {
    ///         id: NodeId(i as u64),
    ///         labels: vec![],
    ///         props: vec![(name, Value::from(*n))],
    ///     })
    ///     .collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(0), nodes, vec![]).unwrap();
    /// // Built from records the column is not a segment's: every holder
    /// // is a candidate.
    /// assert_eq!(s.nodes_holding_str(0..3, None, name, "Ada").count(), 3);
    /// ```
    pub fn nodes_holding_str<'a>(
        &'a self,
        range: Range<u64>,
        l: Option<LabelId>,
        key: PropKeyId,
        s: &'a str,
    ) -> impl Iterator<Item = NodeId> + 'a {
        let s = Some(s).filter(|_| self.access.is_none());
        self.nodes_having_where(range, l, key, s)
    }

    /// [`Snapshot::nodes_having`], narrowed to `{key: equal}` where the
    /// columns tell.
    fn nodes_having_where<'a>(
        &'a self,
        range: Range<u64>,
        l: Option<LabelId>,
        key: PropKeyId,
        equal: Option<&'a str>,
    ) -> impl Iterator<Item = NodeId> + 'a {
        let end = range.end.min(self.inner.next_node);
        let hidden = self
            .access
            .as_ref()
            .is_some_and(|a| l.is_some_and(|l| !a.rules.label_visible(l)));
        let chunks = if range.start < end && !hidden {
            node_pos(range.start).0..node_pos(end - 1).0 + 1
        } else {
            0..0
        };
        chunks.flat_map(move |ci| {
            let base = ci as u64 * NODE_CHUNK;
            let lo = range.start.max(base) - base;
            let hi = end.min(base + NODE_CHUNK) - base;
            let mut locals = Vec::new();
            if let (Some(bits), Some(c)) = (self.chunk_bits(ci, l), self.inner.nodes.get(ci)) {
                if let Some(column) = chunk::column_of(&c.props, key) {
                    column.present_among(bits, lo as usize, hi as usize, &mut locals);
                    if let Some(s) = equal {
                        column.retain_str_eq(&mut locals, s);
                    }
                }
            }
            locals
                .into_iter()
                .map(move |x| NodeId(base + u64::from(x)))
                .filter(move |n| self.access.as_ref().is_none_or(|a| self.seen(a, *n)))
        })
    }

    /// Adjacency of `n` over relationships of type `t` in direction `dir`,
    /// sorted by `(node, rel)`. A self-loop appears in both directions' lists.
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Adj, Catalog, Direction, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("KNOWS");
    /// let n = |i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![] };
    /// let r = |i, s, d| RelRecord { id: RelId(i), rel_type: t, src: NodeId(s), dst: NodeId(d), props: vec![] };
    /// let s = Snapshot::from_records(c, 1, NodeId(2), RelId(2), vec![n(0), n(1)], vec![r(0, 0, 1), r(1, 1, 1)]).unwrap();
    /// assert_eq!(&*s.neighbors(NodeId(1), t, Direction::Incoming),
    ///            &[Adj { node: NodeId(0), rel: RelId(0) }, Adj { node: NodeId(1), rel: RelId(1) }]);
    /// assert_eq!(&*s.neighbors(NodeId(1), t, Direction::Outgoing), &[Adj { node: NodeId(1), rel: RelId(1) }]);
    /// ```
    #[inline]
    pub fn neighbors(&self, n: NodeId, t: RelTypeId, dir: Direction) -> Cow<'_, [Adj]> {
        self.adjacency(n, t, dir).into_cow()
    }

    /// The adjacency list of `n` for relationship type `t` in direction
    /// `dir`, read in place at the width the segment stores it in: what
    /// [`Snapshot::neighbors`] gives, without widening a list stored in 8
    /// bytes an entry into a vector. See [`AdjSlice`].
    #[inline]
    pub fn adjacency(&self, n: NodeId, t: RelTypeId, dir: Direction) -> AdjSlice<'_> {
        let d = adj_dir(dir);
        let all = match self.inner.node_chunk(n.0) {
            Some((c, l)) => c.adj_list((t, d)).map_or(AdjSlice::EMPTY, |a| a.get(l)),
            None => AdjSlice::EMPTY,
        };
        match &self.access {
            None => all,
            Some(a) => self.visible_neighbors(a, n, t, all),
        }
    }

    /// The entries of `all` (the list of `n` over type `t`) that role view
    /// `a` sees. Kept out of line so that [`Snapshot::adjacency`] inlines.
    #[inline(never)]
    fn visible_neighbors<'s>(
        &self,
        a: &Restriction,
        n: NodeId,
        t: RelTypeId,
        all: AdjSlice<'s>,
    ) -> AdjSlice<'s> {
        if all.is_empty() || !a.rules.rel_type_visible(t) || !self.seen(a, n) {
            return AdjSlice::EMPTY;
        }
        // Usually every neighbour is visible: no copy then.
        let Some(first_hidden) = all.iter().position(|e| !self.seen(a, e.node)) else {
            return all;
        };
        let mut seen = all.slice(0..first_hidden).to_vec();
        seen.extend(
            all.slice(first_hidden + 1..all.len())
                .iter()
                .filter(|e| self.seen(a, e.node)),
        );
        AdjSlice::owned(seen)
    }

    /// A reader of the lists of relationship type `t` in direction `dir`
    /// for many nodes. It looks up a chunk's list once for all the nodes
    /// of that chunk, so reading the lists of nodes in ascending id order
    /// (a scan's morsel, an algorithm's pass) costs one slice per node.
    /// It reads exactly what [`Snapshot::neighbors`] reads.
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Catalog, Direction, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("KNOWS");
    /// let n = |i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![] };
    /// let r = |i, s, d| RelRecord { id: RelId(i), rel_type: t, src: NodeId(s), dst: NodeId(d), props: vec![] };
    /// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(2), vec![n(0), n(1), n(2)], vec![r(0, 0, 1), r(1, 0, 2)]).unwrap();
    /// let mut lists = s.neighbor_lists(t, Direction::Outgoing);
    /// for i in 0..3 {
    ///     assert_eq!(lists.get(NodeId(i)), s.adjacency(NodeId(i), t, Direction::Outgoing));
    /// }
    /// ```
    pub fn neighbor_lists(&self, t: RelTypeId, dir: Direction) -> NeighborLists<'_> {
        NeighborLists {
            snap: self,
            t,
            dir,
            chunk: usize::MAX,
            list: None,
        }
    }

    /// The relationship types that node `n` has relationships of in
    /// direction `dir`, ascending (for expansions over any type).
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert!(s.rel_types_of(relgraph_graph::NodeId(0), relgraph_graph::Direction::Outgoing).is_empty());
    /// ```
    pub fn rel_types_of(&self, n: NodeId, dir: Direction) -> Vec<RelTypeId> {
        let d = adj_dir(dir);
        match self.inner.node_chunk(n.0) {
            Some((c, l)) => c
                .adj
                .iter()
                .filter(|((_, dd), a)| *dd == d && !a.get(l).is_empty())
                .map(|((t, _), _)| *t)
                .filter(|t| {
                    self.access
                        .as_ref()
                        .is_none_or(|a| a.rules.rel_type_visible(*t) && self.seen(a, n))
                })
                .collect(),
            None => Vec::new(),
        }
    }

    /// Live relationships, ascending by id.
    pub fn rels(&self) -> Box<dyn Iterator<Item = RelRef> + '_> {
        let all = self.inner.rels.iter().enumerate().flat_map(|(ci, c)| {
            let base = ci as u64 * REL_CHUNK;
            let ends = &c.ends;
            ends.alive.ones(0, REL_CHUNK as usize).filter_map(move |l| {
                let (rel_type, src, dst) = ends.get(l)?;
                Some(RelRef {
                    id: RelId(base + l as u64),
                    rel_type,
                    src,
                    dst,
                })
            })
        });
        match &self.access {
            None => Box::new(all),
            Some(_) => Box::new(all.filter(move |r| self.rel_visible(r))),
        }
    }

    /// Nodes with label `label` whose property `key` equals `value` under
    /// Cypher equality (1 = 1.0), ascending; `None` when no index exists.
    ///
    /// ```
    /// use relgraph_graph::catalog::IndexDef;
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let person = c.intern_label("Person");
    /// let age = c.intern_prop_key("age");
    /// c.indexes.push(IndexDef { name: "person_age".into(), label: person, key: age });
    /// let n = |i, v: Value| NodeRecord { id: NodeId(i), labels: vec![person], props: vec![(age, v)] };
    /// let s = Snapshot::from_records(c, 1, NodeId(2), RelId(0), vec![n(0, Value::Int(40)), n(1, Value::Float(40.0))], vec![]).unwrap();
    /// assert_eq!(s.index_lookup(person, age, &Value::Int(40)), Some(vec![NodeId(0), NodeId(1)]));
    /// assert_eq!(s.index_lookup(person, age, &Value::Null), Some(vec![]));
    /// ```
    pub fn index_lookup(
        &self,
        label: LabelId,
        key: PropKeyId,
        value: &Value,
    ) -> Option<Vec<NodeId>> {
        let idx = self.inner.index(label, key)?;
        let mut hits = match IndexKey::from_value(value) {
            Some(k) => idx.lookup(&k),
            None => Vec::new(),
        };
        self.keep_seen(label, key, &mut hits);
        Some(hits)
    }

    /// Under a role: keeps the index hits the role may find by this
    /// label and read this key of.
    fn keep_seen(&self, label: LabelId, key: PropKeyId, hits: &mut Vec<NodeId>) {
        if let Some(a) = &self.access {
            if !a.rules.label_visible(label) {
                hits.clear();
            }
            hits.retain(|n| self.seen(a, *n) && self.key_seen(a, *n, key));
        }
    }

    /// Nodes with label `label` whose property `key` lies in the range
    /// (values of the bounds' type family only: numbers with numbers,
    /// strings with strings, ...), ascending by id; `None` when no index exists.
    ///
    /// Also `None` when both bounds are unbounded or a bound is a list
    /// (the caller scans instead). Bounds that no value can satisfy (null,
    /// NaN, durations, bounds of two different families) give an empty list.
    ///
    /// ```
    /// use std::ops::Bound;
    /// use relgraph_graph::catalog::IndexDef;
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let person = c.intern_label("Person");
    /// let age = c.intern_prop_key("age");
    /// c.indexes.push(IndexDef { name: "person_age".into(), label: person, key: age });
    /// let n = |i, v: Value| NodeRecord { id: NodeId(i), labels: vec![person], props: vec![(age, v)] };
    /// let nodes = vec![n(0, Value::Int(30)), n(1, Value::Float(45.5)), n(2, "old".into()), n(3, Value::Int(60))];
    /// let s = Snapshot::from_records(c, 1, NodeId(4), RelId(0), nodes, vec![]).unwrap();
    /// let hits = s.index_range(person, age, Bound::Excluded(&Value::Int(30)), Bound::Unbounded);
    /// assert_eq!(hits, Some(vec![NodeId(1), NodeId(3)])); // strings are not numbers
    /// ```
    pub fn index_range(
        &self,
        label: LabelId,
        key: PropKeyId,
        lower: Bound<&Value>,
        upper: Bound<&Value>,
    ) -> Option<Vec<NodeId>> {
        let mut hits = self.inner.index(label, key)?.range(lower, upper)?;
        self.keep_seen(label, key, &mut hits);
        Some(hits)
    }

    /// Number of entries in the index on (`label`, `key`), if one exists
    /// (planner statistics).
    ///
    /// ```
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert_eq!(s.index_size(relgraph_graph::LabelId(0), relgraph_graph::PropKeyId(0)), None);
    /// ```
    pub fn index_size(&self, label: LabelId, key: PropKeyId) -> Option<u64> {
        self.inner.index(label, key).map(|i| i.len() as u64)
    }

    /// Applies a change set, validating it (existence, no dangling
    /// relationships, unique constraints, declared types, storable values),
    /// and returns the new snapshot with `version + 1`. On error, nothing
    /// changes. Only the chunks the change touches are copied.
    ///
    /// ```
    /// use relgraph_graph::{Catalog, Change, ChangeSet, GraphError, NodeId, RelId, Snapshot};
    /// use relgraph_graph::change::CatalogSnapshot;
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("R");
    /// let s = Snapshot::empty().apply(&ChangeSet {
    ///     catalog: Some(CatalogSnapshot(c)),
    ///     changes: vec![
    ///         Change::CreateNode { id: NodeId(0), labels: vec![], props: vec![] },
    ///         Change::CreateRel { id: RelId(0), rel_type: t, src: NodeId(0), dst: NodeId(0), props: vec![] },
    ///     ],
    /// }).unwrap();
    /// let delete = ChangeSet { catalog: None, changes: vec![Change::DeleteNode { id: NodeId(0) }] };
    /// assert!(matches!(s.apply(&delete), Err(GraphError::NodeHasRelationships(_))));
    /// assert!(s.node_exists(NodeId(0))); // a failed apply changes nothing
    /// ```
    ///
    /// Rules: changes apply in order; a created id must be at or above the
    /// snapshot's next id, unused in this set, and less than 2^20 above the
    /// next id at that point (ids may be created out of order; skipped ids
    /// stay dead); nulls in created properties are dropped; `SetNodeProp`
    /// with null removes. Deleted nodes must have no relationships at the
    /// end of the set (so `DELETE n, r` works in either order). Declared
    /// property types and unique constraints are checked on the final state.
    pub fn apply(&self, changes: &ChangeSet) -> Result<Snapshot> {
        // A write that read a damaged array (read as empty) would build
        // its chunks from nothing: refused instead.
        let mark = self.damage_mark();
        let next = apply::apply(&self.inner, changes);
        self.check_damage(mark)?;
        let next = Snapshot::from_inner(next?);
        // Statistics move slowly: keep the base's while they still fit.
        if let Some(stats) = self.inner.stats.get() {
            if stats.fresh_for(&next) {
                next.set_stats(stats.clone());
            }
        }
        Ok(match &self.access {
            None => next,
            Some(a) => next.restrict(a.rules.clone()),
        })
    }

    /// Builds a snapshot from whole records (import, store load). Records
    /// may come in any order; ids must be below the given bounds; every
    /// relationship's endpoints must exist. Builds in parallel (rayon).
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Catalog, Direction, NodeId, RelId, RelTypeId, Snapshot};
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("R");
    /// let nodes = vec![
    ///     NodeRecord { id: NodeId(1), labels: vec![], props: vec![] },
    ///     NodeRecord { id: NodeId(0), labels: vec![], props: vec![] },
    /// ];
    /// let rels = vec![RelRecord { id: RelId(0), rel_type: t, src: NodeId(1), dst: NodeId(0), props: vec![] }];
    /// let s = Snapshot::from_records(c, 7, NodeId(2), RelId(1), nodes, rels).unwrap();
    /// assert_eq!(s.neighbors(NodeId(0), t, Direction::Incoming)[0].node, NodeId(1));
    /// ```
    pub fn from_records(
        catalog: Catalog,
        version: u64,
        next_node_id: NodeId,
        next_rel_id: RelId,
        nodes: Vec<NodeRecord>,
        rels: Vec<RelRecord>,
    ) -> Result<Snapshot> {
        build::from_records(catalog, version, next_node_id, next_rel_id, nodes, rels)
            .map(Snapshot::from_inner)
    }

    /// Live nodes with ids in `range`, as records, ascending (store checkpoints).
    ///
    /// ```
    /// use relgraph_graph::record::{NodeRecord, RelRecord};
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot};
    /// let mut c = Catalog::default();
    /// let t = c.intern_rel_type("R");
    /// let nodes = vec![NodeRecord { id: NodeId(0), labels: vec![], props: vec![] }];
    /// let rels = vec![RelRecord { id: RelId(0), rel_type: t, src: NodeId(0), dst: NodeId(0), props: vec![] }];
    /// let s = Snapshot::from_records(c, 1, NodeId(1), RelId(1), nodes.clone(), rels.clone()).unwrap();
    /// assert_eq!(s.node_records(0..u64::MAX), nodes);
    /// assert_eq!(s.rel_records(0..1), rels);
    /// assert_eq!(s.rel(RelId(0)).map(|r| r.src), Some(NodeId(0)));
    /// ```
    pub fn node_records(&self, range: Range<u64>) -> Vec<NodeRecord> {
        self.nodes_in_range(range, None)
            .into_iter()
            .map(|id| NodeRecord {
                id,
                labels: self.node_labels(id).into_owned(),
                props: self.node_properties(id),
            })
            .collect()
    }

    /// Live relationships with ids in `range`, as records, ascending.
    pub fn rel_records(&self, range: Range<u64>) -> Vec<RelRecord> {
        let end = range.end.min(self.inner.next_rel);
        let mut out = Vec::new();
        let mut start = range.start;
        while start < end {
            let (ci, lo) = rel_pos(start);
            let chunk_end = (ci as u64 + 1) * REL_CHUNK;
            let hi = (end.min(chunk_end) - ci as u64 * REL_CHUNK) as usize;
            if let Some(c) = self.inner.rels.get(ci) {
                let base = ci as u64 * REL_CHUNK;
                out.extend(c.ends.alive.ones(lo, hi).filter_map(|l| {
                    let (rel_type, src, dst) = c.ends.get(l)?;
                    Some(RelRecord {
                        id: RelId(base + l as u64),
                        rel_type,
                        src,
                        dst,
                        props: chunk::column_props(&c.props, l),
                    })
                }));
            }
            start = chunk_end;
        }
        out
    }

    /// A petgraph view of the relationships of type `t` (see [`TypedGraph`]).
    /// On a role's view ([`Snapshot::restrict`]) it holds only what the
    /// role sees: hidden nodes and their relationships are not in it.
    ///
    /// ```
    /// use petgraph::visit::IntoNeighbors;
    /// let s = relgraph_graph::Snapshot::empty();
    /// let g = s.typed(relgraph_graph::RelTypeId(0));
    /// assert_eq!(g.neighbors(relgraph_graph::NodeId(0)).count(), 0);
    /// ```
    pub fn typed(&self, t: RelTypeId) -> TypedGraph<'_> {
        TypedGraph::new(self, Some(t))
    }

    /// A petgraph view of all relationships regardless of type (of the
    /// types a role's view sees, on one).
    ///
    /// ```
    /// use petgraph::visit::NodeCount;
    /// let s = relgraph_graph::Snapshot::empty();
    /// assert_eq!(s.all_types().node_count(), 0);
    /// ```
    pub fn all_types(&self) -> TypedGraph<'_> {
        TypedGraph::new(self, None)
    }

    /// Approximate heap bytes held by this snapshot's chunks and indexes
    /// (shared parts counted once per snapshot).
    ///
    /// ```
    /// assert_eq!(relgraph_graph::Snapshot::empty().heap_bytes(), 0);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        let nodes: usize = self
            .inner
            .nodes
            .iter()
            .map(|c| {
                let m = &c.meta;
                m.alive.heap_bytes()
                    + m.label_offsets.heap_bytes()
                    + m.label_data.heap_bytes()
                    + m.label_bits
                        .iter()
                        .map(|(_, b)| b.heap_bytes() + 8)
                        .sum::<usize>()
                    + c.props.iter().map(|(_, p)| p.heap_bytes()).sum::<usize>()
                    + c.adj
                        .iter()
                        .map(|(_, a)| a.offsets.heap_bytes() + a.entries.heap_bytes())
                        .sum::<usize>()
            })
            .sum();
        let rels: usize = self
            .inner
            .rels
            .iter()
            .map(|c| {
                let e = &c.ends;
                e.alive.heap_bytes()
                    + e.rel_type.heap_bytes()
                    + e.src.heap_bytes()
                    + e.dst.heap_bytes()
                    + c.props.iter().map(|(_, p)| p.heap_bytes()).sum::<usize>()
            })
            .sum();
        nodes + rels
    }
}

/// The figures of a snapshot that segments do not hold: its version, id
/// allocation state and live counts. The store keeps them in its manifest,
/// so a snapshot is assembled from segments without scanning them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotCounts {
    /// The commit version.
    pub version: u64,
    /// The next node id.
    pub next_node_id: u64,
    /// The next relationship id.
    pub next_rel_id: u64,
    /// Live nodes.
    pub node_count: u64,
    /// Live relationships.
    pub rel_count: u64,
    /// Live nodes per label id.
    pub label_counts: Vec<u64>,
    /// Live relationships per type id.
    pub rel_type_counts: Vec<u64>,
}

impl Snapshot {
    /// This snapshot's version, id bounds and counts.
    ///
    /// ```
    /// let c = relgraph_graph::Snapshot::empty().counts();
    /// assert_eq!((c.version, c.node_count, c.next_rel_id), (0, 0, 0));
    /// ```
    pub fn counts(&self) -> SnapshotCounts {
        let i = &self.inner;
        SnapshotCounts {
            version: i.version,
            next_node_id: i.next_node,
            next_rel_id: i.next_rel,
            node_count: i.node_count,
            rel_count: i.rel_count,
            label_counts: i.label_counts.clone(),
            rel_type_counts: i.rel_type_counts.clone(),
        }
    }

    /// Number of node chunks and relationship chunks (segment units).
    pub(crate) fn chunk_counts(&self) -> (u64, u64) {
        (self.inner.nodes.len() as u64, self.inner.rels.len() as u64)
    }

    /// The node and relationship chunks (by index) that differ from
    /// `base`'s: what a checkpoint over `base` must write. Versions share
    /// untouched chunks, so this compares pointers, not contents.
    pub(crate) fn changed_chunks(&self, base: &Snapshot) -> (Vec<u64>, Vec<u64>) {
        fn diff<T>(new: &[Arc<T>], old: &[Arc<T>]) -> Vec<u64> {
            (0..new.len())
                .filter(|&i| old.get(i).is_none_or(|o| !Arc::ptr_eq(o, &new[i])))
                .map(|i| i as u64)
                .collect()
        }
        (
            diff(&self.inner.nodes, &base.inner.nodes),
            diff(&self.inner.rels, &base.inner.rels),
        )
    }

    /// The same graph with the chunks `seg` holds read in place from it
    /// (`seg` was written from this snapshot by a checkpoint), so the heap
    /// copies that writes made can be freed.
    pub(crate) fn with_segment(&self, seg: &segment::OpenSegment) -> Result<Snapshot> {
        let mut nodes = self.inner.nodes.clone();
        let mut rels = self.inner.rels.clone();
        install_segment(seg, &mut nodes, &mut rels)?;
        Ok(self.replace_chunks(nodes, rels))
    }

    /// `self` with every chunk it still shares with `old` replaced by
    /// `new`'s chunk at that index (`new` holds the same content as `old`,
    /// read in place): carries a checkpoint's mapped chunks over to a later
    /// version.
    pub(crate) fn rebase(&self, old: &Snapshot, new: &Snapshot) -> Snapshot {
        fn pick<T>(mine: &[Arc<T>], old: &[Arc<T>], new: &[Arc<T>]) -> Vec<Arc<T>> {
            mine.iter()
                .enumerate()
                .map(|(i, c)| match (old.get(i), new.get(i)) {
                    (Some(o), Some(n)) if Arc::ptr_eq(o, c) => n.clone(),
                    _ => c.clone(),
                })
                .collect()
        }
        let nodes = pick(&self.inner.nodes, &old.inner.nodes, &new.inner.nodes);
        let rels = pick(&self.inner.rels, &old.inner.rels, &new.inner.rels);
        self.replace_chunks(nodes, rels)
    }

    /// The same graph without the derived caches a reader may have built
    /// from earlier versions (property indexes, which keep removed keys in
    /// their shared base arrays until merged; the rank structure; planner
    /// statistics, which sample values: replaced by `stats`, or computed on
    /// first use): the indexes are built again from the chunks on first
    /// use. Used by erasure.
    pub(crate) fn without_caches(&self, stats: Option<Arc<stats::GraphStats>>) -> Snapshot {
        let fresh = self.replace_chunks(self.inner.nodes.clone(), self.inner.rels.clone());
        let mut inner = match Arc::try_unwrap(fresh.inner) {
            Ok(inner) => inner,
            Err(shared) => {
                return Snapshot {
                    inner: shared,
                    access: None,
                }
            }
        };
        inner.indexes = OnceLock::new();
        inner.stats = match stats {
            Some(s) => OnceLock::from(s),
            None => OnceLock::new(),
        };
        Snapshot::from_inner(inner)
    }

    /// A handle that tells whether this version is still held by anyone,
    /// without keeping it alive.
    pub(crate) fn watch(&self) -> SnapshotWatch {
        SnapshotWatch(Arc::downgrade(&self.inner))
    }

    fn replace_chunks(&self, nodes: Vec<Arc<NodeChunk>>, rels: Vec<Arc<RelChunk>>) -> Snapshot {
        let i = &self.inner;
        Snapshot::from_inner(Inner {
            version: i.version,
            catalog: i.catalog.clone(),
            next_node: i.next_node,
            next_rel: i.next_rel,
            node_count: i.node_count,
            rel_count: i.rel_count,
            label_counts: i.label_counts.clone(),
            rel_type_counts: i.rel_type_counts.clone(),
            nodes,
            rels,
            indexes: match i.indexes.get() {
                Some(built) => OnceLock::from(built.clone()),
                None => OnceLock::new(),
            },
            lazy_indexes: OnceLock::new(),
            rank: OnceLock::new(),
            stats: i.stats.clone(),
            role_views: Default::default(),
            damage: i.damage.clone(),
        })
    }

    /// Writes the given node and relationship chunks (by index; missing
    /// ones are written empty, which removes them) into a segment.
    pub(crate) fn write_chunks<W: Write>(
        &self,
        nodes: impl IntoIterator<Item = u64>,
        rels: impl IntoIterator<Item = u64>,
        w: &mut segment::SegmentWriter<W>,
    ) -> Result<()> {
        let mark = self.damage_mark();
        let empty_node = NodeChunk::default();
        let empty_rel = RelChunk::default();
        for i in nodes {
            let c = self
                .inner
                .nodes
                .get(i as usize)
                .map_or(&empty_node, |c| &**c);
            w.node_chunk(i, c)?;
        }
        for i in rels {
            let c = self.inner.rels.get(i as usize).map_or(&empty_rel, |c| &**c);
            w.rel_chunk(i, c)?;
        }
        // Damaged arrays read as empty: never fold them into a new segment.
        self.check_damage(mark)
    }

    /// Assembles a snapshot whose chunks are read in place from
    /// `segments` (later segments replace the chunks of earlier ones),
    /// and leaves the property indexes the catalog declares to be built
    /// on first use.
    pub(crate) fn from_segments(
        catalog: Catalog,
        counts: SnapshotCounts,
        segments: &[segment::OpenSegment],
        damage: Arc<DamageLog>,
    ) -> Result<Snapshot> {
        let bad = |reason: String| GraphError::CorruptSegment {
            file: "manifest".into(),
            reason,
        };
        if counts.label_counts.len() > catalog.labels().len()
            || counts.rel_type_counts.len() > catalog.rel_types().len()
        {
            return Err(bad("counts name labels or types the catalog lacks".into()));
        }
        let node_chunks = counts.next_node_id.div_ceil(NODE_CHUNK) as usize;
        let rel_chunks = counts.next_rel_id.div_ceil(REL_CHUNK) as usize;
        let empty_node = Arc::new(NodeChunk::default());
        let empty_rel = Arc::new(RelChunk::default());
        let mut nodes = vec![empty_node; node_chunks];
        let mut rels = vec![empty_rel; rel_chunks];
        for seg in segments {
            install_segment(seg, &mut nodes, &mut rels)?;
        }
        let mut label_counts = counts.label_counts;
        label_counts.resize(catalog.labels().len(), 0);
        let mut rel_type_counts = counts.rel_type_counts;
        rel_type_counts.resize(catalog.rel_types().len(), 0);
        let catalog = Arc::new(catalog);
        let inner = Inner {
            version: counts.version,
            catalog: catalog.clone(),
            next_node: counts.next_node_id,
            next_rel: counts.next_rel_id,
            node_count: counts.node_count,
            rel_count: counts.rel_count,
            label_counts,
            rel_type_counts,
            nodes,
            rels,
            indexes: OnceLock::new(),
            lazy_indexes: OnceLock::new(),
            rank: OnceLock::new(),
            stats: OnceLock::new(),
            role_views: Default::default(),
            damage,
        };
        Ok(Snapshot::from_inner(inner))
    }
}

/// Puts every chunk `seg` holds, read in place, into its slot.
fn install_segment(
    seg: &segment::OpenSegment,
    nodes: &mut [Arc<NodeChunk>],
    rels: &mut [Arc<RelChunk>],
) -> Result<()> {
    install(
        nodes,
        &seg.footer.nodes,
        |i, d| seg.node_chunk(i, d),
        "node",
        &seg.name,
    )?;
    install(
        rels,
        &seg.footer.rels,
        |i, d| seg.rel_chunk(i, d),
        "relationship",
        &seg.name,
    )
}

/// Builds the chunks a segment's directories describe (in parallel) and
/// puts each in its slot; a chunk index beyond the slots is a damaged
/// segment.
fn install<D: Sync, C: Send>(
    slots: &mut [Arc<C>],
    dirs: &[(u64, D)],
    build: impl Fn(u64, &D) -> Result<C> + Sync,
    what: &str,
    segment: &str,
) -> Result<()> {
    let built: Vec<(u64, C)> = dirs
        .par_iter()
        .map(|(i, d)| build(*i, d).map(|c| (*i, c)))
        .collect::<Result<_>>()?;
    for (i, c) in built {
        let slot = slots
            .get_mut(i as usize)
            .ok_or_else(|| GraphError::CorruptSegment {
                file: segment.to_string(),
                reason: format!("holds {what} chunk {i} beyond the id bound"),
            })?;
        *slot = Arc::new(c);
    }
    Ok(())
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("version", &self.inner.version)
            .field("nodes", &self.inner.node_count)
            .field("rels", &self.inner.rel_count)
            .finish()
    }
}

/// A property as a comparison with a string needs it
/// ([`Snapshot::node_str_property`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropStr<'a> {
    /// No value (or one the role may not see).
    Absent,
    /// A string, borrowed where it lies.
    Str(&'a str),
    /// A value that is not a string stored as one: another type, or a
    /// string a mixed-type column keeps encoded; read it with
    /// [`Snapshot::node_property`].
    Other,
}

/// Whether a property is a given string, as its stored form tells
/// ([`NodeProbe::equals_str`]): an equality scan compares a text
/// column's bytes with the constant's, without checking them as UTF-8,
/// and a dictionary column's entry with the constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrEq {
    /// No value (or one the role may not see).
    Absent,
    /// A value that is, or is not, the string.
    Equal(bool),
    /// The stored form does not tell (not a segment's text or dictionary
    /// column, or a string that holds the replacement character): read
    /// the value with [`NodeProbe::str_property`].
    Unknown,
}

impl<'a> PropStr<'a> {
    /// A property read the long way, as a `PropStr`: only a string
    /// borrowed from the snapshot counts as one.
    pub(crate) fn of(v: Option<Cow<'a, Value>>) -> PropStr<'a> {
        match v {
            None => PropStr::Absent,
            Some(Cow::Borrowed(Value::String(s))) => PropStr::Str(s),
            Some(_) => PropStr::Other,
        }
    }
}
