//! The openCypher TCK runner for relgraph.
//!
//! - [`features`]: loads the feature files (gherkin 0.16 with a backslash
//!   pre-pass), expands Scenario Outlines and Background steps;
//! - [`steps`]: recognizes the TCK's step forms;
//! - [`value`]: parses values as the TCK writes them;
//! - [`compare`]: compares engine results with expectations;
//! - [`state`]: side effects as graph differences;
//! - [`unsupported`]: the skip list (`crates/tck/unsupported.txt`);
//! - [`runner`]: runs one scenario against an [`runner::Engine`];
//! - [`pool`]: runs scenarios in worker processes with a timeout;
//! - [`report`]: `docs/conformance.md` and the baseline file.
//!
//! ```
//! let sc = relgraph_tck::features::parse_feature(
//!     "Feature: F\n  Scenario: s\n    Given any graph\n    When executing query:\n      \"\"\"\n      RETURN 1\n      \"\"\"\n",
//!     "F.feature").unwrap();
//! assert_eq!(sc[0].queries().collect::<Vec<_>>(), vec!["RETURN 1"]);
//! ```

#![warn(missing_docs)]

use std::path::PathBuf;

pub mod compare;
pub mod features;
pub mod pool;
pub mod report;
pub mod runner;
pub mod state;
pub mod steps;
pub mod temporal;
pub mod unsupported;
pub mod value;

/// Errors of the runner itself (not of the engine under test).
#[derive(Debug, thiserror::Error)]
pub enum TckError {
    /// A feature file does not parse.
    #[error("{path}: {message}")]
    Parse {
        /// The feature file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A TCK value does not parse.
    #[error("cannot parse TCK value `{text}`: {message}")]
    Value {
        /// The text.
        text: String,
        /// What went wrong.
        message: String,
    },
    /// The unsupported-features list is malformed.
    #[error("unsupported.txt line {line}: {message}")]
    Rules {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A worker process failed to start or talk.
    #[error("worker: {0}")]
    Worker(String),
}
