//! Sinks for generated rows: a counter, a streaming CSV writer and a
//! record builder (into memory or a new database).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use relgraph_graph::catalog::IndexDef;
use relgraph_graph::record::{NodeRecord, RecordSink as RecordTarget, Records, RelRecord};
use relgraph_graph::temporal::Date;
use relgraph_graph::{Catalog, NodeId, PropKeyId, RelId, Value};

use crate::dates::iso_date;
use crate::model::{Prop, Sink};
use crate::schema::{IdSpace, NodeFile, RelFile};
use crate::{DatagenError, Result};

/// Counts of what was generated.
///
/// ```
/// let s = relgraph_datagen::Summary::default();
/// assert_eq!(s.nodes + s.relationships, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Total nodes.
    pub nodes: u64,
    /// Total relationships.
    pub relationships: u64,
    /// Nodes per label.
    pub nodes_by_label: BTreeMap<String, u64>,
    /// Relationships per type.
    pub relationships_by_type: BTreeMap<String, u64>,
}

/// A [`Sink`] that only counts (cheap: useful to size a scale factor).
///
/// ```
/// use relgraph_datagen::{Config, Counter, generate};
/// let mut c = Counter::default();
/// generate(&Config::new(0.01, 3).unwrap(), &mut c).unwrap();
/// assert_eq!(c.summary().nodes_by_label["Meta"], 1);
/// ```
#[derive(Debug, Default)]
pub struct Counter {
    summary: Summary,
    labels: &'static [&'static str],
    rel_type: &'static str,
}

impl Counter {
    /// The counts so far.
    pub fn summary(&self) -> Summary {
        self.summary.clone()
    }
}

impl Sink for Counter {
    fn begin_nodes(&mut self, file: &'static NodeFile) -> Result<()> {
        self.labels = file.labels;
        for l in file.labels {
            self.summary
                .nodes_by_label
                .entry((*l).to_string())
                .or_insert(0);
        }
        Ok(())
    }

    fn node(&mut self, _id: u64, _props: &[Prop]) -> Result<()> {
        self.summary.nodes += 1;
        for l in self.labels {
            *self
                .summary
                .nodes_by_label
                .entry((*l).to_string())
                .or_insert(0) += 1;
        }
        Ok(())
    }

    fn begin_rels(&mut self, file: &'static RelFile) -> Result<()> {
        self.rel_type = file.rel_type;
        self.summary
            .relationships_by_type
            .entry(file.rel_type.to_string())
            .or_insert(0);
        Ok(())
    }

    fn rel(&mut self, _start: u64, _end: u64, _props: &[Prop]) -> Result<()> {
        self.summary.relationships += 1;
        *self
            .summary
            .relationships_by_type
            .entry(self.rel_type.to_string())
            .or_insert(0) += 1;
        Ok(())
    }
}

/// A [`Sink`] that streams rows into neo4j-admin CSV files in a directory,
/// one file per [`NodeFile`] / [`RelFile`].
///
/// ```
/// use relgraph_datagen::{generate, Config, CsvSink};
/// let dir = tempfile::tempdir().unwrap();
/// let mut sink = CsvSink::new(dir.path());
/// generate(&Config::new(0.01, 1).unwrap(), &mut sink).unwrap();
/// let meta = std::fs::read_to_string(dir.path().join("meta.csv")).unwrap();
/// assert_eq!(meta, "id:ID(Meta),today:date\n0,2024-06-30\n");
/// ```
pub struct CsvSink {
    dir: PathBuf,
    current: Option<(PathBuf, csv::Writer<BufWriter<File>>)>,
    row: Vec<String>,
    counter: Counter,
}

impl CsvSink {
    /// A sink writing into `dir` (which must exist).
    pub fn new(dir: &Path) -> CsvSink {
        CsvSink {
            dir: dir.to_path_buf(),
            current: None,
            row: Vec::new(),
            counter: Counter::default(),
        }
    }

    /// What has been written.
    pub fn summary(&self) -> Summary {
        self.counter.summary()
    }

    fn open(&mut self, file: &str, header: Vec<String>) -> Result<()> {
        self.close()?;
        let path = self.dir.join(file);
        let f = File::create(&path).map_err(|source| DatagenError::Io {
            path: path.clone(),
            source,
        })?;
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, f));
        w.write_record(&header)
            .map_err(|source| DatagenError::Csv {
                path: path.clone(),
                source,
            })?;
        self.current = Some((path, w));
        Ok(())
    }

    fn close(&mut self) -> Result<()> {
        if let Some((path, mut w)) = self.current.take() {
            w.flush()
                .map_err(|source| DatagenError::Io { path, source })?;
        }
        Ok(())
    }

    fn write_row(&mut self) -> Result<()> {
        if let Some((path, w)) = self.current.as_mut() {
            w.write_record(&self.row)
                .map_err(|source| DatagenError::Csv {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

fn prop_text(p: &Prop) -> String {
    match p {
        Prop::Int(i) => i.to_string(),
        Prop::Float(f) => f.to_string(),
        Prop::Str(s) => s.clone(),
        Prop::Bool(b) => b.to_string(),
        Prop::Date(d) => iso_date(*d),
    }
}

impl Sink for CsvSink {
    fn begin_nodes(&mut self, file: &'static NodeFile) -> Result<()> {
        let mut header = vec![format!("id:ID({})", file.space.name())];
        header.extend(
            file.columns
                .iter()
                .map(|(n, t)| format!("{n}{}", t.header_suffix())),
        );
        self.open(file.file, header)?;
        self.counter.begin_nodes(file)
    }

    fn node(&mut self, id: u64, props: &[Prop]) -> Result<()> {
        self.row.clear();
        self.row.push(id.to_string());
        self.row.extend(props.iter().map(prop_text));
        self.write_row()?;
        self.counter.node(id, props)
    }

    fn begin_rels(&mut self, file: &'static RelFile) -> Result<()> {
        let mut header = vec![
            format!(":START_ID({})", file.start.name()),
            format!(":END_ID({})", file.end.name()),
        ];
        header.extend(
            file.columns
                .iter()
                .map(|(n, t)| format!("{n}{}", t.header_suffix())),
        );
        self.open(file.file, header)?;
        self.counter.begin_rels(file)
    }

    fn rel(&mut self, start: u64, end: u64, props: &[Prop]) -> Result<()> {
        self.row.clear();
        self.row.push(start.to_string());
        self.row.push(end.to_string());
        self.row.extend(props.iter().map(prop_text));
        self.write_row()?;
        self.counter.rel(start, end, props)
    }

    fn finish(&mut self) -> Result<()> {
        self.close()
    }
}

/// The generated graph as records, ready for `Snapshot::from_records`
/// (see [`crate::records`] for an example).
/// Node ids are dense in generation order; every node also has its
/// id-space id as the integer property `id` (as `relgraph import
/// --id-type=integer` stores it).
#[derive(Debug)]
pub struct GeneratedGraph {
    /// Interned labels, types and keys.
    pub catalog: Catalog,
    /// Nodes, ids `0..nodes.len()`.
    pub nodes: Vec<NodeRecord>,
    /// Relationships, ids `0..rels.len()`.
    pub rels: Vec<RelRecord>,
    /// Counts.
    pub summary: Summary,
}

/// A [`Sink`] that turns the generated rows into [`NodeRecord`]s and
/// [`RelRecord`]s (dense ids in generation order, interned names, the
/// id-space id as property `id`) and hands them to a
/// [`relgraph_graph::record::RecordSink`]: by default [`Records`], in
/// memory; [`crate::create_database`] streams them into a new database
/// instead.
///
/// ```
/// use relgraph_datagen::{generate, Config, RecordSink};
/// let mut sink = RecordSink::default();
/// generate(&Config::new(0.01, 1).unwrap(), &mut sink).unwrap();
/// let g = sink.into_graph();
/// assert!(g.catalog.label_id("Person").is_some());
///
/// // Any record sink: here one that keeps the relationships only.
/// use relgraph_graph::record::{NodeRecord, RelRecord};
/// #[derive(Default)]
/// struct Rels(Vec<RelRecord>);
/// impl relgraph_graph::record::RecordSink for Rels {
///     fn push_node(&mut self, _: NodeRecord) -> relgraph_graph::Result<()> { Ok(()) }
///     fn push_rel(&mut self, r: RelRecord) -> relgraph_graph::Result<()> { self.0.push(r); Ok(()) }
/// }
/// let mut sink = RecordSink::new(Rels::default());
/// generate(&Config::new(0.01, 1).unwrap(), &mut sink).unwrap();
/// let (_catalog, rels, summary) = sink.into_parts();
/// assert_eq!(rels.0.len() as u64, summary.relationships);
/// ```
pub struct RecordSink<T = Records> {
    out: T,
    catalog: Catalog,
    next_node: u64,
    next_rel: u64,
    ids: HashMap<(IdSpace, u64), NodeId>,
    node_file: Option<&'static NodeFile>,
    rel_file: Option<&'static RelFile>,
    labels: Vec<relgraph_graph::LabelId>,
    keys: Vec<PropKeyId>,
    id_key: Option<PropKeyId>,
    rel_type: Option<relgraph_graph::RelTypeId>,
    counter: Counter,
}

impl Default for RecordSink<Records> {
    fn default() -> Self {
        RecordSink::new(Records::default())
    }
}

impl RecordSink<Records> {
    /// The records built so far.
    pub fn into_graph(self) -> GeneratedGraph {
        let (catalog, records, summary) = self.into_parts();
        GeneratedGraph {
            catalog,
            nodes: records.nodes,
            rels: records.rels,
            summary,
        }
    }
}

impl<T: RecordTarget> RecordSink<T> {
    /// A sink handing its records to `out`.
    pub fn new(out: T) -> Self {
        RecordSink {
            out,
            catalog: Catalog::default(),
            next_node: 0,
            next_rel: 0,
            ids: HashMap::new(),
            node_file: None,
            rel_file: None,
            labels: Vec::new(),
            keys: Vec::new(),
            id_key: None,
            rel_type: None,
            counter: Counter::default(),
        }
    }

    /// The catalog naming the records' labels, types and keys, the record
    /// sink, and the counts of what was built.
    pub fn into_parts(self) -> (Catalog, T, Summary) {
        let summary = self.counter.summary();
        (self.catalog, self.out, summary)
    }

    fn props(
        &self,
        keys: &[PropKeyId],
        props: &[Prop],
        extra: Option<(PropKeyId, Value)>,
    ) -> Vec<(PropKeyId, Value)> {
        let mut out: Vec<(PropKeyId, Value)> = extra.into_iter().collect();
        out.extend(keys.iter().zip(props).map(|(k, p)| (*k, prop_value(p))));
        out.sort_by_key(|(k, _)| *k);
        out
    }

    fn node_id(&self, space: IdSpace, id: u64) -> Result<NodeId> {
        self.ids
            .get(&(space, id))
            .copied()
            .ok_or(DatagenError::DanglingRelationship {
                space: space.name(),
                id,
            })
    }
}

fn prop_value(p: &Prop) -> Value {
    match p {
        Prop::Int(i) => Value::Int(*i),
        Prop::Float(f) => Value::Float(*f),
        Prop::Str(s) => Value::String(Arc::from(s.as_str())),
        Prop::Bool(b) => Value::Bool(*b),
        Prop::Date(d) => Value::Date(Date { days: *d }),
    }
}

impl<T: RecordTarget> Sink for RecordSink<T> {
    fn begin_nodes(&mut self, file: &'static NodeFile) -> Result<()> {
        self.node_file = Some(file);
        let mut labels: Vec<_> = file
            .labels
            .iter()
            .map(|l| self.catalog.intern_label(l))
            .collect();
        labels.sort();
        labels.dedup();
        self.labels = labels;
        self.keys = file
            .columns
            .iter()
            .map(|(n, _)| self.catalog.intern_prop_key(n))
            .collect();
        let id_key = self.catalog.intern_prop_key("id");
        self.id_key = Some(id_key);
        // Every `id:ID(...)` column is indexed, as `relgraph import`
        // indexes the same files: `{id: x}` is a seek in a generated
        // database too.
        for name in file.labels {
            let label = self.catalog.intern_label(name);
            if !self.catalog.has_index(label, id_key) {
                self.catalog.indexes.push(IndexDef {
                    name: format!("index_{name}_id"),
                    label,
                    key: id_key,
                });
            }
        }
        self.counter.begin_nodes(file)
    }

    fn node(&mut self, id: u64, props: &[Prop]) -> Result<()> {
        let (Some(file), Some(id_key)) = (self.node_file, self.id_key) else {
            return Ok(());
        };
        let node = NodeId(self.next_node);
        self.ids.insert((file.space, id), node);
        let props = self.props(&self.keys, props, Some((id_key, Value::Int(id as i64))));
        self.out.push_node(NodeRecord {
            id: node,
            labels: self.labels.clone(),
            props,
        })?;
        self.next_node += 1;
        self.counter.node(id, &[])
    }

    fn begin_rels(&mut self, file: &'static RelFile) -> Result<()> {
        self.rel_file = Some(file);
        self.rel_type = Some(self.catalog.intern_rel_type(file.rel_type));
        self.keys = file
            .columns
            .iter()
            .map(|(n, _)| self.catalog.intern_prop_key(n))
            .collect();
        self.counter.begin_rels(file)
    }

    fn rel(&mut self, start: u64, end: u64, props: &[Prop]) -> Result<()> {
        let (Some(file), Some(rel_type)) = (self.rel_file, self.rel_type) else {
            return Ok(());
        };
        let src = self.node_id(file.start, start)?;
        let dst = self.node_id(file.end, end)?;
        let props = self.props(&self.keys, props, None);
        self.out.push_rel(RelRecord {
            id: RelId(self.next_rel),
            rel_type,
            src,
            dst,
            props,
        })?;
        self.next_rel += 1;
        self.counter.rel(start, end, &[])
    }
}
