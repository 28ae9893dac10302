//! Fuzz the Cypher parser: no input may panic, overflow the stack or hang;
//! a parsed statement must print to text that parses to the same statement.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match relgraph_cypher::parse(text) {
        Ok(stmt) => {
            let printed = stmt.to_string();
            let again = relgraph_cypher::parse(&printed)
                .unwrap_or_else(|e| panic!("reprint does not parse: {}", e.render(&printed)));
            assert_eq!(again.to_string(), printed, "reprint is not stable");
        }
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len());
            let _ = e.render(text);
        }
    }
});
