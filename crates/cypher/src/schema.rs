//! Schema commands: CREATE/DROP INDEX, CREATE/DROP CONSTRAINT ... IS
//! UNIQUE, SHOW INDEXES/CONSTRAINTS (with the older `ON :Label(key)` and
//! `ASSERT` forms).

use crate::ast::{Ident, SchemaCommand};
use crate::expr::attempt;
use crate::lexer::{Cx, R};

impl<'a> Cx<'a> {
    /// Schema commands (CREATE/DROP INDEX, CREATE/DROP CONSTRAINT, SHOW).
    pub(crate) fn schema_command(&self, i: &'a str) -> R<'a, SchemaCommand> {
        if let Some((r, cmd)) = attempt(self.access_command(i))? {
            return Ok((r, SchemaCommand::Access(cmd)));
        }
        if let Some((r, _)) = attempt(self.kw(i, "SHOW"))? {
            for (w, cmd) in [
                ("INDEXES", SchemaCommand::ShowIndexes),
                ("INDEX", SchemaCommand::ShowIndexes),
                ("CONSTRAINTS", SchemaCommand::ShowConstraints),
                ("CONSTRAINT", SchemaCommand::ShowConstraints),
            ] {
                if let Some((r2, _)) = attempt(self.kw(r, w))? {
                    return Ok((r2, cmd));
                }
            }
            return self.fail(self.skip(r), "INDEXES");
        }
        if let Some((r, _)) = attempt(self.kw(i, "DROP"))? {
            let (r, index) = if let Some((r2, _)) = attempt(self.kw(r, "INDEX"))? {
                (r2, true)
            } else {
                (self.kw(r, "CONSTRAINT")?.0, false)
            };
            let (r, name) = self.ident(r, "a name")?;
            let (r, if_exists) = match attempt(self.kws(r, &["IF", "EXISTS"]))? {
                Some((r2, _)) => (r2, true),
                None => (r, false),
            };
            let cmd = if index {
                SchemaCommand::DropIndex { name, if_exists }
            } else {
                SchemaCommand::DropConstraint { name, if_exists }
            };
            return Ok((r, cmd));
        }
        let (r, _) = self.kw(i, "CREATE")?;
        let (r, index) = if let Some((r2, _)) = attempt(self.kw(r, "INDEX"))? {
            (r2, true)
        } else {
            (self.kw(r, "CONSTRAINT")?.0, false)
        };
        self.schema_body(r, index)
    }

    fn schema_body(&self, r: &'a str, index: bool) -> R<'a, SchemaCommand> {
        let (r, name) = if ["IF", "FOR", "ON"].iter().any(|w| self.peek_kw(r, w)) {
            (r, None)
        } else {
            let (r, n) = self.ident(r, "a name")?;
            (r, Some(n))
        };
        let (r, if_not_exists) = match attempt(self.kws(r, &["IF", "NOT", "EXISTS"]))? {
            Some((r2, _)) => (r2, true),
            None => (r, false),
        };
        if index {
            // Old form: CREATE INDEX ON :Label(key)
            if let Some((r2, _)) = attempt(self.kw(r, "ON"))? {
                if self.peek_sym(r2, ":") {
                    let (r2, _) = self.sym(r2, ":", "':'")?;
                    let (r2, label) = self.ident(r2, "a label")?;
                    let (r2, _) = self.sym(r2, "(", "'('")?;
                    let (r2, key) = self.ident(r2, "a property key")?;
                    let (r2, _) = self.sym(r2, ")", "')'")?;
                    return Ok((
                        r2,
                        SchemaCommand::CreateIndex {
                            name,
                            if_not_exists,
                            label,
                            key,
                        },
                    ));
                }
            }
            let (r, _) = self.kw(r, "FOR")?;
            let (r, (var, label)) = self.schema_node(r)?;
            let (r, _) = self.kw(r, "ON")?;
            let (r, _) = self.sym(r, "(", "'('")?;
            let (r, key) = self.schema_property(r, &var)?;
            let (r, _) = self.sym(r, ")", "')'")?;
            return Ok((
                r,
                SchemaCommand::CreateIndex {
                    name,
                    if_not_exists,
                    label,
                    key,
                },
            ));
        }
        let (r, old) = if let Some((r2, _)) = attempt(self.kw(r, "FOR"))? {
            (r2, false)
        } else {
            (self.kw(r, "ON")?.0, true)
        };
        let (r, (var, label)) = self.schema_node(r)?;
        let (r, _) = self.kw(r, if old { "ASSERT" } else { "REQUIRE" })?;
        let (r, key) = self.schema_property(r, &var)?;
        let (r, _) = self.kws(r, &["IS", "UNIQUE"])?;
        Ok((
            r,
            SchemaCommand::CreateUnique {
                name,
                if_not_exists,
                label,
                key,
            },
        ))
    }

    fn schema_node(&self, i: &'a str) -> R<'a, (Ident, Ident)> {
        let (r, _) = self.sym(i, "(", "'('")?;
        let (r, var) = self.variable(r)?;
        let (r, _) = self.sym(r, ":", "':'")?;
        let (r, label) = self.ident(r, "a label")?;
        let (r, _) = self.sym(r, ")", "')'")?;
        Ok((r, (var, label)))
    }

    fn schema_property(&self, i: &'a str, var: &Ident) -> R<'a, Ident> {
        let (r, v) = self.variable(i)?;
        if v.name != var.name {
            return self.fatal(
                v.span,
                format!("expected `{}`, the variable of the pattern", var.name),
                Some("UndefinedVariable"),
            );
        }
        let (r, _) = self.sym(r, ".", "'.'")?;
        self.ident(r, "a property key")
    }
}
