//! Law: ORDER BY ... LIMIT k returns the first k rows of the same ORDER
//! BY without a LIMIT (ties in input order), although the top-k reads a
//! row's later keys only while its earlier ones tie with the k-th row;
//! and a later key that fails still fails, wherever the row ranks.

use proptest::prelude::*;
use relgraph::{Database, Params};

/// A node's `a` (a small integer or none) and `name` (one of a few, or
/// none): many ties on both keys.
fn nodes() -> impl Strategy<Value = Vec<(Option<i64>, Option<&'static str>)>> {
    proptest::collection::vec(
        (
            proptest::option::of(0i64..4),
            proptest::option::of(prop_oneof![Just("ada"), Just("bo"), Just("cy")]),
        ),
        0..40,
    )
}

fn load(nodes: &[(Option<i64>, Option<&str>)]) -> Database {
    let db = Database::in_memory();
    for (i, (a, name)) in nodes.iter().enumerate() {
        let mut props = vec![format!("i: {i}")];
        props.extend(a.map(|a| format!("a: {a}")));
        props.extend(name.map(|n| format!("name: '{n}'")));
        db.query(
            &format!("CREATE (:N {{{}}})", props.join(", ")),
            &Params::new(),
        )
        .expect("node created");
    }
    db
}

fn rows(db: &Database, q: &str) -> Vec<String> {
    db.query(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
        .iter()
        .map(|r| format!("{r:?}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn top_k_is_the_head_of_the_full_sort(
        nodes in nodes(),
        k in 1usize..10,
        first_desc in any::<bool>(),
        second_desc in any::<bool>(),
    ) {
        let db = load(&nodes);
        let (d1, d2) = (
            if first_desc { " DESC" } else { "" },
            if second_desc { " DESC" } else { "" },
        );
        // Keys read from the node itself (evaluated per row, not slots).
        let order = format!("ORDER BY n.a{d1}, n.name{d2}");
        let full = rows(&db, &format!("MATCH (n:N) WITH n {order} RETURN n.i AS i"));
        let top = rows(&db, &format!("MATCH (n:N) WITH n {order} LIMIT {k} RETURN n.i AS i"));
        let head: Vec<String> = full.into_iter().take(k).collect();
        prop_assert_eq!(top, head);
    }
}

/// A later key that fails (a division by zero) fails the statement even
/// on a row whose first key already ranks it out of the top k.
#[test]
fn a_failing_later_key_still_fails() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:N {a: 5, b: 1}), (:N {a: 4, b: 2}), (:N {a: 1, b: 0})",
        &Params::new(),
    )
    .expect("nodes created");
    let e = db
        .query(
            "MATCH (n:N) WITH n ORDER BY n.a DESC, 10 / n.b LIMIT 1 RETURN n.a AS a",
            &Params::new(),
        )
        .map(|r| r.rows.len())
        .expect_err("10 / 0 is evaluated");
    assert!(e.message.contains("/ by zero"), "{}", e.message);
    // A property of something that is not a node is an error too.
    let e = db
        .query(
            "UNWIND [[9, null], [8, null], [1, 3]] AS l WITH l[0] AS a, l[1] AS x \
             ORDER BY a DESC, x.name LIMIT 1 RETURN a",
            &Params::new(),
        )
        .map(|r| r.rows.len())
        .expect_err("x.name of an integer");
    assert!(!e.message.is_empty());
}
