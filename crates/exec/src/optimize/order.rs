//! Cost-based ordering of a MATCH pattern's scans and expansions.
//!
//! A [`Model`] describes the pattern for estimation: per node the
//! population it is drawn from and what a scan of it costs, per
//! relationship its types and direction, per conjunct its selectivity and
//! the pattern elements it reads; all from the snapshot's statistics
//! ([`relgraph_graph::snapshot::stats::GraphStats`]). [`Model::best_order`]
//! searches the orders of steps (start a scan at an unbound node; expand a
//! relationship from a bound endpoint, or check it between two bound ones)
//! for the one with the least total cost, where a step costs the adjacency
//! entries or nodes it reads plus the rows it produces. The search is
//! depth first, cheapest next step first, with branch and bound and a memo
//! of the cheapest cost seen per set of planned elements (dynamic
//! programming over the pattern's parts); after [`SEARCH_BUDGET`] states it
//! finishes greedily, so large patterns still plan in linear time.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, PathKind, RelDirection, UnaryOp};
use relgraph_graph::snapshot::stats::{GraphStats, PropStats};
use relgraph_graph::{Catalog, Direction, LabelId, NodeId, PropKeyId, RelTypeId, Snapshot};

use crate::plan::logical::{Conj, HintKey, PatternGraph};
use crate::plan::CExpr;

/// States the exhaustive part of the search may visit.
pub(crate) const SEARCH_BUDGET: usize = 20_000;
/// Hops a variable-length expansion is assumed to take at most, for
/// estimation only.
const VAR_HOPS: u32 = 3;
/// Cost of reading one node in a scan or one adjacency entry, relative to
/// producing one row (measured at scale 45, 2 threads: a label scan with a
/// property filter reads a node in ~55 ns, an expansion that produces a
/// row and reads a property of it costs ~400 ns per row).
const READ_COST: f64 = 0.1;
/// Selectivity of a predicate nothing is known about.
const DEFAULT_SEL: f64 = 0.5;
/// Selectivity of a string match (`STARTS WITH`, `CONTAINS`, `=~`, ...).
const MATCH_SEL: f64 = 0.05;
/// Selectivity of a range predicate without a histogram.
const RANGE_SEL: f64 = 1.0 / 3.0;
/// Nodes of a label a filter is measured on while planning, at most.
const FILTER_SAMPLE: usize = 256;
/// Consecutive nodes per run of that sample.
const FILTER_RUN: usize = 8;
/// Passing sampled nodes whose adjacency stands for a filtered node's.
const PASSED_PEEK: usize = 16;
/// Neighbours of a pinned node whose degree stands for that of the nodes
/// reached from it, at most (at least [`PASSED_PEEK`]).
const NEAR_DEGREES: usize = 1024;
/// Of those, the ones whose far ends' labels are peeked at, at most.
const NEAR_PEEK: usize = 64;
/// Passing sampled nodes needed before they stand for the node's fan-out.
const PASSED_MIN: usize = 8;
/// Middle nodes a cycle's closure rate is measured through, at most.
const CLOSURE_SAMPLE: usize = 128;
/// Ends per side of a sampled middle node whose pairs are checked.
const CLOSURE_PEEK: usize = 6;

impl Order {
    /// Scales every estimate by `incoming`, the rows expected into the
    /// MATCH (estimates are then of all rows, not per input row).
    pub(crate) fn scale(&mut self, incoming: f64) {
        for r in &mut self.rows {
            *r *= incoming;
        }
        for f in &mut self.filters {
            for (_, r) in f {
                *r *= incoming;
            }
        }
    }
}

/// One step of a chosen order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// Scan node `node` (the start of a part, or an independent scan).
    Scan { node: usize },
    /// Expand relationship `rel`, from its left node when `from_left`.
    Expand { rel: usize, from_left: bool },
}

/// A chosen order with the estimated rows after every step, before the
/// conjuncts it makes applicable (per input row of the MATCH).
#[derive(Clone, Debug, Default)]
pub(crate) struct Order {
    pub steps: Vec<Step>,
    pub rows: Vec<f64>,
    /// Per step, the conjuncts it makes applicable with the rows after each.
    pub filters: Vec<Filters>,
    pub cost: f64,
}

struct NodeM {
    /// Nodes the variable ranges over (its rarest label's count).
    count: f64,
    /// The label whose statistics describe it (`None`: any node).
    label: Option<LabelId>,
    /// Every label it must carry (resolved; an unknown one makes count 0).
    labels: Vec<LabelId>,
    /// Rows a scan yields before conjuncts: `count` times the fractions
    /// of the further labels.
    rows: f64,
    /// The conjuncts an index seek would answer (empty: a label scan).
    seek: Vec<usize>,
    /// Pattern nodes and relationships the seek's value reads: until they
    /// are bound the scan is a label scan, and once they are it runs once
    /// per row instead of once per statement.
    seek_nodes: Vec<usize>,
    seek_rels: Vec<usize>,
    bound: bool,
    /// The one node a constant id or an indexed constant equality pins
    /// the variable to: expansions from it use its real adjacency, not the
    /// label's average.
    pinned: Option<NodeId>,
    /// Sampled nodes that pass the node's sampled conjuncts (empty: none
    /// sampled, or all passed): expansions from it use their adjacency.
    passed: Vec<NodeId>,
}

struct RelM {
    left: usize,
    right: usize,
    types: Vec<RelTypeId>,
    dir: RelDirection,
    length: Option<(u32, u32)>,
    /// Selectivity of the relationship's property map.
    props_sel: f64,
    /// Bound before the MATCH: the expansion only checks it.
    outer: bool,
    plannable: bool,
}

struct ConjM {
    nodes: Vec<usize>,
    rels: Vec<usize>,
    /// Reads something the pattern binds outside the model (a path):
    /// applied at the end, not estimated.
    late: bool,
    sel: f64,
}

/// A step whose source was reached from a pinned node: the relationship,
/// the side it leaves from, and the expansion (relationship, side) that
/// reached the source.
type NearKey = (usize, bool, usize, bool);

/// The estimation model of one pattern.
pub(crate) struct Model {
    snapshot: Snapshot,
    stats: Arc<GraphStats>,
    node_total: f64,
    nodes: Vec<NodeM>,
    rels: Vec<RelM>,
    conjs: Vec<ConjM>,
    /// [`Self::reached_from_pinned`] by (relationship, side, the
    /// expansion that reached the node): the search asks again per state.
    near_memo: std::cell::RefCell<HashMap<NearKey, Option<(f64, f64)>>>,
}

#[derive(Clone)]
struct State {
    node_bound: Vec<bool>,
    rel_done: Vec<bool>,
    conj_done: Vec<bool>,
    /// Rows after the last step, before the conjuncts it made applicable.
    pre: f64,
    /// Rows after the last step and those conjuncts.
    rows: f64,
    /// The conjuncts the last step made applicable, with rows after each.
    applied: Filters,
    /// Per node, the expansion that bound it (relationship, from left).
    via: Vec<Option<(usize, bool)>>,
}

impl State {
    /// Which nodes are bound and relationships done: the memo's key, as
    /// bits of one integer for patterns of up to 128 elements (no
    /// allocation per step considered).
    fn key(&self) -> MemoKey {
        let all = self.node_bound.iter().chain(&self.rel_done);
        if self.node_bound.len() + self.rel_done.len() <= 128 {
            MemoKey::Bits(
                all.enumerate()
                    .fold(0u128, |k, (i, b)| k | (u128::from(*b) << i)),
            )
        } else {
            MemoKey::Long(all.copied().collect())
        }
    }
}

/// A set of planned elements ([`State::key`]).
#[derive(Clone, PartialEq, Eq, Hash)]
enum MemoKey {
    Bits(u128),
    Long(Vec<bool>),
}

impl Model {
    /// Builds the model of pattern `d` with conjuncts `conjs`;
    /// `seek(ni)` names the conjuncts an index seek for node `ni` would
    /// answer and the slots its value reads (`None`: no index applies);
    /// `matched_labels` gives the labels earlier clauses matched node
    /// slots with.
    pub(crate) fn new(
        snapshot: &Snapshot,
        d: &PatternGraph,
        conjs: &[Conj],
        seek: &dyn Fn(usize) -> Option<(Vec<usize>, HashSet<usize>)>,
        matched_labels: &HashMap<usize, Vec<String>>,
    ) -> Model {
        let stats = snapshot.stats();
        let catalog = snapshot.catalog();
        let node_total = snapshot.node_count() as f64;
        let node_of: HashMap<usize, usize> = d
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.slot, i))
            .collect();
        let rel_of: HashMap<usize, usize> = d
            .rels
            .iter()
            .enumerate()
            .map(|(i, r)| (r.slot, i))
            .collect();
        let mut nodes: Vec<NodeM> = d
            .nodes
            .iter()
            .enumerate()
            .map(|(ni, n)| {
                // A node bound earlier and named here without labels is
                // estimated with those it was matched with.
                let names = match matched_labels.get(&n.slot) {
                    Some(known) if n.outer && n.labels.is_empty() => known,
                    _ => &n.labels,
                };
                let resolved: Vec<Option<LabelId>> =
                    names.iter().map(|l| catalog.label_id(l)).collect();
                let labels: Vec<LabelId> = resolved.iter().flatten().copied().collect();
                let rarest = labels
                    .iter()
                    .copied()
                    .min_by_key(|l| snapshot.label_count(*l));
                let count = if resolved.iter().any(Option::is_none) {
                    0.0
                } else {
                    rarest.map_or(node_total, |l| snapshot.label_count(l) as f64)
                };
                let extra: f64 = labels
                    .iter()
                    .filter(|l| Some(**l) != rarest)
                    .map(|l| snapshot.label_count(*l) as f64 / node_total.max(1.0))
                    .product();
                let (seek, needs) = seek(ni).unwrap_or_default();
                NodeM {
                    count,
                    label: rarest,
                    labels,
                    rows: count * extra,
                    seek,
                    seek_nodes: needs
                        .iter()
                        .filter_map(|s| node_of.get(s).copied())
                        .collect(),
                    seek_rels: needs
                        .iter()
                        .filter_map(|s| rel_of.get(s).copied())
                        .collect(),
                    bound: n.outer,
                    pinned: None,
                    passed: Vec::new(),
                }
            })
            .collect();
        let rels: Vec<RelM> = d
            .rels
            .iter()
            .map(|r| {
                let types: Vec<RelTypeId> = if r.types.is_empty() {
                    (0..catalog.rel_types().len() as u32)
                        .map(RelTypeId)
                        .collect()
                } else {
                    r.types
                        .iter()
                        .filter_map(|t| catalog.rel_type_id(t))
                        .collect()
                };
                let props_sel = r
                    .props
                    .iter()
                    .map(|(k, _)| {
                        rel_prop_stats(&stats, catalog, &types, k)
                            .map_or(DEFAULT_SEL, PropStats::eq_fraction_unknown)
                    })
                    .product();
                RelM {
                    left: r.left,
                    right: r.right,
                    types,
                    dir: r.dir,
                    length: r.length,
                    props_sel,
                    outer: r.outer,
                    plannable: d.parts[r.part].kind == PathKind::Plain,
                }
            })
            .collect();
        for (ni, n) in nodes.iter_mut().enumerate() {
            n.pinned = pinned_node(snapshot, d.nodes[ni].slot, &n.labels, conjs);
        }
        let mut model = Model {
            snapshot: snapshot.clone(),
            stats,
            node_total,
            nodes,
            rels,
            conjs: Vec::new(),
            near_memo: Default::default(),
        };
        let outer: HashSet<usize> = d
            .nodes
            .iter()
            .filter(|n| n.outer)
            .map(|n| n.slot)
            .chain(d.rels.iter().filter(|r| r.outer).map(|r| r.slot))
            .collect();
        for c in conjs {
            let mut m = ConjM {
                nodes: Vec::new(),
                rels: Vec::new(),
                late: false,
                sel: 1.0,
            };
            for s in &c.deps {
                if let Some(&ni) = node_of.get(s) {
                    m.nodes.push(ni);
                } else if let Some(&ri) = rel_of.get(s) {
                    m.rels.push(ri);
                } else if !outer.contains(s) && d.parts.iter().any(|p| p.path_slot == Some(*s)) {
                    m.late = true;
                }
            }
            m.sel = model.selectivity(c, catalog, &node_of, &rel_of);
            model.conjs.push(m);
        }
        model.sample_filters(d, conjs);
        model
    }

    /// Measures on a sample of each node's label the conjuncts that read
    /// only that node and that the statistics cannot estimate (string
    /// matches, functions, `OR`, ...): the fraction of [`FILTER_SAMPLE`]
    /// nodes they keep replaces the guess (at least half a node of the
    /// sample, so a filter never looks empty). The nodes that pass them
    /// all stand for the node when it is expanded from.
    fn sample_filters(&mut self, d: &PatternGraph, conjs: &[Conj]) {
        for (ni, dn) in d.nodes.iter().enumerate() {
            if self.nodes[ni].bound || self.nodes[ni].pinned.is_some() {
                continue;
            }
            let local: Vec<usize> = conjs
                .iter()
                .enumerate()
                .filter(|(ci, c)| {
                    c.deps.len() == 1
                        && c.deps.contains(&dn.slot)
                        && !self.conjs[*ci].late
                        && sampled_kind(c)
                })
                .map(|(ci, _)| ci)
                .collect();
            if local.is_empty() {
                continue;
            }
            let sample = self.snapshot.label_sample(
                self.nodes[ni].label,
                FILTER_SAMPLE / FILTER_RUN,
                FILTER_RUN,
            );
            if sample.is_empty() {
                continue;
            }
            let mut keep = vec![true; sample.len()];
            for ci in local {
                let Some(hold) =
                    crate::eval::eval_on_nodes(&conjs[ci].expr, dn.slot, &sample, &self.snapshot)
                else {
                    continue;
                };
                let hits = hold.iter().filter(|h| **h).count() as f64;
                self.conjs[ci].sel = hits.max(0.5) / sample.len() as f64;
                for (k, h) in keep.iter_mut().zip(hold) {
                    *k &= h;
                }
            }
            let passed: Vec<NodeId> = sample
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(n, _)| *n)
                .collect();
            if !passed.is_empty() && passed.len() < sample.len() {
                self.nodes[ni].passed = passed;
            }
        }
    }

    /// The estimated fraction of rows a conjunct keeps.
    fn selectivity(
        &self,
        c: &Conj,
        catalog: &Catalog,
        node_of: &HashMap<usize, usize>,
        rel_of: &HashMap<usize, usize>,
    ) -> f64 {
        let prop_stats = |slot: usize, key: &str| -> PropSel {
            let Some(k) = catalog.prop_key_id(key) else {
                return PropSel::Absent;
            };
            if let Some(&ni) = node_of.get(&slot) {
                let n = &self.nodes[ni];
                return self.node_prop(n.label, k, n.count);
            }
            if let Some(&ri) = rel_of.get(&slot) {
                let types = &self.rels[ri].types;
                return match rel_prop_stats_id(&self.stats, types, k) {
                    Some(ps) => PropSel::Stats(ps.clone()),
                    None => PropSel::Unknown,
                };
            }
            PropSel::Unknown
        };
        // `x.key IN list`: the items' equality fractions added up.
        let in_sel = |a: &CExpr, items: &[relgraph_graph::Value]| match a {
            CExpr::Property(base, key, _) => match &**base {
                CExpr::Slot(s) => match prop_stats(*s, &key.name) {
                    PropSel::Stats(p) => {
                        items.iter().map(|v| p.eq_fraction(v)).sum::<f64>().min(1.0)
                    }
                    PropSel::Rare(f) => (f * items.len() as f64).min(1.0),
                    PropSel::Absent => 0.0,
                    PropSel::Unknown => DEFAULT_SEL,
                },
                _ => DEFAULT_SEL,
            },
            _ => DEFAULT_SEL,
        };
        if let Some((slot, HintKey::IdIn, _, value, _)) = &c.hint {
            // As many nodes as the list names, at most.
            let n = match value {
                CExpr::Const(relgraph_graph::Value::List(xs)) => xs.len() as f64,
                _ => super::lower::ID_LIST_GUESS as f64,
            };
            return match node_of.get(slot) {
                Some(&ni) => (n / self.nodes[ni].count.max(1.0)).min(1.0),
                None => DEFAULT_SEL,
            };
        }
        if let Some((slot, HintKey::Id, _, _, _)) = &c.hint {
            // One node has the id; it carries the labels with this chance.
            return match node_of.get(slot) {
                Some(&ni) => 1.0 / self.nodes[ni].count.max(1.0),
                None => DEFAULT_SEL,
            };
        }
        if let Some((slot, HintKey::Prop(key), op, value, _)) = &c.hint {
            let ps = prop_stats(*slot, key);
            return match op {
                BinaryOp::Eq => match (&ps, value) {
                    (PropSel::Stats(s), CExpr::Const(v)) => s.eq_fraction(v),
                    (PropSel::Stats(s), _) => s.eq_fraction_unknown(),
                    (PropSel::Rare(f), _) => *f,
                    (PropSel::Absent, _) => 0.0,
                    (PropSel::Unknown, _) => 0.1,
                },
                _ => match (&ps, value) {
                    (PropSel::Stats(s), CExpr::Const(v)) => {
                        let (lo, hi) = match op {
                            BinaryOp::Lt => (Bound::Unbounded, Bound::Excluded(v)),
                            BinaryOp::Le => (Bound::Unbounded, Bound::Included(v)),
                            BinaryOp::Gt => (Bound::Excluded(v), Bound::Unbounded),
                            _ => (Bound::Included(v), Bound::Unbounded),
                        };
                        s.range_fraction(lo, hi).unwrap_or(RANGE_SEL * s.present)
                    }
                    (PropSel::Stats(s), _) => RANGE_SEL * s.present,
                    (PropSel::Rare(f), _) => *f,
                    (PropSel::Absent, _) => 0.0,
                    (PropSel::Unknown, _) => RANGE_SEL,
                },
            };
        }
        match &c.expr {
            CExpr::IsNull(inner, negated) => match &**inner {
                CExpr::Property(base, key, _) => match &**base {
                    CExpr::Slot(s) => {
                        let present = match prop_stats(*s, &key.name) {
                            PropSel::Stats(p) => p.present,
                            PropSel::Rare(f) => f,
                            PropSel::Absent => 0.0,
                            PropSel::Unknown => 0.5,
                        };
                        if *negated {
                            present
                        } else {
                            1.0 - present
                        }
                    }
                    _ => DEFAULT_SEL,
                },
                _ => DEFAULT_SEL,
            },
            CExpr::Binary(BinaryOp::Ne, a, b, _) => match (&**a, &**b) {
                (CExpr::Property(base, key, _), CExpr::Const(v))
                | (CExpr::Const(v), CExpr::Property(base, key, _)) => match &**base {
                    // Present and not that value (null compares to nothing).
                    CExpr::Slot(s) => match prop_stats(*s, &key.name) {
                        PropSel::Stats(p) => (p.present - p.eq_fraction(v)).max(0.0),
                        PropSel::Rare(f) => f,
                        PropSel::Absent => 0.0,
                        PropSel::Unknown => 0.9,
                    },
                    _ => 0.9,
                },
                _ => 0.9,
            },
            CExpr::Binary(
                BinaryOp::StartsWith
                | BinaryOp::EndsWith
                | BinaryOp::Contains
                | BinaryOp::RegexMatch,
                ..,
            ) => MATCH_SEL,
            CExpr::InSet(a, crate::plan::InList::Const(set), _) => in_sel(a, set.items()),
            CExpr::Binary(BinaryOp::In, a, b, _) => match &**b {
                CExpr::Const(relgraph_graph::Value::List(items)) => in_sel(a, items),
                _ => DEFAULT_SEL,
            },
            CExpr::Binary(BinaryOp::Eq, a, b, _) => {
                let side = |e: &CExpr| match e {
                    CExpr::Property(base, key, _) => match &**base {
                        CExpr::Slot(s) => match prop_stats(*s, &key.name) {
                            PropSel::Stats(p) => Some(p.eq_fraction_unknown()),
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                };
                // The same node: one of the larger side's nodes.
                if let (CExpr::Slot(x), CExpr::Slot(y)) = (&**a, &**b) {
                    if let (Some(&i), Some(&j)) = (node_of.get(x), node_of.get(y)) {
                        return 1.0 / self.nodes[i].count.max(self.nodes[j].count).max(1.0);
                    }
                }
                match (side(a), side(b)) {
                    (Some(x), Some(y)) => x.min(y),
                    (Some(x), None) | (None, Some(x)) => x,
                    (None, None) => 0.1,
                }
            }
            CExpr::Binary(BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge, ..) => {
                RANGE_SEL
            }
            CExpr::HasLabels(base, labels, _) => match &**base {
                // A node bound before the MATCH is checked again for the
                // labels it was written with; assume it was bound with them.
                CExpr::Slot(s) if node_of.get(s).is_some_and(|&ni| self.nodes[ni].bound) => 1.0,
                CExpr::Slot(s) if node_of.contains_key(s) => labels
                    .iter()
                    .map(|l| match l.resolve(catalog) {
                        Some(l) => self.label_fraction(l),
                        None => 0.0,
                    })
                    .product(),
                _ => DEFAULT_SEL,
            },
            // Boolean combinations of predicates taken as independent.
            CExpr::Binary(op @ (BinaryOp::Or | BinaryOp::And), a, b, _) => {
                let part = |e: &CExpr| {
                    let sub = Conj {
                        expr: e.clone(),
                        deps: HashSet::new(),
                        hint: None,
                    };
                    self.selectivity(&sub, catalog, node_of, rel_of)
                };
                let (x, y) = (part(a), part(b));
                if *op == BinaryOp::Or {
                    x + y - x * y
                } else {
                    x * y
                }
            }
            CExpr::Unary(UnaryOp::Not, inner, _) => match &**inner {
                // A pattern predicate's chance is not known either way.
                CExpr::Exists(_) => DEFAULT_SEL,
                e => {
                    let sub = Conj {
                        expr: e.clone(),
                        deps: HashSet::new(),
                        hint: None,
                    };
                    1.0 - self.selectivity(&sub, catalog, node_of, rel_of)
                }
            },
            _ => DEFAULT_SEL,
        }
    }

    fn label_fraction(&self, l: LabelId) -> f64 {
        let count = self.stats.label(Some(l)).map_or(0, |s| s.count) as f64;
        (count / self.node_total.max(1.0)).min(1.0)
    }

    /// What is known of property `k` over nodes of `label` (`count` of them).
    fn node_prop(&self, label: Option<LabelId>, k: PropKeyId, count: f64) -> PropSel {
        match self.stats.node_prop(label, k) {
            Some(ps) => PropSel::Stats(ps.clone()),
            None => match self.stats.label(label) {
                // Sampled, and no sampled node had the key: rare at most.
                Some(s) if s.sampled > 0 => {
                    if s.sampled >= s.count {
                        PropSel::Absent
                    } else {
                        PropSel::Rare(1.0 / count.max(1.0))
                    }
                }
                _ => PropSel::Unknown,
            },
        }
    }

    /// Adjacency entries per node of `label` for relationship `r` read
    /// from its `from_left` end, and the fraction of them whose other end
    /// carries the other node's labels.
    ///
    /// `via` is the expansion that bound the node; `done` (per
    /// relationship, when given) which are planned: the others done at
    /// the node weighted the rows by its degree there.
    fn fan_out(
        &self,
        ri: usize,
        from_left: bool,
        via: Option<(usize, bool)>,
        done: &[bool],
    ) -> (f64, f64) {
        let r = &self.rels[ri];
        let (from, to) = if from_left {
            (&self.nodes[r.left], &self.nodes[r.right])
        } else {
            (&self.nodes[r.right], &self.nodes[r.left])
        };
        let dirs = rel_dirs(r.dir, from_left);
        // The later hops of a variable-length expansion leave from other
        // nodes than the one it starts at.
        let later_hop = via.is_some_and(|(v, _)| v == ri);
        if let (Some(n), false) = (from.pinned, later_hop) {
            return self.pinned_fan_out(n, &r.types, dirs, to);
        }
        let near = via.map(|(vr, vl)| {
            let key = (ri, from_left, vr, vl);
            if let Some(known) = self.near_memo.borrow().get(&key) {
                return *known;
            }
            let fo = self.reached_from_pinned(ri, via, dirs, to, from);
            self.near_memo.borrow_mut().insert(key, fo);
            fo
        });
        if let Some(Some(fo)) = near {
            return fo;
        }
        if from.passed.len() >= PASSED_MIN && !later_hop {
            // The nodes a filter keeps may have other degrees than their
            // label's average: average those of the sampled ones it kept.
            let step = from.passed.len().div_ceil(PASSED_PEEK).max(1);
            let (mut deg, mut hits, mut k) = (0.0, 0.0, 0.0);
            for &n in from.passed.iter().step_by(step) {
                let (d, f) = self.pinned_fan_out(n, &r.types, dirs, to);
                deg += d;
                hits += d * f;
                k += 1.0;
            }
            let frac = if deg > 0.0 { hits / deg } else { 0.0 };
            return (deg / k, frac);
        }
        // How the node was reached, seen from it: the expansion that bound
        // it, reversed.
        let mut reached: Vec<(RelTypeId, Direction)> = match via {
            Some((vr, vl)) if !self.rels[vr].outer => {
                let v = &self.rels[vr];
                rel_dirs(v.dir, vl)
                    .iter()
                    .flat_map(|d| v.types.iter().map(move |t| (*t, d.reverse())))
                    .collect()
            }
            _ => Vec::new(),
        };
        // Expansions from the node multiplied its rows by its degree
        // there, just as the one that reached it did.
        let node = if from_left { r.left } else { r.right };
        for (j, x) in self.rels.iter().enumerate() {
            let other = j != ri
                && done.get(j).copied().unwrap_or(false)
                && !x.outer
                && x.length.is_none()
                && x.left != x.right
                && (x.left == node || x.right == node)
                && via.is_none_or(|(v, _)| v != j);
            if other {
                for d in rel_dirs(x.dir, x.left == node) {
                    reached.extend(x.types.iter().map(|t| (*t, *d)));
                }
            }
        }
        let (mut deg, mut hits) = (0.0, 0.0);
        for &t in &r.types {
            for &dir in dirs {
                let Some(e) = self.stats.expand(from.label, t, dir) else {
                    continue;
                };
                let avg = self.reached_avg(from.label, e, &reached);
                deg += avg;
                let frac = match to.label {
                    None => 1.0,
                    Some(l) => e
                        .targets
                        .iter()
                        .find(|(tl, _)| *tl == l)
                        .map_or(0.0, |(_, f)| *f),
                };
                hits += avg * frac;
            }
        }
        // Every further label of the target filters independently.
        let extra: f64 = to
            .labels
            .iter()
            .filter(|l| Some(**l) != to.label)
            .map(|l| self.label_fraction(*l))
            .product();
        let frac = if deg > 0.0 { hits / deg * extra } else { 0.0 };
        (deg, frac)
    }

    /// The fan-out of relationship `ri` from a node reached (`via`) from a
    /// pinned node, measured on that node's real neighbours that carry
    /// `from`'s labels (a country's cities have people, not the posts
    /// located in countries): the degree on up to [`NEAR_DEGREES`] of them,
    /// more for a hub, whose rows an error multiplies most (reading a
    /// degree is two offsets); the labels at the far end on up to
    /// [`NEAR_PEEK`]. At scale 450, 16 of a vendor's 134,977 customers put
    /// their tickets at 25.9 each against 17.6, and the plan scanned every
    /// company instead.
    fn reached_from_pinned(
        &self,
        ri: usize,
        via: Option<(usize, bool)>,
        dirs: &[Direction],
        to: &NodeM,
        from: &NodeM,
    ) -> Option<(f64, f64)> {
        let (vr, vl) = via?;
        let v = &self.rels[vr];
        if vr == ri || v.outer || v.length.is_some() {
            return None;
        }
        let pinned = self.nodes[if vl { v.left } else { v.right }].pinned?;
        let lists: Vec<_> = v
            .types
            .iter()
            .flat_map(|&t| rel_dirs(v.dir, vl).iter().map(move |&d| (t, d)))
            .map(|(t, d)| self.snapshot.adjacency(pinned, t, d))
            .collect();
        let total: usize = lists.iter().map(|l| l.len()).sum();
        let want = (total / 16).clamp(PASSED_PEEK, NEAR_DEGREES);
        let mut near: Vec<NodeId> = Vec::new();
        for adj in &lists {
            let step = adj.len().div_ceil(2 * want).max(1);
            near.extend(adj.iter().step_by(step).map(|a| a.node));
        }
        near.retain(|n| from.labels.iter().all(|l| self.snapshot.has_label(*n, *l)));
        if near.is_empty() {
            return None;
        }
        let near: Vec<NodeId> = near
            .iter()
            .step_by(near.len().div_ceil(want).max(1))
            .copied()
            .collect();
        let r = &self.rels[ri];
        let mut deg = 0.0;
        for &n in &near {
            for &t in &r.types {
                for &d in dirs {
                    deg += self.snapshot.adjacency(n, t, d).len() as f64;
                }
            }
        }
        // The labels at the far end, on fewer of them, a few peeks each.
        let peek = (8 * NEAR_PEEK / near.len().min(NEAR_PEEK)).max(4);
        let (mut seen, mut hits) = (0.0, 0.0);
        for &n in near.iter().step_by(near.len().div_ceil(NEAR_PEEK).max(1)) {
            let (d, f) = self.fan_out_peeking(n, &r.types, dirs, to, peek);
            seen += d;
            hits += d * f;
        }
        let frac = if seen > 0.0 { hits / seen } else { 0.0 };
        Some((deg / near.len() as f64, frac))
    }

    /// The average degree `e` of a node of `label` reached through one of
    /// `reached` (its own view of those relationships): weighted by how
    /// often each is the way in; the label's average when nothing is known.
    fn reached_avg(
        &self,
        label: Option<LabelId>,
        e: &relgraph_graph::snapshot::stats::ExpandStats,
        reached: &[(RelTypeId, Direction)],
    ) -> f64 {
        let (mut sum, mut weight) = (0.0, 0.0);
        for &(t, d) in reached {
            let Some(w) = self.stats.expand(label, t, d).map(|x| x.avg) else {
                continue;
            };
            let Some(&(_, _, v)) = e.via.iter().find(|(vt, vd, _)| *vt == t && *vd == d) else {
                continue;
            };
            sum += v * w;
            weight += w;
        }
        if weight > 0.0 {
            sum / weight
        } else {
            e.avg
        }
    }

    /// Fan-out of one known node: its real adjacency, and the fraction of
    /// a bounded sample of its neighbours that carry `to`'s labels.
    fn pinned_fan_out(
        &self,
        n: NodeId,
        types: &[RelTypeId],
        dirs: &[Direction],
        to: &NodeM,
    ) -> (f64, f64) {
        self.fan_out_peeking(n, types, dirs, to, 64)
    }

    /// [`Self::pinned_fan_out`], its label fraction from up to `peek`
    /// neighbours.
    fn fan_out_peeking(
        &self,
        n: NodeId,
        types: &[RelTypeId],
        dirs: &[Direction],
        to: &NodeM,
        peek: usize,
    ) -> (f64, f64) {
        let (mut deg, mut peeked, mut hits) = (0usize, 0usize, 0usize);
        for &t in types {
            for &dir in dirs {
                let adj = self.snapshot.adjacency(n, t, dir);
                deg += adj.len();
                let step = adj.len().div_ceil(peek).max(1);
                for a in adj.iter().step_by(step) {
                    peeked += 1;
                    if to
                        .labels
                        .iter()
                        .all(|l| self.snapshot.has_label(a.node, *l))
                    {
                        hits += 1;
                    }
                }
            }
        }
        let frac = if peeked == 0 {
            0.0
        } else {
            hits as f64 / peeked as f64
        };
        (deg as f64, frac)
    }

    /// A node bound in `s` that single-hop relationships done in `s`
    /// join to both ends of relationship `ri`: (relationship at its left
    /// node, the middle node, relationship at its right node).
    fn middle(&self, s: &State, ri: usize) -> Option<(usize, usize, usize)> {
        let r = &self.rels[ri];
        let joins = |j: usize, a: usize, b: usize| {
            let x = &self.rels[j];
            j != ri
                && s.rel_done[j]
                && !x.outer
                && x.length.is_none()
                && ((x.left == a && x.right == b) || (x.left == b && x.right == a))
        };
        (0..self.nodes.len())
            .filter(|&m| m != r.left && m != r.right && s.node_bound[m])
            .find_map(|m| {
                let r1 = (0..self.rels.len()).find(|&j| joins(j, r.left, m))?;
                let r2 = (0..self.rels.len()).find(|&j| joins(j, m, r.right))?;
                Some((r1, m, r2))
            })
    }

    /// How many relationships `ri` joins its two ends by, on average, where
    /// they are joined through `(r1, m, r2)`: measured on paths through a
    /// sample of `m`'s nodes (weighted by the paths each stands for), since
    /// the ends of a closed path are not independent (a reply is tagged
    /// like its post; friends of a friend know each other far more often
    /// than strangers). `None` when the sample finds no such path.
    ///
    /// Measured once per shape (the types, directions and labels of the
    /// three relationships and nodes) and kept with the statistics.
    fn closure(&self, ri: usize, key: (usize, usize, usize)) -> Option<f64> {
        let (r1, m, r2) = key;
        let rel = |j: usize| {
            let x = &self.rels[j];
            (&x.types, x.dir, x.left, x.right)
        };
        let labels = |n: usize| &self.nodes[n].labels;
        let (left, right) = (self.rels[ri].left, self.rels[ri].right);
        let shape = format!(
            "closure {:?} {:?} {:?} {:?}",
            [rel(ri), rel(r1), rel(r2)].map(|(t, d, a, b)| {
                // Ends as roles (left end, middle, right end), not slots.
                let role = |n: usize| {
                    if n == left {
                        0
                    } else if n == m {
                        1
                    } else if n == right {
                        2
                    } else {
                        3
                    }
                };
                (t.clone(), d, role(a), role(b))
            }),
            labels(left),
            labels(m),
            labels(right)
        );
        self.stats
            .measured
            .get_or_measure(&shape, || self.sample_closure(ri, key))
    }

    fn sample_closure(&self, ri: usize, (r1, m, r2): (usize, usize, usize)) -> Option<f64> {
        let r = &self.rels[ri];
        let mids = self.snapshot.label_sample(
            self.nodes[m].label,
            CLOSURE_SAMPLE / FILTER_RUN,
            FILTER_RUN,
        );
        let (mut paths, mut closed) = (0.0, 0.0);
        for mid in mids {
            let (a, a_all) = self.ends_of(mid, r1, r.left);
            let (b, b_all) = self.ends_of(mid, r2, r.right);
            if a.is_empty() || b.is_empty() {
                continue;
            }
            let mut hits = 0usize;
            for &u in &a {
                for &v in &b {
                    hits += self.rels_between(u, v, ri);
                }
            }
            // The pairs looked at stand for all of this node's paths.
            let all = a_all * b_all;
            paths += all;
            closed += hits as f64 * all / (a.len() * b.len()) as f64;
        }
        (paths > 0.0).then(|| closed / paths)
    }

    /// Up to [`CLOSURE_PEEK`] neighbours of `mid` through relationship
    /// `rj` that carry the labels of pattern node `end`, and how many of
    /// its neighbours that way are estimated to carry them.
    fn ends_of(&self, mid: NodeId, rj: usize, end: usize) -> (Vec<NodeId>, f64) {
        let x = &self.rels[rj];
        let labels = &self.nodes[end].labels;
        let (mut out, mut len, mut looked) = (Vec::new(), 0usize, 0usize);
        for &t in &x.types {
            for &d in rel_dirs(x.dir, x.right == end) {
                let adj = self.snapshot.adjacency(mid, t, d);
                len += adj.len();
                let step = adj.len().div_ceil(4 * CLOSURE_PEEK).max(1);
                for a in adj.iter().step_by(step) {
                    looked += 1;
                    if labels.iter().all(|l| self.snapshot.has_label(a.node, *l)) {
                        out.push(a.node);
                    }
                }
            }
        }
        let all = if looked == 0 {
            0.0
        } else {
            len as f64 * out.len() as f64 / looked as f64
        };
        let step = out.len().div_ceil(CLOSURE_PEEK).max(1);
        let kept = out.into_iter().step_by(step).collect();
        (kept, all)
    }

    /// Relationships `ri` from `u` (at its left node) to `v`.
    fn rels_between(&self, u: NodeId, v: NodeId, ri: usize) -> usize {
        let r = &self.rels[ri];
        let mut n = 0;
        for &t in &r.types {
            for &d in rel_dirs(r.dir, true) {
                let adj = self.snapshot.adjacency(u, t, d);
                let from = adj.partition_point(|a| a.node < v);
                n += adj
                    .slice(from..adj.len())
                    .iter()
                    .take_while(|a| a.node == v)
                    .count();
            }
        }
        n
    }

    /// The state before any step.
    fn start(&self) -> State {
        let mut s = State {
            node_bound: self.nodes.iter().map(|n| n.bound).collect(),
            via: vec![None; self.nodes.len()],
            rel_done: self.rels.iter().map(|r| !r.plannable).collect(),
            conj_done: vec![false; self.conjs.len()],
            pre: 1.0,
            rows: 1.0,
            applied: Vec::new(),
        };
        self.apply_conjs(&mut s);
        s
    }

    /// Applies the conjuncts whose elements are now all bound.
    fn apply_conjs(&self, s: &mut State) {
        s.applied.clear();
        for (ci, c) in self.conjs.iter().enumerate() {
            if s.conj_done[ci] || c.late {
                continue;
            }
            if c.nodes.iter().all(|&n| s.node_bound[n]) && c.rels.iter().all(|&r| s.rel_done[r]) {
                s.conj_done[ci] = true;
                s.rows *= c.sel;
                s.applied.push((ci, s.rows));
            }
        }
    }

    /// The steps possible from `s`, each with its cost and next state.
    fn moves(&self, s: &State) -> Vec<(f64, Step, State)> {
        let mut out = Vec::new();
        for (ri, r) in self.rels.iter().enumerate() {
            if s.rel_done[ri] {
                continue;
            }
            let (lb, rb) = (s.node_bound[r.left], s.node_bound[r.right]);
            let sides: &[bool] = match (lb, rb) {
                (false, false) => continue,
                (true, false) => &[true],
                (false, true) => &[false],
                (true, true) => &[true, false],
            };
            for &from_left in sides {
                let (from, to) = if from_left {
                    (r.left, r.right)
                } else {
                    (r.right, r.left)
                };
                let (deg, frac) = self.fan_out(ri, from_left, s.via[from], &s.rel_done);
                // Later hops of a variable-length expansion start at nodes
                // reached through the relationship itself.
                let later = match r.length {
                    Some(_) => self.fan_out(ri, from_left, Some((ri, from_left)), &[]).0,
                    None => deg,
                };
                let mut next = s.clone();
                let read = if r.outer {
                    // The relationship is bound: check its ends.
                    s.rows
                } else if lb && rb {
                    // Expand-into: a binary search in the source's list.
                    let to_count = self.nodes[to].count.max(1.0);
                    let hops = self.hops_sum(ri, deg, later);
                    let per_row = match (self.nodes[to].pinned, r.length) {
                        // Into one known node: the share of the source's
                        // nodes among that node's own neighbours.
                        (Some(v), None) => {
                            let (d, f) = self.pinned_fan_out(
                                v,
                                &r.types,
                                rel_dirs(r.dir, !from_left),
                                &self.nodes[from],
                            );
                            (d * f / self.nodes[from].rows.max(1.0)).min(hops)
                        }
                        // Closing a triangle of the pattern: the sampled
                        // rate at which its two other sides close.
                        _ => match self.middle(s, ri).and_then(|k| self.closure(ri, k)) {
                            Some(rate) => rate.min(hops),
                            None => (hops * frac / to_count).min(hops),
                        },
                    };
                    next.rows = s.rows * per_row * r.props_sel;
                    if r.length.is_some() {
                        s.rows * hops
                    } else {
                        s.rows * (deg.max(1.0).log2() + 1.0)
                    }
                } else {
                    let hops = match r.length {
                        None => deg,
                        Some(_) => self.hops_sum(ri, deg, later),
                    };
                    next.rows = s.rows * hops * frac * r.props_sel;
                    s.rows * hops
                };
                let cost = READ_COST * read;
                next.rel_done[ri] = true;
                next.node_bound[to] = true;
                next.via[to] = Some((ri, from_left));
                next.pre = next.rows;
                self.apply_conjs(&mut next);
                // Every row the expansion produces is written and filtered.
                out.push((cost + next.pre, Step::Expand { rel: ri, from_left }, next));
            }
        }
        for (ni, n) in self.nodes.iter().enumerate() {
            if s.node_bound[ni] {
                continue;
            }
            let seekable = !n.seek.is_empty()
                && n.seek_nodes.iter().all(|&m| s.node_bound[m])
                && n.seek_rels.iter().all(|&r| s.rel_done[r]);
            let seek_sel = if seekable {
                n.seek.iter().map(|&c| self.conjs[c].sel).product::<f64>()
            } else {
                1.0
            };
            let read = n.count * seek_sel;
            let mut next = s.clone();
            next.node_bound[ni] = true;
            next.rows = s.rows * n.rows * seek_sel;
            next.pre = next.rows;
            if seekable {
                // The seek has applied these already.
                for &c in &n.seek {
                    next.conj_done[c] = true;
                }
            }
            self.apply_conjs(&mut next);
            // A scan that reads nothing from the row is built once and
            // joined; otherwise it runs once per row. Reading a node
            // includes filtering it, so only the rows kept count in full.
            let scan = READ_COST
                * if seekable && !(n.seek_nodes.is_empty() && n.seek_rels.is_empty()) {
                    s.rows * read
                } else {
                    read
                };
            out.push((scan + next.rows, Step::Scan { node: ni }, next));
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }

    /// Entries a variable-length expansion reads per start node: `deg`
    /// at the first hop, `later` at each further one (the fan-out of a
    /// node reached through the relationship; at most [`VAR_HOPS`] hops
    /// counted).
    fn hops_sum(&self, ri: usize, deg: f64, later: f64) -> f64 {
        let (min, max) = self.rels[ri].length.unwrap_or((1, 1));
        let (lo, hi) = (min.max(1), max.min(VAR_HOPS).max(min.max(1)));
        let mut sum = if min == 0 { 1.0 } else { 0.0 };
        for k in lo..=hi.min(lo + VAR_HOPS) {
            sum += deg * later.powi(k as i32 - 1);
        }
        sum
    }

    /// The cheapest order found (see the module documentation).
    pub(crate) fn best_order(&self) -> Order {
        let start = self.start();
        let mut search = Search {
            model: self,
            memo: Default::default(),
            budget: SEARCH_BUDGET,
            best: None,
            path: Vec::new(),
        };
        search.dfs(&start, 0.0);
        search.best.unwrap_or_default()
    }
}

/// Whether a conjunct is measured on a sample: one the statistics answer
/// (an index hint, a null check, a label test) is not, nor one whose
/// evaluation could be costly or reads what planning cannot know.
fn sampled_kind(c: &Conj) -> bool {
    fn cheap(e: &CExpr) -> bool {
        match e {
            CExpr::Const(_) | CExpr::Slot(_) => true,
            CExpr::Property(b, _, _) | CExpr::Unary(_, b, _) | CExpr::IsNull(b, _) => cheap(b),
            CExpr::HasLabels(b, _, _) => cheap(b),
            CExpr::Index(a, b, _) | CExpr::Binary(_, a, b, _) => cheap(a) && cheap(b),
            CExpr::Slice(a, b, c, _) => {
                cheap(a) && b.as_deref().is_none_or(cheap) && c.as_deref().is_none_or(cheap)
            }
            CExpr::Call(_, args, _) | CExpr::List(args) => args.iter().all(cheap),
            _ => false,
        }
    }
    // A property compared with a constant by `<>`: the statistics know.
    let known = match &c.expr {
        CExpr::Binary(BinaryOp::Ne, a, b, _) => matches!(
            (&**a, &**b),
            (CExpr::Property(..), CExpr::Const(_)) | (CExpr::Const(_), CExpr::Property(..))
        ),
        CExpr::HasLabels(..) | CExpr::IsNull(..) => true,
        _ => false,
    };
    c.hint.is_none() && !known && cheap(&c.expr)
}

/// The directions of relationship `dir` expanded from its left end
/// (`from_left`) or its right one, as the storage reads them.
fn rel_dirs(dir: RelDirection, from_left: bool) -> &'static [Direction] {
    match (dir, from_left) {
        (RelDirection::Both, _) => &[Direction::Outgoing, Direction::Incoming],
        (RelDirection::Right, true) | (RelDirection::Left, false) => &[Direction::Outgoing],
        _ => &[Direction::Incoming],
    }
}

/// What is known of one property for selectivity.
enum PropSel {
    Stats(PropStats),
    /// Never seen in a partial sample: at most this fraction.
    Rare(f64),
    /// Never seen in a sample of every entity.
    Absent,
    Unknown,
}

fn rel_prop_stats<'a>(
    stats: &'a GraphStats,
    catalog: &Catalog,
    types: &[RelTypeId],
    key: &str,
) -> Option<&'a PropStats> {
    rel_prop_stats_id(stats, types, catalog.prop_key_id(key)?)
}

fn rel_prop_stats_id<'a>(
    stats: &'a GraphStats,
    types: &[RelTypeId],
    key: PropKeyId,
) -> Option<&'a PropStats> {
    types.iter().find_map(|t| stats.rel_prop(*t, key))
}

struct Search<'a> {
    model: &'a Model,
    memo: rustc_hash::FxHashMap<MemoKey, f64>,
    budget: usize,
    best: Option<Order>,
    /// The steps so far: step, rows before and after its conjuncts.
    path: Vec<(Step, f64, Filters)>,
}

/// Conjuncts a step makes applicable, with the rows after each.
type Filters = Vec<(usize, f64)>;

impl Search<'_> {
    fn dfs(&mut self, s: &State, cost: f64) {
        if self.best.as_ref().is_some_and(|b| cost >= b.cost) {
            return;
        }
        let moves = self.model.moves(s);
        if moves.is_empty() {
            self.best = Some(Order {
                steps: self.path.iter().map(|(st, _, _)| *st).collect(),
                rows: self.path.iter().map(|(_, r, _)| *r).collect(),
                filters: self.path.iter().map(|(_, _, f)| f.clone()).collect(),
                cost,
            });
            return;
        }
        for (step_cost, step, next) in moves {
            let total = cost + step_cost;
            let key = next.key();
            if let Some(&seen) = self.memo.get(&key) {
                if seen <= total {
                    continue;
                }
            }
            self.memo.insert(key, total);
            self.path.push((step, next.pre, next.applied.clone()));
            self.dfs(&next, total);
            self.path.pop();
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
        }
    }
}

/// Without an index: the hub among the sampled nodes with the most
/// relationships of one of `labels` (`ExpandStats::heavy`) whose `key` is
/// `v`, if the key looks unique. A query that names one node by a unique
/// value often names a hub (a country, a hierarchy's root), whose degree
/// is far from its label's average; a node that is no hub is estimated
/// by the average.
fn heavy_node(
    snap: &Snapshot,
    labels: &[LabelId],
    k: PropKeyId,
    v: &relgraph_graph::Value,
) -> Option<NodeId> {
    let stats = snap.stats();
    labels.iter().find_map(|&l| {
        let ps = stats.node_prop(Some(l), k)?;
        if ps.distinct < 0.5 * ps.present * snap.label_count(l) as f64 {
            return None;
        }
        stats.label(Some(l))?.expand.iter().find_map(|e| {
            e.heavy.iter().find_map(|&(n, _)| {
                let same = snap.has_label(n, l)
                    && snap.node_property(n, k).is_some_and(|x| x.as_ref() == v);
                same.then_some(n)
            })
        })
    })
}

/// The node a conjunct `id(n) = constant`, or `n.key = constant` over an
/// index of one of `labels`, pins the node at `slot` to, when that is
/// exactly one node.
fn pinned_node(snap: &Snapshot, slot: usize, labels: &[LabelId], conjs: &[Conj]) -> Option<NodeId> {
    let catalog = snap.catalog();
    conjs.iter().find_map(|c| {
        let (s, key, BinaryOp::Eq, CExpr::Const(v), _) = c.hint.as_ref()? else {
            return None;
        };
        if *s != slot {
            return None;
        }
        match key {
            HintKey::Id => {
                let id = NodeId(u64::try_from(v.as_int()?).ok()?);
                snap.node_exists(id).then_some(id)
            }
            HintKey::IdIn => None,
            HintKey::Prop(name) => {
                let k = catalog.prop_key_id(name)?;
                let Some(l) = labels.iter().copied().find(|l| catalog.has_index(*l, k)) else {
                    return heavy_node(snap, labels, k, v);
                };
                // Only keys that look unique are looked up while planning
                // (a common value would copy a long list of nodes).
                let stats = snap.stats();
                let ps = stats.node_prop(Some(l), k)?;
                if ps.distinct < 0.5 * ps.present * snap.label_count(l) as f64 {
                    return None;
                }
                match snap.index_lookup(l, k, v)?.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
        }
    })
}
