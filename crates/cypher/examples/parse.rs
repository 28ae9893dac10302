//! Parse queries given as arguments (or one per line on stdin) and print the
//! reprinted statement, or the rendered error.
//!
//! `cargo run -p relgraph-cypher --example parse -- 'MATCH (n) RETURN n'`

use std::io::BufRead;

fn show(query: &str) {
    match relgraph_cypher::parse(query) {
        Ok(stmt) => println!("{stmt}"),
        Err(e) => println!("{}\n  detail: {:?}", e.render(query), e.detail),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            show(&line);
        }
    } else {
        for q in &args {
            show(q);
        }
    }
}
