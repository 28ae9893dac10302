//! Checks the runner against the real feature files (parsing only, no
//! engine): every file parses, outlines expand to the documented count,
//! every step form is recognized, and every value in result and parameter
//! tables parses. Skips when ../shared/tck is absent.

use std::path::Path;

use relgraph_tck::features::load_all;
use relgraph_tck::state::parse_side_effects;
use relgraph_tck::steps::{classify, Step};
use relgraph_tck::value::parse_value;

#[test]
fn all_feature_files_parse_and_every_step_is_understood() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/tck/features");
    if !dir.is_dir() {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    }
    let scenarios = load_all(&dir).expect("feature files parse");
    assert_eq!(
        scenarios.len(),
        3897,
        "expanded scenario count (README of ../shared/tck)"
    );
    let mut problems = Vec::new();
    for sc in &scenarios {
        for raw in &sc.steps {
            match classify(raw) {
                Ok(Step::Result { table, .. }) => {
                    for cell in table.iter().skip(1).flatten() {
                        if let Err(e) = parse_value(cell) {
                            problems.push(format!("{}: {e}", sc.id()));
                        }
                    }
                }
                Ok(Step::Parameters(table)) => {
                    for row in &table {
                        if row.len() != 2 || parse_value(&row[1]).is_err() {
                            problems.push(format!("{}: parameter row {row:?}", sc.id()));
                        }
                    }
                }
                Ok(Step::SideEffects(table)) => {
                    if let Err(e) = parse_side_effects(&table) {
                        problems.push(format!("{}: {e}", sc.id()));
                    }
                }
                Ok(_) => {}
                Err(e) => problems.push(format!("{}: {e}", sc.id())),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems, first: {:#?}",
        problems.len(),
        &problems[..problems.len().min(20)]
    );
}
