//! Building a snapshot from whole records, in parallel.
//!
//! Nodes and relationships are sorted by id (parallel sort) and cut into
//! chunks. Adjacency entries are scattered into one bucket per node chunk
//! (both directions), then each chunk sorts its bucket and builds its CSR
//! lists independently, in parallel with the others.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::error::{GraphError, Result};
use crate::ids::{NodeId, PropKeyId, RelId};
use crate::record::{NodeRecord, RelRecord};
use crate::value::Value;

use super::apply::{build_index, check_existing, index_defs, rebuild_nodes, rebuild_rels};
use super::chunk::{
    build_adj_lists, node_pos, rel_pos, AdjKey, AdjLists, NodeView, RelView, NODE_CHUNK, REL_CHUNK,
};
use super::{Adj, Inner};

/// At most this many dead ids below the next id (2^32).
const MAX_DEAD_IDS: u64 = 1 << 32;

fn normalize_props(catalog: &Catalog, props: &mut Vec<(PropKeyId, Value)>) -> Result<()> {
    for (k, v) in props.iter() {
        if k.index() >= catalog.prop_keys().len() {
            return Err(GraphError::Invalid(format!(
                "property key id {k} is not in the catalog"
            )));
        }
        if !v.is_storable() {
            return Err(GraphError::InvalidProperty {
                key: catalog.prop_key_name(*k).unwrap_or("?").to_string(),
                reason: format!("a {} cannot be stored as a property", v.type_name()),
            });
        }
    }
    if !props.windows(2).all(|w| w[0].0 < w[1].0) {
        props.reverse();
        props.sort_by_key(|(k, _)| *k);
        props.dedup_by(|a, b| a.0 == b.0);
    }
    props.retain(|(_, v)| !v.is_null());
    Ok(())
}

fn group<T>(items: impl Iterator<Item = (usize, T)>) -> Vec<(usize, Vec<T>)> {
    let mut out: Vec<(usize, Vec<T>)> = Vec::new();
    for (c, t) in items {
        match out.last_mut() {
            Some((last, v)) if *last == c => v.push(t),
            _ => out.push((c, vec![t])),
        }
    }
    out
}

pub(super) fn from_records(
    catalog: Catalog,
    version: u64,
    next_node: NodeId,
    next_rel: RelId,
    mut nodes: Vec<NodeRecord>,
    mut rels: Vec<RelRecord>,
) -> Result<Inner> {
    let (next_node, next_rel) = (next_node.0, next_rel.0);
    // Validate and normalize records.
    nodes.par_sort_unstable_by_key(|n| n.id);
    rels.par_sort_unstable_by_key(|r| r.id);
    if let Some(w) = nodes.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(GraphError::Invalid(format!(
            "duplicate node id {}",
            w[0].id
        )));
    }
    if let Some(w) = rels.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(GraphError::Invalid(format!(
            "duplicate relationship id {}",
            w[0].id
        )));
    }
    if let Some(n) = nodes.last().filter(|n| n.id.0 >= next_node) {
        return Err(GraphError::Invalid(format!(
            "node id {} is not below the next node id {next_node}",
            n.id
        )));
    }
    if let Some(r) = rels.last().filter(|r| r.id.0 >= next_rel) {
        return Err(GraphError::Invalid(format!(
            "relationship id {} is not below the next relationship id {next_rel}",
            r.id
        )));
    }
    nodes.par_iter_mut().try_for_each(|n| -> Result<()> {
        if let Some(l) = n
            .labels
            .iter()
            .find(|l| l.index() >= catalog.labels().len())
        {
            return Err(GraphError::Invalid(format!(
                "label id {l} is not in the catalog"
            )));
        }
        n.labels.sort_unstable();
        n.labels.dedup();
        normalize_props(&catalog, &mut n.props)
    })?;
    // Dead ids cost memory (chunk slots); a bound far beyond the records
    // means a corrupt input, not a graph.
    for (what, next, live) in [
        ("node", next_node, nodes.len()),
        ("relationship", next_rel, rels.len()),
    ] {
        if next > live as u64 + MAX_DEAD_IDS {
            return Err(GraphError::Invalid(format!(
                "next {what} id {next} is implausible for {live} live records"
            )));
        }
    }
    // Endpoints exist: a liveness bitset when its size is proportional to
    // the records (the normal case), else binary search over sorted ids,
    // so memory never follows a sparse id bound.
    let words = (next_node as usize).div_ceil(64);
    let dense = words <= 4 * nodes.len() + 1024;
    let mut alive = vec![0u64; if dense { words } else { 0 }];
    let ids: Vec<u64> = if dense {
        for n in &nodes {
            alive[(n.id.0 / 64) as usize] |= 1 << (n.id.0 % 64);
        }
        Vec::new()
    } else {
        nodes.iter().map(|n| n.id.0).collect()
    };
    let exists = |n: NodeId| {
        if dense {
            n.0 < next_node && alive[(n.0 / 64) as usize] & (1 << (n.0 % 64)) != 0
        } else {
            ids.binary_search(&n.0).is_ok()
        }
    };
    rels.par_iter_mut().try_for_each(|r| -> Result<()> {
        if r.rel_type.index() >= catalog.rel_types().len() {
            return Err(GraphError::Invalid(format!(
                "relationship type id {} is not in the catalog",
                r.rel_type
            )));
        }
        for n in [r.src, r.dst] {
            if !exists(n) {
                return Err(GraphError::NodeNotFound(n));
            }
        }
        normalize_props(&catalog, &mut r.props)
    })?;

    // Adjacency buckets per node chunk: both directions of every relationship.
    let node_chunks = next_node.div_ceil(NODE_CHUNK) as usize;
    let mut counts = vec![0usize; node_chunks];
    for r in &rels {
        counts[node_pos(r.src.0).0] += 1;
        counts[node_pos(r.dst.0).0] += 1;
    }
    let mut buckets: Vec<Vec<(AdjKey, u32, Adj)>> =
        counts.iter().map(|c| Vec::with_capacity(*c)).collect();
    for r in &rels {
        let (sc, sl) = node_pos(r.src.0);
        let (dc, dl) = node_pos(r.dst.0);
        buckets[sc].push((
            (r.rel_type, 0),
            sl as u32,
            Adj {
                node: r.dst,
                rel: r.id,
            },
        ));
        buckets[dc].push((
            (r.rel_type, 1),
            dl as u32,
            Adj {
                node: r.src,
                rel: r.id,
            },
        ));
    }
    let adj_lists: Vec<(usize, AdjLists)> = buckets
        .into_par_iter()
        .enumerate()
        .filter(|(_, b)| !b.is_empty())
        .map(|(ci, b)| (ci, build_adj_lists(&b)))
        .collect();

    let node_edits = group(nodes.iter().map(|n| {
        let (c, l) = node_pos(n.id.0);
        (
            c,
            (
                l as u32,
                Some(NodeView {
                    labels: &n.labels,
                    props: &n.props,
                }),
            ),
        )
    }));
    let rel_edits = group(rels.iter().map(|r| {
        let (c, l) = rel_pos(r.id.0);
        (
            c,
            (
                l as u32,
                Some(RelView {
                    rel_type: r.rel_type,
                    src: r.src,
                    dst: r.dst,
                    props: &r.props,
                }),
            ),
        )
    }));
    let (mut chunks, rel_chunks) = rayon::join(
        || rebuild_nodes(&[], node_chunks, node_edits, Vec::new()),
        || rebuild_rels(&[], next_rel.div_ceil(REL_CHUNK) as usize, rel_edits),
    );

    for (ci, lists) in adj_lists {
        Arc::make_mut(&mut chunks[ci]).adj = lists;
    }

    let mut label_counts = vec![0u64; catalog.labels().len()];
    for c in &chunks {
        for (l, b) in &c.meta.label_bits {
            label_counts[l.index()] += b.count();
        }
    }
    let mut rel_type_counts = vec![0u64; catalog.rel_types().len()];
    for r in &rels {
        rel_type_counts[r.rel_type.index()] += 1;
    }
    let catalog = Arc::new(catalog);
    let mut inner = Inner {
        version,
        catalog: catalog.clone(),
        next_node,
        next_rel,
        node_count: nodes.len() as u64,
        rel_count: rels.len() as u64,
        label_counts,
        rel_type_counts,
        nodes: chunks,
        rels: rel_chunks,
        indexes: OnceLock::new(),
        lazy_indexes: OnceLock::new(),
        rank: OnceLock::new(),
        stats: OnceLock::new(),
        role_views: Default::default(),
        damage: Default::default(),
    };
    drop(nodes);
    drop(rels);
    inner.indexes = OnceLock::from(build_indexes(&inner)?);
    for d in &catalog.property_types {
        check_existing(&inner, d.target, d.key, d.ty)?;
    }
    Ok(inner)
}

/// Builds every index the catalog declares over the chunks of `inner`.
pub(super) fn build_indexes(inner: &Inner) -> Result<Vec<super::index::PropIndex>> {
    index_defs(&inner.catalog)
        .into_iter()
        .map(|(label, key, unique)| build_index(inner, label, key, unique))
        .collect()
}
