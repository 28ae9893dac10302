//! Lowering a [`LogicalMatch`] to physical operators: the order the cost
//! model chose (`order.rs`) becomes scans, seeks and expansions, each
//! WHERE conjunct a filter at the first point where its slots are bound,
//! each operator with the rows the model expects after it.

use std::collections::{HashMap, HashSet};

use relgraph_cypher::ast::{BinaryOp, PathKind, RelDirection};

use super::order::{Model, Step};
use super::Optimizer;
use relgraph_graph::PropKeyId;

use crate::plan::logical::{deps_of, Conj, Hint, HintKey, LogicalMatch, PNode, PRel, PatternGraph};
use crate::plan::{
    BuildPath, CExpr, Dir, Expand, NameRef, NodeScan, Op, PathStep, RelIdList, Seek, ShortestPath,
};

/// How many nodes an `id(n) IN list` seek is taken to find when the list
/// is known only at run time (a parameter).
pub(crate) const ID_LIST_GUESS: u64 = 8;

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

/// Whether relationships `a` and `b` of one pattern could bind the same
/// relationship: not where each names its types and they share none
/// (`[:CUSTOMER_OF]` and `[:OPENED_TICKET]`), so the expansion of one
/// need not check its matches against the other.
fn may_be_one(a: &PRel, b: &PRel) -> bool {
    a.types.is_empty() || b.types.is_empty() || a.types.iter().any(|t| b.types.contains(t))
}

/// Where the lowering of one pattern stands: what is bound, which
/// relationships are expanded, which paths are built, which conjuncts
/// are placed as filters.
struct Progress<'m> {
    m: &'m LogicalMatch,
    bound: HashSet<usize>,
    node_bound: Vec<bool>,
    rel_done: Vec<bool>,
    path_done: Vec<bool>,
    placed: Vec<bool>,
    /// Relationships of this MATCH expanded so far (uniqueness).
    match_rels: Vec<usize>,
}

impl<'m> Progress<'m> {
    fn new(m: &'m LogicalMatch) -> Self {
        let g = &m.pattern;
        Progress {
            m,
            bound: m.outer.clone(),
            node_bound: g.nodes.iter().map(|n| n.outer).collect(),
            rel_done: vec![false; g.rels.len()],
            path_done: g.parts.iter().map(|p| p.path_slot.is_none()).collect(),
            placed: vec![false; m.conjuncts.len()],
            match_rels: Vec::new(),
        }
    }

    /// Emits a filter for every conjunct whose slots are now bound, each
    /// with the rows the model expects after it (`estimates`: conjunct and
    /// rows after it; a conjunct not listed keeps the rows as they are;
    /// `None`: no estimate).
    fn flush(&mut self, estimates: &[(usize, f64)], rows: Option<&mut f64>, ops: &mut Vec<Op>) {
        let mut rows = rows;
        for (ci, c) in self.m.conjuncts.iter().enumerate() {
            if !self.placed[ci] && c.deps.is_subset(&self.bound) {
                self.placed[ci] = true;
                let estimate = rows.as_deref_mut().map(|rows| {
                    if let Some((_, r)) = estimates.iter().find(|(i, _)| *i == ci) {
                        *rows = *r;
                    }
                    *rows
                });
                ops.push(Op::Filter(c.expr.clone(), estimate));
            }
        }
    }

    /// Builds every named path whose elements are all bound now.
    fn finish_paths(&mut self, ops: &mut Vec<Op>) {
        let g = &self.m.pattern;
        for (pi, p) in g.parts.iter().enumerate() {
            if self.path_done[pi] || p.kind != PathKind::Plain {
                continue;
            }
            let ready = self.node_bound[p.start]
                && p.steps
                    .iter()
                    .all(|(r, n)| self.rel_done[*r] && self.node_bound[*n]);
            if !ready {
                continue;
            }
            let slot = p
                .path_slot
                .expect("path_done is false only for named paths");
            ops.push(Op::BuildPath(BuildPath {
                slot,
                start: g.nodes[p.start].slot,
                steps: p
                    .steps
                    .iter()
                    .map(|(r, n)| {
                        let rel = &g.rels[*r];
                        if rel.length.is_some() {
                            PathStep::Var(rel.slot, g.nodes[*n].slot)
                        } else {
                            PathStep::Single(rel.slot, g.nodes[*n].slot)
                        }
                    })
                    .collect(),
            }));
            self.path_done[pi] = true;
            self.bound.insert(slot);
        }
    }
}

impl Optimizer<'_> {
    /// Lowers a pattern to physical operators appended to `ops`: in the
    /// order of least estimated cost over the whole pattern, each conjunct
    /// a filter where its slots are first bound. `matched_labels`: the
    /// labels earlier clauses matched node slots with. Returns each slot
    /// the pattern binds with the rows expected just after it is bound
    /// (`Optimizer::bound_rows`, for the clauses of the query itself).
    pub(crate) fn lower_match(
        &mut self,
        m: &LogicalMatch,
        matched_labels: &HashMap<usize, Vec<String>>,
        ops: &mut Vec<Op>,
    ) -> Vec<(usize, f64)> {
        let mut bound_rows = Vec::new();
        let g = &m.pattern;
        let mut at = Progress::new(m);
        let model = self.cost_model(m, matched_labels);
        let mut order = model.best_order();
        // A MATCH planned right after another runs once per row of it:
        // estimates count all rows, so scale them by that one's estimate.
        let mut rows = ops.last().and_then(Op::estimate).unwrap_or(1.0);
        order.scale(rows);
        at.flush(&[], Some(&mut rows), ops);
        for ((step, after), filters) in order.steps.iter().zip(&order.rows).zip(&order.filters) {
            rows = *after;
            let newly = match *step {
                Step::Expand { rel, from_left } => {
                    let r = &g.rels[rel];
                    let to = if from_left { r.right } else { r.left };
                    vec![r.slot, g.nodes[to].slot]
                }
                Step::Scan { node } => vec![g.nodes[node].slot],
            };
            match *step {
                Step::Expand { rel, from_left } => {
                    let op = self.expand_op(g, rel, from_left, &at);
                    let r = &g.rels[rel];
                    if !r.outer {
                        at.match_rels.push(rel);
                    }
                    at.rel_done[rel] = true;
                    let to = if from_left { r.right } else { r.left };
                    at.node_bound[to] = true;
                    at.bound.insert(g.nodes[to].slot);
                    let rel_ids = if op.var_length.is_none() && !op.rel_bound {
                        rel_id_candidates(&m.conjuncts, r.slot, &at.bound).map(|list| {
                            let index = deps_of(&list).is_empty().then(|| {
                                self.tables.rel_lists += 1;
                                self.tables.rel_lists - 1
                            });
                            Box::new(RelIdList { list, index })
                        })
                    } else {
                        None
                    };
                    let trails = (op.to_bound && op.var_length.is_some_and(|(_, max)| max <= 2))
                        .then(|| {
                            self.tables.trails += 1;
                            (self.tables.trails - 1) as u32
                        });
                    let hops = (rel_ids.is_none() && op.one_hop_between_bound()).then(|| {
                        self.tables.hops += 1;
                        (self.tables.hops - 1) as u32
                    });
                    at.bound.insert(r.slot);
                    ops.push(Op::Expand(Expand {
                        estimate: Some(rows),
                        rel_ids,
                        trails,
                        hops,
                        ..op
                    }));
                }
                Step::Scan { node } => {
                    let n = &g.nodes[node];
                    let (_, seek, _) = self.node_estimate(n, &m.conjuncts, &at.bound);
                    ops.push(Op::NodeScan(self.scan_op(n, seek, rows)));
                    at.node_bound[node] = true;
                    at.bound.insert(n.slot);
                }
            }
            at.finish_paths(ops);
            at.flush(filters, Some(&mut rows), ops);
            bound_rows.extend(newly.into_iter().map(|slot| (slot, rows)));
        }
        self.lower_shortest(&mut at, ops);
        for (c, placed) in m.conjuncts.iter().zip(&at.placed) {
            if !placed {
                ops.push(Op::Filter(c.expr.clone(), None));
            }
        }
        bound_rows
    }

    /// The estimation model of a pattern: which conjuncts an index seek
    /// could answer for each node, whatever else is bound by then.
    pub(super) fn cost_model(
        &self,
        m: &LogicalMatch,
        matched_labels: &HashMap<usize, Vec<String>>,
    ) -> Model {
        let (g, conjs, outer) = (&m.pattern, &m.conjuncts, &m.outer);
        let mut all = outer.clone();
        all.extend(g.nodes.iter().map(|n| n.slot));
        all.extend(g.rels.iter().map(|r| r.slot));
        let seek = |ni: usize| {
            let n = &g.nodes[ni];
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
        Model::new(self.snapshot, g, conjs, &seek, matched_labels)
    }

    /// A relationship's property map as the operators take it.
    fn rel_props(&self, props: &[(String, CExpr)]) -> Vec<(NameRef<PropKeyId>, CExpr)> {
        props
            .iter()
            .map(|(k, v)| (NameRef::key(k, self.catalog), v.clone()))
            .collect()
    }

    /// The expansion of relationship `ri` from one of its ends.
    fn expand_op(&self, g: &PatternGraph, ri: usize, from_left: bool, at: &Progress<'_>) -> Expand {
        let r = &g.rels[ri];
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
        let to_bound = at.node_bound[to];
        Expand {
            from: g.nodes[from].slot,
            rel: r.slot,
            to: g.nodes[to].slot,
            from_var: g.nodes[from].var.clone(),
            rel_var: r.var.clone(),
            to_var: g.nodes[to].var.clone(),
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
                g.nodes[to]
                    .labels
                    .iter()
                    .map(|l| NameRef::label(l, self.catalog))
                    .collect()
            },
            rel_props: self.rel_props(&r.props),
            unique_with: at
                .match_rels
                .iter()
                .filter(|&&i| g.rels[i].clause == r.clause && may_be_one(&g.rels[i], r))
                .map(|&i| g.rels[i].slot)
                .collect(),
            var_length: r.length,
            max_is_limit: r.implicit_max,
            reverse_list: !from_left,
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
            reads: Vec::new(),
            estimate: rows,
        }
    }

    /// Shortest paths between endpoints the pattern has bound.
    fn lower_shortest(&self, at: &mut Progress<'_>, ops: &mut Vec<Op>) {
        let g = &at.m.pattern;
        for (pi, p) in g.parts.iter().enumerate() {
            if p.kind == PathKind::Plain {
                continue;
            }
            let (ri, _) = p.steps[0];
            let r = &g.rels[ri];
            let (min, max) = r.length.unwrap_or((1, 1));
            let path_slot = p
                .path_slot
                .expect("the binder gives every shortest path search a slot");
            ops.push(Op::ShortestPath(ShortestPath {
                from: g.nodes[r.left].slot,
                to: g.nodes[r.right].slot,
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
                rel_props: self.rel_props(&r.props),
            }));
            at.rel_done[ri] = true;
            at.path_done[pi] = true;
            at.bound.insert(path_slot);
            at.bound.insert(r.slot);
            at.flush(&[], None, ops);
        }
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
