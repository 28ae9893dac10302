//! Every query runs under limits; hitting one is a clear error, quickly,
//! and the database stays usable.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use relgraph::{Database, Params, QueryOptions};

fn db() -> Database {
    let db = Database::in_memory();
    db.query(
        "UNWIND range(1, 2000) AS i CREATE (:P {i: i})",
        &Params::new(),
    )
    .expect("setup");
    db
}

fn still_usable(db: &Database) {
    let res = db
        .query("MATCH (p:P) RETURN count(p) AS c", &Params::new())
        .expect("db still answers");
    assert_eq!(res.single::<i64>("c").unwrap(), 2000);
}

#[test]
fn timeout_stops_a_long_query() {
    let db = db();
    let opts = QueryOptions {
        timeout: Some(Duration::from_millis(100)),
        ..QueryOptions::default()
    };
    let t0 = Instant::now();
    let err = db
        .query_with(
            "MATCH (a:P), (b:P), (c:P) RETURN count(*) AS n",
            &Params::new(),
            &opts,
        )
        .expect_err("eight billion rows cannot finish in 100 ms");
    assert_eq!(err.kind, "DatabaseError");
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert_eq!(err.cause, relgraph::Cause::Limit);
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "stopped after {:?}",
        t0.elapsed()
    );
    still_usable(&db);
}

#[test]
fn max_rows_caps_the_result() {
    let db = db();
    let opts = QueryOptions {
        max_rows: Some(10),
        ..QueryOptions::default()
    };
    let err = db
        .query_with("MATCH (p:P) RETURN p.i", &Params::new(), &opts)
        .expect_err("2000 > 10 rows");
    assert!(
        err.message.contains("maximum of 10 rows"),
        "{}",
        err.message
    );
    let ok = db
        .query_with("MATCH (p:P) RETURN p.i LIMIT 10", &Params::new(), &opts)
        .expect("10 rows fit");
    assert_eq!(ok.rows.len(), 10);
    still_usable(&db);
}

#[test]
fn memory_budget_stops_a_blowup() {
    let db = db();
    let opts = QueryOptions {
        memory_budget: Some(1 << 20),
        ..QueryOptions::default()
    };
    let err = db
        .query_with("MATCH (a:P), (b:P) RETURN a.i, b.i", &Params::new(), &opts)
        .expect_err("four million rows do not fit in 1 MiB");
    assert!(err.message.contains("memory budget"), "{}", err.message);
    assert_eq!(err.cause, relgraph::Cause::Limit);
    still_usable(&db);
}

#[test]
fn limits_hold_when_one_task_fans_out_across_threads() {
    // After a LIMIT the input is one task, which the executor cuts into
    // batches that run in parallel (exec/split.rs): the budget and the
    // timeout still stop it, with the same errors.
    let db = db();
    // Two rows before the product: it is cut; ten: the product itself is
    // split into (row, range of the build side) tasks (20,000 pairs).
    for fan_out in [
        "MATCH (a:P) WITH a ORDER BY a.i LIMIT 2 MATCH (b:P), (c:P)",
        "MATCH (a:P) WITH a ORDER BY a.i LIMIT 10 MATCH (b:P), (c:P)",
    ] {
        limits_hold_for(&db, fan_out);
    }
    still_usable(&db);
}

fn limits_hold_for(db: &Database, fan_out: &str) {
    let opts = QueryOptions {
        memory_budget: Some(1 << 20),
        ..QueryOptions::default()
    };
    let err = db
        .query_with(
            &format!("{fan_out} RETURN a.i, b.i, c.i"),
            &Params::new(),
            &opts,
        )
        .expect_err("millions of rows do not fit in 1 MiB");
    assert!(err.message.contains("memory budget"), "{}", err.message);
    assert_eq!(err.cause, relgraph::Cause::Limit);
    let opts = QueryOptions {
        timeout: Some(Duration::from_millis(100)),
        ..QueryOptions::default()
    };
    let t0 = Instant::now();
    let err = db
        .query_with(
            &format!("{fan_out}, (d:P) RETURN a.i, count(*) AS n"),
            &Params::new(),
            &opts,
        )
        .expect_err("billions of rows cannot finish in 100 ms");
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "stopped after {:?}",
        t0.elapsed()
    );
}

#[test]
fn cancellation_flag_stops_the_query() {
    let db = db();
    let flag = Arc::new(AtomicBool::new(false));
    let opts = QueryOptions {
        cancel: Some(flag.clone()),
        ..QueryOptions::default()
    };
    let setter = {
        let flag = flag.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            flag.store(true, Ordering::Relaxed);
        })
    };
    let t0 = Instant::now();
    let err = db
        .query_with(
            "MATCH (a:P), (b:P), (c:P) RETURN count(*) AS n",
            &Params::new(),
            &opts,
        )
        .expect_err("the query is cancelled");
    setter.join().expect("setter thread");
    assert!(err.message.contains("cancelled"), "{}", err.message);
    assert_eq!(err.cause, relgraph::Cause::Cancelled);
    assert!(t0.elapsed() < Duration::from_secs(5));
    still_usable(&db);
}

#[test]
fn var_length_bound_is_an_error_never_a_shorter_answer() {
    let db = Database::in_memory();
    db.query(
        "UNWIND range(1, 40) AS i CREATE (:C {i: i})",
        &Params::new(),
    )
    .unwrap();
    db.query(
        "MATCH (a:C), (b:C) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)",
        &Params::new(),
    )
    .unwrap();
    let opts = QueryOptions {
        max_var_length: 5,
        ..QueryOptions::default()
    };
    for q in [
        "MATCH (a:C {i: 1})-[:NEXT*]->(b) RETURN max(b.i) AS far",
        "MATCH (a:C {i: 1})-[:NEXT*2..]->(b) RETURN count(*) AS far",
        // Distinct endpoints only: a breadth-first search.
        "MATCH (a:C {i: 1})-[:NEXT*]->(b) RETURN DISTINCT b.i AS far",
    ] {
        let err = db
            .query_with(q, &Params::new(), &opts)
            .expect_err("paths longer than the bound exist");
        assert!(
            err.message.contains("bound of 5 hops") && err.message.contains("max_var_length"),
            "{q}: {}",
            err.message
        );
    }
    // Within the bound, or with an explicit upper bound, it answers.
    let res = db
        .query_with(
            "MATCH (a:C {i: 35})-[:NEXT*]->(b) RETURN max(b.i) AS far",
            &Params::new(),
            &opts,
        )
        .unwrap();
    assert_eq!(res.single::<i64>("far").unwrap(), 40);
    let res = db
        .query_with(
            "MATCH (a:C {i: 1})-[:NEXT*..5]->(b) RETURN max(b.i) AS far",
            &Params::new(),
            &opts,
        )
        .unwrap();
    assert_eq!(res.single::<i64>("far").unwrap(), 6);
    // By default there is no hidden bound.
    let res = db
        .query(
            "MATCH (a:C {i: 1})-[:NEXT*]->(b) RETURN max(b.i) AS far",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(res.single::<i64>("far").unwrap(), 40);
    let res = db
        .query(
            "MATCH (a:C {i: 1})-[:NEXT*..100]->(b) RETURN max(b.i) AS far",
            &Params::new(),
        )
        .unwrap();
    assert_eq!(res.single::<i64>("far").unwrap(), 40);
}
