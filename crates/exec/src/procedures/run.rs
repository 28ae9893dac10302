//! Running `Op::Procedure`: evaluate the arguments against the incoming
//! row, check them, and push one row per procedure output row.
//!
//! A procedure whose body is a [`Table`] (the algorithms) computes all its
//! rows first; when the call starts a segment from a single row, the
//! executor splits the table into morsels and pushes them through the rest
//! of the segment in parallel (`exec::tasks_for`), otherwise
//! [`push_call`] pushes them in order.

use relgraph_graph::Value;

use super::bind::check_arg;
use super::{Body, Table};
use crate::error::{ErrorKind, ExecError, Result};
use crate::eval::eval;
use crate::eval::Ctx;
use crate::exec::stream::{push, Sink};
use crate::plan::{Op, ProcedureCall, Row};

/// The registered procedure `call` runs.
fn procedure(call: &ProcedureCall) -> Result<&'static super::Procedure> {
    super::procedures()
        .get(call.index)
        .filter(|p| p.name == call.name)
        .ok_or_else(|| {
            ExecError::internal(format!(
                "the plan calls procedure {} at position {}, which the registry does not hold",
                call.name, call.index
            ))
        })
}

/// The arguments of `call` evaluated against `row` and checked, after
/// checking that the statement's role may call it.
fn arguments(call: &ProcedureCall, row: &Row, ctx: &Ctx<'_>) -> Result<Vec<Value>> {
    let p = procedure(call)?;
    if let Some(rules) = ctx.snapshot.access_rules() {
        if p.mode == super::ProcMode::Write || p.name == "db.stats" {
            return Err(ErrorKind::PermissionDenied(format!(
                "role `{}` may not call {}: it needs the administrator (no role)",
                rules.role(),
                p.name
            ))
            .into());
        }
    }
    let mut locals = Vec::new();
    let mut args = Vec::with_capacity(call.args.len());
    for (i, e) in call.args.iter().enumerate() {
        let v = eval(e, row, &mut locals, ctx)?;
        let v = check_arg(p, i, v).map_err(|(detail, message)| match detail {
            "InvalidArgumentType" => ExecError::type_error(detail, message),
            _ => ExecError::argument(detail, message),
        })?;
        args.push(v);
    }
    Ok(args)
}

/// The rows of `call` for `row` when its procedure computes a table;
/// `None` for procedures that emit rows one at a time.
pub(crate) fn table_for<'c>(
    call: &ProcedureCall,
    row: &Row,
    ctx: &Ctx<'c>,
) -> Result<Option<Box<dyn Table + 'c>>> {
    match procedure(call)?.body {
        Body::Table(f) => {
            let args = arguments(call, row, ctx)?;
            f(ctx, &args).map(Some)
        }
        Body::Rows(_) => Ok(None),
    }
}

/// Binds the yielded columns of row `i` of `table` into `row`.
#[inline]
pub(crate) fn bind_table_row(call: &ProcedureCall, table: &dyn Table, i: usize, row: &mut Row) {
    for (c, s) in &call.yields {
        row[*s] = table.get(i, *c);
    }
}

/// Runs the call for `row` and pushes its rows through `rest` into `sink`.
/// Returns false when the sink wants no more rows.
pub(crate) fn push_call(
    call: &ProcedureCall,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let args = arguments(call, row, ctx)?;
    let old: Vec<Value> = call
        .yields
        .iter()
        .map(|(_, s)| std::mem::replace(&mut row[*s], Value::Null))
        .collect();
    let mut more = true;
    let result = match procedure(call)?.body {
        Body::Rows(f) => f(ctx, &args, &mut |mut out: Vec<Value>| {
            for (i, s) in &call.yields {
                row[*s] = std::mem::replace(&mut out[*i], Value::Null);
            }
            more = push(rest, row, ctx, sink)?;
            Ok(more)
        }),
        Body::Table(f) => f(ctx, &args).and_then(|table| {
            for i in 0..table.len() {
                if i % 4096 == 0 {
                    ctx.guard.check()?;
                }
                bind_table_row(call, &*table, i, row);
                more = push(rest, row, ctx, sink)?;
                if !more {
                    break;
                }
            }
            Ok(())
        }),
    };
    for ((_, s), v) in call.yields.iter().zip(old) {
        row[*s] = v;
    }
    result.map(|()| more)
}
