//! The two OCR engines (issue 17): `--ocr tesseract | paddle | auto`, the page images
//! PP-OCR must survive (1 pixel, all black, turned, a long till roll), and missing
//! PP-OCR models.

use std::io::Cursor;
use std::path::Path;

use image::{imageops, GrayImage, ImageFormat, Luma};

use super::{docex, docex_with, extract_args, read_csv, REPO};

fn sample_receipt() -> GrayImage {
    image::open(Path::new(REPO).join("samples/documents/receipt.png"))
        .unwrap()
        .to_luma8()
}

fn png(image: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// `docex text FILE --ocr ENGINE`: stdout, stderr and the exit code.
fn text(file: &Path, engine: &str, env: &[(&str, &str)]) -> (String, String, Option<i32>) {
    let o = docex_with(&["text", file.to_str().unwrap(), "--ocr", engine], env);
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code(),
    )
}

/// Either engine reads the sample receipt to the same fields as the shipped
/// expectations; `auto` routes a receipt to PP-OCR and says so in the debug log.
#[test]
fn either_engine_reads_the_sample_receipt_to_its_fields() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::copy(
        Path::new(REPO).join("samples/documents/receipt.png"),
        docs.join("receipt.png"),
    )
    .unwrap();
    let expected = read_csv(&Path::new(REPO).join("samples/expected/documents.csv"));
    let want = expected
        .iter()
        .find(|r| r["document"] == "receipt.png")
        .unwrap();
    for engine in ["tesseract", "paddle", "auto"] {
        let out = dir.path().join(format!("out-{engine}"));
        let o = docex_with(
            &extract_args(&docs, &out, &["--ocr", engine, "--jobs", "1"]),
            &[("DOCEX_LOG", "docex_paddle=debug")],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{engine}: {stderr}");
        let rows = read_csv(&out.join("documents.csv"));
        for col in ["vendor", "invoice_date", "total_amount", "currency"] {
            assert_eq!(rows[0][col], want[col], "--ocr {engine}, {col}");
        }
        let pp_ocr_read = stderr.contains("pp-ocr page");
        assert_eq!(
            pp_ocr_read,
            engine != "tesseract",
            "--ocr {engine}: PP-OCR read the page: {pp_ocr_read}\n{stderr}"
        );
    }
}

/// A 1-pixel image, an all-black and an all-white page are empty pages, not
/// failures; the good file beside them keeps its fields.
#[test]
fn tiny_black_and_white_images_are_empty_pages_for_pp_ocr() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("pixel.png"), png(&GrayImage::new(1, 1))).unwrap();
    std::fs::write(
        docs.join("black.png"),
        png(&GrayImage::from_pixel(900, 1600, Luma([0]))),
    )
    .unwrap();
    std::fs::write(
        docs.join("white.png"),
        png(&GrayImage::from_pixel(900, 1600, Luma([255]))),
    )
    .unwrap();
    std::fs::write(docs.join("receipt.png"), png(&sample_receipt())).unwrap();
    let out = dir.path().join("out");
    let o = docex(&extract_args(&docs, &out, &["--ocr", "paddle"]));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows = read_csv(&out.join("documents.csv"));
    let row = |name: &str| rows.iter().find(|r| r["document"] == name).unwrap();
    for name in ["pixel.png", "black.png", "white.png"] {
        assert_eq!(row(name)["status"], "ok", "{:?}", row(name));
        assert_eq!(row(name)["pages"], "1", "{:?}", row(name));
        assert_eq!(row(name)["total_amount"], "", "{:?}", row(name));
    }
    assert_eq!(row("receipt.png")["total_amount"], "85.29");
}

/// A receipt turned a quarter, half and three quarters is read upright by PP-OCR.
#[test]
fn pp_ocr_reads_turned_receipts_upright() {
    let dir = tempfile::tempdir().unwrap();
    let receipt = sample_receipt();
    let turned = [
        ("90", imageops::rotate90(&receipt)),
        ("180", imageops::rotate180(&receipt)),
        ("270", imageops::rotate270(&receipt)),
    ];
    for (name, image) in turned {
        let file = dir.path().join(format!("receipt-{name}.png"));
        std::fs::write(&file, png(&image)).unwrap();
        let (stdout, stderr, code) = text(&file, "paddle", &[]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stdout.contains("85.29") && stdout.to_uppercase().contains("TOTAL"),
            "turned {name}:\n{stdout}"
        );
    }
}

/// A till roll: the receipt five times one below the other (about 12 times as
/// tall as wide) is read in tiles, not shrunk: every copy's total is read.
#[test]
fn a_long_till_roll_is_read_whole() {
    let receipt = sample_receipt();
    let (w, h) = receipt.dimensions();
    let mut roll = GrayImage::from_pixel(w, h * 5, Luma([255]));
    for k in 0..5 {
        imageops::replace(&mut roll, &receipt, 0, (k * h) as i64);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("roll.png");
    std::fs::write(&file, png(&roll)).unwrap();
    let (stdout, stderr, code) = text(&file, "paddle", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout.matches("85.29").count(),
        5 * sample_total_count(),
        "{stdout}"
    );
}

/// How often the sample receipt's own text says 85.29.
fn sample_total_count() -> usize {
    let (stdout, stderr, code) = text(
        &Path::new(REPO).join("samples/documents/receipt.png"),
        "paddle",
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let n = stdout.matches("85.29").count();
    assert!(n > 0, "{stdout}");
    n
}

/// Without the PP-OCR models, `paddle` and `auto` stop at the start (exit 2) with
/// the command that installs them; `tesseract` does not need them.
#[test]
fn missing_pp_ocr_models_stop_the_run_with_the_command_to_install_them() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-models");
    let receipt = Path::new(REPO).join("samples/documents/receipt.png");
    let env = [("DOCEX_PPOCR", missing.to_str().unwrap())];
    for engine in ["paddle", "auto"] {
        let (_, stderr, code) = text(&receipt, engine, &env);
        assert_eq!(code, Some(2), "--ocr {engine}: {stderr}");
        assert!(
            stderr.contains("scripts/setup.sh") && stderr.contains("PP-OCRv6_det_small.onnx"),
            "--ocr {engine}: {stderr}"
        );
    }
    let (stdout, stderr, code) = text(&receipt, "tesseract", &env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("85.29"), "{stdout}");
}

/// The pipeline file's `[ocr] engine` chooses the engine; `--ocr` overrides it.
#[test]
fn the_pipeline_files_engine_is_used_and_the_command_line_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let default = std::fs::read_to_string(Path::new(REPO).join("pipelines/default.toml")).unwrap();
    assert!(default.contains("engine = \"auto\""), "{default}");
    let pipeline = dir.path().join("tesseract.toml");
    std::fs::write(
        &pipeline,
        default.replace("engine = \"auto\"", "engine = \"tesseract\""),
    )
    .unwrap();
    let receipt = Path::new(REPO).join("samples/documents/receipt.png");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "text",
            receipt.to_str().unwrap(),
            "--pipeline",
            pipeline.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = docex_with(&args, &[("DOCEX_LOG", "docex_paddle=debug")]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        String::from_utf8_lossy(&o.stderr).contains("pp-ocr page")
    };
    assert!(!run(&[]), "the file says tesseract");
    assert!(run(&["--ocr", "paddle"]), "--ocr paddle overrides it");
}
