//! Keeping the graph of a result as its rows arrive.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use relgraph::{NodeValue, RelValue, ResultValue, RowSink};

use super::{Picture, PictureError, MAX_NODES, MAX_RELATIONSHIPS};

/// Keeps the distinct nodes and relationships of the rows handed to it,
/// found anywhere in a value (see the `picture` module's documentation). Stops the rows (and keeps the error for
/// [`GraphCollector::finish`]) past a cap or the memory budget.
///
/// ```ignore
/// let mut c = GraphCollector::new(options.memory_budget);
/// let result = db.query_streaming(text, &params, &options, &mut c)?;
/// let picture = c.finish()?;
/// ```
#[derive(Debug, Default)]
pub struct GraphCollector {
    picture: Picture,
    rows: u64,
    bytes: u64,
    budget: Option<u64>,
    error: Option<PictureError>,
}

impl GraphCollector {
    /// A collector whose nodes and relationships may hold `budget` bytes.
    pub fn new(budget: Option<u64>) -> GraphCollector {
        GraphCollector {
            budget,
            ..GraphCollector::default()
        }
    }

    /// The picture, or why it cannot be drawn.
    pub fn finish(self) -> Result<Picture, PictureError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.picture),
        }
    }

    fn add(&mut self, v: &ResultValue) -> Result<(), PictureError> {
        match v {
            ResultValue::Node(n) => self.add_node(n),
            ResultValue::Relationship(r) => self.add_rel(r),
            ResultValue::Path(p) => {
                p.nodes.iter().try_for_each(|n| self.add_node(n))?;
                p.rels.iter().try_for_each(|r| self.add_rel(r))
            }
            ResultValue::List(items) => items.iter().try_for_each(|v| self.add(v)),
            ResultValue::Map(m) => m.values().try_for_each(|v| self.add(v)),
            _ => Ok(()),
        }
    }

    fn add_node(&mut self, n: &NodeValue) -> Result<(), PictureError> {
        if self.picture.nodes.contains_key(&n.id) {
            return Ok(());
        }
        if self.picture.nodes.len() >= MAX_NODES {
            return Err(PictureError::TooManyNodes {
                max: MAX_NODES,
                rows: self.rows + 1,
            });
        }
        let bytes = 96
            + n.labels.iter().map(|l| l.len() as u64 + 24).sum::<u64>()
            + props_bytes(&n.properties);
        self.charge(bytes)?;
        self.picture.nodes.insert(n.id, n.clone());
        Ok(())
    }

    fn add_rel(&mut self, r: &RelValue) -> Result<(), PictureError> {
        if self.picture.rels.contains_key(&r.id) {
            return Ok(());
        }
        if self.picture.rels.len() >= MAX_RELATIONSHIPS {
            return Err(PictureError::TooManyRelationships {
                max: MAX_RELATIONSHIPS,
                rows: self.rows + 1,
            });
        }
        let bytes = 120 + r.rel_type.len() as u64 + props_bytes(&r.properties);
        self.charge(bytes)?;
        self.picture.rels.insert(r.id, r.clone());
        Ok(())
    }

    fn charge(&mut self, bytes: u64) -> Result<(), PictureError> {
        self.bytes += bytes;
        match self.budget {
            Some(budget) if self.bytes > budget => Err(PictureError::OverBudget {
                rows: self.rows + 1,
                budget,
            }),
            _ => Ok(()),
        }
    }
}

/// About what a property map costs on the heap (a B-tree entry per key).
fn props_bytes(props: &BTreeMap<String, ResultValue>) -> u64 {
    props
        .iter()
        .map(|(k, v)| 40 + k.len() as u64 + value_bytes(v))
        .sum()
}

/// About what a value costs on the heap, beyond its own 48 bytes.
fn value_bytes(v: &ResultValue) -> u64 {
    48 + match v {
        ResultValue::String(s) => s.len() as u64,
        ResultValue::List(items) => items.iter().map(value_bytes).sum(),
        ResultValue::Map(m) => props_bytes(m),
        ResultValue::Node(n) => props_bytes(&n.properties) + 64,
        ResultValue::Relationship(r) => props_bytes(&r.properties) + 64,
        ResultValue::Path(p) => (p.nodes.len() + p.rels.len()) as u64 * 128,
        _ => 0,
    }
}

impl GraphCollector {
    /// Keeps the nodes and relationships of one row; `Break` once the
    /// picture has passed a cap or the budget (and ignores rows from then).
    pub fn see(&mut self, row: &[ResultValue]) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        for v in row {
            if let Err(e) = self.add(v) {
                // What was kept is of no use any more: free it now.
                self.picture = Picture::default();
                self.error = Some(e);
                return ControlFlow::Break(());
            }
        }
        self.rows += 1;
        ControlFlow::Continue(())
    }
}

impl RowSink for GraphCollector {
    fn columns(&mut self, _columns: &[String]) {}

    fn row(&mut self, row: Vec<ResultValue>) -> ControlFlow<()> {
        self.see(&row)
    }
}

/// The statement that reads the nodes with the ids in `$ids`.
pub const ENDPOINTS_QUERY: &str = "UNWIND $ids AS i MATCH (n) WHERE id(n) = i RETURN n";

/// The nodes of a result of [`ENDPOINTS_QUERY`].
pub fn endpoint_nodes(rows: Vec<Vec<ResultValue>>) -> impl Iterator<Item = NodeValue> {
    rows.into_iter().flatten().filter_map(|v| match v {
        ResultValue::Node(n) => Some(n),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::tests::{collect, node, rel};
    use relgraph::PathValue;

    #[test]
    fn nodes_are_found_inside_lists_maps_and_paths() {
        let path = ResultValue::Path(PathValue {
            nodes: vec![node(1, "Person", "Ada"), node(2, "Person", "Bob")],
            rels: vec![rel(10, "KNOWS", 1, 2)],
        });
        let mut m = BTreeMap::new();
        m.insert(
            "x".to_string(),
            ResultValue::Node(node(3, "Company", "Acme")),
        );
        let rows = vec![
            vec![path.clone(), ResultValue::Int(1)],
            vec![
                path,
                ResultValue::List(vec![ResultValue::Map(m), ResultValue::Null]),
            ],
            vec![ResultValue::Relationship(rel(11, "WORKS_AT", 2, 3))],
        ];
        let p = collect(rows, None).unwrap();
        assert_eq!(p.nodes.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(p.rels.keys().copied().collect::<Vec<_>>(), [10, 11]);
        assert!(p.missing_endpoints().is_empty());
        assert_eq!(p.summary(), "3 nodes, 2 relationships");
    }

    #[test]
    fn caps_and_budget_are_errors_that_name_them() {
        let many: Vec<Vec<ResultValue>> = (0..MAX_NODES as u64 + 1)
            .map(|i| vec![ResultValue::Node(node(i, "N", ""))])
            .collect();
        let err = collect(many, None).unwrap_err();
        assert_eq!(
            err,
            PictureError::TooManyNodes {
                max: MAX_NODES,
                rows: MAX_NODES as u64 + 1
            }
        );
        assert!(err.to_string().contains("more than 10000 nodes"), "{err}");
        let rels: Vec<Vec<ResultValue>> = (0..MAX_RELATIONSHIPS as u64 + 1)
            .map(|i| vec![ResultValue::Relationship(rel(i, "R", 0, 1))])
            .collect();
        assert!(matches!(
            collect(rels, None),
            Err(PictureError::TooManyRelationships { .. })
        ));
        // Under the cap, but not with the relationships' ends.
        let rows: Vec<Vec<ResultValue>> = (0..MAX_NODES as u64 / 2 + 1)
            .map(|i| vec![ResultValue::Relationship(rel(i, "R", 2 * i, 2 * i + 1))])
            .collect();
        let mut p = collect(rows, None).unwrap();
        let err = p.add_endpoints([]).unwrap_err();
        assert_eq!(
            err,
            PictureError::TooManyEnds {
                max: MAX_NODES,
                ends: MAX_NODES + 2
            }
        );
        let big = vec![vec![ResultValue::Node(node(1, "N", &"x".repeat(5000)))]];
        let err = collect(big, Some(4096)).unwrap_err();
        assert!(err.to_string().contains("memory budget of 4 KiB"), "{err}");
    }
}
