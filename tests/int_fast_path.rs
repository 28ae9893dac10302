//! Law: integer arithmetic and comparisons over variables give the same
//! value, or the same error, whether the evaluator takes its integer fast
//! path (operands read as `i64` where they lie) or its general path over
//! values. The general path is forced by reading every variable through
//! a list index (`[x][0]`), which the fast path does not take.

use proptest::prelude::*;
use relgraph::{Database, Params, ResultValue, Value};

/// An expression over the variables `x` and `y`.
#[derive(Clone, Debug)]
enum Expr {
    X,
    Y,
    Const(i64),
    Arith(&'static str, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The Cypher text; with `general`, each variable read as `[v][0]`.
    fn text(&self, general: bool) -> String {
        match self {
            Expr::X if general => "[x][0]".into(),
            Expr::Y if general => "[y][0]".into(),
            Expr::X => "x".into(),
            Expr::Y => "y".into(),
            // A negative literal in parentheses: `- -1` would be unary.
            Expr::Const(c) => format!("({c})"),
            Expr::Arith(op, a, b) => format!("({} {op} {})", a.text(general), b.text(general)),
        }
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        Just(Expr::X),
        Just(Expr::Y),
        prop_oneof![Just(0i64), Just(1), Just(-1), Just(2), Just(7), Just(-13)]
            .prop_map(Expr::Const),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        (
            prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%")],
            inner.clone(),
            inner,
        )
            .prop_map(|(op, a, b)| Expr::Arith(op, Box::new(a), Box::new(b)))
    })
}

/// Values a variable takes: integers at the edges of overflow, zero,
/// null, floats (mixed arithmetic and comparisons) and a string (a type
/// error).
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Int(0)),
        Just(Value::Int(1)),
        Just(Value::Int(-1)),
        Just(Value::Int(3)),
        Just(Value::Int(-40)),
        Just(Value::Int(i64::MAX)),
        Just(Value::Int(i64::MIN)),
        Just(Value::Null),
        Just(Value::Float(2.5)),
        Just(Value::Float(f64::NAN)),
        Just(Value::from("a")),
        (-1000i64..1000).prop_map(Value::Int),
    ]
}

/// The rows of `query` rendered as text, or the error's message without
/// its position (the two forms' texts differ in length).
fn outcome(db: &Database, query: &str, params: &Params) -> String {
    match db.query(query, params) {
        Ok(r) => r
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|v| match v {
                        // NaN is not equal to itself; compare its text.
                        ResultValue::Float(f) => format!("float {f:?}"),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => {
            let first = e.message.lines().next().unwrap_or_default();
            let what = first.split(" at line").next().unwrap_or(first);
            format!("error: {what}")
        }
    }
}

/// Both forms of one statement template, `{}` standing for each expression
/// in turn, compared on the values of `x` and `y`.
fn same_outcome(db: &Database, template: &[&str], exprs: &[&Expr], x: &Value, y: &Value) {
    let mut params = Params::new();
    params.insert("x".into(), x.clone());
    params.insert("y".into(), y.clone());
    let fill = |general: bool| {
        let mut text = String::from("WITH $x AS x, $y AS y ");
        for (i, part) in template.iter().enumerate() {
            text.push_str(part);
            if let Some(e) = exprs.get(i) {
                text.push_str(&e.text(general));
            }
        }
        text
    };
    let (fast, general) = (fill(false), fill(true));
    assert_eq!(
        outcome(db, &fast, &params),
        outcome(db, &general, &params),
        "\nfast:    {fast}\ngeneral: {general}\nx = {x:?}, y = {y:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn integer_fast_path_agrees_with_the_general_path(
        a in expr(),
        b in expr(),
        op in prop_oneof![Just("="), Just("<>"), Just("<"), Just("<="), Just(">"), Just(">=")],
        x in value(),
        y in value(),
    ) {
        let db = Database::in_memory();
        // A value computed.
        same_outcome(&db, &["RETURN ", " AS v"], &[&a], &x, &y);
        // A comparison, as a value and as the condition of a CASE.
        let cmp = format!(" {op} ");
        same_outcome(&db, &["RETURN ", &cmp, " AS v"], &[&a, &b], &x, &y);
        same_outcome(
            &db,
            &["RETURN CASE WHEN ", &cmp, " THEN 1 ELSE 0 END AS v"],
            &[&a, &b],
            &x,
            &y,
        );
        // A filter, and a conjunction inside an aggregate's argument.
        same_outcome(&db, &["WITH x, y WHERE ", &cmp, " RETURN count(*) AS v"], &[&a, &b], &x, &y);
        same_outcome(
            &db,
            &["RETURN sum(CASE WHEN ", " >= 0 AND ", " < 100 THEN 1 ELSE 0 END) AS v"],
            &[&a, &b],
            &x,
            &y,
        );
    }
}

/// The errors the fast path leaves to the general one are still raised
/// there, with their own messages.
#[test]
fn overflow_and_division_by_zero_still_fail() {
    let db = Database::in_memory();
    let mut params = Params::new();
    params.insert("m".into(), Value::Int(i64::MAX));
    params.insert("z".into(), Value::Int(0));
    for (query, says) in [
        ("WITH $m AS m RETURN m + 1 AS v", "overflow"),
        ("WITH $m AS m RETURN m * 2 > 0 AS v", "overflow"),
        ("WITH $z AS z RETURN 7 / z AS v", "/ by zero"),
        (
            "WITH $z AS z RETURN CASE WHEN 7 % z = 1 THEN 1 END AS v",
            "% by zero",
        ),
        (
            "WITH $m AS m, $z AS z WHERE (m + 1) / (z - 1) < 0 RETURN m",
            "overflow",
        ),
    ] {
        let e = db.query(query, &params).expect_err(query);
        assert!(e.message.contains(says), "{query}: {}", e.message);
    }
    // And the values it computes are right at the edges.
    let r = db
        .query(
            "WITH $m AS m RETURN m - 1 + 1 AS a, (-m - 1) / -1 < 0 AS b, m % 10 AS c, -7 / 2 AS d, -7 % 2 AS e",
            &params,
        )
        .map(|r| format!("{:?}", r.rows))
        .unwrap_or_else(|e| e.message);
    // (-m - 1) / -1 overflows: i64::MIN / -1.
    assert!(r.contains("overflow"), "{r}");
    let r = db
        .query(
            "WITH $m AS m RETURN m - 1 + 1 AS a, m % 10 AS c, -7 / 2 AS d, -7 % 2 AS e, 3 < 2.5 AS f",
            &params,
        )
        .unwrap();
    assert_eq!(
        format!("{:?}", r.rows[0]),
        format!(
            "{:?}",
            vec![
                ResultValue::Int(i64::MAX),
                ResultValue::Int(7),
                ResultValue::Int(-3),
                ResultValue::Int(-1),
                ResultValue::Bool(false)
            ]
        )
    );
}
