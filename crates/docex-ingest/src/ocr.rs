//! Tesseract through leptess: one engine per worker, images handed over as raw pixels.

use std::panic::{self, AssertUnwindSafe};

use docex_core::{BBox, Extractor, Page, Word};
use image::{imageops, GrayImage};
use leptess::tesseract::TessApi;
use tracing::debug;

use crate::IngestError;

/// DPI assumed for images that do not say (most office scans are 200–300 DPI).
const FALLBACK_DPI: u32 = 300;

/// Which Tesseract to start.
#[derive(Debug, Clone)]
pub struct OcrConfig {
    /// Tesseract language(s), e.g. `eng` or `eng+deu`.
    pub lang: String,
    /// Folder of `*.traineddata`; `None` for the system's.
    pub datapath: Option<String>,
    /// Tesseract's page segmentation mode, numbered as `tesseract --psm` numbers it:
    /// 3 finds blocks and columns (the `tesseract` command's default), 4 reads one
    /// column of lines, 6 one uniform block, 11 scattered text. docex uses 6, the
    /// library's default: on the receipts of the dev set it keeps a label and its
    /// amount on one line, where 3 splits them into columns (vendor 0.53 vs 0.44,
    /// date 0.85 vs 0.79; invoices and contracts are text and unaffected).
    pub page_segmentation: u8,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            lang: "eng".into(),
            datapath: None,
            page_segmentation: 6,
        }
    }
}

/// A Tesseract engine, created once per worker thread and reused for every page.
pub struct Ocr {
    api: TessApi,
}

impl std::fmt::Debug for Ocr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ocr")
    }
}

impl Ocr {
    /// Starts Tesseract with the configured language data.
    pub fn new(config: &OcrConfig) -> Result<Ocr, IngestError> {
        let api = TessApi::new(config.datapath.as_deref(), &config.lang).map_err(|_| {
            IngestError::OcrInit {
                lang: config.lang.clone(),
            }
        })?;
        // Tesseract's diagnostics ("Image too small to scale!!") go to stderr, one per
        // speck of noise; they say nothing to a user and drown docex's own log.
        let mut api = api;
        if set(&mut api, "debug_file", "/dev/null").is_err() {
            tracing::debug!("tesseract: could not silence debug output");
        }
        let psm = config.page_segmentation.to_string();
        set(&mut api, "tessedit_pageseg_mode", &psm).map_err(|_| IngestError::OcrSetting {
            name: "tessedit_pageseg_mode",
            value: psm.clone(),
        })?;
        Ok(Ocr { api })
    }

    /// Recognises one page image: its text (lines joined by `\n`) and every word's box
    /// (in pixels of `image`) and confidence.
    pub fn recognize(
        &mut self,
        number: usize,
        image: &GrayImage,
        dpi: Option<u32>,
        extractor: Extractor,
    ) -> Result<Page, IngestError> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(IngestError::Ocr("empty image".into()));
        }
        self.api
            .raw
            .set_image(image.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(|e| IngestError::Ocr(format!("{e:?}")))?;
        self.api.set_source_resolution(effective_dpi(dpi) as i32);
        let tsv = panic::catch_unwind(AssertUnwindSafe(|| self.api.get_tsv_text(0)))
            .map_err(|_| IngestError::Ocr("Tesseract returned no result".into()))?
            .map_err(|e| IngestError::Ocr(e.to_string()))?;
        let (text, words) = parse_tsv(&tsv);
        Ok(Page {
            number,
            text,
            words,
            extractor,
            size: None,
        })
    }
}

impl Ocr {
    /// Recognises a page image the right way up: when the first reading is poor
    /// ([`Reading::poor`]: what Tesseract makes of a sideways or upside-down scan), a
    /// copy at most [`PROBE_SIDE`] pixels long is read turned a quarter, three quarters
    /// and half way round, and the page is read again turned the way that reads best,
    /// if one reads better. Returns the page and the image its word boxes are in
    /// (`image`, or `image` turned). A page that reads well costs one recognition.
    pub fn recognize_upright(
        &mut self,
        number: usize,
        image: GrayImage,
        dpi: Option<u32>,
        extractor: Extractor,
    ) -> Result<(Page, GrayImage), IngestError> {
        let page = self.recognize(number, &image, dpi, extractor)?;
        let first = Reading::of(&page);
        if !first.poor() {
            return Ok((page, image));
        }
        let Some(turn) = self.better_turn(&image, dpi, first) else {
            return Ok((page, image));
        };
        let turned = turn.apply(&image);
        let again = self.recognize(number, &turned, dpi, extractor)?;
        let second = Reading::of(&again);
        debug!(page = number, ?turn, ?first, ?second, "page read turned");
        if second.sure > first.sure {
            Ok((again, turned))
        } else {
            Ok((page, image))
        }
    }

    /// The turn under which a small copy of `image` reads better than `upright` did.
    fn better_turn(
        &mut self,
        image: &GrayImage,
        dpi: Option<u32>,
        upright: Reading,
    ) -> Option<Turn> {
        let (w, h) = image.dimensions();
        let scale = (PROBE_SIDE as f32 / w.max(h) as f32).min(1.0);
        let small = if scale < 1.0 {
            let size = |n: u32| ((n as f32 * scale).round() as u32).max(1);
            imageops::resize(image, size(w), size(h), imageops::FilterType::Triangle)
        } else {
            image.clone()
        };
        // the copy's resolution, kept where Tesseract takes it as given
        let dpi = ((effective_dpi(dpi) as f32 * scale).round() as u32).max(70);
        let mut best: Option<(Turn, Reading)> = None;
        // Lines across a sideways page come out as words taller than wide; an
        // upside-down page keeps its lines level.
        let turns = if upright.tall * 2 > upright.words {
            [Turn::Quarter, Turn::ThreeQuarters, Turn::Half]
        } else {
            [Turn::Half, Turn::Quarter, Turn::ThreeQuarters]
        };
        for turn in turns {
            let Ok(page) = self.recognize(0, &turn.apply(&small), Some(dpi), Extractor::ImageOcr)
            else {
                continue;
            };
            let reading = Reading::of(&page);
            debug!(?turn, ?reading, "orientation probe");
            if reading.sure < MIN_SURE || reading.sure <= upright.sure {
                continue;
            }
            if !reading.poor() {
                return Some(turn);
            }
            if best.is_none_or(|(_, b)| reading.sure > b.sure) {
                best = Some((turn, reading));
            }
        }
        best.map(|(turn, _)| turn)
    }
}

/// The longer side, in pixels, of the copy read to find a page's orientation: about
/// 140 dpi on A4, where the sample scans read nearly as well as at full size.
const PROBE_SIDE: u32 = 1600;

/// Fewest sure words ([`Reading`]) for a turned page to be taken as the right way up.
const MIN_SURE: usize = 3;

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

/// How well a page read: its words, the sure ones among them (confidence 80 % or
/// more, three or more letters or digits), and those whose box is taller than wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    words: usize,
    sure: usize,
    tall: usize,
}

impl Reading {
    fn of(page: &Page) -> Reading {
        let chars: Vec<char> = page.text.chars().collect();
        let sure = page
            .words
            .iter()
            .filter(|w| w.confidence.is_some_and(|c| c >= 0.8))
            .filter(|w| {
                chars
                    .get(w.start..w.end)
                    .is_some_and(|t| t.iter().filter(|c| c.is_alphanumeric()).count() >= 3)
            })
            .count();
        let tall = page
            .words
            .iter()
            .filter(|w| w.bbox.is_some_and(|b| b.height > b.width))
            .count();
        Reading {
            words: page.words.len(),
            sure,
            tall,
        }
    }

    /// Fewer than a sixth of the words are sure ones. On the sample scans over 80 %
    /// are sure upright and under 15 % turned a quarter or half way; on 28 SROIE
    /// receipts (faded thermal paper) 20 % to 60 % upright, and 0 % to 4 % on 12 of
    /// them turned a quarter, half or three quarters. Half, the first threshold, sent
    /// 22 of 30 upright receipts through the three probe readings for nothing.
    fn poor(&self) -> bool {
        self.words > 0 && self.sure * 6 < self.words
    }
}

/// The resolution Tesseract is told: the image's own, or [`FALLBACK_DPI`].
fn effective_dpi(dpi: Option<u32>) -> u32 {
    dpi.filter(|d| (70..=2400).contains(d))
        .unwrap_or(FALLBACK_DPI)
}

/// Sets one Tesseract variable.
fn set(api: &mut TessApi, name: &str, value: &str) -> Result<(), ()> {
    let name = std::ffi::CString::new(name).map_err(drop)?;
    let value = std::ffi::CString::new(value).map_err(drop)?;
    api.raw.set_variable(&name, &value).map_err(drop)
}

/// Builds page text and words from Tesseract's TSV: words of a line joined by one
/// space, lines by `\n` (the same layout the training data was built with).
pub(crate) fn parse_tsv(tsv: &str) -> (String, Vec<Word>) {
    let mut text = String::new();
    let mut words = Vec::new();
    let mut chars = 0usize;
    let mut current_line = None;
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let num = |i: usize| cols[i].parse::<f32>().unwrap_or(0.0);
        let line = (cols[2], cols[3], cols[4]);
        if current_line.is_some() {
            let sep = if current_line == Some(line) {
                ' '
            } else {
                '\n'
            };
            text.push(sep);
            chars += 1;
        }
        current_line = Some(line);
        let len = word.chars().count();
        text.push_str(word);
        let conf = num(10);
        words.push(Word {
            start: chars,
            end: chars + len,
            bbox: Some(BBox {
                x: num(6),
                y: num(7),
                width: num(8),
                height: num(9),
            }),
            confidence: (conf >= 0.0).then_some(conf / 100.0),
        });
        chars += len;
    }
    (text, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_to_lines_and_boxes() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t12\t96.5\tTotal:\n\
                   5\t1\t1\t1\t1\t2\t45\t20\t40\t12\t91\t€12,50\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t30\t12\t88\tThanks\n";
        let (text, words) = parse_tsv(tsv);
        assert_eq!(text, "Total: €12,50\nThanks");
        assert_eq!(words.len(), 3);
        assert_eq!((words[1].start, words[1].end), (7, 13));
        assert_eq!(words[2].bbox.unwrap().y, 40.0);
        assert!((words[0].confidence.unwrap() - 0.965).abs() < 1e-6);
    }
}

#[cfg(test)]
mod page_segmentation {
    use super::*;

    /// The shipped receipt scan, read with the given `--psm`.
    fn read_receipt(psm: u8) -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/documents/receipt.png"
        );
        let bytes = std::fs::read(path).expect("samples/documents/receipt.png");
        let image = image::load_from_memory(&bytes).expect("png").to_luma8();
        let config = OcrConfig {
            page_segmentation: psm,
            ..OcrConfig::default()
        };
        let mut ocr = Ocr::new(&config).expect("tesseract with eng");
        ocr.recognize(1, &image, Some(300), Extractor::ImageOcr)
            .expect("ocr")
            .text
    }

    /// A sideways or upside-down scan reads as the upright one does, and the image
    /// returned (the one its word boxes are in) is the upright one.
    #[test]
    fn turned_receipt_is_read_upright() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../samples/documents/receipt.png"
        );
        let upright = image::open(path).expect("png").to_luma8();
        let mut ocr = Ocr::new(&OcrConfig::default()).expect("tesseract with eng");
        let (page, image) = ocr
            .recognize_upright(1, upright.clone(), Some(200), Extractor::ImageOcr)
            .unwrap();
        assert!(image == upright);
        for turned in [
            imageops::rotate90(&upright),
            imageops::rotate180(&upright),
            imageops::rotate270(&upright),
        ] {
            let (again, image) = ocr
                .recognize_upright(1, turned, Some(200), Extractor::ImageOcr)
                .unwrap();
            assert_eq!(again.text, page.text);
            assert!(image == upright);
        }
    }

    #[test]
    fn receipt_lines_stay_whole_in_the_default_mode_and_the_mode_is_applied() {
        let default = read_receipt(OcrConfig::default().page_segmentation);
        // one block of lines: each item keeps its amount
        for line in ["3 x 17.35 52.05", "CROISSANT 7.50", "TOTAL RM 85.29"] {
            assert!(default.lines().any(|l| l == line), "{line:?} in\n{default}");
        }
        // mode 3 looks for columns and reads this receipt otherwise
        assert_ne!(read_receipt(3), default);
    }
}
