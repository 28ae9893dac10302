//! An expansion reads the properties of the node it binds that the filter
//! and the aggregation after it read, where it finds the node
//! (`Expand::target_reads`, shown by EXPLAIN as `reading t.cost`): the
//! answers are those of the same reads evaluated as expressions, on
//! segment columns, on heap columns written after a checkpoint, for keys
//! no node has, next to comparisons the expansion checks itself, and
//! under a role that may not read a key.

mod common;

use relgraph::{Database, Params};

fn run(db: &Database, q: &str) -> Vec<String> {
    common::sorted_rows(
        &db.query(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .rows,
    )
}

fn explain(db: &Database, q: &str) -> String {
    let r = db
        .query(&format!("EXPLAIN {q}"), &Params::new())
        .unwrap_or_else(|e| panic!("EXPLAIN {q}: {e}"));
    r.plan.unwrap_or_default()
}

/// Companies with tickets whose properties vary in type and presence,
/// checkpointed into segments, then changed and added to (heap columns
/// over the segments).
fn tickets(dir: &std::path::Path) -> Database {
    let db = Database::open(dir.join("db")).expect("opens");
    db.query(
        "UNWIND range(0, 59) AS i CREATE (:C {i: i})",
        &Params::new(),
    )
    .expect("companies");
    db.query(
        "MATCH (c:C) UNWIND range(0, c.i % 9) AS j \
         CREATE (c)-[:OPENED]->(:T {n: c.i * 100 + j, \
             cost: CASE j % 4 WHEN 0 THEN j * 10 WHEN 1 THEN j + 0.5 WHEN 2 THEN null ELSE -j END, \
             esc: CASE WHEN j % 3 = 0 THEN true WHEN j % 3 = 1 THEN false END, \
             kind: ['bug', 'idea', 'bug', 'question'][(c.i + j) % 4], \
             a: j, b: j * 2, c: c.i, d: 1, e: 7})",
        &Params::new(),
    )
    .expect("tickets");
    db.graph().checkpoint().expect("checkpoints");
    drop(db);
    let db = Database::open(dir.join("db")).expect("reopens");
    db.query(
        "MATCH (t:T) WHERE t.n % 5 = 0 SET t.cost = t.n, t.esc = NOT coalesce(t.esc, false)",
        &Params::new(),
    )
    .expect("changes");
    db.query(
        "MATCH (c:C) WHERE c.i % 4 = 0 CREATE (c)-[:OPENED]->(:T {n: -c.i, cost: 1.25, esc: true, kind: 'bug'})",
        &Params::new(),
    )
    .expect("more tickets");
    db
}

#[test]
fn reads_where_the_target_is_found_answer_as_expressions_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    let m = "MATCH (c:C)-[:OPENED]->(t:T)";
    // Each query twice: as written (its reads of `t` made by the
    // expansion) and with `t` reached through a list, which no expansion
    // reads ahead (the expression path).
    // `@` is `t`: as written, and reached through a list.
    let cases: Vec<(String, String)> = [
        "WITH c, count(t) AS n, sum(CASE WHEN @.esc THEN 1 ELSE 0 END) AS e, sum(@.cost) AS s \
         RETURN c.i, n, e, s",
        "RETURN c.i, min(@.kind), max(@.cost), collect(DISTINCT @.esc)",
        "WITH c, t WHERE @.cost > c.i RETURN c.i, @.n",
        "WITH c, t WHERE c.i > 30 AND @.cost >= 2 RETURN c.i, @.n",
        "RETURN c.i, sum(@.nokey), count(@.i)",
        "RETURN c.i, sum(@.a + @.b + @.c + @.d + @.e)",
        "RETURN sum(@.a * @.d), avg(@.cost)",
    ]
    .iter()
    .map(|tail| {
        (
            format!("{m} {}", tail.replace('@', "t")),
            format!("{m} {}", tail.replace('@', "[t][0]")),
        )
    })
    .collect();
    for (direct, reference) in &cases {
        assert_eq!(run(&db, direct), run(&db, reference), "{direct}");
        assert!(
            !explain(&db, reference).contains("reading"),
            "{reference} reads nothing ahead"
        );
    }
    // The reads are made by the expansion (not vacuous).
    let plan = explain(&db, &cases[0].0);
    assert!(plan.contains("reading t.esc, t.cost"), "{plan}");
    let plan = explain(&db, &cases[5].0);
    assert!(plan.contains("reading t.a, t.b, t.c, t.d"), "{plan}");
    // Next to a comparison the expansion checks itself.
    let fused =
        "MATCH (c:C {i: 40})-[:OPENED]->(t:T {kind: 'bug'}) RETURN c.i, sum(t.cost), count(t.esc)";
    let reference = "MATCH (c:C {i: 40})-[:OPENED]->(t:T {kind: 'bug'}) \
                     RETURN c.i, sum([t][0].cost), count([t][0].esc)";
    let plan = explain(&db, fused);
    assert!(plan.contains("reading t.cost, t.esc"), "{plan}");
    assert_eq!(run(&db, fused), run(&db, reference));
    // Four bugs: n = 4000 (cost and esc changed: 4000, false), 4002
    // (null, null), 4004 (40, false) and the one added (1.25, true).
    assert_eq!(run(&db, fused), vec!["[40,4041.25,3]".to_string()]);
    // The answers come from both kinds of column: 60 companies, the
    // changed costs and the tickets added after the checkpoint.
    assert_eq!(run(&db, &cases[0].0).len(), 60);
    assert_eq!(
        run(
            &db,
            "MATCH (:C)-[:OPENED]->(t:T) WHERE t.cost = 1.25 RETURN count(*)"
        ),
        vec!["[15]".to_string()]
    );
}

/// A label scan reads its nodes' properties the same way.
#[test]
fn scans_read_properties_where_they_find_the_node() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    for tail in [
        "RETURN @.kind, sum(@.cost), sum(CASE WHEN @.esc THEN 1 ELSE 0 END), count(*)",
        "WITH t WHERE @.cost * 2 > 50 RETURN count(*), sum(@.a)",
        "RETURN max(@.a + @.b + @.c + @.d + @.e), sum(@.nokey)",
    ] {
        let direct = format!("MATCH (t:T) {}", tail.replace('@', "t"));
        let reference = format!("MATCH (t:T) {}", tail.replace('@', "[t][0]"));
        assert_eq!(run(&db, &direct), run(&db, &reference), "{direct}");
        let plan = explain(&db, &direct);
        assert!(plan.contains("NodeByLabelScan(t:T) reading t."), "{plan}");
    }
    // Beside a comparison the scan checks itself.
    let fused = "MATCH (t:T {kind: 'bug'}) RETURN sum(t.cost), count(t.esc)";
    let reference = "MATCH (t:T {kind: 'bug'}) RETURN sum([t][0].cost), count([t][0].esc)";
    let plan = explain(&db, fused);
    assert!(plan.contains("reading t.cost, t.esc"), "{plan}");
    assert_eq!(run(&db, fused), run(&db, reference));
}

#[test]
fn a_role_reads_only_the_target_properties_it_may_see() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = tickets(dir.path());
    db.query("CREATE ROLE support", &Params::new())
        .expect("role");
    for g in [
        "GRANT MATCH {*} ON GRAPH * TO support",
        "DENY READ {cost} ON GRAPH * NODES T TO support",
    ] {
        db.query(g, &Params::new()).expect(g);
    }
    let direct = "MATCH (c:C)-[:OPENED]->(t:T) RETURN c.i, sum(t.cost) AS s, count(t.esc) AS e";
    let reference =
        "MATCH (c:C)-[:OPENED]->(t:T) RETURN c.i, sum([t][0].cost) AS s, count([t][0].esc) AS e";
    let as_role = |q: &str| {
        common::sorted_rows(
            &db.session("support")
                .query(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .rows,
        )
    };
    assert_eq!(as_role(direct), as_role(reference));
    let scan = "MATCH (t:T) RETURN t.kind, sum(t.cost), count(t.esc)";
    let scan_reference = "MATCH (t:T) RETURN t.kind, sum([t][0].cost), count([t][0].esc)";
    assert_eq!(as_role(scan), as_role(scan_reference));
    // The denied key reads as null for the role, not for the administrator.
    let total = "MATCH (:C)-[:OPENED]->(t:T) RETURN sum(t.cost) <> 0, count(t.esc) > 0";
    assert_eq!(as_role(total), vec!["[false,true]".to_string()]);
    assert_eq!(run(&db, total), vec!["[true,true]".to_string()]);
}
