//! The command line as a person meets it: `--version`, `--help` examples, the
//! progress bar (on a terminal only) and `--quiet`.

use std::path::Path;
use std::process::Command;

use super::{docex, samples_run, REPO};

#[test]
fn version_names_the_default_model() {
    let out = docex(&["--version"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let pipeline = std::fs::read_to_string(Path::new(REPO).join("pipelines/default.toml")).unwrap();
    let model = pipeline
        .lines()
        .find_map(|l| l.strip_prefix("model = "))
        .unwrap()
        .trim_matches('"');
    assert_eq!(
        stdout.trim(),
        format!("docex {} (model {model})", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_has_examples() {
    for args in [
        &["--help"][..],
        &["extract", "--help"],
        &["watch", "--help"],
        &["merge", "--help"],
        &["explain", "--help"],
    ] {
        let out = docex(args);
        assert!(out.status.success(), "{args:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("Example") && stdout.contains("\n  docex "),
            "{args:?}: no example line in\n{stdout}"
        );
    }
}

/// ANSI escape sequences and what a progress bar is drawn with.
fn assert_plain(stderr: &str) {
    assert!(!stderr.contains('\x1b'), "ANSI escapes in\n{stderr}");
    assert!(!stderr.contains('\r'), "carriage returns in\n{stderr}");
    assert!(
        !stderr.contains("ETA") && !stderr.contains("=>"),
        "a progress bar in\n{stderr}"
    );
}

#[test]
fn piped_stderr_has_no_progress_bar_and_no_colours() {
    let (output, _) = samples_run();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(" INFO "), "the usual log lines:\n{stderr}");
    assert_plain(&stderr);
}

#[test]
fn quiet_logs_no_info_lines() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = docex(&[
        "extract",
        &format!("{REPO}/samples/documents/notes.txt"),
        "--out",
        out_dir.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("INFO"), "--quiet:\n{stderr}");
    assert_plain(&stderr);
}

/// `docex ARGS` on a pseudo-terminal (util-linux `script`): what the terminal got.
fn on_a_terminal(args: &str, envs: &[(&str, &str)]) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_docex"));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .envs(envs.iter().copied())
        .output()
        .expect("run script");
    assert!(out.status.success(), "{command}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_terminal_gets_the_progress_bar_and_no_colours_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let docs =
        format!("{REPO}/samples/documents/notes.txt {REPO}/samples/documents/invoice-text.pdf");
    let out = |name: &str| dir.path().join(name).display().to_string();
    let tty = on_a_terminal(&format!("extract {docs} --out {}", out("a")), &[]);
    assert!(
        tty.contains("/2 documents") && tty.contains("ETA"),
        "a progress bar on a terminal:\n{tty}"
    );
    assert!(tty.contains("\x1b[32m INFO"), "coloured levels:\n{tty}");
    let tty = on_a_terminal(
        &format!("extract {docs} --out {}", out("b")),
        &[("NO_COLOR", "1")],
    );
    assert!(
        tty.contains(" INFO ") && !tty.contains("\x1b[32m"),
        "NO_COLOR:\n{tty}"
    );
    let tty = on_a_terminal(&format!("extract {docs} --out {} -q", out("c")), &[]);
    assert!(
        !tty.contains("ETA") && !tty.contains("INFO"),
        "--quiet:\n{tty}"
    );
}
