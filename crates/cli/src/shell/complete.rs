//! Tab completion for the shell: Cypher keywords, shell commands, procedure
//! names after `CALL`, and the labels, relationship types and property keys
//! of the open database.

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use relgraph::Snapshot;

/// Keywords offered for completion (upper case, as written in queries).
pub const KEYWORDS: &[&str] = &[
    "MATCH",
    "OPTIONAL",
    "WHERE",
    "WITH",
    "RETURN",
    "DISTINCT",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "SKIP",
    "LIMIT",
    "UNWIND",
    "AS",
    "CREATE",
    "MERGE",
    "ON",
    "SET",
    "REMOVE",
    "DELETE",
    "DETACH",
    "EXPLAIN",
    "PROFILE",
    "CALL",
    "YIELD",
    "UNION",
    "ALL",
    "AND",
    "OR",
    "XOR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "TRUE",
    "FALSE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "STARTS",
    "ENDS",
    "CONTAINS",
    "EXISTS",
    "INDEX",
    "CONSTRAINT",
    "UNIQUE",
    "FOR",
    "REQUIRE",
    "DROP",
    "SHOW",
    "INDEXES",
    "CONSTRAINTS",
    "count",
    "collect",
    "sum",
    "avg",
    "min",
    "max",
    "size",
    "length",
    "coalesce",
    "toLower",
    "toUpper",
    "labels",
    "type",
    "keys",
    "properties",
    "nodes",
    "relationships",
    "shortestPath",
    "allShortestPaths",
    "date",
    "datetime",
    "duration",
    "toInteger",
    "toFloat",
    "toString",
    "id",
];

/// Shell commands.
pub const COMMANDS: &[&str] = &[
    ":help",
    ":schema",
    ":stats",
    ":timing",
    ":format",
    ":params",
    ":param",
    ":explain",
    ":source",
    ":begin",
    ":commit",
    ":rollback",
    ":graph",
    ":watch",
    ":unwatch",
    ":quit",
];

/// Names known in the database, refreshed after writes.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    /// Node labels.
    pub labels: Vec<String>,
    /// Relationship types.
    pub rel_types: Vec<String>,
    /// Property keys.
    pub prop_keys: Vec<String>,
}

impl Vocabulary {
    /// The names in a snapshot's catalog.
    pub fn from_snapshot(snapshot: &Snapshot) -> Vocabulary {
        let c = snapshot.catalog();
        let names = |i: &relgraph_graph::catalog::Interner| {
            i.names().iter().map(|n| n.to_string()).collect()
        };
        Vocabulary {
            labels: names(c.labels()),
            rel_types: names(c.rel_types()),
            prop_keys: names(c.prop_keys()),
        }
    }

    /// Candidates for the word before `pos` in `line`: returns the start of
    /// the word and the matching completions.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let pos = pos.min(line.len());
        let before = line.get(..pos).unwrap_or(line);
        if let Some(found) = procedure_candidates(before) {
            return found;
        }
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        let prev = before[..start].chars().last();
        let trimmed = line.trim_start();
        let mut out: Vec<String> = Vec::new();
        let matches = |cands: &mut Vec<String>, names: &[String]| {
            cands.extend(
                names
                    .iter()
                    .filter(|n| n.to_lowercase().starts_with(&word.to_lowercase()))
                    .cloned(),
            );
        };
        if prev == Some(':') && start == line.len() - trimmed.len() + 1 {
            // A shell command at the start of the line.
            out.extend(
                COMMANDS
                    .iter()
                    .filter(|c| c[1..].starts_with(word))
                    .map(|c| c[1..].to_string()),
            );
        } else if prev == Some(':') {
            matches(&mut out, &self.labels);
            matches(&mut out, &self.rel_types);
        } else if prev == Some('.')
            || prev == Some('{')
            || (prev == Some(',') && before.contains('{'))
        {
            matches(&mut out, &self.prop_keys);
        } else if !word.is_empty() {
            let kws: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
            matches(&mut out, &kws);
            matches(&mut out, &self.prop_keys);
        }
        out.sort();
        out.dedup();
        (start, out)
    }
}

/// After `CALL`, the dotted procedure name being typed is the word: the
/// registered procedures that start with it (case-insensitively).
fn procedure_candidates(before: &str) -> Option<(usize, Vec<String>)> {
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let head = before[..start].trim_end();
    let kw_at = head.len().checked_sub(4)?;
    let kw = head.get(kw_at..)?;
    let before_kw = &head[..kw_at];
    if !kw.eq_ignore_ascii_case("CALL")
        || before_kw.ends_with(|c: char| c.is_alphanumeric() || c == '_')
    {
        return None;
    }
    let word = before[start..].to_lowercase();
    let names = relgraph::procedures()
        .iter()
        .map(|p| p.name)
        .filter(|n| n.to_lowercase().starts_with(&word))
        .map(String::from)
        .collect();
    Some((start, names))
}

/// The rustyline helper: completion only (no hints, highlighting or validation).
#[derive(Default)]
pub struct ShellHelper {
    /// What can be completed.
    pub vocabulary: Vocabulary,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, cands) = self.vocabulary.candidates(line, pos);
        Ok((
            start,
            cands
                .into_iter()
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c,
                })
                .collect(),
        ))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            labels: vec!["Person".into(), "Product".into(), "Company".into()],
            rel_types: vec!["KNOWS".into(), "WORKS_AT".into()],
            prop_keys: vec!["name".into(), "title".into()],
        }
    }

    #[test]
    fn procedures_after_call() {
        let line = "CALL algo.pa";
        assert_eq!(
            vocab().candidates(line, line.len()),
            (5, vec!["algo.pageRank".to_string()])
        );
        let line = "MATCH (n) call DB.SCH";
        assert_eq!(
            vocab().candidates(line, line.len()).1,
            vec![
                "db.schema.nodeTypeProperties".to_string(),
                "db.schema.relTypeProperties".to_string()
            ]
        );
        // Not after a word that merely ends in "call".
        let line = "RETURN recall.x";
        assert_eq!(vocab().candidates(line, line.len()).1, Vec::<String>::new());
    }

    #[test]
    fn labels_after_colon() {
        let line = "MATCH (p:P";
        assert_eq!(
            vocab().candidates(line, line.len()),
            (9, vec!["Person".to_string(), "Product".to_string()])
        );
        let line = "MATCH (a)-[:K";
        assert_eq!(
            vocab().candidates(line, line.len()).1,
            vec!["KNOWS".to_string()]
        );
    }

    #[test]
    fn keys_after_dot_and_keywords() {
        let line = "RETURN p.ti";
        assert_eq!(
            vocab().candidates(line, line.len()),
            (9, vec!["title".to_string()])
        );
        let line = "MATCH (n) RET";
        assert_eq!(
            vocab().candidates(line, line.len()).1,
            vec!["RETURN".to_string()]
        );
        let line = "match (n) ret";
        assert_eq!(
            vocab().candidates(line, line.len()).1,
            vec!["RETURN".to_string()]
        );
    }

    #[test]
    fn commands_at_line_start() {
        let line = ":ti";
        assert_eq!(
            vocab().candidates(line, line.len()),
            (1, vec!["timing".to_string()])
        );
    }
}
