//! Parser throughput on representative queries.
//! `cargo bench -p relgraph-cypher --bench parse`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn queries() -> Vec<(&'static str, String)> {
    let create = format!(
        "CREATE {}",
        (0..200)
            .map(|i| format!("(n{i}:Person {{id: {i}, name: 'person {i}', score: {i}.5}})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    vec![
        ("point", "MATCH (n:Person {id: $id}) RETURN n".to_string()),
        (
            "two_hop",
            "MATCH (me:Person {id: $me})-[:KNOWS]->(c)-[:WORKS_AT]->(co:Company) \
             WHERE c.age > 30 AND co.industry IN ['CRM', 'ERP'] \
             RETURN co.name AS company, count(DISTINCT c) AS n ORDER BY n DESC LIMIT 10"
                .to_string(),
        ),
        (
            "complex",
            "MATCH p = shortestPath((a:Person {id: 1})-[:KNOWS*..4]-(b:Person)) \
             WHERE NOT (a)-[:BLOCKED]->(b) AND EXISTS { (b)-[:WROTE]->(:Post) } \
             WITH b, [n IN nodes(p) | n.name] AS path, \
             CASE WHEN b.title STARTS WITH 'C' THEN 1 ELSE 0 END AS c \
             UNWIND path AS step \
             RETURN b{.name, .title, hops: size(path)}, reduce(s = 0, x IN range(1, 10) | s + x) AS t, c"
                .to_string(),
        ),
        ("create_200_nodes", create),
    ]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, q) in queries() {
        group.throughput(Throughput::Bytes(q.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| relgraph_cypher::parse(black_box(&q)).expect("benchmark query parses"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
