//! Which filters the operator that binds a node checks itself: the
//! comparisons of the node's properties with constants right after a scan
//! or an expansion. The executor checks them on each node it finds
//! (`exec::stream`); the optimizer leaves them in place when it rewrites
//! the reads after an expansion (`optimize::rewrite::hoist_target_reads`).

use relgraph_cypher::ast::BinaryOp;
use relgraph_graph::{PropKeyId, Value};
use smallvec::SmallVec;

use super::{CExpr, Expand, NameRef, NodeScan, Op};

/// A property of a node compared with a constant: the key, the operator
/// (`=`, `<>`, `<`, `<=`, `>`, `>=`), the constant, and whether the
/// constant is the left operand.
pub(crate) type NodeCompare<'p> = (&'p NameRef<PropKeyId>, BinaryOp, &'p Value, bool);

/// The comparisons a scan or an expansion checks on each node it finds,
/// before it writes a row.
pub(crate) type NodeCompares<'p> = SmallVec<[NodeCompare<'p>; 2]>;

/// A scanned node's property compared with an expression of the row the
/// scan runs for (one that reads no slot the scan binds: see
/// [`of_the_row`]): the key, the operator, the expression, and whether it
/// is the left operand. The scan computes the expression once, when the
/// first node reaches the comparison.
pub(crate) type RowCompare<'p> = (&'p NameRef<PropKeyId>, BinaryOp, &'p CExpr, bool);

/// The filters right after a scan that it checks itself on each node.
pub(crate) struct ScanChecks<'p> {
    /// The comparisons with constants ([`node_comparisons`]).
    pub consts: NodeCompares<'p>,
    /// The comparisons after those with expressions of the incoming row
    /// (or constants), in their order.
    pub rows: SmallVec<[RowCompare<'p>; 2]>,
    /// How many operators they are.
    pub fused: usize,
}

impl ScanChecks<'_> {
    /// How many comparisons, both kinds.
    pub(crate) fn len(&self) -> usize {
        self.consts.len() + self.rows.len()
    }
}

/// The filters right after scan `s` that compare one of its node's
/// properties with a constant, then those that compare one with an
/// expression of the incoming row (`e.date >= m.today -
/// duration('P60D')`, computed once per scan instead of once per node),
/// and how many operators they are.
pub(crate) fn scan_comparisons<'p>(s: &NodeScan, rest: &'p [Op]) -> ScanChecks<'p> {
    let (consts, n) = node_comparisons(s.slot, rest);
    let mut bound: SmallVec<[usize; 4]> = s.reads.iter().map(|(_, into)| *into).collect();
    bound.push(s.slot);
    let rows: SmallVec<[RowCompare<'p>; 2]> = rest[n..]
        .iter()
        .map_while(|op| compared_property(s.slot, op).filter(|c| of_the_row(c.2, &bound)))
        .collect();
    let fused = n + rows.len();
    ScanChecks {
        consts,
        rows,
        fused,
    }
}

/// Whether `e` is an expression of the row a scan runs for: it reads
/// none of the `bound` slots (the scan's node and the slots it reads
/// properties into), no comprehension's local, runs no sub-plan and
/// calls nothing nondeterministic, so its value is the same for every
/// node the scan finds and it can be computed once.
fn of_the_row(e: &CExpr, bound: &[usize]) -> bool {
    let here = match e {
        CExpr::Slot(s) => !bound.contains(s),
        CExpr::Local(_)
        | CExpr::Exists(_)
        | CExpr::PatternCount(_)
        | CExpr::PatternComp(..)
        | CExpr::ListComp { .. }
        | CExpr::Quantifier { .. }
        | CExpr::Reduce { .. } => false,
        CExpr::Call(f, ..) => !crate::functions::is_nondeterministic(f.name()),
        _ => true,
    };
    let mut ok = here;
    if ok {
        e.for_each_child(&mut |c| ok = ok && of_the_row(c, bound));
    }
    ok
}

/// `=`, `<>`, `<`, `<=`, `>`, `>=`.
fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

/// The filters right after expansion `e` that compare a property of the
/// node it binds with a constant, and how many operators they are: none
/// for an expansion into a bound node, of variable length, closing a
/// cycle or counting ([`node_comparisons`]).
pub(crate) fn target_comparisons<'p>(e: &Expand, rest: &'p [Op]) -> (NodeCompares<'p>, usize) {
    if !e.finds_new_node() {
        return (NodeCompares::new(), 0);
    }
    node_comparisons(e.to, rest)
}

/// The filters at the start of `rest` that compare a property of the node
/// in `slot` with a constant, and how many operators they are: the
/// operator that binds the node checks them on each node before it
/// writes a row (the same comparison as the filter,
/// `value_ops::compare_op`, which raises nothing: the node passes when it
/// is true, not when it is false or null), instead of interpreting each
/// predicate per row. Profiling runs operators one at a time and so never
/// fuses.
fn node_comparisons<'p>(slot: usize, rest: &'p [Op]) -> (NodeCompares<'p>, usize) {
    let out: NodeCompares<'p> = rest
        .iter()
        .map_while(|op| match compared_property(slot, op)? {
            (k, bop, CExpr::Const(v), const_first) => Some((k, bop, v, const_first)),
            _ => None,
        })
        .collect();
    let n = out.len();
    (out, n)
}

/// Filter `op` as a comparison of a property of the node in `slot` with
/// an expression that is not one: the key, the operator, the other
/// operand, and whether that operand is the left one.
fn compared_property<'p>(slot: usize, op: &'p Op) -> Option<RowCompare<'p>> {
    let Op::Filter(CExpr::Binary(bop, a, b, _), _) = op else {
        return None;
    };
    if !is_comparison(*bop) {
        return None;
    }
    let of_node = |e: &'p CExpr| match e {
        CExpr::Property(base, key, _) if matches!(&**base, CExpr::Slot(x) if *x == slot) => {
            Some(key)
        }
        _ => None,
    };
    match (of_node(a), of_node(b)) {
        (Some(k), None) => Some((k, *bop, &**b, false)),
        (None, Some(k)) => Some((k, *bop, &**a, true)),
        _ => None,
    }
}
