//! Binding `CALL`: resolve the procedure, check the arguments against its
//! signature (types of constant arguments and keys of constant
//! configuration maps at compile time, everything again at run time), bind
//! the yielded columns, and plan the call as one streaming operator.

use std::collections::BTreeMap;
use std::sync::Arc;

use relgraph_cypher::ast::{Call, Expr, ExprKind, Span};
use relgraph_graph::Value;

use super::{procedures, ProcType, Procedure};
use crate::compile::expr::AggMode;
use crate::compile::scope::{Scope, VarKind};
use crate::compile::Compiler;
use crate::error::{ExecError, Result};
use crate::plan::{CExpr, Op, ProcedureCall};

/// What is wrong with an argument value: TCK detail code and message.
pub(crate) type ArgProblem = (&'static str, String);

/// Checks argument `i` of `p` (null means the default) and returns the
/// value to call with.
pub(crate) fn check_arg(
    p: &Procedure,
    i: usize,
    v: Value,
) -> std::result::Result<Value, ArgProblem> {
    let a = &p.args[i];
    let v = match (v, a.default.value()) {
        (Value::Null, Some(d)) => d,
        (v, _) => v,
    };
    if !a.ty.accepts(&v) {
        return Err((
            "InvalidArgumentType",
            format!(
                "argument `{}` of {} must be {}, got {}; signature: {}",
                a.name,
                p.name,
                a.ty,
                v.type_name(),
                p.signature()
            ),
        ));
    }
    if a.name == "config" {
        if let Value::Map(m) = &v {
            check_config(p, m)?;
        }
    }
    Ok(v)
}

/// Checks the keys and value types of a configuration map.
pub(crate) fn check_config(
    p: &Procedure,
    map: &BTreeMap<Arc<str>, Value>,
) -> std::result::Result<(), ArgProblem> {
    for (k, v) in map {
        let Some(key) = p.config.iter().find(|c| *c.name == **k) else {
            let known: Vec<&str> = p.config.iter().map(|c| c.name).collect();
            return Err((
                "InvalidArgumentValue",
                format!(
                    "unknown configuration key `{k}` for {}; it accepts: {}",
                    p.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        if !v.is_null() && !key.ty.accepts(v) {
            return Err((
                "InvalidArgumentType",
                format!(
                    "configuration key `{k}` of {} must be {}, got {}",
                    p.name,
                    key.ty,
                    v.type_name()
                ),
            ));
        }
    }
    if p.name.starts_with("algo.") {
        super::algo::AlgoConfig::parse(map)?;
    }
    Ok(())
}

/// A hint naming procedures close to an unknown name.
fn suggestion(name: &str) -> String {
    let lower = name.to_lowercase();
    let last = lower.rsplit('.').next().unwrap_or_default();
    let close: Vec<&str> = procedures()
        .iter()
        .map(|p| p.name)
        .filter(|n| {
            let l = n.to_lowercase();
            l == lower || l.rsplit('.').next() == Some(last)
        })
        .collect();
    match close.as_slice() {
        [] => "; dbms.procedures() lists the procedures".to_string(),
        some => format!("; did you mean {}?", some.join(" or ")),
    }
}

impl Compiler<'_> {
    /// Plans `CALL`. A standalone call (the whole query) without YIELD, or
    /// with `YIELD *`, yields every output column. Returns the yielded
    /// (column, slot) pairs.
    pub(crate) fn call(
        &mut self,
        c: &Call,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
        standalone: bool,
    ) -> Result<Vec<(String, usize)>> {
        let name: Vec<&str> = c.procedure.iter().map(|i| i.name.as_str()).collect();
        let name = name.join(".");
        let name_span = match (c.procedure.first(), c.procedure.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => c.span,
        };
        let Some(index) = procedures().iter().position(|p| p.name == name) else {
            return Err(ExecError::semantic(
                "ProcedureNotFound",
                format!("unknown procedure `{name}`{}", suggestion(&name)),
                Some(name_span),
            ));
        };
        let p = &procedures()[index];
        let args = self.call_args(p, c, scope, standalone, name_span)?;
        let mut yields = Vec::new();
        let mut out = Vec::new();
        let all = c.yield_star || (standalone && c.yields.is_empty());
        if c.yields.is_empty() && !all && !p.outputs.is_empty() {
            return Err(ExecError::semantic(
                "InvalidClauseComposition",
                format!(
                    "a CALL inside a query must name the columns it uses with YIELD; {} yields {}",
                    p.name,
                    output_names(p)
                ),
                Some(c.span),
            ));
        }
        let wanted: Vec<(usize, &str, Span)> = if all {
            (0..p.outputs.len())
                .map(|i| (i, p.outputs[i].name, name_span))
                .collect()
        } else {
            let mut w = Vec::new();
            for (field, alias) in &c.yields {
                let Some(i) = p.outputs.iter().position(|o| o.name == field.name) else {
                    return Err(ExecError::semantic(
                        "UndefinedVariable",
                        format!(
                            "{} has no output `{}`; it yields {}",
                            p.name,
                            field.name,
                            output_names(p)
                        ),
                        Some(field.span),
                    ));
                };
                let bound = alias.as_ref().unwrap_or(field);
                w.push((i, bound.name.as_str(), bound.span));
            }
            w
        };
        for (i, var, span) in wanted {
            let slot = self.alloc();
            let kind = match p.outputs[i].ty {
                ProcType::Node => VarKind::Node,
                ProcType::Path => VarKind::Path,
                _ => VarKind::Value,
            };
            scope.bind(var, slot, kind, span)?;
            yields.push((i, slot));
            out.push((var.to_string(), slot));
        }
        ops.push(Op::Procedure(Box::new(ProcedureCall {
            index,
            name: p.name,
            args,
            yields,
        })));
        if let Some(w) = &c.where_ {
            let pred = self.expr(w, scope, &mut AggMode::Forbidden("WHERE"))?;
            ops.push(Op::Filter(pred, None));
        }
        Ok(out)
    }

    /// One compiled expression per argument of `p`.
    fn call_args(
        &mut self,
        p: &'static Procedure,
        c: &Call,
        scope: &Scope,
        standalone: bool,
        name_span: Span,
    ) -> Result<Vec<CExpr>> {
        let given: Vec<Expr> = match &c.args {
            Some(a) => a.clone(),
            None if standalone => {
                // Implicit arguments: parameters named after the arguments.
                let mut v = Vec::new();
                for a in p.args {
                    if !self.params.contains_key(a.name) {
                        if a.default.value().is_some() {
                            break;
                        }
                        return Err(ExecError::semantic(
                            "MissingParameter",
                            format!(
                                "{} called without arguments reads them from parameters, \
                                 but ${} is missing; signature: {}",
                                p.name,
                                a.name,
                                p.signature()
                            ),
                            Some(name_span),
                        ));
                    }
                    v.push(Expr {
                        kind: ExprKind::Parameter(a.name.to_string()),
                        span: name_span,
                    });
                }
                v
            }
            None => {
                return Err(ExecError::semantic(
                    "InvalidArgumentPassingMode",
                    format!(
                        "a CALL inside a query needs its arguments in parentheses; signature: {}",
                        p.signature()
                    ),
                    Some(c.span),
                ))
            }
        };
        if given.len() < p.required() || given.len() > p.args.len() {
            let want = if p.required() == p.args.len() {
                format!("{}", p.args.len())
            } else {
                format!("{} to {}", p.required(), p.args.len())
            };
            return Err(ExecError::semantic(
                "InvalidNumberOfArguments",
                format!(
                    "{} takes {want} arguments, got {}; signature: {}",
                    p.name,
                    given.len(),
                    p.signature()
                ),
                Some(c.span),
            ));
        }
        let mut args = Vec::with_capacity(p.args.len());
        for (i, e) in given.iter().enumerate() {
            let compiled = self.expr(e, scope, &mut AggMode::Forbidden("procedure arguments"))?;
            let compiled = match compiled {
                CExpr::Const(v) => CExpr::Const(
                    check_arg(p, i, v)
                        .map_err(|(detail, m)| ExecError::semantic(detail, m, Some(e.span)))?,
                ),
                other => other,
            };
            args.push(compiled);
        }
        for a in &p.args[given.len()..] {
            args.push(CExpr::Const(a.default.value().unwrap_or(Value::Null)));
        }
        Ok(args)
    }
}

fn output_names(p: &Procedure) -> String {
    p.outputs
        .iter()
        .map(|o| o.name)
        .collect::<Vec<_>>()
        .join(", ")
}
