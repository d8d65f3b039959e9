//! Page images the wrong way up, cut short or too many: the sample scans turned in
//! each format docex reads, a truncated JPEG, a TIFF over the document pixel budget.

use std::io::Cursor;
use std::path::Path;

use docex_ingest::{open_document, Limits, PageInput};
use image::{imageops, GrayImage, ImageFormat};

use super::fixtures::pdf;
use super::{docex, extract_args, read_csv, REPO};

/// The page images of a sample scan, as docex reads them.
fn sample_pages(name: &str) -> Vec<GrayImage> {
    let bytes = std::fs::read(Path::new(REPO).join("samples/documents").join(name)).unwrap();
    open_document(&bytes, &Limits::default())
        .unwrap()
        .map(|page| match page.unwrap() {
            PageInput::Image { image, .. } => image,
            PageInput::Text { .. } => panic!("{name}: a text page"),
        })
        .collect()
}

fn encode(image: &GrayImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

/// An uncompressed 8-bit grey TIFF, one frame per image.
fn gray_tiff(frames: &[GrayImage]) -> Vec<u8> {
    let strips: Vec<Vec<u8>> = frames.iter().map(|f| f.as_raw().clone()).collect();
    let layout: Vec<_> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| (f.width(), f.height(), 1, i))
        .collect();
    super::fixtures::gray_tiff(&strips, &layout)
}

/// An image-only PDF: one A4 page (landscape when the image is) drawing `image` as
/// a grey JPEG over the whole page.
fn scanned_pdf(image: &GrayImage) -> Vec<u8> {
    let jpeg = encode(image, ImageFormat::Jpeg);
    let (w, h) = image.dimensions();
    let (pw, ph) = if w > h { (842, 595) } else { (595, 842) };
    let content = format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q");
    let mut xobject = format!(
        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray \
         /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        jpeg.len()
    )
    .into_bytes();
    xobject.extend_from_slice(&jpeg);
    xobject.extend_from_slice(b"\nendstream");
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] /Contents 4 0 R \
             /Resources << /XObject << /Im0 5 0 R >> >> >>"
        )
        .into_bytes(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
        xobject,
    ])
}

/// Sideways and upside-down scans (PNG, JPEG, TIFF, image-only PDF) are turned the
/// right way up before OCR: each yields the fields of the sample it was turned from.
/// Before, they were read as they lay: status ok, type other, no fields.
#[test]
fn sideways_and_upside_down_scans_are_read_upright() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let receipt = &sample_pages("receipt.png")[0];
    let invoice = &sample_pages("invoice-scan.pdf")[0];
    let tiff = sample_pages("invoice-multipage.tiff");
    let turned: [(&str, &str, Vec<u8>); 5] = [
        (
            "receipt-90.png",
            "receipt.png",
            encode(&imageops::rotate90(receipt), ImageFormat::Png),
        ),
        (
            "receipt-270.png",
            "receipt.png",
            encode(&imageops::rotate270(receipt), ImageFormat::Png),
        ),
        (
            "invoice-scan-180.jpg",
            "invoice-scan.pdf",
            encode(&imageops::rotate180(invoice), ImageFormat::Jpeg),
        ),
        (
            "invoice-scan-90.pdf",
            "invoice-scan.pdf",
            scanned_pdf(&imageops::rotate90(invoice)),
        ),
        (
            "invoice-multipage-270-180.tiff",
            "invoice-multipage.tiff",
            gray_tiff(&[imageops::rotate270(&tiff[0]), imageops::rotate180(&tiff[1])]),
        ),
    ];
    for (name, _, bytes) in &turned {
        std::fs::write(docs.join(name), bytes).unwrap();
    }
    let out = dir.path().join("out");
    let o = docex(&extract_args(&docs, &out, &["--jobs", "2"]));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = read_csv(&out.join("documents.csv"));
    let expected = read_csv(&Path::new(REPO).join("samples/expected/documents.csv"));
    let mut mismatches = Vec::new();
    for (name, sample, _) in &turned {
        let row = got.iter().find(|r| r["document"] == *name).unwrap();
        let want = expected.iter().find(|r| r["document"] == *sample).unwrap();
        for (col, value) in want.iter().filter(|(c, _)| *c != "document") {
            if row[col] != *value {
                mismatches.push(format!(
                    "{name} {col}: got {:?}, {sample} has {value:?}",
                    row[col]
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// A JPEG cut short is an error row saying so; before, it was read as a page half
/// grey: status ok, with the fields of the missing part (the total) empty.
#[test]
fn a_truncated_jpeg_is_an_error_row() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let invoice = &sample_pages("invoice-scan.pdf")[0];
    let jpeg = encode(invoice, ImageFormat::Jpeg);
    std::fs::write(docs.join("cut.jpg"), &jpeg[..jpeg.len() * 2 / 5]).unwrap();
    std::fs::write(docs.join("whole.jpg"), &jpeg).unwrap();
    let out = dir.path().join("out");
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let rows = read_csv(&out.join("documents.csv"));
    let row = |name: &str| rows.iter().find(|r| r["document"] == name).unwrap();
    assert_eq!(row("cut.jpg")["status"], "error");
    assert!(
        row("cut.jpg")["error"].starts_with("truncated JPEG: "),
        "{:?}",
        row("cut.jpg")
    );
    assert_eq!(row("whole.jpg")["status"], "ok");
    assert_eq!(row("whole.jpg")["total_amount"], "9009.40");
}

/// A TIFF whose frames together are over `[limits] max_document_megapixels` is an
/// error row naming the limit, and the batch goes on.
#[test]
fn a_tiff_over_the_document_pixel_budget_is_an_error_row_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let white = GrayImage::from_pixel(1000, 800, image::Luma([255]));
    std::fs::write(docs.join("frames.tiff"), gray_tiff(&[white.clone(), white])).unwrap();
    std::fs::copy(
        Path::new(REPO).join("samples/documents/notes.txt"),
        docs.join("notes.txt"),
    )
    .unwrap();
    let default = std::fs::read_to_string(Path::new(REPO).join("pipelines/default.toml")).unwrap();
    let pipeline = dir.path().join("small.toml");
    std::fs::write(
        &pipeline,
        default.replace(
            "max_document_megapixels = 2000",
            "max_document_megapixels = 1",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = docex(&extract_args(
        &docs,
        &out,
        &[
            "--pipeline",
            pipeline.to_str().unwrap(),
            "--models",
            &format!("{REPO}/models"),
        ],
    ));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let rows = read_csv(&out.join("documents.csv"));
    let row = |name: &str| rows.iter().find(|r| r["document"] == name).unwrap();
    let error = &row("frames.tiff")["error"];
    assert!(
        error.contains("1600000 pixels") && error.contains("max_document_megapixels"),
        "{error}"
    );
    assert_eq!(row("notes.txt")["status"], "ok");
}
