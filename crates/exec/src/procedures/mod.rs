//! Procedures callable with `CALL`: a static registry of named, typed
//! procedures that stream rows into a query.
//!
//! A [`Procedure`] has a qualified name, typed arguments (some with
//! defaults), typed output columns, a mode and a one-line description. The
//! binder (`bind.rs`) checks a `CALL` against the signature at compile time
//! (unknown names, argument counts, the types of constant arguments and the
//! keys of constant configuration maps, with a caret and the signature) and
//! plans it as one streaming operator, `Op::Procedure`, which evaluates the
//! arguments for each incoming row and pushes one row per procedure output
//! row into the rest of the pipeline.
//!
//! Two families live here: introspection of the snapshot's catalog and
//! schema (`introspect.rs`, the `db.*` and `dbms.*` names Neo4j users know)
//! and graph algorithms over a compact projection of the snapshot
//! (`projection.rs`, `algo/`). Procedures read the snapshot the statement
//! started with, never the store, and check the query's guard (timeout,
//! cancellation, memory budget) inside their loops.

pub(crate) mod algo;
pub(crate) mod bind;
mod erase;
mod introspect;
pub(crate) mod projection;
pub(crate) mod run;
mod standing;

pub use crate::hosts::{
    ErasureHandle, ErasureHost, StandingHandle, StandingHost, StandingInfo, StandingPart,
};

use std::fmt::Write as _;

use relgraph_graph::Value;

use crate::error::Result;
use crate::eval::Ctx;

/// The type of a procedure argument, output column or configuration key,
/// written as in Neo4j signatures (`STRING`, `LIST<STRING>`, ...).
///
/// ```
/// use relgraph_exec::procedures::ProcType;
/// assert_eq!(ProcType::Names.to_string(), "STRING | LIST<STRING>");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcType {
    /// Any value.
    Any,
    /// A boolean.
    Bool,
    /// An integer.
    Int,
    /// A number (an integer is accepted).
    Float,
    /// A string.
    String,
    /// A list of strings.
    StringList,
    /// A string or a list of strings (label and relationship type names).
    Names,
    /// A map.
    Map,
    /// A node.
    Node,
    /// A node, or a node id as an integer.
    NodeOrId,
    /// A path.
    Path,
}

impl ProcType {
    /// True if `v` (not null) has this type.
    pub(crate) fn accepts(self, v: &Value) -> bool {
        match self {
            ProcType::Any => true,
            ProcType::Bool => matches!(v, Value::Bool(_)),
            ProcType::Int => matches!(v, Value::Int(_)),
            ProcType::Float => matches!(v, Value::Int(_) | Value::Float(_)),
            ProcType::String => matches!(v, Value::String(_)),
            ProcType::StringList => {
                matches!(v, Value::List(l) if l.iter().all(|x| matches!(x, Value::String(_))))
            }
            ProcType::Names => ProcType::String.accepts(v) || ProcType::StringList.accepts(v),
            ProcType::Map => matches!(v, Value::Map(_)),
            ProcType::Node => matches!(v, Value::Node(_)),
            ProcType::NodeOrId => matches!(v, Value::Node(_) | Value::Int(_)),
            ProcType::Path => matches!(v, Value::Path(_)),
        }
    }
}

impl std::fmt::Display for ProcType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProcType::Any => "ANY",
            ProcType::Bool => "BOOLEAN",
            ProcType::Int => "INTEGER",
            ProcType::Float => "FLOAT",
            ProcType::String => "STRING",
            ProcType::StringList => "LIST<STRING>",
            ProcType::Names => "STRING | LIST<STRING>",
            ProcType::Map => "MAP",
            ProcType::Node => "NODE",
            ProcType::NodeOrId => "NODE | INTEGER",
            ProcType::Path => "PATH",
        })
    }
}

/// The default of an optional argument.
///
/// ```
/// use relgraph_exec::procedures::{find, ArgDefault};
/// let p = find("algo.wcc").unwrap();
/// assert_eq!(p.args[0].default, ArgDefault::EmptyList);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgDefault {
    /// The argument is required.
    Required,
    /// An empty list (`[]`: all labels, all types).
    EmptyList,
    /// An empty map (`{}`: the configuration's defaults).
    EmptyMap,
}

impl ArgDefault {
    pub(crate) fn value(self) -> Option<Value> {
        match self {
            ArgDefault::Required => None,
            ArgDefault::EmptyList => Some(Value::List(Vec::new())),
            ArgDefault::EmptyMap => Some(Value::Map(Default::default())),
        }
    }
}

/// One argument of a procedure.
///
/// ```
/// let p = relgraph_exec::procedures::find("algo.pageRank").unwrap();
/// let names: Vec<_> = p.args.iter().map(|a| a.name).collect();
/// assert_eq!(names, ["labels", "types", "config"]);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ProcArg {
    /// Its name (also the parameter an implicit-argument call reads).
    pub name: &'static str,
    /// Its type.
    pub ty: ProcType,
    /// Its default.
    pub default: ArgDefault,
}

/// One output column (or one configuration key) of a procedure.
///
/// ```
/// use relgraph_exec::procedures::{find, ProcType};
/// let p = find("algo.pageRank").unwrap();
/// assert_eq!(p.outputs[1].name, "score");
/// assert_eq!(p.outputs[1].ty, ProcType::Float);
/// assert!(p.config.iter().any(|k| k.name == "dampingFactor"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ProcColumn {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: ProcType,
}

/// A column (or configuration key) of a signature.
pub(crate) const fn col(name: &'static str, ty: ProcType) -> ProcColumn {
    ProcColumn { name, ty }
}

/// Whether a procedure only reads the graph or may write it.
///
/// ```
/// use relgraph_exec::procedures::{find, procedures, ProcMode};
/// assert!(procedures().iter().filter(|p| p.mode == ProcMode::Write).all(|p| p.name.starts_with("db.standing.") || p.name == "db.erase"));
/// assert_eq!(find("db.standing.register").unwrap().mode, ProcMode::Write);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcMode {
    /// Reads the snapshot only.
    Read,
    /// Changes the database's state: the `db.standing.*` registry, or
    /// (`db.erase`) the graph, in a commit of its own.
    Write,
}

/// What a procedure calls for each output row (all output columns, in
/// order); false when no more rows are wanted.
pub(crate) type Emit<'e> = dyn FnMut(Vec<Value>) -> Result<bool> + 'e;

/// Output rows computed up front, read by row index: the executor pushes
/// them into the rest of the query in parallel morsels of fixed size (so
/// aggregates over them do not depend on the thread count), and builds
/// only the columns the call yields.
pub(crate) trait Table: Send + Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Output column `col` of row `row`.
    fn get(&self, row: usize, col: usize) -> Value;
}

/// The rows of a table procedure for checked arguments.
pub(crate) type TableOf<'c> = Result<Box<dyn Table + 'c>>;

/// A procedure's body: arguments checked against the signature (defaults
/// filled in), rows out.
#[derive(Clone, Copy)]
pub(crate) enum Body {
    /// Emits its rows one at a time (it may stop early when the consumer
    /// wants no more).
    Rows(fn(&Ctx<'_>, &[Value], &mut Emit<'_>) -> Result<()>),
    /// Computes all its rows as a [`Table`] (algorithms: one row per node).
    Table(for<'c> fn(&Ctx<'c>, &[Value]) -> TableOf<'c>),
}

/// A registered procedure.
///
/// ```
/// let p = relgraph_exec::procedures::find("db.labels").unwrap();
/// assert_eq!(p.signature(), "db.labels() :: (label :: STRING)");
/// ```
pub struct Procedure {
    /// The qualified name, e.g. `algo.pageRank`.
    pub name: &'static str,
    /// Arguments in order.
    pub args: &'static [ProcArg],
    /// Output columns in order.
    pub outputs: &'static [ProcColumn],
    /// Keys the `config` argument accepts (empty: no config argument).
    pub config: &'static [ProcColumn],
    /// Read or write.
    pub mode: ProcMode,
    /// One line saying what it does.
    pub description: &'static str,
    pub(crate) body: Body,
}

impl std::fmt::Debug for Procedure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.signature())
    }
}

impl Procedure {
    /// The signature in Neo4j's notation:
    /// `name(arg :: TYPE = default, ...) :: (column :: TYPE, ...)`.
    pub fn signature(&self) -> String {
        let mut s = format!("{}(", self.name);
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{} :: {}", a.name, a.ty);
            match a.default {
                ArgDefault::Required => {}
                ArgDefault::EmptyList => s.push_str(" = []"),
                ArgDefault::EmptyMap => s.push_str(" = {}"),
            }
        }
        s.push_str(") :: (");
        for (i, c) in self.outputs.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{} :: {}", c.name, c.ty);
        }
        s.push(')');
        s
    }

    /// Number of arguments without a default.
    pub(crate) fn required(&self) -> usize {
        self.args
            .iter()
            .filter(|a| a.default == ArgDefault::Required)
            .count()
    }
}

/// Every registered procedure, sorted by name.
///
/// ```
/// let names: Vec<_> = relgraph_exec::procedures::procedures().iter().map(|p| p.name).collect();
/// assert!(names.contains(&"algo.pageRank"));
/// assert!(names.windows(2).all(|w| w[0] < w[1]));
/// ```
pub fn procedures() -> &'static [Procedure] {
    REGISTRY
}

/// The procedure called `name` (case-sensitive, as in Neo4j).
///
/// ```
/// assert!(relgraph_exec::procedures::find("db.labels").is_some());
/// assert!(relgraph_exec::procedures::find("db.Labels").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Procedure> {
    REGISTRY.iter().find(|p| p.name == name)
}

/// The registry, sorted by name (a test checks the order).
static REGISTRY: &[Procedure] = &[
    algo::ASTAR,
    algo::BETWEENNESS,
    algo::CLOSENESS,
    algo::DIJKSTRA,
    algo::K_CORE,
    algo::LABEL_PROPAGATION,
    algo::NODE_SIMILARITY,
    algo::PAGE_RANK,
    algo::SCC,
    algo::TRIANGLE_COUNT,
    algo::WCC,
    algo::YEN_K_SHORTEST,
    erase::ERASE,
    introspect::INDEXES,
    introspect::LABELS,
    introspect::PROPERTY_KEYS,
    introspect::RELATIONSHIP_TYPES,
    introspect::NODE_TYPE_PROPERTIES,
    introspect::REL_TYPE_PROPERTIES,
    standing::DROP,
    standing::EXPLAIN,
    standing::LIST,
    standing::REGISTER,
    introspect::STATS,
    introspect::PROCEDURES,
];

#[cfg(test)]
mod tests {
    #[test]
    fn registry_is_sorted_and_unique() {
        let names: Vec<&str> = super::procedures().iter().map(|p| p.name).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    }
}
