//! Arrays that live either on the heap or in place in a segment.
//!
//! A [`Buf`] is what every large array of a chunk is made of (adjacency
//! offsets and entries, relationship endpoints, label bitmaps, typed
//! property columns). A chunk built by a write owns its arrays
//! ([`Buf::Heap`]); a chunk opened from a segment file borrows them from the
//! file's memory map ([`Buf::Shared`]), so opening a database copies nothing
//! and the operating system pages the data in and out. Both read as a slice;
//! the first write to a shared array copies it ([`Buf::update`]), which is
//! the copy-on-write the snapshot already does per chunk part.

use std::fmt;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytemuck::Pod;

use super::check::ArrayCheck;

/// A block of bytes that shared arrays point into: a memory-mapped segment
/// file, or a heap buffer standing in for one (in-memory databases). The
/// bytes never move or change while the value is alive.
pub trait SegmentBytes: Send + Sync {
    /// The bytes, starting at an address aligned to 8.
    fn bytes(&self) -> &[u8];

    /// CRC-32 of `bytes()[range]` (0 for a range out of bounds). A file
    /// that is mapped may read the range through the file instead, so
    /// that checking an array does not make all of its pages resident in
    /// the process (a query usually reads a few entries of it).
    fn crc32(&self, range: std::ops::Range<usize>) -> u32 {
        self.bytes().get(range).map_or(0, crc32fast::hash)
    }
}

impl SegmentBytes for memmap2::Mmap {
    fn bytes(&self) -> &[u8] {
        self
    }
}

/// Heap bytes aligned to 8 (a `Vec<u8>` guarantees no alignment).
pub struct HeapBytes {
    words: Vec<u64>,
    len: usize,
}

impl HeapBytes {
    /// Copies `bytes` into an 8-aligned buffer.
    pub fn new(bytes: &[u8]) -> HeapBytes {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        HeapBytes {
            words,
            len: bytes.len(),
        }
    }
}

impl SegmentBytes for HeapBytes {
    fn bytes(&self) -> &[u8] {
        &bytemuck::cast_slice::<u64, u8>(&self.words)[..self.len]
    }
}

/// An array of plain values, owned or borrowed from segment bytes.
/// `ptr`/`len` always describe the live elements, whoever owns them. An
/// array borrowed from a format-4 segment carries its checksum: the first
/// read hashes it, every read costs one atomic load and a branch, and a
/// damaged array reads as empty (see `check.rs`).
pub(crate) struct Buf<T: Pod> {
    ptr: NonNull<T>,
    len: usize,
    /// True once the elements are known to be good (at once for an owned
    /// or unchecked array): the one load a read costs, beside `ptr`. The
    /// check itself is shared between copies of the array and lies
    /// elsewhere in memory: asking it on every read was a second cache
    /// miss per adjacency list looked up (cookbook cb09 at scale 450,
    /// 27% of `Snapshot::adjacency`).
    good: AtomicBool,
    owner: Owner<T>,
    check: Option<Arc<ArrayCheck>>,
}

enum Owner<T> {
    /// Owned by this chunk part.
    Heap(Vec<T>),
    /// A range of a segment's bytes, kept alive here.
    Shared(Arc<dyn SegmentBytes>),
}

// SAFETY: `ptr` points into the owner's memory: a `Vec` this value owns
// (only mutated through `update`, which refreshes `ptr`), or segment bytes
// that `Owner::Shared` keeps alive and that nothing mutates
// (`SegmentBytes` is `Send + Sync` and immutable). `T: Pod` is plain data.
unsafe impl<T: Pod> Send for Buf<T> {}
// SAFETY: as above; `&Buf` only hands out shared slices.
unsafe impl<T: Pod> Sync for Buf<T> {}

impl<T: Pod> Buf<T> {
    fn heap(v: Vec<T>) -> Buf<T> {
        let (ptr, len) = (
            NonNull::new(v.as_ptr() as *mut T).unwrap_or(NonNull::dangling()),
            v.len(),
        );
        Buf {
            ptr,
            len,
            good: AtomicBool::new(true),
            owner: Owner::Heap(v),
            check: None,
        }
    }

    /// `len` values of `T` at byte `offset` of `owner`, or `None` when the
    /// range is out of bounds or misaligned for `T` (a corrupt directory).
    /// With `check`, the bytes are verified on first read.
    pub(crate) fn shared(
        owner: &Arc<dyn SegmentBytes>,
        offset: u64,
        len: u64,
        check: Option<ArrayCheck>,
    ) -> Option<Buf<T>> {
        let bytes = owner.bytes();
        let size = std::mem::size_of::<T>() as u64;
        let end = offset.checked_add(len.checked_mul(size)?)?;
        if end > bytes.len() as u64 {
            return None;
        }
        let (offset, len) = (usize::try_from(offset).ok()?, usize::try_from(len).ok()?);
        let slice: &[T] = bytemuck::try_cast_slice(&bytes[offset..end as usize]).ok()?;
        Some(Buf {
            ptr: NonNull::from(slice).cast(),
            len,
            good: AtomicBool::new(check.is_none()),
            owner: Owner::Shared(owner.clone()),
            check: check.map(Arc::new),
        })
    }

    /// The elements, unverified.
    #[inline]
    fn raw(&self) -> &[T] {
        // SAFETY: see the `Send` impl: `ptr` and `len` describe live,
        // aligned, initialized elements owned by `self.owner`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The number of elements the array claims, without reading it (a
    /// damaged array reads as empty through `Deref`).
    pub(crate) fn stored_len(&self) -> usize {
        self.len
    }

    /// The elements of an array not yet known to be good: verified (once
    /// for all copies), then marked good here. The flag only caches what
    /// the shared check says; the elements never change, so no ordering
    /// beyond the flag's own is needed.
    #[cold]
    #[inline(never)]
    fn checked(&self) -> &[T] {
        let Some(c) = &self.check else {
            self.good.store(true, Ordering::Relaxed);
            return self.raw();
        };
        let out = if c.passed() {
            self.raw()
        } else {
            self.verified(c)
        };
        if c.passed() {
            self.good.store(true, Ordering::Relaxed);
        }
        out
    }

    #[cold]
    #[inline(never)]
    fn verified(&self, check: &ArrayCheck) -> &[T] {
        let raw: &[u8] = bytemuck::cast_slice(self.raw());
        let crc = || match &self.owner {
            Owner::Shared(o) => {
                let start = (raw.as_ptr() as usize).wrapping_sub(o.bytes().as_ptr() as usize);
                o.crc32(start..start.saturating_add(raw.len()))
            }
            Owner::Heap(_) => crc32fast::hash(raw),
        };
        if check.verify(crc) {
            self.raw()
        } else {
            &[]
        }
    }

    /// Runs `f` on an owned vector of the elements (copying a shared array
    /// first), then points the view at the result.
    pub(crate) fn update<R>(&mut self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        if let Owner::Shared(_) = self.owner {
            *self = Buf::heap(self.to_vec());
        }
        let Owner::Heap(v) = &mut self.owner else {
            unreachable!("invariant: converted to Heap just above")
        };
        self.check = None;
        *self.good.get_mut() = true;
        let r = f(v);
        self.ptr = NonNull::new(v.as_ptr() as *mut T).unwrap_or(NonNull::dangling());
        self.len = v.len();
        r
    }

    /// Heap bytes this array holds (shared arrays hold none).
    pub(crate) fn heap_bytes(&self) -> usize {
        match &self.owner {
            Owner::Heap(v) => v.capacity() * std::mem::size_of::<T>(),
            Owner::Shared(_) => 0,
        }
    }
}

impl<T: Pod> Deref for Buf<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        if self.good.load(Ordering::Relaxed) {
            return self.raw();
        }
        self.checked()
    }
}

impl<T: Pod> Clone for Buf<T> {
    fn clone(&self) -> Self {
        match &self.owner {
            Owner::Heap(v) => Buf::heap(v.clone()),
            Owner::Shared(o) => Buf {
                ptr: self.ptr,
                len: self.len,
                good: AtomicBool::new(self.good.load(Ordering::Relaxed)),
                owner: Owner::Shared(o.clone()),
                check: self.check.clone(),
            },
        }
    }
}

impl<T: Pod> Default for Buf<T> {
    fn default() -> Self {
        Buf::heap(Vec::new())
    }
}

impl<T: Pod> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf::heap(v)
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for Buf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Pod + PartialEq> PartialEq for Buf<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Pod + Eq> Eq for Buf<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_reads_in_place_and_copies_on_write() {
        let mut raw = Vec::new();
        for x in [1u32, 2, 3, 4] {
            raw.extend_from_slice(&x.to_le_bytes());
        }
        let owner: Arc<dyn SegmentBytes> = Arc::new(HeapBytes::new(&raw));
        let mut b: Buf<u32> = Buf::shared(&owner, 4, 2, None).unwrap();
        assert_eq!(&*b, &[2, 3]);
        assert_eq!(b.heap_bytes(), 0);
        b.update(|v| v.push(9));
        assert_eq!(&*b, &[2, 3, 9]);
        assert!(b.heap_bytes() >= 12);
        // Out of bounds and misaligned ranges are refused, not read.
        assert!(Buf::<u32>::shared(&owner, 12, 2, None).is_none());
        assert!(Buf::<u32>::shared(&owner, 2, 1, None).is_none());
        assert!(Buf::<u32>::shared(&owner, u64::MAX, 2, None).is_none());
    }

    #[test]
    fn checked_arrays_verify_once_and_read_empty_when_damaged() {
        use super::super::check::{ArrayName, ArrayPart, DamageLog, SegmentInfo};
        let mut raw = Vec::new();
        for x in [1u32, 2, 3, 4] {
            raw.extend_from_slice(&x.to_le_bytes());
        }
        let owner: Arc<dyn SegmentBytes> = Arc::new(HeapBytes::new(&raw));
        let log = Arc::new(DamageLog::default());
        let seg = Arc::new(SegmentInfo {
            name: "s".into(),
            damage: log.clone(),
        });
        let part = ArrayPart {
            chunk: 0,
            name: ArrayName::LabelData,
        };
        let good_crc = crc32fast::hash(&raw[4..12]);
        let check = |crc| Some(ArrayCheck::new(crc, part, seg.clone()));
        let mark = log.mark();
        let good: Buf<u32> = Buf::shared(&owner, 4, 2, check(good_crc)).unwrap();
        assert_eq!(&*good, &[2, 3]);
        assert!(log.since(mark).is_ok());
        let bad: Buf<u32> = Buf::shared(&owner, 4, 2, check(good_crc ^ 1)).unwrap();
        assert_eq!(bad.stored_len(), 2);
        assert!(log.since(mark).is_ok(), "nothing read yet");
        assert!(bad.is_empty());
        assert!(log.since(mark).is_err());
        // A damaged array is never marked good: it reads empty again.
        assert!(bad.is_empty(), "damaged on the second read too");
        assert!(!bad.good.load(Ordering::Relaxed));
        // A good one is marked after its first read, and so are copies.
        assert!(good.good.load(Ordering::Relaxed));
        assert_eq!(&*good.clone(), &[2, 3]);
        // A copy for writing starts from what was read: nothing.
        let mut copy = bad.clone();
        copy.update(|v| v.push(7));
        assert_eq!(&*copy, &[7]);
    }
}
