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

/// The default log filter of the verbosity (`DOCEX_LOG` replaces it). docex's own
/// crates (every target starting with `docex`) log at the verbosity's level; the
/// libraries under them (lopdf's dozens of "incomplete deflate stream" lines per
/// damaged PDF, ort, tokenizers) only their errors, and their warnings with
/// `--verbose`: what goes wrong in a document reaches its row, not the log.
pub fn log_filter() -> &'static str {
    match verbosity() {
        Verbosity::Quiet => "error,docex=warn",
        Verbosity::Normal => "error,docex=info",
        Verbosity::Verbose => "warn,docex=debug",
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

/// How log lines write an event's fields: as tracing's default does (the message,
/// then `name=value` pairs, `log.*` fields of forwarded `log` records left out),
/// but every control character of a message or a value escaped
/// ([`docex_output::escape_controls`]: `\n`, `\u{1b}`), so that a file name with a
/// newline or a terminal escape sequence can neither forge a log line nor recolour
/// the terminal. Set with `fmt_fields`; the log filter is [`log_filter`]'s.
#[derive(Debug, Clone, Copy, Default)]
pub struct EscapedFields;

impl<'w> tracing_subscriber::fmt::FormatFields<'w> for EscapedFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        writer: tracing_subscriber::fmt::format::Writer<'w>,
        fields: R,
    ) -> std::fmt::Result {
        let mut visitor = EscapedVisitor {
            writer,
            empty: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapedVisitor<'w> {
    writer: tracing_subscriber::fmt::format::Writer<'w>,
    empty: bool,
    result: std::fmt::Result,
}

impl tracing::field::Visit for EscapedVisitor<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let name = field.name();
        if self.result.is_err() || name.starts_with("log.") {
            return;
        }
        let space = if std::mem::take(&mut self.empty) {
            ""
        } else {
            " "
        };
        let text = format!("{value:?}");
        let text = docex_output::escape_controls(&text);
        let w = &mut self.writer;
        let name = name.strip_prefix("r#").unwrap_or(name);
        self.result = match name {
            "message" => write!(w, "{space}{text}"),
            _ if w.has_ansi_escapes() => {
                write!(w, "{space}\x1b[3m{name}\x1b[0m\x1b[2m=\x1b[0m{text}")
            }
            _ => write!(w, "{space}{name}={text}"),
        };
    }
}
