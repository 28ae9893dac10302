//! The interactive shell (`relgraph`, `relgraph shell`): a session that runs
//! statements and `:commands`, driven either by a line editor on a terminal
//! or by lines read from a pipe.

pub mod complete;
pub mod statements;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use relgraph::{
    Database, Params, QueryResult, RecvError, RegisterOptions, ResultValue, RowSink, Subscription,
    Transaction, Value,
};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;

use crate::format::{self, OutputFormat};
use crate::limits::{self, Limits};
use crate::output::ResultWriter;
use crate::params;
use crate::picture::{GraphCollector, Picture, PictureError, PictureFormat};
use complete::{ShellHelper, Vocabulary};
use statements::StatementBuffer;

/// Text of `:help`.
pub const HELP: &str = "\
Statements end with `;` and may span lines. Commands:
  :help                    this text
  :schema                  labels, relationship types, property keys, indexes
  :stats                   node counts per label, relationship counts per type
  :stats planner           also the planner's statistics (as CALL db.stats())
  :timing on|off           show how long each statement took
  :format table|csv|json   how results are printed
  :set                     show the limits statements run under
  :set timeout 5s          stop statements after 5 s (500ms, 2s, 1m; `none`: no limit)
  :set memory 2GiB         memory budget of a statement (KB, MB, GB, KiB, MiB, GiB)
  :set max-rows 1000       fail statements that return more rows
  :params                  list parameters (`:params clear` removes them)
  :param name => value     set parameter $name (a Cypher literal)
  :explain QUERY           show the plan of QUERY without running it
  :source FILE             run the statements in FILE
  :begin / :commit / :rollback   an explicit write transaction
  :graph [FILE]            draw the last result's nodes, relationships and paths
                           (FILE.svg, .html or .dot; default: an HTML page in the
                           temporary directory)
  :watch QUERY             print the rows each commit adds to QUERY's answer
  :watch                   list this shell's watches
  :unwatch [N]             stop watch N (all watches without N)
  :quit                    leave (also Ctrl-D)
Ctrl-C clears the current input, or cancels the running statement.
By default a statement stops after 60 s or past a memory budget of a quarter
of physical memory.";

/// What to do after a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Leave the shell.
    Quit,
}

/// A shell session over one database: parameters, output settings and an
/// optional open transaction.
pub struct Session {
    db: Database,
    params: Params,
    format: OutputFormat,
    timing: bool,
    txn: Option<Transaction>,
    buffer: StatementBuffer,
    /// Set whenever a statement or command failed.
    pub had_error: bool,
    /// Set after a statement that may have changed the schema.
    pub vocabulary_stale: bool,
    source_depth: usize,
    /// Set by Ctrl-C while a statement runs (see [`crate::cancel`]).
    cancel: Option<Arc<AtomicBool>>,
    /// Timeout, row cap and memory budget of every statement.
    limits: Limits,
    /// Standing queries registered with `:watch`, for this session only.
    watches: Vec<Watch>,
    next_watch: usize,
    /// The nodes and relationships of the last statement's result, for
    /// `:graph` (or why they cannot be drawn); `None` before any result.
    last_graph: Option<Result<Picture, PictureError>>,
    /// Pictures written to the temporary directory by `:graph`.
    pictures: usize,
}

/// One `:watch`: a standing query that is not stored in the database.
struct Watch {
    id: usize,
    query: String,
    sub: Subscription,
}

/// How long the shell waits for its watches to be evaluated after a commit.
const WATCH_WAIT: Duration = Duration::from_secs(10);

impl Session {
    /// A session over `db` with table output and timing on.
    pub fn new(db: Database) -> Session {
        Session {
            db,
            params: Params::new(),
            format: OutputFormat::Table,
            timing: true,
            txn: None,
            buffer: StatementBuffer::default(),
            had_error: false,
            vocabulary_stale: false,
            source_depth: 0,
            cancel: None,
            limits: Limits::shell_default(),
            watches: Vec::new(),
            next_watch: 1,
            last_graph: None,
            pictures: 0,
        }
    }

    /// Sets the limits statements run under.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Lets `flag` cancel running statements.
    pub fn set_cancel_flag(&mut self, flag: Arc<AtomicBool>) {
        self.cancel = Some(flag);
    }

    /// Turns timing lines on or off.
    pub fn set_timing(&mut self, on: bool) {
        self.timing = on;
    }

    /// The names for completion.
    pub fn vocabulary(&self) -> Vocabulary {
        Vocabulary::from_snapshot(&self.db.snapshot())
    }

    /// True while a multi-line statement is being typed.
    pub fn in_statement(&self) -> bool {
        !self.buffer.is_empty()
    }

    /// Drops a half-typed statement (Ctrl-C at the prompt).
    pub fn clear_input(&mut self) {
        self.buffer.clear();
    }

    /// Feeds one input line: a `:command` (when no statement is pending)
    /// or part of a statement. Complete statements run at once.
    pub fn feed_line(&mut self, line: &str, out: &mut dyn Write, err: &mut dyn Write) -> Flow {
        if self.buffer.is_empty() && line.trim_start().starts_with(':') {
            return self.command(line.trim(), out, err);
        }
        for stmt in self.buffer.push_line(line) {
            self.statement(&stmt, out, err);
        }
        Flow::Continue
    }

    /// Runs what is left in the buffer at the end of input (a final
    /// statement without `;`).
    pub fn finish_input(&mut self, out: &mut dyn Write, err: &mut dyn Write) {
        if let Some(stmt) = self.buffer.take() {
            self.statement(&stmt, out, err);
        }
    }

    /// Runs `text` under the shell's limits, handing its rows to `sink`.
    fn run(&mut self, text: &str, sink: &mut dyn RowSink) -> relgraph::Result<QueryResult> {
        self.run_with(text, None, sink)
    }

    /// Runs `text` with `params` (default: the session's), in the open
    /// transaction if there is one.
    fn run_with(
        &mut self,
        text: &str,
        params: Option<&Params>,
        sink: &mut dyn RowSink,
    ) -> relgraph::Result<QueryResult> {
        let mut options = self.options();
        if let Some(flag) = &self.cancel {
            flag.store(false, Ordering::SeqCst);
            options.cancel = Some(flag.clone());
        }
        let params = params.unwrap_or(&self.params);
        match self.txn.as_mut() {
            Some(txn) => txn.query_streaming(text, params, &options, sink),
            None => self.db.query_streaming(text, params, &options, sink),
        }
    }

    fn options(&self) -> relgraph::QueryOptions {
        self.limits.apply(self.db.default_options().clone())
    }

    /// Runs one statement and prints its result (rows as they come, see
    /// [`ResultWriter`]) or its error.
    pub fn statement(&mut self, text: &str, out: &mut dyn Write, err: &mut dyn Write) {
        let started = Instant::now();
        if format::is_explain(text) {
            let mut plan = QueryResult::default();
            match self.run(text, &mut plan) {
                Ok(result) => {
                    let _ = format::write_plan(out, &result, self.format);
                }
                Err(e) => self.fail(err, e.message.trim_end()),
            }
            let _ = out.flush();
            return;
        }
        let budget = self.options().memory_budget;
        let mut writer = ResultWriter::new(out, self.format, budget);
        let mut graph = GraphCollector::new(budget);
        let mut tee = Tee {
            rows: &mut writer,
            graph: &mut graph,
        };
        match self.run(text, &mut tee) {
            Ok(result) => {
                self.last_graph = Some(graph.finish());
                if result.stats != relgraph::QueryStats::default() {
                    self.vocabulary_stale = true;
                }
                let note = if self.timing {
                    format!(" ({:.1} ms)", started.elapsed().as_secs_f64() * 1000.0)
                } else {
                    String::new()
                };
                if let Err(e) = writer.finish(&result, &note) {
                    self.fail(err, e);
                }
            }
            Err(e) => {
                drop(writer);
                self.fail(err, e.message.trim_end());
            }
        }
        if self.txn.is_none() {
            self.report_watches(out, err);
        }
        let _ = out.flush();
    }

    /// `:graph [FILE]`: writes the picture of the last result to FILE (its
    /// extension says which kind) or to a new HTML page in the temporary
    /// directory. Relationship ends missing from the result are read now.
    fn graph(&mut self, arg: &str, out: &mut dyn Write, err: &mut dyn Write) {
        let path = if arg.is_empty() {
            self.pictures += 1;
            std::env::temp_dir().join(format!(
                "relgraph-{}-graph-{}.html",
                std::process::id(),
                self.pictures
            ))
        } else {
            PathBuf::from(arg)
        };
        let Some(format) = PictureFormat::from_path(&path) else {
            return self.fail(
                err,
                format!(
                    "cannot tell the picture's kind from {}: name a .svg, .html or .dot file",
                    path.display()
                ),
            );
        };
        let mut picture = match self.last_graph.take() {
            None => return self.fail(err, "no result to draw yet: run a statement first"),
            Some(Err(e)) => {
                self.fail(err, format!("cannot draw the last result: {e}"));
                self.last_graph = Some(Err(e));
                return;
            }
            Some(Ok(p)) => p,
        };
        let completed = crate::commands::complete_endpoints(&mut picture, |q, p| {
            let mut rows = QueryResult::default();
            self.run_with(q, Some(p), &mut rows)?;
            Ok(rows)
        });
        if let Err(e) = completed {
            self.fail(
                err,
                format!("cannot read the ends of the relationships: {e}"),
            );
        } else {
            match std::fs::write(&path, picture.render(format)) {
                Ok(()) => {
                    let _ = writeln!(out, "wrote {} ({})", path.display(), picture.summary());
                }
                Err(e) => self.fail(err, format!("cannot write {}: {e}", path.display())),
            }
        }
        self.last_graph = Some(Ok(picture));
    }

    /// `:watch QUERY`: registers QUERY as a standing query of this session.
    fn watch(&mut self, query: &str, out: &mut dyn Write, err: &mut dyn Write) {
        let query = query.trim_end().trim_end_matches(';').trim_end();
        if query.is_empty() {
            if self.watches.is_empty() {
                let _ = writeln!(out, "no watches (add one with :watch QUERY)");
            }
            for w in &self.watches {
                let _ = writeln!(out, "#{} {}", w.id, w.query);
            }
            return;
        }
        let id = self.next_watch;
        let name = format!("shell-{}-watch-{id}", std::process::id());
        let options = RegisterOptions {
            durable: false,
            ..RegisterOptions::default()
        };
        match self
            .db
            .standing()
            .register_with(&name, query, &self.params, options)
        {
            Ok(sub) => {
                self.next_watch += 1;
                let rows = self
                    .db
                    .standing()
                    .list()
                    .into_iter()
                    .find(|i| i.name == name)
                    .map_or(0, |i| i.rows);
                let _ = writeln!(
                    out,
                    "watch #{id}: {rows} row(s) now; rows that commits add are printed after each statement"
                );
                self.watches.push(Watch {
                    id,
                    query: query.to_string(),
                    sub,
                });
            }
            Err(e) => self.fail(err, e),
        }
    }

    /// `:unwatch [N]`.
    fn unwatch(&mut self, arg: &str, out: &mut dyn Write, err: &mut dyn Write) {
        let keep = match arg {
            "" => None,
            n => match n.trim_start_matches('#').parse::<usize>() {
                Ok(id) if self.watches.iter().any(|w| w.id == id) => Some(id),
                _ => return self.fail(err, format!("no watch {n} (:watch lists them)")),
            },
        };
        let (gone, kept): (Vec<Watch>, Vec<Watch>) = std::mem::take(&mut self.watches)
            .into_iter()
            .partition(|w| keep.is_none_or(|id| w.id == id));
        self.watches = kept;
        for w in gone {
            let _ = self.db.standing().drop(w.sub.name());
            let _ = writeln!(out, "stopped watch #{}", w.id);
        }
    }

    /// Prints what the watches were told since the last report (commits
    /// from this shell and from anyone else).
    fn report_watches(&mut self, out: &mut dyn Write, err: &mut dyn Write) {
        if self.watches.is_empty() {
            return;
        }
        if !self.db.standing().sync(WATCH_WAIT) {
            let _ = writeln!(err, "watches: still evaluating; new rows will show later");
        }
        let mut ended = Vec::new();
        for w in &self.watches {
            loop {
                match w.sub.try_recv() {
                    Ok(n) => {
                        let _ = writeln!(
                            out,
                            "watch #{} at version {}: {} new row(s)",
                            w.id,
                            n.version,
                            n.added.len()
                        );
                        let result = QueryResult {
                            columns: n.columns,
                            rows: n.added,
                            ..QueryResult::default()
                        };
                        let mut buf = Vec::new();
                        let _ = crate::output::write_result(&mut buf, &result, self.format);
                        let _ = out.write_all(&buf);
                    }
                    Err(RecvError::Empty) => break,
                    Err(e @ RecvError::Failed { .. }) => {
                        let _ = writeln!(err, "watch #{}: {e}", w.id);
                    }
                    Err(e) => {
                        let _ = writeln!(err, "watch #{} ended: {e}", w.id);
                        ended.push(w.id);
                        break;
                    }
                }
            }
        }
        for id in ended {
            self.unwatch(&id.to_string(), out, err);
        }
    }

    fn fail(&mut self, err: &mut dyn Write, message: impl std::fmt::Display) {
        self.had_error = true;
        let _ = writeln!(err, "{message}");
    }

    /// Runs a `:command`.
    pub fn command(&mut self, line: &str, out: &mut dyn Write, err: &mut dyn Write) -> Flow {
        let body = line
            .trim_start_matches(':')
            .trim()
            .trim_end_matches(';')
            .trim();
        let (name, arg) = match body.split_once(char::is_whitespace) {
            Some((n, a)) => (n, a.trim()),
            None => (body, ""),
        };
        match name.to_ascii_lowercase().as_str() {
            "help" | "h" | "?" => {
                let _ = writeln!(out, "{HELP}");
            }
            "quit" | "q" | "exit" => {
                if let Some(txn) = self.txn.take() {
                    txn.rollback();
                    let _ = writeln!(out, "open transaction rolled back");
                }
                return Flow::Quit;
            }
            "set" => {
                if arg.is_empty() {
                    let _ = write!(out, "{}", self.limits.describe());
                } else {
                    let (setting, value) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
                    if value.trim().is_empty() {
                        self.fail(err, "usage: :set timeout|max-rows|memory VALUE");
                    } else if let Err(e) = limits::set(&mut self.limits, setting, value) {
                        self.fail(err, e);
                    }
                }
            }
            "schema" => self.schema(out),
            "stats" => match arg.to_ascii_lowercase().as_str() {
                "" => self.stats(out, false),
                "planner" => self.stats(out, true),
                _ => self.fail(err, "usage: :stats [planner]"),
            },
            "timing" => match arg.to_ascii_lowercase().as_str() {
                "on" => self.timing = true,
                "off" => self.timing = false,
                "" => {
                    let _ = writeln!(out, "timing is {}", if self.timing { "on" } else { "off" });
                }
                _ => self.fail(err, "usage: :timing on|off"),
            },
            "format" => match OutputFormat::parse(arg) {
                Some(f) => self.format = f,
                None => self.fail(err, "usage: :format table|csv|json|jsonl"),
            },
            "params" => {
                if arg.eq_ignore_ascii_case("clear") {
                    self.params.clear();
                } else if self.params.is_empty() {
                    let _ = writeln!(out, "no parameters (set one with :param name => value)");
                } else {
                    for (k, v) in &self.params {
                        let _ = writeln!(out, "${k} => {}", value_text(v));
                    }
                }
            }
            "param" => match params::parse_shell_assignment(arg) {
                Ok((k, v)) => {
                    let _ = writeln!(out, "${k} => {}", value_text(&v));
                    self.params.insert(k, v);
                }
                Err(e) => self.fail(err, e),
            },
            "explain" => {
                if arg.is_empty() {
                    self.fail(err, "usage: :explain QUERY");
                } else {
                    let text = format!("EXPLAIN {arg}");
                    match self.db.query(&text, &self.params) {
                        Ok(r) => {
                            let _ = writeln!(
                                out,
                                "{}",
                                r.plan.as_deref().unwrap_or("(no plan returned)").trim_end()
                            );
                        }
                        Err(e) => self.fail(err, e.message.trim_end()),
                    }
                }
            }
            "source" => return self.source(Path::new(arg), out, err),
            "begin" => {
                if self.txn.is_some() {
                    self.fail(
                        err,
                        "a transaction is already open (:commit or :rollback it first)",
                    );
                } else {
                    match self.db.begin_write() {
                        Ok(t) => {
                            self.txn = Some(t);
                            let _ = writeln!(out, "transaction started");
                        }
                        Err(e) => self.fail(err, e.message),
                    }
                }
            }
            "graph" => self.graph(arg, out, err),
            "watch" => self.watch(arg, out, err),
            "unwatch" => self.unwatch(arg, out, err),
            "commit" => match self.txn.take() {
                Some(t) => match t.commit() {
                    Ok(()) => {
                        self.vocabulary_stale = true;
                        let _ = writeln!(out, "committed");
                        self.report_watches(out, err);
                    }
                    Err(e) => self.fail(err, e.message),
                },
                None => self.fail(err, "no open transaction (start one with :begin)"),
            },
            "rollback" => match self.txn.take() {
                Some(t) => {
                    t.rollback();
                    let _ = writeln!(out, "rolled back");
                }
                None => self.fail(err, "no open transaction (start one with :begin)"),
            },
            other => self.fail(err, format!("unknown command :{other} (type :help)")),
        }
        let _ = out.flush();
        Flow::Continue
    }

    fn source(&mut self, path: &Path, out: &mut dyn Write, err: &mut dyn Write) -> Flow {
        if path.as_os_str().is_empty() {
            self.fail(err, "usage: :source FILE");
            return Flow::Continue;
        }
        if self.source_depth >= 16 {
            self.fail(err, "`:source` nested too deeply");
            return Flow::Continue;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.fail(err, format!("cannot read {}: {e}", path.display()));
                return Flow::Continue;
            }
        };
        // The file's statements are independent of what is being typed.
        let outer = std::mem::take(&mut self.buffer);
        self.source_depth += 1;
        let mut flow = Flow::Continue;
        for line in text.lines() {
            if self.feed_line(line, out, err) == Flow::Quit {
                flow = Flow::Quit;
                break;
            }
        }
        if flow == Flow::Continue {
            self.finish_input(out, err);
        }
        self.source_depth -= 1;
        self.buffer = outer;
        flow
    }

    fn schema(&mut self, out: &mut dyn Write) {
        let snap = self.db.snapshot();
        let c = snap.catalog();
        let join = |i: &relgraph_graph::catalog::Interner| {
            let mut v: Vec<String> = i.names().iter().map(|n| n.to_string()).collect();
            v.sort();
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(out, "labels:             {}", join(c.labels()));
        let _ = writeln!(out, "relationship types: {}", join(c.rel_types()));
        let _ = writeln!(out, "property keys:      {}", join(c.prop_keys()));
        for ix in &c.indexes {
            let label = c.label_name(ix.label).unwrap_or("?");
            let key = c.prop_key_name(ix.key).unwrap_or("?");
            let _ = writeln!(out, "index {}: :{label}({key})", ix.name);
        }
        for cs in &c.constraints {
            let label = c.label_name(cs.label).unwrap_or("?");
            let key = c.prop_key_name(cs.key).unwrap_or("?");
            let _ = writeln!(out, "constraint {}: :{label}({key}) IS UNIQUE", cs.name);
        }
    }

    fn stats(&mut self, out: &mut dyn Write, planner: bool) {
        let snap = self.db.snapshot();
        let _ = write!(out, "{}", crate::commands::stats_text(&snap));
        if planner {
            let _ = write!(out, "{}", crate::commands::planner_stats_text(&snap));
        }
    }
}

/// Hands every row to a printer and to the collector of its graph; only
/// the printer can stop the rows (a graph past its caps keeps its error
/// for `:graph`).
struct Tee<'a, 'w> {
    rows: &'a mut ResultWriter<'w>,
    graph: &'a mut GraphCollector,
}

impl RowSink for Tee<'_, '_> {
    fn columns(&mut self, columns: &[String]) {
        self.rows.columns(columns);
        self.graph.columns(columns);
    }

    fn row(&mut self, row: Vec<ResultValue>) -> std::ops::ControlFlow<()> {
        let _ = self.graph.see(&row);
        self.rows.row(row)
    }
}

/// A parameter value in Cypher literal notation.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format::literal_text(&relgraph::ResultValue::Float(*f)),
        Value::String(s) => format::literal_text(&relgraph::ResultValue::String(s.to_string())),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", value_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Date(d) => format!("date('{d}')"),
        Value::LocalTime(t) => format!("localtime('{t}')"),
        Value::Time(t) => format!("time('{t}')"),
        Value::LocalDateTime(t) => format!("localdatetime('{t}')"),
        Value::DateTime(t) => format!("datetime('{t}')"),
        Value::Duration(d) => format!("duration('{d}')"),
        Value::Node(n) => format!("node {n}"),
        Value::Relationship(r) => format!("relationship {r}"),
        Value::Path(p) => format!("path of length {}", p.len()),
    }
}

/// Runs the shell: interactively when stdin is a terminal, else reading
/// statements from stdin. Returns whether every statement succeeded.
pub fn run(db: Database, history: Option<PathBuf>, banner: Option<&str>, limits: Limits) -> bool {
    let mut session = Session::new(db);
    session.set_limits(limits);
    if io::stdin().is_terminal() {
        interactive(&mut session, history, banner)
    } else {
        session.set_timing(false);
        piped(&mut session, io::stdin().lock())
    }
}

/// Reads statements and commands from `input` until its end or `:quit`.
pub fn piped(session: &mut Session, input: impl BufRead) -> bool {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    for line in input.lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(err, "cannot read input: {e}");
                return false;
            }
        };
        if session.feed_line(&line, &mut out, &mut err) == Flow::Quit {
            return !session.had_error;
        }
    }
    session.finish_input(&mut out, &mut err);
    !session.had_error
}

fn interactive(session: &mut Session, history: Option<PathBuf>, banner: Option<&str>) -> bool {
    let mut editor: Editor<ShellHelper, FileHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot start the line editor ({e}); reading plain lines");
            return piped(session, io::stdin().lock());
        }
    };
    editor.set_helper(Some(ShellHelper {
        vocabulary: session.vocabulary(),
    }));
    match crate::cancel::install() {
        Some(flag) => session.set_cancel_flag(flag),
        None => eprintln!("note: Ctrl-C handler unavailable; Ctrl-C will end the shell"),
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.load_history(h);
    }
    println!(
        "relgraph {} shell. Statements end with `;`; type :help for commands, :quit to leave.",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(b) = banner {
        println!("{b}");
    }
    let mut statement_lines: Vec<String> = Vec::new();
    loop {
        let prompt = if session.in_statement() {
            "      -> "
        } else {
            "relgraph> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                let command = !session.in_statement() && line.trim_start().starts_with(':');
                statement_lines.push(line.clone());
                let flow = {
                    let stdout = io::stdout();
                    let stderr = io::stderr();
                    let (mut out, mut err) = (stdout.lock(), stderr.lock());
                    session.feed_line(&line, &mut out, &mut err)
                };
                if command || !session.in_statement() {
                    let entry = statement_lines.join(" ");
                    if !entry.trim().is_empty() {
                        let _ = editor.add_history_entry(entry.trim());
                    }
                    statement_lines.clear();
                }
                if session.vocabulary_stale {
                    session.vocabulary_stale = false;
                    if let Some(h) = editor.helper_mut() {
                        h.vocabulary = session.vocabulary();
                    }
                }
                if flow == Flow::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {
                session.clear_input();
                statement_lines.clear();
                println!("^C (input cleared; :quit or Ctrl-D to leave)");
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("input error: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    !session.had_error
}
