//! Side effects as the TCK counts them: the difference between the graph
//! before and after a query. Nodes and relationships by identity, labels as
//! the set of label names in use, properties as (entity, key, value) triples.
//!
//! `QueryStats` cannot express this: the TCK counts `+labels` per distinct
//! label name (two new `:Label` nodes add one label) and a property overwrite
//! as one `-properties` and one `+properties`.

use std::collections::{BTreeMap, BTreeSet};

use relgraph::ResultValue;

/// The parts of a graph that side effects are computed from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphState {
    /// Node ids.
    pub nodes: BTreeSet<u64>,
    /// Relationship ids.
    pub rels: BTreeSet<u64>,
    /// Label names carried by at least one node.
    pub labels: BTreeSet<String>,
    /// (`n<id>` or `r<id>`, key, value text).
    pub properties: BTreeSet<(String, String, String)>,
}

/// Side-effect counters, keyed like the TCK table (`+nodes`, `-labels`, ...).
pub type SideEffects = BTreeMap<String, u64>;

/// The keys the TCK uses.
pub const KEYS: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+properties",
    "-properties",
    "+labels",
    "-labels",
];

impl GraphState {
    /// Adds a node with its labels and properties.
    pub fn add_node(
        &mut self,
        id: u64,
        labels: &[String],
        properties: &BTreeMap<String, ResultValue>,
    ) {
        self.nodes.insert(id);
        self.labels.extend(labels.iter().cloned());
        for (k, v) in properties {
            if !matches!(v, ResultValue::Null) {
                self.properties
                    .insert((format!("n{id}"), k.clone(), value_key(v)));
            }
        }
    }

    /// Adds a relationship with its properties.
    pub fn add_rel(&mut self, id: u64, properties: &BTreeMap<String, ResultValue>) {
        self.rels.insert(id);
        for (k, v) in properties {
            if !matches!(v, ResultValue::Null) {
                self.properties
                    .insert((format!("r{id}"), k.clone(), value_key(v)));
            }
        }
    }

    /// The side effects of going from `self` to `after`. Zero counts are omitted.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use relgraph::ResultValue;
    /// use relgraph_tck::state::GraphState;
    /// let before = GraphState::default();
    /// let mut after = GraphState::default();
    /// let props = BTreeMap::from([("k".to_string(), ResultValue::Int(1))]);
    /// after.add_node(0, &["A".to_string()], &props);
    /// after.add_node(1, &["A".to_string()], &BTreeMap::new());
    /// let d = before.diff(&after);
    /// assert_eq!(d.get("+nodes"), Some(&2));
    /// assert_eq!(d.get("+labels"), Some(&1));
    /// assert_eq!(d.get("+properties"), Some(&1));
    /// ```
    pub fn diff(&self, after: &GraphState) -> SideEffects {
        let mut out = SideEffects::new();
        let mut put = |k: &str, n: usize| {
            if n > 0 {
                out.insert(k.to_string(), n as u64);
            }
        };
        put("+nodes", after.nodes.difference(&self.nodes).count());
        put("-nodes", self.nodes.difference(&after.nodes).count());
        put("+relationships", after.rels.difference(&self.rels).count());
        put("-relationships", self.rels.difference(&after.rels).count());
        put("+labels", after.labels.difference(&self.labels).count());
        put("-labels", self.labels.difference(&after.labels).count());
        put(
            "+properties",
            after.properties.difference(&self.properties).count(),
        );
        put(
            "-properties",
            self.properties.difference(&after.properties).count(),
        );
        out
    }
}

/// Parses an expected side-effects table (`| +nodes | 1 |` rows).
pub fn parse_side_effects(table: &[Vec<String>]) -> Result<SideEffects, String> {
    let mut out = SideEffects::new();
    for row in table {
        let [k, v] = row.as_slice() else {
            return Err(format!("bad side-effects row {row:?}"));
        };
        if !KEYS.contains(&k.as_str()) {
            return Err(format!("unknown side effect {k}"));
        }
        let n: u64 = v
            .trim()
            .parse()
            .map_err(|_| format!("bad side-effect count {v}"))?;
        if n > 0 {
            out.insert(k.clone(), n);
        }
    }
    Ok(out)
}

/// Renders side effects as `+nodes 1, -labels 2` (or `none`).
pub fn render_side_effects(s: &SideEffects) -> String {
    if s.is_empty() {
        return "none".into();
    }
    KEYS.iter()
        .filter_map(|k| s.get(*k).map(|n| format!("{k} {n}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A comparable text for a property value (floats by bit pattern so that
/// `NaN` equals itself and `-0.0` differs from `0.0`).
fn value_key(v: &ResultValue) -> String {
    match v {
        ResultValue::Float(f) => format!("f{:x}", f.to_bits()),
        ResultValue::List(l) => format!(
            "[{}]",
            l.iter().map(value_key).collect::<Vec<_>>().join(",")
        ),
        ResultValue::Map(m) => {
            format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{k}:{}", value_key(v)))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        other => format!("{other:?}"),
    }
}

/// Reads the state of a snapshot.
pub fn from_snapshot(snap: &relgraph::Snapshot) -> GraphState {
    let mut st = GraphState::default();
    let catalog = snap.catalog();
    let name = |id: Option<&str>| id.unwrap_or("?").to_string();
    for n in snap.nodes() {
        let labels: Vec<String> = snap
            .node_labels(n)
            .iter()
            .map(|l| name(catalog.label_name(*l)))
            .collect();
        let props: BTreeMap<String, ResultValue> = snap
            .node_properties(n)
            .into_iter()
            .map(|(k, v)| (name(catalog.prop_key_name(k)), storable_to_result(&v)))
            .collect();
        st.add_node(n.0, &labels, &props);
    }
    for r in snap.rels() {
        let props: BTreeMap<String, ResultValue> = snap
            .rel_properties(r.id)
            .into_iter()
            .map(|(k, v)| (name(catalog.prop_key_name(k)), storable_to_result(&v)))
            .collect();
        st.add_rel(r.id.0, &props);
    }
    st
}

/// Converts a stored property value to a result value (properties never hold
/// graph entities; if one does, it is shown as a string so it still compares).
fn storable_to_result(v: &relgraph::Value) -> ResultValue {
    use relgraph::Value;
    match v {
        Value::Null => ResultValue::Null,
        Value::Bool(b) => ResultValue::Bool(*b),
        Value::Int(i) => ResultValue::Int(*i),
        Value::Float(f) => ResultValue::Float(*f),
        Value::String(s) => ResultValue::String(s.to_string()),
        Value::List(l) => ResultValue::List(l.iter().map(storable_to_result).collect()),
        Value::Map(m) => ResultValue::Map(
            m.iter()
                .map(|(k, v)| (k.to_string(), storable_to_result(v)))
                .collect(),
        ),
        Value::Date(d) => ResultValue::Date(*d),
        Value::LocalTime(t) => ResultValue::LocalTime(*t),
        Value::Time(t) => ResultValue::Time(*t),
        Value::LocalDateTime(t) => ResultValue::LocalDateTime(*t),
        Value::DateTime(t) => ResultValue::DateTime(t.clone()),
        Value::Duration(d) => ResultValue::Duration(**d),
        other => ResultValue::String(format!("{other:?}")),
    }
}
