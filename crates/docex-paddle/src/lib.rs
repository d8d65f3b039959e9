//! PP-OCR on ONNX Runtime: PaddleOCR's text detection, line orientation and text
//! recognition models, run by the process's own ONNX Runtime.
//!
//! ```text
//! page image ─► detect lines (DB, det.rs) ─► sideways / upside down? (boxes' shape, cls.rs) ─► turn, detect again
//!            ─► cut each line out upright ─► recognise in batches (CTC, rec.rs) ─► rows, words, boxes (layout.rs)
//! ```
//!
//! The models are PP-OCRv6 small detection and recognition and the mobile v2.0
//! orientation classifier, as the PyPI wheel `rapidocr` 3.10.0 ships them
//! (Apache-2.0); `scripts/setup.sh` installs them ([`MODEL_FILES`]). The
//! recognition dictionary is the model's own `character` metadata. One
//! [`PaddleOcr`] per worker thread: ONNX Runtime sessions run one call at a time.

mod cls;
pub mod det;
pub mod geom;
pub mod head;
mod layout;
pub mod rec;

use std::path::{Path, PathBuf};

use docex_core::{Extractor, Page};
use image::{imageops, GrayImage};
use ort::ep;
use ort::session::builder::SessionBuilder;
use ort::session::Session;
use ort::value::Tensor;
use thiserror::Error;
use tracing::debug;

use crate::det::TextBox;
use crate::layout::Read;

/// The model files, each with its SHA-256 (as unpacked from `rapidocr` 3.10.0).
pub const MODEL_FILES: [(&str, &str); 3] = [
    (
        DET_FILE,
        "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    ),
    (
        REC_FILE,
        "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
    ),
    (
        CLS_FILE,
        "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    ),
];
const DET_FILE: &str = "PP-OCRv6_det_small.onnx";
const REC_FILE: &str = "PP-OCRv6_rec_small.onnx";
const CLS_FILE: &str = "ch_ppocr_mobile_v2.0_cls_mobile.onnx";

/// A recognised line below this mean character probability is dropped (PP-OCR's
/// `text_score`).
const TEXT_SCORE: f32 = 0.5;
/// Lines the orientation classifier looks at on a page (the widest ones).
const ORIENTATION_SAMPLE: usize = 12;
/// An image smaller than this on either side holds no readable text line.
const MIN_SIDE: u32 = 8;

/// What can go wrong.
#[derive(Debug, Error)]
pub enum PaddleError {
    /// A model file is not installed.
    #[error("PP-OCR model {path} is missing: run scripts/setup.sh (it installs the models from the rapidocr wheel)")]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// A model does not load, or gives output of an unexpected shape.
    #[error("PP-OCR model: {0}")]
    Model(String),
    /// ONNX Runtime failed.
    #[error("ONNX Runtime: {0}")]
    Ort(#[from] ort::Error),
}

/// Where the three model files are.
#[derive(Debug, Clone)]
pub struct Models {
    dir: PathBuf,
}

impl Models {
    /// The models in `dir`; an error naming the first file missing.
    pub fn locate(dir: &Path) -> Result<Models, PaddleError> {
        for (file, _) in MODEL_FILES {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(PaddleError::Missing { path });
            }
        }
        Ok(Models {
            dir: dir.to_owned(),
        })
    }
}

/// One worker's PP-OCR: its three sessions and the recognition dictionary.
pub struct PaddleOcr {
    det: Session,
    rec: Session,
    cls: Session,
    dict: rec::Dictionary,
}

impl std::fmt::Debug for PaddleOcr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PaddleOcr")
    }
}

impl PaddleOcr {
    /// Starts the three sessions, each from a builder `builder` gives (the process's
    /// runtime and execution provider).
    pub fn new(
        models: &Models,
        mut builder: impl FnMut() -> Result<SessionBuilder, String>,
    ) -> Result<PaddleOcr, PaddleError> {
        let head = head::narrowed(&models.dir.join(REC_FILE))?;
        let mut open = |file: &str, head: Option<&head::Head>| -> Result<Session, PaddleError> {
            let path = models.dir.join(file);
            let model = |e: ort::Error<SessionBuilder>| PaddleError::Model(e.to_string());
            let mut b = builder().map_err(PaddleError::Model)?;
            if let Some(h) = head {
                let classes = h.dict.len() as i64;
                let weight = Tensor::from_array(([h.hidden as i64, classes], h.weight.1.clone()))?;
                let bias = Tensor::from_array(([classes], h.bias.1.clone()))?;
                b = b
                    .with_initializer(&h.weight.0, weight.into_dyn())
                    .map_err(model)?
                    .with_initializer(&h.bias.0, bias.into_dyn())
                    .map_err(model)?;
            }
            b
                // the inputs' sizes change from page to page and line to line: no
                // memory patterns, and no CPU arena, which keeps the largest
                // input's buffers for the life of the worker
                .with_memory_pattern(false)
                .map_err(model)?
                .with_execution_providers([ep::CPU::default().build()])
                .map_err(model)?
                .commit_from_file(&path)
                .map_err(|e| PaddleError::Model(format!("{}: {e}", path.display())))
        };
        let det = open(DET_FILE, None)?;
        let rec = open(REC_FILE, Some(&head))?;
        let cls = open(CLS_FILE, None)?;
        let dict = head.dict;
        Ok(PaddleOcr {
            det,
            rec,
            cls,
            dict,
        })
    }

    /// Recognises a page image the right way up: a sideways page (most lines
    /// taller than wide) or an upside-down one (the orientation classifier on its
    /// widest lines) is turned and read again. Returns the page, word boxes in pixels
    /// of the image returned (`image`, or `image` turned).
    pub fn recognize_upright(
        &mut self,
        number: usize,
        image: GrayImage,
        extractor: Extractor,
    ) -> Result<(Page, GrayImage), PaddleError> {
        let empty = |image| {
            Ok((
                Page {
                    number,
                    text: String::new(),
                    words: Vec::new(),
                    extractor,
                    size: None,
                },
                image,
            ))
        };
        if image.width() < MIN_SIDE || image.height() < MIN_SIDE {
            return empty(image);
        }
        let mut image = image;
        let started = std::time::Instant::now();
        let mut boxes = det::detect(&mut self.det, &image)?;
        let detected = started.elapsed();
        if let Some(turn) = self.turn(&image, &boxes)? {
            debug!(page = number, ?turn, "page read turned");
            image = turn.apply(&image);
            boxes = det::detect(&mut self.det, &image)?;
        }
        if boxes.is_empty() {
            return empty(image);
        }
        let turned = started.elapsed();
        let crops: Vec<GrayImage> = boxes.iter().map(|b| rec::crop(&image, b)).collect();
        let lines = rec::recognize(&mut self.rec, &self.dict, &crops)?;
        debug!(
            page = number,
            lines = lines.len(),
            detect_ms = detected.as_millis(),
            orientation_ms = (turned - detected).as_millis(),
            recognize_ms = (started.elapsed() - turned).as_millis(),
            "pp-ocr page"
        );
        let reads = boxes
            .into_iter()
            .zip(lines)
            .filter(|(_, l)| !l.text.trim().is_empty() && l.confidence() >= TEXT_SCORE)
            .map(|(area, line)| Read { area, line })
            .collect();
        let (text, words) = layout::page_text(reads);
        Ok((
            Page {
                number,
                text,
                words,
                extractor,
                size: None,
            },
            image,
        ))
    }

    /// How the page must be turned to read upright, judged from its detected lines.
    fn turn(&mut self, image: &GrayImage, boxes: &[TextBox]) -> Result<Option<Turn>, PaddleError> {
        if boxes.len() < 3 {
            return Ok(None);
        }
        let tall: Vec<&TextBox> = boxes
            .iter()
            .filter(|b| b.height() >= 1.5 * b.width())
            .collect();
        let sideways = tall.len() * 2 > boxes.len();
        let mut sample: Vec<&TextBox> = if sideways {
            tall
        } else {
            boxes.iter().collect()
        };
        // the longest lines say the most
        sample.sort_by(|a, b| {
            let len = |t: &TextBox| t.width().max(t.height());
            len(b).total_cmp(&len(a))
        });
        sample.truncate(ORIENTATION_SAMPLE);
        // crops of tall boxes come out turned a quarter anticlockwise
        let crops: Vec<GrayImage> = sample.iter().map(|b| rec::crop(image, b)).collect();
        let refs: Vec<&GrayImage> = crops.iter().collect();
        let flipped = cls::upside_down(&mut self.cls, &refs)?;
        let sure_flipped = flipped.iter().filter(|&&p| p >= cls::SURE).count();
        let sure_upright = flipped.iter().filter(|&&p| p <= 1.0 - cls::SURE).count();
        let upside_down = sure_flipped > sure_upright;
        Ok(match (sideways, upside_down) {
            (false, false) => None,
            (false, true) => Some(Turn::Half),
            // a line read upright after a quarter turn anticlockwise
            (true, false) => Some(Turn::ThreeQuarters),
            (true, true) => Some(Turn::Quarter),
        })
    }
}

/// A clockwise turn of a page image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Quarter,
    Half,
    ThreeQuarters,
}

impl Turn {
    fn apply(self, image: &GrayImage) -> GrayImage {
        match self {
            Turn::Quarter => imageops::rotate90(image),
            Turn::Half => imageops::rotate180(image),
            Turn::ThreeQuarters => imageops::rotate270(image),
        }
    }
}
