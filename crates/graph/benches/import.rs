//! Import benchmarks on the LDBC SNB SF0.1 subset (../shared/data/ldbc-sf0.1
//! from the repository root; skipped when absent):
//! - `import/read_records`: CSV parsing into records (no snapshot, no disk);
//! - `import/durable`: the whole durable import into a new database
//!   (read + snapshot + `Graph::create_bulk` with fsync), reported as
//!   relationships per second.
//!
//! Before the timed runs it prints bytes per relationship on disk (size of
//! the database directory) and resident (growth of the resident set from
//! /proc/self/statm while the imported graph is held).
//!
//! Run: `cargo bench -p relgraph-graph --bench import`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use relgraph_graph::import::{import, read_records, IdType, ImportConfig, NodeInput, RelInput};
use relgraph_graph::store::OpenOptions;

fn ldbc_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ldbc-sf0.1");
    dir.join("Person.csv").is_file().then_some(dir)
}

/// `isLocatedIn` -> `IS_LOCATED_IN`.
fn rel_type(verb: &str) -> String {
    verb.chars()
        .flat_map(|c| {
            let sep = c.is_ascii_uppercase().then_some('_');
            sep.into_iter()
                .chain(std::iter::once(c.to_ascii_uppercase()))
        })
        .collect()
}

/// The data set README's flags: one input per file.
fn ldbc_config(dir: &Path) -> ImportConfig {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read LDBC dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut config = ImportConfig {
        delimiter: b'|',
        id_type: IdType::Integer,
        ..ImportConfig::default()
    };
    for f in files {
        let stem = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let parts: Vec<&str> = stem.split('_').collect();
        match parts.as_slice() {
            [label] => config.nodes.push(NodeInput {
                labels: vec![label.to_string()],
                files: vec![f.clone()],
            }),
            [_, verb, _] => config.relationships.push(RelInput {
                rel_type: Some(rel_type(verb)),
                files: vec![f.clone()],
            }),
            _ => {}
        }
    }
    config
}

fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// Resident set size in bytes, from /proc/self/statm (0 where unavailable).
fn resident_bytes() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

fn bench_import(c: &mut Criterion) {
    let Some(dir) = ldbc_dir() else {
        eprintln!("skipping import benches: LDBC data not found (../shared/data/ldbc-sf0.1)");
        return;
    };
    let config = ldbc_config(&dir);
    let tmp = tempfile::tempdir().expect("tempdir");

    // Sizes, measured once.
    let before = resident_bytes();
    let target = tmp.path().join("sizes.db");
    let (graph, summary) =
        import(&target, &config, &OpenOptions::default(), None).expect("LDBC import");
    let _snapshot = graph.snapshot();
    let resident = resident_bytes().saturating_sub(before);
    let rels = summary.relationships.max(1);
    let disk = dir_size(&target);
    eprintln!(
        "LDBC SF0.1: {} nodes, {} relationships; import {:.2} s (read {:.2} s, snapshot {:.2} s, write {:.2} s)",
        summary.nodes,
        summary.relationships,
        summary.elapsed.as_secs_f64(),
        summary.read_time.as_secs_f64(),
        summary.build_time.as_secs_f64(),
        summary.write_time.as_secs_f64()
    );
    eprintln!(
        "bytes per relationship: on disk {:.1} ({} bytes), resident {:.1} ({} bytes of growth)",
        disk as f64 / rels as f64,
        disk,
        resident as f64 / rels as f64,
        resident
    );
    drop(_snapshot);
    drop(graph);

    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(summary.relationships));
    group.bench_function("read_records", |b| {
        b.iter(|| read_records(&config, None).expect("LDBC reads"))
    });
    let mut n = 0u64;
    group.bench_function("durable", |b| {
        b.iter(|| {
            n += 1;
            let target = tmp.path().join(format!("bench-{n}.db"));
            let (graph, _) =
                import(&target, &config, &OpenOptions::default(), None).expect("LDBC import");
            drop(graph);
            let _ = std::fs::remove_dir_all(&target);
        })
    });
    group.finish();
}

criterion_group!(benches, bench_import);
criterion_main!(benches);
