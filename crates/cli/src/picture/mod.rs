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

mod dot;
mod html;
pub mod layout;
mod svg;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use relgraph::{NodeValue, RelValue, ResultValue, RowSink};

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

/// The caption of a node: its `name`, else its `title`, else `#id`, cut to
/// [`CAPTION_CHARS`] characters.
pub(crate) fn caption(n: &NodeValue) -> String {
    let text = ["name", "title"]
        .iter()
        .find_map(|k| match n.properties.get(*k) {
            None | Some(ResultValue::Null) => None,
            Some(v) => Some(crate::format::cell_text(v)),
        })
        .unwrap_or_else(|| format!("#{}", n.id));
    cut(text, CAPTION_CHARS)
}

/// Most characters of a caption.
pub(crate) const CAPTION_CHARS: usize = 24;

/// `text` cut to `max` characters, an ellipsis marking the cut.
pub(crate) fn cut(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// The label that colours a node: its first label (none: `None`).
pub(crate) fn primary_label(n: &NodeValue) -> Option<&str> {
    n.labels.first().map(String::as_str)
}

/// Fill colours of labels (Tableau 10, colour-blind friendly).
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#79706e",
];

/// Fill of nodes without a label and of placeholders.
pub(crate) const NO_LABEL_COLOUR: &str = "#d0d0d0";

/// The colour of a label: picked by a hash of its name, so a label has the
/// same colour in every picture.
pub(crate) fn label_colour(label: Option<&str>) -> &'static str {
    let Some(label) = label else {
        return NO_LABEL_COLOUR;
    };
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    PALETTE[(h % PALETTE.len() as u64) as usize]
}

/// Keeps the distinct nodes and relationships of the rows handed to it;
/// see the module documentation. Stops the rows (and keeps the error for
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
pub(crate) mod tests {
    use super::*;
    use relgraph::PathValue;

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

    fn collect(rows: Vec<Vec<ResultValue>>, budget: Option<u64>) -> Result<Picture, PictureError> {
        let mut c = GraphCollector::new(budget);
        for row in rows {
            if c.row(row).is_break() {
                break;
            }
        }
        c.finish()
    }

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

    #[test]
    fn captions_and_colours() {
        let mut n = node(9, "Person", "");
        assert_eq!(caption(&n), "#9");
        n.properties
            .insert("title".into(), ResultValue::String("CMO".into()));
        assert_eq!(caption(&n), "CMO");
        n.properties
            .insert("name".into(), ResultValue::String("é".repeat(30)));
        assert_eq!(caption(&n), format!("{}…", "é".repeat(CAPTION_CHARS)));
        assert_eq!(label_colour(Some("Person")), label_colour(Some("Person")));
        assert_eq!(label_colour(None), NO_LABEL_COLOUR);
        // The demo graph's main labels get different colours.
        let main = ["Person", "Company", "Event", "Content", "Topic"];
        let colours: BTreeSet<&str> = main.iter().map(|l| label_colour(Some(l))).collect();
        assert_eq!(colours.len(), main.len(), "{colours:?}");
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
