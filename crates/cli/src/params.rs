//! Parameter values from the command line (`--param name=value`) and the
//! shell (`:param name => value`), written as Cypher literals: integers
//! (`42`, `-7`, `0x1F`, `0o17`), floats (`1.5`, `2e3`), strings in single or
//! double quotes with escapes, `true`/`false`/`null`, lists `[1, 'a']`, maps
//! `{name: 'Ada', age: 36}`, and temporal constructors
//! `date('2024-06-30')`, `datetime(...)`, `localdatetime(...)`,
//! `localtime(...)`, `time(...)`, `duration('P90D')`. A value that does not
//! start like a literal (`--param name=Ada`) is taken as a plain string.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph::Value;
use relgraph_graph::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A parameter value that could not be parsed, with the byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter value at character {}: {message}", position + 1)]
pub struct ParamError {
    /// Byte offset of the problem in the value text.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits `name=value` (the `--param` form).
pub fn parse_assignment(text: &str) -> Result<(String, Value), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected name=value, got `{text}`"))?;
    let name = check_name(name)?;
    let value = parse_value(value).map_err(|e| format!("parameter `{name}`: {e}"))?;
    Ok((name, value))
}

/// Splits `name => value` (the shell's `:param` form; `name: value` and
/// `name = value` are accepted too).
pub fn parse_shell_assignment(text: &str) -> Result<(String, Value), String> {
    let (name, value) = text
        .split_once("=>")
        .or_else(|| text.split_once('='))
        .or_else(|| text.split_once(':'))
        .ok_or_else(|| "usage: :param name => value".to_string())?;
    let name = check_name(name)?;
    let value = parse_value(value).map_err(|e| format!("parameter `{name}`: {e}"))?;
    Ok((name, value))
}

fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim().trim_start_matches('$');
    let ok = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!("invalid parameter name `{name}`"))
    }
}

/// Parses one parameter value.
///
/// ```ignore
/// assert_eq!(parse_value("[1, 'a']").unwrap(), Value::List(vec![Value::Int(1), Value::from("a")]));
/// ```
pub fn parse_value(text: &str) -> Result<Value, ParamError> {
    let trimmed = text.trim();
    let literal_start = trimmed.starts_with(|c: char| "[{'\"-+.".contains(c) || c.is_ascii_digit());
    let keyword = ["true", "false", "null"].contains(&trimmed.to_ascii_lowercase().as_str());
    let function = trimmed.contains('(') && trimmed.ends_with(')');
    if !literal_start && !keyword && !function {
        return Ok(Value::from(trimmed));
    }
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err("unexpected text after the value"));
    }
    Ok(v)
}

const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> ParamError {
        ParamError {
            position: self.pos,
            message: message.to_string(),
        }
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ParamError> {
        if depth > MAX_DEPTH {
            return Err(self.err("value nested too deeply"));
        }
        self.ws();
        match self.peek() {
            None => Err(self.err("expected a value")),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Ok(Value::List(items));
                    }
                    if !self.eat(b',') {
                        return Err(self.err("expected `,` or `]`"));
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut map = BTreeMap::new();
                if self.eat(b'}') {
                    return Ok(Value::Map(map));
                }
                loop {
                    self.ws();
                    let key = match self.peek() {
                        Some(b'\'') | Some(b'"') => self.string()?,
                        _ => self
                            .identifier()
                            .ok_or_else(|| self.err("expected a map key"))?,
                    };
                    if !self.eat(b':') {
                        return Err(self.err("expected `:` after the map key"));
                    }
                    let v = self.value(depth + 1)?;
                    map.insert(Arc::from(key.as_str()), v);
                    if self.eat(b'}') {
                        return Ok(Value::Map(map));
                    }
                    if !self.eat(b',') {
                        return Err(self.err("expected `,` or `}`"));
                    }
                }
            }
            Some(b'\'') | Some(b'"') => Ok(Value::from(self.string()?)),
            Some(c) if c == b'-' || c == b'+' || c == b'.' || c.is_ascii_digit() => self.number(),
            Some(_) => {
                let start = self.pos;
                let word = self
                    .identifier()
                    .ok_or_else(|| self.err("expected a value"))?;
                match word.to_ascii_lowercase().as_str() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" => Ok(Value::Null),
                    f => {
                        if !self.eat(b'(') {
                            self.pos = start;
                            return Err(self.err(
                                "expected a value (strings need quotes inside lists and maps)",
                            ));
                        }
                        self.ws();
                        let arg_pos = self.pos;
                        let arg = self.string()?;
                        if !self.eat(b')') {
                            return Err(self.err("expected `)`"));
                        }
                        temporal(f, &arg).map_err(|m| ParamError {
                            position: arg_pos,
                            message: m,
                        })
                    }
                }
            }
        }
    }

    fn identifier(&mut self) -> Option<String> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
                self.pos += 1;
            } else {
                break;
            }
        }
        (self.pos > start).then(|| self.text[start..self.pos].to_string())
    }

    fn string(&mut self) -> Result<String, ParamError> {
        let quote = self.peek().ok_or_else(|| self.err("expected a string"))?;
        if quote != b'\'' && quote != b'"' {
            return Err(self.err("expected a quoted string"));
        }
        self.pos += 1;
        let mut out = String::new();
        let rest = &self.text[self.pos..];
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            if c as u32 == quote as u32 {
                self.pos += i + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((j, e)) = chars.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                '\\' | '\'' | '"' => out.push(e),
                'u' => {
                    let hex = rest.get(j + 1..j + 5).unwrap_or("");
                    let code = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    match code {
                        Some(ch) if hex.len() == 4 => out.push(ch),
                        _ => {
                            self.pos += j;
                            return Err(self.err("invalid \\u escape (expected 4 hex digits)"));
                        }
                    }
                    for _ in 0..4 {
                        chars.next();
                    }
                }
                _ => {
                    self.pos += j;
                    return Err(self.err("invalid escape sequence"));
                }
            }
        }
        Err(self.err("unterminated string"))
    }

    fn number(&mut self) -> Result<Value, ParamError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            let sign_after_exp = (c == b'-' || c == b'+')
                && self.pos > start
                && matches!(self.s[self.pos - 1], b'e' | b'E');
            if c.is_ascii_alphanumeric()
                || c == b'.'
                || c == b'_'
                || sign_after_exp
                || (self.pos == start && (c == b'-' || c == b'+'))
            {
                self.pos += 1;
            } else {
                break;
            }
        }
        let raw = &self.text[start..self.pos];
        let (neg, body) = match raw.as_bytes().first() {
            Some(b'-') => (true, &raw[1..]),
            Some(b'+') => (false, &raw[1..]),
            _ => (false, raw),
        };
        let lower = body.to_ascii_lowercase();
        let radix = if lower.starts_with("0x") {
            Some((16, &body[2..]))
        } else if lower.starts_with("0o") {
            Some((8, &body[2..]))
        } else {
            None
        };
        let bad = || ParamError {
            position: start,
            message: format!("invalid number `{raw}`"),
        };
        if let Some((radix, digits)) = radix {
            let magnitude = i128::from_str_radix(digits, radix).map_err(|_| bad())?;
            let v = if neg { -magnitude } else { magnitude };
            return i64::try_from(v).map(Value::Int).map_err(|_| ParamError {
                position: start,
                message: format!("integer `{raw}` is out of range"),
            });
        }
        if lower == "nan" || lower.contains("inf") {
            return Err(bad());
        }
        if !lower.contains(['.', 'e']) {
            return raw.parse::<i64>().map(Value::Int).map_err(|_| {
                if body.bytes().all(|b| b.is_ascii_digit()) && !body.is_empty() {
                    ParamError {
                        position: start,
                        message: format!("integer `{raw}` is out of range"),
                    }
                } else {
                    bad()
                }
            });
        }
        raw.parse::<f64>().map(Value::Float).map_err(|_| bad())
    }
}

fn temporal(function: &str, arg: &str) -> Result<Value, String> {
    let v = match function {
        "date" => Date::parse(arg).map(Value::Date),
        "localtime" => LocalTime::parse(arg).map(Value::LocalTime),
        "time" => Time::parse(arg).map(Value::Time),
        "localdatetime" => LocalDateTime::parse(arg).map(Value::LocalDateTime),
        "datetime" => DateTime::parse(arg).map(Value::DateTime),
        "duration" => Duration::parse(arg).map(Value::from),
        other => {
            return Err(format!(
                "unknown function `{other}` (parameters take literals and temporal constructors)"
            ))
        }
    };
    v.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(parse_value("42").unwrap(), Value::Int(42));
        assert_eq!(parse_value("-7").unwrap(), Value::Int(-7));
        assert_eq!(parse_value("0x1F").unwrap(), Value::Int(31));
        assert_eq!(parse_value("0o17").unwrap(), Value::Int(15));
        assert_eq!(parse_value("1.5").unwrap(), Value::Float(1.5));
        assert_eq!(parse_value("2e3").unwrap(), Value::Float(2000.0));
        assert_eq!(parse_value("-1.5e-2").unwrap(), Value::Float(-0.015));
        assert_eq!(parse_value("TRUE").unwrap(), Value::Bool(true));
        assert_eq!(parse_value("null").unwrap(), Value::Null);
        assert_eq!(parse_value("'it\\'s'").unwrap(), Value::from("it's"));
        assert_eq!(parse_value("\"a\\u00e9\"").unwrap(), Value::from("aé"));
        assert_eq!(
            parse_value("Ada Lovelace").unwrap(),
            Value::from("Ada Lovelace")
        );
    }

    #[test]
    fn lists_and_maps() {
        assert_eq!(
            parse_value("[1, 'a', [true]]").unwrap(),
            Value::List(vec![
                Value::Int(1),
                Value::from("a"),
                Value::List(vec![Value::Bool(true)])
            ])
        );
        let Value::Map(m) = parse_value("{name: 'Ada', 'born': 1815}").unwrap() else {
            panic!("expected a map")
        };
        assert_eq!(m.get("born"), Some(&Value::Int(1815)));
        assert!(parse_value("{`x`: 1}").is_err());
        assert_eq!(m.get("name"), Some(&Value::from("Ada")));
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(parse_value("[1, 2").unwrap_err().position, 5);
        assert!(parse_value("'open").is_err());
        assert!(parse_value("99999999999999999999")
            .unwrap_err()
            .message
            .contains("out of range"));
        assert!(parse_value("[1, x]").is_err());
        assert!(parse_value("1 2").is_err());
        assert!(parse_value("'\\q'").is_err());
        assert!(parse_value(&"[".repeat(10_000)).is_err());
        assert!(parse_value("nope('x')").is_err());
    }

    #[test]
    fn assignments() {
        assert_eq!(
            parse_assignment("n=3").unwrap(),
            ("n".to_string(), Value::Int(3))
        );
        assert_eq!(
            parse_assignment("$who='a=b'").unwrap(),
            ("who".to_string(), Value::from("a=b"))
        );
        assert_eq!(
            parse_shell_assignment("limit => 10").unwrap(),
            ("limit".to_string(), Value::Int(10))
        );
        assert!(parse_assignment("novalue").is_err());
        assert!(parse_assignment("1x=2").is_err());
    }
}
