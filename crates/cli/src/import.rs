//! `relgraph import`: bulk-load CSV files in the neo4j-admin import
//! convention into a new database.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use relgraph_graph::import::{
    import, parse_delimiter, IdType, ImportConfig, ImportSummary, NodeInput, Phase, Progress,
    RelInput,
};
use relgraph_graph::store::{Durability, OpenOptions};

/// Arguments of `relgraph import`.
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Create a new database from CSV files (neo4j-admin import convention)",
    after_help = "Example (LDBC SNB files):\n  relgraph import --db ldbc.db --delimiter '|' --id-type integer \\\n    --nodes Person=Person.csv --relationships KNOWS=Person_knows_Person.csv"
)]
pub struct ImportArgs {
    /// The new database directory; it must not exist or be empty
    /// (`--into` is accepted as an older spelling).
    #[arg(long = "db", visible_alias = "into", value_name = "DIR")]
    pub into: PathBuf,
    /// A node file: `[Label[:Label2]=]FILE[,FILE...]` (the first file holds the header). Repeatable.
    #[arg(long = "nodes", value_name = "[LABELS=]FILES")]
    pub nodes: Vec<String>,
    /// A relationship file: `[TYPE=]FILE[,FILE...]`. Repeatable.
    #[arg(long = "relationships", value_name = "[TYPE=]FILES")]
    pub relationships: Vec<String>,
    /// Field delimiter: one character, `TAB` or `\t`.
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// Delimiter inside array fields and `:LABEL` fields.
    #[arg(long, default_value = ";")]
    pub array_delimiter: String,
    /// Quote character.
    #[arg(long, default_value = "\"")]
    pub quote: String,
    /// How `:ID`, `:START_ID` and `:END_ID` values are read: `string` or `integer`.
    #[arg(long, default_value = "string")]
    pub id_type: String,
    /// Skip and count relationships with unknown endpoints or bad fields instead of failing.
    #[arg(long)]
    pub skip_bad_relationships: bool,
    /// Skip and count nodes whose id is already taken instead of failing.
    #[arg(long)]
    pub skip_duplicate_nodes: bool,
    /// Most bytes one field may hold (`16MB`, `64MiB`, `1GB`; default 16 MiB):
    /// a longer field, or a quote never closed, stops the import with an
    /// error naming the file, line and column where the field starts.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = crate::limits::parse_size)]
    pub max_field_size: u64,
    /// Do not fsync the new database (faster; a power loss right after may lose it).
    #[arg(long)]
    pub relaxed: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

impl ImportArgs {
    /// The library configuration these arguments describe.
    fn config(&self) -> Result<ImportConfig, Box<dyn std::error::Error>> {
        if self.nodes.is_empty() {
            return Err("give at least one --nodes FILE".into());
        }
        let id_type: IdType = self.id_type.parse()?;
        Ok(ImportConfig {
            nodes: self
                .nodes
                .iter()
                .map(|s| NodeInput::parse(s))
                .collect::<Result<_, _>>()?,
            relationships: self
                .relationships
                .iter()
                .map(|s| RelInput::parse(s))
                .collect::<Result<_, _>>()?,
            delimiter: parse_delimiter(&self.delimiter)?,
            array_delimiter: parse_delimiter(&self.array_delimiter)?,
            quote: parse_delimiter(&self.quote)?,
            id_type,
            skip_bad_relationships: self.skip_bad_relationships,
            skip_duplicate_nodes: self.skip_duplicate_nodes,
            max_field_size: self.max_field_size,
        })
    }
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Nodes => "nodes",
        Phase::Relationships => "relationships",
        Phase::Building => "building snapshot",
        Phase::Writing => "writing database",
    }
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// The one-line summary printed at the end of an import.
fn summary_line(s: &ImportSummary) -> String {
    let secs = s.elapsed.as_secs_f64();
    let mut line = format!(
        "imported {} nodes and {} relationships in {:.2} s ({:.0} rows/s)",
        s.nodes,
        s.relationships,
        secs,
        per_second(s.rows, s.elapsed)
    );
    if s.skipped_nodes > 0 || s.skipped_relationships > 0 {
        line.push_str(&format!(
            "; skipped {} duplicate nodes and {} bad relationships",
            s.skipped_nodes, s.skipped_relationships
        ));
    }
    line
}

/// Runs `relgraph import`.
pub fn run(args: ImportArgs) -> Result<(), Box<dyn std::error::Error>> {
    let config = args.config()?;
    let options = OpenOptions {
        durability: if args.relaxed {
            Durability::Relaxed
        } else {
            Durability::Durable
        },
        ..OpenOptions::default()
    };
    let bar = (!args.no_progress && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar
    });
    let start = Instant::now();
    let on_progress = |p: &Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.total_bytes);
            bar.set_position(p.bytes);
            bar.set_message(format!(
                "{}: {} rows, {:.0} rows/s",
                phase_name(p.phase),
                p.rows,
                per_second(p.rows, start.elapsed())
            ));
        }
    };
    let result = import(&args.into, &config, &options, Some(&on_progress));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (_graph, summary) = result?;
    for (label, n) in &summary.labels {
        println!("  :{label} {n}");
    }
    for (t, n) in &summary.rel_types {
        println!("  [:{t}] {n}");
    }
    for example in &summary.skipped_examples {
        eprintln!("skipped {example}");
    }
    println!(
        "  time: read {:.2} s, snapshot {:.2} s, write {:.2} s",
        summary.read_time.as_secs_f64(),
        summary.build_time.as_secs_f64(),
        summary.write_time.as_secs_f64()
    );
    println!("{}", summary_line(&summary));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ImportArgs,
    }

    #[test]
    fn parses_neo4j_admin_style_flags() {
        let cli = Cli::try_parse_from([
            "relgraph",
            "--db",
            "g.db",
            "--delimiter",
            "|",
            "--id-type",
            "integer",
            "--nodes",
            "Person:Customer=p.csv,p2.csv",
            "--nodes=Org=o.csv",
            "--relationships",
            "KNOWS=k.csv",
            "--skip-bad-relationships",
        ])
        .expect("valid flags");
        let c = cli.args.config().expect("valid config");
        assert_eq!(c.delimiter, b'|');
        assert_eq!(c.id_type, IdType::Integer);
        assert_eq!(c.nodes.len(), 2);
        assert_eq!(c.nodes[0].labels, vec!["Person", "Customer"]);
        assert_eq!(c.nodes[1].labels, vec!["Org"]);
        assert_eq!(c.relationships[0].rel_type.as_deref(), Some("KNOWS"));
        assert!(c.skip_bad_relationships && !c.skip_duplicate_nodes);
    }

    #[test]
    fn rejects_bad_flags() {
        let parse = |extra: &[&str]| {
            let mut v = vec!["relgraph", "--into", "g.db", "--nodes", "a.csv"];
            v.extend_from_slice(extra);
            Cli::try_parse_from(v).expect("clap accepts").args.config()
        };
        assert!(parse(&["--id-type", "uuid"]).is_err());
        assert!(parse(&["--delimiter", "ab"]).is_err());
        assert_eq!(
            parse(&["--delimiter", "TAB"]).expect("TAB").delimiter,
            b'\t'
        );
        let no_nodes = Cli::try_parse_from(["relgraph", "--into", "g.db"]).expect("clap accepts");
        assert!(no_nodes.args.config().is_err());
    }

    #[test]
    fn summary_line_reports_rates_and_skips() {
        let s = ImportSummary {
            nodes: 10,
            relationships: 20,
            rows: 30,
            skipped_relationships: 2,
            elapsed: Duration::from_secs(2),
            ..ImportSummary::default()
        };
        assert_eq!(
            summary_line(&s),
            "imported 10 nodes and 20 relationships in 2.00 s (15 rows/s); skipped 0 duplicate nodes and 2 bad relationships"
        );
    }
}
