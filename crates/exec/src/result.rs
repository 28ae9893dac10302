//! Query results as users see them: column names, rows of materialized
//! values (nodes carry their labels and properties), and write statistics.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A value in a query result. Unlike the executor's internal value, graph
/// entities are materialized with their labels/type and properties, so a
/// result can outlive the snapshot it was read from.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultValue {
    /// null
    Null,
    /// boolean
    Bool(bool),
    /// integer
    Int(i64),
    /// float
    Float(f64),
    /// string
    String(String),
    /// list
    List(Vec<ResultValue>),
    /// map
    Map(BTreeMap<String, ResultValue>),
    /// date
    Date(Date),
    /// local time
    LocalTime(LocalTime),
    /// time with offset
    Time(Time),
    /// local date-time
    LocalDateTime(LocalDateTime),
    /// zoned date-time
    DateTime(DateTime),
    /// duration
    Duration(Duration),
    /// a node
    Node(NodeValue),
    /// a relationship
    Relationship(RelValue),
    /// a path
    Path(PathValue),
}

/// A materialized node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeValue {
    /// Its id.
    pub id: u64,
    /// Label names.
    pub labels: Vec<String>,
    /// Properties by name.
    pub properties: BTreeMap<String, ResultValue>,
}

/// A materialized relationship.
#[derive(Clone, Debug, PartialEq)]
pub struct RelValue {
    /// Its id.
    pub id: u64,
    /// Type name.
    pub rel_type: String,
    /// Start node id.
    pub start: u64,
    /// End node id.
    pub end: u64,
    /// Properties by name.
    pub properties: BTreeMap<String, ResultValue>,
}

/// A materialized path: `nodes.len() == rels.len() + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathValue {
    /// Nodes in order.
    pub nodes: Vec<NodeValue>,
    /// Relationships in order of traversal.
    pub rels: Vec<RelValue>,
}

/// Counters of what a write query changed (as the openCypher TCK counts them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueryStats {
    /// Nodes created.
    pub nodes_created: u64,
    /// Nodes deleted.
    pub nodes_deleted: u64,
    /// Relationships created.
    pub relationships_created: u64,
    /// Relationships deleted.
    pub relationships_deleted: u64,
    /// Properties set (including removals by setting null).
    pub properties_set: u64,
    /// Labels added.
    pub labels_added: u64,
    /// Labels removed.
    pub labels_removed: u64,
    /// Indexes added.
    pub indexes_added: u64,
    /// Indexes removed.
    pub indexes_removed: u64,
    /// Constraints added.
    pub constraints_added: u64,
    /// Constraints removed.
    pub constraints_removed: u64,
}

/// The outcome of one statement.
#[derive(Clone, Debug, Default)]
pub struct QueryResult {
    /// Column names in order.
    pub columns: Arc<[String]>,
    /// Rows; each has one value per column.
    pub rows: Vec<Vec<ResultValue>>,
    /// Write counters.
    pub stats: QueryStats,
    /// The plan (EXPLAIN), or the plan with per-operator rows and time (PROFILE).
    pub plan: Option<String>,
}

/// Receives a statement's result one row at a time
/// ([`crate::execute_streaming`], `relgraph::Database::query_streaming`),
/// so that a caller printing or sending rows never holds every
/// materialized row (entities with all their properties) at once.
///
/// ```
/// use std::ops::ControlFlow;
/// use relgraph_exec::result::{ResultValue, RowSink};
/// /// Keeps the first two rows.
/// struct FirstTwo(Vec<Vec<ResultValue>>);
/// impl RowSink for FirstTwo {
///     fn columns(&mut self, _columns: &[String]) {}
///     fn row(&mut self, row: Vec<ResultValue>) -> ControlFlow<()> {
///         self.0.push(row);
///         if self.0.len() == 2 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
///     }
/// }
/// let stmt = relgraph_cypher::parse("UNWIND range(1, 5) AS x RETURN x").unwrap();
/// let mut sink = FirstTwo(Vec::new());
/// relgraph_exec::execute_streaming(
///     &stmt, &Default::default(), &relgraph_graph::Snapshot::empty(),
///     &relgraph_exec::QueryOptions::default(), &mut sink,
/// ).unwrap();
/// assert_eq!(sink.0, vec![vec![ResultValue::Int(1)], vec![ResultValue::Int(2)]]);
/// ```
pub trait RowSink {
    /// The result's column names, once, before any row.
    fn columns(&mut self, columns: &[String]);
    /// One row, one value per column. `ControlFlow::Break` stops the
    /// rows (the reader went away, or has seen enough); the statement
    /// still ends without an error.
    fn row(&mut self, row: Vec<ResultValue>) -> std::ops::ControlFlow<()>;
}

/// A result collects the rows handed to it (its columns are replaced).
impl RowSink for QueryResult {
    fn columns(&mut self, columns: &[String]) {
        self.columns = Arc::from(columns);
    }
    fn row(&mut self, row: Vec<ResultValue>) -> std::ops::ControlFlow<()> {
        self.rows.push(row);
        std::ops::ControlFlow::Continue(())
    }
}

/// Why a value could not be read from a result row.
///
/// ```
/// use relgraph_exec::result::RowError;
/// let e = RowError::NoSuchColumn("x".into());
/// assert!(e.to_string().contains("x"));
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RowError {
    /// The result has no column of that name.
    #[error("no column named `{0}`")]
    NoSuchColumn(String),
    /// The value has another type than requested.
    #[error("column `{column}` holds {found}, not {expected}")]
    Type {
        /// The column.
        column: String,
        /// The requested type.
        expected: &'static str,
        /// What the value is.
        found: &'static str,
    },
}

impl ResultValue {
    /// The openCypher type name of the value.
    ///
    /// ```
    /// use relgraph_exec::result::ResultValue;
    /// assert_eq!(ResultValue::Int(1).type_name(), "INTEGER");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            ResultValue::Null => "NULL",
            ResultValue::Bool(_) => "BOOLEAN",
            ResultValue::Int(_) => "INTEGER",
            ResultValue::Float(_) => "FLOAT",
            ResultValue::String(_) => "STRING",
            ResultValue::List(_) => "LIST",
            ResultValue::Map(_) => "MAP",
            ResultValue::Date(_) => "DATE",
            ResultValue::LocalTime(_) => "LOCAL TIME",
            ResultValue::Time(_) => "TIME",
            ResultValue::LocalDateTime(_) => "LOCAL DATETIME",
            ResultValue::DateTime(_) => "DATETIME",
            ResultValue::Duration(_) => "DURATION",
            ResultValue::Node(_) => "NODE",
            ResultValue::Relationship(_) => "RELATIONSHIP",
            ResultValue::Path(_) => "PATH",
        }
    }

    /// The value as a parameter value, or `None` for a node, relationship
    /// or path (or a list or map holding one), which have no parameter form.
    ///
    /// ```
    /// use relgraph_exec::result::ResultValue;
    /// use relgraph_graph::Value;
    /// let list = ResultValue::List(vec![ResultValue::Int(1), ResultValue::Null]);
    /// assert_eq!(list.to_value(), Some(Value::List(vec![Value::Int(1), Value::Null])));
    /// ```
    pub fn to_value(&self) -> Option<relgraph_graph::Value> {
        use relgraph_graph::Value;
        Some(match self {
            ResultValue::Null => Value::Null,
            ResultValue::Bool(b) => Value::Bool(*b),
            ResultValue::Int(i) => Value::Int(*i),
            ResultValue::Float(f) => Value::Float(*f),
            ResultValue::String(s) => Value::String(Arc::from(s.as_str())),
            ResultValue::List(items) => Value::List(
                items
                    .iter()
                    .map(ResultValue::to_value)
                    .collect::<Option<_>>()?,
            ),
            ResultValue::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| Some((Arc::from(k.as_str()), v.to_value()?)))
                    .collect::<Option<_>>()?,
            ),
            ResultValue::Date(d) => Value::Date(*d),
            ResultValue::LocalTime(t) => Value::LocalTime(*t),
            ResultValue::Time(t) => Value::Time(*t),
            ResultValue::LocalDateTime(t) => Value::LocalDateTime(*t),
            ResultValue::DateTime(t) => Value::DateTime(t.clone()),
            ResultValue::Duration(d) => Value::from(*d),
            ResultValue::Node(_) | ResultValue::Relationship(_) | ResultValue::Path(_) => {
                return None
            }
        })
    }
}

/// Conversion of a result value to a Rust type, for [`Row::get`].
///
/// Implemented for `i64`, `f64` (integers widen), `bool`, `String`,
/// `ResultValue`, the entity types, `Vec<T>`, `BTreeMap<String, T>` and
/// `Option<T>` (null becomes `None`).
///
/// ```
/// use relgraph_exec::result::{FromValue, ResultValue};
/// assert_eq!(f64::from_value(&ResultValue::Int(2)), Some(2.0));
/// assert_eq!(Option::<i64>::from_value(&ResultValue::Null), Some(None));
/// ```
pub trait FromValue: Sized {
    /// The type's name in error messages.
    const NAME: &'static str;
    /// The converted value, or `None` when the value has another type.
    fn from_value(v: &ResultValue) -> Option<Self>;
}

macro_rules! from_value {
    ($t:ty, $name:expr, $($pat:pat => $e:expr),+) => {
        impl FromValue for $t {
            const NAME: &'static str = $name;
            fn from_value(v: &ResultValue) -> Option<Self> {
                match v {
                    $($pat => Some($e),)+
                    _ => None,
                }
            }
        }
    };
}

from_value!(i64, "INTEGER", ResultValue::Int(i) => *i);
from_value!(f64, "FLOAT", ResultValue::Float(f) => *f, ResultValue::Int(i) => *i as f64);
from_value!(bool, "BOOLEAN", ResultValue::Bool(b) => *b);
from_value!(String, "STRING", ResultValue::String(s) => s.clone());
from_value!(NodeValue, "NODE", ResultValue::Node(n) => n.clone());
from_value!(RelValue, "RELATIONSHIP", ResultValue::Relationship(r) => r.clone());
from_value!(PathValue, "PATH", ResultValue::Path(p) => p.clone());
from_value!(Date, "DATE", ResultValue::Date(d) => *d);
from_value!(DateTime, "DATETIME", ResultValue::DateTime(d) => d.clone());
from_value!(Duration, "DURATION", ResultValue::Duration(d) => *d);

impl FromValue for ResultValue {
    const NAME: &'static str = "ANY";
    fn from_value(v: &ResultValue) -> Option<Self> {
        Some(v.clone())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const NAME: &'static str = T::NAME;
    fn from_value(v: &ResultValue) -> Option<Self> {
        match v {
            ResultValue::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const NAME: &'static str = "LIST";
    fn from_value(v: &ResultValue) -> Option<Self> {
        match v {
            ResultValue::List(items) => items.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    const NAME: &'static str = "MAP";
    fn from_value(v: &ResultValue) -> Option<Self> {
        match v {
            ResultValue::Map(m) => m
                .iter()
                .map(|(k, v)| T::from_value(v).map(|v| (k.clone(), v)))
                .collect(),
            _ => None,
        }
    }
}

/// One row of a [`QueryResult`], with typed access by column name.
///
/// ```
/// use relgraph_exec::result::{QueryResult, ResultValue};
/// let res = QueryResult {
///     columns: vec!["name".to_string(), "age".to_string()].into(),
///     rows: vec![vec![ResultValue::String("Ada".into()), ResultValue::Int(36)]],
///     ..Default::default()
/// };
/// let row = res.rows().next().unwrap();
/// assert_eq!(row.get::<String>("name").unwrap(), "Ada");
/// assert_eq!(row.get::<i64>("age").unwrap(), 36);
/// assert!(row.get::<bool>("age").is_err());
/// assert!(row.get::<i64>("nope").is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [ResultValue],
}

impl<'a> Row<'a> {
    /// The value of `column`, converted to `T`.
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T, RowError> {
        let v = self.value(column)?;
        T::from_value(v).ok_or_else(|| RowError::Type {
            column: column.to_string(),
            expected: T::NAME,
            found: v.type_name(),
        })
    }

    /// The raw value of `column`.
    pub fn value(&self, column: &str) -> Result<&'a ResultValue, RowError> {
        let i = self
            .columns
            .iter()
            .position(|c| c == column)
            .ok_or_else(|| RowError::NoSuchColumn(column.to_string()))?;
        Ok(&self.values[i])
    }

    /// The values in column order.
    pub fn values(&self) -> &'a [ResultValue] {
        self.values
    }

    /// The column names.
    pub fn columns(&self) -> &'a [String] {
        self.columns
    }
}

impl QueryResult {
    /// The rows with typed access by column name.
    ///
    /// ```
    /// use relgraph_exec::result::QueryResult;
    /// assert_eq!(QueryResult::default().rows().count(), 0);
    /// ```
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        self.rows.iter().map(move |values| Row {
            columns: &self.columns,
            values,
        })
    }

    /// The single value of a one-row result's `column`.
    ///
    /// ```
    /// use relgraph_exec::result::{QueryResult, ResultValue};
    /// let res = QueryResult { columns: vec!["c".to_string()].into(), rows: vec![vec![ResultValue::Int(3)]], ..Default::default() };
    /// assert_eq!(res.single::<i64>("c").unwrap(), 3);
    /// ```
    pub fn single<T: FromValue>(&self, column: &str) -> Result<T, RowError> {
        match self.rows().next() {
            Some(r) => r.get(column),
            None => Err(RowError::NoSuchColumn(format!(
                "{column} (the result has no rows)"
            ))),
        }
    }
}

mod serialize {
    //! JSON shape: nodes as `{"id","labels","properties"}`, relationships
    //! as `{"id","type","start","end","properties"}`, paths as alternating
    //! node / relationship lists, temporal values as ISO strings.

    use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
    use serde::{Serialize, Serializer};

    use super::{NodeValue, PathValue, RelValue, ResultValue};

    impl Serialize for ResultValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                ResultValue::Null => s.serialize_none(),
                ResultValue::Bool(b) => s.serialize_bool(*b),
                ResultValue::Int(i) => s.serialize_i64(*i),
                ResultValue::Float(f) => s.serialize_f64(*f),
                ResultValue::String(v) => s.serialize_str(v),
                ResultValue::List(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for i in items {
                        seq.serialize_element(i)?;
                    }
                    seq.end()
                }
                ResultValue::Map(m) => {
                    let mut map = s.serialize_map(Some(m.len()))?;
                    for (k, v) in m {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
                ResultValue::Date(d) => s.collect_str(d),
                ResultValue::LocalTime(t) => s.collect_str(t),
                ResultValue::Time(t) => s.collect_str(t),
                ResultValue::LocalDateTime(t) => s.collect_str(t),
                ResultValue::DateTime(t) => s.collect_str(t),
                ResultValue::Duration(d) => s.collect_str(d),
                ResultValue::Node(n) => n.serialize(s),
                ResultValue::Relationship(r) => r.serialize(s),
                ResultValue::Path(p) => p.serialize(s),
            }
        }
    }

    impl Serialize for NodeValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Node", 3)?;
            st.serialize_field("id", &self.id)?;
            st.serialize_field("labels", &self.labels)?;
            st.serialize_field("properties", &self.properties)?;
            st.end()
        }
    }

    impl Serialize for RelValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Relationship", 5)?;
            st.serialize_field("id", &self.id)?;
            st.serialize_field("type", &self.rel_type)?;
            st.serialize_field("start", &self.start)?;
            st.serialize_field("end", &self.end)?;
            st.serialize_field("properties", &self.properties)?;
            st.end()
        }
    }

    /// A path element: a node or a relationship.
    enum Step<'a> {
        Node(&'a NodeValue),
        Rel(&'a RelValue),
    }

    impl Serialize for Step<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Step::Node(n) => n.serialize(s),
                Step::Rel(r) => r.serialize(s),
            }
        }
    }

    impl Serialize for PathValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.nodes.len() + self.rels.len()))?;
            for (i, n) in self.nodes.iter().enumerate() {
                seq.serialize_element(&Step::Node(n))?;
                if let Some(r) = self.rels.get(i) {
                    seq.serialize_element(&Step::Rel(r))?;
                }
            }
            seq.end()
        }
    }
}
