//! relgraph: an embeddable relationship-graph query engine with its own
//! durable store.
//!
//! ```
//! use relgraph::{Database, Params};
//! let db = Database::in_memory();
//! db.query("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})", &Params::new()).unwrap();
//! let res = db.query("MATCH (a:Person)-[:KNOWS]->(b) RETURN a.name, b.name", &Params::new()).unwrap();
//! let row = res.rows().next().unwrap();
//! assert_eq!(row.get::<String>("a.name").unwrap(), "Ada");
//! assert_eq!(row.get::<String>("b.name").unwrap(), "Alan");
//! ```
//!
//! CONTRACT (shared with crates/tck, crates/cli, tests, examples): the public
//! signatures below stay.

#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use relgraph_cypher::ast::Statement;
use relgraph_exec::error::{ErrorKind, ExecError};
use relgraph_graph::{Graph, GraphError};

pub use relgraph_exec::procedures::{procedures, Procedure};
pub use relgraph_exec::procedures::{StandingInfo, StandingPart};
pub use relgraph_exec::result::{
    FromValue, NodeValue, PathValue, QueryResult, QueryStats, RelValue, ResultValue, Row, RowError,
    RowSink,
};
pub use relgraph_exec::QueryOptions;
pub use relgraph_graph::store::{Durability, OpenOptions};
/// The temporal values of [`Value`] and [`ResultValue`] (dates, times,
/// date-times, durations), to build parameters and read results.
pub use relgraph_graph::temporal;
pub use relgraph_graph::{NodeId, RelId, Snapshot, Value};
pub use standing::{
    Mode, Notification, RecvError, RegisterOptions, StandingError, StandingQueries, Subscription,
};

pub mod standing;

/// Query parameters by name.
pub type Params = BTreeMap<String, Value>;

/// When an error was detected, in openCypher TCK terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// While parsing, binding or planning (nothing ran).
    Compile,
    /// While running.
    Runtime,
}

/// Where in the query text an error points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// What failed, for callers that handle some failures differently from
/// others (the Python binding raises one exception class per cause).
///
/// ```
/// use relgraph::{Cause, Database, Params, QueryOptions};
/// let db = Database::in_memory();
/// let opts = QueryOptions { max_rows: Some(2), ..Default::default() };
/// let err = db.query_with("UNWIND range(1, 10) AS x RETURN x", &Params::new(), &opts).unwrap_err();
/// assert_eq!(err.cause, Cause::Limit);
/// let err = db.query("RETURN 1 +", &Params::new()).unwrap_err();
/// assert_eq!(err.cause, Cause::Query);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The statement itself: its syntax, meaning, types, arguments, or a
    /// constraint or property type its writes would break.
    Query,
    /// One of the statement's limits ([`QueryOptions`]: time, rows,
    /// memory, variable-length bound, query length) or a fixed one (stack,
    /// pattern length).
    Limit,
    /// The statement was cancelled through [`QueryOptions::cancel`].
    Cancelled,
    /// The statement's role may not do what it asked
    /// ([`Database::session`]).
    PermissionDenied,
    /// Another process holds the database open.
    Locked,
    /// Another write transaction held the write lock longer than
    /// [`OpenOptions::write_lock_timeout`].
    WriterBusy,
    /// The database itself: I/O, damaged or unsupported files, storage.
    Database,
}

/// Any relgraph error.
///
/// ```
/// use relgraph::{Database, Params, Phase};
/// let db = Database::in_memory();
/// let err = db.query("MATCH (n) RETURN m", &Params::new()).unwrap_err();
/// assert_eq!(err.kind, "SyntaxError");
/// assert_eq!(err.detail, Some("UndefinedVariable"));
/// assert_eq!(err.phase, Phase::Compile);
/// assert!(err.message.contains('^'));
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Rendered message (for query errors: with line, column and caret).
    pub message: String,
    /// TCK error type: SyntaxError, SemanticError, TypeError, ArgumentError,
    /// EntityNotFound, ConstraintVerificationFailed, ConstraintValidationFailed,
    /// DatabaseError, ...
    pub kind: &'static str,
    /// TCK detail code (e.g. `UndefinedVariable`), when one applies.
    pub detail: Option<&'static str>,
    /// When it was detected.
    pub phase: Phase,
    /// Where in the query text it points, when it points somewhere.
    pub position: Option<Position>,
    /// What failed.
    pub cause: Cause,
}

impl Error {
    fn from_parse(e: relgraph_cypher::ParseError, text: &str) -> Error {
        Error {
            message: e.render(text),
            kind: "SyntaxError",
            detail: e.detail,
            phase: Phase::Compile,
            position: Some(Position {
                line: e.line,
                column: e.column,
            }),
            cause: Cause::Query,
        }
    }

    fn from_exec(e: ExecError, text: &str) -> Error {
        let kind = match e.kind() {
            ErrorKind::Semantic {
                detail: "MissingParameter",
                ..
            } => "ParameterMissing",
            _ => e.tck_kind(),
        };
        let span = e.span();
        let (detail, phase) = match e.kind() {
            ErrorKind::Semantic { detail, .. } => (Some(*detail), Phase::Compile),
            ErrorKind::Unsupported { .. } => (Some("UnsupportedFeature"), Phase::Compile),
            ErrorKind::NotStanding { .. } => (Some("NotAStandingQuery"), Phase::Compile),
            ErrorKind::Type { detail, .. } | ErrorKind::Argument { detail, .. } => {
                (Some(*detail), Phase::Runtime)
            }
            ErrorKind::Graph(GraphError::NodeHasRelationships(_)) => {
                (Some("DeleteConnectedNode"), Phase::Runtime)
            }
            ErrorKind::Graph(GraphError::ConstraintViolation { .. }) => {
                (Some("UniquenessConstraintViolation"), Phase::Runtime)
            }
            _ => (None, Phase::Runtime),
        };
        let cause = match e.kind() {
            ErrorKind::Limit(_) => Cause::Limit,
            ErrorKind::Cancelled => Cause::Cancelled,
            ErrorKind::PermissionDenied(_) => Cause::PermissionDenied,
            ErrorKind::Graph(g) => Self::graph_cause(g),
            _ => Cause::Query,
        };
        let (message, position) = match span {
            Some(span) if span.end > span.start || span.start > 0 => {
                let (line, column) = relgraph_cypher::line_column(text, span.start);
                (
                    relgraph_cypher::render_caret(text, span, &e.to_string()),
                    Some(Position { line, column }),
                )
            }
            _ => (e.to_string(), None),
        };
        Error {
            message,
            kind,
            detail,
            phase,
            position,
            cause,
        }
    }

    fn database(message: String) -> Error {
        Error {
            message,
            kind: "DatabaseError",
            detail: None,
            phase: Phase::Runtime,
            position: None,
            cause: Cause::Database,
        }
    }

    /// What a graph error says failed.
    fn graph_cause(e: &GraphError) -> Cause {
        match e {
            GraphError::Locked { .. } => Cause::Locked,
            GraphError::WriterBusy { .. } => Cause::WriterBusy,
            GraphError::NodeHasRelationships(_)
            | GraphError::NodeNotFound(_)
            | GraphError::RelNotFound(_)
            | GraphError::ConstraintViolation { .. }
            | GraphError::InvalidProperty { .. }
            | GraphError::Invalid(_) => Cause::Query,
            _ => Cause::Database,
        }
    }

    fn from_graph(e: GraphError) -> Error {
        let kind = match &e {
            GraphError::ConstraintViolation { .. } => "ConstraintValidationFailed",
            GraphError::NodeHasRelationships(_) => "ConstraintVerificationFailed",
            _ => "DatabaseError",
        };
        Error {
            message: e.to_string(),
            kind,
            detail: None,
            phase: Phase::Runtime,
            position: None,
            cause: Self::graph_cause(&e),
        }
    }
}

/// relgraph's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Hands a collected result's rows to `sink`; the result keeps the rest.
fn hand_over(mut result: QueryResult, sink: &mut dyn RowSink) -> QueryResult {
    sink.columns(&result.columns);
    for row in std::mem::take(&mut result.rows) {
        if sink.row(row).is_break() {
            break;
        }
    }
    result
}

fn parse(text: &str) -> Result<Statement> {
    relgraph_cypher::parse(text).map_err(|e| Error::from_parse(e, text))
}

/// An open database. Cheap to share between threads by reference; every
/// read query runs on the latest committed snapshot without taking the
/// writer lock.
pub struct Database {
    graph: Graph,
    options: QueryOptions,
    standing: Arc<StandingQueries>,
}

impl Database {
    /// Opens or creates the database in `path`.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = relgraph::Database::open(dir.path().join("db")).unwrap();
    /// assert_eq!(db.snapshot().node_count(), 0);
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Self::open_with(path, &OpenOptions::default())
    }

    /// Opens with options.
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Database> {
        let graph = Graph::open_with(path.as_ref(), options).map_err(Error::from_graph)?;
        let db = Self::assemble(graph)?;
        db.standing.load()?;
        Ok(db)
    }

    fn assemble(graph: Graph) -> Result<Database> {
        let options = QueryOptions::default();
        let standing = StandingQueries::start(&graph, &options)?;
        Ok(Database {
            graph,
            options,
            standing,
        })
    }

    /// A new empty in-memory database.
    pub fn in_memory() -> Database {
        Self::assemble(Graph::in_memory())
            .expect("the standing-query thread starts (the only failure: no threads left)")
    }

    /// Wraps an already open graph handle (import, tools). Registrations
    /// stored in it that cannot be read are not re-registered; open with
    /// [`Database::open`] to have that reported.
    pub fn from_graph(graph: Graph) -> Database {
        let db = Self::assemble(graph)
            .expect("the standing-query thread starts (the only failure: no threads left)");
        let _ = db.standing.load();
        db
    }

    /// The standing queries: read queries registered under a name that
    /// notify subscribers of the rows each commit adds to their answer.
    /// See [`standing`].
    pub fn standing(&self) -> &StandingQueries {
        &self.standing
    }

    /// `options` with this database's standing-query registry, for the
    /// `db.standing.*` procedures.
    fn with_registry(&self, options: &QueryOptions) -> QueryOptions {
        QueryOptions {
            standing: Some(self.standing.handle()),
            ..options.clone()
        }
    }

    /// The underlying graph handle.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The default limits every query runs under.
    pub fn default_options(&self) -> &QueryOptions {
        &self.options
    }

    /// Replaces the default limits every query runs under.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mut db = relgraph::Database::in_memory();
    /// db.set_default_options(relgraph::QueryOptions { timeout: Some(Duration::from_secs(30)), ..Default::default() });
    /// assert_eq!(db.default_options().timeout, Some(Duration::from_secs(30)));
    /// ```
    pub fn set_default_options(&mut self, options: QueryOptions) {
        self.options = options;
    }

    /// Runs one statement in its own transaction.
    pub fn query(&self, text: &str, params: &Params) -> Result<QueryResult> {
        self.query_with(text, params, &self.options)
    }

    /// Runs one statement under explicit limits.
    ///
    /// ```
    /// use relgraph::{Database, Params, QueryOptions};
    /// let db = Database::in_memory();
    /// let opts = QueryOptions { max_rows: Some(2), ..Default::default() };
    /// let err = db.query_with("UNWIND range(1, 10) AS x RETURN x", &Params::new(), &opts).unwrap_err();
    /// assert_eq!(err.kind, "DatabaseError");
    /// ```
    pub fn query_with(
        &self,
        text: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        check_length(text, options)?;
        let stmt = parse(text)?;
        if relgraph_exec::is_read_only(&stmt) {
            return self.read_only(text, options, |snapshot, options| {
                relgraph_exec::execute(&stmt, params, snapshot, options)
            });
        }
        let options = &self.with_registry(options);
        // Autocommit: a failed statement drops the transaction, so writes
        // may go straight into it.
        let mut txn = self.graph.begin_write().map_err(Error::from_graph)?;
        let result = relgraph_exec::execute_in(&stmt, params, &mut txn, options)
            .map_err(|e| Error::from_exec(e, text))?;
        txn.commit().map_err(Error::from_graph)?;
        Ok(result)
    }

    /// Runs a read-only statement on the latest snapshot with the
    /// registries set (standing queries, erasure); erasures it asked for
    /// complete once the statement has released its snapshot.
    fn read_only(
        &self,
        text: &str,
        options: &QueryOptions,
        run: impl FnOnce(
            &Snapshot,
            &QueryOptions,
        ) -> std::result::Result<relgraph_exec::Outcome, ExecError>,
    ) -> Result<QueryResult> {
        let eraser = Eraser::new(self);
        let options = QueryOptions {
            erasure: Some(eraser.handle()),
            ..self.with_registry(options)
        };
        let snapshot = self.graph.snapshot();
        let out = run(&snapshot, &options).map_err(|e| Error::from_exec(e, text));
        drop(snapshot);
        eraser.finish()?;
        Ok(out?.result)
    }

    /// Runs one statement under explicit limits and hands its result rows
    /// to `sink` one at a time (the returned result has the columns,
    /// counters and plan, and no rows). A read-only statement streams its
    /// rows as they are materialized, so the caller never holds all of
    /// them; a statement that writes hands its rows over once it has
    /// committed, so no row is seen from a statement that then fails.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use relgraph::{Database, Params, QueryOptions, ResultValue, RowSink};
    /// struct Count(usize);
    /// impl RowSink for Count {
    ///     fn columns(&mut self, columns: &[String]) { assert_eq!(columns, ["x"]); }
    ///     fn row(&mut self, _row: Vec<ResultValue>) -> ControlFlow<()> {
    ///         self.0 += 1;
    ///         ControlFlow::Continue(())
    ///     }
    /// }
    /// let db = Database::in_memory();
    /// let mut sink = Count(0);
    /// let res = db
    ///     .query_streaming("UNWIND range(1, 3) AS x RETURN x", &Params::new(), &QueryOptions::default(), &mut sink)
    ///     .unwrap();
    /// assert_eq!((sink.0, res.rows.len()), (3, 0));
    /// ```
    pub fn query_streaming(
        &self,
        text: &str,
        params: &Params,
        options: &QueryOptions,
        sink: &mut dyn RowSink,
    ) -> Result<QueryResult> {
        check_length(text, options)?;
        let stmt = parse(text)?;
        if relgraph_exec::is_read_only(&stmt) {
            return self.read_only(text, options, |snapshot, options| {
                relgraph_exec::execute_streaming(&stmt, params, snapshot, options, sink)
            });
        }
        let result = self.query_with(text, params, options)?;
        Ok(hand_over(result, sink))
    }

    /// Erases every node the read-only query `text` returns (in any
    /// column, also inside lists and paths): deletes them with their
    /// relationships and every value stored on them, then removes every
    /// copy the database files hold, all in one erasure (see
    /// `docs/erasure.md` and [`Graph::erase`]). Returns when that is
    /// durable. The command line's `relgraph erase` runs this.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let dir = tempfile::tempdir().unwrap();
    /// let db = Database::open(dir.path().join("db")).unwrap();
    /// db.query("CREATE (:Person {email: 'ada@example.com'})-[:KNOWS]->(:Person {email: 'bob@example.com'})", &Params::new()).unwrap();
    /// let erased = db
    ///     .erase_matching("MATCH (p:Person {email: 'ada@example.com'}) RETURN p", &Params::new())
    ///     .unwrap();
    /// assert_eq!((erased.nodes.len(), erased.relationships), (1, 1));
    /// assert_eq!(db.snapshot().node_count(), 1);
    /// ```
    pub fn erase_matching(&self, text: &str, params: &Params) -> Result<ErasureReport> {
        check_length(text, &self.options)?;
        let stmt = parse(text)?;
        if !relgraph_exec::is_read_only(&stmt) {
            return Err(Error::database(
                "an erasure takes a read-only query that returns the nodes to erase \
                 (e.g. MATCH (p:Person {email: 'x'}) RETURN p)"
                    .into(),
            ));
        }
        let options = self.with_registry(&self.options);
        let snapshot = self.graph.snapshot();
        let out = relgraph_exec::execute(&stmt, params, &snapshot, &options)
            .map_err(|e| Error::from_exec(e, text))?;
        drop(snapshot);
        let mut found = BTreeMap::new();
        for row in &out.result.rows {
            for v in row {
                collect_nodes(v, &mut found);
            }
        }
        drop(out);
        let ids: Vec<relgraph_graph::NodeId> =
            found.keys().map(|id| relgraph_graph::NodeId(*id)).collect();
        let erased = self
            .graph
            .delete_for_erasure(&ids)
            .map_err(Error::from_graph)?;
        finish_erasure(&self.graph, &self.standing)?;
        Ok(ErasureReport {
            nodes: found.into_iter().collect(),
            relationships: erased.relationships,
        })
    }

    /// Starts an explicit write transaction.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let mut tx = db.begin_write().unwrap();
    /// tx.query("CREATE (:N {x: 1})", &Params::new()).unwrap();
    /// let seen = tx.query("MATCH (n:N) RETURN count(n) AS c", &Params::new()).unwrap();
    /// assert_eq!(seen.rows().next().unwrap().get::<i64>("c").unwrap(), 1);
    /// tx.commit().unwrap();
    /// assert_eq!(db.snapshot().node_count(), 1);
    /// ```
    pub fn begin_write(&self) -> Result<Transaction> {
        let txn = self.graph.begin_write().map_err(Error::from_graph)?;
        Ok(Transaction {
            txn,
            options: self.options.clone(),
            standing: self.standing.handle(),
        })
    }

    /// The latest committed snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.graph.snapshot()
    }

    /// A session that runs every statement as `role` (docs/access.md):
    /// it sees only the nodes, relationships and properties the role's
    /// privileges allow, and writes only what they allow. Without a
    /// session (or with `QueryOptions::role` unset) statements run as the
    /// administrator.
    ///
    /// ```
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let p = Params::new();
    /// db.query("CREATE (:Person {name: 'Ada', consent: true}), (:Person {name: 'Bob', consent: false})", &p).unwrap();
    /// db.query("CREATE ROLE marketing", &p).unwrap();
    /// db.query("GRANT MATCH {*} ON GRAPH * NODES Person WHERE n.consent = true TO marketing", &p).unwrap();
    /// let marketing = db.session("marketing");
    /// let seen = marketing.query("MATCH (p:Person) RETURN p.name AS name", &p).unwrap();
    /// assert_eq!(seen.single::<String>("name").unwrap(), "Ada");
    /// let denied = marketing.query("CREATE ROLE x", &p).unwrap_err();
    /// assert_eq!(denied.kind, "SecurityError");
    /// assert_eq!(denied.cause, relgraph::Cause::PermissionDenied);
    /// ```
    pub fn session(&self, role: &str) -> Session<'_> {
        Session {
            db: self,
            options: QueryOptions {
                role: Some(role.to_string()),
                ..self.options.clone()
            },
        }
    }
}

/// Statements run as one role; see [`Database::session`].
pub struct Session<'db> {
    db: &'db Database,
    options: QueryOptions,
}

impl Session<'_> {
    /// The role this session runs as.
    pub fn role(&self) -> &str {
        self.options.role.as_deref().unwrap_or_default()
    }

    /// The latest committed snapshot as the session's role sees it: its
    /// accessors and its petgraph views ([`Snapshot::typed`],
    /// [`Snapshot::all_types`]) leave out what the role may not see.
    ///
    /// ```
    /// use petgraph::visit::{IntoNeighbors, NodeCount};
    /// use relgraph::{Database, Params};
    /// let db = Database::in_memory();
    /// let p = Params::new();
    /// db.query("CREATE (:Person {name: 'Ada', consent: true})-[:KNOWS]->(:Person {name: 'Bob', consent: false})", &p).unwrap();
    /// db.query("CREATE ROLE marketing", &p).unwrap();
    /// db.query("GRANT MATCH {*} ON GRAPH * NODES Person WHERE n.consent = true TO marketing", &p).unwrap();
    /// db.query("GRANT MATCH {*} ON GRAPH * RELATIONSHIPS * TO marketing", &p).unwrap();
    /// let seen = db.session("marketing").snapshot().unwrap();
    /// let g = seen.all_types();
    /// assert_eq!(g.node_count(), 1);
    /// let ada = seen.nodes().next().unwrap();
    /// assert_eq!(g.neighbors(ada).count(), 0); // Bob is hidden, and so is the KNOWS
    /// assert_eq!(db.snapshot().all_types().neighbors(ada).count(), 1);
    /// ```
    pub fn snapshot(&self) -> Result<Snapshot> {
        relgraph_exec::restrict(&self.db.snapshot(), self.options.role.as_deref())
            .map_err(|e| Error::from_exec(e, ""))
    }

    /// Runs one statement in its own transaction, as the session's role.
    pub fn query(&self, text: &str, params: &Params) -> Result<QueryResult> {
        self.db.query_with(text, params, &self.options)
    }

    /// Runs one statement under explicit limits, as the session's role
    /// (the role in `options` is replaced by the session's).
    pub fn query_with(
        &self,
        text: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        let options = QueryOptions {
            role: self.options.role.clone(),
            ..options.clone()
        };
        self.db.query_with(text, params, &options)
    }

    /// Starts an explicit write transaction whose statements run as the
    /// session's role.
    pub fn begin_write(&self) -> Result<Transaction> {
        let mut tx = self.db.begin_write()?;
        tx.options.role = self.options.role.clone();
        Ok(tx)
    }
}

impl Drop for Database {
    /// Stops the standing-query notifier after the commits already queued.
    fn drop(&mut self) {
        self.standing.stop();
    }
}

/// What [`Database::erase_matching`] erased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErasureReport {
    /// The erased nodes: id and labels (no property values: an erasure
    /// does not echo what it removes).
    pub nodes: Vec<(u64, Vec<String>)>,
    /// Relationships erased with them.
    pub relationships: u64,
}

/// Adds every node in `v` (id and labels) to `found`.
fn collect_nodes(v: &ResultValue, found: &mut BTreeMap<u64, Vec<String>>) {
    match v {
        ResultValue::Node(n) => {
            found.entry(n.id).or_insert_with(|| n.labels.clone());
        }
        ResultValue::List(items) => items.iter().for_each(|i| collect_nodes(i, found)),
        ResultValue::Map(m) => m.values().for_each(|i| collect_nodes(i, found)),
        ResultValue::Path(p) => p.nodes.iter().for_each(|n| {
            found.entry(n.id).or_insert_with(|| n.labels.clone());
        }),
        _ => {}
    }
}

/// `db.erase` for one read-only statement: each call deletes for erasure
/// at once; the copies are removed by [`Eraser::finish`] once the
/// statement has released its snapshot (which reads the file regions the
/// erasure overwrites).
struct Eraser {
    inner: Arc<EraserInner>,
}

struct EraserInner {
    graph: Graph,
    standing: Arc<StandingQueries>,
    erased: std::sync::atomic::AtomicBool,
}

impl relgraph_exec::procedures::ErasureHost for EraserInner {
    fn erase(&self, node: relgraph_graph::NodeId) -> std::result::Result<(u64, u64), String> {
        let done = self
            .graph
            .delete_for_erasure(&[node])
            .map_err(|e| e.to_string())?;
        self.erased
            .store(true, std::sync::atomic::Ordering::Release);
        Ok((done.nodes, done.relationships))
    }
}

impl Eraser {
    fn new(db: &Database) -> Eraser {
        Eraser {
            inner: Arc::new(EraserInner {
                graph: db.graph.clone(),
                standing: db.standing.clone(),
                erased: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    fn handle(&self) -> relgraph_exec::procedures::ErasureHandle {
        relgraph_exec::procedures::ErasureHandle(self.inner.clone())
    }

    /// Removes the copies if the statement erased something (also when it
    /// failed after erasing: the deletes are committed).
    fn finish(self) -> Result<()> {
        if self.inner.erased.load(std::sync::atomic::Ordering::Acquire) {
            finish_erasure(&self.inner.graph, &self.inner.standing)?;
        }
        Ok(())
    }
}

/// The second half of an erasure, after the deleting commits: the
/// standing-query cursors lose the rows that left their answers, then the
/// graph removes every copy from its files (sled's rewrite drops the old
/// cursors too).
fn finish_erasure(graph: &Graph, standing: &StandingQueries) -> Result<()> {
    // A notifier that does not catch up leaves the cursors as they are
    // (docs/erasure.md says what that leaves).
    standing.forget_departed_rows(std::time::Duration::from_secs(10))?;
    graph.finish_erasure().map_err(Error::from_graph)?;
    Ok(())
}

/// Refuses query text longer than `options.max_query_bytes` before parsing.
fn check_length(text: &str, options: &QueryOptions) -> Result<()> {
    if text.len() > options.max_query_bytes {
        return Err(Error::from_exec(
            relgraph_exec::query_too_long(text.len(), options.max_query_bytes),
            "",
        ));
    }
    Ok(())
}

/// An explicit write transaction; rolled back on drop unless committed.
pub struct Transaction {
    txn: relgraph_graph::store::WriteTxn,
    options: QueryOptions,
    standing: relgraph_exec::procedures::StandingHandle,
}

impl Transaction {
    /// Runs a statement inside the transaction; it sees earlier statements' writes.
    /// A failing statement changes nothing; the transaction stays usable.
    pub fn query(&mut self, text: &str, params: &Params) -> Result<QueryResult> {
        let options = self.options.clone();
        self.query_with(text, params, &options)
    }

    /// Runs a statement under explicit limits.
    pub fn query_with(
        &mut self,
        text: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        check_length(text, options)?;
        let stmt = parse(text)?;
        let options = &QueryOptions {
            standing: Some(self.standing.clone()),
            // A session's transaction keeps its role whatever the options say.
            role: self.options.role.clone().or_else(|| options.role.clone()),
            ..options.clone()
        };
        let out = relgraph_exec::execute(&stmt, params, self.txn.snapshot(), options)
            .map_err(|e| Error::from_exec(e, text))?;
        if !out.changes.is_empty() {
            self.txn
                .apply(out.changes)
                .map_err(|e| Error::from_exec(ExecError::from(e), text))?;
        }
        Ok(out.result)
    }

    /// Runs one statement in the transaction and hands its rows to `sink`
    /// once it has succeeded (see [`Database::query_streaming`]; a
    /// statement in a transaction keeps its rows until it has applied its
    /// writes, so a failed statement shows none).
    ///
    /// ```
    /// use relgraph::{Database, Params, QueryOptions, QueryResult, ResultValue, RowSink};
    /// let db = Database::in_memory();
    /// let mut tx = db.begin_write().unwrap();
    /// // A QueryResult is a sink that collects.
    /// let mut rows = QueryResult::default();
    /// tx.query_streaming("CREATE (n {x: 1}) RETURN n.x AS x", &Params::new(), &QueryOptions::default(), &mut rows)
    ///     .unwrap();
    /// assert_eq!(rows.rows, vec![vec![ResultValue::Int(1)]]);
    /// ```
    pub fn query_streaming(
        &mut self,
        text: &str,
        params: &Params,
        options: &QueryOptions,
        sink: &mut dyn RowSink,
    ) -> Result<QueryResult> {
        let result = self.query_with(text, params, options)?;
        Ok(hand_over(result, sink))
    }

    /// The transaction's view: the snapshot it began on plus its own writes.
    pub fn snapshot(&self) -> &Snapshot {
        self.txn.snapshot()
    }

    /// Commits.
    pub fn commit(self) -> Result<()> {
        self.txn.commit().map(|_| ()).map_err(Error::from_graph)
    }

    /// Rolls back.
    pub fn rollback(self) {
        self.txn.rollback()
    }
}

/// The README's Rust example, compiled as a doctest so it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
