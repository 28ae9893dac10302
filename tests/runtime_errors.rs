//! Runtime errors point at the expression that failed: line, column and a
//! caret under it, like parse and semantic errors (issue 15 item 9:
//! `/ by zero` and `expected a map` said neither where nor what).

use relgraph::{Cause, Database, Params, Phase, Position, Value};

/// A query that fails at run time, what its message says, and where it
/// points: line, column (in characters) and the text underlined.
struct Case {
    query: &'static str,
    says: &'static str,
    line: usize,
    column: usize,
    marked: &'static str,
}

const fn case(
    query: &'static str,
    says: &'static str,
    line: usize,
    column: usize,
    marked: &'static str,
) -> Case {
    Case {
        query,
        says,
        line,
        column,
        marked,
    }
}

const CASES: &[Case] = &[
    case(
        "WITH 0 AS z\nRETURN 1 + 10 / z AS x",
        "/ by zero",
        2,
        12,
        "10 / z",
    ),
    // Inside a comprehension, the innermost failing expression is named.
    case(
        "RETURN [x IN [2, 1, 0] | 6 % x] AS l",
        "% by zero",
        1,
        26,
        "6 % x",
    ),
    case(
        "UNWIND [1, 'a'] AS x RETURN x - 1 AS y",
        "type error",
        1,
        29,
        "x - 1",
    ),
    case(
        "UNWIND [0] AS s RETURN range(1, 5, s) AS r",
        "argument error",
        1,
        24,
        "range(1, 5, s)",
    ),
    case(
        "UNWIND [1] AS x RETURN x.name AS n",
        "error",
        1,
        24,
        "x.name",
    ),
    case(
        "UNWIND [[1, 2]] AS l RETURN l['a'] AS n",
        "error",
        1,
        29,
        "l['a']",
    ),
    case(
        "UNWIND [{a: 1}] AS m WITH m WHERE m.a RETURN m",
        "a predicate must be boolean",
        1,
        35,
        "m.a",
    ),
    // Writes: the item that failed.
    case(
        "MATCH (n:P)\nWITH n, 1 AS one\nSET n = one",
        "expected a map",
        3,
        5,
        "n = one",
    ),
    case(
        "MATCH (n:P) WITH n, {a: 1} AS m SET n.x = m",
        "cannot store",
        1,
        37,
        "n.x = m",
    ),
    case(
        "UNWIND [{a: 1}] AS m CREATE (:Q {x: m})",
        "cannot store",
        1,
        37,
        "m",
    ),
    case(
        "CREATE (:Q $p)",
        "expected a map of properties",
        1,
        12,
        "$p",
    ),
    case(
        "UNWIND [1] AS x\nDELETE x",
        "DELETE needs a node",
        2,
        8,
        "x",
    ),
    case(
        "UNWIND [1] AS x SET x:L",
        "labels can only be set on nodes",
        1,
        21,
        "x:L",
    ),
    case(
        "UNWIND [1] AS x REMOVE x:L",
        "labels can only be removed",
        1,
        24,
        "x:L",
    ),
];

#[test]
fn runtime_errors_point_at_the_expression_that_failed() {
    let db = Database::in_memory();
    db.query("CREATE (:P)", &Params::new()).unwrap();
    let mut params = Params::new();
    params.insert("p".into(), Value::Int(1));
    for c in CASES {
        let e = db
            .query(c.query, &params)
            .map(|r| r.rows.len())
            .expect_err(c.query);
        assert_eq!(
            e.position,
            Some(Position {
                line: c.line,
                column: c.column
            }),
            "{}",
            e.message
        );
        assert_eq!(e.cause, Cause::Query, "{}", e.message);
        let m = e.message;
        assert_eq!(e.phase, Phase::Runtime, "{m}");
        assert!(m.contains(c.says), "{m}");
        assert!(
            m.contains(&format!("at line {}, column {}\n", c.line, c.column)),
            "{m}"
        );
        // The last two lines: the query line, and carets under `marked`.
        let lines: Vec<&str> = m.lines().collect();
        let (text, caret) = (lines[lines.len() - 2], lines[lines.len() - 1]);
        let from = caret.find('^').expect("a caret");
        assert_eq!(&text[from..caret.len()], c.marked, "{m}");
    }
    // Nothing was written by the failed statements.
    let n = db
        .query("MATCH (n) RETURN count(n) AS c", &Params::new())
        .unwrap()
        .single::<i64>("c")
        .unwrap();
    assert_eq!(n, 1);
}
