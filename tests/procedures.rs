//! `CALL` procedures through the public API: composition with the rest of
//! a query, compile-time and run-time errors, introspection, and each
//! algorithm against a brute-force reference on random small graphs.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use proptest::prelude::*;
use relgraph::{Database, Params, QueryOptions, ResultValue, Value};

/// A directed multigraph on nodes `0..n` with weighted edges (self-loops
/// and parallel edges allowed, to exercise the projection's rules).
#[derive(Clone, Debug)]
struct G {
    n: usize,
    edges: Vec<(usize, usize, i64)>,
}

fn graph_strategy(max_nodes: usize, max_edges: usize) -> impl Strategy<Value = G> {
    (1..=max_nodes).prop_flat_map(move |n| {
        prop::collection::vec((0..n, 0..n, 1i64..5), 0..=max_edges)
            .prop_map(move |edges| G { n, edges })
    })
}

fn load(g: &G) -> Database {
    let db = Database::in_memory();
    let mut p = Params::new();
    p.insert("n".into(), Value::Int(g.n as i64));
    db.query("UNWIND range(0, $n - 1) AS i CREATE (:N {i: i})", &p)
        .expect("nodes");
    let edges = g
        .edges
        .iter()
        .map(|(a, b, w)| {
            Value::List(vec![
                Value::Int(*a as i64),
                Value::Int(*b as i64),
                Value::Int(*w),
            ])
        })
        .collect();
    p.insert("edges".into(), Value::List(edges));
    db.query(
        "UNWIND $edges AS e MATCH (a:N {i: e[0]}), (b:N {i: e[1]}) CREATE (a)-[:E {w: e[2]}]->(b)",
        &p,
    )
    .expect("edges");
    // A node and a relationship outside the projection.
    db.query("CREATE (:Other)-[:F]->(:Other)", &Params::new())
        .expect("others");
    db
}

fn run(db: &Database, q: &str) -> Vec<Vec<ResultValue>> {
    db.query(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

fn err(db: &Database, q: &str) -> relgraph::Error {
    match db.query(q, &Params::new()) {
        Ok(r) => panic!("{q}: expected an error, got {:?}", r.rows),
        Err(e) => e,
    }
}

fn int(v: &ResultValue) -> i64 {
    match v {
        ResultValue::Int(i) => *i,
        other => panic!("not an int: {other:?}"),
    }
}

fn float(v: &ResultValue) -> f64 {
    match v {
        ResultValue::Float(f) => *f,
        ResultValue::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// `i -> value` from rows `[node.i, value]`.
fn by_node(rows: &[Vec<ResultValue>]) -> BTreeMap<usize, f64> {
    rows.iter()
        .map(|r| (int(&r[0]) as usize, float(&r[1])))
        .collect()
}

/// Sorted, deduplicated neighbour sets (the projection's simple graph).
fn out_sets(g: &G) -> Vec<BTreeSet<usize>> {
    let mut s = vec![BTreeSet::new(); g.n];
    for &(a, b, _) in &g.edges {
        s[a].insert(b);
    }
    s
}

fn undirected_sets(g: &G, self_loops: bool) -> Vec<BTreeSet<usize>> {
    let mut s = vec![BTreeSet::new(); g.n];
    for &(a, b, _) in &g.edges {
        if a != b || self_loops {
            s[a].insert(b);
            s[b].insert(a);
        }
    }
    s
}

/// Groups of nodes by label value.
fn partition(labels: &BTreeMap<usize, f64>) -> BTreeSet<BTreeSet<usize>> {
    let mut groups: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
    for (n, l) in labels {
        groups.entry(*l as i64).or_default().insert(*n);
    }
    groups.into_values().collect()
}

/// BFS distances from `s` over `adj`.
fn bfs(adj: &[BTreeSet<usize>], s: usize) -> Vec<Option<usize>> {
    let mut d = vec![None; adj.len()];
    d[s] = Some(0);
    let mut q = VecDeque::from([s]);
    while let Some(v) = q.pop_front() {
        for &w in &adj[v] {
            if d[w].is_none() {
                d[w] = Some(d[v].unwrap() + 1);
                q.push_back(w);
            }
        }
    }
    d
}

fn reach(adj: &[BTreeSet<usize>]) -> Vec<Vec<bool>> {
    (0..adj.len())
        .map(|s| bfs(adj, s).iter().map(|d| d.is_some()).collect())
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn page_rank_matches_power_iteration(g in graph_strategy(9, 20)) {
        let db = load(&g);
        let rows = run(&db, "CALL algo.pageRank('N', 'E', {maxIterations: 100, tolerance: 1e-10}) \
            YIELD node, score RETURN node.i, score");
        let got = by_node(&rows);
        // networkx.pagerank on the simple digraph.
        let adj = out_sets(&g);
        let n = g.n as f64;
        let mut x = vec![1.0 / n; g.n];
        for _ in 0..100 {
            let dangling: f64 = (0..g.n).filter(|u| adj[*u].is_empty()).map(|u| x[u]).sum();
            let mut next = vec![0.15 / n + 0.85 * dangling / n; g.n];
            for u in 0..g.n {
                for &v in &adj[u] {
                    next[v] += 0.85 * x[u] / adj[u].len() as f64;
                }
            }
            let err: f64 = (0..g.n).map(|i| (next[i] - x[i]).abs()).sum();
            x = next;
            if err < n * 1e-10 {
                break;
            }
        }
        prop_assert_eq!(got.len(), g.n);
        for (i, s) in &got {
            prop_assert!(close(*s, x[*i], 1e-9), "node {i}: {s} vs {}", x[*i]);
        }
    }

    #[test]
    fn weighted_page_rank_sums_to_one(g in graph_strategy(9, 20)) {
        let db = load(&g);
        let rows = run(&db, "CALL algo.pageRank('N', 'E', {weightProperty: 'w', maxIterations: 200, tolerance: 1e-12}) \
            YIELD node, score RETURN node.i, score");
        let total: f64 = by_node(&rows).values().sum();
        prop_assert!(close(total, 1.0, 1e-9), "{total}");
    }

    #[test]
    fn wcc_matches_reachability(g in graph_strategy(10, 14)) {
        let db = load(&g);
        let got = partition(&by_node(&run(&db, "CALL algo.wcc('N', 'E') YIELD node, component RETURN node.i, component")));
        let r = reach(&undirected_sets(&g, true));
        let want: BTreeSet<BTreeSet<usize>> = (0..g.n)
            .map(|s| (0..g.n).filter(|t| r[s][*t]).collect())
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn scc_matches_mutual_reachability(g in graph_strategy(10, 18)) {
        let db = load(&g);
        let got = partition(&by_node(&run(&db, "CALL algo.scc('N', 'E') YIELD node, component RETURN node.i, component")));
        let r = reach(&out_sets(&g));
        let want: BTreeSet<BTreeSet<usize>> = (0..g.n)
            .map(|s| (0..g.n).filter(|t| r[s][*t] && r[*t][s]).collect())
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn triangles_match_triple_loop(g in graph_strategy(9, 24)) {
        let db = load(&g);
        let rows = run(&db, "CALL algo.triangleCount('N', 'E') YIELD node, triangles, coefficient \
            RETURN node.i, triangles, coefficient");
        let adj = undirected_sets(&g, false);
        for r in &rows {
            let u = int(&r[0]) as usize;
            let mut t = 0;
            for v in &adj[u] {
                for w in &adj[u] {
                    if v < w && adj[*v].contains(w) {
                        t += 1;
                    }
                }
            }
            let d = adj[u].len() as f64;
            let c = if d < 2.0 { 0.0 } else { 2.0 * t as f64 / (d * (d - 1.0)) };
            prop_assert_eq!(int(&r[1]), t);
            prop_assert!(close(float(&r[2]), c, 1e-12));
        }
        prop_assert_eq!(rows.len(), g.n);
    }

    #[test]
    fn k_core_matches_peeling(g in graph_strategy(9, 24)) {
        let db = load(&g);
        let got = by_node(&run(&db, "CALL algo.kCore('N', 'E') YIELD node, core RETURN node.i, core"));
        let adj = undirected_sets(&g, false);
        for u in 0..g.n {
            // The largest k whose k-core (peel nodes of degree < k) keeps u.
            let mut best = 0;
            for k in 1..=g.n {
                let mut alive = vec![true; g.n];
                loop {
                    let drop: Vec<usize> = (0..g.n)
                        .filter(|v| alive[*v] && adj[*v].iter().filter(|w| alive[**w]).count() < k)
                        .collect();
                    if drop.is_empty() { break; }
                    for v in drop { alive[v] = false; }
                }
                if alive[u] { best = k; }
            }
            prop_assert_eq!(got[&u] as usize, best, "node {}", u);
        }
    }

    #[test]
    fn betweenness_matches_path_counting(g in graph_strategy(8, 18), undirected in any::<bool>()) {
        let db = load(&g);
        let orientation = if undirected { "UNDIRECTED" } else { "NATURAL" };
        let got = by_node(&run(&db, &format!(
            "CALL algo.betweenness('N', 'E', {{orientation: '{orientation}'}}) YIELD node, score RETURN node.i, score")));
        let adj = if undirected { undirected_sets(&g, true) } else { out_sets(&g) };
        // sigma[s][t]: number of shortest paths, by BFS layers.
        let dist: Vec<Vec<Option<usize>>> = (0..g.n).map(|s| bfs(&adj, s)).collect();
        let mut sigma = vec![vec![0f64; g.n]; g.n];
        for s in 0..g.n {
            let mut order: Vec<usize> = (0..g.n).filter(|t| dist[s][*t].is_some()).collect();
            order.sort_by_key(|t| dist[s][*t]);
            sigma[s][s] = 1.0;
            for &v in &order {
                for &w in &adj[v] {
                    if dist[s][w] == Some(dist[s][v].unwrap() + 1) {
                        sigma[s][w] += sigma[s][v];
                    }
                }
            }
        }
        for v in 0..g.n {
            let mut bc = 0.0;
            for s in 0..g.n {
                for t in 0..g.n {
                    if s == v || t == v || s == t { continue; }
                    let (Some(st), Some(sv), Some(vt)) = (dist[s][t], dist[s][v], dist[v][t]) else { continue };
                    if sv + vt == st {
                        bc += sigma[s][v] * sigma[v][t] / sigma[s][t];
                    }
                }
            }
            if undirected { bc /= 2.0; }
            prop_assert!(close(got[&v], bc, 1e-9), "node {v}: {} vs {bc}", got[&v]);
        }
    }

    #[test]
    fn closeness_matches_distances(g in graph_strategy(9, 18)) {
        let db = load(&g);
        let got = by_node(&run(&db, "CALL algo.closeness('N', 'E') YIELD node, score RETURN node.i, score"));
        let adj = out_sets(&g);
        for u in 0..g.n {
            // Distances to u.
            let d: Vec<Option<usize>> = (0..g.n).map(|s| bfs(&adj, s)[u]).collect();
            let r = d.iter().filter(|x| x.is_some()).count() as f64;
            let total: usize = d.iter().flatten().sum();
            let want = if total == 0 || g.n < 2 { 0.0 } else {
                (r - 1.0) / total as f64 * (r - 1.0) / (g.n as f64 - 1.0)
            };
            prop_assert!(close(got[&u], want, 1e-12), "node {u}: {} vs {want}", got[&u]);
        }
    }

    #[test]
    fn dijkstra_matches_floyd_warshall(g in graph_strategy(9, 20), src in 0usize..9) {
        let src = src % g.n;
        let db = load(&g);
        let rows = run(&db, &format!(
            "MATCH (s:N {{i: {src}}}) CALL algo.dijkstra('N', 'E', {{sourceNode: s, weightProperty: 'w'}}) \
             YIELD targetNode, cost, path \
             RETURN targetNode.i, cost, reduce(c = 0, r IN relationships(path) | c + r.w), length(path)"));
        let inf = i64::MAX / 4;
        let mut d = vec![vec![inf; g.n]; g.n];
        for (i, row) in d.iter_mut().enumerate() { row[i] = 0; }
        for &(a, b, w) in &g.edges { d[a][b] = d[a][b].min(w); }
        for k in 0..g.n { for i in 0..g.n { for j in 0..g.n {
            if d[i][k] + d[k][j] < d[i][j] { d[i][j] = d[i][k] + d[k][j]; }
        }}}
        let reachable = (0..g.n).filter(|t| d[src][*t] < inf).count();
        prop_assert_eq!(rows.len(), reachable);
        let mut last = 0.0;
        for r in &rows {
            let t = int(&r[0]) as usize;
            prop_assert_eq!(float(&r[1]), d[src][t] as f64);
            // The path's own relationships add up to the cost.
            prop_assert_eq!(int(&r[2]), d[src][t]);
            prop_assert!(float(&r[1]) >= last);
            last = float(&r[1]);
        }
    }

    #[test]
    fn astar_finds_dijkstras_cost(
        g in graph_strategy(9, 20),
        st in (0usize..9, 0usize..9),
        coords in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 9),
    ) {
        // A weight property must exist for `weightProperty` to name it.
        prop_assume!(!g.edges.is_empty());
        let (s, t) = (st.0 % g.n, st.1 % g.n);
        let db = load(&g);
        // Points within a 1 x 1 degree box (at most ~157 km apart) and
        // weights of at least 200 km: the estimate is a lower bound.
        for (i, (lat, lon)) in coords.iter().take(g.n).enumerate() {
            run(&db, &format!("MATCH (n:N {{i: {i}}}) SET n.lat = {}, n.lon = {}", 59.0 + lat, 10.0 + lon));
        }
        run(&db, "MATCH ()-[e:E]->() SET e.km = 200 + 50 * e.w");
        let config = "{sourceNode: s, targetNode: t, weightProperty: 'km'}";
        let coords_config = "{sourceNode: s, targetNode: t, weightProperty: 'km', latitudeProperty: 'lat', longitudeProperty: 'lon'}";
        let astar = run(&db, &format!(
            "MATCH (s:N {{i: {s}}}), (t:N {{i: {t}}}) CALL algo.astar('N', 'E', {coords_config}) \
             YIELD cost, path RETURN cost, reduce(c = 0.0, r IN relationships(path) | c + r.km), \
             [n IN nodes(path) | n.i][0], [n IN nodes(path) | n.i][-1]"));
        let dijkstra = run(&db, &format!(
            "MATCH (s:N {{i: {s}}}), (t:N {{i: {t}}}) CALL algo.dijkstra('N', 'E', {config}) \
             YIELD cost RETURN cost"));
        prop_assert_eq!(astar.len(), dijkstra.len());
        if let (Some(a), Some(d)) = (astar.first(), dijkstra.first()) {
            prop_assert!((float(&a[0]) - float(&d[0])).abs() < 1e-9, "{:?} vs {:?}", a, d);
            prop_assert!((float(&a[1]) - float(&a[0])).abs() < 1e-9);
            prop_assert_eq!(int(&a[2]) as usize, s);
            prop_assert_eq!(int(&a[3]) as usize, t);
        }
    }

    #[test]
    fn yen_matches_all_simple_paths(g in graph_strategy(7, 16), st in (0usize..7, 0usize..7)) {
        let (s, t) = (st.0 % g.n, st.1 % g.n);
        let db = load(&g);
        let rows = run(&db, &format!(
            "MATCH (s:N {{i: {s}}}), (t:N {{i: {t}}}) \
             CALL algo.yenKShortest('N', 'E', {{sourceNode: s, targetNode: t, k: 4, weightProperty: 'w'}}) \
             YIELD index, cost, path \
             RETURN index, cost, [n IN nodes(path) | n.i], reduce(c = 0, r IN relationships(path) | c + r.w)"));
        // Every simple path from s to t, by brute force, cheapest weights.
        let mut w: BTreeMap<(usize, usize), i64> = BTreeMap::new();
        for &(a, b, x) in &g.edges {
            let e = w.entry((a, b)).or_insert(x);
            *e = (*e).min(x);
        }
        let mut costs = Vec::new();
        let mut stack = vec![(vec![s], 0i64)];
        while let Some((path, c)) = stack.pop() {
            let last = *path.last().unwrap();
            if last == t {
                costs.push(c);
                continue;
            }
            for (&(a, b), x) in &w {
                if a == last && !path.contains(&b) {
                    let mut p = path.clone();
                    p.push(b);
                    stack.push((p, c + x));
                }
            }
        }
        costs.sort_unstable();
        costs.truncate(4);
        let got: Vec<i64> = rows.iter().map(|r| float(&r[1]) as i64).collect();
        prop_assert_eq!(&got, &costs);
        let mut seen = BTreeSet::new();
        for (i, r) in rows.iter().enumerate() {
            prop_assert_eq!(int(&r[0]), i as i64);
            let nodes = match &r[2] { ResultValue::List(l) => l.iter().map(int).collect::<Vec<_>>(), o => panic!("{o:?}") };
            let distinct: BTreeSet<_> = nodes.iter().collect();
            prop_assert_eq!(distinct.len(), nodes.len(), "a loop in {:?}", nodes);
            prop_assert!(seen.insert(nodes.clone()), "{:?} twice", nodes);
            prop_assert_eq!(int(&r[3]), got[i]);
        }
    }

    #[test]
    fn node_similarity_matches_all_pairs(g in graph_strategy(9, 22), overlap in any::<bool>()) {
        let db = load(&g);
        let metric = if overlap { "OVERLAP" } else { "JACCARD" };
        let rows = run(&db, &format!(
            "CALL algo.nodeSimilarity('N', 'E', {{topK: 100, similarityMetric: '{metric}'}}) \
             YIELD node1, node2, similarity RETURN node1.i, node2.i, similarity"));
        let adj = out_sets(&g);
        let mut want = BTreeMap::new();
        for a in 0..g.n { for b in 0..g.n {
            let c = adj[a].intersection(&adj[b]).count();
            if a == b || c == 0 { continue; }
            let s = if overlap {
                c as f64 / adj[a].len().min(adj[b].len()) as f64
            } else {
                c as f64 / adj[a].union(&adj[b]).count() as f64
            };
            want.insert((a, b), s);
        }}
        let got: BTreeMap<(usize, usize), f64> = rows.iter()
            .map(|r| ((int(&r[0]) as usize, int(&r[1]) as usize), float(&r[2])))
            .collect();
        prop_assert_eq!(got.len(), rows.len());
        prop_assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
        for (k, s) in &want {
            prop_assert!(close(got[k], *s, 1e-12));
        }
    }

    #[test]
    fn node_similarity_top_k_keeps_the_best(g in graph_strategy(9, 22)) {
        let db = load(&g);
        let all = run(&db, "CALL algo.nodeSimilarity('N', 'E', {topK: 100}) YIELD node1, node2, similarity RETURN node1.i, similarity");
        let top = run(&db, "CALL algo.nodeSimilarity('N', 'E', {topK: 2}) YIELD node1, node2, similarity RETURN node1.i, similarity");
        let mut per: HashMap<i64, Vec<f64>> = HashMap::new();
        for r in &all { per.entry(int(&r[0])).or_default().push(float(&r[1])); }
        let mut top_per: HashMap<i64, Vec<f64>> = HashMap::new();
        for r in &top { top_per.entry(int(&r[0])).or_default().push(float(&r[1])); }
        for (n, mut v) in per {
            v.sort_by(|a, b| b.total_cmp(a));
            v.truncate(2);
            prop_assert_eq!(&top_per[&n], &v);
        }
    }

    #[test]
    fn label_propagation_is_a_fixpoint_or_bounded(g in graph_strategy(9, 20)) {
        let db = load(&g);
        let rows = run(&db, "CALL algo.labelPropagation('N', 'E', {maxIterations: 1000}) YIELD node, community RETURN node.i, community");
        let got = by_node(&rows);
        // Communities never cross weakly connected components.
        let r = reach(&undirected_sets(&g, true));
        for a in 0..g.n { for b in 0..g.n {
            if got[&a] == got[&b] { prop_assert!(r[a][b]); }
        }}
    }
}

#[test]
fn label_propagation_finds_two_cliques() {
    let db = Database::in_memory();
    run(
        &db,
        "UNWIND range(0, 9) AS i CREATE (:N {i: i}) WITH count(*) AS c \
         MATCH (a:N), (b:N) WHERE a.i < b.i AND (a.i < 5) = (b.i < 5) CREATE (a)-[:E]->(b)",
    );
    run(&db, "MATCH (a:N {i: 4}), (b:N {i: 5}) CREATE (a)-[:E]->(b)");
    let got = partition(&by_node(&run(
        &db,
        "CALL algo.labelPropagation('N', 'E') YIELD node, community RETURN node.i, community",
    )));
    let want: BTreeSet<BTreeSet<usize>> = [(0..5).collect(), (5..10).collect()].into();
    assert_eq!(got, want);
}

fn demo() -> Database {
    let db = Database::in_memory();
    run(
        &db,
        "CREATE (a:Person {name: 'Ann', age: 41})-[:KNOWS {since: 2020}]->(b:Person {name: 'Bob'}), \
         (b)-[:KNOWS {since: 2021}]->(c:Person {name: 'Cid'}), (c)-[:KNOWS {since: 2022}]->(a), \
         (a)-[:WORKS_AT]->(:Company {name: 'Acme'})",
    );
    db
}

#[test]
fn call_composes_with_match_with_and_return() {
    let db = demo();
    // MATCH before CALL feeds the arguments; MATCH after reads the yields.
    let rows = run(
        &db,
        "MATCH (s:Person {name: 'Ann'}) \
         CALL algo.dijkstra('Person', 'KNOWS', {sourceNode: s}) YIELD targetNode AS t, cost \
         WHERE cost > 0 \
         MATCH (t)-[:KNOWS]->(next) \
         RETURN t.name, cost, next.name ORDER BY cost",
    );
    let got: Vec<(String, f64, String)> = rows
        .iter()
        .map(|r| match (&r[0], &r[2]) {
            (ResultValue::String(a), ResultValue::String(b)) => {
                (a.clone(), float(&r[1]), b.clone())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("Bob".into(), 1.0, "Cid".into()),
            ("Cid".into(), 2.0, "Ann".into())
        ]
    );
    // WITH after CALL, aggregation over yields.
    let rows = run(
        &db,
        "CALL algo.pageRank('Person', 'KNOWS') YIELD node, score WITH sum(score) AS total RETURN round(total * 1000) / 1000",
    );
    assert_eq!(float(&rows[0][0]), 1.0);
    // One call per incoming row.
    let rows = run(
        &db,
        "UNWIND ['KNOWS', 'WORKS_AT'] AS t CALL algo.wcc([], t) YIELD component RETURN t, count(DISTINCT component) AS c ORDER BY t",
    );
    // KNOWS: the triangle and the company; WORKS_AT: Ann with Acme, Bob, Cid.
    assert_eq!((int(&rows[0][1]), int(&rows[1][1])), (2, 3));
}

#[test]
fn standalone_call_returns_every_column() {
    let db = demo();
    let res = db.query("CALL db.labels()", &Params::new()).unwrap();
    assert_eq!(&*res.columns, &["label".to_string()]);
    let labels: Vec<_> = res.rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        labels,
        vec![
            ResultValue::String("Person".into()),
            ResultValue::String("Company".into())
        ]
    );
    let res = db
        .query("CALL db.labels() YIELD *", &Params::new())
        .unwrap();
    assert_eq!(res.rows.len(), 2);
    let res = db
        .query(
            "CALL db.labels() YIELD label WHERE label STARTS WITH 'P'",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(res.rows.len(), 1);
    // Implicit arguments come from parameters.
    let mut p = Params::new();
    p.insert("labels".into(), Value::String("Person".into()));
    p.insert("types".into(), Value::String("KNOWS".into()));
    p.insert("config".into(), Value::Map(Default::default()));
    let res = db.query("CALL algo.scc", &p).unwrap();
    assert_eq!(res.rows.len(), 3);
    assert_eq!(
        &*res.columns,
        &["node".to_string(), "component".to_string()]
    );
}

#[test]
fn introspection() {
    let db = demo();
    run(&db, "CREATE INDEX person_name FOR (p:Person) ON (p.name)");
    let one =
        |q: &str| -> Vec<ResultValue> { run(&db, q).into_iter().map(|r| r[0].clone()).collect() };
    let s = |v: &[&str]| -> Vec<ResultValue> {
        v.iter()
            .map(|x| ResultValue::String(x.to_string()))
            .collect()
    };
    assert_eq!(
        one("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType"),
        s(&["KNOWS", "WORKS_AT"])
    );
    assert_eq!(
        one("CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey"),
        s(&["name", "age", "since"])
    );
    assert_eq!(
        one("CALL db.indexes() YIELD name RETURN name"),
        s(&["person_name"])
    );
    let rows = run(
        &db,
        "CALL db.schema.nodeTypeProperties() YIELD nodeType, propertyName, propertyTypes, mandatory \
         RETURN nodeType, propertyName, propertyTypes, mandatory ORDER BY nodeType, propertyName",
    );
    let text: Vec<String> = rows.iter().map(|r| format!("{:?}", r)).collect();
    assert_eq!(rows.len(), 3, "{text:#?}");
    assert_eq!(rows[1][1], ResultValue::String("age".into()));
    assert_eq!(rows[1][3], ResultValue::Bool(false));
    assert_eq!(rows[2][3], ResultValue::Bool(true));
    assert_eq!(
        rows[2][2],
        ResultValue::List(vec![ResultValue::String("STRING".into())])
    );
    let rows = run(
        &db,
        "CALL db.schema.relTypeProperties() YIELD relType, propertyName, mandatory RETURN relType, propertyName, mandatory ORDER BY relType",
    );
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], ResultValue::String(":`KNOWS`".into()));
    assert_eq!(rows[1][1], ResultValue::Null);
}

#[test]
fn errors_name_the_signature_with_a_caret() {
    let db = demo();
    let e = err(&db, "CALL db.Labels()");
    assert!(
        e.message
            .contains("unknown procedure `db.Labels`; did you mean db.labels?"),
        "{}",
        e.message
    );
    assert!(e.message.contains('^'), "{}", e.message);
    let e = err(&db, "CALL algo.pageRank('Person', 'KNOWS', {}, 4)");
    assert!(
        e.message.contains("takes 0 to 3 arguments, got 4"),
        "{}",
        e.message
    );
    assert!(
        e.message
            .contains("algo.pageRank(labels :: STRING | LIST<STRING> = []"),
        "{}",
        e.message
    );
    let e = err(&db, "CALL algo.pageRank(3)");
    assert!(
        e.message.contains(
            "argument `labels` of algo.pageRank must be STRING | LIST<STRING>, got INTEGER"
        ),
        "{}",
        e.message
    );
    let e = err(&db, "CALL algo.pageRank('Person', 'KNOWS', {damping: 0.9})");
    assert!(
        e.message.contains("unknown configuration key `damping`"),
        "{}",
        e.message
    );
    assert!(e.message.contains("dampingFactor"), "{}", e.message);
    let e = err(
        &db,
        "CALL algo.pageRank('Person', 'KNOWS', {maxIterations: 100000000000000})",
    );
    assert!(e.message.contains("maxIterations"), "{}", e.message);
    let e = err(
        &db,
        "CALL algo.pageRank('Person', 'KNOWS', {orientation: 'SIDEWAYS'})",
    );
    assert!(
        e.message.contains("'NATURAL', 'REVERSE' or 'UNDIRECTED'"),
        "{}",
        e.message
    );
    let e = err(&db, "CALL db.labels() YIELD nope RETURN nope");
    assert!(
        e.message
            .contains("db.labels has no output `nope`; it yields label"),
        "{}",
        e.message
    );
    let e = err(&db, "MATCH (n) CALL db.labels() RETURN n");
    assert!(
        e.message
            .contains("must name the columns it uses with YIELD"),
        "{}",
        e.message
    );
    let e = err(&db, "MATCH (n) CALL db.labels() YIELD * RETURN n");
    assert!(
        e.message
            .contains("YIELD * is only allowed in a standalone CALL"),
        "{}",
        e.message
    );
    let e = err(&db, "MATCH (n) CALL db.labels() YIELD label AS n RETURN n");
    assert!(e.message.contains("already declared"), "{}", e.message);
    // Run time: arguments computed from rows, labels that do not exist.
    let e = err(
        &db,
        "MATCH (n:Person) CALL algo.wcc(n.age, 'KNOWS') YIELD node RETURN node",
    );
    assert_eq!(e.kind, "TypeError", "{}", e.message);
    let e = err(&db, "CALL algo.wcc('Persn', 'KNOWS')");
    assert!(e.message.contains("no label `Persn`"), "{}", e.message);
    let e = err(&db, "CALL algo.dijkstra('Person', 'KNOWS')");
    assert!(e.message.contains("sourceNode"), "{}", e.message);
    let e = err(
        &db,
        "CALL algo.dijkstra('Person', 'KNOWS', {sourceNode: 123456789012})",
    );
    assert!(
        e.message.contains("not a node of the projected graph"),
        "{}",
        e.message
    );
    run(&db, "MATCH (a:Person {name: 'Ann'}), (c:Person {name: 'Cid'}) CREATE (a)-[:LIKES {w: 'a lot'}]->(c)");
    let e = err(
        &db,
        "CALL algo.dijkstra('Person', 'LIKES', {sourceNode: 0, weightProperty: 'w'})",
    );
    assert!(
        e.message
            .contains("weightProperty `w` of relationship 4 is STRING, not a number"),
        "{}",
        e.message
    );
}

#[test]
fn algorithms_obey_the_timeout() {
    let db = Database::in_memory();
    run(
        &db,
        "UNWIND range(0, 1999) AS i CREATE (:N {i: i}) WITH count(*) AS c \
         MATCH (a:N), (b:N) WHERE b.i = (a.i * 7 + 1) % 2000 OR b.i = (a.i + 1) % 2000 CREATE (a)-[:E]->(b)",
    );
    let opts = QueryOptions {
        timeout: Some(std::time::Duration::from_millis(20)),
        ..QueryOptions::default()
    };
    let e = db
        .query_with(
            "CALL algo.closeness('N', 'E') YIELD node RETURN count(*)",
            &Params::new(),
            &opts,
        )
        .unwrap_err();
    assert!(e.message.contains("timed out"), "{}", e.message);
    let opts = QueryOptions {
        memory_budget: Some(10_000),
        ..QueryOptions::default()
    };
    let e = db
        .query_with(
            "CALL algo.pageRank('N', 'E') YIELD node RETURN count(*)",
            &Params::new(),
            &opts,
        )
        .unwrap_err();
    assert!(e.message.contains("memory budget"), "{}", e.message);
}

#[test]
fn dbms_procedures_lists_exactly_the_documented_ones() {
    let db = Database::in_memory();
    let listed: BTreeSet<String> = run(&db, "CALL dbms.procedures() YIELD name RETURN name")
        .iter()
        .map(|r| match &r[0] {
            ResultValue::String(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let registered: BTreeSet<String> = relgraph::procedures()
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(listed, registered);
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/query-language.md"
    ))
    .unwrap();
    let section = doc
        .split("\n## Procedures")
        .nth(1)
        .expect("a Procedures section");
    let section = section.split("\n## ").next().unwrap_or_default();
    let documented: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("#### `"))
        .map(|l| l.split(['(', '`']).next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        documented, listed,
        "docs/query-language.md's procedures vs dbms.procedures()"
    );
    // Every documented example runs, on a graph shaped like the demo graph.
    let demo = Database::in_memory();
    run(
        &demo,
        "CREATE (me:Person {name: 'Ann', me: true})-[:KNOWS {strength: 0.9}]->(b:Person {name: 'Bob'}), \
         (b)-[:KNOWS {strength: 0.4}]->(c:Person {name: 'Cid'}), (c)-[:KNOWS {strength: 0.7}]->(me), \
         (x:Company {name: 'Acme'})-[:REFERRED]->(y:Company {name: 'Initech'})-[:REFERRED]->(x), \
         (y)-[:CUSTOMER_OF]->(z:Company {name: 'Globex'}), \
         (x)-[:INTERESTED_IN]->(t:Topic {name: 'CRM'})<-[:INTERESTED_IN]-(z), (y)-[:INTERESTED_IN]->(t)",
    );
    run(&demo, "CREATE INDEX FOR (p:Person) ON (p.name)");
    let mut examples = 0;
    for example in section.lines().filter_map(|l| l.strip_prefix("    ")) {
        if example.starts_with("CALL") || example.starts_with("MATCH") {
            let res = demo
                .query(example, &Params::new())
                .unwrap_or_else(|e| panic!("documented example fails: {example}\n{e}"));
            assert!(
                !res.rows.is_empty(),
                "documented example has no rows: {example}"
            );
            examples += 1;
        }
    }
    assert_eq!(examples, listed.len(), "one example per procedure");
}

#[test]
fn hostile_arguments_are_errors_not_panics() {
    let db = demo();
    run(
        &db,
        "MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) CREATE (a)-[:OWES {w: -1}]->(b)",
    );
    let must_fail = [
        "CALL algo.pageRank([1, 2])",
        "CALL algo.pageRank('Person', 'KNOWS', {dampingFactor: 1e308})",
        "CALL algo.pageRank('Person', 'KNOWS', {tolerance: -1})",
        "CALL algo.pageRank('Person', 'KNOWS', {tolerance: 0.0 / 0.0})",
        "CALL algo.pageRank('Person', 'KNOWS', {maxIterations: -9223372036854775808})",
        "CALL algo.labelPropagation('Person', 'KNOWS', {maxIterations: 0})",
        "CALL algo.dijkstra('Person', 'KNOWS', {sourceNode: -1})",
        "CALL algo.dijkstra('Person', 'KNOWS', {sourceNode: 9223372036854775807})",
        "CALL algo.dijkstra('Person', 'KNOWS', {sourceNode: 'Ann'})",
        "CALL algo.dijkstra('Person', 'OWES', {sourceNode: 0, weightProperty: 'w'})",
        "CALL algo.nodeSimilarity('Person', 'KNOWS', {similarityMetric: 'COSINE'})",
        "CALL algo.wcc('Person', 'KNOWS', {orientation: 'NATURAL'})",
        "CALL algo.wcc('Person', 'KNOWS', 'config')",
        "CALL db.labels(1)",
        "CALL algo.pageRank('Person', 'KNOWS', $cfg)",
        "CALL nope",
        "CALL algo",
    ];
    for q in must_fail {
        let e = err(&db, q);
        assert!(!e.message.is_empty(), "{q}");
    }
    let must_run = [
        "CALL algo.pageRank(null, null, null)",
        "CALL algo.pageRank([], [], {dampingFactor: null})",
        "CALL algo.betweenness('Person', 'KNOWS', {samplingSize: 9223372036854775807, samplingSeed: -5})",
        "CALL algo.nodeSimilarity('Person', 'KNOWS', {topK: 9223372036854775807, similarityCutoff: 1})",
        "CALL algo.closeness('Company', [])",
        "CALL algo.triangleCount([], 'WORKS_AT')",
        "UNWIND range(1, 3) AS i CALL algo.wcc('Person', 'KNOWS') YIELD node RETURN count(*)",
        "CALL db.labels() YIELD label RETURN label LIMIT 1",
        "CALL db.labels() UNION CALL db.labels()",
    ];
    for q in must_run {
        run(&db, q);
    }
    let plan = db
        .query(
            "EXPLAIN CALL algo.pageRank('Person', 'KNOWS') YIELD node RETURN node",
            &Params::new(),
        )
        .unwrap()
        .plan
        .unwrap_or_default();
    assert!(plan.contains("ProcedureCall(algo.pageRank)"), "{plan}");
    let profile = db
        .query("PROFILE CALL algo.wcc('Person', 'KNOWS')", &Params::new())
        .unwrap();
    assert_eq!(profile.rows.len(), 3);
}

#[test]
fn db_stats_shows_the_planners_statistics() {
    let db = Database::in_memory();
    run(
        &db,
        "UNWIND range(1, 30) AS i CREATE (:Person {id: i, city: CASE WHEN i <= 20 THEN 'Oslo' ELSE 'Rome' END})",
    );
    run(
        &db,
        "MATCH (a:Person), (b:Person) WHERE b.id = a.id + 1 CREATE (a)-[:KNOWS {since: 2000 + a.id}]->(b)",
    );
    let rows = run(
        &db,
        "CALL db.stats() YIELD kind, label, relationshipType, key, statistics \
         WHERE label = 'Person' OR relationshipType = 'KNOWS' \
         RETURN kind, relationshipType, key, statistics.count, statistics.distinct, \
                statistics.mostCommon[0].value, statistics.mostCommon[0].fraction, \
                statistics.direction, statistics.average, statistics.max, statistics.targetLabels.Person \
         ORDER BY kind, key, statistics.direction",
    );
    let text: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    let find = |prefix: &str| {
        text.iter()
            .find(|r| r.contains(prefix))
            .unwrap_or_else(|| panic!("no row with {prefix} in {text:#?}"))
            .clone()
    };
    assert!(find("\"label\"").contains("Int(30)"), "{text:#?}");
    let city = find("\"city\"");
    assert!(city.contains("Float(2.0)"), "distinct cities: {city}");
    assert!(
        city.contains("String(\"Oslo\")"),
        "most common city: {city}"
    );
    let out = find("\"OUTGOING\"");
    // 29 KNOWS out of 30 persons; one each at most; all end at a Person.
    assert!(out.contains("Float(0.9666"), "{out}");
    assert!(out.contains("Int(1)"), "{out}");
    assert!(out.contains("Float(1.0)"), "{out}");
    let since = find("\"since\"");
    assert!(since.contains("relationshipProperty"), "{since}");
    assert!(since.contains("Float(29.0)"), "distinct since: {since}");
}
