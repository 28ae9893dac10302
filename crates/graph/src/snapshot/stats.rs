//! Planner statistics, sampled from a snapshot.
//!
//! Exact counts (nodes per label, relationships per type) are kept by the
//! snapshot itself; these statistics add what the planner needs to
//! estimate selectivities and fan-outs: per (label, property key) the
//! fraction of nodes that have the key, the number of distinct values,
//! the most common values with their frequencies and equi-depth bucket
//! bounds for ranges; per (label, relationship type, direction) the degree
//! distribution and which labels the other ends carry; per relationship
//! type the same property statistics over relationships.
//!
//! They are computed from an evenly spaced sample of at most
//! [`STATS_SAMPLE`] nodes per label (the way a relational `ANALYZE`
//! samples rows), so computing them costs milliseconds at any size, and
//! the distinct count of a column seen only in part is estimated with the
//! Haas-Stokes "Duj1" estimator. A snapshot computes them on first use and
//! a snapshot derived from it by writes inherits them until the graph's
//! counts drift by more than a quarter ([`GraphStats::fresh_for`]).

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use super::index::IndexKey;
use super::Snapshot;
use crate::ids::{Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::Value;

/// Nodes sampled per label (and relationships per type), at most.
pub const STATS_SAMPLE: u64 = 2048;
/// Consecutive nodes per run of the sample.
const SAMPLE_RUN: u64 = 64;
/// Most common values kept per property.
const MCV_MAX: usize = 16;
/// Buckets of the equi-depth histogram per property.
const BUCKETS: usize = 32;
/// Neighbours per sampled node whose labels are looked at (and whose
/// relationships join the type's sample): each is a read at a random
/// place of the image.
const TARGET_PEEK: usize = 2;
/// Relationships sampled per type, at most.
const REL_SAMPLE: u64 = 512;
/// Nodes with the most entries kept per (label, type, direction).
pub const HEAVY: usize = 8;
/// Relationships whose ends are looked at to find hubs, at most.
const HUB_SAMPLE: u64 = 4096;
/// The revision of how statistics are sampled and what they hold:
/// stored statistics of another revision are not installed (a snapshot
/// samples them again on first use, and the next checkpoint stores them).
pub const STATS_REVISION: u32 = 3;
/// Sampled relationships of one (label, type, direction) needed for the
/// labels at their other ends to replace those seen from the node sample.
const TARGET_MIN_RELS: u64 = 32;

/// Statistics of one snapshot; see the module documentation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GraphStats {
    /// The graph's node count when these were computed.
    pub node_count: u64,
    /// The graph's relationship count when these were computed.
    pub rel_count: u64,
    /// Index 0: every node; index `l + 1`: nodes carrying label `l`.
    pub nodes: Vec<NodeStats>,
    /// Index `t`: relationships of type `t`.
    pub rels: Vec<RelTypeStats>,
    /// What the planner measured on the data while planning, kept with
    /// the statistics it goes with (not stored).
    #[serde(skip)]
    pub measured: Measured,
}

/// Estimates the planner measures on the data itself (the rate at which a
/// pattern's cycle closes), by a key of the planner's choosing, so that
/// planning the same shape again reads them instead of sampling. Bounded:
/// past [`Measured::MAX`] entries it starts over.
///
/// ```
/// use relgraph_graph::snapshot::stats::Measured;
/// let m = Measured::default();
/// assert_eq!(m.get_or_measure("k", || Some(0.5)), Some(0.5));
/// assert_eq!(m.get_or_measure("k", || Some(0.9)), Some(0.5)); // kept
/// ```
#[derive(Debug, Default)]
pub struct Measured(std::sync::Mutex<std::collections::HashMap<String, Option<f64>>>);

impl Measured {
    /// Most entries kept.
    pub const MAX: usize = 4096;

    /// The value kept under `key`, or `measure()` kept and returned.
    pub fn get_or_measure(&self, key: &str, measure: impl FnOnce() -> Option<f64>) -> Option<f64> {
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lock().get(key) {
            return *v;
        }
        let v = measure();
        let mut map = lock();
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(key.to_string(), v);
        v
    }
}

impl Clone for Measured {
    /// Starts empty: a copy of the statistics may describe other data.
    fn clone(&self) -> Measured {
        Measured::default()
    }
}

/// Statistics of the nodes of one label (or of every node).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeStats {
    /// `None`: every node.
    pub label: Option<LabelId>,
    /// Nodes carrying the label when computed.
    pub count: u64,
    /// Nodes looked at.
    pub sampled: u64,
    /// One entry per property key seen on a sampled node, by key.
    pub props: Vec<PropStats>,
    /// One entry per (type, direction) with at least one sampled entry.
    pub expand: Vec<ExpandStats>,
}

/// Statistics of the relationships of one type.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelTypeStats {
    /// The type.
    pub rel_type: RelTypeId,
    /// Relationships looked at.
    pub sampled: u64,
    /// One entry per property key seen, by key.
    pub props: Vec<PropStats>,
}

/// Statistics of one property key over the nodes of a label (or the
/// relationships of a type). Fractions are of all nodes (relationships),
/// not only of those that have the key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PropStats {
    /// The key.
    pub key: PropKeyId,
    /// Fraction that has the key.
    pub present: f64,
    /// Estimated number of distinct values (at least 1 when present > 0).
    pub distinct: f64,
    /// Most common values and the fraction of all entities holding each.
    pub mcv: Vec<(Value, f64)>,
    /// Equi-depth bucket bounds over the most frequent orderable type
    /// family, ascending (empty when there is none).
    pub bounds: Vec<Value>,
    /// Fraction of all entities whose value is in that family.
    pub bounded: f64,
}

/// The degrees of one (label, type, direction).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExpandStats {
    /// The relationship type.
    pub rel_type: RelTypeId,
    /// The direction, seen from the label's nodes.
    pub dir: Direction,
    /// Average adjacency entries per node of the label.
    pub avg: f64,
    /// Largest sampled degree.
    pub max: u64,
    /// Sampled degree quantiles: median, 90th and 99th percentile.
    pub quantiles: [u64; 3],
    /// Fraction of entries whose other end carries each label.
    pub targets: Vec<(LabelId, f64)>,
    /// Per (type, direction) that reaches the label's nodes, seen from
    /// them: the average degree here of a node reached that way, i.e.
    /// weighted by its degree in that type and direction (a node with many
    /// relationships is reached often; people reached through `KNOWS` have
    /// more friends than the average person).
    pub via: Vec<(RelTypeId, Direction, f64)>,
    /// The sampled nodes with the most entries, most first (at most
    /// [`HEAVY`]): a node a query names by a unique value is often such a
    /// hub (a country, the root of a hierarchy), and the planner looks it
    /// up here to use its real degree. Ids may be stale after writes; they
    /// only inform estimates.
    pub heavy: Vec<(NodeId, u64)>,
}

impl GraphStats {
    /// Computes statistics of `snap` from a sample (milliseconds at any
    /// size).
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::snapshot::stats::GraphStats;
    /// use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let (p, city) = (c.intern_label("P"), c.intern_prop_key("city"));
    /// let n = |i: u64, v: &str| NodeRecord { id: NodeId(i), labels: vec![p], props: vec![(city, Value::from(v))] };
    /// let nodes = vec![n(0, "Oslo"), n(1, "Oslo"), n(2, "Oslo"), n(3, "Rome")];
    /// let s = Snapshot::from_records(c, 1, NodeId(4), RelId(0), nodes, vec![]).unwrap();
    /// let stats = GraphStats::compute(&s);
    /// let ps = stats.node_prop(Some(p), city).unwrap();
    /// assert_eq!(ps.distinct, 2.0);
    /// assert_eq!(ps.eq_fraction(&Value::from("Oslo")), 0.75);
    /// assert_eq!(ps.eq_fraction(&Value::from("Paris")), 0.0);
    /// ```
    pub fn compute(snap: &Snapshot) -> GraphStats {
        let catalog = snap.catalog();
        let types: Vec<RelTypeId> = (0..catalog.rel_types().len() as u32)
            .map(RelTypeId)
            .collect();
        let mut rel_samples: Vec<Vec<RelId>> = vec![Vec::new(); types.len()];
        let mut nodes = vec![node_stats(snap, None, &types, &mut rel_samples)];
        for l in 0..catalog.labels().len() as u32 {
            nodes.push(node_stats(snap, Some(LabelId(l)), &types, &mut rel_samples));
        }
        add_hubs(snap, &mut nodes);
        let rels = types
            .iter()
            .zip(rel_samples)
            .map(|(&t, sample)| rel_type_stats(snap, t, &sample))
            .collect();
        GraphStats {
            node_count: snap.node_count(),
            rel_count: snap.rel_count(),
            nodes,
            rels,
            measured: Measured::default(),
        }
    }

    /// True if these statistics still describe `snap` well enough: its
    /// node and relationship counts are within a quarter of those seen when
    /// they were computed (fractions and degrees move slowly; the exact
    /// counts are read from the snapshot anyway).
    pub fn fresh_for(&self, snap: &Snapshot) -> bool {
        let near = |a: u64, b: u64| {
            let (a, b) = (a as f64, b as f64);
            (a - b).abs() <= 0.25 * a.max(b) + 16.0
        };
        near(self.node_count, snap.node_count()) && near(self.rel_count, snap.rel_count())
    }

    /// Statistics of the nodes carrying `label` (every node for `None`).
    pub fn label(&self, label: Option<LabelId>) -> Option<&NodeStats> {
        self.nodes.get(label.map_or(0, |l| l.index() + 1))
    }

    /// Statistics of property `key` over the nodes carrying `label`.
    pub fn node_prop(&self, label: Option<LabelId>, key: PropKeyId) -> Option<&PropStats> {
        let props = &self.label(label)?.props;
        props
            .binary_search_by_key(&key, |p| p.key)
            .ok()
            .map(|i| &props[i])
    }

    /// Statistics of property `key` over relationships of type `t`.
    pub fn rel_prop(&self, t: RelTypeId, key: PropKeyId) -> Option<&PropStats> {
        let props = &self.rels.get(t.index())?.props;
        props
            .binary_search_by_key(&key, |p| p.key)
            .ok()
            .map(|i| &props[i])
    }

    /// Degrees of `t` in direction `dir` from nodes carrying `label`.
    pub fn expand(
        &self,
        label: Option<LabelId>,
        t: RelTypeId,
        dir: Direction,
    ) -> Option<&ExpandStats> {
        self.label(label)?
            .expand
            .iter()
            .find(|e| e.rel_type == t && e.dir == dir)
    }
}

impl PropStats {
    /// Estimated fraction of entities whose value equals `v` (Cypher
    /// equality: `1` equals `1.0`; null equals nothing).
    pub fn eq_fraction(&self, v: &Value) -> f64 {
        let Some(k) = IndexKey::from_value(v) else {
            return 0.0;
        };
        for (m, f) in &self.mcv {
            if IndexKey::from_value(m).is_some_and(|mk| mk == k) {
                return *f;
            }
        }
        self.other_fraction()
    }

    /// Estimated fraction equal to a value not known when planning.
    pub fn eq_fraction_unknown(&self) -> f64 {
        if self.distinct <= 0.0 {
            return 0.0;
        }
        self.present / self.distinct
    }

    /// The fraction equal to one given value that is not a common one.
    fn other_fraction(&self) -> f64 {
        let common: f64 = self.mcv.iter().map(|(_, f)| f).sum();
        let rest = (self.present - common).max(0.0);
        let others = self.distinct - self.mcv.len() as f64;
        if others < 1.0 {
            0.0
        } else {
            rest / others
        }
    }

    /// Estimated fraction of entities whose value lies within the bounds
    /// (values of the bounds' type family); `None` when there is no
    /// histogram of that family.
    pub fn range_fraction(&self, lower: Bound<&Value>, upper: Bound<&Value>) -> Option<f64> {
        let keys: Vec<IndexKey> = self
            .bounds
            .iter()
            .filter_map(IndexKey::from_value)
            .collect();
        let family = keys.first()?.family();
        let pos = |b: Bound<&Value>, low: bool| -> Option<f64> {
            match b {
                Bound::Unbounded => Some(if low { 0.0 } else { 1.0 }),
                Bound::Included(v) | Bound::Excluded(v) => {
                    let k = IndexKey::from_value(v)?;
                    (k.family() == family).then(|| position(&keys, &k))
                }
            }
        };
        let (lo, hi) = match (pos(lower, true), pos(upper, false)) {
            (Some(lo), Some(hi)) => (lo, hi),
            // A bound of another family (or null) matches nothing.
            _ => return Some(0.0),
        };
        Some((hi - lo).max(0.0) * self.bounded)
    }
}

/// Where `k` falls among equi-depth bounds, as a fraction in [0, 1]
/// (interpolated within a bucket for numbers).
fn position(keys: &[IndexKey], k: &IndexKey) -> f64 {
    let n = keys.len();
    if n < 2 {
        return 0.5;
    }
    let i = keys.partition_point(|b| b < k);
    if i == 0 {
        return 0.0;
    }
    if i >= n {
        return 1.0;
    }
    let within = match (num(&keys[i - 1]), num(&keys[i]), num(k)) {
        (Some(a), Some(b), Some(x)) if b > a => ((x - a) / (b - a)).clamp(0.0, 1.0),
        _ => 0.5,
    };
    ((i - 1) as f64 + within) / (n - 1) as f64
}

fn num(k: &IndexKey) -> Option<f64> {
    match k {
        IndexKey::Int(i) => Some(*i as f64),
        IndexKey::Float(f) => Some(*f),
        IndexKey::Date(d) => Some(f64::from(*d)),
        IndexKey::LocalDateTime(s, _) | IndexKey::DateTime(s, _) => Some(*s as f64),
        IndexKey::LocalTime(t) | IndexKey::Time(t, _) => Some(*t as f64),
        _ => None,
    }
}

/// Nodes carrying `label` (any node for `None`), at most
/// [`STATS_SAMPLE`]: runs of [`SAMPLE_RUN`] consecutive ones spread evenly
/// over the label, and how many there are in all. Runs rather than single
/// nodes because the base image is memory-mapped: a run reads a few pages
/// of each column and adjacency array of one chunk, where as many nodes
/// spread out would fault in (and read ahead around) a page each; measured
/// at scale 45, the first query's resident memory went from 630 MB to
/// under 100 MB.
fn sample_nodes(snap: &Snapshot, label: Option<LabelId>) -> (Vec<NodeId>, u64) {
    let total = match label {
        Some(l) => snap.label_count(l),
        None => snap.node_count(),
    };
    if total == 0 {
        return (Vec::new(), 0);
    }
    let runs = STATS_SAMPLE / SAMPLE_RUN;
    let stride = (total / runs).max(SAMPLE_RUN);
    let nodes: Box<dyn Iterator<Item = NodeId> + '_> = match label {
        Some(l) => snap.nodes_with_label(l),
        None => snap.nodes(),
    };
    // Runs start in the middle of each stride: the first node of a label
    // is often a special one (a root, the user's own node).
    let offset = stride / 2;
    (
        nodes
            .enumerate()
            .filter(|(i, _)| (*i as u64 + stride - offset % stride) % stride < SAMPLE_RUN)
            .map(|(_, n)| n)
            .take(STATS_SAMPLE as usize)
            .collect(),
        total,
    )
}

fn node_stats(
    snap: &Snapshot,
    label: Option<LabelId>,
    types: &[RelTypeId],
    rel_samples: &mut [Vec<RelId>],
) -> NodeStats {
    let (sample, total) = sample_nodes(snap, label);
    let mut props = PropSampler::default();
    for &n in &sample {
        props.add(snap.node_properties(n));
    }
    let mut expand = Vec::new();
    let mut degrees: Vec<Vec<u64>> = Vec::new();
    for &t in types {
        for dir in [Direction::Outgoing, Direction::Incoming] {
            let collect = if dir == Direction::Outgoing {
                rel_samples.get_mut(t.index())
            } else {
                None
            };
            let (e, d) = expand_stats(snap, &sample, t, dir, collect);
            if let Some(e) = e {
                expand.push(e);
                degrees.push(d);
            }
        }
    }
    // Degrees conditioned on how a node is reached, from the same sample.
    let sums: Vec<f64> = degrees
        .iter()
        .map(|d| d.iter().sum::<u64>() as f64)
        .collect();
    let keys: Vec<(RelTypeId, Direction)> = expand.iter().map(|e| (e.rel_type, e.dir)).collect();
    for (i, e) in expand.iter_mut().enumerate() {
        e.via = keys
            .iter()
            .enumerate()
            .map(|(j, &(t, dir))| {
                let both: u64 = degrees[j].iter().zip(&degrees[i]).map(|(a, b)| a * b).sum();
                (t, dir, both as f64 / sums[j])
            })
            .collect();
    }
    NodeStats {
        label,
        count: total,
        sampled: sample.len() as u64,
        props: props.finish(sample.len() as u64, total),
        expand,
    }
}

/// Degree statistics of `t`/`dir` over the sampled nodes, and each sampled
/// node's degree (in sample order); relationships
/// seen are added to `collect` (up to [`REL_SAMPLE`]) for the type's
/// property statistics.
fn expand_stats(
    snap: &Snapshot,
    sample: &[NodeId],
    t: RelTypeId,
    dir: Direction,
    mut collect: Option<&mut Vec<RelId>>,
) -> (Option<ExpandStats>, Vec<u64>) {
    let mut degrees: Vec<u64> = Vec::with_capacity(sample.len());
    let mut targets: BTreeMap<LabelId, f64> = BTreeMap::new();
    for &n in sample {
        let adj = snap.adjacency(n, t, dir);
        degrees.push(adj.len() as u64);
        // Spread over the list: adjacency is sorted by neighbour, and the
        // first entries are the oldest neighbours, not a fair sample.
        let step = adj.len().div_ceil(TARGET_PEEK).max(1);
        // Each entry looked at stands for its share of this node's list:
        // the fractions are of entries, so a node with a long list (a
        // country with many posts) weighs more than one with two.
        let weight = adj.len() as f64 / adj.len().div_ceil(step).max(1) as f64;
        for a in adj.iter().step_by(step) {
            for &l in snap.node_labels(a.node).iter() {
                *targets.entry(l).or_default() += weight;
            }
            if let Some(c) = collect.as_deref_mut() {
                if (c.len() as u64) < REL_SAMPLE {
                    c.push(a.rel);
                }
            }
        }
    }
    let sum: u64 = degrees.iter().sum();
    if sum == 0 {
        return (None, degrees);
    }
    let per_node = degrees.clone();
    let mut heavy: Vec<(NodeId, u64)> = sample
        .iter()
        .copied()
        .zip(per_node.iter().copied())
        .filter(|(_, d)| *d > 0)
        .collect();
    heavy.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    heavy.truncate(HEAVY);
    degrees.sort_unstable();
    let q = |p: f64| degrees[((degrees.len() - 1) as f64 * p) as usize];
    let e = ExpandStats {
        rel_type: t,
        dir,
        avg: sum as f64 / degrees.len() as f64,
        max: *degrees.last().unwrap_or(&0),
        quantiles: [q(0.5), q(0.9), q(0.99)],
        targets: targets
            .into_iter()
            .map(|(l, c)| (l, c / sum as f64))
            .collect(),
        via: Vec::new(),
        heavy,
    };
    (Some(e), per_node)
}

/// Finds the hubs a node sample misses: the ends of relationships spread
/// evenly over the relationship ids are drawn in proportion to their
/// degree, so a node holding a large share of a type's relationships (the
/// one vendor all customers point at) turns up even in a label of
/// millions. Each end found joins the `heavy` list of its labels for that
/// type and direction, with its exact degree; where the node sample saw no
/// relationship of that type at all, the entry is made from the hubs
/// (their degrees spread over the label, the labels of a few of their
/// neighbours).
fn add_hubs(snap: &Snapshot, nodes: &mut [NodeStats]) {
    let next = snap.next_rel_id().0;
    if next == 0 {
        return;
    }
    let step = (next / HUB_SAMPLE).max(1);
    // (node, type, outgoing) -> times drawn.
    let mut ends: BTreeMap<(NodeId, RelTypeId, bool), u64> = BTreeMap::new();
    let mut far = FarLabels::default();
    for i in (step / 2..next).step_by(step as usize) {
        let Some(r) = snap.rel(RelId(i)) else {
            continue;
        };
        *ends.entry((r.src, r.rel_type, true)).or_default() += 1;
        *ends.entry((r.dst, r.rel_type, false)).or_default() += 1;
        far.add(snap, (r.src, r.dst), r.rel_type);
    }
    for ((n, t, out), hits) in ends {
        let dir = if out {
            Direction::Outgoing
        } else {
            Direction::Incoming
        };
        // Drawn once is chance; a hub is drawn again and again.
        if hits < 2 {
            continue;
        }
        let adj = snap.adjacency(n, t, dir);
        let degree = adj.len() as u64;
        let labels = snap.node_labels(n);
        let slots = std::iter::once(0).chain(labels.iter().map(|l| l.index() + 1));
        for slot in slots {
            let Some(ns) = nodes.get_mut(slot) else {
                continue;
            };
            let e = match ns
                .expand
                .iter()
                .position(|e| e.rel_type == t && e.dir == dir)
            {
                Some(i) => &mut ns.expand[i],
                None => {
                    let mut targets: BTreeMap<LabelId, f64> = BTreeMap::new();
                    let peek = adj.len().div_ceil(8).max(1);
                    let looked = adj.len().div_ceil(peek).max(1) as f64;
                    for a in adj.iter().step_by(peek) {
                        for &l in snap.node_labels(a.node).iter() {
                            *targets.entry(l).or_default() += 1.0 / looked;
                        }
                    }
                    ns.expand.push(ExpandStats {
                        rel_type: t,
                        dir,
                        avg: 0.0,
                        max: 0,
                        quantiles: [0; 3],
                        targets: targets.into_iter().collect(),
                        via: Vec::new(),
                        heavy: Vec::new(),
                    });
                    let last = ns.expand.len() - 1;
                    let e = &mut ns.expand[last];
                    // Unseen by the node sample: what is known is the hubs.
                    e.avg = -1.0;
                    e
                }
            };
            if e.heavy.iter().any(|(h, _)| *h == n) {
                continue;
            }
            e.max = e.max.max(degree);
            e.heavy.push((n, degree));
            e.heavy.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            e.heavy.truncate(HEAVY);
        }
    }
    // Entries made from hubs alone: their degrees spread over the label.
    for (slot, ns) in nodes.iter_mut().enumerate() {
        let count = ns.count.max(1) as f64;
        for e in &mut ns.expand {
            if e.avg < 0.0 {
                e.avg = e.heavy.iter().map(|(_, d)| *d as f64).sum::<f64>() / count;
            }
            if let Some(targets) = far.fractions(slot, e.rel_type, e.dir) {
                e.targets = targets;
            }
        }
    }
}

/// The labels at the far end of the relationships sampled evenly over the
/// ids, per (label slot at the near end, type, direction): a uniform
/// sample of a label's adjacency entries. The node sample looks at
/// [`TARGET_PEEK`] entries of each sampled node, so where a few nodes hold
/// most entries (a tag on thousands of comments and a handful of posts)
/// its fractions follow those few; measured on LDBC SF0.1, a tag's
/// `HAS_TAG` entries were 1% posts by the node sample against 17.6% in
/// the data.
#[derive(Default)]
struct FarLabels {
    /// (near slot, type, outgoing) -> relationships drawn and far labels.
    seen: BTreeMap<(usize, RelTypeId, bool), FarCounts>,
}

/// Relationships drawn, and how many of them had each far label.
type FarCounts = (u64, BTreeMap<LabelId, u64>);

impl FarLabels {
    fn add(&mut self, snap: &Snapshot, (src, dst): (NodeId, NodeId), t: RelTypeId) {
        for (near, far, out) in [(src, dst, true), (dst, src, false)] {
            let far_labels = snap.node_labels(far);
            let near_labels = snap.node_labels(near);
            let slots = std::iter::once(0).chain(near_labels.iter().map(|l| l.index() + 1));
            for slot in slots {
                let (n, counts) = self.seen.entry((slot, t, out)).or_default();
                *n += 1;
                for &l in far_labels.iter() {
                    *counts.entry(l).or_default() += 1;
                }
            }
        }
    }

    /// The far labels' fractions for the label in `slot`, when enough of
    /// its relationships were drawn.
    fn fractions(&self, slot: usize, t: RelTypeId, dir: Direction) -> Option<Vec<(LabelId, f64)>> {
        let (n, counts) = self.seen.get(&(slot, t, dir == Direction::Outgoing))?;
        (*n >= TARGET_MIN_RELS).then(|| {
            counts
                .iter()
                .map(|(l, c)| (*l, *c as f64 / *n as f64))
                .collect()
        })
    }
}

fn rel_type_stats(snap: &Snapshot, t: RelTypeId, sample: &[RelId]) -> RelTypeStats {
    let mut props = PropSampler::default();
    for &r in sample {
        props.add(snap.rel_properties(r));
    }
    let total = snap.rel_type_count(t);
    RelTypeStats {
        rel_type: t,
        sampled: sample.len() as u64,
        props: props.finish(sample.len() as u64, total),
    }
}

/// Value counts per key over a sample.
#[derive(Default)]
struct PropSampler {
    keys: BTreeMap<PropKeyId, KeySample>,
}

#[derive(Default)]
struct KeySample {
    present: u64,
    counts: BTreeMap<IndexKey, (Value, u64)>,
}

impl PropSampler {
    fn add(&mut self, props: Vec<(PropKeyId, Value)>) {
        for (k, v) in props {
            let s = self.keys.entry(k).or_default();
            s.present += 1;
            if let Some(ik) = IndexKey::from_value(&v) {
                s.counts.entry(ik).or_insert((v, 0)).1 += 1;
            }
        }
    }

    fn finish(self, sampled: u64, total: u64) -> Vec<PropStats> {
        self.keys
            .into_iter()
            .map(|(key, s)| s.finish(key, sampled, total))
            .collect()
    }
}

impl KeySample {
    fn finish(self, key: PropKeyId, sampled: u64, total: u64) -> PropStats {
        let sampled_f = sampled.max(1) as f64;
        let present = self.present as f64 / sampled_f;
        let n: u64 = self.counts.values().map(|(_, c)| c).sum();
        let d = self.counts.len() as f64;
        let whole = sampled >= total;
        // Values in the population that have the key (estimated).
        let population = present * total as f64;
        let distinct = if whole || n == 0 {
            d
        } else {
            let f1 = self.counts.values().filter(|(_, c)| *c == 1).count() as f64;
            let n = n as f64;
            let est = n * d / (n - f1 + f1 * n / population.max(n));
            est.clamp(d, population.max(d))
        };
        // Booleans have two values whatever the sample suggests.
        let distinct = if self.counts.keys().all(|k| matches!(k, IndexKey::Bool(_))) {
            distinct.min(2.0)
        } else {
            distinct
        };
        // When every sampled value fits in the list, all of them are common.
        let small = self.counts.len() <= MCV_MAX;
        let mut by_count: Vec<(&IndexKey, &(Value, u64))> = self
            .counts
            .iter()
            .filter(|(_, (_, c))| whole || small || *c > 1)
            .collect();
        by_count.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(b.0)));
        let mcv = by_count
            .into_iter()
            .take(MCV_MAX)
            .map(|(_, (v, c))| (v.clone(), *c as f64 / sampled_f))
            .collect();
        let (bounds, bounded) = histogram(&self.counts);
        PropStats {
            key,
            present,
            distinct,
            mcv,
            bounds,
            bounded: bounded as f64 / sampled_f,
        }
    }
}

/// Equi-depth bucket bounds over the most frequent orderable family of
/// the sampled values, and how many sampled values that family holds.
fn histogram(counts: &BTreeMap<IndexKey, (Value, u64)>) -> (Vec<Value>, u64) {
    let mut per_family: BTreeMap<u8, u64> = BTreeMap::new();
    for (k, (_, c)) in counts {
        if k.orderable() && !matches!(k, IndexKey::Bool(_)) {
            *per_family.entry(k.family()).or_default() += c;
        }
    }
    let Some((&family, &total)) = per_family.iter().max_by_key(|(_, c)| **c) else {
        return (Vec::new(), 0);
    };
    // Keys are ordered, so walking them in order walks the sorted values.
    let mut bounds = Vec::with_capacity(BUCKETS + 1);
    let mut next = 0u64;
    let mut seen = 0u64;
    let mut last: Option<&Value> = None;
    for (_, (v, c)) in counts.iter().filter(|(k, _)| k.family() == family) {
        let end = seen + c;
        while next < end && bounds.len() <= BUCKETS {
            bounds.push(v.clone());
            next = (bounds.len() as u64 * (total - 1)).div_ceil(BUCKETS as u64);
        }
        seen = end;
        last = Some(v);
    }
    if let Some(v) = last {
        if bounds.last() != Some(v) {
            bounds.push(v.clone());
        }
    }
    (bounds, total)
}
