//! Concurrency (issue 4): readers never see a partial write, writers are
//! serialized with a bounded wait, nothing deadlocks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use relgraph_graph::kv::{KvStore, MemoryKv, SledKv};
use relgraph_graph::store::{ChangeBuilder, Durability, OpenOptions};
use relgraph_graph::{Graph, GraphError, NodeId, Snapshot, Value};

const ACCOUNTS: i64 = 20;
const START: i64 = 100;

fn graphs() -> Vec<(Graph, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sled = SledKv::open(&dir.path().join("db"), true).unwrap();
    let relaxed = OpenOptions {
        durability: Durability::Relaxed,
        ..OpenOptions::default()
    };
    vec![
        (
            Graph::open_backend(
                Arc::new(MemoryKv::new()) as Arc<dyn KvStore>,
                &OpenOptions::default(),
            )
            .unwrap(),
            None,
        ),
        (
            Graph::open_backend(Arc::new(sled), &relaxed).unwrap(),
            Some(dir),
        ),
    ]
}

fn setup(g: &Graph) -> Vec<NodeId> {
    let mut tx = g.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    let accounts = (0..ACCOUNTS)
        .map(|i| {
            b.create_node(
                &["Account"],
                vec![("no", Value::Int(i)), ("balance", Value::Int(START))],
            )
        })
        .collect();
    b.create_node(&["Counter"], vec![("events", Value::Int(0))]);
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    accounts
}

fn int(s: &Snapshot, n: NodeId, key: &str) -> i64 {
    let k = s.catalog().prop_key_id(key).unwrap();
    s.node_property(n, k)
        .as_deref()
        .and_then(Value::as_int)
        .unwrap()
}

/// The invariants a reader checks on every snapshot it takes.
fn check(s: &Snapshot, accounts: &[NodeId]) -> Result<(), String> {
    let total: i64 = accounts.iter().map(|a| int(s, *a, "balance")).sum();
    if total != ACCOUNTS * START {
        return Err(format!("version {}: total balance {total}", s.version()));
    }
    let c = s.catalog();
    let counter = s
        .nodes_with_label(c.label_id("Counter").unwrap())
        .next()
        .unwrap();
    let events = c
        .label_id("Event")
        .map_or(0, |l| s.nodes_with_label(l).count()) as i64;
    if events != int(s, counter, "events") {
        return Err(format!(
            "version {}: {events} events, counter {}",
            s.version(),
            int(s, counter, "events")
        ));
    }
    if s.nodes().count() as u64 != s.node_count() {
        return Err(format!(
            "version {}: node_count disagrees with the scan",
            s.version()
        ));
    }
    Ok(())
}

#[test]
fn readers_never_see_a_partial_transaction() {
    for (g, _dir) in graphs() {
        let accounts = setup(&g);
        let done = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let g = g.clone();
                let accounts = accounts.clone();
                let done = done.clone();
                thread::spawn(move || {
                    let mut last_version = 0;
                    let mut checks = 0u64;
                    while !done.load(Ordering::Acquire) || checks == 0 {
                        let s = g.snapshot();
                        assert!(s.version() >= last_version, "versions never go back");
                        last_version = s.version();
                        if let Err(e) = check(&s, &accounts) {
                            panic!("reader saw a broken invariant: {e}");
                        }
                        checks += 1;
                    }
                    checks
                })
            })
            .collect();
        let commits = 200;
        for i in 0..commits {
            let mut tx = g.begin_write().unwrap();
            let from = accounts[i % accounts.len()];
            let to = accounts[(i * 7 + 3) % accounts.len()];
            if from != to {
                // Debit and credit as separate statements: a reader that saw
                // the first without the second would see money vanish.
                let bal = int(tx.snapshot(), from, "balance");
                tx.set_node_property(from, "balance", Value::Int(bal - 5))
                    .unwrap();
                let bal = int(tx.snapshot(), to, "balance");
                tx.set_node_property(to, "balance", Value::Int(bal + 5))
                    .unwrap();
            }
            let counter = tx
                .snapshot()
                .nodes_with_label(tx.snapshot().catalog().label_id("Counter").unwrap())
                .next()
                .unwrap();
            let events = int(tx.snapshot(), counter, "events");
            tx.create_node(&["Event"], vec![("i", Value::Int(i as i64))])
                .unwrap();
            tx.set_node_property(counter, "events", Value::Int(events + 1))
                .unwrap();
            tx.commit().unwrap();
            if i % 10 == 9 {
                // A rolled-back write must never be seen either.
                let mut rb = g.begin_write().unwrap();
                rb.set_node_property(from, "balance", Value::Int(-1_000_000))
                    .unwrap();
                rb.rollback();
            }
        }
        done.store(true, Ordering::Release);
        let checks: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
        assert!(checks > 0);
        check(&g.snapshot(), &accounts).unwrap();
        assert_eq!(
            int(&g.snapshot(), NodeId(ACCOUNTS as u64), "events"),
            commits as i64
        );
    }
}

#[test]
fn a_reader_keeps_its_version_while_writers_commit() {
    let g = Graph::in_memory();
    let accounts = setup(&g);
    let old = g.snapshot();
    let mut tx = g.begin_write().unwrap();
    tx.set_node_property(accounts[0], "balance", Value::Int(0))
        .unwrap();
    tx.set_node_property(accounts[1], "balance", Value::Int(2 * START))
        .unwrap();
    tx.commit().unwrap();
    assert_eq!(
        int(&old, accounts[0], "balance"),
        START,
        "the old snapshot is unchanged"
    );
    assert_eq!(int(&g.snapshot(), accounts[0], "balance"), 0);
}

#[test]
fn a_second_writer_waits_up_to_the_timeout_then_gets_writer_busy() {
    let options = OpenOptions {
        write_lock_timeout: Duration::from_millis(200),
        ..OpenOptions::default()
    };
    let g = Graph::open_backend(Arc::new(MemoryKv::new()), &options).unwrap();
    let first = g.begin_write().unwrap();
    let g2 = g.clone();
    let waiter = thread::spawn(move || {
        let start = Instant::now();
        let r = g2.begin_write();
        (r.map(|_| ()), start.elapsed())
    });
    let (r, waited) = waiter.join().unwrap();
    match r {
        Err(GraphError::WriterBusy { waited_ms }) => {
            assert!(waited_ms >= 200, "waited {waited_ms} ms")
        }
        other => panic!("expected WriterBusy, got {other:?}"),
    }
    assert!(waited >= Duration::from_millis(200));
    drop(first);
    // Once the first writer is gone the lock is free again.
    g.begin_write().unwrap().rollback();
}

#[test]
fn a_waiting_writer_gets_the_lock_when_the_first_finishes() {
    let g = Graph::in_memory();
    let first = g.begin_write().unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let (g2, b2) = (g.clone(), barrier.clone());
    let waiter = thread::spawn(move || {
        b2.wait();
        let mut tx = g2.begin_write_timeout(Duration::from_secs(30)).unwrap();
        tx.create_node(&["Second"], vec![]).unwrap();
        tx.commit().unwrap()
    });
    barrier.wait();
    thread::sleep(Duration::from_millis(50));
    let mut first = first;
    first.create_node(&["First"], vec![]).unwrap();
    let v1 = first.commit().unwrap();
    let v2 = waiter.join().unwrap();
    assert!(
        v2 > v1,
        "the second writer started from the first one's commit"
    );
    assert_eq!(g.snapshot().node_count(), 2);
}

#[test]
fn many_writers_and_readers_do_not_deadlock() {
    let g = Graph::in_memory();
    let accounts = setup(&g);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let g = g.clone();
            let accounts = accounts.clone();
            thread::spawn(move || {
                for i in 0..25 {
                    let mut tx = g.begin_write_timeout(Duration::from_secs(60)).unwrap();
                    let a = accounts[(w * 5 + i) % accounts.len()];
                    let b = accounts[(w * 3 + i + 1) % accounts.len()];
                    if a != b {
                        let x = int(tx.snapshot(), a, "balance");
                        tx.set_node_property(a, "balance", Value::Int(x - 1))
                            .unwrap();
                        let y = int(tx.snapshot(), b, "balance");
                        tx.set_node_property(b, "balance", Value::Int(y + 1))
                            .unwrap();
                    }
                    if i % 5 == 0 {
                        tx.rollback();
                    } else {
                        tx.commit().unwrap();
                    }
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let g = g.clone();
            let accounts = accounts.clone();
            thread::spawn(move || {
                for _ in 0..200 {
                    check(&g.snapshot(), &accounts).unwrap();
                }
            })
        })
        .collect();
    for t in writers.into_iter().chain(readers) {
        t.join().unwrap();
    }
    check(&g.snapshot(), &accounts).unwrap();
}
