//! Ctrl-C cancels the running query, not the shell.
//!
//! At the prompt the line editor reads Ctrl-C as a key. While a statement
//! runs, the terminal is back in normal mode and Ctrl-C raises SIGINT; the
//! handler installed here only sets the flag that the executor checks per
//! morsel (`QueryOptions::cancel`), so the query stops with an error and
//! the shell goes on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

extern "C" fn on_sigint(_signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    if let Some(flag) = FLAG.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// The shared cancellation flag, installing the SIGINT handler on first
/// use. Returns `None` where the handler cannot be installed.
pub fn install() -> Option<Arc<AtomicBool>> {
    if let Some(flag) = FLAG.get() {
        return Some(flag.clone());
    }
    let flag = FLAG
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone();
    // SAFETY: `sigaction` is given a zeroed, then filled, struct and a
    // handler that only performs an atomic store.
    let ok = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0
    };
    ok.then_some(flag)
}
