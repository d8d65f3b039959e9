//! What a person at a terminal sees of a run: how much is logged (`--quiet`,
//! `--verbose`), and the documents progress bar of batch runs.
//!
//! The bar is drawn on stderr only when stderr is a terminal and neither flag is
//! given: cron mails, CI logs and pipes get the log lines and nothing else. Log
//! lines, this process's and its workers' (see [`worker_stderr`]), are written
//! above the bar instead of through it.

use std::io::{IsTerminal, Write};
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How much is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Warnings and errors only, no progress bar.
    Quiet,
    /// Informational lines, and the progress bar on a terminal.
    Normal,
    /// Debug lines, no progress bar.
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Every bar of this process; hidden unless [`bar_shown`].
static BARS: LazyLock<MultiProgress> = LazyLock::new(|| {
    MultiProgress::with_draw_target(if bar_shown() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    })
});

/// Sets the verbosity once, at start.
pub fn init(verbosity: Verbosity) {
    let _ = VERBOSITY.set(verbosity);
}

/// The verbosity [`init`] set.
pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// The default log filter of the verbosity (`DOCEX_LOG` replaces it).
pub fn log_filter() -> &'static str {
    match verbosity() {
        Verbosity::Quiet => "warn",
        Verbosity::Normal => "info,ort=warn",
        Verbosity::Verbose => "info,ort=warn,docex=debug",
    }
}

/// Whether stderr gets colours: a terminal, and `NO_COLOR` unset or empty.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether progress bars are drawn.
pub fn bar_shown() -> bool {
    verbosity() == Verbosity::Normal && std::io::stderr().is_terminal()
}

/// A bar of documents done out of `total` (which may grow), with the rate and
/// the time left; hidden unless [`bar_shown`].
pub fn documents(total: u64) -> ProgressBar {
    let template = if colour() {
        "{elapsed_precise} {wide_bar:.cyan/blue} {pos}/{len} documents, {rate}/s, ETA {eta}"
    } else {
        "{elapsed_precise} {wide_bar} {pos}/{len} documents, {rate}/s, ETA {eta}"
    };
    let bar = BARS.add(ProgressBar::new(total)).with_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1}", s.per_sec());
            })
            .progress_chars("=> "),
    );
    if bar_shown() {
        bar.enable_steady_tick(Duration::from_millis(250));
    }
    bar
}

/// Writes `bytes` to stderr above any bar being drawn.
pub fn write_stderr(bytes: &[u8]) {
    BARS.suspend(|| {
        let _ = std::io::stderr().lock().write_all(bytes);
    });
}

/// Where worker processes' stderr goes: through [`write_stderr`] while a bar is
/// drawn, else straight to this process's stderr.
pub fn worker_stderr() -> Option<fn(&[u8])> {
    bar_shown().then_some(write_stderr as fn(&[u8]))
}

/// The log writer: [`write_stderr`], one call per log line.
#[derive(Debug, Clone, Copy)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        write_stderr(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        *self
    }
}
