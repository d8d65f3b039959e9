//! Bytes to pages: the first stage of docex.
//!
//! ```text
//! file bytes ─► detect (magic bytes) ─► PDF ─► glyphs per page (pdf-extract) ─► words, lines (pdf/layout.rs)
//!                                     │        └─ empty page ─► embedded page image ─┐
//!                                     ├─► PNG / JPEG / TIFF frames ──────────────────┤
//!                                     └─► plain text                                  ▼
//!                                                                     Tesseract (leptess) ─► Page{text, words}
//! ```
//!
//! The boundary sits at [`PageInput`]: reading a file is cheap and sequential,
//! recognising an image is the expensive part, so [`open_document`] hands out the
//! pages still to be recognised, one at a time, and the caller recognises each
//! before asking for the next: the frames of a TIFF and the page images of a PDF
//! are decoded one by one, so one decoded page image is in memory at a time. The
//! [`Ocr`] engine is owned by one worker thread and reused for every page it
//! recognises.

mod detect;
mod error;
#[cfg(test)]
mod fixtures;
mod ocr;
mod pdf;
mod raster;

pub use detect::detect_kind;
pub use error::IngestError;
pub use ocr::{Ocr, OcrConfig};

use docex_core::{Extractor, InputKind, Page, Word};
use image::GrayImage;

/// A page as read from the file: either its text already, or an image to recognise.
#[derive(Debug)]
pub enum PageInput {
    /// Text from a PDF text layer or a plain-text file.
    Text {
        /// The page text.
        text: String,
        /// Its words with their boxes (PDF points from the page's top left), as the
        /// PDF text layer placed them; empty where the source has no geometry (plain
        /// text), and [`text_page`] then takes the whitespace-separated runs.
        words: Vec<Word>,
        /// Where it came from.
        extractor: Extractor,
        /// The page's width and height (PDF points) where `words` have boxes.
        size: Option<(f32, f32)>,
    },
    /// A page image to OCR.
    Image {
        /// 8-bit grayscale pixels.
        image: GrayImage,
        /// Resolution in dots per inch, when the file says or it can be derived.
        dpi: Option<u32>,
        /// Where it came from.
        extractor: Extractor,
        /// The text of a PDF page's small text layer beside a scanned image (a
        /// stamped header or page number), read besides the image: [`with_text_layer`].
        text_layer: Option<String>,
    },
}

/// Limits on what one document may ask of the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest page image accepted, in pixels.
    pub max_pixels: u64,
    /// Most pages read from one document.
    pub max_pages: usize,
    /// Most bytes the content of one PDF page (its content streams and the forms
    /// it draws) may inflate to: pdf-extract holds every operator of it at once.
    pub max_pdf_content_bytes: u64,
    /// Most bytes any other PDF stream (font, colour profile, object stream) may
    /// inflate to; an image stream may inflate to what its declared size needs.
    pub max_pdf_stream_bytes: u64,
    /// Most bytes all the streams of one PDF may inflate to together.
    pub max_pdf_inflated_bytes: u64,
    /// Most pixels of page images in one document, all pages together.
    pub max_document_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pixels: 250_000_000,
            max_pages: 2_000,
            max_pdf_content_bytes: 8 << 20,
            max_pdf_stream_bytes: 128 << 20,
            max_pdf_inflated_bytes: 4 << 30,
            max_document_pixels: 2_000_000_000,
        }
    }
}

/// What is left of a document's pixel budget ([`Limits::max_document_pixels`]).
#[derive(Debug)]
pub(crate) struct PixelBudget {
    used: u64,
    limit: u64,
}

impl PixelBudget {
    pub(crate) fn new(limits: &Limits) -> PixelBudget {
        PixelBudget {
            used: 0,
            limit: limits.max_document_pixels,
        }
    }

    /// Spends `pixels`; an error once the document's page images are over the limit.
    pub(crate) fn take(&mut self, pixels: u64) -> Result<(), IngestError> {
        self.used = self.used.saturating_add(pixels);
        if self.used > self.limit {
            return Err(IngestError::DocumentTooLarge {
                pixels: self.used,
                limit: self.limit,
            });
        }
        Ok(())
    }
}

/// A document being read: its type, and its pages one at a time (an iterator of
/// pages, each one read when it is asked for). After an error it yields nothing more.
///
/// The frames of a TIFF and the pages of a PDF (its text layer, or its page image)
/// are read and decoded as they are asked for: one page image is in memory at a time.
pub struct Pages<'a> {
    kind: InputKind,
    source: Source<'a>,
    budget: PixelBudget,
}

enum Source<'a> {
    Read(std::vec::IntoIter<PageInput>),
    Tiff(Box<raster::TiffFrames<'a>>),
    Pdf(Box<pdf::PdfPages>),
    Done,
}

impl std::fmt::Debug for Pages<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("kind", &self.kind).finish()
    }
}

impl Pages<'_> {
    /// The document's type.
    pub fn kind(&self) -> InputKind {
        self.kind
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<PageInput, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = match &mut self.source {
            Source::Read(pages) => pages.next().map(|page| {
                if let PageInput::Image { image, .. } = &page {
                    self.budget
                        .take(image.width() as u64 * image.height() as u64)?;
                }
                Ok(page)
            }),
            Source::Tiff(frames) => frames.next_frame(),
            Source::Pdf(pages) => pages.next_page(&mut self.budget),
            Source::Done => None,
        };
        if matches!(next, Some(Err(_))) {
            self.source = Source::Done;
        }
        next
    }
}

/// Opens a document's bytes, recognising the type by content; its pages are read
/// as they are taken from [`Pages`].
///
/// The same as [`open_document_with`] without a PDF password.
pub fn open_document<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Pages<'a>, IngestError> {
    open_document_with(bytes, limits, None)
}

/// Opens a document's bytes, recognising the type by content; `password` opens
/// encrypted PDFs (see [`read_document_with`]). A document refused as a whole (too
/// many pages, a TIFF over the pixel budget, a PDF that does not parse) is refused
/// here; an error reading one page comes from [`Pages`] when that page is reached.
pub fn open_document_with<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    password: Option<&str>,
) -> Result<Pages<'a>, IngestError> {
    let kind = detect_kind(bytes)?;
    let mut budget = PixelBudget::new(limits);
    let source = match kind {
        InputKind::Pdf => Source::Pdf(Box::new(pdf::PdfPages::open(bytes, limits, password)?)),
        InputKind::Png | InputKind::Jpeg => {
            Source::Read(vec![raster::read_image(bytes, limits)?].into_iter())
        }
        InputKind::Tiff => Source::Tiff(Box::new(raster::TiffFrames::open(
            bytes,
            limits,
            &mut budget,
        )?)),
        InputKind::Text => Source::Read(text_pages(bytes, limits)?.into_iter()),
    };
    if let Source::Read(pages) = &source {
        if pages.len() == 0 {
            return Err(IngestError::NoPages);
        }
    }
    Ok(Pages {
        kind,
        source,
        budget,
    })
}

/// Reads a document's bytes into its pages, recognising the type by content; every
/// page image is decoded and held at once ([`open_document`] reads one at a time).
///
/// The same as [`read_document_with`] without a PDF password.
pub fn read_document(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(InputKind, Vec<PageInput>), IngestError> {
    read_document_with(bytes, limits, None)
}

/// Reads a document's bytes into its pages, recognising the type by content;
/// `password` opens encrypted PDFs (other types ignore it).
///
/// PDFs encrypted with an empty user password (owner password only: printing or
/// copying restrictions) are read without one. An encrypted PDF that needs a
/// password is [`IngestError::Encrypted`] without one,
/// [`IngestError::WrongPassword`] with the wrong one and
/// [`IngestError::OwnerPassword`] with an RC4/AES-128 owner password.
pub fn read_document_with(
    bytes: &[u8],
    limits: &Limits,
    password: Option<&str>,
) -> Result<(InputKind, Vec<PageInput>), IngestError> {
    let pages = open_document_with(bytes, limits, password)?;
    let kind = pages.kind();
    Ok((kind, pages.collect::<Result<_, _>>()?))
}

/// Turns a page that already has text into a [`Page`]. `words` are its words
/// with their boxes where the source placed them (a PDF text layer, whose text
/// holds no control characters); when there are none, the words are the
/// whitespace-separated runs of the text (no boxes).
pub fn text_page(number: usize, text: String, words: Vec<Word>, extractor: Extractor) -> Page {
    let (text, words) = if words.is_empty() {
        let text = without_control_chars(text);
        let words = whitespace_words(&text);
        (text, words)
    } else {
        (text, words)
    };
    Page {
        number,
        text,
        words,
        extractor,
        size: None,
    }
}

/// An OCR'd page with the text of the page's text layer before its own (for a
/// scan with a few words stamped beside it, [`PageInput::Image::text_layer`]); the
/// text layer's words have no boxes (the OCR words' boxes are in pixels of the
/// image, which does not cover them).
pub fn with_text_layer(mut page: Page, layer: &str) -> Page {
    let layer = without_control_chars(layer.to_owned());
    if layer.trim().is_empty() {
        return page;
    }
    let words = whitespace_words(&layer);
    let text = std::mem::take(&mut page.text);
    let own = std::mem::take(&mut page.words);
    (page.text, page.words) = join((layer, words), "\n\n", (text, own));
    page
}

/// Two texts with their words as one: `first`, `sep`, `second`, the words of
/// `second` moved past the other two (offsets are in characters).
pub(crate) fn join(
    first: (String, Vec<Word>),
    sep: &str,
    second: (String, Vec<Word>),
) -> (String, Vec<Word>) {
    let (mut text, mut words) = first;
    text.push_str(sep);
    let shift = text.chars().count();
    words.extend(second.1.into_iter().map(|w| Word {
        start: w.start + shift,
        end: w.end + shift,
        ..w
    }));
    text.push_str(&second.0);
    (text, words)
}

/// `text` without the control characters that are not whitespace (NUL, escape,
/// DEL, C1: `Globex\0 Corporation` from a PDF's text layer or a text file): they
/// are no part of the text and would reach the values. Whitespace ones (tab,
/// newline, form feed...) stay: they separate words.
fn without_control_chars(text: String) -> String {
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        text.chars()
            .filter(|c| !c.is_control() || c.is_whitespace())
            .collect()
    } else {
        text
    }
}

pub(crate) fn whitespace_words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.chars().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push(Word {
                    start: s,
                    end: i,
                    bbox: None,
                    confidence: None,
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(Word {
            start: s,
            end: text.chars().count(),
            bbox: None,
            confidence: None,
        });
    }
    words
}

/// Longest page of a plain-text file, in characters: a full printed page (66 lines of
/// 80 columns is 5280) with room to spare, so a letter, an invoice or a contract of a
/// few pages typed without form feeds stays one page as before. Longer text (a log, a
/// long contract) is cut into pages of at most this many characters at line breaks, so
/// the cost of a page, and of a document per character, does not grow with its length.
pub const TEXT_PAGE_CHARS: usize = 6_000;

/// Plain text: UTF-8, else Latin-1; form feeds separate pages, and a page longer than
/// [`TEXT_PAGE_CHARS`] is cut into pages of at most that many characters (see
/// [`split_page`]). More pages than `limits.max_pages` is [`IngestError::TooManyPages`].
fn text_pages(bytes: &[u8], limits: &Limits) -> Result<Vec<PageInput>, IngestError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let pages: Vec<&str> = text
        .split('\u{c}')
        .flat_map(|page| split_page(page, TEXT_PAGE_CHARS))
        .collect();
    if pages.len() > limits.max_pages {
        return Err(IngestError::TooManyPages {
            pages: pages.len(),
            limit: limits.max_pages,
        });
    }
    Ok(pages
        .into_iter()
        .map(|t| PageInput::Text {
            text: t.to_owned(),
            words: Vec::new(),
            extractor: Extractor::PlainText,
            size: None,
        })
        .collect())
}

/// `page` cut into pieces of at most `max` characters (`page` itself when it is no
/// longer): at the last blank line in the piece's last third, else at its last line
/// break, else (one long line) at its last whitespace, else after `max` characters.
/// The line break, blank line or space cut at is dropped, as a form feed is. Linear in
/// the length of `page`: each piece is scanned once or twice.
pub fn split_page(page: &str, max: usize) -> Vec<&str> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = page;
    loop {
        // the byte offset of the first character that does not fit
        let Some((limit, _)) = rest.char_indices().nth(max) else {
            out.push(rest);
            return out;
        };
        let window = &rest[..limit];
        let (cut, skip) = if rest[limit..].starts_with('\n') {
            (limit, 1)
        } else if let Some(b) = window
            .rfind("\n\n")
            .filter(|&b| b > 0 && window[..b].chars().count() >= max * 2 / 3)
        {
            (b, 2)
        } else if let Some(b) = window.rfind('\n').filter(|&b| b > 0) {
            (b, 1)
        } else if let Some((b, c)) = window
            .char_indices()
            .rev()
            .find(|&(b, c)| b > 0 && c.is_whitespace())
        {
            (b, c.len_utf8())
        } else {
            (limit, 0)
        };
        out.push(&rest[..cut]);
        rest = &rest[cut + skip..];
        if rest.is_empty() {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_layer_goes_before_the_ocr_text_with_the_ocr_boxes_kept() {
        let b = docex_core::BBox {
            x: 10.0,
            y: 20.0,
            width: 30.0,
            height: 8.0,
        };
        let ocr = Page {
            number: 2,
            text: "Total 9.50".into(),
            words: vec![
                Word {
                    start: 0,
                    end: 5,
                    bbox: Some(b),
                    confidence: Some(0.9),
                },
                Word {
                    start: 6,
                    end: 10,
                    bbox: Some(b),
                    confidence: Some(0.8),
                },
            ],
            extractor: Extractor::PdfOcr,
            size: None,
        };
        let page = with_text_layer(ocr, "Exhibit 99.2");
        assert_eq!(page.text, "Exhibit 99.2\n\nTotal 9.50");
        let words: Vec<(String, bool)> = page
            .words
            .iter()
            .map(|w| (page.slice(w.start, w.end), w.bbox.is_some()))
            .collect();
        assert_eq!(
            words,
            [
                ("Exhibit".into(), false),
                ("99.2".into(), false),
                ("Total".into(), true),
                ("9.50".into(), true)
            ]
        );
    }

    #[test]
    fn control_characters_are_dropped_from_page_text() {
        let page = text_page(
            1,
            "Globex\0 Corporation\u{1b}[0m\u{7f}\u{9b}\n\tTotal\u{c} 5.00".into(),
            Vec::new(),
            Extractor::PdfText,
        );
        assert_eq!(page.text, "Globex Corporation[0m\n\tTotal\u{c} 5.00");
        let words: Vec<&str> = page
            .words
            .iter()
            .map(|w| &page.text[w.start..w.end])
            .collect();
        assert_eq!(words, ["Globex", "Corporation[0m", "Total", "5.00"]);
    }

    #[test]
    fn whitespace_words_have_char_offsets() {
        let words = whitespace_words("Total:  €12,50\nThanks");
        let spans: Vec<_> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(spans, vec![(0, 6), (8, 14), (15, 21)]);
    }

    #[test]
    fn text_files_split_on_form_feed_and_accept_latin1() {
        let pages = text_pages(b"caf\xe9\x0cpage two", &Limits::default()).unwrap();
        assert_eq!(pages.len(), 2);
        match &pages[0] {
            PageInput::Text { text, .. } => assert_eq!(text, "café"),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Issue 15: a 1 MB log was one page (every later stage then cost the square of
    /// its length). It becomes pages of at most TEXT_PAGE_CHARS characters, cut at line
    /// breaks, that together hold every line.
    #[test]
    fn a_long_text_without_form_feeds_becomes_pages_of_bounded_size() {
        let line = "2024-03-12 10:15:22 INFO payment received for INV-004211 amount EUR 1.234,56\n";
        let text = line.repeat(1_000_000 / line.len());
        let pages = text_pages(text.as_bytes(), &Limits::default()).unwrap();
        let texts: Vec<&str> = pages
            .iter()
            .map(|p| match p {
                PageInput::Text { text, .. } => text.as_str(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let chars = text.chars().count();
        assert!(
            texts.len() >= chars / TEXT_PAGE_CHARS,
            "{} pages for {chars} characters",
            texts.len()
        );
        for (i, t) in texts.iter().enumerate() {
            assert!(t.chars().count() <= TEXT_PAGE_CHARS, "page {}", i + 1);
            // whole lines only
            assert!(
                t.lines().all(|l| l.len() + 1 == line.len()),
                "page {}",
                i + 1
            );
        }
        assert_eq!(texts.join("\n").trim_end(), text.trim_end());
    }

    #[test]
    fn a_page_is_cut_at_a_blank_line_then_a_line_break_then_a_space_then_anywhere() {
        // the blank line in the last third wins over the later line break
        assert_eq!(
            split_page("aaaa bbbb\n\ncc\ndd ee", 14),
            vec!["aaaa bbbb", "cc\ndd ee"]
        );
        // a blank line too early is not taken: the last line break is
        assert_eq!(
            split_page("a\n\nbbbbbbbbb\ncc dd", 14),
            vec!["a\n\nbbbbbbbbb", "cc dd"]
        );
        assert_eq!(split_page("aaa bbb ccc", 9), vec!["aaa bbb", "ccc"]);
        assert_eq!(split_page("ééééé", 2), vec!["éé", "éé", "é"]);
        assert_eq!(split_page("short\n", 100), vec!["short\n"]);
        assert_eq!(split_page("", 100), vec![""]);
        assert_eq!(split_page("abc\ndef\n", 3), vec!["abc", "def"]);
    }

    #[test]
    fn a_text_of_more_pages_than_the_limit_is_refused_with_the_limit() {
        let text = "x".repeat(TEXT_PAGE_CHARS * 3);
        let limits = Limits {
            max_pages: 2,
            ..Limits::default()
        };
        match read_document(text.as_bytes(), &limits) {
            Err(IngestError::TooManyPages { pages: 3, limit: 2 }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Documents typed without form feeds up to a full printed page and more are one page,
    /// as before.
    #[test]
    fn a_text_of_a_few_thousand_characters_stays_one_page() {
        let text = "Invoice INV-1 total 12.00\n".repeat(5_000 / 26);
        let pages = text_pages(text.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(pages.len(), 1);
    }

    /// "Bad input never stops a batch": each of these is an error that says
    /// what is wrong, not a panic, a hang or an allocation of the claimed size.
    #[test]
    fn bad_inputs_are_clear_errors() {
        use crate::fixtures::*;
        use IngestError as E;
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let good = one_page("Invoice INV-1");
        let deep = 100_000;
        type Case = (&'static str, Vec<u8>, fn(&IngestError) -> bool);
        let table: Vec<Case> = vec![
            ("zero bytes", vec![], |e| matches!(e, E::Empty)),
            ("garbage", garbage.clone(), |e| matches!(e, E::Unsupported)),
            (
                "garbage after a PDF header",
                [b"%PDF-1.7\n", &garbage[..]].concat(),
                |e| matches!(e, E::Pdf(_)),
            ),
            ("truncated PDF", good[..good.len() / 2].to_vec(), |e| {
                matches!(e, E::Pdf(_))
            }),
            (
                "array nested 100000 deep in the page",
                page("", 1, &format!("/X {}", nested_array(deep))),
                |e| matches!(e, E::PdfNoPages),
            ),
            (
                "dictionary nested 100000 deep in the page",
                page("", 1, &format!("/X {}", nested_dictionary(deep))),
                |e| matches!(e, E::PdfNoPages),
            ),
            (
                "PNG claiming 100000 x 100000 pixels",
                png_claiming(100_000, 100_000),
                |e| {
                    matches!(
                        e,
                        E::TooLarge {
                            width: 100_000,
                            height: 100_000,
                            ..
                        }
                    )
                },
            ),
            (
                "JPEG cut at 40 %",
                {
                    let mut jpeg = Vec::new();
                    image::GrayImage::from_fn(200, 100, |x, y| image::Luma([(x ^ y) as u8]))
                        .write_to(
                            &mut std::io::Cursor::new(&mut jpeg),
                            image::ImageFormat::Jpeg,
                        )
                        .unwrap();
                    jpeg.truncate(jpeg.len() * 2 / 5);
                    jpeg
                },
                |e| matches!(e, E::TruncatedJpeg(_)),
            ),
            (
                "encrypted PDF without its password",
                encrypted("x", "secret"),
                |e| matches!(e, E::Encrypted),
            ),
        ];
        // lopdf stops nesting at 100 levels, but its parser takes 20-30 KiB of
        // stack per dictionary level in a debug build (under 3 KiB in release):
        // more than a default 2 MiB test thread has.
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                for (name, bytes, expected) in table {
                    match read_document(&bytes, &Limits::default()) {
                        Err(e) => assert!(expected(&e), "{name}: unexpected error: {e}"),
                        Ok((kind, pages)) => {
                            panic!("{name}: read as {kind:?} with {} pages", pages.len())
                        }
                    }
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn absurd_page_count_reads_the_real_pages() {
        let content = "BT /F1 12 Tf 72 720 Td (Invoice INV-1) Tj ET";
        let pdf = fixtures::page(content, 1_000_000_000, "");
        let (_, pages) = read_document(&pdf, &Limits::default()).unwrap();
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn no_prefix_of_a_pdf_panics() {
        for pdf in [
            fixtures::one_page("Invoice INV-1"),
            fixtures::encrypted("Invoice INV-1", "secret"),
        ] {
            for end in 0..pdf.len() {
                let _ = read_document_with(&pdf[..end], &Limits::default(), Some("secret"));
            }
        }
    }
}
