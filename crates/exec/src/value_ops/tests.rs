//! Table-driven tests of value semantics; rows from the openCypher TCK
//! (expressions/comparison, boolean, null, list, string, mathematical).

#![allow(clippy::type_complexity)]

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::sync::Arc;

use relgraph_cypher::ast::{BinaryOp, UnaryOp};
use relgraph_graph::temporal::{Date, Duration, Time};
use relgraph_graph::{NodeId, Path, RelId, Value};

use super::*;
use crate::error::ErrorKind;

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
fn m(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| (Arc::from(*k), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}
const N: Value = Value::Null;
fn nan() -> Value {
    f(f64::NAN)
}

#[test]
fn equality_tck() {
    let rows: Vec<(Value, Value, Option<bool>)> = vec![
        (l(vec![i(1), i(2)]), l(vec![i(1)]), Some(false)),
        (l(vec![N]), l(vec![i(1)]), None),
        (l(vec![s("a")]), l(vec![i(1)]), Some(false)),
        (
            l(vec![l(vec![i(1)])]),
            l(vec![l(vec![i(1)]), l(vec![N])]),
            Some(false),
        ),
        (
            l(vec![l(vec![i(1)]), l(vec![i(2)])]),
            l(vec![l(vec![i(1)]), l(vec![N])]),
            None,
        ),
        (
            l(vec![l(vec![i(1)]), l(vec![i(2), i(3)])]),
            l(vec![l(vec![i(1)]), l(vec![N])]),
            Some(false),
        ),
        (m(&[]), m(&[]), Some(true)),
        (m(&[("k", f(1.0))]), m(&[("k", f(1.0))]), Some(true)),
        (
            m(&[("k", s("a")), ("l", i(2))]),
            m(&[("k", s("a")), ("l", i(2))]),
            Some(true),
        ),
        (m(&[]), m(&[("k", N)]), Some(false)),
        (m(&[("k", i(1))]), m(&[("k", i(1)), ("l", N)]), Some(false)),
        (m(&[("k", N)]), m(&[("k", N), ("l", N)]), Some(false)),
        (m(&[("k", N)]), m(&[("k", N)]), None),
        (m(&[("k", i(1))]), m(&[("k", N)]), None),
        (
            m(&[("k", i(1)), ("l", N)]),
            m(&[("k", N), ("l", i(1))]),
            None,
        ),
        (
            m(&[("k", i(1)), ("l", N)]),
            m(&[("k", i(1)), ("l", i(1))]),
            None,
        ),
        (nan(), i(1), Some(false)),
        (nan(), nan(), Some(false)),
        (nan(), s("a"), Some(false)),
        (f(1.0), f(1.0), Some(true)),
        (i(1), f(1.0), Some(true)),
        (s("1.0"), f(1.0), Some(false)),
        (s("1"), i(1), Some(false)),
        (N, N, None),
        (i(4611686018427387905), i(4611686018427387900), Some(false)),
        (i(9007199254740993), f(9007199254740992.0), Some(false)),
        (Value::Node(NodeId(1)), Value::Node(NodeId(1)), Some(true)),
        (
            Value::Node(NodeId(1)),
            Value::Relationship(RelId(1)),
            Some(false),
        ),
        (
            Value::from(Duration::parse("PT70S").unwrap()),
            Value::from(Duration::parse("PT1M10S").unwrap()),
            Some(true),
        ),
        (
            Value::from(Duration {
                months: 0,
                days: 0,
                seconds: -1,
                nanos: -500_000_000,
            }),
            Value::from(Duration::parse("PT-1.5S").unwrap()),
            Some(true),
        ),
        (
            Value::from(Duration::parse("P1D").unwrap()),
            Value::from(Duration::parse("PT24H").unwrap()),
            Some(false),
        ),
        (
            Value::Date(Date { days: 3 }),
            Value::from(Duration::ZERO),
            Some(false),
        ),
    ];
    for (a, b, want) in rows {
        assert_eq!(equals(&a, &b), want, "{a:?} = {b:?}");
        assert_eq!(equals(&b, &a), want, "{b:?} = {a:?}");
        let ne = binary_op(BinaryOp::Ne, &a, &b).unwrap();
        assert_eq!(ne, want.map_or(Value::Null, |w| Value::Bool(!w)));
    }
}

#[test]
fn comparison_tck() {
    use BinaryOp::*;
    let rows: Vec<(BinaryOp, Value, Value, Option<bool>)> = vec![
        (Ge, l(vec![i(1), i(0)]), l(vec![i(1)]), Some(true)),
        (Ge, l(vec![i(1), N]), l(vec![i(1)]), Some(true)),
        (Ge, l(vec![i(1), i(2)]), l(vec![i(1), N]), None),
        (Ge, l(vec![i(1), s("a")]), l(vec![i(1), N]), None),
        (Ge, l(vec![i(1), i(2)]), l(vec![i(3), N]), Some(false)),
        (Gt, nan(), i(1), Some(false)),
        (Ge, nan(), f(1.0), Some(false)),
        (Lt, nan(), nan(), Some(false)),
        (Le, nan(), i(1), Some(false)),
        (Gt, nan(), s("a"), None),
        (Lt, f(1.0), f(1.0), Some(false)),
        (Lt, i(1), f(1.0), Some(false)),
        (Lt, s("1.0"), f(1.0), None),
        (Lt, s("1"), i(1), None),
        (Lt, i(1), f(2.5), Some(true)),
        (Ge, f(2.5), i(1), Some(true)),
        (Gt, s("xx"), s("x"), Some(true)),
        (Lt, s("B"), s("a"), Some(true)),
        (Lt, Value::Bool(false), Value::Bool(true), Some(true)),
        (Lt, Value::Bool(true), i(1), None),
        (Lt, m(&[]), m(&[]), None),
        (Lt, l(vec![]), m(&[]), None),
        (Lt, Value::Node(NodeId(0)), Value::Node(NodeId(1)), None),
        (Lt, N, i(1), None),
        (Lt, i(i64::MAX), f(9.3e18), Some(true)),
        (Gt, i(i64::MIN), f(-9.3e18), Some(true)),
        (
            Lt,
            Value::Time(Time {
                nanos: 10 * 3600 * 1_000_000_000,
                offset_seconds: 3600,
            }),
            Value::Time(Time::parse("09:35:14.645876123Z").unwrap()),
            Some(true),
        ),
        (
            Lt,
            Value::from(Duration::parse("P1D").unwrap()),
            Value::from(Duration::parse("P2D").unwrap()),
            None,
        ),
        (
            Lt,
            Value::Date(Date { days: 1 }),
            Value::Date(Date { days: 2 }),
            Some(true),
        ),
    ];
    for (op, a, b, want) in rows {
        assert_eq!(compare_op(op, &a, &b), want, "{a:?} {op:?} {b:?}");
    }
}

#[test]
fn order_across_types_tck() {
    // ReturnOrderBy1 [11]: ascending order of distinct types.
    let p = Value::from(Path {
        nodes: vec![NodeId(0), NodeId(1)],
        rels: vec![RelId(0)],
    });
    let want = vec![
        m(&[("a", s("map"))]),
        Value::Node(NodeId(0)),
        Value::Relationship(RelId(0)),
        l(vec![s("list")]),
        p,
        Value::Date(Date { days: 0 }),
        s("text"),
        Value::Bool(false),
        f(1.5),
        nan(),
        N,
    ];
    let mut got = want.clone();
    got.reverse();
    got.sort_by(order_cmp);
    assert_eq!(format!("{got:?}"), format!("{want:?}"));
    // Numbers: ints and floats interleave; NaN after infinity.
    let mut nums = vec![
        f(f64::INFINITY),
        nan(),
        i(2),
        f(1.5),
        i(-3),
        f(f64::NEG_INFINITY),
        f(2.0),
    ];
    nums.sort_by(order_cmp);
    assert_eq!(
        format!("{nums:?}"),
        format!(
            "{:?}",
            vec![
                f(f64::NEG_INFINITY),
                i(-3),
                f(1.5),
                i(2),
                f(2.0),
                f(f64::INFINITY),
                nan()
            ]
        )
    );
    // min/max of Aggregation2 [11]/[12].
    let mixed = [i(1), s("a"), l(vec![i(1), i(2)]), f(0.2), s("b")];
    assert_eq!(mixed.iter().max_by(|a, b| order_cmp(a, b)), Some(&i(1)));
    assert_eq!(
        mixed.iter().min_by(|a, b| order_cmp(a, b)),
        Some(&l(vec![i(1), i(2)]))
    );
    assert_eq!(
        order_cmp(&l(vec![i(2)]), &l(vec![i(2), i(1)])),
        Ordering::Less
    );
}

#[test]
fn group_key_equivalence() {
    let keys: HashSet<GroupKey> = [
        i(1),
        f(1.0),
        N,
        N,
        nan(),
        nan(),
        l(vec![i(1), N]),
        l(vec![f(1.0), N]),
        m(&[("k", i(2))]),
        m(&[("k", f(2.0))]),
        s("1"),
        f(1.5),
        Value::from(Duration {
            months: 0,
            days: 0,
            seconds: -1,
            nanos: -500_000_000,
        }),
        Value::from(Duration::parse("PT-1.5S").unwrap()),
    ]
    .into_iter()
    .map(GroupKey)
    .collect();
    // {1}, {null}, {NaN}, {[1,null]}, {{k:2}}, {'1'}, {1.5}, {PT-1.5S}
    assert_eq!(keys.len(), 8);
    assert_ne!(GroupKey(i(1)), GroupKey(s("1")));
    assert_ne!(
        GroupKey(i(9007199254740993)),
        GroupKey(f(9007199254740992.0))
    );
}

#[test]
fn arithmetic() {
    use BinaryOp::*;
    let ok: Vec<(BinaryOp, Value, Value, Value)> = vec![
        (Add, i(1), i(2), i(3)),
        (Add, i(1), f(0.5), f(1.5)),
        (Sub, i(1), f(0.5), f(0.5)),
        (Mul, i(3), i(-4), i(-12)),
        (Div, i(7), i(2), i(3)),
        (Div, i(-7), i(2), i(-3)),
        (Div, f(7.0), i(2), f(3.5)),
        (Div, i(1), f(0.0), f(f64::INFINITY)),
        (Mod, i(7), i(3), i(1)),
        (Mod, i(-7), i(3), i(-1)),
        (Mod, f(7.5), i(2), f(1.5)),
        (Pow, i(2), i(3), f(8.0)),
        (Pow, i(2), i(-1), f(0.5)),
        (Add, N, i(1), N),
        (Mul, i(1), N, N),
        (Add, s("ab"), s("cd"), s("abcd")),
        (Add, s("a"), i(1), s("a1")),
        (Add, f(1.5), s("x"), s("1.5x")),
        (Add, s("->"), Value::Bool(true), s("->true")),
        (Add, l(vec![i(1)]), l(vec![i(2)]), l(vec![i(1), i(2)])),
        (Add, l(vec![i(1)]), i(2), l(vec![i(1), i(2)])),
        (Add, i(0), l(vec![i(1)]), l(vec![i(0), i(1)])),
        (Add, l(vec![]), N, N),
        (
            Add,
            Value::Date(Date::parse("1984-10-11").unwrap()),
            Value::from(Duration::parse("P1M").unwrap()),
            Value::Date(Date::parse("1984-11-11").unwrap()),
        ),
        (
            Sub,
            Value::Date(Date::parse("2024-03-31").unwrap()),
            Value::from(Duration::parse("P1M").unwrap()),
            Value::Date(Date::parse("2024-02-29").unwrap()),
        ),
        (
            Mul,
            Value::from(Duration::parse("PT1H").unwrap()),
            i(2),
            Value::from(Duration::parse("PT2H").unwrap()),
        ),
        (
            Div,
            Value::from(Duration::parse("PT1H").unwrap()),
            f(2.0),
            Value::from(Duration::parse("PT30M").unwrap()),
        ),
    ];
    for (op, a, b, want) in ok {
        let got = binary_op(op, &a, &b).unwrap();
        assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "{a:?} {op:?} {b:?}"
        );
    }
    let errors: Vec<(BinaryOp, Value, Value, &str)> = vec![
        (Add, i(i64::MAX), i(1), "NumberOutOfRange"),
        (Sub, i(i64::MIN), i(1), "NumberOutOfRange"),
        (Mul, i(i64::MAX), i(2), "NumberOutOfRange"),
        (Div, i(1), i(0), "DivisionByZero"),
        (Mod, i(1), i(0), "DivisionByZero"),
        (Div, i(i64::MIN), i(-1), "NumberOutOfRange"),
        (Add, i(1), Value::Bool(true), "InvalidArgumentType"),
        (Sub, s("a"), i(1), "InvalidArgumentType"),
        (Add, m(&[]), s("a"), "InvalidArgumentType"),
        (
            Sub,
            Value::from(Duration::ZERO),
            Value::Date(Date { days: 0 }),
            "InvalidArgumentType",
        ),
        (And, i(1), Value::Bool(true), "InvalidArgumentType"),
        (In, i(1), i(1), "InvalidArgumentType"),
        (RegexMatch, s("a"), s("("), "InvalidArgumentValue"),
    ];
    for (op, a, b, detail) in errors {
        match binary_op(op, &a, &b).map_err(ExecError::into_kind) {
            Err(ErrorKind::Type { detail: d, .. }) | Err(ErrorKind::Argument { detail: d, .. }) => {
                assert_eq!(d, detail, "{a:?} {op:?} {b:?}")
            }
            other => panic!("{a:?} {op:?} {b:?}: expected an error, got {other:?}"),
        }
    }
}

#[test]
fn three_valued_logic_tck() {
    let t = Value::Bool(true);
    let fl = Value::Bool(false);
    // (a, b, AND, OR, XOR)
    let rows = [
        (&t, &t, Some(true), Some(true), Some(false)),
        (&t, &fl, Some(false), Some(true), Some(true)),
        (&fl, &fl, Some(false), Some(false), Some(false)),
        (&t, &N, None, Some(true), None),
        (&fl, &N, Some(false), None, None),
        (&N, &N, None, None, None),
    ];
    let b3 = |o: Option<bool>| o.map_or(Value::Null, Value::Bool);
    for (a, b, and, or, xor) in rows {
        for (x, y) in [(a, b), (b, a)] {
            assert_eq!(binary_op(BinaryOp::And, x, y).unwrap(), b3(and));
            assert_eq!(binary_op(BinaryOp::Or, x, y).unwrap(), b3(or));
            assert_eq!(binary_op(BinaryOp::Xor, x, y).unwrap(), b3(xor));
        }
    }
    assert_eq!(unary_op(UnaryOp::Not, &t).unwrap(), fl);
    assert!(unary_op(UnaryOp::Not, &i(1)).is_err());
}

#[test]
fn in_and_string_predicates() {
    use BinaryOp::*;
    let rows: Vec<(BinaryOp, Value, Value, Value)> = vec![
        (In, i(1), l(vec![i(1), i(2)]), Value::Bool(true)),
        (In, f(1.0), l(vec![i(1)]), Value::Bool(true)),
        (In, i(3), l(vec![i(1), i(2)]), Value::Bool(false)),
        (In, i(3), l(vec![i(1), N]), N),
        (In, i(1), l(vec![i(1), N]), Value::Bool(true)),
        (In, N, l(vec![]), Value::Bool(false)),
        (In, N, l(vec![N]), N),
        (In, l(vec![i(1)]), l(vec![l(vec![i(1)])]), Value::Bool(true)),
        (In, l(vec![i(1), N]), l(vec![l(vec![i(1), N])]), N),
        (In, i(1), N, N),
        (StartsWith, s("abc"), s("ab"), Value::Bool(true)),
        (EndsWith, s("abc"), s("bc"), Value::Bool(true)),
        (Contains, s("abc"), s("x"), Value::Bool(false)),
        (Contains, s("abc"), s(""), Value::Bool(true)),
        (StartsWith, s("abc"), i(1), N),
        (EndsWith, N, s("a"), N),
        (RegexMatch, s("Ada Lovelace"), s("A.*e"), Value::Bool(true)),
        (RegexMatch, s("Ada Lovelace"), s("Ada"), Value::Bool(false)),
        (RegexMatch, s("ADA"), s("(?i)ada"), Value::Bool(true)),
        (RegexMatch, i(1), s("1"), N),
    ];
    for (op, a, b, want) in rows {
        assert_eq!(binary_op(op, &a, &b).unwrap(), want, "{a:?} {op:?} {b:?}");
    }
}

#[test]
fn unary_and_properties() {
    assert_eq!(unary_op(UnaryOp::Neg, &f(1.5)).unwrap(), f(-1.5));
    assert_eq!(unary_op(UnaryOp::Pos, &i(2)).unwrap(), i(2));
    assert!(unary_op(UnaryOp::Neg, &s("a")).is_err());
    assert_eq!(
        unary_op(
            UnaryOp::Neg,
            &Value::from(Duration::parse("P1DT1S").unwrap())
        )
        .unwrap(),
        Value::from(Duration::parse("P-1DT-1S").unwrap())
    );
    let map = m(&[("a", i(1))]);
    assert_eq!(property_of_value(&map, "a").unwrap(), i(1));
    assert_eq!(property_of_value(&map, "b").unwrap(), N);
    assert!(property_of_value(&i(1), "a").is_err());
    assert!(property_of_value(&Value::Date(Date { days: 0 }), "hour").is_err());
    let t = Value::Time(Time::parse("12:31:14.645876123+01:00").unwrap());
    let rows = [
        ("hour", i(12)),
        ("minute", i(31)),
        ("second", i(14)),
        ("millisecond", i(645)),
        ("microsecond", i(645876)),
        ("nanosecond", i(645876123)),
        ("timezone", s("+01:00")),
        ("offset", s("+01:00")),
        ("offsetMinutes", i(60)),
        ("offsetSeconds", i(3600)),
    ];
    for (k, want) in rows {
        assert_eq!(property_of_value(&t, k).unwrap(), want, "{k}");
    }
}

#[test]
fn float_formatting() {
    for (x, want) in [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (2.3, "2.3"),
        (1e7, "1.0E7"),
        (123456.789, "123456.789"),
        (1e-4, "1.0E-4"),
    ] {
        assert_eq!(format_float(x), want);
    }
}

mod laws {
    //! Property tests: laws every pair of values must satisfy.

    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use proptest::prelude::*;
    use relgraph_cypher::ast::{BinaryOp, UnaryOp};
    use relgraph_graph::temporal::{Date, Duration, LocalTime, Time};
    use relgraph_graph::Value;

    use super::super::*;
    use std::sync::Arc;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            prop_oneof![Just(i64::MIN), Just(i64::MAX), -5i64..5, any::<i64>()]
                .prop_map(Value::Int),
            prop_oneof![
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(-0.0),
                (-5i32..5).prop_map(f64::from),
                any::<f64>()
            ]
            .prop_map(Value::Float),
            "[a-c]{0,3}".prop_map(Value::from),
            (-100_000i32..100_000).prop_map(|days| Value::Date(Date { days })),
            (0i64..86_400_000_000_000).prop_map(|nanos| Value::LocalTime(LocalTime { nanos })),
            ((0i64..86_400_000_000_000), (-64_800i32..64_800)).prop_map(
                |(nanos, offset_seconds)| Value::Time(Time {
                    nanos,
                    offset_seconds
                })
            ),
            (
                -30i64..30,
                -30i64..30,
                -100_000i64..100_000,
                -2_000_000_000i64..2_000_000_000
            )
                .prop_map(|(months, days, seconds, nanos)| Value::from(Duration {
                    months,
                    days,
                    seconds,
                    nanos
                })),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(2, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
                prop::collection::btree_map("[a-b]", inner, 0..3).prop_map(|m| Value::Map(
                    m.into_iter()
                        .map(|(k, v)| (Arc::from(k.as_str()), v))
                        .collect()
                )),
            ]
        })
    }

    fn hash_of(v: &Value) -> u64 {
        let mut h = DefaultHasher::new();
        GroupKey(v.clone()).hash(&mut h);
        h.finish()
    }

    const OPS: [BinaryOp; 21] = [
        BinaryOp::Or,
        BinaryOp::Xor,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
        BinaryOp::Pow,
        BinaryOp::In,
        BinaryOp::StartsWith,
        BinaryOp::EndsWith,
        BinaryOp::Contains,
        BinaryOp::RegexMatch,
        BinaryOp::Eq,
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn operators_never_panic(a in value(), b in value()) {
            for op in OPS {
                let _ = binary_op(op, &a, &b);
            }
            for op in [UnaryOp::Not, UnaryOp::Neg, UnaryOp::Pos] {
                let _ = unary_op(op, &a);
            }
            let _ = property_of_value(&a, "year");
        }

        #[test]
        fn order_is_antisymmetric_and_consistent(a in value(), b in value(), c in value()) {
            prop_assert_eq!(order_cmp(&a, &b), order_cmp(&b, &a).reverse());
            prop_assert_eq!(order_cmp(&a, &a), Ordering::Equal);
            if order_cmp(&a, &b).is_le() && order_cmp(&b, &c).is_le() {
                prop_assert!(order_cmp(&a, &c).is_le());
            }
            // Times at the same instant but different offsets compare equal
            // and still have an order; every strict answer must agree.
            if let Some(o) = compare(&a, &b) {
                if o != Ordering::Equal {
                    prop_assert_eq!(o, order_cmp(&a, &b));
                }
            }
        }

        #[test]
        fn order_prefixes_agree_with_the_order(
            a in value(),
            b in value(),
            near in prop_oneof![Just(1i64 << 53), Just(-(1i64 << 53)), Just(i64::MAX)],
            da in -3i64..3,
            db in -3i64..3,
            sa in "[ab]{5,9}",
            sb in "[ab]{5,9}",
        ) {
            // Long strings sharing a prefix, and integers and floats where
            // floats cannot tell neighbouring integers apart.
            let pairs = [
                (a, b),
                (Value::from(sa.as_str()), Value::from(sb.as_str())),
                (Value::Int(near.saturating_add(da)), Value::Int(near.saturating_add(db))),
                (Value::Int(near.saturating_add(da)), Value::Float(near.saturating_add(db) as f64)),
                (Value::Float(-0.0), Value::Int(0)),
                (Value::Float(-0.0), Value::Float(0.0)),
                (Value::Float(f64::INFINITY), Value::Float(f64::NAN)),
            ];
            for (a, b) in pairs {
                let (pa, pb) = (order_prefix(&a), order_prefix(&b));
                match order_cmp(&a, &b) {
                    Ordering::Less => prop_assert!(pa <= pb, "{:?} {:?}", a, b),
                    Ordering::Equal => prop_assert_eq!(pa, pb, "{:?} {:?}", a, b),
                    Ordering::Greater => prop_assert!(pa >= pb, "{:?} {:?}", a, b),
                }
            }
        }

        #[test]
        fn string_comparisons_in_place_answer_as_values_do(
            a in "[a-cA-Cé😀 ]{0,4}",
            b in "[a-cA-Cé😀 ]{0,4}",
        ) {
            for op in [BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge] {
                prop_assert_eq!(compare_strs(op, &a, &b), compare_op(op, &Value::from(a.as_str()), &Value::from(b.as_str())), "{:?}", op);
            }
        }

        #[test]
        fn group_keys_agree_with_hash_and_equality(a in value(), b in value()) {
            if GroupKey(a.clone()) == GroupKey(b.clone()) {
                prop_assert_eq!(hash_of(&a), hash_of(&b));
            }
            if equals(&a, &b) == Some(true) {
                prop_assert!(GroupKey(a.clone()) == GroupKey(b.clone()));
            }
            prop_assert_eq!(equals(&a, &b), equals(&b, &a));
        }
    }
}
