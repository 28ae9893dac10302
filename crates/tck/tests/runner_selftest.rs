//! Tests of the runner itself (value parser, comparator, feature expansion,
//! step logic) on inline feature text with a scripted engine; the real
//! engine is not involved.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use relgraph::{NodeValue, Params, PathValue, Phase, QueryResult, RelValue, ResultValue};
use relgraph_tck::compare::{compare_table, value_matches, ListOrder};
use relgraph_tck::features::parse_feature;
use relgraph_tck::runner::{run_scenario, Context, Engine, Outcome};
use relgraph_tck::state::GraphState;
use relgraph_tck::unsupported::Unsupported;
use relgraph_tck::value::{parse_value, TckValue};

fn node(id: u64, labels: &[&str], props: &[(&str, ResultValue)]) -> NodeValue {
    NodeValue {
        id,
        labels: labels.iter().map(|s| s.to_string()).collect(),
        properties: props
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

fn rel(id: u64, t: &str, start: u64, end: u64) -> RelValue {
    RelValue {
        id,
        rel_type: t.into(),
        start,
        end,
        properties: BTreeMap::new(),
    }
}

fn s(x: &str) -> ResultValue {
    ResultValue::String(x.into())
}

#[test]
fn value_parser_reads_tck_notation() {
    let v = parse_value("(:A:B {name: 'x', n: [1, -2.5, NaN]})").unwrap();
    let TckValue::Node(n) = v else {
        panic!("not a node: {v:?}")
    };
    assert_eq!(n.labels, vec!["A", "B"]);
    assert_eq!(n.properties["name"], TckValue::String("x".into()));
    assert!(matches!(&n.properties["n"], TckValue::List(l) if l.len() == 3));

    let p = parse_value("<(:A)-[:T {k: 1}]->(:B)<-[:U]-()>").unwrap();
    let TckValue::Path(p) = p else {
        panic!("not a path")
    };
    assert_eq!(p.steps.len(), 2);
    assert!(p.steps[0].1 && !p.steps[1].1);
    assert_eq!(p.steps[0].0.rel_type, "T");

    assert_eq!(parse_value("[:T]").unwrap().to_string(), "[:T]");
    assert_eq!(parse_value("[]").unwrap(), TckValue::List(vec![]));
    assert_eq!(parse_value("{}").unwrap(), TckValue::Map(BTreeMap::new()));
    assert_eq!(
        parse_value("'a\\\\b\\'c'").unwrap(),
        TckValue::String("a\\b'c".into())
    );
    assert_eq!(parse_value("-Infinity").unwrap().to_string(), "-Infinity");
    assert_eq!(parse_value(" 42 ").unwrap(), TckValue::Int(42));
    assert!(matches!(parse_value("1e3").unwrap(), TckValue::Float(f, _) if f == 1000.0));
    assert_eq!(
        parse_value("{`a b`: null}").unwrap().to_string(),
        "{a b: null}"
    );
    for bad in ["", "[1,", "(:A", "'open", "<(:A)-[:T]-(:B)>", "1 2", "nul"] {
        assert!(parse_value(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn comparator_ignores_identity_and_checks_types() {
    let order = ListOrder::Exact;
    let e = parse_value("(:B:A {k: 1})").unwrap();
    assert!(value_matches(
        &e,
        &ResultValue::Node(node(7, &["A", "B"], &[("k", ResultValue::Int(1))])),
        order
    ));
    assert!(!value_matches(
        &e,
        &ResultValue::Node(node(7, &["A"], &[("k", ResultValue::Int(1))])),
        order
    ));
    assert!(!value_matches(
        &e,
        &ResultValue::Node(node(7, &["A", "B"], &[("k", ResultValue::Float(1.0))])),
        order
    ));
    assert!(!value_matches(
        &parse_value("1").unwrap(),
        &ResultValue::Float(1.0),
        order
    ));
    assert!(value_matches(
        &parse_value("NaN").unwrap(),
        &ResultValue::Float(f64::NAN),
        order
    ));
    assert!(value_matches(
        &parse_value("0.3").unwrap(),
        &ResultValue::Float(0.1 + 0.2),
        order
    ));
    assert!(!value_matches(
        &parse_value("0.3").unwrap(),
        &ResultValue::Float(0.31),
        order
    ));

    // Paths: direction of each relationship matters.
    let p = parse_value("<(:A)-[:T]->(:B)>").unwrap();
    let fwd = PathValue {
        nodes: vec![node(1, &["A"], &[]), node(2, &["B"], &[])],
        rels: vec![rel(9, "T", 1, 2)],
    };
    let back = PathValue {
        nodes: vec![node(1, &["A"], &[]), node(2, &["B"], &[])],
        rels: vec![rel(9, "T", 2, 1)],
    };
    assert!(value_matches(&p, &ResultValue::Path(fwd), order));
    assert!(!value_matches(&p, &ResultValue::Path(back), order));

    // Temporal values compare by ISO text.
    let d = relgraph_graph::temporal::Date { days: 16637 };
    assert!(value_matches(
        &parse_value("'2015-07-21'").unwrap(),
        &ResultValue::Date(d),
        order
    ));
    assert!(!value_matches(
        &parse_value("'2015-07-22'").unwrap(),
        &ResultValue::Date(d),
        order
    ));

    // Tables: columns, multiset rows, ordered rows, list order.
    let cols = vec!["a".to_string(), "b".to_string()];
    let table = |rows: &[&[&str]]| -> Vec<Vec<String>> {
        let mut t = vec![cols.clone()];
        t.extend(
            rows.iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect()),
        );
        t
    };
    let rows = vec![
        vec![ResultValue::Int(1), s("x")],
        vec![ResultValue::Int(1), s("x")],
        vec![ResultValue::Int(2), s("y")],
    ];
    let t = table(&[&["2", "'y'"], &["1", "'x'"], &["1", "'x'"]]);
    assert!(compare_table(&t, &cols, &rows, false, order).is_ok());
    assert!(compare_table(&t, &cols, &rows, true, order).is_err());
    let t2 = table(&[&["2", "'y'"], &["2", "'y'"], &["1", "'x'"]]);
    assert!(
        compare_table(&t2, &cols, &rows, false, order).is_err(),
        "multiplicity counts"
    );
    assert!(compare_table(&t, &["a".to_string(), "c".to_string()], &rows, false, order).is_err());
    let lt = vec![vec!["l".to_string()], vec!["[1, 2]".to_string()]];
    let lrows = vec![vec![ResultValue::List(vec![
        ResultValue::Int(2),
        ResultValue::Int(1),
    ])]];
    assert!(compare_table(&lt, &["l".to_string()], &lrows, false, ListOrder::Exact).is_err());
    assert!(compare_table(&lt, &["l".to_string()], &lrows, false, ListOrder::Ignore).is_ok());
}

const FEATURE: &str = r#"
Feature: Demo1 - runner self test

  Background:
    Given an empty graph

  Scenario: [1] Create with side effects
    When executing query:
      """
      CREATE (:A {name: 'x'}), (:A)
      """
    Then the result should be empty
    And the side effects should be:
      | +nodes      | 2 |
      | +labels     | 1 |
      | +properties | 1 |

  Scenario Outline: [2] Outline <v>
    When executing query:
      """
      RETURN <v> AS v
      """
    Then the result should be, in any order:
      | v   |
      | <v> |
    And no side effects

    Examples:
      | v   |
      | 1   |
      | 'a' |

    Examples:
      | v      |
      | '\''   |

  Scenario: [3] Undefined variable
    When executing query:
      """
      RETURN foo
      """
    Then a SyntaxError should be raised at compile time: UndefinedVariable

  Scenario: [4] A step nobody knows
    When executing query:
      """
      RETURN 1
      """
    Then the moon should be full

  Scenario: [5] Engine panics
    When executing query:
      """
      PANIC
      """
    Then the result should be empty

  Scenario: [6] Procedures
    And there exists a procedure test.doNothing() :: ():
      | |
    When executing query:
      """
      CALL test.doNothing()
      """
    Then the result should be empty
"#;

/// A scripted engine: answers by query text and applies a graph change.
#[derive(Default)]
struct Script {
    state: GraphState,
}

fn err(kind: &'static str, detail: Option<&'static str>, message: &str) -> relgraph::Error {
    relgraph::Error {
        message: message.into(),
        kind,
        detail,
        phase: Phase::Compile,
        position: None,
        cause: relgraph::Cause::Query,
    }
}

impl Engine for Script {
    fn query(&mut self, text: &str, _params: &Params) -> Result<QueryResult, relgraph::Error> {
        let one = |col: &str, v: ResultValue| QueryResult {
            columns: Arc::from(vec![col.to_string()]),
            rows: vec![vec![v]],
            ..Default::default()
        };
        match text {
            "CREATE (:A {name: 'x'}), (:A)" => {
                self.state
                    .add_node(0, &["A".into()], &BTreeMap::from([("name".into(), s("x"))]));
                self.state.add_node(1, &["A".into()], &BTreeMap::new());
                Ok(QueryResult::default())
            }
            "RETURN 1 AS v" => Ok(one("v", ResultValue::Int(1))),
            "RETURN 'a' AS v" => Ok(one("v", s("b"))), // wrong on purpose
            "RETURN '\\'' AS v" => Ok(one("v", s("'"))),
            "RETURN foo" => Err(err(
                "SyntaxError",
                Some("UndefinedVariable"),
                "Variable `foo` not defined",
            )),
            "PANIC" => panic!("engine bug"),
            other => Err(err("SyntaxError", None, &format!("not supported: {other}"))),
        }
    }

    fn state(&mut self) -> Result<GraphState, String> {
        Ok(self.state.clone())
    }
}

fn ctx(rules: &str) -> Context {
    Context {
        graphs_dir: PathBuf::from("/nonexistent"),
        unsupported: Unsupported::parse(rules).unwrap(),
    }
}

#[test]
fn feature_expansion_background_and_outlines() {
    let scs = parse_feature(FEATURE, "demo/Demo1.feature").unwrap();
    let names: Vec<String> = scs.iter().map(|s| s.id()).collect();
    assert_eq!(scs.len(), 8, "{names:#?}");
    assert!(
        scs.iter().all(|s| s.steps[0].text == "an empty graph"),
        "background first"
    );
    let outline: Vec<_> = scs.iter().filter(|s| s.name.starts_with("[2]")).collect();
    assert_eq!(outline.len(), 3);
    assert_eq!(outline[2].example, Some(3));
    assert_eq!(
        outline[2].steps[1].docstring.as_deref(),
        Some("RETURN '\\'' AS v")
    );
    assert_eq!(
        outline[2].id(),
        "demo/Demo1.feature :: [2] Outline <v> :: #3"
    );
}

#[test]
fn scenarios_pass_fail_and_skip_for_the_right_reasons() {
    relgraph_tck::runner::quiet_panics();
    let scs = parse_feature(FEATURE, "demo/Demo1.feature").unwrap();
    let c = ctx("");
    let outcomes: Vec<Outcome> = scs
        .iter()
        .map(|sc| run_scenario(sc, &c, Script::default))
        .collect();
    let label = |i: usize| outcomes[i].label();
    assert_eq!(label(0), "pass", "{:?}", outcomes[0]);
    assert_eq!(label(1), "pass", "{:?}", outcomes[1]);
    assert_eq!(label(2), "fail", "wrong value must fail");
    assert_eq!(
        label(3),
        "pass",
        "escaped quote in an outline cell: {:?}",
        outcomes[3]
    );
    assert_eq!(label(4), "pass", "{:?}", outcomes[4]);
    assert!(matches!(&outcomes[5], Outcome::Skip { reason } if reason.contains("unknown step")));
    assert!(matches!(&outcomes[6], Outcome::Panic { message } if message.contains("engine bug")));
    assert!(matches!(&outcomes[7], Outcome::Skip { reason } if reason.contains("procedure")));

    // The unsupported list turns a scenario into a skip, never a pass.
    let c2 = ctx("outlines are out | scenario=Outline\n");
    assert!(
        matches!(run_scenario(&scs[1], &c2, Script::default), Outcome::Skip { reason } if reason == "outlines are out")
    );
    // `!` exempts: here the first outline row runs (and passes), the second is skipped.
    let c3 = ctx(
        "outlines are out | scenario=Outline | !id=demo/Demo1.feature :: [2] Outline <v> :: #1\n",
    );
    assert_eq!(run_scenario(&scs[1], &c3, Script::default), Outcome::Pass);
    assert!(matches!(
        run_scenario(&scs[2], &c3, Script::default),
        Outcome::Skip { .. }
    ));
}

#[test]
fn errors_need_type_and_detail_and_side_effects_are_exact() {
    let text = r#"
Feature: Demo2

  Scenario: [1] wrong detail
    Given any graph
    When executing query:
      """
      RETURN foo
      """
    Then a SyntaxError should be raised at compile time: VariableTypeConflict

  Scenario: [2] unsupported is not the expected error
    Given any graph
    When executing query:
      """
      FOO BAR
      """
    Then a SyntaxError should be raised at compile time: InvalidSyntax

  Scenario: [3] side effects counted exactly
    Given any graph
    When executing query:
      """
      CREATE (:A {name: 'x'}), (:A)
      """
    Then the result should be empty
    And the side effects should be:
      | +nodes      | 2 |
      | +labels     | 2 |
      | +properties | 1 |

  Scenario: [4] success where an error was expected
    Given any graph
    When executing query:
      """
      RETURN 1 AS v
      """
    Then a TypeError should be raised at runtime: InvalidArgumentType
"#;
    let scs = parse_feature(text, "demo/Demo2.feature").unwrap();
    let c = ctx("");
    let outcomes: Vec<Outcome> = scs
        .iter()
        .map(|sc| run_scenario(sc, &c, Script::default))
        .collect();
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(o.label(), "fail", "scenario {} should fail: {o:?}", i + 1);
    }
    let class = |i: usize| match &outcomes[i] {
        Outcome::Fail { class, .. } => class.clone(),
        _ => String::new(),
    };
    assert!(class(0).starts_with("wrong error detail"), "{}", class(0));
    assert!(class(1).starts_with("engine:"), "{}", class(1));
    assert_eq!(class(2), "wrong side effects");
    assert!(class(3).contains("query succeeded"), "{}", class(3));
}
