//! `relgraph.Database` and `relgraph.Transaction`.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt, PyType};
use relgraph::{OpenOptions, Params, QueryOptions};

use crate::errors::{self, ClosedError};
use crate::result::QueryResult;
use crate::run;
use crate::value;

/// The per-statement limits `execute` accepts, as Python passed them.
struct Limits<'a, 'py> {
    timeout: Option<&'a Bound<'py, PyAny>>,
    max_rows: Option<u64>,
    memory: Option<u64>,
}

impl Limits<'_, '_> {
    /// `base` with these limits applied and a fresh cancel flag.
    fn apply(&self, base: &QueryOptions) -> PyResult<(QueryOptions, Arc<AtomicBool>)> {
        let cancel = Arc::new(AtomicBool::new(false));
        let mut options = QueryOptions {
            cancel: Some(cancel.clone()),
            ..base.clone()
        };
        if let Some(timeout) = self.timeout {
            options.timeout = Some(seconds(timeout, "timeout")?);
        }
        if let Some(rows) = self.max_rows {
            options.max_rows = Some(rows);
        }
        if let Some(bytes) = self.memory {
            options.memory_budget = Some(bytes);
        }
        Ok((options, cancel))
    }
}

/// A duration given as seconds (int or float) or as a `datetime.timedelta`.
fn seconds(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    let secs: f64 = if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        value.extract()?
    } else if value.hasattr("total_seconds")? {
        value.call_method0("total_seconds")?.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be seconds (int or float) or a datetime.timedelta"
        )));
    };
    Duration::try_from_secs_f64(secs).map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a finite number of seconds >= 0, not {secs}"
        ))
    })
}

/// Runs `text` through `query` on a worker thread, cancellable by Ctrl-C,
/// and wraps its result.
fn execute_with(
    py: Python<'_>,
    text: &str,
    parameters: Option<&Bound<'_, PyAny>>,
    limits: Limits<'_, '_>,
    base: &QueryOptions,
    query: impl FnOnce(&str, &Params, &QueryOptions) -> Option<relgraph::Result<relgraph::QueryResult>>
        + Send,
) -> PyResult<QueryResult> {
    let params = value::parameters(parameters)?;
    let (options, cancel) = limits.apply(base)?;
    match run::interruptible(py, &cancel, || query(text, &params, &options))? {
        Some(outcome) => outcome
            .map(QueryResult::from)
            .map_err(|e| errors::to_py(py, e)),
        None => Err(ClosedError::new_err("the transaction has already ended")),
    }
}

/// `options` with statements run as `role` (None: the administrator).
fn with_role(options: &QueryOptions, role: Option<String>) -> QueryOptions {
    QueryOptions {
        role,
        ..options.clone()
    }
}

/// An open relgraph database: a directory on disk, or in memory.
///
/// `Database(path, *, create=True, write_lock_timeout=None)` opens the
/// database in directory `path`, creating it when the directory does not
/// exist or is empty (unless `create` is False); `write_lock_timeout`
/// (seconds, default 10) is how long a write waits for another write
/// transaction before raising `LockedError`. `Database.in_memory()` makes
/// an empty one in memory.
///
/// Use it as a context manager to close it at the end of a block. It can
/// be shared between threads: statements run with the interpreter
/// released, reads in parallel on the latest committed snapshot.
#[pyclass(module = "relgraph", frozen)]
pub struct Database {
    inner: RwLock<Option<Arc<relgraph::Database>>>,
    path: Option<PathBuf>,
}

impl Database {
    fn handle(&self) -> PyResult<Arc<relgraph::Database>> {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| ClosedError::new_err("the database is closed"))
    }
}

#[pymethods]
impl Database {
    /// Opens the database in `path` (see the class's documentation).
    #[new]
    #[pyo3(signature = (path, *, create=true, write_lock_timeout=None))]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        create: bool,
        write_lock_timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Database> {
        let mut options = OpenOptions {
            create,
            ..OpenOptions::default()
        };
        if let Some(t) = write_lock_timeout {
            options.write_lock_timeout = seconds(t, "write_lock_timeout")?;
        }
        let opened = run::detached(py, || relgraph::Database::open_with(&path, &options))?
            .map_err(|e| errors::to_py(py, e))?;
        Ok(Database {
            inner: RwLock::new(Some(Arc::new(opened))),
            path: Some(path),
        })
    }

    /// A new, empty database in memory.
    #[staticmethod]
    fn in_memory(py: Python<'_>) -> PyResult<Database> {
        let db = run::detached(py, relgraph::Database::in_memory)?;
        Ok(Database {
            inner: RwLock::new(Some(Arc::new(db))),
            path: None,
        })
    }

    /// Runs one statement in its own transaction and returns its result.
    ///
    /// `parameters` maps names to values (`$name` in the query).
    /// `timeout` (seconds or a timedelta), `max_rows` and `memory` (bytes)
    /// limit this statement; a statement past one raises `LimitError`.
    /// `role` runs it as that role: it sees and writes only what the role's
    /// privileges allow (docs/access.md); None is the administrator.
    /// Ctrl-C cancels it (KeyboardInterrupt).
    #[pyo3(signature = (query, parameters=None, timeout=None, max_rows=None, memory=None, role=None))]
    #[allow(clippy::too_many_arguments)]
    fn execute(
        &self,
        py: Python<'_>,
        query: &str,
        parameters: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_rows: Option<u64>,
        memory: Option<u64>,
        role: Option<String>,
    ) -> PyResult<QueryResult> {
        let db = self.handle()?;
        let limits = Limits {
            timeout,
            max_rows,
            memory,
        };
        let base = with_role(db.default_options(), role);
        execute_with(py, query, parameters, limits, &base, |t, p, o| {
            Some(db.query_with(t, p, o))
        })
    }

    /// Begins a write transaction (waiting up to `write_lock_timeout` for
    /// another one to end), as `role` when one is given. As a context
    /// manager it commits when the block ends normally and rolls back when
    /// it raises.
    #[pyo3(signature = (role=None))]
    fn transaction(&self, py: Python<'_>, role: Option<String>) -> PyResult<Transaction> {
        let db = self.handle()?;
        let begun = run::detached(py, || db.begin_write())?.map_err(|e| errors::to_py(py, e))?;
        Ok(Transaction {
            options: with_role(db.default_options(), role),
            state: Mutex::new(Some(OpenTransaction { tx: begun, db })),
        })
    }

    /// Closes the database. Statements still running, and transactions
    /// still open, keep it open until they end. Closing twice is allowed.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self
            .inner
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // Dropping the last handle waits for the standing-query thread and
        // may checkpoint: without the interpreter.
        run::detached(py, move || drop(taken))
    }

    /// Whether `close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// The directory, or None for an in-memory database.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { " (closed)" } else { "" };
        match &self.path {
            Some(p) => format!("<relgraph.Database {}{state}>", p.display()),
            None => format!("<relgraph.Database in memory{state}>"),
        }
    }
}

/// A write transaction: its statements see each other's writes, and
/// nothing is visible to others until `commit`. A failing statement
/// changes nothing and leaves the transaction usable.
///
/// As a context manager it commits when the block ends normally and rolls
/// back when the block raises.
#[pyclass(module = "relgraph", frozen)]
pub struct Transaction {
    state: Mutex<Option<OpenTransaction>>,
    /// The database's default limits when the transaction began.
    options: QueryOptions,
}

/// A transaction not yet ended, and the database it keeps open until then.
struct OpenTransaction {
    tx: relgraph::Transaction,
    db: Arc<relgraph::Database>,
}

impl Transaction {
    /// Takes the transaction out to end it (after a statement running in
    /// another thread finished).
    fn take(&self, py: Python<'_>) -> PyResult<OpenTransaction> {
        let state = &self.state;
        run::detached(py, || {
            state.lock().unwrap_or_else(PoisonError::into_inner).take()
        })?
        .ok_or_else(|| ClosedError::new_err("the transaction has already ended"))
    }
}

#[pymethods]
impl Transaction {
    /// Runs one statement inside the transaction; see `Database.execute`.
    #[pyo3(signature = (query, parameters=None, timeout=None, max_rows=None, memory=None))]
    fn execute(
        &self,
        py: Python<'_>,
        query: &str,
        parameters: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_rows: Option<u64>,
        memory: Option<u64>,
    ) -> PyResult<QueryResult> {
        let limits = Limits {
            timeout,
            max_rows,
            memory,
        };
        let state = &self.state;
        // The lock is taken on the worker thread, so a statement of this
        // transaction running in another Python thread is waited for
        // without holding the interpreter.
        execute_with(py, query, parameters, limits, &self.options, |t, p, o| {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            state.as_mut().map(|open| open.tx.query_with(t, p, o))
        })
    }

    /// Makes the transaction's writes durable and visible.
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        let open = self.take(py)?;
        // Dropping the database handle may close the database: detached.
        run::detached(py, move || {
            let committed = open.tx.commit();
            drop(open.db);
            committed
        })?
        .map_err(|e| errors::to_py(py, e))
    }

    /// Discards the transaction's writes.
    fn rollback(&self, py: Python<'_>) -> PyResult<()> {
        let open = self.take(py)?;
        run::detached(py, move || {
            open.tx.rollback();
            drop(open.db);
        })
    }

    /// Whether the transaction has been committed or rolled back.
    #[getter]
    fn closed(&self) -> bool {
        self.state.try_lock().map(|s| s.is_none()).unwrap_or(false)
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (exc_type, _exc_value, _traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyType>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        if self.closed() {
            // Ended inside the block (an explicit commit or rollback).
            return Ok(false);
        }
        match exc_type {
            None => self.commit(py)?,
            Some(_) => self.rollback(py)?,
        }
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { "ended" } else { "open" };
        format!("<relgraph.Transaction {state}>")
    }
}
