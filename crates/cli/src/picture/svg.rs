//! The static SVG of a [`Drawing`]: a circle per node (class `node`),
//! coloured by label and captioned, an arrow per relationship with its
//! type, a legend of the labels, and a `<title>` on every node and
//! relationship holding its properties (browsers show it on hover).
//!
//! Every text that comes from data goes through [`xml_text`]. The edge
//! geometry here is repeated in `view.js`, which redraws edges while a node
//! is dragged: change both together.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::layout::Point;
use super::{caption, label_colour, primary_label, Drawing, NO_LABEL_COLOUR};
use crate::format::literal_text;

/// Radius of a node's circle.
pub(crate) const RADIUS: f64 = 18.0;
/// Sideways offset of a curve per unit of bend (and of a self-loop's growth).
pub(crate) const BEND: f64 = 28.0;
/// Room around the drawing (captions, loops).
const MARGIN: f64 = 70.0;
/// Width of the legend column to the right of the drawing.
const LEGEND_WIDTH: f64 = 190.0;
/// Most characters of a `<title>` tooltip.
const TOOLTIP_CHARS: usize = 2000;

/// The stylesheet of the picture (kept inside the SVG, so the file stands
/// alone).
const STYLE: &str = "\
.rel path{fill:none;stroke:#8a8a8a;stroke-width:1.5}\
.rel text,.node text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.rel text{font-size:10px;fill:#555;text-anchor:middle}\
.node circle{stroke:#fff;stroke-width:2}\
.node.placeholder circle{stroke:#888;stroke-dasharray:4 3}\
.node text{font-size:12px;fill:#222;text-anchor:middle}\
.legend text{font-size:12px;fill:#222}";

/// The SVG document (with its XML declaration).
pub(crate) fn render(d: &Drawing<'_>) -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_svg(&mut s, d, "");
    s
}

/// Writes the `<svg>` element; `attributes` are added to its start tag.
pub(crate) fn write_svg(s: &mut String, d: &Drawing<'_>, attributes: &str) {
    let width = (d.max.x - d.min.x + 2.0 * MARGIN).max(240.0) + LEGEND_WIDTH;
    let height = (d.max.y - d.min.y + 2.0 * MARGIN).max(160.0);
    // Drawing coordinates: shifted so the box starts at the margin.
    let shift = Point {
        x: MARGIN - d.min.x,
        y: MARGIN - d.min.y,
    };
    let at = |i: usize| Point {
        x: d.nodes[i].at.x + shift.x,
        y: d.nodes[i].at.y + shift.y,
    };
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" \
         data-nodes=\"{}\" data-relationships=\"{}\"{attributes}>",
        d.nodes.len(),
        d.rels.len()
    );
    let _ = writeln!(s, "<style>{STYLE}</style>");
    s.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0L10,5L0,10z\" fill=\"#8a8a8a\"/></marker></defs>\n",
    );
    s.push_str("<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    s.push_str("<g id=\"viewport\">\n<g class=\"rels\">\n");
    for r in &d.rels {
        let geo = edge(at(r.from), at(r.to), r.from == r.to, r.bend);
        let _ = writeln!(
            s,
            "<g class=\"rel\" data-id=\"{}\" data-from=\"{}\" data-to=\"{}\" data-bend=\"{}\">\
             <path d=\"{}\" marker-end=\"url(#arrow)\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}</text><title>{}</title></g>",
            r.rel.id,
            d.nodes[r.from].node.id,
            d.nodes[r.to].node.id,
            r.bend,
            geo.path,
            geo.label.x,
            geo.label.y,
            xml_text(&super::cut(r.rel.rel_type.clone(), super::CAPTION_CHARS)),
            xml_text(&super::cut(
                format!(
                    "relationship {} ({})-[{}]->({})",
                    r.rel.id,
                    r.rel.start,
                    literal_text(&relgraph::ResultValue::Relationship(r.rel.clone())),
                    r.rel.end
                ),
                TOOLTIP_CHARS
            )),
        );
    }
    s.push_str("</g>\n<g class=\"nodes\">\n");
    for (i, n) in d.nodes.iter().enumerate() {
        let p = at(i);
        let (class, fill, tip) = if n.placeholder {
            (
                "node placeholder",
                "#fff",
                format!(
                    "node {}: an end of a relationship in the result; not in the result \
                     and not readable now",
                    n.node.id
                ),
            )
        } else {
            (
                "node",
                label_colour(primary_label(n.node)),
                format!(
                    "node {} {}",
                    n.node.id,
                    literal_text(&relgraph::ResultValue::Node(n.node.clone()))
                ),
            )
        };
        let _ = writeln!(
            s,
            "<g class=\"{class}\" data-id=\"{}\" transform=\"translate({:.1} {:.1})\">\
             <circle r=\"{RADIUS}\" fill=\"{fill}\"/>\
             <text y=\"{:.0}\">{}</text><title>{}</title></g>",
            n.node.id,
            p.x,
            p.y,
            RADIUS + 14.0,
            xml_text(&caption(n.node)),
            xml_text(&super::cut(tip, TOOLTIP_CHARS)),
        );
    }
    s.push_str("</g>\n</g>\n");
    write_legend(s, d, width - LEGEND_WIDTH + 10.0);
    s.push_str("</svg>\n");
}

/// The legend: one swatch per label drawn, plus unlabelled nodes and
/// placeholders when there are any.
fn write_legend(s: &mut String, d: &Drawing<'_>, x: f64) {
    let mut entries: BTreeMap<String, (&str, usize)> = BTreeMap::new();
    let mut unlabelled = 0;
    let mut placeholders = 0;
    for n in &d.nodes {
        match (n.placeholder, primary_label(n.node)) {
            (true, _) => placeholders += 1,
            (false, None) => unlabelled += 1,
            (false, Some(l)) => {
                entries
                    .entry(format!(":{l}"))
                    .or_insert((label_colour(Some(l)), 0))
                    .1 += 1
            }
        }
    }
    let mut rows: Vec<(String, &str, bool)> = entries
        .into_iter()
        .map(|(name, (colour, n))| (format!("{} ({n})", super::cut(name, 18)), colour, false))
        .collect();
    if unlabelled > 0 {
        rows.push((format!("no label ({unlabelled})"), NO_LABEL_COLOUR, false));
    }
    if placeholders > 0 {
        rows.push((format!("not in result ({placeholders})"), "#fff", true));
    }
    let _ = writeln!(s, "<g class=\"legend\" transform=\"translate({x:.0} 20)\">");
    if d.nodes.is_empty() {
        s.push_str("<text y=\"12\">no nodes or relationships</text>\n");
        s.push_str("<text y=\"30\">in this result</text>\n");
    }
    for (i, (text, colour, dashed)) in rows.iter().enumerate() {
        let y = i as f64 * 22.0;
        let stroke = if *dashed {
            " stroke=\"#888\" stroke-dasharray=\"3 2\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<rect x=\"0\" y=\"{y:.0}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"{colour}\"{stroke}/>\
             <text x=\"22\" y=\"{:.0}\">{}</text>",
            y + 11.0,
            xml_text(text)
        );
    }
    s.push_str("</g>\n");
}

/// Where an edge is drawn: its SVG path and the spot for its type.
pub(crate) struct EdgeGeometry {
    pub(crate) path: String,
    pub(crate) label: Point,
}

/// The path from the circle around `p` to the circle around `q`, bent
/// sideways by `bend` units (a self-loop above the node when `self_loop`),
/// ending on the circle so the arrow head touches it.
pub(crate) fn edge(p: Point, q: Point, self_loop: bool, bend: f64) -> EdgeGeometry {
    if self_loop {
        let size = 26.0 + BEND * bend.abs();
        let (sx, sy) = (p.x - 0.5 * RADIUS, p.y - 0.866 * RADIUS);
        let (ex, ey) = (p.x + 0.5 * RADIUS, p.y - 0.866 * RADIUS);
        let top = p.y - RADIUS - 1.6 * size;
        return EdgeGeometry {
            path: format!(
                "M{sx:.1},{sy:.1}C{:.1},{top:.1} {:.1},{top:.1} {ex:.1},{ey:.1}",
                p.x - size,
                p.x + size
            ),
            label: Point {
                x: p.x,
                y: top + 0.25 * size - 3.0,
            },
        };
    }
    let (dx, dy) = (q.x - p.x, q.y - p.y);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (nx, ny) = (-dy / len, dx / len);
    let mid = Point {
        x: (p.x + q.x) / 2.0,
        y: (p.y + q.y) / 2.0,
    };
    let c = Point {
        x: mid.x + nx * bend * BEND,
        y: mid.y + ny * bend * BEND,
    };
    let toward = |from: Point, to: Point, by: f64| {
        let (ux, uy) = (to.x - from.x, to.y - from.y);
        let l = (ux * ux + uy * uy).sqrt().max(1e-6);
        Point {
            x: from.x + ux / l * by,
            y: from.y + uy / l * by,
        }
    };
    let start = toward(p, c, RADIUS);
    let end = toward(q, c, RADIUS);
    let path = if bend == 0.0 {
        format!("M{:.1},{:.1}L{:.1},{:.1}", start.x, start.y, end.x, end.y)
    } else {
        format!(
            "M{:.1},{:.1}Q{:.1},{:.1} {:.1},{:.1}",
            start.x, start.y, c.x, c.y, end.x, end.y
        )
    };
    // The curve's middle, B(1/2) = (start + 2c + end) / 4, lifted a little.
    let label = Point {
        x: (start.x + 2.0 * c.x + end.x) / 4.0,
        y: (start.y + 2.0 * c.y + end.y) / 4.0 - 3.0,
    };
    EdgeGeometry { path, label }
}

/// `text` safe inside an XML element or a double- or single-quoted
/// attribute: markup characters become entities, and characters XML 1.0
/// forbids (most control characters, unpaired surrogates cannot occur in a
/// Rust string, U+FFFE and U+FFFF) become U+FFFD.
pub(crate) fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::tests::{node, rel};
    use crate::picture::{GraphCollector, PictureFormat};
    use relgraph::{ResultValue, RowSink};

    #[test]
    fn xml_escapes_markup_and_forbidden_characters() {
        assert_eq!(
            xml_text("<a href=\"x\">'&'</a>\u{1}\u{ffff}\n"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\u{fffd}\u{fffd}\n"
        );
    }

    #[test]
    fn one_circle_per_node_and_one_path_per_relationship() {
        let mut c = GraphCollector::new(None);
        let more = c.row(vec![
            ResultValue::Node(node(1, "Person", "Ada")),
            ResultValue::Node(node(2, "", "")),
            ResultValue::Relationship(rel(5, "KNOWS", 1, 2)),
            ResultValue::Relationship(rel(6, "KNOWS", 2, 1)),
            ResultValue::Relationship(rel(7, "LIKES", 1, 1)),
        ]);
        assert!(more.is_continue());
        let svg = c.finish().unwrap().render(PictureFormat::Svg);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("class=\"rel\"").count(), 3);
        // Two opposite relationships between one pair bend apart; the
        // self-loop is a cubic curve.
        assert_eq!(svg.matches("data-bend=\"-0.5\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("marker-end=").count(), 3);
        let self_loop = svg.split("data-id=\"7\"").nth(1).unwrap();
        let path = self_loop.split("<path d=\"").nth(1).unwrap();
        assert!(path.split('"').next().unwrap().contains('C'), "{svg}");
        assert!(svg.contains(":Person (1)") && svg.contains("no label (1)"));
        assert!(svg.contains(">Ada<") && svg.contains(">#2<"));
    }

    #[test]
    fn straight_edges_end_on_the_circles() {
        let g = edge(
            Point { x: 0.0, y: 0.0 },
            Point { x: 100.0, y: 0.0 },
            false,
            0.0,
        );
        assert_eq!(g.path, "M18.0,0.0L82.0,0.0");
        let empty = crate::picture::Picture::default().render(PictureFormat::Svg);
        assert!(empty.contains("no nodes or relationships"));
        assert!(!empty.contains("<circle"));
    }
}
