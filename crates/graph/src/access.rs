//! Access policies: roles and their privileges as the catalog stores them
//! ([`Policies`]), and what one role may see and write, compiled against
//! one catalog ([`AccessRules`]).
//!
//! A [`Snapshot`] restricted by rules ([`Snapshot::restrict`]) behaves as
//! if the nodes and relationships the role may not traverse did not exist
//! and the properties it may not read were absent: every read of the
//! executor, the procedures and the algorithms goes through it.
//!
//! The rules, as in Neo4j: a node is visible when some TRAVERSE grant
//! applies to one of its labels (or to every label) and no TRAVERSE denial
//! does; a relationship when its type is granted and not denied and both
//! of its ends are visible; a property when a READ grant names its key
//! (or every key) for one of the element's labels (its type) and no READ
//! denial does. Deny wins over grant. A grant or denial on node labels may
//! carry a row condition (`WHERE n.consent = true`): it then applies only
//! to the nodes for which the condition holds, evaluated on the stored
//! values by a [`RowPredicate`] the query engine supplies.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::ids::{LabelId, NodeId, PropKeyId, RelTypeId};
use crate::snapshot::Snapshot;

/// Every role and its privileges; part of the [`Catalog`], so a policy
/// change is a committed, versioned catalog change.
///
/// ```
/// use relgraph_graph::access::Policies;
/// let mut p = Policies::default();
/// assert!(p.create_role("analyst"));
/// assert!(!p.create_role("analyst"));
/// assert!(p.role("analyst").is_some());
/// assert!(p.drop_role("analyst"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// The roles, sorted by name.
    pub roles: Vec<Role>,
}

impl Policies {
    /// The role called `name`.
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles
            .binary_search_by(|r| r.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.roles[i])
    }

    /// The role called `name`, to change it.
    pub fn role_mut(&mut self, name: &str) -> Option<&mut Role> {
        self.roles
            .binary_search_by(|r| r.name.as_str().cmp(name))
            .ok()
            .map(|i| &mut self.roles[i])
    }

    /// Adds a role with no privileges; false if it exists.
    pub fn create_role(&mut self, name: &str) -> bool {
        match self.roles.binary_search_by(|r| r.name.as_str().cmp(name)) {
            Ok(_) => false,
            Err(i) => {
                self.roles.insert(
                    i,
                    Role {
                        name: name.to_string(),
                        privileges: Vec::new(),
                    },
                );
                true
            }
        }
    }

    /// Removes a role; false if it did not exist.
    pub fn drop_role(&mut self, name: &str) -> bool {
        match self.roles.binary_search_by(|r| r.name.as_str().cmp(name)) {
            Ok(i) => {
                self.roles.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

/// A role: a name and the privileges granted or denied to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// The role's name.
    pub name: String,
    /// Its privileges, in the order they were given (no duplicates).
    pub privileges: Vec<Privilege>,
}

/// What a privilege allows (or, denied, forbids). The statements' compound
/// actions are stored as these: `MATCH` is TRAVERSE and READ, `MERGE` adds
/// CREATE and SET PROPERTY, `WRITE` is every write action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Action {
    /// Find the element (scans, seeks, expansions).
    Traverse,
    /// Read a property.
    Read,
    /// Create the element.
    Create,
    /// Delete the element.
    Delete,
    /// Set or remove a property.
    SetProperty,
    /// Add a label to a node.
    SetLabel,
    /// Remove a label from a node.
    RemoveLabel,
}

impl Action {
    /// The action's name as `SHOW PRIVILEGES` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Action::Traverse => "traverse",
            Action::Read => "read",
            Action::Create => "create_element",
            Action::Delete => "delete_element",
            Action::SetProperty => "set_property",
            Action::SetLabel => "set_label",
            Action::RemoveLabel => "remove_label",
        }
    }
}

/// The elements a privilege applies to. For SET LABEL and REMOVE LABEL,
/// `Nodes(Some(l))` names the label that may be set or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Segment {
    /// Nodes with this label (`None`: every node).
    Nodes(Option<LabelId>),
    /// Relationships of this type (`None`: every relationship).
    Relationships(Option<RelTypeId>),
}

/// A row condition on a node privilege: the Cypher expression as written,
/// over one variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Condition {
    /// The variable the expression names the node by.
    pub variable: String,
    /// The expression's text.
    pub text: String,
}

/// One granted or denied privilege.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Privilege {
    /// True for DENY, false for GRANT.
    pub deny: bool,
    /// The action.
    pub action: Action,
    /// The elements.
    pub segment: Segment,
    /// READ and SET PROPERTY: the property key (`None`: every key).
    pub key: Option<PropKeyId>,
    /// A row condition (node segments only).
    pub condition: Option<Condition>,
}

/// Turns a row condition into a predicate, or says why it cannot.
pub type CompileCondition<'a> = dyn FnMut(&Condition) -> Result<Arc<dyn RowPredicate>, String> + 'a;

/// Decides a row condition for one node; supplied by the query engine,
/// which compiles the condition's expression. It reads the stored values
/// through `raw`, an unrestricted view of the same snapshot.
pub trait RowPredicate: Send + Sync {
    /// True when the condition holds for `n`. An error counts as false for
    /// a grant and as true for a denial (the engine decides; fail closed).
    fn holds(&self, raw: &Snapshot, n: NodeId) -> bool;
}

/// Whether an applicable privilege holds without condition, or under
/// some of the conditions.
#[derive(Clone, Default)]
struct Cond {
    always: bool,
    when: Vec<usize>,
}

impl Cond {
    fn add(&mut self, pred: Option<usize>) {
        match pred {
            None => self.always = true,
            Some(p) => {
                if !self.when.contains(&p) {
                    self.when.push(p)
                }
            }
        }
    }

    fn any(&self) -> bool {
        self.always || !self.when.is_empty()
    }
}

/// Grants and denials of one action on one element class.
#[derive(Clone, Default)]
struct GrantDeny {
    grant: Cond,
    deny: Cond,
}

/// Per label (or type) id, with the entry for "every" apart.
#[derive(Clone, Default)]
struct PerId {
    every: GrantDeny,
    by_id: Vec<GrantDeny>,
}

impl PerId {
    fn slot(&mut self, id: Option<usize>) -> &mut GrantDeny {
        match id {
            None => &mut self.every,
            Some(i) => {
                if self.by_id.len() <= i {
                    self.by_id.resize_with(i + 1, GrantDeny::default);
                }
                &mut self.by_id[i]
            }
        }
    }

    fn get(&self, i: usize) -> Option<&GrantDeny> {
        self.by_id.get(i)
    }
}

/// Per property key: `keys[k]`, with the entry for "every key" apart.
#[derive(Clone, Default)]
struct KeyRules {
    every: PerId,
    by_key: Vec<PerId>,
}

impl KeyRules {
    fn slot(&mut self, key: Option<PropKeyId>) -> &mut PerId {
        match key {
            None => &mut self.every,
            Some(k) => {
                if self.by_key.len() <= k.index() {
                    self.by_key.resize_with(k.index() + 1, PerId::default);
                }
                &mut self.by_key[k.index()]
            }
        }
    }
}

/// What one role may see and write, compiled against one catalog.
/// Build it with [`AccessRules::compile`]; restrict a snapshot with it
/// through [`Snapshot::restrict`].
///
/// ```
/// use std::sync::Arc;
/// use relgraph_graph::access::{AccessRules, Action, Policies, Privilege, Segment};
/// use relgraph_graph::{Catalog, LabelId};
/// let mut c = Catalog::default();
/// let person = c.intern_label("Person");
/// let secret = c.intern_label("Secret");
/// let mut p = Policies::default();
/// p.create_role("analyst");
/// p.role_mut("analyst").unwrap().privileges.push(Privilege {
///     deny: false, action: Action::Traverse, segment: Segment::Nodes(Some(person)),
///     key: None, condition: None,
/// });
/// let rules = AccessRules::compile("analyst", &p, &c, &mut |_| unreachable!()).unwrap();
/// assert!(rules.label_visible(person));
/// assert!(!rules.label_visible(secret));
/// ```
pub struct AccessRules {
    role: String,
    traverse_nodes: PerId,
    traverse_rels: PerId,
    read_nodes: KeyRules,
    read_rels: KeyRules,
    writes: Vec<Privilege>,
    predicates: Vec<Arc<dyn RowPredicate>>,
    conditions: Vec<Condition>,
    /// Per node property key: readable on every visible node without
    /// looking at the node (an unconditional grant on every label and no
    /// denial of the key); `open_every` for keys past the end.
    open_keys: Vec<bool>,
    open_every: bool,
    /// Per relationship type, per key: readable (no conditions apply).
    rel_keys: Vec<Vec<bool>>,
}

impl fmt::Debug for AccessRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessRules")
            .field("role", &self.role)
            .field("conditions", &self.conditions)
            .finish_non_exhaustive()
    }
}

/// Why a role's rules could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// No role of that name exists.
    #[error("role `{0}` does not exist")]
    UnknownRole(String),
    /// A row condition did not compile.
    #[error("the condition `{text}` of role `{role}` cannot be used: {reason}")]
    BadCondition {
        /// The role.
        role: String,
        /// The condition's text.
        text: String,
        /// Why.
        reason: String,
    },
}

impl AccessRules {
    /// Compiles `role`'s privileges in `policies` against `catalog`;
    /// `compile_condition` turns a row condition into a predicate.
    pub fn compile(
        role: &str,
        policies: &Policies,
        catalog: &Catalog,
        compile_condition: &mut CompileCondition<'_>,
    ) -> Result<AccessRules, AccessError> {
        let r = policies
            .role(role)
            .ok_or_else(|| AccessError::UnknownRole(role.to_string()))?;
        let mut rules = AccessRules {
            role: role.to_string(),
            traverse_nodes: PerId::default(),
            traverse_rels: PerId::default(),
            read_nodes: KeyRules::default(),
            read_rels: KeyRules::default(),
            writes: Vec::new(),
            predicates: Vec::new(),
            conditions: Vec::new(),
            open_keys: Vec::new(),
            open_every: false,
            rel_keys: Vec::new(),
        };
        for p in &r.privileges {
            let pred = match &p.condition {
                None => None,
                Some(c) => Some(match rules.conditions.iter().position(|x| x == c) {
                    Some(i) => i,
                    None => {
                        let compiled =
                            compile_condition(c).map_err(|reason| AccessError::BadCondition {
                                role: role.to_string(),
                                text: c.text.clone(),
                                reason,
                            })?;
                        rules.conditions.push(c.clone());
                        rules.predicates.push(compiled);
                        rules.conditions.len() - 1
                    }
                }),
            };
            let (per_id, id) = match (p.action, p.segment) {
                (Action::Traverse, Segment::Nodes(l)) => {
                    (&mut rules.traverse_nodes, l.map(|l| l.index()))
                }
                (Action::Traverse, Segment::Relationships(t)) => {
                    (&mut rules.traverse_rels, t.map(|t| t.index()))
                }
                (Action::Read, Segment::Nodes(l)) => {
                    (rules.read_nodes.slot(p.key), l.map(|l| l.index()))
                }
                (Action::Read, Segment::Relationships(t)) => {
                    (rules.read_rels.slot(p.key), t.map(|t| t.index()))
                }
                _ => {
                    rules.writes.push(p.clone());
                    continue;
                }
            };
            let slot = per_id.slot(id);
            if p.deny {
                slot.deny.add(pred);
            } else {
                slot.grant.add(pred);
            }
        }
        rules.precompute(catalog);
        Ok(rules)
    }

    /// The key tables that spare per-read rule walks.
    fn precompute(&mut self, catalog: &Catalog) {
        let keys = catalog.prop_keys().len();
        let r = &self.read_nodes;
        let denied = |per: &PerId| per.every.deny.any() || per.by_id.iter().any(|e| e.deny.any());
        let every_open = r.every.every.grant.always && !denied(&r.every);
        self.open_every = every_open;
        self.open_keys = (0..keys)
            .map(|k| {
                let keyed = r.by_key.get(k);
                let granted = every_open || keyed.is_some_and(|p| p.every.grant.always);
                granted && !denied(&r.every) && !keyed.is_some_and(denied)
            })
            .collect();
        let types = catalog.rel_types().len();
        self.rel_keys = (0..types)
            .map(|t| {
                (0..keys)
                    .map(|k| self.rel_key_rules(RelTypeId(t as u32), PropKeyId(k as u32)))
                    .collect()
            })
            .collect();
    }

    /// The role's name.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The row conditions in force, for EXPLAIN.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// True when label `l` may be seen at all: some TRAVERSE grant names it
    /// or every label, and no unconditional denial names it or every label.
    pub fn label_visible(&self, l: LabelId) -> bool {
        let t = &self.traverse_nodes;
        let own = t.get(l.index());
        if t.every.deny.always || own.is_some_and(|g| g.deny.always) {
            return false;
        }
        t.every.grant.any() || own.is_some_and(|g| g.grant.any())
    }

    /// True when relationships of type `t` may be traversed (their ends
    /// still have to be visible).
    pub fn rel_type_visible(&self, t: RelTypeId) -> bool {
        let r = &self.traverse_rels;
        let own = r.get(t.index());
        if r.every.deny.any() || own.is_some_and(|g| g.deny.any()) {
            return false;
        }
        r.every.grant.any() || own.is_some_and(|g| g.grant.any())
    }

    fn holds(&self, c: &Cond, raw: &Snapshot, n: NodeId) -> bool {
        c.always || c.when.iter().any(|&p| self.predicates[p].holds(raw, n))
    }

    /// Applies grants and denials for a node with `labels`: `Some(true)`
    /// when granted and not denied.
    fn decide(&self, per: &PerId, raw: &Snapshot, n: NodeId, labels: &[LabelId]) -> bool {
        let entries =
            std::iter::once(&per.every).chain(labels.iter().filter_map(|l| per.get(l.index())));
        let mut granted = false;
        for e in entries {
            if self.holds(&e.deny, raw, n) {
                return false;
            }
            if !granted && self.holds(&e.grant, raw, n) {
                granted = true;
            }
        }
        granted
    }

    /// True when node `n` (live in `raw`) is visible to the role.
    pub fn node_visible(&self, raw: &Snapshot, n: NodeId) -> bool {
        self.decide(&self.traverse_nodes, raw, n, raw.node_labels(n).as_ref())
    }

    /// True when the role may read key `k` of node `n` (assumed visible).
    #[inline]
    pub fn node_key_readable(&self, raw: &Snapshot, n: NodeId, k: PropKeyId) -> bool {
        if self
            .open_keys
            .get(k.index())
            .copied()
            .unwrap_or(self.open_every)
        {
            return true;
        }
        self.node_key_rules(raw, n, k)
    }

    /// True when key `k` is readable on every node the role sees, without
    /// looking at the node.
    #[inline]
    pub fn node_key_open(&self, k: PropKeyId) -> bool {
        self.open_keys
            .get(k.index())
            .copied()
            .unwrap_or(self.open_every)
    }

    fn node_key_rules(&self, raw: &Snapshot, n: NodeId, k: PropKeyId) -> bool {
        let labels = raw.node_labels(n);
        let rules = &self.read_nodes;
        let keyed = rules.by_key.get(k.index());
        // Denials of the key or of every key, then grants of either.
        for per in [Some(&rules.every), keyed].into_iter().flatten() {
            let entries =
                std::iter::once(&per.every).chain(labels.iter().filter_map(|l| per.get(l.index())));
            for e in entries {
                if self.holds(&e.deny, raw, n) {
                    return false;
                }
            }
        }
        [Some(&rules.every), keyed]
            .into_iter()
            .flatten()
            .any(|per| {
                std::iter::once(&per.every)
                    .chain(labels.iter().filter_map(|l| per.get(l.index())))
                    .any(|e| self.holds(&e.grant, raw, n))
            })
    }

    /// True when the role may read key `k` of relationships of type `t`.
    #[inline]
    pub fn rel_key_readable(&self, t: RelTypeId, k: PropKeyId) -> bool {
        match self
            .rel_keys
            .get(t.index())
            .and_then(|ks| ks.get(k.index()))
        {
            Some(open) => *open,
            None => self.rel_key_rules(t, k),
        }
    }

    fn rel_key_rules(&self, t: RelTypeId, k: PropKeyId) -> bool {
        let rules = &self.read_rels;
        let keyed = rules.by_key.get(k.index());
        let pers = || [Some(&rules.every), keyed].into_iter().flatten();
        let slots = |per: &'_ PerId| {
            let own = per.get(t.index()).cloned().unwrap_or_default();
            [per.every.clone(), own]
        };
        if pers().any(|per| slots(per).iter().any(|e| e.deny.any())) {
            return false;
        }
        pers().any(|per| slots(per).iter().any(|e| e.grant.any()))
    }

    /// True when key `k` is readable on some element the role may see:
    /// whether introspection may name it.
    pub fn key_visible(&self, k: PropKeyId) -> bool {
        [&self.read_nodes, &self.read_rels].iter().any(|rules| {
            [Some(&rules.every), rules.by_key.get(k.index())]
                .into_iter()
                .flatten()
                .any(|per| per.every.grant.any() || per.by_id.iter().any(|e| e.grant.any()))
        })
    }

    /// Whether the role may perform `action` on a node with `labels` (for
    /// SET/REMOVE LABEL: `labels` is the one label set or removed) or a
    /// relationship of `rel_type`, for property `key` where it matters.
    /// Write privileges carry no row condition.
    pub fn may_write(
        &self,
        action: Action,
        target: WriteTarget<'_>,
        key: Option<PropKeyId>,
    ) -> bool {
        let applies = |p: &Privilege| {
            p.action == action
                && (p.key.is_none() || key.is_none() || p.key == key)
                && match (p.segment, target) {
                    (Segment::Nodes(None), WriteTarget::Node(_)) => true,
                    (Segment::Nodes(Some(l)), WriteTarget::Node(ls)) => ls.contains(&l),
                    (Segment::Relationships(None), WriteTarget::Rel(_)) => true,
                    (Segment::Relationships(Some(t)), WriteTarget::Rel(r)) => t == r,
                    _ => false,
                }
        };
        let mut granted = false;
        for p in self.writes.iter().filter(|p| applies(p)) {
            if p.deny {
                return false;
            }
            granted = true;
        }
        granted
    }
}

/// What a write touches, for [`AccessRules::may_write`].
#[derive(Clone, Copy, Debug)]
pub enum WriteTarget<'a> {
    /// A node with these labels (for CREATE: all of them must be allowed,
    /// so callers ask once per label).
    Node(&'a [LabelId]),
    /// A relationship of this type.
    Rel(RelTypeId),
}

/// A snapshot's view of one role: the rules and a memo of node visibility
/// (two bits a node: unknown, visible, hidden). It holds no snapshot: the
/// views of a version are kept inside the version, so a strong reference
/// back would keep every version alive; the unrestricted snapshot the
/// rules read is made on demand (`raw`) from the restricted one.
pub(crate) struct Restriction {
    pub(crate) rules: Arc<AccessRules>,
    memo: Box<[AtomicU64]>,
    /// The visible nodes as a bitset with its rank, for the petgraph
    /// views of the restricted snapshot; built on their first use.
    pub(crate) typed: std::sync::OnceLock<crate::snapshot::VisibleNodes>,
}

impl Restriction {
    pub(crate) fn new(rules: Arc<AccessRules>, next_node: u64) -> Restriction {
        let words = (next_node as usize).div_ceil(32);
        let memo = (0..words).map(|_| AtomicU64::new(0)).collect();
        Restriction {
            rules,
            memo,
            typed: std::sync::OnceLock::new(),
        }
    }

    /// True when `n` is live and visible; memoized. `raw` gives the
    /// unrestricted snapshot, asked for only when the memo does not know.
    #[inline]
    pub(crate) fn node_visible(&self, n: NodeId, raw: impl FnOnce() -> Snapshot) -> bool {
        let decide = |raw: Snapshot| raw.node_exists(n) && self.rules.node_visible(&raw, n);
        let i = n.0 as usize;
        let Some(word) = self.memo.get(i / 32) else {
            return decide(raw());
        };
        let shift = (i % 32) * 2;
        match (word.load(Ordering::Relaxed) >> shift) & 3 {
            1 => true,
            2 => false,
            _ => {
                let v = decide(raw());
                word.fetch_or((if v { 1 } else { 2 }) << shift, Ordering::Relaxed);
                v
            }
        }
    }
}
