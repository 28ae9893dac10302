//! Access policies in the executor: a role's restricted snapshot (with its
//! row conditions compiled to expressions), the role and privilege
//! commands, and the check of a statement's writes against the role's
//! write privileges. The rules themselves live in
//! `relgraph_graph::access`; docs/access.md describes them for users.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_cypher::ast::{
    AccessCommand, ElementKind, Expr, ExprKind, Ident, PrivilegeAction, PrivilegeCommand,
    PrivilegeVerb, StatementKind,
};
use relgraph_graph::access::{
    AccessRules, Action, Condition, Privilege, RowPredicate, Segment, WriteTarget,
};
use relgraph_graph::temporal::DateTime;
use relgraph_graph::{
    Catalog, Change, ChangeSet, LabelId, NodeId, RelId, RelTypeId, Snapshot, Value,
};

use crate::compile::expr::{walk, AggMode};
use crate::compile::scope::{Scope, VarKind};
use crate::compile::Compiler;
use crate::error::{ErrorKind, ExecError, Result};
use crate::eval::eval;
use crate::eval::Ctx;
use crate::exec::State;
use crate::options::{Guard, QueryOptions};
use crate::plan::CExpr;

/// The error for a statement the role may not run.
fn denied(message: impl Into<String>) -> ExecError {
    ErrorKind::PermissionDenied(message.into()).into()
}

/// `snapshot` as `role` sees it, or unchanged for the administrator
/// (`None`). Every accessor of the result, and its petgraph views, leave
/// out what the role may not see; an unknown role is refused.
///
/// ```
/// use relgraph_exec::restrict;
/// use relgraph_graph::Snapshot;
/// let s = Snapshot::empty();
/// assert!(restrict(&s, None).is_ok()); // the administrator
/// assert!(restrict(&s, Some("nobody")).is_err()); // no such role
/// ```
pub fn restrict(snapshot: &Snapshot, role: Option<&str>) -> Result<Snapshot> {
    let Some(role) = role else {
        return Ok(snapshot.clone());
    };
    let raw = snapshot.unrestricted();
    raw.restrict_as(role, || {
        let catalog = raw.catalog();
        AccessRules::compile(role, &catalog.policies, catalog, &mut |c| {
            compile_condition(&raw, c).map(|p| Arc::new(p) as Arc<dyn RowPredicate>)
        })
        .map_err(|e| denied(e.to_string()))
    })
}

/// A row condition compiled against a snapshot's catalog.
struct CompiledCondition {
    expr: CExpr,
    params: BTreeMap<String, Value>,
    guard: Guard,
    now: DateTime,
}

impl RowPredicate for CompiledCondition {
    fn holds(&self, raw: &Snapshot, n: NodeId) -> bool {
        let ctx = Ctx {
            snapshot: raw,
            params: &self.params,
            guard: &self.guard,
            now: &self.now,
            tables: &crate::tables::NO_TABLES,
            late: &crate::eval::NO_LATE,
            subplans: &crate::exec::SUBPLANS,
        };
        matches!(
            eval(&self.expr, &[Value::Node(n)], &mut Vec::new(), &ctx),
            Ok(Value::Bool(true))
        )
    }
}

/// Parses a stored condition back into an expression.
fn condition_expr(c: &Condition) -> std::result::Result<Expr, String> {
    let text = format!("MATCH ({}) WHERE {} RETURN 1", quote(&c.variable), c.text);
    let stmt = relgraph_cypher::parse(&text).map_err(|e| e.to_string())?;
    match stmt.kind {
        StatementKind::Query(q) => match q.first.clauses.into_iter().next() {
            Some(relgraph_cypher::ast::Clause::Match(m)) => {
                m.where_.ok_or_else(|| "no condition".to_string())
            }
            _ => Err("not a condition".to_string()),
        },
        _ => Err("not a condition".to_string()),
    }
}

fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn compile_condition(
    raw: &Snapshot,
    c: &Condition,
) -> std::result::Result<CompiledCondition, String> {
    let e = condition_expr(c)?;
    let params = BTreeMap::new();
    let mut compiler = Compiler::new(raw, &params, u32::MAX);
    let mut scope = Scope::default();
    let slot = compiler.alloc();
    scope
        .bind(&c.variable, slot, VarKind::Node, e.span)
        .map_err(|e| e.to_string())?;
    let expr = compiler
        .expr(&e, &scope, &mut AggMode::Forbidden("a policy condition"))
        .map_err(|e| e.to_string())?;
    Ok(CompiledCondition {
        expr,
        params: BTreeMap::new(),
        guard: Guard::new(&QueryOptions {
            memory_budget: None,
            ..QueryOptions::default()
        }),
        now: crate::functions::temporal::statement_now(),
    })
}

/// Checks a condition as written in GRANT/DENY: only the node's own values
/// (no parameters, patterns, subqueries or comprehensions), and one
/// variable. Returns the variable.
fn check_condition(var: Option<&Ident>, e: &Expr) -> Result<String> {
    let mut vars: Vec<String> = Vec::new();
    let mut bad: Option<&'static str> = None;
    walk(e, &mut |x| match &x.kind {
        ExprKind::Variable(v) if !vars.contains(v) => vars.push(v.clone()),
        ExprKind::Parameter(_) => bad = bad.or(Some("parameters")),
        ExprKind::PatternComprehension { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::Exists(_) => bad = bad.or(Some("patterns")),
        ExprKind::ListComprehension { .. }
        | ExprKind::Quantifier { .. }
        | ExprKind::Reduce { .. } => bad = bad.or(Some("comprehensions")),
        ExprKind::CountStar => bad = bad.or(Some("aggregates")),
        _ => {}
    });
    if let Some(what) = bad {
        return Err(ExecError::semantic(
            "InvalidArgument",
            format!("a privilege's condition cannot use {what}: it reads only the node's own properties and labels"),
            Some(e.span),
        ));
    }
    match (var, vars.as_slice()) {
        (Some(v), []) => Ok(v.name.clone()),
        (Some(v), [only]) if *only == v.name => Ok(v.name.clone()),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Ok("n".to_string()),
        _ => Err(ExecError::semantic(
            "InvalidArgument",
            "a privilege's condition names one variable: the node (`NODES Person WHERE n.consent = true` or `FOR (n:Person) WHERE n.consent = true`)",
            Some(e.span),
        )),
    }
}

/// Result columns of an access command.
pub(crate) fn columns(cmd: &AccessCommand) -> Vec<String> {
    let names: &[&str] = match cmd {
        AccessCommand::ShowRoles => &["role"],
        AccessCommand::ShowPrivileges { .. } => &[
            "access",
            "action",
            "resource",
            "segment",
            "condition",
            "role",
        ],
        _ => &[],
    };
    names.iter().map(|s| s.to_string()).collect()
}

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

/// Publishes a changed catalog (as schema commands do).
fn publish(st: &mut State<'_>, catalog: Catalog) -> Result<()> {
    crate::schema::publish(st, catalog)
}

/// Runs an access command; the caller has checked that the statement runs
/// as the administrator.
pub(crate) fn run(cmd: &AccessCommand, st: &mut State<'_>) -> Result<Vec<Vec<Value>>> {
    let cat = st.snapshot.catalog();
    match cmd {
        AccessCommand::ShowRoles => Ok(cat
            .policies
            .roles
            .iter()
            .map(|r| vec![s(&r.name)])
            .collect()),
        AccessCommand::ShowPrivileges { role } => {
            if let Some(r) = role {
                if cat.policies.role(&r.name).is_none() {
                    return Err(unknown_role(&r.name));
                }
            }
            Ok(cat
                .policies
                .roles
                .iter()
                .filter(|r| role.as_ref().is_none_or(|x| x.name == r.name))
                .flat_map(|r| {
                    r.privileges
                        .iter()
                        .map(move |p| privilege_row(cat, &r.name, p))
                })
                .collect())
        }
        AccessCommand::CreateRole {
            name,
            if_not_exists,
        } => {
            let mut cat = cat.clone();
            if !cat.policies.create_role(&name.name) {
                if *if_not_exists {
                    return Ok(Vec::new());
                }
                return Err(ExecError::semantic(
                    "RoleAlreadyExists",
                    format!("role `{}` already exists", name.name),
                    Some(name.span),
                ));
            }
            publish(st, cat)?;
            Ok(Vec::new())
        }
        AccessCommand::DropRole { name, if_exists } => {
            let mut cat = cat.clone();
            if !cat.policies.drop_role(&name.name) {
                if *if_exists {
                    return Ok(Vec::new());
                }
                return Err(unknown_role(&name.name));
            }
            publish(st, cat)?;
            Ok(Vec::new())
        }
        AccessCommand::Privilege(p) => {
            let mut cat = cat.clone();
            let privileges = expand(p, &mut cat)?;
            for role in &p.roles {
                let r = cat
                    .policies
                    .role_mut(&role.name)
                    .ok_or_else(|| unknown_role(&role.name))?;
                match p.verb {
                    PrivilegeVerb::Grant | PrivilegeVerb::Deny => {
                        for x in &privileges {
                            // A grant and a denial of the same privilege
                            // both stay (the denial wins); REVOKE removes.
                            if !r.privileges.contains(x) {
                                r.privileges.push(x.clone());
                            }
                        }
                    }
                    PrivilegeVerb::Revoke(which) => r.privileges.retain(|y| {
                        !privileges.iter().any(|x| {
                            same_but_access(x, y) && which.is_none_or(|deny| deny == y.deny)
                        })
                    }),
                }
            }
            publish(st, cat)?;
            Ok(Vec::new())
        }
    }
}

fn unknown_role(name: &str) -> ExecError {
    ExecError::semantic(
        "RoleNotFound",
        format!("role `{name}` does not exist"),
        None,
    )
}

fn same_but_access(a: &Privilege, b: &Privilege) -> bool {
    a.action == b.action && a.segment == b.segment && a.key == b.key && a.condition == b.condition
}

/// The stored privileges a command names: compound actions split, one
/// entry per label (type) and key, names interned.
fn expand(p: &PrivilegeCommand, cat: &mut Catalog) -> Result<Vec<Privilege>> {
    use PrivilegeAction as A;
    let condition = match &p.condition {
        None => None,
        Some((var, e)) => {
            if p.kind != ElementKind::Nodes {
                return Err(ExecError::semantic(
                    "InvalidArgument",
                    "a condition applies to node privileges only (`NODES Label WHERE ...`)",
                    Some(e.span),
                ));
            }
            let variable = check_condition(var.as_ref(), e)?;
            Some(Condition {
                variable,
                text: e.to_string(),
            })
        }
    };
    if condition.is_some() && !matches!(p.action, A::Traverse | A::Read | A::Match) {
        return Err(ExecError::semantic(
            "InvalidArgument",
            "a condition applies to TRAVERSE, READ and MATCH only",
            Some(p.span),
        ));
    }
    let actions: &[(Action, bool)] = match p.action {
        A::Traverse => &[(Action::Traverse, false)],
        A::Read => &[(Action::Read, true)],
        A::Match => &[(Action::Traverse, false), (Action::Read, true)],
        A::Create => &[(Action::Create, false)],
        A::Delete => &[(Action::Delete, false)],
        A::SetProperty => &[(Action::SetProperty, true)],
        A::SetLabel => &[(Action::SetLabel, false)],
        A::RemoveLabel => &[(Action::RemoveLabel, false)],
        A::Merge => &[
            (Action::Traverse, false),
            (Action::Read, true),
            (Action::Create, false),
            (Action::SetProperty, true),
        ],
        A::Write => &[
            (Action::Create, false),
            (Action::Delete, false),
            (Action::SetProperty, false),
            (Action::SetLabel, false),
            (Action::RemoveLabel, false),
        ],
        A::All => &[
            (Action::Traverse, false),
            (Action::Read, false),
            (Action::Create, false),
            (Action::Delete, false),
            (Action::SetProperty, false),
            (Action::SetLabel, false),
            (Action::RemoveLabel, false),
        ],
    };
    let label_action = matches!(p.action, A::SetLabel | A::RemoveLabel);
    let mut segments: Vec<Segment> = Vec::new();
    let (nodes, rels) = match p.kind {
        _ if label_action => (true, false),
        ElementKind::Nodes => (true, false),
        ElementKind::Relationships => (false, true),
        ElementKind::Elements => (true, true),
    };
    match &p.names {
        None => {
            if nodes {
                segments.push(Segment::Nodes(None));
            }
            if rels {
                segments.push(Segment::Relationships(None));
            }
        }
        Some(names) => {
            for n in names {
                if nodes {
                    segments.push(Segment::Nodes(Some(cat.intern_label(&n.name))));
                }
                if rels {
                    segments.push(Segment::Relationships(Some(cat.intern_rel_type(&n.name))));
                }
            }
        }
    }
    let keys: Vec<Option<relgraph_graph::PropKeyId>> = match &p.keys {
        None => vec![None],
        Some(ks) => ks
            .iter()
            .map(|k| Some(cat.intern_prop_key(&k.name)))
            .collect(),
    };
    let mut out = Vec::new();
    for &(action, keyed) in actions {
        for &segment in &segments {
            let ks: &[Option<relgraph_graph::PropKeyId>] = if keyed { &keys } else { &[None] };
            for &key in ks {
                let condition = match segment {
                    Segment::Nodes(_) if matches!(action, Action::Traverse | Action::Read) => {
                        condition.clone()
                    }
                    _ => None,
                };
                let x = Privilege {
                    deny: p.verb == PrivilegeVerb::Deny,
                    action,
                    segment,
                    key,
                    condition,
                };
                if !out.contains(&x) {
                    out.push(x);
                }
            }
        }
    }
    Ok(out)
}

/// One row of SHOW PRIVILEGES.
fn privilege_row(cat: &Catalog, role: &str, p: &Privilege) -> Vec<Value> {
    let name = |n: Option<&str>| n.unwrap_or("?").to_string();
    let resource = match (p.action, p.key) {
        (Action::Read | Action::SetProperty, None) => "all_properties".to_string(),
        (Action::Read | Action::SetProperty, Some(k)) => {
            format!("property({})", name(cat.prop_key_name(k)))
        }
        (Action::SetLabel | Action::RemoveLabel, _) => match p.segment {
            Segment::Nodes(Some(l)) => format!("label({})", name(cat.label_name(l))),
            _ => "all_labels".to_string(),
        },
        _ => "graph".to_string(),
    };
    let segment = match p.segment {
        Segment::Nodes(None) => "NODE(*)".to_string(),
        Segment::Nodes(Some(l)) => format!("NODE({})", name(cat.label_name(l))),
        Segment::Relationships(None) => "RELATIONSHIP(*)".to_string(),
        Segment::Relationships(Some(t)) => {
            format!("RELATIONSHIP({})", name(cat.rel_type_name(t)))
        }
    };
    vec![
        s(if p.deny { "DENIED" } else { "GRANTED" }),
        s(p.action.name()),
        s(&resource),
        s(&segment),
        p.condition
            .as_ref()
            .map_or(Value::Null, |c| s(&format!("{}: {}", c.variable, c.text))),
        s(role),
    ]
}

/// Checks the writes of `cs` against the role's write privileges, before
/// they are applied to `snapshot` (restricted by the role; the labels of
/// existing nodes are read unrestricted, so a denial on a label the role
/// cannot see still holds).
pub(crate) fn check_writes(snapshot: &Snapshot, cs: &ChangeSet) -> Result<()> {
    let Some(rules) = snapshot.access_rules() else {
        return Ok(());
    };
    let raw = snapshot.unrestricted();
    let cat = cs.catalog.as_ref().map_or(raw.catalog(), |c| &c.0);
    let label = |l: LabelId| cat.label_name(l).unwrap_or("?").to_string();
    let key_name = |k| cat.prop_key_name(k).unwrap_or("?").to_string();
    // Labels of nodes and types of relationships created in this change
    // set, for later changes to them.
    let mut created: BTreeMap<NodeId, Vec<LabelId>> = BTreeMap::new();
    let mut created_rels: BTreeMap<RelId, RelTypeId> = BTreeMap::new();
    let labels_of = |n: NodeId, created: &BTreeMap<NodeId, Vec<LabelId>>| -> Vec<LabelId> {
        created
            .get(&n)
            .cloned()
            .unwrap_or_else(|| raw.node_labels(n).into_owned())
    };
    let node_ok = |action: Action, labels: &[LabelId], key| {
        if labels.is_empty() {
            return rules.may_write(action, WriteTarget::Node(&[]), key);
        }
        labels
            .iter()
            .all(|l| rules.may_write(action, WriteTarget::Node(std::slice::from_ref(l)), key))
            && rules.may_write(action, WriteTarget::Node(labels), key)
    };
    let what = |action: Action| match action {
        Action::Create => "create",
        Action::Delete => "delete",
        Action::SetProperty => "set properties on",
        Action::SetLabel => "add labels to",
        Action::RemoveLabel => "remove labels from",
        _ => "change",
    };
    let role = rules.role();
    for c in &cs.changes {
        match c {
            Change::CreateNode { id, labels, props } => {
                created.insert(*id, labels.clone());
                if !node_ok(Action::Create, labels, None) {
                    return Err(denied(format!(
                        "role `{role}` may not {} nodes labelled {}",
                        what(Action::Create),
                        names(labels, &label, rules)
                    )));
                }
                for (k, _) in props {
                    if !node_ok(Action::SetProperty, labels, Some(*k)) {
                        return Err(denied(format!(
                            "role `{role}` may not set property `{}` on nodes labelled {}",
                            key_name(*k),
                            names(labels, &label, rules)
                        )));
                    }
                }
            }
            Change::DeleteNode { id } => {
                let labels = labels_of(*id, &created);
                if !node_ok(Action::Delete, &labels, None) {
                    return Err(denied(format!(
                        "role `{role}` may not delete nodes labelled {}",
                        names(&labels, &label, rules)
                    )));
                }
            }
            Change::SetNodeProp { id, key, .. } => {
                let labels = labels_of(*id, &created);
                if !node_ok(Action::SetProperty, &labels, Some(*key)) {
                    return Err(denied(format!(
                        "role `{role}` may not set property `{}` on nodes labelled {}",
                        key_name(*key),
                        names(&labels, &label, rules)
                    )));
                }
            }
            Change::AddLabel { id, label: l } | Change::RemoveLabel { id, label: l } => {
                let action = if matches!(c, Change::AddLabel { .. }) {
                    Action::SetLabel
                } else {
                    Action::RemoveLabel
                };
                if !rules.may_write(action, WriteTarget::Node(std::slice::from_ref(l)), None) {
                    return Err(denied(format!(
                        "role `{role}` may not {} nodes: label {}",
                        what(action),
                        label(*l)
                    )));
                }
                if let Some(ls) = created.get_mut(id) {
                    if action == Action::SetLabel {
                        ls.push(*l);
                    } else {
                        ls.retain(|x| x != l);
                    }
                }
            }
            Change::CreateRel {
                id,
                rel_type,
                props,
                ..
            } => {
                created_rels.insert(*id, *rel_type);
                let t = *rel_type;
                let tname = cat.rel_type_name(t).unwrap_or("?");
                if !rules.may_write(Action::Create, WriteTarget::Rel(t), None) {
                    return Err(denied(format!(
                        "role `{role}` may not create relationships of type {tname}"
                    )));
                }
                for (k, _) in props {
                    if !rules.may_write(Action::SetProperty, WriteTarget::Rel(t), Some(*k)) {
                        return Err(denied(format!(
                            "role `{role}` may not set property `{}` on relationships of type {tname}",
                            key_name(*k)
                        )));
                    }
                }
            }
            Change::DeleteRel { id } | Change::SetRelProp { id, .. } => {
                // Relationships created in this change set are in the
                // working snapshot the statement wrote to, not in `raw`.
                let Some(t) = created_rels
                    .get(id)
                    .copied()
                    .or_else(|| raw.rel(*id).map(|r| r.rel_type))
                else {
                    continue;
                };
                let tname = cat.rel_type_name(t).unwrap_or("?");
                let (action, key) = match c {
                    Change::SetRelProp { key, .. } => (Action::SetProperty, Some(*key)),
                    _ => (Action::Delete, None),
                };
                if !rules.may_write(action, WriteTarget::Rel(t), key) {
                    return Err(denied(format!(
                        "role `{role}` may not {} relationships of type {tname}",
                        what(action)
                    )));
                }
                if action == Action::Delete
                    && !created_rels.contains_key(id)
                    && snapshot.rel(*id).is_none()
                {
                    return Err(denied(format!(
                        "role `{role}` may not delete a relationship it cannot see"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The labels of a node as the role may name them: a label it may not see
/// is not named (the node is then described by the labels it may see).
fn names(labels: &[LabelId], name: &dyn Fn(LabelId) -> String, rules: &AccessRules) -> String {
    let seen: Vec<String> = labels
        .iter()
        .filter(|l| rules.label_visible(**l))
        .map(|l| format!(":{}", name(*l)))
        .collect();
    if seen.is_empty() {
        return "(no label it may see)".to_string();
    }
    seen.join("")
}
