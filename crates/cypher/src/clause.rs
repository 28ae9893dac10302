//! Statements and clauses: queries with UNION, reading and writing clauses,
//! CALL, schema commands, and EXISTS subqueries.

use crate::ast::{
    BinaryOp, Call, Clause, Create, Delete, Expr, ExprKind, Ident, Literal, Match, Merge,
    PatternElement, Projection, ProjectionItem, Query, QueryMode, RemoveClause, RemoveItem,
    SetClause, SetItem, SingleQuery, SortItem, Span, Statement, StatementKind, Unwind,
};
use crate::expr::{attempt, mk};
use crate::lexer::{Cx, R};
use crate::pattern::{check_pattern_variables, PatCtx};

impl<'a> Cx<'a> {
    /// One statement, without what may follow it.
    fn statement_body(&self, i: &'a str) -> R<'a, Statement> {
        let (i, _) = self.ws(i)?;
        let start = self.off(i);
        let (i, mode) = if let Some((r, _)) = attempt(self.kw(i, "EXPLAIN"))? {
            (r, QueryMode::Explain)
        } else if let Some((r, _)) = attempt(self.kw(i, "PROFILE"))? {
            (r, QueryMode::Profile)
        } else {
            (i, QueryMode::Normal)
        };
        let (r, kind) = match attempt(self.schema_command(i))? {
            Some((r, cmd)) => (r, StatementKind::Schema(cmd)),
            None => {
                let (r, q) = self.query(i)?;
                (r, StatementKind::Query(q))
            }
        };
        let end = self.off(r);
        let stmt = Statement {
            mode,
            kind,
            span: Span::new(start, end),
        };
        Ok((r, stmt))
    }

    /// A statement, an optional `;`, then the end of the input.
    pub fn statement(&self, i: &'a str) -> R<'a, Statement> {
        let (r, stmt) = self.statement_body(i)?;
        let r = match attempt(self.sym(r, ";", "';'"))? {
            Some((r2, _)) => r2,
            None => r,
        };
        let (r, _) = self.ws(r)?;
        if !r.is_empty() {
            return self.fail(r, "end of input");
        }
        Ok((r, stmt))
    }

    /// Statements separated by `;` (a final `;` is optional).
    pub fn script(&self, i: &'a str) -> R<'a, Vec<Statement>> {
        let mut out = Vec::new();
        let mut r = i;
        loop {
            let (r2, _) = self.ws(r)?;
            if r2.is_empty() {
                return Ok((r2, out));
            }
            if let Some((r3, _)) = attempt(self.sym(r2, ";", "';'"))? {
                r = r3;
                continue;
            }
            let (r2, stmt) = self.statement_body(r2)?;
            out.push(stmt);
            let (r2, _) = self.ws(r2)?;
            if r2.is_empty() {
                return Ok((r2, out));
            }
            r = self.sym(r2, ";", "';'")?.0;
        }
    }

    fn query(&self, i: &'a str) -> R<'a, Query> {
        let (mut r, first) = self.single_query(i)?;
        let mut unions: Vec<(bool, SingleQuery)> = Vec::new();
        while let Some((r2, sp)) = attempt(self.kw(r, "UNION"))? {
            let (r2, all) = match attempt(self.kw(r2, "ALL"))? {
                Some((r3, _)) => (r3, true),
                None => (r2, false),
            };
            let first_all = unions.first().map(|(a, _)| *a).unwrap_or(all);
            if first_all != all {
                return self.fatal(
                    sp,
                    "UNION and UNION ALL cannot be mixed in one query",
                    Some("InvalidClauseComposition"),
                );
            }
            let (r2, q) = self.single_query(r2)?;
            unions.push((all, q));
            r = r2;
        }
        Ok((r, Query { first, unions }))
    }

    /// Clauses up to and including RETURN (or up to something that is not a
    /// clause).
    pub fn single_query(&self, i: &'a str) -> R<'a, SingleQuery> {
        let mut clauses = Vec::new();
        let mut r = i;
        let mut star_call: Option<Span> = None;
        while let Some((r2, c)) = attempt(self.clause(r))? {
            let is_return = matches!(c, Clause::Return(_));
            if let Clause::Call(call) = &c {
                if call.yield_star {
                    star_call = Some(call.span);
                }
            }
            clauses.push(c);
            r = r2;
            if is_return {
                break;
            }
        }
        let (Some(first), Some(last)) = (clauses.first(), clauses.last()) else {
            let _ = i;
            return self.fail(self.skip(r), "a clause");
        };
        if let Some(span) = star_call {
            if clauses.len() > 1 {
                return self.fatal(
                    span,
                    "YIELD * is only allowed in a standalone CALL",
                    Some("UnexpectedSyntax"),
                );
            }
        }
        let span = clause_span(first).to(clause_span(last));
        Ok((r, SingleQuery { clauses, span }))
    }

    fn clause(&self, i: &'a str) -> R<'a, Clause> {
        let t = self.skip(i);
        let start = self.off(t);
        let here = |r: &'a str| Span::new(start, self.off(r));
        if self.peek_kw(t, "MATCH") || self.peek_kw(t, "OPTIONAL") {
            let (r, optional) = match attempt(self.kw_as(t, "OPTIONAL", "a clause"))? {
                Some((r, _)) => (r, true),
                None => (t, false),
            };
            let (r, _) = self.kw(r, "MATCH")?;
            let (r, pattern) = self.pattern(r, PatCtx::Match)?;
            check_pattern_variables(self, &pattern, false)?;
            let (r, where_) = self.opt_where(r)?;
            return Ok((
                r,
                Clause::Match(Match {
                    optional,
                    pattern,
                    where_: where_.map(|b| *b),
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "UNWIND", "a clause"))? {
            let (r, expr) = self.value_expr(r)?;
            let (r, _) = self.kw(r, "AS")?;
            let (r, variable) = self.variable(r)?;
            return Ok((
                r,
                Clause::Unwind(Unwind {
                    expr,
                    variable,
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "WITH", "a clause"))? {
            let (r, mut p) = self.projection(r, true)?;
            p.span = here(r);
            return Ok((r, Clause::With(p)));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "RETURN", "a clause"))? {
            let (r, mut p) = self.projection(r, false)?;
            p.span = here(r);
            return Ok((r, Clause::Return(p)));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "CREATE", "a clause"))? {
            let (r, pattern) = self.pattern(r, PatCtx::Create)?;
            check_pattern_variables(self, &pattern, true)?;
            return Ok((
                r,
                Clause::Create(Create {
                    pattern,
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "MERGE", "a clause"))? {
            let (mut r, pattern) = self.pattern_part(r, PatCtx::Merge)?;
            check_pattern_variables(self, std::slice::from_ref(&pattern), false)?;
            let mut on_create = Vec::new();
            let mut on_match = Vec::new();
            while let Some((r2, _)) = attempt(self.kw(r, "ON"))? {
                let (r2, create) = if let Some((r3, _)) = attempt(self.kw(r2, "CREATE"))? {
                    (r3, true)
                } else {
                    (self.kw(r2, "MATCH")?.0, false)
                };
                let (r2, _) = self.kw(r2, "SET")?;
                let (r2, items) = self.set_items(r2)?;
                if create {
                    on_create.extend(items)
                } else {
                    on_match.extend(items)
                }
                r = r2;
            }
            return Ok((
                r,
                Clause::Merge(Merge {
                    pattern,
                    on_create,
                    on_match,
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "SET", "a clause"))? {
            let (r, items) = self.set_items(r)?;
            return Ok((
                r,
                Clause::Set(SetClause {
                    items,
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "REMOVE", "a clause"))? {
            let (r, items) = self.remove_items(r)?;
            return Ok((
                r,
                Clause::Remove(RemoveClause {
                    items,
                    span: here(r),
                }),
            ));
        }
        if self.peek_kw(t, "DELETE") || self.peek_kw(t, "DETACH") {
            let (r, detach) = match attempt(self.kw_as(t, "DETACH", "a clause"))? {
                Some((r, _)) => (r, true),
                None => (t, false),
            };
            let (r, _) = self.kw(r, "DELETE")?;
            let (r, exprs) = self.comma_list(r, |s| self.value_expr(s))?;
            if let Some(e) = exprs
                .iter()
                .find(|e| matches!(e.kind, ExprKind::HasLabels(..)))
            {
                return self.fatal(
                    e.span,
                    "DELETE takes nodes, relationships or paths; use REMOVE to remove a label",
                    Some("InvalidDelete"),
                );
            }
            return Ok((
                r,
                Clause::Delete(Delete {
                    detach,
                    exprs,
                    span: here(r),
                }),
            ));
        }
        if let Some((r, _)) = attempt(self.kw_as(t, "CALL", "a clause"))? {
            let (r, mut call) = self.call(r)?;
            call.span = here(r);
            return Ok((r, Clause::Call(call)));
        }
        self.fail(t, "a clause")
    }

    fn comma_list<T>(&self, i: &'a str, item: impl Fn(&'a str) -> R<'a, T>) -> R<'a, Vec<T>> {
        let (mut r, first) = item(i)?;
        let mut out = vec![first];
        while let Some((r2, _)) = attempt(self.sym(r, ",", "','"))? {
            let (r2, x) = item(r2)?;
            out.push(x);
            r = r2;
        }
        Ok((r, out))
    }

    fn projection(&self, i: &'a str, is_with: bool) -> R<'a, Projection> {
        let (r, distinct) = match attempt(self.kw(i, "DISTINCT"))? {
            Some((r, _)) => (r, true),
            None => (i, false),
        };
        let (r, star) = match attempt(self.sym(r, "*", "'*'"))? {
            Some((r, _)) => (r, true),
            None => (r, false),
        };
        let (r, items) = if star {
            match attempt(self.sym(r, ",", "','"))? {
                Some((r2, _)) => self.comma_list(r2, |s| self.projection_item(s))?,
                None => (r, Vec::new()),
            }
        } else {
            self.comma_list(r, |s| self.projection_item(s))?
        };
        let (r, order_by) = match attempt(self.kws(r, &["ORDER", "BY"]))? {
            Some((r2, _)) => self.comma_list(r2, |s| self.sort_item(s))?,
            None => (r, Vec::new()),
        };
        let (r, skip) = match attempt(self.kw(r, "SKIP"))? {
            Some((r2, _)) => {
                let (r2, e) = self.value_expr(r2)?;
                (r2, Some(e))
            }
            None => (r, None),
        };
        let (r, limit) = match attempt(self.kw(r, "LIMIT"))? {
            Some((r2, _)) => {
                let (r2, e) = self.value_expr(r2)?;
                (r2, Some(e))
            }
            None => (r, None),
        };
        let (r, where_) = if is_with {
            self.opt_where(r)?
        } else {
            (r, None)
        };
        let span = Span::default();
        Ok((
            r,
            Projection {
                distinct,
                star,
                items,
                order_by,
                skip,
                limit,
                where_: where_.map(|b| *b),
                span,
            },
        ))
    }

    fn projection_item(&self, i: &'a str) -> R<'a, ProjectionItem> {
        let (r, expr) = self.value_expr(i)?;
        let text = self.src[expr.span.start..expr.span.end].to_string();
        let (r, alias) = match attempt(self.kw(r, "AS"))? {
            Some((r2, _)) => {
                let (r2, v) = self.variable(r2)?;
                (r2, Some(v))
            }
            None => (r, None),
        };
        let span = match &alias {
            Some(a) => expr.span.to(a.span),
            None => expr.span,
        };
        Ok((
            r,
            ProjectionItem {
                expr,
                alias,
                text,
                span,
            },
        ))
    }

    fn sort_item(&self, i: &'a str) -> R<'a, SortItem> {
        let (r, expr) = self.value_expr(i)?;
        for (word, descending) in [
            ("ASCENDING", false),
            ("ASC", false),
            ("DESCENDING", true),
            ("DESC", true),
        ] {
            if let Some((r2, _)) = attempt(self.kw(r, word))? {
                return Ok((r2, SortItem { expr, descending }));
            }
        }
        Ok((
            r,
            SortItem {
                expr,
                descending: false,
            },
        ))
    }

    fn set_items(&self, i: &'a str) -> R<'a, Vec<SetItem>> {
        self.comma_list(i, |s| self.set_item(s))
    }

    fn set_item(&self, i: &'a str) -> R<'a, SetItem> {
        let (r, target) = self.with_patterns(false, || self.postfix_expr(i))?;
        let start = target.span.start;
        match target.kind {
            ExprKind::Property(base, key) => {
                let (r, _) = self.assign(r)?;
                let (r, value) = self.value_expr(r)?;
                let span = Span::new(start, value.span.end);
                Ok((
                    r,
                    SetItem::Property {
                        target: *base,
                        key,
                        value,
                        span,
                    },
                ))
            }
            ExprKind::Variable(name) => {
                let variable = Ident {
                    name,
                    span: target.span,
                };
                let t = self.skip(r);
                let (r, merge) = if let Some(rest) = t.strip_prefix("+=") {
                    (rest, true)
                } else {
                    (self.assign(r)?.0, false)
                };
                let (r, value) = self.value_expr(r)?;
                let span = Span::new(start, value.span.end);
                Ok((
                    r,
                    SetItem::Properties {
                        variable,
                        value,
                        merge,
                        span,
                    },
                ))
            }
            ExprKind::HasLabels(base, labels) => match base.kind {
                ExprKind::Variable(name) => {
                    let variable = Ident {
                        name,
                        span: base.span,
                    };
                    Ok((
                        r,
                        SetItem::Labels {
                            variable,
                            labels,
                            span: target.span,
                        },
                    ))
                }
                _ => self.fatal(
                    base.span,
                    "labels can only be set on a variable",
                    Some("UnexpectedSyntax"),
                ),
            },
            _ => {
                let t = self.skip(r);
                self.expect(t, "'.'");
                self.expect(t, "':'");
                self.fail(t, "'='")
            }
        }
    }

    fn assign(&self, i: &'a str) -> R<'a, Span> {
        let t = self.skip(i);
        if let Some(after) = t.strip_prefix("+=") {
            return self.fatal(
                self.span(t, after),
                "'+=' applies to a whole variable: SET n += {...}",
                Some("UnexpectedSyntax"),
            );
        }
        if t.starts_with('=') && !t.starts_with("=~") {
            return Ok((&t[1..], self.span(t, &t[1..])));
        }
        self.fail(t, "'='")
    }

    fn remove_items(&self, i: &'a str) -> R<'a, Vec<RemoveItem>> {
        self.comma_list(i, |s| {
            let (r, target) = self.with_patterns(false, || self.postfix_expr(s))?;
            match target.kind {
                ExprKind::Property(base, key) => Ok((
                    r,
                    RemoveItem::Property {
                        target: *base,
                        key,
                        span: target.span,
                    },
                )),
                ExprKind::HasLabels(base, labels) => match base.kind {
                    ExprKind::Variable(name) => {
                        let variable = Ident {
                            name,
                            span: base.span,
                        };
                        Ok((
                            r,
                            RemoveItem::Labels {
                                variable,
                                labels,
                                span: target.span,
                            },
                        ))
                    }
                    _ => self.fatal(
                        base.span,
                        "labels can only be removed from a variable",
                        Some("UnexpectedSyntax"),
                    ),
                },
                _ => {
                    let t = self.skip(r);
                    self.expect(t, "'.'");
                    self.fail(t, "':'")
                }
            }
        })
    }

    fn call(&self, i: &'a str) -> R<'a, Call> {
        let (mut r, first) = self.ident(i, "a procedure name")?;
        let mut procedure = vec![first];
        loop {
            let t = self.skip(r);
            let Some(after) = t.strip_prefix('.') else {
                break;
            };
            let (r2, part) = self.ident(after, "a procedure name")?;
            procedure.push(part);
            r = r2;
        }
        let (r, args) = match attempt(self.sym(r, "(", "'('"))? {
            Some((r2, _)) => {
                let (r2, args) = if self.peek_sym(r2, ")") {
                    (r2, Vec::new())
                } else {
                    self.comma_list(r2, |s| self.value_expr(s))?
                };
                let (r2, _) = self.sym(r2, ")", "')'")?;
                (r2, Some(args))
            }
            None => (r, None),
        };
        let mut call = Call {
            procedure,
            args,
            yields: Vec::new(),
            yield_star: false,
            where_: None,
            span: Span::default(),
        };
        let Some((r, _)) = attempt(self.kw(r, "YIELD"))? else {
            return Ok((r, call));
        };
        if let Some((r, _)) = attempt(self.sym(r, "*", "'*'"))? {
            call.yield_star = true;
            return Ok((r, call));
        }
        let (r, yields) = self.comma_list(r, |s| {
            let (r, field) = self.ident(s, "a procedure output")?;
            match attempt(self.kw(r, "AS"))? {
                Some((r2, _)) => {
                    let (r2, alias) = self.variable(r2)?;
                    Ok((r2, (field, Some(alias))))
                }
                None => Ok((r, (field, None))),
            }
        })?;
        for (k, (field, alias)) in yields.iter().enumerate() {
            let name = alias.as_ref().unwrap_or(field);
            let earlier = yields[..k]
                .iter()
                .any(|(f, a)| a.as_ref().unwrap_or(f).name == name.name);
            if earlier {
                return self.fatal(
                    name.span,
                    format!("variable `{}` is already bound", name.name),
                    Some("VariableAlreadyBound"),
                );
            }
        }
        call.yields = yields;
        let (r, where_) = self.opt_where(r)?;
        call.where_ = where_.map(|b| *b);
        Ok((r, call))
    }

    /// `EXISTS { pattern [WHERE pred] }` or `EXISTS { MATCH pattern [WHERE
    /// pred] [RETURN ...] }`. A WHERE is expressed with a pattern
    /// comprehension: `size([pattern WHERE pred | true]) > 0`.
    pub(crate) fn exists_subquery(&self, start: &'a str, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let begin = self.off(self.skip(start));
        let (r, open) = self.sym(i, "{", "'{'")?;
        let (r, element, predicate) = if self.peek_kw(r, "MATCH") || self.peek_kw(r, "OPTIONAL") {
            let (r, q) = self.with_patterns(false, || self.single_query(r))?;
            let (element, predicate) = self.subquery_pattern(q, open)?;
            (r, element, predicate)
        } else {
            let (r, mut parts) = self.pattern(r, PatCtx::Match)?;
            let (r, predicate) = self.opt_where(r)?;
            if parts.len() != 1 || parts[0].variable.is_some() {
                return self.fatal(
                    open,
                    "EXISTS { } with several patterns or a path variable is not supported",
                    None,
                );
            }
            (r, parts.remove(0).element, predicate)
        };
        let (r, close) = self.sym(r, "}", "'}'")?;
        let span = Span::new(begin, close.end);
        Ok((r, exists_expr(element, predicate, span)))
    }

    fn subquery_pattern(
        &self,
        q: SingleQuery,
        open: Span,
    ) -> Result<(PatternElement, Option<Box<Expr>>), nom::Err<PError>> {
        let mut clauses = q.clauses.into_iter();
        if let Some(bad) = clauses.clone().find(|c| {
            matches!(
                c,
                Clause::Create(_)
                    | Clause::Merge(_)
                    | Clause::Set(_)
                    | Clause::Remove(_)
                    | Clause::Delete(_)
            )
        }) {
            return Err(self.fatal_err(
                clause_span(&bad),
                "an EXISTS subquery cannot contain updating clauses",
                Some("InvalidClauseComposition"),
            ));
        }
        let unsupported = |span: Span| {
            self.fatal_err(span, "this EXISTS subquery form is not supported: use EXISTS { MATCH pattern WHERE ... }", None)
        };
        let Some(Clause::Match(m)) = clauses.next() else {
            return Err(unsupported(open));
        };
        if m.optional || m.pattern.len() != 1 || m.pattern[0].variable.is_some() {
            return Err(unsupported(m.span));
        }
        match clauses.next() {
            None => {}
            Some(Clause::Return(p))
                if p.order_by.is_empty()
                    && p.skip.is_none()
                    && p.limit.is_none()
                    && !p.distinct
                    && p.items.iter().all(|it| is_simple(&it.expr)) => {}
            Some(other) => return Err(unsupported(clause_span(&other))),
        }
        let mut m = m;
        Ok((m.pattern.remove(0).element, m.where_.map(Box::new)))
    }
}

use crate::lexer::PError;

fn is_simple(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Literal(_)
            | ExprKind::Variable(_)
            | ExprKind::Parameter(_)
            | ExprKind::Property(..)
    )
}

/// The expression for an existence check with an optional predicate.
pub(crate) fn exists_expr(
    element: PatternElement,
    predicate: Option<Box<Expr>>,
    span: Span,
) -> Expr {
    match predicate {
        None => mk(ExprKind::Exists(Box::new(element)), span),
        Some(pred) => {
            let comprehension = mk(
                ExprKind::PatternComprehension {
                    variable: None,
                    pattern: Box::new(element),
                    predicate: Some(pred),
                    projection: Box::new(mk(ExprKind::Literal(Literal::Bool(true)), span)),
                },
                span,
            );
            let size = mk(
                ExprKind::FunctionCall {
                    name: "size".into(),
                    distinct: false,
                    args: vec![comprehension],
                },
                span,
            );
            let zero = mk(ExprKind::Literal(Literal::Int(0)), span);
            mk(
                ExprKind::Binary(BinaryOp::Gt, Box::new(size), Box::new(zero)),
                span,
            )
        }
    }
}

/// The span of a clause.
pub(crate) fn clause_span(c: &Clause) -> Span {
    match c {
        Clause::Match(m) => m.span,
        Clause::Unwind(u) => u.span,
        Clause::With(p) | Clause::Return(p) => p.span,
        Clause::Create(c) => c.span,
        Clause::Merge(m) => m.span,
        Clause::Set(s) => s.span,
        Clause::Remove(r) => r.span,
        Clause::Delete(d) => d.span,
        Clause::Call(c) => c.span,
    }
}
