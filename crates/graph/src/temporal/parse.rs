//! ISO 8601 parsing of temporal strings in the forms openCypher accepts:
//! calendar (`2015-07-21`, `20150721`, `2015-07`), week (`2015-W30-2`,
//! `2015W302`, `2015-W30`), ordinal (`2015-202`) and year-only dates; times
//! `21`, `21:40`, `2140`, `21:40:32.142`, `214032.142`; offsets `Z`, `+01`,
//! `+0100`, `+01:00`, `+01:00:30`, optionally followed by `[Zone/Name]`;
//! durations `P1Y2M3W4DT5H6M7.5S` (fractions allowed on any unit, negative
//! components allowed) and the alternative form `P2012-02-02T14:37:21.545`.

use super::arith::DurationBuilder;
use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, TResult, TemporalError, Time, ZoneName,
};

fn err(kind: &str, s: &str) -> TemporalError {
    TemporalError::new(format!("invalid {kind} string: '{s}'"))
}

/// Splits off the leading ASCII digits.
fn digits(s: &str) -> (&str, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    s.split_at(n)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    s.parse().ok()
}

/// Parses the date at the start of `s`, returning it and the rest.
fn date_prefix(s: &str) -> Option<(Date, &str)> {
    // Year: four digits, or a sign followed by any number of digits.
    let (year, rest) = match s.as_bytes().first()? {
        b'+' | b'-' => {
            let (d, rest) = digits(&s[1..]);
            let y = num(d)?;
            (if s.starts_with('-') { -y } else { y }, rest)
        }
        _ => {
            if s.len() < 4 || !s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                return None;
            }
            (num(&s[..4])?, &s[4..])
        }
    };
    let dashed = rest.starts_with('-');
    let body = if dashed { &rest[1..] } else { rest };
    if rest.is_empty() || rest.starts_with('T') {
        return Some((Date::from_ymd(year, 1, 1).ok()?, rest));
    }
    if let Some(w) = body.strip_prefix('W') {
        let (wd, after) = digits(w);
        if wd.len() < 2 {
            return None;
        }
        let week = num(&wd[..2])?;
        let (dow, after) = if dashed {
            if wd.len() != 2 {
                return None;
            }
            match after.strip_prefix('-') {
                Some(a) => {
                    let (dd, a2) = digits(a);
                    if dd.len() != 1 {
                        return None;
                    }
                    (num(dd)?, a2)
                }
                None => (1, after),
            }
        } else {
            match wd.len() {
                2 => (1, after),
                3 => (num(&wd[2..])?, after),
                _ => return None,
            }
        };
        return Some((Date::from_week(year, week, dow).ok()?, after));
    }
    let (d, after) = digits(body);
    match (dashed, d.len()) {
        (true, 2) => {
            let month = num(d)?;
            match after.strip_prefix('-') {
                Some(a) => {
                    let (dd, a2) = digits(a);
                    if dd.len() != 2 {
                        return None;
                    }
                    Some((Date::from_ymd(year, month, num(dd)?).ok()?, a2))
                }
                None => Some((Date::from_ymd(year, month, 1).ok()?, after)),
            }
        }
        (_, 3) => Some((Date::from_ordinal(year, num(d)?).ok()?, after)),
        (false, 4) => Some((
            Date::from_ymd(year, num(&d[..2])?, num(&d[2..])?).ok()?,
            after,
        )),
        (false, 2) => Some((Date::from_ymd(year, num(d)?, 1).ok()?, after)),
        _ => None,
    }
}

/// Parses a time of day at the start of `s`, returning it and the rest.
fn time_prefix(s: &str) -> Option<(LocalTime, &str)> {
    let (h, rest) = digits(s);
    let two = |d: &str| if d.len() == 2 { num(d) } else { None };
    let (hour, minute, second, has_seconds, rest) = match h.len() {
        2 => {
            let hour = num(h)?;
            match rest.strip_prefix(':') {
                Some(r) => {
                    let (m, r) = digits(r);
                    let minute = two(m)?;
                    match r.strip_prefix(':') {
                        Some(r2) => {
                            let (sec, r3) = digits(r2);
                            (hour, minute, two(sec)?, true, r3)
                        }
                        None => (hour, minute, 0, false, r),
                    }
                }
                None => (hour, 0, 0, false, rest),
            }
        }
        4 => (num(&h[..2])?, num(&h[2..])?, 0, false, rest),
        6 => (num(&h[..2])?, num(&h[2..4])?, num(&h[4..])?, true, rest),
        _ => return None,
    };
    let (nano, rest) = match rest.strip_prefix(['.', ',']) {
        Some(r) if has_seconds => {
            let (f, r2) = digits(r);
            if f.is_empty() || f.len() > 9 {
                return None;
            }
            (num(&format!("{f:0<9}"))?, r2)
        }
        Some(_) => return None,
        None => (0, rest),
    };
    Some((
        LocalTime::from_hms_nano(hour, minute, second, nano).ok()?,
        rest,
    ))
}

/// Parses an offset (`Z`, `+01`, `+0100`, `+01:00`, `+01:00:30`) and an
/// optional `[Zone/Name]`; the whole of `s` must be consumed. Returns
/// `None` for the offset when `s` is empty.
fn offset_suffix(s: &str) -> Option<(Option<i32>, Option<String>)> {
    let (offset, rest) = if let Some(r) = s.strip_prefix('Z') {
        (Some(0), r)
    } else if s.starts_with(['+', '-']) {
        let neg = s.starts_with('-');
        let body = &s[1..];
        let (h, r) = digits(body);
        let (hh, mm, ss, r) = match h.len() {
            2 => match r.strip_prefix(':') {
                Some(r1) => {
                    let (m, r2) = digits(r1);
                    if m.len() != 2 {
                        return None;
                    }
                    match r2.strip_prefix(':') {
                        Some(r3) => {
                            let (sec, r4) = digits(r3);
                            if sec.len() != 2 {
                                return None;
                            }
                            (num(h)?, num(m)?, num(sec)?, r4)
                        }
                        None => (num(h)?, num(m)?, 0, r2),
                    }
                }
                None => (num(h)?, 0, 0, r),
            },
            4 => (num(&h[..2])?, num(&h[2..])?, 0, r),
            6 => (num(&h[..2])?, num(&h[2..4])?, num(&h[4..])?, r),
            _ => return None,
        };
        if hh > 18 || mm > 59 || ss > 59 {
            return None;
        }
        let total = (hh * 3600 + mm * 60 + ss) as i32;
        if total > 18 * 3600 {
            return None;
        }
        (Some(if neg { -total } else { total }), r)
    } else {
        (None, s)
    };
    if rest.is_empty() {
        return Some((offset, None));
    }
    let zone = rest.strip_prefix('[')?.strip_suffix(']')?;
    if zone.is_empty() {
        return None;
    }
    Some((offset, Some(zone.to_string())))
}

/// Resolves a time zone given as a string (the `timezone` field of a map,
/// or a bracketed zone name): an offset such as `+01:00`, `-0530`, `Z`, or
/// a UTC alias (`UTC`, `Etc/UTC`, `GMT`). Returns `(offset, zone name)`.
/// Other zone names need a zone database, which this crate does not carry
/// (relgraph-exec resolves IANA names with chrono-tz).
///
/// ```
/// use relgraph_graph::temporal::parse_zone;
/// assert_eq!(parse_zone("+01:00").unwrap(), (3600, None));
/// assert_eq!(parse_zone("UTC").unwrap().1.as_deref().map(String::as_str), Some("UTC"));
/// assert!(parse_zone("Europe/Stockholm").is_err());
/// ```
pub fn parse_zone(s: &str) -> TResult<(i32, Option<ZoneName>)> {
    if let Some((Some(off), None)) = offset_suffix(s) {
        return Ok((off, None));
    }
    if let Some(off) = utc_alias(s) {
        return Ok((off, Some(ZoneName::new(s.to_string()))));
    }
    Err(TemporalError::new(format!(
        "unsupported time zone '{s}': only offsets (+01:00) and UTC are supported, not named zones"
    )))
}

fn utc_alias(s: &str) -> Option<i32> {
    match s {
        "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "UCT" | "Etc/UCT" | "Universal" | "Zulu"
        | "Etc/Universal" | "Etc/Zulu" | "Etc/Greenwich" | "Greenwich" => Some(0),
        _ => None,
    }
}

impl Date {
    /// Parses an ISO 8601 date.
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// for s in ["2015-07-21", "20150721", "2015-W30-2", "2015W302", "2015-202", "2015202"] {
    ///     assert_eq!(Date::parse(s).unwrap().to_string(), "2015-07-21");
    /// }
    /// assert!(Date::parse("2015-13-01").is_err());
    /// ```
    pub fn parse(s: &str) -> TResult<Date> {
        match date_prefix(s) {
            Some((d, "")) => Ok(d),
            _ => Err(err("date", s)),
        }
    }
}

impl LocalTime {
    /// Parses an ISO 8601 local time.
    ///
    /// ```
    /// use relgraph_graph::temporal::LocalTime;
    /// assert_eq!(LocalTime::parse("214032.142").unwrap().to_string(), "21:40:32.142");
    /// ```
    pub fn parse(s: &str) -> TResult<LocalTime> {
        match time_prefix(s) {
            Some((t, "")) => Ok(t),
            _ => Err(err("local time", s)),
        }
    }
}

impl Time {
    /// Parses an ISO 8601 time with an optional offset (default UTC).
    ///
    /// ```
    /// use relgraph_graph::temporal::Time;
    /// assert_eq!(Time::parse("2140-02").unwrap().to_string(), "21:40-02:00");
    /// ```
    pub fn parse(s: &str) -> TResult<Time> {
        let (t, rest) = time_prefix(s).ok_or_else(|| err("time", s))?;
        let (off, zone) = offset_suffix(rest).ok_or_else(|| err("time", s))?;
        let offset_seconds = match (off, zone) {
            (Some(o), _) => o,
            (None, None) => 0,
            (None, Some(z)) => parse_zone(&z)?.0,
        };
        Ok(Time {
            nanos: t.nanos,
            offset_seconds,
        })
    }
}

fn datetime_parts<'a>(s: &'a str, kind: &str) -> TResult<(LocalDateTime, &'a str)> {
    let (date, rest) = date_prefix(s).ok_or_else(|| err(kind, s))?;
    let (time, rest) = match rest.strip_prefix('T') {
        Some(r) => time_prefix(r).ok_or_else(|| err(kind, s))?,
        None => (LocalTime { nanos: 0 }, rest),
    };
    Ok((LocalDateTime::new(date, time), rest))
}

impl LocalDateTime {
    /// Parses an ISO 8601 local date-time (`<date>T<time>`).
    ///
    /// ```
    /// use relgraph_graph::temporal::LocalDateTime;
    /// assert_eq!(LocalDateTime::parse("2015-W30T2140").unwrap().to_string(), "2015-07-20T21:40");
    /// ```
    pub fn parse(s: &str) -> TResult<LocalDateTime> {
        let (ldt, rest) = datetime_parts(s, "local date-time")?;
        if !rest.is_empty() {
            return Err(err("local date-time", s));
        }
        Ok(ldt)
    }
}

impl DateTime {
    /// Parses an ISO 8601 date-time with an optional offset (default UTC)
    /// and an optional `[Zone/Name]` kept for display.
    ///
    /// ```
    /// use relgraph_graph::temporal::DateTime;
    /// let t = DateTime::parse("2015-07-21T21:40:32.142+0100").unwrap();
    /// assert_eq!(t.to_string(), "2015-07-21T21:40:32.142+01:00");
    /// ```
    pub fn parse(s: &str) -> TResult<DateTime> {
        let (ldt, rest) = datetime_parts(s, "date-time")?;
        let (off, zone) = offset_suffix(rest).ok_or_else(|| err("date-time", s))?;
        let (offset, zone) = match (off, zone) {
            (Some(o), z) => (o, z.map(ZoneName::new)),
            (None, None) => (0, None),
            (None, Some(z)) => parse_zone(&z)?,
        };
        Ok(DateTime::from_local(ldt, offset, zone))
    }
}

/// Splits `s` into `(number, unit)` pairs such as `("1.5", 'D')`.
fn duration_components(s: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c.is_ascii_alphabetic() {
            let n = &s[start..i];
            if n.is_empty() {
                return None;
            }
            out.push((n, c));
            start = i + 1;
        } else if !(c.is_ascii_digit() || c == '.' || c == ',' || c == '-' || c == '+') {
            return None;
        }
    }
    if start != s.len() {
        return None;
    }
    Some(out)
}

/// A decimal number `[-]digits[.digits]` as (integer part, fraction in
/// nanoparts exact to 9 digits, fraction as float).
fn decimal(s: &str) -> Option<(i64, i64, f64)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match body.split_once(['.', ',']) {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let i: i64 = num(int)?;
    let f9: i64 = if frac.is_empty() {
        0
    } else {
        let mut t: String = frac.chars().take(9).collect();
        while t.len() < 9 {
            t.push('0');
        }
        t.parse().ok()?
    };
    let ff: f64 = if frac.is_empty() {
        0.0
    } else {
        format!("0.{frac}").parse().ok()?
    };
    Some(if neg { (-i, -f9, -ff) } else { (i, f9, ff) })
}

impl Duration {
    /// Parses an ISO 8601 duration, normalizing overflowing units the way
    /// openCypher prints them (`PT0.75M` is `PT45S`).
    ///
    /// ```
    /// use relgraph_graph::temporal::Duration;
    /// assert_eq!(Duration::parse("P5M1.5D").unwrap().to_string(), "P5M1DT12H");
    /// assert_eq!(Duration::parse("P2012-02-02T14:37:21.545").unwrap().to_string(), "P2012Y2M2DT14H37M21.545S");
    /// assert!(Duration::parse("P").is_err());
    /// ```
    pub fn parse(s: &str) -> TResult<Duration> {
        let e = || err("duration", s);
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s),
        };
        let body = body.strip_prefix(['P', 'p']).ok_or_else(e)?;
        let mut b = DurationBuilder::default();
        // Alternative format PYYYY-MM-DDTHH:MM:SS.
        if body.len() >= 10
            && body.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && body.as_bytes()[4] == b'-'
        {
            let (date, time) = match body.split_once('T') {
                Some((d, t)) => (d, Some(t)),
                None => (body, None),
            };
            let parts: Vec<&str> = date.split('-').collect();
            if parts.len() != 3
                || parts
                    .iter()
                    .any(|p| p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()))
            {
                return Err(e());
            }
            b.add_int(
                num(parts[0]).ok_or_else(e)?.checked_mul(12).ok_or_else(e)?,
                0,
                0,
                0,
            )?;
            b.add_int(
                num(parts[1]).ok_or_else(e)?,
                num(parts[2]).ok_or_else(e)?,
                0,
                0,
            )?;
            if let Some(t) = time {
                let (lt, rest) = time_prefix(t).ok_or_else(e)?;
                if !rest.is_empty() {
                    return Err(e());
                }
                b.add_int(0, 0, 0, lt.nanos)?;
            }
        } else {
            let (date, time) = match body.split_once(['T', 't']) {
                Some((d, t)) => (d, Some(t)),
                None => (body, None),
            };
            let mut any = false;
            for (n, unit) in duration_components(date).ok_or_else(e)? {
                let (i, _, f) = decimal(n).ok_or_else(e)?;
                any = true;
                match unit.to_ascii_uppercase() {
                    'Y' => b.add_months(i.checked_mul(12).ok_or_else(e)?, f * 12.0)?,
                    'M' => b.add_months(i, f)?,
                    'W' => b.add_days(i.checked_mul(7).ok_or_else(e)?, f * 7.0)?,
                    'D' => b.add_days(i, f)?,
                    _ => return Err(e()),
                }
            }
            if let Some(t) = time {
                if t.is_empty() {
                    return Err(e());
                }
                for (n, unit) in duration_components(t).ok_or_else(e)? {
                    let (i, f9, f) = decimal(n).ok_or_else(e)?;
                    any = true;
                    match unit.to_ascii_uppercase() {
                        'H' => b.add_seconds(i.checked_mul(3600).ok_or_else(e)?, f * 3600.0)?,
                        'M' => b.add_seconds(i.checked_mul(60).ok_or_else(e)?, f * 60.0)?,
                        'S' => b.add_int(0, 0, i, f9)?,
                        _ => return Err(e()),
                    }
                }
            }
            if !any {
                return Err(e());
            }
        }
        let d = b.build()?;
        Ok(if neg { d.negate()? } else { d })
    }
}
