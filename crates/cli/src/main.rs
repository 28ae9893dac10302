//! `relgraph`: the command-line tool of the relgraph graph database.
//!
//! - `relgraph` / `relgraph shell [--db DIR]`: the interactive shell (on the
//!   demo database when no `--db` is given); reads statements from stdin
//!   when it is not a terminal;
//! - `relgraph query --db DIR 'QUERY'`: one statement, printed as a table,
//!   CSV, JSON or JSON lines, or drawn as a picture (SVG, HTML, DOT);
//! - `relgraph import`: bulk CSV import (neo4j-admin convention);
//! - `relgraph generate`: the demo CRM graph as CSV or as a database;
//! - `relgraph bench`: timings of a folder of queries;
//! - `relgraph stats`: counts per label and relationship type;
//! - `relgraph erase --db DIR --query 'MATCH (p ...) RETURN p'`: erase the
//!   nodes a query returns and every copy of them in the files.
//!
//! Architecture invariant: this crate is the only one that formats results
//! for people (tables, CSV, JSON, pictures).

mod cancel;
mod commands;
mod demo;
mod format;
mod import;
mod limits;
mod output;
mod params;
mod picture;
mod shell;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use format::OutputFormat;
use limits::{LimitArgs, Limits};

/// Help text on limits shared by `shell` and `query`.
const LIMITS_HELP: &str = "\
Limits: a statement that runs past --timeout, returns more than --max-rows rows or
needs more than --memory stops with an error; the shell and the database stay usable.
The shell's defaults are a 60 s timeout and a memory budget of a quarter of physical
memory (change them with `:set timeout 5s`, `:set memory 2GiB`, `:set max-rows 1000`);
`query` has the same memory budget and no timeout. Ctrl-C in the shell cancels the
running statement.

Output: csv, json and jsonl print rows as they are produced and hold none of them.
A table must see every row to align its columns: it keeps the cell texts (each cut at
4096 characters), counted against --memory, and stops with an error past it.
A picture (svg, html, dot) draws every node, relationship and path in the result; it
keeps them (counted against --memory) to lay them out, and is an error past 10,000
nodes or 50,000 relationships.";

/// Errors of the command-line tool.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A query or database error (its message carries the caret display).
    #[error("{}", .0.message.trim_end())]
    Query(relgraph::Error),
    /// A benchmark query failed.
    #[error("{file}: {}", .error.message.trim_end())]
    Bench {
        /// The query file.
        file: String,
        /// The error.
        error: relgraph::Error,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
    /// Printing a result failed, or a table passed the memory budget.
    #[error(transparent)]
    Print(#[from] output::OutputError),
    /// A result cannot be drawn (a cap or the memory budget).
    #[error(transparent)]
    Picture(#[from] picture::PictureError),
    /// Generating demo data failed.
    #[error(transparent)]
    Datagen(#[from] relgraph_datagen::DatagenError),
    /// The command line is inconsistent.
    #[error("{0}")]
    Usage(String),
    /// Any other failure (from a subcommand module).
    #[error("{0}")]
    Other(String),
}

#[derive(Parser, Debug)]
#[command(
    name = "relgraph",
    version,
    about = "An embeddable relationship-graph database: shell, queries, import, demo data"
)]
struct Cli {
    /// Database directory for the shell (default: the demo database in the data directory).
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The interactive shell (the default command).
    #[command(after_help = LIMITS_HELP)]
    Shell(ShellArgs),
    /// Run one statement and print its result.
    #[command(after_help = LIMITS_HELP)]
    Query(QueryArgs),
    /// Create a new database from CSV files (neo4j-admin import convention).
    Import(import::ImportArgs),
    /// Generate the demo CRM graph as CSV files or as a database.
    Generate(GenerateArgs),
    /// Time each .cypher file of a folder (after one warm-up run).
    Bench(BenchArgs),
    /// Count nodes per label and relationships per type.
    Stats(StatsArgs),
    /// Verify a database: open it (manifest, catalog, segment footers, the
    /// delta log) and read every byte of every segment file against its
    /// checksum; report what is damaged. Exit status 1 when anything is.
    Check(CheckArgs),
    /// Erase the nodes a read-only query returns (with their relationships
    /// and every value stored on them) and every copy the database files
    /// hold; prints what it erased and how long it took.
    Erase(EraseArgs),
}

#[derive(Args, Debug)]
struct EraseArgs {
    /// Database directory.
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// A read-only query returning the nodes to erase, e.g.
    /// "MATCH (p:Person {email: 'x'}) RETURN p".
    #[arg(long, value_name = "QUERY")]
    query: String,
    /// A parameter as name=value, the value a Cypher literal; repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = params::parse_assignment)]
    params: Vec<(String, relgraph::Value)>,
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Database directory.
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
}

#[derive(Args, Debug)]
struct ShellArgs {
    /// Database directory (created if missing; default: the demo database).
    #[arg(long, value_name = "DIR")]
    db: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Args, Debug)]
struct QueryArgs {
    /// Database directory (created empty if it does not exist).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// Output format: csv, json and jsonl print rows as they come; a table
    /// holds its cells until the end, within --memory; svg, html and dot
    /// draw the nodes, relationships and paths of the result.
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    format: QueryFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A parameter as name=value, the value a Cypher literal (42, 'text', [1, 2], {a: 1}, date('2024-01-31')).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = params::parse_assignment)]
    params: Vec<(String, relgraph::Value)>,
    /// Read the statement from FILE.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "query"
    )]
    file: Option<PathBuf>,
    /// The statement.
    #[arg(value_name = "QUERY", required_unless_present = "file")]
    query: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// What `relgraph query` prints: rows, or a picture of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum QueryFormat {
    /// An aligned table with a row count.
    Table,
    /// CSV with a header line.
    Csv,
    /// One JSON document: `{"columns": [...], "rows": [[...], ...]}`.
    Json,
    /// One JSON object per row, keyed by column name.
    Jsonl,
    /// A picture of the result's graph as a static SVG image.
    Svg,
    /// A picture as a self-contained HTML page (pan, zoom, drag, hover).
    Html,
    /// The result's graph as Graphviz DOT.
    Dot,
}

impl QueryFormat {
    fn output(self) -> commands::QueryOutput {
        use commands::QueryOutput::{Picture, Rows};
        match self {
            QueryFormat::Table => Rows(OutputFormat::Table),
            QueryFormat::Csv => Rows(OutputFormat::Csv),
            QueryFormat::Json => Rows(OutputFormat::Json),
            QueryFormat::Jsonl => Rows(OutputFormat::Jsonl),
            QueryFormat::Svg => Picture(picture::PictureFormat::Svg),
            QueryFormat::Html => Picture(picture::PictureFormat::Html),
            QueryFormat::Dot => Picture(picture::PictureFormat::Dot),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GenerateFormat {
    /// neo4j-admin import CSV files (plus import-flags.txt).
    Csv,
    /// A relgraph database.
    Db,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// Output directory.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Scale factor: 1.0 is about 10,000 people and 0.23 million relationships; 45 passes 10 million.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Random seed (the same seed gives the same data).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// What to write.
    #[arg(long, value_enum, default_value_t = GenerateFormat::Csv)]
    format: GenerateFormat,
    /// Print nothing on success.
    #[arg(long)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// An aligned table.
    Table,
    /// JSON.
    Json,
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// Database directory.
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// Folder of .cypher files (files named *.kuzu.cypher are skipped).
    #[arg(value_name = "QUERY_DIR")]
    query_dir: PathBuf,
    /// Timed runs per query (after one warm-up run).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Record a failing query as {"error": ...} and go on (default: stop with exit code 1).
    #[arg(long)]
    keep_going: bool,
    /// Run the queries as this role (docs/access.md). [default: the administrator]
    #[arg(long, value_name = "NAME")]
    role: Option<String>,
}

#[derive(Args, Debug)]
struct StatsArgs {
    /// Database directory.
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// Also print the planner's statistics: per label the properties
    /// (fraction present, distinct values, most common values) and the
    /// degrees per relationship type and direction.
    #[arg(long)]
    planner: bool,
}

/// mimalloc: the query executor allocates many small, short-lived rows and
/// keys; glibc's allocator spent most of an aggregation's time in `free`
/// once a large snapshot had fragmented its heap (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<bool, CliError> {
    let threads = match &cli.command {
        Some(Command::Shell(a)) => a.limits.threads,
        Some(Command::Query(a)) => a.limits.threads,
        _ => None,
    }
    .or(cli.limits.threads);
    match threads {
        Some(n) => in_pool(usize::from(n), || run_command(cli)),
        None => run_command(cli),
    }
}

/// `f` run with `threads` worker threads for the statements' parallel
/// work (rayon's pool, which the engine's parallel parts run on).
fn in_pool<T>(threads: usize, f: impl FnOnce() -> Result<T, CliError> + Send) -> Result<T, CliError>
where
    T: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| CliError::Other(format!("cannot start {threads} threads: {e}")))?;
    pool.install(f)
}

fn run_command(cli: Cli) -> Result<bool, CliError> {
    match cli.command {
        None => run_shell(
            cli.db,
            Limits::shell_default().with_args(&cli.limits),
            cli.limits.role,
        ),
        Some(Command::Shell(a)) => run_shell(
            a.db.or(cli.db),
            Limits::shell_default()
                .with_args(&cli.limits)
                .with_args(&a.limits),
            a.limits.role.or(cli.limits.role),
        ),
        Some(Command::Query(a)) => {
            let text = match (&a.query, &a.file) {
                (_, Some(f)) => std::fs::read_to_string(f).map_err(|e| CliError::Io {
                    path: f.clone(),
                    source: e,
                })?,
                (Some(q), None) => q.clone(),
                (None, None) => return Err(CliError::Usage("give a QUERY or -f FILE".into())),
            };
            let text = text.trim().trim_end_matches(';');
            let limits = Limits::query_default().with_args(&a.limits);
            let role = a.limits.role.or(cli.limits.role);
            commands::query(
                &a.db,
                text,
                a.params,
                a.format.output(),
                a.output.as_deref(),
                &limits,
                role,
            )?;
            Ok(true)
        }
        Some(Command::Import(a)) => {
            import::run(a).map_err(|e| CliError::Other(e.to_string()))?;
            Ok(true)
        }
        Some(Command::Generate(a)) => {
            commands::generate(
                &a.out,
                a.scale,
                a.seed,
                a.format == GenerateFormat::Db,
                a.quiet,
            )?;
            Ok(true)
        }
        Some(Command::Bench(a)) => {
            if !a.db.exists() {
                return Err(CliError::Usage(format!(
                    "no database at {}",
                    a.db.display()
                )));
            }
            let mut db = relgraph::Database::open(&a.db).map_err(CliError::Query)?;
            commands::set_role(&mut db, a.role);
            let results = match a.threads {
                Some(n) => in_pool(n, || {
                    commands::bench_run(&db, &a.query_dir, a.runs, a.keep_going)
                })?,
                None => commands::bench_run(&db, &a.query_dir, a.runs, a.keep_going)?,
            };
            print!(
                "{}",
                commands::bench_print(&results, a.format == ReportFormat::Json)
            );
            Ok(true)
        }
        Some(Command::Stats(a)) => {
            commands::stats(&a.db, a.format == ReportFormat::Json, a.planner)?;
            Ok(true)
        }
        Some(Command::Check(a)) => commands::check(&a.db),
        Some(Command::Erase(a)) => {
            let text = a.query.trim().trim_end_matches(';');
            commands::erase(&a.db, text, a.params)?;
            Ok(true)
        }
    }
}

fn run_shell(db: Option<PathBuf>, limits: Limits, role: Option<String>) -> Result<bool, CliError> {
    let (mut db, banner) = match db {
        Some(p) => (relgraph::Database::open(&p).map_err(CliError::Query)?, None),
        None => (demo::open_demo()?, Some(demo::EXAMPLES)),
    };
    commands::set_role(&mut db, role);
    Ok(shell::run(db, demo::history_file(), banner, limits))
}
