//! `documents.jsonl`: one JSON object per document, its entities nested.
//!
//! The keys are the columns of `documents.csv` in order, then `entities`: an
//! array of objects with the columns of `entities.csv` less `document`. A field
//! the document does not have is `null`; `parties` is an array of names. Counts,
//! offsets, boxes and confidences are JSON numbers. Dates are ISO strings (JSON
//! has no date). Amounts are decimal strings (`"1469.10"`), because most JSON
//! readers (JavaScript, pandas, jq) turn a JSON number into a binary float:
//! `1469.10` would come back as `1469.1` and sums would drift by fractions of a
//! cent. A string keeps the amount exact and its number of decimals; readers
//! convert it with their decimal type.

use std::io::Write;
use std::path::Path;

use docex_core::DocumentRows;
use serde_json::Value;

use crate::cells::{clean_rows, document_cells, entity_cells, Cell};
use crate::{write_atomically, OutputError, DOCUMENT_COLUMNS, ENTITY_COLUMNS};

/// The JSON Lines table `documents.jsonl`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonlTables;

impl JsonlTables {
    /// Writes `documents.jsonl` of `rows` into `dir` (which must exist), atomically.
    pub fn write(&self, dir: &Path, rows: &[DocumentRows]) -> Result<(), OutputError> {
        let path = dir.join("documents.jsonl");
        let rows = &*clean_rows(rows);
        write_atomically(&path, |w| {
            for r in rows {
                w.write_all(document_line(r).as_bytes())
                    .and_then(|()| w.write_all(b"\n"))
                    .map_err(|source| OutputError::Io {
                        path: path.display().to_string(),
                        source,
                    })?;
            }
            Ok(())
        })
    }
}

/// One document's line (without the newline).
pub(crate) fn document_line(r: &DocumentRows) -> String {
    let fields = DOCUMENT_COLUMNS
        .iter()
        .zip(document_cells(&r.document_row))
        .map(|(name, cell)| {
            let value = match (*name, cell) {
                ("parties", Cell::Empty) => Value::Array(Vec::new()),
                ("parties", Cell::Text(s)) => s.split("; ").map(Value::from).collect(),
                (_, cell) => json(cell),
            };
            (*name, value.to_string())
        });
    let entities: Vec<String> = r
        .entity_rows
        .iter()
        .map(|row| {
            let pairs = ENTITY_COLUMNS.iter().zip(entity_cells(row)).skip(1);
            object(pairs.map(|(name, cell)| (*name, json(cell).to_string())))
        })
        .collect();
    object(fields.chain([("entities", format!("[{}]", entities.join(",")))]))
}

/// A JSON object of (key, encoded value) pairs, keys in the order given (a
/// `serde_json::Map` would sort them unless a dependency turns on `preserve_order`).
fn object<'a>(pairs: impl Iterator<Item = (&'a str, String)>) -> String {
    let body: Vec<String> = pairs
        .map(|(k, v)| format!("{}:{v}", Value::from(k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn json(cell: Cell<'_>) -> Value {
    match cell {
        Cell::Empty => Value::Null,
        Cell::Text(s) | Cell::Date(s, _) | Cell::Amount(s) => Value::from(s),
        Cell::Number(s) => s
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::from(s), Value::Number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    #[test]
    fn one_typed_object_per_document_with_its_entities() {
        let invoice = rows(
            "a.pdf",
            &[
                ("doc_type", "invoice"),
                ("pages", "2"),
                ("vendor", "=Acme"),
                ("invoice_date", "2024-03-05"),
                ("currency", "EUR"),
                ("total_amount", "1469.10"),
            ],
            &[&[
                ("page", "1"),
                ("field", "total_amount"),
                ("kind", "amount"),
                ("text", "1.469,10 €"),
                ("value", "1469.10"),
                ("confidence", "0.988"),
                ("start", "7"),
                ("end", "17"),
                ("x", "-0"),
                ("y", "12"),
                ("width", "300"),
                ("height", "24"),
            ]],
        );
        let contract = rows(
            "c.pdf",
            &[("doc_type", "contract"), ("parties", "A Inc.; B, LLC")],
            &[],
        );
        let error = rows("e.pdf", &[("status", "error"), ("error", "truncated")], &[]);
        let line = document_line(&invoice);
        let keys: Vec<String> = DOCUMENT_COLUMNS
            .iter()
            .chain(&["entities"])
            .map(|k| format!("\"{k}\":"))
            .collect();
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| line.find(k.as_str()).unwrap())
            .collect();
        assert!(positions.is_sorted(), "keys in column order: {line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["document"], "a.pdf");
        assert_eq!(v["error"], Value::Null);
        assert_eq!(v["pages"], 2);
        assert_eq!(
            v["vendor"], "=Acme",
            "JSON is not a spreadsheet: no quote added"
        );
        assert_eq!(v["invoice_date"], "2024-03-05");
        assert_eq!(
            v["total_amount"], "1469.10",
            "amounts stay exact decimal strings"
        );
        assert_eq!(v["parties"], serde_json::json!([]));
        assert_eq!(
            v["entities"],
            serde_json::json!([{
                "page": 1, "field": "total_amount", "kind": "amount", "text": "1.469,10 €",
                "value": "1469.10", "confidence": 0.988, "start": 7, "end": 17,
                "x": -0.0, "y": 12, "width": 300, "height": 24
            }])
        );
        let v: Value = serde_json::from_str(&document_line(&contract)).unwrap();
        assert_eq!(v["parties"], serde_json::json!(["A Inc.", "B, LLC"]));
        assert_eq!(v["entities"], serde_json::json!([]));
        let v: Value = serde_json::from_str(&document_line(&error)).unwrap();
        assert_eq!(
            (&v["status"], &v["error"]),
            (&"error".into(), &"truncated".into())
        );
        assert_eq!(v["pages"], Value::Null);

        let dir = tempfile::tempdir().unwrap();
        JsonlTables
            .write(dir.path(), &[invoice, contract, error])
            .unwrap();
        let text = std::fs::read_to_string(dir.path().join("documents.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.ends_with("]}\n"));
    }
}
