//! What standing queries cost a commit. Builds the demo graph on disk
//! (durable commits), then for 0 and for N registered standing queries
//! (default 1,000) of the cookbook's shapes runs commits of 1, 10 and 100
//! changes and prints, per size:
//!
//! - `commit`: the median time `Database::query` takes for the write
//!   (commits one at a time, each after the previous one's notifications
//!   were delivered, so the notifier is idle while it runs);
//! - `notified`: the median time from the commit's return until every
//!   standing query it touched was re-evaluated and notified (`sync`);
//! - `burst`: commits issued back to back (the notifier runs beside them
//!   on the other core): the median commit time, and how long after the
//!   last one the notifier caught up.
//!
//! Half of the registered queries watch funding rounds (touched by every
//! commit here), half watch people's mentions (skipped by it).
//!
//! ```sh
//! cargo bench --bench standing                  # scale 1, 1,000 queries
//! STANDING_SCALE=0.1 STANDING_QUERIES=100 cargo bench --bench standing
//! ```

use std::time::{Duration, Instant};

use relgraph::{Database, Params, RegisterOptions, Value};
use relgraph_datagen::INDUSTRIES;
use relgraph_graph::store::OpenOptions;

const SERIES: [&str; 4] = ["Seed", "Series A", "Series B", "Series C"];

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The `i`-th standing query and its parameters.
fn standing(i: usize) -> (&'static str, Params) {
    let mut p = Params::new();
    if i & 1 == 0 {
        p.insert(
            "industry".into(),
            Value::from(INDUSTRIES[(i / 2) % INDUSTRIES.len()]),
        );
        p.insert(
            "series".into(),
            Value::from(SERIES[(i / 16) % SERIES.len()]),
        );
        p.insert("min".into(), Value::Int((i as i64 % 50) * 1_000_000));
        (
            "MATCH (c:Company)-[:RAISED]->(e:Event {series: $series}) \
             WHERE c.industry = $industry AND e.amount >= $min \
             RETURN c.name AS company, e.amount AS amount, e.date AS raised_on",
            p,
        )
    } else {
        p.insert("id".into(), Value::Int(i as i64));
        (
            "MATCH (me:Person {id: $id})-[:KNOWS]-(p:Person)-[x:MENTIONED]->(t:Topic) \
             RETURN p.id AS id, t.name AS topic, x.at AS at",
            p,
        )
    }
}

/// One commit of `n` new funding rounds.
fn commit(db: &Database, n: i64, round: &mut i64) -> Duration {
    let mut p = Params::new();
    p.insert("n".into(), Value::Int(n));
    p.insert("base".into(), Value::Int(*round));
    *round += n;
    let t0 = Instant::now();
    db.query(
        "UNWIND range(1, $n) AS i \
         MATCH (c:Company {id: ($base + i) % 100}) \
         CREATE (c)-[:RAISED]->(:Event {kind: 'FundingRound', series: 'Series B', \
                 amount: ($base + i) * 1000, date: date('2024-07-01')})",
        &p,
    )
    .expect("the bench's commit runs");
    t0.elapsed()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the arguments.
    let scale: f64 = env_or("STANDING_SCALE", 1.0);
    let queries: usize = env_or("STANDING_QUERIES", 1000);
    let rounds: usize = env_or("STANDING_COMMITS", 15);
    // Idle time after each one-at-a-time commit when none is registered:
    // gives the baseline the same pauses that waiting for notifications
    // gives the registered case (an idle machine is slower to start).
    let pause = Duration::from_millis(env_or("STANDING_PAUSE_MS", 0));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let config = relgraph_datagen::Config::new(scale, 42).expect("a valid scale");
    let t0 = Instant::now();
    let (graph, summary) =
        relgraph_datagen::create_database(&config, &dir.path().join("db"), &OpenOptions::default())
            .expect("the demo database builds");
    let db = Database::from_graph(graph);
    println!(
        "demo graph scale {scale}: {} nodes, {} relationships (built in {:.1} s); durable commits; {} threads",
        summary.nodes,
        summary.relationships,
        t0.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let mut round = 0;
    // None, N, then none again (all dropped): the first and last rows
    // bracket the machine's drift during the run.
    for (pass, registered) in [0, queries, 0].into_iter().enumerate() {
        if pass == 2 {
            for i in 0..queries {
                db.standing()
                    .drop(&format!("q{i:05}"))
                    .expect("the bench's standing query drops");
            }
        }
        let t0 = Instant::now();
        let mut subs = Vec::new();
        for i in 0..registered {
            let (q, p) = standing(i);
            let opts = RegisterOptions {
                durable: false,
                ..RegisterOptions::default()
            };
            subs.push(
                db.standing()
                    .register_with(&format!("q{i:05}"), q, &p, opts)
                    .expect("the bench's standing query registers"),
            );
        }
        if registered > 0 {
            println!(
                "registered {registered} standing queries in {:.1} s",
                t0.elapsed().as_secs_f64()
            );
        }
        for n in [1, 10, 100] {
            // Warm up, then one at a time.
            commit(&db, n, &mut round);
            db.standing().sync(Duration::from_secs(600));
            let (mut commits, mut notified) = (Vec::new(), Vec::new());
            for _ in 0..rounds {
                commits.push(commit(&db, n, &mut round));
                let t1 = Instant::now();
                assert!(db.standing().sync(Duration::from_secs(600)));
                notified.push(t1.elapsed());
                if registered == 0 {
                    std::thread::sleep(pause);
                }
            }
            // Back to back.
            let mut burst = Vec::new();
            for _ in 0..rounds {
                burst.push(commit(&db, n, &mut round));
            }
            let t1 = Instant::now();
            assert!(db.standing().sync(Duration::from_secs(600)));
            let caught_up = t1.elapsed();
            println!(
                "{registered:>5} standing, {n:>3} changes/commit: commit {} | notified {} | burst: commit {}, caught up {} after the last",
                ms(median(commits)),
                ms(median(notified)),
                ms(median(burst)),
                ms(caught_up)
            );
            for s in &subs {
                while s.try_recv().is_ok() {}
            }
        }
    }
}
