//! Helpers shared by the test crates that run the `relgraph` binary (each
//! test crate uses some of them).
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value as Json;

/// The built binary, kept away from the user's real data directory.
pub fn relgraph() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relgraph"));
    // Never touch the user's real data directory.
    c.env(
        "RELGRAPH_DATA_DIR",
        std::env::temp_dir().join("relgraph-cli-tests-unused"),
    );
    c
}

pub fn run(args: &[&str]) -> Output {
    relgraph().args(args).output().expect("run relgraph")
}

pub fn run_stdin(args: &[&str], env: &[(&str, &Path)], input: &str) -> Output {
    let mut cmd = relgraph();
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn relgraph");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for relgraph")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

pub fn json_of(out: &Output) -> Json {
    let s = ok(out);
    serde_json::from_str(&s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}
