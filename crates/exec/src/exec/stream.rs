//! Row-by-row operators: scans, expansions, filters, projections. Each
//! works on a batch of rows and may run on any worker thread.

use std::collections::HashMap;
use std::ops::{Bound, Range};

use relgraph_graph::{Direction, LabelId, NodeId, Path, RelId, RelTypeId, Snapshot, Value};

use super::eval::eval;
use super::{run_stream_ops, Ctx};
use crate::error::{ExecError, Result};
use crate::plan::{BuildPath, CExpr, Dir, Expand, NameRef, NodeScan, Op, PathStep, Row, Seek};
use crate::value_ops;

/// How many produced rows between two limit checks inside one operator.
const CHECK_EVERY: usize = 4096;

/// Applies one streaming operator to a batch.
pub(crate) fn apply(op: &Op, rows: Vec<Row>, ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    ctx.guard.check()?;
    match op {
        Op::NodeScan(s) => {
            let mut out = Vec::new();
            for row in &rows {
                scan(s, row, None, ctx, &mut out)?;
            }
            Ok(out)
        }
        Op::Expand(e) => {
            let types = resolve_types(&e.types, ctx.snapshot);
            let to_labels = resolve_labels(&e.to_labels, ctx.snapshot);
            let Some(to_labels) = to_labels else {
                return Ok(Vec::new());
            };
            let inner = match &e.then_count {
                Some(inner) => {
                    let Some(labels) = resolve_labels(&inner.to_labels, ctx.snapshot) else {
                        return Ok(Vec::new());
                    };
                    Some((&**inner, resolve_types(&inner.types, ctx.snapshot), labels))
                }
                None => None,
            };
            let fused = inner.as_ref().map(|(x, t, l)| Fused {
                expand: x,
                types: t,
                to_labels: l,
            });
            let mut out = Vec::new();
            for row in &rows {
                if e.var_length.is_some() {
                    var_expand(e, &types, &to_labels, row, ctx, &mut out)?;
                } else {
                    expand(e, &types, &to_labels, fused.as_ref(), row, ctx, &mut out)?;
                }
            }
            Ok(out)
        }
        Op::ShortestPath(s) => {
            let mut out = Vec::new();
            for row in &rows {
                super::shortest::shortest(s, row, ctx, &mut out)?;
            }
            Ok(out)
        }
        Op::Filter(pred) => {
            let mut out = Vec::with_capacity(rows.len());
            let mut locals = Vec::new();
            for row in rows {
                match eval(pred, &row, &mut locals, ctx)? {
                    Value::Bool(true) => out.push(row),
                    Value::Bool(false) | Value::Null => {}
                    other => {
                        return Err(ExecError::type_error(
                            "InvalidArgumentType",
                            format!("a predicate must be boolean, got {}", other.type_name()),
                        ))
                    }
                }
            }
            Ok(out)
        }
        Op::BuildPath(p) => {
            let mut rows = rows;
            for row in &mut rows {
                let v = build_path(p, row, ctx.snapshot)?;
                row[p.slot] = v;
            }
            Ok(rows)
        }
        Op::Optional { ops } => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let found = run_stream_ops(ops, vec![row.clone()], ctx)?;
                if found.is_empty() {
                    out.push(row);
                } else {
                    out.extend(found);
                }
            }
            Ok(out)
        }
        Op::Unwind {
            slot,
            param: Some(name),
            ..
        } => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                match ctx.params.get(name) {
                    None | Some(Value::Null) => {}
                    Some(Value::List(items)) => {
                        out.reserve(items.len());
                        for item in items {
                            let mut r = row.clone();
                            r[*slot] = item.clone();
                            out.push(r);
                            if out.len().is_multiple_of(CHECK_EVERY) {
                                ctx.guard.check_rows(out.len(), row.len())?;
                            }
                        }
                    }
                    Some(other) => {
                        let mut r = row;
                        r[*slot] = other.clone();
                        out.push(r);
                    }
                }
            }
            Ok(out)
        }
        Op::Unwind { expr, slot, .. } => {
            let mut out = Vec::with_capacity(rows.len());
            let mut locals = Vec::new();
            for row in rows {
                match eval(expr, &row, &mut locals, ctx)? {
                    Value::Null => {}
                    Value::List(items) => {
                        for item in items {
                            let mut r = row.clone();
                            r[*slot] = item;
                            out.push(r);
                            if out.len().is_multiple_of(CHECK_EVERY) {
                                ctx.guard.check_rows(out.len(), row.len())?;
                            }
                        }
                    }
                    other => {
                        let mut r = row;
                        r[*slot] = other;
                        out.push(r);
                    }
                }
            }
            Ok(out)
        }
        Op::Project { items, .. } => {
            let mut rows = rows;
            let mut locals = Vec::new();
            for row in &mut rows {
                for (e, slot) in items {
                    let v = eval(e, row, &mut locals, ctx)?;
                    row[*slot] = v;
                }
            }
            Ok(rows)
        }
        other => Err(ExecError::Unsupported {
            feature: format!("streaming {other:?}"),
            span: None,
        }),
    }
}

/// Rel types to traverse: the named ones that exist, or all.
pub(crate) fn resolve_types(types: &[NameRef<RelTypeId>], snapshot: &Snapshot) -> Vec<RelTypeId> {
    let catalog = snapshot.catalog();
    if types.is_empty() {
        (0..catalog.rel_types().len() as u32)
            .map(RelTypeId)
            .collect()
    } else {
        let mut out: Vec<RelTypeId> = types.iter().filter_map(|t| t.resolve(catalog)).collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Label ids, or `None` if one is unknown (nothing can match).
fn resolve_labels(labels: &[NameRef<LabelId>], snapshot: &Snapshot) -> Option<Vec<LabelId>> {
    labels
        .iter()
        .map(|l| l.resolve(snapshot.catalog()))
        .collect()
}

fn has_labels(snapshot: &Snapshot, n: NodeId, labels: &[LabelId]) -> bool {
    labels.iter().all(|l| snapshot.has_label(n, *l))
}

/// Scans nodes for one input row; `range` restricts to one morsel.
pub(crate) fn scan(
    s: &NodeScan,
    row: &Row,
    range: Option<Range<u64>>,
    ctx: &Ctx<'_>,
    out: &mut Vec<Row>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let catalog = snap.catalog();
    let Some(extra) = resolve_labels(&s.labels, snap) else {
        return Ok(());
    };
    let mut emit = |n: NodeId, out: &mut Vec<Row>| -> Result<()> {
        if has_labels(snap, n, &extra) {
            let mut r = row.clone();
            r[s.slot] = Value::Node(n);
            out.push(r);
            if out.len().is_multiple_of(CHECK_EVERY) {
                ctx.guard.check_rows(out.len(), row.len())?;
            }
        }
        Ok(())
    };
    let mut locals = Vec::new();
    let label_scan = |l: &NameRef<LabelId>,
                      out: &mut Vec<Row>,
                      emit: &mut dyn FnMut(NodeId, &mut Vec<Row>) -> Result<()>|
     -> Result<()> {
        let Some(l) = l.resolve(catalog) else {
            return Ok(());
        };
        match &range {
            Some(r) => {
                for n in snap.nodes_in_range(r.clone(), Some(l)) {
                    emit(n, out)?;
                }
            }
            None => {
                for n in snap.nodes_with_label(l) {
                    emit(n, out)?;
                }
            }
        }
        Ok(())
    };
    match &s.seek {
        Seek::All => match &range {
            Some(r) => {
                for n in snap.nodes_in_range(r.clone(), None) {
                    emit(n, out)?;
                }
            }
            None => {
                for n in snap.nodes() {
                    emit(n, out)?;
                }
            }
        },
        Seek::Label(l) => label_scan(l, out, &mut emit)?,
        Seek::IndexEq { label, key, value } => {
            let v = eval(value, row, &mut locals, ctx)?;
            if v.is_null() {
                return Ok(());
            }
            let found = match (label.resolve(catalog), key.resolve(catalog)) {
                (Some(l), Some(k)) => snap.index_lookup(l, k, &v),
                _ => Some(Vec::new()),
            };
            match found {
                Some(nodes) => {
                    for n in nodes {
                        if range.as_ref().is_none_or(|r| r.contains(&n.0)) {
                            emit(n, out)?;
                        }
                    }
                }
                None => label_scan(label, out, &mut emit)?,
            }
        }
        Seek::IndexRange {
            label,
            key,
            lower,
            upper,
        } => {
            let mut bound = |b: &Option<(CExpr, bool)>| -> Result<Option<Bound<Value>>> {
                Ok(match b {
                    None => Some(Bound::Unbounded),
                    Some((e, incl)) => match eval(e, row, &mut locals, ctx)? {
                        Value::Null => None,
                        v if *incl => Some(Bound::Included(v)),
                        v => Some(Bound::Excluded(v)),
                    },
                })
            };
            let (Some(lo), Some(hi)) = (bound(lower)?, bound(upper)?) else {
                return Ok(());
            };
            let found = match (label.resolve(catalog), key.resolve(catalog)) {
                (Some(l), Some(k)) => snap.index_range(l, k, lo.as_ref(), hi.as_ref()),
                _ => Some(Vec::new()),
            };
            match found {
                Some(nodes) => {
                    for n in nodes {
                        if range.as_ref().is_none_or(|r| r.contains(&n.0)) {
                            emit(n, out)?;
                        }
                    }
                }
                None => label_scan(label, out, &mut emit)?,
            }
        }
    }
    Ok(())
}

pub(crate) fn dirs(d: Dir) -> &'static [Direction] {
    match d {
        Dir::Out => &[Direction::Outgoing],
        Dir::In => &[Direction::Incoming],
        Dir::Both => &[Direction::Outgoing, Direction::Incoming],
    }
}

/// True if `rel` is not already used by a relationship slot of the same MATCH.
fn rel_unique(rel: RelId, row: &Row, unique_with: &[usize]) -> bool {
    unique_with.iter().all(|s| match &row[*s] {
        Value::Relationship(r) => *r != rel,
        Value::List(items) => !items
            .iter()
            .any(|v| matches!(v, Value::Relationship(r) if *r == rel)),
        _ => true,
    })
}

pub(crate) fn rel_props_match(
    e_props: &[(NameRef<relgraph_graph::PropKeyId>, CExpr)],
    rel: RelId,
    row: &Row,
    ctx: &Ctx<'_>,
) -> Result<bool> {
    if e_props.is_empty() {
        return Ok(true);
    }
    let mut locals = Vec::new();
    for (k, v) in e_props {
        let want = eval(v, row, &mut locals, ctx)?;
        let Some(k) = k.resolve(ctx.snapshot.catalog()) else {
            return Ok(false);
        };
        let Some(have) = ctx.snapshot.rel_property(rel, k) else {
            return Ok(false);
        };
        if value_ops::equals(have, &want) != Some(true) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The counting `ExpandInto` fused into an expansion, with its resolved ids.
struct Fused<'a> {
    expand: &'a Expand,
    types: &'a [RelTypeId],
    to_labels: &'a [LabelId],
}

fn expand(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    fused: Option<&Fused<'_>>,
    row: &Row,
    ctx: &Ctx<'_>,
    out: &mut Vec<Row>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let Value::Node(from) = row[e.from] else {
        return Ok(());
    };
    let target = if e.to_bound {
        match row[e.to] {
            Value::Node(n) => Some(n),
            _ => return Ok(()),
        }
    } else {
        None
    };
    let bound_rel = if e.rel_bound {
        match row[e.rel] {
            Value::Relationship(r) => Some(r),
            _ => return Ok(()),
        }
    } else {
        None
    };
    let mut count = 0i64;
    // Fused mode: each match is bound into this scratch row and counted
    // through the closing expansion instead of being emitted.
    let mut scratch = fused.map(|_| row.clone());
    let mut closed = Vec::new();
    for &t in types {
        for &d in dirs(e.dir) {
            let adj = snap.neighbors(from, t, d);
            let adj = match target {
                // Adjacency is sorted by node: binary-search the target's run.
                Some(to) => {
                    let lo = adj.partition_point(|a| a.node < to);
                    let hi = adj.partition_point(|a| a.node <= to);
                    &adj[lo..hi]
                }
                None => adj,
            };
            for a in adj {
                // An undirected self-loop is in both lists: take it once.
                if e.dir == Dir::Both && d == Direction::Incoming && a.node == from {
                    continue;
                }
                if bound_rel.is_some_and(|r| r != a.rel) {
                    continue;
                }
                if !rel_unique(a.rel, row, &e.unique_with) {
                    continue;
                }
                if target.is_none() && !has_labels(snap, a.node, to_labels) {
                    continue;
                }
                if !rel_props_match(&e.rel_props, a.rel, row, ctx)? {
                    continue;
                }
                if let (Some(f), Some(scratch)) = (fused, scratch.as_mut()) {
                    scratch[e.rel] = Value::Relationship(a.rel);
                    scratch[e.to] = Value::Node(a.node);
                    closed.clear();
                    expand(
                        f.expand,
                        f.types,
                        f.to_labels,
                        None,
                        scratch,
                        ctx,
                        &mut closed,
                    )?;
                    if let (Some(w), Some(r)) = (f.expand.count_into, closed.first()) {
                        if let Value::Int(n) = r[w] {
                            count += n;
                        }
                    }
                    continue;
                }
                if e.count_into.is_some() {
                    count += 1;
                    continue;
                }
                let mut r = row.clone();
                r[e.rel] = Value::Relationship(a.rel);
                r[e.to] = Value::Node(a.node);
                out.push(r);
                if out.len().is_multiple_of(CHECK_EVERY) {
                    ctx.guard.check_rows(out.len(), row.len())?;
                }
            }
        }
    }
    push_count(e, count, row, out);
    Ok(())
}

/// In counting mode: one row carrying the number of matches.
fn push_count(e: &Expand, count: i64, row: &Row, out: &mut Vec<Row>) {
    if let Some(w) = e.count_into {
        if count > 0 {
            let mut r = row.clone();
            r[w] = Value::Int(count);
            out.push(r);
        }
    }
}

fn var_expand(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    row: &Row,
    ctx: &Ctx<'_>,
    out: &mut Vec<Row>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let (min, max) = e
        .var_length
        .expect("var_expand is only called for variable-length expansions");
    let Value::Node(from) = row[e.from] else {
        return Ok(());
    };
    let target = if e.to_bound {
        match row[e.to] {
            Value::Node(n) => Some(n),
            _ => return Ok(()),
        }
    } else {
        None
    };
    let count = std::cell::Cell::new(0i64);
    let emit = |node: NodeId, rels: &[RelId], out: &mut Vec<Row>| -> Result<()> {
        if let Some(t) = target {
            if t != node {
                return Ok(());
            }
        } else if !has_labels(snap, node, to_labels) {
            return Ok(());
        }
        if e.count_into.is_some() {
            count.set(count.get() + 1);
            return Ok(());
        }
        let mut list: Vec<Value> = rels.iter().map(|r| Value::Relationship(*r)).collect();
        if e.reverse_list {
            list.reverse();
        }
        let mut r = row.clone();
        r[e.rel] = Value::List(list);
        r[e.to] = Value::Node(node);
        out.push(r);
        if out.len().is_multiple_of(CHECK_EVERY) {
            ctx.guard.check_rows(out.len(), row.len())?;
        }
        Ok(())
    };
    // Iterative DFS: a stack of (node, candidate steps, next candidate).
    let next_steps = |node: NodeId| -> Vec<(RelId, NodeId)> {
        let mut v = Vec::new();
        for &t in types {
            for &d in dirs(e.dir) {
                for a in snap.neighbors(node, t, d) {
                    if e.dir == Dir::Both && d == Direction::Incoming && a.node == node {
                        continue;
                    }
                    v.push((a.rel, a.node));
                }
            }
        }
        v
    };
    if e.distinct_endpoints {
        reach(
            e,
            types,
            from,
            min,
            max,
            row,
            ctx,
            &mut |n, out| emit(n, &[], out),
            out,
        )?;
        push_count(e, count.get(), row, out);
        return Ok(());
    }
    if min == 0 {
        emit(from, &[], out)?;
    }
    if max == 0 {
        push_count(e, count.get(), row, out);
        return Ok(());
    }
    let mut rels: Vec<RelId> = Vec::new();
    let mut stack: Vec<(Vec<(RelId, NodeId)>, usize)> = vec![(next_steps(from), 0)];
    let mut steps_taken = 0usize;
    while let Some((cands, pos)) = stack.last_mut() {
        if *pos >= cands.len() {
            stack.pop();
            rels.pop();
            continue;
        }
        let (rel, node) = cands[*pos];
        *pos += 1;
        steps_taken += 1;
        if steps_taken.is_multiple_of(CHECK_EVERY) {
            ctx.guard.check_rows(out.len(), row.len())?;
        }
        if rels.contains(&rel)
            || !rel_unique(rel, row, &e.unique_with)
            || !rel_props_match(&e.rel_props, rel, row, ctx)?
        {
            continue;
        }
        rels.push(rel);
        let depth = rels.len() as u32;
        if depth >= min {
            emit(node, &rels, out)?;
        }
        if depth < max {
            stack.push((next_steps(node), 0));
        } else {
            rels.pop();
        }
    }
    push_count(e, count.get(), row, out);
    Ok(())
}

/// Endpoints reachable from `from` within `min..=max` hops (directed,
/// `min <= 1`), each once, by BFS.
#[allow(clippy::too_many_arguments)]
fn reach(
    e: &Expand,
    types: &[RelTypeId],
    from: NodeId,
    min: u32,
    max: u32,
    row: &Row,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(NodeId, &mut Vec<Row>) -> Result<()>,
    out: &mut Vec<Row>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let d = dirs(e.dir)[0];
    let mut seen: HashMap<NodeId, u32> = HashMap::new();
    seen.insert(from, 0);
    let mut frontier = vec![from];
    let mut start_again = min == 0;
    let mut depth = 0;
    while !frontier.is_empty() && depth < max {
        ctx.guard.check_rows(out.len(), row.len())?;
        depth += 1;
        let mut next = Vec::new();
        for &u in &frontier {
            for &t in types {
                for a in snap.neighbors(u, t, d) {
                    if !rel_props_match(&e.rel_props, a.rel, row, ctx)? {
                        continue;
                    }
                    // Back at the start: a cycle through it is a trail of length `depth`.
                    if a.node == from {
                        start_again = true;
                    }
                    if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(a.node) {
                        v.insert(depth);
                        next.push(a.node);
                        emit(a.node, out)?;
                    }
                }
            }
        }
        frontier = next;
    }
    if start_again {
        emit(from, out)?;
    }
    Ok(())
}

/// Assembles a path from the slots of a named pattern part.
pub(crate) fn build_path(p: &BuildPath, row: &Row, snap: &Snapshot) -> Result<Value> {
    let Value::Node(start) = row[p.start] else {
        return Ok(Value::Null);
    };
    let mut nodes = vec![start];
    let mut rels = Vec::new();
    let mut cur = start;
    for step in &p.steps {
        match step {
            PathStep::Single(r, n) => {
                let (Value::Relationship(r), Value::Node(n)) = (&row[*r], &row[*n]) else {
                    return Ok(Value::Null);
                };
                rels.push(*r);
                nodes.push(*n);
                cur = *n;
            }
            PathStep::Var(list, n) => {
                let Value::List(items) = &row[*list] else {
                    return Ok(Value::Null);
                };
                for it in items {
                    let Value::Relationship(r) = it else {
                        return Ok(Value::Null);
                    };
                    let Some(rr) = snap.rel(*r) else {
                        return Ok(Value::Null);
                    };
                    let next = if rr.src == cur { rr.dst } else { rr.src };
                    rels.push(*r);
                    nodes.push(next);
                    cur = next;
                }
                let Value::Node(end) = row[*n] else {
                    return Ok(Value::Null);
                };
                if end != cur {
                    return Ok(Value::Null);
                }
            }
        }
    }
    Ok(Value::Path(Path { nodes, rels }))
}
