//! Pipeline definitions (`pipelines/*.toml`): which model, OCR language, locale
//! defaults and limits. [`PipelineConfig`] is the file; [`PipelineConfig::build`]
//! validates it into the runtime [`Pipeline`](crate::Pipeline).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::PipelineError;

/// A pipeline definition as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Name shown in logs.
    pub name: String,
    /// Model folder name under the models directory (e.g. `docex-tagger-v2`).
    pub model: String,
    /// OCR settings.
    #[serde(default)]
    pub ocr: OcrSection,
    /// Locale defaults, used when a document gives no evidence.
    #[serde(default)]
    pub locale: LocaleSection,
    /// Per-document limits.
    #[serde(default)]
    pub limits: LimitsSection,
}

/// Which OCR engine reads page images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OcrEngine {
    /// Each page by the routing rule of [`crate::route`]: receipts and photos to
    /// PP-OCR, page-like scans to Tesseract.
    #[default]
    Auto,
    /// Tesseract for every page.
    Tesseract,
    /// PP-OCR for every page.
    Paddle,
}

impl OcrEngine {
    /// The name in pipeline files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OcrEngine::Auto => "auto",
            OcrEngine::Tesseract => "tesseract",
            OcrEngine::Paddle => "paddle",
        }
    }
}

/// `[ocr]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrSection {
    /// Which engine reads page images: `auto` (the default), `tesseract` or `paddle`.
    #[serde(default)]
    pub engine: OcrEngine,
    /// Tesseract language(s), e.g. `eng` or `eng+deu`.
    pub lang: String,
    /// Tesseract's page segmentation mode, as `tesseract --psm` numbers it.
    #[serde(default = "default_psm")]
    pub page_segmentation: u8,
}

fn default_psm() -> u8 {
    docex_ingest::OcrConfig::default().page_segmentation
}

impl Default for OcrSection {
    fn default() -> Self {
        OcrSection {
            engine: OcrEngine::default(),
            lang: "eng".into(),
            page_segmentation: default_psm(),
        }
    }
}

impl OcrSection {
    /// The page segmentation mode, if it is one that recognises text: 0 (orientation
    /// only) and 2 (layout only) do not, and Tesseract knows none above 13.
    pub fn page_segmentation(&self) -> Result<u8, String> {
        match self.page_segmentation {
            psm @ (1 | 3..=13) => Ok(psm),
            other => Err(format!(
                "ocr.page_segmentation must be a tesseract --psm that reads text (1, 3 to 13), not {other}"
            )),
        }
    }
}

/// `[locale]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocaleSection {
    /// `day-first` or `month-first` for numeric dates no document evidence decides.
    pub date_order: Option<String>,
    /// ISO 4217 code for amounts with no currency mark anywhere in the document.
    pub currency: Option<String>,
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    /// Largest page image, in megapixels.
    pub max_megapixels: u64,
    /// Most pages per document.
    pub max_pages: usize,
    /// Most megapixels of page images per document, all pages together.
    #[serde(default = "default_document_megapixels")]
    pub max_document_megapixels: u64,
    /// Longest time one document may take, in seconds, before its worker process
    /// is killed and the document is quarantined.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Most resident memory one worker process may use, in MB, before it is killed
    /// and its document quarantined.
    #[serde(default = "default_max_memory_mb")]
    pub max_memory_mb: u64,
    /// Most megabytes the content of one PDF page (its content streams and the
    /// forms it draws) may inflate to.
    #[serde(default = "default_pdf_content_mb")]
    pub max_pdf_content_mb: u64,
    /// Most megabytes any other PDF stream (font, object stream) may inflate to;
    /// an image may inflate to what its declared size needs.
    #[serde(default = "default_pdf_stream_mb")]
    pub max_pdf_stream_mb: u64,
    /// Most megabytes all the streams of one PDF may inflate to together.
    #[serde(default = "default_pdf_inflated_mb")]
    pub max_pdf_inflated_mb: u64,
}

/// 4 GB: the largest page the pixel limit lets through (250 MP) peaks at about
/// 860 MB, real contracts of up to 3.6 MB at 70 to 125 MB (measured, see README).
fn default_max_memory_mb() -> u64 {
    4096
}

fn default_pdf_content_mb() -> u64 {
    docex_ingest::Limits::default().max_pdf_content_bytes >> 20
}

fn default_pdf_stream_mb() -> u64 {
    docex_ingest::Limits::default().max_pdf_stream_bytes >> 20
}

fn default_pdf_inflated_mb() -> u64 {
    docex_ingest::Limits::default().max_pdf_inflated_bytes >> 20
}

fn default_timeout() -> u64 {
    300
}

fn default_document_megapixels() -> u64 {
    2000
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_megapixels: 250,
            max_pages: 2000,
            max_document_megapixels: default_document_megapixels(),
            timeout_seconds: default_timeout(),
            max_memory_mb: default_max_memory_mb(),
            max_pdf_content_mb: default_pdf_content_mb(),
            max_pdf_stream_mb: default_pdf_stream_mb(),
            max_pdf_inflated_mb: default_pdf_inflated_mb(),
        }
    }
}

impl PipelineConfig {
    /// Reads a pipeline file.
    pub fn load(path: &Path) -> Result<PipelineConfig, PipelineError> {
        let text = std::fs::read_to_string(path).map_err(|e| PipelineError::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| PipelineError::Config {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }

    /// Resolves `--pipeline`: a path to a `.toml` file, or a name under `dir`.
    pub fn resolve(name_or_file: &str, dir: &Path) -> PathBuf {
        let p = Path::new(name_or_file);
        if p.extension().is_some_and(|e| e == "toml") || p.components().count() > 1 {
            p.to_owned()
        } else {
            dir.join(format!("{name_or_file}.toml"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected() {
        let bad = "name = \"x\"\nmodel = \"m\"\n[locale]\ndate_ordr = \"day-first\"\n";
        assert!(toml::from_str::<PipelineConfig>(bad).is_err());
        let good = "name = \"x\"\nmodel = \"m\"\n[locale]\ndate_order = \"day-first\"\n";
        let c: PipelineConfig = toml::from_str(good).unwrap();
        assert_eq!(c.locale.date_order.as_deref(), Some("day-first"));
        assert_eq!(c.ocr.lang, "eng");
        assert_eq!(c.ocr.page_segmentation(), Ok(6));
    }

    #[test]
    fn page_segmentation_modes_that_read_no_text_are_refused() {
        let psm = |n: u8| {
            let text = format!(
                "name = \"x\"\nmodel = \"m\"\n[ocr]\nlang = \"eng\"\npage_segmentation = {n}\n"
            );
            toml::from_str::<PipelineConfig>(&text)
                .unwrap()
                .ocr
                .page_segmentation()
        };
        assert_eq!(psm(3), Ok(3));
        assert_eq!(psm(11), Ok(11));
        for bad in [0, 2, 14] {
            assert!(psm(bad).unwrap_err().contains("page_segmentation"), "{bad}");
        }
    }

    #[test]
    fn shipped_pipelines_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pipelines");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                PipelineConfig::load(&path).unwrap();
                n += 1;
            }
        }
        assert!(n >= 1);
    }
}
