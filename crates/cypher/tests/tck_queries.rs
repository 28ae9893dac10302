//! Parses every query of the openCypher TCK feature files
//! (`../shared/tck/features/**/*.feature`, Scenario Outlines expanded) and
//! reports how many parse and how many fail.
//!
//! Fails when
//! - a query of a scenario that expects success does not parse, unless the
//!   scenario is listed in [`OUT_OF_SUBSET`] with the reason;
//! - a parsed query, printed and parsed again, gives a different tree;
//! - a scenario expecting a SyntaxError whose detail the parser owns
//!   ([`PARSER_DETAILS`]) parses, or fails with another detail.
//!
//! Skips (printing why) when the TCK is not there.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Scenarios (feature file stem, scenario name prefix) that use syntax
/// outside the supported subset, with the reason.
const OUT_OF_SUBSET: &[(&str, &str, &str)] = &[(
    "ExistentialSubquery2",
    "[2]",
    "EXISTS { } with WITH/aggregation inside (full subquery)",
)];

/// SyntaxError details that the parser alone decides.
const PARSER_DETAILS: &[&str] = &[
    "IntegerOverflow",
    "InvalidNumberLiteral",
    "InvalidUnicodeLiteral",
    "InvalidUnicodeCharacter",
    "FloatingPointOverflow",
    "InvalidRelationshipPattern",
    "NoSingleRelationshipType",
    "CreatingVarLength",
    "InvalidParameterUse",
    "InvalidDelete",
    "UnexpectedSyntax",
];

#[derive(Debug)]
struct Case {
    file: String,
    scenario: String,
    query: String,
    /// `Some(detail)` when this is the scenario's main query and a
    /// SyntaxError is expected.
    syntax_error: Option<String>,
}

fn tck_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("RELGRAPH_TCK_DIR") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tck")
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            feature_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
}

/// Unescape a Gherkin table cell.
fn cell(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('|') => {
                    out.push('|');
                    chars.next();
                }
                Some('\\') => {
                    out.push('\\');
                    chars.next();
                }
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn table_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            cur.push(c);
            if let Some(n) = chars.next() {
                cur.push(n);
            }
        } else if c == '|' {
            cells.push(cell(cur.trim()));
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    cells
}

struct Scenario {
    name: String,
    steps: Vec<(String, Option<String>)>,
    examples: Vec<Vec<String>>,
}

fn parse_feature(text: &str) -> (Vec<(String, Option<String>)>, Vec<Scenario>) {
    let mut background = Vec::new();
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut in_background = false;
    let mut in_examples = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t.starts_with("Background:") {
            in_background = true;
            in_examples = false;
        } else if t.starts_with("Scenario") {
            in_background = false;
            in_examples = false;
            let name = t
                .split_once(':')
                .map(|(_, n)| n.trim().to_string())
                .unwrap_or_default();
            scenarios.push(Scenario {
                name,
                steps: Vec::new(),
                examples: Vec::new(),
            });
        } else if t.starts_with("Examples:") {
            in_examples = true;
        } else if t.starts_with("\"\"\"") {
            let indent = line.len() - line.trim_start().len();
            let mut doc = Vec::new();
            for l in lines.by_ref() {
                if l.trim() == "\"\"\"" {
                    break;
                }
                let cut = l.len() - l.trim_start().len();
                doc.push(&l[cut.min(indent)..]);
            }
            let doc = doc.join("\n");
            let steps = if in_background {
                &mut background
            } else {
                match scenarios.last_mut() {
                    Some(s) => &mut s.steps,
                    None => continue,
                }
            };
            if let Some(last) = steps.last_mut() {
                let last: &mut (String, Option<String>) = last;
                last.1 = Some(doc);
            }
        } else if t.starts_with('|') {
            if in_examples {
                if let Some(s) = scenarios.last_mut() {
                    s.examples.push(table_row(t));
                }
            }
        } else if ["Given", "And", "When", "Then", "But"]
            .iter()
            .any(|k| t.starts_with(k))
        {
            let step = (t.to_string(), None);
            if in_background {
                background.push(step);
            } else if let Some(s) = scenarios.last_mut() {
                s.steps.push(step);
            }
        }
    }
    (background, scenarios)
}

fn collect_cases(dir: &Path) -> Vec<Case> {
    let mut files = Vec::new();
    feature_files(&dir.join("features"), &mut files);
    let mut cases = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (background, scenarios) = parse_feature(&text);
        for sc in scenarios {
            let expected_error = sc.steps.iter().find_map(|(s, _)| {
                let (_, rest) = s.split_once("a SyntaxError should be raised at ")?;
                Some(rest.split(": ").nth(1).unwrap_or("").trim().to_string())
            });
            let rows: Vec<Vec<(String, String)>> = match sc.examples.split_first() {
                Some((header, rows)) => rows
                    .iter()
                    .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
                    .collect(),
                None => vec![Vec::new()],
            };
            for row in rows {
                let subst = |q: &str| {
                    let mut q = q.to_string();
                    for (k, v) in &row {
                        q = q.replace(&format!("<{k}>"), v);
                    }
                    q
                };
                for (step, doc) in background.iter().chain(sc.steps.iter()) {
                    let Some(doc) = doc else { continue };
                    let main = step.contains("executing query");
                    if !(main
                        || step.contains("having executed")
                        || step.contains("executing control query"))
                    {
                        continue;
                    }
                    cases.push(Case {
                        file: stem.clone(),
                        scenario: subst(&sc.name),
                        query: subst(doc),
                        syntax_error: if main { expected_error.clone() } else { None },
                    });
                }
            }
        }
    }
    if let Ok(graphs) = std::fs::read_dir(dir.join("graphs")) {
        for g in graphs.flatten() {
            let name = g.file_name().to_string_lossy().to_string();
            if let Ok(q) = std::fs::read_to_string(g.path().join(format!("{name}.cypher"))) {
                cases.push(Case {
                    file: "graphs".into(),
                    scenario: name,
                    query: q,
                    syntax_error: None,
                });
            }
        }
    }
    cases
}

#[test]
fn tck_queries_parse() {
    let dir = tck_dir();
    if !dir.join("features").is_dir() {
        println!(
            "skipping: no openCypher TCK at {} (set RELGRAPH_TCK_DIR)",
            dir.display()
        );
        return;
    }
    let cases = collect_cases(&dir);
    assert!(
        cases.len() > 1000,
        "expected thousands of TCK queries, found {}",
        cases.len()
    );
    let mut parsed = 0;
    let mut failed = 0;
    let mut syntax_ok = 0;
    let mut out_of_subset: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut unchecked = Vec::new();
    for c in &cases {
        let result = relgraph_cypher::parse(&c.query);
        if let Ok(stmt) = &result {
            // Law: printing and parsing again gives the same tree.
            let printed = stmt.to_string();
            match relgraph_cypher::parse(&printed) {
                Ok(again) if common::normalized(&again) == common::normalized(stmt) => {}
                Ok(_) => problems.push(format!(
                    "{} {}: reprint parses differently\n{}\n{printed}",
                    c.file, c.scenario, c.query
                )),
                Err(e) => problems.push(format!(
                    "{} {}: reprint does not parse\n{}",
                    c.file,
                    c.scenario,
                    e.render(&printed)
                )),
            }
        }
        match (&result, &c.syntax_error) {
            (Ok(_), None) => parsed += 1,
            (Err(e), None) => {
                failed += 1;
                let listed = OUT_OF_SUBSET
                    .iter()
                    .find(|(f, s, _)| *f == c.file && c.scenario.starts_with(s));
                match listed {
                    Some((_, _, reason)) => {
                        *out_of_subset.entry(reason.to_string()).or_default() += 1
                    }
                    None => problems.push(format!(
                        "{} {}: expected to parse\n{}\n{}",
                        c.file,
                        c.scenario,
                        c.query,
                        e.render(&c.query)
                    )),
                }
            }
            (Err(e), Some(detail)) => {
                failed += 1;
                if PARSER_DETAILS.contains(&detail.as_str()) && e.detail != Some(detail.as_str()) {
                    problems.push(format!(
                        "{} {}: expected SyntaxError {detail}, got {:?}\n{}\n{}",
                        c.file,
                        c.scenario,
                        e.detail,
                        c.query,
                        e.render(&c.query)
                    ));
                } else if e.detail != Some(detail.as_str()) {
                    unchecked.push(format!(
                        "{} {}: parser says {:?}, TCK expects {detail}",
                        c.file, c.scenario, e.detail
                    ));
                } else {
                    syntax_ok += 1;
                }
            }
            (Ok(_), Some(detail)) => {
                parsed += 1;
                if PARSER_DETAILS.contains(&detail.as_str()) {
                    problems.push(format!(
                        "{} {}: expected SyntaxError {detail}, but it parsed\n{}",
                        c.file, c.scenario, c.query
                    ));
                }
            }
        }
    }
    println!(
        "TCK queries: {} total, {parsed} parse, {failed} fail",
        cases.len()
    );
    println!("  expected SyntaxErrors raised by the parser with the right detail: {syntax_ok}");
    for (reason, n) in &out_of_subset {
        println!("  out of subset ({n}): {reason}");
    }
    for u in &unchecked {
        println!("  semantic error caught early by the parser: {u}");
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
