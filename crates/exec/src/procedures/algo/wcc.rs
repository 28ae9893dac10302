//! Weakly connected components straight over the snapshot's adjacency
//! lists, without building a projection.
//!
//! WCC needs neither a simple graph nor sorted lists nor `u32` indices:
//! every relationship only has to join its two ends. So the union-find
//! runs over node ids (`parent[id]`, `u32::MAX` for nodes outside the
//! projection, which is also the membership test), reading the lists of
//! the snapshot in place, in parallel over morsels of nodes, with
//! Afforest's sampling (Sutton, Ben-Nun, Barak, "Optimizing Parallel Graph
//! Connectivity Computation via Subgraph Sampling", IPDPS 2018):
//!
//! 1. link each node to the first two neighbours of each of its outgoing
//!    lists (most nodes of a connected graph join one component here),
//!    then point every node straight at its root (so that the later
//!    passes read a node's component with one sequential load);
//! 2. find the most frequent component `c` in a fixed sample of nodes;
//! 3. for the nodes outside `c` only, link the rest of their outgoing
//!    lists and all of their incoming lists.
//!
//! Step 3 misses no relationship `u -> v`: if `u` is outside `c` its
//! outgoing list covers it, if `v` is outside `c` its incoming list does,
//! and if both are in `c` they are already joined. Roots only ever link to
//! smaller ids, so a component's root is its smallest node id, whatever
//! the order of the links: the result does not depend on the threads.
//!
//! Measured on the demo graph at scale 45 (450,000 persons, 3.8M KNOWS, one
//! component): 15 ms with 1 thread, 9 ms with 2, where projecting into a
//! CSR (38 ms) and a union-find over all its edges (21 ms) took 59 ms with
//! 1 thread (docs/performance.md).

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use relgraph_graph::{Direction, LabelId, NodeId, RelTypeId, Snapshot};

use crate::error::Result;
use crate::options::Guard;

/// Nodes per morsel (one chunk of node ids).
const MORSEL: usize = 4096;

/// Nodes sampled to find the largest component.
const SAMPLE: usize = 1024;

/// Outgoing neighbours per list linked before sampling.
const FIRST: usize = 2;

/// The root of `x`, halving the path on the way (parents only ever point
/// to smaller ids, so the root of a set is its smallest member).
#[inline]
fn find(parent: &[AtomicU32], mut x: u32) -> u32 {
    loop {
        let p = parent[x as usize].load(Ordering::Relaxed);
        if p == x {
            return x;
        }
        let gp = parent[p as usize].load(Ordering::Relaxed);
        if gp != p {
            let _ = parent[x as usize].compare_exchange_weak(
                p,
                gp,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        x = p;
    }
}

/// The root of `x` without writing (for passes that only read).
#[inline]
fn root(parent: &[AtomicU32], mut x: u32) -> u32 {
    loop {
        let p = parent[x as usize].load(Ordering::Relaxed);
        if p == x {
            return x;
        }
        x = p;
    }
}

/// Points every node of `parts` straight at its root, so that later
/// passes read a node's component with one load instead of a walk.
fn compress(parent: &[AtomicU32], parts: &[Vec<NodeId>]) {
    parts.par_iter().for_each(|nodes| {
        for v in nodes {
            let r = root(parent, v.0 as u32);
            parent[v.0 as usize].store(r, Ordering::Relaxed);
        }
    });
}

/// Joins the sets of `a` and `b`: the larger root points to the smaller.
#[inline]
fn union(parent: &[AtomicU32], a: u32, b: u32) {
    let (mut ra, mut rb) = (a, b);
    loop {
        ra = find(parent, ra);
        rb = find(parent, rb);
        if ra == rb {
            return;
        }
        let (hi, lo) = if ra > rb { (ra, rb) } else { (rb, ra) };
        if parent[hi as usize]
            .compare_exchange(hi, lo, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
    }
}

/// Links `u` to every projected node among `adj`.
#[inline]
fn link_all(parent: &[AtomicU32], u: u32, adj: relgraph_graph::AdjSlice<'_>) {
    for a in adj {
        let v = a.node.0 as usize;
        if v < parent.len() && parent[v].load(Ordering::Relaxed) != u32::MAX {
            union(parent, u, v as u32);
        }
    }
}

/// The nodes of the projection (any of `labels`; every node when empty),
/// ascending, in morsels of at most [`MORSEL`] ids.
fn morsels(snap: &Snapshot, labels: &[LabelId], guard: &Guard) -> Result<Vec<Vec<NodeId>>> {
    let (scan, filter) = match labels {
        [] => (None, false),
        [l] => (Some(*l), false),
        _ => (None, true),
    };
    snap.label_morsels(scan, MORSEL)
        .into_par_iter()
        .map(|r| {
            guard.check()?;
            let mut nodes = snap.nodes_in_range(r, scan);
            if filter {
                nodes.retain(|n| labels.iter().any(|l| snap.has_label(*n, *l)));
            }
            Ok(nodes)
        })
        .collect()
}

/// Weakly connected components of the nodes with any of `labels` (all
/// nodes when empty) over the relationships of `types`: the nodes in
/// ascending id order, and for each the smallest node id of its component.
/// `span` is the end of the node id space.
pub(crate) fn wcc(
    snap: &Snapshot,
    labels: &[LabelId],
    types: &[RelTypeId],
    span: usize,
    guard: &Guard,
) -> Result<(Vec<NodeId>, Vec<i64>)> {
    guard.check_alloc(span as u64 * 4)?;
    let parent: Vec<AtomicU32> = (0..span)
        .into_par_iter()
        .map(|_| AtomicU32::new(u32::MAX))
        .collect();
    let parts = morsels(snap, labels, guard)?;
    let n: usize = parts.iter().map(Vec::len).sum();
    guard.check_alloc(n as u64 * 16)?;
    parts.par_iter().for_each(|nodes| {
        for v in nodes {
            parent[v.0 as usize].store(v.0 as u32, Ordering::Relaxed);
        }
    });
    let parent = &parent[..];
    // 1. The first neighbours of each outgoing list.
    parts.par_iter().try_for_each(|nodes| -> Result<()> {
        guard.check()?;
        for &t in types {
            let mut lists = snap.neighbor_lists(t, Direction::Outgoing);
            for u in nodes {
                let adj = lists.get(*u);
                link_all(parent, u.0 as u32, adj.prefix(FIRST));
            }
        }
        Ok(())
    })?;
    compress(parent, &parts);
    // 2. The most frequent root in a fixed sample of nodes.
    let largest = if n == 0 {
        u32::MAX
    } else {
        let step = n.div_ceil(SAMPLE);
        let mut roots: Vec<u32> = parts
            .iter()
            .flatten()
            .step_by(step)
            .map(|v| parent[v.0 as usize].load(Ordering::Relaxed))
            .collect();
        roots.sort_unstable();
        let mut best = (0usize, u32::MAX);
        for run in roots.chunk_by(|a, b| a == b) {
            if run.len() > best.0 {
                best = (run.len(), run[0]);
            }
        }
        best.1
    };
    // 3. The remaining relationships of the nodes outside it.
    parts.par_iter().try_for_each(|nodes| -> Result<()> {
        guard.check()?;
        let mut lists: Vec<_> = types
            .iter()
            .map(|&t| {
                (
                    snap.neighbor_lists(t, Direction::Outgoing),
                    snap.neighbor_lists(t, Direction::Incoming),
                )
            })
            .collect();
        for u in nodes {
            let ui = u.0 as u32;
            // Compressed: a node of the largest component points at its
            // root (a root that later links elsewhere only makes more
            // nodes take the slow path, which adds no wrong link).
            if parent[u.0 as usize].load(Ordering::Relaxed) == largest {
                continue;
            }
            for (outgoing, incoming) in &mut lists {
                let out = outgoing.get(*u);
                link_all(parent, ui, out.slice(out.len().min(FIRST)..out.len()));
                link_all(parent, ui, incoming.get(*u));
            }
        }
        Ok(())
    })?;
    let nodes = parts.concat();
    // Collected straight into place: no per-morsel lists to join.
    let comps: Vec<i64> = nodes
        .par_iter()
        .map(|v| i64::from(root(parent, v.0 as u32)))
        .collect();
    Ok((nodes, comps))
}
