//! Runtime errors point at the expression that failed: line, column and a
//! caret under it, like parse and semantic errors (issue 15 item 9:
//! `/ by zero` and `expected a map` said neither where nor what).

use relgraph::{Database, Params, Phase};

/// The rendered error of `q`, after checking it is a runtime error.
fn runtime_error(db: &Database, q: &str) -> String {
    let e = db
        .query(q, &Params::new())
        .map(|r| r.rows.len())
        .expect_err(q);
    assert_eq!(e.phase, Phase::Runtime, "{q}: {}", e.message);
    e.message
}

/// Asserts `message` names `line` and `column` and that its caret line
/// underlines exactly `marked` in the quoted query line.
fn assert_points_at(message: &str, line: usize, column: usize, marked: &str) {
    assert!(
        message.contains(&format!("at line {line}, column {column}\n")),
        "{message}"
    );
    let lines: Vec<&str> = message.lines().collect();
    let (text, caret) = (lines[lines.len() - 2], lines[lines.len() - 1]);
    let from = caret.find('^').expect("a caret");
    let width = caret.len() - from;
    assert_eq!(&text[from..from + width], marked, "{message}");
}

#[test]
fn division_by_zero_points_at_the_division() {
    let db = Database::in_memory();
    let m = runtime_error(&db, "WITH 0 AS z\nRETURN 1 + 10 / z AS x");
    assert!(m.contains("/ by zero"), "{m}");
    assert_points_at(&m, 2, 12, "10 / z");
    // Inside a comprehension, the innermost failing expression is named.
    let m = runtime_error(&db, "RETURN [x IN [2, 1, 0] | 6 % x] AS l");
    assert!(m.contains("% by zero"), "{m}");
    assert_points_at(&m, 1, 26, "6 % x");
}

#[test]
fn type_and_argument_errors_point_at_their_expression() {
    let db = Database::in_memory();
    let m = runtime_error(&db, "UNWIND [1, 'a'] AS x RETURN x - 1 AS y");
    assert!(m.contains("type error"), "{m}");
    assert_points_at(&m, 1, 29, "x - 1");
    let m = runtime_error(&db, "UNWIND [0] AS s RETURN range(1, 5, s) AS r");
    assert!(m.contains("argument error"), "{m}");
    assert_points_at(&m, 1, 24, "range(1, 5, s)");
    let m = runtime_error(&db, "UNWIND [1] AS x RETURN x.name AS n");
    assert_points_at(&m, 1, 24, "x.name");
    let m = runtime_error(&db, "UNWIND [[1, 2]] AS l RETURN l['a'] AS n");
    assert_points_at(&m, 1, 29, "l['a']");
    let m = runtime_error(&db, "UNWIND [{a: 1}] AS m WITH m WHERE m.a RETURN m");
    assert!(m.contains("a predicate must be boolean"), "{m}");
    assert_points_at(&m, 1, 35, "m.a");
}

#[test]
fn write_errors_point_at_the_item() {
    let db = Database::in_memory();
    db.query("CREATE (:P)", &Params::new()).unwrap();
    let m = runtime_error(&db, "MATCH (n:P)\nWITH n, 1 AS one\nSET n = one");
    assert!(m.contains("expected a map"), "{m}");
    assert_points_at(&m, 3, 5, "n = one");
    let m = runtime_error(&db, "MATCH (n:P) WITH n, {a: 1} AS m SET n.x = m");
    assert!(m.contains("cannot store"), "{m}");
    assert_points_at(&m, 1, 37, "n.x = m");
    let m = runtime_error(&db, "UNWIND [{a: 1}] AS m CREATE (:Q {x: m})");
    assert_points_at(&m, 1, 37, "m");
    let mut p = Params::new();
    p.insert("p".into(), relgraph::Value::Int(1));
    let e = db.query("CREATE (:Q $p)", &p).expect_err("not a map");
    assert!(
        e.message.contains("expected a map of properties"),
        "{}",
        e.message
    );
    assert_points_at(&e.message, 1, 12, "$p");
    // Nothing was written by the failed statements.
    let c = db
        .query("MATCH (n) RETURN count(n) AS c", &Params::new())
        .unwrap()
        .single::<i64>("c")
        .unwrap();
    assert_eq!(c, 1);
}
