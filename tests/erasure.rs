//! `CALL db.erase(p)` through Cypher: half of the people are erased after
//! commits, a checkpoint, more writes and the registration of a durable
//! standing query whose stored answer holds their names; then every byte of every file of
//! the database directory is read: no marker of an erased person is left
//! (UTF-8, UTF-16LE, UTF-16BE; sled 0.34 is built without compression),
//! and every marker of a kept person still answers, also after a reopen.

#[path = "common/markers.rs"]
mod markers;
#[path = "common/people.rs"]
mod people;

use std::path::Path;

use markers::{copy_dir, marker, markers_in};
use people::{create_person, prepare, run};
use relgraph::{Database, Params, ResultValue};

const PEOPLE: u64 = 30;

/// People 0..PEOPLE: `n` name, `e` email, `a` first bio (replaced by `b`
/// after a checkpoint), `r` note on their WORKS_AT, `k` note on a KNOWS to
/// the person two further on (same parity), `s` note on a KNOWS to the next.
fn build(db: &Database) {
    prepare(db);
    for i in 0..PEOPLE / 2 {
        create_person(db, i);
    }
    db.graph().checkpoint().unwrap();
    for i in PEOPLE / 2..PEOPLE {
        create_person(db, i);
    }
    for i in 0..PEOPLE {
        run(
            db,
            &format!(
                "MATCH (p:Person {{i: {i}}}), (q:Person {{i: {}}}), (r:Person {{i: {}}}) \
                 SET p.bio = 'second {}' \
                 CREATE (p)-[:KNOWS {{note: 'met {}'}}]->(q), (p)-[:KNOWS {{note: 'saw {}'}}]->(r)",
                (i + 2) % PEOPLE,
                (i + 1) % PEOPLE,
                marker(i, 'b'),
                marker(i, 'k'),
                marker(i, 's')
            ),
        );
    }
    db.graph().checkpoint().unwrap();
    run(db, "CREATE (:Company {name: 'Initech'})");
}

fn check(db: &Database, path: &Path) {
    let found = markers_in(path);
    for i in 0..PEOPLE {
        let erased = i % 2 == 0;
        for k in ['n', 'e', 'a', 'b', 'r', 'k', 's'] {
            // A kept person's note to an erased neighbour went with the
            // relationship; the first bio was replaced (either may remain).
            let gone = erased || k == 's';
            let m = marker(i, k);
            if gone {
                assert!(!found.contains(&m), "{m} of erased data is in the files");
            } else if k != 'a' {
                assert!(found.contains(&m), "{m} of kept data is not in the files");
            }
        }
        let rows = run(
            db,
            &format!(
                "MATCH (p:Person {{email: '{}@example.com'}}) \
                 OPTIONAL MATCH (p)-[w:WORKS_AT]->() \
                 OPTIONAL MATCH (p)-[k:KNOWS]->() \
                 RETURN p.name AS name, p.bio AS bio, w.note AS works, k.note AS knows",
                marker(i, 'e')
            ),
        )
        .rows;
        if erased {
            assert!(rows.is_empty(), "erased person {i} answers");
        } else {
            let s = |v: &str| ResultValue::String(v.to_string());
            assert_eq!(
                rows,
                vec![vec![
                    s(&format!("Person {}", marker(i, 'n'))),
                    s(&format!("second {}", marker(i, 'b'))),
                    s(&format!("hired {}", marker(i, 'r'))),
                    s(&format!("met {}", marker(i, 'k'))),
                ]],
                "kept person {i}"
            );
        }
    }
}

#[test]
fn call_db_erase_removes_every_copy_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    build(&db);
    // A durable standing query stores its answer (the names) in a cursor.
    let sub = db
        .standing()
        .register(
            "people",
            "MATCH (p:Person) RETURN p.name AS name",
            &Params::new(),
        )
        .unwrap();
    let before = markers_in(&path);
    assert!(before.contains(&marker(0, 'n')) && before.contains(&marker(0, 'a')));

    let res = run(
        &db,
        "MATCH (p:Person) WHERE p.i % 2 = 0 \
         CALL db.erase(p) YIELD nodes, relationships \
         RETURN sum(nodes) AS nodes, sum(relationships) AS rels",
    );
    // Each even person: WORKS_AT, two KNOWS out, KNOWS in from i - 1 (odd);
    // the one in from i - 2 is another even person's, counted there.
    assert_eq!(
        rows_ints(&res),
        vec![PEOPLE as i64 / 2, 4 * PEOPLE as i64 / 2]
    );
    assert!(!db.graph().erasure_pending());
    assert!(db.graph().store_stats().unwrap().segments >= 2);
    check(&db, &path);
    drop(sub);
    drop(db);

    let copy = dir.path().join("copy");
    copy_dir(&path, &copy);
    let db = Database::open(&copy).unwrap();
    check(&db, &copy);
}

#[test]
fn db_erase_refuses_to_run_inside_an_explicit_transaction() {
    let db = Database::in_memory();
    run(&db, "CREATE (:Person {name: 'x'})");
    let mut tx = db.begin_write().unwrap();
    let err = tx
        .query(
            "MATCH (p:Person) CALL db.erase(p) YIELD nodes RETURN nodes",
            &Params::new(),
        )
        .unwrap_err();
    assert!(
        err.message.contains("outside an explicit transaction"),
        "{}",
        err.message
    );
    tx.rollback();
    // A null (nobody found) is a type error, not a silent no-op.
    let err = db
        .query(
            "OPTIONAL MATCH (p:Nobody) CALL db.erase(p) YIELD nodes RETURN nodes",
            &Params::new(),
        )
        .unwrap_err();
    assert!(err.message.contains("must be NODE"), "{}", err.message);
    assert_eq!(db.snapshot().node_count(), 1);
}

fn rows_ints(res: &relgraph::QueryResult) -> Vec<i64> {
    assert_eq!(res.rows.len(), 1, "{res:?}");
    res.rows[0]
        .iter()
        .map(|v| match v {
            ResultValue::Int(i) => *i,
            other => panic!("not an integer: {other:?}"),
        })
        .collect()
}
