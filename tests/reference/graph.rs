//! Random small property graphs, kept as plain structs for the reference
//! evaluator and rendered as one CREATE statement for the engine.

use std::fmt::Write as _;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::Index;

/// Label names; a node's labels are a bit mask over this array.
pub const LABELS: [&str; 3] = ["A", "B", "C"];
/// Relationship type names; a relationship's type is an index into this array.
pub const TYPES: [&str; 2] = ["R", "S"];

/// A node: its labels as a bit mask over [`LABELS`] and its integer property
/// `v`, absent (null) when `None`. Its property `k` is its index in
/// [`Graph::nodes`], which is how rows identify nodes.
#[derive(Clone, Debug)]
pub struct Node {
    pub labels: u8,
    pub v: Option<i64>,
}

impl Node {
    /// Whether the node carries every label of the mask.
    pub fn has_labels(&self, mask: u8) -> bool {
        self.labels & mask == mask
    }
}

/// A directed relationship between node indexes, of type `TYPES[ty]`.
#[derive(Clone, Debug)]
pub struct Rel {
    pub start: usize,
    pub end: usize,
    pub ty: usize,
}

/// A whole graph.
#[derive(Clone, Debug)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub rels: Vec<Rel>,
}

/// Renders a label mask as `:A:B` (empty for no label).
pub fn label_text(mask: u8) -> String {
    LABELS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, l)| format!(":{l}"))
        .collect()
}

impl Graph {
    /// One CREATE statement that builds this graph in an empty database.
    pub fn create_statement(&self) -> String {
        let mut parts = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let mut s = format!("(n{i}{} {{k: {i}", label_text(n.labels));
            if let Some(v) = n.v {
                write!(s, ", v: {v}").expect("writing to a String cannot fail");
            }
            s.push_str("})");
            parts.push(s);
        }
        for r in &self.rels {
            parts.push(format!("(n{})-[:{}]->(n{})", r.start, TYPES[r.ty], r.end));
        }
        format!("CREATE {}", parts.join(", "))
    }
}

/// Graphs of 5 to 30 nodes and up to 40 relationships (self-loops and
/// parallel relationships included), `v` in 0..4 or null.
pub fn graph_strategy() -> impl Strategy<Value = Graph> {
    (
        vec((0u8..8, option::weighted(0.8, 0i64..4)), 5..=30),
        vec(
            (any::<Index>(), any::<Index>(), 0usize..TYPES.len()),
            0..=40,
        ),
    )
        .prop_map(|(nodes, rels)| {
            let n = nodes.len();
            Graph {
                nodes: nodes
                    .into_iter()
                    .map(|(labels, v)| Node { labels, v })
                    .collect(),
                rels: rels
                    .into_iter()
                    .map(|(s, e, ty)| Rel {
                        start: s.index(n),
                        end: e.index(n),
                        ty,
                    })
                    .collect(),
            }
        })
}
