//! Comparing engine results with TCK expectations.
//!
//! Node and relationship identity is not compared, only labels/type and
//! properties (as the TCK does). Temporal values compare by their ISO text
//! against the TCK's quoted strings. A float matches exactly, or, when the TCK
//! writes it with fewer significant digits than the value needs, after
//! rounding the engine's value to the digits written.

use std::collections::BTreeMap;

use relgraph::{NodeValue, PathValue, RelValue, ResultValue};

use crate::temporal;
use crate::value::{quote, TckNode, TckRel, TckValue};

/// How lists inside cells are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOrder {
    /// Lists must have the same elements in the same order.
    Exact,
    /// Lists compare as multisets (`ignoring element order for lists`).
    Ignore,
}

/// The ISO text of a temporal value, or `None` for other values.
pub fn temporal_text(v: &ResultValue) -> Option<String> {
    Some(match v {
        ResultValue::Date(d) => temporal::date(d),
        ResultValue::LocalTime(t) => temporal::local_time(t),
        ResultValue::Time(t) => temporal::time(t),
        ResultValue::LocalDateTime(t) => temporal::local_date_time(t),
        ResultValue::DateTime(t) => temporal::date_time(t),
        ResultValue::Duration(d) => temporal::duration(d),
        _ => return None,
    })
}

/// Does a float written as `text` (value `expected`) match `actual`?
///
/// ```
/// use relgraph_tck::compare::float_matches;
/// assert!(float_matches(0.5, "0.5", 0.5));
/// assert!(float_matches(3.14, "3.14", 3.140000000000001));
/// assert!(!float_matches(3.14, "3.14", 3.15));
/// assert!(!float_matches(1.0, "1.0", 1.0000001));
/// ```
pub fn float_matches(expected: f64, text: &str, actual: f64) -> bool {
    if expected.is_nan() || actual.is_nan() {
        return expected.is_nan() && actual.is_nan();
    }
    if expected == actual {
        return true;
    }
    if !expected.is_finite() || !actual.is_finite() {
        return false;
    }
    // Significant digits as written (mantissa only).
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let significant = digits.trim_start_matches('0').len().max(1);
    // Only when the written form is shorter than the shortest exact form of
    // the engine's value (the TCK abbreviates, e.g. 0.30000000000000004 as 0.3).
    let shortest = format!("{:e}", actual);
    let actual_digits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .count();
    if significant >= actual_digits || actual_digits < 15 {
        return false;
    }
    let rounded = format!("{:.*e}", significant - 1, actual);
    rounded.parse::<f64>().is_ok_and(|r| r == expected)
}

fn props_match(
    e: &BTreeMap<String, TckValue>,
    a: &BTreeMap<String, ResultValue>,
    order: ListOrder,
) -> bool {
    // The engine never stores null properties; the TCK never writes them.
    let a_non_null = a
        .values()
        .filter(|v| !matches!(v, ResultValue::Null))
        .count();
    e.len() == a_non_null
        && e.iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| value_matches(ev, av, order)))
}

fn node_matches(e: &TckNode, a: &NodeValue, order: ListOrder) -> bool {
    let mut el: Vec<&str> = e.labels.iter().map(String::as_str).collect();
    let mut al: Vec<&str> = a.labels.iter().map(String::as_str).collect();
    el.sort_unstable();
    al.sort_unstable();
    el.dedup();
    al.dedup();
    el == al && props_match(&e.properties, &a.properties, order)
}

fn rel_matches(e: &TckRel, a: &RelValue, order: ListOrder) -> bool {
    e.rel_type == a.rel_type && props_match(&e.properties, &a.properties, order)
}

fn path_matches(e: &crate::value::TckPath, a: &PathValue, order: ListOrder) -> bool {
    if a.nodes.len() != e.steps.len() + 1 || a.rels.len() != e.steps.len() {
        return false;
    }
    if !node_matches(&e.start, &a.nodes[0], order) {
        return false;
    }
    e.steps.iter().enumerate().all(|(i, (er, forward, en))| {
        let ar = &a.rels[i];
        let (from, to) = (a.nodes[i].id, a.nodes[i + 1].id);
        let dir_ok = if *forward {
            ar.start == from && ar.end == to
        } else {
            ar.start == to && ar.end == from
        };
        dir_ok && rel_matches(er, ar, order) && node_matches(en, &a.nodes[i + 1], order)
    })
}

/// Does the engine's value match the TCK's?
///
/// ```
/// use relgraph::ResultValue;
/// use relgraph_tck::compare::{value_matches, ListOrder};
/// use relgraph_tck::value::parse_value;
/// let e = parse_value("[1, 2]").unwrap();
/// let a = ResultValue::List(vec![ResultValue::Int(2), ResultValue::Int(1)]);
/// assert!(!value_matches(&e, &a, ListOrder::Exact));
/// assert!(value_matches(&e, &a, ListOrder::Ignore));
/// ```
pub fn value_matches(e: &TckValue, a: &ResultValue, order: ListOrder) -> bool {
    match (e, a) {
        (TckValue::Null, ResultValue::Null) => true,
        (TckValue::Bool(x), ResultValue::Bool(y)) => x == y,
        (TckValue::Int(x), ResultValue::Int(y)) => x == y,
        (TckValue::Float(x, text), ResultValue::Float(y)) => float_matches(*x, text, *y),
        (TckValue::String(x), ResultValue::String(y)) => x == y,
        (TckValue::String(x), other) => temporal_text(other).is_some_and(|t| &t == x),
        (TckValue::List(x), ResultValue::List(y)) => lists_match(x, y, order),
        (TckValue::Map(x), ResultValue::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, ev)| y.get(k).is_some_and(|av| value_matches(ev, av, order)))
        }
        (TckValue::Node(x), ResultValue::Node(y)) => node_matches(x, y, order),
        (TckValue::Rel(x), ResultValue::Relationship(y)) => rel_matches(x, y, order),
        (TckValue::Path(x), ResultValue::Path(y)) => path_matches(x, y, order),
        _ => false,
    }
}

fn lists_match(x: &[TckValue], y: &[ResultValue], order: ListOrder) -> bool {
    if x.len() != y.len() {
        return false;
    }
    match order {
        ListOrder::Exact => x.iter().zip(y).all(|(e, a)| value_matches(e, a, order)),
        ListOrder::Ignore => bag_match(x, y, |e, a| value_matches(e, a, order)),
    }
}

/// Multiset matching. Matching is an equivalence between the two sides, so a
/// greedy assignment finds a perfect matching whenever one exists.
fn bag_match<E, A>(expected: &[E], actual: &[A], eq: impl Fn(&E, &A) -> bool) -> bool {
    let mut used = vec![false; actual.len()];
    expected.iter().all(|e| {
        let hit = actual
            .iter()
            .enumerate()
            .find(|(i, a)| !used[*i] && eq(e, a))
            .map(|(i, _)| i);
        match hit {
            Some(i) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

/// Writes an engine value in TCK notation (for failure messages).
///
/// ```
/// use relgraph::ResultValue;
/// assert_eq!(relgraph_tck::compare::render(&ResultValue::List(vec![ResultValue::Int(1),
///     ResultValue::String("a".into())])), "[1, 'a']");
/// ```
pub fn render(v: &ResultValue) -> String {
    match v {
        ResultValue::Null => "null".into(),
        ResultValue::Bool(b) => b.to_string(),
        ResultValue::Int(i) => i.to_string(),
        ResultValue::Float(f) => render_float(*f),
        ResultValue::String(s) => quote(s),
        ResultValue::List(l) => {
            format!("[{}]", l.iter().map(render).collect::<Vec<_>>().join(", "))
        }
        ResultValue::Map(m) => render_map(m),
        ResultValue::Node(n) => render_node(n),
        ResultValue::Relationship(r) => render_rel(r),
        ResultValue::Path(p) => {
            let Some(first) = p.nodes.first() else {
                return "<>".into();
            };
            let mut s = format!("<{}", render_node(first));
            for (i, r) in p.rels.iter().enumerate() {
                let Some(next) = p.nodes.get(i + 1) else {
                    break;
                };
                if r.start == p.nodes[i].id {
                    s.push_str(&format!("-{}->{}", render_rel(r), render_node(next)));
                } else {
                    s.push_str(&format!("<-{}-{}", render_rel(r), render_node(next)));
                }
            }
            s.push('>');
            s
        }
        other => format!("'{}'", temporal_text(other).unwrap_or_default()),
    }
}

fn render_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn render_map(m: &BTreeMap<String, ResultValue>) -> String {
    let items: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k}: {}", render(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn render_node(n: &NodeValue) -> String {
    let labels: String = n.labels.iter().map(|l| format!(":{l}")).collect();
    if n.properties.is_empty() {
        format!("({labels})")
    } else if labels.is_empty() {
        format!("({})", render_map(&n.properties))
    } else {
        format!("({labels} {})", render_map(&n.properties))
    }
}

fn render_rel(r: &RelValue) -> String {
    if r.properties.is_empty() {
        format!("[:{}]", r.rel_type)
    } else {
        format!("[:{} {}]", r.rel_type, render_map(&r.properties))
    }
}

/// The outcome of comparing a result table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableMismatch {
    /// Column names differ (expected, actual).
    Columns(Vec<String>, Vec<String>),
    /// Rows differ; a description of expected vs. actual.
    Rows(String),
}

/// Compares a result with an expected table (`table[0]` is the header).
/// `ordered`: rows must come in this order; otherwise rows compare as a multiset.
///
/// ```
/// use relgraph::ResultValue;
/// use relgraph_tck::compare::{compare_table, ListOrder};
/// let table = vec![vec!["x".to_string()], vec!["1".to_string()], vec!["2".to_string()]];
/// let rows = vec![vec![ResultValue::Int(2)], vec![ResultValue::Int(1)]];
/// assert!(compare_table(&table, &["x".to_string()], &rows, false, ListOrder::Exact).is_ok());
/// assert!(compare_table(&table, &["x".to_string()], &rows, true, ListOrder::Exact).is_err());
/// ```
pub fn compare_table(
    table: &[Vec<String>],
    columns: &[String],
    rows: &[Vec<ResultValue>],
    ordered: bool,
    order: ListOrder,
) -> Result<(), TableMismatch> {
    let Some((header, body)) = table.split_first() else {
        return Err(TableMismatch::Rows(
            "the expected table has no header".into(),
        ));
    };
    if header.as_slice() != columns {
        return Err(TableMismatch::Columns(header.clone(), columns.to_vec()));
    }
    let mut expected = Vec::with_capacity(body.len());
    for row in body {
        let parsed: Result<Vec<TckValue>, _> =
            row.iter().map(|c| crate::value::parse_value(c)).collect();
        match parsed {
            Ok(r) => expected.push(r),
            Err(e) => {
                return Err(TableMismatch::Rows(format!(
                    "cannot parse expected row: {e}"
                )))
            }
        }
    }
    let row_eq = |e: &Vec<TckValue>, a: &Vec<ResultValue>| {
        e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| value_matches(ev, av, order))
    };
    let ok = expected.len() == rows.len()
        && if ordered {
            expected.iter().zip(rows).all(|(e, a)| row_eq(e, a))
        } else {
            bag_match(&expected, rows, row_eq)
        };
    if ok {
        return Ok(());
    }
    Err(TableMismatch::Rows(describe_rows(&expected, rows)))
}

fn describe_rows(expected: &[Vec<TckValue>], actual: &[Vec<ResultValue>]) -> String {
    const MAX: usize = 8;
    let fmt_e = |r: &Vec<TckValue>| {
        format!(
            "| {} |",
            r.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        )
    };
    let fmt_a = |r: &Vec<ResultValue>| {
        format!(
            "| {} |",
            r.iter().map(render).collect::<Vec<_>>().join(" | ")
        )
    };
    let mut s = format!(
        "expected {} rows, got {}.\n  expected:",
        expected.len(),
        actual.len()
    );
    for r in expected.iter().take(MAX) {
        s.push_str(&format!("\n    {}", fmt_e(r)));
    }
    if expected.len() > MAX {
        s.push_str("\n    ...");
    }
    s.push_str("\n  actual:");
    for r in actual.iter().take(MAX) {
        s.push_str(&format!("\n    {}", fmt_a(r)));
    }
    if actual.len() > MAX {
        s.push_str("\n    ...");
    }
    s
}
