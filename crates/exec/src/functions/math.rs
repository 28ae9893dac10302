//! Numeric functions: abs, ceil, floor, round (with precision and rounding
//! mode), sign, sqrt, exp, log, log10, e, pi, rand, trigonometry, degrees,
//! radians, haversin. Null in, null out.

use relgraph_graph::Value;

use super::{bad_arg, int_arg, num_arg};
use crate::error::{ExecError, Result};

pub(super) fn call(name: &str, args: &[Value]) -> Result<Option<Value>> {
    match name {
        "e" => return Ok(Some(Value::Float(std::f64::consts::E))),
        "pi" => return Ok(Some(Value::Float(std::f64::consts::PI))),
        "rand" => return Ok(Some(Value::Float(rand::random::<f64>()))),
        _ => {}
    }
    let unary: fn(f64) -> f64 = match name {
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "sqrt" => f64::sqrt,
        "exp" => f64::exp,
        "log" => f64::ln,
        "log10" => f64::log10,
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        "cot" => |x: f64| 1.0 / x.tan(),
        "asin" => f64::asin,
        "acos" => f64::acos,
        "atan" => f64::atan,
        "degrees" => f64::to_degrees,
        "radians" => f64::to_radians,
        "haversin" => |x: f64| (1.0 - x.cos()) / 2.0,
        "abs" | "sign" | "round" | "atan2" => |x| x,
        _ => return Ok(None),
    };
    let a0 = args.first().unwrap_or(&Value::Null);
    if a0.is_null() || args.iter().skip(1).any(|a| a.is_null() && name == "atan2") {
        return Ok(Some(Value::Null));
    }
    let v = match name {
        "abs" => match a0 {
            Value::Int(i) => Value::Int(i.checked_abs().ok_or_else(|| {
                ExecError::argument("NumberOutOfRange", "integer overflow in abs()")
            })?),
            Value::Float(f) => Value::Float(f.abs()),
            other => return Err(bad_arg("abs", "a number", other)),
        },
        "sign" => match a0 {
            Value::Int(i) => Value::Int(i.signum()),
            Value::Float(f) if f.is_nan() => Value::Float(f64::NAN),
            Value::Float(f) => Value::Int(if *f > 0.0 {
                1
            } else if *f < 0.0 {
                -1
            } else {
                0
            }),
            other => return Err(bad_arg("sign", "a number", other)),
        },
        "round" => {
            let x = num_arg("round", a0)?;
            let precision = match args.get(1) {
                None => 0,
                Some(Value::Null) => return Ok(Some(Value::Null)),
                Some(p) => int_arg("round", p)?,
            };
            // Neo4j's manual: without a mode, ties at precision 0 go towards
            // positive infinity (round(-1.5) = -1.0, as Java's Math.round);
            // at other precisions they go away from zero (HALF_UP).
            let mode = match args.get(2) {
                None if precision == 0 => TIES_TO_CEILING.to_string(),
                None => "HALF_UP".to_string(),
                Some(Value::String(m)) => m.to_ascii_uppercase(),
                Some(Value::Null) => return Ok(Some(Value::Null)),
                Some(other) => return Err(bad_arg("round", "a rounding mode STRING", other)),
            };
            Value::Float(round(x, precision, &mode)?)
        }
        "atan2" => Value::Float(num_arg("atan2", a0)?.atan2(num_arg("atan2", &args[1])?)),
        _ => Value::Float(unary(num_arg(name, a0)?)),
    };
    Ok(Some(v))
}

/// The default mode of `round(x)` and `round(x, 0)`: nearest, ties towards
/// positive infinity. Not a java.math.RoundingMode name (a lower-case name
/// cannot come from a query: modes are upper-cased first).
const TIES_TO_CEILING: &str = "ties to ceiling";

/// Rounds to `precision` decimal places with a java.math.RoundingMode name
/// (or [`TIES_TO_CEILING`]).
fn round(x: f64, precision: i64, mode: &str) -> Result<f64> {
    if !x.is_finite() {
        return Ok(x);
    }
    let precision = precision.clamp(-300, 300) as i32;
    let scale = 10f64.powi(precision);
    let y = x * scale;
    if !y.is_finite() {
        return Ok(x);
    }
    let fl = y.floor();
    let diff = y - fl;
    let half = (diff - 0.5).abs() < 1e-9;
    let away = |v: f64| if v >= 0.0 { v.ceil() } else { v.floor() };
    let toward = |v: f64| v.trunc();
    let r = match mode {
        "HALF_UP" => {
            if half {
                away(y)
            } else {
                y.round()
            }
        }
        TIES_TO_CEILING => {
            if half {
                fl + 1.0
            } else {
                y.round()
            }
        }
        "HALF_DOWN" => {
            if half {
                toward(y)
            } else {
                y.round()
            }
        }
        "HALF_EVEN" => {
            if half {
                if fl % 2.0 == 0.0 {
                    fl
                } else {
                    fl + 1.0
                }
            } else {
                y.round()
            }
        }
        "UP" => away(y),
        "DOWN" => toward(y),
        "CEILING" => y.ceil(),
        "FLOOR" => fl,
        "UNNECESSARY" => {
            if diff != 0.0 {
                return Err(ExecError::argument(
                    "InvalidArgumentValue",
                    "round(): rounding necessary",
                ));
            }
            y
        }
        other => {
            return Err(ExecError::argument(
                "InvalidArgumentValue",
                format!("round(): unknown rounding mode '{other}'"),
            ))
        }
    };
    Ok(r / scale)
}
