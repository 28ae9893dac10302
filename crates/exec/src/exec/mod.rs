//! The executor: runs a compiled pipeline over batches of rows.
//!
//! Consecutive streaming operators (scans, expansions, filters,
//! projections) are fused into a segment that runs in parallel with rayon
//! over morsels of the input (or of the node id space, for the first scan).
//! Segments are processed in waves of tasks, and results are collected in
//! task order, so the output is the same whatever the thread count. Between
//! waves the guard checks the timeout, cancellation and memory budget.
//! Pipeline breakers (aggregation, sorting, DISTINCT, SKIP/LIMIT, writes)
//! work on the whole materialized input.

mod batch;
mod groups;
pub(crate) mod shortest;
mod sort;
mod split;
pub(crate) mod stream;
mod trails;
pub(crate) mod write;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use relgraph_graph::store::WriteTxn;
use relgraph_graph::temporal::DateTime;
use relgraph_graph::{ChangeSet, Snapshot, Value};
use smallvec::SmallVec;

use self::groups::{Finished, GroupTable, Groups, Run};
use self::sort::{sort, top_rows, TopK, TOP_K_MAX};
use self::stream::Sink;
use crate::error::{ErrorKind, ExecError, Result};
use crate::eval::{self, eval, Ctx, SubPlans};
use crate::functions::aggregate::{self, Accumulator};
use crate::options::{Guard, VALUE_BYTES};
use crate::params::LateParams;
use crate::plan::{AggSpec, CExpr, HashJoin, NodeScan, Op, OpProfile, Row, Seek, SubPlan};
use crate::procedures::Table;
use crate::result::QueryStats;
use crate::tables::{JoinTable, RunTables};
use crate::value_ops::GroupKey;

/// Morsels a label scan is split into (before the 64-node minimum).
const SCAN_MORSELS: usize = 32;
/// Rows per task of a parallel segment.
const BATCH: usize = 256;
/// Rows per partial aggregation of materialized rows.
const AGG_CHUNK: usize = 4096;
pub(crate) use crate::options::PAR_MIN_ROWS;
/// Rows a sink takes between two checks of the guard.
const CHECK_EVERY: usize = 4096;

/// The mutable state of one running statement.
pub(crate) struct State<'a> {
    /// The working snapshot: the statement's view including its own writes.
    pub snapshot: Snapshot,
    pub params: &'a BTreeMap<String, Value>,
    /// When set, writes go straight into this transaction (autocommit,
    /// where a failed statement discards the whole transaction anyway).
    pub txn: Option<&'a mut WriteTxn>,
    pub guard: &'a Guard,
    pub now: DateTime,
    /// All changes of the statement so far.
    pub changes: ChangeSet,
    pub stats: QueryStats,
    /// Filled when profiling: one entry per top-level operator.
    pub profile: Option<Vec<OpProfile>>,
    /// The plan's run-time tables, each built on first use.
    pub tables: RunTables,
    /// The values of a prepared plan's late parameters.
    pub late: &'a LateParams,
}

impl State<'_> {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            snapshot: &self.snapshot,
            params: self.params,
            guard: self.guard,
            now: &self.now,
            tables: &self.tables,
            late: self.late,
            subplans: &SUBPLANS,
        }
    }
}

/// What a [`Ctx`] borrows besides the snapshot, owned, for unit tests of
/// the runtime: no parameters, no run-time tables, a guard on `options`.
#[cfg(test)]
pub(crate) struct TestCtx {
    params: BTreeMap<String, Value>,
    guard: Guard,
    now: DateTime,
}

#[cfg(test)]
impl TestCtx {
    pub(crate) fn new(options: &crate::options::QueryOptions) -> TestCtx {
        TestCtx {
            params: BTreeMap::new(),
            guard: Guard::new(options),
            now: crate::functions::temporal::statement_now(),
        }
    }

    /// A context over `snapshot`.
    pub(crate) fn ctx<'a>(&'a self, snapshot: &'a Snapshot) -> Ctx<'a> {
        Ctx {
            snapshot,
            params: &self.params,
            guard: &self.guard,
            now: &self.now,
            tables: &crate::tables::NO_TABLES,
            late: &crate::eval::NO_LATE,
            subplans: &SUBPLANS,
        }
    }
}

/// The runtime's way of running sub-plans, for the evaluator
/// ([`SubPlans`]): pattern predicates of one hop, and of one hop closed
/// by a second into a bound node, are answered in place.
pub(crate) static SUBPLANS: SubPlans = SubPlans {
    any: run_sub_any,
    count: run_sub_count,
    all: |plan, row, ctx| run_sub_all(&plan.ops, row, ctx),
};

/// True if the sub-plan yields at least one row from `row` (depth first,
/// stopping at the first match).
pub(crate) fn run_sub_any(plan: &SubPlan, row: &[Value], ctx: &Ctx<'_>) -> Result<bool> {
    let ops = &plan.ops;
    if let Some((e, checks)) = stream::single_hop(ops) {
        return Ok(stream::hop_matches(e, &checks, row, true, ctx)? > 0);
    }
    if let Some(e) = stream::closing_hop(ops) {
        return Ok(stream::pair_matches(e, row, true, ctx)? > 0);
    }
    struct First(bool);
    impl Sink for First {
        fn push(&mut self, _: &mut Row) -> Result<bool> {
            self.0 = true;
            Ok(false)
        }
    }
    let mut first = First(false);
    with_scratch(row, plan.reads(), |r| stream::push(ops, r, ctx, &mut first))?;
    Ok(first.0)
}

/// How many rows the sub-plan yields from `row` (`size()` of a pattern
/// comprehension), none of them copied.
pub(crate) fn run_sub_count(plan: &SubPlan, row: &[Value], ctx: &Ctx<'_>) -> Result<i64> {
    let ops = &plan.ops;
    if let Some((e, checks)) = stream::single_hop(ops) {
        return stream::hop_matches(e, &checks, row, false, ctx);
    }
    if let Some(e) = stream::closing_hop(ops) {
        return stream::pair_matches(e, row, false, ctx);
    }
    struct Count(i64);
    impl Sink for Count {
        fn push(&mut self, _: &mut Row) -> Result<bool> {
            self.0 += 1;
            Ok(true)
        }
    }
    let mut count = Count(0);
    with_scratch(row, plan.reads(), |r| stream::push(ops, r, ctx, &mut count))?;
    Ok(count.0)
}

thread_local! {
    /// Rows a sub-plan run borrows as its scratch row and gives back
    /// (a stack: sub-plans nest).
    static SCRATCH: std::cell::RefCell<Vec<Row>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` on a scratch row kept by the thread that holds `row`'s values
/// in the slots `reads` (those the sub-plan's operators read; it binds
/// the others before reading them), so a sub-plan run per row (a pattern
/// predicate or count over 450,000 product rows of 22 slots) neither
/// allocates a row nor copies the slots it never reads. Only for runs
/// whose rows are not kept: a kept row would show the other slots' stale
/// values.
fn with_scratch<T>(
    row: &[Value],
    reads: &[usize],
    f: impl FnOnce(&mut Row) -> Result<T>,
) -> Result<T> {
    let mut r = SCRATCH.with(|s| s.borrow_mut().pop()).unwrap_or_default();
    if r.len() != row.len() {
        r.clear();
        r.resize_with(row.len(), || Value::Null);
    }
    for &s in reads {
        if let (Some(to), Some(from)) = (r.get_mut(s), row.get(s)) {
            crate::plan::put_value(to, from);
        }
    }
    let out = stream::with_stack_base(|| f(&mut r));
    // Copies that hold memory go now, so that the thread keeps no large
    // value of this row past the query (what the operators bound is nodes
    // and relationships: they restore the slots they reassign).
    for &s in reads {
        if let Some(v) = r.get_mut(s) {
            if eval::heap_bytes(v) > 0 {
                *v = Value::Null;
            }
        }
    }
    SCRATCH.with(|s| s.borrow_mut().push(r));
    out
}

/// All rows the sub-plan yields from `row` (pattern comprehensions, MERGE).
pub(crate) fn run_sub_all(ops: &[Op], row: &[Value], ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    let mut sink = Collect::new(None, ctx.guard);
    stream::with_stack_base(|| stream::push(ops, &mut row.to_vec(), ctx, &mut sink))?;
    Ok(std::mem::take(&mut sink.rows))
}

/// A sink that keeps every row (or the first `limit`), holding their
/// memory in the guard as it grows (all tasks together count against the
/// memory budget); the hold ends when the sink is dropped.
pub(crate) struct Collect<'a> {
    pub rows: Vec<Row>,
    limit: Option<usize>,
    guard: &'a Guard,
    held: u64,
    /// Bytes of rows kept since the last hold.
    pending: u64,
}

/// Bytes a sink keeps before it holds them against the memory budget,
/// whatever the number of rows (one row may hold a long path or list).
const HOLD_STEP: u64 = 1 << 20;

impl<'a> Collect<'a> {
    pub fn new(limit: Option<usize>, guard: &'a Guard) -> Self {
        Collect {
            rows: Vec::new(),
            limit,
            guard,
            held: 0,
            pending: 0,
        }
    }
}

impl Drop for Collect<'_> {
    fn drop(&mut self) {
        self.guard.release(self.held);
    }
}

impl Sink for Collect<'_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        if self.rows.len() == self.rows.capacity() {
            // The vector doubles: for a moment the old and the new buffer
            // both exist. Hold the new one before allocating it, release
            // the old one after (at millions of rows these buffers are a
            // large share of the memory a query uses).
            let slot = std::mem::size_of::<Row>() as u64;
            let old = self.rows.capacity() as u64 * slot;
            let new = (self.rows.capacity().max(4) * 2) as u64 * slot;
            // (`hold` counts the bytes even when it refuses them.)
            self.held += new;
            self.guard.hold(new)?;
            self.rows.reserve_exact(self.rows.capacity().max(4));
            self.guard.release(old);
            self.held -= old;
        }
        self.rows.push(row.clone());
        self.pending += row_bytes(row);
        let n = self.rows.len();
        let check = n.is_multiple_of(CHECK_EVERY);
        if check || self.pending >= HOLD_STEP {
            if check {
                self.guard.check()?;
            }
            let bytes = std::mem::take(&mut self.pending);
            self.held += bytes;
            self.guard.hold(bytes)?;
        }
        Ok(self.limit.is_none_or(|l| n < l))
    }
}

impl split::Absorb for Collect<'_> {
    fn absorb(&mut self, mut later: Self) -> Result<()> {
        // The later rows' hold moves with them.
        self.held += std::mem::take(&mut later.held);
        self.pending += std::mem::take(&mut later.pending);
        self.rows.append(&mut later.rows);
        Ok(())
    }
}

/// Runs a pipeline from one empty row of `width` slots.
pub(crate) fn run_pipeline(ops: &[Op], width: usize, st: &mut State<'_>) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = vec![crate::plan::null_row(width)];
    // The rows passed from one stage to the next count against the memory
    // budget until the stage after has replaced them.
    let mut alive = Hold {
        guard: st.guard,
        bytes: 0,
    };
    let mut i = 0;
    while i < ops.len() {
        if st.profile.is_some() {
            let t0 = Instant::now();
            rows = if ops[i].is_streaming() {
                let ctx = st.ctx();
                prepare_joins(&ops[i..i + 1], width, &ctx)?;
                run_segment(&ops[i..i + 1], rows, None, width, &ctx)?
            } else {
                run_breaker(&ops[i], rows, width, st)?
            };
            hold_rows(&mut alive, &rows)?;
            let p = st.profile.as_mut().expect("checked is_some above");
            p.push(OpProfile {
                rows: rows.len(),
                time: t0.elapsed(),
            });
            i += 1;
            continue;
        }
        if ops[i].is_streaming() {
            let mut j = i;
            while j < ops.len() && ops[j].is_streaming() {
                j += 1;
            }
            // A LIMIT right after the segment lets it stop early.
            let hint = match (ops.get(j), ops.get(j + 1)) {
                (Some(Op::Limit(l)), _) => Some(*l),
                (Some(Op::Skip(s)), Some(Op::Limit(l))) => Some(s.saturating_add(*l)),
                _ => None,
            };
            let ctx = st.ctx();
            prepare_joins(&ops[i..j], width, &ctx)?;
            if let Some(Op::Distinct { slots }) = ops.get(j) {
                // The segment's rows go straight into per-task sets.
                st.guard.check()?;
                rows = distinct(&ops[i..j], slots, rows, width, &ctx)?;
                hold_rows(&mut alive, &rows)?;
                i = j + 1;
                continue;
            }
            if let Some(Op::Aggregate { keys, aggs, .. }) = ops.get(j) {
                // The segment feeds its rows straight into per-task groups.
                st.guard.check()?;
                let (after, used) = After::of(&ops[j + 1..]);
                rows = aggregate(&ops[i..j], keys, aggs, rows, width, &after, &ctx)?;
                hold_rows(&mut alive, &rows)?;
                i = j + 1 + used;
                continue;
            }
            if let Some(Op::Sort {
                keys,
                limit: Some(k),
                ..
            }) = ops.get(j)
            {
                if *k <= TOP_K_MAX {
                    // The segment's rows go straight into per-task top-k.
                    st.guard.check()?;
                    rows = top_rows(&ops[i..j], keys, *k, rows, &ctx)?;
                    hold_rows(&mut alive, &rows)?;
                    i = j + 1;
                    continue;
                }
            }
            rows = run_segment(&ops[i..j], rows, hint, width, &ctx)?;
            i = j;
        } else if let Op::Aggregate { keys, aggs, .. } = &ops[i] {
            st.guard.check()?;
            let (after, used) = After::of(&ops[i + 1..]);
            let ctx = st.ctx();
            rows = aggregate(&[], keys, aggs, rows, width, &after, &ctx)?;
            i += 1 + used;
        } else {
            // A full sort hands back the same rows in another order, and
            // the result's end the same rows: what they hold is held
            // already (measuring them again read every value of every
            // row, 6% of cookbook cb07 at scale 450, and after the sort
            // out of allocation order, 2%).
            let same_rows = matches!(ops[i], Op::Sort { limit: None, .. } | Op::Produce { .. });
            rows = run_breaker(&ops[i], rows, width, st)?;
            i += 1;
            if same_rows {
                continue;
            }
        }
        hold_rows(&mut alive, &rows)?;
    }
    Ok(rows)
}

/// About how many bytes a materialized row takes: its values, and the
/// vector and allocation that hold them.
#[inline]
fn row_bytes(row: &[Value]) -> u64 {
    VALUE_BYTES * (row.len() as u64 + 1) + row.iter().map(eval::heap_bytes).sum::<u64>()
}

/// Holds the bytes of `rows` instead of what `h` held before.
fn hold_rows(h: &mut Hold<'_>, rows: &[Row]) -> Result<()> {
    let bytes: u64 =
        rows.iter().map(|r| row_bytes(r)).sum::<u64>() + std::mem::size_of_val(rows) as u64;
    h.guard.release(std::mem::take(&mut h.bytes));
    h.add(bytes)
}

/// Builds the tables of the segment's hash joins before its tasks start
/// (so parallel tasks do not race to build them).
fn prepare_joins(ops: &[Op], width: usize, ctx: &Ctx<'_>) -> Result<()> {
    // The segment's first join is built, if it is, when its tasks are
    // made ([`tasks_grouped`]): a build that streams is never kept.
    for op in ops.iter().skip(1) {
        // A join whose build reads the incoming row's params is built
        // for the first row that reaches it.
        if let Op::HashJoin(j) = op {
            if !j.params.is_empty() {
                continue;
            }
            stream::join_table(j, &crate::plan::null_row(width), ctx)?;
        }
    }
    Ok(())
}

/// One unit of parallel work.
enum Task<'t> {
    Rows(Vec<Row>),
    /// The first scan of a segment over one morsel of node ids.
    Morsel(Row, std::ops::Range<u64>),
    /// Rows of the table of the procedure call that starts the segment.
    Table(Row, Arc<dyn Table + 't>, std::ops::Range<usize>),
    /// One input row joined with a range of the build rows of the product
    /// (a hash join without keys) that starts the segment.
    Product(Row, std::ops::Range<usize>),
    /// A range of the build rows of the product that starts the segment,
    /// each joined with every input row in turn (build-major: the rows of
    /// one build row come together).
    ProductRows(Arc<[Row]>, std::ops::Range<usize>),
    /// A morsel of the node ids of the scan that starts the build side of
    /// the product that starts the segment, each build row joined with
    /// every input row in turn as it comes (build-major, the build not
    /// kept: `stream::product_scan`).
    ProductScan(Arc<[Row]>, std::ops::Range<u64>),
}

/// Pairs of (input row, build row) a product that starts a segment must
/// make before it is split into [`Task::Product`]s.
const PRODUCT_SPLIT_MIN: usize = 1 << 14;
/// About how many [`Task::Product`]s a product is split into; more input
/// rows than this are batched as rows.
const PRODUCT_TASKS: usize = 128;

/// Splits a segment's input into tasks: morsels of the node id space when
/// the segment starts with a label or full scan from a single row, morsels
/// of a procedure's table when it starts with a call that computes one
/// from a single row, else batches of `batch` rows.
fn tasks_for<'c>(
    ops: &[Op],
    input: Vec<Row>,
    batch: usize,
    ctx: &Ctx<'c>,
) -> Result<Vec<Task<'c>>> {
    tasks_grouped(ops, input, batch, ctx, &[])
}

/// [`tasks_for`] a segment whose rows an aggregation groups by `keys`: a
/// product that starts it runs build-major when the keys are computed
/// from the build side alone, so that the rows of one group arrive
/// together (the group's accumulators and its build row's properties and
/// adjacency stay in cache; cookbook cb09 groups ten customers' rows by
/// each of the companies they were paired with).
fn tasks_grouped<'c>(
    ops: &[Op],
    input: Vec<Row>,
    batch: usize,
    ctx: &Ctx<'c>,
    keys: &[(CExpr, usize)],
) -> Result<Vec<Task<'c>>> {
    let morsels = match ops.first() {
        Some(Op::NodeScan(s)) if input.len() == 1 => scan_morsels(s, ctx),
        _ => None,
    };
    if let Some((morsels, _)) = morsels {
        let row = input.into_iter().next().expect("input has exactly one row");
        return Ok(morsels
            .into_iter()
            .map(|m| Task::Morsel(row.clone(), m))
            .collect());
    }
    if let (Some(Op::Procedure(call)), [row]) = (ops.first(), input.as_slice()) {
        if let Some(table) = crate::procedures::run::table_for(call, row, ctx)? {
            // About SCAN_MORSELS morsels, by row count alone (not per
            // thread), for the same reason as scans.
            let table: Arc<dyn Table + 'c> = Arc::from(table);
            let n = table.len();
            let per = (n / SCAN_MORSELS).clamp(1024, 1 << 16);
            return Ok((0..n)
                .step_by(per)
                .map(|s| Task::Table(row.clone(), table.clone(), s..(s + per).min(n)))
                .collect());
        }
    }
    if let Some(Op::HashJoin(j)) = ops.first() {
        let build_major = keyed_by_build(j, &ops[1..], keys);
        if build_major {
            if let Some(tasks) = product_scan_tasks(j, &input, ctx)? {
                return Ok(tasks);
            }
        }
        if let Some(tasks) = product_tasks(j, &input, ctx, build_major)? {
            return Ok(tasks);
        }
        if let Some(first) = input.first() {
            // Built before the tasks start, so that they do not race to
            // build it ([`prepare_joins`] leaves a segment's first join).
            stream::join_table(j, first, ctx)?;
        }
    }
    let mut tasks = Vec::with_capacity(input.len() / batch + 1);
    let mut it = input.into_iter();
    loop {
        let chunk: Vec<Row> = it.by_ref().take(batch).collect();
        if chunk.is_empty() {
            break;
        }
        tasks.push(Task::Rows(chunk));
    }
    Ok(tasks)
}

/// The tasks of a segment that starts with a product whose build side
/// runs a morsel at a time ([`HashJoin::streamed_build`]), joined
/// build-major with a few input rows that all read the same values of
/// its params: one [`Task::ProductScan`] per morsel of the build's scan,
/// as a scan that starts a segment has. `None` where the product is not
/// such, or makes fewer than [`PRODUCT_SPLIT_MIN`] pairs by the label's
/// count (a kept build is cheaper to share out then).
fn product_scan_tasks<'c>(
    j: &HashJoin,
    input: &[Row],
    ctx: &Ctx<'c>,
) -> Result<Option<Vec<Task<'c>>>> {
    let Some(scan) = j.streamed_build() else {
        return Ok(None);
    };
    let Some(first) = input.first() else {
        return Ok(None);
    };
    if !j.probe_keys.is_empty() || input.len() > PRODUCT_TASKS {
        return Ok(None);
    }
    let params = stream::param_values(&j.params, first);
    if !input
        .iter()
        .all(|r| stream::param_values(&j.params, r) == params)
    {
        return Ok(None);
    }
    let Some((morsels, total)) = scan_morsels(scan, ctx) else {
        return Ok(None);
    };
    if morsels.is_empty() {
        return Ok(Some(Vec::new()));
    }
    if total.saturating_mul(input.len()) < PRODUCT_SPLIT_MIN {
        return Ok(None);
    }
    // The properties the join reads ahead, once per input row for all
    // its tasks.
    let mut rows = input.to_vec();
    for row in &mut rows {
        stream::read_probe(j, row, ctx)?;
    }
    let shared: Arc<[Row]> = rows.into();
    Ok(Some(
        morsels
            .into_iter()
            .map(|m| Task::ProductScan(shared.clone(), m))
            .collect(),
    ))
}

/// The morsels of label or full scan `s` (about [`SCAN_MORSELS`] of 64 to
/// 4,096 nodes over the chunks that hold the label; fixed, not per
/// thread, so partial aggregates, and float rounding, do not depend on
/// the thread count), with the number of nodes it reads: none for an
/// unknown label, which matches nothing. `None` for a scan by another
/// seek.
fn scan_morsels(s: &NodeScan, ctx: &Ctx<'_>) -> Option<(Vec<std::ops::Range<u64>>, usize)> {
    let label = match &s.seek {
        Seek::All => None,
        Seek::Label(l) => match l.resolve(ctx.snapshot.catalog()) {
            Some(id) => Some(id),
            None => return Some((Vec::new(), 0)),
        },
        _ => return None,
    };
    let total = match label {
        Some(l) => ctx.snapshot.label_count(l),
        None => ctx.snapshot.node_count(),
    } as usize;
    let per = (total / SCAN_MORSELS).clamp(64, 4096);
    Some((ctx.snapshot.label_morsels(label, per), total))
}

/// The tasks of a segment that starts with a product (a hash join without
/// keys) of many pairs from a few input rows: each input row with ranges
/// of the build rows, about [`PRODUCT_TASKS`] in all and at least 256
/// build rows each (fixed by the sizes, not the thread count), so the
/// product itself runs in parallel and no row is copied to share it
/// (cookbook cb09: ten customers with every company). Many input rows
/// are shared out as batches of rows instead (each task holds a copy of
/// its input row).
fn product_tasks<'c>(
    j: &HashJoin,
    input: &[Row],
    ctx: &Ctx<'c>,
    build_major: bool,
) -> Result<Option<Vec<Task<'c>>>> {
    if !j.probe_keys.is_empty() || input.is_empty() || input.len() > PRODUCT_TASKS {
        return Ok(None);
    }
    // Ranges of one table: every input row must join the run's table.
    let table = stream::join_table(j, &input[0], ctx)?;
    let std::borrow::Cow::Borrowed(table) = table else {
        return Ok(None);
    };
    if !input.iter().all(|r| stream::built_for(j, table, r)) {
        return Ok(None);
    }
    let n = table.rows.len();
    let pairs = n.saturating_mul(input.len());
    if pairs < PRODUCT_SPLIT_MIN {
        return Ok(None);
    }
    // The properties the join reads ahead, once per input row for all
    // its tasks.
    let mut rows = input.to_vec();
    for row in &mut rows {
        stream::read_probe(j, row, ctx)?;
    }
    let per = (pairs / PRODUCT_TASKS).max(256);
    if build_major {
        let per = per.div_ceil(rows.len());
        let shared: Arc<[Row]> = rows.into();
        return Ok(Some(
            (0..n)
                .step_by(per)
                .map(|s| Task::ProductRows(shared.clone(), s..(s + per).min(n)))
                .collect(),
        ));
    }
    let mut tasks = Vec::new();
    for row in &rows {
        for start in (0..n).step_by(per) {
            tasks.push(Task::Product(row.clone(), start..(start + per).min(n)));
        }
    }
    Ok(Some(tasks))
}

/// Whether grouping `keys` (evaluated after `rest`, the operators after
/// product `j`) read only values of the product's build side: its slots,
/// or slots the projections in `rest` compute from them alone.
fn keyed_by_build(j: &HashJoin, rest: &[Op], keys: &[(CExpr, usize)]) -> bool {
    let mut build: HashSet<usize> = j.slots.iter().copied().collect();
    let from_build = |e: &CExpr, build: &HashSet<usize>| {
        let (mut any, mut only) = (false, true);
        e.visit_slots(&mut |s| {
            any = true;
            only &= build.contains(&s);
        });
        any && only
    };
    for op in rest {
        if let Op::Project { items, .. } = op {
            crate::plan::project_slot_set(items, &mut build, from_build);
        }
    }
    !keys.is_empty() && keys.iter().all(|(e, _)| from_build(e, &build))
}

/// Runs one task's rows through the segment into `sink`.
fn run_task(ops: &[Op], task: Task, ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<()> {
    ctx.guard.check()?;
    stream::with_stack_base(|| run_task_rows(ops, task, ctx, sink))
}

fn run_task_rows(ops: &[Op], task: Task, ctx: &Ctx<'_>, sink: &mut dyn Sink) -> Result<()> {
    match task {
        Task::Rows(rows) => {
            for mut r in rows {
                if !stream::push(ops, &mut r, ctx, sink)? {
                    break;
                }
            }
        }
        Task::Table(mut row, table, range) => {
            let Op::Procedure(call) = &ops[0] else {
                unreachable!("table tasks start with a procedure call")
            };
            for i in range {
                crate::procedures::run::bind_table_row(call, &*table, i, &mut row);
                if !stream::push(&ops[1..], &mut row, ctx, sink)? {
                    break;
                }
            }
        }
        Task::Product(mut row, range) => {
            let Op::HashJoin(j) = &ops[0] else {
                unreachable!("product tasks start with a product")
            };
            let table = stream::join_table(j, &row, ctx)?;
            stream::product_range(j, &table, range, &ops[1..], &mut row, ctx, sink)?;
        }
        Task::ProductRows(rows, range) => {
            let Op::HashJoin(j) = &ops[0] else {
                unreachable!("product tasks start with a product")
            };
            let mut rows = rows.to_vec();
            stream::product_rows(j, range, &ops[1..], &mut rows, ctx, sink)?;
        }
        Task::ProductScan(rows, morsel) => {
            let Op::HashJoin(j) = &ops[0] else {
                unreachable!("product tasks start with a product")
            };
            let mut rows = rows.to_vec();
            stream::product_scan(j, morsel, &ops[1..], &mut rows, ctx, sink)?;
        }
        Task::Morsel(mut row, range) => {
            let Op::NodeScan(s) = &ops[0] else {
                unreachable!("morsel tasks start with a scan")
            };
            let checks = crate::plan::compares::scan_comparisons(s, &ops[1..]);
            let rest = &ops[1 + checks.fused..];
            stream::scan(s, &checks, &mut row, Some(range), ctx, &mut |r| {
                stream::push(rest, r, ctx, sink)
            })?;
        }
    }
    Ok(())
}

/// Runs every task with a fresh sink from `make` (given the task's index),
/// in parallel, and returns the sinks in task order (so results do not
/// depend on the thread count).
fn run_all<S: Sink + Send>(
    ops: &[Op],
    tasks: Vec<Task>,
    ctx: &Ctx<'_>,
    make: impl Fn(usize) -> S + Sync,
) -> Result<Vec<S>> {
    let one = |(i, t): (usize, Task)| -> Result<S> {
        let mut sink = make(i);
        run_task(ops, t, ctx, &mut sink)?;
        Ok(sink)
    };
    if tasks.len() <= 1 {
        tasks.into_iter().enumerate().map(one).collect()
    } else {
        tasks.into_par_iter().enumerate().map(one).collect()
    }
}

/// [`run_all`], except that a segment whose input is one task (of rows,
/// or one morsel of a scan) is cut after its first fan-out operator so
/// that the rest runs in parallel (`split.rs`; `sinks` says what the
/// sink does with rows). Not for segments that stop early (a
/// LIMIT's hint): every batch would run.
fn run_tasks<S: split::Absorb>(
    ops: &[Op],
    mut tasks: Vec<Task>,
    sinks: split::SinkUse,
    ctx: &Ctx<'_>,
    make: impl Fn(usize) -> S + Sync,
) -> Result<Vec<S>> {
    if sinks.exact() && rayon::current_num_threads() == 1 {
        // No other thread to share with, and nothing that depends on
        // where batches would start: rows of a 25 ns product paid a
        // third more for passing through the cuts.
        return run_all(ops, tasks, ctx, make);
    }
    if let Some(h) = selective_scan(ops, &tasks) {
        // The scan's few rows first, over its morsels; then the rest of
        // the segment over them (one task of rows, which is cut).
        let parts = run_all(&ops[..h], tasks, ctx, |_| Collect::new(None, ctx.guard))?;
        let rows: Vec<Row> = parts
            .into_iter()
            .flat_map(|mut p| std::mem::take(&mut p.rows))
            .collect();
        let tasks = tasks_for(&ops[h..], rows, BATCH, ctx)?;
        return run_tasks(&ops[h..], tasks, sinks, ctx, make);
    }
    if let ([Task::Rows(_) | Task::Morsel(..)], true) = (tasks.as_slice(), split::fans_out(ops)) {
        if let Some(cut) = split::cut_point(ops, sinks) {
            let task = tasks.pop().expect("matched one task above");
            ctx.guard.check()?;
            return split::run_cut(ops, cut, sinks, task, ctx, &make);
        }
    }
    run_all(ops, tasks, ctx, make)
}

/// Rows a filtered scan is estimated to find, at most, for the rest of its
/// segment to run after it ([`selective_scan`]).
const FEW_ROWS: f64 = BATCH as f64;

/// When the segment starts with a scan split into morsels whose filters
/// are estimated to leave few rows (`{name: 'Lumen CRM'}` over every
/// company), the number of operators up to those filters: the one morsel
/// that finds the rows would otherwise run everything after them alone.
fn selective_scan(ops: &[Op], tasks: &[Task]) -> Option<usize> {
    if tasks.len() < 2 || !matches!(tasks.first(), Some(Task::Morsel(..))) {
        return None;
    }
    let mut h = 1;
    while matches!(ops.get(h), Some(Op::Filter(..))) {
        h += 1;
    }
    #[cfg(test)]
    match split::knob::mode() {
        1 => return None,
        2 => return (h > 1 && h < ops.len()).then_some(h),
        _ => {}
    }
    let few = ops[h - 1].estimate().is_some_and(|e| e <= FEW_ROWS);
    // ... and only when the rest is estimated to fan out enough for a cut:
    // otherwise the pause between the two costs more.
    (h > 1 && h < ops.len() && few && split::fans_out(&ops[h..])).then_some(h)
}

pub(crate) fn run_segment(
    ops: &[Op],
    input: Vec<Row>,
    hint: Option<usize>,
    width: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    if ops
        .iter()
        .all(|op| matches!(op, Op::Project { .. } | Op::Filter(..)))
        && input.len() > 1
    {
        let out = map_rows(ops, input, hint, ctx)?;
        ctx.guard.check_rows(out.len(), width)?;
        return Ok(out);
    }
    let tasks = tasks_for(ops, input, BATCH, ctx)?;
    let mut out: Vec<Row> = Vec::new();
    let Some(h) = hint else {
        for mut sink in run_tasks(ops, tasks, split::SinkUse::Rows, ctx, |_| {
            Collect::new(None, ctx.guard)
        })? {
            out.extend(std::mem::take(&mut sink.rows));
        }
        ctx.guard.check_rows(out.len(), width)?;
        return Ok(out);
    };
    // A LIMIT follows: run waves of tasks in order and stop once enough
    // rows are in.
    let wave = (rayon::current_num_threads() * 4).max(8);
    let mut it = tasks.into_iter();
    loop {
        let w: Vec<Task> = it.by_ref().take(wave).collect();
        if w.is_empty() {
            break;
        }
        ctx.guard.check()?;
        for mut sink in run_all(ops, w, ctx, |_| Collect::new(Some(h), ctx.guard))? {
            out.extend(std::mem::take(&mut sink.rows));
        }
        ctx.guard.check_rows(out.len(), width)?;
        if out.len() >= h {
            break;
        }
    }
    Ok(out)
}

/// Runs the build side of hash join `j` into its table: each row keeps
/// the values of the join's slots alone and its key (rows with a null in
/// the key are left out), computed in the sinks of the build's tasks, so
/// the build never holds whole rows (45,000 companies of a 22-slot row
/// were 31 MB of fresh pages per run of cookbook cb09).
pub(crate) fn build_join_table(j: &HashJoin, row: &[Value], ctx: &Ctx<'_>) -> Result<JoinTable> {
    let start = stream::params_row(&j.params, row);
    let tasks = tasks_for(&j.build, vec![start], BATCH, ctx)?;
    let parts = run_tasks(&j.build, tasks, split::SinkUse::Rows, ctx, |_| BuildRows {
        j,
        ctx,
        rows: Vec::new(),
        locals: Vec::new(),
        pending: 0,
        hold: Hold::new(ctx.guard),
    })?;
    let mut table = JoinTable {
        params: stream::param_values(&j.params, row),
        ..JoinTable::default()
    };
    for part in parts {
        for (key, vals) in part.rows {
            if let Some(key) = key {
                let id = u32::try_from(table.rows.len()).map_err(|_| {
                    ExecError::limit("a hash join's build side exceeds 4 billion rows")
                })?;
                table.index.entry(key).or_default().push(id);
            }
            table.rows.push(vals);
        }
    }
    ctx.guard.check_rows(table.rows.len(), j.slots.len())?;
    Ok(table)
}

/// The sink of a hash join's build side ([`build_join_table`]): per row,
/// the join key (none when the join has no keys) and the slots' values,
/// held against the memory budget as they grow.
struct BuildRows<'a, 'c> {
    j: &'a HashJoin,
    ctx: &'a Ctx<'c>,
    rows: Vec<(Option<Vec<GroupKey>>, Vec<Value>)>,
    locals: Vec<Value>,
    /// Bytes kept since the last hold.
    pending: u64,
    hold: Hold<'a>,
}

impl Sink for BuildRows<'_, '_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        let key = if self.j.build_keys.is_empty() {
            None
        } else {
            match stream::join_key(&self.j.build_keys, row, &mut self.locals, self.ctx)? {
                Some(key) => Some(key),
                // `=` with null is never true: the row joins nothing.
                None => return Ok(true),
            }
        };
        let vals: Vec<Value> = self.j.slots.iter().map(|s| row[*s].clone()).collect();
        self.pending += row_bytes(&vals)
            + key
                .as_ref()
                .map_or(0, |k| k.iter().map(|v| eval::approx_bytes(&v.0)).sum());
        self.rows.push((key, vals));
        if self.pending >= HOLD_STEP || self.rows.len().is_multiple_of(CHECK_EVERY) {
            self.ctx.guard.check()?;
            self.hold.add(std::mem::take(&mut self.pending))?;
        }
        Ok(true)
    }
}

impl split::Absorb for BuildRows<'_, '_> {
    fn absorb(&mut self, mut later: Self) -> Result<()> {
        self.rows.append(&mut later.rows);
        self.pending += std::mem::take(&mut later.pending);
        // The later rows' hold moves with them.
        self.hold.bytes += std::mem::take(&mut later.hold.bytes);
        Ok(())
    }
}

/// Runs a segment of projections and filters (one row in, at most one
/// out) over rows it owns: each row is changed where it lies and kept or
/// dropped, with no copy into a sink and nothing to restore (as
/// [`stream::push`] must for a row it borrows). In parallel over chunks
/// for many rows, in order; with `hint` (a LIMIT after it), it stops once
/// that many rows passed.
fn map_rows(ops: &[Op], rows: Vec<Row>, hint: Option<usize>, ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    let one =
        |mut row: Row| -> Result<Option<Row>> { Ok(map_row(ops, &mut row, ctx)?.then_some(row)) };
    if hint.is_some() || rows.len() < PAR_MIN_ROWS {
        let mut out = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            if i % CHECK_EVERY == CHECK_EVERY - 1 {
                ctx.guard.check()?;
            }
            if hint.is_some_and(|h| out.len() >= h) {
                break;
            }
            out.extend(one(row)?);
        }
        return Ok(out);
    }
    let parts: Vec<Vec<Row>> = rows
        .into_par_iter()
        .with_min_len(PAR_MIN_ROWS)
        .fold(
            || Ok(Vec::new()),
            |acc: Result<Vec<Row>>, row| {
                let mut acc = acc?;
                if acc.len() % CHECK_EVERY == CHECK_EVERY - 1 {
                    ctx.guard.check()?;
                }
                acc.extend(one(row)?);
                Ok(acc)
            },
        )
        .collect::<Result<_>>()?;
    Ok(parts.into_iter().flatten().collect())
}

/// Bytes held against the memory budget ([`Guard::hold`]) by a sink that
/// is still collecting, given back when it is dropped.
pub(crate) struct Hold<'g> {
    guard: &'g Guard,
    bytes: u64,
}

impl<'g> Hold<'g> {
    /// Holds nothing yet.
    pub(crate) fn new(guard: &'g Guard) -> Self {
        Hold { guard, bytes: 0 }
    }

    /// The guard it holds bytes of.
    pub(crate) fn guard(&self) -> &'g Guard {
        self.guard
    }

    /// Holds `bytes` more (released when dropped); fails past the budget.
    pub(crate) fn add(&mut self, bytes: u64) -> Result<()> {
        self.bytes += bytes;
        self.guard.hold(bytes)
    }

    /// Releases everything it holds (what it held for is gone).
    pub(crate) fn release_all(&mut self) {
        self.guard.release(std::mem::take(&mut self.bytes));
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        self.guard.release(self.bytes);
    }
}

fn new_accs(aggs: &[AggSpec]) -> Result<Vec<Accumulator>> {
    aggs.iter()
        .map(|a| Accumulator::new(&a.name, a.distinct, &a.extra))
        .collect()
}

/// The operators after an aggregation that its groups pass through one
/// at a time, before any row is kept: projections and filters, then an
/// ORDER BY with a small LIMIT, if there is one. Each group's row is built
/// in one reused row, projected and filtered there, and kept only if it
/// passes (and, with a LIMIT, only while it is among the best so far),
/// instead of every group becoming a row that the projections then
/// rewrite and the filters and the top-k mostly drop (cb09 at scale 450
/// built 315,000 wide rows for ten; people you may know 931 for ten;
/// cb07 109,227 for 47,801).
struct After<'p> {
    /// Projections and filters, run in order on the group's row.
    map: &'p [Op],
    /// The sort keys and the LIMIT.
    top: Option<(&'p [(CExpr, bool)], usize)>,
    /// With a top-k: the items of the last projection that wait for it
    /// (places in its list, in order; [`late_items`]).
    late: Vec<usize>,
}

impl<'p> After<'p> {
    /// Nothing after the aggregation runs with it.
    const NOTHING: After<'static> = After {
        map: &[],
        top: None,
        late: Vec::new(),
    };

    /// What of `rest` (the operators after an aggregation) runs with it,
    /// and how many operators that is: projections and filters followed
    /// by a sort with a LIMIT of at most [`TOP_K_MAX`], or projections and
    /// filters that include a filter; nothing otherwise (projections
    /// alone run in parallel over the materialized rows).
    fn of(rest: &'p [Op]) -> (After<'p>, usize) {
        let m = rest
            .iter()
            .position(|o| !matches!(o, Op::Filter(..) | Op::Project { .. }))
            .unwrap_or(rest.len());
        let filters = rest[..m].iter().any(|o| matches!(o, Op::Filter(..)));
        match rest.get(m) {
            Some(Op::Sort {
                keys,
                limit: Some(k),
                ..
            }) if *k <= TOP_K_MAX => (
                After {
                    map: &rest[..m],
                    top: Some((keys, *k)),
                    late: late_items(&rest[..m], keys),
                },
                m + 1,
            ),
            _ if filters => (
                After {
                    map: &rest[..m],
                    top: None,
                    late: Vec::new(),
                },
                m,
            ),
            _ => (After::NOTHING, 0),
        }
    }
}

/// The items of the last projection of `map` that a top-k by `keys` can
/// wait for: each reads a variable's property, which cannot fail where
/// the variable holds a node, a relationship or null (`sort::cannot_fail`,
/// checked row by row), and is no sort key or not the first. They are
/// computed only for the groups the top-k may keep, a later sort key's
/// only where the keys before it do not already rule the group out
/// ([`map_for_top`]): `RETURN p.name AS prospect, p.industry AS industry,
/// ..., similarity ORDER BY similarity DESC, prospect LIMIT 10` reads
/// three strings for ten of 315,000 groups, and a name only for the
/// groups whose similarity ties the tenth's. None unless every sort key is
/// a variable and no item reads a slot the projection writes (so
/// computing some items later changes no value).
fn late_items(map: &[Op], keys: &[(CExpr, bool)]) -> Vec<usize> {
    let (Some(Op::Project { items, .. }), Some(key_slots)) = (map.last(), sort::key_slots(keys))
    else {
        return Vec::new();
    };
    let writes: HashSet<usize> = items.iter().map(|(_, s)| *s).collect();
    let mut reads_written = false;
    for (e, _) in items {
        e.visit_slots(&mut |s| reads_written |= writes.contains(&s));
    }
    if reads_written {
        return Vec::new();
    }
    // A variable alone is copied for about what deciding costs.
    let waits =
        |e: &CExpr| matches!(e, CExpr::Property(base, ..) if matches!(**base, CExpr::Slot(_)));
    items
        .iter()
        .enumerate()
        .filter(|(_, (e, s))| key_slots.first() != Some(s) && waits(e))
        .map(|(i, _)| i)
        .collect()
}

/// [`map_row`] for a group bound for `top` whose last projection has items
/// that wait ([`After::late`]): those that cannot fail on this row are
/// left out, then computed only if the top-k would keep the row (those
/// that can fail are computed in their turn, for their errors); false
/// when a filter drops the row or the top-k would not keep it.
fn map_for_top(after: &After<'_>, top: &TopK<'_>, row: &mut Row, ctx: &Ctx<'_>) -> Result<bool> {
    let Some((Op::Project { items, .. }, before)) = after.map.split_last() else {
        return map_row(after.map, row, ctx);
    };
    if !map_row(before, row, ctx)? {
        return Ok(false);
    }
    let mut locals = Vec::new();
    let mut waiting: SmallVec<[usize; 8]> = SmallVec::new();
    // The sort keys before the first whose item waits are known.
    let mut known = usize::MAX;
    for (i, (e, s)) in items.iter().enumerate() {
        if after.late.contains(&i) && sort::cannot_fail(e, row) {
            waiting.push(i);
            known = known.min(top.key_position(*s).unwrap_or(usize::MAX));
        } else {
            row[*s] = eval(e, row, &mut locals, ctx)?;
        }
    }
    let decided = top.may_keep_by(row, known);
    if decided == Some(false) {
        return Ok(false);
    }
    for i in waiting {
        let (e, s) = &items[i];
        row[*s] = eval(e, row, &mut locals, ctx)?;
    }
    Ok(decided.unwrap_or_else(|| top.may_keep(row)))
}

/// Runs the segment `ops` over `rows` and aggregates its output: every
/// task fills its own groups, which are then merged in task order; the
/// groups then pass through `after`.
fn aggregate(
    ops: &[Op],
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    rows: Vec<Row>,
    width: usize,
    after: &After<'_>,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let batch = if ops.is_empty() { AGG_CHUNK } else { BATCH };
    let tasks = tasks_grouped(ops, rows, batch, ctx, keys)?;
    let template = new_accs(aggs)?;
    let expected = expected_groups(ops, keys, tasks.len());
    let defer = groups::deferral_pays(ops, keys);
    let make = || {
        Groups::new(keys, &defer, aggs, &template, ctx, expected)
            .with_outflow(groups::Outflow::new(after, width))
    };
    // Counts and sums (float sums are exact until rounded once) do not
    // depend on the order rows arrive in, so each worker folds all its
    // tasks into one set of groups (fewer partials to merge); other
    // aggregates (collect, min of equal values of two types) keep one
    // partial per task, merged in task order, so results do not depend on
    // the thread count.
    let order_free = aggs.iter().all(|a| aggregate::order_free(&a.name));
    let partials: Vec<Groups> =
        if order_free && tasks.len() > 1 && selective_scan(ops, &tasks).is_none() {
            // About one fold per thread: every fold is a partial to merge.
            // The folds are explicit runs of consecutive tasks (rayon's
            // `with_min_len` + `try_fold` left the second half of the tasks
            // to the first thread in `relgraph bench --threads 2`).
            let per_fold = tasks.len().div_ceil(rayon::current_num_threads().max(1));
            let mut folds: Vec<Vec<(usize, Task)>> = Vec::new();
            for (i, t) in tasks.into_iter().enumerate() {
                if i % per_fold == 0 {
                    folds.push(Vec::with_capacity(per_fold));
                }
                folds.last_mut().expect("pushed above").push((i, t));
            }
            folds
                .into_par_iter()
                .map(|fold| {
                    let mut g = make();
                    for (i, t) in fold {
                        g.start_task(i);
                        run_task(ops, t, ctx, &mut g)?;
                    }
                    Ok::<_, ExecError>(g)
                })
                .collect::<Result<Vec<_>>>()?
        } else {
            let dedup = template
                .iter()
                .any(|a| matches!(a, Accumulator::Distinct { .. }));
            let sinks = if order_free {
                split::SinkUse::Folds { dedup }
            } else {
                let exact = aggs.iter().all(|a| aggregate::partition_free(&a.name));
                split::SinkUse::Partials { exact, dedup }
            };
            run_tasks(ops, tasks, sinks, ctx, |i| {
                let mut g = make();
                g.start_task(i);
                g
            })?
        };
    let mut it = partials.into_iter();
    let mut total = it.next().unwrap_or_else(make);
    for p in it {
        ctx.guard.check()?;
        total.merge(p)?;
    }
    let outflow = total.take_outflow();
    let mut groups = total.finish(width)?;
    // No grouping keys: one row even for no input.
    if keys.is_empty() && groups.len() == 0 {
        let mut one = GroupTable::new(0, aggs.len());
        one.push([], new_accs(aggs)?, 0);
        groups = Finished::in_order(vec![one]);
    }
    let rows = rows_of_groups(groups, keys, aggs, width, after, ctx)?;
    match outflow {
        Some(out) => out.then(rows, ctx),
        None => Ok(rows),
    }
}

/// The rows of the `groups` (in first-seen order), passed through
/// `after`: in parallel runs of consecutive groups where they are many.
fn rows_of_groups(
    mut groups: Finished,
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    width: usize,
    after: &After<'_>,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let n = groups.len();
    ctx.guard.check_rows(n, width)?;
    let threads = rayon::current_num_threads();
    if threads < 2 || n < 2 * PAR_MIN_ROWS || keys.is_empty() || aggs.is_empty() {
        let mut top = after.top.map(|(sort_keys, k)| TopK::new(sort_keys, k));
        let mut kept = Vec::new();
        for run in groups.runs(usize::MAX) {
            groups_after(run, &mut top, &mut kept, keys, aggs, width, after, ctx)?;
        }
        return Ok(top.map_or(kept, TopK::into_rows));
    }
    // Many groups: their rows are made, projected, filtered and ranked in
    // parallel over runs of consecutive groups, then joined in group
    // order (a top-k offered each run's best in turn keeps ties in the
    // order of the groups, as one pass would).
    let per = n.div_ceil(4 * threads).max(PAR_MIN_ROWS);
    let parts: Vec<Result<(Option<TopK>, Vec<Row>)>> = groups
        .runs(per)
        .into_par_iter()
        .map(|run| {
            let mut top = after.top.map(|(sort_keys, k)| TopK::new(sort_keys, k));
            let mut kept = Vec::new();
            groups_after(run, &mut top, &mut kept, keys, aggs, width, after, ctx)?;
            Ok((top, kept))
        })
        .collect();
    let parts: Vec<(Option<TopK>, Vec<Row>)> = parts.into_iter().collect::<Result<_>>()?;
    let mut top = after.top.map(|(sort_keys, k)| TopK::new(sort_keys, k));
    let mut kept = Vec::with_capacity(parts.iter().map(|(_, k)| k.len()).sum());
    for (part_top, part_kept) in parts {
        match (&mut top, part_top) {
            (Some(top), Some(best)) => {
                for row in best.into_rows() {
                    top.offer(Cow::Owned(row), ctx)?;
                }
            }
            _ => kept.extend(part_kept),
        }
    }
    Ok(top.map_or(kept, TopK::into_rows))
}

/// The rows of a `run` of consecutive groups (their keys and
/// accumulators taken), passed through `after`: offered to `top` where
/// there is one, else appended to `kept`.
#[allow(clippy::too_many_arguments)]
fn groups_after<'p>(
    run: Run<'_>,
    top: &mut Option<TopK<'p>>,
    kept: &mut Vec<Row>,
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    width: usize,
    after: &After<'p>,
    ctx: &Ctx<'_>,
) -> Result<()> {
    let mut row = crate::plan::null_row(width);
    for (g, (kv, accs)) in run.enumerate() {
        if g % CHECK_EVERY == CHECK_EVERY - 1 {
            ctx.guard.check()?;
        }
        for ((_, slot), v) in keys.iter().zip(kv) {
            row[*slot] = std::mem::replace(v, GroupKey(Value::Null)).0;
        }
        for (a, acc) in aggs.iter().zip(accs) {
            std::mem::replace(acc, Accumulator::Count(0)).finish_into(&mut row[a.slot])?;
        }
        let passes = match top {
            Some(t) if !after.late.is_empty() => map_for_top(after, t, &mut row, ctx)?,
            _ => map_row(after.map, &mut row, ctx)?,
        };
        if !passes {
            continue;
        }
        match top {
            Some(top) => {
                top.offer(Cow::Borrowed(&row), ctx)?;
            }
            None => kept.push(std::mem::replace(&mut row, crate::plan::null_row(width))),
        }
    }
    Ok(())
}

/// Runs projections and filters `ops` on `row` where it lies; false when
/// a filter drops it. Used by [`map_rows`] and by an aggregation's groups
/// (`After`).
fn map_row(ops: &[Op], row: &mut Row, ctx: &Ctx<'_>) -> Result<bool> {
    for op in ops {
        match op {
            Op::Project { items, .. } => stream::project_owned(items, row, ctx)?,
            Op::Filter(pred, _) => {
                if !stream::passes(pred, row, ctx)? {
                    return Ok(false);
                }
            }
            other => {
                return Err(ExecError::internal(format!(
                    "only projections and filters run on a row in place, not {other:?}"
                )))
            }
        }
    }
    Ok(true)
}

/// The most groups a partial aggregation makes room for before its rows
/// arrive (about 600 KB of keys, accumulators and table for one key and
/// one aggregate): a wrong estimate wastes at most that.
const GROUPS_RESERVED_MAX: usize = 4096;

/// The most groups a partial aggregation's table makes room for at once
/// when it first fills (about 50 MB of address space for two keys and
/// three aggregates, touched only as groups are added).
const GROUPS_GROWN_MAX: usize = 1 << 18;

/// How many groups each of `tasks` partial aggregations should make room
/// for: on its first group, the planner's estimate of the rows the
/// pipeline `ops` yields, shared among the tasks, at most
/// [`GROUPS_RESERVED_MAX`] (the groups are at most the rows); when that
/// fills, the estimate of the groups themselves
/// ([`groups::estimated_groups`]),
/// at most [`GROUPS_GROWN_MAX`]. Growing from nothing instead copied
/// every key and accumulator and rehashed the table about ten times for
/// a thousand groups; doubling past the first room copied the table
/// onto fresh pages four more times for cb07's 55,000 groups a partial
/// at scale 450.
fn expected_groups(ops: &[Op], keys: &[(CExpr, usize)], tasks: usize) -> groups::Room {
    let share = |n: f64, max: usize| {
        let per_task = n / tasks.max(1) as f64;
        if per_task.is_finite() && per_task > 0.0 {
            (per_task as usize).min(max)
        } else {
            0
        }
    };
    let rows = ops.iter().rev().find_map(Op::estimate).unwrap_or(0.0);
    groups::Room {
        first: share(rows, GROUPS_RESERVED_MAX),
        most: groups::estimated_groups(ops, keys).map_or(0, |g| share(g, GROUPS_GROWN_MAX)),
    }
}

/// A sink that keeps the first row of every distinct combination of
/// values in `slots`, holding their memory in the guard.
struct DistinctRows<'a> {
    slots: &'a [usize],
    seen: rustc_hash::FxHashSet<Vec<GroupKey>>,
    rows: Collect<'a>,
}

impl Sink for DistinctRows<'_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        let k: Vec<GroupKey> = self
            .slots
            .iter()
            .map(|s| GroupKey(row[*s].clone()))
            .collect();
        // The key kept in the set counts too (with the table's slot).
        let key_bytes = 2 * VALUE_BYTES + k.iter().map(|v| eval::approx_bytes(&v.0)).sum::<u64>();
        if self.seen.insert(k) {
            self.rows.pending += key_bytes;
            self.rows.push(row)?;
        }
        Ok(true)
    }
}

impl split::Absorb for DistinctRows<'_> {
    fn absorb(&mut self, mut later: Self) -> Result<()> {
        for mut r in std::mem::take(&mut later.rows.rows) {
            self.push(&mut r)?;
        }
        Ok(())
    }
}

/// Runs the segment `ops` over `rows` and keeps distinct rows: each task
/// deduplicates its own output, then the tasks' rows are deduplicated
/// again in task order (first occurrence wins, as in one pass).
fn distinct(
    ops: &[Op],
    slots: &[usize],
    rows: Vec<Row>,
    width: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let batch = if ops.is_empty() { AGG_CHUNK } else { BATCH };
    let tasks = tasks_for(ops, rows, batch, ctx)?;
    let parts = run_tasks(
        ops,
        tasks,
        split::SinkUse::Partials {
            exact: true,
            dedup: true,
        },
        ctx,
        |_| DistinctRows {
            slots,
            seen: Default::default(),
            rows: Collect::new(None, ctx.guard),
        },
    )?;
    let mut all = DistinctRows {
        slots,
        seen: Default::default(),
        rows: Collect::new(None, ctx.guard),
    };
    if parts.len() == 1 {
        all = parts.into_iter().next().expect("one part");
    } else {
        for mut p in parts {
            ctx.guard.check()?;
            for mut r in std::mem::take(&mut p.rows.rows) {
                all.push(&mut r)?;
            }
        }
    }
    let out = std::mem::take(&mut all.rows.rows);
    ctx.guard.check_rows(out.len(), width)?;
    Ok(out)
}

fn run_breaker(op: &Op, rows: Vec<Row>, width: usize, st: &mut State<'_>) -> Result<Vec<Row>> {
    st.guard.check()?;
    match op {
        Op::Aggregate { keys, aggs, .. } => {
            let ctx = st.ctx();
            aggregate(&[], keys, aggs, rows, width, &After::NOTHING, &ctx)
        }
        Op::Distinct { slots } => {
            let ctx = st.ctx();
            distinct(&[], slots, rows, width, &ctx)
        }
        Op::Sort { keys, limit, .. } => {
            let ctx = st.ctx();
            sort(keys, *limit, rows, &ctx)
        }
        Op::Skip(n) => Ok(rows.into_iter().skip(*n).collect()),
        Op::Limit(n) => {
            let mut rows = rows;
            rows.truncate(*n);
            Ok(rows)
        }
        Op::Produce { .. } => {
            st.guard.check_result_rows(rows.len())?;
            Ok(rows)
        }
        Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Delete { .. } => {
            write::run_write(op, rows, st)
        }
        other => Err(ErrorKind::Unsupported {
            feature: format!("operator {other:?}"),
            span: None,
        }
        .into()),
    }
}
