//! The HTML page of a [`Drawing`]: the static SVG inline, the nodes' and
//! relationships' properties as a JSON data block, and `view.js` inline
//! (pan, zoom, drag nodes, hover shows properties). Nothing is loaded from
//! anywhere: the page's Content-Security-Policy forbids every fetch.
//!
//! The script writes its state into `<body data-status>`: `ready` once it
//! has wired everything up, `error: ...` when it or anything later throws
//! (the browser test reads it).

use serde_json::{json, Value as Json};

use super::svg::{write_svg, xml_text, BEND, RADIUS};
use super::Drawing;
use crate::format::to_json;
use relgraph::ResultValue;

/// The page's script.
const SCRIPT: &str = include_str!("view.js");

const STYLE: &str = "\
html,body{margin:0;height:100%;font-family:Helvetica,Arial,sans-serif}\
body{display:flex;flex-direction:column}\
header{padding:6px 12px;border-bottom:1px solid #ddd;font-size:13px;color:#444}\
#canvas{flex:1;min-height:0}\
#canvas svg{width:100%;height:100%;display:block;cursor:grab;touch-action:none}\
#canvas svg .node{cursor:pointer}\
#tip{position:fixed;display:none;max-width:420px;background:#fff;border:1px solid #bbb;\
border-radius:4px;padding:6px 8px;font-size:12px;box-shadow:0 2px 6px rgba(0,0,0,.2);\
pointer-events:none;white-space:pre-wrap;word-break:break-word}\
#tip b{display:block;margin-bottom:3px}";

/// The page.
pub(crate) fn render(d: &Drawing<'_>) -> String {
    let summary = super::counts_text(d.nodes.len(), d.rels.len());
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n",
    );
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str(&format!(
        "<title>relgraph: {}</title>\n",
        xml_text(&summary)
    ));
    s.push_str(&format!("<style>{STYLE}</style>\n</head>\n"));
    s.push_str("<body data-status=\"loading\">\n");
    s.push_str(&format!(
        "<header>relgraph: {}. Drag the background to pan, scroll to zoom, \
         drag a node to move it, point at a node or a relationship to see its \
         properties; double-click to reset the view.</header>\n",
        xml_text(&summary)
    ));
    s.push_str("<div id=\"canvas\">\n");
    write_svg(
        &mut s,
        d,
        &format!(" id=\"picture\" data-radius=\"{RADIUS}\" data-bend=\"{BEND}\""),
    );
    s.push_str("</div>\n<div id=\"tip\"></div>\n");
    s.push_str("<script type=\"application/json\" id=\"picture-data\">");
    s.push_str(&script_safe_json(&data(d)));
    s.push_str("</script>\n<script>\n");
    s.push_str(SCRIPT);
    s.push_str("</script>\n</body>\n</html>\n");
    s
}

/// The properties the tooltips show, keyed by id.
fn data(d: &Drawing<'_>) -> Json {
    let nodes: serde_json::Map<String, Json> = d
        .nodes
        .iter()
        .map(|n| {
            let mut v = to_json(&ResultValue::Node(n.node.clone()));
            if n.placeholder {
                v["placeholder"] = Json::Bool(true);
            }
            (n.node.id.to_string(), v)
        })
        .collect();
    let rels: serde_json::Map<String, Json> = d
        .rels
        .iter()
        .map(|r| {
            (
                r.rel.id.to_string(),
                to_json(&ResultValue::Relationship(r.rel.clone())),
            )
        })
        .collect();
    json!({ "nodes": nodes, "relationships": rels })
}

/// JSON that can sit inside a `<script>` element: `<`, `>` and `&` (so no
/// `</script>` or `<!--` can end or change it) and the line separators
/// U+2028 and U+2029 are written as `\u` escapes, which JSON allows inside
/// strings, the only place these characters can appear.
fn script_safe_json(v: &Json) -> String {
    let text = v.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_cannot_close_it() {
        let v = json!({"name": "</script><script>alert(1)</script><!-- &amp; \u{2028}"});
        let s = script_safe_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        assert!(!s.contains('\u{2028}'));
        let back: Json = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
