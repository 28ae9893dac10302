//! Temporal values: dates, times, date-times and durations.
//!
//! The representations are plain integers so that they serialize compactly
//! and compare cheaply. Parsing (ISO 8601, [`parse`]), calendar arithmetic
//! and the duration algebra ([`arith`]), component access and display live
//! beside the types. The calendar is the proleptic Gregorian one computed
//! with integer formulas (no table, no range limit beyond `i32` days).
//!
//! A [`DateTime`] stores a fixed offset plus an optional zone name. This
//! crate has no zone database: it keeps a name given with an explicit
//! offset (`+02:00[Europe/Stockholm]`) and resolves only offsets and UTC
//! aliases itself ([`parse_zone`]); relgraph-exec resolves IANA names
//! (offsets at an instant, daylight saving time) with chrono-tz.

use serde::{Deserialize, Serialize};

pub mod arith;
pub mod parse;

pub use arith::{duration_between, BetweenUnit, TemporalParts};
pub use parse::parse_zone;

/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
/// Nanoseconds in one day.
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;
/// Seconds in one day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// The average length of a month (1/12 of 365.2425 days) in seconds, used
/// when a fractional month has to become days and seconds.
pub const AVG_SECONDS_PER_MONTH: i64 = 2_629_746;

/// An invalid temporal value or string (`date('2015-02-30')`).
///
/// ```
/// use relgraph_graph::temporal::Date;
/// assert!(Date::from_ymd(2015, 2, 30).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemporalError {
    /// What is wrong.
    pub message: String,
}

impl TemporalError {
    /// An error with the given message.
    pub fn new(message: impl Into<String>) -> TemporalError {
        TemporalError {
            message: message.into(),
        }
    }
}

/// Result of temporal operations.
pub type TResult<T> = std::result::Result<T, TemporalError>;

/// A calendar date (proleptic Gregorian), as days since 1970-01-01.
///
/// ```
/// use relgraph_graph::temporal::Date;
/// assert!(Date { days: 0 } < Date { days: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Days since 1970-01-01 (negative before).
    pub days: i32,
}

/// A time of day without a time zone, as nanoseconds since midnight.
///
/// ```
/// use relgraph_graph::temporal::LocalTime;
/// let noon = LocalTime { nanos: 12 * 3600 * 1_000_000_000 };
/// assert!(noon > LocalTime { nanos: 0 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalTime {
    /// Nanoseconds since midnight, `0..86_400 * 10^9`.
    pub nanos: i64,
}

/// A time of day with a fixed UTC offset.
///
/// ```
/// use relgraph_graph::temporal::Time;
/// let t = Time { nanos: 0, offset_seconds: 3600 };
/// assert_eq!(t.offset_seconds, 3600);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Time {
    /// Nanoseconds since local midnight.
    pub nanos: i64,
    /// Offset from UTC in seconds (east positive).
    pub offset_seconds: i32,
}

/// A date and time without a time zone.
///
/// ```
/// use relgraph_graph::temporal::LocalDateTime;
/// let t = LocalDateTime { seconds: 0, nanos: 0 };
/// assert_eq!(t.seconds, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDateTime {
    /// Seconds since 1970-01-01T00:00:00 (local, no zone).
    pub seconds: i64,
    /// Nanoseconds within the second, `0..10^9`.
    pub nanos: u32,
}

/// A zone name such as `Europe/Stockholm`: shared, and one pointer wide
/// so that a [`DateTime`] is 24 bytes and a `Value` holding one 32.
///
/// ```
/// use relgraph_graph::temporal::ZoneName;
/// let z: ZoneName = ZoneName::new("Europe/Stockholm".to_string());
/// assert_eq!(z.as_str(), "Europe/Stockholm");
/// ```
pub type ZoneName = std::sync::Arc<String>;

/// An instant with a fixed UTC offset (and optionally a zone name).
///
/// ```
/// use relgraph_graph::temporal::DateTime;
/// let t = DateTime { seconds: 0, nanos: 0, offset_seconds: 0, zone: None };
/// assert_eq!(t.offset_seconds, 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateTime {
    /// Seconds since the Unix epoch, in UTC.
    pub seconds: i64,
    /// Nanoseconds within the second, `0..10^9`.
    pub nanos: u32,
    /// Offset from UTC in seconds (east positive) used for display and components.
    pub offset_seconds: i32,
    /// A named zone such as `Europe/Stockholm`, when one was given.
    pub zone: Option<ZoneName>,
}

/// A duration in months, days, seconds and nanoseconds, kept apart as
/// openCypher requires (a month is not a fixed number of days).
///
/// ```
/// use relgraph_graph::temporal::Duration;
/// let d = Duration { months: 0, days: 90, seconds: 0, nanos: 0 };
/// assert_eq!(d.days, 90);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    /// Whole months.
    pub months: i64,
    /// Whole days.
    pub days: i64,
    /// Whole seconds.
    pub seconds: i64,
    /// Nanoseconds. Values built by this module are normalized to
    /// `0 <= nanos < 10^9` (seconds floor toward negative infinity, as
    /// Neo4j's `duration.seconds` / `nanosecondsOfSecond` report them);
    /// [`Duration::normalized`] brings any other split into that form.
    pub nanos: i64,
}

// ---------------------------------------------------------------------------
// Civil calendar (Howard Hinnant's algorithms, valid for all i64 in range).

/// Days since 1970-01-01 of a proleptic Gregorian `(year, month, day)`.
/// The caller guarantees `1 <= month <= 12` and `1 <= day <= 31`.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// True for leap years of the proleptic Gregorian calendar.
pub fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Number of days in a month of a year.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(y) => 29,
        _ => 28,
    }
}

/// ISO day of week, Monday = 1 .. Sunday = 7.
fn weekday_of(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// Monday of ISO week 1 of a week-based year.
fn week1_monday(week_year: i64) -> i64 {
    let jan4 = days_from_civil(week_year, 1, 4);
    jan4 - (weekday_of(jan4) - 1)
}

/// Number of ISO weeks (52 or 53) in a week-based year.
pub fn weeks_in_week_year(week_year: i64) -> i64 {
    (week1_monday(week_year + 1) - week1_monday(week_year)) / 7
}

fn to_date(days: i64) -> TResult<Date> {
    i32::try_from(days)
        .map(|days| Date { days })
        .map_err(|_| TemporalError::new("date out of the supported range"))
}

fn check_year(y: i64) -> TResult<()> {
    // Keep every computation comfortably inside i32 days.
    if (-999_999..=999_999).contains(&y) {
        Ok(())
    } else {
        Err(TemporalError::new(format!(
            "year {y} is out of the supported range -999999..999999"
        )))
    }
}

impl Date {
    /// A date from year, month (1-12) and day (1-31), validated.
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// assert_eq!(Date::from_ymd(1970, 1, 2).unwrap().days, 1);
    /// assert!(Date::from_ymd(2023, 2, 29).is_err());
    /// assert!(Date::from_ymd(2024, 2, 29).is_ok());
    /// ```
    pub fn from_ymd(year: i64, month: i64, day: i64) -> TResult<Date> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(TemporalError::new(format!("invalid month {month}")));
        }
        let dim = i64::from(days_in_month(year, month as u32));
        if !(1..=dim).contains(&day) {
            return Err(TemporalError::new(format!(
                "invalid day {day} of month {year}-{month:02}"
            )));
        }
        to_date(days_from_civil(year, month as u32, day as u32))
    }

    /// A date from an ISO week-based year, week (1-53) and day of week (1-7).
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// assert_eq!(Date::from_week(2015, 30, 2).unwrap().to_string(), "2015-07-21");
    /// ```
    pub fn from_week(week_year: i64, week: i64, day_of_week: i64) -> TResult<Date> {
        check_year(week_year)?;
        if week < 1 || week > weeks_in_week_year(week_year) {
            return Err(TemporalError::new(format!(
                "invalid week {week} of week year {week_year}"
            )));
        }
        if !(1..=7).contains(&day_of_week) {
            return Err(TemporalError::new(format!(
                "invalid day of week {day_of_week}"
            )));
        }
        to_date(week1_monday(week_year) + (week - 1) * 7 + (day_of_week - 1))
    }

    /// A date from a year and a day of the year (1-366).
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// assert_eq!(Date::from_ordinal(2015, 202).unwrap().to_string(), "2015-07-21");
    /// ```
    pub fn from_ordinal(year: i64, ordinal_day: i64) -> TResult<Date> {
        check_year(year)?;
        let len = if is_leap_year(year) { 366 } else { 365 };
        if !(1..=len).contains(&ordinal_day) {
            return Err(TemporalError::new(format!(
                "invalid ordinal day {ordinal_day} of {year}"
            )));
        }
        to_date(days_from_civil(year, 1, 1) + ordinal_day - 1)
    }

    /// A date from a year, quarter (1-4) and day of the quarter (1-92).
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// assert_eq!(Date::from_quarter(1984, 3, 45).unwrap().to_string(), "1984-08-14");
    /// ```
    pub fn from_quarter(year: i64, quarter: i64, day_of_quarter: i64) -> TResult<Date> {
        check_year(year)?;
        if !(1..=4).contains(&quarter) {
            return Err(TemporalError::new(format!("invalid quarter {quarter}")));
        }
        let first_month = (quarter - 1) * 3 + 1;
        let start = days_from_civil(year, first_month as u32, 1);
        let end = if quarter == 4 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, first_month as u32 + 3, 1)
        };
        if day_of_quarter < 1 || day_of_quarter > end - start {
            return Err(TemporalError::new(format!(
                "invalid day of quarter {day_of_quarter}"
            )));
        }
        to_date(start + day_of_quarter - 1)
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(i64::from(self.days))
    }
    /// The year.
    pub fn year(self) -> i64 {
        self.ymd().0
    }
    /// The month, 1-12.
    pub fn month(self) -> i64 {
        i64::from(self.ymd().1)
    }
    /// The day of the month, 1-31.
    pub fn day(self) -> i64 {
        i64::from(self.ymd().2)
    }
    /// The quarter, 1-4.
    pub fn quarter(self) -> i64 {
        (self.month() - 1) / 3 + 1
    }
    /// The day of the quarter, 1-92.
    pub fn day_of_quarter(self) -> i64 {
        let y = self.year();
        let first = ((self.quarter() - 1) * 3 + 1) as u32;
        i64::from(self.days) - days_from_civil(y, first, 1) + 1
    }
    /// The day of the year, 1-366.
    pub fn ordinal_day(self) -> i64 {
        i64::from(self.days) - days_from_civil(self.year(), 1, 1) + 1
    }
    /// ISO day of week, Monday = 1 .. Sunday = 7.
    pub fn day_of_week(self) -> i64 {
        weekday_of(i64::from(self.days))
    }
    /// `(week-based year, ISO week)`.
    ///
    /// ```
    /// use relgraph_graph::temporal::Date;
    /// assert_eq!(Date::from_ymd(1984, 1, 1).unwrap().iso_week(), (1983, 52));
    /// ```
    pub fn iso_week(self) -> (i64, i64) {
        let d = i64::from(self.days);
        let thursday = d - (weekday_of(d) - 1) + 3;
        let wy = civil_from_days(thursday).0;
        (wy, (thursday - days_from_civil(wy, 1, 1)) / 7 + 1)
    }

    /// This date moved by whole months, the day clamped to the month's end
    /// (2024-01-31 plus one month is 2024-02-29).
    pub fn plus_months(self, months: i64) -> TResult<Date> {
        let (y, m, d) = self.ymd();
        let total = y
            .checked_mul(12)
            .and_then(|v| v.checked_add(i64::from(m) - 1))
            .and_then(|v| v.checked_add(months))
            .ok_or_else(|| TemporalError::new("date arithmetic overflow"))?;
        let ny = total.div_euclid(12);
        let nm = (total.rem_euclid(12) + 1) as u32;
        check_year(ny)?;
        let nd = d.min(days_in_month(ny, nm));
        to_date(days_from_civil(ny, nm, nd))
    }

    /// This date moved by whole days.
    pub fn plus_days(self, days: i64) -> TResult<Date> {
        let n = i64::from(self.days)
            .checked_add(days)
            .ok_or_else(|| TemporalError::new("date arithmetic overflow"))?;
        let date = to_date(n)?;
        check_year(date.year())?;
        Ok(date)
    }
}

impl LocalTime {
    /// A local time from its fields, validated.
    ///
    /// ```
    /// use relgraph_graph::temporal::LocalTime;
    /// assert_eq!(LocalTime::from_hms_nano(21, 40, 32, 142_000_000).unwrap().to_string(), "21:40:32.142");
    /// ```
    pub fn from_hms_nano(hour: i64, minute: i64, second: i64, nano: i64) -> TResult<LocalTime> {
        if !(0..24).contains(&hour)
            || !(0..60).contains(&minute)
            || !(0..60).contains(&second)
            || !(0..NANOS_PER_SECOND).contains(&nano)
        {
            return Err(TemporalError::new(format!(
                "invalid time {hour}:{minute}:{second}.{nano}"
            )));
        }
        Ok(LocalTime {
            nanos: ((hour * 60 + minute) * 60 + second) * NANOS_PER_SECOND + nano,
        })
    }
    /// The hour, 0-23.
    pub fn hour(self) -> i64 {
        self.nanos / (3600 * NANOS_PER_SECOND)
    }
    /// The minute, 0-59.
    pub fn minute(self) -> i64 {
        self.nanos / (60 * NANOS_PER_SECOND) % 60
    }
    /// The second, 0-59.
    pub fn second(self) -> i64 {
        self.nanos / NANOS_PER_SECOND % 60
    }
    /// The nanosecond of the second.
    pub fn nanosecond(self) -> i64 {
        self.nanos % NANOS_PER_SECOND
    }
}

impl Time {
    /// This time's offset-independent position: nanoseconds since UTC
    /// midnight (may be outside one day), used for comparison.
    pub fn utc_nanos(self) -> i64 {
        self.nanos
            .saturating_sub(i64::from(self.offset_seconds) * NANOS_PER_SECOND)
    }
    /// The local time of day.
    pub fn local(self) -> LocalTime {
        LocalTime { nanos: self.nanos }
    }
    /// The same instant of day seen at another offset.
    pub fn with_offset(self, offset_seconds: i32) -> Time {
        let delta = (i128::from(offset_seconds) - i128::from(self.offset_seconds))
            * i128::from(NANOS_PER_SECOND);
        Time {
            nanos: (i128::from(self.nanos) + delta).rem_euclid(i128::from(NANOS_PER_DAY)) as i64,
            offset_seconds,
        }
    }
}

impl LocalDateTime {
    /// A local date-time from a date and a time of day.
    pub fn new(date: Date, time: LocalTime) -> LocalDateTime {
        LocalDateTime {
            seconds: i64::from(date.days) * SECONDS_PER_DAY + time.nanos / NANOS_PER_SECOND,
            nanos: (time.nanos % NANOS_PER_SECOND) as u32,
        }
    }
    /// The date part.
    pub fn date(self) -> Date {
        Date {
            days: self.seconds.div_euclid(SECONDS_PER_DAY) as i32,
        }
    }
    /// The time part.
    pub fn time(self) -> LocalTime {
        LocalTime {
            nanos: self.seconds.rem_euclid(SECONDS_PER_DAY) * NANOS_PER_SECOND
                + i64::from(self.nanos),
        }
    }
    /// Nanoseconds since 1970-01-01T00:00 (local).
    pub fn total_nanos(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }
    /// The local date-time at a count of nanoseconds since 1970-01-01T00:00.
    pub fn from_total_nanos(n: i128) -> TResult<LocalDateTime> {
        let ns = i128::from(NANOS_PER_SECOND);
        let seconds = i64::try_from(n.div_euclid(ns))
            .map_err(|_| TemporalError::new("date-time out of range"))?;
        let t = LocalDateTime {
            seconds,
            nanos: n.rem_euclid(ns) as u32,
        };
        if i32::try_from(seconds.div_euclid(SECONDS_PER_DAY)).is_err() {
            return Err(TemporalError::new("date-time out of range"));
        }
        check_year(t.date().year())?;
        Ok(t)
    }
}

impl DateTime {
    /// A date-time from its local date-time and offset.
    pub fn from_local(
        local: LocalDateTime,
        offset_seconds: i32,
        zone: Option<ZoneName>,
    ) -> DateTime {
        DateTime {
            seconds: local.seconds.saturating_sub(i64::from(offset_seconds)),
            nanos: local.nanos,
            offset_seconds,
            zone,
        }
    }
    /// The wall-clock date-time at this value's offset.
    pub fn local(&self) -> LocalDateTime {
        LocalDateTime {
            seconds: self.seconds.saturating_add(i64::from(self.offset_seconds)),
            nanos: self.nanos,
        }
    }
    /// The time of day with offset.
    pub fn time(&self) -> Time {
        Time {
            nanos: self.local().time().nanos,
            offset_seconds: self.offset_seconds,
        }
    }
    /// Nanoseconds since the epoch (UTC).
    pub fn epoch_nanos(&self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }
    /// The same instant seen at another offset (zone name dropped).
    pub fn with_offset(&self, offset_seconds: i32, zone: Option<ZoneName>) -> DateTime {
        DateTime {
            seconds: self.seconds,
            nanos: self.nanos,
            offset_seconds,
            zone,
        }
    }
    /// The zone as openCypher's `timezone` component shows it: the zone
    /// name when there is one, else the offset.
    pub fn timezone_name(&self) -> String {
        match &self.zone {
            Some(z) => z.to_string(),
            None => format_offset(self.offset_seconds),
        }
    }
}

impl Duration {
    /// The zero duration.
    pub const ZERO: Duration = Duration {
        months: 0,
        days: 0,
        seconds: 0,
        nanos: 0,
    };

    /// A duration from months, days and a signed count of seconds and
    /// nanoseconds (any split), normalized so that `0 <= nanos < 10^9`.
    ///
    /// ```
    /// use relgraph_graph::temporal::Duration;
    /// let d = Duration::new(0, 0, -2, 1_000_000).unwrap();
    /// assert_eq!((d.seconds, d.nanos), (-2, 1_000_000));
    /// assert_eq!(d.to_string(), "PT-1.999S");
    /// ```
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> TResult<Duration> {
        Duration::from_parts(
            i128::from(months),
            i128::from(days),
            i128::from(seconds) * 1_000_000_000 + i128::from(nanos),
        )
    }

    /// A duration from wide parts (months, days, total nanoseconds), with
    /// overflow checked.
    pub fn from_parts(months: i128, days: i128, total_nanos: i128) -> TResult<Duration> {
        let ns = i128::from(NANOS_PER_SECOND);
        let overflow = || TemporalError::new("duration overflow");
        Ok(Duration {
            months: i64::try_from(months).map_err(|_| overflow())?,
            days: i64::try_from(days).map_err(|_| overflow())?,
            seconds: i64::try_from(total_nanos.div_euclid(ns)).map_err(|_| overflow())?,
            nanos: total_nanos.rem_euclid(ns) as i64,
        })
    }

    /// The seconds and nanoseconds together.
    pub fn total_nanos(&self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// The same duration with `0 <= nanos < 10^9` (values built elsewhere
    /// may split seconds and nanoseconds differently).
    pub fn normalized(&self) -> Duration {
        let ns = i128::from(NANOS_PER_SECOND);
        let t = self.total_nanos();
        Duration {
            months: self.months,
            days: self.days,
            seconds: i64::try_from(t.div_euclid(ns)).unwrap_or(if t < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
            nanos: t.rem_euclid(ns) as i64,
        }
    }

    /// An approximate length in nanoseconds (a month is
    /// [`AVG_SECONDS_PER_MONTH`], a day 86400 s), for ordering.
    pub fn approx_nanos(&self) -> i128 {
        (i128::from(self.months) * i128::from(AVG_SECONDS_PER_MONTH)
            + i128::from(self.days) * i128::from(SECONDS_PER_DAY))
            * i128::from(NANOS_PER_SECOND)
            + self.total_nanos()
    }
}

// ---------------------------------------------------------------------------
// Display in the ISO forms openCypher prints.

fn write_year(f: &mut std::fmt::Formatter<'_>, y: i64) -> std::fmt::Result {
    if y > 9999 {
        write!(f, "+{y}")
    } else if y < 0 {
        write!(f, "-{:04}", -y)
    } else {
        write!(f, "{y:04}")
    }
}

/// Formats a UTC offset as `Z`, `+01:00` or `+00:53:28`.
///
/// ```
/// use relgraph_graph::temporal::format_offset;
/// assert_eq!(format_offset(0), "Z");
/// assert_eq!(format_offset(-5400), "-01:30");
/// assert_eq!(format_offset(3208), "+00:53:28");
/// ```
pub fn format_offset(offset_seconds: i32) -> String {
    if offset_seconds == 0 {
        return "Z".to_string();
    }
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let a = offset_seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

fn write_time_of_day(f: &mut std::fmt::Formatter<'_>, nanos: i64) -> std::fmt::Result {
    let t = LocalTime { nanos };
    write!(f, "{:02}:{:02}", t.hour(), t.minute())?;
    let (s, n) = (t.second(), t.nanosecond());
    if s != 0 || n != 0 {
        write!(f, ":{s:02}")?;
        if n != 0 {
            // Groups of three digits, as java.time prints them.
            if n % 1_000_000 == 0 {
                write!(f, ".{:03}", n / 1_000_000)?;
            } else if n % 1000 == 0 {
                write!(f, ".{:06}", n / 1000)?;
            } else {
                write!(f, ".{n:09}")?;
            }
        }
    }
    Ok(())
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write_year(f, y)?;
        write!(f, "-{m:02}-{d:02}")
    }
}

impl std::fmt::Display for LocalTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_time_of_day(f, self.nanos)
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_time_of_day(f, self.nanos)?;
        f.write_str(&format_offset(self.offset_seconds))
    }
}

impl std::fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}T", self.date())?;
        write_time_of_day(f, self.time().nanos)
    }
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.local(), format_offset(self.offset_seconds))?;
        if let Some(z) = &self.zone {
            write!(f, "[{z}]")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (years, months) = (self.months / 12, self.months % 12);
        let total = self.total_nanos();
        let hour = 3600 * i128::from(NANOS_PER_SECOND);
        let minute = 60 * i128::from(NANOS_PER_SECOND);
        let (hours, rem) = (total / hour, total % hour);
        let (minutes, secs) = (rem / minute, rem % minute);
        f.write_str("P")?;
        if years != 0 {
            write!(f, "{years}Y")?;
        }
        if months != 0 {
            write!(f, "{months}M")?;
        }
        if self.days != 0 {
            write!(f, "{}D", self.days)?;
        }
        if total != 0 {
            f.write_str("T")?;
            if hours != 0 {
                write!(f, "{hours}H")?;
            }
            if minutes != 0 {
                write!(f, "{minutes}M")?;
            }
            if secs != 0 {
                let ns = i128::from(NANOS_PER_SECOND);
                let sign = if secs < 0 { "-" } else { "" };
                let a = secs.abs();
                write!(f, "{sign}{}", a / ns)?;
                let frac = a % ns;
                if frac != 0 {
                    let digits = format!("{frac:09}");
                    write!(f, ".{}", digits.trim_end_matches('0'))?;
                }
                f.write_str("S")?;
            }
        } else if self.months == 0 && self.days == 0 {
            f.write_str("T0S")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
