//! The people of the erasure tests, through Cypher (`tests/erasure.rs`,
//! `tests/erase_kill.rs`, included with `#[path]` after `markers.rs`).

#![allow(dead_code)]

use relgraph::{Database, Params, QueryResult};
use relgraph_graph::store::CheckpointPolicy;

use super::markers::marker;

/// Runs `q`, panicking with the error's message.
pub fn run(db: &Database, q: &str) -> QueryResult {
    db.query(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {}", e.message))
}

/// Checkpoints only when asked (so writes stay in the log), then four
/// node chunks of fillers nobody erases (the first segment stays in use,
/// so the people's chunk in it becomes a superseded copy), then Acme.
pub fn prepare(db: &Database) {
    db.graph()
        .set_checkpoint_policy(CheckpointPolicy {
            checkpoint_at_close: false,
            background: false,
            ..CheckpointPolicy::default()
        })
        .unwrap();
    run(db, "UNWIND range(1, 16384) AS i CREATE (:Filler)");
    run(db, "CREATE (:Company {name: 'Acme'})");
}

/// Cypher creating person `i` (property `i`) with markers in a name
/// (`n`), an email (`e`), a first bio (`a`) and the note of a WORKS_AT to
/// the company named Acme (`r`).
pub fn create_person(db: &Database, i: u64) {
    let q = format!(
        "MATCH (c:Company {{name: 'Acme'}}) \
         CREATE (p:Person {{i: {i}, name: 'Person {}', email: '{}@example.com', bio: 'first {}'}}) \
         CREATE (p)-[:WORKS_AT {{note: 'hired {}'}}]->(c)",
        marker(i, 'n'),
        marker(i, 'e'),
        marker(i, 'a'),
        marker(i, 'r')
    );
    run(db, &q);
}
