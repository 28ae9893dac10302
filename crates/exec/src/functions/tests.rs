//! Table-driven tests of the scalar functions; temporal rows are from the
//! openCypher TCK (expressions/temporal, string, list, typeConversion).

#![allow(clippy::type_complexity)]

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::change::CatalogSnapshot;
use relgraph_graph::temporal::DateTime;
use relgraph_graph::{Catalog, Change, ChangeSet, NodeId, Path, RelId, Snapshot, Value};

use super::*;
use crate::error::ErrorKind;

struct Ctx {
    snap: Snapshot,
    now: DateTime,
}

impl FnContext for Ctx {
    fn snapshot(&self) -> &Snapshot {
        &self.snap
    }
    fn statement_time(&self) -> DateTime {
        self.now.clone()
    }
}

fn ctx() -> Ctx {
    Ctx {
        snap: Snapshot::empty(),
        now: DateTime::parse("2024-03-01T10:15:30.5+01:00").expect("valid literal"),
    }
}

fn i(v: i64) -> Value {
    Value::Int(v)
}
fn f(v: f64) -> Value {
    Value::Float(v)
}
fn s(v: &str) -> Value {
    Value::from(v)
}
fn l(v: Vec<Value>) -> Value {
    Value::List(v)
}
const N: Value = Value::Null;

/// Parses a tiny map literal `{year: 1984, timezone: '+01:00', days: 1.5}`
/// so TCK rows can be pasted as they are.
fn map(src: &str) -> Value {
    let body = src.trim().trim_start_matches('{').trim_end_matches('}');
    let mut m = BTreeMap::new();
    for part in body.split(',').filter(|p| !p.trim().is_empty()) {
        let (k, v) = part.split_once(':').expect("key: value");
        let v = v.trim();
        let value = if let Some(q) = v.strip_prefix('\'') {
            s(q.trim_end_matches('\''))
        } else if v.contains('.') {
            f(v.parse().expect("float"))
        } else {
            i(v.parse().expect("int"))
        };
        m.insert(Arc::from(k.trim()), value);
    }
    Value::Map(m)
}

fn call(name: &str, args: &[Value]) -> Value {
    call_scalar(name, args, &ctx()).unwrap_or_else(|e| panic!("{name}({args:?}): {e}"))
}

fn show(v: &Value) -> String {
    match v {
        Value::String(x) => x.to_string(),
        other => crate::value_ops::display_scalar(other).unwrap_or_else(|| format!("{other:?}")),
    }
}

#[test]
fn temporal_from_maps_tck() {
    let rows = [
        ("date", "{year: 1816, week: 1}", "1816-01-01"),
        ("date", "{year: 1818, week: 53}", "1818-12-28"),
        ("date", "{dayOfWeek: 2, year: 1817, week: 1}", "1816-12-31"),
        ("date", "{year: 1984, month: 10, day: 11}", "1984-10-11"),
        ("date", "{year: 1984, month: 10}", "1984-10-01"),
        ("date", "{year: 1984, week: 10, dayOfWeek: 3}", "1984-03-07"),
        ("date", "{year: 1984, week: 10}", "1984-03-05"),
        ("date", "{year: 1984}", "1984-01-01"),
        ("date", "{year: 1984, ordinalDay: 202}", "1984-07-20"),
        ("date", "{year: 1984, quarter: 3, dayOfQuarter: 45}", "1984-08-14"),
        ("date", "{year: 1984, quarter: 3}", "1984-07-01"),
        ("localtime", "{hour: 12, minute: 31, second: 14, nanosecond: 789, millisecond: 123, microsecond: 456}", "12:31:14.123456789"),
        ("localtime", "{hour: 12, minute: 31, second: 14, nanosecond: 645876123}", "12:31:14.645876123"),
        ("localtime", "{hour: 12, minute: 31, second: 14, microsecond: 645876}", "12:31:14.645876"),
        ("localtime", "{hour: 12, minute: 31}", "12:31"),
        ("localtime", "{hour: 12}", "12:00"),
        ("time", "{hour: 12, minute: 31, second: 14, nanosecond: 3}", "12:31:14.000000003Z"),
        ("time", "{hour: 12, minute: 31, second: 14, millisecond: 645, timezone: '+01:00'}", "12:31:14.645+01:00"),
        ("time", "{hour: 12, timezone: '+01:00'}", "12:00+01:00"),
        ("time", "{hour: 12, minute: 34, second: 56, timezone: '+02:05:00'}", "12:34:56+02:05"),
        ("time", "{hour: 12, minute: 34, second: 56, timezone: '-02:05:07'}", "12:34:56-02:05:07"),
        ("localdatetime", "{year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 3}", "1984-10-11T12:31:14.000000003"),
        ("localdatetime", "{year: 1984, week: 10, dayOfWeek: 3, hour: 12, minute: 31}", "1984-03-07T12:31"),
        ("localdatetime", "{year: 1984, quarter: 3, dayOfQuarter: 45, hour: 12}", "1984-08-14T12:00"),
        ("localdatetime", "{year: 1816, week: 52}", "1816-12-23T00:00"),
        ("datetime", "{year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, millisecond: 645}", "1984-10-11T12:31:14.645Z"),
        ("datetime", "{year: 1984, ordinalDay: 202, timezone: '+01:00'}", "1984-07-20T00:00+01:00"),
        ("datetime", "{year: 1984, month: 10, day: 11, hour: 12, minute: 34, second: 56, timezone: '+02:05:59'}", "1984-10-11T12:34:56+02:05:59"),
        ("datetime", "{year: 1984, timezone: 'UTC'}", "1984-01-01T00:00Z[UTC]"),
        ("datetime", "{epochSeconds: 416779, nanosecond: 999999999}", "1970-01-05T19:46:19.999999999Z"),
        ("datetime", "{epochMillis: 237821673987, timezone: '+01:00'}", "1977-07-15T14:34:33.987+01:00"),
        ("duration", "{days: 14, hours: 16, minutes: 12}", "P14DT16H12M"),
        ("duration", "{months: 5, days: 1.5}", "P5M1DT12H"),
        ("duration", "{months: 0.75}", "P22DT19H51M49.5S"),
        ("duration", "{weeks: 2.5}", "P17DT12H"),
        ("duration", "{years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70}", "P12Y5M14DT16H13M10S"),
        ("duration", "{days: 14, seconds: 70, milliseconds: 1}", "P14DT1M10.001S"),
        ("duration", "{days: 14, seconds: 70, microseconds: 1}", "P14DT1M10.000001S"),
        ("duration", "{days: 14, seconds: 70, nanoseconds: 1}", "P14DT1M10.000000001S"),
        ("duration", "{minutes: 1.5, seconds: 1}", "PT1M31S"),
        ("duration", "{years: 12, months: 5, days: -14, hours: 16}", "P12Y5M-14DT16H"),
        ("duration", "{minutes: 12, seconds: -60}", "PT11M"),
        ("duration", "{seconds: 2, milliseconds: -1}", "PT1.999S"),
        ("duration", "{seconds: -60, milliseconds: -1}", "PT-1M-0.001S"),
    ];
    for (func, m, want) in rows {
        let got = call(func, &[map(m)]);
        assert_eq!(show(&got), want, "{func}({m})");
        // Temporal6: toString round-trips.
        assert_eq!(call(func, &[s(want)]), got, "{func}('{want}')");
    }
    let errors = [
        ("date", "{month: 1}"),
        ("date", "{year: 1984, month: 13}"),
        ("date", "{year: 1984, month: 2, day: 30}"),
        ("localtime", "{minute: 1}"),
        ("localtime", "{hour: 24}"),
        ("time", "{hour: 1, timezone: 'Mars/Olympus_Mons'}"),
        ("date", "{year: 1984, foo: 1}"),
        ("duration", "{}"),
        ("duration", "{days: 'x'}"),
    ];
    for (func, m) in errors {
        assert!(call_scalar(func, &[map(m)], &ctx()).is_err(), "{func}({m})");
    }
}

#[test]
fn temporal_selection_tck() {
    let c = ctx();
    let date = call("date", &[map("{year: 1984, month: 11, day: 11}")]);
    let dt = call(
        "datetime",
        &[map(
            "{year: 1984, month: 11, day: 11, hour: 12, timezone: '+01:00'}",
        )],
    );
    let time = call(
        "time",
        &[map(
            "{hour: 12, minute: 31, second: 14, microsecond: 645876, timezone: '+01:00'}",
        )],
    );
    let lt = call(
        "localtime",
        &[map(
            "{hour: 12, minute: 31, second: 14, nanosecond: 645876123}",
        )],
    );
    let with = |pairs: &[(&str, Value)], extra: &str| {
        let Value::Map(mut m) = map(extra) else {
            unreachable!()
        };
        for (k, v) in pairs {
            m.insert(Arc::from(*k), v.clone());
        }
        Value::Map(m)
    };
    let rows = [
        ("date", date.clone(), "1984-11-11"),
        (
            "date",
            with(&[("date", date.clone())], "{year: 28}"),
            "0028-11-11",
        ),
        (
            "date",
            with(&[("date", date.clone())], "{week: 1}"),
            "1984-01-08",
        ),
        (
            "date",
            with(&[("date", date.clone())], "{ordinalDay: 28}"),
            "1984-01-28",
        ),
        (
            "date",
            with(&[("date", date.clone())], "{quarter: 3}"),
            "1984-08-11",
        ),
        ("date", dt.clone(), "1984-11-11"),
        (
            "localtime",
            with(&[("time", lt.clone())], "{second: 42}"),
            "12:31:42.645876123",
        ),
        ("localtime", time.clone(), "12:31:14.645876"),
        ("localtime", dt.clone(), "12:00"),
        ("time", lt.clone(), "12:31:14.645876123Z"),
        (
            "time",
            with(&[("time", lt.clone())], "{timezone: '+05:00'}"),
            "12:31:14.645876123+05:00",
        ),
        (
            "time",
            with(
                &[("time", time.clone())],
                "{second: 42, timezone: '+05:00'}",
            ),
            "16:31:42.645876+05:00",
        ),
        (
            "localdatetime",
            with(
                &[("date", date.clone())],
                "{hour: 10, minute: 10, second: 10}",
            ),
            "1984-11-11T10:10:10",
        ),
        (
            "localdatetime",
            with(
                &[("date", date.clone()), ("time", time.clone())],
                "{day: 28, second: 42}",
            ),
            "1984-11-28T12:31:42.645876",
        ),
        ("localdatetime", dt.clone(), "1984-11-11T12:00"),
        (
            "localdatetime",
            with(&[("datetime", dt.clone())], "{day: 28, second: 42}"),
            "1984-11-28T12:00:42",
        ),
        (
            "datetime",
            with(
                &[("date", dt.clone())],
                "{hour: 10, minute: 10, second: 10}",
            ),
            "1984-11-11T10:10:10Z",
        ),
        (
            "datetime",
            with(
                &[("date", date.clone()), ("time", time.clone())],
                "{timezone: '+05:00'}",
            ),
            "1984-11-11T16:31:14.645876+05:00",
        ),
        (
            "datetime",
            with(&[("datetime", dt.clone())], "{timezone: '+05:00'}"),
            "1984-11-11T16:00+05:00",
        ),
        ("datetime", date.clone(), "1984-11-11T00:00Z"),
    ];
    for (func, arg, want) in rows {
        let got = call_scalar(func, std::slice::from_ref(&arg), &c)
            .unwrap_or_else(|e| panic!("{func}({arg:?}): {e}"));
        assert_eq!(show(&got), want, "{func}({arg:?})");
    }
}

#[test]
fn temporal_now_truncate_epoch_between() {
    let rows: Vec<(&str, Vec<Value>, &str)> = vec![
        ("date", vec![], "2024-03-01"),
        ("localtime", vec![], "10:15:30.500"),
        ("time", vec![], "10:15:30.500+01:00"),
        ("localdatetime", vec![], "2024-03-01T10:15:30.500"),
        ("datetime", vec![], "2024-03-01T10:15:30.500+01:00"),
        ("date.statement", vec![], "2024-03-01"),
        (
            "datetime",
            vec![map("{timezone: '+05:00'}")],
            "2024-03-01T14:15:30.500+05:00",
        ),
        (
            "datetime.fromepoch",
            vec![i(416779), i(999999999)],
            "1970-01-05T19:46:19.999999999Z",
        ),
        (
            "datetime.fromepochmillis",
            vec![i(237821673987)],
            "1977-07-15T13:34:33.987Z",
        ),
        (
            "date.truncate",
            vec![
                s("millennium"),
                call("date", &[s("2017-10-11")]),
                map("{day: 2}"),
            ],
            "2000-01-02",
        ),
        (
            "date.truncate",
            vec![s("century"), call("date", &[s("1984-10-11")])],
            "1900-01-01",
        ),
        (
            "date.truncate",
            vec![s("decade"), call("localdatetime", &[s("1984-10-11T12:31")])],
            "1980-01-01",
        ),
        (
            "date.truncate",
            vec![
                s("weekYear"),
                call("date", &[s("1984-02-01")]),
                map("{day: 5}"),
            ],
            "1984-01-05",
        ),
        (
            "date.truncate",
            vec![
                s("weekYear"),
                call("datetime", &[s("1984-01-01T12:31+01:00")]),
            ],
            "1983-01-03",
        ),
        (
            "date.truncate",
            vec![s("quarter"), call("date", &[s("1984-11-11")])],
            "1984-10-01",
        ),
        (
            "date.truncate",
            vec![
                s("week"),
                call("date", &[s("1984-10-11")]),
                map("{dayOfWeek: 2}"),
            ],
            "1984-10-09",
        ),
        (
            "datetime.truncate",
            vec![
                s("hour"),
                call("datetime", &[s("1984-10-11T12:31:14.645+01:00")]),
            ],
            "1984-10-11T12:00+01:00",
        ),
        (
            "datetime.truncate",
            vec![
                s("day"),
                call("datetime", &[s("1984-10-11T12:31:14.645+01:00")]),
                map("{nanosecond: 2}"),
            ],
            "1984-10-11T00:00:00.000000002+01:00",
        ),
        (
            "localtime.truncate",
            vec![
                s("millisecond"),
                call("localtime", &[s("12:31:14.645876123")]),
            ],
            "12:31:14.645",
        ),
        (
            "time.truncate",
            vec![s("minute"), call("time", &[s("12:31:14.645876123+01:00")])],
            "12:31+01:00",
        ),
        (
            "localdatetime.truncate",
            vec![
                s("second"),
                call("localdatetime", &[s("1984-10-11T12:31:14.645")]),
            ],
            "1984-10-11T12:31:14",
        ),
        (
            "duration.between",
            vec![
                call("date", &[s("1984-10-11")]),
                call("date", &[s("2015-06-24")]),
            ],
            "P30Y8M13D",
        ),
        (
            "duration.inDays",
            vec![
                call("date", &[s("1984-10-11")]),
                call("date", &[s("2015-06-24")]),
            ],
            "P11213D",
        ),
        (
            "duration.inMonths",
            vec![
                call("localtime", &[s("14:30")]),
                call("date", &[s("2015-06-24")]),
            ],
            "PT0S",
        ),
        (
            "duration.inSeconds",
            vec![
                call("localtime", &[s("14:30")]),
                call("localtime", &[s("16:30")]),
            ],
            "PT2H",
        ),
        ("duration", vec![s("P1Y")], "P1Y"),
    ];
    for (func, args, want) in rows {
        let got =
            call_scalar(func, &args, &ctx()).unwrap_or_else(|e| panic!("{func}({args:?}): {e}"));
        assert_eq!(show(&got), want, "{func}({args:?})");
    }
    assert_eq!(call("timestamp", &[]), i(1_709_284_530_500));
    for func in [
        "duration.between",
        "duration.inMonths",
        "duration.inDays",
        "duration.inSeconds",
    ] {
        assert_eq!(call(func, &[N, N]), N);
    }
    for func in [
        "date",
        "time",
        "localtime",
        "localdatetime",
        "datetime",
        "duration",
    ] {
        assert_eq!(call(func, &[N]), N);
    }
    assert!(call_scalar(
        "date.truncate",
        &[s("hour"), call("date", &[s("1984-10-11")])],
        &ctx()
    )
    .is_err());
    assert!(call_scalar("date", &[s("2015-02-30")], &ctx()).is_err());
    assert!(call_scalar("date", &[i(1)], &ctx()).is_err());
}

#[test]
fn temporal_components_tck() {
    let d = call("localdatetime", &[map("{year: 1984, month: 11, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123}")]);
    let rows = [
        ("year", 1984),
        ("quarter", 4),
        ("month", 11),
        ("week", 45),
        ("weekYear", 1984),
        ("day", 11),
        ("ordinalDay", 316),
        ("weekDay", 7),
        ("dayOfQuarter", 42),
        ("hour", 12),
        ("minute", 31),
        ("second", 14),
        ("millisecond", 645),
        ("microsecond", 645876),
        ("nanosecond", 645876123),
    ];
    for (k, want) in rows {
        assert_eq!(temporal::component(&d, k), Some(i(want)), "{k}");
    }
    let dt = call("datetime", &[map("{year: 1984, month: 11, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: '+01:00'}")]);
    assert_eq!(temporal::component(&dt, "epochSeconds"), Some(i(469020674)));
    assert_eq!(
        temporal::component(&dt, "epochMillis"),
        Some(i(469020674645))
    );
    assert_eq!(temporal::component(&dt, "offsetMinutes"), Some(i(60)));
    let dur = call("duration", &[map("{years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}")]);
    let rows = [
        ("years", 1),
        ("quarters", 5),
        ("months", 16),
        ("weeks", 1),
        ("days", 10),
        ("hours", 1),
        ("minutes", 61),
        ("seconds", 3661),
        ("milliseconds", 3661111),
        ("microseconds", 3661111111),
        ("nanoseconds", 3661111111111),
        ("quartersOfYear", 1),
        ("monthsOfQuarter", 1),
        ("monthsOfYear", 4),
        ("daysOfWeek", 3),
        ("minutesOfHour", 1),
        ("secondsOfMinute", 1),
        ("millisecondsOfSecond", 111),
        ("microsecondsOfSecond", 111111),
        ("nanosecondsOfSecond", 111111111),
    ];
    for (k, want) in rows {
        assert_eq!(temporal::component(&dur, k), Some(i(want)), "{k}");
    }
}

#[test]
fn string_functions() {
    let rows: Vec<(&str, Vec<Value>, Value)> = vec![
        ("toUpper", vec![s("abc")], s("ABC")),
        ("TOLOWER", vec![s("ABC")], s("abc")),
        ("toLower", vec![N], N),
        ("trim", vec![s("  a b  ")], s("a b")),
        ("lTrim", vec![s("  a ")], s("a ")),
        ("rTrim", vec![s(" a  ")], s(" a")),
        ("replace", vec![s("hello"), s("l"), s("w")], s("hewwo")),
        ("replace", vec![s("hello"), N, s("w")], N),
        ("substring", vec![s("hello"), i(1), i(3)], s("ell")),
        ("substring", vec![s("hello"), i(2)], s("llo")),
        ("substring", vec![s("hello"), i(10)], s("")),
        ("substring", vec![s("0123456789"), i(1)], s("123456789")),
        ("substring", vec![s("héllo"), i(1), i(2)], s("él")),
        ("left", vec![s("hello"), i(3)], s("hel")),
        ("left", vec![s("hi"), i(10)], s("hi")),
        ("right", vec![s("hello"), i(3)], s("llo")),
        ("left", vec![N, i(3)], N),
        (
            "split",
            vec![s("one,two"), s(",")],
            l(vec![s("one"), s("two")]),
        ),
        (
            "split",
            vec![s("a,b;c"), l(vec![s(","), s(";")])],
            l(vec![s("a"), s("b"), s("c")]),
        ),
        (
            "split",
            vec![s(",a,"), s(",")],
            l(vec![s(""), s("a"), s("")]),
        ),
        ("split", vec![s("ab"), s("")], l(vec![s("a"), s("b")])),
        ("split", vec![N, s(",")], N),
        ("reverse", vec![s("abc")], s("cba")),
        (
            "reverse",
            vec![l(vec![i(4923), s("abc"), i(521), N, i(487)])],
            l(vec![i(487), N, i(521), s("abc"), i(4923)]),
        ),
        ("size", vec![s("héllo")], i(5)),
        ("size", vec![l(vec![i(1), N])], i(2)),
        ("size", vec![N], N),
        ("toString", vec![i(42)], s("42")),
        ("toString", vec![f(2.3)], s("2.3")),
        ("toString", vec![Value::Bool(true)], s("true")),
        ("toString", vec![s("apa")], s("apa")),
        ("toString", vec![N], N),
        ("toStringOrNull", vec![l(vec![])], N),
    ];
    for (func, args, want) in rows {
        assert_eq!(call(func, &args), want, "{func}({args:?})");
    }
    for (func, args) in [
        ("toUpper", vec![i(1)]),
        ("substring", vec![s("a"), i(-1)]),
        ("left", vec![s("a"), i(-1)]),
        ("left", vec![s("a"), N]),
        ("toString", vec![l(vec![])]),
        ("toString", vec![Value::Node(NodeId(0))]),
        ("size", vec![i(1)]),
        ("nosuchfunction", vec![]),
        ("toUpper", vec![]),
    ] {
        assert!(
            call_scalar(func, &args, &ctx()).is_err(),
            "{func}({args:?})"
        );
    }
}

#[test]
fn math_functions() {
    let rows: Vec<(&str, Vec<Value>, Value)> = vec![
        ("abs", vec![i(-1)], i(1)),
        ("abs", vec![f(-1.5)], f(1.5)),
        ("abs", vec![N], N),
        ("ceil", vec![f(1.1)], f(2.0)),
        ("floor", vec![f(-1.1)], f(-2.0)),
        ("round", vec![f(2.5)], f(3.0)),
        // Neo4j: ties go towards positive infinity without a precision
        // or with precision 0, away from zero otherwise (HALF_UP).
        ("round", vec![f(-2.5)], f(-2.0)),
        ("round", vec![f(-2.5), i(0)], f(-2.0)),
        ("round", vec![f(-2.5), i(0), s("HALF_UP")], f(-3.0)),
        ("round", vec![f(-1.25), i(1)], f(-1.3)),
        ("round", vec![f(-2.6)], f(-3.0)),
        ("round", vec![f(1.23456), i(2)], f(1.23)),
        ("round", vec![f(2.5), i(0), s("HALF_EVEN")], f(2.0)),
        ("round", vec![f(1.25), i(1), s("HALF_DOWN")], f(1.2)),
        ("round", vec![f(1.21), i(1), s("CEILING")], f(1.3)),
        ("sign", vec![i(-7)], i(-1)),
        ("sign", vec![f(0.0)], i(0)),
        ("sqrt", vec![f(12.96)], f(3.6)),
        ("exp", vec![i(0)], f(1.0)),
        ("log10", vec![i(100)], f(2.0)),
        ("atan2", vec![i(0), i(1)], f(0.0)),
        ("degrees", vec![f(std::f64::consts::PI)], f(180.0)),
        ("haversin", vec![i(0)], f(0.0)),
        ("pi", vec![], f(std::f64::consts::PI)),
    ];
    for (func, args, want) in rows {
        assert_eq!(call(func, &args), want, "{func}({args:?})");
    }
    let Value::Float(r) = call("rand", &[]) else {
        panic!("rand() is a float")
    };
    assert!((0.0..1.0).contains(&r));
    assert!(call_scalar("abs", &[i(i64::MIN)], &ctx()).is_err());
    assert!(call_scalar("sqrt", &[s("x")], &ctx()).is_err());
    assert!(call_scalar("round", &[f(1.5), i(0), s("BOGUS")], &ctx()).is_err());
    assert!(matches!(call("log", &[i(-1)]), Value::Float(x) if x.is_nan()));
}

#[test]
fn list_and_conversion_functions() {
    let rows: Vec<(&str, Vec<Value>, Value)> = vec![
        ("head", vec![l(vec![i(1), i(2)])], i(1)),
        ("head", vec![l(vec![])], N),
        ("last", vec![l(vec![i(1), i(2)])], i(2)),
        ("tail", vec![l(vec![i(1), i(2)])], l(vec![i(2)])),
        ("tail", vec![l(vec![])], l(vec![])),
        ("range", vec![i(0), i(3)], l(vec![i(0), i(1), i(2), i(3)])),
        (
            "range",
            vec![i(0), i(10), i(3)],
            l(vec![i(0), i(3), i(6), i(9)]),
        ),
        ("range", vec![i(5), i(1), i(-2)], l(vec![i(5), i(3), i(1)])),
        ("range", vec![i(2), i(1)], l(vec![])),
        ("isEmpty", vec![l(vec![])], Value::Bool(true)),
        ("coalesce", vec![N, i(2), i(3)], i(2)),
        ("coalesce", vec![N, N], N),
        ("toInteger", vec![f(82.9)], i(82)),
        ("toInteger", vec![s("foo")], N),
        ("toInteger", vec![s("")], N),
        ("toInteger", vec![s("1.7")], i(1)),
        ("toInteger", vec![s(" 42 ")], i(42)),
        ("toInteger", vec![s("0x1F")], i(31)),
        ("toInteger", vec![Value::Bool(true)], i(1)),
        ("toFloat", vec![i(3)], f(3.0)),
        ("toFloat", vec![s("5")], f(5.0)),
        ("toFloat", vec![s("foo")], N),
        ("toBoolean", vec![s("true")], Value::Bool(true)),
        ("toBoolean", vec![s(" tru ")], N),
        ("toBoolean", vec![s("f alse")], N),
        ("toBoolean", vec![s("")], N),
        ("toBoolean", vec![i(0)], Value::Bool(false)),
        ("toIntegerOrNull", vec![l(vec![])], N),
        ("toFloatOrNull", vec![Value::Bool(true)], N),
        ("toBooleanOrNull", vec![f(1.0)], N),
        (
            "toIntegerList",
            vec![l(vec![s("1"), s("x"), f(2.5)])],
            l(vec![i(1), N, i(2)]),
        ),
        (
            "toStringList",
            vec![l(vec![i(1), l(vec![])])],
            l(vec![s("1"), N]),
        ),
    ];
    for (func, args, want) in rows {
        assert_eq!(call(func, &args), want, "{func}({args:?})");
    }
    for (func, args) in [
        ("range", vec![i(2), i(8), i(0)]),
        ("range", vec![f(1.0), i(8)]),
        ("range", vec![i(0), i(i64::MAX)]),
        ("toBoolean", vec![f(1.0)]),
        ("toInteger", vec![l(vec![])]),
        ("toFloat", vec![Value::Bool(true)]),
        ("head", vec![i(1)]),
    ] {
        assert!(
            call_scalar(func, &args, &ctx()).is_err(),
            "{func}({args:?})"
        );
    }
}

#[test]
fn graph_functions() {
    let mut cat = Catalog::default();
    let person = cat.intern_label("Person");
    let admin = cat.intern_label("Admin");
    let knows = cat.intern_rel_type("KNOWS");
    let name = cat.intern_prop_key("name");
    let since = cat.intern_prop_key("since");
    let cs = ChangeSet {
        catalog: Some(CatalogSnapshot(cat)),
        changes: vec![
            Change::CreateNode {
                id: NodeId(0),
                labels: vec![person, admin],
                props: vec![(name, s("Ada"))],
            },
            Change::CreateNode {
                id: NodeId(1),
                labels: vec![],
                props: vec![],
            },
            Change::CreateRel {
                id: RelId(0),
                rel_type: knows,
                src: NodeId(0),
                dst: NodeId(1),
                props: vec![(since, i(1843))],
            },
        ],
    };
    let c = Ctx {
        snap: Snapshot::empty().apply(&cs).expect("valid change set"),
        now: ctx().now,
    };
    let n0 = Value::Node(NodeId(0));
    let r0 = Value::Relationship(RelId(0));
    let p = Value::from(Path {
        nodes: vec![NodeId(0), NodeId(1)],
        rels: vec![RelId(0)],
    });
    let mut props = BTreeMap::new();
    props.insert(Arc::from("name"), s("Ada"));
    let rows: Vec<(&str, Value, Value)> = vec![
        ("id", n0.clone(), i(0)),
        ("id", r0.clone(), i(0)),
        ("labels", n0.clone(), l(vec![s("Person"), s("Admin")])),
        ("labels", Value::Node(NodeId(1)), l(vec![])),
        ("labels", N, N),
        ("type", r0.clone(), s("KNOWS")),
        ("properties", n0.clone(), Value::Map(props)),
        ("keys", r0.clone(), l(vec![s("since")])),
        ("keys", n0.clone(), l(vec![s("name")])),
        ("startNode", r0.clone(), n0.clone()),
        ("endNode", r0.clone(), Value::Node(NodeId(1))),
        (
            "nodes",
            p.clone(),
            l(vec![n0.clone(), Value::Node(NodeId(1))]),
        ),
        ("relationships", p.clone(), l(vec![r0.clone()])),
        ("length", p.clone(), i(1)),
        ("elementId", n0.clone(), s("n:0")),
    ];
    for (func, arg, want) in rows {
        let got = call_scalar(func, std::slice::from_ref(&arg), &c)
            .unwrap_or_else(|e| panic!("{func}({arg:?}): {e}"));
        assert_eq!(got, want, "{func}({arg:?})");
    }
    for (func, arg) in [
        ("labels", i(1)),
        ("type", n0.clone()),
        ("properties", s("Cypher")),
        ("length", n0),
        ("size", p),
    ] {
        assert!(
            call_scalar(func, std::slice::from_ref(&arg), &c).is_err(),
            "{func}({arg:?})"
        );
    }
}

#[test]
fn registry() {
    assert!(is_known_scalar("DATE.TRUNCATE"));
    assert!(is_known_scalar("toIntegerOrNull"));
    assert!(!is_known_scalar("exists"));
    assert!(is_aggregate("stDevP"));
    assert!(!is_aggregate("rand"));
    assert!(is_nondeterministic("datetime.realtime"));
    for (_, names) in SCALARS {
        for (name, _, _) in *names {
            assert!(!is_aggregate(name), "{name}");
        }
    }
    match call_scalar("nope", &[], &ctx()).map_err(ExecError::into_kind) {
        Err(ErrorKind::Semantic { detail, .. }) => assert_eq!(detail, "UnknownFunction"),
        other => panic!("expected UnknownFunction, got {other:?}"),
    }
}

#[test]
fn named_time_zones() {
    let dt = |s: &str| call("datetime", &[Value::from(s)]);
    let rows: Vec<(Value, &str)> = vec![
        (dt("2015-07-21T21:40:32.142[Europe/London]"), "2015-07-21T21:40:32.142+01:00[Europe/London]"),
        (dt("1818-07-21T21:40:32.142[Europe/Stockholm]"), "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"),
        (dt("2015-07-21T21:40:32.142+02:00[Europe/Stockholm]"), "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]"),
        (
            call("datetime", &[map("{year: 1984, month: 10, day: 11, hour: 12, timezone: 'Europe/Stockholm'}")]),
            "1984-10-11T12:00+01:00[Europe/Stockholm]",
        ),
        (
            call("datetime", &[map("{year: 1984, ordinalDay: 202, timezone: 'Europe/Stockholm'}")]),
            "1984-07-20T00:00+02:00[Europe/Stockholm]",
        ),
        // Ambiguous wall-clock time at the end of summer time: the earlier offset.
        (dt("2017-10-29T02:30[Europe/Stockholm]"), "2017-10-29T02:30+02:00[Europe/Stockholm]"),
        // In the spring-forward gap: moved forward by the gap.
        (dt("2017-03-26T02:30[Europe/Stockholm]"), "2017-03-26T03:30+02:00[Europe/Stockholm]"),
        // Seconds move the instant, days move the wall clock.
        (
            crate::value_ops::binary_op(
                relgraph_cypher::ast::BinaryOp::Add,
                &dt("2017-03-26T01:30[Europe/Stockholm]"),
                &call("duration", &[s("PT1H")]),
            )
            .unwrap(),
            "2017-03-26T03:30+02:00[Europe/Stockholm]",
        ),
        (
            crate::value_ops::binary_op(
                relgraph_cypher::ast::BinaryOp::Add,
                &dt("2017-03-25T12:00[Europe/Stockholm]"),
                &call("duration", &[s("P1D")]),
            )
            .unwrap(),
            "2017-03-26T12:00+02:00[Europe/Stockholm]",
        ),
        (
            call(
                "duration.inSeconds",
                &[
                    call("datetime", &[map("{year: 2017, month: 10, day: 29, hour: 0, timezone: 'Europe/Stockholm'}")]),
                    call("localdatetime", &[map("{year: 2017, month: 10, day: 29, hour: 4}")]),
                ],
            ),
            "PT5H",
        ),
        (
            call(
                "duration.inSeconds",
                &[
                    call("datetime", &[map("{year: 2017, month: 10, day: 29, hour: 0, timezone: 'Europe/Stockholm'}")]),
                    call("date", &[map("{year: 2017, month: 10, day: 30}")]),
                ],
            ),
            "PT25H",
        ),
    ];
    for (got, want) in rows {
        assert_eq!(show(&got), want);
    }
    let d = dt("1984-11-11T12:31:14.645876123[Europe/Stockholm]");
    assert_eq!(
        temporal::component(&d, "timezone"),
        Some(s("Europe/Stockholm"))
    );
    assert_eq!(temporal::component(&d, "offset"), Some(s("+01:00")));
    assert!(call_scalar(
        "datetime",
        &[s("2015-07-21T21:40[Mars/Olympus_Mons]")],
        &ctx()
    )
    .is_err());
}

/// Every scalar function is answered by the module the table names for
/// it: a name listed under the wrong module would resolve and then not be
/// found there ([`Scalar::call`] tries no other module).
#[test]
fn every_scalar_is_answered_by_its_module() {
    let mut checked = 0;
    for (_, names) in SCALARS {
        for &(name, min, _) in *names {
            let f = Scalar::resolve(name).expect("listed names resolve");
            assert_eq!(f.name(), name);
            let args = vec![Value::Null; min];
            if let Err(ErrorKind::Semantic {
                detail, message, ..
            }) = f.call(&args, &ctx()).map_err(ExecError::into_kind)
            {
                assert_ne!(detail, "UnknownFunction", "{name}: {message}");
            }
            checked += 1;
        }
    }
    assert!(checked > 90, "{checked} functions checked");
    assert_eq!(
        Scalar::resolve("ToUpper").map(|f| f.name()),
        Some("toupper")
    );
    assert!(Scalar::resolve("count").is_none());
}
