//! The docex pipeline: stages wired together and run in parallel.
//!
//! ```text
//!            ┌──────────────── one rayon worker (owns a Tesseract engine and an ONNX session) ───────────────┐
//! inputs ──► │ read + detect ─► pages ─► OCR / text layer ─► tag (BiLSTM) ─► normalise + choose fields │ ──► ordered rows ─► CSV
//!            └──────────────────────────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! Documents run in parallel, and so do the pages of a long document (nested
//! `par_iter` on the same pool: work stealing, no second pool). Each worker thread
//! owns its engines through [`Workers`]; results are handed to the caller in input
//! order as soon as they are ready, so memory holds the pages in flight, not the batch.

mod assemble;
mod config;
mod inputs;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use docex_core::{DocumentResult, InputDoc, Page, TaggedSpan};
use docex_ingest::{IngestError, Limits, Ocr, OcrConfig, PageInput};
use docex_normalize::DateOrder;
use docex_tagger::{Model, Runtime, Tagger, TaggerError};
use rayon::prelude::*;
use thiserror::Error;
use tracing::debug;

pub use assemble::{assemble, Locale};
pub use config::{LimitsSection, LocaleSection, OcrSection, PipelineConfig};
pub use inputs::collect_inputs;

/// Set-up errors (the run cannot start). Per-document failures are not errors of
/// this kind: they become rows.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// A pipeline file is missing or invalid.
    #[error("pipeline {path}: {reason}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The model could not be loaded.
    #[error("model: {0}")]
    Model(#[from] TaggerError),
    /// The worker pool could not start.
    #[error("thread pool: {0}")]
    Pool(String),
    /// An input path cannot be read.
    #[error("input {path}: {reason}")]
    Input {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl PipelineConfig {
    /// Validates the definition and loads its model from `models_dir`.
    pub fn build(
        self,
        models_dir: &Path,
        runtime: Arc<Runtime>,
    ) -> Result<Pipeline, PipelineError> {
        let date_order = match self.locale.date_order.as_deref() {
            None => None,
            Some("day-first") => Some(DateOrder::DayFirst),
            Some("month-first") => Some(DateOrder::MonthFirst),
            Some(other) => {
                return Err(PipelineError::Config {
                    path: PathBuf::from(&self.name),
                    reason: format!(
                        "locale.date_order must be day-first or month-first, not {other:?}"
                    ),
                })
            }
        };
        let model = Arc::new(Model::load(&models_dir.join(&self.model))?);
        docex_tagger::log_provider(&runtime, &model);
        Ok(Pipeline {
            model,
            runtime,
            ocr: OcrConfig {
                lang: self.ocr.lang,
                datapath: None,
            },
            limits: Limits {
                max_pixels: self.limits.max_megapixels * 1_000_000,
                max_pages: self.limits.max_pages,
            },
            locale: Locale {
                date_order,
                currency: self.locale.currency,
            },
        })
    }
}

/// A ready-to-run pipeline.
#[derive(Debug)]
pub struct Pipeline {
    model: Arc<Model>,
    runtime: Arc<Runtime>,
    ocr: OcrConfig,
    limits: Limits,
    locale: Locale,
}

/// The engines one worker thread owns, created on first use and reused.
struct Worker {
    ocr: Option<Ocr>,
    tagger: Tagger,
}

/// One slot per pool thread; a thread only ever locks its own slot, so the locks
/// are never contended (they only make the slots shareable).
struct Workers(Vec<Mutex<Option<Worker>>>);

impl Pipeline {
    /// The tagger model's name.
    pub fn model_name(&self) -> &str {
        self.model.name()
    }

    /// Processes `inputs` on `jobs` worker threads, calling `sink` with each result
    /// in input order.
    pub fn run(
        &self,
        inputs: &[InputDoc],
        jobs: usize,
        mut sink: impl FnMut(DocumentResult),
    ) -> Result<(), PipelineError> {
        let jobs = jobs.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .thread_name(|i| format!("docex-worker-{i}"))
            .build()
            .map_err(|e| PipelineError::Pool(e.to_string()))?;
        let workers = Workers((0..jobs).map(|_| Mutex::new(None)).collect());
        let (tx, rx) = mpsc::channel::<(usize, DocumentResult)>();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                pool.install(|| {
                    inputs
                        .par_iter()
                        .enumerate()
                        .for_each_with(tx, |tx, (i, doc)| {
                            let _ = tx.send((i, self.process(doc, &workers)));
                        })
                })
            });
            // Re-order: emit result i as soon as 0..i are out.
            let mut pending = std::collections::BTreeMap::new();
            let mut next = 0;
            for (i, r) in rx {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&next) {
                    sink(r);
                    next += 1;
                }
            }
        });
        Ok(())
    }

    /// One document, start to end; any failure becomes the result's error.
    fn process(&self, doc: &InputDoc, workers: &Workers) -> DocumentResult {
        debug!(document = %doc.display, "start");
        let outcome = self.extract(doc, workers).map_err(|e| one_line(e.as_ref()));
        DocumentResult {
            document: doc.display.clone(),
            outcome,
        }
    }

    fn extract(
        &self,
        doc: &InputDoc,
        workers: &Workers,
    ) -> Result<docex_core::Extraction, Box<dyn std::error::Error + Send + Sync>> {
        let bytes = std::fs::read(&doc.path)?;
        let (_, inputs) = docex_ingest::read_document(&bytes, &self.limits)?;
        drop(bytes);
        let pages: Vec<(Page, Vec<TaggedSpan>)> = inputs
            .into_par_iter()
            .enumerate()
            .map(|(i, input)| self.page(i + 1, input, workers))
            .collect::<Result<_, _>>()?;
        Ok(assemble(&pages, &self.locale))
    }

    /// Text (by OCR if needed) and tags of one page, on the current worker's engines.
    fn page(
        &self,
        number: usize,
        input: PageInput,
        workers: &Workers,
    ) -> Result<(Page, Vec<TaggedSpan>), Box<dyn std::error::Error + Send + Sync>> {
        let slot = &workers.0[rayon::current_thread_index().unwrap_or(0) % workers.0.len()];
        let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(Worker {
                ocr: None,
                tagger: self.model.tagger(&self.runtime)?,
            });
        }
        let worker = guard.as_mut().expect("worker was just created");
        let page = match input {
            PageInput::Text { text, extractor } => docex_ingest::text_page(number, text, extractor),
            PageInput::Image {
                image,
                dpi,
                extractor,
            } => {
                if worker.ocr.is_none() {
                    worker.ocr = Some(Ocr::new(&self.ocr)?);
                }
                let ocr = worker.ocr.as_mut().expect("engine was just created");
                ocr.recognize(number, &image, dpi, extractor)
                    .map_err(|e| page_error(number, e))?
            }
        };
        let spans = worker.tagger.tag(&page.text)?;
        Ok((page, spans))
    }
}

fn page_error(number: usize, e: IngestError) -> String {
    format!("page {number}: {e}")
}

/// An error and its causes on one line (`a: b: c`).
fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s.replace(['\n', '\r'], " ")
}
