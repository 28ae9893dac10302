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

use std::collections::{BTreeMap, BTreeSet};

use relgraph_cypher::ast::{
    Clause, Expr, ExprKind, MapProjectionItem, PatternElement, PatternPart, Projection, QueryMode,
    Statement, StatementKind,
};
use relgraph_graph::{Change, ChangeSet, NodeId, RelId, Snapshot};

use crate::error::{ErrorKind, ExecError, Result};
use crate::procedures::{find, ProcMode};

mod lift;
pub use lift::{Lifted, LiftedCond};

/// The names a standing query reads, and the conservative flags.
///
/// ```
/// let stmt = relgraph_cypher::parse("MATCH (c:Company)-[:RAISED]->(r) WHERE r.stage = 'B' RETURN c.name").unwrap();
/// let f = relgraph_exec::standing::footprint(&stmt).unwrap();
/// assert!(f.labels.contains("Company") && f.types.contains("RAISED"));
/// assert!(f.keys.contains("stage")); // `r` has no label: any entity's `stage`
/// assert!(f.node_keys.contains(&("Company".to_string(), "name".to_string())));
/// assert!(!f.any_node && !f.any_rel && !f.opaque);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Labels named anywhere in the query.
    pub labels: BTreeSet<String>,
    /// Relationship types named anywhere.
    pub types: BTreeSet<String>,
    /// Property keys read where the query does not know what carries them
    /// (a map, a variable bound without labels): a change of one of them
    /// on any node or relationship matters.
    pub keys: BTreeSet<String>,
    /// `(label, key)`: key read on a variable introduced by a node pattern
    /// with that label (the first of its labels): only a change of the key
    /// on a node that has the label, before or after the commit, matters.
    pub node_keys: BTreeSet<(String, String)>,
    /// `(types, key)`: key read on a relationship variable introduced by a
    /// single-hop pattern with those type alternatives.
    pub rel_keys: BTreeSet<(BTreeSet<String>, String)>,
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
    /// `(label, key)` for each of those keys on a node and each label the
    /// node has before or after the commit.
    pub node_keys: BTreeSet<(String, String)>,
    /// `(type, key)` for each of those keys on a relationship.
    pub rel_keys: BTreeSet<(String, String)>,
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
        let label_name = |l| catalog.label_name(l).map(str::to_string);
        let type_name = |r| catalog.rel_type_name(r).map(str::to_string);
        // Only the states before and after the commit decide its answers,
        // so a node's key matters under the labels it has in either.
        let node_key = |t: &mut Touched, id: NodeId, k| {
            let Some(key) = catalog.prop_key_name(k) else {
                return;
            };
            t.keys.insert(key.to_string());
            for l in before
                .node_labels(id)
                .iter()
                .chain(after.node_labels(id).iter())
            {
                if let Some(l) = label_name(*l) {
                    t.node_keys.insert((l, key.to_string()));
                }
            }
        };
        let rel_key = |t: &mut Touched, id: RelId, k| {
            let Some(key) = catalog.prop_key_name(k) else {
                return;
            };
            t.keys.insert(key.to_string());
            let types = before.rel(id).into_iter().chain(after.rel(id));
            for ty in types.filter_map(|r| type_name(r.rel_type)) {
                t.rel_keys.insert((ty, key.to_string()));
            }
        };
        for change in change_sets.iter().flat_map(|cs| &cs.changes) {
            match change {
                Change::CreateNode { id, labels, props } => {
                    t.nodes = true;
                    t.labels
                        .extend(labels.iter().filter_map(|l| label_name(*l)));
                    props.iter().for_each(|(k, _)| node_key(&mut t, *id, *k));
                    created_labels.insert(*id, labels.clone());
                }
                Change::DeleteNode { id } => {
                    t.nodes = true;
                    let labels = created_labels
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| before.node_labels(*id).to_vec());
                    t.labels.extend(labels.into_iter().filter_map(label_name));
                }
                Change::CreateRel {
                    id,
                    rel_type: ty,
                    props,
                    ..
                } => {
                    t.rels = true;
                    t.types.extend(type_name(*ty));
                    props.iter().for_each(|(k, _)| rel_key(&mut t, *id, *k));
                    created_types.insert(*id, *ty);
                }
                Change::DeleteRel { id } => {
                    t.rels = true;
                    let ty = created_types
                        .get(id)
                        .copied()
                        .or_else(|| before.rel(*id).map(|r| r.rel_type));
                    t.types.extend(ty.and_then(type_name));
                }
                Change::SetNodeProp { id, key, .. } => node_key(&mut t, *id, *key),
                Change::SetRelProp { id, key, .. } => rel_key(&mut t, *id, *key),
                Change::AddLabel { label: l, .. } | Change::RemoveLabel { label: l, .. } => {
                    t.labels.extend(label_name(*l))
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
            || !self.node_keys.is_disjoint(&t.node_keys)
            || self.rel_keys.iter().any(|(types, k)| {
                types
                    .iter()
                    .any(|ty| t.rel_keys.contains(&(ty.clone(), k.clone())))
            })
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
    ///     "full re-evaluation after commits that touch :Company [:RAISED] .series :Company.name"
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
        for (l, k) in &self.node_keys {
            write!(f, " :{l}.{k}")?;
        }
        for (types, k) in &self.rel_keys {
            let types: Vec<&str> = types.iter().map(String::as_str).collect();
            write!(f, " [:{}].{k}", types.join("|"))?;
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
/// use relgraph_exec::error::ErrorKind;
/// let stmt = relgraph_cypher::parse("MATCH (n:A) RETURN n.x ORDER BY n.x").unwrap();
/// let err = relgraph_exec::standing::footprint(&stmt).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::NotStanding { clause: "ORDER BY", .. }));
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
        walk.bound.clear();
        walk.quals.clear();
        let last = part.clauses.len().saturating_sub(1);
        for (i, clause) in part.clauses.iter().enumerate() {
            walk.clause(clause, i == last)?;
        }
    }
    Ok(walk.f)
}

fn refuse(clause: &'static str, reason: &str) -> ExecError {
    ErrorKind::NotStanding {
        clause,
        reason: reason.to_string(),
    }
    .into()
}

#[derive(Default)]
struct Walk {
    f: Footprint,
    /// Variables that may hold nodes, relationships, paths or lists of them.
    entities: BTreeSet<String>,
    /// Variables in scope.
    bound: BTreeSet<String>,
    /// What every non-null value of a variable is known to carry: the
    /// label or type alternatives of the clause pattern that introduced it
    /// (a later pattern naming it again filters rows but, in an OPTIONAL
    /// MATCH, does not guarantee it, so only the first one counts).
    quals: BTreeMap<String, Qual>,
}

/// What a variable's entity is known to carry.
#[derive(Clone, Debug)]
enum Qual {
    Label(String),
    Types(BTreeSet<String>),
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
                self.introduce(&u.variable.name);
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
                for (field, alias) in &c.yields {
                    self.introduce(&alias.as_ref().unwrap_or(field).name);
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
        let (mut bound, mut quals) = if p.star {
            (self.bound.clone(), self.quals.clone())
        } else {
            (BTreeSet::new(), BTreeMap::new())
        };
        for item in &p.items {
            self.expr(&item.expr);
            let name = item
                .alias
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| item.text.clone());
            if self.carries_entity(&item.expr) {
                if is_return {
                    self.f.opaque = true;
                }
                carried.insert(name.clone());
            }
            quals.remove(&name);
            if let ExprKind::Variable(v) = &item.expr.kind {
                if let Some(q) = self.quals.get(v) {
                    quals.insert(name.clone(), q.clone());
                }
            }
            bound.insert(name);
        }
        if p.star {
            self.entities.extend(carried);
        } else {
            self.entities = carried;
        }
        self.bound = bound;
        self.quals = quals;
        // WITH ... WHERE reads the projected names.
        if let Some(w) = &p.where_ {
            self.expr(w);
        }
        Ok(())
    }

    /// A variable bound by something other than a pattern (UNWIND, YIELD):
    /// nothing is known of what it carries.
    fn introduce(&mut self, name: &str) {
        self.bound.insert(name.to_string());
        self.quals.remove(name);
    }

    fn part(&mut self, part: &PatternPart) {
        if let Some(v) = &part.variable {
            self.entities.insert(v.name.clone());
            self.introduce(&v.name);
        }
        self.element(&part.element, true);
    }

    /// A pattern; `clause` when it is a MATCH clause's (whose variables
    /// stay in scope), not a pattern inside an expression.
    fn element(&mut self, el: &PatternElement, clause: bool) {
        let mut labelled = false;
        for node in std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n)) {
            let qual = node.labels.first().map(|l| Qual::Label(l.name.clone()));
            if let Some(v) = &node.variable {
                self.entities.insert(v.name.clone());
                if clause && self.bound.insert(v.name.clone()) {
                    if let Some(q) = &qual {
                        self.quals.insert(v.name.clone(), q.clone());
                    }
                }
            }
            labelled |= !node.labels.is_empty();
            self.f
                .labels
                .extend(node.labels.iter().map(|l| l.name.clone()));
            if let Some(props) = &node.properties {
                self.pattern_props(props, qual);
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
            let types: BTreeSet<String> = rel.types.iter().map(|t| t.name.clone()).collect();
            let qual = (!types.is_empty()).then_some(Qual::Types(types));
            if let Some(v) = &rel.variable {
                self.entities.insert(v.name.clone());
                // A variable-length relationship binds a list: no key of it
                // is read through `r.key`.
                if clause && self.bound.insert(v.name.clone()) && rel.length.is_none() {
                    if let Some(q) = &qual {
                        self.quals.insert(v.name.clone(), q.clone());
                    }
                }
            }
            // Creating a relationship of a type the query does not name
            // touches no label of its (labelled) ends.
            self.f.any_rel |= rel.types.is_empty();
            self.f
                .types
                .extend(rel.types.iter().map(|t| t.name.clone()));
            if let Some(props) = &rel.properties {
                self.pattern_props(props, qual);
            }
        }
    }

    /// A pattern's property map: keys spelled out (on what the pattern's
    /// labels or types say), or (a parameter) keys the query does not name.
    fn pattern_props(&mut self, props: &Expr, qual: Option<Qual>) {
        match &props.kind {
            ExprKind::Map(items) => {
                for (k, _) in items {
                    self.key(qual.as_ref(), &k.name);
                }
            }
            _ => self.f.opaque = true,
        }
        self.expr(props);
    }

    /// Records that `key` is read on an entity known to carry `qual`.
    fn key(&mut self, qual: Option<&Qual>, key: &str) {
        match qual {
            Some(Qual::Label(l)) => {
                self.f.node_keys.insert((l.clone(), key.to_string()));
            }
            Some(Qual::Types(t)) => {
                self.f.rel_keys.insert((t.clone(), key.to_string()));
            }
            None => {
                self.f.keys.insert(key.to_string());
            }
        }
    }

    /// Walks `e` with `names` out of scope (a comprehension's own variables
    /// shadow the query's).
    fn shadowed(&mut self, names: &[&str], e: &Expr) {
        let saved: Vec<(String, Qual)> = names
            .iter()
            .filter_map(|n| self.quals.remove_entry(*n))
            .collect();
        each_child(e, &mut |c| self.expr(c));
        self.quals.extend(saved);
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
                let qual = match &inner.kind {
                    ExprKind::Variable(v) => self.quals.get(v).cloned(),
                    _ => None,
                };
                self.key(qual.as_ref(), &key.name);
                self.expr(inner);
            }
            ExprKind::ListComprehension { variable, .. }
            | ExprKind::Quantifier { variable, .. } => {
                self.shadowed(&[variable.name.as_str()], e);
            }
            ExprKind::Reduce {
                accumulator,
                variable,
                ..
            } => {
                self.shadowed(&[accumulator.name.as_str(), variable.name.as_str()], e);
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
                self.element(pattern, false);
                each_child(e, &mut |c| self.expr(c));
            }
            ExprKind::MapProjection { variable, items } => {
                let qual = self.quals.get(&variable.name).cloned();
                for item in items {
                    match item {
                        MapProjectionItem::Property(k) => self.key(qual.as_ref(), &k.name),
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
        match footprint(&relgraph_cypher::parse(q).unwrap()).map_err(ExecError::into_kind) {
            Err(ErrorKind::NotStanding { clause, .. }) => clause,
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

    fn node_key(l: &str, k: &str) -> (String, String) {
        (l.to_string(), k.to_string())
    }

    #[test]
    fn keys_are_qualified_by_the_pattern_that_introduced_the_variable() {
        let f = fp("MATCH (c:Company:Org {id: 1}) RETURN c.name, c {.size}");
        assert!(f.keys.is_empty(), "{f:?}");
        assert!(f.node_keys.contains(&node_key("Company", "name")));
        assert!(f.node_keys.contains(&node_key("Company", "size")));
        assert!(f.node_keys.contains(&node_key("Company", "id")));
        let f = fp("MATCH (c:Company) WITH c AS d WHERE d.x > 1 RETURN d.name");
        assert!(f.keys.is_empty() && f.node_keys.contains(&node_key("Company", "x")));
        let f = fp("MATCH (a:A)-[r:R|S]->(b) RETURN r.w, b.k");
        let types: BTreeSet<String> = ["R".to_string(), "S".to_string()].into();
        assert!(f.rel_keys.contains(&(types, "w".to_string())));
        assert!(f.keys.contains("k"), "b has no label: {f:?}");
        // Introduced without a label: a later pattern does not qualify it
        // (an OPTIONAL MATCH keeps rows where it has not the label).
        let f = fp("MATCH (c) OPTIONAL MATCH (c:Company) RETURN c.name");
        assert!(f.keys.contains("name"), "{f:?}");
        // A comprehension's variable is not the query's.
        let f = fp("MATCH (c:Company) RETURN [c IN $list | c.name] AS l, c.size");
        assert!(f.keys.contains("name") && f.node_keys.contains(&node_key("Company", "size")));
        let f = fp("MATCH (c:Company) RETURN reduce(s = 0, c IN $l | s + c.v) AS t");
        assert!(f.keys.contains("v"), "{f:?}");
        // A projection that is not the plain variable loses what it knew.
        let f = fp("MATCH (c:Company) WITH coalesce(c, c) AS d RETURN d.name");
        assert!(f.keys.contains("name"), "{f:?}");
        // UNWIND and YIELD bind unknown things.
        let f = fp("MATCH (c:Company) UNWIND [c] AS c2 RETURN c2.name");
        assert!(f.keys.contains("name"), "{f:?}");
    }
}

/// Parameter holding the ids of the nodes a commit touched.
pub const SEED_NODES: &str = "__relgraph_touched_nodes";
/// Parameter holding the ids of the relationships a commit touched.
pub const SEED_RELS: &str = "__relgraph_touched_rels";
/// Parameter holding the end nodes of the relationships a commit touched.
pub const SEED_ENDS: &str = "__relgraph_touched_ends";
/// Parameter holding the nodes a commit touched that existed before it
/// (changed or deleted, not created).
pub const SEED_CHANGED: &str = "__relgraph_touched_changed_nodes";

/// The ids one commit touched: nodes created, deleted, or whose labels or
/// properties changed; relationships created, deleted or changed, and
/// their end nodes. A match that binds none of them has the same row
/// before and after the commit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TouchedIds {
    /// Node ids, ascending.
    pub nodes: Vec<i64>,
    /// Relationship ids, ascending.
    pub rels: Vec<i64>,
    /// End nodes of those relationships (before or after), ascending.
    pub ends: Vec<i64>,
    /// The touched nodes that existed before the commit, ascending: a
    /// node it created has only relationships it created.
    pub changed: Vec<i64>,
}

impl TouchedIds {
    /// The ids `change_sets` touched; ends of deleted relationships come
    /// from `before` (or from their creation earlier in the commit).
    ///
    /// ```
    /// use relgraph_exec::standing::TouchedIds;
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let before = graph.snapshot();
    /// let mut tx = graph.begin_write().unwrap();
    /// let a = tx.create_node(&["Company"], vec![("name", Value::from("Acme"))]).unwrap();
    /// let r = tx.create_rel(a, "OWNS", a, vec![]).unwrap();
    /// let sets = tx.change_sets().to_vec();
    /// tx.commit().unwrap();
    /// let t = TouchedIds::of_commit(&before, &sets);
    /// assert_eq!((t.nodes, t.rels, t.ends), (vec![a.0 as i64], vec![r.0 as i64], vec![a.0 as i64]));
    /// ```
    pub fn of_commit(before: &Snapshot, change_sets: &[ChangeSet]) -> TouchedIds {
        let (mut nodes, mut rels, mut ends) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        let mut created_nodes = BTreeSet::new();
        let mut created: BTreeMap<RelId, (NodeId, NodeId)> = BTreeMap::new();
        for change in change_sets.iter().flat_map(|cs| &cs.changes) {
            if let Change::CreateNode { id, .. } = change {
                created_nodes.insert(id.0);
            }
            match change {
                Change::CreateNode { id, .. }
                | Change::DeleteNode { id }
                | Change::SetNodeProp { id, .. }
                | Change::AddLabel { id, .. }
                | Change::RemoveLabel { id, .. } => {
                    nodes.insert(id.0);
                }
                Change::CreateRel { id, src, dst, .. } => {
                    rels.insert(id.0);
                    created.insert(*id, (*src, *dst));
                    ends.extend([src.0, dst.0]);
                }
                Change::DeleteRel { id } | Change::SetRelProp { id, .. } => {
                    rels.insert(id.0);
                    let e = created
                        .get(id)
                        .copied()
                        .or_else(|| before.rel(*id).map(|r| (r.src, r.dst)));
                    if let Some((s, d)) = e {
                        ends.extend([s.0, d.0]);
                    }
                }
            }
        }
        let ints = |s: BTreeSet<u64>| {
            s.into_iter()
                .filter_map(|i| i64::try_from(i).ok())
                .collect()
        };
        let changed = nodes.difference(&created_nodes).copied().collect();
        TouchedIds {
            nodes: ints(nodes),
            rels: ints(rels),
            ends: ints(ends),
            changed: ints(changed),
        }
    }

    /// True when the commit touched no node and no relationship.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.rels.is_empty()
    }

    /// The seed parameters the parts of a [`DeltaPlan`] read.
    pub fn params(&self) -> [(String, relgraph_graph::Value); 4] {
        let list = |xs: &[i64]| {
            relgraph_graph::Value::List(xs.iter().map(|i| relgraph_graph::Value::Int(*i)).collect())
        };
        [
            (SEED_NODES.to_string(), list(&self.nodes)),
            (SEED_RELS.to_string(), list(&self.rels)),
            (SEED_ENDS.to_string(), list(&self.ends)),
            (SEED_CHANGED.to_string(), list(&self.changed)),
        ]
    }
}

/// Incremental evaluation of a standing query (docs/cookbook.md,
/// "Standing questions"): the rows a commit adds and removes come from the
/// matches that bind at least one element the commit touched
/// ([`TouchedIds`]), evaluated on the snapshots before and after it; a
/// match that binds none has the same row in both.
///
/// The query is split into one part per pattern element `e_i` (anonymous
/// elements are named first): part `i` keeps the matches whose first
/// touched element, in pattern order, is `e_i` (`id(e_i) IN touched AND
/// NOT id(e_j) IN touched` for every earlier `e_j`; for a relationship,
/// also `id(a) IN ends` for its first node, so that the planner can start
/// there), so every such match is counted once. The rows added are the
/// parts' rows after minus those before, as multisets; the rows removed,
/// the other way round.
///
/// Built for single-part queries of plain `MATCH` clauses (fixed-length
/// patterns, WHERE) and a `RETURN` without DISTINCT, aggregates or `*`,
/// with no pattern inside an expression; [`DeltaPlan::of`] gives `None`
/// for anything else, which is evaluated whole and diffed.
///
/// ```
/// let stmt = relgraph_cypher::parse(
///     "MATCH (c:Company)-[:RAISED]->(e:Event) WHERE e.series = 'B' RETURN c.name, e.amount").unwrap();
/// let plan = relgraph_exec::standing::DeltaPlan::of(&stmt).unwrap();
/// assert_eq!(plan.parts().len(), 3); // c, the RAISED relationship, e
/// let counted = relgraph_cypher::parse("MATCH (c:Company) RETURN count(c)").unwrap();
/// assert!(relgraph_exec::standing::DeltaPlan::of(&counted).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct DeltaPlan {
    parts: Vec<Statement>,
    seeds: Vec<Seed>,
}

/// What the element a part of a [`DeltaPlan`] is seeded by must be: a
/// touched element that is not one cannot start a match of the part, so
/// the part need not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seed {
    /// A node carrying every one of these labels.
    Node(Vec<String>),
    /// A node carrying every one of these labels that existed before the
    /// commit: the part's element comes after a relationship at it, which
    /// must be untouched, and a node the commit created has only
    /// relationships the commit created.
    ChangedNode(Vec<String>),
    /// A relationship of one of these types (any type when empty).
    Rel(Vec<String>),
}

/// What touched elements start a part, in words.
///
/// ```
/// use relgraph_exec::standing::Seed;
/// assert_eq!(
///     Seed::Rel(vec!["RAISED".into()]).to_string(),
///     "relationships of type :RAISED the commit created, deleted or changed"
/// );
/// assert_eq!(
///     Seed::Node(vec![]).to_string(),
///     "nodes the commit created, deleted or changed"
/// );
/// ```
impl std::fmt::Display for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |prefix: &str, names: &[String], sep: &str| {
            names
                .iter()
                .map(|n| format!("{prefix}{n}"))
                .collect::<Vec<_>>()
                .join(sep)
        };
        match self {
            Seed::Node(labels) if labels.is_empty() => {
                write!(f, "nodes the commit created, deleted or changed")
            }
            Seed::Node(labels) => write!(
                f,
                "nodes with labels {} the commit created, deleted or changed",
                names(":", labels, "")
            ),
            Seed::ChangedNode(labels) => write!(
                f,
                "nodes{}{} the commit changed or deleted (one it created has only \
                 relationships it created, and an earlier one must be untouched)",
                if labels.is_empty() {
                    ""
                } else {
                    " with labels "
                },
                names(":", labels, "")
            ),
            Seed::Rel(types) if types.is_empty() => {
                write!(f, "relationships the commit created, deleted or changed")
            }
            Seed::Rel(types) => write!(
                f,
                "relationships of type {} the commit created, deleted or changed",
                names(":", types, "|")
            ),
        }
    }
}

/// An element of a pattern, once named.
#[derive(Clone, Debug)]
enum Element {
    Node(String),
    /// A relationship and the node before it in its chain.
    Rel(String, String),
}

impl DeltaPlan {
    /// The plan for `stmt`, or `None` when its shape is not one the delta
    /// rule is derived for.
    pub fn of(stmt: &Statement) -> Option<DeltaPlan> {
        if stmt.mode != QueryMode::Normal {
            return None;
        }
        let StatementKind::Query(q) = &stmt.kind else {
            return None;
        };
        if !q.unions.is_empty() {
            return None;
        }
        let (ret, matches) = q.first.clauses.split_last()?;
        let Clause::Return(ret) = ret else {
            return None;
        };
        if ret.distinct || ret.star || matches.is_empty() {
            return None;
        }
        if !ret.items.iter().all(|i| simple_expr(&i.expr)) {
            return None;
        }
        let mut named = stmt.clone();
        let StatementKind::Query(nq) = &mut named.kind else {
            return None;
        };
        let mut elements: Vec<Element> = Vec::new();
        let mut seeds: BTreeMap<String, Seed> = BTreeMap::new();
        // The nodes each relationship variable is bound at.
        let mut incident: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut fresh = 0usize;
        let mut name = |v: &mut Option<relgraph_cypher::ast::Ident>, span| -> String {
            if v.is_none() {
                *v = Some(relgraph_cypher::ast::Ident {
                    name: format!("  delta{fresh}"),
                    span,
                });
                fresh += 1;
            }
            v.as_ref().map(|i| i.name.clone()).unwrap_or_default()
        };
        let push = |e: Element, elements: &mut Vec<Element>| {
            let key = match &e {
                Element::Node(n) | Element::Rel(n, _) => n.clone(),
            };
            if !elements
                .iter()
                .any(|x| matches!(x, Element::Node(n) | Element::Rel(n, _) if *n == key))
            {
                elements.push(e);
            }
        };
        let last = nq.first.clauses.len() - 1;
        for clause in &mut nq.first.clauses[..last] {
            let Clause::Match(m) = clause else {
                return None;
            };
            if m.optional {
                return None;
            }
            if let Some(w) = &m.where_ {
                if !simple_expr(w) {
                    return None;
                }
            }
            for part in &mut m.pattern {
                if part.kind != relgraph_cypher::ast::PathKind::Plain {
                    return None;
                }
                let el = &mut part.element;
                if !props_simple(&el.start.properties) {
                    return None;
                }
                let mut prev = name(&mut el.start.variable, el.start.span);
                push(Element::Node(prev.clone()), &mut elements);
                add_labels(&mut seeds, &prev, &el.start.labels);
                for (rel, node) in &mut el.chain {
                    if rel.length.is_some()
                        || !props_simple(&rel.properties)
                        || !props_simple(&node.properties)
                    {
                        return None;
                    }
                    let r = name(&mut rel.variable, rel.span);
                    seeds.entry(r.clone()).or_insert_with(|| {
                        Seed::Rel(rel.types.iter().map(|t| t.name.clone()).collect())
                    });
                    push(Element::Rel(r.clone(), prev.clone()), &mut elements);
                    let before = std::mem::replace(&mut prev, name(&mut node.variable, node.span));
                    incident
                        .entry(r)
                        .or_default()
                        .extend([before, prev.clone()]);
                    push(Element::Node(prev.clone()), &mut elements);
                    add_labels(&mut seeds, &prev, &node.labels);
                }
            }
        }
        // What seeds each part; a node after a relationship at it only
        // by nodes that existed before the commit.
        let part_seeds: Vec<Seed> = elements
            .iter()
            .enumerate()
            .map(|(i, e)| match e {
                Element::Node(n) | Element::Rel(n, _) => {
                    match seeds.get(n).cloned().unwrap_or(Seed::Node(Vec::new())) {
                        Seed::Node(labels) if after_incident_rel(&elements[..i], &incident, n) => {
                            Seed::ChangedNode(labels)
                        }
                        seed => seed,
                    }
                }
            })
            .collect();
        let span = stmt.span;
        let parts = (0..elements.len())
            .map(|i| {
                let mut part = named.clone();
                let StatementKind::Query(pq) = &mut part.kind else {
                    return part;
                };
                let mut conj: Vec<Expr> = Vec::new();
                match &elements[i] {
                    Element::Node(n) if matches!(part_seeds.get(i), Some(Seed::ChangedNode(_))) => {
                        conj.push(id_in(n, SEED_CHANGED, span))
                    }
                    Element::Node(n) => conj.push(id_in(n, SEED_NODES, span)),
                    Element::Rel(r, a) => {
                        conj.push(id_in(r, SEED_RELS, span));
                        conj.push(id_in(a, SEED_ENDS, span));
                    }
                }
                for e in &elements[..i] {
                    let (v, seeds) = match e {
                        Element::Node(n) => (n, SEED_NODES),
                        Element::Rel(r, _) => (r, SEED_RELS),
                    };
                    conj.push(Expr {
                        kind: ExprKind::Unary(
                            relgraph_cypher::ast::UnaryOp::Not,
                            Box::new(id_in(v, seeds, span)),
                        ),
                        span,
                    });
                }
                let Some(Clause::Match(m)) = pq.first.clauses.get_mut(last.saturating_sub(1))
                else {
                    return part;
                };
                for c in conj {
                    m.where_ = Some(match m.where_.take() {
                        None => c,
                        Some(w) => Expr {
                            kind: ExprKind::Binary(
                                relgraph_cypher::ast::BinaryOp::And,
                                Box::new(w),
                                Box::new(c),
                            ),
                            span,
                        },
                    });
                }
                part
            })
            .collect();
        Some(DeltaPlan {
            parts,
            seeds: part_seeds,
        })
    }

    /// Per part, what its seed element must be.
    pub fn seeds(&self) -> &[Seed] {
        &self.seeds
    }

    /// One statement per pattern element; run each with the query's
    /// parameters plus [`TouchedIds::params`].
    pub fn parts(&self) -> &[Statement] {
        &self.parts
    }
}

/// Adds a node pattern's labels to what its variable's seed must carry.
fn add_labels(
    seeds: &mut BTreeMap<String, Seed>,
    var: &str,
    labels: &[relgraph_cypher::ast::Ident],
) {
    let seed = seeds
        .entry(var.to_string())
        .or_insert_with(|| Seed::Node(Vec::new()));
    if let Seed::Node(ls) = seed {
        for l in labels {
            if !ls.contains(&l.name) {
                ls.push(l.name.clone());
            }
        }
    }
}

impl Seed {
    /// Whether some touched element could seed the part in `snap`.
    pub fn possible(&self, snap: &Snapshot, ids: &TouchedIds) -> bool {
        let cat = snap.catalog();
        match self {
            Seed::Node(labels) | Seed::ChangedNode(labels) => {
                let candidates = match self {
                    Seed::ChangedNode(_) => &ids.changed,
                    _ => &ids.nodes,
                };
                let Some(ls) = labels
                    .iter()
                    .map(|l| cat.label_id(l))
                    .collect::<Option<Vec<_>>>()
                else {
                    return false;
                };
                candidates.iter().any(|&n| {
                    let n = NodeId(n as u64);
                    snap.node_exists(n) && ls.iter().all(|l| snap.has_label(n, *l))
                })
            }
            Seed::Rel(types) => {
                let ts: Vec<_> = types.iter().filter_map(|t| cat.rel_type_id(t)).collect();
                if !types.is_empty() && ts.is_empty() {
                    return false;
                }
                ids.rels.iter().any(|&r| {
                    snap.rel(RelId(r as u64))
                        .is_some_and(|r| types.is_empty() || ts.contains(&r.rel_type))
                })
            }
        }
    }
}

/// True when one of `earlier` is a relationship bound at node `n`.
fn after_incident_rel(
    earlier: &[Element],
    incident: &BTreeMap<String, Vec<String>>,
    n: &str,
) -> bool {
    earlier.iter().any(|e| match e {
        Element::Rel(r, _) => incident.get(r).is_some_and(|ns| ns.iter().any(|x| x == n)),
        Element::Node(_) => false,
    })
}

/// `id(var) IN $param`.
fn id_in(var: &str, param: &str, span: relgraph_cypher::ast::Span) -> Expr {
    let e = |kind| Expr { kind, span };
    e(ExprKind::Binary(
        relgraph_cypher::ast::BinaryOp::In,
        Box::new(e(ExprKind::FunctionCall {
            name: "id".to_string(),
            distinct: false,
            args: vec![e(ExprKind::Variable(var.to_string()))],
        })),
        Box::new(e(ExprKind::Parameter(param.to_string()))),
    ))
}

fn props_simple(p: &Option<Box<Expr>>) -> bool {
    p.as_deref().is_none_or(simple_expr)
}

/// True when `e` reads nothing of the graph beyond the elements it names:
/// no pattern, no aggregate.
fn simple_expr(e: &Expr) -> bool {
    let mut ok = true;
    crate::compile::expr::walk(e, &mut |x| match &x.kind {
        ExprKind::PatternComprehension { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::Exists(_)
        | ExprKind::CountStar => ok = false,
        ExprKind::FunctionCall { name, .. } if crate::functions::is_aggregate(name) => ok = false,
        _ => {}
    });
    ok
}
