//! End-to-end tests of `relgraph import` (the binary): the committed
//! fixture loads and reopens, bad input fails with file:line:column, a
//! non-empty target is refused, and a SIGKILLed import leaves no database.
//!
//! The binary is the `relgraph` next to this test's build directory
//! (`cargo test --workspace` builds it); the tests skip, saying so, when it
//! has not been built (`cargo build -p relgraph-cli`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use relgraph_graph::{Direction, Graph, Value};

fn relgraph_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("RELGRAPH_BIN") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/import_cli-<hash> -> target/<profile>/relgraph
    let bin = exe
        .parent()?
        .parent()?
        .join(format!("relgraph{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Some(bin)
    } else {
        eprintln!(
            "skipping: {} not built (run cargo build -p relgraph-cli or cargo test --workspace)",
            bin.display()
        );
        None
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

fn fixture_args(target: &Path) -> Vec<String> {
    vec![
        "import".into(),
        "--db".into(),
        target.display().to_string(),
        "--id-type".into(),
        "integer".into(),
        "--nodes".into(),
        format!(
            "Person={},{}",
            fixture("persons.csv"),
            fixture("persons_more.csv")
        ),
        "--nodes".into(),
        format!("Organisation:Company={}", fixture("orgs.csv")),
        "--nodes".into(),
        fixture("topics.csv"),
        "--relationships".into(),
        format!("KNOWS={}", fixture("knows.csv")),
        "--relationships".into(),
        fixture("works.csv"),
        "--relationships".into(),
        format!("INTERESTED_IN={}", fixture("interested.csv")),
    ]
}

fn run(bin: &Path, args: &[String]) -> Output {
    Command::new(bin).args(args).output().expect("run relgraph")
}

#[test]
fn import_cli_loads_the_fixture_and_it_reopens() {
    let Some(bin) = relgraph_bin() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let target = tmp.path().join("fixture.db");
    let out = run(&bin, &fixture_args(&target));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("imported 8 nodes and 11 relationships in ") && last.ends_with(" rows/s)"),
        "summary line: {last}"
    );
    assert!(stdout.contains("[:KNOWS] 4"), "{stdout}");

    // Reopen what the binary wrote (another process wrote it, so one open here is safe).
    let graph = Graph::open(&target).expect("imported database opens");
    let snap = graph.snapshot();
    assert_eq!((snap.node_count(), snap.rel_count()), (8, 11));
    let c = snap.catalog();
    let person = c.label_id("Person").expect("Person");
    let name = c.prop_key_id("name").expect("name");
    let ada = snap
        .nodes_with_label(person)
        .find(|n| snap.node_property(*n, name).as_deref() == Some(&Value::from("Ada, Countess")))
        .expect("Ada");
    let knows = c.rel_type_id("KNOWS").expect("KNOWS");
    assert_eq!(snap.neighbors(ada, knows, Direction::Outgoing).len(), 2);
    drop(snap);
    drop(graph);

    // A second import into the same, now non-empty, directory is refused.
    let again = run(&bin, &fixture_args(&target));
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}

#[test]
fn import_cli_reports_bad_rows_with_position() {
    let Some(bin) = relgraph_bin() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let people = tmp.path().join("p.csv");
    std::fs::write(&people, "id:ID|age:int\n1|3\n2|old\n").expect("write");
    let target = tmp.path().join("bad.db");
    let args: Vec<String> = vec![
        "import".into(),
        "--db".into(),
        target.display().to_string(),
        "--delimiter".into(),
        "|".into(),
        "--nodes".into(),
        format!("Person={}", people.display()),
    ];
    let out = run(&bin, &args);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3:2: 'old' is not an integer",
            people.display()
        )),
        "stderr: {stderr}"
    );
    assert!(!target.exists(), "a failed import leaves no database");
}

/// A graph big enough that the import takes a measurable time.
fn generate(dir: &Path, nodes: u64, rels: u64) -> (PathBuf, PathBuf) {
    let people = dir.join("people.csv");
    let knows = dir.join("knows.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&people).expect("create"));
    writeln!(w, "id:ID,name,tags:string[]").expect("write");
    for i in 0..nodes {
        writeln!(w, "{i},person {i},a{};b{}", i % 13, i % 5).expect("write");
    }
    w.flush().expect("flush");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&knows).expect("create"));
    writeln!(w, ":START_ID,:END_ID,weight:float").expect("write");
    let mut x: u64 = 88_172_645_463_325_252;
    for _ in 0..rels {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        writeln!(
            w,
            "{},{},{}",
            x % nodes,
            (x >> 20) % nodes,
            (x % 1000) as f64 / 10.0
        )
        .expect("write");
    }
    w.flush().expect("flush");
    (people, knows)
}

#[test]
fn import_cli_killed_leaves_no_database() {
    let Some(bin) = relgraph_bin() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let (people, knows) = generate(tmp.path(), 20_000, 120_000);
    let dbs = tmp.path().join("dbs");
    std::fs::create_dir(&dbs).expect("mkdir");
    let args = |target: &Path| -> Vec<String> {
        vec![
            "import".into(),
            "--db".into(),
            target.display().to_string(),
            "--id-type".into(),
            "integer".into(),
            "--nodes".into(),
            format!("Person={}", people.display()),
            "--relationships".into(),
            format!("KNOWS={}", knows.display()),
        ]
    };
    // One complete run tells how long an import takes here.
    let start = Instant::now();
    let full = run(&bin, &args(&dbs.join("full.db")));
    let duration = start.elapsed();
    assert!(
        full.status.success(),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );

    let target = dbs.join("killed.db");
    let mut killed = 0;
    // Kill points spread over the measured run; an import that finished
    // first (this machine may have sped up) shortens the later ones.
    let mut scale = 1.0;
    for attempt in 0..18 {
        if killed >= 6 {
            break;
        }
        let fraction = [0.1, 0.3, 0.5, 0.7, 0.85, 0.95][attempt % 6] * scale;
        let mut child = Command::new(&bin)
            .args(args(&target))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn relgraph import");
        std::thread::sleep(duration.mul_f64(fraction));
        // SAFETY: kill(2) on our own child, which `wait` reaps below.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGKILL);
        }
        let status = child.wait().expect("wait");
        // A kill that lands after the atomic rename that publishes the
        // database (but before the process exits) leaves a whole database
        // and no staging directory: that import finished.
        let published = target.exists()
            && std::fs::read_dir(&dbs)
                .expect("read dbs")
                .flatten()
                .all(|e| !e.file_name().to_string_lossy().contains(".importing-"));
        if status.success() || published {
            // It finished first: the database is whole. Start over.
            std::fs::remove_dir_all(&target).expect("remove");
            scale *= 0.7;
            continue;
        }
        killed += 1;
        assert!(
            !target.exists(),
            "import killed at {fraction} of its run left {}",
            target.display()
        );
    }
    assert!(
        killed >= 3,
        "only {killed} imports were killed before finishing"
    );

    // The next import succeeds and removes what the killed ones left.
    let out = run(&bin, &args(&target));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = std::fs::read_dir(&dbs)
        .expect("read dbs")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".importing-")),
        "temporary directories left: {names:?}"
    );
}
