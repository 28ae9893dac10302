//! Bad rows stop an import with file, line, column and reason; the skip
//! options turn bad relationships and duplicate nodes into counted skips.

use std::path::{Path, PathBuf};

use relgraph_graph::import::{read_records, IdType, ImportConfig, NodeInput, RelInput};
use relgraph_graph::GraphError;

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write fixture file");
        p
    }
}

const PEOPLE: &str = "id:ID(P)|name|age:int\n1|Ada|36\n2|Bob|41\n3|Cleo|28\n";

fn config(nodes: &[&Path], rels: &[&Path]) -> ImportConfig {
    ImportConfig {
        nodes: nodes
            .iter()
            .map(|p| NodeInput::parse(&format!("Person={}", p.display())).expect("spec"))
            .collect(),
        relationships: rels
            .iter()
            .map(|p| RelInput::parse(&format!("KNOWS={}", p.display())).expect("spec"))
            .collect(),
        delimiter: b'|',
        id_type: IdType::Integer,
        ..ImportConfig::default()
    }
}

/// Asserts that `r` is an import error at `file`:`line`:`column` whose reason contains `text`.
fn assert_import_error<T>(
    r: Result<T, GraphError>,
    file: &Path,
    line: u64,
    column: u64,
    text: &str,
) {
    match r {
        Err(GraphError::Import {
            file: f,
            line: l,
            column: c,
            reason,
        }) => {
            assert_eq!(
                (f.as_path(), l, c),
                (file, line, column),
                "reason: {reason}"
            );
            assert!(
                reason.contains(text),
                "reason '{reason}' should mention '{text}'"
            );
        }
        Err(other) => panic!("expected an import error, got {other}"),
        Ok(_) => panic!("expected an import error, got success"),
    }
}

#[test]
fn wrong_column_count_names_line_and_column() {
    let f = Files::new();
    let people = f.write("p.csv", "id:ID(P)|name|age:int\n1|Ada|36\n2|Bob\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        3,
        3,
        "expected 3 fields, found 2",
    );
    let people = f.write("p2.csv", "id:ID(P)|name|age:int\n1|Ada|36|extra\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        2,
        4,
        "found 4",
    );
}

#[test]
fn unparsable_values_name_the_field() {
    let f = Files::new();
    let people = f.write("p.csv", "id:ID(P)|name|age:int\n1|Ada|36\n2|Bob|forty\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        3,
        3,
        "'forty' is not an integer",
    );
    let people = f.write("p2.csv", "id:ID(P)|name\nx1|Ada\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        2,
        1,
        "not an integer id",
    );
    let people = f.write("p3.csv", "id:ID(P)|born:date\n1|2024-13-01\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        2,
        2,
        "not a date",
    );
    let people = f.write("p4.csv", "id:ID(P)|tags:long[]\n1|1;2;z\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        2,
        2,
        "'z' is not an integer",
    );
    // A multi-line quoted field keeps later line numbers right.
    let people = f.write(
        "p5.csv",
        "id:ID(P)|name|age:int\n1|\"Ada\nLovelace\"|36\n2|Bob|x\n",
    );
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        4,
        3,
        "not an integer",
    );
}

#[test]
fn unknown_start_and_end_ids() {
    let f = Files::new();
    let people = f.write("p.csv", PEOPLE);
    let knows = f.write(
        "k.csv",
        ":START_ID(P)|:END_ID(P)|since:int\n1|2|2000\n9|1|2001\n",
    );
    assert_import_error(
        read_records(&config(&[&people], &[&knows]), None),
        &knows,
        3,
        1,
        "unknown node id 9",
    );
    let knows = f.write(
        "k2.csv",
        ":START_ID(P)|:END_ID(P)|since:int\n1|2|2000\n2|3|2001\n3|77|2002\n",
    );
    assert_import_error(
        read_records(&config(&[&people], &[&knows]), None),
        &knows,
        4,
        2,
        "unknown node id 77",
    );
    // Id spaces are separate: an id that exists in P is unknown in Q.
    let knows = f.write("k3.csv", ":START_ID(P)|:END_ID(Q)\n1|2\n");
    assert_import_error(
        read_records(&config(&[&people], &[&knows]), None),
        &knows,
        2,
        2,
        "unknown node id 2",
    );
}

#[test]
fn duplicate_node_ids() {
    let f = Files::new();
    let people = f.write("p.csv", "name|id:ID(P)\nAda|1\nBob|2\nAda again|1\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        4,
        2,
        "duplicate node id 1 in id space P",
    );
    // Across files of one space too.
    let more = f.write("p2.csv", "id:ID(P)|name|age:int\n3|Cleo|28\n");
    let people = f.write("p3.csv", PEOPLE);
    assert_import_error(
        read_records(&config(&[&people, &more], &[]), None),
        &more,
        2,
        1,
        "duplicate node id 3",
    );
}

#[test]
fn skip_duplicate_nodes_counts_and_keeps_the_first() {
    let f = Files::new();
    let people = f.write(
        "p.csv",
        "id:ID(P)|name\n1|Ada\n2|Bob\n1|Ada again\n2|Bob again\n",
    );
    let knows = f.write("k.csv", ":START_ID(P)|:END_ID(P)\n1|2\n");
    let mut c = config(&[&people], &[&knows]);
    c.skip_duplicate_nodes = true;
    let r = read_records(&c, None).expect("duplicates are skipped");
    assert_eq!(r.nodes.len(), 2);
    assert_eq!(r.summary.skipped_nodes, 2);
    assert_eq!(r.summary.skipped_examples.len(), 2);
    assert!(r.summary.skipped_examples[0].ends_with(":4:1: duplicate node id 1 in id space P"));
    let name = r.catalog.prop_key_id("name").expect("name");
    assert_eq!(
        r.nodes[0]
            .props
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str()),
        Some(Some("Ada"))
    );
    assert_eq!((r.rels[0].src.0, r.rels[0].dst.0), (0, 1));
}

#[test]
fn skip_bad_relationships_counts_every_kind() {
    let f = Files::new();
    let people = f.write("p.csv", PEOPLE);
    let knows = f.write(
        "k.csv",
        ":START_ID(P)|:END_ID(P)|since:int\n1|2|2000\n9|1|2001\n1|99|2002\n2|3|soon\n3|1\n|1|5\n2|1|2003\n",
    );
    let mut c = config(&[&people], &[&knows]);
    assert!(read_records(&c, None).is_err());
    c.skip_bad_relationships = true;
    let r = read_records(&c, None).expect("bad relationships are skipped");
    assert_eq!(r.rels.len(), 2);
    assert_eq!(r.summary.skipped_relationships, 5);
    assert_eq!(r.summary.relationships, 2);
    assert_eq!(r.rels[1].id.0, 1, "ids stay dense after skips");
    let ex = &r.summary.skipped_examples;
    assert!(ex[0].ends_with(":3:1: unknown node id 9"), "{ex:?}");
    assert!(ex[1].ends_with(":4:2: unknown node id 99"), "{ex:?}");
    assert!(ex[2].contains(":5:3: 'soon'"), "{ex:?}");
}

#[test]
fn missing_relationship_type_is_an_error() {
    let f = Files::new();
    let people = f.write("p.csv", PEOPLE);
    let rels = f.write("r.csv", ":START_ID(P)|:END_ID(P)|:TYPE\n1|2|KNOWS\n2|3|\n");
    let mut c = config(&[&people], &[]);
    c.relationships = vec![RelInput::parse(&rels.display().to_string()).expect("spec")];
    assert_import_error(read_records(&c, None), &rels, 3, 3, "no relationship type");
}

#[test]
fn bad_headers_and_empty_files() {
    let f = Files::new();
    let people = f.write("p.csv", "id:ID(P)|age:integer\n1|3\n");
    assert_import_error(
        read_records(&config(&[&people], &[]), None),
        &people,
        1,
        2,
        "unknown property type",
    );
    let empty = f.write("e.csv", "");
    assert_import_error(
        read_records(&config(&[&empty], &[]), None),
        &empty,
        1,
        1,
        "empty",
    );
    let people = f.write("p2.csv", PEOPLE);
    let rels = f.write("r.csv", ":START_ID(P)|since:int\n1|2\n");
    assert_import_error(
        read_records(&config(&[&people], &[&rels]), None),
        &rels,
        1,
        3,
        ":END_ID",
    );
    let missing = f.dir.path().join("missing.csv");
    assert!(matches!(
        read_records(&config(&[&missing], &[]), None),
        Err(GraphError::Io { .. })
    ));
}

#[test]
fn string_ids_and_tab_delimiter() {
    let f = Files::new();
    let people = f.write("p.tsv", "id:ID\tname\nada\tAda\nbob\tBob\n");
    let knows = f.write("k.tsv", ":START_ID\t:END_ID\nada\tbob\nbob\tada\n");
    let c = ImportConfig {
        nodes: vec![NodeInput::parse(&people.display().to_string()).expect("spec")],
        relationships: vec![RelInput::parse(&format!("KNOWS={}", knows.display())).expect("spec")],
        delimiter: relgraph_graph::import::parse_delimiter("TAB").expect("TAB"),
        ..ImportConfig::default()
    };
    let r = read_records(&c, None).expect("string ids");
    assert_eq!((r.nodes.len(), r.rels.len()), (2, 2));
    let id = r.catalog.prop_key_id("id").expect("id");
    assert_eq!(
        r.nodes[1]
            .props
            .iter()
            .find(|(k, _)| *k == id)
            .and_then(|(_, v)| v.as_str()),
        Some("bob")
    );
    assert!(r.nodes[0].labels.is_empty());
    assert_eq!((r.rels[1].src.0, r.rels[1].dst.0), (1, 0));
}

#[test]
fn progress_reaches_all_rows_and_bytes() {
    let f = Files::new();
    let people = f.write("p.csv", PEOPLE);
    const KNOWS: &str = ":START_ID(P)|:END_ID(P)\n1|2\n2|3\n";
    let knows = f.write("k.csv", KNOWS);
    let last = std::sync::Mutex::new(None);
    let cb = |p: &relgraph_graph::import::Progress| {
        *last.lock().expect("progress lock") = Some(*p);
    };
    let r = read_records(&config(&[&people], &[&knows]), Some(&cb)).expect("import");
    let p = last
        .lock()
        .expect("progress lock")
        .expect("progress was reported");
    assert_eq!(p.rows, 5);
    assert_eq!(p.total_bytes, (PEOPLE.len() + KNOWS.len()) as u64);
    assert_eq!(p.bytes, p.total_bytes);
    assert_eq!(r.summary.rows, 5);
}
