//! A statement's result: its columns, and its rows converted to Python
//! values when they are read (iteration, indexing, `fetchall`).

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use relgraph::{QueryStats, ResultValue};

use crate::value;

/// The result of one statement.
///
/// Iterating gives its rows as tuples (one value per column, in the order
/// of `columns`); a result can be iterated more than once. `len(result)` is
/// its number of rows and `result[i]` its row `i`.
#[pyclass(module = "relgraph", name = "Result", frozen, sequence)]
pub struct QueryResult {
    columns: Vec<String>,
    rows: Vec<Vec<ResultValue>>,
    stats: QueryStats,
    plan: Option<String>,
}

impl From<relgraph::QueryResult> for QueryResult {
    fn from(r: relgraph::QueryResult) -> QueryResult {
        QueryResult {
            columns: r.columns.to_vec(),
            rows: r.rows,
            stats: r.stats,
            plan: r.plan,
        }
    }
}

impl QueryResult {
    fn row<'py>(&self, py: Python<'py>, row: &[ResultValue]) -> PyResult<Bound<'py, PyTuple>> {
        let values = row
            .iter()
            .map(|v| value::to_py(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, values)
    }
}

#[pymethods]
impl QueryResult {
    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.columns.clone()
    }

    /// What a writing statement changed: a dict of counters
    /// (`nodes_created`, `relationships_deleted`, `properties_set`, ...).
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.stats;
        let d = PyDict::new(py);
        for (name, n) in [
            ("nodes_created", s.nodes_created),
            ("nodes_deleted", s.nodes_deleted),
            ("relationships_created", s.relationships_created),
            ("relationships_deleted", s.relationships_deleted),
            ("properties_set", s.properties_set),
            ("labels_added", s.labels_added),
            ("labels_removed", s.labels_removed),
            ("indexes_added", s.indexes_added),
            ("indexes_removed", s.indexes_removed),
            ("constraints_added", s.constraints_added),
            ("constraints_removed", s.constraints_removed),
        ] {
            d.set_item(name, n)?;
        }
        Ok(d)
    }

    /// The plan, for `EXPLAIN` and `PROFILE` statements; else None.
    #[getter]
    fn plan(&self) -> Option<String> {
        self.plan.clone()
    }

    fn __len__(&self) -> usize {
        self.rows.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyTuple>> {
        let n = self.rows.len() as isize;
        let i = if index < 0 { index + n } else { index };
        if !(0..n).contains(&i) {
            return Err(PyIndexError::new_err("result row index out of range"));
        }
        self.row(py, &self.rows[i as usize])
    }

    fn __iter__(slf: Bound<'_, Self>) -> RowIterator {
        RowIterator {
            result: slf.unbind(),
            next: AtomicUsize::new(0),
        }
    }

    /// Every row, as a list of tuples.
    fn fetchall<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .rows
            .iter()
            .map(|r| self.row(py, r))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// Every row, as a list of dicts from column name to value.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut out = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            let d = PyDict::new(py);
            for (c, v) in self.columns.iter().zip(row) {
                d.set_item(c, value::to_py(py, v)?)?;
            }
            out.push(d);
        }
        PyList::new(py, out)
    }

    /// The rows as a `pandas.DataFrame`, one column per result column
    /// (needs pandas).
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf, "to_pandas")
    }

    /// The rows as a `pyarrow.Table` (needs pyarrow). Nodes,
    /// relationships and paths become structs of their fields.
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf, "to_arrow")
    }

    /// The nodes, relationships and paths anywhere in the rows as a
    /// `networkx.MultiDiGraph` (needs networkx).
    fn to_networkx<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf, "to_networkx")
    }

    fn __repr__(&self) -> String {
        format!(
            "<relgraph.Result columns={:?} rows={}>",
            self.columns,
            self.rows.len()
        )
    }
}

/// Calls the conversion `name` of the package's `relgraph._frames` module
/// (pandas, pyarrow and networkx code is plainer in Python).
fn frames<'py>(result: &Bound<'py, QueryResult>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    result
        .py()
        .import("relgraph._frames")?
        .getattr(name)?
        .call1((result,))
}

/// An iterator over a result's rows.
#[pyclass(module = "relgraph")]
pub struct RowIterator {
    result: Py<QueryResult>,
    next: AtomicUsize,
}

#[pymethods]
impl RowIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let result = self.result.get();
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        match result.rows.get(i) {
            Some(row) => result.row(py, row).map(Some),
            None => Ok(None),
        }
    }
}
