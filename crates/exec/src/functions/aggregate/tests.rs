//! Aggregates, including the law that merging partitions equals one pass.

#![allow(clippy::type_complexity)]

use relgraph_graph::temporal::Duration;
use relgraph_graph::Value;

use super::Accumulator;
use crate::error::ExecError;

fn run(name: &str, distinct: bool, extra: &[Value], values: &[Value]) -> Value {
    let mut acc = Accumulator::new(name, distinct, extra).unwrap();
    for v in values {
        acc.update(v).unwrap();
    }
    acc.finish().unwrap()
}

fn ints(v: &[i64]) -> Vec<Value> {
    v.iter().map(|i| Value::Int(*i)).collect()
}

#[test]
fn aggregates_tck() {
    let n = Value::Null;
    let mixed = vec![
        Value::Int(1),
        Value::Float(2.0),
        Value::Int(5),
        n.clone(),
        Value::Float(3.2),
        Value::Float(0.1),
    ];
    let rows: Vec<(&str, bool, Vec<Value>, Vec<Value>, Value)> = vec![
        (
            "count",
            false,
            vec![],
            vec![Value::Int(1), n.clone(), Value::Int(1)],
            Value::Int(2),
        ),
        (
            "count",
            true,
            vec![],
            vec![Value::Int(1), n.clone(), Value::Float(1.0)],
            Value::Int(1),
        ),
        ("count", true, vec![], vec![n.clone()], Value::Int(0)),
        ("sum", false, vec![], ints(&[33, 42]), Value::Int(75)),
        ("sum", false, vec![], vec![], Value::Int(0)),
        (
            "sum",
            false,
            vec![],
            (1_000_000..1_003_000).map(Value::Int).collect(),
            Value::Int(3_004_498_500),
        ),
        (
            "sum",
            false,
            vec![],
            vec![Value::Int(1), Value::Float(0.5)],
            Value::Float(1.5),
        ),
        ("sum", true, vec![], ints(&[1, 1, 2]), Value::Int(3)),
        ("avg", false, vec![], ints(&[1, 2]), Value::Float(1.5)),
        ("avg", false, vec![], vec![n.clone()], n.clone()),
        ("max", false, vec![], mixed.clone(), Value::Int(5)),
        ("min", false, vec![], mixed, Value::Float(0.1)),
        (
            "max",
            false,
            vec![],
            vec![Value::from("a"), Value::from("b"), Value::from("B")],
            Value::from("b"),
        ),
        (
            "min",
            false,
            vec![],
            vec![Value::from("a"), Value::from("b"), Value::from("B")],
            Value::from("B"),
        ),
        ("max", false, vec![], vec![], n.clone()),
        (
            "collect",
            false,
            vec![],
            vec![n.clone(), Value::Int(1), n.clone()],
            Value::List(ints(&[1])),
        ),
        (
            "collect",
            true,
            vec![],
            vec![n.clone(), n.clone()],
            Value::List(vec![]),
        ),
        (
            "collect",
            true,
            vec![],
            ints(&[3, 1, 3, 2, 1]),
            Value::List(ints(&[3, 1, 2])),
        ),
        (
            "stDev",
            false,
            vec![],
            ints(&[2, 4, 4, 4, 5, 5, 7, 9]),
            Value::Float((32.0f64 / 7.0).sqrt()),
        ),
        (
            "stDevP",
            false,
            vec![],
            ints(&[2, 4, 4, 4, 5, 5, 7, 9]),
            Value::Float(2.0),
        ),
        ("stDev", false, vec![], vec![], Value::Float(0.0)),
    ];
    for (name, distinct, extra, values, want) in rows {
        assert_eq!(
            run(name, distinct, &extra, &values),
            want,
            "{name} distinct={distinct} {values:?}"
        );
    }
    let prices = vec![Value::Float(10.0), Value::Float(20.0), Value::Float(30.0)];
    for (p, want) in [(0.0, 10.0), (0.5, 20.0), (1.0, 30.0)] {
        assert_eq!(
            run("percentileDisc", false, &[Value::Float(p)], &prices),
            Value::Float(want)
        );
        assert_eq!(
            run("percentileCont", false, &[Value::Float(p)], &prices),
            Value::Float(want)
        );
    }
    assert_eq!(
        run("percentileCont", false, &[Value::Float(0.25)], &prices),
        Value::Float(15.0)
    );
    assert_eq!(
        run(
            "percentileDisc",
            false,
            &[Value::Float(0.5)],
            &ints(&[3, 1, 2])
        ),
        Value::Int(2)
    );
    for p in [Value::Int(1000), Value::Int(-1), Value::Float(1.1)] {
        match Accumulator::new("percentileCont", false, &[p]).map_err(ExecError::into_kind) {
            Err(crate::error::ErrorKind::Argument { detail, .. }) => {
                assert_eq!(detail, "NumberOutOfRange")
            }
            other => panic!("expected NumberOutOfRange, got {other:?}"),
        }
    }
    // Durations sum and average.
    let durs: Vec<Value> = ["P1D", "PT12H"]
        .iter()
        .map(|s| Value::from(Duration::parse(s).unwrap()))
        .collect();
    assert_eq!(
        run("sum", false, &[], &durs),
        Value::from(Duration::parse("P1DT12H").unwrap())
    );
    assert_eq!(
        run("avg", false, &[], &durs),
        Value::from(Duration::parse("PT18H").unwrap())
    );
    // Errors.
    let mut acc = Accumulator::new("sum", false, &[]).unwrap();
    assert!(acc.update(&Value::from("a")).is_err());
    let mut acc = Accumulator::new("sum", false, &[]).unwrap();
    acc.update(&Value::Int(i64::MAX)).unwrap();
    acc.update(&Value::Int(1)).unwrap();
    assert!(acc.finish().is_err());
    assert!(Accumulator::new("nope", false, &[]).is_err());
}

#[test]
fn merge_equals_sequential() {
    let values: Vec<Value> = (0..200)
        .map(|i| match i % 7 {
            0 => Value::Null,
            1 => Value::Float(i as f64 / 4.0),
            _ => Value::Int((i * 37) % 23),
        })
        .collect();
    for name in [
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "collect",
        "stDev",
        "stDevP",
        "percentileDisc",
        "percentileCont",
    ] {
        for distinct in [false, true] {
            let extra = [Value::Float(0.3)];
            let want = run(name, distinct, &extra, &values);
            for parts in [2, 3, 7] {
                let chunk = values.len().div_ceil(parts);
                let mut accs = values.chunks(chunk).map(|c| {
                    let mut a = Accumulator::new(name, distinct, &extra).unwrap();
                    for v in c {
                        a.update(v).unwrap();
                    }
                    a
                });
                let mut total = accs.next().unwrap();
                for a in accs {
                    total.merge(a).unwrap();
                }
                let got = total.finish().unwrap();
                match (&got, &want) {
                    (Value::Float(x), Value::Float(y)) => assert!(
                        (x - y).abs() < 1e-9,
                        "{name} {distinct} {parts}: {x} vs {y}"
                    ),
                    _ => assert_eq!(got, want, "{name} distinct={distinct} parts={parts}"),
                }
            }
        }
    }
    let mut a = Accumulator::new("count", false, &[]).unwrap();
    assert!(a
        .merge(Accumulator::new("sum", false, &[]).unwrap())
        .is_err());
}

/// A group keeps one accumulator per aggregate in a list that is copied as
/// it grows: the common ones stay small (the float and duration parts of
/// a sum and the values of a DISTINCT aggregate are boxed).
#[test]
fn accumulators_stay_small() {
    assert!(
        std::mem::size_of::<Accumulator>() <= 64,
        "{} bytes",
        std::mem::size_of::<Accumulator>()
    );
}

/// Sums that start as integers and then meet floats or durations keep the
/// exact float part and reject the mix, as before the parts were boxed.
#[test]
fn sums_switch_to_floats_and_durations() {
    let mut s = Accumulator::new("sum", false, &[]).unwrap();
    for v in [Value::Int(1), Value::Float(0.5), Value::Int(2)] {
        s.update(&v).unwrap();
    }
    assert_eq!(s.finish().unwrap(), Value::Float(3.5));
    let d = Duration::parse("P1D").unwrap();
    let mut a = Accumulator::new("sum", false, &[]).unwrap();
    a.update(&Value::from(d)).unwrap();
    let mut b = Accumulator::new("sum", false, &[]).unwrap();
    b.update(&Value::from(d)).unwrap();
    a.merge(b).unwrap();
    assert_eq!(a.finish().unwrap(), Value::from(d.checked_add(&d).unwrap()));
    let mut mixed = Accumulator::new("avg", false, &[]).unwrap();
    mixed.update(&Value::Int(1)).unwrap();
    mixed.update(&Value::from(d)).unwrap();
    assert!(mixed.finish().is_err());
}
