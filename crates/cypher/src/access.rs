//! Role and privilege commands: CREATE/DROP ROLE, SHOW ROLES, SHOW
//! [ROLE name] PRIVILEGES, GRANT/DENY/REVOKE (Neo4j's syntax, plus a row
//! condition on node privileges; docs/access.md).

use crate::ast::{
    AccessCommand, ElementKind, Ident, PrivilegeAction, PrivilegeCommand, PrivilegeVerb,
};
use crate::expr::attempt;
use crate::lexer::{Cx, R};

impl<'a> Cx<'a> {
    /// A role or privilege command.
    pub(crate) fn access_command(&self, i: &'a str) -> R<'a, AccessCommand> {
        if let Some((r, _)) = attempt(self.kws(i, &["CREATE", "ROLE"]))? {
            let (r, name) = self.ident(r, "a role name")?;
            let (r, if_not_exists) = match attempt(self.kws(r, &["IF", "NOT", "EXISTS"]))? {
                Some((r2, _)) => (r2, true),
                None => (r, false),
            };
            return Ok((
                r,
                AccessCommand::CreateRole {
                    name,
                    if_not_exists,
                },
            ));
        }
        if let Some((r, _)) = attempt(self.kws(i, &["DROP", "ROLE"]))? {
            let (r, name) = self.ident(r, "a role name")?;
            let (r, if_exists) = match attempt(self.kws(r, &["IF", "EXISTS"]))? {
                Some((r2, _)) => (r2, true),
                None => (r, false),
            };
            return Ok((r, AccessCommand::DropRole { name, if_exists }));
        }
        if let Some((r, _)) = attempt(self.kw(i, "SHOW"))? {
            if let Some((r2, _)) = attempt(self.kw(r, "ROLES"))? {
                return Ok((r2, AccessCommand::ShowRoles));
            }
            if let Some((r2, _)) = attempt(self.kw(r, "PRIVILEGES"))? {
                return Ok((r2, AccessCommand::ShowPrivileges { role: None }));
            }
            let (r, _) = self.kw(r, "ROLE")?;
            let (r, role) = self.ident(r, "a role name")?;
            let (r, _) = self.kw(r, "PRIVILEGES")?;
            return Ok((r, AccessCommand::ShowPrivileges { role: Some(role) }));
        }
        let start = self.skip(i);
        let (r, verb) = if let Some((r, _)) = attempt(self.kw(i, "GRANT"))? {
            (r, PrivilegeVerb::Grant)
        } else if let Some((r, _)) = attempt(self.kw(i, "DENY"))? {
            (r, PrivilegeVerb::Deny)
        } else {
            let (r, _) = self.kw(i, "REVOKE")?;
            if let Some((r2, _)) = attempt(self.kw(r, "GRANT"))? {
                (r2, PrivilegeVerb::Revoke(Some(false)))
            } else if let Some((r2, _)) = attempt(self.kw(r, "DENY"))? {
                (r2, PrivilegeVerb::Revoke(Some(true)))
            } else {
                (r, PrivilegeVerb::Revoke(None))
            }
        };
        let (r, action) = self.privilege_action(r)?;
        let takes_keys = matches!(
            action,
            PrivilegeAction::Read
                | PrivilegeAction::Match
                | PrivilegeAction::SetProperty
                | PrivilegeAction::Merge
        );
        let (r, keys) = if takes_keys {
            self.privilege_keys(r)?
        } else {
            (r, None)
        };
        let label_action = matches!(
            action,
            PrivilegeAction::SetLabel | PrivilegeAction::RemoveLabel
        );
        let (r, label_names) = if label_action {
            self.name_list(r, "a label or '*'")?
        } else {
            (r, None)
        };
        let (r, _) = self.kw(r, "ON")?;
        let (r, _) = self.graph_scope(r)?;
        let (r, (kind, names, mut condition)) = if label_action {
            (r, (ElementKind::Nodes, label_names, None))
        } else {
            self.segment(r)?
        };
        let r = if condition.is_none() && kind == ElementKind::Nodes && !label_action {
            match attempt(self.kw(r, "WHERE"))? {
                Some((r2, _)) => {
                    let (r2, e) = self.expr(r2)?;
                    condition = Some((None, e));
                    r2
                }
                None => r,
            }
        } else {
            r
        };
        let to = match verb {
            PrivilegeVerb::Revoke(_) => "FROM",
            _ => "TO",
        };
        let (r, _) = self.kw(r, to)?;
        let (r, roles) = self.ident_list(r, "a role name")?;
        let span = self.span(start, r);
        Ok((
            r,
            AccessCommand::Privilege(Box::new(PrivilegeCommand {
                verb,
                action,
                keys,
                kind,
                names,
                condition,
                roles,
                span,
            })),
        ))
    }

    fn privilege_action(&self, i: &'a str) -> R<'a, PrivilegeAction> {
        for (words, action) in [
            (&["TRAVERSE"][..], PrivilegeAction::Traverse),
            (&["READ"][..], PrivilegeAction::Read),
            (&["MATCH"][..], PrivilegeAction::Match),
            (&["CREATE"][..], PrivilegeAction::Create),
            (&["DELETE"][..], PrivilegeAction::Delete),
            (&["SET", "PROPERTY"][..], PrivilegeAction::SetProperty),
            (&["SET", "LABEL"][..], PrivilegeAction::SetLabel),
            (&["REMOVE", "LABEL"][..], PrivilegeAction::RemoveLabel),
            (&["MERGE"][..], PrivilegeAction::Merge),
            (&["WRITE"][..], PrivilegeAction::Write),
            (&["ALL", "GRAPH", "PRIVILEGES"][..], PrivilegeAction::All),
            (&["ALL", "PRIVILEGES"][..], PrivilegeAction::All),
        ] {
            if let Some((r, _)) = attempt(self.kws(i, words))? {
                return Ok((r, action));
            }
        }
        self.fail(self.skip(i), "a privilege (TRAVERSE, READ, MATCH, CREATE, DELETE, SET PROPERTY, SET LABEL, REMOVE LABEL, MERGE, WRITE)")
    }

    /// `{*}` (every key: `None`) or `{a, b}`.
    fn privilege_keys(&self, i: &'a str) -> R<'a, Option<Vec<Ident>>> {
        let (r, _) = self.sym(i, "{", "'{' and property keys")?;
        if let Some((r2, _)) = attempt(self.sym(r, "*", "'*'"))? {
            let (r2, _) = self.sym(r2, "}", "'}'")?;
            return Ok((r2, None));
        }
        let (r, keys) = self.ident_list(r, "a property key")?;
        let (r, _) = self.sym(r, "}", "'}'")?;
        Ok((r, Some(keys)))
    }

    /// `*` (`None`) or `Name, Name, ...`.
    fn name_list(&self, i: &'a str, what: &'static str) -> R<'a, Option<Vec<Ident>>> {
        if let Some((r, _)) = attempt(self.sym(i, "*", what))? {
            return Ok((r, None));
        }
        let (r, names) = self.ident_list(i, what)?;
        Ok((r, Some(names)))
    }

    /// `name [, name ...]`.
    fn ident_list(&self, i: &'a str, what: &'static str) -> R<'a, Vec<Ident>> {
        let mut names = Vec::new();
        let mut r = i;
        loop {
            let (r2, n) = self.ident(r, what)?;
            names.push(n);
            r = r2;
            match attempt(self.sym(r, ",", "','"))? {
                Some((r2, _)) => r = r2,
                None => return Ok((r, names)),
            }
        }
    }

    /// `GRAPH *`, `GRAPHS *`, `GRAPH name` or `HOME GRAPH`: relgraph holds
    /// one graph, which every form names.
    fn graph_scope(&self, i: &'a str) -> R<'a, &'a str> {
        if let Some((r, _)) = attempt(self.kws(i, &["HOME", "GRAPH"]))? {
            return Ok((r, r));
        }
        let (r, _) = match attempt(self.kw(i, "GRAPHS"))? {
            Some(x) => x,
            None => self.kw(i, "GRAPH")?,
        };
        let (r, _) = match attempt(self.sym(r, "*", "'*'"))? {
            Some(x) => x,
            None => {
                let (r, n) = self.ident(r, "'*' or a graph name")?;
                (r, n.span)
            }
        };
        Ok((r, r))
    }

    /// The segment after `ON GRAPH *`: `NODES ...`, `RELATIONSHIPS ...`,
    /// `ELEMENTS ...`, `FOR (v[:Label]) WHERE cond`, or nothing (every
    /// element).
    #[allow(clippy::type_complexity)]
    fn segment(
        &self,
        i: &'a str,
    ) -> R<
        'a,
        (
            ElementKind,
            Option<Vec<Ident>>,
            Option<(Option<Ident>, crate::ast::Expr)>,
        ),
    > {
        for (words, kind) in [
            ("NODES", ElementKind::Nodes),
            ("NODE", ElementKind::Nodes),
            ("RELATIONSHIPS", ElementKind::Relationships),
            ("RELATIONSHIP", ElementKind::Relationships),
            ("ELEMENTS", ElementKind::Elements),
            ("ELEMENT", ElementKind::Elements),
        ] {
            if let Some((r, _)) = attempt(self.kw(i, words))? {
                let what = match kind {
                    ElementKind::Nodes => "a label or '*'",
                    ElementKind::Relationships => "a relationship type or '*'",
                    ElementKind::Elements => "a label, a type or '*'",
                };
                let (r, names) = self.name_list(r, what)?;
                return Ok((r, (kind, names, None)));
            }
        }
        if let Some((r, _)) = attempt(self.kw(i, "FOR"))? {
            let (r, _) = self.sym(r, "(", "'('")?;
            let (r, var) = self.variable(r)?;
            let (r, label) = match attempt(self.sym(r, ":", "':'"))? {
                Some((r2, _)) => {
                    let (r2, l) = self.ident(r2, "a label")?;
                    (r2, Some(vec![l]))
                }
                None => (r, None),
            };
            let (r, _) = self.sym(r, ")", "')'")?;
            let (r, _) = self.kw(r, "WHERE")?;
            let (r, e) = self.expr(r)?;
            return Ok((r, (ElementKind::Nodes, label, Some((Some(var), e)))));
        }
        Ok((i, (ElementKind::Elements, None, None)))
    }
}
