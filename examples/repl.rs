//! A minimal read-eval-print loop over the relgraph library: how to embed
//! the engine behind your own prompt. (The `relgraph` shell is the full
//! version, with line editing, completion and tables.)
//!
//! Run with `cargo run --example repl [DB_DIR]` (in memory without DB_DIR);
//! end each statement with `;` on its line, and leave with Ctrl-D.

use std::io::{self, BufRead, Write};

use relgraph::{Database, Params};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = match std::env::args().nth(1) {
        Some(dir) => Database::open(dir)?,
        None => Database::in_memory(),
    };
    let params = Params::new();
    let mut statement = String::new();
    let stdin = io::stdin();
    prompt(&statement)?;
    for line in stdin.lock().lines() {
        let line = line?;
        statement.push_str(&line);
        statement.push('\n');
        if line.trim_end().ends_with(';') {
            let text = statement.trim().trim_end_matches(';');
            match db.query(text, &params) {
                Ok(result) if result.columns.is_empty() => println!("done"),
                Ok(result) => {
                    println!("{}", result.columns.join(" | "));
                    for row in result.rows() {
                        // Values are serde-serializable; JSON is a compact cell format.
                        let cells: Vec<String> = row
                            .values()
                            .iter()
                            .map(|v| serde_json::to_string(v).unwrap_or_default())
                            .collect();
                        println!("{}", cells.join(" | "));
                    }
                    println!("({} rows)", result.rows.len());
                }
                Err(e) => eprintln!("{}", e.message),
            }
            statement.clear();
        }
        prompt(&statement)?;
    }
    Ok(())
}

fn prompt(pending: &str) -> io::Result<()> {
    print!("{}", if pending.is_empty() { "> " } else { ". " });
    io::stdout().flush()
}
