//! Fuzz opening a damaged database directory: a fixed database (a
//! checkpointed base image in segment files, plus later commits in the log)
//! is copied, the input's edits are applied to its files, and the copy is
//! opened. Opening must give a typed error or a graph that answers queries;
//! it never panics, hangs or reads out of bounds.
//!
//! The input is a sequence of edits, described in `tests/common/damage.rs`
//! (shared with `tests/damaged_files.rs`, which replays what this target
//! found).

#![no_main]

use std::sync::{Once, OnceLock};

use libfuzzer_sys::fuzz_target;
use relgraph::{Database, Params};
use relgraph_graph::store::{Graph, OpenOptions};

#[path = "../../tests/common/damage.rs"]
mod damage;

fn template() -> &'static damage::Template {
    static T: OnceLock<damage::Template> = OnceLock::new();
    T.get_or_init(damage::template)
}

/// libFuzzer's panic hook aborts before unwinding; sled may panic on a
/// damaged file while it opens, and relgraph's sled backend catches that
/// (`catch_unwind` around sled's open) and returns a typed error. Panics
/// raised in sled's own source are let through to that catch; any other
/// panic still aborts and is a finding.
fn let_sled_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.location().is_some_and(|l| l.file().contains("/sled-")) {
                eprintln!("sled panicked, left to relgraph's catch: {info}");
                return;
            }
            fuzzer_hook(info)
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    let_sled_panics_unwind();
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    damage::damaged_copy(template(), &db, data);
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
    for q in damage::QUERIES {
        if let Ok(r) = db.query(q, &p) {
            for row in r.rows() {
                let _ = format!("{row:?}");
            }
        }
    }
});
