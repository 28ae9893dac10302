//! Snapshot benchmarks: build at open (`from_records`) for an LDBC
//! SF0.1-sized synthetic graph, a 200k-node change set, a one-property
//! write, and 1- and 2-hop expansion.
//!
//! ```text
//! cargo bench -p relgraph-graph --bench snapshot
//! ```

mod synth;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::{Change, ChangeSet, Direction, NodeId, Snapshot, Value};

fn build(c: &mut Criterion) {
    let g = synth::ldbc_like(1.0);
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.throughput(Throughput::Elements(g.rels.len() as u64));
    group.bench_function("from_records_ldbc_sf0.1_synthetic", |b| {
        b.iter_batched(
            || (g.nodes.clone(), g.rels.clone()),
            |(nodes, rels)| {
                Snapshot::from_records(g.catalog.clone(), 1, g.next_node, g.next_rel, nodes, rels)
                    .expect("valid synthetic graph")
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn writes(c: &mut Criterion) {
    let g = synth::ldbc_like(1.0);
    let s = Snapshot::from_records(
        g.catalog.clone(),
        1,
        g.next_node,
        g.next_rel,
        g.nodes,
        g.rels,
    )
    .expect("valid synthetic graph");
    let mut catalog = s.catalog().clone();
    let label = catalog.intern_label("Imported");
    let key = catalog.intern_prop_key("n");
    let start = s.next_node_id().0;
    let create = ChangeSet {
        catalog: Some(CatalogSnapshot(catalog)),
        changes: (0..200_000u64)
            .map(|i| Change::CreateNode {
                id: NodeId(start + i),
                labels: vec![label],
                props: vec![(key, Value::Int(i as i64))],
            })
            .collect(),
    };
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    group.throughput(Throughput::Elements(200_000));
    group.bench_function("apply_200k_create_node", |b| {
        b.iter(|| s.apply(&create).expect("valid"))
    });
    group.finish();

    let s2 = s.apply(&create).expect("valid");
    let small = ChangeSet {
        catalog: None,
        changes: vec![Change::SetNodeProp {
            id: NodeId(7),
            key,
            value: Value::Int(1),
        }],
    };
    let mut group = c.benchmark_group("snapshot");
    group.throughput(Throughput::Elements(1));
    group.bench_function("apply_one_set_property", |b| {
        b.iter(|| s2.apply(&small).expect("valid"))
    });
    group.finish();
}

fn expand(c: &mut Criterion) {
    let g = synth::ldbc_like(1.0);
    let (knows, has_creator, persons) = (g.knows, g.has_creator, g.persons.clone());
    let s = Snapshot::from_records(
        g.catalog.clone(),
        1,
        g.next_node,
        g.next_rel,
        g.nodes,
        g.rels,
    )
    .expect("valid synthetic graph");
    let mut group = c.benchmark_group("snapshot");
    // 1 hop: every message's creator (315k lookups).
    group.throughput(Throughput::Elements(s.rel_type_count(has_creator)));
    group.bench_function("expand_1hop_all_messages_creator", |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for n in persons.clone() {
                for a in s
                    .neighbors(NodeId(n), has_creator, Direction::Incoming)
                    .iter()
                {
                    sum = sum.wrapping_add(a.node.0);
                }
            }
            sum
        })
    });
    // 2 hops: friends of friends of every person; throughput counts paths.
    let paths: u64 = persons
        .clone()
        .flat_map(|n| {
            s.neighbors(NodeId(n), knows, Direction::Outgoing)
                .into_owned()
        })
        .map(|a| s.neighbors(a.node, knows, Direction::Outgoing).len() as u64)
        .sum();
    group.throughput(Throughput::Elements(paths));
    group.bench_function("expand_2hop_knows_all_persons", |b| {
        b.iter(|| {
            let mut count = 0u64;
            for n in persons.clone() {
                for a in s.neighbors(NodeId(n), knows, Direction::Outgoing).iter() {
                    count += s.neighbors(a.node, knows, Direction::Outgoing).len() as u64;
                }
            }
            count
        })
    });
    group.finish();
}

criterion_group!(benches, build, writes, expand);
criterion_main!(benches);
