//! Prepared plans (`relgraph_exec::prepare`): compiled once, run on later
//! snapshots. Each run must see its own snapshot (no run-time state kept
//! in the plan, such as a hash join's table) and the late parameters'
//! values of that run, and must give what compiling afresh gives.

use std::collections::BTreeMap;

use relgraph_exec::result::ResultValue;
use relgraph_exec::{execute, execute_in, prepare, LateParams, QueryOptions};
use relgraph_graph::{Graph, Value};

fn write(graph: &Graph, q: &str) {
    let mut txn = graph.begin_write().expect("write transaction");
    let stmt = relgraph_cypher::parse(q).expect("write parses");
    execute_in(
        &stmt,
        &Default::default(),
        &mut txn,
        &QueryOptions::default(),
    )
    .expect("write runs");
    txn.commit().expect("write commits");
}

fn sorted(mut rows: Vec<Vec<ResultValue>>) -> Vec<Vec<ResultValue>> {
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

/// Runs `q` compiled afresh on the graph's current snapshot.
fn fresh(graph: &Graph, q: &str, params: &BTreeMap<String, Value>) -> Vec<Vec<ResultValue>> {
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    let out =
        execute(&stmt, params, &graph.snapshot(), &QueryOptions::default()).expect("query runs");
    sorted(out.result.rows)
}

/// The integers of the first column of `q`, in the order it returns them.
fn ints(graph: &Graph, q: &str) -> Vec<i64> {
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    execute(
        &stmt,
        &Default::default(),
        &graph.snapshot(),
        &QueryOptions::default(),
    )
    .expect("query runs")
    .result
    .rows
    .into_iter()
    .map(|r| match r[0] {
        ResultValue::Int(i) => i,
        ref other => panic!("an integer, got {other:?}"),
    })
    .collect()
}

#[test]
fn a_hash_join_builds_its_table_again_on_each_run() {
    let graph = Graph::in_memory();
    write(&graph, "CREATE (:A {k: 1}), (:A {k: 2}), (:B {k: 1})");
    // Two unconnected parts joined on a key: the planner builds a hash
    // join over one of them.
    let q = "MATCH (a:A) MATCH (b:B) WHERE a.k = b.k RETURN a.k AS ak, b.k AS bk";
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    let opts = QueryOptions::default();
    let explain = relgraph_cypher::parse(&format!("EXPLAIN {q}")).expect("explain parses");
    let plan = execute(&explain, &Default::default(), &graph.snapshot(), &opts)
        .expect("explain runs")
        .result
        .plan
        .expect("a plan");
    assert!(
        plan.contains("HashJoin"),
        "expected a hash join in:\n{plan}"
    );

    let prepared =
        prepare(&stmt, &Default::default(), &graph.snapshot(), &opts, &[]).expect("prepares");
    let first = prepared
        .execute(
            &Default::default(),
            &LateParams::default(),
            &graph.snapshot(),
            &opts,
        )
        .expect("first run");
    assert_eq!(first.result.rows.len(), 1);

    // Both sides grow; the second run must build its table from the new
    // snapshot, not reuse the first run's.
    write(&graph, "CREATE (:B {k: 2}), (:B {k: 1}), (:A {k: 2})");
    let snap = graph.snapshot();
    assert!(
        prepared.fits(&snap),
        "no new name: the catalog is unchanged"
    );
    let second = prepared
        .execute(&Default::default(), &LateParams::default(), &snap, &opts)
        .expect("second run");
    assert_eq!(
        sorted(second.result.rows),
        fresh(&graph, q, &Default::default())
    );
    assert_eq!(fresh(&graph, q, &Default::default()).len(), 4);
}

#[test]
fn late_parameters_are_read_at_each_run_and_others_stay_folded() {
    let graph = Graph::in_memory();
    write(
        &graph,
        "CREATE (a:P {v: 1}), (b:P {v: 2}), (c:P {v: 3}), (a)-[:R]->(b), (b)-[:R]->(c)",
    );
    let q = "MATCH (x:P)-[:R]->(y:P) WHERE id(x) IN $ids AND y.v >= $min RETURN x.v AS x, y.v AS y";
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    let opts = QueryOptions::default();
    let snap = graph.snapshot();
    let ids = ints(&graph, "MATCH (n:P) RETURN id(n) AS i ORDER BY n.v");
    let mut params = BTreeMap::from([
        ("ids".to_string(), Value::List(Vec::new())),
        ("min".to_string(), Value::Int(3)),
    ]);
    let prepared = prepare(&stmt, &params, &snap, &opts, &["ids".to_string()]).expect("prepares");

    // The last list is long enough to be hashed.
    let long: Vec<i64> = (100..120).chain([ids[1]]).collect();
    for pick in [
        vec![ids[0]],
        vec![ids[1]],
        vec![ids[0], ids[1]],
        vec![],
        long,
    ] {
        let list = Value::List(pick.iter().map(|i| Value::Int(*i)).collect());
        params.insert("ids".to_string(), list.clone());
        let late = LateParams::new(BTreeMap::from([("ids".to_string(), list)]));
        // `min` is folded: changing it here must not change the answer.
        let mut run_params = params.clone();
        run_params.insert("min".to_string(), Value::Int(0));
        let got = prepared
            .execute(&run_params, &late, &snap, &opts)
            .expect("runs");
        assert_eq!(
            sorted(got.result.rows),
            fresh(&graph, q, &params),
            "ids {pick:?}"
        );
    }
}

#[test]
fn a_new_name_makes_the_plan_not_fit() {
    let graph = Graph::in_memory();
    write(&graph, "CREATE (:P {v: 1})");
    let q = "MATCH (n:Q) RETURN n.v AS v";
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    let opts = QueryOptions::default();
    let prepared =
        prepare(&stmt, &Default::default(), &graph.snapshot(), &opts, &[]).expect("prepares");
    write(&graph, "CREATE (:P {v: 2})");
    assert!(prepared.fits(&graph.snapshot()));
    write(&graph, "CREATE (:Q {v: 3})");
    let snap = graph.snapshot();
    assert!(!prepared.fits(&snap), "label Q is new");
    // Names the plan did not know are resolved when it runs: even a plan
    // that no longer fits answers correctly (it may only be slower).
    let rows = prepared
        .execute(&Default::default(), &LateParams::default(), &snap, &opts)
        .expect("runs")
        .result
        .rows;
    assert_eq!(rows, vec![vec![ResultValue::Int(3)]]);
}

#[test]
fn an_expansion_restricted_to_listed_relationships_gives_what_the_filter_gives() {
    let graph = Graph::in_memory();
    // A hub with many relationships of two types both ways, a self-loop,
    // and parallel relationships.
    write(
        &graph,
        "CREATE (h:H {v: 0}) WITH h UNWIND range(1, 40) AS i \
         CREATE (h)-[:R {i: i}]->(:P {v: i}), (h)<-[:S {i: i}]-(:P {v: -i})",
    );
    write(
        &graph,
        "MATCH (h:H) CREATE (h)-[:R {i: 100}]->(h), (h)-[:R {i: 101}]->(h)",
    );
    let all = ints(&graph, "MATCH ()-[r]->() RETURN id(r) AS i");
    let queries = [
        "MATCH (h:H)-[r:R]->(x) WHERE id(r) IN $ids RETURN r.i AS i, x.v AS v",
        "MATCH (h:H)-[r]-(x) WHERE id(r) IN $ids RETURN r.i AS i, x.v AS v",
        "MATCH (h:H)<-[r:S|R]-(x) WHERE id(r) IN $ids RETURN r.i AS i, x.v AS v",
        "MATCH (h:H)-[r:R]->(h) WHERE id(r) IN $ids RETURN r.i AS i",
        "MATCH (h:H)-[r]-(x) WHERE id(r) = $ids[0] RETURN r.i AS i, x.v AS v",
        // A list read from the row: looked at per row, not indexed once.
        "MATCH (h:H) WITH h, $ids AS ids MATCH (h)-[r]-(x) WHERE id(r) IN ids RETURN r.i AS i, x.v AS v",
    ];
    let picks: Vec<Vec<Value>> = vec![
        vec![],
        vec![Value::Int(all[0])],
        all.iter().take(5).map(|i| Value::Int(*i)).collect(),
        // duplicates, a missing id, values of other types
        vec![
            Value::Int(all[3]),
            Value::Int(all[3]),
            Value::Int(1 << 40),
            Value::Null,
            Value::from("x"),
            Value::Float(all[7] as f64),
        ],
        all.iter().rev().take(3).map(|i| Value::Int(*i)).collect(),
    ];
    for q in queries {
        let explain = relgraph_cypher::parse(&format!("EXPLAIN {q}")).expect("parses");
        let params = BTreeMap::from([("ids".to_string(), Value::List(vec![Value::Int(0)]))]);
        let plan = execute(
            &explain,
            &params,
            &graph.snapshot(),
            &QueryOptions::default(),
        )
        .expect("explain runs")
        .result
        .plan
        .expect("a plan");
        assert!(plan.contains(") by id list"), "{q}:\n{plan}");
        for pick in &picks {
            let params = BTreeMap::from([("ids".to_string(), Value::List(pick.clone()))]);
            let got = fresh(&graph, q, &params);
            // The same filter applied after a full expansion (`+ 0` keeps
            // the planner from reading the ids as candidates).
            let reference = q.replace("id(r)", "(id(r) + 0)");
            assert_eq!(got, fresh(&graph, &reference, &params), "{q} with {pick:?}");
        }
    }
}
