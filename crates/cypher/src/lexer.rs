//! The lexical layer: whitespace and comments, keywords, identifiers,
//! numbers, strings and symbols, built from nom combinators.
//!
//! Every token parser skips leading whitespace first, so the input left after
//! a token starts right after it and spans never include trailing blanks.
//! Failures are soft (`nom::Err::Error`, the caller may try something else)
//! and record what was expected at the furthest position reached; lexical
//! errors that no alternative can fix (an overflowing integer, a bad escape)
//! are hard (`nom::Err::Failure`) and stop the parse at once.

use std::cell::{Cell, RefCell};

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_until, take_while, take_while1};
use nom::character::complete::{char as ch, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded};
use nom::{IResult, Parser};

use crate::ast::{Ident, Literal, Span};

/// Maximum height of an expression tree: nesting (parentheses, lists, maps,
/// function calls, subqueries) and chained operators (`a + b + c` is two
/// levels) both count. Deeper input is a [`crate::ParseError`], never a
/// stack overflow here or in code that walks the tree recursively.
pub const MAX_DEPTH: usize = 256;

/// Most stack the parser uses below the caller's frame. Nesting that would
/// use more is refused like nesting past [`MAX_DEPTH`], so parsing is safe on
/// any thread with Rust's default 2 MiB of stack. (Release builds use about
/// 5 KiB per nesting level, debug builds about four times that.)
pub const STACK_BUDGET: usize = 1024 * 1024;

/// An address on the current stack.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(std::ptr::addr_of!(marker)) as usize
}

/// A parse failure. Soft failures carry nothing: the furthest position and
/// what was expected there live in [`Cx`].
#[derive(Debug)]
pub(crate) enum PError {
    Soft,
    Hard(Box<Fatal>),
}

/// An error that ends the parse.
#[derive(Debug)]
pub(crate) struct Fatal {
    pub span: Span,
    pub message: String,
    pub detail: Option<&'static str>,
}

impl<'a> nom::error::ParseError<&'a str> for PError {
    fn from_error_kind(_input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        PError::Soft
    }
    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type R<'a, T> = IResult<&'a str, T, PError>;

/// Words that cannot be used as unquoted variable names.
pub(crate) const RESERVED: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "IN",
    "IS",
    "LIMIT",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// True when `name` is a reserved word (case-insensitive).
pub(crate) fn is_reserved(name: &str) -> bool {
    RESERVED.iter().any(|k| k.eq_ignore_ascii_case(name))
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True when `name` can be written without back-quotes.
pub(crate) fn is_plain_ident(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if is_ident_start(c)) && chars.all(is_ident_char)
}

/// The parsing context: the source text, the furthest failure with what was
/// expected there, and guards against runaway nesting and backtracking.
pub(crate) struct Cx<'a> {
    pub src: &'a str,
    far: Cell<usize>,
    expected: RefCell<Vec<&'static str>>,
    depth: Cell<usize>,
    stack_base: usize,
    steps: Cell<usize>,
    max_steps: usize,
    /// Pattern predicates are allowed (inside WHERE).
    pub pattern_ok: Cell<bool>,
    /// Expectations at this offset are not recorded (an atom records "an
    /// expression" there instead of every way an atom can start).
    quiet_at: Cell<Option<usize>>,
}

/// Decrements the nesting depth when dropped.
pub(crate) struct DepthGuard<'c, 'a>(&'c Cx<'a>);

impl Drop for DepthGuard<'_, '_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

impl<'a> Cx<'a> {
    pub fn new(src: &'a str) -> Cx<'a> {
        Cx {
            src,
            far: Cell::new(0),
            expected: RefCell::new(Vec::new()),
            depth: Cell::new(0),
            stack_base: stack_position(),
            steps: Cell::new(0),
            max_steps: 10_000 + src.len().saturating_mul(200),
            pattern_ok: Cell::new(false),
            quiet_at: Cell::new(None),
        }
    }

    /// Byte offset of the remaining input `rest`.
    pub fn off(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    /// Span from the start of `from` to the start of `to`.
    pub fn span(&self, from: &str, to: &str) -> Span {
        Span::new(self.off(from), self.off(to))
    }

    pub fn furthest(&self) -> (usize, Vec<&'static str>) {
        (self.far.get(), self.expected.borrow().clone())
    }

    /// Record that `what` was expected at `rest`.
    pub fn expect(&self, rest: &str, what: &'static str) {
        let pos = self.off(rest);
        if self.quiet_at.get() == Some(pos) {
            return;
        }
        let far = self.far.get();
        if pos > far {
            self.far.set(pos);
            let mut e = self.expected.borrow_mut();
            e.clear();
            e.push(what);
        } else if pos == far {
            let mut e = self.expected.borrow_mut();
            if !e.contains(&what) {
                e.push(what);
            }
        }
    }

    /// A soft failure at `rest`, expecting `what`.
    pub fn fail<T>(&self, rest: &'a str, what: &'static str) -> R<'a, T> {
        self.expect(rest, what);
        Err(nom::Err::Error(PError::Soft))
    }

    /// A hard failure covering `span`.
    pub fn fatal<T>(
        &self,
        span: Span,
        message: impl Into<String>,
        detail: Option<&'static str>,
    ) -> R<'a, T> {
        Err(nom::Err::Failure(PError::Hard(Box::new(Fatal {
            span,
            message: message.into(),
            detail,
        }))))
    }

    /// The error value of a hard failure covering `span`.
    pub fn fatal_err(
        &self,
        span: Span,
        message: impl Into<String>,
        detail: Option<&'static str>,
    ) -> nom::Err<PError> {
        nom::Err::Failure(PError::Hard(Box::new(Fatal {
            span,
            message: message.into(),
            detail,
        })))
    }

    /// Enter one level of nesting; fails hard past [`MAX_DEPTH`] and when the
    /// parse has backtracked too much for the input size.
    pub fn enter(&self, at: &'a str) -> Result<DepthGuard<'_, 'a>, nom::Err<PError>> {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        let start = self.off(at);
        if steps > self.max_steps {
            return Err(nom::Err::Failure(PError::Hard(Box::new(Fatal {
                span: Span::new(start, start),
                message: "query too complex to parse".into(),
                detail: None,
            }))));
        }
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH || stack_position().abs_diff(self.stack_base) > STACK_BUDGET {
            return Err(nom::Err::Failure(PError::Hard(Box::new(Fatal {
                span: Span::new(start, start),
                message: "query nested too deeply".into(),
                detail: None,
            }))));
        }
        self.depth.set(d);
        Ok(DepthGuard(self))
    }

    /// Set the offset where expectations are not recorded; returns the old.
    pub fn set_quiet(&self, at: Option<usize>) -> Option<usize> {
        self.quiet_at.replace(at)
    }

    /// Run `f` without recording expectations at the offset of `at`.
    pub fn quiet<T>(&self, at: &str, f: impl FnOnce() -> T) -> T {
        let old = self.quiet_at.replace(Some(self.off(at)));
        let out = f();
        self.quiet_at.set(old);
        out
    }

    /// Run `f` with pattern predicates allowed or not, restoring the old
    /// setting afterwards.
    pub fn with_patterns<T>(&self, ok: bool, f: impl FnOnce() -> T) -> T {
        let old = self.pattern_ok.replace(ok);
        let out = f();
        self.pattern_ok.set(old);
        out
    }

    /// Skip whitespace and comments.
    pub fn ws(&self, mut i: &'a str) -> R<'a, ()> {
        // Fast path: most tokens are not preceded by blanks.
        match i.as_bytes().first() {
            None => return Ok((i, ())),
            Some(&b) if b.is_ascii() && !b.is_ascii_whitespace() && b != b'/' => {
                return Ok((i, ()))
            }
            _ => {}
        }
        loop {
            let (r, _) = take_while(char::is_whitespace).parse(i)?;
            i = r;
            if let Ok((r, _)) = tag::<_, _, PError>("//").parse(i) {
                let (r, _) = take_while(|c| c != '\n').parse(r)?;
                i = r;
            } else if let Ok((r, _)) = tag::<_, _, PError>("/*").parse(i) {
                match take_until::<_, _, PError>("*/").parse(r) {
                    Ok((r, _)) => i = &r[2..],
                    Err(_) => {
                        let s = self.off(i);
                        return self.fatal(
                            Span::new(s, s + 2),
                            "unterminated comment",
                            Some("UnexpectedSyntax"),
                        );
                    }
                }
            } else {
                return Ok((i, ()));
            }
        }
    }

    /// The input after whitespace (for peeking).
    pub fn skip(&self, i: &'a str) -> &'a str {
        match self.ws(i) {
            Ok((r, _)) => r,
            Err(_) => i,
        }
    }

    /// True when the next token is `s`.
    pub fn peek_sym(&self, i: &'a str, s: &str) -> bool {
        self.skip(i).starts_with(s)
    }

    /// The identifier-like word that starts the next token (may be empty).
    pub fn peek_word(&self, i: &'a str) -> &'a str {
        let t = self.skip(i);
        let end = t.find(|c: char| !is_ident_char(c)).unwrap_or(t.len());
        &t[..end]
    }

    /// True when the next token is keyword `k`.
    pub fn peek_kw(&self, i: &'a str, k: &str) -> bool {
        let t = self.skip(i);
        t.len() >= k.len()
            && t.is_char_boundary(k.len())
            && t[..k.len()].eq_ignore_ascii_case(k)
            && !t[k.len()..].starts_with(is_ident_char)
    }

    /// A symbol such as `(` or `->`.
    pub fn sym(&self, i: &'a str, s: &'static str, what: &'static str) -> R<'a, Span> {
        let (i, _) = self.ws(i)?;
        match tag::<_, _, PError>(s).parse(i) {
            Ok((r, _)) => Ok((r, self.span(i, r))),
            Err(_) => self.fail(i, what),
        }
    }

    /// A case-insensitive keyword, not followed by an identifier character.
    pub fn kw(&self, i: &'a str, k: &'static str) -> R<'a, Span> {
        self.kw_as(i, k, k)
    }

    /// A keyword, reported as `what` when missing.
    pub fn kw_as(&self, i: &'a str, k: &'static str, what: &'static str) -> R<'a, Span> {
        let (i, _) = self.ws(i)?;
        // Keywords are ASCII: compare bytes instead of Unicode case folding.
        let n = k.len();
        let matches = i.len() >= n
            && i.as_bytes()[..n].eq_ignore_ascii_case(k.as_bytes())
            && i.is_char_boundary(n)
            && !i[n..].starts_with(is_ident_char);
        if matches {
            let r = &i[n..];
            Ok((r, self.span(i, r)))
        } else {
            self.fail(i, what)
        }
    }

    /// Several keywords in a row (`ORDER BY`, `IS NOT NULL`).
    pub fn kws(&self, i: &'a str, ks: &[&'static str]) -> R<'a, Span> {
        let start = self.skip(i);
        let mut r = i;
        for k in ks {
            r = self.kw(r, k)?.0;
        }
        Ok((r, self.span(start, r)))
    }

    /// Several keywords in a row, reported as `what` when the first is
    /// missing.
    pub fn kws_as(&self, i: &'a str, ks: &[&'static str], what: &'static str) -> R<'a, Span> {
        let start = self.skip(i);
        let mut r = i;
        for (n, k) in ks.iter().enumerate() {
            r = if n == 0 {
                self.kw_as(r, k, what)?.0
            } else {
                self.kw(r, k)?.0
            };
        }
        Ok((r, self.span(start, r)))
    }

    /// An identifier: plain or back-quoted (with ``` `` ``` for a back-quote).
    pub fn ident(&self, i: &'a str, what: &'static str) -> R<'a, Ident> {
        let (i, _) = self.ws(i)?;
        if let Some(mut rest) = i.strip_prefix('`') {
            let mut name = String::new();
            loop {
                match rest.find('`') {
                    None => {
                        let s = self.off(i);
                        return self.fatal(
                            Span::new(s, s + 1),
                            "unterminated back-quoted name",
                            Some("UnexpectedSyntax"),
                        );
                    }
                    Some(p) => {
                        name.push_str(&rest[..p]);
                        rest = &rest[p + 1..];
                        if let Some(r) = rest.strip_prefix('`') {
                            name.push('`');
                            rest = r;
                        } else {
                            break;
                        }
                    }
                }
            }
            return Ok((
                rest,
                Ident {
                    name,
                    span: self.span(i, rest),
                },
            ));
        }
        let plain: R<'a, &'a str> =
            recognize(pair(satisfy(is_ident_start), take_while(is_ident_char))).parse(i);
        match plain {
            Ok((r, name)) => Ok((
                r,
                Ident {
                    name: name.to_string(),
                    span: self.span(i, r),
                },
            )),
            Err(_) => self.fail(i, what),
        }
    }

    /// An identifier usable as a variable (not a reserved word unless quoted).
    pub fn variable(&self, i: &'a str) -> R<'a, Ident> {
        let start = self.skip(i);
        let (r, id) = self.ident(i, "a variable")?;
        if !start.starts_with('`') && is_reserved(&id.name) {
            return self.fail(start, "a variable");
        }
        Ok((r, id))
    }

    /// A parameter `$name` or `$0`; returns the name.
    pub fn parameter(&self, i: &'a str) -> R<'a, (String, Span)> {
        let (i, _) = self.ws(i)?;
        let Some(r) = i.strip_prefix('$') else {
            return self.fail(i, "a parameter");
        };
        let digits: R<'a, &'a str> = take_while1(|c: char| c.is_ascii_digit()).parse(r);
        if let Ok((r2, d)) = digits {
            return Ok((r2, (d.to_string(), self.span(i, r2))));
        }
        let (r, id) = self.ident(r, "a parameter name")?;
        Ok((r, (id.name, self.span(i, r))))
    }

    /// A number literal. `negative` means a unary minus was consumed just
    /// before, so the smallest 64-bit integer is in range.
    pub fn number(&self, i: &'a str, negative: bool) -> R<'a, (Literal, Span)> {
        let (i, _) = self.ws(i)?;
        let start = self.off(i);
        let prefixed: R<'a, &'a str> = alt((tag_no_case("0x"), tag_no_case("0o"))).parse(i);
        if let Ok((r, prefix)) = prefixed {
            let radix = if prefix.eq_ignore_ascii_case("0x") {
                16
            } else {
                8
            };
            let (r, digits) = take_while(|c: char| c.is_digit(radix)).parse(r)?;
            let end = self.off(r);
            if digits.is_empty() || r.starts_with(is_ident_char) {
                return self.bad_number(i, r);
            }
            return self.int_value(
                u64::from_str_radix(digits, radix).ok(),
                negative,
                Span::new(start, end),
                r,
            );
        }
        let int_part: R<'a, &'a str> = take_while1(|c: char| c.is_ascii_digit()).parse(i);
        let frac = |s: &'a str| -> R<'a, &'a str> {
            recognize(preceded(ch('.'), take_while1(|c: char| c.is_ascii_digit()))).parse(s)
        };
        let (mut r, is_float) = match int_part {
            Ok((r, _)) => match frac(r) {
                Ok((r2, _)) => (r2, true),
                Err(_) => (r, false),
            },
            Err(_) => match frac(i) {
                Ok((r2, _)) => (r2, true),
                Err(_) => return self.fail(i, "a number"),
            },
        };
        let mut is_float = is_float;
        let exp: R<'a, &'a str> = recognize((
            alt((ch('e'), ch('E'))),
            opt(alt((ch('+'), ch('-')))),
            take_while1(|c: char| c.is_ascii_digit()),
        ))
        .parse(r);
        if let Ok((r2, _)) = exp {
            r = r2;
            is_float = true;
        }
        if r.starts_with(is_ident_char) {
            return self.bad_number(i, r);
        }
        let end = self.off(r);
        let text = &self.src[start..end];
        let span = Span::new(start, end);
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => {
                    Ok((r, (Literal::Float(if negative { -v } else { v }), span)))
                }
                _ => self.fatal(
                    span,
                    format!("floating point number {text} is too large"),
                    Some("FloatingPointOverflow"),
                ),
            }
        } else {
            self.int_value(text.parse::<u64>().ok(), negative, span, r)
        }
    }

    fn bad_number<T>(&self, start: &'a str, after: &'a str) -> R<'a, T> {
        let (end, _) = take_while::<_, _, PError>(is_ident_char).parse(after)?;
        let span = self.span(start, end);
        self.fatal(
            span,
            format!(
                "invalid number literal '{}'",
                &self.src[span.start..span.end]
            ),
            Some("InvalidNumberLiteral"),
        )
    }

    fn int_value(
        &self,
        v: Option<u64>,
        negative: bool,
        span: Span,
        rest: &'a str,
    ) -> R<'a, (Literal, Span)> {
        const MIN_MAGNITUDE: u64 = 1 << 63;
        let value = match (v, negative) {
            (Some(v), false) if v < MIN_MAGNITUDE => Some(v as i64),
            (Some(v), true) if v < MIN_MAGNITUDE => Some(-(v as i64)),
            (Some(MIN_MAGNITUDE), true) => Some(i64::MIN),
            _ => None,
        };
        match value {
            Some(v) => Ok((rest, (Literal::Int(v), span))),
            None => {
                let sign = if negative { "-" } else { "" };
                self.fatal(
                    span,
                    format!(
                        "integer {sign}{} does not fit in 64 bits",
                        &self.src[span.start..span.end]
                    ),
                    Some("IntegerOverflow"),
                )
            }
        }
    }

    /// A string literal in single or double quotes, escapes resolved.
    pub fn string(&self, i: &'a str) -> R<'a, (String, Span)> {
        let (i, _) = self.ws(i)?;
        let quote = match i.chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => return self.fail(i, "a string"),
        };
        let mut out = String::new();
        let mut chars = i[1..].char_indices();
        while let Some((p, c)) = chars.next() {
            let at = self.off(i) + 1 + p;
            if c == quote {
                let rest = &i[1 + p + 1..];
                return Ok((rest, (out, self.span(i, rest))));
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                '"' => out.push('"'),
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' | 'U' => {
                    let n = if e == 'u' { 4 } else { 8 };
                    let hex: String = chars.clone().take(n).map(|(_, c)| c).collect();
                    let code = if hex.len() == n && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                    } else {
                        None
                    };
                    match code {
                        Some(c) => {
                            out.push(c);
                            for _ in 0..n {
                                chars.next();
                            }
                        }
                        None => {
                            let len = 2 + hex
                                .chars()
                                .take_while(|c| c.is_ascii_hexdigit())
                                .map(char::len_utf8)
                                .sum::<usize>();
                            return self.fatal(
                                Span::new(at, at + len),
                                "invalid unicode escape: expected \\u and 4 hex digits or \\U and 8",
                                Some("InvalidUnicodeLiteral"),
                            );
                        }
                    }
                }
                other => {
                    return self.fatal(
                        Span::new(at, at + 1 + other.len_utf8()),
                        format!("invalid escape sequence '\\{other}'"),
                        Some("UnexpectedSyntax"),
                    )
                }
            }
        }
        let s = self.off(i);
        self.fatal(
            Span::new(s, s + 1),
            "unterminated string literal",
            Some("UnexpectedSyntax"),
        )
    }
}
