//! Adjacency entries and relationship ends at the width they are stored in.
//!
//! A segment stores an adjacency list's entries as two `u32` ids (8 bytes)
//! when every id of the list fits, else as two `u64` (16 bytes, [`Adj`]);
//! relationship ends likewise as `u32` or `u64`, and a relationship chunk
//! whose live relationships share one type stores the type once. Readers
//! see entries through [`AdjSlice`], which reads either width in place;
//! writes widen what they change (the heap form is always wide) and the
//! segment writer narrows again (docs/storage-format.md, format 6).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::ptr::NonNull;
use std::slice;

use super::buf::Buf;
use super::chunk::Bits;
use super::Adj;
use crate::ids::{NodeId, RelId, RelTypeId};

/// An adjacency entry stored in 8 bytes: both ids below `u32::MAX`, or
/// both `u32::MAX` for a hole (docs/storage-format.md). Ordered like
/// [`Adj`], so narrowing keeps a list sorted.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, bytemuck::Pod, bytemuck::Zeroable,
)]
#[repr(C)]
pub(crate) struct Adj32 {
    pub(crate) node: u32,
    pub(crate) rel: u32,
}

/// The narrow form of a hole.
pub(crate) const HOLE32: Adj32 = Adj32 {
    node: u32::MAX,
    rel: u32::MAX,
};

impl Adj32 {
    /// The entry with 64-bit ids. Lists are read without their trailing
    /// holes, so readers never meet one; [`Adj32::wide_or_hole`] is for
    /// the code that reads whole stored arrays.
    #[inline]
    pub(crate) fn wide(self) -> Adj {
        Adj {
            node: NodeId(u64::from(self.node)),
            rel: RelId(u64::from(self.rel)),
        }
    }

    /// As [`Adj32::wide`], but a hole stays a hole.
    pub(crate) fn wide_or_hole(self) -> Adj {
        if self == HOLE32 {
            super::chunk::HOLE
        } else {
            self.wide()
        }
    }

    /// The entry in 8 bytes, if its ids fit (a hole narrows to a hole).
    #[inline]
    pub(crate) fn narrow(a: Adj) -> Option<Adj32> {
        if a == super::chunk::HOLE {
            return Some(HOLE32);
        }
        let node = u32::try_from(a.node.0).ok().filter(|n| *n != u32::MAX)?;
        let rel = u32::try_from(a.rel.0).ok().filter(|r| *r != u32::MAX)?;
        Some(Adj32 { node, rel })
    }
}

/// The entries array of one stored adjacency list, at its width.
#[derive(Clone, Debug)]
pub(crate) enum Entries {
    /// 16-byte entries.
    Wide(Buf<Adj>),
    /// 8-byte entries.
    Narrow(Buf<Adj32>),
}

impl Default for Entries {
    fn default() -> Self {
        Entries::Wide(Buf::default())
    }
}

impl From<Vec<Adj>> for Entries {
    fn from(v: Vec<Adj>) -> Self {
        Entries::Wide(v.into())
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Self) -> bool {
        self.slice(0..self.len()) == other.slice(0..other.len())
    }
}

impl Entries {
    /// Number of entries (holes included); a damaged array reads as empty.
    pub(crate) fn len(&self) -> usize {
        match self {
            Entries::Wide(b) => b.len(),
            Entries::Narrow(b) => b.len(),
        }
    }

    /// The entries in `range` (empty when out of bounds).
    #[inline(always)]
    pub(crate) fn slice(&self, range: Range<usize>) -> AdjSlice<'_> {
        match self {
            Entries::Wide(b) => AdjSlice::wide(b.get(range).unwrap_or(&[])),
            Entries::Narrow(b) => AdjSlice::narrow(b.get(range).unwrap_or(&[])),
        }
    }

    /// Heap bytes held (shared arrays hold none).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Entries::Wide(b) => b.heap_bytes(),
            Entries::Narrow(b) => b.heap_bytes(),
        }
    }
}

/// The adjacency list of one node for one relationship type and direction:
/// entries sorted by `(node, rel)`, read in place whatever width the
/// segment stores them in ([`crate::Snapshot::adjacency`]). Copying it
/// copies a pointer and a length (or, for a list a role's view filtered,
/// the filtered entries).
///
/// ```
/// use relgraph_graph::record::{NodeRecord, RelRecord};
/// use relgraph_graph::{Adj, Catalog, Direction, NodeId, RelId, Snapshot};
/// let mut c = Catalog::default();
/// let t = c.intern_rel_type("KNOWS");
/// let n = |i| NodeRecord { id: NodeId(i), labels: vec![], props: vec![] };
/// let r = |i, s, d| RelRecord { id: RelId(i), rel_type: t, src: NodeId(s), dst: NodeId(d), props: vec![] };
/// let s = Snapshot::from_records(c, 1, NodeId(3), RelId(2), vec![n(0), n(1), n(2)], vec![r(0, 0, 2), r(1, 0, 1)]).unwrap();
/// let list = s.adjacency(NodeId(0), t, Direction::Outgoing);
/// assert_eq!(list.len(), 2);
/// assert_eq!(list.at(0), Adj { node: NodeId(1), rel: RelId(1) });
/// assert_eq!(list.partition_point(|a| a.node < NodeId(2)), 1);
/// assert_eq!(list.iter().map(|a| a.rel.0).sum::<u64>(), 1);
/// ```
pub struct AdjSlice<'a> {
    /// The first entry (aligned for [`Adj`] when empty).
    ptr: NonNull<u8>,
    /// The number of entries, and the kind in the top two bits: 16 bytes
    /// in all, so that a list is returned in two registers (a 24-byte enum
    /// went through the stack, and reading it back cost a store-forwarding
    /// stall per adjacency lookup: 4% of an expansion-bound query).
    len: usize,
    _entries: PhantomData<&'a [Adj]>,
}

/// Kinds of [`AdjSlice`]: borrowed 16-byte entries, borrowed 8-byte
/// entries, owned 16-byte entries (a list a role's view filtered).
const WIDE: usize = 0;
const NARROW: usize = 1;
const OWNED: usize = 2;
const KIND_SHIFT: u32 = usize::BITS - 2;
const LEN_MASK: usize = (1 << KIND_SHIFT) - 1;

// SAFETY: an `AdjSlice` is a shared slice of plain data or an owned boxed
// slice of it; both are `Send` and `Sync`.
unsafe impl Send for AdjSlice<'_> {}
// SAFETY: as above.
unsafe impl Sync for AdjSlice<'_> {}

impl Drop for AdjSlice<'_> {
    fn drop(&mut self) {
        if self.kind() == OWNED {
            // SAFETY: an OWNED slice was made from a leaked `Box<[Adj]>` of
            // this length (`AdjSlice::owned`) and is dropped once.
            drop(unsafe { self.take_box() });
        }
    }
}

impl Clone for AdjSlice<'_> {
    fn clone(&self) -> Self {
        match self.kind() {
            OWNED => AdjSlice::owned(self.as_wide().to_vec()),
            _ => AdjSlice {
                ptr: self.ptr,
                len: self.len,
                _entries: PhantomData,
            },
        }
    }
}

impl fmt::Debug for AdjSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> AdjSlice<'a> {
    /// No entries.
    pub const EMPTY: AdjSlice<'static> = AdjSlice {
        ptr: NonNull::<Adj>::dangling().cast(),
        len: 0,
        _entries: PhantomData,
    };

    /// A view of 16-byte entries.
    #[inline]
    pub fn wide(entries: &'a [Adj]) -> AdjSlice<'a> {
        AdjSlice {
            ptr: NonNull::from(entries).cast(),
            len: entries.len() | (WIDE << KIND_SHIFT),
            _entries: PhantomData,
        }
    }

    #[inline]
    fn narrow(entries: &'a [Adj32]) -> AdjSlice<'a> {
        AdjSlice {
            ptr: NonNull::from(entries).cast(),
            len: entries.len() | (NARROW << KIND_SHIFT),
            _entries: PhantomData,
        }
    }

    /// Owned entries (a filtered list).
    pub fn owned(entries: Vec<Adj>) -> AdjSlice<'a> {
        let boxed = entries.into_boxed_slice();
        let len = boxed.len();
        AdjSlice {
            ptr: NonNull::from(Box::leak(boxed)).cast(),
            len: len | (OWNED << KIND_SHIFT),
            _entries: PhantomData,
        }
    }

    #[inline(always)]
    fn kind(&self) -> usize {
        self.len >> KIND_SHIFT
    }

    /// The entries as stored.
    #[inline(always)]
    fn typed(&self) -> Typed<'_> {
        let n = self.len & LEN_MASK;
        // SAFETY: `ptr` and the count describe a live slice of the kind's
        // element type, borrowed for `'a` or owned by `self` (the
        // constructors above are the only ones).
        unsafe {
            if self.kind() == NARROW {
                Typed::Narrow(std::slice::from_raw_parts(self.ptr.cast().as_ptr(), n))
            } else {
                Typed::Wide(std::slice::from_raw_parts(self.ptr.cast().as_ptr(), n))
            }
        }
    }

    /// The owned entries' box (the caller makes sure it is not used or
    /// dropped again).
    ///
    /// # Safety
    ///
    /// The slice is OWNED.
    unsafe fn take_box(&mut self) -> Box<[Adj]> {
        let n = self.len & LEN_MASK;
        let raw = std::ptr::slice_from_raw_parts_mut(self.ptr.cast::<Adj>().as_ptr(), n);
        self.len = 0;
        // SAFETY: made by `Box::into_raw` in `owned` with this length.
        unsafe { Box::from_raw(raw) }
    }

    /// The owned entries as a vector, consuming the slice.
    fn into_owned_vec(self) -> Vec<Adj> {
        let mut me = std::mem::ManuallyDrop::new(self);
        // SAFETY: called on OWNED slices only; `me` is never dropped.
        unsafe { me.take_box() }.into_vec()
    }

    #[inline(always)]
    fn as_wide(&self) -> &[Adj] {
        match self.typed() {
            Typed::Wide(w) => w,
            Typed::Narrow(_) => &[],
        }
    }

    /// Number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        self.len & LEN_MASK
    }

    /// True when there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Adj> {
        match self.typed() {
            Typed::Wide(w) => w.get(i).copied(),
            Typed::Narrow(n) => n.get(i).map(|a| a.wide()),
        }
    }

    /// Entry `i`.
    ///
    /// # Panics
    ///
    /// When `i` is not below [`AdjSlice::len`] (as indexing a slice does).
    #[inline]
    pub fn at(&self, i: usize) -> Adj {
        match self.typed() {
            Typed::Wide(w) => w[i],
            Typed::Narrow(n) => n[i].wide(),
        }
    }

    /// The entries in `range`, borrowed.
    ///
    /// # Panics
    ///
    /// When `range` is out of bounds or decreasing (as slicing does).
    #[inline]
    pub fn slice(&self, range: Range<usize>) -> AdjSlice<'_> {
        match self.typed() {
            Typed::Wide(w) => AdjSlice::wide(&w[range]),
            Typed::Narrow(n) => AdjSlice::narrow(&n[range]),
        }
    }

    /// The number of leading entries for which `pred` holds (`pred` must
    /// hold for a prefix of the list, as for [`slice::partition_point`]).
    #[inline]
    pub fn partition_point(&self, mut pred: impl FnMut(Adj) -> bool) -> usize {
        match self.typed() {
            Typed::Wide(w) => w.partition_point(|a| pred(*a)),
            Typed::Narrow(n) => n.partition_point(|a| pred(a.wide())),
        }
    }

    /// The entries that lead to `node` (the list is sorted by node): two
    /// binary searches.
    ///
    /// ```
    /// # use relgraph_graph::{Adj, AdjSlice, NodeId, RelId};
    /// let a = |n, r| Adj { node: NodeId(n), rel: RelId(r) };
    /// let list = [a(1, 0), a(2, 5), a(2, 7), a(4, 1)];
    /// assert_eq!(AdjSlice::wide(&list).run_of(NodeId(2)), &[a(2, 5), a(2, 7)]);
    /// ```
    #[inline]
    pub fn run_of(&self, node: NodeId) -> AdjSlice<'_> {
        fn run<T: Entry>(list: &[T], to: NodeId) -> &[T] {
            let lo = list.partition_point(|a| a.node() < to);
            let hi = lo + list[lo..].partition_point(|a| a.node() <= to);
            &list[lo..hi]
        }
        match self.typed() {
            Typed::Wide(w) => AdjSlice::wide(run(w, node)),
            Typed::Narrow(n) => AdjSlice::narrow(run(n, node)),
        }
    }

    /// Above this length ratio [`AdjSlice::shared_runs`] searches the
    /// longer list for each node of the shorter one instead of walking
    /// both.
    pub const SEARCH_RATIO: usize = 16;

    /// Calls `f` with each node this list and `other` share (both sorted
    /// by node), ascending, and its run of entries in either list; stops
    /// at the first `false` or error and returns it. Lists of similar
    /// length are walked in step; where one is much shorter (a company's
    /// few referrals against a vendor's 13,433 customers), each of its
    /// nodes is found in the other by binary search from where the last
    /// one was, so the cost follows the shorter list. The loop is compiled
    /// for each pair of stored widths.
    ///
    /// ```
    /// # use relgraph_graph::{Adj, AdjSlice, NodeId, RelId};
    /// let a = |n, r| Adj { node: NodeId(n), rel: RelId(r) };
    /// let (x, y) = ([a(1, 0), a(2, 1), a(2, 2), a(5, 3)], [a(2, 9), a(3, 8), a(5, 7)]);
    /// let mut seen = Vec::new();
    /// AdjSlice::wide(&x).shared_runs(&AdjSlice::wide(&y), |n, l, r| {
    ///     seen.push((n.0, l.len(), r.len()));
    ///     Ok::<_, ()>(true)
    /// }).unwrap();
    /// assert_eq!(seen, [(2, 2, 1), (5, 1, 1)]);
    /// ```
    pub fn shared_runs<E>(
        &self,
        other: &AdjSlice<'_>,
        mut f: impl FnMut(NodeId, AdjSlice<'_>, AdjSlice<'_>) -> Result<bool, E>,
    ) -> Result<bool, E> {
        match (self.typed(), other.typed()) {
            (Typed::Wide(l), Typed::Wide(r)) => shared(l, r, &mut f),
            (Typed::Wide(l), Typed::Narrow(r)) => shared(l, r, &mut f),
            (Typed::Narrow(l), Typed::Wide(r)) => shared(l, r, &mut f),
            (Typed::Narrow(l), Typed::Narrow(r)) => shared(l, r, &mut f),
        }
    }

    /// The entries, in order.
    #[inline]
    pub fn iter(&self) -> AdjIter<'_> {
        match self.typed() {
            Typed::Wide(w) => AdjIter(IterRepr::Wide(w.iter())),
            Typed::Narrow(n) => AdjIter(IterRepr::Narrow(n.iter())),
        }
    }

    /// The first `len` entries (all of them when there are fewer).
    pub fn prefix(self, len: usize) -> AdjSlice<'a> {
        if self.kind() == OWNED {
            let mut v = self.into_owned_vec();
            v.truncate(len);
            return AdjSlice::owned(v);
        }
        let kind = self.len & !LEN_MASK;
        AdjSlice {
            ptr: self.ptr,
            len: len.min(self.len()) | kind,
            _entries: PhantomData,
        }
    }

    /// The entries as a vector.
    pub fn to_vec(&self) -> Vec<Adj> {
        self.iter().collect()
    }

    /// The entries as a slice: borrowed when stored 16 bytes wide, else
    /// widened into a vector.
    pub fn into_cow(self) -> Cow<'a, [Adj]> {
        match self.kind() {
            // SAFETY: a WIDE slice borrows its entries for `'a`.
            WIDE => Cow::Borrowed(unsafe {
                std::slice::from_raw_parts(self.ptr.cast::<Adj>().as_ptr(), self.len())
            }),
            NARROW => Cow::Owned(self.to_vec()),
            _ => Cow::Owned(self.into_owned_vec()),
        }
    }
}

/// A list's entries as stored.
enum Typed<'a> {
    Wide(&'a [Adj]),
    Narrow(&'a [Adj32]),
}

/// An entry of a stored list, at either width.
trait Entry: Copy {
    fn node(self) -> NodeId;
    fn run(list: &[Self]) -> AdjSlice<'_>;
}

impl Entry for Adj {
    #[inline(always)]
    fn node(self) -> NodeId {
        self.node
    }
    #[inline(always)]
    fn run(list: &[Adj]) -> AdjSlice<'_> {
        AdjSlice::wide(list)
    }
}

impl Entry for Adj32 {
    #[inline(always)]
    fn node(self) -> NodeId {
        NodeId(u64::from(self.node))
    }
    #[inline(always)]
    fn run(list: &[Adj32]) -> AdjSlice<'_> {
        AdjSlice::narrow(list)
    }
}

/// [`AdjSlice::shared_runs`] over typed lists: the shorter one leads.
fn shared<L: Entry, R: Entry, E>(
    left: &[L],
    right: &[R],
    f: &mut impl FnMut(NodeId, AdjSlice<'_>, AdjSlice<'_>) -> Result<bool, E>,
) -> Result<bool, E> {
    if right.len() < left.len() {
        merge(right, left, &mut |n, s, l| f(n, l, s))
    } else {
        merge(left, right, f)
    }
}

/// The end of the run of node `a`'s entries that starts at `from`: the
/// next entry looked at first (runs are mostly of one entry), searched
/// beyond it.
#[inline(always)]
fn run_end<T: Entry>(list: &[T], from: usize, a: NodeId) -> usize {
    match list.get(from + 1) {
        Some(p) if p.node() == a => from + 1 + list[from + 1..].partition_point(|p| p.node() == a),
        _ => from + 1,
    }
}

/// The shared nodes of `short` and `long`, each with its two runs.
fn merge<S: Entry, L: Entry, E>(
    short: &[S],
    long: &[L],
    f: &mut impl FnMut(NodeId, AdjSlice<'_>, AdjSlice<'_>) -> Result<bool, E>,
) -> Result<bool, E> {
    let search = long.len() > AdjSlice::SEARCH_RATIO * short.len();
    let (mut i, mut j) = (0, 0);
    while i < short.len() && j < long.len() {
        let a = short[i].node();
        if search {
            j += long[j..].partition_point(|p| p.node() < a);
        } else if long[j].node() < a {
            j += 1;
            continue;
        }
        let i_end = run_end(short, i, a);
        if long.get(j).is_none_or(|p| p.node() != a) {
            i = i_end;
            continue;
        }
        let j_end = run_end(long, j, a);
        if !f(a, S::run(&short[i..i_end]), L::run(&long[j..j_end]))? {
            return Ok(false);
        }
        (i, j) = (i_end, j_end);
    }
    Ok(true)
}

impl Default for AdjSlice<'_> {
    fn default() -> Self {
        AdjSlice::EMPTY
    }
}

impl PartialEq for AdjSlice<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for AdjSlice<'_> {}

impl PartialEq<[Adj]> for AdjSlice<'_> {
    fn eq(&self, other: &[Adj]) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter().copied())
    }
}

impl<const N: usize> PartialEq<&[Adj; N]> for AdjSlice<'_> {
    fn eq(&self, other: &&[Adj; N]) -> bool {
        *self == other[..]
    }
}

impl<'a> IntoIterator for AdjSlice<'a> {
    type Item = Adj;
    type IntoIter = AdjIter<'a>;

    fn into_iter(self) -> AdjIter<'a> {
        let n = self.len();
        AdjIter(match self.kind() {
            // SAFETY: borrowed kinds point at `n` entries that live for `'a`.
            WIDE => IterRepr::Wide(
                unsafe { std::slice::from_raw_parts(self.ptr.cast::<Adj>().as_ptr(), n) }.iter(),
            ),
            NARROW => IterRepr::Narrow(
                unsafe { std::slice::from_raw_parts(self.ptr.cast::<Adj32>().as_ptr(), n) }.iter(),
            ),
            _ => IterRepr::Owned(self.into_owned_vec().into_iter()),
        })
    }
}

impl<'s> IntoIterator for &'s AdjSlice<'_> {
    type Item = Adj;
    type IntoIter = AdjIter<'s>;

    fn into_iter(self) -> AdjIter<'s> {
        self.iter()
    }
}

/// The entries of an [`AdjSlice`], by value.
///
/// ```
/// let empty = relgraph_graph::AdjSlice::EMPTY;
/// assert_eq!(empty.iter().count(), 0);
/// ```
#[derive(Clone, Debug)]
pub struct AdjIter<'a>(IterRepr<'a>);

#[derive(Clone, Debug)]
enum IterRepr<'a> {
    Wide(slice::Iter<'a, Adj>),
    Narrow(slice::Iter<'a, Adj32>),
    Owned(std::vec::IntoIter<Adj>),
}

impl Default for AdjIter<'_> {
    fn default() -> Self {
        AdjIter(IterRepr::Narrow([].iter()))
    }
}

impl Iterator for AdjIter<'_> {
    type Item = Adj;

    #[inline]
    fn next(&mut self) -> Option<Adj> {
        match &mut self.0 {
            IterRepr::Wide(w) => w.next().copied(),
            IterRepr::Narrow(n) => n.next().map(|a| a.wide()),
            IterRepr::Owned(o) => o.next(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Wide(w) => w.size_hint(),
            IterRepr::Narrow(n) => n.size_hint(),
            IterRepr::Owned(o) => o.size_hint(),
        }
    }

    /// Skips in O(1) (`step_by` samples long lists through it).
    #[inline]
    fn nth(&mut self, n: usize) -> Option<Adj> {
        match &mut self.0 {
            IterRepr::Wide(w) => w.nth(n).copied(),
            IterRepr::Narrow(v) => v.nth(n).map(|a| a.wide()),
            IterRepr::Owned(o) => o.nth(n),
        }
    }

    #[inline]
    fn count(self) -> usize {
        self.len()
    }

    #[inline]
    fn last(mut self) -> Option<Adj> {
        self.next_back()
    }

    /// One dispatch for the whole run (`for_each`, `sum`, `filter` ... go
    /// through `fold`).
    #[inline]
    fn fold<B, F: FnMut(B, Adj) -> B>(self, init: B, mut f: F) -> B {
        match self.0 {
            IterRepr::Wide(w) => w.fold(init, |b, a| f(b, *a)),
            IterRepr::Narrow(n) => n.fold(init, |b, a| f(b, a.wide())),
            IterRepr::Owned(o) => o.fold(init, f),
        }
    }
}

impl DoubleEndedIterator for AdjIter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Adj> {
        match &mut self.0 {
            IterRepr::Wide(w) => w.next_back().copied(),
            IterRepr::Narrow(n) => n.next_back().map(|a| a.wide()),
            IterRepr::Owned(o) => o.next_back(),
        }
    }

    #[inline]
    fn nth_back(&mut self, n: usize) -> Option<Adj> {
        match &mut self.0 {
            IterRepr::Wide(w) => w.nth_back(n).copied(),
            IterRepr::Narrow(v) => v.nth_back(n).map(|a| a.wide()),
            IterRepr::Owned(o) => o.nth_back(n),
        }
    }
}

impl ExactSizeIterator for AdjIter<'_> {}

/// Node ids of one relationship chunk's starts or ends, at their width.
#[derive(Clone, Debug)]
pub(crate) enum Ids {
    /// `u64` each.
    Wide(Buf<NodeId>),
    /// `u32` each (every id of the chunk fits).
    Narrow(Buf<u32>),
    /// `base` plus `bits` bits each, packed into words ([`unpack`]).
    Packed {
        base: u64,
        bits: u32,
        count: usize,
        words: Buf<u64>,
    },
}

/// The most bits an id of [`Ids::Packed`] takes (more is stored as
/// `u32` or `u64`).
pub(crate) const MAX_PACKED_BITS: u32 = 31;

/// Bits that hold every value up to `max`.
pub(crate) fn bits_for(max: u64) -> u32 {
    u64::BITS - max.leading_zeros()
}

/// Packs `values` (each below 2^`bits`, `bits` at most 32) into words:
/// value `i` is bits `i * bits ..` of the little-endian bit string.
pub(crate) fn pack(values: &[u64], bits: u32) -> Vec<u64> {
    let b = bits as usize;
    let mut words = vec![0u64; (values.len() * b).div_ceil(64)];
    if bits == 0 {
        return words;
    }
    for (i, v) in values.iter().enumerate() {
        let (k, s) = ((i * b) / 64, ((i * b) % 64) as u32);
        words[k] |= v << s;
        if s + bits > 64 {
            words[k + 1] |= v >> (64 - s);
        }
    }
    words
}

/// Value `i` of words packed by [`pack`] (`None` past the words).
#[inline]
pub(crate) fn unpack(words: &[u64], bits: u32, i: usize) -> Option<u64> {
    if bits == 0 {
        return Some(0);
    }
    let bit = i * bits as usize;
    let (k, s) = (bit / 64, (bit % 64) as u32);
    let mut v = *words.get(k)? >> s;
    if s + bits > 64 {
        v |= *words.get(k + 1)? << (64 - s);
    }
    Some(v & ((1u64 << bits) - 1))
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Wide(Buf::default())
    }
}

impl Ids {
    /// Id `l` (`None` past the array, also for a damaged one).
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<NodeId> {
        match self {
            Ids::Wide(b) => b.get(l).copied(),
            Ids::Narrow(b) => b.get(l).map(|n| NodeId(u64::from(*n))),
            Ids::Packed {
                base,
                bits,
                count,
                words,
            } => {
                if l >= *count {
                    return None;
                }
                let v = unpack(words, *bits, l)?;
                Some(NodeId(base.checked_add(v)?))
            }
        }
    }

    /// The number of ids the array claims, without reading it.
    pub(crate) fn stored_len(&self) -> usize {
        match self {
            Ids::Wide(b) => b.stored_len(),
            Ids::Narrow(b) => b.stored_len(),
            Ids::Packed { count, .. } => *count,
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Ids::Wide(b) => b.heap_bytes(),
            Ids::Narrow(b) => b.heap_bytes(),
            Ids::Packed { words, .. } => words.heap_bytes(),
        }
    }

    /// Runs `f` on the ids as an owned vector of `u64` ids (widening a
    /// narrow array first).
    pub(crate) fn update(&mut self, f: impl FnOnce(&mut Vec<NodeId>)) {
        if !matches!(self, Ids::Wide(_)) {
            let wide: Vec<NodeId> = (0..self.stored_len())
                .map(|l| self.get(l).unwrap_or(NodeId(0)))
                .collect();
            *self = Ids::Wide(wide.into());
        }
        if let Ids::Wide(b) = self {
            b.update(f);
        }
    }
}

/// The types of one relationship chunk: one per relationship, or one for
/// all of its live relationships.
#[derive(Clone, Debug)]
pub(crate) enum Types {
    /// Type of each local.
    Each(Buf<RelTypeId>),
    /// The type of every live local.
    All(RelTypeId),
}

impl Default for Types {
    fn default() -> Self {
        Types::Each(Buf::default())
    }
}

impl Types {
    /// The type of local `l` (callers check liveness first).
    #[inline]
    pub(crate) fn get(&self, l: usize) -> Option<RelTypeId> {
        match self {
            Types::Each(b) => b.get(l).copied(),
            Types::All(t) => Some(*t),
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Types::Each(b) => b.heap_bytes(),
            Types::All(_) => 0,
        }
    }

    /// Runs `f` on one type per local as an owned vector. A chunk that
    /// stored one type for all its live relationships becomes `len`
    /// locals of that type, the dead ones (by `alive`) of none (type 0).
    pub(crate) fn update(&mut self, alive: &Bits, len: usize, f: impl FnOnce(&mut Vec<RelTypeId>)) {
        if let Types::All(t) = *self {
            let each: Vec<RelTypeId> = (0..len)
                .map(|l| if alive.get(l) { t } else { RelTypeId(0) })
                .collect();
            *self = Types::Each(each.into());
        }
        if let Types::Each(b) = self {
            b.update(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: u64, r: u64) -> Adj {
        Adj {
            node: NodeId(n),
            rel: RelId(r),
        }
    }

    #[test]
    fn narrowing_keeps_ids_order_and_holes() {
        let wide = [a(0, 7), a(3, 1), a(3, 2), a(u64::from(u32::MAX) - 1, 9)];
        let narrow: Vec<Adj32> = wide.iter().map(|x| Adj32::narrow(*x).unwrap()).collect();
        assert!(narrow.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            narrow.iter().map(|x| x.wide()).collect::<Vec<_>>(),
            wide.to_vec()
        );
        assert_eq!(Adj32::narrow(super::super::chunk::HOLE), Some(HOLE32));
        assert_eq!(HOLE32.wide_or_hole(), super::super::chunk::HOLE);
        // An id of u32::MAX would read as a hole: it stays wide.
        assert_eq!(Adj32::narrow(a(u64::from(u32::MAX), 0)), None);
        assert_eq!(Adj32::narrow(a(0, u64::from(u32::MAX))), None);
        assert_eq!(Adj32::narrow(a(1 << 40, 0)), None);
    }

    #[test]
    fn both_widths_read_the_same() {
        let wide = vec![a(1, 10), a(2, 11), a(2, 12), a(9, 3)];
        let narrow: Vec<Adj32> = wide.iter().map(|x| Adj32::narrow(*x).unwrap()).collect();
        let w = Entries::Wide(wide.clone().into());
        let n = Entries::Narrow(narrow.into());
        for range in [0..4, 1..3, 2..2, 3..4] {
            let (ws, ns) = (w.slice(range.clone()), n.slice(range.clone()));
            assert_eq!(ws, ns);
            assert_eq!(ns.to_vec(), wide[range.clone()].to_vec());
            assert_eq!(ns.iter().rev().collect::<Vec<_>>().len(), range.len());
            assert_eq!(
                ns.iter().fold(0, |s, x| s + x.rel.0),
                wide[range.clone()].iter().map(|x| x.rel.0).sum::<u64>()
            );
            for p in 0..=10 {
                assert_eq!(
                    ns.partition_point(|x| x.node.0 < p),
                    ws.partition_point(|x| x.node.0 < p)
                );
            }
            for step in 1..4 {
                assert_eq!(
                    ns.iter().step_by(step).collect::<Vec<_>>(),
                    wide[range.clone()]
                        .iter()
                        .step_by(step)
                        .copied()
                        .collect::<Vec<_>>()
                );
            }
            assert_eq!(
                ns.iter().nth_back(1),
                wide[range.clone()].iter().nth_back(1).copied()
            );
            assert_eq!(ns.iter().count(), range.len());
            assert_eq!(ns.clone().into_cow().into_owned(), wide[range].to_vec());
        }
        assert_eq!(n.slice(0..4).slice(1..3).at(1), a(2, 12));
        assert_eq!(n.slice(3..9), AdjSlice::EMPTY);
    }

    /// A node-sorted list of `nodes` (relationship ids by position).
    fn list(mut nodes: Vec<u64>, base: u64) -> Vec<Adj> {
        nodes.sort_unstable();
        nodes
            .into_iter()
            .enumerate()
            .map(|(i, n)| a(n, base + i as u64))
            .collect()
    }

    proptest::proptest! {
        /// Every pair of entries with equal nodes, whatever the widths and
        /// lengths (searched or walked), in node order.
        #[test]
        fn shared_runs_are_the_pairs_of_equal_nodes(
            left in proptest::collection::vec(0u64..40, 0..8),
            right in proptest::collection::vec(0u64..40, 0..200),
            swap in proptest::bool::ANY,
            narrow in (proptest::bool::ANY, proptest::bool::ANY),
        ) {
            let (l, r) = (list(left, 0), list(right, 1000));
            let (l, r) = if swap { (r, l) } else { (l, r) };
            let mut want = Vec::new();
            for x in &l {
                for y in &r {
                    if x.node == y.node {
                        want.push((x.node, x.rel, y.rel));
                    }
                }
            }
            let store = |v: &Vec<Adj>, n: bool| if n {
                Entries::Narrow(v.iter().map(|x| Adj32::narrow(*x).unwrap()).collect::<Vec<_>>().into())
            } else {
                Entries::Wide(v.clone().into())
            };
            let (le, re) = (store(&l, narrow.0), store(&r, narrow.1));
            let (lv, rv) = (le.slice(0..l.len()), re.slice(0..r.len()));
            let mut got = Vec::new();
            lv.shared_runs(&rv, |n, ls, rs| {
                for x in ls.iter() {
                    for y in rs.iter() {
                        assert!(x.node == n && y.node == n);
                        got.push((n, x.rel, y.rel));
                    }
                }
                Ok::<_, ()>(true)
            }).unwrap();
            proptest::prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
            want.sort();
            got.sort();
            proptest::prop_assert_eq!(got, want);
        }
    }

    /// A filtered (owned) list reads, clones, shortens, iterates and
    /// converts like a borrowed one, and frees its entries once.
    #[test]
    fn owned_lists_behave_like_borrowed_ones() {
        let v = vec![a(1, 1), a(2, 2), a(3, 3)];
        let owned = AdjSlice::owned(v.clone());
        assert_eq!(std::mem::size_of::<AdjSlice<'_>>(), 16);
        assert_eq!(owned, AdjSlice::wide(&v));
        let copy = owned.clone();
        drop(owned);
        assert_eq!(copy.to_vec(), v);
        assert_eq!(copy.slice(1..3), &[a(2, 2), a(3, 3)]);
        assert_eq!(copy.run_of(NodeId(2)).len(), 1);
        assert_eq!(copy.clone().into_iter().rev().collect::<Vec<_>>().len(), 3);
        assert_eq!(copy.clone().into_cow().into_owned(), v);
        let short = copy.prefix(2);
        assert_eq!(short, &[a(1, 1), a(2, 2)]);
        assert_eq!(AdjSlice::owned(Vec::new()), AdjSlice::EMPTY);
        assert_eq!(AdjSlice::EMPTY.prefix(4).len(), 0);
        assert_eq!(
            format!("{:?}", AdjSlice::wide(&v[..1])),
            format!("{:?}", [a(1, 1)])
        );
    }

    #[test]
    fn shared_runs_stop_at_false() {
        let (x, y) = (list(vec![1, 2, 3], 0), list(vec![1, 2, 3], 10));
        let mut calls = 0;
        let done = AdjSlice::wide(&x)
            .shared_runs(&AdjSlice::wide(&y), |_, _, _| {
                calls += 1;
                Ok::<_, ()>(calls < 2)
            })
            .unwrap();
        assert!(!done);
        assert_eq!(calls, 2);
    }

    #[test]
    fn packed_ids_read_back_at_every_width() {
        for bits in [0u32, 1, 7, 13, 31] {
            let max = if bits == 0 { 0 } else { (1u64 << bits) - 1 };
            let values: Vec<u64> = (0..300u64)
                .map(|i| (i * 2_654_435_761) % (max + 1))
                .collect();
            let words = pack(&values, bits);
            assert_eq!(words.len(), (300 * bits as usize).div_ceil(64));
            for (i, v) in values.iter().enumerate() {
                assert_eq!(unpack(&words, bits, i), Some(*v), "bits {bits}, value {i}");
            }
            assert_eq!(bits_for(max), bits);
        }
        let ids = Ids::Packed {
            base: 4096,
            bits: 3,
            count: 3,
            words: pack(&[0, 7, 2], 3).into(),
        };
        assert_eq!(
            (ids.get(0), ids.get(1), ids.get(2), ids.get(3)),
            (
                Some(NodeId(4096)),
                Some(NodeId(4103)),
                Some(NodeId(4098)),
                None
            )
        );
        let mut widened = ids.clone();
        widened.update(|v| v[0] = NodeId(1));
        assert_eq!(
            (widened.get(0), widened.get(1)),
            (Some(NodeId(1)), Some(NodeId(4103)))
        );
        // Words cut short by damage read as absent, never panic.
        let short = Ids::Packed {
            base: 0,
            bits: 20,
            count: 10,
            words: vec![0u64; 1].into(),
        };
        assert_eq!((short.get(2), short.get(5)), (Some(NodeId(0)), None));
    }

    #[test]
    fn narrow_ends_and_one_type_widen_on_update() {
        let mut ids = Ids::Narrow(vec![5u32, 6].into());
        assert_eq!(ids.get(1), Some(NodeId(6)));
        assert_eq!(ids.get(2), None);
        ids.update(|v| v.push(NodeId(1 << 40)));
        assert_eq!(ids.get(2), Some(NodeId(1 << 40)));
        assert_eq!(ids.get(0), Some(NodeId(5)));
        let mut types = Types::All(RelTypeId(3));
        assert_eq!(types.get(100), Some(RelTypeId(3)));
        let mut alive = Bits::with_capacity(2);
        alive.put(0, true);
        alive.put(1, true);
        types.update(&alive, 2, |v| v[1] = RelTypeId(4));
        assert_eq!(types.get(0), Some(RelTypeId(3)));
        assert_eq!(types.get(1), Some(RelTypeId(4)));
        assert_eq!(types.get(2), None);
    }
}
