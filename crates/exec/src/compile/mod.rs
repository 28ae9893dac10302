//! The binder and planner: turns an AST statement into a [`Plan`].
//!
//! Binding and planning are one pass over the clauses: each clause's
//! variables get row slots, expressions are compiled against the scope,
//! and the clause appends its operators to the pipeline.

pub(crate) mod expr;
pub(crate) mod pattern;
pub(crate) mod scope;
mod writes;

use std::collections::{BTreeMap, HashMap, HashSet};

use relgraph_cypher::ast::{
    Clause, Expr, ExprKind, Projection, SchemaCommand, SingleQuery, Statement, StatementKind,
};
use relgraph_graph::{Catalog, Snapshot, Value};

use self::expr::{contains_aggregate, normalized, AggCollect, AggMode};
use self::scope::{Scope, VarKind};
use crate::error::{ErrorKind, ExecError, Result};
use crate::optimize::Optimizer;
use crate::plan::logical::{LogicalOp, LogicalQuery};
use crate::plan::{CExpr, Op, Plan, SinglePlan};

/// Compiles statements against one snapshot's catalog and statistics.
pub(crate) struct Compiler<'a> {
    pub catalog: &'a Catalog,
    pub snapshot: &'a Snapshot,
    pub params: &'a BTreeMap<String, Value>,
    pub max_var_length: u32,
    /// Slots allocated so far in the current single query.
    pub width: usize,
    /// While compiling MERGE's create branch: slots the pattern declares.
    pub merge_new: HashSet<usize>,
    /// While compiling MERGE's create branch: slots of anonymous elements by span.
    pub merge_anon: HashMap<(usize, usize), usize>,
    /// Orders the patterns the binder leaves and numbers the statement's
    /// run-time tables.
    pub opt: Optimizer<'a>,
    /// Parameters read when the plan runs instead of folded into it as
    /// constants: a prepared plan runs with new values of these.
    pub late_params: &'a [String],
    /// The labels a node slot was first matched with: a later MATCH that
    /// names the node without labels is estimated from them.
    pub matched_labels: HashMap<usize, Vec<String>>,
}

impl<'a> Compiler<'a> {
    pub fn new(
        snapshot: &'a Snapshot,
        params: &'a BTreeMap<String, Value>,
        max_var_length: u32,
    ) -> Self {
        Compiler {
            catalog: snapshot.catalog(),
            snapshot,
            params,
            max_var_length,
            width: 0,
            merge_new: HashSet::new(),
            merge_anon: HashMap::new(),
            opt: Optimizer::new(snapshot),
            late_params: &[],
            matched_labels: HashMap::new(),
        }
    }

    /// A fresh row slot.
    pub fn alloc(&mut self) -> usize {
        self.width += 1;
        self.width - 1
    }

    /// Compiles a whole statement.
    pub fn compile(&mut self, stmt: &Statement) -> Result<Plan> {
        match &stmt.kind {
            StatementKind::Schema(s) => Ok(Plan::Schema(s.clone())),
            StatementKind::Query(q) => {
                let mut parts = vec![self.single(&q.first)?];
                let mut union_distinct = false;
                let mut kinds = HashSet::new();
                for (all, sq) in &q.unions {
                    kinds.insert(*all);
                    union_distinct |= !*all;
                    let p = self.single(sq)?;
                    if p.columns != parts[0].columns {
                        return Err(ExecError::semantic(
                            "DifferentColumnsInUnion",
                            "all parts of a UNION must return the same column names",
                            Some(sq.span),
                        ));
                    }
                    parts.push(p);
                }
                if kinds.len() > 1 {
                    return Err(ExecError::semantic(
                        "InvalidClauseComposition",
                        "UNION and UNION ALL cannot be mixed",
                        None,
                    ));
                }
                Ok(Plan::Query {
                    parts,
                    union_distinct,
                    tables: self.opt.tables,
                })
            }
        }
    }

    /// Binds and optimizes one part of a UNION.
    fn single(&mut self, q: &SingleQuery) -> Result<SinglePlan> {
        let logical = self.bind_single(q)?;
        Ok(self.opt.optimize(logical))
    }

    /// Binds one part of a UNION: its clauses in order, each MATCH as a
    /// pattern for the optimizer to order.
    fn bind_single(&mut self, q: &SingleQuery) -> Result<LogicalQuery> {
        self.width = 0;
        self.matched_labels.clear();
        let mut scope = Scope::default();
        let mut ops = Vec::new();
        let mut out = Vec::new();
        let mut columns = Vec::new();
        let n = q.clauses.len();
        let mut has_write = false;
        for (i, clause) in q.clauses.iter().enumerate() {
            let last = i + 1 == n;
            match clause {
                Clause::Match(m) => {
                    let bound = self.bind_match(&m.pattern, m.where_.as_ref(), &mut scope)?;
                    let clause = LogicalOp::Match(bound);
                    out.extend(ops.drain(..).map(LogicalOp::Op));
                    out.push(if m.optional {
                        LogicalOp::Optional(vec![clause])
                    } else {
                        clause
                    });
                }
                Clause::Unwind(u) => {
                    let param = match &u.expr.kind {
                        ExprKind::Parameter(name) if self.params.contains_key(name) => {
                            Some(name.clone())
                        }
                        _ => None,
                    };
                    let e = match param {
                        Some(_) => CExpr::Const(Value::Null),
                        None => self.expr(&u.expr, &scope, &mut AggMode::Forbidden("UNWIND"))?,
                    };
                    let slot = self.alloc();
                    scope.bind(&u.variable.name, slot, VarKind::Value, u.variable.span)?;
                    ops.push(Op::Unwind {
                        expr: e,
                        slot,
                        var: u.variable.name.clone(),
                        param,
                    });
                }
                Clause::With(p) => {
                    self.projection(p, &mut scope, &mut ops, false)?;
                }
                Clause::Return(p) => {
                    if !last {
                        return Err(ExecError::semantic(
                            "InvalidClauseComposition",
                            "RETURN must be the last clause",
                            Some(p.span),
                        ));
                    }
                    let cols = self.projection(p, &mut scope, &mut ops, true)?;
                    let slots = cols.iter().map(|(_, s)| *s).collect();
                    columns = cols.into_iter().map(|(c, _)| c).collect();
                    ops.push(Op::Produce { slots });
                }
                Clause::Create(c) => {
                    has_write = true;
                    let op = self.create(c, &mut scope)?;
                    ops.push(op);
                }
                Clause::Merge(m) => {
                    has_write = true;
                    let op = self.merge(m, &mut scope)?;
                    ops.push(op);
                }
                Clause::Set(s) => {
                    has_write = true;
                    let op = self.set(s, &scope)?;
                    ops.push(op);
                }
                Clause::Remove(r) => {
                    has_write = true;
                    let op = self.remove(r, &scope)?;
                    ops.push(op);
                }
                Clause::Delete(d) => {
                    has_write = true;
                    let mut exprs = Vec::new();
                    for e in &d.exprs {
                        match &e.kind {
                            ExprKind::HasLabels(..) => return Err(ExecError::semantic(
                                "InvalidDelete",
                                "DELETE takes nodes, relationships or paths; use REMOVE for labels",
                                Some(e.span),
                            )),
                            ExprKind::Variable(_)
                            | ExprKind::Property(..)
                            | ExprKind::Index(..)
                            | ExprKind::FunctionCall { .. }
                            | ExprKind::Literal(relgraph_cypher::ast::Literal::Null)
                            | ExprKind::Parameter(_)
                            | ExprKind::Case { .. } => {}
                            _ => {
                                return Err(ExecError::semantic(
                                    "InvalidArgumentType",
                                    "DELETE needs a node, relationship or path expression",
                                    Some(e.span),
                                ))
                            }
                        }
                        exprs.push((
                            self.expr(e, &scope, &mut AggMode::Forbidden("DELETE"))?,
                            e.span,
                        ));
                    }
                    ops.push(Op::Delete {
                        exprs,
                        detach: d.detach,
                    });
                }
                Clause::Call(c) => {
                    let standalone = n == 1;
                    let cols = self.call(c, &mut scope, &mut ops, standalone)?;
                    if standalone {
                        ops.push(Op::Produce {
                            slots: cols.iter().map(|(_, s)| *s).collect(),
                        });
                        columns = cols.into_iter().map(|(c, _)| c).collect();
                        break;
                    }
                }
            }
            if last && !matches!(clause, Clause::Return(_)) && !has_write {
                return Err(ExecError::semantic(
                    "InvalidClauseComposition",
                    "a query must end with RETURN or an updating clause",
                    Some(q.span),
                ));
            }
        }
        out.extend(ops.into_iter().map(LogicalOp::Op));
        Ok(LogicalQuery {
            ops: out,
            width: self.width,
            columns,
            matched_labels: std::mem::take(&mut self.matched_labels),
        })
    }

    /// WITH / RETURN. Returns the projected (column, slot) pairs and replaces `scope`.
    fn projection(
        &mut self,
        p: &Projection,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
        is_return: bool,
    ) -> Result<Vec<(String, usize)>> {
        let items = projection_items(p, scope, is_return)?;
        let (out, new_scope) = if items.iter().any(|(e, _)| contains_aggregate(e)) {
            self.grouping_projection(p, scope, ops, &items)?
        } else {
            self.plain_projection(p, scope, ops, &items)?
        };
        if let Some(w) = &p.where_ {
            let c = self.expr(w, &new_scope, &mut AggMode::Forbidden("WHERE"))?;
            ops.push(Op::Filter(c, None));
        }
        *scope = new_scope;
        Ok(out)
    }

    /// A projection without aggregates: each item computed into a slot (a
    /// variable keeps its own), then DISTINCT and ORDER BY / SKIP / LIMIT.
    /// Returns the columns and the scope after it.
    fn plain_projection(
        &mut self,
        p: &Projection,
        scope: &Scope,
        ops: &mut Vec<Op>,
        items: &[(Expr, String)],
    ) -> Result<(Vec<(String, usize)>, Scope)> {
        let mut new_scope = Scope::default();
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut proj = Vec::new();
        let mut names = Vec::new();
        for (e, name) in items {
            let kind = Self::kind_of(e, scope);
            let slot = match &e.kind {
                ExprKind::Variable(v) if scope.get(v).is_some() => {
                    scope.get(v).map(|b| b.slot).unwrap_or(0)
                }
                _ => {
                    let c = self.expr(e, scope, &mut AggMode::Forbidden("this projection"))?;
                    let slot = self.alloc();
                    proj.push((c, slot));
                    names.push(name.clone());
                    slot
                }
            };
            new_scope.set(name, slot, kind);
            out.push((name.clone(), slot));
        }
        if !proj.is_empty() {
            ops.push(Op::Project { items: proj, names });
        }
        if p.distinct {
            ops.push(Op::Distinct {
                slots: out.iter().map(|(_, s)| *s).collect(),
            });
        }
        // ORDER BY sees the projected names and, without DISTINCT, the old variables.
        let base = if p.distinct {
            Scope::default()
        } else {
            scope.clone()
        };
        let order_scope = with_columns(base, &out, &new_scope);
        let keys = self.order_keys(p, items, &out, |c, e| {
            if contains_aggregate(e) {
                return Err(ExecError::semantic(
                    "InvalidAggregation",
                    "ORDER BY cannot aggregate when the projection does not",
                    Some(e.span),
                ));
            }
            c.expr(e, &order_scope, &mut AggMode::Forbidden("ORDER BY"))
        })?;
        self.order_skip_limit(p, keys, ops)?;
        Ok((out, new_scope))
    }

    /// A projection with aggregates: the items without one are the
    /// grouping keys, computed before the `Aggregate`; the others are
    /// computed after it from the keys and the aggregates they hold.
    /// Returns the columns and the scope after it.
    fn grouping_projection(
        &mut self,
        p: &Projection,
        scope: &Scope,
        ops: &mut Vec<Op>,
        items: &[(Expr, String)],
    ) -> Result<(Vec<(String, usize)>, Scope)> {
        let item_norms: Vec<String> = items.iter().map(|(e, _)| normalized(e)).collect();
        let mut collect = AggCollect {
            inner: scope.clone(),
            keys: Vec::new(),
            specs: Vec::new(),
        };
        let mut key_ops = Vec::new();
        let mut post_scope = Scope::default();
        for (i, (e, _)) in items.iter().enumerate() {
            if contains_aggregate(e) {
                continue;
            }
            let c = self.expr(e, scope, &mut AggMode::Forbidden("a grouping key"))?;
            let slot = match (&e.kind, &c) {
                (ExprKind::Variable(_), CExpr::Slot(s)) => *s,
                _ => self.alloc(),
            };
            let kind = Self::kind_of(e, scope);
            if let ExprKind::Variable(v) = &e.kind {
                post_scope.set(v, slot, kind);
            }
            collect.keys.push((item_norms[i].clone(), slot));
            key_ops.push((c, slot));
        }
        // Aggregate items, evaluated after grouping.
        let mut new_scope = Scope::default();
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut proj = Vec::new();
        let mut names = Vec::new();
        for (i, (e, name)) in items.iter().enumerate() {
            let (slot, kind) = if contains_aggregate(e) {
                let c = self.expr(e, &post_scope, &mut AggMode::Collect(&mut collect))?;
                match c {
                    // An item that is one aggregate (`count(t) AS
                    // tickets`) is the aggregate's slot: no copy of it
                    // per group. A second item of the same aggregate is
                    // copied, so that columns keep slots of their own.
                    CExpr::Slot(a)
                        if collect.specs.iter().any(|s| s.slot == a)
                            && !out.iter().any(|(_, o)| *o == a) =>
                    {
                        (a, VarKind::Value)
                    }
                    c => {
                        let slot = self.alloc();
                        proj.push((c, slot));
                        names.push(name.clone());
                        (slot, VarKind::Value)
                    }
                }
            } else {
                let (_, slot) = collect
                    .keys
                    .iter()
                    .find(|(k, _)| *k == item_norms[i])
                    .cloned()
                    .unwrap_or_default();
                (slot, Self::kind_of(e, scope))
            };
            new_scope.set(name, slot, kind);
            out.push((name.clone(), slot));
        }
        // ORDER BY: projected names, grouping variables, more aggregates.
        let order_scope = with_columns(post_scope, &out, &new_scope);
        let keys = self.order_keys(p, items, &out, |c, e| {
            if p.distinct && contains_aggregate(e) {
                return Err(ExecError::semantic(
                    "InvalidAggregation",
                    "ORDER BY after DISTINCT can only use projected items",
                    Some(e.span),
                ));
            }
            c.expr(e, &order_scope, &mut AggMode::Collect(&mut collect))
        })?;
        let key_names = items
            .iter()
            .filter(|(e, _)| !contains_aggregate(e))
            .map(|(_, n)| n.clone())
            .collect();
        ops.push(Op::Aggregate {
            keys: key_ops,
            aggs: collect.specs,
            names: key_names,
        });
        if !proj.is_empty() {
            ops.push(Op::Project { items: proj, names });
        }
        if p.distinct {
            ops.push(Op::Distinct {
                slots: out.iter().map(|(_, s)| *s).collect(),
            });
        }
        self.order_skip_limit(p, keys, ops)?;
        Ok((out, new_scope))
    }

    /// The sort keys of `p`'s ORDER BY: an item's column when the key is
    /// one of the `items` (`out` holds their slots), else what `other`
    /// compiles it to.
    fn order_keys(
        &mut self,
        p: &Projection,
        items: &[(Expr, String)],
        out: &[(String, usize)],
        mut other: impl FnMut(&mut Self, &Expr) -> Result<CExpr>,
    ) -> Result<Vec<(CExpr, bool)>> {
        let item_norms: Vec<String> = items.iter().map(|(e, _)| normalized(e)).collect();
        let mut keys = Vec::new();
        for s in &p.order_by {
            let norm = normalized(&s.expr);
            let c = match item_norms.iter().position(|n| *n == norm) {
                Some(i) => CExpr::Slot(out[i].1),
                None => other(self, &s.expr)?,
            };
            keys.push((c, s.descending));
        }
        Ok(keys)
    }

    fn order_skip_limit(
        &mut self,
        p: &Projection,
        keys: Vec<(CExpr, bool)>,
        ops: &mut Vec<Op>,
    ) -> Result<()> {
        let skip = match &p.skip {
            Some(e) => Some(self.const_count(e, "SKIP")?),
            None => None,
        };
        let limit = match &p.limit {
            Some(e) => Some(self.const_count(e, "LIMIT")?),
            None => None,
        };
        if !keys.is_empty() {
            let top = limit.map(|l| l.saturating_add(skip.unwrap_or(0)));
            let names = p.order_by.iter().map(|s| normalized(&s.expr)).collect();
            ops.push(Op::Sort {
                keys,
                limit: top,
                names,
            });
        }
        if let Some(s) = skip {
            if s > 0 {
                ops.push(Op::Skip(s));
            }
        }
        if let Some(l) = limit {
            ops.push(Op::Limit(l));
        }
        Ok(())
    }

    /// A SKIP / LIMIT argument: a constant non-negative integer.
    /// Its parameters are folded even when late: the count shapes the plan.
    fn const_count(&mut self, e: &Expr, what: &'static str) -> Result<usize> {
        let late = std::mem::take(&mut self.late_params);
        let c = self.expr(e, &Scope::default(), &mut AggMode::Forbidden(what));
        self.late_params = late;
        let c = match c {
            Ok(c) => c,
            Err(err)
                if matches!(
                    err.kind(),
                    ErrorKind::Semantic {
                        detail: "UndefinedVariable",
                        ..
                    }
                ) =>
            {
                return Err(ExecError::semantic(
                    "NonConstantExpression",
                    format!("{what} must be a constant expression"),
                    Some(e.span),
                ))
            }
            Err(other) => return Err(other),
        };
        let v = match c {
            CExpr::Const(v) => v,
            other => crate::eval::eval_const(&other, self.snapshot)?,
        };
        match v {
            Value::Int(i) if i >= 0 => Ok(i as usize),
            Value::Int(_) => Err(ExecError::semantic(
                "NegativeIntegerArgument",
                format!("{what} must be a non-negative integer"),
                Some(e.span),
            )),
            Value::Float(f)
                if f.fract() == 0.0 && f >= 0.0 && matches!(e.kind, ExprKind::Parameter(_)) =>
            {
                Ok(f as usize)
            }
            _ => Err(ExecError::semantic(
                "InvalidArgumentType",
                format!("{what} must be an integer"),
                Some(e.span),
            )),
        }
    }
}

/// True if the statement may change the graph or the schema.
///
/// ```
/// # use relgraph_cypher::ast::*;
/// let stmt = Statement {
///     mode: QueryMode::Normal,
///     kind: StatementKind::Schema(SchemaCommand::ShowIndexes),
///     span: Span::default(),
/// };
/// assert!(relgraph_exec::is_read_only(&stmt));
/// ```
pub fn is_read_only(stmt: &Statement) -> bool {
    match &stmt.kind {
        StatementKind::Schema(s) => matches!(
            s,
            SchemaCommand::ShowIndexes | SchemaCommand::ShowConstraints
        ),
        StatementKind::Query(q) => std::iter::once(&q.first)
            .chain(q.unions.iter().map(|(_, s)| s))
            .all(|s| {
                s.clauses.iter().all(|c| {
                    matches!(
                        c,
                        Clause::Match(_)
                            | Clause::Unwind(_)
                            | Clause::With(_)
                            | Clause::Return(_)
                            | Clause::Call(_)
                    )
                })
            }),
    }
}

/// The items of a projection as (expression, column name): `*` first
/// (every visible variable, sorted), then the listed ones. WITH items
/// other than variables need an alias; two columns may not share a name.
fn projection_items(p: &Projection, scope: &Scope, is_return: bool) -> Result<Vec<(Expr, String)>> {
    let mut items: Vec<(Expr, String)> = Vec::new();
    if p.star {
        if scope.is_empty() {
            return Err(ExecError::semantic(
                "NoVariablesInScope",
                "RETURN * / WITH * needs at least one variable in scope",
                Some(p.span),
            ));
        }
        for v in scope.visible_sorted() {
            items.push((
                Expr {
                    kind: ExprKind::Variable(v.name.clone()),
                    span: p.span,
                },
                v.name,
            ));
        }
    }
    for it in &p.items {
        let name = match &it.alias {
            Some(a) => a.name.clone(),
            None => {
                if !is_return && !matches!(it.expr.kind, ExprKind::Variable(_)) {
                    return Err(ExecError::semantic(
                        "NoExpressionAlias",
                        "expressions in WITH must be aliased (use AS)",
                        Some(it.span),
                    ));
                }
                it.text.clone()
            }
        };
        if items.iter().any(|(_, n)| *n == name) {
            return Err(ExecError::semantic(
                "ColumnNameConflict",
                format!("multiple result columns with the same name `{name}`"),
                Some(it.span),
            ));
        }
        items.push((it.expr.clone(), name));
    }
    Ok(items)
}

/// `base` with the projection's columns `out` added under their names
/// (with the kinds `new_scope` gives them): what ORDER BY sees.
fn with_columns(mut base: Scope, out: &[(String, usize)], new_scope: &Scope) -> Scope {
    for (name, slot) in out {
        let kind = new_scope
            .get(name)
            .map(|v| v.kind)
            .unwrap_or(VarKind::Value);
        base.set(name, *slot, kind);
    }
    base
}
