//! What a standing query reads, and whether a commit can change its answer.
//!
//! A standing query is re-evaluated after a commit only when the commit
//! touches something it reads. [`footprint`] walks the query's syntax tree
//! and collects the labels, relationship types and property keys it names,
//! plus three conservative flags: it matches nodes that no label or type
//! pins down (`any_node`), relationships of any type (`any_rel`), or its
//! rows carry whole entities or use introspection (`labels(n)`, `n{.*}`,
//! `RETURN n`, a procedure), which any change may alter (`opaque`).
//! [`Touched::of_commit`] collects the same names from a commit's change
//! sets. [`Footprint::affected_by`] is true when they meet; a query it says
//! is unaffected has the same answer after the commit as before.
//!
//! The same walk refuses what cannot stand: writes, write procedures,
//! EXPLAIN/PROFILE, schema commands, and ORDER BY / SKIP / LIMIT (an answer
//! that depends on row order or a cut-off has no stable set difference).

use std::collections::BTreeSet;

use relgraph_cypher::ast::{
    Clause, Expr, ExprKind, MapProjectionItem, PatternElement, PatternPart, Projection, QueryMode,
    Statement, StatementKind,
};
use relgraph_graph::{Change, ChangeSet, Snapshot};

use crate::error::{ExecError, Result};
use crate::procedures::{find, ProcMode};

/// The names a standing query reads, and the conservative flags.
///
/// ```
/// let stmt = relgraph_cypher::parse("MATCH (c:Company)-[:RAISED]->(r) WHERE r.stage = 'B' RETURN c.name").unwrap();
/// let f = relgraph_exec::standing::footprint(&stmt).unwrap();
/// assert!(f.labels.contains("Company") && f.types.contains("RAISED"));
/// assert!(f.keys.contains("stage") && f.keys.contains("name"));
/// assert!(!f.any_node && !f.any_rel && !f.opaque);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Labels named anywhere in the query.
    pub labels: BTreeSet<String>,
    /// Relationship types named anywhere.
    pub types: BTreeSet<String>,
    /// Property keys named anywhere.
    pub keys: BTreeSet<String>,
    /// Some pattern binds nodes that no label or relationship type pins
    /// down (`MATCH (n)`): creating or deleting any node may matter.
    pub any_node: bool,
    /// Some pattern matches relationships of any type and no label pins
    /// it down: creating or deleting any relationship may matter.
    pub any_rel: bool,
    /// The rows carry whole entities or introspect them: every change matters.
    pub opaque: bool,
}

/// The names one commit touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// Labels of created and deleted nodes, and labels added or removed.
    pub labels: BTreeSet<String>,
    /// Types of created and deleted relationships.
    pub types: BTreeSet<String>,
    /// Keys set or removed, and keys of created entities.
    pub keys: BTreeSet<String>,
    /// Some node was created or deleted.
    pub nodes: bool,
    /// Some relationship was created or deleted.
    pub rels: bool,
}

impl Touched {
    /// What `change_sets`, committed on `before` and giving `after`, touched.
    /// Labels and types of deleted entities come from `before` (or from the
    /// change that created them earlier in the same commit); names from
    /// `after`'s catalog, which holds every name the commit interned.
    ///
    /// ```
    /// use relgraph_exec::standing::Touched;
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let before = graph.snapshot();
    /// let mut tx = graph.begin_write().unwrap();
    /// tx.create_node(&["Company"], vec![("name", Value::from("Acme"))]).unwrap();
    /// let sets = tx.change_sets().to_vec();
    /// tx.commit().unwrap();
    /// let t = Touched::of_commit(&before, &graph.snapshot(), &sets);
    /// assert!(t.nodes && t.labels.contains("Company") && t.keys.contains("name"));
    /// ```
    pub fn of_commit(before: &Snapshot, after: &Snapshot, change_sets: &[ChangeSet]) -> Touched {
        let catalog = after.catalog();
        let mut t = Touched::default();
        let mut created_labels = std::collections::HashMap::new();
        let mut created_types = std::collections::HashMap::new();
        let label = |t: &mut Touched, l| {
            if let Some(n) = catalog.label_name(l) {
                t.labels.insert(n.to_string());
            }
        };
        let key = |t: &mut Touched, k| {
            if let Some(n) = catalog.prop_key_name(k) {
                t.keys.insert(n.to_string());
            }
        };
        let rel_type = |t: &mut Touched, r| {
            if let Some(n) = catalog.rel_type_name(r) {
                t.types.insert(n.to_string());
            }
        };
        for change in change_sets.iter().flat_map(|cs| &cs.changes) {
            match change {
                Change::CreateNode { id, labels, props } => {
                    t.nodes = true;
                    labels.iter().for_each(|l| label(&mut t, *l));
                    props.iter().for_each(|(k, _)| key(&mut t, *k));
                    created_labels.insert(*id, labels.clone());
                }
                Change::DeleteNode { id } => {
                    t.nodes = true;
                    let labels = created_labels
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| before.node_labels(*id).to_vec());
                    labels.into_iter().for_each(|l| label(&mut t, l));
                }
                Change::CreateRel {
                    id,
                    rel_type: ty,
                    props,
                    ..
                } => {
                    t.rels = true;
                    rel_type(&mut t, *ty);
                    props.iter().for_each(|(k, _)| key(&mut t, *k));
                    created_types.insert(*id, *ty);
                }
                Change::DeleteRel { id } => {
                    t.rels = true;
                    let ty = created_types
                        .get(id)
                        .copied()
                        .or_else(|| before.rel(*id).map(|r| r.rel_type));
                    if let Some(ty) = ty {
                        rel_type(&mut t, ty);
                    }
                }
                Change::SetNodeProp { key: k, .. } | Change::SetRelProp { key: k, .. } => {
                    key(&mut t, *k)
                }
                Change::AddLabel { label: l, .. } | Change::RemoveLabel { label: l, .. } => {
                    label(&mut t, *l)
                }
            }
        }
        t
    }
}

impl Footprint {
    /// True when a commit that touched `t` may change the query's answer.
    ///
    /// ```
    /// use relgraph_exec::standing::{footprint, Touched};
    /// let stmt = relgraph_cypher::parse("MATCH (c:Company) RETURN c.name").unwrap();
    /// let f = footprint(&stmt).unwrap();
    /// let mut t = Touched { nodes: true, ..Default::default() };
    /// t.labels.insert("Person".into());
    /// assert!(!f.affected_by(&t));
    /// t.labels.insert("Company".into());
    /// assert!(f.affected_by(&t));
    /// ```
    pub fn affected_by(&self, t: &Touched) -> bool {
        self.opaque
            || (self.any_node && t.nodes)
            || (self.any_rel && t.rels)
            || !self.labels.is_disjoint(&t.labels)
            || !self.types.is_disjoint(&t.types)
            || !self.keys.is_disjoint(&t.keys)
    }
}

impl std::fmt::Display for Footprint {
    /// How the query is kept up to date, for `db.standing.list()`.
    ///
    /// ```
    /// let stmt = relgraph_cypher::parse("MATCH (c:Company)-[:RAISED]->(e) WHERE e.series = 'B' RETURN c.name").unwrap();
    /// let f = relgraph_exec::standing::footprint(&stmt).unwrap();
    /// assert_eq!(
    ///     f.to_string(),
    ///     "full re-evaluation after commits that touch :Company [:RAISED] .name .series"
    /// );
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.opaque {
            return f.write_str(
                "full re-evaluation after every commit (rows carry whole entities, \
                 introspect them, or call a procedure)",
            );
        }
        f.write_str("full re-evaluation after commits that touch")?;
        for l in &self.labels {
            write!(f, " :{l}")?;
        }
        for t in &self.types {
            write!(f, " [:{t}]")?;
        }
        for k in &self.keys {
            write!(f, " .{k}")?;
        }
        if self.any_node {
            f.write_str(" or create or delete any node")?;
        }
        if self.any_rel {
            f.write_str(" or create or delete any relationship")?;
        }
        Ok(())
    }
}

/// Functions whose result depends on more of an entity than the names the
/// query spells out.
const INTROSPECTION: &[&str] = &[
    "labels",
    "keys",
    "properties",
    "nodes",
    "relationships",
    "startnode",
    "endnode",
];

/// Checks that `stmt` can stand (a read-only query without ORDER BY, SKIP
/// or LIMIT) and returns what it reads.
///
/// ```
/// use relgraph_exec::error::ExecError;
/// let stmt = relgraph_cypher::parse("MATCH (n:A) RETURN n.x ORDER BY n.x").unwrap();
/// let err = relgraph_exec::standing::footprint(&stmt).unwrap_err();
/// assert!(matches!(err, ExecError::NotStanding { clause: "ORDER BY", .. }));
/// ```
pub fn footprint(stmt: &Statement) -> Result<Footprint> {
    if stmt.mode != QueryMode::Normal {
        return Err(refuse("EXPLAIN/PROFILE", "register the query itself"));
    }
    let query = match &stmt.kind {
        StatementKind::Query(q) => q,
        StatementKind::Schema(_) => {
            return Err(refuse("a schema command", "only read queries can stand"))
        }
    };
    let mut walk = Walk::default();
    for part in std::iter::once(&query.first).chain(query.unions.iter().map(|(_, s)| s)) {
        walk.entities.clear();
        let last = part.clauses.len().saturating_sub(1);
        for (i, clause) in part.clauses.iter().enumerate() {
            walk.clause(clause, i == last)?;
        }
    }
    Ok(walk.f)
}

fn refuse(clause: &'static str, reason: &str) -> ExecError {
    ExecError::NotStanding {
        clause,
        reason: reason.to_string(),
    }
}

#[derive(Default)]
struct Walk {
    f: Footprint,
    /// Variables that may hold nodes, relationships, paths or lists of them.
    entities: BTreeSet<String>,
}

impl Walk {
    fn clause(&mut self, clause: &Clause, last: bool) -> Result<()> {
        match clause {
            Clause::Match(m) => {
                for part in &m.pattern {
                    self.part(part);
                }
                if let Some(w) = &m.where_ {
                    self.expr(w);
                }
            }
            Clause::Unwind(u) => {
                self.expr(&u.expr);
                if self.carries_entity(&u.expr) {
                    self.entities.insert(u.variable.name.clone());
                }
            }
            Clause::With(p) => self.projection(p, false)?,
            Clause::Return(p) => self.projection(p, last)?,
            Clause::Call(c) => {
                let name: Vec<&str> = c.procedure.iter().map(|i| i.name.as_str()).collect();
                let name = name.join(".");
                if find(&name).is_some_and(|p| p.mode == ProcMode::Write) {
                    return Err(refuse(
                        "a write procedure",
                        &format!("{name} changes the database"),
                    ));
                }
                // A procedure reads whatever it likes.
                self.f.opaque = true;
                for e in c.args.iter().flatten() {
                    self.expr(e);
                }
                if let Some(w) = &c.where_ {
                    self.expr(w);
                }
            }
            Clause::Create(_) => return Err(refuse("CREATE", WRITES)),
            Clause::Merge(_) => return Err(refuse("MERGE", WRITES)),
            Clause::Set(_) => return Err(refuse("SET", WRITES)),
            Clause::Remove(_) => return Err(refuse("REMOVE", WRITES)),
            Clause::Delete(_) => return Err(refuse("DELETE", WRITES)),
        }
        Ok(())
    }

    fn projection(&mut self, p: &Projection, is_return: bool) -> Result<()> {
        if !p.order_by.is_empty() {
            return Err(refuse("ORDER BY", ORDERED));
        }
        if p.skip.is_some() {
            return Err(refuse("SKIP", ORDERED));
        }
        if p.limit.is_some() {
            return Err(refuse("LIMIT", ORDERED));
        }
        if p.star && is_return && !self.entities.is_empty() {
            // `RETURN *` returns every variable, entities included.
            self.f.opaque = true;
        }
        let mut carried = BTreeSet::new();
        for item in &p.items {
            self.expr(&item.expr);
            if self.carries_entity(&item.expr) {
                if is_return {
                    self.f.opaque = true;
                }
                let name = item
                    .alias
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| item.text.clone());
                carried.insert(name);
            }
        }
        if let Some(w) = &p.where_ {
            self.expr(w);
        }
        if p.star {
            self.entities.extend(carried);
        } else {
            self.entities = carried;
        }
        Ok(())
    }

    fn part(&mut self, part: &PatternPart) {
        if let Some(v) = &part.variable {
            self.entities.insert(v.name.clone());
        }
        self.element(&part.element);
    }

    fn element(&mut self, el: &PatternElement) {
        let mut labelled = false;
        for node in std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n)) {
            if let Some(v) = &node.variable {
                self.entities.insert(v.name.clone());
            }
            labelled |= !node.labels.is_empty();
            self.f
                .labels
                .extend(node.labels.iter().map(|l| l.name.clone()));
            if let Some(props) = &node.properties {
                self.pattern_props(props);
            }
        }
        // Matches without any relationship (no chain, or `*0..` all the
        // way) bind nodes that only a label pins down.
        let may_be_empty = el
            .chain
            .iter()
            .all(|(rel, _)| matches!(rel.length, Some((Some(0), _))));
        self.f.any_node |= may_be_empty && !labelled;
        for (rel, _) in &el.chain {
            if let Some(v) = &rel.variable {
                self.entities.insert(v.name.clone());
            }
            // Creating a relationship of a type the query does not name
            // touches no label of its (labelled) ends.
            self.f.any_rel |= rel.types.is_empty();
            self.f
                .types
                .extend(rel.types.iter().map(|t| t.name.clone()));
            if let Some(props) = &rel.properties {
                self.pattern_props(props);
            }
        }
    }

    /// A pattern's property map: keys spelled out, or (a parameter) keys
    /// the query does not name.
    fn pattern_props(&mut self, props: &Expr) {
        match &props.kind {
            ExprKind::Map(items) => {
                self.f
                    .keys
                    .extend(items.iter().map(|(k, _)| k.name.clone()));
            }
            _ => self.f.opaque = true,
        }
        self.expr(props);
    }

    /// True when `e` may evaluate to an entity or a list holding one.
    fn carries_entity(&self, e: &Expr) -> bool {
        let mut found = false;
        self.visit_free(e, &mut |v| found |= v);
        found
    }

    /// Calls `seen(true)` for each entity variable `e` uses other than
    /// under a property access or an identity-only function.
    fn visit_free(&self, e: &Expr, seen: &mut dyn FnMut(bool)) {
        match &e.kind {
            ExprKind::Variable(v) => seen(self.entities.contains(v)),
            ExprKind::Property(_, _) | ExprKind::HasLabels(_, _) | ExprKind::CountStar => {}
            ExprKind::FunctionCall { name, .. }
                if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "id" | "elementid" | "count" | "type" | "exists" | "size" | "length"
                ) => {}
            ExprKind::Literal(_) | ExprKind::Parameter(_) => {}
            ExprKind::PatternComprehension { .. }
            | ExprKind::PatternPredicate(_)
            | ExprKind::Exists(_) => {
                // A pattern comprehension's projection may be an entity.
                seen(matches!(e.kind, ExprKind::PatternComprehension { .. }))
            }
            _ => each_child(e, &mut |c| self.visit_free(c, seen)),
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Property(inner, key) => {
                self.f.keys.insert(key.name.clone());
                self.expr(inner);
            }
            ExprKind::HasLabels(inner, labels) => {
                self.f.labels.extend(labels.iter().map(|l| l.name.clone()));
                self.expr(inner);
            }
            ExprKind::Map(items) => {
                for (_, v) in items {
                    self.expr(v);
                }
            }
            ExprKind::FunctionCall { name, args, .. } => {
                if INTROSPECTION.contains(&name.to_ascii_lowercase().as_str()) {
                    self.f.opaque = true;
                }
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Index(base, _) => {
                // `n[$key]`: a key the query does not spell out.
                if self.carries_entity(base) {
                    self.f.opaque = true;
                }
                each_child(e, &mut |c| self.expr(c));
            }
            ExprKind::PatternComprehension { pattern, .. }
            | ExprKind::PatternPredicate(pattern)
            | ExprKind::Exists(pattern) => {
                self.element(pattern);
                each_child(e, &mut |c| self.expr(c));
            }
            ExprKind::MapProjection { items, .. } => {
                for item in items {
                    match item {
                        MapProjectionItem::Property(k) => {
                            self.f.keys.insert(k.name.clone());
                        }
                        MapProjectionItem::Literal(_, v) => self.expr(v),
                        MapProjectionItem::AllProperties => self.f.opaque = true,
                        MapProjectionItem::Variable(v) => {
                            if self.entities.contains(&v.name) {
                                self.f.opaque = true;
                            }
                        }
                    }
                }
            }
            _ => each_child(e, &mut |c| self.expr(c)),
        }
    }
}

const WRITES: &str = "a standing query only reads; run writes as ordinary statements";
const ORDERED: &str = "a standing answer is a multiset of rows, notified as rows that \
                       enter and leave it; sort or cut the rows where they are received";

/// Calls `f` on each direct sub-expression of `e`.
fn each_child(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    match &e.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(f),
        ExprKind::Map(items) => items.iter().for_each(|(_, v)| f(v)),
        ExprKind::Property(inner, _)
        | ExprKind::HasLabels(inner, _)
        | ExprKind::Unary(_, inner)
        | ExprKind::IsNull(inner, _) => f(inner),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            f(a);
            f(b);
        }
        ExprKind::Slice(a, b, c) => {
            f(a);
            b.iter().chain(c.iter()).for_each(|x| f(x));
        }
        ExprKind::FunctionCall { args, .. } => args.iter().for_each(f),
        ExprKind::Case {
            subject,
            branches,
            default,
        } => {
            subject.iter().for_each(|x| f(x));
            for (w, t) in branches {
                f(w);
                f(t);
            }
            default.iter().for_each(|x| f(x));
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            f(list);
            predicate.iter().chain(projection.iter()).for_each(|x| f(x));
        }
        ExprKind::PatternComprehension {
            predicate,
            projection,
            ..
        } => {
            predicate.iter().for_each(|x| f(x));
            f(projection);
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            f(list);
            predicate.iter().for_each(|x| f(x));
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            f(init);
            f(list);
            f(expr);
        }
        ExprKind::PatternPredicate(_) | ExprKind::Exists(_) => {}
        ExprKind::MapProjection { items, .. } => {
            for item in items {
                if let MapProjectionItem::Literal(_, v) = item {
                    f(v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(q: &str) -> Footprint {
        footprint(&relgraph_cypher::parse(q).unwrap()).unwrap()
    }

    fn refused(q: &str) -> &'static str {
        match footprint(&relgraph_cypher::parse(q).unwrap()) {
            Err(ExecError::NotStanding { clause, .. }) => clause,
            other => panic!("{q}: {other:?}"),
        }
    }

    #[test]
    fn refuses_writes_order_and_cut_offs() {
        assert_eq!(refused("CREATE (:A)"), "CREATE");
        assert_eq!(refused("MATCH (n:A) SET n.x = 1"), "SET");
        assert_eq!(refused("MATCH (n:A) DETACH DELETE n"), "DELETE");
        assert_eq!(refused("MATCH (n:A) RETURN n.x LIMIT 3"), "LIMIT");
        assert_eq!(refused("MATCH (n:A) WITH n SKIP 1 RETURN n.x"), "SKIP");
        assert_eq!(refused("EXPLAIN MATCH (n:A) RETURN n.x"), "EXPLAIN/PROFILE");
        assert_eq!(
            refused("CREATE INDEX FOR (n:A) ON (n.x)"),
            "a schema command"
        );
    }

    #[test]
    fn flags() {
        assert!(fp("MATCH (n) RETURN count(*)").any_node);
        assert!(!fp("MATCH (n) RETURN count(*)").opaque);
        assert!(fp("MATCH (a)-->(b) RETURN a.x").any_rel);
        assert!(!fp("MATCH (a)-[:R]->(b) RETURN a.x").any_rel);
        assert!(fp("MATCH (a:A)-->(b) RETURN b.x").any_rel);
        assert!(fp("MATCH (a:A) RETURN a").opaque);
        assert!(fp("MATCH (a:A) WITH a AS b RETURN b").opaque);
        assert!(!fp("MATCH (a:A) WITH a AS b RETURN b.x").opaque);
        assert!(fp("MATCH (a:A) RETURN labels(a)").opaque);
        assert!(fp("MATCH (a:A) RETURN a {.*}").opaque);
        assert!(fp("MATCH (a:A) RETURN collect(a)").opaque);
        assert!(!fp("MATCH (a:A) RETURN id(a), count(a)").opaque);
        assert!(fp("MATCH (a:A)-[:R*0..2]->(b) RETURN b.x")
            .labels
            .contains("A"));
        assert!(fp("MATCH (a)-[:R*0..2]->(b) RETURN b.x").any_node);
        assert!(fp("MATCH (a:A) WHERE a:B RETURN a.x").labels.contains("B"));
    }
}
