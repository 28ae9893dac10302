//! Standing queries end to end: registration and refusal, notification
//! contents, skipping untouched queries, overflow, durability across
//! reopen, the `db.standing.*` procedures, and (as a property) that every
//! commit's notification is exactly the difference between the answers
//! before and after it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use relgraph::{
    Database, Mode, Params, RecvError, RegisterOptions, ResultValue, StandingError, Value,
};

const WAIT: Duration = Duration::from_secs(30);

fn p() -> Params {
    Params::new()
}

fn s(v: &str) -> ResultValue {
    ResultValue::String(v.into())
}

#[test]
fn a_commit_that_adds_an_answer_notifies_it_once() {
    let db = Database::in_memory();
    db.query("CREATE (:Company {name: 'Old', size: 500})", &p())
        .unwrap();
    let sub = db
        .standing()
        .register(
            "big",
            "MATCH (c:Company) WHERE c.size > $min RETURN c.name AS name",
            &Params::from([("min".to_string(), Value::Int(100))]),
        )
        .unwrap();
    db.query(
        "CREATE (:Company {name: 'Acme', size: 900}), (:Company {name: 'Tiny', size: 3})",
        &p(),
    )
    .unwrap();
    let n = sub.recv_timeout(WAIT).unwrap();
    assert_eq!(n.name, "big");
    assert_eq!(n.version, db.snapshot().version());
    assert_eq!(&*n.columns, ["name"]);
    assert_eq!(n.added, vec![vec![s("Acme")]]);
    assert!(n.removed.is_empty());
    assert!(db.standing().sync(WAIT));
    assert_eq!(sub.try_recv(), Err(RecvError::Empty));
}

#[test]
fn mode_both_carries_rows_that_left_and_added_mode_stays_quiet() {
    let db = Database::in_memory();
    db.query("CREATE (:N {v: 1}), (:N {v: 2})", &p()).unwrap();
    let both = db
        .standing()
        .register_with(
            "both",
            "MATCH (n:N) RETURN n.v AS v",
            &p(),
            RegisterOptions {
                mode: Mode::Both,
                ..Default::default()
            },
        )
        .unwrap();
    let added = db
        .standing()
        .register("added", "MATCH (n:N) RETURN n.v AS v", &p())
        .unwrap();
    db.query("MATCH (n:N {v: 1}) DELETE n", &p()).unwrap();
    let n = both.recv_timeout(WAIT).unwrap();
    assert!(n.added.is_empty());
    assert_eq!(n.removed, vec![vec![ResultValue::Int(1)]]);
    assert!(db.standing().sync(WAIT));
    assert_eq!(added.try_recv(), Err(RecvError::Empty));
    db.query("MATCH (n:N {v: 2}) SET n.v = 3", &p()).unwrap();
    let n = both.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(3)]]);
    assert_eq!(n.removed, vec![vec![ResultValue::Int(2)]]);
    let n = added.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(3)]]);
    assert!(n.removed.is_empty());
}

#[test]
fn writes_order_and_cut_offs_are_refused_naming_the_clause() {
    let db = Database::in_memory();
    for (query, clause) in [
        ("MATCH (n:A) RETURN n.x ORDER BY n.x", "ORDER BY"),
        ("MATCH (n:A) RETURN n.x LIMIT 1", "LIMIT"),
        ("MATCH (n:A) RETURN n.x SKIP 1", "SKIP"),
        ("CREATE (:A)", "CREATE"),
        ("MATCH (n:A) SET n.x = 1 RETURN n.x", "SET"),
        ("MERGE (n:A) RETURN n.x", "MERGE"),
        (
            "CALL db.standing.register('x', 'MATCH (n) RETURN 1')",
            "a write procedure",
        ),
    ] {
        let err = db.standing().register("q", query, &p()).err().unwrap();
        match &err {
            StandingError::Query { name, source } => {
                assert_eq!(name, "q");
                assert_eq!(source.detail, Some("NotAStandingQuery"), "{query}: {err}");
                assert!(source.message.contains(clause), "{query}: {err}");
            }
            other => panic!("{query}: {other:?}"),
        }
    }
    let err = db.standing().register("q", "MATCH (n RETURN", &p()).err();
    assert!(matches!(err, Some(StandingError::Query { .. })));
    assert!(matches!(
        db.standing().register("  ", "MATCH (n:A) RETURN n.x", &p()),
        Err(StandingError::BadName(_))
    ));
    assert!(db.standing().list().is_empty(), "nothing refused is kept");
    let _a = db
        .standing()
        .register("q", "MATCH (n:A) RETURN n.x", &p())
        .unwrap();
    assert!(matches!(
        db.standing().register("q", "MATCH (n:A) RETURN n.x", &p()),
        Err(StandingError::Exists(_))
    ));
}

#[test]
fn a_commit_that_touches_nothing_the_query_reads_is_skipped() {
    let db = Database::in_memory();
    let sub = db
        .standing()
        .register(
            "a",
            "MATCH (a:A)-[:R]->(b:B) WHERE a.x > 0 RETURN a.x, b.y",
            &p(),
        )
        .unwrap();
    let registered = db.standing().list()[0].version;
    db.query("CREATE (:C {z: 1})-[:S]->(:C {z: 2})", &p())
        .unwrap();
    db.query("MATCH (c:C) SET c.w = 5", &p()).unwrap();
    assert!(db.standing().sync(WAIT));
    assert_eq!(
        db.standing().list()[0].version,
        registered,
        "not re-evaluated"
    );
    // Touched (label A) but the answer does not change: evaluated, silent.
    db.query("CREATE (:A {x: 1})", &p()).unwrap();
    assert!(db.standing().sync(WAIT));
    assert_eq!(db.standing().list()[0].version, db.snapshot().version());
    assert_eq!(sub.try_recv(), Err(RecvError::Empty));
    db.query("MATCH (a:A) CREATE (a)-[:R]->(:B {y: 'b'})", &p())
        .unwrap();
    let n = sub.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(1), s("b")]]);
}

#[test]
fn a_slow_consumer_overflows_instead_of_blocking_commits() {
    let db = Database::in_memory();
    let sub = db
        .standing()
        .register_with(
            "n",
            "MATCH (n:N) RETURN n.v",
            &p(),
            RegisterOptions {
                capacity: 2,
                ..Default::default()
            },
        )
        .unwrap();
    // A callback consumer that takes a second per notification.
    let slow = db
        .standing()
        .register_with(
            "slow",
            "MATCH (n:N) RETURN n.v",
            &p(),
            RegisterOptions {
                capacity: 1,
                ..Default::default()
            },
        )
        .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let worker = slow.on_notification(move |item| {
        seen2.lock().unwrap().push(item.map(|n| n.version));
        std::thread::sleep(Duration::from_millis(300));
    });
    let t0 = Instant::now();
    for v in 0..6 {
        db.query(&format!("CREATE (:N {{v: {v}}})"), &p()).unwrap();
    }
    // Six commits do not wait for a consumer that needs 1.8 s for them.
    assert!(
        t0.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t0.elapsed()
    );
    assert!(db.standing().sync(WAIT));
    let first = sub.try_recv().unwrap();
    let second = sub.try_recv().unwrap();
    assert!(first.version < second.version);
    assert_eq!(sub.try_recv(), Err(RecvError::Overflow { lost: 4 }));
    db.query("CREATE (:N {v: 9})", &p()).unwrap();
    assert!(db.standing().sync(WAIT));
    assert_eq!(sub.recv(), Err(RecvError::Overflow { lost: 5 }));
    db.standing().drop("slow").unwrap();
    worker.join().unwrap();
    let seen = seen.lock().unwrap();
    assert!(
        matches!(seen.last(), Some(Err(RecvError::Overflow { .. }))),
        "{seen:?}"
    );
}

#[test]
fn registrations_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path).unwrap();
        db.query("CREATE (:N {v: 1})", &p()).unwrap();
        let _sub = db
            .standing()
            .register_with(
                "n",
                "MATCH (n:N) WHERE n.v >= $min RETURN n.v",
                &Params::from([("min".to_string(), Value::Int(1))]),
                RegisterOptions {
                    mode: Mode::Both,
                    ..Default::default()
                },
            )
            .unwrap();
        db.query(
            "CALL db.standing.register('gone', 'MATCH (m:M) RETURN m.v')",
            &p(),
        )
        .unwrap();
        db.query("CALL db.standing.drop('gone')", &p()).unwrap();
    }
    let db = Database::open(&path).unwrap();
    let list = db.standing().list();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].name, "n");
    assert_eq!(list[0].mode, "both");
    assert_eq!(list[0].params["min"], Value::Int(1));
    assert_eq!(list[0].rows, 1);
    let sub = db.standing().subscribe("n", 8).unwrap();
    db.query("CREATE (:N {v: 0}), (:N {v: 2})", &p()).unwrap();
    let n = sub.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(2)]]);
}

#[test]
fn the_procedures_register_list_and_drop() {
    let db = Database::in_memory();
    let res = db
        .query(
            "CALL db.standing.register('big', 'MATCH (c:Company) WHERE c.size > $min RETURN c.name', {min: 10}, {mode: 'both'}) YIELD name, mode, rows RETURN name, mode, rows",
            &p(),
        )
        .unwrap();
    let row = res.rows().next().unwrap();
    assert_eq!(row.get::<String>("name").unwrap(), "big");
    assert_eq!(row.get::<String>("mode").unwrap(), "both");
    assert_eq!(row.get::<i64>("rows").unwrap(), 0);
    let sub = db.standing().subscribe("big", 8).unwrap();
    db.query("CREATE (:Company {name: 'Acme', size: 50})", &p())
        .unwrap();
    assert_eq!(sub.recv_timeout(WAIT).unwrap().added, vec![vec![s("Acme")]]);
    let listed = db
        .query(
            "CALL db.standing.list() YIELD name, query, rows RETURN name, query, rows",
            &p(),
        )
        .unwrap();
    let row = listed.rows().next().unwrap();
    assert_eq!(row.get::<i64>("rows").unwrap(), 1);
    let evaluation = db
        .query(
            "CALL db.standing.list() YIELD evaluation RETURN evaluation",
            &p(),
        )
        .unwrap()
        .single::<String>("evaluation")
        .unwrap();
    assert_eq!(
        evaluation,
        "incremental evaluation (the matches of the elements a commit touched; \
         whole above 1024 of them) after commits that touch :Company :Company.name :Company.size"
    );
    let _whole = db
        .standing()
        .register("whole", "MATCH (c:Company) RETURN c", &p())
        .unwrap();
    let whole = db
        .standing()
        .list()
        .into_iter()
        .find(|i| i.name == "whole")
        .unwrap();
    assert!(
        whole.evaluation.contains("every commit"),
        "{}",
        whole.evaluation
    );
    // The path each takes: `big` by one delta part (one element) and the
    // whole query as the fallback; an aggregate only whole.
    let explained = |name: &str| -> Vec<(String, String)> {
        db.query(
            "CALL db.standing.explain($name) YIELD path, plan RETURN path, plan",
            &[("name".to_string(), relgraph::Value::from(name))]
                .into_iter()
                .collect(),
        )
        .unwrap()
        .rows()
        .map(|r| {
            (
                r.get::<String>("path").unwrap(),
                r.get::<String>("plan").unwrap(),
            )
        })
        .collect()
    };
    let big = explained("big");
    assert_eq!(
        big.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["delta", "whole"]
    );
    assert!(big[0].1.contains("NodeByIdListSeek"), "{}", big[0].1);
    let _counted = db
        .standing()
        .register("counted", "MATCH (c:Company) RETURN count(c)", &p())
        .unwrap();
    let counted = explained("counted");
    assert_eq!(
        counted.len(),
        1,
        "an aggregate is evaluated whole: {counted:?}"
    );
    assert_eq!(counted[0].0, "whole");
    assert!(counted[0].1.contains("Aggregation"), "{}", counted[0].1);
    db.standing().drop("counted").unwrap();
    let err = db
        .query("CALL db.standing.explain('nope')", &p())
        .unwrap_err();
    assert!(err.message.contains("nope"), "{err}");
    db.standing().drop("whole").unwrap();
    assert!(row
        .get::<String>("query")
        .unwrap()
        .contains("c.size > $min"));
    let err = db
        .query(
            "CALL db.standing.register('x', 'MATCH (n:A) RETURN n LIMIT 2')",
            &p(),
        )
        .unwrap_err();
    assert!(err.message.contains("LIMIT"), "{err}");
    let err = db
        .query(
            "CALL db.standing.register('big', 'MATCH (n:A) RETURN n.x')",
            &p(),
        )
        .unwrap_err();
    assert!(err.message.contains("already registered"), "{err}");
    let err = db
        .query(
            "CALL db.standing.register('m', 'MATCH (n:A) RETURN n.x', {}, {mode: 'all'})",
            &p(),
        )
        .unwrap_err();
    assert!(err.message.contains("mode"), "{err}");
    // Inside an explicit transaction too; registration is not transactional.
    let mut tx = db.begin_write().unwrap();
    tx.query("CALL db.standing.drop('big')", &p()).unwrap();
    tx.rollback();
    assert!(db.standing().list().is_empty());
    assert_eq!(sub.recv_timeout(WAIT), Err(RecvError::Disconnected));
    let err = db.query("CALL db.standing.drop('big')", &p()).unwrap_err();
    assert!(err.message.contains("no standing query named"), "{err}");
}

// ---------------------------------------------------------------------
// The law: after each commit, the notification is (answer after) minus
// (answer before), and only rows that left in mode both; no notification
// when the answer did not change.

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 2] = ["R", "S"];

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..LABELS.len()).prop_map(|i| format!(":{}", LABELS[i])),
        1 => Just(String::new()),
    ]
}

fn rel_type() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..TYPES.len()).prop_map(|i| format!(":{}", TYPES[i])),
        1 => Just(String::new()),
    ]
}

fn filter(var: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (0i64..4).prop_map(move |c| format!("{var}.x > {c}")),
        (0i64..4).prop_map(move |c| format!("{var}.y = {c}")),
        Just(format!("{var}.x IS NULL")),
        Just(format!("{var}:B")),
    ]
}

fn projection() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("a.x AS ax, b.y AS yb"),
        Just("DISTINCT a.x AS ax"),
        Just("b.x AS bx, count(*) AS n"),
        Just("id(a) AS ia, id(b) AS ib"),
        Just("count(*) AS n"),
    ]
}

/// 1-2 hop standing queries with filters (the end node is `b`).
fn standing_query() -> impl Strategy<Value = String> {
    prop_oneof![
        // One node, plain (its delta part is seeded by created nodes too)
        // or through WITH (evaluated whole).
        (label(), filter("a"), any::<bool>()).prop_map(|(l, f, with)| {
            let w = if f.is_empty() {
                String::new()
            } else {
                format!(" WHERE {f}")
            };
            if with {
                format!("MATCH (a{l}){w} WITH a, a AS b RETURN a.x AS ax, b.y AS yb")
            } else {
                format!("MATCH (a{l}){w} RETURN a.x AS ax, a.y AS ay")
            }
        }),
        (
            label(),
            rel_type(),
            label(),
            filter("a"),
            filter("b"),
            projection()
        )
            .prop_map(|(l1, t, l2, f1, f2, proj)| {
                let conds: Vec<String> = [f1, f2].into_iter().filter(|f| !f.is_empty()).collect();
                let w = if conds.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {}", conds.join(" AND "))
                };
                format!("MATCH (a{l1})-[{t}]->(b{l2}){w} RETURN {proj}")
            }),
        (
            label(),
            rel_type(),
            rel_type(),
            label(),
            filter("b"),
            projection()
        )
            .prop_map(|(l1, t1, t2, l3, f, proj)| {
                let w = if f.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {f}")
                };
                format!("MATCH (a{l1})-[{t1}]->(m)<-[{t2}]-(b{l3}){w} RETURN {proj}")
            }),
        // Relationship properties, qualified by the relationship's type.
        (label(), rel_type(), label(), 0i64..2).prop_map(|(l1, t, l2, c)| {
            format!("MATCH (a{l1})-[r{t}]->(b{l2}) WHERE r.w >= {c} RETURN a.x AS ax, r.w AS w")
        }),
        // A bound variable named again with a label in an OPTIONAL MATCH.
        (label(), rel_type()).prop_map(|(l1, t)| {
            format!("MATCH (a{l1}) OPTIONAL MATCH (a:B)-[{t}]->(b) RETURN a.x AS ax, b.y AS yb")
        }),
        // Variables carried through WITH, map projections, comprehensions.
        (label(), rel_type(), label()).prop_map(|(l1, t, l2)| {
            format!(
                "MATCH (a{l1}) WITH a, a.x AS ax MATCH (a)-[{t}]->(b{l2}) \
                 RETURN ax, b {{.y}} AS m, [q IN [b, a] | q.x] AS l"
            )
        }),
    ]
}

#[derive(Clone, Debug)]
enum Write {
    Node(usize, i64, i64),
    Rel(usize, usize, usize),
    /// A new node and a relationship to it from an existing one, in one statement.
    NodeFrom(usize, usize, usize, i64),
    SetX(usize, i64),
    RemoveY(usize),
    AddLabel(usize, usize),
    RemoveLabel(usize, usize),
    DeleteRel(usize),
    DetachDelete(usize),
    SetRelW(usize, i64),
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        2 => (0..LABELS.len(), 0i64..5, 0i64..5).prop_map(|(l, x, y)| Write::Node(l, x, y)),
        3 => (0..12usize, 0..12usize, 0..TYPES.len()).prop_map(|(a, b, t)| Write::Rel(a, b, t)),
        2 => (0..12usize, 0..TYPES.len(), 0..LABELS.len(), 0i64..5)
            .prop_map(|(a, t, l, x)| Write::NodeFrom(a, t, l, x)),
        3 => (0..12usize, 0i64..5).prop_map(|(n, x)| Write::SetX(n, x)),
        1 => (0..12usize).prop_map(Write::RemoveY),
        1 => (0..12usize, 0..LABELS.len()).prop_map(|(n, l)| Write::AddLabel(n, l)),
        1 => (0..12usize, 0..LABELS.len()).prop_map(|(n, l)| Write::RemoveLabel(n, l)),
        1 => (0..20usize).prop_map(Write::DeleteRel),
        1 => (0..12usize).prop_map(Write::DetachDelete),
        4 => (0..8usize, 0i64..5).prop_map(|(r, w)| Write::SetRelW(r, w)),
    ]
}

impl Write {
    fn cypher(&self) -> String {
        match self {
            Write::Node(l, x, y) => format!("CREATE (:{} {{x: {x}, y: {y}}})", LABELS[*l]),
            Write::Rel(a, b, t) => format!(
                "MATCH (a), (b) WHERE id(a) = {a} AND id(b) = {b} CREATE (a)-[:{}]->(b)",
                TYPES[*t]
            ),
            Write::NodeFrom(a, t, l, x) => format!(
                "MATCH (a) WHERE id(a) = {a} CREATE (a)-[:{}]->(:{} {{x: {x}, y: 1}})",
                TYPES[*t], LABELS[*l]
            ),
            Write::SetX(n, x) => format!("MATCH (n) WHERE id(n) = {n} SET n.x = {x}"),
            Write::RemoveY(n) => format!("MATCH (n) WHERE id(n) = {n} REMOVE n.y"),
            Write::AddLabel(n, l) => format!("MATCH (n) WHERE id(n) = {n} SET n:{}", LABELS[*l]),
            Write::RemoveLabel(n, l) => {
                format!("MATCH (n) WHERE id(n) = {n} REMOVE n:{}", LABELS[*l])
            }
            Write::DeleteRel(r) => format!("MATCH ()-[r]->() WHERE id(r) = {r} DELETE r"),
            Write::DetachDelete(n) => format!("MATCH (n) WHERE id(n) = {n} DETACH DELETE n"),
            Write::SetRelW(r, w) => format!("MATCH ()-[r]->() WHERE id(r) = {r} SET r.w = {w}"),
        }
    }
}

/// Sorted debug renderings: a multiset of rows.
fn bag(rows: &[Vec<ResultValue>]) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    v.sort();
    v
}

/// `a - b` as multisets of rendered rows.
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest = b.to_vec();
    let mut out = Vec::new();
    for x in a {
        match rest.iter().position(|y| y == x) {
            Some(i) => {
                rest.swap_remove(i);
            }
            None => out.push(x.clone()),
        }
    }
    out.sort();
    out
}

fn answer(db: &Database, q: &str) -> Vec<String> {
    bag(&db.query(q, &p()).unwrap().rows)
}

/// Six nodes in a ring of relationships with properties (so that writes
/// to them hit), then the `seed` writes.
fn starting_graph(seed: &[Write]) -> Database {
    let db = Database::in_memory();
    for node in 0..6 {
        db.query(
            &format!(
                "CREATE (:{} {{x: {node}, y: {}}})",
                LABELS[node % 3],
                node % 2
            ),
            &p(),
        )
        .unwrap();
    }
    for i in 0..6 {
        db.query(
            &format!(
                "MATCH (a), (b) WHERE id(a) = {i} AND id(b) = {} CREATE (a)-[:{} {{w: {}}}]->(b)",
                (i + 1) % 6,
                TYPES[i % 2],
                i % 4
            ),
            &p(),
        )
        .unwrap();
    }
    for w in seed {
        db.query(&w.cypher(), &p()).unwrap();
    }
    db
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn notifications_are_the_difference_of_answers(
        seed in prop::collection::vec(write(), 0..14),
        queries in prop::collection::vec(standing_query(), 1..4),
        commits in prop::collection::vec(prop::collection::vec(write(), 1..3), 1..10),
    ) {
        let db = starting_graph(&seed);
        let registrations: Vec<(String, Params)> = queries.into_iter().map(|q| (q, p())).collect();
        notified_as_answers_change(&db, &registrations, &commits)?;
    }
}

/// Registers every (query, parameters) in mode both, runs each of
/// `commits` as one explicit transaction, and checks after each that every
/// registration was notified exactly once of the rows its answer gained
/// and lost (re-running it), or not at all when it did not change.
fn notified_as_answers_change(
    db: &Database,
    registrations: &[(String, Params)],
    commits: &[Vec<Write>],
) -> Result<(), TestCaseError> {
    let answer = |(q, params): &(String, Params)| bag(&db.query(q, params).unwrap().rows);
    let mut subs = Vec::new();
    let mut before = Vec::new();
    for (i, reg) in registrations.iter().enumerate() {
        let opts = RegisterOptions {
            mode: Mode::Both,
            capacity: 64,
            ..Default::default()
        };
        subs.push(
            db.standing()
                .register_with(&format!("q{i}"), &reg.0, &reg.1, opts)
                .unwrap(),
        );
        before.push(answer(reg));
    }
    for commit in commits {
        let mut tx = db.begin_write().unwrap();
        for w in commit {
            tx.query(&w.cypher(), &p()).unwrap();
        }
        tx.commit().unwrap();
        let version = db.snapshot().version();
        prop_assert!(db.standing().sync(WAIT));
        for (i, reg) in registrations.iter().enumerate() {
            let (q, params) = reg;
            let after = answer(reg);
            let added = minus(&after, &before[i]);
            let removed = minus(&before[i], &after);
            if added.is_empty() && removed.is_empty() {
                prop_assert_eq!(
                    subs[i].try_recv(),
                    Err(RecvError::Empty),
                    "{} {:?}",
                    q,
                    params
                );
            } else {
                let n = subs[i].try_recv();
                prop_assert!(n.is_ok(), "{} {:?}: {:?}", q, params, n);
                let n = n.unwrap();
                prop_assert_eq!(n.version, version);
                prop_assert_eq!(
                    bag(&n.added),
                    added,
                    "{} {:?} after {:?}",
                    q,
                    params,
                    commit
                );
                prop_assert_eq!(
                    bag(&n.removed),
                    removed,
                    "{} {:?} after {:?}",
                    q,
                    params,
                    commit
                );
                prop_assert_eq!(
                    subs[i].try_recv(),
                    Err(RecvError::Empty),
                    "exactly once: {}",
                    q
                );
            }
            before[i] = after;
        }
    }
    Ok(())
}

// Registrations of one text with different parameters share one
// evaluation (the parameters lifted out of the text); each must still be
// notified of exactly the change to its own answer.

/// Standing query texts that read parameters `$c` and `$k`: compared in
/// a WHERE or a pattern map (lifted), or read elsewhere (not lifted).
fn parameterised_query() -> impl Strategy<Value = String> {
    prop_oneof![
        (label(), rel_type(), label()).prop_map(|(l1, t, l2)| format!(
            "MATCH (a{l1})-[{t}]->(b{l2}) WHERE a.x > $c AND b.y = $k RETURN a.x AS ax, b.y AS yb"
        )),
        (label(), rel_type()).prop_map(|(l1, t)| format!(
            "MATCH (a{l1} {{y: $k}})-[r{t}]->(b) WHERE r.w >= $c RETURN id(a) AS ia, r.w AS w"
        )),
        (label(), rel_type(), rel_type(), label()).prop_map(|(l1, t1, t2, l3)| format!(
            "MATCH (a{l1})-[{t1}]->(m)<-[{t2}]-(b{l3}) WHERE $c < b.x AND a.x <> $k \
             RETURN a.x AS ax, b.x AS bx"
        )),
        (label(), rel_type())
            .prop_map(|(l1, t)| format!("MATCH (a{l1})-[{t}]->(:B {{x: $c}}) RETURN a.y AS ay")),
        // Read outside a comparison: each registration evaluated alone.
        label().prop_map(|l| format!("MATCH (a{l}) WHERE a.x = $c RETURN a.y + $k AS v")),
    ]
}

/// A parameter value: mostly small integers, sometimes a float equal to
/// one, a string or null (comparisons across types are null).
fn param_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (0i64..4).prop_map(Value::Int),
        1 => (0i64..3).prop_map(|i| Value::Float(i as f64)),
        1 => Just(Value::from("x")),
        1 => Just(Value::Null),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn registrations_sharing_a_text_are_each_notified_of_their_own_change(
        seed in prop::collection::vec(write(), 0..14),
        query in parameterised_query(),
        values in prop::collection::vec((param_value(), param_value()), 2..6),
        commits in prop::collection::vec(prop::collection::vec(write(), 1..3), 1..8),
    ) {
        let db = starting_graph(&seed);
        let params: Vec<Params> = values
            .iter()
            .map(|(c, k)| [("c".to_string(), c.clone()), ("k".to_string(), k.clone())].into())
            .collect();
        let registrations: Vec<(String, Params)> =
            params.into_iter().map(|p| (query.clone(), p)).collect();
        notified_as_answers_change(&db, &registrations, &commits)?;
    }
}

#[test]
fn registrations_of_one_text_share_an_evaluation_and_keep_their_own_rows() {
    let db = Database::in_memory();
    let text = "MATCH (c:Company)-[:RAISED]->(e:Event {series: $series}) \
                WHERE c.industry = $industry AND e.amount >= $min \
                RETURN c.name AS company, e.amount AS amount";
    let reg = |series: &str, industry: &str, min: i64| -> Params {
        [
            ("series".to_string(), Value::from(series)),
            ("industry".to_string(), Value::from(industry)),
            ("min".to_string(), Value::Int(min)),
        ]
        .into()
    };
    let crm_b = db
        .standing()
        .register("crm_b", text, &reg("B", "CRM", 0))
        .unwrap();
    let crm_b_big = db
        .standing()
        .register("crm_b_big", text, &reg("B", "CRM", 100))
        .unwrap();
    let ads_b = db
        .standing()
        .register("ads_b", text, &reg("B", "Ads", 0))
        .unwrap();
    let parts = db.standing().explain("crm_b").unwrap();
    let shared: Vec<_> = parts.iter().filter(|p| p.path == "shared").collect();
    assert_eq!(shared.len(), 3, "{parts:?}");
    assert!(
        shared[0].seed.contains("3 registrations"),
        "{}",
        shared[0].seed
    );
    assert!(!shared[0].query.contains("$series"), "{}", shared[0].query);
    db.query(
        "CREATE (:Company {name: 'Acme', industry: 'CRM'})-[:RAISED]->(:Event {series: 'B', amount: 50}), \
                (:Company {name: 'Bolt', industry: 'CRM'})-[:RAISED]->(:Event {series: 'B', amount: 500}), \
                (:Company {name: 'Cog', industry: 'Ads'})-[:RAISED]->(:Event {series: 'A', amount: 900})",
        &p(),
    )
    .unwrap();
    assert!(db.standing().sync(WAIT));
    let names = |n: relgraph::Notification| {
        let mut v: Vec<ResultValue> = n.added.into_iter().map(|r| r[0].clone()).collect();
        v.sort_by_key(|v| format!("{v:?}"));
        v
    };
    assert_eq!(names(crm_b.try_recv().unwrap()), vec![s("Acme"), s("Bolt")]);
    assert_eq!(names(crm_b_big.try_recv().unwrap()), vec![s("Bolt")]);
    // Cog raised a series A: nothing for the Ads registration.
    assert_eq!(ads_b.try_recv(), Err(RecvError::Empty));
}

#[test]
fn a_failed_evaluation_is_reported_and_the_next_diffs_against_the_last_answer() {
    let db = Database::in_memory();
    db.query("CREATE (:N {v: 1})", &p()).unwrap();
    let sub = db
        .standing()
        .register("ratio", "MATCH (n:N) RETURN 10 / n.v AS r", &p())
        .unwrap();
    db.query("CREATE (:N {v: 0})", &p()).unwrap();
    let failed_at = db.snapshot().version();
    match sub.recv_timeout(WAIT) {
        Err(RecvError::Failed { version, message }) => {
            assert_eq!(version, failed_at);
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    db.query("MATCH (n:N {v: 0}) SET n.v = 5", &p()).unwrap();
    let n = sub.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(2)]]);
}

#[test]
fn keys_are_watched_on_what_introduced_the_variable() {
    let db = Database::in_memory();
    db.query(
        "CREATE (:A {x: 1}), (:A:B {x: 2})-[:R {w: 1}]->(:C {y: 1})",
        &p(),
    )
    .unwrap();
    let both = RegisterOptions {
        mode: Mode::Both,
        ..Default::default()
    };
    let optional = db
        .standing()
        .register_with(
            "optional",
            "MATCH (a:A) OPTIONAL MATCH (a:B)-[:R]->(b) RETURN a.x AS ax, b.y AS yb",
            &p(),
            both,
        )
        .unwrap();
    let rel = db
        .standing()
        .register_with(
            "rel",
            "MATCH (a)-[r:R]->(b:C) WHERE r.w > 0 RETURN r.w AS w",
            &p(),
            both,
        )
        .unwrap();
    // x of the A that is not a B: its row changes.
    db.query("MATCH (a:A) WHERE NOT a:B SET a.x = 5", &p())
        .unwrap();
    let n = optional.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(5), ResultValue::Null]]);
    // w of the relationship.
    db.query("MATCH ()-[r:R]->() SET r.w = 7", &p()).unwrap();
    let n = rel.recv_timeout(WAIT).unwrap();
    assert_eq!(n.added, vec![vec![ResultValue::Int(7)]]);
    // x of a C (no A there): skipped, not re-evaluated.
    let before = db.standing().list();
    db.query("MATCH (c:C) SET c.x = 3", &p()).unwrap();
    assert!(db.standing().sync(WAIT));
    let after = db.standing().list();
    assert_eq!(before[0].version, after[0].version, "{after:?}");
}

#[test]
fn closing_the_database_ends_subscriptions_after_their_queued_notifications() {
    let db = Database::in_memory();
    let sub = db
        .standing()
        .register("n", "MATCH (n:N) RETURN n.v", &p())
        .unwrap();
    db.query("CREATE (:N {v: 1})", &p()).unwrap();
    drop(db);
    assert_eq!(sub.recv().unwrap().added.len(), 1, "queued before closing");
    assert_eq!(sub.recv(), Err(RecvError::Disconnected));
    assert_eq!(sub.iter().count(), 0);
}

#[test]
fn hostile_registrations_are_errors_not_panics() {
    let db = Database::in_memory();
    for q in [
        "CALL db.standing.register(null, 'MATCH (n:A) RETURN n.x')",
        "CALL db.standing.register('h2', null)",
        "CALL db.standing.register('h3', '')",
        "CALL db.standing.register('h4', 'RETURN 1; RETURN 2')",
        "CALL db.standing.register('h5', 'MATCH (n:A) RETURN n.x', {}, {mode: 3})",
        "CALL db.standing.register('h6', 'MATCH (n:A) RETURN n.x', {}, {nosuch: 1})",
        "CALL db.standing.register(1, 'MATCH (n:A) RETURN n.x')",
        "CALL db.standing.register('h8', 'MATCH (n:A) RETURN n.x', 'not a map')",
        "CALL db.standing.drop(null)",
        "CALL db.standing.drop('')",
        "UNWIND range(1, 3) AS i CALL db.standing.register('dup', 'MATCH (n:A) RETURN n.x') YIELD name RETURN name",
    ] {
        let res = db.query(q, &p());
        assert!(res.is_err(), "{q}: {res:?}");
    }
    // The one registration the last statement made before failing stays.
    let names: Vec<String> = db.standing().list().into_iter().map(|i| i.name).collect();
    assert_eq!(names, ["dup"]);
    // Null parameters and configuration are the defaults.
    db.query(
        "CALL db.standing.register('defaults', 'MATCH (n:A) RETURN n.x', null, null)",
        &p(),
    )
    .unwrap();
    let long = format!(
        "MATCH (n:A) WHERE n.x = '{}' RETURN n.x",
        "y".repeat(2 << 20)
    );
    let err = db.standing().register("long", &long, &p()).err().unwrap();
    assert!(matches!(err, StandingError::Query { .. }), "{err}");
}

#[test]
fn concurrent_writers_are_notified_in_commit_order_once_each() {
    let db = Database::in_memory();
    let sub = db
        .standing()
        .register_with(
            "n",
            "MATCH (n:N) WHERE n.i % 2 = 0 RETURN n.t AS t, n.i AS i",
            &p(),
            RegisterOptions {
                mode: Mode::Both,
                ..Default::default()
            },
        )
        .unwrap();
    std::thread::scope(|s| {
        for t in 0..4i64 {
            let db = &db;
            s.spawn(move || {
                for i in 0..25i64 {
                    db.query(&format!("CREATE (:N {{t: {t}, i: {i}}})"), &p())
                        .unwrap();
                    if i % 5 == 4 {
                        // Odd rows never enter; this removes an even one.
                        db.query(
                            &format!("MATCH (n:N {{t: {t}, i: {}}}) DELETE n", i - 4),
                            &p(),
                        )
                        .unwrap();
                    }
                }
            });
        }
    });
    assert!(db.standing().sync(WAIT));
    let mut versions = Vec::new();
    let mut folded: Vec<String> = Vec::new();
    loop {
        match sub.try_recv() {
            Ok(n) => {
                versions.push(n.version);
                folded.extend(n.added.iter().map(|r| format!("{r:?}")));
                for r in &n.removed {
                    let k = format!("{r:?}");
                    let at = folded
                        .iter()
                        .position(|x| *x == k)
                        .expect("removed a row it had");
                    folded.swap_remove(at);
                }
            }
            Err(RecvError::Empty) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    // Every commit that created an even row, or deleted one, notified once.
    let even_creates = 4 * 13;
    let even_deletes = 4 * 5 - 4 * 2; // i - 4 is even for i = 4, 14, 24
    assert_eq!(versions.len(), even_creates + even_deletes);
    folded.sort();
    assert_eq!(
        folded,
        answer(
            &db,
            "MATCH (n:N) WHERE n.i % 2 = 0 RETURN n.t AS t, n.i AS i"
        )
    );
}

#[test]
fn a_durable_subscriber_catches_up_from_its_acknowledged_cursor_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let both = RegisterOptions {
        mode: Mode::Both,
        ..Default::default()
    };
    {
        let db = Database::open(&path).unwrap();
        db.query("CREATE (:N {v: 0})", &p()).unwrap();
        let sub = db
            .standing()
            .register_with("n", "MATCH (n:N) RETURN n.v AS v", &p(), both)
            .unwrap();
        db.query("CREATE (:N {v: 1})", &p()).unwrap();
        let first = sub.recv_timeout(WAIT).unwrap();
        db.standing().acknowledge("n", first.version).unwrap();
        // Received but not acknowledged: it comes again after the reopen.
        db.query("CREATE (:N {v: 2})", &p()).unwrap();
        sub.recv_timeout(WAIT).unwrap();
        // Not even received; and a row that leaves.
        db.query("CREATE (:N {v: 3})", &p()).unwrap();
        db.query("MATCH (n:N {v: 0}) DELETE n", &p()).unwrap();
        assert!(db.standing().sync(WAIT));
        assert!(matches!(
            db.standing().acknowledge("nosuch", 1),
            Err(StandingError::NotFound(_))
        ));
        let _w = db
            .standing()
            .register_with(
                "w",
                "MATCH (n:N) RETURN n.v",
                &p(),
                RegisterOptions {
                    durable: false,
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(matches!(
            db.standing().acknowledge("w", 1),
            Err(StandingError::NotDurable(_))
        ));
    }
    let version = {
        let db = Database::open(&path).unwrap();
        let sub = db.standing().subscribe("n", 8).unwrap();
        let catch_up = sub.recv_timeout(WAIT).unwrap();
        assert_eq!(catch_up.version, db.snapshot().version());
        assert_eq!(
            bag(&catch_up.added),
            bag(&[vec![ResultValue::Int(2)], vec![ResultValue::Int(3)]])
        );
        assert!(catch_up.removed.is_empty(), "a catch-up carries added rows");
        // Only the first subscriber gets it; live notifications go on.
        let second = db.standing().subscribe("n", 8).unwrap();
        db.query("CREATE (:N {v: 4})", &p()).unwrap();
        let n = second.recv_timeout(WAIT).unwrap();
        assert_eq!(n.added, vec![vec![ResultValue::Int(4)]]);
        assert_eq!(sub.recv_timeout(WAIT).unwrap().version, n.version);
        db.standing().acknowledge("n", n.version).unwrap();
        n.version
    };
    // Everything acknowledged: nothing to catch up.
    let db = Database::open(&path).unwrap();
    let sub = db.standing().subscribe("n", 8).unwrap();
    assert!(db.standing().sync(WAIT));
    assert_eq!(sub.try_recv(), Err(RecvError::Empty));
    assert_eq!(db.snapshot().version(), version);
    assert_eq!(
        db.standing().list().len(),
        1,
        "the session-only one is gone"
    );
}

#[test]
fn a_cursor_behind_a_dropped_history_stays_put_and_rows_come_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path).unwrap();
        let sub = db
            .standing()
            .register("n", "MATCH (n:N) RETURN n.v AS v", &p())
            .unwrap();
        db.query("CREATE (:N {v: -1})", &p()).unwrap();
        let first = sub.recv_timeout(WAIT).unwrap();
        // More changed rows than the registry keeps between acknowledgements.
        let big = relgraph::standing::MAX_HISTORY_ROWS as i64;
        db.query(
            &format!("UNWIND range(1, {big}) AS v CREATE (:N {{v: v}})"),
            &p(),
        )
        .unwrap();
        assert_eq!(sub.recv_timeout(WAIT).unwrap().added.len() as i64, big);
        // Behind the dropped changes: accepted, the cursor does not move.
        db.standing().acknowledge("n", first.version).unwrap();
    }
    let db = Database::open(&path).unwrap();
    let sub = db.standing().subscribe("n", 8).unwrap();
    let catch_up = sub.recv_timeout(WAIT).unwrap();
    let expected = relgraph::standing::MAX_HISTORY_ROWS + 1;
    assert_eq!(
        catch_up.added.len(),
        expected,
        "everything since registration"
    );
    // Acknowledging the answer held now moves it.
    db.standing().acknowledge("n", catch_up.version).unwrap();
    drop(sub);
    drop(db);
    let db = Database::open(&path).unwrap();
    let sub = db.standing().subscribe("n", 8).unwrap();
    assert!(db.standing().sync(WAIT));
    assert_eq!(sub.try_recv(), Err(RecvError::Empty));
}
