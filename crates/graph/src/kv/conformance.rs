//! The shared test suite every [`KvStore`] backend must pass.
//!
//! It lives in the library (not under `tests/`) so that a new backend, in
//! this crate or outside it, runs exactly the same checks:
//!
//! ```
//! use relgraph_graph::kv::{conformance, MemoryKv};
//! conformance::check_backend(&MemoryKv::new());
//! ```
//!
//! Each check panics with a message naming the broken rule; it is test
//! support, never called by the store itself.

use std::ops::Bound;

use super::{KvStore, WriteBatch};
use crate::store::Durability;

/// Runs every check against `kv`, which must be empty.
pub fn check_backend(kv: &dyn KvStore) {
    empty_store_reads_empty(kv);
    put_get_delete(kv);
    later_op_in_batch_wins(kv);
    keys_sort_as_unsigned_bytes(kv);
    range_bounds(kv);
    prefix_scans(kv);
    batch_spans_trees(kv);
    large_values(kv);
    empty_batch_is_noop(kv);
    sync_succeeds(kv);
    rewrite_keeps_live_pairs(kv);
}

fn put(kv: &dyn KvStore, tree: &str, pairs: &[(&[u8], &[u8])], durability: Durability) {
    let mut b = WriteBatch::new();
    for (k, v) in pairs {
        b.put(tree, k.to_vec(), v.to_vec());
    }
    kv.commit(b, durability)
        .expect("commit of a plain batch succeeds");
}

fn keys(kv: &dyn KvStore, tree: &str, start: Bound<&[u8]>, end: Bound<&[u8]>) -> Vec<Vec<u8>> {
    kv.range(tree, start, end)
        .expect("range scan succeeds")
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

fn empty_store_reads_empty(kv: &dyn KvStore) {
    assert!(
        kv.tree_names().expect("tree_names").is_empty(),
        "a new store has no trees"
    );
    assert_eq!(
        kv.get("t0", b"missing").expect("get"),
        None,
        "missing key reads None"
    );
    assert!(
        kv.scan_prefix("t0", b"").expect("scan").is_empty(),
        "missing tree scans empty"
    );
    assert!(
        kv.tree_names().expect("tree_names").is_empty(),
        "reading a tree must not create it"
    );
}

fn put_get_delete(kv: &dyn KvStore) {
    put(kv, "t1", &[(b"a", b"1"), (b"b", b"2")], Durability::Durable);
    assert_eq!(kv.get("t1", b"a").expect("get"), Some(b"1".to_vec()));
    put(kv, "t1", &[(b"a", b"one")], Durability::Relaxed);
    assert_eq!(
        kv.get("t1", b"a").expect("get"),
        Some(b"one".to_vec()),
        "overwrite"
    );
    let mut b = WriteBatch::new();
    b.delete("t1", b"a".to_vec());
    b.delete("t1", b"never-there".to_vec());
    kv.commit(b, Durability::Durable).expect("delete commit");
    assert_eq!(
        kv.get("t1", b"a").expect("get"),
        None,
        "deleted key is gone"
    );
    assert_eq!(
        kv.get("t1", b"b").expect("get"),
        Some(b"2".to_vec()),
        "other key stays"
    );
    assert!(kv.tree_names().expect("names").contains(&"t1".to_string()));
    assert_eq!(
        kv.get("other", b"b").expect("get"),
        None,
        "trees are separate namespaces"
    );
}

fn later_op_in_batch_wins(kv: &dyn KvStore) {
    let mut b = WriteBatch::new();
    b.put("t2", b"k".to_vec(), b"first".to_vec());
    b.put("t2", b"k".to_vec(), b"second".to_vec());
    b.put("t2", b"gone".to_vec(), b"x".to_vec());
    b.delete("t2", b"gone".to_vec());
    kv.commit(b, Durability::Relaxed).expect("commit");
    assert_eq!(kv.get("t2", b"k").expect("get"), Some(b"second".to_vec()));
    assert_eq!(kv.get("t2", b"gone").expect("get"), None);
}

fn keys_sort_as_unsigned_bytes(kv: &dyn KvStore) {
    let ks: [&[u8]; 8] = [
        b"b",
        b"a\x00",
        &[0xff],
        &[0x80, 0],
        b"a",
        b"",
        &[0x7f, 0xff],
        b"ab",
    ];
    let pairs: Vec<(&[u8], &[u8])> = ks.iter().map(|k| (*k, &b"v"[..])).collect();
    put(kv, "t3", &pairs, Durability::Relaxed);
    let mut expected: Vec<Vec<u8>> = ks.iter().map(|k| k.to_vec()).collect();
    expected.sort();
    assert_eq!(
        keys(kv, "t3", Bound::Unbounded, Bound::Unbounded),
        expected,
        "byte order"
    );
    // Big-endian integers sort numerically.
    let nums = [300u64, 1, u64::MAX, 256, 0, 255];
    let mut b = WriteBatch::new();
    for n in nums {
        b.put("t3n", n.to_be_bytes().to_vec(), n.to_le_bytes().to_vec());
    }
    kv.commit(b, Durability::Relaxed).expect("commit");
    let got: Vec<u64> = keys(kv, "t3n", Bound::Unbounded, Bound::Unbounded)
        .iter()
        .map(|k| u64::from_be_bytes(k.as_slice().try_into().expect("8-byte key")))
        .collect();
    assert_eq!(got, vec![0, 1, 255, 256, 300, u64::MAX]);
}

fn range_bounds(kv: &dyn KvStore) {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0u8..10).map(|i| (vec![i], vec![i])).collect();
    let refs: Vec<(&[u8], &[u8])> = pairs
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_slice()))
        .collect();
    put(kv, "t4", &refs, Durability::Relaxed);
    let k = |v: &[u8]| v.to_vec();
    let three: &[u8] = &[3];
    let six: &[u8] = &[6];
    assert_eq!(
        keys(kv, "t4", Bound::Included(three), Bound::Excluded(six)),
        vec![k(&[3]), k(&[4]), k(&[5])]
    );
    assert_eq!(
        keys(kv, "t4", Bound::Excluded(three), Bound::Included(six)),
        vec![k(&[4]), k(&[5]), k(&[6])]
    );
    assert_eq!(
        keys(kv, "t4", Bound::Unbounded, Bound::Excluded(&[1][..])),
        vec![k(&[0])]
    );
    assert_eq!(
        keys(kv, "t4", Bound::Excluded(&[8][..]), Bound::Unbounded),
        vec![k(&[9])]
    );
    assert!(
        keys(kv, "t4", Bound::Included(six), Bound::Excluded(three)).is_empty(),
        "inverted bounds are empty, not an error"
    );
    assert!(keys(kv, "t4", Bound::Excluded(three), Bound::Excluded(three)).is_empty());
    assert_eq!(
        keys(kv, "t4", Bound::Included(three), Bound::Included(three)),
        vec![k(&[3])]
    );
    let values: Vec<Vec<u8>> = kv
        .range("t4", Bound::Included(&[9][..]), Bound::Unbounded)
        .expect("range")
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values, vec![vec![9]], "range returns values with keys");
}

fn prefix_scans(kv: &dyn KvStore) {
    let ks: [&[u8]; 6] = [b"p\x00", b"p\xff", b"p\xff\xff", b"pa", b"q", b"o\xff"];
    let pairs: Vec<(&[u8], &[u8])> = ks.iter().map(|k| (*k, &b"v"[..])).collect();
    put(kv, "t5", &pairs, Durability::Relaxed);
    let got: Vec<Vec<u8>> = kv
        .scan_prefix("t5", b"p")
        .expect("scan")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        got,
        vec![
            b"p\x00".to_vec(),
            b"pa".to_vec(),
            b"p\xff".to_vec(),
            b"p\xff\xff".to_vec()
        ]
    );
    let got: Vec<Vec<u8>> = kv
        .scan_prefix("t5", b"p\xff")
        .expect("scan")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        got,
        vec![b"p\xff".to_vec(), b"p\xff\xff".to_vec()],
        "prefix ending in 0xff"
    );
    assert_eq!(
        kv.scan_prefix("t5", b"").expect("scan").len(),
        ks.len(),
        "empty prefix = all"
    );
}

fn batch_spans_trees(kv: &dyn KvStore) {
    let mut b = WriteBatch::new();
    for i in 0u32..50 {
        b.put("t6a", i.to_be_bytes().to_vec(), vec![1]);
        b.put("t6b", i.to_be_bytes().to_vec(), vec![2]);
    }
    b.delete("t1", b"b".to_vec());
    kv.commit(b, Durability::Durable)
        .expect("multi-tree commit");
    assert_eq!(kv.scan_prefix("t6a", b"").expect("scan").len(), 50);
    assert_eq!(kv.scan_prefix("t6b", b"").expect("scan").len(), 50);
    assert_eq!(
        kv.get("t1", b"b").expect("get"),
        None,
        "delete in a multi-tree batch"
    );
}

fn large_values(kv: &dyn KvStore) {
    // Larger than sled's inline limit, so sled stores it as a blob file.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut b = WriteBatch::new();
    b.put("t7", b"big".to_vec(), big.clone());
    b.put("t7", b"small".to_vec(), vec![7]);
    kv.commit(b, Durability::Durable)
        .expect("commit of a large value");
    assert_eq!(
        kv.get("t7", b"big").expect("get").as_deref(),
        Some(big.as_slice())
    );
    let mut b = WriteBatch::new();
    b.delete("t7", b"big".to_vec());
    kv.commit(b, Durability::Durable)
        .expect("delete of a large value");
    assert_eq!(kv.get("t7", b"big").expect("get"), None);
    assert_eq!(kv.get("t7", b"small").expect("get"), Some(vec![7]));
}

fn empty_batch_is_noop(kv: &dyn KvStore) {
    let before = kv.tree_names().expect("names");
    kv.commit(WriteBatch::new(), Durability::Durable)
        .expect("empty commit");
    assert_eq!(kv.tree_names().expect("names"), before);
}

fn sync_succeeds(kv: &dyn KvStore) {
    kv.sync().expect("sync");
}

fn rewrite_keeps_live_pairs(kv: &dyn KvStore) {
    put(
        kv,
        "rw_a",
        &[(b"1", b"one"), (b"2", b"two")],
        Durability::Durable,
    );
    put(kv, "rw_b", &[(b"x", b"ex")], Durability::Relaxed);
    let before: Vec<Vec<KvPairOwned>> = kv
        .tree_names()
        .expect("tree names")
        .iter()
        .map(|t| {
            kv.range(t, Bound::Unbounded, Bound::Unbounded)
                .expect("range scan succeeds")
        })
        .collect();
    let mut b = WriteBatch::new();
    b.delete("rw_a", b"2".to_vec());
    b.put("rw_b", b"y".to_vec(), b"why".to_vec());
    kv.rewrite(b).expect("rewrite succeeds");
    assert_eq!(kv.get("rw_a", b"1").unwrap(), Some(b"one".to_vec()));
    assert_eq!(kv.get("rw_a", b"2").unwrap(), None);
    assert_eq!(kv.get("rw_b", b"y").unwrap(), Some(b"why".to_vec()));
    assert_eq!(
        before.iter().map(Vec::len).sum::<usize>(),
        kv.tree_names()
            .unwrap()
            .iter()
            .map(|t| kv
                .range(t, Bound::Unbounded, Bound::Unbounded)
                .unwrap()
                .len())
            .sum::<usize>(),
        "a rewrite keeps every other pair"
    );
    // The store stays writable.
    put(kv, "rw_a", &[(b"3", b"three")], Durability::Durable);
    assert_eq!(kv.get("rw_a", b"3").unwrap(), Some(b"three".to_vec()));
}

type KvPairOwned = (Vec<u8>, Vec<u8>);
