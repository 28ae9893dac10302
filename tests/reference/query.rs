//! The query subset both the engine and the reference evaluator run: one
//! MATCH of a chain of 1-3 node patterns, an optional WHERE, and a RETURN of
//! property columns and aggregates, with its generator and its Cypher text.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::graph::{label_text, TYPES};

/// Direction of a relationship pattern, read left to right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Out,
    In,
    Both,
}

/// `(nI:Labels {v: x})`.
#[derive(Clone, Debug)]
pub struct NodePat {
    pub labels: u8,
    pub v_eq: Option<i64>,
}

/// `-[:T1|T2*1..2]->`; `types == 0` means any type.
#[derive(Clone, Debug)]
pub struct RelPat {
    pub types: u8,
    pub dir: Dir,
    pub var_len: bool,
}

/// A scalar: a node variable's property, an integer literal, null, or
/// `nI.v + x` (null when `v` is).
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    V(usize),
    K(usize),
    Lit(i64),
    Null,
    Plus(usize, i64),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A WHERE predicate (three-valued).
#[derive(Clone, Debug)]
pub enum Pred {
    Cmp(Operand, CmpOp, Operand),
    IsNull(Operand),
    IsNotNull(Operand),
    HasLabel(usize, u8),
    In(Operand, Vec<Option<i64>>),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Xor(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
}

/// Aggregates over a property (nulls skipped) or rows.
#[derive(Clone, Copy, Debug)]
pub enum Agg {
    CountStar,
    Count(Operand),
    CountDistinct(Operand),
    Sum(Operand),
    SizeCollect(Operand),
    Min(Operand),
    Max(Operand),
}

/// One RETURN item: a grouping key or an aggregate.
#[derive(Clone, Debug)]
pub enum Item {
    Key(Operand),
    Agg(Agg),
}

/// `ORDER BY` every column (so the order is total up to equal rows), then
/// `SKIP` and `LIMIT`.
#[derive(Clone, Debug)]
pub struct Order {
    /// Descending flag per column; columns past its end sort ascending.
    pub desc: Vec<bool>,
    pub skip: Option<usize>,
    pub limit: Option<usize>,
}

/// A whole query. A chain `(n0)-(n1)-...` where `nodes.len() ==
/// rels.len() + 1`, or, when `rels.len() == nodes.len()`, a cycle whose
/// last relationship leads back to `(n0)`. `optional` adds, after the
/// WHERE, `OPTIONAL MATCH (nL)-[rel]-(nM)` from the last chain node `nL` to
/// a new variable `nM` (`M == nodes.len()`), which items may use.
#[derive(Clone, Debug)]
pub struct Query {
    pub nodes: Vec<NodePat>,
    pub rels: Vec<RelPat>,
    pub optional: Option<(RelPat, NodePat)>,
    pub filter: Option<Pred>,
    pub items: Vec<Item>,
    pub distinct: bool,
    pub order: Option<Order>,
}

fn operand_text(o: Operand) -> String {
    match o {
        Operand::V(i) => format!("n{i}.v"),
        Operand::K(i) => format!("n{i}.k"),
        Operand::Lit(x) => x.to_string(),
        Operand::Null => "null".to_string(),
        Operand::Plus(i, x) => format!("n{i}.v + {x}"),
    }
}

fn pred_text(p: &Pred) -> String {
    match p {
        Pred::Cmp(a, op, b) => {
            let op = match op {
                CmpOp::Eq => "=",
                CmpOp::Ne => "<>",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            };
            format!("{} {op} {}", operand_text(*a), operand_text(*b))
        }
        Pred::IsNull(a) => format!("{} IS NULL", operand_text(*a)),
        Pred::IsNotNull(a) => format!("{} IS NOT NULL", operand_text(*a)),
        Pred::HasLabel(i, mask) => format!("n{i}{}", label_text(*mask)),
        Pred::In(a, list) => {
            let items: Vec<String> = list
                .iter()
                .map(|x| x.map_or("null".to_string(), |x| x.to_string()))
                .collect();
            format!("{} IN [{}]", operand_text(*a), items.join(", "))
        }
        Pred::And(a, b) => format!("({} AND {})", pred_text(a), pred_text(b)),
        Pred::Or(a, b) => format!("({} OR {})", pred_text(a), pred_text(b)),
        Pred::Xor(a, b) => format!("({} XOR {})", pred_text(a), pred_text(b)),
        Pred::Not(a) => format!("NOT ({})", pred_text(a)),
    }
}

fn agg_text(a: Agg) -> String {
    match a {
        Agg::CountStar => "count(*)".to_string(),
        Agg::Count(o) => format!("count({})", operand_text(o)),
        Agg::CountDistinct(o) => format!("count(DISTINCT {})", operand_text(o)),
        Agg::Sum(o) => format!("sum({})", operand_text(o)),
        Agg::SizeCollect(o) => format!("size(collect({}))", operand_text(o)),
        Agg::Min(o) => format!("min({})", operand_text(o)),
        Agg::Max(o) => format!("max({})", operand_text(o)),
    }
}

fn rel_text(r: &RelPat) -> String {
    let mut inner = String::new();
    if r.types != 0 {
        let names: Vec<&str> = TYPES
            .iter()
            .enumerate()
            .filter(|(t, _)| r.types & (1 << t) != 0)
            .map(|(_, name)| *name)
            .collect();
        inner.push(':');
        inner.push_str(&names.join("|"));
    }
    if r.var_len {
        inner.push_str("*1..2");
    }
    let body = if inner.is_empty() {
        "--".to_string()
    } else {
        format!("-[{inner}]-")
    };
    match r.dir {
        Dir::Out => format!("{body}>"),
        Dir::In => format!("<{body}"),
        Dir::Both => body,
    }
}

fn node_text(i: usize, n: &NodePat) -> String {
    let mut s = format!("(n{i}{}", label_text(n.labels));
    if let Some(v) = n.v_eq {
        s.push_str(&format!(" {{v: {v}}}"));
    }
    s.push(')');
    s
}

impl Query {
    /// The Cypher text of the query; columns are named `c0`, `c1`, ...
    pub fn text(&self) -> String {
        let mut s = String::from("MATCH ");
        for i in 0..self.rels.len() + 1 {
            if i > 0 {
                s.push_str(&rel_text(&self.rels[i - 1]));
            }
            let Some(n) = self.nodes.get(i) else {
                // The cycle closes on the first node.
                s.push_str("(n0)");
                break;
            };
            s.push_str(&node_text(i, n));
        }
        if let Some(p) = &self.filter {
            s.push_str(" WHERE ");
            s.push_str(&pred_text(p));
        }
        if let Some((r, n)) = &self.optional {
            let m = self.nodes.len();
            s.push_str(&format!(" OPTIONAL MATCH (n{})", m - 1));
            s.push_str(&rel_text(r));
            s.push_str(&node_text(m, n));
        }
        s.push_str(" RETURN ");
        if self.distinct {
            s.push_str("DISTINCT ");
        }
        let items: Vec<String> = self
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let e = match it {
                    Item::Key(o) => operand_text(*o),
                    Item::Agg(a) => agg_text(*a),
                };
                format!("{e} AS c{i}")
            })
            .collect();
        s.push_str(&items.join(", "));
        if let Some(o) = &self.order {
            let keys: Vec<String> = (0..self.items.len())
                .map(|i| {
                    if o.desc.get(i).copied().unwrap_or(false) {
                        format!("c{i} DESC")
                    } else {
                        format!("c{i}")
                    }
                })
                .collect();
            s.push_str(" ORDER BY ");
            s.push_str(&keys.join(", "));
            if let Some(k) = o.skip {
                s.push_str(&format!(" SKIP {k}"));
            }
            if let Some(k) = o.limit {
                s.push_str(&format!(" LIMIT {k}"));
            }
        }
        s
    }
}

fn node_pat() -> impl Strategy<Value = NodePat> {
    (
        prop_oneof![3 => Just(0u8), 2 => (0u8..3).prop_map(|b| 1 << b), 1 => 0u8..8],
        option::weighted(0.2, 0i64..4),
    )
        .prop_map(|(labels, v_eq)| NodePat { labels, v_eq })
}

fn rel_pat() -> impl Strategy<Value = RelPat> {
    (
        0u8..4,
        prop_oneof![Just(Dir::Out), Just(Dir::In), Just(Dir::Both)],
        proptest::bool::weighted(0.25),
    )
        .prop_map(|(types, dir, var_len)| RelPat {
            types,
            dir,
            var_len,
        })
}

fn property(n: usize) -> impl Strategy<Value = Operand> {
    prop_oneof![3 => (0..n).prop_map(Operand::V), 1 => (0..n).prop_map(Operand::K)]
}

fn operand(n: usize) -> impl Strategy<Value = Operand> {
    prop_oneof![
        4 => property(n),
        1 => (0..n, -2i64..3).prop_map(|(i, x)| Operand::Plus(i, x)),
        2 => (0i64..4).prop_map(Operand::Lit),
        1 => Just(Operand::Null),
    ]
}

fn pred(n: usize) -> impl Strategy<Value = Pred> {
    let cmp_op = prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
    ];
    let leaf = prop_oneof![
        4 => (property(n), cmp_op, operand(n)).prop_map(|(a, op, b)| Pred::Cmp(a, op, b)),
        1 => property(n).prop_map(Pred::IsNull),
        1 => property(n).prop_map(Pred::IsNotNull),
        1 => (0..n, 1u8..8).prop_map(|(i, m)| Pred::HasLabel(i, m)),
        1 => (operand(n), vec(option::weighted(0.8, 0i64..4), 0..=3))
            .prop_map(|(a, list)| Pred::In(a, list)),
    ];
    leaf.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Pred::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Pred::Or(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Pred::Xor(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Pred::Not(Box::new(a))),
        ]
    })
}

fn agg(n: usize) -> impl Strategy<Value = Agg> {
    prop_oneof![
        2 => Just(Agg::CountStar),
        1 => property(n).prop_map(Agg::Count),
        1 => property(n).prop_map(Agg::CountDistinct),
        1 => property(n).prop_map(Agg::Sum),
        1 => property(n).prop_map(Agg::SizeCollect),
        1 => property(n).prop_map(Agg::Min),
        1 => property(n).prop_map(Agg::Max),
    ]
}

fn order() -> impl Strategy<Value = Order> {
    (
        vec(any::<bool>(), 0..=3),
        option::weighted(0.3, 0usize..4),
        option::weighted(0.7, 0usize..6),
    )
        .prop_map(|(desc, skip, limit)| Order { desc, skip, limit })
}

/// Random queries over chains of 1 to 3 node patterns, sometimes closed
/// into a cycle.
pub fn query_strategy() -> impl Strategy<Value = Query> {
    (
        1usize..=3,
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.25),
    )
        .prop_flat_map(|(n, cycle, optional)| {
            // Variables the RETURN may use: the optional one too.
            let m = n + usize::from(optional);
            (
                vec(node_pat(), n),
                vec(rel_pat(), if cycle { n } else { n - 1 }),
                (rel_pat(), node_pat()).prop_map(move |hop| optional.then_some(hop)),
                option::weighted(0.6, pred(n)),
                vec(property(m), 0..=2),
                vec(agg(m), 0..=2),
                proptest::bool::weighted(0.3),
                option::weighted(0.3, order()),
            )
                .prop_map(
                    move |(nodes, rels, optional, filter, keys, aggs, distinct, order)| {
                        let mut items: Vec<Item> = keys.into_iter().map(Item::Key).collect();
                        items.extend(aggs.into_iter().map(Item::Agg));
                        if items.is_empty() {
                            items.push(Item::Key(Operand::K(0)));
                        }
                        Query {
                            nodes,
                            rels,
                            optional,
                            filter,
                            items,
                            distinct,
                            order,
                        }
                    },
                )
        })
}
