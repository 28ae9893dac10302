//! Fuzz parse + plan + execute on a small fixed graph with every limit on:
//! no query text may panic, overflow the stack, hang past its timeout or
//! grow past its memory budget. Errors are fine; crashes are not.
//!
//! The input is the query text. Each run starts from a fresh copy of the
//! same small graph (people, companies, a cycle, a chain, properties of
//! every type), so writes in one input never change what the next sees.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use relgraph::{Database, Params, QueryOptions, Value};

const GRAPH: &str = "CREATE (a:Person {name: 'Ann', age: 31, tags: ['x', 'y'], born: date('1993-04-01')}), \
    (b:Person {name: 'Bob', age: 27, score: 1.5}), \
    (c:Person:Admin {name: 'Cid', age: null}), \
    (d:Company {name: 'Acme', founded: 1999}), \
    (e:Company {name: 'Initech'}), \
    (a)-[:KNOWS {since: 2010}]->(b), (b)-[:KNOWS {since: 2015}]->(c), (c)-[:KNOWS]->(a), \
    (a)-[:WORKS_AT {role: 'cto'}]->(d), (b)-[:WORKS_AT]->(d), (c)-[:WORKS_AT]->(e), \
    (a)-[:KNOWS]->(a), \
    (x0:Chain {i: 0})-[:NEXT]->(x1:Chain {i: 1})-[:NEXT]->(x2:Chain {i: 2})-[:NEXT]->(x3:Chain {i: 3})";

fn limits() -> QueryOptions {
    QueryOptions {
        timeout: Some(Duration::from_millis(250)),
        max_rows: Some(1000),
        memory_budget: Some(64 << 20),
        max_query_bytes: 64 * 1024,
        ..QueryOptions::default()
    }
}

fn params() -> Params {
    let mut p = Params::new();
    p.insert("name".into(), Value::from("Ann"));
    p.insert("n".into(), Value::Int(2));
    p.insert("list".into(), Value::List(vec![Value::Int(1), Value::Null]));
    p
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut db = Database::in_memory();
    db.query(GRAPH, &Params::new())
        .expect("the fixed graph builds");
    db.set_default_options(limits());
    let params = params();
    match db.query(text, &params) {
        Ok(result) => {
            // Every value of every row can be read and formatted.
            for row in result.rows() {
                let _ = format!("{row:?}");
            }
        }
        Err(e) => {
            assert!(!e.message.is_empty(), "an error without a message");
        }
    }
    // The database is still usable after whatever the input did. (No
    // timeout here: on a loaded machine even this query may take 250 ms.)
    db.query_with(
        "MATCH (n) RETURN count(n) AS c",
        &Params::new(),
        &QueryOptions::default(),
    )
    .expect("the database answers after any query");
});
