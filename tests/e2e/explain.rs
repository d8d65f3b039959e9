//! `docex explain`: the plain (piped) text with its entity markers, the HTML page
//! with the page image and a box per entity, and that page as headless Chromium
//! draws it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{docex, read_csv, samples_run, REPO};

fn sample(name: &str) -> String {
    Path::new(REPO)
        .join("samples/documents")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

/// The expected `documents.csv` row of a sample.
fn expected(name: &str) -> std::collections::BTreeMap<String, String> {
    read_csv(&Path::new(REPO).join("samples/expected/documents.csv"))
        .into_iter()
        .find(|r| r["document"] == name)
        .unwrap_or_else(|| panic!("{name} in samples/expected/documents.csv"))
}

/// `docex explain` on a sample with stdout piped: its stdout.
fn explain_plain(name: &str) -> String {
    let out = docex(&["explain", &sample(name)]);
    assert!(
        out.status.success(),
        "docex explain {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Checks the marker and the fields line of each field in `fields`.
fn assert_fields(name: &str, stdout: &str, fields: &[&str]) {
    assert!(
        !stdout.contains('\x1b'),
        "no ANSI escapes when piped:\n{stdout}"
    );
    let want = expected(name);
    let (text, chosen) = stdout
        .split_once("--- fields ---")
        .expect("a fields section");
    for field in fields {
        let value = &want[*field];
        assert!(!value.is_empty(), "{name} has a {field}");
        let marker = format!("]]{{{field}={value} ");
        assert!(text.contains(&marker), "{marker} in:\n{text}");
        assert!(
            chosen
                .lines()
                .any(|l| l.split_once(' ').map(|(f, v)| (f, v.trim())) == Some((field, value))),
            "{field} {value} in the fields:\n{chosen}"
        );
    }
}

#[test]
fn explain_marks_the_fields_of_a_scan_in_plain_text_when_piped() {
    let stdout = explain_plain("receipt.png");
    assert!(stdout.contains("--- page 1 (OCR) ---"), "{stdout}");
    assert_fields(
        "receipt.png",
        &stdout,
        &["vendor", "invoice_date", "total_amount"],
    );
    assert!(stdout.contains("\ndoc_type         receipt\n"), "{stdout}");
}

#[test]
fn explain_marks_the_fields_of_a_text_pdf() {
    let stdout = explain_plain("invoice-text.pdf");
    assert!(stdout.contains("(PDF text layer) ---"), "{stdout}");
    assert_fields(
        "invoice-text.pdf",
        &stdout,
        &["invoice_number", "invoice_date", "due_date", "total_amount"],
    );
}

/// `docex explain --trace` on the sample contract and text invoice: what decided the
/// document type, and for every field of the expected row its candidates, the rules that
/// changed it, and an entity chosen for its value (no value without one).
#[test]
fn explain_trace_gives_every_field_its_candidates_rules_and_entity() {
    for (name, doc_type) in [
        ("contract.pdf", "contract"),
        ("invoice-text.pdf", "invoice"),
    ] {
        let out = docex(&["explain", &sample(name), "--trace"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let trace = stdout
            .split_once("\n--- trace ---\n")
            .unwrap_or_else(|| panic!("{name}: no trace in {stdout}"))
            .1;
        assert!(
            trace.starts_with(&format!("doc_type {doc_type}: contract words ")),
            "{name}: {trace}"
        );
        let row = expected(name);
        let mut checked = 0;
        // the row's fields (after empty_pages), but currency, which no entity gives
        let fields = docex_output::DOCUMENT_COLUMNS
            .iter()
            .skip_while(|c| **c != "empty_pages")
            .skip(1)
            .filter(|c| **c != "currency");
        for field in fields {
            let value = &row[*field];
            if value.is_empty() {
                continue;
            }
            let section = trace
                .split("\n\n")
                .find(|s| s.starts_with(&format!("{field} = ")))
                .unwrap_or_else(|| panic!("{name}: no {field} in {trace}"));
            assert!(
                section.contains("\n  candidates ("),
                "{name} {field}: {section}"
            );
            assert!(
                section.contains("\n  choice: most confident of each role"),
                "{section}"
            );
            let chosen = section
                .lines()
                .find(|l| l.starts_with("  chosen: "))
                .unwrap_or_else(|| panic!("{name} {field}: nothing chosen in {section}"));
            assert!(
                !chosen.ends_with("no entity") && !chosen.ends_with("none"),
                "{name} {field}: {chosen}"
            );
            checked += 1;
        }
        assert!(checked >= 4, "{name}: only {checked} fields in {trace}");
    }
    // the invoice's number under its label is preferred over the reference line's
    let out = docex(&["explain", &sample("invoice-text.pdf"), "--trace"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("\n  ids: labelled invoice numbers preferred\n"),
        "{stdout}"
    );
    // without --trace, no trace
    assert!(!explain_plain("invoice-text.pdf").contains("--- trace ---"));
}

/// `docex explain receipt.png --html`, once: the page's path.
fn receipt_html() -> &'static PathBuf {
    static HTML: OnceLock<PathBuf> = OnceLock::new();
    HTML.get_or_init(|| {
        let path = tempfile::tempdir().unwrap().keep().join("receipt.html");
        let out = docex(&[
            "explain",
            &sample("receipt.png"),
            "--html",
            path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "docex explain --html: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        path
    })
}

/// The value of each `attr="..."` in the tags of `html` that contain `class="box"`.
fn box_attrs(html: &str, attr: &str) -> Vec<String> {
    html.split('<')
        .filter(|tag| tag.starts_with("div class=\"box\""))
        .map(|tag| {
            let at = tag.find(&format!("{attr}=\"")).expect(attr) + attr.len() + 2;
            tag[at..].split('"').next().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn explain_html_of_a_scan_has_its_image_and_a_box_per_entity() {
    let html = std::fs::read_to_string(receipt_html()).unwrap();
    assert!(html.contains("<img ") && html.contains("src=\"data:image/png;base64,iVBOR"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href="),
        "self-contained"
    );
    // the boxes are those of the entities.csv rows of the same document
    let parse = |v: [&str; 4]| v.map(|s| s.parse::<f32>().unwrap());
    let mut boxes: Vec<[f32; 4]> = box_attrs(&html, "data-bbox")
        .iter()
        .map(|b| parse(b.split(',').collect::<Vec<_>>().try_into().unwrap()))
        .collect();
    let (_, out) = samples_run();
    let mut want: Vec<[f32; 4]> = read_csv(&out.join("entities.csv"))
        .into_iter()
        .filter(|e| e["document"] == "receipt.png" && !e["x"].is_empty())
        .map(|e| parse([&e["x"], &e["y"], &e["width"], &e["height"]].map(String::as_str)))
        .collect();
    assert!(!want.is_empty());
    let order = |a: &[f32; 4], b: &[f32; 4]| a.partial_cmp(b).unwrap();
    boxes.sort_by(order);
    want.sort_by(order);
    assert_eq!(boxes.len(), want.len(), "one box per entity with a box");
    for (b, w) in boxes.iter().zip(&want) {
        assert!(
            b.iter().zip(w).all(|(b, w)| (b - w).abs() <= 0.5),
            "{b:?} vs {w:?}"
        );
    }
}

/// "#rrggbb" as RGB.
fn rgb(hex: &str) -> [u8; 3] {
    let c = |i: usize| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap();
    [c(0), c(1), c(2)]
}

#[test]
fn explain_html_shows_the_boxes_in_headless_chromium() {
    let html = receipt_html();
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let out = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1400,1600", "--hide-scrollbars"])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium (installed by scripts/setup.sh --tests)");
    assert!(
        out.status.success() && shot.is_file(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image = image::open(&shot).unwrap().to_rgb8();
    assert_eq!(image.dimensions(), (1400, 1600));
    // not blank: the page image and the text darken a good share of the pixels
    let dark = image
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c < 128))
        .count();
    assert!(
        dark > image.len() / 3 / 200,
        "{dark} dark pixels: a blank page?"
    );
    // and the boxes of the fields are drawn in their colours
    let page = std::fs::read_to_string(html).unwrap();
    let colours: Vec<[u8; 3]> = box_attrs(&page, "style")
        .iter()
        .zip(box_attrs(&page, "data-field"))
        .filter(|(_, field)| !field.is_empty())
        .map(|(style, _)| {
            rgb(style
                .split("border-color:")
                .nth(1)
                .unwrap()
                .get(..7)
                .unwrap())
        })
        .collect();
    assert!(!colours.is_empty(), "boxes of fields");
    let close = |p: &[u8; 3], c: &[u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(*b) <= 12);
    let found = colours
        .iter()
        .filter(|c| image.pixels().filter(|p| close(&p.0, c)).count() >= 20)
        .count();
    assert!(
        found > 0,
        "no pixels in the colour of a box ({colours:?}) in {}",
        shot.display()
    );
}

/// Issue 16: entities from a text PDF carry their boxes (PDF points), and `explain
/// --html` draws the text page from its words with a box per entity over them.
#[test]
fn explain_html_of_a_text_pdf_draws_its_words_and_a_box_per_entity() {
    let (_, out) = samples_run();
    let rows: Vec<_> = read_csv(&out.join("entities.csv"))
        .into_iter()
        .filter(|e| e["document"] == "invoice-text.pdf")
        .collect();
    assert!(!rows.is_empty());
    for e in &rows {
        let b = [&e["x"], &e["y"], &e["width"], &e["height"]].map(|v| v.parse::<f32>());
        assert!(
            b.iter().all(Result::is_ok),
            "a box for every entity of a text PDF: {e:?}"
        );
        let [x, y, w, h] = b.map(Result::unwrap);
        // on an A4 page, in points
        assert!(
            x >= 0.0 && y >= 0.0 && x + w <= 600.0 && y + h <= 850.0,
            "{e:?}"
        );
        assert!(w > 0.0 && (4.0..40.0).contains(&h), "{e:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.html");
    let run = docex(&[
        "explain",
        &sample("invoice-text.pdf"),
        "--html",
        path.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(!html.contains("<img "), "a text page has no image");
    let number = &expected("invoice-text.pdf")["invoice_number"];
    assert!(
        html.contains("class=\"word\"") && html.contains(&format!(">{number}</span>")),
        "the invoice number drawn as a word"
    );
    let boxes = box_attrs(&html, "data-bbox");
    let with_box = rows.iter().filter(|e| !e["x"].is_empty()).count();
    assert_eq!(boxes.len(), with_box, "one box per entity with a box");
}
