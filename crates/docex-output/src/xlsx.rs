//! `tables.xlsx`: the two tables as the sheets `Documents` and `Entities`, with
//! typed cells.
//!
//! Dates are Excel dates shown `yyyy-mm-dd`; amounts are numbers shown with
//! thousands separators, their own number of decimals and the document's currency
//! (`#,##0.00 "EUR"`; entity amounts take their document's currency, as the
//! pipeline reads unmarked amounts in it); counts, offsets, boxes and confidences
//! are numbers; everything else is a string cell, so text such as `=1+2` is never
//! a formula. The header row is frozen and has an autofilter.
//!
//! A sheet holds at most 1,048,575 rows below its header; more entities go on to
//! `Entities 2`, `Entities 3`, ... Each sheet streams to an unnamed temporary file
//! in the output folder (rust_xlsxwriter's constant-memory mode), so memory does
//! not grow with the batch.

use std::collections::HashMap;
use std::path::Path;

use chrono::Datelike;
use docex_core::DocumentRows;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::cells::{clean_rows, document_cells, entity_cells, Cell, CURRENCY};
use crate::{write_atomically, OutputError, DOCUMENT_COLUMNS, ENTITY_COLUMNS};

/// Rows below the header that fit on one sheet.
const SHEET_ROWS: u32 = 1_048_575;
/// Longest string cell Excel takes, in UTF-16 units.
const MAX_STRING: usize = 32_767;
/// Widest column set from content, in characters.
const MAX_WIDTH: usize = 60;

/// The workbook `tables.xlsx`.
#[derive(Debug, Clone, Copy, Default)]
pub struct XlsxTables;

impl XlsxTables {
    /// Writes `tables.xlsx` of `rows` into `dir` (which must exist), atomically.
    pub fn write(&self, dir: &Path, rows: &[DocumentRows]) -> Result<(), OutputError> {
        self.write_with_sheet_rows(dir, rows, SHEET_ROWS)
    }

    fn write_with_sheet_rows(
        &self,
        dir: &Path,
        rows: &[DocumentRows],
        sheet_rows: u32,
    ) -> Result<(), OutputError> {
        let rows = &*clean_rows(rows);
        let mut book = Workbook::new();
        book.set_tempdir(dir)?;
        let mut formats = Formats::default();
        let documents = || {
            rows.iter()
                .map(|r| (document_cells(&r.document_row), currency(r)))
        };
        let entities = || {
            rows.iter().flat_map(|r| {
                r.entity_rows
                    .iter()
                    .map(move |e| (entity_cells(e), currency(r)))
            })
        };
        let mut sheets = Sheets {
            book: &mut book,
            formats: &mut formats,
            sheet_rows,
        };
        sheets.table("Documents", &DOCUMENT_COLUMNS, documents)?;
        sheets.table("Entities", &ENTITY_COLUMNS, entities)?;
        write_atomically(&dir.join("tables.xlsx"), |w| {
            book.save_to_writer(w).map_err(OutputError::from)
        })
    }
}

struct Sheets<'b> {
    book: &'b mut Workbook,
    formats: &'b mut Formats,
    sheet_rows: u32,
}

impl Sheets<'_> {
    /// Writes one table as sheet `name` (and `name 2`, ... when it does not fit);
    /// `rows` yields each row's cells and its currency, and is walked twice (column
    /// widths first: a streamed sheet takes them before its rows).
    fn table<'a, I>(
        &mut self,
        name: &str,
        header: &[&str],
        rows: impl Fn() -> I,
    ) -> Result<(), OutputError>
    where
        I: Iterator<Item = (Vec<Cell<'a>>, &'a str)>,
    {
        let mut widths: Vec<usize> = header.iter().map(|h| h.len() + 3).collect();
        for (cells, currency) in rows() {
            for (w, c) in widths.iter_mut().zip(&cells) {
                *w = (*w).max(width(c, currency));
            }
        }
        let last_col = header.len().saturating_sub(1) as u16;
        let mut part = 1;
        let mut sheet = new_sheet(self.book, name.to_owned(), header, &widths)?;
        let mut row = 0;
        for (cells, currency) in rows() {
            if row == self.sheet_rows {
                sheet.autofilter(0, 0, row, last_col)?;
                part += 1;
                sheet = new_sheet(self.book, format!("{name} {part}"), header, &widths)?;
                row = 0;
            }
            row += 1;
            for (col, cell) in (0..).zip(&cells) {
                self.formats.write(sheet, row, col, cell, currency)?;
            }
        }
        sheet.autofilter(0, 0, row, last_col)?;
        Ok(())
    }
}

/// A new streamed sheet with its header row, frozen, and its column widths.
fn new_sheet<'w>(
    book: &'w mut Workbook,
    name: String,
    header: &[&str],
    widths: &[usize],
) -> Result<&'w mut Worksheet, OutputError> {
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(name)?;
    for (col, w) in (0..).zip(widths) {
        sheet.set_column_width(col, (*w).min(MAX_WIDTH) as f64)?;
    }
    let bold = Format::new().set_bold();
    for (col, h) in (0..).zip(header) {
        sheet.write_string_with_format(0, col, *h, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

/// The currency of a document's amounts.
fn currency(r: &DocumentRows) -> &str {
    r.document_row.get(CURRENCY).map_or("", String::as_str)
}

/// About how many characters a cell shows.
fn width(cell: &Cell<'_>, currency: &str) -> usize {
    match cell {
        Cell::Empty => 0,
        Cell::Text(s) => s.chars().count(),
        Cell::Date(..) => 10,
        Cell::Amount(s) => s.len() + s.len() / 3 + currency.len() + 2,
        Cell::Number(s) => s.len() + 1,
    }
}

/// Cell formats by number format code, each made once.
#[derive(Default)]
struct Formats(HashMap<String, Format>);

impl Formats {
    fn get(&mut self, code: String) -> &Format {
        self.0
            .entry(code)
            .or_insert_with_key(|code| Format::new().set_num_format(code))
    }

    fn write(
        &mut self,
        sheet: &mut Worksheet,
        row: u32,
        col: u16,
        cell: &Cell<'_>,
        currency: &str,
    ) -> Result<(), XlsxError> {
        match *cell {
            Cell::Empty => {}
            Cell::Text(s) => {
                sheet.write_string(row, col, excel_string(s))?;
            }
            Cell::Date(s, d) => {
                let date = u16::try_from(d.year())
                    .ok()
                    .filter(|y| *y >= 1900)
                    .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
                match date {
                    Some(date) => {
                        let f = self.get("yyyy-mm-dd".into());
                        sheet.write_datetime_with_format(row, col, date, f)?;
                    }
                    // before 1900: not a date to Excel
                    None => {
                        sheet.write_string(row, col, s)?;
                    }
                }
            }
            Cell::Amount(s) | Cell::Number(s) => {
                let decimals = s.split_once('.').map_or(0, |(_, f)| f.len());
                let Some(n) = exact_f64(s, decimals) else {
                    sheet.write_string(row, col, s)?;
                    return Ok(());
                };
                let code = match cell {
                    Cell::Amount(_) if is_currency_code(currency) => {
                        amount_format(decimals, currency)
                    }
                    Cell::Amount(_) => amount_format(decimals, ""),
                    _ if decimals > 0 => format!("0.{}", "0".repeat(decimals)),
                    _ => {
                        sheet.write_number(row, col, n)?;
                        return Ok(());
                    }
                };
                sheet.write_number_with_format(row, col, n, self.get(code))?;
            }
        }
        Ok(())
    }
}

/// `#,##0.00 "EUR"`: thousands separators, the value's decimals, the currency.
pub(crate) fn amount_format(decimals: usize, currency: &str) -> String {
    let mut code = "#,##0".to_owned();
    if decimals > 0 {
        code.push('.');
        code.push_str(&"0".repeat(decimals));
    }
    if !currency.is_empty() {
        code.push_str(&format!(" \"{currency}\""));
    }
    code
}

/// An ISO 4217 code: three capital letters (anything else stays out of a number
/// format, where quotes or brackets would change its meaning).
fn is_currency_code(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The number `s` as a double, when the double shows as `s` again at its decimals
/// (15 significant digits hold any real amount; longer ones stay strings).
fn exact_f64(s: &str, decimals: usize) -> Option<f64> {
    let n: f64 = s.parse().ok()?;
    (format!("{n:.decimals$}") == s).then_some(n)
}

/// `s`, cut to the longest string cell Excel takes.
fn excel_string(s: &str) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > MAX_STRING {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::testing::rows;

    /// The files of a workbook, by name.
    fn unzip(path: &Path) -> HashMap<String, String> {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).unwrap();
                (f.name().unwrap().into_owned(), text)
            })
            .collect()
    }

    /// The XML of cell `r` (`"F2"`) in a sheet, or "" when it was not written.
    fn cell<'x>(sheet: &'x str, r: &str) -> &'x str {
        let Some(start) = sheet.find(&format!("<c r=\"{r}\"")) else {
            return "";
        };
        let rest = &sheet[start..];
        &rest[..rest.find("</c>").unwrap() + 4]
    }

    /// The number format code of a cell's style.
    fn number_format(book: &HashMap<String, String>, cell: &str) -> String {
        let styles = &book["xl/styles.xml"];
        let s: usize = attr(cell, "s").map_or(0, |s| s.parse().unwrap());
        let xfs = &styles[styles.find("<cellXfs").unwrap()..];
        let xf = xfs.split("<xf").nth(s + 1).unwrap();
        let id = attr(xf, "numFmtId").unwrap();
        let fmt = styles
            .split("<numFmt")
            .find(|f| attr(f, "numFmtId") == Some(id))
            .map_or("General", |f| attr(f, "formatCode").unwrap());
        fmt.replace("&quot;", "\"")
    }

    fn attr<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
        let key = format!(" {name}=\"");
        let start = xml.find(&key)? + key.len();
        Some(&xml[start..start + xml[start..].find('"')?])
    }

    fn value(cell: &str) -> &str {
        let start = cell.find("<v>").unwrap() + 3;
        &cell[start..start + cell[start..].find("</v>").unwrap()]
    }

    fn hostile_invoice() -> DocumentRows {
        rows(
            "a.txt",
            &[
                ("doc_type", "invoice"),
                ("pages", "2"),
                ("vendor", "=HYPERLINK(\"http://x\",\"y\")"),
                ("invoice_number", "00123"),
                ("invoice_date", "2024-03-05"),
                ("due_date", "1899-12-31"),
                ("currency", "EUR"),
                ("net_amount", "-12.50"),
                ("tax_amount", "1,5"),
                ("total_amount", "1469.1"),
            ],
            &[
                &[
                    ("page", "1"),
                    ("kind", "amount"),
                    ("text", "-12,50"),
                    ("value", "-12.50"),
                    ("confidence", "0.988"),
                    ("start", "7"),
                ],
                &[("kind", "date"), ("value", "2024-03-05")],
                &[("kind", "id"), ("value", "2024-0117")],
            ],
        )
    }

    #[test]
    fn cells_are_typed_and_text_is_never_a_formula() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(40_000);
        let other = rows("b.png", &[("vendor", &long), ("currency", "\"X")], &[]);
        let other = DocumentRows {
            document_row: {
                let mut r = other.document_row;
                r[14] = "5".into(); // total_amount with a currency that is not a code
                r
            },
            ..other
        };
        XlsxTables
            .write(dir.path(), &[hostile_invoice(), other])
            .unwrap();
        let book = unzip(&dir.path().join("tables.xlsx"));
        assert!(
            book["xl/workbook.xml"].contains(
                "<sheet name=\"Documents\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"Entities\""
            ),
            "{}",
            book["xl/workbook.xml"]
        );
        let docs = &book["xl/worksheets/sheet1.xml"];
        let string = |c: &str| {
            assert!(c.contains("t=\"inlineStr\"") && !c.contains("<f>"), "{c}");
        };
        let number = |c: &str, v: &str, fmt: &str| {
            assert!(!c.contains(" t=\"") && !c.contains("<f>"), "{c}");
            assert_eq!(
                (value(c), number_format(&book, c).as_str()),
                (v, fmt),
                "{c}"
            );
        };
        // (cell, what it must be)
        string(cell(docs, "G2")); // vendor =HYPERLINK(...)
        assert!(cell(docs, "G2").contains("=HYPERLINK(\"http://x\",\"y\")"));
        string(cell(docs, "I2")); // invoice number 00123 keeps its zeros
        number(cell(docs, "E2"), "2", "General"); // pages
        number(cell(docs, "J2"), "45356", "yyyy-mm-dd"); // 2024-03-05
        string(cell(docs, "K2")); // 1899-12-31: before Excel's dates
        number(cell(docs, "M2"), "-12.5", "#,##0.00 \"EUR\"");
        string(cell(docs, "N2")); // "1,5" is not a plain decimal
        number(cell(docs, "O2"), "1469.1", "#,##0.0 \"EUR\"");
        assert_eq!(cell(docs, "P2"), "", "empty cells are not written");
        number(cell(docs, "O3"), "5", "#,##0"); // no currency code, no suffix
        let long_cell = cell(docs, "G3");
        string(long_cell);
        assert_eq!(long_cell.matches('x').count(), MAX_STRING);
        assert!(docs.contains(
            "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
        ));
        assert!(
            book["xl/workbook.xml"].contains("Documents!$A$1:$U$3"),
            "autofilter"
        );

        let ents = &book["xl/worksheets/sheet2.xml"];
        string(cell(ents, "E2")); // text -12,50
        number(cell(ents, "F2"), "-12.5", "#,##0.00 \"EUR\""); // an amount's value
        number(cell(ents, "G2"), "0.988", "0.000");
        number(cell(ents, "H2"), "7", "General");
        number(cell(ents, "F3"), "45356", "yyyy-mm-dd"); // a date's value
        string(cell(ents, "F4")); // an id's value 2024-0117
        assert!(book["xl/workbook.xml"].contains("Entities!$A$1:$M$4"));
    }

    #[test]
    fn rows_beyond_a_sheet_go_on_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut many = hostile_invoice();
        many.entity_rows = (0..5).map(|_| many.entity_rows[0].clone()).collect();
        XlsxTables
            .write_with_sheet_rows(dir.path(), &[many], 2)
            .unwrap();
        let book = unzip(&dir.path().join("tables.xlsx"));
        let names: Vec<&str> = book["xl/workbook.xml"]
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(names, ["Documents", "Entities", "Entities 2", "Entities 3"]);
        for (sheet, rows) in [(2, 2), (3, 2), (4, 1)] {
            let xml = &book[&format!("xl/worksheets/sheet{sheet}.xml")];
            assert_eq!(xml.matches("<row ").count(), rows + 1, "sheet {sheet}");
            assert!(
                cell(xml, "A1").contains("document"),
                "each part has the header"
            );
        }
    }

    #[test]
    fn amount_formats() {
        assert_eq!(amount_format(2, "EUR"), "#,##0.00 \"EUR\"");
        assert_eq!(amount_format(0, "JPY"), "#,##0 \"JPY\"");
        assert_eq!(amount_format(3, ""), "#,##0.000");
        assert!(!is_currency_code("EU\""));
        assert_eq!(exact_f64("1469.13", 2), Some(1469.13));
        assert_eq!(exact_f64("12345678901234567.89", 2), None);
    }
}
