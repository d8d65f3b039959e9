//! `documents.csv` and `entities.csv`, and the CSV dialect every CSV table shares.

use std::io::Write;
use std::path::Path;

use docex_core::DocumentRows;

use crate::cells::{clean_rows, document_cells, entity_cells, Cell};
use crate::{write_atomically, OutputError, DOCUMENT_COLUMNS, ENTITY_COLUMNS};

/// The CSV tables: `documents.csv` and `entities.csv`.
///
/// Text cells that a spreadsheet would run as a formula are prefixed with `'`
/// (OWASP's advice against formula injection); numbers and dates in their own
/// columns are left as they are, so `-12.50` stays a number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvTables {
    /// The dialect Excel opens by double-click in locales with a decimal comma:
    /// a UTF-8 byte order mark, `;` between fields, `,` in numbers.
    pub excel: bool,
}

impl CsvTables {
    /// Writes both tables of `rows` into `dir` (which must exist), each through a
    /// temporary file that is synced and renamed over the old one.
    pub fn write(&self, dir: &Path, rows: &[DocumentRows]) -> Result<(), OutputError> {
        let rows = &*clean_rows(rows);
        self.write_table(
            &dir.join("documents.csv"),
            &DOCUMENT_COLUMNS,
            rows.iter().map(|r| document_cells(&r.document_row)),
        )?;
        self.write_table(
            &dir.join("entities.csv"),
            &ENTITY_COLUMNS,
            rows.iter()
                .flat_map(|r| &r.entity_rows)
                .map(|row| entity_cells(row)),
        )
    }

    /// Writes one table of typed cells to `path`, atomically.
    pub(crate) fn write_table<'a>(
        &self,
        path: &Path,
        header: &[&str],
        rows: impl Iterator<Item = Vec<Cell<'a>>>,
    ) -> Result<(), OutputError> {
        let io = |source| OutputError::Io {
            path: path.display().to_string(),
            source,
        };
        write_atomically(path, |w| {
            let mut builder = csv::WriterBuilder::new();
            if self.excel {
                w.write_all("\u{feff}".as_bytes()).map_err(io)?;
                builder.delimiter(b';');
            }
            let mut csv = builder.from_writer(w);
            csv.write_record(header)?;
            for row in rows {
                let cells: Vec<_> = row.iter().map(|c| c.csv(self.excel)).collect();
                csv.write_record(cells.iter().map(|c| c.as_bytes()))?;
            }
            csv.flush().map_err(io)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    fn hostile() -> Vec<DocumentRows> {
        vec![rows(
            "-credit.txt",
            &[
                ("doc_type", "invoice"),
                ("pages", "1"),
                ("vendor", "=HYPERLINK(\"http://x\",\"y\")"),
                ("invoice_number", "@123"),
                ("invoice_date", "2024-03-05"),
                ("currency", "EUR"),
                ("net_amount", "-12.50"),
                ("total_amount", "+1"),
            ],
            &[&[
                ("page", "1"),
                ("kind", "amount"),
                ("text", "-12,50"),
                ("value", "-12.50"),
                ("confidence", "0.988"),
            ]],
        )]
    }

    #[test]
    fn text_is_neutralised_and_numbers_are_not() {
        let dir = tempfile::tempdir().unwrap();
        CsvTables::default().write(dir.path(), &hostile()).unwrap();
        let docs = std::fs::read_to_string(dir.path().join("documents.csv")).unwrap();
        assert_eq!(
            docs.lines().nth(1).unwrap(),
            "'-credit.txt,ok,,invoice,1,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",,'@123,2024-03-05,,EUR,-12.50,,'+1,,,,,,"
        );
        let ents = std::fs::read_to_string(dir.path().join("entities.csv")).unwrap();
        assert_eq!(
            ents.lines().nth(1).unwrap(),
            "'-credit.txt,1,,amount,\"'-12,50\",-12.50,0.988,,,,,,"
        );
    }

    #[test]
    fn excel_dialect_has_a_bom_semicolons_and_decimal_commas() {
        let dir = tempfile::tempdir().unwrap();
        CsvTables { excel: true }
            .write(dir.path(), &hostile())
            .unwrap();
        let docs = std::fs::read_to_string(dir.path().join("documents.csv")).unwrap();
        assert!(docs.starts_with("\u{feff}document;status;error;doc_type;pages;"));
        assert_eq!(
            docs.lines().nth(1).unwrap(),
            "'-credit.txt;ok;;invoice;1;;\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\";;'@123;2024-03-05;;EUR;-12,50;;'+1;;;;;;"
        );
        let ents = std::fs::read_to_string(dir.path().join("entities.csv")).unwrap();
        assert_eq!(
            ents.lines().nth(1).unwrap(),
            "'-credit.txt;1;;amount;'-12,50;-12,50;0,988;;;;;;"
        );
    }
}
