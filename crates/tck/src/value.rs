//! Values as the TCK writes them in result and parameter tables:
//! `null`, booleans, integers, floats (`NaN`, `Infinity`), `'strings'`,
//! lists, maps, nodes `(:A {k: 1})`, relationships `[:T {k: 1}]` and paths
//! `<(:A)-[:T]->(:B)>`.

use std::collections::BTreeMap;
use std::fmt;

use crate::TckError;

/// A value written in TCK notation.
#[derive(Clone, Debug, PartialEq)]
pub enum TckValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A float literal, with the text as written (for digit-count comparison).
    Float(f64, String),
    /// A single-quoted string, escapes resolved.
    String(String),
    /// `[a, b]`
    List(Vec<TckValue>),
    /// `{k: v}`
    Map(BTreeMap<String, TckValue>),
    /// `(:A:B {k: v})`
    Node(TckNode),
    /// `[:T {k: v}]`
    Rel(TckRel),
    /// `<(a)-[:T]->(b)<-[:U]-(c)>`
    Path(TckPath),
}

/// A node pattern: labels and properties.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TckNode {
    /// Labels as written.
    pub labels: Vec<String>,
    /// Properties.
    pub properties: BTreeMap<String, TckValue>,
}

/// A relationship: type and properties.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TckRel {
    /// The type.
    pub rel_type: String,
    /// Properties.
    pub properties: BTreeMap<String, TckValue>,
}

/// A path: a start node and steps of (relationship, forward?, node).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TckPath {
    /// The first node.
    pub start: TckNode,
    /// Each step: the relationship, whether it points forward (`-[]->`), and the next node.
    pub steps: Vec<(TckRel, bool, TckNode)>,
}

/// Parses one TCK value.
///
/// ```
/// use relgraph_tck::value::{parse_value, TckValue};
/// assert_eq!(parse_value("[1, 'a\\'b']").unwrap(),
///     TckValue::List(vec![TckValue::Int(1), TckValue::String("a'b".into())]));
/// ```
pub fn parse_value(text: &str) -> Result<TckValue, TckError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(p.err("trailing text"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> TckError {
        TckError::Value {
            text: self.text.to_string(),
            message: format!("{what} at byte {}", self.pos),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && (self.s[self.pos] as char).is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), TckError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }

    fn starts_with(&mut self, w: &str) -> bool {
        self.ws();
        self.text[self.pos..].starts_with(w)
    }

    fn value(&mut self) -> Result<TckValue, TckError> {
        match self.peek() {
            None => Err(self.err("expected a value")),
            Some(b'\'') | Some(b'"') => Ok(TckValue::String(self.string()?)),
            Some(b'(') => Ok(TckValue::Node(self.node()?)),
            Some(b'<') => Ok(TckValue::Path(self.path()?)),
            Some(b'{') => Ok(TckValue::Map(self.map()?)),
            Some(b'[') => {
                let save = self.pos;
                self.pos += 1;
                if self.peek() == Some(b':') {
                    self.pos = save;
                    Ok(TckValue::Rel(self.rel()?))
                } else {
                    self.pos = save;
                    self.list()
                }
            }
            Some(_) => self.word(),
        }
    }

    fn word(&mut self) -> Result<TckValue, TckError> {
        for (w, v) in [
            ("null", TckValue::Null),
            ("true", TckValue::Bool(true)),
            ("false", TckValue::Bool(false)),
            ("NaN", TckValue::Float(f64::NAN, "NaN".into())),
            (
                "Infinity",
                TckValue::Float(f64::INFINITY, "Infinity".into()),
            ),
            (
                "-Infinity",
                TckValue::Float(f64::NEG_INFINITY, "-Infinity".into()),
            ),
        ] {
            if self.starts_with(w) && !self.ident_char_at(self.pos + w.len()) {
                self.pos += w.len();
                return Ok(v);
            }
        }
        self.number()
    }

    fn ident_char_at(&self, i: usize) -> bool {
        self.s
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    }

    fn number(&mut self) -> Result<TckValue, TckError> {
        self.ws();
        let start = self.pos;
        if matches!(self.s.get(self.pos), Some(b'-') | Some(b'+')) {
            self.pos += 1;
        }
        let mut is_float = false;
        while let Some(&c) = self.s.get(self.pos) {
            match c {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' => is_float = true,
                b'-' | b'+' if matches!(self.s.get(self.pos - 1), Some(b'e') | Some(b'E')) => {}
                _ => break,
            }
            self.pos += 1;
        }
        let t = &self.text[start..self.pos];
        if t.is_empty() || t == "-" || t == "+" {
            return Err(self.err("expected a value"));
        }
        if is_float {
            t.parse::<f64>()
                .map(|f| TckValue::Float(f, t.to_string()))
                .map_err(|_| self.err("bad float"))
        } else {
            t.parse::<i64>()
                .map(TckValue::Int)
                .map_err(|_| self.err("bad integer"))
        }
    }

    fn string(&mut self) -> Result<String, TckError> {
        self.ws();
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.text[self.pos..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote as char {
                self.pos += i + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                    let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(ch.ok_or_else(|| self.err("bad \\u escape"))?);
                }
                other => out.push(other),
            }
        }
        Err(self.err("unterminated string"))
    }

    fn ident(&mut self) -> Result<String, TckError> {
        self.ws();
        if self.s.get(self.pos) == Some(&b'`') {
            let rest = &self.text[self.pos + 1..];
            let end = rest
                .find('`')
                .ok_or_else(|| self.err("unterminated `name`"))?;
            let name = rest[..end].to_string();
            self.pos += end + 2;
            return Ok(name);
        }
        let start = self.pos;
        for (i, c) in self.text[start..].char_indices() {
            if !(c.is_alphanumeric() || c == '_' || c == '$') {
                self.pos = start + i;
                break;
            }
            self.pos = start + i + c.len_utf8();
        }
        if self.pos == start {
            return Err(self.err("expected a name"));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn list(&mut self) -> Result<TckValue, TckError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(TckValue::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Ok(TckValue::List(items));
            }
            self.expect(b',')?;
        }
    }

    fn map(&mut self) -> Result<BTreeMap<String, TckValue>, TckError> {
        self.expect(b'{')?;
        let mut m = BTreeMap::new();
        if self.eat(b'}') {
            return Ok(m);
        }
        loop {
            let key = if matches!(self.peek(), Some(b'\'') | Some(b'"')) {
                self.string()?
            } else {
                self.ident()?
            };
            self.expect(b':')?;
            let v = self.value()?;
            m.insert(key, v);
            if self.eat(b'}') {
                return Ok(m);
            }
            self.expect(b',')?;
        }
    }

    fn node(&mut self) -> Result<TckNode, TckError> {
        self.expect(b'(')?;
        let mut n = TckNode::default();
        while self.eat(b':') {
            n.labels.push(self.ident()?);
        }
        if self.peek() == Some(b'{') {
            n.properties = self.map()?;
        }
        self.expect(b')')?;
        Ok(n)
    }

    fn rel(&mut self) -> Result<TckRel, TckError> {
        self.expect(b'[')?;
        self.expect(b':')?;
        let mut r = TckRel {
            rel_type: self.ident()?,
            properties: BTreeMap::new(),
        };
        if self.peek() == Some(b'{') {
            r.properties = self.map()?;
        }
        self.expect(b']')?;
        Ok(r)
    }

    fn path(&mut self) -> Result<TckPath, TckError> {
        self.expect(b'<')?;
        let mut p = TckPath {
            start: self.node()?,
            steps: Vec::new(),
        };
        loop {
            if self.eat(b'>') {
                return Ok(p);
            }
            let backward = self.eat(b'<');
            self.expect(b'-')?;
            let rel = self.rel()?;
            self.expect(b'-')?;
            let forward = self.eat(b'>');
            if forward == backward {
                return Err(self.err("a path step needs exactly one direction"));
            }
            let node = self.node()?;
            p.steps.push((rel, forward, node));
        }
    }
}

fn fmt_props(f: &mut fmt::Formatter<'_>, m: &BTreeMap<String, TckValue>) -> fmt::Result {
    write!(f, "{{")?;
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    write!(f, "}}")
}

impl fmt::Display for TckNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for l in &self.labels {
            write!(f, ":{l}")?;
        }
        if !self.properties.is_empty() {
            if !self.labels.is_empty() {
                write!(f, " ")?;
            }
            fmt_props(f, &self.properties)?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for TckRel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[:{}", self.rel_type)?;
        if !self.properties.is_empty() {
            write!(f, " ")?;
            fmt_props(f, &self.properties)?;
        }
        write!(f, "]")
    }
}

impl fmt::Display for TckValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TckValue::Null => write!(f, "null"),
            TckValue::Bool(b) => write!(f, "{b}"),
            TckValue::Int(i) => write!(f, "{i}"),
            TckValue::Float(_, t) => write!(f, "{t}"),
            TckValue::String(s) => write!(f, "{}", quote(s)),
            TckValue::List(l) => {
                write!(f, "[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            TckValue::Map(m) => fmt_props(f, m),
            TckValue::Node(n) => write!(f, "{n}"),
            TckValue::Rel(r) => write!(f, "{r}"),
            TckValue::Path(p) => {
                write!(f, "<{}", p.start)?;
                for (r, fwd, n) in &p.steps {
                    if *fwd {
                        write!(f, "-{r}->{n}")?;
                    } else {
                        write!(f, "<-{r}-{n}")?;
                    }
                }
                write!(f, ">")
            }
        }
    }
}

/// Quotes a string the way the TCK writes it.
///
/// ```
/// assert_eq!(relgraph_tck::value::quote("it's"), "'it\\'s'");
/// ```
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Converts a parameter value to an engine value (graph entities are not
/// allowed as parameters).
///
/// ```
/// use relgraph_tck::value::{parse_value, to_param};
/// assert_eq!(to_param(&parse_value("[1, null]").unwrap()).unwrap(),
///     relgraph::Value::List(vec![relgraph::Value::Int(1), relgraph::Value::Null]));
/// ```
pub fn to_param(v: &TckValue) -> Result<relgraph::Value, TckError> {
    use relgraph::Value;
    Ok(match v {
        TckValue::Null => Value::Null,
        TckValue::Bool(b) => Value::Bool(*b),
        TckValue::Int(i) => Value::Int(*i),
        TckValue::Float(f, _) => Value::Float(*f),
        TckValue::String(s) => Value::String(s.as_str().into()),
        TckValue::List(l) => Value::List(l.iter().map(to_param).collect::<Result<_, _>>()?),
        TckValue::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Ok((k.as_str().into(), to_param(v)?)))
                .collect::<Result<_, TckError>>()?,
        ),
        TckValue::Node(_) | TckValue::Rel(_) | TckValue::Path(_) => {
            return Err(TckError::Value {
                text: v.to_string(),
                message: "graph entities cannot be parameters".into(),
            })
        }
    })
}
