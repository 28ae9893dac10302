//! ISO 8601 text of the engine's temporal values, in the form the TCK writes
//! them (`'2015-07-21'`, `'12:31:14.645876123+01:00'`, `'P14DT16H12M'`).
//!
//! Fractions of a second drop trailing zeros; seconds are omitted when both
//! seconds and fraction are zero; a zero offset is `Z`.

use relgraph_graph::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian).
///
/// ```
/// assert_eq!(relgraph_tck::temporal::civil_from_days(0), (1970, 1, 1));
/// assert_eq!(relgraph_tck::temporal::civil_from_days(-1), (1969, 12, 31));
/// ```
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn fmt_year(y: i64) -> String {
    if y > 9999 {
        format!("+{y}")
    } else if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

fn fmt_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{}-{m:02}-{d:02}", fmt_year(y))
}

fn fmt_fraction(nanos: i64) -> String {
    if nanos == 0 {
        return String::new();
    }
    let s = format!("{nanos:09}");
    format!(".{}", s.trim_end_matches('0'))
}

fn fmt_time_of_day(nanos: i64) -> String {
    let secs = nanos.div_euclid(NANOS_PER_SEC);
    let frac = nanos.rem_euclid(NANOS_PER_SEC);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if s == 0 && frac == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}{}", fmt_fraction(frac))
    }
}

fn fmt_offset(offset: i32) -> String {
    if offset == 0 {
        return "Z".to_string();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let o = offset.unsigned_abs();
    let (h, m, s) = (o / 3600, (o / 60) % 60, o % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// `2015-07-21`
pub fn date(d: &Date) -> String {
    fmt_days(i64::from(d.days))
}

/// `12:31:14.645876123`
pub fn local_time(t: &LocalTime) -> String {
    fmt_time_of_day(t.nanos)
}

/// `12:31:14.645876123+01:00`
pub fn time(t: &Time) -> String {
    format!(
        "{}{}",
        fmt_time_of_day(t.nanos),
        fmt_offset(t.offset_seconds)
    )
}

fn fmt_local_seconds(seconds: i64, nanos: u32) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    format!(
        "{}T{}",
        fmt_days(days),
        fmt_time_of_day(secs * NANOS_PER_SEC + i64::from(nanos))
    )
}

/// `2015-07-21T20:40:32.142`
pub fn local_date_time(t: &LocalDateTime) -> String {
    fmt_local_seconds(t.seconds, t.nanos)
}

/// `2015-07-21T20:40:32.142+01:00[Europe/London]`
pub fn date_time(t: &DateTime) -> String {
    let local = t.seconds + i64::from(t.offset_seconds);
    let mut s = format!(
        "{}{}",
        fmt_local_seconds(local, t.nanos),
        fmt_offset(t.offset_seconds)
    );
    if let Some(zone) = &t.zone {
        s.push_str(&format!("[{zone}]"));
    }
    s
}

/// `P1Y2M3DT4H5M6.5S`; each component carries its own sign; `PT0S` when zero.
///
/// ```
/// use relgraph_graph::temporal::Duration;
/// let d = Duration { months: 14, days: 3, seconds: 3661, nanos: 500_000_000 };
/// assert_eq!(relgraph_tck::temporal::duration(&d), "P1Y2M3DT1H1M1.5S");
/// ```
pub fn duration(d: &Duration) -> String {
    let mut s = String::from("P");
    let (years, months) = (d.months / 12, d.months % 12);
    if years != 0 {
        s.push_str(&format!("{years}Y"));
    }
    if months != 0 {
        s.push_str(&format!("{months}M"));
    }
    if d.days != 0 {
        s.push_str(&format!("{}D", d.days));
    }
    let total = i128::from(d.seconds) * i128::from(NANOS_PER_SEC) + i128::from(d.nanos);
    if total != 0 {
        s.push('T');
        let nps = i128::from(NANOS_PER_SEC);
        let hours = total / (3600 * nps);
        let minutes = (total / (60 * nps)) % 60;
        let rest = total % (60 * nps);
        if hours != 0 {
            s.push_str(&format!("{hours}H"));
        }
        if minutes != 0 {
            s.push_str(&format!("{minutes}M"));
        }
        if rest != 0 {
            let sign = if rest < 0 { "-" } else { "" };
            let a = rest.abs();
            let secs = a / nps;
            let frac = (a % nps) as i64;
            s.push_str(&format!("{sign}{secs}{}S", fmt_fraction(frac)));
        }
    }
    if s == "P" {
        s.push_str("T0S");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_tck() {
        assert_eq!(date(&Date { days: 16637 }), "2015-07-21");
        assert_eq!(
            local_time(&LocalTime {
                nanos: 12 * 3600 * NANOS_PER_SEC
            }),
            "12:00"
        );
        assert_eq!(
            local_time(&LocalTime {
                nanos: (12 * 3600 + 31 * 60 + 14) * NANOS_PER_SEC + 645_000_000
            }),
            "12:31:14.645"
        );
        assert_eq!(
            time(&Time {
                nanos: 12 * 3600 * NANOS_PER_SEC,
                offset_seconds: 3600
            }),
            "12:00+01:00"
        );
        assert_eq!(
            time(&Time {
                nanos: 0,
                offset_seconds: 0
            }),
            "00:00Z"
        );
        assert_eq!(
            date_time(&DateTime {
                seconds: 0,
                nanos: 0,
                offset_seconds: 3600,
                zone: Some(std::sync::Arc::new("Europe/Paris".to_string()))
            }),
            "1970-01-01T01:00+01:00[Europe/Paris]"
        );
        assert_eq!(
            local_date_time(&LocalDateTime {
                seconds: -86_400,
                nanos: 1
            }),
            "1969-12-31T00:00:00.000000001"
        );
        assert_eq!(
            duration(&Duration {
                months: 0,
                days: 0,
                seconds: 0,
                nanos: -1_000_000
            }),
            "PT-0.001S"
        );
        assert_eq!(
            duration(&Duration {
                months: -13,
                days: -2,
                seconds: 0,
                nanos: 0
            }),
            "P-1Y-1M-2D"
        );
        assert_eq!(
            duration(&Duration {
                months: 0,
                days: 0,
                seconds: 0,
                nanos: 0
            }),
            "PT0S"
        );
    }
}
