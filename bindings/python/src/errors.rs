//! relgraph's errors as Python exception classes: one class per
//! [`relgraph::Cause`], all under `relgraph.Error`.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use relgraph::Cause;

create_exception!(
    relgraph,
    Error,
    PyException,
    "Base class of every error relgraph raises. `kind` is the openCypher \
     error type (`SyntaxError`, `TypeError`, ...) and `detail` its detail \
     code, when one applies."
);
create_exception!(
    relgraph,
    QueryError,
    Error,
    "The statement itself is wrong: syntax, meaning, types, arguments, or a \
     constraint its writes would break. `line` and `column` (1-based, \
     columns in characters) say where it points and `caret` shows the line \
     with carets under the place; all three are None when the error points \
     nowhere in particular."
);
create_exception!(
    relgraph,
    LimitError,
    Error,
    "The statement hit a limit: `timeout`, `max_rows`, `memory`, a \
     variable-length bound, the query length, or the engine's stack or \
     pattern-length bound. The database stays usable."
);
create_exception!(
    relgraph,
    LockedError,
    Error,
    "The database is locked: another process (or another open Database in \
     this one) holds it, or another write transaction kept the write lock \
     longer than `write_lock_timeout`."
);
create_exception!(
    relgraph,
    CancelledError,
    Error,
    "The statement was cancelled."
);
create_exception!(
    relgraph,
    DatabaseError,
    Error,
    "The database itself failed: I/O, damaged or unsupported files, \
     storage. Also raised for an internal error (a bug in relgraph)."
);
create_exception!(
    relgraph,
    ClosedError,
    Error,
    "The Database or Transaction was already closed, committed or rolled \
     back."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("QueryError", py.get_type::<QueryError>())?;
    m.add("LimitError", py.get_type::<LimitError>())?;
    m.add("LockedError", py.get_type::<LockedError>())?;
    m.add("CancelledError", py.get_type::<CancelledError>())?;
    m.add("DatabaseError", py.get_type::<DatabaseError>())?;
    m.add("ClosedError", py.get_type::<ClosedError>())?;
    Ok(())
}

/// The Python exception for a relgraph error, with `kind` and `detail`
/// set, and `line`, `column` and `caret` on a `QueryError`.
pub fn to_py(py: Python<'_>, e: relgraph::Error) -> PyErr {
    let message = e.message.clone();
    let err = match e.cause {
        // The Python API runs every statement as the administrator (it
        // has no sessions), who is never denied; were it denied, the
        // statement asked for what it may not do.
        Cause::Query | Cause::PermissionDenied => QueryError::new_err(message),
        Cause::Limit => LimitError::new_err(message),
        Cause::Locked | Cause::WriterBusy => LockedError::new_err(message),
        Cause::Cancelled => CancelledError::new_err(message),
        _ => DatabaseError::new_err(message),
    };
    if let Err(failed) = annotate(py, &err, &e) {
        return failed;
    }
    err
}

/// Sets the attributes `to_py` promises on the exception value.
fn annotate(py: Python<'_>, err: &PyErr, e: &relgraph::Error) -> PyResult<()> {
    let value = err.value(py);
    value.setattr("kind", e.kind)?;
    value.setattr("detail", e.detail)?;
    if err.is_instance_of::<QueryError>(py) {
        value.setattr("line", e.position.map(|p| p.line))?;
        value.setattr("column", e.position.map(|p| p.column))?;
        value.setattr("caret", e.position.map(|_| caret(&e.message)))?;
    }
    Ok(())
}

/// The last two lines of a located message: the query line and the
/// carets under the place (`relgraph_cypher::render_caret`'s layout).
fn caret(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    lines[lines.len().saturating_sub(2)..].join("\n")
}

/// An error for a failure inside the binding or the engine that is not the
/// caller's (a panic, a thread that could not start).
pub fn internal(what: impl std::fmt::Display) -> PyErr {
    DatabaseError::new_err(format!(
        "internal error in relgraph (please report it): {what}"
    ))
}
