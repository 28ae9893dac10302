//! `db.standing.*`: register, list and drop standing queries. They act on
//! the database's standing-query registry, which the embedding database
//! hands to every query as a [`StandingHost`] in
//! [`crate::QueryOptions::standing`]; the executor knows nothing else of it.
//! A registration takes effect when the procedure runs and is not part of
//! the surrounding transaction (a rollback does not undo it).

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::Value;

use super::{col, ArgDefault, Body, Emit, ProcArg, ProcMode, ProcType, Procedure};
use crate::error::{ExecError, Result};
use crate::eval::Ctx;

/// One registered standing query, as `db.standing.list()` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StandingInfo {
    /// Its name.
    pub name: String,
    /// The query text.
    pub query: String,
    /// Its parameters.
    pub params: BTreeMap<String, Value>,
    /// `added` or `both` (notifications also carry rows that left).
    pub mode: &'static str,
    /// The commit version its current answer reflects.
    pub version: u64,
    /// Rows in its current answer.
    pub rows: u64,
    /// How it is kept up to date: which commits make it run again (see
    /// [`crate::standing::Footprint`]'s `Display`).
    pub evaluation: String,
}

/// The database's standing-query registry, as the procedures see it.
///
/// ```
/// use std::collections::BTreeMap;
/// use relgraph_exec::procedures::{StandingHost, StandingInfo};
/// use relgraph_graph::Value;
/// struct Nothing;
/// impl StandingHost for Nothing {
///     fn register(&self, name: &str, _: &str, _: BTreeMap<String, Value>, _: bool) -> Result<StandingInfo, String> {
///         Err(format!("cannot register {name}"))
///     }
///     fn list(&self) -> Vec<StandingInfo> { Vec::new() }
///     fn drop_query(&self, name: &str) -> Result<(), String> { Err(format!("no {name}")) }
/// }
/// assert!(Nothing.list().is_empty());
/// ```
pub trait StandingHost: Send + Sync {
    /// Registers `query` under `name`; `both` also notifies rows that leave
    /// the answer. Returns what `list` will show for it.
    fn register(
        &self,
        name: &str,
        query: &str,
        params: BTreeMap<String, Value>,
        both: bool,
    ) -> std::result::Result<StandingInfo, String>;
    /// Every registration, by name.
    fn list(&self) -> Vec<StandingInfo>;
    /// Drops the registration `name`.
    fn drop_query(&self, name: &str) -> std::result::Result<(), String>;
    /// How the registration `name` is evaluated after a commit: one entry
    /// per query it runs (each delta part, or the whole query), with the
    /// plan on the current snapshot. A registry that cannot tell says why.
    fn explain(&self, name: &str) -> std::result::Result<Vec<StandingPart>, String> {
        Err(format!(
            "this registry cannot explain standing query `{name}`"
        ))
    }
}

/// One query a standing query runs after a commit, as
/// `db.standing.explain()` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct StandingPart {
    /// `delta` (a part seeded by what the commit touched), `shared` (a part
    /// run once for the registrations of one text) or `whole`.
    pub path: &'static str,
    /// Which touched elements start it, or when the whole query runs.
    pub seed: String,
    /// The query text it runs.
    pub query: String,
    /// Its plan (EXPLAIN) on the current snapshot.
    pub plan: String,
}

/// A shared [`StandingHost`] carried in [`crate::QueryOptions`].
///
/// ```
/// let opts = relgraph_exec::QueryOptions::default();
/// assert!(opts.standing.is_none()); // relgraph::Database sets it per query
/// ```
#[derive(Clone)]
pub struct StandingHandle(pub Arc<dyn StandingHost>);

impl std::fmt::Debug for StandingHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StandingHandle")
    }
}

fn host<'c>(ctx: &'c Ctx<'_>) -> Result<&'c dyn StandingHost> {
    ctx.guard.standing().map(|h| &*h.0).ok_or_else(|| {
        ExecError::Standing(
            "this query runs without a standing-query registry (open the database through \
             relgraph::Database to use db.standing.*)"
                .into(),
        )
    })
}

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

fn info_row(i: &StandingInfo) -> Vec<Value> {
    let params = i
        .params
        .iter()
        .map(|(k, v)| (Arc::from(k.as_str()), v.clone()))
        .collect();
    vec![
        s(&i.name),
        s(&i.query),
        Value::Map(params),
        s(i.mode),
        Value::Int(i64::try_from(i.version).unwrap_or(i64::MAX)),
        Value::Int(i64::try_from(i.rows).unwrap_or(i64::MAX)),
        s(&i.evaluation),
    ]
}

const INFO_COLUMNS: &[super::ProcColumn] = &[
    col("name", ProcType::String),
    col("query", ProcType::String),
    col("params", ProcType::Map),
    col("mode", ProcType::String),
    col("version", ProcType::Int),
    col("rows", ProcType::Int),
    col("evaluation", ProcType::String),
];

fn text(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        _ => "",
    }
}

pub(super) const REGISTER: Procedure = Procedure {
    name: "db.standing.register",
    args: &[
        ProcArg {
            name: "name",
            ty: ProcType::String,
            default: ArgDefault::Required,
        },
        ProcArg {
            name: "query",
            ty: ProcType::String,
            default: ArgDefault::Required,
        },
        ProcArg {
            name: "params",
            ty: ProcType::Map,
            default: ArgDefault::EmptyMap,
        },
        ProcArg {
            name: "config",
            ty: ProcType::Map,
            default: ArgDefault::EmptyMap,
        },
    ],
    outputs: INFO_COLUMNS,
    config: &[col("mode", ProcType::String)],
    mode: ProcMode::Write,
    description: "Registers a read query under a name; after each commit that changes its \
                  answer, subscribers are told the rows that entered it (and, with mode \
                  'both', those that left).",
    body: Body::Rows(|ctx, args, emit| {
        let params = match &args[2] {
            Value::Map(m) => m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            _ => BTreeMap::new(),
        };
        let both = match &args[3] {
            Value::Map(m) => match m.get("mode") {
                None => false,
                Some(Value::String(s)) if &**s == "added" => false,
                Some(Value::String(s)) if &**s == "both" => true,
                Some(other) => {
                    return Err(ExecError::argument(
                        "InvalidArgumentValue",
                        format!("mode must be 'added' or 'both', got {other:?}"),
                    ))
                }
            },
            _ => false,
        };
        let info = host(ctx)?
            .register(text(&args[0]), text(&args[1]), params, both)
            .map_err(ExecError::Standing)?;
        emit(info_row(&info)).map(|_| ())
    }),
};

pub(super) const LIST: Procedure = Procedure {
    name: "db.standing.list",
    args: &[],
    outputs: INFO_COLUMNS,
    config: &[],
    mode: ProcMode::Write,
    description: "The registered standing queries, by name.",
    body: Body::Rows(|ctx, _, emit| {
        for info in host(ctx)?.list() {
            if !emit(info_row(&info))? {
                break;
            }
        }
        Ok(())
    }),
};

pub(super) const DROP: Procedure = Procedure {
    name: "db.standing.drop",
    args: &[ProcArg {
        name: "name",
        ty: ProcType::String,
        default: ArgDefault::Required,
    }],
    outputs: &[col("name", ProcType::String)],
    config: &[],
    mode: ProcMode::Write,
    description: "Drops a standing query: its subscribers receive nothing more and it is \
                  removed from the store.",
    body: Body::Rows(|ctx, args, emit: &mut Emit<'_>| {
        let name = text(&args[0]);
        host(ctx)?.drop_query(name).map_err(ExecError::Standing)?;
        emit(vec![s(name)]).map(|_| ())
    }),
};

pub(super) const EXPLAIN: Procedure = Procedure {
    name: "db.standing.explain",
    args: &[ProcArg {
        name: "name",
        ty: ProcType::String,
        default: ArgDefault::Required,
    }],
    outputs: &[
        col("path", ProcType::String),
        col("seed", ProcType::String),
        col("query", ProcType::String),
        col("plan", ProcType::String),
    ],
    config: &[],
    mode: ProcMode::Write,
    description: "How a standing query is evaluated after a commit: each query it runs \
                  (the delta parts seeded by what the commit touched, or the whole query) \
                  with its plan.",
    body: Body::Rows(|ctx, args, emit: &mut Emit<'_>| {
        let parts = host(ctx)?
            .explain(text(&args[0]))
            .map_err(ExecError::Standing)?;
        for p in parts {
            if !emit(vec![s(p.path), s(&p.seed), s(&p.query), s(&p.plan)])? {
                break;
            }
        }
        Ok(())
    }),
};
