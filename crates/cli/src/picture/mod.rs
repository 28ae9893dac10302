//! Pictures of a result: every node, relationship and path in it drawn as
//! a graph, as a static SVG, a self-contained HTML page (the SVG plus an
//! inline script for pan, zoom, drag and hover) or Graphviz DOT.
//!
//! A picture needs the whole result before it can lay it out, so
//! [`GraphCollector`] (a [`RowSink`]) keeps the distinct nodes and
//! relationships of the rows as they arrive, found anywhere in a value
//! (inside lists, maps and paths), and charges them to the statement's
//! memory budget. Values that are not graph entities are not drawn.
//!
//! A relationship whose end nodes are not in the result is drawn with them:
//! the caller reads the missing ends from the database
//! ([`Picture::missing_endpoints`], [`Picture::add_endpoints`]); an end that
//! cannot be read (deleted since, or hidden from the reader) is drawn as a
//! dashed placeholder that shows only its id.
//!
//! Pictures are capped at [`MAX_NODES`] nodes and [`MAX_RELATIONSHIPS`]
//! relationships: past a cap the picture is an error that names it, never a
//! silently partial drawing.

mod collect;
mod dot;
mod html;
pub mod layout;
mod style;
mod svg;

pub use collect::{endpoint_nodes, GraphCollector, ENDPOINTS_QUERY};
pub(crate) use style::{caption, cut, label_colour, primary_label, CAPTION_CHARS, NO_LABEL_COLOUR};

use std::collections::{BTreeMap, BTreeSet};

use relgraph::{NodeValue, RelValue};

use crate::limits::size_text;
use layout::{LayoutParams, Point};

/// Most nodes a picture draws.
pub const MAX_NODES: usize = 10_000;
/// Most relationships a picture draws.
pub const MAX_RELATIONSHIPS: usize = 50_000;

/// The kinds of picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureFormat {
    /// A static SVG image.
    Svg,
    /// A self-contained HTML page: the SVG, made interactive by an inline
    /// script (no network).
    Html,
    /// Graphviz DOT, with the computed positions as `pos` attributes.
    Dot,
}

impl PictureFormat {
    /// The format a file name asks for, by its extension (`.svg`, `.html`
    /// or `.htm`, `.dot` or `.gv`).
    ///
    /// ```ignore
    /// assert_eq!(PictureFormat::from_path("a/b.HTML".as_ref()), Some(PictureFormat::Html));
    /// ```
    pub fn from_path(path: &std::path::Path) -> Option<PictureFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(PictureFormat::Svg),
            "html" | "htm" => Some(PictureFormat::Html),
            "dot" | "gv" => Some(PictureFormat::Dot),
            _ => None,
        }
    }
}

/// Why a picture cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PictureError {
    /// The result holds more nodes than a picture draws.
    #[error(
        "the picture would draw more than {max} nodes (the most a picture draws; \
         met after {rows} rows); narrow the query (LIMIT, WHERE) or print it \
         with --format csv or json"
    )]
    TooManyNodes {
        /// The cap, [`MAX_NODES`].
        max: usize,
        /// Rows read when the cap was passed.
        rows: u64,
    },
    /// The result holds more relationships than a picture draws.
    #[error(
        "the picture would draw more than {max} relationships (the most a picture \
         draws; met after {rows} rows); narrow the query (LIMIT, WHERE) or print it \
         with --format csv or json"
    )]
    TooManyRelationships {
        /// The cap, [`MAX_RELATIONSHIPS`].
        max: usize,
        /// Rows read when the cap was passed.
        rows: u64,
    },
    /// With the ends of its relationships, the result has more nodes than
    /// a picture draws.
    #[error(
        "the picture would draw more than {max} nodes (the most a picture draws) \
         with the {ends} ends of its relationships that the result lacks; return \
         the end nodes too, or narrow the query (LIMIT, WHERE)"
    )]
    TooManyEnds {
        /// The cap, [`MAX_NODES`].
        max: usize,
        /// Relationship ends added to the result's nodes.
        ends: usize,
    },
    /// The nodes and relationships would pass the memory budget.
    #[error(
        "the picture's nodes and relationships would need more than the memory \
         budget of {} after {rows} rows; narrow the query or raise --memory",
        size_text(*budget)
    )]
    OverBudget {
        /// Rows read when the budget was passed.
        rows: u64,
        /// The budget, in bytes.
        budget: u64,
    },
}

/// The nodes and relationships of a result, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    nodes: BTreeMap<u64, NodeValue>,
    rels: BTreeMap<u64, RelValue>,
    /// Ends of relationships that could not be read: drawn as placeholders.
    placeholders: BTreeSet<u64>,
}

impl Picture {
    /// Ids of relationship ends that are not in the picture, sorted.
    pub fn missing_endpoints(&self) -> Vec<u64> {
        let ends: BTreeSet<u64> = self
            .rels
            .values()
            .flat_map(|r| [r.start, r.end])
            .filter(|id| !self.nodes.contains_key(id))
            .collect();
        ends.into_iter().collect()
    }

    /// Adds the relationship ends read from the database (`found`); every
    /// end still missing becomes a placeholder. An error when the ends
    /// pass [`MAX_NODES`].
    pub fn add_endpoints(
        &mut self,
        found: impl IntoIterator<Item = NodeValue>,
    ) -> Result<(), PictureError> {
        let before = self.nodes.len();
        for n in found {
            self.nodes.entry(n.id).or_insert(n);
        }
        for id in self.missing_endpoints() {
            self.placeholders.insert(id);
            self.nodes.insert(
                id,
                NodeValue {
                    id,
                    labels: Vec::new(),
                    properties: BTreeMap::new(),
                },
            );
        }
        if self.nodes.len() > MAX_NODES {
            return Err(PictureError::TooManyEnds {
                max: MAX_NODES,
                ends: self.nodes.len() - before,
            });
        }
        Ok(())
    }

    /// Draws the picture in `format`.
    pub fn render(&self, format: PictureFormat) -> String {
        let drawing = Drawing::new(self);
        match format {
            PictureFormat::Svg => svg::render(&drawing),
            PictureFormat::Html => html::render(&drawing),
            PictureFormat::Dot => dot::render(&drawing),
        }
    }

    /// A one-line description: "12 nodes, 15 relationships".
    pub fn summary(&self) -> String {
        counts_text(self.nodes.len(), self.rels.len())
    }
}

/// "1 node, 2 relationships".
fn counts_text(nodes: usize, rels: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}",
        plural(nodes, "node", "nodes"),
        plural(rels, "relationship", "relationships")
    )
}

/// A laid-out picture: nodes in id order with their positions, and the
/// relationships with the bend that keeps parallel ones apart.
pub(crate) struct Drawing<'a> {
    nodes: Vec<DrawnNode<'a>>,
    rels: Vec<DrawnRel<'a>>,
    /// Bounding box of the node centres.
    min: Point,
    max: Point,
}

pub(crate) struct DrawnNode<'a> {
    node: &'a NodeValue,
    at: Point,
    placeholder: bool,
}

pub(crate) struct DrawnRel<'a> {
    rel: &'a RelValue,
    /// Indexes into `Drawing::nodes`.
    from: usize,
    to: usize,
    /// Sideways offset of the curve, in units of [`svg::BEND`], signed so
    /// that parallel relationships between two nodes fan out.
    bend: f64,
}

impl<'a> Drawing<'a> {
    fn new(p: &'a Picture) -> Drawing<'a> {
        let index: BTreeMap<u64, usize> =
            p.nodes.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut rels: Vec<DrawnRel<'a>> = p
            .rels
            .values()
            .filter_map(|r| {
                Some(DrawnRel {
                    rel: r,
                    from: *index.get(&r.start)?,
                    to: *index.get(&r.end)?,
                    bend: 0.0,
                })
            })
            .collect();
        // Relationships between the same two nodes (either way) fan out
        // around the straight line; the sign is taken along the pair's
        // lower-to-higher direction so opposite ones do not cross.
        let mut pairs: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        for (i, r) in rels.iter().enumerate() {
            pairs
                .entry((r.from.min(r.to), r.from.max(r.to)))
                .or_default()
                .push(i);
        }
        for ((a, b), members) in pairs {
            let m = members.len() as f64;
            for (k, i) in members.into_iter().enumerate() {
                let offset = if a == b {
                    k as f64 // self-loops: growing loops
                } else {
                    k as f64 - (m - 1.0) / 2.0
                };
                let r = &mut rels[i];
                r.bend = if r.from <= r.to { offset } else { -offset };
            }
        }
        let edges: Vec<(usize, usize)> = rels.iter().map(|r| (r.from, r.to)).collect();
        let at = layout::layout(
            p.nodes.len(),
            &edges,
            &LayoutParams::for_nodes(p.nodes.len()),
        );
        let nodes: Vec<DrawnNode<'a>> = p
            .nodes
            .values()
            .zip(at)
            .map(|(node, at)| DrawnNode {
                node,
                at,
                placeholder: p.placeholders.contains(&node.id),
            })
            .collect();
        let mut min = Point { x: 0.0, y: 0.0 };
        let mut max = Point { x: 0.0, y: 0.0 };
        for (i, n) in nodes.iter().enumerate() {
            if i == 0 {
                (min, max) = (n.at, n.at);
            }
            min.x = min.x.min(n.at.x);
            min.y = min.y.min(n.at.y);
            max.x = max.x.max(n.at.x);
            max.y = max.y.max(n.at.y);
        }
        Drawing {
            nodes,
            rels,
            min,
            max,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use relgraph::{ResultValue, RowSink};

    pub(crate) fn node(id: u64, label: &str, name: &str) -> NodeValue {
        let mut properties = BTreeMap::new();
        if !name.is_empty() {
            properties.insert("name".to_string(), ResultValue::String(name.into()));
        }
        NodeValue {
            id,
            labels: if label.is_empty() {
                vec![]
            } else {
                vec![label.to_string()]
            },
            properties,
        }
    }

    pub(crate) fn rel(id: u64, t: &str, start: u64, end: u64) -> RelValue {
        RelValue {
            id,
            rel_type: t.to_string(),
            start,
            end,
            properties: BTreeMap::new(),
        }
    }

    pub(crate) fn collect(
        rows: Vec<Vec<ResultValue>>,
        budget: Option<u64>,
    ) -> Result<Picture, PictureError> {
        let mut c = GraphCollector::new(budget);
        for row in rows {
            if c.row(row).is_break() {
                break;
            }
        }
        c.finish()
    }

    #[test]
    fn missing_ends_are_read_or_drawn_as_placeholders() {
        let rows = vec![vec![
            ResultValue::Relationship(rel(1, "KNOWS", 5, 6)),
            ResultValue::Relationship(rel(2, "KNOWS", 6, 7)),
        ]];
        let mut p = collect(rows, None).unwrap();
        assert_eq!(p.missing_endpoints(), [5, 6, 7]);
        p.add_endpoints([node(6, "Person", "Six")]).unwrap();
        assert!(p.missing_endpoints().is_empty());
        assert_eq!(p.nodes.len(), 3);
        assert_eq!(p.placeholders.iter().copied().collect::<Vec<_>>(), [5, 7]);
        let svg = p.render(PictureFormat::Svg);
        assert_eq!(svg.matches("class=\"node placeholder\"").count(), 2);
        assert!(svg.contains(">#5<") && svg.contains(">Six<"), "{svg}");
    }

    #[test]
    fn formats_by_extension() {
        use std::path::Path;
        assert_eq!(
            PictureFormat::from_path(Path::new("a.SVG")),
            Some(PictureFormat::Svg)
        );
        assert_eq!(
            PictureFormat::from_path(Path::new("a.htm")),
            Some(PictureFormat::Html)
        );
        assert_eq!(
            PictureFormat::from_path(Path::new("a.gv")),
            Some(PictureFormat::Dot)
        );
        assert_eq!(PictureFormat::from_path(Path::new("a.png")), None);
        assert_eq!(PictureFormat::from_path(Path::new("svg")), None);
    }
}
