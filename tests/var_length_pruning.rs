//! Variable-length patterns whose trails nobody observes before a
//! DISTINCT (or an aggregation of distinct values) run as a BFS over
//! reachable endpoints; on random multigraphs (parallel relationships,
//! loops, cycles) they answer as the enumeration of every trail does.

mod common;

use proptest::prelude::*;
use relgraph::{Database, Params, QueryOptions, Value};

fn graph(n: usize, edges: &[(usize, usize)]) -> Database {
    let db = Database::in_memory();
    let mut p = Params::new();
    p.insert("n".into(), Value::Int(n as i64));
    db.query("UNWIND range(0, $n - 1) AS i CREATE (:V {i: i})", &p)
        .expect("nodes");
    let pairs: Vec<Value> = edges
        .iter()
        .map(|&(a, b)| Value::List(vec![Value::Int(a as i64), Value::Int(b as i64)]))
        .collect();
    p.insert("pairs".into(), Value::List(pairs));
    db.query(
        "UNWIND $pairs AS e MATCH (a:V {i: e[0]}), (b:V {i: e[1]}) CREATE (a)-[:T]->(b)",
        &p,
    )
    .expect("relationships");
    db
}

fn rows(
    db: &Database,
    q: &str,
    start: usize,
    options: &QueryOptions,
) -> Result<Vec<String>, String> {
    let mut p = Params::new();
    p.insert("s".into(), Value::Int(start as i64));
    db.query_with(q, &p, options)
        .map(|r| common::sorted_rows(&r.rows))
        .map_err(|e| e.to_string())
}

fn plan(db: &Database, q: &str) -> String {
    let mut p = Params::new();
    p.insert("s".into(), Value::Int(0));
    db.query(&format!("EXPLAIN {q}"), &p)
        .expect("EXPLAIN runs")
        .plan
        .unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn pruned_var_length_answers_as_trails_do(
        n in 1usize..7,
        raw in prop::collection::vec((0usize..7, 0usize..7), 0..14),
        start in 0usize..7,
        min in 0u32..2,
        max in 1u32..5,
        arrow in 0usize..3,
    ) {
        let edges: Vec<(usize, usize)> = raw.iter().map(|&(a, b)| (a % n, b % n)).collect();
        let start = start % n;
        let db = graph(n, &edges);
        let (l, r) = [("-", "->"), ("<-", "-"), ("-", "-")][arrow];
        let shapes = [
            "MATCH (a:V {i: $s}){l}[:T*{min}..{max}]{r}(b) RETURN DISTINCT b.i",
            "MATCH (a:V {i: $s}){l}[:T*{min}..{max}]{r}(b) RETURN count(DISTINCT b) AS n, min(b.i) AS lo",
            "MATCH (a:V {i: $s}){l}[:T*{min}..{max}]{r}(b) WHERE b.i <> 2 WITH collect(DISTINCT b.i) AS c UNWIND c AS x RETURN x",
        ];
        for shape in shapes {
            let q = shape
                .replace("{l}", l)
                .replace("{r}", r)
                .replace("{min}", &min.to_string())
                .replace("{max}", &max.to_string());
            // Naming the relationship list keeps every trail.
            let reference = q.replace("[:T*", "[rs:T*");
            prop_assert!(plan(&db, &q).contains("VarLengthExpandPruning"), "{}", plan(&db, &q));
            prop_assert!(!plan(&db, &reference).contains("VarLengthExpandPruning"));
            let options = QueryOptions::default();
            let got = rows(&db, &q, start, &options);
            let want = rows(&db, &reference, start, &options);
            prop_assert_eq!(&got, &want, "{} from {} over {:?}", q, start, edges);
        }
        // An implicit bound: where the enumeration of trails would pass it,
        // the pruned search either passes it too (an error) or has found
        // every reachable endpoint, which is then the whole answer.
        let q = format!("MATCH (a:V {{i: $s}}){l}[:T*]{r}(b) RETURN DISTINCT b.i");
        let reference = q.replace("[:T*", "[rs:T*");
        let bounded = QueryOptions { max_var_length: max, ..QueryOptions::default() };
        let got = rows(&db, &q, start, &bounded);
        let want = rows(&db, &reference, start, &bounded);
        match (&got, &want) {
            (_, Ok(_)) => prop_assert_eq!(&got, &want),
            (Ok(_), Err(_)) if edges.len() <= 8 => {
                let unbounded = rows(&db, &reference, start, &QueryOptions::default());
                prop_assert_eq!(&got, &unbounded, "{} from {} over {:?}", q, start, edges);
            }
            _ => {}
        }
    }

    #[test]
    fn bounded_ends_meet_in_the_middle(
        n in 1usize..6,
        raw in prop::collection::vec((0usize..6, 0usize..6), 0..14),
        ends in (0usize..6, 0usize..6),
        min in 0u32..3,
        max in 1u32..3,
        arrow in 0usize..3,
    ) {
        let edges: Vec<(usize, usize)> = raw.iter().map(|&(a, b)| (a % n, b % n)).collect();
        let (s, t) = (ends.0 % n, ends.1 % n);
        let min = min.min(max);
        let db = graph(n, &edges);
        let (l, r) = [("-", "->"), ("<-", "-"), ("-", "-")][arrow];
        let mut p = Params::new();
        p.insert("s".into(), Value::Int(s as i64));
        p.insert("t".into(), Value::Int(t as i64));
        let run = |q: &str| {
            db.query(q, &p)
                .map(|res| common::sorted_rows(&res.rows))
                .unwrap_or_else(|e| panic!("{q}: {e}"))
        };
        for ret in [
            "RETURN [x IN rs | id(x)] AS trail",
            "RETURN count(*) AS n",
            "RETURN DISTINCT b.i",
        ] {
            let q = format!(
                "MATCH (a:V {{i: $s}}), (b:V {{i: $t}}) MATCH (a){l}[rs:T*{min}..{max}]{r}(b) {ret}"
            );
            // Three hops, cut back to the bound: the trail enumeration.
            let reference = format!(
                "MATCH (a:V {{i: $s}}), (b:V {{i: $t}}) MATCH (a){l}[rs:T*{min}..3]{r}(b) \
                 WHERE size(rs) <= {max} {ret}"
            );
            prop_assert_eq!(run(&q), run(&reference), "{} from {} to {} over {:?}", q, s, t, edges);
        }
        let q = format!(
            "MATCH (a:V {{i: $s}}), (b:V {{i: $t}}) MATCH (a){l}[:T*{min}..{max}]{r}(b) RETURN DISTINCT b.i"
        );
        let reference = format!(
            "MATCH (a:V {{i: $s}}), (b:V {{i: $t}}) MATCH (a){l}[rs:T*{min}..{max}]{r}(b) RETURN DISTINCT b.i"
        );
        prop_assert_eq!(run(&q), run(&reference));
    }

    /// Many rows with the same far end: from the second row on, the trails
    /// into it come from the run's index of them (`exec/trails.rs`), which
    /// must give what walking from each row does.
    #[test]
    fn trails_into_a_shared_end_answer_as_enumeration(
        n in 1usize..6,
        raw in prop::collection::vec((0usize..6, 0usize..6), 0..14),
        t in 0usize..6,
        min in 0u32..3,
        max in 1u32..3,
        arrow in 0usize..3,
        shared_left in any::<bool>(),
    ) {
        let edges: Vec<(usize, usize)> = raw.iter().map(|&(a, b)| (a % n, b % n)).collect();
        let t = t % n;
        let min = min.min(max);
        let db = graph(n, &edges);
        let (l, r) = [("-", "->"), ("<-", "-"), ("-", "-")][arrow];
        let mut p = Params::new();
        p.insert("t".into(), Value::Int(t as i64));
        let run = |q: &str| {
            db.query(q, &p)
                .map(|res| common::sorted_rows(&res.rows))
                .unwrap_or_else(|e| panic!("{q}: {e}"))
        };
        // The shared node on either side of the pattern; the WITH keeps
        // the second MATCH apart, so both ends are bound when it runs.
        let ends = if shared_left {
            "MATCH (b:V {i: $t}), (a:V) WITH a, b, 0 AS z"
        } else {
            "MATCH (a:V), (b:V {i: $t}) WITH a, b, 0 AS z"
        };
        for (pattern, ret) in [
            ("(a){l}[rs:T*{min}..{max}]{r}(b)", "RETURN a.i, [x IN rs | id(x)] AS trail"),
            ("(a){l}[rs:T*{min}..{max}]{r}(b)", "RETURN a.i, count(*) AS n"),
            // Relationship uniqueness with a relationship bound before in
            // the same MATCH.
            ("(a)-[e:T]-(c), (a){l}[rs:T*{min}..{max}]{r}(b)", "RETURN a.i, id(e), [x IN rs | id(x)] AS trail"),
        ] {
            let pattern = pattern
                .replace("{l}", l)
                .replace("{r}", r)
                .replace("{min}", &min.to_string());
            let q = format!("{ends} MATCH {} {ret}", pattern.replace("{max}", &max.to_string()));
            // Three hops, cut back to the bound: the trail enumeration.
            let reference = format!(
                "{ends} MATCH {} WHERE size(rs) <= {max} {ret}",
                pattern.replace("{max}", "3")
            );
            prop_assert_eq!(run(&q), run(&reference), "{} to {} over {:?}", q, t, edges);
        }
    }
}
