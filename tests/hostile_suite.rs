//! The hostile-query suite of issue 15: each query, run with a 512 MiB
//! memory budget and a 2 s timeout, ends in a typed error, promptly, with
//! the process's peak resident memory less than 640 MiB above what it was
//! before the query (Linux: VmHWM, reset through /proc/self/clear_refs),
//! and the next query answers normally. Its own test binary: peak memory
//! is per process.

use std::time::{Duration, Instant};

use relgraph::{Database, Params, QueryOptions};

/// A field of /proc/self/status in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak resident memory (VmHWM) to the current one.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[test]
fn hostile_queries_end_in_typed_errors_within_time_and_memory() {
    let db = Database::in_memory();
    let p = Params::new();
    // A dense graph: 100 nodes, every ordered pair connected.
    db.query("UNWIND range(1, 100) AS i CREATE (:D {i: i})", &p)
        .unwrap();
    db.query("MATCH (a:D), (b:D) WHERE a <> b CREATE (a)-[:E]->(b)", &p)
        .unwrap();
    // A large label for Cartesian products.
    db.query("UNWIND range(1, 20000) AS i CREATE (:L {i: i})", &p)
        .unwrap();
    let opts = QueryOptions {
        timeout: Some(Duration::from_secs(2)),
        memory_budget: Some(512 << 20),
        ..QueryOptions::default()
    };
    let hops = format!("MATCH (a:D){} RETURN count(*)", "-->()".repeat(10_000));
    let text = format!("RETURN size([{}])", vec!["1"; 5_000_000].join(","));
    let queries = [
        "MATCH p = (a:D)-[*]->(b) RETURN count(*)",
        "MATCH p = (a:D)-[*]->(b) RETURN p",
        "MATCH p = (a:D)-[*]->(b) RETURN p ORDER BY length(p) DESC",
        "MATCH p = (a:D)-[*]->(b) RETURN collect(p)",
        "MATCH (a:L), (b:L), (c:L) RETURN count(*)",
        "MATCH (a:L), (b:L) RETURN a, b",
        "MATCH (a:L), (b:L) RETURN DISTINCT a.i, b.i",
        "MATCH (a:L), (b:L) WITH a.i * 20000 + b.i AS k RETURN count(DISTINCT k)",
        "UNWIND range(1, 5000000) AS i CREATE (:X {i: i})",
        "UNWIND range(1, 100000000) AS i RETURN size(collect(i))",
        "UNWIND range(1, 10000) AS a UNWIND range(1, 10000) AS b RETURN size(collect(a))",
        "RETURN size(reduce(s = 'x', i IN range(1, 40) | s + s))",
        "RETURN size(reduce(l = [0], i IN range(1, 40) | l + l))",
        "RETURN reduce(s = 0, i IN range(1, 100000000) | s + i)",
        &hops,
        &text,
    ];
    let can_measure = reset_peak() && status_kib("VmHWM:").is_some();
    for q in queries {
        let shown = &q[..q.len().min(80)];
        // The baseline is the process before this query (the allocator
        // keeps some memory that earlier queries freed).
        reset_peak();
        let baseline = status_kib("VmRSS:").unwrap_or(0);
        let t0 = Instant::now();
        let err = db
            .query_with(q, &p, &opts)
            .map(|r| r.rows.len())
            .expect_err(shown);
        let took = t0.elapsed();
        assert_eq!(err.kind, "DatabaseError", "{shown}: {}", err.message);
        assert!(
            err.message.starts_with("query limit exceeded"),
            "{shown}: {}",
            err.message
        );
        // 2 s plus slack for a debug build on a busy machine.
        assert!(took < Duration::from_secs(5), "{shown}: {took:?}");
        if can_measure {
            let peak = status_kib("VmHWM:").unwrap_or(0);
            let over = peak.saturating_sub(baseline);
            eprintln!(
                "{took:>10.2?} {:>5} MiB over baseline  {shown}: {}",
                over / 1024,
                err.message
            );
            assert!(
                over < 640 * 1024,
                "{shown}: peak {over} KiB over the baseline"
            );
        }
        let ok = db
            .query("MATCH (d:D) RETURN count(d) AS c", &p)
            .expect("the next query answers");
        assert_eq!(ok.single::<i64>("c").unwrap(), 100);
    }
}
