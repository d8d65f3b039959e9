//! A folder of bad inputs for "bad input never stops a batch": each file must
//! become its own error row (or an ordinary row) while the rest of the batch
//! goes on. The files are written by the test, byte by byte, so the corpus
//! needs no fixtures in the repository; the PDF and PNG builders are the ingest
//! crate's own (`crates/docex-ingest/src/fixtures.rs`, included by `tests/e2e.rs`).

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use super::fixtures::{encrypted, nested_array, page, png_claiming};

/// The user (open) password of `encrypted.pdf`.
pub const ENCRYPTED_PDF_PASSWORD: &str = "docex-secret";

/// The text of the documents in the corpus that must be read (each text file adds
/// a line of its own, so that no two are the same content: docex reports copies
/// as duplicates).
pub const INVOICE_TEXT: &str = "Invoice INV-1 Date 2024-01-02 Total 10.00 EUR";

/// One file of the corpus.
#[derive(Debug)]
pub struct BadInput {
    /// File name relative to the corpus folder, as docex displays it.
    pub name: String,
    /// A lowercase substring of the error message, to look for in the
    /// lowercased message; "" when the file must be read without error.
    pub expect: &'static str,
}

/// Writes the corpus into `dir` (an empty folder) and says what each file must give.
///
/// Besides the files listed, `symlink-loop/loop` links to its own folder
/// (`loop -> .`). It is not a document and must give no row: the walk must
/// not enter the folder twice, so `symlink-loop/invoice.txt` is read exactly once.
pub fn write_corpus(dir: &Path) -> Vec<BadInput> {
    let mut corpus = Vec::new();
    let mut add = |name: &str, bytes: &[u8], expect: &'static str| {
        fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
        corpus.push(BadInput {
            name: name.to_owned(),
            expect,
        });
    };
    let invoice = invoice_pdf(1);

    add("empty.pdf", b"", "empty file");
    add(
        "truncated.pdf",
        &invoice[..invoice.len() / 2],
        "unreadable pdf",
    );
    add("garbage.pdf", &garbage(4096), "unsupported file type");
    add(
        "encrypted.pdf",
        &encrypted(INVOICE_TEXT, ENCRYPTED_PDF_PASSWORD),
        "encrypted",
    );
    // lopdf walks the page tree's real kids, so the one page is read.
    add("page-count.pdf", &invoice_pdf(1_000_000_000), "");
    // lopdf gives up at 100 levels of nesting, so the page object is lost.
    add(
        "nested.pdf",
        &page(&text_content(), 1, &format!("/X {}", nested_array(100_000))),
        "malformed pdf",
    );
    add(
        "huge.png",
        &png_claiming(100_000, 100_000),
        "over the limit",
    );

    // Without read permission. Root reads it anyway (the tests run as root in
    // CI), so whether an error is expected is decided by trying to open it.
    let name = "unreadable.txt";
    add(name, format!("{INVOICE_TEXT}\nRef {name}").as_bytes(), "");
    let path = dir.join(name);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&path).is_err() {
        corpus.last_mut().unwrap().expect = "permission denied";
    }

    // A file name that is not UTF-8; docex shows it lossily (U+FFFD).
    let name = Path::new(std::ffi::OsStr::from_bytes(b"invoice-\xff\xfe.txt"));
    fs::write(
        dir.join(name),
        format!("{INVOICE_TEXT}\nRef non-UTF-8 name"),
    )
    .unwrap();
    corpus.push(BadInput {
        name: name.display().to_string(),
        expect: "",
    });

    let sub = dir.join("symlink-loop");
    fs::create_dir(&sub).unwrap();
    symlink(".", sub.join("loop")).unwrap();
    fs::write(
        sub.join("invoice.txt"),
        format!("{INVOICE_TEXT}\nRef symlink loop"),
    )
    .unwrap();
    corpus.push(BadInput {
        name: "symlink-loop/invoice.txt".to_owned(),
        expect: "",
    });

    corpus
}

/// Deterministic bytes that are no known file type.
fn garbage(len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn text_content() -> String {
    format!("BT /F1 12 Tf 72 720 Td ({INVOICE_TEXT}) Tj ET")
}

/// A one-page invoice whose page tree claims `count` pages.
fn invoice_pdf(count: u64) -> Vec<u8> {
    page(&text_content(), count, "")
}
