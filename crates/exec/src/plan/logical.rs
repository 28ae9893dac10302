//! The logical plan: what a single query computes, before the optimizer
//! has chosen how.
//!
//! The binder (`compile`) turns a query's clauses into a [`LogicalQuery`]:
//! every MATCH as a [`LogicalMatch`] (the pattern as a graph of nodes and
//! relationships with their slots, and the conjuncts of its property maps
//! and WHERE with the slots each reads and the seeks each allows), nothing
//! yet ordered; every other clause as the one operator that computes it.
//! The optimizer (`optimize`) chooses each pattern's order by cost over
//! the whole pattern from the snapshot's statistics, lowers it to scans,
//! expansions and filters with their estimates, and then rewrites the
//! physical operators (hash joins, counts pushed into expansions, closing
//! expansions fused into intersections).

use std::collections::{HashMap, HashSet};

use relgraph_cypher::ast::{BinaryOp, PathKind, RelDirection};

use super::{CExpr, Op};

/// A node of a pattern.
#[derive(Clone)]
pub(crate) struct PNode {
    pub var: String,
    pub slot: usize,
    pub labels: Vec<String>,
    /// Bound before this MATCH.
    pub outer: bool,
}

/// A relationship of a pattern.
#[derive(Clone)]
pub(crate) struct PRel {
    pub var: String,
    pub slot: usize,
    pub types: Vec<String>,
    pub dir: RelDirection,
    /// Index of its left node in [`PatternGraph::nodes`].
    pub left: usize,
    /// Index of its right node.
    pub right: usize,
    pub length: Option<(u32, u32)>,
    /// The upper bound is `QueryOptions::max_var_length`, not written in the
    /// pattern: a match that would extend past it is an error.
    pub implicit_max: bool,
    /// Its property map, key by key.
    pub props: Vec<(String, CExpr)>,
    /// Bound before this MATCH.
    pub outer: bool,
    /// The comma-separated part it belongs to.
    pub part: usize,
    /// The MATCH clause it was written in (0 unless consecutive clauses
    /// were merged): relationship uniqueness holds within one clause.
    pub clause: usize,
}

/// A comma-separated part: its path variable and its chain.
#[derive(Clone)]
pub(crate) struct PPart {
    /// The slot of the path: its variable's, or (for a shortest path
    /// search) one of its own.
    pub path_slot: Option<usize>,
    pub kind: PathKind,
    pub start: usize,
    /// (relationship, node) indexes along the chain.
    pub steps: Vec<(usize, usize)>,
}

impl PPart {
    /// Node slots of the part's chain in pattern order.
    pub(crate) fn node_order(&self, g: &PatternGraph) -> Vec<usize> {
        std::iter::once(self.start)
            .chain(self.steps.iter().map(|s| s.1))
            .map(|i| g.nodes[i].slot)
            .collect()
    }
}

/// The elements of one pattern, with slots allocated.
#[derive(Clone, Default)]
pub(crate) struct PatternGraph {
    pub nodes: Vec<PNode>,
    pub rels: Vec<PRel>,
    pub parts: Vec<PPart>,
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

/// One conjunct of a MATCH's predicates (property maps, labels of nodes
/// bound before, WHERE).
#[derive(Clone)]
pub(crate) struct Conj {
    pub expr: CExpr,
    /// Slots it reads.
    pub deps: HashSet<usize>,
    /// `node.key <op> value` with the node's slot, for index seeks.
    pub hint: Option<Hint>,
}

impl Conj {
    /// A conjunct reading the slots `expr` reads.
    pub(crate) fn new(expr: CExpr, hint: Option<Hint>) -> Conj {
        Conj {
            deps: deps_of(&expr),
            expr,
            hint,
        }
    }
}

/// The slots an expression reads.
pub(crate) fn deps_of(e: &CExpr) -> HashSet<usize> {
    let mut d = HashSet::new();
    e.visit_slots(&mut |s| {
        d.insert(s);
    });
    d
}

/// A MATCH (or a pattern predicate's, comprehension's or MERGE's pattern)
/// as the binder leaves it: what to match, in no order.
#[derive(Clone)]
pub(crate) struct LogicalMatch {
    pub pattern: PatternGraph,
    pub conjuncts: Vec<Conj>,
    /// Slots bound before the match.
    pub outer: HashSet<usize>,
}

impl LogicalMatch {
    /// Whether `next`, a MATCH right after this one, can be matched as
    /// part of this pattern: it rebinds no relationship (a relationship
    /// bound before it is a check, not an element the search may order)
    /// and neither has a shortest path search (it runs after the rest).
    pub(crate) fn can_absorb(&self, next: &LogicalMatch) -> bool {
        let plain = |m: &LogicalMatch| m.pattern.parts.iter().all(|p| p.kind == PathKind::Plain);
        plain(self) && plain(next) && next.pattern.rels.iter().all(|r| !r.outer)
    }

    /// `MATCH self MATCH next` as one pattern: `next`'s nodes bound by
    /// this pattern become the same nodes (with the labels either gives
    /// them), its relationships keep their own clause (no uniqueness
    /// across the two), its conjuncts join these (but for the label tests
    /// the merged nodes now make). The same rows, in any order the
    /// optimizer prefers: without the merge the second pattern is planned
    /// only after the first.
    pub(crate) fn absorb(&mut self, next: LogicalMatch) {
        let g = &mut self.pattern;
        let clause = g.rels.iter().map(|r| r.clause + 1).max().unwrap_or(0);
        let node_at: Vec<usize> = next
            .pattern
            .nodes
            .into_iter()
            .map(|n| match g.nodes.iter().position(|x| x.slot == n.slot) {
                Some(i) => {
                    // Its labels are also a conjunct of `next`: on the node
                    // they let a scan start from the label or an index.
                    for l in n.labels {
                        if !g.nodes[i].labels.contains(&l) {
                            g.nodes[i].labels.push(l);
                        }
                    }
                    i
                }
                None => {
                    g.nodes.push(n);
                    g.nodes.len() - 1
                }
            })
            .collect();
        let (rel_base, part_base) = (g.rels.len(), g.parts.len());
        g.rels.extend(next.pattern.rels.into_iter().map(|r| PRel {
            left: node_at[r.left],
            right: node_at[r.right],
            part: part_base + r.part,
            clause: clause + r.clause,
            ..r
        }));
        g.parts.extend(next.pattern.parts.into_iter().map(|p| {
            PPart {
                start: node_at[p.start],
                steps: p
                    .steps
                    .iter()
                    .map(|&(r, n)| (rel_base + r, node_at[n]))
                    .collect(),
                ..p
            }
        }));
        let implied = |c: &Conj| implied_label_test(g, &c.expr);
        let kept: Vec<Conj> = next.conjuncts.into_iter().filter(|c| !implied(c)).collect();
        self.conjuncts.extend(kept);
    }
}

/// Whether `e` tests labels of a node the pattern matches (not one bound
/// before it) that carries them all: the scan or expansion binding the
/// node checks its labels, so the test would always pass.
fn implied_label_test(g: &PatternGraph, e: &CExpr) -> bool {
    let CExpr::HasLabels(base, labels, _) = e else {
        return false;
    };
    let CExpr::Slot(slot) = **base else {
        return false;
    };
    g.nodes.iter().any(|n| {
        n.slot == slot
            && !n.outer
            && labels
                .iter()
                .all(|l| n.labels.iter().any(|x| *x == *l.name))
    })
}

/// A clause of a [`LogicalQuery`].
pub(crate) enum LogicalOp {
    /// A pattern to match, ordered by the optimizer.
    Match(LogicalMatch),
    /// OPTIONAL MATCH: the clauses inside, or one row of nulls.
    Optional(Vec<LogicalOp>),
    /// A clause with one way to compute it (UNWIND, projections,
    /// aggregations, ordering, writes, procedure calls).
    Op(Op),
}

/// A single query (one part of a UNION) as the binder leaves it.
pub(crate) struct LogicalQuery {
    pub ops: Vec<LogicalOp>,
    /// Slots of its rows.
    pub width: usize,
    pub columns: Vec<String>,
    /// The labels each node slot was first matched with: a later MATCH
    /// that names the node without labels is estimated from them.
    pub matched_labels: HashMap<usize, Vec<String>>,
}
