//! The matches of a segment's last hop aggregated a batch at a time.
//!
//! `MATCH (c)-[:OPENED_TICKET]->(t) WITH c, count(t), sum(t.cost),
//! sum(CASE WHEN t.escalated THEN 1 ELSE 0 END)` finds each of a company's
//! tickets and, pushed as rows, every ticket would write its relationship,
//! node and read properties into the row, pass the operator chain, find
//! its group again from keys the hop cannot change, and evaluate each
//! argument through the expression tree. Here the hop collects a row's
//! matches (with the properties read where each target is found) and the
//! sink takes them together ([`MatchSink`]): the group is found once, and
//! each argument is evaluated over the whole batch, one operator of its
//! expression at a time ([`Lane`]), into a column of values that the
//! accumulator then takes in one loop.
//!
//! Every value is what the row-at-a-time evaluation gives: the same value
//! operations, the same truth of a `CASE` condition. Where a batch meets
//! anything the lanes do not decide exactly as a row would (an operation
//! that fails, a `sum` of a value that is not a number, text joined by
//! `+`), the batch is taken row by row instead, so errors and their order
//! are the row path's own.

use std::borrow::Cow;

use relgraph_cypher::ast::{BinaryOp, UnaryOp};
use relgraph_graph::{Adj, NodeId, NodeProbe, PropKeyId, RelId, Scalar, Snapshot, Value};
use smallvec::SmallVec;

use crate::error::Result;
use crate::eval::{self, Ctx};
use crate::functions::aggregate::Accumulator;
use crate::plan::{AggSpec, CExpr, Expand, NameRef, Row};
use crate::value_ops;

/// The most matches a hop collects before the sink takes them: a bound on
/// the batch's memory whatever a node's degree.
pub(crate) const BATCH: usize = 1024;

/// One read property of a batch's matches: scalars where every value is
/// one, else values (both lists kept from batch to batch).
#[derive(Debug, Default)]
pub(crate) struct Column {
    scalars: Vec<Scalar>,
    values: Vec<Value>,
    /// Whether the batch's values are in `values`.
    boxed: bool,
    /// Whether the last batch's were.
    was_boxed: bool,
}

impl Column {
    /// Property `key` of each of `nodes`, as scalars where it can be.
    fn read(&mut self, nodes: &[NodeId], key: &NameRef<PropKeyId>, snap: &Snapshot) {
        let keys: SmallVec<[PropKeyId; 1]> = key.resolve(snap.catalog()).into_iter().collect();
        let mut probe = NodeProbe::new(snap, &[], &keys);
        self.read_key(nodes, keys.first().map(|_| 0), &mut probe);
    }

    /// Key `i` of `probe` (`None`: a key no node has) of each of `nodes`,
    /// as scalars where it can be.
    fn read_key(&mut self, nodes: &[NodeId], i: Option<usize>, probe: &mut NodeProbe<'_, '_>) {
        self.clear();
        let Some(i) = i else {
            self.scalars.resize(nodes.len(), Scalar::Null);
            return;
        };
        // A key that held other values in the last batch likely does in
        // this one: read as values straight away.
        if self.was_boxed || !probe.scalars(nodes, i, &mut self.scalars) {
            self.values.extend(nodes.iter().map(|n| probe.value(*n, i)));
            self.boxed = true;
        }
        self.was_boxed = self.boxed;
    }

    fn clear(&mut self) {
        self.scalars.clear();
        self.values.clear();
        self.boxed = false;
    }

    fn value(&self, j: usize) -> Value {
        match self.boxed {
            true => self.values[j].clone(),
            false => self.scalars[j].value(),
        }
    }

    fn lane(&self) -> Values<'_> {
        match self.boxed {
            true => Values::Many(Cow::Borrowed(&self.values)),
            false => Values::Scalars(Cow::Borrowed(&self.scalars)),
        }
    }
}

/// The matches of one row of a hop, collected for a [`MatchSink`].
#[derive(Debug, Default)]
pub(crate) struct Matches {
    /// The target of each match.
    nodes: Vec<NodeId>,
    /// The relationship of each match.
    rels: Vec<RelId>,
    /// Per entry of the hop's `target_reads`, the value read for each
    /// match (`Null` where the target has none), once [`Matches::read`].
    reads: Vec<Column>,
}

impl Matches {
    /// Empties the batch, keeping one column per read of `e`.
    pub fn reset(&mut self, e: &Expand) {
        self.reads
            .resize_with(e.target_reads.len(), Column::default);
        self.clear();
    }

    /// Empties the batch.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.rels.clear();
        self.reads.iter_mut().for_each(Column::clear);
    }

    #[inline]
    pub fn push(&mut self, a: Adj) {
        self.nodes.push(a.node);
        self.rels.push(a.rel);
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Reads the properties of the targets that hop `e` reads where it
    /// finds them (its `target_reads`), a column per key.
    pub fn read(&mut self, e: &Expand, snap: &Snapshot) {
        // One probe for every key: each chunk is found once.
        let mut keys: SmallVec<[PropKeyId; 4]> = SmallVec::new();
        let places: SmallVec<[Option<usize>; 4]> = e
            .target_reads
            .iter()
            .map(|(key, _)| {
                key.resolve(snap.catalog()).map(|k| {
                    keys.push(k);
                    keys.len() - 1
                })
            })
            .collect();
        let mut probe = NodeProbe::new(snap, &[], &keys);
        for (column, at) in self.reads.iter_mut().zip(places) {
            column.read_key(&self.nodes, at, &mut probe);
        }
    }

    /// Writes match `j` into `row` as the hop would: its relationship,
    /// target and read properties.
    pub fn write(&self, j: usize, e: &Expand, row: &mut Row) {
        row[e.rel] = Value::Relationship(self.rels[j]);
        row[e.to] = Value::Node(self.nodes[j]);
        for (column, (_, slot)) in self.reads.iter().zip(&e.target_reads) {
            row[*slot] = column.value(j);
        }
    }
}

/// A sink that takes the matches of a hop that ends its segment a batch
/// at a time.
pub(crate) trait MatchSink {
    /// The sink's batch, to fill (handed back, emptied, with
    /// [`MatchSink::done`]).
    fn batch(&mut self) -> Matches;

    /// Takes the batch `m` of matches, all of input row `row` (whose slots
    /// the hop writes hold no match); false stops the hop.
    fn take(&mut self, e: &Expand, row: &mut Row, m: &Matches) -> Result<bool>;

    /// Keeps batch `m` for the next row.
    fn done(&mut self, m: Matches);
}

/// How an aggregate's argument is evaluated over a batch: one node of its
/// expression, over every match at once.
#[derive(Clone, Debug)]
pub(crate) enum Lane {
    /// The hop's target.
    Target,
    /// The hop's relationship.
    Rel,
    /// A property of the target read where it was found: the hop's
    /// `target_reads[i]`.
    Read(usize),
    /// A property of the target read for the batch.
    TargetProp(NameRef<PropKeyId>),
    /// A property of the relationship.
    RelProp(NameRef<PropKeyId>),
    /// An expression that reads nothing the hop writes: the same for
    /// every match, evaluated once per batch.
    Fixed(CExpr),
    /// A searched `CASE`: per match, the first branch whose condition is
    /// true.
    Case(Vec<(Lane, Lane)>, Option<Box<Lane>>),
    Binary(BinaryOp, Box<Lane>, Box<Lane>),
    Unary(UnaryOp, Box<Lane>),
    /// `IS NULL` (`false`) or `IS NOT NULL` (`true`).
    IsNull(Box<Lane>, bool),
}

/// What a batch's aggregates evaluate: per aggregate, its argument
/// (`None`: `count(*)`).
#[derive(Clone, Debug)]
pub(crate) struct BatchPlan {
    pub args: Vec<Option<Lane>>,
}

/// The slots hop `e` writes for each match.
fn writes(e: &Expand, s: usize) -> bool {
    s == e.rel || s == e.to || e.target_reads.iter().any(|(_, r)| *r == s)
}

/// Whether `x` reads a slot hop `e` writes.
fn reads_match(x: &CExpr, e: &Expand) -> bool {
    let mut found = false;
    x.visit_slots(&mut |s| found |= writes(e, s));
    found
}

/// How aggregates `aggs` (fresh accumulators `template`) grouped by
/// `keys` take batches of hop `e`'s matches; `None` when they cannot: a
/// key reads what the hop writes, an aggregate keeps its values or is not
/// `count`, `sum`, `avg`, `min` or `max`, or an argument has a shape the
/// lanes do not evaluate.
pub(crate) fn plan(
    e: &Expand,
    keys: &[(CExpr, usize)],
    aggs: &[AggSpec],
    template: &[Accumulator],
) -> Option<BatchPlan> {
    if !e.finds_new_node() || e.rel_bound || keys.iter().any(|(k, _)| reads_match(k, e)) {
        return None;
    }
    let args = aggs
        .iter()
        .zip(template)
        .map(|(a, acc)| {
            let simple = matches!(
                acc,
                Accumulator::Count(_)
                    | Accumulator::Sum(_)
                    | Accumulator::Avg(..)
                    | Accumulator::Min(_)
                    | Accumulator::Max(_)
            );
            if a.distinct || !simple {
                return None;
            }
            match &a.arg {
                None => Some(None),
                Some(x) => lane(x, e).map(Some),
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(BatchPlan { args })
}

/// The lane that evaluates `x` over the matches of hop `e`, if its shape
/// allows.
fn lane(x: &CExpr, e: &Expand) -> Option<Lane> {
    if !reads_match(x, e) {
        return same_every_row(x).then(|| Lane::Fixed(x.clone()));
    }
    let boxed = |x: &CExpr| lane(x, e).map(Box::new);
    Some(match x {
        CExpr::Slot(s) if *s == e.to => Lane::Target,
        CExpr::Slot(s) if *s == e.rel => Lane::Rel,
        CExpr::Slot(s) => Lane::Read(e.target_reads.iter().position(|(_, r)| r == s)?),
        CExpr::Property(base, key, _) => match base.as_ref() {
            CExpr::Slot(s) if *s == e.to => Lane::TargetProp(key.clone()),
            CExpr::Slot(s) if *s == e.rel => Lane::RelProp(key.clone()),
            _ => return None,
        },
        CExpr::Case {
            subject: None,
            branches,
            default,
        } => Lane::Case(
            branches
                .iter()
                .map(|(w, t)| Some((lane(w, e)?, lane(t, e)?)))
                .collect::<Option<_>>()?,
            match default {
                Some(d) => Some(boxed(d)?),
                None => None,
            },
        ),
        CExpr::Binary(op, a, b, _) => Lane::Binary(*op, boxed(a)?, boxed(b)?),
        CExpr::Unary(op, a, _) => Lane::Unary(*op, boxed(a)?),
        CExpr::IsNull(a, not) => Lane::IsNull(boxed(a)?, *not),
        _ => return None,
    })
}

/// Whether `x`, which reads nothing a hop writes, has one value for all
/// the hop's matches of a row: no sub-plan (those run per row) and no
/// function whose value changes from call to call (`rand()`).
fn same_every_row(x: &CExpr) -> bool {
    let mut same = match x {
        CExpr::Call(f, ..) => !crate::functions::is_nondeterministic(f.name()),
        _ => !x.runs_subplan(),
    };
    x.for_each_child(&mut |c| same &= same_every_row(c));
    same
}

/// A lane's values over a batch: one for every match (scalars, or any
/// values), or one value that is every match's.
enum Values<'a> {
    One(Cow<'a, Value>),
    Scalars(Cow<'a, [Scalar]>),
    Many(Cow<'a, [Value]>),
}

impl Values<'_> {
    /// Match `j`'s value.
    #[inline]
    fn get(&self, j: usize) -> Cow<'_, Value> {
        match self {
            Values::One(v) => Cow::Borrowed(v),
            Values::Scalars(s) => Cow::Owned(s[j].value()),
            Values::Many(vs) => Cow::Borrowed(&vs[j]),
        }
    }

    /// Match `j`'s value as a scalar, where every match's is one.
    #[inline]
    fn scalar(&self, j: usize) -> Scalar {
        match self {
            Values::Scalars(s) => s[j],
            Values::One(v) => Scalar::of(v).unwrap_or(Scalar::Null),
            Values::Many(vs) => Scalar::of(&vs[j]).unwrap_or(Scalar::Null),
        }
    }

    /// Whether every match's value is a scalar ([`Values::scalar`]).
    fn all_scalar(&self) -> bool {
        match self {
            Values::Scalars(_) => true,
            Values::One(v) => Scalar::of(v).is_some(),
            Values::Many(_) => false,
        }
    }
}

/// `x op y` for two integers where it is what [`value_ops::binary_op`]
/// gives them: comparisons, and `+ - * / %` that do not overflow or
/// divide by zero (those the value operation reports).
#[inline]
fn int_op(op: BinaryOp, x: i64, y: i64) -> Option<Scalar> {
    use BinaryOp::*;
    Some(match op {
        Eq => Scalar::Bool(x == y),
        Ne => Scalar::Bool(x != y),
        Lt => Scalar::Bool(x < y),
        Le => Scalar::Bool(x <= y),
        Gt => Scalar::Bool(x > y),
        Ge => Scalar::Bool(x >= y),
        Add => Scalar::Int(x.checked_add(y)?),
        Sub => Scalar::Int(x.checked_sub(y)?),
        Mul => Scalar::Int(x.checked_mul(y)?),
        Div => Scalar::Int(x.checked_div(y)?),
        Mod => Scalar::Int(x.checked_rem(y)?),
        _ => return None,
    })
}

/// Evaluates the lanes of one batch.
pub(crate) struct Evaluator<'a, 'c> {
    pub matches: &'a Matches,
    pub row: &'a Row,
    pub ctx: &'a Ctx<'c>,
    pub locals: &'a mut Vec<Value>,
}

impl<'a> Evaluator<'a, '_> {
    /// The values of `l` for every match; `None` where a match's value is
    /// not one the row path surely gives (an operation failed, or `+`
    /// met text or a list, whose size the row path checks): the batch is
    /// then taken row by row.
    fn values(&mut self, l: &'a Lane) -> Option<Values<'a>> {
        let n = self.matches.len();
        Some(match l {
            Lane::Target => Values::Many(Cow::Owned(
                self.matches.nodes.iter().map(|n| Value::Node(*n)).collect(),
            )),
            Lane::Rel => Values::Many(Cow::Owned(
                self.matches
                    .rels
                    .iter()
                    .map(|r| Value::Relationship(*r))
                    .collect(),
            )),
            Lane::Read(i) => self.matches.reads.get(*i)?.lane(),
            Lane::TargetProp(key) => {
                let mut column = Column::default();
                column.read(&self.matches.nodes, key, self.ctx.snapshot);
                match column.boxed {
                    true => Values::Many(Cow::Owned(column.values)),
                    false => Values::Scalars(Cow::Owned(column.scalars)),
                }
            }
            Lane::RelProp(key) => {
                let snap = self.ctx.snapshot;
                let Some(k) = key.resolve(snap.catalog()) else {
                    return Some(Values::One(Cow::Owned(Value::Null)));
                };
                let rels = self.matches.rels.iter();
                Values::Many(Cow::Owned(
                    rels.map(|r| {
                        snap.rel_property(*r, k)
                            .map_or(Value::Null, Cow::into_owned)
                    })
                    .collect(),
                ))
            }
            Lane::Fixed(CExpr::Const(v)) => Values::One(Cow::Borrowed(v)),
            Lane::Fixed(CExpr::Slot(s)) => Values::One(Cow::Borrowed(self.row.get(*s)?)),
            Lane::Fixed(x) => Values::One(Cow::Owned(
                eval::eval(x, self.row, self.locals, self.ctx).ok()?,
            )),
            Lane::Binary(op, a, b) => {
                let (a, b) = (self.values(a)?, self.values(b)?);
                if a.all_scalar() && b.all_scalar() {
                    let mut out = Vec::with_capacity(n);
                    for j in 0..n {
                        out.push(
                            match (a.scalar(j), b.scalar(j)) {
                                (Scalar::Int(x), Scalar::Int(y)) => int_op(*op, x, y),
                                _ => None,
                            }
                            .or_else(|| scalar_op(*op, a.scalar(j), b.scalar(j)))?,
                        );
                    }
                    return Some(Values::Scalars(Cow::Owned(out)));
                }
                let adds_text = |v: &Value| matches!(v, Value::String(_) | Value::List(_));
                let mut out = Vec::with_capacity(n);
                for j in 0..n {
                    let (x, y) = (a.get(j), b.get(j));
                    if *op == BinaryOp::Add && (adds_text(&x) || adds_text(&y)) {
                        return None;
                    }
                    out.push(value_ops::binary_op(*op, &x, &y).ok()?);
                }
                Values::Many(Cow::Owned(out))
            }
            Lane::Unary(op, a) => {
                let a = self.values(a)?;
                let mut out = Vec::with_capacity(n);
                for j in 0..n {
                    out.push(value_ops::unary_op(*op, &a.get(j)).ok()?);
                }
                Values::Many(Cow::Owned(out))
            }
            Lane::IsNull(a, not) => {
                let a = self.values(a)?;
                Values::Scalars(Cow::Owned(
                    (0..n)
                        .map(|j| Scalar::Bool(a.get(j).is_null() != *not))
                        .collect(),
                ))
            }
            Lane::Case(branches, default) => self.case(branches, default.as_deref())?,
        })
    }

    /// A searched `CASE` over the batch: per match, the value of the first
    /// branch whose condition is true (the default's, or null, where none
    /// is). A branch's value is evaluated only where some match takes it.
    fn case(
        &mut self,
        branches: &'a [(Lane, Lane)],
        default: Option<&'a Lane>,
    ) -> Option<Values<'a>> {
        let n = self.matches.len();
        let none = branches.len();
        let mut taken = vec![none; n];
        for (b, (w, _)) in branches.iter().enumerate() {
            let w = self.values(w)?;
            for (j, t) in taken.iter_mut().enumerate() {
                if *t == none && w.scalar(j) == Scalar::Bool(true) {
                    *t = b;
                }
            }
        }
        let mut arms: Vec<Option<Values<'a>>> = Vec::with_capacity(none + 1);
        for (b, (_, then)) in branches.iter().enumerate() {
            arms.push(match taken.contains(&b) {
                true => Some(self.values(then)?),
                false => None,
            });
        }
        arms.push(match default {
            Some(d) if taken.contains(&none) => Some(self.values(d)?),
            _ => None,
        });
        if arms.iter().flatten().all(Values::all_scalar) {
            let out = taken.iter().enumerate().map(|(j, &t)| match &arms[t] {
                Some(v) => v.scalar(j),
                None => Scalar::Null,
            });
            return Some(Values::Scalars(Cow::Owned(out.collect())));
        }
        let out = taken.iter().enumerate().map(|(j, &t)| match &arms[t] {
            Some(v) => v.get(j).into_owned(),
            None => Value::Null,
        });
        Some(Values::Many(Cow::Owned(out.collect())))
    }
}

/// `x op y` for two scalars as [`value_ops::binary_op`] gives it, `None`
/// where it fails.
fn scalar_op(op: BinaryOp, x: Scalar, y: Scalar) -> Option<Scalar> {
    Scalar::of(&value_ops::binary_op(op, &x.value(), &y.value()).ok()?)
}

/// Whether accumulator `acc` takes every one of `values` (`n` of them)
/// without an error: sums and averages take numbers and nulls.
fn takes_all(acc: &Accumulator, values: &Values<'_>, n: usize) -> bool {
    let number = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_) | Value::Null);
    match (acc, values) {
        (Accumulator::Sum(_) | Accumulator::Avg(..), Values::Scalars(s)) => {
            s.iter().all(|x| !matches!(x, Scalar::Bool(_)))
        }
        (Accumulator::Sum(_) | Accumulator::Avg(..), Values::One(v)) => number(v),
        (Accumulator::Sum(_) | Accumulator::Avg(..), Values::Many(vs)) => {
            vs[..n].iter().all(number)
        }
        _ => true,
    }
}

/// Feeds scalars `values` (`n` of them) to `acc`: where the aggregate
/// counts or adds them, the integers summed first and fed at once (a sum
/// keeps its integers and floats apart, exactly, so the order does not
/// change it); in order otherwise.
fn feed_scalars(acc: &mut Accumulator, values: &Values<'_>, n: usize) -> Result<()> {
    if !acc.add_ints(0, 0) {
        for j in 0..n {
            acc.update(&values.scalar(j).value())?;
        }
        return Ok(());
    }
    let (mut total, mut ints) = (0i128, 0u64);
    for j in 0..n {
        match values.scalar(j) {
            Scalar::Null => {}
            Scalar::Int(i) => {
                total += i128::from(i);
                ints += 1;
            }
            other => acc.update(&other.value())?,
        }
    }
    acc.add_ints(total, ints);
    Ok(())
}

/// Feeds the batch's matches to the accumulators `accs` of their group as
/// `plan` evaluates them; false (with no accumulator changed) when the
/// batch must be taken row by row.
pub(crate) fn accumulate<'a>(
    plan: &'a BatchPlan,
    accs: &mut [Accumulator],
    mut ev: Evaluator<'a, '_>,
) -> Result<bool> {
    let n = ev.matches.len();
    let mut columns: SmallVec<[Option<Values<'_>>; 4]> = SmallVec::new();
    for (arg, acc) in plan.args.iter().zip(accs.iter()) {
        let values = match arg {
            // The target and the relationship are never null: counted
            // as `count(*)` counts.
            Some(Lane::Target | Lane::Rel) if matches!(acc, Accumulator::Count(_)) => None,
            Some(l) => match ev.values(l) {
                Some(v) if takes_all(acc, &v, n) => Some(v),
                _ => return Ok(false),
            },
            None => None,
        };
        columns.push(values);
    }
    for (values, acc) in columns.iter().zip(accs.iter_mut()) {
        match values {
            None => {
                if !acc.add_ints(0, n as u64) {
                    for _ in 0..n {
                        acc.update(&Value::Bool(true))?;
                    }
                }
            }
            Some(vs) if vs.all_scalar() => feed_scalars(acc, vs, n)?,
            Some(vs) => {
                for j in 0..n {
                    acc.update(&vs.get(j))?;
                }
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(name: &str, distinct: bool, arg: Option<CExpr>) -> (AggSpec, Accumulator) {
        let spec = AggSpec {
            name: name.into(),
            distinct,
            arg,
            extra: vec![],
            slot: 9,
            text: name.into(),
        };
        let acc = Accumulator::new(name, distinct, &[]).expect("an aggregate");
        (spec, acc)
    }

    fn prop(slot: usize) -> CExpr {
        let key = NameRef {
            name: "cost".into(),
            id: None,
        };
        CExpr::Property(Box::new(CExpr::Slot(slot)), key, Default::default())
    }

    /// Only aggregates whose batch answers as its rows would are batched:
    /// no DISTINCT, no kept values, no key that reads the hop's match,
    /// no argument that draws a new value per call.
    #[test]
    fn batches_only_what_answers_as_rows_do() {
        // `(c)-[r]->(t)`: c in slot 0, r in 1, t in 2.
        let e = Expand::plain(0, 1, 2);
        let by_c = [(CExpr::Slot(0), 5)];
        let batched = |keys: &[(CExpr, usize)], aggs: Vec<(AggSpec, Accumulator)>| {
            let (specs, template): (Vec<_>, Vec<_>) = aggs.into_iter().unzip();
            plan(&e, keys, &specs, &template).is_some()
        };
        let rand = CExpr::Call(
            crate::functions::Scalar::resolve("rand").expect("rand"),
            vec![],
            Default::default(),
        );
        let target = Some(CExpr::Slot(2));
        assert!(batched(
            &by_c,
            vec![
                agg("sum", false, Some(prop(2))),
                agg("count", false, target.clone()),
                agg("max", false, Some(prop(1))),
                agg("avg", false, Some(prop(0))),
                agg("count", false, None),
            ]
        ));
        assert!(!batched(&by_c, vec![agg("sum", true, Some(prop(2)))]));
        assert!(!batched(&by_c, vec![agg("collect", false, Some(prop(2)))]));
        assert!(!batched(&[(prop(2), 5)], vec![agg("count", false, None)]));
        assert!(!batched(&by_c, vec![agg("sum", false, Some(rand))]));
        let listed = CExpr::List(vec![CExpr::Slot(2)]);
        assert!(!batched(&by_c, vec![agg("count", false, Some(listed))]));
    }
}
