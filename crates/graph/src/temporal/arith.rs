//! Temporal arithmetic: the duration algebra, adding durations to instants,
//! and `duration.between` with java.time's `until` semantics (which is what
//! openCypher's TCK expects).

use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, TResult, TemporalError, Time,
    AVG_SECONDS_PER_MONTH, NANOS_PER_DAY, NANOS_PER_SECOND, SECONDS_PER_DAY,
};

fn overflow() -> TemporalError {
    TemporalError::new("duration overflow")
}

fn whole(f: f64) -> TResult<i128> {
    if !f.is_finite() || f.abs() > 9.0e18 {
        return Err(overflow());
    }
    Ok(f.trunc() as i128)
}

/// Rounds values that are an integer up to float noise (`544999999.9999`)
/// and truncates genuine fractions (`0.5` nanoseconds is dropped).
fn near_trunc(f: f64) -> TResult<i128> {
    let r = f.round();
    if (f - r).abs() < 1e-3 {
        whole(r)
    } else {
        whole(f)
    }
}

/// Accumulates a duration from possibly fractional components; fractions
/// cascade down (a month is [`AVG_SECONDS_PER_MONTH`], a day 86400 s).
///
/// ```
/// use relgraph_graph::temporal::arith::DurationBuilder;
/// let mut b = DurationBuilder::default();
/// b.add_months(0, 0.75).unwrap();
/// assert_eq!(b.build().unwrap().to_string(), "P22DT19H51M49.5S");
/// ```
#[derive(Clone, Debug, Default)]
pub struct DurationBuilder {
    months: i128,
    days: i128,
    nanos: i128,
    month_frac: f64,
    day_frac: f64,
    sec_frac: f64,
}

impl DurationBuilder {
    /// Adds exact whole amounts.
    pub fn add_int(&mut self, months: i64, days: i64, seconds: i64, nanos: i64) -> TResult<()> {
        self.months += i128::from(months);
        self.days += i128::from(days);
        self.nanos += i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
        Ok(())
    }
    /// Adds months: a whole part and a fraction.
    pub fn add_months(&mut self, whole_part: i64, frac: f64) -> TResult<()> {
        self.months += i128::from(whole_part);
        self.month_frac += frac;
        self.check()
    }
    /// Adds days: a whole part and a fraction.
    pub fn add_days(&mut self, whole_part: i64, frac: f64) -> TResult<()> {
        self.days += i128::from(whole_part);
        self.day_frac += frac;
        self.check()
    }
    /// Adds seconds: a whole part and a fraction.
    pub fn add_seconds(&mut self, whole_part: i64, frac: f64) -> TResult<()> {
        self.nanos += i128::from(whole_part) * i128::from(NANOS_PER_SECOND);
        self.sec_frac += frac;
        self.check()
    }
    /// Adds a float amount of some unit (`unit_months`, `unit_days`,
    /// `unit_nanos` give the unit's size; exactly one is non-zero).
    pub fn add_float(
        &mut self,
        v: f64,
        unit_months: i64,
        unit_days: i64,
        unit_nanos: i64,
    ) -> TResult<()> {
        if !v.is_finite() {
            return Err(TemporalError::new("duration component is not finite"));
        }
        let w = whole(v)?;
        let f = v - v.trunc();
        if unit_months != 0 {
            self.months += w * i128::from(unit_months);
            self.month_frac += f * unit_months as f64;
        } else if unit_days != 0 {
            self.days += w * i128::from(unit_days);
            self.day_frac += f * unit_days as f64;
        } else {
            self.nanos += w * i128::from(unit_nanos);
            self.sec_frac += f * unit_nanos as f64 / NANOS_PER_SECOND as f64;
        }
        self.check()
    }
    fn check(&self) -> TResult<()> {
        if self.month_frac.is_finite() && self.day_frac.is_finite() && self.sec_frac.is_finite() {
            Ok(())
        } else {
            Err(overflow())
        }
    }
    /// The normalized duration.
    pub fn build(&self) -> TResult<Duration> {
        let mut months = self.months;
        let mut days = self.days;
        let mut nanos = self.nanos;
        let mw = whole(self.month_frac)?;
        months += mw;
        let day_frac = self.day_frac
            + (self.month_frac - mw as f64) * AVG_SECONDS_PER_MONTH as f64 / SECONDS_PER_DAY as f64;
        let dw = whole(day_frac)?;
        days += dw;
        let sec_frac = self.sec_frac + (day_frac - dw as f64) * SECONDS_PER_DAY as f64;
        nanos += near_trunc(sec_frac * NANOS_PER_SECOND as f64)?;
        Duration::from_parts(months, days, nanos)
    }
}

impl Duration {
    /// `-self`.
    pub fn negate(&self) -> TResult<Duration> {
        Duration::from_parts(
            -i128::from(self.months),
            -i128::from(self.days),
            -self.total_nanos(),
        )
    }
    /// `self + other`, component-wise.
    ///
    /// ```
    /// use relgraph_graph::temporal::Duration;
    /// let a = Duration::parse("P1M-14DT16H").unwrap();
    /// assert_eq!(a.checked_add(&a).unwrap().to_string(), "P2M-28DT32H");
    /// ```
    pub fn checked_add(&self, other: &Duration) -> TResult<Duration> {
        Duration::from_parts(
            i128::from(self.months) + i128::from(other.months),
            i128::from(self.days) + i128::from(other.days),
            self.total_nanos() + other.total_nanos(),
        )
    }
    /// `self - other`, component-wise.
    pub fn checked_sub(&self, other: &Duration) -> TResult<Duration> {
        self.checked_add(&other.negate()?)
    }
    /// `self * n` for an integer.
    pub fn mul_int(&self, n: i64) -> TResult<Duration> {
        let n = i128::from(n);
        Duration::from_parts(
            i128::from(self.months) * n,
            i128::from(self.days) * n,
            self.total_nanos().checked_mul(n).ok_or_else(overflow)?,
        )
    }
    /// `self * f` for a float; fractions cascade to smaller units.
    ///
    /// ```
    /// use relgraph_graph::temporal::Duration;
    /// let d = Duration::parse("P12Y5M14DT16H13M10.000000001S").unwrap();
    /// assert_eq!(d.mul_float(0.5).unwrap().to_string(), "P6Y2M22DT13H21M8S");
    /// ```
    pub fn mul_float(&self, f: f64) -> TResult<Duration> {
        if !f.is_finite() {
            return Err(TemporalError::new(
                "cannot multiply a duration by a non-finite number",
            ));
        }
        let mut b = DurationBuilder::default();
        b.add_float(self.months as f64 * f, 1, 0, 0)?;
        b.add_float(self.days as f64 * f, 0, 1, 0)?;
        b.add_float(self.seconds as f64 * f, 0, 0, NANOS_PER_SECOND)?;
        b.add_float(self.nanos as f64 * f, 0, 0, 1)?;
        b.build()
    }
    /// `self / f`.
    pub fn div_float(&self, f: f64) -> TResult<Duration> {
        if f == 0.0 {
            return Err(TemporalError::new("division of a duration by zero"));
        }
        self.mul_float(1.0 / f)
    }
}

fn total_day_nanos(d: &Duration) -> i128 {
    d.total_nanos()
}

impl Date {
    /// `self + d`: months first (clamping the day), then days, then whole
    /// days of the seconds part.
    ///
    /// ```
    /// use relgraph_graph::temporal::{Date, Duration};
    /// let d = Date::parse("1984-10-11").unwrap();
    /// let dur = Duration::parse("P12Y5M14DT16H12M70S").unwrap();
    /// assert_eq!(d.plus(&dur).unwrap().to_string(), "1997-03-25");
    /// ```
    pub fn plus(self, d: &Duration) -> TResult<Date> {
        let extra = total_day_nanos(d) / i128::from(NANOS_PER_DAY);
        let days = i64::try_from(i128::from(d.days) + extra).map_err(|_| overflow())?;
        self.plus_months(d.months)?.plus_days(days)
    }
    /// `self - d`.
    pub fn minus(self, d: &Duration) -> TResult<Date> {
        self.plus(&d.negate()?)
    }
}

impl LocalTime {
    /// `self + d` on the 24-hour clock (months and days are ignored).
    pub fn plus(self, d: &Duration) -> TResult<LocalTime> {
        let n = (i128::from(self.nanos) + d.total_nanos()).rem_euclid(i128::from(NANOS_PER_DAY));
        Ok(LocalTime { nanos: n as i64 })
    }
    /// `self - d`.
    pub fn minus(self, d: &Duration) -> TResult<LocalTime> {
        self.plus(&d.negate()?)
    }
}

impl Time {
    /// `self + d` on the 24-hour clock, keeping the offset.
    pub fn plus(self, d: &Duration) -> TResult<Time> {
        Ok(Time {
            nanos: self.local().plus(d)?.nanos,
            offset_seconds: self.offset_seconds,
        })
    }
    /// `self - d`.
    pub fn minus(self, d: &Duration) -> TResult<Time> {
        self.plus(&d.negate()?)
    }
}

impl LocalDateTime {
    /// `self + d`: months (clamping the day), then days, then the time.
    pub fn plus(self, d: &Duration) -> TResult<LocalDateTime> {
        let date = self.date().plus_months(d.months)?.plus_days(d.days)?;
        let moved = LocalDateTime::new(date, self.time());
        LocalDateTime::from_total_nanos(moved.total_nanos() + d.total_nanos())
    }
    /// `self - d`.
    pub fn minus(self, d: &Duration) -> TResult<LocalDateTime> {
        self.plus(&d.negate()?)
    }
}

impl DateTime {
    /// `self + d`, computed on the wall clock at this value's offset.
    pub fn plus(&self, d: &Duration) -> TResult<DateTime> {
        Ok(DateTime::from_local(
            self.local().plus(d)?,
            self.offset_seconds,
            self.zone.clone(),
        ))
    }
    /// `self - d`.
    pub fn minus(&self, d: &Duration) -> TResult<DateTime> {
        self.plus(&d.negate()?)
    }
}

/// The parts of any temporal value that `duration.between` looks at.
///
/// ```
/// use relgraph_graph::temporal::{Date, TemporalParts};
/// let p = TemporalParts::from_date(Date { days: 0 });
/// assert!(p.time.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemporalParts {
    /// The date, for dates and date-times.
    pub date: Option<Date>,
    /// Nanoseconds since local midnight, for times and date-times.
    pub time: Option<i64>,
    /// The UTC offset, for zoned values.
    pub offset: Option<i32>,
}

impl TemporalParts {
    /// Parts of a date.
    pub fn from_date(d: Date) -> TemporalParts {
        TemporalParts {
            date: Some(d),
            time: None,
            offset: None,
        }
    }
    /// Parts of a local time.
    pub fn from_local_time(t: LocalTime) -> TemporalParts {
        TemporalParts {
            date: None,
            time: Some(t.nanos),
            offset: None,
        }
    }
    /// Parts of a time.
    pub fn from_time(t: Time) -> TemporalParts {
        TemporalParts {
            date: None,
            time: Some(t.nanos),
            offset: Some(t.offset_seconds),
        }
    }
    /// Parts of a local date-time.
    pub fn from_local_datetime(t: LocalDateTime) -> TemporalParts {
        TemporalParts {
            date: Some(t.date()),
            time: Some(t.time().nanos),
            offset: None,
        }
    }
    /// Parts of a date-time.
    pub fn from_datetime(t: &DateTime) -> TemporalParts {
        let l = t.local();
        TemporalParts {
            date: Some(l.date()),
            time: Some(l.time().nanos),
            offset: Some(t.offset_seconds),
        }
    }
}

/// Which units `duration.between` and its variants compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BetweenUnit {
    /// Months, then days, then seconds (`duration.between`).
    All,
    /// Whole months only (`duration.inMonths`).
    Months,
    /// Whole days only (`duration.inDays`).
    Days,
    /// Seconds and nanoseconds only (`duration.inSeconds`).
    Seconds,
}

fn months_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    let end = adjusted_end(a, b);
    let (ay, am, ad) = a.date().ymd();
    let (by, bm, bd) = end.ymd();
    let p1 = (ay * 12 + i64::from(am) - 1) * 32 + i64::from(ad);
    let p2 = (by * 12 + i64::from(bm) - 1) * 32 + i64::from(bd);
    (p2 - p1) / 32
}

fn days_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    i64::from(adjusted_end(a, b).days) - i64::from(a.date().days)
}

/// java.time's rule: a date-based `until` counts a day only once the time
/// of day has also been reached.
fn adjusted_end(a: LocalDateTime, b: LocalDateTime) -> Date {
    let (ad, bd) = (a.date(), b.date());
    let (at, bt) = (a.time(), b.time());
    if bd > ad && bt < at {
        Date { days: bd.days - 1 }
    } else if bd < ad && bt > at {
        Date { days: bd.days + 1 }
    } else {
        bd
    }
}

/// The duration from `a` to `b`. A value without a date contributes only
/// its time of day (dates count as midnight); a value without an offset is
/// taken to be at the other value's offset.
///
/// ```
/// use relgraph_graph::temporal::{duration_between, BetweenUnit, Date, TemporalParts};
/// let a = TemporalParts::from_date(Date::parse("1984-10-11").unwrap());
/// let b = TemporalParts::from_date(Date::parse("2015-06-24").unwrap());
/// assert_eq!(duration_between(&a, &b, BetweenUnit::All).unwrap().to_string(), "P30Y8M13D");
/// ```
pub fn duration_between(
    a: &TemporalParts,
    b: &TemporalParts,
    unit: BetweenUnit,
) -> TResult<Duration> {
    let offset_shift = match (a.offset, b.offset) {
        (Some(oa), Some(ob)) => i64::from(oa) - i64::from(ob),
        _ => 0,
    };
    let (Some(da), Some(db)) = (a.date, b.date) else {
        if matches!(unit, BetweenUnit::Months | BetweenUnit::Days) {
            return Ok(Duration::ZERO);
        }
        let diff = i128::from(b.time.unwrap_or(0)) - i128::from(a.time.unwrap_or(0))
            + i128::from(offset_shift) * i128::from(NANOS_PER_SECOND);
        return Duration::from_parts(0, 0, diff);
    };
    let la = LocalDateTime::new(
        da,
        LocalTime {
            nanos: a.time.unwrap_or(0),
        },
    );
    let lb0 = LocalDateTime::new(
        db,
        LocalTime {
            nanos: b.time.unwrap_or(0),
        },
    );
    let lb = LocalDateTime::from_total_nanos(
        lb0.total_nanos() + i128::from(offset_shift) * i128::from(NANOS_PER_SECOND),
    )?;
    match unit {
        BetweenUnit::Months => Duration::new(months_until(la, lb), 0, 0, 0),
        BetweenUnit::Days => Duration::new(0, days_until(la, lb), 0, 0),
        BetweenUnit::Seconds => Duration::from_parts(0, 0, lb.total_nanos() - la.total_nanos()),
        BetweenUnit::All => {
            let months = months_until(la, lb);
            let from = la.plus(&Duration::new(months, 0, 0, 0)?)?;
            let days = days_until(from, lb);
            let from = from.plus(&Duration::new(0, days, 0, 0)?)?;
            Duration::from_parts(
                i128::from(months),
                i128::from(days),
                lb.total_nanos() - from.total_nanos(),
            )
        }
    }
}
