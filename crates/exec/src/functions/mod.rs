//! Scalar and aggregate functions.
//!
//! [`call_scalar`] evaluates a scalar function by name (case-insensitive,
//! dotted names such as `duration.between`); [`aggregate::Accumulator`]
//! implements the aggregating functions. The binder asks
//! [`is_known_scalar`] and [`is_aggregate`] to resolve names at compile
//! time. Existence checks (`exists(...)`, pattern predicates) are the
//! binder's, not functions.

use relgraph_graph::temporal::DateTime;
use relgraph_graph::{Snapshot, Value};
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::{ExecError, Result};
use crate::options::VALUE_BYTES;

pub mod aggregate;
mod convert;
mod graph;
mod list;
pub(crate) use list::range_args;
mod math;
mod string;
pub mod temporal;
pub(crate) mod zones;

/// What a function may read besides its arguments.
///
/// ```
/// use relgraph_exec::functions::FnContext;
/// use relgraph_graph::{temporal::DateTime, Snapshot};
/// struct Ctx(Snapshot, DateTime);
/// impl FnContext for Ctx {
///     fn snapshot(&self) -> &Snapshot { &self.0 }
///     fn statement_time(&self) -> DateTime { self.1.clone() }
/// }
/// ```
pub trait FnContext {
    /// The snapshot the query reads (for `labels`, `properties`, ...).
    fn snapshot(&self) -> &Snapshot;
    /// The statement's clock: every `date()` / `datetime()` without
    /// arguments in one statement sees the same instant.
    fn statement_time(&self) -> DateTime;
    /// Checks the query's limits before a function builds a value of about
    /// `bytes` bytes (0: only the timeout and cancellation): an error if it
    /// would not fit the memory budget. A context without limits accepts
    /// everything.
    fn reserve(&self, bytes: u64) -> Result<()> {
        let _ = bytes;
        Ok(())
    }
}

/// Results at least this large are checked against the memory budget
/// before they are built.
pub(crate) const LARGE_VALUE_BYTES: u64 = 1 << 16;

/// About how many bytes the result of `lower(args)` takes, for functions
/// whose result can be far larger than their arguments (0 for the rest).
fn result_bytes(lower: &str, args: &[Value]) -> u64 {
    match (lower, args) {
        ("range", _) => list::range_len(args)
            .unwrap_or(0)
            .saturating_mul(VALUE_BYTES),
        ("replace", [Value::String(x), Value::String(from), Value::String(to)]) => {
            let hits = if from.is_empty() {
                x.chars().count() as u64 + 1
            } else {
                (x.len() / from.len()) as u64
            };
            (x.len() as u64).saturating_add(hits.saturating_mul(to.len() as u64))
        }
        _ => 0,
    }
}

/// A scalar function's name (lower case) and accepted argument counts
/// `(min, max)`.
type Signature = (&'static str, usize, usize);

/// The scalar functions, by the module that evaluates them.
const SCALARS: &[(Module, &[Signature])] = &[
    (
        Module::String,
        &[
            ("toupper", 1, 1),
            ("tolower", 1, 1),
            ("trim", 1, 1),
            ("ltrim", 1, 1),
            ("rtrim", 1, 1),
            ("replace", 3, 3),
            ("substring", 2, 3),
            ("left", 2, 2),
            ("right", 2, 2),
            ("split", 2, 2),
            ("reverse", 1, 1),
            ("tostring", 1, 1),
            ("tostringornull", 1, 1),
            ("size", 1, 1),
            ("char_length", 1, 1),
            ("character_length", 1, 1),
        ],
    ),
    (
        Module::Math,
        &[
            ("abs", 1, 1),
            ("ceil", 1, 1),
            ("floor", 1, 1),
            ("round", 1, 3),
            ("sign", 1, 1),
            ("sqrt", 1, 1),
            ("exp", 1, 1),
            ("log", 1, 1),
            ("log10", 1, 1),
            ("e", 0, 0),
            ("pi", 0, 0),
            ("rand", 0, 0),
            ("sin", 1, 1),
            ("cos", 1, 1),
            ("tan", 1, 1),
            ("cot", 1, 1),
            ("asin", 1, 1),
            ("acos", 1, 1),
            ("atan", 1, 1),
            ("atan2", 2, 2),
            ("degrees", 1, 1),
            ("radians", 1, 1),
            ("haversin", 1, 1),
        ],
    ),
    (
        Module::List,
        &[
            ("head", 1, 1),
            ("last", 1, 1),
            ("tail", 1, 1),
            ("range", 2, 3),
            ("isempty", 1, 1),
        ],
    ),
    (
        Module::Convert,
        &[
            ("tointeger", 1, 1),
            ("tofloat", 1, 1),
            ("toboolean", 1, 1),
            ("tointegerornull", 1, 1),
            ("tofloatornull", 1, 1),
            ("tobooleanornull", 1, 1),
            ("tobooleanlist", 1, 1),
            ("tointegerlist", 1, 1),
            ("tofloatlist", 1, 1),
            ("tostringlist", 1, 1),
            ("coalesce", 1, usize::MAX),
            ("valuetype", 1, 1),
        ],
    ),
    (
        Module::Graph,
        &[
            ("id", 1, 1),
            ("elementid", 1, 1),
            ("labels", 1, 1),
            ("type", 1, 1),
            ("properties", 1, 1),
            ("keys", 1, 1),
            ("startnode", 1, 1),
            ("endnode", 1, 1),
            ("nodes", 1, 1),
            ("relationships", 1, 1),
            ("length", 1, 1),
        ],
    ),
    (
        Module::Temporal,
        &[
            ("timestamp", 0, 0),
            ("date", 0, 1),
            ("datetime", 0, 1),
            ("localdatetime", 0, 1),
            ("time", 0, 1),
            ("localtime", 0, 1),
            ("duration", 1, 1),
            ("date.transaction", 0, 1),
            ("date.statement", 0, 1),
            ("date.realtime", 0, 1),
            ("datetime.transaction", 0, 1),
            ("datetime.statement", 0, 1),
            ("datetime.realtime", 0, 1),
            ("localdatetime.transaction", 0, 1),
            ("localdatetime.statement", 0, 1),
            ("localdatetime.realtime", 0, 1),
            ("time.transaction", 0, 1),
            ("time.statement", 0, 1),
            ("time.realtime", 0, 1),
            ("localtime.transaction", 0, 1),
            ("localtime.statement", 0, 1),
            ("localtime.realtime", 0, 1),
            ("date.truncate", 2, 3),
            ("datetime.truncate", 2, 3),
            ("localdatetime.truncate", 2, 3),
            ("time.truncate", 2, 3),
            ("localtime.truncate", 2, 3),
            ("datetime.fromepoch", 2, 2),
            ("datetime.fromepochmillis", 1, 1),
            ("duration.between", 2, 2),
            ("duration.inmonths", 2, 2),
            ("duration.indays", 2, 2),
            ("duration.inseconds", 2, 2),
        ],
    ),
];

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "collect",
    "stdev",
    "stdevp",
    "percentilecont",
    "percentiledisc",
];

/// The module whose `call` evaluates a scalar function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Module {
    String,
    Math,
    List,
    Convert,
    Graph,
    Temporal,
}

/// A scalar function resolved by name once, when a query is compiled:
/// its canonical (lower-case) name, accepted argument counts and the
/// module that evaluates it. Calling it does not look the name up again
/// nor try the other modules (a call by name, [`call_scalar`], took
/// about three times as long as an addition: docs/performance.md).
///
/// ```
/// use relgraph_exec::functions::{FnContext, Scalar};
/// use relgraph_graph::{temporal::DateTime, Snapshot, Value};
/// struct Ctx(Snapshot);
/// impl FnContext for Ctx {
///     fn snapshot(&self) -> &Snapshot { &self.0 }
///     fn statement_time(&self) -> DateTime { DateTime { seconds: 0, nanos: 0, offset_seconds: 0, zone: None } }
/// }
/// let abs = Scalar::resolve("ABS").unwrap();
/// assert_eq!(abs.name(), "abs");
/// assert_eq!(abs.arity(), (1, 1));
/// let v = abs.call(&[Value::Int(-3)], &Ctx(Snapshot::empty())).unwrap();
/// assert_eq!(v, Value::Int(3));
/// assert!(Scalar::resolve("count").is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The function's module in [`SCALARS`], then its place there (two
    /// bytes: a compiled expression holds one per call).
    section: u8,
    index: u8,
}

impl Scalar {
    /// The scalar function called `name` (any case), if there is one.
    pub fn resolve(name: &str) -> Option<Scalar> {
        static BY_NAME: OnceLock<FxHashMap<&'static str, Scalar>> = OnceLock::new();
        let map = BY_NAME.get_or_init(|| {
            let mut map = FxHashMap::default();
            for (section, (_, names)) in SCALARS.iter().enumerate() {
                for (index, (name, _, _)) in names.iter().enumerate() {
                    let (Ok(section), Ok(index)) = (u8::try_from(section), u8::try_from(index))
                    else {
                        continue;
                    };
                    map.insert(*name, Scalar { section, index });
                }
            }
            map
        });
        // Names are usually written in lower case already: no copy then.
        if let Some(found) = map.get(name) {
            return Some(*found);
        }
        map.get(name.to_ascii_lowercase().as_str()).copied()
    }

    /// The function's module and signature.
    fn entry(&self) -> (Module, &'static Signature) {
        let (module, names) = &SCALARS[self.section as usize];
        (*module, &names[self.index as usize])
    }

    /// The function's name in lower case.
    pub fn name(&self) -> &'static str {
        self.entry().1 .0
    }

    /// The accepted number of arguments `(min, max)`.
    pub fn arity(&self) -> (usize, usize) {
        let (_, &(_, min, max)) = self.entry();
        (min, max)
    }

    /// Evaluates the function on `args`, whose number the caller has
    /// checked against [`Scalar::arity`] (the binder does, when it
    /// resolves the name).
    pub fn call(&self, args: &[Value], ctx: &dyn FnContext) -> Result<Value> {
        let (module, &(lower, _, _)) = self.entry();
        let bytes = result_bytes(lower, args);
        if bytes >= LARGE_VALUE_BYTES {
            ctx.reserve(bytes)?;
        }
        let found = match module {
            Module::String => string::call(lower, args)?,
            Module::Math => math::call(lower, args)?,
            Module::List => list::call(lower, args, ctx)?,
            Module::Convert => convert::call(lower, args)?,
            Module::Graph => graph::call(lower, args, ctx)?,
            Module::Temporal => temporal::call(lower, args, ctx)?,
        };
        found.ok_or_else(|| {
            ExecError::semantic(
                "UnknownFunction",
                format!("unknown function '{lower}'"),
                None,
            )
        })
    }
}

/// True if `name` (any case) is a scalar function [`call_scalar`] knows.
///
/// ```
/// use relgraph_exec::functions::is_known_scalar;
/// assert!(is_known_scalar("toUpper"));
/// assert!(is_known_scalar("duration.between"));
/// assert!(!is_known_scalar("count"));
/// ```
pub fn is_known_scalar(name: &str) -> bool {
    Scalar::resolve(name).is_some()
}

/// The accepted number of arguments `(min, max)` of a scalar function, for
/// the binder's `InvalidNumberOfArguments` check.
///
/// ```
/// use relgraph_exec::functions::scalar_arity;
/// assert_eq!(scalar_arity("substring"), Some((2, 3)));
/// ```
pub fn scalar_arity(name: &str) -> Option<(usize, usize)> {
    Scalar::resolve(name).map(|f| f.arity())
}

/// True if `name` (any case) is an aggregating function.
///
/// ```
/// use relgraph_exec::functions::is_aggregate;
/// assert!(is_aggregate("COUNT"));
/// assert!(is_aggregate("percentileDisc"));
/// assert!(!is_aggregate("size"));
/// ```
pub fn is_aggregate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    AGGREGATES.contains(&lower.as_str())
}

/// True for functions whose result may differ between calls with the same
/// arguments (`rand()`, `*.realtime()`), which must not be constant-folded.
///
/// ```
/// use relgraph_exec::functions::is_nondeterministic;
/// assert!(is_nondeterministic("rand"));
/// assert!(!is_nondeterministic("abs"));
/// ```
pub fn is_nondeterministic(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "rand" || lower.ends_with(".realtime")
}

/// Evaluates a scalar function.
///
/// ```
/// use relgraph_exec::functions::{call_scalar, FnContext};
/// use relgraph_graph::{temporal::DateTime, Snapshot, Value};
/// struct Ctx(Snapshot);
/// impl FnContext for Ctx {
///     fn snapshot(&self) -> &Snapshot { &self.0 }
///     fn statement_time(&self) -> DateTime { DateTime { seconds: 0, nanos: 0, offset_seconds: 0, zone: None } }
/// }
/// let ctx = Ctx(Snapshot::empty());
/// let v = call_scalar("toUpper", &[Value::from("abc")], &ctx).unwrap();
/// assert_eq!(v, Value::from("ABC"));
/// let d = call_scalar("date", &[], &ctx).unwrap();
/// assert_eq!(d.type_name(), "DATE");
/// assert!(call_scalar("noSuchFunction", &[], &ctx).is_err());
/// ```
pub fn call_scalar(name: &str, args: &[Value], ctx: &dyn FnContext) -> Result<Value> {
    let Some(f) = Scalar::resolve(name) else {
        return Err(ExecError::semantic(
            "UnknownFunction",
            format!("unknown function '{name}'"),
            None,
        ));
    };
    let (min, max) = f.arity();
    if args.len() < min || args.len() > max {
        return Err(ExecError::semantic(
            "InvalidNumberOfArguments",
            format!(
                "{name}() takes {} arguments, got {}",
                arity_text(min, max),
                args.len()
            ),
            None,
        ));
    }
    f.call(args, ctx)
}

fn arity_text(min: usize, max: usize) -> String {
    if min == max {
        min.to_string()
    } else if max == usize::MAX {
        format!("at least {min}")
    } else {
        format!("{min} to {max}")
    }
}

/// A type error for an argument of the wrong type.
pub(crate) fn bad_arg(func: &str, expected: &str, got: &Value) -> ExecError {
    ExecError::type_error(
        "InvalidArgumentValue",
        format!("{func}() expects {expected}, got {}", got.type_name()),
    )
}

/// An integer argument (floats with no fraction are accepted).
pub(crate) fn int_arg(func: &str, v: &Value) -> Result<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        other => Err(bad_arg(func, "an INTEGER", other)),
    }
}

/// A numeric argument as f64.
pub(crate) fn num_arg(func: &str, v: &Value) -> Result<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(bad_arg(func, "a number", other)),
    }
}

#[cfg(test)]
mod tck;
#[cfg(test)]
mod tests;
