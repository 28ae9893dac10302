//! MATCH planning: declares pattern variables, then orders scans and
//! expansions greedily by selectivity and pushes each WHERE conjunct to
//! the first point where its variables are bound.

use std::collections::HashSet;

use relgraph_cypher::ast::{BinaryOp, Expr, ExprKind, PathKind, PatternPart, RelDirection, Span};

use super::expr::AggMode;
use super::order::{Model, Step};
use super::scope::{Scope, VarKind};
use super::Compiler;
use crate::error::{ExecError, Result};
use crate::options::MAX_PATTERN_LENGTH;

/// How many nodes an `id(n) IN list` seek is taken to find when the list
/// is known only at run time (a parameter).
pub(crate) const ID_LIST_GUESS: u64 = 8;
use crate::plan::{
    BuildPath, CExpr, Dir, Expand, NameRef, NodeScan, Op, PathStep, RelIdList, Seek, ShortestPath,
};

/// A node of the pattern being planned.
pub(crate) struct PNode {
    pub var: String,
    pub slot: usize,
    pub labels: Vec<String>,
    /// Bound before this MATCH.
    pub outer: bool,
}

/// A relationship of the pattern being planned.
pub(crate) struct PRel {
    pub var: String,
    pub slot: usize,
    pub types: Vec<String>,
    pub dir: RelDirection,
    pub left: usize,
    pub right: usize,
    pub length: Option<(u32, u32)>,
    /// The upper bound is `QueryOptions::max_var_length`, not written in the
    /// pattern: a match that would extend past it is an error.
    pub implicit_max: bool,
    pub props: Vec<(String, Expr)>,
    pub outer: bool,
    pub part: usize,
}

/// A comma-separated part: its path variable and its chain.
pub(crate) struct PPart {
    pub path_slot: Option<usize>,
    pub kind: PathKind,
    pub start: usize,
    pub steps: Vec<(usize, usize)>,
}

/// All variables of one pattern, with slots allocated.
#[derive(Default)]
pub(crate) struct Declared {
    pub nodes: Vec<PNode>,
    pub rels: Vec<PRel>,
    pub parts: Vec<PPart>,
    /// Conjuncts implied by property maps: (node index or rel, key, value).
    pub node_props: Vec<(usize, String, Expr)>,
}

/// What a seek hint compares: a property, or the node's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HintKey {
    /// `node.key`
    Prop(String),
    /// `id(node)` (equality only)
    Id,
    /// `id(node) IN list`
    IdIn,
}

/// `node.key <op> value` or `id(node) = value`: the node's slot, what is
/// compared, operator, value and the value's slots.
pub(crate) type Hint = (usize, HintKey, BinaryOp, CExpr, HashSet<usize>);

/// One conjunct of a MATCH's predicates (property maps and WHERE).
pub(crate) struct Conj {
    pub expr: CExpr,
    /// Slots it reads.
    pub deps: HashSet<usize>,
    pub used: bool,
    /// `node.key <op> value` with the node's slot, for index seeks.
    pub hint: Option<Hint>,
}

fn deps_of(e: &CExpr) -> HashSet<usize> {
    let mut d = HashSet::new();
    e.visit_slots(&mut |s| {
        d.insert(s);
    });
    d
}

/// The relationship ids an expansion binding `rel` may produce, from a
/// conjunct `id(rel) = x` or `id(rel) IN list` whose value is known once
/// `bound` is: the expansion then looks those relationships up instead of
/// reading the node's whole adjacency when they are fewer. The conjunct
/// stays a filter (the list only narrows the candidates).
fn rel_id_candidates(conjs: &[Conj], rel: usize, bound: &HashSet<usize>) -> Option<CExpr> {
    conjs.iter().find_map(|c| {
        let (slot, key, _, value, deps) = c.hint.as_ref()?;
        if *slot != rel || !deps.is_subset(bound) {
            return None;
        }
        match key {
            HintKey::Id => Some(CExpr::List(vec![value.clone()])),
            HintKey::IdIn => Some(value.clone()),
            HintKey::Prop(_) => None,
        }
    })
}

/// Splits an AND chain into conjuncts.
/// Emits a filter for every conjunct whose slots are now bound, each
/// with the rows the model expects after it (`estimates`: conjunct and
/// rows after it; a conjunct not listed keeps the rows as they are).
fn flush(
    conjs: &mut [Conj],
    bound: &HashSet<usize>,
    estimates: &[(usize, f64)],
    rows: &mut f64,
    ops: &mut Vec<Op>,
) {
    for (ci, c) in conjs.iter_mut().enumerate() {
        if !c.used && c.deps.is_subset(bound) {
            c.used = true;
            if let Some((_, r)) = estimates.iter().find(|(i, _)| *i == ci) {
                *rows = *r;
            }
            ops.push(Op::Filter(c.expr.clone(), Some(*rows)));
        }
    }
}

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
            return Err(ExecError::Limit(format!(
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
                                    return Err(ExecError::Unsupported {
                                        feature: "a bound variable in a variable-length pattern"
                                            .into(),
                                        span: Some(v.span),
                                    });
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
                let mut props = Vec::new();
                if let Some(p) = &rel.properties {
                    props = self.prop_map_entries(p)?;
                }
                let ri = d.rels.len();
                d.rels.push(PRel {
                    var,
                    slot,
                    types: rel.types.iter().map(|t| t.name.clone()).collect(),
                    dir: rel.direction,
                    left,
                    right,
                    length,
                    implicit_max,
                    props,
                    outer,
                    part: pi,
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
                None => None,
            };
            if part.kind != PathKind::Plain && steps.len() != 1 {
                return Err(ExecError::semantic(
                    "InvalidArgumentType",
                    "shortestPath needs a pattern of exactly one relationship",
                    Some(part.span),
                ));
            }
            d.parts.push(PPart {
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
                if let Some(i) = d.nodes.iter().position(|x| x.var == v.name) {
                    for l in &labels {
                        if !d.nodes[i].labels.contains(l) {
                            d.nodes[i].labels.push(l.clone());
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
                    d.nodes.push(PNode {
                        var: v.name.clone(),
                        slot,
                        labels,
                        outer,
                    });
                    d.nodes.len() - 1
                }
            }
            None => {
                let slot = self.alloc();
                d.nodes.push(PNode {
                    var: format!("anon_{slot}"),
                    slot,
                    labels,
                    outer: false,
                });
                d.nodes.len() - 1
            }
        };
        if let Some(p) = &n.properties {
            for (k, v) in self.prop_map_entries(p)? {
                d.node_props.push((idx, k, v));
            }
        }
        Ok(idx)
    }

    /// Plans a MATCH (or a pattern predicate): appends operators to `ops`
    /// and binds the pattern's variables in `scope`.
    pub(crate) fn plan_match(
        &mut self,
        parts: &[PatternPart],
        where_: Option<&Expr>,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
        _optional: bool,
    ) -> Result<()> {
        let outer_slots: HashSet<usize> = scope.slots().into_iter().collect();
        let d = self.declare_pattern(parts, scope)?;
        self.plan_declared(&d, where_, scope, &outer_slots, ops)
    }

    /// Plans matching a declared pattern.
    pub(crate) fn plan_declared(
        &mut self,
        d: &Declared,
        where_: Option<&Expr>,
        scope: &Scope,
        outer_slots: &HashSet<usize>,
        ops: &mut Vec<Op>,
    ) -> Result<()> {
        let mut conjs = self.match_conjuncts(d, where_, scope)?;
        let mut bound: HashSet<usize> = outer_slots.clone();
        let mut node_bound: Vec<bool> = d.nodes.iter().map(|n| n.outer).collect();
        let mut rel_done: Vec<bool> = vec![false; d.rels.len()];
        let mut path_done: Vec<bool> = d.parts.iter().map(|p| p.path_slot.is_none()).collect();
        let mut match_rels: Vec<usize> = Vec::new();

        let model = self.cost_model(d, &conjs, outer_slots);
        let mut order = model.best_order();
        // A MATCH planned right after another runs once per row of it:
        // estimates count all rows, so scale them by that one's estimate.
        let mut rows = ops.last().and_then(Op::estimate).unwrap_or(1.0);
        order.scale(rows);
        flush(&mut conjs, &bound, &[], &mut rows, ops);
        for ((step, after), filters) in order.steps.iter().zip(&order.rows).zip(&order.filters) {
            rows = *after;
            match *step {
                Step::Expand { rel, from_left } => {
                    let op = self.expand_op(d, rel, from_left, &node_bound, &match_rels, scope)?;
                    let r = &d.rels[rel];
                    if !r.outer {
                        match_rels.push(rel);
                    }
                    rel_done[rel] = true;
                    let to = if from_left { r.right } else { r.left };
                    node_bound[to] = true;
                    bound.insert(d.nodes[to].slot);
                    let rel_ids = if op.var_length.is_none() && !op.rel_bound {
                        rel_id_candidates(&conjs, r.slot, &bound).map(|list| {
                            let index = deps_of(&list).is_empty().then(|| {
                                self.rel_lists += 1;
                                self.rel_lists - 1
                            });
                            RelIdList { list, index }
                        })
                    } else {
                        None
                    };
                    bound.insert(r.slot);
                    ops.push(Op::Expand(Expand {
                        estimate: Some(rows),
                        rel_ids,
                        ..op
                    }));
                }
                Step::Scan { node } => {
                    let n = &d.nodes[node];
                    let (_, seek, _) = self.node_estimate(n, &conjs, &bound);
                    ops.push(Op::NodeScan(self.scan_op(n, seek, rows)));
                    node_bound[node] = true;
                    bound.insert(n.slot);
                }
            }
            self.finish_paths(d, &node_bound, &rel_done, &mut path_done, &mut bound, ops);
            flush(&mut conjs, &bound, filters, &mut rows, ops);
        }
        self.plan_shortest(
            d,
            scope,
            &mut conjs,
            &mut bound,
            &mut rel_done,
            &mut path_done,
            ops,
        )?;
        for c in conjs.iter_mut() {
            if !c.used {
                c.used = true;
                ops.push(Op::Filter(c.expr.clone(), None));
            }
        }
        Ok(())
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
            let node = &d.nodes[*ni];
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
            conjs.push(Conj {
                deps: deps_of(&expr),
                expr,
                used: false,
                hint: Some((
                    node.slot,
                    HintKey::Prop(key.clone()),
                    BinaryOp::Eq,
                    v,
                    vdeps,
                )),
            });
        }
        for n in &d.nodes {
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
                conjs.push(Conj {
                    deps: deps_of(&expr),
                    expr,
                    used: false,
                    hint: None,
                });
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
                conjs.push(Conj {
                    deps: deps_of(&expr),
                    expr,
                    used: false,
                    hint,
                });
            }
        }
        Ok(conjs)
    }

    /// The estimation model of a pattern: which conjuncts an index seek
    /// could answer for each node, whatever else is bound by then.
    fn cost_model(&self, d: &Declared, conjs: &[Conj], outer: &HashSet<usize>) -> Model {
        let mut all = outer.clone();
        all.extend(d.nodes.iter().map(|n| n.slot));
        all.extend(d.rels.iter().map(|r| r.slot));
        let seek = |ni: usize| {
            let n = &d.nodes[ni];
            let (_, seek, used) = self.node_estimate(n, conjs, &all);
            if matches!(seek, Seek::Label(_) | Seek::All) {
                return None;
            }
            let needs: HashSet<usize> = used
                .iter()
                .filter_map(|&c| conjs[c].hint.as_ref())
                .flat_map(|h| h.4.iter().copied())
                .filter(|s| !outer.contains(s))
                .collect();
            Some((used, needs))
        };
        Model::new(self.snapshot, d, conjs, &seek, &self.matched_labels)
    }

    /// The expansion of relationship `ri` from one of its ends.
    fn expand_op(
        &mut self,
        d: &Declared,
        ri: usize,
        from_left: bool,
        node_bound: &[bool],
        match_rels: &[usize],
        scope: &Scope,
    ) -> Result<Expand> {
        let r = &d.rels[ri];
        let (from, to) = if from_left {
            (r.left, r.right)
        } else {
            (r.right, r.left)
        };
        let dir = match (r.dir, from_left) {
            (RelDirection::Both, _) => Dir::Both,
            (RelDirection::Right, true) | (RelDirection::Left, false) => Dir::Out,
            _ => Dir::In,
        };
        let to_bound = node_bound[to];
        let mut rel_props = Vec::new();
        for (k, v) in &r.props {
            rel_props.push((
                NameRef::key(k, self.catalog),
                self.expr(v, scope, &mut AggMode::Forbidden("a pattern"))?,
            ));
        }
        Ok(Expand {
            from: d.nodes[from].slot,
            rel: r.slot,
            to: d.nodes[to].slot,
            from_var: d.nodes[from].var.clone(),
            rel_var: r.var.clone(),
            to_var: d.nodes[to].var.clone(),
            types: r
                .types
                .iter()
                .map(|t| NameRef::rel_type(t, self.catalog))
                .collect(),
            dir,
            to_bound,
            rel_bound: r.outer,
            to_labels: if to_bound {
                Vec::new()
            } else {
                d.nodes[to]
                    .labels
                    .iter()
                    .map(|l| NameRef::label(l, self.catalog))
                    .collect()
            },
            rel_props,
            unique_with: match_rels.iter().map(|&i| d.rels[i].slot).collect(),
            var_length: r.length,
            max_is_limit: r.implicit_max,
            reverse_list: !from_left,
            distinct_endpoints: false,
            count_into: None,
            closing: None,
            rel_ids: None,
            estimate: None,
        })
    }

    /// A scan of node `n` through `seek`, estimated to leave `rows` rows.
    fn scan_op(&self, n: &PNode, seek: Seek, rows: f64) -> NodeScan {
        let seek_label = match &seek {
            Seek::Label(l) | Seek::IndexEq { label: l, .. } | Seek::IndexRange { label: l, .. } => {
                Some(l.name.clone())
            }
            Seek::All | Seek::NodeId(_) | Seek::NodeIds(_) => None,
        };
        let labels = n
            .labels
            .iter()
            .filter(|l| Some(l.as_str()) != seek_label.as_deref())
            .map(|l| NameRef::label(l, self.catalog))
            .collect();
        NodeScan {
            slot: n.slot,
            var: n.var.clone(),
            seek,
            labels,
            estimate: rows,
        }
    }

    /// Shortest paths between endpoints the pattern has bound.
    #[allow(clippy::too_many_arguments)]
    fn plan_shortest(
        &mut self,
        d: &Declared,
        scope: &Scope,
        conjs: &mut [Conj],
        bound: &mut HashSet<usize>,
        rel_done: &mut [bool],
        path_done: &mut [bool],
        ops: &mut Vec<Op>,
    ) -> Result<()> {
        for (pi, p) in d.parts.iter().enumerate() {
            if p.kind == PathKind::Plain {
                continue;
            }
            let (ri, _) = p.steps[0];
            let r = &d.rels[ri];
            let (min, max) = r.length.unwrap_or((1, 1));
            let path_slot = match p.path_slot {
                Some(s) => s,
                None => self.alloc(),
            };
            let mut rel_props = Vec::new();
            for (k, v) in &r.props {
                rel_props.push((
                    NameRef::key(k, self.catalog),
                    self.expr(v, scope, &mut AggMode::Forbidden("a pattern"))?,
                ));
            }
            ops.push(Op::ShortestPath(ShortestPath {
                from: d.nodes[r.left].slot,
                to: d.nodes[r.right].slot,
                path_slot,
                rel_slot: if r.var.starts_with("anon_") {
                    None
                } else {
                    Some(r.slot)
                },
                types: r
                    .types
                    .iter()
                    .map(|t| NameRef::rel_type(t, self.catalog))
                    .collect(),
                dir: match r.dir {
                    RelDirection::Right => Dir::Out,
                    RelDirection::Left => Dir::In,
                    RelDirection::Both => Dir::Both,
                },
                min,
                max,
                all: p.kind == PathKind::AllShortest,
                rel_props,
            }));
            rel_done[ri] = true;
            path_done[pi] = true;
            bound.insert(path_slot);
            bound.insert(r.slot);
            for c in conjs.iter_mut() {
                if !c.used && c.deps.is_subset(bound) {
                    c.used = true;
                    ops.push(Op::Filter(c.expr.clone(), None));
                }
            }
        }
        Ok(())
    }

    fn finish_paths(
        &self,
        d: &Declared,
        node_bound: &[bool],
        rel_done: &[bool],
        path_done: &mut [bool],
        bound: &mut HashSet<usize>,
        ops: &mut Vec<Op>,
    ) {
        for (pi, p) in d.parts.iter().enumerate() {
            if path_done[pi] || p.kind != PathKind::Plain {
                continue;
            }
            let ready =
                node_bound[p.start] && p.steps.iter().all(|(r, n)| rel_done[*r] && node_bound[*n]);
            if !ready {
                continue;
            }
            let slot = p
                .path_slot
                .expect("path_done is false only for named paths");
            ops.push(Op::BuildPath(BuildPath {
                slot,
                start: d.nodes[p.start].slot,
                steps: p
                    .steps
                    .iter()
                    .map(|(r, n)| {
                        let rel = &d.rels[*r];
                        if rel.length.is_some() {
                            PathStep::Var(rel.slot, d.nodes[*n].slot)
                        } else {
                            PathStep::Single(rel.slot, d.nodes[*n].slot)
                        }
                    })
                    .collect(),
            }));
            path_done[pi] = true;
            bound.insert(slot);
        }
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

    /// The best way to scan `n` with what is bound: its estimated rows,
    /// the seek, and the conjuncts an index seek answers.
    fn node_estimate(
        &self,
        n: &PNode,
        conjs: &[Conj],
        bound: &HashSet<usize>,
    ) -> (u64, Seek, Vec<usize>) {
        let catalog = self.catalog;
        let labels: Vec<NameRef<relgraph_graph::LabelId>> = n
            .labels
            .iter()
            .map(|l| NameRef::label(l, catalog))
            .collect();
        // An unknown label matches nothing: the cheapest possible start.
        if let Some(l) = labels.iter().find(|l| l.id.is_none()) {
            return (0, Seek::Label(l.clone()), Vec::new());
        }
        let hints: Vec<(usize, &Hint)> = conjs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.hint.as_ref().map(|h| (i, h)))
            .filter(|(_, h)| h.0 == n.slot && h.4.is_subset(bound))
            .collect();
        // A node id: one node at most.
        if let Some(&(ci, h)) = hints.iter().find(|(_, h)| h.1 == HintKey::Id) {
            return (1, Seek::NodeId(h.3.clone()), vec![ci]);
        }
        // Nodes by a list of ids: as many as the list holds, at most.
        if let Some(&(ci, h)) = hints.iter().find(|(_, h)| h.1 == HintKey::IdIn) {
            let n = match &h.3 {
                CExpr::Const(relgraph_graph::Value::List(xs)) => xs.len() as u64,
                _ => ID_LIST_GUESS,
            };
            return (n, Seek::NodeIds(h.3.clone()), vec![ci]);
        }
        for l in &labels {
            let lid = l.id.expect("unknown labels returned above");
            for &(ci, h) in &hints {
                let (BinaryOp::Eq, HintKey::Prop(key)) = (h.2, &h.1) else {
                    continue;
                };
                if let Some(k) = catalog.prop_key_id(key) {
                    if catalog.has_index(lid, k) {
                        return (
                            1,
                            Seek::IndexEq {
                                label: l.clone(),
                                key: NameRef::key(key, catalog),
                                value: h.3.clone(),
                            },
                            vec![ci],
                        );
                    }
                }
            }
        }
        for l in &labels {
            let lid = l.id.expect("unknown labels returned above");
            let mut lower = None;
            let mut upper = None;
            let mut key = None;
            let mut used = Vec::new();
            for &(ci, h) in &hints {
                let HintKey::Prop(name) = &h.1 else {
                    continue;
                };
                let Some(k) = catalog.prop_key_id(name) else {
                    continue;
                };
                if !catalog.has_index(lid, k) || key.is_some_and(|x| x != k) {
                    continue;
                }
                match h.2 {
                    BinaryOp::Gt | BinaryOp::Ge if lower.is_none() => {
                        lower = Some((h.3.clone(), h.2 == BinaryOp::Ge));
                        key = Some(k);
                        used.push(ci);
                    }
                    BinaryOp::Lt | BinaryOp::Le if upper.is_none() => {
                        upper = Some((h.3.clone(), h.2 == BinaryOp::Le));
                        key = Some(k);
                        used.push(ci);
                    }
                    _ => {}
                }
            }
            if let Some(k) = key {
                let est = self.snapshot.label_count(lid) / 4 + 1;
                let key = NameRef {
                    name: catalog.prop_key_name(k).unwrap_or_default().into(),
                    id: Some(k),
                };
                return (
                    est,
                    Seek::IndexRange {
                        label: l.clone(),
                        key,
                        lower,
                        upper,
                    },
                    used,
                );
            }
        }
        let has_eq = hints.iter().any(|(_, h)| h.2 == BinaryOp::Eq);
        let (mut est, seek) = match labels
            .iter()
            .map(|l| {
                (
                    self.snapshot
                        .label_count(l.id.expect("unknown labels returned above")),
                    l,
                )
            })
            .min_by_key(|(c, _)| *c)
        {
            Some((c, l)) => (c, Seek::Label(l.clone())),
            None => (self.snapshot.node_count(), Seek::All),
        };
        if has_eq {
            est = est / 10 + 1;
        }
        (est, seek, Vec::new())
    }
}
