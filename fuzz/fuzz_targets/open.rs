//! Fuzz opening a damaged database directory: a fixed database (a
//! checkpointed base image in segment files, plus later commits in the log)
//! is copied, the input's edits are applied to its files, and the copy is
//! opened. Opening must give a typed error or a graph that answers queries;
//! it never panics, hangs or reads out of bounds.
//!
//! Input: a sequence of 8-byte edits `[file, op, offset (4 bytes LE), a, b]`.
//! `file` picks one of the database's files (sorted by path, modulo their
//! number); `op % 5`: 0 flips bits `a` of the byte at `offset % len`, 1
//! truncates the file to `offset % (len + 1)` bytes, 2 deletes it, 3 writes
//! `a` over `b + 1` bytes from `offset % len`, 4 appends `b + 1` bytes `a`.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use relgraph::{Database, Params};
use relgraph_graph::store::{CheckpointPolicy, Graph, OpenOptions};

struct Template {
    _dir: tempfile::TempDir,
    db: PathBuf,
    files: Vec<PathBuf>,
}

fn files_under(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read template dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).expect("under root").to_path_buf());
        }
    }
}

fn template() -> &'static Template {
    static T: OnceLock<Template> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("db");
        {
            let d = Database::open(&db).expect("create template");
            let p = Params::new();
            d.query(
                "UNWIND range(0, 299) AS i CREATE (:Person {id: i, name: 'p' + i})",
                &p,
            )
            .expect("nodes");
            d.query(
                "MATCH (a:Person), (b:Person) WHERE b.id = (a.id * 7 + 1) % 300 CREATE (a)-[:KNOWS {w: a.id}]->(b)",
                &p,
            )
            .expect("relationships");
            d.query("CREATE INDEX FOR (n:Person) ON (n.id)", &p)
                .expect("index");
            d.graph().checkpoint().expect("checkpoint");
            d.graph()
                .set_checkpoint_policy(CheckpointPolicy {
                    checkpoint_at_close: false,
                    ..CheckpointPolicy::default()
                })
                .expect("policy");
            // Commits after the checkpoint stay in the log.
            d.query("CREATE (:Late {i: 1})-[:AFTER]->(:Late {i: 2})", &p)
                .expect("late write");
            d.query("MATCH (n:Person {id: 5}) SET n.name = 'five'", &p)
                .expect("update");
        }
        let mut files = Vec::new();
        files_under(&db, &db, &mut files);
        Template {
            _dir: dir,
            db,
            files,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn edit(db: &Path, files: &[PathBuf], e: &[u8]) {
    let path = db.join(&files[e[0] as usize % files.len()]);
    let Ok(mut bytes) = std::fs::read(&path) else {
        return; // deleted by an earlier edit
    };
    let offset = u32::from_le_bytes([e[2], e[3], e[4], e[5]]) as usize;
    let (a, b) = (e[6], e[7] as usize + 1);
    match e[1] % 5 {
        0 if !bytes.is_empty() => {
            let at = offset % bytes.len();
            bytes[at] ^= a.max(1);
        }
        1 => bytes.truncate(offset % (bytes.len() + 1)),
        2 => {
            let _ = std::fs::remove_file(&path);
            return;
        }
        3 if !bytes.is_empty() => {
            let at = offset % bytes.len();
            let end = (at + b).min(bytes.len());
            bytes[at..end].iter_mut().for_each(|x| *x = a);
        }
        4 => bytes.extend(std::iter::repeat_n(a, b)),
        _ => return,
    }
    std::fs::write(&path, bytes).expect("write edited file");
}

fuzz_target!(|data: &[u8]| {
    let t = template();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    copy_dir(&t.db, &db);
    for e in data.chunks_exact(8).take(16) {
        edit(&db, &t.files, e);
    }
    let options = OpenOptions {
        create: false,
        ..OpenOptions::default()
    };
    let Ok(graph) = Graph::open_with(&db, &options) else {
        return;
    };
    let _ = graph.verify_segments();
    let db = Database::from_graph(graph);
    let p = Params::new();
    for q in [
        "MATCH (n) RETURN count(n) AS c",
        "MATCH (a)-[r]->(b) RETURN count(r) AS c, sum(r.w) AS w",
        "MATCH (n:Person {id: 5}) RETURN n.name AS name",
        "MATCH (n) RETURN labels(n), properties(n) ORDER BY id(n) LIMIT 20",
    ] {
        if let Ok(r) = db.query(q, &p) {
            for row in r.rows() {
                let _ = format!("{row:?}");
            }
        }
    }
});
