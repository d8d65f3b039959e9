//! A folder of bad inputs for "bad input never stops a batch": each file must
//! become its own error row (or an ordinary row) while the rest of the batch
//! goes on. The files are written by the test, byte by byte, so the corpus
//! needs no fixtures in the repository.

#![allow(dead_code)]

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use lopdf::{Document, EncryptionState, EncryptionVersion, Object, Permissions};

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
        &encrypted(&invoice, ENCRYPTED_PDF_PASSWORD),
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

/// One page drawn by `content`, its page tree claiming `count` pages; `extra`
/// goes into the page dictionary.
fn page(content: &str, count: u64, extra: &str) -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [3 0 R] /Count {count} >>").into_bytes(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> {extra} >>"
        )
        .into_bytes(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ])
}

/// A PDF of the given objects (numbered from 1; object 1 is the catalog) with a
/// correct cross-reference table.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// An array nested `depth` levels deep: `[[[...]]]`.
fn nested_array(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

/// `pdf` encrypted with 40-bit RC4 (V1, R2) under `user_password`.
fn encrypted(pdf: &[u8], user_password: &str) -> Vec<u8> {
    let mut doc = Document::load_mem(pdf).unwrap();
    let id = Object::string_literal(b"docex-bad-inputs".to_vec());
    doc.trailer.set("ID", vec![id.clone(), id]);
    let state = EncryptionState::try_from(EncryptionVersion::V1 {
        document: &doc,
        owner_password: "docex-owner",
        user_password,
        permissions: Permissions::PRINTABLE,
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A grayscale PNG whose header claims `width` x `height` pixels.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = [width.to_be_bytes(), height.to_be_bytes()].concat();
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        // An empty zlib stream: the image is refused before it is decoded.
        (
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
        ),
        (b"IEND", &[][..]),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        (0..8).fold(crc ^ b as u32, |c, _| {
            if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            }
        })
    })
}
