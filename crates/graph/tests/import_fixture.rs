//! Imports the committed fixture (tests/fixtures/import) and checks counts,
//! properties and adjacency, in memory and after reopening the database in
//! a fresh process (sled must not be reopened within one process).

use std::path::{Path, PathBuf};
use std::process::Command;

use relgraph_graph::import::{import, read_records, IdType, ImportConfig, NodeInput, RelInput};
use relgraph_graph::store::OpenOptions;
use relgraph_graph::temporal::{Date, DateTime, Duration, LocalDateTime};
use relgraph_graph::{Direction, Graph, NodeId, Snapshot, Value};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/import")
}

fn config() -> ImportConfig {
    let d = fixture_dir();
    let f = |name: &str| d.join(name).display().to_string();
    ImportConfig {
        nodes: vec![
            NodeInput::parse(&format!(
                "Person={},{}",
                f("persons.csv"),
                f("persons_more.csv")
            ))
            .unwrap(),
            NodeInput::parse(&format!("Organisation:Company={}", f("orgs.csv"))).unwrap(),
            NodeInput::parse(&f("topics.csv")).unwrap(),
        ],
        relationships: vec![
            RelInput::parse(&format!("KNOWS={}", f("knows.csv"))).unwrap(),
            RelInput::parse(&f("works.csv")).unwrap(),
            RelInput::parse(&format!("INTERESTED_IN={}", f("interested.csv"))).unwrap(),
        ],
        id_type: IdType::Integer,
        ..ImportConfig::default()
    }
}

fn s(v: &str) -> Value {
    Value::from(v)
}

#[test]
fn fixture_records_cover_every_header_form() {
    let r = read_records(&config(), None).expect("fixture imports");
    let c = &r.catalog;
    assert_eq!(r.nodes.len(), 8);
    assert_eq!(r.rels.len(), 11);
    let counts: Vec<(&str, u64)> = r
        .summary
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("Advocate", 1),
            ("Company", 2),
            ("Customer", 2),
            ("Hot", 1),
            ("Organisation", 2),
            ("Person", 4),
            ("Topic", 2)
        ]
    );
    let types: Vec<(&str, u64)> = r
        .summary
        .rel_types
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        types,
        vec![
            ("FOUNDED", 1),
            ("INTERESTED_IN", 3),
            ("KNOWS", 4),
            ("WORKS_AT", 3)
        ]
    );
    assert_eq!(r.summary.rows, 19);

    let key = |n: &str| {
        c.prop_key_id(n)
            .unwrap_or_else(|| panic!("key {n} interned"))
    };
    let prop = |node: usize, k: &str| {
        r.nodes[node]
            .props
            .iter()
            .find(|(pk, _)| *pk == key(k))
            .map(|(_, v)| v.clone())
    };
    // Ids are dense in input order: Person 1..4, Org 1..2, Topic 1..2.
    assert_eq!(prop(0, "name"), Some(s("Ada, Countess")));
    assert_eq!(prop(0, "id"), Some(Value::Int(1)));
    assert_eq!(prop(0, "age"), Some(Value::Int(36)));
    assert_eq!(prop(0, "score"), Some(Value::Float(9.5)));
    assert_eq!(prop(0, "active"), Some(Value::Bool(true)));
    // 1815-12-10 is 56 270 days before 1970-01-01.
    assert_eq!(prop(0, "born"), Some(Value::Date(Date { days: -56_270 })));
    assert_eq!(
        prop(0, "nicknames"),
        Some(Value::List(vec![s("Ada"), s("AL")]))
    );
    assert_eq!(prop(1, "age"), None, "an empty field is no property");
    assert_eq!(prop(1, "nicknames"), None);
    assert_eq!(prop(2, "active"), Some(Value::Bool(true)));
    assert_eq!(
        prop(3, "name"),
        Some(s("Dan")),
        "continuation file without header"
    );
    assert_eq!(
        prop(4, "id"),
        Some(Value::Int(1)),
        "Org 1 is a different node from Person 1"
    );
    assert_eq!(prop(4, "founded"), Some(Value::Int(1999)));
    assert_eq!(
        prop(4, "tags"),
        Some(Value::List(vec![
            Value::Int(1),
            Value::Int(2),
            Value::Int(3)
        ]))
    );
    assert_eq!(prop(5, "tags"), None);
    assert_eq!(r.nodes[4].props.len(), 4, ":IGNORE drops its column");
    assert_eq!(prop(6, "id"), None, ":ID without a name is not stored");
    assert_eq!(
        prop(6, "created"),
        Some(Value::DateTime(DateTime {
            seconds: 1_709_287_200,
            nanos: 0,
            offset_seconds: 0,
            zone: None
        }))
    );
    assert_eq!(
        prop(7, "created"),
        Some(Value::DateTime(DateTime {
            seconds: 1_709_368_200,
            nanos: 0,
            offset_seconds: 3600,
            zone: None
        }))
    );
    assert_eq!(
        prop(6, "ttl"),
        Some(Value::from(Duration {
            months: 0,
            days: 30,
            seconds: 0,
            nanos: 0
        }))
    );

    let label = |n: &str| c.label_id(n).expect("label interned");
    assert_eq!(r.nodes[0].labels, {
        let mut l = vec![label("Person"), label("Customer")];
        l.sort();
        l
    });
    assert_eq!(r.nodes[1].labels, vec![label("Person")]);
    assert_eq!(r.nodes[2].labels.len(), 3);
    assert!(r.nodes[7].labels.contains(&label("Hot")));
    assert!(r
        .nodes
        .iter()
        .all(|n| n.props.windows(2).all(|w| w[0].0 < w[1].0)));

    // Relationships: ids dense in input order, endpoints resolved per space.
    let t = |n: &str| c.rel_type_id(n).expect("type interned");
    let rels: Vec<(u64, u64, &str)> = r
        .rels
        .iter()
        .map(|x| {
            (
                x.src.0,
                x.dst.0,
                c.rel_type_name(x.rel_type).expect("named"),
            )
        })
        .collect();
    assert_eq!(
        rels,
        vec![
            (0, 1, "KNOWS"),
            (1, 2, "KNOWS"),
            (2, 0, "KNOWS"),
            (0, 3, "KNOWS"),
            (0, 4, "WORKS_AT"),
            (1, 4, "WORKS_AT"),
            (2, 5, "FOUNDED"),
            (3, 5, "WORKS_AT"),
            (0, 6, "INTERESTED_IN"),
            (2, 7, "INTERESTED_IN"),
            (0, 7, "INTERESTED_IN"),
        ]
    );
    assert!(r.rels.iter().enumerate().all(|(i, x)| x.id.0 == i as u64));
    let rprop = |i: usize, k: &str| {
        r.rels[i]
            .props
            .iter()
            .find(|(pk, _)| *pk == key(k))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(rprop(0, "since"), Some(Value::Date(Date { days: 18_262 })));
    assert_eq!(rprop(2, "since"), None);
    assert_eq!(rprop(2, "weight"), Some(Value::Float(2.0)));
    assert_eq!(
        rprop(4, "years"),
        Some(Value::List(vec![Value::Int(2019), Value::Int(2020)]))
    );
    assert_eq!(rprop(7, "title"), Some(s("Sales, EMEA")));
    assert_eq!(rprop(6, "title"), None);
    assert_eq!(rprop(8, "level"), Some(Value::Int(3)));
    assert_eq!(
        rprop(9, "at"),
        Some(Value::LocalDateTime(LocalDateTime {
            seconds: 1_709_750_730,
            nanos: 500_000_000
        }))
    );
    assert_eq!(r.rels[4].rel_type, t("WORKS_AT"));
}

/// Checks a snapshot of the imported fixture through the Snapshot API.
fn check_snapshot(snap: &Snapshot) {
    let c = snap.catalog();
    assert_eq!(snap.node_count(), 8);
    assert_eq!(snap.rel_count(), 11);
    let person = c.label_id("Person").expect("Person");
    let org = c.label_id("Organisation").expect("Organisation");
    assert_eq!(snap.label_count(person), 4);
    assert_eq!(snap.label_count(org), 2);
    let name = c.prop_key_id("name").expect("name");
    let find = |label, n: &str| -> NodeId {
        snap.nodes_with_label(label)
            .find(|id| snap.node_property(*id, name).as_deref() == Some(&Value::from(n)))
            .unwrap_or_else(|| panic!("node named {n}"))
    };
    let ada = find(person, "Ada, Countess");
    let acme = find(org, "Acme");
    let globex = find(org, "Globex");
    let knows = c.rel_type_id("KNOWS").expect("KNOWS");
    let works = c.rel_type_id("WORKS_AT").expect("WORKS_AT");
    assert_eq!(snap.rel_type_count(knows), 4);
    let out: Vec<NodeId> = snap
        .neighbors(ada, knows, Direction::Outgoing)
        .iter()
        .map(|a| a.node)
        .collect();
    assert_eq!(out.len(), 2);
    let into_ada: Vec<NodeId> = snap
        .neighbors(ada, knows, Direction::Incoming)
        .iter()
        .map(|a| a.node)
        .collect();
    assert_eq!(into_ada, vec![find(person, "Cleo")]);
    let acme_staff = snap.neighbors(acme, works, Direction::Incoming);
    assert_eq!(acme_staff.len(), 2);
    assert!(snap.neighbors(globex, works, Direction::Incoming).len() == 1);
    let age = c.prop_key_id("age").expect("age");
    assert_eq!(
        snap.node_property(ada, age).as_deref(),
        Some(&Value::Int(36))
    );
    assert_eq!(
        snap.node_property(find(person, "Bob"), age).as_deref(),
        None
    );
    let title = c.prop_key_id("title").expect("title");
    let rel = acme_staff
        .iter()
        .find(|a| a.node == ada)
        .expect("Ada works at Acme")
        .rel;
    assert_eq!(
        snap.rel_property(rel, title).as_deref(),
        Some(&Value::from("CEO"))
    );
}

const REOPEN_ENV: &str = "RELGRAPH_IMPORT_FIXTURE_REOPEN";

#[test]
fn fixture_imports_into_a_database_that_reopens() {
    if let Ok(path) = std::env::var(REOPEN_ENV) {
        // Child role: reopen the database the parent imported.
        let graph = Graph::open(Path::new(&path)).expect("imported database reopens");
        check_snapshot(&graph.snapshot());
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("fixture.db");
    let (graph, summary) =
        import(&target, &config(), &OpenOptions::default(), None).expect("import");
    assert_eq!((summary.nodes, summary.relationships), (8, 11));
    check_snapshot(&graph.snapshot());
    drop(graph);
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "fixture_imports_into_a_database_that_reopens",
            "--nocapture",
        ])
        .env(REOPEN_ENV, &target)
        .status()
        .expect("spawn child");
    assert!(status.success(), "reopening in a child process failed");

    // A second import into the now non-empty target is refused.
    let e = match import(&target, &config(), &OpenOptions::default(), None) {
        Err(e) => e,
        Ok(_) => panic!("import into an existing database must fail"),
    };
    assert!(e.to_string().contains("not empty"), "{e}");
}
