//! `docex text`: the pages the pipeline reads (a two-page text PDF, a plain text
//! file, a PNG scan), `--words` and its columns, and a bad file among good ones.

use std::path::{Path, PathBuf};

use super::fixtures::pdf;
use super::{docex, REPO};

/// A two-page text PDF: each page draws its lines with Helvetica, one `Td` a line.
fn two_page_pdf(pages: [&[&str]; 2]) -> Vec<u8> {
    let content = |lines: &[&str]| {
        let mut c = String::from("BT /F1 12 Tf 72 720 Td 14 TL");
        for line in lines {
            c.push_str(&format!(" ({line}) Tj T*"));
        }
        c + " ET"
    };
    let stream =
        |c: String| format!("<< /Length {} >>\nstream\n{c}\nendstream", c.len()).into_bytes();
    let page = |contents: u32| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R \
             /Resources << /Font << /F1 6 0 R >> >> >>"
        )
        .into_bytes()
    };
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_vec(),
        page(5),
        page(7),
        stream(content(pages[0])),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        stream(content(pages[1])),
    ])
}

/// The files of the tests in a temporary folder: `two-pages.pdf`, `notes.txt`,
/// `receipt.png` (the sample scan) and `broken.pdf` (a PDF cut short).
fn inputs(dir: &Path) -> [PathBuf; 4] {
    let pdf = dir.join("two-pages.pdf");
    std::fs::write(
        &pdf,
        two_page_pdf([
            &["Invoice No. 4711", "Date 05.03.2024"],
            &["Total due EUR 99.50", "Thank you"],
        ]),
    )
    .unwrap();
    let txt = dir.join("notes.txt");
    std::fs::write(&txt, "Please pay by 1 April 2024.\nKind regards\n").unwrap();
    let png = dir.join("receipt.png");
    std::fs::copy(Path::new(REPO).join("samples/documents/receipt.png"), &png).unwrap();
    let broken = dir.join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog").unwrap();
    [pdf, txt, png, broken]
}

fn text_of(args: &[&str]) -> (String, String, Option<i32>) {
    let out = docex(args);
    (
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

#[test]
fn a_two_page_text_pdf_is_printed_page_by_page_with_a_form_feed_between() {
    let dir = tempfile::tempdir().unwrap();
    let [pdf, ..] = inputs(dir.path());
    let (stdout, stderr, code) = text_of(&["text", pdf.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stdout.contains("==>"), "no header for one file:\n{stdout}");
    let pages: Vec<&str> = stdout.split('\x0c').collect();
    assert_eq!(pages.len(), 2, "two pages:\n{stdout:?}");
    assert_eq!(
        words(pages[0]),
        ["Invoice", "No.", "4711", "Date", "05.03.2024"],
        "{stdout:?}"
    );
    assert_eq!(
        words(pages[1]),
        ["Total", "due", "EUR", "99.50", "Thank", "you"],
        "{stdout:?}"
    );
    assert!(stdout.ends_with('\n'));
}

#[test]
fn several_files_each_get_a_header_and_a_bad_one_is_named_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let [pdf, txt, png, broken] = inputs(dir.path());
    let (stdout, stderr, code) = text_of(&[
        "text",
        "--quiet",
        txt.to_str().unwrap(),
        broken.to_str().unwrap(),
        png.to_str().unwrap(),
        pdf.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "a file failed: exit 1\n{stderr}");
    let failed: Vec<&str> = stderr.lines().collect();
    assert_eq!(failed.len(), 1, "one line, for broken.pdf:\n{stderr}");
    assert!(
        failed[0].starts_with(&format!("docex: {}: ", broken.display())),
        "{stderr}"
    );
    // the others, in order, each after its header
    let headers: Vec<&str> = stdout.lines().filter(|l| l.starts_with("==> ")).collect();
    let header = |p: &PathBuf| format!("==> {} <==", p.display());
    assert_eq!(headers, [header(&txt), header(&png), header(&pdf)]);
    let (_, rest) = stdout.split_once(&header(&txt)).unwrap();
    let (notes, rest) = rest.split_once(&header(&png)).unwrap();
    let (receipt, two_pages) = rest.split_once(&header(&pdf)).unwrap();
    assert_eq!(
        notes, "\nPlease pay by 1 April 2024.\nKind regards\n\n",
        "the text file as it is, a blank line before the next header"
    );
    assert!(
        receipt.contains("KEDAI") && !receipt.contains('\x0c'),
        "the scan's one page, OCR'd:\n{receipt}"
    );
    assert_eq!(two_pages.matches('\x0c').count(), 1, "{two_pages:?}");
}

#[test]
fn words_are_a_table_with_page_box_source_and_confidence() {
    let dir = tempfile::tempdir().unwrap();
    let [pdf, txt, png, broken] = inputs(dir.path());
    let (stdout, stderr, code) = text_of(&[
        "text",
        "--quiet",
        "--words",
        pdf.to_str().unwrap(),
        broken.to_str().unwrap(),
        txt.to_str().unwrap(),
        png.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("broken.pdf"), "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("document\tpage\tword\tx\ty\twidth\theight\tsource\tconfidence")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 9), "nine columns:\n{stdout}");
    let of = |p: &PathBuf| -> Vec<&Vec<&str>> {
        let name = p.to_str().unwrap();
        rows.iter().filter(|r| r[0] == name).collect()
    };
    // the PDF: its words page by page, from the text layer, no confidence
    let pdf_rows = of(&pdf);
    let pdf_words: Vec<(&str, &str)> = pdf_rows.iter().map(|r| (r[1], r[2])).collect();
    assert_eq!(
        pdf_words,
        [
            ("1", "Invoice"),
            ("1", "No."),
            ("1", "4711"),
            ("1", "Date"),
            ("1", "05.03.2024"),
            ("2", "Total"),
            ("2", "due"),
            ("2", "EUR"),
            ("2", "99.50"),
            ("2", "Thank"),
            ("2", "you"),
        ]
    );
    for r in &pdf_rows {
        assert_eq!((r[7], r[8]), ("text layer", ""), "{r:?}");
        // a box is all four numbers or none
        let filled = r[3..7].iter().filter(|c| !c.is_empty()).count();
        assert!(filled == 0 || filled == 4, "{r:?}");
    }
    // plain text: no box, no confidence
    let txt_rows = of(&txt);
    assert_eq!(txt_rows.len(), 8, "{txt_rows:?}");
    for r in &txt_rows {
        assert_eq!(&r[3..], ["", "", "", "", "plain text", ""], "{r:?}");
    }
    // the scan: OCR'd words with pixel boxes and confidences
    let png_rows = of(&png);
    let kedai = png_rows
        .iter()
        .find(|r| r[2] == "KEDAI")
        .unwrap_or_else(|| panic!("KEDAI among {png_rows:?}"));
    assert_eq!(kedai[1], "1");
    assert_eq!(kedai[7], "ocr");
    for cell in &kedai[3..7] {
        assert!(cell.parse::<f32>().is_ok_and(|v| v >= 0.0), "{kedai:?}");
    }
    assert!(
        kedai[8]
            .parse::<f32>()
            .is_ok_and(|c| (0.0..=1.0).contains(&c)),
        "{kedai:?}"
    );
    assert!(of(&broken).is_empty());
}
