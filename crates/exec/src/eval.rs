//! Expression evaluation over one row, and the context it reads
//! ([`Ctx`]). The evaluator does not depend on the runtime's operators:
//! the sub-plans of pattern predicates and comprehensions run through the
//! [`SubPlans`] the context carries (the runtime's, or none while
//! planning), so the planner folds constants and measures filters here
//! without calling into `exec`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, Quantifier, Span};
use relgraph_graph::Value;

use std::cell::Cell;

use crate::error::{ErrorKind, ExecError, Result};
use crate::functions::{self, FnContext, LARGE_VALUE_BYTES};
use crate::options::{Guard, QueryOptions, MAX_VALUE_DEPTH, VALUE_BYTES};
use crate::params::LateParams;
use crate::plan::{put_node, CExpr, InList, MapProjItem, Row, SubPlan};
use crate::tables::{RunTables, NO_TABLES};
use crate::value_ops;
use relgraph_graph::temporal::DateTime;
use relgraph_graph::Snapshot;

/// What expressions and operators read while running.
pub(crate) struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub params: &'a BTreeMap<String, Value>,
    pub guard: &'a Guard,
    pub now: &'a DateTime,
    /// The run's tables (hash joins, indexed relationship lists, trail
    /// indexes), each built on first use.
    pub tables: &'a RunTables,
    /// The values of a prepared plan's late parameters (`CExpr::Param`).
    pub late: &'a LateParams,
    /// How the sub-plans of pattern predicates and comprehensions run.
    pub subplans: &'a SubPlans,
}

impl FnContext for Ctx<'_> {
    fn snapshot(&self) -> &Snapshot {
        self.snapshot
    }
    fn statement_time(&self) -> DateTime {
        self.now.clone()
    }
    fn reserve(&self, bytes: u64) -> Result<()> {
        self.guard.check_alloc(bytes)
    }
}

/// Runs a sub-plan from a row: whether it yields a row, how many, and
/// which (`exec::SUBPLANS` is the runtime's).
pub(crate) struct SubPlans {
    pub any: SubPlanFn<bool>,
    pub count: SubPlanFn<i64>,
    pub all: SubPlanFn<Vec<Row>>,
}

/// Runs a sub-plan's operators from a row.
pub(crate) type SubPlanFn<T> = fn(&SubPlan, &[Value], &Ctx<'_>) -> Result<T>;

/// No sub-plans: folding constants never meets one (a pattern reads a
/// variable), and a filter measured while planning that holds one is left
/// to the statistics.
static NO_SUBPLANS: SubPlans = SubPlans {
    any: |_, _, _| Err(planning_pattern()),
    count: |_, _, _| Err(planning_pattern()),
    all: |_, _, _| Err(planning_pattern()),
};

fn planning_pattern() -> ExecError {
    ErrorKind::Unsupported {
        feature: "a pattern evaluated while planning".into(),
        span: None,
    }
    .into()
}

/// Parameters of expressions evaluated outside a statement.
static NO_PARAMS: BTreeMap<String, Value> = BTreeMap::new();

/// No late parameters (expressions evaluated outside a prepared plan).
pub(crate) static NO_LATE: LateParams = LateParams::empty();

/// Most memory a value built while folding constants may take: larger
/// values are left to run time, where the query's limits apply.
const FOLD_BUDGET: u64 = 1 << 20;

/// Evaluates an expression that reads no row (SKIP / LIMIT arguments,
/// constant folding).
pub(crate) fn eval_const(e: &CExpr, snapshot: &Snapshot) -> Result<Value> {
    with_planning_ctx(snapshot, |ctx| eval(e, &[], &mut Vec::new(), ctx))
}

/// Runs `f` with a context for evaluating while planning: no parameters,
/// no sub-plans, at most [`FOLD_BUDGET`] of memory.
fn with_planning_ctx<T>(snapshot: &Snapshot, f: impl FnOnce(&Ctx<'_>) -> T) -> T {
    let guard = Guard::new(&QueryOptions {
        memory_budget: Some(FOLD_BUDGET),
        ..QueryOptions::default()
    });
    let now = crate::functions::temporal::statement_now();
    let ctx = Ctx {
        snapshot,
        params: &NO_PARAMS,
        guard: &guard,
        now: &now,
        tables: &NO_TABLES,
        late: &NO_LATE,
        subplans: &NO_SUBPLANS,
    };
    f(&ctx)
}

/// Evaluates predicate `e` with each of `nodes` in `slot` (every other
/// slot null): whether it holds for each, or `None` when it fails on one.
/// The planner measures a filter's selectivity on a sample this way.
pub(crate) fn eval_on_nodes(
    e: &CExpr,
    slot: usize,
    nodes: &[relgraph_graph::NodeId],
    snapshot: &Snapshot,
) -> Option<Vec<bool>> {
    with_planning_ctx(snapshot, |ctx| {
        let mut row = vec![Value::Null; slot + 1];
        let mut locals = Vec::new();
        nodes
            .iter()
            .map(|&n| {
                put_node(&mut row[slot], n);
                match eval(e, &row, &mut locals, ctx) {
                    Ok(Value::Bool(b)) => Some(b),
                    Ok(_) => Some(false),
                    Err(_) => None,
                }
            })
            .collect()
    })
}

/// Units of work between two checks of the guard ([`tick`]).
const TICK_EVERY: u32 = 1024;

thread_local! {
    static TICKS: Cell<u32> = const { Cell::new(0) };
}

/// Counts one unit of work (a scanned node, a matched relationship, a
/// list item) and checks the guard (timeout, cancellation) every
/// [`TICK_EVERY`] units on this thread.
#[inline(always)]
pub(crate) fn tick(ctx: &Ctx<'_>) -> Result<()> {
    let n = TICKS.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    if n.is_multiple_of(TICK_EVERY) {
        ctx.guard.check()?;
    }
    Ok(())
}

/// Evaluates `e` on `row`, borrowing the value where it already exists
/// (a constant, a slot, a stored property) instead of copying it: operands
/// of comparisons and arithmetic, aggregate arguments.
#[inline]
pub(crate) fn eval_ref<'v>(
    e: &'v CExpr,
    row: &'v [Value],
    locals: &mut Vec<Value>,
    ctx: &'v Ctx<'_>,
) -> Result<Cow<'v, Value>> {
    if let Some(v) = in_place(e, row) {
        return Ok(v);
    }
    match e {
        CExpr::Param(_) | CExpr::Property(..) => eval_ref_other(e, row, locals, ctx),
        // Computed values (`a + b` as an operand) go to `eval` directly:
        // one frame per level of the expression, not two.
        _ => eval(e, row, locals, ctx).map(Cow::Owned),
    }
}

/// The value of `e` when it is read where it lies, evaluating nothing: a
/// variable or a constant (most aggregate and sort arguments). Inlined
/// into the caller's loop, with no `Result` to build and take apart (in
/// the aggregate sink that round trip was most of its time).
#[inline]
pub(crate) fn in_place<'v>(e: &'v CExpr, row: &'v [Value]) -> Option<Cow<'v, Value>> {
    match e {
        CExpr::Slot(s) => Some(Cow::Borrowed(row.get(*s).unwrap_or(&NULL))),
        CExpr::Const(v) => Some(Cow::Borrowed(v)),
        _ => None,
    }
}

/// The null a missing slot or late parameter reads as.
pub(crate) static NULL: Value = Value::Null;

/// Calls `f` with the value of `e` read where it lies, as [`eval_ref`]
/// reads it, but without moving it out of a returned `Result`: a
/// variable, constant or parameter by reference, a stored property where
/// the snapshot returns it, anything else where [`eval`] built it. `f`
/// gets `locals` back for a second operand. A value moved between frames
/// is copied in wide pieces the processor cannot forward from the narrow
/// stores that wrote it; read in place, the per-row comparisons and
/// aggregate arguments skip that stall (`sum(CASE WHEN t.escalated ...)`
/// over 2.37 million tickets, docs/performance.md).
#[inline(always)]
pub(crate) fn with_ref<R>(
    e: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
    f: impl FnOnce(&Value, &mut Vec<Value>) -> Result<R>,
) -> Result<R> {
    match e {
        CExpr::Slot(s) => f(row.get(*s).unwrap_or(&NULL), locals),
        CExpr::Const(v) => f(v, locals),
        _ => with_ref_other(e, row, locals, ctx, f),
    }
}

/// [`with_ref`] of what is not a variable or constant, out of line.
#[inline(never)]
fn with_ref_other<R>(
    e: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
    f: impl FnOnce(&Value, &mut Vec<Value>) -> Result<R>,
) -> Result<R> {
    match e {
        CExpr::Param(name) => f(ctx.late.get(name).unwrap_or(&NULL), locals),
        // A searched CASE is the value of the branch it picks, read where
        // that lies (`sum(CASE WHEN t.escalated THEN 1 ELSE 0 END)` reads
        // the constant; nothing is built).
        CExpr::Case {
            subject: None,
            branches,
            default,
        } => {
            for (w, t) in branches {
                if when_holds(w, row, locals, ctx)? {
                    return with_ref(t, row, locals, ctx, f);
                }
            }
            match default {
                Some(d) => with_ref(d, row, locals, ctx, f),
                None => f(&NULL, locals),
            }
        }
        CExpr::Property(base, key, span) => {
            let slot = match base.as_ref() {
                CExpr::Slot(s) => row.get(*s).unwrap_or(&NULL),
                _ => return with_built(e, row, locals, ctx, f),
            };
            // Matched by reference: the value is read where the snapshot
            // put it, not moved.
            match &stored(slot, key, ctx) {
                Some(Some(v)) => f(v, locals),
                Some(None) => f(&NULL, locals),
                None => {
                    let k = key.resolve(ctx.snapshot.catalog());
                    let built = property(slot, k, &key.name, ctx).map_err(|e| e.at(*span));
                    with_result(built, locals, f)
                }
            }
        }
        _ => with_built(e, row, locals, ctx, f),
    }
}

/// Property `key` of `v` where the snapshot keeps it, when `v` is a node
/// or relationship (`Some(None)`: it has none); `None` for any other
/// value, whose property [`property`] reads (a map's) or refuses.
#[inline]
fn stored<'v>(
    v: &Value,
    key: &crate::plan::NameRef<relgraph_graph::PropKeyId>,
    ctx: &'v Ctx<'_>,
) -> Option<Option<Cow<'v, Value>>> {
    let snap: &'v relgraph_graph::Snapshot = ctx.snapshot;
    match (v, key.resolve(snap.catalog())) {
        (Value::Node(n), Some(k)) => Some(snap.node_property(*n, k)),
        (Value::Relationship(r), Some(k)) => Some(snap.rel_property(*r, k)),
        (Value::Node(_) | Value::Relationship(_), None) => Some(None),
        _ => None,
    }
}

/// [`with_ref`] of a value [`eval`] builds.
fn with_built<R>(
    e: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
    f: impl FnOnce(&Value, &mut Vec<Value>) -> Result<R>,
) -> Result<R> {
    let built = eval(e, row, locals, ctx);
    with_result(built, locals, f)
}

/// Calls `f` with a built value where the `Result` holds it (bound by
/// reference, not moved out), or passes its error on. Inlined: passing
/// the `Result` to a call would copy it.
#[inline(always)]
fn with_result<R>(
    built: Result<Value>,
    locals: &mut Vec<Value>,
    f: impl FnOnce(&Value, &mut Vec<Value>) -> Result<R>,
) -> Result<R> {
    match built {
        Ok(ref v) => f(v, locals),
        Err(e) => Err(e),
    }
}

/// [`eval_ref`] of what [`in_place`] does not read.
fn eval_ref_other<'v>(
    e: &'v CExpr,
    row: &'v [Value],
    locals: &mut Vec<Value>,
    ctx: &'v Ctx<'_>,
) -> Result<Cow<'v, Value>> {
    Ok(match e {
        CExpr::Param(name) => Cow::Borrowed(ctx.late.get(name).unwrap_or(&NULL)),
        CExpr::Property(base, key, span) => {
            let CExpr::Slot(s) = base.as_ref() else {
                return Ok(Cow::Owned(eval(e, row, locals, ctx)?));
            };
            let v = row.get(*s).unwrap_or(&NULL);
            match stored(v, key, ctx) {
                Some(read) => read.unwrap_or(Cow::Borrowed(&NULL)),
                None => {
                    let k = key.resolve(ctx.snapshot.catalog());
                    Cow::Owned(property(v, k, &key.name, ctx).map_err(|e| e.at(*span))?)
                }
            }
        }
        _ => Cow::Owned(eval(e, row, locals, ctx)?),
    })
}

/// Evaluates `e` on `row`; `locals` holds comprehension variables.
///
/// Each arm returns its own `Result` rather than a value the function
/// wraps in `Ok` at the end: a value built by a callee is then written
/// once, where the caller asked for it, instead of being copied out of a
/// temporary (a copy whose wide loads cannot be forwarded from the
/// narrow stores that just wrote it; docs/performance.md, session 21).
pub(crate) fn eval(
    e: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    match e {
        CExpr::Const(v) => Ok(v.clone()),
        CExpr::Param(name) => Ok(ctx.late.get(name).cloned().unwrap_or(Value::Null)),
        CExpr::Slot(s) => Ok(row.get(*s).cloned().unwrap_or(Value::Null)),
        CExpr::Local(i) => Ok(locals.get(*i).cloned().unwrap_or(Value::Null)),
        CExpr::Property(base, key, span) => {
            let k = key.resolve(ctx.snapshot.catalog());
            // Read through a variable without copying it (it may be a large map).
            match base.as_ref() {
                CExpr::Slot(s) => property(row.get(*s).unwrap_or(&Value::Null), k, &key.name, ctx),
                CExpr::Local(i) => {
                    property(locals.get(*i).unwrap_or(&Value::Null), k, &key.name, ctx)
                }
                _ => {
                    let b = eval(base, row, locals, ctx)?;
                    property(&b, k, &key.name, ctx)
                }
            }
            .map_err(|e| e.at(*span))
        }
        CExpr::Binary(op, a, b, span) => {
            if let Some(i) = int_of(e, row) {
                return Ok(Value::Int(i));
            }
            // Comprehension variables are borrowed, not copied: `reduce(l =
            // [], i IN ... | l + [i])` would copy its whole list each time.
            let ao = match **a {
                CExpr::Local(_) => None,
                _ => Some(eval_ref(a, row, locals, ctx)?),
            };
            let bo = match **b {
                CExpr::Local(_) => None,
                _ => Some(eval_ref(b, row, locals, ctx)?),
            };
            let (a, b) = (operand(&ao, a, locals), operand(&bo, b, locals));
            if *op == BinaryOp::Add {
                let bytes = concat_bytes(a, b);
                if bytes >= LARGE_VALUE_BYTES {
                    ctx.guard.check_alloc(bytes)?;
                }
            }
            value_ops::binary_op(*op, a, b).map_err(|e| e.at(*span))
        }
        CExpr::InSet(a, list, span) => {
            let needle = eval_ref(a, row, locals, ctx)?;
            match list {
                InList::Const(set) => set.contains(&needle),
                InList::Param(name) => match ctx.late.set(name) {
                    Some(set) => set.contains(&needle),
                    None => value_ops::binary_op(
                        BinaryOp::In,
                        &needle,
                        ctx.late.get(name).unwrap_or(&Value::Null),
                    ),
                },
            }
            .map_err(|e| e.at(*span))
        }
        CExpr::Unary(op, a, span) => {
            let a = eval(a, row, locals, ctx)?;
            value_ops::unary_op(*op, &a).map_err(|e| e.at(*span))
        }
        CExpr::IsNull(a, not) => Ok(Value::Bool(eval(a, row, locals, ctx)?.is_null() != *not)),
        CExpr::Call(f, args, span) => call(f, args, *span, row, locals, ctx),
        CExpr::Exists(plan) => Ok(Value::Bool((ctx.subplans.any)(plan, row, ctx)?)),
        CExpr::PatternCount(plan) => Ok(Value::Int((ctx.subplans.count)(plan, row, ctx)?)),
        _ => eval_other(e, row, locals, ctx),
    }
}

/// A scalar function's value: its arguments evaluated into a list on the
/// stack, then the function resolved at compile time called (in a frame
/// of its own, so that `eval`'s stays small).
#[inline(never)]
fn call(
    f: &functions::Scalar,
    args: &[CExpr],
    span: Span,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    // One argument read where it lies (a variable, a constant, a late
    // parameter: `id(n)`, `type(r)`, `toLower(s)`) is passed by
    // reference, neither copied nor dropped.
    if let [a] = args {
        return with_ref(a, row, locals, ctx, |v, _| {
            f.call(std::slice::from_ref(v), ctx).map_err(|e| e.at(span))
        });
    }
    let mut vals: smallvec::SmallVec<[Value; 3]> = smallvec::SmallVec::new();
    for a in args {
        vals.push(eval(a, row, locals, ctx)?);
    }
    f.call(&vals, ctx).map_err(|e| e.at(span))
}

/// [`eval`] of the expressions that are not read per row of most queries
/// (indexing, slicing, label tests, CASE, lists, maps, comprehensions):
/// in a frame of their own, so `eval`'s frame, entered for every
/// comparison and arithmetic operand, stays small.
#[inline(never)]
fn eval_other(e: &CExpr, row: &[Value], locals: &mut Vec<Value>, ctx: &Ctx<'_>) -> Result<Value> {
    Ok(match e {
        CExpr::Index(a, i, span) => {
            let a = eval(a, row, locals, ctx)?;
            let i = eval(i, row, locals, ctx)?;
            index(&a, &i, ctx).map_err(|e| e.at(*span))?
        }
        CExpr::Slice(a, from, to, span) => {
            let a = eval(a, row, locals, ctx)?;
            let from = match from {
                Some(x) => Some(eval(x, row, locals, ctx)?),
                None => None,
            };
            let to = match to {
                Some(x) => Some(eval(x, row, locals, ctx)?),
                None => None,
            };
            slice(&a, from.as_ref(), to.as_ref()).map_err(|e| e.at(*span))?
        }
        CExpr::HasLabels(base, labels, span) => match eval(base, row, locals, ctx)? {
            Value::Null => Value::Null,
            Value::Node(n) => {
                let catalog = ctx.snapshot.catalog();
                Value::Bool(labels.iter().all(|l| {
                    l.resolve(catalog)
                        .is_some_and(|id| ctx.snapshot.has_label(n, id))
                }))
            }
            other => {
                return Err(ExecError::type_error(
                    "InvalidArgumentType",
                    format!("label predicates need a node, got {}", other.type_name()),
                )
                .at(*span))
            }
        },
        CExpr::Case {
            subject,
            branches,
            default,
        } => {
            return case(
                subject.as_deref(),
                branches,
                default.as_deref(),
                row,
                locals,
                ctx,
            )
        }
        CExpr::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(eval(i, row, locals, ctx)?);
            }
            Value::List(out)
        }
        CExpr::Map(items) => {
            let mut out = BTreeMap::new();
            for (k, v) in items {
                out.insert(k.clone(), eval(v, row, locals, ctx)?);
            }
            Value::Map(out)
        }
        CExpr::ListComp {
            local,
            list,
            predicate,
            projection,
        } => {
            let (predicate, projection) = (predicate.as_deref(), projection.as_deref());
            return list_comprehension(*local, list, predicate, projection, row, locals, ctx);
        }
        CExpr::Quantifier {
            kind,
            local,
            list,
            predicate,
        } => return quantifier(*kind, *local, list, predicate.as_deref(), row, locals, ctx),
        CExpr::Reduce {
            acc,
            init,
            local,
            list,
            expr,
        } => return reduce(*acc, init, *local, list, expr, row, locals, ctx),
        CExpr::PatternComp(plan, proj) => {
            return pattern_comprehension(plan, proj, row, locals, ctx)
        }
        CExpr::MapProjection(base, items) => return map_projection(base, items, row, locals, ctx),
        CExpr::Const(_)
        | CExpr::Param(_)
        | CExpr::Slot(_)
        | CExpr::Local(_)
        | CExpr::Property(..)
        | CExpr::Binary(..)
        | CExpr::InSet(..)
        | CExpr::Unary(..)
        | CExpr::IsNull(..)
        | CExpr::Call(..)
        | CExpr::Exists(_)
        | CExpr::PatternCount(_) => return eval(e, row, locals, ctx),
    })
}

/// Whether variables `a` and `b` hold the same node (or relationship),
/// where both hold nodes (or both relationships); `None` otherwise.
#[inline]
fn same_entity(a: &CExpr, b: &CExpr, row: &[Value]) -> Option<bool> {
    let (CExpr::Slot(x), CExpr::Slot(y)) = (a, b) else {
        return None;
    };
    match (row.get(*x)?, row.get(*y)?) {
        (Value::Node(p), Value::Node(q)) => Some(p == q),
        (Value::Relationship(p), Value::Relationship(q)) => Some(p == q),
        _ => None,
    }
}

/// The three-valued truth of a predicate of the common shapes, read where
/// its values lie instead of through a value [`eval`] builds: comparisons
/// of variables, properties, parameters and constants (`p.size >= b.size
/// / 2`), pattern predicates, null tests, a variable, property or
/// parameter holding a boolean or null, and `NOT`, `AND`, `OR` of those
/// (both sides evaluated, in order, as `eval` does). `None` for any other
/// shape or value: evaluate it with [`eval`].
pub(crate) fn truth(
    e: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Option<Option<bool>>> {
    use BinaryOp::*;
    Ok(match e {
        CExpr::Binary(op @ (Eq | Ne | Lt | Le | Gt | Ge), a, b, _) => {
            // Two variables holding nodes or relationships (`p <> v`):
            // equal when they are the same one.
            if let (Eq | Ne, Some(same)) = (op, same_entity(a, b, row)) {
                return Ok(Some(Some(same == (*op == Eq))));
            }
            // Integers compared as integers, with no value built or read
            // through a reference (`p.size >= b.size / 2` over read slots).
            if let Some(x) = int_of(a, row) {
                return Ok(Some(match int_of(b, row) {
                    Some(y) => Some(int_holds(*op, x, y)),
                    None => with_ref(b, row, locals, ctx, |y, _| {
                        Ok(value_ops::compare_op(*op, &Value::Int(x), y))
                    })?,
                }));
            }
            Some(with_ref(a, row, locals, ctx, |x, locals| {
                with_ref(b, row, locals, ctx, |y, _| {
                    Ok(value_ops::compare_op(*op, x, y))
                })
            })?)
        }
        CExpr::Binary(op @ (And | Or), a, b, _) => {
            let Some(x) = truth(a, row, locals, ctx)? else {
                return Ok(None);
            };
            let Some(y) = truth(b, row, locals, ctx)? else {
                return Ok(None);
            };
            Some(match (op, x, y) {
                (And, Some(false), _) | (And, _, Some(false)) => Some(false),
                (And, Some(true), Some(true)) => Some(true),
                (Or, Some(true), _) | (Or, _, Some(true)) => Some(true),
                (Or, Some(false), Some(false)) => Some(false),
                _ => None,
            })
        }
        CExpr::Unary(relgraph_cypher::ast::UnaryOp::Not, a, _) => {
            truth(a, row, locals, ctx)?.map(|t| t.map(|b| !b))
        }
        CExpr::Exists(plan) => Some(Some((ctx.subplans.any)(plan, row, ctx)?)),
        CExpr::IsNull(a, not) => Some(Some(eval_ref(a, row, locals, ctx)?.is_null() != *not)),
        // A boolean read where it lies (`WHERE t.escalated`, `CASE WHEN
        // co.exclusive`): matched in place, not copied out as a value.
        CExpr::Property(..) | CExpr::Slot(_) | CExpr::Param(_) => {
            with_ref(e, row, locals, ctx, |v, _| {
                Ok(match v {
                    Value::Bool(b) => Some(Some(*b)),
                    Value::Null => Some(None),
                    // Not a boolean: the caller decides (an error in WHERE).
                    _ => None,
                })
            })?
        }
        _ => None,
    })
}

/// The value of `e` when it is an integer computed from integers alone:
/// a variable or constant holding one, or `+`, `-`, `*`, `/`, `%` of such
/// (`b.size / 2`). `None` for any other shape or value, and where the
/// arithmetic overflows or divides by zero: [`eval`] then computes it
/// again, as it always did, and reports the error. The integers travel
/// in registers, with no value built, dropped or copied between frames.
#[inline]
fn int_of(e: &CExpr, row: &[Value]) -> Option<i64> {
    use BinaryOp::*;
    match e {
        CExpr::Slot(s) => match row.get(*s) {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        },
        CExpr::Const(Value::Int(i)) => Some(*i),
        CExpr::Binary(op @ (Add | Sub | Mul | Div | Mod), a, b, _) => {
            let x = int_of(a, row)?;
            let y = int_of(b, row)?;
            match op {
                Add => x.checked_add(y),
                Sub => x.checked_sub(y),
                Mul => x.checked_mul(y),
                Div => x.checked_div(y),
                _ => x.checked_rem(y),
            }
        }
        _ => None,
    }
}

/// Comparison `op` of two integers (what [`value_ops::compare_op`] gives
/// for two `Value::Int`s).
#[inline]
fn int_holds(op: BinaryOp, x: i64, y: i64) -> bool {
    use BinaryOp::*;
    match op {
        Eq => x == y,
        Ne => x != y,
        Lt => x < y,
        Le => x <= y,
        Gt => x > y,
        _ => x >= y,
    }
}

/// Whether the condition of a searched CASE's branch holds: true, not
/// false, null or another value.
fn when_holds(w: &CExpr, row: &[Value], locals: &mut Vec<Value>, ctx: &Ctx<'_>) -> Result<bool> {
    Ok(match truth(w, row, locals, ctx)? {
        Some(t) => t == Some(true),
        None => matches!(eval(w, row, locals, ctx)?, Value::Bool(true)),
    })
}

/// `CASE [subject] WHEN .. THEN .. [ELSE ..] END`: the first branch whose
/// condition is true (or equals the subject) decides.
fn case(
    subject: Option<&CExpr>,
    branches: &[(CExpr, CExpr)],
    default: Option<&CExpr>,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let subject = match subject {
        Some(s) => Some(eval(s, row, locals, ctx)?),
        None => None,
    };
    for (w, t) in branches {
        let hit = match &subject {
            Some(s) => value_ops::equals(s, &eval(w, row, locals, ctx)?) == Some(true),
            None => when_holds(w, row, locals, ctx)?,
        };
        if hit {
            return eval(t, row, locals, ctx);
        }
    }
    match default {
        Some(d) => eval(d, row, locals, ctx),
        None => Ok(Value::Null),
    }
}

/// Binds each item of `list` to local `local` in turn and calls `f`;
/// `false` when the list is null (`what` is the error for a non-list).
fn for_each_item(
    local: usize,
    list: &CExpr,
    what: &str,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
    mut f: impl FnMut(&mut Vec<Value>) -> Result<()>,
) -> Result<bool> {
    let Some(items) = items(list, row, locals, ctx, what)? else {
        return Ok(false);
    };
    for item in items {
        tick(ctx)?;
        locals.truncate(local);
        locals.push(item);
        f(locals)?;
    }
    locals.truncate(local);
    Ok(true)
}

/// `[x IN list WHERE predicate | projection]`, the items built held
/// against the memory budget.
fn list_comprehension(
    local: usize,
    list: &CExpr,
    predicate: Option<&CExpr>,
    projection: Option<&CExpr>,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let mut out = Vec::new();
    // Bytes of the items built so far, held against the memory budget.
    let mut held = Held::new(ctx);
    let listed = for_each_item(local, list, "expected a list", row, locals, ctx, |locals| {
        if let Some(p) = predicate {
            if !matches!(eval(p, row, locals, ctx)?, Value::Bool(true)) {
                return Ok(());
            }
        }
        let v = match projection {
            Some(p) => eval(p, row, locals, ctx)?,
            None => locals[local].clone(),
        };
        held.add(approx_bytes(&v))?;
        out.push(v);
        Ok(())
    })?;
    Ok(if listed {
        Value::List(out)
    } else {
        Value::Null
    })
}

/// `all`, `any`, `none` and `single` over a list, in three-valued logic.
fn quantifier(
    kind: Quantifier,
    local: usize,
    list: &CExpr,
    predicate: Option<&CExpr>,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let (mut trues, mut falses, mut nulls) = (0usize, 0usize, 0usize);
    let listed = for_each_item(local, list, "expected a list", row, locals, ctx, |locals| {
        let v = match predicate {
            Some(p) => eval(p, row, locals, ctx)?,
            None => locals[local].clone(),
        };
        match v {
            Value::Bool(true) => trues += 1,
            Value::Bool(false) => falses += 1,
            Value::Null => nulls += 1,
            other => {
                return Err(ExecError::type_error(
                    "InvalidArgumentType",
                    format!(
                        "a quantifier predicate must be boolean, got {}",
                        other.type_name()
                    ),
                ))
            }
        }
        Ok(())
    })?;
    if !listed {
        return Ok(Value::Null);
    }
    // A deciding count settles the answer; otherwise a null makes it unknown.
    let decided = match kind {
        Quantifier::All => (falses > 0).then_some(false),
        Quantifier::Any => (trues > 0).then_some(true),
        Quantifier::None => (trues > 0).then_some(false),
        Quantifier::Single => (trues > 1).then_some(false),
    };
    Ok(match decided {
        Some(b) => Value::Bool(b),
        None if nulls > 0 => Value::Null,
        None => Value::Bool(match kind {
            Quantifier::All | Quantifier::None => true,
            Quantifier::Any => false,
            Quantifier::Single => trues == 1,
        }),
    })
}

/// `reduce(acc = init, x IN list | expr)`, refusing values nested deeper
/// than [`MAX_VALUE_DEPTH`].
#[allow(clippy::too_many_arguments)]
fn reduce(
    acc: usize,
    init: &CExpr,
    local: usize,
    list: &CExpr,
    expr: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let mut accv = eval(init, row, locals, ctx)?;
    let Some(items) = items(list, row, locals, ctx, "reduce needs a list")? else {
        return Ok(Value::Null);
    };
    for item in items {
        tick(ctx)?;
        locals.truncate(acc);
        locals.push(accv);
        debug_assert_eq!(locals.len(), local);
        locals.push(item);
        accv = eval(expr, row, locals, ctx)?;
        if nested_deeper_than(&accv, MAX_VALUE_DEPTH) {
            return Err(ExecError::limit(format!(
                "reduce built a value nested more than {MAX_VALUE_DEPTH} levels deep \
                 (MAX_VALUE_DEPTH)"
            )));
        }
    }
    locals.truncate(acc);
    Ok(accv)
}

/// `[pattern | projection]`: the projection of every row the sub-plan
/// yields, held against the memory budget.
fn pattern_comprehension(
    plan: &SubPlan,
    proj: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let rows = (ctx.subplans.all)(plan, row, ctx)?;
    let mut out = Vec::with_capacity(rows.len());
    let mut held = Held::new(ctx);
    for r in &rows {
        tick(ctx)?;
        let v = eval(proj, r, locals, ctx)?;
        held.add(approx_bytes(&v))?;
        out.push(v);
    }
    Ok(Value::List(out))
}

/// `base { .key, key: expr, .* }`.
fn map_projection(
    base: &CExpr,
    items: &[MapProjItem],
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    let b = eval(base, row, locals, ctx)?;
    if b.is_null() {
        return Ok(Value::Null);
    }
    let mut out = BTreeMap::new();
    for it in items {
        match it {
            MapProjItem::Property(k) => {
                let v = property(&b, k.resolve(ctx.snapshot.catalog()), &k.name, ctx)?;
                out.insert(k.name.clone(), v);
            }
            MapProjItem::Entry(k, e) => {
                out.insert(k.clone(), eval(e, row, locals, ctx)?);
            }
            MapProjItem::AllProperties => {
                for (k, v) in all_properties(&b, ctx)? {
                    out.insert(k, v);
                }
            }
        }
    }
    Ok(Value::Map(out))
}

/// All properties of a node, relationship or map, by name.
pub(crate) fn all_properties(v: &Value, ctx: &Ctx<'_>) -> Result<Vec<(Arc<str>, Value)>> {
    let catalog = ctx.snapshot.catalog();
    let named = |props: Vec<(relgraph_graph::PropKeyId, Value)>| {
        props
            .into_iter()
            .filter_map(|(k, v)| catalog.prop_key_name(k).map(|n| (Arc::from(n), v)))
            .collect::<Vec<_>>()
    };
    Ok(match v {
        Value::Node(n) => named(ctx.snapshot.node_properties(*n)),
        Value::Relationship(r) => named(ctx.snapshot.rel_properties(*r)),
        Value::Map(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::Null => Vec::new(),
        other => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!(
                    "expected a node, relationship or map, got {}",
                    other.type_name()
                ),
            ))
        }
    })
}

/// `v.key`.
pub(crate) fn property(
    v: &Value,
    key: Option<relgraph_graph::PropKeyId>,
    name: &str,
    ctx: &Ctx<'_>,
) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Node(n) => match key {
            Some(k) => ctx.snapshot.node_value(*n, k),
            None => Value::Null,
        },
        Value::Relationship(r) => match key {
            Some(k) => ctx.snapshot.rel_value(*r, k),
            None => Value::Null,
        },
        other => value_ops::property_of_value(other, name)?,
    })
}

fn index(a: &Value, i: &Value, ctx: &Ctx<'_>) -> Result<Value> {
    Ok(match (a, i) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::List(items), Value::Int(i)) => {
            let len = items.len() as i64;
            let idx = if *i < 0 { len + *i } else { *i };
            if idx < 0 || idx >= len {
                Value::Null
            } else {
                items[idx as usize].clone()
            }
        }
        (Value::List(_), other) => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("a list index must be an integer, got {}", other.type_name()),
            ))
        }
        (Value::Map(m), Value::String(k)) => m.get(k).cloned().unwrap_or(Value::Null),
        (Value::Node(_) | Value::Relationship(_), Value::String(k)) => {
            property(a, ctx.snapshot.catalog().prop_key_id(k), k, ctx)?
        }
        (Value::Map(_) | Value::Node(_) | Value::Relationship(_), other) => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("a map key must be a string, got {}", other.type_name()),
            ))
        }
        (other, _) => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("cannot index into {}", other.type_name()),
            ))
        }
    })
}

fn slice(a: &Value, from: Option<&Value>, to: Option<&Value>) -> Result<Value> {
    let items = match a {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("cannot slice {}", other.type_name()),
            ))
        }
    };
    let len = items.len() as i64;
    let bound = |v: Option<&Value>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if *i < 0 {
                (len + *i).max(0)
            } else {
                (*i).min(len)
            })),
            Some(other) => Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("slice bounds must be integers, got {}", other.type_name()),
            )),
        }
    };
    let (Some(f), Some(t)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if f >= t {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(items[f as usize..t as usize].to_vec()))
}

/// The items a list comprehension, quantifier or `reduce` walks.
/// `range(...)` is walked without building the list.
enum Items {
    List(std::vec::IntoIter<Value>),
    Range { next: i128, step: i128, left: i128 },
}

impl Iterator for Items {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            Items::List(it) => it.next(),
            Items::Range { next, step, left } => {
                if *left <= 0 {
                    return None;
                }
                let v = Value::Int(*next as i64);
                *left -= 1;
                if *left > 0 {
                    *next += *step;
                }
                Some(v)
            }
        }
    }
}

/// Evaluates the list a comprehension walks (`None`: null).
fn items(
    list: &CExpr,
    row: &[Value],
    locals: &mut Vec<Value>,
    ctx: &Ctx<'_>,
    what: &str,
) -> Result<Option<Items>> {
    if let CExpr::Call(f, args, span) = list {
        if f.name() == "range" && (args.len() == 2 || args.len() == 3) {
            let mut vals = Vec::with_capacity(args.len());
            for a in args {
                vals.push(eval(a, row, locals, ctx)?);
            }
            let (start, step, count) = functions::range_args(&vals).map_err(|e| e.at(*span))?;
            return Ok(Some(Items::Range {
                next: start,
                step,
                left: count,
            }));
        }
    }
    match eval(list, row, locals, ctx)? {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(Items::List(items.into_iter()))),
        other => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("{what}, got {}", other.type_name()),
        )),
    }
}

/// About how many bytes `v` takes: the value, and one level of the lists,
/// maps, strings and paths it holds.
#[inline]
pub(crate) fn approx_bytes(v: &Value) -> u64 {
    VALUE_BYTES + heap_bytes(v)
}

/// The part of [`approx_bytes`] outside the value itself: nothing for a
/// scalar, node or relationship (most values; checked inline, as rows
/// are measured value by value).
#[inline(always)]
pub(crate) fn heap_bytes(v: &Value) -> u64 {
    match v {
        Value::String(_) | Value::List(_) | Value::Map(_) | Value::Path(_) => nested_bytes(v),
        _ => 0,
    }
}

/// [`heap_bytes`] of a string, list, map or path.
fn nested_bytes(v: &Value) -> u64 {
    let own = |v: &Value| match v {
        Value::String(s) => s.len() as u64,
        Value::List(l) => l.len() as u64 * VALUE_BYTES,
        Value::Map(m) => m.len() as u64 * 2 * VALUE_BYTES,
        Value::Path(p) => (p.nodes.len() + p.rels.len()) as u64 * 8,
        _ => 0,
    };
    let inner: u64 = match v {
        Value::List(l) => l.iter().map(own).sum(),
        Value::Map(m) => m.values().map(own).sum(),
        _ => 0,
    };
    own(v) + inner
}

/// About how many bytes are alive while `a + b` concatenates strings or
/// lists: the operands and the result, and for a string also the copy of
/// the result into its shared form.
fn concat_bytes(a: &Value, b: &Value) -> u64 {
    match (a, b) {
        (Value::List(x), Value::List(y)) => 2 * (x.len() + y.len()) as u64 * VALUE_BYTES,
        (Value::List(x), _) | (_, Value::List(x)) => 2 * (x.len() as u64 + 1) * VALUE_BYTES,
        (Value::String(x), Value::String(y)) => 3 * (x.len() + y.len()) as u64,
        (Value::String(x), _) | (_, Value::String(x)) => 3 * (x.len() as u64 + 64),
        _ => 0,
    }
}

/// Bytes of a list being built, held against the memory budget in steps
/// and given back when it is done.
struct Held<'a> {
    guard: &'a crate::options::Guard,
    /// Bytes added since the last hold.
    pending: u64,
    held: u64,
}

impl<'a> Held<'a> {
    fn new(ctx: &'a Ctx<'_>) -> Self {
        Held {
            guard: ctx.guard,
            pending: 0,
            held: 0,
        }
    }

    fn add(&mut self, bytes: u64) -> Result<()> {
        self.pending += bytes;
        if self.pending >= LARGE_VALUE_BYTES {
            let b = std::mem::take(&mut self.pending);
            self.held += b;
            self.guard.hold(b)?;
        }
        Ok(())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.guard.release(self.held);
    }
}

/// True if `v` has lists or maps nested more than `limit` levels deep
/// (found without recursion, so any depth is safe to ask about).
fn nested_deeper_than(v: &Value, limit: usize) -> bool {
    fn children(v: &Value) -> Option<Box<dyn Iterator<Item = &Value> + '_>> {
        match v {
            Value::List(l) => Some(Box::new(l.iter())),
            Value::Map(m) => Some(Box::new(m.values())),
            _ => None,
        }
    }
    let Some(top) = children(v) else {
        return false;
    };
    let mut stack = vec![top];
    while let Some(it) = stack.last_mut() {
        match it.next() {
            Some(child) => {
                if let Some(grand) = children(child) {
                    if stack.len() >= limit {
                        return true;
                    }
                    stack.push(grand);
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    false
}

/// An operand of a binary operator: its evaluated value, or the local
/// variable it names (borrowed).
fn operand<'x>(evaluated: &'x Option<Cow<'_, Value>>, e: &CExpr, locals: &'x [Value]) -> &'x Value {
    static NULL: Value = Value::Null;
    match (evaluated, e) {
        (Some(v), _) => v,
        (None, CExpr::Local(i)) => locals.get(*i).unwrap_or(&NULL),
        (None, _) => &NULL,
    }
}
