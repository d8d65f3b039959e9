//! Tokens per second of the tagger alone (tokenizer + ONNX session + Viterbi) on a
//! text file, on the CPU or the CUDA provider. It links no OCR library, so it also
//! runs on a GPU machine that has no Tesseract.
//!
//! ```text
//! cargo run --release -p docex-tagger --example tagger_speed -- MODEL_DIR TEXT_FILE [cpu|cuda] [REPEATS]
//! ```
//! The ONNX Runtime library comes from `ORT_DYLIB_PATH` (or the repository's `.ort/`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use docex_tagger::{Device, Model, Runtime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: tagger_speed MODEL_DIR TEXT_FILE [cpu|cuda] [REPEATS]";
    let model_dir = PathBuf::from(args.get(1).ok_or(usage)?);
    let text = std::fs::read_to_string(args.get(2).ok_or(usage)?)?;
    let device = match args.get(3).map(String::as_str) {
        Some("cuda") => Device::Cuda,
        Some("auto") => Device::Auto,
        _ => Device::Cpu,
    };
    let repeats: usize = args.get(4).map_or(Ok(20), |s| s.parse())?;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ort");
    let lib = docex_tagger::locate_onnxruntime(&[repo])
        .ok_or("no ONNX Runtime library: set ORT_DYLIB_PATH")?;
    let runtime = Runtime::init(&lib, device)?;
    let model = Arc::new(Model::load(&model_dir)?);
    let mut tagger = model.tagger(&runtime)?;
    let tokens = model.encoder().encode(&text)?.word_ids.len();
    tagger.tag(&text)?; // warm-up
    let start = Instant::now();
    let mut spans = 0;
    for _ in 0..repeats {
        spans = tagger.tag(&text)?.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "provider={:?} library={} tokens={} repeats={} spans={} seconds={:.3} tokens_per_s={:.0}",
        runtime.provider(),
        lib.display(),
        tokens,
        repeats,
        spans,
        secs,
        (tokens * repeats) as f64 / secs
    );
    Ok(())
}
