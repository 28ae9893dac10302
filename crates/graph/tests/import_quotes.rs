//! A quote that is never closed, or a field past the maximum field size,
//! stops an import with the file, line and column where the field starts
//! (issue 15 item 7: `1,"Ann` swallowed the rest of the file and exit 0).

use std::path::{Path, PathBuf};

use relgraph_graph::import::{read_records, ImportConfig, NodeInput};
use relgraph_graph::GraphError;

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture file");
    p
}

fn config(file: &Path) -> ImportConfig {
    ImportConfig {
        nodes: vec![NodeInput::parse(&format!("Person={}", file.display())).expect("spec")],
        ..ImportConfig::default()
    }
}

/// The import error's (line, column, reason), after checking its file.
fn import_error(file: &Path) -> (u64, u64, String) {
    import_error_with(&config(file), file)
}

fn import_error_with(config: &ImportConfig, file: &Path) -> (u64, u64, String) {
    match read_records(config, None) {
        Err(GraphError::Import {
            file: f,
            line,
            column,
            reason,
        }) => {
            assert_eq!(f, file);
            (line, column, reason)
        }
        Err(other) => panic!("expected an import error, got {other}"),
        Ok(r) => panic!("expected an import error, got {} nodes", r.nodes.len()),
    }
}

#[test]
fn unterminated_quote_is_an_error_naming_where_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "people.csv", b"id:ID,name\n1,\"Ann\n2,Bob\n");
    let (line, column, reason) = import_error(&f);
    assert_eq!((line, column), (2, 2), "{reason}");
    assert!(reason.contains("never closed"), "{reason}");

    // Later in the file, after a well-formed multi-line field.
    let f = write(
        dir.path(),
        "later.csv",
        b"id:ID,name\n1,\"Ann\nLee\"\n2,\"Bob \"\"B\"\"\"\n3,Cleo\n4,x\"y\n5,\"Dan\n",
    );
    let (line, column, reason) = import_error(&f);
    assert_eq!((line, column), (7, 2), "{reason}");

    // In the header line.
    let f = write(dir.path(), "header.csv", b"id:ID,\"name\n1,Ann\n");
    assert_eq!(import_error(&f).0, 1);
}

#[test]
fn well_formed_quotes_still_import() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "ok.csv",
        b"id:ID,name\r\n1,\"Ann\r\nLee\"\r\n2,\"Bob, \"\"B\"\"\"\r\n3,x\"y\r\n4,\"\"\r\n",
    );
    let r = read_records(&config(&f), None).expect("well-formed file");
    assert_eq!(r.nodes.len(), 4);
}

#[test]
fn a_field_past_the_maximum_size_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let big = 17 << 20;
    // A quoted field whose closing quote is missing, with more rows after it.
    let mut text = b"id:ID,name\n1,Ann\n2,\"".to_vec();
    text.extend(std::iter::repeat_n(b'x', big));
    text.extend_from_slice(b"\n3,Bob\n");
    let f = write(dir.path(), "open.csv", &text);
    let (line, column, reason) = import_error(&f);
    assert_eq!((line, column), (3, 2), "{reason}");
    assert!(reason.contains("longer than 16777216 bytes"), "{reason}");
    assert!(reason.contains("closing quote"), "{reason}");

    // An unquoted runaway line.
    let mut text = b"id:ID,name\n1,".to_vec();
    text.extend(std::iter::repeat_n(b'y', big));
    text.push(b'\n');
    let f = write(dir.path(), "line.csv", &text);
    let (line, column, reason) = import_error(&f);
    assert_eq!((line, column), (2, 2), "{reason}");
    assert!(reason.contains("longer than 16777216 bytes"), "{reason}");

    // A large field within the maximum is fine.
    let mut text = b"id:ID,name\n1,\"".to_vec();
    text.extend(std::iter::repeat_n(b'z', 1 << 20));
    text.extend_from_slice(b"\"\n");
    let f = write(dir.path(), "fits.csv", &text);
    let r = read_records(&config(&f), None).expect("a 1 MiB field fits");
    assert_eq!(r.nodes.len(), 1);
}

#[test]
fn the_maximum_field_size_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "people.csv",
        b"id:ID,name\n1,Ann\n2,\"0123456789\"\n3,Bob\n",
    );
    // The field is 12 bytes with its quotes.
    let fits = ImportConfig {
        max_field_size: 12,
        ..config(&f)
    };
    assert_eq!(read_records(&fits, None).expect("fits").nodes.len(), 3);
    let tight = ImportConfig {
        max_field_size: 11,
        ..config(&f)
    };
    let (line, column, reason) = import_error_with(&tight, &f);
    assert_eq!((line, column), (3, 2), "{reason}");
    assert!(reason.contains("longer than 11 bytes"), "{reason}");
}
