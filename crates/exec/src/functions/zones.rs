//! Named time zones (`Europe/Stockholm`) through the IANA database that
//! chrono-tz compiles in. The graph crate's temporal types store a fixed
//! offset plus an optional zone name; this module picks the offset a zone
//! has at an instant or for a wall-clock time, with java.time's rules
//! (an ambiguous wall-clock time takes the earlier offset unless the
//! preferred one is valid; a time in a gap moves forward by the gap).

use chrono::{Offset, TimeZone};
use chrono_tz::Tz;

use relgraph_graph::temporal::{
    parse_zone, DateTime, Duration, LocalDateTime, TemporalError, ZoneName, NANOS_PER_SECOND,
};

use crate::error::{ExecError, Result};
use crate::value_ops::temporal_err;

/// A zone as given by a user: a fixed offset, or a name whose offset
/// depends on the instant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Zone {
    /// A fixed offset, with the name it was given under (`UTC`), if any.
    Fixed(i32, Option<ZoneName>),
    /// An IANA zone.
    Named(Tz),
}

impl Zone {
    /// Resolves `+01:00`, `Z`, `UTC` or an IANA name.
    pub(crate) fn parse(s: &str) -> Result<Zone> {
        match parse_zone(s) {
            Ok((off, name)) => Ok(Zone::Fixed(off, name)),
            Err(e) => match s.parse::<Tz>() {
                Ok(tz) => Ok(Zone::Named(tz)),
                Err(_) => Err(ExecError::argument(
                    "InvalidArgumentValue",
                    format!("unknown time zone '{s}' ({})", e.message),
                )),
            },
        }
    }

    /// The zone a date-time value carries (its name if that is an IANA
    /// zone, else its fixed offset).
    pub(crate) fn of(dt: &DateTime) -> Zone {
        let name = dt.zone.as_deref().map(String::as_str);
        match name.and_then(|z| z.parse::<Tz>().ok()) {
            Some(tz) if !is_utc_alias(name) => Zone::Named(tz),
            _ => Zone::Fixed(dt.offset_seconds, dt.zone.clone()),
        }
    }

    fn name(&self) -> Option<ZoneName> {
        match self {
            Zone::Fixed(_, n) => n.clone(),
            Zone::Named(tz) => Some(ZoneName::new(tz.name().to_string())),
        }
    }

    /// The offset at a UTC instant.
    pub(crate) fn offset_at(&self, utc_seconds: i64) -> Result<i32> {
        match self {
            Zone::Fixed(off, _) => Ok(*off),
            Zone::Named(tz) => {
                let utc = chrono::DateTime::from_timestamp(utc_seconds, 0).ok_or_else(|| {
                    temporal_err(TemporalError::new("instant out of range for time zones"))
                })?;
                Ok(tz
                    .offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc())
            }
        }
    }

    /// The date-time for a wall-clock time in this zone.
    pub(crate) fn at_local(&self, local: LocalDateTime, prefer: Option<i32>) -> Result<DateTime> {
        let Zone::Named(tz) = self else {
            let Zone::Fixed(off, name) = self else {
                unreachable!("two variants")
            };
            return Ok(DateTime::from_local(local, *off, name.clone()));
        };
        let naive = chrono::DateTime::from_timestamp(local.seconds, 0)
            .ok_or_else(|| {
                temporal_err(TemporalError::new("date-time out of range for time zones"))
            })?
            .naive_utc();
        let offset = match tz.offset_from_local_datetime(&naive) {
            chrono::LocalResult::Single(o) => o.fix().local_minus_utc(),
            chrono::LocalResult::Ambiguous(a, b) => {
                let (a, b) = (a.fix().local_minus_utc(), b.fix().local_minus_utc());
                match prefer {
                    Some(p) if p == a || p == b => p,
                    _ => a.max(b),
                }
            }
            chrono::LocalResult::None => {
                // In a gap: keep the offset from before the gap; the
                // instant then shows as a later wall-clock time.
                let before = self.offset_at(local.seconds - 86_400)?;
                let utc = local.seconds - i64::from(before);
                let after = self.offset_at(utc)?;
                let mut t = DateTime::from_local(local, before, self.name());
                t.offset_seconds = after;
                return Ok(t);
            }
        };
        Ok(DateTime::from_local(local, offset, self.name()))
    }

    /// The same instant seen in this zone.
    pub(crate) fn at_instant(&self, dt: &DateTime) -> Result<DateTime> {
        Ok(dt.with_offset(self.offset_at(dt.seconds)?, self.name()))
    }
}

fn is_utc_alias(name: Option<&str>) -> bool {
    name.is_some_and(|n| parse_zone(n).is_ok())
}

/// `dt + d` honouring a named zone: months and days move the wall clock
/// (keeping the offset when still valid), seconds move the instant.
pub(crate) fn plus(dt: &DateTime, d: &Duration) -> Result<DateTime> {
    let zone = Zone::of(dt);
    if let Zone::Fixed(..) = zone {
        return dt.plus(d).map_err(temporal_err);
    }
    let date_part = Duration {
        months: d.months,
        days: d.days,
        seconds: 0,
        nanos: 0,
    };
    let local = dt.local().plus(&date_part).map_err(temporal_err)?;
    let moved = zone.at_local(local, Some(dt.offset_seconds))?;
    let total = moved.epoch_nanos() + d.total_nanos();
    let ns = i128::from(NANOS_PER_SECOND);
    let seconds = i64::try_from(total.div_euclid(ns))
        .map_err(|_| temporal_err(TemporalError::new("date-time out of range")))?;
    let instant = DateTime {
        seconds,
        nanos: total.rem_euclid(ns) as u32,
        offset_seconds: 0,
        zone: None,
    };
    zone.at_instant(&instant)
}

/// Re-reads a date-time string whose zone is an IANA name without an
/// offset (`2015-07-21T21:40[Europe/London]`), or whose offset should be
/// checked against its zone.
pub(crate) fn parse_named(s: &str) -> Option<Result<DateTime>> {
    let open = s.find('[')?;
    let name = s[open + 1..].strip_suffix(']')?;
    let tz = name.parse::<Tz>().ok()?;
    let head = &s[..open];
    if let Ok(local) = LocalDateTime::parse(head) {
        return Some(Zone::Named(tz).at_local(local, None));
    }
    // An explicit offset as well: keep it when the zone allows it.
    let fixed = DateTime::parse(head).ok()?;
    Some(Zone::Named(tz).at_local(fixed.local(), Some(fixed.offset_seconds)))
}
