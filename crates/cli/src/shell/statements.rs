//! Splitting shell input into statements: a statement ends at a `;` that
//! is outside strings, backquoted names and comments, so statements may
//! span lines and a line may hold several.

/// Accumulates lines until statements are complete.
///
/// ```ignore
/// let mut b = StatementBuffer::default();
/// assert!(b.push_line("MATCH (n)").is_empty());
/// assert_eq!(b.push_line("RETURN n;"), vec!["MATCH (n)\nRETURN n"]);
/// ```
#[derive(Debug, Default)]
pub struct StatementBuffer {
    pending: String,
}

impl StatementBuffer {
    /// Adds a line; returns the statements it completed (without the `;`,
    /// trimmed, empty ones dropped).
    pub fn push_line(&mut self, line: &str) -> Vec<String> {
        if !self.pending.is_empty() {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        let mut out = Vec::new();
        while let Some(end) = find_terminator(&self.pending) {
            let stmt = self.pending[..end].trim().to_string();
            self.pending.drain(..=end);
            if !is_blank(&stmt) {
                out.push(stmt);
            }
        }
        if is_blank(&self.pending) {
            self.pending.clear();
        }
        out
    }

    /// True when no statement has been started.
    pub fn is_empty(&self) -> bool {
        self.pending.trim().is_empty()
    }

    /// Takes what is pending (an unterminated statement at end of input).
    pub fn take(&mut self) -> Option<String> {
        let s = std::mem::take(&mut self.pending);
        let s = s.trim();
        (!is_blank(s)).then(|| s.to_string())
    }

    /// Drops what is pending.
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// True if `s` holds nothing but whitespace and comments.
fn is_blank(s: &str) -> bool {
    let mut scan = Scanner::new(s);
    while let Some((_, c, in_code)) = scan.next() {
        if in_code && !c.is_whitespace() {
            return false;
        }
    }
    true
}

/// The byte offset of the first statement-ending `;`.
fn find_terminator(s: &str) -> Option<usize> {
    let mut scan = Scanner::new(s);
    while let Some((i, c, in_code)) = scan.next() {
        if in_code && c == ';' {
            return Some(i);
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

/// Walks characters, saying for each whether it is code (outside strings
/// and comments). Comment delimiters count as not code.
struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    state: State,
}

impl<'a> Scanner<'a> {
    fn new(s: &'a str) -> Self {
        Scanner {
            chars: s.char_indices().peekable(),
            state: State::Code,
        }
    }

    fn next(&mut self) -> Option<(usize, char, bool)> {
        let (i, c) = self.chars.next()?;
        let peek = self.chars.peek().map(|&(_, c)| c);
        match self.state {
            State::Code => match c {
                '\'' | '"' | '`' => {
                    self.state = State::Quoted(c);
                    Some((i, c, false))
                }
                '/' if peek == Some('/') => {
                    self.chars.next();
                    self.state = State::LineComment;
                    Some((i, c, false))
                }
                '/' if peek == Some('*') => {
                    self.chars.next();
                    self.state = State::BlockComment;
                    Some((i, c, false))
                }
                _ => Some((i, c, true)),
            },
            State::Quoted(q) => {
                if c == '\\' && q != '`' {
                    self.chars.next();
                } else if c == q {
                    self.state = State::Code;
                }
                Some((i, c, false))
            }
            State::LineComment => {
                if c == '\n' {
                    self.state = State::Code;
                }
                Some((i, c, false))
            }
            State::BlockComment => {
                if c == '*' && peek == Some('/') {
                    self.chars.next();
                    self.state = State::Code;
                }
                Some((i, c, false))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_statement() {
        let mut b = StatementBuffer::default();
        assert!(b.push_line("MATCH (n:Person)").is_empty());
        assert!(!b.is_empty());
        assert_eq!(
            b.push_line("RETURN n.name;"),
            vec!["MATCH (n:Person)\nRETURN n.name"]
        );
        assert!(b.is_empty());
    }

    #[test]
    fn several_statements_on_a_line() {
        let mut b = StatementBuffer::default();
        assert_eq!(
            b.push_line("RETURN 1; RETURN 2;RETURN 3"),
            vec!["RETURN 1", "RETURN 2"]
        );
        assert_eq!(b.take(), Some("RETURN 3".to_string()));
    }

    #[test]
    fn semicolons_in_strings_and_comments_do_not_end() {
        let mut b = StatementBuffer::default();
        assert!(b.push_line("RETURN 'a;b', \"c;\\\"d\" // e;f").is_empty());
        assert!(b.push_line("/* ; */ , `x;y`").is_empty());
        assert_eq!(
            b.push_line(";"),
            vec!["RETURN 'a;b', \"c;\\\"d\" // e;f\n/* ; */ , `x;y`"]
        );
    }

    #[test]
    fn strings_may_span_lines() {
        let mut b = StatementBuffer::default();
        assert!(b.push_line("RETURN 'one;").is_empty());
        assert_eq!(b.push_line("two';"), vec!["RETURN 'one;\ntwo'"]);
    }

    #[test]
    fn blank_and_comment_only_input_is_dropped() {
        let mut b = StatementBuffer::default();
        assert!(b.push_line("  ;  ;").is_empty());
        assert!(b.push_line("// just a comment").is_empty());
        assert!(b.is_empty() || b.take().is_none());
    }
}
