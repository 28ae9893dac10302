//! The value type shared by storage, the executor and results.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::{NodeId, RelId};
use crate::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A value that is null, a boolean or a number: what most properties an
/// aggregate or comparison reads hold, copied without a [`Value`] to
/// build or drop ([`crate::NodeProbe::scalars`]).
///
/// ```
/// use relgraph_graph::value::Scalar;
/// use relgraph_graph::Value;
/// assert_eq!(Scalar::of(&Value::Int(7)), Some(Scalar::Int(7)));
/// assert_eq!(Scalar::of(&Value::from("seven")), None);
/// assert_eq!(Scalar::Float(0.5).value(), Value::Float(0.5));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// The absent value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
}

impl Scalar {
    /// `v` as a scalar, if it is one.
    #[inline]
    pub fn of(v: &Value) -> Option<Scalar> {
        Some(match v {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Int(i) => Scalar::Int(*i),
            Value::Float(f) => Scalar::Float(*f),
            _ => return None,
        })
    }

    /// The scalar as a value.
    #[inline]
    pub fn value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(f) => Value::Float(f),
        }
    }
}

/// A value: what a property holds, what an expression evaluates to.
///
/// Property values are the storable subset: everything except
/// [`Value::Node`], [`Value::Relationship`] and [`Value::Path`], which only
/// exist while a query runs (a write that tries to store one is rejected;
/// see [`Value::is_storable`]).
///
/// ```
/// use relgraph_graph::Value;
/// let v = Value::from("Ada");
/// assert_eq!(v.type_name(), "STRING");
/// assert!(Value::Int(3).is_storable());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// The absent value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A UTF-8 string (shared, cheap to clone).
    String(Arc<str>),
    /// A list of values.
    List(Vec<Value>),
    /// A map from string keys to values, ordered by key.
    Map(BTreeMap<Arc<str>, Value>),
    /// A calendar date.
    Date(Date),
    /// A local time of day.
    LocalTime(LocalTime),
    /// A time of day with an offset.
    Time(Time),
    /// A local date-time.
    LocalDateTime(LocalDateTime),
    /// A zoned date-time.
    DateTime(DateTime),
    /// A duration (boxed: a value is 32 bytes, and durations are rare
    /// beside the values rows carry).
    Duration(Box<Duration>),
    /// A node, by id (query-time only).
    Node(NodeId),
    /// A relationship, by id (query-time only).
    Relationship(RelId),
    /// A path (query-time only; boxed, as [`Value::Duration`]).
    Path(Box<Path>),
}

/// A path: a start node followed by (relationship, node) steps.
///
/// ```
/// use relgraph_graph::{Path, NodeId, RelId};
/// let p = Path { nodes: vec![NodeId(0), NodeId(1)], rels: vec![RelId(5)] };
/// assert_eq!(p.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Path {
    /// The nodes in order; always one more than `rels`.
    pub nodes: Vec<NodeId>,
    /// The relationships in order of traversal.
    pub rels: Vec<RelId>,
}

impl Path {
    /// The number of relationships in the path.
    pub fn len(&self) -> usize {
        self.rels.len()
    }

    /// True for a path of a single node and no relationships.
    pub fn is_empty(&self) -> bool {
        self.rels.is_empty()
    }
}

impl Value {
    /// The openCypher type name of this value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Date(_) => "DATE",
            Value::LocalTime(_) => "LOCAL TIME",
            Value::Time(_) => "TIME",
            Value::LocalDateTime(_) => "LOCAL DATETIME",
            Value::DateTime(_) => "DATETIME",
            Value::Duration(_) => "DURATION",
            Value::Node(_) => "NODE",
            Value::Relationship(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True if the value may be stored as a property: no graph entities
    /// anywhere inside it, no maps inside it, and lists hold only storable
    /// scalars.
    pub fn is_storable(&self) -> bool {
        match self {
            Value::Node(_) | Value::Relationship(_) | Value::Path(_) | Value::Map(_) => false,
            Value::List(items) => items
                .iter()
                .all(|v| !matches!(v, Value::List(_)) && (v.is_null() || v.is_storable())),
            _ => true,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer inside, if this is an integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Arc::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Arc::from(s))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// A duration value (boxed in place).
///
/// ```
/// use relgraph_graph::{temporal::Duration, Value};
/// let v = Value::from(Duration::ZERO);
/// assert_eq!(v.type_name(), "DURATION");
/// ```
impl From<Duration> for Value {
    fn from(d: Duration) -> Self {
        Value::Duration(Box::new(d))
    }
}

/// A path value (boxed in place).
///
/// ```
/// use relgraph_graph::{NodeId, Path, Value};
/// let v = Value::from(Path { nodes: vec![NodeId(0)], rels: vec![] });
/// assert_eq!(v.type_name(), "PATH");
/// ```
impl From<Path> for Value {
    fn from(p: Path) -> Self {
        Value::Path(Box::new(p))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows, group keys and every expression result are `Value`s: a value
    /// is four words (the largest payloads, durations and paths, are
    /// boxed; a date-time's zone name is one shared pointer).
    #[test]
    fn a_value_is_four_words() {
        assert_eq!(std::mem::size_of::<DateTime>(), 24);
        assert_eq!(std::mem::size_of::<Value>(), 32);
        assert_eq!(std::mem::size_of::<Option<Value>>(), 32);
    }

    /// A boxed duration and path still compare, clone and serialize by
    /// what they hold (the stored form is unchanged by the box).
    #[test]
    fn boxed_payloads_round_trip() {
        let d = Value::from(Duration::parse("P1DT2H").unwrap());
        let p = Value::from(Path {
            nodes: vec![NodeId(1), NodeId(2)],
            rels: vec![RelId(7)],
        });
        for v in [d, p] {
            let bytes = bincode::serde::encode_to_vec(&v, bincode::config::standard()).unwrap();
            let (back, _): (Value, usize) =
                bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
            assert_eq!(back, v);
            assert_eq!(v.clone(), v);
        }
    }
}
