//! Values both ways: Python objects as query parameters ([`Value`]), and
//! result values ([`ResultValue`]) as Python objects.
//!
//! | Cypher            | Python                                              |
//! |-------------------|-----------------------------------------------------|
//! | null, boolean     | `None`, `bool`                                      |
//! | integer, float    | `int` (64-bit), `float`                             |
//! | string            | `str`                                               |
//! | list, map         | `list` (a `tuple` as a parameter), `dict` (str keys)|
//! | date              | `datetime.date`                                     |
//! | local time, time  | `datetime.time`, naive or with a fixed-offset tzinfo|
//! | local date-time   | naive `datetime.datetime`                           |
//! | date-time         | aware `datetime.datetime` (a named zone as `zoneinfo.ZoneInfo` where Python knows it) |
//! | duration          | `datetime.timedelta` without months, else [`Duration`] |
//! | node, relationship, path | [`Node`], [`Relationship`], [`Path`]         |
//!
//! Python's date and time types count microseconds: the nanoseconds of a
//! result value are truncated to microseconds, and the years Python cannot
//! hold (before 1, after 9999) raise `ValueError`.

use std::collections::BTreeMap;
use std::sync::Arc;

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple, PyType};
use relgraph::temporal::{self, Date, DateTime, LocalDateTime, LocalTime, Time};
use relgraph::{NodeId, RelId, ResultValue, Value};

use crate::entity::{Node, Path, Relationship};

/// Most levels of lists and dicts inside one another a parameter may have
/// (the engine's own bound on nested values, `MAX_VALUE_DEPTH`): deeper,
/// or a list that contains itself, is a `ValueError`, not a stack overflow.
const MAX_PARAMETER_DEPTH: usize = 256;

/// `datetime.date(1970, 1, 1).toordinal()`: Python's ordinal of relgraph's day 0.
const EPOCH_ORDINAL: i64 = 719_163;
const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// A duration with months, which `datetime.timedelta` cannot hold (a month
/// is not a fixed number of days). Durations without months come back as
/// `datetime.timedelta`; both are accepted as parameters.
#[pyclass(module = "relgraph", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    /// Whole months.
    #[pyo3(get)]
    months: i64,
    /// Whole days.
    #[pyo3(get)]
    days: i64,
    /// Whole seconds.
    #[pyo3(get)]
    seconds: i64,
    /// Nanoseconds, `0 <= nanoseconds < 10**9`.
    #[pyo3(get)]
    nanoseconds: i64,
}

impl Duration {
    fn engine(&self) -> PyResult<temporal::Duration> {
        temporal::Duration::new(self.months, self.days, self.seconds, self.nanoseconds)
            .map_err(|e| PyOverflowError::new_err(e.to_string()))
    }
}

#[pymethods]
impl Duration {
    #[new]
    #[pyo3(signature = (months=0, days=0, seconds=0, nanoseconds=0))]
    fn new(months: i64, days: i64, seconds: i64, nanoseconds: i64) -> PyResult<Duration> {
        let d = temporal::Duration::new(months, days, seconds, nanoseconds)
            .map_err(|e| PyOverflowError::new_err(e.to_string()))?;
        Ok(Duration::from(d))
    }

    fn __repr__(&self) -> String {
        format!(
            "relgraph.Duration(months={}, days={}, seconds={}, nanoseconds={})",
            self.months, self.days, self.seconds, self.nanoseconds
        )
    }

    /// The ISO 8601 form Cypher prints, e.g. `P1M2DT3S`.
    fn __str__(&self) -> PyResult<String> {
        Ok(self.engine()?.to_string())
    }
}

impl From<temporal::Duration> for Duration {
    fn from(d: temporal::Duration) -> Duration {
        let d = d.normalized();
        Duration {
            months: d.months,
            days: d.days,
            seconds: d.seconds,
            nanoseconds: d.nanos,
        }
    }
}

/// A Python class imported on first use.
struct Class {
    cell: PyOnceLock<Py<PyType>>,
    module: &'static str,
    name: &'static str,
}

impl Class {
    const fn new(module: &'static str, name: &'static str) -> Class {
        Class {
            cell: PyOnceLock::new(),
            module,
            name,
        }
    }

    fn get<'py>(&'py self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyType>> {
        self.cell.import(py, self.module, self.name)
    }
}

static DATE: Class = Class::new("datetime", "date");
static TIME: Class = Class::new("datetime", "time");
static DATETIME: Class = Class::new("datetime", "datetime");
static TIMEDELTA: Class = Class::new("datetime", "timedelta");
static TIMEZONE: Class = Class::new("datetime", "timezone");
static ZONEINFO: Class = Class::new("zoneinfo", "ZoneInfo");

// ---------------------------------------------------------------------------
// Python -> Value (parameters)

/// Query parameters from a mapping of names to values (`None`: none).
pub fn parameters(
    parameters: Option<&Bound<'_, PyAny>>,
) -> PyResult<BTreeMap<String, relgraph::Value>> {
    let mut out = BTreeMap::new();
    let Some(parameters) = parameters else {
        return Ok(out);
    };
    let mapping = parameters.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "parameters must be a dict (a mapping) of names to values, not {}",
            type_name(parameters)
        ))
    })?;
    for item in mapping.items()?.iter() {
        let (key, value) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
        let name = key.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "parameter names must be str, not {}",
                type_name(&key)
            ))
        })?;
        let value = to_value(&value, 0).map_err(|e| in_parameter(value.py(), &name, e))?;
        out.insert(name, value);
    }
    Ok(out)
}

/// The same error with the parameter's name in front of its message.
fn in_parameter(py: Python<'_>, name: &str, e: PyErr) -> PyErr {
    let message = format!("parameter ${name}: {}", e.value(py));
    if e.is_instance_of::<PyOverflowError>(py) {
        PyOverflowError::new_err(message)
    } else if e.is_instance_of::<PyValueError>(py) {
        PyValueError::new_err(message)
    } else if e.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(message)
    } else {
        e
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// One Python value as an engine value.
pub fn to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_PARAMETER_DEPTH {
        return Err(PyValueError::new_err(format!(
            "nested more than {MAX_PARAMETER_DEPTH} levels deep (does a list contain itself?)"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(Value::Int).map_err(|_| {
            PyOverflowError::new_err(format!(
                "{obj} does not fit in a 64-bit integer, the largest Cypher integer"
            ))
        });
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Value::Float(f.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(Arc::from(s.to_cow()?.as_ref())));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(to_value(&item?, depth + 1)?);
        }
        return Ok(Value::List(items));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = BTreeMap::new();
        for (k, v) in dict.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("map keys must be str, not {}", type_name(&k)))
            })?;
            map.insert(Arc::from(key.to_cow()?.as_ref()), to_value(&v, depth + 1)?);
        }
        return Ok(Value::Map(map));
    }
    // `datetime` is a subclass of `date`: test it first.
    if obj.is_instance(DATETIME.get(py)?)? {
        return datetime_value(obj);
    }
    if obj.is_instance(DATE.get(py)?)? {
        let ordinal: i64 = obj.call_method0("toordinal")?.extract()?;
        return Ok(Value::Date(date_from_ordinal(ordinal)?));
    }
    if obj.is_instance(TIME.get(py)?)? {
        let local = local_time(obj)?;
        return Ok(match offset_seconds(obj)? {
            Some(offset_seconds) => Value::Time(Time {
                nanos: local.nanos,
                offset_seconds,
            }),
            None => Value::LocalTime(local),
        });
    }
    if obj.is_instance(TIMEDELTA.get(py)?)? {
        let days: i64 = obj.getattr("days")?.extract()?;
        let seconds: i64 = obj.getattr("seconds")?.extract()?;
        let micros: i64 = obj.getattr("microseconds")?.extract()?;
        let d = temporal::Duration::new(0, days, seconds, micros * 1000)
            .map_err(|e| PyOverflowError::new_err(e.to_string()))?;
        return Ok(Value::Duration(d));
    }
    if let Ok(d) = obj.cast::<Duration>() {
        return Ok(Value::Duration(d.get().engine()?));
    }
    if let Ok(n) = obj.cast::<Node>() {
        return Ok(Value::Node(NodeId(n.get().id())));
    }
    if let Ok(r) = obj.cast::<Relationship>() {
        return Ok(Value::Relationship(RelId(r.get().id())));
    }
    // Other integers (numpy's, for one) say so with `__index__`.
    if obj.hasattr("__index__")? {
        let i = obj.call_method0("__index__")?;
        return to_value(&i, depth + 1);
    }
    if obj.is_instance_of::<Path>() {
        return Err(PyTypeError::new_err(
            "a path cannot be a parameter; pass its nodes or relationships",
        ));
    }
    Err(PyTypeError::new_err(format!(
        "cannot pass a {} to Cypher (expected None, bool, int, float, str, list, tuple, \
         dict, datetime.date/time/datetime/timedelta, relgraph.Duration, Node or Relationship)",
        type_name(obj)
    )))
}

fn date_from_ordinal(ordinal: i64) -> PyResult<Date> {
    let days = i32::try_from(ordinal - EPOCH_ORDINAL)
        .map_err(|_| PyOverflowError::new_err("date out of range"))?;
    Ok(Date { days })
}

/// The time of day of a `datetime.time` or `datetime.datetime`.
fn local_time(obj: &Bound<'_, PyAny>) -> PyResult<LocalTime> {
    let hour: i64 = obj.getattr("hour")?.extract()?;
    let minute: i64 = obj.getattr("minute")?.extract()?;
    let second: i64 = obj.getattr("second")?.extract()?;
    let micro: i64 = obj.getattr("microsecond")?.extract()?;
    LocalTime::from_hms_nano(hour, minute, second, micro * 1000)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// `obj.utcoffset()` in whole seconds, or `None` for a naive value.
fn offset_seconds(obj: &Bound<'_, PyAny>) -> PyResult<Option<i32>> {
    let offset = obj.call_method0("utcoffset")?;
    if offset.is_none() {
        return Ok(None);
    }
    let days: i64 = offset.getattr("days")?.extract()?;
    let seconds: i64 = offset.getattr("seconds")?.extract()?;
    let micros: i64 = offset.getattr("microseconds")?.extract()?;
    if micros != 0 {
        return Err(PyValueError::new_err(
            "a UTC offset with microseconds has no Cypher equivalent",
        ));
    }
    // Python keeps |offset| < 24 h, so this fits.
    Ok(Some((days * SECONDS_PER_DAY + seconds) as i32))
}

fn datetime_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let date = date_from_ordinal(obj.call_method0("toordinal")?.extract()?)?;
    let local = LocalDateTime::new(date, local_time(obj)?);
    let Some(offset) = offset_seconds(obj)? else {
        return Ok(Value::LocalDateTime(local));
    };
    // A `zoneinfo.ZoneInfo` names its zone in `key`.
    let zone = obj
        .getattr("tzinfo")?
        .getattr("key")
        .ok()
        .and_then(|k| k.extract::<String>().ok());
    Ok(Value::DateTime(DateTime::from_local(local, offset, zone)))
}

// ---------------------------------------------------------------------------
// ResultValue -> Python

/// A result value as a Python object.
pub fn to_py<'py>(py: Python<'py>, v: &ResultValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        ResultValue::Null => py.None().into_bound(py),
        ResultValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        ResultValue::Int(i) => i.into_pyobject(py)?.into_any(),
        ResultValue::Float(f) => PyFloat::new(py, *f).into_any(),
        ResultValue::String(s) => PyString::new(py, s).into_any(),
        ResultValue::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        ResultValue::Map(map) => map_to_py(py, map)?.into_any(),
        ResultValue::Date(d) => date_to_py(py, *d)?,
        ResultValue::LocalTime(t) => time_to_py(py, *t, None)?,
        ResultValue::Time(t) => time_to_py(py, t.local(), Some(t.offset_seconds))?,
        ResultValue::LocalDateTime(t) => datetime_to_py(py, *t, None)?,
        ResultValue::DateTime(t) => {
            let fixed = datetime_to_py(py, t.local(), Some(t.offset_seconds))?;
            match &t.zone {
                Some(zone) => match ZONEINFO.get(py).and_then(|z| z.call1((zone,))) {
                    Ok(tz) => fixed.call_method1("astimezone", (tz,))?,
                    // No such zone in Python's database: the offset is exact.
                    Err(_) => fixed,
                },
                None => fixed,
            }
        }
        ResultValue::Duration(d) => {
            let d = d.normalized();
            if d.months == 0 {
                TIMEDELTA
                    .get(py)?
                    .call1((d.days, d.seconds, d.nanos / 1000))?
            } else {
                Bound::new(py, Duration::from(d))?.into_any()
            }
        }
        ResultValue::Node(n) => Bound::new(py, Node::from(n.clone()))?.into_any(),
        ResultValue::Relationship(r) => Bound::new(py, Relationship::from(r.clone()))?.into_any(),
        ResultValue::Path(p) => Bound::new(py, Path::from(p.clone()))?.into_any(),
    })
}

/// A map of result values as a `dict`.
pub fn map_to_py<'py>(
    py: Python<'py>,
    map: &BTreeMap<String, ResultValue>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, to_py(py, v)?)?;
    }
    Ok(dict)
}

/// `(year, month, day)` of `date` when Python's `datetime` can hold it.
fn python_ymd(date: Date) -> PyResult<(i64, u32, u32)> {
    let (y, m, d) = date.ymd();
    if !(1..=9999).contains(&y) {
        return Err(PyValueError::new_err(format!(
            "the date {date} is outside the years Python's datetime can hold (1 to 9999)"
        )));
    }
    Ok((y, m, d))
}

fn date_to_py(py: Python<'_>, date: Date) -> PyResult<Bound<'_, PyAny>> {
    let (y, m, d) = python_ymd(date)?;
    DATE.get(py)?.call1((y, m, d))
}

fn tzinfo(py: Python<'_>, offset_seconds: i32) -> PyResult<Bound<'_, PyAny>> {
    let delta = TIMEDELTA.get(py)?.call1((0, offset_seconds))?;
    TIMEZONE.get(py)?.call1((delta,))
}

/// Hour, minute, second and microsecond of a time of day.
fn hmsu(t: LocalTime) -> (i64, i64, i64, i64) {
    (t.hour(), t.minute(), t.second(), t.nanosecond() / 1000)
}

fn time_to_py(py: Python<'_>, t: LocalTime, offset: Option<i32>) -> PyResult<Bound<'_, PyAny>> {
    let (h, m, s, us) = hmsu(t);
    let tz = match offset {
        Some(o) => tzinfo(py, o)?,
        None => py.None().into_bound(py),
    };
    TIME.get(py)?.call1((h, m, s, us, tz))
}

fn datetime_to_py(
    py: Python<'_>,
    t: LocalDateTime,
    offset: Option<i32>,
) -> PyResult<Bound<'_, PyAny>> {
    let day = Date {
        days: i32::try_from(t.seconds.div_euclid(SECONDS_PER_DAY))
            .map_err(|_| PyValueError::new_err(format!("the date-time {t} is out of range")))?,
    };
    let (y, mo, d) = python_ymd(day)?;
    let (h, mi, s, us) = hmsu(LocalTime {
        nanos: t.seconds.rem_euclid(SECONDS_PER_DAY) * NANOS_PER_SECOND + i64::from(t.nanos),
    });
    let tz = match offset {
        Some(o) => tzinfo(py, o)?,
        None => py.None().into_bound(py),
    };
    DATETIME.get(py)?.call1((y, mo, d, h, mi, s, us, tz))
}
