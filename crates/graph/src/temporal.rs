//! Temporal values: dates, times, date-times and durations.
//!
//! The representations are plain integers so that they serialize compactly
//! and compare cheaply. Parsing (ISO 8601), construction from maps, component
//! access and arithmetic live beside the types.

use serde::{Deserialize, Serialize};

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
    pub zone: Option<String>,
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
    /// Nanoseconds, `-10^9 < nanos < 10^9`, same sign as `seconds` when normalized.
    pub nanos: i64,
}
