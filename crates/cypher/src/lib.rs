//! relgraph-cypher: the openCypher parser.
//!
//! Architecture invariant: this crate knows nothing of storage or execution.

#![warn(missing_docs)]

pub mod ast;
