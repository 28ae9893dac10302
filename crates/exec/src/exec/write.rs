//! Writing operators. Each builds a list of [`Change`]s for all its input
//! rows, then applies them to the statement's working snapshot, so later
//! clauses see earlier clauses' writes. MERGE applies row by row, because
//! each row's match must see what the previous rows created.

use std::collections::HashSet;
use std::sync::Arc;

use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::{
    Catalog, Change, ChangeSet, Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId, Value,
};

use super::stream::build_path;
use super::{run_sub_all, State};
use crate::error::{ErrorKind, ExecError, Result};
use crate::eval::{all_properties, approx_bytes, eval, Ctx};
use crate::plan::{put_node, put_rel, CExpr, CreatePattern, MergeOp, Op, PropsSpec, Row, SetOp};
use relgraph_cypher::ast::Span;

/// Names interned by this operator on top of the working catalog.
struct Names<'a> {
    base: &'a Catalog,
    pending: Option<Catalog>,
}

impl Names<'_> {
    fn cat(&self) -> &Catalog {
        self.pending.as_ref().unwrap_or(self.base)
    }
    fn pending_mut(&mut self) -> &mut Catalog {
        let base = self.base;
        self.pending.get_or_insert_with(|| base.clone())
    }
    fn label(&mut self, name: &str) -> LabelId {
        match self.cat().label_id(name) {
            Some(id) => id,
            None => self.pending_mut().intern_label(name),
        }
    }
    fn rel_type(&mut self, name: &str) -> RelTypeId {
        match self.cat().rel_type_id(name) {
            Some(id) => id,
            None => self.pending_mut().intern_rel_type(name),
        }
    }
    fn key(&mut self, name: &str) -> PropKeyId {
        match self.cat().prop_key_id(name) {
            Some(id) => id,
            None => self.pending_mut().intern_prop_key(name),
        }
    }
}

/// Counts a change into the statement's side-effect counters.
fn count(st: &mut crate::result::QueryStats, c: &Change) {
    match c {
        Change::CreateNode { labels, props, .. } => {
            st.nodes_created += 1;
            st.labels_added += labels.len() as u64;
            st.properties_set += props.len() as u64;
        }
        Change::CreateRel { props, .. } => {
            st.relationships_created += 1;
            st.properties_set += props.len() as u64;
        }
        Change::DeleteNode { .. } => st.nodes_deleted += 1,
        Change::DeleteRel { .. } => st.relationships_deleted += 1,
        Change::SetNodeProp { .. } | Change::SetRelProp { .. } => st.properties_set += 1,
        Change::AddLabel { .. } => st.labels_added += 1,
        Change::RemoveLabel { .. } => st.labels_removed += 1,
    }
}

/// About how many bytes one change takes, in the change set and in the
/// snapshot it is applied to.
fn change_bytes(c: &Change) -> u64 {
    const BASE: u64 = 96;
    let props = |p: &[(PropKeyId, Value)]| p.iter().map(|(_, v)| 8 + approx_bytes(v)).sum::<u64>();
    match c {
        Change::CreateNode {
            labels, props: p, ..
        } => BASE + 4 * labels.len() as u64 + props(p),
        Change::CreateRel { props: p, .. } => BASE + props(p),
        Change::SetNodeProp { value, .. } | Change::SetRelProp { value, .. } => {
            BASE + approx_bytes(value)
        }
        _ => BASE,
    }
}

/// Applies changes (and newly interned names) to the working snapshot and
/// records them in the statement's change set. What they take is charged to
/// the memory budget first: a statement that writes more than it allows
/// stops with the budget error and writes nothing.
fn flush(st: &mut State<'_>, pending: Option<Catalog>, changes: Vec<Change>) -> Result<()> {
    let cs = ChangeSet {
        catalog: pending.map(CatalogSnapshot),
        changes,
    };
    if cs.is_empty() {
        return Ok(());
    }
    st.guard.check()?;
    st.guard
        .charge(cs.changes.iter().map(change_bytes).sum::<u64>())?;
    crate::access::check_writes(&st.snapshot, &cs)?;
    for c in &cs.changes {
        count(&mut st.stats, c);
    }
    if let Some(txn) = st.txn.as_mut() {
        txn.apply(cs)?;
        st.snapshot = match st.snapshot.access_rules() {
            None => txn.snapshot().clone(),
            Some(rules) => txn.snapshot().restrict(rules.clone()),
        };
        return Ok(());
    }
    st.snapshot = st.snapshot.apply(&cs)?;
    if cs.catalog.is_some() {
        st.changes.catalog = cs.catalog;
    }
    st.changes.changes.extend(cs.changes);
    Ok(())
}

fn check_storable(key: &str, v: &Value) -> Result<()> {
    if v.is_storable() {
        Ok(())
    } else {
        Err(ExecError::type_error(
            "InvalidPropertyType",
            format!(
                "property `{key}` cannot store a value of type {}",
                v.type_name()
            ),
        ))
    }
}

/// Evaluates a property specification to (key, value) pairs without nulls.
fn eval_props(
    spec: &PropsSpec,
    literal_keys: &[PropKeyId],
    row: &Row,
    ctx: &Ctx<'_>,
    names: &mut Names<'_>,
) -> Result<Vec<(PropKeyId, Value)>> {
    let mut locals = Vec::new();
    let mut out = Vec::new();
    match spec {
        PropsSpec::None => {}
        PropsSpec::Literal(items) => {
            for ((name, e, span), k) in items.iter().zip(literal_keys) {
                let v = eval(e, row, &mut locals, ctx)?;
                if v.is_null() {
                    continue;
                }
                check_storable(name, &v).map_err(|e| e.at(*span))?;
                out.push((*k, v));
            }
        }
        PropsSpec::Expr(e, span) => {
            let v = eval(e, row, &mut locals, ctx)?;
            let entries = property_entries(v, ctx).map_err(|e| e.at(*span))?;
            for (name, v) in entries {
                if v.is_null() {
                    continue;
                }
                check_storable(&name, &v).map_err(|e| e.at(*span))?;
                out.push((names.key(&name), v));
            }
        }
    }
    out.sort_by_key(|(k, _)| *k);
    out.dedup_by_key(|(k, _)| *k);
    Ok(out)
}

fn literal_keys(spec: &PropsSpec, names: &mut Names<'_>) -> Vec<PropKeyId> {
    match spec {
        PropsSpec::Literal(items) => items.iter().map(|(k, _, _)| names.key(k)).collect(),
        _ => Vec::new(),
    }
}

/// Interned names of a CREATE pattern, resolved once per operator.
struct CreateNames {
    node_labels: Vec<Vec<LabelId>>,
    node_keys: Vec<Vec<PropKeyId>>,
    rel_types: Vec<RelTypeId>,
    rel_keys: Vec<Vec<PropKeyId>>,
}

fn create_names(cp: &CreatePattern, names: &mut Names<'_>) -> CreateNames {
    CreateNames {
        node_labels: cp
            .nodes
            .iter()
            .map(|n| {
                let mut ls: Vec<LabelId> = n.labels.iter().map(|l| names.label(l)).collect();
                ls.sort();
                ls.dedup();
                ls
            })
            .collect(),
        node_keys: cp
            .nodes
            .iter()
            .map(|n| literal_keys(&n.props, names))
            .collect(),
        rel_types: cp
            .rels
            .iter()
            .map(|r| names.rel_type(&r.rel_type))
            .collect(),
        rel_keys: cp
            .rels
            .iter()
            .map(|r| literal_keys(&r.props, names))
            .collect(),
    }
}

/// Ids handed out to created entities.
struct Ids {
    node: u64,
    rel: u64,
}

#[allow(clippy::too_many_arguments)]
fn create_row(
    cp: &CreatePattern,
    cn: &CreateNames,
    row: &mut Row,
    ids: &mut Ids,
    ctx: &Ctx<'_>,
    names: &mut Names<'_>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    for (i, n) in cp.nodes.iter().enumerate() {
        if n.bound {
            match &row[n.slot] {
                Value::Node(_) => {}
                Value::Null => {
                    return Err(ExecError::semantic(
                        "InvalidArgumentType",
                        format!(
                            "cannot create a relationship with node `{}` because it is null",
                            n.var
                        ),
                        None,
                    ))
                }
                other => {
                    return Err(ExecError::type_error(
                        "InvalidArgumentType",
                        format!("`{}` must be a node, got {}", n.var, other.type_name()),
                    ))
                }
            }
            continue;
        }
        let props = eval_props(&n.props, &cn.node_keys[i], row, ctx, names)?;
        let id = NodeId(ids.node);
        ids.node += 1;
        changes.push(Change::CreateNode {
            id,
            labels: cn.node_labels[i].clone(),
            props,
        });
        put_node(&mut row[n.slot], id);
    }
    for (i, r) in cp.rels.iter().enumerate() {
        let (Value::Node(src), Value::Node(dst)) = (&row[r.src], &row[r.dst]) else {
            return Err(ExecError::semantic(
                "InvalidArgumentType",
                format!(
                    "cannot create relationship `{}`: an endpoint is not a node",
                    r.var
                ),
                None,
            ));
        };
        let (src, dst) = (*src, *dst);
        let props = eval_props(&r.props, &cn.rel_keys[i], row, ctx, names)?;
        let id = RelId(ids.rel);
        ids.rel += 1;
        changes.push(Change::CreateRel {
            id,
            rel_type: cn.rel_types[i],
            src,
            dst,
            props,
        });
        put_rel(&mut row[r.slot], id);
    }
    for p in &cp.paths {
        let v = build_path(p, row, ctx.snapshot)?;
        row[p.slot] = v;
    }
    Ok(())
}

/// Changes for SET / REMOVE items on one row.
fn set_row(
    items: &[SetOp],
    row: &Row,
    ctx: &Ctx<'_>,
    names: &mut Names<'_>,
    seen_labels: &mut HashSet<(NodeId, LabelId, bool)>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let snap = ctx.snapshot;
    let mut locals = Vec::new();
    for it in items {
        match it {
            SetOp::Property {
                target,
                key,
                value,
                span,
            } => {
                let t = eval(target, row, &mut locals, ctx)?;
                let v = eval(value, row, &mut locals, ctx)?;
                set_prop(&t, key, v, ctx, names, changes).map_err(|e| e.at(*span))?;
            }
            SetOp::Properties {
                target,
                value,
                merge,
                span,
            } => {
                let t = eval(target, row, &mut locals, ctx)?;
                if t.is_null() {
                    continue;
                }
                let v = eval(value, row, &mut locals, ctx)?;
                set_props(&t, v, *merge, ctx, names, changes).map_err(|e| e.at(*span))?;
            }
            SetOp::AddLabels {
                target,
                labels,
                span,
            } => match eval(target, row, &mut locals, ctx)? {
                Value::Null => {}
                Value::Node(n) => {
                    for l in labels {
                        let id = names.label(l);
                        if !snap.has_label(n, id) && seen_labels.insert((n, id, true)) {
                            changes.push(Change::AddLabel { id: n, label: id });
                        }
                    }
                }
                other => {
                    return Err(ExecError::type_error(
                        "InvalidArgumentType",
                        format!("labels can only be set on nodes, not {}", other.type_name()),
                    )
                    .at(*span))
                }
            },
            SetOp::RemoveLabels {
                target,
                labels,
                span,
            } => match eval(target, row, &mut locals, ctx)? {
                Value::Null => {}
                Value::Node(n) => {
                    for l in labels {
                        if let Some(id) = names.cat().label_id(l) {
                            if snap.has_label(n, id) && seen_labels.insert((n, id, false)) {
                                changes.push(Change::RemoveLabel { id: n, label: id });
                            }
                        }
                    }
                }
                other => {
                    return Err(ExecError::type_error(
                        "InvalidArgumentType",
                        format!(
                            "labels can only be removed from nodes, not {}",
                            other.type_name()
                        ),
                    )
                    .at(*span))
                }
            },
        }
    }
    Ok(())
}

/// The properties a map, node or relationship value gives (`CREATE (n $map)`,
/// `SET n = m`, `SET n += m`); null gives none.
fn property_entries(v: Value, ctx: &Ctx<'_>) -> Result<Vec<(Arc<str>, Value)>> {
    Ok(match v {
        Value::Map(m) => m.into_iter().collect(),
        Value::Null => Vec::new(),
        v @ (Value::Node(_) | Value::Relationship(_)) => all_properties(&v, ctx)?,
        other => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("expected a map of properties, got {}", other.type_name()),
            ))
        }
    })
}

/// `t = v` (replace every property) or `t += v` (merge).
fn set_props(
    t: &Value,
    v: Value,
    merge: bool,
    ctx: &Ctx<'_>,
    names: &mut Names<'_>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let entries = property_entries(v, ctx)?;
    if !merge {
        for (k, _) in all_properties(t, ctx)? {
            if !entries.iter().any(|(n, _)| *n == k) {
                set_prop(t, &k, Value::Null, ctx, names, changes)?;
            }
        }
    }
    for (k, v) in entries {
        set_prop(t, &k, v, ctx, names, changes)?;
    }
    Ok(())
}

fn set_prop(
    target: &Value,
    key: &str,
    v: Value,
    ctx: &Ctx<'_>,
    names: &mut Names<'_>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let snap = ctx.snapshot;
    if !v.is_null() {
        check_storable(key, &v)?;
    }
    // The node (or else the relationship) whose property is set.
    let node = match target {
        Value::Null => return Ok(()),
        Value::Node(n) => Ok(*n),
        Value::Relationship(r) => Err(*r),
        other => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!(
                    "properties can only be set on nodes and relationships, not {}",
                    other.type_name()
                ),
            ))
        }
    };
    let k = if v.is_null() {
        // Removing a property the entity does not have changes nothing.
        let Some(k) = names.cat().prop_key_id(key) else {
            return Ok(());
        };
        let has = match node {
            Ok(n) => snap.node_property(n, k).as_deref().is_some(),
            Err(r) => snap.rel_property(r, k).as_deref().is_some(),
        };
        if !has {
            return Ok(());
        }
        k
    } else {
        names.key(key)
    };
    changes.push(match node {
        Ok(id) => Change::SetNodeProp {
            id,
            key: k,
            value: v,
        },
        Err(id) => Change::SetRelProp {
            id,
            key: k,
            value: v,
        },
    });
    Ok(())
}

/// Runs a writing operator over all its input rows.
pub(crate) fn run_write(op: &Op, mut rows: Vec<Row>, st: &mut State<'_>) -> Result<Vec<Row>> {
    match op {
        Op::Create(cp) => {
            create_rows(cp, &mut rows, st)?;
            Ok(rows)
        }
        Op::Set(items) => {
            set_rows(items, &rows, st)?;
            Ok(rows)
        }
        Op::Delete { exprs, detach } => {
            let changes = delete_changes(exprs, *detach, &rows, &st.ctx())?;
            flush(st, None, changes)?;
            Ok(rows)
        }
        Op::Merge(m) => run_merge(m, rows, st),
        other => Err(ErrorKind::Unsupported {
            feature: format!("write operator {other:?}"),
            span: None,
        }
        .into()),
    }
}

/// Creates the pattern `cp` for each of `rows`, binding the new entities
/// in them; one change set.
fn create_rows(cp: &CreatePattern, rows: &mut [Row], st: &mut State<'_>) -> Result<()> {
    let (pending, changes) = {
        let ctx = st.ctx();
        let mut names = Names {
            base: ctx.snapshot.catalog(),
            pending: None,
        };
        let cn = create_names(cp, &mut names);
        let mut ids = Ids {
            node: ctx.snapshot.next_node_id().0,
            rel: ctx.snapshot.next_rel_id().0,
        };
        let mut changes = Vec::with_capacity(rows.len() * (cp.nodes.len() + cp.rels.len()));
        // Bytes of the changes built so far, checked against the
        // budget as they grow (flush charges them).
        let (mut built, mut counted) = (0u64, 0usize);
        for (i, row) in rows.iter_mut().enumerate() {
            if i % 4096 == 0 {
                built += changes[counted..].iter().map(change_bytes).sum::<u64>();
                counted = changes.len();
                ctx.guard.check_alloc(built)?;
            }
            create_row(cp, &cn, row, &mut ids, &ctx, &mut names, &mut changes)?;
        }
        (names.pending, changes)
    };
    flush(st, pending, changes)
}

/// Applies the SET items `items` to each of `rows`; one change set.
fn set_rows<'r>(
    items: &[SetOp],
    rows: impl IntoIterator<Item = &'r Row>,
    st: &mut State<'_>,
) -> Result<()> {
    let (pending, changes) = {
        let ctx = st.ctx();
        let mut names = Names {
            base: ctx.snapshot.catalog(),
            pending: None,
        };
        let mut seen = HashSet::new();
        let mut changes = Vec::new();
        for row in rows {
            set_row(items, row, &ctx, &mut names, &mut seen, &mut changes)?;
        }
        (names.pending, changes)
    };
    flush(st, pending, changes)
}

/// The deletes of `[DETACH] DELETE exprs` over `rows`: every relationship
/// first (with DETACH, each deleted node's too), then the nodes, each once.
fn delete_changes(
    exprs: &[(CExpr, Span)],
    detach: bool,
    rows: &[Row],
    ctx: &Ctx<'_>,
) -> Result<Vec<Change>> {
    let snap = ctx.snapshot;
    let mut rels: Vec<RelId> = Vec::new();
    let mut rel_seen = HashSet::new();
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut node_seen = HashSet::new();
    let mut locals = Vec::new();
    let n_types = snap.catalog().rel_types().len() as u32;
    let mut add_node = |n: NodeId, rels: &mut Vec<RelId>, rel_seen: &mut HashSet<RelId>| {
        if !snap.node_exists(n) || !node_seen.insert(n) {
            return;
        }
        nodes.push(n);
        if detach {
            for t in 0..n_types {
                for d in [Direction::Outgoing, Direction::Incoming] {
                    for a in snap.adjacency(n, RelTypeId(t), d).iter() {
                        if rel_seen.insert(a.rel) {
                            rels.push(a.rel);
                        }
                    }
                }
            }
        }
    };
    for row in rows {
        for (e, span) in exprs {
            match eval(e, row, &mut locals, ctx)? {
                Value::Null => {}
                Value::Node(n) => add_node(n, &mut rels, &mut rel_seen),
                Value::Relationship(r) => {
                    if snap.rel(r).is_some() && rel_seen.insert(r) {
                        rels.push(r);
                    }
                }
                Value::Path(p) => {
                    for r in p.rels {
                        if snap.rel(r).is_some() && rel_seen.insert(r) {
                            rels.push(r);
                        }
                    }
                    for n in p.nodes {
                        add_node(n, &mut rels, &mut rel_seen);
                    }
                }
                other => {
                    return Err(ExecError::type_error(
                        "InvalidArgumentType",
                        format!(
                            "DELETE needs a node, relationship or path, got {}",
                            other.type_name()
                        ),
                    )
                    .at(*span))
                }
            }
        }
    }
    let mut changes: Vec<Change> = rels
        .into_iter()
        .map(|id| Change::DeleteRel { id })
        .collect();
    changes.extend(nodes.into_iter().map(|id| Change::DeleteNode { id }));
    Ok(changes)
}

/// MERGE, row by row: the rows the pattern matches (with ON MATCH SET
/// applied to them), or the pattern created (with ON CREATE SET).
fn run_merge(m: &MergeOp, rows: Vec<Row>, st: &mut State<'_>) -> Result<Vec<Row>> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let found = {
            let ctx = st.ctx();
            run_sub_all(&m.matcher.ops, &row, &ctx)?
        };
        if !found.is_empty() {
            set_rows(&m.on_match, &found, st)?;
            out.extend(found);
            continue;
        }
        let mut r = row;
        for s in &m.new_slots {
            r[*s] = Value::Null;
        }
        create_rows(&m.create, std::slice::from_mut(&mut r), st)?;
        if !m.on_create.is_empty() {
            set_rows(&m.on_create, std::iter::once(&r), st)?;
        }
        out.push(r);
    }
    Ok(out)
}
