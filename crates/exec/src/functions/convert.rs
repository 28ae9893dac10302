//! Type conversion: toInteger, toFloat, toBoolean and their `OrNull`
//! forms, the list forms, coalesce and valueType.

use relgraph_graph::Value;

use super::bad_arg;
use crate::error::Result;
use crate::value_ops::TWO_POW_63;

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i);
    }
    let lower = t.to_ascii_lowercase();
    let (neg, body) = match lower.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, lower.clone()),
    };
    if let Some(h) = body.strip_prefix("0x") {
        let v = i64::from_str_radix(h, 16).ok()?;
        return Some(if neg { -v } else { v });
    }
    if let Some(o) = body.strip_prefix("0o") {
        let v = i64::from_str_radix(o, 8).ok()?;
        return Some(if neg { -v } else { v });
    }
    float_to_int(parse_float(t)?)
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || t.eq_ignore_ascii_case("inf")
        || t.eq_ignore_ascii_case("+inf")
        || t.eq_ignore_ascii_case("-inf")
    {
        return None;
    }
    match t {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if t
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
        {
            None
        }
        _ => t.parse().ok(),
    }
}

fn float_to_int(f: f64) -> Option<i64> {
    if !(-TWO_POW_63..TWO_POW_63).contains(&f) {
        None
    } else {
        Some(f.trunc() as i64)
    }
}

/// `Ok(Some(v))` converted, `Ok(None)` not convertible (null result),
/// `Err(())` a type that is never convertible.
fn to_integer(v: &Value) -> std::result::Result<Option<i64>, ()> {
    match v {
        Value::Int(i) => Ok(Some(*i)),
        Value::Float(f) => Ok(float_to_int(*f)),
        Value::Bool(b) => Ok(Some(i64::from(*b))),
        Value::String(s) => Ok(parse_int(s)),
        _ => Err(()),
    }
}

fn to_float(v: &Value) -> std::result::Result<Option<f64>, ()> {
    match v {
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        Value::String(s) => Ok(parse_float(s)),
        _ => Err(()),
    }
}

fn to_boolean(v: &Value) -> std::result::Result<Option<bool>, ()> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Int(i) => Ok(Some(*i != 0)),
        Value::String(s) => Ok(match s.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }),
        _ => Err(()),
    }
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

pub(super) fn call(name: &str, args: &[Value]) -> Result<Option<Value>> {
    let a0 = args.first().unwrap_or(&Value::Null);
    if name == "coalesce" {
        return Ok(Some(
            args.iter()
                .find(|v| !v.is_null())
                .cloned()
                .unwrap_or(Value::Null),
        ));
    }
    if name == "valuetype" {
        return Ok(Some(Value::from(value_type(a0))));
    }
    if a0.is_null() {
        return Ok(match name {
            "tointeger" | "tofloat" | "toboolean" | "tointegerornull" | "tofloatornull"
            | "tobooleanornull" | "tobooleanlist" | "tointegerlist" | "tofloatlist"
            | "tostringlist" => Some(Value::Null),
            _ => None,
        });
    }
    let v = match name {
        "tointeger" => opt(
            to_integer(a0).map_err(|_| bad_arg("toInteger", "a STRING, number or BOOLEAN", a0))?,
            Value::Int,
        ),
        "tofloat" => opt(
            to_float(a0).map_err(|_| bad_arg("toFloat", "a STRING or number", a0))?,
            Value::Float,
        ),
        "toboolean" => opt(
            to_boolean(a0).map_err(|_| bad_arg("toBoolean", "a STRING, INTEGER or BOOLEAN", a0))?,
            Value::Bool,
        ),
        "tointegerornull" => opt(to_integer(a0).ok().flatten(), Value::Int),
        "tofloatornull" => opt(to_float(a0).ok().flatten(), Value::Float),
        "tobooleanornull" => opt(to_boolean(a0).ok().flatten(), Value::Bool),
        "tobooleanlist" | "tointegerlist" | "tofloatlist" | "tostringlist" => match a0 {
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|x| match name {
                        "tobooleanlist" => opt(to_boolean(x).ok().flatten(), Value::Bool),
                        "tointegerlist" => opt(to_integer(x).ok().flatten(), Value::Int),
                        "tofloatlist" => opt(to_float(x).ok().flatten(), Value::Float),
                        _ => super::string::to_string_value(x).unwrap_or(Value::Null),
                    })
                    .collect(),
            ),
            other => return Err(bad_arg(name, "a LIST", other)),
        },
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// The GQL type name `valueType()` reports.
fn value_type(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(_) => "BOOLEAN NOT NULL".into(),
        Value::Int(_) => "INTEGER NOT NULL".into(),
        Value::Float(_) => "FLOAT NOT NULL".into(),
        Value::String(_) => "STRING NOT NULL".into(),
        Value::List(_) => "LIST<ANY> NOT NULL".into(),
        Value::Map(_) => "MAP NOT NULL".into(),
        Value::Date(_) => "DATE NOT NULL".into(),
        Value::LocalTime(_) => "LOCAL TIME NOT NULL".into(),
        Value::Time(_) => "ZONED TIME NOT NULL".into(),
        Value::LocalDateTime(_) => "LOCAL DATETIME NOT NULL".into(),
        Value::DateTime(_) => "ZONED DATETIME NOT NULL".into(),
        Value::Duration(_) => "DURATION NOT NULL".into(),
        Value::Node(_) => "NODE NOT NULL".into(),
        Value::Relationship(_) => "RELATIONSHIP NOT NULL".into(),
        Value::Path(_) => "PATH NOT NULL".into(),
    }
}
