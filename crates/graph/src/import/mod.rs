//! Bulk import of CSV files in the neo4j-admin import convention.
//!
//! An import reads node files, then relationship files, one file at a time
//! (each read on its own thread and handed over in batches), and builds
//! [`NodeRecord`]s and [`RelRecord`]s with dense ids that stream into a new
//! database through [`Graph::create_from_records`]'s path, which writes
//! beside the target and renames at the end: an import either completes or
//! leaves no database behind. [`read_records`] and [`build_snapshot`] keep
//! the records in memory instead.
//!
//! Header fields: `name:TYPE` (`int`, `long`, `short`, `byte`, `float`,
//! `double`, `boolean`, `string`, `char`, `date`, `localtime`, `time`,
//! `datetime`, `localdatetime`, `duration`, and arrays such as `string[]`
//! split by the array delimiter), a plain `name` (a string), `:ID(Space)`,
//! `name:ID(Space)` (also stored as property `name`), `:START_ID(Space)`,
//! `:END_ID(Space)`, `:LABEL`, `:TYPE` and `:IGNORE`. Id spaces are
//! separate: `Person` id 0 and `Organisation` id 0 are different nodes. An
//! empty field means "no property" (for every type, strings included).
//!
//! ```no_run
//! use relgraph_graph::import::{import, parse_delimiter, ImportConfig, NodeInput, RelInput};
//! use relgraph_graph::store::OpenOptions;
//! let config = ImportConfig {
//!     nodes: vec![NodeInput::parse("Person=people.csv")?],
//!     relationships: vec![RelInput::parse("KNOWS=knows.csv")?],
//!     delimiter: parse_delimiter("|")?,
//!     ..ImportConfig::default()
//! };
//! let (_graph, summary) = import(std::path::Path::new("my.db"), &config, &OpenOptions::default(), None)?;
//! println!("{} nodes, {} relationships", summary.nodes, summary.relationships);
//! # Ok::<(), relgraph_graph::GraphError>(())
//! ```

mod field;
mod header;
mod idmap;
mod read;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::error::{GraphError, Result};
use crate::ids::{LabelId, NodeId, RelId, RelTypeId};
use crate::record::{NodeRecord, RecordSink, Records, RelRecord};
use crate::snapshot::Snapshot;
use crate::store::{Graph, OpenOptions};

use header::{parse_header, FileKind, Header, IdSpaces};
use idmap::IdMap;
pub use read::DEFAULT_MAX_FIELD_SIZE;
use read::{Counters, Unit, LOCAL};

/// How many skipped rows the summary describes individually.
pub const MAX_EXAMPLES: usize = 10;

/// How import ids in `:ID`, `:START_ID` and `:END_ID` columns are read.
///
/// ```
/// use relgraph_graph::import::IdType;
/// assert_eq!("integer".parse::<IdType>(), Ok(IdType::Integer));
/// assert_eq!(IdType::default(), IdType::String);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdType {
    /// Ids are arbitrary strings; `id:ID` properties are strings.
    #[default]
    String,
    /// Ids are 64-bit integers; `id:ID` properties are integers.
    Integer,
}

impl std::str::FromStr for IdType {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "string" => Ok(IdType::String),
            "integer" | "int" | "long" => Ok(IdType::Integer),
            other => Err(format!(
                "unknown id type '{other}' (expected string or integer)"
            )),
        }
    }
}

/// Splits `A=f1.csv,f2.csv` into the part before `=` (if any) and the files.
fn split_spec(spec: &str) -> Result<(Option<&str>, Vec<PathBuf>)> {
    let (name, files) = match spec.split_once('=') {
        Some((n, f)) => (Some(n.trim()).filter(|n| !n.is_empty()), f),
        None => (None, spec),
    };
    let files: Vec<PathBuf> = files
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        return Err(GraphError::Invalid(format!("'{spec}' names no file")));
    }
    Ok((name, files))
}

/// One `--nodes [Label[:Label2]=]FILE[,FILE...]` argument: the first file
/// holds the header, the others continue it.
///
/// ```
/// use relgraph_graph::import::NodeInput;
/// let n = NodeInput::parse("Person:Customer=people.csv,people2.csv").unwrap();
/// assert_eq!(n.labels, vec!["Person".to_string(), "Customer".to_string()]);
/// assert_eq!(n.files.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInput {
    /// Labels given to every node of these files.
    pub labels: Vec<String>,
    /// The files; the first has the header.
    pub files: Vec<PathBuf>,
}

impl NodeInput {
    /// Parses `[Label[:Label2]=]FILE[,FILE...]`.
    pub fn parse(spec: &str) -> Result<NodeInput> {
        let (labels, files) = split_spec(spec)?;
        let labels = labels
            .map(|l| {
                l.split(':')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Ok(NodeInput { labels, files })
    }
}

/// One `--relationships [TYPE=]FILE[,FILE...]` argument.
///
/// ```
/// use relgraph_graph::import::RelInput;
/// let r = RelInput::parse("KNOWS=knows.csv").unwrap();
/// assert_eq!(r.rel_type.as_deref(), Some("KNOWS"));
/// assert_eq!(RelInput::parse("typed.csv").unwrap().rel_type, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelInput {
    /// The type of rows whose `:TYPE` field is absent or empty.
    pub rel_type: Option<String>,
    /// The files; the first has the header.
    pub files: Vec<PathBuf>,
}

impl RelInput {
    /// Parses `[TYPE=]FILE[,FILE...]`.
    pub fn parse(spec: &str) -> Result<RelInput> {
        let (rel_type, files) = split_spec(spec)?;
        Ok(RelInput {
            rel_type: rel_type.map(String::from),
            files,
        })
    }
}

/// Parses a delimiter argument: one ASCII character, `TAB`, or `\t`.
///
/// ```
/// use relgraph_graph::import::parse_delimiter;
/// assert_eq!(parse_delimiter("|").unwrap(), b'|');
/// assert_eq!(parse_delimiter("TAB").unwrap(), b'\t');
/// assert_eq!(parse_delimiter("\\t").unwrap(), b'\t');
/// assert!(parse_delimiter("ab").is_err());
/// ```
pub fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "TAB" | "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(GraphError::Invalid(format!(
            "delimiter '{s}' must be one ASCII character, TAB or \\t"
        ))),
    }
}

/// What to import and how.
///
/// ```
/// use relgraph_graph::import::ImportConfig;
/// let c = ImportConfig::default();
/// assert_eq!((c.delimiter, c.array_delimiter), (b',', b';'));
/// ```
#[derive(Clone, Debug)]
pub struct ImportConfig {
    /// Node inputs, in order (node ids are allocated in this order).
    pub nodes: Vec<NodeInput>,
    /// Relationship inputs, in order.
    pub relationships: Vec<RelInput>,
    /// Field delimiter (default `,`).
    pub delimiter: u8,
    /// Delimiter inside array fields and `:LABEL` fields (default `;`).
    pub array_delimiter: u8,
    /// Quote character (default `"`).
    pub quote: u8,
    /// How ids are read.
    pub id_type: IdType,
    /// Skip (and count) relationship rows that are bad (unknown or missing
    /// endpoint, no type, unparsable value) instead of failing.
    pub skip_bad_relationships: bool,
    /// Skip (and count) node rows whose id is already taken in its space
    /// instead of failing; the first node keeps the id.
    pub skip_duplicate_nodes: bool,
    /// Most bytes one field may hold (default [`DEFAULT_MAX_FIELD_SIZE`],
    /// 16 MiB). A longer field, or a quoted field never closed, is an
    /// [`GraphError::Import`] naming the file, line and column where it
    /// starts; the reader never buffers more than this for one field.
    pub max_field_size: u64,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            nodes: Vec::new(),
            relationships: Vec::new(),
            delimiter: b',',
            array_delimiter: b';',
            quote: b'"',
            id_type: IdType::String,
            skip_bad_relationships: false,
            skip_duplicate_nodes: false,
            max_field_size: DEFAULT_MAX_FIELD_SIZE,
        }
    }
}

/// The stage an import is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading node files.
    Nodes,
    /// Reading relationship files.
    Relationships,
    /// Sorting relationships into adjacency lists (import) or building a
    /// snapshot ([`build_snapshot`]).
    Building,
    /// Syncing and publishing the database.
    Writing,
}

/// A progress report.
///
/// ```
/// use relgraph_graph::import::{Phase, Progress};
/// let p = Progress { phase: Phase::Nodes, rows: 10, bytes: 100, total_bytes: 400 };
/// assert_eq!(p.bytes * 4, p.total_bytes);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The current stage.
    pub phase: Phase,
    /// Data rows read so far (all files).
    pub rows: u64,
    /// Bytes read so far (all files).
    pub bytes: u64,
    /// Total bytes of all input files.
    pub total_bytes: u64,
}

/// A progress callback; it is called from worker threads.
pub type ProgressFn<'a> = &'a (dyn Fn(&Progress) + Sync);

/// What an import did.
///
/// ```
/// use relgraph_graph::import::ImportSummary;
/// let s = ImportSummary::default();
/// assert_eq!(s.nodes + s.relationships, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportSummary {
    /// Nodes imported.
    pub nodes: u64,
    /// Relationships imported.
    pub relationships: u64,
    /// Nodes per label.
    pub labels: BTreeMap<String, u64>,
    /// Relationships per type.
    pub rel_types: BTreeMap<String, u64>,
    /// Node rows skipped as duplicates (`skip_duplicate_nodes`).
    pub skipped_nodes: u64,
    /// Relationship rows skipped as bad (`skip_bad_relationships`).
    pub skipped_relationships: u64,
    /// Up to [`MAX_EXAMPLES`] skipped rows as `file:line:column: reason`.
    pub skipped_examples: Vec<String>,
    /// Data rows read.
    pub rows: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Time spent reading files and building records.
    pub read_time: Duration,
    /// Time spent building the snapshot.
    pub build_time: Duration,
    /// Time spent writing the database.
    pub write_time: Duration,
    /// Total time.
    pub elapsed: Duration,
}

/// Nodes, relationships and catalog read from CSV files, before a snapshot
/// is built from them.
#[derive(Debug)]
pub struct ImportedRecords {
    /// Interned labels, types and property keys.
    pub catalog: Catalog,
    /// Nodes with ids `0..nodes.len()`, ascending.
    pub nodes: Vec<NodeRecord>,
    /// Relationships with ids `0..rels.len()`, ascending.
    pub rels: Vec<RelRecord>,
    /// Counts and timings (write fields are zero here).
    pub summary: ImportSummary,
}

fn file_size(path: &Path) -> Result<u64> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| GraphError::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Headers of every input group, parsed up front (sequentially) so that
/// all names from headers and arguments are interned before parallel reads.
struct Plan {
    node_headers: Vec<Header>,
    rel_headers: Vec<Header>,
    spaces: IdSpaces,
    total_bytes: u64,
}

/// Declares an index on (label, key) for every `key:ID(...)` column of a
/// node file, for each label the file's nodes all carry, so that `{id: x}`
/// is a seek; named `index_<Label>_<key>` as `CREATE INDEX` would name it,
/// and dropped like any index.
fn add_id_indexes(config: &ImportConfig, plan: &Plan, catalog: &mut Catalog) {
    for (input, header) in config.nodes.iter().zip(&plan.node_headers) {
        let Some(key) = header.columns.iter().find_map(|c| match c {
            header::Column::Id { key: Some(k), .. } => Some(*k),
            _ => None,
        }) else {
            continue;
        };
        for l in &input.labels {
            let Some(label) = catalog.label_id(l) else {
                continue;
            };
            if catalog.has_index(label, key) {
                continue;
            }
            let name = format!(
                "index_{l}_{}",
                catalog.prop_key_name(key).unwrap_or_default()
            );
            catalog
                .indexes
                .push(crate::catalog::IndexDef { name, label, key });
        }
    }
}

fn plan(config: &ImportConfig, catalog: &mut Catalog) -> Result<Plan> {
    let mut spaces = IdSpaces::default();
    let mut total_bytes = 0;
    let mut node_headers = Vec::new();
    for input in &config.nodes {
        let fields = read::read_header_fields(config, &input.files[0])?;
        node_headers.push(parse_header(
            &input.files[0],
            &fields,
            FileKind::Nodes,
            catalog,
            &mut spaces,
        )?);
        for l in &input.labels {
            catalog.intern_label(l);
        }
        for f in &input.files {
            total_bytes += file_size(f)?;
        }
    }
    let mut rel_headers = Vec::new();
    for input in &config.relationships {
        let fields = read::read_header_fields(config, &input.files[0])?;
        rel_headers.push(parse_header(
            &input.files[0],
            &fields,
            FileKind::Relationships,
            catalog,
            &mut spaces,
        )?);
        if let Some(t) = &input.rel_type {
            catalog.intern_rel_type(t);
        }
        for f in &input.files {
            total_bytes += file_size(f)?;
        }
    }
    Ok(Plan {
        node_headers,
        rel_headers,
        spaces,
        total_bytes,
    })
}

/// Reads all input files into records. Does not touch any database.
///
/// ```no_run
/// use relgraph_graph::import::{read_records, ImportConfig, NodeInput};
/// let config = ImportConfig { nodes: vec![NodeInput::parse("Person=people.csv")?], ..Default::default() };
/// let records = read_records(&config, None)?;
/// println!("{} nodes", records.nodes.len());
/// # Ok::<(), relgraph_graph::GraphError>(())
/// ```
pub fn read_records(
    config: &ImportConfig,
    progress: Option<ProgressFn<'_>>,
) -> Result<ImportedRecords> {
    let mut sink = Records::default();
    let (catalog, summary) = stream_records(config, progress, &mut sink)?;
    Ok(ImportedRecords {
        catalog,
        nodes: sink.nodes,
        rels: sink.rels,
        summary,
    })
}

/// Reads `unit` on its own thread with `read` (which hands over batches),
/// consuming each batch on the calling thread as it arrives. The first
/// error wins: the consumer's, else the reader's.
fn pipelined<T: Send>(
    read: impl FnOnce(&mut dyn FnMut(T) -> Result<()>) -> Result<()> + Send,
    mut consume: impl FnMut(T) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<T>(2);
        let reader = scope.spawn(move || {
            read(&mut |batch| {
                tx.send(batch)
                    .map_err(|_| GraphError::Invalid("import stopped".into()))
            })
        });
        let consumed = rx.iter().try_for_each(&mut consume);
        drop(rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(GraphError::Storage("an import reader panicked".into())));
        consumed.and(read)
    })
}

/// Reads every input file, in order, one file at a time and a batch at a
/// time, and hands the records to `sink` with their final ids. Memory holds
/// the id maps and a few batches, not the files.
pub(crate) fn stream_records(
    config: &ImportConfig,
    progress: Option<ProgressFn<'_>>,
    sink: &mut dyn RecordSink,
) -> Result<(Catalog, ImportSummary)> {
    let start = Instant::now();
    if config.delimiter == config.array_delimiter {
        return Err(GraphError::Invalid(
            "the delimiter and the array delimiter must differ".into(),
        ));
    }
    let mut catalog = Catalog::default();
    let plan = plan(config, &mut catalog)?;
    let counters = Counters {
        rows: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        total_bytes: plan.total_bytes,
        callback: progress,
    };
    let mut summary = ImportSummary::default();
    let mut maps: Vec<IdMap> = (0..plan.spaces.names.len())
        .map(|_| IdMap::default())
        .collect();
    let mut next_node = 0u64;
    let mut label_counts: Vec<u64> = Vec::new();
    for (input, header) in config.nodes.iter().zip(&plan.node_headers) {
        let labels: Vec<LabelId> = input
            .labels
            .iter()
            .filter_map(|l| catalog.label_id(l))
            .collect();
        for (i, f) in input.files.iter().enumerate() {
            let unit = Unit {
                file: f.clone(),
                header,
                has_header: i == 0,
                labels: labels.clone(),
                rel_type: None,
            };
            let counters = &counters;
            pipelined(
                |emit| read::read_nodes(config, &unit, counters, emit),
                |chunk: read::NodeChunk| {
                    let local: Vec<LabelId> = chunk
                        .local_labels
                        .iter()
                        .map(|n| catalog.intern_label(n))
                        .collect();
                    for row in chunk.rows {
                        let id = NodeId(next_node);
                        if let Some((space, key)) = row.id {
                            if maps[space].insert(key.clone(), id).is_some() {
                                let column = unit.header.id.map(|c| c as u64 + 1).unwrap_or(1);
                                let shown = match &key {
                                    idmap::IdKey::Int(n) => n.to_string(),
                                    idmap::IdKey::Str(s) => format!("'{s}'"),
                                };
                                let space_name = match plan.spaces.names[space].as_str() {
                                    "" => "the default id space".to_string(),
                                    s => format!("id space {s}"),
                                };
                                let reason = format!("duplicate node id {shown} in {space_name}");
                                if config.skip_duplicate_nodes {
                                    summary.skipped_nodes += 1;
                                    if summary.skipped_examples.len() < MAX_EXAMPLES {
                                        summary.skipped_examples.push(format!(
                                            "{}:{}:{}: {}",
                                            unit.file.display(),
                                            row.line,
                                            column,
                                            reason
                                        ));
                                    }
                                    continue;
                                }
                                return Err(GraphError::Import {
                                    file: unit.file.clone(),
                                    line: row.line,
                                    column,
                                    reason,
                                });
                            }
                        }
                        let mut labels: Vec<LabelId> = row
                            .labels
                            .iter()
                            .map(|l| {
                                if l.0 & LOCAL != 0 {
                                    local[(l.0 & !LOCAL) as usize]
                                } else {
                                    *l
                                }
                            })
                            .collect();
                        labels.sort_unstable();
                        labels.dedup();
                        for l in &labels {
                            if label_counts.len() <= l.index() {
                                label_counts.resize(l.index() + 1, 0);
                            }
                            label_counts[l.index()] += 1;
                        }
                        let mut props = row.props;
                        props.sort_by_key(|(k, _)| *k);
                        props.dedup_by_key(|(k, _)| *k);
                        props.retain(|(_, v)| !v.is_null());
                        next_node += 1;
                        sink.push_node(NodeRecord { id, labels, props })?;
                    }
                    Ok(())
                },
            )?;
        }
    }

    // Relationships, against the finished id maps.
    let maps = maps;
    let mut next_rel = 0u64;
    let mut type_counts: Vec<u64> = Vec::new();
    for (input, header) in config.relationships.iter().zip(&plan.rel_headers) {
        let rel_type = input
            .rel_type
            .as_deref()
            .and_then(|t| catalog.rel_type_id(t));
        for (i, f) in input.files.iter().enumerate() {
            let unit = Unit {
                file: f.clone(),
                header,
                has_header: i == 0,
                labels: Vec::new(),
                rel_type,
            };
            let (counters, maps) = (&counters, &maps);
            pipelined(
                |emit| read::read_rels(config, &unit, maps, counters, emit),
                |chunk: read::RelChunk| {
                    let local: Vec<RelTypeId> = chunk
                        .local_types
                        .iter()
                        .map(|n| catalog.intern_rel_type(n))
                        .collect();
                    summary.skipped_relationships += chunk.skipped;
                    for e in chunk.examples {
                        if summary.skipped_examples.len() < MAX_EXAMPLES {
                            summary.skipped_examples.push(e);
                        }
                    }
                    for mut rel in chunk.rels {
                        rel.id = RelId(next_rel);
                        next_rel += 1;
                        if rel.rel_type.0 & LOCAL != 0 {
                            rel.rel_type = local[(rel.rel_type.0 & !LOCAL) as usize];
                        }
                        if type_counts.len() <= rel.rel_type.index() {
                            type_counts.resize(rel.rel_type.index() + 1, 0);
                        }
                        type_counts[rel.rel_type.index()] += 1;
                        rel.props.dedup_by_key(|(k, _)| *k);
                        rel.props.retain(|(_, v)| !v.is_null());
                        sink.push_rel(rel)?;
                    }
                    Ok(())
                },
            )?;
        }
    }

    add_id_indexes(config, &plan, &mut catalog);
    summary.nodes = next_node;
    summary.relationships = next_rel;
    for (i, c) in label_counts.iter().enumerate() {
        if let Some(name) = catalog.label_name(LabelId(i as u32)) {
            summary.labels.insert(name.to_string(), *c);
        }
    }
    for (i, c) in type_counts.iter().enumerate() {
        if let Some(name) = catalog.rel_type_name(RelTypeId(i as u32)) {
            summary.rel_types.insert(name.to_string(), *c);
        }
    }
    summary.rows = counters.rows.load(std::sync::atomic::Ordering::Relaxed);
    summary.bytes = counters.bytes.load(std::sync::atomic::Ordering::Relaxed);
    summary.read_time = start.elapsed();
    summary.elapsed = summary.read_time;
    Ok((catalog, summary))
}

fn report(progress: Option<ProgressFn<'_>>, phase: Phase, summary: &ImportSummary) {
    if let Some(cb) = progress {
        cb(&Progress {
            phase,
            rows: summary.rows,
            bytes: summary.bytes,
            total_bytes: summary.bytes,
        });
    }
}

/// Reads all input files and builds a snapshot (version 0) from them.
///
/// ```no_run
/// use relgraph_graph::import::{build_snapshot, ImportConfig, NodeInput};
/// let config = ImportConfig { nodes: vec![NodeInput::parse("Person=people.csv")?], ..Default::default() };
/// let (snapshot, _summary) = build_snapshot(&config, None)?;
/// println!("{} nodes", snapshot.node_count());
/// # Ok::<(), relgraph_graph::GraphError>(())
/// ```
pub fn build_snapshot(
    config: &ImportConfig,
    progress: Option<ProgressFn<'_>>,
) -> Result<(Snapshot, ImportSummary)> {
    let start = Instant::now();
    let records = read_records(config, progress)?;
    let mut summary = records.summary;
    report(progress, Phase::Building, &summary);
    let built = Instant::now();
    let snapshot = Snapshot::from_records(
        records.catalog,
        0,
        NodeId(records.nodes.len() as u64),
        RelId(records.rels.len() as u64),
        records.nodes,
        records.rels,
    )?;
    summary.build_time = built.elapsed();
    summary.elapsed = start.elapsed();
    Ok((snapshot, summary))
}

/// Imports the CSV files into a new database at `path`, which must not exist
/// or be an empty directory. Stale temporary directories left beside `path`
/// by killed imports are removed first. On any error no database is left at
/// `path`.
///
/// ```no_run
/// use relgraph_graph::import::{import, ImportConfig, NodeInput};
/// use relgraph_graph::store::OpenOptions;
/// let config = ImportConfig { nodes: vec![NodeInput::parse("Person=people.csv")?], ..Default::default() };
/// let (graph, summary) = import(std::path::Path::new("people.db"), &config, &OpenOptions::default(), None)?;
/// assert_eq!(graph.snapshot().node_count(), summary.nodes);
/// # Ok::<(), relgraph_graph::GraphError>(())
/// ```
pub fn import(
    path: &Path,
    config: &ImportConfig,
    options: &OpenOptions,
    progress: Option<ProgressFn<'_>>,
) -> Result<(Graph, ImportSummary)> {
    let start = Instant::now();
    check_target(path)?;
    remove_stale_temp_dirs(path)?;
    let (graph, mut summary) = Graph::create_streamed(
        path,
        options,
        |sink| {
            let (catalog, summary) = stream_records(config, progress, sink)?;
            report(progress, Phase::Building, &summary);
            Ok::<_, GraphError>((catalog, summary))
        },
        |summary| report(progress, Phase::Writing, summary),
    )?;
    // Reading and writing the records overlap; what is left after reading
    // is building adjacency, syncing and publishing.
    summary.elapsed = start.elapsed();
    summary.write_time = summary.elapsed.saturating_sub(summary.read_time);
    Ok((graph, summary))
}

/// Fails unless `path` is absent or an empty directory.
fn check_target(path: &Path) -> Result<()> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(GraphError::Invalid(format!(
                    "{} is not empty; import creates a new database and refuses to overwrite anything",
                    path.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if path.is_file() => Err(GraphError::Invalid(format!(
            "{} is a file, not a directory: {e}",
            path.display()
        ))),
        Err(source) => Err(GraphError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Removes `.<name>.importing-<pid>` directories beside `path` whose process
/// is gone: the remains of imports that were killed. Returns how many.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let target = dir.path().join("g.db");
/// // pid 0 never names an import process that is still running.
/// std::fs::create_dir(dir.path().join(".g.db.importing-0")).unwrap();
/// assert_eq!(relgraph_graph::import::remove_stale_temp_dirs(&target).unwrap(), 1);
/// ```
pub fn remove_stale_temp_dirs(path: &Path) -> Result<usize> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(0);
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.importing-", name.to_string_lossy());
    let entries = match std::fs::read_dir(parent) {
        Ok(e) => e,
        Err(_) => return Ok(0),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(pid) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let alive = pid
            .parse::<i32>()
            .ok()
            .filter(|p| *p > 0)
            .is_some_and(process_alive);
        if !alive {
            std::fs::remove_dir_all(entry.path()).map_err(|source| GraphError::Io {
                path: entry.path(),
                source,
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn process_alive(pid: i32) -> bool {
    if pid as u32 == std::process::id() {
        return true;
    }
    // SAFETY: kill with signal 0 sends nothing; it only checks that the
    // process exists (EPERM means it exists but belongs to someone else).
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
