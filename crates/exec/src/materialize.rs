//! Turns executor values (entities by id) into result values (entities
//! with their labels, type and properties), so results outlive snapshots.

use std::collections::BTreeMap;

use relgraph_graph::{NodeId, PropKeyId, RelId, Snapshot, Value};

use crate::result::{NodeValue, PathValue, RelValue, ResultValue};

fn props(snap: &Snapshot, props: Vec<(PropKeyId, Value)>) -> BTreeMap<String, ResultValue> {
    let catalog = snap.catalog();
    props
        .into_iter()
        .filter_map(|(k, v)| {
            catalog
                .prop_key_name(k)
                .map(|n| (n.to_string(), value(&v, snap)))
        })
        .collect()
}

pub(crate) fn node(n: NodeId, snap: &Snapshot) -> NodeValue {
    let catalog = snap.catalog();
    NodeValue {
        id: n.0,
        labels: snap
            .node_labels(n)
            .iter()
            .filter_map(|l| catalog.label_name(*l).map(str::to_string))
            .collect(),
        properties: props(snap, snap.node_properties(n)),
    }
}

pub(crate) fn rel(r: RelId, snap: &Snapshot) -> RelValue {
    match snap.rel(r) {
        Some(rr) => RelValue {
            id: r.0,
            rel_type: snap
                .catalog()
                .rel_type_name(rr.rel_type)
                .unwrap_or_default()
                .to_string(),
            start: rr.src.0,
            end: rr.dst.0,
            properties: props(snap, snap.rel_properties(r)),
        },
        // Deleted in this statement: only the id is left.
        None => RelValue {
            id: r.0,
            rel_type: String::new(),
            start: 0,
            end: 0,
            properties: BTreeMap::new(),
        },
    }
}

/// Materializes one value.
pub(crate) fn value(v: &Value, snap: &Snapshot) -> ResultValue {
    match v {
        Value::Null => ResultValue::Null,
        Value::Bool(b) => ResultValue::Bool(*b),
        Value::Int(i) => ResultValue::Int(*i),
        Value::Float(f) => ResultValue::Float(*f),
        Value::String(s) => ResultValue::String(s.to_string()),
        Value::List(items) => ResultValue::List(items.iter().map(|x| value(x, snap)).collect()),
        Value::Map(m) => ResultValue::Map(
            m.iter()
                .map(|(k, x)| (k.to_string(), value(x, snap)))
                .collect(),
        ),
        Value::Date(d) => ResultValue::Date(*d),
        Value::LocalTime(t) => ResultValue::LocalTime(*t),
        Value::Time(t) => ResultValue::Time(*t),
        Value::LocalDateTime(t) => ResultValue::LocalDateTime(*t),
        Value::DateTime(t) => ResultValue::DateTime(t.clone()),
        Value::Duration(d) => ResultValue::Duration(**d),
        Value::Node(n) => ResultValue::Node(node(*n, snap)),
        Value::Relationship(r) => ResultValue::Relationship(rel(*r, snap)),
        Value::Path(p) => ResultValue::Path(PathValue {
            nodes: p.nodes.iter().map(|n| node(*n, snap)).collect(),
            rels: p.rels.iter().map(|r| rel(*r, snap)).collect(),
        }),
    }
}
