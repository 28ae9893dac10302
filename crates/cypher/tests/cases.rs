//! Data-driven parser tests: every `tests/cases/*.cypher` file holds queries
//! separated by lines of `----`; the `.out` file beside it holds, for each,
//! the printed statement and its span-free tree, or the rendered error.
//! Run with `UPDATE_EXPECT=1` to rewrite the `.out` files.

mod common;

use std::fmt::Write;
use std::path::Path;

use relgraph_cypher::ast::{Clause, StatementKind};
use relgraph_cypher::parse;

fn describe(query: &str) -> String {
    let mut out = String::new();
    match parse(query) {
        Ok(stmt) => {
            let printed = stmt.to_string();
            writeln!(out, "printed: {printed}").unwrap();
            if let StatementKind::Query(q) = &stmt.kind {
                for part in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
                    for c in &part.clauses {
                        if let Clause::Return(p) | Clause::With(p) = c {
                            let texts: Vec<&str> =
                                p.items.iter().map(|i| i.text.as_str()).collect();
                            if !texts.is_empty() {
                                writeln!(out, "texts: {texts:?}").unwrap();
                            }
                        }
                    }
                }
            }
            writeln!(out, "ast: {}", common::normalized(&stmt)).unwrap();
            // The printed form must parse back to the same tree.
            match parse(&printed) {
                Ok(again) => assert_eq!(
                    common::normalized(&again),
                    common::normalized(&stmt),
                    "reprinted query parses differently: {printed}"
                ),
                Err(e) => panic!(
                    "printed form does not parse: {printed}\n{}",
                    e.render(&printed)
                ),
            }
        }
        Err(e) => {
            writeln!(out, "{}", e.render(query)).unwrap();
            writeln!(out, "detail: {:?}", e.detail).unwrap();
            writeln!(out, "expected: {:?}", e.expected).unwrap();
        }
    }
    out
}

#[test]
fn cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable case file");
        let mut actual = String::new();
        for (k, query) in text.split("\n----\n").enumerate() {
            let query = query.trim_end_matches('\n');
            if k > 0 {
                actual.push_str("----\n");
            }
            writeln!(actual, "query: {query}").unwrap();
            actual.push_str(&describe(query));
        }
        let out_path = file.with_extension("out");
        if update {
            std::fs::write(&out_path, &actual).expect("writable .out file");
            continue;
        }
        let expected = std::fs::read_to_string(&out_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs (run with UPDATE_EXPECT=1 to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
                out_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
