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

/// The filters right after scan `s` that compare one of its node's
/// properties with a constant, and how many operators they are
/// ([`node_comparisons`]).
pub(crate) fn scan_comparisons<'p>(s: &NodeScan, rest: &'p [Op]) -> (NodeCompares<'p>, usize) {
    node_comparisons(s.slot, rest)
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
    let mut out = NodeCompares::new();
    for op in rest {
        let Op::Filter(CExpr::Binary(bop, a, b, _), _) = op else {
            break;
        };
        if !matches!(
            bop,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        ) {
            break;
        }
        let of_node = |e: &'p CExpr| match e {
            CExpr::Property(base, key, _) if matches!(&**base, CExpr::Slot(x) if *x == slot) => {
                Some(key)
            }
            _ => None,
        };
        let found = match (&**a, &**b) {
            (p, CExpr::Const(v)) => of_node(p).map(|k| (k, *bop, v, false)),
            (CExpr::Const(v), p) => of_node(p).map(|k| (k, *bop, v, true)),
            _ => None,
        };
        let Some(found) = found else { break };
        out.push(found);
    }
    let n = out.len();
    (out, n)
}
