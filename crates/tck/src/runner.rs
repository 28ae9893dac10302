//! Running one scenario against an engine.
//!
//! The engine sits behind the [`Engine`] trait so that the step logic can be
//! tested with a scripted engine; [`RelgraphEngine`] is the real one. Panics
//! inside the engine are caught and reported as [`Outcome::Panic`].

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use relgraph::{Database, Params, Phase, QueryResult};
use serde::{Deserialize, Serialize};

use crate::compare::{compare_table, TableMismatch};
use crate::features::Scenario;
use crate::state::{parse_side_effects, render_side_effects, GraphState};
use crate::steps::{classify, ErrorPhase, Step};
use crate::unsupported::Unsupported;
use crate::value::{parse_value, to_param};

/// What running a scenario gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Every step held.
    Pass,
    /// A step did not hold. `class` groups similar failures for the report.
    Fail {
        /// A short failure class (`wrong result`, `unexpected error: ...`).
        class: String,
        /// Details: query, expected and actual.
        message: String,
    },
    /// Not run: the scenario uses something outside the supported subset.
    Skip {
        /// Why.
        reason: String,
    },
    /// The engine panicked (a bug in the engine).
    Panic {
        /// The panic message and location.
        message: String,
    },
    /// The scenario did not finish within the time limit.
    Timeout,
    /// The process running the scenario died (stack overflow, abort, out of memory).
    Crash {
        /// What is known.
        message: String,
    },
}

impl Outcome {
    /// A short name: pass, fail, skip, panic, timeout, crash.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Skip { .. } => "skip",
            Outcome::Panic { .. } => "panic",
            Outcome::Timeout => "timeout",
            Outcome::Crash { .. } => "crash",
        }
    }
}

/// What the runner needs from a database.
pub trait Engine {
    /// Runs one statement.
    fn query(&mut self, text: &str, params: &Params) -> Result<QueryResult, relgraph::Error>;
    /// The current graph state (for side effects).
    fn state(&mut self) -> Result<GraphState, String>;
}

/// The real engine: a fresh in-memory relgraph database.
pub struct RelgraphEngine {
    db: Database,
}

impl RelgraphEngine {
    /// A new empty in-memory database.
    pub fn new() -> RelgraphEngine {
        RelgraphEngine {
            db: Database::in_memory(),
        }
    }
}

impl Default for RelgraphEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine for RelgraphEngine {
    fn query(&mut self, text: &str, params: &Params) -> Result<QueryResult, relgraph::Error> {
        self.db.query(text, params)
    }

    fn state(&mut self) -> Result<GraphState, String> {
        // Prefer the snapshot (independent of the query engine); fall back to
        // queries when the snapshot is unavailable.
        let snap = catch_unwind(AssertUnwindSafe(|| {
            crate::state::from_snapshot(&self.db.snapshot())
        }));
        if let Ok(st) = snap {
            return Ok(st);
        }
        let mut st = GraphState::default();
        let nodes = self
            .db
            .query("MATCH (n) RETURN n", &Params::new())
            .map_err(|e| e.message)?;
        for row in &nodes.rows {
            if let Some(relgraph::ResultValue::Node(n)) = row.first() {
                st.add_node(n.id, &n.labels, &n.properties);
            }
        }
        let rels = self
            .db
            .query("MATCH ()-[r]->() RETURN r", &Params::new())
            .map_err(|e| e.message)?;
        for row in &rels.rows {
            if let Some(relgraph::ResultValue::Relationship(r)) = row.first() {
                st.add_rel(r.id, &r.properties);
            }
        }
        Ok(st)
    }
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs a panic hook that records the location instead of printing
/// (panics are reported per scenario). Call once per process.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let loc = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        PANIC_LOCATION.with(|p| *p.borrow_mut() = loc);
    }));
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    let msg = if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic".to_string()
    };
    match PANIC_LOCATION.with(|p| p.borrow_mut().take()) {
        Some(loc) => format!("{msg} (at {loc})"),
        None => msg,
    }
}

/// Where the named graphs live (`<dir>/<name>/<name>.cypher`).
#[derive(Clone, Debug)]
pub struct Context {
    /// The `graphs` directory of the TCK.
    pub graphs_dir: PathBuf,
    /// The list of unsupported features.
    pub unsupported: Unsupported,
}

enum StepError {
    Fail(String, String),
    Skip(String),
    Panic(String),
}

fn fail(class: impl Into<String>, message: impl Into<String>) -> StepError {
    StepError::Fail(class.into(), message.into())
}

/// Runs the engine call, turning a panic into [`StepError::Panic`].
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, StepError> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| StepError::Panic(panic_message(p)))
}

/// A one-line, position-free summary of an engine error for grouping.
pub fn error_class(e: &relgraph::Error) -> String {
    let first = e.message.lines().next().unwrap_or("").trim();
    // Strip "at line x, column y" style positions and quoted names so that
    // similar errors group together.
    let mut s = String::new();
    let mut in_quote: Option<char> = None;
    for c in first.chars() {
        match in_quote {
            Some(q) if c == q => {
                in_quote = None;
                s.push(c);
            }
            Some(_) => {}
            None if c == '\'' || c == '`' || c == '"' => {
                in_quote = Some(c);
                s.push(c);
                s.push('…');
            }
            None if c.is_ascii_digit() => {
                if !s.ends_with('#') {
                    s.push('#');
                }
            }
            None => s.push(c),
        }
    }
    let detail = e.detail.map(|d| format!("/{d}")).unwrap_or_default();
    format!(
        "{}{}: {}",
        e.kind,
        detail,
        s.chars().take(90).collect::<String>()
    )
}

fn describe_error(e: &relgraph::Error) -> String {
    format!(
        "{} (detail {:?}, {} phase): {}",
        e.kind,
        e.detail,
        match e.phase {
            Phase::Compile => "compile",
            Phase::Runtime => "runtime",
        },
        e.message
    )
}

/// Runs a scenario on `engine`. `make_engine` is called lazily at the first
/// step that needs a database (skipped scenarios never create one).
pub fn run_scenario<E: Engine>(
    sc: &Scenario,
    ctx: &Context,
    make_engine: impl FnOnce() -> E,
) -> Outcome {
    if let Some(reason) = ctx.unsupported.matches(sc) {
        return Outcome::Skip {
            reason: reason.to_string(),
        };
    }
    let mut steps = Vec::with_capacity(sc.steps.len());
    for raw in &sc.steps {
        match classify(raw) {
            Ok(Step::Procedure(_)) => {
                return Outcome::Skip {
                    reason: "procedure registration (`there exists a procedure`)".into(),
                }
            }
            Ok(s) => steps.push(s),
            Err(e) => return Outcome::Skip { reason: e },
        }
    }
    if !steps.iter().any(|s| matches!(s, Step::ExecutingQuery(_))) {
        return Outcome::Skip {
            reason: "unknown step: scenario runs no query".into(),
        };
    }
    let mut engine = match guarded(make_engine) {
        Ok(e) => e,
        Err(StepError::Panic(m)) => {
            return Outcome::Panic {
                message: format!("creating the database: {m}"),
            }
        }
        Err(_) => unreachable!("guarded only returns panics"),
    };
    match run_steps(&steps, ctx, &mut engine) {
        Ok(()) => Outcome::Pass,
        Err(StepError::Fail(class, message)) => Outcome::Fail { class, message },
        Err(StepError::Skip(reason)) => Outcome::Skip { reason },
        Err(StepError::Panic(message)) => Outcome::Panic { message },
    }
}

fn run_steps<E: Engine>(steps: &[Step], ctx: &Context, engine: &mut E) -> Result<(), StepError> {
    let mut params = Params::new();
    let mut last: Option<(String, Result<QueryResult, relgraph::Error>)> = None;
    let mut before: Option<Result<GraphState, String>> = None;
    let mut after: Option<Result<GraphState, String>> = None;
    let needs_state = steps
        .iter()
        .any(|s| matches!(s, Step::SideEffects(_) | Step::NoSideEffects));
    for step in steps {
        match step {
            Step::EmptyGraph | Step::AnyGraph | Step::Procedure(_) => {}
            Step::NamedGraph(name) => {
                let path = ctx.graphs_dir.join(name).join(format!("{name}.cypher"));
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| StepError::Skip(format!("named graph {name} unavailable: {e}")))?;
                setup(engine, &text, &params)?;
            }
            Step::HavingExecuted(q) => setup(engine, q, &params)?,
            Step::Parameters(table) => {
                for row in table {
                    let [name, value] = row.as_slice() else {
                        return Err(fail("bad parameter table", format!("{row:?}")));
                    };
                    let v = parse_value(value)
                        .and_then(|v| to_param(&v))
                        .map_err(|e| fail("bad parameter value", e.to_string()))?;
                    params.insert(name.clone(), v);
                }
            }
            Step::ExecutingQuery(q) => {
                if needs_state {
                    before = Some(guarded(|| engine.state())?);
                }
                let r = guarded(|| engine.query(q, &params))?;
                if needs_state {
                    after = Some(guarded(|| engine.state())?);
                }
                last = Some((q.clone(), r));
            }
            Step::ControlQuery(q) => {
                let r = guarded(|| engine.query(q, &params))?;
                last = Some((q.clone(), r));
            }
            Step::Result {
                ordered,
                lists,
                table,
            } => {
                let (q, res) = last
                    .as_ref()
                    .ok_or_else(|| fail("step order", "result checked before any query"))?;
                let r = ok_result(q, res)?;
                compare_table(table, &r.columns, &r.rows, *ordered, *lists).map_err(
                    |m| match m {
                        TableMismatch::Columns(e, a) => fail(
                            "wrong columns",
                            format!("query:\n{q}\nexpected columns {e:?}, got {a:?}"),
                        ),
                        TableMismatch::Rows(d) => fail(
                            if *ordered {
                                "wrong result (ordered)"
                            } else {
                                "wrong result"
                            },
                            format!("query:\n{q}\n{d}"),
                        ),
                    },
                )?;
            }
            Step::ResultEmpty => {
                let (q, res) = last
                    .as_ref()
                    .ok_or_else(|| fail("step order", "result checked before any query"))?;
                let r = ok_result(q, res)?;
                if !r.rows.is_empty() {
                    return Err(fail(
                        "wrong result (expected empty)",
                        format!(
                            "query:\n{q}\nexpected no rows, got {}: first {:?}",
                            r.rows.len(),
                            r.rows.first()
                        ),
                    ));
                }
            }
            Step::SideEffects(_) | Step::NoSideEffects => {
                let expected = match step {
                    Step::SideEffects(t) => {
                        parse_side_effects(t).map_err(|e| fail("bad side-effects table", e))?
                    }
                    _ => Default::default(),
                };
                let (Some(b), Some(a)) = (&before, &after) else {
                    return Err(fail("step order", "side effects checked before any query"));
                };
                let (b, a) = match (b, a) {
                    (Ok(b), Ok(a)) => (b, a),
                    (Err(e), _) | (_, Err(e)) => {
                        return Err(fail("graph state unavailable", e.clone()))
                    }
                };
                let actual = b.diff(a);
                if actual != expected {
                    let q = last.as_ref().map(|l| l.0.as_str()).unwrap_or("");
                    return Err(fail(
                        "wrong side effects",
                        format!(
                            "query:\n{q}\nexpected side effects: {}\nactual: {}",
                            render_side_effects(&expected),
                            render_side_effects(&actual)
                        ),
                    ));
                }
            }
            Step::Error {
                kind,
                phase,
                detail,
            } => {
                let (q, res) = last
                    .as_ref()
                    .ok_or_else(|| fail("step order", "error checked before any query"))?;
                let e = match res {
                    Ok(r) => {
                        return Err(fail(
                            format!("expected {kind}, query succeeded"),
                            format!(
                                "query:\n{q}\nexpected {kind} ({detail}), got {} rows",
                                r.rows.len()
                            ),
                        ))
                    }
                    Err(e) => e,
                };
                let msg = format!(
                    "query:\n{q}\nexpected {kind} at {phase:?}: {detail}\ngot {}",
                    describe_error(e)
                );
                if is_unsupported(e) {
                    // Rejecting unknown syntax is not raising the expected error.
                    return Err(fail(format!("engine: {}", error_class(e)), msg));
                }
                if e.kind != kind {
                    return Err(fail(
                        format!("wrong error type: expected {kind}, got {}", e.kind),
                        msg,
                    ));
                }
                if detail != "*" && e.detail != Some(detail.as_str()) {
                    return Err(fail(
                        format!("wrong error detail: expected {detail}, got {:?}", e.detail),
                        msg,
                    ));
                }
                let phase_ok = match phase {
                    ErrorPhase::Any => true,
                    ErrorPhase::Compile => e.phase == Phase::Compile,
                    ErrorPhase::Runtime => e.phase == Phase::Runtime,
                };
                if !phase_ok {
                    return Err(fail(format!("wrong error phase: expected {phase:?}"), msg));
                }
            }
        }
    }
    Ok(())
}

fn setup<E: Engine>(engine: &mut E, q: &str, params: &Params) -> Result<(), StepError> {
    match guarded(|| engine.query(q, params))? {
        Ok(_) => Ok(()),
        Err(e) => Err(fail(
            format!("setup failed: {}", error_class(&e)),
            format!("query:\n{q}\n{}", describe_error(&e)),
        )),
    }
}

fn ok_result<'a>(
    q: &str,
    res: &'a Result<QueryResult, relgraph::Error>,
) -> Result<&'a QueryResult, StepError> {
    res.as_ref().map_err(|e| {
        let class = if is_unsupported(e) {
            format!("engine: {}", error_class(e))
        } else {
            format!("unexpected error: {}", error_class(e))
        };
        fail(class, format!("query:\n{q}\n{}", describe_error(e)))
    })
}

/// Did the engine reject the query as outside its supported subset?
fn is_unsupported(e: &relgraph::Error) -> bool {
    e.detail == Some("UnsupportedFeature") || e.message.contains("not supported")
}
