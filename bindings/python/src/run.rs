//! Running a statement with the interpreter released, and cancelling it on
//! Ctrl-C.
//!
//! Python runs signal handlers only on its main thread, and only when that
//! thread is in the interpreter. So the statement runs on a worker thread
//! while the calling thread, detached from the interpreter (other Python
//! threads go on, and may run their own statements), waits for it and
//! every [`POLL`] attaches briefly to run pending signal handlers
//! (`PyErr_CheckSignals`). When one raises (Ctrl-C's `KeyboardInterrupt`),
//! the statement's cancel flag is set (`QueryOptions::cancel`, checked by
//! every worker of the executor), the statement stops within a morsel, and
//! the handler's exception is raised in its place. On any other thread the
//! check does nothing, and the statement runs to its end or its limits.
//!
//! A panic in the engine is caught on the worker thread and becomes a
//! `relgraph.DatabaseError`; it never unwinds into the interpreter.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors;

/// How often the waiting thread runs Python's signal handlers.
const POLL: Duration = Duration::from_millis(20);

/// The worker's stack: the main thread's usual 8 MiB. The executor bounds
/// its own recursion (`EXEC_STACK_BUDGET`, 1 MiB) and is safe on 2 MiB.
const WORKER_STACK: usize = 8 << 20;

/// Runs `work` on a worker thread, releasing the interpreter while it
/// runs; sets `cancel` when a signal handler raises while waiting, and then
/// raises that exception once `work` has stopped.
pub fn interruptible<T, F>(py: Python<'_>, cancel: &AtomicBool, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("relgraph-statement".into())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, move || {
                let _ = sender.send(catch_unwind(AssertUnwindSafe(work)));
            })
            .map_err(|e| errors::internal(format!("cannot start a thread: {e}")))?;
        let (outcome, interrupt) = py.detach(move || {
            let mut interrupt: Option<PyErr> = None;
            loop {
                match receiver.recv_timeout(POLL) {
                    Ok(outcome) => return (Some(outcome), interrupt),
                    Err(RecvTimeoutError::Disconnected) => return (None, interrupt),
                    Err(RecvTimeoutError::Timeout) if interrupt.is_none() => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
                            cancel.store(true, Ordering::SeqCst);
                            interrupt = Some(e);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        });
        if let Some(e) = interrupt {
            return Err(e);
        }
        match outcome {
            Some(Ok(value)) => Ok(value),
            Some(Err(panic)) => Err(errors::internal(panic_message(&*panic))),
            None => Err(errors::internal(
                "the statement's thread ended without an answer",
            )),
        }
    })
}

/// Runs `work` with the interpreter released, turning a panic into a
/// `relgraph.DatabaseError` (for calls that cannot be cancelled: opening,
/// beginning and committing a transaction).
pub fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    py.detach(move || catch_unwind(AssertUnwindSafe(work)))
        .map_err(|panic| errors::internal(panic_message(&*panic)))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    format!("panic: {what}")
}
