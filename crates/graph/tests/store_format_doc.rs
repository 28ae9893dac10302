//! docs/storage-format.md is a specification: this test reads a database
//! with a hand-written decoder that follows only that document (frames,
//! varints, zigzag, record layouts), not the crate's own decoding.

use std::sync::Arc;

use relgraph_graph::kv::{KvStore, MemoryKv};
use relgraph_graph::store::format::{u64_key, LOG, META, NODES, RELS};
use relgraph_graph::store::{CheckpointPolicy, OpenOptions};
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
    fn props(&mut self) -> Vec<(u64, Value)> {
        let n = self.varint();
        (0..n).map(|_| (self.varint(), self.value())).collect()
    }
    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
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
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKv::new());
    let g = Graph::open_backend(kv.clone(), &OpenOptions::default()).unwrap();
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

    // meta
    assert_eq!(
        kv.get(META, b"magic").unwrap().unwrap(),
        b"relgraph graph database\n"
    );
    assert_eq!(
        kv.get(META, b"format_version").unwrap().unwrap(),
        1u32.to_be_bytes()
    );
    let base = kv.get(META, b"base").unwrap().unwrap();
    let mut r = Reader {
        bytes: body(&base),
        pos: 0,
    };
    let header: Vec<u64> = (0..5).map(|_| r.varint()).collect();
    assert!(r.done());
    let version = header[0];
    assert_eq!(header[1..], [2, 1, 1024, 4096], "next ids and block sizes");

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

    // node block 0
    let block = kv.get(NODES, &u64_key(0)).unwrap().unwrap();
    let mut r = Reader {
        bytes: body(&block),
        pos: 0,
    };
    assert_eq!(r.varint(), 2, "two records");
    assert_eq!(r.varint(), 0, "id");
    assert_eq!(r.varint(), 1, "one label");
    assert_eq!(r.varint(), 0, "Person");
    let props = r.props();
    assert_eq!(
        props,
        vec![
            (0, Value::from("Ada")),
            (1, Value::Int(-300)),
            (2, Value::Float(2.5)),
            (3, Value::from(vec!["a", "b"])),
        ]
    );
    assert_eq!(
        (r.varint(), r.varint(), r.varint()),
        (1, 1, 1),
        "id 1, one label: Company"
    );
    assert_eq!(r.props(), vec![(4, Value::Int(70_000))]);
    assert!(r.done());

    // relationship block 0
    let block = kv.get(RELS, &u64_key(0)).unwrap().unwrap();
    let mut r = Reader {
        bytes: body(&block),
        pos: 0,
    };
    assert_eq!(r.varint(), 1);
    let fields: Vec<u64> = (0..4).map(|_| r.varint()).collect();
    assert_eq!(fields, vec![0, 0, 0, 1], "id, type, src, dst");
    assert_eq!(r.props(), vec![(5, Value::Int(2020))]);
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
