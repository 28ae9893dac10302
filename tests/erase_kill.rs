//! Erasure killed at random moments (SIGKILL): after the reopen (which
//! finishes an interrupted erasure), every person is wholly present in the
//! files and answers, or wholly absent from every file; every erasure the
//! child reported done is absent.
//!
//! This test binary has no libtest harness: `main` is the parent, which
//! builds a template database once, then per cycle copies it to a fresh
//! directory and re-executes itself (`RELGRAPH_ERASE_ROLE=child`) as the
//! child, which erases the people one at a time with `CALL db.erase(p)`,
//! printing `ERASED <i>` after each returns. The parent kills it after a
//! random delay (uniform over the time a first, unkilled child took),
//! opens the copy (a path this process never opened), and checks. `RELGRAPH_ERASE_CYCLES` (default 8) sets the number of kills.

#[path = "common/child.rs"]
mod child;
#[path = "common/markers.rs"]
mod markers;
#[path = "common/people.rs"]
mod people;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use child::Child;
use markers::{copy_dir, marker, markers_in};
use people::{create_person, prepare, run};
use rand::{Rng, SeedableRng};
use relgraph::{Database, ResultValue};

const ROLE: &str = "RELGRAPH_ERASE_ROLE";
const DIR: &str = "RELGRAPH_ERASE_DIR";
const PEOPLE: u64 = 12;

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("child") => child(Path::new(
            &std::env::var(DIR).expect("the parent sets the directory"),
        )),
        _ => parent(),
    }
}

fn child(path: &Path) {
    let db = Database::open(path).expect("the child opens the database");
    println!("READY");
    for i in 0..PEOPLE {
        run(
            &db,
            &format!("MATCH (p:Person {{i: {i}}}) CALL db.erase(p) YIELD nodes RETURN nodes"),
        );
        println!("ERASED {i}");
    }
    println!("DONE");
}

/// People with markers `n` name, `e` email, `a` first bio (replaced by
/// `b` after a checkpoint), `r` note on their WORKS_AT; half created
/// before the first checkpoint, half after; more writes left in the log.
fn build(path: &Path) {
    let db = Database::open(path).expect("the template opens");
    prepare(&db);
    for i in 0..PEOPLE {
        if i == PEOPLE / 2 {
            db.graph().checkpoint().unwrap();
        }
        create_person(&db, i);
    }
    db.graph().checkpoint().unwrap();
    for i in 0..PEOPLE {
        run(
            &db,
            &format!(
                "MATCH (p:Person {{i: {i}}}) SET p.bio = 'second {}'",
                marker(i, 'b')
            ),
        );
    }
    run(&db, "CREATE (:Company {name: 'Initech'})");
}

fn parent() {
    let cycles: usize = std::env::var("RELGRAPH_ERASE_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8);
    let seed: u64 = rand::random();
    println!("erase_kill: {cycles} kill cycles, seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let template = dir.path().join("template");
    build(&template);
    assert!(
        markers_in(&template).contains(&marker(PEOPLE - 1, 'b')),
        "the template holds the second bios"
    );
    // How long a child takes to erase everyone: kills fall uniformly in it.
    let calibration = dir.path().join("calibration");
    copy_dir(&template, &calibration);
    let child = Child::start(
        &[(ROLE, "child".as_ref()), (DIR, calibration.as_os_str())],
        0,
    );
    // From READY, as the kills' delays are.
    let started = std::time::Instant::now();
    let lines = child.finish();
    let span = started.elapsed().as_millis().max(1) as u64;
    assert_eq!(lines.last().map(String::as_str), Some("DONE"));
    println!("erase_kill: a child erases {PEOPLE} people in {span} ms");
    let mut finished_cycles = 0;
    for cycle in 0..cycles {
        let path = dir.path().join(format!("cycle-{cycle}"));
        copy_dir(&template, &path);
        let child = Child::start(&[(ROLE, "child".as_ref()), (DIR, path.as_os_str())], cycle);
        let lines = child.kill_after(Duration::from_millis(rng.random_range(0..span)));
        let mut acknowledged = BTreeSet::new();
        for line in lines {
            if let Some(i) = line.strip_prefix("ERASED ") {
                acknowledged.insert(i.parse::<u64>().expect("a person number"));
            }
            if line == "DONE" {
                finished_cycles += 1;
            }
        }
        let absent = check(&path, cycle);
        let lost: Vec<&u64> = acknowledged.difference(&absent).collect();
        assert!(
            lost.is_empty(),
            "cycle {cycle}: acknowledged erasures undone: {lost:?}"
        );
        println!(
            "cycle {cycle}: {} acknowledged, {} absent after the reopen",
            acknowledged.len(),
            absent.len()
        );
    }
    println!("erase_kill: {cycles} kills ({finished_cycles} after the child finished), every person wholly present or wholly absent");
}

/// Opens the database (finishing an interrupted erasure), then checks
/// each person; returns the absent ones.
fn check(path: &Path, cycle: usize) -> BTreeSet<u64> {
    let db = Database::open(path).expect("the database reopens after the kill");
    assert!(
        !db.graph().erasure_pending(),
        "cycle {cycle}: the erasure finished at open"
    );
    let mut answers = BTreeSet::new();
    for row in run(
        &db,
        "MATCH (p:Person)-[w:WORKS_AT]->() RETURN p.i, p.name, p.email, p.bio, w.note",
    )
    .rows
    {
        let int = match &row[0] {
            ResultValue::Int(i) => *i as u64,
            other => panic!("not an integer: {other:?}"),
        };
        let s = |v: &ResultValue| match v {
            ResultValue::String(s) => s.clone(),
            other => panic!("not a string: {other:?}"),
        };
        assert_eq!(s(&row[1]), format!("Person {}", marker(int, 'n')));
        assert_eq!(s(&row[2]), format!("{}@example.com", marker(int, 'e')));
        assert_eq!(s(&row[3]), format!("second {}", marker(int, 'b')));
        assert_eq!(s(&row[4]), format!("hired {}", marker(int, 'r')));
        answers.insert(int);
    }
    drop(db);
    let found = markers_in(path);
    let mut absent = BTreeSet::new();
    for i in 0..PEOPLE {
        let kinds = ['n', 'e', 'b', 'r'];
        let present: Vec<char> = kinds
            .iter()
            .copied()
            .filter(|k| found.contains(&marker(i, *k)))
            .collect();
        if answers.contains(&i) {
            assert_eq!(
                present, kinds,
                "cycle {cycle}: person {i} answers but is partly gone from the files"
            );
        } else {
            let left: Vec<char> = ['n', 'e', 'a', 'b', 'r']
                .into_iter()
                .filter(|k| found.contains(&marker(i, *k)))
                .collect();
            assert!(
                left.is_empty(),
                "cycle {cycle}: erased person {i} left {left:?} in the files"
            );
            absent.insert(i);
        }
    }
    absent
}
