//! PDF Flate bombs in a batch: the bomb becomes an error row naming the limit,
//! before it takes memory, and the good document beside it is extracted.

use super::fixtures::{flate_bomb, one_page, page_with_stream};
use super::{docex, extract_args, read_csv};

#[test]
fn a_pdf_flate_bomb_is_an_error_row_naming_the_limit_and_the_good_pdf_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    let out = dir.path().join("out");
    // 256 MiB of `q Q ` behind two Flate layers: a PDF of about 1.4 KB
    let bomb = flate_bomb(b"q Q ", 256 << 20, 2);
    let filters = "/Filter [/FlateDecode /FlateDecode]";
    let pdf = page_with_stream(filters, &bomb, ["", "", "", ""], &[]);
    assert!(pdf.len() < 2048, "{} bytes", pdf.len());
    std::fs::write(docs.join("bomb.pdf"), pdf).unwrap();
    let good = "Invoice INV-77 Date 2024-03-01 Total 12.50 EUR";
    std::fs::write(docs.join("good.pdf"), one_page(good)).unwrap();

    let o = docex(&extract_args(&docs, &out, &["--jobs", "1"]));
    assert_eq!(o.status.code(), Some(1), "one document failed: {o:?}");
    let rows = read_csv(&out.join("documents.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["document"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"))
    };
    let bomb = row("bomb.pdf");
    assert_eq!(bomb["status"], "error", "{bomb:?}");
    assert!(
        bomb["error"].contains("content of page 1")
            && bomb["error"].contains("limit of 8 MB per page ([limits] max_pdf_content_mb)"),
        "{bomb:?}"
    );
    let good = row("good.pdf");
    assert_eq!(good["status"], "ok", "{good:?}");
    assert_eq!(good["invoice_number"], "INV-77", "{good:?}");
}
