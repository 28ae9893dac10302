//! The graph an algorithm runs on: a compact CSR projection of the
//! snapshot's nodes with some labels and relationships of some types.
//!
//! Nodes are numbered `0..n` in ascending node id order (`u32`, so an
//! adjacency entry is 4 bytes instead of the snapshot's 16-byte `Adj`).
//! The projection is a simple graph: relationships between the same two
//! nodes in the same direction (after orientation) are one edge, whose
//! weight is the sum (for ranking) or the minimum (for paths) of theirs,
//! and neighbour lists are sorted. Built in parallel over blocks of nodes
//! straight from the snapshot's per-type adjacency lists.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use relgraph_graph::{Direction, LabelId, NodeId, RelId, RelTypeId, Snapshot, Value};

use crate::error::{ExecError, Result};
use crate::exec::Hold;
use crate::options::Guard;

/// Which way relationships are followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Orientation {
    /// From start node to end node.
    Natural,
    /// From end node to start node.
    Reverse,
    /// Both ways.
    Undirected,
}

impl Orientation {
    fn dirs(self) -> &'static [Direction] {
        match self {
            Orientation::Natural => &[Direction::Outgoing],
            Orientation::Reverse => &[Direction::Incoming],
            Orientation::Undirected => &[Direction::Outgoing, Direction::Incoming],
        }
    }
}

/// How the weights of parallel relationships combine into one edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Combine {
    /// Add them (rankings: two relationships count twice).
    Sum,
    /// Keep the lightest (paths), and its relationship.
    Min,
}

/// Compressed sparse rows: the neighbours of node `i` are
/// `targets[offsets[i]..offsets[i + 1]]`, ascending.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    pub offsets: Vec<usize>,
    pub targets: Vec<u32>,
    /// Per edge, when the projection is weighted.
    pub weights: Option<Vec<f64>>,
    /// Per edge, a relationship it stands for (paths need them).
    pub rels: Option<Vec<RelId>>,
}

impl Csr {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The edge index range of node `i`.
    #[inline]
    pub fn range(&self, i: u32) -> std::ops::Range<usize> {
        self.offsets[i as usize]..self.offsets[i as usize + 1]
    }

    /// The neighbours of node `i`, ascending.
    #[inline]
    pub fn neighbors(&self, i: u32) -> &[u32] {
        &self.targets[self.range(i)]
    }

    /// The weight of edge `e` (1 when unweighted).
    #[inline]
    pub fn weight(&self, e: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[e])
    }

    /// The same edges, each reversed (incoming lists, each ascending),
    /// weights kept.
    ///
    /// In parallel over a few ranges of sources with about equal numbers
    /// of edges (a counting sort): each range counts its edges per target,
    /// so it knows where in every target's list its own sources go, then
    /// fills them in order. The lists come out the same for any number of
    /// ranges. Ranges: one per thread, fewer when the graph is so sparse
    /// that their counters (a `usize` per node each) would outweigh the
    /// edges.
    pub fn transpose(&self, guard: &Guard) -> Result<Csr> {
        let n = self.len();
        let m = self.targets.len();
        let parts = rayon::current_num_threads().min(m / n.max(1)).clamp(1, 64);
        guard.check_alloc((m * 12 + n * 8 + parts * n * 8) as u64)?;
        // Source ranges with about m / parts edges each.
        let mut cuts = vec![0u32; parts + 1];
        for (p, cut) in cuts.iter_mut().enumerate().skip(1) {
            let edges = m * p / parts;
            *cut = self.offsets[..n].partition_point(|&o| o < edges) as u32;
        }
        cuts[parts] = n as u32;
        // counts[p * n + t]: edges from range p to target t, then where
        // range p's next source goes in t's list. Each range touches only
        // its own counters (relaxed loads and stores: plain moves).
        let counts: Vec<AtomicUsize> = (0..parts * n)
            .into_par_iter()
            .map(|_| AtomicUsize::new(0))
            .collect();
        let bump = |c: &AtomicUsize| {
            let v = c.load(Ordering::Relaxed);
            c.store(v + 1, Ordering::Relaxed);
            v
        };
        (0..parts).into_par_iter().try_for_each(|p| -> Result<()> {
            let mine = &counts[p * n..(p + 1) * n];
            let (lo, hi) = (
                self.offsets[cuts[p] as usize],
                self.offsets[cuts[p + 1] as usize],
            );
            for (k, &t) in self.targets[lo..hi].iter().enumerate() {
                if k % (1 << 16) == 0 {
                    guard.check()?;
                }
                bump(&mine[t as usize]);
            }
            Ok(())
        })?;
        let degree: Vec<usize> = (0..n)
            .into_par_iter()
            .map(|t| {
                (0..parts)
                    .map(|p| counts[p * n + t].load(Ordering::Relaxed))
                    .sum()
            })
            .collect();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0usize);
        let mut sum = 0;
        for d in &degree {
            sum += d;
            offsets.push(sum);
        }
        drop(degree);
        (0..n).into_par_iter().for_each(|t| {
            let mut at = offsets[t];
            for p in 0..parts {
                let c = &counts[p * n + t];
                let k = c.load(Ordering::Relaxed);
                c.store(at, Ordering::Relaxed);
                at += k;
            }
        });
        let targets: Vec<AtomicU32> = (0..m).into_par_iter().map(|_| AtomicU32::new(0)).collect();
        let weights: Option<Vec<AtomicU64>> = self
            .weights
            .as_ref()
            .map(|_| (0..m).into_par_iter().map(|_| AtomicU64::new(0)).collect());
        (0..parts).into_par_iter().try_for_each(|p| -> Result<()> {
            let mine = &counts[p * n..(p + 1) * n];
            for i in cuts[p]..cuts[p + 1] {
                if i % 4096 == 0 {
                    guard.check()?;
                }
                for e in self.range(i) {
                    let at = bump(&mine[self.targets[e] as usize]);
                    targets[at].store(i, Ordering::Relaxed);
                    if let (Some(w), Some(src)) = (weights.as_ref(), self.weights.as_ref()) {
                        w[at].store(src[e].to_bits(), Ordering::Relaxed);
                    }
                }
            }
            Ok(())
        })?;
        Ok(Csr {
            offsets,
            targets: targets.into_iter().map(AtomicU32::into_inner).collect(),
            weights: weights.map(|w| {
                w.into_iter()
                    .map(|x| f64::from_bits(x.into_inner()))
                    .collect()
            }),
            rels: None,
        })
    }
}

/// What to project: resolved from a call's `labels`, `types` and config.
pub(crate) struct Spec<'a> {
    pub labels: &'a Value,
    pub types: &'a Value,
    pub orientation: Orientation,
    pub weight: Option<&'a str>,
    pub combine: Combine,
    pub keep_rels: bool,
}

/// A projected graph. Its arrays are held against the query's memory
/// budget while it lives, so what an algorithm builds beside it is checked
/// against the budget together with it.
pub(crate) struct Projection<'g> {
    /// Projected node `i` is `nodes[i]`.
    pub nodes: Vec<NodeId>,
    /// Node id -> projected index (`u32::MAX`: not projected).
    index: Vec<u32>,
    /// Edges in the requested orientation.
    pub out: Csr,
    _held: Hold<'g>,
}

/// Nodes of a block built per parallel task.
const BLOCK: usize = 4096;

fn names(v: &Value) -> Vec<Arc<str>> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::List(l) => l
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn unknown(what: &str, name: &str, known: &[Arc<str>]) -> ExecError {
    let list: Vec<&str> = known.iter().take(20).map(|s| &**s).collect();
    ExecError::argument(
        "InvalidArgumentValue",
        format!(
            "no {what} `{name}` in the graph (known: {})",
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            }
        ),
    )
}

/// The label ids and relationship type ids a call's `labels` and `types`
/// name (no labels: every node; every type when none is named), and the
/// end of the node id space (`next_node_id`, checked to fit a `u32`).
pub(crate) fn resolve(
    snap: &Snapshot,
    labels: &Value,
    types: &Value,
) -> Result<(Vec<LabelId>, Vec<RelTypeId>, usize)> {
    let cat = snap.catalog();
    let mut label_ids: Vec<LabelId> = Vec::new();
    for l in names(labels) {
        label_ids.push(
            cat.label_id(&l)
                .ok_or_else(|| unknown("label", &l, cat.labels().names()))?,
        );
    }
    let mut type_ids: Vec<RelTypeId> = Vec::new();
    for t in names(types) {
        type_ids.push(
            cat.rel_type_id(&t)
                .ok_or_else(|| unknown("relationship type", &t, cat.rel_types().names()))?,
        );
    }
    if type_ids.is_empty() {
        type_ids = (0..cat.rel_types().len() as u32).map(RelTypeId).collect();
    }
    let next = snap.next_node_id().0;
    let span = usize::try_from(next)
        .ok()
        .filter(|n| *n < u32::MAX as usize)
        .ok_or_else(|| {
            ExecError::limit(format!(
                "graph algorithms project at most {} nodes",
                u32::MAX - 1
            ))
        })?;
    Ok((label_ids, type_ids, span))
}

impl<'g> Projection<'g> {
    /// Projects `snap` as `spec` says.
    pub fn build(snap: &Snapshot, spec: &Spec<'_>, guard: &'g Guard) -> Result<Projection<'g>> {
        let cat = snap.catalog();
        let (labels, types, span) = resolve(snap, spec.labels, spec.types)?;
        let weight_key = match spec.weight {
            None => None,
            Some(w) => Some(
                cat.prop_key_id(w)
                    .ok_or_else(|| unknown("property key", w, cat.prop_keys().names()))?,
            ),
        };
        guard.check_alloc(span as u64 * 12)?;
        let mut nodes: Vec<NodeId> = if labels.is_empty() {
            snap.nodes().collect()
        } else {
            let mut v = Vec::new();
            for l in &labels {
                guard.check()?;
                v.extend(snap.nodes_with_label(*l));
            }
            v.sort_unstable();
            v.dedup();
            v
        };
        nodes.shrink_to_fit();
        let mut index = vec![u32::MAX; span];
        for (i, n) in nodes.iter().enumerate() {
            index[n.0 as usize] = i as u32;
        }
        let blocks: Vec<Result<Block>> = nodes
            .par_chunks(BLOCK)
            .map(|chunk| {
                guard.check()?;
                build_block(snap, chunk, &index, &types, spec, weight_key, guard)
            })
            .collect();
        let mut out = Csr {
            offsets: Vec::with_capacity(nodes.len() + 1),
            targets: Vec::new(),
            weights: weight_key.map(|_| Vec::new()),
            rels: spec.keep_rels.then(Vec::new),
        };
        out.offsets.push(0);
        let mut total = 0usize;
        let mut done = Vec::with_capacity(blocks.len());
        for b in blocks {
            let b = b?;
            total += b.targets.len();
            done.push(b);
        }
        let per_edge =
            4 + if weight_key.is_some() { 8 } else { 0 } + if spec.keep_rels { 8 } else { 0 };
        guard.check_alloc((total * per_edge + nodes.len() * 8) as u64)?;
        out.targets.reserve_exact(total);
        for b in done {
            let base = out.targets.len();
            out.offsets.extend(b.ends.iter().map(|e| base + e));
            out.targets.extend(b.targets);
            if let Some(w) = out.weights.as_mut() {
                w.extend(b.weights);
            }
            if let Some(r) = out.rels.as_mut() {
                r.extend(b.rels);
            }
        }
        let mut held = Hold::new(guard);
        held.add(
            (nodes.len() * 8
                + index.len() * 4
                + out.offsets.len() * 8
                + out.targets.len() * 4
                + out.weights.as_ref().map_or(0, |w| w.len() * 8)
                + out.rels.as_ref().map_or(0, |r| r.len() * 8)) as u64,
        )?;
        Ok(Projection {
            nodes,
            index,
            out,
            _held: held,
        })
    }

    /// The projected index of node `n`.
    pub fn index_of(&self, n: NodeId) -> Option<u32> {
        usize::try_from(n.0)
            .ok()
            .and_then(|i| self.index.get(i))
            .copied()
            .filter(|i| *i != u32::MAX)
    }

    /// Number of projected nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The projected nodes, the rest dropped; the list stays held against
    /// the memory budget.
    pub fn into_nodes(self) -> Result<(Vec<NodeId>, Hold<'g>)> {
        let guard = self._held.guard();
        let nodes = self.nodes;
        drop((self.index, self.out, self._held));
        let mut held = Hold::new(guard);
        held.add(nodes.len() as u64 * 8)?;
        Ok((nodes, held))
    }
}

/// The edges of one block of nodes.
#[derive(Default)]
struct Block {
    /// Per node, the end of its edges in `targets`.
    ends: Vec<usize>,
    targets: Vec<u32>,
    weights: Vec<f64>,
    rels: Vec<RelId>,
}

/// The weight of relationship `rel`: its property `key` (named `name`),
/// 1 when it has none.
fn weight(snap: &Snapshot, rel: RelId, key: relgraph_graph::PropKeyId, name: &str) -> Result<f64> {
    match snap.rel_property(rel, key).as_deref() {
        None | Some(Value::Null) => Ok(1.0),
        Some(Value::Int(i)) => Ok(*i as f64),
        Some(Value::Float(f)) => Ok(*f),
        Some(other) => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!(
                "weightProperty `{name}` of relationship {} is {}, not a number",
                rel.0,
                other.type_name()
            ),
        )),
    }
}

fn build_block(
    snap: &Snapshot,
    chunk: &[NodeId],
    index: &[u32],
    types: &[RelTypeId],
    spec: &Spec<'_>,
    weight_key: Option<relgraph_graph::PropKeyId>,
    guard: &Guard,
) -> Result<Block> {
    let mut b = Block::default();
    let mut buf: Vec<(u32, f64, RelId)> = Vec::new();
    let mut work = 0usize;
    let mut lists: Vec<_> = types
        .iter()
        .flat_map(|&t| spec.orientation.dirs().iter().map(move |&d| (t, d)))
        .map(|(t, d)| snap.neighbor_lists(t, d))
        .collect();
    for &n in chunk {
        buf.clear();
        for list in &mut lists {
            for a in list.get(n).iter() {
                let j = index.get(a.node.0 as usize).copied().unwrap_or(u32::MAX);
                if j == u32::MAX {
                    continue;
                }
                let w = match weight_key {
                    None => 1.0,
                    Some(k) => weight(snap, a.rel, k, spec.weight.unwrap_or_default())?,
                };
                buf.push((j, w, a.rel));
            }
        }
        work += buf.len() + 1;
        if work > 1 << 16 {
            work = 0;
            guard.check()?;
        }
        // One list of the snapshot is already in this order (by neighbour,
        // then relationship; indices ascend with node ids).
        if !buf.is_sorted_by(|x, y| (x.0, x.2) <= (y.0, y.2)) {
            buf.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.2.cmp(&y.2)));
        }
        let mut k = 0;
        while k < buf.len() {
            let (j, mut w, mut rel) = buf[k];
            let mut m = k + 1;
            while m < buf.len() && buf[m].0 == j {
                match spec.combine {
                    Combine::Sum => w += buf[m].1,
                    Combine::Min => {
                        if buf[m].1 < w {
                            w = buf[m].1;
                            rel = buf[m].2;
                        }
                    }
                }
                m += 1;
            }
            b.targets.push(j);
            if weight_key.is_some() {
                b.weights.push(w);
            }
            if spec.keep_rels {
                b.rels.push(rel);
            }
            k = m;
        }
        b.ends.push(b.targets.len());
    }
    Ok(b)
}
