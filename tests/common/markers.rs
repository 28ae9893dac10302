//! Marker strings for erasure tests, and a scan of every byte of every
//! file under a directory for them. Shared by `tests/erasure.rs`,
//! `tests/erase_kill.rs` and `crates/graph/tests/erase_files.rs` (included
//! with `#[path]`; `people.rs` has the Cypher side).

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;

/// The marker of person `i` of kind `k` (a letter): `zqx` + 4 digits + `k`.
/// Nothing else in a test database contains `zqx`.
pub fn marker(i: u64, k: char) -> String {
    format!("zqx{i:04}{k}")
}

/// Every marker found in the files under `dir`, stored as UTF-8, UTF-16LE
/// or UTF-16BE.
pub fn markers_in(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("the directory lists") {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            match std::fs::read(&p) {
                Ok(bytes) => scan(&bytes, &mut found),
                // A file removed between listing and reading.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("cannot read {}: {e}", p.display()),
            }
        }
    }
    found
}

fn scan(bytes: &[u8], found: &mut BTreeSet<String>) {
    for (i, w) in bytes.windows(3).enumerate() {
        if w == b"zqx" {
            if let Some(rest) = bytes.get(i..i + 8) {
                found.insert(String::from_utf8_lossy(rest).into_owned());
            }
        }
    }
    for (le, pat) in [(true, b"z\0q\0x\0"), (false, b"\0z\0q\0x")] {
        for (i, w) in bytes.windows(6).enumerate() {
            if w == pat {
                let start = if le { i } else { i + 1 };
                let chars: Vec<u8> = (0..8)
                    .filter_map(|k| bytes.get(start + 2 * k).copied())
                    .collect();
                found.insert(String::from_utf8_lossy(&chars).into_owned());
            }
        }
    }
}

/// Copies a directory tree (a database is never reopened at the same path
/// inside one process: sled can hang).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("the target directory is created");
    for entry in std::fs::read_dir(from).expect("the directory lists") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("the file copies");
        }
    }
}

#[test]
fn the_scan_finds_all_three_encodings() {
    let dir = std::env::temp_dir().join(format!("markers-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let utf16 = |s: &str, le: bool| -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    std::fs::write(dir.join("a"), format!("xx{}yy", marker(1, 'n'))).unwrap();
    std::fs::write(dir.join("b"), utf16(&marker(2, 'e'), true)).unwrap();
    std::fs::write(
        dir.join("c"),
        utf16(&format!("..{}", marker(3, 'b')), false),
    )
    .unwrap();
    let found = markers_in(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let want: BTreeSet<String> = [marker(1, 'n'), marker(2, 'e'), marker(3, 'b')].into();
    assert_eq!(found, want);
}
