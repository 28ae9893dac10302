//! Nodes, relationships and paths of a result as small immutable Python
//! classes. They hold the values read when the statement ran (a later
//! write does not change them); two of them are equal when they are the
//! same entity (same id), as in Cypher.

use std::collections::BTreeMap;

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use relgraph::{NodeValue, PathValue, RelValue, ResultValue};

use crate::value;

/// The property `key` of `properties`, as a Python value, else `default`
/// (`None`: a `KeyError`).
fn property<'py>(
    py: Python<'py>,
    properties: &BTreeMap<String, ResultValue>,
    key: &str,
    default: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match (properties.get(key), default) {
        (Some(v), _) => value::to_py(py, v),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(PyKeyError::new_err(key.to_string())),
    }
}

/// `{k: v, ...}` with Python's own rendering of the values.
fn repr_properties(py: Python<'_>, properties: &BTreeMap<String, ResultValue>) -> PyResult<String> {
    Ok(value::map_to_py(py, properties)?.repr()?.to_string())
}

/// `#[pymethods]` of an entity class (a tuple struct around a value with
/// `id` and `properties`): what nodes and relationships share (the id,
/// properties read like a dict, equality by id), then `$extra`.
macro_rules! entity_methods {
    ($class:ident { $($extra:tt)* }) => {
        impl $class {
            /// Its id.
            pub fn id(&self) -> u64 {
                self.0.id
            }
        }

        #[pymethods]
        impl $class {
            /// Its id (stable while it exists).
            #[getter(id)]
            fn py_id(&self) -> u64 {
                self.0.id
            }

            /// Its properties, as a new dict.
            #[getter]
            fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                value::map_to_py(py, &self.0.properties)
            }

            fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
                property(py, &self.0.properties, key, None)
            }

            /// The property `key`, or `default` when there is none.
            #[pyo3(signature = (key, default=None))]
            fn get<'py>(
                &self,
                py: Python<'py>,
                key: &str,
                default: Option<Bound<'py, PyAny>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let default = default.unwrap_or_else(|| py.None().into_bound(py));
                property(py, &self.0.properties, key, Some(default))
            }

            fn __contains__(&self, key: &str) -> bool {
                self.0.properties.contains_key(key)
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<$class>()
                    .is_ok_and(|o| o.get().0.id == self.0.id)
            }

            fn __hash__(&self) -> u64 {
                self.0.id
            }

            $($extra)*
        }
    };
}

/// A node: its id, labels and properties.
#[pyclass(module = "relgraph", frozen)]
pub struct Node(NodeValue);

impl From<NodeValue> for Node {
    fn from(n: NodeValue) -> Node {
        Node(n)
    }
}

entity_methods!(Node {
    /// The node's labels.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.0.labels.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "relgraph.Node(id={}, labels={}, properties={})",
            self.0.id,
            PyList::new(py, &self.0.labels)?.repr()?,
            repr_properties(py, &self.0.properties)?
        ))
    }
});

/// A relationship: its id, type, start and end node ids, and properties.
#[pyclass(module = "relgraph", frozen)]
pub struct Relationship(RelValue);

impl From<RelValue> for Relationship {
    fn from(r: RelValue) -> Relationship {
        Relationship(r)
    }
}

entity_methods!(Relationship {
    /// The relationship's type.
    #[getter(r#type)]
    fn rel_type(&self) -> String {
        self.0.rel_type.clone()
    }

    /// The id of the node it starts at.
    #[getter]
    fn start(&self) -> u64 {
        self.0.start
    }

    /// The id of the node it ends at.
    #[getter]
    fn end(&self) -> u64 {
        self.0.end
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "relgraph.Relationship(id={}, type={}, start={}, end={}, properties={})",
            self.0.id,
            pyo3::types::PyString::new(py, &self.0.rel_type).repr()?,
            self.0.start,
            self.0.end,
            repr_properties(py, &self.0.properties)?
        ))
    }
});

/// A path: its nodes in order, and the relationships between them in the
/// order they were traversed (`len(path)` of them, one fewer than nodes).
#[pyclass(module = "relgraph", frozen)]
pub struct Path(PathValue);

impl From<PathValue> for Path {
    fn from(p: PathValue) -> Path {
        Path(p)
    }
}

#[pymethods]
impl Path {
    /// The nodes, from start to end.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let nodes = self.0.nodes.iter().map(|n| Node(n.clone()));
        PyList::new(
            py,
            nodes
                .map(|n| Bound::new(py, n))
                .collect::<PyResult<Vec<_>>>()?,
        )
    }

    /// The relationships, in the order they were traversed.
    #[getter]
    fn relationships<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rels = self.0.rels.iter().map(|r| Relationship(r.clone()));
        PyList::new(
            py,
            rels.map(|r| Bound::new(py, r))
                .collect::<PyResult<Vec<_>>>()?,
        )
    }

    /// The first node.
    #[getter]
    fn start(&self) -> Option<Node> {
        self.0.nodes.first().cloned().map(Node)
    }

    /// The last node.
    #[getter]
    fn end(&self) -> Option<Node> {
        self.0.nodes.last().cloned().map(Node)
    }

    /// The number of relationships.
    fn __len__(&self) -> usize {
        self.0.rels.len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let ids = |p: &PathValue| -> (Vec<u64>, Vec<u64>) {
            (
                p.nodes.iter().map(|n| n.id).collect(),
                p.rels.iter().map(|r| r.id).collect(),
            )
        };
        other
            .cast::<Path>()
            .is_ok_and(|o| ids(&o.get().0) == ids(&self.0))
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for n in &self.0.nodes {
            n.id.hash(&mut h);
        }
        for r in &self.0.rels {
            r.id.hash(&mut h);
        }
        h.finish()
    }

    fn __repr__(&self) -> String {
        let mut s = String::from("relgraph.Path(");
        let mut previous: Option<u64> = None;
        for (n, r) in self
            .0
            .nodes
            .iter()
            .zip(std::iter::once(None).chain(self.0.rels.iter().map(Some)))
        {
            if let (Some(r), Some(p)) = (r, previous) {
                let (head, tail) = if r.start == p {
                    ("-", "->")
                } else {
                    ("<-", "-")
                };
                s.push_str(&format!("{head}[{}:{}]{tail}", r.id, r.rel_type));
            }
            s.push_str(&format!("({})", n.id));
            previous = Some(n.id);
        }
        s.push(')');
        s
    }
}
