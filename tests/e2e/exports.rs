//! Spreadsheet-ready exports: `--format csv,xlsx,jsonl`, the workbook read back by
//! LibreOffice (`soffice`, from `libreoffice-calc-nogui`), `documents.jsonl`,
//! `needs_review.csv`, and formula injection from a hostile document.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{docex, extract_args, read_csv, Table, REPO};

/// `docex extract INPUT --out OUT --format csv,xlsx,jsonl`, which must succeed
/// (`ok_exit`) or end with some documents failed.
fn extract_all_formats(input: &Path, out: &Path, ok_exit: bool) {
    let o = docex(&extract_args(
        input,
        out,
        &["--jobs", "2", "--format", "csv,xlsx,jsonl"],
    ));
    let want = if ok_exit { 0 } else { 1 };
    assert_eq!(
        o.status.code(),
        Some(want),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every sheet of `xlsx` as LibreOffice prints it ("save cell contents as shown":
/// dates and amounts in the workbook's number formats, formulas as their results),
/// by sheet name.
fn sheets_as_shown(xlsx: &Path) -> BTreeMap<String, Table> {
    let dir = tempfile::tempdir().unwrap();
    // a private profile: parallel tests (and a desktop session) do not share one
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let o = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            // , " UTF-8, from line 1; export: as shown, no formulas, every sheet to its own file
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
            "--outdir",
            dir.path().to_str().unwrap(),
            xlsx.to_str().unwrap(),
        ])
        .output()
        .expect("run soffice (libreoffice-calc-nogui; scripts/setup.sh --tests installs it)");
    assert!(o.status.success(), "soffice: {o:?}");
    let stem = xlsx.file_stem().unwrap().to_str().unwrap();
    std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p: PathBuf| {
            let name = p.file_stem().unwrap().to_str().unwrap();
            let sheet = name.strip_prefix(&format!("{stem}-")).unwrap().to_owned();
            (sheet, read_csv(&p))
        })
        .collect()
}

/// How the workbook's format `#,##0.00 "EUR"` shows an amount of the CSV.
fn shown_amount(value: &str, currency: &str) -> String {
    let (sign, digits) = value.strip_prefix('-').map_or(("", value), |d| ("-", d));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
    format!("{sign}{grouped}{frac} {currency}")
}

/// A CSV cell without the `'` that neutralised it.
fn unquoted(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// Compares a sheet with its CSV table cell by cell: equal text, except amounts,
/// which the sheet shows in their currency format (the proof that they are
/// numbers), and text the CSV neutralised with a leading `'`.
fn assert_sheet_matches_csv(
    sheet: &Table,
    csv: &Table,
    is_amount: impl Fn(&BTreeMap<String, String>, &str) -> bool,
    currency_of: impl Fn(&BTreeMap<String, String>) -> String,
) {
    assert_eq!(sheet.len(), csv.len(), "rows");
    let mut mismatches = Vec::new();
    for (s, c) in sheet.iter().zip(csv) {
        assert_eq!(
            s.keys().collect::<Vec<_>>(),
            c.keys().collect::<Vec<_>>(),
            "columns"
        );
        for (col, want) in c {
            let want = if is_amount(c, col) && !want.is_empty() {
                shown_amount(want, &currency_of(c))
            } else {
                unquoted(want)
            };
            if s[col] != want {
                mismatches.push(format!(
                    "{} {col}: sheet {:?}, expected {want:?}",
                    c["document"], s[col]
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Checks every table of `out` against the others: both sheets of tables.xlsx
/// against the CSVs, and documents.jsonl against them.
fn assert_formats_agree(out: &Path) {
    let documents = read_csv(&out.join("documents.csv"));
    let entities = read_csv(&out.join("entities.csv"));
    let currency: BTreeMap<String, String> = documents
        .iter()
        .map(|d| (d["document"].clone(), d["currency"].clone()))
        .collect();
    let sheets = sheets_as_shown(&out.join("tables.xlsx"));
    assert_eq!(sheets.keys().collect::<Vec<_>>(), ["Documents", "Entities"]);
    assert_sheet_matches_csv(
        &sheets["Documents"],
        &documents,
        |_, col| col.ends_with("_amount"),
        |d| d["currency"].clone(),
    );
    assert_sheet_matches_csv(
        &sheets["Entities"],
        &entities,
        |e, col| col == "value" && e["kind"] == "amount",
        |e| currency[&e["document"]].clone(),
    );

    let jsonl = std::fs::read_to_string(out.join("documents.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), documents.len());
    for (j, d) in lines.iter().zip(&documents) {
        assert_eq!(j["document"], unquoted(&d["document"]));
        for col in ["total_amount", "invoice_date", "vendor"] {
            let want = match d[col].as_str() {
                "" => serde_json::Value::Null,
                v => unquoted(v).into(),
            };
            assert_eq!(j[col], want, "{} {col}", d["document"]);
        }
        let mine: Vec<_> = entities
            .iter()
            .filter(|e| e["document"] == d["document"])
            .collect();
        let nested = j["entities"].as_array().unwrap();
        assert_eq!(nested.len(), mine.len(), "{}", d["document"]);
        for (n, e) in nested.iter().zip(mine) {
            assert_eq!(n["page"], e["page"].parse::<u64>().unwrap());
            assert_eq!(n["start"], e["start"].parse::<u64>().unwrap());
            assert_eq!(n["value"], unquoted(&e["value"]));
        }
    }
}

#[test]
fn samples_export_to_xlsx_and_jsonl_that_agree_with_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    extract_all_formats(&Path::new(REPO).join("samples/documents"), &out, true);
    assert_formats_agree(&out);
    // the samples are complete and consistent: nobody needs to look at them
    assert_eq!(
        std::fs::read_to_string(out.join("needs_review.csv")).unwrap(),
        "document,status,reasons\n"
    );
    // docex merge writes the formats it is asked for, from the manifest alone
    let merged = dir.path().join("merged");
    let o = docex(&[
        "merge",
        out.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--format",
        "xlsx",
        "--excel",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert!(merged.join("tables.xlsx").is_file() && merged.join("needs_review.csv").is_file());
    assert!(!merged.join("documents.csv").exists() && !merged.join("documents.jsonl").exists());
    assert_eq!(
        std::fs::read_to_string(merged.join("needs_review.csv")).unwrap(),
        "\u{feff}document;status;reasons\n",
        "--excel: byte order mark and semicolons"
    );
}

#[test]
fn hostile_text_is_neutralised_in_csv_and_a_string_in_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    // Formulas as the vendor line, the invoice number and the file name (no extension
    // needed: types are recognised by content). As a formula, the name would show "y".
    let hostile = r#"=HYPERLINK("x","y")"#;
    std::fs::write(
        docs.join(hostile),
        "=Acme Supplies Ltd\n12 Market Street, Springfield\n\nINVOICE\n\n\
         Invoice No: =INV-7731\nInvoice Date: 2024-03-01\nBill to: Example Buyer Ltd\n\n\
         Subtotal: EUR 1,100.00\nVAT 19%: EUR 209.00\nTotal: EUR 1,309.00\n",
    )
    .unwrap();
    // Totals that do not add up and a due date before the invoice date.
    std::fs::write(
        docs.join("inconsistent.txt"),
        "Brightwater Paper Co.\n12 Market Street, Springfield\n\nINVOICE\n\n\
         Invoice No: INV-7732\nInvoice Date: 2024-03-01\nDue Date: 2024-02-01\n\
         Bill to: Example Buyer Ltd\n\nSubtotal: EUR 100.00\nVAT 19%: EUR 19.00\nTotal: EUR 129.00\n",
    )
    .unwrap();
    std::fs::write(docs.join("truncated.pdf"), "%PDF-1.7\n1 0 obj\n<<").unwrap();
    let out = dir.path().join("out");
    extract_all_formats(&docs, &out, false);

    let documents = read_csv(&out.join("documents.csv"));
    let d = &documents[0];
    // an id grows to the whitespace around it, so the `=` is in the number whatever
    // part the tagger took; the vendor may start at `Acme`, but never at a bare `=`
    assert_eq!(
        (
            d["document"].as_str(),
            d["invoice_number"].as_str(),
            d["total_amount"].as_str()
        ),
        (r#"'=HYPERLINK("x","y")"#, "'=INV-7731", "1309.00")
    );
    assert!(
        ["'=Acme Supplies Ltd", "Acme Supplies Ltd"].contains(&d["vendor"].as_str()),
        "{:?}",
        d["vendor"]
    );
    let sheets = sheets_as_shown(&out.join("tables.xlsx"));
    let row = &sheets["Documents"][0];
    assert_eq!(
        (
            row["document"].as_str(),
            row["invoice_number"].as_str(),
            row["total_amount"].as_str()
        ),
        (hostile, "=INV-7731", "1,309.00 EUR"),
        "strings, not formulas (a formula would show its result)"
    );
    assert_formats_agree(&out);

    let review = read_csv(&out.join("needs_review.csv"));
    let listed: Vec<[&str; 3]> = review
        .iter()
        .map(|r| {
            [
                r["document"].as_str(),
                r["status"].as_str(),
                r["reasons"].as_str(),
            ]
        })
        .collect();
    let truncated = documents
        .iter()
        .find(|d| d["document"] == "truncated.pdf")
        .unwrap();
    assert_eq!(
        listed,
        [
            [
                "inconsistent.txt",
                "ok",
                "net_amount + tax_amount != total_amount (100.00 + 19.00 != 129.00); \
                 due_date before invoice_date (2024-02-01 < 2024-03-01)"
            ],
            ["truncated.pdf", "error", truncated["error"].as_str()],
        ]
    );
}
