//! Query benches: the batch-insert idiom, read queries and graph
//! algorithms on a generated graph. Run with `cargo bench --bench queries`.

use std::collections::BTreeMap;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use relgraph::{Database, Params, Value};
use relgraph_exec::{execute, QueryOptions};
use relgraph_graph::Snapshot;

fn person_rows(n: usize) -> Value {
    Value::List(
        (0..n)
            .map(|i| {
                let mut m = BTreeMap::new();
                m.insert("name".into(), Value::from(format!("person-{i}")));
                m.insert("age".into(), Value::Int((i % 90) as i64));
                Value::Map(m)
            })
            .collect(),
    )
}

/// `UNWIND $rows AS r CREATE (:Person {...})`: the target is at least
/// 200,000 created nodes per second in one statement.
fn batch_insert(c: &mut Criterion) {
    let n = 100_000;
    let mut params = Params::new();
    params.insert("rows".into(), person_rows(n));
    let mut g = c.benchmark_group("write");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("unwind_create_nodes", n), |b| {
        b.iter_batched(
            Database::in_memory,
            |db| {
                let res = db
                    .query(
                        "UNWIND $rows AS r CREATE (:Person {name: r.name, age: r.age})",
                        &params,
                    )
                    .expect("batch insert runs");
                assert_eq!(res.stats.nodes_created, n as u64);
                db
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// Read queries on the synthetic relationship graph (scale 1: about
/// 10,000 people).
fn reads(c: &mut Criterion) {
    let config = relgraph_datagen::Config::new(1.0, 42).expect("valid scale");
    let (snap, _) = relgraph_datagen::snapshot(&config).expect("datagen builds");
    let queries = [
        ("label_scan_filter", "MATCH (p:Person) WHERE p.name STARTS WITH 'A' RETURN count(p)"),
        ("one_hop", "MATCH (p:Person)-[:KNOWS]->(q:Person) RETURN count(*)"),
        ("two_hop_distinct", "MATCH (p:Person)-[:KNOWS]->()-[:KNOWS]->(q) RETURN count(DISTINCT q)"),
        ("group_by", "MATCH (p:Person)-[:WORKS_AT]->(c:Company) RETURN c.name, count(p) AS n ORDER BY n DESC LIMIT 10"),
        ("top_k", "MATCH (p:Person) RETURN p.name ORDER BY p.name LIMIT 10"),
        ("triangle", "MATCH (a:Person)-[:KNOWS]->(b)-[:KNOWS]->(c)-[:KNOWS]->(a) RETURN count(*)"),
        ("var_length", "MATCH (p:Person)-[:KNOWS*1..2]->(q) RETURN count(*)"),
    ];
    bench_group(c, "read", &snap, &queries);
}

/// Runs each named query against `snap` as one criterion function of `group`.
fn bench_group(c: &mut Criterion, group: &str, snap: &Snapshot, queries: &[(&str, &str)]) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, q) in queries {
        let stmt = relgraph_cypher::parse(q).expect("bench queries parse");
        g.bench_function(*name, |b| {
            b.iter(|| {
                execute(&stmt, &Params::new(), snap, &QueryOptions::default())
                    .expect("bench query runs")
            })
        });
    }
    g.finish();
}

/// Shortest paths on the synthetic graph (scale 1): from "me" to 500
/// other people over undirected KNOWS, one bidirectional search per pair.
fn shortest_paths(c: &mut Criterion) {
    let config = relgraph_datagen::Config::new(1.0, 42).expect("valid scale");
    let (snap, _) = relgraph_datagen::snapshot(&config).expect("datagen builds");
    let queries = [
        (
            "shortest_path_500_pairs",
            "MATCH (a:Person {me: true}) MATCH (b:Person) WITH a, b LIMIT 500 \
             MATCH p = shortestPath((a)-[:KNOWS*]-(b)) RETURN count(p), sum(length(p))",
        ),
        (
            "all_shortest_paths_500_pairs",
            "MATCH (a:Person {me: true}) MATCH (b:Person) WITH a, b LIMIT 500 \
             MATCH p = allShortestPaths((a)-[:KNOWS*]-(b)) RETURN count(p), sum(length(p))",
        ),
    ];
    bench_group(c, "shortest", &snap, &queries);
}

/// Graph algorithms (`CALL algo.*`) on the synthetic graph (scale 1):
/// projection plus the algorithm, over KNOWS.
fn algorithms(c: &mut Criterion) {
    let config = relgraph_datagen::Config::new(1.0, 42).expect("valid scale");
    let (snap, _) = relgraph_datagen::snapshot(&config).expect("datagen builds");
    let queries = [
        (
            "page_rank_20",
            "CALL algo.pageRank('Person', 'KNOWS', {maxIterations: 20, tolerance: 0}) YIELD node RETURN count(*)",
        ),
        ("wcc", "CALL algo.wcc('Person', 'KNOWS') YIELD component RETURN count(DISTINCT component)"),
        ("scc", "CALL algo.scc('Person', 'KNOWS') YIELD component RETURN count(DISTINCT component)"),
        ("triangle_count", "CALL algo.triangleCount('Person', 'KNOWS') YIELD triangles RETURN sum(triangles)"),
        (
            "betweenness_100_sources",
            "CALL algo.betweenness('Person', 'KNOWS', {samplingSize: 100}) YIELD score RETURN max(score)",
        ),
        (
            "node_similarity_top10",
            "CALL algo.nodeSimilarity('Person', 'KNOWS', {orientation: 'UNDIRECTED'}) YIELD similarity RETURN count(*)",
        ),
    ];
    bench_group(c, "algo", &snap, &queries);
}

criterion_group!(benches, batch_insert, reads, shortest_paths, algorithms);
criterion_main!(benches);
