//! The on-disk format: tree names, key encodings, framed values and the
//! records they hold. docs/storage-format.md describes the same bytes for
//! readers who do not have this source.
//!
//! Keys are fixed-width big-endian integers (they sort numerically as
//! bytes) or ASCII names; never bincode, which does not preserve order.
//! Values are *framed*: one codec byte, a CRC-32 of the body, then the body
//! (bincode 2, standard configuration, through serde). Every decoding
//! failure is a [`GraphError::Corrupt`] naming the tree and key.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::change::ChangeSet;
use crate::error::{GraphError, Result};

/// The bytes stored under `meta`/`magic`.
pub const MAGIC: &[u8] = b"relgraph graph database\n";
/// The format version this build reads and writes (`meta`/`format_version`, u32 big-endian).
/// Version 1 kept the base image as record blocks in sled (trees `nodes`
/// and `rels`, header under `meta`/`base`); this build upgrades such a
/// database to segments when it opens it.
pub const FORMAT_VERSION: u32 = 6;
/// Format 5: as 6, but every segment is `RGSEG3`: adjacency entries and
/// relationship ends 64 bits wide, a type per relationship. Upgraded to 6
/// at open by writing the version alone: this build reads `RGSEG3`
/// segments in place, and checkpoints write `RGSEG4` ones.
pub const FORMAT_VERSION_HOLES: u32 = 5;
/// Format 4: as 5, but an adjacency list never ends in holes (the top bit
/// of an adjacency offset is never set: erasure then left the entities'
/// ids in the segments). Upgraded to 5 at open by writing the version
/// alone: every format 4 file is a format 5 file.
pub const FORMAT_VERSION_CHECKSUMS: u32 = 4;
/// Format 3: as 4, but segment files are `RGSEG2` (no checksum per
/// array); upgraded to 4 at open by rewriting the base image into one
/// `RGSEG3` segment after verifying the old files whole.
pub const FORMAT_VERSION_CATALOG: u32 = 3;
/// Format 2: segments, with the catalog's older layout (no policies);
/// upgraded to 3 at open by rewriting the catalog and the log records.
pub const FORMAT_VERSION_SEGMENTS: u32 = 2;
/// The oldest format this build still reads (and upgrades at open).
pub const FORMAT_VERSION_BLOCKS: u32 = 1;

/// Tree holding the magic, the format version, the catalog and the manifest.
pub const META: &str = "meta";
/// Format 1 only: tree holding blocks of node records, keyed by block number.
pub const NODES: &str = "nodes";
/// Format 1 only: tree holding blocks of relationship records.
pub const RELS: &str = "rels";
/// Tree holding the delta log, keyed by commit version.
pub const LOG: &str = "log";
/// Tree holding standing-query registrations ([`StandingRecord`]), keyed
/// by the registration's name in UTF-8. Optional: a database that never
/// registered one has no such tree, and older builds ignore it.
pub const STANDING: &str = "standing";
/// Tree holding standing-query cursors ([`StandingCursor`]), keyed like
/// `standing`. Optional, like `standing`.
pub const STANDING_CURSORS: &str = "standing_cursors";

/// `meta` key of the magic bytes.
pub const KEY_MAGIC: &[u8] = b"magic";
/// `meta` key of the format version.
pub const KEY_FORMAT_VERSION: &[u8] = b"format_version";
/// `meta` key of the catalog as of the base image.
pub const KEY_CATALOG: &[u8] = b"catalog";
/// Format 1 only: `meta` key of the [`BaseHeader`].
pub const KEY_BASE: &[u8] = b"base";
/// `meta` key of the [`Manifest`].
pub const KEY_MANIFEST: &[u8] = b"manifest";
/// `meta` key of the last committed version (u64 big-endian), written in
/// the same batch as every log record, so that a log missing its newest
/// records is detected at open instead of silently losing commits.
pub const KEY_LAST_VERSION: &[u8] = b"last_version";
/// `meta` key of the planner's statistics of the base image
/// ([`StoredStats`]), written at bulk creation and by every checkpoint.
/// Older databases lack it; a snapshot then computes its statistics on
/// first use, as before. (Until statistics carried a revision they were
/// stored under `stats`, in a layout binaries of that time read strictly:
/// the new key leaves those binaries a database they can open.)
pub const KEY_STATS: &[u8] = b"planner_stats";
/// `meta` key the statistics were stored under before [`KEY_STATS`]:
/// deleted whenever statistics are written (they sample property values,
/// so an erasure must not leave an old copy behind).
pub const KEY_STATS_LEGACY: &[u8] = b"stats";
/// `meta` key of the pending erasure, if any: an [`ErasureIntent`].
pub const KEY_ERASURE: &[u8] = b"erasure";

/// The planner's statistics as stored, with the version of the base image
/// they were computed from: they are installed at open only when that is
/// still the manifest's version.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredStats {
    /// The base image's version when computed.
    pub version: u64,
    /// The statistics.
    pub stats: crate::snapshot::stats::GraphStats,
    /// How they were sampled ([`crate::snapshot::stats::STATS_REVISION`]):
    /// statistics of another revision (or that do not decode as this one,
    /// written before the field existed) are not installed.
    pub revision: u32,
}

/// Names the segment files that hold the base image and the figures a
/// snapshot needs beside them. Stored framed under `meta`/`manifest`;
/// replaced in the same batch that deletes the log records a checkpoint
/// folded, so the base image and the log always agree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Version, id bounds and counts of the base image.
    pub counts: crate::snapshot::SnapshotCounts,
    /// The segments, oldest first: a later one replaces the chunks it holds.
    pub segments: Vec<SegmentEntry>,
    /// The id the next segment file takes.
    pub next_segment: u64,
}

/// One segment file named by the manifest (`segments/seg-{id:08}.rgs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentEntry {
    /// File id.
    pub id: u64,
    /// Length in bytes.
    pub len: u64,
    /// CRC-32 of the file's data region (also in its trailer).
    pub data_crc: u32,
}

impl SegmentEntry {
    /// The file name of segment `id`.
    ///
    /// ```
    /// assert_eq!(relgraph_graph::store::format::SegmentEntry::file_name(7), "seg-00000007.rgs");
    /// ```
    pub fn file_name(id: u64) -> String {
        format!("seg-{id:08}.rgs")
    }
}

/// Node ids per node block in newly created databases.
pub const DEFAULT_NODE_BLOCK: u64 = 1024;
/// Relationship ids per relationship block in newly created databases.
pub const DEFAULT_REL_BLOCK: u64 = 4096;

/// Codec byte: bincode 2 (standard configuration) through serde, uncompressed.
const CODEC_BINCODE: u8 = 1;
/// Codec byte + CRC-32.
const FRAME_HEADER: usize = 5;
/// Decoding refuses to claim more memory than this for one value (a guard
/// against corrupt length prefixes).
const DECODE_LIMIT: usize = 1 << 31;

/// Describes the base image: which commit version it reflects, id
/// allocation state, and the block geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseHeader {
    /// The commit version the base image (blocks + catalog) reflects. Log
    /// records with keys above it are replayed on top.
    pub version: u64,
    /// The next node id to allocate, as of `version`.
    pub next_node_id: u64,
    /// The next relationship id to allocate, as of `version`.
    pub next_rel_id: u64,
    /// Node ids per node block (block `b` holds ids `b*node_block .. (b+1)*node_block`).
    pub node_block: u64,
    /// Relationship ids per relationship block.
    pub rel_block: u64,
}

/// One committed transaction in the delta log: the change sets of its
/// statements in order. Stored under the version the commit produced; the
/// change sets take the versions `first_version ..= key`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    /// The version after applying the first change set.
    pub first_version: u64,
    /// The change sets, applied in order, each producing the next version.
    pub change_sets: Vec<ChangeSet>,
}

/// A log record as formats 1 and 2 lay it out (catalogs without
/// policies); read by the upgrade to format 3.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogRecordV2 {
    /// As [`LogRecord::first_version`].
    pub first_version: u64,
    /// The change sets.
    pub change_sets: Vec<ChangeSetV2>,
}

/// A change set as formats 1 and 2 lay it out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangeSetV2 {
    /// The catalog, in its older layout.
    pub catalog: Option<crate::catalog::CatalogV2>,
    /// The changes (unchanged layout).
    pub changes: Vec<crate::change::Change>,
}

impl From<LogRecordV2> for LogRecord {
    fn from(r: LogRecordV2) -> LogRecord {
        LogRecord {
            first_version: r.first_version,
            change_sets: r
                .change_sets
                .into_iter()
                .map(|cs| ChangeSet {
                    catalog: cs.catalog.map(|c| crate::change::CatalogSnapshot(c.into())),
                    changes: cs.changes,
                })
                .collect(),
        }
    }
}

/// A registered standing query as stored under `standing`/`<name>`: the
/// query text and parameters exactly as registered. The graph crate stores
/// it and knows nothing of its language; the facade re-registers it at open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StandingRecord {
    /// The query text.
    pub query: String,
    /// Its parameters, sorted by name.
    pub params: Vec<(String, crate::value::Value)>,
    /// True when notifications also carry the rows that left the answer.
    pub both: bool,
}

/// The acknowledged state of a durable standing query, stored under
/// `standing_cursors`/`<name>`: the commit version its subscriber
/// acknowledged and the answer as of that version, as a multiset of row
/// identities (opaque strings the facade computes; the graph crate does
/// not interpret them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingCursor {
    /// The acknowledged commit version.
    pub version: u64,
    /// `(row identity, how many times the row is in the answer)`, sorted.
    pub rows: Vec<(String, u64)>,
}

/// An erasure that is committed (the entities are deleted) but whose
/// copies the files may still hold, stored under `meta`/`erasure` in the
/// same batch as the deleting log record. It holds ids only, never a value.
/// Every step that follows is redone at open until the key is gone
/// (docs/erasure.md).
///
/// ```
/// use relgraph_graph::store::format::{ErasureIntent, ErasureStage};
/// let i = ErasureIntent { nodes: vec![7], rels: vec![3], stage: ErasureStage::Deleted };
/// assert_eq!(i.stage, ErasureStage::Deleted);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureIntent {
    /// The erased node ids, ascending.
    pub nodes: Vec<u64>,
    /// The erased relationship ids (those of the erased nodes), ascending.
    pub rels: Vec<u64>,
    /// How far the erasure got.
    pub stage: ErasureStage,
}

/// The steps of an erasure after its delete committed, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErasureStage {
    /// Deleted; the log records that wrote the entities and the segments'
    /// chunks still hold their values.
    Deleted,
    /// These in-place redactions of segment files are planned (recorded
    /// before the first byte of a file changes).
    Scrubbing(Vec<ScrubPlan>),
    /// Segments redacted, the manifest and the redacted log records
    /// written; what remains is fresh statistics and rewriting the
    /// key-value store's own files.
    Rewriting,
    /// These in-place redactions of segment files are planned: they remove
    /// the entities themselves (liveness, labels, relationship ends,
    /// adjacency entries), not only their values, and the base image's
    /// counts become these. The log then loses every change that names
    /// an erased entity. (`Scrubbing` is what binaries of format 4
    /// recorded: values only, the log's changes kept.)
    ScrubbingImage(Vec<ScrubPlan>, crate::snapshot::SnapshotCounts),
}

/// The in-place redaction of one segment file: byte runs to write (zeros,
/// cleared presence bits, "absent" dictionary codes), then the new footer
/// (blanked dictionary strings) and trailer at `tail_off`, the rest of the
/// old footer zeroed, the file cut to `new_len`. Applying it twice gives
/// the same file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScrubPlan {
    /// The segment id.
    pub segment: u64,
    /// `(offset, bytes)` runs to write, ascending, inside the data region.
    pub writes: Vec<(u64, Vec<u8>)>,
    /// Where the new footer starts (the old footer's offset).
    pub tail_off: u64,
    /// The new footer frame and trailer.
    pub tail: Vec<u8>,
    /// The file's length before.
    pub old_len: u64,
    /// The file's length after (`tail_off + tail.len()`).
    pub new_len: u64,
    /// The new data checksum (the trailer's and the manifest's).
    pub new_crc: u32,
}

/// A big-endian `u64` key.
///
/// ```
/// use relgraph_graph::store::format::{u64_key, key_u64};
/// assert!(u64_key(255) < u64_key(256));
/// assert_eq!(key_u64(&u64_key(7)), Some(7));
/// ```
pub fn u64_key(n: u64) -> Vec<u8> {
    n.to_be_bytes().to_vec()
}

/// Decodes a big-endian `u64` key; `None` if it is not 8 bytes.
pub fn key_u64(key: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = key.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

/// Renders a key for error messages.
pub fn hex(key: &[u8]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// A [`GraphError::Corrupt`] for `tree`/`key`.
pub fn corrupt(tree: &str, key: &[u8], reason: impl Into<String>) -> GraphError {
    GraphError::Corrupt {
        tree: tree.to_string(),
        key: hex(key),
        reason: reason.into(),
    }
}

/// Encodes a value as a frame: codec byte, CRC-32 (big-endian) of the body, body.
///
/// ```
/// use relgraph_graph::store::format::{encode_framed, decode_framed};
/// let bytes = encode_framed(&vec![1u64, 2, 3]).unwrap();
/// let back: Vec<u64> = decode_framed("t", b"k", &bytes).unwrap();
/// assert_eq!(back, vec![1, 2, 3]);
/// ```
pub fn encode_framed<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    let mut buf = vec![CODEC_BINCODE, 0, 0, 0, 0];
    bincode::serde::encode_into_std_write(value, &mut buf, bincode::config::standard())
        .map_err(|e| GraphError::Invalid(format!("cannot encode a record: {e}")))?;
    let crc = crc32fast::hash(&buf[FRAME_HEADER..]);
    buf[1..FRAME_HEADER].copy_from_slice(&crc.to_be_bytes());
    Ok(buf)
}

/// The body of a frame whose length, codec and checksum are sound.
fn frame_body<'b>(tree: &str, key: &[u8], bytes: &'b [u8]) -> Result<&'b [u8]> {
    if bytes.len() < FRAME_HEADER {
        return Err(corrupt(
            tree,
            key,
            format!(
                "value of {} bytes is shorter than its frame header",
                bytes.len()
            ),
        ));
    }
    if bytes[0] != CODEC_BINCODE {
        return Err(corrupt(
            tree,
            key,
            format!("unknown value codec {}", bytes[0]),
        ));
    }
    let stored = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    let body = &bytes[FRAME_HEADER..];
    let actual = crc32fast::hash(body);
    if stored != actual {
        return Err(corrupt(
            tree,
            key,
            format!("checksum mismatch (stored {stored:08x}, computed {actual:08x})"),
        ));
    }
    Ok(body)
}

/// Decodes a frame written by [`encode_framed`]; any defect (short frame,
/// unknown codec, checksum mismatch, undecodable or trailing bytes) is a
/// [`GraphError::Corrupt`].
pub fn decode_framed<T: DeserializeOwned>(tree: &str, key: &[u8], bytes: &[u8]) -> Result<T> {
    decode_body(frame_body(tree, key, bytes)?).map_err(|e| corrupt(tree, key, e))
}

/// Like [`decode_framed`], but a sound frame (codec and checksum right)
/// whose body is not a `T` is `None`, not an error: for derived records
/// whose layout changed (the planner's statistics), which are computed
/// again instead.
pub fn decode_framed_if_current<T: DeserializeOwned>(
    tree: &str,
    key: &[u8],
    bytes: &[u8],
) -> Result<Option<T>> {
    Ok(decode_body(frame_body(tree, key, bytes)?).ok())
}

/// Decodes the body of a frame whose header and checksum are sound.
fn decode_body<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, String> {
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    let (value, used): (T, usize) = bincode::serde::decode_from_slice(body, config)
        .map_err(|e| format!("cannot decode: {e}"))?;
    if used != body.len() {
        return Err(format!(
            "{} trailing bytes after the record",
            body.len() - used
        ));
    }
    Ok(value)
}

/// Encodes the format version value.
pub fn encode_version(v: u32) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

/// Decodes the format version value.
pub fn decode_version(bytes: &[u8]) -> Result<u32> {
    let arr: [u8; 4] = bytes.try_into().map_err(|_| {
        corrupt(
            META,
            KEY_FORMAT_VERSION,
            format!("expected 4 bytes, found {}", bytes.len()),
        )
    })?;
    Ok(u32::from_be_bytes(arr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Change;
    use crate::ids::{LabelId, NodeId, PropKeyId};
    use crate::value::Value;

    #[test]
    fn log_record_round_trips() {
        let rec = LogRecord {
            first_version: 5,
            change_sets: vec![ChangeSet {
                catalog: None,
                changes: vec![Change::CreateNode {
                    id: NodeId(3),
                    labels: vec![LabelId(1)],
                    props: vec![
                        (PropKeyId(0), Value::from("Ada")),
                        (PropKeyId(1), Value::Float(1.5)),
                    ],
                }],
            }],
        };
        let bytes = encode_framed(&rec).unwrap();
        let back: LogRecord = decode_framed(LOG, &u64_key(5), &bytes).unwrap();
        assert_eq!(back, rec);
    }

    #[test]
    fn every_single_bit_flip_is_detected() {
        let bytes = encode_framed(&vec![String::from("hello"), String::from("world")]).unwrap();
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            let r: Result<Vec<String>> = decode_framed(NODES, b"k", &b);
            assert!(
                matches!(r, Err(GraphError::Corrupt { .. })),
                "bit {i} flip undetected"
            );
        }
    }

    #[test]
    fn truncation_and_garbage_are_corrupt_not_panics() {
        let bytes = encode_framed(&vec![1u64; 100]).unwrap();
        for len in 0..bytes.len() {
            let r: Result<Vec<u64>> = decode_framed(NODES, b"k", &bytes[..len]);
            assert!(
                matches!(r, Err(GraphError::Corrupt { .. })),
                "truncated to {len}"
            );
        }
        // A valid checksum over a hostile body: a huge length prefix.
        let mut body = vec![0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        let mut frame = vec![CODEC_BINCODE];
        frame.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
        frame.append(&mut body);
        let r: Result<Vec<String>> = decode_framed(NODES, b"k", &frame);
        assert!(matches!(r, Err(GraphError::Corrupt { .. })));
        let r: Result<String> = decode_framed(NODES, b"k", &frame);
        assert!(matches!(r, Err(GraphError::Corrupt { .. })));
    }

    #[test]
    fn version_value_must_be_four_bytes() {
        assert_eq!(
            decode_version(&encode_version(FORMAT_VERSION)).unwrap(),
            FORMAT_VERSION
        );
        assert!(matches!(
            decode_version(b"abc"),
            Err(GraphError::Corrupt { .. })
        ));
    }
}
