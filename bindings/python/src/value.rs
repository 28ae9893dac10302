//! Values both ways: Python objects as query parameters ([`Value`]), and
//! result values ([`ResultValue`]) as Python objects.
//!
//! | Cypher            | Python                                              |
//! |-------------------|-----------------------------------------------------|
//! | null, boolean     | `None`, `bool`                                      |
//! | integer, float    | `int` (64-bit), `float`                             |
//! | string            | `str`                                               |
//! | list, map         | `list` (a `tuple` as a parameter), `dict` (str keys)|
//! | date              | `datetime.date`                                     |
//! | local time, time  | `datetime.time`, naive or with a fixed-offset tzinfo|
//! | local date-time   | naive `datetime.datetime`                           |
//! | date-time         | aware `datetime.datetime` (a named zone as `zoneinfo.ZoneInfo` where Python knows it) |
//! | duration          | `datetime.timedelta` without months, else [`crate::temporal::Duration`] |
//! | node, relationship, path | [`Node`], [`Relationship`], [`Path`]         |
//!
//! The temporal types are converted by [`crate::temporal`].

use std::collections::BTreeMap;
use std::sync::Arc;

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use relgraph::{NodeId, RelId, ResultValue, Value};

use crate::entity::{Node, Path, Relationship};
use crate::temporal;

/// Most levels of lists and dicts inside one another a parameter may have
/// (the engine's own bound on nested values, `MAX_VALUE_DEPTH`): deeper,
/// or a list that contains itself, is a `ValueError`, not a stack overflow.
const MAX_PARAMETER_DEPTH: usize = 256;

// ---------------------------------------------------------------------------
// Python -> Value (parameters)

/// Query parameters from a mapping of names to values (`None`: none).
pub fn parameters(
    parameters: Option<&Bound<'_, PyAny>>,
) -> PyResult<BTreeMap<String, relgraph::Value>> {
    let mut out = BTreeMap::new();
    let Some(parameters) = parameters else {
        return Ok(out);
    };
    let mapping = parameters.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "parameters must be a dict (a mapping) of names to values, not {}",
            type_name(parameters)
        ))
    })?;
    for item in mapping.items()?.iter() {
        let (key, value) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
        let name = key.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!(
                "parameter names must be str, not {}",
                type_name(&key)
            ))
        })?;
        let value = to_value(&value, 0).map_err(|e| in_parameter(value.py(), &name, e))?;
        out.insert(name, value);
    }
    Ok(out)
}

/// The same error with the parameter's name in front of its message.
fn in_parameter(py: Python<'_>, name: &str, e: PyErr) -> PyErr {
    let message = format!("parameter ${name}: {}", e.value(py));
    if e.is_instance_of::<PyOverflowError>(py) {
        PyOverflowError::new_err(message)
    } else if e.is_instance_of::<PyValueError>(py) {
        PyValueError::new_err(message)
    } else if e.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(message)
    } else {
        e
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// One Python value as an engine value.
pub fn to_value(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_PARAMETER_DEPTH {
        return Err(PyValueError::new_err(format!(
            "nested more than {MAX_PARAMETER_DEPTH} levels deep (does a list contain itself?)"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(Value::Int).map_err(|_| {
            PyOverflowError::new_err(format!(
                "{obj} does not fit in a 64-bit integer, the largest Cypher integer"
            ))
        });
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Value::Float(f.value()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(Arc::from(s.to_cow()?.as_ref())));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(to_value(&item?, depth + 1)?);
        }
        return Ok(Value::List(items));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = BTreeMap::new();
        for (k, v) in dict.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("map keys must be str, not {}", type_name(&k)))
            })?;
            map.insert(Arc::from(key.to_cow()?.as_ref()), to_value(&v, depth + 1)?);
        }
        return Ok(Value::Map(map));
    }
    if let Some(v) = temporal::to_value(obj)? {
        return Ok(v);
    }
    if let Ok(n) = obj.cast::<Node>() {
        return Ok(Value::Node(NodeId(n.get().id())));
    }
    if let Ok(r) = obj.cast::<Relationship>() {
        return Ok(Value::Relationship(RelId(r.get().id())));
    }
    // Other integers (numpy's, for one) say so with `__index__`.
    if obj.hasattr("__index__")? {
        let i = obj.call_method0("__index__")?;
        return to_value(&i, depth + 1);
    }
    if obj.is_instance_of::<Path>() {
        return Err(PyTypeError::new_err(
            "a path cannot be a parameter; pass its nodes or relationships",
        ));
    }
    Err(PyTypeError::new_err(format!(
        "cannot pass a {} to Cypher (expected None, bool, int, float, str, list, tuple, \
         dict, datetime.date/time/datetime/timedelta, relgraph.Duration, Node or Relationship)",
        type_name(obj)
    )))
}

// ---------------------------------------------------------------------------
// ResultValue -> Python

/// A result value as a Python object.
pub fn to_py<'py>(py: Python<'py>, v: &ResultValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        ResultValue::Null => py.None().into_bound(py),
        ResultValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        ResultValue::Int(i) => i.into_pyobject(py)?.into_any(),
        ResultValue::Float(f) => PyFloat::new(py, *f).into_any(),
        ResultValue::String(s) => PyString::new(py, s).into_any(),
        ResultValue::List(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        ResultValue::Map(map) => map_to_py(py, map)?.into_any(),
        ResultValue::Date(d) => temporal::date_to_py(py, *d)?,
        ResultValue::LocalTime(t) => temporal::time_to_py(py, *t, None)?,
        ResultValue::Time(t) => temporal::time_to_py(py, t.local(), Some(t.offset_seconds))?,
        ResultValue::LocalDateTime(t) => temporal::datetime_to_py(py, *t, None)?,
        ResultValue::DateTime(t) => temporal::zoned_datetime_to_py(py, t)?,
        ResultValue::Duration(d) => temporal::duration_to_py(py, *d)?,
        ResultValue::Node(n) => Bound::new(py, Node::from(n.clone()))?.into_any(),
        ResultValue::Relationship(r) => Bound::new(py, Relationship::from(r.clone()))?.into_any(),
        ResultValue::Path(p) => Bound::new(py, Path::from(p.clone()))?.into_any(),
    })
}

/// A map of result values as a `dict`.
pub fn map_to_py<'py>(
    py: Python<'py>,
    map: &BTreeMap<String, ResultValue>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, to_py(py, v)?)?;
    }
    Ok(dict)
}
