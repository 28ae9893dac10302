//! The engine against a hand-written floor: five questions about one
//! person (see `questions.rs`), each timed through the engine (parsed once;
//! planned and run per iteration, as `Database::query` would) and as a
//! plain Rust loop over the same snapshot's adjacency arrays.
//!
//! `cargo bench --bench floor` runs on the demo graph at scale 1;
//! `RELGRAPH_FLOOR_DB=DIR cargo bench --bench floor` on a database (e.g.
//! one imported from `relgraph generate --scale 45`).

mod questions;

/// The allocator the `relgraph` binary ships with (`crates/cli`): the
/// engine is timed as the binary runs it. Under glibc's allocator the
/// in-memory demo snapshot leaves a fragmented heap, and freeing rows
/// dominated the engine's time (people you may know: 2.04 ms under glibc,
/// docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use relgraph::Snapshot;
use relgraph_exec::{execute, QueryOptions};

fn snapshot() -> Snapshot {
    match std::env::var_os("RELGRAPH_FLOOR_DB") {
        Some(dir) => relgraph::Database::open(&dir)
            .unwrap_or_else(|e| panic!("RELGRAPH_FLOOR_DB={}: {e}", dir.to_string_lossy()))
            .snapshot(),
        None => {
            let config = relgraph_datagen::Config::new(1.0, 42).expect("valid scale");
            relgraph_datagen::snapshot(&config)
                .expect("datagen builds")
                .0
        }
    }
}

fn floor(c: &mut Criterion) {
    let snap = snapshot();
    let ids = questions::Ids::of(&snap).expect("the demo schema (Person, KNOWS, READ, ...)");
    let (me, b) = questions::people(&snap, &ids);
    let params = questions::params(me, b);
    let mut g = c.benchmark_group("floor");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    for q in &questions::QUESTIONS {
        let stmt = relgraph_cypher::parse(q.query).expect("floor queries parse");
        let run = || {
            execute(&stmt, &params, &snap, &QueryOptions::default())
                .expect("floor query runs")
                .result
                .rows
        };
        assert_eq!(run(), (q.answer)(&snap, &ids, me, b), "{}", q.name);
        g.bench_function(format!("{}/engine", q.name), |bench| bench.iter(run));
        g.bench_function(format!("{}/loop", q.name), |bench| {
            bench.iter(|| (q.answer)(&snap, &ids, me, b))
        });
    }
    g.finish();
}

criterion_group!(benches, floor);
criterion_main!(benches);
