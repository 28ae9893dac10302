//! The matches of a segment's last hop, and the rows of a product,
//! aggregated a batch at a time.
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
//! The same lanes take the rows of a product whose aggregation groups by
//! the build side alone (`Groups::take_product`): a chunk of build rows
//! is one batch per incoming row ([`Source::Build`]), the build values
//! and their properties made columns once per chunk ([`BuildRows`]), a
//! pattern count a lane of its own ([`Lane::Count`]).
//!
//! Every value is what the row-at-a-time evaluation gives: the same value
//! operations, the same truth of a `CASE` condition. Where a batch meets
//! anything the lanes do not decide exactly as a row would (an operation
//! that fails, a `sum` of a value that is not a number, text joined by
//! `+`), the batch is taken row by row instead, so errors and their order
//! are the row path's own.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, UnaryOp};
use relgraph_graph::{Adj, NodeId, NodeProbe, PropKeyId, RelId, Scalar, Snapshot, Value};
use smallvec::SmallVec;

use super::stream::{EndCounts, EndList, PairCount};
use crate::error::Result;
use crate::eval::{self, Ctx};
use crate::functions::aggregate::Accumulator;
use crate::plan::{put_value, AggSpec, CExpr, Expand, NameRef, Row, SubPlan};
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
        self.read_keys(&e.target_reads, snap);
    }

    /// [`Matches::read`] of the keys of `reads` (a hop's
    /// `target_reads`).
    pub fn read_keys(&mut self, reads: &[(NameRef<PropKeyId>, usize)], snap: &Snapshot) {
        if self.reads.len() != reads.len() {
            self.reads.resize_with(reads.len(), Column::default);
        }
        // One probe for every key: each chunk is found once.
        let mut keys: SmallVec<[PropKeyId; 4]> = SmallVec::new();
        let places: SmallVec<[Option<usize>; 4]> = reads
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
        self.write_into(j, e.rel, e.to, &e.target_reads, row);
    }

    /// [`Matches::write`] into the slots `at`.
    pub fn write_to(&self, j: usize, at: &HopSlots, row: &mut Row) {
        self.write_into(j, at.rel, at.to, &at.reads, row);
    }

    fn write_into(
        &self,
        j: usize,
        rel: usize,
        to: usize,
        reads: &[(NameRef<PropKeyId>, usize)],
        row: &mut Row,
    ) {
        row[rel] = Value::Relationship(self.rels[j]);
        row[to] = Value::Node(self.nodes[j]);
        for (column, (_, slot)) in self.reads.iter().zip(reads) {
            row[*slot] = column.value(j);
        }
    }

    /// Appends the matches of `other`, not read: their properties are
    /// read with the others' ([`Matches::read_keys`]).
    pub fn append(&mut self, other: &Matches) {
        self.nodes.extend_from_slice(&other.nodes);
        self.rels.extend_from_slice(&other.rels);
    }
}

/// What a hop writes its match into: the slots of its relationship and
/// target, and the target's read properties with their slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct HopSlots {
    rel: usize,
    to: usize,
    pub reads: Vec<(NameRef<PropKeyId>, usize)>,
}

impl HopSlots {
    pub fn of(e: &Expand) -> Self {
        HopSlots {
            rel: e.rel,
            to: e.to,
            reads: e.target_reads.clone(),
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
    /// the hop writes hold no match), their targets' properties not yet
    /// read ([`Matches::read`]); false stops the hop.
    fn take(&mut self, e: &Expand, row: &mut Row, m: &mut Matches) -> Result<bool>;

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
    /// Value `k` of each build row of a product (the join's `slots[k]`).
    Build(usize),
    /// A property of the node or relationship that is value `k` of each
    /// build row of a product.
    BuildProp(usize, NameRef<PropKeyId>),
    /// The matches of a pattern counted per build row of a product
    /// (`size((p)-[:INTERESTED_IN]->(:Topic)<-[:INTERESTED_IN]-(b))` with
    /// `p` from the build side).
    Count(Arc<SubPlan>),
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
    /// Whether the arguments read nothing of a hop's input row but its
    /// match and constants: then the matches of several rows, each with
    /// its group, can be evaluated as one batch (`Groups::take_batch`).
    pub row_free: bool,
}

impl Lane {
    /// Whether the lane reads only the element (the hop's match) and
    /// constants.
    fn row_free(&self) -> bool {
        match self {
            Lane::Fixed(CExpr::Const(_)) => true,
            Lane::Fixed(_) | Lane::Build(_) | Lane::BuildProp(..) | Lane::Count(_) => false,
            Lane::Target | Lane::Rel | Lane::Read(_) | Lane::TargetProp(_) | Lane::RelProp(_) => {
                true
            }
            Lane::Case(branches, default) => {
                branches.iter().all(|(w, t)| w.row_free() && t.row_free())
                    && default.as_deref().is_none_or(Lane::row_free)
            }
            Lane::Binary(_, a, b) => a.row_free() && b.row_free(),
            Lane::Unary(_, a) | Lane::IsNull(a, _) => a.row_free(),
        }
    }
}

/// What differs from one element of a batch to the next: the match of a
/// hop, or the build row of a product (a hash join without keys) that an
/// incoming row is joined with.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Varying<'a> {
    Hop(&'a Expand),
    /// The slots the product's build side binds (sorted, as
    /// `HashJoin::slots`).
    Build(&'a [usize]),
}

impl Varying<'_> {
    /// Whether slot `s` differs from element to element.
    fn writes(self, s: usize) -> bool {
        match self {
            Varying::Hop(e) => {
                s == e.rel || s == e.to || e.target_reads.iter().any(|(_, r)| *r == s)
            }
            Varying::Build(slots) => slots.binary_search(&s).is_ok(),
        }
    }

    /// Whether `x` reads a slot that differs from element to element.
    fn read_by(self, x: &CExpr) -> bool {
        let mut found = false;
        x.visit_slots(&mut |s| found |= self.writes(s));
        found
    }

    /// The lane of slot `s`, one that differs from element to element.
    fn slot(self, s: usize) -> Option<Lane> {
        match self {
            Varying::Hop(e) if s == e.to => Some(Lane::Target),
            Varying::Hop(e) if s == e.rel => Some(Lane::Rel),
            Varying::Hop(e) => e
                .target_reads
                .iter()
                .position(|(_, r)| *r == s)
                .map(Lane::Read),
            Varying::Build(slots) => slots.binary_search(&s).ok().map(Lane::Build),
        }
    }

    /// The lane of property `key` of what slot `s` holds, a slot that
    /// differs from element to element.
    fn property(self, s: usize, key: &NameRef<PropKeyId>) -> Option<Lane> {
        match self {
            Varying::Hop(e) if s == e.to => Some(Lane::TargetProp(key.clone())),
            Varying::Hop(e) if s == e.rel => Some(Lane::RelProp(key.clone())),
            Varying::Hop(_) => None,
            Varying::Build(slots) => {
                let k = slots.binary_search(&s).ok()?;
                Some(Lane::BuildProp(k, key.clone()))
            }
        }
    }
}

/// Whether `x` reads a slot hop `e` writes.
fn reads_match(x: &CExpr, e: &Expand) -> bool {
    Varying::Hop(e).read_by(x)
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
    plan_args(aggs, template, Varying::Hop(e))
}

/// How aggregates `aggs` (fresh accumulators `template`) take the rows of
/// a product whose build side binds `slots`, a batch of build rows joined
/// with one incoming row at a time, where every build row is its own
/// group (`Groups::take_product`); `None` where they cannot (as
/// [`plan`]).
pub(crate) fn plan_product(
    slots: &[usize],
    aggs: &[AggSpec],
    template: &[Accumulator],
) -> Option<BatchPlan> {
    plan_args(aggs, template, Varying::Build(slots))
}

/// The lanes of the arguments of `aggs` over batches whose elements
/// differ in `v`, where every aggregate takes batches.
fn plan_args(aggs: &[AggSpec], template: &[Accumulator], v: Varying<'_>) -> Option<BatchPlan> {
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
                Some(x) => lane(x, v).map(Some),
            }
        })
        .collect::<Option<Vec<_>>>()?;
    let row_free = args.iter().flatten().all(Lane::row_free);
    Some(BatchPlan { args, row_free })
}

/// The lane that evaluates `x` over batches whose elements differ in
/// `v`, if its shape allows.
fn lane(x: &CExpr, v: Varying<'_>) -> Option<Lane> {
    if !v.read_by(x) {
        return same_every_row(x).then(|| Lane::Fixed(x.clone()));
    }
    let boxed = |x: &CExpr| lane(x, v).map(Box::new);
    Some(match x {
        CExpr::Slot(s) => v.slot(*s)?,
        CExpr::Property(base, key, _) => match base.as_ref() {
            CExpr::Slot(s) => v.property(*s, key)?,
            _ => return None,
        },
        CExpr::PatternCount(sub) if matches!(v, Varying::Build(_)) => Lane::Count(sub.clone()),
        CExpr::Case {
            subject: None,
            branches,
            default,
        } => Lane::Case(
            branches
                .iter()
                .map(|(w, t)| Some((lane(w, v)?, lane(t, v)?)))
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
pub(crate) enum Values<'a> {
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

    /// Match `j`'s value where it is a scalar (no value built).
    #[inline]
    fn scalar_at(&self, j: usize) -> Option<Scalar> {
        match self {
            Values::Scalars(s) => Some(s[j]),
            Values::One(v) => Scalar::of(v),
            Values::Many(vs) => Scalar::of(&vs[j]),
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

/// The elements of one batch: the matches of a hop, or build rows of a
/// product.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a, 'r> {
    Hop(&'a Matches),
    Build(&'a BuildRows<'r>),
}

impl Source<'_, '_> {
    fn len(&self) -> usize {
        match self {
            Source::Hop(m) => m.len(),
            Source::Build(b) => b.rows.len(),
        }
    }
}

/// A column of a batch of build rows: build value `k`, or a property of
/// it (by key name).
type ColumnKey = (usize, Option<Arc<str>>);

/// Build rows of a product taken as one batch, with the columns of build
/// values (and their properties) that a plan's lanes read, made once for
/// every incoming row the batch is joined with.
pub(crate) struct BuildRows<'r> {
    /// The slots the build side binds, each row's values in their order.
    slots: &'r [usize],
    rows: &'r [Row],
    /// Per build value (and property of it) the lanes read, its column.
    columns: Vec<(ColumnKey, Column)>,
    /// Per pattern count (by its sub-plan's address) whose one end is a
    /// build value, that end's lists for each build row.
    pair_lists: Vec<(usize, PairLists<'r>)>,
}

/// The lists of the end of a counted closing pair (`PairCount`) that a
/// build row gives, read once per chunk for every incoming row.
struct PairLists<'r> {
    /// Whether the end is where the first hop starts (`x`), else the bound
    /// node the closing hop reaches (`z`).
    x: bool,
    /// Per build row, that end's lists.
    lists: Vec<EndList<'r>>,
    /// Per build row, the targets of its lists' entries, sorted, one row
    /// after another ([`EndCounts::pairs_with`] reads them for every
    /// incoming row).
    targets: Vec<NodeId>,
    /// Where each build row's targets start in `targets`, and the end.
    starts: Vec<usize>,
}

/// The ends a counted pattern reads of a product's incoming rows, their
/// entries added up ([`BuildRows::summed_ends`]).
pub(crate) struct SummedEnds {
    all: EndCounts,
    /// The incoming rows' end nodes.
    fixed: SmallVec<[NodeId; 16]>,
}

impl PairLists<'_> {
    /// The sorted targets of build row `i`.
    fn targets(&self, i: usize) -> Option<&[NodeId]> {
        let (&from, &to) = (self.starts.get(i)?, self.starts.get(i + 1)?);
        self.targets.get(from..to)
    }
}

impl<'r> BuildRows<'r> {
    /// `rows` (the values of `slots`) with the columns `plan` reads;
    /// `None` where a property is read from a value that is neither a
    /// node nor null (the batch is then taken row by row).
    pub fn new(
        slots: &'r [usize],
        rows: &'r [Row],
        plan: &BatchPlan,
        snap: &'r Snapshot,
    ) -> Option<Self> {
        let mut b = BuildRows {
            slots,
            rows,
            columns: Vec::new(),
            pair_lists: Vec::new(),
        };
        for l in plan.args.iter().flatten() {
            b.read(l, snap)?;
        }
        Some(b)
    }

    /// Makes the columns lane `l` reads.
    fn read(&mut self, l: &Lane, snap: &'r Snapshot) -> Option<()> {
        match l {
            Lane::Count(sub) => {
                let at = Arc::as_ptr(sub) as usize;
                if self.pair_lists.iter().all(|(a, _)| *a != at) {
                    if let Some(p) = self.end_lists(sub, snap) {
                        self.pair_lists.push((at, p));
                    }
                }
            }
            Lane::Build(k) if self.column(*k, None).is_none() => {
                let c = self.values_column(*k);
                self.columns.push(((*k, None), c));
            }
            Lane::BuildProp(k, key) if self.column(*k, Some(&key.name)).is_none() => {
                let c = self.property_column(*k, key, snap)?;
                self.columns.push(((*k, Some(key.name.clone())), c));
            }
            Lane::Case(branches, default) => {
                for (w, t) in branches {
                    self.read(w, snap)?;
                    self.read(t, snap)?;
                }
                if let Some(d) = default {
                    self.read(d, snap)?;
                }
            }
            Lane::Binary(_, a, b) => {
                self.read(a, snap)?;
                self.read(b, snap)?;
            }
            Lane::Unary(_, a) | Lane::IsNull(a, _) => self.read(a, snap)?,
            _ => {}
        }
        Some(())
    }

    /// The ends that counted pattern `sub` (a hop closed into a bound
    /// node, one end a build value and the other a node of the incoming
    /// row) reads of the incoming `rows`, their entries added up
    /// ([`EndCounts::sum`]): the same for every chunk of a product's build
    /// rows. `None` where the count is not of that kind or an incoming
    /// row's end is not a node.
    pub fn summed_ends(&self, sub: &SubPlan, rows: &[Row], ctx: &Ctx<'_>) -> Option<SummedEnds> {
        let snap = ctx.snapshot;
        let pairs = PairCount::new(super::stream::closing_hop(&sub.ops)?, snap).ok()?;
        let l = self.pair_lists_of(sub)?;
        let (xs, zs) = pairs.ends();
        let fixed_slot = if l.x { zs } else { xs };
        let mut fixed = SmallVec::new();
        let mut parts = Vec::with_capacity(rows.len());
        for row in rows {
            let Some(Value::Node(f)) = row.get(fixed_slot) else {
                return None;
            };
            let lists = match l.x {
                true => pairs.z_lists(*f, snap),
                false => pairs.x_lists(*f, snap),
            };
            parts.push(pairs.end_counts(&lists, &mut pairs.label_probe(snap))?);
            fixed.push(*f);
        }
        Some(SummedEnds {
            all: EndCounts::sum(&parts),
            fixed,
        })
    }

    /// The pairs that counted pattern `sub` makes for each build row with
    /// every one of the incoming rows whose ends are `ends`
    /// ([`BuildRows::summed_ends`]), summed: each build row's targets
    /// counted once against the entries of all the rows' ends together
    /// rather than against each row's (cookbook cb09: each company's
    /// topics against the topics of ten customers at once). `None` where a
    /// build row's end is one of theirs (the pair is then of one node with
    /// itself, counted the general way).
    pub fn count_totals(
        &self,
        sub: &SubPlan,
        ends: &SummedEnds,
        ctx: &Ctx<'_>,
    ) -> Option<Vec<i64>> {
        let pairs = PairCount::new(super::stream::closing_hop(&sub.ops)?, ctx.snapshot).ok()?;
        let l = self.pair_lists_of(sub)?;
        let (xs, zs) = pairs.ends();
        let own_at = self.slots.binary_search(if l.x { &xs } else { &zs }).ok()?;
        let mut totals = Vec::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            match r.get(own_at) {
                Some(Value::Node(n)) if !ends.fixed.contains(n) => {
                    totals.push(ends.all.pairs_with(l.targets(i)?));
                }
                _ => return None,
            }
        }
        Some(totals)
    }

    /// The lists of counted pattern `sub`'s end that the build rows give.
    fn pair_lists_of(&self, sub: &SubPlan) -> Option<&PairLists<'r>> {
        let at = sub as *const SubPlan as usize;
        self.pair_lists
            .iter()
            .find(|(a, _)| *a == at)
            .map(|(_, l)| l)
    }

    /// The lists of the end of counted pattern `sub` (a hop closed into a
    /// bound node) that the build side gives, for every row; `None` where
    /// the pattern is another shape, or neither or both of its ends are
    /// build values.
    fn end_lists(&self, sub: &SubPlan, snap: &'r Snapshot) -> Option<PairLists<'r>> {
        let pairs = PairCount::new(super::stream::closing_hop(&sub.ops)?, snap).ok()?;
        let (xs, zs) = pairs.ends();
        let (k, x) = match (self.slots.binary_search(&xs), self.slots.binary_search(&zs)) {
            (Ok(k), Err(_)) => (k, true),
            (Err(_), Ok(k)) => (k, false),
            _ => return None,
        };
        let lists: Vec<EndList<'r>> = self
            .rows
            .iter()
            .map(|r| match r.get(k) {
                Some(Value::Node(n)) if x => pairs.x_lists(*n, snap),
                Some(Value::Node(n)) => pairs.z_lists(*n, snap),
                _ => SmallVec::new(),
            })
            .collect();
        let mut targets = Vec::new();
        let mut starts = Vec::with_capacity(lists.len() + 1);
        for l in &lists {
            let from = targets.len();
            starts.push(from);
            for list in l {
                targets.extend(list.iter().map(|a| a.node));
            }
            targets[from..].sort_unstable();
        }
        starts.push(targets.len());
        Some(PairLists {
            x,
            lists,
            targets,
            starts,
        })
    }

    /// Build value `k` of every row, as scalars where they all are.
    fn values_column(&self, k: usize) -> Column {
        let mut c = Column::default();
        let values = self
            .rows
            .iter()
            .map(|r| r.get(k).cloned().unwrap_or(Value::Null));
        c.values.extend(values);
        match collect_n(c.values.len(), c.values.iter().map(Scalar::of)) {
            Some(s) => {
                c.values.clear();
                c.scalars = s;
            }
            None => c.boxed = true,
        }
        c
    }

    /// Property `key` of build value `k` of every row (null where that is
    /// null); `None` where a value is neither a node nor null.
    fn property_column(
        &self,
        k: usize,
        key: &NameRef<PropKeyId>,
        snap: &Snapshot,
    ) -> Option<Column> {
        let mut nodes = Vec::with_capacity(self.rows.len());
        let mut nulls = false;
        for r in self.rows {
            match r.get(k) {
                Some(Value::Node(n)) => nodes.push(*n),
                Some(Value::Null) => nulls = true,
                _ => return None,
            }
        }
        let mut c = Column::default();
        c.read(&nodes, key, snap);
        if nulls {
            let mut read = (0..nodes.len()).map(|j| c.value(j));
            let values: Vec<Value> = self
                .rows
                .iter()
                .map(|r| match r.get(k) {
                    Some(Value::Node(_)) => read.next().unwrap_or(Value::Null),
                    _ => Value::Null,
                })
                .collect();
            c.clear();
            c.values = values;
            c.boxed = true;
        }
        Some(c)
    }

    fn column(&self, k: usize, key: Option<&Arc<str>>) -> Option<&Column> {
        self.columns
            .iter()
            .find(|((ck, cn), _)| *ck == k && cn.as_ref() == key)
            .map(|(_, c)| c)
    }
}

/// Evaluates the lanes of one batch.
pub(crate) struct Evaluator<'a, 'r, 'l, 'c> {
    pub source: Source<'a, 'r>,
    /// The row the batch's elements share: the hop's input row, or the
    /// incoming row a product's build rows are joined with.
    pub row: &'a Row,
    pub ctx: &'a Ctx<'c>,
    pub locals: &'l mut Vec<Value>,
}

impl<'a> Evaluator<'a, '_, '_, '_> {
    /// The values of `l` for every element; `None` where an element's
    /// value is not one the row path surely gives (an operation failed,
    /// or `+` met text or a list, whose size the row path checks): the
    /// batch is then taken row by row.
    fn values(&mut self, l: &'a Lane) -> Option<Values<'a>> {
        let n = self.source.len();
        if let Source::Build(b) = self.source {
            return self.build_values(l, b);
        }
        let Source::Hop(matches) = self.source else {
            return None;
        };
        Some(match l {
            Lane::Target => Values::Many(Cow::Owned(
                matches.nodes.iter().map(|n| Value::Node(*n)).collect(),
            )),
            Lane::Rel => Values::Many(Cow::Owned(
                matches
                    .rels
                    .iter()
                    .map(|r| Value::Relationship(*r))
                    .collect(),
            )),
            Lane::Read(i) => matches.reads.get(*i)?.lane(),
            Lane::TargetProp(key) => {
                let mut column = Column::default();
                column.read(&matches.nodes, key, self.ctx.snapshot);
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
                let rels = matches.rels.iter();
                Values::Many(Cow::Owned(
                    rels.map(|r| {
                        snap.rel_property(*r, k)
                            .map_or(Value::Null, Cow::into_owned)
                    })
                    .collect(),
                ))
            }
            Lane::Build(_) | Lane::BuildProp(..) | Lane::Count(_) => return None,
            other => return self.shared(other, n),
        })
    }

    /// The values of the lanes of a product's batch of build rows `b`.
    fn build_values(&mut self, l: &'a Lane, b: &'a BuildRows<'_>) -> Option<Values<'a>> {
        Some(match l {
            Lane::Build(k) => b.column(*k, None)?.lane(),
            Lane::BuildProp(k, key) => b.column(*k, Some(&key.name))?.lane(),
            Lane::Count(sub) => {
                // The incoming row with each build row's values that the
                // pattern reads put in.
                let mut row = self.row.clone();
                let reads: SmallVec<[(usize, usize); 4]> = sub
                    .reads()
                    .iter()
                    .filter_map(|s| Some((*s, b.slots.binary_search(s).ok()?)))
                    .collect();
                // A hop closed into a bound node is resolved once, and
                // the lists of its end that this row gives read once.
                let snap = self.ctx.snapshot;
                let pairs = match super::stream::closing_hop(&sub.ops) {
                    Some(e) => Some(PairCount::new(e, snap).ok()?),
                    None => None,
                };
                let at = Arc::as_ptr(sub) as usize;
                let cached = b.pair_lists.iter().find(|(a, _)| *a == at).map(|(_, l)| l);
                // The lists and the node of the end the incoming row
                // gives, and the place of the other end's in the build rows.
                let (fixed, fixed_node, own_at) = match (&pairs, cached) {
                    (Some(p), Some(l)) => {
                        let (xs, zs) = p.ends();
                        let (fixed_slot, own_slot) = if l.x { (zs, xs) } else { (xs, zs) };
                        let own_at = b.slots.binary_search(&own_slot).ok();
                        match self.row.get(fixed_slot) {
                            Some(Value::Node(n)) if l.x => (p.z_lists(*n, snap), Some(*n), own_at),
                            Some(Value::Node(n)) => (p.x_lists(*n, snap), Some(*n), own_at),
                            _ => (SmallVec::new(), None, own_at),
                        }
                    }
                    _ => (SmallVec::new(), None, None),
                };
                eval::tick(self.ctx).ok()?;
                // The fixed end's entries by target, once for every build
                // row, where the count can be made from the lists alone.
                let counts = match (&pairs, cached, fixed_node) {
                    (Some(p), Some(_), Some(_)) => p.end_counts(&fixed, &mut p.label_probe(snap)),
                    _ => None,
                };
                let mut out = Vec::with_capacity(b.rows.len());
                for (i, r) in b.rows.iter().enumerate() {
                    if let (Some(c), Some(l), Some(f)) = (&counts, cached, fixed_node) {
                        // Counted from the lists alone where the ends
                        // differ, the row not written.
                        let own_node = match own_at.and_then(|k| r.get(k)) {
                            Some(Value::Node(n)) => Some(*n),
                            _ => None,
                        };
                        if own_node.is_some_and(|n| n != f) {
                            out.push(Scalar::Int(c.pairs_with(l.targets(i)?)));
                            continue;
                        }
                    }
                    for (s, k) in &reads {
                        put_value(&mut row[*s], r.get(*k)?);
                    }
                    let count = match (&pairs, cached) {
                        (Some(p), Some(l)) => {
                            let own = l.lists.get(i)?;
                            let lists = match l.x {
                                true => (&own[..], &fixed[..]),
                                false => (&fixed[..], &own[..]),
                            };
                            p.count_in(&row, Some(lists), false, self.ctx)
                        }
                        (Some(p), None) => p.count(&row, false, self.ctx),
                        (None, _) => super::run_sub_count(sub, &row, self.ctx),
                    };
                    out.push(Scalar::Int(count.ok()?));
                }
                Values::Scalars(Cow::Owned(out))
            }
            Lane::Target | Lane::Rel | Lane::Read(_) | Lane::TargetProp(_) | Lane::RelProp(_) => {
                return None
            }
            other => return self.shared(other, b.rows.len()),
        })
    }

    /// The values of the lanes whose evaluation is the same over a hop's
    /// matches and over a product's build rows: fixed values and the
    /// operations on lanes.
    fn shared(&mut self, l: &'a Lane, n: usize) -> Option<Values<'a>> {
        Some(match l {
            Lane::Fixed(CExpr::Const(v)) => Values::One(Cow::Borrowed(v)),
            Lane::Fixed(CExpr::Slot(s)) => Values::One(Cow::Borrowed(self.row.get(*s)?)),
            Lane::Fixed(x) => Values::One(Cow::Owned(
                eval::eval(x, self.row, self.locals, self.ctx).ok()?,
            )),
            Lane::Binary(op, a, b) => {
                let (a, b) = (self.values(a)?, self.values(b)?);
                binary(*op, &a, &b, n)?
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
            Lane::Target
            | Lane::Rel
            | Lane::Read(_)
            | Lane::TargetProp(_)
            | Lane::RelProp(_)
            | Lane::Build(_)
            | Lane::BuildProp(..)
            | Lane::Count(_) => return None,
        })
    }

    /// [`Evaluator::case`] where every branch's value and the default are
    /// scalar constants (`CASE WHEN t.escalated THEN 1 ELSE 0 END`): each
    /// condition over the batch writes its value where it holds, the last
    /// branch first, so that the first branch that holds is the one left.
    /// Every condition is evaluated over the whole batch either way.
    /// `None` where an arm is not a constant; `Some(None)` where a
    /// condition's lane fails (the batch is then taken row by row).
    fn case_of_constants(
        &mut self,
        branches: &'a [(Lane, Lane)],
        default: Option<&'a Lane>,
        n: usize,
    ) -> Option<Option<Values<'a>>> {
        let otherwise = match default {
            Some(d) => constant_scalar(d)?,
            None => Scalar::Null,
        };
        let values: SmallVec<[Scalar; 4]> = branches
            .iter()
            .map(|(_, then)| constant_scalar(then))
            .collect::<Option<_>>()?;
        let mut out = vec![otherwise; n];
        for ((w, _), &v) in branches.iter().zip(&values).rev() {
            let Some(w) = self.values(w) else {
                return Some(None);
            };
            match &w {
                Values::Scalars(ws) => {
                    for (o, w) in out.iter_mut().zip(ws.iter()) {
                        if *w == Scalar::Bool(true) {
                            *o = v;
                        }
                    }
                }
                _ => {
                    for (j, o) in out.iter_mut().enumerate() {
                        if w.scalar(j) == Scalar::Bool(true) {
                            *o = v;
                        }
                    }
                }
            }
        }
        Some(Some(Values::Scalars(Cow::Owned(out))))
    }

    /// A searched `CASE` over the batch: per match, the value of the first
    /// branch whose condition is true (the default's, or null, where none
    /// is). A branch's value is evaluated only where some match takes it.
    fn case(
        &mut self,
        branches: &'a [(Lane, Lane)],
        default: Option<&'a Lane>,
    ) -> Option<Values<'a>> {
        let n = self.source.len();
        if let Some(out) = self.case_of_constants(branches, default, n) {
            return out;
        }
        let none = branches.len();
        let mut taken = vec![none; n];
        for (b, (w, _)) in branches.iter().enumerate() {
            let w = self.values(w)?;
            let open = taken.iter_mut().enumerate().filter(|(_, t)| **t == none);
            match &w {
                Values::Scalars(ws) => {
                    for (j, t) in open {
                        if ws.get(j) == Some(&Scalar::Bool(true)) {
                            *t = b;
                        }
                    }
                }
                _ => {
                    for (j, t) in open {
                        if w.scalar(j) == Scalar::Bool(true) {
                            *t = b;
                        }
                    }
                }
            }
        }
        let mut used = vec![false; none + 1];
        for &t in &taken {
            used[t] = true;
        }
        let mut arms: Vec<Option<Values<'a>>> = Vec::with_capacity(none + 1);
        for (b, (_, then)) in branches.iter().enumerate() {
            arms.push(match used[b] {
                true => Some(self.values(then)?),
                false => None,
            });
        }
        arms.push(match default {
            Some(d) if used[none] => Some(self.values(d)?),
            _ => None,
        });
        // Arms of one scalar each (`THEN 1 ELSE 0`): looked up per element.
        let ones: Option<SmallVec<[Scalar; 4]>> = arms
            .iter()
            .map(|a| match a {
                Some(v @ Values::One(_)) if v.all_scalar() => Some(v.scalar(0)),
                Some(_) => None,
                None => Some(Scalar::Null),
            })
            .collect();
        if let Some(ones) = ones {
            let out = taken.iter().map(|&t| ones[t]);
            return Some(Values::Scalars(Cow::Owned(out.collect())));
        }
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

/// The scalar that lane `l` is for every element, where it is a constant.
fn constant_scalar(l: &Lane) -> Option<Scalar> {
    match l {
        Lane::Fixed(CExpr::Const(v)) => Scalar::of(v),
        _ => None,
    }
}

/// `a op b` over a batch of `n` elements; `None` where an element's value
/// is not one the row path surely gives. The values stay scalars while
/// they are (comparisons of text give booleans).
fn binary(op: BinaryOp, a: &Values<'_>, b: &Values<'_>, n: usize) -> Option<Values<'static>> {
    if a.all_scalar() && b.all_scalar() {
        return scalar_column(op, a, b, n).map(|out| Values::Scalars(Cow::Owned(out)));
    }
    if let Some(out) = text_equality(op, a, b, n) {
        return Some(Values::Scalars(Cow::Owned(out)));
    }
    let adds_text = |v: &Value| matches!(v, Value::String(_) | Value::List(_));
    let mut scalars = Vec::with_capacity(n);
    for j in 0..n {
        let (x, y) = (a.get(j), b.get(j));
        let out = match (op, &*x, &*y) {
            (BinaryOp::Eq, Value::String(p), Value::String(q)) => Scalar::Bool(p == q),
            (BinaryOp::Ne, Value::String(p), Value::String(q)) => Scalar::Bool(p != q),
            _ => {
                if op == BinaryOp::Add && (adds_text(&x) || adds_text(&y)) {
                    return None;
                }
                let v = value_ops::binary_op(op, &x, &y).ok()?;
                match Scalar::of(&v) {
                    Some(s) => s,
                    None => return binary_values(op, a, b, n, scalars, v),
                }
            }
        };
        scalars.push(out);
    }
    Some(Values::Scalars(Cow::Owned(scalars)))
}

/// `a op b` over `n` elements whose values are all scalars; `None` where
/// an element's operation fails. Integer comparisons, the common case, get
/// a loop of their own each.
fn scalar_column(op: BinaryOp, a: &Values<'_>, b: &Values<'_>, n: usize) -> Option<Vec<Scalar>> {
    if let Some(out) = typed_column(op, a, b, n) {
        return Some(out);
    }
    macro_rules! compare {
        ($cmp:expr) => {
            zip_scalars(a, b, n, |x, y| match (x, y) {
                (Scalar::Int(x), Scalar::Int(y)) => Some(Scalar::Bool($cmp(&x, &y))),
                _ => scalar_op(op, x, y),
            })
        };
    }
    match op {
        BinaryOp::Eq => compare!(i64::eq),
        BinaryOp::Ne => compare!(i64::ne),
        BinaryOp::Lt => compare!(i64::lt),
        BinaryOp::Le => compare!(i64::le),
        BinaryOp::Gt => compare!(i64::gt),
        BinaryOp::Ge => compare!(i64::ge),
        // Booleans joined, the common case of a condition's parts.
        BinaryOp::And => zip_scalars(a, b, n, |x, y| match (x, y) {
            (Scalar::Bool(x), Scalar::Bool(y)) => Some(Scalar::Bool(x && y)),
            _ => scalar_binary(op, x, y),
        }),
        BinaryOp::Or => zip_scalars(a, b, n, |x, y| match (x, y) {
            (Scalar::Bool(x), Scalar::Bool(y)) => Some(Scalar::Bool(x || y)),
            _ => scalar_binary(op, x, y),
        }),
        _ => zip_scalars(a, b, n, |x, y| scalar_binary(op, x, y)),
    }
}

/// [`scalar_column`] where every element of both sides is an integer
/// (integers compared, added, subtracted or multiplied) or every one a
/// boolean (`AND`, `OR`); `None` for anything else, left to the general
/// loop. Each loop makes its scalar directly: the general loop's
/// `Option<Scalar>` per element went through the stack, and reading it
/// back stalled on every element (`perf annotate`: most of that loop's
/// cycles).
fn typed_column(op: BinaryOp, a: &Values<'_>, b: &Values<'_>, n: usize) -> Option<Vec<Scalar>> {
    use BinaryOp::*;
    let arith = |f: fn(i64, i64) -> (i64, bool)| {
        let mut overflow = false;
        let out = ints(a, b, n, |x, y| {
            let (v, o) = f(x, y);
            overflow |= o;
            Scalar::Int(v)
        })?;
        // An overflow is the value operation's error: the row path's.
        (!overflow).then_some(out)
    };
    match op {
        Eq => ints(a, b, n, |x, y| Scalar::Bool(x == y)),
        Ne => ints(a, b, n, |x, y| Scalar::Bool(x != y)),
        Lt => ints(a, b, n, |x, y| Scalar::Bool(x < y)),
        Le => ints(a, b, n, |x, y| Scalar::Bool(x <= y)),
        Gt => ints(a, b, n, |x, y| Scalar::Bool(x > y)),
        Ge => ints(a, b, n, |x, y| Scalar::Bool(x >= y)),
        Add => arith(i64::overflowing_add),
        Sub => arith(i64::overflowing_sub),
        Mul => arith(i64::overflowing_mul),
        And => bools(a, b, n, |x, y| x && y),
        Or => bools(a, b, n, |x, y| x || y),
        _ => None,
    }
}

/// The `n` elements of one side of a typed loop: a column, or the one
/// value every element shares.
enum Side<'v, T> {
    Column(&'v [Scalar]),
    One(T),
}

impl<'v, T: Copy> Side<'v, T> {
    /// `v`'s first `n` elements where each is what `get` takes.
    fn of(v: &'v Values<'_>, n: usize, get: impl Fn(Scalar) -> Option<T>) -> Option<Self> {
        match v {
            Values::Scalars(xs) => {
                let xs = xs.get(..n)?;
                xs.iter()
                    .all(|x| get(*x).is_some())
                    .then_some(Side::Column(xs))
            }
            Values::One(_) => get(v.scalar(0)).map(Side::One),
            Values::Many(_) => None,
        }
    }
}

/// `f` of `a` and `b` over `n` elements that are all integers (`None`
/// where one is not).
#[inline(always)]
fn ints(
    a: &Values<'_>,
    b: &Values<'_>,
    n: usize,
    f: impl FnMut(i64, i64) -> Scalar,
) -> Option<Vec<Scalar>> {
    let int = |s: Scalar| match s {
        Scalar::Int(i) => Some(i),
        _ => None,
    };
    typed(a, b, n, int, f)
}

/// `f` of `a` and `b` over `n` elements that are all booleans (`None`
/// where one is not: nulls take the three-valued path).
#[inline(always)]
fn bools(
    a: &Values<'_>,
    b: &Values<'_>,
    n: usize,
    f: impl Fn(bool, bool) -> bool,
) -> Option<Vec<Scalar>> {
    let boolean = |s: Scalar| match s {
        Scalar::Bool(b) => Some(b),
        _ => None,
    };
    typed(a, b, n, boolean, |x, y| Scalar::Bool(f(x, y)))
}

/// `f` of the `n` elements of `a` and `b` where `get` takes every one
/// (`None` where it does not).
#[inline(always)]
fn typed<T: Copy + Default>(
    a: &Values<'_>,
    b: &Values<'_>,
    n: usize,
    get: impl Fn(Scalar) -> Option<T> + Copy,
    mut f: impl FnMut(T, T) -> Scalar,
) -> Option<Vec<Scalar>> {
    // Every element was taken by `get` in `Side::of`: the default is
    // never used.
    let at = |s: &Scalar| get(*s).unwrap_or_default();
    Some(match (Side::of(a, n, get)?, Side::of(b, n, get)?) {
        (Side::Column(xs), Side::One(y)) => xs.iter().map(|x| f(at(x), y)).collect(),
        (Side::One(x), Side::Column(ys)) => ys.iter().map(|y| f(x, at(y))).collect(),
        (Side::Column(xs), Side::Column(ys)) => {
            xs.iter().zip(ys).map(|(x, y)| f(at(x), at(y))).collect()
        }
        // Both shared: the general path (rare, and one element's work).
        (Side::One(_), Side::One(_)) => return None,
    })
}

/// `f` of the scalars of `a` and `b`, element by element (a value shared
/// by every element taken apart once); `None` where `f` fails.
#[inline(always)]
fn zip_scalars(
    a: &Values<'_>,
    b: &Values<'_>,
    n: usize,
    f: impl Fn(Scalar, Scalar) -> Option<Scalar>,
) -> Option<Vec<Scalar>> {
    match (a, b) {
        (Values::Scalars(xs), Values::One(_)) => {
            let y = b.scalar(0);
            collect_n(n, xs.get(..n)?.iter().map(|&x| f(x, y)))
        }
        (Values::One(_), Values::Scalars(ys)) => {
            let x = a.scalar(0);
            collect_n(n, ys.get(..n)?.iter().map(|&y| f(x, y)))
        }
        (Values::Scalars(xs), Values::Scalars(ys)) => {
            let pairs = xs.get(..n)?.iter().zip(ys.get(..n)?);
            collect_n(n, pairs.map(|(&x, &y)| f(x, y)))
        }
        _ => collect_n(n, (0..n).map(|j| f(a.scalar(j), b.scalar(j)))),
    }
}

/// The scalars of `items` (at most `n`; `None` if one is none), written
/// into a vector made and filled once for all of them: `collect` into an
/// `Option<Vec<_>>` cannot know the length and grows its vector from
/// nothing, copying it at each doubling, and a push checks the capacity
/// per element.
#[inline(always)]
fn collect_n(n: usize, items: impl Iterator<Item = Option<Scalar>>) -> Option<Vec<Scalar>> {
    let mut out = vec![Scalar::Null; n];
    let mut len = 0;
    for (o, x) in out.iter_mut().zip(items) {
        *o = x?;
        len += 1;
    }
    out.truncate(len);
    Some(out)
}

/// `=` or `<>` of a column of values and one text (either side): `None`
/// where the operation is another, or where an element is neither text
/// nor null (left to the general path).
fn text_equality(op: BinaryOp, a: &Values<'_>, b: &Values<'_>, n: usize) -> Option<Vec<Scalar>> {
    let eq = match op {
        BinaryOp::Eq => true,
        BinaryOp::Ne => false,
        _ => return None,
    };
    let ((Values::Many(xs), Values::One(y)) | (Values::One(y), Values::Many(xs))) = (a, b) else {
        return None;
    };
    let Value::String(y) = &**y else {
        return None;
    };
    let mut out = Vec::with_capacity(n);
    for x in xs.get(..n)? {
        out.push(match x {
            Value::String(x) => Scalar::Bool((**x == **y) == eq),
            Value::Null => Scalar::Null,
            _ => return None,
        });
    }
    Some(out)
}

/// [`binary`] from the first element whose value is not a scalar (`v`),
/// the elements before it (`done`) all scalars.
fn binary_values(
    op: BinaryOp,
    a: &Values<'_>,
    b: &Values<'_>,
    n: usize,
    done: Vec<Scalar>,
    v: Value,
) -> Option<Values<'static>> {
    let mut out: Vec<Value> = Vec::with_capacity(n);
    out.extend(done.into_iter().map(Scalar::value));
    out.push(v);
    for j in out.len()..n {
        out.push(value_ops::binary_op(op, &a.get(j), &b.get(j)).ok()?);
    }
    Some(Values::Many(Cow::Owned(out)))
}

/// `x op y` for two scalars as [`value_ops::binary_op`] gives it (integer
/// arithmetic and comparisons, and the three-valued logic of booleans and
/// nulls, without building values), `None` where it fails.
#[inline(always)]
fn scalar_binary(op: BinaryOp, x: Scalar, y: Scalar) -> Option<Scalar> {
    use BinaryOp::*;
    let bool3 = |v: Scalar| match v {
        Scalar::Bool(b) => Some(Some(b)),
        Scalar::Null => Some(None),
        _ => None,
    };
    match (op, x, y) {
        (_, Scalar::Int(x), Scalar::Int(y)) => {
            if let Some(v) = int_op(op, x, y) {
                return Some(v);
            }
        }
        (And | Or | Xor, _, _) => {
            if let (Some(p), Some(q)) = (bool3(x), bool3(y)) {
                let v = match op {
                    And => match (p, q) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    },
                    Or => match (p, q) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    },
                    _ => p.zip(q).map(|(p, q)| p != q),
                };
                return Some(v.map_or(Scalar::Null, Scalar::Bool));
            }
        }
        _ => {}
    }
    scalar_op(op, x, y)
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

/// Feeds scalars `values` to `acc`: where the aggregate counts or adds
/// them, the integers summed first and fed at once (a sum keeps its
/// integers and floats apart, exactly, so the order does not change it);
/// in order otherwise.
fn feed_scalars(acc: &mut Accumulator, values: impl Iterator<Item = Scalar>) -> Result<()> {
    if !acc.add_ints(0, 0) {
        for x in values {
            acc.update(&x.value())?;
        }
        return Ok(());
    }
    let (mut total, mut ints) = (0i128, 0u64);
    for x in values {
        match x {
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

/// Per aggregate, its argument's values over a batch (`None`: counted as
/// `count(*)` counts rows).
pub(crate) type Args<'a> = SmallVec<[Option<Values<'a>>; 4]>;

/// The values of `plan`'s arguments over `ev`'s batch, for accumulators
/// like `accs`; `None` where the batch must be taken row by row.
pub(crate) fn arg_values<'a>(
    plan: &'a BatchPlan,
    accs: &[Accumulator],
    ev: &mut Evaluator<'a, '_, '_, '_>,
) -> Option<Args<'a>> {
    arg_values_but(plan, accs, ev, &[])
}

/// [`arg_values`] but for the arguments `taken` marks (found another way:
/// `None` in their place).
pub(crate) fn arg_values_but<'a>(
    plan: &'a BatchPlan,
    accs: &[Accumulator],
    ev: &mut Evaluator<'a, '_, '_, '_>,
    taken: &[bool],
) -> Option<Args<'a>> {
    let n = ev.source.len();
    let mut columns = Args::new();
    for (a, (arg, acc)) in plan.args.iter().zip(accs).enumerate() {
        let values = match arg {
            _ if taken.get(a).copied().unwrap_or(false) => None,
            // The target and the relationship are never null: counted
            // as `count(*)` counts.
            Some(Lane::Target | Lane::Rel) if matches!(acc, Accumulator::Count(_)) => None,
            Some(l) => match ev.values(l) {
                Some(v) if takes_all(acc, &v, n) => Some(v),
                _ => return None,
            },
            None => None,
        };
        columns.push(values);
    }
    Some(columns)
}

/// Feeds the batch's matches to the accumulators `accs` of their group as
/// `plan` evaluates them; false (with no accumulator changed) when the
/// batch must be taken row by row.
pub(crate) fn accumulate<'a>(
    plan: &'a BatchPlan,
    accs: &mut [Accumulator],
    mut ev: Evaluator<'a, '_, '_, '_>,
) -> Result<bool> {
    let n = ev.source.len();
    let Some(columns) = arg_values(plan, accs, &mut ev) else {
        return Ok(false);
    };
    feed(&columns, accs, 0..n)?;
    Ok(true)
}

/// Feeds elements `range` of the batch whose arguments are `columns`
/// ([`arg_values`]) to the accumulators `accs` of their group, an
/// aggregate at a time.
pub(crate) fn feed(
    columns: &Args<'_>,
    accs: &mut [Accumulator],
    range: Range<usize>,
) -> Result<()> {
    for (values, acc) in columns.iter().zip(accs.iter_mut()) {
        feed_range(acc, values.as_ref(), range.clone())?;
    }
    Ok(())
}

/// Feeds elements `range` of one argument's `values` (`None`: counted as
/// `count(*)` counts rows) to `acc`.
#[inline]
fn feed_range(
    acc: &mut Accumulator,
    values: Option<&Values<'_>>,
    range: Range<usize>,
) -> Result<()> {
    let past = || crate::error::ExecError::internal("a batch's range past its values");
    let n = range.len();
    match values {
        None => {
            if !acc.add_ints(0, n as u64) {
                for _ in range {
                    acc.update(&Value::Bool(true))?;
                }
            }
        }
        Some(Values::Scalars(s)) => {
            feed_scalars(acc, s.get(range).ok_or_else(past)?.iter().copied())?
        }
        Some(Values::One(v)) => match Scalar::of(v) {
            Some(x) => feed_scalars(acc, std::iter::repeat_n(x, n))?,
            None => {
                for _ in range {
                    acc.update(v)?;
                }
            }
        },
        Some(Values::Many(vs)) => {
            for v in vs.get(range).ok_or_else(past)? {
                acc.update(v)?;
            }
        }
    }
    Ok(())
}

/// Per element of `n`, the total and the number of the integers that
/// aggregate `a` takes from several batches (`args`, one per incoming row
/// a product's build rows were joined with): what [`feed_element`] gives
/// a count, a sum or an average, computed a column at a time (`count(*)`
/// counts every row, nulls are not counted). `None`, with nothing fed,
/// where a value is neither an integer nor null (those go through
/// [`feed_element`] in order).
pub(crate) fn int_totals(args: &[Args<'_>], a: usize, n: usize) -> Option<Vec<(i128, u64)>> {
    let mut totals = vec![(0i128, 0u64); n];
    for arg in args {
        match arg.get(a)? {
            None => totals.iter_mut().for_each(|t| t.1 += 1),
            Some(Values::Scalars(xs)) => {
                for (t, x) in totals.iter_mut().zip(xs.iter()) {
                    match x {
                        Scalar::Int(i) => *t = (t.0 + i128::from(*i), t.1 + 1),
                        Scalar::Null => {}
                        _ => return None,
                    }
                }
            }
            Some(one @ Values::One(_)) => match one.scalar_at(0)? {
                Scalar::Int(i) => totals
                    .iter_mut()
                    .for_each(|t| *t = (t.0 + i128::from(i), t.1 + 1)),
                Scalar::Null => {}
                _ => return None,
            },
            Some(Values::Many(_)) => return None,
        }
    }
    Some(totals)
}

/// Feeds aggregate `a` of element `j` of several batches (`args`, one per
/// incoming row a product's build rows were joined with, in row order) to
/// `acc`: the values of one group's rows, as [`feed_scalars`] feeds them.
pub(crate) fn feed_element(
    acc: &mut Accumulator,
    args: &[Args<'_>],
    a: usize,
    j: usize,
) -> Result<()> {
    let sums = acc.add_ints(0, 0);
    let (mut total, mut ints) = (0i128, 0u64);
    for arg in args {
        match arg.get(a) {
            Some(None) if sums => ints += 1,
            Some(None) => acc.update(&Value::Bool(true))?,
            Some(Some(vs)) => match vs.scalar_at(j) {
                Some(Scalar::Int(i)) if sums => {
                    total += i128::from(i);
                    ints += 1;
                }
                Some(Scalar::Null) if sums => {}
                Some(x) => acc.update(&x.value())?,
                None => acc.update(&vs.get(j))?,
            },
            None => {}
        }
    }
    if sums {
        acc.add_ints(total, ints);
    }
    Ok(())
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
