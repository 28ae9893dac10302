//! Runs the openCypher TCK's graph-free expression scenarios
//! (`../shared/tck/features/expressions`) against [`crate::value_ops`] and
//! [`crate::functions`] through a tiny evaluator of `UNWIND` / `WITH` /
//! `RETURN` over literals. Scenarios that need a graph, parameters, or
//! expressions the tiny evaluator does not know are skipped; the real
//! TCK runner (crates/tck) covers them end to end. Skips cleanly when
//! ../shared is absent.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use relgraph_cypher::ast::{Clause, Expr, ExprKind, Literal, StatementKind};
use relgraph_graph::temporal::DateTime;
use relgraph_graph::{Snapshot, Value};

use super::aggregate::Accumulator;
use super::{call_scalar, is_aggregate, FnContext};
use crate::error::{ErrorKind, ExecError};
use crate::value_ops::{
    binary_op, display_scalar, equals, order_cmp, property_of_value, unary_op, GroupKey,
};

struct Ctx {
    snap: Snapshot,
    now: DateTime,
}

impl FnContext for Ctx {
    fn snapshot(&self) -> &Snapshot {
        &self.snap
    }
    fn statement_time(&self) -> DateTime {
        self.now.clone()
    }
}

/// Why a scenario did not produce a comparable result.
enum Outcome {
    Rows(Vec<Vec<Value>>),
    Error(ExecError),
    Skip(String),
}

type Env = HashMap<String, Value>;

fn skip<T>(why: impl Into<String>) -> Result<T, Outcome> {
    Err(Outcome::Skip(why.into()))
}

fn eval(e: &Expr, env: &Env, ctx: &Ctx) -> Result<Value, Outcome> {
    let run = |r: crate::error::Result<Value>| r.map_err(Outcome::Error);
    match &e.kind {
        ExprKind::Literal(l) => Ok(match l {
            Literal::Null => Value::Null,
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Int(i) => Value::Int(*i),
            Literal::Float(f) => Value::Float(*f),
            Literal::String(s) => Value::from(s.as_str()),
        }),
        ExprKind::Variable(v) => match env.get(v) {
            Some(x) => Ok(x.clone()),
            None => skip(format!("unknown variable {v}")),
        },
        ExprKind::List(items) => Ok(Value::List(
            items
                .iter()
                .map(|x| eval(x, env, ctx))
                .collect::<Result<_, _>>()?,
        )),
        ExprKind::Map(items) => {
            let mut m = BTreeMap::new();
            for (k, x) in items {
                m.insert(Arc::from(k.name.as_str()), eval(x, env, ctx)?);
            }
            Ok(Value::Map(m))
        }
        ExprKind::Property(x, key) => {
            let v = eval(x, env, ctx)?;
            run(property_of_value(&v, &key.name))
        }
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (eval(a, env, ctx)?, eval(b, env, ctx)?);
            run(binary_op(*op, &a, &b))
        }
        ExprKind::Unary(op, a) => {
            let a = eval(a, env, ctx)?;
            run(unary_op(*op, &a))
        }
        ExprKind::IsNull(a, negated) => {
            let a = eval(a, env, ctx)?;
            Ok(Value::Bool(a.is_null() != *negated))
        }
        ExprKind::FunctionCall {
            name,
            args,
            distinct,
        } => {
            if is_aggregate(name) || *distinct {
                return skip("aggregate");
            }
            let args: Vec<Value> = args
                .iter()
                .map(|x| eval(x, env, ctx))
                .collect::<Result<_, _>>()?;
            match call_scalar(name, &args, ctx) {
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::Semantic {
                            detail: "UnknownFunction",
                            ..
                        }
                    ) =>
                {
                    skip(format!("function {name}"))
                }
                r => run(r),
            }
        }
        ExprKind::Case {
            subject,
            branches,
            default,
        } => {
            let subject = match subject {
                Some(s) => Some(eval(s, env, ctx)?),
                None => None,
            };
            for (w, t) in branches {
                let w = eval(w, env, ctx)?;
                let hit = match &subject {
                    Some(s) => equals(s, &w) == Some(true),
                    None => w == Value::Bool(true),
                };
                if hit {
                    return eval(t, env, ctx);
                }
            }
            match default {
                Some(d) => eval(d, env, ctx),
                None => Ok(Value::Null),
            }
        }
        ExprKind::Index(list, idx) => {
            let (l, i) = (eval(list, env, ctx)?, eval(idx, env, ctx)?);
            match (&l, &i) {
                (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
                (Value::List(items), Value::Int(i)) => {
                    let n = items.len() as i64;
                    let j = if *i < 0 { n + i } else { *i };
                    Ok(if (0..n).contains(&j) {
                        items[j as usize].clone()
                    } else {
                        Value::Null
                    })
                }
                (Value::Map(m), Value::String(k)) => Ok(m.get(k).cloned().unwrap_or(Value::Null)),
                _ => skip("index of this kind"),
            }
        }
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            let l = eval(list, env, ctx)?;
            let Value::List(items) = l else {
                return if l.is_null() {
                    Ok(Value::Null)
                } else {
                    skip("comprehension over non-list")
                };
            };
            let mut out = Vec::new();
            for x in items {
                let mut inner = env.clone();
                inner.insert(variable.name.clone(), x.clone());
                if let Some(p) = predicate {
                    if eval(p, &inner, ctx)? != Value::Bool(true) {
                        continue;
                    }
                }
                out.push(match projection {
                    Some(p) => eval(p, &inner, ctx)?,
                    None => x,
                });
            }
            Ok(Value::List(out))
        }
        _ => skip("expression form"),
    }
}

/// Runs `UNWIND`/`WITH`/`RETURN` over literal rows, with simple grouping
/// for aggregates in the last projection.
fn run_query(text: &str, ctx: &Ctx) -> Outcome {
    let stmt = match relgraph_cypher::parse(text) {
        Ok(s) => s,
        Err(_) => return Outcome::Skip("parse error".into()),
    };
    let StatementKind::Query(q) = stmt.kind else {
        return Outcome::Skip("schema".into());
    };
    if !q.unions.is_empty() {
        return Outcome::Skip("union".into());
    }
    let mut rows: Vec<Env> = vec![Env::new()];
    for clause in &q.first.clauses {
        match clause {
            Clause::Unwind(u) => {
                let mut next = Vec::new();
                for row in &rows {
                    match eval(&u.expr, row, ctx) {
                        Ok(Value::List(items)) => {
                            for x in items {
                                let mut r = row.clone();
                                r.insert(u.variable.name.clone(), x);
                                next.push(r);
                            }
                        }
                        Ok(Value::Null) => {}
                        Ok(other) => {
                            let mut r = row.clone();
                            r.insert(u.variable.name.clone(), other);
                            next.push(r);
                        }
                        Err(o) => return o,
                    }
                }
                rows = next;
            }
            Clause::With(p) | Clause::Return(p) => {
                if p.star
                    || p.distinct
                    || !p.order_by.is_empty()
                    || p.skip.is_some()
                    || p.limit.is_some()
                {
                    return Outcome::Skip("projection modifiers".into());
                }
                let names: Vec<String> = p
                    .items
                    .iter()
                    .map(|it| {
                        it.alias
                            .as_ref()
                            .map_or(it.text.clone(), |a| a.name.clone())
                    })
                    .collect();
                let agg_items: Vec<bool> = p
                    .items
                    .iter()
                    .map(|it| matches!(&it.expr.kind, ExprKind::FunctionCall { name, .. } if is_aggregate(name)))
                    .collect();
                let mut next = Vec::new();
                if agg_items.iter().any(|a| *a) {
                    // Group by the non-aggregate items.
                    let mut groups: Vec<(Vec<Value>, Vec<Accumulator>)> = Vec::new();
                    let mut index: HashMap<Vec<GroupKey>, usize> = HashMap::new();
                    let mut keys_only = Vec::new();
                    for row in &rows {
                        let mut key = Vec::new();
                        for (it, agg) in p.items.iter().zip(&agg_items) {
                            if !agg {
                                match eval(&it.expr, row, ctx) {
                                    Ok(v) => key.push(v),
                                    Err(o) => return o,
                                }
                            }
                        }
                        let gk: Vec<GroupKey> = key.iter().cloned().map(GroupKey).collect();
                        let gi = match index.get(&gk) {
                            Some(i) => *i,
                            None => {
                                let mut accs = Vec::new();
                                for (it, agg) in p.items.iter().zip(&agg_items) {
                                    if *agg {
                                        let ExprKind::FunctionCall {
                                            name,
                                            distinct,
                                            args,
                                        } = &it.expr.kind
                                        else {
                                            unreachable!("checked above")
                                        };
                                        let mut extra = Vec::new();
                                        for a in args.iter().skip(1) {
                                            match eval(a, row, ctx) {
                                                Ok(v) => extra.push(v),
                                                Err(o) => return o,
                                            }
                                        }
                                        match Accumulator::new(name, *distinct, &extra) {
                                            Ok(a) => accs.push(a),
                                            Err(e) => return Outcome::Error(e),
                                        }
                                    }
                                }
                                groups.push((key.clone(), accs));
                                keys_only.push(key);
                                index.insert(gk, groups.len() - 1);
                                groups.len() - 1
                            }
                        };
                        let mut ai = 0;
                        for (it, agg) in p.items.iter().zip(&agg_items) {
                            if *agg {
                                let ExprKind::FunctionCall { args, .. } = &it.expr.kind else {
                                    unreachable!()
                                };
                                let v = match args.first() {
                                    Some(a) => match eval(a, row, ctx) {
                                        Ok(v) => v,
                                        Err(o) => return o,
                                    },
                                    None => Value::Bool(true),
                                };
                                if let Err(e) = groups[gi].1[ai].update(&v) {
                                    return Outcome::Error(e);
                                }
                                ai += 1;
                            }
                        }
                    }
                    if groups.is_empty() && agg_items.iter().all(|a| *a) {
                        let mut accs = Vec::new();
                        for it in &p.items {
                            let ExprKind::FunctionCall { name, distinct, .. } = &it.expr.kind
                            else {
                                unreachable!()
                            };
                            match Accumulator::new(name, *distinct, &[Value::Float(0.5)]) {
                                Ok(a) => accs.push(a),
                                Err(e) => return Outcome::Error(e),
                            }
                        }
                        groups.push((Vec::new(), accs));
                    }
                    for (key, accs) in groups {
                        let mut env = Env::new();
                        let (mut ki, mut accs) = (key.into_iter(), accs.into_iter());
                        for (name, agg) in names.iter().zip(&agg_items) {
                            let v = if *agg {
                                match accs.next().map(Accumulator::finish) {
                                    Some(Ok(v)) => v,
                                    Some(Err(e)) => return Outcome::Error(e),
                                    None => Value::Null,
                                }
                            } else {
                                ki.next().unwrap_or(Value::Null)
                            };
                            env.insert(name.clone(), v);
                        }
                        next.push(env);
                    }
                } else {
                    for row in &rows {
                        let mut env = Env::new();
                        for (it, name) in p.items.iter().zip(&names) {
                            match eval(&it.expr, row, ctx) {
                                Ok(v) => {
                                    env.insert(name.clone(), v);
                                }
                                Err(o) => return o,
                            }
                        }
                        next.push(env);
                    }
                }
                if let Some(w) = &p.where_ {
                    let mut kept = Vec::new();
                    for row in next {
                        match eval(w, &row, ctx) {
                            Ok(Value::Bool(true)) => kept.push(row),
                            Ok(_) => {}
                            Err(o) => return o,
                        }
                    }
                    next = kept;
                }
                if let Clause::Return(_) = clause {
                    let out = next
                        .iter()
                        .map(|r| names.iter().map(|n| r[n].clone()).collect())
                        .collect();
                    return Outcome::Rows(out);
                }
                rows = next;
            }
            _ => return Outcome::Skip("clause".into()),
        }
    }
    Outcome::Skip("no RETURN".into())
}

// ---------------------------------------------------------------------------
// Expected values as the TCK writes them.

/// Parses a TCK cell: null, booleans, numbers, NaN, 'strings', [lists],
/// {maps}. Returns `None` for anything else (nodes, paths).
fn parse_cell(s: &str) -> Option<Value> {
    let mut p = CellParser {
        s: s.trim().as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct CellParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl CellParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn value(&mut self) -> Option<Value> {
        self.ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'\'' => {
                self.i += 1;
                let mut out = Vec::new();
                while let Some(&b) = self.s.get(self.i) {
                    self.i += 1;
                    match b {
                        b'\\' => {
                            let e = *self.s.get(self.i)?;
                            self.i += 1;
                            out.push(match e {
                                b'n' => b'\n',
                                b't' => b'\t',
                                other => other,
                            });
                        }
                        b'\'' => return String::from_utf8(out).ok().map(Value::from),
                        other => out.push(other),
                    }
                }
                None
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b']') {
                        return Some(Value::List(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                if self.eat(b'}') {
                    return Some(Value::Map(m));
                }
                loop {
                    self.ws();
                    let start = self.i;
                    while self.i < self.s.len()
                        && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
                    {
                        self.i += 1;
                    }
                    let key = std::str::from_utf8(&self.s[start..self.i])
                        .ok()?
                        .to_string();
                    if key.is_empty() || !self.eat(b':') {
                        return None;
                    }
                    m.insert(Arc::from(key.as_str()), self.value()?);
                    if self.eat(b'}') {
                        return Some(Value::Map(m));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b']' | b'}') {
                    self.i += 1;
                }
                let tok = std::str::from_utf8(&self.s[start..self.i]).ok()?.trim();
                Some(match tok {
                    "null" => Value::Null,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "NaN" => Value::Float(f64::NAN),
                    "Inf" | "Infinity" => Value::Float(f64::INFINITY),
                    "-Inf" | "-Infinity" => Value::Float(f64::NEG_INFINITY),
                    t if t.contains(['.', 'e', 'E']) => Value::Float(t.parse().ok()?),
                    t => Value::Int(t.parse().ok()?),
                })
            }
        }
    }
}

/// TCK equality of an actual value with an expected cell: temporal values
/// compare by their string form, floats approximately, NaN equals NaN.
fn matches_expected(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Float(a), Value::Float(b)) => {
            (a.is_nan() && b.is_nan())
                || a == b
                || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
        }
        (Value::List(a), Value::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| matches_expected(x, y))
        }
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((k1, x), (k2, y))| k1 == k2 && matches_expected(x, y))
        }
        (
            Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_),
            Value::String(s),
        ) => display_scalar(actual).as_deref() == Some(&**s),
        _ => actual == expected,
    }
}

// ---------------------------------------------------------------------------
// Feature files.

struct Scenario {
    name: String,
    query: String,
    expected: Expected,
}

enum Expected {
    Rows {
        ordered: bool,
        columns: usize,
        rows: Vec<Vec<String>>,
    },
    Error(String),
}

fn table_row(line: &str) -> Vec<String> {
    // Gherkin table cells escape `|` as `\|`, `\` as `\\` and newline as `\n`.
    let t = line.trim();
    let inner = t
        .strip_prefix('|')
        .and_then(|x| x.strip_suffix('|'))
        .unwrap_or(t);
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => cur.push('\n'),
                Some(other) => cur.push(other),
                None => cur.push('\\'),
            },
            '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
            other => cur.push(other),
        }
    }
    cells.push(cur.trim().to_string());
    cells
}

/// Parses the scenarios of one feature file that need no graph and no
/// parameters, expanding outlines.
fn scenarios(text: &str) -> Vec<Scenario> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if !l.starts_with("Scenario") {
            i += 1;
            continue;
        }
        let name = l.to_string();
        let mut j = i + 1;
        while j < lines.len() && !lines[j].trim().starts_with("Scenario") {
            j += 1;
        }
        let body = &lines[i + 1..j];
        i = j;
        let graphless = body
            .iter()
            .any(|b| b.trim() == "Given any graph" || b.trim() == "Given an empty graph")
            && !body
                .iter()
                .any(|b| b.contains("having executed") || b.contains("parameters are"));
        if !graphless {
            continue;
        }
        let Some(qstart) = body
            .iter()
            .position(|b| b.trim() == "When executing query:")
        else {
            continue;
        };
        let mut k = qstart + 2;
        let mut query = Vec::new();
        while k < body.len() && body[k].trim() != "\"\"\"" {
            query.push(body[k].trim());
            k += 1;
        }
        let query = query.join("\n");
        let mut expected = None;
        let mut examples: Vec<Vec<String>> = Vec::new();
        let mut m = k + 1;
        while m < body.len() {
            let t = body[m].trim();
            if t.starts_with("Then the result should be") {
                let ordered = t.contains("in order");
                let mut rows = Vec::new();
                let mut n = m + 1;
                while n < body.len() && body[n].trim().starts_with('|') {
                    rows.push(table_row(body[n]));
                    n += 1;
                }
                let columns = rows.first().map_or(0, Vec::len);
                expected = Some(Expected::Rows {
                    ordered,
                    columns,
                    rows: rows.into_iter().skip(1).collect(),
                });
                m = n;
                continue;
            }
            if t.starts_with("Then the result should be empty") {
                expected = Some(Expected::Rows {
                    ordered: false,
                    columns: 0,
                    rows: vec![],
                });
            }
            if t.contains("should be raised") {
                expected = Some(Expected::Error(t.to_string()));
            }
            if t.starts_with("Examples") {
                let mut n = m + 1;
                while n < body.len() && body[n].trim().starts_with('|') {
                    examples.push(table_row(body[n]));
                    n += 1;
                }
                m = n;
                continue;
            }
            m += 1;
        }
        let Some(expected) = expected else { continue };
        if examples.is_empty() {
            out.push(Scenario {
                name,
                query,
                expected,
            });
            continue;
        }
        let header = examples[0].clone();
        for row in &examples[1..] {
            let subst = |s: &str| {
                let mut s = s.to_string();
                for (h, v) in header.iter().zip(row) {
                    s = s.replace(&format!("<{h}>"), v);
                }
                s
            };
            let expected = match &expected {
                Expected::Rows {
                    ordered,
                    columns,
                    rows,
                } => Expected::Rows {
                    ordered: *ordered,
                    columns: *columns,
                    rows: rows
                        .iter()
                        .map(|r| r.iter().map(|c| subst(c)).collect())
                        .collect(),
                },
                Expected::Error(e) => Expected::Error(subst(e)),
            };
            out.push(Scenario {
                name: format!("{name} {row:?}"),
                query: subst(&query),
                expected,
            });
        }
    }
    out
}

fn features_dir() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tck/features/expressions");
    dir.is_dir().then_some(dir)
}

/// Scenarios known to fail, by a fragment of their query: maps are ordered
/// by key (`Value::Map` is a `BTreeMap`), so `keys()` of a literal map
/// cannot return insertion order; years beyond +-999999 are outside the
/// supported date range.
const KNOWN_GAPS: &[&str] = &["keys({name: 'Alice', age: 38", "999999999"];

fn is_known_gap(query: &str) -> bool {
    KNOWN_GAPS.iter().any(|g| query.contains(g))
}

#[test]
fn cell_parser() {
    assert_eq!(
        parse_cell(r#"'a\\bcn5t\'"\\//\\"\''"#),
        Some(Value::from(r#"a\bcn5t'"\//\"'"#))
    );
    assert_eq!(
        parse_cell("[1, 'a', {k: null}]").map(|v| format!("{v:?}")),
        Some(format!(
            "{:?}",
            Value::List(vec![
                Value::Int(1),
                Value::from("a"),
                Value::Map([(Arc::from("k"), Value::Null)].into_iter().collect())
            ])
        ))
    );
}

#[test]
fn tck_expression_scenarios() {
    let Some(dir) = features_dir() else {
        eprintln!("skipping: ../shared/tck/features/expressions not found");
        return;
    };
    let ctx = Ctx {
        snap: Snapshot::empty(),
        now: DateTime::parse("2024-03-01T10:15:30.5Z").expect("valid literal"),
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for area in std::fs::read_dir(&dir).expect("readable features dir") {
        let area = area.expect("dir entry").path();
        if let Ok(rd) = std::fs::read_dir(&area) {
            files.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    files.sort();
    let (mut pass, mut skipped, mut gaps) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable feature");
        let fname = file
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        for sc in scenarios(&text) {
            if sc.query.contains("rand()") || sc.query.contains("range(1000000") {
                // Random or huge inputs: the binder/executor tests own these.
                skipped += 1;
                continue;
            }
            let started = std::time::Instant::now();
            let outcome = run_query(&sc.query, &ctx);
            if started.elapsed().as_millis() > 200 {
                eprintln!(
                    "slow ({:?}): {}",
                    started.elapsed(),
                    sc.query.replace('\n', " ")
                );
            }
            let ok = match (&outcome, &sc.expected) {
                (Outcome::Skip(why), _) => {
                    if std::env::var("TCK_VERBOSE").is_ok() {
                        eprintln!("skip [{why}]: {}", sc.query.replace('\n', " "));
                    }
                    skipped += 1;
                    continue;
                }
                (Outcome::Error(_), Expected::Error(_)) => true,
                (Outcome::Rows(_), Expected::Error(e)) if e.contains("compile time") => {
                    // Compile-time checks belong to the binder.
                    skipped += 1;
                    continue;
                }
                (Outcome::Rows(got), Expected::Rows { ordered, rows, .. }) => {
                    let mut want: Vec<Option<Vec<Value>>> = rows
                        .iter()
                        .map(|r| r.iter().map(|c| parse_cell(c)).collect())
                        .collect();
                    if want.iter().any(Option::is_none) {
                        skipped += 1;
                        continue;
                    }
                    let want: Vec<Vec<Value>> = want.drain(..).flatten().collect();
                    let row_eq = |a: &Vec<Value>, b: &Vec<Value>| {
                        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| matches_expected(x, y))
                    };
                    if *ordered {
                        got.len() == want.len() && got.iter().zip(&want).all(|(a, b)| row_eq(a, b))
                    } else {
                        let mut left: Vec<&Vec<Value>> = want.iter().collect();
                        got.len() == want.len()
                            && got
                                .iter()
                                .all(|g| match left.iter().position(|w| row_eq(g, w)) {
                                    Some(p) => {
                                        left.swap_remove(p);
                                        true
                                    }
                                    None => false,
                                })
                    }
                }
                _ => false,
            };
            if ok {
                pass += 1;
            } else if is_known_gap(&sc.query) {
                if std::env::var("TCK_VERBOSE").is_ok() {
                    eprintln!("gap: {}", sc.query.replace('\n', " "));
                }
                gaps += 1;
            } else {
                let got = match &outcome {
                    Outcome::Rows(r) => format!(
                        "{:?}",
                        r.iter()
                            .map(|row| row
                                .iter()
                                .map(|v| display_scalar(v).unwrap_or_else(|| format!("{v:?}")))
                                .collect::<Vec<_>>())
                            .collect::<Vec<_>>()
                    ),
                    Outcome::Error(e) => format!("error: {e}"),
                    Outcome::Skip(s) => s.clone(),
                };
                let want = match &sc.expected {
                    Expected::Rows { rows, .. } => format!("{rows:?}"),
                    Expected::Error(e) => e.clone(),
                };
                failures.push(format!(
                    "{fname} {}\n  query: {}\n  got:  {got}\n  want: {want}",
                    sc.name,
                    sc.query.replace('\n', " ")
                ));
            }
        }
    }
    let _ = order_cmp;
    eprintln!(
        "TCK expressions: {pass} passed, {} failed, {gaps} known gaps, {skipped} skipped",
        failures.len()
    );
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} TCK expression scenarios failed",
        failures.len()
    );
    assert!(
        pass > 300,
        "only {pass} scenarios ran; is the harness still parsing the features?"
    );
}
