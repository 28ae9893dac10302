//! MATCH planning: declares pattern variables, then orders scans and
//! expansions greedily by selectivity and pushes each WHERE conjunct to
//! the first point where its variables are bound.

use std::collections::HashSet;

use relgraph_cypher::ast::{BinaryOp, Expr, ExprKind, PathKind, PatternPart, RelDirection};
use relgraph_graph::{Direction, RelTypeId};

use super::expr::AggMode;
use super::scope::{Scope, VarKind};
use super::Compiler;
use crate::error::{ExecError, Result};
use crate::options::MAX_PATTERN_LENGTH;
use crate::plan::{
    BuildPath, CExpr, Dir, Expand, NameRef, NodeScan, Op, PathStep, Seek, ShortestPath,
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

/// `node.key <op> value`: the node's slot, key, operator, value and the
/// value's slots.
type Hint = (usize, String, BinaryOp, CExpr, HashSet<usize>);

struct Conj {
    expr: CExpr,
    deps: HashSet<usize>,
    used: bool,
    /// `node.key <op> value` with the node's slot, for index seeks.
    hint: Option<Hint>,
}

fn deps_of(e: &CExpr) -> HashSet<usize> {
    let mut d = HashSet::new();
    e.visit_slots(&mut |s| {
        d.insert(s);
    });
    d
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

fn flip(op: BinaryOp) -> BinaryOp {
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
        // Conjuncts: property maps, then WHERE.
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
                )),
                Box::new(v.clone()),
            );
            conjs.push(Conj {
                deps: deps_of(&expr),
                expr,
                used: false,
                hint: Some((node.slot, key.clone(), BinaryOp::Eq, v, vdeps)),
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

        let mut bound: HashSet<usize> = outer_slots.clone();
        let mut node_bound: Vec<bool> = d.nodes.iter().map(|n| n.outer).collect();
        let mut rel_done: Vec<bool> = vec![false; d.rels.len()];
        let mut path_done: Vec<bool> = d.parts.iter().map(|p| p.path_slot.is_none()).collect();
        let mut match_rels: Vec<usize> = Vec::new();

        let flush = |conjs: &mut Vec<Conj>, bound: &HashSet<usize>, ops: &mut Vec<Op>| {
            for c in conjs.iter_mut() {
                if !c.used && c.deps.is_subset(bound) {
                    c.used = true;
                    ops.push(Op::Filter(c.expr.clone()));
                }
            }
        };
        flush(&mut conjs, &bound, ops);

        loop {
            // 1. Expand a relationship adjacent to a bound node.
            let mut best: Option<(u64, usize, bool)> = None; // (estimate, rel, from_left)
            for (ri, r) in d.rels.iter().enumerate() {
                if rel_done[ri] || d.parts[r.part].kind != PathKind::Plain {
                    continue;
                }
                let (lb, rb) = (node_bound[r.left], node_bound[r.right]);
                if !lb && !rb {
                    continue;
                }
                let (from_left, est) = if lb && rb {
                    (true, 0)
                } else if lb {
                    (
                        true,
                        1 + self.node_estimate(&d.nodes[r.right], &conjs, &bound).0,
                    )
                } else {
                    (
                        false,
                        1 + self.node_estimate(&d.nodes[r.left], &conjs, &bound).0,
                    )
                };
                if best.is_none_or(|(e, _, _)| est < e) {
                    best = Some((est, ri, from_left));
                }
            }
            if let Some((_, ri, from_left)) = best {
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
                ops.push(Op::Expand(Expand {
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
                    then_count: None,
                }));
                if !r.outer {
                    match_rels.push(ri);
                }
                rel_done[ri] = true;
                node_bound[to] = true;
                bound.insert(d.nodes[to].slot);
                bound.insert(r.slot);
                self.finish_paths(d, &node_bound, &rel_done, &mut path_done, &mut bound, ops);
                flush(&mut conjs, &bound, ops);
                continue;
            }
            // 2. Start a new component at the most selective unbound node.
            let mut best: Option<(u64, usize)> = None;
            for (ni, n) in d.nodes.iter().enumerate() {
                if node_bound[ni] {
                    continue;
                }
                // Cost of starting here: the scan, plus the cheapest first
                // expansion from every node it yields.
                let est = self.node_estimate(n, &conjs, &bound).0;
                let score = est.saturating_add(self.first_expand_cost(d, ni, est, &rel_done));
                if best.is_none_or(|(e, _)| score < e) {
                    best = Some((score, ni));
                }
            }
            if let Some((_, ni)) = best {
                let n = &d.nodes[ni];
                let (estimate, seek) = self.node_estimate(n, &conjs, &bound);
                let seek_label = match &seek {
                    Seek::Label(l)
                    | Seek::IndexEq { label: l, .. }
                    | Seek::IndexRange { label: l, .. } => Some(l.name.clone()),
                    Seek::All => None,
                };
                let labels = n
                    .labels
                    .iter()
                    .filter(|l| Some(l.as_str()) != seek_label.as_deref())
                    .map(|l| NameRef::label(l, self.catalog))
                    .collect();
                ops.push(Op::NodeScan(NodeScan {
                    slot: n.slot,
                    var: n.var.clone(),
                    seek,
                    labels,
                    estimate,
                }));
                node_bound[ni] = true;
                bound.insert(n.slot);
                self.finish_paths(d, &node_bound, &rel_done, &mut path_done, &mut bound, ops);
                flush(&mut conjs, &bound, ops);
                continue;
            }
            break;
        }
        // 3. Shortest paths between now-bound endpoints.
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
            flush(&mut conjs, &bound, ops);
        }
        for c in conjs.iter_mut() {
            if !c.used {
                c.used = true;
                ops.push(Op::Filter(c.expr.clone()));
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

    /// `n.key <op> value` (either side) where `value` does not read `n`.
    fn index_hint(&mut self, c: &Expr, scope: &Scope) -> Result<Option<Hint>> {
        let ExprKind::Binary(op, l, r) = &c.kind else {
            return Ok(None);
        };
        if !matches!(
            op,
            BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        ) {
            return Ok(None);
        }
        let prop_of = |e: &Expr| -> Option<(String, String)> {
            if let ExprKind::Property(base, key) = &e.kind {
                if let ExprKind::Variable(v) = &base.kind {
                    return Some((v.clone(), key.name.clone()));
                }
            }
            None
        };
        let (var, key, value, op) = if let Some((v, k)) = prop_of(l) {
            (v, k, r, *op)
        } else if let Some((v, k)) = prop_of(r) {
            (v, k, l, flip(*op))
        } else {
            return Ok(None);
        };
        let Some(b) = scope.get(&var) else {
            return Ok(None);
        };
        let slot = b.slot;
        let v = self.expr(value, scope, &mut AggMode::Forbidden("WHERE"))?;
        let vdeps = deps_of(&v);
        if vdeps.contains(&slot) {
            return Ok(None);
        }
        Ok(Some((slot, key, op, v, vdeps)))
    }

    /// Estimated rows of scanning `n`, and the seek that achieves it.
    /// Adjacency entries the cheapest not yet planned expansion from node
    /// `ni` would scan for `rows` start rows (by sampled degrees); 0 when
    /// no plain relationship of the pattern touches the node.
    fn first_expand_cost(&self, d: &Declared, ni: usize, rows: u64, rel_done: &[bool]) -> u64 {
        let catalog = self.catalog;
        let n = &d.nodes[ni];
        // The node's rarest label describes its nodes best.
        let from = n
            .labels
            .iter()
            .filter_map(|l| catalog.label_id(l))
            .min_by_key(|l| self.snapshot.label_count(*l));
        let mut best: Option<f64> = None;
        for (ri, r) in d.rels.iter().enumerate() {
            if rel_done[ri] || d.parts[r.part].kind != PathKind::Plain {
                continue;
            }
            let dirs: &[Direction] = match (r.dir, r.left == ni, r.right == ni) {
                (_, false, false) => continue,
                (RelDirection::Both, _, _) => &[Direction::Outgoing, Direction::Incoming],
                (RelDirection::Right, true, _) | (RelDirection::Left, false, true) => {
                    &[Direction::Outgoing]
                }
                _ => &[Direction::Incoming],
            };
            let types: Vec<RelTypeId> = if r.types.is_empty() {
                (0..catalog.rel_types().len() as u32)
                    .map(RelTypeId)
                    .collect()
            } else {
                r.types
                    .iter()
                    .filter_map(|t| catalog.rel_type_id(t))
                    .collect()
            };
            let (scanned, _) = self.snapshot.degree_sample(from, &types, dirs, &[]);
            let hops = r.length.map_or(1.0, |(_, max)| f64::from(max.clamp(1, 3)));
            let cost = rows as f64 * scanned.powf(hops);
            if best.is_none_or(|b| cost < b) {
                best = Some(cost);
            }
        }
        best.map_or(0, |c| c.min(u64::MAX as f64) as u64)
    }

    fn node_estimate(&self, n: &PNode, conjs: &[Conj], bound: &HashSet<usize>) -> (u64, Seek) {
        let catalog = self.catalog;
        let labels: Vec<NameRef<relgraph_graph::LabelId>> = n
            .labels
            .iter()
            .map(|l| NameRef::label(l, catalog))
            .collect();
        // An unknown label matches nothing: the cheapest possible start.
        if let Some(l) = labels.iter().find(|l| l.id.is_none()) {
            return (0, Seek::Label(l.clone()));
        }
        let hints: Vec<&Hint> = conjs
            .iter()
            .filter_map(|c| c.hint.as_ref())
            .filter(|h| h.0 == n.slot && h.4.is_subset(bound))
            .collect();
        for l in &labels {
            let lid = l.id.expect("unknown labels returned above");
            for h in &hints {
                if h.2 != BinaryOp::Eq {
                    continue;
                }
                if let Some(k) = catalog.prop_key_id(&h.1) {
                    if catalog.has_index(lid, k) {
                        return (
                            1,
                            Seek::IndexEq {
                                label: l.clone(),
                                key: NameRef::key(&h.1, catalog),
                                value: h.3.clone(),
                            },
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
            for h in &hints {
                let Some(k) = catalog.prop_key_id(&h.1) else {
                    continue;
                };
                if !catalog.has_index(lid, k) || key.is_some_and(|x| x != k) {
                    continue;
                }
                match h.2 {
                    BinaryOp::Gt | BinaryOp::Ge if lower.is_none() => {
                        lower = Some((h.3.clone(), h.2 == BinaryOp::Ge));
                        key = Some(k);
                    }
                    BinaryOp::Lt | BinaryOp::Le if upper.is_none() => {
                        upper = Some((h.3.clone(), h.2 == BinaryOp::Le));
                        key = Some(k);
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
                );
            }
        }
        let has_eq = hints.iter().any(|h| h.2 == BinaryOp::Eq);
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
        (est, seek)
    }
}
