//! An import killed with SIGKILL leaves no database and no half of one: the
//! test re-executes itself as a child that imports a generated graph and
//! reports each phase; the parent kills it in every phase (at random
//! moments inside the write), checks that the target is absent, and finally
//! imports for real, which must succeed and leave no temporary directory.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use relgraph_graph::import::{import, IdType, ImportConfig, NodeInput, Phase, Progress, RelInput};
use relgraph_graph::store::OpenOptions;

const CHILD_ENV: &str = "RELGRAPH_IMPORT_KILL_CHILD";
const NODES: u64 = 20_000;
const RELS: u64 = 100_000;

/// Writes a person/knows graph with a few properties per row.
fn generate(dir: &Path) -> (PathBuf, PathBuf) {
    let people = dir.join("people.csv");
    let knows = dir.join("knows.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&people).expect("create people.csv"));
    writeln!(w, "id:ID(P),name,score:double,tags:string[]").expect("write");
    for i in 0..NODES {
        writeln!(w, "{i},person {i},{}.5,t{};t{}", i % 100, i % 7, i % 11).expect("write");
    }
    w.flush().expect("flush");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&knows).expect("create knows.csv"));
    writeln!(w, ":START_ID(P),:END_ID(P),since:int").expect("write");
    // A deterministic pseudo-random graph (LCG), so reruns match.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..RELS {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let a = (x >> 33) % NODES;
        let b = (x >> 13) % NODES;
        writeln!(w, "{a},{b},{}", 1990 + (x % 30)).expect("write");
    }
    w.flush().expect("flush");
    (people, knows)
}

fn config(people: &Path, knows: &Path) -> ImportConfig {
    ImportConfig {
        nodes: vec![NodeInput {
            labels: vec!["Person".into()],
            files: vec![people.to_path_buf()],
        }],
        relationships: vec![RelInput {
            rel_type: Some("KNOWS".into()),
            files: vec![knows.to_path_buf()],
        }],
        id_type: IdType::Integer,
        ..ImportConfig::default()
    }
}

/// Child role: import, printing each new phase on its own line.
fn child(dir: &Path, target: &Path) {
    let (people, knows) = (dir.join("people.csv"), dir.join("knows.csv"));
    let last = std::sync::Mutex::new(None::<Phase>);
    let on_progress = |p: &Progress| {
        let mut last = last.lock().expect("phase lock");
        if *last != Some(p.phase) {
            *last = Some(p.phase);
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{:?}", p.phase);
            let _ = out.flush();
        }
    };
    import(
        target,
        &config(&people, &knows),
        &OpenOptions::default(),
        Some(&on_progress),
    )
    .expect("child import");
    println!("Done");
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .expect("read parent")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".importing-"))
        .collect()
}

/// Spawns the child, waits for `phase`, sleeps `delay`, kills it. Returns
/// whether the child finished before the kill.
fn kill_during(dir: &Path, target: &Path, phase: &str, delay: Duration) -> bool {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "killed_imports_leave_no_database",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}\n{}", dir.display(), target.display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut finished = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap_or_default();
        if line == "Done" {
            finished = true;
            break;
        }
        if line == phase {
            std::thread::sleep(delay);
            break;
        }
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill(2) on our own child's pid; at worst it already exited
    // and is a zombie until `wait` below reaps it.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let status = child.wait().expect("wait child");
    finished || status.success()
}

#[test]
fn killed_imports_leave_no_database() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let mut parts = spec.lines();
        let dir = PathBuf::from(parts.next().expect("dir"));
        let target = PathBuf::from(parts.next().expect("target"));
        child(&dir, &target);
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (people, knows) = generate(tmp.path());
    let dbs = tmp.path().join("dbs");
    std::fs::create_dir(&dbs).expect("mkdir");
    let target = dbs.join("graph.db");

    // Time one write phase so kills can land at random points inside it.
    let start = Instant::now();
    // The import writes the new database while it reads (records stream
    // into a segment), so every phase is inside the database write.
    let kills: Vec<(&str, Duration)> = vec![
        ("Nodes", Duration::ZERO),
        ("Nodes", Duration::from_millis(20)),
        ("Relationships", Duration::ZERO),
        ("Relationships", Duration::from_millis(5)),
        ("Relationships", Duration::from_millis(40)),
        ("Building", Duration::ZERO),
        ("Writing", Duration::ZERO),
    ];
    let (mut killed, mut mid_write) = (0, 0);
    for (phase, delay) in kills {
        let mut finished = kill_during(tmp.path(), &target, phase, delay);
        if !finished && target.exists() {
            // The kill landed after the atomic rename that publishes the
            // database but before the child reported "Done": the staging
            // directory has become the target, so nothing half-written may
            // remain beside it. This is a finished import, not a torn one.
            assert!(
                leftovers(&dbs).is_empty(),
                "a published database with a staging directory left beside it"
            );
            finished = true;
        }
        if finished {
            // The import won the race: the database must be complete; start over.
            assert!(target.exists(), "a finished import published its database");
            std::fs::remove_dir_all(&target).expect("remove finished db");
            continue;
        }
        killed += 1;
        if !leftovers(&dbs).is_empty() {
            // The kill landed while the new database was being written.
            mid_write += 1;
        }
        assert!(
            !target.exists(),
            "an import killed during {phase} (+{delay:?}) left {}",
            target.display()
        );
    }
    assert!(
        killed >= 4,
        "too few imports were actually killed ({killed})"
    );
    assert!(mid_write >= 1, "no kill landed inside the database write");
    eprintln!(
        "{killed} kills ({mid_write} during the write) in {:?}",
        start.elapsed()
    );

    // The next import cleans the remains of killed ones and succeeds.
    let (graph, summary) = import(
        &target,
        &config(&people, &knows),
        &OpenOptions::default(),
        None,
    )
    .expect("import after kills");
    assert_eq!((summary.nodes, summary.relationships), (NODES, RELS));
    assert_eq!(graph.snapshot().rel_count(), RELS);
    assert_eq!(
        leftovers(&dbs),
        Vec::<String>::new(),
        "temporary directories left behind"
    );
}
