//! The executor's error type.
//!
//! CONTRACT (shared by the binder/planner/operators and the functions
//! module; add variants freely, do not remove).

use relgraph_cypher::ast::Span;
use relgraph_graph::GraphError;

/// An error from binding, planning or running a query: what went wrong
/// ([`ErrorKind`]), boxed, so that the `Result` every expression and
/// operator returns is no larger than its value (`Result<bool>` is two
/// registers; with the kind in place it was 104 bytes written to and read
/// back from memory on every row).
///
/// ```
/// use relgraph_exec::error::{ErrorKind, ExecError};
/// let e = ExecError::type_error("InvalidArgumentType", "expected a string");
/// assert_eq!(e.tck_kind(), "TypeError");
/// assert!(matches!(e.kind(), ErrorKind::Type { .. }));
/// assert_eq!(std::mem::size_of::<relgraph_exec::error::Result<bool>>(), 16);
/// ```
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ExecError(Box<ErrorKind>);

/// What went wrong in a query ([`ExecError::kind`]).
///
/// ```
/// use relgraph_exec::error::{ErrorKind, ExecError};
/// let e = ExecError::from(ErrorKind::Limit("too many rows".into()));
/// assert_eq!(e.to_string(), "query limit exceeded: too many rows");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A compile-time semantic error (unknown variable, misplaced aggregate, ...).
    #[error("{message}")]
    Semantic {
        /// What is wrong.
        message: String,
        /// Where, if known.
        span: Option<Span>,
        /// TCK detail code, e.g. `UndefinedVariable`.
        detail: &'static str,
    },
    /// A runtime type error (`1 + 'a'` when not allowed, `labels(1)`).
    #[error("type error: {message}")]
    Type {
        /// What is wrong.
        message: String,
        /// TCK detail code, e.g. `InvalidArgumentType`.
        detail: &'static str,
        /// The expression in the query text that failed, once evaluation
        /// knows it (see [`ExecError::at`]).
        span: Option<Span>,
    },
    /// A runtime argument error (`range(1, 2, 0)`, bad temporal string).
    #[error("argument error: {message}")]
    Argument {
        /// What is wrong.
        message: String,
        /// TCK detail code, e.g. `NumberOutOfRange`.
        detail: &'static str,
        /// The expression in the query text that failed, once evaluation
        /// knows it (see [`ExecError::at`]).
        span: Option<Span>,
    },
    /// A feature outside the supported subset.
    #[error("not supported: {feature}")]
    Unsupported {
        /// What is unsupported.
        feature: String,
        /// Where, if known.
        span: Option<Span>,
    },
    /// A storage or validation error from the graph layer.
    #[error(transparent)]
    Graph(GraphError),
    /// A query limit was hit.
    #[error("query limit exceeded: {0}")]
    Limit(String),
    /// The query was cancelled.
    #[error("query cancelled")]
    Cancelled,
    /// A query that cannot be registered as a standing query: a write,
    /// ORDER BY, SKIP, LIMIT, EXPLAIN/PROFILE or a schema command.
    #[error("cannot register a standing query with {clause}: {reason}")]
    NotStanding {
        /// The clause refused, e.g. `ORDER BY`.
        clause: &'static str,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The statement's role may not do what it asked (a write privilege
    /// it lacks, a policy statement, an unknown role). Names only what the
    /// role may see.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// A standing-query registry operation failed (duplicate or unknown
    /// name, no registry, storage).
    #[error("{0}")]
    Standing(String),
    /// `db.erase` could not run or failed (no database to erase through,
    /// an explicit transaction, storage, readers holding older versions).
    #[error("erasure failed: {0}")]
    Erasure(String),
    /// An invariant of the engine did not hold: a bug, reported instead
    /// of a panic. The statement changed nothing.
    #[error("internal error (a bug in relgraph): {0}")]
    Internal(String),
}

impl From<ErrorKind> for ExecError {
    fn from(kind: ErrorKind) -> ExecError {
        ExecError(Box::new(kind))
    }
}

impl From<GraphError> for ExecError {
    fn from(e: GraphError) -> ExecError {
        ErrorKind::Graph(e).into()
    }
}

impl ExecError {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// What went wrong, by value.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// A runtime type error with a TCK detail code.
    pub fn type_error(detail: &'static str, message: impl Into<String>) -> ExecError {
        ErrorKind::Type {
            message: message.into(),
            detail,
            span: None,
        }
        .into()
    }

    /// A runtime argument error with a TCK detail code.
    pub fn argument(detail: &'static str, message: impl Into<String>) -> ExecError {
        ErrorKind::Argument {
            message: message.into(),
            detail,
            span: None,
        }
        .into()
    }

    /// A compile-time semantic error with a TCK detail code.
    pub fn semantic(
        detail: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
    ) -> ExecError {
        ErrorKind::Semantic {
            message: message.into(),
            span,
            detail,
        }
        .into()
    }

    /// A feature outside the supported subset.
    pub fn unsupported(feature: impl Into<String>, span: Option<Span>) -> ExecError {
        ErrorKind::Unsupported {
            feature: feature.into(),
            span,
        }
        .into()
    }

    /// A query limit that was hit ([`ErrorKind::Limit`]).
    pub fn limit(message: impl Into<String>) -> ExecError {
        ErrorKind::Limit(message.into()).into()
    }

    /// A broken invariant of the engine ([`ErrorKind::Internal`]).
    pub fn internal(message: impl Into<String>) -> ExecError {
        ErrorKind::Internal(message.into()).into()
    }

    /// A cancelled query ([`ErrorKind::Cancelled`]).
    pub fn cancelled() -> ExecError {
        ErrorKind::Cancelled.into()
    }

    /// Points a runtime type or argument error at the expression that
    /// failed, unless it already points somewhere: the innermost expression
    /// that knows its place in the query text wins. Other errors are
    /// returned unchanged.
    ///
    /// ```
    /// use relgraph_cypher::ast::Span;
    /// use relgraph_exec::error::ExecError;
    /// let e = ExecError::argument("DivisionByZero", "/ by zero")
    ///     .at(Span::new(7, 10))
    ///     .at(Span::new(0, 20));
    /// assert_eq!(e.span(), Some(Span::new(7, 10)));
    /// ```
    pub fn at(mut self, at: Span) -> ExecError {
        if let ErrorKind::Type { span, .. } | ErrorKind::Argument { span, .. } = &mut *self.0 {
            if span.is_none() && at.end > at.start {
                *span = Some(at);
            }
        }
        self
    }

    /// Where in the query text the error is, if known.
    ///
    /// ```
    /// use relgraph_exec::error::ExecError;
    /// assert_eq!(ExecError::type_error("InvalidArgumentType", "no").span(), None);
    /// ```
    pub fn span(&self) -> Option<Span> {
        match self.kind() {
            ErrorKind::Semantic { span, .. }
            | ErrorKind::Unsupported { span, .. }
            | ErrorKind::Type { span, .. }
            | ErrorKind::Argument { span, .. } => *span,
            _ => None,
        }
    }

    /// The openCypher TCK error type this error corresponds to.
    pub fn tck_kind(&self) -> &'static str {
        match self.kind() {
            ErrorKind::Semantic { .. } => "SyntaxError",
            ErrorKind::Type { .. } => "TypeError",
            ErrorKind::Argument { .. } => "ArgumentError",
            ErrorKind::Unsupported { .. } => "SyntaxError",
            ErrorKind::Graph(GraphError::ConstraintViolation { .. }) => {
                "ConstraintValidationFailed"
            }
            ErrorKind::Graph(GraphError::NodeHasRelationships(_)) => "ConstraintVerificationFailed",
            ErrorKind::Graph(_) => "DatabaseError",
            ErrorKind::Limit(_) | ErrorKind::Cancelled => "DatabaseError",
            ErrorKind::NotStanding { .. } | ErrorKind::Standing(_) => "ArgumentError",
            ErrorKind::PermissionDenied(_) => "SecurityError",
            ErrorKind::Erasure(_) | ErrorKind::Internal(_) => "DatabaseError",
        }
    }
}

/// The executor's result type.
pub type Result<T, E = ExecError> = std::result::Result<T, E>;
