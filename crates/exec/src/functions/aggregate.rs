//! Aggregating functions: count, count(*), sum, avg, min, max, collect,
//! stDev, stDevP, percentileCont, percentileDisc.
//!
//! An [`Accumulator`] is fed row values with [`Accumulator::update`]
//! (nulls are ignored, as openCypher says), partial accumulators from
//! parallel partitions are combined with [`Accumulator::merge`] (merging
//! partitions in input order gives the same result as one sequential pass;
//! counts, sums and averages give it in any order: float sums are exact
//! until they are rounded once, see `exact.rs`), and [`Accumulator::finish`]
//! gives the result. `DISTINCT` keeps the distinct values (in first-seen
//! order) and aggregates them at the end. `count(*)` is `count` fed a
//! non-null value per row.

use relgraph_graph::temporal::Duration;
use relgraph_graph::Value;

use self::exact::ExactSum;
use crate::error::{ErrorKind, ExecError, Result};
use crate::value_ops::{order_cmp, temporal_err, DistinctValues};

mod exact;

/// Exact integer, float and duration sums, kept apart so the result type
/// can follow the inputs (all integers give an integer). The float and
/// duration parts are boxed, made when the first such value arrives: most
/// sums are of integers, and every group keeps its accumulators in one
/// list that grows and is copied as groups are added.
#[derive(Clone, Debug, Default)]
pub struct SumState {
    ints: i128,
    numbers: u64,
    rest: Option<Box<SumRest>>,
}

/// The float and duration parts of a [`SumState`].
#[derive(Clone, Debug, Default)]
struct SumRest {
    floats: ExactSum,
    has_float: bool,
    duration: Option<Duration>,
}

impl SumState {
    fn add(&mut self, v: &Value, func: &str) -> Result<()> {
        match v {
            Value::Int(i) => {
                self.ints += i128::from(*i);
                self.numbers += 1;
            }
            Value::Float(f) => {
                self.add_float(*f);
                self.numbers += 1;
            }
            Value::Duration(d) => {
                let rest = self.rest();
                rest.duration = Some(match rest.duration {
                    None => **d,
                    Some(s) => s.checked_add(d).map_err(temporal_err)?,
                });
            }
            other => {
                return Err(ExecError::type_error(
                    "InvalidArgumentType",
                    format!(
                        "{func}() expects numbers or durations, got {}",
                        other.type_name()
                    ),
                ))
            }
        }
        Ok(())
    }

    /// The float and duration parts, made on first use.
    fn rest(&mut self) -> &mut SumRest {
        self.rest.get_or_insert_with(Box::default)
    }

    fn has_float(&self) -> bool {
        self.rest.as_ref().is_some_and(|r| r.has_float)
    }

    fn duration(&self) -> Option<Duration> {
        self.rest.as_ref().and_then(|r| r.duration)
    }

    fn add_float(&mut self, f: f64) {
        let rest = self.rest();
        rest.has_float = true;
        rest.floats.add(f);
    }

    fn merge(&mut self, o: SumState) -> Result<()> {
        self.ints += o.ints;
        self.numbers += o.numbers;
        let Some(o) = o.rest else {
            return Ok(());
        };
        let rest = self.rest();
        if o.has_float {
            rest.has_float = true;
            rest.floats.merge(&o.floats);
        }
        if let Some(d) = o.duration {
            rest.duration = Some(match rest.duration {
                None => d,
                Some(s) => s.checked_add(&d).map_err(temporal_err)?,
            });
        }
        Ok(())
    }

    fn check_mix(&self, func: &str) -> Result<()> {
        if self.duration().is_some() && self.numbers > 0 {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                format!("{func}() cannot mix numbers and durations"),
            ));
        }
        Ok(())
    }

    fn float_total(&self) -> f64 {
        // The integers join the exact sum as a float (or two, when they
        // need more than 53 bits), then the whole is rounded once.
        let mut all = self
            .rest
            .as_ref()
            .map_or_else(ExactSum::default, |r| r.floats.clone());
        let high = self.ints as f64;
        all.add(high);
        // What the conversion rounded away (exact while it fits an f64).
        let rest = self.ints - high as i128;
        if rest != 0 {
            all.add(rest as f64);
        }
        all.value()
    }

    fn sum(&self) -> Result<Value> {
        self.check_mix("sum")?;
        if let Some(d) = self.duration() {
            return Ok(Value::from(d));
        }
        if self.has_float() {
            return Ok(Value::Float(self.float_total()));
        }
        i64::try_from(self.ints)
            .map(Value::Int)
            .map_err(|_| ExecError::argument("NumberOutOfRange", "integer overflow in sum()"))
    }

    fn avg(&self, count: u64) -> Result<Value> {
        self.check_mix("avg")?;
        if count == 0 {
            return Ok(Value::Null);
        }
        if let Some(d) = self.duration() {
            return Ok(Value::from(
                d.div_float(count as f64).map_err(temporal_err)?,
            ));
        }
        Ok(Value::Float(self.float_total() / count as f64))
    }
}

/// Whether partial results of the aggregate `name`, merged in any order,
/// give the result of one pass: counts, sums and averages (integer sums
/// are exact, float sums are exact until rounded once).
pub(crate) fn order_free(name: &str) -> bool {
    ["count", "sum", "avg"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// Whether partial results of the aggregate `name`, merged in row order,
/// give the result of one pass wherever the partitions start: all but
/// `stDev` and `stDevP`, whose moments merge with other rounding.
pub(crate) fn partition_free(name: &str) -> bool {
    !["stdev", "stdevp"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// Running mean and squared deviations (Welford; Chan et al. to merge).
#[derive(Clone, Debug, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    fn merge(&mut self, o: Moments) {
        if o.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = o;
            return;
        }
        let n = self.n + o.n;
        let d = o.mean - self.mean;
        self.mean += d * o.n as f64 / n as f64;
        self.m2 += o.m2 + d * d * self.n as f64 * o.n as f64 / n as f64;
        self.n = n;
    }
}

/// A fresh accumulator of an aggregate without DISTINCT, as a value
/// that is copied without allocating (the inner aggregate of
/// [`Accumulator::Distinct`]).
///
/// ```
/// use relgraph_exec::functions::aggregate::{Accumulator, Fresh};
/// let sum = Accumulator::new("sum", false, &[]).unwrap();
/// assert_eq!(Fresh::of(&sum), Fresh::Sum);
/// assert!(matches!(Fresh::Count.make(), Accumulator::Count(0)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fresh {
    /// `count`.
    Count,
    /// `sum`.
    Sum,
    /// `avg`.
    Avg,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `collect`.
    Collect,
    /// `stDevP` when true, `stDev` when false.
    StDev(bool),
    /// `percentileCont` (`cont`) or `percentileDisc` at `p`.
    Percentile {
        /// Continuous (interpolating).
        cont: bool,
        /// The percentile, `0.0..=1.0`.
        p: f64,
    },
}

impl Fresh {
    /// The kind of `a` (for a DISTINCT accumulator, of its inner one).
    pub fn of(a: &Accumulator) -> Fresh {
        match a {
            Accumulator::Count(_) => Fresh::Count,
            Accumulator::Sum(_) => Fresh::Sum,
            Accumulator::Avg(..) => Fresh::Avg,
            Accumulator::Min(_) => Fresh::Min,
            Accumulator::Max(_) => Fresh::Max,
            Accumulator::Collect(_) => Fresh::Collect,
            Accumulator::StDev(_, population) => Fresh::StDev(*population),
            Accumulator::Percentile { cont, p, .. } => Fresh::Percentile { cont: *cont, p: *p },
            Accumulator::Distinct { inner, .. } => *inner,
        }
    }

    /// A new accumulator of this kind that has seen nothing.
    pub fn make(self) -> Accumulator {
        match self {
            Fresh::Count => Accumulator::Count(0),
            Fresh::Sum => Accumulator::Sum(SumState::default()),
            Fresh::Avg => Accumulator::Avg(SumState::default(), 0),
            Fresh::Min => Accumulator::Min(None),
            Fresh::Max => Accumulator::Max(None),
            Fresh::Collect => Accumulator::Collect(Vec::new()),
            Fresh::StDev(population) => Accumulator::StDev(Moments::default(), population),
            Fresh::Percentile { cont, p } => Accumulator::Percentile {
                cont,
                p,
                values: Vec::new(),
            },
        }
    }
}

/// The state of one aggregate over one group.
///
/// ```
/// use relgraph_exec::functions::aggregate::Accumulator;
/// use relgraph_graph::Value;
/// let mut acc = Accumulator::new("sum", false, &[]).unwrap();
/// for v in [Value::Int(1), Value::Null, Value::Float(1.5)] {
///     acc.update(&v).unwrap();
/// }
/// assert_eq!(acc.finish().unwrap(), Value::Float(2.5));
/// ```
#[derive(Clone, Debug)]
pub enum Accumulator {
    /// `count(x)` / `count(*)`: non-null values seen.
    Count(i64),
    /// `sum(x)`.
    Sum(SumState),
    /// `avg(x)`: the sum and the number of values.
    Avg(SumState, u64),
    /// `min(x)` under the ORDER BY order.
    Min(Option<Value>),
    /// `max(x)` under the ORDER BY order.
    Max(Option<Value>),
    /// `collect(x)`.
    Collect(Vec<Value>),
    /// `stDev(x)` (sample) or `stDevP(x)` (population, `true`).
    StDev(Moments, bool),
    /// `percentileCont(x, p)` (`true`) or `percentileDisc(x, p)`.
    Percentile {
        /// Continuous (interpolating) rather than discrete.
        cont: bool,
        /// The percentile, `0.0..=1.0`.
        p: f64,
        /// The numbers seen.
        values: Vec<Value>,
    },
    /// Any of the above over distinct values only.
    Distinct {
        /// The accumulator the distinct values are fed to at the end (made
        /// then: a new group's accumulators are copied without allocating).
        inner: Fresh,
        /// The distinct values seen, in first-seen order (in place: the
        /// first value needs no allocation).
        values: DistinctValues,
    },
}

impl Accumulator {
    /// A fresh accumulator for the aggregate `name` (any case).
    /// `extra_args` are the constant arguments after the first
    /// (the percentile of `percentileCont` / `percentileDisc`).
    pub fn new(name: &str, distinct: bool, extra_args: &[Value]) -> Result<Accumulator> {
        let lower = name.to_ascii_lowercase();
        let base = match lower.as_str() {
            "count" => Accumulator::Count(0),
            "sum" => Accumulator::Sum(SumState::default()),
            "avg" => Accumulator::Avg(SumState::default(), 0),
            "min" => Accumulator::Min(None),
            "max" => Accumulator::Max(None),
            "collect" => Accumulator::Collect(Vec::new()),
            "stdev" => Accumulator::StDev(Moments::default(), false),
            "stdevp" => Accumulator::StDev(Moments::default(), true),
            "percentilecont" | "percentiledisc" => {
                let p = match extra_args.first() {
                    Some(Value::Int(i)) => *i as f64,
                    Some(Value::Float(f)) => *f,
                    Some(other) => {
                        return Err(ExecError::type_error(
                            "InvalidArgumentType",
                            format!(
                                "{name}() expects a numeric percentile, got {}",
                                other.type_name()
                            ),
                        ))
                    }
                    None => {
                        return Err(ExecError::semantic(
                            "InvalidNumberOfArguments",
                            format!("{name}() takes a value and a percentile"),
                            None,
                        ))
                    }
                };
                if !(0.0..=1.0).contains(&p) {
                    return Err(ExecError::argument(
                        "NumberOutOfRange",
                        format!("{name}(): percentile must be between 0.0 and 1.0, got {p}"),
                    ));
                }
                Accumulator::Percentile {
                    cont: lower == "percentilecont",
                    p,
                    values: Vec::new(),
                }
            }
            _ => {
                return Err(ExecError::semantic(
                    "UnknownFunction",
                    format!("unknown aggregate '{name}'"),
                    None,
                ))
            }
        };
        Ok(if distinct {
            Accumulator::Distinct {
                inner: Fresh::of(&base),
                values: DistinctValues::default(),
            }
        } else {
            base
        })
    }

    /// How many values this accumulator keeps: `collect`, percentiles and
    /// DISTINCT grow with their input, the others keep none.
    pub fn kept(&self) -> usize {
        match self {
            Accumulator::Collect(items) => items.len(),
            Accumulator::Percentile { values, .. } => values.len(),
            Accumulator::Distinct { values, .. } => values.len(),
            _ => 0,
        }
    }

    /// Feeds `n` integers whose sum is `total` at once, as `n` calls of
    /// [`Accumulator::update`] with them would, for `count`, `sum` and
    /// `avg` (false, with nothing fed, for any other aggregate).
    pub(crate) fn add_ints(&mut self, total: i128, n: u64) -> bool {
        match self {
            Accumulator::Count(c) => *c += n as i64,
            Accumulator::Sum(s) => {
                s.ints += total;
                s.numbers += n;
            }
            Accumulator::Avg(s, m) => {
                s.ints += total;
                s.numbers += n;
                *m += n;
            }
            _ => return false,
        }
        true
    }

    /// Feeds one value (nulls are ignored).
    pub fn update(&mut self, v: &Value) -> Result<()> {
        if v.is_null() {
            return Ok(());
        }
        match self {
            Accumulator::Count(n) => *n += 1,
            Accumulator::Sum(s) => s.add(v, "sum")?,
            Accumulator::Avg(s, n) => {
                s.add(v, "avg")?;
                *n += 1;
            }
            Accumulator::Min(best) => {
                if best.as_ref().is_none_or(|b| order_cmp(v, b).is_lt()) {
                    *best = Some(v.clone());
                }
            }
            Accumulator::Max(best) => {
                if best.as_ref().is_none_or(|b| order_cmp(v, b).is_gt()) {
                    *best = Some(v.clone());
                }
            }
            Accumulator::Collect(items) => items.push(v.clone()),
            Accumulator::StDev(m, _) => m.add(number(v, "stDev")?),
            Accumulator::Percentile { values, .. } => {
                number(v, "percentile")?;
                values.push(v.clone());
            }
            Accumulator::Distinct { values, .. } => {
                values.insert(v);
            }
        }
        Ok(())
    }

    /// Absorbs the state of an accumulator of the same aggregate that saw
    /// a later partition of the input.
    pub fn merge(&mut self, other: Accumulator) -> Result<()> {
        match (self, other) {
            (Accumulator::Count(a), Accumulator::Count(b)) => *a += b,
            (Accumulator::Sum(a), Accumulator::Sum(b)) => a.merge(b)?,
            (Accumulator::Avg(a, n), Accumulator::Avg(b, m)) => {
                a.merge(b)?;
                *n += m;
            }
            (Accumulator::Min(a), Accumulator::Min(b)) => {
                if let Some(b) = b {
                    if a.as_ref().is_none_or(|x| order_cmp(&b, x).is_lt()) {
                        *a = Some(b);
                    }
                }
            }
            (Accumulator::Max(a), Accumulator::Max(b)) => {
                if let Some(b) = b {
                    if a.as_ref().is_none_or(|x| order_cmp(&b, x).is_gt()) {
                        *a = Some(b);
                    }
                }
            }
            (Accumulator::Collect(a), Accumulator::Collect(b)) => a.extend(b),
            (Accumulator::StDev(a, _), Accumulator::StDev(b, _)) => a.merge(b),
            (
                Accumulator::Percentile { values: a, .. },
                Accumulator::Percentile { values: b, .. },
            ) => a.extend(b),
            (
                Accumulator::Distinct { values, .. },
                Accumulator::Distinct { values: theirs, .. },
            ) => {
                for v in theirs {
                    values.insert_owned(v);
                }
            }
            (a, b) => {
                return Err(ErrorKind::Unsupported {
                    feature: format!(
                        "merging accumulators of different aggregates ({a:?} and {b:?})"
                    ),
                    span: None,
                }
                .into())
            }
        }
        Ok(())
    }

    /// [`Accumulator::finish`] into `out`: a count, and a sum of integers
    /// alone, are written there directly (a `Result<Value>` returned and
    /// copied into place was read back in pieces, and stalled, for every
    /// group: a fifth of the time cookbook cb09 spends on its 315,000
    /// groups at scale 450).
    #[inline]
    pub(crate) fn finish_into(self, out: &mut Value) -> Result<()> {
        match self {
            Accumulator::Count(n) => *out = Value::Int(n),
            Accumulator::Sum(SumState {
                ints, rest: None, ..
            }) if i64::try_from(ints).is_ok() => *out = Value::Int(ints as i64),
            other => *out = other.finish()?,
        }
        Ok(())
    }

    /// The aggregate's result: `count` of nothing is 0, `sum` of nothing
    /// 0, `collect` of nothing `[]`, everything else of nothing null.
    pub fn finish(self) -> Result<Value> {
        Ok(match self {
            Accumulator::Count(n) => Value::Int(n),
            Accumulator::Sum(s) => s.sum()?,
            Accumulator::Avg(s, n) => s.avg(n)?,
            Accumulator::Min(v) | Accumulator::Max(v) => v.unwrap_or(Value::Null),
            Accumulator::Collect(items) => Value::List(items),
            Accumulator::StDev(m, population) => {
                if m.n == 0 {
                    Value::Float(0.0)
                } else if population {
                    Value::Float((m.m2 / m.n as f64).max(0.0).sqrt())
                } else if m.n < 2 {
                    Value::Float(0.0)
                } else {
                    Value::Float((m.m2 / (m.n - 1) as f64).max(0.0).sqrt())
                }
            }
            Accumulator::Percentile {
                cont,
                p,
                mut values,
            } => {
                if values.is_empty() {
                    return Ok(Value::Null);
                }
                values.sort_by(order_cmp);
                let n = values.len();
                if cont {
                    let pos = p * (n - 1) as f64;
                    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
                    let a = number(&values[lo], "percentileCont")?;
                    let b = number(&values[hi.min(n - 1)], "percentileCont")?;
                    Value::Float(a + (b - a) * (pos - lo as f64))
                } else {
                    let idx = if p >= 1.0 {
                        n - 1
                    } else {
                        ((p * n as f64).ceil() as usize).saturating_sub(1)
                    };
                    values.swap_remove(idx.min(n - 1))
                }
            }
            // `count(DISTINCT x)`: the number of values kept (nulls are
            // never kept).
            Accumulator::Distinct {
                inner: Fresh::Count,
                values,
            } => Value::Int(values.len() as i64),
            Accumulator::Distinct { inner, values } => {
                let mut inner = inner.make();
                for v in values {
                    inner.update(&v)?;
                }
                inner.finish()?
            }
        })
    }
}

fn number(v: &Value, func: &str) -> Result<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(ExecError::type_error(
            "InvalidArgumentType",
            format!("{func}() expects numbers, got {}", other.type_name()),
        )),
    }
}

#[cfg(test)]
mod tests;
