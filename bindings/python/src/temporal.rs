//! Dates, times and durations both ways, through Python's `datetime`
//! module (the stable ABI has no datetime C API). Python counts
//! microseconds: a result's nanoseconds are truncated, and years Python
//! cannot hold (before 1, after 9999) raise `ValueError`.

use pyo3::exceptions::{PyOverflowError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use relgraph::temporal::{self, Date, DateTime, LocalDateTime, LocalTime, Time};
use relgraph::Value;

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

/// A Python date, time, datetime, timedelta or `relgraph.Duration` as a
/// value; `None` for anything else.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
    let py = obj.py();
    // `datetime` is a subclass of `date`: test it first.
    if obj.is_instance(DATETIME.get(py)?)? {
        return datetime_value(obj).map(Some);
    }
    if obj.is_instance(DATE.get(py)?)? {
        let ordinal: i64 = obj.call_method0("toordinal")?.extract()?;
        return Ok(Some(Value::Date(date_from_ordinal(ordinal)?)));
    }
    if obj.is_instance(TIME.get(py)?)? {
        let local = local_time(obj)?;
        return Ok(Some(match offset_seconds(obj)? {
            Some(offset_seconds) => Value::Time(Time {
                nanos: local.nanos,
                offset_seconds,
            }),
            None => Value::LocalTime(local),
        }));
    }
    if obj.is_instance(TIMEDELTA.get(py)?)? {
        let days: i64 = obj.getattr("days")?.extract()?;
        let seconds: i64 = obj.getattr("seconds")?.extract()?;
        let micros: i64 = obj.getattr("microseconds")?.extract()?;
        let d = temporal::Duration::new(0, days, seconds, micros * 1000)
            .map_err(|e| PyOverflowError::new_err(e.to_string()))?;
        return Ok(Some(Value::from(d)));
    }
    if let Ok(d) = obj.cast::<Duration>() {
        return Ok(Some(Value::from(d.get().engine()?)));
    }
    Ok(None)
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
        .and_then(|k| k.extract::<String>().ok())
        .map(std::sync::Arc::new);
    Ok(Value::DateTime(DateTime::from_local(local, offset, zone)))
}

/// A date-time as an aware `datetime.datetime`: in its
/// `zone` (a `zoneinfo.ZoneInfo`) when it is named and Python knows it,
/// else at the fixed offset.
pub fn zoned_datetime_to_py<'py>(py: Python<'py>, t: &DateTime) -> PyResult<Bound<'py, PyAny>> {
    let fixed = datetime_to_py(py, t.local(), Some(t.offset_seconds))?;
    let Some(zone) = &t.zone else {
        return Ok(fixed);
    };
    match ZONEINFO.get(py).and_then(|z| z.call1((zone.as_str(),))) {
        Ok(tz) => fixed.call_method1("astimezone", (tz,)),
        // No such zone in Python's database: the offset is exact.
        Err(_) => Ok(fixed),
    }
}

/// A duration as a `datetime.timedelta` when it has no months, else as a
/// `relgraph.Duration`.
pub fn duration_to_py(py: Python<'_>, d: temporal::Duration) -> PyResult<Bound<'_, PyAny>> {
    let d = d.normalized();
    if d.months == 0 {
        TIMEDELTA
            .get(py)?
            .call1((d.days, d.seconds, d.nanos / 1000))
    } else {
        Ok(Bound::new(py, Duration::from(d))?.into_any())
    }
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

/// A date as a `datetime.date`.
pub fn date_to_py(py: Python<'_>, date: Date) -> PyResult<Bound<'_, PyAny>> {
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

/// A time of day as a `datetime.time`, aware when it has an offset.
pub fn time_to_py(py: Python<'_>, t: LocalTime, offset: Option<i32>) -> PyResult<Bound<'_, PyAny>> {
    let (h, m, s, us) = hmsu(t);
    let tz = match offset {
        Some(o) => tzinfo(py, o)?,
        None => py.None().into_bound(py),
    };
    TIME.get(py)?.call1((h, m, s, us, tz))
}

/// A local date-time as a `datetime.datetime`, aware when it has an offset.
pub fn datetime_to_py(
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
