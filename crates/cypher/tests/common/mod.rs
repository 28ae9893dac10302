//! Helpers shared by the parser's integration tests.

#![allow(dead_code)]

/// The `Debug` form of an AST with every span and projection text replaced
/// by `_`, so trees that differ only in positions compare equal.
pub fn normalized(stmt: &relgraph_cypher::ast::Statement) -> String {
    strip(&format!("{stmt:?}"))
}

/// Replace `Span { start: N, end: M }` and `text: "..."` in a Debug string.
pub fn strip(debug: &str) -> String {
    const SPAN: &str = "Span { start: ";
    const TEXT: &str = "text: \"";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(p) = rest.find(['S', 't']) {
        out.push_str(&rest[..p]);
        let here = &rest[p..];
        if here.starts_with(SPAN) {
            let end = here.find('}').map(|e| e + 1).unwrap_or(here.len());
            out.push('_');
            rest = &here[end..];
        } else if let Some(body) = here.strip_prefix(TEXT) {
            // Skip the quoted string, honouring backslash escapes.
            let mut escaped = false;
            let mut end = body.len();
            for (q, c) in body.char_indices() {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    end = q + 1;
                    break;
                }
            }
            out.push_str("text: _");
            rest = &body[end..];
        } else {
            out.push_str(&here[..1]);
            rest = &here[1..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn strip_removes_spans_and_texts() {
    let s = strip(r#"A { span: Span { start: 1, end: 2 }, text: "a\"b", x: 1 }"#);
    assert_eq!(s, "A { span: _, text: _, x: 1 }");
}
