//! The physical plan: compiled expressions and operators, with slots
//! (row positions) resolved by the binder. A single query compiles to a
//! linear pipeline of [`Op`]s over fixed-width rows.

pub(crate) mod compares;
pub(crate) mod explain;
pub(crate) mod logical;

use std::collections::HashSet;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, Quantifier, Span, UnaryOp};
use relgraph_graph::{Catalog, LabelId, PropKeyId, RelTypeId, Value};

use crate::tables::TableCounts;
use crate::value_ops::InSet;

/// A row: one value per slot of the query.
pub(crate) type Row = Vec<Value>;

/// A row of `width` nulls. Each slot is written as a null directly:
/// `vec![Value::Null; width]` clones the null once per slot through
/// `Value`'s `Clone` (8% of a query grouping 931 rows).
#[inline]
pub(crate) fn null_row(width: usize) -> Row {
    let mut row = Vec::with_capacity(width);
    row.resize_with(width, || Value::Null);
    row
}

/// Binds node `n` in `slot`. A slot that holds a node already (the
/// previous match's) has its id overwritten in place: no drop of the old
/// value, and no new value built on the stack and copied over in wide
/// loads the processor cannot forward from the narrow stores that built
/// it (a tenth of a grouped expansion over 2.37 million tickets).
#[inline(always)]
pub(crate) fn put_node(slot: &mut Value, n: relgraph_graph::NodeId) {
    match slot {
        Value::Node(m) => *m = n,
        _ => *slot = Value::Node(n),
    }
}

/// Binds relationship `r` in `slot`, as [`put_node`] binds a node.
#[inline(always)]
pub(crate) fn put_rel(slot: &mut Value, r: relgraph_graph::RelId) {
    match slot {
        Value::Relationship(m) => *m = r,
        _ => *slot = Value::Relationship(r),
    }
}

/// Copies `from` into `slot`: a node, relationship or integer over a slot
/// that holds one already is written in place, as [`put_node`] writes;
/// anything else is cloned over it (a sub-plan's scratch row takes the
/// row's nodes this way, once per row of the query).
#[inline(always)]
pub(crate) fn put_value(slot: &mut Value, from: &Value) {
    match (slot, from) {
        (Value::Node(a), Value::Node(b)) => *a = *b,
        (Value::Relationship(a), Value::Relationship(b)) => *a = *b,
        (Value::Int(a), Value::Int(b)) => *a = *b,
        (slot, from) => slot.clone_from(from),
    }
}

/// A name resolved against the catalog at compile time when known, else
/// looked up again at run time (a write earlier in the statement may have
/// interned it).
#[derive(Clone, Debug)]
pub(crate) struct NameRef<T> {
    pub name: Arc<str>,
    pub id: Option<T>,
}

impl NameRef<LabelId> {
    pub fn label(name: &str, catalog: &Catalog) -> Self {
        NameRef {
            name: Arc::from(name),
            id: catalog.label_id(name),
        }
    }
    pub fn resolve(&self, catalog: &Catalog) -> Option<LabelId> {
        self.id.or_else(|| catalog.label_id(&self.name))
    }
}

impl NameRef<PropKeyId> {
    pub fn key(name: &str, catalog: &Catalog) -> Self {
        NameRef {
            name: Arc::from(name),
            id: catalog.prop_key_id(name),
        }
    }
    pub fn resolve(&self, catalog: &Catalog) -> Option<PropKeyId> {
        self.id.or_else(|| catalog.prop_key_id(&self.name))
    }
}

impl NameRef<RelTypeId> {
    pub fn rel_type(name: &str, catalog: &Catalog) -> Self {
        NameRef {
            name: Arc::from(name),
            id: catalog.rel_type_id(name),
        }
    }
    pub fn resolve(&self, catalog: &Catalog) -> Option<RelTypeId> {
        self.id.or_else(|| catalog.rel_type_id(&self.name))
    }
}

/// A compiled expression. Variables are slots of the row or locals of an
/// enclosing comprehension.
///
/// The variants that can fail at run time keep the [`Span`] of their source
/// expression, so that a runtime type or argument error points at the
/// expression that failed (`ExecError::at`); planner-made expressions carry
/// the span of the pattern part they came from, or an empty span.
#[derive(Clone, Debug)]
pub(crate) enum CExpr {
    Const(Value),
    /// A parameter read when the plan runs (a prepared plan's late
    /// parameter); other parameters are folded into constants.
    Param(Arc<str>),
    /// `expr IN list` where the list is known before the rows arrive: its
    /// items hashed once instead of scanned per row.
    InSet(Box<CExpr>, InList, Span),
    Slot(usize),
    Local(usize),
    Property(Box<CExpr>, NameRef<PropKeyId>, Span),
    /// Dynamic property / list index / map key: `a[b]`.
    Index(Box<CExpr>, Box<CExpr>, Span),
    Slice(Box<CExpr>, Option<Box<CExpr>>, Option<Box<CExpr>>, Span),
    HasLabels(Box<CExpr>, Vec<NameRef<LabelId>>, Span),
    Binary(BinaryOp, Box<CExpr>, Box<CExpr>, Span),
    Unary(UnaryOp, Box<CExpr>, Span),
    IsNull(Box<CExpr>, bool),
    /// A scalar function, resolved when the query was compiled.
    Call(crate::functions::Scalar, Vec<CExpr>, Span),
    Case {
        subject: Option<Box<CExpr>>,
        branches: Vec<(CExpr, CExpr)>,
        default: Option<Box<CExpr>>,
    },
    List(Vec<CExpr>),
    Map(Vec<(Arc<str>, CExpr)>),
    ListComp {
        local: usize,
        list: Box<CExpr>,
        predicate: Option<Box<CExpr>>,
        projection: Option<Box<CExpr>>,
    },
    Quantifier {
        kind: Quantifier,
        local: usize,
        list: Box<CExpr>,
        predicate: Option<Box<CExpr>>,
    },
    Reduce {
        acc: usize,
        init: Box<CExpr>,
        local: usize,
        list: Box<CExpr>,
        expr: Box<CExpr>,
    },
    /// True if the sub-plan produces a row from the current row.
    Exists(Arc<SubPlan>),
    /// The projection evaluated for every row the sub-plan produces.
    PatternComp(Arc<SubPlan>, Box<CExpr>),
    /// How many rows the sub-plan produces: `size([pattern | x])` where
    /// the projection cannot fail, counted without building the list.
    PatternCount(Arc<SubPlan>),
    MapProjection(Box<CExpr>, Vec<MapProjItem>),
}

/// An item of a compiled map projection.
#[derive(Clone, Debug)]
pub(crate) enum MapProjItem {
    Property(NameRef<PropKeyId>),
    Entry(Arc<str>, CExpr),
    AllProperties,
}

/// Operators evaluated per row from an outer row (pattern predicates,
/// pattern comprehensions, MERGE matching).
#[derive(Clone, Debug)]
pub(crate) struct SubPlan {
    pub ops: Vec<Op>,
    /// The slots its operators read ([`SubPlan::reads`]), found once.
    reads: std::sync::OnceLock<Vec<usize>>,
}

/// The children of an expression (`$e`, a `&CExpr` or a `&mut CExpr`),
/// each handed to `$f`; `$iter` is `iter` or `iter_mut` to match. One
/// body for [`CExpr::for_each_child`] and [`CExpr::for_each_child_mut`].
macro_rules! each_child {
    ($e:expr, $f:ident, $iter:ident) => {{
        use CExpr::*;
        match $e {
            Const(_) | Param(_) | Local(_) | Slot(_) | Exists(_) | PatternCount(_) => {}
            Property(e, _, _)
            | HasLabels(e, _, _)
            | Unary(_, e, _)
            | IsNull(e, _)
            | InSet(e, _, _)
            | PatternComp(_, e) => $f(e),
            Index(a, b, _) | Binary(_, a, b, _) => {
                $f(a);
                $f(b);
            }
            Slice(a, b, c, _) => {
                $f(a);
                b.$iter().chain(c).for_each(|e| $f(e));
            }
            Call(_, args, _) | List(args) => args.$iter().for_each(|e| $f(e)),
            Case {
                subject,
                branches,
                default,
            } => {
                subject.$iter().for_each(|e| $f(e));
                for (w, t) in branches {
                    $f(w);
                    $f(t);
                }
                default.$iter().for_each(|e| $f(e));
            }
            Map(items) => items.$iter().for_each(|(_, e)| $f(e)),
            ListComp {
                list,
                predicate,
                projection,
                ..
            } => {
                $f(list);
                predicate.$iter().chain(projection).for_each(|e| $f(e));
            }
            Quantifier {
                list, predicate, ..
            } => {
                $f(list);
                predicate.$iter().for_each(|e| $f(e));
            }
            Reduce {
                init, list, expr, ..
            } => {
                $f(init);
                $f(list);
                $f(expr);
            }
            MapProjection(base, items) => {
                $f(base);
                for i in items {
                    if let MapProjItem::Entry(_, e) = i {
                        $f(e);
                    }
                }
            }
        }
    }};
}

impl CExpr {
    /// The span of the source expression, for the variants that keep one.
    pub fn span(&self) -> Option<Span> {
        use CExpr::*;
        match self {
            Property(.., s)
            | Index(.., s)
            | Slice(.., s)
            | HasLabels(.., s)
            | Binary(.., s)
            | Unary(.., s)
            | InSet(.., s)
            | Call(.., s) => Some(*s),
            _ => None,
        }
    }

    /// Calls `f` on every slot this expression reads (including slots read
    /// by nested sub-plans).
    pub fn visit_slots(&self, f: &mut dyn FnMut(usize)) {
        match self {
            CExpr::Slot(s) => f(*s),
            CExpr::Exists(plan) | CExpr::PatternCount(plan) => plan.visit_slots(f),
            CExpr::PatternComp(plan, _) => plan.visit_slots(f),
            _ => {}
        }
        self.for_each_child(&mut |c| c.visit_slots(f));
    }

    /// True if evaluating the expression runs a sub-plan (a pattern
    /// predicate, count or comprehension): work per row that can be far
    /// more than a comparison.
    pub fn runs_subplan(&self) -> bool {
        let mut found = matches!(
            self,
            CExpr::Exists(_) | CExpr::PatternCount(_) | CExpr::PatternComp(..)
        );
        self.for_each_child(&mut |c| found |= c.runs_subplan());
        found
    }

    /// Calls `f` on each expression directly inside this one (not inside
    /// its sub-plans' operators).
    pub fn for_each_child(&self, f: &mut dyn FnMut(&CExpr)) {
        each_child!(self, f, iter)
    }

    /// [`CExpr::for_each_child`], with the children to change.
    pub fn for_each_child_mut(&mut self, f: &mut dyn FnMut(&mut CExpr)) {
        each_child!(self, f, iter_mut)
    }

    /// True if the expression reads no slot, no local and no graph.
    pub fn is_const(&self) -> bool {
        matches!(self, CExpr::Const(_))
    }
}

impl SubPlan {
    /// The sub-plan of `ops`.
    pub fn new(ops: Vec<Op>) -> Self {
        SubPlan {
            ops,
            reads: std::sync::OnceLock::new(),
        }
    }

    /// Every slot its operators read, ascending: all a run that yields no
    /// rows to its caller (a count, an existence test) needs of the outer
    /// row.
    pub fn reads(&self) -> &[usize] {
        self.reads.get_or_init(|| {
            let mut out = Vec::new();
            self.visit_slots(&mut |s| out.push(s));
            out.sort_unstable();
            out.dedup();
            out
        })
    }

    /// Slots read by the sub-plan's operators (outer slots and its own).
    pub fn visit_slots(&self, f: &mut dyn FnMut(usize)) {
        for op in &self.ops {
            op.visit_slots(f);
        }
    }
}

/// The list of a [`CExpr::InSet`].
#[derive(Clone, Debug)]
pub(crate) enum InList {
    /// A constant list, hashed when the plan was compiled.
    Const(Arc<InSet>),
    /// A late parameter, hashed when the plan starts to run
    /// (`Ctx::param_sets`).
    Param(Arc<str>),
}

/// Relationship direction relative to the node an expansion starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Out,
    In,
    Both,
}

/// How a node scan finds its nodes.
#[derive(Clone, Debug)]
pub(crate) enum Seek {
    /// All nodes carrying the label.
    Label(NameRef<LabelId>),
    /// Index equality lookup.
    IndexEq {
        label: NameRef<LabelId>,
        key: NameRef<PropKeyId>,
        value: CExpr,
    },
    /// Index range lookup; bounds are (value, inclusive).
    IndexRange {
        label: NameRef<LabelId>,
        key: NameRef<PropKeyId>,
        lower: Option<(CExpr, bool)>,
        upper: Option<(CExpr, bool)>,
    },
    /// Every node.
    All,
    /// The node whose id the expression gives (`id(n) = expr`): at most
    /// one node, whatever its labels (the scan checks them).
    NodeId(CExpr),
    /// The nodes whose ids the list gives (`id(n) IN list`), each once,
    /// ascending, whatever their labels.
    NodeIds(CExpr),
}

/// Produces every matching node for each input row.
#[derive(Clone, Debug)]
pub(crate) struct NodeScan {
    pub slot: usize,
    pub var: String,
    pub seek: Seek,
    /// Labels all found nodes must also carry.
    pub labels: Vec<NameRef<LabelId>>,
    /// Properties of the nodes found that the operators after the scan
    /// read, read where each node is found into these slots, as an
    /// expansion reads its target's (`Expand::target_reads`).
    pub reads: Vec<(NameRef<PropKeyId>, usize)>,
    /// Planner's estimate of the rows after it: per input row of its
    /// MATCH, or of all rows where that MATCH directly follows another.
    pub estimate: f64,
}

/// One hop (or a bounded range of hops) from a bound node.
#[derive(Clone, Debug)]
pub(crate) struct Expand {
    pub from: usize,
    /// The relationship slot (single hop) or relationship-list slot (variable length).
    pub rel: usize,
    pub to: usize,
    pub from_var: String,
    pub rel_var: String,
    pub to_var: String,
    pub types: Vec<NameRef<RelTypeId>>,
    pub dir: Dir,
    /// The target slot is already bound: check instead of bind.
    pub to_bound: bool,
    /// The relationship slot is already bound (from an earlier clause).
    pub rel_bound: bool,
    /// Labels the target must carry.
    pub to_labels: Vec<NameRef<LabelId>>,
    /// Properties every traversed relationship must have.
    pub rel_props: Vec<(NameRef<PropKeyId>, CExpr)>,
    /// Relationship (or relationship-list) slots bound earlier in the same
    /// MATCH: openCypher relationship uniqueness.
    pub unique_with: Vec<usize>,
    /// `Some((min, max))` for a variable-length expansion.
    pub var_length: Option<(u32, u32)>,
    /// The upper bound of `var_length` is `QueryOptions::max_var_length`
    /// (the pattern wrote none): a match that would extend past it is an
    /// error naming the bound, never silently left out.
    pub max_is_limit: bool,
    /// Variable length, expanded right to left: reverse the list to keep pattern order.
    pub reverse_list: bool,
    /// Only distinct endpoints matter (a DISTINCT follows and nothing reads
    /// the relationships): find reachable nodes by BFS instead of every path.
    pub distinct_endpoints: bool,
    /// Emit one row per input row with the number of matches in this slot
    /// instead of one row per match (a `count(*)` follows and nothing reads
    /// the relationship or the target).
    pub count_into: Option<usize>,
    /// A fused cycle-closing expansion: the bound-endpoint expansion (an
    /// `ExpandInto`) that followed this one and joins this one's target to
    /// a node bound before it. The targets come from intersecting the two
    /// nodes' sorted adjacency lists instead of probing the second list
    /// once per match of the first. In counting mode (`count_into`, the
    /// same slot in both) the pairs are counted; otherwise each pair is
    /// one row binding both relationships.
    pub closing: Option<Box<Expand>>,
    /// A list of relationship ids that holds every relationship a match
    /// may bind (`WHERE id(r) IN list` or `id(r) = x`): the expansion
    /// reads the listed relationships instead of the node's adjacency
    /// when they are fewer. Single hops only.
    pub rel_ids: Option<Box<RelIdList>>,
    /// For a variable-length expansion of at most two hops into a bound
    /// node: which of the run's trail caches (`RunTables::trails`) keeps
    /// the trails into that node when it repeats across rows.
    pub trails: Option<u32>,
    /// For one hop between bound nodes without checks that depend on the
    /// row: which of the run's hop caches (`RunTables::hops`) lists the
    /// relationships of an end that repeats across rows.
    pub hops: Option<u32>,
    /// Properties of the node a single hop binds that the operators after
    /// it read, read where the node is found, with its chunk's columns
    /// kept (`NodeProbe`), into these slots; those operators read the
    /// slots instead (`optimize::rewrite::hoist_target_reads`).
    pub target_reads: Vec<(NameRef<PropKeyId>, usize)>,
    /// Planner's estimate of the rows after it: per input row of its
    /// MATCH, or of all rows where that MATCH directly follows another.
    pub estimate: Option<f64>,
}

impl Expand {
    /// True for a single hop that binds a new node, one row per match (not
    /// into a bound node, of variable length, closing a cycle or
    /// counting): the hop that checks its target's comparisons and reads
    /// its properties where it finds it.
    pub(crate) fn finds_new_node(&self) -> bool {
        !self.to_bound
            && self.var_length.is_none()
            && self.closing.is_none()
            && self.count_into.is_none()
    }

    /// A plain outgoing hop from slot `from` over no type to a new node,
    /// with nothing else set: what unit tests start from.
    #[cfg(test)]
    pub(crate) fn plain(from: usize, rel: usize, to: usize) -> Expand {
        Expand {
            from,
            rel,
            to,
            from_var: "a".into(),
            rel_var: "r".into(),
            to_var: "b".into(),
            types: vec![],
            dir: Dir::Out,
            to_bound: false,
            rel_bound: false,
            to_labels: vec![],
            rel_props: vec![],
            unique_with: vec![],
            var_length: None,
            max_is_limit: false,
            reverse_list: false,
            distinct_endpoints: false,
            count_into: None,
            closing: None,
            rel_ids: None,
            trails: None,
            hops: None,
            target_reads: Vec::new(),
            estimate: None,
        }
    }

    /// True for one hop between two bound nodes whose matches do not
    /// depend on the rest of the row (no bound relationship, relationship
    /// properties, uniqueness against other relationships or id list):
    /// what a run's [`HopCache`](crate::tables::HopCache) can answer.
    pub(crate) fn one_hop_between_bound(&self) -> bool {
        self.to_bound
            && self.var_length.is_none()
            && !self.rel_bound
            && self.rel_props.is_empty()
            && self.unique_with.is_empty()
            && self.rel_ids.is_none()
            && self.closing.is_none()
            && self.count_into.is_none()
    }
}

/// An OPTIONAL MATCH answered by a join instead of a search per row
/// (decorrelated): `ops` match the pattern with only `params` bound
/// (outer variables the optimizer expects to hold one value, `me`), so
/// they bind the `keys` (outer nodes that change from row to row, a
/// company) themselves; their rows are kept once per run, by the keys'
/// values, in `RunTables::optionals[table]`, and each incoming row takes
/// those with its own keys. A row whose params differ from those the rows
/// were kept for is matched by the correlated operators instead.
#[derive(Clone, Debug)]
pub(crate) struct OptionalMemo {
    pub ops: Vec<Op>,
    pub params: Vec<usize>,
    pub keys: Vec<usize>,
    pub table: usize,
}

/// The relationship id list of an [`Expand`].
#[derive(Clone, Debug)]
pub(crate) struct RelIdList {
    /// The list, evaluated per input row unless `index` is set.
    pub list: CExpr,
    /// For a list that reads no row (a constant, a parameter): which of
    /// the run's tables (`Ctx::rel_lists`) holds it indexed by end node,
    /// built once per run, so each node finds its listed relationships
    /// without scanning the list.
    pub index: Option<usize>,
}

/// BFS for shortest paths between two bound nodes.
#[derive(Clone, Debug)]
pub(crate) struct ShortestPath {
    pub from: usize,
    pub to: usize,
    pub path_slot: usize,
    pub rel_slot: Option<usize>,
    pub types: Vec<NameRef<RelTypeId>>,
    pub dir: Dir,
    pub min: u32,
    pub max: u32,
    pub all: bool,
    pub rel_props: Vec<(NameRef<PropKeyId>, CExpr)>,
}

/// One relationship segment of a path being assembled.
#[derive(Clone, Debug)]
pub(crate) enum PathStep {
    /// A single relationship slot, then the node slot after it.
    Single(usize, usize),
    /// A relationship-list slot (variable length), then the node slot after it.
    Var(usize, usize),
}

/// An aggregate to compute: function name, DISTINCT, argument, extra
/// (constant) arguments, output slot.
#[derive(Clone, Debug)]
pub(crate) struct AggSpec {
    pub name: Arc<str>,
    pub distinct: bool,
    /// `None` for `count(*)`.
    pub arg: Option<CExpr>,
    pub extra: Vec<Value>,
    pub slot: usize,
    pub text: String,
}

/// Properties to write: a literal map compiled key by key, or an expression
/// that must produce a map; each with the span a bad value is reported at.
#[derive(Clone, Debug)]
pub(crate) enum PropsSpec {
    None,
    Literal(Vec<(Arc<str>, CExpr, Span)>),
    Expr(CExpr, Span),
}

/// A node of a CREATE / MERGE pattern.
#[derive(Clone, Debug)]
pub(crate) struct CreateNode {
    pub slot: usize,
    pub var: String,
    /// Bound before the clause: reuse, do not create.
    pub bound: bool,
    pub labels: Vec<Arc<str>>,
    pub props: PropsSpec,
}

/// A relationship of a CREATE / MERGE pattern.
#[derive(Clone, Debug)]
pub(crate) struct CreateRel {
    pub slot: usize,
    pub var: String,
    pub rel_type: Arc<str>,
    pub src: usize,
    pub dst: usize,
    pub props: PropsSpec,
}

/// A path variable to assemble from slots.
#[derive(Clone, Debug)]
pub(crate) struct BuildPath {
    pub slot: usize,
    pub start: usize,
    pub steps: Vec<PathStep>,
}

/// What CREATE (or MERGE's create branch) makes.
#[derive(Clone, Debug)]
pub(crate) struct CreatePattern {
    pub nodes: Vec<CreateNode>,
    pub rels: Vec<CreateRel>,
    pub paths: Vec<BuildPath>,
}

/// A compiled SET / REMOVE item.
#[derive(Clone, Debug)]
pub(crate) enum SetOp {
    /// `n.key = value` (`REMOVE n.key`: the value is null). `span` is the
    /// item's, where an error setting it is reported.
    Property {
        target: CExpr,
        key: Arc<str>,
        value: CExpr,
        span: Span,
    },
    /// `n = map` (replace) or `n += map` (merge).
    Properties {
        target: CExpr,
        value: CExpr,
        merge: bool,
        span: Span,
    },
    AddLabels {
        target: CExpr,
        labels: Vec<Arc<str>>,
        span: Span,
    },
    RemoveLabels {
        target: CExpr,
        labels: Vec<Arc<str>>,
        span: Span,
    },
}

/// MERGE: match the pattern, or create it.
#[derive(Clone, Debug)]
pub(crate) struct MergeOp {
    pub matcher: SubPlan,
    pub create: CreatePattern,
    pub on_create: Vec<SetOp>,
    pub on_match: Vec<SetOp>,
    /// Slots the pattern binds (reset between attempts).
    pub new_slots: Vec<usize>,
}

/// A planned `CALL`: for each incoming row, evaluate `args`, run the
/// procedure, and bind output column `i` to slot `s` for each `(i, s)` in
/// `yields`.
#[derive(Clone, Debug)]
pub(crate) struct ProcedureCall {
    /// The procedure's position in the registry (`procedures::procedures`),
    /// where the binder found it.
    pub index: usize,
    /// Its name.
    pub name: &'static str,
    /// One expression per argument of the signature (defaults filled in).
    pub args: Vec<CExpr>,
    pub yields: Vec<(usize, usize)>,
}

/// A physical operator.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    NodeScan(NodeScan),
    Expand(Expand),
    ShortestPath(ShortestPath),
    /// Keeps rows for which the predicate is true; with the planner's
    /// estimate of the rows it keeps, when it made one.
    Filter(CExpr, Option<f64>),
    BuildPath(BuildPath),
    /// Left outer: rows from `ops`, or the input row (whose pattern slots are still null).
    Optional {
        ops: Vec<Op>,
        /// The same pattern matched once for the run and joined to each
        /// row, when the optimizer found that cheaper.
        memo: Option<Box<OptionalMemo>>,
    },
    Unwind {
        expr: CExpr,
        slot: usize,
        var: String,
        /// `UNWIND $name`: read the list from the parameters in place
        /// (a batch of rows is not copied into the plan).
        param: Option<String>,
    },
    /// Evaluates expressions into slots.
    Project {
        items: Vec<(CExpr, usize)>,
        names: Vec<String>,
    },
    Aggregate {
        keys: Vec<(CExpr, usize)>,
        aggs: Vec<AggSpec>,
        names: Vec<String>,
    },
    Distinct {
        slots: Vec<usize>,
    },
    /// ORDER BY; `limit` keeps only the first rows (top-k).
    Sort {
        keys: Vec<(CExpr, bool)>,
        limit: Option<usize>,
        names: Vec<String>,
    },
    Skip(usize),
    Limit(usize),
    Create(CreatePattern),
    Merge(Box<MergeOp>),
    Set(Vec<SetOp>),
    /// `[DETACH] DELETE`: each expression with its span.
    Delete {
        exprs: Vec<(CExpr, Span)>,
        detach: bool,
    },
    /// Joins each incoming row with the rows of an independent pattern
    /// part, computed once.
    HashJoin(Box<HashJoin>),
    /// `CALL`: a procedure's rows for each incoming row.
    Procedure(Box<ProcedureCall>),
    /// Final projection to the result columns.
    Produce {
        slots: Vec<usize>,
    },
}

impl Op {
    /// The planner's estimate of the rows after this operator, if it made one.
    pub(crate) fn estimate(&self) -> Option<f64> {
        match self {
            Op::NodeScan(s) => Some(s.estimate),
            Op::Expand(e) => e.estimate,
            Op::Filter(_, e) => *e,
            _ => None,
        }
    }

    /// True for operators that work row by row (can be fused into a parallel pipeline).
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            Op::NodeScan(_)
                | Op::Expand(_)
                | Op::ShortestPath(_)
                | Op::Filter(..)
                | Op::BuildPath(_)
                | Op::Optional { .. }
                | Op::HashJoin(_)
                | Op::Unwind { .. }
                | Op::Project { .. }
                | Op::Procedure(_)
        )
    }

    /// Calls `f` on every slot read by expressions of this operator.
    pub fn visit_slots(&self, f: &mut dyn FnMut(usize)) {
        match self {
            Op::NodeScan(s) => match &s.seek {
                Seek::IndexEq { value, .. } | Seek::NodeId(value) | Seek::NodeIds(value) => {
                    value.visit_slots(f)
                }
                Seek::IndexRange { lower, upper, .. } => {
                    if let Some((e, _)) = lower {
                        e.visit_slots(f);
                    }
                    if let Some((e, _)) = upper {
                        e.visit_slots(f);
                    }
                }
                _ => {}
            },
            Op::Expand(e) => {
                f(e.from);
                if e.to_bound {
                    f(e.to);
                }
                if e.rel_bound {
                    f(e.rel);
                }
                e.unique_with.iter().for_each(|s| f(*s));
                e.rel_props.iter().for_each(|(_, x)| x.visit_slots(f));
                if let Some(ids) = &e.rel_ids {
                    ids.list.visit_slots(f);
                }
                if let Some(inner) = &e.closing {
                    Op::Expand((**inner).clone()).visit_slots(f);
                }
            }
            Op::ShortestPath(s) => {
                f(s.from);
                f(s.to);
            }
            Op::Filter(e, _) => e.visit_slots(f),
            Op::BuildPath(p) => {
                f(p.start);
                for s in &p.steps {
                    match s {
                        PathStep::Single(a, b) | PathStep::Var(a, b) => {
                            f(*a);
                            f(*b);
                        }
                    }
                }
            }
            Op::Optional { ops, memo } => {
                ops.iter().for_each(|o| o.visit_slots(f));
                if let Some(m) = memo {
                    m.params.iter().chain(&m.keys).for_each(|s| f(*s));
                }
            }
            Op::HashJoin(j) => {
                j.build.iter().for_each(|o| o.visit_slots(f));
                j.probe_keys.iter().for_each(|e| e.visit_slots(f));
                j.probe_reads.iter().for_each(|(e, _)| e.visit_slots(f));
                j.distinct_rels.iter().for_each(|(_, l)| f(*l));
            }
            Op::Unwind { expr, .. } => expr.visit_slots(f),
            Op::Project { items, .. } => items.iter().for_each(|(e, _)| e.visit_slots(f)),
            Op::Procedure(c) => c.args.iter().for_each(|e| e.visit_slots(f)),
            _ => {}
        }
    }
}

/// A hash join. `build` matches a pattern part that shares no variable
/// with the rows flowing in (a comma-separated part of MATCH, or a MATCH
/// after WITH); it runs once per statement, and each incoming row is joined
/// with the build rows whose `build_keys` equal its `probe_keys` (every
/// build row when there are no keys: a Cartesian product computed once
/// instead of a scan per incoming row). The equality predicates that gave
/// the keys stay as filters after the join, so keys only need to bucket.
#[derive(Clone, Debug)]
pub(crate) struct HashJoin {
    pub build: Vec<Op>,
    pub build_keys: Vec<CExpr>,
    pub probe_keys: Vec<CExpr>,
    /// Slots the build side binds, copied into each joined row.
    pub slots: Vec<usize>,
    /// (build-side, incoming) relationship slots that must differ:
    /// relationship uniqueness across the two parts of one MATCH.
    pub distinct_rels: Vec<(usize, usize)>,
    /// Which of the running statement's join tables holds the build
    /// side's rows (`Ctx::joins`): run-time state stays out of the plan,
    /// so a prepared plan can run again on another snapshot.
    pub table: usize,
    /// Properties of the incoming row's nodes and relationships that the
    /// operators after the join read: read once per incoming row, before
    /// it is joined, into these slots (`optimize::rewrite::hoist_probe_reads`).
    pub probe_reads: Vec<(CExpr, usize)>,
    /// Slots of the incoming row the build side's filters read: variables
    /// the optimizer expects to hold one value for the whole run (`v` in
    /// `WHERE NOT (p)-[:CUSTOMER_OF]->(v)`), so the build is made once,
    /// from the first row, and kept with their values; a row whose values
    /// differ gets a build of its own.
    pub params: Vec<usize>,
}

impl HashJoin {
    /// The scan that starts the build side, and the operators after it.
    fn build_scan(&self) -> Option<(&NodeScan, &[Op])> {
        match self.build.split_first() {
            Some((Op::NodeScan(scan), rest)) => Some((scan, rest)),
            _ => None,
        }
    }

    /// The scan that starts the build side, where the build can run a
    /// morsel of its node ids at a time, its rows joined as they come
    /// instead of kept (`stream::product_scan`): a label or full scan
    /// followed only by operators that take each row alone (filters,
    /// projections, expansions, UNWIND).
    pub(crate) fn streamed_build(&self) -> Option<&NodeScan> {
        let (scan, rest) = self.build_scan()?;
        let by_morsels = matches!(scan.seek, Seek::All | Seek::Label(_));
        let row_by_row = rest.iter().all(|op| {
            matches!(
                op,
                Op::Filter(..) | Op::Project { .. } | Op::Expand(_) | Op::Unwind { .. }
            )
        });
        (by_morsels && row_by_row).then_some(scan)
    }

    /// The slot that holds a different value in every build row, if one
    /// does: the node of the scan that starts the build side (the build
    /// runs from one row, and a scan finds each node once), where every
    /// operator after it keeps or drops rows without repeating them and
    /// leaves the slot as it is (filters, projections of other slots,
    /// sorts, skips, limits, DISTINCT).
    pub(crate) fn distinct_build_slot(&self) -> Option<usize> {
        let (scan, rest) = self.build_scan()?;
        let keeps = |op: &Op| match op {
            Op::Filter(..) | Op::Sort { .. } | Op::Skip(_) | Op::Limit(_) => true,
            Op::Distinct { .. } => true,
            Op::Project { items, .. } => items.iter().all(|(e, out)| {
                *out != scan.slot || matches!(e, CExpr::Slot(s) if *s == scan.slot)
            }),
            _ => false,
        };
        rest.iter().all(keeps).then_some(scan.slot)
    }
}

/// Follows a set of slots whose values have some property through
/// projection `items`: an item's output slot is in the set afterwards iff
/// `has` says its expression gives such a value, judged on the set as it
/// was before the projection (every item reads the row before it).
pub(crate) fn project_slot_set(
    items: &[(CExpr, usize)],
    set: &mut HashSet<usize>,
    has: impl Fn(&CExpr, &HashSet<usize>) -> bool,
) {
    let outs: Vec<(usize, bool)> = items.iter().map(|(e, out)| (*out, has(e, set))).collect();
    for (out, holds) in outs {
        if holds {
            set.insert(out);
        } else {
            set.remove(&out);
        }
    }
}

/// A compiled single query (one part of a UNION).
#[derive(Clone, Debug)]
pub(crate) struct SinglePlan {
    pub ops: Vec<Op>,
    pub width: usize,
    pub columns: Vec<String>,
}

/// A compiled statement.
#[derive(Clone, Debug)]
pub(crate) enum Plan {
    /// One or more single queries; `distinct` unions remove duplicates.
    Query {
        parts: Vec<SinglePlan>,
        union_distinct: bool,
        /// How many run-time tables the parts' operators number.
        tables: TableCounts,
    },
    /// A schema command.
    Schema(relgraph_cypher::ast::SchemaCommand),
}

/// Per-operator rows and time for PROFILE.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpProfile {
    pub rows: usize,
    pub time: std::time::Duration,
}
