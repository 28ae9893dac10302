//! Printing an AST back as Cypher. The output parses to the same tree
//! (modulo spans and projection texts); parentheses are added exactly where
//! precedence needs them.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::*;
use crate::lexer::{is_plain_ident, is_reserved};

const P_OR: u8 = 1;
const P_XOR: u8 = 2;
const P_AND: u8 = 3;
const P_NOT: u8 = 4;
const P_CMP: u8 = 5;
const P_PRED: u8 = 6;
const P_ADD: u8 = 7;
const P_MUL: u8 = 8;
const P_POW: u8 = 9;
const P_UNARY: u8 = 10;
const P_POSTFIX: u8 = 11;
const P_ATOM: u8 = 12;

fn op_prec(op: BinaryOp) -> u8 {
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

fn op_text(op: BinaryOp) -> &'static str {
    use BinaryOp::*;
    match op {
        Or => "OR",
        Xor => "XOR",
        And => "AND",
        Eq => "=",
        Ne => "<>",
        Lt => "<",
        Le => "<=",
        Gt => ">",
        Ge => ">=",
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Mod => "%",
        Pow => "^",
        In => "IN",
        StartsWith => "STARTS WITH",
        EndsWith => "ENDS WITH",
        Contains => "CONTAINS",
        RegexMatch => "=~",
    }
}

fn is_number(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Literal(Literal::Int(_) | Literal::Float(_))
    )
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op_prec(*op),
        ExprKind::Unary(UnaryOp::Not, _) => P_NOT,
        ExprKind::Unary(..) => P_UNARY,
        ExprKind::IsNull(..) => P_PRED,
        ExprKind::Property(..)
        | ExprKind::HasLabels(..)
        | ExprKind::Index(..)
        | ExprKind::Slice(..) => P_POSTFIX,
        ExprKind::Literal(Literal::Int(v)) if *v < 0 => P_UNARY,
        ExprKind::Literal(Literal::Float(v)) if v.is_sign_negative() => P_UNARY,
        _ => P_ATOM,
    }
}

/// A name written so that it parses back: back-quoted unless it is a plain
/// identifier that is not a reserved word.
struct Name<'n>(&'n str);

impl Display for Name<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain_ident(self.0) && !is_reserved(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "`{}`", self.0.replace('`', "``"))
        }
    }
}

fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

fn write_float(f: &mut Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_finite() {
        write!(f, "{v:?}")
    } else if v.is_nan() {
        f.write_str("(0.0 / 0.0)")
    } else if v > 0.0 {
        f.write_str("(1.0 / 0.0)")
    } else {
        f.write_str("(-1.0 / 0.0)")
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(v) => write!(f, "{v}"),
            Literal::Float(v) => write_float(f, *v),
            Literal::String(s) => write_string(f, s),
        }
    }
}

struct At<'e>(&'e Expr, u8);

impl Display for At<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if prec(self.0) < self.1 {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A postfix base: numbers are parenthesized so `(-1).x` stays what it is,
/// and label predicates so `(n:A):B` does not merge into `n:A:B`.
struct Base<'e>(&'e Expr);

impl Display for Base<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_number(self.0)
            || prec(self.0) < P_POSTFIX
            || matches!(self.0.kind, ExprKind::HasLabels(..))
        {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

fn comma<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

fn write_where(f: &mut Formatter<'_>, w: &Option<Box<Expr>>) -> fmt::Result {
    match w {
        Some(e) => write!(f, " WHERE {e}"),
        None => Ok(()),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Parameter(p) => {
                if (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) || is_plain_ident(p) {
                    write!(f, "${p}")
                } else {
                    write!(f, "$`{}`", p.replace('`', "``"))
                }
            }
            ExprKind::Variable(v) => write!(f, "{}", Name(v)),
            ExprKind::List(items) => {
                f.write_char('[')?;
                for (k, e) in items.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    let text = e.to_string();
                    // `[x IN l]` would read as a list comprehension.
                    if k == 0 && starts_with_membership(&text) {
                        write!(f, "({text})")?;
                    } else {
                        f.write_str(&text)?;
                    }
                }
                f.write_char(']')
            }
            ExprKind::Map(entries) => write_map(f, entries),
            ExprKind::Property(base, key) => write!(f, "{}.{}", Base(base), Name(&key.name)),
            ExprKind::HasLabels(base, labels) => {
                write!(f, "{}", Base(base))?;
                for l in labels {
                    write!(f, ":{}", Name(&l.name))?;
                }
                Ok(())
            }
            ExprKind::Binary(op, l, r) => {
                let p = op_prec(*op);
                let (lp, rp) = match p {
                    P_CMP => (P_CMP + 1, P_CMP + 1),
                    P_PRED => (P_PRED, P_ADD),
                    _ => (p, p + 1),
                };
                write!(f, "{} {} {}", At(l, lp), op_text(*op), At(r, rp))
            }
            ExprKind::Unary(UnaryOp::Not, e) => write!(f, "NOT {}", At(e, P_NOT)),
            ExprKind::Unary(op, e) => {
                let sign = if *op == UnaryOp::Neg { "-" } else { "+" };
                if is_number(e) {
                    write!(f, "{sign}({e})")
                } else {
                    write!(f, "{sign}{}", At(e, P_UNARY))
                }
            }
            ExprKind::IsNull(e, not) => {
                write!(
                    f,
                    "{} IS {}NULL",
                    At(e, P_PRED),
                    if *not { "NOT " } else { "" }
                )
            }
            ExprKind::Index(base, index) => write!(f, "{}[{index}]", Base(base)),
            ExprKind::Slice(base, from, to) => {
                write!(f, "{}[", Base(base))?;
                if let Some(e) = from {
                    write!(f, "{e}")?;
                }
                f.write_str("..")?;
                if let Some(e) = to {
                    write!(f, "{e}")?;
                }
                f.write_char(']')
            }
            ExprKind::FunctionCall {
                name,
                distinct,
                args,
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma(f, args, |f, e| write!(f, "{e}"))?;
                f.write_char(')')
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Case {
                subject,
                branches,
                default,
            } => {
                f.write_str("CASE")?;
                if let Some(s) = subject {
                    write!(f, " {s}")?;
                }
                for (w, t) in branches {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(d) = default {
                    write!(f, " ELSE {d}")?;
                }
                f.write_str(" END")
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                write!(f, "[{} IN {list}", Name(&variable.name))?;
                write_where(f, predicate)?;
                if let Some(p) = projection {
                    write!(f, " | {p}")?;
                }
                f.write_char(']')
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                f.write_char('[')?;
                if let Some(v) = variable {
                    write!(f, "{} = ", Name(&v.name))?;
                }
                write!(f, "{pattern}")?;
                write_where(f, predicate)?;
                write!(f, " | {projection}]")
            }
            ExprKind::Quantifier {
                kind,
                variable,
                list,
                predicate,
            } => {
                let word = match kind {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                    Quantifier::None => "none",
                    Quantifier::Single => "single",
                };
                write!(f, "{word}({} IN {list}", Name(&variable.name))?;
                write_where(f, predicate)?;
                f.write_char(')')
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => write!(
                f,
                "reduce({} = {init}, {} IN {list} | {expr})",
                Name(&accumulator.name),
                Name(&variable.name)
            ),
            ExprKind::PatternPredicate(p) => write!(f, "{p}"),
            ExprKind::Exists(p) => write!(f, "EXISTS {{ {p} }}"),
            ExprKind::MapProjection { variable, items } => {
                write!(f, "{}{{", Name(&variable.name))?;
                comma(f, items, |f, item| match item {
                    MapProjectionItem::Property(k) => write!(f, ".{}", Name(&k.name)),
                    MapProjectionItem::Literal(k, e) => write!(f, "{}: {e}", Name(&k.name)),
                    MapProjectionItem::AllProperties => f.write_str(".*"),
                    MapProjectionItem::Variable(v) => write!(f, "{}", Name(&v.name)),
                })?;
                f.write_char('}')
            }
        }
    }
}

/// True when `text` starts with a name followed by ` IN `.
fn starts_with_membership(text: &str) -> bool {
    let rest = if let Some(quoted) = text.strip_prefix('`') {
        let mut r = quoted;
        loop {
            match r.find('`') {
                None => return false,
                Some(p) if r[p + 1..].starts_with('`') => r = &r[p + 2..],
                Some(p) => break &r[p + 1..],
            }
        }
    } else {
        text.trim_start_matches(crate::lexer::is_ident_char)
    };
    rest.len() < text.len() && rest.starts_with(" IN ")
}

fn write_map(f: &mut Formatter<'_>, entries: &[(Ident, Expr)]) -> fmt::Result {
    f.write_char('{')?;
    comma(f, entries, |f, (k, v)| write!(f, "{}: {v}", Name(&k.name)))?;
    f.write_char('}')
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        if let Some(v) = &self.variable {
            write!(f, "{}", Name(&v.name))?;
        }
        for l in &self.labels {
            write!(f, ":{}", Name(&l.name))?;
        }
        if let Some(p) = &self.properties {
            if self.variable.is_some() || !self.labels.is_empty() {
                f.write_char(' ')?;
            }
            write!(f, "{p}")?;
        }
        f.write_char(')')
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.direction == RelDirection::Left {
            "<-"
        } else {
            "-"
        })?;
        let empty = self.variable.is_none()
            && self.types.is_empty()
            && self.length.is_none()
            && self.properties.is_none();
        if !empty {
            f.write_char('[')?;
            if let Some(v) = &self.variable {
                write!(f, "{}", Name(&v.name))?;
            }
            for (k, t) in self.types.iter().enumerate() {
                write!(f, "{}{}", if k == 0 { ":" } else { "|" }, Name(&t.name))?;
            }
            if let Some((min, max)) = self.length {
                f.write_char('*')?;
                match (min, max) {
                    (None, None) => {}
                    (Some(a), Some(b)) if a == b => write!(f, "{a}")?,
                    (a, b) => {
                        if let Some(a) = a {
                            write!(f, "{a}")?;
                        }
                        f.write_str("..")?;
                        if let Some(b) = b {
                            write!(f, "{b}")?;
                        }
                    }
                }
            }
            if let Some(p) = &self.properties {
                if self.variable.is_some() || !self.types.is_empty() || self.length.is_some() {
                    f.write_char(' ')?;
                }
                write!(f, "{p}")?;
            }
            f.write_char(']')?;
        }
        f.write_str(if self.direction == RelDirection::Right {
            "->"
        } else {
            "-"
        })
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        for (r, n) in &self.chain {
            write!(f, "{r}{n}")?;
        }
        Ok(())
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.variable {
            write!(f, "{} = ", Name(&v.name))?;
        }
        match self.kind {
            PathKind::Plain => write!(f, "{}", self.element),
            PathKind::Shortest => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortest => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

fn write_pattern(f: &mut Formatter<'_>, parts: &[PatternPart]) -> fmt::Result {
    comma(f, parts, |f, p| write!(f, "{p}"))
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property {
                target, key, value, ..
            } => {
                write!(f, "{}.{} = {value}", Base(target), Name(&key.name))
            }
            SetItem::Properties {
                variable,
                value,
                merge,
                ..
            } => {
                write!(
                    f,
                    "{} {} {value}",
                    Name(&variable.name),
                    if *merge { "+=" } else { "=" }
                )
            }
            SetItem::Labels {
                variable, labels, ..
            } => {
                write!(f, "{}", Name(&variable.name))?;
                for l in labels {
                    write!(f, ":{}", Name(&l.name))?;
                }
                Ok(())
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key, .. } => {
                write!(f, "{}.{}", Base(target), Name(&key.name))
            }
            RemoveItem::Labels {
                variable, labels, ..
            } => {
                write!(f, "{}", Name(&variable.name))?;
                for l in labels {
                    write!(f, ":{}", Name(&l.name))?;
                }
                Ok(())
            }
        }
    }
}

fn write_projection(f: &mut Formatter<'_>, word: &str, p: &Projection) -> fmt::Result {
    f.write_str(word)?;
    if p.distinct {
        f.write_str(" DISTINCT")?;
    }
    f.write_char(' ')?;
    if p.star {
        f.write_char('*')?;
        if !p.items.is_empty() {
            f.write_str(", ")?;
        }
    }
    comma(f, &p.items, |f, item| {
        write!(f, "{}", item.expr)?;
        if let Some(a) = &item.alias {
            write!(f, " AS {}", Name(&a.name))?;
        }
        Ok(())
    })?;
    if !p.order_by.is_empty() {
        f.write_str(" ORDER BY ")?;
        comma(f, &p.order_by, |f, s| {
            write!(f, "{}{}", s.expr, if s.descending { " DESC" } else { "" })
        })?;
    }
    if let Some(e) = &p.skip {
        write!(f, " SKIP {e}")?;
    }
    if let Some(e) = &p.limit {
        write!(f, " LIMIT {e}")?;
    }
    if let Some(e) = &p.where_ {
        write!(f, " WHERE {e}")?;
    }
    Ok(())
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match(m) => {
                f.write_str(if m.optional {
                    "OPTIONAL MATCH "
                } else {
                    "MATCH "
                })?;
                write_pattern(f, &m.pattern)?;
                if let Some(w) = &m.where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            Clause::Unwind(u) => write!(f, "UNWIND {} AS {}", u.expr, Name(&u.variable.name)),
            Clause::With(p) => write_projection(f, "WITH", p),
            Clause::Return(p) => write_projection(f, "RETURN", p),
            Clause::Create(c) => {
                f.write_str("CREATE ")?;
                write_pattern(f, &c.pattern)
            }
            Clause::Merge(m) => {
                write!(f, "MERGE {}", m.pattern)?;
                if !m.on_create.is_empty() {
                    f.write_str(" ON CREATE SET ")?;
                    comma(f, &m.on_create, |f, s| write!(f, "{s}"))?;
                }
                if !m.on_match.is_empty() {
                    f.write_str(" ON MATCH SET ")?;
                    comma(f, &m.on_match, |f, s| write!(f, "{s}"))?;
                }
                Ok(())
            }
            Clause::Set(s) => {
                f.write_str("SET ")?;
                comma(f, &s.items, |f, s| write!(f, "{s}"))
            }
            Clause::Remove(r) => {
                f.write_str("REMOVE ")?;
                comma(f, &r.items, |f, s| write!(f, "{s}"))
            }
            Clause::Delete(d) => {
                f.write_str(if d.detach {
                    "DETACH DELETE "
                } else {
                    "DELETE "
                })?;
                comma(f, &d.exprs, |f, e| write!(f, "{e}"))
            }
            Clause::Call(c) => {
                f.write_str("CALL ")?;
                for (k, part) in c.procedure.iter().enumerate() {
                    if k > 0 {
                        f.write_char('.')?;
                    }
                    write!(f, "{}", Name(&part.name))?;
                }
                if let Some(args) = &c.args {
                    f.write_char('(')?;
                    comma(f, args, |f, e| write!(f, "{e}"))?;
                    f.write_char(')')?;
                }
                if c.yield_star {
                    f.write_str(" YIELD *")?;
                } else if !c.yields.is_empty() {
                    f.write_str(" YIELD ")?;
                    comma(f, &c.yields, |f, (field, alias)| {
                        write!(f, "{}", Name(&field.name))?;
                        if let Some(a) = alias {
                            write!(f, " AS {}", Name(&a.name))?;
                        }
                        Ok(())
                    })?;
                }
                if let Some(w) = &c.where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (k, c) in self.clauses.iter().enumerate() {
            if k > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (all, q) in &self.unions {
            write!(f, " UNION {}{q}", if *all { "ALL " } else { "" })?;
        }
        Ok(())
    }
}

impl Display for SchemaCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let head =
            |f: &mut Formatter<'_>, what: &str, name: &Option<Ident>, ine: bool| -> fmt::Result {
                write!(f, "CREATE {what} ")?;
                if let Some(n) = name {
                    write!(f, "{} ", Name(&n.name))?;
                }
                if ine {
                    f.write_str("IF NOT EXISTS ")?;
                }
                Ok(())
            };
        match self {
            SchemaCommand::CreateIndex {
                name,
                if_not_exists,
                label,
                key,
            } => {
                head(f, "INDEX", name, *if_not_exists)?;
                write!(
                    f,
                    "FOR (n:{}) ON (n.{})",
                    Name(&label.name),
                    Name(&key.name)
                )
            }
            SchemaCommand::CreateUnique {
                name,
                if_not_exists,
                label,
                key,
            } => {
                head(f, "CONSTRAINT", name, *if_not_exists)?;
                write!(
                    f,
                    "FOR (n:{}) REQUIRE n.{} IS UNIQUE",
                    Name(&label.name),
                    Name(&key.name)
                )
            }
            SchemaCommand::DropIndex { name, if_exists } => {
                write!(
                    f,
                    "DROP INDEX {}{}",
                    Name(&name.name),
                    if *if_exists { " IF EXISTS" } else { "" }
                )
            }
            SchemaCommand::DropConstraint { name, if_exists } => {
                write!(
                    f,
                    "DROP CONSTRAINT {}{}",
                    Name(&name.name),
                    if *if_exists { " IF EXISTS" } else { "" }
                )
            }
            SchemaCommand::ShowIndexes => f.write_str("SHOW INDEXES"),
            SchemaCommand::ShowConstraints => f.write_str("SHOW CONSTRAINTS"),
            SchemaCommand::Access(a) => write!(f, "{a}"),
        }
    }
}

impl Display for AccessCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            AccessCommand::CreateRole {
                name,
                if_not_exists,
            } => write!(
                f,
                "CREATE ROLE {}{}",
                Name(&name.name),
                if *if_not_exists { " IF NOT EXISTS" } else { "" }
            ),
            AccessCommand::DropRole { name, if_exists } => write!(
                f,
                "DROP ROLE {}{}",
                Name(&name.name),
                if *if_exists { " IF EXISTS" } else { "" }
            ),
            AccessCommand::ShowRoles => f.write_str("SHOW ROLES"),
            AccessCommand::ShowPrivileges { role: None } => f.write_str("SHOW PRIVILEGES"),
            AccessCommand::ShowPrivileges { role: Some(r) } => {
                write!(f, "SHOW ROLE {} PRIVILEGES", Name(&r.name))
            }
            AccessCommand::Privilege(p) => write!(f, "{p}"),
        }
    }
}

fn name_list(f: &mut Formatter<'_>, names: &Option<Vec<Ident>>) -> fmt::Result {
    match names {
        None => f.write_str("*"),
        Some(names) => {
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{}", Name(&n.name))?;
            }
            Ok(())
        }
    }
}

impl Display for PrivilegeCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self.verb {
            PrivilegeVerb::Grant => "GRANT ",
            PrivilegeVerb::Deny => "DENY ",
            PrivilegeVerb::Revoke(None) => "REVOKE ",
            PrivilegeVerb::Revoke(Some(false)) => "REVOKE GRANT ",
            PrivilegeVerb::Revoke(Some(true)) => "REVOKE DENY ",
        })?;
        f.write_str(match self.action {
            PrivilegeAction::Traverse => "TRAVERSE",
            PrivilegeAction::Read => "READ",
            PrivilegeAction::Match => "MATCH",
            PrivilegeAction::Create => "CREATE",
            PrivilegeAction::Delete => "DELETE",
            PrivilegeAction::SetProperty => "SET PROPERTY",
            PrivilegeAction::SetLabel => "SET LABEL",
            PrivilegeAction::RemoveLabel => "REMOVE LABEL",
            PrivilegeAction::Merge => "MERGE",
            PrivilegeAction::Write => "WRITE",
            PrivilegeAction::All => "ALL GRAPH PRIVILEGES",
        })?;
        let label_action = matches!(
            self.action,
            PrivilegeAction::SetLabel | PrivilegeAction::RemoveLabel
        );
        if matches!(
            self.action,
            PrivilegeAction::Read
                | PrivilegeAction::Match
                | PrivilegeAction::SetProperty
                | PrivilegeAction::Merge
        ) {
            f.write_str(" {")?;
            name_list(f, &self.keys)?;
            f.write_str("}")?;
        }
        if label_action {
            f.write_str(" ")?;
            name_list(f, &self.names)?;
        }
        f.write_str(" ON GRAPH *")?;
        if !label_action {
            match (&self.condition, self.kind) {
                (Some((Some(var), e)), _) => {
                    write!(f, " FOR ({}", Name(&var.name))?;
                    if let Some(names) = &self.names {
                        if let Some(l) = names.first() {
                            write!(f, ":{}", Name(&l.name))?;
                        }
                    }
                    write!(f, ") WHERE {e}")?;
                }
                (cond, kind) => {
                    f.write_str(match kind {
                        ElementKind::Nodes => " NODES ",
                        ElementKind::Relationships => " RELATIONSHIPS ",
                        ElementKind::Elements => " ELEMENTS ",
                    })?;
                    name_list(f, &self.names)?;
                    if let Some((_, e)) = cond {
                        write!(f, " WHERE {e}")?;
                    }
                }
            }
        }
        f.write_str(match self.verb {
            PrivilegeVerb::Revoke(_) => " FROM ",
            _ => " TO ",
        })?;
        for (i, r) in self.roles.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Name(&r.name))?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.mode {
            QueryMode::Normal => {}
            QueryMode::Explain => f.write_str("EXPLAIN ")?,
            QueryMode::Profile => f.write_str("PROFILE ")?,
        }
        match &self.kind {
            StatementKind::Query(q) => write!(f, "{q}"),
            StatementKind::Schema(s) => write!(f, "{s}"),
        }
    }
}
