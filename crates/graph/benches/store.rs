//! Store benches: commit latency of a small transaction (durable vs relaxed
//! on sled, and the memory backend for reference) and the time to reopen
//! a database (read blocks, decode, build the snapshot, replay the log).
//!
//! `cargo bench -p relgraph-graph --bench store`

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use relgraph_graph::kv::{KvStore, MemoryKv, SledKv};
use relgraph_graph::store::{ChangeBuilder, CheckpointPolicy, Durability, OpenOptions};
use relgraph_graph::{Graph, NodeId, Value};

fn small_txn(g: &Graph, i: u64) {
    let mut tx = g.begin_write().unwrap();
    let n = tx
        .create_node(
            &["Event"],
            vec![("i", Value::Int(i as i64)), ("kind", Value::from("visit"))],
        )
        .unwrap();
    tx.create_rel(NodeId(0), "SAW", n, vec![]).unwrap();
    tx.set_node_property(NodeId(0), "last", Value::Int(i as i64))
        .unwrap();
    tx.commit().unwrap();
}

fn commit_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("commit_small_txn");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    let dir = tempfile::tempdir().unwrap();
    for (name, durability) in [
        ("sled_durable", Durability::Durable),
        ("sled_relaxed", Durability::Relaxed),
    ] {
        let kv = SledKv::open(&dir.path().join(name), true).unwrap();
        let options = OpenOptions {
            durability,
            ..OpenOptions::default()
        };
        let g = Graph::open_backend(Arc::new(kv), &options).unwrap();
        let mut tx = g.begin_write().unwrap();
        tx.create_node(&["Person"], vec![]).unwrap();
        tx.commit().unwrap();
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                small_txn(&g, i)
            })
        });
    }
    let g = Graph::in_memory();
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&["Person"], vec![]).unwrap();
    tx.commit().unwrap();
    let mut i = 0;
    group.bench_function("memory", |b| {
        b.iter(|| {
            i += 1;
            small_txn(&g, i)
        })
    });
    group.finish();
}

/// Fills `kv` with a graph of `nodes` nodes and `3 * nodes` relationships,
/// checkpointed, plus `log` small commits left in the log.
fn populate(kv: &Arc<dyn KvStore>, nodes: u64, log: u64) {
    let g = Graph::open_backend(
        kv.clone(),
        &OpenOptions {
            durability: Durability::Relaxed,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    g.set_checkpoint_policy(CheckpointPolicy {
        max_log_records: u64::MAX,
        max_log_bytes: u64::MAX,
        checkpoint_at_close: false,
        max_close_blocks: 0,
        background: false,
    })
    .unwrap();
    let mut tx = g.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    for i in 0..nodes {
        b.create_node(
            &["Person"],
            vec![
                ("id", Value::Int(i as i64)),
                ("name", Value::from(format!("person {i}"))),
                ("score", Value::Float(i as f64 / 7.0)),
            ],
        );
    }
    let mut x = 12345u64;
    for i in 0..nodes * 3 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let dst = (x >> 33) % nodes;
        b.create_rel(
            NodeId(i % nodes),
            "KNOWS",
            NodeId(dst),
            vec![("w", Value::Int((x >> 50) as i64))],
        );
    }
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    for i in 0..log {
        small_txn(&g, i);
    }
    g.close().unwrap();
}

fn reopen(c: &mut Criterion) {
    let mut group = c.benchmark_group("reopen");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let dir = tempfile::tempdir().unwrap();
    for (nodes, log) in [(100_000u64, 0u64), (100_000, 500)] {
        // The sled handle stays open: a directory is never reopened within
        // one process (sled can hang). This measures the relgraph part of
        // an open: read every block, decode, build, replay.
        let kv: Arc<dyn KvStore> =
            Arc::new(SledKv::open(&dir.path().join(format!("g{nodes}-{log}")), true).unwrap());
        populate(&kv, nodes, log);
        let size = kv.size_on_disk().unwrap();
        println!(
            "reopen: {nodes} nodes, {} relationships, {log} log records, {size} bytes on disk",
            nodes * 3
        );
        let options = OpenOptions {
            durability: Durability::Relaxed,
            ..OpenOptions::default()
        };
        {
            let g = Graph::open_backend(kv.clone(), &options).unwrap();
            let t = g.store_stats().unwrap().open_timings;
            println!(
                "reopen phases: read {:?}, decode {:?}, build {:?}, replay {:?}",
                t.read, t.decode, t.build, t.replay
            );
            g.set_checkpoint_policy(CheckpointPolicy {
                checkpoint_at_close: false,
                ..CheckpointPolicy::default()
            })
            .unwrap();
        }
        group.bench_with_input(
            BenchmarkId::new(format!("sled_{}_rels_log", nodes * 3), log),
            &log,
            |b, _| {
                b.iter(|| {
                    let g = Graph::open_backend(kv.clone(), &options).unwrap();
                    g.set_checkpoint_policy(CheckpointPolicy {
                        checkpoint_at_close: false,
                        ..CheckpointPolicy::default()
                    })
                    .unwrap();
                    assert_eq!(g.snapshot().node_count(), nodes + log);
                    g
                })
            },
        );
    }
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    populate(&kv, 100_000, 0);
    group.bench_function("memory_300000_rels", |b| {
        b.iter(|| Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, commit_latency, reopen);
criterion_main!(benches);
