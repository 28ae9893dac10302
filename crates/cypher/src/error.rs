//! Parse errors and caret rendering.

use crate::ast::Span;

/// A syntax error with its position, what would have been valid there, and
/// the openCypher TCK detail code when one applies.
///
/// ```
/// let err = relgraph_cypher::parse("MATCH (n:Person RETURN n").unwrap_err();
/// assert_eq!((err.line, err.column), (1, 17));
/// assert!(err.expected.iter().any(|e| e == "')'"));
/// assert_eq!(err.detail, Some("UnexpectedSyntax"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct ParseError {
    /// What went wrong, e.g. `expected ')'`.
    pub message: String,
    /// The offending text (byte offsets into the query).
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, counted in characters.
    pub column: usize,
    /// What would have been valid at this position (may be empty).
    pub expected: Vec<String>,
    /// The openCypher TCK SyntaxError detail code, e.g. `IntegerOverflow`.
    pub detail: Option<&'static str>,
}

impl ParseError {
    /// Build an error at `span` of `query`, computing line and column.
    ///
    /// ```
    /// use relgraph_cypher::{ast::Span, ParseError};
    /// let e = ParseError::new("RETURN\n  x", Span::new(9, 10), "unknown x", Vec::new(), None);
    /// assert_eq!((e.line, e.column), (2, 3));
    /// ```
    pub fn new(
        query: &str,
        span: Span,
        message: impl Into<String>,
        expected: Vec<String>,
        detail: Option<&'static str>,
    ) -> ParseError {
        let (line, column) = line_column(query, span.start);
        ParseError {
            message: message.into(),
            span,
            line,
            column,
            expected,
            detail,
        }
    }

    /// The error as the user should see it: the message with its position,
    /// the offending line, and a caret under the offending text.
    ///
    /// ```
    /// let q = "MATCH (n:Person RETURN n";
    /// let text = relgraph_cypher::parse(q).unwrap_err().render(q);
    /// assert!(text.contains("\n  MATCH (n:Person RETURN n\n                  ^^^^^^"));
    /// ```
    pub fn render(&self, query: &str) -> String {
        render_caret(query, self.span, &self.message)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `query`.
/// Offsets past the end or inside a character are clamped.
///
/// ```
/// assert_eq!(relgraph_cypher::line_column("ab\ncd", 4), (2, 2));
/// ```
pub fn line_column(query: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_char(query, offset);
    let before = &query[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    let column = query[line_start..offset].chars().count() + 1;
    (line, column)
}

fn clamp_to_char(query: &str, offset: usize) -> usize {
    let mut offset = offset.min(query.len());
    while !query.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Render `message` for `span` of `query` the way the parser renders its
/// errors: `error: MESSAGE at line L, column C`, then the offending line and a
/// caret under the offending text. The binder uses it for semantic errors.
///
/// ```
/// use relgraph_cypher::{ast::Span, render_caret};
/// let text = render_caret("MATCH (n) RETURN m", Span::new(17, 18), "unknown variable m");
/// assert_eq!(
///     text,
///     "error: unknown variable m at line 1, column 18\n  MATCH (n) RETURN m\n                   ^"
/// );
/// ```
pub fn render_caret(query: &str, span: Span, message: &str) -> String {
    let start = clamp_to_char(query, span.start);
    let end = clamp_to_char(query, span.end.max(start));
    let (line_no, column) = line_column(query, start);
    let line_start = query[..start].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let line_end = query[start..]
        .find('\n')
        .map(|p| start + p)
        .unwrap_or(query.len());
    let line = query[line_start..line_end].trim_end_matches('\r');
    let mut pad = String::new();
    for c in query[line_start..start].chars() {
        pad.push(if c == '\t' { '\t' } else { ' ' });
    }
    let width = query[start..end.min(line_end)].chars().count().max(1);
    format!(
        "error: {message} at line {line_no}, column {column}\n  {line}\n  {pad}{}",
        "^".repeat(width)
    )
}
