//! The non-interactive subcommands: `query`, `bench`, `stats`, `generate`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use relgraph::{Database, Params, QueryOptions, QueryResult, Snapshot, Value};
use relgraph_datagen::Config;
use serde_json::json;

use crate::format::{self, OutputFormat};
use crate::limits::Limits;
use crate::output::ResultWriter;
use crate::picture::{endpoint_nodes, GraphCollector, Picture, PictureFormat, ENDPOINTS_QUERY};
use crate::CliError;

/// Makes every statement on `db` run as `role` (none: the administrator).
pub fn set_role(db: &mut Database, role: Option<String>) {
    if role.is_some() {
        let options = relgraph::QueryOptions {
            role,
            ..db.default_options().clone()
        };
        db.set_default_options(options);
    }
}

/// What `relgraph query` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryOutput {
    /// The rows, in a row format.
    Rows(OutputFormat),
    /// A picture of the nodes, relationships and paths in the rows.
    Picture(PictureFormat),
}

/// `relgraph query`: runs one statement and prints its result (to
/// `output` when given; the file is removed again when the statement fails).
pub fn query(
    db: &Path,
    text: &str,
    params: Vec<(String, Value)>,
    fmt: QueryOutput,
    output: Option<&Path>,
    limits: &Limits,
    role: Option<String>,
) -> Result<(), CliError> {
    let mut db = Database::open(db).map_err(CliError::Query)?;
    set_role(&mut db, role);
    let params: Params = params.into_iter().collect();
    let options = limits.apply(db.default_options().clone());
    let fmt = match fmt {
        QueryOutput::Rows(fmt) => fmt,
        QueryOutput::Picture(picture) => {
            return draw(&db, text, &params, &options, picture, output);
        }
    };
    write_output(output, |out| {
        if format::is_explain(text) {
            let result = db
                .query_with(text, &params, &options)
                .map_err(CliError::Query)?;
            format::write_plan(out, &result, fmt)?;
            return Ok(());
        }
        let mut writer = ResultWriter::new(out, fmt, options.memory_budget);
        let result = db
            .query_streaming(text, &params, &options, &mut writer)
            .map_err(CliError::Query)?;
        writer.finish(&result, "")?;
        Ok(())
    })
}

/// `relgraph query --format svg|html|dot`: runs one statement, keeping the
/// nodes and relationships of its rows, and writes their picture.
fn draw(
    db: &Database,
    text: &str,
    params: &Params,
    options: &QueryOptions,
    picture: PictureFormat,
    output: Option<&Path>,
) -> Result<(), CliError> {
    if format::is_explain(text) {
        return Err(CliError::Usage(
            "EXPLAIN returns a plan, not a graph to draw; use --format table".into(),
        ));
    }
    let mut collector = GraphCollector::new(options.memory_budget);
    db.query_streaming(text, params, options, &mut collector)
        .map_err(CliError::Query)?;
    let mut graph = collector.finish()?;
    complete_endpoints(&mut graph, |q, p| db.query_with(q, p, options))?;
    let drawn = graph.render(picture);
    write_output(output, |out| Ok(out.write_all(drawn.as_bytes())?))
}

/// Runs `write` on standard output, or on `path`: a regular file is
/// synced to disk, and removed again when `write` fails; anything else
/// (`/dev/null`, a pipe, a terminal) is only written to, never synced
/// (it cannot be) nor removed.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let Some(path) = path else {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        write(&mut out)?;
        out.flush()?;
        return Ok(());
    };
    let io_error = |source| CliError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io_error)?;
    let regular = file.metadata().map_err(io_error)?.is_file();
    let mut out = io::BufWriter::new(file);
    let written = write(&mut out).and_then(|()| {
        out.flush().map_err(io_error)?;
        if regular {
            out.get_ref().sync_all().map_err(io_error)?;
        }
        Ok(())
    });
    if written.is_err() && regular {
        drop(out);
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Reads the relationship ends that `graph` lacks through `run` (the
/// statement [`ENDPOINTS_QUERY`] with `$ids`, under the caller's limits and
/// rights); those it cannot read become placeholders.
pub fn complete_endpoints(
    graph: &mut Picture,
    run: impl FnOnce(&str, &Params) -> relgraph::Result<QueryResult>,
) -> Result<(), CliError> {
    let missing = graph.missing_endpoints();
    if missing.is_empty() {
        return Ok(());
    }
    let ids = missing
        .into_iter()
        .filter_map(|id| i64::try_from(id).ok().map(Value::Int))
        .collect();
    let params: Params = [("ids".to_string(), Value::List(ids))]
        .into_iter()
        .collect();
    let found = run(ENDPOINTS_QUERY, &params).map_err(CliError::Query)?;
    graph.add_endpoints(endpoint_nodes(found.rows))?;
    Ok(())
}

/// `relgraph erase`: erases the nodes `text` returns; prints each erased
/// node's id and labels (never its values), the counts, and the time.
pub fn erase(db: &Path, text: &str, params: Vec<(String, Value)>) -> Result<(), CliError> {
    if !db.exists() {
        return Err(CliError::Usage(format!("no database at {}", db.display())));
    }
    let db = Database::open(db).map_err(CliError::Query)?;
    let params: Params = params.into_iter().collect();
    let start = std::time::Instant::now();
    let report = db.erase_matching(text, &params).map_err(CliError::Query)?;
    let took = start.elapsed();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for (id, labels) in &report.nodes {
        let labels: String = labels.iter().map(|l| format!(":{l}")).collect();
        writeln!(out, "erased node {id}{labels}")?;
    }
    writeln!(
        out,
        "erased {} node{} and {} relationship{} in {:.3} s; no file of the database holds them or their values",
        report.nodes.len(),
        if report.nodes.len() == 1 { "" } else { "s" },
        report.relationships,
        if report.relationships == 1 { "" } else { "s" },
        took.as_secs_f64()
    )?;
    out.flush()?;
    Ok(())
}

/// Timings of one benchmark query.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    /// Fastest run in milliseconds.
    pub min_ms: f64,
    /// Median run in milliseconds.
    pub median_ms: f64,
    /// Slowest run in milliseconds.
    pub max_ms: f64,
    /// Rows returned.
    pub rows: usize,
}

/// The `.cypher` files of a benchmark folder, sorted, without the
/// `*.kuzu.cypher` variants written for the peer engine.
pub fn bench_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let entries = std::fs::read_dir(dir).map_err(|e| CliError::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| CliError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".cypher") && !name.ends_with(".kuzu.cypher") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Median of a non-empty sorted slice.
pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Runs every query of `dir` once to warm up, then `runs` times.
pub fn bench_run(
    db: &Database,
    dir: &Path,
    runs: usize,
    keep_going: bool,
) -> Result<BTreeMap<String, Result<BenchResult, String>>, CliError> {
    let params = Params::new();
    let mut out = BTreeMap::new();
    for file in bench_files(dir)? {
        let stem = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .trim_end_matches(".cypher")
            .to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| CliError::Io {
            path: file.clone(),
            source: e,
        })?;
        let text = text.trim().trim_end_matches(';');
        let measured = (|| {
            let warm = db.query(text, &params)?;
            let mut times = Vec::with_capacity(runs);
            let mut rows = warm.rows.len();
            for _ in 0..runs.max(1) {
                let t = Instant::now();
                let r = db.query(text, &params)?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                rows = r.rows.len();
            }
            times.sort_by(f64::total_cmp);
            Ok::<_, relgraph::Error>(BenchResult {
                min_ms: times[0],
                median_ms: median(&times),
                max_ms: times[times.len() - 1],
                rows,
            })
        })();
        match measured {
            Ok(r) => {
                out.insert(stem, Ok(r));
            }
            Err(e) if keep_going => {
                eprintln!("{stem}: {}", e.message.trim_end());
                out.insert(stem, Err(e.message));
            }
            Err(error) => {
                return Err(CliError::Bench {
                    file: file.display().to_string(),
                    error,
                })
            }
        }
    }
    Ok(out)
}

/// Prints benchmark results as a table or as the JSON object
/// `{"<stem>": {"min_ms", "median_ms", "max_ms", "rows"}}`.
pub fn bench_print(
    results: &BTreeMap<String, Result<BenchResult, String>>,
    json_output: bool,
) -> String {
    if json_output {
        let mut obj = serde_json::Map::new();
        for (k, r) in results {
            let v = match r {
                Ok(r) => {
                    json!({ "min_ms": r.min_ms, "median_ms": r.median_ms, "max_ms": r.max_ms, "rows": r.rows })
                }
                Err(e) => json!({ "error": e }),
            };
            obj.insert(k.clone(), v);
        }
        return serde_json::Value::Object(obj).to_string() + "\n";
    }
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["query", "min ms", "median ms", "max ms", "rows"]);
    for (k, r) in results {
        match r {
            Ok(r) => table.add_row([
                k.clone(),
                format!("{:.3}", r.min_ms),
                format!("{:.3}", r.median_ms),
                format!("{:.3}", r.max_ms),
                r.rows.to_string(),
            ]),
            Err(e) => table.add_row([
                k.clone(),
                "error".into(),
                String::new(),
                String::new(),
                e.lines().next().unwrap_or("").to_string(),
            ]),
        };
    }
    table.to_string() + "\n"
}

/// Node counts per label and relationship counts per type, as text.
pub fn stats_text(snap: &Snapshot) -> String {
    let (labels, types) = stats_counts(snap);
    let mut s = format!(
        "{} nodes, {} relationships\n",
        snap.node_count(),
        snap.rel_count()
    );
    let names = labels
        .into_iter()
        .map(|(l, n)| (format!(":{l}"), n))
        .chain(types.into_iter().map(|(t, n)| (format!("[:{t}]"), n)));
    for (name, n) in names {
        s.push_str(&format!("  {name:<26} {n:>12}\n"));
    }
    s
}

/// The planner's statistics (sampled; see `relgraph_graph::snapshot::stats`)
/// as text: per label its properties (fraction present, distinct values,
/// most common values) and its degrees per relationship type and
/// direction (average, max, median / 90th / 99th percentile, labels at the
/// other end); per relationship type its properties.
pub fn planner_stats_text(snap: &Snapshot) -> String {
    use relgraph_graph::snapshot::stats::PropStats;
    use std::fmt::Write;
    let stats = snap.stats();
    let c = snap.catalog();
    let key = |k: relgraph_graph::PropKeyId| c.prop_key_name(k).unwrap_or("?").to_string();
    let props = |out: &mut String, ps: &[PropStats]| {
        for p in ps {
            let common: Vec<String> = p
                .mcv
                .iter()
                .take(3)
                .map(|(v, f)| {
                    let v = match v {
                        relgraph::Value::String(s) => format!("'{s}'"),
                        relgraph::Value::Int(i) => i.to_string(),
                        relgraph::Value::Float(x) => x.to_string(),
                        relgraph::Value::Bool(b) => b.to_string(),
                        other => format!("{other:?}"),
                    };
                    format!("{v} {:.1}%", f * 100.0)
                })
                .collect();
            let _ = writeln!(
                out,
                "    .{:<20} present {:>5.1}%  distinct {:>10.0}  {}",
                key(p.key),
                p.present * 100.0,
                p.distinct,
                if common.is_empty() {
                    String::new()
                } else {
                    format!("common: {}", common.join(", "))
                }
            );
        }
    };
    let mut out = String::new();
    for n in &stats.nodes {
        let name = match n.label {
            Some(l) => format!(":{}", c.label_name(l).unwrap_or("?")),
            None => "(any node)".to_string(),
        };
        let _ = writeln!(out, "{name}  {} nodes, {} sampled", n.count, n.sampled);
        props(&mut out, &n.props);
        for e in &n.expand {
            let t = c.rel_type_name(e.rel_type).unwrap_or("?");
            let arrow = match e.dir {
                relgraph_graph::Direction::Outgoing => format!("-[:{t}]->"),
                relgraph_graph::Direction::Incoming => format!("<-[:{t}]-"),
            };
            let targets: Vec<String> = e
                .targets
                .iter()
                .map(|(l, f)| format!(":{} {:.0}%", c.label_name(*l).unwrap_or("?"), f * 100.0))
                .collect();
            let _ = writeln!(
                out,
                "    {arrow:<24} avg {:>8.2}  max {:>7}  p50/p90/p99 {}/{}/{}  to {}",
                e.avg,
                e.max,
                e.quantiles[0],
                e.quantiles[1],
                e.quantiles[2],
                targets.join(", ")
            );
        }
    }
    for r in &stats.rels {
        if r.props.is_empty() {
            continue;
        }
        let t = c.rel_type_name(r.rel_type).unwrap_or("?");
        let _ = writeln!(out, "[:{t}]  {} sampled", r.sampled);
        props(&mut out, &r.props);
    }
    out
}

/// Names with counts, sorted by name.
pub type Counts = Vec<(String, u64)>;

/// Counts per label and per relationship type (sorted by name).
pub fn stats_counts(snap: &Snapshot) -> (Counts, Counts) {
    let c = snap.catalog();
    let mut labels: Counts = c
        .labels()
        .names()
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.to_string(),
                snap.label_count(relgraph_graph::LabelId(i as u32)),
            )
        })
        .collect();
    let mut types: Counts = c
        .rel_types()
        .names()
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.to_string(),
                snap.rel_type_count(relgraph_graph::RelTypeId(i as u32)),
            )
        })
        .collect();
    labels.sort();
    types.sort();
    (labels, types)
}

/// `relgraph stats`.
pub fn stats(db: &Path, json_output: bool, planner: bool) -> Result<(), CliError> {
    if !db.exists() {
        return Err(CliError::Usage(format!("no database at {}", db.display())));
    }
    let db = Database::open(db).map_err(CliError::Query)?;
    let snap = db.snapshot();
    if json_output {
        let (labels, types) = stats_counts(&snap);
        let doc = json!({
            "nodes": snap.node_count(),
            "relationships": snap.rel_count(),
            "labels": labels.into_iter().collect::<BTreeMap<_, _>>(),
            "relationship_types": types.into_iter().collect::<BTreeMap<_, _>>(),
        });
        let doc = if planner {
            let mut doc = doc;
            doc["planner"] = serde_json::to_value(&*snap.stats())
                .map_err(|e| CliError::Usage(format!("statistics as JSON: {e}")))?;
            doc
        } else {
            doc
        };
        println!("{doc}");
    } else {
        print!("{}", stats_text(&snap));
        if planner {
            print!("{}", planner_stats_text(&snap));
        }
    }
    Ok(())
}

/// `relgraph check`: prints one line per segment file and a verdict;
/// `Ok(false)` when something is damaged (including a database that does
/// not open).
pub fn check(db: &Path) -> Result<bool, CliError> {
    if !db.exists() {
        return Err(CliError::Usage(format!("no database at {}", db.display())));
    }
    let options = relgraph::OpenOptions {
        create: false,
        ..relgraph::OpenOptions::default()
    };
    let db = match Database::open_with(db, &options) {
        Ok(db) => db,
        Err(e) => {
            println!("damaged: {}", e.message.trim_end());
            return Ok(false);
        }
    };
    let report = db
        .graph()
        .verify_segments()
        .map_err(|e| CliError::Other(format!("cannot verify the segments: {e}")))?;
    let stats = db
        .graph()
        .store_stats()
        .map_err(|e| CliError::Other(format!("cannot read the store's figures: {e}")))?;
    let mut damaged = 0;
    for seg in &report {
        match &seg.damage {
            None => println!("ok       {} ({} bytes)", seg.file, seg.bytes),
            Some(d) => {
                damaged += 1;
                println!("DAMAGED  {}: {d}", seg.file);
            }
        }
    }
    let snap = db.snapshot();
    println!(
        "version {}: {} nodes, {} relationships; {} segment files, {} log records",
        snap.version(),
        snap.node_count(),
        snap.rel_count(),
        report.len(),
        stats.log_records
    );
    if damaged > 0 {
        println!("{damaged} damaged segment file(s)");
        return Ok(false);
    }
    println!("no damage found");
    Ok(true)
}

/// `relgraph generate`.
pub fn generate(
    out: &Path,
    scale: f64,
    seed: u64,
    as_db: bool,
    quiet: bool,
) -> Result<(), CliError> {
    let config = Config::new(scale, seed)?;
    let started = Instant::now();
    if as_db {
        if out.exists()
            && std::fs::read_dir(out)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(CliError::Usage(format!(
                "{} exists and is not empty; choose a new directory",
                out.display()
            )));
        }
        let (graph, summary) =
            relgraph_datagen::create_database(&config, out, &relgraph::OpenOptions::default())?;
        drop(graph);
        if !quiet {
            println!(
                "wrote database {}: {} nodes, {} relationships in {:.1} s",
                out.display(),
                summary.nodes,
                summary.relationships,
                started.elapsed().as_secs_f64()
            );
        }
    } else {
        let summary = relgraph_datagen::write_csv(&config, out)?;
        if !quiet {
            println!(
                "wrote CSV files to {}: {} nodes, {} relationships in {:.1} s",
                out.display(),
                summary.nodes,
                summary.relationships,
                started.elapsed().as_secs_f64()
            );
            let abs = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
            println!(
                "import them with:\n  relgraph import --db DB_DIR {}",
                relgraph_datagen::import_flags(&abs).join(" ")
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[1.0, 2.0, 10.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), 3.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn bench_files_skip_kuzu_variants() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.cypher", "a.cypher", "a.kuzu.cypher", "notes.md"] {
            std::fs::write(dir.path().join(f), "RETURN 1").unwrap();
        }
        let names: Vec<String> = bench_files(dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.cypher", "b.cypher"]);
    }

    #[test]
    fn bench_json_shape() {
        let mut m = BTreeMap::new();
        m.insert(
            "q1".to_string(),
            Ok(BenchResult {
                min_ms: 1.0,
                median_ms: 2.0,
                max_ms: 3.5,
                rows: 7,
            }),
        );
        let v: serde_json::Value = serde_json::from_str(&bench_print(&m, true)).unwrap();
        assert_eq!(
            v,
            json!({"q1": {"min_ms": 1.0, "median_ms": 2.0, "max_ms": 3.5, "rows": 7}})
        );
    }
}
