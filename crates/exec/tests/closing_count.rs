//! The fused closing expansion (`Expand -> ExpandInto`, counting when a
//! `count(*)` follows: `ExpandCount -> ExpandInto`): a counted triangle
//! must give the same numbers as plans that materialize every row,
//! including with parallel edges, self-loops and two-way edges
//! (relationship uniqueness).

use relgraph_exec::result::ResultValue;
use relgraph_exec::{execute, execute_in, QueryOptions};

fn graph() -> relgraph_graph::Graph {
    let graph = relgraph_graph::Graph::in_memory();
    write(
        &graph,
        "CREATE (a:P {id: 1}), (b:P {id: 2}), (c:P {id: 3}), (d:P {id: 4}), (e:Q {id: 5}), \
         (a)-[:K]->(b), (b)-[:K]->(c), (a)-[:K]->(c), (a)-[:K]->(c), (c)-[:K]->(a), \
         (b)-[:K]->(d), (a)-[:K]->(d), (d)-[:K]->(d), (d)-[:K]->(a), (b)-[:K]->(a), \
         (c)-[:K]->(e), (a)-[:K]->(e), (b)-[:K]->(b)",
    );
    graph
}

/// Runs `setup` in one committed write transaction.
fn write(graph: &relgraph_graph::Graph, setup: &str) {
    let mut txn = graph.begin_write().expect("in-memory write transaction");
    let stmt = relgraph_cypher::parse(setup).expect("setup parses");
    execute_in(
        &stmt,
        &Default::default(),
        &mut txn,
        &QueryOptions::default(),
    )
    .expect("setup runs");
    txn.commit().expect("setup commits");
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

/// `graph()` with a hub: node 9 has 40 incoming `K` edges from new nodes,
/// two from nodes of the triangle part and a self-loop, so that a pair's second list
/// is more than 16 times the first (the hub branch of the intersection).
fn graph_with_hub() -> relgraph_graph::Graph {
    let g = graph();
    write(
        &g,
        "MATCH (a:P {id: 1}), (b:P {id: 2}), (e:Q {id: 5}) \
         CREATE (h:P {id: 9}), (a)-[:K]->(h), (b)-[:K]->(h), (h)-[:K]->(a), (h)-[:K]->(h), \
         (e)-[:K]->(a), (e)-[:K]->(b), (e)-[:K]->(a) \
         WITH h UNWIND range(100, 139) AS i CREATE (:Q {id: i})-[:K]->(h)",
    );
    g
}

/// Counts and existence of one hop closed by a second into a bound node
/// (`size((a)-[:K]->(m)<-[:K]-(b))`, `EXISTS`), answered from the row in
/// place, against the same pairs matched in two separate one-hop steps
/// with uniqueness written out, for every pair of nodes (`a = b`
/// included: one relationship may not serve both hops), over parallel
/// edges, self-loops, two-way edges, a labelled middle and a hub.
#[test]
fn closed_pattern_counts_between_bound_nodes_match_two_single_hops() {
    let g = graph_with_hub();
    for (first, second, middle) in [
        ("-[r1:K]->", "<-[r2:K]-", ""),
        ("-[r1:K]->", "<-[r2:K]-", ":P"),
        ("-[r1:K]->", "-[r2:K]->", ""),
        ("-[r1:K]->", "<-[r2:K]-", ":Q"),
        ("<-[r1:K]-", "-[r2:K]->", ":Q"),
        ("-[r1:K]-", "-[r2:K]-", ""),
        ("-[r1:K]-", "<-[r2:K]-", ":P"),
    ] {
        let pattern = format!("(a){first}(m{middle}){second}(b)");
        let anonymous = pattern.replace("r1", "").replace("r2", "");
        let (counted, _) = run(
            &g,
            &format!(
                "MATCH (a), (b) RETURN a.id AS a, b.id AS b, \
                 size([{anonymous} | m]) AS n, EXISTS {{ {anonymous} }} AS some"
            ),
        );
        let (stepwise, _) = run(
            &g,
            &format!(
                "MATCH (a), (b) OPTIONAL MATCH (a){first}(m{middle}) \
                 WITH a, b, r1, m OPTIONAL MATCH (m){second}(b) WHERE r2 <> r1 \
                 WITH a, b, count(r2) AS n RETURN a.id AS a, b.id AS b, n, n > 0 AS some"
            ),
        );
        assert_eq!(counted, stepwise, "{pattern}");
        let total: i64 = counted
            .iter()
            .map(|r| match r[2] {
                ResultValue::Int(n) => n,
                ref v => panic!("{pattern}: count {v:?}"),
            })
            .sum();
        assert!(total >= 2, "{pattern}: only {total} pairs in all");
    }
}
