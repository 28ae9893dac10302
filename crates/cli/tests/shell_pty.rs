//! The shell driven in a pseudo-terminal, as a person types into it.

use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

const TIMEOUT_MS: u64 = 60_000;

fn shell(db: Option<&std::path::Path>, data_dir: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_relgraph"));
    cmd.env("RELGRAPH_DATA_DIR", data_dir).env("TERM", "xterm");
    if let Some(db) = db {
        cmd.arg("--db").arg(db);
    }
    spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn relgraph in a pty")
}

#[test]
fn a_session_with_multi_line_queries_errors_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut p = shell(Some(&db), dir.path());
    p.exp_string("relgraph> ").unwrap();
    p.send_line("CREATE (:Person {name: 'Ada'}), (:Person {name: 'Grace'});")
        .unwrap();
    p.exp_string("created 2 nodes").unwrap();
    p.exp_string("relgraph> ").unwrap();

    // A statement over two lines: the continuation prompt, then the table.
    p.send_line("MATCH (p:Person)").unwrap();
    p.exp_string("-> ").unwrap();
    p.send_line("RETURN p.name AS name ORDER BY name;").unwrap();
    p.exp_string("name").unwrap();
    p.exp_string("Ada").unwrap();
    p.exp_string("Grace").unwrap();
    p.exp_regex(r"2 rows \(\d+\.\d ms\)").unwrap();

    // A bad query shows the caret under the bad token.
    p.send_line("MATCH (p:Person) RETURN q;").unwrap();
    p.exp_string("q").unwrap();
    p.exp_string("^").unwrap();
    p.exp_string("relgraph> ").unwrap();

    // Ctrl-C at the prompt clears a half-typed statement.
    p.send_line("MATCH (p)").unwrap();
    p.exp_string("-> ").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("input cleared").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line("RETURN 7 * 6 AS answer;").unwrap();
    p.exp_string("42").unwrap();
    p.exp_string("relgraph> ").unwrap();

    // Input typed before the prompt appears may be dropped by the terminal
    // mode switch, so wait for each prompt as a person would.
    p.send_line(":timing off").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line("RETURN 1 AS one;").unwrap();
    p.exp_regex(r"1 row\r?\n").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();

    let history =
        std::fs::read_to_string(dir.path().join("history.txt")).expect("history file written");
    assert!(
        history.contains("MATCH (p:Person) RETURN p.name AS name ORDER BY name;"),
        "{history}"
    );
}

#[test]
fn the_demo_database_with_tab_completion() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = shell(None, dir.path());
    p.exp_string("Try these questions").unwrap();
    p.exp_string("relgraph> ").unwrap();
    // `Pers<TAB>` completes to the label `Person`.
    p.send("MATCH (p:Pers\t").unwrap();
    p.flush().unwrap();
    p.exp_string("Person").unwrap();
    p.send_line(") RETURN count(p) AS people;").unwrap();
    p.exp_string("1000").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line(":stats").unwrap();
    p.exp_string("[:KNOWS]").unwrap();
    p.exp_string("relgraph> ").unwrap();
    // The planner's statistics: degrees per label and type.
    p.send_line(":stats planner").unwrap();
    p.exp_string("-[:KNOWS]->").unwrap();
    p.exp_string("p50/p90/p99").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_cancels_the_running_query_not_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let mut p = shell(Some(&db), dir.path());
    p.exp_string("relgraph> ").unwrap();
    // Long enough to still be running when Ctrl-C arrives.
    p.send_line("UNWIND range(1, 4000) AS a UNWIND range(1, 4000) AS b UNWIND range(1, 100) AS c RETURN count(*) AS n;").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    p.send_control('c').unwrap();
    p.exp_string("cancel").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line("RETURN 'still here' AS s;").unwrap();
    p.exp_string("still here").unwrap();
    p.exp_string("relgraph> ").unwrap();
    p.send_line(":quit").unwrap();
    p.exp_eof().unwrap();
}
