//! Reading one CSV file of nodes or relationships into batches of rows. A
//! file is read on its own thread against read-only state and handed over
//! in batches of [`BATCH_ROWS`] rows, so memory holds a few batches, never
//! a whole file: names that only appear inside a file (`:LABEL` and
//! `:TYPE` values) are numbered per file, and every batch carries the
//! file's names so far, which the consumer maps to catalog ids in file
//! order, so ids do not depend on thread timing.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use csv::{ByteRecord, Reader, ReaderBuilder};

use super::field::parse_field;
use super::header::{Column, Header};
use super::idmap::{IdKey, IdMap};
use super::{IdType, ImportConfig, Phase, Progress, ProgressFn};
use crate::error::{GraphError, Result};
use crate::ids::{LabelId, NodeId, PropKeyId, RelId, RelTypeId};
use crate::record::RelRecord;
use crate::value::Value;

/// The bit that marks a label or type id as local to one file.
pub(crate) const LOCAL: u32 = 1 << 31;

/// How often (in rows) a reader publishes progress.
const PROGRESS_EVERY: u64 = 16 * 1024;
/// Rows per batch handed to the consumer.
pub(crate) const BATCH_ROWS: usize = 16 * 1024;

/// One file to read with the header of its group.
pub(crate) struct Unit<'h> {
    pub file: PathBuf,
    pub header: &'h Header,
    /// True when the file's first line is the header (skip it).
    pub has_header: bool,
    /// Labels from `--nodes Label=...` (node files).
    pub labels: Vec<LabelId>,
    /// Type from `--relationships TYPE=...` (relationship files).
    pub rel_type: Option<RelTypeId>,
}

/// Names seen inside one file, numbered locally.
#[derive(Default)]
pub(crate) struct LocalNames {
    pub names: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl LocalNames {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(i) = self.index.get(name) {
            return *i | LOCAL;
        }
        let i = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i | LOCAL
    }
}

/// A node row before its id is assigned.
pub(crate) struct NodeRow {
    pub line: u64,
    /// The import id and its space.
    pub id: Option<(usize, IdKey)>,
    pub labels: Vec<LabelId>,
    pub props: Vec<(PropKeyId, Value)>,
}

/// A batch of rows of one node file, with the file's local label names so far.
pub(crate) struct NodeChunk {
    pub rows: Vec<NodeRow>,
    pub local_labels: Vec<Box<str>>,
}

/// A batch of relationships of one file (ids and local types not yet
/// assigned), with the file's local type names so far and the rows skipped
/// since the previous batch.
pub(crate) struct RelChunk {
    pub rels: Vec<RelRecord>,
    pub local_types: Vec<Box<str>>,
    pub skipped: u64,
    pub examples: Vec<String>,
}

/// Shared counters behind the progress callback.
pub(crate) struct Counters<'a> {
    pub rows: AtomicU64,
    pub bytes: AtomicU64,
    pub total_bytes: u64,
    pub callback: Option<ProgressFn<'a>>,
}

impl Counters<'_> {
    pub(crate) fn add(&self, phase: Phase, rows: u64, bytes: u64) {
        let rows = self.rows.fetch_add(rows, Ordering::Relaxed) + rows;
        let bytes = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(cb) = self.callback {
            cb(&Progress {
                phase,
                rows,
                bytes,
                total_bytes: self.total_bytes,
            });
        }
    }
}

/// The default for [`ImportConfig::max_field_size`](super::ImportConfig::max_field_size):
/// most bytes one field of an import file may hold (16 MiB). A longer field
/// (a quote that is never closed swallowing the rest of the file, a runaway
/// line) is an import error naming where it starts, never an unbounded
/// allocation.
///
/// ```
/// use relgraph_graph::import::{ImportConfig, DEFAULT_MAX_FIELD_SIZE};
/// assert_eq!(ImportConfig::default().max_field_size, DEFAULT_MAX_FIELD_SIZE);
/// assert_eq!(DEFAULT_MAX_FIELD_SIZE, 16 * 1024 * 1024);
/// ```
pub const DEFAULT_MAX_FIELD_SIZE: u64 = 16 << 20;

/// A field the CSV parser must not be handed: where it starts, and why.
#[derive(Debug)]
struct FieldError {
    line: u64,
    column: u64,
    reason: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.reason
        )
    }
}

impl std::error::Error for FieldError {}

/// Where the [`FieldGuard`] is within the CSV text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lex {
    /// At the start of a field.
    Start,
    /// Inside a field that does not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field (closing, or the first of
    /// a doubled quote).
    QuoteInQuoted,
}

/// Passes the bytes of a CSV file through to the parser while following
/// its quoting (RFC 4180, as the `csv` crate reads it), so that a quoted
/// field still open at the end of the file, or any field longer than
/// `max_field` bytes, is an error naming the line and column (field
/// number) where it starts. The `csv` crate accepts the first and buffers
/// the second whole.
pub(crate) struct FieldGuard<R> {
    inner: R,
    quote: u8,
    delimiter: u8,
    max_field: u64,
    lex: Lex,
    /// Current line (1-based; every `\n` counts, as in `csv`'s positions).
    line: u64,
    /// Current field number within the record (1-based).
    column: u64,
    /// Bytes of the current field so far, and where it started.
    field_len: u64,
    field_line: u64,
}

impl<R> FieldGuard<R> {
    fn new(inner: R, config: &ImportConfig, max_field: u64) -> Self {
        FieldGuard {
            inner,
            quote: config.quote,
            delimiter: config.delimiter,
            max_field,
            lex: Lex::Start,
            line: 1,
            column: 1,
            field_len: 0,
            field_line: 1,
        }
    }

    fn error(&self, reason: String) -> std::io::Error {
        std::io::Error::other(FieldError {
            line: self.field_line,
            column: self.column,
            reason,
        })
    }

    /// Follows `bytes`; an error once a field grows past the maximum.
    fn scan(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        for &b in bytes {
            let end_of_field = match self.lex {
                Lex::Quoted => {
                    if b == self.quote {
                        self.lex = Lex::QuoteInQuoted;
                    }
                    false
                }
                Lex::QuoteInQuoted if b == self.quote => {
                    self.lex = Lex::Quoted;
                    false
                }
                _ if b == self.delimiter || b == b'\n' || b == b'\r' => true,
                Lex::Start => {
                    self.field_line = self.line;
                    self.lex = if b == self.quote {
                        Lex::Quoted
                    } else {
                        Lex::Unquoted
                    };
                    false
                }
                Lex::Unquoted | Lex::QuoteInQuoted => {
                    self.lex = Lex::Unquoted;
                    false
                }
            };
            if end_of_field {
                if b == self.delimiter {
                    self.column += 1;
                } else {
                    self.column = 1;
                }
                self.lex = Lex::Start;
                self.field_len = 0;
            } else {
                self.field_len += 1;
                if self.field_len > self.max_field {
                    return Err(self.error(format!(
                        "a field is longer than {} bytes (the most an import field may hold){}",
                        self.max_field,
                        if matches!(self.lex, Lex::Quoted | Lex::QuoteInQuoted) {
                            "; is a closing quote missing?"
                        } else {
                            ""
                        }
                    )));
                }
            }
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(())
    }
}

impl<R: std::io::Read> std::io::Read for FieldGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.lex == Lex::Quoted {
            return Err(self.error(
                "a quoted field is never closed: its quote runs to the end of the file".into(),
            ));
        }
        self.scan(&buf[..n])?;
        Ok(n)
    }
}

/// A CSV reader over an import file.
pub(crate) type CsvReader = Reader<FieldGuard<BufReader<File>>>;

/// Opens a CSV reader with the configured dialect.
pub(crate) fn open_reader(config: &ImportConfig, file: &Path) -> Result<CsvReader> {
    let f = File::open(file).map_err(|source| GraphError::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let input = FieldGuard::new(
        BufReader::with_capacity(256 * 1024, f),
        config,
        config.max_field_size,
    );
    Ok(ReaderBuilder::new()
        .delimiter(config.delimiter)
        .quote(config.quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(input))
}

/// Reads the first record of `file` as header fields.
pub(crate) fn read_header_fields(config: &ImportConfig, file: &Path) -> Result<Vec<String>> {
    let mut reader = open_reader(config, file)?;
    let mut rec = ByteRecord::new();
    let found = reader
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(file, e))?;
    if !found {
        return Err(GraphError::Import {
            file: file.to_path_buf(),
            line: 1,
            column: 1,
            reason: "the file is empty; expected a header line".into(),
        });
    }
    rec.iter()
        .enumerate()
        .map(|(i, f)| {
            std::str::from_utf8(f)
                .map(str::to_string)
                .map_err(|_| GraphError::Import {
                    file: file.to_path_buf(),
                    line: 1,
                    column: i as u64 + 1,
                    reason: "header is not valid UTF-8".into(),
                })
        })
        .collect()
}

fn csv_error(file: &Path, e: csv::Error) -> GraphError {
    let (line, reason) = match e.kind() {
        csv::ErrorKind::Io(err) => {
            if let Some(f) = err.get_ref().and_then(|e| e.downcast_ref::<FieldError>()) {
                return GraphError::Import {
                    file: file.to_path_buf(),
                    line: f.line,
                    column: f.column,
                    reason: f.reason.clone(),
                };
            }
            return GraphError::Io {
                path: file.to_path_buf(),
                source: std::io::Error::new(err.kind(), err.to_string()),
            };
        }
        _ => (e.position().map(|p| p.line()).unwrap_or(0), e.to_string()),
    };
    GraphError::Import {
        file: file.to_path_buf(),
        line,
        column: 1,
        reason,
    }
}

/// Iterates a file's data records, publishing progress; calls `row` with
/// each record and its line number.
fn for_each_record(
    config: &ImportConfig,
    unit: &Unit<'_>,
    phase: Phase,
    counters: &Counters<'_>,
    mut row: impl FnMut(&ByteRecord, u64) -> Result<()>,
) -> Result<()> {
    let mut reader = open_reader(config, &unit.file)?;
    let mut rec = ByteRecord::new();
    if unit.has_header {
        reader
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(&unit.file, e))?;
    }
    let (mut rows, mut last_bytes) = (0u64, 0u64);
    loop {
        let more = reader
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(&unit.file, e))?;
        if !more {
            break;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        row(&rec, line)?;
        rows += 1;
        if rows % PROGRESS_EVERY == 0 {
            let bytes = reader.position().byte();
            counters.add(phase, PROGRESS_EVERY, bytes - last_bytes);
            last_bytes = bytes;
        }
    }
    let bytes = reader.position().byte();
    counters.add(phase, rows % PROGRESS_EVERY, bytes - last_bytes);
    Ok(())
}

/// Checks a record's field count: `Err((column, reason))` when wrong.
fn check_len(rec: &ByteRecord, header: &Header) -> std::result::Result<(), (usize, String)> {
    let expected = header.columns.len();
    if rec.len() == expected {
        return Ok(());
    }
    Err((
        rec.len().min(expected),
        format!("expected {expected} fields, found {}", rec.len()),
    ))
}

fn parse_id(bytes: &[u8], id_type: IdType) -> std::result::Result<IdKey, String> {
    let s = std::str::from_utf8(bytes).map_err(|_| "id is not valid UTF-8".to_string())?;
    if s.is_empty() {
        return Err("empty id".into());
    }
    match id_type {
        IdType::Integer => s
            .trim()
            .parse()
            .map(IdKey::Int)
            .map_err(|_| format!("'{s}' is not an integer id (--id-type integer)")),
        IdType::String => Ok(IdKey::Str(s.into())),
    }
}

/// Reads a node file, handing its rows to `emit` in batches.
pub(crate) fn read_nodes(
    config: &ImportConfig,
    unit: &Unit<'_>,
    counters: &Counters<'_>,
    emit: &mut dyn FnMut(NodeChunk) -> Result<()>,
) -> Result<()> {
    let mut local_labels = LocalNames::default();
    let mut rows: Vec<NodeRow> = Vec::with_capacity(BATCH_ROWS);
    let err = |line, column: usize, reason| GraphError::Import {
        file: unit.file.clone(),
        line,
        column: column as u64 + 1,
        reason,
    };
    for_each_record(config, unit, Phase::Nodes, counters, |rec, line| {
        check_len(rec, unit.header).map_err(|(i, r)| err(line, i, r))?;
        let mut row = NodeRow {
            line,
            id: None,
            labels: unit.labels.clone(),
            props: Vec::with_capacity(rec.len()),
        };
        for (i, (field, column)) in rec.iter().zip(&unit.header.columns).enumerate() {
            match column {
                Column::Id { space, key } => {
                    let id = parse_id(field, config.id_type).map_err(|r| err(line, i, r))?;
                    if let Some(key) = key {
                        let v = match &id {
                            IdKey::Int(n) => Value::Int(*n),
                            IdKey::Str(s) => Value::String(std::sync::Arc::from(&**s)),
                        };
                        row.props.push((*key, v));
                    }
                    row.id = Some((*space, id));
                }
                Column::Property { key, ty } => {
                    if !field.is_empty() {
                        let v = parse_field(field, *ty, config.array_delimiter)
                            .map_err(|r| err(line, i, r))?;
                        row.props.push((*key, v));
                    }
                }
                Column::Label => {
                    for name in field.split(|b| *b == config.array_delimiter) {
                        let name = std::str::from_utf8(name)
                            .map_err(|_| err(line, i, "label is not valid UTF-8".into()))?
                            .trim();
                        if !name.is_empty() {
                            row.labels.push(LabelId(local_labels.intern(name)));
                        }
                    }
                }
                // parse_header rejects relationship columns in node files.
                Column::Ignore | Column::StartId { .. } | Column::EndId { .. } | Column::Type => {}
            }
        }
        rows.push(row);
        if rows.len() >= BATCH_ROWS {
            emit(NodeChunk {
                rows: std::mem::replace(&mut rows, Vec::with_capacity(BATCH_ROWS)),
                local_labels: local_labels.names.clone(),
            })?;
        }
        Ok(())
    })?;
    emit(NodeChunk {
        rows,
        local_labels: local_labels.names,
    })
}

/// Reads a relationship file, resolving endpoints through the id maps and
/// handing the relationships to `emit` in batches.
pub(crate) fn read_rels(
    config: &ImportConfig,
    unit: &Unit<'_>,
    maps: &[IdMap],
    counters: &Counters<'_>,
    emit: &mut dyn FnMut(RelChunk) -> Result<()>,
) -> Result<()> {
    let mut local_types = LocalNames::default();
    let mut rels: Vec<RelRecord> = Vec::with_capacity(BATCH_ROWS);
    let resolve = |field: &[u8], space: usize| -> std::result::Result<NodeId, String> {
        let key = parse_id(field, config.id_type)?;
        let map = maps.get(space);
        let found = match &key {
            IdKey::Int(n) => map.and_then(|m| m.get_int(*n)),
            IdKey::Str(s) => map.and_then(|m| m.get_str(s)),
        };
        found.ok_or_else(|| match key {
            IdKey::Int(n) => format!("unknown node id {n}"),
            IdKey::Str(s) => format!("unknown node id '{s}'"),
        })
    };
    let mut examples = Vec::new();
    let mut skipped = 0u64;
    let file = unit.file.clone();
    for_each_record(config, unit, Phase::Relationships, counters, |rec, line| {
        let mut rel = RelRecord {
            id: RelId(0),
            rel_type: RelTypeId(u32::MAX),
            src: NodeId(0),
            dst: NodeId(0),
            props: Vec::new(),
        };
        let mut has_type = unit.rel_type;
        let mut bad: Option<(usize, String)> = check_len(rec, unit.header).err();
        let fields = if bad.is_none() { rec.len() } else { 0 };
        for (i, (field, column)) in rec
            .iter()
            .zip(&unit.header.columns)
            .take(fields)
            .enumerate()
        {
            let r = match column {
                Column::StartId { space } => resolve(field, *space).map(|n| rel.src = n),
                Column::EndId { space } => resolve(field, *space).map(|n| rel.dst = n),
                Column::Property { key, ty } if !field.is_empty() => {
                    parse_field(field, *ty, config.array_delimiter)
                        .map(|v| rel.props.push((*key, v)))
                }
                Column::Type => match std::str::from_utf8(field) {
                    Ok(t) if !t.trim().is_empty() => {
                        has_type = Some(RelTypeId(local_types.intern(t.trim())));
                        Ok(())
                    }
                    Ok(_) => Ok(()),
                    Err(_) => Err("type is not valid UTF-8".into()),
                },
                _ => Ok(()),
            };
            if let Err(reason) = r {
                bad = Some((i, reason));
                break;
            }
        }
        if bad.is_none() {
            match has_type {
                Some(t) => rel.rel_type = t,
                None => {
                    let col = unit.header.columns.iter().position(|c| *c == Column::Type);
                    bad = Some((
                        col.unwrap_or(0),
                        "no relationship type (give --relationships TYPE=FILE or a :TYPE value)"
                            .into(),
                    ));
                }
            }
        }
        match bad {
            None => {
                rel.props.sort_by_key(|(k, _)| *k);
                rels.push(rel);
                if rels.len() >= BATCH_ROWS {
                    emit(RelChunk {
                        rels: std::mem::replace(&mut rels, Vec::with_capacity(BATCH_ROWS)),
                        local_types: local_types.names.clone(),
                        skipped: std::mem::take(&mut skipped),
                        examples: std::mem::take(&mut examples),
                    })?;
                }
                Ok(())
            }
            Some((i, reason)) if config.skip_bad_relationships => {
                skipped += 1;
                if examples.len() < super::MAX_EXAMPLES {
                    examples.push(format!("{}:{}:{}: {}", file.display(), line, i + 1, reason));
                }
                Ok(())
            }
            Some((i, reason)) => Err(GraphError::Import {
                file: file.clone(),
                line,
                column: i as u64 + 1,
                reason,
            }),
        }
    })?;
    emit(RelChunk {
        rels,
        local_types: local_types.names,
        skipped,
        examples,
    })
}
