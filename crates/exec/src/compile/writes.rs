//! Binding of CREATE, MERGE, SET and REMOVE.

use std::collections::HashSet;
use std::sync::Arc;

use relgraph_cypher::ast::{
    Create, Expr, ExprKind, Merge, PathKind, PatternPart, RelDirection, RemoveClause, RemoveItem,
    SetClause, SetItem,
};
use relgraph_graph::Value;

use super::expr::AggMode;
use super::scope::{Scope, VarKind};
use super::Compiler;
use crate::error::{ExecError, Result};
use crate::plan::{
    BuildPath, CExpr, CreateNode, CreatePattern, CreateRel, MergeOp, Op, PathStep, PropsSpec,
    SetOp, SubPlan,
};

impl Compiler<'_> {
    fn props_spec(&mut self, p: Option<&Expr>, scope: &Scope) -> Result<PropsSpec> {
        let Some(p) = p else {
            return Ok(PropsSpec::None);
        };
        let mut forbid = AggMode::Forbidden("CREATE");
        Ok(match &p.kind {
            ExprKind::Map(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    out.push((
                        Arc::from(k.name.as_str()),
                        self.expr(v, scope, &mut forbid)?,
                        v.span,
                    ));
                }
                PropsSpec::Literal(out)
            }
            _ => PropsSpec::Expr(self.expr(p, scope, &mut forbid)?, p.span),
        })
    }

    /// Compiles the pattern of CREATE (or MERGE's create branch when
    /// `merge_slots` gives the slots the match branch bound).
    fn create_pattern(
        &mut self,
        parts: &[PatternPart],
        scope: &mut Scope,
        merge: bool,
    ) -> Result<CreatePattern> {
        let mut cp = CreatePattern {
            nodes: Vec::new(),
            rels: Vec::new(),
            paths: Vec::new(),
        };
        let mut declared_here: HashSet<String> = HashSet::new();
        for part in parts {
            if part.kind != PathKind::Plain {
                return Err(ExecError::semantic(
                    "UnexpectedSyntax",
                    "shortestPath cannot be created",
                    Some(part.span),
                ));
            }
            let mut node_slots = Vec::new();
            let elements = std::iter::once(&part.element.start)
                .chain(part.element.chain.iter().map(|(_, n)| n));
            for n in elements {
                let has_detail = !n.labels.is_empty() || n.properties.is_some();
                let (slot, bound, var) = match &n.variable {
                    Some(v) => match scope.get(&v.name) {
                        Some(b) => {
                            if b.kind != VarKind::Node && b.kind != VarKind::Value {
                                return Err(ExecError::semantic(
                                    "VariableTypeConflict",
                                    format!(
                                        "variable `{}` is a {}, not a node",
                                        v.name,
                                        b.kind.name()
                                    ),
                                    Some(v.span),
                                ));
                            }
                            let fresh = declared_here.contains(&v.name);
                            let merge_new = merge && self.merge_new.contains(&b.slot);
                            if has_detail && !merge_new {
                                return Err(ExecError::semantic(
                                    "VariableAlreadyBound",
                                    format!(
                                        "variable `{}` is already bound and cannot be re-declared with labels or properties",
                                        v.name
                                    ),
                                    Some(v.span),
                                ));
                            }
                            (b.slot, !merge_new && !fresh, v.name.clone())
                        }
                        None => {
                            let slot = self.alloc();
                            scope.bind(&v.name, slot, VarKind::Node, v.span)?;
                            declared_here.insert(v.name.clone());
                            (slot, false, v.name.clone())
                        }
                    },
                    None => {
                        let slot = match self.merge_anon.get(&(n.span.start, n.span.end)) {
                            Some(s) if merge => *s,
                            _ => self.alloc(),
                        };
                        (slot, false, format!("anon_{slot}"))
                    }
                };
                node_slots.push(slot);
                if cp.nodes.iter().any(|x| x.slot == slot) {
                    continue;
                }
                let props = if bound {
                    PropsSpec::None
                } else {
                    self.props_spec(n.properties.as_deref(), scope)?
                };
                cp.nodes.push(CreateNode {
                    slot,
                    var,
                    bound,
                    labels: n
                        .labels
                        .iter()
                        .map(|l| Arc::from(l.name.as_str()))
                        .collect(),
                    props,
                });
            }
            let mut steps = Vec::new();
            for (i, (r, _)) in part.element.chain.iter().enumerate() {
                if r.types.len() != 1 {
                    return Err(ExecError::semantic(
                        "NoSingleRelationshipType",
                        "a relationship must have exactly one type to be created",
                        Some(r.span),
                    ));
                }
                if r.length.is_some() {
                    return Err(ExecError::semantic(
                        "CreatingVarLength",
                        "variable-length relationships cannot be created",
                        Some(r.span),
                    ));
                }
                let (src, dst) = match r.direction {
                    RelDirection::Right => (node_slots[i], node_slots[i + 1]),
                    RelDirection::Left => (node_slots[i + 1], node_slots[i]),
                    RelDirection::Both => {
                        if merge {
                            (node_slots[i], node_slots[i + 1])
                        } else {
                            return Err(ExecError::semantic(
                                "RequiresDirectedRelationship",
                                "only directed relationships can be created",
                                Some(r.span),
                            ));
                        }
                    }
                };
                let (slot, var) = match &r.variable {
                    Some(v) => match scope.get(&v.name) {
                        Some(b) if merge && self.merge_new.contains(&b.slot) => {
                            (b.slot, v.name.clone())
                        }
                        Some(_) => {
                            return Err(ExecError::semantic(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", v.name),
                                Some(v.span),
                            ))
                        }
                        None => {
                            let slot = self.alloc();
                            scope.bind(&v.name, slot, VarKind::Rel, v.span)?;
                            (slot, v.name.clone())
                        }
                    },
                    None => match self.merge_anon.get(&(r.span.start, r.span.end)) {
                        Some(s) if merge => (*s, format!("anon_{s}")),
                        _ => {
                            let s = self.alloc();
                            (s, format!("anon_{s}"))
                        }
                    },
                };
                let props = self.props_spec(r.properties.as_deref(), scope)?;
                cp.rels.push(CreateRel {
                    slot,
                    var,
                    rel_type: Arc::from(r.types[0].name.as_str()),
                    src,
                    dst,
                    props,
                });
                steps.push(PathStep::Single(slot, node_slots[i + 1]));
            }
            if let Some(v) = &part.variable {
                let slot = match scope.get(&v.name) {
                    Some(b) if merge && self.merge_new.contains(&b.slot) => b.slot,
                    _ => {
                        let slot = self.alloc();
                        scope.bind(&v.name, slot, VarKind::Path, v.span)?;
                        slot
                    }
                };
                cp.paths.push(BuildPath {
                    slot,
                    start: node_slots[0],
                    steps,
                });
            }
        }
        Ok(cp)
    }

    pub(crate) fn create(&mut self, c: &Create, scope: &mut Scope) -> Result<Op> {
        self.merge_new.clear();
        self.merge_anon.clear();
        Ok(Op::Create(self.create_pattern(&c.pattern, scope, false)?))
    }

    pub(crate) fn merge(&mut self, m: &Merge, scope: &mut Scope) -> Result<Op> {
        // Match branch first: it declares the pattern's variables.
        let outer: HashSet<usize> = scope.slots().into_iter().collect();
        let w0 = self.width;
        let mut after = scope.clone();
        let declared = self.declare_pattern(std::slice::from_ref(&m.pattern), &mut after)?;
        for r in &declared.graph.rels {
            if r.types.len() != 1 {
                return Err(ExecError::semantic(
                    "NoSingleRelationshipType",
                    "MERGE needs exactly one relationship type",
                    None,
                ));
            }
            if r.length.is_some() {
                return Err(ExecError::semantic(
                    "CreatingVarLength",
                    "MERGE cannot use variable-length relationships",
                    None,
                ));
            }
        }
        let anon_nodes = declared.graph.parts[0].node_order(&declared.graph);
        let anon_rels: Vec<usize> = declared.graph.parts[0]
            .steps
            .iter()
            .map(|s| declared.graph.rels[s.0].slot)
            .collect();
        let matcher = self.bind_declared(declared, None, &after, outer)?;
        let mut match_ops = Vec::new();
        self.opt
            .lower_match(&matcher, &self.matched_labels, &mut match_ops);
        let new_slots: Vec<usize> = (w0..self.width).collect();
        // Create branch: the same slots.
        self.merge_new = new_slots.iter().copied().collect();
        self.merge_anon.clear();
        let elements = std::iter::once(&m.pattern.element.start)
            .chain(m.pattern.element.chain.iter().map(|(_, n)| n));
        for (n, pn) in elements.zip(anon_nodes) {
            if n.variable.is_none() {
                self.merge_anon.insert((n.span.start, n.span.end), pn);
            }
        }
        for ((r, _), slot) in m.pattern.element.chain.iter().zip(anon_rels) {
            if r.variable.is_none() {
                self.merge_anon.insert((r.span.start, r.span.end), slot);
            }
        }
        let mut create_scope = after.clone();
        let create =
            self.create_pattern(std::slice::from_ref(&m.pattern), &mut create_scope, true)?;
        self.merge_new.clear();
        self.merge_anon.clear();
        let on_create = self.set_items(&m.on_create, &after)?;
        let on_match = self.set_items(&m.on_match, &after)?;
        *scope = after;
        Ok(Op::Merge(Box::new(MergeOp {
            matcher: SubPlan::new(match_ops),
            create,
            on_create,
            on_match,
            new_slots,
        })))
    }

    fn set_items(&mut self, items: &[SetItem], scope: &Scope) -> Result<Vec<SetOp>> {
        let mut out = Vec::with_capacity(items.len());
        let mut forbid = AggMode::Forbidden("SET");
        for it in items {
            out.push(match it {
                SetItem::Property {
                    target,
                    key,
                    value,
                    span,
                } => SetOp::Property {
                    target: self.expr(target, scope, &mut forbid)?,
                    key: Arc::from(key.name.as_str()),
                    value: self.expr(value, scope, &mut forbid)?,
                    span: *span,
                },
                SetItem::Properties {
                    variable,
                    value,
                    merge,
                    span,
                } => SetOp::Properties {
                    target: self.var_expr(&variable.name, variable.span, scope)?,
                    value: self.expr(value, scope, &mut forbid)?,
                    merge: *merge,
                    span: *span,
                },
                SetItem::Labels {
                    variable,
                    labels,
                    span,
                } => SetOp::AddLabels {
                    target: self.var_expr(&variable.name, variable.span, scope)?,
                    labels: labels.iter().map(|l| Arc::from(l.name.as_str())).collect(),
                    span: *span,
                },
            });
        }
        Ok(out)
    }

    fn var_expr(
        &mut self,
        name: &str,
        span: relgraph_cypher::ast::Span,
        scope: &Scope,
    ) -> Result<CExpr> {
        let e = Expr {
            kind: ExprKind::Variable(name.to_string()),
            span,
        };
        self.expr(&e, scope, &mut AggMode::Forbidden("SET"))
    }

    pub(crate) fn set(&mut self, s: &SetClause, scope: &Scope) -> Result<Op> {
        Ok(Op::Set(self.set_items(&s.items, scope)?))
    }

    pub(crate) fn remove(&mut self, r: &RemoveClause, scope: &Scope) -> Result<Op> {
        let mut out = Vec::with_capacity(r.items.len());
        let mut forbid = AggMode::Forbidden("REMOVE");
        for it in &r.items {
            out.push(match it {
                RemoveItem::Property { target, key, span } => SetOp::Property {
                    target: self.expr(target, scope, &mut forbid)?,
                    key: Arc::from(key.name.as_str()),
                    value: CExpr::Const(Value::Null),
                    span: *span,
                },
                RemoveItem::Labels {
                    variable,
                    labels,
                    span,
                } => SetOp::RemoveLabels {
                    target: self.var_expr(&variable.name, variable.span, scope)?,
                    labels: labels.iter().map(|l| Arc::from(l.name.as_str())).collect(),
                    span: *span,
                },
            });
        }
        Ok(Op::Set(out))
    }
}
