//! A durable standing-query subscriber killed at random moments (SIGKILL)
//! loses no answer: every row committed reaches it at least once, live or
//! in the catch-up notification after the reopen.
//!
//! This test binary has no libtest harness: `main` is the parent, and it
//! re-executes itself (`current_exe` + `RELGRAPH_STANDING_ROLE=child`) as
//! the child, which opens the database, subscribes to the standing query
//! `k` (registering it the first time), then commits rows forever,
//! printing `GOT <v>` for every row a notification brings and
//! acknowledging each notification after printing it. The parent kills it
//! after a random delay, several times, then opens the database itself and
//! checks that every row in the answer was printed (or comes in its own
//! catch-up). `RELGRAPH_STANDING_CYCLES` (default 8) sets the number of kills.

#[path = "common/child.rs"]
mod child;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use child::Child;

use rand::{Rng, SeedableRng};
use relgraph::{Database, Params, RecvError, ResultValue};

const ROLE: &str = "RELGRAPH_STANDING_ROLE";
const DIR: &str = "RELGRAPH_STANDING_DIR";
const QUERY: &str = "MATCH (k:K) RETURN k.v AS v";

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("child") => child(Path::new(
            &std::env::var(DIR).expect("the parent sets the directory"),
        )),
        _ => parent(),
    }
}

fn int(v: &ResultValue) -> i64 {
    match v {
        ResultValue::Int(i) => *i,
        other => panic!("not an integer: {other:?}"),
    }
}

fn child(dir: &Path) {
    let db = Database::open(dir.join("db")).expect("the child opens the database");
    let sub = match db.standing().subscribe("k", 4096) {
        Ok(sub) => sub,
        Err(_) => db
            .standing()
            .register("k", QUERY, &Params::new())
            .expect("the standing query registers"),
    };
    let next = db
        .query(
            "MATCH (k:K) RETURN coalesce(max(k.v), 0) + 1 AS next",
            &Params::new(),
        )
        .expect("the child reads its next value")
        .single::<i64>("next")
        .expect("one next value");
    println!("READY");
    for v in next.. {
        db.query(&format!("CREATE (:K {{v: {v}}})"), &Params::new())
            .expect("the child commits");
        // Wait until this commit is evaluated, then take what came.
        assert!(db.standing().sync(Duration::from_secs(30)));
        loop {
            match sub.try_recv() {
                Ok(n) => {
                    for row in &n.added {
                        println!("GOT {}", int(&row[0]));
                    }
                    db.standing()
                        .acknowledge("k", n.version)
                        .expect("the child acknowledges");
                }
                Err(RecvError::Empty) => break,
                Err(e) => panic!("{e}"),
            }
        }
    }
}

fn parent() {
    let cycles: usize = std::env::var("RELGRAPH_STANDING_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(8);
    let seed: u64 = rand::random();
    println!("standing_kill: {cycles} kill cycles, seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut got = BTreeSet::new();
    for cycle in 0..cycles {
        let child = Child::start(
            &[(ROLE, "child".as_ref()), (DIR, dir.path().as_os_str())],
            cycle,
        );
        let lines = child.kill_after(Duration::from_millis(rng.random_range(20..400)));
        for line in lines {
            if let Some(v) = line.strip_prefix("GOT ") {
                got.insert(v.parse::<i64>().expect("a row value"));
            }
        }
    }
    let db = Database::open(dir.path().join("db")).expect("the parent opens the database");
    let sub = db
        .standing()
        .subscribe("k", 16)
        .expect("the registration survived");
    assert!(db.standing().sync(Duration::from_secs(30)));
    match sub.try_recv() {
        Ok(catch_up) => got.extend(catch_up.added.iter().map(|r| int(&r[0]))),
        Err(RecvError::Empty) => {}
        Err(e) => panic!("{e}"),
    }
    let answer: BTreeSet<i64> = db
        .query(QUERY, &Params::new())
        .expect("the answer")
        .rows
        .iter()
        .map(|r| int(&r[0]))
        .collect();
    assert!(!answer.is_empty(), "the children committed rows");
    let missing: Vec<i64> = answer.difference(&got).copied().collect();
    assert!(missing.is_empty(), "rows never delivered: {missing:?}");
    println!(
        "standing_kill: {} rows committed over {cycles} kills, every one delivered at least once",
        answer.len()
    );
}
