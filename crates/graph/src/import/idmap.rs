//! Maps from import ids (as written in the CSV files) to [`NodeId`]s, one
//! per id space.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::ids::NodeId;

/// A fast, non-cryptographic hasher for id keys (the FxHash mixing step).
/// Import ids come from files the user chose to load, so hash flooding is
/// not a concern worth SipHash's cost on millions of lookups.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }
    #[inline]
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n as u64);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type Build = BuildHasherDefault<IdHasher>;

/// An import id as read from a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum IdKey {
    /// With `--id-type integer`.
    Int(i64),
    /// With `--id-type string`.
    Str(Box<str>),
}

/// The ids of one id space.
#[derive(Default)]
pub(crate) struct IdMap {
    ints: HashMap<i64, NodeId, Build>,
    strs: HashMap<Box<str>, NodeId, Build>,
}

impl IdMap {
    /// Registers `key` for `node`; returns the node already holding it, if any.
    pub fn insert(&mut self, key: IdKey, node: NodeId) -> Option<NodeId> {
        use std::collections::hash_map::Entry;
        match key {
            IdKey::Int(i) => match self.ints.entry(i) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(node);
                    None
                }
            },
            IdKey::Str(s) => match self.strs.entry(s) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(node);
                    None
                }
            },
        }
    }

    /// The node holding integer id `i`.
    #[inline]
    pub fn get_int(&self, i: i64) -> Option<NodeId> {
        self.ints.get(&i).copied()
    }

    /// The node holding string id `s`.
    #[inline]
    pub fn get_str(&self, s: &str) -> Option<NodeId> {
        self.strs.get(s).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_report_the_first_holder() {
        let mut m = IdMap::default();
        assert_eq!(m.insert(IdKey::Int(5), NodeId(0)), None);
        assert_eq!(m.insert(IdKey::Int(5), NodeId(1)), Some(NodeId(0)));
        assert_eq!(m.insert(IdKey::Str("5".into()), NodeId(2)), None);
        assert_eq!(m.get_int(5), Some(NodeId(0)));
        assert_eq!(m.get_str("5"), Some(NodeId(2)));
        assert_eq!(m.get_int(6), None);
    }
}
