//! relgraph-cypher: the openCypher parser.
//!
//! [`parse`] turns query text into an [`ast::Statement`] whose every clause
//! and expression carries a byte [`ast::Span`]; a syntax error is a
//! [`ParseError`] with line, column, what was expected, the openCypher TCK
//! detail code, and a caret rendering ([`ParseError::render`]). The
//! [`std::fmt::Display`] impls print an AST back as Cypher that parses to the
//! same tree.
//!
//! ```
//! use relgraph_cypher::{ast::{Clause, StatementKind}, parse};
//! let stmt = parse("MATCH (a:Person)-[:KNOWS]->(b) WHERE a.age > 30 RETURN b.name AS name").unwrap();
//! let StatementKind::Query(q) = &stmt.kind else { unreachable!() };
//! assert!(matches!(q.first.clauses[0], Clause::Match(_)));
//! assert_eq!(
//!     stmt.to_string(),
//!     "MATCH (a:Person)-[:KNOWS]->(b) WHERE a.age > 30 RETURN b.name AS name"
//! );
//! ```
//!
//! Architecture invariant: this crate knows nothing of storage or execution.

#![warn(missing_docs)]

mod access;
pub mod ast;
mod clause;
mod error;
mod expr;
mod lexer;
mod pattern;
mod print;
mod schema;

pub use error::{line_column, render_caret, ParseError};
pub use lexer::{MAX_DEPTH, STACK_BUDGET};

use ast::Span;
use lexer::{Cx, PError};

/// Parse one statement (an optional trailing `;` is allowed).
///
/// ```
/// let stmt = relgraph_cypher::parse("RETURN 1 + 2 * 3 AS x").unwrap();
/// assert_eq!(stmt.to_string(), "RETURN 1 + 2 * 3 AS x");
/// let err = relgraph_cypher::parse("RETURN 9223372036854775808").unwrap_err();
/// assert_eq!(err.detail, Some("IntegerOverflow"));
/// ```
pub fn parse(text: &str) -> Result<ast::Statement, ParseError> {
    let cx = Cx::new(text);
    match cx.statement(text) {
        Ok((_, stmt)) => Ok(stmt),
        Err(nom::Err::Failure(PError::Hard(f))) | Err(nom::Err::Error(PError::Hard(f))) => Err(
            ParseError::new(text, f.span, f.message, Vec::new(), f.detail),
        ),
        Err(_) => Err(soft_error(&cx, text)),
    }
}

/// Parse a script: statements separated by `;`, e.g. a file fed to the
/// shell. Each statement's `span` locates its text in `text`, so it can be
/// run on its own with `&text[stmt.span.start..stmt.span.end]`.
///
/// ```
/// let script = "CREATE (:A {s: 'x;y'});\n// a comment; with semicolons\nMATCH (a:A) RETURN a.s;";
/// let stmts = relgraph_cypher::parse_script(script).unwrap();
/// assert_eq!(stmts.len(), 2);
/// let second = &script[stmts[1].span.start..stmts[1].span.end];
/// assert_eq!(second, "MATCH (a:A) RETURN a.s");
/// ```
pub fn parse_script(text: &str) -> Result<Vec<ast::Statement>, ParseError> {
    let cx = Cx::new(text);
    match cx.script(text) {
        Ok((_, stmts)) => Ok(stmts),
        Err(nom::Err::Failure(PError::Hard(f))) | Err(nom::Err::Error(PError::Hard(f))) => Err(
            ParseError::new(text, f.span, f.message, Vec::new(), f.detail),
        ),
        Err(_) => Err(soft_error(&cx, text)),
    }
}

/// The error for a soft failure: the furthest position any alternative
/// reached, with everything that would have been valid there.
fn soft_error(cx: &Cx<'_>, text: &str) -> ParseError {
    let (pos, expected) = cx.furthest();
    let rest = &text[pos..];
    let found_len = token_len(rest);
    let span = Span::new(pos, pos + found_len);
    let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    let found = if rest.is_empty() {
        "end of input".to_string()
    } else {
        format!("'{}'", &rest[..found_len])
    };
    let list = match expected.len() {
        0 => String::new(),
        1 => expected[0].clone(),
        n => format!("{} or {}", expected[..n - 1].join(", "), expected[n - 1]),
    };
    let hint = suggestion(&rest[..found_len], &expected)
        .map(|k| format!(" (did you mean {k}?)"))
        .unwrap_or_default();
    let message = if list.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {list}, found {found}{hint}")
    };
    let detail = match rest.chars().next() {
        Some(c) if !c.is_ascii() && !lexer::is_ident_char(c) => "InvalidUnicodeCharacter",
        _ => "UnexpectedSyntax",
    };
    ParseError::new(text, span, message, expected, Some(detail))
}

/// A keyword close to a misspelled word, when a clause or keyword was
/// expected: `RETRUN` gives `RETURN`.
fn suggestion(found: &str, expected: &[String]) -> Option<&'static str> {
    const CLAUSES: [&str; 14] = [
        "MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "CREATE", "MERGE", "SET",
        "REMOVE", "DELETE", "DETACH", "CALL", "UNION",
    ];
    if found.len() < 3 || !found.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut candidates: Vec<&'static str> = Vec::new();
    if expected.iter().any(|e| e == "a clause") {
        candidates.extend(CLAUSES);
    }
    if expected.iter().any(|e| e == "an operator") {
        candidates.extend(["AND", "OR", "XOR", "IN", "CONTAINS", "STARTS", "ENDS", "IS"]);
    }
    for e in expected {
        if let Some(k) = lexer::RESERVED.iter().find(|k| **k == e.as_str()) {
            candidates.push(k);
        }
    }
    let upper = found.to_ascii_uppercase();
    candidates
        .into_iter()
        .filter(|k| **k != upper)
        .map(|k| (edit_distance(&upper, k), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance between two ASCII words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Length in bytes of the token at the start of `rest` (a word, or one
/// character).
fn token_len(rest: &str) -> usize {
    let word: usize = rest
        .chars()
        .take_while(|c| lexer::is_ident_char(*c))
        .map(char::len_utf8)
        .sum();
    if word > 0 {
        word
    } else {
        rest.chars().next().map(char::len_utf8).unwrap_or(0)
    }
}
