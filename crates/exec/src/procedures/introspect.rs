//! Introspection procedures: what the snapshot holds (labels, types, keys,
//! indexes, observed property types) and what can be called.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use relgraph_graph::{LabelId, Value};

use super::{col, Body, Emit, ProcMode, ProcType, Procedure};
use crate::error::Result;
use crate::eval::tick;
use crate::eval::Ctx;

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

/// Emits every row; stops when the consumer wants no more.
fn emit_all(rows: impl IntoIterator<Item = Vec<Value>>, emit: &mut Emit<'_>) -> Result<()> {
    for r in rows {
        if !emit(r)? {
            break;
        }
    }
    Ok(())
}

pub(super) const LABELS: Procedure = Procedure {
    name: "db.labels",
    args: &[],
    outputs: &[col("label", ProcType::String)],
    config: &[],
    mode: ProcMode::Read,
    description: "The node labels in use, in catalog order.",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let names = snap.catalog().labels().names();
        let rows = names.iter().enumerate().filter_map(|(i, n)| {
            let id = LabelId(u32::try_from(i).ok()?);
            let seen = snap.access_rules().is_none_or(|r| r.label_visible(id));
            (seen && snap.label_count(id) > 0).then(|| vec![Value::String(n.clone())])
        });
        emit_all(rows, emit)
    }),
};

pub(super) const RELATIONSHIP_TYPES: Procedure = Procedure {
    name: "db.relationshipTypes",
    args: &[],
    outputs: &[col("relationshipType", ProcType::String)],
    config: &[],
    mode: ProcMode::Read,
    description: "The relationship types in use, in catalog order.",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let names = snap.catalog().rel_types().names();
        let rows = names.iter().enumerate().filter_map(|(i, n)| {
            let id = relgraph_graph::RelTypeId(u32::try_from(i).ok()?);
            let seen = snap.access_rules().is_none_or(|r| r.rel_type_visible(id));
            (seen && snap.rel_type_count(id) > 0).then(|| vec![Value::String(n.clone())])
        });
        emit_all(rows, emit)
    }),
};

pub(super) const PROPERTY_KEYS: Procedure = Procedure {
    name: "db.propertyKeys",
    args: &[],
    outputs: &[col("propertyKey", ProcType::String)],
    config: &[],
    mode: ProcMode::Read,
    description: "Every property key ever used, in catalog order.",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let names = snap.catalog().prop_keys().names();
        let rows = names.iter().enumerate().filter_map(|(i, n)| {
            let k = relgraph_graph::PropKeyId(u32::try_from(i).ok()?);
            let seen = snap.access_rules().is_none_or(|r| r.key_visible(k));
            seen.then(|| vec![Value::String(n.clone())])
        });
        emit_all(rows, emit)
    }),
};

pub(super) const INDEXES: Procedure = Procedure {
    name: "db.indexes",
    args: &[],
    outputs: &[
        col("name", ProcType::String),
        col("type", ProcType::String),
        col("labelsOrTypes", ProcType::StringList),
        col("properties", ProcType::StringList),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "The indexes, as SHOW INDEXES lists them.",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let cat = snap.catalog();
        // Under a role: the indexes on labels and keys it may see.
        let seen = |l: &str, k: &str| {
            snap.access_rules().is_none_or(|r| {
                cat.label_id(l).is_some_and(|l| r.label_visible(l))
                    && cat.prop_key_id(k).is_some_and(|k| r.key_visible(k))
            })
        };
        let rows = crate::schema::index_rows(cat).into_iter().filter(|row| {
            let first = |v: &Value| match v {
                Value::List(xs) => match xs.first() {
                    Some(Value::String(s)) => s.to_string(),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            seen(&first(&row[2]), &first(&row[3]))
        });
        emit_all(rows, emit)
    }),
};

/// Per property key: the observed type names and how many entities have it.
type KeyStats = BTreeMap<Arc<str>, (BTreeSet<&'static str>, u64)>;

/// Rows of one entity type (a label set or a relationship type):
/// `(count of entities, per key stats)` turned into output rows, one per
/// key (one row with a null key when its entities have no properties).
fn type_rows(prefix: Vec<Value>, count: u64, keys: KeyStats) -> Vec<Vec<Value>> {
    if keys.is_empty() {
        let mut r = prefix;
        r.extend([Value::Null, Value::Null, Value::Bool(false)]);
        return vec![r];
    }
    keys.into_iter()
        .map(|(key, (types, n))| {
            let mut r = prefix.clone();
            r.push(Value::String(key));
            r.push(Value::List(types.into_iter().map(s).collect()));
            r.push(Value::Bool(n == count));
            r
        })
        .collect()
}

/// Adds one entity's properties to its type's stats.
fn observe(
    ctx: &Ctx<'_>,
    entry: &mut (u64, KeyStats),
    props: Vec<(relgraph_graph::PropKeyId, Value)>,
) -> Result<()> {
    tick(ctx)?;
    entry.0 += 1;
    let cat = ctx.snapshot.catalog();
    for (k, v) in props {
        let name: Arc<str> = Arc::from(cat.prop_key_name(k).unwrap_or_default());
        let e = entry.1.entry(name).or_default();
        e.0.insert(v.type_name());
        e.1 += 1;
    }
    Ok(())
}

pub(super) const NODE_TYPE_PROPERTIES: Procedure = Procedure {
    name: "db.schema.nodeTypeProperties",
    args: &[],
    outputs: &[
        col("nodeType", ProcType::String),
        col("nodeLabels", ProcType::StringList),
        col("propertyName", ProcType::String),
        col("propertyTypes", ProcType::StringList),
        col("mandatory", ProcType::Bool),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "Per label set and property key: the observed value types, and whether every such node has the key (scans all nodes).",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let cat = snap.catalog();
        let mut by_set: BTreeMap<Vec<LabelId>, (u64, KeyStats)> = BTreeMap::new();
        for n in snap.nodes() {
            let labels = snap.node_labels(n).to_vec();
            let entry = by_set.entry(labels).or_default();
            observe(ctx, entry, snap.node_properties(n))?;
        }
        let mut rows = Vec::new();
        for (labels, (count, keys)) in by_set {
            let names: Vec<&str> = labels
                .iter()
                .map(|l| cat.label_name(*l).unwrap_or_default())
                .collect();
            let node_type: String = names.iter().map(|n| format!(":`{n}`")).collect();
            let prefix = vec![s(&node_type), Value::List(names.iter().map(|n| s(n)).collect())];
            rows.extend(type_rows(prefix, count, keys));
        }
        emit_all(rows, emit)
    }),
};

pub(super) const REL_TYPE_PROPERTIES: Procedure = Procedure {
    name: "db.schema.relTypeProperties",
    args: &[],
    outputs: &[
        col("relType", ProcType::String),
        col("propertyName", ProcType::String),
        col("propertyTypes", ProcType::StringList),
        col("mandatory", ProcType::Bool),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "Per relationship type and property key: the observed value types, and whether every such relationship has the key (scans all relationships).",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let cat = snap.catalog();
        let mut by_type: BTreeMap<relgraph_graph::RelTypeId, (u64, KeyStats)> = BTreeMap::new();
        for r in snap.rels() {
            let entry = by_type.entry(r.rel_type).or_default();
            observe(ctx, entry, snap.rel_properties(r.id))?;
        }
        let mut rows = Vec::new();
        for (t, (count, keys)) in by_type {
            let name = format!(":`{}`", cat.rel_type_name(t).unwrap_or_default());
            rows.extend(type_rows(vec![s(&name)], count, keys));
        }
        emit_all(rows, emit)
    }),
};

pub(super) const PROCEDURES: Procedure = Procedure {
    name: "dbms.procedures",
    args: &[],
    outputs: &[
        col("name", ProcType::String),
        col("signature", ProcType::String),
        col("description", ProcType::String),
        col("mode", ProcType::String),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "Every procedure with its signature, a one-line description and its mode.",
    body: Body::Rows(|_, _, emit| {
        let rows = super::procedures().iter().map(|p| {
            vec![
                s(p.name),
                s(&p.signature()),
                s(p.description),
                s(match p.mode {
                    ProcMode::Read => "READ",
                    ProcMode::Write => "WRITE",
                }),
            ]
        });
        emit_all(rows, emit)
    }),
};

fn map(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Arc::from(k), v))
            .collect(),
    )
}

fn name_or_null(name: Option<&str>) -> Value {
    name.map_or(Value::Null, s)
}

/// A property's statistics as a map (`present`, `distinct`, `mostCommon`,
/// `histogram`, `bounded`).
fn prop_stats_map(p: &relgraph_graph::snapshot::stats::PropStats) -> Value {
    let common = p
        .mcv
        .iter()
        .map(|(v, f)| map([("value", v.clone()), ("fraction", Value::Float(*f))]))
        .collect();
    map([
        ("present", Value::Float(p.present)),
        ("distinct", Value::Float(p.distinct)),
        ("mostCommon", Value::List(common)),
        ("histogram", Value::List(p.bounds.clone())),
        ("bounded", Value::Float(p.bounded)),
    ])
}

pub(super) const STATS: Procedure = Procedure {
    name: "db.stats",
    args: &[],
    outputs: &[
        col("kind", ProcType::String),
        col("label", ProcType::String),
        col("relationshipType", ProcType::String),
        col("key", ProcType::String),
        col("statistics", ProcType::Map),
    ],
    config: &[],
    mode: ProcMode::Read,
    description: "The planner's statistics: per label its count, per label and key the property statistics, per label, type and direction the degrees; per type and key the relationship property statistics.",
    body: Body::Rows(|ctx, _, emit| {
        let snap = ctx.snapshot;
        let cat = snap.catalog();
        let stats = snap.stats();
        let int = |v: u64| Value::Int(i64::try_from(v).unwrap_or(i64::MAX));
        let mut rows = Vec::new();
        for n in &stats.nodes {
            let label = name_or_null(n.label.and_then(|l| cat.label_name(l)));
            let counts = map([("count", int(n.count)), ("sampled", int(n.sampled))]);
            rows.push(vec![s("label"), label.clone(), Value::Null, Value::Null, counts]);
            for p in &n.props {
                let key = name_or_null(cat.prop_key_name(p.key));
                let m = prop_stats_map(p);
                rows.push(vec![s("property"), label.clone(), Value::Null, key, m]);
            }
            for e in &n.expand {
                let targets = e
                    .targets
                    .iter()
                    .filter_map(|(l, f)| Some((Arc::from(cat.label_name(*l)?), Value::Float(*f))))
                    .collect();
                let dir = match e.dir {
                    relgraph_graph::Direction::Outgoing => "OUTGOING",
                    relgraph_graph::Direction::Incoming => "INCOMING",
                };
                let m = map([
                    ("direction", s(dir)),
                    ("average", Value::Float(e.avg)),
                    ("max", int(e.max)),
                    ("p50", int(e.quantiles[0])),
                    ("p90", int(e.quantiles[1])),
                    ("p99", int(e.quantiles[2])),
                    ("targetLabels", Value::Map(targets)),
                ]);
                let t = name_or_null(cat.rel_type_name(e.rel_type));
                rows.push(vec![s("degree"), label.clone(), t, Value::Null, m]);
            }
        }
        for r in &stats.rels {
            let t = name_or_null(cat.rel_type_name(r.rel_type));
            for p in &r.props {
                let key = name_or_null(cat.prop_key_name(p.key));
                let mut m = prop_stats_map(p);
                if let Value::Map(m) = &mut m {
                    m.insert(Arc::from("sampled"), int(r.sampled));
                }
                rows.push(vec![s("relationshipProperty"), Value::Null, t.clone(), key, m]);
            }
        }
        emit_all(rows, emit)
    }),
};
