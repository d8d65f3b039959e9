//! `needs_review.csv`: the documents a person must look at, and why.
//!
//! Everything here is recomputed from the stored rows, so the list always agrees
//! with the tables beside it: a key field of the document's type that is missing,
//! a key field whose chosen value is not confident, amounts or dates that
//! contradict each other, documents that could not be extracted at all, and
//! documents with no field at all (whatever their type: a sideways scan read as
//! `other` is one). Duplicates are checked as their first copy, whose values
//! they repeat, and are listed only when they have no values: their copy has no
//! extracted row in these tables, or no field either. `other` documents with
//! some field are not listed for lack of key fields (they have none).

use docex_core::{Check, DocumentRows};

use docex_normalize::decimal_cents;

use crate::cells::{clean_rows, iso_date, Cell};
use crate::csv_tables::CsvTables;
use crate::{OutputError, DOCUMENT_COLUMNS, ENTITY_COLUMNS};

/// Columns of `needs_review.csv`, in order.
pub const REVIEW_COLUMNS: [&str; 3] = ["document", "status", "reasons"];

/// A key field whose chosen value has a confidence below this is listed. Values
/// that only a fallback rule found (confidence halved) fall below it; a date read
/// in a guessed day/month order (confidence times 0.6) does not unless the tagger
/// was unsure too.
pub const REVIEW_CONFIDENCE: f64 = 0.5;

/// The reason of an `ok` row (or a duplicate's copy) with no field at all.
const NO_FIELD: &str = "no field found";

/// The first field column of `documents.csv` (after document, status, error,
/// doc_type, pages, empty_pages).
const FIRST_FIELD: usize = 6;

/// The key fields of a document type; each inner list is satisfied by any one of
/// its fields.
fn key_fields(doc_type: &str) -> &'static [&'static [&'static str]] {
    match doc_type {
        "invoice" | "receipt" => &[&["vendor"], &["invoice_date"], &["total_amount"]],
        "contract" => &[&["parties"], &["agreement_date", "effective_date"]],
        _ => &[],
    }
}

/// Why a document needs a person (empty when it does not), in the order of the
/// checks: missing fields, low confidence, consistency, or the error of a row
/// that failed or was quarantined.
pub fn review_reasons(rows: &DocumentRows) -> Vec<String> {
    let field = |name: &str| document_field(rows, name);
    let no_field = DOCUMENT_COLUMNS[FIRST_FIELD..]
        .iter()
        .all(|name| field(name).is_empty());
    match field("status") {
        "ok" if no_field => return vec![NO_FIELD.to_owned()],
        "ok" => {}
        "error" | "quarantined" => {
            let error = field("error");
            return vec![if error.is_empty() {
                field("status")
            } else {
                error
            }
            .to_owned()];
        }
        // not filled in with its copy's values (doc_type is the first of them)
        "duplicate" if field("doc_type").is_empty() => {
            return vec![format!(
                "no values: {}, which has no extracted row in these tables",
                field("error")
            )];
        }
        "duplicate" if no_field => return vec![NO_FIELD.to_owned()],
        _ => return Vec::new(),
    }
    let mut reasons = Vec::new();
    for group in key_fields(field("doc_type")) {
        if group.iter().all(|f| field(f).is_empty()) {
            reasons.push(format!("missing {}", group.join(" and ")));
        }
    }
    for name in key_fields(field("doc_type")).iter().flat_map(|g| g.iter()) {
        let values: Vec<&str> = match field(name) {
            "" => continue,
            v if *name == "parties" => v.split("; ").collect(),
            v => vec![v],
        };
        for value in values {
            if let Some(c) = chosen_confidence(rows, name, value) {
                if c < REVIEW_CONFIDENCE {
                    let which = if *name == "parties" {
                        format!("parties: {value}")
                    } else {
                        (*name).to_owned()
                    };
                    reasons.push(format!("low confidence {which} ({c:.3})"));
                }
            }
        }
    }
    // the field layer's own checks (docex_core::Check), on the row's values
    let amount = |name: &str| (field(name), decimal_cents(field(name)));
    let date = |name: &str| iso_date(field(name)).map(|_| field(name));
    let checks = Check::of(
        [
            amount("net_amount"),
            amount("tax_amount"),
            amount("total_amount"),
        ],
        (date("invoice_date"), date("due_date")),
    );
    reasons.extend(checks.iter().map(Check::to_string));
    reasons
}

/// The value of `documents.csv` column `name` in `rows` ("" when absent).
fn document_field<'a>(rows: &'a DocumentRows, name: &str) -> &'a str {
    DOCUMENT_COLUMNS
        .iter()
        .position(|c| *c == name)
        .and_then(|i| rows.document_row.get(i))
        .map_or("", String::as_str)
}

/// The confidence of the entity row chosen for `field` with `value`: the most
/// confident row of that role and value (the pipeline chooses the most confident
/// row of a role, so this is the chosen one).
fn chosen_confidence(rows: &DocumentRows, field: &str, value: &str) -> Option<f64> {
    let col = |name: &str| ENTITY_COLUMNS.iter().position(|c| *c == name);
    let (f, v, c) = (col("field")?, col("value")?, col("confidence")?);
    rows.entity_rows
        .iter()
        .filter(|r| r.get(f).is_some_and(|x| x == field) && r.get(v).is_some_and(|x| x == value))
        .filter_map(|r| r.get(c)?.parse::<f64>().ok())
        .reduce(f64::max)
}

/// Writes `needs_review.csv` into `dir`: one row per document with reasons, in the
/// order of `rows`, in the dialect of `csv`.
pub(crate) fn write(
    csv: &CsvTables,
    dir: &std::path::Path,
    rows: &[DocumentRows],
) -> Result<(), OutputError> {
    let rows = &*clean_rows(rows);
    let listed: Vec<(&DocumentRows, String)> = rows
        .iter()
        .filter_map(|r| {
            let reasons = review_reasons(r);
            (!reasons.is_empty()).then(|| (r, reasons.join("; ")))
        })
        .collect();
    csv.write_table(
        &dir.join("needs_review.csv"),
        &REVIEW_COLUMNS,
        listed.iter().map(|(r, reasons)| {
            vec![
                Cell::Text(&r.document),
                Cell::Text(document_field(r, "status")),
                Cell::Text(reasons),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    type Pairs = Vec<(&'static str, &'static str)>;
    type Entities<'a> = Vec<&'a [(&'static str, &'static str)]>;

    /// An entity row of `field` with `value` and `confidence`.
    fn chosen(
        field: &'static str,
        value: &'static str,
        confidence: &'static str,
    ) -> [(&'static str, &'static str); 3] {
        [
            ("field", field),
            ("value", value),
            ("confidence", confidence),
        ]
    }

    /// A complete invoice's fields, with `extra` added or replacing.
    fn invoice(extra: &[(&'static str, &'static str)]) -> Pairs {
        let mut f: Pairs = [
            ("doc_type", "invoice"),
            ("vendor", "Acme"),
            ("invoice_date", "2024-03-01"),
            ("total_amount", "119.00"),
        ]
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .collect();
        f.extend_from_slice(extra);
        f
    }

    #[test]
    fn reasons_table() {
        let confident = [
            chosen("vendor", "Acme", "0.990"),
            chosen("invoice_date", "2024-03-01", "0.950"),
            chosen("total_amount", "119.00", "0.900"),
        ];
        let confident: Entities = confident.iter().map(|e| &e[..]).collect();
        // (case, document fields, entity rows, reasons)
        let cases: Vec<(&str, Pairs, Entities, Vec<&str>)> = vec![
            ("complete invoice", invoice(&[]), confident.clone(), vec![]),
            (
                "receipt without a vendor or date",
                invoice(&[
                    ("doc_type", "receipt"),
                    ("vendor", ""),
                    ("invoice_date", ""),
                ]),
                confident.clone(),
                vec!["missing vendor", "missing invoice_date"],
            ),
            (
                "fallback total (half confidence)",
                invoice(&[]),
                vec![
                    confident[0],
                    confident[1],
                    &[
                        ("field", "total_amount"),
                        ("value", "119.00"),
                        ("confidence", "0.450"),
                    ],
                ],
                vec!["low confidence total_amount (0.450)"],
            ),
            (
                "the chosen row is the most confident of its value",
                invoice(&[]),
                vec![
                    confident[0],
                    confident[1],
                    confident[2],
                    &[
                        ("field", "total_amount"),
                        ("value", "119.00"),
                        ("confidence", "0.100"),
                    ],
                    // a less confident candidate of another value is not the chosen one
                    &[
                        ("field", "vendor"),
                        ("value", "Other"),
                        ("confidence", "0.200"),
                    ],
                ],
                vec![],
            ),
            (
                "exactly at the threshold",
                invoice(&[]),
                vec![
                    confident[0],
                    confident[1],
                    &[
                        ("field", "total_amount"),
                        ("value", "119.00"),
                        ("confidence", "0.500"),
                    ],
                ],
                vec![],
            ),
            (
                "net + tax off by more than a cent, due before issue",
                invoice(&[
                    ("net_amount", "100.00"),
                    ("tax_amount", "19.00"),
                    ("total_amount", "119.02"),
                    ("due_date", "2024-02-28"),
                ]),
                vec![
                    confident[0],
                    confident[1],
                    &[
                        ("field", "total_amount"),
                        ("value", "119.02"),
                        ("confidence", "0.700"),
                    ],
                ],
                vec![
                    "net_amount + tax_amount != total_amount (100.00 + 19.00 != 119.02)",
                    "due_date before invoice_date (2024-02-28 < 2024-03-01)",
                ],
            ),
            (
                "a cent of rounding is fine, as are mixed decimals",
                invoice(&[
                    ("net_amount", "100.004"),
                    ("tax_amount", "19"),
                    ("total_amount", "119.01"),
                    ("due_date", "2024-03-01"),
                ]),
                vec![
                    confident[0],
                    confident[1],
                    &[
                        ("field", "total_amount"),
                        ("value", "119.01"),
                        ("confidence", "0.900"),
                    ],
                ],
                vec![],
            ),
            (
                "contract with parties and an effective date only",
                vec![
                    ("doc_type", "contract"),
                    ("parties", "A Inc.; B LLC"),
                    ("effective_date", "2021-04-01"),
                ],
                vec![
                    &[
                        ("field", "parties"),
                        ("value", "A Inc."),
                        ("confidence", "0.990"),
                    ],
                    &[
                        ("field", "parties"),
                        ("value", "B LLC"),
                        ("confidence", "0.350"),
                    ],
                    &[
                        ("field", "effective_date"),
                        ("value", "2021-04-01"),
                        ("confidence", "0.900"),
                    ],
                ],
                vec!["low confidence parties: B LLC (0.350)"],
            ),
            (
                "contract without parties or dates",
                vec![("doc_type", "contract"), ("expiration_date", "2023-04-01")],
                vec![],
                vec![
                    "missing parties",
                    "missing agreement_date and effective_date",
                ],
            ),
            (
                "other documents have no key fields",
                vec![("doc_type", "other"), ("currency", "EUR")],
                vec![],
                vec![],
            ),
            // issue 15 (17): ok, type other, no fields, and not listed
            (
                "ok row with no field at all",
                vec![("doc_type", "other"), ("pages", "1")],
                vec![],
                vec!["no field found"],
            ),
            (
                "an invoice with no field at all is that, not three missing fields",
                vec![("doc_type", "invoice"), ("pages", "1")],
                vec![],
                vec!["no field found"],
            ),
            (
                "error row",
                vec![("status", "error"), ("error", "encrypted PDF")],
                vec![],
                vec!["encrypted PDF"],
            ),
            (
                "quarantined row",
                vec![
                    ("status", "quarantined"),
                    ("error", "quarantined: crashed its worker, twice"),
                ],
                vec![],
                vec!["quarantined: crashed its worker, twice"],
            ),
            (
                "duplicates are checked as their first copy",
                vec![
                    ("status", "duplicate"),
                    ("error", "same content as a.pdf"),
                    ("doc_type", "receipt"),
                    ("pages", "1"),
                    ("total_amount", "3.00"),
                ],
                vec![],
                vec![],
            ),
            // issue 15 (17): a duplicate with empty values was not listed
            (
                "a duplicate whose copy has no extracted row",
                vec![("status", "duplicate"), ("error", "same content as a.pdf")],
                vec![],
                vec![
                    "no values: same content as a.pdf, which has no extracted row in these tables",
                ],
            ),
            (
                "a duplicate of a copy with no field",
                vec![
                    ("status", "duplicate"),
                    ("error", "same content as a.pdf"),
                    ("doc_type", "other"),
                    ("pages", "1"),
                ],
                vec![],
                vec!["no field found"],
            ),
        ];
        assert_eq!(DOCUMENT_COLUMNS[FIRST_FIELD], "vendor");
        for (case, fields, entities, want) in cases {
            let r = rows("d.pdf", &fields, &entities);
            assert_eq!(review_reasons(&r), want, "{case}");
        }
    }

    #[test]
    fn needs_review_lists_only_documents_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let all = [
            rows("ok.txt", &[("doc_type", "other")], &[]),
            rows(
                "=bad.pdf",
                &[("status", "error"), ("error", "truncated PDF")],
                &[],
            ),
            rows("r.png", &[("doc_type", "receipt")], &[]),
            rows(
                "dup.png",
                &[
                    ("status", "duplicate"),
                    ("error", "same content as =bad.pdf"),
                ],
                &[],
            ),
            rows("other.txt", &[("doc_type", "other"), ("term", "P1Y")], &[]),
        ];
        write(&CsvTables::default(), dir.path(), &all).unwrap();
        let text = std::fs::read_to_string(dir.path().join("needs_review.csv")).unwrap();
        assert_eq!(
            text,
            "document,status,reasons\n\
             ok.txt,ok,no field found\n\
             '=bad.pdf,error,truncated PDF\n\
             r.png,ok,no field found\n\
             dup.png,duplicate,\"no values: same content as =bad.pdf, which has no extracted row in these tables\"\n"
        );
    }
}
