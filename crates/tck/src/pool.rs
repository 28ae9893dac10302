//! Running scenarios in worker processes.
//!
//! Each worker is this same binary started with `--worker`; it loads the
//! scenarios, reads scenario numbers from stdin and writes one result line
//! per scenario to stdout. The parent hands out work, kills a worker whose
//! scenario runs past the time limit (reported as [`Outcome::Timeout`]) and
//! replaces a worker that dies (stack overflow, abort, out of memory:
//! [`Outcome::Crash`]). A hung or crashed engine therefore never stops the run.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::features::Scenario;
use crate::runner::{run_scenario, Context, Outcome, RelgraphEngine};
use crate::TckError;

/// The prefix of a result line on a worker's stdout.
const RESULT_PREFIX: &str = "@@tck-result ";

/// Stack size of the thread that runs a scenario (deep recursion in the
/// engine should fail a scenario, not the worker).
const SCENARIO_STACK: usize = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct ResultLine {
    index: usize,
    outcome: Outcome,
    millis: u64,
}

/// Runs one scenario on a fresh relgraph database in a thread with a large
/// stack; a panic becomes [`Outcome::Panic`].
pub fn run_one(sc: &Scenario, ctx: &Context) -> Outcome {
    let sc = sc.clone();
    let ctx = ctx.clone();
    let handle = std::thread::Builder::new()
        .stack_size(SCENARIO_STACK)
        .spawn(move || run_scenario(&sc, &ctx, RelgraphEngine::new));
    match handle {
        Ok(h) => h.join().unwrap_or_else(|_| Outcome::Panic {
            message: "panic outside the engine".into(),
        }),
        Err(e) => Outcome::Crash {
            message: format!("cannot start a thread: {e}"),
        },
    }
}

/// The worker loop: reads scenario numbers from stdin until EOF.
pub fn worker_main(scenarios: &[Scenario], ctx: &Context) -> Result<(), TckError> {
    crate::runner::quiet_panics();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.map_err(|e| TckError::Worker(e.to_string()))?;
        let Ok(index) = line.trim().parse::<usize>() else {
            continue;
        };
        let start = Instant::now();
        let outcome = match scenarios.get(index) {
            Some(sc) => run_one(sc, ctx),
            None => Outcome::Crash {
                message: format!("no scenario #{index} in the worker"),
            },
        };
        let millis = start.elapsed().as_millis() as u64;
        let json = serde_json::to_string(&ResultLine {
            index,
            outcome,
            millis,
        })
        .map_err(|e| TckError::Worker(e.to_string()))?;
        writeln!(stdout, "{RESULT_PREFIX}{json}")
            .and_then(|_| stdout.flush())
            .map_err(|e| TckError::Worker(e.to_string()))?;
    }
    Ok(())
}

/// How to start workers.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// The worker executable (normally `std::env::current_exe()`).
    pub exe: PathBuf,
    /// Arguments that make it a worker.
    pub args: Vec<String>,
    /// Number of workers.
    pub jobs: usize,
    /// Time limit per scenario.
    pub timeout: Duration,
}

enum Event {
    Line(usize, u64, String),
    Eof(usize, u64),
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    generation: u64,
    current: Option<(usize, Instant)>,
    stderr_tail: Arc<Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

fn spawn(
    cfg: &PoolConfig,
    slot: usize,
    generation: u64,
    tx: &Sender<Event>,
) -> Result<Worker, TckError> {
    let mut child = Command::new(&cfg.exe)
        .args(&cfg.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TckError::Worker(format!("cannot start {}: {e}", cfg.exe.display())))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| TckError::Worker("no stdout".into()))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| TckError::Worker("no stderr".into()))?;
    let tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(Event::Line(slot, generation, line)).is_err() {
                return;
            }
        }
        let _ = tx.send(Event::Eof(slot, generation));
    });
    let tail = Arc::new(Mutex::new(String::new()));
    let tail2 = Arc::clone(&tail);
    let stderr_reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut r = stderr;
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut t) = tail2.lock() {
                t.push_str(&String::from_utf8_lossy(&buf[..n]));
                if t.len() > 2000 {
                    let cut = t.len() - 1000;
                    let cut = (cut..t.len())
                        .find(|i| t.is_char_boundary(*i))
                        .unwrap_or(t.len());
                    t.drain(..cut);
                }
            }
        }
    });
    let stdin = child.stdin.take();
    Ok(Worker {
        child,
        stdin,
        generation,
        current: None,
        stderr_tail: tail,
        stderr_reader: Some(stderr_reader),
    })
}

fn assign(w: &mut Worker, queue: &mut VecDeque<usize>) {
    match queue.pop_front() {
        Some(i) => {
            let ok = w
                .stdin
                .as_mut()
                .is_some_and(|s| writeln!(s, "{i}").and_then(|_| s.flush()).is_ok());
            w.current = Some((i, Instant::now()));
            if !ok {
                // The worker is gone; its EOF event reports the scenario as a crash.
            }
        }
        None => {
            w.current = None;
            w.stdin = None; // EOF: the worker exits
        }
    }
}

/// Runs the scenarios with the given indices, calling `done(index, outcome, millis)`
/// as each finishes.
pub fn run_pool(
    cfg: &PoolConfig,
    indices: &[usize],
    mut done: impl FnMut(usize, Outcome, u64),
) -> Result<(), TckError> {
    let mut queue: VecDeque<usize> = indices.iter().copied().collect();
    let (tx, rx): (Sender<Event>, Receiver<Event>) = channel();
    let mut generation = 0u64;
    let mut workers: Vec<Option<Worker>> = Vec::new();
    for slot in 0..cfg.jobs.max(1).min(queue.len()) {
        generation += 1;
        let mut w = spawn(cfg, slot, generation, &tx)?;
        assign(&mut w, &mut queue);
        workers.push(Some(w));
    }
    let mut remaining = indices.len();
    while remaining > 0 {
        let event = rx.recv_timeout(Duration::from_millis(200));
        match event {
            Ok(Event::Line(slot, g, line)) => {
                let Some(w) = workers
                    .get_mut(slot)
                    .and_then(|w| w.as_mut())
                    .filter(|w| w.generation == g)
                else {
                    continue;
                };
                let Some(json) = line.strip_prefix(RESULT_PREFIX) else {
                    continue;
                };
                let Ok(r) = serde_json::from_str::<ResultLine>(json) else {
                    continue;
                };
                if w.current.map(|c| c.0) == Some(r.index) {
                    done(r.index, r.outcome, r.millis);
                    remaining -= 1;
                    assign(w, &mut queue);
                }
            }
            Ok(Event::Eof(slot, g)) => {
                let Some(w) = workers.get_mut(slot).and_then(|w| w.take()) else {
                    continue;
                };
                if w.generation != g {
                    workers[slot] = Some(w);
                    continue;
                }
                let mut w = w;
                let _ = w.child.wait();
                // The worker exited by itself: its stderr is closed, so the
                // reader finishes and the tail is complete.
                if let Some(h) = w.stderr_reader.take() {
                    let _ = h.join();
                }
                if let Some((i, start)) = w.current {
                    let tail = w
                        .stderr_tail
                        .lock()
                        .map(|t| t.trim().to_string())
                        .unwrap_or_default();
                    let message = tail.lines().rev().take(3).collect::<Vec<_>>().join(" / ");
                    done(
                        i,
                        Outcome::Crash { message },
                        start.elapsed().as_millis() as u64,
                    );
                    remaining -= 1;
                }
                if !queue.is_empty() {
                    generation += 1;
                    let mut nw = spawn(cfg, slot, generation, &tx)?;
                    assign(&mut nw, &mut queue);
                    workers[slot] = Some(nw);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        for (slot, entry) in workers.iter_mut().enumerate() {
            let timed_out = entry
                .as_ref()
                .and_then(|w| w.current)
                .is_some_and(|(_, start)| start.elapsed() > cfg.timeout);
            if !timed_out {
                continue;
            }
            let Some(mut w) = entry.take() else {
                continue;
            };
            let _ = w.child.kill();
            let _ = w.child.wait();
            if let Some((i, start)) = w.current {
                done(i, Outcome::Timeout, start.elapsed().as_millis() as u64);
                remaining -= 1;
            }
            if !queue.is_empty() {
                generation += 1;
                let mut nw = spawn(cfg, slot, generation, &tx)?;
                assign(&mut nw, &mut queue);
                *entry = Some(nw);
            }
        }
    }
    for mut w in workers.into_iter().flatten() {
        w.stdin = None;
        let _ = w.child.wait();
    }
    Ok(())
}
