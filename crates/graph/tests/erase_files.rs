//! Erasure, verified by reading every byte of every file of the database
//! directory: no value of an erased person is left (in UTF-8, UTF-16LE or
//! UTF-16BE), every value of a kept person still answers. sled 0.34 is
//! built without its `compression` feature (no zstd in the lock file), so
//! values are stored as they are; the kept markers being found in the
//! files is the check that the scan sees them.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use relgraph_graph::snapshot::segment::{read_footer, Arr, IdsDir};
use relgraph_graph::store::{CheckpointPolicy, OpenOptions};
use relgraph_graph::{Direction, Graph, GraphError, NodeId, RelTypeId, Value};

const PEOPLE: u64 = 40;

#[path = "../../../tests/common/markers.rs"]
mod markers;

use markers::{copy_dir, marker, markers_in};

// Markers of person `i`: `n` name, `e` email, `a` first bio, `b` second
// bio, `c` nickname (only in the log), `r` note on the KNOWS to `i + 2` (same parity), `s` note on the
// KNOWS to `i + 1`.

fn open(path: &Path) -> Graph {
    let g = Graph::open_with(
        path,
        &OpenOptions {
            write_lock_timeout: Duration::from_millis(500),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    g.set_checkpoint_policy(CheckpointPolicy {
        max_log_records: u64::MAX,
        max_log_bytes: u64::MAX,
        checkpoint_at_close: false,
        background: false,
        ..CheckpointPolicy::default()
    })
    .unwrap();
    g
}

fn person(g: &Graph, email: &str) -> Option<NodeId> {
    let s = g.snapshot();
    let key = s.catalog().prop_key_id("email")?;
    let found = s
        .nodes()
        .find(|n| s.node_property(*n, key).as_deref() == Some(&Value::from(email)));
    found
}

fn text(g: &Graph, n: NodeId, key: &str) -> Option<String> {
    let s = g.snapshot();
    let k = s.catalog().prop_key_id(key)?;
    match s.node_property(n, k)?.into_owned() {
        Value::String(v) => Some(v.to_string()),
        _ => None,
    }
}

/// Person `i` with a name, an email and a first bio.
fn create_person(tx: &mut relgraph_graph::store::WriteTxn, i: u64) -> NodeId {
    tx.create_node(
        &["Person"],
        vec![
            ("name", Value::from(format!("Person {}", marker(i, 'n')))),
            (
                "email",
                Value::from(format!("{}@example.com", marker(i, 'e'))),
            ),
            ("bio", Value::from(format!("first {}", marker(i, 'a')))),
        ],
    )
    .unwrap()
}

/// Builds the graph: 4 x 4096 fillers (node chunks 0-3, never changed
/// again), people 0..20 committed and checkpointed; then people 20..40,
/// second bios and KNOWS notes, checkpointed; then nicknames, only in the
/// log.
fn build(g: &Graph) -> Vec<NodeId> {
    let mut ids = Vec::new();
    let mut tx = g.begin_write().unwrap();
    // Four chunks of nodes no erasure touches (so no checkpoint compacts
    // everything into one new segment): the first segment stays
    // in the manifest, so its superseded chunks must be scrubbed in place.
    for _ in 0..4 * 4096 {
        tx.create_node(&["Filler"], vec![]).unwrap();
    }
    let acme = tx
        .create_node(&["Company"], vec![("name", Value::from("Acme"))])
        .unwrap();
    for i in 0..PEOPLE / 2 {
        let p = create_person(&mut tx, i);
        tx.create_rel(p, "WORKS_AT", acme, vec![]).unwrap();
        ids.push(p);
    }
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let mut tx = g.begin_write().unwrap();
    for i in PEOPLE / 2..PEOPLE {
        let p = create_person(&mut tx, i);
        ids.push(p);
    }
    for i in 0..PEOPLE {
        let p = ids[i as usize];
        tx.set_node_property(p, "bio", Value::from(format!("second {}", marker(i, 'b'))))
            .unwrap();
        let same = ids[((i + 2) % PEOPLE) as usize];
        let next = ids[((i + 1) % PEOPLE) as usize];
        tx.create_rel(
            p,
            "KNOWS",
            same,
            vec![("note", Value::from(format!("met {}", marker(i, 'r'))))],
        )
        .unwrap();
        tx.create_rel(
            p,
            "KNOWS",
            next,
            vec![("note", Value::from(format!("saw {}", marker(i, 's'))))],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    // More writes that stay in the log: nicknames, `c`.
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&["Company"], vec![("name", Value::from("Initech"))])
        .unwrap();
    for i in 0..PEOPLE {
        tx.set_node_property(
            ids[i as usize],
            "nick",
            Value::from(format!("nick {}", marker(i, 'c'))),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    ids
}

/// The markers that must be gone once the even people are erased, and
/// those that must still be there.
fn expectations() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut gone = BTreeSet::new();
    let mut kept = BTreeSet::new();
    for i in 0..PEOPLE {
        if i % 2 == 0 {
            for k in ['n', 'e', 'a', 'b', 'c', 'r', 's'] {
                gone.insert(marker(i, k));
            }
        } else {
            for k in ['n', 'e', 'b', 'c', 'r'] {
                kept.insert(marker(i, k));
            }
            // The note to an erased neighbour is erased with the relationship.
            gone.insert(marker(i, 's'));
        }
    }
    (gone, kept)
}

fn check_files(dir: &Path) {
    let (gone, kept) = expectations();
    let found = markers_in(dir);
    let left: Vec<&String> = gone.intersection(&found).collect();
    assert!(
        left.is_empty(),
        "erased values still in the files: {left:?}"
    );
    let missing: Vec<&String> = kept.difference(&found).collect();
    assert!(
        missing.is_empty(),
        "kept values not found in the files: {missing:?}"
    );
}

fn check_answers(g: &Graph) {
    for i in 0..PEOPLE {
        let found = person(g, &format!("{}@example.com", marker(i, 'e')));
        if i % 2 == 0 {
            assert_eq!(found, None, "erased person {i} still answers");
            continue;
        }
        let p = found.unwrap_or_else(|| panic!("kept person {i} is gone"));
        assert_eq!(
            text(g, p, "name"),
            Some(format!("Person {}", marker(i, 'n')))
        );
        assert_eq!(
            text(g, p, "bio"),
            Some(format!("second {}", marker(i, 'b')))
        );
    }
    let s = g.snapshot();
    // Odd people keep their KNOWS to i + 2 (odd) and lose the one to i + 1.
    assert_eq!(s.rel_count(), PEOPLE / 2 + PEOPLE / 4);
}

fn assert_segments_intact(g: &Graph) {
    let report = g.verify_segments().unwrap();
    assert!(report.iter().all(|s| s.damage.is_none()), "{report:?}");
}

#[test]
fn erased_values_leave_every_file_and_kept_ones_answer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let g = open(&path);
    let ids = build(&g);
    let before = markers_in(&path);
    assert!(before.contains(&marker(0, 'a')) && before.contains(&marker(0, 's')));

    let even: Vec<NodeId> = ids.iter().step_by(2).copied().collect();
    let erased = g.erase(&even).unwrap();
    // The first segment (fillers) stays in use: the people's chunk in it
    // is a superseded copy, redacted in place like the current one.
    assert!(g.store_stats().unwrap().segments >= 2);
    assert_eq!(erased.nodes, PEOPLE / 2);
    // Each even person: WORKS_AT (people < 20), KNOWS out x2, KNOWS in from
    // i - 1 (odd) and i - 2 (even, counted once).
    assert_eq!(
        erased.relationships,
        PEOPLE / 4 + 2 * (PEOPLE / 2) + PEOPLE / 2
    );
    assert!(!g.erasure_pending());
    check_files(&path);
    check_answers(&g);
    // The store keeps working and stays consistent.
    assert_segments_intact(&g);
    let mut tx = g.begin_write().unwrap();
    tx.create_node(&["Person"], vec![("name", Value::from("after"))])
        .unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let (copy, g) = reopen_copy(g, dir.path(), &path);
    drop(g);
    check_files(&copy);
}

/// Closes `g`, copies `path` (one sled path is never reopened in a
/// process), opens the copy and checks it answers as it should.
fn reopen_copy(g: Graph, dir: &Path, path: &Path) -> (std::path::PathBuf, Graph) {
    drop(g);
    let copy = dir.join("copy");
    copy_dir(path, &copy);
    let g = open(&copy);
    check_answers(&g);
    assert_segments_intact(&g);
    (copy, g)
}

#[test]
fn a_reader_of_an_older_version_blocks_the_scrub_and_keeps_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let g = open(&path);
    let ids = build(&g);
    let old = g.snapshot();
    let even: Vec<NodeId> = ids.iter().step_by(2).copied().collect();
    match g.erase(&even) {
        Err(GraphError::ErasureBlocked { readers, .. }) => assert!(readers >= 1),
        other => panic!("expected ErasureBlocked, got {other:?}"),
    }
    assert!(g.erasure_pending());
    // Deleted for new readers, intact for the old one.
    assert_eq!(person(&g, &format!("{}@example.com", marker(0, 'e'))), None);
    let key = old.catalog().prop_key_id("name").unwrap();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            old.node_property(*id, key).as_deref(),
            Some(&Value::from(format!("Person {}", marker(i as u64, 'n'))))
        );
    }
    drop(old);
    assert!(g.finish_erasure().unwrap());
    assert!(!g.erasure_pending());
    check_files(&path);
    check_answers(&g);
}

/// Every relationship of `nodes` in `g`'s current snapshot.
fn rels_of(g: &Graph, nodes: &[NodeId]) -> BTreeSet<u64> {
    let s = g.snapshot();
    let mut out = BTreeSet::new();
    for n in nodes {
        for t in 0..s.catalog().rel_types().len() {
            for d in [Direction::Outgoing, Direction::Incoming] {
                out.extend(
                    s.neighbors(*n, RelTypeId(t as u32), d)
                        .iter()
                        .map(|a| a.rel.0),
                );
            }
        }
    }
    out
}

fn u64_at(bytes: &[u8], off: u64) -> u64 {
    let o = off as usize;
    u64::from_le_bytes(bytes[o..o + 8].try_into().unwrap())
}

fn bit(bytes: &[u8], bitmap: Arr, l: u64) -> bool {
    l / 64 < bitmap.len && u64_at(bytes, bitmap.off + 8 * (l / 64)) & (1 << (l % 64)) != 0
}

/// Reads every segment file of `dir` as storage-format.md describes it:
/// no chunk holds an erased node or relationship alive, a relationship's
/// ends or type, and no adjacency entry (holes included: the whole array)
/// names an erased node or relationship.
fn check_no_ids(dir: &Path, nodes: &BTreeSet<u64>, rels: &BTreeSet<u64>) {
    let mut files = 0;
    for e in std::fs::read_dir(dir.join("segments")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let (footer, _) = read_footer(&bytes).unwrap();
        files += 1;
        for (c, d) in &footer.nodes {
            for &n in nodes.iter().filter(|n| *n / 4096 == *c) {
                let l = n % 4096;
                assert!(!bit(&bytes, d.alive, l), "node {n} alive in a segment");
                for (label, bits) in &d.label_bits {
                    assert!(!bit(&bytes, *bits, l), "node {n} has label {label}");
                }
            }
            for (t, dir, _, entries) in &d.adj {
                for i in 0..entries.arr().len {
                    let node = entries.id(&bytes, 2, 2 * i).unwrap();
                    let rel = entries.id(&bytes, 2, 2 * i + 1).unwrap();
                    assert!(
                        !nodes.contains(&node) && !rels.contains(&rel),
                        "chunk {c}, type {t} dir {dir}: entry ({node}, {rel}) names an erased id"
                    );
                }
            }
        }
        for (c, d) in &footer.rels {
            for &r in rels.iter().filter(|r| *r / 4096 == *c) {
                let l = r % 4096;
                assert!(!bit(&bytes, d.alive, l), "relationship {r} alive");
                for ends in [d.src, d.dst] {
                    let Some(v) = ends.id(&bytes, 1, l) else {
                        continue;
                    };
                    if let IdsDir::Packed { base, .. } = ends {
                        // Zero offsets from a base that is no erased node.
                        assert!(!nodes.contains(&base), "base of {r}'s chunk");
                        assert_eq!(v, base, "ends of {r}");
                    } else {
                        assert_eq!(v, 0, "ends of {r}");
                    }
                }
            }
        }
    }
    assert!(files >= 2, "the test wants a superseded segment");
}

/// The erased people's ids, labels and relationships (ends, types, the
/// neighbours' adjacency entries) leave every segment, superseded chunks
/// included, and a relationship deleted and folded before the erasure
/// too; the database reopened without a checkpoint (base image replayed
/// with the log that lost the erased entities' changes) holds the same
/// graph and counts.
#[test]
fn erased_people_leave_no_id_in_any_segment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let g = open(&path);
    let ids = build(&g);
    let even: Vec<NodeId> = ids.iter().step_by(2).copied().collect();
    // Person 0 loses the KNOWS to person 1 before the erasure, folded.
    let mut earlier = rels_of(&g, &even);
    let s = g.snapshot();
    let knows = s.catalog().rel_type_id("KNOWS").unwrap();
    let to_next = s
        .neighbors(ids[0], knows, Direction::Outgoing)
        .iter()
        .find(|a| a.node == ids[1])
        .unwrap()
        .rel;
    drop(s);
    let mut tx = g.begin_write().unwrap();
    tx.delete_rel(to_next).unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    earlier.extend(rels_of(&g, &even));
    let person = g.snapshot().catalog().label_id("Person").unwrap();
    let (nodes_before, people_before) = {
        let s = g.snapshot();
        (s.node_count(), s.label_count(person))
    };

    g.erase(&even).unwrap();
    let erased_nodes: BTreeSet<u64> = even.iter().map(|n| n.0).collect();
    check_no_ids(&path, &erased_nodes, &earlier);
    check_answers(&g);
    let (copy, g) = reopen_copy(g, dir.path(), &path);
    let s = g.snapshot();
    assert_eq!(s.node_count(), nodes_before - PEOPLE / 2);
    assert_eq!(s.label_count(person), people_before - PEOPLE / 2);
    for n in &even {
        assert!(!s.node_exists(*n));
    }
    // The kept people's own lists: KNOWS to i + 2 only, none to an erased one.
    for (i, p) in ids.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let out = s.neighbors(*p, knows, Direction::Outgoing);
        assert_eq!(out.len(), 1, "person {i}");
        assert_eq!(out[0].node, ids[(i + 2) % PEOPLE as usize]);
    }
    drop(s);
    // Writes and a checkpoint over lists that end in holes.
    let mut tx = g.begin_write().unwrap();
    tx.create_rel(ids[1], "KNOWS", ids[5], vec![]).unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let out = g
        .snapshot()
        .neighbors(ids[1], knows, Direction::Outgoing)
        .len();
    assert_eq!(out, 2);
    drop(g);
    check_no_ids(&copy, &erased_nodes, &earlier);
}
