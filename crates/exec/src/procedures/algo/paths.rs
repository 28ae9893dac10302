//! Weighted shortest paths.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

use relgraph_graph::{NodeId, Path, Value};

use super::{project, Call, Ticker};
use crate::error::{ExecError, Result};
use crate::eval::Ctx;
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

/// Which edges a search may use: `allow(edge, to)`.
type Allow<'a> = &'a dyn Fn(usize, u32) -> bool;

/// Dijkstra from `source` over non-negative weights, along the edges
/// `allow` lets through; stops once `target` is settled.
pub(crate) fn dijkstra(
    g: &Csr,
    source: u32,
    target: Option<u32>,
    guard: &Guard,
    allow: Allow<'_>,
) -> Result<Tree> {
    search(g, source, target, guard, allow, &|_| 0.0)
}

/// Dijkstra ordered by distance plus `estimate(node)`, a lower bound of
/// the rest of the way to `target` (A*; with a consistent estimate every
/// node is settled at its true distance, and 0 everywhere is Dijkstra).
fn search(
    g: &Csr,
    source: u32,
    target: Option<u32>,
    guard: &Guard,
    allow: Allow<'_>,
    estimate: &dyn Fn(u32) -> f64,
) -> Result<Tree> {
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
    heap.push(Reverse(Entry(estimate(source), source)));
    while let Some(Reverse(Entry(_, v))) = heap.pop() {
        if done[v as usize] {
            continue;
        }
        let d = tree.dist[v as usize];
        done[v as usize] = true;
        if Some(v) == target {
            break;
        }
        for e in g.range(v) {
            t.tick()?;
            let w = g.targets[e] as usize;
            if !allow(e, w as u32) {
                continue;
            }
            let nd = d + g.weight(e);
            if nd < tree.dist[w] {
                tree.dist[w] = nd;
                tree.via[w] = e;
                tree.from[w] = v;
                heap.push(Reverse(Entry(nd + estimate(w as u32), w as u32)));
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

/// A path in the projection: nodes, the edges between them, total cost.
#[derive(Clone, Debug)]
pub(crate) struct Route {
    pub nodes: Vec<u32>,
    pub edges: Vec<usize>,
    pub cost: f64,
}

impl Route {
    /// The tree's path from its source to `to` (reachable).
    fn from_tree(g: &Csr, tree: &Tree, to: u32) -> Route {
        let (mut nodes, mut edges) = (vec![to], Vec::new());
        let mut v = to;
        while tree.from[v as usize] != u32::MAX {
            edges.push(tree.via[v as usize]);
            v = tree.from[v as usize];
            nodes.push(v);
        }
        nodes.reverse();
        edges.reverse();
        Route::new(g, nodes, edges)
    }

    /// A route whose cost is its edges' weights added in order.
    fn new(g: &Csr, nodes: Vec<u32>, edges: Vec<usize>) -> Route {
        let cost = edges.iter().map(|e| g.weight(*e)).sum();
        Route { nodes, edges, cost }
    }

    /// As a path value of relationships.
    fn path(&self, proj: &Projection<'_>) -> Path {
        let rels = proj.out.rels.as_deref().unwrap_or_default();
        Path {
            nodes: self.nodes.iter().map(|n| proj.nodes[*n as usize]).collect(),
            rels: self
                .edges
                .iter()
                .filter_map(|e| rels.get(*e).copied())
                .collect(),
        }
    }
}

/// A candidate of Yen's algorithm, ordered by cost, then node sequence.
struct Candidate(Route);

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .cost
            .total_cmp(&other.0.cost)
            .then_with(|| self.0.nodes.cmp(&other.0.nodes))
    }
}

/// The `k` cheapest loopless paths from `s` to `t` (Yen's algorithm), in
/// order of cost (ties by node sequence).
pub(crate) fn yen(g: &Csr, s: u32, t: u32, k: usize, guard: &Guard) -> Result<Vec<Route>> {
    let first = dijkstra(g, s, Some(t), guard, &|_, _| true)?;
    if !first.dist[t as usize].is_finite() {
        return Ok(Vec::new());
    }
    let mut found = vec![Route::from_tree(g, &first, t)];
    let mut seen: HashSet<Vec<u32>> = HashSet::from([found[0].nodes.clone()]);
    let mut candidates = BinaryHeap::new();
    let mut banned_node = vec![false; g.len()];
    while found.len() < k {
        let prev = found.last().expect("found starts with one path").clone();
        for i in 0..prev.nodes.len() - 1 {
            guard.check()?;
            let root = &prev.nodes[..=i];
            let banned_edges: HashSet<usize> = found
                .iter()
                .filter(|p| p.nodes.len() > i + 1 && p.nodes[..=i] == *root)
                .map(|p| p.edges[i])
                .collect();
            for &v in &root[..i] {
                banned_node[v as usize] = true;
            }
            let allow = |e: usize, to: u32| !banned_node[to as usize] && !banned_edges.contains(&e);
            let tree = dijkstra(g, root[i], Some(t), guard, &allow)?;
            for &v in &root[..i] {
                banned_node[v as usize] = false;
            }
            if !tree.dist[t as usize].is_finite() {
                continue;
            }
            let spur = Route::from_tree(g, &tree, t);
            let mut nodes = root[..i].to_vec();
            nodes.extend(&spur.nodes);
            if !seen.insert(nodes.clone()) {
                continue;
            }
            let mut edges = prev.edges[..i].to_vec();
            edges.extend(&spur.edges);
            candidates.push(Reverse(Candidate(Route::new(g, nodes, edges))));
        }
        match candidates.pop() {
            Some(Reverse(Candidate(r))) => found.push(r),
            None => break,
        }
    }
    Ok(found)
}

/// The source and target of a path call (the target required or not).
fn endpoints(c: &Call<'_>, name: &str, need_target: bool) -> Result<(u32, Option<u32>)> {
    let Some(src) = &c.config.source else {
        return Err(ExecError::argument(
            "InvalidArgumentValue",
            format!("{name} needs the configuration key `sourceNode`"),
        ));
    };
    let source = endpoint(&c.proj, "sourceNode", src)?;
    let target = match &c.config.target {
        Some(t) => Some(endpoint(&c.proj, "targetNode", t)?),
        None if need_target => {
            return Err(ExecError::argument(
                "InvalidArgumentValue",
                format!("{name} needs the configuration key `targetNode`"),
            ))
        }
        None => None,
    };
    Ok((source, target))
}

/// Projects for a path algorithm: lightest parallel relationship kept,
/// weights checked.
fn project_paths<'g>(ctx: &Ctx<'g>, args: &[Value], name: &str) -> Result<Call<'g>> {
    let c = project(ctx, args, Combine::Min, true, None)?;
    if let Some(w) = &c.proj.out.weights {
        if let Some(bad) = w
            .iter()
            .find(|x| x.is_nan() || **x < 0.0 || x.is_infinite())
        {
            return Err(ExecError::argument(
                "InvalidArgumentValue",
                format!("{name} needs finite non-negative weights, found {bad}"),
            ));
        }
    }
    Ok(c)
}

/// Emits `(index, source, target, cost, path)` rows.
fn emit_routes(
    proj: &Projection<'_>,
    routes: impl Iterator<Item = Route>,
    emit: &mut Emit<'_>,
) -> Result<()> {
    for (i, r) in routes.enumerate() {
        let (Some(first), Some(last)) = (r.nodes.first(), r.nodes.last()) else {
            continue;
        };
        let row = vec![
            Value::Int(i as i64),
            Value::Node(proj.nodes[*first as usize]),
            Value::Node(proj.nodes[*last as usize]),
            Value::Float(r.cost),
            Value::from(r.path(proj)),
        ];
        if !emit(row)? {
            break;
        }
    }
    Ok(())
}

/// The body of `algo.yenKShortest`.
pub(super) fn run_yen(ctx: &Ctx<'_>, args: &[Value], emit: &mut Emit<'_>) -> Result<()> {
    let c = project_paths(ctx, args, "algo.yenKShortest")?;
    let (source, target) = endpoints(&c, "algo.yenKShortest", true)?;
    let target = target.expect("endpoints requires a target here");
    let routes = yen(&c.proj.out, source, target, c.config.k, ctx.guard)?;
    emit_routes(&c.proj, routes.into_iter(), emit)
}

/// The body of `algo.dijkstra`.
pub(super) fn run_dijkstra(ctx: &Ctx<'_>, args: &[Value], emit: &mut Emit<'_>) -> Result<()> {
    let c = project_paths(ctx, args, "algo.dijkstra")?;
    let (source, target) = endpoints(&c, "algo.dijkstra", false)?;
    let g = &c.proj.out;
    let tree = dijkstra(g, source, target, ctx.guard, &|_, _| true)?;
    let mut ends: Vec<u32> = match target {
        Some(t) => vec![t],
        None => (0..c.proj.len() as u32).collect(),
    };
    ends.retain(|e| tree.dist[*e as usize].is_finite());
    ends.sort_by(|a, b| {
        tree.dist[*a as usize]
            .total_cmp(&tree.dist[*b as usize])
            .then(a.cmp(b))
    });
    let routes = ends.into_iter().map(|e| {
        let mut r = Route::from_tree(g, &tree, e);
        // The search's own sum (identical unless weights are mixed sizes).
        r.cost = tree.dist[e as usize];
        r
    });
    emit_routes(&c.proj, routes, emit)
}

/// Great-circle distance in kilometres between two (latitude, longitude)
/// points in degrees (haversine, mean Earth radius 6,371 km).
pub(crate) fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// The body of `algo.astar`.
pub(super) fn run_astar(ctx: &Ctx<'_>, args: &[Value], emit: &mut Emit<'_>) -> Result<()> {
    let c = project_paths(ctx, args, "algo.astar")?;
    let (source, target) = endpoints(&c, "algo.astar", true)?;
    let target = target.expect("endpoints requires a target here");
    let (Some(lat), Some(lon)) = (&c.config.latitude, &c.config.longitude) else {
        return Err(ExecError::argument(
            "InvalidArgumentValue",
            "algo.astar needs the configuration keys `latitudeProperty` and `longitudeProperty`",
        ));
    };
    let snap = ctx.snapshot;
    let (lat, lon) = (
        snap.catalog().prop_key_id(lat),
        snap.catalog().prop_key_id(lon),
    );
    let coords = |i: u32| -> Option<(f64, f64)> {
        let n = c.proj.nodes[i as usize];
        let read = |k: Option<relgraph_graph::PropKeyId>| match snap.node_property(n, k?)?.as_ref()
        {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        };
        Some((read(lat)?, read(lon)?))
    };
    // Without coordinates a node's estimate is 0: still a lower bound.
    let goal = coords(target);
    let estimate = |v: u32| match (goal, coords(v)) {
        (Some(g), Some(p)) => haversine_km(p, g),
        _ => 0.0,
    };
    let g = &c.proj.out;
    let tree = search(g, source, Some(target), ctx.guard, &|_, _| true, &estimate)?;
    if !tree.dist[target as usize].is_finite() {
        return Ok(());
    }
    let mut r = Route::from_tree(g, &tree, target);
    r.cost = tree.dist[target as usize];
    emit_routes(&c.proj, std::iter::once(r), emit)
}

#[cfg(test)]
mod tests {
    use super::haversine_km;

    #[test]
    fn great_circle_distances() {
        // Oslo to London, about 1,150 km; a quarter meridian, 10,008 km.
        let d = haversine_km((59.9139, 10.7522), (51.5072, -0.1276));
        assert!((d - 1153.0).abs() < 5.0, "{d}");
        let q = haversine_km((0.0, 0.0), (90.0, 0.0));
        assert!((q - 10_007.5).abs() < 1.0, "{q}");
        assert_eq!(haversine_km((12.0, 34.0), (12.0, 34.0)), 0.0);
    }
}
