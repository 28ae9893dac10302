//! The cost-based planner: it starts where the statistics say the pattern
//! is narrow, and whatever statistics it is given, the plans it picks
//! return the same multiset of rows.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
mod common;

use relgraph::{Params, Snapshot};
use relgraph_exec::{execute, QueryOptions};
use relgraph_graph::snapshot::stats::GraphStats;
use relgraph_graph::ChangeSet;

fn run(snap: &Snapshot, q: &str) -> (Vec<String>, String) {
    let stmt = relgraph_cypher::parse(q).expect("test queries parse");
    let out = execute(&stmt, &Params::new(), snap, &QueryOptions::default())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let rows = common::sorted_rows(&out.result.rows);
    let explain = relgraph_cypher::parse(&format!("EXPLAIN {q}")).expect("EXPLAIN parses");
    let plan = execute(&explain, &Params::new(), snap, &QueryOptions::default())
        .expect("EXPLAIN runs")
        .result
        .plan
        .unwrap_or_default();
    (rows, plan)
}

fn demo() -> Snapshot {
    let config = relgraph_datagen::Config::new(0.2, 11).expect("valid scale");
    relgraph_datagen::snapshot(&config)
        .expect("datagen builds a snapshot")
        .0
}

/// The first operator of a plan (EXPLAIN prints the root first).
fn first_operator(plan: &str) -> &str {
    plan.lines()
        .rfind(|l| l.starts_with('+'))
        .unwrap_or_default()
}

#[test]
fn plans_start_at_the_selective_end() {
    let snap = demo();
    // Topic is the smallest label, but `me` is one node: start there.
    let q = "MATCH (me:Person {me: true})-[:KNOWS]-(:Person)-[:KNOWS]-(p:Person)\
             -[:READ]->(c:Content)-[:ABOUT]->(t:Topic) RETURN t.name, count(*)";
    let (rows, plan) = run(&snap, q);
    assert!(!rows.is_empty());
    assert!(
        first_operator(&plan).contains("NodeByLabelScan(me:Person)"),
        "{plan}"
    );
    // A selective filter at the far end moves the start there.
    let q = "MATCH (p:Person)-[:READ]->(c:Content)-[:ABOUT]->(t:Topic {name: 'CRM'}) \
             RETURN count(*)";
    let (_, plan) = run(&snap, q);
    assert!(first_operator(&plan).contains("(t:Topic)"), "{plan}");
    // Every operator of a pattern carries an estimate.
    for line in plan.lines().filter(|l| {
        l.contains("Scan(") || l.contains("Expand(") || l.trim_start().starts_with("+ Filter")
    }) {
        assert!(line.contains("est="), "{line}");
    }
}

/// A plan without its estimates: the operators and their order.
fn shape(plan: &str) -> String {
    plan.lines()
        .map(|l| {
            l.split(' ')
                .filter(|t| !t.starts_with("est="))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Statistics scaled at random: degrees and fractions off by up to 100x
/// either way, so the planner picks other starts and orders.
fn distorted(truth: &GraphStats, rng: &mut rand::rngs::StdRng) -> GraphStats {
    let mut s = truth.clone();
    let factor = |rng: &mut rand::rngs::StdRng| 10f64.powf(rng.random_range(-2.0..2.0));
    for n in &mut s.nodes {
        for e in &mut n.expand {
            e.avg *= factor(rng);
            for v in &mut e.via {
                v.2 *= factor(rng);
            }
            // Hubs forgotten at random: named nodes then expand by the average.
            if rng.random_bool(0.5) {
                e.heavy.clear();
            }
            for t in &mut e.targets {
                t.1 = (t.1 * factor(rng)).min(1.0);
            }
        }
        for p in &mut n.props {
            p.present = (p.present * factor(rng)).min(1.0);
            p.distinct = (p.distinct * factor(rng)).max(1.0);
            for m in &mut p.mcv {
                m.1 = (m.1 * factor(rng)).min(1.0);
            }
        }
    }
    s
}

#[test]
fn plans_under_random_statistics_return_the_same_rows() {
    let base = demo();
    let truth = GraphStats::compute(&base);
    // New versions of the same graph, made before the base has statistics
    // of its own to hand down; each is planned with distorted statistics.
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    let versions: Vec<Snapshot> = (0..12)
        .map(|_| {
            let snap = base
                .apply(&ChangeSet::default())
                .expect("an empty change set applies");
            snap.set_stats(std::sync::Arc::new(distorted(&truth, &mut rng)));
            snap
        })
        .collect();
    let queries = [
        "MATCH (me:Person {me: true})-[:KNOWS]-(p:Person)-[:READ]->(c:Content)-[:ABOUT]->(t:Topic) \
         RETURN t.name, count(*) AS n",
        "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(c:Person) WHERE a.city = c.city \
         RETURN count(*) AS n",
        "MATCH (p:Person)-[w:WORKS_AT]->(c:Company), (p)-[:READ]->(x:Content {kind: 'white paper'}) \
         WHERE w.until IS NULL RETURN c.name, count(DISTINCT p) AS n",
        "MATCH (a:Person)-[:KNOWS]->(b:Person)-[:KNOWS]->(c:Person)-[:KNOWS]->(a) RETURN count(*) AS n",
        "MATCH (t:Topic {name: 'churn'})<-[:ABOUT]-(c:Content)<-[:WROTE]-(p:Person)-[:KNOWS*1..2]-(q:Person {me: true}) \
         RETURN DISTINCT p.name",
        "MATCH (c:Company)<-[:WORKS_AT]-(p:Person) OPTIONAL MATCH (p)-[:LIKES]->(m:Content) \
         RETURN c.name, count(m) AS likes",
    ];
    let expected: Vec<(Vec<String>, String)> = queries.iter().map(|q| run(&base, q)).collect();
    let mut plans: Vec<HashSet<String>> = expected
        .iter()
        .map(|(_, p)| HashSet::from([shape(p)]))
        .collect();
    for snap in &versions {
        for (qi, q) in queries.iter().enumerate() {
            let (rows, plan) = run(snap, q);
            assert_eq!(rows, expected[qi].0, "{q}\nplan:\n{plan}");
            plans[qi].insert(shape(&plan));
        }
    }
    // The distortions did move plans: the law was tested on several.
    let moved = plans.iter().filter(|p| p.len() > 1).count();
    assert!(moved >= 3, "only {moved} queries got another plan");
}

#[test]
fn node_ids_are_seeks_and_answer_as_filters_would() {
    let snap = demo();
    // Reference answers: the same predicate, which no seek can answer
    // (`+ 0` hides the id from the planner).
    let cases = [
        ("3", true),
        ("3.0", true),
        ("$x", true),
        ("-1", false),
        ("null", false),
        ("'3'", false),
        ("3.5", false),
        ("9223372036854775807", false),
        ("1e300", false),
    ];
    for (value, non_empty) in cases {
        for shape in [
            "MATCH (n) WHERE id(n) = {v} RETURN id(n), labels(n)",
            "MATCH (n:Person) WHERE {v} = id(n) RETURN id(n)",
            "MATCH (p:Person)-[:KNOWS]-(f:Person) WHERE id(f) = {v} RETURN id(p), id(f)",
            "MATCH (n) WHERE id(n) = {v} MATCH (m) WHERE id(m) = id(n) RETURN id(m)",
        ] {
            let q = shape.replace("{v}", value);
            let reference = q
                .replace("id(n) =", "id(n) + 0 =")
                .replace("= id(n)", "= id(n) + 0");
            let reference = reference
                .replace("id(f) =", "id(f) + 0 =")
                .replace("id(m) =", "id(m) + 0 =");
            let stmt = |text: &str| relgraph_cypher::parse(text).expect("test queries parse");
            let params: Params = [("x".to_string(), relgraph::Value::Int(3))]
                .into_iter()
                .collect();
            let exec = |text: &str, explain: bool| {
                let text = if explain {
                    format!("EXPLAIN {text}")
                } else {
                    text.to_string()
                };
                execute(&stmt(&text), &params, &snap, &QueryOptions::default())
                    .unwrap_or_else(|e| panic!("{text}: {e}"))
                    .result
            };
            let got = common::sorted_rows(&exec(&q, false).rows);
            let want = common::sorted_rows(&exec(&reference, false).rows);
            assert_eq!(got, want, "{q}");
            let plan = exec(&q, true).plan.unwrap_or_default();
            assert!(plan.contains("NodeByIdSeek"), "{q}\n{plan}");
            let reference_plan = exec(&reference, true).plan.unwrap_or_default();
            assert!(!reference_plan.contains("NodeByIdSeek"), "{reference_plan}");
            if shape.starts_with("MATCH (n) WHERE") && !shape.contains("MATCH (m)") {
                assert_eq!(got.is_empty(), !non_empty, "{q}: {got:?}");
            }
        }
    }
    // A person's id is a seek even from the far end of a pattern, and a
    // relationship's id is not a node seek.
    let (_, plan) = run(
        &snap,
        "MATCH (c:Company)<-[:WORKS_AT]-(p:Person) WHERE id(p) = 5 RETURN c.name",
    );
    assert!(first_operator(&plan).contains("NodeByIdSeek(p"), "{plan}");
    let (_, plan) = run(
        &snap,
        "MATCH (p:Person)-[r:KNOWS]->(q) WHERE id(r) = 5 RETURN id(q)",
    );
    assert!(!plan.contains("NodeByIdSeek"), "{plan}");
}

/// The `est=` of the first plan line containing `op`.
fn estimate_of(plan: &str, op: &str) -> f64 {
    let line = plan
        .lines()
        .find(|l| l.contains(op))
        .unwrap_or_else(|| panic!("no {op} in {plan}"));
    line.split_whitespace()
        .find_map(|t| t.strip_prefix("est="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {line}"))
}

#[test]
fn a_pinned_node_expands_by_its_real_degree() {
    let snap = demo();
    let (rows, _) = run(&snap, "MATCH (me:Person {me: true}) RETURN id(me)");
    let me: i64 = rows[0]
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .expect("an id");
    // "me" knows many more people than the average person.
    let (count, _) = run(
        &snap,
        &format!("MATCH (me)-[:KNOWS]-(f:Person) WHERE id(me) = {me} RETURN count(*)"),
    );
    let actual: f64 = count[0]
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .expect("a count");
    let (_, plan) = run(
        &snap,
        &format!("MATCH (me)-[:KNOWS]-(f:Person) WHERE id(me) = {me} RETURN f.name"),
    );
    let est = estimate_of(&plan, "Expand(");
    assert!(
        (est - actual).abs() <= 0.05 * actual,
        "est {est}, actual {actual}\n{plan}"
    );
    // The average person's fan-out is what an unpinned start gets.
    let (_, plan) = run(
        &snap,
        "MATCH (me:Person)-[:KNOWS]-(f:Person) WHERE me.name STARTS WITH 'x' RETURN f.name",
    );
    let avg = estimate_of(&plan, "Expand(") / estimate_of(&plan, "Filter");
    assert!(avg < actual / 2.0, "average fan-out {avg} vs me's {actual}");
}

/// The single number a query returns.
fn count_of(snap: &Snapshot, q: &str) -> f64 {
    let (rows, _) = run(snap, q);
    rows[0]
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .expect("a number")
}

/// Within a factor of `f` either way (both at least 1).
fn near(est: f64, actual: f64, f: f64) -> bool {
    let (e, a) = (est.max(1.0), actual.max(1.0));
    e / a <= f && a / e <= f
}

/// Asserts that the estimate after the first `op` of `MATCH {pattern}
/// RETURN {ret}` is within a factor of `f` of the rows the match has.
fn assert_estimated(snap: &Snapshot, pattern: &str, ret: &str, op: &str, f: f64) {
    let actual = count_of(snap, &format!("MATCH {pattern} RETURN count(*)"));
    let (_, plan) = run(snap, &format!("MATCH {pattern} RETURN {ret}"));
    let est = estimate_of(&plan, op);
    assert!(
        near(est, actual, f),
        "{pattern}: est {est}, actual {actual}\n{plan}"
    );
}

#[test]
fn filters_the_statistics_cannot_estimate_are_measured_on_a_sample() {
    let snap = demo();
    for cond in [
        "p.name =~ 'A.*'",
        "p.name STARTS WITH 'B'",
        "toUpper(p.name) CONTAINS 'AN'",
        "p.name < 'C' OR p.name > 'W'",
    ] {
        let pattern = format!("(p:Person) WHERE {cond}");
        assert_estimated(&snap, &pattern, "p.name", "Filter", 2.0);
    }
}

#[test]
fn a_hub_named_by_a_unique_value_expands_by_its_real_degree() {
    let snap = demo();
    // Topics are few and much read about: the most read one is among the
    // nodes with the most ABOUT relationships that the statistics keep.
    let (rows, _) = run(
        &snap,
        "MATCH (t:Topic)<-[:ABOUT]-(c) WITH t, count(c) AS n ORDER BY n DESC LIMIT 1 RETURN t.name",
    );
    let name = rows[0].trim_matches(|c| c == '[' || c == ']' || c == '"');
    let pattern = format!("(t:Topic {{name: '{name}'}})<-[:ABOUT]-(c:Content)");
    assert_estimated(&snap, &pattern, "c.title", "Expand(", 1.1);
}

#[test]
fn counted_expansions_and_later_matches_estimate_the_rows_they_emit() {
    let snap = demo();
    // One row per person with friends, not one per friendship.
    let people = count_of(&snap, "MATCH (p:Person) RETURN count(*)");
    let (_, plan) = run(
        &snap,
        "MATCH (p:Person)-[:KNOWS]->(f:Person) RETURN p.name, count(*)",
    );
    assert!(estimate_of(&plan, "ExpandCount(") <= people, "{plan}");
    // A MATCH right after another counts all rows, not rows per input row.
    let pattern = "(p:Person) WHERE p.name STARTS WITH 'A' MATCH (p)-[:KNOWS]->(f:Person)";
    assert_estimated(&snap, pattern, "f.name", "Expand(", 3.0);
}

/// Posts whose comment and tag counts grow together (one post in ten has
/// `n = 20` tags, the others one; each has `2n` comments), each comment
/// tagged like its post once plus one tag of its own; five tags are also on
/// 400 comments each that reply to nothing.
fn correlated_threads() -> Snapshot {
    let db = relgraph::Database::in_memory();
    let q = |text: &str| {
        db.query(text, &Params::new())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
    };
    q("UNWIND range(0, 299) AS i CREATE (:Tag {id: i})");
    q("UNWIND range(0, 399) AS i CREATE (:Post {id: i, n: CASE WHEN i % 10 = 0 THEN 20 ELSE 1 END})");
    q("MATCH (p:Post) UNWIND range(0, p.n - 1) AS j \
       MATCH (t:Tag {id: (p.id * 7 + j) % 300}) CREATE (p)-[:HAS_TAG]->(t)");
    q("MATCH (p:Post) UNWIND range(1, 2 * p.n) AS k \
       MATCH (first:Tag {id: (p.id * 7) % 300}), (own:Tag {id: (p.id * 13 + k * 31 + 150) % 300}) \
       CREATE (p)<-[:REPLY_OF]-(c:Comment {id: p.id * 100 + k}), \
              (c)-[:HAS_TAG]->(first), (c)-[:HAS_TAG]->(own)");
    q("UNWIND range(0, 1999) AS k MATCH (t:Tag {id: k % 5}) \
       CREATE (:Comment {id: 100000 + k})-[:HAS_TAG]->(t)");
    db.snapshot()
}

#[test]
fn a_closing_relationship_is_estimated_from_how_often_the_cycle_closes() {
    // A comment is tagged like the post it replies to far more often than
    // two random ends would be related: the sampled closure rate, not
    // independence (which estimates about 1/150 of the rows here).
    let snap = correlated_threads();
    let pattern = "(c:Comment)-[:REPLY_OF]->(p:Post)-[:HAS_TAG]->(t:Tag)<-[:HAS_TAG]-(c)";
    assert_estimated(&snap, pattern, "t.id", "ExpandInto(", 3.0);
}

#[test]
fn degrees_weigh_by_every_expansion_done_at_a_node() {
    // Rows that expanded a post once weigh it by its degree there; its
    // other degree grows with that one, so the next expansion's fan-out is
    // weighted by the first (about 4.9 times the posts' plain averages).
    let snap = correlated_threads();
    let pattern = "(c:Comment)-[:REPLY_OF]->(p:Post)-[:HAS_TAG]->(t:Tag)";
    assert_estimated(&snap, pattern, "t.id", "Expand(", 1.5);
}

#[test]
fn the_labels_at_the_far_end_are_a_share_of_the_entries() {
    // Five tags hold most HAS_TAG entries (comments). The share of a tag's
    // entries whose far end is a post is measured on relationships drawn
    // evenly, not on a few entries of each sampled tag.
    let snap = correlated_threads();
    let stats = GraphStats::compute(&snap);
    let cat = snap.catalog();
    let (tag, post) = (cat.label_id("Tag"), cat.label_id("Post"));
    let has_tag = cat.rel_type_id("HAS_TAG").expect("the type exists");
    let e = stats
        .expand(tag, has_tag, relgraph_graph::Direction::Incoming)
        .expect("tags have HAS_TAG entries");
    let share = e
        .targets
        .iter()
        .find(|(l, _)| Some(*l) == post)
        .map_or(0.0, |(_, f)| *f);
    let posts = count_of(&snap, "MATCH (:Post)-[r:HAS_TAG]->(:Tag) RETURN count(r)");
    let all = count_of(&snap, "MATCH ()-[r:HAS_TAG]->(:Tag) RETURN count(r)");
    assert!(
        near(share * 100.0, posts / all * 100.0, 1.25),
        "share {share}, actual {}",
        posts / all
    );
}

/// A vendor with 16,384 customers; one customer in twenty (spread by a
/// multiplicative hash) opened 60 tickets, the others one.
fn vendor_with_skewed_customers() -> Snapshot {
    let db = relgraph::Database::in_memory();
    let q = |text: &str| {
        db.query(text, &Params::new())
            .unwrap_or_else(|e| panic!("{text}: {e}"));
    };
    q("CREATE (:Company {name: 'Vendor'})");
    q(
        "MATCH (v:Company {name: 'Vendor'}) UNWIND range(0, 16383) AS i \
       CREATE (:Company {name: 'c' + toString(i), \
                         tickets: CASE WHEN (i * 2654435761) % 1000 < 20 THEN 150 ELSE 1 END}) \
              -[:CUSTOMER_OF]->(v)",
    );
    q(
        "MATCH (c:Company) WHERE c.tickets IS NOT NULL UNWIND range(1, c.tickets) AS k \
       CREATE (c)-[:OPENED]->(:Ticket)",
    );
    db.snapshot()
}

#[test]
fn nodes_reached_from_a_hub_are_measured_on_a_sample_that_grows_with_it() {
    // 16 customers of 16,384, evenly spaced, put the tickets at 10.3 per
    // customer against 4.0 (one of them is heavy), and the plan then
    // scanned every company instead of starting at the vendor (as at scale
    // 450, where 16 of a vendor's 134,977 customers came out at 25.9
    // tickets each against 17.6). A hub's neighbours' degrees are read on
    // up to 1,024 of them.
    let snap = vendor_with_skewed_customers();
    let pattern =
        "(c:Company)-[:CUSTOMER_OF]->(v:Company {name: 'Vendor'}), (c)-[:OPENED]->(t:Ticket)";
    let (_, plan) = run(&snap, &format!("MATCH {pattern} RETURN t"));
    assert!(
        first_operator(&plan).contains("(v:Company)"),
        "the plan starts at the vendor:\n{plan}"
    );
    assert_estimated(&snap, pattern, "t", "Expand((c)-[anon", 1.25);
}
