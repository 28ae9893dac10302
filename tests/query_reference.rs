//! Law: on random small graphs, a random query of the subset in
//! `tests/reference` returns the same multiset of rows from the engine as
//! from the naive reference evaluator.

mod reference;

use proptest::prelude::*;
use reference::eval::{evaluate, Val};
use reference::graph::{graph_strategy, Graph};
use reference::query::{query_strategy, Query};
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
        cases: 256,
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
