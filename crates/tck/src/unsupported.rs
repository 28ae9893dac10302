//! The list of features relgraph does not support yet, with reasons.
//!
//! Scenarios that match a rule are reported as skipped with the rule's
//! reason, never as passed. The rules live in `crates/tck/unsupported.txt`
//! (compiled in), one per line:
//!
//! ```text
//! # comment
//! reason text | feature=Temporal10 | query=datetime({timezone
//! ```
//!
//! A rule holds the reason and one or more matchers; all must match:
//! `feature=` (substring of the feature path), `scenario=` (substring of the
//! scenario name), `query=` (case-insensitive substring of any query of the
//! scenario), `id=` (exact scenario id). A `!` before a matcher negates it
//! (`!id=...` exempts one scenario that passes despite using the feature).

use crate::features::Scenario;
use crate::TckError;

/// The rules compiled into the runner.
pub const RULES: &str = include_str!("../unsupported.txt");

#[derive(Clone, Debug, PartialEq, Eq)]
enum Matcher {
    Feature(String),
    Scenario(String),
    Query(String),
    Id(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    reason: String,
    /// (negated, matcher)
    matchers: Vec<(bool, Matcher)>,
}

/// A parsed list of rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unsupported {
    rules: Vec<Rule>,
}

impl Unsupported {
    /// Parses rules.
    ///
    /// ```
    /// use relgraph_tck::unsupported::Unsupported;
    /// let u = Unsupported::parse("named time zones | query=Europe/\n").unwrap();
    /// assert_eq!(u.len(), 1);
    /// assert!(Unsupported::parse("no matchers\n").is_err());
    /// assert!(Unsupported::parse("only a negation | !query=x\n").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Unsupported, TckError> {
        let mut rules = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |m: &str| TckError::Rules {
                line: i + 1,
                message: m.to_string(),
            };
            let mut parts = line.split(" | ");
            let reason = parts.next().unwrap_or("").trim().to_string();
            let mut matchers = Vec::new();
            for p in parts {
                let (k, v) = p
                    .trim()
                    .split_once('=')
                    .ok_or_else(|| bad("matcher without `=`"))?;
                let (negated, k) = match k.strip_prefix('!') {
                    Some(k) => (true, k),
                    None => (false, k),
                };
                let v = v.to_string();
                let m = match k {
                    "feature" => Matcher::Feature(v),
                    "scenario" => Matcher::Scenario(v),
                    "query" => Matcher::Query(v.to_lowercase()),
                    "id" => Matcher::Id(v),
                    _ => return Err(bad("unknown matcher (feature, scenario, query, id)")),
                };
                matchers.push((negated, m));
            }
            if reason.is_empty() || !matchers.iter().any(|(negated, _)| !negated) {
                return Err(bad("a rule needs a reason and at least one matcher"));
            }
            rules.push(Rule { reason, matchers });
        }
        Ok(Unsupported { rules })
    }

    /// The built-in rules.
    pub fn builtin() -> Result<Unsupported, TckError> {
        Unsupported::parse(RULES)
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The reason of the first rule that matches the scenario.
    pub fn matches(&self, sc: &Scenario) -> Option<&str> {
        let queries: Vec<String> = sc.queries().map(str::to_lowercase).collect();
        let id = sc.id();
        self.rules
            .iter()
            .find(|r| {
                r.matchers.iter().all(|(negated, m)| {
                    let hit = match m {
                        Matcher::Feature(f) => sc.feature_path.contains(f.as_str()),
                        Matcher::Scenario(s) => sc.name.contains(s.as_str()),
                        Matcher::Query(q) => queries.iter().any(|t| t.contains(q.as_str())),
                        Matcher::Id(i) => &id == i,
                    };
                    hit != *negated
                })
            })
            .map(|r| r.reason.as_str())
    }
}
