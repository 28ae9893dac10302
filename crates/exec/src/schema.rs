//! Schema statements: indexes and unique constraints are catalog changes.

use std::collections::HashMap;
use std::sync::Arc;

use relgraph_cypher::ast::{Ident, SchemaCommand};
use relgraph_graph::catalog::{ConstraintDef, IndexDef};
use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::{ChangeSet, GraphError, Value};

use crate::error::{ErrorKind, ExecError, Result};
use crate::exec::State;
use crate::value_ops::GroupKey;

/// Result columns of a schema command.
pub(crate) fn columns(cmd: &SchemaCommand) -> Vec<String> {
    match cmd {
        SchemaCommand::ShowIndexes | SchemaCommand::ShowConstraints => {
            ["name", "type", "labelsOrTypes", "properties"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        }
        SchemaCommand::Access(a) => crate::access::columns(a),
        _ => Vec::new(),
    }
}

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

pub(crate) fn publish(st: &mut State<'_>, catalog: relgraph_graph::Catalog) -> Result<()> {
    let cs = ChangeSet {
        catalog: Some(CatalogSnapshot(catalog)),
        changes: Vec::new(),
    };
    if let Some(txn) = st.txn.as_mut() {
        txn.apply(cs)?;
        st.snapshot = txn.snapshot().clone();
        return Ok(());
    }
    st.snapshot = st.snapshot.apply(&cs)?;
    st.changes.catalog = cs.catalog;
    Ok(())
}

/// The rows of `SHOW INDEXES` (and `db.indexes()`): name, type,
/// labelsOrTypes, properties; indexes first, then the indexes behind
/// unique constraints.
pub(crate) fn index_rows(cat: &relgraph_graph::Catalog) -> Vec<Vec<Value>> {
    let label_name = |l| cat.label_name(l).unwrap_or_default().to_string();
    let key_name = |k| cat.prop_key_name(k).unwrap_or_default().to_string();
    let row = |name: &str, kind: &str, l, k| {
        vec![
            s(name),
            s(kind),
            Value::List(vec![s(&label_name(l))]),
            Value::List(vec![s(&key_name(k))]),
        ]
    };
    let mut rows: Vec<Vec<Value>> = cat
        .indexes
        .iter()
        .map(|i| row(&i.name, "RANGE", i.label, i.key))
        .collect();
    rows.extend(
        cat.constraints
            .iter()
            .map(|c| row(&c.name, "UNIQUE", c.label, c.key)),
    );
    rows
}

/// Runs a schema command; returns rows for SHOW commands.
pub(crate) fn run(cmd: &SchemaCommand, st: &mut State<'_>) -> Result<Vec<Vec<Value>>> {
    let cat = st.snapshot.catalog();
    let label_name = |l| cat.label_name(l).unwrap_or_default().to_string();
    let key_name = |k| cat.prop_key_name(k).unwrap_or_default().to_string();
    if let SchemaCommand::Access(a) = cmd {
        return crate::access::run(a, st);
    }
    match cmd {
        // Run above, before `cat` borrows the state.
        SchemaCommand::Access(_) => Ok(Vec::new()),
        SchemaCommand::ShowIndexes => Ok(index_rows(cat)),
        SchemaCommand::ShowConstraints => Ok(cat
            .constraints
            .iter()
            .map(|c| {
                vec![
                    s(&c.name),
                    s("UNIQUENESS"),
                    Value::List(vec![s(&label_name(c.label))]),
                    Value::List(vec![s(&key_name(c.key))]),
                ]
            })
            .collect()),
        SchemaCommand::CreateIndex {
            name,
            if_not_exists,
            label,
            key,
        } => {
            let mut cat = cat.clone();
            let l = cat.intern_label(&label.name);
            let k = cat.intern_prop_key(&key.name);
            let name = name
                .as_ref()
                .map(|n| n.name.clone())
                .unwrap_or_else(|| format!("index_{}_{}", label.name, key.name));
            let exists = cat
                .indexes
                .iter()
                .any(|i| (i.label == l && i.key == k) || i.name == name);
            if exists_already(
                exists,
                *if_not_exists,
                "IndexAlreadyExists",
                "an index",
                label,
                key,
                &name,
            )? {
                return Ok(Vec::new());
            }
            cat.indexes.push(IndexDef {
                name,
                label: l,
                key: k,
            });
            publish(st, cat)?;
            st.stats.indexes_added += 1;
            Ok(Vec::new())
        }
        SchemaCommand::DropIndex { name, if_exists } => {
            let mut cat = cat.clone();
            if remove_named(
                &mut cat.indexes,
                |i| &i.name,
                &name.name,
                *if_exists,
                "IndexNotFound",
                "index",
            )? {
                publish(st, cat)?;
                st.stats.indexes_removed += 1;
            }
            Ok(Vec::new())
        }
        SchemaCommand::CreateUnique {
            name,
            if_not_exists,
            label,
            key,
        } => {
            let mut cat = cat.clone();
            let l = cat.intern_label(&label.name);
            let k = cat.intern_prop_key(&key.name);
            let name = name
                .as_ref()
                .map(|n| n.name.clone())
                .unwrap_or_else(|| format!("constraint_{}_{}", label.name, key.name));
            let exists = cat
                .constraints
                .iter()
                .any(|c| (c.label == l && c.key == k) || c.name == name);
            if exists_already(
                exists,
                *if_not_exists,
                "ConstraintAlreadyExists",
                "a constraint",
                label,
                key,
                &name,
            )? {
                return Ok(Vec::new());
            }
            // Existing data must already satisfy the constraint.
            let mut seen: HashMap<GroupKey, relgraph_graph::NodeId> = HashMap::new();
            if let Some(lid) = st.snapshot.catalog().label_id(&label.name) {
                if let Some(kid) = st.snapshot.catalog().prop_key_id(&key.name) {
                    for n in st.snapshot.nodes_with_label(lid) {
                        st.guard.check()?;
                        if let Some(v) = st.snapshot.node_property(n, kid).as_deref() {
                            if let Some(other) = seen.insert(GroupKey(v.clone()), n) {
                                return Err(ErrorKind::Graph(GraphError::ConstraintViolation {
                                    constraint: name,
                                    label: label.name.clone(),
                                    key: key.name.clone(),
                                    value: format!("{v:?}"),
                                    node: other,
                                })
                                .into());
                            }
                        }
                    }
                }
            }
            cat.constraints.push(ConstraintDef {
                name,
                label: l,
                key: k,
            });
            publish(st, cat)?;
            st.stats.constraints_added += 1;
            Ok(Vec::new())
        }
        SchemaCommand::DropConstraint { name, if_exists } => {
            let mut cat = cat.clone();
            if remove_named(
                &mut cat.constraints,
                |c| &c.name,
                &name.name,
                *if_exists,
                "ConstraintNotFound",
                "constraint",
            )? {
                publish(st, cat)?;
                st.stats.constraints_removed += 1;
            }
            Ok(Vec::new())
        }
    }
}

/// CREATE of a schema entry that clashes with an existing one (same label
/// and key, or same name): `Ok(true)` makes it a no-op under IF NOT EXISTS,
/// otherwise it is an error (`code`). `Ok(false)`: nothing clashes.
fn exists_already(
    exists: bool,
    if_not_exists: bool,
    code: &'static str,
    what: &str,
    label: &Ident,
    key: &Ident,
    name: &str,
) -> Result<bool> {
    if !exists {
        return Ok(false);
    }
    if if_not_exists {
        return Ok(true);
    }
    Err(ExecError::semantic(
        code,
        format!(
            "{what} on :{}({}) or named `{name}` already exists",
            label.name, key.name
        ),
        None,
    ))
}

/// Removes the schema entry called `name` from `entries`. Returns whether one
/// was removed; a missing entry is an error unless `if_exists` is set.
fn remove_named<T>(
    entries: &mut Vec<T>,
    name_of: impl Fn(&T) -> &String,
    name: &str,
    if_exists: bool,
    detail: &'static str,
    what: &str,
) -> Result<bool> {
    let before = entries.len();
    entries.retain(|e| name_of(e) != name);
    if entries.len() < before {
        return Ok(true);
    }
    if if_exists {
        return Ok(false);
    }
    Err(ExecError::semantic(
        detail,
        format!("no {what} named `{name}`"),
        None,
    ))
}
