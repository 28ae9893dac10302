//! Hostile queries (issue 15): whatever text a user sends, the process
//! survives, a limit that stops a query is a typed error that names it, and
//! no answer is silently wrong.

use std::time::{Duration, Instant};

use relgraph::{Database, Params, QueryOptions};

/// A chain `(:N {i: 0})-[:NEXT]->(:N {i: 1})-> ... -> (:N {i: last})`.
fn chain(last: i64) -> Database {
    let db = Database::in_memory();
    db.query(
        &format!("UNWIND range(0, {last}) AS i CREATE (:N {{i: i}})"),
        &Params::new(),
    )
    .expect("nodes");
    db.query(
        "MATCH (a:N), (b:N) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)",
        &Params::new(),
    )
    .expect("relationships");
    db
}

fn count(db: &Database, q: &str) -> i64 {
    db.query(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {}", e.message))
        .single::<i64>("c")
        .expect("one count")
}

/// `MATCH (a {i: 0})` followed by `hops` anonymous steps.
fn hops_query(hops: usize) -> String {
    let mut q = String::from("MATCH (a {i: 0})");
    for _ in 0..hops {
        q.push_str("-->()");
    }
    q.push_str(" RETURN count(*) AS c");
    q
}

/// Runs `f` on a thread with Rust's default 2 MiB of stack, as an
/// application's worker thread would.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .expect("no panic")
}

#[test]
fn long_patterns_are_a_typed_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let db = chain(1000);
        for hops in [900, 10_000] {
            let err = db
                .query(&hops_query(hops), &Params::new())
                .map(|r| r.rows.len())
                .expect_err("longer than the pattern limit");
            assert_eq!(err.kind, "DatabaseError", "{}", err.message);
            assert!(
                err.message.contains("MAX_PATTERN_LENGTH"),
                "{}",
                err.message
            );
            assert!(err.message.contains("at most 256"), "{}", err.message);
            assert!(err.message.contains(&hops.to_string()), "{}", err.message);
        }
        assert_eq!(count(&db, &hops_query(10)), 1);
    });
}

#[test]
fn deep_pipelines_stop_at_the_stack_budget() {
    on_small_stack(|| {
        let db = chain(1000);
        // Within the pattern limit, but more operators than a debug build
        // fits in its stack budget: the right answer or a typed error.
        match db.query(&hops_query(250), &Params::new()) {
            Ok(r) => assert_eq!(r.single::<i64>("c").unwrap(), 1),
            Err(e) => assert!(e.message.contains("EXEC_STACK_BUDGET"), "{}", e.message),
        }
        // Many clauses, each a short pattern: as deep a pipeline.
        let mut q = String::from("MATCH (a {i: 0})");
        for _ in 0..400 {
            q.push_str(" MATCH (a)-->(b) WITH b AS a");
        }
        q.push_str(" RETURN a.i AS c");
        match db.query(&q, &Params::new()) {
            Ok(r) => assert_eq!(r.single::<i64>("c").unwrap(), 400),
            Err(e) => assert!(e.message.contains("EXEC_STACK_BUDGET"), "{}", e.message),
        }
        // A hundred hops fit the budget even in a debug build.
        assert_eq!(count(&db, &hops_query(100)), 1);
    });
}

#[test]
fn var_length_without_upper_bound_has_no_hidden_bound() {
    let db = chain(10_000);
    let res = db
        .query(
            "MATCH p = (a {i: 0})-[*]->(b) RETURN max(length(p)) AS c",
            &Params::new(),
        )
        .expect("every path of the chain");
    assert_eq!(res.single::<i64>("c").unwrap(), 10_000);
    assert_eq!(
        count(&db, "MATCH (a {i: 0})-[*]->(b) RETURN count(b) AS c"),
        10_000
    );
    assert_eq!(
        count(
            &db,
            "MATCH (a {i: 0})-[*]->(b) WITH DISTINCT b RETURN count(b) AS c"
        ),
        10_000
    );
    for q in [
        "MATCH (a:N {i: 0}), (b:N {i: 10000}) MATCH p = shortestPath((a)-[*]->(b)) RETURN length(p) AS c",
        "MATCH (a:N {i: 0}), (b:N {i: 10000}) MATCH p = allShortestPaths((a)-[*]->(b)) RETURN length(p) AS c",
        "MATCH (a:N {i: 10000}), (b:N {i: 0}) MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p) AS c",
    ] {
        assert_eq!(count(&db, q), 10_000, "{q}");
    }
}

fn with_limits(timeout_ms: u64, memory: u64) -> QueryOptions {
    QueryOptions {
        timeout: Some(Duration::from_millis(timeout_ms)),
        memory_budget: Some(memory),
        ..QueryOptions::default()
    }
}

#[test]
fn timeout_fires_inside_one_expression() {
    let db = Database::in_memory();
    let opts = with_limits(1000, 4 << 30);
    for q in [
        "RETURN reduce(s = 0, i IN range(1, 100000000) | s + i) AS r",
        "RETURN size([i IN range(1, 100000000) WHERE i % 7 = 0]) AS r",
        "RETURN any(i IN range(1, 100000000) WHERE i < 0) AS r",
        "UNWIND range(1, 3) AS x RETURN reduce(s = 0, i IN range(1, 100000000) | s + x) AS r",
    ] {
        let t0 = Instant::now();
        let err = db
            .query_with(q, &Params::new(), &opts)
            .map(|r| r.rows.len())
            .expect_err("10^8 steps do not finish in 1 s");
        let took = t0.elapsed();
        assert!(err.message.contains("timed out"), "{q}: {}", err.message);
        assert!(took < Duration::from_secs(3), "{q}: stopped after {took:?}");
        eprintln!("{q}: stopped after {took:?}");
    }
    let ok = db
        .query(
            "RETURN reduce(s = 0, i IN range(1, 1000) | s + i) AS r",
            &Params::new(),
        )
        .expect("small reduce");
    assert_eq!(ok.single::<i64>("r").unwrap(), 500_500);
}

#[test]
fn values_built_in_expressions_respect_the_memory_budget() {
    let db = Database::in_memory();
    let opts = with_limits(60_000, 64 << 20);
    for q in [
        "RETURN size(range(1, 100000000)) AS r",
        "UNWIND range(1, 100000000) AS i RETURN count(i) AS r",
        "RETURN size(reduce(s = 'x', i IN range(1, 40) | s + s)) AS r",
        "RETURN size(reduce(l = [0], i IN range(1, 40) | l + l)) AS r",
        "RETURN size([i IN range(1, 1000) | range(1, 100000)]) AS r",
        "WITH reduce(s = 'x', i IN range(1, 20) | s + s) AS s RETURN size(replace(s, '', s)) AS r",
    ] {
        let err = db
            .query_with(q, &Params::new(), &opts)
            .map(|r| r.rows.len())
            .expect_err("more than 64 MiB");
        assert!(
            err.message.contains("memory budget"),
            "{q}: {}",
            err.message
        );
    }
    // Aggregates that keep their values count against the budget too.
    let small = with_limits(60_000, 16 << 20);
    for q in [
        "UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b RETURN size(collect(a)) AS r",
        "UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b RETURN count(DISTINCT a * 1000 + b) AS r",
    ] {
        let err = db
            .query_with(q, &Params::new(), &small)
            .map(|r| r.rows.len())
            .expect_err("a million kept values do not fit in 16 MiB");
        assert!(err.message.contains("memory budget"), "{q}: {}", err.message);
    }
    let ok = db
        .query_with(
            "RETURN size(range(1, 100000)) + size(reduce(s = 'x', i IN range(1, 20) | s + s)) AS r",
            &Params::new(),
            &opts,
        )
        .expect("fits");
    assert_eq!(ok.single::<i64>("r").unwrap(), 100_000 + (1 << 20));
}

#[test]
fn values_nested_without_bound_are_a_typed_error() {
    on_small_stack(|| {
        let db = Database::in_memory();
        for n in [1000, 100_000] {
            let err = db
                .query(
                    &format!("RETURN size(reduce(l = [], i IN range(1, {n}) | [l])) AS c"),
                    &Params::new(),
                )
                .map(|r| r.rows.len())
                .expect_err("nested deeper than MAX_VALUE_DEPTH");
            assert!(err.message.contains("MAX_VALUE_DEPTH"), "{}", err.message);
        }
        let err = db
            .query(
                "RETURN size(reduce(m = {}, i IN range(1, 1000) | {inner: m})) AS c",
                &Params::new(),
            )
            .map(|r| r.rows.len())
            .expect_err("maps nest too");
        assert!(err.message.contains("MAX_VALUE_DEPTH"), "{}", err.message);
        assert_eq!(
            count(
                &db,
                "RETURN size(reduce(l = [], i IN range(1, 200) | [l, i])) AS c"
            ),
            2
        );
        assert_eq!(
            count(
                &db,
                "RETURN size(reduce(l = [], i IN range(1, 1000) | l + [[i]])) AS c"
            ),
            1000
        );
    });
}

#[test]
fn long_paths_count_against_the_memory_budget_by_their_length() {
    // 3,001 paths from the chain's start, 4.5 million relationships in all:
    // far more than 32 MiB, although only 3,001 rows.
    let db = chain(3000);
    let opts = with_limits(60_000, 32 << 20);
    for q in [
        "MATCH p = (a {i: 0})-[*]->(b) RETURN p",
        "MATCH p = (a {i: 0})-[*]->(b) RETURN size(collect(p)) AS c",
        "MATCH (a {i: 0})-[r*]->(b) RETURN r",
    ] {
        let err = db
            .query_with(q, &Params::new(), &opts)
            .map(|r| r.rows.len())
            .expect_err("the paths do not fit in 32 MiB");
        assert!(
            err.message.contains("memory budget"),
            "{q}: {}",
            err.message
        );
    }
    // The same rows without their paths fit.
    assert_eq!(
        db.query_with(
            "MATCH p = (a {i: 0})-[*]->(b) RETURN count(DISTINCT length(p)) AS c",
            &Params::new(),
            &opts
        )
        .expect("fits")
        .single::<i64>("c")
        .unwrap(),
        3000
    );
}

#[test]
fn long_query_text_is_refused_before_parsing() {
    let db = Database::in_memory();
    let list = format!("RETURN size([{}]) AS c", vec!["1"; 5_000_000].join(","));
    let hops = format!(
        "MATCH (a){} RETURN count(*) AS c",
        "-->()".repeat(2_000_000)
    );
    for q in [&list, &hops] {
        let t0 = Instant::now();
        let err = db
            .query(q, &Params::new())
            .map(|r| r.rows.len())
            .expect_err("10 MB of query text");
        assert_eq!(err.kind, "DatabaseError", "{}", err.message);
        assert!(err.message.contains("max_query_bytes"), "{}", err.message);
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    }
    // Below the maximum a long literal list is fine.
    let q = format!("RETURN size([{}]) AS c", vec!["1"; 50_000].join(","));
    assert_eq!(count(&db, &q), 50_000);
}

#[test]
fn writes_count_against_the_memory_budget() {
    let db = Database::in_memory();
    let opts = with_limits(60_000, 32 << 20);
    // 100,000 rows fit in 32 MiB; the 300,000 nodes and relationships
    // they create do not.
    let err = db
        .query_with(
            "UNWIND range(1, 100000) AS i \
             CREATE (:X {i: i, s: 'text'})-[:R {i: i}]->(:Y {i: i, s: 'text'})",
            &Params::new(),
            &opts,
        )
        .map(|r| r.rows.len())
        .expect_err("more than 32 MiB");
    assert!(err.message.contains("memory budget"), "{}", err.message);
    // The failed write wrote nothing; a smaller one fits.
    assert_eq!(count(&db, "MATCH (x) RETURN count(x) AS c"), 0);
    db.query_with(
        "UNWIND range(1, 10000) AS i \
         CREATE (:X {i: i, s: 'text'})-[:R {i: i}]->(:Y {i: i, s: 'text'})",
        &Params::new(),
        &opts,
    )
    .expect("10,000 rows fit in 32 MiB");
    assert_eq!(count(&db, "MATCH (x) RETURN count(x) AS c"), 20_000);
}

#[test]
fn distinct_keys_count_against_the_memory_budget() {
    let db = Database::in_memory();
    let opts = with_limits(60_000, 20 << 20);
    // 90,000 distinct rows: the rows and the set of their keys, about
    // 23 MB together, do not fit in 20 MiB.
    let err = db
        .query_with(
            "UNWIND range(1, 300) AS a UNWIND range(1, 300) AS b RETURN DISTINCT a, b",
            &Params::new(),
            &opts,
        )
        .map(|r| r.rows.len())
        .expect_err("more than 20 MiB");
    assert!(err.message.contains("memory budget"), "{}", err.message);
    let ok = db
        .query_with(
            "UNWIND range(1, 100) AS a UNWIND range(1, 100) AS b RETURN DISTINCT a, b",
            &Params::new(),
            &opts,
        )
        .expect("10,000 rows fit");
    assert_eq!(ok.rows.len(), 10_000);
}
