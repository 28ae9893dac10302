//! Rendering query results for people and programs: aligned tables, CSV,
//! JSON and JSON lines. The CLI is the only crate that formats results.

use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use relgraph::{NodeValue, QueryResult, QueryStats, RelValue, ResultValue};
use serde_json::{json, Value as Json};

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table with a row count.
    Table,
    /// CSV with a header line.
    Csv,
    /// One JSON document: `{"columns": [...], "rows": [[...], ...]}`.
    Json,
    /// One JSON object per row, keyed by column name.
    Jsonl,
}

impl OutputFormat {
    /// Parses a format name (`table`, `csv`, `json`, `jsonl`).
    pub fn parse(s: &str) -> Option<OutputFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            "csv" => Some(OutputFormat::Csv),
            "json" => Some(OutputFormat::Json),
            "jsonl" => Some(OutputFormat::Jsonl),
            _ => None,
        }
    }
}

/// True if `statement` is an `EXPLAIN` (it returns a plan and runs nothing).
///
/// ```ignore
/// assert!(is_explain("  explain MATCH (n) RETURN n"));
/// ```
pub fn is_explain(statement: &str) -> bool {
    let t = statement.trim_start();
    t.len() >= 7
        && t[..7].eq_ignore_ascii_case("explain")
        && !t[7..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

/// Writes an `EXPLAIN` result: the plan text (table, CSV, JSON lines) or
/// the JSON document with its `plan` field.
pub fn write_plan(
    out: &mut dyn Write,
    result: &QueryResult,
    format: OutputFormat,
) -> io::Result<()> {
    match (format, &result.plan) {
        (OutputFormat::Json, _) => writeln!(out, "{}", to_json_document(result)),
        (_, Some(plan)) => writeln!(out, "{}", plan.trim_end()),
        (_, None) => writeln!(out, "(no plan returned)"),
    }
}

/// Most characters of one value a table shows. Longer values are cut with
/// a marker that says how long they are (CSV and JSON print them whole):
/// no one reads a megabyte in a table cell, and the table layout costs
/// time quadratic in a cell's width.
pub const MAX_CELL_CHARS: usize = 4096;

/// The table text (without the row count) of `columns` and rows of cell
/// texts already cut by [`display_cell`].
pub fn render_table(columns: &[String], rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(columns.iter().map(|c| display_cell(c.clone())));
    for row in rows {
        table.add_row(row);
    }
    table.to_string()
}

/// `text` cut to [`MAX_CELL_CHARS`] characters, with a marker when cut.
pub fn display_cell(mut text: String) -> String {
    let Some((cut, _)) = text.char_indices().nth(MAX_CELL_CHARS) else {
        return text;
    };
    let rest = text[cut..].chars().count();
    text.truncate(cut);
    let _ = write!(
        text,
        "… [cut: {rest} more characters; --format csv or json prints the whole value]"
    );
    text
}

/// "3 rows", "1 row", plus write counters when something changed, for a
/// result whose `rows` rows were printed.
///
/// ```ignore
/// assert_eq!(summary_line(&result, 1), "1 row");
/// ```
pub fn summary_line(result: &QueryResult, n: u64) -> String {
    let mut s = if result.columns.is_empty() {
        String::new()
    } else if n == 1 {
        "1 row".to_string()
    } else {
        format!("{n} rows")
    };
    let changes = stats_text(&result.stats);
    if !changes.is_empty() {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&changes);
    }
    if s.is_empty() {
        s.push_str("done");
    }
    s
}

/// What a write changed, e.g. "created 2 nodes, set 3 properties".
pub fn stats_text(stats: &QueryStats) -> String {
    let parts = [
        (stats.nodes_created, "created", "node"),
        (stats.nodes_deleted, "deleted", "node"),
        (stats.relationships_created, "created", "relationship"),
        (stats.relationships_deleted, "deleted", "relationship"),
        (stats.properties_set, "set", "property"),
        (stats.labels_added, "added", "label"),
        (stats.labels_removed, "removed", "label"),
        (stats.indexes_added, "added", "index"),
        (stats.indexes_removed, "removed", "index"),
        (stats.constraints_added, "added", "constraint"),
        (stats.constraints_removed, "removed", "constraint"),
    ];
    let mut out = Vec::new();
    for (n, verb, noun) in parts {
        if n > 0 {
            let noun = match (noun, n) {
                (_, 1) => noun.to_string(),
                ("property", _) => "properties".to_string(),
                ("index", _) => "indexes".to_string(),
                _ => format!("{noun}s"),
            };
            out.push(format!("{verb} {n} {noun}"));
        }
    }
    out.join(", ")
}

/// The JSON document `{"columns": [...], "rows": [[...], ...]}`.
pub fn to_json_document(result: &QueryResult) -> Json {
    let rows: Vec<Json> = result
        .rows
        .iter()
        .map(|r| Json::Array(r.iter().map(to_json).collect()))
        .collect();
    let mut doc = json!({ "columns": result.columns.iter().collect::<Vec<_>>(), "rows": rows });
    if let (Some(plan), Some(obj)) = (&result.plan, doc.as_object_mut()) {
        obj.insert("plan".into(), Json::String(plan.clone()));
    }
    doc
}

/// One value as JSON: integers as JSON integers, temporal values as ISO
/// strings, nodes as `{"id", "labels", "properties"}`, relationships as
/// `{"id", "type", "start", "end", "properties"}`, paths as alternating
/// node/relationship lists. Non-finite floats become strings.
pub fn to_json(v: &ResultValue) -> Json {
    match v {
        ResultValue::Null => Json::Null,
        ResultValue::Bool(b) => Json::Bool(*b),
        ResultValue::Int(i) => Json::from(*i),
        ResultValue::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or_else(|| Json::String(float_text(*f))),
        ResultValue::String(s) => Json::String(s.clone()),
        ResultValue::List(items) => Json::Array(items.iter().map(to_json).collect()),
        ResultValue::Map(m) => {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        ResultValue::Date(d) => Json::String(d.to_string()),
        ResultValue::LocalTime(t) => Json::String(t.to_string()),
        ResultValue::Time(t) => Json::String(t.to_string()),
        ResultValue::LocalDateTime(t) => Json::String(t.to_string()),
        ResultValue::DateTime(t) => Json::String(t.to_string()),
        ResultValue::Duration(d) => Json::String(d.to_string()),
        ResultValue::Node(n) => node_json(n),
        ResultValue::Relationship(r) => rel_json(r),
        ResultValue::Path(p) => {
            let mut items = Vec::with_capacity(p.nodes.len() + p.rels.len());
            for (i, n) in p.nodes.iter().enumerate() {
                items.push(node_json(n));
                if let Some(r) = p.rels.get(i) {
                    items.push(rel_json(r));
                }
            }
            Json::Array(items)
        }
    }
}

fn node_json(n: &NodeValue) -> Json {
    json!({
        "id": n.id,
        "labels": n.labels,
        "properties": Json::Object(n.properties.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    })
}

fn rel_json(r: &RelValue) -> Json {
    json!({
        "id": r.id,
        "type": r.rel_type,
        "start": r.start,
        "end": r.end,
        "properties": Json::Object(r.properties.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    })
}

/// A float as Cypher prints it: always with a decimal point or exponent.
fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        let s = f.to_string();
        if s.contains(['.', 'e', 'E']) {
            s
        } else {
            format!("{s}.0")
        }
    }
}

/// A value as a table cell: top-level strings without quotes, everything
/// else in Cypher literal notation.
pub fn cell_text(v: &ResultValue) -> String {
    match v {
        ResultValue::String(s) => s.clone(),
        other => literal_text(other),
    }
}

/// A value in Cypher literal notation (`'text'`, `[1, 2]`, `{a: 1}`,
/// `(:Person {name: 'Ada'})`, `[:KNOWS {since: 2020}]`).
pub fn literal_text(v: &ResultValue) -> String {
    let mut s = String::new();
    write_literal(&mut s, v);
    s
}

fn write_literal(s: &mut String, v: &ResultValue) {
    match v {
        ResultValue::Null => s.push_str("null"),
        ResultValue::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        ResultValue::Int(i) => {
            let _ = write!(s, "{i}");
        }
        ResultValue::Float(f) => s.push_str(&float_text(*f)),
        ResultValue::String(t) => {
            s.push('\'');
            for c in t.chars() {
                match c {
                    '\'' => s.push_str("\\'"),
                    '\\' => s.push_str("\\\\"),
                    '\n' => s.push_str("\\n"),
                    '\t' => s.push_str("\\t"),
                    '\r' => s.push_str("\\r"),
                    c => s.push(c),
                }
            }
            s.push('\'');
        }
        ResultValue::List(items) => {
            s.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_literal(s, item);
            }
            s.push(']');
        }
        ResultValue::Map(m) => write_map(s, m.iter()),
        ResultValue::Date(d) => {
            let _ = write!(s, "{d}");
        }
        ResultValue::LocalTime(t) => {
            let _ = write!(s, "{t}");
        }
        ResultValue::Time(t) => {
            let _ = write!(s, "{t}");
        }
        ResultValue::LocalDateTime(t) => {
            let _ = write!(s, "{t}");
        }
        ResultValue::DateTime(t) => {
            let _ = write!(s, "{t}");
        }
        ResultValue::Duration(d) => {
            let _ = write!(s, "{d}");
        }
        ResultValue::Node(n) => write_node(s, n),
        ResultValue::Relationship(r) => write_rel(s, r),
        ResultValue::Path(p) => {
            for (i, n) in p.nodes.iter().enumerate() {
                write_node(s, n);
                if let Some(r) = p.rels.get(i) {
                    let forward = r.start == n.id;
                    s.push_str(if forward { "-" } else { "<-" });
                    write_rel(s, r);
                    s.push_str(if forward { "->" } else { "-" });
                }
            }
        }
    }
}

fn write_map<'a>(s: &mut String, entries: impl Iterator<Item = (&'a String, &'a ResultValue)>) {
    s.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(k);
        s.push_str(": ");
        write_literal(s, v);
    }
    s.push('}');
}

fn write_node(s: &mut String, n: &NodeValue) {
    s.push('(');
    for l in &n.labels {
        s.push(':');
        s.push_str(l);
    }
    if !n.properties.is_empty() {
        if !n.labels.is_empty() {
            s.push(' ');
        }
        write_map(s, n.properties.iter());
    }
    s.push(')');
}

fn write_rel(s: &mut String, r: &RelValue) {
    s.push_str("[:");
    s.push_str(&r.rel_type);
    if !r.properties.is_empty() {
        s.push(' ');
        write_map(s, r.properties.iter());
    }
    s.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::result;
    use std::collections::BTreeMap;

    fn table(r: &QueryResult) -> String {
        let rows: Vec<Vec<String>> = r
            .rows
            .iter()
            .map(|row| row.iter().map(|v| display_cell(cell_text(v))).collect())
            .collect();
        render_table(&r.columns, &rows)
    }

    fn ada() -> NodeValue {
        let mut properties = BTreeMap::new();
        properties.insert("name".to_string(), ResultValue::String("Ada".into()));
        NodeValue {
            id: 7,
            labels: vec!["Person".into()],
            properties,
        }
    }

    #[test]
    fn nodes_and_relationships_as_json_objects() {
        let rel = RelValue {
            id: 1,
            rel_type: "KNOWS".into(),
            start: 7,
            end: 8,
            properties: BTreeMap::new(),
        };
        assert_eq!(
            to_json(&ResultValue::Node(ada())),
            json!({"id": 7, "labels": ["Person"], "properties": {"name": "Ada"}})
        );
        assert_eq!(
            to_json(&ResultValue::Relationship(rel)),
            json!({"id": 1, "type": "KNOWS", "start": 7, "end": 8, "properties": {}})
        );
    }

    #[test]
    fn literal_notation() {
        let list = ResultValue::List(vec![
            ResultValue::String("it's".into()),
            ResultValue::Float(2.0),
            ResultValue::Null,
        ]);
        assert_eq!(literal_text(&list), r"['it\'s', 2.0, null]");
        assert_eq!(
            cell_text(&ResultValue::Node(ada())),
            "(:Person {name: 'Ada'})"
        );
        assert_eq!(float_text(f64::NAN), "NaN");
        assert_eq!(
            to_json(&ResultValue::Float(f64::INFINITY)),
            json!("Infinity")
        );
    }

    #[test]
    fn paths_show_direction() {
        let mut b = ada();
        b.id = 8;
        let rel = RelValue {
            id: 1,
            rel_type: "KNOWS".into(),
            start: 8,
            end: 7,
            properties: BTreeMap::new(),
        };
        let p = ResultValue::Path(relgraph::PathValue {
            nodes: vec![ada(), b],
            rels: vec![rel],
        });
        assert_eq!(
            cell_text(&p),
            "(:Person {name: 'Ada'})<-[:KNOWS]-(:Person {name: 'Ada'})"
        );
    }

    #[test]
    fn wide_cells_are_cut_with_a_marker() {
        let wide = "x".repeat(10 << 20);
        let r = result(
            &["s", "n"],
            vec![vec![
                ResultValue::String(wide.clone()),
                ResultValue::List(vec![ResultValue::String("é".repeat(5000))]),
            ]],
        );
        let t = table(&r);
        assert!(t.len() < 200_000, "{} bytes", t.len());
        let kept = "x".repeat(MAX_CELL_CHARS);
        assert!(
            t.contains(&format!(
                "{kept}… [cut: {} more characters",
                (10 << 20) - MAX_CELL_CHARS
            )),
            "{}",
            &t[..200]
        );
        // Cut on a character boundary; the literal's quote and bracket are
        // past the cut.
        assert!(t.contains(&format!(
            "['{}… [cut: 908 more characters",
            "é".repeat(MAX_CELL_CHARS - 2)
        )));
        // Narrow cells are untouched, and CSV prints the value whole.
        assert!(table(&result(
            &["s"],
            vec![vec![ResultValue::String("abc".into())]]
        ))
        .contains("│ abc │"));
        let mut out = Vec::new();
        crate::output::write_result(&mut out, &r, OutputFormat::Csv).unwrap();
        assert!(out.len() > 10 << 20);
    }

    #[test]
    fn explain_detection() {
        assert!(is_explain("  explain MATCH (n) RETURN n"));
        assert!(is_explain("EXPLAIN\nMATCH (n) RETURN n"));
        assert!(!is_explain("EXPLAINED"));
        assert!(!is_explain("PROFILE MATCH (n) RETURN n"));
        assert!(!is_explain("RETURN 1"));
    }

    #[test]
    fn write_counters() {
        let stats = QueryStats {
            nodes_created: 2,
            properties_set: 1,
            ..QueryStats::default()
        };
        assert_eq!(stats_text(&stats), "created 2 nodes, set 1 property");
    }
}
