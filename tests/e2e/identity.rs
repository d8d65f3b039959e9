//! Identity and data loss on the extract side: document names, the output folder
//! inside the input, names and contents that part, files that change while read,
//! two runs on one output folder, and merging shards.

use std::path::Path;
use std::process::{Command, Output};

use super::batch::{batch_dirs, by_document, invoice, wait_for, Watch};
use super::{docex, docex_with, extract_args, read_csv};

/// `docex ARGS` run in `cwd` (relative input paths name the documents).
fn docex_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docex"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run docex")
}

fn log(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `(document, status, total_amount)` of every row of `out/documents.csv`.
fn summary(out: &Path) -> Vec<(String, String, String)> {
    read_csv(&out.join("documents.csv"))
        .into_iter()
        .map(|r| {
            (
                r["document"].clone(),
                r["status"].clone(),
                r["total_amount"].clone(),
            )
        })
        .collect()
}

fn row(document: &str, status: &str, total: &str) -> (String, String, String) {
    (document.into(), status.into(), total.into())
}

/// How many entity rows name `document`.
fn entities_of(out: &Path, document: &str) -> usize {
    read_csv(&out.join("entities.csv"))
        .iter()
        .filter(|e| e["document"] == document)
        .count()
}

#[test]
fn the_same_relative_name_in_two_input_folders_gives_two_rows() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, n) in [("jan", 1), ("feb", 2)] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("a.txt"), invoice(n)).unwrap();
    }
    let o = docex_in(dir.path(), &["extract", "jan/", "feb", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    assert!(log(&o).contains("ok=2"), "{}", log(&o));
    assert_eq!(
        summary(&dir.path().join("out")),
        [
            row("feb/a.txt", "ok", "2.00"),
            row("jan/a.txt", "ok", "1.00")
        ]
    );
}

#[test]
fn an_output_folder_inside_the_input_is_never_read_back() {
    let (_dir, docs, _) = batch_dirs();
    for n in 1..=2 {
        std::fs::write(docs.join(format!("{n}.txt")), invoice(n)).unwrap();
    }
    let out = docs.join("tables");
    for run in 0..3 {
        let o = docex(&extract_args(&docs, &out, &["--format", "csv,jsonl"]));
        assert_eq!(o.status.code(), Some(0), "run {run}: {}", log(&o));
        let names: Vec<String> = summary(&out).into_iter().map(|r| r.0).collect();
        assert_eq!(names, ["1.txt", "2.txt"], "run {run}");
    }
    // the output folder itself as the input: refused, not read
    let o = docex(&extract_args(&out, &out, &[]));
    assert_eq!(o.status.code(), Some(2), "{}", log(&o));
    assert!(log(&o).contains("is the output folder"), "{}", log(&o));
}

#[test]
fn a_file_given_another_files_old_content_shows_that_contents_values() {
    let (_dir, docs, out) = batch_dirs();
    std::fs::write(docs.join("a.txt"), invoice(1)).unwrap();
    std::fs::write(docs.join("b.txt"), invoice(2)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    // a.txt gets new content; c.txt gets a.txt's old content
    std::fs::write(docs.join("a.txt"), invoice(3)).unwrap();
    std::fs::write(docs.join("c.txt"), invoice(1)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    assert!(
        log(&o).contains("ok=1 "),
        "only a.txt's new content is extracted: {}",
        log(&o)
    );
    assert_eq!(
        summary(&out),
        [
            row("a.txt", "ok", "3.00"),
            row("b.txt", "ok", "2.00"),
            row("c.txt", "ok", "1.00")
        ]
    );
    assert!(entities_of(&out, "c.txt") > 0);
    assert_eq!(entities_of(&out, "c.txt"), entities_of(&out, "b.txt"));
    // a copy of it now is a duplicate of c.txt, with its values
    std::fs::write(docs.join("d.txt"), invoice(1)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    let rows = by_document(&read_csv(&out.join("documents.csv")));
    let d = &rows["d.txt"];
    assert_eq!(
        (
            d["status"].as_str(),
            d["error"].as_str(),
            d["total_amount"].as_str()
        ),
        ("duplicate", "same content as c.txt", "1.00")
    );
}

#[test]
fn rows_of_deleted_and_renamed_files_are_dropped_and_other_inputs_rows_kept() {
    let (dir, docs, out) = batch_dirs();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("z.txt"), invoice(9)).unwrap();
    let o = docex(&extract_args(&other, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    for n in 1..=3 {
        std::fs::write(docs.join(format!("{n}.txt")), invoice(n)).unwrap();
    }
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    std::fs::remove_file(docs.join("1.txt")).unwrap();
    std::fs::rename(docs.join("2.txt"), docs.join("renamed.txt")).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    assert!(
        log(&o).contains("ok=0 "),
        "nothing extracted again: {}",
        log(&o)
    );
    assert_eq!(
        summary(&out),
        [
            row("3.txt", "ok", "3.00"),
            row("renamed.txt", "ok", "2.00"),
            row("z.txt", "ok", "9.00")
        ]
    );
    assert!(entities_of(&out, "renamed.txt") > 0);
}

#[test]
fn a_file_changed_while_it_is_read_is_recorded_as_the_bytes_read() {
    let (dir, docs, out) = batch_dirs();
    let doc = docs.join("a.txt");
    std::fs::write(&doc, invoice(1)).unwrap();
    let newer = dir.path().join("newer.txt");
    std::fs::write(&newer, invoice(2)).unwrap();
    // the worker copies newer.txt over a.txt after the run hashed a.txt, before it reads it
    let change = format!("a.txt={}", newer.display());
    let o = docex_with(
        &extract_args(&docs, &out, &[]),
        &[("DOCEX_TEST_CHANGE_ON", &change)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    assert!(log(&o).contains("changed while it was read"), "{}", log(&o));
    assert_eq!(summary(&out), [row("a.txt", "ok", "2.00")]);
    // the file as it was hashed: never extracted, so it is read now
    std::fs::write(&doc, invoice(1)).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert!(log(&o).contains("ok=1 "), "{}", log(&o));
    assert_eq!(summary(&out), [row("a.txt", "ok", "1.00")]);
    // and the content read before is known: written back, it is not read again
    std::fs::copy(&newer, &doc).unwrap();
    let o = docex(&extract_args(&docs, &out, &[]));
    assert!(log(&o).contains("ok=0 "), "{}", log(&o));
    assert_eq!(summary(&out), [row("a.txt", "ok", "2.00")]);
}

#[test]
fn a_second_run_on_an_output_folder_in_use_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let w = Watch::start(dir.path(), &[]);
    let lock = w.out.join("docex.lock");
    wait_for(
        "the watch to hold its output folder",
        std::time::Duration::from_secs(120),
        || std::fs::read_to_string(&lock).is_ok_and(|s| s.starts_with("pid")),
    );
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), invoice(1)).unwrap();
    let pid = format!("pid {}", w.child.id());
    let o = docex(&extract_args(&docs, &w.out, &[]));
    assert_eq!(o.status.code(), Some(2), "{}", log(&o));
    assert!(
        log(&o).contains("in use by another docex run"),
        "{}",
        log(&o)
    );
    assert!(log(&o).contains(&pid), "{}", log(&o));
    let shard = dir.path().join("shard");
    let o = docex(&extract_args(&docs, &shard, &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    let o = docex(&[
        "merge",
        shard.to_str().unwrap(),
        "--out",
        w.out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", log(&o));
    assert!(log(&o).contains(&pid), "{}", log(&o));
    let (code, _) = w.stop();
    assert_eq!(code, Some(0));
    // once the first run ended, the folder is free
    let o = docex(&extract_args(&docs, &dir.path().join("out"), &[]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
}

#[test]
fn merge_keeps_the_successful_attempt_every_name_and_updates_when_merged_again() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    // the same document x.txt in both; s.txt a different document in each
    for (folder, s) in [(&a, 10), (&b, 11)] {
        std::fs::create_dir(folder).unwrap();
        std::fs::write(folder.join("x.txt"), invoice(1)).unwrap();
        std::fs::write(folder.join("s.txt"), invoice(s)).unwrap();
    }
    let out = |k: &str| dir.path().join(format!("out-{k}"));
    let crash = [("DOCEX_TEST_CRASH_ON", "x.txt")];
    let o = docex_with(&extract_args(&a, &out("a"), &[]), &crash);
    assert_eq!(o.status.code(), Some(1), "x.txt quarantined: {}", log(&o));
    let o = docex_with(&extract_args(&b, &out("b"), &[]), &crash);
    assert_eq!(o.status.code(), Some(1), "x.txt quarantined: {}", log(&o));
    let merge = || {
        let o = docex(&[
            "merge",
            out("a").to_str().unwrap(),
            out("b").to_str().unwrap(),
            "--out",
            out("all").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", log(&o));
        summary(&out("all"))
    };
    assert_eq!(
        merge(),
        [
            row("s (2).txt", "ok", "11.00"),
            row("s.txt", "ok", "10.00"),
            row("x.txt", "quarantined", "")
        ]
    );
    // the second folder's x.txt done at last: merging again takes it, whatever the order
    let o = docex(&extract_args(&b, &out("b"), &["--retry-failed"]));
    assert_eq!(o.status.code(), Some(0), "{}", log(&o));
    assert_eq!(
        merge(),
        [
            row("s (2).txt", "ok", "11.00"),
            row("s.txt", "ok", "10.00"),
            row("x.txt", "ok", "1.00")
        ]
    );
}
