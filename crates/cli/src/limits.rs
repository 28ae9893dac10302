//! Query limits from the command line (`--timeout`, `--max-rows`,
//! `--memory`) and the shell (`:set timeout 5s`): parsing durations and
//! sizes, and the defaults.

use std::time::Duration;

use clap::Args;
use relgraph::QueryOptions;

/// The shell's default timeout.
pub const SHELL_TIMEOUT: Duration = Duration::from_secs(60);

/// Limit flags shared by `relgraph query` and `relgraph shell`.
#[derive(Args, Debug, Clone, Default)]
pub struct LimitArgs {
    /// Stop a statement after this long: 500ms, 2s, 1m, 1h, or `none`.
    /// [default: 60s in the shell, none for `query`]
    #[arg(long, value_name = "DURATION", value_parser = parse_limit_duration)]
    pub timeout: Option<Limit<Duration>>,
    /// Fail a statement that returns more than N rows (`none`: no cap). [default: none]
    #[arg(long, value_name = "N", value_parser = parse_limit_rows)]
    pub max_rows: Option<Limit<u64>>,
    /// Memory budget of a statement: 512MB, 2GB, 1GiB, 800KB, a number of bytes, or
    /// `none`. [default: a quarter of physical memory, or of the container's limit if lower]
    #[arg(long, value_name = "SIZE", value_parser = parse_limit_size)]
    pub memory: Option<Limit<u64>>,
    /// Run statements as this role: see and write only what its privileges
    /// allow (docs/access.md). [default: the administrator]
    #[arg(long, value_name = "NAME")]
    pub role: Option<String>,
    /// Worker threads for the parallel parts of a statement (scans,
    /// expansions, aggregations, sorts), at least 1. [default: all cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// A limit given on the command line: a value, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit<T> {
    /// No limit.
    Off,
    /// This limit.
    On(T),
}

impl<T> Limit<T> {
    fn get(self) -> Option<T> {
        match self {
            Limit::Off => None,
            Limit::On(v) => Some(v),
        }
    }
}

/// The limits a statement runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock limit.
    pub timeout: Option<Duration>,
    /// Result row cap.
    pub max_rows: Option<u64>,
    /// Memory budget in bytes.
    pub memory: Option<u64>,
}

impl Limits {
    /// The shell's defaults: a 60 s timeout and a quarter of physical memory.
    pub fn shell_default() -> Limits {
        Limits {
            timeout: Some(SHELL_TIMEOUT),
            max_rows: None,
            memory: Some(default_memory()),
        }
    }

    /// `relgraph query`'s defaults: no timeout, a quarter of physical memory.
    pub fn query_default() -> Limits {
        Limits {
            timeout: None,
            ..Limits::shell_default()
        }
    }

    /// These limits with the flags that were given applied.
    pub fn with_args(mut self, args: &LimitArgs) -> Limits {
        if let Some(t) = args.timeout {
            self.timeout = t.get();
        }
        if let Some(n) = args.max_rows {
            self.max_rows = n.get();
        }
        if let Some(m) = args.memory {
            self.memory = m.get();
        }
        self
    }

    /// `options` with these limits.
    pub fn apply(&self, mut options: QueryOptions) -> QueryOptions {
        options.timeout = self.timeout;
        options.max_rows = self.max_rows;
        options.memory_budget = self.memory;
        options
    }

    /// One line per limit, as `:set` shows them.
    pub fn describe(&self) -> String {
        format!(
            "timeout   {}\nmax-rows  {}\nmemory    {}\n",
            self.timeout
                .map_or("none".to_string(), |t| format!("{}", DurationText(t))),
            self.max_rows.map_or("none".to_string(), |n| n.to_string()),
            self.memory.map_or("none".to_string(), size_text),
        )
    }
}

/// A quarter of physical memory, or of the container's memory limit when
/// that is lower (1 GiB if neither can be found out).
pub fn default_memory() -> u64 {
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|s| cgroup_limit(&s));
    let memory = match (physical_memory(), cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    };
    memory.map_or(1 << 30, |m| (m / 4).max(64 << 20))
}

/// The limit in a cgroup v2 `memory.max` file (`max`: none).
fn cgroup_limit(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// Physical memory in bytes.
fn physical_memory() -> Option<u64> {
    // SAFETY: sysconf has no preconditions; it returns -1 for an unknown name.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages <= 0 || page <= 0 {
        return None;
    }
    (pages as u64).checked_mul(page as u64)
}

fn is_none_word(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "none" | "off" | "unlimited"
    )
}

/// Splits `2s` / `512 MB` into the number and its unit.
fn number_and_unit(s: &str) -> Result<(f64, String), String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    if num.is_empty() {
        return Err(format!("`{s}` does not start with a number"));
    }
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{num}` is not a number"))?;
    Ok((n, unit.trim().to_ascii_lowercase()))
}

/// Parses a duration: `500ms`, `2s`, `1.5s`, `1m`, `1h` (a bare number is
/// seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = number_and_unit(s)?;
    let secs = match unit.as_str() {
        "ms" => n / 1000.0,
        "" | "s" | "sec" | "secs" => n,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        other => {
            return Err(format!(
                "unknown duration unit `{other}` in `{}` (use ms, s, m or h)",
                s.trim()
            ))
        }
    };
    if secs <= 0.0 || secs > 1e9 {
        return Err(format!(
            "`{}` is not a usable timeout (write `none` for no timeout)",
            s.trim()
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parses a size: `512MB`, `1GB`, `800KB` (powers of 1000), `512MiB`,
/// `1GiB`, `8KiB` (powers of 1024), `100B` or a bare number of bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let (n, unit) = number_and_unit(s)?;
    let scale: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{}` (use KB, MB, GB, KiB, MiB or GiB)",
                s.trim()
            ))
        }
    };
    let bytes = n * scale;
    if !(1.0..=1e18).contains(&bytes) {
        return Err(format!(
            "`{}` is not a usable size (from 1 byte to 1 EB; a limit may be `none`)",
            s.trim()
        ));
    }
    Ok(bytes as u64)
}

fn parse_limit_duration(s: &str) -> Result<Limit<Duration>, String> {
    if is_none_word(s) {
        return Ok(Limit::Off);
    }
    parse_duration(s).map(Limit::On)
}

fn parse_limit_size(s: &str) -> Result<Limit<u64>, String> {
    if is_none_word(s) {
        return Ok(Limit::Off);
    }
    parse_size(s).map(Limit::On)
}

fn parse_limit_rows(s: &str) -> Result<Limit<u64>, String> {
    if is_none_word(s) {
        return Ok(Limit::Off);
    }
    s.trim()
        .parse::<u64>()
        .map(Limit::On)
        .map_err(|_| format!("`{}` is not a number of rows", s.trim()))
}

/// Applies `:set NAME VALUE` to `limits`.
pub fn set(limits: &mut Limits, name: &str, value: &str) -> Result<(), String> {
    match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "timeout" => limits.timeout = parse_limit_duration(value)?.get(),
        "max-rows" | "maxrows" | "rows" => limits.max_rows = parse_limit_rows(value)?.get(),
        "memory" | "mem" => limits.memory = parse_limit_size(value)?.get(),
        other => {
            return Err(format!(
                "unknown setting `{other}` (timeout, max-rows or memory)"
            ))
        }
    }
    Ok(())
}

/// A size for people: `512 MiB`.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A duration for people: `60s`, `500ms`.
struct DurationText(Duration);

impl std::fmt::Display for DurationText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration(" 1.5s "), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("2 fortnights").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("s").is_err());
        assert_eq!(parse_limit_duration("none"), Ok(Limit::Off));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MB"), Ok(512_000_000));
        assert_eq!(parse_size("800KB"), Ok(800_000));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1 gib"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("0MB").is_err());
        assert_eq!(parse_limit_size("off"), Ok(Limit::Off));
        assert_eq!(size_text(512 << 20), "512 MiB");
    }

    #[test]
    fn container_limits() {
        assert_eq!(cgroup_limit("max\n"), None);
        assert_eq!(cgroup_limit("2147483648\n"), Some(2 << 30));
        assert!(default_memory() >= 64 << 20);
    }

    #[test]
    fn set_and_describe() {
        let mut l = Limits::shell_default();
        assert_eq!(l.timeout, Some(Duration::from_secs(60)));
        set(&mut l, "timeout", "5s").unwrap();
        set(&mut l, "max-rows", "10").unwrap();
        set(&mut l, "memory", "1GiB").unwrap();
        assert_eq!(
            l.describe(),
            "timeout   5s\nmax-rows  10\nmemory    1 GiB\n"
        );
        set(&mut l, "timeout", "none").unwrap();
        assert_eq!(l.timeout, None);
        assert!(set(&mut l, "colour", "blue").is_err());
        assert!(set(&mut l, "timeout", "soon").is_err());
    }
}
