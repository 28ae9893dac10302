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

pub(crate) mod eval;
pub(crate) mod shortest;
pub(crate) mod stream;
pub(crate) mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use relgraph_graph::store::WriteTxn;
use relgraph_graph::temporal::DateTime;
use relgraph_graph::{ChangeSet, Snapshot, Value};

use self::eval::eval;
use crate::error::{ExecError, Result};
use crate::functions::aggregate::Accumulator;
use crate::functions::FnContext;
use crate::options::Guard;
use crate::plan::{AggSpec, CExpr, Op, Row, Seek};
use crate::result::QueryStats;
use crate::value_ops::{order_cmp, GroupKey};

/// Rows per task of a parallel segment.
const BATCH: usize = 256;
/// Rows per partial aggregation.
const AGG_CHUNK: usize = 4096;

/// What expressions and operators read while running.
pub(crate) struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub params: &'a BTreeMap<String, Value>,
    pub guard: &'a Guard,
    pub now: &'a DateTime,
}

impl FnContext for Ctx<'_> {
    fn snapshot(&self) -> &Snapshot {
        self.snapshot
    }
    fn statement_time(&self) -> DateTime {
        self.now.clone()
    }
}

/// Per-operator rows and time for PROFILE.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpProfile {
    pub rows: usize,
    pub time: Duration,
}

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
}

impl State<'_> {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            snapshot: &self.snapshot,
            params: self.params,
            guard: self.guard,
            now: &self.now,
        }
    }
}

/// Evaluates an expression that reads no row (SKIP / LIMIT arguments).
/// Parameters of expressions evaluated outside a statement.
static NO_PARAMS: BTreeMap<String, Value> = BTreeMap::new();

/// Evaluates an expression that reads no row (SKIP / LIMIT arguments).
pub(crate) fn eval_const(e: &CExpr, snapshot: &Snapshot) -> Result<Value> {
    let guard = Guard::new(&crate::options::QueryOptions::default());
    let now = crate::engine::now();
    let ctx = Ctx {
        snapshot,
        params: &NO_PARAMS,
        guard: &guard,
        now: &now,
    };
    eval(e, &[], &mut Vec::new(), &ctx)
}

/// Runs streaming operators sequentially on a batch (used inside tasks,
/// OPTIONAL MATCH and sub-plans).
pub(crate) fn run_stream_ops(ops: &[Op], mut rows: Vec<Row>, ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    for op in ops {
        if rows.is_empty() {
            break;
        }
        rows = stream::apply(op, rows, ctx)?;
    }
    Ok(rows)
}

/// True if the sub-plan yields at least one row from `row` (depth first,
/// stopping at the first match).
pub(crate) fn run_sub_any(ops: &[Op], row: &[Value], ctx: &Ctx<'_>) -> Result<bool> {
    fn go(ops: &[Op], rows: Vec<Row>, ctx: &Ctx<'_>) -> Result<bool> {
        let Some((first, rest)) = ops.split_first() else {
            return Ok(!rows.is_empty());
        };
        for r in rows {
            let out = stream::apply(first, vec![r], ctx)?;
            if !out.is_empty() && go(rest, out, ctx)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
    go(ops, vec![row.to_vec()], ctx)
}

/// All rows the sub-plan yields from `row`.
pub(crate) fn run_sub_all(ops: &[Op], row: &[Value], ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    run_stream_ops(ops, vec![row.to_vec()], ctx)
}

/// Runs a pipeline from one empty row of `width` slots.
pub(crate) fn run_pipeline(ops: &[Op], width: usize, st: &mut State<'_>) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = vec![vec![Value::Null; width]];
    let mut i = 0;
    while i < ops.len() {
        if st.profile.is_some() {
            let t0 = Instant::now();
            rows = if ops[i].is_streaming() {
                let ctx = st.ctx();
                run_segment(&ops[i..i + 1], rows, None, width, &ctx)?
            } else {
                run_breaker(&ops[i], rows, width, st)?
            };
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
            rows = run_segment(&ops[i..j], rows, hint, width, &ctx)?;
            i = j;
        } else {
            rows = run_breaker(&ops[i], rows, width, st)?;
            i += 1;
        }
    }
    Ok(rows)
}

/// One unit of parallel work.
enum Task {
    Rows(Vec<Row>),
    /// The first scan of a segment over one morsel of node ids.
    Morsel(Row, std::ops::Range<u64>),
}

fn run_segment(
    ops: &[Op],
    input: Vec<Row>,
    hint: Option<usize>,
    width: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let morsel_scan = input.len() == 1
        && matches!(&ops[0], Op::NodeScan(s) if matches!(s.seek, Seek::All | Seek::Label(_)));
    let tasks: Vec<Task> = if morsel_scan {
        let row = input.into_iter().next().expect("input has exactly one row");
        ctx.snapshot
            .node_morsels()
            .into_iter()
            .map(|m| Task::Morsel(row.clone(), m))
            .collect()
    } else {
        let mut tasks = Vec::with_capacity(input.len() / BATCH + 1);
        let mut it = input.into_iter();
        loop {
            let chunk: Vec<Row> = it.by_ref().take(BATCH).collect();
            if chunk.is_empty() {
                break;
            }
            tasks.push(Task::Rows(chunk));
        }
        tasks
    };
    let run_task = |t: Task| -> Result<Vec<Row>> {
        match t {
            Task::Rows(rows) => run_stream_ops(ops, rows, ctx),
            Task::Morsel(row, range) => {
                let Op::NodeScan(s) = &ops[0] else {
                    unreachable!("morsel tasks start with a scan")
                };
                let mut out = Vec::new();
                stream::scan(s, &row, Some(range), ctx, &mut out)?;
                run_stream_ops(&ops[1..], out, ctx)
            }
        }
    };
    let wave = (rayon::current_num_threads() * 4).max(8);
    let mut out: Vec<Row> = Vec::new();
    let mut it = tasks.into_iter();
    loop {
        let w: Vec<Task> = it.by_ref().take(wave).collect();
        if w.is_empty() {
            break;
        }
        ctx.guard.check()?;
        let results: Vec<Result<Vec<Row>>> = if w.len() == 1 {
            w.into_iter().map(run_task).collect()
        } else {
            w.into_par_iter().map(run_task).collect()
        };
        for r in results {
            out.extend(r?);
        }
        ctx.guard.check_rows(out.len(), width)?;
        if hint.is_some_and(|h| out.len() >= h) {
            break;
        }
    }
    Ok(out)
}

fn group_key(vals: &[Value]) -> Vec<GroupKey> {
    vals.iter().cloned().map(GroupKey).collect()
}

/// Groups of one partial aggregation, in first-seen order.
struct Groups {
    index: HashMap<Vec<GroupKey>, usize>,
    groups: Vec<(Vec<Value>, Vec<Accumulator>)>,
}

fn new_accs(aggs: &[AggSpec]) -> Result<Vec<Accumulator>> {
    aggs.iter()
        .map(|a| Accumulator::new(&a.name, a.distinct, &a.extra))
        .collect()
}

fn aggregate_chunk(
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    rows: &[Row],
    ctx: &Ctx<'_>,
) -> Result<Groups> {
    let mut g = Groups {
        index: HashMap::new(),
        groups: Vec::new(),
    };
    let mut locals = Vec::new();
    for row in rows {
        let mut kv = Vec::with_capacity(keys.len());
        for (e, _) in keys {
            kv.push(eval(e, row, &mut locals, ctx)?);
        }
        let k = group_key(&kv);
        let gi = match g.index.get(&k) {
            Some(i) => *i,
            None => {
                g.groups.push((kv, new_accs(aggs)?));
                g.index.insert(k, g.groups.len() - 1);
                g.groups.len() - 1
            }
        };
        let accs = &mut g.groups[gi].1;
        for (a, acc) in aggs.iter().zip(accs.iter_mut()) {
            let v = match &a.arg {
                Some(e) => eval(e, row, &mut locals, ctx)?,
                None => Value::Bool(true),
            };
            acc.update(&v)?;
        }
    }
    Ok(g)
}

fn aggregate(
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    rows: Vec<Row>,
    width: usize,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let partials: Vec<Groups> = if rows.len() <= AGG_CHUNK {
        vec![aggregate_chunk(keys, aggs, &rows, ctx)?]
    } else {
        rows.par_chunks(AGG_CHUNK)
            .map(|c| {
                ctx.guard.check()?;
                aggregate_chunk(keys, aggs, c, ctx)
            })
            .collect::<Result<Vec<_>>>()?
    };
    drop(rows);
    let mut it = partials.into_iter();
    let mut total = it.next().unwrap_or(Groups {
        index: HashMap::new(),
        groups: Vec::new(),
    });
    for p in it {
        for (kv, accs) in p.groups {
            let k = group_key(&kv);
            match total.index.get(&k) {
                Some(&i) => {
                    for (mine, theirs) in total.groups[i].1.iter_mut().zip(accs) {
                        mine.merge(theirs)?;
                    }
                }
                None => {
                    total.groups.push((kv, accs));
                    total.index.insert(k, total.groups.len() - 1);
                }
            }
        }
    }
    // No grouping keys: one row even for no input.
    if keys.is_empty() && total.groups.is_empty() {
        total.groups.push((Vec::new(), new_accs(aggs)?));
    }
    ctx.guard.check_rows(total.groups.len(), width)?;
    let mut out = Vec::with_capacity(total.groups.len());
    for (kv, accs) in total.groups {
        let mut row = vec![Value::Null; width];
        for ((_, slot), v) in keys.iter().zip(kv) {
            row[*slot] = v;
        }
        for (a, acc) in aggs.iter().zip(accs) {
            row[a.slot] = acc.finish()?;
        }
        out.push(row);
    }
    Ok(out)
}

fn sort(
    keys: &[(CExpr, bool)],
    limit: Option<usize>,
    rows: Vec<Row>,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let mut keyed: Vec<(Vec<Value>, usize, Row)> = rows
        .into_par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut locals = Vec::new();
            let mut k = Vec::with_capacity(keys.len());
            for (e, _) in keys {
                k.push(eval(e, &r, &mut locals, ctx)?);
            }
            Ok((k, i, r))
        })
        .collect::<Result<Vec<_>>>()?;
    ctx.guard.check()?;
    let cmp = |a: &(Vec<Value>, usize, Row), b: &(Vec<Value>, usize, Row)| {
        for (i, (_, desc)) in keys.iter().enumerate() {
            let o = order_cmp(&a.0[i], &b.0[i]);
            let o = if *desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        a.1.cmp(&b.1)
    };
    match limit {
        // Top-k: partition around the k-th row, then sort only the head.
        Some(k) if k < keyed.len() => {
            if k == 0 {
                return Ok(Vec::new());
            }
            keyed.select_nth_unstable_by(k - 1, cmp);
            keyed.truncate(k);
            keyed.sort_unstable_by(cmp);
        }
        _ => keyed.par_sort_unstable_by(cmp),
    }
    Ok(keyed.into_iter().map(|(_, _, r)| r).collect())
}

fn run_breaker(op: &Op, rows: Vec<Row>, width: usize, st: &mut State<'_>) -> Result<Vec<Row>> {
    st.guard.check()?;
    match op {
        Op::Aggregate { keys, aggs, .. } => {
            let ctx = st.ctx();
            aggregate(keys, aggs, rows, width, &ctx)
        }
        Op::Distinct { slots } => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for r in rows {
                let k: Vec<GroupKey> = slots.iter().map(|s| GroupKey(r[*s].clone())).collect();
                if seen.insert(k) {
                    out.push(r);
                }
            }
            Ok(out)
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
        other => Err(ExecError::Unsupported {
            feature: format!("operator {other:?}"),
            span: None,
        }),
    }
}
