//! Output tables: `documents.csv` (one row per input document) and `entities.csv`
//! (one row per value found), with the columns documented in the README.
//!
//! Tables are never appended to in place: every write replaces a whole file
//! atomically from the rows the run manifest holds, so an interrupted run leaves
//! whole tables behind.
//!
//! The column lists here *are* the output contract; changing them is a breaking
//! change for every spreadsheet and script downstream.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use docex_core::{DocumentResult, DocumentRows, Entity, Fields, TableWriter};
use thiserror::Error;

/// Columns of `documents.csv`, in order.
pub const DOCUMENT_COLUMNS: [&str; 20] = [
    "document",
    "status",
    "error",
    "doc_type",
    "pages",
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
}

/// The CSV tables: `documents.csv` and `entities.csv`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvTables;

impl CsvTables {
    /// Writes both tables of `rows` into `dir` (created if needed), each through a
    /// temporary file that is synced and renamed over the old one.
    pub fn write(&self, dir: &Path, rows: &[DocumentRows]) -> Result<(), OutputError> {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        write_atomically(&dir.join("documents.csv"), |w| {
            let mut csv = csv::Writer::from_writer(w);
            csv.write_record(DOCUMENT_COLUMNS)?;
            for r in rows {
                csv.write_record(&r.document_row)?;
            }
            csv.flush().map_err(|source| OutputError::Io {
                path: "table".into(),
                source,
            })
        })?;
        write_atomically(&dir.join("entities.csv"), |w| {
            let mut csv = csv::Writer::from_writer(w);
            csv.write_record(ENTITY_COLUMNS)?;
            for row in rows.iter().flat_map(|r| &r.entity_rows) {
                csv.write_record(row)?;
            }
            csv.flush().map_err(|source| OutputError::Io {
                path: "table".into(),
                source,
            })
        })
    }
}

impl TableWriter for CsvTables {
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

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::{DocType, EntityKind, Extraction, Role};

    #[test]
    fn error_rows_have_every_column() {
        let r = DocumentResult {
            document: "bad.pdf".into(),
            outcome: Err("encrypted PDF".into()),
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
                fields,
                entities: vec![e],
            }),
        };
        CsvTables.write(dir.path(), &[rows_of(&r)]).unwrap();
        let mut docs = csv::Reader::from_path(dir.path().join("documents.csv")).unwrap();
        assert_eq!(
            docs.headers().unwrap().iter().collect::<Vec<_>>(),
            DOCUMENT_COLUMNS
        );
        let row = docs.records().next().unwrap().unwrap();
        assert_eq!(&row[13], "12.50");
        assert_eq!(&row[14], "A Inc.; B, LLC");
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
