//! Damaged database directories found by the `open` fuzz target
//! (`fuzz/fuzz_targets/open.rs`): each file of `tests/fixtures/damaged/`
//! is a list of edits (`tests/common/damage.rs`) of a fixed database.
//! Opening the damaged copy gives a typed error, or a graph that answers
//! queries or refuses them with a typed error; nothing panics.

#[path = "common/damage.rs"]
mod damage;

use relgraph::{Database, Params};
use relgraph_graph::store::{Graph, OpenOptions};

/// Opens `input`'s damaged copy and runs the queries; the outcome, for the
/// assertions: `Err(message)` of the open, or the queries' results.
fn replay(t: &damage::Template, input: &[u8]) -> Result<Vec<Result<usize, String>>, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    damage::damaged_copy(t, &db, input);
    let options = OpenOptions {
        create: false,
        ..OpenOptions::default()
    };
    let graph = Graph::open_with(&db, &options).map_err(|e| e.to_string())?;
    let db = Database::from_graph(graph);
    Ok(damage::QUERIES
        .iter()
        .map(|q| {
            db.query(q, &Params::new())
                .map(|r| r.rows.len())
                .map_err(|e| e.message)
        })
        .collect())
}

#[test]
fn the_undamaged_template_answers() {
    let t = damage::template();
    let answers = replay(&t, &[]).expect("opens");
    assert_eq!(answers[0], Ok(1), "one count row");
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
}

/// Found by the fuzzer: 0xDF bytes over the label data of the base
/// segment made replaying the log index the label counts with label id
/// 3755991007 (a panic in `Snapshot::apply`).
#[test]
fn overwritten_label_data_is_a_typed_error() {
    let t = damage::template();
    let input = std::fs::read("tests/fixtures/damaged/label-data-overwritten.bin").unwrap();
    match replay(&t, &input) {
        Err(message) => assert!(message.contains("damaged"), "{message}"),
        Ok(answers) => panic!("expected a typed error at open, got {answers:?}"),
    }
}

#[test]
fn every_fuzzer_input_is_survived() {
    let t = damage::template();
    let mut files: Vec<_> = std::fs::read_dir("tests/fixtures/damaged")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let input = std::fs::read(&f).unwrap();
        // Any outcome but a panic is fine here.
        let _ = replay(&t, &input);
    }
}
