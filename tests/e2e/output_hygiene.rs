//! What hostile names and text can do to docex's own outputs (issue 15): file
//! names with terminal escape sequences and newlines in log lines and tables, NUL
//! in a PDF's text, documents nobody would look at (no field at all, a duplicate
//! without values), and a run that cannot write its tables.

use std::fs;

use super::fixtures::page;
use super::{docex, extract_args, read_csv, Table};

/// A name that, written raw, turns the rest of a terminal red and starts a log
/// line of its own.
const RED_NAME: &str = "a\u{1b}[31mred\nFAKE LOG LINE.txt";
/// [`RED_NAME`] as log lines and tables show it.
const RED_NAME_ESCAPED: &str = "a\\u{1b}[31mred\\nFAKE LOG LINE.txt";

/// An invoice as plain text, with `tag` on a line of its own (distinct contents).
fn invoice_text(tag: &str) -> String {
    format!(
        "INVOICE\nGlobex Corporation\nInvoice number: INV-1042\nDate: 2024-03-05\n\
         Total: 119.00 EUR\n{tag}\n"
    )
}

/// The control characters of `text` other than the newlines that end CSV and
/// JSON Lines records.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

/// The row of `document` in `table`.
fn row<'t>(table: &'t Table, document: &str) -> &'t std::collections::BTreeMap<String, String> {
    table
        .iter()
        .find(|r| r["document"] == document)
        .unwrap_or_else(|| panic!("no row {document:?} in {table:?}"))
}

#[test]
fn file_names_with_escape_sequences_and_newlines_are_escaped_in_log_lines_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    fs::create_dir(&input).unwrap();
    fs::write(input.join(RED_NAME), invoice_text("")).unwrap();
    // a copy: its info line names the red file in the message
    fs::write(input.join("copy.txt"), invoice_text("")).unwrap();
    // a broken PDF: its warning names it in the `document` field
    fs::write(input.join("b\u{1b}[2Jbad\rX.pdf"), b"%PDF-1.4 broken").unwrap();
    let o = docex(&extract_args(&input, &out, &["--jobs", "1"]));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert_eq!(
        controls(&stderr),
        [],
        "raw control characters in the log:\n{stderr}"
    );
    assert!(
        !stderr.lines().any(|l| l.starts_with("FAKE LOG LINE")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "duplicate: same content as {RED_NAME_ESCAPED} document=copy.txt"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("failed document=b\\u{1b}[2Jbad\\rX.pdf error="),
        "{stderr}"
    );
    for table in ["documents.csv", "entities.csv", "needs_review.csv"] {
        let text = fs::read_to_string(out.join(table)).unwrap();
        assert_eq!(controls(&text), [], "{table}: {text:?}");
    }
    let documents = read_csv(&out.join("documents.csv"));
    assert_eq!(row(&documents, RED_NAME_ESCAPED)["total_amount"], "119.00");
    assert_eq!(
        row(&documents, "copy.txt")["error"],
        format!("same content as {RED_NAME_ESCAPED}"),
        "the error column names the copy as its own row does"
    );
    row(&documents, "b\\u{1b}[2Jbad\\rX.pdf");

    // an error message naming such a file: escaped, and no line of its own
    let missing = dir.path().join(RED_NAME);
    let o = docex(&extract_args(&missing, &out, &[]));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with("docex: ") || l.starts_with("  ")),
        "{stderr:?}"
    );
}

#[test]
fn a_nul_in_pdf_text_reaches_no_table() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    fs::create_dir(&input).unwrap();
    // `\000` is a NUL byte in a PDF string; the escape and DEL come through too
    let lines = [
        "INVOICE",
        "Globex\\000 Corporation",
        "Invoice number: INV-\\0331042",
        "Date: 2024-03-05",
        "Total: 119.00\\177 EUR",
    ];
    let shown: Vec<String> = lines.iter().map(|l| format!("({l}) Tj 0 -20 Td")).collect();
    let content = format!("BT /F1 12 Tf 72 720 Td {} ET", shown.join(" "));
    fs::write(input.join("globex.pdf"), page(&content, 1, "")).unwrap();
    let o = docex(&extract_args(
        &input,
        &out,
        &["--jobs", "1", "--format", "csv,jsonl"],
    ));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let mut all = String::new();
    for table in [
        "documents.csv",
        "entities.csv",
        "needs_review.csv",
        "documents.jsonl",
    ] {
        let text = fs::read_to_string(out.join(table)).unwrap();
        assert_eq!(controls(&text), [], "{table}: {text:?}");
        assert!(
            !text.contains("\\u00"),
            "{table}: an escaped control character: {text}"
        );
        all.push_str(&text);
    }
    // the text was read: the values around the NULs are there, whole
    assert!(all.contains("Globex Corporation"), "{all}");
    let documents = read_csv(&out.join("documents.csv"));
    assert_eq!(
        row(&documents, "globex.pdf")["total_amount"],
        "119.00",
        "{all}"
    );
}

#[test]
fn documents_with_no_field_and_duplicates_without_values_need_review() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    fs::create_dir(&input).unwrap();
    let nothing = "Thank you for visiting. See you soon.\n";
    fs::write(input.join("a-nothing.txt"), nothing).unwrap();
    fs::write(input.join("b-nothing-copy.txt"), nothing).unwrap();
    // an error row and its copy: the copy has no values to repeat
    let garbage: Vec<u8> = (0..2048u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(input.join("c-garbage.bin"), &garbage).unwrap();
    fs::write(input.join("d-garbage-copy.bin"), &garbage).unwrap();
    fs::write(input.join("e-invoice.txt"), invoice_text("")).unwrap();
    let o = docex(&extract_args(&input, &out, &["--jobs", "1"]));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let documents = read_csv(&out.join("documents.csv"));
    let status = |d: &str| row(&documents, d)["status"].clone();
    assert_eq!(
        [
            status("a-nothing.txt"),
            status("b-nothing-copy.txt"),
            status("d-garbage-copy.bin")
        ],
        ["ok", "duplicate", "duplicate"]
    );
    let review: Vec<[String; 3]> = read_csv(&out.join("needs_review.csv"))
        .into_iter()
        .map(|r| {
            [
                r["document"].clone(),
                r["status"].clone(),
                r["reasons"].clone(),
            ]
        })
        .collect();
    let garbage_error = row(&documents, "c-garbage.bin")["error"].clone();
    assert_eq!(
        review,
        [
            ["a-nothing.txt", "ok", "no field found"],
            ["b-nothing-copy.txt", "duplicate", "no field found"],
            ["c-garbage.bin", "error", garbage_error.as_str()],
            [
                "d-garbage-copy.bin",
                "duplicate",
                "no values: same content as c-garbage.bin, which has no extracted row in these tables"
            ],
        ]
        .map(|r| r.map(str::to_owned)),
    );
}

#[test]
fn a_run_that_cannot_write_its_tables_stops_with_exit_code_3_and_keeps_its_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    fs::create_dir(&input).unwrap();
    fs::write(input.join("invoice.txt"), invoice_text("")).unwrap();
    // documents.csv cannot be replaced (a folder is in the way): the run starts,
    // extracts, and fails when it writes its tables, as on a full disk
    let blocker = out.join("documents.csv");
    fs::create_dir_all(blocker.join("keep")).unwrap();
    let o = docex(&extract_args(&input, &out, &["--jobs", "1"]));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "docex: stopped: writing the tables in {}",
            out.display()
        )) && stderr.contains(&format!("cannot write {}: ", blocker.display()))
            && stderr.contains("manifest.sqlite"),
        "{stderr}"
    );
    // the document extracted before the tables failed is in the manifest: the
    // next run skips it and writes the tables
    fs::remove_dir_all(&blocker).unwrap();
    let o = docex(&extract_args(&input, &out, &["--jobs", "1"]));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("ok=0 ") && stderr.contains("skipped=1 "),
        "{stderr}"
    );
    let documents = read_csv(&out.join("documents.csv"));
    assert_eq!(row(&documents, "invoice.txt")["total_amount"], "119.00");
}

/// Exit code 3 is only for a run that started: an output folder that cannot be
/// created is still "could not start".
#[test]
fn an_output_folder_that_cannot_be_made_is_still_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("invoice.txt");
    fs::write(&input, invoice_text("")).unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "").unwrap();
    let o = docex(&extract_args(&input, &file.join("out"), &["--jobs", "1"]));
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("stopped"));
}
