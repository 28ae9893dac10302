//! Snapshot at scale: a synthetic graph shaped like LDBC SF0.1.
//!
//! `synthetic_graph_is_consistent` runs in CI at 2% scale. The full-size
//! measurement prints build time, apply throughput and resident bytes per
//! relationship; it is ignored by default (it wants a release build):
//!
//! ```text
//! cargo test --release -p relgraph-graph --test snapshot_scale -- --ignored --nocapture
//! ```
//! Timings here are informational; the criterion bench
//! (`cargo bench -p relgraph-graph --bench snapshot`) is the judge.

#[path = "../benches/synth/mod.rs"]
mod synth;

use std::time::Instant;

use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::{Change, ChangeSet, Direction, NodeId, Snapshot, Value};

fn check(s: &Snapshot, g: &synth::Synth, nodes: usize, rels: usize) {
    assert_eq!(s.node_count(), nodes as u64);
    assert_eq!(s.rel_count(), rels as u64);
    assert_eq!(s.label_count(g.person), g.persons.end - g.persons.start);
    // Degrees summed over both directions equal twice the relationship count.
    let types: Vec<_> = (0..s.catalog().rel_types().len() as u32)
        .map(relgraph_graph::RelTypeId)
        .collect();
    let total: usize = s
        .nodes()
        .map(|n| {
            types
                .iter()
                .map(|t| {
                    s.neighbors(n, *t, Direction::Outgoing).len()
                        + s.neighbors(n, *t, Direction::Incoming).len()
                })
                .sum::<usize>()
        })
        .sum();
    assert_eq!(total, 2 * rels);
    for r in s.rels().step_by(997) {
        assert!(s
            .neighbors(r.src, r.rel_type, Direction::Outgoing)
            .iter()
            .any(|a| a.rel == r.id && a.node == r.dst));
        assert!(s
            .neighbors(r.dst, r.rel_type, Direction::Incoming)
            .iter()
            .any(|a| a.rel == r.id && a.node == r.src));
    }
}

#[test]
fn synthetic_graph_is_consistent() {
    let g = synth::ldbc_like(0.02);
    let (n, r) = (g.nodes.len(), g.rels.len());
    let s = Snapshot::from_records(
        g.catalog.clone(),
        1,
        g.next_node,
        g.next_rel,
        g.nodes.clone(),
        g.rels.clone(),
    )
    .unwrap();
    check(&s, &g, n, r);
}

#[test]
#[ignore = "measurement at full LDBC SF0.1 size; run in release with --ignored --nocapture"]
fn scale_report() {
    synth::trim();
    let before = synth::resident_bytes();
    let g = synth::ldbc_like(1.0);
    let (n, r) = (g.nodes.len(), g.rels.len());
    let (nodes, rels) = (g.nodes.clone(), g.rels.clone());
    let (t, cpu) = (Instant::now(), synth::cpu_time());
    let s =
        Snapshot::from_records(g.catalog.clone(), 1, g.next_node, g.next_rel, nodes, rels).unwrap();
    let (build, build_cpu) = (t.elapsed(), synth::cpu_time() - cpu);
    check(&s, &g, n, r);
    drop(g);
    synth::trim();
    let after = synth::resident_bytes();
    println!(
        "from_records: {n} nodes, {r} relationships in {build:?} wall, {build_cpu:?} CPU ({:.0} rels/s wall)",
        r as f64 / build.as_secs_f64()
    );
    println!(
        "heap bytes (snapshot accounting): {} = {:.1} bytes/relationship",
        s.heap_bytes(),
        s.heap_bytes() as f64 / r as f64
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "resident: {} MiB before, {} MiB after; {:.1} bytes/relationship (nodes and properties included)",
            b >> 20,
            a >> 20,
            a.saturating_sub(b) as f64 / r as f64
        );
    }

    // 200k created nodes in one change set, as `UNWIND range(1,200000) ... CREATE` makes.
    let mut catalog = s.catalog().clone();
    let label = catalog.intern_label("Imported");
    let key = catalog.intern_prop_key("n");
    let start = s.next_node_id().0;
    let cs = ChangeSet {
        catalog: Some(CatalogSnapshot(catalog)),
        changes: (0..200_000u64)
            .map(|i| Change::CreateNode {
                id: NodeId(start + i),
                labels: vec![label],
                props: vec![(key, Value::Int(i as i64))],
            })
            .collect(),
    };
    let (t, cpu) = (Instant::now(), synth::cpu_time());
    let s2 = s.apply(&cs).unwrap();
    let (e, e_cpu) = (t.elapsed(), synth::cpu_time() - cpu);
    println!(
        "apply 200k CreateNode: {e:?} wall, {e_cpu:?} CPU ({:.0} nodes/s wall)",
        200_000.0 / e.as_secs_f64()
    );
    assert_eq!(s2.label_count(label), 200_000);

    // One small write on the big graph.
    let small = ChangeSet {
        catalog: None,
        changes: vec![Change::SetNodeProp {
            id: NodeId(7),
            key,
            value: Value::Int(1),
        }],
    };
    let (t, cpu) = (Instant::now(), synth::cpu_time());
    for _ in 0..100 {
        std::hint::black_box(s2.apply(&small).unwrap());
    }
    println!(
        "apply one SetNodeProp: {:?} wall, {:?} CPU per change set",
        t.elapsed() / 100,
        (synth::cpu_time() - cpu) / 100
    );
}
