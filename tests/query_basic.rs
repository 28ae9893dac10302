//! End-to-end read and write queries through the public API.

use relgraph::{Database, Params, ResultValue, Value};

fn db_with(setup: &str) -> Database {
    let db = Database::in_memory();
    db.query(setup, &Params::new()).expect("setup query runs");
    db
}

fn ints(db: &Database, q: &str) -> Vec<i64> {
    let res = db
        .query(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    res.rows
        .iter()
        .map(|r| match &r[0] {
            ResultValue::Int(i) => *i,
            other => panic!("{q}: got {other:?}"),
        })
        .collect()
}

#[test]
fn match_return_property() {
    let db = db_with("CREATE (:L {x: 1}), (:L {x: 2}), (:M {x: 3})");
    let mut got = ints(&db, "MATCH (n:L) RETURN n.x");
    got.sort();
    assert_eq!(got, vec![1, 2]);
}

#[test]
fn expand_and_filter() {
    let db = db_with(
        "CREATE (a:P {name: 'a', age: 30})-[:KNOWS]->(b:P {name: 'b', age: 40}), (b)-[:KNOWS]->(c:P {name: 'c', age: 50}), (a)-[:KNOWS]->(c)",
    );
    let res = db
        .query("MATCH (x:P)-[:KNOWS]->(y:P) WHERE y.age > 35 RETURN x.name AS x, y.name AS y ORDER BY x, y", &Params::new())
        .unwrap();
    let pairs: Vec<(String, String)> = res
        .rows()
        .map(|r| (r.get::<String>("x").unwrap(), r.get::<String>("y").unwrap()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("a".into(), "b".into()),
            ("a".into(), "c".into()),
            ("b".into(), "c".into())
        ]
    );
}

#[test]
fn aggregation_and_order() {
    let db = db_with("UNWIND range(1, 10) AS i CREATE (:N {g: i % 3, v: i})");
    let res = db
        .query(
            "MATCH (n:N) RETURN n.g AS g, count(*) AS c, sum(n.v) AS s ORDER BY g",
            &Params::new(),
        )
        .unwrap();
    let rows: Vec<(i64, i64, i64)> = res
        .rows()
        .map(|r| {
            (
                r.get("g").unwrap(),
                r.get("c").unwrap(),
                r.get("s").unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, vec![(0, 3, 18), (1, 4, 22), (2, 3, 15)]);
    assert_eq!(
        ints(&db, "MATCH (n:N) RETURN n.v ORDER BY n.v DESC LIMIT 3"),
        vec![10, 9, 8]
    );
    assert_eq!(ints(&db, "MATCH (n:Nope) RETURN count(n)"), vec![0]);
}

#[test]
fn parameters_and_unwind() {
    let db = Database::in_memory();
    let mut p = Params::new();
    p.insert(
        "xs".into(),
        Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
    );
    let res = db
        .query("UNWIND $xs AS x WITH x WHERE x > 1 RETURN x * 2 AS y", &p)
        .unwrap();
    let ys: Vec<i64> = res.rows().map(|r| r.get("y").unwrap()).collect();
    assert_eq!(ys, vec![4, 6]);
}

#[test]
fn cycles_closed_by_intersecting_lists_match_as_probing_would() {
    // Two self-loops on one node (an undirected self-loop matches once),
    // a triangle with one doubled side, and a labelled corner.
    let db = db_with(
        "CREATE (s:S), (s)-[:T]->(s), (s)-[:U]->(s), \
                (a:P {v: 1}), (b:P {v: 2}), (c:Q {v: 3}), \
                (a)-[:T]->(b), (b)-[:T]->(c), (c)-[:T]->(a), (a)-[:U]->(b)",
    );
    // r and s are distinct self-loops of s: (L0, L1) and (L1, L0).
    assert_eq!(
        ints(&db, "MATCH (x:S)-[r]-(y)-[s]-(x) RETURN count(*)"),
        vec![2]
    );
    // Undirected triangles a-b-c through either a-b relationship: each of
    // the 3! orderings of the corners, doubled where a-b is crossed (s's
    // two loops make no cycle of three distinct relationships).
    assert_eq!(
        ints(&db, "MATCH (x)-[r]-(y)-[s]-(z)-[t]-(x) RETURN count(*)"),
        vec![12]
    );
    // The target's labels hold: y must be a Q.
    assert_eq!(
        ints(
            &db,
            "MATCH (x)-[:T]->(y:Q)-[:T]->(z)-[:T]->(x) RETURN count(*)"
        ),
        vec![1]
    );
    // Closing at a hub (its list 20 times the target's): a chain of 20
    // spokes, each joined to the next, every one from the hub.
    let hub = db_with("CREATE (h:H) WITH h UNWIND range(0, 19) AS i CREATE (h)-[:T]->(:S {i: i})");
    hub.query(
        "MATCH (a:S), (b:S) WHERE b.i = a.i + 1 CREATE (a)-[:T]->(b)",
        &Params::new(),
    )
    .expect("the chain is created");
    assert_eq!(
        ints(
            &hub,
            "MATCH (h:H)-[:T]->(a)-[:T]->(b)<-[:T]-(h) RETURN count(*)"
        ),
        vec![19]
    );
    assert_eq!(
        ints(
            &hub,
            "MATCH (h:H)-[:T]->(a)-[:T]-(b)-[:T]-(h) RETURN count(*)"
        ),
        vec![38]
    );
    // Directed around the triangle from a, through either a-b relationship.
    assert_eq!(
        ints(
            &db,
            "MATCH (x {v: 1})-[r]->(y)-[s]->(z)-[t]->(x) RETURN count(*)"
        ),
        vec![2]
    );
}

#[test]
fn size_of_a_pattern_comprehension_counts_its_matches() {
    let db = db_with(
        "CREATE (a:C {n: 1}), (b:C {n: 2}), (t1:T {k: 'bug'}), (t2:T {k: 'idea'}), (x:X), \
                (a)-[:O]->(t1), (a)-[:O]->(t1), (a)-[:O]->(t2), (a)-[:O]->(x), (b)-[:O]->(t2)",
    );
    // Counted (the projection is a variable) against collected (a list
    // projection), with labels, properties, a WHERE and parallel edges.
    for pattern in [
        "(c)-[:O]->(t:T)",
        "(c)-[:O]->(t:T {k: 'bug'})",
        "(c)-[r:O]->(t) WHERE NOT t:X",
        "(c)-[:O]-(t)<-[:O]-(c)",
    ] {
        let counted = ints(
            &db,
            &format!("MATCH (c:C) RETURN size([{pattern} | t]) AS k ORDER BY c.n"),
        );
        let collected = ints(
            &db,
            &format!("MATCH (c:C) RETURN size([{pattern} | [t]]) AS k ORDER BY c.n"),
        );
        assert_eq!(counted, collected, "{pattern}");
    }
    assert_eq!(
        ints(
            &db,
            "MATCH (c:C) RETURN size([(c)-[:O]->(t:T) | t]) AS k ORDER BY c.n"
        ),
        vec![3, 1]
    );
    // The projection's errors are still the query's.
    let err = db
        .query(
            "MATCH (c:C) RETURN size([(c)-->(t) | nope])",
            &Params::new(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}
