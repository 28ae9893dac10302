//! Crash safety, proven by killing processes (issue 2 and issue 4 "Proof").
//!
//! This test binary has no libtest harness: `main` is the parent, and it
//! re-executes itself (`current_exe` + `RELGRAPH_CRASH_ROLE`) as children:
//!
//! - **writer**: opens the sled database, verifies every invariant against
//!   the bounds the parent passes, prints `VERIFIED <txn>`, then runs random
//!   write transactions forever (some with thousands to tens of thousands of
//!   changes), printing `ACK <txn>` after each commit returns. The parent
//!   SIGKILLs it at a random moment; the next writer's verification is the
//!   check of that crash.
//! - **verify**: opens, verifies, prints `VERIFIED <txn>`, exits.
//! - **try-open**: opens a database the parent holds; prints what happened.
//! - **bulk**: creates a database with `Graph::create_bulk`; killed midway.
//!
//! Invariants checked after every crash:
//! - every acknowledged commit is present (durable mode), and at most one
//!   unacknowledged commit (the one in flight) is;
//! - no transaction is partly present: each commits a data statement and a
//!   bookkeeping statement (counters, a `Txn` marker node); the counters
//!   must match the data, `Txn` markers must be exactly `0..=txn`, the
//!   latest transaction's items must all be there, and transfers between
//!   accounts keep the total balance;
//! - structure: adjacency in both directions agrees with relationship
//!   records, counts agree with scans, the property index agrees with the
//!   properties.
//!
//! `RELGRAPH_CRASH_CYCLES` (default 50) sets the number of kill cycles and
//! `RELGRAPH_CRASH_SEED` the random seed; the long documented run is
//! `RELGRAPH_CRASH_CYCLES=1000 cargo test --release -p relgraph-graph --test crash_kill`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relgraph_graph::catalog::IndexDef;
use relgraph_graph::store::{ChangeBuilder, CheckpointPolicy, Durability, OpenOptions};
use relgraph_graph::{Adj, Direction, Graph, GraphError, NodeId, RelTypeId, Snapshot, Value};

const ROLE: &str = "RELGRAPH_CRASH_ROLE";
const ACCOUNTS: i64 = 40;
const START_BALANCE: i64 = 1000;

fn large_txn_items() -> usize {
    if cfg!(debug_assertions) {
        2_000
    } else {
        15_000
    }
}

fn item_limit() -> usize {
    if cfg!(debug_assertions) {
        6_000
    } else {
        40_000
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("writer") => writer(),
        Ok("verify") => {
            let graph = open_child_graph(Durability::Durable);
            let t = verify_or_exit(&graph.snapshot());
            println!("VERIFIED {t}");
        }
        Ok("try-open") => try_open(),
        Ok("bulk") => bulk_child(),
        Ok(other) => {
            eprintln!("unknown role {other}");
            std::process::exit(2);
        }
        Err(_) => parent(),
    }
}

// ---------------------------------------------------------------- parent

fn parent() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tests: [(&str, fn()); 3] = [
        ("second_process_gets_locked", second_process_gets_locked),
        (
            "killed_bulk_creation_leaves_all_or_nothing",
            killed_bulk_creation_leaves_all_or_nothing,
        ),
        (
            "kill_cycles_lose_no_commit_and_show_no_partial_one",
            kill_cycles,
        ),
    ];
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &tests {
            println!("{name}: test");
        }
        return;
    }
    // Test names to run, as libtest reads them: arguments that are neither
    // flags nor the values of libtest options that take one.
    let mut filters: Vec<&String> = Vec::new();
    let mut skip_value = false;
    for a in &args {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if a.starts_with('-') {
            skip_value = !a.contains('=')
                && [
                    "--test-threads",
                    "--format",
                    "--color",
                    "--skip",
                    "--logfile",
                    "-Z",
                ]
                .contains(&a.as_str());
        } else {
            filters.push(a);
        }
    }
    let selected: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", selected.len());
    for (name, f) in &selected {
        let start = Instant::now();
        f();
        println!(
            "test {name} ... ok ({:.1} s)",
            start.elapsed().as_secs_f64()
        );
    }
    println!("\ntest result: ok. {} passed; 0 failed", selected.len());
}

fn child(role: &str, path: &Path, envs: &[(&str, String)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary path"));
    cmd.env(ROLE, role)
        .env("RELGRAPH_CRASH_PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn child process")
}

/// Forwards the child's stdout lines to a channel.
fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Kills the child without judging how it ended (it has already failed).
fn kill_quietly(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills the child with SIGKILL and checks that the signal is what ended
/// it (a child that failed by itself must not pass unnoticed).
fn sigkill(child: &mut Child) {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let status = child.wait().expect("wait for the killed child");
    assert!(
        status.signal() == Some(libc::SIGKILL) || status.success(),
        "the child ended with {status} before it was killed"
    );
}

fn second_process_gets_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let graph = Graph::open(&path).unwrap();
    let mut c = child("try-open", &path, &[]);
    let rx = lines(&mut c);
    let status = c.wait().unwrap();
    let out: Vec<String> = rx.iter().collect();
    assert!(status.success(), "try-open child failed: {out:?}");
    assert_eq!(
        out,
        vec!["LOCKED".to_string()],
        "a second process must get GraphError::Locked"
    );
    drop(graph);
}

fn try_open() {
    let path = PathBuf::from(std::env::var("RELGRAPH_CRASH_PATH").expect("path"));
    match Graph::open(&path) {
        Err(GraphError::Locked { .. }) => println!("LOCKED"),
        Err(e) => println!("ERROR {e}"),
        Ok(_) => println!("OPENED"),
    }
}

fn kill_cycles() {
    let cycles = env_u64("RELGRAPH_CRASH_CYCLES").unwrap_or(50);
    let seed = env_u64("RELGRAPH_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
    });
    println!("crash test: {cycles} kill cycles, RELGRAPH_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    // Commits acknowledged so far (-1: none) and the lowest commit count a
    // verification may find (lowered by relaxed cycles, which may lose
    // acknowledged commits).
    let mut last_ack: i64 = -1;
    let mut durable_floor: i64 = -1;
    let max_delay_ms: u64 = if cfg!(debug_assertions) { 700 } else { 400 };
    let mut acks_total = 0u64;
    for cycle in 0..cycles {
        let relaxed = cycle % 5 == 4;
        let envs = [
            ("RELGRAPH_CRASH_MIN", durable_floor.to_string()),
            ("RELGRAPH_CRASH_MAX", (last_ack + 1).to_string()),
            (
                "RELGRAPH_CRASH_SEED",
                (seed ^ cycle.wrapping_mul(0x9e37_79b9)).to_string(),
            ),
            (
                "RELGRAPH_CRASH_RELAXED",
                if relaxed { "1" } else { "0" }.to_string(),
            ),
        ];
        let mut c = child("writer", &path, &envs);
        let rx = lines(&mut c);
        let verified = wait_verified(&mut c, &rx, cycle);
        last_ack = verified;
        durable_floor = verified;
        std::thread::sleep(Duration::from_millis(rng.random_range(0..=max_delay_ms)));
        if let Ok(Some(status)) = c.try_wait() {
            let rest: Vec<String> = rx.try_iter().collect();
            panic!("cycle {cycle}: writer exited by itself with {status}; output {rest:?}");
        }
        sigkill(&mut c);
        for line in rx.iter() {
            if let Some(n) = line.strip_prefix("ACK ") {
                let n: i64 = n.parse().expect("ACK number");
                assert_eq!(
                    n,
                    last_ack + 1,
                    "cycle {cycle}: acknowledgements are sequential"
                );
                last_ack = n;
                acks_total += 1;
            } else {
                panic!("cycle {cycle}: unexpected writer output {line:?}");
            }
        }
        if !relaxed {
            durable_floor = last_ack;
        }
    }
    let mut c = child(
        "verify",
        &path,
        &[
            ("RELGRAPH_CRASH_MIN", durable_floor.to_string()),
            ("RELGRAPH_CRASH_MAX", (last_ack + 1).to_string()),
        ],
    );
    let rx = lines(&mut c);
    let verified = wait_verified(&mut c, &rx, cycles);
    let status = c.wait().unwrap();
    assert!(status.success(), "final verification failed");
    println!("crash test: {acks_total} acknowledged commits over {cycles} kills; final state has {verified} transactions");
    assert!(
        acks_total >= cycles / 2,
        "the writers made too little progress to test anything"
    );
}

fn wait_verified(c: &mut Child, rx: &mpsc::Receiver<String>, cycle: u64) -> i64 {
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(line) => match line.strip_prefix("VERIFIED ") {
            Some(n) => n.parse().expect("VERIFIED number"),
            None => {
                let rest: Vec<String> = rx.try_iter().collect();
                kill_quietly(c);
                panic!("cycle {cycle}: verification failed: {line} {rest:?}");
            }
        },
        Err(_) => {
            kill_quietly(c);
            panic!("cycle {cycle}: the child neither verified nor failed (exit or hang)");
        }
    }
}

fn killed_bulk_creation_leaves_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = StdRng::seed_from_u64(env_u64("RELGRAPH_CRASH_SEED").unwrap_or(11));
    // Round 0 runs to completion to time the write; later rounds are
    // killed at a random moment within that time (or a little after).
    let mut write_time = Duration::ZERO;
    let mut published = 0;
    let rounds = 5;
    for round in 0..rounds {
        let target = dir.path().join(format!("bulk{round}"));
        let mut c = child("bulk", &target, &[]);
        let rx = lines(&mut c);
        let started = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("bulk child started");
        assert_eq!(started, "WRITING");
        let t0 = Instant::now();
        if round == 0 {
            let done = rx
                .recv_timeout(Duration::from_secs(120))
                .expect("bulk child finished");
            assert_eq!(done, "DONE");
            write_time = t0.elapsed();
        } else {
            let max = (write_time.as_millis() as u64 * 6 / 5).max(1);
            std::thread::sleep(Duration::from_millis(rng.random_range(0..max)));
        }
        sigkill(&mut c);
        let done = rx.iter().any(|l| l == "DONE");
        if target.exists() {
            published += 1;
            assert_bulk_complete(&target);
        } else {
            assert!(!done, "DONE printed but the target is missing");
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                names
                    .iter()
                    .all(|n| !n.starts_with(&format!("bulk{round}"))),
                "no half database under the target name: {names:?}"
            );
        }
    }
    println!(
        "bulk creation: write takes {} ms; {published} of {rounds} runs had published when killed",
        write_time.as_millis()
    );
}

/// Opens a bulk-created database in a child and checks it holds every node.
fn assert_bulk_complete(target: &Path) {
    let mut c = child("bulk", target, &[("RELGRAPH_CRASH_BULK_CHECK", "1".into())]);
    let out: Vec<String> = lines(&mut c).iter().collect();
    let status = c.wait().unwrap();
    assert!(
        status.success() && out == vec!["COMPLETE".to_string()],
        "bulk check: {out:?}"
    );
}

const BULK_NODES: usize = 12_000;

fn bulk_child() {
    let path = PathBuf::from(std::env::var("RELGRAPH_CRASH_PATH").expect("path"));
    if std::env::var("RELGRAPH_CRASH_BULK_CHECK").is_ok() {
        let g = Graph::open_with(
            &path,
            &OpenOptions {
                create: false,
                ..OpenOptions::default()
            },
        )
        .unwrap_or_else(|e| {
            println!("ERROR {e}");
            std::process::exit(1)
        });
        let s = g.snapshot();
        if s.node_count() == BULK_NODES as u64 && s.rel_count() == BULK_NODES as u64 - 1 {
            println!("COMPLETE");
        } else {
            println!("PARTIAL {} {}", s.node_count(), s.rel_count());
        }
        return;
    }
    let source = Graph::in_memory();
    let mut tx = source.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    let mut prev = b.create_node(&["P"], vec![("i", Value::Int(0))]);
    for i in 1..BULK_NODES as i64 {
        let n = b.create_node(
            &["P"],
            vec![
                ("i", Value::Int(i)),
                ("name", Value::from(format!("person {i}"))),
            ],
        );
        b.create_rel(prev, "NEXT", n, vec![]);
        prev = n;
    }
    tx.apply(b.finish()).unwrap();
    tx.commit().unwrap();
    let snap = source.snapshot();
    println!("WRITING");
    std::io::stdout().flush().unwrap();
    Graph::create_bulk(&path, &snap, &OpenOptions::default()).unwrap();
    println!("DONE");
    std::io::stdout().flush().unwrap();
    // Wait to be killed.
    std::thread::sleep(Duration::from_secs(600));
}

// ---------------------------------------------------------------- children

fn open_child_graph(durability: Durability) -> Graph {
    let path = PathBuf::from(std::env::var("RELGRAPH_CRASH_PATH").expect("path"));
    let options = OpenOptions {
        durability,
        ..OpenOptions::default()
    };
    let graph = Graph::open_with(&path, &options).unwrap_or_else(|e| {
        println!("VIOLATION cannot open the database after a crash: {e}");
        std::process::exit(3)
    });
    // Frequent checkpoints, so that kills also land inside them.
    graph
        .set_checkpoint_policy(CheckpointPolicy {
            max_log_records: 6,
            max_log_bytes: 512 * 1024,
            checkpoint_at_close: false,
            max_close_blocks: 0,
            // Background checkpoints: kills land inside them while the
            // writers go on committing.
            background: true,
        })
        .unwrap();
    graph
}

fn verify_or_exit(s: &Snapshot) -> i64 {
    let min = env_u64("RELGRAPH_CRASH_MIN")
        .map(|v| v as i64)
        .unwrap_or(-1);
    let max = std::env::var("RELGRAPH_CRASH_MAX")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    match verify(s, min, max) {
        Ok(t) => t,
        Err(msg) => {
            println!("VIOLATION {msg}");
            std::process::exit(3)
        }
    }
}

fn int_prop(s: &Snapshot, n: NodeId, key: &str) -> Result<i64, String> {
    let k = s
        .catalog()
        .prop_key_id(key)
        .ok_or(format!("no property key {key}"))?;
    s.node_property(n, k)
        .as_deref()
        .and_then(Value::as_int)
        .ok_or(format!("node {n} lacks integer property {key}"))
}

/// Checks every invariant; returns the number of the last transaction
/// present (-1 for an empty database).
fn verify(s: &Snapshot, min: i64, max: i64) -> Result<i64, String> {
    let c = s.catalog();
    let Some(counter_label) = c.label_id("Counter") else {
        if s.node_count() == 0 && min < 0 {
            return Ok(-1);
        }
        return Err(format!(
            "no Counter label but {} nodes, expected at least txn {min}",
            s.node_count()
        ));
    };
    let counters: Vec<NodeId> = s.nodes_with_label(counter_label).collect();
    let [counter] = counters[..] else {
        return Err(format!("{} counter nodes", counters.len()));
    };
    let t = int_prop(s, counter, "txn")?;
    if t < min {
        return Err(format!(
            "acknowledged transaction {min} lost: the database ends at {t}"
        ));
    }
    if t > max {
        return Err(format!(
            "the database has transaction {t} but at most {max} can have committed"
        ));
    }
    // Txn markers are exactly 0..=t.
    let txn_label = c.label_id("Txn").ok_or("no Txn label")?;
    let mut markers: Vec<i64> = Vec::new();
    let mut created_in: BTreeMap<i64, i64> = BTreeMap::new();
    for n in s.nodes_with_label(txn_label) {
        let m = int_prop(s, n, "t")?;
        markers.push(m);
        created_in.insert(m, int_prop(s, n, "created")?);
    }
    markers.sort();
    if markers != (0..=t).collect::<Vec<_>>() {
        let have: BTreeSet<i64> = markers.iter().copied().collect();
        let missing: Vec<i64> = (0..=t).filter(|m| !have.contains(m)).take(5).collect();
        return Err(format!(
            "Txn markers {} for txn 0..={t}; missing e.g. {missing:?}",
            markers.len()
        ));
    }
    // Balances.
    let account = c.label_id("Account").ok_or("no Account label")?;
    let accounts: Vec<NodeId> = s.nodes_with_label(account).collect();
    if accounts.len() as i64 != ACCOUNTS {
        return Err(format!("{} accounts", accounts.len()));
    }
    let mut total = 0;
    for a in &accounts {
        total += int_prop(s, *a, "balance")?;
    }
    if total != ACCOUNTS * START_BALANCE {
        return Err(format!(
            "total balance {total}, expected {}: a transfer is partly present",
            ACCOUNTS * START_BALANCE
        ));
    }
    // Counters agree with the data.
    let item = c.label_id("Item").ok_or("no Item label")?;
    let items: Vec<NodeId> = s.nodes_with_label(item).collect();
    if items.len() as i64 != int_prop(s, counter, "items")? {
        return Err(format!(
            "{} items but the counter says {}",
            items.len(),
            int_prop(s, counter, "items")?
        ));
    }
    if s.label_count(item) != items.len() as u64 {
        return Err(format!(
            "label_count(Item) {} vs scan {}",
            s.label_count(item),
            items.len()
        ));
    }
    if s.rel_count() as i64 != int_prop(s, counter, "rels")? {
        return Err(format!(
            "{} relationships but the counter says {}",
            s.rel_count(),
            int_prop(s, counter, "rels")?
        ));
    }
    // The last transaction's items are all there.
    let key = c.prop_key_id("created_by").ok_or("no created_by key")?;
    let mut by_txn: BTreeMap<i64, Vec<NodeId>> = BTreeMap::new();
    for n in &items {
        let v = int_prop(s, *n, "created_by")?;
        by_txn.entry(v).or_default().push(*n);
    }
    let last_created = by_txn.get(&t).map_or(0, Vec::len) as i64;
    if last_created != created_in[&t] {
        return Err(format!(
            "transaction {t} created {} items but {last_created} are present",
            created_in[&t]
        ));
    }
    // The index agrees with the properties.
    for probe in by_txn.keys().copied().chain([t + 1, -5]) {
        let mut want = by_txn.get(&probe).cloned().unwrap_or_default();
        want.sort();
        let mut got = s
            .index_lookup(item, key, &Value::Int(probe))
            .ok_or("the created_by index is missing")?;
        got.sort();
        if got != want {
            return Err(format!(
                "index lookup created_by={probe}: {} nodes, scan {}",
                got.len(),
                want.len()
            ));
        }
    }
    // Structure: counts and adjacency both ways.
    if s.nodes().count() as u64 != s.node_count() {
        return Err(format!(
            "node_count {} vs scan {}",
            s.node_count(),
            s.nodes().count()
        ));
    }
    let rels: Vec<_> = s.rels().collect();
    if rels.len() as u64 != s.rel_count() {
        return Err(format!(
            "rel_count {} vs scan {}",
            s.rel_count(),
            rels.len()
        ));
    }
    for r in &rels {
        let out = s.neighbors(r.src, r.rel_type, Direction::Outgoing);
        let inc = s.neighbors(r.dst, r.rel_type, Direction::Incoming);
        if out
            .binary_search(&Adj {
                node: r.dst,
                rel: r.id,
            })
            .is_err()
            || inc
                .binary_search(&Adj {
                    node: r.src,
                    rel: r.id,
                })
                .is_err()
        {
            return Err(format!("relationship {} missing from adjacency", r.id));
        }
        if !s.node_exists(r.src) || !s.node_exists(r.dst) {
            return Err(format!("relationship {} has a deleted endpoint", r.id));
        }
    }
    let mut adjacency = [0u64; 2];
    for n in s.nodes() {
        for t in 0..c.rel_types().len() as u32 {
            for (i, dir) in [Direction::Outgoing, Direction::Incoming]
                .into_iter()
                .enumerate()
            {
                for a in s.neighbors(n, RelTypeId(t), dir).iter() {
                    adjacency[i] += 1;
                    let ok = s.rel(a.rel).is_some_and(|r| {
                        r.rel_type == RelTypeId(t)
                            && match dir {
                                Direction::Outgoing => r.src == n && r.dst == a.node,
                                Direction::Incoming => r.dst == n && r.src == a.node,
                            }
                    });
                    if !ok {
                        return Err(format!("adjacency of node {n} lists {a:?}, which does not match a relationship"));
                    }
                }
            }
        }
    }
    if adjacency != [s.rel_count(), s.rel_count()] {
        return Err(format!(
            "adjacency entries {adjacency:?} vs {} relationships",
            s.rel_count()
        ));
    }
    Ok(t)
}

fn writer() {
    let relaxed = std::env::var("RELGRAPH_CRASH_RELAXED").as_deref() == Ok("1");
    let graph = open_child_graph(if relaxed {
        Durability::Relaxed
    } else {
        Durability::Durable
    });
    let mut t = verify_or_exit(&graph.snapshot());
    println!("VERIFIED {t}");
    std::io::stdout().flush().unwrap();
    let mut rng = StdRng::seed_from_u64(env_u64("RELGRAPH_CRASH_SEED").unwrap_or(1));
    let mut out = std::io::stdout();
    loop {
        t += 1;
        if t == 0 {
            init(&graph);
        } else {
            random_txn(&graph, t, &mut rng);
        }
        writeln!(out, "ACK {t}").unwrap();
        out.flush().unwrap();
    }
}

fn init(graph: &Graph) {
    let mut tx = graph.begin_write().unwrap();
    let mut b = ChangeBuilder::new(tx.snapshot());
    b.create_node(
        &["Counter"],
        vec![
            ("txn", Value::Int(0)),
            ("items", Value::Int(0)),
            ("rels", Value::Int(0)),
        ],
    );
    for i in 0..ACCOUNTS {
        b.create_node(
            &["Account"],
            vec![
                ("no", Value::Int(i)),
                ("balance", Value::Int(START_BALANCE)),
            ],
        );
    }
    b.create_node(
        &["Txn"],
        vec![("t", Value::Int(0)), ("created", Value::Int(0))],
    );
    let item = b.label("Item");
    let key = b.key("created_by");
    let mut cs = b.finish();
    let catalog = &mut cs.catalog.as_mut().expect("new names were interned").0;
    catalog.indexes.push(IndexDef {
        name: "item_created_by".into(),
        label: item,
        key,
    });
    tx.apply(cs).unwrap();
    tx.commit().unwrap();
}

/// One random transaction number `t`: a data statement, then a
/// bookkeeping statement that records counts read from the transaction's view.
fn random_txn(graph: &Graph, t: i64, rng: &mut StdRng) {
    let mut tx = graph.begin_write().unwrap();
    let s = tx.snapshot().clone();
    let c = s.catalog();
    let counter_label = c.label_id("Counter").expect("initialized");
    let counter = s
        .nodes_with_label(counter_label)
        .next()
        .expect("counter node");
    let accounts: Vec<NodeId> = s
        .nodes_with_label(c.label_id("Account").expect("accounts"))
        .collect();
    let items: Vec<NodeId> = c
        .label_id("Item")
        .map(|l| s.nodes_with_label(l).collect())
        .unwrap_or_default();
    let balance_key = c.prop_key_id("balance").expect("balance key");
    let balance = |view: &Snapshot, n: NodeId| {
        view.node_property(n, balance_key)
            .as_deref()
            .and_then(Value::as_int)
            .unwrap_or(0)
    };

    let mut b = ChangeBuilder::new(&s);
    let large = rng.random_range(0..10) == 0;
    let mut created = 0i64;
    let mut deleted = BTreeSet::new();
    let deletions = if large && items.len() >= item_limit() {
        items.len() / 2
    } else if large {
        0
    } else {
        rng.random_range(0..4usize).min(items.len())
    };
    let mut doomed_rels = BTreeSet::new();
    for _ in 0..deletions {
        let victim = items[rng.random_range(0..items.len())];
        if !deleted.insert(victim) {
            continue;
        }
        for ty in 0..c.rel_types().len() as u32 {
            for dir in [Direction::Outgoing, Direction::Incoming] {
                doomed_rels.extend(
                    s.neighbors(victim, RelTypeId(ty), dir)
                        .iter()
                        .map(|a| a.rel),
                );
            }
        }
    }
    // Relationships first (each once: two victims may share one), then nodes.
    for r in doomed_rels {
        b.delete_rel(r);
    }
    for victim in &deleted {
        b.delete_node(*victim);
    }
    let survivors: Vec<NodeId> = items
        .iter()
        .copied()
        .filter(|n| !deleted.contains(n))
        .collect();
    let creations = if large && deletions == 0 {
        large_txn_items()
    } else if large {
        0
    } else {
        rng.random_range(0..6)
    };
    let mut new_items = Vec::with_capacity(creations);
    for i in 0..creations {
        let n = b.create_node(
            &["Item"],
            vec![
                ("created_by", Value::Int(t)),
                ("seq", Value::Int(i as i64)),
                ("tag", Value::from(format!("t{t}-{i}"))),
            ],
        );
        new_items.push(n);
        created += 1;
        let owner = accounts[rng.random_range(0..accounts.len())];
        b.create_rel(owner, "OWNS", n, vec![("t", Value::Int(t))]);
        if let Some(&other) = survivors.get(rng.random_range(0..survivors.len().max(1))) {
            if rng.random_bool(0.5) {
                b.create_rel(n, "LINK", other, vec![]);
            }
        }
    }
    // Transfers keep the total balance.
    for _ in 0..rng.random_range(1..6) {
        let from = accounts[rng.random_range(0..accounts.len())];
        let to = accounts[rng.random_range(0..accounts.len())];
        let amount = rng.random_range(1..50);
        if from == to {
            continue;
        }
        // Each transfer is its own statement, reading the balances the
        // transaction's earlier statements wrote.
        let mut tb = ChangeBuilder::new(tx.snapshot());
        let (fb, tbal) = (balance(tx.snapshot(), from), balance(tx.snapshot(), to));
        tb.set_node_property(from, "balance", Value::Int(fb - amount));
        tb.set_node_property(to, "balance", Value::Int(tbal + amount));
        tx.apply(tb.finish()).unwrap();
    }
    tx.apply(b.finish()).unwrap();
    // Bookkeeping from the transaction's own view.
    let view = tx.snapshot();
    let items_now = view
        .catalog()
        .label_id("Item")
        .map_or(0, |l| view.label_count(l)) as i64;
    let rels_now = view.rel_count() as i64;
    let mut bk = ChangeBuilder::new(view);
    bk.set_node_property(counter, "txn", Value::Int(t));
    bk.set_node_property(counter, "items", Value::Int(items_now));
    bk.set_node_property(counter, "rels", Value::Int(rels_now));
    bk.create_node(
        &["Txn"],
        vec![("t", Value::Int(t)), ("created", Value::Int(created))],
    );
    tx.apply(bk.finish()).unwrap();
    tx.commit().unwrap();
}
