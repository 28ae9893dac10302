//! The demo database the shell opens when no `--db` is given.

use std::path::PathBuf;

use relgraph::{Database, OpenOptions};
use relgraph_datagen::Config;

use crate::CliError;

/// The scale factor of the demo database (1,000 people).
pub const DEMO_SCALE: f64 = 0.1;
/// The seed of the demo database.
pub const DEMO_SEED: u64 = 42;

/// Three questions to try, printed when the shell opens the demo database.
pub const EXAMPLES: &str = "\
Try these questions on the demo CRM graph (\"me\" is (:Person {me: true}); today is (:Meta).today):

1. Which of my connections read CRM white papers, and where do they work?
   MATCH (me:Person {me: true})-[:KNOWS]-(p:Person)-[:READ]->(:Content {kind: 'white paper'})-[:ABOUT]->(:Topic {name: 'CRM'}),
         (p)-[w:WORKS_AT]->(c:Company)
   WHERE w.until IS NULL
   RETURN c.name AS company, collect(DISTINCT p.name) AS people ORDER BY size(people) DESC LIMIT 10;

2. Which companies raised a Series B in the last 60 days?
   MATCH (m:Meta), (c:Company)-[:RAISED]->(e:Event {series: 'Series B'})
   WHERE e.date >= m.today - duration('P60D')
   RETURN c.name, e.amount, e.date ORDER BY e.date DESC;

3. Which topics come up together with churn in posts by people I know?
   MATCH (me:Person {me: true})-[:KNOWS]-(:Person)-[:WROTE]->(post:Content)-[:ABOUT]->(:Topic {name: 'churn'}),
         (post)-[:ABOUT]->(t:Topic)
   WHERE t.name <> 'churn'
   RETURN t.name AS topic, count(*) AS posts ORDER BY posts DESC LIMIT 5;
";

/// relgraph's data directory: `$RELGRAPH_DATA_DIR`, else
/// `$XDG_DATA_HOME/relgraph`, else `~/.local/share/relgraph`.
pub fn data_dir() -> Option<PathBuf> {
    let nonempty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = nonempty("RELGRAPH_DATA_DIR") {
        return Some(d);
    }
    if let Some(d) = nonempty("XDG_DATA_HOME") {
        return Some(d.join("relgraph"));
    }
    nonempty("HOME").map(|h| h.join(".local").join("share").join("relgraph"))
}

/// Opens the demo database, generating it on first use. A new demo is
/// written with `relgraph_datagen::create_database` (streamed, published
/// only when complete) and the returned handle is used directly, so the
/// directory is opened once.
pub fn open_demo() -> Result<Database, CliError> {
    let dir = data_dir().ok_or_else(|| {
        CliError::Usage(
            "cannot find a data directory: set RELGRAPH_DATA_DIR or HOME, or pass --db DIR".into(),
        )
    })?;
    let path = dir.join("demo");
    if path.exists() {
        return Database::open(&path).map_err(CliError::Query);
    }
    std::fs::create_dir_all(&dir).map_err(|e| CliError::Io {
        path: dir.clone(),
        source: e,
    })?;
    eprintln!(
        "creating the demo database in {} (first run) ...",
        path.display()
    );
    let config = Config::new(DEMO_SCALE, DEMO_SEED)?;
    let (graph, _) = relgraph_datagen::create_database(&config, &path, &OpenOptions::default())?;
    Ok(Database::from_graph(graph))
}

/// The shell's history file.
pub fn history_file() -> Option<PathBuf> {
    data_dir().map(|d| d.join("history.txt"))
}

/// The example queries of [`EXAMPLES`], one string per question.
#[cfg(test)]
fn example_queries() -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in EXAMPLES.lines().filter(|l| l.starts_with("   ")) {
        current.push_str(line.trim());
        current.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_string());
            current.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_dir_honours_relgraph_data_dir() {
        // Only this test touches the variable in this process.
        std::env::set_var("RELGRAPH_DATA_DIR", "/tmp/relgraph-test-data");
        assert_eq!(data_dir(), Some(PathBuf::from("/tmp/relgraph-test-data")));
        assert_eq!(
            history_file(),
            Some(PathBuf::from("/tmp/relgraph-test-data/history.txt"))
        );
        std::env::remove_var("RELGRAPH_DATA_DIR");
    }

    /// The three questions the shell suggests all have answers on the demo graph.
    #[test]
    fn the_suggested_questions_have_answers_on_the_demo_graph() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::new(DEMO_SCALE, DEMO_SEED).unwrap();
        let (graph, _) = relgraph_datagen::create_database(
            &config,
            &dir.path().join("demo"),
            &OpenOptions::default(),
        )
        .unwrap();
        let db = Database::from_graph(graph);
        let queries = example_queries();
        assert_eq!(queries.len(), 3);
        for q in queries {
            let result = db
                .query(&q, &relgraph::Params::new())
                .unwrap_or_else(|e| panic!("{q}\n{}", e.message));
            assert!(!result.rows.is_empty(), "no answer for\n{q}");
        }
    }
}
