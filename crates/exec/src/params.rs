//! The values of a prepared plan's late parameters (read when it runs,
//! not when it is compiled), with long lists hashed once.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_graph::Value;

use crate::value_ops::{InSet, IN_SET_MIN};

/// The values of a prepared plan's late parameters for one or more runs,
/// long lists hashed once for `x IN $param`: build it once and pass it
/// to every plan that reads the same values.
///
/// ```
/// use relgraph_exec::LateParams;
/// use relgraph_graph::Value;
/// let late = LateParams::new([("ids".to_string(), Value::List((0..100).map(Value::Int).collect()))].into());
/// assert!(late.get("ids").is_some());
/// ```
#[derive(Debug, Default)]
pub struct LateParams {
    values: BTreeMap<String, Value>,
    sets: Vec<(Arc<str>, InSet)>,
}

impl LateParams {
    /// No late parameters.
    pub(crate) const fn empty() -> LateParams {
        LateParams {
            values: BTreeMap::new(),
            sets: Vec::new(),
        }
    }

    /// Holds `values`, hashing every list of at least 8 items.
    pub fn new(values: BTreeMap<String, Value>) -> LateParams {
        let sets = values
            .iter()
            .filter_map(|(name, v)| match v {
                Value::List(items) if items.len() >= IN_SET_MIN => {
                    Some((Arc::from(name.as_str()), InSet::new(items)))
                }
                _ => None,
            })
            .collect();
        LateParams { values, sets }
    }

    /// The value of late parameter `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The hashed list of late parameter `name`, if it is a long list.
    pub(crate) fn set(&self, name: &str) -> Option<&InSet> {
        self.sets.iter().find(|(n, _)| &**n == name).map(|(_, s)| s)
    }
}
