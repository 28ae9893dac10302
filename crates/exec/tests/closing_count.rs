//! The fused closing expansion (`Expand -> ExpandInto`, counting when a
//! `count(*)` follows: `ExpandCount -> ExpandInto`): a counted triangle
//! must give the same numbers as plans that materialize every row,
//! including with parallel edges, self-loops and two-way edges
//! (relationship uniqueness).

use relgraph_exec::result::ResultValue;
use relgraph_exec::{execute, execute_in, QueryOptions};

fn graph() -> relgraph_graph::Graph {
    let graph = relgraph_graph::Graph::in_memory();
    let mut txn = graph.begin_write().expect("in-memory write transaction");
    let setup =
        "CREATE (a:P {id: 1}), (b:P {id: 2}), (c:P {id: 3}), (d:P {id: 4}), (e:Q {id: 5}), \
         (a)-[:K]->(b), (b)-[:K]->(c), (a)-[:K]->(c), (a)-[:K]->(c), (c)-[:K]->(a), \
         (b)-[:K]->(d), (a)-[:K]->(d), (d)-[:K]->(d), (d)-[:K]->(a), (b)-[:K]->(a), \
         (c)-[:K]->(e), (a)-[:K]->(e), (b)-[:K]->(b)";
    let stmt = relgraph_cypher::parse(setup).expect("setup parses");
    execute_in(
        &stmt,
        &Default::default(),
        &mut txn,
        &QueryOptions::default(),
    )
    .expect("setup runs");
    txn.commit().expect("setup commits");
    graph
}

fn run(graph: &relgraph_graph::Graph, q: &str) -> (Vec<Vec<ResultValue>>, Option<String>) {
    let stmt = relgraph_cypher::parse(q).expect("query parses");
    let out = execute(
        &stmt,
        &Default::default(),
        &graph.snapshot(),
        &QueryOptions::default(),
    )
    .expect("query runs");
    let mut rows = out.result.rows;
    rows.sort_by_key(|r| format!("{r:?}"));
    (rows, out.result.plan)
}

#[test]
fn fused_triangle_count_matches_materialized_rows() {
    let g = graph();
    for pattern in [
        "(a:P)-[:K]->(b:P)-[:K]->(c:P), (a)-[:K]->(c)",
        "(a)-[:K]->(b)-[:K]->(c), (a)-[:K]->(c)",
        "(a:P)-[:K]-(b)-[:K]->(c), (c)-[:K]-(a)",
        "(a)-[:K]->(b)-[:K]->(c), (c)-[:K]->(a)",
    ] {
        let (plan_rows, plan) = run(&g, &format!("EXPLAIN MATCH {pattern} RETURN count(*) AS n"));
        assert!(plan_rows.is_empty());
        let plan = plan.expect("EXPLAIN returns a plan");
        assert!(
            plan.contains("Count(") && plan.contains("-> ExpandInto("),
            "{pattern}: not fused:\n{plan}"
        );
        let (fused, _) = run(&g, &format!("MATCH {pattern} RETURN count(*) AS n"));
        // sum(1) is no plain count: every row is materialized.
        let (rows, _) = run(&g, &format!("MATCH {pattern} RETURN sum(1) AS n"));
        assert_eq!(fused, rows, "{pattern}");
        let (fused, _) = run(
            &g,
            &format!("MATCH {pattern} RETURN a.id AS a, count(*) AS n"),
        );
        let (rows, _) = run(
            &g,
            &format!("MATCH {pattern} RETURN a.id AS a, sum(1) AS n"),
        );
        assert_eq!(fused, rows, "{pattern} grouped");
        assert!(!fused.is_empty(), "{pattern}: the graph has triangles");
    }
}

#[test]
fn a_read_target_is_fused_but_not_counted() {
    let g = graph();
    let q = "MATCH (a)-[:K]->(b)-[:K]->(c), (a)-[:K]->(c) RETURN c.id AS c, count(*) AS n";
    let (_, plan) = run(&g, &format!("EXPLAIN {q}"));
    let plan = plan.expect("EXPLAIN returns a plan");
    // The closing expansion runs fused (one row per closing pair), and the
    // rows are counted by the aggregation, which reads the target.
    assert!(plan.contains("-> ExpandInto("), "not fused:\n{plan}");
    assert!(
        !plan.contains("Count("),
        "counted although c is read:\n{plan}"
    );
    let (counted, _) = run(&g, q);
    let (rows, _) = run(
        &g,
        "MATCH (a)-[:K]->(b)-[:K]->(c), (a)-[:K]->(c) RETURN c.id AS c, sum(1) AS n",
    );
    assert_eq!(counted, rows);
}
