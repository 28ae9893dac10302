//! Decorrelating an OPTIONAL MATCH: when the pattern reads outer
//! variables that hold one value for the whole run (`me`) and others that
//! change from row to row (a company `c`), it can be matched once with
//! only the first bound, its matches kept by the values of the second and
//! joined to each row ([`OptionalMemo`]), instead of being searched again
//! from every row. `OPTIONAL MATCH (me)-[:KNOWS*1..2]-(p)-[:WORKS_AT]->(c)`
//! after 28,000 companies walks my two-hop circle once instead of every
//! company's employees.

use std::collections::{BTreeSet, HashMap};

use relgraph_cypher::ast::PathKind;

use super::Optimizer;
use crate::plan::logical::{deps_of, LogicalOp};
use crate::plan::{Op, OptionalMemo};

/// Rows at which a variable was bound, at most, for it to count as one
/// value for the whole run.
pub(super) const ONE_VALUE_ROWS: f64 = 2.0;

/// How much cheaper the estimate must make matching once (and joining
/// every row) than matching from every row.
const GAIN: f64 = 2.0;

impl Optimizer<'_> {
    /// The decorrelated form of the OPTIONAL MATCH `inner` after operators
    /// expected to leave `outer_rows` rows, when the estimate finds it
    /// cheaper: the pattern is one MATCH, binds no relationship from
    /// before, and every outer variable it reads is either one of its
    /// nodes (a key) or bound while the plan held one row (a param).
    pub(super) fn decorrelate(
        &mut self,
        inner: &[LogicalOp],
        matched_labels: &HashMap<usize, Vec<String>>,
        outer_rows: Option<f64>,
    ) -> Option<Box<OptionalMemo>> {
        let [LogicalOp::Match(m)] = inner else {
            return None;
        };
        let outer_rows = outer_rows.filter(|r| *r >= ONE_VALUE_ROWS)?;
        let g = &m.pattern;
        if g.rels.iter().any(|r| r.outer) || g.parts.iter().any(|p| p.kind != PathKind::Plain) {
            return None;
        }
        let one_value = |s: usize| {
            self.bound_rows
                .get(&s)
                .is_some_and(|r| *r <= ONE_VALUE_ROWS)
        };
        let mut reads: BTreeSet<usize> =
            g.nodes.iter().filter(|n| n.outer).map(|n| n.slot).collect();
        reads.extend(m.conjuncts.iter().flat_map(|c| c.deps.iter().copied()));
        for r in &g.rels {
            for (_, e) in &r.props {
                reads.extend(deps_of(e));
            }
        }
        reads.retain(|s| m.outer.contains(s));
        let keys: Vec<usize> = g
            .nodes
            .iter()
            .filter(|n| n.outer && !one_value(n.slot))
            .map(|n| n.slot)
            .collect();
        let params: Vec<usize> = reads.into_iter().filter(|s| !keys.contains(s)).collect();
        if params.is_empty() || !params.iter().all(|s| one_value(*s)) {
            return None;
        }
        let mut once = m.clone();
        for n in &mut once.pattern.nodes {
            if keys.contains(&n.slot) {
                n.outer = false;
            }
        }
        once.outer.retain(|s| !keys.contains(s));
        let per_row = self.cost_model(m, matched_labels).best_order().cost;
        let whole = self.cost_model(&once, matched_labels).best_order().cost;
        if (whole + outer_rows) * GAIN >= per_row * outer_rows {
            return None;
        }
        // What it binds keeps the estimates of the correlated lowering.
        let mut ops: Vec<Op> = Vec::new();
        self.lower_match(&once, matched_labels, &mut ops);
        self.tables.optionals += 1;
        Some(Box::new(OptionalMemo {
            ops,
            params,
            keys,
            table: self.tables.optionals - 1,
        }))
    }
}
