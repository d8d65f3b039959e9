//! What each cell of the tables is: text, a date, an amount or another number.
//!
//! The manifest stores rows as strings (the CSV's text); the typed formats and the
//! formula-injection guard need to know which strings are values. A cell is a
//! value only when its column says so *and* the string has that value's exact
//! shape (`2024-03-05`, `-12.50`, `17`); anything else in such a column is text,
//! so no string ever reaches a spreadsheet as something it was not.

use std::borrow::Cow;

use chrono::NaiveDate;
use docex_core::DocumentRows;

use crate::{DOCUMENT_COLUMNS, ENTITY_COLUMNS};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    /// Anything: names, ids, messages.
    Text,
    /// ISO dates.
    Date,
    /// Plain decimal amounts in the document's currency.
    Amount,
    /// Counts, offsets, pixels, confidences.
    Number,
    /// `entities.csv`'s `value`: a date or an amount as the row's `kind` says.
    ByKind,
}

/// The columns of `documents.csv`, in [`DOCUMENT_COLUMNS`] order.
pub(crate) const DOCUMENT_TYPES: [Column; DOCUMENT_COLUMNS.len()] = {
    use Column::*;
    [
        Text,   // document
        Text,   // status
        Text,   // error
        Text,   // doc_type
        Number, // pages
        Number, // empty_pages
        Text,   // vendor
        Text,   // customer
        Text,   // invoice_number
        Date,   // invoice_date
        Date,   // due_date
        Text,   // currency
        Amount, // net_amount
        Amount, // tax_amount
        Amount, // total_amount
        Text,   // parties
        Date,   // agreement_date
        Date,   // effective_date
        Date,   // expiration_date
        Text,   // term
        Text,   // jurisdiction
    ]
};

/// The columns of `entities.csv`, in [`ENTITY_COLUMNS`] order.
pub(crate) const ENTITY_TYPES: [Column; ENTITY_COLUMNS.len()] = {
    use Column::*;
    [
        Text, Number, Text, Text, Text, ByKind, Number, Number, Number, Number, Number, Number,
        Number,
    ]
};

/// Index of the `document` column of both tables.
const DOCUMENT: usize = 0;
/// Index of `documents.csv`'s `error` column.
const ERROR: usize = 2;
/// Index of `documents.csv`'s `currency` column.
pub(crate) const CURRENCY: usize = 11;
/// Index of `entities.csv`'s `kind` column.
const KIND: usize = 3;

/// One cell, typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    /// No value.
    Empty,
    /// Text (including anything in a value column that is not that value).
    Text(&'a str),
    /// An ISO date, as written and as a date.
    Date(&'a str, NaiveDate),
    /// A plain decimal amount, as written (`-1469.13`).
    Amount(&'a str),
    /// A plain number, as written (`17`, `0.988`).
    Number(&'a str),
}

impl<'a> Cell<'a> {
    /// Types `value` for a column of type `column`; `kind` is the entity row's kind
    /// (for [`Column::ByKind`]).
    pub(crate) fn of(column: Column, value: &'a str, kind: &str) -> Cell<'a> {
        let column = match (column, kind) {
            (Column::ByKind, "date") => Column::Date,
            (Column::ByKind, "amount") => Column::Amount,
            (Column::ByKind, _) => Column::Text,
            (c, _) => c,
        };
        if value.is_empty() {
            return Cell::Empty;
        }
        match column {
            Column::Date => match iso_date(value) {
                Some(d) => Cell::Date(value, d),
                None => Cell::Text(value),
            },
            Column::Amount if plain_decimal(value) => Cell::Amount(value),
            Column::Number if plain_decimal(value) => Cell::Number(value),
            _ => Cell::Text(value),
        }
    }

    /// The cell as CSV text: text neutralised against formula injection; with
    /// `decimal_comma`, numbers written with `,` (Excel in comma-decimal locales).
    pub(crate) fn csv(&self, decimal_comma: bool) -> Cow<'a, str> {
        match *self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) => neutralise(s),
            Cell::Date(s, _) => Cow::Borrowed(s),
            Cell::Amount(s) | Cell::Number(s) if decimal_comma => Cow::Owned(s.replace('.', ",")),
            Cell::Amount(s) | Cell::Number(s) => Cow::Borrowed(s),
        }
    }
}

/// A `documents.csv` row, typed.
pub(crate) fn document_cells(row: &[String]) -> Vec<Cell<'_>> {
    row.iter()
        .zip(DOCUMENT_TYPES)
        .map(|(v, c)| Cell::of(c, v, ""))
        .collect()
}

/// An `entities.csv` row, typed.
pub(crate) fn entity_cells(row: &[String]) -> Vec<Cell<'_>> {
    let kind = row.get(KIND).map_or("", String::as_str);
    row.iter()
        .zip(ENTITY_TYPES)
        .map(|(v, c)| Cell::of(c, v, kind))
        .collect()
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return before one), prefixed with `'` as OWASP advises: Excel and
/// LibreOffice then show the text, and the `'` tells a reader it was added.
pub(crate) fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Text as it was before [`neutralise`]: a reader of docex's CSV (`docex eval`) drops
/// the `'` the guard put before a formula-like start (`'=SUM(A1)`, `'-5 Corp`).
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

/// `text` with each control character (C0, DEL, C1) written as Rust escapes it
/// (`\0`, `\t`, `\n`, `\u{1b}`) and every other character as it is: how a file
/// name is shown in log lines and in the tables' `document` and `error` columns,
/// so that a name cannot forge a log line or recolour a terminal, and two names
/// that differ only in control characters stay two names.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as a value cell holds it: a tab, newline, carriage return, vertical tab,
/// form feed or next-line (U+0085) becomes a space (every value is one line), any
/// other control character (NUL, escape, DEL, C1) is dropped.
pub(crate) fn clean_value(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                c if c.is_control() && c.is_whitespace() => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// `rows` as every table writes them: names (`document`, and `error`, which names
/// files) through [`escape_controls`], every other cell through [`clean_value`].
/// Borrowed when no cell has a control character (the usual case).
pub(crate) fn clean_rows(rows: &[DocumentRows]) -> Cow<'_, [DocumentRows]> {
    let dirty = |row: &[String]| row.iter().any(|v| v.chars().any(char::is_control));
    if !rows
        .iter()
        .any(|r| dirty(&r.document_row) || r.entity_rows.iter().any(|e| dirty(e)))
    {
        return Cow::Borrowed(rows);
    }
    let clean = |row: &[String], names: &[usize]| -> Vec<String> {
        row.iter()
            .enumerate()
            .map(|(i, v)| {
                if names.contains(&i) {
                    escape_controls(v).into_owned()
                } else {
                    clean_value(v).into_owned()
                }
            })
            .collect()
    };
    Cow::Owned(
        rows.iter()
            .map(|r| DocumentRows {
                document: escape_controls(&r.document).into_owned(),
                document_row: clean(&r.document_row, &[DOCUMENT, ERROR]),
                entity_rows: r
                    .entity_rows
                    .iter()
                    .map(|e| clean(e, &[DOCUMENT]))
                    .collect(),
            })
            .collect(),
    )
}

/// What a spreadsheet reads as the start of a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `-?digits(.digits)?`: the only shape docex writes amounts and numbers in.
pub(crate) fn plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    [int, frac]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `YYYY-MM-DD`, a real date.
pub(crate) fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised() {
        for (text, csv) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1+2", "'+1+2"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("-12.50", "'-12.50"), // in a text column a number-like text is still text
            ("Acme = Best", "Acme = Best"),
            (" =1", " =1"),
            ("'quoted", "'quoted"),
            ("", ""),
        ] {
            assert_eq!(Cell::of(Column::Text, text, "").csv(false), csv, "{text:?}");
            // and a reader gets the text back
            assert_eq!(unneutralise(csv), text, "{csv:?}");
        }
    }

    #[test]
    fn names_are_escaped_and_values_lose_their_control_characters() {
        // (text, as a name, as a value)
        for (text, name, value) in [
            (
                "Acme GmbH, Zürich ✓",
                "Acme GmbH, Zürich ✓",
                "Acme GmbH, Zürich ✓",
            ),
            (
                "Globex\0 Corporation",
                "Globex\\0 Corporation",
                "Globex Corporation",
            ),
            (
                "a\u{1b}[31mred\nFAKE LOG LINE.txt",
                "a\\u{1b}[31mred\\nFAKE LOG LINE.txt",
                "a[31mred FAKE LOG LINE.txt",
            ),
            (
                "tab\tcr\rff\u{c}vt\u{b}",
                "tab\\tcr\\rff\\u{c}vt\\u{b}",
                "tab cr ff vt ",
            ),
            (
                "del\u{7f} c1\u{9b}nel\u{85}",
                "del\\u{7f} c1\\u{9b}nel\\u{85}",
                "del c1nel ",
            ),
            // not control characters: kept as they are
            (
                "back\\slash \u{200b}\u{202e}",
                "back\\slash \u{200b}\u{202e}",
                "back\\slash \u{200b}\u{202e}",
            ),
        ] {
            assert_eq!(escape_controls(text), name, "{text:?}");
            assert_eq!(clean_value(text), value, "{text:?}");
        }
        assert!(matches!(escape_controls("plain.pdf"), Cow::Borrowed(_)));
        assert!(matches!(clean_value("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn cells_are_values_only_in_their_columns_and_shapes() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        for (column, kind, text, cell) in [
            (Column::Amount, "", "-12.50", Cell::Amount("-12.50")),
            (Column::Amount, "", "1469.13", Cell::Amount("1469.13")),
            (Column::Amount, "", "1,469.13", Cell::Text("1,469.13")),
            (Column::Amount, "", "=1+2", Cell::Text("=1+2")),
            (Column::Amount, "", "-", Cell::Text("-")),
            (Column::Amount, "", "1.", Cell::Text("1.")),
            (Column::Amount, "", "", Cell::Empty),
            (
                Column::Date,
                "",
                "2024-03-05",
                Cell::Date("2024-03-05", d(2024, 3, 5)),
            ),
            (Column::Date, "", "2024-02-30", Cell::Text("2024-02-30")),
            (Column::Date, "", "2024-3-5", Cell::Text("2024-3-5")),
            (Column::Date, "", "+2024-03-05", Cell::Text("+2024-03-05")),
            (Column::Number, "", "17", Cell::Number("17")),
            (Column::Number, "", "0.988", Cell::Number("0.988")),
            (Column::Number, "", "-0", Cell::Number("-0")),
            (Column::Number, "", "1e5", Cell::Text("1e5")),
            (Column::ByKind, "amount", "12.50", Cell::Amount("12.50")),
            (
                Column::ByKind,
                "date",
                "2019-11-23",
                Cell::Date("2019-11-23", d(2019, 11, 23)),
            ),
            (Column::ByKind, "id", "2024-0117", Cell::Text("2024-0117")),
            (Column::ByKind, "duration", "P2Y", Cell::Text("P2Y")),
        ] {
            assert_eq!(
                Cell::of(column, text, kind),
                cell,
                "{column:?} {kind} {text:?}"
            );
        }
    }

    #[test]
    fn numbers_stay_numbers_in_csv_and_take_a_decimal_comma_for_excel() {
        let amount = Cell::of(Column::Amount, "-12.50", "");
        assert_eq!(amount.csv(false), "-12.50");
        assert_eq!(amount.csv(true), "-12,50");
        let date = Cell::of(Column::Date, "2024-03-05", "");
        assert_eq!(date.csv(true), "2024-03-05");
        assert_eq!(Cell::of(Column::Text, "1.5", "").csv(true), "1.5");
    }

    #[test]
    fn column_types_line_up_with_the_columns() {
        let at = |cols: &[&str], name: &str| cols.iter().position(|c| *c == name).unwrap();
        assert_eq!(at(&DOCUMENT_COLUMNS, "currency"), CURRENCY);
        assert_eq!(at(&DOCUMENT_COLUMNS, "document"), DOCUMENT);
        assert_eq!(at(&ENTITY_COLUMNS, "document"), DOCUMENT);
        assert_eq!(at(&DOCUMENT_COLUMNS, "error"), ERROR);
        assert_eq!(at(&ENTITY_COLUMNS, "kind"), KIND);
        for (name, t) in DOCUMENT_COLUMNS.iter().zip(DOCUMENT_TYPES) {
            let want = if name.ends_with("_date") {
                Column::Date
            } else if name.ends_with("_amount") {
                Column::Amount
            } else if *name == "pages" || *name == "empty_pages" {
                Column::Number
            } else {
                Column::Text
            };
            assert_eq!(t, want, "{name}");
        }
        assert_eq!(ENTITY_TYPES[at(&ENTITY_COLUMNS, "value")], Column::ByKind);
        assert_eq!(ENTITY_TYPES[at(&ENTITY_COLUMNS, "text")], Column::Text);
    }
}
