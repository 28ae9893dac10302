//! Law: on random small graphs, a random query of the subset in
//! `tests/reference` returns the same multiset of rows from the engine as
//! from the naive reference evaluator.

mod reference;

use proptest::prelude::*;
use reference::eval::{evaluate, Val};
use reference::graph::{graph_strategy, Graph, Node, Rel};
use reference::query::{
    query_strategy, Agg, CmpOp, Dir, Item, NodePat, Operand, Pred, Query, RelPat,
};
use relgraph::{Database, Params, ResultValue};

/// Builds `g` in a fresh in-memory database.
fn load(g: &Graph) -> Database {
    let db = Database::in_memory();
    let create = g.create_statement();
    db.query(&create, &Params::new())
        .unwrap_or_else(|e| panic!("graph setup failed: {e}\n{create}"));
    db
}

/// Runs `text` on the engine, as integer-or-null rows, sorted unless
/// `ordered` (the query fixes the order itself).
fn engine_rows(db: &Database, text: &str, ordered: bool) -> Result<Vec<Vec<Val>>, String> {
    let result = db
        .query(text, &Params::new())
        .map_err(|e| format!("engine error: {e}"))?;
    let mut rows = Vec::with_capacity(result.rows.len());
    for row in &result.rows {
        let mut out = Vec::with_capacity(row.len());
        for v in row {
            out.push(match v {
                ResultValue::Null => None,
                ResultValue::Int(i) => Some(*i),
                other => return Err(format!("engine returned a non-integer value {other:?}")),
            });
        }
        rows.push(out);
    }
    if !ordered {
        rows.sort();
    }
    Ok(rows)
}

/// Compares engine and reference on one graph and query; the error names
/// the setup statement and the query so a failure can be replayed by hand.
fn check(db: &Database, g: &Graph, q: &Query) -> Result<(), String> {
    let text = q.text();
    let expected = evaluate(g, q);
    let actual = engine_rows(db, &text, q.order.is_some())
        .map_err(|e| format!("{e}\nsetup: {}\nquery: {text}", g.create_statement()))?;
    if actual != expected {
        return Err(format!(
            "engine and reference differ\nsetup: {}\nquery: {text}\nengine:    {actual:?}\nreference: {expected:?}",
            g.create_statement()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 512 cases of 4 queries take ~5 s in debug; PROPTEST_CASES=N runs more.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_matches_reference(g in graph_strategy(), queries in proptest::collection::vec(query_strategy(), 4)) {
        let db = load(&g);
        for q in &queries {
            if let Err(msg) = check(&db, &g, q) {
                prop_assert!(false, "{}", msg);
            }
        }
    }
}

// The oracle's own laws, on a fixed graph, hand-computed: a reference that
// is wrong in the same way as the engine would hide a bug.

/// n0:A(v 1) -R-> n1:B(v null) -S-> n2:A:B(v 3), n2 -R-> n0, and a
/// self-loop n1 -R-> n1.
fn fixed_graph() -> Graph {
    let node = |labels, v| Node { labels, v };
    let rel = |start, end, ty| Rel { start, end, ty };
    Graph {
        nodes: vec![
            node(0b001, Some(1)),
            node(0b010, None),
            node(0b011, Some(3)),
        ],
        rels: vec![rel(0, 1, 0), rel(1, 2, 1), rel(2, 0, 0), rel(1, 1, 0)],
    }
}

fn any_node() -> NodePat {
    NodePat {
        labels: 0,
        v_eq: None,
    }
}

fn hop(dir: Dir, var_len: bool) -> RelPat {
    RelPat {
        types: 0,
        dir,
        var_len,
    }
}

fn chain(nodes: usize, rels: Vec<RelPat>, items: Vec<Item>) -> Query {
    Query {
        nodes: vec![any_node(); nodes],
        rels,
        optional: None,
        filter: None,
        items,
        distinct: false,
        order: None,
    }
}

fn count_star() -> Vec<Item> {
    vec![Item::Agg(Agg::CountStar)]
}

/// Runs `q` on both sides and returns the reference's rows.
fn both(q: &Query) -> Vec<Vec<Val>> {
    let g = fixed_graph();
    check(&load(&g), &g, q).unwrap_or_else(|e| panic!("{e}"));
    evaluate(&g, q)
}

#[test]
fn undirected_self_loop_matches_once() {
    let q = chain(1, vec![hop(Dir::Both, false)], count_star());
    assert_eq!(q.text(), "MATCH (n0)--(n0) RETURN count(*) AS c0");
    assert_eq!(both(&q), vec![vec![Some(1)]]);
    // Directed and undirected single hops: 4 relationships, each matched
    // from both ends when undirected except the self-loop.
    assert_eq!(
        both(&chain(2, vec![hop(Dir::Out, false)], count_star())),
        vec![vec![Some(4)]]
    );
    assert_eq!(
        both(&chain(2, vec![hop(Dir::Both, false)], count_star())),
        vec![vec![Some(7)]]
    );
}

#[test]
fn relationship_uniqueness_within_a_match() {
    // Two-hop directed walks over two distinct relationships: 0-1-2,
    // 0-1-1 (through the loop), 1-1-2, 1-2-0, 2-0-1; 1-1-1 would take the
    // self-loop twice.
    let q = chain(
        3,
        vec![hop(Dir::Out, false), hop(Dir::Out, false)],
        count_star(),
    );
    assert_eq!(both(&q), vec![vec![Some(5)]]);
    // The directed triangle, closed on n0: three rotations.
    let tri = chain(3, vec![hop(Dir::Out, false); 3], count_star());
    assert_eq!(
        tri.text(),
        "MATCH (n0)-->(n1)-->(n2)-->(n0) RETURN count(*) AS c0"
    );
    assert_eq!(both(&tri), vec![vec![Some(3)]]);
}

#[test]
fn where_keeps_only_true_under_three_valued_logic() {
    // n1.v is null: `NOT (v = 1)` is null there, so only n2 (v 3) passes.
    let mut q = chain(1, vec![], vec![Item::Key(Operand::K(0))]);
    q.filter = Some(Pred::Not(Box::new(Pred::Cmp(
        Operand::V(0),
        CmpOp::Eq,
        Operand::Lit(1),
    ))));
    assert_eq!(both(&q), vec![vec![Some(2)]]);
    // `v IN [1, null]`: true for n0, null for n1 and n2.
    q.filter = Some(Pred::In(Operand::V(0), vec![Some(1), None]));
    assert_eq!(both(&q), vec![vec![Some(0)]]);
    // `null OR true` is true.
    q.filter = Some(Pred::Or(
        Box::new(Pred::Cmp(Operand::Null, CmpOp::Eq, Operand::Lit(1))),
        Box::new(Pred::IsNull(Operand::V(0))),
    ));
    assert_eq!(both(&q), vec![vec![Some(1)]]);
}

#[test]
fn aggregates_skip_nulls_and_empty_input_gives_one_row() {
    let items = vec![
        Item::Agg(Agg::CountStar),
        Item::Agg(Agg::Count(Operand::V(0))),
        Item::Agg(Agg::Sum(Operand::V(0))),
        Item::Agg(Agg::Max(Operand::V(0))),
    ];
    let mut q = chain(1, vec![], items);
    assert_eq!(both(&q), vec![vec![Some(3), Some(2), Some(4), Some(3)]]);
    q.nodes[0].labels = 0b100; // no node has label C
    assert_eq!(both(&q), vec![vec![Some(0), Some(0), Some(0), None]]);
}

#[test]
fn optional_match_keeps_unmatched_rows_with_null() {
    // Outgoing R relationships: n0 -> n1 (B), n1 -> n1 (B), n2 -> n0 (A);
    // only n2 reaches a node labelled A.
    let mut q = chain(
        1,
        vec![],
        vec![Item::Key(Operand::K(0)), Item::Key(Operand::K(1))],
    );
    q.optional = Some((
        RelPat {
            types: 0b01,
            dir: Dir::Out,
            var_len: false,
        },
        NodePat {
            labels: 0b001,
            v_eq: None,
        },
    ));
    assert_eq!(
        q.text(),
        "MATCH (n0) OPTIONAL MATCH (n0)-[:R]->(n1:A) RETURN n0.k AS c0, n1.k AS c1"
    );
    assert_eq!(
        both(&q),
        vec![
            vec![Some(0), None],
            vec![Some(1), None],
            vec![Some(2), Some(0)]
        ]
    );
}
