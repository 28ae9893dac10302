//! Printing a result as its rows arrive ([`ResultWriter`], a
//! [`RowSink`]): CSV, JSON and JSON lines are written row by row and never
//! held; a table has to see every row to align its columns, so it keeps
//! the (cut) cell texts, and charges them to the statement's memory budget.

use std::io::{self, Write};
use std::ops::ControlFlow;

use relgraph::{QueryResult, ResultValue, RowSink};
use serde_json::{Map as JsonMap, Value as Json};

use crate::format::{cell_text, display_cell, render_table, summary_line, to_json, OutputFormat};
use crate::limits::size_text;

/// Why printing a result stopped.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing failed (a closed pipe, a full disk).
    #[error("cannot write output: {0}")]
    Io(#[from] io::Error),
    /// The table's cells would pass the memory budget.
    #[error(
        "the table would need more than the memory budget of {} after {rows} rows; \
         --format csv, json or jsonl print rows as they come and hold none",
        size_text(*budget)
    )]
    TableOverBudget {
        /// Rows seen when the budget was passed.
        rows: u64,
        /// The budget, in bytes.
        budget: u64,
    },
}

/// Bytes a table holds per byte of cell text: the cell strings, comfy-table's
/// copy of them and the rendered text.
const TABLE_COPIES: u64 = 3;

/// Where the rows go.
enum Out<'w> {
    Plain(&'w mut dyn Write),
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
}

/// Prints rows in one [`OutputFormat`] as a statement produces them; see
/// the module documentation. Feed it to `Database::query_streaming`, then
/// call [`ResultWriter::finish`] with the statement's result.
///
/// ```ignore
/// let mut w = ResultWriter::new(&mut out, OutputFormat::Csv, None);
/// let result = db.query_streaming(text, &params, &options, &mut w)?;
/// w.finish(&result, "")?;
/// ```
pub struct ResultWriter<'w> {
    out: Out<'w>,
    format: OutputFormat,
    columns: Vec<String>,
    rows: u64,
    /// Table format: the cut cell texts, their bytes, and the budget.
    cells: Vec<Vec<String>>,
    cell_bytes: u64,
    budget: Option<u64>,
    error: Option<OutputError>,
}

impl<'w> ResultWriter<'w> {
    /// A writer to `out`; `budget` (bytes) bounds what a table may hold.
    pub fn new(out: &'w mut dyn Write, format: OutputFormat, budget: Option<u64>) -> Self {
        let out = match format {
            OutputFormat::Csv => Out::Csv(Box::new(csv::Writer::from_writer(out))),
            _ => Out::Plain(out),
        };
        ResultWriter {
            out,
            format,
            columns: Vec::new(),
            rows: 0,
            cells: Vec::new(),
            cell_bytes: 0,
            budget,
            error: None,
        }
    }

    fn try_columns(&mut self) -> Result<(), OutputError> {
        match (&mut self.out, self.format) {
            (Out::Csv(w), _) if !self.columns.is_empty() => {
                w.write_record(&self.columns).map_err(io::Error::from)?
            }
            (Out::Plain(out), OutputFormat::Json) => write!(
                out,
                "{{\"columns\":{},\"rows\":[",
                Json::from(self.columns.clone())
            )?,
            _ => {}
        }
        Ok(())
    }

    fn try_row(&mut self, row: Vec<ResultValue>) -> Result<(), OutputError> {
        match (&mut self.out, self.format) {
            (Out::Csv(w), _) => w
                .write_record(row.iter().map(|v| match v {
                    ResultValue::Null => String::new(),
                    other => cell_text(other),
                }))
                .map_err(io::Error::from)?,
            (Out::Plain(out), OutputFormat::Json) => {
                let sep = if self.rows == 0 { "" } else { "," };
                write!(
                    out,
                    "{sep}{}",
                    Json::Array(row.iter().map(to_json).collect())
                )?;
            }
            (Out::Plain(out), OutputFormat::Jsonl) => {
                let mut obj = JsonMap::new();
                for (c, v) in self.columns.iter().zip(&row) {
                    obj.insert(c.clone(), to_json(v));
                }
                writeln!(out, "{}", Json::Object(obj))?;
            }
            (Out::Plain(_), _) => {
                let cells: Vec<String> = row.iter().map(|v| display_cell(cell_text(v))).collect();
                self.cell_bytes += cells.iter().map(|c| c.len() as u64 + 24).sum::<u64>();
                if let Some(budget) = self.budget {
                    if self.cell_bytes * TABLE_COPIES > budget {
                        return Err(OutputError::TableOverBudget {
                            rows: self.rows + 1,
                            budget,
                        });
                    }
                }
                self.cells.push(cells);
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Ends the output with what only the end knows (the table, its row
    /// count and write counters followed by `note`, the JSON document's
    /// close, a PROFILE plan); the first error met while printing, if any.
    pub fn finish(mut self, result: &QueryResult, note: &str) -> Result<(), OutputError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match (&mut self.out, self.format) {
            (Out::Csv(w), _) => w.flush()?,
            (Out::Plain(out), OutputFormat::Json) => {
                write!(out, "]")?;
                if let Some(plan) = &result.plan {
                    write!(out, ",\"plan\":{}", Json::String(plan.clone()))?;
                }
                writeln!(out, "}}")?;
            }
            (Out::Plain(_), OutputFormat::Jsonl) => {}
            (Out::Plain(out), _) => {
                if !self.columns.is_empty() {
                    writeln!(out, "{}", render_table(&self.columns, &self.cells))?;
                }
                if let Some(plan) = &result.plan {
                    writeln!(out, "{}", plan.trim_end())?;
                }
                writeln!(out, "{}{note}", summary_line(result, self.rows))?;
            }
        }
        Ok(())
    }
}

impl RowSink for ResultWriter<'_> {
    fn columns(&mut self, columns: &[String]) {
        self.columns = columns.to_vec();
        if let Err(e) = self.try_columns() {
            self.error = Some(e);
        }
    }

    fn row(&mut self, row: Vec<ResultValue>) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match self.try_row(row) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// Writes a whole result (already collected) to `out` in `format`, as
/// [`ResultWriter`] prints it row by row; tables end with the row count
/// (the shell's `:watch` notifications).
pub(crate) fn write_result(
    out: &mut dyn Write,
    result: &QueryResult,
    format: OutputFormat,
) -> Result<(), OutputError> {
    let mut w = ResultWriter::new(out, format, None);
    w.columns(&result.columns);
    for row in &result.rows {
        if w.row(row.clone()).is_break() {
            break;
        }
    }
    w.finish(result, "")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Arc;

    /// A collected result with these columns and rows.
    pub(crate) fn result(columns: &[&str], rows: Vec<Vec<ResultValue>>) -> QueryResult {
        QueryResult {
            columns: Arc::from(columns.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
            rows,
            ..QueryResult::default()
        }
    }

    fn written(r: &QueryResult, format: OutputFormat) -> String {
        let mut out = Vec::new();
        write_result(&mut out, r, format).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_document_keeps_integers_integral() {
        let r = result(
            &["n", "x"],
            vec![
                vec![ResultValue::Int(3), ResultValue::Float(1.5)],
                vec![ResultValue::Null, ResultValue::Int(-1)],
            ],
        );
        assert_eq!(
            written(&r, OutputFormat::Json),
            "{\"columns\":[\"n\",\"x\"],\"rows\":[[3,1.5],[null,-1]]}\n"
        );
        let empty = result(&[], vec![]);
        assert_eq!(
            written(&empty, OutputFormat::Json),
            "{\"columns\":[],\"rows\":[]}\n"
        );
    }

    #[test]
    fn csv_and_jsonl() {
        let r = result(
            &["a", "b"],
            vec![vec![ResultValue::String("x,y".into()), ResultValue::Null]],
        );
        assert_eq!(written(&r, OutputFormat::Csv), "a,b\n\"x,y\",\n");
        assert_eq!(
            written(&r, OutputFormat::Jsonl),
            "{\"a\":\"x,y\",\"b\":null}\n"
        );
        // A statement without columns prints nothing in CSV.
        assert_eq!(written(&result(&[], vec![]), OutputFormat::Csv), "");
    }

    #[test]
    fn table_has_header_cells_and_count() {
        let r = result(&["name"], vec![vec![ResultValue::String("Ada".into())]]);
        let t = written(&r, OutputFormat::Table);
        assert!(t.contains("name") && t.contains("Ada"), "{t}");
        assert!(t.ends_with("\n1 row\n"), "{t}");
    }

    #[test]
    fn a_table_over_the_memory_budget_is_an_error() {
        let row = vec![ResultValue::String("x".repeat(1000))];
        let mut out = Vec::new();
        let mut w = ResultWriter::new(&mut out, OutputFormat::Table, Some(100_000));
        w.columns(&["s".to_string()]);
        let mut accepted = 0;
        while w.row(row.clone()).is_continue() {
            accepted += 1;
        }
        // 1,024 bytes per row, three copies: 32 rows fit in 100,000 bytes.
        assert_eq!(accepted, 32);
        let err = w.finish(&result(&["s"], vec![]), "").unwrap_err();
        assert!(
            err.to_string().contains("more than the memory budget"),
            "{err}"
        );
        // Nothing of the table was printed.
        assert!(out.is_empty());
        // CSV holds nothing, so the same rows print under the same budget.
        let mut out = Vec::new();
        let mut w = ResultWriter::new(&mut out, OutputFormat::Csv, Some(100_000));
        w.columns(&["s".to_string()]);
        for _ in 0..1000 {
            assert!(w.row(row.clone()).is_continue());
        }
        w.finish(&result(&["s"], vec![]), "").unwrap();
        assert!(out.len() > 1_000_000);
    }
}
