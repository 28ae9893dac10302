//! The bidirectional search against a brute-force enumeration of simple
//! paths on random small graphs, plus shapes with known answers.

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relgraph_graph::record::{NodeRecord, RelRecord};
use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};

use super::shortest;
use crate::error::{ErrorKind, ExecError};
use crate::options::QueryOptions;
use crate::plan::{CExpr, Dir, NameRef, Row, ShortestPath};

const TYPES: [&str; 3] = ["A", "B", "C"];

/// A small graph as plain records: the input of both the snapshot and the
/// brute-force oracle.
struct Graph {
    nodes: u64,
    /// `(type index, src, dst, w)`; the relationship id is the position.
    rels: Vec<(usize, u64, u64, Option<i64>)>,
}

impl Graph {
    fn snapshot(&self) -> Snapshot {
        let mut c = Catalog::default();
        let types: Vec<_> = TYPES.iter().map(|t| c.intern_rel_type(t)).collect();
        let w = c.intern_prop_key("w");
        let nodes = (0..self.nodes)
            .map(|i| NodeRecord {
                id: NodeId(i),
                labels: vec![],
                props: vec![],
            })
            .collect();
        let rels = self
            .rels
            .iter()
            .enumerate()
            .map(|(i, (t, s, d, wv))| RelRecord {
                id: RelId(i as u64),
                rel_type: types[*t],
                src: NodeId(*s),
                dst: NodeId(*d),
                props: wv.map(|v| vec![(w, Value::Int(v))]).unwrap_or_default(),
            })
            .collect();
        Snapshot::from_records(
            c,
            1,
            NodeId(self.nodes),
            RelId(self.rels.len() as u64),
            nodes,
            rels,
        )
        .expect("test graph is valid")
    }
}

/// What the pattern asks for, in the oracle's terms.
#[derive(Clone, Debug)]
struct Query {
    /// Type names; empty means any type. May name a type the graph lacks.
    types: Vec<&'static str>,
    dir: Dir,
    min: u32,
    max: u32,
    all: bool,
    /// `{w: value}`; `Some(Value::Null)` is `{w: null}`.
    w: Option<Value>,
    /// `{missing: 1}`, a key no relationship has.
    unknown_key: bool,
    /// Read `w`'s value from the input row (which holds it in slot 4)
    /// rather than from a constant.
    w_from_row: bool,
}

type PathKey = (Vec<u64>, Vec<u64>);

/// Every shortest path by enumerating all simple paths (a shortest path
/// between distinct nodes never repeats a node) directly over the records.
fn brute(g: &Graph, from: u64, to: u64, q: &Query) -> BTreeSet<PathKey> {
    let mut found = BTreeSet::new();
    if from == to {
        if q.min == 0 {
            found.insert((vec![from], vec![]));
        }
        return found;
    }
    let rel_ok = |(t, _, _, w): &(usize, u64, u64, Option<i64>)| {
        (q.types.is_empty() || q.types.contains(&TYPES[*t]))
            && !q.unknown_key
            && match &q.w {
                None => true,
                Some(Value::Int(want)) => *w == Some(*want),
                Some(_) => false,
            }
    };
    let mut all: Vec<PathKey> = Vec::new();
    let mut stack: Vec<PathKey> = vec![(vec![from], vec![])];
    while let Some((nodes, rels)) = stack.pop() {
        let u = nodes[nodes.len() - 1];
        if u == to {
            all.push((nodes, rels));
            continue;
        }
        if rels.len() as u32 >= q.max {
            continue;
        }
        for (i, r) in g.rels.iter().enumerate() {
            if !rel_ok(r) {
                continue;
            }
            let (_, s, d, _) = *r;
            let mut next = Vec::new();
            if matches!(q.dir, Dir::Out | Dir::Both) && s == u {
                next.push(d);
            }
            if matches!(q.dir, Dir::In | Dir::Both) && d == u {
                next.push(s);
            }
            for v in next {
                if nodes.contains(&v) {
                    continue;
                }
                let mut n2 = nodes.clone();
                n2.push(v);
                let mut r2 = rels.clone();
                r2.push(i as u64);
                stack.push((n2, r2));
            }
        }
    }
    let Some(len) = all.iter().map(|p| p.1.len()).min() else {
        return found;
    };
    if (len as u32) < q.min {
        return found;
    }
    found.extend(all.into_iter().filter(|p| p.1.len() == len));
    found
}

/// Runs the operator for one pair and returns the paths it produced, after
/// checking the row layout (input slots kept, rel list equal to the path's).
fn run(
    snap: &Snapshot,
    from: Value,
    to: Value,
    q: &Query,
    options: &QueryOptions,
) -> Result<Vec<PathKey>, ExecError> {
    let catalog = snap.catalog();
    let mut rel_props = Vec::new();
    if let Some(w) = &q.w {
        let value = if q.w_from_row {
            CExpr::Slot(4)
        } else {
            CExpr::Const(w.clone())
        };
        rel_props.push((NameRef::key("w", catalog), value));
    }
    if q.unknown_key {
        rel_props.push((
            NameRef::key("missing", catalog),
            CExpr::Const(Value::Int(1)),
        ));
    }
    let s = ShortestPath {
        from: 0,
        to: 1,
        path_slot: 2,
        rel_slot: Some(3),
        types: q
            .types
            .iter()
            .map(|t| NameRef::rel_type(t, catalog))
            .collect(),
        dir: q.dir,
        min: q.min,
        max: q.max,
        all: q.all,
        rel_props,
    };
    let extra = match (&q.w, q.w_from_row) {
        (Some(w), true) => w.clone(),
        _ => Value::Int(7),
    };
    let row: Row = vec![from, to, Value::Null, Value::Null, extra.clone()];
    let owned = crate::exec::TestCtx::new(options);
    let ctx = owned.ctx(snap);
    let mut out = Vec::new();
    shortest(&s, &row, &ctx, &mut out)?;
    Ok(out
        .into_iter()
        .map(|r| {
            assert_eq!(r[0], row[0]);
            assert_eq!(r[1], row[1]);
            assert_eq!(r[4], extra);
            let Value::Path(p) = &r[2] else {
                panic!("path slot holds {:?}", r[2]);
            };
            let listed: Vec<Value> = p.rels.iter().map(|x| Value::Relationship(*x)).collect();
            assert_eq!(r[3], Value::List(listed));
            assert_eq!(p.nodes.len(), p.rels.len() + 1);
            (
                p.nodes.iter().map(|n| n.0).collect(),
                p.rels.iter().map(|x| x.0).collect(),
            )
        })
        .collect())
}

fn paths(g: &Graph, from: u64, to: u64, q: &Query) -> Vec<PathKey> {
    run(
        &g.snapshot(),
        Value::Node(NodeId(from)),
        Value::Node(NodeId(to)),
        q,
        &QueryOptions::default(),
    )
    .expect("search runs")
}

fn random_graph(rng: &mut StdRng) -> Graph {
    let nodes = rng.random_range(2..=8u64);
    let count = rng.random_range(0..=16usize);
    let rels = (0..count)
        .map(|_| {
            let s = rng.random_range(0..nodes);
            // Some self-loops and parallel relationships on purpose.
            let d = if rng.random_bool(0.1) {
                s
            } else {
                rng.random_range(0..nodes)
            };
            let w = match rng.random_range(0..3) {
                0 => None,
                x => Some(x as i64),
            };
            (rng.random_range(0..TYPES.len()), s, d, w)
        })
        .collect();
    Graph { nodes, rels }
}

fn random_query(rng: &mut StdRng) -> Query {
    let types = match rng.random_range(0..5) {
        0 | 1 => vec![],
        2 => vec!["A"],
        3 => vec!["A", "C"],
        _ => vec!["B", "Z"],
    };
    let dir = [Dir::Out, Dir::In, Dir::Both][rng.random_range(0..3)];
    let w = match rng.random_range(0..8) {
        0 => Some(Value::Int(1)),
        1 => Some(Value::Null),
        _ => None,
    };
    Query {
        types,
        dir,
        min: [0, 1, 1, 1, 2, 3][rng.random_range(0..6)],
        max: rng.random_range(1..=6),
        all: rng.random_bool(0.6),
        w,
        unknown_key: rng.random_range(0..20) == 0,
        w_from_row: rng.random_bool(0.5),
    }
}

#[test]
fn matches_brute_force_on_random_graphs() {
    let mut rng = StdRng::seed_from_u64(0x5e_a7c4);
    let mut nonempty = 0;
    let mut multi = 0;
    for _ in 0..300 {
        let g = random_graph(&mut rng);
        let snap = g.snapshot();
        for from in 0..g.nodes {
            for to in 0..g.nodes {
                let q = random_query(&mut rng);
                let want = brute(&g, from, to, &q);
                let got = run(
                    &snap,
                    Value::Node(NodeId(from)),
                    Value::Node(NodeId(to)),
                    &q,
                    &QueryOptions::default(),
                )
                .expect("search runs");
                let ctx = format!("{q:?} {from}->{to} over {:?}", g.rels);
                if q.all {
                    let got_set: BTreeSet<PathKey> = got.iter().cloned().collect();
                    assert_eq!(got_set.len(), got.len(), "duplicate paths: {ctx}");
                    assert_eq!(got_set, want, "{ctx}");
                } else if want.is_empty() {
                    assert!(got.is_empty(), "{ctx}: got {got:?}");
                } else {
                    assert_eq!(got.len(), 1, "{ctx}");
                    assert!(want.contains(&got[0]), "{ctx}: {:?} not shortest", got[0]);
                }
                nonempty += usize::from(!want.is_empty());
                multi += usize::from(want.len() > 1);
            }
        }
    }
    // The generator must exercise the interesting cases.
    assert!(nonempty > 1000, "only {nonempty} pairs with paths");
    assert!(
        multi > 100,
        "only {multi} pairs with several shortest paths"
    );
}

/// A `k × k` grid with relationships right and down.
fn grid(k: u64) -> Graph {
    let mut rels = Vec::new();
    for r in 0..k {
        for c in 0..k {
            let n = r * k + c;
            if c + 1 < k {
                rels.push((0, n, n + 1, None));
            }
            if r + 1 < k {
                rels.push((0, n, n + k, None));
            }
        }
    }
    Graph { nodes: k * k, rels }
}

fn query(dir: Dir, all: bool) -> Query {
    Query {
        types: vec![],
        dir,
        min: 1,
        max: 32,
        all,
        w: None,
        unknown_key: false,
        w_from_row: false,
    }
}

#[test]
fn grid_has_binomial_many_shortest_paths() {
    let g = grid(5);
    // Corner to corner: 8 steps, choose 4 of them to go right.
    for dir in [Dir::Out, Dir::Both] {
        let got = paths(&g, 0, 24, &query(dir, true));
        assert_eq!(got.len(), 70, "{dir:?}");
        assert!(got.iter().all(|p| p.1.len() == 8));
        let single = paths(&g, 0, 24, &query(dir, false));
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].1.len(), 8);
    }
    // Against the direction, the same paths reversed.
    let back = paths(&g, 24, 0, &query(Dir::In, true));
    assert_eq!(back.len(), 70);
    assert!(paths(&g, 24, 0, &query(Dir::Out, true)).is_empty());
}

#[test]
fn parallel_relationships_give_distinct_paths() {
    // 0 =(2 rels)=> 1 -> 2, and 2 -> 1 backwards for the undirected case.
    let g = Graph {
        nodes: 3,
        rels: vec![
            (0, 0, 1, None),
            (1, 0, 1, None),
            (0, 1, 2, None),
            (0, 2, 1, None),
        ],
    };
    let mut got = paths(&g, 0, 2, &query(Dir::Out, true));
    got.sort();
    assert_eq!(
        got,
        vec![(vec![0, 1, 2], vec![0, 2]), (vec![0, 1, 2], vec![1, 2])]
    );
    let both = paths(&g, 0, 2, &query(Dir::Both, true));
    assert_eq!(both.len(), 4);
}

#[test]
fn max_hops_cut_off_a_long_chain() {
    let g = Graph {
        nodes: 10,
        rels: (0..9).map(|i| (0, i, i + 1, None)).collect(),
    };
    let mut q = query(Dir::Out, false);
    q.max = 9;
    assert_eq!(paths(&g, 0, 9, &q).len(), 1);
    q.max = 8;
    assert!(paths(&g, 0, 9, &q).is_empty());
    // Shorter than the minimum: no shortest path qualifies.
    q.max = 9;
    q.min = 10;
    assert!(paths(&g, 0, 9, &q).is_empty());
}

#[test]
fn same_endpoint_is_a_zero_length_path_only_when_min_is_zero() {
    let g = Graph {
        nodes: 2,
        rels: vec![(0, 0, 0, None), (0, 0, 1, None), (0, 1, 0, None)],
    };
    let mut q = query(Dir::Both, true);
    assert!(paths(&g, 0, 0, &q).is_empty());
    q.min = 0;
    assert_eq!(paths(&g, 0, 0, &q), vec![(vec![0], vec![])]);
}

#[test]
fn non_node_endpoints_produce_nothing() {
    let g = grid(2);
    let got = run(
        &g.snapshot(),
        Value::Null,
        Value::Node(NodeId(1)),
        &query(Dir::Out, true),
        &QueryOptions::default(),
    )
    .expect("search runs");
    assert!(got.is_empty());
}

#[test]
fn a_cancelled_query_stops_the_search() {
    let g = grid(3);
    let options = QueryOptions {
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..QueryOptions::default()
    };
    let got = run(
        &g.snapshot(),
        Value::Node(NodeId(0)),
        Value::Node(NodeId(8)),
        &query(Dir::Out, true),
        &options,
    );
    assert!(
        matches!(
            got.as_ref().map_err(ExecError::kind),
            Err(ErrorKind::Cancelled)
        ),
        "{got:?}"
    );
}

#[test]
fn relationship_property_map_filters_each_step() {
    // Two routes 0 -> 3: a short one through a `w: 1` relationship and a
    // long one made only of `w: 2` relationships.
    let g = Graph {
        nodes: 5,
        rels: vec![
            (0, 0, 1, Some(1)),
            (0, 1, 3, Some(2)),
            (0, 0, 2, Some(2)),
            (0, 2, 4, Some(2)),
            (0, 4, 3, Some(2)),
        ],
    };
    let mut q = query(Dir::Out, true);
    q.w = Some(Value::Int(2));
    assert_eq!(paths(&g, 0, 3, &q), vec![(vec![0, 2, 4, 3], vec![2, 3, 4])]);
    q.w_from_row = true;
    assert_eq!(paths(&g, 0, 3, &q), vec![(vec![0, 2, 4, 3], vec![2, 3, 4])]);
    q.w = None;
    assert_eq!(paths(&g, 0, 3, &q), vec![(vec![0, 1, 3], vec![0, 1])]);
}
