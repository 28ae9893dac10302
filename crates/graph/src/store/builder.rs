//! [`ChangeBuilder`]: many writes gathered into one [`ChangeSet`], applied
//! (and validated) at once. Cheaper than the per-call methods on
//! [`super::WriteTxn`] for bulk work, since the snapshot copies the chunks
//! a change set touches once per change set.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::change::{CatalogSnapshot, Change, ChangeSet};
use crate::ids::{LabelId, NodeId, PropKeyId, RelId};
use crate::snapshot::Snapshot;
use crate::value::Value;

/// Builds one [`ChangeSet`] against a snapshot: allocates ids from the
/// snapshot's counters and interns names into a private copy of its
/// catalog. Nothing is checked until the change set is applied.
///
/// ```
/// use relgraph_graph::{Graph, Value};
/// use relgraph_graph::store::ChangeBuilder;
///
/// let graph = Graph::in_memory();
/// let mut tx = graph.begin_write().unwrap();
/// let mut b = ChangeBuilder::new(tx.snapshot());
/// let hub = b.create_node(&["Hub"], vec![]);
/// for i in 0..1000 {
///     let n = b.create_node(&["Leaf"], vec![("i", Value::Int(i))]);
///     b.create_rel(hub, "HAS", n, vec![]);
/// }
/// tx.apply(b.finish()).unwrap();
/// tx.commit().unwrap();
/// assert_eq!(graph.snapshot().rel_count(), 1000);
/// ```
#[derive(Clone, Debug)]
pub struct ChangeBuilder {
    catalog: Catalog,
    catalog_changed: bool,
    next_node: u64,
    next_rel: u64,
    changes: Vec<Change>,
}

impl ChangeBuilder {
    /// A builder whose ids and names continue from `snapshot`.
    pub fn new(snapshot: &Snapshot) -> ChangeBuilder {
        ChangeBuilder {
            catalog: snapshot.catalog().clone(),
            catalog_changed: false,
            next_node: snapshot.next_node_id().0,
            next_rel: snapshot.next_rel_id().0,
            changes: Vec::new(),
        }
    }

    /// The id of a label, interning it if new.
    pub fn label(&mut self, name: &str) -> LabelId {
        match self.catalog.label_id(name) {
            Some(id) => id,
            None => {
                self.catalog_changed = true;
                self.catalog.intern_label(name)
            }
        }
    }

    /// The id of a property key, interning it if new.
    pub fn key(&mut self, name: &str) -> PropKeyId {
        match self.catalog.prop_key_id(name) {
            Some(id) => id,
            None => {
                self.catalog_changed = true;
                self.catalog.intern_prop_key(name)
            }
        }
    }

    fn props(&mut self, props: Vec<(&str, Value)>) -> Vec<(PropKeyId, Value)> {
        let mut map = BTreeMap::new();
        for (k, v) in props {
            let key = self.key(k);
            map.insert(key, v);
        }
        map.into_iter().filter(|(_, v)| !v.is_null()).collect()
    }

    /// Adds a node creation and returns the id it will have.
    pub fn create_node(&mut self, labels: &[&str], props: Vec<(&str, Value)>) -> NodeId {
        let id = NodeId(self.next_node);
        self.next_node += 1;
        let mut labels: Vec<LabelId> = labels.iter().map(|l| self.label(l)).collect();
        labels.sort();
        labels.dedup();
        let props = self.props(props);
        self.changes.push(Change::CreateNode { id, labels, props });
        id
    }

    /// Adds a relationship creation and returns the id it will have.
    pub fn create_rel(
        &mut self,
        src: NodeId,
        rel_type: &str,
        dst: NodeId,
        props: Vec<(&str, Value)>,
    ) -> RelId {
        let id = RelId(self.next_rel);
        self.next_rel += 1;
        let rel_type = match self.catalog.rel_type_id(rel_type) {
            Some(t) => t,
            None => {
                self.catalog_changed = true;
                self.catalog.intern_rel_type(rel_type)
            }
        };
        let props = self.props(props);
        self.changes.push(Change::CreateRel {
            id,
            rel_type,
            src,
            dst,
            props,
        });
        id
    }

    /// Adds a node property update (`Value::Null` removes).
    pub fn set_node_property(&mut self, node: NodeId, key: &str, value: Value) {
        let key = self.key(key);
        self.changes.push(Change::SetNodeProp {
            id: node,
            key,
            value,
        });
    }

    /// Adds a relationship property update (`Value::Null` removes).
    pub fn set_rel_property(&mut self, rel: RelId, key: &str, value: Value) {
        let key = self.key(key);
        self.changes.push(Change::SetRelProp {
            id: rel,
            key,
            value,
        });
    }

    /// Adds a label.
    pub fn add_label(&mut self, node: NodeId, label: &str) {
        let label = self.label(label);
        self.changes.push(Change::AddLabel { id: node, label });
    }

    /// Removes a label (nothing is added for a label no node can carry).
    pub fn remove_label(&mut self, node: NodeId, label: &str) {
        if let Some(label) = self.catalog.label_id(label) {
            self.changes.push(Change::RemoveLabel { id: node, label });
        }
    }

    /// Adds a relationship deletion.
    pub fn delete_rel(&mut self, rel: RelId) {
        self.changes.push(Change::DeleteRel { id: rel });
    }

    /// Adds a node deletion (its relationships must be deleted before it).
    pub fn delete_node(&mut self, node: NodeId) {
        self.changes.push(Change::DeleteNode { id: node });
    }

    /// Adds any primitive change.
    pub fn push(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// The number of changes gathered.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// True when nothing was gathered.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.catalog_changed
    }

    /// The change set, carrying the grown catalog when names were interned.
    pub fn finish(self) -> ChangeSet {
        ChangeSet {
            catalog: self
                .catalog_changed
                .then_some(CatalogSnapshot(self.catalog)),
            changes: self.changes,
        }
    }
}
