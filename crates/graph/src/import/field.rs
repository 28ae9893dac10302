//! Parsing one CSV field into a [`Value`] of the column's declared type.
//!
//! Temporal fields use ISO 8601 text: `2024-03-01`, `12:30:00`,
//! `12:30:00+01:00`, `2024-03-01T12:30:00.5Z`, `2024-03-01T12:30:00`,
//! `P1Y2M3DT4H5M6.5S`.

use std::sync::Arc;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::header::{FieldType, ScalarType};
use crate::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use crate::value::Value;

/// Parses a non-empty field. The error is the reason, without position.
pub(crate) fn parse_field(
    bytes: &[u8],
    ty: FieldType,
    array_delimiter: u8,
) -> Result<Value, String> {
    if !ty.array {
        return parse_scalar(bytes, ty.scalar);
    }
    let items = bytes
        .split(|b| *b == array_delimiter)
        .map(|item| {
            if item.is_empty() && ty.scalar != ScalarType::String {
                Ok(Value::Null)
            } else {
                parse_scalar(item, ty.scalar)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::List(items))
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("invalid UTF-8: {e}"))
}

fn parse_scalar(bytes: &[u8], ty: ScalarType) -> Result<Value, String> {
    let s = text(bytes)?;
    match ty {
        ScalarType::Int(bits) => {
            let v: i64 = s
                .trim()
                .parse()
                .map_err(|_| format!("'{s}' is not an integer"))?;
            let (min, max) = match bits {
                8 => (i8::MIN as i64, i8::MAX as i64),
                16 => (i16::MIN as i64, i16::MAX as i64),
                32 => (i32::MIN as i64, i32::MAX as i64),
                _ => (i64::MIN, i64::MAX),
            };
            if v < min || v > max {
                return Err(format!("{v} does not fit in a {bits}-bit integer"));
            }
            Ok(Value::Int(v))
        }
        ScalarType::Float => s
            .trim()
            .parse::<f64>()
            .map(Value::Float)
            .map_err(|_| format!("'{s}' is not a number")),
        ScalarType::Bool => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if t.eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else {
                Err(format!("'{s}' is not a boolean (true or false)"))
            }
        }
        ScalarType::String => Ok(Value::String(Arc::from(s))),
        ScalarType::Date => parse_date(s.trim())
            .map(|d| {
                Value::Date(Date {
                    days: days_since_epoch(d),
                })
            })
            .ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)")),
        ScalarType::LocalTime => parse_time(s.trim())
            .map(|t| {
                Value::LocalTime(LocalTime {
                    nanos: nanos_of_day(t),
                })
            })
            .ok_or_else(|| format!("'{s}' is not a local time (HH:MM:SS)")),
        ScalarType::Time => {
            let (t, off) = split_offset(s.trim())
                .and_then(|(t, off)| Some((parse_time(t)?, off)))
                .ok_or_else(|| format!("'{s}' is not a time (HH:MM:SS+HH:MM)"))?;
            Ok(Value::Time(Time {
                nanos: nanos_of_day(t),
                offset_seconds: off.local_minus_utc(),
            }))
        }
        ScalarType::LocalDateTime => parse_local_datetime(s.trim())
            .map(|dt| {
                let utc = dt.and_utc();
                Value::LocalDateTime(LocalDateTime {
                    seconds: utc.timestamp(),
                    nanos: utc.timestamp_subsec_nanos(),
                })
            })
            .ok_or_else(|| format!("'{s}' is not a local datetime (YYYY-MM-DDTHH:MM:SS)")),
        ScalarType::DateTime => {
            let (local, off) = split_offset(s.trim())
                .and_then(|(l, off)| Some((parse_local_datetime(l)?, off)))
                .ok_or_else(|| format!("'{s}' is not a datetime (YYYY-MM-DDTHH:MM:SS+HH:MM)"))?;
            let utc = local.and_utc() - chrono::Duration::seconds(off.local_minus_utc() as i64);
            Ok(Value::DateTime(DateTime {
                seconds: utc.timestamp(),
                nanos: utc.timestamp_subsec_nanos(),
                offset_seconds: off.local_minus_utc(),
                zone: None,
            }))
        }
        ScalarType::Duration => parse_duration(s.trim())
            .map(Value::from)
            .ok_or_else(|| format!("'{s}' is not a duration (P1Y2M3DT4H5M6S)")),
    }
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    // 719_163 is the day number of 1970-01-01 counted from 0001-01-01 (day 1).
    d.num_days_from_ce() - 719_163
}

fn nanos_of_day(t: NaiveTime) -> i64 {
    t.num_seconds_from_midnight() as i64 * 1_000_000_000 + t.nanosecond() as i64
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
        .ok()
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let (d, t) = s.split_once(['T', ' '])?;
    Some(parse_date(d)?.and_time(parse_time(t)?))
}

/// Splits a trailing `Z`, `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH` offset (UTC when absent).
fn split_offset(s: &str) -> Option<(&str, FixedOffset)> {
    if let Some(rest) = s.strip_suffix(['Z', 'z']) {
        return Some((rest, FixedOffset::east_opt(0)?));
    }
    // The offset sign comes after the time part, which starts after any 'T'.
    let time_start = s.find(['T', ' ']).map(|i| i + 1).unwrap_or(0);
    let Some(pos) = s[time_start..].rfind(['+', '-']).map(|p| p + time_start) else {
        return Some((s, FixedOffset::east_opt(0)?));
    };
    let (body, off) = s.split_at(pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    Some((
        body,
        FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))?,
    ))
}

/// Parses ISO 8601 durations: `[-]P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]`.
fn parse_duration(s: &str) -> Option<Duration> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.strip_prefix(['P', 'p'])?;
    let (date_part, time_part) = match s.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = Duration {
        months: 0,
        days: 0,
        seconds: 0,
        nanos: 0,
    };
    let mut any = false;
    for (num, unit) in components(date_part)? {
        any = true;
        let n: i64 = num.parse().ok()?;
        match unit {
            'Y' => d.months = d.months.checked_add(n.checked_mul(12)?)?,
            'M' => d.months = d.months.checked_add(n)?,
            'W' => d.days = d.days.checked_add(n.checked_mul(7)?)?,
            'D' => d.days = d.days.checked_add(n)?,
            _ => return None,
        }
    }
    if let Some(t) = time_part {
        for (num, unit) in components(t)? {
            any = true;
            match unit {
                'H' => {
                    d.seconds = d
                        .seconds
                        .checked_add(num.parse::<i64>().ok()?.checked_mul(3600)?)?
                }
                'M' => {
                    d.seconds = d
                        .seconds
                        .checked_add(num.parse::<i64>().ok()?.checked_mul(60)?)?
                }
                'S' => {
                    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
                    d.seconds = d.seconds.checked_add(whole.parse().ok()?)?;
                    if frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
                        return None;
                    }
                    if !frac.is_empty() {
                        let scaled = format!("{frac:0<9}");
                        d.nanos = scaled.parse().ok()?;
                    }
                }
                _ => return None,
            }
        }
    }
    if !any {
        return None;
    }
    if neg {
        d = Duration {
            months: -d.months,
            days: -d.days,
            seconds: -d.seconds,
            nanos: -d.nanos,
        };
    }
    Some(d)
}

/// Splits `1Y2M` into `[("1", 'Y'), ("2", 'M')]`.
fn components(s: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c.is_ascii_alphabetic() {
            let num = &s[start..i];
            if num.is_empty() {
                return None;
            }
            out.push((num, c.to_ascii_uppercase()));
            start = i + 1;
        } else if !(c.is_ascii_digit() || c == '.' || c == '-') {
            return None;
        }
    }
    if start != s.len() {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(s: &str, t: ScalarType) -> Result<Value, String> {
        parse_field(
            s.as_bytes(),
            FieldType {
                scalar: t,
                array: false,
            },
            b';',
        )
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(scalar("42", ScalarType::Int(64)), Ok(Value::Int(42)));
        assert!(scalar("300", ScalarType::Int(8)).is_err());
        assert!(scalar("4x", ScalarType::Int(32)).is_err());
        assert_eq!(scalar("2.5", ScalarType::Float), Ok(Value::Float(2.5)));
        assert_eq!(scalar("TRUE", ScalarType::Bool), Ok(Value::Bool(true)));
        assert!(scalar("yes", ScalarType::Bool).is_err());
    }

    #[test]
    fn arrays_split_on_the_array_delimiter() {
        let ty = FieldType {
            scalar: ScalarType::Int(64),
            array: true,
        };
        assert_eq!(
            parse_field(b"1;2;3", ty, b';'),
            Ok(Value::List(vec![
                Value::Int(1),
                Value::Int(2),
                Value::Int(3)
            ]))
        );
        assert!(parse_field(b"1;x", ty, b';').is_err());
    }

    #[test]
    fn temporals() {
        assert_eq!(
            scalar("1970-01-02", ScalarType::Date),
            Ok(Value::Date(Date { days: 1 }))
        );
        assert_eq!(
            scalar("1969-12-31", ScalarType::Date),
            Ok(Value::Date(Date { days: -1 }))
        );
        assert!(scalar("2024-02-30", ScalarType::Date).is_err());
        assert_eq!(
            scalar("1970-01-01T01:00:00+01:00", ScalarType::DateTime),
            Ok(Value::DateTime(DateTime {
                seconds: 0,
                nanos: 0,
                offset_seconds: 3600,
                zone: None
            }))
        );
        assert_eq!(
            scalar("1970-01-01T00:00:01.5Z", ScalarType::DateTime),
            Ok(Value::DateTime(DateTime {
                seconds: 1,
                nanos: 500_000_000,
                offset_seconds: 0,
                zone: None
            }))
        );
        assert_eq!(
            scalar("1970-01-01T00:01:00", ScalarType::LocalDateTime),
            Ok(Value::LocalDateTime(LocalDateTime {
                seconds: 60,
                nanos: 0
            }))
        );
        assert_eq!(
            scalar("00:00:02-02:00", ScalarType::Time),
            Ok(Value::Time(Time {
                nanos: 2_000_000_000,
                offset_seconds: -7200
            }))
        );
        assert_eq!(
            scalar("P1Y2M3W4DT5H6M7.25S", ScalarType::Duration),
            Ok(Value::from(Duration {
                months: 14,
                days: 25,
                seconds: 5 * 3600 + 6 * 60 + 7,
                nanos: 250_000_000
            }))
        );
        assert!(scalar("P", ScalarType::Duration).is_err());
        assert!(scalar("PT1X", ScalarType::Duration).is_err());
    }
}
