//! Streaming operators: scans, expansions, filters, projections, run
//! depth first over one scratch row. Each operator binds its slots in place
//! and pushes the row on to the rest of the segment, so a row is copied only
//! when it reaches the segment's [`Sink`] (and not at all when the sink
//! aggregates it). Any worker thread may run a segment.

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::{Bound, Range};
use std::sync::OnceLock;

use relgraph_cypher::ast::BinaryOp;
use relgraph_graph::{
    Adj, AdjSlice, Direction, LabelId, NodeId, NodeProbe, Path, PropKeyId, PropStr, RelId, RelRef,
    RelTypeId, Snapshot, StrEq, Value,
};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::batch::{MatchSink, Matches, BATCH};
use crate::eval::{eval, eval_ref, tick, Ctx};
use crate::tables::{JoinTable, KeptMatches, OptionalRows, RelListIndex};

use crate::error::{ErrorKind, ExecError, Result};
use crate::options::EXEC_STACK_BUDGET;
use crate::plan::compares::{
    scan_comparisons, target_comparisons, NodeCompare, NodeCompares, RowCompare, ScanChecks,
};
use crate::plan::{
    put_node, put_rel, put_value, BuildPath, CExpr, Dir, Expand, HashJoin, NameRef, NodeScan, Op,
    OptionalMemo, PathStep, RelIdList, Row, Seek,
};
use crate::value_ops::{self, GroupKey};

/// Operator levels between two checks of the stack in [`push`].
const STACK_CHECK_EVERY: usize = 4;

thread_local! {
    /// Stack position where the outermost running task of this thread
    /// started (0: none running).
    static STACK_BASE: Cell<usize> = const { Cell::new(0) };
}

/// An address on the current stack.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

/// Runs `f` (a task, or a sub-plan run outside one) with the stack
/// measured from here, unless an enclosing task on this thread already
/// measures it.
pub(crate) fn with_stack_base<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let outer = STACK_BASE.with(|b| b.get());
    if outer != 0 {
        return f();
    }
    STACK_BASE.with(|b| b.set(stack_position()));
    let out = f();
    STACK_BASE.with(|b| b.set(0));
    out
}

/// Fails once the running task has used [`EXEC_STACK_BUDGET`] of stack.
#[cold]
#[inline(never)]
fn check_stack() -> Result<()> {
    let base = STACK_BASE.with(|b| b.get());
    if base != 0 && stack_position().abs_diff(base) > EXEC_STACK_BUDGET {
        return Err(ExecError::limit(format!(
            "query too deep to execute: its pipeline of operators needs more than the \
             executor's stack budget of {} KiB (EXEC_STACK_BUDGET); use fewer pattern \
             steps or clauses",
            EXEC_STACK_BUDGET / 1024
        )));
    }
    Ok(())
}

/// Where the rows of a segment go.
pub(crate) trait Sink {
    /// Takes one output row (copy it to keep it). Returns false when no
    /// more rows are wanted.
    fn push(&mut self, row: &mut Row) -> Result<bool>;

    /// The rows that follow are batch `i` of the segment's rows (sinks
    /// that keep rows in first-seen order use it; see `split.rs`).
    fn begin_batch(&mut self, _i: usize) {}

    /// The sink as one that takes the matches of hop `e`, the last
    /// operator of its segment, a batch at a time, where it can
    /// (`batch.rs`); its batch emptied for `e`.
    fn match_sink(&mut self, _e: &Expand) -> Option<&mut dyn MatchSink> {
        None
    }

    /// Takes the rows of product `j`, the last operator of its segment,
    /// with build rows `range` of `table`, build-major (each build row
    /// joined with every one of `rows` in turn), a batch of build rows at
    /// a time where it can (`Groups::take_product`); `None`, with nothing
    /// taken, where it takes them row by row.
    fn take_product(
        &mut self,
        _j: &HashJoin,
        _table: &JoinTable,
        _range: std::ops::Range<usize>,
        _rows: &mut [Row],
    ) -> Option<Result<bool>> {
        None
    }
}

/// What operators call for each row they produce: false stops the producer.
type Emit<'e> = dyn FnMut(&mut Row) -> Result<bool> + 'e;

/// Relationship types resolved for one operator call.
pub(crate) type Types = SmallVec<[RelTypeId; 4]>;
type Labels = SmallVec<[LabelId; 4]>;

/// Feeds the rows of `rest` into `sink`, remembering that one arrived
/// (the matches of an OPTIONAL MATCH).
struct Found<'a, 'c> {
    rest: &'a [Op],
    ctx: &'a Ctx<'c>,
    sink: &'a mut dyn Sink,
    found: bool,
}

impl Sink for Found<'_, '_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        self.found = true;
        push(self.rest, row, self.ctx, self.sink)
    }
}

/// Pushes `row` through the streaming operators `ops` into `sink`.
/// Operators overwrite the slots they bind (and restore the ones they
/// reassign), so `row` is scratch space. Returns false when the sink wants
/// no more rows.
pub(crate) fn push(ops: &[Op], row: &mut Row, ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<bool> {
    let Some((op, rest)) = ops.split_first() else {
        return sink.push(row);
    };
    if rest.len() % STACK_CHECK_EVERY == 0 {
        check_stack()?;
    }
    match op {
        Op::NodeScan(s) => {
            let checks = scan_comparisons(s, rest);
            let rest = &rest[checks.fused..];
            scan(s, &checks, row, None, ctx, &mut |r| {
                push(rest, r, ctx, sink)
            })
        }
        Op::Expand(e) => push_expand(e, rest, row, ctx, sink),
        Op::ShortestPath(s) => push_shortest(s, rest, row, ctx, sink),
        Op::Filter(pred, _) => {
            if passes(pred, row, ctx)? {
                push(rest, row, ctx, sink)
            } else {
                Ok(true)
            }
        }
        Op::BuildPath(p) => {
            let v = build_path(p, row, ctx.snapshot)?;
            with_slot(row, p.slot, v, |r| push(rest, r, ctx, sink))
        }
        Op::Optional { ops: inner, memo } => {
            push_optional(inner, memo.as_deref(), rest, row, ctx, sink)
        }
        Op::HashJoin(j) => push_hash_join(j, rest, row, ctx, sink),
        Op::Unwind {
            slot,
            param: Some(name),
            ..
        } => match ctx.late.get(name).or_else(|| ctx.params.get(name)) {
            None | Some(Value::Null) => Ok(true),
            Some(Value::List(items)) => {
                for item in items {
                    tick(ctx)?;
                    if !with_slot(row, *slot, item.clone(), |r| push(rest, r, ctx, sink))? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Some(other) => with_slot(row, *slot, other.clone(), |r| push(rest, r, ctx, sink)),
        },
        Op::Unwind { expr, slot, .. } => push_unwind(expr, slot, rest, row, ctx, sink),
        Op::Project { items, .. } => push_project(items, rest, row, ctx, sink),
        Op::Procedure(c) => crate::procedures::run::push_call(c, rest, row, ctx, sink),
        other => Err(ErrorKind::Unsupported {
            feature: format!("streaming {other:?}"),
            span: None,
        }
        .into()),
    }
}

/// Whether `row` passes the filter `pred`: true passes, false and null
/// do not, anything else is an error.
pub(crate) fn passes(pred: &CExpr, row: &[Value], ctx: &Ctx<'_>) -> Result<bool> {
    let mut locals = Vec::new();
    // The common shapes are read where they lie (`fof <> me`, `NOT
    // (me)-[:KNOWS]-(fof)`), without building the predicate's value.
    if let Some(t) = crate::eval::truth(pred, row, &mut locals, ctx)? {
        return Ok(t == Some(true));
    }
    match eval(pred, row, &mut locals, ctx)? {
        Value::Bool(b) => Ok(b),
        Value::Null => Ok(false),
        other => {
            let e = ExecError::type_error(
                "InvalidArgumentType",
                format!("a predicate must be boolean, got {}", other.type_name()),
            );
            Err(match pred.span() {
                Some(span) => e.at(span),
                None => e,
            })
        }
    }
}

/// Sets the slots of a projection's items on `row`, in order (a later
/// item sees the earlier ones), keeping nothing to restore: for a row the
/// caller owns and passes on ([`super::run_segment`]'s row-by-row maps).
pub(crate) fn project_owned(items: &[(CExpr, usize)], row: &mut Row, ctx: &Ctx<'_>) -> Result<()> {
    let mut locals = Vec::new();
    for (e, slot) in items {
        row[*slot] = eval(e, row, &mut locals, ctx)?;
    }
    Ok(())
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_expand(
    e: &Expand,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let (mut types, mut to_labels) = (Types::new(), Labels::new());
    resolve_types_into(&e.types, ctx.snapshot, &mut types);
    if !resolve_labels_into(&e.to_labels, ctx.snapshot, &mut to_labels) {
        return Ok(true);
    }
    if e.var_length.is_some() {
        return var_expand(e, &types, &to_labels, row, ctx, &mut |r| {
            push(rest, r, ctx, sink)
        });
    }
    let fused = match &e.closing {
        Some(inner) => {
            let Some(labels) = resolve_labels(&inner.to_labels, ctx.snapshot) else {
                return Ok(true);
            };
            Some(Fused {
                expand: inner,
                types: resolve_types(&inner.types, ctx.snapshot),
                to_labels: labels,
            })
        }
        None => None,
    };
    let (checks, compared) = target_comparisons(e, rest);
    let rest = &rest[compared..];
    let target = Target {
        labels: &to_labels,
        checks: &checks,
        reads: &[],
    };
    if rest.is_empty() && fused.is_none() {
        if let Some(m) = sink.match_sink(e) {
            return expand_batched(e, &types, target, row, ctx, m);
        }
    }
    expand(e, &types, target, fused.as_ref(), row, ctx, &mut |r| {
        push(rest, r, ctx, sink)
    })
}

/// The matches of hop `e`, the last operator of its segment, handed to
/// `sink` a batch at a time (`batch.rs`), with the properties the hop
/// reads read where each target is found.
fn expand_batched(
    e: &Expand,
    types: &[RelTypeId],
    target: Target<'_, '_>,
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn MatchSink,
) -> Result<bool> {
    let mut m = sink.batch();
    let take = |sink: &mut dyn MatchSink, row: &mut Row, m: &mut Matches| {
        let more = sink.take(e, row, m);
        m.clear();
        more
    };
    let all = each_match(e, types, target, row, ctx, &mut |row, a, _| {
        m.push(a);
        if m.len() < BATCH {
            return Ok(true);
        }
        take(sink, row, &mut m)
    });
    let taken = match all {
        Ok(true) if m.len() > 0 => take(sink, row, &mut m),
        other => other,
    };
    sink.done(m);
    taken
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_shortest(
    s: &crate::plan::ShortestPath,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let mut out = Vec::new();
    super::shortest::shortest(s, row, ctx, &mut out)?;
    for mut r in out {
        if !push(rest, &mut r, ctx, sink)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_optional(
    inner: &[Op],
    memo: Option<&OptionalMemo>,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    if let Some(m) = memo {
        if let Some(kept) = kept_matches(m, row, ctx)? {
            return push_kept(m, kept, rest, row, ctx, sink);
        }
    }
    let saved = row.clone();
    let mut found = Found {
        rest,
        ctx,
        sink,
        found: false,
    };
    if !push(inner, row, ctx, &mut found)? {
        return Ok(false);
    }
    let was_found = found.found;
    row.clone_from(&saved);
    if was_found {
        Ok(true)
    } else {
        push(rest, row, ctx, sink)
    }
}

/// The most matches a decorrelated OPTIONAL MATCH keeps; past it, every
/// row is matched by the correlated operators.
const MAX_KEPT_MATCHES: usize = 1 << 20;

/// The run's matches of a decorrelated OPTIONAL MATCH, made on first use
/// for the first row's params; `None` when this row must be matched by the
/// correlated operators (its params differ, or there were too many).
fn kept_matches<'c>(
    m: &OptionalMemo,
    row: &[Value],
    ctx: &Ctx<'c>,
) -> Result<Option<&'c KeptMatches>> {
    let kept = run_table(
        &ctx.tables.optionals,
        m.table,
        "optional match table",
        || keep_matches(m, row, ctx),
    )?;
    let same = same_params(&kept.params, &m.params, row);
    Ok(kept.rows.as_ref().filter(|_| same))
}

/// Matches the memo's pattern from `row`'s params alone and keeps its
/// matches by the values of the keys.
fn keep_matches(m: &OptionalMemo, row: &[Value], ctx: &Ctx<'_>) -> Result<OptionalRows> {
    let params = param_values(&m.params, row);
    let mut start = params_row(&m.params, row);
    let mut found = super::Collect::new(Some(MAX_KEPT_MATCHES + 1), ctx.guard);
    push(&m.ops, &mut start, ctx, &mut found)?;
    let rows = std::mem::take(&mut found.rows);
    drop(found);
    if rows.len() > MAX_KEPT_MATCHES {
        return Ok(OptionalRows { params, rows: None });
    }
    // The slots the pattern binds: those its matches hold values in.
    let mut bound = vec![false; row.len()];
    for r in &rows {
        for (b, v) in bound.iter_mut().zip(r) {
            *b |= !matches!(v, Value::Null);
        }
    }
    for s in m.params.iter().chain(&m.keys) {
        bound[*s] = false;
    }
    let mut kept = KeptMatches {
        slots: (0..row.len()).filter(|&s| bound[s]).collect(),
        ..KeptMatches::default()
    };
    ctx.guard
        .check_rows(rows.len(), kept.slots.len() + m.keys.len())?;
    for r in rows {
        let key = m.keys.iter().map(|s| GroupKey(r[*s].clone())).collect();
        // At most MAX_KEPT_MATCHES: the index fits in u32.
        kept.index
            .entry(key)
            .or_default()
            .push(kept.values.len() as u32);
        kept.values
            .push(kept.slots.iter().map(|s| r[*s].clone()).collect());
    }
    Ok(OptionalRows {
        params,
        rows: Some(kept),
    })
}

/// Pushes `row` with each kept match of its keys' values bound, or alone
/// when there is none (a key that is null matches nothing).
fn push_kept(
    m: &OptionalMemo,
    kept: &KeptMatches,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let key: Option<Vec<GroupKey>> = m
        .keys
        .iter()
        .map(|s| (!matches!(row[*s], Value::Null)).then(|| GroupKey(row[*s].clone())))
        .collect();
    let Some(matches) = key.and_then(|k| kept.index.get(&k)) else {
        return push(rest, row, ctx, sink);
    };
    let saved = row.clone();
    let mut more = true;
    for &i in matches {
        for (s, v) in kept.slots.iter().zip(&kept.values[i as usize]) {
            put_value(&mut row[*s], v);
        }
        if !push(rest, row, ctx, sink)? {
            more = false;
            break;
        }
    }
    row.clone_from(&saved);
    Ok(more)
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_hash_join(
    j: &HashJoin,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    read_probe(j, row, ctx)?;
    let table = join_table(j, row, ctx)?;
    let table = &*table;
    if j.probe_keys.is_empty() {
        return product_range(j, table, 0..table.rows.len(), rest, row, ctx, sink);
    }
    let Some(key) = join_key(&j.probe_keys, row, &mut Vec::new(), ctx)? else {
        return Ok(true);
    };
    if let Some(bs) = table.index.get(&key) {
        for &b in bs {
            if !join_row(j, table, b as usize, rest, row, ctx, sink)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Reads the properties of the incoming row a join hoisted
/// (`HashJoin::probe_reads`) into their slots, once before the row is
/// joined.
pub(crate) fn read_probe(j: &HashJoin, row: &mut Row, ctx: &Ctx<'_>) -> Result<()> {
    for (e, s) in &j.probe_reads {
        let v = eval(e, row, &mut Vec::new(), ctx)?;
        row[*s] = v;
    }
    Ok(())
}

/// The values of a hash join's key expressions on `row`, or none when
/// one is null (`=` with null is never true).
pub(crate) fn join_key(
    exprs: &[CExpr],
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Option<Vec<value_ops::GroupKey>>> {
    let mut key = Vec::with_capacity(exprs.len());
    for e in exprs {
        let v = eval(e, row, locals, ctx)?;
        if v.is_null() {
            return Ok(None);
        }
        key.push(value_ops::GroupKey(v));
    }
    Ok(Some(key))
}

/// The rows of a product (a hash join without keys) with the build rows
/// in `range` (all of them, or one [`super::Task::Product`]'s share).
pub(crate) fn product_range(
    j: &HashJoin,
    table: &JoinTable,
    range: std::ops::Range<usize>,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    for b in range {
        if !join_row(j, table, b, rest, row, ctx, sink)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The rows of a product with the build rows in `range`, build-major: each
/// build row joined with every row of `rows` in turn (one
/// [`super::Task::ProductRows`]).
pub(crate) fn product_rows(
    j: &HashJoin,
    range: std::ops::Range<usize>,
    rest: &[Op],
    rows: &mut [Row],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let Some(first) = rows.first() else {
        return Ok(true);
    };
    let table = join_table(j, first, ctx)?;
    let table = &*table;
    if rest.is_empty() && j.distinct_rels.is_empty() {
        if let Some(taken) = sink.take_product(j, table, range.clone(), rows) {
            return taken;
        }
    }
    product_rows_each(j, table, range, rest, rows, ctx, sink)
}

/// The rows of a product whose build side is not kept: the build's scan
/// over one `morsel` of node ids ([`HashJoin::streamed_build`]), its rows
/// taken a chunk at a time and each chunk joined build-major with every
/// row of `rows` ([`product_rows`]), as one
/// [`super::Task::ProductScan`]. The build rows come in the order a kept
/// table would hold them (its morsels in order); none is kept past its
/// chunk (cookbook cb09 kept 315,000 companies' rows per run, their
/// vectors on fresh pages, to join each with ten customers).
pub(crate) fn product_scan(
    j: &HashJoin,
    morsel: Range<u64>,
    rest: &[Op],
    rows: &mut [Row],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let (Some(first), Some((Op::NodeScan(s), build))) = (rows.first(), j.build.split_first())
    else {
        return Ok(true);
    };
    let mut start = params_row(&j.params, first);
    let checks = crate::plan::compares::scan_comparisons(s, build);
    let build = &build[checks.fused..];
    let mut chunk = BuildChunk {
        j,
        table: JoinTable {
            params: param_values(&j.params, first),
            ..JoinTable::default()
        },
        cap: (PRODUCT_SCAN_CHUNK / rows.len()).clamp(64, BATCH),
        rows,
        rest,
        ctx,
        sink,
    };
    if !scan(s, &checks, &mut start, Some(morsel), ctx, &mut |r| {
        push(build, r, ctx, &mut chunk)
    })? {
        return Ok(false);
    }
    chunk.join()
}

/// About how many joined rows a chunk of a streamed build makes
/// ([`product_scan`]).
const PRODUCT_SCAN_CHUNK: usize = 4096;

/// The sink of a streamed build ([`product_scan`]): keeps the values of
/// the join's slots of up to `cap` build rows, then joins them with the
/// incoming `rows` and empties.
struct BuildChunk<'a, 'c> {
    j: &'a HashJoin,
    table: JoinTable,
    cap: usize,
    rows: &'a mut [Row],
    rest: &'a [Op],
    ctx: &'a Ctx<'c>,
    sink: &'a mut dyn Sink,
}

impl BuildChunk<'_, '_> {
    /// Joins the build rows kept with every incoming row, then drops them.
    fn join(&mut self) -> Result<bool> {
        let n = self.table.rows.len();
        if n == 0 {
            return Ok(true);
        }
        let (j, ctx) = (self.j, self.ctx);
        let more = match (self.rest.is_empty() && j.distinct_rels.is_empty())
            .then(|| self.sink.take_product(j, &self.table, 0..n, self.rows))
            .flatten()
        {
            Some(taken) => taken?,
            None => product_rows_each(j, &self.table, 0..n, self.rest, self.rows, ctx, self.sink)?,
        };
        self.table.rows.clear();
        Ok(more)
    }
}

impl Sink for BuildChunk<'_, '_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        let vals: Vec<Value> = self.j.slots.iter().map(|s| row[*s].clone()).collect();
        self.table.rows.push(vals);
        if self.table.rows.len() >= self.cap {
            return self.join();
        }
        Ok(true)
    }
}

/// [`product_rows`] row by row: each joined row pushed through `rest`.
pub(crate) fn product_rows_each(
    j: &HashJoin,
    table: &JoinTable,
    range: std::ops::Range<usize>,
    rest: &[Op],
    rows: &mut [Row],
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    for b in range {
        for row in rows.iter_mut() {
            if !join_row(j, table, b, rest, row, ctx, sink)? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Joins `row` with build row `b` of `table` and pushes it on, unless the
/// two parts share a relationship.
fn join_row(
    j: &HashJoin,
    table: &JoinTable,
    b: usize,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    tick(ctx)?;
    let Some(vals) = table.rows.get(b) else {
        return Ok(true);
    };
    for (bs, ls) in &j.distinct_rels {
        if let Ok(k) = j.slots.binary_search(bs) {
            if rels_overlap(&vals[k], &row[*ls]) {
                return Ok(true);
            }
        }
    }
    for (s, v) in j.slots.iter().zip(vals) {
        put_value(&mut row[*s], v);
    }
    push(rest, row, ctx, sink)
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_unwind(
    expr: &CExpr,
    slot: &usize,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let mut locals = Vec::new();
    match eval(expr, row, &mut locals, ctx)? {
        Value::Null => Ok(true),
        Value::List(items) => {
            for item in items {
                tick(ctx)?;
                if !with_slot(row, *slot, item, |r| push(rest, r, ctx, sink))? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        other => with_slot(row, *slot, other, |r| push(rest, r, ctx, sink)),
    }
}

/// [`push`] for one operator (its own frame, so `push` stays small).
#[inline(never)]
fn push_project(
    items: &[(CExpr, usize)],
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let mut locals = Vec::new();
    let mut old: SmallVec<[Value; 4]> = SmallVec::with_capacity(items.len());
    for (e, slot) in items {
        let v = eval(e, row, &mut locals, ctx)?;
        old.push(std::mem::replace(&mut row[*slot], v));
    }
    let more = push(rest, row, ctx, sink);
    // Undo in reverse, so a slot assigned twice gets its first value back.
    for ((_, slot), v) in items.iter().zip(old).rev() {
        row[*slot] = v;
    }
    more
}

/// Run-time table `i` of the running plan (numbered when it was
/// compiled), built by `build` on first use. Another task may build it
/// meanwhile: the first one set is kept.
fn run_table<'c, T>(
    tables: &'c [OnceLock<T>],
    i: usize,
    what: &str,
    build: impl FnOnce() -> Result<T>,
) -> Result<&'c T> {
    let slot = tables.get(i).ok_or_else(|| {
        ExecError::internal(format!("{what} {i} of a plan with {}", tables.len()))
    })?;
    if let Some(t) = slot.get() {
        return Ok(t);
    }
    let _ = slot.set(build()?);
    Ok(slot.get().expect("the table was just set"))
}

/// The values of the `params` slots of `row`.
pub(crate) fn param_values(params: &[usize], row: &[Value]) -> Vec<GroupKey> {
    params
        .iter()
        .map(|s| GroupKey(row.get(*s).cloned().unwrap_or(Value::Null)))
        .collect()
}

/// Whether `row` holds `values` in its `params` slots (what a kept table
/// was built for).
fn same_params(values: &[GroupKey], params: &[usize], row: &[Value]) -> bool {
    values.len() == params.len()
        && values
            .iter()
            .zip(params)
            .all(|(v, s)| *v == GroupKey(row.get(*s).cloned().unwrap_or(Value::Null)))
}

/// An empty row of `row`'s width with its `params` slots copied: where a
/// table built for those values starts.
pub(crate) fn params_row(params: &[usize], row: &[Value]) -> Row {
    let mut start = crate::plan::null_row(row.len());
    for s in params {
        start[*s] = row[*s].clone();
    }
    start
}

/// The build side of a hash join for `row`: the run's table, made on
/// first use (for the first row's values of the join's params); a row
/// whose params differ gets a table of its own.
pub(crate) fn join_table<'c>(
    j: &HashJoin,
    row: &[Value],
    ctx: &Ctx<'c>,
) -> Result<Cow<'c, JoinTable>> {
    // The first row that reaches it builds it, for its params.
    let table = run_table(&ctx.tables.joins, j.table, "hash join table", || {
        super::build_join_table(j, row, ctx)
    })?;
    if built_for(j, table, row) {
        Ok(Cow::Borrowed(table))
    } else {
        Ok(Cow::Owned(super::build_join_table(j, row, ctx)?))
    }
}

/// Whether `table` was built for `row`'s values of the join's params.
pub(crate) fn built_for(j: &HashJoin, table: &JoinTable, row: &[Value]) -> bool {
    same_params(&table.params, &j.params, row)
}

/// True if two relationship slot values (single or list) share a relationship.
fn rels_overlap(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Relationship(x), _) => !rel_unique(*x, std::slice::from_ref(b), &[0]),
        (Value::List(items), _) => items.iter().any(|v| rels_overlap(v, b)),
        _ => false,
    }
}

/// Runs `f` with `slot` set to `v`, then puts the slot's old value back.
fn with_slot(
    row: &mut Row,
    slot: usize,
    v: Value,
    f: impl FnOnce(&mut Row) -> Result<bool>,
) -> Result<bool> {
    let old = std::mem::replace(&mut row[slot], v);
    let more = f(row);
    row[slot] = old;
    more
}

/// Rel types to traverse: the named ones that exist, or all.
pub(crate) fn resolve_types(types: &[NameRef<RelTypeId>], snapshot: &Snapshot) -> Types {
    let mut out = Types::new();
    resolve_types_into(types, snapshot, &mut out);
    out
}

/// [`resolve_types`] written into `out` where the caller keeps it: a
/// list returned by value is copied out of the callee's frame in wide
/// loads that wait for the narrow stores that filled it, per row of a
/// sub-plan run (a third of `hop_matches`' own time).
fn resolve_types_into(types: &[NameRef<RelTypeId>], snapshot: &Snapshot, out: &mut Types) {
    let catalog = snapshot.catalog();
    if let [t] = types {
        // One type (most patterns): nothing to sort, and one push (the
        // small vector's `extend` from an `Option` cost more: cookbook
        // cb09 at scale 45 under callgrind, this function 79.8 -> 50.0
        // million instructions, the query 2,004 -> 1,974 million).
        if let Some(id) = t.resolve(catalog) {
            out.push(id);
        }
        return;
    }
    if types.is_empty() {
        out.extend((0..catalog.rel_types().len() as u32).map(RelTypeId));
    } else {
        out.extend(types.iter().filter_map(|t| t.resolve(catalog)));
        out.sort();
        out.dedup();
    }
}

/// Label ids, or `None` if one is unknown (nothing can match).
fn resolve_labels(labels: &[NameRef<LabelId>], snapshot: &Snapshot) -> Option<Labels> {
    let mut out = Labels::new();
    resolve_labels_into(labels, snapshot, &mut out).then_some(out)
}

/// [`resolve_labels`] written into `out` (see [`resolve_types_into`]);
/// false if one is unknown.
fn resolve_labels_into(labels: &[NameRef<LabelId>], snapshot: &Snapshot, out: &mut Labels) -> bool {
    let catalog = snapshot.catalog();
    for l in labels {
        match l.resolve(catalog) {
            Some(id) => out.push(id),
            None => return false,
        }
    }
    true
}

#[inline]
fn has_labels(snapshot: &Snapshot, n: NodeId, labels: &[LabelId]) -> bool {
    labels.iter().all(|l| snapshot.has_label(n, *l))
}

/// Where the properties a scan or expansion reads where it finds a node
/// (`NodeScan::reads`, `Expand::target_reads`) go: per read, its slot
/// and its key's place in the probe, whose keys are the `checked`
/// compared keys and then the read keys, which are pushed onto `keys`;
/// none for a key no node has.
fn read_keys(
    reads: &[(NameRef<PropKeyId>, usize)],
    checked: usize,
    catalog: &relgraph_graph::Catalog,
    keys: &mut SmallVec<[PropKeyId; 4]>,
) -> SmallVec<[(usize, Option<usize>); 4]> {
    let mut found = 0;
    reads
        .iter()
        .map(|(k, slot)| {
            let at = k.resolve(catalog).map(|k| {
                keys.push(k);
                found += 1;
                checked + found - 1
            });
            (*slot, at)
        })
        .collect()
}

/// Writes node `n`'s properties that `into` ([`read_keys`]) names into
/// their slots, read through `probe`.
#[inline(always)]
fn fill_reads(
    into: &[(usize, Option<usize>)],
    probe: &mut NodeProbe<'_, '_>,
    n: NodeId,
    row: &mut Row,
) {
    for &(slot, at) in into {
        row[slot] = match at {
            Some(i) => probe.value(n, i),
            None => Value::Null,
        };
    }
}

/// The keys of `checks`, resolved into `out`; false when one is a key no
/// node has (every comparison with it is null: no node passes).
fn compared_keys(
    checks: &[NodeCompare<'_>],
    catalog: &relgraph_graph::Catalog,
    out: &mut SmallVec<[PropKeyId; 4]>,
) -> bool {
    for (key, ..) in checks {
        match key.resolve(catalog) {
            Some(k) => out.push(k),
            None => return false,
        }
    }
    true
}

/// Whether node `n` passes every comparison of `checks`, property `i` of
/// `probe`'s keys compared by the `i`th. No checks is decided where it is
/// called, per adjacency entry or scanned node, with no call
/// ([`compares_all`] is the call).
#[inline(always)]
fn passes_all(probe: &mut NodeProbe<'_, '_>, n: NodeId, checks: &[NodeCompare<'_>]) -> bool {
    checks.is_empty() || compares_all(probe, n, checks)
}

/// [`passes_all`] of at least one check.
#[inline(never)]
fn compares_all(probe: &mut NodeProbe<'_, '_>, n: NodeId, checks: &[NodeCompare<'_>]) -> bool {
    checks
        .iter()
        .enumerate()
        .all(|(i, &(_, op, v, const_first))| node_compares(probe, n, i, op, v, const_first))
}

/// The comparisons of a scan's nodes with expressions of the incoming
/// row ([`RowCompare`]), each expression computed when the first node
/// reaches its comparison (so an error is raised where the filter would
/// have raised it, and not at all when no node gets there).
struct RowValues<'c, 'p> {
    checks: &'c [RowCompare<'p>],
    values: SmallVec<[Option<Value>; 2]>,
}

impl<'c, 'p> RowValues<'c, 'p> {
    fn new(checks: &'c [RowCompare<'p>]) -> Self {
        RowValues {
            checks,
            values: checks.iter().map(|_| None).collect(),
        }
    }

    /// Whether node `n` passes every comparison, in order; the probe's
    /// keys for them start at `first`.
    #[inline]
    fn pass(
        &mut self,
        probe: &mut NodeProbe<'_, '_>,
        n: NodeId,
        first: usize,
        row: &[Value],
        ctx: &Ctx<'_>,
    ) -> Result<bool> {
        for (j, &(_, op, e, const_first)) in self.checks.iter().enumerate() {
            let v = match &mut self.values[j] {
                Some(v) => v,
                slot => slot.insert(eval(e, row, &mut Vec::new(), ctx)?),
            };
            if !node_compares(probe, n, first + j, op, v, const_first) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Whether property `i` of `probe`'s keys of node `n` compares with
/// constant `v` by `op` (`const_first`: the constant is the left
/// operand) to true, as `value_ops::compare_op` compares them; a string
/// compared with a string is read where it lies.
#[inline]
fn node_compares(
    probe: &mut NodeProbe<'_, '_>,
    n: NodeId,
    i: usize,
    op: BinaryOp,
    v: &Value,
    const_first: bool,
) -> bool {
    if let Value::String(c) = v {
        // An equality is answered by the stored bytes where they tell
        // (`{name: 'Lumen CRM'}` over 450,000 companies), with no UTF-8
        // check of each name.
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            match probe.equals_str(n, i, c) {
                StrEq::Absent => return false,
                StrEq::Equal(eq) => return eq == (op == BinaryOp::Eq),
                StrEq::Unknown => {}
            }
        }
        match probe.str_property(n, i) {
            PropStr::Absent => return false,
            PropStr::Str(s) => {
                let (a, b) = if const_first { (&**c, s) } else { (s, &**c) };
                return value_ops::compare_strs(op, a, b) == Some(true);
            }
            PropStr::Other => {}
        }
    }
    probe.property(n, i).is_some_and(|x| {
        let passed = if const_first {
            value_ops::compare_op(op, v, &x)
        } else {
            value_ops::compare_op(op, &x, v)
        };
        passed == Some(true)
    })
}

/// Scans nodes for one input row; `range` restricts to one morsel; every
/// node must pass each of `checks` (see [`scan_comparisons`]).
pub(crate) fn scan(
    s: &NodeScan,
    all: &ScanChecks<'_>,
    row: &mut Row,
    range: Option<Range<u64>>,
    ctx: &Ctx<'_>,
    emit: &mut Emit<'_>,
) -> Result<bool> {
    let snap = ctx.snapshot;
    let catalog = snap.catalog();
    let Some(extra) = resolve_labels(&s.labels, snap) else {
        return Ok(true);
    };
    let checks = &all.consts[..];
    let mut keys = SmallVec::new();
    if !compared_keys(checks, catalog, &mut keys) {
        return Ok(true);
    }
    let first_compared = keys.first().copied();
    // A key no node has reads as absent (every node fails), but its
    // expression is still computed when a node reaches it, for its error.
    keys.extend(
        all.rows
            .iter()
            .map(|(k, ..)| k.resolve(catalog).unwrap_or(PropKeyId(u32::MAX))),
    );
    // The scan's labels, compared keys and read keys, read with the
    // chunk kept.
    let into = read_keys(&s.reads, all.len(), catalog, &mut keys);
    let mut probe = NodeProbe::new(snap, &extra, &keys);
    let reading = !into.is_empty();
    let mut row_values = RowValues::new(&all.rows);
    let mut each = |nodes: &mut dyn Iterator<Item = NodeId>, row: &mut Row| -> Result<bool> {
        for n in nodes {
            tick(ctx)?;
            if range.as_ref().is_some_and(|r| !r.contains(&n.0))
                || !(probe.has_labels(n) && passes_all(&mut probe, n, checks))
                || !row_values.pass(&mut probe, n, checks.len(), row, ctx)?
            {
                continue;
            }
            put_node(&mut row[s.slot], n);
            if reading {
                fill_reads(&into, &mut probe, n, row);
            }
            if !emit(row)? {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let label_nodes = |l: &NameRef<LabelId>| -> Box<dyn Iterator<Item = NodeId> + '_> {
        let Some(l) = l.resolve(catalog) else {
            return Box::new(std::iter::empty());
        };
        match &range {
            Some(r) => Box::new(snap.nodes_in_range(r.clone(), Some(l)).into_iter()),
            None => snap.nodes_with_label(l),
        }
    };
    // A node without the first compared key fails every comparison: the
    // scan reads only the nodes holding it, from the key's column, and
    // where that comparison is `= 'text'`, only those whose stored value
    // the column shows is that text (each is still compared).
    let equal_text = checks.first().and_then(|&(_, op, v, _)| match v {
        Value::String(text) if op == BinaryOp::Eq => Some(&**text),
        _ => None,
    });
    let having = |l: Option<LabelId>, k: PropKeyId| -> Box<dyn Iterator<Item = NodeId> + '_> {
        let r = range.clone().unwrap_or(0..u64::MAX);
        match equal_text {
            Some(text) => Box::new(snap.nodes_holding_str(r, l, k, text)),
            None => Box::new(snap.nodes_having(r, l, k)),
        }
    };
    let mut locals = Vec::new();
    match (&s.seek, first_compared.as_ref()) {
        (Seek::All, Some(&k)) => each(&mut having(None, k), row),
        (Seek::Label(l), Some(&k)) => match l.resolve(catalog) {
            Some(l) => each(&mut having(Some(l), k), row),
            None => Ok(true),
        },
        (Seek::All, None) => match &range {
            Some(r) => each(&mut snap.nodes_in_range(r.clone(), None).into_iter(), row),
            None => each(&mut snap.nodes(), row),
        },
        (Seek::Label(l), None) => each(&mut label_nodes(l), row),
        (Seek::NodeId(value), _) => {
            // Candidates only: the `id(n) = value` filter after the scan
            // decides (null, other types and non-integral numbers find none).
            let id = node_id_of(&eval(value, row, &mut locals, ctx)?);
            let found = id.filter(|n| snap.node_exists(*n));
            each(&mut found.into_iter(), row)
        }
        (Seek::NodeIds(value), _) => {
            // Candidates only, as for one id; a list that is not a list
            // finds none (the filter then raises what it raises).
            let mut ids: Vec<NodeId> = match eval(value, row, &mut locals, ctx)? {
                Value::List(xs) => xs.iter().filter_map(node_id_of).collect(),
                _ => Vec::new(),
            };
            ids.sort_unstable();
            ids.dedup();
            ids.retain(|n| snap.node_exists(*n));
            each(&mut ids.into_iter(), row)
        }
        (Seek::IndexEq { label, key, value }, _) => {
            let v = eval(value, row, &mut locals, ctx)?;
            if v.is_null() {
                return Ok(true);
            }
            let found = match (label.resolve(catalog), key.resolve(catalog)) {
                (Some(l), Some(k)) => snap.index_lookup(l, k, &v),
                _ => Some(Vec::new()),
            };
            match found {
                Some(nodes) => each(&mut nodes.into_iter(), row),
                None => each(&mut label_nodes(label), row),
            }
        }
        (
            Seek::IndexRange {
                label,
                key,
                lower,
                upper,
            },
            _,
        ) => {
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
                return Ok(true);
            };
            let found = match (label.resolve(catalog), key.resolve(catalog)) {
                (Some(l), Some(k)) => snap.index_range(l, k, lo.as_ref(), hi.as_ref()),
                _ => Some(Vec::new()),
            };
            match found {
                Some(nodes) => each(&mut nodes.into_iter(), row),
                None => each(&mut label_nodes(label), row),
            }
        }
    }
}

pub(super) fn dirs(d: Dir) -> &'static [Direction] {
    match d {
        Dir::Out => &[Direction::Outgoing],
        Dir::In => &[Direction::Incoming],
        Dir::Both => &[Direction::Outgoing, Direction::Incoming],
    }
}

/// True if `rel` is not already used by a relationship slot of the same MATCH.
pub(super) fn rel_unique(rel: RelId, row: &[Value], unique_with: &[usize]) -> bool {
    unique_with.iter().all(|s| match &row[*s] {
        Value::Relationship(r) => *r != rel,
        Value::List(items) => !items
            .iter()
            .any(|v| matches!(v, Value::Relationship(r) if *r == rel)),
        _ => true,
    })
}

/// Whether relationship `rel` has the properties a pattern gives it
/// (`[r:T {since: 2020}]`). None to check is decided where it is called,
/// per adjacency entry, with no call: a pattern seldom gives any, and the
/// call was 2-4% of an expansion's time.
#[inline(always)]
fn rel_props_match(
    e_props: &[(NameRef<relgraph_graph::PropKeyId>, CExpr)],
    rel: RelId,
    row: &[Value],
    ctx: &Ctx<'_>,
) -> Result<bool> {
    if e_props.is_empty() {
        return Ok(true);
    }
    rel_has_props(e_props, rel, row, ctx)
}

/// [`rel_props_match`] of at least one property.
#[inline(never)]
fn rel_has_props(
    e_props: &[(NameRef<relgraph_graph::PropKeyId>, CExpr)],
    rel: RelId,
    row: &[Value],
    ctx: &Ctx<'_>,
) -> Result<bool> {
    let mut locals = Vec::new();
    for (k, v) in e_props {
        let want = eval(v, row, &mut locals, ctx)?;
        let Some(k) = k.resolve(ctx.snapshot.catalog()) else {
            return Ok(false);
        };
        let Some(have) = ctx.snapshot.rel_property(rel, k) else {
            return Ok(false);
        };
        if value_ops::equals(&have, &want) != Some(true) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// What the node an expansion binds must be: its labels, and the
/// comparisons of its properties with constants checked where it is
/// found ([`target_comparisons`]).
#[derive(Clone, Copy)]
struct Target<'a, 'p> {
    labels: &'a [LabelId],
    checks: &'a [NodeCompare<'p>],
    /// Keys of the node read where it is found (`Expand::target_reads`,
    /// resolved): property `checks.len() + i` of the probe is key `i`.
    reads: &'a [PropKeyId],
}

impl<'a> Target<'a, '_> {
    /// A target checked for its labels alone.
    fn labels(labels: &'a [LabelId]) -> Self {
        Target {
            labels,
            checks: &[],
            reads: &[],
        }
    }
}

/// The counting `ExpandInto` fused into an expansion, with its resolved ids.
struct Fused<'a> {
    expand: &'a Expand,
    types: Types,
    to_labels: Labels,
}

/// Calls `f` with every relationship of `e` from the row's source node
/// that passes the expansion's checks (target, bound relationship,
/// uniqueness, target labels, relationship properties). Adjacency lists are
/// sorted by node, so a bound target is found by binary search.
fn each_match<R: std::ops::Deref<Target = [Value]>>(
    e: &Expand,
    types: &[RelTypeId],
    target: Target<'_, '_>,
    row: &mut R,
    ctx: &Ctx<'_>,
    f: &mut impl FnMut(&mut R, Adj, &mut NodeProbe<'_, '_>) -> Result<bool>,
) -> Result<bool> {
    let Target {
        labels: to_labels,
        checks,
        reads,
    } = target;
    let snap = ctx.snapshot;
    let Value::Node(from) = row[e.from] else {
        return Ok(true);
    };
    let target = if e.to_bound {
        match row[e.to] {
            Value::Node(n) => Some(n),
            _ => return Ok(true),
        }
    } else {
        None
    };
    let bound_rel = if e.rel_bound {
        match row[e.rel] {
            Value::Relationship(r) => Some(r),
            _ => return Ok(true),
        }
    } else {
        None
    };
    let listed = match &e.rel_ids {
        Some(ids) => listed_rels(ids, e, types, from, row, ctx)?,
        None => None,
    };
    // The target's labels and compared properties, read with the chunk
    // kept: the list is sorted by node, and neighbours are often made
    // together.
    let mut keys = SmallVec::new();
    if !compared_keys(checks, snap.catalog(), &mut keys) {
        return Ok(true);
    }
    keys.extend_from_slice(reads);
    let mut probe = NodeProbe::new(snap, to_labels, &keys);
    // Target comparisons with nothing to check between them and `f` are
    // made a block of entries at a time ([`keep_passing`]).
    let blocked = target.is_none() && !checks.is_empty() && e.rel_props.is_empty();
    // Entries with nothing to check but their target's labels go to `f`
    // from a loop of their own.
    let plain = target.is_none()
        && bound_rel.is_none()
        && e.unique_with.is_empty()
        && e.rel_props.is_empty()
        && checks.is_empty();
    let mut block = SmallVec::<[Adj; CHECKED_BLOCK]>::new();
    for &t in types {
        for &d in dirs(e.dir) {
            let all = match &listed {
                Some(by_key) => AdjSlice::wide(by_key.get(&(t, d)).map_or(&[][..], |v| &v[..])),
                None => snap.adjacency(from, t, d),
            };
            if plain {
                let skip = (e.dir == Dir::Both && d == Direction::Incoming).then_some(from);
                if !each_labelled(&all, skip, &mut probe, row, ctx, f)? {
                    return Ok(false);
                }
                continue;
            }
            let adj = match target {
                Some(to) => all.run_of(to),
                None => all.slice(0..all.len()),
            };
            for a in adj.iter() {
                tick(ctx)?;
                // An undirected self-loop is in both lists: take it once.
                if e.dir == Dir::Both && d == Direction::Incoming && a.node == from {
                    continue;
                }
                if bound_rel.is_some_and(|r| r != a.rel)
                    || !rel_unique(a.rel, row, &e.unique_with)
                    || (target.is_none() && !probe.has_labels(a.node))
                {
                    continue;
                }
                if blocked {
                    block.push(a);
                    if block.len() == CHECKED_BLOCK
                        && !checked_block(&mut block, row, &mut probe, checks, f)?
                    {
                        return Ok(false);
                    }
                    continue;
                }
                if !rel_props_match(&e.rel_props, a.rel, row, ctx)?
                    // Last, as the filters they come from ran after the
                    // expansion's own checks.
                    || (target.is_none() && !passes_all(&mut probe, a.node, checks))
                {
                    continue;
                }
                if !f(row, a, &mut probe)? {
                    return Ok(false);
                }
            }
        }
    }
    checked_block(&mut block, row, &mut probe, checks, f)
}

/// Calls `f` for the entries of `adj` whose targets carry `probe`'s
/// labels, in order (an undirected self-loop to `skip` left out: it is
/// in the other direction's list too); false where `f` says to stop.
#[inline(always)]
fn each_labelled<R>(
    adj: &AdjSlice<'_>,
    skip: Option<NodeId>,
    probe: &mut NodeProbe<'_, '_>,
    row: &mut R,
    ctx: &Ctx<'_>,
    f: &mut impl FnMut(&mut R, Adj, &mut NodeProbe<'_, '_>) -> Result<bool>,
) -> Result<bool> {
    for a in adj.iter() {
        tick(ctx)?;
        if skip == Some(a.node) || !probe.has_labels(a.node) {
            continue;
        }
        if !f(row, a, probe)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Entries an expansion gathers before comparing their targets.
const CHECKED_BLOCK: usize = 64;

/// Calls `f` for the entries of `block` whose targets pass `checks`, in
/// order, and empties the block; false where `f` says to stop.
fn checked_block<R>(
    block: &mut SmallVec<[Adj; CHECKED_BLOCK]>,
    row: &mut R,
    probe: &mut NodeProbe<'_, '_>,
    checks: &[NodeCompare<'_>],
    f: &mut impl FnMut(&mut R, Adj, &mut NodeProbe<'_, '_>) -> Result<bool>,
) -> Result<bool> {
    if block.is_empty() {
        return Ok(true);
    }
    let kept = keep_passing(probe, block, checks);
    for &a in &block[..kept] {
        if !f(row, a, probe)? {
            return Ok(false);
        }
    }
    block.clear();
    Ok(true)
}

/// Keeps, at the front of `block` and in order, the entries whose
/// targets pass every comparison of `checks` ([`node_compares`] decides
/// each), and returns how many. A text equality or inequality is
/// answered a chunk of targets at a time ([`NodeProbe::keep_str`]: a
/// dictionary's code found once), the others target by target.
fn keep_passing(
    probe: &mut NodeProbe<'_, '_>,
    block: &mut [Adj],
    checks: &[NodeCompare<'_>],
) -> usize {
    let mut kept = block.len();
    for (i, &(_, op, v, const_first)) in checks.iter().enumerate() {
        let each =
            |p: &mut NodeProbe<'_, '_>, n: NodeId| node_compares(p, n, i, op, v, const_first);
        kept = match v {
            Value::String(s) if matches!(op, BinaryOp::Eq | BinaryOp::Ne) => probe.keep_str(
                &mut block[..kept],
                |a| a.node,
                i,
                s,
                op == BinaryOp::Eq,
                each,
            ),
            _ => {
                let mut k = 0;
                for j in 0..kept {
                    if each(probe, block[j].node) {
                        block[k] = block[j];
                        k += 1;
                    }
                }
                k
            }
        };
    }
    kept
}

/// Adjacency entries per relationship type and direction.
type ListedRels = FxHashMap<(RelTypeId, Direction), Vec<Adj>>;

/// The relationships of `ids` that exist, deduplicated.
fn listed(items: &[Value], ctx: &Ctx<'_>) -> Result<Vec<RelRef>> {
    let mut rels: Vec<RelId> = items
        .iter()
        .filter_map(node_id_of)
        .map(|n| RelId(n.0))
        .collect();
    rels.sort_unstable();
    rels.dedup();
    let mut out = Vec::with_capacity(rels.len());
    for r in rels {
        tick(ctx)?;
        out.extend(ctx.snapshot.rel(r));
    }
    Ok(out)
}

fn rel_list_index<'c>(ids: &CExpr, table: usize, ctx: &Ctx<'c>) -> Result<&'c RelListIndex> {
    run_table(&ctx.tables.rel_lists, table, "relationship list", || {
        index_rel_list(ids, ctx)
    })
}

/// A row-independent relationship id list indexed by end node.
fn index_rel_list(ids: &CExpr, ctx: &Ctx<'_>) -> Result<RelListIndex> {
    let mut index = RelListIndex::default();
    match eval(ids, &[], &mut Vec::new(), ctx)? {
        Value::List(items) => {
            for rel in listed(&items, ctx)? {
                index.by_node.entry(rel.src).or_default().push(rel);
                if rel.dst != rel.src {
                    index.by_node.entry(rel.dst).or_default().push(rel);
                }
            }
        }
        _ => index.not_a_list = true,
    }
    Ok(index)
}

/// The adjacency entries of `from` (per type and direction of the
/// expansion, node-sorted like the adjacency) for the listed
/// relationships, when that is cheaper than reading `from`'s adjacency;
/// `None` to read the adjacency instead. Values that are not
/// relationship ids, and relationships that do not exist, have another
/// type or do not touch `from`, give nothing; the `id(r) IN list` filter
/// after the expansion decides the rest.
fn listed_rels(
    ids: &RelIdList,
    e: &Expand,
    types: &[RelTypeId],
    from: NodeId,
    row: &[Value],
    ctx: &Ctx<'_>,
) -> Result<Option<ListedRels>> {
    let snap = ctx.snapshot;
    let mut by_key = ListedRels::default();
    for &t in types {
        for &d in dirs(e.dir) {
            by_key.insert((t, d), Vec::new());
        }
    }
    let found: Cow<'_, [RelRef]> = match ids.index {
        Some(table) => {
            let index = rel_list_index(&ids.list, table, ctx)?;
            if index.not_a_list {
                return Ok(None);
            }
            Cow::Borrowed(index.by_node.get(&from).map_or(&[][..], |v| &v[..]))
        }
        None => {
            let list = eval_ref(&ids.list, row, &mut Vec::new(), ctx)?;
            // Not a list: the adjacency, so that the filter raises what it raises.
            let Value::List(items) = list.as_ref() else {
                return Ok(None);
            };
            let degree: usize = by_key
                .keys()
                .map(|&(t, d)| snap.adjacency(from, t, d).len())
                .sum();
            if items.len() >= degree {
                return Ok(None);
            }
            Cow::Owned(listed(items, ctx)?)
        }
    };
    for rel in found.iter() {
        for &d in dirs(e.dir) {
            let node = match d {
                Direction::Outgoing if rel.src == from => rel.dst,
                Direction::Incoming if rel.dst == from => rel.src,
                _ => continue,
            };
            if let Some(list) = by_key.get_mut(&(rel.rel_type, d)) {
                list.push(Adj { node, rel: rel.id });
            }
        }
    }
    for list in by_key.values_mut() {
        list.sort_unstable_by_key(|a| (a.node, a.rel));
    }
    Ok(Some(by_key))
}

fn expand(
    e: &Expand,
    types: &[RelTypeId],
    target: Target<'_, '_>,
    fused: Option<&Fused<'_>>,
    row: &mut Row,
    ctx: &Ctx<'_>,
    emit: &mut Emit<'_>,
) -> Result<bool> {
    match (e.count_into, fused) {
        (None, None) => {
            let mut keys = SmallVec::new();
            let into = read_keys(
                &e.target_reads,
                target.checks.len(),
                ctx.snapshot.catalog(),
                &mut keys,
            );
            let target = Target {
                reads: &keys,
                ..target
            };
            let reading = !into.is_empty();
            each_match(e, types, target, row, ctx, &mut |row, a, probe| {
                put_rel(&mut row[e.rel], a.rel);
                put_node(&mut row[e.to], a.node);
                if reading {
                    fill_reads(&into, probe, a.node, row);
                }
                emit(row)
            })
        }
        // A fused closing expansion: one row per pair of relationships.
        (None, Some(f)) => {
            // `e`'s relationship and target are bound in the row already.
            each_closing_pair(e, types, target.labels, f, row, ctx, &mut |row, r| {
                put_rel(&mut row[f.expand.rel], r);
                emit(row)
            })
        }
        // Counting mode: one row carrying the number of matches.
        (Some(w), Some(f)) => {
            let mut count = 0i64;
            each_closing_pair(e, types, target.labels, f, row, ctx, &mut |_, _| {
                count += 1;
                Ok(true)
            })?;
            emit_count(w, count, row, emit)
        }
        (Some(w), None) => {
            let mut count = 0i64;
            each_match(
                e,
                types,
                Target::labels(target.labels),
                row,
                ctx,
                &mut |_, _, _| {
                    count += 1;
                    Ok(true)
                },
            )?;
            emit_count(w, count, row, emit)
        }
    }
}

/// The expansion of a sub-plan that is one hop and nothing else but
/// comparisons of its target's properties with constants (an `EXISTS` or
/// pattern predicate such as `NOT (me)-[:KNOWS]-(fof)`, or `size((c)-->
/// (t:Ticket {kind: 'bug'}))`): [`hop_matches`] answers it from the row
/// in place.
pub(crate) fn single_hop(ops: &[Op]) -> Option<(&Expand, NodeCompares<'_>)> {
    match ops {
        [Op::Expand(e), rest @ ..]
            if e.var_length.is_none() && e.closing.is_none() && e.count_into.is_none() =>
        {
            let (checks, n) = target_comparisons(e, rest);
            (n == rest.len()).then_some((e, checks))
        }
        _ => None,
    }
}

/// How many relationships one-hop expansion `e` matches from `row` (with
/// `first`, 0 or 1: whether there is one) whose targets pass `checks`,
/// with the expansion's own checks but without copying the row or running
/// the operator machinery; with both ends bound it is a binary search of
/// the source's list.
pub(crate) fn hop_matches(
    e: &Expand,
    checks: &[NodeCompare<'_>],
    row: &[Value],
    first: bool,
    ctx: &Ctx<'_>,
) -> Result<i64> {
    let (mut types, mut to_labels) = (Types::new(), Labels::new());
    resolve_types_into(&e.types, ctx.snapshot, &mut types);
    if !resolve_labels_into(&e.to_labels, ctx.snapshot, &mut to_labels) {
        return Ok(0);
    }
    if checks.is_empty() {
        if let Some(n) = super::trails::shared_hop_count(e, &types, row, ctx)? {
            return Ok(if first { n.min(1) } else { n });
        }
    }
    let mut count = 0i64;
    let mut row = row;
    let target = Target {
        labels: &to_labels,
        checks,
        reads: &[],
    };
    each_match(e, &types, target, &mut row, ctx, &mut |_, _, _| {
        count += 1;
        Ok(!first)
    })?;
    Ok(count)
}

/// Emits the row with `count` in slot `w`, unless the count is zero.
fn emit_count(w: usize, count: i64, row: &mut Row, emit: &mut Emit<'_>) -> Result<bool> {
    if count == 0 {
        return Ok(true);
    }
    with_slot(row, w, Value::Int(count), |r| emit(r))
}

/// Calls `on_pair` for every match of `e` and then of its fused closing
/// expansion, with `e`'s relationship and target bound in the row and the
/// closing relationship passed. The targets come from intersecting the
/// sorted adjacency lists of `e`'s source and of the closing expansion's
/// other end, walked once in step ([`closing_pairs`]); the matches are
/// those of probing the second list for every match of the first
/// ([`each_match`] twice), which is what a shape the fusion does not make
/// runs.
fn each_closing_pair(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    f: &Fused<'_>,
    row: &mut Row,
    ctx: &Ctx<'_>,
    on_pair: &mut dyn FnMut(&mut Row, RelId) -> Result<bool>,
) -> Result<bool> {
    let c = f.expand;
    if !fused_shape(e) {
        return each_match(
            e,
            types,
            Target::labels(to_labels),
            row,
            ctx,
            &mut |row, a, _| {
                put_rel(&mut row[e.rel], a.rel);
                put_node(&mut row[e.to], a.node);
                each_match(
                    c,
                    &f.types,
                    Target::labels(&f.to_labels),
                    row,
                    ctx,
                    &mut |row, b, _| on_pair(row, b.rel),
                )
            },
        );
    }
    closing_pairs(e, types, to_labels, f, row, ctx, on_pair)
}

/// Whether expansion `e` with a fused closing expansion is a shape the
/// fusion makes: `e` binds a new target and relationship, and the closing
/// hop is one relationship, not bound before, into a bound node.
fn fused_shape(e: &Expand) -> bool {
    e.closing.as_deref().is_some_and(|c| {
        !(e.to_bound || e.rel_bound || c.rel_bound || !c.to_bound || c.var_length.is_some())
    })
}

/// A row that a fused closing pair is found from: the pair's first
/// relationship and its target are bound in it (where the closing hop's
/// relationship-property checks can read them) or, for a row that is
/// only read, not (a count of pairs whose closing hop has no such checks).
trait PairRow: std::ops::Deref<Target = [Value]> {
    fn bind(&mut self, e: &Expand, a: Adj);
}

impl PairRow for Row {
    fn bind(&mut self, e: &Expand, a: Adj) {
        put_rel(&mut self[e.rel], a.rel);
        put_node(&mut self[e.to], a.node);
    }
}

impl PairRow for &[Value] {
    fn bind(&mut self, _: &Expand, _: Adj) {}
}

/// [`each_closing_pair`] for a shape the fusion makes ([`fused_shape`]).
fn closing_pairs<R: PairRow>(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    f: &Fused<'_>,
    row: &mut R,
    ctx: &Ctx<'_>,
    on_pair: &mut dyn FnMut(&mut R, RelId) -> Result<bool>,
) -> Result<bool> {
    closing_pairs_in(e, types, to_labels, f, None, row, ctx, on_pair)
}

/// The lists of the two ends of a closing pair read before, in the order
/// [`closing_pairs`] reads them: `x`'s per type and direction of the first
/// hop, `z`'s per type and direction of the closing hop.
pub(crate) type EndLists<'l, 's> = (&'l [AdjSlice<'s>], &'l [AdjSlice<'s>]);

/// [`closing_pairs`], with the ends' lists read before where `lists` has
/// them.
#[allow(clippy::too_many_arguments)]
fn closing_pairs_in<R: PairRow>(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    f: &Fused<'_>,
    lists: Option<EndLists<'_, '_>>,
    row: &mut R,
    ctx: &Ctx<'_>,
    on_pair: &mut dyn FnMut(&mut R, RelId) -> Result<bool>,
) -> Result<bool> {
    let c = f.expand;
    let (z_slot, reversed) = closing_end(e, c);
    let (Value::Node(x), Value::Node(z)) = (&row[e.from], &row[z_slot]) else {
        return Ok(true);
    };
    let (x, z) = (*x, *z);
    let snap = ctx.snapshot;
    let read;
    let (lefts, rights) = match lists {
        Some(l) => l,
        None => {
            read = (
                end_lists(x, types, e.dir, false, snap),
                end_lists(z, &f.types, c.dir, reversed, snap),
            );
            (&read.0[..], &read.1[..])
        }
    };
    let empty = AdjSlice::EMPTY;
    let mut li = 0;
    for _ in types {
        for &d1 in dirs(e.dir) {
            let left = lefts.get(li).unwrap_or(&empty);
            li += 1;
            // An undirected self-loop is in both lists: take it once.
            let skip_left = e.dir == Dir::Both && d1 == Direction::Incoming;
            let mut ri = 0;
            for &t2 in &f.types {
                for &d2 in dirs(c.dir) {
                    // From a target `y`, the closing direction.
                    let from_y = if reversed { d2 } else { d2.reverse() };
                    let right = rights.get(ri).unwrap_or(&empty);
                    ri += 1;
                    let skip_right = c.dir == Dir::Both && d2 == Direction::Incoming;
                    let pair = Pair {
                        e,
                        c,
                        x,
                        z,
                        skip: (skip_left, skip_right),
                        to_labels,
                    };
                    if right.len() > AdjSlice::SEARCH_RATIO * left.len() {
                        // `z` is a hub: look it up in each target's own list.
                        let mut i = 0;
                        while i < left.len() {
                            tick(ctx)?;
                            let a = left.at(i).node;
                            let i_end =
                                i + left.slice(i..left.len()).partition_point(|p| p.node == a);
                            let own = snap.adjacency(a, t2, from_y);
                            let rs = own.run_of(z);
                            if !rs.is_empty()
                                && !pair.visit(a, left.slice(i..i_end), rs, row, ctx, on_pair)?
                            {
                                return Ok(false);
                            }
                            i = i_end;
                        }
                    } else {
                        let all = left.shared_runs(right, |a, ls, rs| {
                            tick(ctx)?;
                            pair.visit(a, ls, rs, row, ctx, on_pair)
                        })?;
                        if !all {
                            return Ok(false);
                        }
                    }
                }
            }
        }
    }
    Ok(true)
}

/// The expansion of a sub-plan that is one hop closed by a second into a
/// bound node and nothing else (`size((p)-[:INTERESTED_IN]->(t:Topic)<-
/// [:INTERESTED_IN]-(b))`, `EXISTS { (a)-[:KNOWS]-(m)-[:KNOWS]-(b) }`):
/// [`pair_matches`] counts its pairs from the row in place.
pub(crate) fn closing_hop(ops: &[Op]) -> Option<&Expand> {
    match ops {
        [Op::Expand(e)]
            if e.var_length.is_none()
                && e.count_into.is_none()
                && fused_shape(e)
                && e.closing.as_deref().is_some_and(|c| c.rel_props.is_empty()) =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// How many pairs of relationships [`closing_hop`] `e` and its closing
/// hop match from `row` (with `first`: whether there is one), without
/// copying the row or running the operator machinery: the two ends'
/// sorted lists intersected, as the fused expansion reads them.
pub(crate) fn pair_matches(e: &Expand, row: &[Value], first: bool, ctx: &Ctx<'_>) -> Result<i64> {
    PairCount::new(e, ctx.snapshot)?.count(row, first, ctx)
}

/// A [`closing_hop`] with its types and labels resolved once, to count
/// its pairs from many rows ([`pair_matches`] per row; a batch of a
/// product's rows in `batch.rs`).
pub(crate) struct PairCount<'e> {
    e: &'e Expand,
    types: Types,
    to_labels: Labels,
    fused: Fused<'e>,
    /// A label of either hop that the snapshot does not know: no pairs.
    none: bool,
    /// Whether the pairs through a shared target are the product of its
    /// two runs' lengths ([`PairCount::end_counts`]).
    quick: bool,
}

impl<'e> PairCount<'e> {
    /// `e`, which must have a closing hop, resolved against `snap`.
    pub fn new(e: &'e Expand, snap: &Snapshot) -> Result<Self> {
        let Some(c) = e.closing.as_deref() else {
            return Err(ExecError::internal(
                "pair_matches on an expansion with no closing hop",
            ));
        };
        let (mut types, mut to_labels) = (Types::new(), Labels::new());
        resolve_types_into(&e.types, snap, &mut types);
        let mut none = !resolve_labels_into(&e.to_labels, snap, &mut to_labels);
        let mut fused = Fused {
            expand: c,
            types: Types::new(),
            to_labels: Labels::new(),
        };
        resolve_types_into(&c.types, snap, &mut fused.types);
        none |= !resolve_labels_into(&c.to_labels, snap, &mut fused.to_labels);
        // Nothing compared per relationship: no properties, no other
        // relationship of the pattern to differ from but the pair's
        // first, and no undirected hop (whose self-loops are taken once).
        let quick = e.rel_props.is_empty()
            && c.rel_props.is_empty()
            && e.dir != Dir::Both
            && c.dir != Dir::Both
            && e.unique_with.is_empty()
            && c.unique_with.iter().all(|&s| s == e.rel);
        Ok(PairCount {
            e,
            types,
            to_labels,
            fused,
            none,
            quick,
        })
    }

    /// The pairs from `row` (with `first`: whether there is one).
    pub fn count(&self, row: &[Value], first: bool, ctx: &Ctx<'_>) -> Result<i64> {
        self.count_in(row, None, first, ctx)
    }

    /// [`PairCount::count`] with the ends' lists read before, where
    /// `lists` has them ([`PairCount::x_lists`], [`PairCount::z_lists`]).
    pub fn count_in(
        &self,
        row: &[Value],
        lists: Option<EndLists<'_, '_>>,
        first: bool,
        ctx: &Ctx<'_>,
    ) -> Result<i64> {
        if self.none {
            return Ok(0);
        }
        let mut count = 0i64;
        let mut row = row;
        closing_pairs_in(
            self.e,
            &self.types,
            &self.to_labels,
            &self.fused,
            lists,
            &mut row,
            ctx,
            &mut |_, _| {
                count += 1;
                Ok(!first)
            },
        )?;
        Ok(count)
    }

    /// A probe of the labels a shared target must have, for
    /// [`PairCount::end_counts`] (kept from call to call, it keeps the
    /// chunk of the targets it last looked at).
    pub fn label_probe<'s>(&'s self, snap: &'s Snapshot) -> NodeProbe<'s, 's> {
        NodeProbe::new(snap, &self.to_labels, &[])
    }

    /// The entries of the lists `lists` of one end, ready to count the
    /// pairs each other end makes with it ([`EndCounts::pairs_with`]),
    /// where the pairs through a shared target are the products of its
    /// two runs' lengths (nothing compared per relationship: `None`
    /// otherwise, for [`PairCount::count_in`]). The targets' labels are
    /// checked here, through `labels` ([`PairCount::label_probe`]), once
    /// for every other end: a shared target is one of these.
    pub fn end_counts(
        &self,
        lists: &[AdjSlice<'_>],
        labels: &mut NodeProbe<'_, '_>,
    ) -> Option<EndCounts> {
        if !self.quick {
            return None;
        }
        let mut all: Vec<NodeId> = Vec::new();
        if !self.none {
            for list in lists {
                all.extend(
                    list.iter()
                        .map(|a| a.node)
                        .filter(|n| labels.has_labels(*n)),
                );
            }
        }
        all.sort_unstable();
        Some(EndCounts::from_sorted(all.into_iter().map(|n| (n, 1))))
    }

    /// The slots of the two ends: `x`, where the first hop starts, and
    /// `z`, the bound node the closing hop reaches.
    pub fn ends(&self) -> (usize, usize) {
        (self.e.from, closing_end(self.e, self.fused.expand).0)
    }

    /// The lists of `x` that the count reads, in its order.
    pub fn x_lists<'s>(&self, x: NodeId, snap: &'s Snapshot) -> EndList<'s> {
        end_lists(x, &self.types, self.e.dir, false, snap)
    }

    /// The lists of `z` that the count reads, in its order.
    pub fn z_lists<'s>(&self, z: NodeId, snap: &'s Snapshot) -> EndList<'s> {
        let c = self.fused.expand;
        end_lists(z, &self.fused.types, c.dir, closing_end(self.e, c).1, snap)
    }
}

/// The most targets [`EndCounts::pairs_with`] compares with every entry
/// rather than searching.
const FEW_TARGETS: usize = 8;

/// The entries of one end's lists of a counted closing pair, by target:
/// the targets (sorted, their labels checked) and how many entries reach
/// each ([`PairCount::end_counts`]); where the targets lie within a few
/// ids of each other, also the counts by id from the first.
#[derive(Debug, Default)]
pub(crate) struct EndCounts {
    nodes: Vec<NodeId>,
    counts: Vec<u64>,
    /// Per id from `nodes[0]` to the last, its count (0 for the ids
    /// between): empty where they span more than [`DENSE_SPAN`] ids per
    /// target.
    by_id: Vec<u64>,
}

/// Ids per target that [`EndCounts`] counts by id at most (past a few
/// dozen ids for any number of targets).
const DENSE_SPAN: u64 = 4;

impl EndCounts {
    /// The entries of several ends taken together: per target, the sum of
    /// their counts. A pair count is linear in these counts, so the pairs
    /// another end makes with all of them are the sum of those it makes
    /// with each ([`EndCounts::pairs_with`]).
    pub fn sum(parts: &[EndCounts]) -> EndCounts {
        let mut all: Vec<(NodeId, u64)> = parts
            .iter()
            .flat_map(|p| p.nodes.iter().copied().zip(p.counts.iter().copied()))
            .collect();
        all.sort_unstable_by_key(|(n, _)| *n);
        EndCounts::from_sorted(all)
    }

    /// The counts of `entries` (targets with a count each, sorted by
    /// target), those of one target added up.
    fn from_sorted(entries: impl IntoIterator<Item = (NodeId, u64)>) -> EndCounts {
        let mut out = EndCounts::default();
        for (n, c) in entries {
            match (out.nodes.last(), out.counts.last_mut()) {
                (Some(last), Some(total)) if *last == n => *total += c,
                _ => {
                    out.nodes.push(n);
                    out.counts.push(c);
                }
            }
        }
        out.index();
        out
    }

    /// Counts by id where the targets are close together.
    fn index(&mut self) {
        let (Some(first), Some(last)) = (self.nodes.first(), self.nodes.last()) else {
            return;
        };
        let span = last.0 - first.0 + 1;
        if span > 32 + DENSE_SPAN * self.nodes.len() as u64 {
            return;
        }
        let mut by_id = vec![0; span as usize];
        for (n, c) in self.nodes.iter().zip(&self.counts) {
            by_id[(n.0 - first.0) as usize] = *c;
        }
        self.by_id = by_id;
    }

    /// The pairs that the entries `own` of another end (their targets,
    /// sorted) make with these entries: per entry of `own`, the entries
    /// here that reach its target. Each relationship of one end's run
    /// pairs with each of the other's, as the general path's loops take
    /// them, since one relationship is in both runs only where the ends
    /// are one node (which the caller rules out). Targets close together
    /// are counted by id, with no branch; up to [`FEW_TARGETS`] others are
    /// each compared with every entry; past that, a short list looks each
    /// target up and a long one is walked beside these.
    pub fn pairs_with(&self, own: &[NodeId]) -> i64 {
        let pairs = match self.nodes.first() {
            None => 0,
            Some(first) if !self.by_id.is_empty() => {
                let mut pairs = 0u64;
                for n in own {
                    let at = n.0.wrapping_sub(first.0) as usize;
                    pairs += self.by_id.get(at).copied().unwrap_or(0);
                }
                pairs
            }
            Some(_) if self.nodes.len() <= FEW_TARGETS => {
                let mut pairs = 0u64;
                for a in own {
                    for (n, c) in self.nodes.iter().zip(&self.counts) {
                        pairs += c * u64::from(n == a);
                    }
                }
                pairs
            }
            Some(_) => {
                let bits = (usize::BITS - self.nodes.len().leading_zeros()) as usize;
                if own.len() * bits <= own.len() + self.nodes.len() {
                    own.iter()
                        .filter_map(|a| self.nodes.binary_search(a).ok())
                        .map(|i| self.counts[i])
                        .sum()
                } else {
                    self.walk(own)
                }
            }
        };
        i64::try_from(pairs).unwrap_or(i64::MAX)
    }

    /// [`EndCounts::pairs_with`] of sorted targets, walked beside the
    /// targets here.
    fn walk(&self, own: &[NodeId]) -> u64 {
        let (mut pairs, mut i) = (0, 0);
        for a in own {
            while self.nodes.get(i).is_some_and(|n| n < a) {
                i += 1;
            }
            match self.nodes.get(i) {
                Some(n) if n == a => pairs += self.counts[i],
                Some(_) => {}
                None => break,
            }
        }
        pairs
    }
}

/// The lists of one end of a closing pair, per type and direction.
pub(crate) type EndList<'s> = SmallVec<[AdjSlice<'s>; 2]>;

/// The slot of the bound node `z` that closing hop `c` of `e` reaches,
/// and whether `c` is written from `e`'s target (`z`'s lists are then
/// read in the reverse direction).
fn closing_end(e: &Expand, c: &Expand) -> (usize, bool) {
    if c.to == e.to {
        (c.from, false)
    } else {
        (c.to, true)
    }
}

/// The lists of `n` over `types` in the directions of `dir` (each
/// reversed with `reversed`), in the order [`closing_pairs`] reads them.
fn end_lists<'s>(
    n: NodeId,
    types: &[RelTypeId],
    dir: Dir,
    reversed: bool,
    snap: &'s Snapshot,
) -> EndList<'s> {
    let mut out = SmallVec::new();
    for &t in types {
        for &d in dirs(dir) {
            out.push(snap.adjacency(n, t, if reversed { d.reverse() } else { d }));
        }
    }
    out
}

/// One list pair of a fused closing expansion ([`each_closing_pair`]).
struct Pair<'e> {
    e: &'e Expand,
    c: &'e Expand,
    x: NodeId,
    z: NodeId,
    /// Undirected self-loops to take once: in `x`'s list, in `z`'s.
    skip: (bool, bool),
    to_labels: &'e [LabelId],
}

impl Pair<'_> {
    /// The pairs through target `a`: `ls` its entries in `x`'s list, `rs`
    /// the closing relationships between it and `z`. The closing
    /// relationship differs from the pair's first where uniqueness asks
    /// (the first is compared as it is, not read back from the row).
    fn visit<R: PairRow>(
        &self,
        a: NodeId,
        ls: AdjSlice<'_>,
        rs: AdjSlice<'_>,
        row: &mut R,
        ctx: &Ctx<'_>,
        on_pair: &mut dyn FnMut(&mut R, RelId) -> Result<bool>,
    ) -> Result<bool> {
        let (e, c) = (self.e, self.c);
        if (self.skip.0 && a == self.x)
            || (self.skip.1 && a == self.z)
            || !has_labels(ctx.snapshot, a, self.to_labels)
        {
            return Ok(true);
        }
        for l in ls.iter() {
            if !rel_unique(l.rel, row, &e.unique_with)
                || !rel_props_match(&e.rel_props, l.rel, row, ctx)?
            {
                continue;
            }
            row.bind(e, l);
            for r in rs.iter() {
                if closing_unique(r.rel, l.rel, e.rel, row, &c.unique_with)
                    && rel_props_match(&c.rel_props, r.rel, row, ctx)?
                    && !on_pair(row, r.rel)?
                {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// [`rel_unique`] for a closing relationship `rel` whose pair's first
/// relationship `first` is bound (or is to be bound) in slot `first_slot`.
fn closing_unique(
    rel: RelId,
    first: RelId,
    first_slot: usize,
    row: &[Value],
    unique_with: &[usize],
) -> bool {
    unique_with.iter().all(|&s| {
        if s == first_slot {
            rel != first
        } else {
            rel_unique(rel, row, std::slice::from_ref(&s))
        }
    })
}

fn var_expand(
    e: &Expand,
    types: &[RelTypeId],
    to_labels: &[LabelId],
    row: &mut Row,
    ctx: &Ctx<'_>,
    out: &mut Emit<'_>,
) -> Result<bool> {
    let snap = ctx.snapshot;
    let (min, max) = e
        .var_length
        .expect("var_expand is only called for variable-length expansions");
    let Value::Node(from) = row[e.from] else {
        return Ok(true);
    };
    let target = if e.to_bound {
        match row[e.to] {
            Value::Node(n) => Some(n),
            _ => return Ok(true),
        }
    } else {
        None
    };
    let mut count = 0i64;
    let counting = e.count_into.is_some();
    let mut emit = |node: NodeId, rels: &[RelId], row: &mut Row| -> Result<bool> {
        if let Some(t) = target {
            if t != node {
                return Ok(true);
            }
        } else if !has_labels(snap, node, to_labels) {
            return Ok(true);
        }
        if counting {
            count += 1;
            return Ok(true);
        }
        let mut list: Vec<Value> = rels.iter().map(|r| Value::Relationship(*r)).collect();
        if e.reverse_list {
            list.reverse();
        }
        row[e.rel] = Value::List(list);
        put_node(&mut row[e.to], node);
        out(row)
    };
    // Iterative DFS over a stack of cursors into the adjacency lists: its
    // memory grows with the path's length, not with the degrees along it.
    let next_steps = Steps::new;
    let more = 'walk: {
        if let Some(b) = target.filter(|_| max <= 2 && e.rel_props.is_empty() && !e.max_is_limit) {
            // Both ends bound and at most two hops: meet in the middle.
            let once = e.distinct_endpoints;
            break 'walk super::trails::trails_between(
                e, types, from, b, min, max, row, ctx, once, &mut emit,
            )?;
        }
        if e.distinct_endpoints {
            break 'walk reach(e, types, from, min, max, row, ctx, &mut |n, row| {
                emit(n, &[], row)
            })?;
        }
        if min == 0 && !emit(from, &[], row)? {
            break 'walk false;
        }
        if max == 0 {
            break 'walk true;
        }
        let mut rels: Vec<RelId> = Vec::new();
        let mut stack: Vec<Steps<'_>> = vec![next_steps(from)];
        while let Some(top) = stack.last_mut() {
            let Some((rel, node)) = top.next(snap, types, e.dir) else {
                stack.pop();
                rels.pop();
                continue;
            };
            tick(ctx)?;
            if rels.contains(&rel)
                || !rel_unique(rel, row, &e.unique_with)
                || !rel_props_match(&e.rel_props, rel, row, ctx)?
            {
                continue;
            }
            rels.push(rel);
            let depth = rels.len() as u32;
            if depth >= min && !emit(node, &rels, row)? {
                break 'walk false;
            }
            if depth < max {
                stack.push(next_steps(node));
            } else {
                if e.max_is_limit {
                    // Would the path go on? Then the answer is incomplete.
                    let mut after = next_steps(node);
                    while let Some((next, _)) = after.next(snap, types, e.dir) {
                        if !rels.contains(&next)
                            && rel_unique(next, row, &e.unique_with)
                            && rel_props_match(&e.rel_props, next, row, ctx)?
                        {
                            return Err(past_bound(max));
                        }
                    }
                }
                rels.pop();
            }
        }
        true
    };
    if !more {
        return Ok(false);
    }
    match e.count_into {
        Some(w) => emit_count(w, count, row, out),
        None => Ok(true),
    }
}

/// The steps a variable-length expansion may take from `node`: a position
/// in its adjacency lists, type by type and direction by direction.
pub(super) struct Steps<'s> {
    node: NodeId,
    /// Index of the relationship type, and of the direction after the one
    /// `adj` belongs to.
    t: usize,
    d: usize,
    adj: AdjSlice<'s>,
    i: usize,
}

impl<'s> Steps<'s> {
    pub(super) fn new(node: NodeId) -> Self {
        Steps {
            node,
            t: 0,
            d: 0,
            adj: AdjSlice::EMPTY,
            i: 0,
        }
    }

    /// The adjacency list the last step came from: the index of its type
    /// in the expansion's types and of its direction in [`dirs`].
    pub(super) fn list(&self) -> (usize, usize) {
        (self.t, self.d.saturating_sub(1))
    }

    /// The next step (relationship, neighbour), if any.
    pub(super) fn next(
        &mut self,
        snap: &'s Snapshot,
        types: &[RelTypeId],
        dir: Dir,
    ) -> Option<(RelId, NodeId)> {
        let ds = dirs(dir);
        loop {
            if let Some(a) = self.adj.get(self.i) {
                self.i += 1;
                // An undirected self-loop is one step, not two.
                if dir == Dir::Both && ds[self.d - 1] == Direction::Incoming && a.node == self.node
                {
                    continue;
                }
                return Some((a.rel, a.node));
            }
            // The next (type, direction) list.
            if self.d == ds.len() {
                self.d = 0;
                self.t += 1;
            }
            let t = *types.get(self.t)?;
            self.adj = snap.adjacency(self.node, t, ds[self.d]);
            self.d += 1;
            self.i = 0;
        }
    }
}

/// The error for a variable-length match that would extend past
/// `QueryOptions::max_var_length`.
fn past_bound(max: u32) -> ExecError {
    ExecError::limit(format!(
        "a variable-length pattern without an upper bound matched a path longer than \
         the bound of {max} hops set by QueryOptions::max_var_length; write an explicit \
         upper bound (e.g. *..{max}) or raise the option"
    ))
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
    row: &mut Row,
    ctx: &Ctx<'_>,
    emit: &mut dyn FnMut(NodeId, &mut Row) -> Result<bool>,
) -> Result<bool> {
    let snap = ctx.snapshot;
    // Node ids: a cheap hash (SipHash was a sixth of a 3-hop reach).
    let mut seen: FxHashMap<NodeId, Reached> = FxHashMap::default();
    seen.insert(from, Reached::START);
    let mut frontier = vec![from];
    // With no minimum the start is an endpoint anyway: emit it first, as
    // the enumeration of trails does.
    if min == 0 && !emit(from, row)? {
        return Ok(false);
    }
    // The length of the shortest closed trail through the start found so far.
    let mut cycle = None;
    let mut depth = 0;
    while !frontier.is_empty() && depth < max {
        ctx.guard.check()?;
        depth += 1;
        let mut next = Vec::new();
        for &u in &frontier {
            let at_u = seen[&u];
            for &d in dirs(e.dir) {
                for &t in types {
                    for a in snap.adjacency(u, t, d).iter() {
                        tick(ctx)?;
                        if !rel_props_match(&e.rel_props, a.rel, row, ctx)? {
                            continue;
                        }
                        match seen.entry(a.node) {
                            std::collections::hash_map::Entry::Vacant(v) => {
                                v.insert(at_u.child(a.rel, depth));
                                next.push(a.node);
                                if !emit(a.node, row)? {
                                    return Ok(false);
                                }
                            }
                            std::collections::hash_map::Entry::Occupied(o) => {
                                if let Some(len) = closes(e.dir, at_u, *o.get(), a.rel) {
                                    cycle = Some(cycle.map_or(len, |c: u32| c.min(len)));
                                }
                            }
                        }
                    }
                }
            }
        }
        frontier = next;
    }
    let start_again = min == 0 || cycle.is_some_and(|c| c <= max);
    if e.max_is_limit && !start_again && cycle.is_some() {
        // Back at the start only past the bound: the answer would lack it.
        return Err(past_bound(max));
    }
    if e.max_is_limit && depth == max {
        // Would a node (or a trail back to the start) be reached in more
        // hops? Then the answer is incomplete.
        for &u in &frontier {
            let at_u = seen[&u];
            for &d in dirs(e.dir) {
                for &t in types {
                    for a in snap.adjacency(u, t, d).iter() {
                        let further = match seen.get(&a.node) {
                            None => true,
                            Some(at_v) => {
                                !start_again && closes(e.dir, at_u, *at_v, a.rel).is_some()
                            }
                        };
                        if further && rel_props_match(&e.rel_props, a.rel, row, ctx)? {
                            return Err(past_bound(max));
                        }
                    }
                }
            }
        }
    }
    if start_again && min > 0 {
        return emit(from, row);
    }
    Ok(true)
}

/// Where the BFS of `reach` found a node: its distance from the start, the
/// relationship it was found through, and the first relationship of its
/// path from the start (its branch of the BFS tree).
#[derive(Clone, Copy)]
struct Reached {
    depth: u32,
    via: Option<RelId>,
    branch: Option<RelId>,
}

impl Reached {
    const START: Reached = Reached {
        depth: 0,
        via: None,
        branch: None,
    };

    fn child(self, rel: RelId, depth: u32) -> Reached {
        Reached {
            depth,
            via: Some(rel),
            branch: self.branch.or(Some(rel)),
        }
    }
}

/// The length of a closed trail through the start that relationship `rel`
/// from `u` to the already reached `v` closes, if it closes one.
/// Directed: `v` is the start (`u`'s path plus `rel` is a cycle, the
/// shortest of which is a trail). Undirected: `u` and `v` lie on different
/// branches of the BFS tree (the start being a branch of its own) and
/// `rel` is not `u`'s own tree edge, so the two tree paths and `rel` share
/// no relationship; the shortest closed trail through the start is the
/// smallest such sum (or 1, a loop on the start).
fn closes(dir: Dir, u: Reached, v: Reached, rel: RelId) -> Option<u32> {
    match dir {
        // A loop on the start itself.
        Dir::Both if u.depth == 0 && v.depth == 0 => Some(1),
        Dir::Both => (u.branch != v.branch && u.via != Some(rel) && v.via != Some(rel))
            .then_some(u.depth + v.depth + 1),
        _ => (v.depth == 0).then_some(u.depth + 1),
    }
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
    Ok(Value::from(Path { nodes, rels }))
}

/// The node id a value names, if it is a whole non-negative number.
fn node_id_of(v: &Value) -> Option<NodeId> {
    match v {
        Value::Int(i) => u64::try_from(*i).ok().map(NodeId),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64 => {
            Some(NodeId(*f as u64))
        }
        _ => None,
    }
}
