//! The worker processes and their start-up: the memory limit, a broken model or
//! ONNX Runtime library refused before any document is touched, and library
//! warnings kept out of a quiet run's log.

use std::path::{Path, PathBuf};

use super::fixtures::{gray_tiff, packbits_row, page_with_stream};
use super::{docex, docex_with, extract_args, read_csv, REPO};

const INVOICE: &str = "INVOICE\nInvoice No: INV-77\nDate: 2024-03-01\nTotal: EUR 77.00\n";

/// A `side` x `side` 8-bit grayscale TIFF, PackBits-compressed (a few MB on disk):
/// white with a black bar every 120 rows. Decoding it takes `side`² bytes, and OCR
/// several times that.
fn packbits_tiff(side: u32) -> Vec<u8> {
    let (white, black) = (packbits_row(side, 255), packbits_row(side, 0));
    let mut strip = Vec::new();
    for y in 0..side {
        strip.extend_from_slice(if y % 120 < 20 { &black } else { &white });
    }
    gray_tiff(&[strip], &[(side, side, 32773, 0)])
}

/// A worker that went past 10 GB on a small PDF had no bound; now a worker over
/// `--max-memory-mb` is killed, its document quarantined with the limit in its row
/// (once: the same document would need the same memory again), and the run goes on.
#[test]
fn a_document_over_the_memory_limit_is_quarantined_naming_the_limit_and_the_rest_is_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let (docs, out) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir(&docs).unwrap();
    // 144 MP, under the 250 MP pixel limit: about 540 MB at its peak (measured)
    std::fs::write(docs.join("big-scan.tiff"), packbits_tiff(12_000)).unwrap();
    std::fs::write(docs.join("invoice.txt"), INVOICE).unwrap();
    // a worker with an invoice peaks near 100 MB
    let o = docex(&extract_args(
        &docs,
        &out,
        &["--max-memory-mb", "256", "--device", "cpu", "--jobs", "1"],
    ));
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{log}");
    let rows = read_csv(&out.join("documents.csv"));
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["document"] == name)
            .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"))
    };
    let big = row("big-scan.tiff");
    assert_eq!(big["status"], "quarantined", "{big:?}");
    assert!(
        big["error"].contains("over the memory limit of 256 MB"),
        "{big:?}"
    );
    assert!(!log.contains("retrying once"), "{log}");
    let invoice = row("invoice.txt");
    assert_eq!(invoice["status"], "ok", "{invoice:?}");
    assert_eq!(invoice["total_amount"], "77.00", "{invoice:?}");
}

/// A copy of the shipped models folder in `dir` whose `model.onnx` is cut in half.
fn models_with_a_truncated_onnx(dir: &Path) -> PathBuf {
    let models = dir.join("models");
    let src = Path::new(REPO).join("models/docex-tagger-v2");
    let dst = models.join("docex-tagger-v2");
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
    let onnx = std::fs::read(dst.join("model.onnx")).unwrap();
    std::fs::write(dst.join("model.onnx"), &onnx[..onnx.len() / 2]).unwrap();
    models
}

/// A corrupt model passed the start-up check (the session was made on the first
/// document), so every document became an error row; the start-up check now loads
/// the model and runs it once.
#[test]
fn a_corrupt_model_stops_the_run_at_start_naming_the_model_file() {
    let dir = tempfile::tempdir().unwrap();
    let models = models_with_a_truncated_onnx(dir.path());
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("invoice.txt"), INVOICE).unwrap();
    let out = dir.path().join("out");
    let mut args = extract_args(&docs, &out, &["--models"]);
    args.push(models.to_str().unwrap());
    let o = docex(&args);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(log.contains("docex-tagger-v2/model.onnx"), "{log}");
    assert!(log.contains("broken"), "{log}");
    assert!(!out.join("documents.csv").exists(), "{log}");
    // explain checks the model the same way
    let o = docex(&[
        "explain",
        docs.join("invoice.txt").to_str().unwrap(),
        "--models",
        models.to_str().unwrap(),
    ]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{log}");
    assert!(log.contains("docex-tagger-v2/model.onnx"), "{log}");
}

/// A truncated ONNX Runtime library killed the worker with SIGBUS ("the worker
/// cannot start:" and nothing more) and `explain` with a bus error; both now name
/// the library and what is wrong with it.
#[test]
fn a_truncated_onnxruntime_library_is_named_by_extract_and_explain() {
    let ort = Path::new(REPO).join(".ort");
    let lib = std::fs::read_dir(&ort)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("libonnxruntime.so")
        })
        .expect("ONNX Runtime library in .ort/");
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(&lib).unwrap();
    let truncated = dir.path().join("libonnxruntime.so.1");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let doc = dir.path().join("invoice.txt");
    std::fs::write(&doc, INVOICE).unwrap();
    let env = [("ORT_DYLIB_PATH", truncated.to_str().unwrap())];
    let out = dir.path().join("out");
    for args in [
        extract_args(&doc, &out, &[]),
        vec!["explain", doc.to_str().unwrap()],
    ] {
        let o = docex_with(&args, &env);
        let log = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        assert!(log.contains(truncated.to_str().unwrap()), "{args:?}: {log}");
        assert!(log.contains("truncated"), "{args:?}: {log}");
    }
    assert!(!out.join("documents.csv").exists());
}

/// A one-page PDF whose content stream is a deflate stream cut short (a stored
/// block and no end): lopdf warns "incomplete deflate stream" and reads what is there.
fn pdf_with_truncated_deflate(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let mut stream = vec![0x78, 0x01, 0x00]; // zlib header; a stored block, not the last
    let len = content.len() as u16;
    stream.extend_from_slice(&len.to_le_bytes());
    stream.extend_from_slice(&(!len).to_le_bytes());
    stream.extend_from_slice(content.as_bytes());
    page_with_stream("/Filter /FlateDecode", &stream, ["", "", "", ""], &[])
}

/// `-q` printed dozens of lopdf WARN lines per damaged PDF: library warnings are
/// now kept to `--verbose` (or DOCEX_LOG).
#[test]
fn quiet_prints_no_library_warnings_for_a_pdf_with_a_truncated_deflate_stream() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("cut.pdf"),
        pdf_with_truncated_deflate("Invoice INV-5 Total EUR 5.00"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = docex(&extract_args(&docs, &out, &["-q"]));
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(!log.contains("lopdf"), "{log}");
    assert!(!log.contains("deflate"), "{log}");
    // the warning is there for who asks for it
    let o = docex(&extract_args(&docs, &dir.path().join("out-v"), &["-v"]));
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(log.contains("lopdf"), "{log}");
}
