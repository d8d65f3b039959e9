//! Pages with no text (blank, an image nothing decodes, a blank scan) are empty
//! pages: the document is read, and its row counts them in `empty_pages`.

use super::fixtures::{gray_image, pdf, stream, zlib};
use super::{docex, extract_args, read_csv};

/// Four pages: an invoice's text; a blank page; a page whose only image is in
/// a filter no reader knows; a white scan, on which OCR finds nothing.
fn invoice_with_empty_pages() -> Vec<u8> {
    let page = |contents: u32, resources: &str| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {contents} 0 R \
             /Resources << {resources} >> >>"
        )
        .into_bytes()
    };
    let draw = || stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q");
    let text = "BT /F1 12 Tf 72 720 Td (Invoice INV-77 Date 2024-03-01 Total 12.50 EUR) Tj ET";
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 6 0 R 8 0 R 11 0 R] /Count 4 >>".to_vec(),
        page(4, "/Font << /F1 5 0 R >>"),
        stream("", text.as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        page(7, ""),
        stream("", b""),
        page(9, "/XObject << /Im1 10 0 R >>"),
        draw(),
        gray_image(10, 10, "/Filter /NoSuchDecode", &[7; 100]),
        page(12, "/XObject << /Im1 13 0 R >>"),
        draw(),
        gray_image(400, 300, "/Filter /FlateDecode", &zlib(&[255; 400 * 300])),
    ])
}

#[test]
fn pages_without_text_are_counted_empty_and_the_document_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("invoice.pdf"), invoice_with_empty_pages()).unwrap();
    let out = dir.path().join("out");
    let o = docex(&extract_args(&docs, &out, &["--jobs", "1"]));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows = read_csv(&out.join("documents.csv"));
    let row = &rows[0];
    assert_eq!(row["status"], "ok", "{row:?}");
    assert_eq!(row["pages"], "4", "{row:?}");
    assert_eq!(row["empty_pages"], "3", "{row:?}");
    assert_eq!(row["invoice_number"], "INV-77", "{row:?}");
    let log = String::from_utf8_lossy(&o.stderr);
    for page in ["page 2 is empty", "page 3 is empty"] {
        assert!(log.contains(page), "{page}: {log}");
    }
    assert!(
        log.contains("NoSuchDecode") && log.contains("invoice.pdf"),
        "{log}"
    );
}
