//! Python bindings for relgraph: the extension module `relgraph._relgraph`,
//! which the `relgraph` Python package re-exports (`python/relgraph`).
//!
//! Statements run on a worker thread with the interpreter released
//! ([`run`]); values cross in both directions through [`value`]; relgraph's
//! errors become the exception classes of [`errors`].

use pyo3::prelude::*;

mod database;
mod entity;
mod errors;
mod result;
mod run;
mod temporal;
mod value;

/// Panics on a statement's worker thread: the test that a panic in the
/// engine is raised as `relgraph.DatabaseError`, never a crash, calls it
/// (no query is known to panic).
#[pyfunction]
fn _panic_on_worker(py: Python<'_>) -> PyResult<()> {
    let cancel = std::sync::atomic::AtomicBool::new(false);
    run::interruptible(py, &cancel, || {
        panic!("a deliberate panic");
    })
}

/// The extension module.
#[pymodule]
fn _relgraph(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<database::Database>()?;
    m.add_class::<database::Transaction>()?;
    m.add_class::<result::QueryResult>()?;
    m.add_class::<entity::Node>()?;
    m.add_class::<entity::Relationship>()?;
    m.add_class::<entity::Path>()?;
    m.add_class::<temporal::Duration>()?;
    m.add_function(wrap_pyfunction!(_panic_on_worker, m)?)?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
