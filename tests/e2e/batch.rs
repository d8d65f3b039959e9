//! Batch runs: bad inputs, worker crashes and time limits, kill -9 and resume,
//! duplicates, shards and merge, and the watched inbox.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::bad_inputs::{write_corpus, ENCRYPTED_PDF_PASSWORD, INVOICE_TEXT};
use super::{docex, docex_with, extract_args, read_csv, Table, REPO};

pub(crate) fn spawn_docex(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start docex")
}

/// A temporary folder with an empty input folder `in/` and an output folder
/// path `out/`; the folder is deleted when the first value is dropped.
pub(crate) fn batch_dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    std::fs::create_dir(&docs).unwrap();
    let out = dir.path().join("out");
    (dir, docs, out)
}

pub(crate) fn by_document(rows: &Table) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut by = BTreeMap::new();
    for r in rows {
        let old = by.insert(r["document"].clone(), r.clone());
        assert!(old.is_none(), "{} twice in the table", r["document"]);
    }
    by
}

/// A small text invoice; `n` makes each one's content (and hash) its own.
pub(crate) fn invoice(n: usize) -> String {
    format!("INVOICE\nInvoice No: INV-{n}\nDate: 2024-03-01\nTotal: EUR {n}.00\n")
}

/// The manifest's count of documents with `status`.
pub(crate) fn manifest_count(out: &Path, status: &str) -> u64 {
    let Ok(db) = rusqlite::Connection::open_with_flags(
        out.join("manifest.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) else {
        return 0;
    };
    db.query_row(
        "SELECT COUNT(*) FROM documents WHERE status = ?1",
        [status],
        |r| r.get(0),
    )
    .unwrap_or(0)
}

pub(crate) fn wait_for(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_bad_input_gets_its_error_row_and_the_good_documents_are_extracted() {
    let (_dir, docs, out) = batch_dirs();
    let corpus = write_corpus(&docs);
    std::fs::write(docs.join("good.txt"), invoice(120)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "some failed: {log}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    // every file exactly once (the symlink loop adds none), and nothing else
    assert_eq!(rows.len(), corpus.len() + 1, "{:?}", rows.keys());
    for bad in &corpus {
        let row = rows
            .get(&bad.name)
            .unwrap_or_else(|| panic!("no row for {}: {:?}", bad.name, rows.keys()));
        if bad.expect.is_empty() {
            assert_eq!(row["status"], "ok", "{}: {row:?}", bad.name);
        } else {
            assert_eq!(row["status"], "error", "{}: {row:?}", bad.name);
            assert!(
                row["error"].to_lowercase().contains(bad.expect),
                "{}: {:?} lacks {:?}",
                bad.name,
                row["error"],
                bad.expect
            );
        }
    }
    assert_eq!(rows["good.txt"]["status"], "ok");
    assert_eq!(rows["good.txt"]["total_amount"], "120.00");
    assert!(rows["encrypted.pdf"]["error"].contains("--pdf-password"));

    // with its password the encrypted PDF opens; the failures are retried on request
    let o = docex(&extract_args(
        &docs,
        &out,
        &["--retry-failed", "--pdf-password", ENCRYPTED_PDF_PASSWORD],
    ));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), corpus.len() + 1);
    let enc = &rows["encrypted.pdf"];
    assert_eq!(enc["status"], "ok", "{enc:?}");
    assert_eq!(
        enc["invoice_date"], "2024-01-02",
        "{enc:?} from {INVOICE_TEXT}"
    );
}

#[test]
fn a_document_that_crashes_its_worker_is_retried_once_then_quarantined() {
    let (_dir, docs, out) = batch_dirs();
    for n in 1..=4 {
        std::fs::write(docs.join(format!("ok-{n}.txt")), invoice(n)).unwrap();
    }
    std::fs::write(docs.join("crash-me.txt"), invoice(99)).unwrap();
    let args = extract_args(&docs, &out, &["--jobs", "2"]);
    let o = docex_with(&args, &[("DOCEX_TEST_CRASH_ON", "crash-me")]);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{log}");
    assert!(log.contains("retrying once"), "{log}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), 5);
    let q = &rows["crash-me.txt"];
    assert_eq!(q["status"], "quarantined", "{q:?}");
    assert!(
        q["error"].contains("signal 6") && q["error"].contains("twice"),
        "{q:?}"
    );
    for n in 1..=4 {
        assert_eq!(
            rows[&format!("ok-{n}.txt")]["total_amount"],
            format!("{n}.00")
        );
    }
    let db = rusqlite::Connection::open(out.join("manifest.sqlite")).unwrap();
    let attempts: i64 = db
        .query_row(
            "SELECT attempts FROM documents WHERE document = 'crash-me.txt'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(attempts, 2);
    // a quarantined document is not retried by a plain re-run
    let o = docex(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(manifest_count(&out, "quarantined"), 1);
}

/// A document over the time limit is killed and quarantined, and the batch goes on
/// in a fresh worker. The limit never applies to a document that has to pass (on a
/// loaded machine a good one missed a 1 s limit): in the first run only documents
/// that hang for good (DOCEX_TEST_HANG_ON) meet it; the good ones come in a second
/// run into the same --out, under the default limit, which leaves the quarantined
/// ones alone.
#[test]
fn a_document_over_the_time_limit_is_killed_and_quarantined_and_the_rest_goes_on() {
    let (_dir, docs, out) = batch_dirs();
    for n in 1..=2 {
        std::fs::write(docs.join(format!("hang-{n}.txt")), invoice(100 + n)).unwrap();
    }
    let hang = [("DOCEX_TEST_HANG_ON", "hang-")];
    // one worker: the second document needs the one started after the first kill
    let o = docex_with(
        &extract_args(&docs, &out, &["--timeout", "1", "--jobs", "1"]),
        &hang,
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), 2, "{rows:?}");
    for q in rows.values() {
        assert_eq!(q["status"], "quarantined", "{q:?}");
        assert!(q["error"].contains("1 s time limit"), "{q:?}");
    }
    for n in 1..=3 {
        std::fs::write(docs.join(format!("ok-{n}.txt")), invoice(n)).unwrap();
    }
    let o = docex_with(&extract_args(&docs, &out, &["--jobs", "1"]), &hang);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), 5, "{rows:?}");
    for n in 1..=3 {
        let ok = &rows[&format!("ok-{n}.txt")];
        assert_eq!(ok["status"], "ok", "{ok:?}");
        assert_eq!(ok["total_amount"], format!("{n}.00"), "{ok:?}");
    }
    assert_eq!(manifest_count(&out, "quarantined"), 2);
}

#[test]
fn killed_with_sigkill_a_rerun_ends_with_every_document_exactly_once() {
    let (_dir, docs, out) = batch_dirs();
    let total = 40;
    for n in 0..total {
        std::fs::write(docs.join(format!("inv-{n:02}.txt")), invoice(n)).unwrap();
    }
    let args = extract_args(&docs, &out, &["--jobs", "2"]);
    // kill twice, at different moments: once some are done, and again early in the rerun
    let mut child = spawn_docex(&args);
    wait_for("5 documents done", Duration::from_secs(120), || {
        manifest_count(&out, "done") >= 5
    });
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    let done_before = manifest_count(&out, "done");
    assert!(
        done_before < total as u64,
        "the kill came too late to test anything"
    );
    let mut child = spawn_docex(&args);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();

    let o = docex(&args);
    let log = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{log}");
    let skipped: u64 = log
        .split("skipped=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no skipped= in {log}"));
    assert!(
        skipped >= done_before,
        "skipped {skipped} < {done_before} done before"
    );
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), total);
    for n in 0..total {
        let r = &rows[&format!("inv-{n:02}.txt")];
        assert_eq!(
            (r["status"].as_str(), r["total_amount"].clone()),
            ("ok", format!("{n}.00"))
        );
    }
    let entities = read_csv(&out.join("entities.csv"));
    let totals = entities
        .iter()
        .filter(|e| e["field"] == "total_amount")
        .count();
    assert_eq!(totals, total, "one total entity per document");
    assert_eq!(manifest_count(&out, "done"), total as u64);
    assert_eq!(manifest_count(&out, "running"), 0);
}

#[test]
fn the_same_content_under_two_names_is_extracted_once_and_reported_as_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("in");
    let out = dir.path().join("out");
    std::fs::create_dir_all(docs.join("copy")).unwrap();
    std::fs::write(docs.join("a.txt"), invoice(5)).unwrap();
    std::fs::write(docs.join("copy/a-again.txt"), invoice(5)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows["a.txt"]["status"], "ok");
    let dup = &rows["copy/a-again.txt"];
    assert_eq!(
        (dup["status"].as_str(), dup["error"].as_str()),
        ("duplicate", "same content as a.txt")
    );
    // the copy's values are shown, not extracted again
    assert_eq!(dup["total_amount"], "5.00", "{dup:?}");
    let entities = read_csv(&out.join("entities.csv"));
    let of = |d: &str| entities.iter().filter(|e| e["document"] == d).count();
    assert!(of("a.txt") > 0 && of("copy/a-again.txt") == of("a.txt"));
    assert_eq!(manifest_count(&out, "done"), 1);
    // --force redoes what is done
    let o = docex(&extract_args(&docs, &out, &["--force"]));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ok=1"), "{o:?}");
}

#[test]
fn two_shards_take_disjoint_parts_and_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let docs = Path::new(REPO).join("samples/documents");
    let shard_out = |k: usize| dir.path().join(format!("shard-{k}"));
    for k in 0..2 {
        let o = docex(&extract_args(
            &docs,
            &shard_out(k),
            &["--shard", &format!("{k}/2")],
        ));
        assert_eq!(o.status.code(), Some(0), "{o:?}");
    }
    let names = |k: usize| -> Vec<String> {
        read_csv(&shard_out(k).join("documents.csv"))
            .into_iter()
            .map(|r| r["document"].clone())
            .collect()
    };
    let (a, b) = (names(0), names(1));
    assert!(!a.is_empty() && !b.is_empty(), "{a:?} {b:?}");
    assert!(a.iter().all(|n| !b.contains(n)), "{a:?} {b:?}");
    let merged = dir.path().join("all");
    let o = docex(&[
        "merge",
        shard_out(0).to_str().unwrap(),
        shard_out(1).to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let got = std::fs::read_to_string(merged.join("documents.csv")).unwrap();
    let want =
        std::fs::read_to_string(Path::new(REPO).join("samples/expected/documents.csv")).unwrap();
    assert_eq!(got, want);
    let bad = docex(&[
        "merge",
        docs.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "not a docex output folder: {bad:?}"
    );
    // --shard K/N needs K < N: a usage error
    super::setup_error(&["--shard", "2/2"]);
}

/// A running `docex watch`, stopped with SIGTERM when dropped.
pub(crate) struct Watch {
    pub(crate) child: Child,
    inbox: PathBuf,
    pub(crate) out: PathBuf,
}

impl Watch {
    /// `extra`: more options (`--poll` for the timer instead of inotify).
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Watch {
        Watch::start_in(&root.join("inbox"), &root.join("out"), "1.5", extra)
    }

    /// `docex watch INBOX --out OUT --settle SETTLE --jobs 1 EXTRA`.
    pub(crate) fn start_in(inbox: &Path, out: &Path, settle: &str, extra: &[&str]) -> Watch {
        std::fs::create_dir_all(inbox).unwrap();
        let mut args = vec![
            "watch",
            inbox.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--settle",
            settle,
            "--jobs",
            "1",
        ];
        args.extend_from_slice(extra);
        let child = spawn_docex(&args);
        Watch {
            child,
            inbox: inbox.to_owned(),
            out: out.to_owned(),
        }
    }

    fn processed(&self, name: &str) -> PathBuf {
        self.inbox.join("processed").join(name)
    }

    /// SIGTERM, then the exit status and the log.
    pub(crate) fn stop(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let o = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_takes_a_slowly_copied_file_once_it_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let w = Watch::start(dir.path(), &[]);
    // copied in chunks over about 3 s; the total is in the last chunk
    let text = invoice(42);
    let (head, tail) = text.split_at(text.find("Total").unwrap());
    let path = w.inbox.join("slow.txt");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&path).unwrap();
        for chunk in head.as_bytes().chunks(8) {
            f.write_all(chunk).unwrap();
            f.flush().unwrap();
            std::thread::sleep(Duration::from_millis(600));
        }
        f.write_all(tail.as_bytes()).unwrap();
    }
    std::fs::write(w.inbox.join("ignored.pdf.part"), b"half a file").unwrap();
    wait_for("slow.txt processed", Duration::from_secs(60), || {
        w.processed("slow.txt").exists()
    });
    std::thread::sleep(Duration::from_secs(2)); // a second take would show now
    let (out, inbox) = (w.out.clone(), w.inbox.clone());
    let (code, log) = w.stop();
    assert_eq!(code, Some(0), "{log}");
    let rows = read_csv(&out.join("documents.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["document"], "slow.txt");
    assert_eq!(
        rows[0]["total_amount"], "42.00",
        "read whole: {:?}",
        rows[0]
    );
    assert_eq!(manifest_count(&out, "done"), 1);
    assert!(
        inbox.join("ignored.pdf.part").exists(),
        "temporary files stay"
    );
}

#[test]
fn watch_processes_the_same_file_dropped_twice_once_and_moves_failures_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    // a file already waiting when the watch starts is taken too
    std::fs::create_dir_all(dir.path().join("inbox")).unwrap();
    std::fs::write(dir.path().join("inbox/a.txt"), invoice(3)).unwrap();
    // on a timer, as for a network share
    let w = Watch::start(dir.path(), &["--poll", "0.5"]);
    wait_for("a.txt processed", Duration::from_secs(60), || {
        w.processed("a.txt").exists()
    });
    std::fs::write(w.inbox.join("a.txt"), invoice(3)).unwrap();
    // whole by its end markers (a cut one would wait for its end) but unreadable
    std::fs::write(
        w.inbox.join("broken.pdf"),
        b"%PDF-1.4 broken\nstartxref\n9\n%%EOF\n",
    )
    .unwrap();
    wait_for("the copy processed", Duration::from_secs(60), || {
        w.processed("a (2).txt").exists()
    });
    wait_for("broken.pdf failed", Duration::from_secs(60), || {
        w.inbox.join("failed/broken.pdf.reason.txt").exists()
    });
    let (out, inbox) = (w.out.clone(), w.inbox.clone());
    let (code, log) = w.stop();
    assert_eq!(code, Some(0), "{log}");
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows["a.txt"]["total_amount"], "3.00");
    assert_eq!(rows["a (2).txt"]["status"], "duplicate");
    assert_eq!(rows["broken.pdf"]["status"], "error");
    assert_eq!(manifest_count(&out, "done"), 1, "extracted once");
    let reason = std::fs::read_to_string(inbox.join("failed/broken.pdf.reason.txt")).unwrap();
    assert_eq!(reason.trim(), rows["broken.pdf"]["error"]);
    assert!(inbox.join("failed/broken.pdf").exists());
    assert!(!inbox.join("a.txt").exists() && !inbox.join("broken.pdf").exists());
}
