//! The shared key-value conformance suite, run against every backend.

use relgraph_graph::kv::{conformance, KvStore, MemoryKv, SledKv, WriteBatch};
use relgraph_graph::store::Durability;
use relgraph_graph::GraphError;

#[test]
fn memory_backend_conforms() {
    conformance::check_backend(&MemoryKv::new());
}

#[test]
fn sled_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let kv = SledKv::open(&dir.path().join("db"), true).unwrap();
    conformance::check_backend(&kv);
}

#[test]
fn sled_second_open_is_locked_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _first = SledKv::open(&path, true).unwrap();
    match SledKv::open(&path, true) {
        Err(GraphError::Locked { path: p }) => assert_eq!(p, path),
        other => panic!("expected Locked, got {other:?}"),
    }
}

#[test]
fn sled_refuses_foreign_directories_without_touching_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
    match SledKv::open(dir.path(), true) {
        Err(GraphError::NotADatabase { reason, .. }) => {
            assert!(reason.contains("notes.txt"), "{reason}")
        }
        other => panic!("expected NotADatabase, got {other:?}"),
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("notes.txt")],
        "nothing was created"
    );
    let file = dir.path().join("notes.txt");
    assert!(matches!(
        SledKv::open(&file, true),
        Err(GraphError::NotADatabase { .. })
    ));
}

#[test]
fn sled_without_create_refuses_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent");
    assert!(matches!(
        SledKv::open(&path, false),
        Err(GraphError::NotADatabase { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn sled_large_multi_tree_batch_is_applied_whole() {
    let dir = tempfile::tempdir().unwrap();
    let kv = SledKv::open(&dir.path().join("db"), true).unwrap();
    let mut b = WriteBatch::new();
    for i in 0u64..20_000 {
        b.put("a", i.to_be_bytes().to_vec(), vec![0; 16]);
        if i % 10 == 0 {
            b.put("b", i.to_be_bytes().to_vec(), vec![1; 200]);
        }
    }
    kv.commit(b, Durability::Durable).unwrap();
    assert_eq!(kv.scan_prefix("a", b"").unwrap().len(), 20_000);
    assert_eq!(kv.scan_prefix("b", b"").unwrap().len(), 2_000);
}
