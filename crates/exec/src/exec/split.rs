//! Parallel work inside one task. A segment whose whole input is one task
//! (the one `me`, the ten rows after a LIMIT, a label scan that finds one
//! vendor) would otherwise run on one thread however many rows its first
//! expansion or product fans out to. Here the segment is cut after its
//! first fan-out operator (and the filters right after it): the rows that
//! reach the cut are gathered into batches, and the rest of the segment
//! runs the batches in parallel. What follows the cut is cut again the
//! same way, so a scan that finds one row, then a product, then an
//! expansion is cut where the rows actually multiply.
//!
//! Rows pass on uncopied while sharing would not pay ([`Cut::pass`]):
//! while the task is younger than [`PAR_AFTER`], and for as long as the
//! work a row costs after the cut (timed on a sample) is below
//! [`ROW_WORK`] (copying and merging it would cost as much). Then they are
//! kept as the values of the slots the operators before the cut bind (a
//! product's or an expansion's one or two values) over a shared copy of
//! the row they came from, in batches of about [`BATCH_WORK`] (at most
//! [`BATCH_ROWS`] rows) that run in waves of [`WAVE_PER_THREAD`] per
//! thread, so rows waiting for a thread stay bounded.
//!
//! Results are the same on any number of threads. Where a sink's result
//! does not depend on where batches start ([`SinkUse::exact`]: rows kept,
//! counts, exact sums, `collect`, the first of equal rows), the batches'
//! partial results are merged in row order (or, for aggregates that do
//! not depend on order, folded into one sink per thread). Where it does
//! (`stDev` merges its moments with other rounding by its partition), the
//! first [`INLINE`] rows pass uncopied and the batches start at fixed rows,
//! whatever the clock and the thread count say.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use relgraph_graph::Value;

use super::stream::{self, Sink};
use super::{row_bytes, run_task_rows, Hold, Task};
use crate::error::{ExecError, Result};
use crate::eval::{approx_bytes, Ctx};
use crate::options::VALUE_BYTES;
use crate::plan::{Op, Row};

/// Rows that pass the cut uncopied where batches must start at fixed rows.
const INLINE: usize = 1024;
/// Rows in a batch: equal batches share a wave's work out evenly; 2,048
/// rather than 512 halves the partial results to merge (cookbook cb09 at
/// scale 45: 399-415 ms against 417-462 ms).
const BATCH_ROWS: usize = 2048;
/// Work per batch where rows are timed (batches get fewer rows than
/// [`BATCH_ROWS`] when rows cost more than BATCH_WORK / BATCH_ROWS).
const BATCH_WORK: Duration = Duration::from_micros(500);
/// Rows in a batch, at least.
const MIN_BATCH: usize = 16;
/// Batches per thread in a wave.
const WAVE_PER_THREAD: usize = 4;

/// Time a task runs before its rows are batched for other threads (where
/// the result does not depend on where batches start) and before its
/// waves go to the thread pool: handing work over wakes a worker and waits
/// for it, and the partial results it makes must be merged again, which
/// for a DISTINCT count costs as much as the work shared on a 3 ms query.
/// Running a wave on the task's own thread gives the same sinks.
const PAR_AFTER: Duration = Duration::from_micros(500);
/// Rows between two reads of the clock.
const CLOCK_EVERY: usize = 64;
/// Work after the cut, per row, below which rows are not shared: copying
/// a row into a batch and merging what it adds to the sink costs about
/// that (the floor's 3-hop reach, a DISTINCT of 20,000 nodes at 0.1 us a
/// row, was 2.4 -> 3.2 ms when cut).
const ROW_WORK: Duration = Duration::from_nanos(500);
/// [`ROW_WORK`] where partial results hold sets of values: cookbook cb10
/// (a DISTINCT count per product, 0.65 us a row) was 2.8 -> 3.1-3.5 ms
/// when shared.
const ROW_WORK_DEDUP: Duration = Duration::from_micros(2);
/// Rows timed before the first decision to share (an expansion that
/// starts emitting late must not be judged on none).
const MIN_TIMED: u32 = 4;

/// The sizes a cut uses: [`INLINE`], [`BATCH_ROWS`] and [`PAR_AFTER`]
/// (unit tests shrink them to cut small graphs, or turn cutting off).
#[cfg(not(test))]
fn sizes() -> Option<(usize, usize, Duration)> {
    Some((INLINE, BATCH_ROWS, PAR_AFTER))
}

#[cfg(test)]
pub(super) mod knob {
    use std::sync::atomic::{AtomicU8, Ordering};

    /// 0: as built; 1: no cuts (nor early scans); 2: tiny batches, and
    /// every filtered scan runs first.
    pub(crate) static MODE: AtomicU8 = AtomicU8::new(0);

    pub(crate) fn mode() -> u8 {
        MODE.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
fn sizes() -> Option<(usize, usize, Duration)> {
    match knob::mode() {
        1 => None,
        2 => Some((3, 2, Duration::ZERO)),
        _ => Some((INLINE, BATCH_ROWS, PAR_AFTER)),
    }
}

/// A sink whose rows can be followed by those of another of its kind: the
/// partial results of consecutive batches merge in order.
pub(super) trait Absorb: Sink + Send + Sized {
    /// Takes `later`'s rows as if they had come after this sink's own.
    fn absorb(&mut self, later: Self) -> Result<()>;
}

/// Where a one-task segment is cut, and what the operators before the cut
/// bind.
pub(super) struct CutPoint {
    /// Operators before the cut.
    head: usize,
    /// Every slot they may write (a superset: an operator that leaves a
    /// slot as it was does no harm here).
    bound: Vec<usize>,
}

/// What the segment's sink does with rows, which decides how batches get
/// their sinks. `dedup`: partial results hold sets of values (`DISTINCT`)
/// that merging hashes again, so rows must cost more to be worth sharing
/// ([`ROW_WORK_DEDUP`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SinkUse {
    /// Keeps them: a cut with nothing after it would only copy rows twice.
    Rows,
    /// Aggregates or deduplicates in an order that matters: partial
    /// results merged in row order. `exact` when the result does not depend
    /// on where batches start (`collect`, `min`, the first of equal rows),
    /// unlike `stDev`, whose moments merge with other rounding.
    Partials { exact: bool, dedup: bool },
    /// Aggregates in any order (counts and sums): batches fold into one
    /// sink per thread.
    Folds { dedup: bool },
}

impl SinkUse {
    /// Whether the result is the same wherever batches start: then rows
    /// pass on uncopied while that pays ([`Cut::pass`]), else only the
    /// first [`INLINE`].
    pub(super) fn exact(self) -> bool {
        !matches!(self, SinkUse::Partials { exact: false, .. })
    }

    /// Work after the cut, per row, below which rows are not shared.
    fn row_work(self) -> Duration {
        match self {
            SinkUse::Partials { dedup: true, .. } | SinkUse::Folds { dedup: true } => {
                ROW_WORK_DEDUP
            }
            _ => ROW_WORK,
        }
    }
}

/// Whether the planner expects `ops` to make enough rows somewhere for a
/// cut to pay: an estimate of at least [`INLINE`] rows. A question of a
/// few hundred rows (LDBC's friends' likes, 0.05 ms) paid 4 us for its
/// cuts and gained nothing. Unit tests cut everything.
pub(super) fn fans_out(ops: &[Op]) -> bool {
    #[cfg(test)]
    if knob::mode() == 2 {
        return true;
    }
    ops.iter()
        .filter_map(|op| match op {
            // A product's or join's estimate is its build side's last.
            Op::HashJoin(j) => j.build.iter().rev().find_map(Op::estimate),
            other => other.estimate(),
        })
        .any(|e| e >= INLINE as f64)
}

/// The cut of `ops`: after the first operator that can produce many rows
/// from one (a scan, an expansion, a product or join, UNWIND) and the
/// filters right after it that run no sub-plan, when everything before it
/// binds slots this module knows (no OPTIONAL MATCH, shortest path or
/// procedure before the cut) and operators follow it (or the sink
/// aggregates or deduplicates, work worth sharing).
pub(super) fn cut_point(ops: &[Op], sinks: SinkUse) -> Option<CutPoint> {
    sizes()?;
    let mut bound = Vec::new();
    let mut fan_out = None;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Filter(..) => {}
            Op::Project { items, .. } => bound.extend(items.iter().map(|(_, s)| *s)),
            Op::BuildPath(p) => bound.push(p.slot),
            Op::NodeScan(s) => {
                bound.push(s.slot);
                bound.extend(s.reads.iter().map(|(_, r)| *r));
            }
            Op::Expand(e) => {
                for x in std::iter::once(e).chain(e.closing.as_deref()) {
                    bound.extend([x.rel, x.to]);
                    bound.extend(x.count_into);
                    bound.extend(x.target_reads.iter().map(|(_, s)| *s));
                }
            }
            Op::HashJoin(j) => {
                bound.extend(j.slots.iter().copied());
                bound.extend(j.probe_reads.iter().map(|(_, s)| *s));
            }
            Op::Unwind { slot, .. } => bound.push(*slot),
            _ => return None,
        }
        if matches!(
            op,
            Op::NodeScan(_) | Op::Expand(_) | Op::HashJoin(_) | Op::Unwind { .. }
        ) {
            fan_out = Some(i);
            break;
        }
    }
    let mut head = fan_out? + 1;
    // Filters that run no sub-plan stay before the cut (fewer rows to
    // copy; a scan checks its comparisons as it reads); a pattern
    // predicate per product row (cookbook cb09) runs after it, in
    // parallel.
    while let Some(Op::Filter(e, _)) = ops.get(head) {
        if e.runs_subplan() {
            break;
        }
        head += 1;
    }
    bound.sort_unstable();
    bound.dedup();
    (head < ops.len() || sinks != SinkUse::Rows).then_some(CutPoint { head, bound })
}

/// Runs one task through `ops`, cut at `cut` (see the module
/// documentation). Returns the sinks in batch order.
pub(super) fn run_cut<S: Absorb>(
    ops: &[Op],
    cut: CutPoint,
    sinks: SinkUse,
    task: Task,
    ctx: &Ctx<'_>,
    make: &(impl Fn(usize) -> S + Sync),
) -> Result<Vec<S>> {
    // Folded waves run on the pool's other threads while this one gathers
    // the next ([`Cut::hand_off`]); the scope outlives every such job.
    rayon::in_place_scope(|scope| {
        let mut c = Cut::new(ops, cut, sinks, Instant::now(), ctx, make, scope);
        let head = c.head;
        let fed = stream::with_stack_base(|| match task {
            Task::Rows(rows) => {
                for mut r in rows {
                    // Rows from the next input row share another base.
                    c.base = None;
                    if !stream::push(head, &mut r, ctx, &mut c)? {
                        break;
                    }
                }
                Ok(())
            }
            other => run_task_rows(head, other, ctx, &mut c),
        });
        if let Err(e) = fed {
            c.abandon();
            return Err(e);
        }
        Ok(c.finish()?.0)
    })
}

/// Rows that reached the cut, as the values of the bound slots over the
/// row they came from.
#[derive(Default)]
struct Batch {
    /// Runs of consecutive rows from one base row: the base and how many.
    runs: Vec<(Arc<Row>, usize)>,
    /// The bound slots' values, row after row.
    values: Vec<Value>,
    rows: usize,
    /// Bytes its rows hold against the memory budget.
    bytes: u64,
}

/// How one row at the cut goes on.
enum Pass {
    Uncopied,
    /// Uncopied, its work after the cut timed.
    Timed,
    Batch,
}

/// Where the uncopied rows go.
enum First<'s, 'a, 'c, S, F> {
    /// Straight into a sink.
    Sink(S),
    /// Into the cut of the rest of the segment (its uncopied rows may fan
    /// out further: a product after a scan that found one row).
    Cut(Box<Cut<'s, 'a, 'c, S, F>>),
    /// Passed on already (batches have started).
    Done,
}

/// The sink at the cut: passes rows on, then gathers them into batches.
struct Cut<'s, 'a, 'c, S, F> {
    /// The operators before the cut.
    head: &'a [Op],
    rest: &'a [Op],
    bound: Vec<usize>,
    ctx: &'a Ctx<'c>,
    make: &'a F,
    first: First<'s, 'a, 'c, S, F>,
    /// How batches get their sinks.
    use_: SinkUse,
    /// Finished sinks, in batch order.
    sinks: Vec<S>,
    /// The batches' rows so far, merged in order (sinks that keep order).
    merged: Option<S>,
    /// With [`SinkUse::Folds`]: one sink per thread, that every wave's
    /// batches fold into.
    folds: Vec<S>,
    /// The index the next batch gets: the sinks before it in row order
    /// (the uncopied rows' ones, then one per batch).
    next: usize,
    /// Rows that still pass on uncopied without a check.
    uncopied: usize,
    /// The shared copy of the row the current input row's rows extend.
    base: Option<Arc<Row>>,
    batch: Batch,
    /// Rows a batch takes.
    size: usize,
    /// Full batches not yet run.
    waiting: Vec<Batch>,
    /// The gathered rows' bytes, held against the memory budget.
    hold: Hold<'a>,
    /// When the task started, and how long it runs alone ([`PAR_AFTER`]).
    started: Instant,
    par_after: Duration,
    /// Younger than `par_after` when the clock was last read, or its
    /// rows too cheap to share.
    young: bool,
    /// Time spent after the cut on the `timed` rows sampled.
    spent: Duration,
    timed: u32,
    /// Threads of the pool the task runs in.
    threads: usize,
    /// Where folded waves are handed to other threads ([`Cut::hand_off`]).
    scope: &'s rayon::Scope<'a>,
    /// The jobs handed off and the sinks they fill.
    shared: Arc<Shared<S>>,
    /// Runs handed off, and merged.
    runs: (usize, usize),
}

/// Work handed to the pool's other threads ([`Cut::hand_off`]).
enum Job {
    /// A batch that folds into any fold sink ([`SinkUse::Folds`]).
    Fold(usize, Batch),
    /// Run `k` of consecutive batches: it fills a sink of its own, which
    /// the cut merges in run order.
    Run(usize, Vec<(usize, Batch)>),
}

impl Job {
    /// The bytes its rows hold against the memory budget.
    fn bytes(&self) -> u64 {
        match self {
            Job::Fold(_, b) => b.bytes,
            Job::Run(_, run) => run.iter().map(|(_, b)| b.bytes).sum(),
        }
    }
}

/// The jobs waiting for a thread, the fold sinks between jobs and the
/// sinks of finished runs ([`Cut::hand_off`]).
struct Shared<S> {
    state: Mutex<Queue>,
    /// Fold sinks no thread is using.
    sinks: Mutex<Vec<S>>,
    /// The sinks of finished runs by run number, until the cut merges
    /// them.
    done: Mutex<BTreeMap<usize, S>>,
}

/// The queue of a [`Shared`], and the threads taking from it.
#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Jobs spawned that have not yet found the queue empty.
    workers: usize,
    /// The first error a batch ran into: the rest are dropped.
    failed: Option<ExecError>,
}

/// Locks `m`, whether or not a thread panicked holding it (the queue and
/// the sinks stay consistent between two statements).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<S: Absorb> Shared<S> {
    fn new() -> Self {
        Shared {
            state: Mutex::new(Queue::default()),
            sinks: Mutex::new(Vec::new()),
            done: Mutex::new(BTreeMap::new()),
        }
    }

    /// The next job, if any is left and none has failed.
    fn next(&self, ctx: &Ctx<'_>) -> Option<Job> {
        let mut q = lock(&self.state);
        if q.failed.is_some() {
            drop_jobs(&mut q.jobs, ctx);
            return None;
        }
        q.jobs.pop_front()
    }

    /// Runs `job`: a batch into `fold` (taken from the pool when it is
    /// none yet), or a run into a sink of its own, kept in `done`. An
    /// error is kept for the cut to return.
    fn run<F: Fn(usize) -> S + Sync>(&self, job: Job, fold: &mut Option<S>, t: &Tail<'_, '_, F>) {
        let bytes = job.bytes();
        let ran = match job {
            Job::Fold(i, batch) => {
                let s = fold
                    .get_or_insert_with(|| lock(&self.sinks).pop().unwrap_or_else(|| (t.make)(i)));
                s.begin_batch(i);
                run_batch(t.rest, t.bound, batch, t.ctx, s)
            }
            Job::Run(k, run) => run_in_order(run, t).map(|s| {
                lock(&self.done).insert(k, s);
            }),
        };
        t.ctx.guard.release(bytes);
        if let Err(e) = ran {
            lock(&self.state).failed.get_or_insert(e);
        }
    }

    /// Runs jobs from the queue until it is empty (or a job failed); the
    /// fold sink it took goes back to the pool.
    fn drain<F: Fn(usize) -> S + Sync>(&self, t: &Tail<'_, '_, F>) {
        let mut fold: Option<S> = None;
        while let Some(job) = self.next(t.ctx) {
            self.run(job, &mut fold, t);
        }
        lock(&self.sinks).extend(fold);
    }

    /// A spawned job's loop: [`Shared::drain`], then it leaves (counted
    /// out under the queue's lock, so a job queued after it looked is
    /// seen by the cut, which spawns another).
    fn work<F: Fn(usize) -> S + Sync>(&self, t: &Tail<'_, '_, F>) {
        loop {
            self.drain(t);
            let mut q = lock(&self.state);
            if q.jobs.is_empty() || q.failed.is_some() {
                q.workers -= 1;
                return;
            }
        }
    }

    /// The error a batch ran into, if one did.
    fn failure(&self) -> Result<()> {
        match lock(&self.state).failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// What a handed-off job runs its batches through: the operators after
/// the cut, the slots the batches bind, the query's context, and how
/// sinks are made.
struct Tail<'t, 'c, F> {
    rest: &'t [Op],
    bound: &'t [usize],
    ctx: &'t Ctx<'c>,
    make: &'t F,
}

/// Drops queued jobs, giving back the bytes their rows held.
fn drop_jobs(jobs: &mut VecDeque<Job>, ctx: &Ctx<'_>) {
    for j in jobs.drain(..) {
        ctx.guard.release(j.bytes());
    }
}

/// A run of consecutive batches into a new sink.
fn run_in_order<S: Sink, F: Fn(usize) -> S>(
    run: Vec<(usize, Batch)>,
    t: &Tail<'_, '_, F>,
) -> Result<S> {
    let mut sink = (t.make)(run.first().map_or(0, |b| b.0));
    for (i, batch) in run {
        sink.begin_batch(i);
        run_batch(t.rest, t.bound, batch, t.ctx, &mut sink)?;
    }
    Ok(sink)
}

impl<'a, S: Absorb + 'a, F: Fn(usize) -> S + Sync> Sink for Cut<'_, 'a, '_, S, F> {
    fn push(&mut self, row: &mut Row) -> Result<bool> {
        match self.pass() {
            Pass::Uncopied => return self.pass_on(row),
            Pass::Timed => {
                let t0 = Instant::now();
                let more = self.pass_on(row);
                self.spent += t0.elapsed();
                self.timed += 1;
                return more;
            }
            Pass::Batch => {}
        }
        self.close_first()?;
        if self.base.is_none() {
            let bytes = row_bytes(row);
            self.hold.add(bytes)?;
            self.batch.bytes += bytes;
            self.base = Some(Arc::new(row.clone()));
        }
        let base = self.base.as_ref().expect("set above");
        let batch = &mut self.batch;
        match batch.runs.last_mut() {
            Some((b, n)) if Arc::ptr_eq(b, base) => *n += 1,
            _ => batch.runs.push((base.clone(), 1)),
        }
        if batch.values.capacity() == 0 {
            batch.values.reserve_exact(self.size * self.bound.len());
        }
        let mut bytes = 0;
        for s in &self.bound {
            bytes += VALUE_BYTES + approx_bytes(&row[*s]);
            batch.values.push(row[*s].clone());
        }
        batch.bytes += bytes;
        self.hold.add(bytes)?;
        batch.rows += 1;
        if batch.rows == self.size {
            self.waiting.push(std::mem::take(batch));
            if self.waiting.len() >= WAVE_PER_THREAD * self.threads.max(1) {
                self.run_wave()?;
            }
        }
        Ok(true)
    }
}

impl<'s, 'a, 'c, S: Absorb + 'a, F: Fn(usize) -> S + Sync> Cut<'s, 'a, 'c, S, F> {
    /// The cut of `ops` at `cut`, with the cuts of what follows it.
    fn new(
        ops: &'a [Op],
        cut: CutPoint,
        use_: SinkUse,
        started: Instant,
        ctx: &'a Ctx<'c>,
        make: &'a F,
        scope: &'s rayon::Scope<'a>,
    ) -> Self {
        let (head, rest) = ops.split_at(cut.head);
        let (inline, size, par_after) = sizes().unwrap_or((INLINE, BATCH_ROWS, PAR_AFTER));
        let threads = rayon::current_num_threads();
        let first = match cut_point(rest, use_).filter(|_| !rest.is_empty()) {
            Some(next) => First::Cut(Box::new(Cut::new(
                rest, next, use_, started, ctx, make, scope,
            ))),
            None => First::Sink(make(0)),
        };
        Cut {
            head,
            rest,
            bound: cut.bound,
            ctx,
            make,
            first,
            use_,
            sinks: Vec::new(),
            merged: None,
            folds: Vec::new(),
            next: 0,
            // Exact sinks are timed from the first row (on one thread they
            // are never cut: `run_tasks`).
            uncopied: if use_.exact() && !par_after.is_zero() {
                0
            } else {
                inline
            },
            base: None,
            batch: Batch::default(),
            size,
            waiting: Vec::new(),
            hold: Hold::new(ctx.guard),
            started,
            par_after,
            young: !par_after.is_zero(),
            spent: Duration::ZERO,
            timed: 0,
            threads,
            scope,
            shared: Arc::new(Shared::new()),
            runs: (0, 0),
        }
    }

    /// How this row goes on: the first [`INLINE`] pass uncopied, and when
    /// the sink's result does not depend on where batches start, every
    /// row does while the task is younger than [`PAR_AFTER`] or its rows
    /// cost less than [`ROW_WORK`] each after the cut
    /// (copying and merging them would cost about as much). The clock is
    /// read every [`CLOCK_EVERY`] rows, and that row's work is timed; the
    /// decision waits for [`MIN_TIMED`] timed rows.
    #[inline]
    fn pass(&mut self) -> Pass {
        if self.uncopied > 0 {
            self.uncopied -= 1;
            return Pass::Uncopied;
        }
        self.pass_checked()
    }

    /// [`Cut::pass`] once the rows that pass unchecked are used up.
    #[inline(never)]
    fn pass_checked(&mut self) -> Pass {
        if matches!(self.first, First::Done) || !self.use_.exact() || !self.young {
            return Pass::Batch;
        }
        if self.timed >= MIN_TIMED {
            let per_row = self.spent / self.timed;
            self.young = per_row < self.use_.row_work() || self.started.elapsed() < self.par_after;
            if !self.young {
                // Batches of about BATCH_WORK each: rows of 20 us (an
                // OPTIONAL MATCH per company) in batches of 2,048 left
                // one thread with most of the work.
                let rows = BATCH_WORK.as_nanos() / per_row.as_nanos().max(1);
                self.size = (rows as usize).clamp(MIN_BATCH, self.size);
                return Pass::Batch;
            }
        }
        // The first MIN_TIMED rows are timed one after another (rows of
        // 50 us must not run 256 before the first decision).
        self.uncopied = if self.timed + 1 < MIN_TIMED {
            0
        } else {
            CLOCK_EVERY - 1
        };
        Pass::Timed
    }

    /// Passes `row` on uncopied, to the rest of the segment.
    fn pass_on(&mut self, row: &mut Row) -> Result<bool> {
        match &mut self.first {
            First::Sink(s) => stream::push(self.rest, row, self.ctx, s),
            First::Cut(c) => {
                c.base = None;
                stream::push(c.head, row, self.ctx, &mut **c)
            }
            First::Done => unreachable!("rows pass on uncopied before any batch"),
        }
    }

    /// Ends the uncopied rows: their sinks come first (with
    /// [`SinkUse::Folds`], they are the first folds: order does not matter,
    /// and one thread's batches then all fold into one sink).
    fn close_first(&mut self) -> Result<()> {
        let (sinks, used) = match std::mem::replace(&mut self.first, First::Done) {
            First::Sink(s) => (vec![s], 1),
            First::Cut(c) => c.finish()?,
            First::Done => return Ok(()),
        };
        self.next = used;
        if matches!(self.use_, SinkUse::Folds { .. }) {
            self.folds.extend(sinks);
        } else {
            self.sinks.extend(sinks);
        }
        Ok(())
    }

    /// Runs the waiting batches, in parallel once the task has run
    /// [`PAR_AFTER`].
    fn run_wave(&mut self) -> Result<()> {
        self.ctx.guard.check()?;
        let first = self.next;
        let parallel = self.started.elapsed() >= self.par_after;
        let batches: Vec<(usize, Batch)> = std::mem::take(&mut self.waiting)
            .into_iter()
            .enumerate()
            .map(|(i, b)| (first + i, b))
            .collect();
        self.next += batches.len();
        if matches!(self.use_, SinkUse::Folds { .. }) {
            if parallel && self.threads > 1 {
                return self.hand_off(batches.into_iter().map(|(i, b)| Job::Fold(i, b)).collect());
            }
            self.fold_wave(batches)?;
        } else {
            self.ordered_wave(batches, parallel)?;
        }
        // A base the next batch still shares is held again when it is.
        self.base = None;
        let held = std::mem::take(&mut self.hold.bytes);
        self.ctx.guard.release(held);
        Ok(())
    }

    /// Sinks that keep row order: each run of consecutive batches fills a
    /// sink of its own, and the sinks are merged into the cut's one in
    /// order (memory stays that of the result, not of every batch's
    /// partial). A run is one batch where the result depends on where
    /// batches start, else a thread's share of the wave.
    fn ordered_wave(&mut self, batches: Vec<(usize, Batch)>, parallel: bool) -> Result<()> {
        let n = match (parallel, self.use_.exact()) {
            (false, true) => 1,
            (true, true) => self.threads.clamp(1, batches.len()),
            (_, false) => batches.len(),
        };
        let per = batches.len().div_ceil(n.max(1));
        let mut runs: Vec<Vec<(usize, Batch)>> = Vec::with_capacity(n);
        for (j, b) in batches.into_iter().enumerate() {
            if j % per == 0 {
                runs.push(Vec::with_capacity(per));
            }
            runs.last_mut().expect("pushed above").push(b);
        }
        if (parallel || self.runs.0 > 0) && self.threads > 1 {
            let jobs = runs
                .into_iter()
                .map(|run| {
                    self.runs.0 += 1;
                    Job::Run(self.runs.0 - 1, run)
                })
                .collect();
            return self.hand_off(jobs);
        }
        for run in runs {
            let sink = run_in_order(run, &self.tail())?;
            self.merge(sink)?;
        }
        Ok(())
    }

    /// What handed-off jobs (or this thread) run batches through.
    fn tail(&self) -> Tail<'_, 'c, F> {
        Tail {
            rest: self.rest,
            bound: &self.bound,
            ctx: self.ctx,
            make: self.make,
        }
    }

    /// Takes the rows of `sink` after those merged so far.
    fn merge(&mut self, sink: S) -> Result<()> {
        self.ctx.guard.check()?;
        match &mut self.merged {
            Some(m) => m.absorb(sink),
            None => {
                self.merged = Some(sink);
                Ok(())
            }
        }
    }

    /// Merges the finished runs that come next in run order.
    fn merge_done(&mut self) -> Result<()> {
        loop {
            let next = lock(&self.shared.done).remove(&self.runs.1);
            let Some(sink) = next else {
                return Ok(());
            };
            self.runs.1 += 1;
            self.merge(sink)?;
        }
    }

    /// Once the task runs in parallel, a wave is queued for jobs on the
    /// pool's other threads (spawned up to one per other thread) and this
    /// thread goes back to gathering the next, so that the rows reaching
    /// the cut are gathered while the batches run (where each wave ran to
    /// its end first, the other threads waited through every gathering:
    /// a sixth of the two threads' time in cookbook cb07's waves at scale
    /// 450). With [`SinkUse::Folds`] the jobs
    /// are batches that fold into whichever fold sink is free (what they
    /// fold does not depend on order); otherwise they are the wave's runs,
    /// each filling a sink of its own that is merged in run order as soon
    /// as the runs before it are. At most a wave waits in the queue; past
    /// that this thread runs jobs too. The batches hold their rows' bytes
    /// until they have run.
    fn hand_off(&mut self, jobs: Vec<Job>) -> Result<()> {
        #[cfg(test)]
        tests::HANDED.fetch_add(jobs.len(), std::sync::atomic::Ordering::Relaxed);
        self.hold.bytes = 0;
        self.base = None;
        // The folds so far (the uncopied rows' sink) take batches too: each
        // sink more is a partial result more to merge (DISTINCT sets are
        // hashed again).
        lock(&self.shared.sinks).append(&mut self.folds);
        let limit = jobs.len();
        let spawn = {
            let mut q = lock(&self.shared.state);
            q.jobs.extend(jobs);
            let spawn = self.threads.saturating_sub(1).saturating_sub(q.workers);
            q.workers += spawn;
            spawn
        };
        let (rest, ctx, make) = (self.rest, self.ctx, self.make);
        for _ in 0..spawn {
            let shared = self.shared.clone();
            let bound = self.bound.clone();
            self.scope.spawn(move |_| {
                shared.work(&Tail {
                    rest,
                    bound: &bound,
                    ctx,
                    make,
                })
            });
        }
        while lock(&self.shared.state).jobs.len() > limit {
            if let Some(job) = self.shared.next(ctx) {
                let mut fold = None;
                self.shared.run(job, &mut fold, &self.tail());
                lock(&self.shared.sinks).extend(fold);
            }
        }
        self.shared.failure()?;
        self.merge_done()
    }

    /// Runs what was handed off and not yet taken, waits for the jobs
    /// still running (running other pool work meanwhile), merges the runs
    /// left and takes the fold sinks.
    fn join_handed_off(&mut self) -> Result<()> {
        self.shared.drain(&self.tail());
        while lock(&self.shared.state).workers > 0 {
            if rayon::yield_now() != Some(rayon::Yield::Executed) {
                std::thread::yield_now();
            }
        }
        self.shared.failure()?;
        self.merge_done()?;
        if self.runs.1 != self.runs.0 {
            return Err(ExecError::internal(format!(
                "{} of {} handed-off runs merged",
                self.runs.1, self.runs.0
            )));
        }
        self.folds.append(&mut lock(&self.shared.sinks));
        Ok(())
    }

    /// After an error: the batches not yet taken are dropped, so that the
    /// jobs still running stop after their batch (the scope waits for
    /// them).
    fn abandon(&mut self) {
        let mut q = lock(&self.shared.state);
        q.failed.get_or_insert_with(ExecError::cancelled);
        drop_jobs(&mut q.jobs, self.ctx);
        if let First::Cut(c) = &mut self.first {
            c.abandon();
        }
    }

    /// [`SinkUse::Folds`] on this thread (before the task runs in
    /// parallel, or with one thread): the wave folds into the first fold
    /// sink.
    fn fold_wave(&mut self, batches: Vec<(usize, Batch)>) -> Result<()> {
        if self.folds.is_empty() {
            self.folds
                .push((self.make)(batches.first().map_or(0, |b| b.0)));
        }
        let sink = &mut self.folds[0];
        for (i, batch) in batches {
            sink.begin_batch(i);
            run_batch(self.rest, &self.bound, batch, self.ctx, sink)?;
        }
        Ok(())
    }

    /// The sinks, in batch order (folds last), and how many batch indexes
    /// they cover.
    fn finish(mut self) -> Result<(Vec<S>, usize)> {
        self.close_first()?;
        if self.batch.rows > 0 {
            self.waiting.push(std::mem::take(&mut self.batch));
        }
        if !self.waiting.is_empty() {
            self.run_wave()?;
        }
        self.join_handed_off()?;
        let mut sinks = std::mem::take(&mut self.sinks);
        sinks.extend(self.merged.take());
        sinks.append(&mut self.folds);
        Ok((sinks, self.next))
    }
}

/// Pushes a batch's rows through `rest`: one scratch copy of each base,
/// with the bound slots' values moved in row by row.
fn run_batch<S: Sink>(
    rest: &[Op],
    bound: &[usize],
    batch: Batch,
    ctx: &Ctx<'_>,
    sink: &mut S,
) -> Result<()> {
    ctx.guard.check()?;
    #[cfg(test)]
    tests::BATCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    stream::with_stack_base(|| push_batch(rest, bound, batch, ctx, sink))
}

fn push_batch(
    rest: &[Op],
    bound: &[usize],
    batch: Batch,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<()> {
    let mut values = batch.values.into_iter();
    for (base, n) in batch.runs {
        let mut row = Arc::unwrap_or_clone(base);
        for _ in 0..n {
            for s in bound {
                row[*s] = values.next().unwrap_or(Value::Null);
            }
            if !stream::push(rest, &mut row, ctx, sink)? {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
