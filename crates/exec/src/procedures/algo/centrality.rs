//! Centralities: PageRank, betweenness, closeness.

use rayon::prelude::*;

use super::Ticker;
use crate::error::Result;
use crate::options::Guard;
use crate::procedures::projection::Csr;

/// Nodes per parallel block. Sums are reduced block by block in order, so
/// results do not depend on the number of threads.
const BLOCK: usize = 4096;

/// Sum of `f(i)` for `i` in `0..n`, in fixed blocks reduced in order.
fn block_sum(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let parts: Vec<f64> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| (b * BLOCK..((b + 1) * BLOCK).min(n)).map(&f).sum())
        .collect();
    parts.into_iter().sum()
}

/// PageRank as `networkx.pagerank` computes it: start from 1/n, each
/// iteration `x' = d * (x P + (dangling mass) / n) + (1 - d) / n` where `P`
/// divides each edge's weight by its source's total out-weight and
/// dangling nodes (no out-weight) spread their rank uniformly; stop when
/// the L1 change is below `n * tolerance` or after `max_iterations`.
pub(crate) fn page_rank(
    out: &Csr,
    damping: f64,
    max_iterations: u32,
    tolerance: f64,
    guard: &Guard,
) -> Result<Vec<f64>> {
    let n = out.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    guard.check_alloc((n * 32) as u64)?;
    let inc = out.transpose(guard)?;
    let out_weight: Vec<f64> = (0..n as u32)
        .into_par_iter()
        .map(|u| out.range(u).map(|e| out.weight(e)).sum())
        .collect();
    let nf = n as f64;
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0; n];
    let mut contrib = vec![0.0; n];
    for _ in 0..max_iterations {
        guard.check()?;
        contrib
            .par_iter_mut()
            .zip(x.par_iter().zip(out_weight.par_iter()))
            .for_each(|(c, (xu, w))| *c = if *w == 0.0 { 0.0 } else { xu / w });
        let dangling = block_sum(n, |u| if out_weight[u] == 0.0 { x[u] } else { 0.0 });
        let base = (1.0 - damping) / nf + damping * dangling / nf;
        next.par_chunks_mut(BLOCK)
            .enumerate()
            .try_for_each(|(b, chunk)| -> Result<()> {
                guard.check()?;
                for (k, slot) in chunk.iter_mut().enumerate() {
                    let v = (b * BLOCK + k) as u32;
                    let r = inc.range(v);
                    let s: f64 = match &inc.weights {
                        None => inc.targets[r].iter().map(|&u| contrib[u as usize]).sum(),
                        Some(w) => inc.targets[r.clone()]
                            .iter()
                            .zip(&w[r])
                            .map(|(&u, w)| contrib[u as usize] * w)
                            .sum(),
                    };
                    *slot = base + damping * s;
                }
                Ok(())
            })?;
        let err = block_sum(n, |i| (next[i] - x[i]).abs());
        std::mem::swap(&mut x, &mut next);
        if err < nf * tolerance {
            break;
        }
    }
    Ok(x)
}

/// A deterministic 64-bit generator (splitmix64) for sampling sources.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `k` distinct node indices out of `n`, chosen by `seed`.
fn sample(n: usize, k: usize, seed: u64) -> Vec<u32> {
    let mut all: Vec<u32> = (0..n as u32).collect();
    let mut state = seed;
    for i in 0..k.min(n) {
        let j = i + (splitmix(&mut state) % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(k.min(n));
    all.sort_unstable();
    all
}

/// Per-thread buffers of one Brandes pass.
struct Brandes {
    dist: Vec<i64>,
    sigma: Vec<f64>,
    delta: Vec<f64>,
    order: Vec<u32>,
}

impl Brandes {
    fn new(n: usize) -> Self {
        Brandes {
            dist: vec![-1; n],
            sigma: vec![0.0; n],
            delta: vec![0.0; n],
            order: Vec::new(),
        }
    }

    /// Adds the dependencies of source `s` to `bc`.
    fn run(&mut self, g: &Csr, s: u32, bc: &mut [f64], t: &mut Ticker<'_>) -> Result<()> {
        self.order.clear();
        self.dist[s as usize] = 0;
        self.sigma[s as usize] = 1.0;
        self.order.push(s);
        let mut head = 0;
        while head < self.order.len() {
            let v = self.order[head];
            head += 1;
            let dv = self.dist[v as usize];
            for &w in g.neighbors(v) {
                t.tick()?;
                let w = w as usize;
                if self.dist[w] < 0 {
                    self.dist[w] = dv + 1;
                    self.order.push(w as u32);
                }
                if self.dist[w] == dv + 1 {
                    self.sigma[w] += self.sigma[v as usize];
                }
            }
        }
        // Dependencies through successors, farthest nodes first.
        for &v in self.order.iter().rev() {
            let v = v as usize;
            let dv = self.dist[v];
            let mut d = 0.0;
            for &w in g.neighbors(v as u32) {
                let w = w as usize;
                if self.dist[w] == dv + 1 {
                    d += self.sigma[v] / self.sigma[w] * (1.0 + self.delta[w]);
                }
            }
            self.delta[v] = d;
            if v != s as usize {
                bc[v] += d;
            }
        }
        for &v in &self.order {
            let v = v as usize;
            self.dist[v] = -1;
            self.sigma[v] = 0.0;
            self.delta[v] = 0.0;
        }
        Ok(())
    }
}

/// Source blocks of betweenness: at most this many partial score vectors.
const SOURCE_BLOCKS: usize = 32;

/// Betweenness centrality by Brandes' algorithm over unweighted shortest
/// paths, unnormalized (halved on an undirected graph, as networkx does
/// with `normalized=False`). With `sampling`, only that many sources chosen
/// by `seed` are used and scores are scaled by `n / k`.
pub(crate) fn betweenness(
    g: &Csr,
    undirected: bool,
    sampling: Option<usize>,
    seed: u64,
    guard: &Guard,
) -> Result<Vec<f64>> {
    let n = g.len();
    let sources: Vec<u32> = match sampling {
        Some(k) if k < n => sample(n, k, seed),
        _ => (0..n as u32).collect(),
    };
    if sources.is_empty() {
        return Ok(vec![0.0; n]);
    }
    let blocks = SOURCE_BLOCKS.min(sources.len());
    let per = sources.len().div_ceil(blocks);
    guard.check_alloc(((blocks + rayon::current_num_threads() * 4) * n * 8) as u64)?;
    let parts: Vec<Vec<f64>> = sources
        .par_chunks(per)
        .map(|chunk| -> Result<Vec<f64>> {
            let mut b = Brandes::new(n);
            let mut bc = vec![0.0; n];
            let mut t = Ticker::new(guard);
            for &s in chunk {
                guard.check()?;
                b.run(g, s, &mut bc, &mut t)?;
            }
            Ok(bc)
        })
        .collect::<Result<_>>()?;
    let mut bc = vec![0.0; n];
    for p in parts {
        for (a, b) in bc.iter_mut().zip(p) {
            *a += b;
        }
    }
    let mut scale = if undirected { 0.5 } else { 1.0 };
    if sources.len() < n {
        scale *= n as f64 / sources.len() as f64;
    }
    if scale != 1.0 {
        bc.iter_mut().for_each(|x| *x *= scale);
    }
    Ok(bc)
}

/// Closeness centrality as `networkx.closeness_centrality` (with
/// `wf_improved`): for node `u`, `(r - 1) / Σ d(v, u)` over the `r` nodes
/// that reach it (itself included), times `(r - 1) / (n - 1)`; 0 when none
/// does. Distances are counted along edges into `u` (BFS over the reverse).
pub(crate) fn closeness(out: &Csr, guard: &Guard) -> Result<Vec<f64>> {
    let n = out.len();
    let inc = out.transpose(guard)?;
    guard.check_alloc((rayon::current_num_threads() * n * 12 + n * 8) as u64)?;
    (0..n as u32)
        .into_par_iter()
        .with_min_len(super::MIN_SPLIT)
        .map_init(
            || (vec![u32::MAX; n], Vec::<u32>::new(), Ticker::new(guard)),
            |(dist, queue, t), u| -> Result<f64> {
                queue.clear();
                dist[u as usize] = 0;
                queue.push(u);
                let mut head = 0;
                let mut total: u64 = 0;
                while head < queue.len() {
                    let v = queue[head];
                    head += 1;
                    let dv = dist[v as usize];
                    total += dv as u64;
                    for &w in inc.neighbors(v) {
                        t.tick()?;
                        if dist[w as usize] == u32::MAX {
                            dist[w as usize] = dv + 1;
                            queue.push(w);
                        }
                    }
                }
                for &v in queue.iter() {
                    dist[v as usize] = u32::MAX;
                }
                let r = queue.len() as f64;
                if total == 0 || n <= 1 {
                    return Ok(0.0);
                }
                Ok((r - 1.0) / total as f64 * ((r - 1.0) / (n as f64 - 1.0)))
            },
        )
        .collect()
}
