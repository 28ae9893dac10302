//! A standing question: "tell me when a company in my market raises a
//! Series B". Registers the query, then commits funding rounds from another
//! thread and prints each notification as it arrives.
//!
//! Run with `cargo run --example standing`.

use std::time::Duration;

use relgraph::{Database, Params, RecvError};

const SERIES_B_IN_MY_MARKET: &str = "
    MATCH (me:Person {me: true})-[w:WORKS_AT]->(mine:Company),
          (c:Company)-[:RAISED]->(e:Event {series: 'Series B'})
    WHERE w.until IS NULL AND c.industry = mine.industry AND c <> mine
    RETURN c.name AS company, e.amount AS amount";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = Database::open(dir.path().join("crm"))?;
    db.query(
        "CREATE (:Person {name: 'Me', me: true})-[:WORKS_AT]->(:Company {name: 'Lumen', industry: 'Software'}),
                (:Company {name: 'Acme', industry: 'Software'}), (:Company {name: 'Globex', industry: 'Retail'})",
        &Params::new(),
    )?;
    let sub = db
        .standing()
        .register("series-b", SERIES_B_IN_MY_MARKET, &Params::new())?;
    for info in db.standing().list() {
        println!(
            "{}: {} row(s) now; {}",
            info.name, info.rows, info.evaluation
        );
    }

    std::thread::scope(|s| {
        s.spawn(|| {
            for (company, series, amount) in [
                ("Acme", "Series A", 5_000_000),
                ("Globex", "Series B", 30_000_000),
                ("Acme", "Series B", 20_000_000),
            ] {
                let mut p = Params::new();
                p.insert("company".into(), company.into());
                p.insert("series".into(), series.into());
                p.insert("amount".into(), amount.into());
                db.query(
                    "MATCH (c:Company {name: $company})
                     CREATE (c)-[:RAISED]->(:Event {kind: 'FundingRound', series: $series, amount: $amount})",
                    &p,
                )
                .expect("the write commits");
                println!("committed a {series} for {company}");
            }
        });
        // Only the Series B in my market (Software) is news.
        match sub.recv_timeout(Duration::from_secs(30)) {
            Ok(n) => {
                for row in &n.added {
                    println!("version {}: {:?} raised {:?}", n.version, row[0], row[1]);
                }
            }
            Err(e) => println!("no news: {e}"),
        }
    });
    db.standing().sync(Duration::from_secs(30));
    assert_eq!(sub.try_recv(), Err(RecvError::Empty));
    Ok(())
}
