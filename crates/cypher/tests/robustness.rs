//! No input makes the parser panic, overflow its stack or take exponential
//! time; errors always point inside the query.

use proptest::prelude::*;
use relgraph_cypher::parse;

/// Parse on a thread with Rust's default stack (2 MiB), as an
/// embedding application might, and check that the error span is valid.
fn parse_small_stack(query: String) -> Result<String, String> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || check(&query))
        .expect("spawn parser thread")
        .join()
        .expect("parser thread must not panic")
}

fn check(query: &str) -> Result<String, String> {
    match parse(query) {
        Ok(stmt) => Ok(stmt.to_string()),
        Err(e) => {
            assert!(
                e.span.start <= e.span.end && e.span.end <= query.len(),
                "span out of range: {e:?}"
            );
            assert!(
                query.is_char_boundary(e.span.start) && query.is_char_boundary(e.span.end),
                "span splits a char"
            );
            assert!(e.line >= 1 && e.column >= 1);
            let rendered = e.render(query);
            assert!(rendered.contains('^'), "{rendered}");
            Err(e.message)
        }
    }
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!(
        "RETURN {}{inner}{}",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, inner, close) in [
        ("(", "1", ")"),
        ("[", "1", "]"),
        ("{a: ", "1", "}"),
        ("NOT ", "true", ""),
        ("- ", "1", ""),
        ("-", "x", ""),
        ("f(", "1", ")"),
        ("CASE WHEN ", "1", " THEN 1 END"),
        ("[x IN ", "[]", "]"),
        ("x[", "0", "]"),
        ("n{a: ", "1", "}"),
        ("EXISTS { MATCH (n) WHERE ", "true", " }"),
        ("[(a)-->(b) WHERE ", "true", " | 1]"),
        ("(a {x: ", "1", "})"),
    ] {
        let q = nested(open, inner, close, 100_000);
        let err = parse_small_stack(q).expect_err("100k levels must be refused");
        assert!(
            err.contains("nested") || err.contains("complex"),
            "{open}: {err}"
        );
    }
}

#[test]
fn nesting_below_the_limit_parses() {
    // Debug builds use several times the stack of release builds; both
    // allow this much.
    let q = nested("(", "1", ")", 16);
    let printed = parse_small_stack(q).expect("moderate nesting parses");
    assert!(printed.starts_with("RETURN 1"), "{printed}");
    let q = nested("[", "1", "]", 16);
    parse_small_stack(q).expect("moderate list nesting parses");
}

#[test]
fn long_flat_inputs_parse() {
    let list = format!("RETURN [{}1]", "1, ".repeat(50_000));
    assert!(parse_small_stack(list).is_ok());
    let pattern = format!("MATCH (a){} RETURN a", "-[:T]->(b)".repeat(5_000));
    assert!(parse_small_stack(pattern).is_ok());
    let create = format!("CREATE {}(:L {{k: 1}})", "(:L {k: 1}), ".repeat(5_000));
    assert!(parse_small_stack(create).is_ok());
    let union = format!("{}RETURN 1 AS x", "RETURN 1 AS x UNION ALL ".repeat(2_000));
    assert!(parse_small_stack(union).is_ok());
    let ors = format!(
        "MATCH (n) WHERE {}n.x = 0 RETURN n",
        "n.x = 1 OR ".repeat(200)
    );
    assert!(parse_small_stack(ors).is_ok());
}

#[test]
fn long_operator_chains_are_refused_cleanly() {
    // Each operator deepens the tree; refusing keeps every recursive walk
    // over the tree (drop, printing, binding) within its stack.
    for q in [
        format!("RETURN {}1", "1 + ".repeat(50_000)),
        format!("RETURN {}1", "1 < ".repeat(50_000)),
        format!("RETURN x{}", ".a".repeat(50_000)),
        format!("RETURN x{}", "[0]".repeat(50_000)),
        format!("RETURN x{}", " IS NULL".repeat(50_000)),
    ] {
        let err = parse_small_stack(q).expect_err("refused");
        assert!(err.contains("nested"), "{err}");
    }
}

#[test]
fn backtracking_is_bounded() {
    // Each level is first tried as a pattern, then as an expression.
    let start = std::time::Instant::now();
    for depth in [10, 20, 30] {
        let q = nested("(a {x: ", "1", "})", depth);
        let _ = parse_small_stack(q);
        let q = nested("[(a {x: ", "1", "})]", depth);
        let _ = parse_small_stack(q);
    }
    // Generous bound: exponential behaviour would take far longer.
    assert!(start.elapsed().as_secs() < 60);
}

const TOKENS: &[&str] = &[
    "MATCH ",
    "RETURN ",
    "WITH ",
    "WHERE ",
    "CREATE ",
    "MERGE ",
    "ON ",
    "SET ",
    "DELETE ",
    "UNWIND ",
    "AS ",
    "UNION ",
    "CALL ",
    "YIELD ",
    "ORDER BY ",
    "LIMIT ",
    "EXISTS ",
    "CASE ",
    "WHEN ",
    "THEN ",
    "END ",
    "NOT ",
    "AND ",
    "IN ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-",
    "->",
    "<-",
    "--",
    ":",
    "*",
    "..",
    ".",
    ",",
    "|",
    "=",
    "<",
    ">",
    "+",
    "$",
    "'",
    "\"",
    "`",
    "\\",
    "/*",
    "//",
    "\n",
    "n",
    "a",
    "x",
    "1",
    "0x",
    "0o7",
    "1.5e",
    "9223372036854775808",
    "'\\u",
    "é",
    "—",
    "😀",
    " ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..40)) {
        let q: String = tokens.concat();
        let _ = check(&q);
    }

    #[test]
    fn random_text_never_panics(q in "\\PC{0,60}") {
        let _ = check(&q);
    }

    #[test]
    fn mutated_queries_never_panic(
        base in prop::sample::select(vec![
            "MATCH (a:Person {name: 'x'})-[r:KNOWS*1..3]->(b) WHERE a.age > 3 RETURN b.name AS n ORDER BY n LIMIT 3",
            "UNWIND $rows AS r MERGE (p:P {id: r.id}) ON CREATE SET p += r SET p:Q",
            "RETURN [x IN range(1, 9) WHERE x % 2 = 0 | x ^ 2], CASE WHEN 1 THEN 2 ELSE 3 END, {a: [1, 2.5, 'z']}",
            "MATCH p = shortestPath((a)-[*..5]-(b)) WHERE NOT (a)-->(b) AND EXISTS { (a)<--() } RETURN p",
            "CALL db.labels() YIELD label WHERE label STARTS WITH 'A' RETURN label UNION ALL RETURN 1 AS label",
        ]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(TOKENS), any::<bool>()), 1..4),
    ) {
        let mut q = base.to_string();
        for (at, token, delete) in edits {
            let boundaries: Vec<usize> = (0..=q.len()).filter(|i| q.is_char_boundary(*i)).collect();
            let p = boundaries[at.index(boundaries.len())];
            if delete {
                let end = boundaries.iter().copied().find(|b| *b > p).unwrap_or(p);
                q.replace_range(p..end, "");
            } else {
                q.insert_str(p, token);
            }
        }
        let _ = check(&q);
    }
}
