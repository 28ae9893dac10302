//! Damaging a database directory on purpose: a fixed database (a
//! checkpointed base image in segment files, plus later commits in the
//! log) and edits of its files described by bytes. Shared by the `open`
//! fuzz target (`fuzz/fuzz_targets/open.rs`, which includes this file) and
//! `tests/damaged_files.rs`, which replays the inputs the fuzzer found.
//!
//! An input is a sequence of 8-byte edits `[file, op, offset (4 bytes LE),
//! a, b]`. `file` picks one of the database's files (sorted by path, modulo
//! their number); `op % 5`: 0 flips bits `a` of the byte at `offset % len`,
//! 1 truncates the file to `offset % (len + 1)` bytes, 2 deletes it, 3
//! writes `a` over `b + 1` bytes from `offset % len`, 4 appends `b + 1`
//! bytes `a`. At most 16 edits are applied.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use relgraph::{Database, Params};
use relgraph_graph::store::CheckpointPolicy;

/// The fixed database, in a directory of its own.
pub struct Template {
    _dir: tempfile::TempDir,
    /// The database directory.
    pub db: PathBuf,
    /// Its files, relative to `db`, sorted.
    pub files: Vec<PathBuf>,
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

/// Builds the fixed database: 300 people with KNOWS relationships and an
/// index, checkpointed into a segment, then two commits left in the log.
pub fn template() -> Template {
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
}

/// Copies the directory `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
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

/// Copies the template to `to` and applies the edits `input` describes.
pub fn damaged_copy(t: &Template, to: &Path, input: &[u8]) {
    copy_dir(&t.db, to);
    for e in input.chunks_exact(8).take(16) {
        edit(to, &t.files, e);
    }
}

/// What a damaged database must do: open with a typed error, or open and
/// answer (or refuse with a typed error) every one of these queries.
pub const QUERIES: [&str; 4] = [
    "MATCH (n) RETURN count(n) AS c",
    "MATCH (a)-[r]->(b) RETURN count(r) AS c, sum(r.w) AS w",
    "MATCH (n:Person {id: 5}) RETURN n.name AS name",
    "MATCH (n) RETURN labels(n), properties(n) ORDER BY id(n) LIMIT 20",
];

/// CRC-32 (IEEE, as zlib), bit by bit: the files here are small.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Copies the closed database `from` to `to`, flips bits `mask` of byte
/// `at` of the array `pick` chooses in the footer of its newest segment
/// file, and makes everything else agree with the damage: the file's
/// data checksum in its trailer and in the manifest are recomputed, so
/// only the array's own checksum (format 4) can tell. Returns the
/// segment file's name.
pub fn flip_in_array(
    from: &Path,
    to: &Path,
    pick: impl Fn(
        &relgraph_graph::snapshot::segment::SegmentFooter,
    ) -> Option<relgraph_graph::snapshot::segment::Arr>,
    at: u64,
    mask: u8,
) -> String {
    use relgraph_graph::kv::{KvStore, SledKv, WriteBatch};
    use relgraph_graph::store::format::{self, Manifest, KEY_MANIFEST, META};
    // Edited in a scratch copy: sled opens each path once per process.
    let scratch = to.with_extension("editing");
    copy_dir(from, &scratch);
    let mut segs: Vec<PathBuf> = std::fs::read_dir(scratch.join("segments"))
        .expect("segments")
        .map(|e| e.expect("entry").path())
        .collect();
    segs.sort();
    let path = segs.pop().expect("a segment file");
    let mut bytes = std::fs::read(&path).expect("read segment");
    let (footer, data_len) =
        relgraph_graph::snapshot::segment::read_footer(&bytes).expect("footer");
    let arr = pick(&footer).expect("the array to damage");
    assert!(arr.off + at < data_len, "inside the data region");
    bytes[(arr.off + at) as usize] ^= mask;
    let crc = crc32(&bytes[..data_len as usize]);
    let t = bytes.len() - 28;
    bytes[t + 16..t + 20].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, &bytes).expect("write segment");
    let name = path
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    {
        let kv = SledKv::open(&scratch, false).expect("sled");
        let raw = kv.get(META, KEY_MANIFEST).expect("get").expect("manifest");
        let mut m: Manifest = format::decode_framed(META, KEY_MANIFEST, &raw).expect("decode");
        for e in &mut m.segments {
            if format::SegmentEntry::file_name(e.id) == name {
                e.data_crc = crc;
            }
        }
        let mut b = WriteBatch::new();
        b.put(
            META,
            KEY_MANIFEST.to_vec(),
            format::encode_framed(&m).expect("encode"),
        );
        kv.commit(b, relgraph_graph::store::Durability::Durable)
            .expect("commit");
    }
    copy_dir(&scratch, to);
    name
}
