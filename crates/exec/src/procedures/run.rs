//! Running `Op::Procedure`: evaluate the arguments against the incoming
//! row, check them, and push one row per procedure output row.

use relgraph_graph::Value;

use super::bind::{check_arg, ProcedureCall};
use crate::error::{ExecError, Result};
use crate::exec::eval::eval;
use crate::exec::stream::{push, Sink};
use crate::exec::Ctx;
use crate::plan::{Op, Row};

/// Runs the call for `row` and pushes its rows through `rest` into `sink`.
/// Returns false when the sink wants no more rows.
pub(crate) fn push_call(
    call: &ProcedureCall,
    rest: &[Op],
    row: &mut Row,
    ctx: &Ctx<'_>,
    sink: &mut dyn Sink,
) -> Result<bool> {
    let p = call.procedure;
    if let Some(rules) = ctx.snapshot.access_rules() {
        if p.mode == super::ProcMode::Write || p.name == "db.stats" {
            return Err(ExecError::PermissionDenied(format!(
                "role `{}` may not call {}: it needs the administrator (no role)",
                rules.role(),
                p.name
            )));
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
    let old: Vec<Value> = call
        .yields
        .iter()
        .map(|(_, s)| std::mem::replace(&mut row[*s], Value::Null))
        .collect();
    let mut more = true;
    let result = (p.body)(ctx, &args, &mut |mut out: Vec<Value>| {
        for (i, s) in &call.yields {
            row[*s] = std::mem::replace(&mut out[*i], Value::Null);
        }
        more = push(rest, row, ctx, sink)?;
        Ok(more)
    });
    for ((_, s), v) in call.yields.iter().zip(old) {
        row[*s] = v;
    }
    result.map(|()| more)
}
