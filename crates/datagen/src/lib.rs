//! relgraph-datagen: a deterministic synthetic CRM relationship graph at any
//! scale.
//!
//! The graph is what a sales or customer-success team lives in: people who
//! know each other (with a skewed, power-law-like degree distribution), the
//! companies they work at, the content they read and the topics they mention,
//! funding rounds and job changes, and the customers of "my" company with
//! their purchases, tickets, referrals and reference calls. One person is
//! "me" (`(:Person {me: true, name: 'Me'})`, working at company `Lumen CRM`),
//! and all dates are relative to a fixed reference date, [`TODAY`]
//! (2024-06-30), also stored in the data as `(:Meta {today})`, so every
//! answer is reproducible.
//!
//! Scale factor 1 has 10,000 people and about 0.23 million relationships;
//! relationships grow linearly with the scale (scale 45 has 10.5 million).
//! The same `(scale, seed)` always produces the same graph.
//!
//! Outputs:
//! - [`write_csv`]: neo4j-admin import CSV files (streamed, constant memory)
//!   plus `import-flags.txt` and `README.md` saying how to import them;
//! - [`records`] / [`snapshot`]: the graph in memory;
//! - [`create_database`]: the graph streamed straight into a new database
//!   (memory for the adjacency, not the records);
//! - [`generate`] into any [`Sink`].
//!
//! ```
//! use relgraph_datagen::{Config, Counter, generate};
//! let config = Config::new(0.01, 42).unwrap();
//! let mut counter = Counter::default();
//! generate(&config, &mut counter).unwrap();
//! assert_eq!(counter.summary().nodes_by_label["Person"], config.people());
//! ```

#![warn(missing_docs)]

pub mod dates;
mod model;
pub mod schema;
mod sinks;
mod words;

use std::path::{Path, PathBuf};

pub use model::{Prop, Sink, ME, MY_CONNECTIONS, TODAY, TOPIC_CHURN, TOPIC_CRM, VENDOR};
pub use sinks::{Counter, CsvSink, GeneratedGraph, RecordSink, Summary};
pub use words::INDUSTRIES;

use relgraph_graph::store::{Graph, OpenOptions};
use relgraph_graph::{GraphError, NodeId, RelId, Snapshot};

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum DatagenError {
    /// The scale factor is not a positive, finite number in range.
    #[error("invalid scale factor {0}: use a number greater than 0 and at most {MAX_SCALE}")]
    Scale(f64),
    /// Writing an output file failed.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing CSV failed.
    #[error("cannot write CSV file {}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// Building or storing the graph failed.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A relationship referred to a node that was not generated (a bug in
    /// the generator, reported instead of panicking).
    #[error("generator produced a relationship to unknown {space} node {id}")]
    DanglingRelationship {
        /// Id space of the missing node.
        space: &'static str,
        /// Its id in that space.
        id: u64,
    },
}

/// The generator's result type.
pub type Result<T, E = DatagenError> = std::result::Result<T, E>;

/// The largest accepted scale factor (about 1 billion people).
pub const MAX_SCALE: f64 = 100_000.0;

/// What to generate: a scale factor (1.0 = 10,000 people) and a seed.
///
/// ```
/// use relgraph_datagen::Config;
/// let c = Config::new(1.0, 7).unwrap();
/// assert_eq!(c.people(), 10_000);
/// assert!(Config::new(-1.0, 7).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Scale factor; 1.0 is about 10,000 people.
    pub scale: f64,
    /// Random seed; the same seed gives the same graph.
    pub seed: u64,
}

impl Config {
    /// A validated configuration.
    pub fn new(scale: f64, seed: u64) -> Result<Config> {
        if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE) {
            return Err(DatagenError::Scale(scale));
        }
        Ok(Config { scale, seed })
    }

    /// Number of people (at least 50, so every question has answers).
    ///
    /// ```
    /// assert_eq!(relgraph_datagen::Config::new(0.5, 1).unwrap().people(), 5_000);
    /// ```
    pub fn people(&self) -> u64 {
        ((self.scale * 10_000.0).round() as u64).max(50)
    }

    /// Number of companies (one per 10 people, at least 40).
    ///
    /// ```
    /// assert_eq!(relgraph_datagen::Config::new(1.0, 1).unwrap().companies(), 1_000);
    /// ```
    pub fn companies(&self) -> u64 {
        (self.people() / 10).max(40)
    }

    /// Number of library content items (white papers, webinars, blog posts,
    /// movies): one per 25 people, at least 60.
    ///
    /// ```
    /// assert_eq!(relgraph_datagen::Config::new(1.0, 1).unwrap().library_content(), 400);
    /// ```
    pub fn library_content(&self) -> u64 {
        (self.people() / 25).max(60)
    }

    /// Number of posts written by people (one per two people).
    ///
    /// ```
    /// assert_eq!(relgraph_datagen::Config::new(1.0, 1).unwrap().posts(), 5_000);
    /// ```
    pub fn posts(&self) -> u64 {
        self.people() / 2
    }
}

/// Generates the graph into `sink`.
///
/// ```
/// use relgraph_datagen::{Config, Counter, generate};
/// let mut c = Counter::default();
/// generate(&Config::new(0.01, 1).unwrap(), &mut c).unwrap();
/// assert!(c.summary().relationships > 0);
/// ```
pub fn generate(config: &Config, sink: &mut dyn Sink) -> Result<()> {
    model::Model::new(config).generate(sink)
}

/// Writes the graph as neo4j-admin import CSV files into `dir` (created if
/// missing), plus `import-flags.txt` (the `relgraph import` flags, paths
/// relative to `dir`) and a `README.md`. Rows are streamed to disk.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let config = relgraph_datagen::Config::new(0.01, 1).unwrap();
/// let summary = relgraph_datagen::write_csv(&config, dir.path()).unwrap();
/// assert!(dir.path().join("person.csv").exists());
/// assert!(summary.relationships > 0);
/// ```
pub fn write_csv(config: &Config, dir: &Path) -> Result<Summary> {
    std::fs::create_dir_all(dir).map_err(|source| DatagenError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut sink = CsvSink::new(dir);
    generate(config, &mut sink)?;
    let summary = sink.summary();
    let flags = import_flags(Path::new("")).join("\n") + "\n";
    write_file(&dir.join("import-flags.txt"), &flags)?;
    write_file(&dir.join("README.md"), &csv_readme(config, &summary))?;
    Ok(summary)
}

/// The `relgraph import` arguments (after `--db DIR`) that load the CSV
/// files of [`write_csv`] found in `dir`.
///
/// ```
/// let flags = relgraph_datagen::import_flags(std::path::Path::new("data"));
/// assert!(flags.contains(&"--id-type=integer".to_string()));
/// assert!(flags.iter().any(|f| f == "--nodes=Person=data/person.csv"));
/// ```
pub fn import_flags(dir: &Path) -> Vec<String> {
    let mut flags = vec!["--id-type=integer".to_string()];
    for f in schema::NODE_FILES {
        flags.push(format!(
            "--nodes={}={}",
            f.labels.join(":"),
            dir.join(f.file).display()
        ));
    }
    for f in schema::REL_FILES {
        flags.push(format!(
            "--relationships={}={}",
            f.rel_type,
            dir.join(f.file).display()
        ));
    }
    flags
}

/// The whole graph as records with a catalog (holds everything in memory).
///
/// ```
/// let g = relgraph_datagen::records(&relgraph_datagen::Config::new(0.01, 1).unwrap()).unwrap();
/// assert_eq!(g.nodes.len() as u64, g.summary.nodes);
/// ```
pub fn records(config: &Config) -> Result<GeneratedGraph> {
    let mut sink = RecordSink::default();
    generate(config, &mut sink)?;
    Ok(sink.into_graph())
}

/// The graph as an in-memory [`Snapshot`] (built with `Snapshot::from_records`).
///
/// ```
/// let config = relgraph_datagen::Config::new(0.01, 1).unwrap();
/// let (snap, summary) = relgraph_datagen::snapshot(&config).unwrap();
/// assert_eq!(snap.rel_count(), summary.relationships);
/// ```
pub fn snapshot(config: &Config) -> Result<(Snapshot, Summary)> {
    let g = records(config)?;
    let next_node = NodeId(g.nodes.len() as u64);
    let next_rel = RelId(g.rels.len() as u64);
    let summary = g.summary;
    Ok((
        Snapshot::from_records(g.catalog, 0, next_node, next_rel, g.nodes, g.rels)?,
        summary,
    ))
}

/// Creates a new database in `path` holding the generated graph: the
/// records stream into the database's segment as they are generated
/// (`Graph::create_from_records`), so memory holds the adjacency entries
/// and the id map, never the whole graph, and the database is published
/// only when complete. The same graph as [`snapshot`] builds in memory.
///
/// ```
/// use relgraph_graph::store::OpenOptions;
/// let dir = tempfile::tempdir().unwrap();
/// let config = relgraph_datagen::Config::new(0.01, 1).unwrap();
/// let (graph, summary) =
///     relgraph_datagen::create_database(&config, &dir.path().join("db"), &OpenOptions::default()).unwrap();
/// assert_eq!(graph.snapshot().node_count(), summary.nodes);
/// assert_eq!(graph.snapshot().rel_count(), summary.relationships);
/// ```
pub fn create_database(
    config: &Config,
    path: &Path,
    options: &OpenOptions,
) -> Result<(Graph, Summary)> {
    let mut summary = Summary::default();
    let graph = Graph::create_from_records(path, options, |out| {
        let mut sink = RecordSink::new(out);
        generate(config, &mut sink)?;
        let (catalog, _, built) = sink.into_parts();
        summary = built;
        Ok::<_, DatagenError>(catalog)
    })?;
    Ok((graph, summary))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| DatagenError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn csv_readme(config: &Config, summary: &Summary) -> String {
    let mut s = String::new();
    s.push_str("# relgraph demo CRM graph (neo4j-admin import CSV)\n\n");
    s.push_str(&format!(
        "Generated by `relgraph generate --scale {} --seed {}`: {} nodes, {} relationships.\n",
        config.scale, config.seed, summary.nodes, summary.relationships
    ));
    s.push_str(&format!(
        "All dates are relative to the fixed reference date {} (stored as `(:Meta {{today}})`).\n\n",
        dates::iso_date(TODAY)
    ));
    s.push_str("Load it from this directory with:\n\n");
    s.push_str("    relgraph import --db ../demo-db $(cat import-flags.txt)\n\n");
    s.push_str("Files (node files: `id:ID(Space)` + typed columns; relationship files:\n");
    s.push_str(
        "`:START_ID(Space)`, `:END_ID(Space)` + typed columns; `,` delimiter, integer ids):\n\n",
    );
    for f in schema::NODE_FILES {
        s.push_str(&format!("- `{}`: :{} nodes\n", f.file, f.labels.join(":")));
    }
    for f in schema::REL_FILES {
        s.push_str(&format!(
            "- `{}`: ({})-[:{}]->({})\n",
            f.file,
            f.start.name(),
            f.rel_type,
            f.end.name()
        ));
    }
    s
}
