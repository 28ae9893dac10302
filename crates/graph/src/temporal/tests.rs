//! Table-driven tests, most rows taken from the openCypher TCK
//! (features/expressions/temporal).

use super::arith::DurationBuilder;
use super::*;

#[test]
fn parse_date_forms() {
    let rows = [
        ("2015-07-21", "2015-07-21"),
        ("20150721", "2015-07-21"),
        ("2015-07", "2015-07-01"),
        ("201507", "2015-07-01"),
        ("2015-W30-2", "2015-07-21"),
        ("2015W302", "2015-07-21"),
        ("2015-W30", "2015-07-20"),
        ("2015W30", "2015-07-20"),
        ("2015-202", "2015-07-21"),
        ("2015202", "2015-07-21"),
        ("2015", "2015-01-01"),
        ("2024-02-29", "2024-02-29"),
        ("+10000-01-01", "+10000-01-01"),
        ("-0001-12-31", "-0001-12-31"),
        ("0028-11-11", "0028-11-11"),
    ];
    for (s, want) in rows {
        assert_eq!(
            Date::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    for bad in [
        "",
        "2015-13-01",
        "2023-02-29",
        "2015-W54",
        "2015-00",
        "2015-366",
        "15-07-21",
        "2015-07-21x",
        "abcd",
    ] {
        assert!(Date::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn parse_time_forms() {
    let local = [
        ("21:40:32.142", "21:40:32.142"),
        ("214032.142", "21:40:32.142"),
        ("21:40:32", "21:40:32"),
        ("214032", "21:40:32"),
        ("21:40", "21:40"),
        ("2140", "21:40"),
        ("21", "21:00"),
        ("12:31:14.645876123", "12:31:14.645876123"),
        ("12:31:14.000000003", "12:31:14.000000003"),
        ("10:00:00.2", "10:00:00.200"),
    ];
    for (s, want) in local {
        assert_eq!(
            LocalTime::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    let zoned = [
        ("21:40:32.142+0100", "21:40:32.142+01:00"),
        ("214032.142Z", "21:40:32.142Z"),
        ("21:40:32+01:00", "21:40:32+01:00"),
        ("214032-0100", "21:40:32-01:00"),
        ("21:40-01:30", "21:40-01:30"),
        ("2140-00:00", "21:40Z"),
        ("2140-02", "21:40-02:00"),
        ("22+18:00", "22:00+18:00"),
        ("14:30", "14:30Z"),
    ];
    for (s, want) in zoned {
        assert_eq!(
            Time::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    for bad in [
        "24:00",
        "21:60",
        "2140.5",
        "21:40:32.1234567890",
        "21+19:00",
        "x",
    ] {
        assert!(Time::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn parse_datetime_forms() {
    let local = [
        ("2015-07-21T21:40:32.142", "2015-07-21T21:40:32.142"),
        ("2015-W30-2T214032.142", "2015-07-21T21:40:32.142"),
        ("2015-202T21:40:32", "2015-07-21T21:40:32"),
        ("2015T214032", "2015-01-01T21:40:32"),
        ("20150721T21:40", "2015-07-21T21:40"),
        ("2015-W30T2140", "2015-07-20T21:40"),
        ("2015202T21", "2015-07-21T21:00"),
    ];
    for (s, want) in local {
        assert_eq!(
            LocalDateTime::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    let zoned = [
        (
            "2015-07-21T21:40:32.142+0100",
            "2015-07-21T21:40:32.142+01:00",
        ),
        ("2015-W30-2T214032.142Z", "2015-07-21T21:40:32.142Z"),
        ("2015-202T21:40:32+01:00", "2015-07-21T21:40:32+01:00"),
        ("2015T214032-0100", "2015-01-01T21:40:32-01:00"),
        ("20150721T21:40-01:30", "2015-07-21T21:40-01:30"),
        ("2015-W30T2140-00:00", "2015-07-20T21:40Z"),
        ("2015-W30T2140-02", "2015-07-20T21:40-02:00"),
        ("2015202T21+18:00", "2015-07-21T21:00+18:00"),
        (
            "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]",
            "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]",
        ),
        (
            "2015-07-21T21:40:32.142+0845[Australia/Eucla]",
            "2015-07-21T21:40:32.142+08:45[Australia/Eucla]",
        ),
        (
            "2015-07-21T21:40:32.142-04[America/New_York]",
            "2015-07-21T21:40:32.142-04:00[America/New_York]",
        ),
        ("2015-07-21T21:40[UTC]", "2015-07-21T21:40Z[UTC]"),
    ];
    for (s, want) in zoned {
        assert_eq!(
            DateTime::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    // Named zones without an offset need a zone database.
    assert!(DateTime::parse("2015-07-21T21:40:32.142[Europe/London]").is_err());
    let t = DateTime::parse("1970-01-01T01:00+01:00").unwrap();
    assert_eq!((t.seconds, t.offset_seconds), (0, 3600));
}

#[test]
fn parse_and_print_durations() {
    let rows = [
        ("P14DT16H12M", "P14DT16H12M"),
        ("P5M1.5D", "P5M1DT12H"),
        ("P0.75M", "P22DT19H51M49.5S"),
        ("PT0.75M", "PT45S"),
        ("P2.5W", "P17DT12H"),
        ("P12Y5M14DT16H12M70S", "P12Y5M14DT16H13M10S"),
        ("P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
        (
            "P12Y5M14DT16H13M10.000000001S",
            "P12Y5M14DT16H13M10.000000001S",
        ),
        ("P12Y5M-14DT16H", "P12Y5M-14DT16H"),
        ("PT11M", "PT11M"),
        ("PT1.999S", "PT1.999S"),
        ("PT-1.999S", "PT-1.999S"),
        ("PT-2.001S", "PT-2.001S"),
        ("P1DT0.001S", "P1DT0.001S"),
        ("P1DT-0.001S", "P1DT-0.001S"),
        ("PT-1M-0.001S", "PT-1M-0.001S"),
        ("PT0S", "PT0S"),
        ("-P1D", "P-1D"),
    ];
    for (s, want) in rows {
        assert_eq!(
            Duration::parse(s).map(|d| d.to_string()),
            Ok(want.to_string()),
            "{s}"
        );
    }
    for bad in ["P", "PT", "P1", "1D", "P1X", "PT1D", "P1.5.5D"] {
        assert!(Duration::parse(bad).is_err(), "{bad}");
    }
    // Normalized split: seconds floor, nanos positive.
    let d = Duration::parse("PT-23H-59M-59.9S").unwrap();
    assert_eq!((d.days, d.seconds, d.nanos), (0, -86400, 100_000_000));
}

#[test]
fn date_components_and_weeks() {
    let d = Date::from_ymd(1984, 10, 11).unwrap();
    assert_eq!(
        (d.year(), d.quarter(), d.month(), d.day()),
        (1984, 4, 10, 11)
    );
    assert_eq!(
        (
            d.iso_week(),
            d.ordinal_day(),
            d.day_of_week(),
            d.day_of_quarter()
        ),
        ((1984, 41), 285, 4, 11)
    );
    let d = Date::from_ymd(1984, 1, 1).unwrap();
    assert_eq!((d.iso_week(), d.day_of_week()), ((1983, 52), 7));
    let d = Date::from_ymd(1984, 11, 11).unwrap();
    assert_eq!(
        (
            d.iso_week().1,
            d.ordinal_day(),
            d.day_of_week(),
            d.day_of_quarter()
        ),
        (45, 316, 7, 42)
    );
    let weeks = [
        (1816, 1, "1816-01-01"),
        (1816, 52, "1816-12-23"),
        (1817, 1, "1816-12-30"),
        (1817, 10, "1817-03-03"),
        (1817, 30, "1817-07-21"),
        (1818, 1, "1817-12-29"),
        (1818, 53, "1818-12-28"),
        (1819, 1, "1819-01-04"),
        (1819, 52, "1819-12-27"),
    ];
    for (y, w, want) in weeks {
        assert_eq!(
            Date::from_week(y, w, 1).unwrap().to_string(),
            want,
            "{y}-W{w}"
        );
    }
    assert!(Date::from_week(1819, 53, 1).is_err());
    assert_eq!(
        Date::from_ordinal(1984, 202).unwrap().to_string(),
        "1984-07-20"
    );
    assert_eq!(
        Date::from_quarter(1984, 3, 45).unwrap().to_string(),
        "1984-08-14"
    );
    assert!(Date::from_quarter(1984, 1, 92).is_err());
    assert!(Date::from_ordinal(2023, 366).is_err());
    assert!(Date::from_ordinal(2024, 366).is_ok());
    // Round trip over a wide range of days.
    for days in (-800_000..800_000).step_by(997) {
        let d = Date { days };
        let (y, m, dd) = d.ymd();
        assert_eq!(Date::from_ymd(y, i64::from(m), i64::from(dd)).unwrap(), d);
    }
    assert!(Date::from_ymd(1_000_000, 1, 1).is_err());
}

#[test]
fn display_offsets_and_times() {
    assert_eq!(format_offset(3600), "+01:00");
    assert_eq!(format_offset(7559), "+02:05:59");
    assert_eq!(format_offset(-7507), "-02:05:07");
    let t = LocalTime::from_hms_nano(12, 31, 14, 645_876_000).unwrap();
    assert_eq!(t.to_string(), "12:31:14.645876");
    let dt = DateTime::parse("1984-10-11T12:31:14.645876123+01:00").unwrap();
    assert_eq!(dt.to_string(), "1984-10-11T12:31:14.645876123+01:00");
    assert_eq!(dt.seconds, 466_342_274);
    // TCK Temporal5 [6]: 1984-11-11T12:31:14.645876123+01:00.
    assert_eq!(
        DateTime::parse("1984-11-11T12:31:14.645876123+01:00")
            .unwrap()
            .seconds,
        469_020_674
    );
    assert_eq!(
        LocalDateTime {
            seconds: -1,
            nanos: 0
        }
        .to_string(),
        "1969-12-31T23:59:59"
    );
}

#[test]
fn duration_arithmetic_tck() {
    let d1 = Duration::parse("P12Y5M14DT16H12M70.000000002S").unwrap();
    let d2 = Duration::parse("P1M-14DT16H-12M70S").unwrap();
    let mut b = DurationBuilder::default();
    for (v, m, d, n) in [
        (12.5, 12, 0, 0),
        (5.5, 1, 0, 0),
        (14.5, 0, 1, 0),
        (16.5, 0, 0, 3600 * NANOS_PER_SECOND),
        (12.5, 0, 0, 60 * NANOS_PER_SECOND),
        (70.5, 0, 0, NANOS_PER_SECOND),
        (3.0, 0, 0, 1),
    ] {
        b.add_float(v, m, d, n).unwrap();
    }
    let d3 = b.build().unwrap();
    let date = Date::from_ymd(1984, 10, 11).unwrap();
    let rows = [
        (&d1, "1997-03-25", "1972-04-27"),
        (&d2, "1984-10-28", "1984-09-25"),
        (&d3, "1997-10-11", "1971-10-12"),
    ];
    for (d, sum, diff) in rows {
        assert_eq!(date.plus(d).unwrap().to_string(), sum, "{d}");
        assert_eq!(date.minus(d).unwrap().to_string(), diff, "{d}");
    }
    let lt = LocalTime::from_hms_nano(12, 31, 14, 1).unwrap();
    let rows = [
        (&d1, "04:44:24.000000003", "20:18:03.999999999"),
        (&d2, "04:20:24.000000001", "20:42:04.000000001"),
        (&d3, "22:29:27.500000004", "02:33:00.499999998"),
    ];
    for (d, sum, diff) in rows {
        assert_eq!(lt.plus(d).unwrap().to_string(), sum);
        assert_eq!(lt.minus(d).unwrap().to_string(), diff);
        let t = Time {
            nanos: lt.nanos,
            offset_seconds: 3600,
        };
        assert_eq!(t.plus(d).unwrap().to_string(), format!("{sum}+01:00"));
    }
    let ldt = LocalDateTime::new(date, lt);
    let rows = [
        (
            &d1,
            "1997-03-26T04:44:24.000000003",
            "1972-04-26T20:18:03.999999999",
        ),
        (
            &d2,
            "1984-10-29T04:20:24.000000001",
            "1984-09-24T20:42:04.000000001",
        ),
        (
            &d3,
            "1997-10-11T22:29:27.500000004",
            "1971-10-12T02:33:00.499999998",
        ),
    ];
    for (d, sum, diff) in rows {
        assert_eq!(ldt.plus(d).unwrap().to_string(), sum);
        assert_eq!(ldt.minus(d).unwrap().to_string(), diff);
        let dt = DateTime::from_local(ldt, 3600, None);
        assert_eq!(dt.plus(d).unwrap().to_string(), format!("{sum}+01:00"));
        assert_eq!(dt.minus(d).unwrap().to_string(), format!("{diff}+01:00"));
    }
    // Durations plus / minus durations (TCK Temporal8 [6]).
    let e1 = Duration::parse("P12Y5M14DT16H12M70.000000001S").unwrap();
    let rows = [
        (&e1, &e1, "P24Y10M28DT32H26M20.000000002S", "PT0S"),
        (
            &e1,
            &d2,
            "P12Y6MT32H2M20.000000001S",
            "P12Y4M28DT24M0.000000001S",
        ),
        (
            &e1,
            &d3,
            "P25Y4M43DT50H11M23.500000004S",
            "P-6M-15DT-17H-45M-3.500000002S",
        ),
        (
            &d2,
            &d3,
            "P13Y15DT49H47M23.500000003S",
            "P-12Y-10M-43DT-18H-9M-3.500000003S",
        ),
        (&d3, &d3, "P25Y10M58DT67H56M27.000000006S", "PT0S"),
    ];
    for (a, b, sum, diff) in rows {
        assert_eq!(a.checked_add(b).unwrap().to_string(), sum);
        assert_eq!(a.checked_sub(b).unwrap().to_string(), diff);
    }
    assert_eq!(
        e1.mul_int(2).unwrap().to_string(),
        "P24Y10M28DT32H26M20.000000002S"
    );
    assert_eq!(e1.div_float(2.0).unwrap().to_string(), "P6Y2M22DT13H21M8S");
    assert_eq!(
        e1.div_float(0.5).unwrap().to_string(),
        "P24Y10M28DT32H26M20.000000002S"
    );
    assert!(e1.div_float(0.0).is_err());
    assert!(Duration::new(i64::MAX, 0, 0, 0)
        .unwrap()
        .mul_int(2)
        .is_err());
    // Month-end clamping and leap years.
    let jan31 = Date::from_ymd(2024, 1, 31).unwrap();
    assert_eq!(
        jan31
            .plus(&Duration::new(1, 0, 0, 0).unwrap())
            .unwrap()
            .to_string(),
        "2024-02-29"
    );
    assert_eq!(
        jan31
            .plus(&Duration::new(13, 0, 0, 0).unwrap())
            .unwrap()
            .to_string(),
        "2025-02-28"
    );
}

fn parts(s: &str) -> TemporalParts {
    if let Ok(d) = Date::parse(s) {
        return TemporalParts::from_date(d);
    }
    if let Ok(t) = LocalTime::parse(s) {
        return TemporalParts::from_local_time(t);
    }
    if let Some(t) = s.strip_prefix("time:") {
        return TemporalParts::from_time(Time::parse(t).unwrap());
    }
    if let Some(t) = s.strip_prefix("dt:") {
        return TemporalParts::from_datetime(&DateTime::parse(t).unwrap());
    }
    TemporalParts::from_local_datetime(LocalDateTime::parse(s).unwrap())
}

#[test]
fn duration_between_tck() {
    use BetweenUnit::*;
    let rows = [
        ("1984-10-11", "2015-06-24", All, "P30Y8M13D"),
        (
            "1984-10-11",
            "2016-07-21T21:45:22.142",
            All,
            "P31Y9M10DT21H45M22.142S",
        ),
        (
            "1984-10-11",
            "dt:2015-07-21T21:40:32.142+0100",
            All,
            "P30Y9M10DT21H40M32.142S",
        ),
        ("1984-10-11", "16:30", All, "PT16H30M"),
        ("1984-10-11", "time:16:30+0100", All, "PT16H30M"),
        ("14:30", "2015-06-24", All, "PT-14H-30M"),
        (
            "14:30",
            "dt:2015-07-21T21:40:32.142+0100",
            All,
            "PT7H10M32.142S",
        ),
        (
            "time:14:30",
            "dt:2015-07-21T21:40:32.142+0100",
            All,
            "PT6H10M32.142S",
        ),
        ("time:14:30", "time:16:30+0100", All, "PT1H"),
        (
            "2015-07-21T21:40:32.142",
            "2015-06-24",
            All,
            "P-27DT-21H-40M-32.142S",
        ),
        (
            "2015-07-21T21:40:32.142",
            "2016-07-21T21:45:22.142",
            All,
            "P1YT4M50S",
        ),
        (
            "2015-07-21T21:40:32.142",
            "dt:2015-07-21T21:40:32.142+0100",
            All,
            "PT0S",
        ),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "2015-06-24",
            All,
            "P11M2DT2H19M23.857S",
        ),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "2016-07-21T21:45:22.142",
            All,
            "P2YT4M45.999S",
        ),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "dt:2015-07-21T21:40:32.142+0100",
            All,
            "P1YT59M55.999S",
        ),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "time:16:30+0100",
            All,
            "PT-4H-10M-36.143S",
        ),
        ("1984-10-11", "2016-07-21T21:45:22.142", Months, "P31Y9M"),
        ("14:30", "2015-06-24", Months, "PT0S"),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "2015-06-24",
            Months,
            "P11M",
        ),
        ("1984-10-11", "2015-06-24", Days, "P11213D"),
        ("2015-07-21T21:40:32.142", "2015-06-24", Days, "P-27D"),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "dt:2015-07-21T21:40:32.142+0100",
            Days,
            "P365D",
        ),
        ("1984-10-11", "2015-06-24", Seconds, "PT269112H"),
        (
            "dt:2014-07-21T21:40:36.143+0200",
            "dt:2015-07-21T21:40:32.142+0100",
            Seconds,
            "PT8760H59M55.999S",
        ),
        (
            "2014-07-21T21:40:36.143",
            "2014-07-21T21:40:36.142",
            Seconds,
            "PT-0.001S",
        ),
        ("2018-03-11", "2016-06-24", Months, "P-1Y-8M"),
        (
            "2018-07-21",
            "dt:2016-07-21T21:40:32.142+0100",
            Months,
            "P-1Y-11M",
        ),
        (
            "dt:2018-07-21T21:40:36.143+0500",
            "dt:1984-07-21T22:40:36.143+0200",
            Months,
            "P-33Y-11M",
        ),
        ("12:44:54.7", "12:34:55.3", Seconds, "PT-9M-59.4S"),
        ("12:34:56.3", "12:34:54.7", Seconds, "PT-1.6S"),
        (
            "2018-01-02T10:00:00.1",
            "2018-01-01T10:00:00.2",
            All,
            "PT-23H-59M-59.9S",
        ),
    ];
    for (a, b, unit, want) in rows {
        let got = duration_between(&parts(a), &parts(b), unit)
            .unwrap()
            .to_string();
        assert_eq!(got, want, "{a} -> {b} ({unit:?})");
    }
}

mod laws {
    //! Property tests: printing and parsing round-trip; `between` inverts `plus`.

    use proptest::prelude::*;

    use super::super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn display_parse_round_trip(
            days in -3_000_000i32..3_000_000,
            nanos in 0i64..NANOS_PER_DAY,
            offset in -64_800i32..=64_800,
            months in -10_000i64..10_000,
            ddays in -10_000i64..10_000,
            secs in -10_000_000_000i64..10_000_000_000,
            sub in 0i64..NANOS_PER_SECOND,
        ) {
            let d = Date { days };
            prop_assert_eq!(Date::parse(&d.to_string()), Ok(d));
            let t = LocalTime { nanos };
            prop_assert_eq!(LocalTime::parse(&t.to_string()), Ok(t));
            let z = Time { nanos, offset_seconds: offset };
            prop_assert_eq!(Time::parse(&z.to_string()), Ok(z));
            let l = LocalDateTime::new(d, t);
            prop_assert_eq!(LocalDateTime::parse(&l.to_string()), Ok(l));
            let dt = DateTime::from_local(l, offset, None);
            prop_assert_eq!(DateTime::parse(&dt.to_string()), Ok(dt));
            let dur = Duration::new(months, ddays, secs, sub).unwrap();
            prop_assert_eq!(Duration::parse(&dur.to_string()), Ok(dur));
        }

        #[test]
        fn between_inverts_plus(a in -200_000i32..200_000, b in -200_000i32..200_000, ta in 0i64..NANOS_PER_DAY, tb in 0i64..NANOS_PER_DAY) {
            let (da, db) = (Date { days: a }, Date { days: b });
            let d = duration_between(&TemporalParts::from_date(da), &TemporalParts::from_date(db), BetweenUnit::All).unwrap();
            prop_assert_eq!(da.plus(&d).unwrap(), db);
            let (la, lb) = (LocalDateTime::new(da, LocalTime { nanos: ta }), LocalDateTime::new(db, LocalTime { nanos: tb }));
            let d = duration_between(&TemporalParts::from_local_datetime(la), &TemporalParts::from_local_datetime(lb), BetweenUnit::All).unwrap();
            prop_assert_eq!(la.plus(&d).unwrap(), lb);
            let secs = duration_between(&TemporalParts::from_local_datetime(la), &TemporalParts::from_local_datetime(lb), BetweenUnit::Seconds).unwrap();
            prop_assert_eq!(la.plus(&secs).unwrap(), lb);
        }
    }
}
