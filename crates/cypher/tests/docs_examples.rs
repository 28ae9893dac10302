//! Every example statement in docs/query-language.md parses.

use std::path::Path;

const STARTS: &[&str] = &[
    "MATCH ",
    "OPTIONAL ",
    "RETURN ",
    "WITH ",
    "UNWIND ",
    "CREATE ",
    "MERGE ",
    "SET ",
    "REMOVE ",
    "DELETE ",
    "DETACH ",
    "CALL ",
    "EXPLAIN ",
    "PROFILE ",
    "DROP ",
    "SHOW ",
];

#[test]
fn documented_examples_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/query-language.md");
    let Ok(doc) = std::fs::read_to_string(&path) else {
        println!("skipping: {} is absent", path.display());
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    // Table rows hold the examples; prose also shows invalid queries.
    for line in doc.lines().filter(|l| l.starts_with('|')) {
        // Inline code spans; `\|` is a table-escaped `|`.
        for (k, span) in line.split('`').enumerate() {
            if k % 2 == 0 {
                continue;
            }
            let query = span.replace("\\|", "|");
            // `[IF EXISTS]` and `[name]` mark optional syntax, not queries.
            let keywords_only = query.chars().all(|c| c.is_ascii_uppercase() || c == ' ');
            if !STARTS.iter().any(|s| query.starts_with(s))
                || keywords_only
                || query.contains("...")
                || query.contains("[IF")
                || query.contains("[name]")
            {
                continue;
            }
            checked += 1;
            if let Err(e) = relgraph_cypher::parse(&query) {
                failures.push(e.render(&query));
            }
        }
    }
    assert!(checked > 40, "only {checked} examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
