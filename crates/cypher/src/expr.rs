//! Expressions, by precedence from loosest to tightest: OR, XOR, AND, NOT,
//! comparison (chains desugar into AND), string/list/null predicates,
//! `+ -`, `* / %`, `^`, unary `- +`, postfix (property, index, slice, label
//! predicate), atoms.

use crate::ast::{
    BinaryOp, Expr, ExprKind, Ident, Literal, MapProjectionItem, Quantifier, Span, UnaryOp,
};
use crate::lexer::{Cx, PError, R};

const P_OR: u8 = 1;
const P_XOR: u8 = 2;
const P_AND: u8 = 3;
const P_NOT: u8 = 4;
const P_CMP: u8 = 5;
const P_PRED: u8 = 6;
const P_ADD: u8 = 7;
const P_MUL: u8 = 8;
const P_POW: u8 = 9;

/// Binding strength of a binary operator (higher binds tighter).
fn prec(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => P_OR,
        Xor => P_XOR,
        And => P_AND,
        Eq | Ne | Lt | Le | Gt | Ge => P_CMP,
        In | StartsWith | EndsWith | Contains | RegexMatch => P_PRED,
        Add | Sub => P_ADD,
        Mul | Div | Mod => P_MUL,
        Pow => P_POW,
    }
}

/// An infix or postfix operator of [`Cx::binary_expr`].
#[derive(Clone, Copy)]
enum Op {
    Binary(BinaryOp),
    IsNull(bool),
}

/// How a missing operator is reported.
const OP: &str = "an operator";

pub(crate) fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn binary(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    let span = l.span.to(r.span);
    mk(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

/// Turn a soft failure into `None`, keeping hard failures.
pub(crate) fn attempt<'a, T>(r: R<'a, T>) -> Result<Option<(&'a str, T)>, nom::Err<PError>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(nom::Err::Error(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<'a> Cx<'a> {
    /// Any expression.
    pub fn expr(&self, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        self.binary_expr(i, P_OR)
    }

    /// An expression in which pattern predicates are allowed (after WHERE).
    pub fn where_expr(&self, i: &'a str) -> R<'a, Expr> {
        self.with_patterns(true, || self.expr(i))
    }

    /// An expression in which pattern predicates are not allowed.
    pub fn value_expr(&self, i: &'a str) -> R<'a, Expr> {
        self.with_patterns(false, || self.expr(i))
    }

    /// Precedence climbing over the binary operators: parses operators that
    /// bind at least as tightly as `min` (one stack frame per nesting level
    /// instead of one per precedence level).
    fn binary_expr(&self, i: &'a str, min: u8) -> R<'a, Expr> {
        let (mut i, mut lhs) = self.prefix_expr(i, min)?;
        // The right operand of the last comparison of a chain `a < b < c`.
        let mut chain: Option<Expr> = None;
        // Each operator applied deepens the tree by one level: count it, so
        // the height of every tree stays below MAX_DEPTH.
        let mut levels = Vec::new();
        loop {
            let Some((r, op)) = self.binary_op(i, min)? else {
                return Ok((i, lhs));
            };
            levels.push(self.enter(r)?);
            match op {
                Op::IsNull(not) => {
                    let span = Span::new(lhs.span.start, self.off(r));
                    lhs = mk(ExprKind::IsNull(Box::new(lhs), not), span);
                    chain = None;
                    i = r;
                }
                Op::Binary(op) => {
                    let p = prec(op);
                    let (r, rhs) = self.binary_expr(r, p + 1)?;
                    if p == P_CMP {
                        let cmp = match chain.take() {
                            Some(prev) => {
                                let c = binary(op, prev, rhs.clone());
                                binary(BinaryOp::And, lhs, c)
                            }
                            None => binary(op, lhs, rhs.clone()),
                        };
                        lhs = cmp;
                        chain = Some(rhs);
                    } else {
                        lhs = binary(op, lhs, rhs);
                        chain = None;
                    }
                    i = r;
                }
            }
        }
    }

    /// The next binary operator if it binds at least as tightly as `min`.
    fn binary_op(&self, i: &'a str, min: u8) -> Result<Option<(&'a str, Op)>, nom::Err<PError>> {
        let t = self.skip(i);
        let Some(c) = t.chars().next() else {
            self.expect(t, OP);
            return Ok(None);
        };
        let found = if c.is_alphabetic() {
            let word = self.peek_word(t);
            let is_op = ["OR", "XOR", "AND", "IN", "CONTAINS", "STARTS", "ENDS", "IS"]
                .iter()
                .any(|w| w.eq_ignore_ascii_case(word));
            if !is_op {
                self.expect(t, OP);
                return Ok(None);
            }
            const WORDS: [(&[&str], Op); 9] = [
                (&["OR"], Op::Binary(BinaryOp::Or)),
                (&["XOR"], Op::Binary(BinaryOp::Xor)),
                (&["AND"], Op::Binary(BinaryOp::And)),
                (&["IN"], Op::Binary(BinaryOp::In)),
                (&["CONTAINS"], Op::Binary(BinaryOp::Contains)),
                (&["STARTS", "WITH"], Op::Binary(BinaryOp::StartsWith)),
                (&["ENDS", "WITH"], Op::Binary(BinaryOp::EndsWith)),
                (&["IS", "NULL"], Op::IsNull(false)),
                (&["IS", "NOT", "NULL"], Op::IsNull(true)),
            ];
            let mut found = None;
            for (words, op) in WORDS {
                if let Some((r, _)) = attempt(self.kws_as(t, words, OP))? {
                    found = Some((r, op));
                    break;
                }
            }
            found
        } else {
            const SYMS: [(&str, BinaryOp); 13] = [
                ("=~", BinaryOp::RegexMatch),
                ("<>", BinaryOp::Ne),
                ("<=", BinaryOp::Le),
                (">=", BinaryOp::Ge),
                ("<", BinaryOp::Lt),
                (">", BinaryOp::Gt),
                ("=", BinaryOp::Eq),
                ("+", BinaryOp::Add),
                ("-", BinaryOp::Sub),
                ("*", BinaryOp::Mul),
                ("/", BinaryOp::Div),
                ("%", BinaryOp::Mod),
                ("^", BinaryOp::Pow),
            ];
            SYMS.iter()
                .find(|(sym, _)| t.starts_with(sym))
                .filter(|(sym, _)| {
                    !((*sym == "+" && t.starts_with("+=")) || (*sym == "-" && t.starts_with("->")))
                })
                .map(|(sym, op)| (&t[sym.len()..], Op::Binary(*op)))
        };
        match found {
            Some((r, op)) => {
                let p = match op {
                    Op::Binary(b) => prec(b),
                    Op::IsNull(_) => P_PRED,
                };
                if p >= min {
                    return Ok(Some((r, op)));
                }
                Ok(None)
            }
            None => {
                self.expect(t, OP);
                Ok(None)
            }
        }
    }

    /// NOT (which binds more loosely than comparison) and unary minus/plus.
    fn prefix_expr(&self, i: &'a str, min: u8) -> R<'a, Expr> {
        if min <= P_NOT {
            if let Some((r, sp)) = attempt(self.kw_as(i, "NOT", "an expression"))? {
                let _g = self.enter(r)?;
                let (r, e) = self.binary_expr(r, P_NOT)?;
                let span = sp.to(e.span);
                return Ok((r, mk(ExprKind::Unary(UnaryOp::Not, Box::new(e)), span)));
            }
        }
        self.unary_expr(i)
    }

    fn unary_expr(&self, i: &'a str) -> R<'a, Expr> {
        let t = self.skip(i);
        let op = match t.chars().next() {
            Some('-') => UnaryOp::Neg,
            Some('+') => UnaryOp::Pos,
            _ => return self.postfix_expr(i),
        };
        let r = &t[1..];
        let start = self.off(t);
        let next = self.skip(r);
        if op == UnaryOp::Neg && next.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            if let Some((r, (lit, sp))) = attempt(self.number(r, true))? {
                let atom = mk(ExprKind::Literal(lit), Span::new(start, sp.end));
                return self.postfix_ops(r, atom);
            }
        }
        let _g = self.enter(r)?;
        let (r, e) = self.unary_expr(r)?;
        let span = Span::new(start, e.span.end);
        Ok((r, mk(ExprKind::Unary(op, Box::new(e)), span)))
    }

    /// An atom followed by property access, indexing, slicing and label
    /// predicates.
    pub fn postfix_expr(&self, i: &'a str) -> R<'a, Expr> {
        let (i, atom) = self.atom(i)?;
        self.postfix_ops(i, atom)
    }

    fn postfix_ops(&self, mut i: &'a str, mut e: Expr) -> R<'a, Expr> {
        let mut levels = Vec::new();
        loop {
            let t = self.skip(i);
            if t.starts_with(['.', ':', '[']) {
                levels.push(self.enter(t)?);
            }
            if t.starts_with('.') && !t.starts_with("..") {
                let (r, key) = self.ident(&t[1..], "a property key")?;
                let span = e.span.to(key.span);
                e = mk(ExprKind::Property(Box::new(e), key), span);
                i = r;
            } else if t.starts_with(':') {
                let (r, labels) = self.labels(t)?;
                let end = labels.last().map(|l| l.span.end).unwrap_or(e.span.end);
                let span = Span::new(e.span.start, end);
                e = mk(ExprKind::HasLabels(Box::new(e), labels), span);
                i = r;
            } else if let Some(after) = t.strip_prefix('[') {
                let (r, out) = self.index_or_slice(after, e)?;
                e = out;
                i = r;
            } else {
                self.expect(t, OP);
                return Ok((i, e));
            }
        }
    }

    /// `:A:B` (at least one label).
    pub fn labels(&self, mut i: &'a str) -> R<'a, Vec<Ident>> {
        let mut out = Vec::new();
        while let Some((r, _)) = attempt(self.sym(i, ":", "':'"))? {
            let (r, l) = self.ident(r, "a label")?;
            out.push(l);
            i = r;
        }
        if out.is_empty() {
            return self.fail(self.skip(i), "':'");
        }
        Ok((i, out))
    }

    fn index_or_slice(&self, i: &'a str, base: Expr) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let start = base.span.start;
        let from = if self.peek_sym(i, "..") {
            None
        } else {
            Some(self.value_or_pattern_expr(i)?)
        };
        let (i, from) = match from {
            Some((r, e)) => (r, Some(e)),
            None => (i, None),
        };
        if let Some((r, _)) = attempt(self.sym(i, "..", "'..'"))? {
            let (r, to) = if self.peek_sym(r, "]") {
                (r, None)
            } else {
                let (r, e) = self.value_or_pattern_expr(r)?;
                (r, Some(e))
            };
            let (r, close) = self.sym(r, "]", "']'")?;
            let span = Span::new(start, close.end);
            return Ok((
                r,
                mk(
                    ExprKind::Slice(Box::new(base), from.map(Box::new), to.map(Box::new)),
                    span,
                ),
            ));
        }
        let (r, close) = self.sym(i, "]", "']'")?;
        let Some(index) = from else {
            return self.fail(i, "an expression");
        };
        let span = Span::new(start, close.end);
        Ok((
            r,
            mk(ExprKind::Index(Box::new(base), Box::new(index)), span),
        ))
    }

    /// An expression keeping the current pattern-predicate setting.
    fn value_or_pattern_expr(&self, i: &'a str) -> R<'a, Expr> {
        self.expr(i)
    }

    fn atom(&self, i: &'a str) -> R<'a, Expr> {
        let t = self.skip(i);
        self.expect(t, "an expression");
        let old = self.set_quiet(Some(self.off(t)));
        let out = self.atom_inner(t);
        self.set_quiet(old);
        out
    }

    fn atom_inner(&self, t: &'a str) -> R<'a, Expr> {
        let Some(c) = t.chars().next() else {
            return self.fail(t, "an expression");
        };
        if c.is_ascii_digit() || (c == '.' && t[1..].starts_with(|d: char| d.is_ascii_digit())) {
            let (r, (lit, span)) = self.number(t, false)?;
            return Ok((r, mk(ExprKind::Literal(lit), span)));
        }
        match c {
            '\'' | '"' => {
                let (r, (s, span)) = self.string(t)?;
                Ok((r, mk(ExprKind::Literal(Literal::String(s)), span)))
            }
            '$' => {
                let (r, (name, span)) = self.parameter(t)?;
                Ok((r, mk(ExprKind::Parameter(name), span)))
            }
            '[' => self.list_atom(t),
            '{' => {
                let (r, (entries, span)) = self.map_literal(t)?;
                Ok((r, mk(ExprKind::Map(entries), span)))
            }
            '(' => self.paren_atom(t),
            _ => self.word_atom(t),
        }
    }

    /// `{k: v, ...}`.
    pub fn map_literal(&self, i: &'a str) -> R<'a, (Vec<(Ident, Expr)>, Span)> {
        let (mut r, open) = self.sym(i, "{", "'{'")?;
        let _g = self.enter(r)?;
        let mut entries = Vec::new();
        if !self.peek_sym(r, "}") {
            loop {
                let (r2, key) = self.ident(r, "a property key")?;
                let (r2, _) = self.sym(r2, ":", "':'")?;
                let (r2, value) = self.expr(r2)?;
                entries.push((key, value));
                r = r2;
                match attempt(self.sym(r, ",", "','"))? {
                    Some((r2, _)) => r = r2,
                    None => break,
                }
            }
        }
        let (r, close) = self.sym(r, "}", "'}'")?;
        Ok((r, (entries, open.to(close))))
    }

    fn paren_atom(&self, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        // A pattern such as `(a)-[:KNOWS]->(b)` is tried first; it is only a
        // predicate where patterns are allowed (after WHERE).
        if let Some((r, el)) = attempt(self.pattern_element(i, crate::pattern::PatCtx::Expr))? {
            if !el.chain.is_empty() {
                let span = Span::new(el.start.span.start, self.off(r));
                if !self.pattern_ok.get() {
                    return self.fatal(
                        span,
                        "a pattern is only allowed as a predicate after WHERE; use EXISTS { ... } or a pattern comprehension",
                        Some("UnexpectedSyntax"),
                    );
                }
                return Ok((r, mk(ExprKind::PatternPredicate(Box::new(el)), span)));
            }
        }
        let (r, open) = self.sym(i, "(", "'('")?;
        let (r, mut e) = self.expr(r)?;
        let (r, close) = self.sym(r, ")", "')'")?;
        e.span = open.to(close);
        Ok((r, e))
    }

    fn list_atom(&self, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (r, open) = self.sym(i, "[", "'['")?;
        if let Some(out) = self.list_comprehension(r, open)? {
            return Ok(out);
        }
        if let Some(out) = self.pattern_comprehension(r, open)? {
            return Ok(out);
        }
        let mut items = Vec::new();
        let mut r = r;
        if !self.peek_sym(r, "]") {
            loop {
                let (r2, e) = self.expr(r)?;
                items.push(e);
                r = r2;
                match attempt(self.sym(r, ",", "','"))? {
                    Some((r2, _)) => r = r2,
                    None => break,
                }
            }
        }
        let (r, close) = self.sym(r, "]", "']'")?;
        Ok((r, mk(ExprKind::List(items), open.to(close))))
    }

    /// `[x IN list WHERE pred | proj]` after the `[`.
    #[inline(never)]
    fn list_comprehension(
        &self,
        r: &'a str,
        open: Span,
    ) -> Result<Option<(&'a str, Expr)>, nom::Err<PError>> {
        let Some((r2, var)) = attempt(self.quiet(self.skip(r), || self.variable(r)))? else {
            return Ok(None);
        };
        let Some((r2, _)) = attempt(self.kw(r2, "IN"))? else {
            return Ok(None);
        };
        let (r2, list) = self.expr(r2)?;
        let (r2, predicate) = self.opt_where(r2)?;
        let (r2, projection) = match attempt(self.sym(r2, "|", "'|'"))? {
            Some((r3, _)) => {
                let (r3, e) = self.expr(r3)?;
                (r3, Some(Box::new(e)))
            }
            None => (r2, None),
        };
        let (r2, close) = self.sym(r2, "]", "']'")?;
        let kind = ExprKind::ListComprehension {
            variable: var,
            list: Box::new(list),
            predicate,
            projection,
        };
        Ok(Some((r2, mk(kind, open.to(close)))))
    }

    /// `[p = (a)-->(b) WHERE pred | proj]` after the `[`.
    #[inline(never)]
    fn pattern_comprehension(
        &self,
        r: &'a str,
        open: Span,
    ) -> Result<Option<(&'a str, Expr)>, nom::Err<PError>> {
        let (r2, path_var) = match attempt(self.path_assign(r))? {
            Some((r2, v)) => (r2, Some(v)),
            None => (r, None),
        };
        if !self.peek_sym(r2, "(") {
            return Ok(None);
        }
        let Some((r3, el)) = attempt(self.pattern_element(r2, crate::pattern::PatCtx::Expr))?
        else {
            return Ok(None);
        };
        if !(path_var.is_some() || self.peek_kw(r3, "WHERE") || self.peek_sym(r3, "|")) {
            return Ok(None);
        }
        let (r3, predicate) = self.opt_where(r3)?;
        let (r3, _) = self.sym(r3, "|", "'|'")?;
        let (r3, projection) = self.expr(r3)?;
        let (r3, close) = self.sym(r3, "]", "']'")?;
        let kind = ExprKind::PatternComprehension {
            variable: path_var,
            pattern: Box::new(el),
            predicate,
            projection: Box::new(projection),
        };
        Ok(Some((r3, mk(kind, open.to(close)))))
    }

    /// `p =` before a pattern.
    pub fn path_assign(&self, i: &'a str) -> R<'a, Ident> {
        let (r, v) = self.variable(i)?;
        let t = self.skip(r);
        if t.starts_with('=') && !t.starts_with("=~") {
            Ok((&t[1..], v))
        } else {
            self.fail(t, "'='")
        }
    }

    /// `[WHERE expr]` with pattern predicates allowed.
    pub fn opt_where(&self, i: &'a str) -> R<'a, Option<Box<Expr>>> {
        match attempt(self.kw(i, "WHERE"))? {
            Some((r, _)) => {
                let (r, e) = self.where_expr(r)?;
                Ok((r, Some(Box::new(e))))
            }
            None => Ok((i, None)),
        }
    }

    fn word_atom(&self, i: &'a str) -> R<'a, Expr> {
        let start = self.off(i);
        let word = self.peek_word(i);
        const SPECIAL: [&str; 11] = [
            "NULL", "TRUE", "FALSE", "CASE", "EXISTS", "COUNT", "ALL", "ANY", "NONE", "SINGLE",
            "REDUCE",
        ];
        if !SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(word)) {
            return self.name_atom(i);
        }
        let lit = |r: &'a str, l: Literal| {
            Ok((r, mk(ExprKind::Literal(l), Span::new(start, self.off(r)))))
        };
        if let Some((r, _)) = attempt(self.kw(i, "NULL"))? {
            return lit(r, Literal::Null);
        }
        if let Some((r, _)) = attempt(self.kw(i, "TRUE"))? {
            return lit(r, Literal::Bool(true));
        }
        if let Some((r, _)) = attempt(self.kw(i, "FALSE"))? {
            return lit(r, Literal::Bool(false));
        }
        if self.peek_kw(i, "CASE") {
            return self.case_expr(i);
        }
        if self.peek_kw(i, "EXISTS") {
            let (r, _) = self.kw(i, "EXISTS")?;
            if self.peek_sym(r, "{") {
                return self.exists_subquery(i, r);
            }
            if let Some(out) = attempt(self.exists_call(i, r))? {
                return Ok(out);
            }
        }
        if self.peek_kw(i, "COUNT") {
            let star = (|| -> R<'a, Span> {
                let (r, _) = self.kw(i, "COUNT")?;
                let (r, _) = self.sym(r, "(", "'('")?;
                let (r, _) = self.sym(r, "*", "'*'")?;
                self.sym(r, ")", "')'")
            })();
            if let Some((r, close)) = attempt(star)? {
                return Ok((r, mk(ExprKind::CountStar, Span::new(start, close.end))));
            }
        }
        for (word, q) in [
            ("ALL", Quantifier::All),
            ("ANY", Quantifier::Any),
            ("NONE", Quantifier::None),
            ("SINGLE", Quantifier::Single),
        ] {
            if self.peek_kw(i, word) {
                if let Some(out) = attempt(self.quantifier(i, word, q))? {
                    return Ok(out);
                }
            }
        }
        if self.peek_kw(i, "REDUCE") {
            if let Some(out) = attempt(self.reduce(i))? {
                return Ok(out);
            }
        }
        self.name_atom(i)
    }

    /// A function call, a map projection or a variable.
    fn name_atom(&self, i: &'a str) -> R<'a, Expr> {
        // Function call: name(.name)* '('
        if let Some((r, name)) = attempt(self.function_name(i))? {
            if self.peek_sym(r, "(") {
                return self.function_call(i, r, name);
            }
        }
        let (r, var) = self.variable(i)?;
        if self.peek_sym(r, "{") {
            return self.map_projection(r, var);
        }
        let span = var.span;
        Ok((r, mk(ExprKind::Variable(var.name), span)))
    }

    fn function_name(&self, i: &'a str) -> R<'a, String> {
        let (mut r, first) = self.ident(i, "a function name")?;
        let mut name = first.name;
        loop {
            let t = self.skip(r);
            if !t.starts_with('.') || t.starts_with("..") {
                break;
            }
            match attempt(self.ident(&t[1..], "a property key"))? {
                Some((r2, part)) => {
                    name.push('.');
                    name.push_str(&part.name);
                    r = r2;
                }
                None => break,
            }
        }
        Ok((r, name))
    }

    fn function_call(&self, start: &'a str, i: &'a str, name: String) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (mut r, _) = self.sym(i, "(", "'('")?;
        let distinct = match attempt(self.kw(r, "DISTINCT"))? {
            Some((r2, _)) => {
                r = r2;
                true
            }
            None => false,
        };
        let mut args = Vec::new();
        if !self.peek_sym(r, ")") {
            loop {
                let (r2, e) = self.expr(r)?;
                args.push(e);
                r = r2;
                match attempt(self.sym(r, ",", "','"))? {
                    Some((r2, _)) => r = r2,
                    None => break,
                }
            }
        }
        let (r, close) = self.sym(r, ")", "')'")?;
        let span = Span::new(self.off(self.skip(start)), close.end);
        Ok((
            r,
            mk(
                ExprKind::FunctionCall {
                    name,
                    distinct,
                    args,
                },
                span,
            ),
        ))
    }

    fn case_expr(&self, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (r, case) = self.kw(i, "CASE")?;
        let (mut r, subject) = if self.peek_kw(r, "WHEN") {
            (r, None)
        } else {
            let (r, e) = self.expr(r)?;
            (r, Some(Box::new(e)))
        };
        let mut branches = Vec::new();
        while let Some((r2, _)) = attempt(self.kw(r, "WHEN"))? {
            let (r2, when) = self.expr(r2)?;
            let (r2, _) = self.kw(r2, "THEN")?;
            let (r2, then) = self.expr(r2)?;
            branches.push((when, then));
            r = r2;
        }
        if branches.is_empty() {
            return self.fail(self.skip(r), "WHEN");
        }
        let (r, default) = match attempt(self.kw(r, "ELSE"))? {
            Some((r2, _)) => {
                let (r2, e) = self.expr(r2)?;
                (r2, Some(Box::new(e)))
            }
            None => (r, None),
        };
        let (r, end) = self.kw(r, "END")?;
        Ok((
            r,
            mk(
                ExprKind::Case {
                    subject,
                    branches,
                    default,
                },
                case.to(end),
            ),
        ))
    }

    fn quantifier(&self, i: &'a str, word: &'static str, kind: Quantifier) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (r, kw) = self.kw(i, word)?;
        let (r, _) = self.sym(r, "(", "'('")?;
        let (r, variable) = self.variable(r)?;
        let (r, _) = self.kw(r, "IN")?;
        let (r, list) = self.expr(r)?;
        let (r, predicate) = self.opt_where(r)?;
        let (r, close) = self.sym(r, ")", "')'")?;
        Ok((
            r,
            mk(
                ExprKind::Quantifier {
                    kind,
                    variable,
                    list: Box::new(list),
                    predicate,
                },
                kw.to(close),
            ),
        ))
    }

    fn reduce(&self, i: &'a str) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (r, kw) = self.kw(i, "REDUCE")?;
        let (r, _) = self.sym(r, "(", "'('")?;
        let (r, accumulator) = self.variable(r)?;
        let (r, _) = self.sym(r, "=", "'='")?;
        let (r, init) = self.expr(r)?;
        let (r, _) = self.sym(r, ",", "','")?;
        let (r, variable) = self.variable(r)?;
        let (r, _) = self.kw(r, "IN")?;
        let (r, list) = self.expr(r)?;
        let (r, _) = self.sym(r, "|", "'|'")?;
        let (r, expr) = self.expr(r)?;
        let (r, close) = self.sym(r, ")", "')'")?;
        let kind = ExprKind::Reduce {
            accumulator,
            init: Box::new(init),
            variable,
            list: Box::new(list),
            expr: Box::new(expr),
        };
        Ok((r, mk(kind, kw.to(close))))
    }

    /// `exists((a)-->(b))`: a pattern argument makes it an existence check;
    /// anything else is left to the plain function call.
    fn exists_call(&self, start: &'a str, r: &'a str) -> R<'a, Expr> {
        let _g = self.enter(r)?;
        let (r, _) = self.sym(r, "(", "'('")?;
        let (r, el) = self.pattern_element(r, crate::pattern::PatCtx::Expr)?;
        if el.chain.is_empty() {
            return self.fail(r, "a relationship pattern");
        }
        let (r, close) = self.sym(r, ")", "')'")?;
        let span = Span::new(self.off(self.skip(start)), close.end);
        Ok((r, mk(ExprKind::Exists(Box::new(el)), span)))
    }

    fn map_projection(&self, i: &'a str, variable: Ident) -> R<'a, Expr> {
        let _g = self.enter(i)?;
        let (mut r, _) = self.sym(i, "{", "'{'")?;
        let mut items = Vec::new();
        if !self.peek_sym(r, "}") {
            loop {
                let t = self.skip(r);
                let (r2, item) = if let Some(after) = t.strip_prefix('.') {
                    if let Some((r2, _)) = attempt(self.sym(after, "*", "'*'"))? {
                        (r2, MapProjectionItem::AllProperties)
                    } else {
                        let (r2, key) = self.ident(after, "a property key")?;
                        (r2, MapProjectionItem::Property(key))
                    }
                } else {
                    let (r2, name) = self.ident(t, "a map projection item")?;
                    if let Some((r3, _)) = attempt(self.sym(r2, ":", "':'"))? {
                        let (r3, e) = self.expr(r3)?;
                        (r3, MapProjectionItem::Literal(name, e))
                    } else {
                        (r2, MapProjectionItem::Variable(name))
                    }
                };
                items.push(item);
                r = r2;
                match attempt(self.sym(r, ",", "','"))? {
                    Some((r2, _)) => r = r2,
                    None => break,
                }
            }
        }
        let (r, close) = self.sym(r, "}", "'}'")?;
        let span = variable.span.to(close);
        Ok((r, mk(ExprKind::MapProjection { variable, items }, span)))
    }
}
