//! A label scan checks the filters right after it that compare a property
//! with a constant (`=`, `<>`, `<`, `<=`, `>`, `>=`) on each node, instead
//! of interpreting them per row: the answers are those of the same
//! comparison evaluated as an expression.

mod common;

use relgraph::{Database, Params};

#[test]
fn fused_equalities_answer_as_the_expression_does() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:N {i: 0, v: 1}), (:N {i: 1, v: 1.0}), (:N {i: 9, v: 0.0 / 0.0}), (:N {i: 2, v: '1'}), (:N {i: 3, v: true}), \
         (:N {i: 4, v: [1]}), (:N {i: 5}), (:N {i: 6, v: 2, w: 'x'}), (:N {i: 7, v: 1, w: 'x'}), \
         (:M {i: 8, v: 1})",
        &Params::new(),
    )
    .expect("the graph");
    let values = [
        "1", "1.0", "'1'", "true", "[1]", "null", "2", "0.5", "[1.0]",
    ];
    for v in values {
        for (fused, reference) in [
            (
                format!("MATCH (n:N {{v: {v}}}) RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE n.v = {v} RETURN n.i"),
            ),
            (
                format!("MATCH (n:N) WHERE {v} = n.v AND n.w = 'x' RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE {v} = n.v AND n.w = 'x' RETURN n.i"),
            ),
            (
                format!("MATCH (n {{v: {v}}}) RETURN n.i"),
                format!("MATCH (n) WITH n WHERE n.v = {v} RETURN n.i"),
            ),
            (
                format!("MATCH (n:N {{nokey: {v}}}) RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE n.nokey = {v} RETURN n.i"),
            ),
            (
                format!("MATCH (n:N) WHERE n.v < {v} RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE n.v < {v} RETURN n.i"),
            ),
            (
                format!("MATCH (n:N) WHERE {v} >= n.v AND n.v <> 2 RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE {v} >= n.v AND n.v <> 2 RETURN n.i"),
            ),
            (
                format!("MATCH (n:N) WHERE n.v > {v} AND {v} <= n.w RETURN n.i"),
                format!("MATCH (n:N) WITH n WHERE n.v > {v} AND {v} <= n.w RETURN n.i"),
            ),
        ] {
            let run = |q: &str| {
                common::sorted_rows(
                    &db.query(q, &Params::new())
                        .unwrap_or_else(|e| panic!("{q}: {e}"))
                        .rows,
                )
            };
            assert_eq!(run(&fused), run(&reference), "{fused}");
            // PROFILE runs operators one at a time: never fused.
            let profiled = db
                .query(&format!("PROFILE {fused}"), &Params::new())
                .expect("PROFILE runs");
            assert_eq!(
                common::sorted_rows(&profiled.rows),
                run(&reference),
                "{fused}"
            );
        }
    }
    let plan = db
        .query("EXPLAIN MATCH (n:N {v: 1}) RETURN n.i", &Params::new())
        .expect("EXPLAIN runs")
        .plan
        .unwrap_or_default();
    let scan = plan
        .lines()
        .position(|l| l.contains("NodeByLabelScan"))
        .expect("a scan");
    assert!(
        plan.lines()
            .nth(scan - 1)
            .is_some_and(|l| l.contains("Filter")),
        "{plan}"
    );
}
