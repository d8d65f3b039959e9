//! Tesseract through leptess: one engine per worker, images handed over as raw pixels.

use std::panic::{self, AssertUnwindSafe};

use docex_core::{BBox, Extractor, Page, Word};
use image::GrayImage;
use leptess::tesseract::TessApi;

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
        let dpi = dpi
            .filter(|d| (70..=2400).contains(d))
            .unwrap_or(FALLBACK_DPI);
        self.api.set_source_resolution(dpi as i32);
        let tsv = panic::catch_unwind(AssertUnwindSafe(|| self.api.get_tsv_text(0)))
            .map_err(|_| IngestError::Ocr("Tesseract returned no result".into()))?
            .map_err(|e| IngestError::Ocr(e.to_string()))?;
        let (text, words) = parse_tsv(&tsv);
        Ok(Page {
            number,
            text,
            words,
            extractor,
        })
    }
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
