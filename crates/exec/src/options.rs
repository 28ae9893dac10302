//! Limits and options for one query, and the guard that enforces them while
//! the query runs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, ExecError, Result};

/// Per-query limits and settings. A database holds defaults; a query may
/// override them.
///
/// ```
/// use relgraph_exec::QueryOptions;
/// use std::time::Duration;
/// let opts = QueryOptions { timeout: Some(Duration::from_secs(5)), ..QueryOptions::default() };
/// assert_eq!(opts.max_var_length, u32::MAX); // no hidden bound
/// ```
#[derive(Clone, Debug)]
pub struct QueryOptions {
    /// Wall-clock time a query may run; `None` for no limit.
    pub timeout: Option<Duration>,
    /// Maximum number of result rows; `None` for no limit.
    pub max_rows: Option<u64>,
    /// Approximate memory budget in bytes for materialized rows and values.
    pub memory_budget: Option<u64>,
    /// Upper bound of a variable-length relationship pattern written without
    /// one (`*`, `*2..`). The default, `u32::MAX`, is no bound: such a
    /// pattern matches paths of any length, and the timeout, memory budget
    /// and cancellation stop a search that runs too long. When set lower, a
    /// match that would extend past it is a [`crate::error::ErrorKind::Limit`]
    /// naming the bound, never a silently shortened answer. Shortest-path
    /// searches (`shortestPath`, `allShortestPaths`) ignore it: they have no
    /// depth bound.
    pub max_var_length: u32,
    /// Set to true from another thread to cancel the query.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Longest query text accepted, in bytes (default 1 MiB). Parsing and
    /// planning run before the other limits apply and take memory in
    /// proportion to the text, so longer text is refused up front; large
    /// data belongs in parameters.
    pub max_query_bytes: usize,
    /// The database's standing-query registry, for the `db.standing.*`
    /// procedures; `relgraph::Database` sets it on every query.
    pub standing: Option<crate::hosts::StandingHandle>,
    /// The role the statement runs as (docs/access.md): it sees and
    /// writes only what the role's privileges allow. `None`, the default,
    /// is the administrator, who sees everything and alone may run role,
    /// privilege and schema commands.
    pub role: Option<String>,
    /// What `db.erase` erases through; `relgraph::Database` sets it on
    /// statements outside explicit transactions.
    pub erasure: Option<crate::hosts::ErasureHandle>,
}

impl Default for QueryOptions {
    fn default() -> Self {
        QueryOptions {
            timeout: None,
            max_rows: None,
            memory_budget: Some(4 << 30),
            max_var_length: u32::MAX,
            cancel: None,
            max_query_bytes: 1 << 20,
            standing: None,
            role: None,
            erasure: None,
        }
    }
}

/// Most relationships one pattern (all comma-separated parts of one MATCH,
/// OPTIONAL MATCH or MERGE, or one pattern expression) may have. Every
/// relationship becomes an operator that the executor runs recursively, so
/// a longer pattern is refused with [`crate::error::ErrorKind::Limit`]
/// naming this limit instead of risking the stack.
pub const MAX_PATTERN_LENGTH: usize = 256;

/// Most stack the executor may use below the frame where a task (or a
/// sub-plan evaluated outside a task) started. Operators push rows to the
/// next operator recursively, so a pipeline that would use more stops with
/// [`crate::error::ErrorKind::Limit`] instead of overflowing the stack: safe
/// on any thread with Rust's default 2 MiB of stack. (Release builds use
/// about 2.5 KiB per operator, debug builds several times that.)
pub const EXEC_STACK_BUDGET: usize = 1024 * 1024;

/// Most levels of lists and maps inside one another that a value built by
/// a query may have. Values are cloned, compared, dropped and printed
/// recursively; `reduce` is the one way to nest without bound
/// (`reduce(l = [], i IN range(1, 100000) | [l])`), and a deeper value is
/// refused there with [`crate::error::ErrorKind::Limit`].
pub const MAX_VALUE_DEPTH: usize = 256;

/// The error for query text longer than `QueryOptions::max_query_bytes`.
pub fn query_too_long(len: usize, max: usize) -> crate::error::ExecError {
    crate::error::ExecError::limit(format!(
        "the query text is {len} bytes, more than the maximum of {max} \
         (QueryOptions::max_query_bytes); pass large data as parameters"
    ))
}

/// Bytes charged per materialized value (a 32-byte `Value` plus typical
/// heap use).
pub(crate) const VALUE_BYTES: u64 = 48;

/// Fewer rows than this are processed on the calling thread: a parallel
/// pass hands work to the pool and waits for it (tens of microseconds).
pub(crate) const PAR_MIN_ROWS: usize = 1024;

/// Enforces [`QueryOptions`] while a query runs. Shared by worker threads.
pub(crate) struct Guard {
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    cancel: Option<Arc<AtomicBool>>,
    memory_budget: Option<u64>,
    /// Bytes charged by operators that hold rows (sorts, aggregates, results).
    charged: AtomicU64,
    /// Bytes of rows that running segments are collecting right now
    /// (released when the collecting sink is dropped).
    in_flight: AtomicU64,
    /// Set once a limit tripped so other workers stop quickly.
    tripped: AtomicBool,
    /// The first limit's message (`None`: cancelled).
    reason: OnceLock<Option<String>>,
    pub max_rows: Option<u64>,
    /// The registry the `db.standing.*` procedures act on.
    standing: Option<crate::hosts::StandingHandle>,
    /// What `db.erase` erases through.
    erasure: Option<crate::hosts::ErasureHandle>,
    /// The snapshot whose damaged segment reads stop the query, and the
    /// count when it started (see [`Guard::watching`]).
    damage: Option<(relgraph_graph::Snapshot, relgraph_graph::DamageMark)>,
}

impl Guard {
    /// Also stops the query, at its next check, once it (or a statement
    /// running beside it) has read a damaged segment array of `snapshot`:
    /// such an array reads as empty, so there is no point going on.
    pub fn watching(mut self, snapshot: &relgraph_graph::Snapshot) -> Guard {
        self.damage = Some((snapshot.clone(), snapshot.damage_mark()));
        self
    }

    pub fn new(options: &QueryOptions) -> Guard {
        Guard {
            deadline: options.timeout.map(|t| Instant::now() + t),
            timeout: options.timeout,
            cancel: options.cancel.clone(),
            memory_budget: options.memory_budget,
            charged: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            tripped: AtomicBool::new(false),
            reason: OnceLock::new(),
            max_rows: options.max_rows,
            standing: options.standing.clone(),
            erasure: options.erasure.clone(),
            damage: None,
        }
    }

    /// What `db.erase` erases through, if the query may erase.
    pub fn erasure(&self) -> Option<&crate::hosts::ErasureHandle> {
        self.erasure.as_ref()
    }

    /// The standing-query registry of the database running the query.
    pub fn standing(&self) -> Option<&crate::hosts::StandingHandle> {
        self.standing.as_ref()
    }

    /// Records the first limit hit, so the other workers report it too.
    fn trip(&self, e: ExecError) -> ExecError {
        let _ = self.reason.set(match e.kind() {
            ErrorKind::Limit(m) => Some(m.clone()),
            _ => None,
        });
        self.tripped.store(true, Ordering::Relaxed);
        e
    }

    /// Checks the timeout and the cancellation flag.
    pub fn check(&self) -> Result<()> {
        if self.tripped.load(Ordering::Relaxed) {
            // Every part of the query reports the limit that stopped it.
            return Err(match self.reason.get() {
                Some(Some(m)) => ExecError::limit(m.clone()),
                Some(None) => ExecError::cancelled(),
                None => ExecError::limit("query stopped because another part hit a limit"),
            });
        }
        if let Some(c) = &self.cancel {
            if c.load(Ordering::Relaxed) {
                return Err(self.trip(ExecError::cancelled()));
            }
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                let ms = self.timeout.map(|t| t.as_millis()).unwrap_or(0);
                return Err(self.trip(ExecError::limit(format!("query timed out after {ms} ms"))));
            }
        }
        if let Some((snapshot, mark)) = &self.damage {
            snapshot
                .check_damage(*mark)
                .map_err(|e| self.trip(ExecError::from(e)))?;
        }
        Ok(())
    }

    /// Checks that `rows` rows of `width` values fit the memory budget
    /// together with what is already charged.
    pub fn check_rows(&self, rows: usize, width: usize) -> Result<()> {
        self.check()?;
        if let Some(budget) = self.memory_budget {
            let want = (rows as u64)
                .saturating_mul(width.max(1) as u64)
                .saturating_mul(VALUE_BYTES);
            let total = want.saturating_add(self.charged.load(Ordering::Relaxed));
            if total > budget {
                return Err(self.trip(ExecError::limit(format!(
                    "memory budget of {budget} bytes exceeded (about {total} bytes of rows)"
                ))));
            }
        }
        Ok(())
    }

    /// Holds `bytes` of rows being collected, across all worker threads:
    /// fails once they and the charged bytes exceed the memory budget.
    pub fn hold(&self, bytes: u64) -> Result<()> {
        let now = self.in_flight.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(budget) = self.memory_budget {
            let total = now.saturating_add(self.charged.load(Ordering::Relaxed));
            if total > budget {
                return Err(self.trip(ExecError::limit(format!(
                    "memory budget of {budget} bytes exceeded (about {total} bytes of rows)"
                ))));
            }
        }
        Ok(())
    }

    /// Checks the timeout and cancellation, and that a value of about
    /// `bytes` bytes about to be built fits the memory budget together with
    /// the rows charged and held (it is not charged: values live as long as
    /// the row or expression that holds them).
    pub fn check_alloc(&self, bytes: u64) -> Result<()> {
        self.check()?;
        if let Some(budget) = self.memory_budget {
            let total = bytes
                .saturating_add(self.charged.load(Ordering::Relaxed))
                .saturating_add(self.in_flight.load(Ordering::Relaxed));
            if total > budget {
                return Err(self.trip(ExecError::limit(format!(
                    "memory budget of {budget} bytes exceeded (a value of about {bytes} bytes \
                     would not fit)"
                ))));
            }
        }
        Ok(())
    }

    /// Gives back bytes taken by [`Guard::hold`].
    pub fn release(&self, bytes: u64) {
        self.in_flight.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Charges bytes held until the end of the query.
    pub fn charge(&self, bytes: u64) -> Result<()> {
        let now = self.charged.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if let Some(budget) = self.memory_budget {
            if now > budget {
                return Err(self.trip(ExecError::limit(format!(
                    "memory budget of {budget} bytes exceeded"
                ))));
            }
        }
        Ok(())
    }

    /// Checks the result row cap.
    pub fn check_result_rows(&self, rows: usize) -> Result<()> {
        if let Some(max) = self.max_rows {
            if rows as u64 > max {
                return Err(ExecError::limit(format!(
                    "result exceeds the maximum of {max} rows"
                )));
            }
        }
        Ok(())
    }
}
