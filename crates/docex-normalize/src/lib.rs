//! Normalisers: the text of a span in, a canonical value out.
//!
//! ```text
//!  tagger ──► TaggedSpan ──► [ docex-normalize ] ──► Entity.value / Fields
//!              "12/03/2018"      parse_date            "2018-03-12"
//!              "RM 1,469.06"     parse_amount          "1469.06", MYR
//!              "two (2) years"   parse_duration        "P2Y"
//! ```
//!
//! # Why the boundary is here
//!
//! Everything in this crate is a pure function of text: no I/O, no model, no
//! docex types. That keeps the hard, locale-laden part of extraction (is
//! `05/03/2024` March or May? is `1.234` a thousand?) testable as plain tables
//! of `(input, expected)`, and lets the pipeline decide policy (which span
//! fills which field, what the document's date order and currency are) with
//! the evidence this crate gives it. Two kinds of function live here:
//!
//! * **parsers** take one span, as tagged, and return the canonical value or
//!   `None`. They trim whitespace and edge punctuation but do not skip labels
//!   (`Date: 12/03/2018` is not a date; the span is).
//! * **scanners** (`find_*`) find every value-looking expression in free text,
//!   for the rows of `entities.csv` that no tag covers. They return
//!   [`Found`] spans with *character* offsets, the offsets every docex stage uses.
//!
//! # API
//!
//! Dates ([`DateOrder`], [`ParsedDate`]):
//! * [`parse_date`]`(text, order) -> Option<ParsedDate>`: numeric (`/ . -`,
//!   day-, month- or year-first, two-digit years pivot at 69), written months
//!   in English, German, French, Spanish and Malay, ordinals, legal style
//!   (`the 5th day of March, 2021`), weekdays before and times after.
//! * [`infer_date_order`]`(candidates) -> Option<DateOrder>`: day-first or
//!   month-first for a document, from its dates with a component above 12.
//! * [`find_dates`]`(text) -> Vec<Found>`.
//!
//! Amounts ([`Amount`]):
//! * [`parse_amount`]`(text) -> Option<Amount>` and
//!   [`parse_amount_in`]`(text, document_currency)`: both decimal
//!   conventions, space, apostrophe and Indian grouping, negatives, currency
//!   marks and ISO codes on either side.
//! * [`detect_currency`]`(text) -> Option<String>`: a document's currency
//!   ([`detect_currency_in_scan`] for OCR'd text, where `$` is often a misread `S`).
//! * [`find_amounts`]`(text) -> Vec<Found>`.
//! * [`Amount::cents`] and [`decimal_cents`]`(value) -> Option<i64>`: exact
//!   comparison (`net + tax = total` within a cent).
//!
//! Terms, parties, places:
//! * [`parse_duration`]`(text) -> Option<String>`: ISO 8601 (`P2Y`, `P36M`).
//! * [`clean_party`]`(text) -> Option<String>`: a name without labels,
//!   quotes, definitions or `, a Delaware corporation`.
//! * [`fold`]`(text) -> String`: the form in which two names are compared.
//! * [`between_names`]`(clause) -> Option<[ClauseName; 2]>`: the two names a
//!   preamble's `between A and B` joins, and whether the clause says each is a
//!   party's (a legal form, a definition, a description).
//! * [`clean_jurisdiction`]`(text) -> Option<String>`: `the State of New
//!   York` → `New York`.
//!
//! ```
//! use docex_normalize::{parse_amount, parse_date, DateOrder};
//!
//! let d = parse_date("Tue, 5 March 2024", DateOrder::MonthFirst).unwrap();
//! assert_eq!(d.date.to_string(), "2024-03-05");
//! let a = parse_amount("1.234,56 €").unwrap();
//! assert_eq!((a.value.as_str(), a.currency.as_deref()), ("1234.56", Some("EUR")));
//! ```

mod amount;
mod date;
mod distance;
mod duration;
mod jurisdiction;
mod legal_form;
mod party;
mod preamble;
mod scan;

pub use amount::{
    decimal_cents, detect_currency, detect_currency_in_scan, find_amounts, parse_amount,
    parse_amount_in, Amount,
};
pub use chrono::NaiveDate;
pub use date::{
    find_dates, find_ocr_dates, infer_date_order, latest_document_year, parse_date,
    repair_ocr_date, DateOrder, ParsedDate,
};
pub use distance::edit_distance;
pub use duration::{add_duration, parse_duration};
pub use jurisdiction::clean_jurisdiction;
pub use legal_form::{form_word, legal_form_after, mend_legal_form};
pub use party::{clean_party, fold, legal_line_start, name_words_before, trim_ocr_specks};
pub use preamble::{between_names, words_at, ClauseName};
pub use scan::Found;
