//! Calendar arithmetic for generated dates (days since 1970-01-01).
//!
//! The generator works in plain day numbers so that it needs no date crate;
//! these are the same numbers as `relgraph_graph::temporal::Date::days`.

/// Days since 1970-01-01 of a proleptic Gregorian calendar date.
///
/// ```
/// use relgraph_datagen::dates::days_from_civil;
/// assert_eq!(days_from_civil(1970, 1, 1), 0);
/// assert_eq!(days_from_civil(2024, 6, 30), 19_904);
/// ```
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    // Howard Hinnant's algorithm: shift the year to start in March so the
    // leap day is the last day of the "year".
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar date `(year, month, day)` of a day number.
///
/// ```
/// use relgraph_datagen::dates::civil_from_days;
/// assert_eq!(civil_from_days(19_904), (2024, 6, 30));
/// ```
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// ISO 8601 text (`YYYY-MM-DD`) of a day number, as CSV `date` columns hold it.
///
/// ```
/// use relgraph_datagen::dates::iso_date;
/// assert_eq!(iso_date(0), "1970-01-01");
/// ```
pub fn iso_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_over_centuries() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn leap_days() {
        assert_eq!(iso_date(days_from_civil(2024, 2, 29) + 1), "2024-03-01");
        assert_eq!(iso_date(days_from_civil(2023, 2, 28) + 1), "2023-03-01");
        assert_eq!(iso_date(days_from_civil(2000, 2, 28) + 1), "2000-02-29");
    }
}
