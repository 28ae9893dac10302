//! Turns executor values (entities by id) into result values (entities
//! with their labels, type and properties), so results outlive snapshots.

use std::collections::BTreeMap;

use rayon::prelude::*;
use relgraph_graph::{NodeId, PropKeyId, RelId, Snapshot, Value};

use crate::result::{NodeValue, PathValue, RelValue, ResultValue};

fn props(snap: &Snapshot, props: Vec<(PropKeyId, Value)>) -> BTreeMap<String, ResultValue> {
    let catalog = snap.catalog();
    props
        .into_iter()
        .filter_map(|(k, v)| {
            catalog
                .prop_key_name(k)
                .map(|n| (n.to_string(), value(&v, snap)))
        })
        .collect()
}

pub(crate) fn node(n: NodeId, snap: &Snapshot) -> NodeValue {
    let catalog = snap.catalog();
    NodeValue {
        id: n.0,
        labels: snap
            .node_labels(n)
            .iter()
            .filter_map(|l| catalog.label_name(*l).map(str::to_string))
            .collect(),
        properties: props(snap, snap.node_properties(n)),
    }
}

pub(crate) fn rel(r: RelId, snap: &Snapshot) -> RelValue {
    match snap.rel(r) {
        Some(rr) => RelValue {
            id: r.0,
            rel_type: snap
                .catalog()
                .rel_type_name(rr.rel_type)
                .unwrap_or_default()
                .to_string(),
            start: rr.src.0,
            end: rr.dst.0,
            properties: props(snap, snap.rel_properties(r)),
        },
        // Deleted in this statement: only the id is left.
        None => RelValue {
            id: r.0,
            rel_type: String::new(),
            start: 0,
            end: 0,
            properties: BTreeMap::new(),
        },
    }
}

/// Materializes one value.
pub(crate) fn value(v: &Value, snap: &Snapshot) -> ResultValue {
    match v {
        Value::Null => ResultValue::Null,
        Value::Bool(b) => ResultValue::Bool(*b),
        Value::Int(i) => ResultValue::Int(*i),
        Value::Float(f) => ResultValue::Float(*f),
        Value::String(s) => ResultValue::String(s.to_string()),
        Value::List(items) => ResultValue::List(items.iter().map(|x| value(x, snap)).collect()),
        Value::Map(m) => ResultValue::Map(
            m.iter()
                .map(|(k, x)| (k.to_string(), value(x, snap)))
                .collect(),
        ),
        Value::Date(d) => ResultValue::Date(*d),
        Value::LocalTime(t) => ResultValue::LocalTime(*t),
        Value::Time(t) => ResultValue::Time(*t),
        Value::LocalDateTime(t) => ResultValue::LocalDateTime(*t),
        Value::DateTime(t) => ResultValue::DateTime(t.clone()),
        Value::Duration(d) => ResultValue::Duration(**d),
        Value::Node(n) => ResultValue::Node(node(*n, snap)),
        Value::Relationship(r) => ResultValue::Relationship(rel(*r, snap)),
        Value::Path(p) => ResultValue::Path(PathValue {
            nodes: p.nodes.iter().map(|n| node(*n, snap)).collect(),
            rels: p.rels.iter().map(|r| rel(*r, snap)).collect(),
        }),
    }
}

/// Rows materialized a stretch at a time: the rows of a stretch are read
/// in order, with the next rows' memory asked for ahead ([`ahead`]).
const STRETCH: usize = 2048;
/// Rows between asking for a row's values and reading them.
const AHEAD: usize = 8;
/// Bytes in a cache line.
const LINE: usize = 64;

/// The result rows of the slots `slots` of `rows`, each value read where
/// it lies and its row dropped at once, in parallel unless the rows are
/// few: no list of returned values per row in between (200,000 rows
/// returned, 72.0 -> 60.2 ms on one thread; sorted first, so that they
/// are read out of allocation order, 172.3 -> 134.9).
///
/// Rows that come out of a sort lie anywhere in memory, so each row, and
/// each string it returns, would be a cache miss waited for in turn. The
/// memory of the row [`AHEAD`] places on is asked for first, and the
/// strings it returns once it is half as far, so the misses overlap.
pub(crate) fn returned(
    mut rows: Vec<Vec<Value>>,
    slots: &[usize],
    snap: &Snapshot,
) -> Vec<Vec<ResultValue>> {
    let stretch = |rows: &mut [Vec<Value>]| -> Vec<Vec<ResultValue>> {
        (0..rows.len())
            .map(|i| {
                ahead(rows, i, slots);
                let r = std::mem::take(&mut rows[i]);
                slots
                    .iter()
                    .map(|s| value(r.get(*s).unwrap_or(&Value::Null), snap))
                    .collect()
            })
            .collect()
    };
    if rows.len() < crate::options::PAR_MIN_ROWS {
        stretch(&mut rows)
    } else {
        rows.par_chunks_mut(STRETCH)
            .flat_map_iter(stretch)
            .collect()
    }
}

/// Asks for the memory of row `i + AHEAD` of `rows`, and for the strings
/// that row `i + AHEAD / 2` returns.
#[inline]
fn ahead(rows: &[Vec<Value>], i: usize, slots: &[usize]) {
    if let Some(r) = rows.get(i + AHEAD) {
        // The whole row: its values are read, then dropped.
        let bytes = std::mem::size_of_val(r.as_slice());
        let start = r.as_ptr().cast::<u8>();
        for at in (0..bytes).step_by(LINE) {
            prefetch(start.wrapping_add(at));
        }
    }
    if let Some(r) = rows.get(i + AHEAD / 2) {
        for &s in slots {
            if let Some(Value::String(t)) = r.get(s) {
                prefetch(t.as_ptr());
            }
        }
    }
}

/// A hint to bring the cache line at `p` in; nothing where the target
/// has no such instruction.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that reads nothing the program
        // sees and cannot fault, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of every length up to four, strings and numbers, across
    /// several stretches and the parallel threshold: each result row holds
    /// the asked slots of its own row, in row order, a slot past a row's
    /// end null, a slot asked twice given twice.
    #[test]
    fn returned_rows_hold_their_own_values_in_order() {
        let snap = Snapshot::empty();
        for n in [0, 7, crate::options::PAR_MIN_ROWS - 1, 3 * STRETCH + 5] {
            let rows: Vec<Vec<Value>> = (0..n)
                .map(|i| {
                    let mut r = vec![
                        Value::Int(i as i64),
                        Value::from(format!("name {i}")),
                        Value::Float(i as f64 / 2.0),
                    ];
                    r.truncate(i % 4);
                    r
                })
                .collect();
            let slots = [1, 0, 3, 1];
            let expect: Vec<Vec<ResultValue>> = rows
                .iter()
                .map(|r| {
                    slots
                        .iter()
                        .map(|s| value(r.get(*s).unwrap_or(&Value::Null), &snap))
                        .collect()
                })
                .collect();
            let got = returned(rows, &slots, &snap);
            assert_eq!(got, expect, "{n} rows");
            if n > 6 {
                assert_eq!(got[6][0], ResultValue::String("name 6".into()));
                assert_eq!(got[5][1], ResultValue::Int(5));
                assert_eq!(got[5][2], ResultValue::Null);
            }
        }
    }
}
