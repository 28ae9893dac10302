//! Imports the LDBC SNB SF0.1 subset (../shared/data/ldbc-sf0.1 from the
//! repository root) with the flags from its README and checks that every
//! node and relationship is present, then reopens the database in a fresh
//! process. Skips, saying why, when the data is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use relgraph_graph::import::{import, read_records, IdType, ImportConfig, NodeInput, RelInput};
use relgraph_graph::store::OpenOptions;
use relgraph_graph::{Direction, Graph, Snapshot};

fn ldbc_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ldbc-sf0.1");
    if dir.join("Person.csv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: LDBC data not found at {}", dir.display());
        None
    }
}

/// `isLocatedIn` -> `IS_LOCATED_IN`, as the README's table names the types.
fn rel_type(verb: &str) -> String {
    let mut out = String::new();
    for c in verb.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

struct Expected {
    labels: BTreeMap<String, u64>,
    types: BTreeMap<String, u64>,
}

/// The README's flags, plus the expected counts from counting lines.
fn ldbc_config(dir: &Path) -> (ImportConfig, Expected) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read data dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let data_lines = |p: &Path| -> u64 {
        let text = std::fs::read(p).expect("read csv");
        text.iter().filter(|b| **b == b'\n').count() as u64 - 1
    };
    let mut config = ImportConfig {
        delimiter: b'|',
        id_type: IdType::Integer,
        ..ImportConfig::default()
    };
    let mut expected = Expected {
        labels: BTreeMap::new(),
        types: BTreeMap::new(),
    };
    for f in files {
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name")
            .to_string();
        let parts: Vec<&str> = stem.split('_').collect();
        match parts.as_slice() {
            [label] => {
                config.nodes.push(NodeInput {
                    labels: vec![label.to_string()],
                    files: vec![f.clone()],
                });
                *expected.labels.entry(label.to_string()).or_default() += data_lines(&f);
            }
            [_, verb, _] => {
                let t = rel_type(verb);
                config.relationships.push(RelInput {
                    rel_type: Some(t.clone()),
                    files: vec![f.clone()],
                });
                *expected.types.entry(t).or_default() += data_lines(&f);
            }
            _ => panic!("unexpected file name {stem}"),
        }
    }
    (config, expected)
}

fn check_snapshot(snap: &Snapshot, expected: &Expected) {
    let c = snap.catalog();
    for (label, n) in &expected.labels {
        let l = c.label_id(label).unwrap_or_else(|| panic!("label {label}"));
        assert_eq!(snap.label_count(l), *n, "nodes with label {label}");
    }
    for (t, n) in &expected.types {
        let id = c.rel_type_id(t).unwrap_or_else(|| panic!("type {t}"));
        assert_eq!(snap.rel_type_count(id), *n, "relationships of type {t}");
    }
    assert_eq!(snap.node_count(), expected.labels.values().sum::<u64>());
    assert_eq!(snap.rel_count(), expected.types.values().sum::<u64>());
    // Person 933 (Mahinda Perera) is located in Place 1353 and knows people.
    let person = c.label_id("Person").expect("Person");
    let id = c.prop_key_id("id").expect("id");
    let first = c.prop_key_id("firstName").expect("firstName");
    let p = snap
        .nodes_with_label(person)
        .find(|n| snap.node_property(*n, id).as_deref() == Some(&relgraph_graph::Value::Int(933)))
        .expect("Person 933");
    assert_eq!(
        snap.node_property(p, first).as_deref(),
        Some(&relgraph_graph::Value::from("Mahinda"))
    );
    let located = c.rel_type_id("IS_LOCATED_IN").expect("IS_LOCATED_IN");
    let places = snap.neighbors(p, located, Direction::Outgoing);
    assert_eq!(places.len(), 1);
    assert_eq!(
        snap.node_property(places[0].node, id).as_deref(),
        Some(&relgraph_graph::Value::Int(1353))
    );
    let knows = c.rel_type_id("KNOWS").expect("KNOWS");
    assert!(!snap.neighbors(p, knows, Direction::Outgoing).is_empty());
}

#[test]
fn ldbc_records_are_complete() {
    let Some(dir) = ldbc_dir() else { return };
    let (config, expected) = ldbc_config(&dir);
    let r = read_records(&config, None).expect("LDBC reads");
    assert_eq!(r.summary.labels, expected.labels);
    assert_eq!(r.summary.rel_types, expected.types);
    assert_eq!(r.summary.skipped_relationships + r.summary.skipped_nodes, 0);
    assert_eq!(r.nodes.len() as u64, expected.labels.values().sum::<u64>());
    assert_eq!(r.rels.len() as u64, expected.types.values().sum::<u64>());
    // Person and Organisation ids overlap; the spaces keep them apart.
    let id = r.catalog.prop_key_id("id").expect("id");
    let zeros = r
        .nodes
        .iter()
        .filter(|n| {
            n.props
                .iter()
                .any(|(k, v)| *k == id && *v == relgraph_graph::Value::Int(0))
        })
        .count();
    assert!(
        zeros >= 3,
        "id 0 exists in several spaces, found {zeros} nodes"
    );
}

const REOPEN_ENV: &str = "RELGRAPH_IMPORT_LDBC_REOPEN";

#[test]
fn ldbc_imports_and_reopens() {
    let Some(dir) = ldbc_dir() else { return };
    let (config, expected) = ldbc_config(&dir);
    if let Ok(path) = std::env::var(REOPEN_ENV) {
        let graph = Graph::open(Path::new(&path)).expect("LDBC database reopens");
        check_snapshot(&graph.snapshot(), &expected);
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let target = tmp.path().join("ldbc.db");
    let (graph, summary) =
        import(&target, &config, &OpenOptions::default(), None).expect("LDBC imports");
    assert_eq!(summary.labels, expected.labels);
    assert_eq!(summary.rel_types, expected.types);
    check_snapshot(&graph.snapshot(), &expected);
    drop(graph);
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "ldbc_imports_and_reopens", "--nocapture"])
        .env(REOPEN_ENV, &target)
        .status()
        .expect("spawn child");
    assert!(
        status.success(),
        "reopening the LDBC database in a child process failed"
    );
}
