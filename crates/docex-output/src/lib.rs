//! Output tables: `documents.csv` (one row per input document) and `entities.csv`
//! (one row per value found), with the columns documented in the README; the same
//! tables as `tables.xlsx` and `documents.jsonl` when asked for ([`Format`]); and
//! `needs_review.csv`, the documents a person must check.
//!
//! Tables are never appended to in place: every write replaces a whole file
//! atomically from the rows the run manifest holds, so an interrupted run leaves
//! whole tables behind. The rows are strings; `cells.rs` decides which of them are
//! dates, amounts and numbers for the typed formats and which are text that must
//! not reach a spreadsheet as a formula, and every writer takes its rows through
//! `cells::clean_rows`, so no control character reaches any table (names escaped,
//! other values without them).
//!
//! The column lists here *are* the output contract; changing them is a breaking
//! change for every spreadsheet and script downstream.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::str::FromStr;

use docex_core::{DocumentResult, DocumentRows, Entity, Fields, TableWriter};
use thiserror::Error;

mod cells;
mod csv_tables;
mod jsonl;
mod review;
mod xlsx;

pub use cells::{escape_controls, unneutralise};
pub use csv_tables::CsvTables;
pub use jsonl::JsonlTables;
pub use review::{review_reasons, REVIEW_COLUMNS, REVIEW_CONFIDENCE};
pub use xlsx::XlsxTables;

/// Columns of `documents.csv`, in order.
pub const DOCUMENT_COLUMNS: [&str; 21] = [
    "document",
    "status",
    "error",
    "doc_type",
    "pages",
    "empty_pages",
    "vendor",
    "customer",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "net_amount",
    "tax_amount",
    "total_amount",
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "term",
    "jurisdiction",
];

/// Columns of `entities.csv`, in order.
pub const ENTITY_COLUMNS: [&str; 13] = [
    "document",
    "page",
    "field",
    "kind",
    "text",
    "value",
    "confidence",
    "start",
    "end",
    "x",
    "y",
    "width",
    "height",
];

/// Why output could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// A file could not be created or written.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// CSV encoding failed.
    #[error("CSV")]
    Csv(#[from] csv::Error),
    /// The workbook could not be built or written.
    #[error("tables.xlsx")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// A format of the tables (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `documents.csv` and `entities.csv`.
    Csv,
    /// `tables.xlsx`, sheets `Documents` and `Entities`.
    Xlsx,
    /// `documents.jsonl`, entities nested.
    Jsonl,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s.trim() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "jsonl" => Ok(Format::Jsonl),
            other => Err(format!("unknown format {other:?} (csv, xlsx, jsonl)")),
        }
    }
}

/// Every table of an output folder: each chosen [`Format`], and `needs_review.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    formats: Vec<Format>,
    csv: CsvTables,
}

impl Default for Tables {
    /// CSV only.
    fn default() -> Tables {
        Tables::new(&[Format::Csv], CsvTables::default())
    }
}

impl Tables {
    /// The tables in `formats` (each once), CSV ones (`needs_review.csv` too) in
    /// the dialect of `csv`.
    pub fn new(formats: &[Format], csv: CsvTables) -> Tables {
        let mut unique = Vec::new();
        for f in formats {
            if !unique.contains(f) {
                unique.push(*f);
            }
        }
        Tables {
            formats: unique,
            csv,
        }
    }

    /// Writes every table of `rows` into `dir` (created if needed), each file
    /// atomically.
    pub fn write(&self, dir: &Path, rows: &[DocumentRows]) -> Result<(), OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        for format in &self.formats {
            match format {
                Format::Csv => self.csv.write(dir, rows)?,
                Format::Xlsx => XlsxTables.write(dir, rows)?,
                Format::Jsonl => JsonlTables.write(dir, rows)?,
            }
        }
        review::write(&self.csv, dir, rows)
    }
}

impl TableWriter for Tables {
    fn write_tables(
        &self,
        dir: &Path,
        rows: &[DocumentRows],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        self.write(dir, rows).map_err(Into::into)
    }
}

/// Writes `path` as a whole or not at all: a temporary file beside it, synced,
/// renamed over it, and the folder synced so the rename survives a power cut.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<File>) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    let io = |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".docex-")
        .suffix(".tmp")
        // tables are for reading by others, like any file docex writes
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut().try_clone().map_err(io)?);
        fill(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Both tables' rows of one result.
pub fn rows_of(r: &DocumentResult) -> DocumentRows {
    DocumentRows {
        document: r.document.clone(),
        document_row: document_row(r),
        entity_rows: match &r.outcome {
            Ok(x) => x
                .entities
                .iter()
                .map(|e| entity_row(&r.document, e))
                .collect(),
            Err(_) => Vec::new(),
        },
    }
}

/// The `documents.csv` row of a result.
pub fn document_row(r: &DocumentResult) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match &r.outcome {
        Err(e) => {
            let mut row = vec![r.document.clone(), "error".into(), e.clone()];
            row.resize(DOCUMENT_COLUMNS.len(), String::new());
            row
        }
        Ok(x) => {
            let f: &Fields = &x.fields;
            vec![
                r.document.clone(),
                "ok".into(),
                String::new(),
                x.doc_type.as_str().into(),
                x.pages.to_string(),
                x.empty_pages.to_string(),
                opt(&f.vendor),
                opt(&f.customer),
                opt(&f.invoice_number),
                opt(&f.invoice_date),
                opt(&f.due_date),
                opt(&f.currency),
                opt(&f.net_amount),
                opt(&f.tax_amount),
                opt(&f.total_amount),
                f.parties.join("; "),
                opt(&f.agreement_date),
                opt(&f.effective_date),
                opt(&f.expiration_date),
                opt(&f.term),
                opt(&f.jurisdiction),
            ]
        }
    }
}

/// The `entities.csv` row of an entity.
pub fn entity_row(document: &str, e: &Entity) -> Vec<String> {
    let bx = |f: fn(&docex_core::BBox) -> f32| {
        e.bbox
            .as_ref()
            .map(|b| format!("{}", f(b).round()))
            .unwrap_or_default()
    };
    vec![
        document.to_owned(),
        e.page.to_string(),
        e.role
            .map(|r| r.field_name().to_owned())
            .unwrap_or_default(),
        e.kind.as_str().to_owned(),
        e.text.replace(['\n', '\r'], " "),
        e.value.clone(),
        format!("{:.3}", e.confidence),
        e.start.to_string(),
        e.end.to_string(),
        bx(|b| b.x),
        bx(|b| b.y),
        bx(|b| b.width),
        bx(|b| b.height),
    ]
}

/// Rows for the tests of every table.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A document's rows from (column, value) pairs, other columns empty; `status`
    /// is `ok` unless given.
    pub(crate) fn rows(
        document: &str,
        fields: &[(&str, &str)],
        entities: &[&[(&str, &str)]],
    ) -> DocumentRows {
        let row = |columns: &[&str], values: &[(&str, &str)]| -> Vec<String> {
            columns
                .iter()
                .map(|c| {
                    let given = values.iter().find(|(k, _)| k == c).map(|(_, v)| *v);
                    match (*c, given) {
                        (_, Some(v)) => v.to_owned(),
                        ("document", None) => document.to_owned(),
                        ("status", None) => "ok".to_owned(),
                        _ => String::new(),
                    }
                })
                .collect()
        };
        for (k, _) in fields.iter().chain(entities.iter().flat_map(|e| e.iter())) {
            assert!(
                DOCUMENT_COLUMNS.contains(k) || ENTITY_COLUMNS.contains(k),
                "no column {k}"
            );
        }
        DocumentRows {
            document: document.to_owned(),
            document_row: row(&DOCUMENT_COLUMNS, fields),
            entity_rows: entities.iter().map(|e| row(&ENTITY_COLUMNS, e)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::{DocType, EntityKind, Extraction, Role};

    #[test]
    fn tables_writes_the_chosen_formats_and_always_needs_review() {
        let formats: Vec<Format> = "jsonl,xlsx,jsonl"
            .split(',')
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(
            "pdf".parse::<Format>().unwrap_err(),
            "unknown format \"pdf\" (csv, xlsx, jsonl)"
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("new");
        let rows = [testing::rows("a.txt", &[("doc_type", "receipt")], &[])];
        Tables::new(&formats, CsvTables::default())
            .write(&out, &rows)
            .unwrap();
        let mut files: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        assert_eq!(
            files,
            ["documents.jsonl", "needs_review.csv", "tables.xlsx"]
        );
        Tables::default().write(&out, &rows).unwrap();
        assert!(out.join("documents.csv").is_file() && out.join("entities.csv").is_file());
    }

    /// Every table file of `dir`, by name, as text (the workbook's XML parts joined).
    fn table_files(dir: &Path) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let text = if name.ends_with(".xlsx") {
                use std::io::Read;
                let mut zip = zip::ZipArchive::new(File::open(&path).unwrap()).unwrap();
                let mut all = String::new();
                for i in 0..zip.len() {
                    zip.by_index(i).unwrap().read_to_string(&mut all).unwrap();
                }
                all
            } else {
                std::fs::read_to_string(&path).unwrap()
            };
            files.push((name, text));
        }
        files.sort();
        files
    }

    #[test]
    fn control_characters_never_reach_a_table() {
        // Issue 15 (19): a NUL from PDF text reached documents.csv and
        // documents.jsonl; a file name's escape sequence and newline reached every
        // table raw.
        let name = "a\u{1b}[31mred\nFAKE LOG LINE.txt";
        let rows = [
            testing::rows(
                name,
                &[
                    ("doc_type", "invoice"),
                    ("vendor", "Globex\0 Corporation"),
                    ("customer", "Tab\tand\r\nnewline\u{85}Ltd\u{7f}\u{9b}"),
                ],
                &[&[
                    ("page", "1"),
                    ("field", "vendor"),
                    ("kind", "party"),
                    ("text", "Globex\0 Corporation"),
                    ("value", "Globex\0 Corporation"),
                    ("confidence", "0.900"),
                ]],
            ),
            testing::rows(
                "copy.txt",
                &[
                    ("status", "error"),
                    ("error", &format!("same content as {name}")),
                ],
                &[],
            ),
        ];
        let dir = tempfile::tempdir().unwrap();
        Tables::new(
            &[Format::Csv, Format::Xlsx, Format::Jsonl],
            CsvTables::default(),
        )
        .write(dir.path(), &rows)
        .unwrap();
        let files = table_files(dir.path());
        assert_eq!(files.len(), 5, "{files:?}");
        for (file, text) in &files {
            // the only control characters are the formats' own line ends
            let bad: Vec<char> = text
                .chars()
                .filter(|c| c.is_control() && *c != '\n' && !file.ends_with(".xlsx"))
                .collect();
            assert!(bad.is_empty(), "{file}: {bad:?} in {text:?}");
            for escaped in ["\\u0000", "\\u001b", "_x0000_", "_x001B_", "_x001b_", "\0"] {
                assert!(!text.contains(escaped), "{file}: {escaped} in {text:?}");
            }
        }
        let escaped_name = "a\\u{1b}[31mred\\nFAKE LOG LINE.txt";
        let docs = &files.iter().find(|(f, _)| f == "documents.csv").unwrap().1;
        assert_eq!(
            docs.lines().skip(1).collect::<Vec<_>>(),
            [
                format!("{escaped_name},ok,,invoice,,,Globex Corporation,Tab and  newline Ltd,,,,,,,,,,,,,"),
                format!("copy.txt,error,same content as {escaped_name},,,,,,,,,,,,,,,,,,"),
            ]
        );
        let ents = &files.iter().find(|(f, _)| f == "entities.csv").unwrap().1;
        assert_eq!(
            ents.lines().nth(1).unwrap(),
            format!(
                "{escaped_name},1,vendor,party,Globex Corporation,Globex Corporation,0.900,,,,,,"
            )
        );
        let review = &files
            .iter()
            .find(|(f, _)| f == "needs_review.csv")
            .unwrap()
            .1;
        assert!(
            review.contains(&format!("copy.txt,error,same content as {escaped_name}\n")),
            "{review}"
        );
        let jsonl = &files
            .iter()
            .find(|(f, _)| f == "documents.jsonl")
            .unwrap()
            .1;
        let v: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(v["document"], escaped_name);
        assert_eq!(v["vendor"], "Globex Corporation");
        assert_eq!(v["entities"][0]["text"], "Globex Corporation");
        let xlsx = &files.iter().find(|(f, _)| f == "tables.xlsx").unwrap().1;
        assert!(
            xlsx.contains(">Globex Corporation<") && xlsx.contains(escaped_name),
            "{xlsx}"
        );
    }

    #[test]
    fn error_rows_have_every_column() {
        let r = DocumentResult {
            document: "bad.pdf".into(),
            outcome: Err("encrypted PDF".into()),
            content_hash: None,
        };
        let row = document_row(&r);
        assert_eq!(row.len(), DOCUMENT_COLUMNS.len());
        assert_eq!(&row[..3], &["bad.pdf", "error", "encrypted PDF"]);
    }

    #[test]
    fn tables_round_trip_through_csv() {
        let dir = tempfile::tempdir().unwrap();
        let mut fields = Fields {
            total_amount: Some("12.50".into()),
            ..Fields::default()
        };
        fields.parties = vec!["A Inc.".into(), "B, LLC".into()];
        let e = Entity {
            page: 1,
            role: Some(Role::TotalAmount),
            kind: EntityKind::Amount,
            text: "€12,50".into(),
            value: "12.50".into(),
            confidence: 0.98765,
            start: 7,
            end: 13,
            bbox: None,
            currency: Some("EUR".into()),
        };
        let r = DocumentResult {
            document: "a.pdf".into(),
            outcome: Ok(Extraction {
                doc_type: DocType::Invoice,
                pages: 1,
                empty_pages: 0,
                fields,
                entities: vec![e],
            }),
            content_hash: None,
        };
        CsvTables::default()
            .write(dir.path(), &[rows_of(&r)])
            .unwrap();
        let mut docs = csv::Reader::from_path(dir.path().join("documents.csv")).unwrap();
        assert_eq!(
            docs.headers().unwrap().iter().collect::<Vec<_>>(),
            DOCUMENT_COLUMNS
        );
        let row = docs.records().next().unwrap().unwrap();
        assert_eq!(&row[14], "12.50");
        assert_eq!(&row[15], "A Inc.; B, LLC");
        let mut ents = csv::Reader::from_path(dir.path().join("entities.csv")).unwrap();
        let row = ents.records().next().unwrap().unwrap();
        assert_eq!(
            row.iter().collect::<Vec<_>>(),
            vec![
                "a.pdf",
                "1",
                "total_amount",
                "amount",
                "€12,50",
                "12.50",
                "0.988",
                "7",
                "13",
                "",
                "",
                "",
                ""
            ]
        );
    }
}
