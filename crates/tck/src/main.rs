//! `relgraph-tck`: runs the openCypher TCK against relgraph.
//!
//! ```text
//! cargo run -p relgraph-tck --release                        # everything; fails on baseline regressions
//! cargo run -p relgraph-tck --release -- --update-baseline   # rewrite crates/tck/baseline.txt
//! cargo run -p relgraph-tck --release -- --feature Match1 -v # one feature, with failure details
//! cargo run -p relgraph-tck --release -- --name 'Return a single' --jobs 1
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use relgraph_tck::features::{load_all, Scenario};
use relgraph_tck::pool::{run_one, run_pool, worker_main, PoolConfig};
use relgraph_tck::report::{conformance_markdown, parse_baseline, render_baseline, Counts};
use relgraph_tck::runner::{quiet_panics, Context, Outcome};
use relgraph_tck::unsupported::Unsupported;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

/// The workspace root (two levels above this crate).
fn workspace() -> PathBuf {
    let p = Path::new(MANIFEST_DIR).join("../..");
    p.canonicalize().unwrap_or(p)
}

/// Runs the openCypher TCK against relgraph and checks the baseline.
#[derive(Parser, Debug)]
#[command(name = "relgraph-tck")]
struct Args {
    /// The TCK directory (with `features/` and `graphs/`); default ../shared/tck
    /// from the workspace root, or $RELGRAPH_TCK_DIR.
    #[arg(long)]
    tck_dir: Option<PathBuf>,
    /// Only feature files whose name is this (`Match1`), starts with it when it
    /// ends in `*` (`Match*`), or whose path contains it when it has a `/`
    /// (`clauses/match/`). Repeatable.
    #[arg(long)]
    feature: Vec<String>,
    /// Only scenarios whose name or id contains this.
    #[arg(long)]
    name: Option<String>,
    /// Parallel worker processes (default: number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Time limit per scenario in seconds.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// Rewrite the baseline with the scenarios that pass now.
    #[arg(long)]
    update_baseline: bool,
    /// The baseline file.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Where to write the conformance report (written for unfiltered runs, or
    /// always when given explicitly).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write every outcome as JSON lines to this file.
    #[arg(long)]
    results: Option<PathBuf>,
    /// Print the details of every failure.
    #[arg(short, long)]
    verbose: bool,
    /// Run in this process, one scenario at a time (no worker processes).
    #[arg(long)]
    in_process: bool,
    /// Internal: run as a worker process.
    #[arg(long, hide = true)]
    worker: bool,
}

fn feature_selected(sc: &Scenario, filters: &[String]) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            if f.contains('/') {
                sc.feature_path.contains(f.as_str())
            } else if let Some(prefix) = f.strip_suffix('*') {
                sc.feature_stem().starts_with(prefix)
            } else {
                sc.feature_stem() == f
            }
        })
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("relgraph-tck: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = Args::parse();
    let tck_dir = args
        .tck_dir
        .clone()
        .or_else(|| std::env::var_os("RELGRAPH_TCK_DIR").map(PathBuf::from))
        .unwrap_or_else(|| workspace().join("../shared/tck"));
    let features_dir = tck_dir.join("features");
    if !features_dir.is_dir() {
        println!(
            "relgraph-tck: no TCK at {} (features/ missing); nothing to run",
            tck_dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let scenarios = load_all(&features_dir)?;
    let ctx = Context {
        graphs_dir: tck_dir.join("graphs"),
        unsupported: Unsupported::builtin()?,
    };
    if args.worker {
        worker_main(&scenarios, &ctx)?;
        return Ok(ExitCode::SUCCESS);
    }

    let filtered = !args.feature.is_empty() || args.name.is_some();
    let selected: Vec<usize> = (0..scenarios.len())
        .filter(|&i| {
            let sc = &scenarios[i];
            feature_selected(sc, &args.feature)
                && args
                    .name
                    .as_ref()
                    .is_none_or(|n| sc.name.contains(n.as_str()) || sc.id().contains(n.as_str()))
        })
        .collect();
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    println!(
        "relgraph-tck: {} scenarios selected of {} ({} workers, {}s limit each)",
        selected.len(),
        scenarios.len(),
        if args.in_process { 0 } else { jobs },
        args.timeout_secs
    );

    let started = Instant::now();
    let mut outcomes: BTreeMap<usize, (Outcome, u64)> = BTreeMap::new();
    let progress =
        |i: usize, o: Outcome, ms: u64, outcomes: &mut BTreeMap<usize, (Outcome, u64)>| {
            outcomes.insert(i, (o, ms));
            let n = outcomes.len();
            // Every 250 scenarios (MSRV 1.85: no `is_multiple_of`).
            if n == selected.len() || n / 250 * 250 == n {
                println!(
                    "  {n}/{} done ({:.0}s)",
                    selected.len(),
                    started.elapsed().as_secs_f64()
                );
            }
        };
    if args.in_process {
        quiet_panics();
        for &i in &selected {
            let t = Instant::now();
            let o = run_one(&scenarios[i], &ctx);
            progress(i, o, t.elapsed().as_millis() as u64, &mut outcomes);
        }
    } else {
        let worker_args = vec![
            "--worker".to_string(),
            "--tck-dir".to_string(),
            tck_dir.display().to_string(),
        ];
        let cfg = PoolConfig {
            exe: std::env::current_exe()?,
            args: worker_args,
            jobs,
            timeout: Duration::from_secs(args.timeout_secs),
        };
        run_pool(&cfg, &selected, |i, o, ms| {
            progress(i, o, ms, &mut outcomes)
        })?;
    }

    // Per-feature summary and details.
    let results: Vec<(&Scenario, &Outcome)> = outcomes
        .iter()
        .map(|(i, (o, _))| (&scenarios[*i], o))
        .collect();
    let mut total = Counts::default();
    let mut per_feature: BTreeMap<&str, Counts> = BTreeMap::new();
    for (sc, o) in &results {
        total.add(o);
        per_feature
            .entry(sc.feature_path.as_str())
            .or_default()
            .add(o);
        if args.verbose && !matches!(o, Outcome::Pass) {
            println!("\n--- {} [{}]", sc.id(), o.label());
            match o {
                Outcome::Fail { class, message } => println!("{class}\n{message}"),
                Outcome::Skip { reason } => println!("{reason}"),
                Outcome::Panic { message } | Outcome::Crash { message } => println!("{message}"),
                _ => {}
            }
        }
    }
    if filtered || args.verbose {
        println!();
        for (f, c) in &per_feature {
            println!("{f}: {} pass, {} fail, {} skip", c.pass, c.fail, c.skip);
        }
    }
    println!(
        "\nTCK: {} scenarios: {} pass, {} fail ({} panics, {} timeouts/crashes), {} skip  [{:.1}s]",
        total.total(),
        total.pass,
        total.fail,
        total.panic,
        total.timeout,
        total.skip,
        started.elapsed().as_secs_f64()
    );

    if let Some(path) = &args.results {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (i, (o, ms)) in &outcomes {
            let line = serde_json::json!({ "id": scenarios[*i].id(), "outcome": o, "millis": ms });
            writeln!(f, "{line}")?;
        }
        f.flush()?;
    }

    let command = "cargo run -p relgraph-tck --release";
    let report_path = args
        .report
        .clone()
        .or_else(|| (!filtered).then(|| workspace().join("docs/conformance.md")));
    if let Some(path) = report_path {
        std::fs::write(&path, conformance_markdown(&results, command))?;
        println!("wrote {}", path.display());
    }

    // Baseline.
    let baseline_path = args
        .baseline
        .clone()
        .unwrap_or_else(|| workspace().join("crates/tck/baseline.txt"));
    let baseline = std::fs::read_to_string(&baseline_path)
        .map(|t| parse_baseline(&t))
        .unwrap_or_default();
    let passing: BTreeSet<String> = results
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Pass))
        .map(|(sc, _)| sc.id())
        .collect();
    let selected_ids: BTreeSet<String> = results.iter().map(|(sc, _)| sc.id()).collect();
    if args.update_baseline {
        // Keep entries outside the selection; replace those inside it.
        let mut new: BTreeSet<String> = baseline
            .iter()
            .filter(|id| !selected_ids.contains(*id))
            .cloned()
            .collect();
        new.extend(passing.iter().cloned());
        std::fs::write(&baseline_path, render_baseline(&new))?;
        println!(
            "wrote {} ({} passing scenarios)",
            baseline_path.display(),
            new.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let regressions: Vec<&String> = baseline
        .iter()
        .filter(|id| selected_ids.contains(*id) && !passing.contains(*id))
        .collect();
    let known: BTreeSet<String> = scenarios.iter().map(Scenario::id).collect();
    let missing = baseline.iter().filter(|id| !known.contains(*id)).count();
    if missing > 0 {
        println!("note: {missing} baseline entries name scenarios that no longer exist");
    }
    let newly = passing.iter().filter(|id| !baseline.contains(*id)).count();
    if newly > 0 {
        println!("{newly} scenarios pass that are not in the baseline (run with --update-baseline to add them)");
    }
    if regressions.is_empty() {
        println!(
            "baseline: no regressions ({} baseline scenarios checked)",
            baseline
                .iter()
                .filter(|id| selected_ids.contains(*id))
                .count()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "\nbaseline REGRESSIONS: {} scenarios that passed no longer pass:",
            regressions.len()
        );
        for id in &regressions {
            let o = results
                .iter()
                .find(|(sc, _)| &&sc.id() == id)
                .map(|(_, o)| o.label())
                .unwrap_or("?");
            println!("  [{o}] {id}");
        }
        Ok(ExitCode::FAILURE)
    }
}
