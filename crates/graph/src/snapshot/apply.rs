//! Applying a change set: replay on an overlay of touched entities, check
//! end-of-set rules, then rebuild each touched chunk once.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::catalog::{Catalog, PropertyType, SchemaTarget};
use crate::change::{Change, ChangeSet};
use crate::error::{GraphError, Result};
use crate::ids::{LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::Value;

use super::chunk::{
    self, node_pos, rel_pos, AdjEdits, AdjKey, NodeChunk, NodeEdit, NodeView, RelChunk, RelEdit,
    RelView, NODE_CHUNK, REL_CHUNK,
};
use super::index::{IndexKey, PropIndex};
use super::{Adj, Inner};

/// How far beyond the next free id a created id may lie (guards memory
/// against a wild id).
const MAX_ID_GAP: u64 = 1 << 20;

/// Up to this many touched chunks are rebuilt on the calling thread.
const SEQUENTIAL_CHUNKS: usize = 2;

/// Hashes dense integer ids with one multiply (SipHash costs more than
/// the rest of a created node's bookkeeping; ids are not attacker-chosen
/// keys here: they are dense and bounded by the id-gap rule).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// A touched node's state. Created nodes borrow their labels and
/// properties from the change set when those are already normalized
/// (the common case), so a big `CREATE` allocates nothing per node.
#[derive(Clone, Debug)]
struct NodeState<'a> {
    labels: Cow<'a, [LabelId]>,
    props: Cow<'a, [(PropKeyId, Value)]>,
}

#[derive(Clone, Debug)]
struct RelState<'a> {
    rel_type: RelTypeId,
    src: NodeId,
    dst: NodeId,
    props: Cow<'a, [(PropKeyId, Value)]>,
}

fn base_node(base: &Inner, n: u64) -> Option<NodeState<'static>> {
    let (c, l) = base.node_chunk(n)?;
    if !c.meta.alive.get(l) {
        return None;
    }
    Some(NodeState {
        labels: Cow::Owned(c.meta.labels(l).to_vec()),
        props: Cow::Owned(chunk::column_props(&c.props, l)),
    })
}

fn base_rel_ends(base: &Inner, r: u64) -> Option<(RelTypeId, NodeId, NodeId)> {
    let (c, l) = base.rel_chunk(r)?;
    if !c.ends.alive.get(l) {
        return None;
    }
    c.ends.get(l)
}

fn base_rel(base: &Inner, r: u64) -> Option<RelState<'static>> {
    let (rel_type, src, dst) = base_rel_ends(base, r)?;
    let (c, l) = base.rel_chunk(r)?;
    Some(RelState {
        rel_type,
        src,
        dst,
        props: Cow::Owned(chunk::column_props(&c.props, l)),
    })
}

/// Renders a value for an error message.
pub(super) fn render(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// The indexes a catalog declares: (label, key, unique constraint name),
/// sorted by (label, key).
pub(super) fn index_defs(c: &Catalog) -> Vec<(LabelId, PropKeyId, Option<String>)> {
    let mut defs: Vec<(LabelId, PropKeyId, Option<String>)> =
        c.indexes.iter().map(|i| (i.label, i.key, None)).collect();
    defs.extend(
        c.constraints
            .iter()
            .map(|c| (c.label, c.key, Some(c.name.clone()))),
    );
    // Constraints sort after plain indexes on the same (label, key) and win.
    defs.sort_by_key(|a| (a.0, a.1, a.2.is_some()));
    let mut out: Vec<(LabelId, PropKeyId, Option<String>)> = Vec::with_capacity(defs.len());
    for d in defs {
        match out.last_mut() {
            Some(last) if (last.0, last.1) == (d.0, d.1) => {
                if last.2.is_none() {
                    last.2 = d.2;
                }
            }
            _ => out.push(d),
        }
    }
    out
}

pub(super) fn violation(
    catalog: &Catalog,
    constraint: &str,
    label: LabelId,
    key: PropKeyId,
    v: &Value,
    node: NodeId,
) -> GraphError {
    GraphError::ConstraintViolation {
        constraint: constraint.to_string(),
        label: catalog.label_name(label).unwrap_or("?").to_string(),
        key: catalog.prop_key_name(key).unwrap_or("?").to_string(),
        value: render(v),
        node,
    }
}

/// Builds the index on (label, key) from a whole snapshot, checking
/// uniqueness when it backs a constraint.
pub(super) fn build_index(
    inner: &Inner,
    label: LabelId,
    key: PropKeyId,
    unique: Option<String>,
) -> Result<PropIndex> {
    let mut entries: Vec<(IndexKey, NodeId)> = inner
        .nodes
        .par_iter()
        .enumerate()
        .flat_map_iter(|(ci, c)| {
            let base = ci as u64 * NODE_CHUNK;
            let bits = c.meta.label_bits(label);
            let c = &**c;
            bits.into_iter().flat_map(move |b| {
                b.ones(0, NODE_CHUNK as usize).filter_map(move |l| {
                    chunk::column_get(&c.props, key, l)
                        .and_then(|v| IndexKey::from_value(&v))
                        .map(|k| (k, NodeId(base + l as u64)))
                })
            })
        })
        .collect();
    if let Some(name) = &unique {
        entries.par_sort_unstable_by(|a, b| a.cmp(b));
        for w in entries.windows(2) {
            if w[0].0 == w[1].0 {
                let v = inner.nodes[node_pos(w[0].1 .0).0]
                    .props
                    .binary_search_by_key(&key, |(k, _)| *k)
                    .ok()
                    .and_then(|i| {
                        inner.nodes[node_pos(w[0].1 .0).0].props[i]
                            .1
                            .get(node_pos(w[0].1 .0).1)
                            .map(std::borrow::Cow::into_owned)
                    })
                    .unwrap_or(Value::Null);
                return Err(violation(&inner.catalog, name, label, key, &v, w[0].1));
            }
        }
    }
    Ok(PropIndex::build(label, key, unique, entries))
}

fn type_matches(ty: PropertyType, v: &Value) -> bool {
    matches!(
        (ty, v),
        (PropertyType::Bool, Value::Bool(_))
            | (PropertyType::Int, Value::Int(_))
            | (PropertyType::Float, Value::Float(_))
            | (PropertyType::String, Value::String(_))
            | (PropertyType::Date, Value::Date(_))
            | (
                PropertyType::DateTime,
                Value::DateTime(_) | Value::LocalDateTime(_)
            )
            | (PropertyType::Duration, Value::Duration(_))
            | (PropertyType::List, Value::List(_))
    )
}

fn type_error(
    catalog: &Catalog,
    target: SchemaTarget,
    key: PropKeyId,
    ty: PropertyType,
    v: &Value,
) -> GraphError {
    let on = match target {
        SchemaTarget::Label(l) => format!(":{}", catalog.label_name(l).unwrap_or("?")),
        SchemaTarget::RelType(t) => format!("[:{}]", catalog.rel_type_name(t).unwrap_or("?")),
    };
    GraphError::InvalidProperty {
        key: catalog.prop_key_name(key).unwrap_or("?").to_string(),
        reason: format!(
            "{on} declares type {ty:?}, got {} {}",
            v.type_name(),
            render(v)
        ),
    }
}

/// Checks a node's final state against the declared property types.
fn check_node_types(catalog: &Catalog, s: &NodeState<'_>) -> Result<()> {
    for d in &catalog.property_types {
        if let SchemaTarget::Label(l) = d.target {
            if s.labels.binary_search(&l).is_ok() {
                if let Ok(i) = s.props.binary_search_by_key(&d.key, |(k, _)| *k) {
                    if !type_matches(d.ty, &s.props[i].1) {
                        return Err(type_error(catalog, d.target, d.key, d.ty, &s.props[i].1));
                    }
                }
            }
        }
    }
    Ok(())
}

fn check_rel_types(catalog: &Catalog, s: &RelState<'_>) -> Result<()> {
    for d in &catalog.property_types {
        if d.target == SchemaTarget::RelType(s.rel_type) {
            if let Ok(i) = s.props.binary_search_by_key(&d.key, |(k, _)| *k) {
                if !type_matches(d.ty, &s.props[i].1) {
                    return Err(type_error(catalog, d.target, d.key, d.ty, &s.props[i].1));
                }
            }
        }
    }
    Ok(())
}

/// The change set replayed over the entities it touches.
struct Overlay<'a, 'c> {
    base: &'a Inner,
    catalog: &'a Catalog,
    next_node: u64,
    next_rel: u64,
    /// Final state of every touched node (`None`: dead afterwards).
    nodes: IdMap<Option<NodeState<'c>>>,
    rels: IdMap<Option<RelState<'c>>>,
    /// Change in attached relationship count per node.
    degree: IdMap<i64>,
}

impl<'a, 'c> Overlay<'a, 'c> {
    fn check_label(&self, l: LabelId) -> Result<()> {
        if l.index() < self.catalog.labels().len() {
            Ok(())
        } else {
            Err(GraphError::Invalid(format!(
                "label id {l} is not in the catalog"
            )))
        }
    }

    fn check_rel_type(&self, t: RelTypeId) -> Result<()> {
        if t.index() < self.catalog.rel_types().len() {
            Ok(())
        } else {
            Err(GraphError::Invalid(format!(
                "relationship type id {t} is not in the catalog"
            )))
        }
    }

    fn check_value(&self, k: PropKeyId, v: &Value) -> Result<()> {
        if k.index() >= self.catalog.prop_keys().len() {
            return Err(GraphError::Invalid(format!(
                "property key id {k} is not in the catalog"
            )));
        }
        if !v.is_storable() {
            return Err(GraphError::InvalidProperty {
                key: self.catalog.prop_key_name(k).unwrap_or("?").to_string(),
                reason: format!("a {} cannot be stored as a property", v.type_name()),
            });
        }
        Ok(())
    }

    /// Validates created properties: drops nulls, sorts by key, last write wins.
    fn clean_props(
        &self,
        props: &'c [(PropKeyId, Value)],
    ) -> Result<Cow<'c, [(PropKeyId, Value)]>> {
        for (k, v) in props {
            self.check_value(*k, v)?;
        }
        if props.windows(2).all(|w| w[0].0 < w[1].0) && props.iter().all(|(_, v)| !v.is_null()) {
            return Ok(Cow::Borrowed(props));
        }
        let mut out: Vec<(PropKeyId, Value)> = props.iter().rev().cloned().collect();
        out.sort_by_key(|(k, _)| *k);
        out.dedup_by(|a, b| a.0 == b.0);
        out.retain(|(_, v)| !v.is_null());
        Ok(Cow::Owned(out))
    }

    fn node_alive(&self, n: NodeId) -> bool {
        match self.nodes.get(&n.0) {
            Some(s) => s.is_some(),
            None => self.base.node_alive(n.0),
        }
    }

    fn node_mut(&mut self, n: NodeId) -> Result<&mut NodeState<'c>> {
        let base = self.base;
        let slot = match self.nodes.entry(n.0) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(Some(
                base_node(base, n.0).ok_or(GraphError::NodeNotFound(n))?,
            )),
        };
        slot.as_mut().ok_or(GraphError::NodeNotFound(n))
    }

    fn rel_mut(&mut self, r: RelId) -> Result<&mut RelState<'c>> {
        let base = self.base;
        let slot = match self.rels.entry(r.0) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                e.insert(Some(base_rel(base, r.0).ok_or(GraphError::RelNotFound(r))?))
            }
        };
        slot.as_mut().ok_or(GraphError::RelNotFound(r))
    }

    fn change(&mut self, c: &'c Change) -> Result<()> {
        match c {
            Change::CreateNode { id, labels, props } => {
                if id.0 < self.base.next_node || self.nodes.contains_key(&id.0) {
                    return Err(GraphError::Invalid(format!(
                        "node id {id} is already in use"
                    )));
                }
                if id.0 >= self.next_node.saturating_add(MAX_ID_GAP) {
                    return Err(GraphError::Invalid(format!(
                        "node id {id} is too far beyond the next free id {}",
                        self.next_node
                    )));
                }
                for l in labels {
                    self.check_label(*l)?;
                }
                let labels: Cow<'c, [LabelId]> = if labels.windows(2).all(|w| w[0] < w[1]) {
                    Cow::Borrowed(labels)
                } else {
                    let mut l = labels.clone();
                    l.sort_unstable();
                    l.dedup();
                    Cow::Owned(l)
                };
                let props = self.clean_props(props)?;
                self.nodes.insert(id.0, Some(NodeState { labels, props }));
                self.next_node = self.next_node.max(id.0 + 1);
            }
            Change::DeleteNode { id } => {
                self.node_mut(*id)?;
                self.nodes.insert(id.0, None);
            }
            Change::CreateRel {
                id,
                rel_type,
                src,
                dst,
                props,
            } => {
                if id.0 < self.base.next_rel || self.rels.contains_key(&id.0) {
                    return Err(GraphError::Invalid(format!(
                        "relationship id {id} is already in use"
                    )));
                }
                if id.0 >= self.next_rel.saturating_add(MAX_ID_GAP) {
                    return Err(GraphError::Invalid(format!(
                        "relationship id {id} is too far beyond the next free id {}",
                        self.next_rel
                    )));
                }
                self.check_rel_type(*rel_type)?;
                for n in [src, dst] {
                    if !self.node_alive(*n) {
                        return Err(GraphError::NodeNotFound(*n));
                    }
                }
                let props = self.clean_props(props)?;
                *self.degree.entry(src.0).or_default() += 1;
                *self.degree.entry(dst.0).or_default() += 1;
                self.rels.insert(
                    id.0,
                    Some(RelState {
                        rel_type: *rel_type,
                        src: *src,
                        dst: *dst,
                        props,
                    }),
                );
                self.next_rel = self.next_rel.max(id.0 + 1);
            }
            Change::DeleteRel { id } => {
                let r = self.rel_mut(*id)?;
                let (src, dst) = (r.src, r.dst);
                self.rels.insert(id.0, None);
                *self.degree.entry(src.0).or_default() -= 1;
                *self.degree.entry(dst.0).or_default() -= 1;
            }
            Change::SetNodeProp { id, key, value } => {
                self.check_value(*key, value)?;
                let s = self.node_mut(*id)?;
                set_prop(s.props.to_mut(), *key, value);
            }
            Change::SetRelProp { id, key, value } => {
                self.check_value(*key, value)?;
                let s = self.rel_mut(*id)?;
                set_prop(s.props.to_mut(), *key, value);
            }
            Change::AddLabel { id, label } => {
                self.check_label(*label)?;
                let s = self.node_mut(*id)?;
                if let Err(i) = s.labels.binary_search(label) {
                    s.labels.to_mut().insert(i, *label);
                }
            }
            Change::RemoveLabel { id, label } => {
                let s = self.node_mut(*id)?;
                if let Ok(i) = s.labels.binary_search(label) {
                    s.labels.to_mut().remove(i);
                }
            }
        }
        Ok(())
    }
}

fn set_prop(props: &mut Vec<(PropKeyId, Value)>, key: PropKeyId, value: &Value) {
    match props.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) if value.is_null() => {
            props.remove(i);
        }
        Ok(i) => props[i].1 = value.clone(),
        Err(_) if value.is_null() => {}
        Err(i) => props.insert(i, (key, value.clone())),
    }
}

/// Groups items sorted by chunk index into `(chunk, items)` runs.
fn group_by_chunk<T>(items: Vec<(usize, T)>) -> Vec<(usize, Vec<T>)> {
    let mut out: Vec<(usize, Vec<T>)> = Vec::new();
    for (c, t) in items {
        match out.last_mut() {
            Some((last, v)) if *last == c => v.push(t),
            _ => out.push((c, vec![t])),
        }
    }
    out
}

/// Rebuild work for one node chunk: its index, node edits, adjacency edits.
type NodeWork<'s> = (usize, Vec<NodeEdit<'s>>, Vec<(AdjKey, AdjEdits)>);

/// Adjacency edits grouped per node chunk and list key.
type ChunkAdjEdits = Vec<(usize, Vec<(AdjKey, AdjEdits)>)>;

/// Turns (chunk, key, local, adj, insert?) ops into per-chunk edits.
pub(super) fn group_adj_ops(mut ops: Vec<(usize, AdjKey, u32, Adj, bool)>) -> ChunkAdjEdits {
    if ops.len() < 100_000 {
        ops.sort_unstable_by_key(|a| (a.0, a.1, a.2, a.3));
    } else {
        ops.par_sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
    }
    let mut out: ChunkAdjEdits = Vec::new();
    for (c, key, local, adj, insert) in ops {
        if out.last().is_none_or(|(lc, _)| *lc != c) {
            out.push((c, Vec::new()));
        }
        let lists = &mut out.last_mut().expect("invariant: pushed above").1;
        if lists.last().is_none_or(|(k, _)| *k != key) {
            lists.push((key, AdjEdits::default()));
        }
        let e = &mut lists.last_mut().expect("invariant: pushed above").1;
        if insert {
            e.inserts.push((local, adj));
        } else {
            e.deletes.push((local, adj.rel));
        }
    }
    out
}

/// Merges per-chunk node edits and adjacency edits into rebuild work.
pub(super) fn rebuild_nodes<'s>(
    old: &[Arc<NodeChunk>],
    chunks_needed: usize,
    node_edits: Vec<(usize, Vec<NodeEdit<'s>>)>,
    adj_edits: ChunkAdjEdits,
) -> Vec<Arc<NodeChunk>> {
    let mut work: Vec<NodeWork<'s>> = Vec::new();
    let mut ni = node_edits.into_iter().peekable();
    let mut ai = adj_edits.into_iter().peekable();
    loop {
        let next = match (ni.peek(), ai.peek()) {
            (None, None) => break,
            (Some((a, _)), Some((b, _))) => (*a).min(*b),
            (Some((a, _)), None) => *a,
            (None, Some((b, _))) => *b,
        };
        let nodes = match ni.peek() {
            Some((c, _)) if *c == next => ni.next().map(|x| x.1).unwrap_or_default(),
            _ => Vec::new(),
        };
        let adj = match ai.peek() {
            Some((c, _)) if *c == next => ai.next().map(|x| x.1).unwrap_or_default(),
            _ => Vec::new(),
        };
        work.push((next, nodes, adj));
    }
    let rebuild = |(ci, nodes, adj): &NodeWork<'s>| {
        let prev = old.get(*ci).map(|c| &**c);
        (*ci, chunk::rebuild_node_chunk(prev, nodes, adj))
    };
    // Small writes stay on the calling thread: waking the pool costs more.
    let rebuilt: Vec<(usize, NodeChunk)> = if work.len() <= SEQUENTIAL_CHUNKS {
        work.iter().map(rebuild).collect()
    } else {
        work.par_iter().map(rebuild).collect()
    };
    let mut out: Vec<Arc<NodeChunk>> = old.to_vec();
    if out.len() < chunks_needed {
        let empty = Arc::new(NodeChunk::default());
        out.resize(chunks_needed, empty);
    }
    for (ci, c) in rebuilt {
        out[ci] = Arc::new(c);
    }
    out
}

pub(super) fn rebuild_rels<'s>(
    old: &[Arc<RelChunk>],
    chunks_needed: usize,
    rel_edits: Vec<(usize, Vec<RelEdit<'s>>)>,
) -> Vec<Arc<RelChunk>> {
    let rebuild = |(ci, rels): &(usize, Vec<RelEdit<'s>>)| {
        let prev = old.get(*ci).map(|c| &**c);
        (*ci, chunk::rebuild_rel_chunk(prev, rels))
    };
    let rebuilt: Vec<(usize, RelChunk)> = if rel_edits.len() <= SEQUENTIAL_CHUNKS {
        rel_edits.iter().map(rebuild).collect()
    } else {
        rel_edits.par_iter().map(rebuild).collect()
    };
    let mut out: Vec<Arc<RelChunk>> = old.to_vec();
    if out.len() < chunks_needed {
        let empty = Arc::new(RelChunk::default());
        out.resize(chunks_needed, empty);
    }
    for (ci, c) in rebuilt {
        out[ci] = Arc::new(c);
    }
    out
}

/// Takes one off `counts[i]` for what entity `id` of the base image holds.
/// An index out of range, or a count already zero, means the base image's
/// data is damaged: opening checks segment footers and sizes, not every
/// data byte (`relgraph check` does), and a change must not panic on it.
fn count_out(counts: &mut [u64], i: usize, what: &str, id: u64) -> Result<()> {
    match counts.get_mut(i) {
        Some(c) if *c > 0 => {
            *c -= 1;
            Ok(())
        }
        _ => Err(GraphError::Corrupt {
            tree: "segments".into(),
            key: format!("entity {id}"),
            reason: format!(
                "the base image's data is damaged: it gives entity {id} a {what} ({i}) \
                 that its counts do not hold; `relgraph check` names the damaged segment file"
            ),
        }),
    }
}

pub(super) fn apply(base: &Inner, cs: &ChangeSet) -> Result<Inner> {
    let catalog: Arc<Catalog> = match &cs.catalog {
        Some(c) => Arc::new(c.0.clone()),
        None => base.catalog.clone(),
    };
    let mut ov = Overlay {
        base,
        catalog: &catalog,
        next_node: base.next_node,
        next_rel: base.next_rel,
        nodes: IdMap::default(),
        rels: IdMap::default(),
        degree: IdMap::default(),
    };
    for c in &cs.changes {
        ov.change(c)?;
    }
    let Overlay {
        next_node,
        next_rel,
        nodes,
        rels,
        degree,
        ..
    } = ov;
    check_end_state(base, &catalog, &nodes, &rels, &degree)?;
    let mut counts = Counts::of(base, &catalog);
    let mut node_list: Vec<(u64, Option<&NodeState<'_>>)> =
        nodes.iter().map(|(id, s)| (*id, s.as_ref())).collect();
    node_list.sort_unstable_by_key(|(id, _)| *id);
    counts.nodes(base, &node_list)?;
    let (new_rels, adj_ops) = rel_chunks(base, &rels, next_rel, &mut counts)?;
    let new_nodes = node_chunks(base, &node_list, next_node, adj_ops);
    let mut inner = Inner {
        version: base.version + 1,
        catalog: catalog.clone(),
        next_node,
        next_rel,
        node_count: counts.node,
        rel_count: counts.rel,
        label_counts: counts.labels,
        rel_type_counts: counts.types,
        nodes: new_nodes,
        rels: new_rels,
        indexes: OnceLock::new(),
        lazy_indexes: OnceLock::new(),
        rank: OnceLock::new(),
        stats: OnceLock::new(),
        role_views: Default::default(),
        damage: base.damage.clone(),
    };
    let indexes = updated_indexes(base, &inner, &catalog, &node_list)?;
    inner.indexes = OnceLock::from(indexes);
    // Newly declared property types apply to existing data too.
    for d in &catalog.property_types {
        if base.catalog.property_types.contains(d) {
            continue;
        }
        check_existing(&inner, d.target, d.key, d.ty)?;
    }
    Ok(inner)
}

/// The rules checked on a change set's end state: a deleted node keeps no
/// relationships; entities hold the declared property types.
fn check_end_state(
    base: &Inner,
    catalog: &Catalog,
    nodes: &IdMap<Option<NodeState<'_>>>,
    rels: &IdMap<Option<RelState<'_>>>,
    degree: &IdMap<i64>,
) -> Result<()> {
    for (id, s) in nodes {
        match s {
            None => {
                let attached = base.node_chunk(*id).map_or(0, |(c, l)| c.degree(l) as i64)
                    + degree.get(id).copied().unwrap_or(0);
                if attached > 0 {
                    return Err(GraphError::NodeHasRelationships(NodeId(*id)));
                }
            }
            Some(s) if !catalog.property_types.is_empty() => check_node_types(catalog, s)?,
            Some(_) => {}
        }
    }
    if !catalog.property_types.is_empty() {
        for s in rels.values().flatten() {
            check_rel_types(catalog, s)?;
        }
    }
    Ok(())
}

/// The counters of the new version, from the old and new states of the
/// touched entities.
struct Counts {
    node: u64,
    rel: u64,
    labels: Vec<u64>,
    types: Vec<u64>,
}

impl Counts {
    /// The base's counters, with room for `catalog`'s new names.
    fn of(base: &Inner, catalog: &Catalog) -> Counts {
        let mut labels = base.label_counts.clone();
        labels.resize(labels.len().max(catalog.labels().len()), 0);
        let mut types = base.rel_type_counts.clone();
        types.resize(types.len().max(catalog.rel_types().len()), 0);
        Counts {
            node: base.node_count,
            rel: base.rel_count,
            labels,
            types,
        }
    }

    /// Counts out the old state of each touched node and in its new one.
    fn nodes(&mut self, base: &Inner, nodes: &[(u64, Option<&NodeState<'_>>)]) -> Result<()> {
        for (id, s) in nodes {
            if let Some((c, l)) = base.node_chunk(*id) {
                if c.meta.alive.get(l) {
                    count_out(std::slice::from_mut(&mut self.node), 0, "node", *id)?;
                    for lab in c.meta.labels(l) {
                        count_out(&mut self.labels, lab.index(), "label", *id)?;
                    }
                }
            }
            if let Some(s) = s {
                self.node += 1;
                for lab in s.labels.iter() {
                    self.labels[lab.index()] += 1;
                }
            }
        }
        Ok(())
    }

    /// Counts out a relationship's old state (type `old`) and in its new one.
    fn rel(&mut self, id: u64, old: Option<RelTypeId>, new: Option<RelTypeId>) -> Result<()> {
        if let Some(t) = old {
            count_out(std::slice::from_mut(&mut self.rel), 0, "relationship", id)?;
            count_out(&mut self.types, t.index(), "relationship type", id)?;
        }
        if let Some(t) = new {
            self.rel += 1;
            self.types[t.index()] += 1;
        }
        Ok(())
    }
}

/// An adjacency entry to insert (`true`) or delete in node chunk `.0`,
/// list `.1`, at local `.2`.
type AdjOp = (usize, AdjKey, u32, Adj, bool);

/// The relationship chunks of the new version, and the adjacency entries
/// the touched relationships add and remove.
fn rel_chunks(
    base: &Inner,
    rels: &IdMap<Option<RelState<'_>>>,
    next_rel: u64,
    counts: &mut Counts,
) -> Result<(Vec<Arc<RelChunk>>, Vec<AdjOp>)> {
    let mut rel_list: Vec<(u64, Option<&RelState<'_>>)> =
        rels.iter().map(|(id, s)| (*id, s.as_ref())).collect();
    rel_list.sort_unstable_by_key(|(id, _)| *id);
    let mut adj_ops: Vec<AdjOp> = Vec::new();
    for (id, s) in &rel_list {
        let old = base_rel_ends(base, *id);
        counts.rel(*id, old.map(|(t, _, _)| t), s.map(|s| s.rel_type))?;
        let rel = RelId(*id);
        let (t, src, dst, insert) = match (old, s) {
            (Some((t, src, dst)), None) => (t, src, dst, false),
            (None, Some(s)) => (s.rel_type, s.src, s.dst, true),
            _ => continue,
        };
        let (sc, sl) = node_pos(src.0);
        let (dc, dl) = node_pos(dst.0);
        adj_ops.push((sc, (t, 0), sl as u32, Adj { node: dst, rel }, insert));
        adj_ops.push((dc, (t, 1), dl as u32, Adj { node: src, rel }, insert));
    }
    let rel_edits = group_by_chunk(
        rel_list
            .iter()
            .map(|(id, s)| {
                let (c, l) = rel_pos(*id);
                let view = s.map(|s| RelView {
                    rel_type: s.rel_type,
                    src: s.src,
                    dst: s.dst,
                    props: &s.props,
                });
                (c, (l as u32, view))
            })
            .collect(),
    );
    let new_rels = rebuild_rels(&base.rels, next_rel.div_ceil(REL_CHUNK) as usize, rel_edits);
    Ok((new_rels, adj_ops))
}

/// The node chunks of the new version: the touched nodes' states and the
/// adjacency edits.
fn node_chunks(
    base: &Inner,
    node_list: &[(u64, Option<&NodeState<'_>>)],
    next_node: u64,
    adj_ops: Vec<AdjOp>,
) -> Vec<Arc<NodeChunk>> {
    let node_edits = group_by_chunk(
        node_list
            .iter()
            .map(|(id, s)| {
                let (c, l) = node_pos(*id);
                let view = s.map(|s| NodeView {
                    labels: &s.labels,
                    props: &s.props,
                });
                (c, (l as u32, view))
            })
            .collect(),
    );
    rebuild_nodes(
        &base.nodes,
        next_node.div_ceil(NODE_CHUNK) as usize,
        node_edits,
        group_adj_ops(adj_ops),
    )
}

/// The property indexes of the new version `inner`: those of `base`
/// updated entry by entry for the touched nodes, new ones built; a unique
/// index refuses a duplicate.
fn updated_indexes(
    base: &Inner,
    inner: &Inner,
    catalog: &Catalog,
    node_list: &[(u64, Option<&NodeState<'_>>)],
) -> Result<Vec<PropIndex>> {
    let mut indexes = Vec::new();
    for (label, key, unique) in index_defs(catalog) {
        let Some(old) = base.index(label, key) else {
            indexes.push(build_index(inner, label, key, unique)?);
            continue;
        };
        let mut idx = old.clone();
        let newly_unique = unique.is_some() && old.unique.is_none();
        idx.unique = unique;
        for (id, _) in node_list {
            let old_key = base
                .node_chunk(*id)
                .filter(|(c, l)| {
                    c.meta.alive.get(*l) && c.meta.labels(*l).binary_search(&label).is_ok()
                })
                .and_then(|(c, l)| chunk::column_get(&c.props, key, l))
                .and_then(|v| IndexKey::from_value(&v));
            if let Some(k) = old_key {
                idx.remove(k, NodeId(*id));
            }
        }
        let mut added: Vec<(NodeId, &Value)> = Vec::new();
        for (id, s) in node_list {
            let Some(s) = s else { continue };
            if s.labels.binary_search(&label).is_err() {
                continue;
            }
            if let Ok(i) = s.props.binary_search_by_key(&key, |(k, _)| *k) {
                if let Some(k) = IndexKey::from_value(&s.props[i].1) {
                    idx.insert(k, NodeId(*id));
                    added.push((NodeId(*id), &s.props[i].1));
                }
            }
        }
        if let Some(name) = &idx.unique {
            if newly_unique {
                if let Some((_, n)) = idx.first_duplicate() {
                    let v = inner_node_prop(inner, n, key);
                    return Err(violation(catalog, name, label, key, &v, n));
                }
            } else {
                for (n, v) in added {
                    let k =
                        IndexKey::from_value(v).expect("invariant: inserted keys are indexable");
                    if let Some(other) = idx.other_with(&k, n) {
                        return Err(violation(catalog, name, label, key, v, other));
                    }
                }
            }
        }
        indexes.push(idx);
    }
    Ok(indexes)
}

fn inner_node_prop(inner: &Inner, n: NodeId, key: PropKeyId) -> Value {
    inner
        .node_chunk(n.0)
        .and_then(|(c, l)| chunk::column_get(&c.props, key, l))
        .map(std::borrow::Cow::into_owned)
        .unwrap_or(Value::Null)
}

/// Checks every existing entity that a property type declaration covers.
pub(super) fn check_existing(
    inner: &Inner,
    target: SchemaTarget,
    key: PropKeyId,
    ty: PropertyType,
) -> Result<()> {
    match target {
        SchemaTarget::Label(label) => {
            for c in &inner.nodes {
                let Some(bits) = c.meta.label_bits(label) else {
                    continue;
                };
                for l in bits.ones(0, NODE_CHUNK as usize) {
                    if let Some(v) = chunk::column_get(&c.props, key, l) {
                        if !type_matches(ty, &v) {
                            return Err(type_error(&inner.catalog, target, key, ty, &v));
                        }
                    }
                }
            }
        }
        SchemaTarget::RelType(t) => {
            for c in &inner.rels {
                for l in c.ends.alive.ones(0, REL_CHUNK as usize) {
                    if c.ends.get(l).is_none_or(|(ty, _, _)| ty != t) {
                        continue;
                    }
                    if let Some(v) = chunk::column_get(&c.props, key, l) {
                        if !type_matches(ty, &v) {
                            return Err(type_error(&inner.catalog, target, key, ty, &v));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
