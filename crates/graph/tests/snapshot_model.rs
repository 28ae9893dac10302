//! Law: applying random change sets to a `Snapshot` and to a naive model
//! (ordered maps, full scans) gives the same graph, the same adjacency, the
//! same counters and index answers, and the same accept/reject decisions.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use proptest::prelude::*;
use relgraph_graph::catalog::{ConstraintDef, IndexDef};
use relgraph_graph::{
    Adj, Catalog, Change, ChangeSet, Direction, GraphError, LabelId, NodeId, PropKeyId, RelId,
    RelTypeId, Snapshot, Value,
};

const LABELS: u32 = 3;
const KEYS: u32 = 3;
const TYPES: u32 = 2;
/// The index is on (label 0, key 0); the unique constraint on (label 1, key 1).
const INDEX: (LabelId, PropKeyId) = (LabelId(0), PropKeyId(0));
const UNIQUE: (LabelId, PropKeyId) = (LabelId(1), PropKeyId(1));

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    for i in 0..LABELS {
        c.intern_label(&format!("L{i}"));
    }
    for i in 0..KEYS {
        c.intern_prop_key(&format!("k{i}"));
    }
    for i in 0..TYPES {
        c.intern_rel_type(&format!("T{i}"));
    }
    c.indexes.push(IndexDef {
        name: "idx".into(),
        label: INDEX.0,
        key: INDEX.1,
    });
    c.constraints.push(ConstraintDef {
        name: "uniq".into(),
        label: UNIQUE.0,
        key: UNIQUE.1,
    });
    c
}

/// Values with cross-type equality (1 = 1.0) but no NaN.
fn value() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        (-2i64..3).prop_map(Value::Int),
        prop_oneof![Just(-1.0), Just(0.0), Just(1.0), Just(2.5)].prop_map(Value::Float),
        prop_oneof![Just("a"), Just("b")].prop_map(Value::from),
    ]
}

fn opt_value() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![4 => value(), 1 => Just(Value::Null)]
}

/// Cypher equality on the generated domain.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// An abstract operation; ids are resolved against the state when applied
/// (`u8` ids may point at missing entities on purpose).
#[derive(Clone, Debug)]
enum Op {
    CreateNode(Vec<u32>, Vec<(u32, Value)>),
    DeleteNode(u8),
    CreateRel(u32, u8, u8, Vec<(u32, Value)>),
    DeleteRel(u8),
    SetNodeProp(u8, u32, Value),
    SetRelProp(u8, u32, Value),
    AddLabel(u8, u32),
    RemoveLabel(u8, u32),
    /// Deletes a node's relationships, then the node.
    DetachDelete(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let props = prop::collection::vec((0..KEYS, opt_value()), 0..3);
    prop_oneof![
        4 => (prop::collection::vec(0..LABELS, 0..3), props.clone()).prop_map(|(l, p)| Op::CreateNode(l, p)),
        1 => any::<u8>().prop_map(Op::DeleteNode),
        4 => (0..TYPES, any::<u8>(), any::<u8>(), props).prop_map(|(t, s, d, p)| Op::CreateRel(t, s, d, p)),
        1 => any::<u8>().prop_map(Op::DeleteRel),
        3 => (any::<u8>(), 0..KEYS, opt_value()).prop_map(|(n, k, v)| Op::SetNodeProp(n, k, v)),
        1 => (any::<u8>(), 0..KEYS, opt_value()).prop_map(|(n, k, v)| Op::SetRelProp(n, k, v)),
        2 => (any::<u8>(), 0..LABELS).prop_map(|(n, l)| Op::AddLabel(n, l)),
        1 => (any::<u8>(), 0..LABELS).prop_map(|(n, l)| Op::RemoveLabel(n, l)),
        1 => any::<u8>().prop_map(Op::DetachDelete),
    ]
}

#[derive(Clone, Debug, Default)]
struct Model {
    first_node: u64,
    first_rel: u64,
    next_node: u64,
    next_rel: u64,
    nodes: BTreeMap<u64, (BTreeSet<LabelId>, BTreeMap<PropKeyId, Value>)>,
    rels: BTreeMap<u64, (RelTypeId, u64, u64, BTreeMap<PropKeyId, Value>)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    NodeNotFound,
    RelNotFound,
    HasRels,
    Constraint,
}

fn kind(e: &GraphError) -> Kind {
    match e {
        GraphError::NodeNotFound(_) => Kind::NodeNotFound,
        GraphError::RelNotFound(_) => Kind::RelNotFound,
        GraphError::NodeHasRelationships(_) => Kind::HasRels,
        GraphError::ConstraintViolation { .. } => Kind::Constraint,
        other => panic!("unexpected error {other}"),
    }
}

/// Resolves an abstract id into the id space (a few ids beyond the end);
/// ids start at `first`, so that a run can straddle a chunk boundary.
fn pick(id: u8, first: u64, next: u64) -> u64 {
    first + u64::from(id) % (next + 2 - first)
}

/// Created properties: the last value of a key wins, then nulls go.
fn last_wins_without_nulls(props: &[(PropKeyId, Value)]) -> BTreeMap<PropKeyId, Value> {
    let mut m: BTreeMap<PropKeyId, Value> = props.iter().cloned().collect();
    m.retain(|_, v| !v.is_null());
    m
}

impl Model {
    /// Turns abstract ops into concrete changes, resolving ids against the
    /// model as it evolves (the model is a scratch copy).
    fn concretize(&self, ops: &[Op]) -> Vec<Change> {
        let mut m = self.clone();
        let mut out = Vec::new();
        let props = |p: &[(u32, Value)]| {
            p.iter()
                .map(|(k, v)| (PropKeyId(*k), v.clone()))
                .collect::<Vec<_>>()
        };
        for op in ops {
            let mut changes = Vec::new();
            match op {
                Op::CreateNode(l, p) => changes.push(Change::CreateNode {
                    id: NodeId(m.next_node),
                    labels: l.iter().map(|l| LabelId(*l)).collect(),
                    props: props(p),
                }),
                Op::DeleteNode(n) => changes.push(Change::DeleteNode {
                    id: NodeId(pick(*n, m.first_node, m.next_node)),
                }),
                Op::CreateRel(t, s, d, p) => changes.push(Change::CreateRel {
                    id: RelId(m.next_rel),
                    rel_type: RelTypeId(*t),
                    src: NodeId(pick(*s, m.first_node, m.next_node)),
                    dst: NodeId(pick(*d, m.first_node, m.next_node)),
                    props: props(p),
                }),
                Op::DeleteRel(r) => changes.push(Change::DeleteRel {
                    id: RelId(pick(*r, m.first_rel, m.next_rel)),
                }),
                Op::SetNodeProp(n, k, v) => changes.push(Change::SetNodeProp {
                    id: NodeId(pick(*n, m.first_node, m.next_node)),
                    key: PropKeyId(*k),
                    value: v.clone(),
                }),
                Op::SetRelProp(r, k, v) => changes.push(Change::SetRelProp {
                    id: RelId(pick(*r, m.first_rel, m.next_rel)),
                    key: PropKeyId(*k),
                    value: v.clone(),
                }),
                Op::AddLabel(n, l) => changes.push(Change::AddLabel {
                    id: NodeId(pick(*n, m.first_node, m.next_node)),
                    label: LabelId(*l),
                }),
                Op::RemoveLabel(n, l) => changes.push(Change::RemoveLabel {
                    id: NodeId(pick(*n, m.first_node, m.next_node)),
                    label: LabelId(*l),
                }),
                Op::DetachDelete(n) => {
                    let n = pick(*n, m.first_node, m.next_node);
                    for (id, (_, s, d, _)) in &m.rels {
                        if *s == n || *d == n {
                            changes.push(Change::DeleteRel { id: RelId(*id) });
                        }
                    }
                    changes.push(Change::DeleteNode { id: NodeId(n) });
                }
            }
            for c in changes {
                // Keep resolving against the evolving state; a failing change
                // stops the evolution but stays in the set.
                let _ = m.change(&c);
                out.push(c);
            }
        }
        out
    }

    fn change(&mut self, c: &Change) -> Result<(), Kind> {
        match c {
            Change::CreateNode { id, labels, props } => {
                assert_eq!(id.0, self.next_node);
                self.next_node += 1;
                let props = last_wins_without_nulls(props);
                self.nodes
                    .insert(id.0, (labels.iter().copied().collect(), props));
            }
            Change::DeleteNode { id } => {
                self.nodes.remove(&id.0).ok_or(Kind::NodeNotFound)?;
            }
            Change::CreateRel {
                id,
                rel_type,
                src,
                dst,
                props,
            } => {
                for n in [src, dst] {
                    if !self.nodes.contains_key(&n.0) {
                        return Err(Kind::NodeNotFound);
                    }
                }
                self.next_rel = self.next_rel.max(id.0 + 1);
                let props = last_wins_without_nulls(props);
                self.rels.insert(id.0, (*rel_type, src.0, dst.0, props));
            }
            Change::DeleteRel { id } => {
                self.rels.remove(&id.0).ok_or(Kind::RelNotFound)?;
            }
            Change::SetNodeProp { id, key, value } => {
                let n = self.nodes.get_mut(&id.0).ok_or(Kind::NodeNotFound)?;
                if value.is_null() {
                    n.1.remove(key);
                } else {
                    n.1.insert(*key, value.clone());
                }
            }
            Change::SetRelProp { id, key, value } => {
                let r = self.rels.get_mut(&id.0).ok_or(Kind::RelNotFound)?;
                if value.is_null() {
                    r.3.remove(key);
                } else {
                    r.3.insert(*key, value.clone());
                }
            }
            Change::AddLabel { id, label } => {
                self.nodes
                    .get_mut(&id.0)
                    .ok_or(Kind::NodeNotFound)?
                    .0
                    .insert(*label);
            }
            Change::RemoveLabel { id, label } => {
                self.nodes
                    .get_mut(&id.0)
                    .ok_or(Kind::NodeNotFound)?
                    .0
                    .remove(label);
            }
        }
        Ok(())
    }

    /// Applies a whole set: all or nothing, end-of-set rules last.
    fn apply(&self, changes: &[Change]) -> Result<Model, Kind> {
        let mut m = self.clone();
        // Creating then referencing a node keeps ids consistent because
        // concretize used the same counters.
        let start_next_node = self.next_node;
        m.next_node = start_next_node;
        for c in changes {
            m.change(c)?;
        }
        // Deleted nodes must keep no relationships (a relationship that
        // outlives its node dangles).
        if m.rels
            .values()
            .any(|(_, s, d, _)| !m.nodes.contains_key(s) || !m.nodes.contains_key(d))
        {
            return Err(Kind::HasRels);
        }
        let holders: Vec<&Value> = m
            .nodes
            .values()
            .filter(|(l, _)| l.contains(&UNIQUE.0))
            .filter_map(|(_, p)| p.get(&UNIQUE.1))
            .collect();
        for (i, a) in holders.iter().enumerate() {
            if holders[i + 1..].iter().any(|b| equal(a, b)) {
                return Err(Kind::Constraint);
            }
        }
        Ok(m)
    }

    fn neighbors(&self, n: u64, t: RelTypeId, dir: Direction) -> Vec<Adj> {
        let mut v: Vec<Adj> = self
            .rels
            .iter()
            .filter(|(_, (rt, _, _, _))| *rt == t)
            .filter_map(|(id, (_, s, d, _))| {
                let (from, to) = match dir {
                    Direction::Outgoing => (*s, *d),
                    Direction::Incoming => (*d, *s),
                };
                (from == n).then_some(Adj {
                    node: NodeId(to),
                    rel: RelId(*id),
                })
            })
            .collect();
        v.sort();
        v
    }
}

fn check_equal(s: &Snapshot, m: &Model) {
    assert_eq!(s.node_count(), m.nodes.len() as u64);
    assert_eq!(s.rel_count(), m.rels.len() as u64);
    assert_eq!(s.next_node_id(), NodeId(m.next_node));
    assert_eq!(
        s.nodes().map(|n| n.0).collect::<Vec<_>>(),
        m.nodes.keys().copied().collect::<Vec<_>>()
    );
    for (id, (labels, props)) in &m.nodes {
        assert_eq!(
            s.node_labels(NodeId(*id)).to_vec(),
            labels.iter().copied().collect::<Vec<_>>().as_slice()
        );
        let props: Vec<(PropKeyId, Value)> = props.iter().map(|(k, v)| (*k, v.clone())).collect();
        assert_eq!(s.node_properties(NodeId(*id)), props, "node {id}");
        for t in 0..TYPES {
            for dir in [Direction::Outgoing, Direction::Incoming] {
                assert_eq!(
                    &*s.neighbors(NodeId(*id), RelTypeId(t), dir),
                    m.neighbors(*id, RelTypeId(t), dir).as_slice(),
                    "node {id} type {t} {dir:?}"
                );
            }
        }
    }
    for id in m.first_node.saturating_sub(2)..m.next_node + 2 {
        if !m.nodes.contains_key(&id) {
            assert!(!s.node_exists(NodeId(id)));
            assert!(s.node_labels(NodeId(id)).is_empty());
            assert!(s.node_properties(NodeId(id)).is_empty());
        }
    }
    let rels: Vec<_> = s
        .rels()
        .map(|r| (r.id.0, r.rel_type, r.src.0, r.dst.0, s.rel_properties(r.id)))
        .collect();
    let model_rels: Vec<_> = m
        .rels
        .iter()
        .map(|(id, (t, a, b, p))| {
            (
                *id,
                *t,
                *a,
                *b,
                p.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(rels, model_rels);
    for l in 0..LABELS {
        let want: Vec<u64> = m
            .nodes
            .iter()
            .filter(|(_, (ls, _))| ls.contains(&LabelId(l)))
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(s.label_count(LabelId(l)), want.len() as u64);
        assert_eq!(
            s.nodes_with_label(LabelId(l))
                .map(|n| n.0)
                .collect::<Vec<_>>(),
            want
        );
        assert_eq!(
            s.nodes_in_range(
                m.first_node + 1..m.next_node.saturating_sub(1),
                Some(LabelId(l))
            )
            .iter()
            .map(|n| n.0)
            .collect::<Vec<_>>(),
            want.iter()
                .copied()
                .filter(|i| *i > m.first_node && *i < m.next_node.saturating_sub(1))
                .collect::<Vec<_>>()
        );
    }
    for t in 0..TYPES {
        let want = m.rels.values().filter(|r| r.0 == RelTypeId(t)).count() as u64;
        assert_eq!(s.rel_type_count(RelTypeId(t)), want);
    }
    // Index answers equal a scan.
    let holders = |pred: &dyn Fn(&Value) -> bool| -> Vec<NodeId> {
        m.nodes
            .iter()
            .filter(|(_, (l, p))| l.contains(&INDEX.0) && p.get(&INDEX.1).is_some_and(pred))
            .map(|(id, _)| NodeId(*id))
            .collect()
    };
    for v in [
        Value::Int(1),
        Value::Float(1.0),
        Value::Int(0),
        Value::Float(2.5),
        Value::from("a"),
        Value::Int(-2),
    ] {
        let got = s.index_lookup(INDEX.0, INDEX.1, &v).expect("index exists");
        assert_eq!(got, holders(&|x| equal(x, &v)), "lookup {v:?}");
    }
    let got = s
        .index_range(
            INDEX.0,
            INDEX.1,
            Bound::Included(&Value::Int(0)),
            Bound::Excluded(&Value::Float(2.5)),
        )
        .expect("index exists");
    assert_eq!(
        got,
        holders(&|x| as_number(x).is_some_and(|f| (0.0..2.5).contains(&f)))
    );
    let got = s
        .index_range(
            INDEX.0,
            INDEX.1,
            Bound::Excluded(&Value::from("a")),
            Bound::Unbounded,
        )
        .expect("index exists");
    assert_eq!(got, holders(&|x| x.as_str().is_some_and(|s| s > "a")));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("SNAPSHOT_MODEL_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn snapshot_agrees_with_model(
        first in prop_oneof![Just(0u64), Just(4090u64)],
        batches in prop::collection::vec(prop::collection::vec(op(), 1..12), 1..12),
    ) {
        // Ids below `first` are dead (never created), like ids of deleted nodes.
        let mut s = Snapshot::from_records(catalog(), 0, NodeId(first), RelId(first), vec![], vec![])
            .expect("empty graph");
        let mut m = Model { first_node: first, first_rel: first, next_node: first, next_rel: first, ..Model::default() };
        for (i, ops) in batches.iter().enumerate() {
            let changes = m.concretize(ops);
            let version = s.version();
            let res = s.apply(&ChangeSet { catalog: None, changes: changes.clone() });
            match (res, m.apply(&changes)) {
                (Ok(s2), Ok(m2)) => {
                    prop_assert_eq!(s2.version(), version + 1);
                    s = s2;
                    m = m2;
                }
                (Err(e), Err(k)) => prop_assert_eq!(kind(&e), k, "{}", e),
                (Ok(_), Err(k)) => prop_assert!(false, "snapshot accepted, model rejected with {:?}: {:?}", k, changes),
                (Err(e), Ok(_)) => prop_assert!(false, "snapshot rejected with {}, model accepted: {:?}", e, changes),
            }
            check_equal(&s, &m);
            if i % 4 == 3 {
                // Rebuilding from records gives the same graph.
                let r = Snapshot::from_records(
                    s.catalog().clone(), s.version(), s.next_node_id(), s.next_rel_id(),
                    s.node_records(0..u64::MAX), s.rel_records(0..u64::MAX),
                ).expect("records of a valid snapshot");
                check_equal(&r, &m);
            }
        }
    }
}
