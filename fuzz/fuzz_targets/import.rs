//! Fuzz the CSV importer: any bytes, as a node file and a relationship file,
//! import into a new database or fail with a typed error; they never panic,
//! hang or buffer without bound. A database the import reports as made
//! opens again with the counts the import reported.
//!
//! Input layout: the node file's bytes, a 0 byte, the relationship file's
//! bytes (no 0 byte: no relationship file). The first byte also picks the
//! id type and whether bad relationships and duplicate nodes are skipped.

#![no_main]

use libfuzzer_sys::fuzz_target;
use relgraph_graph::import::{import, IdType, ImportConfig, NodeInput, RelInput};
use relgraph_graph::store::{Durability, Graph, OpenOptions};

fuzz_target!(|data: &[u8]| {
    let flags = data.first().copied().unwrap_or(0);
    let (nodes, rels) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let node_file = dir.path().join("nodes.csv");
    std::fs::write(&node_file, nodes).expect("write nodes");
    let mut config = ImportConfig {
        nodes: vec![NodeInput::parse(&format!("Person={}", node_file.display())).expect("spec")],
        id_type: if flags & 1 == 0 {
            IdType::String
        } else {
            IdType::Integer
        },
        skip_bad_relationships: flags & 2 != 0,
        skip_duplicate_nodes: flags & 4 != 0,
        // Small, so that the fuzzer reaches the field-size guard.
        max_field_size: 4096,
        ..ImportConfig::default()
    };
    if let Some(rels) = rels {
        let rel_file = dir.path().join("rels.csv");
        std::fs::write(&rel_file, rels).expect("write relationships");
        config.relationships =
            vec![RelInput::parse(&format!("KNOWS={}", rel_file.display())).expect("spec")];
    }
    let db = dir.path().join("db");
    let options = OpenOptions {
        durability: Durability::Relaxed,
        ..OpenOptions::default()
    };
    let Ok((graph, summary)) = import(&db, &config, &options, None) else {
        return;
    };
    let snap = graph.snapshot();
    assert_eq!(snap.node_count(), summary.nodes);
    assert_eq!(snap.rel_count(), summary.relationships);
    drop(snap);
    drop(graph);
    let again = Graph::open_with(&db, &options).expect("an imported database opens");
    assert_eq!(again.snapshot().node_count(), summary.nodes);
    assert_eq!(again.snapshot().rel_count(), summary.relationships);
});
