//! Data-driven shell tests: every `tests/fixtures/scripts/*.cypher` is
//! piped into `relgraph --db <fresh dir>`; its stdout and stderr must equal
//! the `.out` file beside it. `UPDATE_EXPECT=1` rewrites the `.out` files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scripts")
}

fn run_script(script: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_relgraph"))
        .arg("--db")
        .arg(dir.path().join("db"))
        .env("RELGRAPH_DATA_DIR", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn relgraph");
    let input = std::fs::read_to_string(script).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}--- stderr ---\n{}--- exit code: {} ---\n",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        out.status.code().unwrap_or(-1)
    )
}

#[test]
fn scripts_produce_their_expected_output() {
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(scripts_dir())
        .expect("tests/fixtures/scripts exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for script in scripts {
        let actual = run_script(&script);
        let expected_path = script.with_extension("out");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                script.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run with UPDATE_EXPECT=1 to accept)",
        failures.join("\n")
    );
}
