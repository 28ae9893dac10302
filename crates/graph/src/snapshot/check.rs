//! Lazy verification of segment data (format 4 segments, `RGSEG3`).
//!
//! Every array a segment's footer names carries the CRC-32 of its bytes.
//! Opening a segment checks only its length, trailer and footer; an array
//! is hashed the first time a snapshot reads it (see [`Buf`]'s `Deref`),
//! once per process and mapping, so a query pays for the arrays it touches
//! and nothing else is paged in. Until then a read costs one atomic load
//! and a branch.
//!
//! A mismatch is not a panic and not a wrong answer: the array reads as
//! empty (every accessor already treats a short array as "nothing there"),
//! and the read is counted in the database's [`DamageLog`]. The executor
//! takes a [`DamageMark`] when a statement starts and calls
//! [`crate::Snapshot::check_damage`] when it ends; a write (`apply`) and a
//! checkpoint do the same, so damaged bytes are never folded into a new
//! segment. The error, `GraphError::CorruptSegment`, names the file, the
//! chunk and the array.
//!
//! [`Buf`]: super::buf::Buf

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{GraphError, Result};

/// Which array of a chunk a checksum covers (for messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArrayName {
    /// A node chunk's liveness bitmap.
    NodeAlive,
    /// A node chunk's label offsets.
    LabelOffsets,
    /// A node chunk's label ids.
    LabelData,
    /// A node chunk's membership bitmap of a label id.
    LabelBits(u32),
    /// An array of a node property column: key id, which array.
    NodeProp(u32, &'static str),
    /// An adjacency list's offsets: type id, direction.
    AdjOffsets(u32, u8),
    /// An adjacency list's entries: type id, direction.
    AdjEntries(u32, u8),
    /// A relationship chunk's liveness bitmap.
    RelAlive,
    /// A relationship chunk's type ids.
    RelType,
    /// A relationship chunk's start nodes.
    RelSrc,
    /// A relationship chunk's end nodes.
    RelDst,
    /// An array of a relationship property column: key id, which array.
    RelProp(u32, &'static str),
}

impl ArrayName {
    fn is_node(&self) -> bool {
        !matches!(
            self,
            ArrayName::RelAlive
                | ArrayName::RelType
                | ArrayName::RelSrc
                | ArrayName::RelDst
                | ArrayName::RelProp(..)
        )
    }
}

/// One array of one chunk: what a damage message names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArrayPart {
    /// The chunk index.
    pub(crate) chunk: u64,
    /// The array.
    pub(crate) name: ArrayName,
}

impl fmt::Display for ArrayPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, size) = if self.name.is_node() {
            ("node", super::NODE_CHUNK)
        } else {
            ("relationship", super::REL_CHUNK)
        };
        let lo = self.chunk.saturating_mul(size);
        write!(
            f,
            "{kind} chunk {} (ids {lo}..={}): ",
            self.chunk,
            lo.saturating_add(size - 1)
        )?;
        let dir = |d: u8| if d == 0 { "outgoing" } else { "incoming" };
        match self.name {
            ArrayName::NodeAlive | ArrayName::RelAlive => write!(f, "liveness bitmap"),
            ArrayName::LabelOffsets => write!(f, "label offsets"),
            ArrayName::LabelData => write!(f, "label ids"),
            ArrayName::LabelBits(l) => write!(f, "membership bitmap of label id {l}"),
            ArrayName::NodeProp(k, a) | ArrayName::RelProp(k, a) => {
                write!(f, "property column of key id {k}, {a}")
            }
            ArrayName::AdjOffsets(t, d) => {
                write!(f, "adjacency of type id {t} {}, offsets", dir(d))
            }
            ArrayName::AdjEntries(t, d) => {
                write!(f, "adjacency of type id {t} {}, entries", dir(d))
            }
            ArrayName::RelType => write!(f, "type ids"),
            ArrayName::RelSrc => write!(f, "start nodes"),
            ArrayName::RelDst => write!(f, "end nodes"),
        }
    }
}

/// Reads of damaged segment arrays, for one database (shared by every
/// snapshot of it and every segment it maps).
#[derive(Debug, Default)]
pub struct DamageLog {
    reads: AtomicU64,
    last: Mutex<Option<(String, String)>>,
}

/// A point in a [`DamageLog`]: see [`crate::Snapshot::damage_mark`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DamageMark(u64);

impl DamageLog {
    /// The number of damaged reads so far.
    pub(crate) fn mark(&self) -> DamageMark {
        DamageMark(self.reads.load(Ordering::Acquire))
    }

    /// `Err` naming the damage if a damaged array was read since `mark`.
    pub(crate) fn since(&self, mark: DamageMark) -> Result<()> {
        if self.reads.load(Ordering::Acquire) == mark.0 {
            return Ok(());
        }
        let last = self.last.lock().map(|g| g.clone()).unwrap_or(None);
        let (file, reason) = last.unwrap_or_else(|| {
            (
                "a segment file".to_string(),
                "a damaged array was read".to_string(),
            )
        });
        Err(GraphError::CorruptSegment { file, reason })
    }

    fn record(&self, file: &str, reason: String) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((file.to_string(), reason));
        }
        self.reads.fetch_add(1, Ordering::AcqRel);
    }
}

/// The segment an [`ArrayCheck`] belongs to.
#[derive(Debug)]
pub(crate) struct SegmentInfo {
    /// The file (or segment) name, for messages.
    pub(crate) name: String,
    /// Where damaged reads are counted.
    pub(crate) damage: Arc<DamageLog>,
}

/// The checksum of one array and whether it matched, decided on first use.
#[derive(Debug)]
pub(crate) struct ArrayCheck {
    crc: u32,
    part: ArrayPart,
    seg: Arc<SegmentInfo>,
    /// The checksum the bytes have, once computed.
    actual: OnceLock<u32>,
}

impl ArrayCheck {
    pub(crate) fn new(crc: u32, part: ArrayPart, seg: Arc<SegmentInfo>) -> ArrayCheck {
        ArrayCheck {
            crc,
            part,
            seg,
            actual: OnceLock::new(),
        }
    }

    /// True once the array is known to match (the fast path).
    #[inline]
    pub(crate) fn passed(&self) -> bool {
        self.actual.get() == Some(&self.crc)
    }

    /// Computes the array's checksum with `hash` once (concurrent first
    /// readers wait for one hash); on a mismatch counts a damaged read,
    /// every time, and returns false.
    #[cold]
    pub(crate) fn verify(&self, hash: impl FnOnce() -> u32) -> bool {
        let actual = *self.actual.get_or_init(hash);
        if actual != self.crc {
            self.seg.damage.record(
                &self.seg.name,
                format!(
                    "{}: checksum {actual:08x}, the footer says {:08x}",
                    self.part, self.crc
                ),
            );
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_is_counted_and_named() {
        let log = Arc::new(DamageLog::default());
        let seg = Arc::new(SegmentInfo {
            name: "seg-00000000.rgs".into(),
            damage: log.clone(),
        });
        let part = ArrayPart {
            chunk: 2,
            name: ArrayName::AdjEntries(3, 1),
        };
        let good = ArrayCheck::new(crc32fast::hash(b"abc"), part, seg.clone());
        let mark = log.mark();
        assert!(!good.passed());
        assert!(good.verify(|| crc32fast::hash(b"abc")) && good.passed());
        assert!(log.since(mark).is_ok());
        let bad = ArrayCheck::new(crc32fast::hash(b"abc"), part, seg);
        assert!(!bad.verify(|| crc32fast::hash(b"abd")) && !bad.passed());
        let msg = log.since(mark).unwrap_err().to_string();
        assert!(msg.contains("seg-00000000.rgs"), "{msg}");
        assert!(
            msg.contains(
                "node chunk 2 (ids 8192..=12287): adjacency of type id 3 incoming, entries"
            ),
            "{msg}"
        );
        let later = log.mark();
        assert!(log.since(later).is_ok());
    }
}
