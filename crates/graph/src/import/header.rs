//! Header lines in the neo4j-admin import convention: `name:TYPE`,
//! `:ID(Space)`, `id:ID(Space)`, `:START_ID(Space)`, `:END_ID(Space)`,
//! `:LABEL`, `:TYPE`, `:IGNORE`, and array types such as `string[]`.

use std::path::Path;

use crate::catalog::Catalog;
use crate::error::{GraphError, Result};
use crate::ids::PropKeyId;

/// The scalar type of a typed property column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarType {
    /// An integer that must fit in the given number of bits (8, 16, 32, 64).
    Int(u8),
    /// `float` and `double`, both stored as 64-bit floats.
    Float,
    /// `boolean`.
    Bool,
    /// `string` (also `char`).
    String,
    /// `date`.
    Date,
    /// `localtime`.
    LocalTime,
    /// `time` (with an offset).
    Time,
    /// `datetime` (with an offset, `Z` when absent).
    DateTime,
    /// `localdatetime`.
    LocalDateTime,
    /// `duration`.
    Duration,
}

impl ScalarType {
    /// Parses a type name (case-insensitive), without the `[]` suffix.
    fn parse(name: &str) -> Option<ScalarType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "int" => ScalarType::Int(32),
            "long" => ScalarType::Int(64),
            "short" => ScalarType::Int(16),
            "byte" => ScalarType::Int(8),
            "float" | "double" => ScalarType::Float,
            "boolean" => ScalarType::Bool,
            "string" | "char" => ScalarType::String,
            "date" => ScalarType::Date,
            "localtime" => ScalarType::LocalTime,
            "time" => ScalarType::Time,
            "datetime" => ScalarType::DateTime,
            "localdatetime" => ScalarType::LocalDateTime,
            "duration" => ScalarType::Duration,
            _ => return None,
        })
    }
}

/// The type of a property column: a scalar or an array of scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldType {
    /// The element type.
    pub scalar: ScalarType,
    /// True for `type[]` columns, split by the array delimiter.
    pub array: bool,
}

/// What one column of a file means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    /// A typed property.
    Property { key: PropKeyId, ty: FieldType },
    /// A node's import id in an id space; `key` is set for `name:ID(...)`,
    /// whose value is also stored as a property.
    Id {
        space: usize,
        key: Option<PropKeyId>,
    },
    /// A relationship's start node id.
    StartId { space: usize },
    /// A relationship's end node id.
    EndId { space: usize },
    /// Extra labels, separated by the array delimiter.
    Label,
    /// The relationship type.
    Type,
    /// A column that is read and dropped.
    Ignore,
}

/// Whether a header belongs to a node or a relationship file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Nodes,
    Relationships,
}

/// A parsed header: one [`Column`] per field, plus the positions of the
/// special columns.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub columns: Vec<Column>,
    pub id: Option<usize>,
    pub start: Option<usize>,
    pub end: Option<usize>,
}

/// Id spaces by name, numbered in first-seen order. The unnamed space is "".
#[derive(Clone, Debug, Default)]
pub(crate) struct IdSpaces {
    pub names: Vec<String>,
}

impl IdSpaces {
    /// The number of `name`, registering it if new.
    pub fn intern(&mut self, name: &str) -> usize {
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i;
        }
        self.names.push(name.to_string());
        self.names.len() - 1
    }
}

/// Splits `name:TYPE` at the last `:` outside parentheses.
fn split_field(field: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut split = None;
    for (i, c) in field.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth == 0 => split = Some(i),
            _ => {}
        }
    }
    match split {
        Some(i) => (&field[..i], Some(&field[i + 1..])),
        None => (field, None),
    }
}

/// Reads `ID`, `ID(Space)` style specs: returns the keyword and the space.
fn keyword_and_space(spec: &str) -> (String, Option<&str>) {
    match spec.find('(') {
        Some(open) if spec.ends_with(')') => (
            spec[..open].trim().to_ascii_uppercase(),
            Some(spec[open + 1..spec.len() - 1].trim()),
        ),
        _ => (spec.trim().to_ascii_uppercase(), None),
    }
}

/// Parses a header record. `file` is only used in errors; the header is
/// on line 1 of it.
pub(crate) fn parse_header(
    file: &Path,
    fields: &[String],
    kind: FileKind,
    catalog: &mut Catalog,
    spaces: &mut IdSpaces,
) -> Result<Header> {
    let err = |column: usize, reason: String| GraphError::Import {
        file: file.to_path_buf(),
        line: 1,
        column: column as u64 + 1,
        reason,
    };
    let mut header = Header {
        columns: Vec::with_capacity(fields.len()),
        id: None,
        start: None,
        end: None,
    };
    let mut seen_names: Vec<&str> = Vec::new();
    let mut has_label = false;
    let mut has_type = false;
    for (i, raw) in fields.iter().enumerate() {
        let field = raw.trim_start_matches('\u{feff}').trim();
        let (name, spec) = split_field(field);
        let name = name.trim();
        let column = match spec {
            None => {
                if name.is_empty() {
                    return Err(err(i, "empty header field".into()));
                }
                Column::Property {
                    key: catalog.intern_prop_key(name),
                    ty: FieldType {
                        scalar: ScalarType::String,
                        array: false,
                    },
                }
            }
            Some(spec) => {
                let (keyword, space) = keyword_and_space(spec);
                let is_id = matches!(keyword.as_str(), "ID" | "START_ID" | "END_ID");
                let space_id = if is_id {
                    spaces.intern(space.unwrap_or(""))
                } else {
                    0
                };
                match keyword.as_str() {
                    "ID" => {
                        if kind != FileKind::Nodes {
                            return Err(err(i, "an :ID column belongs in a node file".into()));
                        }
                        if header.id.is_some() {
                            return Err(err(i, "more than one :ID column".into()));
                        }
                        header.id = Some(i);
                        let key = (!name.is_empty()).then(|| catalog.intern_prop_key(name));
                        Column::Id {
                            space: space_id,
                            key,
                        }
                    }
                    "START_ID" | "END_ID" => {
                        if kind != FileKind::Relationships {
                            return Err(err(
                                i,
                                format!(":{keyword} belongs in a relationship file"),
                            ));
                        }
                        let slot = if keyword == "START_ID" {
                            &mut header.start
                        } else {
                            &mut header.end
                        };
                        if slot.is_some() {
                            return Err(err(i, format!("more than one :{keyword} column")));
                        }
                        *slot = Some(i);
                        if keyword == "START_ID" {
                            Column::StartId { space: space_id }
                        } else {
                            Column::EndId { space: space_id }
                        }
                    }
                    "LABEL" if space.is_none() => {
                        if kind != FileKind::Nodes || has_label {
                            return Err(err(i, "unexpected :LABEL column".into()));
                        }
                        has_label = true;
                        Column::Label
                    }
                    "TYPE" if space.is_none() => {
                        if kind != FileKind::Relationships || has_type {
                            return Err(err(i, "unexpected :TYPE column".into()));
                        }
                        has_type = true;
                        Column::Type
                    }
                    "IGNORE" if space.is_none() => Column::Ignore,
                    _ => {
                        if space.is_some() {
                            return Err(err(i, format!("unknown header type '{spec}'")));
                        }
                        let (base, array) = match spec.trim().strip_suffix("[]") {
                            Some(b) => (b, true),
                            None => (spec.trim(), false),
                        };
                        let scalar = ScalarType::parse(base)
                            .ok_or_else(|| err(i, format!("unknown property type '{spec}'")))?;
                        if name.is_empty() {
                            return Err(err(i, format!("a :{spec} column needs a property name")));
                        }
                        Column::Property {
                            key: catalog.intern_prop_key(name),
                            ty: FieldType { scalar, array },
                        }
                    }
                }
            }
        };
        if let Column::Property { .. } | Column::Id { key: Some(_), .. } = column {
            if seen_names.contains(&name) {
                return Err(err(
                    i,
                    format!("property '{name}' appears twice in the header"),
                ));
            }
            seen_names.push(name);
        }
        header.columns.push(column);
    }
    if kind == FileKind::Relationships {
        if header.start.is_none() {
            return Err(err(
                fields.len(),
                "a relationship file needs a :START_ID column".into(),
            ));
        }
        if header.end.is_none() {
            return Err(err(
                fields.len(),
                "a relationship file needs an :END_ID column".into(),
            ));
        }
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(fields: &[&str], kind: FileKind) -> Result<(Header, Catalog, IdSpaces)> {
        let mut c = Catalog::default();
        let mut s = IdSpaces::default();
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let h = parse_header(Path::new("f.csv"), &fields, kind, &mut c, &mut s)?;
        Ok((h, c, s))
    }

    #[test]
    fn node_header_forms() {
        let (h, c, s) = parse(
            &[
                "id:ID(Person)",
                "name",
                "age:int",
                "tags:string[]",
                ":LABEL",
                ":IGNORE",
                "born:Date",
            ],
            FileKind::Nodes,
        )
        .expect("valid header");
        assert_eq!(h.id, Some(0));
        assert_eq!(s.names, vec!["Person".to_string()]);
        assert!(matches!(
            h.columns[0],
            Column::Id {
                space: 0,
                key: Some(_)
            }
        ));
        assert_eq!(
            h.columns[2],
            Column::Property {
                key: c.prop_key_id("age").expect("interned"),
                ty: FieldType {
                    scalar: ScalarType::Int(32),
                    array: false
                }
            }
        );
        assert!(matches!(
            h.columns[3],
            Column::Property {
                ty: FieldType { array: true, .. },
                ..
            }
        ));
        assert_eq!(h.columns[4], Column::Label);
        assert_eq!(h.columns[5], Column::Ignore);
        assert!(matches!(
            h.columns[6],
            Column::Property {
                ty: FieldType {
                    scalar: ScalarType::Date,
                    ..
                },
                ..
            }
        ));
    }

    #[test]
    fn rel_header_needs_both_ends() {
        let e = parse(&[":START_ID(A)", "w:float"], FileKind::Relationships).unwrap_err();
        assert!(e.to_string().contains(":END_ID"), "{e}");
        let (h, _, s) = parse(
            &[":START_ID(A)", ":END_ID(B)", ":TYPE"],
            FileKind::Relationships,
        )
        .expect("valid header");
        assert_eq!((h.start, h.end), (Some(0), Some(1)));
        assert_eq!(s.names, vec!["A".to_string(), "B".to_string()]);
    }

    #[test]
    fn bad_headers_name_the_column() {
        let e = parse(&["id:ID", "x:unknowntype"], FileKind::Nodes).unwrap_err();
        match e {
            GraphError::Import { line, column, .. } => assert_eq!((line, column), (1, 2)),
            other => panic!("unexpected {other}"),
        }
        assert!(parse(&[":START_ID"], FileKind::Nodes).is_err());
        assert!(parse(&["a:ID", "b:ID"], FileKind::Nodes).is_err());
        assert!(parse(&["a", "a:int"], FileKind::Nodes).is_err());
    }
}
