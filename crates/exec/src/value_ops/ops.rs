//! Operators over values: arithmetic, concatenation, temporal arithmetic,
//! three-valued logic, `IN`, string predicates and `=~`, unary operators,
//! and `value.key` on maps and temporal values.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, UnaryOp};
use relgraph_graph::Value;

use super::{compare_op, equals, overflow, temporal_err};
use crate::error::{ExecError, Result};

fn type_err(op: &str, a: &Value, b: &Value) -> ExecError {
    ExecError::type_error(
        "InvalidArgumentType",
        format!(
            "cannot apply {op} to {} and {}",
            a.type_name(),
            b.type_name()
        ),
    )
}

fn as_bool3(v: &Value, op: &str) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("{op} expects BOOLEAN operands, got {}", other.type_name()),
        )),
    }
}

fn bool3(v: Option<bool>) -> Value {
    v.map_or(Value::Null, Value::Bool)
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Formats a value the way string concatenation and `toString` show it.
pub(crate) fn display_scalar(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::LocalTime(t) => t.to_string(),
        Value::Time(t) => t.to_string(),
        Value::LocalDateTime(t) => t.to_string(),
        Value::DateTime(t) => t.to_string(),
        Value::Duration(d) => d.to_string(),
        _ => return None,
    })
}

/// Formats a float as Java's `Double.toString` does (`1.0`, `1.0E20`,
/// `NaN`, `Infinity`), which is what Cypher's `toString` prints.
///
/// ```
/// use relgraph_exec::value_ops::format_float;
/// assert_eq!(format_float(1.0), "1.0");
/// assert_eq!(format_float(0.1), "0.1");
/// assert_eq!(format_float(1e20), "1.0E20");
/// assert_eq!(format_float(-2.5e-5), "-2.5E-5");
/// ```
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mant = if mant.contains('.') {
            mant.to_string()
        } else {
            format!("{mant}.0")
        };
        format!("{mant}E{exp}")
    }
}

fn add(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Null, _) | (_, Null) => Null,
        (Int(x), Int(y)) => Int(x.checked_add(*y).ok_or_else(|| overflow("+"))?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Float(as_f64(a).unwrap_or(0.0) + as_f64(b).unwrap_or(0.0))
        }
        (String(x), String(y)) => {
            // One copy of each side (no intermediate strings): a doubling
            // string's peak memory stays near the result's size.
            let mut s = std::string::String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            String(Arc::from(s))
        }
        (List(x), List(y)) => List(x.iter().chain(y.iter()).cloned().collect()),
        (List(x), y) => List(
            x.iter()
                .cloned()
                .chain(std::iter::once(y.clone()))
                .collect(),
        ),
        (x, List(y)) => List(
            std::iter::once(x.clone())
                .chain(y.iter().cloned())
                .collect(),
        ),
        (String(x), y) | (y, String(x))
            if !matches!(y, Map(_) | Node(_) | Relationship(_) | Path(_)) =>
        {
            let (l, r) = if matches!(a, String(_)) {
                (x.to_string(), display_scalar(y).unwrap_or_default())
            } else {
                (display_scalar(y).unwrap_or_default(), x.to_string())
            };
            String(Arc::from(format!("{l}{r}")))
        }
        (Duration(x), Duration(y)) => Value::from(x.checked_add(y).map_err(temporal_err)?),
        (Date(t), Duration(d)) | (Duration(d), Date(t)) => Date(t.plus(d).map_err(temporal_err)?),
        (LocalTime(t), Duration(d)) | (Duration(d), LocalTime(t)) => {
            LocalTime(t.plus(d).map_err(temporal_err)?)
        }
        (Time(t), Duration(d)) | (Duration(d), Time(t)) => Time(t.plus(d).map_err(temporal_err)?),
        (LocalDateTime(t), Duration(d)) | (Duration(d), LocalDateTime(t)) => {
            LocalDateTime(t.plus(d).map_err(temporal_err)?)
        }
        (DateTime(t), Duration(d)) | (Duration(d), DateTime(t)) => {
            DateTime(crate::functions::zones::plus(t, d)?)
        }
        _ => return Err(type_err("+", a, b)),
    })
}

fn sub(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Null, _) | (_, Null) => Null,
        (Int(x), Int(y)) => Int(x.checked_sub(*y).ok_or_else(|| overflow("-"))?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Float(as_f64(a).unwrap_or(0.0) - as_f64(b).unwrap_or(0.0))
        }
        (Duration(x), Duration(y)) => Value::from(x.checked_sub(y).map_err(temporal_err)?),
        (Date(t), Duration(d)) => Date(t.minus(d).map_err(temporal_err)?),
        (LocalTime(t), Duration(d)) => LocalTime(t.minus(d).map_err(temporal_err)?),
        (Time(t), Duration(d)) => Time(t.minus(d).map_err(temporal_err)?),
        (LocalDateTime(t), Duration(d)) => LocalDateTime(t.minus(d).map_err(temporal_err)?),
        (DateTime(t), Duration(d)) => DateTime(crate::functions::zones::plus(
            t,
            &d.negate().map_err(temporal_err)?,
        )?),
        _ => return Err(type_err("-", a, b)),
    })
}

fn mul(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Null, _) | (_, Null) => Null,
        (Int(x), Int(y)) => Int(x.checked_mul(*y).ok_or_else(|| overflow("*"))?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Float(as_f64(a).unwrap_or(0.0) * as_f64(b).unwrap_or(0.0))
        }
        (Duration(d), Int(n)) | (Int(n), Duration(d)) => {
            Value::from(d.mul_int(*n).map_err(temporal_err)?)
        }
        (Duration(d), Float(f)) | (Float(f), Duration(d)) => {
            Value::from(d.mul_float(*f).map_err(temporal_err)?)
        }
        _ => return Err(type_err("*", a, b)),
    })
}

fn div(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Null, _) | (_, Null) => Null,
        (Int(_), Int(0)) => return Err(ExecError::argument("DivisionByZero", "/ by zero")),
        (Int(x), Int(y)) => Int(x.checked_div(*y).ok_or_else(|| overflow("/"))?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Float(as_f64(a).unwrap_or(0.0) / as_f64(b).unwrap_or(0.0))
        }
        (Duration(d), Int(_) | Float(_)) => Value::from(
            d.div_float(as_f64(b).unwrap_or(0.0))
                .map_err(temporal_err)?,
        ),
        _ => return Err(type_err("/", a, b)),
    })
}

fn rem(a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    Ok(match (a, b) {
        (Null, _) | (_, Null) => Null,
        (Int(_), Int(0)) => return Err(ExecError::argument("DivisionByZero", "% by zero")),
        (Int(x), Int(y)) => Int(x.checked_rem(*y).ok_or_else(|| overflow("%"))?),
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            Float(as_f64(a).unwrap_or(0.0) % as_f64(b).unwrap_or(0.0))
        }
        _ => return Err(type_err("%", a, b)),
    })
}

fn pow(a: &Value, b: &Value) -> Result<Value> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        _ => match (as_f64(a), as_f64(b)) {
            (Some(x), Some(y)) => Ok(Value::Float(x.powf(y))),
            _ => Err(type_err("^", a, b)),
        },
    }
}

fn in_list(a: &Value, b: &Value) -> Result<Value> {
    match b {
        Value::Null => Ok(Value::Null),
        Value::List(items) => Ok(scan_in(a, items)),
        other => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("IN expects a LIST on the right, got {}", other.type_name()),
        )),
    }
}

/// `a IN items` by comparing `a` with each item: true if one equals it,
/// else null if a comparison was unknown (a null), else false.
pub(crate) fn scan_in<'v>(a: &Value, items: impl IntoIterator<Item = &'v Value>) -> Value {
    let mut unknown = false;
    for x in items {
        match equals(a, x) {
            Some(true) => return Value::Bool(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown {
        Value::Null
    } else {
        Value::Bool(false)
    }
}

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
}

/// Whether `text` matches `pattern` entirely (Cypher `=~`). Compiled
/// patterns are cached per thread.
fn regex_match(text: &str, pattern: &str) -> Result<bool> {
    REGEX_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Ok(re.is_match(text));
        }
        let re = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 22)
            .build()
            .map_err(|e| {
                ExecError::argument(
                    "InvalidArgumentValue",
                    format!("invalid regular expression: {e}"),
                )
            })?;
        let m = re.is_match(text);
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re);
        Ok(m)
    })
}

/// Evaluates a binary operator over two values.
///
/// Arithmetic: integer overflow and integer division by zero are errors;
/// mixing integers and floats gives a float; `^` always gives a float.
/// `+` also concatenates strings (with numbers, booleans and temporals
/// shown as `toString` does) and lists, and adds durations to temporals.
/// Boolean operators are three-valued. `IN` is null when the value is not
/// found but the list holds a null. String predicates are null unless
/// both sides are strings.
///
/// ```
/// use relgraph_exec::value_ops::binary_op;
/// use relgraph_cypher::ast::BinaryOp;
/// use relgraph_graph::Value;
/// assert_eq!(binary_op(BinaryOp::Add, &Value::Int(1), &Value::Float(0.5)).unwrap(), Value::Float(1.5));
/// assert_eq!(binary_op(BinaryOp::Or, &Value::Null, &Value::Bool(true)).unwrap(), Value::Bool(true));
/// assert!(binary_op(BinaryOp::Add, &Value::Int(i64::MAX), &Value::Int(1)).is_err());
/// ```
pub fn binary_op(op: BinaryOp, a: &Value, b: &Value) -> Result<Value> {
    match op {
        BinaryOp::And => {
            let (x, y) = (as_bool3(a, "AND")?, as_bool3(b, "AND")?);
            Ok(bool3(match (x, y) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }))
        }
        BinaryOp::Or => {
            let (x, y) = (as_bool3(a, "OR")?, as_bool3(b, "OR")?);
            Ok(bool3(match (x, y) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }))
        }
        BinaryOp::Xor => {
            let (x, y) = (as_bool3(a, "XOR")?, as_bool3(b, "XOR")?);
            Ok(bool3(match (x, y) {
                (Some(p), Some(q)) => Some(p != q),
                _ => None,
            }))
        }
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            Ok(bool3(compare_op(op, a, b)))
        }
        BinaryOp::Add => add(a, b),
        BinaryOp::Sub => sub(a, b),
        BinaryOp::Mul => mul(a, b),
        BinaryOp::Div => div(a, b),
        BinaryOp::Mod => rem(a, b),
        BinaryOp::Pow => pow(a, b),
        BinaryOp::In => in_list(a, b),
        BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => match (a, b) {
            (Value::String(x), Value::String(y)) => Ok(Value::Bool(match op {
                BinaryOp::StartsWith => x.starts_with(&**y),
                BinaryOp::EndsWith => x.ends_with(&**y),
                _ => x.contains(&**y),
            })),
            _ => Ok(Value::Null),
        },
        BinaryOp::RegexMatch => match (a, b) {
            (Value::String(x), Value::String(y)) => Ok(Value::Bool(regex_match(x, y)?)),
            _ => Ok(Value::Null),
        },
    }
}

/// Evaluates a unary operator: `NOT` (three-valued), `-` (integer overflow
/// is an error; durations negate), `+`.
///
/// ```
/// use relgraph_exec::value_ops::unary_op;
/// use relgraph_cypher::ast::UnaryOp;
/// use relgraph_graph::Value;
/// assert_eq!(unary_op(UnaryOp::Neg, &Value::Int(3)).unwrap(), Value::Int(-3));
/// assert_eq!(unary_op(UnaryOp::Not, &Value::Null).unwrap(), Value::Null);
/// assert!(unary_op(UnaryOp::Neg, &Value::Int(i64::MIN)).is_err());
/// ```
pub fn unary_op(op: UnaryOp, v: &Value) -> Result<Value> {
    match (op, v) {
        (_, Value::Null) => Ok(Value::Null),
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::Neg, Value::Int(i)) => Ok(Value::Int(
            i.checked_neg().ok_or_else(|| overflow("unary -"))?,
        )),
        (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Neg, Value::Duration(d)) => Ok(Value::from(d.negate().map_err(temporal_err)?)),
        (UnaryOp::Pos, Value::Int(_) | Value::Float(_) | Value::Duration(_)) => Ok(v.clone()),
        (op, other) => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("cannot apply {op:?} to {}", other.type_name()),
        )),
    }
}

/// `v.key` for values that are not graph entities: map entries (missing
/// keys give null) and components of temporal values (`d.year`,
/// `dur.days`). Null gives null. Nodes and relationships are the
/// executor's business and give an error here.
///
/// ```
/// use relgraph_exec::value_ops::property_of_value;
/// use relgraph_graph::{temporal::Date, Value};
/// let d = Value::Date(Date::parse("1984-10-11").unwrap());
/// assert_eq!(property_of_value(&d, "year").unwrap(), Value::Int(1984));
/// assert_eq!(property_of_value(&Value::Null, "x").unwrap(), Value::Null);
/// ```
pub fn property_of_value(v: &Value, key: &str) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Map(m) => Ok(m.get(key).cloned().unwrap_or(Value::Null)),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => crate::functions::temporal::component(v, key).ok_or_else(|| {
            ExecError::argument(
                "InvalidArgumentValue",
                format!("{} has no component '{key}'", v.type_name()),
            )
        }),
        other => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("cannot access property '{key}' of a {}", other.type_name()),
        )),
    }
}
