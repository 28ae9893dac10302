//! `db.standing.*`: register, list and drop standing queries. They act on
//! the database's standing-query registry, which the embedding database
//! hands to every query as a [`StandingHost`](super::StandingHost) in
//! [`crate::QueryOptions::standing`]; the executor knows nothing else of it.
//! A registration takes effect when the procedure runs and is not part of
//! the surrounding transaction (a rollback does not undo it).

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::Value;

use super::{col, ArgDefault, Body, Emit, ProcArg, ProcMode, ProcType, Procedure};
use crate::error::{ErrorKind, ExecError, Result};
use crate::eval::Ctx;
use crate::hosts::{StandingHost, StandingInfo};

fn host<'c>(ctx: &'c Ctx<'_>) -> Result<&'c dyn StandingHost> {
    ctx.guard.standing().map(|h| &*h.0).ok_or_else(|| {
        ErrorKind::Standing(
            "this query runs without a standing-query registry (open the database through \
             relgraph::Database to use db.standing.*)"
                .into(),
        )
        .into()
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
            .map_err(|e| ExecError::from(ErrorKind::Standing(e)))?;
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
        host(ctx)?
            .drop_query(name)
            .map_err(|e| ExecError::from(ErrorKind::Standing(e)))?;
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
            .map_err(|e| ExecError::from(ErrorKind::Standing(e)))?;
        for p in parts {
            if !emit(vec![s(p.path), s(&p.seed), s(&p.query), s(&p.plan)])? {
                break;
            }
        }
        Ok(())
    }),
};
