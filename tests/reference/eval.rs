//! The reference evaluator: nested loops over all relationships, nothing
//! clever. A value is `Option<i64>` (every value in the subset is an integer
//! or null), a row is a `Vec` of them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::graph::Graph;
use super::query::{Agg, CmpOp, Dir, Item, NodePat, Operand, Pred, Query, RelPat};

/// A value of the subset: an integer or null.
pub type Val = Option<i64>;

/// The node index of a variable left unbound by OPTIONAL MATCH (null).
const UNBOUND: usize = usize::MAX;

/// Whether `node` satisfies a node pattern.
fn node_matches(g: &Graph, node: usize, p: &NodePat) -> bool {
    let n = &g.nodes[node];
    n.has_labels(p.labels) && p.v_eq.is_none_or(|v| n.v == Some(v))
}

/// Where traversing relationship `r` from `from` in direction `dir` leads.
/// An undirected self-loop is traversed once, as openCypher specifies.
fn traverse(g: &Graph, r: usize, from: usize, p: &RelPat) -> Option<usize> {
    let rel = &g.rels[r];
    if p.types != 0 && p.types & (1 << rel.ty) == 0 {
        return None;
    }
    match p.dir {
        Dir::Out => (rel.start == from).then_some(rel.end),
        Dir::In => (rel.end == from).then_some(rel.start),
        Dir::Both => {
            if rel.start == from {
                Some(rel.end)
            } else if rel.end == from {
                Some(rel.start)
            } else {
                None
            }
        }
    }
}

struct Matcher<'a> {
    g: &'a Graph,
    q: &'a Query,
    bound: Vec<usize>,
    used: Vec<usize>,
    out: Vec<Vec<usize>>,
}

impl Matcher<'_> {
    /// Node `bound.len() - 1` is bound; extend through relationship step
    /// `bound.len() - 1`, or record the full assignment (a cycle binds
    /// `n0` a second time at its end, which is not recorded twice).
    fn extend(&mut self) {
        let step = self.bound.len() - 1;
        if step == self.q.rels.len() {
            self.out.push(self.bound[..self.q.nodes.len()].to_vec());
            return;
        }
        let from = self.bound[step];
        self.walk(step, from, 1);
    }

    /// Takes the `hops`-th relationship of step `step` from node `from`.
    fn walk(&mut self, step: usize, from: usize, hops: usize) {
        let rp = &self.q.rels[step];
        let max_hops = if rp.var_len { 2 } else { 1 };
        for r in 0..self.g.rels.len() {
            if self.used.contains(&r) {
                continue;
            }
            let Some(to) = traverse(self.g, r, from, rp) else {
                continue;
            };
            self.used.push(r);
            let lands = match self.q.nodes.get(step + 1) {
                Some(p) => node_matches(self.g, to, p),
                None => to == self.bound[0],
            };
            if lands {
                self.bound.push(to);
                self.extend();
                self.bound.pop();
            }
            if hops < max_hops {
                self.walk(step, to, hops + 1);
            }
            self.used.pop();
        }
    }
}

/// Every assignment of node indexes to the pattern's node variables, one per
/// match (so a node assignment repeats once per distinct relationship path).
pub fn matches(g: &Graph, q: &Query) -> Vec<Vec<usize>> {
    let mut m = Matcher {
        g,
        q,
        bound: Vec::new(),
        used: Vec::new(),
        out: Vec::new(),
    };
    for start in 0..g.nodes.len() {
        if node_matches(g, start, &q.nodes[0]) {
            m.bound.push(start);
            m.extend();
            m.bound.pop();
        }
    }
    m.out
}

fn operand(g: &Graph, binding: &[usize], o: Operand) -> Val {
    let node = |i: usize| g.nodes.get(binding[i]);
    match o {
        Operand::V(i) => node(i)?.v,
        Operand::K(i) => node(i).map(|_| binding[i] as i64),
        Operand::Lit(x) => Some(x),
        Operand::Null => None,
        Operand::Plus(i, x) => node(i)?.v.map(|v| v + x),
    }
}

/// The end nodes of every path of `rel` (1 or, variable-length, 2 hops,
/// no relationship twice) from `from` to a node matching `to`, one entry
/// per path.
fn hop_targets(g: &Graph, from: usize, rel: &RelPat, to: &NodePat) -> Vec<usize> {
    let mut out = Vec::new();
    for r1 in 0..g.rels.len() {
        let Some(x) = traverse(g, r1, from, rel) else {
            continue;
        };
        if node_matches(g, x, to) {
            out.push(x);
        }
        if rel.var_len {
            for r2 in (0..g.rels.len()).filter(|r2| *r2 != r1) {
                if let Some(y) = traverse(g, r2, x, rel) {
                    if node_matches(g, y, to) {
                        out.push(y);
                    }
                }
            }
        }
    }
    out
}

/// Three-valued truth: `None` is unknown (null).
fn truth(g: &Graph, binding: &[usize], p: &Pred) -> Option<bool> {
    match p {
        Pred::Cmp(a, op, b) => {
            let (a, b) = (operand(g, binding, *a)?, operand(g, binding, *b)?);
            Some(match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
            })
        }
        Pred::IsNull(a) => Some(operand(g, binding, *a).is_none()),
        Pred::IsNotNull(a) => Some(operand(g, binding, *a).is_some()),
        Pred::HasLabel(i, mask) => Some(g.nodes.get(binding[*i])?.has_labels(*mask)),
        Pred::In(a, list) => {
            if list.is_empty() {
                return Some(false);
            }
            let a = operand(g, binding, *a)?;
            if list.contains(&Some(a)) {
                Some(true)
            } else if list.contains(&None) {
                None
            } else {
                Some(false)
            }
        }
        Pred::And(a, b) => match (truth(g, binding, a), truth(g, binding, b)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Pred::Or(a, b) => match (truth(g, binding, a), truth(g, binding, b)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        Pred::Xor(a, b) => Some(truth(g, binding, a)? != truth(g, binding, b)?),
        Pred::Not(a) => truth(g, binding, a).map(|t| !t),
    }
}

fn aggregate(g: &Graph, group: &[&Vec<usize>], a: Agg) -> Val {
    let values = |o: Operand| -> Vec<i64> {
        group
            .iter()
            .filter_map(|b| operand(g, b, o))
            .collect::<Vec<_>>()
    };
    match a {
        Agg::CountStar => Some(group.len() as i64),
        Agg::Count(o) | Agg::SizeCollect(o) => Some(values(o).len() as i64),
        Agg::CountDistinct(o) => Some(values(o).into_iter().collect::<BTreeSet<_>>().len() as i64),
        Agg::Sum(o) => Some(values(o).into_iter().sum()),
        Agg::Min(o) => values(o).into_iter().min(),
        Agg::Max(o) => values(o).into_iter().max(),
    }
}

/// Cypher's order of integers and null: null sorts after every integer.
fn cypher_cmp(a: &Val, b: &Val) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
    }
}

/// The result of `q` on `g`: in the query's order when it has ORDER BY,
/// else sorted (a multiset compares equal as a sorted list).
pub fn evaluate(g: &Graph, q: &Query) -> Vec<Vec<Val>> {
    let kept: Vec<Vec<usize>> = matches(g, q)
        .into_iter()
        .filter(|b| {
            q.filter
                .as_ref()
                .is_none_or(|p| truth(g, b, p) == Some(true))
        })
        .collect();
    // OPTIONAL MATCH: relationship uniqueness holds within it only, and a
    // row it cannot extend is kept with the new variable null.
    let kept: Vec<Vec<usize>> = match &q.optional {
        None => kept,
        Some((rel, node)) => kept
            .into_iter()
            .flat_map(|b| {
                let from = b[q.nodes.len() - 1];
                let mut targets = hop_targets(g, from, rel, node);
                if targets.is_empty() {
                    targets.push(UNBOUND);
                }
                targets.into_iter().map(move |t| {
                    let mut b = b.clone();
                    b.push(t);
                    b
                })
            })
            .collect(),
    };
    let keys: Vec<Operand> = q
        .items
        .iter()
        .filter_map(|it| match it {
            Item::Key(o) => Some(*o),
            Item::Agg(_) => None,
        })
        .collect();
    let aggregated = keys.len() < q.items.len();
    let mut rows: Vec<Vec<Val>> = if aggregated {
        let mut groups: BTreeMap<Vec<Val>, Vec<&Vec<usize>>> = BTreeMap::new();
        for b in &kept {
            let key = keys.iter().map(|o| operand(g, b, *o)).collect();
            groups.entry(key).or_default().push(b);
        }
        // An aggregation without grouping keys returns one row even over no input.
        if keys.is_empty() && groups.is_empty() {
            groups.insert(Vec::new(), Vec::new());
        }
        groups
            .into_iter()
            .map(|(key, group)| {
                let mut key = key.into_iter();
                q.items
                    .iter()
                    .map(|it| match it {
                        Item::Key(_) => key.next().expect("one key value per key item"),
                        Item::Agg(a) => aggregate(g, &group, *a),
                    })
                    .collect()
            })
            .collect()
    } else {
        kept.iter()
            .map(|b| keys.iter().map(|o| operand(g, b, *o)).collect())
            .collect()
    };
    if q.distinct {
        rows = rows
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    match &q.order {
        None => rows.sort(),
        Some(o) => {
            rows.sort_by(|a, b| {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let ord = cypher_cmp(x, y);
                    let ord = if o.desc.get(i).copied().unwrap_or(false) {
                        ord.reverse()
                    } else {
                        ord
                    };
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
            let skip = o.skip.unwrap_or(0);
            let limit = o.limit.unwrap_or(usize::MAX);
            rows = rows.into_iter().skip(skip).take(limit).collect();
        }
    }
    rows
}
