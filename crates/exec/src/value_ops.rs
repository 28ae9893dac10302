//! Value semantics: equality, comparison, ordering, grouping keys, operators.
//!
//! Everything here follows openCypher (and Neo4j where openCypher is
//! silent): `=` is ternary (`null` when the answer depends on a null), `<`
//! and friends are `null` across incomparable types, `ORDER BY` uses a
//! total order across all types ([`order_cmp`]), and `DISTINCT` / grouping
//! use equivalence ([`GroupKey`]), under which `null` is equivalent to
//! `null`, `1` to `1.0`, and `NaN` to `NaN`.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use relgraph_cypher::ast::BinaryOp;
use relgraph_graph::temporal::{Duration, TemporalError};
use relgraph_graph::Value;

use crate::error::ExecError;

pub(crate) fn temporal_err(e: TemporalError) -> ExecError {
    ExecError::argument("InvalidArgumentValue", e.message)
}

fn overflow(what: &str) -> ExecError {
    ExecError::argument("NumberOutOfRange", format!("integer overflow in {what}"))
}

// ---------------------------------------------------------------------------
// Numbers.

/// 2^63 as a float: floats in `-2^63..2^63` convert to `i64` without overflow.
pub(crate) const TWO_POW_63: f64 = (1u64 << 63) as f64;

/// Exact comparison of an integer with a float (`None` for NaN).
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= TWO_POW_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_POW_63 {
        return Some(Ordering::Greater);
    }
    let fl = f.floor();
    match i128::from(i).cmp(&(fl as i128)) {
        Ordering::Equal if f > fl => Some(Ordering::Less),
        o => Some(o),
    }
}

/// Numeric comparison of two numbers (`None` if either is not a number or NaN).
fn num_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => int_float_cmp(*x, *y),
        (Value::Float(x), Value::Int(y)) => int_float_cmp(*y, *x).map(Ordering::reverse),
        _ => None,
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

// ---------------------------------------------------------------------------
// Equality.

/// Cypher `=`: `None` (null) when either side is null or the answer
/// depends on a null inside a list or map; `1 = 1.0` is true; NaN equals
/// nothing; values of different types are unequal.
///
/// ```
/// use relgraph_exec::value_ops::equals;
/// use relgraph_graph::Value;
/// assert_eq!(equals(&Value::Int(1), &Value::Float(1.0)), Some(true));
/// assert_eq!(equals(&Value::Null, &Value::Null), None);
/// let l = |v: Vec<Value>| Value::List(v);
/// assert_eq!(equals(&l(vec![Value::Int(1), Value::Null]), &l(vec![Value::Int(2), Value::Null])), Some(false));
/// assert_eq!(equals(&l(vec![Value::Int(1), Value::Null]), &l(vec![Value::Int(1), Value::Int(2)])), None);
/// ```
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Int(_) | Float(_), Int(_) | Float(_)) => Some(num_cmp(a, b) == Some(Ordering::Equal)),
        (Bool(x), Bool(y)) => Some(x == y),
        (String(x), String(y)) => Some(x == y),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y.iter()))
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().zip(y.keys()).any(|(k1, k2)| k1 != k2) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        (Date(x), Date(y)) => Some(x == y),
        (LocalTime(x), LocalTime(y)) => Some(x == y),
        (Time(x), Time(y)) => Some(x == y),
        (LocalDateTime(x), LocalDateTime(y)) => Some(x == y),
        (DateTime(x), DateTime(y)) => Some(
            x.seconds == y.seconds
                && x.nanos == y.nanos
                && x.offset_seconds == y.offset_seconds
                && x.zone == y.zone,
        ),
        (Duration(x), Duration(y)) => Some(x.normalized() == y.normalized()),
        (Node(x), Node(y)) => Some(x == y),
        (Relationship(x), Relationship(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        _ => Some(false),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

// ---------------------------------------------------------------------------
// Comparison.

/// Cypher's `<`, `<=`, `>`, `>=` ordering: `None` when either side is null,
/// when the types are not comparable (a string and a number, two maps, two
/// durations), or when a NaN is involved. Lists compare lexicographically.
///
/// ```
/// use relgraph_exec::value_ops::compare;
/// use relgraph_graph::Value;
/// use std::cmp::Ordering;
/// assert_eq!(compare(&Value::Int(1), &Value::Float(3.14)), Some(Ordering::Less));
/// assert_eq!(compare(&Value::from("1"), &Value::Int(1)), None);
/// ```
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Int(_) | Float(_), Int(_) | Float(_)) => num_cmp(a, b),
        (String(x), String(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (LocalTime(x), LocalTime(y)) => Some(x.cmp(y)),
        (Time(x), Time(y)) => Some(x.utc_nanos().cmp(&y.utc_nanos())),
        (LocalDateTime(x), LocalDateTime(y)) => Some(x.cmp(y)),
        (DateTime(x), DateTime(y)) => Some(x.epoch_nanos().cmp(&y.epoch_nanos())),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match compare(p, q)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

/// Evaluates a comparison operator (`=`, `<>`, `<`, `<=`, `>`, `>=`) with
/// Cypher's rules: null when unknown, and `false` for any ordering
/// comparison of NaN with a number.
///
/// ```
/// use relgraph_exec::value_ops::compare_op;
/// use relgraph_cypher::ast::BinaryOp;
/// use relgraph_graph::Value;
/// assert_eq!(compare_op(BinaryOp::Gt, &Value::Float(f64::NAN), &Value::Int(1)), Some(false));
/// assert_eq!(compare_op(BinaryOp::Ne, &Value::Int(1), &Value::Int(2)), Some(true));
/// ```
pub fn compare_op(op: BinaryOp, a: &Value, b: &Value) -> Option<bool> {
    match op {
        BinaryOp::Eq => equals(a, b),
        BinaryOp::Ne => equals(a, b).map(|e| !e),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            if (is_nan(a) && is_number(b)) || (is_nan(b) && is_number(a)) {
                return Some(false);
            }
            ordering_holds(op, compare(a, b)?)
        }
        _ => None,
    }
}

/// [`compare_op`] of two strings, without values around them (a scan
/// compares a text column's bytes where they lie).
///
/// ```
/// use relgraph_exec::value_ops::compare_strs;
/// use relgraph_cypher::ast::BinaryOp;
/// assert_eq!(compare_strs(BinaryOp::Lt, "Ada", "Alan"), Some(true));
/// assert_eq!(compare_strs(BinaryOp::Eq, "Ada", "ada"), Some(false));
/// ```
pub fn compare_strs(op: BinaryOp, a: &str, b: &str) -> Option<bool> {
    match op {
        BinaryOp::Eq => Some(a == b),
        BinaryOp::Ne => Some(a != b),
        _ => ordering_holds(op, a.cmp(b)),
    }
}

/// Whether ordering `o` of two operands satisfies comparison `op` (`<`,
/// `<=`, `>`, `>=`); `None` for other operators.
fn ordering_holds(op: BinaryOp, o: Ordering) -> Option<bool> {
    Some(match op {
        BinaryOp::Lt => o == Ordering::Less,
        BinaryOp::Le => o != Ordering::Greater,
        BinaryOp::Gt => o == Ordering::Greater,
        BinaryOp::Ge => o != Ordering::Less,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// Total order for ORDER BY, min and max.

fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Relationship(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::DateTime(_) => 5,
        Value::LocalDateTime(_) => 6,
        Value::Date(_) => 7,
        Value::Time(_) => 8,
        Value::LocalTime(_) => 9,
        Value::Duration(_) => 10,
        Value::String(_) => 11,
        Value::Bool(_) => 12,
        Value::Int(_) | Value::Float(_) => 13,
        Value::Null => 14,
    }
}

fn duration_order(x: &Duration, y: &Duration) -> Ordering {
    let (x, y) = (x.normalized(), y.normalized());
    x.approx_nanos()
        .cmp(&y.approx_nanos())
        .then(x.months.cmp(&y.months))
        .then(x.days.cmp(&y.days))
        .then(x.total_nanos().cmp(&y.total_nanos()))
}

/// The total order of `ORDER BY` (ascending) across all values, as
/// openCypher defines it: maps < nodes < relationships < lists < paths <
/// date-times < local date-times < dates < times < local times < durations
/// < strings < booleans < numbers < null. Among numbers NaN is largest;
/// `1` and `1.0` are equal.
///
/// ```
/// use relgraph_exec::value_ops::order_cmp;
/// use relgraph_graph::Value;
/// use std::cmp::Ordering;
/// assert_eq!(order_cmp(&Value::from("text"), &Value::Bool(false)), Ordering::Less);
/// assert_eq!(order_cmp(&Value::Float(f64::NAN), &Value::Null), Ordering::Less);
/// assert_eq!(order_cmp(&Value::Float(f64::NAN), &Value::Int(i64::MAX)), Ordering::Greater);
/// ```
pub fn order_cmp(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    // The common cases first (aggregates compare millions of these).
    match (a, b) {
        (Int(x), Int(y)) => return x.cmp(y),
        (Node(x), Node(y)) => return x.cmp(y),
        _ => {}
    }
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Int(_) | Float(_), Int(_) | Float(_)) => match (is_nan(a), is_nan(b)) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => num_cmp(a, b).unwrap_or(Ordering::Equal),
        },
        (String(x), String(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Map(x), Map(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y.iter()) {
                let o = k1.cmp(k2).then_with(|| order_cmp(v1, v2));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Node(x), Node(y)) => x.cmp(y),
        (Relationship(x), Relationship(y)) => x.cmp(y),
        (List(x), List(y)) => list_order(x, y),
        (Path(x), Path(y)) => {
            for i in 0..x.nodes.len().min(y.nodes.len()) {
                let o = x.nodes[i].cmp(&y.nodes[i]);
                if o != Ordering::Equal {
                    return o;
                }
                if let (Some(r1), Some(r2)) = (x.rels.get(i), y.rels.get(i)) {
                    let o = r1.cmp(r2);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
            }
            x.nodes.len().cmp(&y.nodes.len())
        }
        (DateTime(x), DateTime(y)) => x
            .epoch_nanos()
            .cmp(&y.epoch_nanos())
            .then(x.offset_seconds.cmp(&y.offset_seconds))
            .then_with(|| x.zone.cmp(&y.zone)),
        (LocalDateTime(x), LocalDateTime(y)) => x.cmp(y),
        (Date(x), Date(y)) => x.cmp(y),
        (Time(x), Time(y)) => x
            .utc_nanos()
            .cmp(&y.utc_nanos())
            .then(x.offset_seconds.cmp(&y.offset_seconds)),
        (LocalTime(x), LocalTime(y)) => x.cmp(y),
        (Duration(x), Duration(y)) => duration_order(x, y),
        _ => Ordering::Equal,
    }
}

/// A word whose order agrees with [`order_cmp`] wherever it differs: a
/// smaller prefix means a smaller value, equal values have equal
/// prefixes, and values with equal prefixes need [`order_cmp`] to be told
/// apart. The type's place in the order is the top four bits; the rest
/// is the number (as a float, rounded towards its neighbours: monotone),
/// a string's first seven bytes, a boolean, or a node's or relationship's
/// id; other values are told apart by [`order_cmp`] alone. A sort
/// compares the prefixes of its first key first: one integer comparison
/// for most pairs instead of a walk through the value's type.
///
/// ```
/// use relgraph_exec::value_ops::order_prefix;
/// use relgraph_graph::Value;
/// assert!(order_prefix(&Value::Int(-3)) < order_prefix(&Value::Float(2.5)));
/// assert_eq!(order_prefix(&Value::Int(1)), order_prefix(&Value::Float(1.0)));
/// assert!(order_prefix(&Value::from("ab")) < order_prefix(&Value::Bool(false)));
/// assert!(order_prefix(&Value::Float(f64::NAN)) < order_prefix(&Value::Null));
/// ```
pub fn order_prefix(v: &Value) -> u64 {
    const BODY: u64 = (1 << 60) - 1;
    let body = match v {
        Value::Int(i) => float_prefix(*i as f64),
        Value::Float(f) if f.is_nan() => BODY,
        Value::Float(f) => float_prefix(*f),
        Value::String(s) => {
            let mut word = [0u8; 8];
            let n = s.len().min(7);
            word[1..1 + n].copy_from_slice(&s.as_bytes()[..n]);
            u64::from_be_bytes(word)
        }
        Value::Bool(b) => u64::from(*b),
        Value::Node(n) => n.0.min(BODY),
        Value::Relationship(r) => r.0.min(BODY),
        _ => 0,
    };
    (u64::from(type_rank(v)) << 60) | body
}

/// The 60 high bits of a float's place in the order of all floats (NaN
/// aside), with `-0.0` and `0.0` at one place.
fn float_prefix(f: f64) -> u64 {
    let bits = if f == 0.0 { 0.0f64 } else { f }.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    // Below NaN's BODY: the largest float (infinity) shifts to less.
    ordered >> 4
}

fn list_order(x: &[Value], y: &[Value]) -> Ordering {
    for (p, q) in x.iter().zip(y.iter()) {
        let o = order_cmp(p, q);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

// ---------------------------------------------------------------------------
// Grouping keys.

/// A value used as a grouping or `DISTINCT` key: `Eq` and `Hash` follow
/// openCypher equivalence (null is equivalent to null, `1` to `1.0`, NaN
/// to NaN; lists and maps element-wise).
///
/// ```
/// use relgraph_exec::value_ops::GroupKey;
/// use relgraph_graph::Value;
/// use std::collections::HashSet;
/// let set: HashSet<GroupKey> = [Value::Int(1), Value::Float(1.0), Value::Null, Value::Null]
///     .into_iter().map(GroupKey).collect();
/// assert_eq!(set.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct GroupKey(pub Value);

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        key_eq(&self.0, &other.0)
    }
}

/// openCypher equivalence of two values, as [`GroupKey`] compares them.
#[inline]
fn key_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Node(x), Value::Node(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => key_eq_other(a, b),
    }
}

/// [`key_eq`] beyond its inlined common cases.
#[inline(never)]
fn key_eq_other(a: &Value, b: &Value) -> bool {
    type_rank(a) == type_rank(b) && order_cmp(a, b) == Ordering::Equal
}

/// The hash of a value that [`GroupKey`] uses, with FxHash (the common
/// integer case inlined: it hashes as [`hash_value`] does).
#[inline]
fn key_hash(v: &Value) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    match v {
        Value::Int(i) => {
            type_rank(v).hash(&mut h);
            i.hash(&mut h);
        }
        _ => hash_value(v, &mut h),
    }
    h.finish()
}

/// Distinct values in first-seen order, each kept once, so that a value
/// already seen is neither cloned nor stored again (the `DISTINCT` of an
/// aggregate). Up to [`DistinctValues::SMALL`] values are searched in
/// place (a group's few distinct values take no allocation for one value
/// and no hash table for a few); beyond that a hash table of positions
/// into the list finds them.
///
/// ```
/// use relgraph_exec::value_ops::DistinctValues;
/// use relgraph_graph::Value;
/// let mut d = DistinctValues::default();
/// for v in [Value::Int(2), Value::Float(2.0), Value::Null, Value::Int(1), Value::Null] {
///     d.insert(&v);
/// }
/// assert_eq!(d.into_values(), vec![Value::Int(2), Value::Null, Value::Int(1)]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct DistinctValues {
    /// Positions into `values` by hash, made when there are more than
    /// [`DistinctValues::SMALL`] values (boxed: a DISTINCT aggregate's
    /// accumulator holds this in place, and most groups see a few values).
    table: Option<Box<hashbrown::HashTable<usize>>>,
    values: smallvec::SmallVec<[Value; 1]>,
}

impl DistinctValues {
    /// The most values searched in place, without the hash table.
    pub const SMALL: usize = 8;

    /// Adds `v` unless an equivalent value is already there; true when added.
    pub fn insert(&mut self, v: &Value) -> bool {
        self.insert_with(v, Value::clone)
    }

    /// [`DistinctValues::insert`] of a value given by ownership.
    pub fn insert_owned(&mut self, v: Value) -> bool {
        self.insert_with(v, |v| v)
    }

    fn insert_with<V: std::borrow::Borrow<Value>>(
        &mut self,
        v: V,
        own: impl FnOnce(V) -> Value,
    ) -> bool {
        let value = v.borrow();
        let Some(table) = self.table.as_deref_mut() else {
            if self.values.iter().any(|x| key_eq(x, value)) {
                return false;
            }
            self.values.push(own(v));
            if self.values.len() > Self::SMALL {
                let values = &self.values;
                let mut table = hashbrown::HashTable::with_capacity(2 * values.len());
                for (i, x) in values.iter().enumerate() {
                    table.insert_unique(key_hash(x), i, |&j| key_hash(&values[j]));
                }
                self.table = Some(Box::new(table));
            }
            return true;
        };
        let hash = key_hash(value);
        if table
            .find(hash, |&i| key_eq(&self.values[i], value))
            .is_some()
        {
            return false;
        }
        let i = self.values.len();
        self.values.push(own(v));
        let values = &self.values;
        table.insert_unique(hash, i, |&j| key_hash(&values[j]));
        true
    }

    /// How many distinct values there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The distinct values, in first-seen order.
    pub fn into_values(self) -> Vec<Value> {
        self.values.into_vec()
    }
}

/// The distinct values in first-seen order, without collecting them.
impl IntoIterator for DistinctValues {
    type Item = Value;
    type IntoIter = smallvec::IntoIter<[Value; 1]>;

    fn into_iter(self) -> Self::IntoIter {
        self.values.into_iter()
    }
}

impl Eq for GroupKey {}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_value(&self.0, state);
    }
}

fn hash_value<H: Hasher>(v: &Value, state: &mut H) {
    type_rank(v).hash(state);
    match v {
        Value::Null => {}
        Value::Bool(b) => b.hash(state),
        Value::Int(i) => i.hash(state),
        Value::Float(f) => {
            if f.is_nan() {
                u64::MAX.hash(state);
            } else if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(f) {
                (*f as i64).hash(state);
            } else {
                f.to_bits().hash(state);
            }
        }
        Value::String(s) => s.hash(state),
        Value::List(l) => {
            l.len().hash(state);
            for x in l {
                hash_value(x, state);
            }
        }
        Value::Map(m) => {
            m.len().hash(state);
            for (k, x) in m {
                k.hash(state);
                hash_value(x, state);
            }
        }
        Value::Date(d) => d.hash(state),
        Value::LocalTime(t) => t.hash(state),
        Value::Time(t) => t.hash(state),
        Value::LocalDateTime(t) => t.hash(state),
        Value::DateTime(t) => t.hash(state),
        Value::Duration(d) => d.normalized().hash(state),
        Value::Node(n) => n.hash(state),
        Value::Relationship(r) => r.hash(state),
        Value::Path(p) => p.hash(state),
    }
}

mod in_set;
mod ops;

pub(crate) use in_set::{InSet, IN_SET_MIN};
pub(crate) use ops::display_scalar;
pub use ops::{binary_op, format_float, property_of_value, unary_op};

#[cfg(test)]
mod tests;
