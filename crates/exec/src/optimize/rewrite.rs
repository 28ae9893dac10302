//! Rewrites of the physical operators the optimizer runs after a
//! pattern's order is chosen: variable-length expansions that only need
//! endpoints, counts pushed into expansions, closing expansions fused
//! into intersections, scans that start an independent pattern part
//! turned into hash joins, reads of the incoming row hoisted out of
//! products, and reads of a scanned or expanded node's properties moved
//! into the operator that finds it.

use std::collections::{HashMap, HashSet};

use relgraph_cypher::ast::BinaryOp;
use relgraph_graph::PropKeyId;

use crate::plan::compares::{scan_comparisons, target_comparisons};
use crate::plan::{CExpr, Expand, HashJoin, NameRef, Op};

/// At most this many property reads are hoisted before one join.
const HOIST_MAX: usize = 16;

/// Marks variable-length expansions whose paths nobody observes before a
/// DISTINCT, or before an aggregation whose every aggregate ignores how
/// often a row repeats (`count(DISTINCT x)`, `collect(DISTINCT x)`, `min`,
/// `max`; grouping alone): only the set of reachable endpoints matters
/// there, which a BFS finds without enumerating every trail. Restricted to
/// at most one minimum hop, where "reachable by a trail of length
/// min..=max" equals "BFS distance within min..=max" for every node but the
/// start (a shortest walk is a simple path, hence a trail); the BFS decides
/// the start separately (`reach` in the executor).
pub(crate) fn prune_var_length(ops: &mut [Op]) {
    for i in 0..ops.len() {
        let Op::Expand(e) = &ops[i] else { continue };
        let Some((min, _)) = e.var_length else {
            continue;
        };
        if min > 1 || !e.rel_var.starts_with("anon_") || !e.unique_with.is_empty() {
            continue;
        }
        let rel = e.rel;
        let mut ok = false;
        for later in &ops[i + 1..] {
            let mut reads = false;
            later.visit_slots(&mut |s| reads |= s == rel);
            if reads {
                break;
            }
            match later {
                Op::Distinct { .. } => {
                    ok = true;
                    break;
                }
                Op::Aggregate { aggs, .. } => {
                    ok = aggs
                        .iter()
                        .all(|a| a.distinct || matches!(&*a.name, "min" | "max"));
                    break;
                }
                _ => {}
            }
            if !later.is_streaming() {
                break;
            }
        }
        if ok {
            if let Op::Expand(e) = &mut ops[i] {
                e.distinct_endpoints = true;
            }
        }
    }
}

/// Rewrites `Expand` directly followed by an aggregation whose aggregates
/// are all plain counts of the expansion's rows into a counting expansion
/// plus `sum`: the adjacency is counted, never materialized as rows.
pub(crate) fn count_pushdown(ops: &mut Vec<Op>, alloc: &mut dyn FnMut() -> usize) {
    // Closing expansions first: a fused pair before a count counts its
    // pairs, with the filters between the two moved after the pair.
    fuse_closing_expansions(ops);
    for i in 0..ops.len().saturating_sub(1) {
        let input = i.checked_sub(1).and_then(|p| ops[p].estimate());
        let (head, tail) = ops.split_at_mut(i + 1);
        let (Op::Expand(e), Op::Aggregate { keys, aggs, .. }) = (&mut head[i], &mut tail[0]) else {
            continue;
        };
        if e.count_into.is_some() || aggs.is_empty() {
            continue;
        }
        // The slots the expansion binds (with a fused closing one's
        // relationship), never null in its rows.
        let (rel, to) = (e.rel, e.to);
        let closing = e.closing.as_ref().map(|c| c.rel);
        let binds = |s: usize| s == rel || s == to || Some(s) == closing;
        let mut keys_read = false;
        for (k, _) in keys.iter() {
            k.visit_slots(&mut |s| keys_read |= binds(s));
        }
        let plain_counts = aggs.iter().all(|a| {
            &*a.name == "count"
                && !a.distinct
                && match &a.arg {
                    None => true,
                    Some(CExpr::Slot(s)) => binds(*s),
                    Some(_) => false,
                }
        });
        if keys_read || !plain_counts {
            continue;
        }
        let w = alloc();
        e.count_into = Some(w);
        // One row per input row that has a match: at most the input.
        e.estimate = cap(e.estimate, input);
        for a in aggs.iter_mut() {
            a.name = std::sync::Arc::from("sum");
            a.arg = Some(CExpr::Slot(w));
        }
    }
}

/// Fuses `Expand` followed by an `ExpandInto` that joins the expansion's
/// target to a node bound before it (a triangle `(a)-(b)-(c)-(a)`, a
/// reply tagged like its post) into one expansion whose targets are the
/// intersection of the two nodes' adjacency lists: a friend's friends
/// are not each written as a row to be checked against my list. Filters
/// between the two (placed where the first bound what they read) move
/// after the fused expansion: they read nothing the second binds, and
/// they now see only the rows that close the cycle.
pub(crate) fn fuse_closing_expansions(ops: &mut Vec<Op>) {
    let mut i = 0;
    while i + 1 < ops.len() {
        let filters = ops[i + 1..]
            .iter()
            .take_while(|o| matches!(o, Op::Filter(..)))
            .count();
        let j = i + 1 + filters;
        let fusable = match (&ops[i], ops.get(j)) {
            (Op::Expand(e1), Some(Op::Expand(e2))) => {
                let plain = |e: &Expand| {
                    e.var_length.is_none()
                        && e.closing.is_none()
                        && e.count_into.is_none()
                        && !e.rel_bound
                        && e.rel_ids.is_none()
                };
                // The closing expansion's other end, bound before the first.
                let other = if e2.to == e1.to { e2.from } else { e2.to };
                plain(e1)
                    && plain(e2)
                    && !e1.to_bound
                    && e2.to_bound
                    && (e2.to == e1.to || e2.from == e1.to)
                    && other != e1.to
                    && other != e1.rel
            }
            _ => false,
        };
        if fusable {
            let Op::Expand(e2) = ops.remove(j) else {
                unreachable!("checked to be an Expand above");
            };
            let moved: Vec<Op> = ops.drain(i + 1..j).collect();
            // Rows after the pair before the filters, and the filters'
            // shares of the first expansion's rows, kept.
            let first = ops[i].estimate();
            let last = moved.last().and_then(Op::estimate).or(first);
            let fused = match (e2.estimate, first, last) {
                (Some(e), Some(f), Some(l)) if l > 0.0 => Some(e * f / l),
                (e, ..) => e,
            };
            if let Op::Expand(e1) = &mut ops[i] {
                e1.estimate = fused;
                e1.closing = Some(Box::new(e2));
            }
            let n = moved.len();
            let rescaled = moved.into_iter().map(|op| match op {
                Op::Filter(c, est) => {
                    let est = match (est, first, fused) {
                        (Some(e), Some(f), Some(x)) if f > 0.0 => Some(x * e / f),
                        (e, ..) => e,
                    };
                    Op::Filter(c, est)
                }
                other => other,
            });
            ops.splice(i + 1..i + 1, rescaled);
            i += n;
        }
        i += 1;
    }
}

/// An estimate capped at another, when both are known.
fn cap(estimate: Option<f64>, at_most: Option<f64>) -> Option<f64> {
    match (estimate, at_most) {
        (Some(e), Some(m)) => Some(e.min(m)),
        (e, _) => e,
    }
}

/// Turns scans that would run once per incoming row into hash joins: a
/// `NodeScan` that is not the pipeline's first operator and reads nothing
/// from the incoming row starts a pattern part of its own. The scan and the
/// expansions and filters that stay inside that part become the build
/// side; equality filters between the part and the incoming row become the
/// join keys. Only the top-level pipeline is rewritten (it runs once).
/// A filter that also reads variables of the incoming row that hold one
/// value for the run (`one_value`: `v` in `NOT (p)-[:CUSTOMER_OF]->(v)`)
/// joins the build side too, those variables becoming the join's params:
/// it then runs once per company instead of once per pair.
///
/// `tables` counts the statement's hash joins: each new join gets the next
/// number as its run-time table.
pub(crate) fn hash_joins(ops: &mut Vec<Op>, tables: &mut usize, one_value: &HashSet<usize>) {
    let mut i = 1;
    while i < ops.len() {
        let Op::NodeScan(scan) = &ops[i] else {
            i += 1;
            continue;
        };
        let mut reads = false;
        ops[i].visit_slots(&mut |_| reads = true);
        if reads {
            i += 1;
            continue;
        }
        let mut part: HashSet<usize> = HashSet::from([scan.slot]);
        let mut distinct_rels = Vec::new();
        let mut post: Vec<Op> = Vec::new();
        let mut params: Vec<usize> = Vec::new();
        // A filter of the build side reads the part (and perhaps params),
        // or nothing; an equality between the part and the row stays a
        // join key (one build serves every row, whatever the estimate).
        let in_build = |f: &CExpr, part: &HashSet<usize>| {
            let (mut only_part, mut with_params, mut reads_part) = (true, true, false);
            f.visit_slots(&mut |s| {
                let p = part.contains(&s);
                reads_part |= p;
                only_part &= p;
                with_params &= p || one_value.contains(&s);
            });
            // (A filter that reads nothing counts as the part's.)
            only_part || (with_params && reads_part && join_sides(f, part).is_none())
        };
        let mut end = i + 1;
        while end < ops.len() {
            match &ops[end] {
                Op::Expand(e) if expand_in_part(e, &part) => {
                    for u in &e.unique_with {
                        if !part.contains(u) {
                            distinct_rels.push((e.rel, *u));
                        }
                    }
                    part.extend([e.rel, e.to]);
                    part.extend(e.count_into);
                }
                Op::Filter(f, _) => {
                    if !in_build(f, &part) {
                        post.push(ops[end].clone());
                    }
                }
                _ => break,
            }
            end += 1;
        }
        let run: Vec<Op> = ops.drain(i..end).collect();
        let mut build = Vec::with_capacity(run.len());
        let (mut build_keys, mut probe_keys) = (Vec::new(), Vec::new());
        for op in run {
            let Op::Filter(f, _) = &op else {
                build.push(op);
                continue;
            };
            if in_build(f, &part) {
                f.visit_slots(&mut |s| {
                    if !part.contains(&s) && !params.contains(&s) {
                        params.push(s);
                    }
                });
                build.push(op);
                continue;
            }
            if let Some((build_side, probe_side)) = join_sides(f, &part) {
                build_keys.push(build_side.clone());
                probe_keys.push(probe_side.clone());
            }
        }
        let mut slots: Vec<usize> = part.into_iter().collect();
        slots.sort_unstable();
        let join = Op::HashJoin(Box::new(HashJoin {
            build,
            build_keys,
            probe_keys,
            slots,
            distinct_rels,
            table: *tables,
            probe_reads: Vec::new(),
            params,
        }));
        *tables += 1;
        let n_post = post.len();
        ops.splice(i..i, std::iter::once(join).chain(post));
        i += 1 + n_post;
    }
}

/// The (build, probe) sides of a filter `x = y` where one side reads only
/// the part's slots and the other only slots outside it: a join key.
fn join_sides<'e>(f: &'e CExpr, part: &HashSet<usize>) -> Option<(&'e CExpr, &'e CExpr)> {
    let CExpr::Binary(BinaryOp::Eq, a, b, _) = f else {
        return None;
    };
    let side = |e: &CExpr| {
        let (mut inn, mut out) = (false, false);
        e.visit_slots(&mut |s| {
            if part.contains(&s) {
                inn = true
            } else {
                out = true
            }
        });
        (inn, out)
    };
    match (side(a), side(b)) {
        ((true, false), (false, true)) => Some((a, b)),
        ((false, true), (true, false)) => Some((b, a)),
        _ => None,
    }
}

/// True if the expansion reads only slots of the part (and binds new ones).
fn expand_in_part(e: &Expand, part: &HashSet<usize>) -> bool {
    let mut inside =
        part.contains(&e.from) && (!e.to_bound || part.contains(&e.to)) && !e.rel_bound;
    e.rel_props
        .iter()
        .for_each(|(_, x)| x.visit_slots(&mut |s| inside &= part.contains(&s)));
    if let Some(inner) = &e.closing {
        let reach = |s: usize| part.contains(&s) || s == e.rel || s == e.to;
        inside &= reach(inner.from) && (!inner.to_bound || reach(inner.to));
        inner
            .rel_props
            .iter()
            .for_each(|(_, x)| x.visit_slots(&mut |s| inside &= reach(s)));
    }
    inside
}

/// Hoists property reads out of the products that multiply them: a
/// property of a node or relationship bound before a product (a hash join
/// without keys) that the filters and projections after it read is read
/// once per incoming row, before the row is joined
/// (`HashJoin::probe_reads`), and a property of one bound by the build
/// side once per build row, when the build is made (a projection at the
/// end of `HashJoin::build`, its slot one of the join's `slots`), not once
/// per joined row; those operators read the slot instead. A property read
/// of a node, a relationship or null cannot fail, so reading it for a row
/// that joins nothing changes no answer. Cookbook cb09 pairs ten
/// customers with 45,000 companies and compares each company's
/// `p.industry` and `p.size` with `b.industry` and `b.size`.
pub(crate) fn hoist_probe_reads(ops: &mut [Op], alloc: &mut dyn FnMut() -> usize) {
    let mut entities: HashSet<usize> = HashSet::new();
    for i in 0..ops.len() {
        let (head, tail) = ops.split_at_mut(i + 1);
        // A product joins every incoming row with every build row; a
        // keyed join may join most rows with none, where reading ahead
        // would only add work.
        if let Op::HashJoin(j) = &mut head[i] {
            if j.probe_keys.is_empty() {
                let end = tail
                    .iter()
                    .position(|o| !matches!(o, Op::Filter(..) | Op::Project { .. }))
                    .unwrap_or(tail.len());
                hoist_into(j, &mut tail[..end], &entities, alloc);
            }
        }
        track_entities(&head[i], &mut entities);
    }
}

/// Hoists the reads of `entities`' properties in `after` (filters and
/// projections) into `j`.
fn hoist_into(
    j: &mut HashJoin,
    after: &mut [Op],
    entities: &HashSet<usize>,
    alloc: &mut dyn FnMut() -> usize,
) {
    // A slot the operators after the join write holds another value
    // there.
    let mut written: HashSet<usize> = HashSet::new();
    for op in after.iter() {
        if let Op::Project { items, .. } = op {
            written.extend(items.iter().map(|(_, out)| *out));
        }
    }
    // The entities the build side binds and the join copies out.
    let mut built = HashSet::new();
    j.build.iter().for_each(|o| track_entities(o, &mut built));
    built.retain(|s| j.slots.contains(s));
    // (slot, key) -> the slot its value is read into, for the incoming
    // row's entities and for the build side's.
    let mut hoisted: Vec<(usize, NameRef<PropKeyId>, usize)> = Vec::new();
    let mut from_build: Vec<(usize, NameRef<PropKeyId>, usize)> = Vec::new();
    let mut replace = |e: &mut CExpr| {
        rewrite_reads(e, &mut |slot, key| {
            if written.contains(&slot) {
                return None;
            }
            let list = if built.contains(&slot) {
                &mut from_build
            } else if entities.contains(&slot) && !j.slots.contains(&slot) {
                &mut hoisted
            } else {
                return None;
            };
            if let Some(&(.., into)) = list
                .iter()
                .find(|(s, k, _)| *s == slot && k.name == key.name)
            {
                return Some(into);
            }
            (list.len() < HOIST_MAX).then(|| {
                let into = alloc();
                list.push((slot, key.clone(), into));
                into
            })
        })
    };
    for op in after.iter_mut() {
        match op {
            Op::Filter(e, _) => replace(e),
            Op::Project { items, .. } => items.iter_mut().for_each(|(e, _)| replace(e)),
            _ => {}
        }
    }
    let read = |(slot, key, into): (usize, NameRef<PropKeyId>, usize)| {
        let read = CExpr::Property(Box::new(CExpr::Slot(slot)), key, Default::default());
        (read, into)
    };
    j.probe_reads.extend(hoisted.into_iter().map(read));
    if !from_build.is_empty() {
        let names = from_build
            .iter()
            .map(|(_, k, _)| k.name.to_string())
            .collect();
        j.slots.extend(from_build.iter().map(|(.., into)| *into));
        j.build.push(Op::Project {
            items: from_build.into_iter().map(read).collect(),
            names,
        });
    }
}

/// Reads the properties of the node a single hop (or a scan) binds, that
/// the operators right after it read, where the expansion finds the node
/// (`Expand::target_reads`): the expansion's probe keeps the node's chunk
/// and its columns, where a read in an expression finds the chunk and the
/// column again for every row (cookbook cb07 reads `t.cost` and
/// `t.escalated` of 2.37 million tickets). The operators rewritten are
/// the first filter and an aggregation's arguments after the expansion,
/// past the comparisons the expansion checks itself
/// (`target_comparisons`) and any projections, up to the first other
/// operator, and in them only the reads every evaluation makes
/// ([`rewrite_sure_reads`]), so no property is read for a row that would
/// not have read it. Grouping keys are left alone (a key of one variable
/// is computed once per group). A property read of a node cannot fail,
/// and the probe answers as the snapshot does (role restrictions
/// included), so no answer changes.
pub(crate) fn hoist_target_reads(ops: &mut [Op], alloc: &mut dyn FnMut() -> usize) {
    for i in 0..ops.len() {
        let (head, tail) = ops.split_at_mut(i + 1);
        // The node's slot, and the comparisons its operator checks.
        let (slot, checked, fused) = match &head[i] {
            Op::Expand(e) if e.finds_new_node() => {
                let (checks, fused) = target_comparisons(e, tail);
                (e.to, checks.len(), fused)
            }
            // A scan reads its nodes the same way.
            Op::NodeScan(s) => {
                let checks = scan_comparisons(s, tail);
                (s.slot, checks.len(), checks.fused)
            }
            _ => continue,
        };
        let reads = reads_after(slot, checked, &mut tail[fused..], alloc);
        match &mut head[i] {
            Op::Expand(e) => e.target_reads = reads,
            Op::NodeScan(s) => s.reads = reads,
            _ => {}
        }
    }
}

/// The reads of node `to`'s properties that [`hoist_target_reads`]
/// moves from `after` (the operators after the scan or expansion that
/// binds it, past its fused comparisons) into the slots it returns, at
/// most as many as a probe keeps beside `checked` comparisons.
fn reads_after(
    to: usize,
    checked: usize,
    after: &mut [Op],
    alloc: &mut dyn FnMut() -> usize,
) -> Vec<(NameRef<PropKeyId>, usize)> {
    let room = relgraph_graph::NodeProbe::KEPT.saturating_sub(checked);
    let mut reads: Vec<(NameRef<PropKeyId>, usize)> = Vec::new();
    let mut replace = |x: &mut CExpr| {
        rewrite_sure_reads(x, &mut |slot, key| {
            if slot != to {
                return None;
            }
            if let Some((_, into)) = reads.iter().find(|(k, _)| k.name == key.name) {
                return Some(*into);
            }
            (reads.len() < room).then(|| {
                let into = alloc();
                reads.push((key.clone(), into));
                into
            })
        })
    };
    for op in after {
        match op {
            // A projection's items are left alone: one that only feeds
            // a top-k's later keys is computed for the rows that tie
            // (cookbook cb06 reads the names of ten customers, not of
            // 134,977). One that rebinds the node's slot ends the walk.
            Op::Project { items, .. } if items.iter().all(|(_, out)| *out != to) => {}
            Op::Filter(x, _) => {
                replace(x);
                break;
            }
            Op::Aggregate { aggs, .. } => {
                aggs.iter_mut()
                    .filter_map(|a| a.arg.as_mut())
                    .for_each(&mut replace);
                break;
            }
            _ => break,
        }
    }
    reads
}

/// [`rewrite_reads`] of the reads that every evaluation of `e` makes:
/// not those in the right operand of `AND` and `OR` (read only when the
/// left one does not decide), in a CASE's results or later conditions,
/// or inside lists, maps, comprehensions and sub-plans; nor a property
/// compared as it is (`t.kind = 'bug'`, `c.industry = t.industry`),
/// which the comparison reads in place.
fn rewrite_sure_reads(
    e: &mut CExpr,
    hoist: &mut dyn FnMut(usize, &NameRef<PropKeyId>) -> Option<usize>,
) {
    match e {
        CExpr::Property(base, key, _) => match **base {
            CExpr::Slot(slot) => {
                if let Some(s) = hoist(slot, key) {
                    *e = CExpr::Slot(s);
                }
            }
            _ => rewrite_sure_reads(base, hoist),
        },
        CExpr::Binary(BinaryOp::And | BinaryOp::Or, a, _, _) => rewrite_sure_reads(a, hoist),
        // A comparison reads a string operand where it lies (a segment's
        // text column in place); a slot would hold a new copy per row
        // (cookbook cb05's `c.industry = mine.industry`: 5.1 -> 5.6 ms).
        CExpr::Binary(
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge,
            a,
            b,
            _,
        ) => {
            for x in [a, b] {
                if !matches!(**x, CExpr::Property(..)) {
                    rewrite_sure_reads(x, hoist);
                }
            }
        }
        CExpr::Binary(_, a, b, _) | CExpr::Index(a, b, _) => {
            rewrite_sure_reads(a, hoist);
            rewrite_sure_reads(b, hoist);
        }
        CExpr::Unary(_, a, _) | CExpr::IsNull(a, _) | CExpr::HasLabels(a, ..) => {
            rewrite_sure_reads(a, hoist)
        }
        // A function's arguments are all evaluated before it is called.
        CExpr::Call(_, args, _) => args.iter_mut().for_each(|a| rewrite_sure_reads(a, hoist)),
        CExpr::Case {
            subject: Some(s), ..
        } => rewrite_sure_reads(s, hoist),
        CExpr::Case {
            subject: None,
            branches,
            ..
        } => {
            if let Some((when, _)) = branches.first_mut() {
                rewrite_sure_reads(when, hoist);
            }
        }
        _ => {}
    }
}

/// Replaces each `slot.key` in `e` (outside its sub-plans) for which
/// `hoist` gives a slot with a read of that slot.
fn rewrite_reads(
    e: &mut CExpr,
    hoist: &mut dyn FnMut(usize, &NameRef<PropKeyId>) -> Option<usize>,
) {
    if let CExpr::Property(base, key, _) = e {
        if let CExpr::Slot(slot) = **base {
            if let Some(s) = hoist(slot, key) {
                *e = CExpr::Slot(s);
            }
            return;
        }
    }
    e.for_each_child_mut(&mut |c| rewrite_reads(c, hoist));
}

/// Updates the slots known to hold a node, a relationship or null after
/// `op` runs.
fn track_entities(op: &Op, entities: &mut HashSet<usize>) {
    match op {
        Op::NodeScan(s) => {
            entities.insert(s.slot);
        }
        Op::Expand(e) => {
            for x in std::iter::once(e).chain(e.closing.as_deref()) {
                entities.insert(x.to);
                // A variable-length expansion binds a list of relationships.
                if x.var_length.is_none() {
                    entities.insert(x.rel);
                } else {
                    entities.remove(&x.rel);
                }
                if let Some(c) = x.count_into {
                    entities.remove(&c);
                }
            }
        }
        Op::Project { items, .. } => crate::plan::project_slot_set(
            items,
            entities,
            |e, set| matches!(e, CExpr::Slot(s) if set.contains(s)),
        ),
        Op::HashJoin(j) => {
            let mut build = HashSet::new();
            j.build.iter().for_each(|o| track_entities(o, &mut build));
            for s in &j.slots {
                if build.contains(s) {
                    entities.insert(*s);
                } else {
                    entities.remove(s);
                }
            }
            for (_, s) in &j.probe_reads {
                entities.remove(s);
            }
        }
        // What an optional match binds is an entity or null.
        Op::Optional { ops, .. } => ops.iter().for_each(|o| track_entities(o, entities)),
        // Anything else that binds slots is not tracked: they stop
        // counting as entities (a hoist is only ever skipped).
        other => {
            let mut bound = Vec::new();
            bound_slots(other, &mut bound);
            for s in bound {
                entities.remove(&s);
            }
        }
    }
}

/// The slots an operator other than those [`track_entities`] follows
/// writes.
fn bound_slots(op: &Op, out: &mut Vec<usize>) {
    match op {
        Op::Unwind { slot, .. } => out.push(*slot),
        Op::Aggregate { keys, aggs, .. } => {
            out.extend(keys.iter().map(|(_, s)| *s));
            out.extend(aggs.iter().map(|a| a.slot));
        }
        Op::Procedure(c) => out.extend(c.yields.iter().map(|(_, s)| *s)),
        Op::ShortestPath(p) => {
            out.push(p.path_slot);
            out.extend(p.rel_slot);
        }
        Op::BuildPath(b) => out.push(b.slot),
        _ => {}
    }
}

/// Folds a projection right before an aggregation into the aggregates'
/// arguments when the aggregates are all that read what it computes:
/// `WITH p, b, CASE WHEN p.industry = b.industry THEN 1 ELSE 0 END AS
/// same WITH p, sum(same)` aggregates `sum(CASE WHEN ... END)` directly,
/// so no value is built and stored in the row per row only to be read
/// back (the aggregate reads its argument where it lies,
/// `eval::with_ref`). Only when every computed slot is the whole argument
/// of exactly one aggregate and read nowhere else (no grouping key, no
/// other argument, no other item): each expression is then evaluated
/// once per row, in the same rows, as before, and none is dropped.
pub(crate) fn fold_projections_into_aggregates(ops: &mut Vec<Op>) {
    let mut i = 0;
    while i + 1 < ops.len() {
        if fold_projection(&mut ops[i..=i + 1]) {
            ops.remove(i);
        } else {
            i += 1;
        }
    }
}

/// [`fold_projections_into_aggregates`] of `pair` (a projection and the
/// operator after it); true when the projection's items moved into the
/// aggregation and the projection can go.
fn fold_projection(pair: &mut [Op]) -> bool {
    let (head, tail) = pair.split_at_mut(1);
    let (Op::Project { items, .. }, Op::Aggregate { keys, aggs, .. }) = (&head[0], &mut tail[0])
    else {
        return false;
    };
    let written: HashSet<usize> = items.iter().map(|(_, s)| *s).collect();
    if written.len() != items.len() {
        return false;
    }
    // Reads of the written slots anywhere: items, keys, arguments (inside
    // sub-plans too), and which aggregate's whole argument each is.
    let mut reads = 0usize;
    let mut count = |e: &CExpr| e.visit_slots(&mut |s| reads += usize::from(written.contains(&s)));
    for (e, _) in items.iter() {
        count(e);
    }
    for (k, _) in keys.iter() {
        count(k);
    }
    for a in aggs.iter() {
        if let Some(arg) = &a.arg {
            count(arg);
        }
    }
    let mut whole: HashMap<usize, usize> = HashMap::new();
    for (i, a) in aggs.iter().enumerate() {
        if let Some(CExpr::Slot(s)) = &a.arg {
            if written.contains(s) {
                whole.insert(*s, i);
            }
        }
    }
    let outputs_apart = keys.iter().all(|(_, s)| !written.contains(s))
        && aggs.iter().all(|a| !written.contains(&a.slot));
    if reads != written.len() || whole.len() != written.len() || !outputs_apart {
        return false;
    }
    for (e, s) in items.iter() {
        if let Some(&i) = whole.get(s) {
            aggs[i].arg = Some(e.clone());
        }
    }
    true
}
