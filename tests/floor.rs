//! The hand-written floor's loops (benches/floor) give the engine's
//! answers, so the bench compares equal work.

#[path = "../benches/floor/questions.rs"]
mod questions;

use relgraph_exec::{execute, QueryOptions};

#[test]
fn loops_and_engine_agree_on_the_demo_graph() {
    for (scale, seed) in [(0.2, 11), (0.05, 3)] {
        let config = relgraph_datagen::Config::new(scale, seed).expect("valid scale");
        let snap = relgraph_datagen::snapshot(&config)
            .expect("datagen builds")
            .0;
        let ids = questions::Ids::of(&snap).expect("the demo schema");
        let (me, b) = questions::people(&snap, &ids);
        assert_ne!(me, b, "a friend of a friend exists");
        let params = questions::params(me, b);
        for q in &questions::QUESTIONS {
            let stmt = relgraph_cypher::parse(q.query).expect("floor queries parse");
            let engine = execute(&stmt, &params, &snap, &QueryOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", q.name))
                .result
                .rows;
            let hand = (q.answer)(&snap, &ids, me, b);
            assert_eq!(engine, hand, "{} at scale {scale}", q.name);
            let empty = hand.is_empty()
                || hand
                    .iter()
                    .all(|r| r.iter().all(|v| *v == relgraph::ResultValue::Int(0)));
            assert!(!empty, "{} has a non-trivial answer: {hand:?}", q.name);
        }
    }
}
