//! The Graph handle over the store of record: commits, reopen (base image
//! + log replay), checkpoints, version checks, corruption, bulk creation.
//!
//! Reopening uses a second `Graph` over the same key-value handle, so a
//! sled directory is never closed and reopened inside this process.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::kv::{KvStore, MemoryKv, SledKv, WriteBatch};
use relgraph_graph::store::format::{self, u64_key, LOG, META};
use relgraph_graph::store::{
    ChangeBuilder, CheckpointPolicy, Durability, OpenOptions, SEGMENTS_TREE,
};
use relgraph_graph::{Direction, Graph, GraphError, NodeId, RelTypeId, Snapshot, Value};

/// A backend for each kind, with the temporary directory kept alive.
fn backends() -> Vec<(Arc<dyn KvStore>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sled = SledKv::open(&dir.path().join("db"), true).unwrap();
    vec![
        (Arc::new(MemoryKv::new()), None),
        (Arc::new(sled), Some(dir)),
    ]
}

fn open(kv: &Arc<dyn KvStore>) -> Graph {
    Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap()
}

/// Opens the graph with no checkpoint at close, so that what it commits
/// stays in the log.
fn open_keeping_the_log(kv: &Arc<dyn KvStore>) -> Graph {
    let g = open(kv);
    g.set_checkpoint_policy(CheckpointPolicy {
        checkpoint_at_close: false,
        ..Default::default()
    })
    .unwrap();
    g
}

type NamedProps = Vec<(String, Value)>;

/// Everything observable about a snapshot, by names, for equality checks.
#[derive(Debug, PartialEq)]
struct Dump {
    next_node: u64,
    next_rel: u64,
    /// Labels and properties by node id.
    nodes: BTreeMap<u64, (Vec<String>, NamedProps)>,
    /// Type, start, end and properties by relationship id.
    rels: BTreeMap<u64, (String, u64, u64, NamedProps)>,
}

fn dump(s: &Snapshot) -> Dump {
    let c = s.catalog();
    let props = |p: Vec<(relgraph_graph::PropKeyId, Value)>| -> NamedProps {
        p.into_iter()
            .map(|(k, v)| (c.prop_key_name(k).unwrap().to_string(), v))
            .collect()
    };
    let nodes = s
        .nodes()
        .map(|n| {
            let mut labels: Vec<String> = s
                .node_labels(n)
                .iter()
                .map(|l| c.label_name(*l).unwrap().to_string())
                .collect();
            labels.sort();
            (n.0, (labels, props(s.node_properties(n))))
        })
        .collect();
    let rels = s
        .rels()
        .map(|r| {
            let t = c.rel_type_name(r.rel_type).unwrap().to_string();
            (r.id.0, (t, r.src.0, r.dst.0, props(s.rel_properties(r.id))))
        })
        .collect();
    Dump {
        next_node: s.next_node_id().0,
        next_rel: s.next_rel_id().0,
        nodes,
        rels,
    }
}

/// Writes a small social graph in several transactions.
fn populate(g: &Graph) {
    let mut tx = g.begin_write().unwrap();
    let ada = tx
        .create_node(
            &["Person"],
            vec![("name", Value::from("Ada")), ("age", Value::Int(36))],
        )
        .unwrap();
    let bob = tx
        .create_node(&["Person", "Customer"], vec![("name", Value::from("Bob"))])
        .unwrap();
    let acme = tx
        .create_node(&["Company"], vec![("name", Value::from("Acme"))])
        .unwrap();
    tx.create_rel(ada, "KNOWS", bob, vec![("since", Value::Int(2019))])
        .unwrap();
    tx.create_rel(bob, "WORKS_AT", acme, vec![]).unwrap();
    tx.commit().unwrap();

    let mut tx = g.begin_write().unwrap();
    tx.set_node_property(bob, "score", Value::Float(0.75))
        .unwrap();
    tx.add_label(ada, "Customer").unwrap();
    let r = tx.create_rel(ada, "WORKS_AT", acme, vec![]).unwrap();
    tx.set_rel_property(r, "role", Value::from("CTO")).unwrap();
    tx.commit().unwrap();

    // Rolled back: must leave no trace.
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&["Ghost"], vec![]).unwrap();
    tx.detach_delete_node(acme).unwrap();
    drop(tx);

    let mut tx = g.begin_write().unwrap();
    let tmp = tx
        .create_node(&["Temp"], vec![("list", Value::from(vec![1i64, 2, 3]))])
        .unwrap();
    tx.create_rel(tmp, "LOOP", tmp, vec![]).unwrap();
    tx.commit().unwrap();
    let mut tx = g.begin_write().unwrap();
    tx.detach_delete_node(tmp).unwrap();
    tx.remove_label(bob, "Customer").unwrap();
    tx.commit().unwrap();
}

#[test]
fn commits_survive_reopen_on_every_backend() {
    for (kv, _dir) in backends() {
        let before = {
            let g = open_keeping_the_log(&kv);
            populate(&g);
            let s = g.snapshot();
            assert_eq!(s.node_count(), 3, "{}", kv.backend_name());
            assert_eq!(s.rel_count(), 3);
            assert!(
                s.catalog().label_id("Ghost").is_none(),
                "rolled back names are not interned"
            );
            assert_eq!(g.store_stats().unwrap().log_records, 4);
            dump(&s)
        };
        // Reopen replays the four log records over the empty base image.
        let g = open(&kv);
        assert_eq!(dump(&g.snapshot()), before, "{}", kv.backend_name());
        assert_eq!(g.store_stats().unwrap().log_records, 4);
        g.checkpoint().unwrap();
        let stats = g.store_stats().unwrap();
        assert_eq!((stats.log_records, stats.checkpoints), (0, 1));
        assert!(
            kv.scan_prefix(LOG, b"").unwrap().is_empty(),
            "checkpoint deletes folded records"
        );
        drop(g);
        // Reopen reads the base image only.
        let g = open(&kv);
        assert_eq!(dump(&g.snapshot()), before);
        assert_eq!(
            g.store_stats().unwrap().base_version,
            g.snapshot().version()
        );
    }
}

#[test]
fn versions_advance_per_applied_change_set() {
    let g = Graph::in_memory();
    let v0 = g.snapshot().version();
    let tx = g.begin_write().unwrap();
    assert_eq!(
        tx.commit().unwrap(),
        v0,
        "an empty transaction writes nothing"
    );
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&[], vec![]).unwrap();
    tx.create_node(&[], vec![]).unwrap();
    assert_eq!(tx.commit().unwrap(), v0 + 2);
    assert_eq!(g.snapshot().version(), v0 + 2);
    assert_eq!(
        g.store_stats().unwrap().log_records,
        1,
        "one record per transaction"
    );
}

/// Bytes per segment id in the key-value store's `segments` tree.
fn segment_sizes(kv: &Arc<dyn KvStore>) -> BTreeMap<u64, usize> {
    let mut out = BTreeMap::new();
    for (k, v) in kv.scan_prefix(SEGMENTS_TREE, b"").unwrap() {
        let id = format::key_u64(&k[..8]).unwrap();
        *out.entry(id).or_default() += v.len();
    }
    out
}

#[test]
fn checkpoints_follow_the_policy_and_write_only_changed_chunks() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let g = open(&kv);
    g.set_checkpoint_policy(CheckpointPolicy {
        max_log_records: 3,
        background: false,
        ..Default::default()
    })
    .unwrap();
    // 9,000 nodes span three node chunks of 4,096.
    let mut tx = g.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    let ids: Vec<NodeId> = (0..9000)
        .map(|i| b.create_node(&["N"], vec![("i", Value::Int(i))]))
        .collect();
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    for i in 0..5 {
        let mut tx = g.begin_write().unwrap();
        tx.create_rel(ids[i], "NEXT", ids[i + 1], vec![]).unwrap();
        tx.commit().unwrap();
    }
    let stats = g.store_stats().unwrap();
    assert_eq!(stats.checkpoints, 2, "{stats:?}");
    assert_eq!(stats.log_records, 0);
    assert_eq!(
        stats.segments, 2,
        "the first segment holds all, the second chunk 0 only"
    );
    let sizes = segment_sizes(&kv);
    assert_eq!(sizes.len(), 2);
    let (first, second) = (sizes[&0], sizes[&1]);
    assert!(second * 2 < first, "{sizes:?}");

    // Deleting every node of the last chunk writes that chunk alone.
    let mut tx = g.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    for id in &ids[8192..] {
        b.delete_node(*id);
    }
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    assert_eq!(g.store_stats().unwrap().dirty_node_blocks, 1);
    g.checkpoint().unwrap();
    let sizes = segment_sizes(&kv);
    assert_eq!(sizes.len(), 3, "{sizes:?}");
    assert!(sizes[&2] * 4 < sizes[&0], "{sizes:?}");
    let before = dump(&g.snapshot());
    drop(g);
    let g = open(&kv);
    assert_eq!(dump(&g.snapshot()), before);
    assert_eq!(
        g.snapshot().next_node_id(),
        NodeId(9000),
        "ids are never reused"
    );
    let next = g.snapshot().catalog().rel_type_id("NEXT").unwrap();
    assert_eq!(
        g.snapshot()
            .neighbors(ids[1], next, Direction::Incoming)
            .len(),
        1
    );
}

#[test]
fn superseded_chunks_do_not_pile_up() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let g = open(&kv);
    let mut tx = g.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    let ids: Vec<NodeId> = (0..20_000)
        .map(|i| b.create_node(&["N"], vec![("i", Value::Int(i))]))
        .collect();
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let full: usize = segment_sizes(&kv).values().sum();
    for round in 0..20 {
        let mut tx = g.begin_write().unwrap();
        let id = ids[(round as usize * 4096) % ids.len()];
        tx.set_node_property(id, "i", Value::Int(-round)).unwrap();
        tx.commit().unwrap();
        g.checkpoint().unwrap();
        // Superseded chunks never pile up: at most about twice the image.
        let stored: usize = segment_sizes(&kv).values().sum();
        assert!(
            stored <= 2 * full + 4096,
            "round {round}: {stored} bytes vs {full}"
        );
    }
    let before = dump(&g.snapshot());
    drop(g);
    assert_eq!(dump(&open(&kv).snapshot()), before);
}

#[test]
fn clean_close_checkpoints_when_cheap() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    {
        let g = open(&kv);
        let mut tx = g.begin_write().unwrap();
        tx.create_node(&["A"], vec![]).unwrap();
        tx.commit().unwrap();
        assert_eq!(g.store_stats().unwrap().log_records, 1);
    }
    assert!(kv.scan_prefix(LOG, b"").unwrap().is_empty());
    let g = open(&kv);
    assert_eq!(g.snapshot().node_count(), 1);
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&["B"], vec![]).unwrap();
    tx.commit().unwrap();
    g.close().unwrap();
    assert!(
        kv.scan_prefix(LOG, b"").unwrap().is_empty(),
        "close() checkpoints and reports errors"
    );
}

fn meta_batch(key: &[u8], value: Vec<u8>) -> WriteBatch {
    let mut b = WriteBatch::new();
    b.put(META, key.to_vec(), value);
    b
}

#[test]
fn foreign_stores_and_other_versions_are_typed_errors() {
    // A key-value store with someone else's trees.
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    kv.commit(meta_batch(b"x", vec![1]), Durability::Durable)
        .unwrap();
    let mut b = WriteBatch::new();
    b.put("users", b"1".to_vec(), b"alice".to_vec());
    kv.commit(b, Durability::Durable).unwrap();
    assert!(matches!(
        Graph::open_backend(kv.clone(), &OpenOptions::default()),
        Err(GraphError::NotADatabase { .. })
    ));
    // Wrong magic.
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    kv.commit(
        meta_batch(format::KEY_MAGIC, b"something else".to_vec()),
        Durability::Durable,
    )
    .unwrap();
    assert!(matches!(
        Graph::open_backend(kv.clone(), &OpenOptions::default()),
        Err(GraphError::NotADatabase { .. })
    ));
    // Another format version.
    for (kv, _dir) in backends() {
        drop(open(&kv));
        kv.commit(
            meta_batch(format::KEY_FORMAT_VERSION, 99u32.to_be_bytes().to_vec()),
            Durability::Durable,
        )
        .unwrap();
        match Graph::open_backend(kv.clone(), &OpenOptions::default()) {
            Err(GraphError::FormatVersion {
                found: 99,
                expected,
            }) => assert_eq!(expected, format::FORMAT_VERSION),
            Err(e) => panic!("expected FormatVersion, got {e}"),
            Ok(_) => panic!("expected FormatVersion, got a graph"),
        }
    }
    // An empty store is not created when creation is off.
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let no_create = OpenOptions {
        create: false,
        ..OpenOptions::default()
    };
    assert!(matches!(
        Graph::open_backend(kv, &no_create),
        Err(GraphError::NotADatabase { .. })
    ));
}

#[test]
fn foreign_directories_are_not_databases() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.csv"), b"a,b\n").unwrap();
    match Graph::open(dir.path()) {
        Err(GraphError::NotADatabase { path, .. }) => assert_eq!(path, dir.path()),
        Err(e) => panic!("expected NotADatabase, got {e}"),
        Ok(_) => panic!("expected NotADatabase, got a graph"),
    }
    // A sled database that is not ours.
    let path = dir.path().join("other-sled");
    {
        let kv = SledKv::open(&path, true).unwrap();
        let mut b = WriteBatch::new();
        b.put("accounts", b"1".to_vec(), b"x".to_vec());
        kv.commit(b, Durability::Durable).unwrap();
        assert!(matches!(
            Graph::open_backend(Arc::new(kv), &OpenOptions::default()),
            Err(GraphError::NotADatabase { .. })
        ));
    }
}

#[test]
fn second_open_in_one_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let g = Graph::open(&path).unwrap();
    match Graph::open(&path) {
        Err(GraphError::Locked { path: p }) => assert_eq!(p, path),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("expected Locked, got a second handle"),
    }
    drop(g);
}

/// Replaces the value of `key` in `tree` with `f(value)`.
/// Opens the database at `path`, waiting while a just-dropped handle's
/// lock is still held.
fn open_when_unlocked(path: &std::path::Path) -> Graph {
    loop {
        match Graph::open(path) {
            Ok(g) => break g,
            Err(GraphError::Locked { .. }) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn tamper(kv: &Arc<dyn KvStore>, tree: &str, key: &[u8], f: impl Fn(&mut Vec<u8>)) {
    let mut v = kv.get(tree, key).unwrap().expect("value to tamper with");
    f(&mut v);
    let mut b = WriteBatch::new();
    b.put(tree, key.to_vec(), v);
    kv.commit(b, Durability::Durable).unwrap();
}

fn expect_damaged_segment(kv: &Arc<dyn KvStore>) {
    match Graph::open_backend(kv.clone(), &OpenOptions::default()) {
        Err(GraphError::CorruptSegment { file, .. }) => assert!(file.contains("seg-"), "{file}"),
        Err(e) => panic!("expected CorruptSegment, got {e}"),
        Ok(_) => panic!("expected CorruptSegment, got a graph"),
    }
}

fn expect_corrupt(kv: &Arc<dyn KvStore>, tree: &str) {
    match Graph::open_backend(kv.clone(), &OpenOptions::default()) {
        Err(GraphError::Corrupt { tree: t, .. }) => assert_eq!(t, tree),
        Err(e) => panic!("expected Corrupt in {tree}, got {e}"),
        Ok(_) => panic!("expected Corrupt in {tree}, got a graph"),
    }
}

#[test]
fn corrupt_records_are_typed_errors_not_panics() {
    for (kv, _dir) in backends() {
        {
            let g = open_keeping_the_log(&kv);
            populate(&g);
            g.checkpoint().unwrap();
            let mut tx = g.begin_write().unwrap();
            tx.create_node(&["Late"], vec![]).unwrap();
            tx.commit().unwrap();
        }
        let log_key = kv.scan_prefix(LOG, b"").unwrap()[0].0.clone();
        let original_log = kv.get(LOG, &log_key).unwrap().unwrap();
        let restore = |tree: &str, key: &[u8], v: &[u8]| {
            let mut b = WriteBatch::new();
            b.put(tree, key.to_vec(), v.to_vec());
            kv.commit(b, Durability::Durable).unwrap();
        };
        let (piece, original_piece) = kv.scan_prefix(SEGMENTS_TREE, b"").unwrap()[0].clone();
        // A flipped bit in the segment's footer or trailer: refused at open.
        for back in [3, 40] {
            tamper(&kv, SEGMENTS_TREE, &piece, |v| {
                let at = v.len() - back;
                v[at] ^= 0x10;
            });
            expect_damaged_segment(&kv);
            restore(SEGMENTS_TREE, &piece, &original_piece);
        }
        // A truncated segment.
        tamper(&kv, SEGMENTS_TREE, &piece, |v| v.truncate(v.len() - 1));
        expect_damaged_segment(&kv);
        // A missing one.
        let mut b = WriteBatch::new();
        b.delete(SEGMENTS_TREE, piece.clone());
        kv.commit(b, Durability::Durable).unwrap();
        expect_damaged_segment(&kv);
        restore(SEGMENTS_TREE, &piece, &original_piece);
        // A flipped bit in the data (the first array: chunk 0's liveness):
        // opening reads no data, but replaying the log record reads that
        // array, whose own checksum names it.
        tamper(&kv, SEGMENTS_TREE, &piece, |v| v[0] ^= 0x01);
        let open_quiet = || open_keeping_the_log(&kv);
        let err = Graph::open_backend(kv.clone(), &OpenOptions::default())
            .expect_err("the replay reads the damaged array")
            .to_string();
        assert!(
            err.contains("seg-00000000.rgs")
                && err.contains("node chunk 0 (ids 0..=4095): liveness bitmap: checksum"),
            "{err}"
        );
        restore(SEGMENTS_TREE, &piece, &original_piece);
        assert!(open_quiet().verify_segments().unwrap()[0].damage.is_none());
        // A damaged log record.
        tamper(&kv, LOG, &log_key, |v| v[0] = 77);
        expect_corrupt(&kv, LOG);
        restore(LOG, &log_key, &original_log);
        // A log record whose version does not follow the base.
        let mut b = WriteBatch::new();
        b.delete(LOG, log_key.clone());
        b.put(LOG, u64_key(1000), original_log.clone());
        kv.commit(b, Durability::Durable).unwrap();
        expect_corrupt(&kv, LOG);
        let mut b = WriteBatch::new();
        b.delete(LOG, u64_key(1000));
        b.put(LOG, log_key.clone(), original_log.clone());
        kv.commit(b, Durability::Durable).unwrap();
        // A damaged catalog.
        tamper(&kv, META, format::KEY_CATALOG, |v| v.truncate(v.len() - 1));
        expect_corrupt(&kv, META);
    }
}

#[test]
fn create_bulk_publishes_a_whole_database() {
    let source = Graph::in_memory();
    populate(&source);
    let snap = source.snapshot();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("imported");
    // A staging directory left by a process that no longer exists.
    let stale = dir.path().join(".imported.importing-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("db"), b"half").unwrap();

    let g = Graph::create_bulk(&target, &snap, &OpenOptions::default()).unwrap();
    assert!(!stale.exists(), "stale staging directory removed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, vec!["imported".to_string()]);
    assert_eq!(dump(&g.snapshot()), dump(&snap));
    assert_eq!(g.snapshot().version(), snap.version());
    // The new database takes writes; its base image is what was written.
    let mut tx = g.begin_write().unwrap();
    let n = tx.create_node(&["New"], vec![]).unwrap();
    tx.create_rel(n, "KNOWS", NodeId(0), vec![]).unwrap();
    tx.commit().unwrap();
    assert_eq!(g.snapshot().node_count(), snap.node_count() + 1);
    assert!(matches!(
        Graph::open(&target),
        Err(GraphError::Locked { .. })
    ));

    // A non-empty target is refused and left alone.
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), b"x").unwrap();
    assert!(matches!(
        Graph::create_bulk(&busy, &snap, &OpenOptions::default()),
        Err(GraphError::Invalid(_))
    ));
    assert!(busy.join("keep.txt").exists());
    // An empty directory is a fine target.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let g2 = Graph::create_bulk(&empty, &Snapshot::empty(), &OpenOptions::default()).unwrap();
    assert_eq!(g2.snapshot().node_count(), 0);
}

#[test]
fn bulk_image_reopens_from_its_segment() {
    // Build a graph larger than one chunk of each kind, write it as a bulk
    // image, and open it again from its segment file.
    let source = Graph::in_memory();
    let mut tx = source.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    let mut prev = b.create_node(&["P"], vec![("i", Value::Int(0))]);
    for i in 1..5000i64 {
        let n = b.create_node(&["P"], vec![("i", Value::Int(i))]);
        b.create_rel(prev, "NEXT", n, vec![("w", Value::Int(i))]);
        prev = n;
    }
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("big");
    drop(Graph::create_bulk(&target, &source.snapshot(), &OpenOptions::default()).unwrap());
    let files: Vec<_> = std::fs::read_dir(target.join("segments"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec!["seg-00000000.rgs".to_string()]);
    // A file the manifest does not name (an interrupted checkpoint's) is
    // removed at open.
    std::fs::write(target.join("segments").join("seg-00000009.rgs"), b"half").unwrap();
    let g = open_when_unlocked(&target);
    assert!(!target.join("segments").join("seg-00000009.rgs").exists());
    assert!(g
        .verify_segments()
        .unwrap()
        .iter()
        .all(|c| c.damage.is_none()));
    assert_eq!(dump(&g.snapshot()), dump(&source.snapshot()));
    let next = g.snapshot().catalog().rel_type_id("NEXT").unwrap();
    assert_eq!(next, RelTypeId(0));
    assert_eq!(
        g.snapshot()
            .neighbors(NodeId(4999), next, Direction::Incoming)[0]
            .node,
        NodeId(4998)
    );
}

#[test]
fn handles_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Graph>();
    send::<relgraph_graph::store::WriteTxn>();
    send_sync::<Snapshot>();
}

#[test]
fn write_api_reports_missing_entities() {
    let g = Graph::in_memory();
    let mut tx = g.begin_write().unwrap();
    let ghost = NodeId(99);
    assert!(matches!(
        tx.set_node_property(ghost, "x", Value::Int(1)),
        Err(GraphError::NodeNotFound(_))
    ));
    assert!(matches!(
        tx.remove_node_property(ghost, "never"),
        Err(GraphError::NodeNotFound(_))
    ));
    assert!(matches!(
        tx.remove_label(ghost, "Never"),
        Err(GraphError::NodeNotFound(_))
    ));
    assert!(tx.create_rel(ghost, "R", ghost, vec![]).is_err());
    assert!(matches!(
        tx.set_rel_property(relgraph_graph::RelId(5), "w", Value::Null),
        Err(GraphError::RelNotFound(_))
    ));
    assert!(
        tx.change_sets().is_empty(),
        "failed calls leave nothing behind"
    );
    let n = tx
        .create_node(
            &["A", "A"],
            vec![
                ("k", Value::Int(1)),
                ("k", Value::Int(2)),
                ("z", Value::Null),
            ],
        )
        .unwrap();
    let s = tx.snapshot();
    assert_eq!(s.node_labels(n).len(), 1, "duplicate labels collapse");
    let k = s.catalog().prop_key_id("k").unwrap();
    assert_eq!(
        s.node_properties(n),
        vec![(k, Value::Int(2))],
        "last value wins, nulls dropped"
    );
    assert_eq!(tx.commit().unwrap(), 1);
}

#[test]
fn a_format_1_database_is_upgraded_at_open() {
    // Format 1 kept record blocks in sled: write one by hand, with a log
    // record after the base, as the format-1 document describes.
    use relgraph_graph::record::{NodeRecord, RelRecord};
    use relgraph_graph::{Catalog, Change, ChangeSet, RelId};
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let mut catalog = Catalog::default();
    let person = catalog.intern_label("Person");
    let knows = catalog.intern_rel_type("KNOWS");
    let name = catalog.intern_prop_key("name");
    let nodes: Vec<NodeRecord> = (0..3)
        .map(|i| NodeRecord {
            id: NodeId(i),
            labels: vec![person],
            props: vec![(name, Value::from(format!("p{i}")))],
        })
        .collect();
    let rels = vec![RelRecord {
        id: RelId(0),
        rel_type: knows,
        src: NodeId(0),
        dst: NodeId(2),
        props: vec![],
    }];
    #[derive(serde::Serialize)]
    struct BaseHeader(u64, u64, u64, u64, u64);
    let mut b = WriteBatch::new();
    b.put(META, format::KEY_MAGIC.to_vec(), format::MAGIC.to_vec());
    b.put(
        META,
        format::KEY_FORMAT_VERSION.to_vec(),
        1u32.to_be_bytes().to_vec(),
    );
    b.put(
        META,
        format::KEY_CATALOG.to_vec(),
        format::encode_framed(&relgraph_graph::catalog::CatalogV2::from(&catalog)).unwrap(),
    );
    b.put(
        META,
        format::KEY_BASE.to_vec(),
        format::encode_framed(&BaseHeader(5, 3, 1, 1024, 4096)).unwrap(),
    );
    b.put(
        format::NODES,
        u64_key(0),
        format::encode_framed(&nodes).unwrap(),
    );
    b.put(
        format::RELS,
        u64_key(0),
        format::encode_framed(&rels).unwrap(),
    );
    let record = format::LogRecord {
        first_version: 6,
        change_sets: vec![ChangeSet {
            catalog: None,
            changes: vec![Change::CreateNode {
                id: NodeId(3),
                labels: vec![person],
                props: vec![],
            }],
        }],
    };
    b.put(LOG, u64_key(6), format::encode_framed(&record).unwrap());
    kv.commit(b, Durability::Durable).unwrap();

    let g = open(&kv);
    let s = g.snapshot();
    assert_eq!((s.version(), s.node_count(), s.rel_count()), (6, 4, 1));
    assert_eq!(
        s.node_property(NodeId(1), name).as_deref(),
        Some(&Value::from("p1"))
    );
    assert_eq!(
        s.neighbors(NodeId(2), knows, Direction::Incoming)[0].node,
        NodeId(0)
    );
    assert_eq!(
        kv.get(META, format::KEY_FORMAT_VERSION).unwrap().unwrap(),
        format::FORMAT_VERSION.to_be_bytes()
    );
    assert!(kv.scan_prefix(format::NODES, b"").unwrap().is_empty());
    assert!(kv.get(META, format::KEY_BASE).unwrap().is_none());
    let before = dump(&s);
    drop(g);
    assert_eq!(
        dump(&open(&kv).snapshot()),
        before,
        "reopens in the current format"
    );
}

#[test]
fn background_checkpoints_fold_the_log_while_commits_go_on() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let g = open(&kv);
    g.set_checkpoint_policy(CheckpointPolicy {
        max_log_records: 5,
        ..Default::default()
    })
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..200 {
        let mut tx = g.begin_write().unwrap();
        ids.push(tx.create_node(&["N"], vec![("i", Value::Int(i))]).unwrap());
        tx.commit().unwrap();
    }
    // The thread catches up: wait (bounded) until the log is short again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while g.store_stats().unwrap().log_records >= 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "no background checkpoint"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let stats = g.store_stats().unwrap();
    assert!(stats.checkpoints >= 1, "{stats:?}");
    // After a checkpoint the published snapshot reads the chunk in place.
    g.checkpoint().unwrap();
    // (a few bytes of directory per label bitmap remain on the heap)
    let heap = g.snapshot().heap_bytes();
    assert!(
        heap < 100,
        "chunks are read from the segment, {heap} heap bytes"
    );
    let before = dump(&g.snapshot());
    assert_eq!(g.snapshot().node_count(), 200);
    drop(g);
    assert_eq!(dump(&open(&kv).snapshot()), before);
}

#[test]
fn a_lost_newest_log_record_is_detected_at_open() {
    for (kv, _dir) in backends() {
        {
            let g = open_keeping_the_log(&kv);
            for _ in 0..3 {
                let mut tx = g.begin_write().unwrap();
                tx.create_node(&["N"], vec![]).unwrap();
                tx.commit().unwrap();
            }
        }
        let log = kv.scan_prefix(LOG, b"").unwrap();
        assert_eq!(log.len(), 3);
        // An acknowledged commit vanishes (a deleted last record).
        let mut b = WriteBatch::new();
        b.delete(LOG, log[2].0.clone());
        kv.commit(b, Durability::Durable).unwrap();
        match Graph::open_backend(kv.clone(), &OpenOptions::default()) {
            Err(GraphError::Corrupt { tree, reason, .. }) => {
                assert_eq!(tree, LOG);
                assert!(reason.contains("log records are missing"), "{reason}");
            }
            Err(e) => panic!("expected Corrupt, got {e}"),
            Ok(g) => panic!("opened with {} nodes", g.snapshot().node_count()),
        }
    }
}

#[test]
fn planner_statistics_are_stored_with_the_base_image() {
    use relgraph_graph::store::format::{decode_framed, encode_framed, StoredStats, KEY_STATS};
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let g = open(&kv);
    populate(&g);
    assert!(
        kv.get(META, KEY_STATS).unwrap().is_none(),
        "no base image yet"
    );
    g.checkpoint().unwrap();
    let version = g.snapshot().version();
    let read = || -> StoredStats {
        decode_framed(META, KEY_STATS, &kv.get(META, KEY_STATS).unwrap().unwrap()).unwrap()
    };
    let stored = read();
    assert_eq!(stored.version, version);
    assert_eq!(stored.stats.node_count, g.snapshot().node_count());
    let person = g.snapshot().catalog().label_id("Person").unwrap();
    assert_eq!(stored.stats.label(Some(person)).unwrap().count, 2);
    drop(g);

    // Installed at open, not recomputed: a changed count shows.
    let write = |s: &StoredStats| {
        let mut b = WriteBatch::new();
        b.put(META, KEY_STATS.to_vec(), encode_framed(s).unwrap());
        kv.commit(b, Durability::Durable).unwrap();
    };
    let mut marked = stored.clone();
    marked.stats.nodes[0].sampled = 4242;
    write(&marked);
    let g = open(&kv);
    let known = g.snapshot().stats_if_known().expect("installed at open");
    assert_eq!(known.nodes[0].sampled, 4242);
    drop(g);

    // Statistics sampled by another revision are not used.
    marked.revision += 1;
    write(&marked);
    let g = open(&kv);
    assert!(g.snapshot().stats_if_known().is_none());
    drop(g);
    marked.revision -= 1;

    // Statistics of another base version are not used.
    marked.version += 1;
    write(&marked);
    let g = open(&kv);
    assert!(g.snapshot().stats_if_known().is_none());
    assert_ne!(g.snapshot().stats().nodes[0].sampled, 4242);

    // A later checkpoint replaces them.
    let mut tx = g.begin_write().unwrap();
    for i in 0..40 {
        tx.create_node(&["Person"], vec![("i", Value::Int(i))])
            .unwrap();
    }
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let again = read();
    assert_eq!(again.version, g.snapshot().version());
    assert_eq!(again.stats.label(Some(person)).unwrap().count, 42);
    drop(g);

    // Damaged statistics are reported like any damaged record.
    tamper(&kv, META, KEY_STATS, |v| v.truncate(v.len() - 1));
    expect_corrupt(&kv, META);
}

#[test]
fn a_bulk_image_opens_with_its_statistics() {
    let source = Graph::in_memory();
    populate(&source);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bulk");
    let created = Graph::create_bulk(&target, &source.snapshot(), &OpenOptions::default()).unwrap();
    assert!(created.snapshot().stats_if_known().is_some());
    drop(created);
    let g = open_when_unlocked(&target);
    let known = g.snapshot().stats_if_known().expect("stored at creation");
    assert_eq!(known.node_count, source.snapshot().node_count());
}

/// A format-2 database (the catalog without policies, in `meta` and in the
/// log records that carry one) opens as the current format (via 3) with the same graph, and
/// its catalog can then hold policies.
#[test]
fn a_format_2_database_is_upgraded_to_the_current_format() {
    use relgraph_graph::catalog::CatalogV2;
    use relgraph_graph::store::format::{ChangeSetV2, LogRecord, LogRecordV2};
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let before = {
        let g = open_keeping_the_log(&kv);
        populate(&g);
        dump(&g.snapshot())
    };
    // Rewrite what this build wrote in the older layout.
    let mut b = WriteBatch::new();
    let cat: relgraph_graph::Catalog = format::decode_framed(
        META,
        format::KEY_CATALOG,
        &kv.get(META, format::KEY_CATALOG).unwrap().unwrap(),
    )
    .unwrap();
    b.put(
        META,
        format::KEY_CATALOG.to_vec(),
        format::encode_framed(&CatalogV2::from(&cat)).unwrap(),
    );
    let mut with_catalog = 0;
    for (k, v) in kv.scan_prefix(LOG, b"").unwrap() {
        let rec: LogRecord = format::decode_framed(LOG, &k, &v).unwrap();
        let old = LogRecordV2 {
            first_version: rec.first_version,
            change_sets: rec
                .change_sets
                .iter()
                .map(|cs| ChangeSetV2 {
                    catalog: cs.catalog.as_ref().map(|c| CatalogV2::from(&c.0)),
                    changes: cs.changes.clone(),
                })
                .collect(),
        };
        with_catalog += old
            .change_sets
            .iter()
            .filter(|c| c.catalog.is_some())
            .count();
        b.put(LOG, k, format::encode_framed(&old).unwrap());
    }
    assert!(
        with_catalog > 0,
        "the log must carry a catalog for the test to mean anything"
    );
    b.put(
        META,
        format::KEY_FORMAT_VERSION.to_vec(),
        2u32.to_be_bytes().to_vec(),
    );
    kv.commit(b, Durability::Durable).unwrap();

    let g = open_keeping_the_log(&kv);
    assert_eq!(dump(&g.snapshot()), before);
    assert_eq!(
        kv.get(META, format::KEY_FORMAT_VERSION).unwrap().unwrap(),
        format::FORMAT_VERSION.to_be_bytes()
    );
    assert_eq!(format::FORMAT_VERSION, 6);
    // Policies now persist with the catalog.
    let mut tx = g.begin_write().unwrap();
    let mut cat = tx.snapshot().catalog().clone();
    assert!(cat.policies.create_role("analyst"));
    tx.apply(relgraph_graph::ChangeSet {
        catalog: Some(relgraph_graph::change::CatalogSnapshot(cat)),
        changes: vec![],
    })
    .unwrap();
    tx.commit().unwrap();
    drop(g);
    let g = open(&kv);
    assert!(g.snapshot().catalog().policies.role("analyst").is_some());
    assert_eq!(dump(&g.snapshot()), before);
}
