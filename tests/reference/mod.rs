//! A naive reference evaluator for a small Cypher subset, and proptest
//! generators of random small graphs and random queries in that subset.
//!
//! The evaluator is deliberately simple: it enumerates every assignment of
//! pattern variables by looping over all relationships of the graph, applies
//! openCypher's relationship uniqueness within a MATCH, evaluates WHERE with
//! three-valued logic and groups with plain maps. It is the oracle the
//! engine's results are compared against (as multisets of rows).

pub mod eval;
pub mod graph;
pub mod query;
