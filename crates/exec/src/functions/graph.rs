//! Graph functions: id, elementId, labels, type, properties, keys,
//! startNode, endNode, nodes, relationships, length. Names come from the
//! snapshot's catalog.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::{PropKeyId, Snapshot, Value};

use super::{bad_arg, FnContext};
use crate::error::{ExecError, Result};

fn missing(what: &str, id: u64) -> ExecError {
    ExecError::argument(
        "EntityNotFound",
        format!("{what} {id} does not exist in this snapshot"),
    )
}

fn prop_map(snap: &Snapshot, props: Vec<(PropKeyId, Value)>) -> Value {
    let cat = snap.catalog();
    Value::Map(
        props
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .filter_map(|(k, v)| cat.prop_key_name(k).map(|n| (Arc::from(n), v)))
            .collect::<BTreeMap<_, _>>(),
    )
}

pub(super) fn call(name: &str, args: &[Value], ctx: &dyn FnContext) -> Result<Option<Value>> {
    let a0 = args.first().unwrap_or(&Value::Null);
    if a0.is_null()
        && matches!(
            name,
            "id" | "elementid"
                | "labels"
                | "type"
                | "properties"
                | "keys"
                | "startnode"
                | "endnode"
                | "nodes"
                | "relationships"
                | "length"
        )
    {
        return Ok(Some(Value::Null));
    }
    let v = match name {
        "id" => match a0 {
            Value::Node(n) => Value::Int(n.0 as i64),
            Value::Relationship(r) => Value::Int(r.0 as i64),
            other => return Err(bad_arg("id", "a NODE or RELATIONSHIP", other)),
        },
        "elementid" => match a0 {
            Value::Node(n) => Value::from(format!("n:{}", n.0)),
            Value::Relationship(r) => Value::from(format!("r:{}", r.0)),
            other => return Err(bad_arg("elementId", "a NODE or RELATIONSHIP", other)),
        },
        "labels" => match a0 {
            Value::Node(n) => {
                let snap = ctx.snapshot();
                let cat = snap.catalog();
                Value::List(
                    snap.node_labels(*n)
                        .iter()
                        .filter_map(|l| cat.label_name(*l).map(Value::from))
                        .collect(),
                )
            }
            other => return Err(bad_arg("labels", "a NODE", other)),
        },
        "type" => match a0 {
            Value::Relationship(r) => {
                let snap = ctx.snapshot();
                let rel = snap.rel(*r).ok_or_else(|| missing("relationship", r.0))?;
                Value::from(
                    snap.catalog()
                        .rel_type_name(rel.rel_type)
                        .unwrap_or_default(),
                )
            }
            other => return Err(bad_arg("type", "a RELATIONSHIP", other)),
        },
        "properties" | "keys" => {
            let snap = ctx.snapshot();
            let map = match a0 {
                Value::Node(n) => prop_map(snap, snap.node_properties(*n)),
                Value::Relationship(r) => prop_map(snap, snap.rel_properties(*r)),
                Value::Map(m) => Value::Map(m.clone()),
                other => return Err(bad_arg(name, "a NODE, RELATIONSHIP or MAP", other)),
            };
            if name == "keys" {
                match map {
                    Value::Map(m) => {
                        Value::List(m.keys().map(|k| Value::String(k.clone())).collect())
                    }
                    other => other,
                }
            } else {
                map
            }
        }
        "startnode" | "endnode" => match a0 {
            Value::Relationship(r) => {
                let rel = ctx
                    .snapshot()
                    .rel(*r)
                    .ok_or_else(|| missing("relationship", r.0))?;
                Value::Node(if name == "startnode" {
                    rel.src
                } else {
                    rel.dst
                })
            }
            other => return Err(bad_arg(name, "a RELATIONSHIP", other)),
        },
        "nodes" => match a0 {
            Value::Path(p) => Value::List(p.nodes.iter().map(|n| Value::Node(*n)).collect()),
            other => return Err(bad_arg("nodes", "a PATH", other)),
        },
        "relationships" => match a0 {
            Value::Path(p) => Value::List(p.rels.iter().map(|r| Value::Relationship(*r)).collect()),
            other => return Err(bad_arg("relationships", "a PATH", other)),
        },
        "length" => match a0 {
            Value::Path(p) => Value::Int(p.len() as i64),
            other => return Err(bad_arg("length", "a PATH", other)),
        },
        _ => return Ok(None),
    };
    Ok(Some(v))
}
