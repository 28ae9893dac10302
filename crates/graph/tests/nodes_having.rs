//! `Snapshot::nodes_having` (nodes with a label and a value for a key,
//! read from the key's column for presence only) and
//! `Snapshot::node_str_property` (a string read where it lies) against
//! reading each node's property, over every kind of column: heap columns after
//! commits, typed columns read in place after a checkpoint, and both
//! mixed after a later write.

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use relgraph_graph::kv::{KvStore, MemoryKv};
use relgraph_graph::store::OpenOptions;
use relgraph_graph::temporal::Date;
use relgraph_graph::{
    Graph, NodeId, NodeProbe, PropKeyId, PropStr, Scalar, Snapshot, StrEq, Value,
};

const KEYS: [&str; 7] = ["flag", "n", "x", "d", "kind", "name", "mix"];

/// A value for `key`, or none: each key has its own presence rate and
/// kind of values (so that each chunk's column takes a different form).
fn value(key: &str, i: u64, rng: &mut impl Rng) -> Option<Value> {
    let (rate, v) = match key {
        "flag" => (0.002, Value::Bool(rng.random())),
        "n" => (0.5, Value::Int(rng.random_range(-1000..1000))),
        "x" => (
            0.3,
            Value::Float(f64::from(rng.random_range(0..1000)) / 8.0),
        ),
        "d" => (
            0.2,
            Value::Date(Date {
                days: rng.random_range(0..20_000),
            }),
        ),
        "kind" => (
            0.6,
            Value::from(["white paper", "webinar", "post"][rng.random_range(0..3)]),
        ),
        "name" => (0.7, Value::from(format!("node number {i}"))),
        _ => (
            0.4,
            match rng.random_range(0..3) {
                0 => Value::Int(7),
                1 => Value::from("seven"),
                _ => Value::List(vec![Value::Int(7)]),
            },
        ),
    };
    rng.random_bool(rate).then_some(v)
}

fn labels(i: u64) -> Vec<&'static str> {
    match i % 5 {
        0 => vec!["A"],
        1 | 2 => vec!["B"],
        3 => vec!["A", "B"],
        _ => vec![],
    }
}

/// Checks `nodes_having` against the property reads on random ranges.
fn check(s: &Snapshot, rng: &mut impl Rng, when: &str, told: &mut usize) {
    let catalog = s.catalog();
    let end = s.next_node_id().0 + 3;
    let labels = [None, catalog.label_id("A"), catalog.label_id("B")];
    for key in KEYS {
        let k = catalog.prop_key_id(key).expect("every key is used");
        for _ in 0..6 {
            let a = rng.random_range(0..end);
            let b = rng.random_range(a..=end);
            let range = if rng.random_bool(0.3) { 0..end } else { a..b };
            for l in labels {
                let want: Vec<NodeId> = s
                    .nodes_in_range(range.clone(), l)
                    .into_iter()
                    .filter(|n| s.node_property(*n, k).is_some())
                    .collect();
                let got: Vec<NodeId> = s.nodes_having(range.clone(), l, k).collect();
                assert_eq!(got, want, "{when}: key {key}, label {l:?}, range {range:?}");
            }
        }
        // Strings read where they lie are the strings the property holds
        // (a mixed-type column may keep its strings encoded, left to the
        // long way once segments hold them).
        for n in s.nodes_in_range(0..end, None) {
            let value = s.node_property(n, k);
            let got = s.node_str_property(n, k);
            let fine = match value.as_deref() {
                None => got == PropStr::Absent,
                Some(Value::String(x)) => {
                    got == PropStr::Str(x) || (key == "mix" && got == PropStr::Other)
                }
                Some(_) => got == PropStr::Other,
            };
            assert!(fine, "{when}: key {key}, node {n:?}: {got:?} for {value:?}");
        }
        *told += equals_agree(s, k, key, end, when);
        scalars_agree(s, k, key, end, rng, when);
    }
}

/// Checks `NodeProbe::scalars` against the property reads: over runs of
/// consecutive ids (read as a range of the column) and over ids with
/// gaps, the scalars are the values, or false where one is not a scalar.
fn scalars_agree(s: &Snapshot, k: PropKeyId, key: &str, end: u64, rng: &mut impl Rng, when: &str) {
    let keys = [k];
    for _ in 0..40 {
        let start = rng.random_range(0..end);
        let len = rng.random_range(1..300u64);
        let ids: Vec<NodeId> = match rng.random_bool(0.5) {
            true => (start..(start + len).min(end)).map(NodeId).collect(),
            false => (start..(start + 3 * len).min(end))
                .filter(|_| rng.random_bool(0.4))
                .map(NodeId)
                .collect(),
        };
        let want: Option<Vec<Scalar>> = ids
            .iter()
            .map(|n| match s.node_property(*n, k) {
                Some(v) => Scalar::of(&v),
                None => Some(Scalar::Null),
            })
            .collect();
        let mut probe = NodeProbe::new(s, &[], &keys);
        let mut got = vec![Scalar::Int(-1)];
        let read = probe.scalars(&ids, 0, &mut got);
        match want {
            Some(want) => {
                assert!(
                    read,
                    "{when}: key {key}, {} ids from {start}: not read",
                    ids.len()
                );
                assert_eq!(got[0], Scalar::Int(-1), "{when}: what was in `out` stays");
                assert!(
                    got[1..] == want[..],
                    "{when}: key {key}, {} ids from {start}",
                    ids.len()
                );
            }
            None => {
                assert!(!read, "{when}: key {key}: a value that is no scalar read");
                assert_eq!(got, [Scalar::Int(-1)], "{when}: `out` as it was");
            }
        }
    }
}

/// Checks `NodeProbe::equals_str` against the property reads for every
/// node and a few strings (each node's own value among them); returns how
/// many answers the stored bytes gave.
fn equals_agree(s: &Snapshot, k: PropKeyId, key: &str, end: u64, when: &str) -> usize {
    let keys = [k];
    let mut probe = NodeProbe::new(s, &[], &keys);
    let mut told = 0;
    for n in s
        .nodes_in_range(0..end, None)
        .into_iter()
        .chain([NodeId(end + 5)])
    {
        let value = s.node_property(n, k).map(|v| v.into_owned());
        let own = match &value {
            Some(Value::String(x)) => x.to_string(),
            _ => String::new(),
        };
        let other = format!("{own}x");
        for text in [own.as_str(), &other, "webinar", "seven", "", "\u{FFFD}"] {
            let got = probe.equals_str(n, 0, text);
            let fine = match got {
                StrEq::Unknown => true,
                StrEq::Absent => value.is_none(),
                StrEq::Equal(b) => {
                    told += 1;
                    match &value {
                        Some(Value::String(x)) => (**x == *text) == b,
                        Some(_) => !b,
                        None => false,
                    }
                }
            };
            assert!(
                fine,
                "{when}: key {key}, node {n:?}, {text:?}: {got:?} for {value:?}"
            );
        }
    }
    told + candidates_agree(s, k, key, end, when)
}

/// Checks `Snapshot::nodes_holding_str` against the property reads: the
/// candidates of `{key: text}` are nodes holding `key`, ascending, and
/// include every node whose value is `text`; returns how many holders the
/// stored columns left out.
fn candidates_agree(s: &Snapshot, k: PropKeyId, key: &str, end: u64, when: &str) -> usize {
    let mut dropped = 0;
    for text in ["seven", "webinar", "node number 17", "", "\u{FFFD}"] {
        for l in [None, s.catalog().label_id("A")] {
            let holders: Vec<NodeId> = s.nodes_having(0..end, l, k).collect();
            let got: Vec<NodeId> = s.nodes_holding_str(0..end, l, k, text).collect();
            let want: Vec<NodeId> = holders
                .iter()
                .copied()
                .filter(|n| {
                    matches!(s.node_property(*n, k).as_deref(), Some(Value::String(x)) if **x == *text)
                })
                .collect();
            assert!(got.is_sorted(), "{when}: key {key}, {text:?}: unsorted");
            assert!(
                got.iter().all(|n| holders.contains(n)),
                "{when}: key {key}, {text:?}: a candidate that does not hold the key"
            );
            assert!(
                want.iter().all(|n| got.contains(n)),
                "{when}: key {key}, {text:?}, label {l:?}: a match left out"
            );
            // Checkpointed, a column of text (`name`) or of a few texts
            // (`kind`, a dictionary) leaves exactly the matches (but for a
            // replacement character, which a damaged value could read as).
            if when == "typed columns"
                && matches!(key, "name" | "kind")
                && !text.contains('\u{FFFD}')
            {
                assert!(
                    got == want,
                    "{when}: key {key}, {text:?}, label {l:?}: {} candidates for {} matches",
                    got.len(),
                    want.len()
                );
            }
            dropped += holders.len() - got.len();
        }
    }
    dropped
}

#[test]
fn presence_and_string_reads_agree_with_property_reads() {
    for seed in 0..2u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
        let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).expect("opens");
        let count = 4096 * 2 + rng.random_range(0..3000);
        let mut ids = Vec::new();
        for batch in 0..4 {
            let mut tx = g.begin_write().expect("a write");
            for i in (batch * count / 4)..((batch + 1) * count / 4) {
                let props: Vec<(&str, Value)> = KEYS
                    .iter()
                    .filter_map(|k| value(k, i, &mut rng).map(|v| (*k, v)))
                    .collect();
                ids.push(tx.create_node(&labels(i), props).expect("creates"));
            }
            tx.commit().expect("commits");
        }
        let mut told = 0;
        check(&g.snapshot(), &mut rng, "heap columns", &mut told);
        // Heap columns leave equalities to the string reads.
        assert_eq!(told, 0);
        g.checkpoint().expect("checkpoints");
        drop(g);
        let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).expect("reopens");
        check(&g.snapshot(), &mut rng, "typed columns", &mut told);
        // Segments' text columns answer from their bytes.
        assert!(told > 1000, "{told} answers from stored bytes");
        let mut tx = g.begin_write().expect("a write");
        for _ in 0..200 {
            let n = ids[rng.random_range(0..ids.len())];
            let key = KEYS[rng.random_range(0..KEYS.len())];
            match value(key, n.0, &mut rng) {
                Some(v) => tx.set_node_property(n, key, v).expect("sets"),
                None => tx.set_node_property(n, key, Value::Null).expect("removes"),
            }
        }
        for _ in 0..20 {
            let n = ids[rng.random_range(0..ids.len())];
            tx.detach_delete_node(n).expect("deletes");
        }
        tx.commit().expect("commits");
        check(
            &g.snapshot(),
            &mut rng,
            "after a write over typed columns",
            &mut told,
        );
    }
}
