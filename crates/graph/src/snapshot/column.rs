//! Typed property columns, read in place from a segment.
//!
//! A segment stores each property column of a chunk in the narrowest form
//! its values allow (chosen by [`ColumnKind::choose`] when the segment is
//! written): integers, floats and dates as plain little-endian arrays with a
//! presence bitmap, booleans as two bitmaps, strings either as codes into a
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

use crate::temporal::Date;
use crate::value::Value;

use super::buf::Buf;
use super::chunk::Bits;

/// Code of an absent entry in a dictionary column.
pub(crate) const DICT_ABSENT: u32 = u32::MAX;

/// A column read in place from a segment. See the module documentation.
#[derive(Clone, Debug)]
pub(crate) enum TypedColumn {
    Int {
        present: Bits,
        values: Buf<i64>,
    },
    Float {
        present: Bits,
        values: Buf<f64>,
    },
    Bool {
        present: Bits,
        values: Bits,
    },
    Date {
        present: Bits,
        values: Buf<i32>,
    },
    Dict {
        codes: Buf<u32>,
        dict: Arc<[Value]>,
    },
    Text {
        offsets: Buf<u32>,
        bytes: Buf<u8>,
        present: Bits,
    },
    Encoded {
        offsets: Buf<u32>,
        bytes: Buf<u8>,
    },
}

impl TypedColumn {
    /// The value at `local`, if present.
    #[inline]
    pub(crate) fn get(&self, local: usize) -> Option<Cow<'_, Value>> {
        match self {
            TypedColumn::Int { present, values } => {
                let v = *values.get(local).filter(|_| present.get(local))?;
                Some(Cow::Owned(Value::Int(v)))
            }
            TypedColumn::Float { present, values } => {
                let v = *values.get(local).filter(|_| present.get(local))?;
                Some(Cow::Owned(Value::Float(v)))
            }
            TypedColumn::Bool { present, values } => present
                .get(local)
                .then(|| Cow::Owned(Value::Bool(values.get(local)))),
            TypedColumn::Date { present, values } => {
                let days = *values.get(local).filter(|_| present.get(local))?;
                Some(Cow::Owned(Value::Date(Date { days })))
            }
            TypedColumn::Dict { codes, dict } => {
                let code = *codes.get(local)?;
                dict.get(code as usize).map(Cow::Borrowed)
            }
            TypedColumn::Text {
                offsets,
                bytes,
                present,
            } => {
                if !present.get(local) {
                    return None;
                }
                let raw = slice_at(offsets, bytes, local)?;
                let text = String::from_utf8_lossy(raw);
                Some(Cow::Owned(Value::String(Arc::from(text.as_ref()))))
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

    /// Number of local offsets the column covers.
    pub(crate) fn locals(&self) -> usize {
        match self {
            TypedColumn::Int { values, .. } => values.len(),
            TypedColumn::Float { values, .. } => values.len(),
            TypedColumn::Bool { present, .. } => present.words().len() * 64,
            TypedColumn::Date { values, .. } => values.len(),
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
    fn encoded_values_round_trip() {
        let v = Value::List(vec![Value::Int(1), Value::from("x")]);
        assert_eq!(decode_value(&encode_value(&v).unwrap()), Some(v));
        assert_eq!(decode_value(&[0xff, 0xff]), None);
    }
}
