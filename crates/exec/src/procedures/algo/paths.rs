//! Weighted shortest paths.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use relgraph_graph::{NodeId, Path, Value};

use super::{project, Ticker};
use crate::error::{ExecError, Result};
use crate::exec::Ctx;
use crate::options::Guard;
use crate::procedures::projection::{Combine, Csr, Projection};
use crate::procedures::Emit;

/// A heap entry ordered by cost, then node (deterministic ties).
#[derive(PartialEq)]
struct Entry(f64, u32);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// Shortest-path tree from `source`: per node its distance (infinite when
/// unreachable) and the edge it was reached by (`usize::MAX`: none).
pub(crate) struct Tree {
    pub dist: Vec<f64>,
    pub via: Vec<usize>,
    pub from: Vec<u32>,
}

/// Dijkstra from `source` over non-negative weights; stops once `target`
/// is settled.
pub(crate) fn dijkstra(g: &Csr, source: u32, target: Option<u32>, guard: &Guard) -> Result<Tree> {
    let n = g.len();
    guard.check_alloc((n * 24) as u64)?;
    let mut t = Ticker::new(guard);
    let mut tree = Tree {
        dist: vec![f64::INFINITY; n],
        via: vec![usize::MAX; n],
        from: vec![u32::MAX; n],
    };
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    tree.dist[source as usize] = 0.0;
    heap.push(Reverse(Entry(0.0, source)));
    while let Some(Reverse(Entry(d, v))) = heap.pop() {
        if done[v as usize] {
            continue;
        }
        done[v as usize] = true;
        if Some(v) == target {
            break;
        }
        for e in g.range(v) {
            t.tick()?;
            let w = g.targets[e] as usize;
            let nd = d + g.weight(e);
            if nd < tree.dist[w] {
                tree.dist[w] = nd;
                tree.via[w] = e;
                tree.from[w] = v;
                heap.push(Reverse(Entry(nd, w as u32)));
            }
        }
    }
    Ok(tree)
}

/// The node a `sourceNode` / `targetNode` value names.
fn endpoint(proj: &Projection<'_>, key: &str, v: &Value) -> Result<u32> {
    let id = match v {
        Value::Node(n) => *n,
        Value::Int(i) if *i >= 0 => NodeId(*i as u64),
        other => {
            return Err(ExecError::argument(
                "InvalidArgumentValue",
                format!("configuration key `{key}` must be a node or a node id, got {other:?}"),
            ))
        }
    };
    proj.index_of(id).ok_or_else(|| {
        ExecError::argument(
            "InvalidArgumentValue",
            format!("{key} {} is not a node of the projected graph", id.0),
        )
    })
}

/// The path from the tree's source to `to`.
fn path_to(proj: &Projection<'_>, tree: &Tree, to: u32) -> Path {
    let rels = proj.out.rels.as_deref().unwrap_or_default();
    let mut nodes = vec![proj.nodes[to as usize]];
    let mut path_rels = Vec::new();
    let mut v = to;
    while tree.from[v as usize] != u32::MAX {
        if let Some(r) = rels.get(tree.via[v as usize]) {
            path_rels.push(*r);
        }
        v = tree.from[v as usize];
        nodes.push(proj.nodes[v as usize]);
    }
    nodes.reverse();
    path_rels.reverse();
    Path {
        nodes,
        rels: path_rels,
    }
}

/// The body of `algo.dijkstra`.
pub(super) fn run_dijkstra(ctx: &Ctx<'_>, args: &[Value], emit: &mut Emit<'_>) -> Result<()> {
    let c = project(ctx, args, Combine::Min, true, None)?;
    let proj = &c.proj;
    if let Some(w) = &proj.out.weights {
        if let Some(bad) = w
            .iter()
            .find(|x| x.is_nan() || **x < 0.0 || x.is_infinite())
        {
            return Err(ExecError::argument(
                "InvalidArgumentValue",
                format!("algo.dijkstra needs finite non-negative weights, found {bad}"),
            ));
        }
    }
    let Some(src) = &c.config.source else {
        return Err(ExecError::argument(
            "InvalidArgumentValue",
            "algo.dijkstra needs the configuration key `sourceNode`",
        ));
    };
    let source = endpoint(proj, "sourceNode", src)?;
    let target = match &c.config.target {
        Some(t) => Some(endpoint(proj, "targetNode", t)?),
        None => None,
    };
    let tree = dijkstra(&proj.out, source, target, ctx.guard)?;
    let mut ends: Vec<u32> = match target {
        Some(t) => vec![t],
        None => (0..proj.len() as u32).collect(),
    };
    ends.retain(|e| tree.dist[*e as usize].is_finite());
    ends.sort_by(|a, b| {
        tree.dist[*a as usize]
            .total_cmp(&tree.dist[*b as usize])
            .then(a.cmp(b))
    });
    for (i, e) in ends.into_iter().enumerate() {
        let row = vec![
            Value::Int(i as i64),
            Value::Node(proj.nodes[source as usize]),
            Value::Node(proj.nodes[e as usize]),
            Value::Float(tree.dist[e as usize]),
            Value::Path(path_to(proj, &tree, e)),
        ];
        if !emit(row)? {
            break;
        }
    }
    Ok(())
}
