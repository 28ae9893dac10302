//! The step forms the TCK uses, recognized from their text.

use crate::compare::ListOrder;
use crate::features::RawStep;

/// When an error is expected to be raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorPhase {
    /// `at compile time`
    Compile,
    /// `at runtime`
    Runtime,
    /// `at any time`
    Any,
}

/// One recognized step.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `Given an empty graph`
    EmptyGraph,
    /// `Given any graph`
    AnyGraph,
    /// `Given the <name> graph`
    NamedGraph(String),
    /// `And having executed:` with the query.
    HavingExecuted(String),
    /// `And parameters are:` with `| name | value |` rows.
    Parameters(Vec<Vec<String>>),
    /// `When executing query:`
    ExecutingQuery(String),
    /// `When executing control query:`
    ControlQuery(String),
    /// `Then the result should be, ...:` with the expected table.
    Result {
        /// Rows must come in order.
        ordered: bool,
        /// How lists in cells compare.
        lists: ListOrder,
        /// Header and rows.
        table: Vec<Vec<String>>,
    },
    /// `Then the result should be empty`
    ResultEmpty,
    /// `And the side effects should be:` with `| +nodes | 1 |` rows.
    SideEffects(Vec<Vec<String>>),
    /// `And no side effects`
    NoSideEffects,
    /// `Then a <Type> should be raised at <phase>: <Detail>`
    Error {
        /// The TCK error type, e.g. `SyntaxError`.
        kind: String,
        /// When.
        phase: ErrorPhase,
        /// The detail code, e.g. `UndefinedVariable` (`*` = any).
        detail: String,
    },
    /// `And there exists a procedure ...` (procedure registration).
    Procedure(String),
}

/// Recognizes a step. `Err` carries a reason for an unknown or malformed step.
///
/// ```
/// use relgraph_tck::features::RawStep;
/// use relgraph_tck::steps::{classify, Step};
/// let s = RawStep { keyword: "Given".into(), text: "the binary-tree-1 graph".into(),
///     docstring: None, table: None };
/// assert_eq!(classify(&s).unwrap(), Step::NamedGraph("binary-tree-1".into()));
/// ```
pub fn classify(step: &RawStep) -> Result<Step, String> {
    let text = step.text.trim();
    let doc = || {
        step.docstring
            .clone()
            .ok_or_else(|| format!("step `{text}` has no query"))
    };
    let table = || {
        step.table
            .clone()
            .ok_or_else(|| format!("step `{text}` has no table"))
    };
    Ok(match text {
        "an empty graph" => Step::EmptyGraph,
        "any graph" => Step::AnyGraph,
        "having executed:" => Step::HavingExecuted(doc()?),
        "parameters are:" => Step::Parameters(table()?),
        "executing query:" => Step::ExecutingQuery(doc()?),
        "executing control query:" => Step::ControlQuery(doc()?),
        "the result should be empty" => Step::ResultEmpty,
        "the side effects should be:" => Step::SideEffects(table()?),
        "no side effects" => Step::NoSideEffects,
        _ => {
            if let Some(rest) = text.strip_prefix("the result should be") {
                let (ordered, lists) = match rest.trim() {
                    ", in any order:" => (false, ListOrder::Exact),
                    ", in order:" => (true, ListOrder::Exact),
                    "(ignoring element order for lists):" => (false, ListOrder::Ignore),
                    ", in order (ignoring element order for lists):" => (true, ListOrder::Ignore),
                    ", in any order (ignoring element order for lists):" => {
                        (false, ListOrder::Ignore)
                    }
                    _ => return Err(format!("unknown step: {text}")),
                };
                return Ok(Step::Result {
                    ordered,
                    lists,
                    table: table()?,
                });
            }
            if let Some(name) = text
                .strip_prefix("the ")
                .and_then(|t| t.strip_suffix(" graph"))
            {
                if !name.is_empty() && !name.contains(' ') {
                    return Ok(Step::NamedGraph(name.to_string()));
                }
            }
            if text.starts_with("there exists a procedure") {
                return Ok(Step::Procedure(text.to_string()));
            }
            if let Some(e) = parse_error_step(text) {
                return Ok(e);
            }
            return Err(format!("unknown step: {text}"));
        }
    })
}

fn parse_error_step(text: &str) -> Option<Step> {
    let rest = text
        .strip_prefix("a ")
        .or_else(|| text.strip_prefix("an "))?;
    let (kind, rest) = rest.split_once(" should be raised at ")?;
    let (phase, detail) = rest.split_once(':')?;
    let phase = match phase.trim() {
        "compile time" => ErrorPhase::Compile,
        "runtime" => ErrorPhase::Runtime,
        "any time" => ErrorPhase::Any,
        _ => return None,
    };
    Some(Step::Error {
        kind: kind.trim().to_string(),
        phase,
        detail: detail.trim().to_string(),
    })
}
