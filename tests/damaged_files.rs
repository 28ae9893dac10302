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

/// A closed database of 5,000 people (node chunks 0 and 1) with KNOWS
/// relationships, checkpointed into one segment, no log records.
fn two_chunk_database(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("base");
    let d = Database::open(&db).expect("create");
    let p = Params::new();
    d.query("CREATE INDEX FOR (n:Person) ON (n.id)", &p)
        .expect("index");
    d.query(
        "UNWIND range(0, 4999) AS i CREATE (:Person {id: i, name: 'p' + i})",
        &p,
    )
    .expect("nodes");
    d.query(
        "UNWIND range(0, 4999) AS i MATCH (a:Person {id: i}), (b:Person {id: (i * 7 + 1) % 5000}) CREATE (a)-[:KNOWS {w: i}]->(b)",
        &p,
    )
    .expect("relationships");
    d.graph().checkpoint().expect("checkpoint");
    drop(d);
    db
}

fn open_db(db: &std::path::Path) -> Database {
    let options = OpenOptions {
        create: false,
        ..OpenOptions::default()
    };
    Database::from_graph(Graph::open_with(db, &options).expect("opens: no data is read"))
}

fn answer(d: &Database, q: &str) -> Result<Vec<String>, String> {
    d.query(q, &Params::new())
        .map(|r| r.rows.iter().map(|row| format!("{row:?}")).collect())
        .map_err(|e| e.message)
}

/// One byte of node chunk 1's outgoing KNOWS adjacency entries flipped,
/// with the file's data checksum (trailer and manifest) made to match:
/// opening works, a query expanding from those nodes fails with the
/// file, chunk and array named, queries that read other arrays answer.
#[test]
fn a_damaged_adjacency_array_fails_the_queries_that_read_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = two_chunk_database(dir.path());
    let db = dir.path().join("damaged");
    let file = damage::flip_in_array(
        &base,
        &db,
        |f| {
            let (_, chunk) = f.nodes.iter().find(|(c, _)| *c == 1)?;
            chunk.adj.iter().find(|a| a.1 == 0).map(|a| a.3.arr())
        },
        16 * 10, // the 11th entry's neighbour id
        0x01,
    );
    let d = open_db(&db);
    let err = answer(
        &d,
        "MATCH (a:Person)-[:KNOWS]->(b) WHERE a.id >= 4096 RETURN sum(b.id) AS s",
    )
    .expect_err("reads the damaged array");
    assert!(err.contains(&file), "{err}");
    assert!(
        err.contains("node chunk 1 (ids 4096..=8191): adjacency of type id 0 outgoing, entries"),
        "{err}"
    );
    // Untouched arrays answer, before and after the failure.
    assert_eq!(
        answer(&d, "MATCH (n:Person {id: 4500}) RETURN n.name AS name"),
        Ok(vec!["[String(\"p4500\")]".to_string()])
    );
    assert_eq!(
        answer(
            &d,
            "MATCH (a:Person)-[:KNOWS]->(b) WHERE a.id < 4096 RETURN count(b) AS c"
        ),
        Ok(vec!["[Int(4096)]".to_string()])
    );
    // The same query fails again: the array stays damaged.
    assert!(answer(
        &d,
        "MATCH (a:Person)-[:KNOWS]->(b) WHERE a.id >= 4096 RETURN sum(b.id) AS s"
    )
    .is_err());
    // A write that rebuilds the damaged list is refused (it would fold
    // the damage into the next checkpoint); one elsewhere commits.
    let err = answer(
        &d,
        "MATCH (a:Person {id: 4500}), (b:Person {id: 1}) CREATE (a)-[:KNOWS]->(b)",
    )
    .expect_err("rebuilds the damaged list");
    assert!(
        err.contains("adjacency of type id 0 outgoing, entries"),
        "{err}"
    );
    assert_eq!(
        answer(
            &d,
            "MATCH (a:Person {id: 5}), (b:Person {id: 1}) CREATE (a)-[:KNOWS]->(b)"
        ),
        Ok(vec![])
    );
    // The full check names the array too (and not the data checksum,
    // which was made to match).
    let report = d.graph().verify_segments().expect("check");
    let damage = report[0].damage.as_deref().expect("damage found");
    assert!(
        damage.contains("adjacency of type id 0 outgoing, entries"),
        "{damage}"
    );
    assert!(!damage.contains("data checksum"), "{damage}");
}

/// A damaged property column (node chunk 1's `name` bytes) and damaged
/// label ids (node chunk 1): reading them fails, naming them; the other
/// chunk's values and the label bitmaps still answer.
#[test]
fn damaged_column_and_label_arrays_fail_the_queries_that_read_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = two_chunk_database(dir.path());
    let db = dir.path().join("column");
    let file = damage::flip_in_array(
        &base,
        &db,
        |f| {
            let (_, chunk) = f.nodes.iter().find(|(c, _)| *c == 1)?;
            let (_, col) = chunk.props.iter().find(|(k, _)| *k == 1)?; // `name`
            match col {
                relgraph_graph::snapshot::segment::ColumnDir::Text { bytes, .. } => Some(*bytes),
                _ => None,
            }
        },
        3,
        0x20,
    );
    let d = open_db(&db);
    let err = answer(&d, "MATCH (n:Person {id: 4500}) RETURN n.name AS name")
        .expect_err("reads the damaged column");
    assert!(
        err.contains(&file)
            && err.contains("node chunk 1 (ids 4096..=8191): property column of key id 1, bytes"),
        "{err}"
    );
    assert_eq!(
        answer(&d, "MATCH (n:Person {id: 5}) RETURN n.name AS name"),
        Ok(vec!["[String(\"p5\")]".to_string()])
    );

    let db = dir.path().join("labels");
    damage::flip_in_array(
        &base,
        &db,
        |f| {
            f.nodes
                .iter()
                .find(|(c, _)| *c == 1)
                .map(|(_, n)| n.label_data)
        },
        4 * 7,
        0x40,
    );
    let d = open_db(&db);
    let err = answer(&d, "MATCH (n) WHERE id(n) = 4200 RETURN labels(n) AS l")
        .expect_err("reads the damaged label ids");
    assert!(
        err.contains("node chunk 1 (ids 4096..=8191): label ids"),
        "{err}"
    );
    assert_eq!(
        answer(&d, "MATCH (n) WHERE id(n) = 42 RETURN labels(n) AS l"),
        Ok(vec!["[List([String(\"Person\")])]".to_string()])
    );
}
