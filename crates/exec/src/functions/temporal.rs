//! Temporal functions: `date`, `localtime`, `time`, `localdatetime`,
//! `datetime` (now, from a string, from a map, from another temporal),
//! their `.truncate`, `.statement`/`.transaction`/`.realtime` forms,
//! `datetime.fromepoch[millis]`, `duration` and `duration.between` /
//! `inMonths` / `inDays` / `inSeconds`, `timestamp`, and the components
//! that `value.year` reads ([`component`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::temporal::arith::DurationBuilder;
use relgraph_graph::temporal::{
    duration_between, BetweenUnit, Date, DateTime, Duration, LocalDateTime, LocalTime,
    TemporalParts, Time, NANOS_PER_SECOND, SECONDS_PER_DAY,
};
use relgraph_graph::Value;

mod components;

pub use components::component;

use super::zones::Zone;
use super::{bad_arg, FnContext};
use crate::error::{ExecError, Result};
use crate::value_ops::temporal_err;

/// The five instant-like temporal types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            _ => return None,
        })
    }
    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }
    fn has_time(self) -> bool {
        !matches!(self, Kind::Date)
    }
    fn has_zone(self) -> bool {
        matches!(self, Kind::Time | Kind::DateTime)
    }
}

fn invalid(msg: impl Into<String>) -> ExecError {
    ExecError::argument("InvalidArgumentValue", msg)
}

pub(super) fn call(name: &str, args: &[Value], ctx: &dyn FnContext) -> Result<Option<Value>> {
    if name == "timestamp" {
        let t = ctx.statement_time();
        return Ok(Some(Value::Int(
            t.seconds * 1000 + i64::from(t.nanos / 1_000_000),
        )));
    }
    if name == "duration" {
        return duration(&args[0]).map(Some);
    }
    if let Some(unit) = name.strip_prefix("duration.") {
        let unit = match unit {
            "between" => BetweenUnit::All,
            "inmonths" => BetweenUnit::Months,
            "indays" => BetweenUnit::Days,
            "inseconds" => BetweenUnit::Seconds,
            _ => return Ok(None),
        };
        let (a, b) = (&args[0], &args[1]);
        if a.is_null() || b.is_null() {
            return Ok(Some(Value::Null));
        }
        let mut pa = parts(a).ok_or_else(|| bad_arg(name, "a temporal value", a))?;
        let mut pb = parts(b).ok_or_else(|| bad_arg(name, "a temporal value", b))?;
        // A value without an offset is read in the other value's zone; a
        // named zone's offset depends on that value's own wall-clock time.
        if let (Value::DateTime(dt), None) = (a, pb.offset) {
            pb.offset = Some(local_offset_in(dt, &pb)?);
        }
        if let (None, Value::DateTime(dt)) = (pa.offset, b) {
            pa.offset = Some(local_offset_in(dt, &pa)?);
        }
        return Ok(Some(Value::from(
            duration_between(&pa, &pb, unit).map_err(temporal_err)?,
        )));
    }
    if name == "datetime.fromepoch" {
        if args.iter().any(Value::is_null) {
            return Ok(Some(Value::Null));
        }
        let s = super::int_arg(name, &args[0])?;
        let n = super::int_arg(name, &args[1])?;
        let total = i128::from(s) * i128::from(NANOS_PER_SECOND) + i128::from(n);
        let ldt = LocalDateTime::from_total_nanos(total).map_err(temporal_err)?;
        return Ok(Some(Value::DateTime(DateTime::from_local(ldt, 0, None))));
    }
    if name == "datetime.fromepochmillis" {
        if args[0].is_null() {
            return Ok(Some(Value::Null));
        }
        let ms = super::int_arg(name, &args[0])?;
        let ldt =
            LocalDateTime::from_total_nanos(i128::from(ms) * 1_000_000).map_err(temporal_err)?;
        return Ok(Some(Value::DateTime(DateTime::from_local(ldt, 0, None))));
    }
    let (base, suffix) = match name.split_once('.') {
        Some((b, s)) => (b, Some(s)),
        None => (name, None),
    };
    let Some(kind) = Kind::from_name(base) else {
        return Ok(None);
    };
    match suffix {
        None | Some("transaction" | "statement" | "realtime") => {
            let now = if suffix == Some("realtime") {
                realtime_now()
            } else {
                ctx.statement_time()
            };
            construct(kind, args.first(), &now).map(Some)
        }
        Some("truncate") => truncate(kind, args, ctx.statement_time().seconds).map(Some),
        Some(_) => Ok(None),
    }
}

fn realtime_now() -> DateTime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    DateTime {
        seconds: d.as_secs() as i64,
        nanos: d.subsec_nanos(),
        offset_seconds: 0,
        zone: None,
    }
}

/// The offset `dt`'s zone has at the wall-clock time of `local` (a time
/// without a date is taken on `dt`'s date).
fn local_offset_in(dt: &DateTime, local: &TemporalParts) -> Result<i32> {
    let date = local.date.unwrap_or_else(|| dt.local().date());
    let wall = LocalDateTime::new(
        date,
        LocalTime {
            nanos: local.time.unwrap_or(0),
        },
    );
    Ok(Zone::of(dt)
        .at_local(wall, Some(dt.offset_seconds))?
        .offset_seconds)
}

/// The parts `duration.between` looks at.
fn parts(v: &Value) -> Option<TemporalParts> {
    Some(match v {
        Value::Date(d) => TemporalParts::from_date(*d),
        Value::LocalTime(t) => TemporalParts::from_local_time(*t),
        Value::Time(t) => TemporalParts::from_time(*t),
        Value::LocalDateTime(t) => TemporalParts::from_local_datetime(*t),
        Value::DateTime(t) => TemporalParts::from_datetime(t),
        _ => return None,
    })
}

/// `duration(x)`: from an ISO string, a map of components, or a duration.
fn duration(v: &Value) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::from(Duration::parse(s).map_err(temporal_err)?),
        Value::Duration(d) => Value::Duration(d.clone()),
        Value::Map(m) => Value::from(duration_from_map(m)?),
        other => return Err(bad_arg("duration", "a STRING or MAP", other)),
    })
}

fn duration_from_map(m: &BTreeMap<Arc<str>, Value>) -> Result<Duration> {
    let mut b = DurationBuilder::default();
    let mut any = false;
    for (k, v) in m {
        let (months, days, nanos) = match k.to_ascii_lowercase().as_str() {
            "years" => (12, 0, 0),
            "quarters" => (3, 0, 0),
            "months" => (1, 0, 0),
            "weeks" => (0, 7, 0),
            "days" => (0, 1, 0),
            "hours" => (0, 0, 3600 * NANOS_PER_SECOND),
            "minutes" => (0, 0, 60 * NANOS_PER_SECOND),
            "seconds" => (0, 0, NANOS_PER_SECOND),
            "milliseconds" => (0, 0, 1_000_000),
            "microseconds" => (0, 0, 1000),
            "nanoseconds" => (0, 0, 1),
            other => return Err(invalid(format!("duration(): unknown component '{other}'"))),
        };
        any = true;
        match v {
            Value::Null => {}
            Value::Int(i) => {
                let r = if months != 0 {
                    i.checked_mul(months).map(|x| b.add_int(x, 0, 0, 0))
                } else if days != 0 {
                    i.checked_mul(days).map(|x| b.add_int(0, x, 0, 0))
                } else {
                    let total = i128::from(*i) * i128::from(nanos);
                    let secs = i64::try_from(total / i128::from(NANOS_PER_SECOND)).ok();
                    secs.map(|s| b.add_int(0, 0, s, (total % i128::from(NANOS_PER_SECOND)) as i64))
                };
                r.ok_or_else(|| ExecError::argument("NumberOutOfRange", "duration overflow"))?
                    .map_err(temporal_err)?;
            }
            Value::Float(f) => b.add_float(*f, months, days, nanos).map_err(temporal_err)?,
            other => return Err(bad_arg("duration", "numeric components", other)),
        }
    }
    if !any {
        return Err(invalid("duration(): the map names no component"));
    }
    b.build().map_err(temporal_err)
}

/// What a construction starts from: parts taken from other temporals.
#[derive(Clone, Debug, Default)]
struct Base {
    date: Option<Date>,
    time: Option<i64>,
    zone: Option<(i32, Option<relgraph_graph::temporal::ZoneName>)>,
}

fn statement_base(kind: Kind, now: &DateTime) -> Base {
    let local = now.local();
    Base {
        date: kind.has_date().then(|| local.date()),
        time: kind.has_time().then(|| local.time().nanos),
        zone: Some((now.offset_seconds, now.zone.clone())),
    }
}

/// `kind(arg)` for a missing, null, string, map or temporal argument.
fn construct(kind: Kind, arg: Option<&Value>, now: &DateTime) -> Result<Value> {
    let Some(arg) = arg else {
        return finish(
            kind,
            &statement_base(kind, now),
            &BTreeMap::new(),
            now.seconds,
        );
    };
    match arg {
        Value::Null => Ok(Value::Null),
        Value::String(s) => parse(kind, s),
        Value::Map(m) => {
            // A map with only a time zone means "now, in that zone".
            if m.len() == 1 && m.keys().any(|k| &**k == "timezone") {
                let there = zone_of(&m["timezone"])?.at_instant(now)?;
                return finish(
                    kind,
                    &statement_base(kind, &there),
                    &BTreeMap::new(),
                    now.seconds,
                );
            }
            finish(kind, &Base::default(), m, now.seconds)
        }
        other => {
            let key = match (kind, other) {
                (Kind::Date, _) => "date",
                (Kind::LocalTime | Kind::Time, _) => "time",
                (_, Value::Date(_)) => "date",
                (_, Value::LocalTime(_) | Value::Time(_)) => "time",
                _ => "datetime",
            };
            let mut m = BTreeMap::new();
            m.insert(Arc::from(key), other.clone());
            finish(kind, &Base::default(), &m, now.seconds)
        }
    }
}

fn parse(kind: Kind, s: &str) -> Result<Value> {
    Ok(match kind {
        Kind::Date => Value::Date(Date::parse(s).map_err(temporal_err)?),
        Kind::LocalTime => Value::LocalTime(LocalTime::parse(s).map_err(temporal_err)?),
        Kind::Time => Value::Time(Time::parse(s).map_err(temporal_err)?),
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime::parse(s).map_err(temporal_err)?),
        Kind::DateTime => Value::DateTime(match super::zones::parse_named(s) {
            Some(r) => r?,
            None => DateTime::parse(s).map_err(temporal_err)?,
        }),
    })
}

fn zone_of(v: &Value) -> Result<Zone> {
    match v {
        Value::String(s) => Zone::parse(s),
        other => Err(bad_arg("timezone", "a STRING", other)),
    }
}

fn field(m: &BTreeMap<Arc<str>, Value>, key: &str) -> Result<Option<i64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(Value::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(*f as i64)),
        Some(other) => Err(bad_arg(key, "an INTEGER", other)),
    }
}

const KNOWN_KEYS: &[&str] = &[
    "date",
    "time",
    "datetime",
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "ordinalDay",
    "quarter",
    "dayOfQuarter",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
    "timezone",
    "weekYear",
    "epochSeconds",
    "epochMillis",
];

/// Builds a `kind` value from a base and a map of fields that override it.
fn finish(
    kind: Kind,
    base0: &Base,
    m: &BTreeMap<Arc<str>, Value>,
    now_seconds: i64,
) -> Result<Value> {
    finish_with(kind, base0, m, true, now_seconds)
}

/// [`finish`]; `convert_zone` says whether a `timezone` field moves the
/// base's instant to that zone (selection) or just replaces the zone
/// (truncation).
fn finish_with(
    kind: Kind,
    base0: &Base,
    m: &BTreeMap<Arc<str>, Value>,
    convert_zone: bool,
    now_seconds: i64,
) -> Result<Value> {
    if let Some(k) = m.keys().find(|k| !KNOWN_KEYS.contains(&&***k)) {
        return Err(invalid(format!("unknown temporal component '{k}'")));
    }
    if m.contains_key("epochSeconds") || m.contains_key("epochMillis") {
        return from_epoch(kind, m);
    }
    let mut base = base0.clone();
    // Parts selected from other temporal values.
    for key in ["datetime", "date", "time"] {
        let Some(v) = m.get(key) else { continue };
        let (date, time, zone) = match v {
            Value::Null => return Ok(Value::Null),
            Value::Date(d) => (Some(*d), None, None),
            Value::LocalTime(t) => (None, Some(t.nanos), None),
            Value::Time(t) => (None, Some(t.nanos), Some((t.offset_seconds, None))),
            Value::LocalDateTime(t) => (Some(t.date()), Some(t.time().nanos), None),
            Value::DateTime(t) => {
                let l = t.local();
                (
                    Some(l.date()),
                    Some(l.time().nanos),
                    Some((t.offset_seconds, t.zone.clone())),
                )
            }
            other => return Err(bad_arg(key, "a temporal value", other)),
        };
        if key != "time" {
            if date.is_none() {
                return Err(invalid(format!("'{key}' must hold a value with a date")));
            }
            base.date = date;
        }
        if key != "date" {
            if time.is_some() {
                base.time = time;
            } else if key == "time" {
                return Err(invalid("'time' must hold a value with a time"));
            }
            if zone.is_some() {
                base.zone = zone;
            }
        }
    }
    let date = if kind.has_date() {
        Some(resolve_date(&base, m)?)
    } else {
        None
    };
    let time = if kind.has_time() {
        resolve_time(&base, m)?
    } else {
        0
    };
    if !kind.has_date()
        && ["year", "month", "day", "week", "ordinalDay", "quarter"]
            .iter()
            .any(|k| m.contains_key(*k))
    {
        return Err(invalid("a time has no date components"));
    }
    let tz = match m.get("timezone") {
        None | Some(Value::Null) => None,
        Some(v) => Some(zone_of(v)?),
    };
    if tz.is_some() && !convert_zone {
        base.zone = None;
    }
    Ok(match kind {
        Kind::Date => Value::Date(date.expect("kind has a date")),
        Kind::LocalTime => Value::LocalTime(LocalTime { nanos: time }),
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime::new(
            date.expect("kind has a date"),
            LocalTime { nanos: time },
        )),
        Kind::Time => {
            // A named zone has no single offset for a bare time: use the
            // one it has at the statement's instant.
            let tz_off = match &tz {
                Some(z) => Some(z.offset_at(now_seconds)?),
                None => None,
            };
            let t = match (&base.zone, tz_off) {
                (Some((boff, _)), Some(off)) => Time {
                    nanos: time,
                    offset_seconds: *boff,
                }
                .with_offset(off),
                (_, Some(off)) => Time {
                    nanos: time,
                    offset_seconds: off,
                },
                (Some((boff, _)), None) => Time {
                    nanos: time,
                    offset_seconds: *boff,
                },
                (None, None) => Time {
                    nanos: time,
                    offset_seconds: 0,
                },
            };
            Value::Time(t)
        }
        Kind::DateTime => {
            let local =
                LocalDateTime::new(date.expect("kind has a date"), LocalTime { nanos: time });
            let base_zone = base.zone.as_ref().map(|(off, name)| {
                let probe = DateTime {
                    seconds: 0,
                    nanos: 0,
                    offset_seconds: *off,
                    zone: name.clone(),
                };
                (*off, Zone::of(&probe))
            });
            let t = match (base_zone, tz) {
                (Some((boff, bz)), Some(z)) => z.at_instant(&bz.at_local(local, Some(boff))?)?,
                (_, Some(z)) => z.at_local(local, None)?,
                (Some((boff, bz)), None) => bz.at_local(local, Some(boff))?,
                (None, None) => DateTime::from_local(local, 0, None),
            };
            Value::DateTime(t)
        }
    })
}

/// `datetime({epochSeconds: s [, nanosecond: n] [, timezone: z]})` and
/// `datetime({epochMillis: ms, ...})`.
fn from_epoch(kind: Kind, m: &BTreeMap<Arc<str>, Value>) -> Result<Value> {
    if kind != Kind::DateTime {
        return Err(invalid("epochSeconds / epochMillis only build a datetime"));
    }
    let allowed = [
        "epochSeconds",
        "epochMillis",
        "nanosecond",
        "millisecond",
        "microsecond",
        "timezone",
    ];
    if let Some(k) = m.keys().find(|k| !allowed.contains(&&***k)) {
        return Err(invalid(format!("'{k}' cannot be combined with an epoch")));
    }
    let ns = i128::from(NANOS_PER_SECOND);
    let mut total = match (field(m, "epochSeconds")?, field(m, "epochMillis")?) {
        (Some(s), None) => i128::from(s) * ns,
        (None, Some(ms)) => i128::from(ms) * 1_000_000,
        _ => return Err(invalid("give exactly one of epochSeconds and epochMillis")),
    };
    total += i128::from(field(m, "millisecond")?.unwrap_or(0)) * 1_000_000
        + i128::from(field(m, "microsecond")?.unwrap_or(0)) * 1000
        + i128::from(field(m, "nanosecond")?.unwrap_or(0));
    let ldt = LocalDateTime::from_total_nanos(total).map_err(temporal_err)?;
    let utc = DateTime::from_local(ldt, 0, None);
    Ok(Value::DateTime(match m.get("timezone") {
        None | Some(Value::Null) => utc,
        Some(z) => zone_of(z)?.at_instant(&utc)?,
    }))
}

fn resolve_date(base: &Base, m: &BTreeMap<Arc<str>, Value>) -> Result<Date> {
    let year = field(m, "year")?;
    let (month, day) = (field(m, "month")?, field(m, "day")?);
    let (week, dow) = (field(m, "week")?, field(m, "dayOfWeek")?);
    let ordinal = field(m, "ordinalDay")?;
    let (quarter, doq) = (field(m, "quarter")?, field(m, "dayOfQuarter")?);
    let b = base.date;
    let need_year = |y: Option<i64>| -> Result<i64> {
        y.ok_or_else(|| invalid("a date needs a 'year' (or a 'date' to start from)"))
    };
    let r = if week.is_some()
        || (dow.is_some()
            && month.is_none()
            && day.is_none()
            && ordinal.is_none()
            && quarter.is_none())
    {
        let wy = need_year(year.or_else(|| b.map(|d| d.iso_week().0)))?;
        let w = week.or_else(|| b.map(|d| d.iso_week().1)).unwrap_or(1);
        let dw = dow.or_else(|| b.map(Date::day_of_week)).unwrap_or(1);
        Date::from_week(wy, w, dw)
    } else if let Some(od) = ordinal {
        Date::from_ordinal(need_year(year.or_else(|| b.map(Date::year)))?, od)
    } else if quarter.is_some() || doq.is_some() {
        let y = need_year(year.or_else(|| b.map(Date::year)))?;
        let q = quarter.or_else(|| b.map(Date::quarter)).unwrap_or(1);
        let dq = doq.or_else(|| b.map(Date::day_of_quarter)).unwrap_or(1);
        Date::from_quarter(y, q, dq)
    } else {
        let y = need_year(year.or_else(|| b.map(Date::year)))?;
        if day.is_some() && month.is_none() && b.is_none() {
            return Err(invalid("a 'day' needs a 'month'"));
        }
        let mo = month.or_else(|| b.map(Date::month)).unwrap_or(1);
        let d = day.or_else(|| b.map(Date::day)).unwrap_or(1);
        Date::from_ymd(y, mo, d)
    };
    r.map_err(temporal_err)
}

fn resolve_time(base: &Base, m: &BTreeMap<Arc<str>, Value>) -> Result<i64> {
    let bt = base.time.map(|n| LocalTime { nanos: n });
    let hour = field(m, "hour")?;
    let minute = field(m, "minute")?;
    let second = field(m, "second")?;
    let (ms, us, ns) = (
        field(m, "millisecond")?,
        field(m, "microsecond")?,
        field(m, "nanosecond")?,
    );
    if bt.is_none() {
        // Smaller units need the bigger ones (no "minute" without "hour").
        if (minute.is_some() && hour.is_none())
            || (second.is_some() && minute.is_none())
            || ((ms.is_some() || us.is_some() || ns.is_some()) && second.is_none())
        {
            return Err(invalid(
                "a time component was given without the larger ones",
            ));
        }
    }
    let h = hour.or_else(|| bt.map(LocalTime::hour)).unwrap_or(0);
    let mi = minute.or_else(|| bt.map(LocalTime::minute)).unwrap_or(0);
    let s = second.or_else(|| bt.map(LocalTime::second)).unwrap_or(0);
    // Sub-second fields replace their own part of the base's fraction
    // (millisecond, microsecond-of-millisecond, nanosecond-of-microsecond);
    // a value too large for its part stands for the whole fraction below it.
    let base_sub = bt.map(LocalTime::nanosecond).unwrap_or(0);
    let sub = if ms.is_some() || us.is_some() || ns.is_some() {
        let (bms, bus, bns) = (
            base_sub / 1_000_000,
            base_sub / 1000 % 1000,
            base_sub % 1000,
        );
        let wide_us = us.is_some_and(|u| !(0..1000).contains(&u));
        let wide_ns = ns.is_some_and(|n| !(0..1000).contains(&n));
        let ms_v = ms.unwrap_or(if wide_us || wide_ns { 0 } else { bms });
        let us_v = us.unwrap_or(if wide_ns { 0 } else { bus });
        let ns_v = ns.unwrap_or(bns);
        let limits_ok = (0..1000).contains(&ms_v)
            && (0..1_000_000).contains(&us_v)
            && (0..NANOS_PER_SECOND).contains(&ns_v)
            && (!wide_us || ms.is_none())
            && (!wide_ns || (ms.is_none() && us.is_none()));
        if !limits_ok {
            return Err(invalid("invalid sub-second components"));
        }
        ms_v * 1_000_000 + us_v * 1000 + ns_v
    } else {
        base_sub
    };
    LocalTime::from_hms_nano(h, mi, s, sub)
        .map(|t| t.nanos)
        .map_err(temporal_err)
}

/// `kind.truncate(unit, value [, map])`.
fn truncate(kind: Kind, args: &[Value], now_seconds: i64) -> Result<Value> {
    let (unit, value) = (&args[0], &args[1]);
    if value.is_null() || unit.is_null() {
        return Ok(Value::Null);
    }
    let Value::String(unit) = unit else {
        return Err(bad_arg("truncate", "a STRING unit", unit));
    };
    let empty = BTreeMap::new();
    let overrides = match args.get(2) {
        None | Some(Value::Null) => &empty,
        Some(Value::Map(m)) => m,
        Some(other) => return Err(bad_arg("truncate", "a MAP of components", other)),
    };
    let (date, time, zone) = match value {
        Value::Date(d) => (Some(*d), None, None),
        Value::LocalTime(t) => (None, Some(t.nanos), None),
        Value::Time(t) => (None, Some(t.nanos), Some((t.offset_seconds, None))),
        Value::LocalDateTime(t) => (Some(t.date()), Some(t.time().nanos), None),
        Value::DateTime(t) => {
            let l = t.local();
            (
                Some(l.date()),
                Some(l.time().nanos),
                Some((t.offset_seconds, t.zone.clone())),
            )
        }
        other => return Err(bad_arg("truncate", "a temporal value", other)),
    };
    let date_unit = |d: Date| -> Result<Option<Date>> {
        let y = d.year();
        let r = match unit.as_ref() {
            "millennium" => Date::from_ymd(y.div_euclid(1000) * 1000, 1, 1),
            "century" => Date::from_ymd(y.div_euclid(100) * 100, 1, 1),
            "decade" => Date::from_ymd(y.div_euclid(10) * 10, 1, 1),
            "year" => Date::from_ymd(y, 1, 1),
            "weekYear" => Date::from_week(d.iso_week().0, 1, 1),
            "quarter" => Date::from_quarter(y, d.quarter(), 1),
            "month" => Date::from_ymd(y, d.month(), 1),
            "week" => Date::from_week(d.iso_week().0, d.iso_week().1, 1),
            "day" => Ok(d),
            _ => return Ok(None),
        };
        r.map(Some).map_err(temporal_err)
    };
    let time_unit = |n: i64| -> Option<i64> {
        let q = match unit.as_ref() {
            "hour" => 3600 * NANOS_PER_SECOND,
            "minute" => 60 * NANOS_PER_SECOND,
            "second" => NANOS_PER_SECOND,
            "millisecond" => 1_000_000,
            "microsecond" => 1000,
            "nanosecond" => 1,
            "day" => SECONDS_PER_DAY * NANOS_PER_SECOND,
            _ => return None,
        };
        Some(n - n.rem_euclid(q))
    };
    let (tdate, ttime) = match (date, date_unit(date.unwrap_or(Date { days: 0 }))?) {
        (Some(_), Some(d)) => (Some(d), Some(0)),
        _ => match time_unit(time.unwrap_or(0)) {
            Some(t) if kind != Kind::Date && (unit.as_ref() != "day" || date.is_some()) => {
                (date, Some(t))
            }
            _ => {
                return Err(invalid(format!(
                    "cannot truncate a {} to unit '{unit}'",
                    value.type_name()
                )))
            }
        },
    };
    if kind.has_date() && tdate.is_none() {
        return Err(invalid(format!(
            "cannot truncate a {} to a {kind:?}",
            value.type_name()
        )));
    }
    let base = Base {
        date: tdate,
        time: ttime.or(Some(0)),
        zone: if kind.has_zone() { zone } else { None },
    };
    finish_with(kind, &base, overrides, false, now_seconds)
}

/// The statement clock: now, in UTC.
pub(crate) fn statement_now() -> DateTime {
    let t = chrono::Utc::now();
    DateTime {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos(),
        offset_seconds: 0,
        zone: None,
    }
}
