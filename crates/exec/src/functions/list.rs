//! List functions: head, last, tail, range, isEmpty (size and reverse live
//! with the string functions, keys with the graph functions).

use relgraph_graph::Value;

use super::{bad_arg, FnContext};
use crate::error::{ExecError, Result};

/// The most elements `range()` may produce, so a query cannot ask for
/// more memory than any machine has.
const MAX_RANGE: u64 = 100_000_000;

pub(super) fn call(name: &str, args: &[Value], ctx: &dyn FnContext) -> Result<Option<Value>> {
    let a0 = args.first().unwrap_or(&Value::Null);
    let v = match name {
        "head" | "last" | "tail" => match a0 {
            Value::Null => Value::Null,
            Value::List(l) => match name {
                "head" => l.first().cloned().unwrap_or(Value::Null),
                "last" => l.last().cloned().unwrap_or(Value::Null),
                _ => Value::List(l.iter().skip(1).cloned().collect()),
            },
            other => return Err(bad_arg(name, "a LIST", other)),
        },
        "isempty" => match a0 {
            Value::Null => Value::Null,
            Value::List(l) => Value::Bool(l.is_empty()),
            Value::Map(m) => Value::Bool(m.is_empty()),
            Value::String(x) => Value::Bool(x.is_empty()),
            other => return Err(bad_arg("isEmpty", "a LIST, MAP or STRING", other)),
        },
        "range" => range(args, ctx)?,
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn range_int(v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(ExecError::argument(
            "InvalidArgumentType",
            format!(
                "range() expects INTEGER arguments, got {}",
                other.type_name()
            ),
        )),
    }
}

/// Elements of `range(start, end[, step])` produced between two checks of
/// the query's limits.
const RANGE_CHUNK: i128 = 1 << 16;

/// The arguments of `range()`: start, step and number of elements.
pub(crate) fn range_args(args: &[Value]) -> Result<(i128, i128, i128)> {
    let start = range_int(&args[0])?;
    let end = range_int(&args[1])?;
    let step = match args.get(2) {
        Some(s) => range_int(s)?,
        None => 1,
    };
    if step == 0 {
        return Err(ExecError::argument(
            "NumberOutOfRange",
            "range() step must not be zero",
        ));
    }
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        (end - start) / step + 1
    };
    if count as u128 > u128::from(MAX_RANGE) {
        return Err(ExecError::argument(
            "NumberOutOfRange",
            format!("range() would produce {count} elements, more than {MAX_RANGE}"),
        ));
    }
    Ok((start, step, count))
}

/// The number of elements `range(args)` produces, if the arguments are valid.
pub(super) fn range_len(args: &[Value]) -> Option<u64> {
    match args {
        [_, _] | [_, _, _] => range_args(args).ok().map(|(_, _, n)| n as u64),
        _ => None,
    }
}

/// Builds `range()`, checking the timeout between chunks (the memory
/// budget was checked before, see `result_bytes`).
fn range(args: &[Value], ctx: &dyn FnContext) -> Result<Value> {
    let (start, step, count) = range_args(args)?;
    let mut out = Vec::with_capacity(count as usize);
    let mut i = 0;
    while i < count {
        let end = (i + RANGE_CHUNK).min(count);
        out.extend((i..end).map(|i| Value::Int((start + i * step) as i64)));
        i = end;
        if i < count {
            ctx.reserve(0)?;
        }
    }
    Ok(Value::List(out))
}
