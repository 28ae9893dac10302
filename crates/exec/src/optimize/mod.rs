//! The optimizer: turns the binder's [`LogicalQuery`] into the physical
//! operators the runtime executes.
//!
//! Each MATCH is ordered by estimated cost over the whole pattern
//! (`order.rs`: a model of the pattern from the snapshot's statistics and
//! a search over the orders of its scans and expansions) and lowered to
//! scans, seeks, expansions and filters (`lower.rs`); the operators are
//! then rewritten where their shape allows a cheaper form (`rewrite.rs`).
//! The optimizer reads the snapshot (statistics, samples, the catalog's
//! indexes), never the binder's scopes: everything it chooses between is
//! in the logical plan.

mod decorrelate;
pub(crate) mod lower;
pub(crate) mod order;
pub(crate) mod rewrite;

use std::collections::{HashMap, HashSet};

use relgraph_graph::{Catalog, Snapshot};

use crate::plan::logical::{Conj, LogicalOp, LogicalQuery};
use crate::plan::{Op, SinglePlan};
use crate::tables::TableCounts;

/// Plans against one snapshot's catalog and statistics; numbers the
/// run-time tables of the statement's operators as it makes them.
pub(crate) struct Optimizer<'a> {
    pub catalog: &'a Catalog,
    pub snapshot: &'a Snapshot,
    /// The run-time tables the operators made so far number (each hash
    /// join, indexed relationship list and trail index gets its own).
    pub tables: TableCounts,
    /// Per slot a pattern bound, the rows the plan was expected to hold
    /// just after binding it: at most the values it takes (`me`, bound
    /// while there was one row, holds one value however many rows follow).
    pub bound_rows: HashMap<usize, f64>,
}

impl<'a> Optimizer<'a> {
    /// An optimizer for statements run on `snapshot`.
    pub fn new(snapshot: &'a Snapshot) -> Self {
        Optimizer {
            catalog: snapshot.catalog(),
            snapshot,
            tables: TableCounts::default(),
            bound_rows: HashMap::new(),
        }
    }

    /// The physical plan of a single query.
    pub fn optimize(&mut self, q: LogicalQuery) -> SinglePlan {
        let LogicalQuery {
            ops: clauses,
            width,
            columns,
            matched_labels,
        } = q;
        let mut ops = Vec::new();
        self.lower(merge_matches(clauses), &matched_labels, &mut ops);
        rewrite::prune_var_length(&mut ops);
        let one_value: HashSet<usize> = self
            .bound_rows
            .iter()
            .filter(|(_, rows)| **rows <= decorrelate::ONE_VALUE_ROWS)
            .map(|(slot, _)| *slot)
            .collect();
        rewrite::hash_joins(&mut ops, &mut self.tables.joins, &one_value);
        let mut width = width;
        rewrite::hoist_probe_reads(&mut ops, &mut || {
            width += 1;
            width - 1
        });
        rewrite::count_pushdown(&mut ops, &mut || {
            width += 1;
            width - 1
        });
        rewrite::fold_projections_into_aggregates(&mut ops);
        rewrite::hoist_target_reads(&mut ops, &mut || {
            width += 1;
            width - 1
        });
        SinglePlan {
            ops,
            width,
            columns,
        }
    }

    /// Lowers clauses in order, appending to `out` (a MATCH's estimates
    /// start from the rows the operators before it leave).
    fn lower(
        &mut self,
        clauses: Vec<LogicalOp>,
        matched_labels: &HashMap<usize, Vec<String>>,
        out: &mut Vec<Op>,
    ) {
        for clause in clauses {
            match clause {
                LogicalOp::Match(m) => {
                    let bound = self.lower_match(&m, matched_labels, out);
                    self.bound_rows.extend(bound);
                }
                LogicalOp::Optional(inner) => {
                    let inner = merge_matches(inner);
                    let outer_rows = out.last().and_then(Op::estimate);
                    let memo = self.decorrelate(&inner, matched_labels, outer_rows);
                    let before: HashSet<usize> = self.bound_rows.keys().copied().collect();
                    let mut ops = Vec::new();
                    self.lower(inner, matched_labels, &mut ops);
                    // The pattern's estimates count rows per incoming row.
                    for (slot, rows) in &mut self.bound_rows {
                        if !before.contains(slot) {
                            *rows *= outer_rows.unwrap_or(f64::INFINITY).max(1.0);
                        }
                    }
                    out.push(Op::Optional { ops, memo });
                }
                LogicalOp::Op(op) => out.push(op),
            }
        }
    }
}

/// Consecutive MATCH clauses as one pattern where they can be
/// (`LogicalMatch::can_absorb`), so that the order of the whole is chosen
/// by cost: `MATCH (p:Person)-[:WORKS_AT]->(c) MATCH (c:Company {name:
/// $n})` then starts at the company instead of at every person. A filter
/// right after a MATCH (the WHERE of a WITH that only passes variables
/// on) becomes one of its conjuncts.
fn merge_matches(clauses: Vec<LogicalOp>) -> Vec<LogicalOp> {
    let mut out: Vec<LogicalOp> = Vec::with_capacity(clauses.len());
    for clause in clauses {
        match (out.last_mut(), clause) {
            (Some(LogicalOp::Match(a)), LogicalOp::Match(b)) if a.can_absorb(&b) => a.absorb(b),
            // `MATCH ... WITH <its variables> WHERE c`: the filter is a
            // conjunct of the pattern, so a MATCH after it still merges.
            (Some(LogicalOp::Match(a)), LogicalOp::Op(Op::Filter(e, _))) => {
                a.conjuncts.push(Conj::new(e, None))
            }
            (_, clause) => out.push(clause),
        }
    }
    out
}
