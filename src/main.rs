//! `docex`: offline extraction of dates, amounts and parties from scanned and
//! digital invoices, receipts and contracts.
//!
//! ```text
//! docex extract INPUT... --out DIR          docex watch INBOX --out DIR
//!   files ─► content hash ─► manifest (DIR/manifest.sqlite): done? duplicate? another shard's?   (docex-batch)
//!         ─► docex worker processes, one document each at a time:
//!              ingest (pdf-extract | page image ─► PP-OCR or Tesseract) ─► tokenizer ─► BiLSTM (ONNX) ─► Viterbi
//!              ─► fields (docex-fields: candidates ─► document type ─► resolvers ─► constraints)
//!         ─► rows into the manifest ─► DIR/documents.csv, DIR/entities.csv (rewritten atomically)
//! ```
//!
//! The binary parses arguments, finds the model and the ONNX Runtime library, runs
//! batches (`batch.rs`: manifest, worker processes, retries, tables; `watch.rs`: the
//! inbox) and reports; every stage lives in its own crate under `crates/`. `docex
//! eval` (`eval.rs`) scores a run's documents.csv against labelled documents;
//! `docex explain` (`explain.rs`) shows one document as the pipeline saw it;
//! `docex text` (`text.rs`) prints the text it reads, or its words with boxes;
//! `progress.rs` decides how much is logged and draws the progress bar.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use batch::{Batch, Redo};
use clap::{Parser, Subcommand, ValueEnum};
use docex_batch::manifest::Shard;
use docex_batch::pool::WorkerCommand;
use docex_pipeline::PipelineConfig;
use docex_tagger::{Device, Runtime};
use tracing::info;

mod batch;
mod eval;
mod explain;
mod progress;
mod text;
mod watch;

/// Where this checkout lives (models/, pipelines/ and .ort/ are found from here
/// unless given on the command line).
const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Parser)]
#[command(
    name = "docex",
    version = version(),
    about = "Extract dates, amounts and parties from documents, offline",
    after_help = "\
Examples:
  docex extract scans/ invoices/ --out tables/     # documents.csv and entities.csv in tables/
  docex extract archive/ --out tables/ --quiet     # nightly: again, only new files are read
  docex watch /srv/scans/inbox --out /srv/scans/tables
  docex explain receipt.png --html receipt.html    # what was found where, and why

`docex COMMAND --help` has each command's options and examples."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log warnings and errors only; no progress bar (DOCEX_LOG overrides).
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log debug lines too; no progress bar (DOCEX_LOG overrides).
    #[arg(long, short, global = true)]
    verbose: bool,
}

/// `0.1.0 (model docex-tagger-v2)`: the default pipeline's model, when its file reads.
fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let default = Path::new(REPO).join("pipelines/default.toml");
        match PipelineConfig::load(&default) {
            Ok(c) => format!("{} (model {})", env!("CARGO_PKG_VERSION"), c.model),
            Err(_) => env!("CARGO_PKG_VERSION").to_owned(),
        }
    })
}

#[derive(Subcommand)]
enum Command {
    /// Extract entity tables from documents (PDF, PNG, JPEG, TIFF, text; folders are recursed).
    #[command(after_help = "\
Examples:
  docex extract samples/documents --out out/samples
  docex extract /archive --out /tables --jobs 4 --timeout 120
  docex extract /archive --out /tables --retry-failed       # redo the error rows
  docex extract /archive --out shard-0 --shard 0/4          # part 0 of 4; then docex merge

On a terminal a progress bar shows documents done, documents/s and the time left.")]
    Extract(ExtractArgs),
    /// Watch an inbox folder: extract each file once it is complete, then move it to
    /// processed/ or failed/.
    #[command(after_help = "\
Examples:
  docex watch /srv/scans/inbox --out /srv/scans/tables
  docex watch /mnt/share/inbox --out tables --poll 10       # network share: scan every 10 s")]
    Watch(watch::WatchArgs),
    /// Join the output folders of sharded runs into one set of tables.
    #[command(after_help = "\
Example:
  docex merge shard-0 shard-1 shard-2 shard-3 --out tables")]
    Merge(MergeArgs),
    /// Show one document as the pipeline saw it: page text with the entities marked
    /// (field, value, confidence) and the chosen fields; --html adds the page images
    /// with the entity boxes.
    #[command(after_help = "\
Examples:
  docex explain samples/documents/receipt.png
  docex explain scan.pdf --html scan.html      # open scan.html in a browser
  docex explain invoice.pdf | less             # plain [[text]]{field=value confidence} markers

On a terminal entities are coloured by field; piped, or with NO_COLOR set, they are
marked [[text]]{field=value confidence}, with the kind in parentheses, {(date)=...},
for a value that plays no role.")]
    Explain(explain::ExplainArgs),
    /// Print the text the pipeline reads from documents, page by page (form feed
    /// between pages), like pdftotext; --words prints each word with its page, box,
    /// source (text layer, OCR, plain text) and OCR confidence.
    #[command(after_help = "\
Examples:
  docex text contract.pdf | less                  # what docex reads, page by page
  docex text scan.pdf invoice.pdf                 # ==> FILE <== before each document
  docex text --words scan.png > words.tsv         # document, page, word, x, y, width, height, source, confidence

Pages are read as `docex extract` reads them (PDF text layer, else OCR of the page
images; the same --pipeline, --pdf-password and limits), without tagging. A file that
cannot be read is named on stderr with the reason; the others are still printed and
the exit code is 1.")]
    Text(text::TextArgs),
    /// Score a run's documents.csv against labelled documents (labels.jsonl).
    Eval(eval::EvalArgs),
    /// Internal: the worker process extract and watch start (one document at a time,
    /// JSON lines on stdin and stdout).
    #[command(hide = true)]
    Worker(WorkerArgs),
}

/// What a pipeline is built from: shared by extract, watch and their workers.
#[derive(clap::Args, Clone)]
struct PipelineArgs {
    /// Pipeline name (under pipelines/) or path to a pipeline .toml file.
    #[arg(long, default_value = "default")]
    pipeline: String,
    /// Where the tagger runs.
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    device: DeviceArg,
    /// Which OCR engine reads page images (default: the pipeline's [ocr] engine,
    /// auto): auto routes each page (receipts and photos to PP-OCR, page-like
    /// scans to Tesseract), or one engine for every page.
    #[arg(long, value_enum)]
    ocr: Option<OcrArg>,
    /// Folder of models (default: models/ of this checkout).
    #[arg(long, env = "DOCEX_MODELS")]
    models: Option<PathBuf>,
    /// Password (the user or "open" password) tried on encrypted PDFs.
    #[arg(long, env = "DOCEX_PDF_PASSWORD", hide_env_values = true)]
    pdf_password: Option<String>,
    /// Most pages per document (default: the pipeline's [limits], 2000).
    #[arg(long)]
    max_pages: Option<usize>,
    /// Largest page image in megapixels (default: the pipeline's [limits], 250).
    #[arg(long)]
    max_megapixels: Option<u64>,
}

/// `docex worker`: the pipeline and the worker's memory backstop.
#[derive(clap::Args)]
struct WorkerArgs {
    #[command(flatten)]
    pipeline: PipelineArgs,
    /// The batch's memory limit, in MB: the worker limits its data segment above it
    /// (docex_batch::pool::limit_memory).
    #[arg(long)]
    max_memory_mb: Option<u64>,
}

/// How a batch runs: shared by extract and watch.
#[derive(clap::Args, Clone)]
struct BatchArgs {
    /// Folder for documents.csv, entities.csv and the manifest (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Worker processes (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Seconds one document may take before its worker is killed and the document
    /// quarantined (default: the pipeline's [limits], 300).
    #[arg(long)]
    timeout: Option<u64>,
    /// Resident memory one worker process may use, in MB, before it is killed and
    /// its document quarantined (default: the pipeline's [limits], 4096).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    max_memory_mb: Option<u64>,
    #[command(flatten)]
    tables: TableArgs,
    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// Which tables are written: shared by extract, watch and merge.
#[derive(clap::Args, Clone)]
struct TableArgs {
    /// Table formats, comma-separated: csv (documents.csv, entities.csv), xlsx
    /// (tables.xlsx), jsonl (documents.jsonl). needs_review.csv is always written.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "csv",
        value_name = "FORMATS"
    )]
    format: Vec<docex_output::Format>,
    /// CSV for Excel in comma-decimal locales: UTF-8 byte order mark, `;` between
    /// fields, decimal comma in numbers.
    #[arg(long)]
    excel: bool,
}

impl TableArgs {
    fn tables(&self) -> docex_output::Tables {
        docex_output::Tables::new(&self.format, docex_output::CsvTables { excel: self.excel })
    }
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Files and folders to process.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    batch: BatchArgs,
    /// Redo documents the manifest in --out says are done.
    #[arg(long)]
    force: bool,
    /// Redo documents that failed or were quarantined in an earlier run.
    #[arg(long)]
    retry_failed: bool,
    /// Take only part K of N of the documents (K from 0, split by content hash), for
    /// N machines sharing an archive; join the outputs with `docex merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// Output folders of `docex extract --shard` runs.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Folder for the joined tables and manifest.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    tables: TableArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum OcrArg {
    Auto,
    Tesseract,
    Paddle,
}

impl OcrArg {
    fn engine(self) -> docex_pipeline::OcrEngine {
        match self {
            OcrArg::Auto => docex_pipeline::OcrEngine::Auto,
            OcrArg::Tesseract => docex_pipeline::OcrEngine::Tesseract,
            OcrArg::Paddle => docex_pipeline::OcrEngine::Paddle,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum DeviceArg {
    Cpu,
    Cuda,
    Auto,
}

impl DeviceArg {
    fn name(self) -> &'static str {
        match self {
            DeviceArg::Cpu => "cpu",
            DeviceArg::Cuda => "cuda",
            DeviceArg::Auto => "auto",
        }
    }
}

/// Exit codes (documented in the README).
mod exit {
    /// Every document extracted (or skipped as done before).
    pub const OK: u8 = 0;
    /// Some documents failed or were quarantined: they are error rows.
    pub const SOME_FAILED: u8 = 1;
    /// The run could not start (bad arguments, model, library, output folder).
    pub const CANNOT_RUN: u8 = 2;
    /// The run started, then stopped on an error: most often it could not write
    /// its tables or manifest (disk full, permissions). The manifest keeps what
    /// finished before.
    pub const STOPPED: u8 = 3;
    /// Stopped by SIGINT/SIGTERM; the tables hold what finished.
    pub const INTERRUPTED: u8 = 130;
}

fn main() -> ExitCode {
    ensure_omp_thread_limit();
    let cli = Cli::parse();
    progress::init(match (cli.quiet, cli.verbose) {
        (true, _) => progress::Verbosity::Quiet,
        (_, true) => progress::Verbosity::Verbose,
        _ => progress::Verbosity::Normal,
    });
    tracing_subscriber::fmt()
        .with_writer(progress::LogWriter)
        .fmt_fields(progress::EscapedFields)
        // colours on a terminal only (and not with NO_COLOR): cron mails and CI logs get plain text
        .with_ansi(progress::colour())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOCEX_LOG")
                .unwrap_or_else(|_| progress::log_filter().into()),
        )
        .init();
    tracing::debug!(
        "OMP_THREAD_LIMIT={}",
        std::env::var("OMP_THREAD_LIMIT").unwrap_or_default()
    );
    let result = match cli.command {
        Command::Extract(args) => extract(args),
        Command::Watch(args) => watch::run(args),
        Command::Merge(args) => merge(&args),
        Command::Eval(args) => eval::run(&args).map(|()| exit::OK),
        Command::Explain(args) => explain::run(&args),
        Command::Text(args) => text::run(&args),
        Command::Worker(args) => worker(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => match STARTED.get() {
            Some(out) => {
                eprintln!(
                    "docex: stopped: {}\n\
                     docex: what finished before is kept in {}: run the same command again once that is fixed",
                    printable(&format!("{e:#}")),
                    out.join(docex_batch::manifest::MANIFEST_FILE).display()
                );
                ExitCode::from(exit::STOPPED)
            }
            None => {
                eprintln!("docex: {}", printable(&format!("{e:#}")));
                ExitCode::from(exit::CANNOT_RUN)
            }
        },
    }
}

/// The output folder of the batch this process started (set once its manifest is
/// open and its workers started): an error after that is [`exit::STOPPED`], not
/// [`exit::CANNOT_RUN`].
static STARTED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// A message for stderr: control characters escaped (a file name cannot recolour
/// the terminal), line breaks kept (a worker's output in a start-up error) but every
/// line after the first indented, so that no part of a message passes for a line
/// of its own.
fn printable(message: &str) -> String {
    message
        .split('\n')
        .map(|line| docex_output::escape_controls(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// Tesseract's OpenMP reads `OMP_THREAD_LIMIT` when the library loads, before
/// `main`; setting it here would be too late, so the process re-executes itself
/// once with the variable in its environment.
fn ensure_omp_thread_limit() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    use std::os::unix::process::CommandExt;
    if let Ok(exe) = std::env::current_exe() {
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OMP_THREAD_LIMIT", "1")
            .exec();
        eprintln!(
            "docex: warning: could not re-execute with OMP_THREAD_LIMIT=1 ({err}); OCR may be slow"
        );
    }
}

/// The `--pipeline` file, resolved under this checkout's `pipelines/`, and its contents.
fn load_config(args: &PipelineArgs) -> anyhow::Result<(PathBuf, PipelineConfig)> {
    let path = PipelineConfig::resolve(&args.pipeline, &Path::new(REPO).join("pipelines"));
    let config = PipelineConfig::load(&path)?;
    Ok((path, config))
}

/// The ONNX Runtime library: `ORT_DYLIB_PATH`, else in `.ort/` of this checkout or
/// next to the executable.
fn onnxruntime_library() -> Option<PathBuf> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    docex_tagger::locate_onnxruntime(&[Path::new(REPO).join(".ort"), exe_dir])
}

/// The PP-OCR models: `DOCEX_PPOCR`, else `.ppocr/` of this checkout (where
/// scripts/setup.sh installs them).
fn pp_ocr_models() -> PathBuf {
    std::env::var_os("DOCEX_PPOCR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(REPO).join(".ppocr"))
}

/// Builds the pipeline a worker runs.
fn build_pipeline(args: &PipelineArgs) -> anyhow::Result<docex_pipeline::Pipeline> {
    let repo = Path::new(REPO);
    let models = args.models.clone().unwrap_or_else(|| repo.join("models"));
    let (pipeline_path, config) = load_config(args)?;
    let device = match args.device {
        DeviceArg::Cpu => Device::Cpu,
        DeviceArg::Cuda => Device::Cuda,
        DeviceArg::Auto => Device::Auto,
    };
    let library = onnxruntime_library()
        .ok_or_else(|| anyhow!("ONNX Runtime library not found: run `make setup` (scripts/setup.sh) or set ORT_DYLIB_PATH"))?;
    let runtime =
        Arc::new(Runtime::init(&library, device).with_context(|| "starting ONNX Runtime")?);
    let mut pipeline = config.build(&models, runtime).with_context(|| {
        format!(
            "loading pipeline {} (models in {}; run `make setup`?)",
            pipeline_path.display(),
            models.display()
        )
    })?;
    pipeline.set_limits(args.max_pages, args.max_megapixels);
    pipeline.set_pdf_password(args.pdf_password.clone());
    pipeline
        .set_ocr(args.ocr.map(OcrArg::engine), &pp_ocr_models())
        .with_context(|| format!("OCR engine {}", pipeline.ocr_engine().name()))?;
    Ok(pipeline)
}

/// `docex worker`: builds the pipeline, then answers documents until stdin closes.
fn worker(args: &WorkerArgs) -> anyhow::Result<u8> {
    if let Some(mb) = args.max_memory_mb {
        docex_batch::pool::limit_memory(mb)
            .with_context(|| format!("setting the worker's memory limit ({mb} MB)"))?;
    }
    let pipeline = build_pipeline(&args.pipeline)?;
    let engines = pipeline.single_worker()?;
    // Fault injection for the isolation tests: a worker asked to crash on a name
    // aborts like a library would (the supervisor must retry, then quarantine); one
    // asked to hang on a name never answers (the time limit must end it).
    let crash_on = std::env::var("DOCEX_TEST_CRASH_ON").ok();
    let hang_on = std::env::var("DOCEX_TEST_HANG_ON").ok();
    // And one asked to copy a file over a document before reading it stands in for
    // a writer that changes the file after the supervisor hashed it.
    let change_on = std::env::var("DOCEX_TEST_CHANGE_ON").ok();
    let served = docex_batch::pool::serve(|doc| {
        if crash_on.as_deref().is_some_and(|c| doc.display.contains(c)) {
            std::process::abort();
        }
        if let Some((name, from)) = change_on.as_deref().and_then(|c| c.split_once('=')) {
            if doc.display.contains(name) {
                let _ = std::fs::copy(from, &doc.path);
            }
        }
        if hang_on.as_deref().is_some_and(|h| doc.display.contains(h)) {
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        engines.process(doc)
    });
    match served {
        // the batch that started this worker has gone (stopped on an error, or
        // killed): nobody is left to tell
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::OK),
        other => other.context("worker protocol").map(|()| exit::OK),
    }
}

/// The worker processes' command line: this executable, `worker`, the pipeline's
/// options (the PDF password travels in the environment, not in `ps`).
fn worker_command(args: &PipelineArgs, max_memory_mb: u64) -> anyhow::Result<WorkerCommand> {
    let mut argv: Vec<OsString> = vec![
        "worker".into(),
        "--pipeline".into(),
        args.pipeline.clone().into(),
    ];
    match progress::verbosity() {
        progress::Verbosity::Quiet => argv.push("--quiet".into()),
        progress::Verbosity::Verbose => argv.push("--verbose".into()),
        progress::Verbosity::Normal => {}
    }
    argv.extend(["--device".into(), args.device.name().into()]);
    if let Some(ocr) = args.ocr {
        argv.extend(["--ocr".into(), ocr.engine().name().into()]);
    }
    if let Some(m) = &args.models {
        argv.extend(["--models".into(), m.clone().into_os_string()]);
    }
    if let Some(p) = args.max_pages {
        argv.extend(["--max-pages".into(), p.to_string().into()]);
    }
    if let Some(mp) = args.max_megapixels {
        argv.extend(["--max-megapixels".into(), mp.to_string().into()]);
    }
    argv.extend(["--max-memory-mb".into(), max_memory_mb.to_string().into()]);
    let envs = args
        .pdf_password
        .iter()
        .map(|p| (OsString::from("DOCEX_PDF_PASSWORD"), OsString::from(p)))
        .collect();
    Ok(WorkerCommand {
        program: std::env::current_exe().context("finding the docex executable")?,
        args: argv,
        envs,
        stderr: progress::worker_stderr(),
        max_memory_mb: Some(max_memory_mb),
    })
}

/// Checks the pipeline once in this process (to fail early with a clear message)
/// and starts a batch on `--out`.
fn start_batch(
    args: &BatchArgs,
    redo: Redo,
    shard: Option<Shard>,
) -> anyhow::Result<(Batch, usize)> {
    let (_, config) = load_config(&args.pipeline)?;
    let timeout = Duration::from_secs(args.timeout.unwrap_or(config.limits.timeout_seconds).max(1));
    let max_memory_mb = args.max_memory_mb.unwrap_or(config.limits.max_memory_mb);
    anyhow::ensure!(
        max_memory_mb > 0,
        "limits.max_memory_mb must be at least 1 (MB)"
    );
    let command = worker_command(&args.pipeline, max_memory_mb)?;
    command.preflight().map_err(|e| {
        // a worker killed while starting says nothing itself: name what it was loading
        let library = onnxruntime_library()
            .map_or_else(|| "not found".to_owned(), |p| p.display().to_string());
        anyhow!("the worker cannot start (ONNX Runtime library {library}):\n{e}")
    })?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    info!(jobs, pipeline = %config.name, model = %config.model, max_memory_mb, out = %args.out.display(), "starting workers");
    let tables = args.tables.tables();
    let batch = Batch::open(&args.out, tables, command, jobs, timeout, redo, shard)?;
    let _ = STARTED.set(args.out.clone());
    Ok((batch, jobs))
}

fn extract(args: ExtractArgs) -> anyhow::Result<u8> {
    batch::handle_signals();
    let inputs = docex_batch::collect_inputs(&args.inputs, Some(&args.batch.out))?;
    let redo = Redo {
        all: args.force,
        failed: args.retry_failed,
    };
    let (mut batch, jobs) = start_batch(&args.batch, redo, args.shard)?;
    // the tables describe the inputs as they are: rows of files gone from them go
    let roots: Vec<PathBuf> = args
        .inputs
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let listed = inputs.iter().map(|d| d.display.clone()).collect();
    batch.forget_missing(&roots, &listed)?;
    batch.expect(inputs.len());
    info!(documents = inputs.len(), shard = ?args.shard.map(|s| format!("{}/{}", s.index, s.count)), "extracting");
    let started = std::time::Instant::now();
    let mut queue = inputs.into_iter();
    // Hash and hand out documents a little ahead of the workers, so the manifest
    // says `running` only of documents a worker has or is about to have.
    loop {
        while batch.in_flight() < 2 * jobs && !batch::stopping() {
            match queue.next() {
                Some(doc) => {
                    batch.admit(doc)?;
                }
                None => break,
            }
        }
        if batch.in_flight() == 0 {
            break;
        }
        batch.next_done(Duration::from_millis(200))?;
    }
    let interrupted = batch::stopping();
    let c = batch.finish()?;
    info!(
        seconds = format!("{:.2}", started.elapsed().as_secs_f64()),
        out = %args.batch.out.display(),
        "done: {c}"
    );
    Ok(if interrupted {
        exit::INTERRUPTED
    } else if c.failed + c.quarantined > 0 {
        exit::SOME_FAILED
    } else {
        exit::OK
    })
}

fn merge(args: &MergeArgs) -> anyhow::Result<u8> {
    let documents = batch::merge(&args.shards, &args.out, &args.tables.tables())?;
    info!(shards = args.shards.len(), documents, out = %args.out.display(), "merged");
    Ok(exit::OK)
}
