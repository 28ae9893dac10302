//! Patterns: `p = (a:L {k: v})-[r:T|U*1..3]->(b)`, shortestPath, and the
//! checks that depend on where a pattern appears (CREATE needs one type and a
//! direction, MATCH and MERGE take no parameter maps).

use std::collections::HashSet;

use nom::bytes::complete::take_while1;
use nom::Parser;

use crate::ast::{
    Expr, ExprKind, Ident, NodePattern, PathKind, PatternElement, PatternPart, RelDirection,
    RelPattern, Span,
};
use crate::expr::{attempt, mk};
use crate::lexer::{Cx, PError, R};

/// Where a pattern appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatCtx {
    Match,
    Create,
    Merge,
    Expr,
}

impl<'a> Cx<'a> {
    /// Comma-separated pattern parts.
    pub fn pattern(&self, i: &'a str, ctx: PatCtx) -> R<'a, Vec<PatternPart>> {
        let (mut r, first) = self.pattern_part(i, ctx)?;
        let mut parts = vec![first];
        while let Some((r2, _)) = attempt(self.sym(r, ",", "','"))? {
            let (r2, p) = self.pattern_part(r2, ctx)?;
            parts.push(p);
            r = r2;
        }
        Ok((r, parts))
    }

    /// `[p =] element` or `[p =] shortestPath(element)`.
    pub fn pattern_part(&self, i: &'a str, ctx: PatCtx) -> R<'a, PatternPart> {
        let start = self.off(self.skip(i));
        let (r, variable) = match attempt(self.path_assign(i))? {
            Some((r, v)) => (r, Some(v)),
            None => (i, None),
        };
        for (word, kind) in [
            ("shortestPath", PathKind::Shortest),
            ("allShortestPaths", PathKind::AllShortest),
        ] {
            if self.peek_kw(r, word) {
                let (r, _) = self.kw(r, word)?;
                let (r, _) = self.sym(r, "(", "'('")?;
                let (r, element) = self.pattern_element(r, ctx)?;
                let (r, close) = self.sym(r, ")", "')'")?;
                return Ok((
                    r,
                    PatternPart {
                        variable,
                        kind,
                        element,
                        span: Span::new(start, close.end),
                    },
                ));
            }
        }
        let (r, element) = self.pattern_element(r, ctx)?;
        let span = Span::new(start, self.off(r));
        Ok((
            r,
            PatternPart {
                variable,
                kind: PathKind::Plain,
                element,
                span,
            },
        ))
    }

    /// A node followed by any number of (relationship, node) steps.
    pub fn pattern_element(&self, i: &'a str, ctx: PatCtx) -> R<'a, PatternElement> {
        let _g = self.enter(i)?;
        let (mut r, start) = self.node_pattern(i, ctx)?;
        let mut chain = Vec::new();
        while let Some((r2, rel)) = attempt(self.rel_pattern(r, ctx))? {
            let (r2, node) = self.node_pattern(r2, ctx)?;
            chain.push((rel, node));
            r = r2;
        }
        Ok((r, PatternElement { start, chain }))
    }

    fn properties(&self, i: &'a str, ctx: PatCtx) -> R<'a, Option<Box<Expr>>> {
        let t = self.skip(i);
        if t.starts_with('{') {
            let (r, (entries, span)) = self.map_literal(t)?;
            return Ok((r, Some(Box::new(mk(ExprKind::Map(entries), span)))));
        }
        if t.starts_with('$') {
            if ctx == PatCtx::Expr {
                // Inside an expression this may be something else entirely,
                // as in `($p:Label)`.
                return self.fail(t, "'{'");
            }
            let (r, (name, span)) = self.parameter(t)?;
            if ctx != PatCtx::Create {
                let what = if ctx == PatCtx::Merge {
                    "MERGE"
                } else {
                    "MATCH"
                };
                return self.fatal(
                    span,
                    format!("a parameter cannot be used as a property map in {what}; write {{key: $param.key}}"),
                    Some("InvalidParameterUse"),
                );
            }
            return Ok((r, Some(Box::new(mk(ExprKind::Parameter(name), span)))));
        }
        self.expect(t, "'{'");
        Ok((i, None))
    }

    /// `(v:L1:L2 {k: v})`.
    pub fn node_pattern(&self, i: &'a str, ctx: PatCtx) -> R<'a, NodePattern> {
        let (r, open) = self.sym(i, "(", "'('")?;
        let (r, variable) = match attempt(self.variable(r))? {
            Some((r, v)) => (r, Some(v)),
            None => (r, None),
        };
        let (r, labels) = if self.peek_sym(r, ":") {
            self.labels(r)?
        } else {
            (r, Vec::new())
        };
        let (r, properties) = self.properties(r, ctx)?;
        let (r, close) = self.sym(r, ")", "')'")?;
        Ok((
            r,
            NodePattern {
                variable,
                labels,
                properties,
                span: open.to(close),
            },
        ))
    }

    /// `-[...]->`, `<-[...]-`, `-[...]-`, `-->`, `<--`, `--`.
    pub fn rel_pattern(&self, i: &'a str, ctx: PatCtx) -> R<'a, RelPattern> {
        let t = self.skip(i);
        let start = self.off(t);
        let (r, left) = match attempt(self.sym(t, "<", "'<-'"))? {
            Some((r, _)) => (r, true),
            None => (t, false),
        };
        let (r, _) = self.sym(r, "-", "'-'")?;
        let mut rel = RelPattern {
            variable: None,
            types: Vec::new(),
            direction: RelDirection::Both,
            length: None,
            properties: None,
            span: Span::default(),
        };
        let r = if self.peek_sym(r, "[") {
            self.rel_body(r, ctx, &mut rel)?.0
        } else {
            r
        };
        let (r, _) = self.sym(r, "-", "'-'")?;
        let (r, right) = match attempt(self.sym(r, ">", "'>'"))? {
            Some((r, _)) => (r, true),
            None => (r, false),
        };
        rel.direction = match (left, right) {
            (true, false) => RelDirection::Left,
            (false, true) => RelDirection::Right,
            _ => RelDirection::Both,
        };
        rel.span = Span::new(start, self.off(r));
        if ctx == PatCtx::Create || ctx == PatCtx::Merge {
            let clause = if ctx == PatCtx::Create {
                "CREATE"
            } else {
                "MERGE"
            };
            if rel.types.len() != 1 {
                return self.fatal(
                    rel.span,
                    format!("a relationship in {clause} must have exactly one type"),
                    Some("NoSingleRelationshipType"),
                );
            }
            if rel.length.is_some() {
                return self.fatal(
                    rel.span,
                    format!("a variable-length relationship cannot be used in {clause}"),
                    Some("CreatingVarLength"),
                );
            }
            if ctx == PatCtx::Create && rel.direction == RelDirection::Both {
                return self.fatal(
                    rel.span,
                    "a relationship in CREATE must have exactly one direction",
                    Some("RequiresDirectedRelationship"),
                );
            }
        }
        Ok((r, rel))
    }

    fn rel_body(&self, i: &'a str, ctx: PatCtx, rel: &mut RelPattern) -> R<'a, &'a str> {
        let (r, _) = self.sym(i, "[", "'['")?;
        let (r, variable) = match attempt(self.variable(r))? {
            Some((r, v)) => (r, Some(v)),
            None => (r, None),
        };
        rel.variable = variable;
        let mut r = r;
        if let Some((r2, _)) = attempt(self.sym(r, ":", "':'"))? {
            let (r2, first) = self.ident(r2, "a relationship type")?;
            rel.types.push(first);
            r = r2;
            while let Some((r2, _)) = attempt(self.sym(r, "|", "'|'"))? {
                let r2 = match attempt(self.sym(r2, ":", "':'"))? {
                    Some((r3, _)) => r3,
                    None => r2,
                };
                let (r2, t) = self.ident(r2, "a relationship type")?;
                rel.types.push(t);
                r = r2;
            }
        }
        if let Some((r2, star)) = attempt(self.sym(r, "*", "'*'"))? {
            let t = self.skip(r2);
            if t.starts_with('-') {
                let s = self.off(t);
                return self.fatal(
                    Span::new(star.start, s + 1),
                    "the bounds of a variable-length relationship must not be negative",
                    Some("InvalidRelationshipPattern"),
                );
            }
            let (r2, min) = self.opt_bound(r2)?;
            let (r2, range) = match attempt(self.sym(r2, "..", "'..'"))? {
                Some((r3, _)) => {
                    let t = self.skip(r3);
                    if t.starts_with('-') {
                        let s = self.off(t);
                        return self.fatal(
                            Span::new(star.start, s + 1),
                            "the bounds of a variable-length relationship must not be negative",
                            Some("InvalidRelationshipPattern"),
                        );
                    }
                    let (r3, max) = self.opt_bound(r3)?;
                    (r3, (min, max))
                }
                None => (r2, (min, min)),
            };
            rel.length = Some(range);
            r = r2;
        } else if self.peek_sym(r, "..") {
            let t = self.skip(r);
            let s = self.off(t);
            return self.fatal(
                Span::new(s, s + 2),
                "a variable-length relationship needs '*' before its range, as in [:T*1..3]",
                Some("InvalidRelationshipPattern"),
            );
        }
        let (r, properties) = self.properties(r, ctx)?;
        rel.properties = properties;
        let (r, _) = self.sym(r, "]", "']'")?;
        Ok((r, r))
    }

    fn opt_bound(&self, i: &'a str) -> R<'a, Option<u64>> {
        let t = self.skip(i);
        let digits: R<'a, &'a str> = take_while1(|c: char| c.is_ascii_digit()).parse(t);
        match digits {
            Ok((r, d)) => match d.parse::<u64>() {
                Ok(v) => Ok((r, Some(v))),
                Err(_) => self.fatal(
                    self.span(t, r),
                    "range bound does not fit in 64 bits",
                    Some("IntegerOverflow"),
                ),
            },
            Err(_) => {
                self.expect(t, "an integer");
                Ok((i, None))
            }
        }
    }
}

/// Checks a parser can make on one clause's pattern without knowing the
/// earlier clauses: a path variable must be new (`VariableAlreadyBound`) and
/// cannot be reused as a node or relationship later (`VariableTypeConflict`);
/// CREATE cannot bind a relationship twice or add labels/properties to a node
/// it already bound.
pub(crate) fn check_pattern_variables(
    cx: &Cx<'_>,
    parts: &[PatternPart],
    create: bool,
) -> Result<(), nom::Err<PError>> {
    let bound = |v: &Ident| {
        cx.fatal_err(
            v.span,
            format!("variable `{}` is already bound", v.name),
            Some("VariableAlreadyBound"),
        )
    };
    let conflict = |v: &Ident| {
        cx.fatal_err(
            v.span,
            format!(
                "`{}` is bound to a path and cannot be used as a node or relationship",
                v.name
            ),
            Some("VariableTypeConflict"),
        )
    };
    // Hashed: a CREATE script may bind thousands of variables.
    let mut seen: HashSet<(&str, char)> = HashSet::new();
    let mut paths: HashSet<&str> = HashSet::new();
    let mut names: HashSet<&str> = HashSet::new();
    for part in parts {
        let nodes =
            std::iter::once(&part.element.start).chain(part.element.chain.iter().map(|(_, n)| n));
        for n in nodes {
            if let Some(v) = &n.variable {
                if paths.contains(v.name.as_str()) {
                    return Err(conflict(v));
                }
                let preds = !n.labels.is_empty() || n.properties.is_some();
                if create && preds && seen.contains(&(v.name.as_str(), 'n')) {
                    return Err(bound(v));
                }
                seen.insert((&v.name, 'n'));
                names.insert(&v.name);
            }
        }
        for (rel, _) in &part.element.chain {
            if let Some(v) = &rel.variable {
                if paths.contains(v.name.as_str()) {
                    return Err(conflict(v));
                }
                if create && seen.contains(&(v.name.as_str(), 'r')) {
                    return Err(bound(v));
                }
                seen.insert((&v.name, 'r'));
                names.insert(&v.name);
            }
        }
        if let Some(p) = &part.variable {
            if names.contains(p.name.as_str()) {
                return Err(bound(p));
            }
            paths.insert(&p.name);
            names.insert(&p.name);
        }
    }
    Ok(())
}
