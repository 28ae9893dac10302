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

/// An expansion checks the comparisons of its target's properties with
/// constants right after it on each node it finds (and a pattern
/// predicate or count of one such hop is answered without running
/// operators): the answers are those of the comparison evaluated as an
/// expression, over targets in several chunks of the node store.
#[test]
fn fused_target_comparisons_answer_as_the_expression_does() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:A {i: 0}), (:A {i: 1})
         WITH 1 AS one
         UNWIND range(0, 9999) AS k
         CREATE (:Pad {k: k})",
        &Params::new(),
    )
    .expect("padding: the targets below lie in a later chunk than their sources");
    db.query(
        "MATCH (a:A {i: 0}), (b:A {i: 1})
         UNWIND [1, 1.0, 0.0 / 0.0, '1', true, [1], null, 2, 'x'] AS v
         CREATE (a)-[:R]->(n:N {v: v, w: 'x'}), (b)-[:R]->(:N {v: v}), (a)-[:R]->(:M {v: v}),
                (a)-[:R]->(n)",
        &Params::new(),
    )
    .expect("the graph");
    let run = |q: &str| {
        common::sorted_rows(
            &db.query(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .rows,
        )
    };
    for v in ["1", "1.0", "'1'", "true", "[1]", "null", "2", "0.5", "'x'"] {
        for (cmp, expr) in [
            (format!("{{v: {v}}}"), format!("t.v = {v}")),
            (format!("WHERE t.v < {v}"), format!("t.v < {v}")),
            (
                format!("WHERE {v} >= t.v AND t.w = 'x'"),
                format!("{v} >= t.v AND t.w = 'x'"),
            ),
            (format!("WHERE t.w <> {v}"), format!("t.w <> {v}")),
            (format!("{{nokey: {v}}}"), format!("t.nokey = {v}")),
        ] {
            let (hop, filter) = match cmp.strip_prefix("WHERE ") {
                Some(w) => ("-[:R]->(t:N)".to_string(), format!("WHERE {w}")),
                None => (format!("-[:R]->(t:N {cmp})"), String::new()),
            };
            let pattern = format!("(a:A){hop}");
            // The reference: every target, the comparison as a value.
            let reference: Vec<String> = run(&format!(
                "MATCH (a:A)-[:R]->(t:N) WITH a, t, {expr} AS keep WHERE keep = true RETURN a.i, id(t)"
            ));
            let fused = format!("MATCH {pattern} {filter} RETURN a.i, id(t)");
            assert_eq!(run(&fused), reference, "{fused}");
            let profiled = db
                .query(&format!("PROFILE {fused}"), &Params::new())
                .expect("PROFILE runs");
            assert_eq!(common::sorted_rows(&profiled.rows), reference, "{fused}");
            // One hop from a bound node in a pattern count and a pattern
            // predicate.
            let counts = run(&format!(
                "MATCH (a:A) RETURN a.i, size([(a){hop} {filter} | t]) AS n"
            ));
            let expected = run(&format!(
                "MATCH (a:A) OPTIONAL MATCH (a)-[:R]->(t:N) WITH a, t, {expr} AS keep \
                 RETURN a.i, count(CASE WHEN keep = true THEN 1 END) AS n"
            ));
            assert_eq!(counts, expected, "count of {pattern} {filter}");
            let exists = run(&format!(
                "MATCH (a:A) WHERE EXISTS {{ MATCH (a){hop} {filter} }} RETURN a.i"
            ));
            let any: Vec<String> = run(&format!(
                "MATCH (a:A)-[:R]->(t:N) WITH a, t, {expr} AS keep WHERE keep = true RETURN DISTINCT a.i"
            ));
            assert_eq!(exists, any, "EXISTS {pattern} {filter}");
        }
    }
    let plan = db
        .query(
            "EXPLAIN MATCH (a:A {i: 0})-[:R]->(t:N {v: 1}) RETURN t",
            &Params::new(),
        )
        .expect("EXPLAIN runs")
        .plan
        .unwrap_or_default();
    assert!(plan.contains("Filter"), "{plan}");
}

/// A segment's text column answers `=` and `<>` with a string from its
/// bytes, and a dictionary column from its entry (`NodeProbe::equals_str`):
/// the same rows as the comparison
/// evaluated as an expression, after a checkpoint put the names there.
#[test]
fn string_equalities_over_checkpointed_text_columns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(dir.path().join("db")).expect("opens");
    db.query(
        "UNWIND range(0, 2999) AS i \
         CREATE (:N {i: i, name: CASE WHEN i % 7 = 0 THEN 'seven' ELSE 'n' + toString(i) END, \
                      other: CASE WHEN i % 2 = 0 THEN 'n' + toString(i) ELSE i END, \
                      maybe: CASE WHEN i % 3 = 0 THEN 'n' + toString(i) END, \
                      kind: CASE WHEN i % 5 > 0 THEN ['bug', 'idea', 'seven'][i % 3] END})",
        &Params::new(),
    )
    .expect("the graph");
    db.graph().checkpoint().expect("checkpoints");
    drop(db);
    let db = Database::open(dir.path().join("db")).expect("reopens");
    let run = |q: &str| {
        common::sorted_rows(
            &db.query(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .rows,
        )
    };
    for v in [
        "'seven'",
        "'n12'",
        "'n7'",
        "''",
        "'nope'",
        "'\u{FFFD}'",
        "12",
    ] {
        for key in ["name", "other", "maybe", "kind"] {
            for op in ["=", "<>"] {
                // Alone (the scan reads only the nodes that hold the key),
                // and after another key (every node, absent values too).
                for fused in [
                    format!("MATCH (n:N) WHERE n.{key} {op} {v} RETURN n.i"),
                    format!("MATCH (n:N) WHERE n.i >= 0 AND n.{key} {op} {v} RETURN n.i"),
                ] {
                    // PROFILE runs operators one at a time: never fused.
                    let reference = format!("PROFILE {fused}");
                    assert_eq!(run(&fused), run(&reference), "{fused}");
                }
            }
        }
    }
    // Not vacuous: the names compare both ways.
    assert_eq!(run("MATCH (n:N {name: 'seven'}) RETURN n.i").len(), 429);
    assert_eq!(
        run("MATCH (n:N) WHERE n.name <> 'n12' RETURN n.i").len(),
        2999
    );
}

/// An expansion compares the targets' strings a block of adjacency
/// entries at a time (`NodeProbe::keep_str`: a dictionary's code found
/// once per chunk): per hub hundreds of targets, in segment columns
/// (text, dictionary, mixed) and in heap columns added after the
/// checkpoint, some without the label or the key. Expanded, counted by
/// `size()` and tested by `EXISTS`, the answers are those of the same
/// comparison made on a value reached through a list.
#[test]
fn expansions_compare_target_strings_a_block_at_a_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::open(dir.path().join("db")).expect("opens");
    db.query(
        "UNWIND range(0, 2) AS h CREATE (hub:H {i: h}) WITH hub, h \
         UNWIND range(0, 99 + 150 * h) AS j \
         CREATE (hub)-[:R]->(n {i: h * 1000 + j, \
             name: CASE WHEN j % 7 = 0 THEN 'seven' ELSE 'n' + toString(h * 1000 + j) END, \
             other: CASE WHEN j % 2 = 0 THEN 'seven' ELSE j END, \
             kind: CASE WHEN j % 5 > 0 THEN ['bug', 'idea', 'seven'][j % 3] END}) \
         WITH n, j WHERE j % 11 > 0 SET n:N",
        &Params::new(),
    )
    .expect("the graph");
    // Filler, so that the nodes made after the checkpoint fall in another
    // chunk of 4,096 and the first keeps its segment columns.
    db.query("UNWIND range(1, 4096) AS i CREATE ()", &Params::new())
        .expect("filler");
    db.graph().checkpoint().expect("checkpoints");
    drop(db);
    let db = Database::open(dir.path().join("db")).expect("reopens");
    db.query(
        "MATCH (hub:H) UNWIND range(0, 69) AS j \
         CREATE (hub)-[:R]->(:N {i: -1 - j, name: 'seven', kind: ['bug', 'idea'][j % 2]})",
        &Params::new(),
    )
    .expect("targets after the checkpoint");
    let run = |q: &str| {
        common::sorted_rows(
            &db.query(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .rows,
        )
    };
    for v in ["'seven'", "'bug'", "'n12'", "'nope'", "12"] {
        for key in ["name", "other", "kind", "nokey"] {
            for op in ["=", "<>"] {
                let shapes = [
                    "MATCH (h:H)-[:R]->(n:N) WHERE @ RETURN h.i, n.i",
                    "MATCH (h:H) RETURN h.i, size([(h)-[:R]->(n:N) WHERE @ | n])",
                    "MATCH (h:H) WHERE EXISTS { MATCH (h)-[:R]->(n:N) WHERE @ } RETURN h.i",
                    "MATCH (h:H)-[:R]->(n:N) WHERE n.i % 3 = 0 AND @ RETURN h.i, count(*)",
                ];
                for shape in shapes {
                    let fused = shape.replace('@', &format!("n.{key} {op} {v}"));
                    let reference = shape.replace('@', &format!("[n][0].{key} {op} {v}"));
                    assert_eq!(run(&fused), run(&reference), "{fused}");
                }
            }
        }
    }
    // Not vacuous, worked out by hand: of hub 2's 400 targets, 52 of the
    // 364 labelled are named 'seven' (multiples of 7, not of 11), and 194
    // have a kind other than 'bug'; 70 more after the checkpoint, all
    // 'seven', 35 of them ideas.
    assert_eq!(
        run("MATCH (h:H {i: 2}) RETURN size([(h)-[:R]->(n:N) WHERE n.name = 'seven' | n])"),
        vec!["[122]".to_string()]
    );
    assert_eq!(
        run("MATCH (h:H {i: 2}) RETURN size([(h)-[:R]->(n:N) WHERE n.kind <> 'bug' | n])"),
        vec!["[229]".to_string()]
    );
}

/// A scan compares its nodes with an expression of the incoming row
/// (`e.day >= m.today - 3`) itself, the expression computed when the
/// first node reaches the comparison: the same rows as the filters
/// evaluated per row (PROFILE runs operators one at a time), and the
/// same errors: raised when a node gets there, not when none does.
#[test]
fn scans_compare_with_expressions_of_the_row_as_filters_do() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:Meta {today: 20, d: date('2026-12-07'), s: 'x'}), \
                (:Meta {today: 5, d: date('2026-03-01'), s: 'yy'})",
        &Params::new(),
    )
    .expect("meta");
    db.query(
        "UNWIND range(0, 29) AS i CREATE (:E {day: i, \
             date: date('2026-01-01') + duration({days: i * 13}), kind: ['a', 'b'][i % 2]})",
        &Params::new(),
    )
    .expect("events");
    let run = |q: &str| {
        common::sorted_rows(
            &db.query(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .rows,
        )
    };
    for q in [
        "MATCH (m:Meta) MATCH (e:E) WHERE e.day >= m.today - 3 RETURN m.today, e.day",
        "MATCH (m:Meta) MATCH (e:E {kind: 'a'}) \
         WHERE e.date >= m.d - duration('P60D') AND e.day < m.today RETURN m.today, e.day",
        "MATCH (m:Meta) MATCH (e:E) WHERE m.today * 2 > e.day AND e.kind = 'b' RETURN m.today, e.day",
        "MATCH (m:Meta) MATCH (e:E) WHERE e.day = size(m.s) * 7 RETURN m.s, e.day",
        "MATCH (m:Meta) MATCH (e:E) WHERE e.nokey >= m.today RETURN e.day",
        "MATCH (m:Meta) MATCH (e:E) WHERE e.day <= m.today AND e.day > m.today - 2 RETURN m.today, e.day",
    ] {
        assert_eq!(run(q), run(&format!("PROFILE {q}")), "{q}");
    }
    // Not vacuous, by hand: days 17-29 for 20, 2-29 for 5.
    assert_eq!(
        run("MATCH (m:Meta) MATCH (e:E) WHERE e.day >= m.today - 3 RETURN count(*)"),
        vec!["[41]".to_string()]
    );
    // `'x' - 1` fails for the first event that reaches it, also for a key
    // no event has; with no event past the comparison before it (one of
    // the row too), nothing computes it.
    for q in [
        "MATCH (m:Meta) MATCH (e:E) WHERE e.day >= m.s - 1 RETURN e.day",
        "MATCH (m:Meta) MATCH (e:E) WHERE e.nokey >= m.s - 1 RETURN e.day",
    ] {
        assert!(db.query(q, &Params::new()).is_err(), "{q}");
        assert!(
            db.query(&format!("PROFILE {q}"), &Params::new()).is_err(),
            "{q}"
        );
    }
    let none =
        "MATCH (m:Meta) MATCH (e:E) WHERE e.day < m.today - 100 AND e.day >= m.s - 1 RETURN e.day";
    assert_eq!(run(none), Vec::<String>::new());
    assert_eq!(run(&format!("PROFILE {none}")), Vec::<String>::new());
}
