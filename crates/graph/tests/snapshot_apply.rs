//! Snapshot semantics: apply, validation, adjacency, chunk boundaries,
//! indexes and constraints.

use std::ops::Bound;

use relgraph_graph::catalog::{
    ConstraintDef, IndexDef, PropertyType, PropertyTypeDef, SchemaTarget,
};
use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::record::{NodeRecord, RelRecord};
use relgraph_graph::{
    Adj, Catalog, Change, ChangeSet, Direction, GraphError, LabelId, NodeId, PropKeyId, RelId,
    RelTypeId, Snapshot, Value,
};

struct Names {
    catalog: Catalog,
    person: LabelId,
    company: LabelId,
    knows: RelTypeId,
    works: RelTypeId,
    name: PropKeyId,
    age: PropKeyId,
}

fn names() -> Names {
    let mut catalog = Catalog::default();
    let person = catalog.intern_label("Person");
    let company = catalog.intern_label("Company");
    let knows = catalog.intern_rel_type("KNOWS");
    let works = catalog.intern_rel_type("WORKS_AT");
    let name = catalog.intern_prop_key("name");
    let age = catalog.intern_prop_key("age");
    Names {
        catalog,
        person,
        company,
        knows,
        works,
        name,
        age,
    }
}

fn with_catalog(c: &Catalog, changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        catalog: Some(CatalogSnapshot(c.clone())),
        changes,
    }
}

fn cs(changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        catalog: None,
        changes,
    }
}

fn node(id: u64, labels: Vec<LabelId>, props: Vec<(PropKeyId, Value)>) -> Change {
    Change::CreateNode {
        id: NodeId(id),
        labels,
        props,
    }
}

fn rel(id: u64, t: RelTypeId, src: u64, dst: u64) -> Change {
    Change::CreateRel {
        id: RelId(id),
        rel_type: t,
        src: NodeId(src),
        dst: NodeId(dst),
        props: vec![],
    }
}

fn adj(node: u64, rel: u64) -> Adj {
    Adj {
        node: NodeId(node),
        rel: RelId(rel),
    }
}

/// Three people, a company, some relationships.
fn small() -> (Names, Snapshot) {
    let n = names();
    let s = Snapshot::empty()
        .apply(&with_catalog(
            &n.catalog,
            vec![
                node(
                    0,
                    vec![n.person],
                    vec![(n.name, "Ada".into()), (n.age, Value::Int(36))],
                ),
                node(1, vec![n.person], vec![(n.name, "Bob".into())]),
                node(
                    2,
                    vec![n.person, n.company],
                    vec![(n.name, "Cy".into()), (n.age, Value::Null)],
                ),
                node(3, vec![n.company], vec![(n.name, "Acme".into())]),
                rel(0, n.knows, 0, 1),
                rel(1, n.knows, 0, 2),
                rel(2, n.knows, 1, 2),
                rel(3, n.works, 0, 3),
                rel(4, n.knows, 2, 2),
            ],
        ))
        .expect("valid change set");
    (n, s)
}

#[test]
fn apply_creates_nodes_relationships_and_counters() {
    let (n, s) = small();
    assert_eq!(s.version(), 1);
    assert_eq!(s.node_count(), 4);
    assert_eq!(s.rel_count(), 5);
    assert_eq!(s.next_node_id(), NodeId(4));
    assert_eq!(s.next_rel_id(), RelId(5));
    assert_eq!(s.label_count(n.person), 3);
    assert_eq!(s.label_count(n.company), 2);
    assert_eq!(s.rel_type_count(n.knows), 4);
    assert_eq!(s.rel_type_count(n.works), 1);
    assert_eq!(s.node_labels(NodeId(2)).to_vec(), &[n.person, n.company]);
    assert!(s.has_label(NodeId(2), n.company));
    assert!(!s.has_label(NodeId(1), n.company));
    // A null in created properties is dropped.
    assert_eq!(s.node_property(NodeId(2), n.age).as_deref(), None);
    assert_eq!(
        s.node_properties(NodeId(0)),
        vec![(n.name, Value::from("Ada")), (n.age, Value::Int(36))]
    );
    assert_eq!(
        s.nodes().collect::<Vec<_>>(),
        (0..4).map(NodeId).collect::<Vec<_>>()
    );
    assert_eq!(
        s.nodes_with_label(n.company).collect::<Vec<_>>(),
        vec![NodeId(2), NodeId(3)]
    );
    let r = s.rel(RelId(3)).expect("rel 3 exists");
    assert_eq!((r.rel_type, r.src, r.dst), (n.works, NodeId(0), NodeId(3)));
    assert_eq!(s.rels().count(), 5);
}

#[test]
fn adjacency_agrees_in_both_directions_and_self_loops_appear_twice() {
    let (n, s) = small();
    assert_eq!(
        s.neighbors(NodeId(0), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(1, 0), adj(2, 1)]
    );
    assert_eq!(
        s.neighbors(NodeId(2), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(0, 1), adj(1, 2), adj(2, 4)]
    );
    assert_eq!(
        s.neighbors(NodeId(2), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(2, 4)]
    );
    assert_eq!(
        s.neighbors(NodeId(0), n.works, Direction::Outgoing)
            .to_vec(),
        &[adj(3, 3)]
    );
    assert_eq!(
        s.neighbors(NodeId(3), n.knows, Direction::Incoming)
            .to_vec(),
        &[]
    );
    assert_eq!(
        s.neighbors(NodeId(99), n.knows, Direction::Incoming)
            .to_vec(),
        &[]
    );
    // Every relationship is in its source's outgoing and its target's incoming list.
    for r in s.rels() {
        assert!(s
            .neighbors(r.src, r.rel_type, Direction::Outgoing)
            .to_vec()
            .contains(&adj(r.dst.0, r.id.0)));
        assert!(s
            .neighbors(r.dst, r.rel_type, Direction::Incoming)
            .to_vec()
            .contains(&adj(r.src.0, r.id.0)));
    }
    assert_eq!(
        s.rel_types_of(NodeId(0), Direction::Outgoing),
        vec![n.knows, n.works]
    );
}

#[test]
fn set_remove_properties_and_labels() {
    let (n, s) = small();
    let s2 = s
        .apply(&cs(vec![
            Change::SetNodeProp {
                id: NodeId(1),
                key: n.age,
                value: Value::Int(40),
            },
            Change::SetNodeProp {
                id: NodeId(0),
                key: n.name,
                value: Value::Null,
            },
            Change::AddLabel {
                id: NodeId(1),
                label: n.company,
            },
            Change::AddLabel {
                id: NodeId(1),
                label: n.company,
            },
            Change::RemoveLabel {
                id: NodeId(2),
                label: n.person,
            },
            Change::SetRelProp {
                id: RelId(0),
                key: n.age,
                value: Value::Float(1.5),
            },
        ]))
        .unwrap();
    assert_eq!(
        s2.node_property(NodeId(1), n.age).as_deref(),
        Some(&Value::Int(40))
    );
    assert_eq!(s2.node_property(NodeId(0), n.name).as_deref(), None);
    assert_eq!(s2.node_labels(NodeId(1)).to_vec(), &[n.person, n.company]);
    assert_eq!(s2.node_labels(NodeId(2)).to_vec(), &[n.company]);
    assert_eq!(s2.label_count(n.person), 2);
    assert_eq!(s2.label_count(n.company), 3);
    assert_eq!(
        s2.rel_property(RelId(0), n.age).as_deref(),
        Some(&Value::Float(1.5))
    );
    assert_eq!(
        s2.rel_properties(RelId(0)),
        vec![(n.age, Value::Float(1.5))]
    );
    // The old version is untouched.
    assert_eq!(
        s.node_property(NodeId(0), n.name).as_deref(),
        Some(&Value::from("Ada"))
    );
    assert_eq!(s.label_count(n.company), 2);
    assert_eq!(s.rel_property(RelId(0), n.age).as_deref(), None);
    assert_eq!(s2.version(), 2);
}

#[test]
fn delete_rules() {
    let (n, s) = small();
    // A node with relationships cannot be deleted.
    let err = s
        .apply(&cs(vec![Change::DeleteNode { id: NodeId(1) }]))
        .unwrap_err();
    assert!(
        matches!(err, GraphError::NodeHasRelationships(NodeId(1))),
        "{err}"
    );
    // A self-loop keeps its node too.
    let err = s
        .apply(&cs(vec![
            Change::DeleteRel { id: RelId(1) },
            Change::DeleteRel { id: RelId(2) },
            Change::DeleteNode { id: NodeId(2) },
        ]))
        .unwrap_err();
    assert!(
        matches!(err, GraphError::NodeHasRelationships(NodeId(2))),
        "{err}"
    );
    // Deleting its relationships first (or later in the same set) works.
    let s2 = s
        .apply(&cs(vec![
            Change::DeleteNode { id: NodeId(1) },
            Change::DeleteRel { id: RelId(0) },
            Change::DeleteRel { id: RelId(2) },
        ]))
        .unwrap();
    assert!(!s2.node_exists(NodeId(1)));
    assert_eq!(s2.node_labels(NodeId(1)).to_vec(), &[]);
    assert_eq!(s2.node_property(NodeId(1), n.name).as_deref(), None);
    assert_eq!(s2.node_count(), 3);
    assert_eq!(s2.rel_count(), 3);
    assert_eq!(s2.label_count(n.person), 2);
    assert_eq!(s2.rel_type_count(n.knows), 2);
    assert_eq!(
        s2.neighbors(NodeId(0), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(2, 1)]
    );
    assert_eq!(
        s2.neighbors(NodeId(2), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(0, 1), adj(2, 4)]
    );
    assert!(s2.rel(RelId(0)).is_none());
    assert_eq!(
        s2.nodes().collect::<Vec<_>>(),
        vec![NodeId(0), NodeId(2), NodeId(3)]
    );
    // Ids are never reused.
    let err = s2.apply(&cs(vec![node(1, vec![], vec![])])).unwrap_err();
    assert!(matches!(err, GraphError::Invalid(_)), "{err}");
    // Created then deleted in one set is fine and leaves the id dead.
    let s3 = s2
        .apply(&cs(vec![
            node(4, vec![n.person], vec![]),
            rel(5, n.knows, 4, 0),
            Change::DeleteRel { id: RelId(5) },
            Change::DeleteNode { id: NodeId(4) },
        ]))
        .unwrap();
    assert!(!s3.node_exists(NodeId(4)));
    assert_eq!(s3.next_node_id(), NodeId(5));
    assert_eq!(s3.next_rel_id(), RelId(6));
    assert_eq!(s3.label_count(n.person), 2);
    assert_eq!(
        s3.neighbors(NodeId(0), n.knows, Direction::Incoming)
            .to_vec(),
        &[]
    );
}

#[test]
fn validation_errors_leave_the_snapshot_intact() {
    let (n, s) = small();
    type Case = (Vec<Change>, fn(&GraphError) -> bool);
    let cases: Vec<Case> = vec![
        (
            vec![Change::SetNodeProp {
                id: NodeId(42),
                key: n.name,
                value: Value::Int(1),
            }],
            |e| matches!(e, GraphError::NodeNotFound(NodeId(42))),
        ),
        (vec![Change::DeleteRel { id: RelId(77) }], |e| {
            matches!(e, GraphError::RelNotFound(RelId(77)))
        }),
        (vec![rel(5, n.knows, 0, 9)], |e| {
            matches!(e, GraphError::NodeNotFound(NodeId(9)))
        }),
        (
            vec![Change::SetNodeProp {
                id: NodeId(0),
                key: n.name,
                value: Value::Node(NodeId(1)),
            }],
            |e| matches!(e, GraphError::InvalidProperty { .. }),
        ),
        (vec![node(4, vec![LabelId(99)], vec![])], |e| {
            matches!(e, GraphError::Invalid(_))
        }),
        (vec![node(4 + (1 << 21), vec![], vec![])], |e| {
            matches!(e, GraphError::Invalid(_))
        }),
        // A valid change followed by an invalid one: nothing applies.
        (
            vec![
                node(4, vec![n.person], vec![]),
                Change::DeleteNode { id: NodeId(4) },
                Change::AddLabel {
                    id: NodeId(4),
                    label: n.person,
                },
            ],
            |e| matches!(e, GraphError::NodeNotFound(NodeId(4))),
        ),
    ];
    for (changes, expected) in cases {
        let err = s.apply(&cs(changes.clone())).unwrap_err();
        assert!(expected(&err), "{changes:?} gave {err}");
        assert_eq!(s.node_count(), 4);
        assert_eq!(s.rel_count(), 5);
        assert_eq!(s.version(), 1);
        assert_eq!(
            s.node_property(NodeId(0), n.name).as_deref(),
            Some(&Value::from("Ada"))
        );
    }
}

#[test]
fn chunk_boundaries() {
    let n = names();
    // Ids around the chunk size (4096) and the next boundary.
    let count = 8200u64;
    let mut changes: Vec<Change> = (0..count)
        .map(|i| {
            node(
                i,
                vec![if i % 2 == 0 { n.person } else { n.company }],
                vec![(n.age, Value::Int(i as i64))],
            )
        })
        .collect();
    let pairs = [
        (4095u64, 4096u64),
        (4096, 4095),
        (0, 8191),
        (8192, 4095),
        (4096, 4096),
        (8199, 0),
    ];
    for (i, (a, b)) in pairs.iter().enumerate() {
        changes.push(rel(i as u64, n.knows, *a, *b));
    }
    let s = Snapshot::empty()
        .apply(&with_catalog(&n.catalog, changes))
        .unwrap();
    assert_eq!(s.node_count(), count);
    assert_eq!(s.node_morsels(), vec![0..4096, 4096..8192, 8192..8200]);
    assert_eq!(s.label_count(n.person), count / 2);
    assert_eq!(
        s.nodes_in_range(4094..4098, None),
        (4094..4098).map(NodeId).collect::<Vec<_>>()
    );
    assert_eq!(
        s.nodes_in_range(4090..8195, Some(n.company)).len(),
        (4090..8195).filter(|i| i % 2 == 1).count()
    );
    assert_eq!(s.nodes_in_range(8190..100_000, None).len(), 10);
    assert_eq!(
        s.neighbors(NodeId(4095), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(4096, 0)]
    );
    assert_eq!(
        s.neighbors(NodeId(4095), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(4096, 1), adj(8192, 3)]
    );
    assert_eq!(
        s.neighbors(NodeId(4096), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(4095, 1), adj(4096, 4)]
    );
    assert_eq!(
        s.neighbors(NodeId(4096), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(4095, 0), adj(4096, 4)]
    );
    assert_eq!(
        s.neighbors(NodeId(0), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(8199, 5)]
    );
    assert_eq!(
        s.node_property(NodeId(4096), n.age).as_deref(),
        Some(&Value::Int(4096))
    );
    // Touching one chunk leaves the others' data equal.
    let s2 = s
        .apply(&cs(vec![
            Change::DeleteRel { id: RelId(0) },
            Change::SetNodeProp {
                id: NodeId(4095),
                key: n.age,
                value: Value::Null,
            },
        ]))
        .unwrap();
    assert_eq!(
        s2.neighbors(NodeId(4096), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(4096, 4)]
    );
    assert_eq!(
        s2.neighbors(NodeId(4095), n.knows, Direction::Outgoing)
            .to_vec(),
        &[]
    );
    assert_eq!(s2.node_property(NodeId(4095), n.age).as_deref(), None);
    assert_eq!(
        s2.node_property(NodeId(4094), n.age).as_deref(),
        Some(&Value::Int(4094))
    );
    assert_eq!(
        s2.node_property(NodeId(8199), n.age).as_deref(),
        Some(&Value::Int(8199))
    );
    // Records round-trip through from_records.
    let s3 = Snapshot::from_records(
        s2.catalog().clone(),
        s2.version(),
        s2.next_node_id(),
        s2.next_rel_id(),
        s2.node_records(0..u64::MAX),
        s2.rel_records(0..u64::MAX),
    )
    .unwrap();
    assert_eq!(s3.node_records(0..u64::MAX), s2.node_records(0..u64::MAX));
    assert_eq!(s3.rel_records(0..u64::MAX), s2.rel_records(0..u64::MAX));
    assert_eq!(s3.rel_records(1..3).len(), 2);
    for id in [0, 4095, 4096, 8192, 8199] {
        for dir in [Direction::Outgoing, Direction::Incoming] {
            assert_eq!(
                s3.neighbors(NodeId(id), n.knows, dir).to_vec(),
                s2.neighbors(NodeId(id), n.knows, dir).to_vec()
            );
        }
    }
}

#[test]
fn out_of_order_ids_and_gaps() {
    let n = names();
    let s = Snapshot::empty()
        .apply(&with_catalog(
            &n.catalog,
            vec![
                node(5, vec![], vec![]),
                node(2, vec![], vec![]),
                rel(3, n.knows, 5, 2),
            ],
        ))
        .unwrap();
    assert_eq!(s.next_node_id(), NodeId(6));
    assert_eq!(s.next_rel_id(), RelId(4));
    assert_eq!(s.nodes().collect::<Vec<_>>(), vec![NodeId(2), NodeId(5)]);
    assert!(!s.node_exists(NodeId(0)));
    assert!(s.rel(RelId(0)).is_none());
    let err = s.apply(&cs(vec![node(4, vec![], vec![])])).unwrap_err();
    assert!(matches!(err, GraphError::Invalid(_)));
}

fn indexed() -> (Names, Snapshot) {
    let mut n = names();
    n.catalog.indexes.push(IndexDef {
        name: "person_age".into(),
        label: n.person,
        key: n.age,
    });
    let s = Snapshot::empty()
        .apply(&with_catalog(
            &n.catalog,
            vec![
                node(0, vec![n.person], vec![(n.age, Value::Int(1))]),
                node(1, vec![n.person], vec![(n.age, Value::Float(1.0))]),
                node(2, vec![n.person], vec![(n.age, Value::Float(2.5))]),
                node(3, vec![n.person], vec![(n.age, "1".into())]),
                node(4, vec![n.company], vec![(n.age, Value::Int(1))]),
                node(5, vec![n.person], vec![(n.age, Value::Float(f64::NAN))]),
                node(6, vec![n.person], vec![(n.age, Value::Int(7))]),
            ],
        ))
        .unwrap();
    (n, s)
}

#[test]
fn index_lookup_and_range() {
    let (n, s) = indexed();
    let look = |s: &Snapshot, v: Value| s.index_lookup(n.person, n.age, &v).unwrap();
    assert_eq!(look(&s, Value::Int(1)), vec![NodeId(0), NodeId(1)]);
    assert_eq!(look(&s, Value::Float(1.0)), vec![NodeId(0), NodeId(1)]);
    assert_eq!(look(&s, "1".into()), vec![NodeId(3)]);
    assert_eq!(look(&s, Value::Float(f64::NAN)), vec![]);
    assert_eq!(look(&s, Value::Null), vec![]);
    assert_eq!(s.index_lookup(n.company, n.age, &Value::Int(1)), None);
    assert_eq!(s.index_lookup(n.person, n.name, &Value::Int(1)), None);
    let range = |s: &Snapshot, lo: Bound<&Value>, hi: Bound<&Value>| {
        s.index_range(n.person, n.age, lo, hi).unwrap()
    };
    assert_eq!(
        range(&s, Bound::Excluded(&Value::Int(1)), Bound::Unbounded),
        vec![NodeId(2), NodeId(6)]
    );
    assert_eq!(
        range(
            &s,
            Bound::Included(&Value::Float(0.5)),
            Bound::Excluded(&Value::Int(7))
        ),
        vec![NodeId(0), NodeId(1), NodeId(2)]
    );
    assert_eq!(
        range(&s, Bound::Included(&"0".into()), Bound::Unbounded),
        vec![NodeId(3)]
    );
    // Maintained on write: update, remove label, delete, create.
    let s2 = s
        .apply(&cs(vec![
            Change::SetNodeProp {
                id: NodeId(0),
                key: n.age,
                value: Value::Int(3),
            },
            Change::RemoveLabel {
                id: NodeId(1),
                label: n.person,
            },
            Change::DeleteNode { id: NodeId(6) },
            node(7, vec![n.person], vec![(n.age, Value::Int(1))]),
            Change::AddLabel {
                id: NodeId(4),
                label: n.person,
            },
        ]))
        .unwrap();
    assert_eq!(look(&s2, Value::Int(1)), vec![NodeId(4), NodeId(7)]);
    assert_eq!(look(&s2, Value::Int(3)), vec![NodeId(0)]);
    assert_eq!(look(&s2, Value::Int(7)), vec![]);
    assert_eq!(s2.index_size(n.person, n.age), Some(5));
    // The old version's index is unchanged.
    assert_eq!(look(&s, Value::Int(1)), vec![NodeId(0), NodeId(1)]);
    assert_eq!(look(&s, Value::Int(7)), vec![NodeId(6)]);
}

#[test]
fn index_declared_later_is_built_and_dropped() {
    let (n, s) = small();
    let mut c = s.catalog().clone();
    c.indexes.push(IndexDef {
        name: "i".into(),
        label: n.person,
        key: n.name,
    });
    let s2 = s.apply(&with_catalog(&c, vec![])).unwrap();
    assert_eq!(
        s2.index_lookup(n.person, n.name, &"Bob".into()),
        Some(vec![NodeId(1)])
    );
    assert_eq!(
        s2.index_lookup(n.person, n.name, &"Acme".into()),
        Some(vec![])
    );
    c.indexes.clear();
    let s3 = s2.apply(&with_catalog(&c, vec![])).unwrap();
    assert_eq!(s3.index_lookup(n.person, n.name, &"Bob".into()), None);
}

#[test]
fn unique_constraints() {
    let mut n = names();
    n.catalog.constraints.push(ConstraintDef {
        name: "person_name".into(),
        label: n.person,
        key: n.name,
    });
    let s = Snapshot::empty()
        .apply(&with_catalog(
            &n.catalog,
            vec![
                node(0, vec![n.person], vec![(n.name, "Ada".into())]),
                node(1, vec![n.person], vec![(n.name, "Bob".into())]),
                node(2, vec![n.company], vec![(n.name, "Ada".into())]),
                node(3, vec![n.person], vec![]),
                node(4, vec![n.person], vec![]),
            ],
        ))
        .unwrap();
    let err = s
        .apply(&cs(vec![node(
            5,
            vec![n.person],
            vec![(n.name, "Ada".into())],
        )]))
        .unwrap_err();
    match &err {
        GraphError::ConstraintViolation {
            constraint,
            node,
            value,
            ..
        } => {
            assert_eq!(constraint, "person_name");
            assert_eq!(*node, NodeId(0));
            assert_eq!(value, "'Ada'");
        }
        other => panic!("expected a constraint violation, got {other}"),
    }
    assert_eq!(s.node_count(), 5);
    // Gaining the label makes a duplicate too.
    let err = s
        .apply(&cs(vec![Change::AddLabel {
            id: NodeId(2),
            label: n.person,
        }]))
        .unwrap_err();
    assert!(
        matches!(err, GraphError::ConstraintViolation { .. }),
        "{err}"
    );
    // Swapping values within one set is fine: checked on the final state.
    let s2 = s
        .apply(&cs(vec![
            Change::SetNodeProp {
                id: NodeId(0),
                key: n.name,
                value: "Bob".into(),
            },
            Change::SetNodeProp {
                id: NodeId(1),
                key: n.name,
                value: "Ada".into(),
            },
        ]))
        .unwrap();
    assert_eq!(
        s2.index_lookup(n.person, n.name, &"Ada".into()),
        Some(vec![NodeId(1)])
    );
    // Deleting the holder frees the value.
    let s3 = s2
        .apply(&cs(vec![
            Change::DeleteNode { id: NodeId(1) },
            node(5, vec![n.person], vec![(n.name, "Ada".into())]),
        ]))
        .unwrap();
    assert_eq!(
        s3.index_lookup(n.person, n.name, &"Ada".into()),
        Some(vec![NodeId(5)])
    );
    // Integer 1 and float 1.0 are the same value.
    let s4 = s3
        .apply(&cs(vec![Change::SetNodeProp {
            id: NodeId(3),
            key: n.name,
            value: Value::Int(1),
        }]))
        .unwrap();
    let err = s4
        .apply(&cs(vec![Change::SetNodeProp {
            id: NodeId(4),
            key: n.name,
            value: Value::Float(1.0),
        }]))
        .unwrap_err();
    assert!(
        matches!(err, GraphError::ConstraintViolation { .. }),
        "{err}"
    );
}

#[test]
fn new_constraint_checks_existing_data() {
    let (n, s) = small();
    let mut c = s.catalog().clone();
    // Existing data is unique on name: fine.
    c.constraints.push(ConstraintDef {
        name: "u".into(),
        label: n.person,
        key: n.name,
    });
    let s2 = s.apply(&with_catalog(&c, vec![])).unwrap();
    assert_eq!(
        s2.index_lookup(n.person, n.name, &"Ada".into()),
        Some(vec![NodeId(0)])
    );
    // A constraint on a duplicated value fails and changes nothing.
    let s3 = s2
        .apply(&cs(vec![Change::SetNodeProp {
            id: NodeId(3),
            key: n.name,
            value: "X".into(),
        }]))
        .unwrap();
    let s3 = s3
        .apply(&cs(vec![Change::AddLabel {
            id: NodeId(3),
            label: n.person,
        }]))
        .unwrap();
    let s4 = s3
        .apply(&cs(vec![node(
            4,
            vec![n.company],
            vec![(n.name, "X".into())],
        )]))
        .unwrap();
    let mut c2 = s4.catalog().clone();
    c2.constraints.push(ConstraintDef {
        name: "company_name".into(),
        label: n.company,
        key: n.name,
    });
    let err = s4.apply(&with_catalog(&c2, vec![])).unwrap_err();
    assert!(
        matches!(err, GraphError::ConstraintViolation { .. }),
        "{err}"
    );
    assert_eq!(s4.index_lookup(n.company, n.name, &"X".into()), None);
    // An existing index that becomes unique is checked as a whole.
    let mut c3 = s4.catalog().clone();
    c3.indexes.push(IndexDef {
        name: "i".into(),
        label: n.company,
        key: n.name,
    });
    let s5 = s4.apply(&with_catalog(&c3, vec![])).unwrap();
    c3.constraints.push(ConstraintDef {
        name: "company_name".into(),
        label: n.company,
        key: n.name,
    });
    let err = s5.apply(&with_catalog(&c3, vec![])).unwrap_err();
    assert!(
        matches!(err, GraphError::ConstraintViolation { .. }),
        "{err}"
    );
}

#[test]
fn declared_property_types() {
    let (n, s) = small();
    let mut c = s.catalog().clone();
    c.property_types.push(PropertyTypeDef {
        target: SchemaTarget::Label(n.person),
        key: n.age,
        ty: PropertyType::Int,
    });
    c.property_types.push(PropertyTypeDef {
        target: SchemaTarget::RelType(n.knows),
        key: n.name,
        ty: PropertyType::String,
    });
    let s2 = s.apply(&with_catalog(&c, vec![])).unwrap();
    let err = s2
        .apply(&cs(vec![Change::SetNodeProp {
            id: NodeId(1),
            key: n.age,
            value: "old".into(),
        }]))
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidProperty { .. }), "{err}");
    // A company may have a string age; gaining :Person then violates.
    let s3 = s2
        .apply(&cs(vec![Change::SetNodeProp {
            id: NodeId(3),
            key: n.age,
            value: "old".into(),
        }]))
        .unwrap();
    let err = s3
        .apply(&cs(vec![Change::AddLabel {
            id: NodeId(3),
            label: n.person,
        }]))
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidProperty { .. }), "{err}");
    let err = s3
        .apply(&cs(vec![Change::SetRelProp {
            id: RelId(0),
            key: n.name,
            value: Value::Int(3),
        }]))
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidProperty { .. }), "{err}");
    // Declaring a type that existing data violates fails.
    let mut c2 = s3.catalog().clone();
    c2.property_types.push(PropertyTypeDef {
        target: SchemaTarget::Label(n.company),
        key: n.age,
        ty: PropertyType::Int,
    });
    let err = s3.apply(&with_catalog(&c2, vec![])).unwrap_err();
    assert!(matches!(err, GraphError::InvalidProperty { .. }), "{err}");
}

#[test]
fn from_records_validates() {
    let n = names();
    let nr = |id: u64| NodeRecord {
        id: NodeId(id),
        labels: vec![n.person],
        props: vec![(n.age, Value::Int(id as i64)), (n.name, Value::Null)],
    };
    let rr = |id: u64, s: u64, d: u64| RelRecord {
        id: RelId(id),
        rel_type: n.knows,
        src: NodeId(s),
        dst: NodeId(d),
        props: vec![],
    };
    let ok = Snapshot::from_records(
        n.catalog.clone(),
        3,
        NodeId(10),
        RelId(10),
        vec![nr(9), nr(0), nr(4)],
        vec![rr(2, 9, 0), rr(1, 0, 4)],
    )
    .unwrap();
    assert_eq!(ok.version(), 3);
    assert_eq!(
        ok.nodes().collect::<Vec<_>>(),
        vec![NodeId(0), NodeId(4), NodeId(9)]
    );
    assert_eq!(ok.node_properties(NodeId(4)), vec![(n.age, Value::Int(4))]);
    assert_eq!(ok.label_count(n.person), 3);
    assert_eq!(ok.rel_type_count(n.knows), 2);
    assert_eq!(
        ok.neighbors(NodeId(0), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(9, 2)]
    );
    let bad = |nodes: Vec<NodeRecord>, rels: Vec<RelRecord>| {
        Snapshot::from_records(n.catalog.clone(), 0, NodeId(10), RelId(10), nodes, rels)
            .unwrap_err()
    };
    assert!(matches!(
        bad(vec![nr(1), nr(1)], vec![]),
        GraphError::Invalid(_)
    ));
    assert!(matches!(bad(vec![nr(10)], vec![]), GraphError::Invalid(_)));
    assert!(matches!(
        bad(vec![nr(1)], vec![rr(0, 1, 2)]),
        GraphError::NodeNotFound(NodeId(2))
    ));
    assert!(matches!(
        bad(vec![nr(1)], vec![rr(10, 1, 1)]),
        GraphError::Invalid(_)
    ));
    // A sparse id space (many dead ids) checks endpoints without a bitset.
    let sparse = Snapshot::from_records(
        n.catalog.clone(),
        0,
        NodeId(10_000_000),
        RelId(1),
        vec![nr(0), nr(9_999_999)],
        vec![rr(0, 9_999_999, 0)],
    )
    .unwrap();
    assert_eq!(
        sparse
            .neighbors(NodeId(0), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(9_999_999, 0)]
    );
    let err = Snapshot::from_records(
        n.catalog.clone(),
        0,
        NodeId(10_000_000),
        RelId(1),
        vec![nr(0)],
        vec![rr(0, 5_000_000, 0)],
    )
    .unwrap_err();
    assert!(
        matches!(err, GraphError::NodeNotFound(NodeId(5_000_000))),
        "{err}"
    );
    // An id bound far beyond the records is rejected, not allocated.
    let err = Snapshot::from_records(
        n.catalog.clone(),
        0,
        NodeId(u64::MAX),
        RelId(0),
        vec![nr(1)],
        vec![],
    )
    .unwrap_err();
    assert!(matches!(err, GraphError::Invalid(_)), "{err}");
    let mut c = n.catalog.clone();
    c.constraints.push(ConstraintDef {
        name: "u".into(),
        label: n.person,
        key: n.age,
    });
    let err = Snapshot::from_records(
        c,
        0,
        NodeId(3),
        RelId(0),
        vec![
            nr(0),
            NodeRecord {
                id: NodeId(1),
                labels: vec![n.person],
                props: vec![(n.age, Value::Float(0.0))],
            },
        ],
        vec![],
    )
    .unwrap_err();
    assert!(
        matches!(err, GraphError::ConstraintViolation { .. }),
        "{err}"
    );
}

#[test]
fn big_change_set_applies_in_one_go() {
    let n = names();
    let count = 20_000u64;
    let mut changes: Vec<Change> = (0..count)
        .map(|i| {
            node(
                i,
                vec![n.person],
                vec![(n.name, Value::from(format!("p{i}")))],
            )
        })
        .collect();
    changes.extend((0..count - 1).map(|i| rel(i, n.knows, i, i + 1)));
    let s = Snapshot::empty()
        .apply(&with_catalog(&n.catalog, changes))
        .unwrap();
    assert_eq!(s.node_count(), count);
    assert_eq!(s.rel_count(), count - 1);
    assert_eq!(
        s.neighbors(NodeId(12_345), n.knows, Direction::Outgoing)
            .to_vec(),
        &[adj(12_346, 12_345)]
    );
    assert_eq!(
        s.neighbors(NodeId(12_345), n.knows, Direction::Incoming)
            .to_vec(),
        &[adj(12_344, 12_344)]
    );
    assert_eq!(
        s.node_property(NodeId(19_999), n.name).as_deref(),
        Some(&Value::from("p19999"))
    );
}
