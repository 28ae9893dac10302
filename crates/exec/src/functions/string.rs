//! String functions: toUpper, toLower, trim, lTrim, rTrim, replace,
//! substring, left, right, split, reverse, toString, size.
//!
//! Positions and lengths count Unicode scalar values (chars). A null
//! string argument gives null.

use std::sync::Arc;

use relgraph_graph::Value;

use super::{bad_arg, int_arg};
use crate::error::{ExecError, Result};
use crate::value_ops::display_scalar;

fn s(v: &str) -> Value {
    Value::String(Arc::from(v))
}

fn str_arg<'a>(func: &str, v: &'a Value) -> Result<&'a str> {
    match v {
        Value::String(x) => Ok(x),
        other => Err(bad_arg(func, "a STRING", other)),
    }
}

fn non_negative(func: &str, v: &Value, what: &str) -> Result<usize> {
    let n = int_arg(func, v)?;
    usize::try_from(n).map_err(|_| {
        ExecError::argument(
            "NumberOutOfRange",
            format!("{func}(): {what} must not be negative, got {n}"),
        )
    })
}

/// `toString` of one value, or `None` when the type has no string form.
pub(crate) fn to_string_value(v: &Value) -> Option<Value> {
    match v {
        Value::Null => Some(Value::Null),
        other => display_scalar(other).map(Value::from),
    }
}

pub(super) fn call(name: &str, args: &[Value]) -> Result<Option<Value>> {
    let a0 = args.first().unwrap_or(&Value::Null);
    let v = match name {
        "tostring" => to_string_value(a0)
            .ok_or_else(|| bad_arg("toString", "a STRING, number, BOOLEAN or temporal", a0))?,
        "tostringornull" => to_string_value(a0).unwrap_or(Value::Null),
        "size" | "char_length" | "character_length" => match a0 {
            Value::Null => Value::Null,
            Value::String(x) => Value::Int(x.chars().count() as i64),
            Value::List(l) if name == "size" => Value::Int(l.len() as i64),
            other => return Err(bad_arg(name, "a STRING or LIST", other)),
        },
        "reverse" => match a0 {
            Value::Null => Value::Null,
            Value::String(x) => s(&x.chars().rev().collect::<String>()),
            Value::List(l) => Value::List(l.iter().rev().cloned().collect()),
            other => return Err(bad_arg("reverse", "a STRING or LIST", other)),
        },
        _ if a0.is_null() => {
            // Every remaining function is null-in, null-out on its subject,
            // after checking the other arguments' types where they matter.
            if !matches!(
                name,
                "toupper"
                    | "tolower"
                    | "trim"
                    | "ltrim"
                    | "rtrim"
                    | "replace"
                    | "substring"
                    | "left"
                    | "right"
                    | "split"
            ) {
                return Ok(None);
            }
            Value::Null
        }
        "toupper" => s(&str_arg("toUpper", a0)?.to_uppercase()),
        "tolower" => s(&str_arg("toLower", a0)?.to_lowercase()),
        "trim" => s(str_arg("trim", a0)?.trim()),
        "ltrim" => s(str_arg("lTrim", a0)?.trim_start()),
        "rtrim" => s(str_arg("rTrim", a0)?.trim_end()),
        "replace" => {
            let x = str_arg("replace", a0)?;
            match (&args[1], &args[2]) {
                (Value::Null, _) | (_, Value::Null) => Value::Null,
                (from, to) => {
                    let (from, to) = (str_arg("replace", from)?, str_arg("replace", to)?);
                    s(&x.replace(from, to))
                }
            }
        }
        "substring" => {
            let x = str_arg("substring", a0)?;
            if args[1].is_null() || args.get(2).is_some_and(Value::is_null) {
                return Ok(Some(Value::Null));
            }
            let start = non_negative("substring", &args[1], "start")?;
            let chars = x.chars().skip(start);
            match args.get(2) {
                Some(len) => s(&chars
                    .take(non_negative("substring", len, "length")?)
                    .collect::<String>()),
                None => s(&chars.collect::<String>()),
            }
        }
        "left" => {
            let x = str_arg("left", a0)?;
            if args[1].is_null() {
                return Err(bad_arg("left", "an INTEGER length", &args[1]));
            }
            s(&x.chars()
                .take(non_negative("left", &args[1], "length")?)
                .collect::<String>())
        }
        "right" => {
            let x = str_arg("right", a0)?;
            if args[1].is_null() {
                return Err(bad_arg("right", "an INTEGER length", &args[1]));
            }
            let n = non_negative("right", &args[1], "length")?;
            let count = x.chars().count();
            s(&x.chars().skip(count.saturating_sub(n)).collect::<String>())
        }
        "split" => {
            let x = str_arg("split", a0)?;
            match &args[1] {
                Value::Null => Value::Null,
                Value::String(d) => split(x, &[d.to_string()]),
                Value::List(ds) => {
                    let mut delims = Vec::with_capacity(ds.len());
                    for d in ds {
                        match d {
                            Value::String(d) => delims.push(d.to_string()),
                            Value::Null => return Ok(Some(Value::Null)),
                            other => return Err(bad_arg("split", "STRING delimiters", other)),
                        }
                    }
                    split(x, &delims)
                }
                other => return Err(bad_arg("split", "a STRING delimiter", other)),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// Splits on any of the delimiters; an empty delimiter splits into chars.
fn split(x: &str, delims: &[String]) -> Value {
    if delims.iter().all(String::is_empty) {
        return Value::List(x.chars().map(|c| Value::from(c.to_string())).collect());
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = x.len();
    while i < bytes {
        if let Some(d) = delims
            .iter()
            .find(|d| !d.is_empty() && x[i..].starts_with(d.as_str()))
        {
            parts.push(Value::from(&x[start..i]));
            i += d.len();
            start = i;
        } else {
            i += x[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    parts.push(Value::from(&x[start..]));
    Value::List(parts)
}
