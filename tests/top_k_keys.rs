//! Law: ORDER BY ... LIMIT k returns the first k rows of the same ORDER
//! BY without a LIMIT (ties in input order), although the top-k reads a
//! row's later keys only while its earlier ones tie with the k-th row,
//! and after an aggregation computes the returned properties that are no
//! sort key only for the groups it keeps; and a later key or returned
//! property that fails still fails, wherever the row ranks.

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

    /// Grouped, then returned with properties that are no sort key (they
    /// wait for the top-k): the same rows as the head of the full sort.
    #[test]
    fn top_k_after_groups_is_the_head_of_the_full_sort(
        nodes in nodes(),
        k in 1usize..10,
        desc in any::<bool>(),
    ) {
        let db = load(&nodes);
        let d = if desc { " DESC" } else { "" };
        let q = |limit: &str| {
            format!(
                "MATCH (n:N) WITH n, sum(coalesce(n.a, 0)) AS c \
                 RETURN n.i AS i, c, n.name AS name, n AS node ORDER BY c{d}, name {limit}"
            )
        };
        let full = rows(&db, &q(""));
        let top = rows(&db, &q(&format!("LIMIT {k}")));
        let head: Vec<String> = full.into_iter().take(k).collect();
        prop_assert_eq!(top, head);
    }

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

/// Enough groups for the pass after the aggregation to be shared between
/// threads: the top-k with returned properties that wait for it gives the
/// head of the full sort, ties on the sort key included.
#[test]
fn top_k_after_many_groups_is_the_head_of_the_full_sort() {
    let db = Database::in_memory();
    db.query(
        "UNWIND range(0, 4999) AS i CREATE (:N {i: i, a: i % 7, name: 'n' + toString(i % 13)})",
        &Params::new(),
    )
    .expect("nodes created");
    // The name as a later key waits too, read only for the groups whose
    // count ties the k-th's.
    for order in ["c DESC", "c DESC, name", "c, name DESC, i"] {
        let q = |limit: &str| {
            format!(
                "MATCH (n:N) WITH n, sum(n.a) AS c \
                 RETURN n.name AS name, n.i AS i, c ORDER BY {order} {limit}"
            )
        };
        let full = rows(&db, &q(""));
        assert_eq!(full.len(), 5000);
        for k in [1, 10, 700, 4096] {
            let top = rows(&db, &q(&format!("LIMIT {k}")));
            assert_eq!(top, full[..k].to_vec(), "{order} LIMIT {k}");
        }
    }
}

/// A returned property that fails (of an integer) fails the statement
/// even on a group the top-k does not keep, although such properties
/// wait for the top-k.
#[test]
fn a_failing_returned_property_still_fails() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:N {a: 5, name: 'x'}), (:N {a: 4, name: 'y'}), (:N {a: 1, name: 'z'})",
        &Params::new(),
    )
    .expect("nodes created");
    let q = "MATCH (n:N) WITH n, sum(n.a) AS c \
             WITH c, CASE WHEN c > 3 THEN n ELSE c END AS v \
             RETURN v.name AS name, c ORDER BY c DESC LIMIT 1";
    let e = db
        .query(q, &Params::new())
        .map(|r| r.rows.len())
        .expect_err("v.name of an integer");
    assert!(e.message.contains("INTEGER"), "{}", e.message);
    // The groups that do not fail are kept as ever.
    let ok = rows(&db, &q.replace("ELSE c END", "ELSE null END"));
    assert_eq!(ok.len(), 1);
    assert!(ok[0].contains("\"x\""), "{ok:?}");
}
