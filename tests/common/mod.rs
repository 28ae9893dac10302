//! Helpers shared by the integration tests that compare answers.

use relgraph::ResultValue;

/// Rows as JSON strings, sorted: a multiset that compares with `==`.
pub fn sorted_rows(rows: &[Vec<ResultValue>]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| serde_json::to_string(r).expect("rows serialize"))
        .collect();
    out.sort();
    out
}
