//! Law: a query returns the same multiset of rows whatever the number of
//! worker threads (1 vs 4), on a generated graph large enough to span
//! several morsels.

mod common;

use relgraph::Params;
use relgraph_exec::{execute, QueryOptions};

fn run(snap: &relgraph::Snapshot, q: &str, threads: usize) -> Vec<String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let stmt = relgraph_cypher::parse(q).expect("test queries parse");
    let out = pool
        .install(|| execute(&stmt, &Params::new(), snap, &QueryOptions::default()))
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    common::sorted_rows(&out.result.rows)
}

#[test]
fn same_multiset_for_one_and_four_threads() {
    let config = relgraph_datagen::Config::new(0.2, 7).expect("valid scale");
    let (snap, summary) = relgraph_datagen::snapshot(&config).expect("datagen builds a snapshot");
    assert!(summary.nodes > 4096, "the graph must span several morsels");
    let queries = [
        "MATCH (p:Person) RETURN p.name",
        "MATCH (p:Person)-[:KNOWS]->(q:Person) RETURN p.name, q.name",
        "MATCH (p:Person)-[:KNOWS]->(q)-[:KNOWS]->(r) WHERE p <> r RETURN count(*) AS c",
        "MATCH (p:Person)-[:WORKS_AT]->(c:Company) RETURN c.name, count(p) AS n, collect(p.name) AS names",
        "MATCH (p:Person)-[:KNOWS]-(q) RETURN DISTINCT q.name",
        "MATCH (p:Person) OPTIONAL MATCH (p)-[:READ]->(c) RETURN p.name, count(c) AS reads",
        "MATCH (p:Person)-[:KNOWS*1..2]->(q) RETURN count(*) AS c, count(DISTINCT q) AS d",
        "MATCH (n) RETURN labels(n) AS l, count(*) AS c",
        "MATCH (a)-[:KNOWS]->(b)-[:KNOWS]->(c)-[:KNOWS]->(a) RETURN count(*) AS triangles",
        // One task that fans out (after a LIMIT, from one person, from a
        // filtered scan): cut into batches that run in parallel, with
        // float sums over batches that start at fixed rows.
        "MATCH (a:Person) WITH a ORDER BY a.name LIMIT 4 MATCH (b:Person)-[k:KNOWS]->(c) \
         RETURN a.name, count(*) AS n, sum(k.strength) AS s, collect(c.name)[0..5] AS some",
        "MATCH (a:Person) WITH a ORDER BY a.name LIMIT 3 MATCH (b:Person) \
         RETURN a.name + b.name AS pair ORDER BY pair LIMIT 50",
        "MATCH (a:Person) WITH a ORDER BY a.name LIMIT 1 \
         MATCH (a)-[:KNOWS*1..3]-(b) RETURN count(DISTINCT b) AS d, count(*) AS c",
        "MATCH (a:Person) WITH a ORDER BY a.name LIMIT 2 MATCH (b:Person)-[k:KNOWS]-(c) \
         WITH a, c, avg(k.strength) AS m RETURN a.name, c.name, m ORDER BY m DESC, c.name LIMIT 20",
        // Parallel algorithms reduce floating-point sums in a fixed order.
        "CALL algo.pageRank('Person', 'KNOWS') YIELD node, score RETURN node.name, score",
        "CALL algo.wcc('Person', 'KNOWS') YIELD node, component RETURN node.name, component",
        "CALL algo.betweenness('Person', 'KNOWS', {samplingSize: 50}) YIELD node, score RETURN node.name, score",
        "CALL algo.closeness('Person', 'KNOWS') YIELD node, score RETURN node.name, score",
        "CALL algo.triangleCount('Person', 'KNOWS', {}) YIELD node, triangles, coefficient RETURN node.name, triangles, coefficient",
        "CALL algo.nodeSimilarity('Person', 'KNOWS', {topK: 2}) YIELD node1, node2, similarity RETURN node1.name, node2.name, similarity",
    ];
    for q in queries {
        let one = run(&snap, q, 1);
        let four = run(&snap, q, 4);
        assert!(!one.is_empty(), "{q} returned nothing");
        assert_eq!(one, four, "{q} differs between 1 and 4 threads");
    }
}

/// The rows of `q` in the order the engine returns them, or its error.
fn run_ordered(snap: &relgraph::Snapshot, q: &str, threads: usize) -> Result<Vec<String>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let stmt = relgraph_cypher::parse(q).expect("test queries parse");
    pool.install(|| execute(&stmt, &Params::new(), snap, &QueryOptions::default()))
        .map(|out| out.result.rows.iter().map(|r| format!("{r:?}")).collect())
        .map_err(|e| e.to_string())
}

/// Law: the groups of an aggregation pass through the filters,
/// projections and top-k after it (in parallel when they are many) in
/// the order of the groups: the same rows in the same order, ties of a
/// top-k included, and the same first error, on one thread and on four.
#[test]
fn groups_after_an_aggregation_keep_their_order_on_any_thread_count() {
    let config = relgraph_datagen::Config::new(0.5, 7).expect("valid scale");
    let (snap, _) = relgraph_datagen::snapshot(&config).expect("datagen builds a snapshot");
    let groups = run_ordered(
        &snap,
        "MATCH (p:Person)-[:KNOWS]-(q) WITH p, count(q) AS d RETURN count(*) AS n",
        1,
    )
    .expect("counts");
    let n: usize = groups[0]
        .trim_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .expect("a count");
    // Enough groups for the pass after the aggregation to be shared out.
    assert!(n >= 4096, "{n} groups");
    for q in [
        // Filtered: every group that passes, in group order (no ORDER BY).
        "MATCH (p:Person)-[:KNOWS]-(q) WITH p, count(q) AS d WHERE d % 3 = 1 \
         RETURN p.name AS name, d * 10 AS d10",
        // A top-k with many ties on its key.
        "MATCH (p:Person)-[:KNOWS]-(q) WITH p, count(q) AS d \
         RETURN p.name AS name, d ORDER BY d DESC LIMIT 40",
        "MATCH (p:Person)-[:KNOWS]-(q) WITH p, count(q) AS d, min(q.name) AS first \
         WHERE d > 2 RETURN first, d ORDER BY d LIMIT 25",
        // Grouped by a relationship's property (deferred: computed once
        // per group after the partials are merged, in parallel runs of
        // groups when they are many) beside a node that tells the groups
        // apart.
        "MATCH (p:Person)-[w:WORKS_AT]->(c:Company) \
         WITH p, w.since AS since, w.title AS title, count(c) AS n \
         RETURN p.name AS name, since, title, n",
        // A filter that fails for some groups: the same error.
        "MATCH (p:Person)-[:KNOWS]-(q) WITH p, count(q) AS d WHERE 10 / (d - 3) > 0 \
         RETURN p.name",
    ] {
        let one = run_ordered(&snap, q, 1);
        let four = run_ordered(&snap, q, 4);
        assert!(
            one.as_ref().map_or(true, |r| !r.is_empty()),
            "{q} returned nothing"
        );
        assert_eq!(one, four, "{q} differs between 1 and 4 threads");
    }
}

/// Law: grouping by a node's property beside a relationship that tells
/// the groups apart (the property computed once per group from the node,
/// after the partials of the threads are merged, in parallel runs of
/// groups when they are many) gives the rows that grouping by the node
/// itself and reading its property after gives, in the same order, on
/// one thread and on four.
#[test]
fn keys_computed_per_group_match_keys_read_after() {
    let config = relgraph_datagen::Config::new(0.5, 7).expect("valid scale");
    let (snap, _) = relgraph_datagen::snapshot(&config).expect("datagen builds a snapshot");
    let deferred = "MATCH (c:Company)<-[w:WORKS_AT]-(p:Person) \
         WITH w, p.name AS name, count(*) AS n \
         RETURN id(w) AS job, name, n";
    let read_after = "MATCH (c:Company)<-[w:WORKS_AT]-(p:Person) \
         WITH w, p, count(*) AS n \
         RETURN id(w) AS job, p.name AS name, n";
    let reference = run_ordered(&snap, read_after, 1).expect("runs");
    // Enough groups for their keys to be computed in parallel runs.
    assert!(reference.len() >= 4096, "{} groups", reference.len());
    for threads in [1, 4] {
        let got = run_ordered(&snap, deferred, threads).expect("runs");
        assert_eq!(got, reference, "{threads} threads");
    }
}
