//! Data-driven query tests: every `tests/cases/*.cypher` file holds
//! statements separated by lines that contain only `;`. All but the last
//! set up the graph; the last is the query under test. Its rendered result
//! (or error) must equal the `.out` file beside it. Run with
//! `UPDATE_EXPECT=1` to (re)write the `.out` files, then review the diff.

use std::fmt::Write;
use std::path::Path;

use relgraph::{Database, Params, QueryResult};

fn render(query: &str, res: Result<QueryResult, relgraph::Error>) -> String {
    let mut out = String::new();
    match res {
        Err(e) => {
            let _ = writeln!(
                out,
                "error: {} {} {:?}",
                e.kind,
                e.detail.unwrap_or("-"),
                e.phase
            );
        }
        Ok(r) => {
            let _ = writeln!(out, "columns: {}", r.columns.join(" | "));
            let mut rows: Vec<String> = r
                .rows
                .iter()
                .map(|row| serde_json::to_string(row).expect("results serialize"))
                .collect();
            // Without ORDER BY the row order is unspecified: compare sorted.
            if !query.to_ascii_uppercase().contains("ORDER BY") {
                rows.sort();
            }
            for row in rows {
                let _ = writeln!(out, "{row}");
            }
            let s = r.stats;
            let counters = [
                ("nodes_created", s.nodes_created),
                ("nodes_deleted", s.nodes_deleted),
                ("relationships_created", s.relationships_created),
                ("relationships_deleted", s.relationships_deleted),
                ("properties_set", s.properties_set),
                ("labels_added", s.labels_added),
                ("labels_removed", s.labels_removed),
                ("indexes_added", s.indexes_added),
                ("constraints_added", s.constraints_added),
            ];
            let nz: Vec<String> = counters
                .iter()
                .filter(|(_, v)| *v > 0)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if !nz.is_empty() {
                let _ = writeln!(out, "stats: {}", nz.join(" "));
            }
            if let Some(plan) = r.plan {
                out.push_str("plan:\n");
                out.push_str(&plan);
            }
        }
    }
    out
}

fn run_case(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("case file is readable");
    let mut stmts: Vec<String> = vec![String::new()];
    for line in text.lines() {
        if line.trim() == ";" {
            stmts.push(String::new());
        } else if !line.trim_start().starts_with("//") {
            let cur = stmts.last_mut().expect("at least one statement");
            cur.push_str(line);
            cur.push('\n');
        }
    }
    stmts.retain(|s| !s.trim().is_empty());
    let query = stmts.pop().expect("a case has a query");
    let db = Database::in_memory();
    for s in &stmts {
        if let Err(e) = db.query(s, &Params::new()) {
            panic!("{}: setup failed: {e}\n{s}", path.display());
        }
    }
    render(&query, db.query(&query, &Params::new()))
}

#[test]
fn cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cases found in {}", dir.display());
    let mut failures = Vec::new();
    for f in &files {
        let got = run_case(f);
        let out = f.with_extension("out");
        if update {
            std::fs::write(&out, &got).expect("can write .out");
            continue;
        }
        match std::fs::read_to_string(&out) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("{}:\n--- want\n{want}--- got\n{got}", f.display())),
            Err(_) => failures.push(format!(
                "{}: missing .out (run with UPDATE_EXPECT=1)\n{got}",
                f.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
