//! ORDER BY: the full sort, and the bounded top-k for a small LIMIT,
//! over materialized rows or straight from a streaming segment's tasks
//! ([`top_rows`]) or an aggregation's groups (`After`).

use std::borrow::Cow;

use rayon::prelude::*;
use relgraph_graph::Value;
use smallvec::SmallVec;

use super::stream::Sink;
use super::{row_bytes, run_tasks, split, tasks_for, Hold, BATCH, CHECK_EVERY, PAR_MIN_ROWS};
use crate::error::Result;
use crate::eval::{eval, Ctx, NULL};
use crate::plan::{CExpr, Op, Row};
use crate::value_ops::{order_cmp, order_prefix};

/// The order of two rows given by their key values, pair by pair (`true`:
/// descending), the first unequal pair deciding.
fn ordered<'v>(pairs: impl Iterator<Item = (&'v Value, &'v Value, bool)>) -> std::cmp::Ordering {
    for (a, b, desc) in pairs {
        let o = directed(a, b, desc);
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// The order of two values of one ORDER BY key (`desc`: descending).
#[inline]
fn directed(a: &Value, b: &Value, desc: bool) -> std::cmp::Ordering {
    let o = order_cmp(a, b);
    if desc {
        o.reverse()
    } else {
        o
    }
}

/// Compares two rows' sort keys (`desc` per key), then their input order.
fn key_order(keys: &[(CExpr, bool)], a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    ordered(
        keys.iter()
            .enumerate()
            .map(|(i, (_, desc))| (&a[i], &b[i], *desc)),
    )
}

/// Largest LIMIT served by the bounded top-k buffer.
pub(super) const TOP_K_MAX: usize = 4096;

/// The sort keys of the rows of a full sort, by row and key.
enum SortKeys<'r> {
    /// Every key is a variable: read in the rows' own slots, nothing
    /// copied.
    Slots(&'r [Row], Vec<usize>),
    /// Each row's key values, evaluated once (two keys or fewer kept in
    /// place, with no allocation per row).
    Evaluated(Vec<SmallVec<[Value; 2]>>),
}

impl<'r> SortKeys<'r> {
    /// The keys of `rows`: their slots, or values evaluated in parallel
    /// unless the rows are few.
    fn of(keys: &[(CExpr, bool)], rows: &'r [Row], ctx: &Ctx<'_>) -> Result<Self> {
        if let Some(slots) = key_slots(keys) {
            return Ok(SortKeys::Slots(rows, slots));
        }
        let key = |r: &Row| -> Result<SmallVec<[Value; 2]>> {
            let mut locals = Vec::new();
            keys.iter()
                .map(|(e, _)| eval(e, r, &mut locals, ctx))
                .collect()
        };
        let keyed = if rows.len() < PAR_MIN_ROWS {
            rows.iter().map(key).collect::<Result<_>>()?
        } else {
            rows.par_iter().map(key).collect::<Result<_>>()?
        };
        Ok(SortKeys::Evaluated(keyed))
    }

    /// Key `k` of row `i` (null past the row's end, as a variable reads).
    #[inline]
    fn get(&self, i: usize, k: usize) -> &Value {
        match self {
            SortKeys::Slots(rows, slots) => slot(&rows[i], slots[k]),
            SortKeys::Evaluated(keyed) => &keyed[i][k],
        }
    }

    /// Rows `a` and `b` in the order of `keys`, the first unequal key
    /// deciding.
    fn order(&self, keys: &[(CExpr, bool)], a: usize, b: usize) -> std::cmp::Ordering {
        ordered(
            keys.iter()
                .enumerate()
                .map(|(k, (_, desc))| (self.get(a, k), self.get(b, k), *desc)),
        )
    }
}

pub(super) fn sort(
    keys: &[(CExpr, bool)],
    limit: Option<usize>,
    mut rows: Vec<Row>,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    match limit {
        Some(0) => return Ok(Vec::new()),
        Some(k) if k <= TOP_K_MAX && k < rows.len() => return top_k(keys, k, rows, ctx),
        _ => {}
    }
    let order = sorted_places(keys, limit, &rows, ctx)?;
    // The rows taken in that order (an empty row left behind allocates
    // nothing).
    Ok(order
        .into_iter()
        .map(|i| std::mem::take(&mut rows[i]))
        .collect())
}

/// The places of `rows` in ORDER BY `keys` order (the first `limit`),
/// ties in input order. The places are sorted by the order prefix of the
/// first key (one integer comparison for most pairs; `order_prefix`),
/// then by the keys, then by input order: 16 bytes an entry to move, not
/// a row, and no key copied when the keys are variables.
fn sorted_places(
    keys: &[(CExpr, bool)],
    limit: Option<usize>,
    rows: &[Row],
    ctx: &Ctx<'_>,
) -> Result<Vec<usize>> {
    let small = rows.len() < PAR_MIN_ROWS;
    let keyed = SortKeys::of(keys, rows, ctx)?;
    ctx.guard.check()?;
    let desc = keys.first().is_some_and(|(_, d)| *d);
    let mut order: Vec<(u64, usize)> = (0..rows.len())
        .map(|i| {
            let p = if keys.is_empty() {
                0
            } else {
                order_prefix(keyed.get(i, 0))
            };
            (if desc { !p } else { p }, i)
        })
        .collect();
    let cmp = |a: &(u64, usize), b: &(u64, usize)| {
        a.0.cmp(&b.0)
            .then_with(|| keyed.order(keys, a.1, b.1))
            .then(a.1.cmp(&b.1))
    };
    match limit {
        Some(k) if k < order.len() => {
            order.select_nth_unstable_by(k - 1, cmp);
            order.truncate(k);
            order.sort_unstable_by(cmp);
        }
        // Sorted as plain pairs of integers, prefix then input order (no
        // call per comparison: a query that sorts 200,000 rows into a
        // random order, 103.8 -> 95.7 ms); then each run of equal
        // prefixes by the keys, kept stable so that equal keys stay in
        // input order.
        _ => {
            if small {
                order.sort_unstable();
            } else {
                order.par_sort_unstable();
            }
            ctx.guard.check()?;
            for run in order.chunk_by_mut(|a, b| a.0 == b.0) {
                let by_keys = |a: &(u64, usize), b: &(u64, usize)| keyed.order(keys, a.1, b.1);
                if run.len() < PAR_MIN_ROWS {
                    run.sort_by(by_keys);
                } else {
                    run.par_sort_by(by_keys);
                }
            }
        }
    }
    Ok(order.into_iter().map(|(_, i)| i).collect())
}

/// ORDER BY ... LIMIT k for small k: one pass keeping the best k rows in
/// order; a row that does not beat the current k-th costs no allocation.
/// Ties keep input order, as the full sort does.
fn top_k(keys: &[(CExpr, bool)], k: usize, rows: Vec<Row>, ctx: &Ctx<'_>) -> Result<Vec<Row>> {
    let mut top = TopK::new(keys, k);
    for (i, r) in rows.into_iter().enumerate() {
        if i % CHECK_EVERY == CHECK_EVERY - 1 {
            ctx.guard.check()?;
        }
        top.offer(Cow::Owned(r), ctx)?;
    }
    Ok(top.into_rows())
}

/// Runs the segment `ops` over `rows` into ORDER BY `keys` LIMIT `k`:
/// each task keeps its own best `k` rows (a row is copied only while it is
/// among them), and the tasks' rows are offered to one top-k in task
/// order, so ties keep input order as the full sort does. The segment's
/// rows are never all materialized (cb06 at scale 450: 134,000 wide rows
/// for ten).
pub(super) fn top_rows(
    ops: &[Op],
    keys: &[(CExpr, bool)],
    k: usize,
    rows: Vec<Row>,
    ctx: &Ctx<'_>,
) -> Result<Vec<Row>> {
    let tasks = tasks_for(ops, rows, BATCH, ctx)?;
    let sinks = run_tasks(
        ops,
        tasks,
        split::SinkUse::Partials {
            exact: true,
            dedup: false,
        },
        ctx,
        |_| TopRows {
            top: TopK::new(keys, k),
            ctx,
            hold: Hold::new(ctx.guard),
        },
    )?;
    let mut it = sinks.into_iter();
    let Some(mut first) = it.next() else {
        return Ok(Vec::new());
    };
    for later in it {
        ctx.guard.check()?;
        split::Absorb::absorb(&mut first, later)?;
    }
    Ok(first.top.into_rows())
}

/// A task's best rows under ORDER BY ... LIMIT ([`top_rows`]), the bytes
/// of the rows it keeps held against the memory budget.
struct TopRows<'a, 'c> {
    top: TopK<'a>,
    ctx: &'a Ctx<'c>,
    hold: Hold<'a>,
}

impl TopRows<'_, '_> {
    fn offer(&mut self, row: Cow<'_, Row>) -> Result<()> {
        let bytes = row_bytes(&row);
        let (kept, left) = self.top.offer(row, self.ctx)?;
        if kept {
            self.hold.add(bytes)?;
        }
        if let Some(left) = left {
            let freed = row_bytes(&left).min(self.hold.bytes);
            self.hold.bytes -= freed;
            self.hold.guard.release(freed);
        }
        Ok(())
    }
}

impl Sink for TopRows<'_, '_> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        self.offer(Cow::Borrowed(row))?;
        Ok(true)
    }
}

impl split::Absorb for TopRows<'_, '_> {
    fn absorb(&mut self, later: Self) -> Result<()> {
        let TopRows { top, .. } = later;
        for row in top.into_rows() {
            self.offer(Cow::Owned(row))?;
        }
        Ok(())
    }
}

/// The best `k` rows offered so far under ORDER BY `keys`, in order (ties
/// in the order offered): a row is copied only when it is among them.
pub(super) struct TopK<'p> {
    keys: &'p [(CExpr, bool)],
    /// The slot of every key, when every key is a variable (ORDER BY after
    /// a projection): rows are compared where their values lie, and no
    /// key values are kept beside them.
    slots: Option<Vec<usize>>,
    k: usize,
    best: Vec<(Vec<Value>, Row)>,
    buf: Vec<Value>,
    locals: Vec<Value>,
}

impl<'p> TopK<'p> {
    pub(super) fn new(keys: &'p [(CExpr, bool)], k: usize) -> Self {
        let slots = key_slots(keys);
        TopK {
            keys,
            slots,
            k,
            best: Vec::with_capacity(k.saturating_add(1).min(TOP_K_MAX + 1)),
            buf: Vec::with_capacity(keys.len()),
            locals: Vec::new(),
        }
    }

    /// Keeps `row` (a copy of a borrowed one) if it is among the best `k`
    /// so far; tells whether it did, and gives back the row that left to
    /// make room.
    pub(super) fn offer(
        &mut self,
        row: Cow<'_, Row>,
        ctx: &Ctx<'_>,
    ) -> Result<(bool, Option<Row>)> {
        if self.k == 0 {
            return Ok((false, None));
        }
        let keys = self.keys;
        if let Some(slots) = &self.slots {
            // Rows compared where their values lie.
            let order = |a: &Row, (_, b): &(Vec<Value>, Row)| {
                ordered(
                    slots
                        .iter()
                        .zip(keys)
                        .map(|(&s, (_, d))| (slot(a, s), slot(b, s), *d)),
                )
            };
            return Ok(keep_ranked(&mut self.best, self.k, row, order, Vec::new));
        }
        self.buf.clear();
        if self.best.len() == self.k && !self.beats_last(&row, ctx)? {
            return Ok((false, None));
        }
        for (e, _) in &keys[self.buf.len()..] {
            self.buf.push(eval(e, &row, &mut self.locals, ctx)?);
        }
        let buf = &self.buf;
        Ok(keep_ranked(
            &mut self.best,
            self.k,
            row,
            |_, (b, _)| key_order(keys, buf, b),
            || buf.clone(),
        ))
    }

    /// Whether `row` is strictly better than the k-th row kept (later rows
    /// lose ties), its keys evaluated into `buf` one at a time, each only
    /// while those before it tie: a row the first key already rules out
    /// (`ORDER BY revenue DESC, b.name` over 134,977 customers for ten) is
    /// not read for the next. Only keys that cannot fail ([`cannot_fail`])
    /// are left unevaluated, so no error is skipped with them.
    fn beats_last(&mut self, row: &Row, ctx: &Ctx<'_>) -> Result<bool> {
        let Some((last, _)) = self.best.last() else {
            return Ok(true);
        };
        let mut decided = None;
        for (i, (e, desc)) in self.keys.iter().enumerate() {
            match decided {
                // Kept: the caller evaluates the keys left.
                Some(true) => break,
                // Ruled out: the keys left are evaluated only if they may
                // fail, for their errors.
                Some(false) => {
                    if !cannot_fail(e, row) {
                        eval(e, row, &mut self.locals, ctx)?;
                    }
                    continue;
                }
                None => {}
            }
            let v = eval(e, row, &mut self.locals, ctx)?;
            let o = directed(&v, &last[i], *desc);
            if o != std::cmp::Ordering::Equal {
                decided = Some(o == std::cmp::Ordering::Less);
            }
            self.buf.push(v);
        }
        Ok(decided.unwrap_or(false))
    }

    /// Whether [`TopK::offer`] would keep `row` now, its sort keys being
    /// variables (true where they are not: then only `offer` can tell).
    /// A row that ties with the k-th kept one is not kept (later rows lose
    /// ties).
    pub(super) fn may_keep(&self, row: &Row) -> bool {
        let Some(slots) = &self.slots else {
            return true;
        };
        match self.best.last() {
            _ if self.k == 0 => false,
            Some((_, last)) if self.best.len() == self.k => {
                ordered(
                    slots
                        .iter()
                        .zip(self.keys)
                        .map(|(&s, (_, d))| (slot(row, s), slot(last, s), *d)),
                ) == std::cmp::Ordering::Less
            }
            _ => true,
        }
    }

    /// [`TopK::may_keep`] by the first `known` sort keys alone (the
    /// others' values not made yet): `None` where they tie with the k-th
    /// row kept, so that the others must tell.
    pub(super) fn may_keep_by(&self, row: &Row, known: usize) -> Option<bool> {
        let Some(slots) = &self.slots else {
            return Some(true);
        };
        match self.best.last() {
            _ if self.k == 0 => Some(false),
            Some((_, last)) if self.best.len() == self.k => {
                let by = slots.iter().zip(self.keys).take(known);
                match ordered(by.map(|(&s, (_, d))| (slot(row, s), slot(last, s), *d))) {
                    std::cmp::Ordering::Less => Some(true),
                    std::cmp::Ordering::Greater => Some(false),
                    // All keys tie: later rows lose ties.
                    std::cmp::Ordering::Equal if known >= slots.len() => Some(false),
                    std::cmp::Ordering::Equal => None,
                }
            }
            _ => Some(true),
        }
    }

    /// Where slot `s` is among the sort keys, if it is one (every key a
    /// variable).
    pub(super) fn key_position(&self, s: usize) -> Option<usize> {
        self.slots.as_ref()?.iter().position(|k| *k == s)
    }

    /// The rows kept, best first.
    pub(super) fn into_rows(self) -> Vec<Row> {
        self.best.into_iter().map(|(_, r)| r).collect()
    }
}

/// Whether evaluating `e` on `row` cannot fail: a variable, a constant,
/// or a property of a variable that holds a node, a relationship or null
/// (a property of anything else, an integer say, is an error).
pub(super) fn cannot_fail(e: &CExpr, row: &Row) -> bool {
    match e {
        CExpr::Slot(_) | CExpr::Const(_) => true,
        CExpr::Property(base, ..) => match &**base {
            CExpr::Slot(s) => matches!(
                slot(row, *s),
                Value::Node(_) | Value::Relationship(_) | Value::Null
            ),
            _ => false,
        },
        _ => false,
    }
}

/// The value of slot `s` of `row` (null past its end, as `eval` reads it).
fn slot(row: &Row, s: usize) -> &Value {
    row.get(s).unwrap_or(&NULL)
}

/// The slot of every ORDER BY key, when every key is a variable (as after
/// a projection): the rows' own values can be compared then.
pub(super) fn key_slots(keys: &[(CExpr, bool)]) -> Option<Vec<usize>> {
    keys.iter()
        .map(|(e, _)| match e {
            CExpr::Slot(s) => Some(*s),
            _ => None,
        })
        .collect()
}

/// Keeps `row` among the best `k` entries of `best` (best first), with
/// its sort key values from `keys`, made only when it is kept: `order`
/// compares the row with an entry, and later rows lose ties, so one must
/// be strictly better than the k-th. Tells whether it was kept, and gives
/// back the row that left to make room.
fn keep_ranked(
    best: &mut Vec<(Vec<Value>, Row)>,
    k: usize,
    row: Cow<'_, Row>,
    order: impl Fn(&Row, &(Vec<Value>, Row)) -> std::cmp::Ordering,
    keys: impl FnOnce() -> Vec<Value>,
) -> (bool, Option<Row>) {
    let less = |w: &(Vec<Value>, Row)| order(&row, w) == std::cmp::Ordering::Less;
    if best.len() == k && best.last().is_some_and(|w| !less(w)) {
        return (false, None);
    }
    let pos = best.partition_point(|b| !less(b));
    best.insert(pos, (keys(), row.into_owned()));
    let left = (best.len() > k)
        .then(|| best.pop().map(|(_, r)| r))
        .flatten();
    (true, left)
}
