//! A small ergonomic write API on [`WriteTxn`], for embedding
//! applications that do not go through Cypher. Each call builds one
//! [`ChangeSet`] (interning new names into a copy of the catalog) and
//! applies it, so each call is validated on its own and a failed call
//! changes nothing.
//!
//! For many writes at once, build one [`ChangeSet`] and call
//! [`WriteTxn::apply`]: every call here copies the storage chunks it touches.

use std::collections::{BTreeMap, BTreeSet};

use super::WriteTxn;
use crate::catalog::Catalog;
use crate::change::{CatalogSnapshot, Change, ChangeSet};
use crate::error::{GraphError, Result};
use crate::ids::{Direction, LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::value::Value;

/// Resolves names against the view's catalog, copying it only when a new
/// name must be interned.
struct Names<'a> {
    base: &'a Catalog,
    grown: Option<Catalog>,
}

impl<'a> Names<'a> {
    fn new(base: &'a Catalog) -> Self {
        Names { base, grown: None }
    }

    fn current(&self) -> &Catalog {
        self.grown.as_ref().unwrap_or(self.base)
    }

    fn grown(&mut self) -> &mut Catalog {
        self.grown.get_or_insert_with(|| self.base.clone())
    }

    fn label(&mut self, name: &str) -> LabelId {
        match self.current().label_id(name) {
            Some(id) => id,
            None => self.grown().intern_label(name),
        }
    }

    fn rel_type(&mut self, name: &str) -> RelTypeId {
        match self.current().rel_type_id(name) {
            Some(id) => id,
            None => self.grown().intern_rel_type(name),
        }
    }

    fn key(&mut self, name: &str) -> PropKeyId {
        match self.current().prop_key_id(name) {
            Some(id) => id,
            None => self.grown().intern_prop_key(name),
        }
    }

    /// Properties sorted by key, the last value winning for a repeated
    /// key, nulls dropped.
    fn props(&mut self, props: Vec<(&str, Value)>) -> Vec<(PropKeyId, Value)> {
        let mut map = BTreeMap::new();
        for (k, v) in props {
            let key = self.key(k);
            map.insert(key, v);
        }
        map.into_iter().filter(|(_, v)| !v.is_null()).collect()
    }

    fn finish(self, changes: Vec<Change>) -> ChangeSet {
        ChangeSet {
            catalog: self.grown.map(CatalogSnapshot),
            changes,
        }
    }
}

impl WriteTxn {
    fn require_node(&self, node: NodeId) -> Result<()> {
        if self.view.node_exists(node) {
            Ok(())
        } else {
            Err(GraphError::NodeNotFound(node))
        }
    }

    /// Creates a node with labels and properties (null values are dropped)
    /// and returns its id.
    ///
    /// ```
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let n = tx.create_node(&["Person", "Customer"], vec![("name", Value::from("Ada")), ("age", Value::Int(36))]).unwrap();
    /// let person = tx.snapshot().catalog().label_id("Person").unwrap();
    /// assert!(tx.snapshot().has_label(n, person));
    /// tx.commit().unwrap();
    /// ```
    pub fn create_node(&mut self, labels: &[&str], props: Vec<(&str, Value)>) -> Result<NodeId> {
        let id = self.view.next_node_id();
        let mut names = Names::new(self.view.catalog());
        let labels: BTreeSet<LabelId> = labels.iter().map(|l| names.label(l)).collect();
        let props = names.props(props);
        let cs = names.finish(vec![Change::CreateNode {
            id,
            labels: labels.into_iter().collect(),
            props,
        }]);
        self.apply(cs)?;
        Ok(id)
    }

    /// Creates a relationship of type `rel_type` from `src` to `dst`.
    ///
    /// ```
    /// use relgraph_graph::{Graph, Direction, Value};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let a = tx.create_node(&["Person"], vec![]).unwrap();
    /// let b = tx.create_node(&["Person"], vec![]).unwrap();
    /// let r = tx.create_rel(a, "KNOWS", b, vec![("since", Value::Int(2020))]).unwrap();
    /// let knows = tx.snapshot().catalog().rel_type_id("KNOWS").unwrap();
    /// assert_eq!(tx.snapshot().neighbors(a, knows, Direction::Outgoing)[0].rel, r);
    /// ```
    pub fn create_rel(
        &mut self,
        src: NodeId,
        rel_type: &str,
        dst: NodeId,
        props: Vec<(&str, Value)>,
    ) -> Result<RelId> {
        let id = self.view.next_rel_id();
        let mut names = Names::new(self.view.catalog());
        let rel_type = names.rel_type(rel_type);
        let props = names.props(props);
        let cs = names.finish(vec![Change::CreateRel {
            id,
            rel_type,
            src,
            dst,
            props,
        }]);
        self.apply(cs)?;
        Ok(id)
    }

    /// Sets a node property; [`Value::Null`] removes it.
    ///
    /// ```
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let n = tx.create_node(&[], vec![]).unwrap();
    /// tx.set_node_property(n, "score", Value::Float(0.5)).unwrap();
    /// let key = tx.snapshot().catalog().prop_key_id("score").unwrap();
    /// assert_eq!(tx.snapshot().node_property(n, key).as_deref(), Some(&Value::Float(0.5)));
    /// ```
    pub fn set_node_property(&mut self, node: NodeId, key: &str, value: Value) -> Result<()> {
        if value.is_null() {
            return self.remove_node_property(node, key);
        }
        let mut names = Names::new(self.view.catalog());
        let key = names.key(key);
        let cs = names.finish(vec![Change::SetNodeProp {
            id: node,
            key,
            value,
        }]);
        self.apply(cs)
    }

    /// Removes a node property (no-op when absent; an error for a missing node).
    ///
    /// ```
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let n = tx.create_node(&[], vec![("tmp", Value::Bool(true))]).unwrap();
    /// tx.remove_node_property(n, "tmp").unwrap();
    /// assert!(tx.snapshot().node_properties(n).is_empty());
    /// ```
    pub fn remove_node_property(&mut self, node: NodeId, key: &str) -> Result<()> {
        match self.view.catalog().prop_key_id(key) {
            Some(key) => self.apply(ChangeSet {
                catalog: None,
                changes: vec![Change::SetNodeProp {
                    id: node,
                    key,
                    value: Value::Null,
                }],
            }),
            // An unknown key is set nowhere.
            None => self.require_node(node),
        }
    }

    /// Sets a relationship property; [`Value::Null`] removes it.
    ///
    /// ```
    /// use relgraph_graph::{Graph, Value};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let a = tx.create_node(&[], vec![]).unwrap();
    /// let r = tx.create_rel(a, "SELF", a, vec![]).unwrap();
    /// tx.set_rel_property(r, "weight", Value::Int(3)).unwrap();
    /// assert_eq!(tx.snapshot().rel_properties(r).len(), 1);
    /// ```
    pub fn set_rel_property(&mut self, rel: RelId, key: &str, value: Value) -> Result<()> {
        let mut names = Names::new(self.view.catalog());
        let key = if value.is_null() {
            match self.view.catalog().prop_key_id(key) {
                Some(k) => k,
                None => {
                    // Nothing to remove; still report a missing relationship.
                    return match self.view.rel(rel) {
                        Some(_) => Ok(()),
                        None => Err(GraphError::RelNotFound(rel)),
                    };
                }
            }
        } else {
            names.key(key)
        };
        let cs = names.finish(vec![Change::SetRelProp {
            id: rel,
            key,
            value,
        }]);
        self.apply(cs)
    }

    /// Adds a label to a node (no-op when present).
    ///
    /// ```
    /// use relgraph_graph::Graph;
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let n = tx.create_node(&[], vec![]).unwrap();
    /// tx.add_label(n, "Vip").unwrap();
    /// assert_eq!(tx.snapshot().node_labels(n).len(), 1);
    /// ```
    pub fn add_label(&mut self, node: NodeId, label: &str) -> Result<()> {
        let mut names = Names::new(self.view.catalog());
        let label = names.label(label);
        let cs = names.finish(vec![Change::AddLabel { id: node, label }]);
        self.apply(cs)
    }

    /// Removes a label from a node (no-op when absent).
    ///
    /// ```
    /// use relgraph_graph::Graph;
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let n = tx.create_node(&["Lead"], vec![]).unwrap();
    /// tx.remove_label(n, "Lead").unwrap();
    /// assert!(tx.snapshot().node_labels(n).is_empty());
    /// ```
    pub fn remove_label(&mut self, node: NodeId, label: &str) -> Result<()> {
        match self.view.catalog().label_id(label) {
            Some(label) => self.apply(ChangeSet {
                catalog: None,
                changes: vec![Change::RemoveLabel { id: node, label }],
            }),
            // An unknown label cannot be on the node.
            None => self.require_node(node),
        }
    }

    /// Deletes a relationship.
    ///
    /// ```
    /// use relgraph_graph::Graph;
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let a = tx.create_node(&[], vec![]).unwrap();
    /// let r = tx.create_rel(a, "LOOP", a, vec![]).unwrap();
    /// tx.delete_rel(r).unwrap();
    /// assert_eq!(tx.snapshot().rel_count(), 0);
    /// ```
    pub fn delete_rel(&mut self, rel: RelId) -> Result<()> {
        self.apply(ChangeSet {
            catalog: None,
            changes: vec![Change::DeleteRel { id: rel }],
        })
    }

    /// Deletes a node that has no relationships
    /// ([`crate::GraphError::NodeHasRelationships`] otherwise).
    ///
    /// ```
    /// use relgraph_graph::{Graph, GraphError};
    /// let graph = Graph::in_memory();
    /// let mut tx = graph.begin_write().unwrap();
    /// let a = tx.create_node(&[], vec![]).unwrap();
    /// let b = tx.create_node(&[], vec![]).unwrap();
    /// tx.create_rel(a, "R", b, vec![]).unwrap();
    /// assert!(matches!(tx.delete_node(a), Err(GraphError::NodeHasRelationships(_))));
    /// assert_eq!(tx.detach_delete_node(a).unwrap(), 1);
    /// assert_eq!(tx.snapshot().node_count(), 1);
    /// ```
    pub fn delete_node(&mut self, node: NodeId) -> Result<()> {
        self.apply(ChangeSet {
            catalog: None,
            changes: vec![Change::DeleteNode { id: node }],
        })
    }

    /// Deletes a node and all its relationships; returns how many
    /// relationships were deleted.
    pub fn detach_delete_node(&mut self, node: NodeId) -> Result<usize> {
        let mut rels = BTreeSet::new();
        for t in 0..self.view.catalog().rel_types().len() {
            for dir in [Direction::Outgoing, Direction::Incoming] {
                rels.extend(
                    self.view
                        .adjacency(node, RelTypeId(t as u32), dir)
                        .iter()
                        .map(|a| a.rel),
                );
            }
        }
        let n = rels.len();
        let mut changes: Vec<Change> = rels
            .into_iter()
            .map(|id| Change::DeleteRel { id })
            .collect();
        changes.push(Change::DeleteNode { id: node });
        self.apply(ChangeSet {
            catalog: None,
            changes,
        })?;
        Ok(n)
    }
}
