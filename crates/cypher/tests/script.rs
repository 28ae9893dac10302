//! `parse_script`: several statements separated by `;`.

use relgraph_cypher::parse_script;

#[test]
fn empty_and_blank_scripts_have_no_statements() {
    assert!(parse_script("").unwrap().is_empty());
    assert!(parse_script("  ;; // nothing\n /* here */ ;")
        .unwrap()
        .is_empty());
}

#[test]
fn statements_keep_their_own_text() {
    let script = "CREATE INDEX FOR (p:Person) ON (p.id);\nUNWIND [1, 2] AS i CREATE (:Person {id: i})\n;EXPLAIN MATCH (p:Person) RETURN p";
    let stmts = parse_script(script).unwrap();
    let texts: Vec<&str> = stmts
        .iter()
        .map(|s| &script[s.span.start..s.span.end])
        .collect();
    assert_eq!(
        texts,
        [
            "CREATE INDEX FOR (p:Person) ON (p.id)",
            "UNWIND [1, 2] AS i CREATE (:Person {id: i})",
            "EXPLAIN MATCH (p:Person) RETURN p"
        ]
    );
    // Each text parses alone to the same statement.
    for (stmt, text) in stmts.iter().zip(texts) {
        assert_eq!(
            relgraph_cypher::parse(text).unwrap().to_string(),
            stmt.to_string()
        );
    }
}

#[test]
fn an_error_points_into_the_whole_script() {
    let script = "RETURN 1;\nRETURN (2;\nRETURN 3";
    let err = parse_script(script).unwrap_err();
    assert_eq!((err.line, err.column), (2, 10));
    assert!(err.render(script).contains("RETURN (2;"));
}

#[test]
fn statements_need_separators() {
    let err = parse_script("RETURN 1 RETURN 2").unwrap_err();
    assert_eq!(err.detail, Some("UnexpectedSyntax"));
}
