//! Cutting a one-task segment changes where rows are computed, never which
//! rows come out or in what order: every query below gives the same rows,
//! in the same order, with cuts off on one thread and with tiny batches
//! (so small graphs are cut many times) on four threads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relgraph_graph::record::{NodeRecord, RelRecord};
use relgraph_graph::{Catalog, NodeId, RelId, Snapshot, Value};

use super::knob::MODE;
use crate::engine::execute;
use crate::options::QueryOptions;

/// Batches run by cuts (all tests of the crate together).
pub(crate) static BATCHES: AtomicUsize = AtomicUsize::new(0);

/// Batches handed to other threads while the cut gathered more
/// (`Cut::hand_off`; all tests of the crate together).
pub(crate) static HANDED: AtomicUsize = AtomicUsize::new(0);

/// Held by each test here while it sets [`MODE`].
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// People, companies and topics with ids, names and scores; people know,
/// work at and like at random.
fn graph(seed: u64) -> Snapshot {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut c = Catalog::default();
    let labels = [
        c.intern_label("Person"),
        c.intern_label("Company"),
        c.intern_label("Topic"),
    ];
    let [knows, works, likes] = [
        c.intern_rel_type("KNOWS"),
        c.intern_rel_type("WORKS_AT"),
        c.intern_rel_type("LIKES"),
    ];
    let mut keys = [
        c.intern_prop_key("id"),
        c.intern_prop_key("name"),
        c.intern_prop_key("score"),
    ];
    keys.sort();
    let (people, companies, topics) = (120u64, 12u64, 8u64);
    let n = people + companies + topics;
    let nodes = (0..n)
        .map(|i| {
            let (label, local, prefix) = if i < people {
                (labels[0], i, "p")
            } else if i < people + companies {
                (labels[1], i - people, "c")
            } else {
                (labels[2], i - people - companies, "t")
            };
            let mut props = vec![
                (keys[0], Value::Int(local as i64)),
                (keys[1], Value::String(format!("{prefix}{local}").into())),
            ];
            if rng.random_bool(0.9) {
                props.push((keys[2], Value::Float(rng.random_range(0.0..10.0))));
            }
            props.sort_by_key(|(k, _)| *k);
            NodeRecord {
                id: NodeId(i),
                labels: vec![label],
                props,
            }
        })
        .collect();
    let mut rels = Vec::new();
    let mut add = |t, s: u64, d: u64| {
        rels.push(RelRecord {
            id: RelId(rels.len() as u64),
            rel_type: t,
            src: NodeId(s),
            dst: NodeId(d),
            props: vec![],
        })
    };
    for p in 0..people {
        for _ in 0..rng.random_range(0..12) {
            add(knows, p, rng.random_range(0..people));
        }
        add(works, p, people + rng.random_range(0..companies));
        for _ in 0..rng.random_range(0..4) {
            add(likes, p, people + companies + rng.random_range(0..topics));
        }
    }
    let next = RelId(rels.len() as u64);
    Snapshot::from_records(c, 1, NodeId(n), next, nodes, rels).expect("a valid graph")
}

const QUERIES: &[&str] = &[
    "MATCH (a:Person {id: 0})-[:KNOWS]-(b)-[:KNOWS]-(c) RETURN a.id, b.id, c.id",
    "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:LIKES]->(t) \
     RETURN t.name, count(*) AS n, collect(b.id) AS who, sum(b.score) AS s",
    "MATCH (a:Person) WITH a ORDER BY a.id LIMIT 3 \
     MATCH (b:Person) WHERE b.id > a.id RETURN a.id, b.id, b.score * 2",
    "MATCH (a:Person) WITH a ORDER BY a.id LIMIT 2 \
     MATCH (b:Company) RETURN b.name, sum(a.score) AS s, collect(a.id) AS ids",
    "MATCH (c:Company {name: 'c3'})<-[:WORKS_AT]-(p) \
     OPTIONAL MATCH (p)-[:KNOWS]->(q) RETURN p.id, collect(q.id) AS known",
    "UNWIND [0, 1, 2] AS i MATCH (p:Person {id: i})-[:KNOWS]->(q)-[:KNOWS]->(r) RETURN i, q.id, r.name",
    "MATCH (a:Person {id: 2})-[:KNOWS*1..2]-(b) RETURN DISTINCT b.id",
    "MATCH (a:Person {id: 3})-[:KNOWS]-(b)-[:KNOWS]-(c) WHERE NOT (c)-[:LIKES]->() \
     RETURN c.id, size([(c)-[:KNOWS]-(x) | x]) AS d",
    "MATCH (a:Person {id: 0}), (b:Person) WHERE b.id < 90 \
     RETURN count(*) AS n, count(DISTINCT b) AS d, avg(b.score) AS m, collect(b.name) AS names",
    "MATCH p = (a:Person {id: 4})-[:KNOWS]->(b)-[:KNOWS]->(c) RETURN p",
    "MATCH (a:Person {id: 5}) MATCH (b:Person)-[:LIKES]->(t:Topic) \
     RETURN t.name + a.name AS k, count(b) AS n ORDER BY k",
    "MATCH (a:Person {id: 6})-[:KNOWS]-(b) WITH DISTINCT b \
     MATCH (b)-[:WORKS_AT]->(c) RETURN c.name, collect(b.id) AS staff",
    "MATCH (a:Person) WITH a ORDER BY a.id LIMIT 2 \
     MATCH (b:Person) WHERE b.score > a.score RETURN a.id, b.id, a.name + b.name AS pair",
];

/// The rows of `q` with `params` (each formatted), or its error, run with
/// cut mode `mode` on a pool of `threads`.
fn outcome(
    snap: &Snapshot,
    q: &str,
    params: &BTreeMap<String, Value>,
    mode: u8,
    threads: usize,
) -> Result<Vec<String>, crate::error::ExecError> {
    MODE.store(mode, Ordering::Relaxed);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let stmt = relgraph_cypher::parse(q).expect("test queries parse");
    let out = pool.install(|| execute(&stmt, params, snap, &QueryOptions::default()))?;
    Ok(out.result.rows.iter().map(|r| format!("{r:?}")).collect())
}

fn rows(snap: &Snapshot, q: &str, mode: u8, threads: usize) -> Vec<String> {
    outcome(snap, q, &BTreeMap::new(), mode, threads).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn cut_segments_give_the_same_rows_in_the_same_order() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Per query: whether some seed returned rows, and was cut.
    let mut seen = vec![(false, false); QUERIES.len()];
    for seed in 0..4 {
        let snap = graph(seed);
        for (q, seen) in QUERIES.iter().zip(&mut seen) {
            let plain = rows(&snap, q, 1, 1);
            let before = BATCHES.load(Ordering::Relaxed);
            let cut = rows(&snap, q, 2, 4);
            let cut_batches = BATCHES.load(Ordering::Relaxed) - before;
            let built = rows(&snap, q, 0, 4);
            MODE.store(0, Ordering::Relaxed);
            seen.0 |= !plain.is_empty();
            seen.1 |= cut_batches > 0;
            assert_eq!(plain, cut, "seed {seed}: {q} differs when cut");
            assert_eq!(plain, built, "seed {seed}: {q} differs as built");
        }
    }
    for (q, (rows, cut)) in QUERIES.iter().zip(seen) {
        assert!(rows, "{q} returned nothing on every graph");
        assert!(cut, "{q} was never cut");
    }
}

#[test]
fn batches_start_at_fixed_rows_where_the_result_depends_on_it() {
    // stDev merges its partial moments with other rounding: the batches
    // must not move with the thread count (or the clock).
    let q = "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:KNOWS]-(c) \
             RETURN stDev(c.score) AS sd, stDevP(b.score) AS sdp, count(*) AS n";
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for seed in 0..4 {
        let snap = graph(seed);
        let one = rows(&snap, q, 2, 1);
        let before = BATCHES.load(Ordering::Relaxed);
        let four = rows(&snap, q, 2, 4);
        let cut = BATCHES.load(Ordering::Relaxed) > before;
        let plain = rows(&snap, q, 1, 1);
        MODE.store(0, Ordering::Relaxed);
        assert!(cut, "seed {seed}: never cut");
        assert_eq!(one, four, "seed {seed}: depends on the thread count");
        assert_eq!(plain.len(), one.len(), "seed {seed}");
    }
}

#[test]
fn batches_run_while_the_cut_gathers_and_fail_as_rows_do() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let snap = graph(7);
    // Counts and sums fold in any order: their batches are handed off.
    let q = "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:KNOWS]-(c) \
             RETURN b.id % 3 AS k, count(*) AS n, sum(c.score) AS s ORDER BY k";
    let plain = rows(&snap, q, 1, 1);
    let before = HANDED.load(Ordering::Relaxed);
    let cut = rows(&snap, q, 2, 4);
    let handed = HANDED.load(Ordering::Relaxed) - before;
    assert_eq!(plain, cut);
    assert!(handed > 0, "no batch was handed off");
    // Rows kept in order: runs of batches are handed off and merged in
    // run order.
    let q = "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:KNOWS]-(c) RETURN b.id, c.name";
    let plain = rows(&snap, q, 1, 1);
    let before = HANDED.load(Ordering::Relaxed);
    let cut = rows(&snap, q, 2, 4);
    assert!(
        HANDED.load(Ordering::Relaxed) > before,
        "no run was handed off"
    );
    assert_eq!(plain, cut);
    // An error in a handed-off batch is the query's error, and the same
    // one on one thread uncut.
    let q = "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:KNOWS]-(c) \
             RETURN count(*) AS n, sum(CASE WHEN c.id = $bad THEN 1 / 0 ELSE 1 END) AS s";
    let bad = {
        let last = rows(
            &snap,
            "MATCH (a:Person {id: 1})-[:KNOWS]-(b)-[:KNOWS]-(c) RETURN c.id",
            1,
            1,
        );
        last.last().cloned().expect("the pattern matches")
    };
    let id: i64 = bad
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_start_matches("Int(")
        .trim_end_matches(')')
        .parse()
        .unwrap_or_else(|e| panic!("{bad}: {e}"));
    let params = BTreeMap::from([("bad".to_string(), Value::Int(id))]);
    let fail = |mode: u8, threads: usize| {
        outcome(&snap, q, &params, mode, threads)
            .err()
            .map(|e| e.to_string())
    };
    let uncut = fail(1, 1);
    let handed_before = HANDED.load(Ordering::Relaxed);
    let cut = fail(2, 4);
    MODE.store(0, Ordering::Relaxed);
    assert!(uncut.is_some(), "1 / 0 did not fail");
    assert_eq!(uncut, cut);
    assert!(
        HANDED.load(Ordering::Relaxed) > handed_before,
        "no batch was handed off"
    );
}
