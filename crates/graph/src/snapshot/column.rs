//! Typed property columns, read in place from a segment.
//!
//! A segment stores each property column of a chunk in the narrowest form
//! its values allow (chosen by [`ColumnKind::choose`] when the segment is
//! written): integers and dates as little-endian arrays of the fewest bytes
//! that hold the chunk's values ([`Ints`]), floats as 8 bytes or, when every
//! value is a short decimal, as scaled integers ([`Floats`]), each with a
//! presence bitmap, booleans as two bitmaps, strings either as codes ([`Codes`]) into a
//! small per-chunk dictionary (low-cardinality columns such as `kind` or
//! `city`) or as offsets plus UTF-8 bytes, and anything else (mixed types,
//! lists, times) as one bincode-encoded value per entry. All of them index
//! by local offset, so a lookup is one bit test and one array read.
//!
//! Reading a fixed-width value builds it on the fly (no allocation); a
//! dictionary value is borrowed from the dictionary; a plain string is
//! copied into a fresh `Value::String`.

use std::borrow::Cow;
use std::sync::Arc;

use crate::ids::NodeId;
use crate::temporal::Date;
use crate::value::{Scalar, Value};

use super::buf::Buf;
use super::chunk::Bits;
use super::StrEq;

/// Code of an absent entry in a dictionary column.
pub(crate) const DICT_ABSENT: u32 = u32::MAX;

/// Whether a text column's bytes are UTF-8 and its offsets fall where
/// characters start, checked once for the whole column on the first read
/// (about a millisecond a megabyte) instead of value by value (a name of
/// 20 bytes checked on every read: 8% of the rows made after cookbook
/// cb07's aggregation).
#[derive(Debug)]
pub(crate) struct Utf8(std::sync::atomic::AtomicU8);

impl Default for Utf8 {
    fn default() -> Self {
        Utf8(std::sync::atomic::AtomicU8::new(UTF8_UNKNOWN))
    }
}

const UTF8_UNKNOWN: u8 = 0;
const UTF8_YES: u8 = 1;
const UTF8_NO: u8 = 2;

impl Clone for Utf8 {
    fn clone(&self) -> Self {
        Utf8(std::sync::atomic::AtomicU8::new(
            self.0.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }
}

impl Utf8 {
    /// Whether every value of the column of `offsets` into `bytes` is
    /// UTF-8 on its own (checked the first time).
    #[inline]
    fn holds(&self, offsets: &Buf<u32>, bytes: &Buf<u8>) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        match self.0.load(Relaxed) {
            UTF8_YES => true,
            UTF8_NO => false,
            _ => {
                let yes = Self::check(offsets, bytes);
                self.0.store(if yes { UTF8_YES } else { UTF8_NO }, Relaxed);
                yes
            }
        }
    }

    #[inline(never)]
    fn check(offsets: &[u32], bytes: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return false;
        };
        // An offset past the end reads no value (`slice_at`).
        offsets
            .iter()
            .all(|&o| o as usize > text.len() || text.is_char_boundary(o as usize))
    }
}

/// A column read in place from a segment. See the module documentation.
#[derive(Clone, Debug)]
pub(crate) enum TypedColumn {
    Int {
        present: Bits,
        values: Ints,
    },
    Float {
        present: Bits,
        values: Floats,
    },
    Bool {
        present: Bits,
        values: Bits,
    },
    Date {
        present: Bits,
        /// Days since 1970-01-01.
        values: Ints,
    },
    Dict {
        codes: Codes,
        dict: Arc<[Value]>,
    },
    Text {
        offsets: Buf<u32>,
        bytes: Buf<u8>,
        present: Bits,
        /// Whether every value is UTF-8, once checked ([`Utf8`]).
        utf8: Utf8,
    },
    Encoded {
        offsets: Buf<u32>,
        bytes: Buf<u8>,
    },
}

/// Whether the value at a local is one string, as
/// [`TypedColumn::equals_str`] answers, with what it needs found once per
/// column and string ([`TypedColumn::str_test`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum StrTest<'c, 's> {
    /// No column: no local holds a value.
    Absent,
    /// The column does not tell: [`StrEq::Unknown`] for every local.
    Unknown,
    /// A dictionary column: `want` is the code of the string, if an entry
    /// is that string; codes past the `entries` are absent.
    Dict {
        codes: &'c Codes,
        entries: usize,
        want: Option<u32>,
    },
    /// A text column; `definite`: unequal bytes are another value (see
    /// [`TypedColumn::equals_str`]).
    Text {
        offsets: &'c Buf<u32>,
        bytes: &'c Buf<u8>,
        present: &'c Bits,
        want: &'s [u8],
        definite: bool,
    },
}

impl StrTest<'_, '_> {
    /// For a dictionary's test: from `items[from..]`, while their nodes
    /// (`node(item)`) lie in chunk `chunk`, moves those whose answer is
    /// [`StrEq::Equal`]`(equal)` to `items[kept..]`, in order; returns
    /// the new `kept` and where the run ended. `None` for any other test.
    /// One loop per code width, a code compare per item.
    #[inline]
    pub(crate) fn keep_coded<T: Copy>(
        &self,
        items: &mut [T],
        from: usize,
        kept: usize,
        chunk: usize,
        node: &impl Fn(T) -> NodeId,
        equal: bool,
    ) -> Option<(usize, usize)> {
        let StrTest::Dict {
            codes,
            entries,
            want,
        } = *self
        else {
            return None;
        };
        // A code at or past `entries` (the width's "absent" among them)
        // is no value: never kept.
        let want = want.unwrap_or(u32::MAX);
        Some(match codes {
            Codes::U8(b) => keep_codes(b, items, from, kept, chunk, node, entries, want, equal),
            Codes::U16(b) => keep_codes(b, items, from, kept, chunk, node, entries, want, equal),
            Codes::U32(b) => keep_codes(b, items, from, kept, chunk, node, entries, want, equal),
        })
    }

    /// Whether the value at `local` is the string.
    #[inline]
    pub(crate) fn at(&self, local: usize) -> StrEq {
        match *self {
            StrTest::Absent => StrEq::Absent,
            StrTest::Unknown => StrEq::Unknown,
            StrTest::Dict {
                codes,
                entries,
                want,
            } => match codes.get(local) {
                Some(c) if (c as usize) < entries => StrEq::Equal(Some(c) == want),
                _ => StrEq::Absent,
            },
            StrTest::Text {
                offsets,
                bytes,
                present,
                want,
                definite,
            } => match slice_at(offsets, bytes, local).filter(|_| present.get(local)) {
                None => StrEq::Absent,
                Some(b) if b == want => StrEq::Equal(true),
                Some(_) if definite => StrEq::Equal(false),
                Some(_) => StrEq::Unknown,
            },
        }
    }
}

/// [`StrTest::keep_coded`] for codes of one width.
#[allow(clippy::too_many_arguments)]
#[inline]
fn keep_codes<T: Copy, C: Copy + Into<u32>>(
    codes: &[C],
    items: &mut [T],
    from: usize,
    mut kept: usize,
    chunk: usize,
    node: &impl Fn(T) -> NodeId,
    entries: usize,
    want: u32,
    equal: bool,
) -> (usize, usize) {
    let mut j = from;
    while let Some(&item) = items.get(j) {
        let (c, l) = super::chunk::node_pos(node(item).0);
        if c != chunk {
            break;
        }
        let keep = codes.get(l).is_some_and(|&code| {
            let code: u32 = code.into();
            (code as usize) < entries && (code == want) == equal
        });
        items[kept] = item;
        kept += usize::from(keep);
        j += 1;
    }
    (kept, j)
}

/// Appends, per local of `locals`, `Int` of its value where `present`
/// holds it and `Null` where not: one loop per width.
fn int_scalars<T: Copy + Into<i64>>(
    present: &Bits,
    values: &[T],
    nodes: &[NodeId],
    out: &mut Vec<Scalar>,
) {
    let present = present.words();
    out.extend(nodes.iter().map(|n| {
        let l = local(*n);
        match values.get(l) {
            Some(v) if bit(present, l) => Scalar::Int((*v).into()),
            _ => Scalar::Null,
        }
    }));
}

/// Node `n`'s place in its chunk.
#[inline]
fn local(n: NodeId) -> usize {
    super::chunk::node_pos(n.0).1
}

/// Bit `i` of `words` (a [`Bits`]' words taken once for a loop).
#[inline]
fn bit(words: &[u64], i: usize) -> bool {
    words
        .get(i / 64)
        .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

/// `values` appended to `out` as scalars, one at a time; false (with
/// `out` as it was) where one is not a scalar.
pub(super) fn scalars_of(values: impl Iterator<Item = Value>, out: &mut Vec<Scalar>) -> bool {
    let before = out.len();
    for v in values {
        match Scalar::of(&v) {
            Some(x) => out.push(x),
            None => {
                out.truncate(before);
                return false;
            }
        }
    }
    true
}

impl TypedColumn {
    /// The values of `nodes` (all of the column's chunk) appended to
    /// `out` as scalars, the column's kind matched once; false (with `out`
    /// as it was) where a value is not a scalar.
    pub(crate) fn scalars(&self, nodes: &[NodeId], out: &mut Vec<Scalar>) -> bool {
        match self {
            TypedColumn::Int { present, values } => match values {
                Ints::I8(b) => int_scalars(present, b, nodes, out),
                Ints::I16(b) => int_scalars(present, b, nodes, out),
                Ints::I32(b) => int_scalars(present, b, nodes, out),
                Ints::I64(b) => int_scalars(present, b, nodes, out),
            },
            TypedColumn::Float { present, values } => {
                let present = present.words();
                out.extend(nodes.iter().map(|n| {
                    let l = local(*n);
                    match values.get(l) {
                        Some(v) if bit(present, l) => Scalar::Float(v),
                        _ => Scalar::Null,
                    }
                }));
            }
            TypedColumn::Bool { present, values } => {
                let (present, values) = (present.words(), values.words());
                out.extend(nodes.iter().map(|n| {
                    let l = local(*n);
                    match bit(present, l) {
                        true => Scalar::Bool(bit(values, l)),
                        false => Scalar::Null,
                    }
                }));
            }
            _ => return scalars_of(nodes.iter().map(|n| self.value(local(*n))), out),
        }
        true
    }

    /// The value at `local`, if present.
    #[inline]
    pub(crate) fn get(&self, local: usize) -> Option<Cow<'_, Value>> {
        match self {
            TypedColumn::Int { present, values } => {
                let v = values.get(local).filter(|_| present.get(local))?;
                Some(Cow::Owned(Value::Int(v)))
            }
            TypedColumn::Float { present, values } => {
                let v = values.get(local).filter(|_| present.get(local))?;
                Some(Cow::Owned(Value::Float(v)))
            }
            TypedColumn::Bool { present, values } => present
                .get(local)
                .then(|| Cow::Owned(Value::Bool(values.get(local)))),
            TypedColumn::Date { present, values } => {
                let days = values.get(local).filter(|_| present.get(local))?;
                // Written from i32 days: a wider value is a damaged array.
                let days = i32::try_from(days).ok()?;
                Some(Cow::Owned(Value::Date(Date { days })))
            }
            TypedColumn::Dict { codes, dict } => {
                let code = codes.get(local)?;
                dict.get(code as usize).map(Cow::Borrowed)
            }
            TypedColumn::Text { .. } => {
                // Damaged bytes are read with replacement characters.
                let text: Arc<str> = match self.text_str(local)? {
                    Ok(s) => Arc::from(s),
                    Err(bytes) => Arc::from(String::from_utf8_lossy(bytes).as_ref()),
                };
                Some(Cow::Owned(Value::String(text)))
            }
            TypedColumn::Encoded { offsets, bytes } => {
                let raw = slice_at(offsets, bytes, local)?;
                if raw.is_empty() {
                    return None;
                }
                decode_value(raw).map(Cow::Owned)
            }
        }
    }

    /// [`TypedColumn::get`] as an owned value, `Null` when absent.
    #[inline]
    pub(crate) fn value(&self, local: usize) -> Value {
        match self {
            TypedColumn::Int { present, values } => match values.get(local) {
                Some(v) if present.get(local) => Value::Int(v),
                _ => Value::Null,
            },
            TypedColumn::Float { present, values } => match values.get(local) {
                Some(v) if present.get(local) => Value::Float(v),
                _ => Value::Null,
            },
            TypedColumn::Bool { present, values } if present.get(local) => {
                Value::Bool(values.get(local))
            }
            TypedColumn::Bool { .. } => Value::Null,
            TypedColumn::Dict { codes, dict } => codes
                .get(local)
                .and_then(|c| dict.get(c as usize))
                .cloned()
                .unwrap_or(Value::Null),
            _ => self.get(local).map_or(Value::Null, Cow::into_owned),
        }
    }

    /// The value at `local` as [`crate::snapshot::PropStr`]: a text
    /// column's string borrowed from the segment, not copied.
    pub(crate) fn str_at(&self, local: usize) -> super::PropStr<'_> {
        use super::PropStr;
        match self {
            // Bytes that are not UTF-8 (a damaged array) are read the long
            // way, as `get` reads them.
            TypedColumn::Text { .. } => match self.text_str(local) {
                None => PropStr::Absent,
                Some(Ok(s)) => PropStr::Str(s),
                Some(Err(_)) => PropStr::Other,
            },
            TypedColumn::Dict { .. } | TypedColumn::Encoded { .. } => PropStr::of(self.get(local)),
            _ if self.has(local) => PropStr::Other,
            _ => PropStr::Absent,
        }
    }

    /// Whether the value at `local` is the string `s`, where a text
    /// column's bytes tell without being checked as UTF-8 first: equal
    /// bytes are the same string, and unequal bytes are another value,
    /// unless `s` holds the replacement character that bytes which are
    /// not UTF-8 (a damaged array) read as. A dictionary column compares
    /// its entry. [`StrEq::Unknown`] for every other column: read it with
    /// [`TypedColumn::str_at`].
    pub(crate) fn equals_str(&self, local: usize, s: &str) -> StrEq {
        match self {
            TypedColumn::Text { .. } => self.str_test(s).at(local),
            // A dictionary's entries are strings, checked when it was read.
            TypedColumn::Dict { codes, dict } => {
                match codes.get(local).and_then(|c| dict.get(c as usize)) {
                    None => StrEq::Absent,
                    Some(Value::String(x)) => StrEq::Equal(**x == *s),
                    Some(_) => StrEq::Equal(false),
                }
            }
            _ => StrEq::Unknown,
        }
    }

    /// [`TypedColumn::equals_str`] of string `s` made ready to answer for
    /// many locals: a dictionary's code for `s` found once (a local is
    /// then one code compare), a text column's arrays held.
    pub(crate) fn str_test<'c, 's>(&'c self, s: &'s str) -> StrTest<'c, 's> {
        match self {
            TypedColumn::Text {
                offsets,
                bytes,
                present,
                ..
            } => StrTest::Text {
                offsets,
                bytes,
                present,
                want: s.as_bytes(),
                definite: s.is_ascii() || !s.contains(char::REPLACEMENT_CHARACTER),
            },
            TypedColumn::Dict { codes, dict } => {
                let mut found = (0..dict.len() as u32)
                    .filter(|&c| matches!(&dict[c as usize], Value::String(x) if **x == *s));
                match (found.next(), found.next()) {
                    (want, None) => StrTest::Dict {
                        codes,
                        entries: dict.len(),
                        want,
                    },
                    // One string twice in a dictionary: each entry read.
                    _ => StrTest::Unknown,
                }
            }
            _ => StrTest::Unknown,
        }
    }

    /// Keeps the locals of `locals` (each holding a value) whose value is
    /// the string `s`, as [`TypedColumn::equals_str`] answers each, where
    /// the stored form answers for all of them: a text column by its
    /// bytes (offsets compared first), a dictionary by its entries.
    /// False, with `locals` as it was, where it does not (another kind
    /// of column, or an `s` that a damaged value could read as).
    pub(crate) fn retain_str_eq(&self, locals: &mut Vec<u32>, s: &str) -> bool {
        match self {
            TypedColumn::Text { offsets, bytes, .. }
                if s.is_ascii() || !s.contains(char::REPLACEMENT_CHARACTER) =>
            {
                let (offsets, bytes): (&[u32], &[u8]) = (offsets, bytes);
                let (want, len) = (s.as_bytes(), s.len());
                locals.retain(|&l| {
                    let l = l as usize;
                    match (offsets.get(l), offsets.get(l + 1)) {
                        (Some(&a), Some(&b)) if (b as usize).wrapping_sub(a as usize) == len => {
                            bytes.get(a as usize..b as usize) == Some(want)
                        }
                        _ => false,
                    }
                });
                true
            }
            TypedColumn::Dict { codes, dict } => {
                let is_s = |v: &Value| matches!(v, Value::String(x) if **x == *s);
                let wanted: Vec<u32> = (0..dict.len() as u32)
                    .filter(|&c| is_s(&dict[c as usize]))
                    .collect();
                locals.retain(|&l| codes.get(l as usize).is_some_and(|c| wanted.contains(&c)));
                true
            }
            _ => false,
        }
    }

    /// The bytes of a text column's value at `local`, if present.
    fn text_at(&self, local: usize) -> Option<&[u8]> {
        match self {
            TypedColumn::Text {
                offsets,
                bytes,
                present,
                ..
            } if present.get(local) => slice_at(offsets, bytes, local),
            _ => None,
        }
    }

    /// A text column's value at `local` as a string, or its bytes where
    /// they are not UTF-8 (a damaged array); `None` when absent. A column
    /// whose bytes were all found to be UTF-8, split only where a
    /// character starts, is not checked again value by value.
    #[inline]
    fn text_str(&self, local: usize) -> Option<std::result::Result<&str, &[u8]>> {
        let TypedColumn::Text {
            offsets,
            bytes,
            utf8,
            ..
        } = self
        else {
            return None;
        };
        let b = self.text_at(local)?;
        if utf8.holds(offsets, bytes) {
            // SAFETY: `Utf8::holds` found the column's bytes to be UTF-8
            // and every offset at most their length to fall where a
            // character starts; `b` is the bytes between two such offsets
            // (`slice_at`), so it is UTF-8. The bytes are immutable.
            return Some(Ok(unsafe { std::str::from_utf8_unchecked(b) }));
        }
        Some(std::str::from_utf8(b).map_err(|_| b))
    }

    /// Whether the value at `local` is present, without building it.
    #[inline]
    pub(crate) fn has(&self, local: usize) -> bool {
        match self {
            TypedColumn::Int { present, .. }
            | TypedColumn::Float { present, .. }
            | TypedColumn::Bool { present, .. }
            | TypedColumn::Date { present, .. }
            | TypedColumn::Text { present, .. } => present.get(local),
            TypedColumn::Dict { codes, dict } => {
                codes.get(local).is_some_and(|c| (c as usize) < dict.len())
            }
            TypedColumn::Encoded { .. } => self.get(local).is_some(),
        }
    }

    /// The presence bitmap, for the columns that keep one.
    pub(crate) fn present(&self) -> Option<&Bits> {
        match self {
            TypedColumn::Int { present, .. }
            | TypedColumn::Float { present, .. }
            | TypedColumn::Bool { present, .. }
            | TypedColumn::Date { present, .. }
            | TypedColumn::Text { present, .. } => Some(present),
            TypedColumn::Dict { .. } | TypedColumn::Encoded { .. } => None,
        }
    }

    /// Number of local offsets the column covers.
    pub(crate) fn locals(&self) -> usize {
        match self {
            TypedColumn::Int { values, .. } | TypedColumn::Date { values, .. } => values.len(),
            TypedColumn::Float { values, .. } => values.len(),
            TypedColumn::Bool { present, .. } => present.words().len() * 64,
            TypedColumn::Dict { codes, .. } => codes.len(),
            TypedColumn::Text { offsets, .. } | TypedColumn::Encoded { offsets, .. } => {
                offsets.len().saturating_sub(1)
            }
        }
    }

    /// Heap bytes (the dictionary; arrays read in place hold none).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            TypedColumn::Dict { dict, .. } => dict
                .iter()
                .map(|v| match v {
                    Value::String(s) => std::mem::size_of::<Value>() + s.len(),
                    _ => std::mem::size_of::<Value>(),
                })
                .sum(),
            _ => 0,
        }
    }
}

/// Integers stored at the narrowest of 1, 2, 4 or 8 bytes that holds
/// every value of the column in its chunk (sign-extended when read).
#[derive(Clone, Debug)]
pub(crate) enum Ints {
    I8(Buf<i8>),
    I16(Buf<i16>),
    I32(Buf<i32>),
    I64(Buf<i64>),
}

impl Ints {
    /// Value `l` (`None` past the array).
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<i64> {
        match self {
            Ints::I8(b) => b.get(l).map(|v| i64::from(*v)),
            Ints::I16(b) => b.get(l).map(|v| i64::from(*v)),
            Ints::I32(b) => b.get(l).map(|v| i64::from(*v)),
            Ints::I64(b) => b.get(l).copied(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Ints::I8(b) => b.len(),
            Ints::I16(b) => b.len(),
            Ints::I32(b) => b.len(),
            Ints::I64(b) => b.len(),
        }
    }

    /// The narrowest width in bytes (1, 2, 4 or 8) that holds every value.
    pub(crate) fn width_of(values: impl Iterator<Item = i64>) -> u8 {
        let (mut lo, mut hi) = (0i64, 0i64);
        for v in values {
            (lo, hi) = (lo.min(v), hi.max(v));
        }
        let fits = |min: i64, max: i64| lo >= min && hi <= max;
        if fits(i8::MIN.into(), i8::MAX.into()) {
            1
        } else if fits(i16::MIN.into(), i16::MAX.into()) {
            2
        } else if fits(i32::MIN.into(), i32::MAX.into()) {
            4
        } else {
            8
        }
    }

    /// `values` as little-endian bytes of `width` each (every value fits:
    /// [`Ints::width_of`]).
    pub(crate) fn bytes(values: &[i64], width: u8) -> Vec<u8> {
        let w = usize::from(width);
        values
            .iter()
            .flat_map(|v| v.to_le_bytes()[..w].to_vec())
            .collect()
    }
}

/// Floats stored as 8 bytes, or as integers scaled by a power of ten when
/// every value of the chunk is one exactly (scores, shares and amounts
/// written with a few decimals: `0.55` is 55 / 100, read back bit for bit).
#[derive(Clone, Debug)]
pub(crate) enum Floats {
    F64(Buf<f64>),
    Decimal { scale: f64, ints: Ints },
}

/// The most decimals [`Floats::Decimal`] tries.
pub(crate) const MAX_DECIMALS: u8 = 6;

impl Floats {
    /// Value `l` (`None` past the array).
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<f64> {
        match self {
            Floats::F64(b) => b.get(l).copied(),
            // Both exact, so the quotient is correctly rounded: the value
            // the writer checked.
            Floats::Decimal { scale, ints } => ints.get(l).map(|m| m as f64 / scale),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Floats::F64(b) => b.len(),
            Floats::Decimal { ints, .. } => ints.len(),
        }
    }

    /// The fewest decimals `d` (up to [`MAX_DECIMALS`]) such that every
    /// value is an integer `m` below 2^31 in magnitude with `m / 10^d` the
    /// same float, and those integers; `None` when there are none.
    pub(crate) fn decimal(values: &[f64]) -> Option<(u8, Vec<i64>)> {
        'digits: for d in 0..=MAX_DECIMALS {
            let scale = 10f64.powi(i32::from(d));
            let mut ints = Vec::with_capacity(values.len());
            for &v in values {
                let m = (v * scale).round();
                if !m.is_finite() || m.abs() >= 2_147_483_648.0 {
                    continue 'digits;
                }
                let m = m as i64;
                if (m as f64 / scale).to_bits() != v.to_bits() {
                    continue 'digits;
                }
                ints.push(m);
            }
            return Some((d, ints));
        }
        None
    }
}

/// Dictionary codes at 1, 2 or 4 bytes; the largest value of the width
/// is "absent".
#[derive(Clone, Debug)]
pub(crate) enum Codes {
    U8(Buf<u8>),
    U16(Buf<u16>),
    U32(Buf<u32>),
}

impl Codes {
    /// Code `l`, [`DICT_ABSENT`] for an absent entry.
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<u32> {
        match self {
            Codes::U8(b) => b.get(l).map(|c| {
                if *c == u8::MAX {
                    DICT_ABSENT
                } else {
                    u32::from(*c)
                }
            }),
            Codes::U16(b) => b.get(l).map(|c| {
                if *c == u16::MAX {
                    DICT_ABSENT
                } else {
                    u32::from(*c)
                }
            }),
            Codes::U32(b) => b.get(l).copied(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Codes::U8(b) => b.len(),
            Codes::U16(b) => b.len(),
            Codes::U32(b) => b.len(),
        }
    }

    /// The width in bytes of the codes of a dictionary of `n` strings.
    pub(crate) fn width_for(n: usize) -> u8 {
        if n < usize::from(u8::MAX) {
            1
        } else if n < usize::from(u16::MAX) {
            2
        } else {
            4
        }
    }

    /// `codes` as little-endian bytes of `width` each, [`DICT_ABSENT`]
    /// as the width's largest value.
    pub(crate) fn bytes(codes: &[u32], width: u8) -> Vec<u8> {
        let w = usize::from(width);
        codes
            .iter()
            .flat_map(|c| {
                let c = if *c == DICT_ABSENT { u32::MAX } else { *c };
                c.to_le_bytes()[..w].to_vec()
            })
            .collect()
    }
}

#[inline]
fn slice_at<'a>(offsets: &Buf<u32>, bytes: &'a Buf<u8>, local: usize) -> Option<&'a [u8]> {
    let offsets: &[u32] = offsets;
    let (a, b) = (
        *offsets.get(local)? as usize,
        *offsets.get(local + 1)? as usize,
    );
    bytes.get(a..b)
}

/// The bincode configuration of encoded column entries.
fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Decodes one entry of an encoded column; `None` when the bytes are not a
/// value (a damaged segment, which `relgraph check` reports by checksum).
fn decode_value(raw: &[u8]) -> Option<Value> {
    bincode::serde::decode_from_slice::<Value, _>(raw, config())
        .ok()
        .map(|(v, _)| v)
}

/// Encodes one entry of an encoded column.
pub(crate) fn encode_value(v: &Value) -> crate::error::Result<Vec<u8>> {
    bincode::serde::encode_to_vec(v, config())
        .map_err(|e| crate::error::GraphError::Storage(format!("encoding a property value: {e}")))
}

/// The stored form of a column, chosen from its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    Int,
    Float,
    Bool,
    Date,
    Dict,
    Text,
    Encoded,
}

/// A string column becomes a dictionary column when it has at most this
/// many distinct values (and at most half as many as entries).
pub(crate) const MAX_DICT: usize = 1024;

impl ColumnKind {
    /// The narrowest kind that holds every value (non-null, at least one).
    pub(crate) fn choose<'v>(values: impl Iterator<Item = &'v Value> + Clone) -> ColumnKind {
        let all = |f: fn(&Value) -> bool| values.clone().all(f);
        if all(|v| matches!(v, Value::Int(_))) {
            ColumnKind::Int
        } else if all(|v| matches!(v, Value::Float(_))) {
            ColumnKind::Float
        } else if all(|v| matches!(v, Value::Bool(_))) {
            ColumnKind::Bool
        } else if all(|v| matches!(v, Value::Date(_))) {
            ColumnKind::Date
        } else if all(|v| matches!(v, Value::String(_))) {
            let mut distinct = std::collections::HashSet::new();
            let mut count = 0usize;
            for v in values {
                count += 1;
                if let Value::String(s) = v {
                    distinct.insert(s.as_ref());
                    if distinct.len() > MAX_DICT {
                        return ColumnKind::Text;
                    }
                }
            }
            if distinct.len() * 2 <= count {
                ColumnKind::Dict
            } else {
                ColumnKind::Text
            }
        } else {
            ColumnKind::Encoded
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_the_narrowest_that_fits() {
        let ints = [Value::Int(1), Value::Int(2)];
        assert_eq!(ColumnKind::choose(ints.iter()), ColumnKind::Int);
        let mixed = [Value::Int(1), Value::Float(2.0)];
        assert_eq!(ColumnKind::choose(mixed.iter()), ColumnKind::Encoded);
        let few: Vec<Value> = (0..10).map(|i| Value::from(["a", "b"][i % 2])).collect();
        assert_eq!(ColumnKind::choose(few.iter()), ColumnKind::Dict);
        let many: Vec<Value> = (0..10).map(|i| Value::from(format!("n{i}"))).collect();
        assert_eq!(ColumnKind::choose(many.iter()), ColumnKind::Text);
    }

    #[test]
    fn narrow_widths_hold_their_values() {
        assert_eq!(Ints::width_of([0, -128, 127].into_iter()), 1);
        assert_eq!(Ints::width_of([0, 128].into_iter()), 2);
        assert_eq!(Ints::width_of([19_900, -32_768].into_iter()), 2);
        assert_eq!(Ints::width_of([70_000].into_iter()), 4);
        assert_eq!(Ints::width_of([i64::from(i32::MIN) - 1].into_iter()), 8);
        let vals = [-3i64, 0, 300, -20_000];
        let bytes = Ints::bytes(&vals, 2);
        let read: Vec<i16> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let ints = Ints::I16(read.into());
        assert_eq!(
            (0..4).map(|l| ints.get(l).unwrap()).collect::<Vec<_>>(),
            vals
        );
        assert_eq!(Codes::width_for(254), 1);
        assert_eq!(Codes::width_for(255), 2);
        let codes = Codes::bytes(&[0, DICT_ABSENT, 7], 1);
        assert_eq!(codes, vec![0, 255, 7]);
        let c = Codes::U8(codes.into());
        assert_eq!(
            (c.get(0), c.get(1), c.get(2), c.get(3)),
            (Some(0), Some(DICT_ABSENT), Some(7), None)
        );
    }

    /// Decimal floats read back bit for bit; anything else stays 8 bytes.
    #[test]
    fn decimal_floats_are_exact_or_not_used() {
        let vals = [0.55, -0.34, 1.0, 0.0, 0.98, 12.5];
        let (d, ints) = Floats::decimal(&vals).unwrap();
        assert_eq!(d, 2);
        let f = Floats::Decimal {
            scale: 100.0,
            ints: Ints::I64(ints.into()),
        };
        for (l, v) in vals.iter().enumerate() {
            assert_eq!(f.get(l).unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(Floats::decimal(&[3.0, 4.0]).unwrap().0, 0);
        assert_eq!(Floats::decimal(&[0.1 + 0.2]), None);
        assert_eq!(Floats::decimal(&[-0.0]), None, "the sign of zero");
        assert_eq!(Floats::decimal(&[f64::NAN]), None);
        assert_eq!(Floats::decimal(&[1e12]), None, "past 2^31");
        assert_eq!(Floats::decimal(&[std::f64::consts::PI]), None);
    }

    #[test]
    fn encoded_values_round_trip() {
        let v = Value::List(vec![Value::Int(1), Value::from("x")]);
        assert_eq!(decode_value(&encode_value(&v).unwrap()), Some(v));
        assert_eq!(decode_value(&[0xff, 0xff]), None);
    }

    /// A text column checked once as a whole reads its values as they
    /// are; one whose bytes are UTF-8 as a whole but whose offsets split
    /// a character, or whose bytes are not UTF-8, is checked value by
    /// value and reads the damaged values with replacement characters.
    #[test]
    fn text_columns_are_checked_once_and_split_characters_read_lossily() {
        use std::sync::atomic::Ordering::Relaxed;
        let text = |offsets: Vec<u32>, bytes: Vec<u8>| TypedColumn::Text {
            present: Bits::from_words(Buf::from(vec![u64::MAX])),
            offsets: Buf::from(offsets),
            bytes: Buf::from(bytes),
            utf8: Utf8::default(),
        };
        let read =
            |col: &TypedColumn, n: usize| -> Vec<Value> { (0..n).map(|i| col.value(i)).collect() };
        // "Zoë", "é", "" and an offset past the end (no value).
        let good = text(vec![0, 4, 6, 6, 99], "Zoëé".as_bytes().to_vec());
        assert_eq!(
            read(&good, 4),
            [
                Value::from("Zoë"),
                Value::from("é"),
                Value::from(""),
                Value::Null
            ]
        );
        let TypedColumn::Text { utf8, .. } = &good else {
            unreachable!()
        };
        assert_eq!(utf8.0.load(Relaxed), UTF8_YES);
        assert_eq!(good.str_at(0), super::super::PropStr::Str("Zoë"));
        // "é" split in two: the whole is UTF-8, the halves are not.
        let split = text(vec![0, 1, 2], "é".as_bytes().to_vec());
        assert_eq!(
            read(&split, 2),
            [Value::from("\u{FFFD}"), Value::from("\u{FFFD}")]
        );
        assert_eq!(split.str_at(0), super::super::PropStr::Other);
        let TypedColumn::Text { utf8, .. } = &split else {
            unreachable!()
        };
        assert_eq!(utf8.0.load(Relaxed), UTF8_NO);
        // Not UTF-8 at all: the valid values still read as they are.
        let bad = text(vec![0, 2, 3], vec![b'o', b'k', 0xff]);
        assert_eq!(read(&bad, 2), [Value::from("ok"), Value::from("\u{FFFD}")]);
    }

    /// A text column's equality with a string, from its bytes, agrees with
    /// the value read the long way, damaged bytes included: bytes that are
    /// not UTF-8 read with replacement characters, so only a string that
    /// holds one is left to the long way.
    #[test]
    fn text_equality_from_bytes_agrees_with_the_value() {
        // Values: "Ada", absent, [0xff] (not UTF-8), "\u{FFFD}", "".
        let bytes: Vec<u8> = [&b"Ada"[..], &[0xff], "\u{FFFD}".as_bytes()].concat();
        let offsets: Vec<u32> = vec![0, 3, 3, 4, 7, 7];
        let col = TypedColumn::Text {
            offsets: Buf::from(offsets),
            bytes: Buf::from(bytes),
            present: Bits::from_words(Buf::from(vec![0b11101u64])),
            utf8: Utf8::default(),
        };
        for local in 0..5 {
            let value = col.get(local).map(Cow::into_owned);
            for s in ["Ada", "", "\u{FFFD}", "x", "Ad"] {
                let got = col.equals_str(local, s);
                let want = value.as_ref().map(|v| *v == Value::from(s));
                match (got, want) {
                    (StrEq::Unknown, _) => assert!(
                        s.contains(char::REPLACEMENT_CHARACTER),
                        "{local} {s:?}: the bytes tell"
                    ),
                    (StrEq::Absent, None) => {}
                    (StrEq::Equal(b), Some(w)) => assert_eq!(b, w, "{local} {s:?}"),
                    other => panic!("{local} {s:?}: {other:?}"),
                }
            }
        }
        // The damaged value reads as the replacement character.
        assert_eq!(
            col.get(2).map(Cow::into_owned),
            Some(Value::from("\u{FFFD}"))
        );
    }
}
