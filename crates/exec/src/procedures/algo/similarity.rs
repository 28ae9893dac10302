//! Node similarity over neighbour sets.

use rayon::prelude::*;

use super::Ticker;
use crate::error::Result;
use crate::options::Guard;
use crate::procedures::projection::Csr;

/// How two neighbour sets compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Metric {
    /// |A ∩ B| / |A ∪ B|.
    Jaccard,
    /// |A ∩ B| / min(|A|, |B|).
    Overlap,
}

impl Metric {
    fn score(self, common: u32, a: usize, b: usize) -> f64 {
        let c = common as f64;
        match self {
            Metric::Jaccard => c / (a + b - common as usize) as f64,
            Metric::Overlap => c / a.min(b) as f64,
        }
    }
}

/// For each node with neighbours, the `top_k` other nodes whose neighbour
/// sets are most similar to its own (at least `cutoff`, and sharing at
/// least one neighbour), as `(node, other, similarity)` ordered by node,
/// then similarity descending, then other. Common neighbours are counted
/// through the incoming lists, so only pairs that share one are visited.
pub(crate) fn node_similarity(
    out: &Csr,
    metric: Metric,
    top_k: usize,
    cutoff: f64,
    guard: &Guard,
) -> Result<Vec<(u32, u32, f64)>> {
    let n = out.len();
    let inc = out.transpose(guard)?;
    guard.check_alloc((rayon::current_num_threads() * n * 8) as u64)?;
    let per: Vec<Vec<(u32, u32, f64)>> = (0..n as u32)
        .into_par_iter()
        .with_min_len(super::MIN_SPLIT)
        .map_init(
            || (vec![0u32; n], Vec::<u32>::new(), Ticker::new(guard)),
            |(count, touched, t), u| -> Result<Vec<(u32, u32, f64)>> {
                let du = out.neighbors(u).len();
                if du == 0 {
                    return Ok(Vec::new());
                }
                for &v in out.neighbors(u) {
                    for &w in inc.neighbors(v) {
                        t.tick()?;
                        if w != u {
                            if count[w as usize] == 0 {
                                touched.push(w);
                            }
                            count[w as usize] += 1;
                        }
                    }
                }
                let mut best: Vec<(u32, u32, f64)> = Vec::with_capacity(touched.len());
                for &w in touched.iter() {
                    let c = std::mem::take(&mut count[w as usize]);
                    let s = metric.score(c, du, out.neighbors(w).len());
                    if s >= cutoff {
                        best.push((u, w, s));
                    }
                }
                touched.clear();
                best.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.1.cmp(&b.1)));
                best.truncate(top_k);
                guard.check_alloc((best.len() * 24) as u64)?;
                Ok(best)
            },
        )
        .collect::<Result<_>>()?;
    Ok(per.into_iter().flatten().collect())
}
