//! End-to-end tests of the `docex` binary: real OCR (Tesseract), the real shipped
//! model through ONNX Runtime, on the generated documents in `samples/`.
//!
//! They need what `make test` sets up (Tesseract, `.ort/`); they fail, not skip,
//! when it is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

// The other test groups of this one test binary (cargo would build a file directly
// under tests/ as a binary of its own).
#[path = "e2e/bad_inputs.rs"]
mod bad_inputs;
// the ingest crate's test-file builders (PDFs, encrypted PDFs, PNG headers)
#[path = "e2e/batch.rs"]
mod batch;
#[path = "e2e/cli.rs"]
mod cli;
#[path = "e2e/deploy.rs"]
mod deploy;
#[path = "e2e/empty_pages.rs"]
mod empty_pages;
#[path = "e2e/explain.rs"]
mod explain;
#[path = "e2e/exports.rs"]
mod exports;
#[allow(dead_code)]
#[path = "../crates/docex-ingest/src/fixtures.rs"]
mod fixtures;
#[path = "e2e/identity.rs"]
mod identity;
#[path = "e2e/ocr_engines.rs"]
mod ocr_engines;
#[path = "e2e/output_hygiene.rs"]
mod output_hygiene;
#[path = "e2e/pdf_limits.rs"]
mod pdf_limits;
#[path = "e2e/raster.rs"]
mod raster;
#[path = "e2e/text_cmd.rs"]
mod text_cmd;
#[path = "e2e/watch_safety.rs"]
mod watch_safety;
#[path = "e2e/worker_limits.rs"]
mod worker_limits;

/// `extract INPUT --out OUT` and `extra`, as docex's arguments.
fn extract_args<'a>(input: &'a Path, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "extract",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args
}

fn docex(args: &[&str]) -> Output {
    docex_with(args, &[])
}

/// `docex` with extra environment variables.
fn docex_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run docex")
}

type Table = Vec<BTreeMap<String, String>>;

fn read_csv(path: &Path) -> Table {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// One run over all samples, shared by the tests that read its output.
fn samples_run() -> &'static (Output, PathBuf) {
    static RUN: OnceLock<(Output, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = tempfile::tempdir().unwrap().keep();
        let docs = Path::new(REPO).join("samples/documents");
        let output = docex(&extract_args(&docs, &out, &["--jobs", "2"]));
        (output, out)
    })
}

#[test]
fn samples_match_expected_documents_csv() {
    let (output, out) = samples_run();
    assert!(
        output.status.success(),
        "docex failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got = read_csv(&out.join("documents.csv"));
    let expected = read_csv(&Path::new(REPO).join("samples/expected/documents.csv"));
    assert_eq!(got.len(), expected.len(), "one row per sample");
    let mut mismatches = Vec::new();
    for (g, e) in got.iter().zip(&expected) {
        for (col, want) in e {
            let have = g.get(col).map(String::as_str).unwrap_or("<missing column>");
            if have != want {
                mismatches.push(format!(
                    "{} {col}: got {have:?}, expected {want:?}",
                    e["document"]
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn documents_csv_has_the_documented_columns_in_order() {
    let (_, out) = samples_run();
    let mut r = csv::Reader::from_path(out.join("documents.csv")).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers.join(","),
        "document,status,error,doc_type,pages,empty_pages,vendor,customer,invoice_number,invoice_date,due_date,currency,net_amount,tax_amount,total_amount,parties,agreement_date,effective_date,expiration_date,term,jurisdiction"
    );
    let mut r = csv::Reader::from_path(out.join("entities.csv")).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        headers.join(","),
        "document,page,field,kind,text,value,confidence,start,end,x,y,width,height"
    );
}

#[test]
fn entities_trace_back_to_page_text_and_boxes() {
    let (_, out) = samples_run();
    let entities = read_csv(&out.join("entities.csv"));
    assert!(!entities.is_empty());
    for e in &entities {
        let conf: f32 = e["confidence"].parse().unwrap();
        assert!((0.0..=1.0).contains(&conf), "{e:?}");
        let (s, t): (usize, usize) = (e["start"].parse().unwrap(), e["end"].parse().unwrap());
        assert_eq!(
            t - s,
            e["text"].chars().count(),
            "offsets cover the text: {e:?}"
        );
    }
    // OCR'd samples carry word boxes in pixels.
    let scanned: Vec<_> = entities
        .iter()
        .filter(|e| e["document"] == "receipt.png")
        .collect();
    assert!(
        !scanned.is_empty()
            && scanned
                .iter()
                .all(|e| !e["x"].is_empty() && !e["width"].is_empty())
    );
    // Every chosen total is also an entity row with that field.
    for d in read_csv(&out.join("documents.csv")) {
        if !d["total_amount"].is_empty() {
            assert!(
                entities.iter().any(|e| e["document"] == d["document"]
                    && e["field"] == "total_amount"
                    && e["value"] == d["total_amount"]),
                "no total_amount entity for {}",
                d["document"]
            );
        }
    }
}

/// Runs `docex extract` over this checkout with `extra` options, expecting a set-up
/// error (exit code 2) before any document is read; returns its stderr.
fn setup_error(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["extract", REPO, "--out", dir.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = docex(&args);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn missing_model_is_a_setup_error_with_exit_code_2() {
    let err = setup_error(&["--models", "/nonexistent"]);
    assert!(err.contains("model") && err.contains("make setup"), "{err}");
}

#[test]
fn cuda_on_a_cpu_only_library_is_a_clear_error() {
    let err = setup_error(&["--device", "cuda"]);
    assert!(
        err.contains("CUDA execution provider not available"),
        "{err}"
    );
}

#[test]
fn omp_thread_limit_is_in_force_for_tesseract() {
    // The binary re-executes itself with OMP_THREAD_LIMIT=1 when it is unset.
    let o = Command::new(env!("CARGO_BIN_EXE_docex"))
        .env_remove("OMP_THREAD_LIMIT")
        .env("DOCEX_LOG", "debug")
        .args([
            "extract",
            "/nonexistent-input",
            "--out",
            "/tmp/docex-omp-test",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("OMP_THREAD_LIMIT=1"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A hand-written `docex extract` output and its labels, for `docex eval`: receipts
/// with a folded vendor, a wrong vendor, an amount written `9.0` for `9.00` and a
/// missing document; contracts with one wrong party, an error row and parties in
/// another order and spelling. Returns (labels, run folder).
fn eval_fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let labels = dir.join("labels.jsonl");
    std::fs::write(
        &labels,
        r#"{"document": "sroie/r1.jpg", "source": "sroie", "fields": {"vendor": "ASIA MART", "invoice_date": "2017-12-22", "total_amount": "9.00"}}
{"document": "sroie/r2.jpg", "source": "sroie", "fields": {"vendor": "99 SPEED MART S/B", "total_amount": "12.50"}}
{"document": "sroie/gone.jpg", "source": "sroie", "fields": {"total_amount": "3.00"}}
{"document": "cuad/c1.txt", "source": "cuad", "fields": {"parties": ["Acme, Inc.", "Beta LLC"], "term": "P2Y", "jurisdiction": "New York"}}
{"document": "cuad/c2.txt", "source": "cuad", "fields": {"parties": ["Acme, Inc.", "Beta LLC"]}}
{"document": "cuad/c3.txt", "source": "cuad", "fields": {"parties": ["X Corp.", "Y Corp"]}}
"#,
    )
    .unwrap();
    let run = dir.join("run");
    std::fs::create_dir(&run).unwrap();
    std::fs::write(
        run.join("documents.csv"),
        "document,status,error,doc_type,pages,empty_pages,vendor,customer,invoice_number,invoice_date,due_date,currency,net_amount,tax_amount,total_amount,parties,agreement_date,effective_date,expiration_date,term,jurisdiction
sroie/r1.jpg,ok,,receipt,1,0,Asia Mart,,,2017-12-22,,MYR,,,9.0,,,,,,
sroie/r2.jpg,ok,,receipt,1,0,SPEED MART S/B,,,,,MYR,,,12.5,,,,,,
cuad/c1.txt,ok,,contract,3,0,,,,,,,,,,ACME INC; Gamma Ltd,,,,P2Y,new york
cuad/c2.txt,error,encrypted PDF,,,,,,,,,,,,,,,,,,
cuad/c3.txt,ok,,contract,2,0,,,,,,,,,,Y Corp; X Corp,,,,,
sroie/unlabelled.jpg,ok,,receipt,1,0,Other,,,,,,,,1.00,,,,,,
",
    )
    .unwrap();
    (labels, run)
}

#[test]
fn eval_prints_accuracy_per_source_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (labels, run) = eval_fixture(dir.path());
    let o = docex(&[
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        run.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    let table: Vec<&str> = stdout.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(
        table,
        [
            "| source | field | docs | correct | accuracy | mean F1 |",
            "| sroie | vendor | 2 | 1 | 0.500 |  |",
            "| sroie | invoice_date | 1 | 1 | 1.000 |  |",
            "| sroie | total_amount | 3 | 2 | 0.667 |  |",
            "| sroie | (all) | 6 | 4 | 0.667 |  |",
            "| cuad | parties | 3 | 1 | 0.333 | 0.500 |",
            "| cuad | term | 1 | 1 | 1.000 |  |",
            "| cuad | jurisdiction | 1 | 1 | 1.000 |  |",
            "| cuad | (all) | 5 | 3 | 0.600 |  |",
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains("6 labelled documents: 1 not in documents.csv, 1 error rows."),
        "{stdout}"
    );
}

#[test]
fn eval_errors_csv_lists_every_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let (labels, run) = eval_fixture(dir.path());
    let errors = dir.path().join("errors.csv");
    let o = docex(&[
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        run.to_str().unwrap(),
        "--errors",
        errors.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows: Vec<Vec<String>> = read_csv(&errors)
        .into_iter()
        .map(|r| {
            ["document", "source", "field", "expected", "got"]
                .iter()
                .map(|c| r[*c].clone())
                .collect()
        })
        .collect();
    let expected = [
        [
            "sroie/r2.jpg",
            "sroie",
            "vendor",
            "99 SPEED MART S/B",
            "SPEED MART S/B",
        ],
        [
            "sroie/gone.jpg",
            "sroie",
            "total_amount",
            "3.00",
            "<missing>",
        ],
        [
            "cuad/c1.txt",
            "cuad",
            "parties",
            "Acme, Inc.; Beta LLC",
            "ACME INC; Gamma Ltd",
        ],
        [
            "cuad/c2.txt",
            "cuad",
            "parties",
            "Acme, Inc.; Beta LLC",
            "<error: encrypted PDF>",
        ],
    ];
    assert_eq!(rows, expected.map(|r| r.map(str::to_owned)));
}

#[test]
fn eval_json_reads_documents_csv_given_directly() {
    let dir = tempfile::tempdir().unwrap();
    let (labels, run) = eval_fixture(dir.path());
    let o = docex(&[
        "eval",
        "--json",
        "--labels",
        labels.to_str().unwrap(),
        run.join("documents.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["documents"], 6);
    assert_eq!(report["missing"], 1);
    assert_eq!(report["errors"], 1);
    let cuad = &report["sources"][1];
    assert_eq!(cuad["source"], "cuad");
    assert_eq!(cuad["fields"][0]["field"], "parties");
    assert_eq!(cuad["fields"][0]["correct"], 1);
    assert_eq!(cuad["fields"][0]["mean_f1"], 0.5);
    assert_eq!(report["sources"][0]["overall"]["correct"], 4);
}

#[test]
fn eval_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (labels, run) = eval_fixture(dir.path());
    let stderr_of = |args: &[&str]| {
        let o = docex(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = stderr_of(&[
        "eval",
        "--labels",
        "/nonexistent.jsonl",
        run.to_str().unwrap(),
    ]);
    assert!(err.contains("reading labels /nonexistent.jsonl"), "{err}");
    let err = stderr_of(&[
        "eval",
        "--labels",
        labels.to_str().unwrap(),
        dir.path().to_str().unwrap(),
    ]);
    assert!(err.contains("documents.csv"), "{err}");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        r#"{"document": "a", "source": "s", "fields": {"total": "1"}}"#,
    )
    .unwrap();
    let err = stderr_of(&[
        "eval",
        "--labels",
        bad.to_str().unwrap(),
        run.to_str().unwrap(),
    ]);
    assert!(
        err.contains("line 1") && err.contains("unknown field \"total\""),
        "{err}"
    );
}
