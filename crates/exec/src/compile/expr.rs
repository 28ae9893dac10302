//! Expression binding: variables to slots, parameters to constants,
//! aggregates to the slots the aggregation operator fills.

use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, Expr, ExprKind, Literal, MapProjectionItem};
use relgraph_graph::Value;

use super::scope::{Scope, VarKind};
use super::Compiler;
use crate::error::{ErrorKind, ExecError, Result};
use crate::functions;
use crate::plan::{AggSpec, CExpr, InList, MapProjItem, NameRef, SubPlan};
use crate::value_ops::{InSet, IN_SET_MIN};

/// How aggregate function calls are treated while compiling an expression.
pub(crate) enum AggMode<'s> {
    /// Not allowed here; the string names the place for the error message.
    Forbidden(&'static str),
    /// Post-aggregation: aggregates become slots of `specs`; sub-expressions
    /// equal to a grouping key read the key's slot.
    Collect(&'s mut AggCollect),
}

/// State of compiling the items of an aggregating projection.
pub(crate) struct AggCollect {
    /// The scope before the projection (where aggregate arguments live).
    pub inner: Scope,
    /// Grouping keys: normalized expression text and output slot.
    pub keys: Vec<(String, usize)>,
    /// Aggregates found so far.
    pub specs: Vec<AggSpec>,
}

/// The expression's text with spans removed, for structural equality
/// (`RETURN n.x ... ORDER BY n.x` must find the projected `n.x`). The AST
/// carries spans everywhere, so comparing a span-free rendering is the
/// cheapest equality that ignores positions.
pub(crate) fn normalized(e: &Expr) -> String {
    let dbg = format!("{:?}", e.kind);
    let mut out = String::with_capacity(dbg.len());
    let bytes = dbg.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if dbg[i..].starts_with("Span { start: ") {
            if let Some(end) = dbg[i..].find('}') {
                out.push_str("Span");
                i += end + 1;
                continue;
            }
        }
        let ch = dbg[i..]
            .chars()
            .next()
            .expect("index is on a char boundary");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// True if the expression contains an aggregate call (outside nested
/// comprehension subqueries, which openCypher also counts).
pub(crate) fn contains_aggregate(e: &Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| {
        if matches!(x.kind, ExprKind::CountStar) {
            found = true;
        }
        if let ExprKind::FunctionCall { name, .. } = &x.kind {
            if functions::is_aggregate(name) {
                found = true;
            }
        }
    });
    found
}

/// Visits `e` and all sub-expressions.
pub(crate) fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    use ExprKind::*;
    match &e.kind {
        Literal(_) | Parameter(_) | Variable(_) | CountStar => {}
        List(xs) => xs.iter().for_each(|x| walk(x, f)),
        Map(xs) => xs.iter().for_each(|(_, x)| walk(x, f)),
        Property(a, _) | HasLabels(a, _) | Unary(_, a) | IsNull(a, _) => walk(a, f),
        Binary(_, a, b) | Index(a, b) => {
            walk(a, f);
            walk(b, f);
        }
        Slice(a, b, c) => {
            walk(a, f);
            if let Some(b) = b {
                walk(b, f);
            }
            if let Some(c) = c {
                walk(c, f);
            }
        }
        FunctionCall { args, .. } => args.iter().for_each(|x| walk(x, f)),
        Case {
            subject,
            branches,
            default,
        } => {
            if let Some(s) = subject {
                walk(s, f);
            }
            for (a, b) in branches {
                walk(a, f);
                walk(b, f);
            }
            if let Some(d) = default {
                walk(d, f);
            }
        }
        ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            walk(list, f);
            if let Some(p) = predicate {
                walk(p, f);
            }
            if let Some(p) = projection {
                walk(p, f);
            }
        }
        PatternComprehension {
            predicate,
            projection,
            ..
        } => {
            if let Some(p) = predicate {
                walk(p, f);
            }
            walk(projection, f);
        }
        Quantifier {
            list, predicate, ..
        } => {
            walk(list, f);
            if let Some(p) = predicate {
                walk(p, f);
            }
        }
        Reduce {
            init, list, expr, ..
        } => {
            walk(init, f);
            walk(list, f);
            walk(expr, f);
        }
        PatternPredicate(_) | Exists(_) => {}
        MapProjection { items, .. } => {
            for i in items {
                if let MapProjectionItem::Literal(_, x) = i {
                    walk(x, f);
                }
            }
        }
    }
}

fn literal(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) => Value::String(Arc::from(s.as_str())),
    }
}

impl Compiler<'_> {
    /// Compiles an expression in `scope`, folding constant sub-expressions;
    /// a type error found while folding is a compile-time error, as
    /// openCypher requires for literals of the wrong type.
    pub(crate) fn expr(
        &mut self,
        e: &Expr,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        self.check_kinds(e, scope)?;
        let c = self.expr_inner(e, scope, mode)?;
        let foldable = match &c {
            CExpr::Binary(_, a, b, _) => a.is_const() && b.is_const(),
            CExpr::Unary(_, a, _) | CExpr::Property(a, _, _) | CExpr::IsNull(a, _) => a.is_const(),
            CExpr::Call(name, args, _) => {
                !args.is_empty()
                    && args.iter().all(CExpr::is_const)
                    && !functions::is_nondeterministic(name.name())
            }
            _ => false,
        };
        if !foldable {
            return Ok(c);
        }
        match crate::eval::eval_const(&c, self.snapshot).map_err(ExecError::into_kind) {
            Ok(v) => Ok(CExpr::Const(v)),
            Err(ErrorKind::Type { message, .. }) => Err(ExecError::semantic(
                "InvalidArgumentType",
                message,
                Some(e.span),
            )),
            // Other errors (division by zero, bad values) stay runtime errors.
            Err(_) => Ok(c),
        }
    }

    /// Static type checks on variables whose kind the binder knows.
    fn check_kinds(&self, e: &Expr, scope: &Scope) -> Result<()> {
        let kind_of_arg = |x: &Expr| match &x.kind {
            ExprKind::Variable(n) if scope.local(n).is_none() => scope.get(n).map(|v| v.kind),
            _ => None,
        };
        let bad = |what: String| {
            Err(ExecError::semantic(
                "InvalidArgumentType",
                what,
                Some(e.span),
            ))
        };
        match &e.kind {
            ExprKind::FunctionCall { name, args, .. } if args.len() == 1 => {
                let Some(k) = kind_of_arg(&args[0]) else {
                    return Ok(());
                };
                let ok = match name.to_ascii_lowercase().as_str() {
                    "labels" => matches!(k, VarKind::Node | VarKind::Value),
                    "type" | "startnode" | "endnode" => matches!(k, VarKind::Rel | VarKind::Value),
                    "length" | "nodes" | "relationships" => {
                        matches!(k, VarKind::Path | VarKind::Value)
                    }
                    "size" => !matches!(k, VarKind::Path | VarKind::Node | VarKind::Rel),
                    _ => true,
                };
                if !ok {
                    return bad(format!("{name}() cannot take a {}", k.name()));
                }
            }
            ExprKind::Property(base, key) => {
                if let Some(k @ (VarKind::Path | VarKind::RelList)) = kind_of_arg(base) {
                    return bad(format!(
                        "cannot read property `{}` of a {}",
                        key.name,
                        k.name()
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn expr_inner(&mut self, e: &Expr, scope: &Scope, mode: &mut AggMode<'_>) -> Result<CExpr> {
        if let AggMode::Collect(c) = mode {
            let norm = normalized(e);
            if let Some((_, slot)) = c.keys.iter().find(|(k, _)| *k == norm) {
                return Ok(CExpr::Slot(*slot));
            }
        }
        Ok(match &e.kind {
            ExprKind::Literal(l) => CExpr::Const(literal(l)),
            ExprKind::Parameter(name) => self.parameter(name, e)?,
            ExprKind::Variable(name) => variable(name, e, scope, mode)?,
            ExprKind::List(xs) => {
                let items = xs
                    .iter()
                    .map(|x| self.expr(x, scope, mode))
                    .collect::<Result<Vec<_>>>()?;
                fold_const_list(items)
            }
            ExprKind::Map(xs) => {
                let mut items = Vec::with_capacity(xs.len());
                for (k, x) in xs {
                    items.push((Arc::from(k.name.as_str()), self.expr(x, scope, mode)?));
                }
                CExpr::Map(items)
            }
            ExprKind::Property(base, key) => {
                let base = self.expr(base, scope, mode)?;
                CExpr::Property(b(base), NameRef::key(&key.name, self.catalog), e.span)
            }
            ExprKind::HasLabels(base, labels) => {
                let base = self.expr(base, scope, mode)?;
                CExpr::HasLabels(
                    b(base),
                    labels
                        .iter()
                        .map(|l| NameRef::label(&l.name, self.catalog))
                        .collect(),
                    e.span,
                )
            }
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l, scope, mode)?;
                let r = self.expr(r, scope, mode)?;
                binary(*op, l, r, e)
            }
            ExprKind::Unary(op, x) => CExpr::Unary(*op, b(self.expr(x, scope, mode)?), e.span),
            ExprKind::IsNull(x, not) => CExpr::IsNull(b(self.expr(x, scope, mode)?), *not),
            ExprKind::Index(a, i) => {
                let a = self.expr(a, scope, mode)?;
                let i = self.expr(i, scope, mode)?;
                CExpr::Index(b(a), b(i), e.span)
            }
            ExprKind::Slice(a, from, to) => {
                let a = self.expr(a, scope, mode)?;
                let from = self.optional(from.as_deref(), scope, mode)?;
                let to = self.optional(to.as_deref(), scope, mode)?;
                CExpr::Slice(b(a), from, to, e.span)
            }
            ExprKind::FunctionCall {
                name,
                distinct,
                args,
            } => return self.function_call(e, name, *distinct, args, scope, mode),
            ExprKind::CountStar => return self.aggregate(e, "count", false, &[], mode),
            ExprKind::Case {
                subject,
                branches,
                default,
            } => self.case(
                subject.as_deref(),
                branches,
                default.as_deref(),
                scope,
                mode,
            )?,
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => self.list_comprehension(
                &variable.name,
                list,
                predicate.as_deref(),
                projection.as_deref(),
                scope,
                mode,
            )?,
            ExprKind::Quantifier {
                kind,
                variable,
                list,
                predicate,
            } => self.quantifier(
                *kind,
                &variable.name,
                list,
                predicate.as_deref(),
                scope,
                mode,
            )?,
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => self.reduce(
                &accumulator.name,
                init,
                &variable.name,
                list,
                expr,
                scope,
                mode,
            )?,
            ExprKind::PatternPredicate(p) | ExprKind::Exists(p) => {
                CExpr::Exists(Arc::new(self.pattern_subplan(p, scope)?))
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => self.pattern_comprehension(
                e,
                variable.as_ref(),
                pattern,
                predicate.as_deref(),
                projection,
                scope,
            )?,
            ExprKind::MapProjection { variable, items } => {
                self.map_projection(variable, items, scope, mode)?
            }
        })
    }

    /// `$name`: its value folded in, or a late parameter read when the
    /// plan runs.
    fn parameter(&self, name: &str, e: &Expr) -> Result<CExpr> {
        match self.params.get(name) {
            Some(_) if self.late_params.iter().any(|p| p == name) => {
                Ok(CExpr::Param(Arc::from(name)))
            }
            Some(v) => Ok(CExpr::Const(v.clone())),
            None => Err(ExecError::semantic(
                "MissingParameter",
                format!("expected a parameter named ${name}"),
                Some(e.span),
            )),
        }
    }

    /// An optional sub-expression, compiled and boxed.
    fn optional(
        &mut self,
        x: Option<&Expr>,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<Option<Box<CExpr>>> {
        match x {
            Some(x) => Ok(Some(b(self.expr(x, scope, mode)?))),
            None => Ok(None),
        }
    }

    /// The parts of `[variable IN list WHERE predicate ...]`: the list, the
    /// scope with the variable, its local, and the predicate (no
    /// aggregates in it: `place` names it for the error).
    #[allow(clippy::type_complexity)]
    fn walk(
        &mut self,
        variable: &str,
        list: &Expr,
        predicate: Option<&Expr>,
        place: &'static str,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<(CExpr, Scope, usize, Option<Box<CExpr>>)> {
        let list = self.expr(list, scope, mode)?;
        let (inner, local) = scope.with_local(variable);
        let predicate = self.optional(predicate, &inner, &mut AggMode::Forbidden(place))?;
        Ok((list, inner, local, predicate))
    }

    /// A function call: an aggregate, `size()` of a pattern comprehension
    /// (counted), `exists()`, or a known scalar function with its arity
    /// checked.
    fn function_call(
        &mut self,
        e: &Expr,
        name: &str,
        distinct: bool,
        args: &[Expr],
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let lower = name.to_ascii_lowercase();
        if functions::is_aggregate(&lower) {
            return self.aggregate(e, &lower, distinct, args, mode);
        }
        if lower == "size" && args.len() == 1 {
            // A projection that cannot fail changes nothing about
            // the count: the matches are counted, not collected.
            if let ExprKind::PatternComprehension { projection, .. } = &args[0].kind {
                if matches!(
                    projection.kind,
                    ExprKind::Variable(_) | ExprKind::Literal(_) | ExprKind::Parameter(_)
                ) {
                    if let CExpr::PatternComp(plan, _) = self.expr(&args[0], scope, mode)? {
                        return Ok(CExpr::PatternCount(plan));
                    }
                }
            }
        }
        if lower == "exists" && args.len() == 1 {
            if let ExprKind::PatternPredicate(p) = &args[0].kind {
                return Ok(CExpr::Exists(Arc::new(self.pattern_subplan(p, scope)?)));
            }
            // exists(n.prop): true when the property is not null.
            let x = self.expr(&args[0], scope, mode)?;
            return Ok(CExpr::IsNull(b(x), true));
        }
        if !functions::is_known_scalar(&lower) {
            return Err(ExecError::semantic(
                "UnknownFunction",
                format!("unknown function `{name}`"),
                Some(e.span),
            ));
        }
        if distinct {
            return Err(ExecError::semantic(
                "InvalidArgumentType",
                format!("DISTINCT is only allowed in aggregate functions, not in `{name}`"),
                Some(e.span),
            ));
        }
        if let Some((lo, hi)) = functions::scalar_arity(&lower) {
            if args.len() < lo || args.len() > hi {
                return Err(ExecError::semantic(
                    "InvalidNumberOfArguments",
                    format!("`{name}` takes {lo}..={hi} arguments, got {}", args.len()),
                    Some(e.span),
                ));
            }
        }
        let args = args
            .iter()
            .map(|x| self.expr(x, scope, mode))
            .collect::<Result<Vec<_>>>()?;
        let f = functions::Scalar::resolve(&lower).ok_or_else(|| {
            ExecError::semantic(
                "UnknownFunction",
                format!("unknown function `{name}`"),
                Some(e.span),
            )
        })?;
        Ok(CExpr::Call(f, args, e.span))
    }

    fn case(
        &mut self,
        subject: Option<&Expr>,
        branches: &[(Expr, Expr)],
        default: Option<&Expr>,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let subject = self.optional(subject, scope, mode)?;
        let mut bs = Vec::with_capacity(branches.len());
        for (w, t) in branches {
            bs.push((self.expr(w, scope, mode)?, self.expr(t, scope, mode)?));
        }
        let default = self.optional(default, scope, mode)?;
        Ok(CExpr::Case {
            subject,
            branches: bs,
            default,
        })
    }

    fn list_comprehension(
        &mut self,
        variable: &str,
        list: &Expr,
        predicate: Option<&Expr>,
        projection: Option<&Expr>,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let (list, inner, local, predicate) = self.walk(
            variable,
            list,
            predicate,
            "a list comprehension",
            scope,
            mode,
        )?;
        let projection = self.optional(projection, &inner, mode)?;
        Ok(CExpr::ListComp {
            local,
            list: b(list),
            predicate,
            projection,
        })
    }

    fn quantifier(
        &mut self,
        kind: relgraph_cypher::ast::Quantifier,
        variable: &str,
        list: &Expr,
        predicate: Option<&Expr>,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let (list, _, local, predicate) =
            self.walk(variable, list, predicate, "a quantifier", scope, mode)?;
        Ok(CExpr::Quantifier {
            kind,
            local,
            list: b(list),
            predicate,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn reduce(
        &mut self,
        accumulator: &str,
        init: &Expr,
        variable: &str,
        list: &Expr,
        expr: &Expr,
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let init = self.expr(init, scope, mode)?;
        let list = self.expr(list, scope, mode)?;
        let (s1, acc) = scope.with_local(accumulator);
        let (s2, local) = s1.with_local(variable);
        let body = self.expr(expr, &s2, &mut AggMode::Forbidden("reduce"))?;
        Ok(CExpr::Reduce {
            acc,
            init: b(init),
            local,
            list: b(list),
            expr: b(body),
        })
    }

    fn pattern_comprehension(
        &mut self,
        e: &Expr,
        variable: Option<&relgraph_cypher::ast::Ident>,
        pattern: &relgraph_cypher::ast::PatternElement,
        predicate: Option<&Expr>,
        projection: &Expr,
        scope: &Scope,
    ) -> Result<CExpr> {
        if scope.locals_depth() > 0 {
            return Err(ErrorKind::Unsupported {
                feature: "pattern comprehension inside a list comprehension".into(),
                span: Some(e.span),
            }
            .into());
        }
        let (plan, inner) = self.pattern_comprehension_plan(variable, pattern, predicate, scope)?;
        let proj = self.expr(
            projection,
            &inner,
            &mut AggMode::Forbidden("a pattern comprehension"),
        )?;
        Ok(CExpr::PatternComp(Arc::new(plan), b(proj)))
    }

    fn map_projection(
        &mut self,
        variable: &relgraph_cypher::ast::Ident,
        items: &[MapProjectionItem],
        scope: &Scope,
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let base = match scope.local(&variable.name) {
            Some(i) => CExpr::Local(i),
            None => match scope.get(&variable.name) {
                Some(v) => CExpr::Slot(v.slot),
                None => {
                    return Err(ExecError::semantic(
                        "UndefinedVariable",
                        format!("variable `{}` not defined", variable.name),
                        Some(variable.span),
                    ))
                }
            },
        };
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            out.push(match it {
                MapProjectionItem::Property(k) => {
                    MapProjItem::Property(NameRef::key(&k.name, self.catalog))
                }
                MapProjectionItem::Literal(k, x) => {
                    MapProjItem::Entry(Arc::from(k.name.as_str()), self.expr(x, scope, mode)?)
                }
                MapProjectionItem::AllProperties => MapProjItem::AllProperties,
                MapProjectionItem::Variable(v) => {
                    let x = Expr {
                        kind: ExprKind::Variable(v.name.clone()),
                        span: v.span,
                    };
                    MapProjItem::Entry(Arc::from(v.name.as_str()), self.expr(&x, scope, mode)?)
                }
            });
        }
        Ok(CExpr::MapProjection(b(base), out))
    }

    fn aggregate(
        &mut self,
        e: &Expr,
        name: &str,
        distinct: bool,
        args: &[Expr],
        mode: &mut AggMode<'_>,
    ) -> Result<CExpr> {
        let c = match mode {
            AggMode::Forbidden(place) => {
                return Err(ExecError::semantic(
                    "InvalidAggregation",
                    format!("aggregate functions are not allowed in {place}"),
                    Some(e.span),
                ))
            }
            AggMode::Collect(c) => c,
        };
        let inner = c.inner.clone();
        if args.iter().any(contains_aggregate) {
            return Err(ExecError::semantic(
                "NestedAggregation",
                format!("aggregate functions cannot be nested: {name}(...)"),
                Some(e.span),
            ));
        }
        let mut forbid = AggMode::Forbidden("an aggregate function's argument");
        let (arg, extra_exprs) = match args.split_first() {
            None => (None, &[][..]),
            Some((first, rest)) => (Some(self.expr(first, &inner, &mut forbid)?), rest),
        };
        if arg.is_none() && !matches!(e.kind, ExprKind::CountStar) {
            return Err(ExecError::semantic(
                "InvalidNumberOfArguments",
                format!("{name}() needs an argument"),
                Some(e.span),
            ));
        }
        let mut extra = Vec::with_capacity(extra_exprs.len());
        for x in extra_exprs {
            match self.expr(x, &inner, &mut forbid)? {
                CExpr::Const(v) => extra.push(v),
                _ => {
                    return Err(ExecError::semantic(
                        "NonConstantExpression",
                        format!("the extra arguments of {name}() must be constants"),
                        Some(x.span),
                    ))
                }
            }
        }
        // Validate the aggregate now so bad arguments fail at compile time.
        functions::aggregate::Accumulator::new(name, distinct, &extra)?;
        let text = normalized(e);
        if let AggMode::Collect(c) = mode {
            if let Some(s) = c.specs.iter().find(|s| s.text == text) {
                return Ok(CExpr::Slot(s.slot));
            }
            let slot = self.alloc();
            c.specs.push(AggSpec {
                name: Arc::from(name),
                distinct,
                arg,
                extra,
                slot,
                text,
            });
            return Ok(CExpr::Slot(slot));
        }
        unreachable!("aggregate mode checked above")
    }

    /// Compiles a pattern predicate / EXISTS into a sub-plan read from the current row.
    pub(crate) fn pattern_subplan(
        &mut self,
        p: &relgraph_cypher::ast::PatternElement,
        scope: &Scope,
    ) -> Result<SubPlan> {
        if scope.locals_depth() > 0 {
            return Err(ErrorKind::Unsupported {
                feature: "pattern predicates inside list comprehensions".into(),
                span: None,
            }
            .into());
        }
        let part = relgraph_cypher::ast::PatternPart {
            variable: None,
            kind: relgraph_cypher::ast::PathKind::Plain,
            element: p.clone(),
            span: p.start.span,
        };
        let mut inner = scope.clone();
        let mut ops = Vec::new();
        self.plan_match(std::slice::from_ref(&part), None, &mut inner, &mut ops)?;
        crate::optimize::rewrite::fuse_closing_expansions(&mut ops);
        Ok(SubPlan::new(ops))
    }

    fn pattern_comprehension_plan(
        &mut self,
        variable: Option<&relgraph_cypher::ast::Ident>,
        p: &relgraph_cypher::ast::PatternElement,
        predicate: Option<&Expr>,
        scope: &Scope,
    ) -> Result<(SubPlan, Scope)> {
        let part = relgraph_cypher::ast::PatternPart {
            variable: variable.cloned(),
            kind: relgraph_cypher::ast::PathKind::Plain,
            element: p.clone(),
            span: p.start.span,
        };
        let mut inner = scope.clone();
        let mut ops = Vec::new();
        self.plan_match(std::slice::from_ref(&part), predicate, &mut inner, &mut ops)?;
        crate::optimize::rewrite::fuse_closing_expansions(&mut ops);
        Ok((SubPlan::new(ops), inner))
    }

    /// The kind of a projected expression (variables keep theirs).
    pub(crate) fn kind_of(e: &Expr, scope: &Scope) -> VarKind {
        match &e.kind {
            ExprKind::Variable(n) => scope.get(n).map(|v| v.kind).unwrap_or(VarKind::Value),
            _ => VarKind::Value,
        }
    }
}

/// `[1, 2, 3]` of constants is one constant.
fn fold_const_list(items: Vec<CExpr>) -> CExpr {
    if items.iter().all(CExpr::is_const) {
        CExpr::Const(Value::List(
            items
                .into_iter()
                .map(|x| match x {
                    CExpr::Const(v) => v,
                    _ => unreachable!("all items checked constant"),
                })
                .collect(),
        ))
    } else {
        CExpr::List(items)
    }
}

/// A boxed compiled expression.
fn b(x: CExpr) -> Box<CExpr> {
    Box::new(x)
}

/// A variable: a comprehension's local or a slot; beside an aggregation
/// only a grouping key may be read.
fn variable(name: &str, e: &Expr, scope: &Scope, mode: &AggMode<'_>) -> Result<CExpr> {
    if let Some(i) = scope.local(name) {
        return Ok(CExpr::Local(i));
    }
    if let Some(v) = scope.get(name) {
        return Ok(CExpr::Slot(v.slot));
    }
    if let AggMode::Collect(c) = mode {
        if c.inner.get(name).is_some() {
            return Err(ExecError::semantic(
                "AmbiguousAggregationExpression",
                format!(
                    "variable `{name}` is used beside an aggregation but is not a grouping key"
                ),
                Some(e.span),
            ));
        }
    }
    Err(ExecError::semantic(
        "UndefinedVariable",
        format!("variable `{name}` not defined"),
        Some(e.span),
    ))
}

/// A binary operation; `x IN list` against a list known before the rows
/// hashes the list once.
fn binary(op: BinaryOp, l: CExpr, r: CExpr, e: &Expr) -> CExpr {
    match (op, &r) {
        (BinaryOp::In, CExpr::Const(Value::List(items)))
            if items.len() >= IN_SET_MIN && !l.is_const() =>
        {
            CExpr::InSet(b(l), InList::Const(Arc::new(InSet::new(items))), e.span)
        }
        (BinaryOp::In, CExpr::Param(name)) => {
            CExpr::InSet(b(l), InList::Param(name.clone()), e.span)
        }
        _ => CExpr::Binary(op, b(l), b(r), e.span),
    }
}
