//! MATCH binding: declares a pattern's variables in the scope (slots,
//! kinds, errors for conflicting uses), compiles its property maps and
//! WHERE into conjuncts with the slots they read and the seeks they
//! allow, and leaves the result as a [`LogicalMatch`] for the optimizer
//! to order (`optimize::lower`).

use std::collections::HashSet;

use relgraph_cypher::ast::{BinaryOp, Expr, ExprKind, PathKind, PatternPart, Span};

use super::expr::AggMode;
use super::scope::{Scope, VarKind};
use super::Compiler;
use crate::error::{ErrorKind, ExecError, Result};
use crate::options::MAX_PATTERN_LENGTH;
use crate::plan::logical::{
    deps_of, Conj, Hint, HintKey, LogicalMatch, PNode, PPart, PRel, PatternGraph,
};
use crate::plan::{CExpr, NameRef, Op};

/// A pattern whose variables are declared, with its property maps not
/// yet compiled (they may read any variable of the pattern).
#[derive(Default)]
pub(crate) struct Declared {
    pub graph: PatternGraph,
    /// Property map entries of nodes: (node index, key, value).
    pub node_props: Vec<(usize, String, Expr)>,
    /// Property map entries of relationships: (relationship index, key, value).
    pub rel_props: Vec<(usize, String, Expr)>,
}

/// Splits an AND chain into conjuncts.
pub(crate) fn conjuncts(e: &Expr, out: &mut Vec<Expr>) {
    if let ExprKind::Binary(BinaryOp::And, a, b) = &e.kind {
        conjuncts(a, out);
        conjuncts(b, out);
    } else {
        out.push(e.clone());
    }
}

/// `a op b` as `b op' a`.
pub(crate) fn flip(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        o => o,
    }
}

impl Compiler<'_> {
    /// Declares the variables of `parts` in `scope` (for MATCH and MERGE).
    pub(crate) fn declare_pattern(
        &mut self,
        parts: &[PatternPart],
        scope: &mut Scope,
    ) -> Result<Declared> {
        let length: usize = parts.iter().map(|p| p.element.chain.len()).sum();
        if length > MAX_PATTERN_LENGTH {
            return Err(ExecError::limit(format!(
                "a pattern may have at most {MAX_PATTERN_LENGTH} relationships \
                 (MAX_PATTERN_LENGTH), this one has {length}"
            )));
        }
        let mut d = Declared::default();
        let mut declared_rels: HashSet<String> = HashSet::new();
        for (pi, part) in parts.iter().enumerate() {
            let start = self.declare_node(&part.element.start, scope, &mut d)?;
            let mut steps = Vec::new();
            let mut left = start;
            for (rel, node) in &part.element.chain {
                let right = self.declare_node(node, scope, &mut d)?;
                // A shortest path search has no depth bound; elsewhere an
                // unwritten upper bound is the option's (unbounded by default).
                let implicit_max = match rel.length {
                    Some((_, None)) if part.kind == PathKind::Plain => {
                        self.max_var_length != u32::MAX
                    }
                    _ => false,
                };
                let length = match rel.length {
                    None => None,
                    Some((min, max)) => {
                        let min = min.unwrap_or(1);
                        let max = match max {
                            Some(m) => m,
                            None if part.kind == PathKind::Plain => u64::from(self.max_var_length),
                            None => u64::from(u32::MAX),
                        };
                        Some((
                            min.min(u32::MAX as u64) as u32,
                            max.min(u32::MAX as u64) as u32,
                        ))
                    }
                };
                let (var, slot, outer) = match &rel.variable {
                    Some(v) => {
                        if !declared_rels.insert(v.name.clone()) {
                            return Err(ExecError::semantic(
                                "RelationshipUniquenessViolation",
                                format!(
                                    "relationship variable `{}` is used twice in one pattern",
                                    v.name
                                ),
                                Some(v.span),
                            ));
                        }
                        match scope.get(&v.name) {
                            Some(b) if b.kind == VarKind::Rel || b.kind == VarKind::Value => {
                                if length.is_some() {
                                    return Err(ErrorKind::Unsupported {
                                        feature: "a bound variable in a variable-length pattern"
                                            .into(),
                                        span: Some(v.span),
                                    }
                                    .into());
                                }
                                (v.name.clone(), b.slot, true)
                            }
                            Some(b) => {
                                return Err(ExecError::semantic(
                                    "VariableTypeConflict",
                                    format!(
                                        "variable `{}` is a {}, not a relationship",
                                        v.name,
                                        b.kind.name()
                                    ),
                                    Some(v.span),
                                ))
                            }
                            None => {
                                let slot = self.alloc();
                                let kind = if length.is_some() {
                                    VarKind::RelList
                                } else {
                                    VarKind::Rel
                                };
                                scope.bind(&v.name, slot, kind, v.span)?;
                                (v.name.clone(), slot, false)
                            }
                        }
                    }
                    None => (format!("anon_{}", self.width), self.alloc(), false),
                };
                let ri = d.graph.rels.len();
                if let Some(p) = &rel.properties {
                    for (k, v) in self.prop_map_entries(p)? {
                        d.rel_props.push((ri, k, v));
                    }
                }
                d.graph.rels.push(PRel {
                    var,
                    slot,
                    types: rel.types.iter().map(|t| t.name.clone()).collect(),
                    dir: rel.direction,
                    left,
                    right,
                    length,
                    implicit_max,
                    props: Vec::new(),
                    outer,
                    part: pi,
                    clause: 0,
                });
                steps.push((ri, right));
                left = right;
            }
            let path_slot = match &part.variable {
                Some(v) => {
                    let slot = self.alloc();
                    scope.bind(&v.name, slot, VarKind::Path, v.span)?;
                    Some(slot)
                }
                // A shortest path search binds its path in a slot of its own.
                None if part.kind != PathKind::Plain => Some(self.alloc()),
                None => None,
            };
            if part.kind != PathKind::Plain && steps.len() != 1 {
                return Err(ExecError::semantic(
                    "InvalidArgumentType",
                    "shortestPath needs a pattern of exactly one relationship",
                    Some(part.span),
                ));
            }
            d.graph.parts.push(PPart {
                path_slot,
                kind: part.kind,
                start,
                steps,
            });
        }
        Ok(d)
    }

    /// `{k: v, ...}` of a pattern as entries; a parameter map is expanded.
    fn prop_map_entries(&mut self, e: &Expr) -> Result<Vec<(String, Expr)>> {
        match &e.kind {
            ExprKind::Map(items) => Ok(items
                .iter()
                .map(|(k, v)| (k.name.clone(), v.clone()))
                .collect()),
            ExprKind::Parameter(name) => match self.params.get(name) {
                Some(relgraph_graph::Value::Map(m)) => Ok(m
                    .keys()
                    .map(|k| {
                        let idx = Expr {
                            kind: ExprKind::Index(
                                Box::new(e.clone()),
                                Box::new(Expr {
                                    kind: ExprKind::Literal(relgraph_cypher::ast::Literal::String(
                                        k.to_string(),
                                    )),
                                    span: e.span,
                                }),
                            ),
                            span: e.span,
                        };
                        (k.to_string(), idx)
                    })
                    .collect()),
                Some(_) => Err(ExecError::type_error(
                    "InvalidParameterUse",
                    format!("parameter ${name} must be a map"),
                )),
                None => Err(ExecError::semantic(
                    "MissingParameter",
                    format!("expected a parameter named ${name}"),
                    Some(e.span),
                )),
            },
            _ => Err(ExecError::semantic(
                "InvalidArgumentType",
                "expected a map of properties",
                Some(e.span),
            )),
        }
    }

    fn declare_node(
        &mut self,
        n: &relgraph_cypher::ast::NodePattern,
        scope: &mut Scope,
        d: &mut Declared,
    ) -> Result<usize> {
        let labels: Vec<String> = n.labels.iter().map(|l| l.name.clone()).collect();
        let idx = match &n.variable {
            Some(v) => {
                if let Some(i) = d.graph.nodes.iter().position(|x| x.var == v.name) {
                    for l in &labels {
                        if !d.graph.nodes[i].labels.contains(l) {
                            d.graph.nodes[i].labels.push(l.clone());
                        }
                    }
                    i
                } else {
                    let (slot, outer) = match scope.get(&v.name) {
                        Some(b) if b.kind == VarKind::Node || b.kind == VarKind::Value => {
                            (b.slot, true)
                        }
                        Some(b) => {
                            return Err(ExecError::semantic(
                                "VariableTypeConflict",
                                format!("variable `{}` is a {}, not a node", v.name, b.kind.name()),
                                Some(v.span),
                            ))
                        }
                        None => {
                            let slot = self.alloc();
                            scope.bind(&v.name, slot, VarKind::Node, v.span)?;
                            if !labels.is_empty() {
                                self.matched_labels.insert(slot, labels.clone());
                            }
                            (slot, false)
                        }
                    };
                    d.graph.nodes.push(PNode {
                        var: v.name.clone(),
                        slot,
                        labels,
                        outer,
                    });
                    d.graph.nodes.len() - 1
                }
            }
            None => {
                let slot = self.alloc();
                d.graph.nodes.push(PNode {
                    var: format!("anon_{slot}"),
                    slot,
                    labels,
                    outer: false,
                });
                d.graph.nodes.len() - 1
            }
        };
        if let Some(p) = &n.properties {
            for (k, v) in self.prop_map_entries(p)? {
                d.node_props.push((idx, k, v));
            }
        }
        Ok(idx)
    }

    /// Binds a MATCH clause's pattern and WHERE: the variables are bound
    /// in `scope`, the pattern and its conjuncts returned unordered.
    pub(crate) fn bind_match(
        &mut self,
        parts: &[PatternPart],
        where_: Option<&Expr>,
        scope: &mut Scope,
    ) -> Result<LogicalMatch> {
        let outer: HashSet<usize> = scope.slots().into_iter().collect();
        let d = self.declare_pattern(parts, scope)?;
        self.bind_declared(d, where_, scope, outer)
    }

    /// Binds a pattern used inside an expression or a write (a pattern
    /// predicate, a pattern comprehension): these run as sub-plans, so
    /// the optimizer orders them at once.
    pub(crate) fn plan_match(
        &mut self,
        parts: &[PatternPart],
        where_: Option<&Expr>,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
    ) -> Result<()> {
        let m = self.bind_match(parts, where_, scope)?;
        self.opt.lower_match(&m, &self.matched_labels, ops);
        Ok(())
    }

    /// Compiles the conjuncts and relationship property maps of a
    /// declared pattern; `scope` holds its variables.
    pub(crate) fn bind_declared(
        &mut self,
        d: Declared,
        where_: Option<&Expr>,
        scope: &Scope,
        outer: HashSet<usize>,
    ) -> Result<LogicalMatch> {
        let conjuncts = self.match_conjuncts(&d, where_, scope)?;
        let mut pattern = d.graph;
        for (ri, key, value) in &d.rel_props {
            let v = self.expr(value, scope, &mut AggMode::Forbidden("a pattern"))?;
            pattern.rels[*ri].props.push((key.clone(), v));
        }
        Ok(LogicalMatch {
            pattern,
            conjuncts,
            outer,
        })
    }

    /// The conjuncts of a MATCH: property maps, labels of nodes bound
    /// before it, then WHERE.
    fn match_conjuncts(
        &mut self,
        d: &Declared,
        where_: Option<&Expr>,
        scope: &Scope,
    ) -> Result<Vec<Conj>> {
        let mut conjs: Vec<Conj> = Vec::new();
        for (ni, key, value) in &d.node_props {
            let node = &d.graph.nodes[*ni];
            let v = self.expr(value, scope, &mut AggMode::Forbidden("a pattern"))?;
            let vdeps = deps_of(&v);
            let expr = CExpr::Binary(
                BinaryOp::Eq,
                Box::new(CExpr::Property(
                    Box::new(CExpr::Slot(node.slot)),
                    NameRef::key(key, self.catalog),
                    value.span,
                )),
                Box::new(v.clone()),
                value.span,
            );
            conjs.push(Conj::new(
                expr,
                Some((
                    node.slot,
                    HintKey::Prop(key.clone()),
                    BinaryOp::Eq,
                    v,
                    vdeps,
                )),
            ));
        }
        for n in &d.graph.nodes {
            if n.outer && !n.labels.is_empty() {
                let expr = CExpr::HasLabels(
                    Box::new(CExpr::Slot(n.slot)),
                    n.labels
                        .iter()
                        .map(|l| NameRef::label(l, self.catalog))
                        .collect(),
                    // A label test on a node slot cannot fail.
                    Span::default(),
                );
                conjs.push(Conj::new(expr, None));
            }
        }
        if let Some(w) = where_ {
            let mut cs = Vec::new();
            conjuncts(w, &mut cs);
            for c in cs {
                if let ExprKind::Variable(v) = &c.kind {
                    if let Some(b) = scope.get(v) {
                        if b.kind != VarKind::Value {
                            return Err(ExecError::semantic(
                                "InvalidArgumentType",
                                format!("WHERE needs a boolean, but `{v}` is a {}", b.kind.name()),
                                Some(c.span),
                            ));
                        }
                    }
                }
                let expr = self.expr(&c, scope, &mut AggMode::Forbidden("WHERE"))?;
                let hint = self.index_hint(&c, scope)?;
                conjs.push(Conj::new(expr, hint));
            }
        }
        Ok(conjs)
    }

    /// `n.key <op> value` or `id(n) = value` (either side) where `value`
    /// does not read `n`.
    fn index_hint(&mut self, c: &Expr, scope: &Scope) -> Result<Option<Hint>> {
        let ExprKind::Binary(op, l, r) = &c.kind else {
            return Ok(None);
        };
        if !matches!(
            op,
            BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::In
        ) {
            return Ok(None);
        }
        let key_of = |e: &Expr| -> Option<(String, HintKey)> {
            match &e.kind {
                ExprKind::Property(base, key) => match &base.kind {
                    ExprKind::Variable(v) => Some((v.clone(), HintKey::Prop(key.name.clone()))),
                    _ => None,
                },
                ExprKind::FunctionCall {
                    name,
                    distinct: false,
                    args,
                } if matches!(op, BinaryOp::Eq | BinaryOp::In)
                    && name.eq_ignore_ascii_case("id")
                    && args.len() == 1 =>
                {
                    match &args[0].kind {
                        ExprKind::Variable(v) if *op == BinaryOp::Eq => {
                            Some((v.clone(), HintKey::Id))
                        }
                        ExprKind::Variable(v) => Some((v.clone(), HintKey::IdIn)),
                        _ => None,
                    }
                }
                _ => None,
            }
        };
        let (var, key, value, op) = if let Some((v, k)) = key_of(l) {
            (v, k, r, *op)
        } else if *op == BinaryOp::In {
            // `x IN id(n)` is not a seek.
            return Ok(None);
        } else if let Some((v, k)) = key_of(r) {
            (v, k, l, flip(*op))
        } else {
            return Ok(None);
        };
        let Some(b) = scope.get(&var) else {
            return Ok(None);
        };
        if matches!(key, HintKey::Id | HintKey::IdIn)
            && !matches!(b.kind, VarKind::Node | VarKind::Rel)
        {
            return Ok(None);
        }
        let slot = b.slot;
        let v = self.expr(value, scope, &mut AggMode::Forbidden("WHERE"))?;
        let vdeps = deps_of(&v);
        if vdeps.contains(&slot) {
            return Ok(None);
        }
        Ok(Some((slot, key, op, v, vdeps)))
    }
}
