//! Labels and properties of nodes read one after another ([`NodeProbe`]).
//!
//! Reading one label or property of a node finds the node's chunk, then
//! the label's bitmap or the key's column among the chunk's: several
//! loads that wait on each other, per node. The nodes an operator reads
//! in a row mostly share a chunk (an adjacency list is sorted by node id;
//! a scan walks ids in order; the tickets one company opened were created
//! together), so a probe finds those once per chunk and keeps them.

use std::borrow::Cow;

use super::chunk::{column_of, node_pos, Column};
use super::column::{scalars_of, StrTest};
use super::{PropStr, Snapshot, StrEq};
use crate::ids::{LabelId, NodeId, PropKeyId};
use crate::value::{Scalar, Value};

/// The most labels, and the most keys, a probe keeps per chunk; a probe
/// asked for more reads every node the long way.
const KEPT: usize = 4;

/// Reads the given labels and properties of node after node, keeping the
/// last node's chunk: its bitmaps for the labels and its columns for the
/// keys. Answers exactly what [`Snapshot::has_label`],
/// [`Snapshot::node_property`] and [`Snapshot::node_str_property`]
/// answer, role restrictions included (a restricted snapshot is read the
/// long way).
///
/// ```
/// use relgraph_graph::record::NodeRecord;
/// use relgraph_graph::{Catalog, NodeId, NodeProbe, RelId, Snapshot, Value};
/// let mut c = Catalog::default();
/// let ticket = c.intern_label("Ticket");
/// let kind = c.intern_prop_key("kind");
/// let nodes = (0..3)
///     .map(|i| NodeRecord {
///         id: NodeId(i),
///         labels: if i < 2 { vec![ticket] } else { vec![] },
///         props: vec![(kind, Value::from(if i == 0 { "bug" } else { "question" }))],
///     })
///     .collect();
/// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(0), nodes, vec![]).unwrap();
/// let (labels, keys) = ([ticket], [kind]);
/// let mut p = NodeProbe::new(&s, &labels, &keys);
/// assert!(p.has_labels(NodeId(0)) && p.has_labels(NodeId(1)));
/// assert!(!p.has_labels(NodeId(2)) && !p.has_labels(NodeId(7)));
/// assert_eq!(p.property(NodeId(1), 0).as_deref(), Some(&Value::from("question")));
/// assert_eq!(p.property(NodeId(9), 0), None);
/// ```
pub struct NodeProbe<'s, 'a> {
    snap: &'s Snapshot,
    labels: &'a [LabelId],
    keys: &'a [PropKeyId],
    /// Whether nodes are read from the kept chunk: no role restriction,
    /// and no more than [`KEPT`] labels and keys.
    direct: bool,
    /// The index of the kept chunk (`usize::MAX` before the first read).
    chunk: usize,
    /// Whether the kept chunk exists.
    exists: bool,
    /// Per label, the kept chunk's membership words (empty: no node of
    /// the chunk has it).
    bits: [&'s [u64]; KEPT],
    /// Per key, the kept chunk's column.
    columns: [Option<&'s Column>; KEPT],
}

impl<'s, 'a> NodeProbe<'s, 'a> {
    /// The most labels, and the most keys, a probe keeps per chunk; with
    /// more it reads every node the long way.
    ///
    /// ```
    /// assert!(relgraph_graph::NodeProbe::KEPT >= 1);
    /// ```
    pub const KEPT: usize = KEPT;

    /// A probe of `labels` (all of which [`NodeProbe::has_labels`] tests)
    /// and `keys` (which [`NodeProbe::property`] reads by their place in
    /// the slice).
    pub fn new(snap: &'s Snapshot, labels: &'a [LabelId], keys: &'a [PropKeyId]) -> Self {
        NodeProbe {
            snap,
            labels,
            keys,
            direct: snap.access.is_none() && labels.len() <= KEPT && keys.len() <= KEPT,
            chunk: usize::MAX,
            exists: false,
            bits: [&[]; KEPT],
            columns: [None; KEPT],
        }
    }

    /// `n`'s place in its chunk, with the chunk kept; `None` when no chunk
    /// holds it.
    #[inline]
    fn local(&mut self, n: NodeId) -> Option<usize> {
        let (c, l) = node_pos(n.0);
        if c != self.chunk {
            self.load(c);
        }
        self.exists.then_some(l)
    }

    /// Keeps chunk `c`'s bitmaps and columns.
    #[inline(never)]
    fn load(&mut self, c: usize) {
        self.chunk = c;
        let Some(chunk) = self.snap.inner.nodes.get(c) else {
            self.exists = false;
            return;
        };
        self.exists = true;
        for (bits, l) in self.bits.iter_mut().zip(self.labels) {
            *bits = chunk.meta.label_bits(*l).map_or(&[][..], |b| b.words());
        }
        for (column, k) in self.columns.iter_mut().zip(self.keys) {
            *column = column_of(&chunk.props, *k);
        }
    }

    /// Whether node `n` carries every label of the probe (true for none).
    #[inline]
    pub fn has_labels(&mut self, n: NodeId) -> bool {
        if self.labels.is_empty() {
            return true;
        }
        if !self.direct {
            return self.has_labels_slowly(n);
        }
        let Some(l) = self.local(n) else {
            return false;
        };
        let (word, bit) = (l / 64, 1u64 << (l % 64));
        self.bits[..self.labels.len()]
            .iter()
            .all(|w| w.get(word).is_some_and(|w| w & bit != 0))
    }

    #[inline(never)]
    fn has_labels_slowly(&self, n: NodeId) -> bool {
        self.labels.iter().all(|l| self.snap.has_label(n, *l))
    }

    /// Property `i` of the probe's keys of node `n`, as
    /// [`Snapshot::node_property`] reads it.
    #[inline]
    pub fn property(&mut self, n: NodeId, i: usize) -> Option<Cow<'s, Value>> {
        if !self.direct {
            return self.snap.node_property(n, *self.keys.get(i)?);
        }
        let (c, l) = self.column_at(n, i)?;
        c.get(l)
    }

    /// Property `i` of the probe's keys of node `n` as an owned value,
    /// `Null` where there is none: what [`Snapshot::node_value`] reads,
    /// with the chunk's column kept.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, NodeProbe, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let cost = c.intern_prop_key("cost");
    /// let nodes = (0..2)
    ///     .map(|i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![(cost, Value::Int(10 * i as i64))] })
    ///     .collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(2), RelId(0), nodes, vec![]).unwrap();
    /// let keys = [cost];
    /// let mut p = NodeProbe::new(&s, &[], &keys);
    /// assert_eq!(p.value(NodeId(1), 0), Value::Int(10));
    /// assert_eq!(p.value(NodeId(5), 0), Value::Null);
    /// ```
    #[inline]
    pub fn value(&mut self, n: NodeId, i: usize) -> Value {
        if !self.direct {
            return match self.keys.get(i) {
                Some(k) => self.snap.node_value(n, *k),
                None => Value::Null,
            };
        }
        match self.column_at(n, i) {
            Some((c, l)) => c.value(l),
            None => Value::Null,
        }
    }

    /// Property `i` of the probe's keys of each of `nodes`, appended to
    /// `out` as scalars, as [`NodeProbe::value`] reads them; false (with
    /// `out` as it was) where one is not a scalar (text, a list, a
    /// date...). Nodes that follow one another in a chunk are read
    /// together: the chunk's column found and its kind matched once.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::value::Scalar;
    /// use relgraph_graph::{Catalog, NodeId, NodeProbe, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let (cost, name) = (c.intern_prop_key("cost"), c.intern_prop_key("name"));
    /// let nodes = (0..3)
    ///     .map(|i| NodeRecord {
    ///         id: NodeId(i),
    ///         labels: vec![],
    ///         props: if i == 1 { vec![] } else { vec![(cost, Value::Int(i as i64)), (name, Value::from("x"))] },
    ///     })
    ///     .collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(0), nodes, vec![]).unwrap();
    /// let keys = [cost, name];
    /// let mut p = NodeProbe::new(&s, &[], &keys);
    /// let (ids, mut out) = ([NodeId(2), NodeId(1), NodeId(0), NodeId(9)], Vec::new());
    /// assert!(p.scalars(&ids, 0, &mut out));
    /// assert_eq!(out, [Scalar::Int(2), Scalar::Null, Scalar::Int(0), Scalar::Null]);
    /// assert!(!p.scalars(&ids, 1, &mut out));
    /// assert_eq!(out.len(), 4);
    /// ```
    pub fn scalars(&mut self, nodes: &[NodeId], i: usize, out: &mut Vec<Scalar>) -> bool {
        if !self.direct {
            return scalars_of(nodes.iter().map(|&n| self.value(n, i)), out);
        }
        let before = out.len();
        let mut rest = nodes;
        while let Some(first) = rest.first() {
            let c = node_pos(first.0).0;
            let run = rest.iter().position(|n| node_pos(n.0).0 != c);
            let (now, later) = rest.split_at(run.unwrap_or(rest.len()));
            rest = later;
            if c != self.chunk {
                self.load(c);
            }
            let column = match self.exists {
                true => self.columns.get(i).copied().flatten(),
                false => None,
            };
            let Some(column) = column else {
                out.extend(std::iter::repeat_n(Scalar::Null, now.len()));
                continue;
            };
            if !column.scalars(now, out) {
                out.truncate(before);
                return false;
            }
        }
        true
    }

    /// The kept column of key `i` and `n`'s place in it (direct reads
    /// only), `None` when the node's chunk has no such column.
    #[inline]
    fn column_at(&mut self, n: NodeId, i: usize) -> Option<(&'s Column, usize)> {
        let l = self.local(n)?;
        Some((self.columns.get(i).copied().flatten()?, l))
    }

    /// Whether property `i` of the probe's keys of node `n` is the string
    /// `s`, where its stored form tells: a segment's text column by its
    /// bytes (not checked as UTF-8), a dictionary column by its entry;
    /// [`StrEq::Unknown`] otherwise, and for a restricted snapshot.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, NodeProbe, RelId, Snapshot, StrEq, Value};
    /// let mut c = Catalog::default();
    /// let name = c.intern_prop_key("name");
    /// let nodes = vec![NodeRecord { id: NodeId(0), labels: vec![], props: vec![(name, Value::from("Ada"))] }];
    /// let s = Snapshot::from_records(c, 1, NodeId(1), RelId(0), nodes, vec![]).unwrap();
    /// let keys = [name];
    /// let mut p = NodeProbe::new(&s, &[], &keys);
    /// // Built from records, the column is not a segment's text column:
    /// // the answer comes from `str_property`.
    /// assert_eq!(p.equals_str(NodeId(0), 0, "Ada"), StrEq::Unknown);
    /// ```
    #[inline]
    pub fn equals_str(&mut self, n: NodeId, i: usize, s: &str) -> StrEq {
        if !self.direct {
            return StrEq::Unknown;
        }
        match self.column_at(n, i) {
            Some((c, l)) => c.equals_str(l, s),
            None => StrEq::Absent,
        }
    }

    /// Keeps, at the front of `items` and in their order, those whose node
    /// (`node(item)`) has property `i` of the probe's keys equal to the
    /// string `s` (`equal`), or holding another value (`!equal`), as
    /// [`NodeProbe::equals_str`] answers; where that answer is
    /// [`StrEq::Unknown`], `other` decides. Returns how many are kept.
    /// The column's test is made once per chunk (a dictionary's code for
    /// `s` found once), so each node of a run in one chunk costs a code
    /// or a length compare.
    ///
    /// ```
    /// use relgraph_graph::record::NodeRecord;
    /// use relgraph_graph::{Catalog, NodeId, NodeProbe, RelId, Snapshot, Value};
    /// let mut c = Catalog::default();
    /// let kind = c.intern_prop_key("kind");
    /// let nodes = (0..4)
    ///     .map(|i| NodeRecord {
    ///         id: NodeId(i),
    ///         labels: vec![],
    ///         props: if i == 3 { vec![] } else { vec![(kind, Value::from(if i == 1 { "idea" } else { "bug" }))] },
    ///     })
    ///     .collect();
    /// let s = Snapshot::from_records(c, 1, NodeId(4), RelId(0), nodes, vec![]).unwrap();
    /// let keys = [kind];
    /// let mut p = NodeProbe::new(&s, &[], &keys);
    /// // Built from records, the column does not tell: `other` reads each.
    /// let mut items = [NodeId(0), NodeId(1), NodeId(2), NodeId(3)];
    /// let kept = p.keep_str(&mut items, |n| n, 0, "bug", true, |p, n| {
    ///     p.property(n, 0).is_some_and(|v| *v == Value::from("bug"))
    /// });
    /// assert_eq!(&items[..kept], &[NodeId(0), NodeId(2)]);
    /// ```
    pub fn keep_str<T: Copy>(
        &mut self,
        items: &mut [T],
        node: impl Fn(T) -> NodeId,
        i: usize,
        s: &str,
        equal: bool,
        mut other: impl FnMut(&mut Self, NodeId) -> bool,
    ) -> usize {
        let (mut kept, mut tested, mut test) = (0, usize::MAX, StrTest::Unknown);
        let mut j = 0;
        while let Some(&item) = items.get(j) {
            let n = node(item);
            let answer = if self.direct {
                let (c, l) = node_pos(n.0);
                if c != tested {
                    if c != self.chunk {
                        self.load(c);
                    }
                    tested = c;
                    test = match self.columns.get(i).copied().flatten() {
                        Some(column) if self.exists => column.str_test(s),
                        _ => StrTest::Absent,
                    };
                }
                // A dictionary decides the chunk's whole run at once.
                if let Some((k, end)) = test.keep_coded(items, j, kept, c, &node, equal) {
                    (kept, j) = (k, end);
                    continue;
                }
                test.at(l)
            } else {
                StrEq::Unknown
            };
            j += 1;
            let keep = match answer {
                StrEq::Absent => false,
                StrEq::Equal(is) => is == equal,
                StrEq::Unknown => other(self, n),
            };
            if keep {
                items[kept] = item;
                kept += 1;
            }
        }
        kept
    }

    /// Property `i` of the probe's keys of node `n`, as
    /// [`Snapshot::node_str_property`] reads it.
    #[inline]
    pub fn str_property(&mut self, n: NodeId, i: usize) -> PropStr<'s> {
        if !self.direct {
            return match self.keys.get(i) {
                Some(k) => self.snap.node_str_property(n, *k),
                None => PropStr::Absent,
            };
        }
        match self.column_at(n, i) {
            Some((c, l)) => c.str_at(l),
            None => PropStr::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::record::NodeRecord;

    /// Nodes over three chunks with labels and properties by their id.
    fn snapshot() -> (Snapshot, Vec<LabelId>, Vec<PropKeyId>) {
        let mut c = Catalog::default();
        let labels: Vec<LabelId> = (0..6).map(|i| c.intern_label(&format!("L{i}"))).collect();
        let keys: Vec<PropKeyId> = (0..6)
            .map(|i| c.intern_prop_key(&format!("k{i}")))
            .collect();
        let nodes = (0..9000u64)
            .filter(|i| i % 7 != 3)
            .map(|i| NodeRecord {
                id: NodeId(i),
                labels: labels
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| (i >> j) & 1 == 1)
                    .map(|(_, l)| *l)
                    .collect(),
                props: keys
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| !(i + *j as u64).is_multiple_of(3))
                    .map(|(j, k)| {
                        let v = if j % 2 == 0 {
                            Value::Int((i * 10 + j as u64) as i64)
                        } else {
                            Value::from(format!("s{i}"))
                        };
                        (*k, v)
                    })
                    .collect(),
            })
            .collect();
        let s = Snapshot::from_records(c, 1, NodeId(9000), crate::ids::RelId(0), nodes, vec![])
            .expect("a snapshot of valid records");
        (s, labels, keys)
    }

    #[test]
    fn a_probe_answers_as_the_snapshot_does_across_chunks() {
        let (s, labels, keys) = snapshot();
        // Ascending, descending, jumping between chunks, past the end.
        let mut ids: Vec<u64> = (0..9000).step_by(37).collect();
        ids.extend((0..9000).rev().step_by(53));
        ids.extend([4095, 4096, 0, 8191, 8192, 12, 20_000, 5]);
        // Two labels and two keys (kept per chunk), and six of each
        // (more than a probe keeps: read the long way).
        for (ls, ks) in [
            (&labels[1..3], &keys[2..4]),
            (&labels[..], &keys[..]),
            (&[][..], &[][..]),
        ] {
            let mut p = NodeProbe::new(&s, ls, ks);
            for &i in &ids {
                let n = NodeId(i);
                let want = ls.iter().all(|l| s.has_label(n, *l));
                assert_eq!(p.has_labels(n), want, "labels of {i}");
                for (j, k) in ks.iter().enumerate() {
                    assert_eq!(p.property(n, j), s.node_property(n, *k), "{k:?} of {i}");
                    assert_eq!(
                        p.str_property(n, j),
                        s.node_str_property(n, *k),
                        "{k:?} of {i}"
                    );
                }
            }
        }
    }
}
