//! `docex`: offline extraction of dates, amounts and parties from scanned and
//! digital invoices, receipts and contracts.
//!
//! ```text
//! docex extract INPUT... --out DIR
//!   files/folders ─► ingest (pdf-extract | page image ─► Tesseract) ─► tokenizer ─► BiLSTM (ONNX) ─► Viterbi
//!                ─► normalise (dates, amounts, parties) ─► choose fields ─► DIR/documents.csv, DIR/entities.csv
//! ```
//!
//! The binary only parses arguments, finds the model and the ONNX Runtime library,
//! and reports; every stage lives in its own crate under `crates/`. `docex eval`
//! (`eval.rs`) scores a run's documents.csv against labelled documents.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use clap::{Parser, Subcommand, ValueEnum};
use docex_core::Sink;
use docex_pipeline::PipelineConfig;
use docex_tagger::{Device, Runtime};
use tracing::{info, warn};

mod eval;

/// Where this checkout lives (models/, pipelines/ and .ort/ are found from here
/// unless given on the command line).
const REPO: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Parser)]
#[command(
    name = "docex",
    version,
    about = "Extract dates, amounts and parties from documents, offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract entity tables from documents (PDF, PNG, JPEG, TIFF, text; folders are recursed).
    Extract(ExtractArgs),
    /// Score a run's documents.csv against labelled documents (labels.jsonl).
    Eval(eval::EvalArgs),
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Files and folders to process.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Folder for documents.csv and entities.csv (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Pipeline name (under pipelines/) or path to a pipeline .toml file.
    #[arg(long, default_value = "default")]
    pipeline: String,
    /// Worker threads (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Where the tagger runs.
    #[arg(long, value_enum, default_value_t = DeviceArg::Auto)]
    device: DeviceArg,
    /// Folder of models (default: models/ of this checkout).
    #[arg(long, env = "DOCEX_MODELS")]
    models: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DeviceArg {
    Cpu,
    Cuda,
    Auto,
}

fn main() -> ExitCode {
    ensure_omp_thread_limit();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DOCEX_LOG")
                .unwrap_or_else(|_| "info,ort=warn".into()),
        )
        .init();
    tracing::debug!(
        "OMP_THREAD_LIMIT={}",
        std::env::var("OMP_THREAD_LIMIT").unwrap_or_default()
    );
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract(args).map(|all_ok| if all_ok { 0 } else { 1 }),
        Command::Eval(args) => eval::run(&args).map(|()| 0),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("docex: {e:#}");
            ExitCode::from(2)
        }
    }
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

fn extract(args: ExtractArgs) -> anyhow::Result<bool> {
    let repo = Path::new(REPO);
    let models = args.models.clone().unwrap_or_else(|| repo.join("models"));
    let pipeline_path = PipelineConfig::resolve(&args.pipeline, &repo.join("pipelines"));
    let config = PipelineConfig::load(&pipeline_path)?;
    let device = match args.device {
        DeviceArg::Cpu => Device::Cpu,
        DeviceArg::Cuda => Device::Cuda,
        DeviceArg::Auto => Device::Auto,
    };
    let exe_dir = std::env::current_exe()?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let library = docex_tagger::locate_onnxruntime(&[repo.join(".ort"), exe_dir])
        .ok_or_else(|| anyhow!("ONNX Runtime library not found: run `make setup` (scripts/setup.sh) or set ORT_DYLIB_PATH"))?;
    let runtime =
        Arc::new(Runtime::init(&library, device).with_context(|| "starting ONNX Runtime")?);
    let pipeline = config.build(&models, runtime).with_context(|| {
        format!(
            "loading pipeline {} (models in {}; run `make setup`?)",
            pipeline_path.display(),
            models.display()
        )
    })?;
    let inputs = docex_pipeline::collect_inputs(&args.inputs)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    info!(
        documents = inputs.len(),
        jobs,
        model = pipeline.model_name(),
        "extracting"
    );
    let mut sink: Box<dyn Sink> = Box::new(docex_output::CsvSink::create(&args.out)?);
    let (mut ok, mut failed) = (0usize, 0usize);
    let mut write_error = None;
    let started = std::time::Instant::now();
    pipeline.run(&inputs, jobs, |result| {
        match &result.outcome {
            Ok(_) => ok += 1,
            Err(e) => {
                failed += 1;
                warn!(document = %result.document, error = %e, "failed");
            }
        }
        if let Err(e) = sink.write(&result) {
            write_error.get_or_insert(anyhow!(e));
        }
    })?;
    if let Some(e) = write_error {
        return Err(e).context("writing output");
    }
    info!(ok, failed, seconds = format!("{:.2}", started.elapsed().as_secs_f64()), out = %args.out.display(), "done");
    Ok(failed == 0)
}
