//! One evaluation for many registrations of the same standing query.
//!
//! Applications register one question per user with that user's values:
//! "tell me when a company in *my* market raises a Series B" is the same
//! text for every salesperson, with another `$market`. Evaluating each
//! registration's delta parts on its own repeats the same seeks and
//! expansions once per registration. [`Lifted`] rewrites the text once so
//! that its parameters are no longer read by the query: each comparison
//! of an expression with a parameter (`e = $p`, `e >= $p`, a pattern's
//! `{key: $p}`) is taken out of the query, and the expression becomes a
//! hidden column of its rows. The lifted query runs once for the whole
//! group; each registration then keeps the rows whose hidden columns
//! compare true with its own values ([`Lifted::keeps`]), under the same
//! three-valued comparison the query would have applied.
//!
//! So that the lifted query does not read more than the registrations
//! together would, an equality stays in it as a membership test,
//! `e IN $list`, where the list holds the values the registrations have
//! ([`Lifted::prefilters`]): an indexed `{id: $id}` per user is still a
//! seek, by the ids of every registration at once.
//!
//! A text is lifted only when every parameter it reads sits in such a
//! comparison in a `MATCH`'s `WHERE` (top-level `AND`s) or pattern map,
//! and the query has the shape incremental evaluation covers
//! ([`super::DeltaPlan`]); otherwise each registration is evaluated alone.

use std::collections::BTreeMap;

use relgraph_cypher::ast::{
    BinaryOp, Clause, Expr, ExprKind, Ident, ProjectionItem, Statement, StatementKind,
};
use relgraph_graph::Value;

use super::DeltaPlan;
use crate::compile::pattern::{conjuncts, flip};
use crate::value_ops::{compare_op, GroupKey};

/// A comparison taken out of a lifted query: the hidden column `column`
/// of each row, compared by `op` with the registration's `param`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiftedCond {
    /// Index of the hidden column among the hidden columns.
    pub column: usize,
    /// `=`, `<>`, `<`, `<=`, `>` or `>=`, with the column on the left.
    pub op: BinaryOp,
    /// The parameter the registration gives the value of.
    pub param: String,
    /// For an equality: the late parameter the lifted query tests the
    /// column's membership in (the registrations' values).
    pub prefilter: Option<String>,
}

/// A standing query's text with its parameters lifted out (module doc).
///
/// ```
/// use relgraph_exec::standing::Lifted;
/// use relgraph_graph::Value;
/// let stmt = relgraph_cypher::parse(
///     "MATCH (c:Company)-[:RAISED]->(e:Event {series: $series}) \
///      WHERE c.industry = $industry AND e.amount >= $min RETURN c.name AS company",
/// ).unwrap();
/// let lifted = Lifted::of(&stmt).unwrap();
/// assert_eq!(lifted.conds().len(), 3);
/// assert_eq!(lifted.visible(), 1); // `company`, then three hidden columns
/// let params = [
///     ("series".to_string(), Value::from("Series B")),
///     ("industry".to_string(), Value::from("CRM")),
///     ("min".to_string(), Value::Int(1_000)),
/// ].into();
/// // Hidden columns in the order of `conds()`: e.series, c.industry, e.amount.
/// let row = |s: &str, i: &str, a: i64| [Value::from(s), Value::from(i), Value::Int(a)];
/// assert!(lifted.keeps(&row("Series B", "CRM", 5_000), &params));
/// assert!(!lifted.keeps(&row("Series B", "CRM", 500), &params));
/// assert!(!lifted.keeps(&row("Seed", "CRM", 5_000), &params));
/// // A parameter read anywhere else keeps the text from being lifted.
/// let other = relgraph_cypher::parse("MATCH (c:Company) RETURN c.name + $suffix").unwrap();
/// assert!(Lifted::of(&other).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct Lifted {
    conds: Vec<LiftedCond>,
    visible: usize,
    delta: DeltaPlan,
}

/// The late parameter holding the values of equality `i`'s registrations.
fn prefilter_param(i: usize) -> String {
    format!("__relgraph_lifted_{i}")
}

/// The name of hidden column `i`.
fn hidden_column(i: usize) -> String {
    format!("  lifted{i}")
}

impl Lifted {
    /// The lifted form of `stmt`, or `None` when a parameter is read
    /// outside a liftable comparison or the shape has no [`DeltaPlan`].
    pub fn of(stmt: &Statement) -> Option<Lifted> {
        let mut stmt = stmt.clone();
        let StatementKind::Query(q) = &mut stmt.kind else {
            return None;
        };
        if !q.unions.is_empty() {
            return None;
        }
        let (ret, matches) = q.first.clauses.split_last_mut()?;
        let Clause::Return(ret) = ret else {
            return None;
        };
        let mut lift = Lift::default();
        for clause in matches {
            let Clause::Match(m) = clause else {
                return None;
            };
            if m.optional {
                return None;
            }
            let mut taken = Vec::new();
            for part in &mut m.pattern {
                let el = &mut part.element;
                taken.extend(lift.pattern_map(&mut el.start.variable, &mut el.start.properties)?);
                for (rel, node) in &mut el.chain {
                    taken.extend(lift.pattern_map(&mut rel.variable, &mut rel.properties)?);
                    taken.extend(lift.pattern_map(&mut node.variable, &mut node.properties)?);
                }
            }
            let mut kept = Vec::new();
            if let Some(w) = m.where_.take() {
                let mut all = Vec::new();
                conjuncts(&w, &mut all);
                for c in all {
                    kept.extend(lift.conjunct(c)?);
                }
            }
            kept.extend(taken);
            m.where_ = kept.into_iter().reduce(|a, b| {
                let span = a.span;
                Expr {
                    kind: ExprKind::Binary(BinaryOp::And, Box::new(a), Box::new(b)),
                    span,
                }
            });
        }
        let visible = ret.items.len();
        for (i, e) in lift.hidden.drain(..).enumerate() {
            let span = e.span;
            ret.items.push(ProjectionItem {
                text: hidden_column(i),
                alias: Some(Ident {
                    name: hidden_column(i),
                    span,
                }),
                expr: e,
                span,
            });
        }
        let lifted_params = (0..lift.conds.len())
            .map(prefilter_param)
            .collect::<Vec<_>>();
        if reads_other_params(&stmt, &lifted_params) {
            return None;
        }
        let delta = DeltaPlan::of(&stmt)?;
        Some(Lifted {
            conds: lift.conds,
            visible,
            delta,
        })
    }

    /// The incremental parts of the lifted query: the original's columns,
    /// then one hidden column per [`LiftedCond`].
    pub fn delta(&self) -> &DeltaPlan {
        &self.delta
    }

    /// The comparisons taken out, in hidden-column order.
    pub fn conds(&self) -> &[LiftedCond] {
        &self.conds
    }

    /// How many of the lifted query's columns are the original's.
    pub fn visible(&self) -> usize {
        self.visible
    }

    /// The late parameters the lifted query reads: for each equality, the
    /// distinct values `registrations` give its parameter.
    ///
    /// ```
    /// use relgraph_exec::standing::Lifted;
    /// use relgraph_graph::Value;
    /// let stmt = relgraph_cypher::parse("MATCH (p:Person {id: $id}) RETURN p.name").unwrap();
    /// let lifted = Lifted::of(&stmt).unwrap();
    /// let reg = |i: i64| [("id".to_string(), Value::Int(i))].into();
    /// let regs = [reg(1), reg(2), reg(1)];
    /// let late = lifted.prefilters(regs.iter());
    /// assert_eq!(late[0].1, Value::List(vec![Value::Int(1), Value::Int(2)]));
    /// ```
    pub fn prefilters<'a>(
        &self,
        registrations: impl Iterator<Item = &'a BTreeMap<String, Value>> + Clone,
    ) -> Vec<(String, Value)> {
        self.conds
            .iter()
            .filter_map(|c| {
                let name = c.prefilter.clone()?;
                let mut seen = std::collections::HashSet::new();
                let values = registrations
                    .clone()
                    .filter_map(|p| p.get(&c.param))
                    .filter(|v| seen.insert(GroupKey((*v).clone())))
                    .cloned()
                    .collect();
                Some((name, Value::List(values)))
            })
            .collect()
    }

    /// Every late parameter the lifted query reads, besides the touched ids.
    pub fn prefilter_names(&self) -> Vec<String> {
        self.conds
            .iter()
            .filter_map(|c| c.prefilter.clone())
            .collect()
    }

    /// Whether a registration with `params` keeps a row whose hidden
    /// columns are `hidden`: every lifted comparison is true (as in a
    /// `WHERE`, null and false drop the row).
    pub fn keeps(&self, hidden: &[Value], params: &BTreeMap<String, Value>) -> bool {
        self.conds
            .iter()
            .all(|c| match (hidden.get(c.column), params.get(&c.param)) {
                (Some(v), Some(p)) => compare_op(c.op, v, p) == Some(true),
                _ => false,
            })
    }
}

/// The rewrite's state: the comparisons and hidden columns so far.
#[derive(Default)]
struct Lift {
    conds: Vec<LiftedCond>,
    hidden: Vec<Expr>,
    fresh: usize,
}

impl Lift {
    /// Takes `{key: $p}` entries out of a pattern's map (naming an
    /// anonymous element), giving the prefilters to add to the WHERE.
    /// `None` when a parameter is read some other way there.
    fn pattern_map(
        &mut self,
        var: &mut Option<Ident>,
        props: &mut Option<Box<Expr>>,
    ) -> Option<Vec<Expr>> {
        let Some(map) = props.as_deref_mut() else {
            return Some(Vec::new());
        };
        if !reads_param(map) {
            return Some(Vec::new());
        }
        let ExprKind::Map(entries) = &mut map.kind else {
            return None;
        };
        let span = map.span;
        let mut taken = Vec::new();
        let mut kept = Vec::new();
        for (key, value) in std::mem::take(entries) {
            match &value.kind {
                ExprKind::Parameter(p) => taken.push((key, p.clone())),
                _ if reads_param(&value) => return None,
                _ => kept.push((key, value)),
            }
        }
        *entries = kept;
        let name = match var {
            Some(v) => v.name.clone(),
            None => {
                let name = format!("  lift{}", self.fresh);
                self.fresh += 1;
                *var = Some(Ident {
                    name: name.clone(),
                    span,
                });
                name
            }
        };
        let prefilters = taken
            .into_iter()
            .filter_map(|(key, param)| {
                let e = |kind| Expr { kind, span };
                let read = e(ExprKind::Property(
                    Box::new(e(ExprKind::Variable(name.clone()))),
                    key,
                ));
                self.take(read, BinaryOp::Eq, param)
            })
            .collect();
        Some(prefilters)
    }

    /// A WHERE conjunct: kept as it is without parameters, lifted when it
    /// compares a parameter-free expression with a parameter (giving its
    /// prefilter, if any), `None` otherwise.
    fn conjunct(&mut self, c: Expr) -> Option<Option<Expr>> {
        if !reads_param(&c) {
            return Some(Some(c));
        }
        let ExprKind::Binary(op, a, b) = c.kind else {
            return None;
        };
        if !matches!(
            op,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        ) {
            return None;
        }
        let (read, op, param) = match (&a.kind, &b.kind) {
            (_, ExprKind::Parameter(p)) if !reads_param(&a) => (*a, op, p.clone()),
            (ExprKind::Parameter(p), _) if !reads_param(&b) => (*b, flip(op), p.clone()),
            _ => return None,
        };
        Some(self.take(read, op, param))
    }

    /// Records a lifted comparison; gives the prefilter for an equality.
    fn take(&mut self, read: Expr, op: BinaryOp, param: String) -> Option<Expr> {
        let column = self.hidden.len();
        let span = read.span;
        let prefilter = (op == BinaryOp::Eq).then(|| prefilter_param(column));
        let test = prefilter.as_ref().map(|name| Expr {
            kind: ExprKind::Binary(
                BinaryOp::In,
                Box::new(read.clone()),
                Box::new(Expr {
                    kind: ExprKind::Parameter(name.clone()),
                    span,
                }),
            ),
            span,
        });
        self.hidden.push(read);
        self.conds.push(LiftedCond {
            column,
            op,
            param,
            prefilter,
        });
        test
    }
}

fn reads_param(e: &Expr) -> bool {
    let mut found = false;
    crate::compile::expr::walk(e, &mut |x| {
        if matches!(x.kind, ExprKind::Parameter(_)) {
            found = true;
        }
    });
    found
}

/// True when `stmt` (plain MATCH clauses and a RETURN) reads a parameter
/// other than `allowed` anywhere.
fn reads_other_params(stmt: &Statement, allowed: &[String]) -> bool {
    let mut other = false;
    let mut check = |e: &Expr| {
        crate::compile::expr::walk(e, &mut |x| {
            if let ExprKind::Parameter(p) = &x.kind {
                other |= !allowed.contains(p);
            }
        })
    };
    let StatementKind::Query(q) = &stmt.kind else {
        return true;
    };
    for clause in &q.first.clauses {
        match clause {
            Clause::Match(m) => {
                for part in &m.pattern {
                    let el = &part.element;
                    let maps = std::iter::once(&el.start.properties).chain(
                        el.chain
                            .iter()
                            .flat_map(|(r, n)| [&r.properties, &n.properties]),
                    );
                    maps.flatten().for_each(|m| check(m));
                }
                m.where_.iter().for_each(&mut check);
            }
            Clause::Return(r) => {
                r.items.iter().for_each(|i| check(&i.expr));
                r.order_by.iter().for_each(|o| check(&o.expr));
                r.skip
                    .iter()
                    .chain(&r.limit)
                    .chain(&r.where_)
                    .for_each(&mut check);
            }
            _ => return true,
        }
    }
    other
}
