//! `db.erase(node)`: erase a person (a node, its relationships and every
//! value stored on them) and every copy the database files hold. The
//! executor knows nothing of files: it asks the database's
//! [`ErasureHost`](super::ErasureHost), handed to every query in
//! [`crate::QueryOptions::erasure`] by `relgraph::Database`. Like the
//! `db.standing.*` procedures, an erasure is not part of a surrounding
//! transaction: it is its own durable commit (a rollback does not undo
//! it), so it runs only in a statement outside an explicit transaction.

use relgraph_graph::Value;

use super::{col, ArgDefault, Body, ProcArg, ProcMode, ProcType, Procedure};
use crate::error::{ErrorKind, ExecError};
use crate::eval::Ctx;

pub(super) const ERASE: Procedure = Procedure {
    name: "db.erase",
    args: &[ProcArg {
        name: "node",
        ty: ProcType::Node,
        default: ArgDefault::Required,
    }],
    outputs: &[
        col("nodes", ProcType::Int),
        col("relationships", ProcType::Int),
    ],
    config: &[],
    mode: ProcMode::Write,
    description: "Erases a node: deletes it, its relationships and every value stored on them, \
                  then removes every copy the database files hold (log, old segments, the \
                  key-value store's old versions); returns when that is durable.",
    body: Body::Rows(|ctx: &Ctx<'_>, args, emit| {
        let host = ctx.guard.erasure().ok_or_else(|| -> ExecError {
            ErrorKind::Erasure(
                "db.erase runs in a statement of its own, outside an explicit transaction, \
                 on a database opened through relgraph::Database"
                    .into(),
            )
            .into()
        })?;
        // The signature check refuses anything else (a null too).
        let Value::Node(node) = &args[0] else {
            return Err(ExecError::type_error(
                "InvalidArgumentType",
                "db.erase takes a node",
            ));
        };
        let node = *node;
        let (nodes, rels) = host
            .0
            .erase(node)
            .map_err(|e| ExecError::from(ErrorKind::Erasure(e)))?;
        let int = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        emit(vec![int(nodes), int(rels)]).map(|_| ())
    }),
};
