//! docs/storage-format.md is a specification: this test reads a database
//! with a hand-written decoder that follows only that document (frames,
//! varints, zigzag, manifest, segment trailer, footer and arrays), not the
//! crate's own decoding.

use relgraph_graph::kv::{KvStore, SledKv};
use relgraph_graph::store::format::{u64_key, LOG, META};
use relgraph_graph::store::CheckpointPolicy;
use relgraph_graph::{Graph, Value};

/// A cursor over a bincode body, per the document.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.pos];
        self.pos += 1;
        b
    }
    fn le(&mut self, n: usize) -> u64 {
        let mut v = 0u64;
        for i in 0..n {
            v |= (self.byte() as u64) << (8 * i);
        }
        v
    }
    /// "an unsigned value below 251 is one byte; otherwise a marker byte
    /// 251, 252 or 253 is followed by the value as u16, u32 or u64".
    fn varint(&mut self) -> u64 {
        match self.byte() {
            b @ 0..=250 => b as u64,
            251 => self.le(2),
            252 => self.le(4),
            253 => self.le(8),
            m => panic!("unexpected varint marker {m}"),
        }
    }
    /// Zigzag: 0, -1, 1, -2 ... -> 0, 1, 2, 3 ...
    fn signed(&mut self) -> i64 {
        let u = self.varint();
        ((u >> 1) as i64) ^ -((u & 1) as i64)
    }
    fn string(&mut self) -> String {
        let n = self.varint() as usize;
        let s = String::from_utf8(self.bytes[self.pos..self.pos + n].to_vec()).unwrap();
        self.pos += n;
        s
    }
    fn value(&mut self) -> Value {
        match self.varint() {
            0 => Value::Null,
            1 => Value::Bool(self.byte() == 1),
            2 => Value::Int(self.signed()),
            3 => Value::Float(f64::from_bits(self.le(8))),
            4 => Value::from(self.string()),
            5 => {
                let n = self.varint();
                Value::List((0..n).map(|_| self.value()).collect())
            }
            v => panic!("variant {v} not needed by this test"),
        }
    }
    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
    /// `Arr { off, len, crc }`.
    fn arr(&mut self) -> (usize, usize, u32) {
        (
            self.varint() as usize,
            self.varint() as usize,
            self.varint() as u32,
        )
    }
}

/// The bytes of an array of `width`-byte elements, checked against the
/// array's own CRC-32.
fn array_bytes(file: &[u8], (off, len, crc): (usize, usize, u32), width: usize) -> &[u8] {
    assert_eq!(off % 8, 0, "arrays are 8-aligned");
    let bytes = &file[off..off + len * width];
    assert_eq!(crc32fast::hash(bytes), crc, "the array's checksum");
    bytes
}

/// Little-endian fixed-width elements of an array in a segment file.
fn array(file: &[u8], (off, len, crc): (usize, usize, u32), width: usize) -> Vec<u64> {
    array_bytes(file, (off, len, crc), width);
    (0..len)
        .map(|i| {
            let mut v = 0u64;
            for b in 0..width {
                v |= (file[off + i * width + b] as u64) << (8 * b);
            }
            v
        })
        .collect()
}

/// "codec byte 1, CRC-32 (IEEE) of the body big-endian, body".
fn body(frame: &[u8]) -> &[u8] {
    assert_eq!(frame[0], 1, "codec");
    let crc = u32::from_be_bytes([frame[1], frame[2], frame[3], frame[4]]);
    assert_eq!(crc, crc32fast::hash(&frame[5..]), "checksum");
    &frame[5..]
}

#[test]
fn a_reader_written_from_the_document_decodes_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let g = Graph::open(&path).unwrap();
    g.set_checkpoint_policy(CheckpointPolicy {
        checkpoint_at_close: false,
        ..CheckpointPolicy::default()
    })
    .unwrap();
    let mut tx = g.begin_write().unwrap();
    let ada = tx
        .create_node(
            &["Person"],
            vec![
                ("name", Value::from("Ada")),
                ("age", Value::Int(-300)),
                ("score", Value::Float(2.5)),
                ("tags", Value::from(vec!["a", "b"])),
            ],
        )
        .unwrap();
    let acme = tx
        .create_node(&["Company"], vec![("id", Value::Int(70_000))])
        .unwrap();
    tx.create_rel(ada, "WORKS_AT", acme, vec![("since", Value::Int(2020))])
        .unwrap();
    tx.commit().unwrap();
    g.checkpoint().unwrap();
    let mut tx = g.begin_write().unwrap();
    tx.set_node_property(acme, "id", Value::Int(1)).unwrap();
    tx.commit().unwrap();
    g.close().unwrap();
    let kv = SledKv::open(&path, false).unwrap();

    // meta
    assert_eq!(
        kv.get(META, b"magic").unwrap().unwrap(),
        b"relgraph graph database\n"
    );
    assert_eq!(
        kv.get(META, b"format_version").unwrap().unwrap(),
        6u32.to_be_bytes()
    );
    let manifest = kv.get(META, b"manifest").unwrap().unwrap();
    let mut r = Reader {
        bytes: body(&manifest),
        pos: 0,
    };
    let counts: Vec<u64> = (0..5).map(|_| r.varint()).collect();
    let version = counts[0];
    assert_eq!(counts[1..], [2, 1, 2, 1], "next ids, live counts");
    let label_counts: Vec<u64> = (0..r.varint()).map(|_| r.varint()).collect();
    assert_eq!(label_counts, vec![1, 1], "one Person, one Company");
    let type_counts: Vec<u64> = (0..r.varint()).map(|_| r.varint()).collect();
    assert_eq!(type_counts, vec![1]);
    assert_eq!(r.varint(), 1, "one segment");
    let (seg_id, seg_len) = (r.varint(), r.varint());
    let data_crc = r.varint() as u32;
    assert_eq!(r.varint(), seg_id + 1, "next segment id");
    assert!(r.done());

    // catalog: three name lists first.
    let cat = kv.get(META, b"catalog").unwrap().unwrap();
    let mut r = Reader {
        bytes: body(&cat),
        pos: 0,
    };
    let mut lists = Vec::new();
    for _ in 0..3 {
        let n = r.varint();
        lists.push((0..n).map(|_| r.string()).collect::<Vec<_>>());
    }
    assert_eq!(lists[0], vec!["Person", "Company"]);
    assert_eq!(lists[1], vec!["WORKS_AT"]);
    assert_eq!(
        lists[2],
        vec!["name", "age", "score", "tags", "id", "since"]
    );
    // then indexes, constraints and property types (none here), and
    // (format 3) the policies: no roles.
    for what in ["indexes", "constraints", "property types", "roles"] {
        assert_eq!(r.varint(), 0, "{what}");
    }
    assert!(r.done());

    // the segment: trailer, footer, arrays
    let file = std::fs::read(path.join("segments").join(format!("seg-{seg_id:08}.rgs"))).unwrap();
    assert_eq!(file.len() as u64, seg_len);
    let t = &file[file.len() - 28..];
    assert_eq!(&t[20..], b"RGSEG4\0\0");
    let footer_off = u64::from_le_bytes(t[0..8].try_into().unwrap()) as usize;
    let footer_len = u64::from_le_bytes(t[8..16].try_into().unwrap()) as usize;
    assert_eq!(u32::from_le_bytes(t[16..20].try_into().unwrap()), data_crc);
    assert_eq!(crc32fast::hash(&file[..footer_off]), data_crc);
    assert_eq!(footer_off + footer_len, file.len() - 28);
    let mut r = Reader {
        bytes: body(&file[footer_off..footer_off + footer_len]),
        pos: 0,
    };
    assert_eq!(r.varint(), 1, "one node chunk");
    assert_eq!(r.varint(), 0, "chunk 0");
    let alive = array(&file, r.arr(), 8);
    assert_eq!(alive[0] & 0b11, 0b11, "nodes 0 and 1 live");
    let label_offsets = array(&file, r.arr(), 4);
    let label_data = array(&file, r.arr(), 4);
    assert_eq!(label_offsets, vec![0, 1, 2]);
    assert_eq!(label_data, vec![0, 1], "Person, Company");
    let n_bits = r.varint();
    for l in 0..n_bits {
        assert_eq!(r.varint(), l);
        assert_eq!(array(&file, r.arr(), 8)[0], 1 << l);
    }
    assert_eq!(r.varint(), 5, "five property columns");
    // name: one distinct string among one entry is `Text` (index 5)
    assert_eq!((r.varint(), r.varint()), (0, 5), "key 0: Text");
    let present = array(&file, r.arr(), 8);
    let offsets = array(&file, r.arr(), 4);
    let name = r.arr();
    assert_eq!((present[0], offsets.clone()), (1, vec![0, 3]));
    assert_eq!(array_bytes(&file, name, 1), b"Ada");
    // -300 fits in 2 bytes: `Narrow` (index 7): presence, values, the
    // width byte, then what the values are (`Int`, variant 0).
    assert_eq!((r.varint(), r.varint()), (1, 7), "key 1: Narrow");
    assert_eq!(array(&file, r.arr(), 8)[0], 1);
    let values = r.arr();
    assert_eq!((r.byte(), r.varint()), (2, 0), "width, Int");
    assert_eq!(array(&file, values, 2)[0] as u16 as i16, -300);
    // 2.5 is 25 / 10^1: `Narrow` of `Decimal(1)` (variant 2, digits).
    assert_eq!((r.varint(), r.varint()), (2, 7), "key 2: Narrow");
    assert_eq!(array(&file, r.arr(), 8)[0], 1);
    let values = r.arr();
    assert_eq!(
        (r.byte(), r.varint(), r.byte()),
        (1, 2, 1),
        "width, Decimal, digits"
    );
    assert_eq!(array(&file, values, 1)[0], 25);
    assert_eq!((r.varint(), r.varint()), (3, 6), "key 3: Encoded");
    let offsets = array(&file, r.arr(), 4);
    let encoded = r.arr();
    let mut v = Reader {
        bytes: &array_bytes(&file, encoded, 1)[..offsets[1] as usize],
        pos: 0,
    };
    assert_eq!(v.value(), Value::from(vec!["a", "b"]));
    assert_eq!((r.varint(), r.varint()), (4, 7), "key 4: Narrow");
    assert_eq!(array(&file, r.arr(), 8)[0], 0b10);
    let values = r.arr();
    assert_eq!((r.byte(), r.varint()), (4, 0), "width, Int");
    assert_eq!(array(&file, values, 4), vec![0, 70_000]);
    assert_eq!(r.varint(), 2, "two adjacency lists");
    for (dir, local, other) in [(0u64, 0usize, 1u64), (1, 1, 0)] {
        assert_eq!((r.varint(), r.byte() as u64), (0, dir), "WORKS_AT");
        let offs = array(&file, r.arr(), 4);
        // "U32" (variant 1): both ids of every entry fit in 4 bytes.
        assert_eq!(r.varint(), 1, "entries of two u32");
        let (e_off, e_len, e_crc) = r.arr();
        let entries = array(&file, (e_off, 2 * e_len, e_crc), 4);
        let (a, b) = (offs[local] as usize, offs[local + 1] as usize);
        assert_eq!(b - a, 1);
        assert_eq!(&entries[2 * a..2 * a + 2], &[other, 0], "neighbour, rel");
    }
    assert_eq!(r.varint(), 1, "one relationship chunk");
    assert_eq!(r.varint(), 0);
    assert_eq!(array(&file, r.arr(), 8)[0], 1, "rel 0 live");
    // One type for the chunk: `All` (variant 1) and the type id.
    assert_eq!((r.varint(), r.varint()), (1, 0), "type");
    // Ends packed (variant 2): base, bits per id, count, then the words;
    // one relationship is its base alone (0 bits, no words).
    for (what, end) in [("src", 0), ("dst", 1)] {
        assert_eq!(r.varint(), 2, "{what}: packed");
        assert_eq!((r.varint(), r.byte(), r.varint()), (end, 0, 1), "{what}");
        assert!(array(&file, r.arr(), 8).is_empty(), "{what}: no words");
    }
    assert_eq!(r.varint(), 1);
    assert_eq!((r.varint(), r.varint()), (5, 7), "since: Narrow");
    assert_eq!(array(&file, r.arr(), 8)[0], 1);
    let values = r.arr();
    assert_eq!((r.byte(), r.varint()), (2, 0), "width, Int");
    assert_eq!(array(&file, values, 2), vec![2020]);
    assert!(r.done());

    // the log record of the second transaction
    let log = kv.scan_prefix(LOG, b"").unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        log[0].0,
        u64_key(version + 1),
        "keyed by the commit version"
    );
    let mut r = Reader {
        bytes: body(&log[0].1),
        pos: 0,
    };
    assert_eq!(r.varint(), version + 1, "first_version");
    assert_eq!(r.varint(), 1, "one change set");
    assert_eq!(r.byte(), 0, "no catalog");
    assert_eq!(r.varint(), 1, "one change");
    assert_eq!(r.varint(), 4, "SetNodeProp");
    assert_eq!((r.varint(), r.varint()), (1, 4), "node 1, key id");
    assert_eq!(r.value(), Value::Int(1));
    assert!(r.done());
}
