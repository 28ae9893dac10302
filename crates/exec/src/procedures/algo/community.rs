//! Components, communities and cohesion: SCC, label propagation,
//! core numbers, triangles and local clustering.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::Ticker;
use crate::error::Result;
use crate::options::Guard;
use crate::procedures::projection::Csr;

/// The state of an iterative Tarjan search.
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    /// The DFS path: node and the next edge to follow from it.
    calls: Vec<(u32, usize)>,
    next: u32,
}

impl Tarjan {
    const NONE: u32 = u32::MAX;

    /// Enters `v`: numbers it and puts it on both stacks.
    fn visit(&mut self, g: &Csr, v: u32) {
        self.index[v as usize] = self.next;
        self.low[v as usize] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        self.calls.push((v, g.range(v).start));
    }
}

/// Strongly connected components by an iterative Tarjan: for each node,
/// the smallest node index of its component.
pub(crate) fn scc(g: &Csr, guard: &Guard) -> Result<Vec<u32>> {
    let n = g.len();
    guard.check_alloc((n * 24) as u64)?;
    let mut t = Ticker::new(guard);
    let mut st = Tarjan {
        index: vec![Tarjan::NONE; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        next: 0,
    };
    let mut comp = vec![Tarjan::NONE; n];
    for s in 0..n as u32 {
        if st.index[s as usize] != Tarjan::NONE {
            continue;
        }
        st.visit(g, s);
        while let Some(&mut (v, ref mut e)) = st.calls.last_mut() {
            t.tick()?;
            if *e < g.range(v).end {
                let w = g.targets[*e];
                *e += 1;
                if st.index[w as usize] == Tarjan::NONE {
                    st.visit(g, w);
                } else if st.on_stack[w as usize] {
                    st.low[v as usize] = st.low[v as usize].min(st.index[w as usize]);
                }
                continue;
            }
            st.calls.pop();
            if let Some(&(p, _)) = st.calls.last() {
                st.low[p as usize] = st.low[p as usize].min(st.low[v as usize]);
            }
            if st.low[v as usize] == st.index[v as usize] {
                let start = st
                    .stack
                    .iter()
                    .rposition(|&x| x == v)
                    .expect("a Tarjan root is on the stack");
                let members = st.stack.split_off(start);
                let rep = members.iter().copied().min().unwrap_or(v);
                for m in members {
                    st.on_stack[m as usize] = false;
                    comp[m as usize] = rep;
                }
            }
        }
    }
    Ok(comp)
}

/// Maps each label to the smallest node index carrying it.
fn smallest_member(labels: &mut [u32]) {
    let mut first = vec![u32::MAX; labels.len()];
    for (i, l) in labels.iter().enumerate() {
        let f = &mut first[*l as usize];
        if *f == u32::MAX {
            *f = i as u32;
        }
    }
    for l in labels.iter_mut() {
        *l = first[*l as usize];
    }
}

/// A deterministic stand-in for a random number: a mix of `a` and `b`.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Label propagation (Raghavan, Albert and Kumara), asynchronous: in each
/// iteration every node, in a shuffled order, takes the label with the
/// largest total edge weight among its neighbours, ties broken at random;
/// until no label changes or `max_iterations`. The shuffles and tie breaks
/// come from a fixed-seed hash, so results are reproducible (breaking
/// ties by smallest label instead lets the first community flood its
/// neighbours). For each node, the smallest node index of its community.
pub(crate) fn label_propagation(g: &Csr, max_iterations: u32, guard: &Guard) -> Result<Vec<u32>> {
    let n = g.len();
    guard.check_alloc((n * 16) as u64)?;
    let mut labels: Vec<u32> = (0..n as u32).collect();
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut t = Ticker::new(guard);
    let mut votes: Vec<(u32, f64)> = Vec::new();
    for iteration in 0..max_iterations {
        guard.check()?;
        let round = u64::from(iteration);
        order.sort_unstable_by_key(|v| mix(round, u64::from(*v)));
        let mut changed = false;
        for &v in &order {
            votes.clear();
            for e in g.range(v) {
                t.tick()?;
                let u = g.targets[e];
                if u != v {
                    votes.push((labels[u as usize], g.weight(e)));
                }
            }
            if votes.is_empty() {
                continue;
            }
            votes.sort_unstable_by_key(|x| x.0);
            let salt = mix(round, u64::from(v));
            let (mut best, mut best_w, mut best_tie) = (labels[v as usize], f64::NEG_INFINITY, 0);
            let mut k = 0;
            while k < votes.len() {
                let l = votes[k].0;
                let mut w = 0.0;
                while k < votes.len() && votes[k].0 == l {
                    w += votes[k].1;
                    k += 1;
                }
                let tie = mix(salt, u64::from(l));
                if w > best_w || (w == best_w && tie < best_tie) {
                    best = l;
                    best_w = w;
                    best_tie = tie;
                }
            }
            if best != labels[v as usize] {
                labels[v as usize] = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    smallest_member(&mut labels);
    Ok(labels)
}

/// The neighbours of `u` other than itself (the CSR is sorted).
fn others(g: &Csr, u: u32) -> impl Iterator<Item = u32> + '_ {
    g.neighbors(u).iter().copied().filter(move |&v| v != u)
}

/// Core numbers (Batagelj and Zaversnik's bucket algorithm), as
/// `networkx.core_number`, on a symmetric CSR, ignoring self-loops.
pub(crate) fn core_numbers(g: &Csr, guard: &Guard) -> Result<Vec<u32>> {
    let n = g.len();
    guard.check_alloc((n * 16) as u64)?;
    let mut t = Ticker::new(guard);
    let mut deg: Vec<usize> = (0..n as u32).map(|u| others(g, u).count()).collect();
    let maxd = deg.iter().copied().max().unwrap_or(0);
    let mut bin = vec![0usize; maxd + 2];
    for &d in &deg {
        bin[d] += 1;
    }
    let mut start = 0;
    for b in bin.iter_mut() {
        let c = *b;
        *b = start;
        start += c;
    }
    let mut pos = vec![0usize; n];
    let mut vert = vec![0u32; n];
    for v in 0..n {
        pos[v] = bin[deg[v]];
        vert[pos[v]] = v as u32;
        bin[deg[v]] += 1;
    }
    for d in (1..bin.len()).rev() {
        bin[d] = bin[d - 1];
    }
    bin[0] = 0;
    for i in 0..n {
        let v = vert[i];
        for u in others(g, v) {
            t.tick()?;
            let u = u as usize;
            if deg[u] > deg[v as usize] {
                let du = deg[u];
                let pu = pos[u];
                let pw = bin[du];
                let w = vert[pw] as usize;
                if u != w {
                    pos[u] = pw;
                    pos[w] = pu;
                    vert[pu] = w as u32;
                    vert[pw] = u as u32;
                }
                bin[du] += 1;
                deg[u] -= 1;
            }
        }
    }
    Ok(deg.into_iter().map(|d| d as u32).collect())
}

/// Triangles through each node and its local clustering coefficient.
pub(crate) struct Triangles {
    pub triangles: Vec<u64>,
    pub coefficient: Vec<f64>,
}

/// Triangles (as `networkx.triangles`) and local clustering coefficients
/// (as `networkx.clustering`) on a symmetric CSR, ignoring self-loops.
///
/// Each triangle is found once, from its lowest-ranked corner (rank: degree,
/// then index), by intersecting the corners' lists of higher-ranked
/// neighbours, and counted at all three corners. Orienting by degree keeps
/// those lists short even around hubs: intersecting whole neighbour lists
/// for every edge took 6x longer on the scale-1 demo graph.
pub(crate) fn triangles(g: &Csr, guard: &Guard) -> Result<Triangles> {
    let n = g.len();
    guard.check_alloc((n * 24 + g.targets.len() * 4) as u64)?;
    let degree: Vec<usize> = (0..n as u32).map(|u| others(g, u).count()).collect();
    let above = |u: u32, v: u32| (degree[v as usize], v) > (degree[u as usize], u);
    // Higher-ranked neighbours, in index order (a sublist of the sorted list).
    let mut up = Csr {
        offsets: Vec::with_capacity(n + 1),
        ..Csr::default()
    };
    up.offsets.push(0);
    for u in 0..n as u32 {
        up.targets
            .extend(g.neighbors(u).iter().filter(|&&v| above(u, v)));
        up.offsets.push(up.targets.len());
    }
    let counts: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    (0..n as u32)
        .into_par_iter()
        .with_min_len(super::MIN_SPLIT)
        .map_init(
            || Ticker::new(guard),
            |t, u| -> Result<()> {
                let nu = up.neighbors(u);
                for &v in nu {
                    t.tick()?;
                    let nv = up.neighbors(v);
                    let (mut i, mut j) = (0, 0);
                    while i < nu.len() && j < nv.len() {
                        match nu[i].cmp(&nv[j]) {
                            std::cmp::Ordering::Less => i += 1,
                            std::cmp::Ordering::Greater => j += 1,
                            std::cmp::Ordering::Equal => {
                                for x in [u, v, nu[i]] {
                                    counts[x as usize].fetch_add(1, Ordering::Relaxed);
                                }
                                i += 1;
                                j += 1;
                            }
                        }
                    }
                }
                Ok(())
            },
        )
        .collect::<Result<()>>()?;
    let triangles: Vec<u64> = counts.into_iter().map(AtomicU64::into_inner).collect();
    let coefficient = triangles
        .iter()
        .zip(&degree)
        .map(|(&t, &d)| {
            if d < 2 {
                0.0
            } else {
                2.0 * t as f64 / (d as f64 * (d as f64 - 1.0))
            }
        })
        .collect();
    Ok(Triangles {
        triangles,
        coefficient,
    })
}
