//! The `relgraph` binary's subcommands, run as a user would run them.

use serde_json::json;

mod common;
use common::{json_of, ok, relgraph, run, run_stdin, text};

#[test]
fn query_creates_a_missing_database_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new-db");
    let db = db.to_str().unwrap();
    ok(&run(&[
        "query",
        "--db",
        db,
        "CREATE (:Person {name: 'Ada', born: 1815})",
    ]));
    let v = json_of(&run(&[
        "query",
        "--db",
        db,
        "--format",
        "json",
        "MATCH (p:Person) RETURN p.name AS name, p.born AS born",
    ]));
    assert_eq!(
        v,
        json!({"columns": ["name", "born"], "rows": [["Ada", 1815]]})
    );
    let v = json_of(&run(&[
        "query",
        "--db",
        db,
        "--format",
        "json",
        "MATCH (p:Person) RETURN p",
    ]));
    assert_eq!(v["rows"][0][0]["labels"], json!(["Person"]));
    assert_eq!(
        v["rows"][0][0]["properties"],
        json!({"name": "Ada", "born": 1815})
    );
    let table = ok(&run(&[
        "query",
        "--db",
        db,
        "MATCH (p:Person) RETURN p.name AS name",
    ]));
    assert!(
        table.contains("Ada") && table.contains("name") && table.trim_end().ends_with("1 row"),
        "{table}"
    );
}

#[test]
fn parameters_are_cypher_literals() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "--param",
        "n=41",
        "--param",
        "who='Ada'",
        "--param",
        "xs=[1, 2.5, \"x\"]",
        "--param",
        "m={k: true}",
        "--param",
        "d=date('2024-06-30')",
        "RETURN $n + 1 AS a, $who AS w, $xs AS xs, $m.k AS k, $d.year AS y",
    ]);
    assert_eq!(
        json_of(&out)["rows"],
        json!([[42, "Ada", [1, 2.5, "x"], true, 2024]])
    );
    let bad = run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--param",
        "n=[1,",
        "RETURN $n",
    ]);
    assert_eq!(bad.status.code(), Some(2), "clap usage error");
    assert!(
        text(&bad.stderr).contains("parameter `n`"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn errors_go_to_stderr_with_a_caret_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = run(&["query", "--db", db.to_str().unwrap(), "MATCH (n) RETRUN n"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains('^') && err.contains("RETRUN"), "{err}");
}

#[test]
fn file_csv_and_jsonl_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let file = dir.path().join("q.cypher");
    std::fs::write(&file, "UNWIND [1, 2] AS x\nRETURN x, 'a,b' AS s;\n").unwrap();
    let db = db.to_str().unwrap();
    let f = file.to_str().unwrap();
    assert_eq!(
        ok(&run(&["query", "--db", db, "--format", "csv", "-f", f])),
        "x,s\n1,\"a,b\"\n2,\"a,b\"\n"
    );
    assert_eq!(
        ok(&run(&["query", "--db", db, "--format", "jsonl", "-f", f])),
        "{\"s\":\"a,b\",\"x\":1}\n{\"s\":\"a,b\",\"x\":2}\n"
    );
    // --output: the same bytes in a file, nothing on stdout; a failed
    // statement leaves no file.
    let out = dir.path().join("out.csv");
    let o = out.to_str().unwrap();
    let args = [
        "query", "--db", db, "--format", "csv", "-f", f, "--output", o,
    ];
    assert_eq!(ok(&run(&args)), "");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "x,s\n1,\"a,b\"\n2,\"a,b\"\n"
    );
    std::fs::remove_file(&out).unwrap();
    let failed = run(&["query", "--db", db, "-o", o, "RETURN 1 / 0"]);
    assert!(!failed.status.success());
    assert!(!out.exists());
    output_to_a_device_is_written_not_replaced(db);
}

/// `--output /dev/null` writes to the device: syncing a device fails
/// (EINVAL), which once made the command fail and remove the path it had
/// written to, so that, run as root, it deleted `/dev/null` itself.
#[cfg(unix)]
fn output_to_a_device_is_written_not_replaced(db: &str) {
    use std::os::unix::fs::FileTypeExt;
    let null = std::path::Path::new("/dev/null");
    if !std::fs::metadata(null).is_ok_and(|m| m.file_type().is_char_device()) {
        eprintln!("skipped: /dev/null is not a character device on this machine");
        return;
    }
    for failing in [false, true] {
        let text = if failing { "RETURN 1 / 0" } else { "RETURN 1" };
        let out = run(&["query", "--db", db, "-o", "/dev/null", text]);
        assert_eq!(out.status.success(), !failing, "{text}: {out:?}");
        let kind = std::fs::metadata(null).map(|m| m.file_type());
        assert!(
            kind.as_ref().is_ok_and(|k| k.is_char_device()),
            "{text}: /dev/null is no longer a device: {kind:?}"
        );
    }
}

#[cfg(not(unix))]
fn output_to_a_device_is_written_not_replaced(_: &str) {}

#[test]
fn generate_import_and_stats_agree() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    let db = dir.path().join("db");
    ok(&run(&[
        "generate",
        "--out",
        csv.to_str().unwrap(),
        "--scale",
        "0.01",
        "--seed",
        "5",
    ]));
    let flags = std::fs::read_to_string(csv.join("import-flags.txt")).unwrap();
    let mut import = relgraph();
    import
        .current_dir(&csv)
        .args(["import", "--db", db.to_str().unwrap(), "--no-progress"])
        .args(flags.split_whitespace());
    ok(&import.output().unwrap());
    let stats = json_of(&run(&[
        "stats",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]));

    let mut counter = relgraph_datagen::Counter::default();
    relgraph_datagen::generate(
        &relgraph_datagen::Config::new(0.01, 5).unwrap(),
        &mut counter,
    )
    .unwrap();
    let expected = counter.summary();
    assert_eq!(stats["nodes"], json!(expected.nodes));
    assert_eq!(stats["relationships"], json!(expected.relationships));
    for (label, n) in &expected.nodes_by_label {
        assert_eq!(stats["labels"][label], json!(n), "{label}");
    }
    for (t, n) in &expected.relationships_by_type {
        assert_eq!(stats["relationship_types"][t], json!(n), "{t}");
    }
    // Imported dates compare with the reference date.
    let v = json_of(&run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "MATCH (m:Meta), (p:Person {me: true}) RETURN m.today AS today, p.joined < m.today AS before",
    ]));
    assert_eq!(v["rows"], json!([["2024-06-30", true]]));
}

#[test]
fn import_max_field_size_is_a_flag() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, "id:ID,name\n1,Ann\n2,Bartholomew\n").unwrap();
    let spec = format!("Person={}", people.display());
    let import = |db: &str, size: &str| {
        run(&[
            "import",
            "--db",
            dir.path().join(db).to_str().unwrap(),
            "--no-progress",
            "--max-field-size",
            size,
            "--nodes",
            &spec,
        ])
    };
    let out = import("small.db", "10B");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:2:", people.display())) && err.contains("longer than 10 bytes"),
        "{err}"
    );
    ok(&import("fits.db", "11B"));
    let out = import("bad.db", "ten");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn check_reports_a_damaged_segment_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(&run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "UNWIND range(1, 5000) AS i CREATE (:P {i: i, name: 'p' + toString(i)})",
    ]));
    let out = run(&["check", "--db", db.to_str().unwrap()]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("no damage found"), "{text}");
    assert!(text.contains("5000 nodes"), "{text}");
    // Flip one byte of data in every segment file (the closing checkpoint
    // wrote at least one).
    let segments: Vec<_> = std::fs::read_dir(db.join("segments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!segments.is_empty());
    for seg in &segments {
        let mut bytes = std::fs::read(seg).unwrap();
        bytes[64] ^= 0x40;
        std::fs::write(seg, bytes).unwrap();
    }
    let out = run(&["check", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("DAMAGED") && text.contains("data checksum"),
        "{text}"
    );
    // A truncated file does not even open: still a report, still 1.
    std::fs::write(&segments[0], b"short").unwrap();
    let out = run(&["check", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("damaged"));
}

#[test]
fn generate_db_matches_the_generator() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    ok(&run(&[
        "generate",
        "--out",
        db.to_str().unwrap(),
        "--format",
        "db",
        "--scale",
        "0.01",
        "--quiet",
    ]));
    let stats = json_of(&run(&[
        "stats",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let mut counter = relgraph_datagen::Counter::default();
    relgraph_datagen::generate(
        &relgraph_datagen::Config::new(0.01, 42).unwrap(),
        &mut counter,
    )
    .unwrap();
    assert_eq!(
        stats["relationships"],
        json!(counter.summary().relationships)
    );
    let again = run(&[
        "generate",
        "--out",
        db.to_str().unwrap(),
        "--format",
        "db",
        "--scale",
        "0.01",
    ]);
    assert_eq!(again.status.code(), Some(1), "refuses a non-empty target");
    let bad = run(&[
        "generate",
        "--out",
        dir.path().join("x").to_str().unwrap(),
        "--scale=-1",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("scale"), "{}", text(&bad.stderr));
}

#[test]
fn bench_reports_each_query() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let queries = dir.path().join("queries");
    std::fs::create_dir(&queries).unwrap();
    std::fs::write(
        queries.join("three.cypher"),
        "UNWIND range(1, 3) AS x RETURN x;\n",
    )
    .unwrap();
    std::fs::write(queries.join("one.cypher"), "RETURN 1 AS one").unwrap();
    std::fs::write(queries.join("one.kuzu.cypher"), "RETURN 1 AS one").unwrap();
    ok(&run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "CREATE (:X)",
    ]));
    let v = json_of(&run(&[
        "bench",
        "--db",
        db.to_str().unwrap(),
        queries.to_str().unwrap(),
        "--runs",
        "3",
        "--threads",
        "2",
        "--format",
        "json",
    ]));
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["one", "three"]);
    assert_eq!(v["three"]["rows"], json!(3));
    for q in obj.values() {
        let (min, med, max) = (
            q["min_ms"].as_f64().unwrap(),
            q["median_ms"].as_f64().unwrap(),
            q["max_ms"].as_f64().unwrap(),
        );
        assert!(0.0 <= min && min <= med && med <= max, "{q}");
    }
    std::fs::write(queries.join("bad.cypher"), "RETURN nope").unwrap();
    let failed = run(&[
        "bench",
        "--db",
        db.to_str().unwrap(),
        queries.to_str().unwrap(),
        "--runs",
        "1",
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        text(&failed.stderr).contains("bad.cypher"),
        "{}",
        text(&failed.stderr)
    );
    let kept = json_of(&run(&[
        "bench",
        "--db",
        db.to_str().unwrap(),
        queries.to_str().unwrap(),
        "--runs",
        "1",
        "--format",
        "json",
        "--keep-going",
    ]));
    assert!(
        kept["bad"]["error"].is_string() && kept["one"]["rows"] == json!(1),
        "{kept}"
    );
}

#[test]
fn shell_reads_statements_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let script = "\
:param name => 'Ada'
CREATE (:Person {name: $name});
CREATE (:Person {name: 'Grace'}); CREATE (:Person {name: 'Linus'});
// a comment; with a semicolon
MATCH (p:Person)
WHERE p.name <> 'Linus'
RETURN p.name AS name
ORDER BY name;
:format csv
MATCH (p:Person) RETURN count(p) AS people;
RETURN 'last statement without a semicolon' AS s";
    let out = run_stdin(&["--db", db.to_str().unwrap()], &[], script);
    let stdout = ok(&out);
    assert!(stdout.contains("$name => 'Ada'"), "{stdout}");
    assert!(stdout.contains("created 1 node"), "{stdout}");
    let ada = stdout.find("Ada").unwrap();
    let grace = stdout[ada..].find("Grace").map(|i| i + ada).unwrap();
    assert!(ada < grace && stdout.contains("2 rows"), "{stdout}");
    assert!(stdout.contains("people\n3\n"), "{stdout}");
    assert!(
        stdout.contains("s\nlast statement without a semicolon\n"),
        "{stdout}"
    );

    let out = run_stdin(
        &["shell", "--db", db.to_str().unwrap()],
        &[],
        "RETURN 1 AS x;\nRETURN nosuch;\nRETURN 2 AS y;\n",
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed statement makes the exit code 1"
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stdout.contains('1') && stdout.contains('2'),
        "later statements still run: {stdout}"
    );
    assert!(
        stderr.contains("nosuch") && stderr.contains('^'),
        "{stderr}"
    );
}

#[test]
fn shell_commands_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let src = dir.path().join("setup.cypher");
    std::fs::write(
        &src,
        "CREATE (:City {name: 'Paris'})-[:IN]->(:Country {name: 'France'});\n",
    )
    .unwrap();
    let script = format!(
        ":help\n:source {}\n:schema\n:stats\n:begin\nCREATE (:City {{name: 'Lyon'}});\n:rollback\n:begin\nCREATE (:City {{name: 'Nice'}});\n:commit\nMATCH (c:City) RETURN c.name AS city ORDER BY city;\n:params\n:timing off\n:format json\nRETURN 1 AS one;\n:explain MATCH (c:City) RETURN c\n:nosuch\n:quit\nRETURN 'not reached';\n",
        src.display()
    );
    let out = run_stdin(&["--db", db.to_str().unwrap()], &[], &script);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains(":source FILE"), "help: {stdout}");
    assert!(
        stdout.contains("labels:             City, Country"),
        "schema: {stdout}"
    );
    assert!(stdout.contains("[:IN]"), "stats: {stdout}");
    assert!(
        stdout.contains("Nice") && stdout.contains("Paris") && !stdout.contains("Lyon"),
        "{stdout}"
    );
    assert!(stdout.contains("no parameters"), "{stdout}");
    assert!(
        stdout.contains(r#"{"columns":["one"],"rows":[[1]]}"#),
        "{stdout}"
    );
    assert!(!stdout.contains("not reached"), "{stdout}");
    assert!(stderr.contains("unknown command :nosuch"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn watch_prints_the_rows_each_commit_adds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let script = "\
CREATE (:Company {name: 'Old', stage: 'B'});
:watch MATCH (c:Company) WHERE c.stage = 'B' RETURN c.name AS company;
:watch
CREATE (:Company {name: 'Acme', stage: 'B'}), (:Company {name: 'Seedy', stage: 'Seed'});
CREATE (:Person {name: 'Ann'});
:begin
CREATE (:Company {name: 'Initech', stage: 'B'});
:commit
:unwatch
CREATE (:Company {name: 'Globex', stage: 'B'});
:watch MATCH (c:Company) RETURN c.name ORDER BY c.name
:unwatch 7
";
    let out = run_stdin(&["--db", db.to_str().unwrap()], &[], script);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("watch #1: 1 row(s) now"), "{stdout}");
    assert!(stdout.contains("#1 MATCH (c:Company)"), "{stdout}");
    assert_eq!(stdout.matches("new row(s)").count(), 2, "{stdout}");
    assert!(stdout.contains("at version 2: 1 new row(s)"), "{stdout}");
    assert!(stdout.contains("at version 4: 1 new row(s)"), "{stdout}");
    assert!(
        stdout.contains("Acme") && stdout.contains("Initech"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Seedy") && !stdout.contains("Globex"),
        "{stdout}"
    );
    assert!(stdout.contains("stopped watch #1"), "{stdout}");
    assert!(stderr.contains("ORDER BY"), "{stderr}");
    assert!(stderr.contains("no watch 7"), "{stderr}");
    // A watch is not stored in the database.
    let out = run(&[
        "query",
        "--db",
        db.to_str().unwrap(),
        "CALL db.standing.list()",
    ]);
    assert!(!ok(&out).contains("shell-"), "{}", ok(&out));
}

#[test]
fn no_db_opens_the_demo_database_in_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_stdin(
        &[],
        &[("RELGRAPH_DATA_DIR", dir.path())],
        "MATCH (p:Person {me: true}) RETURN p.name AS me;\n",
    );
    let stdout = ok(&out);
    assert!(
        stdout.contains("Me") && stdout.contains("1 row"),
        "{stdout}"
    );
    assert!(dir.path().join("demo").is_dir());
    // The second start opens the existing demo.
    let out = run_stdin(
        &[],
        &[("RELGRAPH_DATA_DIR", dir.path())],
        "MATCH (p:Person) RETURN count(p) AS n;\n",
    );
    assert!(ok(&out).contains("1000"));
    assert!(!text(&out.stderr).contains("creating the demo database"));
}

/// A statement with ten billion rows: it runs until a limit stops it.
const ENDLESS: &str =
    "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n";

/// CSV and JSON print rows as they come; a table holds its cells, so the
/// same rows that print as CSV under a budget are refused as a table.
#[test]
fn tables_count_against_the_memory_budget_csv_streams() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let param = format!("s='{}'", "x".repeat(4000));
    let query = |format: &str| {
        run(&[
            "query",
            "--db",
            db.to_str().unwrap(),
            "--memory",
            "24MB",
            "--format",
            format,
            "--param",
            &param,
            "UNWIND range(1, 3000) AS i RETURN i, $s AS s",
        ])
    };
    let csv = ok(&query("csv"));
    assert_eq!(csv.lines().count(), 3001);
    let json = json_of(&query("json"));
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(3000));
    assert_eq!(json["rows"][2999][0], json!(3000));
    let out = query("table");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "a partial table was printed");
    let err = text(&out.stderr);
    assert!(err.contains("more than the memory budget"), "{err}");
}

#[test]
fn query_limit_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();

    let t0 = std::time::Instant::now();
    let out = run(&["query", "--db", db, "--timeout", "500ms", ENDLESS]);
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("timed out after 500 ms"),
        "{}",
        text(&out.stderr)
    );
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");

    let out = run(&[
        "query",
        "--db",
        db,
        "--max-rows",
        "3",
        "UNWIND range(1, 10) AS i RETURN i",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("maximum of 3 rows"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&[
        "query",
        "--db",
        db,
        "--memory",
        "1MB",
        "RETURN size(range(1, 1000000)) AS n",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("memory budget of 1000000 bytes"),
        "{}",
        text(&out.stderr)
    );

    // `relgraph query --db DB --format csv FLAGS... QUERY`.
    let csv = |flags: &[&str], query: &str| {
        run(&[&["query", "--db", db, "--format", "csv"], flags, &[query]].concat())
    };

    // Generous limits, in every unit, let a statement answer.
    for (timeout, memory) in [
        ("1m", "1GiB"),
        ("2s", "512MB"),
        ("none", "none"),
        ("90s", "64MiB"),
    ] {
        let flags = ["--timeout", timeout, "--memory", memory, "--max-rows", "10"];
        let out = csv(&flags, "RETURN size(range(1, 1000)) AS n");
        assert_eq!(
            ok(&out),
            "n\n1000\n",
            "--timeout {timeout} --memory {memory}"
        );
    }

    // Worker threads: the same answer on one, on two, and by default
    // (an aggregation and a sort large enough to be split).
    let grouped = "UNWIND range(1, 300000) AS x WITH x % 7 AS k, count(*) AS n, sum(x) AS s \
                   RETURN k, n, s ORDER BY k";
    let want = ok(&csv(&[], grouped));
    assert!(want.starts_with("k,n,s\n0,42857,"), "{want}");
    for threads in ["1", "2"] {
        assert_eq!(
            ok(&csv(&["--threads", threads], grouped)),
            want,
            "--threads {threads}"
        );
    }
    let out = run(&[
        "--threads",
        "1",
        "query",
        "--db",
        db,
        "--format",
        "csv",
        grouped,
    ]);
    assert_eq!(ok(&out), want, "relgraph --threads 1 query");

    for (flag, value, complaint) in [
        ("--timeout", "2 fortnights", "unknown duration unit"),
        ("--memory", "12 parsecs", "unknown size unit"),
        ("--max-rows", "many", "not a number of rows"),
        ("--threads", "0", "--threads"),
        ("--threads", "many", "--threads"),
    ] {
        let out = run(&["query", "--db", db, flag, value, "RETURN 1"]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(
            text(&out.stderr).contains(complaint),
            "{flag} {value}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn shell_limits_flags_set_and_defaults() {
    let help = ok(&run(&["shell", "--help"]));
    for needle in [
        "--timeout",
        "--memory",
        "--max-rows",
        "60 s timeout",
        "quarter of physical",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    // The defaults, then flags, then :set.
    let out = run_stdin(&["shell", "--db", db], &[], ":set\n");
    let stdout = ok(&out);
    assert!(stdout.contains("timeout   60s"), "{stdout}");
    assert!(stdout.contains("max-rows  none"), "{stdout}");
    assert!(
        stdout.contains("memory    ") && !stdout.contains("memory    none"),
        "{stdout}"
    );

    let out = run_stdin(
        &[
            "shell",
            "--db",
            db,
            "--timeout",
            "2s",
            "--memory",
            "1GiB",
            "--max-rows",
            "5",
        ],
        &[],
        ":set\n",
    );
    let stdout = ok(&out);
    assert!(
        stdout.contains("timeout   2s\nmax-rows  5\nmemory    1 GiB\n"),
        "{stdout}"
    );

    let script = format!(
        ":set timeout 300ms\n{ENDLESS};\nRETURN 'still here' AS s;\n\
         :set timeout none\n:set max-rows 2\nUNWIND range(1, 5) AS i RETURN i;\n\
         :set memory 1MB\nRETURN size(range(1, 1000000)) AS n;\n\
         :set max-rows none\n:set memory 64MiB\nUNWIND range(1, 5) AS i RETURN count(i) AS c;\n\
         :set timeout soon\n:set\n"
    );
    let t0 = std::time::Instant::now();
    let out = run_stdin(&["shell", "--db", db], &[], &script);
    let took = t0.elapsed();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("timed out after 300 ms"), "{stderr}");
    assert!(stdout.contains("still here"), "{stdout}");
    assert!(stderr.contains("maximum of 2 rows"), "{stderr}");
    assert!(
        stderr.contains("memory budget of 1000000 bytes"),
        "{stderr}"
    );
    assert!(
        stdout.contains("c\n5\n") || stdout.contains("│ 5"),
        "{stdout}"
    );
    assert!(
        stderr.contains("`soon` does not start with a number"),
        "{stderr}"
    );
    assert!(
        stdout.contains("timeout   none\nmax-rows  none\nmemory    64 MiB\n"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// Every file under `dir` as bytes, concatenated (for a search).
fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(all_bytes(&p));
        } else {
            out.extend(std::fs::read(&p).unwrap());
        }
    }
    out
}

#[test]
fn erase_prints_what_it_erased_and_no_file_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    ok(&run(&[
        "query",
        "--db",
        db,
        "CREATE (:Person {email: 'qqada@example.com', bio: 'qqsecret'})-[:KNOWS {note: 'qqnote'}]->(:Person {email: 'qqbob@example.com'})",
    ]));
    let has = |needle: &str| {
        all_bytes(std::path::Path::new(db))
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    };
    assert!(has("qqsecret") && has("qqnote") && has("qqbob"));
    let out = run(&[
        "erase",
        "--db",
        db,
        "--query",
        "MATCH (p:Person {email: $e}) RETURN p",
        "--param",
        "e='qqada@example.com'",
    ]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("erased node 0:Person"), "{text}");
    assert!(
        text.contains("erased 1 node and 1 relationship in"),
        "{text}"
    );
    assert!(
        !text.contains("qqsecret"),
        "erase never echoes values: {text}"
    );
    for gone in ["qqada", "qqsecret", "qqnote"] {
        assert!(!has(gone), "{gone} is still in the files");
    }
    assert!(has("qqbob"));
    // A query that writes is refused, and nothing is erased.
    let out = run(&[
        "erase",
        "--db",
        db,
        "--query",
        "MATCH (p:Person) DETACH DELETE p",
    ]);
    assert!(!out.status.success());
    assert!(has("qqbob"));
}
