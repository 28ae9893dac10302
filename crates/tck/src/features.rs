//! Loading feature files: the backslash pre-pass, gherkin parsing, Scenario
//! Outline expansion and Background steps.
//!
//! The result is a flat list of [`Scenario`]s, each with the complete list of
//! steps it runs (Background first), with outline placeholders substituted.

use std::path::{Path, PathBuf};

use gherkin::{Feature, GherkinEnv};

use crate::TckError;

/// One step as written (after outline substitution).
#[derive(Clone, Debug, PartialEq)]
pub struct RawStep {
    /// `Given`, `When`, `Then`, `And`, `But`.
    pub keyword: String,
    /// The text after the keyword.
    pub text: String,
    /// The doc string (`"""` block), if any.
    pub docstring: Option<String>,
    /// The table rows, if any (cells already unescaped by gherkin).
    pub table: Option<Vec<Vec<String>>>,
}

/// One runnable scenario: a plain scenario, or one Examples row of an outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The feature file path relative to the features directory, with `/`.
    pub feature_path: String,
    /// The feature's name (e.g. `Match1 - Match nodes`).
    pub feature_name: String,
    /// The scenario's name as written (e.g. `[1] Match non-existent nodes returns empty`).
    pub name: String,
    /// For an outline: the 1-based number of the Examples row (counted across
    /// all Examples blocks of the outline).
    pub example: Option<usize>,
    /// Tags of the scenario (and of its Examples block), without `@`.
    pub tags: Vec<String>,
    /// The line where the scenario starts.
    pub line: usize,
    /// Background steps followed by the scenario's steps.
    pub steps: Vec<RawStep>,
}

impl Scenario {
    /// A stable identity used by the baseline file:
    /// `path :: name` or `path :: name :: #row`.
    ///
    /// ```
    /// use relgraph_tck::features::Scenario;
    /// let s = Scenario { feature_path: "a/B1.feature".into(), feature_name: "B1".into(),
    ///     name: "[1] x".into(), example: Some(2), tags: vec![], line: 3, steps: vec![] };
    /// assert_eq!(s.id(), "a/B1.feature :: [1] x :: #2");
    /// ```
    pub fn id(&self) -> String {
        match self.example {
            Some(row) => format!("{} :: {} :: #{}", self.feature_path, self.name, row),
            None => format!("{} :: {}", self.feature_path, self.name),
        }
    }

    /// The feature file's stem (`Match1` for `clauses/match/Match1.feature`).
    pub fn feature_stem(&self) -> &str {
        let file = self
            .feature_path
            .rsplit('/')
            .next()
            .unwrap_or(&self.feature_path);
        file.strip_suffix(".feature").unwrap_or(file)
    }

    /// All query texts of the scenario (setup, query, control query).
    pub fn queries(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().filter_map(|s| s.docstring.as_deref())
    }
}

/// Makes a feature file parseable by `gherkin` 0.16 with cucumber's meaning:
/// inside table rows, gherkin accepts only the escapes `\n`, `\|` and `\\`
/// and rejects any other backslash, whereas cucumber keeps an unknown escape
/// as written. Doubling every other backslash in table rows gives cucumber's
/// result. Doc strings and other lines are left alone. Carriage returns are
/// dropped.
///
/// ```
/// use relgraph_tck::features::preprocess;
/// assert_eq!(preprocess("  | '\\'' | \\n |\n"), "  | '\\\\'' | \\n |\n");
/// ```
pub fn preprocess(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_docstring = false;
    for line in text.split_inclusive('\n') {
        let line = line.replace('\r', "");
        let trimmed = line.trim_start();
        if trimmed.starts_with("\"\"\"") || trimmed.starts_with("```") {
            in_docstring = !in_docstring;
            out.push_str(&line);
            continue;
        }
        if in_docstring || !trimmed.starts_with('|') {
            out.push_str(&line);
            continue;
        }
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.peek() {
                Some(&next @ ('n' | '|' | '\\')) => {
                    out.push('\\');
                    out.push(next);
                    chars.next();
                }
                _ => out.push_str("\\\\"),
            }
        }
    }
    out
}

/// Parses one feature file's text into runnable scenarios.
///
/// `feature_path` is the path used in scenario ids.
///
/// ```
/// use relgraph_tck::features::parse_feature;
/// let text = "Feature: F\n\n  Scenario: [1] s\n    Given an empty graph\n";
/// let scenarios = parse_feature(text, "x/F.feature").unwrap();
/// assert_eq!(scenarios.len(), 1);
/// assert_eq!(scenarios[0].steps[0].text, "an empty graph");
/// ```
pub fn parse_feature(text: &str, feature_path: &str) -> Result<Vec<Scenario>, TckError> {
    let pre = preprocess(text);
    let feature = Feature::parse(&pre, GherkinEnv::default()).map_err(|e| TckError::Parse {
        path: feature_path.to_string(),
        message: e.to_string(),
    })?;
    Ok(expand(&feature, feature_path))
}

fn convert_steps(steps: &[gherkin::Step]) -> Vec<RawStep> {
    steps
        .iter()
        .map(|s| RawStep {
            keyword: s.keyword.trim().to_string(),
            text: s.value.trim().to_string(),
            docstring: s
                .docstring
                .as_ref()
                .map(|d| d.replace('\r', "").trim_matches('\n').to_string()),
            table: s.table.as_ref().map(|t| t.rows.clone()),
        })
        .collect()
}

fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    let mut out = text.to_string();
    for (name, value) in header.iter().zip(row) {
        out = out.replace(&format!("<{name}>"), value);
    }
    out
}

fn substitute_step(step: &RawStep, header: &[String], row: &[String]) -> RawStep {
    RawStep {
        keyword: step.keyword.clone(),
        text: substitute(&step.text, header, row),
        docstring: step.docstring.as_ref().map(|d| substitute(d, header, row)),
        table: step.table.as_ref().map(|t| {
            t.iter()
                .map(|r| r.iter().map(|c| substitute(c, header, row)).collect())
                .collect()
        }),
    }
}

fn expand(feature: &Feature, feature_path: &str) -> Vec<Scenario> {
    let background = feature
        .background
        .as_ref()
        .map(|b| convert_steps(&b.steps))
        .unwrap_or_default();
    let mut out = Vec::new();
    let all_scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| r.scenarios.iter()));
    for sc in all_scenarios {
        let own = convert_steps(&sc.steps);
        let tags: Vec<String> = feature.tags.iter().chain(&sc.tags).cloned().collect();
        if sc.examples.is_empty() {
            out.push(Scenario {
                feature_path: feature_path.to_string(),
                feature_name: feature.name.clone(),
                name: sc.name.clone(),
                example: None,
                tags,
                line: sc.position.line,
                steps: background.iter().chain(&own).cloned().collect(),
            });
            continue;
        }
        let mut row_no = 0;
        for ex in &sc.examples {
            let Some(table) = &ex.table else { continue };
            let Some((header, rows)) = table.rows.split_first() else {
                continue;
            };
            let ex_tags: Vec<String> = tags.iter().chain(&ex.tags).cloned().collect();
            for row in rows {
                row_no += 1;
                out.push(Scenario {
                    feature_path: feature_path.to_string(),
                    feature_name: feature.name.clone(),
                    name: sc.name.clone(),
                    example: Some(row_no),
                    tags: ex_tags.clone(),
                    line: sc.position.line,
                    steps: background
                        .iter()
                        .chain(&own)
                        .map(|s| substitute_step(s, header, row))
                        .collect(),
                });
            }
        }
    }
    out
}

/// Every `*.feature` file under `dir`, sorted, as (absolute path, relative path with `/`).
pub fn feature_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, TckError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| TckError::Io {
            path: d.clone(),
            source: e,
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| TckError::Io {
                path: d.clone(),
                source: e,
            })?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "feature") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((path, rel));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Loads and expands every feature file under `dir`, in a stable order.
pub fn load_all(dir: &Path) -> Result<Vec<Scenario>, TckError> {
    let mut out = Vec::new();
    for (path, rel) in feature_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|e| TckError::Io {
            path: path.clone(),
            source: e,
        })?;
        out.extend(parse_feature(&text, &rel)?);
    }
    Ok(out)
}
