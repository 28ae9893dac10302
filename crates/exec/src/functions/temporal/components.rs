//! Components of temporal values, as `value.component` reads them
//! (`d.year`, `t.offsetSeconds`, `dur.monthsOfYear`).

use relgraph_graph::temporal::{format_offset, Date, Duration, LocalTime};
use relgraph_graph::Value;

fn int(v: i64) -> Option<Value> {
    Some(Value::Int(v))
}

fn date_component(d: Date, key: &str) -> Option<Value> {
    match key {
        "year" => int(d.year()),
        "quarter" => int(d.quarter()),
        "month" => int(d.month()),
        "week" => int(d.iso_week().1),
        "weekYear" => int(d.iso_week().0),
        "day" => int(d.day()),
        "ordinalDay" => int(d.ordinal_day()),
        "weekDay" | "dayOfWeek" => int(d.day_of_week()),
        "dayOfQuarter" => int(d.day_of_quarter()),
        _ => None,
    }
}

fn time_component(t: LocalTime, key: &str) -> Option<Value> {
    match key {
        "hour" => int(t.hour()),
        "minute" => int(t.minute()),
        "second" => int(t.second()),
        "millisecond" => int(t.nanosecond() / 1_000_000),
        "microsecond" => int(t.nanosecond() / 1000),
        "nanosecond" => int(t.nanosecond()),
        _ => None,
    }
}

fn zone_component(offset: i32, zone: Option<&str>, key: &str) -> Option<Value> {
    let text = |o: i32| {
        if o == 0 {
            "+00:00".to_string()
        } else {
            format_offset(o)
        }
    };
    match key {
        "timezone" => Some(Value::from(
            zone.map_or_else(|| text(offset), str::to_string),
        )),
        "offset" => Some(Value::from(text(offset))),
        "offsetMinutes" => int(i64::from(offset) / 60),
        "offsetSeconds" => int(i64::from(offset)),
        _ => None,
    }
}

fn duration_component(d: &Duration, key: &str) -> Option<Value> {
    let d = d.normalized();
    let (m, days, s, n) = (d.months, d.days, d.seconds, d.nanos);
    let total = d.total_nanos();
    let clamp = |x: i128| i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX });
    match key {
        "years" => int(m / 12),
        "quarters" => int(m / 3),
        "months" => int(m),
        "weeks" => int(days / 7),
        "days" => int(days),
        "hours" => int(s / 3600),
        "minutes" => int(s / 60),
        "seconds" => int(s),
        "milliseconds" => int(clamp(total.div_euclid(1_000_000))),
        "microseconds" => int(clamp(total.div_euclid(1000))),
        "nanoseconds" => int(clamp(total)),
        "quartersOfYear" => int(m / 3 % 4),
        "monthsOfQuarter" => int(m % 3),
        "monthsOfYear" => int(m % 12),
        "daysOfWeek" => int(days % 7),
        "minutesOfHour" => int(s / 60 % 60),
        "secondsOfMinute" => int(s % 60),
        "millisecondsOfSecond" => int(n / 1_000_000),
        "microsecondsOfSecond" => int(n / 1000),
        "nanosecondsOfSecond" => int(n),
        _ => None,
    }
}

/// A component of a temporal value (`d.year`, `t.offsetSeconds`,
/// `dur.monthsOfYear`); `None` if the value has no such component.
///
/// ```
/// use relgraph_exec::functions::temporal::component;
/// use relgraph_graph::{temporal::Duration, Value};
/// let d = Value::from(Duration::parse("P1Y4M10DT1H1M1.111111111S").unwrap());
/// assert_eq!(component(&d, "monthsOfYear"), Some(Value::Int(4)));
/// assert_eq!(component(&d, "minutes"), Some(Value::Int(61)));
/// assert_eq!(component(&d, "year"), None);
/// ```
pub fn component(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Date(d) => date_component(*d, key),
        Value::LocalTime(t) => time_component(*t, key),
        Value::Time(t) => {
            time_component(t.local(), key).or_else(|| zone_component(t.offset_seconds, None, key))
        }
        Value::LocalDateTime(t) => {
            date_component(t.date(), key).or_else(|| time_component(t.time(), key))
        }
        Value::DateTime(t) => {
            let l = t.local();
            match key {
                "epochSeconds" => int(t.seconds),
                "epochMillis" => int(t
                    .seconds
                    .saturating_mul(1000)
                    .saturating_add(i64::from(t.nanos / 1_000_000))),
                _ => date_component(l.date(), key)
                    .or_else(|| time_component(l.time(), key))
                    .or_else(|| {
                        zone_component(t.offset_seconds, t.zone.as_deref().map(String::as_str), key)
                    }),
            }
        }
        Value::Duration(d) => duration_component(d, key),
        _ => None,
    }
}
