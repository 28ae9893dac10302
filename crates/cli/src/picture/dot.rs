//! Graphviz DOT of a [`Drawing`]: nodes `n<id>` filled by label and
//! captioned like the SVG, relationships as edges labelled with their type,
//! properties as tooltips, and the computed layout as `pos` attributes
//! (`neato -n2` keeps it; `dot` and the others lay the graph out anew).
//!
//! Every text that comes from data goes through [`dot_string`].

use std::fmt::Write as _;

use super::{caption, label_colour, primary_label, Drawing};
use crate::format::literal_text;
use relgraph::ResultValue;

/// The DOT document.
pub(crate) fn render(d: &Drawing<'_>) -> String {
    let mut s = String::from("digraph relgraph {\n");
    s.push_str("  graph [overlap=false, splines=true];\n");
    s.push_str("  node [shape=ellipse, style=filled, fontname=\"Helvetica\", fontsize=11];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#8a8a8a\"];\n");
    for n in &d.nodes {
        let (fill, style, tip) = if n.placeholder {
            (
                "#ffffff",
                ", style=dashed",
                format!(
                    "node {}: not in the result, and not readable now",
                    n.node.id
                ),
            )
        } else {
            (
                label_colour(primary_label(n.node)),
                "",
                literal_text(&ResultValue::Node(n.node.clone())),
            )
        };
        // Points, y up (Graphviz) from pixels, y down (SVG).
        let _ = writeln!(
            s,
            "  n{} [label={}, fillcolor=\"{fill}\"{style}, tooltip={}, pos=\"{:.1},{:.1}\"];",
            n.node.id,
            dot_string(&caption(n.node)),
            dot_string(&tip),
            n.at.x * 0.75,
            -n.at.y * 0.75,
        );
    }
    for r in &d.rels {
        let _ = writeln!(
            s,
            "  n{} -> n{} [label={}, tooltip={}];",
            r.rel.start,
            r.rel.end,
            dot_string(&r.rel.rel_type),
            dot_string(&literal_text(&ResultValue::Relationship(r.rel.clone()))),
        );
    }
    s.push_str("}\n");
    s
}

/// `text` as a double-quoted DOT string: `"` and `\` escaped (so Graphviz's
/// own escapes such as `\N` or `\l` cannot be written by data), line breaks
/// as `\n`, other control characters as spaces.
pub(crate) fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::tests::{node, rel};
    use crate::picture::{GraphCollector, PictureFormat};
    use relgraph::RowSink;

    #[test]
    fn strings_cannot_leave_their_quotes() {
        assert_eq!(dot_string(r#"a"b\N"#), r#""a\"b\\N""#);
        assert_eq!(dot_string("x\ny\r\u{0}"), "\"x\\ny  \"");
        // A string ending in a backslash cannot escape the closing quote.
        assert_eq!(dot_string("a\\"), "\"a\\\\\"");
    }

    #[test]
    fn nodes_and_edges() {
        let mut c = GraphCollector::new(None);
        let more = c.row(vec![
            ResultValue::Node(node(1, "Person", "Ada \"the\" first")),
            ResultValue::Node(node(2, "Company", "Acme")),
            ResultValue::Relationship(rel(5, "WORKS_AT", 1, 2)),
        ]);
        assert!(more.is_continue());
        let dot = c.finish().unwrap().render(PictureFormat::Dot);
        assert!(dot.starts_with("digraph relgraph {\n") && dot.ends_with("}\n"));
        assert!(
            dot.contains(r#"n1 [label="Ada \"the\" first", fillcolor=""#),
            "{dot}"
        );
        assert!(dot.contains("n1 -> n2 [label=\"WORKS_AT\""), "{dot}");
        assert_eq!(dot.matches(" -> ").count(), 1);
    }
}
