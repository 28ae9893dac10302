//! Property indexes: a persistent ordered set of `(key, node)` pairs per
//! declared index or unique constraint.
//!
//! The entries as built are a sorted array shared by every version; what
//! writes change since is kept in two `rpds` red-black trees (added and
//! removed entries) with `Arc` sharing, so a snapshot version that changes
//! a few entries copies `O(log n)` tree nodes, not the index. Keeping the
//! node id inside the ordered element (instead of a map from key to a set
//! of nodes) keeps updates cheap for low-cardinality keys too (an index on
//! a boolean has two keys and many nodes each).
//!
//! [`IndexKey`] orders values by type family first (booleans, numbers,
//! strings, each temporal type, durations, lists), then within the family.
//! Integers and floats share the number family and compare exactly, so
//! `1` and `1.0` are the same key, as Cypher equality wants. Null, NaN, and
//! lists holding either are never indexed: they equal nothing.

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use rpds::RedBlackTreeSetSync;

use crate::ids::{LabelId, NodeId, PropKeyId};
use crate::value::Value;

/// An indexable value, ordered for index lookups.
#[derive(Clone, Debug)]
pub(crate) enum IndexKey {
    Bool(bool),
    Int(i64),
    /// Never NaN; `-0.0` is stored as `0.0`.
    Float(f64),
    String(Arc<str>),
    Date(i32),
    LocalTime(i64),
    /// The instant in nanoseconds since UTC midnight, then the offset.
    Time(i64, i32),
    LocalDateTime(i64, u32),
    /// The instant: seconds and nanoseconds since the epoch, UTC.
    DateTime(i64, u32),
    Duration(i64, i64, i64, i64),
    List(Arc<[IndexKey]>),
}

impl IndexKey {
    /// The key of a value, or `None` for values that equal nothing (null,
    /// NaN, lists containing them) or cannot be stored.
    pub(crate) fn from_value(v: &Value) -> Option<IndexKey> {
        Some(match v {
            Value::Bool(b) => IndexKey::Bool(*b),
            Value::Int(i) => IndexKey::Int(*i),
            Value::Float(f) if f.is_nan() => return None,
            Value::Float(f) => IndexKey::Float(if *f == 0.0 { 0.0 } else { *f }),
            Value::String(s) => IndexKey::String(s.clone()),
            Value::Date(d) => IndexKey::Date(d.days),
            Value::LocalTime(t) => IndexKey::LocalTime(t.nanos),
            Value::Time(t) => IndexKey::Time(
                t.nanos - i64::from(t.offset_seconds) * 1_000_000_000,
                t.offset_seconds,
            ),
            Value::LocalDateTime(t) => IndexKey::LocalDateTime(t.seconds, t.nanos),
            Value::DateTime(t) => IndexKey::DateTime(t.seconds, t.nanos),
            Value::Duration(d) => IndexKey::Duration(d.months, d.days, d.seconds, d.nanos),
            Value::List(items) => IndexKey::List(
                items
                    .iter()
                    .map(IndexKey::from_value)
                    .collect::<Option<Vec<_>>>()?
                    .into(),
            ),
            Value::Null
            | Value::Map(_)
            | Value::Node(_)
            | Value::Relationship(_)
            | Value::Path(_) => return None,
        })
    }

    /// The type family: keys of different families never compare equal
    /// and range lookups stay within one family.
    pub(crate) fn family(&self) -> u8 {
        match self {
            IndexKey::Bool(_) => 0,
            IndexKey::Int(_) | IndexKey::Float(_) => 1,
            IndexKey::String(_) => 2,
            IndexKey::Date(_) => 3,
            IndexKey::LocalTime(_) => 4,
            IndexKey::Time(..) => 5,
            IndexKey::LocalDateTime(..) => 6,
            IndexKey::DateTime(..) => 7,
            IndexKey::Duration(..) => 8,
            IndexKey::List(_) => 9,
        }
    }

    /// True for families that Cypher orders with `<` (durations are not
    /// ordered; lists are left to scans).
    pub(crate) fn orderable(&self) -> bool {
        !matches!(self, IndexKey::Duration(..) | IndexKey::List(_))
    }

    /// The smallest key of family `f`.
    fn family_min(f: u8) -> Option<IndexKey> {
        Some(match f {
            0 => IndexKey::Bool(false),
            1 => IndexKey::Float(f64::NEG_INFINITY),
            2 => IndexKey::String(Arc::from("")),
            3 => IndexKey::Date(i32::MIN),
            4 => IndexKey::LocalTime(i64::MIN),
            5 => IndexKey::Time(i64::MIN, i32::MIN),
            6 => IndexKey::LocalDateTime(i64::MIN, 0),
            7 => IndexKey::DateTime(i64::MIN, 0),
            8 => IndexKey::Duration(i64::MIN, i64::MIN, i64::MIN, i64::MIN),
            9 => IndexKey::List(Arc::from(Vec::new())),
            _ => return None,
        })
    }
}

/// Compares an integer with a non-NaN float exactly.
fn cmp_int_float(a: i64, b: f64) -> Ordering {
    // 2^63 as f64; every i64 is below it.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if b >= TWO_63 {
        return Ordering::Less;
    }
    if b < -TWO_63 {
        return Ordering::Greater;
    }
    let floor = b.floor();
    // In range, so the cast is exact.
    match a.cmp(&(floor as i64)) {
        Ordering::Equal if b > floor => Ordering::Less,
        o => o,
    }
}

impl Ord for IndexKey {
    fn cmp(&self, other: &Self) -> Ordering {
        use IndexKey::*;
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.total_cmp(b),
            (Int(a), Float(b)) => cmp_int_float(*a, *b),
            (Float(a), Int(b)) => cmp_int_float(*b, *a).reverse(),
            (String(a), String(b)) => a.cmp(b),
            (Date(a), Date(b)) => a.cmp(b),
            (LocalTime(a), LocalTime(b)) => a.cmp(b),
            (Time(a, x), Time(b, y)) => (a, x).cmp(&(b, y)),
            (LocalDateTime(a, x), LocalDateTime(b, y)) => (a, x).cmp(&(b, y)),
            (DateTime(a, x), DateTime(b, y)) => (a, x).cmp(&(b, y)),
            (Duration(a, b, c, d), Duration(e, f, g, h)) => (a, b, c, d).cmp(&(e, f, g, h)),
            (List(a), List(b)) => a.iter().cmp(b.iter()),
            _ => self.family().cmp(&other.family()),
        }
    }
}

impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for IndexKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for IndexKey {}

/// An index entry: the key, then the node.
type Entry = (IndexKey, NodeId);

/// One property index (or the index behind a unique constraint).
///
/// The entries as built are one sorted array shared by every version
/// (building it is a parallel collect and a sort: ~50 bytes per entry,
/// where a tree costs ~120 and a tenth of the time to build); what writes
/// change since is two persistent trees of added and removed entries, so
/// a write still costs `O(log n)` and copies nothing. When the trees grow
/// past an eighth of the array they are merged into a new array.
#[derive(Clone)]
pub(crate) struct PropIndex {
    pub(crate) label: LabelId,
    pub(crate) key: PropKeyId,
    /// The name of the unique constraint on this (label, key), if any.
    pub(crate) unique: Option<String>,
    base: Arc<Vec<Entry>>,
    added: RedBlackTreeSetSync<Entry>,
    removed: RedBlackTreeSetSync<Entry>,
}

/// The part of a sorted array within the bounds.
fn slice_of<'a>(base: &'a [Entry], lo: &Bound<Entry>, hi: &Bound<Entry>) -> &'a [Entry] {
    let start = match lo {
        Bound::Included(x) => base.partition_point(|e| e < x),
        Bound::Excluded(x) => base.partition_point(|e| e <= x),
        Bound::Unbounded => 0,
    };
    let end = match hi {
        Bound::Included(x) => base.partition_point(|e| e <= x),
        Bound::Excluded(x) => base.partition_point(|e| e < x),
        Bound::Unbounded => base.len(),
    };
    &base[start..end.max(start)]
}

impl PropIndex {
    /// An index built from unsorted entries.
    pub(crate) fn build(
        label: LabelId,
        key: PropKeyId,
        unique: Option<String>,
        mut entries: Vec<Entry>,
    ) -> PropIndex {
        use rayon::slice::ParallelSliceMut;
        entries.par_sort_unstable();
        entries.dedup();
        PropIndex {
            label,
            key,
            unique,
            base: Arc::new(entries),
            added: RedBlackTreeSetSync::new_sync(),
            removed: RedBlackTreeSetSync::new_sync(),
        }
    }

    fn in_base(&self, e: &Entry) -> bool {
        self.base.binary_search(e).is_ok()
    }

    pub(crate) fn insert(&mut self, k: IndexKey, n: NodeId) {
        let e = (k, n);
        if self.removed.contains(&e) {
            self.removed.remove_mut(&e);
        } else if !self.in_base(&e) {
            self.added.insert_mut(e);
            self.maybe_merge();
        }
    }

    pub(crate) fn remove(&mut self, k: IndexKey, n: NodeId) {
        let e = (k, n);
        if self.added.contains(&e) {
            self.added.remove_mut(&e);
        } else if self.in_base(&e) {
            self.removed.insert_mut(e);
            self.maybe_merge();
        }
    }

    /// Folds the trees into a new array once they are large.
    fn maybe_merge(&mut self) {
        let changed = self.added.size() + self.removed.size();
        if changed < 4096 || changed < self.base.len() / 8 {
            return;
        }
        let mut all = self.entries();
        all.sort_unstable();
        self.base = Arc::new(all);
        self.added = RedBlackTreeSetSync::new_sync();
        self.removed = RedBlackTreeSetSync::new_sync();
    }

    /// Every live entry (unsorted).
    fn entries(&self) -> Vec<Entry> {
        let mut all: Vec<Entry> = self
            .base
            .iter()
            .filter(|e| !self.removed.contains(e))
            .cloned()
            .collect();
        all.extend(self.added.iter().cloned());
        all
    }

    pub(crate) fn len(&self) -> usize {
        self.base.len() + self.added.size() - self.removed.size()
    }

    /// Calls `f` with every live entry within the bounds, until it
    /// returns false.
    fn visit(&self, lo: Bound<Entry>, hi: Bound<Entry>, f: &mut dyn FnMut(&Entry) -> bool) {
        for e in slice_of(&self.base, &lo, &hi) {
            if !self.removed.contains(e) && !f(e) {
                return;
            }
        }
        for e in self.added.range((lo, hi)) {
            if !f(e) {
                return;
            }
        }
    }

    /// Nodes whose key equals `k`, ascending.
    pub(crate) fn lookup(&self, k: &IndexKey) -> Vec<NodeId> {
        let lo = (k.clone(), NodeId(0));
        let hi = (k.clone(), NodeId(u64::MAX));
        let mut out = Vec::new();
        self.visit(Bound::Included(lo), Bound::Included(hi), &mut |e| {
            out.push(e.1);
            true
        });
        out.sort_unstable();
        out
    }

    /// A node other than `n` whose key equals `k`.
    pub(crate) fn other_with(&self, k: &IndexKey, n: NodeId) -> Option<NodeId> {
        let lo = (k.clone(), NodeId(0));
        let hi = (k.clone(), NodeId(u64::MAX));
        let mut found = None;
        self.visit(Bound::Included(lo), Bound::Included(hi), &mut |e| {
            if e.1 != n {
                found = Some(e.1);
            }
            found.is_none()
        });
        found
    }

    /// The first two nodes that share a key, if any (unique check of a
    /// whole index).
    pub(crate) fn first_duplicate(&self) -> Option<(IndexKey, NodeId)> {
        let mut all = self.entries();
        all.sort_unstable();
        all.windows(2)
            .find(|w| w[0].0 == w[1].0)
            .map(|w| (w[0].0.clone(), w[0].1))
    }

    /// Nodes whose key lies within the bounds, ascending by id; `None` when
    /// the bounds are not of one orderable family (lists), so the caller
    /// scans instead. Bounds that can match nothing (null, NaN, mixed
    /// families, durations) give an empty list.
    pub(crate) fn range(&self, lower: Bound<&Value>, upper: Bound<&Value>) -> Option<Vec<NodeId>> {
        let conv = |b: Bound<&Value>| -> Result<Bound<IndexKey>, bool> {
            match b {
                Bound::Unbounded => Ok(Bound::Unbounded),
                Bound::Included(v) | Bound::Excluded(v) => {
                    if matches!(v, Value::List(_)) {
                        return Err(true); // not ours: scan
                    }
                    let k = IndexKey::from_value(v).ok_or(false)?;
                    Ok(if matches!(b, Bound::Included(_)) {
                        Bound::Included(k)
                    } else {
                        Bound::Excluded(k)
                    })
                }
            }
        };
        let (lower, upper) = match (conv(lower), conv(upper)) {
            (Err(true), _) | (_, Err(true)) => return None,
            (Err(false), _) | (_, Err(false)) => return Some(Vec::new()),
            (Ok(l), Ok(u)) => (l, u),
        };
        let key_of = |b: &Bound<IndexKey>| match b {
            Bound::Included(k) | Bound::Excluded(k) => Some(k.clone()),
            Bound::Unbounded => None,
        };
        let (lk, uk) = (key_of(&lower), key_of(&upper));
        let family = match (&lk, &uk) {
            (Some(a), Some(b)) if a.family() != b.family() => return Some(Vec::new()),
            (Some(a), _) | (None, Some(a)) => a.family(),
            (None, None) => return None,
        };
        if lk.iter().chain(uk.iter()).any(|k| !k.orderable()) {
            return Some(Vec::new());
        }
        if let (Some(a), Some(b)) = (&lk, &uk) {
            let empty = match a.cmp(b) {
                Ordering::Greater => true,
                Ordering::Equal => {
                    matches!(lower, Bound::Excluded(_)) || matches!(upper, Bound::Excluded(_))
                }
                Ordering::Less => false,
            };
            if empty {
                return Some(Vec::new());
            }
        }
        let lo = match lower {
            Bound::Included(k) => Bound::Included((k, NodeId(0))),
            Bound::Excluded(k) => Bound::Excluded((k, NodeId(u64::MAX))),
            Bound::Unbounded => match IndexKey::family_min(family) {
                Some(k) => Bound::Included((k, NodeId(0))),
                None => Bound::Unbounded,
            },
        };
        let hi = match upper {
            Bound::Included(k) => Bound::Included((k, NodeId(u64::MAX))),
            Bound::Excluded(k) => Bound::Excluded((k, NodeId(0))),
            Bound::Unbounded => match IndexKey::family_min(family + 1) {
                Some(k) => Bound::Excluded((k, NodeId(0))),
                None => Bound::Unbounded,
            },
        };
        let mut out: Vec<NodeId> = Vec::new();
        self.visit(lo, hi, &mut |(k, n)| {
            if k.family() == family {
                out.push(*n);
            }
            true
        });
        out.sort_unstable();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(v: Value) -> IndexKey {
        IndexKey::from_value(&v).unwrap()
    }

    #[test]
    fn numbers_compare_exactly_across_int_and_float() {
        assert_eq!(k(Value::Int(1)), k(Value::Float(1.0)));
        assert!(k(Value::Int(1)) < k(Value::Float(1.5)));
        assert!(k(Value::Float(0.5)) < k(Value::Int(1)));
        assert!(k(Value::Int(-1)) < k(Value::Float(-0.5)));
        assert_eq!(k(Value::Float(-0.0)), k(Value::Int(0)));
        // 2^53 + 1 is not representable as f64: it must not equal 2^53.
        let big = (1i64 << 53) + 1;
        assert!(k(Value::Int(big)) > k(Value::Float((1u64 << 53) as f64)));
        assert!(k(Value::Int(i64::MAX)) < k(Value::Float(f64::INFINITY)));
        assert!(k(Value::Int(i64::MIN)) > k(Value::Float(f64::NEG_INFINITY)));
        assert!(k(Value::Int(i64::MAX)) < k(Value::Float(9.3e18)));
        assert!(IndexKey::from_value(&Value::Float(f64::NAN)).is_none());
        assert!(IndexKey::from_value(&Value::Null).is_none());
        assert!(IndexKey::from_value(&Value::List(vec![Value::Int(1), Value::Null])).is_none());
    }

    #[test]
    fn families_do_not_mix() {
        assert_ne!(k(Value::from("1")), k(Value::Int(1)));
        assert!(k(Value::Bool(true)) < k(Value::Int(i64::MIN)));
        assert!(k(Value::Float(f64::INFINITY)) < k(Value::from("")));
    }

    #[test]
    fn range_stays_in_family() {
        let idx = PropIndex::build(
            LabelId(0),
            PropKeyId(0),
            None,
            vec![
                (k(Value::Int(1)), NodeId(5)),
                (k(Value::Float(2.5)), NodeId(1)),
                (k(Value::from("a")), NodeId(2)),
                (k(Value::Bool(true)), NodeId(3)),
                (k(Value::Int(3)), NodeId(4)),
            ],
        );
        let r = idx
            .range(Bound::Unbounded, Bound::Included(&Value::Int(3)))
            .unwrap();
        assert_eq!(r, vec![NodeId(1), NodeId(4), NodeId(5)]);
        let r = idx
            .range(Bound::Excluded(&Value::Float(1.0)), Bound::Unbounded)
            .unwrap();
        assert_eq!(r, vec![NodeId(1), NodeId(4)]);
        let r = idx
            .range(Bound::Included(&Value::from("")), Bound::Unbounded)
            .unwrap();
        assert_eq!(r, vec![NodeId(2)]);
        assert_eq!(
            idx.range(
                Bound::Included(&Value::Int(5)),
                Bound::Included(&Value::Int(1))
            ),
            Some(vec![])
        );
        assert_eq!(
            idx.range(
                Bound::Included(&Value::Int(1)),
                Bound::Included(&Value::from("z"))
            ),
            Some(vec![])
        );
        assert_eq!(
            idx.range(Bound::Included(&Value::Null), Bound::Unbounded),
            Some(vec![])
        );
        assert_eq!(
            idx.range(Bound::Included(&Value::List(vec![])), Bound::Unbounded),
            None
        );
        assert_eq!(idx.lookup(&k(Value::Float(1.0))), vec![NodeId(5)]);
    }
}
