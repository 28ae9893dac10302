//! A child process for kill tests: this test binary run again with some
//! environment variables, its stdout read line by line on a thread. Shared
//! by `tests/standing_kill.rs` and `tests/erase_kill.rs` (included with
//! `#[path]`).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::Duration;

/// A running child and the lines it printed so far.
pub struct Child {
    child: std::process::Child,
    lines: Receiver<String>,
    reader: JoinHandle<()>,
}

impl Child {
    /// Runs this test binary again with `env`, and waits for it to print
    /// `READY` (its first line).
    pub fn start(env: &[(&str, &OsStr)], cycle: usize) -> Child {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().expect("the child's stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Kill only once the child is running its loop.
        let ready = lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("cycle {cycle}: the child never got ready: {e}"));
        assert_eq!(ready, "READY");
        Child {
            child,
            lines,
            reader,
        }
    }

    /// Waits for the child to exit by itself; returns what it printed
    /// after `READY`.
    pub fn finish(mut self) -> Vec<String> {
        self.child.wait().expect("the child is reaped");
        self.reader.join().expect("the reader ends");
        self.lines.try_iter().collect()
    }

    /// Sleeps `after`, SIGKILLs the child, and returns what it printed
    /// after `READY`.
    pub fn kill_after(mut self, after: Duration) -> Vec<String> {
        std::thread::sleep(after);
        self.child.kill().expect("SIGKILL the child");
        self.child.wait().expect("the child is reaped");
        self.reader.join().expect("the reader ends");
        self.lines.try_iter().collect()
    }
}
