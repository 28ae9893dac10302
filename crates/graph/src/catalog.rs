//! The catalog: interned names of labels, relationship types and property
//! keys, and the declared schema (property types, unique constraints,
//! property indexes). It is persisted with the data.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::access::Policies;
use crate::ids::{LabelId, PropKeyId, RelTypeId};

/// Interns names to dense `u32` ids in first-seen order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Interner {
    names: Vec<Arc<str>>,
    #[serde(skip)]
    ids: HashMap<Arc<str>, u32>,
}

impl Interner {
    /// Rebuilds the name-to-id map after deserialization.
    fn reindex(&mut self) {
        self.ids = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
    }

    /// The id of `name`, if interned.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The id of `name`, interning it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    /// The name of `id`, if it exists.
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(|n| &**n)
    }

    /// All names in id order.
    pub fn names(&self) -> &[Arc<str>] {
        &self.names
    }

    /// The number of interned names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True if nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A declared property type, enforced on write when declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PropertyType {
    /// `BOOLEAN`
    Bool,
    /// `INTEGER`
    Int,
    /// `FLOAT`
    Float,
    /// `STRING`
    String,
    /// `DATE`
    Date,
    /// `DATETIME` / `LOCAL DATETIME`
    DateTime,
    /// `DURATION`
    Duration,
    /// A list of any storable scalar.
    List,
}

/// What a schema entry applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SchemaTarget {
    /// Nodes with this label.
    Label(LabelId),
    /// Relationships of this type.
    RelType(RelTypeId),
}

/// A property index on nodes of one label, over one key. Supports equality
/// and range lookups. The store maintains it on every write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index's name (generated when the user gives none).
    pub name: String,
    /// The label whose nodes are indexed.
    pub label: LabelId,
    /// The indexed property key.
    pub key: PropKeyId,
}

/// A uniqueness constraint: no two nodes with `label` share a non-null value
/// of `key`. A unique constraint also provides an index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDef {
    /// The constraint's name.
    pub name: String,
    /// The constrained label.
    pub label: LabelId,
    /// The constrained key.
    pub key: PropKeyId,
}

/// A declared property type on a label or relationship type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyTypeDef {
    /// Where the declaration applies.
    pub target: SchemaTarget,
    /// The property key.
    pub key: PropKeyId,
    /// The required type of non-null values.
    pub ty: PropertyType,
}

/// Interned names plus the declared schema.
///
/// ```
/// use relgraph_graph::Catalog;
/// let mut c = Catalog::default();
/// let person = c.intern_label("Person");
/// assert_eq!(c.label_id("Person"), Some(person));
/// assert_eq!(c.label_name(person), Some("Person"));
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    labels: Interner,
    rel_types: Interner,
    prop_keys: Interner,
    /// Declared property indexes.
    pub indexes: Vec<IndexDef>,
    /// Declared unique constraints.
    pub constraints: Vec<ConstraintDef>,
    /// Declared property types.
    pub property_types: Vec<PropertyTypeDef>,
    /// Roles and their privileges (format version 3 on).
    pub policies: Policies,
}

/// The catalog's layout in storage formats 1 and 2 (before policies):
/// read by the upgrade to format 3, and written by tests of it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CatalogV2 {
    labels: Interner,
    rel_types: Interner,
    prop_keys: Interner,
    indexes: Vec<IndexDef>,
    constraints: Vec<ConstraintDef>,
    property_types: Vec<PropertyTypeDef>,
}

impl From<CatalogV2> for Catalog {
    fn from(c: CatalogV2) -> Catalog {
        let mut out = Catalog {
            labels: c.labels,
            rel_types: c.rel_types,
            prop_keys: c.prop_keys,
            indexes: c.indexes,
            constraints: c.constraints,
            property_types: c.property_types,
            policies: Policies::default(),
        };
        out.reindex();
        out
    }
}

impl From<&Catalog> for CatalogV2 {
    /// Drops the policies: for writing format-2 data in tests.
    fn from(c: &Catalog) -> CatalogV2 {
        CatalogV2 {
            labels: c.labels.clone(),
            rel_types: c.rel_types.clone(),
            prop_keys: c.prop_keys.clone(),
            indexes: c.indexes.clone(),
            constraints: c.constraints.clone(),
            property_types: c.property_types.clone(),
        }
    }
}

impl Catalog {
    /// Rebuilds lookup maps; call after deserializing a catalog.
    pub fn reindex(&mut self) {
        self.labels.reindex();
        self.rel_types.reindex();
        self.prop_keys.reindex();
    }

    /// The id of a label name, if known.
    pub fn label_id(&self, name: &str) -> Option<LabelId> {
        self.labels.get(name).map(LabelId)
    }
    /// Interns a label name.
    pub fn intern_label(&mut self, name: &str) -> LabelId {
        LabelId(self.labels.intern(name))
    }
    /// The name of a label id.
    pub fn label_name(&self, id: LabelId) -> Option<&str> {
        self.labels.name(id.0)
    }
    /// All label names in id order.
    pub fn labels(&self) -> &Interner {
        &self.labels
    }

    /// The id of a relationship type name, if known.
    pub fn rel_type_id(&self, name: &str) -> Option<RelTypeId> {
        self.rel_types.get(name).map(RelTypeId)
    }
    /// Interns a relationship type name.
    pub fn intern_rel_type(&mut self, name: &str) -> RelTypeId {
        RelTypeId(self.rel_types.intern(name))
    }
    /// The name of a relationship type id.
    pub fn rel_type_name(&self, id: RelTypeId) -> Option<&str> {
        self.rel_types.name(id.0)
    }
    /// All relationship type names in id order.
    pub fn rel_types(&self) -> &Interner {
        &self.rel_types
    }

    /// The id of a property key name, if known.
    pub fn prop_key_id(&self, name: &str) -> Option<PropKeyId> {
        self.prop_keys.get(name).map(PropKeyId)
    }
    /// Interns a property key name.
    pub fn intern_prop_key(&mut self, name: &str) -> PropKeyId {
        PropKeyId(self.prop_keys.intern(name))
    }
    /// The name of a property key id.
    pub fn prop_key_name(&self, id: PropKeyId) -> Option<&str> {
        self.prop_keys.name(id.0)
    }
    /// All property key names in id order.
    pub fn prop_keys(&self) -> &Interner {
        &self.prop_keys
    }

    /// The index on (`label`, `key`), if declared (a unique constraint counts).
    pub fn has_index(&self, label: LabelId, key: PropKeyId) -> bool {
        self.indexes
            .iter()
            .any(|i| i.label == label && i.key == key)
            || self
                .constraints
                .iter()
                .any(|c| c.label == label && c.key == key)
    }
}
