//! The executor's error type.
//!
//! CONTRACT (shared by the binder/planner/operators and the functions
//! module; add variants freely, do not remove).

use relgraph_cypher::ast::Span;
use relgraph_graph::GraphError;

/// Errors from binding, planning and running a query.
///
/// ```
/// use relgraph_exec::error::ExecError;
/// let e = ExecError::type_error("InvalidArgumentType", "expected a string");
/// assert_eq!(e.tck_kind(), "TypeError");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
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
    Graph(#[from] GraphError),
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

impl ExecError {
    /// A runtime type error with a TCK detail code.
    pub fn type_error(detail: &'static str, message: impl Into<String>) -> ExecError {
        ExecError::Type {
            message: message.into(),
            detail,
            span: None,
        }
    }

    /// A runtime argument error with a TCK detail code.
    pub fn argument(detail: &'static str, message: impl Into<String>) -> ExecError {
        ExecError::Argument {
            message: message.into(),
            detail,
            span: None,
        }
    }

    /// A compile-time semantic error with a TCK detail code.
    pub fn semantic(
        detail: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
    ) -> ExecError {
        ExecError::Semantic {
            message: message.into(),
            span,
            detail,
        }
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
        if let ExecError::Type { span, .. } | ExecError::Argument { span, .. } = &mut self {
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
        match self {
            ExecError::Semantic { span, .. }
            | ExecError::Unsupported { span, .. }
            | ExecError::Type { span, .. }
            | ExecError::Argument { span, .. } => *span,
            _ => None,
        }
    }

    /// The openCypher TCK error type this error corresponds to.
    pub fn tck_kind(&self) -> &'static str {
        match self {
            ExecError::Semantic { .. } => "SyntaxError",
            ExecError::Type { .. } => "TypeError",
            ExecError::Argument { .. } => "ArgumentError",
            ExecError::Unsupported { .. } => "SyntaxError",
            ExecError::Graph(GraphError::ConstraintViolation { .. }) => {
                "ConstraintValidationFailed"
            }
            ExecError::Graph(GraphError::NodeHasRelationships(_)) => "ConstraintVerificationFailed",
            ExecError::Graph(_) => "DatabaseError",
            ExecError::Limit(_) | ExecError::Cancelled => "DatabaseError",
            ExecError::NotStanding { .. } | ExecError::Standing(_) => "ArgumentError",
            ExecError::PermissionDenied(_) => "SecurityError",
            ExecError::Erasure(_) | ExecError::Internal(_) => "DatabaseError",
        }
    }
}

/// The executor's result type.
pub type Result<T, E = ExecError> = std::result::Result<T, E>;
