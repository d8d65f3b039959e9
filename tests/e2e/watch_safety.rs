//! `docex watch` against hostile or unlucky inboxes: symbolic links out of the
//! inbox, the output folder inside it, files it could not move, and writers that
//! pause longer than the settle time.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::batch::{by_document, invoice, manifest_count, wait_for, Watch};
use super::read_csv;

/// Long enough for anything that must happen, even on a loaded machine.
const MUST_HAPPEN: Duration = Duration::from_secs(120);

/// A running `docex watch INBOX --out OUT --settle 1 --jobs 1 EXTRA` (killed when
/// dropped: a failed assertion must not leave it running).
fn watch(inbox: &Path, out: &Path, extra: &[&str]) -> Watch {
    Watch::start_in(inbox, out, "1", extra)
}

/// SIGTERM; expects exit code 0 and returns the log.
fn stop(w: Watch) -> String {
    let (code, log) = w.stop();
    assert_eq!(code, Some(0), "{log}");
    log
}

/// The names in a folder (empty when it does not exist).
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The document names in `out/documents.csv`.
fn documents(out: &Path) -> Vec<String> {
    by_document(&read_csv(&out.join("documents.csv")))
        .into_keys()
        .collect()
}

/// `inbox` and `out` folders in a temporary folder.
fn dirs() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&inbox).unwrap();
    (dir, inbox, out)
}

#[test]
fn watch_never_follows_a_symlink_out_of_the_inbox_nor_moves_what_it_points_to() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let (dir, inbox, out) = dirs();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("notes")).unwrap();
    let secret = outside.join("secret.txt");
    std::fs::write(&secret, invoice(77)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(outside.join("notes/other.txt"), invoice(78)).unwrap();
    symlink(&outside, inbox.join("linked-folder")).unwrap();
    symlink(&secret, inbox.join("secret-link.txt")).unwrap();
    std::fs::write(inbox.join("good.txt"), invoice(1)).unwrap();

    let w = watch(&inbox, &out, &[]);
    wait_for("good.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/good.txt").exists()
    });
    // a later file: the links are seen by more than one scan
    std::fs::write(inbox.join("more.txt"), invoice(2)).unwrap();
    wait_for("more.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/more.txt").exists()
    });
    let log = stop(w);

    assert_eq!(documents(&out), ["good.txt", "more.txt"]);
    assert!(secret.is_file() && outside.join("notes/other.txt").is_file());
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), invoice(77));
    for link in ["linked-folder", "secret-link.txt"] {
        let meta = std::fs::symlink_metadata(inbox.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} left where it was");
        let said: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(link) && l.contains("skipped"))
            .collect();
        assert_eq!(said.len(), 1, "{link} logged once as skipped: {log}");
    }
    assert_eq!(
        names(&inbox.join("processed")),
        ["good.txt", "more.txt"].map(String::from).into()
    );
    assert!(names(&inbox.join("failed")).is_empty());
}

#[test]
fn watch_skips_an_out_folder_inside_the_inbox_and_keeps_its_history() {
    let (_dir, inbox, _) = dirs();
    let out = inbox.join("tables");
    let w = watch(&inbox, &out, &["--format", "csv,xlsx,jsonl"]);
    std::fs::write(inbox.join("a.txt"), invoice(1)).unwrap();
    wait_for("a.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/a.txt").exists()
    });
    std::fs::write(inbox.join("b.txt"), invoice(2)).unwrap();
    wait_for("b.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/b.txt").exists()
    });
    stop(w);

    for f in [
        "manifest.sqlite",
        "documents.csv",
        "tables.xlsx",
        "documents.jsonl",
    ] {
        assert!(out.join(f).is_file(), "{f} stays in the out folder");
    }
    assert!(names(&inbox.join("failed")).is_empty());
    assert_eq!(
        names(&inbox.join("processed")),
        ["a.txt", "b.txt"].map(String::from).into()
    );
    assert_eq!(documents(&out), ["a.txt", "b.txt"]);
    assert_eq!(manifest_count(&out, "done"), 2);

    // the inbox itself as the out folder is refused, before anything is written
    let inbox_arg = inbox.to_str().unwrap();
    let o = super::docex(&["watch", inbox_arg, "--out", inbox_arg]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is the inbox itself"), "{err}");
    assert!(!inbox.join("manifest.sqlite").exists());
}

#[test]
fn watch_moves_a_file_recorded_before_a_kill_without_a_second_row() {
    let (_dir, inbox, out) = dirs();
    let w = watch(&inbox, &out, &[]);
    std::fs::write(inbox.join("x.txt"), invoice(5)).unwrap();
    wait_for("x.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/x.txt").exists()
    });
    stop(w);
    // what a kill -9 between the manifest's commit and the move leaves behind
    std::fs::rename(inbox.join("processed/x.txt"), inbox.join("x.txt")).unwrap();

    let w = watch(&inbox, &out, &[]);
    wait_for("x.txt moved", MUST_HAPPEN, || !inbox.join("x.txt").exists());
    stop(w);
    assert_eq!(documents(&out), ["x.txt"]);
    assert_eq!(
        names(&inbox.join("processed")),
        ["x.txt"].map(String::from).into()
    );
}

#[test]
fn watch_does_not_retake_a_file_it_could_not_move_at_each_restart() {
    let (_dir, inbox, out) = dirs();
    std::fs::create_dir_all(inbox.join("sub")).unwrap();
    std::fs::write(inbox.join("sub/x.txt"), invoice(6)).unwrap();
    // processed/sub/ cannot be made: the file cannot be moved there
    std::fs::create_dir_all(inbox.join("processed")).unwrap();
    std::fs::write(inbox.join("processed/sub"), b"in the way").unwrap();

    // two runs: each must end with sub/x.txt's one row, and the later file done
    for (n, later) in [(7, "y.txt"), (8, "z.txt")] {
        let w = watch(&inbox, &out, &[]);
        std::fs::write(inbox.join(later), invoice(n)).unwrap();
        wait_for(later, MUST_HAPPEN, || {
            inbox.join("processed").join(later).exists()
        });
        let log = stop(w);
        assert!(log.contains("cannot move"), "{log}");
        assert!(inbox.join("sub/x.txt").is_file());
    }
    assert_eq!(documents(&out), ["sub/x.txt", "y.txt", "z.txt"]);

    // once it can be moved, it is, still with one row
    std::fs::remove_file(inbox.join("processed/sub")).unwrap();
    let w = watch(&inbox, &out, &[]);
    wait_for("sub/x.txt moved", MUST_HAPPEN, || {
        inbox.join("processed/sub/x.txt").exists()
    });
    stop(w);
    assert_eq!(documents(&out), ["sub/x.txt", "y.txt", "z.txt"]);
    assert_eq!(manifest_count(&out, "done"), 3);
}

#[test]
fn watch_numbers_a_name_too_long_for_a_number_by_shortening_it() {
    let (_dir, inbox, out) = dirs();
    let long = format!("{}.txt", "l".repeat(251)); // 255 bytes, the most a name may have
    let w = watch(&inbox, &out, &[]);
    std::fs::write(inbox.join(&long), invoice(8)).unwrap();
    wait_for("the first processed", MUST_HAPPEN, || {
        inbox.join("processed").join(&long).exists()
    });
    std::fs::write(inbox.join(&long), invoice(9)).unwrap();
    wait_for("the second extracted", MUST_HAPPEN, || {
        manifest_count(&out, "done") == 2
    });
    stop(w);

    let moved = names(&inbox.join("processed"));
    assert_eq!(moved.len(), 2, "{moved:?}");
    let second = moved.iter().find(|n| **n != long).unwrap();
    assert!(
        second.ends_with(" (2).txt") && second.len() <= 255,
        "{second}"
    );
    assert_eq!(
        names(&inbox),
        ["failed", "processed"].map(String::from).into()
    );
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows[second]["total_amount"], "9.00", "{rows:?}");
    assert_eq!(rows[&long]["total_amount"], "8.00", "{rows:?}");
}

#[test]
fn watch_waits_for_a_writer_that_pauses_longer_than_the_settle_time() {
    let (_dir, inbox, out) = dirs();
    let w = watch(&inbox, &out, &[]);
    let text = invoice(31);
    let (head, tail) = text.split_at(text.find("Total").unwrap());
    {
        let mut f = std::fs::File::create(inbox.join("slow.txt")).unwrap();
        f.write_all(head.as_bytes()).unwrap();
        f.flush().unwrap();
        // the writer stalls (a network share), its file open, for four settle times
        std::thread::sleep(Duration::from_secs(4));
        f.write_all(tail.as_bytes()).unwrap();
    }
    wait_for("slow.txt processed", MUST_HAPPEN, || {
        inbox.join("processed/slow.txt").exists()
    });
    stop(w);
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows["slow.txt"]["total_amount"], "31.00",
        "read whole: {rows:?}"
    );
}

#[test]
fn watch_waits_for_a_pdf_whose_writer_closes_it_before_the_end() {
    let (_dir, inbox, out) = dirs();
    let pdf = super::fixtures::one_page("Invoice INV-4 Total EUR 12.00");
    let cut = pdf.windows(5).position(|w| w == b"Total").unwrap();
    let path = inbox.join("scan.pdf");
    let w = watch(&inbox, &out, &[]);
    std::fs::write(&path, &pdf[..cut]).unwrap();
    // closed half-written; the writer comes back after four settle times
    std::thread::sleep(Duration::from_secs(4));
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("scan.pdf was taken half-written: {e}"))
        .write_all(&pdf[cut..])
        .unwrap();
    wait_for("scan.pdf processed", MUST_HAPPEN, || {
        inbox.join("processed/scan.pdf").exists()
    });
    stop(w);
    assert!(names(&inbox.join("failed")).is_empty());
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    assert_eq!(rows["scan.pdf"]["status"], "ok", "{rows:?}");
    assert_eq!(rows["scan.pdf"]["total_amount"], "12.00", "{rows:?}");
}
