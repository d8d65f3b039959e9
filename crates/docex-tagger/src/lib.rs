//! The tagger stage: page text in, labelled spans out.
//!
//! ```text
//! page text ─► tokenizer.json (tokenizers) ─► word ids, char ids, features ─► BiLSTM (ONNX, ort) ─► emissions
//!                                                                                               │
//!                     TaggedSpan{start, end, role, confidence} ◄─ BILOU spans ◄─ constrained Viterbi (CRF transitions)
//! ```
//!
//! A [`Model`] (tokenizer, labels, transitions, ONNX bytes) is loaded once and shared.
//! ONNX Runtime's `Session::run` takes `&mut self`, so every worker thread gets its own
//! [`Tagger`] (one session, one intra-op thread) from [`Model::tagger`]; parallelism
//! comes from the workers, never from nested thread pools. The shared [`Runtime`]
//! holds the one ONNX Runtime environment of the process and the execution provider.

mod decode;
mod encode;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use docex_core::{Role, TaggedSpan};
use ort::environment::Environment;
use ort::ep::{self, ExecutionProvider};
use ort::session::builder::SessionBuilder;
use ort::session::Session;
use ort::value::Tensor;
use serde::Deserialize;
use thiserror::Error;
use tracing::info;

pub use decode::{spans, Crf, LabelSet, TokenSpan};
pub use encode::{layout_features, shape_features, Encoded, Encoder, FEATURES, N_FEATURES};

/// Why tagging failed.
#[derive(Debug, Error)]
pub enum TaggerError {
    /// A model file is missing or unreadable.
    #[error("cannot read model file {path}")]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `meta.json` is malformed.
    #[error("bad model metadata {path}: {reason}")]
    Meta {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The tokenizer failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The ONNX Runtime library could not be loaded.
    #[error("cannot load the ONNX Runtime library {path}: {reason}")]
    Library {
        /// The library file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// `model.onnx` does not load into ONNX Runtime, or does not run on a fixed text.
    #[error("the model {path} is broken: {reason}")]
    BrokenModel {
        /// The ONNX file.
        path: PathBuf,
        /// What ONNX Runtime said, or what is wrong with its output.
        reason: String,
    },
    /// CUDA was asked for and cannot be used.
    #[error("CUDA execution provider not available: {0}")]
    CudaUnavailable(String),
    /// ONNX Runtime failed.
    #[error("ONNX Runtime: {0}")]
    Ort(String),
}

fn ort_err(e: impl std::fmt::Display) -> TaggerError {
    TaggerError::Ort(e.to_string())
}

/// Where the tagger runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// ONNX Runtime's CPU provider.
    Cpu,
    /// The CUDA provider; an error if it cannot be used.
    Cuda,
    /// CUDA when the library has it and a GPU is there, else CPU.
    Auto,
}

/// The execution provider actually in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// CPUExecutionProvider.
    Cpu,
    /// CUDAExecutionProvider.
    Cuda,
}

/// The process's ONNX Runtime: the loaded library, its environment and the provider.
pub struct Runtime {
    env: Environment,
    provider: Provider,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("provider", &self.provider)
            .finish()
    }
}

impl Runtime {
    /// Loads the ONNX Runtime library at `library` and picks the provider for `device`.
    /// Call once per process.
    pub fn init(library: &Path, device: Device) -> Result<Runtime, TaggerError> {
        let lib_err = |reason: String| TaggerError::Library {
            path: library.to_owned(),
            reason,
        };
        // A truncated library would be mapped past its end and kill the process
        // with SIGBUS on first touch: look at its headers before it is loaded.
        check_library(library).map_err(lib_err)?;
        let env = ort::init_from(library)
            .map_err(|e| lib_err(e.to_string()))?
            .with_name("docex")
            .build()
            .map_err(|e| lib_err(e.to_string()))?;
        let cuda_in_library = ep::CUDA::is_available().unwrap_or(false);
        let provider = match (device, cuda_in_library) {
            (Device::Cpu, _) => Provider::Cpu,
            (Device::Cuda, true) | (Device::Auto, true) => Provider::Cuda,
            (Device::Cuda, false) => {
                return Err(TaggerError::CudaUnavailable(format!(
                    "{} is a CPU-only build; install the onnxruntime-gpu library (see README, GPU) or use --device cpu",
                    library.display()
                )))
            }
            (Device::Auto, false) => Provider::Cpu,
        };
        Ok(Runtime { env, provider })
    }

    /// The provider sessions will use (after [`Model::tagger`] confirmed it).
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// A session builder for one worker thread: one intra-op thread (a worker
    /// process per core does the parallel work) and the runtime's provider. The
    /// tagger's sessions and the OCR models' (docex-paddle) start from it.
    pub fn session_builder(&self) -> Result<SessionBuilder, TaggerError> {
        let builder = Session::builder(&self.env)
            .map_err(ort_err)?
            .with_intra_threads(1)
            .map_err(ort_err)?;
        match self.provider {
            Provider::Cpu => Ok(builder),
            Provider::Cuda => builder
                .with_execution_providers([ep::CUDA::default().build().error_on_failure()])
                .map_err(|e| TaggerError::CudaUnavailable(e.to_string())),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Meta {
    name: String,
    labels: Vec<String>,
    max_chars: usize,
    chars: Vec<String>,
    features: Vec<String>,
    transitions: Vec<Vec<f32>>,
    start_transitions: Vec<f32>,
    end_transitions: Vec<f32>,
    window: usize,
}

/// A shipped tagger model (`models/<name>/`), loaded once and shared by all workers.
#[derive(Debug)]
pub struct Model {
    name: String,
    encoder: Encoder,
    labels: LabelSet,
    crf: Crf,
    window: usize,
    /// Indices into [`FEATURES`] of the model's `features` input, in order.
    features: Vec<usize>,
    onnx: Arc<Vec<u8>>,
    /// Where `onnx` was read from, for messages.
    onnx_path: PathBuf,
}

/// The text [`Model::check`] runs through the model.
const CHECK_TEXT: &str = "Invoice INV-0042 dated 12.03.2024 from Acme GmbH, total EUR 1.234,56\n";

impl Model {
    /// Loads `model.onnx`, `tokenizer.json` and `meta.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Model, TaggerError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| TaggerError::ModelFile { path, source })
        };
        let meta_path = dir.join("meta.json");
        let meta: Meta =
            serde_json::from_slice(&read("meta.json")?).map_err(|e| TaggerError::Meta {
                path: meta_path.clone(),
                reason: e.to_string(),
            })?;
        let n = meta.labels.len();
        if meta.transitions.len() != n
            || meta.start_transitions.len() != n
            || meta.end_transitions.len() != n
            || meta.window == 0
        {
            return Err(TaggerError::Meta {
                path: meta_path,
                reason: "transition sizes do not match the labels".into(),
            });
        }
        // The model names its features; docex computes any of the ones it knows, in the
        // model's order (so models trained on an earlier feature list still load).
        let features = meta
            .features
            .iter()
            .map(|name| FEATURES.iter().position(|f| f == name))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| TaggerError::Meta {
                path: meta_path.clone(),
                reason: format!(
                    "the model was trained with features {:?}; this docex computes {:?}",
                    meta.features, FEATURES
                ),
            })?;
        let tokenizer = tokenizers::Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| TaggerError::Tokenizer(e.to_string()))?;
        let labels = LabelSet::new(meta.labels);
        let crf = Crf::new(
            &labels,
            &meta.transitions,
            &meta.start_transitions,
            &meta.end_transitions,
        );
        Ok(Model {
            name: meta.name,
            encoder: Encoder::new(tokenizer, &meta.chars, meta.max_chars),
            labels,
            crf,
            window: meta.window,
            features,
            onnx: Arc::new(read("model.onnx")?),
            onnx_path: dir.join("model.onnx"),
        })
    }

    /// The model's name (from `meta.json`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The label set.
    pub fn labels(&self) -> &LabelSet {
        &self.labels
    }

    /// The encoder (tokenizer and features).
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The CRF decoder.
    pub fn crf(&self) -> &Crf {
        &self.crf
    }

    /// A tagger for one worker thread: its own session with one intra-op thread.
    pub fn tagger(self: &Arc<Self>, runtime: &Runtime) -> Result<Tagger, TaggerError> {
        let session = runtime
            .session_builder()?
            .commit_from_memory(&self.onnx)
            .map_err(|e| self.broken(e))?;
        Ok(Tagger {
            session,
            model: Arc::clone(self),
        })
    }
}

impl Model {
    /// Starts a session and runs the model once on a fixed text: a model file that
    /// does not load, does not run or gives non-finite scores fails here, at start-up,
    /// instead of on every document.
    pub fn check(self: &Arc<Self>, runtime: &Runtime) -> Result<(), TaggerError> {
        let mut tagger = self.tagger(runtime)?;
        let enc = self.encoder.encode(CHECK_TEXT)?;
        let emissions = tagger.emissions(&enc).map_err(|e| match e {
            TaggerError::Ort(reason) => self.broken(reason),
            other => other,
        })?;
        if emissions.iter().flatten().any(|x| !x.is_finite()) {
            return Err(self.broken("it gives non-finite scores on a fixed text"));
        }
        Ok(())
    }

    fn broken(&self, reason: impl std::fmt::Display) -> TaggerError {
        TaggerError::BrokenModel {
            path: self.onnx_path.clone(),
            reason: reason.to_string(),
        }
    }
}

/// Checks that `library` is a 64-bit ELF file whose loadable segments lie within
/// the file, as the dynamic loader will map them. Returns what is wrong.
fn check_library(library: &Path) -> Result<(), String> {
    use object::elf::{FileHeader64, PT_LOAD};
    use object::read::elf::{FileHeader, ProgramHeader};
    let file = std::fs::File::open(library).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    let data = object::ReadCache::new(file);
    let not_elf = |e: object::read::Error| format!("not a 64-bit ELF shared library ({e})");
    let header = FileHeader64::<object::Endianness>::parse(&data).map_err(not_elf)?;
    let endian = header.endian().map_err(not_elf)?;
    let segments = header.program_headers(endian, &data).map_err(|e| {
        format!("the file is truncated or damaged: {size} bytes, program headers unreadable ({e})")
    })?;
    for segment in segments.iter().filter(|p| p.p_type(endian) == PT_LOAD) {
        let end = segment
            .p_offset(endian)
            .saturating_add(segment.p_filesz(endian));
        if end > size {
            return Err(format!(
                "the file is truncated: {size} bytes, but a segment it loads ends at byte {end}"
            ));
        }
    }
    Ok(())
}

/// One worker's tagger: a model and its own ONNX Runtime session.
pub struct Tagger {
    session: Session,
    model: Arc<Model>,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("model", &self.model.name)
            .finish()
    }
}

impl Tagger {
    /// Labels the spans of one page's text. Offsets are character offsets into `text`.
    pub fn tag(&mut self, text: &str) -> Result<Vec<TaggedSpan>, TaggerError> {
        let enc = self.model.encoder.encode(text)?;
        let emissions = self.emissions(&enc)?;
        let n = self.model.labels.len();
        let mut out = Vec::new();
        for (w, em) in emissions.iter().enumerate() {
            let base = w * self.model.window;
            let path = self.model.crf.viterbi(em);
            let marg = self.model.crf.marginals(em, &path);
            debug_assert_eq!(em.len(), path.len() * n);
            for s in spans(&self.model.labels, &path) {
                let Some(role) = Role::from_label(&s.kind) else {
                    continue;
                };
                let conf = marg[s.first..=s.last]
                    .iter()
                    .copied()
                    .fold(1.0f32, f32::min);
                out.push(TaggedSpan {
                    start: enc.offsets[base + s.first].0,
                    end: enc.offsets[base + s.last].1,
                    role,
                    confidence: conf,
                });
            }
        }
        Ok(out)
    }

    /// Runs the model over the page in windows of `window` tokens. Returns each
    /// window's emissions (`len × labels`, row-major).
    ///
    /// The full windows go through in one batch, the shorter last window on its own:
    /// padding it to the full length would cost as much as a full window (the
    /// recurrences run over every padded position), and the rows do not depend on
    /// their padding, so the emissions are the same either way.
    ///
    /// A pass takes at most [`MAX_BATCH`] windows (see [`passes`]), so the memory a page
    /// needs does not grow with its length.
    pub fn emissions(&mut self, enc: &Encoded) -> Result<Vec<Vec<f32>>, TaggerError> {
        let mut out = Vec::new();
        for pass in passes(enc.word_ids.len(), self.model.window) {
            out.extend(self.run_windows(enc, &pass)?);
        }
        Ok(out)
    }

    /// One forward pass over the given token ranges as one batch, each padded to the
    /// longest. Returns each range's emissions.
    fn run_windows(
        &mut self,
        enc: &Encoded,
        windows: &[Range<usize>],
    ) -> Result<Vec<Vec<f32>>, TaggerError> {
        let Some(t) = windows.iter().map(|w| w.len()).max() else {
            return Ok(Vec::new());
        };
        let b = windows.len();
        let c = self.model.encoder.max_chars();
        let nf = self.model.features.len();
        let mut word_ids = vec![0i64; b * t];
        let mut char_ids = vec![0i64; b * t * c];
        let mut feats = vec![0f32; b * t * nf];
        for (row, w) in windows.iter().enumerate() {
            for (col, i) in w.clone().enumerate() {
                let at = row * t + col;
                word_ids[at] = enc.word_ids[i];
                char_ids[at * c..(at + 1) * c].copy_from_slice(&enc.char_ids[i]);
                for (k, &f) in self.model.features.iter().enumerate() {
                    feats[at * nf + k] = enc.features[i][f];
                }
            }
        }
        let lengths: Vec<i64> = windows.iter().map(|w| w.len() as i64).collect();
        let (bi, ti) = (b as i64, t as i64);
        let outputs = self
            .session
            .run(ort::inputs! {
                "word_ids" => Tensor::from_array((vec![bi, ti], word_ids)).map_err(ort_err)?,
                "char_ids" => Tensor::from_array((vec![bi, ti, c as i64], char_ids)).map_err(ort_err)?,
                "features" => Tensor::from_array((vec![bi, ti, nf as i64], feats)).map_err(ort_err)?,
                "lengths" => Tensor::from_array((vec![bi], lengths)).map_err(ort_err)?,
            })
            .map_err(ort_err)?;
        let (shape, data) = outputs["emissions"]
            .try_extract_tensor::<f32>()
            .map_err(ort_err)?;
        let n = self.model.labels.len();
        if shape.len() != 3 || shape[2] as usize != n || shape[1] as usize != t {
            return Err(TaggerError::Ort(format!(
                "unexpected emissions shape {shape:?}"
            )));
        }
        Ok(windows
            .iter()
            .enumerate()
            .map(|(row, w)| data[row * t * n..(row * t + w.len()) * n].to_vec())
            .collect())
    }
}

/// Most windows in one forward pass. The inputs and the recurrences' activations of a
/// pass grow with its windows (a 1 MB page in one pass took gigabytes); 16 windows of the
/// shipped model's 256 tokens keep a pass to a few megabytes and lose nothing to
/// batching (`BENCHMARKS.md`, section 2: 16 windows per batch are no faster than 4).
pub const MAX_BATCH: usize = 16;

/// The forward passes over `total` tokens in windows of `window` tokens: the full
/// windows in batches of at most [`MAX_BATCH`], then the shorter last window alone.
pub fn passes(total: usize, window: usize) -> Vec<Vec<Range<usize>>> {
    let window = window.max(1);
    let full = total / window;
    let mut out: Vec<Vec<Range<usize>>> = (0..full)
        .map(|w| w * window..(w + 1) * window)
        .collect::<Vec<_>>()
        .chunks(MAX_BATCH)
        .map(<[_]>::to_vec)
        .collect();
    if !total.is_multiple_of(window) {
        out.push(std::iter::once(full * window..total).collect());
    }
    out
}

/// Finds the ONNX Runtime library: `ORT_DYLIB_PATH`, else `libonnxruntime.so*` in
/// each of `dirs` (the setup script puts it in the repository's `.ort/`).
pub fn locate_onnxruntime(dirs: &[PathBuf]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH") {
        return Some(PathBuf::from(p));
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut libs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("libonnxruntime.so"))
            })
            .collect();
        libs.sort();
        if let Some(p) = libs.into_iter().next() {
            return Some(p);
        }
    }
    None
}

/// Logs which provider runs, once.
pub fn log_provider(runtime: &Runtime, model: &Model) {
    info!(model = model.name(), provider = ?runtime.provider(), "tagger ready");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Issue 15: every full window of a page went through in one batch, so a 1 MB page
    /// needed gigabytes for one forward pass. Passes take at most MAX_BATCH windows, cover
    /// every token once, in order, and keep the short last window alone.
    #[test]
    fn a_page_of_a_million_tokens_runs_in_passes_of_at_most_max_batch_windows() {
        let (total, window) = (1_000_003, 256);
        let planned = passes(total, window);
        // a few megabytes a pass, whatever the page's length
        let bound = MAX_BATCH.min(64);
        assert!(planned.iter().all(|p| !p.is_empty() && p.len() <= bound));
        let windows: Vec<Range<usize>> = planned.iter().flatten().cloned().collect();
        assert_eq!(windows.len(), total.div_ceil(window));
        let mut next = 0;
        for w in &windows {
            assert_eq!(w.start, next);
            next = w.end;
        }
        assert_eq!(next, total);
        let last = planned.last().unwrap();
        assert_eq!(
            (last.len(), &last[0]),
            (1, &(total / window * window..total))
        );
        assert!(passes(0, window).is_empty());
        assert_eq!(
            passes(window * 3, window),
            vec![vec![0..256, 256..512, 512..768]]
        );
    }

    /// Splitting the last, shorter window off into its own pass changes nothing:
    /// the emissions equal those of the one padded batch of every window.
    #[test]
    fn last_window_alone_gives_the_padded_batch_emissions() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let runtime = runtime();
        let model = Arc::new(Model::load(&dir.join("tests/data/tiny")).unwrap());
        let mut tagger = model.tagger(runtime).unwrap();
        let line = "Invoice INV-0042 dated 12.03.2024 from Acme GmbH, total EUR 1.234,56\n";
        let text = line.repeat(40);
        let enc = model.encoder().encode(&text).unwrap();
        let (total, win) = (enc.word_ids.len(), model.window);
        assert!(
            total > 2 * win && !total.is_multiple_of(win),
            "{total} tokens"
        );
        let split = tagger.emissions(&enc).unwrap();
        let windows: Vec<Range<usize>> = (0..total.div_ceil(win))
            .map(|w| w * win..((w + 1) * win).min(total))
            .collect();
        let padded = tagger.run_windows(&enc, &windows).unwrap();
        assert_eq!(split.len(), padded.len());
        for (w, (a, b)) in split.iter().zip(&padded).enumerate() {
            assert_eq!(a.len(), b.len(), "window {w}");
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() < 1e-4, "window {w}: {x} vs {y}");
            }
        }
        assert_eq!(
            split.last().unwrap().len(),
            (total % win) * model.labels.len()
        );
    }

    fn library() -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        locate_onnxruntime(&[dir.join("../../.ort")])
            .expect("ONNX Runtime library missing: run scripts/setup.sh (make test does)")
    }

    /// The process's one runtime (ONNX Runtime allows one environment per process).
    fn runtime() -> &'static Runtime {
        static RUNTIME: std::sync::OnceLock<Runtime> = std::sync::OnceLock::new();
        RUNTIME.get_or_init(|| Runtime::init(&library(), Device::Cpu).unwrap())
    }

    /// A truncated ONNX Runtime library is refused before it is mapped (loading it
    /// killed the process with SIGBUS).
    #[test]
    fn a_truncated_onnxruntime_library_is_named_not_loaded() {
        let lib = library();
        check_library(&lib).unwrap();
        let bytes = std::fs::read(&lib).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (name, cut) in [("half", bytes.len() / 2), ("head", 40), ("none", 0)] {
            let copy = dir.path().join(format!("libonnxruntime.so.{name}"));
            std::fs::write(&copy, &bytes[..cut]).unwrap();
            let err = check_library(&copy).unwrap_err();
            assert!(
                err.contains("truncated") || err.contains("not a 64-bit ELF"),
                "{err}"
            );
        }
    }

    /// A model file that ONNX Runtime cannot load fails the check, naming the file.
    #[test]
    fn a_corrupt_model_fails_its_check_naming_the_file() {
        let runtime = runtime();
        let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny");
        Arc::new(Model::load(&tiny).unwrap())
            .check(runtime)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        for f in ["meta.json", "tokenizer.json", "model.onnx"] {
            std::fs::copy(tiny.join(f), dir.path().join(f)).unwrap();
        }
        let onnx = std::fs::read(tiny.join("model.onnx")).unwrap();
        std::fs::write(dir.path().join("model.onnx"), &onnx[..onnx.len() / 2]).unwrap();
        let model = Arc::new(Model::load(dir.path()).unwrap());
        let err = model.check(runtime).unwrap_err();
        assert!(matches!(err, TaggerError::BrokenModel { .. }), "{err}");
        assert!(err.to_string().contains("model.onnx"), "{err}");
    }
}
