//! Variable scopes of the binder.

use relgraph_cypher::ast::Span;

use crate::error::{ExecError, Result};

/// What a variable holds, as far as the binder knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarKind {
    Node,
    Rel,
    /// The relationships of a variable-length pattern.
    RelList,
    Path,
    /// Anything else (or not known until run time).
    Value,
}

impl VarKind {
    pub fn name(self) -> &'static str {
        match self {
            VarKind::Node => "Node",
            VarKind::Rel => "Relationship",
            VarKind::RelList => "List<Relationship>",
            VarKind::Path => "Path",
            VarKind::Value => "Any",
        }
    }
}

/// A bound variable.
#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub name: String,
    pub slot: usize,
    pub kind: VarKind,
    /// Hidden variables (anonymous pattern elements) are not visible to `*`.
    pub hidden: bool,
}

/// The variables visible at one point of a query, plus the locals of
/// enclosing comprehensions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    vars: Vec<Var>,
    /// Comprehension / quantifier variables: name and local index.
    locals: Vec<(String, usize)>,
}

impl Scope {
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name && !v.hidden)
    }

    pub fn local(&self, name: &str) -> Option<usize> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    pub fn locals_depth(&self) -> usize {
        self.locals.len()
    }

    /// A scope with one more local.
    pub fn with_local(&self, name: &str) -> (Scope, usize) {
        let mut s = self.clone();
        let idx = s.locals.len();
        s.locals.push((name.to_string(), idx));
        (s, idx)
    }

    /// Binds a new visible variable; errors when the name is taken.
    pub fn bind(&mut self, name: &str, slot: usize, kind: VarKind, span: Span) -> Result<()> {
        if self.get(name).is_some() {
            return Err(ExecError::semantic(
                "VariableAlreadyBound",
                format!("variable `{name}` is already declared"),
                Some(span),
            ));
        }
        self.vars.push(Var {
            name: name.to_string(),
            slot,
            kind,
            hidden: false,
        });
        Ok(())
    }

    /// Binds or rebinds (used when projecting into a fresh scope).
    pub fn set(&mut self, name: &str, slot: usize, kind: VarKind) {
        self.vars.retain(|v| v.name != name);
        self.vars.push(Var {
            name: name.to_string(),
            slot,
            kind,
            hidden: false,
        });
    }

    /// Visible variables sorted by name (what `RETURN *` returns).
    pub fn visible_sorted(&self) -> Vec<Var> {
        let mut out: Vec<Var> = Vec::new();
        for v in self.vars.iter().rev() {
            if !v.hidden && !out.iter().any(|o| o.name == v.name) {
                out.push(v.clone());
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// All slots of visible variables.
    pub fn slots(&self) -> Vec<usize> {
        self.vars
            .iter()
            .filter(|v| !v.hidden)
            .map(|v| v.slot)
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.iter().all(|v| v.hidden)
    }
}
