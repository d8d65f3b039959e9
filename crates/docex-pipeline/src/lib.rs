//! The docex pipeline: stages wired together, one document at a time per worker.
//!
//! ```text
//!            ┌──────────── one worker process (owns a Tesseract engine and an ONNX session) ────────────┐
//! document ─►│ read + detect ─► pages ─► OCR / text layer ─► tag (BiLSTM) ─► resolve fields (docex-fields) │─► result
//!            └───────────────────────────────────────────────────────────────────────────────────────────┘
//! ```
//!
//! [`Pipeline`] is the stages; [`SingleWorker`] is their engines on one thread,
//! reused from document to document. Batch runs put a process boundary around it
//! (`docex-batch`): `docex extract` and `docex watch` hand documents to `docex worker`
//! processes, so a crash or a runaway document costs that document only, and keep
//! the manifest of what is done (and the rows of the output tables).
//! [`SingleWorker::explain`] runs one document in-process and keeps what the
//! stages saw (page text, word boxes, the images OCR read) for `docex explain`.

mod config;
mod route;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use docex_core::{DocumentResult, Extraction, InputDoc, Page, TaggedSpan};
use docex_ingest::{Limits, Ocr, OcrConfig, PageInput};
use docex_normalize::DateOrder;
use docex_paddle::{PaddleError, PaddleOcr};
use docex_tagger::{Model, Runtime, Tagger, TaggerError};
use image::GrayImage;
use thiserror::Error;
use tracing::debug;

pub use config::{LimitsSection, LocaleSection, OcrEngine, OcrSection, PipelineConfig};
pub use docex_fields::Locale;
use docex_fields::{resolve, resolve_traced, Trace};
pub use route::{route, Route};

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
    #[error(transparent)]
    Model(#[from] TaggerError),
    /// The worker pool could not start.
    #[error("thread pool: {0}")]
    Pool(String),
    /// A lexicon of the field layer is broken (`crates/docex-fields/lexicons/`).
    #[error("{0}")]
    Lexicon(String),
    /// The PP-OCR models are missing or do not load.
    #[error(transparent)]
    Paddle(#[from] PaddleError),
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
        let page_segmentation =
            self.ocr
                .page_segmentation()
                .map_err(|reason| PipelineError::Config {
                    path: PathBuf::from(&self.name),
                    reason,
                })?;
        docex_fields::lexicon::check().map_err(|e| PipelineError::Lexicon(e.to_string()))?;
        let model = Arc::new(Model::load(&models_dir.join(&self.model))?);
        model.check(&runtime)?;
        docex_tagger::log_provider(&runtime, &model);
        Ok(Pipeline {
            model,
            runtime,
            engine: self.ocr.engine,
            paddle: None,
            paddle_loaded: Mutex::new(None),
            ocr: OcrConfig {
                lang: self.ocr.lang,
                datapath: None,
                page_segmentation,
            },
            limits: Limits {
                max_pixels: self.limits.max_megapixels * 1_000_000,
                max_pages: self.limits.max_pages,
                max_pdf_content_bytes: self.limits.max_pdf_content_mb.saturating_mul(1 << 20),
                max_pdf_stream_bytes: self.limits.max_pdf_stream_mb.saturating_mul(1 << 20),
                max_pdf_inflated_bytes: self.limits.max_pdf_inflated_mb.saturating_mul(1 << 20),
                max_document_pixels: self
                    .limits
                    .max_document_megapixels
                    .saturating_mul(1_000_000),
            },
            pdf_password: None,
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
    engine: OcrEngine,
    /// The PP-OCR models, once [`Pipeline::set_ocr`] found them.
    paddle: Option<docex_paddle::Models>,
    /// The PP-OCR [`Pipeline::set_ocr`] loaded to check the models, kept for the
    /// first worker thread that reads a page with it (not loaded twice).
    paddle_loaded: Mutex<Option<PaddleOcr>>,
    ocr: OcrConfig,
    limits: Limits,
    pdf_password: Option<String>,
    locale: Locale,
}

/// Stack of a worker thread: lopdf stops nesting at 100 levels, but a debug build
/// needs more than rayon's default 2 MiB to get there.
const WORKER_STACK: usize = 8 << 20;

/// The engines one worker thread owns, each created on first use and reused.
#[derive(Default)]
struct Worker {
    ocr: Option<Ocr>,
    paddle: Option<PaddleOcr>,
    tagger: Option<Tagger>,
}

/// The worker's engines, on the one thread of its pool (the lock is never contended;
/// it only makes the slot shareable with that thread).
struct Workers(Mutex<Option<Worker>>);

impl Pipeline {
    /// The tagger model's name.
    pub fn model_name(&self) -> &str {
        self.model.name()
    }

    /// Replaces the page and pixel limits of the pipeline file.
    pub fn set_limits(&mut self, max_pages: Option<usize>, max_megapixels: Option<u64>) {
        if let Some(p) = max_pages {
            self.limits.max_pages = p;
        }
        if let Some(mp) = max_megapixels {
            self.limits.max_pixels = mp.saturating_mul(1_000_000);
        }
    }

    /// The OCR engine (`engine` overrides the pipeline file's `[ocr] engine`), and
    /// the folder of the PP-OCR models. Where PP-OCR may read pages (`auto`,
    /// `paddle`) its models are checked here: missing or broken models fail the
    /// run at its start, not each document.
    pub fn set_ocr(
        &mut self,
        engine: Option<OcrEngine>,
        paddle_dir: &Path,
    ) -> Result<(), PipelineError> {
        if let Some(engine) = engine {
            self.engine = engine;
        }
        self.paddle = None;
        let mut loaded = None;
        if self.engine != OcrEngine::Tesseract {
            let models = docex_paddle::Models::locate(paddle_dir)?;
            // loads the three models: a broken file fails here
            loaded = Some(PaddleOcr::new(&models, || self.session_builder())?);
            self.paddle = Some(models);
        }
        *self
            .paddle_loaded
            .get_mut()
            .unwrap_or_else(|e| e.into_inner()) = loaded;
        Ok(())
    }

    /// The OCR engine in use.
    pub fn ocr_engine(&self) -> OcrEngine {
        self.engine
    }

    fn session_builder(&self) -> Result<ort::session::builder::SessionBuilder, String> {
        self.runtime.session_builder().map_err(|e| e.to_string())
    }

    /// The password tried on encrypted PDFs (the user, or "open", password).
    pub fn set_pdf_password(&mut self, password: Option<String>) {
        self.pdf_password = password;
    }

    /// Engines for one document at a time on the calling thread: what a worker
    /// process runs (pages of a document are then recognised one after another).
    pub fn single_worker(&self) -> Result<SingleWorker<'_>, PipelineError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "docex-worker".into())
            .stack_size(WORKER_STACK)
            .build()
            .map_err(|e| PipelineError::Pool(e.to_string()))?;
        Ok(SingleWorker {
            pipeline: self,
            pool,
            workers: Workers(Mutex::new(None)),
        })
    }

    /// One document, start to end; any failure becomes the result's error.
    fn process(&self, doc: &InputDoc, workers: &Workers) -> DocumentResult {
        // the stages' log lines (an empty page's warning) name the document
        let _span = tracing::warn_span!("document", name = %doc.display).entered();
        debug!("start");
        // read once: the hash names exactly the bytes extracted
        let (outcome, content_hash) = match std::fs::read(&doc.path) {
            Ok(bytes) => {
                let hash = docex_core::hash_bytes(&bytes);
                let outcome = self.extract(bytes, workers);
                (outcome.map_err(|e| one_line(e.as_ref())), Some(hash))
            }
            Err(e) => (Err(one_line(&e)), None),
        };
        DocumentResult {
            document: doc.display.clone(),
            outcome,
            content_hash,
        }
    }

    fn extract(&self, bytes: Vec<u8>, workers: &Workers) -> Result<Extraction, BoxError> {
        let (pages, _) = self.pages(bytes, workers, false)?;
        Ok(resolve(&pages, &self.locale))
    }

    /// Every page's text and tags, and with `keep_images` the images OCR read. Pages
    /// are read one at a time, each recognised before the next is read (the frames
    /// of a TIFF are decoded then), so one page image is held at a time.
    fn pages(
        &self,
        bytes: Vec<u8>,
        workers: &Workers,
        keep_images: bool,
    ) -> Result<(Vec<Tagged>, Vec<Option<GrayImage>>), BoxError> {
        let inputs =
            docex_ingest::open_document_with(&bytes, &self.limits, self.pdf_password.as_deref())?;
        let mut pages = Vec::new();
        for (i, input) in inputs.enumerate() {
            let (page, image) = self.page(i + 1, input?, workers, keep_images)?;
            let spans = self.tag(&page, workers)?;
            pages.push(((page, spans), image));
        }
        Ok(pages.into_iter().unzip())
    }

    /// Every page's text, as [`Pipeline::pages`] reads it, without tagging.
    fn read(&self, bytes: Vec<u8>, workers: &Workers) -> Result<Vec<Page>, BoxError> {
        let inputs =
            docex_ingest::open_document_with(&bytes, &self.limits, self.pdf_password.as_deref())?;
        let mut pages = Vec::new();
        for (i, input) in inputs.enumerate() {
            pages.push(self.page(i + 1, input?, workers, false)?.0);
        }
        Ok(pages)
    }

    /// The current worker's tagger on one page's text (created on first use).
    fn tag(&self, page: &Page, workers: &Workers) -> Result<Vec<TaggedSpan>, BoxError> {
        let mut guard = workers.0.lock().unwrap_or_else(|p| p.into_inner());
        let worker = guard.get_or_insert_with(Worker::default);
        if worker.tagger.is_none() {
            worker.tagger = Some(self.model.tagger(&self.runtime)?);
        }
        let tagger = worker.tagger.as_mut().expect("tagger was just created");
        Ok(tagger.tag(&page.text)?)
    }

    /// Text (by OCR if needed) of one page, on the current worker's engines; with
    /// `keep_image`, the image OCR read too.
    fn page(
        &self,
        number: usize,
        input: PageInput,
        workers: &Workers,
        keep_image: bool,
    ) -> Result<(Page, Option<GrayImage>), BoxError> {
        let mut guard = workers.0.lock().unwrap_or_else(|p| p.into_inner());
        let worker = guard.get_or_insert_with(Worker::default);
        let (page, image) = match input {
            PageInput::Text {
                text,
                words,
                extractor,
                size,
            } => {
                let mut page = docex_ingest::text_page(number, text, words, extractor);
                page.size = size;
                (page, None)
            }
            PageInput::Image {
                image,
                dpi,
                extractor,
                text_layer,
            } => {
                let (page, image) = match (self.engine, &self.paddle) {
                    (OcrEngine::Tesseract, _) | (_, None) => {
                        self.tesseract(worker, number, image, dpi, extractor)?
                    }
                    (OcrEngine::Paddle, Some(models)) => {
                        self.pp_ocr(worker, models, number, image, extractor)?
                    }
                    (OcrEngine::Auto, Some(models)) => match route(&image, dpi) {
                        Route::Tesseract => {
                            self.tesseract(worker, number, image, dpi, extractor)?
                        }
                        Route::Paddle => self.pp_ocr(worker, models, number, image, extractor)?,
                    },
                };
                let page = match text_layer {
                    Some(layer) => docex_ingest::with_text_layer(page, &layer),
                    None => page,
                };
                (page, keep_image.then_some(image))
            }
        };
        Ok((page, image))
    }
}

impl Pipeline {
    /// One page image read by the worker's Tesseract (started on first use).
    fn tesseract(
        &self,
        worker: &mut Worker,
        number: usize,
        image: GrayImage,
        dpi: Option<u32>,
        extractor: docex_core::Extractor,
    ) -> Result<(Page, GrayImage), BoxError> {
        if worker.ocr.is_none() {
            worker.ocr = Some(Ocr::new(&self.ocr)?);
        }
        let ocr = worker.ocr.as_mut().expect("engine was just created");
        Ok(ocr
            .recognize_upright(number, image, dpi, extractor)
            .map_err(|e| page_error(number, e))?)
    }

    /// One page image read by the worker's PP-OCR (started on first use).
    fn pp_ocr(
        &self,
        worker: &mut Worker,
        models: &docex_paddle::Models,
        number: usize,
        image: GrayImage,
        extractor: docex_core::Extractor,
    ) -> Result<(Page, GrayImage), BoxError> {
        if worker.paddle.is_none() {
            let checked = self
                .paddle_loaded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            worker.paddle = Some(match checked {
                Some(ocr) => ocr,
                None => PaddleOcr::new(models, || self.session_builder())?,
            });
        }
        let ocr = worker.paddle.as_mut().expect("engine was just created");
        Ok(ocr
            .recognize_upright(number, image, extractor)
            .map_err(|e| page_error(number, e))?)
    }
}

/// A pipeline's engines on one thread, reused from document to document.
pub struct SingleWorker<'a> {
    pipeline: &'a Pipeline,
    pool: rayon::ThreadPool,
    workers: Workers,
}

impl std::fmt::Debug for SingleWorker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SingleWorker")
    }
}

impl SingleWorker<'_> {
    /// One document, start to end.
    pub fn process(&self, doc: &InputDoc) -> DocumentResult {
        self.pool
            .install(|| self.pipeline.process(doc, &self.workers))
    }

    /// One document's pages as the pipeline reads them (text layer, or OCR of the
    /// page images), without tagging: what `docex text` prints. Fails with the same
    /// one-line reason as the document's error row.
    pub fn read(&self, doc: &InputDoc) -> Result<Vec<Page>, String> {
        let pages = self.pool.install(|| -> Result<Vec<Page>, BoxError> {
            let bytes = std::fs::read(&doc.path)?;
            self.pipeline.read(bytes, &self.workers)
        });
        pages.map_err(|e| one_line(e.as_ref()))
    }

    /// One document with what the stages saw on the way (for `docex explain`): its
    /// pages and the images OCR read, besides the extraction. Fails with the same
    /// one-line reason as the document's error row.
    pub fn explain(&self, doc: &InputDoc) -> Result<Explained, String> {
        let explained = self.pool.install(|| -> Result<Explained, BoxError> {
            let bytes = std::fs::read(&doc.path)?;
            let (pages, images) = self.pipeline.pages(bytes, &self.workers, true)?;
            let (extraction, trace) = resolve_traced(&pages, &self.pipeline.locale);
            let pages = pages
                .into_iter()
                .zip(images)
                .map(|((page, _), image)| {
                    let image = image.map(|i| PageImage::of(&i)).transpose()?;
                    Ok(ExplainedPage { page, image })
                })
                .collect::<Result<_, BoxError>>()?;
            Ok(Explained {
                pages,
                extraction,
                trace,
            })
        });
        explained.map_err(|e| one_line(e.as_ref()))
    }
}

/// A document as the pipeline saw it: [`SingleWorker::explain`].
#[derive(Debug, Clone)]
pub struct Explained {
    /// Every page, in order.
    pub pages: Vec<ExplainedPage>,
    /// What was extracted (entity offsets are into the pages' text, boxes in
    /// pixels of their images).
    pub extraction: Extraction,
    /// How each field was chosen (`docex explain --trace`).
    pub trace: Trace,
}

/// One page of an [`Explained`] document.
#[derive(Debug, Clone)]
pub struct ExplainedPage {
    /// The text and words (with boxes when OCR'd).
    pub page: Page,
    /// The image OCR read, for OCR'd pages: word and entity boxes are in its pixels.
    pub image: Option<PageImage>,
}

/// A page image, PNG-encoded.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// The PNG file.
    pub png: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl PageImage {
    fn of(image: &GrayImage) -> Result<PageImage, image::ImageError> {
        let mut png = Vec::new();
        image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
        Ok(PageImage {
            png,
            width: image.width(),
            height: image.height(),
        })
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A page and the spans the tagger labelled on it.
type Tagged = (Page, Vec<TaggedSpan>);

/// A page's error as a document error names it, whichever engine failed.
fn page_error(number: usize, e: impl std::fmt::Display) -> String {
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
