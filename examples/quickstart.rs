//! relgraph in thirty lines: open a database, write a small graph in one
//! transaction, and ask it a relationship question with a parameter.
//!
//! Run with `cargo run --example quickstart`.

use relgraph::{Database, Params, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?; // any directory; created on first open
    let db = Database::open(dir.path().join("crm"))?;

    // Writes: one statement is one transaction; `begin_write` groups several.
    let mut tx = db.begin_write()?;
    tx.query(
        "CREATE (:Person {name: 'Ada'})-[:KNOWS {since: 2019}]->(:Person {name: 'Grace'})",
        &Params::new(),
    )?;
    tx.query(
        "MATCH (g:Person {name: 'Grace'}) CREATE (g)-[:WORKS_AT {title: 'CMO'}]->(:Company {name: 'Lumen'})",
        &Params::new(),
    )?;
    tx.commit()?;

    // A read with a parameter: where do my connections work?
    let mut params = Params::new();
    params.insert("me".into(), Value::from("Ada"));
    let result = db.query(
        "MATCH (:Person {name: $me})-[:KNOWS]-(friend)-[w:WORKS_AT]->(c:Company)
         RETURN friend.name AS friend, w.title AS title, c.name AS company",
        &params,
    )?;
    for row in result.rows() {
        let (friend, title, company): (String, String, String) =
            (row.get("friend")?, row.get("title")?, row.get("company")?);
        println!("{friend} is {title} at {company}");
    }
    Ok(())
}
