//! Access policies (docs/access.md): roles see only what their privileges
//! allow, at every read, and write only what they allow.
//!
//! The differential property: for random graphs, random policies and a set
//! of query shapes (scans, label scans, index seeks, expansions,
//! variable-length and shortest paths, pattern comprehensions, EXISTS,
//! aggregates, whole-entity results), the answer under the policy equals
//! the administrator's answer on a copy of the graph from which the denied
//! nodes, relationships, labels and properties were removed.

mod common;

use proptest::prelude::*;
use relgraph::{Database, Params};

fn q(db: &Database, text: &str) -> relgraph::QueryResult {
    db.query(text, &Params::new())
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn rows_as(db: &Database, role: Option<&str>, text: &str) -> Vec<String> {
    let r = match role {
        Some(role) => db.session(role).query(text, &Params::new()),
        None => db.query(text, &Params::new()),
    };
    common::sorted_rows(&r.unwrap_or_else(|e| panic!("{text} as {role:?}: {e}")).rows)
}

/// People with and without consent, a company, a secret label, and
/// relationships of three types.
fn crm() -> Database {
    let db = Database::in_memory();
    q(
        &db,
        "CREATE (ada:Person {name: 'Ada', email: 'ada@x', consent: true}),
                (bob:Person {name: 'Bob', email: 'bob@x', consent: false}),
                (cy:Person {name: 'Cy', email: 'cy@x', consent: true}),
                (dee:Person:Secret {name: 'Dee', email: 'dee@x', consent: true}),
                (acme:Company {name: 'Acme'}),
                (ada)-[:KNOWS {since: 2019}]->(bob),
                (bob)-[:KNOWS {since: 2020}]->(cy),
                (ada)-[:KNOWS {since: 2021}]->(dee),
                (dee)-[:KNOWS {since: 2022}]->(cy),
                (ada)-[:WORKS_AT]->(acme),
                (cy)-[:WORKS_AT]->(acme),
                (bob)-[:COMPLAINED {text: 'churn'}]->(acme)",
    );
    q(&db, "CREATE INDEX FOR (p:Person) ON (p.email)");
    q(&db, "CREATE ROLE marketing");
    q(
        &db,
        "GRANT MATCH {*} ON GRAPH * NODES Person WHERE n.consent = true TO marketing",
    );
    q(
        &db,
        "GRANT MATCH {name} ON GRAPH * NODES Company TO marketing",
    );
    q(
        &db,
        "GRANT MATCH {*} ON GRAPH * RELATIONSHIPS KNOWS, WORKS_AT TO marketing",
    );
    q(&db, "DENY TRAVERSE ON GRAPH * NODES Secret TO marketing");
    q(
        &db,
        "DENY READ {email} ON GRAPH * NODES Person TO marketing",
    );
    db
}

#[test]
fn a_role_sees_only_what_it_may_traverse() {
    let db = crm();
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (p:Person) RETURN p.name"),
        ["[\"Ada\"]", "[\"Cy\"]"]
    );
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (n) RETURN count(*)"),
        ["[3]"]
    );
    // Bob (no consent) and Dee (Secret) are not on the way from Ada to Cy.
    assert_eq!(
        rows_as(
            &db,
            Some("marketing"),
            "MATCH p = shortestPath((a:Person {name: 'Ada'})-[*]-(c:Person {name: 'Cy'})) RETURN length(p)"
        ),
        ["[2]"],
        "the only visible route is Ada-Acme-Cy"
    );
    assert_eq!(
        rows_as(
            &db,
            None,
            "MATCH p = shortestPath((a:Person {name: 'Ada'})-[:KNOWS*]-(c:Person {name: 'Cy'})) RETURN length(p)"
        ),
        ["[2]"]
    );
    assert!(rows_as(
        &db,
        Some("marketing"),
        "MATCH p = shortestPath((a:Person {name: 'Ada'})-[:KNOWS*]-(c:Person {name: 'Cy'})) RETURN length(p)"
    )
    .is_empty());
    // COMPLAINED is not granted: neither the relationship nor its text.
    assert!(rows_as(
        &db,
        Some("marketing"),
        "MATCH ()-[r:COMPLAINED]->() RETURN r.text"
    )
    .is_empty());
    assert_eq!(
        rows_as(
            &db,
            Some("marketing"),
            "MATCH (a:Person {name: 'Ada'}) RETURN size([(a)-->(x) | x]), exists((a)-[:KNOWS]->())"
        ),
        ["[1,false]"],
        "Ada's only visible neighbour is Acme"
    );
}

#[test]
fn denied_properties_read_as_null_and_are_not_found_by_index() {
    let db = crm();
    assert_eq!(
        rows_as(
            &db,
            Some("marketing"),
            "MATCH (p:Person {name: 'Ada'}) RETURN p.email, keys(p)"
        ),
        ["[null,[\"consent\",\"name\"]]"]
    );
    let plan = db
        .session("marketing")
        .query(
            "EXPLAIN MATCH (p:Person {email: 'ada@x'}) RETURN p",
            &Params::new(),
        )
        .unwrap()
        .plan
        .unwrap();
    assert!(plan.contains("policy(marketing)"), "{plan}");
    assert!(plan.contains("n: n.consent = true"), "{plan}");
    // Estimates come from whole-graph statistics: shown to the
    // administrator, not under a role.
    assert!(!plan.contains("est="), "{plan}");
    let admin = q(&db, "EXPLAIN MATCH (p:Person {email: 'ada@x'}) RETURN p")
        .plan
        .unwrap();
    assert!(admin.contains("est="), "{admin}");
    assert!(rows_as(
        &db,
        Some("marketing"),
        "MATCH (p:Person {email: 'ada@x'}) RETURN p.name"
    )
    .is_empty());
    assert_eq!(
        rows_as(
            &db,
            Some("marketing"),
            "MATCH (c:Company) RETURN properties(c)"
        ),
        ["[{\"name\":\"Acme\"}]"]
    );
}

#[test]
fn hidden_labels_and_types_are_not_named() {
    let db = crm();
    let labels = rows_as(
        &db,
        Some("marketing"),
        "CALL db.labels() YIELD label RETURN label",
    );
    assert_eq!(labels, ["[\"Company\"]", "[\"Person\"]"]);
    let types = rows_as(
        &db,
        Some("marketing"),
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    );
    assert_eq!(types, ["[\"KNOWS\"]", "[\"WORKS_AT\"]"]);
    // A second label that is not granted is not shown on a visible node.
    q(&db, "MATCH (c:Person {name: 'Cy'}) SET c:Vip");
    assert_eq!(
        rows_as(
            &db,
            Some("marketing"),
            "MATCH (c:Person {name: 'Cy'}) RETURN labels(c)"
        ),
        ["[[\"Person\"]]"]
    );
    assert!(rows_as(&db, Some("marketing"), "MATCH (c:Vip) RETURN c").is_empty());
}

#[test]
fn a_new_role_sees_nothing_and_deny_wins() {
    let db = crm();
    q(&db, "CREATE ROLE fresh");
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH (n) RETURN count(*)"),
        ["[0]"]
    );
    q(&db, "GRANT MATCH {*} ON GRAPH * TO fresh");
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH (n) RETURN count(*)"),
        ["[5]"]
    );
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH ()-[r]->() RETURN count(r)"),
        ["[7]"]
    );
    q(&db, "DENY TRAVERSE ON GRAPH * NODES Company TO fresh");
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH (n) RETURN count(*)"),
        ["[4]"]
    );
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH ()-[r]->() RETURN count(r)"),
        ["[4]"]
    );
    q(
        &db,
        "REVOKE DENY TRAVERSE ON GRAPH * NODES Company FROM fresh",
    );
    assert_eq!(
        rows_as(&db, Some("fresh"), "MATCH (n) RETURN count(*)"),
        ["[5]"]
    );
    let privileges = rows_as(&db, None, "SHOW ROLE fresh PRIVILEGES");
    assert_eq!(privileges.len(), 4, "{privileges:?}");
    q(&db, "DROP ROLE fresh");
    let err = db
        .session("fresh")
        .query("RETURN 1", &Params::new())
        .unwrap_err();
    assert_eq!(err.kind, "SecurityError");
    assert!(
        err.to_string().contains("role `fresh` does not exist"),
        "{err}"
    );
}

#[test]
fn algorithms_run_on_what_the_role_sees() {
    let db = crm();
    let all = rows_as(&db, None, "CALL algo.wcc() YIELD node RETURN count(node)");
    let seen = rows_as(
        &db,
        Some("marketing"),
        "CALL algo.wcc() YIELD node RETURN count(node)",
    );
    assert_eq!(
        (all.as_slice(), seen.as_slice()),
        (&["[5]".to_string()][..], &["[3]".to_string()][..])
    );
}

#[test]
fn writes_need_write_privileges_and_policy_statements_the_administrator() {
    let db = crm();
    let m = db.session("marketing");
    let p = Params::new();
    for stmt in [
        "CREATE (:Person {name: 'Eve', consent: true})",
        "MATCH (p:Person {name: 'Ada'}) SET p.name = 'Ada L.'",
        "MATCH (p:Person {name: 'Ada'}) DETACH DELETE p",
        "CREATE ROLE other",
        "GRANT MATCH {*} ON GRAPH * TO marketing",
        "CREATE INDEX FOR (c:Company) ON (c.name)",
        "CALL db.stats()",
    ] {
        let err = m.query(stmt, &p).unwrap_err();
        assert_eq!(err.kind, "SecurityError", "{stmt}: {err}");
    }
    assert_eq!(
        rows_as(&db, None, "MATCH (n) RETURN count(*)"),
        ["[5]"],
        "nothing changed"
    );
    q(&db, "GRANT CREATE ON GRAPH * NODES Person TO marketing");
    q(
        &db,
        "GRANT SET PROPERTY {name, consent} ON GRAPH * NODES Person TO marketing",
    );
    m.query("CREATE (:Person {name: 'Eve', consent: true})", &p)
        .unwrap();
    let err = m
        .query(
            "CREATE (:Person {name: 'Fay', consent: true, email: 'f@x'})",
            &p,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("may not set property `email`"),
        "{err}"
    );
    q(
        &db,
        "DENY SET PROPERTY {name} ON GRAPH * NODES Person TO marketing",
    );
    assert_eq!(
        m.query("MATCH (p:Person {name: 'Eve'}) SET p.name = 'Eva'", &p)
            .unwrap_err()
            .kind,
        "SecurityError"
    );
    assert_eq!(
        rows_as(&db, None, "MATCH (p:Person {name: 'Eve'}) RETURN count(p)"),
        ["[1]"]
    );
    // A denial through a label the role cannot see holds, and the error
    // does not name that label.
    q(&db, "MATCH (c:Person {name: 'Cy'}) SET c:Vip");
    q(
        &db,
        "DENY SET PROPERTY {consent} ON GRAPH * NODES Vip TO marketing",
    );
    let err = m
        .query("MATCH (c:Person {name: 'Cy'}) SET c.consent = true", &p)
        .unwrap_err();
    assert_eq!(err.kind, "SecurityError");
    assert!(!err.to_string().contains("Vip"), "{err}");
    m.query("MATCH (c:Person {name: 'Ada'}) SET c.consent = true", &p)
        .unwrap();
    // A transaction of a session runs as its role too.
    let mut tx = m.begin_write().unwrap();
    assert_eq!(
        tx.query("MATCH (n) RETURN count(*)", &p)
            .unwrap()
            .rows
            .len(),
        1
    );
    assert_eq!(
        tx.query("MATCH (n) RETURN count(*) AS c", &p)
            .unwrap()
            .single::<i64>("c")
            .unwrap(),
        4
    );
    assert!(tx.query("MATCH (c:Company) DELETE c", &p).is_err());
}

#[test]
fn policies_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path).unwrap();
        q(&db, "CREATE (:Person {name: 'Ada', consent: true}), (:Person {name: 'Bob', consent: false})");
        q(&db, "CREATE ROLE marketing");
        q(
            &db,
            "GRANT MATCH {*} ON GRAPH * NODES Person WHERE n.consent = true TO marketing",
        );
    }
    let db = Database::open(&path).unwrap();
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (p) RETURN p.name"),
        ["[\"Ada\"]"]
    );
    assert_eq!(rows_as(&db, None, "SHOW ROLES"), ["[\"marketing\"]"]);
}

#[test]
fn conditions_are_checked_when_granted() {
    let db = crm();
    for (stmt, what) in [
        (
            "GRANT TRAVERSE ON GRAPH * NODES Person WHERE n.x = $p TO marketing",
            "parameters",
        ),
        (
            "GRANT TRAVERSE ON GRAPH * NODES Person WHERE exists((n)--()) TO marketing",
            "patterns",
        ),
        (
            "GRANT TRAVERSE ON GRAPH * NODES Person WHERE n.a = m.b TO marketing",
            "one variable",
        ),
        (
            "GRANT TRAVERSE ON GRAPH * RELATIONSHIPS KNOWS WHERE r.x = 1 TO marketing",
            "TO",
        ),
        (
            "GRANT TRAVERSE ON GRAPH * NODES Person TO nobody",
            "does not exist",
        ),
    ] {
        let err = db.query(stmt, &Params::new()).unwrap_err();
        assert!(err.to_string().contains(what), "{stmt}: {err}");
    }
}

// ---------------------------------------------------------------------
// The differential property.

/// A random privilege, as the statement that gives it.
fn privilege() -> impl Strategy<Value = String> {
    let label = prop::sample::select(vec!["A", "B", "C", "*"]);
    let rtype = prop::sample::select(vec!["R", "S", "*"]);
    let key = prop::sample::select(vec!["name", "score", "consent", "*"]);
    let cond = prop::sample::select(vec![
        "",
        " WHERE n.consent = true",
        " WHERE n.score > 2",
        " WHERE n.name STARTS WITH 'n1'",
    ]);
    let verb = prop::sample::select(vec!["GRANT", "GRANT", "DENY"]);
    prop_oneof![
        (verb.clone(), label.clone(), cond.clone()).prop_map(|(v, l, c)| {
            let c = if l == "*" { "" } else { c };
            format!("{v} TRAVERSE ON GRAPH * NODES {l}{c}")
        }),
        (verb.clone(), key.clone(), label.clone(), cond).prop_map(|(v, k, l, c)| {
            let c = if l == "*" { "" } else { c };
            format!("{v} READ {{{k}}} ON GRAPH * NODES {l}{c}")
        }),
        (verb.clone(), rtype.clone())
            .prop_map(|(v, t)| format!("{v} TRAVERSE ON GRAPH * RELATIONSHIPS {t}")),
        (verb, prop::sample::select(vec!["w", "*"]), rtype)
            .prop_map(|(v, k, t)| format!("{v} READ {{{k}}} ON GRAPH * RELATIONSHIPS {t}")),
    ]
}

#[derive(Debug, Clone)]
struct Graph {
    /// Per node: labels (bits of A, B, C), score, consent.
    nodes: Vec<(u8, i64, bool)>,
    /// (from, to, type R or S, weight)
    rels: Vec<(usize, usize, bool, i64)>,
}

fn graph() -> impl Strategy<Value = Graph> {
    (1usize..9).prop_flat_map(|n| {
        (
            prop::collection::vec((0u8..8, 0i64..5, any::<bool>()), n),
            prop::collection::vec((0..n, 0..n, any::<bool>(), 0i64..9), 0..16),
        )
            .prop_map(|(nodes, rels)| Graph { nodes, rels })
    })
}

fn build(g: &Graph) -> Database {
    let db = Database::in_memory();
    for (i, (labels, score, consent)) in g.nodes.iter().enumerate() {
        let ls: String = ["A", "B", "C"]
            .iter()
            .enumerate()
            .filter(|(b, _)| labels & (1 << b) != 0)
            .map(|(_, l)| format!(":{l}"))
            .collect();
        q(
            &db,
            &format!("CREATE (x{ls} {{name: 'n{i}', score: {score}, consent: {consent}}})"),
        );
    }
    for (a, b, r, w) in &g.rels {
        let t = if *r { "R" } else { "S" };
        q(
            &db,
            &format!("MATCH (a {{name: 'n{a}'}}), (b {{name: 'n{b}'}}) CREATE (a)-[:{t} {{w: {w}}}]->(b)"),
        );
    }
    q(&db, "CREATE INDEX FOR (a:A) ON (a.score)");
    db
}

/// The administrator's copy with what `role` may not see removed: the
/// removal is read off the role's own view (ids are the same in both
/// databases), so this checks that the view is one consistent graph that
/// every query shape reads alike.
fn stripped(g: &Graph, seen: &Database, role: &str) -> Database {
    let db = build(g);
    let p = Params::new();
    let s = seen.session(role);
    let ids = |text: &str| -> Vec<i64> {
        s.query(text, &p)
            .unwrap()
            .rows
            .iter()
            .map(|r| match r[0] {
                relgraph::ResultValue::Int(i) => i,
                _ => panic!("not an id"),
            })
            .collect()
    };
    let visible_nodes = ids("MATCH (n) RETURN id(n)");
    let visible_rels = ids("MATCH ()-[r]->() RETURN id(r)");
    q(
        &db,
        &format!("MATCH ()-[r]->() WHERE NOT id(r) IN {visible_rels:?} DELETE r"),
    );
    q(
        &db,
        &format!("MATCH (n) WHERE NOT id(n) IN {visible_nodes:?} DETACH DELETE n"),
    );
    for l in ["A", "B", "C"] {
        let keep = ids(&format!("MATCH (n:{l}) RETURN id(n)"));
        q(
            &db,
            &format!("MATCH (n:{l}) WHERE NOT id(n) IN {keep:?} REMOVE n:{l}"),
        );
    }
    for k in ["name", "score", "consent"] {
        let keep = ids(&format!("MATCH (n) WHERE n.{k} IS NOT NULL RETURN id(n)"));
        q(
            &db,
            &format!("MATCH (n) WHERE NOT id(n) IN {keep:?} REMOVE n.{k}"),
        );
    }
    let keep = ids("MATCH ()-[r]->() WHERE r.w IS NOT NULL RETURN id(r)");
    q(
        &db,
        &format!("MATCH ()-[r]->() WHERE NOT id(r) IN {keep:?} REMOVE r.w"),
    );
    db
}

/// An independent model of the rules for one node: whether the role sees
/// it, from the privilege statements (no conditions on `*`).
fn model_visible(privs: &[String], labels: u8, name: &str, score: i64, consent: bool) -> bool {
    let has = |l: &str| match l {
        "*" => true,
        "A" => labels & 1 != 0,
        "B" => labels & 2 != 0,
        "C" => labels & 4 != 0,
        _ => false,
    };
    let holds = |p: &str| {
        if p.contains("n.consent = true") {
            consent
        } else if p.contains("n.score > 2") {
            score > 2
        } else if p.contains("STARTS WITH 'n1'") {
            name.starts_with("n1")
        } else {
            true
        }
    };
    let applies = |p: &String| {
        p.contains(" TRAVERSE ON GRAPH * NODES ")
            && has(p
                .split(" NODES ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap())
            && holds(p)
    };
    !privs.iter().any(|p| p.starts_with("DENY") && applies(p))
        && privs.iter().any(|p| p.starts_with("GRANT") && applies(p))
}

const QUERIES: &[&str] = &[
    "MATCH (n) RETURN n",
    "MATCH (n:A) RETURN id(n), n.name, n.score",
    "MATCH (n:B:C) RETURN id(n), labels(n)",
    "MATCH (n) WHERE n.score > 2 RETURN id(n), n.consent",
    "MATCH (n:A) WHERE n.score = 3 RETURN id(n)",
    "MATCH (a)-[r]->(b) RETURN id(a), type(r), r.w, id(b)",
    "MATCH (a)-[r:R]-(b) RETURN id(a), id(r), id(b)",
    "MATCH ()-[r]->() RETURN r",
    "MATCH (a)-[:R|S*1..3]->(b) RETURN id(a), id(b)",
    "MATCH p = (a)-[*0..2]-(b) RETURN [n IN nodes(p) | id(n)], [r IN relationships(p) | r.w]",
    "MATCH (a), (b) WHERE id(a) < id(b) MATCH p = shortestPath((a)-[*]-(b)) RETURN id(a), id(b), length(p)",
    "MATCH (n) RETURN count(*), count(n.name), sum(n.score)",
    "MATCH (n) RETURN id(n), size([(n)-->(x) | x.name]), exists((n)-[:S]-())",
    "MATCH (n) OPTIONAL MATCH (n)-[:R]->(m:A) RETURN id(n), collect(m.score)",
    "MATCH (n) WITH n.consent AS c, count(*) AS k RETURN c, k",
    "MATCH (a)-->(b)-->(c) WHERE id(a) <> id(c) RETURN count(*)",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn answers_under_a_policy_equal_answers_on_the_stripped_copy(
        g in graph(),
        privs in prop::collection::vec(privilege(), 1..7),
    ) {
        let db = build(&g);
        q(&db, "CREATE ROLE r");
        for p in &privs {
            q(&db, &format!("{p} TO r"));
        }
        // The view's nodes are those the rules allow (independent model).
        let seen = rows_as(&db, Some("r"), "MATCH (n) RETURN n.name IS NOT NULL OR true, id(n)");
        let expected = g
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, (l, s, c))| model_visible(&privs, *l, &format!("n{i}"), *s, *c))
            .count();
        prop_assert_eq!(seen.len(), expected, "visible nodes under {:?}", privs);
        let copy = stripped(&g, &db, "r");
        for text in QUERIES {
            let under_policy = rows_as(&db, Some("r"), text);
            let on_copy = rows_as(&copy, None, text);
            prop_assert_eq!(under_policy, on_copy, "{} under {:?}", text, privs);
        }
        // The petgraph views of the role's snapshot are the copy's graph.
        let (role_snap, copy_snap) = (db.session("r").snapshot().unwrap(), copy.snapshot());
        for (mine, theirs) in [
            (role_snap.all_types(), copy_snap.all_types()),
            (
                role_snap.typed(relgraph_graph::RelTypeId(0)),
                copy_snap.typed(relgraph_graph::RelTypeId(0)),
            ),
        ] {
            prop_assert_eq!(petgraph_shape(mine), petgraph_shape(theirs), "under {:?}", privs);
        }
    }
}

/// A petgraph view as seen through its traits: nodes, edges (id,
/// source, target), node and edge counts, weak components.
type Shape = (Vec<u64>, Vec<(u64, u64, u64)>, usize, usize, usize);

/// What petgraph sees of a view: its nodes, its edges, its counts, its
/// compact indexing and its weak components.
fn petgraph_shape(g: relgraph_graph::snapshot::TypedGraph<'_>) -> Shape {
    use petgraph::visit::{
        EdgeCount, EdgeRef, IntoEdgeReferences, IntoNodeIdentifiers, NodeCount, NodeIndexable,
    };
    let nodes: Vec<u64> = g.node_identifiers().map(|n| n.0).collect();
    for (i, n) in g.node_identifiers().enumerate() {
        assert_eq!((g.to_index(n), g.from_index(i)), (i, n), "compact indexing");
    }
    let mut edges: Vec<(u64, u64, u64)> = g
        .edge_references()
        .map(|e| (e.id().0, e.source().0, e.target().0))
        .collect();
    edges.sort_unstable();
    (
        nodes,
        edges,
        g.node_count(),
        g.edge_count(),
        petgraph::algo::connected_components(g),
    )
}

/// Policy changes are commits: a statement running as a role sees the
/// policies of its snapshot, whole. One thread grants and revokes while
/// two others count under the role: every count is the count under one
/// of the two policies, never a mixture.
#[test]
fn readers_see_one_policy_while_it_changes() {
    let db = std::sync::Arc::new(crm());
    q(&db, "CREATE ROLE auditor");
    q(&db, "GRANT TRAVERSE ON GRAPH * NODES Person TO auditor");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (db, stop) = (db.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = std::collections::BTreeSet::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = db
                        .session("auditor")
                        .query("MATCH (n) RETURN count(*) AS c", &Params::new())
                        .unwrap();
                    seen.insert(r.single::<i64>("c").unwrap());
                }
                seen
            })
        })
        .collect();
    for _ in 0..40 {
        q(&db, "GRANT TRAVERSE ON GRAPH * NODES Company TO auditor");
        q(
            &db,
            "REVOKE GRANT TRAVERSE ON GRAPH * NODES Company FROM auditor",
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let seen = r.join().unwrap();
        assert!(
            seen.iter().all(|c| *c == 4 || *c == 5),
            "counts under a changing policy: {seen:?}"
        );
    }
}

/// A role's view is kept inside its version without keeping the version
/// alive: after a query as a role and a later write, erasing (which waits
/// until no reader holds a version from before its delete) goes through.
#[test]
fn role_views_do_not_keep_old_versions_alive() {
    let db = crm();
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (n) RETURN count(*)"),
        ["[3]"]
    );
    q(&db, "CREATE (:Person {name: 'Gil', consent: true})");
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (n) RETURN count(*)"),
        ["[4]"]
    );
    let erased = rows_as(
        &db,
        None,
        "MATCH (p:Person {name: 'Gil'}) CALL db.erase(p) YIELD nodes RETURN nodes",
    );
    // Blocked by a version kept alive, it would fail (ErasureBlocked)
    // after the write-lock timeout instead.
    assert_eq!(erased, ["[1]"]);
    assert_eq!(
        rows_as(&db, Some("marketing"), "MATCH (n) RETURN count(*)"),
        ["[3]"]
    );
}

#[test]
fn comparisons_checked_where_a_hop_finds_its_target_respect_the_role() {
    // The expansion checks `p.consent = true`, `{name: ...}` and `{email:
    // ...}` on each target it finds, and a count of one such hop is
    // answered without running operators: hidden nodes and denied keys
    // stay hidden there too.
    let db = crm();
    let consenting =
        "MATCH (:Person {name: 'Ada'})-[:KNOWS]->(p:Person) WHERE p.consent = true RETURN p.name";
    assert_eq!(rows_as(&db, None, consenting), ["[\"Dee\"]"]);
    assert!(rows_as(&db, Some("marketing"), consenting).is_empty());
    let counts = "MATCH (a:Person {name: 'Ada'}) RETURN size([(a)-[:KNOWS]->(p {email: 'dee@x'}) | p]), \
                  size([(a)-[:KNOWS]->(p {name: 'Bob'}) | p]), size([(a)-[:WORKS_AT]->(c {name: 'Acme'}) | c])";
    assert_eq!(rows_as(&db, None, counts), ["[1,1,1]"]);
    assert_eq!(rows_as(&db, Some("marketing"), counts), ["[0,0,1]"]);
}
