//! Variables the optimizer expects to hold one value for the whole run
//! (bound while the plan held one row: `me`). An OPTIONAL MATCH that reads
//! one and a variable that changes with every row (a company) is matched
//! once and joined to each row (`optimize/decorrelate.rs`); a product's
//! build side takes the filters that read one (`NOT (p)-[:CUSTOMER_OF]->(v)`,
//! `HashJoin::params`). On random graphs both answer as the search from
//! every row does, and rows where the variable holds another value after
//! all are answered for their own value.

mod common;

use proptest::prelude::*;
use relgraph::{Database, Params, Value};

/// `n` people (`:V {i}`) with KNOWS relationships `knows`, and `m`
/// companies (`:C {j}`) with WORKS_AT relationships `works` (person,
/// company).
fn graph(n: usize, knows: &[(usize, usize)], m: usize, works: &[(usize, usize)]) -> Database {
    let db = Database::in_memory();
    let mut p = Params::new();
    p.insert("n".into(), Value::Int(n as i64));
    p.insert("m".into(), Value::Int(m as i64));
    db.query(
        "UNWIND range(0, $n - 1) AS i CREATE (:V {i: i}) \
         WITH count(*) AS done UNWIND range(0, $m - 1) AS j CREATE (:C {j: j})",
        &p,
    )
    .expect("nodes");
    let pairs = |edges: &[(usize, usize)]| {
        Value::List(
            edges
                .iter()
                .map(|&(a, b)| Value::List(vec![Value::Int(a as i64), Value::Int(b as i64)]))
                .collect(),
        )
    };
    p.insert("knows".into(), pairs(knows));
    p.insert("works".into(), pairs(works));
    db.query(
        "UNWIND $knows AS e MATCH (a:V {i: e[0]}), (b:V {i: e[1]}) CREATE (a)-[:KNOWS]->(b)",
        &p,
    )
    .expect("knows");
    db.query(
        "UNWIND $works AS e MATCH (a:V {i: e[0]}), (c:C {j: e[1]}) \
         CREATE (a)-[:WORKS_AT {until: CASE WHEN e[0] % 3 = 0 THEN 2020 END}]->(c)",
        &p,
    )
    .expect("works");
    db
}

/// The people in my network at each company, as the OPTIONAL MATCH gives
/// them and as a pattern comprehension (searched from every row) gives
/// them: one row per match, or the company with nulls.
const SHAPES: [(&str, &str); 3] = [
    (
        "(me)-[:KNOWS*1..2]-(p:V)-[w:WORKS_AT]->(c) WHERE w.until IS NULL AND p <> me",
        "RETURN c.j, p.i",
    ),
    ("(me)-[:KNOWS]->(p:V)-[w:WORKS_AT]->(c)", "RETURN c.j, p.i"),
    (
        "(me)-[:KNOWS*1..2]-(p:V)-[w:WORKS_AT]->(c) WHERE p <> me",
        "RETURN c.j, count(DISTINCT p) AS n",
    ),
];

fn rows(db: &Database, q: &str, me: usize) -> Vec<String> {
    let mut p = Params::new();
    p.insert("me".into(), Value::Int(me as i64));
    db.query(q, &p)
        .map(|r| common::sorted_rows(&r.rows))
        .unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn plan_of(db: &Database, q: &str) -> String {
    db.query(&format!("EXPLAIN {q}"), &Params::new())
        .expect("EXPLAIN runs")
        .plan
        .unwrap_or_default()
}

fn plan(db: &Database, q: &str) -> String {
    let mut p = Params::new();
    p.insert("me".into(), Value::Int(0));
    db.query(&format!("EXPLAIN {q}"), &p)
        .expect("EXPLAIN runs")
        .plan
        .unwrap_or_default()
}

/// The reference: each company's matches from a pattern comprehension
/// (a sub-plan run from the row), unrolled into the rows an OPTIONAL MATCH
/// gives.
fn reference(db: &Database, pattern: &str, ret: &str, me: usize) -> Vec<String> {
    let (pattern, filter) = match pattern.split_once(" WHERE ") {
        Some((p, f)) => (p, format!(" WHERE {f}")),
        None => (pattern, String::new()),
    };
    let q = format!(
        "MATCH (me:V {{i: $me}}), (c:C) WITH me, c, \
         [{pattern}{filter} | p.i] AS found \
         UNWIND CASE WHEN size(found) = 0 THEN [null] ELSE found END AS pi \
         WITH c, pi {}",
        ret.replace("p.i", "pi")
            .replace("DISTINCT p", "DISTINCT pi")
    );
    rows(db, &q, me)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]
    #[test]
    fn decorrelated_optional_answers_as_the_search_per_row(
        n in 1usize..8,
        knows in prop::collection::vec((0usize..8, 0usize..8), 0..16),
        m in 8usize..24,
        works in prop::collection::vec((0usize..8, 0usize..24), 0..32),
        me in 0usize..8,
    ) {
        let knows: Vec<(usize, usize)> = knows.iter().map(|&(a, b)| (a % n, b % n)).collect();
        let mut works: Vec<(usize, usize)> = works.iter().map(|&(a, c)| (a % n, c % m)).collect();
        // Thirty people outside every circle (no KNOWS) at every company:
        // searching each company's employees costs more than matching my
        // circle once, so the plan decorrelates.
        works.extend((n..n + 30).flat_map(|i| (0..m).map(move |c| (i, c))));
        let db = graph(n + 30, &knows, m, &works);
        let me = me % n;
        for (pattern, ret) in SHAPES {
            let q = format!(
                "MATCH (me:V {{i: $me}}) MATCH (c:C) OPTIONAL MATCH {pattern} {ret}"
            );
            let got = rows(&db, &q, me);
            prop_assert_eq!(&got, &reference(&db, pattern, ret, me), "{} over {:?} {:?}", q, knows, works);
        }
    }
}

/// 60 people who know a few others each, 40 companies with 15 employees
/// each: searching every company's employees costs more than matching my
/// circle once.
fn dense() -> (Database, usize) {
    let knows: Vec<(usize, usize)> = (0..60)
        .flat_map(|i| [(i, (i * 37 + 11) % 60), (i, (i * i + 5) % 60)])
        .collect();
    let works: Vec<(usize, usize)> = (0..60)
        .flat_map(|i| (0..10).map(move |k| (i, (i * 13 + k * k * 7) % 40)))
        .collect();
    (graph(60, &knows, 40, &works), 40)
}

/// The plan matches the pattern once for `me` and joins the companies.
#[test]
fn explain_shows_the_pattern_matched_once() {
    let (db, _) = dense();
    let (pattern, ret) = SHAPES[0];
    let q = format!("MATCH (me:V {{i: $me}}) MATCH (c:C) OPTIONAL MATCH {pattern} {ret}");
    let plan = plan(&db, &q);
    assert!(
        plan.contains("Optional(matched once, joined on 1 key)"),
        "{plan}"
    );
    assert_eq!(rows(&db, &q, 0), reference(&db, pattern, ret, 0));
}

/// Where the variable the plan took for one value holds several (two
/// `Meta` nodes, estimated as at most two), rows with another value are
/// searched as before, and every row still gets its own matches.
#[test]
fn rows_with_other_params_are_searched_per_row() {
    let (db, _) = dense();
    db.query("CREATE (:Meta {me: 1}), (:Meta {me: 6})", &Params::new())
        .expect("meta");
    let q = "MATCH (x:Meta) MATCH (me:V {i: x.me}) MATCH (c:C) \
             OPTIONAL MATCH (me)-[:KNOWS*1..2]-(p:V)-[:WORKS_AT]->(c) \
             RETURN x.me, c.j, count(p) AS n";
    let got = db.query(q, &Params::new()).expect("runs");
    let want = db
        .query(
            "MATCH (x:Meta), (me:V {i: x.me}), (c:C) \
             RETURN x.me, c.j, size([(me)-[:KNOWS*1..2]-(p:V)-[:WORKS_AT]->(c) | p]) AS n",
            &Params::new(),
        )
        .expect("reference runs");
    assert_eq!(
        common::sorted_rows(&got.rows),
        common::sorted_rows(&want.rows)
    );
    assert_eq!(got.rows.len(), 80, "every (meta, company) pair once");
    assert!(
        plan_of(&db, q).contains("matched once"),
        "the plan takes x.me for one value: {}",
        plan_of(&db, q)
    );
}

/// A product whose build side filters by a variable of the incoming row
/// (`x`, estimated at two rows) builds once for the first row's `x` and
/// again for a row with another: every row counts its own people.
#[test]
fn product_build_with_params_answers_each_row() {
    let (db, _) = dense();
    db.query("CREATE (:Meta {me: 10}), (:Meta {me: 40})", &Params::new())
        .expect("meta");
    let q = "MATCH (x:Meta) WITH x, x.me AS lo MATCH (p:V) \
             WHERE p.i > x.me AND NOT (p)-[:KNOWS]->(:V {i: x.me}) \
             RETURN x.me, count(p) AS n";
    let plan = plan_of(&db, q);
    assert!(plan.contains("build reads 1 variable of the row"), "{plan}");
    let got = db.query(q, &Params::new()).expect("runs");
    let want = db
        .query(
            "MATCH (x:Meta) RETURN x.me, \
             size([(p:V) WHERE p.i > x.me AND NOT (p)-[:KNOWS]->(:V {i: x.me}) | p]) AS n",
            &Params::new(),
        )
        .expect("reference runs");
    assert_eq!(
        common::sorted_rows(&got.rows),
        common::sorted_rows(&want.rows)
    );
}
