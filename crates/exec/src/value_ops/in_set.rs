//! `x IN list` against a list known before the rows arrive (a literal, a
//! folded parameter, a prepared plan's late parameter): its integers and
//! strings hashed once, so each row costs a lookup instead of a scan.

use std::sync::Arc;

use relgraph_graph::Value;
use rustc_hash::FxHashSet;

use super::binary_op;
use super::ops::scan_in;
use crate::error::Result;
use relgraph_cypher::ast::BinaryOp;

/// Lists shorter than this are scanned: hashing would not pay.
pub(crate) const IN_SET_MIN: usize = 8;

/// A list prepared for membership tests with exactly the answers of
/// `x IN list` (true, false or null; equality as `=`).
#[derive(Debug)]
pub(crate) struct InSet {
    ints: FxHashSet<i64>,
    strings: FxHashSet<Arc<str>>,
    /// Every item that is neither an integer nor a string, in order.
    rest: Vec<Value>,
    /// The whole list, for needles of other types.
    list: Value,
}

impl InSet {
    /// Indexes `items` (the right-hand side of `IN`).
    pub(crate) fn new(items: &[Value]) -> InSet {
        let mut set = InSet {
            ints: FxHashSet::default(),
            strings: FxHashSet::default(),
            rest: Vec::new(),
            list: Value::List(items.to_vec()),
        };
        for v in items {
            match v {
                Value::Int(i) => {
                    set.ints.insert(*i);
                }
                Value::String(s) => {
                    set.strings.insert(s.clone());
                }
                other => set.rest.push(other.clone()),
            }
        }
        set
    }

    /// The list's items, in order.
    pub(crate) fn items(&self) -> &[Value] {
        match &self.list {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// `needle IN list`. An integer equals only integers and floats of
    /// the same value and a string only the same string (anything else
    /// compares false with them), so those needles look up their own
    /// kind and scan only the items of other kinds.
    pub(crate) fn contains(&self, needle: &Value) -> Result<Value> {
        let hit = match needle {
            Value::Int(i) => self.ints.contains(i),
            Value::String(s) => self.strings.contains(s),
            _ => return binary_op(BinaryOp::In, needle, &self.list),
        };
        if hit {
            return Ok(Value::Bool(true));
        }
        Ok(scan_in(needle, &self.rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            (-5i64..5).prop_map(Value::Int),
            (-5i64..5).prop_map(|i| Value::Float(i as f64)),
            Just(Value::Float(0.5)),
            Just(Value::Float(f64::NAN)),
            prop::sample::select(vec!["a", "b", "1"]).prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            prop::collection::vec((-2i64..2).prop_map(Value::Int), 0..2).prop_map(Value::List),
            Just(Value::List(vec![Value::Null])),
        ]
    }

    /// Past the values searched in place the hash table finds them: each
    /// still kept once (an integer and its equal float are one value), in
    /// first-seen order.
    #[test]
    fn distinct_values_past_the_small_set() {
        let mut d = crate::value_ops::DistinctValues::default();
        let n = 3 * crate::value_ops::DistinctValues::SMALL as i64;
        for i in 0..n {
            assert!(d.insert(&Value::Int(i)));
        }
        for i in (0..n).rev() {
            assert!(!d.insert(&Value::Float(i as f64)));
            assert!(!d.insert_owned(Value::Int(i)));
        }
        assert!(d.insert(&Value::Null));
        assert!(!d.insert_owned(Value::Null));
        let want: Vec<Value> = (0..n).map(Value::Int).chain([Value::Null]).collect();
        assert_eq!(d.len(), want.len());
        assert_eq!(d.into_iter().collect::<Vec<_>>(), want);
    }

    proptest! {
        /// The set answers exactly what scanning the list answers.
        #[test]
        fn agrees_with_the_scan(items in prop::collection::vec(value(), 0..20), needle in value()) {
            let set = InSet::new(&items);
            let scan = binary_op(BinaryOp::In, &needle, &Value::List(items.clone())).unwrap();
            let got = set.contains(&needle).unwrap();
            prop_assert_eq!(format!("{got:?}"), format!("{scan:?}"));
        }

        /// `DistinctValues` keeps what a set of `GroupKey`s keeps, in
        /// first-seen order, whether values come by reference or owned.
        #[test]
        fn distinct_values_agree_with_group_keys(items in prop::collection::vec(value(), 0..30)) {
            let mut seen = std::collections::HashSet::new();
            let want: Vec<Value> = items
                .iter()
                .filter(|v| seen.insert(crate::value_ops::GroupKey((*v).clone())))
                .cloned()
                .collect();
            let mut by_ref = crate::value_ops::DistinctValues::default();
            let mut owned = crate::value_ops::DistinctValues::default();
            for v in &items {
                let added = by_ref.insert(v);
                prop_assert_eq!(added, owned.insert_owned(v.clone()));
            }
            prop_assert_eq!(by_ref.len(), want.len());
            prop_assert_eq!(format!("{:?}", by_ref.into_values()), format!("{want:?}"));
            prop_assert_eq!(format!("{:?}", owned.into_values()), format!("{want:?}"));
        }
    }
}
