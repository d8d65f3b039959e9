//! PDF pages: the text layer through pdf-extract (with the text of filled form
//! fields and FreeText annotations), the page image where there is none.
//!
//! Before pdf-extract touches a page, the streams it would inflate are checked
//! against the limits ([`inflate`]); streams with a wrong `/Length` and page
//! trees that loop are repaired after parsing ([`repair`]).

mod forms;
mod image;
mod inflate;
mod layout;
mod repair;
#[cfg(test)]
mod spacing_tests;

use std::panic::{self, AssertUnwindSafe};

use ::image::{imageops, GrayImage};
use docex_core::Extractor;
use pdf_extract::{Document, LoadOptions, Object, ObjectId};
use tracing::{debug, warn};

use crate::{IngestError, Limits, PageInput, PixelBudget};

/// The pages of a parsed PDF, each read as it is asked for: its text layer, or
/// where it has none its page image, decoded then, so one page image is in memory
/// at a time. [`PdfPages::open`] parses the file and checks what concerns the whole
/// document (encryption, the structure streams, the page count, XFA); the streams
/// of a page are checked against the limits when that page is read.
pub(crate) struct PdfPages {
    doc: Document,
    /// (page number, page object) of the pages still to read.
    pages: std::collections::btree_map::IntoIter<u32, ObjectId>,
    inflation: inflate::Inflation,
    xfa: Option<forms::XfaForm>,
    limits: Limits,
}

impl PdfPages {
    /// Parses a PDF, decrypting an encrypted PDF (see [`load`]).
    pub(crate) fn open(
        bytes: &[u8],
        limits: &Limits,
        password: Option<&str>,
    ) -> Result<PdfPages, IngestError> {
        let structure = inflate::check_structure_streams(bytes, limits)?;
        let mut doc = load(bytes, password)?;
        repair::recover_streams(&mut doc, bytes);
        let pages = repair::pages(&mut doc);
        if pages.len() > limits.max_pages {
            return Err(IngestError::TooManyPages {
                pages: pages.len(),
                limit: limits.max_pages,
            });
        }
        if pages.is_empty() {
            return Err(IngestError::PdfNoPages);
        }
        let xfa = forms::xfa_only(&doc);
        if xfa.as_ref().is_some_and(|x| x.needs_rendering) {
            return Err(IngestError::XfaForm);
        }
        Ok(PdfPages {
            doc,
            pages: pages.into_iter(),
            inflation: inflate::Inflation::new(limits, structure),
            xfa,
            limits: *limits,
        })
    }

    /// The next page, a page image charged to `budget` as it is decoded; `None`
    /// after the last (or after an error).
    pub(crate) fn next_page(
        &mut self,
        budget: &mut PixelBudget,
    ) -> Option<Result<PageInput, IngestError>> {
        let (number, id) = self.pages.next()?;
        let page = self.read_page(number, id, budget);
        if page.is_err() {
            self.pages = std::collections::BTreeMap::new().into_iter();
        }
        Some(page)
    }

    fn read_page(
        &mut self,
        number: u32,
        id: ObjectId,
        budget: &mut PixelBudget,
    ) -> Result<PageInput, IngestError> {
        let (doc, limits) = (&self.doc, &self.limits);
        let page = number as usize;
        self.inflation.check_page(doc, id, page)?;
        let laid = match text_layer(doc, number) {
            Ok(laid) => laid,
            Err(e) => {
                // read as a page without a text layer: its image, else empty
                warn!(page, "{e}; the page is read as if it had no text layer");
                layout::Laid::default()
            }
        };
        let annotations = forms::annotation_text(doc, id, limits.max_pdf_content_bytes);
        if !laid.text.trim().is_empty() {
            let mixed = laid.is_mixed();
            let layout::Laid { text, words, .. } = laid;
            let (text, words) = if annotations.is_empty() {
                (text, words)
            } else {
                let more = crate::whitespace_words(&annotations);
                crate::join((text, words), "\n", (annotations, more))
            };
            if mixed {
                // a scan with a few words stamped beside it: both are read
                match image::page_image(doc, id, page, limits, budget) {
                    Ok((image, dpi)) => {
                        debug!(page, "a scanned image with a small text layer: OCR besides");
                        return Ok(PageInput::Image {
                            image: rotate(image, rotation(doc, id)),
                            dpi,
                            extractor: Extractor::PdfOcr,
                            text_layer: Some(text),
                        });
                    }
                    Err(e @ IngestError::NoPageImage { .. }) => {
                        warn!(page, "{e}; only the page's text layer is read")
                    }
                    Err(e) => return Err(e),
                }
            }
            return Ok(PageInput::Text {
                text,
                words,
                extractor: Extractor::PdfText,
                size: page_size(doc, id),
            });
        }
        if self.xfa.is_some() && annotations.is_empty() {
            return Err(IngestError::XfaForm);
        }
        debug!(page, "no text layer; taking the page image for OCR");
        match image::page_image(doc, id, page, limits, budget) {
            Ok((image, dpi)) => {
                if !annotations.is_empty() {
                    // PageInput::Image carries no text: the scan is read, the
                    // fields and text boxes over it are not.
                    debug!(
                        page,
                        "form fields or text boxes over a scanned page are not read"
                    );
                }
                Ok(PageInput::Image {
                    image: rotate(image, rotation(doc, id)),
                    dpi,
                    extractor: Extractor::PdfOcr,
                    text_layer: None,
                })
            }
            // No page fails its document for want of an image: a blank or
            // signature page, or one whose image nothing here decodes, is an
            // empty page (or the text of its form fields). Limits stay errors.
            Err(IngestError::NoPageImage { reason, .. }) => {
                if annotations.is_empty() {
                    warn!("page {page} is empty: no text layer and no readable image ({reason})");
                }
                Ok(PageInput::Text {
                    text: annotations,
                    words: Vec::new(),
                    extractor: Extractor::PdfText,
                    size: None,
                })
            }
            Err(e) => Err(e),
        }
    }
}

/// The page's text layer from its glyphs' geometry ([`layout`]), read by
/// pdf-extract (patched: vendor/pdf-extract/PATCHES.md).
fn text_layer(doc: &Document, number: u32) -> Result<layout::Laid, IngestError> {
    let page = number as usize;
    let mut glyphs = layout::Glyphs::default();
    let read = catch("text extraction", || {
        pdf_extract::output_doc_page(doc, &mut glyphs, number)
    })
    .and_then(|r| r.map_err(|e| e.to_string()));
    if let Err(reason) = read {
        if glyphs.is_empty() {
            return Err(IngestError::PdfText { page, reason });
        }
        // what was read before the failure is the page's text layer
        warn!(
            page,
            "text extraction stopped ({reason}); the text read up to there is kept"
        );
    }
    if glyphs.dropped() > 0 {
        warn!(
            page,
            dropped = glyphs.dropped(),
            "page has more glyphs than are read; the rest is not read"
        );
    }
    Ok(glyphs.layout())
}

/// Every page of a PDF, all read and decoded ([`PdfPages`] reads one at a time).
#[cfg(test)]
pub(crate) fn read_pdf(
    bytes: &[u8],
    limits: &Limits,
    password: Option<&str>,
) -> Result<Vec<PageInput>, IngestError> {
    let mut budget = PixelBudget::new(limits);
    let mut pages = PdfPages::open(bytes, limits, password)?;
    std::iter::from_fn(|| pages.next_page(&mut budget)).collect()
}

#[cfg(test)]
thread_local! {
    /// Page images decoded on this thread, for the tests to see when it happens.
    static DECODED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A page attribute, inherited from the page tree when the page has none.
fn inherited<'a>(doc: &'a Document, page: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(value) = dict.get(key) {
            return Some(match value {
                Object::Reference(id) => doc.get_object(*id).ok()?,
                v => v,
            });
        }
        let parent = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// The page's `/Rotate` (clockwise degrees when shown), as 0, 90, 180 or 270.
fn rotation(doc: &Document, page: ObjectId) -> u32 {
    let degrees = inherited(doc, page, b"Rotate")
        .and_then(|r| r.as_i64().ok())
        .unwrap_or(0)
        .rem_euclid(360);
    match degrees {
        90 | 180 | 270 => degrees as u32,
        _ => 0,
    }
}

/// Turns a page image the way the page is shown.
fn rotate(image: GrayImage, degrees: u32) -> GrayImage {
    match degrees {
        90 => imageops::rotate90(&image),
        180 => imageops::rotate180(&image),
        270 => imageops::rotate270(&image),
        _ => image,
    }
}

/// Parses a PDF. lopdf decrypts while it parses: with the empty user password
/// when that opens the file (owner-password-only PDFs), else with the password
/// in the options. So the file is parsed without one first, and again with the
/// password only when it needs one and the password is a user password: lopdf
/// (0.42) accepts an RC4/AES-128 owner password but then derives the key as if
/// it were the user password and decrypts to garbage.
fn load(bytes: &[u8], password: Option<&str>) -> Result<Document, IngestError> {
    let parse = |options| {
        catch("parsing", || {
            Document::load_mem_with_options(bytes, options)
        })
        .map_err(|reason| IngestError::PdfText { page: 0, reason })?
        .map_err(IngestError::Pdf)
    };
    let doc = parse(LoadOptions::default())?;
    if !doc.is_encrypted() {
        return Ok(doc);
    }
    let password = password.ok_or(IngestError::Encrypted)?;
    let revision = doc
        .get_encrypted()
        .and_then(|d| d.get(b"R"))
        .and_then(Object::as_i64)
        .unwrap_or(0);
    let owner = doc.authenticate_owner_password(password).is_ok();
    if doc.authenticate_user_password(password).is_err() && !(owner && revision >= 5) {
        return Err(if owner {
            IngestError::OwnerPassword
        } else {
            IngestError::WrongPassword
        });
    }
    let doc = parse(LoadOptions::with_password(password))?;
    if doc.is_encrypted() {
        return Err(IngestError::WrongPassword);
    }
    Ok(doc)
}

/// pdf-extract can panic on malformed input; a panic becomes this document's error.
fn catch<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("panic");
        format!("{what} crashed: {msg}")
    })
}

/// The page's width and height in points (its media box).
fn page_size(doc: &Document, id: ObjectId) -> Option<(f32, f32)> {
    let n = media_box(doc, id)?;
    Some((n[2] - n[0], (n[3] - n[1]).abs()))
}

pub(crate) fn page_width_points(doc: &Document, id: ObjectId) -> Option<f32> {
    let n = media_box(doc, id)?;
    (n[2] > n[0]).then(|| n[2] - n[0])
}

fn media_box(doc: &Document, id: ObjectId) -> Option<Vec<f32>> {
    let mb = inherited(doc, id, b"MediaBox")?.as_array().ok()?;
    let n: Vec<f32> = mb
        .iter()
        .filter_map(|o| {
            o.as_float()
                .ok()
                .or_else(|| o.as_i64().ok().map(|i| i as f32))
        })
        .collect();
    (n.len() == 4 && n[2] > n[0]).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn garbage_pdf_is_an_error_not_a_panic() {
        let limits = Limits::default();
        assert!(read_pdf(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer",
            &limits,
            None
        )
        .is_err());
    }

    fn text_of(pdf: &[u8], password: Option<&str>) -> Result<String, IngestError> {
        let pages = read_pdf(pdf, &Limits::default(), password)?;
        match &pages[..] {
            [PageInput::Text { text, .. }] => Ok(text.clone()),
            other => panic!("unexpected pages {other:?}"),
        }
    }

    #[test]
    fn empty_user_password_pdf_reads_without_a_password() {
        let pdf = fixtures::encrypted("Invoice INV-1", "");
        assert_eq!(text_of(&pdf, None).unwrap(), "Invoice INV-1");
        assert_eq!(text_of(&pdf, Some("unused")).unwrap(), "Invoice INV-1");
    }

    #[test]
    fn user_password_pdf_needs_its_password() {
        let pdf = fixtures::encrypted("Invoice INV-1", "secret");
        let err = text_of(&pdf, None).unwrap_err();
        assert!(matches!(err, IngestError::Encrypted));
        let msg = err.to_string();
        assert!(
            msg.contains("encrypted") && msg.contains("--pdf-password"),
            "{msg}"
        );
        assert_eq!(text_of(&pdf, Some("secret")).unwrap(), "Invoice INV-1");
        let err = text_of(&pdf, Some("wrong")).unwrap_err();
        assert!(matches!(err, IngestError::WrongPassword));
        assert!(err.to_string().contains("wrong PDF password"));
        assert!(matches!(
            text_of(&pdf, Some("owner")),
            Err(IngestError::OwnerPassword)
        ));
    }

    #[test]
    fn aes256_pdf_opens_with_user_or_owner_password() {
        let pdf = fixtures::encrypted_aes256("Invoice INV-1", "secret");
        assert!(matches!(text_of(&pdf, None), Err(IngestError::Encrypted)));
        assert_eq!(text_of(&pdf, Some("secret")).unwrap(), "Invoice INV-1");
        assert_eq!(text_of(&pdf, Some("owner")).unwrap(), "Invoice INV-1");
        assert!(matches!(
            text_of(&pdf, Some("wrong")),
            Err(IngestError::WrongPassword)
        ));
        let pdf = fixtures::encrypted_aes256("Invoice INV-1", "");
        assert_eq!(text_of(&pdf, None).unwrap(), "Invoice INV-1");
    }

    /// Limits in KiB: page content, other streams, document.
    fn limits_kib(content: u64, stream: u64, document: u64) -> Limits {
        Limits {
            max_pdf_content_bytes: content << 10,
            max_pdf_stream_bytes: stream << 10,
            max_pdf_inflated_bytes: document << 10,
            ..Limits::default()
        }
    }

    const NONE: [&str; 4] = ["", "", "", ""];
    const TWICE: &str = "/Filter [/FlateDecode /FlateDecode]";
    const INVOICE: &str = "BT /F1 12 Tf 72 720 Td (Invoice INV-1) Tj ET ";

    fn texts(pages: &[PageInput]) -> Vec<&str> {
        pages
            .iter()
            .map(|p| match p {
                PageInput::Text { text, .. } => text.as_str(),
                other => panic!("not a text page: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn flate_bomb_content_stream_is_refused_naming_the_limit() {
        // 256 MiB of `q Q ` compressed twice: a PDF of about 1.4 KB. pdf-extract
        // holds some 300 bytes for each byte of it: tens of gigabytes.
        let bomb = fixtures::flate_bomb(b"q Q ", 256 << 20, 2);
        let pdf = fixtures::page_with_stream(TWICE, &bomb, NONE, &[]);
        assert!(pdf.len() < 2048, "{} bytes", pdf.len());
        let err = read_pdf(&pdf, &Limits::default(), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the content of page 1 (its content streams and the forms it draws) inflates \
             past the limit of 8 MB per page ([limits] max_pdf_content_mb)"
        );
        // under a small limit: 4 MiB is refused, 64 KiB reads
        let small = fixtures::flate_bomb(b"q Q ", 4 << 20, 2);
        let pdf = fixtures::page_with_stream(TWICE, &small, NONE, &[]);
        assert!(matches!(
            read_pdf(&pdf, &limits_kib(1024, 1024, 1 << 20), None),
            Err(IngestError::PdfContentTooLarge {
                page: 1,
                limit_mb: 1
            })
        ));
        let text = INVOICE.to_owned() + &"q Q ".repeat(1 << 14);
        let text = fixtures::zlib(text.as_bytes());
        let pdf = fixtures::page_with_stream("/Filter /FlateDecode", &text, NONE, &[]);
        let pages = read_pdf(&pdf, &limits_kib(1024, 1024, 1 << 20), None).unwrap();
        assert_eq!(texts(&pages), ["Invoice INV-1"]);
    }

    #[test]
    fn object_stream_bomb_is_refused_before_lopdf_inflates_it() {
        let bomb = fixtures::flate_bomb(b"<< >>   ", 8 << 20, 2);
        let objstm = fixtures::stream(&format!("/Type /ObjStm /N 1 /First 4 {TWICE}"), &bomb);
        let pdf = fixtures::page_with_stream("", INVOICE.as_bytes(), NONE, &[objstm]);
        let err = read_pdf(&pdf, &limits_kib(1024, 1024, 1 << 20), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "object stream 6 0 inflates past the limit of 1 MB per stream \
             ([limits] max_pdf_stream_mb)"
        );
        // a cross-reference stream, which lopdf inflates as it reads the file
        let xref = fixtures::stream(&format!("/Type /XRef /Size 7 /W [1 2 1] {TWICE}"), &bomb);
        let pdf = fixtures::page_with_stream("", INVOICE.as_bytes(), NONE, &[xref]);
        let err = read_pdf(&pdf, &limits_kib(1024, 1024, 1 << 20), None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cross-reference stream 6 0 inflates past the limit of 1 MB"),
            "{err}"
        );
    }

    #[test]
    fn image_data_inflating_past_its_declared_size_is_refused() {
        // a 100 x 100 gray image whose data inflates to 64 MiB
        let bomb = fixtures::flate_bomb(b"\x80", 64 << 20, 2);
        let image = fixtures::stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width 100 /Height 100 \
                 /ColorSpace /DeviceGray /BitsPerComponent 8 {TWICE}"
            ),
            &bomb,
        );
        let draw = b"q 612 0 0 792 0 0 cm /Im1 Do Q";
        let resources = "/XObject << /Im1 6 0 R >>";
        let pdf = fixtures::page_with_stream("", draw, ["", "", "", resources], &[image]);
        let err = read_pdf(&pdf, &Limits::default(), None).unwrap_err();
        assert!(
            matches!(
                err,
                IngestError::PdfImageInflatesTooMuch {
                    page: 1,
                    width: 100,
                    height: 100,
                    limit_mb: 2,
                }
            ),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "the image data on page 1 inflates past 2 MB, far more than its 100x100 pixels need"
        );
    }

    #[test]
    fn many_streams_past_the_page_or_document_limit_are_refused() {
        let one = fixtures::zlib("q Q ".repeat(1 << 14).as_bytes()); // 64 KiB
        let streams: Vec<Vec<u8>> = (0..4)
            .map(|_| fixtures::stream("/Filter /FlateDecode", &one))
            .collect();
        let contents = "/Contents [4 0 R 6 0 R 7 0 R 8 0 R 9 0 R]";
        let pdf =
            fixtures::page_with_stream("", INVOICE.as_bytes(), ["", "", contents, ""], &streams);
        assert!(matches!(
            read_pdf(&pdf, &limits_kib(200, 1024, 1 << 20), None),
            Err(IngestError::PdfContentTooLarge { page: 1, .. })
        ));
        assert!(matches!(
            read_pdf(&pdf, &limits_kib(1024, 1024, 200), None),
            Err(IngestError::PdfInflatesTooMuch { .. })
        ));
        let pages = read_pdf(&pdf, &limits_kib(1024, 1024, 1024), None).unwrap();
        assert_eq!(texts(&pages), ["Invoice INV-1"]);
    }

    /// One page drawing `content` with /F1, its content stream's dictionary `dict`
    /// written as given (`{len}` is replaced by the true length).
    fn page_with_length(dict: &str, content: &str) -> Vec<u8> {
        let dict = dict.replace("{len}", &content.len().to_string());
        fixtures::pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
              /Resources << /Font << /F1 5 0 R >> >> >>"
                .to_vec(),
            format!("{dict}\nstream\n{content}\nendstream").into_bytes(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ])
    }

    #[test]
    fn stream_with_a_self_referencing_or_wrong_length_is_read_to_endstream() {
        let content = "BT /F1 12 Tf 72 720 Td (Invoice INV-9) Tj ET";
        for dict in [
            "<< /Length 4 0 R >>",
            "<< /Length 5 >>",
            "<< /Length 99999 >>",
            "<< /Length 6 0 R >>",
            "<< >>",
            "<< /Length {len} >>",
        ] {
            let pdf = page_with_length(dict, content);
            let pages =
                read_pdf(&pdf, &Limits::default(), None).unwrap_or_else(|e| panic!("{dict}: {e}"));
            assert_eq!(texts(&pages), ["Invoice INV-9"], "{dict}");
        }
    }

    /// Page one, then a node whose `/Kids` point back to the root and on to page
    /// two.
    fn looping_page_tree() -> Vec<u8> {
        let page = |parent: u32, contents: u32| {
            format!(
                "<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] \
                 /Contents {contents} 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            )
            .into_bytes()
        };
        let text = |t: &str| {
            fixtures::stream("", format!("BT /F1 12 Tf 72 720 Td ({t}) Tj ET").as_bytes())
        };
        fixtures::pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>".to_vec(),
            page(2, 4),
            text("Page one"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 7 0 R] /Count 1 >>".to_vec(),
            page(6, 8),
            text("Page two"),
        ])
    }

    #[test]
    fn page_tree_loop_reads_every_page_once() {
        let pages = read_pdf(&looping_page_tree(), &Limits::default(), None).unwrap();
        assert_eq!(texts(&pages), ["Page one", "Page two"]);
    }

    /// A page of no text showing a 3 x 2 gray image (pixels 1 to 6 by rows),
    /// `tree` and `page` added to the page tree node and the page.
    fn image_page(tree: &str, page: &str) -> Vec<u8> {
        let image = fixtures::stream(
            "/Type /XObject /Subtype /Image /Width 3 /Height 2 /ColorSpace /DeviceGray \
             /BitsPerComponent 8",
            &[1, 2, 3, 4, 5, 6],
        );
        fixtures::page_with_stream(
            "",
            b"q 612 0 0 792 0 0 cm /Im1 Do Q",
            ["", tree, page, "/XObject << /Im1 6 0 R >>"],
            &[image],
        )
    }

    fn image_of(pdf: &[u8]) -> GrayImage {
        match read_pdf(pdf, &Limits::default(), None).unwrap().pop() {
            Some(PageInput::Image { image, .. }) => image,
            other => panic!("not an image page: {other:?}"),
        }
    }

    #[test]
    fn page_rotate_turns_the_page_image_before_ocr() {
        let rows = |img: GrayImage| {
            let w = img.width() as usize;
            img.into_raw()
                .chunks(w)
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(image_of(&image_page("", ""))), [[1, 2, 3], [4, 5, 6]]);
        // shown turned 90 degrees clockwise: the left column becomes the top row
        let turned = [[4, 1], [5, 2], [6, 3]];
        assert_eq!(rows(image_of(&image_page("", "/Rotate 90"))), turned);
        // inherited from the page tree
        assert_eq!(rows(image_of(&image_page("/Rotate 90", ""))), turned);
        assert_eq!(
            rows(image_of(&image_page("", "/Rotate 180"))),
            [[6, 5, 4], [3, 2, 1]]
        );
        let back = [[3, 6], [2, 5], [1, 4]];
        assert_eq!(rows(image_of(&image_page("", "/Rotate 270"))), back);
        assert_eq!(rows(image_of(&image_page("", "/Rotate -90"))), back);
        // the page's own value wins over the tree's
        assert_eq!(
            rows(image_of(&image_page("/Rotate 90", "/Rotate 0"))),
            [[1, 2, 3], [4, 5, 6]]
        );
    }

    /// A page of `content` with the annotations `annots` (objects 6 and on).
    fn form_page(content: &str, annots: &[&str], catalog: &str) -> Vec<u8> {
        let refs: Vec<String> = (0..annots.len())
            .map(|i| format!("{} 0 R", i + 6))
            .collect();
        let page = format!("/Annots [{}]", refs.join(" "));
        let more: Vec<Vec<u8>> = annots.iter().map(|a| a.as_bytes().to_vec()).collect();
        fixtures::page_with_stream("", content.as_bytes(), [catalog, "", &page, ""], &more)
    }

    #[test]
    fn filled_form_fields_and_free_text_are_read() {
        let label = "BT /F1 12 Tf 72 720 Td (Invoice number:) Tj ET";
        let widget = "<< /Type /Annot /Subtype /Widget /FT /Tx /T (number) /V (INV-42) \
                      /Rect [200 715 300 730] /P 3 0 R >>";
        let pdf = form_page(label, &[widget], "/AcroForm << /Fields [6 0 R] >>");
        let pages = read_pdf(&pdf, &Limits::default(), None).unwrap();
        assert_eq!(texts(&pages), ["Invoice number:\nINV-42"]);

        // only annotations: fields (a value inherited from the parent field, a
        // UTF-16 value, a choice), a FreeText box, and what gives no text
        let annots = [
            "<< /Type /Annot /Subtype /FreeText /Contents (Paid 2024-03-01) \
             /Rect [72 100 300 120] >>",
            "<< /Type /Annot /Subtype /Widget /Parent 8 0 R /Rect [72 700 200 715] >>",
            "<< /FT /Tx /T (total) /V (Total 12.50 EUR) /Kids [7 0 R] >>",
            "<< /Type /Annot /Subtype /Widget /FT /Tx /V <FEFF004D00FC006C006C00650072> \
             /Rect [72 650 200 665] >>",
            "<< /Type /Annot /Subtype /Widget /FT /Ch /V [(EUR) (USD)] \
             /Rect [300 650 400 665] >>",
            "<< /Type /Annot /Subtype /Widget /FT /Btn /V /Yes /Rect [72 600 80 608] >>",
            "<< /Type /Annot /Subtype /Widget /FT /Tx /V (hidden) /F 2 \
             /Rect [72 500 80 508] >>",
            "<< /Type /Annot /Subtype /Text /Contents (a reviewer's note) \
             /Rect [72 400 80 408] >>",
        ];
        let pdf = form_page("", &annots, "/AcroForm << /Fields [8 0 R 9 0 R 10 0 R] >>");
        let pages = read_pdf(&pdf, &Limits::default(), None).unwrap();
        assert_eq!(
            texts(&pages),
            ["Total 12.50 EUR\nMüller\nEUR, USD\nPaid 2024-03-01"]
        );
    }

    #[test]
    fn xfa_only_form_is_an_error_saying_so() {
        let placeholder = "BT /F1 12 Tf 72 720 Td (Please wait...) Tj ET";
        let xfa = "/AcroForm << /Fields [] /XFA 6 0 R >>";
        let packet = "<< /Length 0 >>\nstream\n\nendstream";
        let pdf = form_page(
            placeholder,
            &[packet],
            &format!("{xfa} /NeedsRendering true"),
        );
        let err = read_pdf(&pdf, &Limits::default(), None).unwrap_err();
        assert!(matches!(err, IngestError::XfaForm), "{err}");
        assert!(err.to_string().contains("XFA form"), "{err}");
        // no placeholder text and no /NeedsRendering: nothing to read
        let pdf = form_page("", &[packet], xfa);
        assert!(matches!(
            read_pdf(&pdf, &Limits::default(), None),
            Err(IngestError::XfaForm)
        ));
        // an XFA form that has its fields in AcroForm too reads them
        let widget = "<< /Type /Annot /Subtype /Widget /FT /Tx /V (INV-5) /Rect [0 0 1 1] >>";
        let pdf = form_page("", &[widget], "/AcroForm << /Fields [6 0 R] /XFA [] >>");
        let pages = read_pdf(&pdf, &Limits::default(), None).unwrap();
        assert_eq!(texts(&pages), ["INV-5"]);
    }

    #[test]
    fn a_scanned_page_with_a_text_box_is_still_read_by_ocr() {
        let free_text = "<< /Type /Annot /Subtype /FreeText /Contents (PAID) /Rect [0 0 9 9] >>";
        let image = fixtures::stream(
            "/Type /XObject /Subtype /Image /Width 3 /Height 2 /ColorSpace /DeviceGray \
             /BitsPerComponent 8",
            &[1, 2, 3, 4, 5, 6],
        );
        let pdf = fixtures::page_with_stream(
            "",
            b"q 612 0 0 792 0 0 cm /Im1 Do Q",
            ["", "", "/Annots [7 0 R]", "/XObject << /Im1 6 0 R >>"],
            &[image, free_text.as_bytes().to_vec()],
        );
        assert_eq!(image_of(&pdf).dimensions(), (3, 2));
    }

    #[test]
    fn widget_and_text_box_without_a_value_are_read_from_their_appearance() {
        let appearance = |text: &[u8], font: &str| {
            let content = [b"/Tx BMC BT /Helv 10 Tf 2 3 Td (", text, b") Tj ET EMC"].concat();
            let dict = format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 100 15] \
                 /Resources << /Font << /Helv << /Type /Font /Subtype /{font} \
                 /BaseFont /Helvetica >> >> >> /Filter /FlateDecode"
            );
            fixtures::stream(&dict, &fixtures::zlib(&content))
        };
        let widget = "<< /Type /Annot /Subtype /Widget /FT /Tx /AP << /N 9 0 R >> \
                      /Rect [72 700 172 715] >>";
        let free_text = "<< /Type /Annot /Subtype /FreeText /AP << /N 10 0 R >> \
                         /Rect [72 600 172 615] >>";
        let composite = "<< /Type /Annot /Subtype /Widget /FT /Tx /AP << /N 11 0 R >> \
                         /Rect [72 500 172 515] >>";
        let page = "/Annots [6 0 R 7 0 R 8 0 R]";
        let more = [
            widget.as_bytes().to_vec(),
            free_text.as_bytes().to_vec(),
            composite.as_bytes().to_vec(),
            appearance(b"INV-88", "Type1"),
            appearance(b"Total \x80 9.90", "Type1"),
            appearance(b"garbled", "Type0"),
        ];
        let pdf = fixtures::page_with_stream("", b"", ["", "", page, ""], &more);
        let pages = read_pdf(&pdf, &Limits::default(), None).unwrap();
        assert_eq!(texts(&pages), ["INV-88\nTotal € 9.90"]);
    }

    /// A gray test pattern, different for each `seed`. Its pixels are ASCII digits:
    /// pdf-extract parses an image's data as content operators too (lopdf fails on
    /// some bytes there), and digits parse as numbers.
    fn pattern(width: u32, height: u32, seed: u32) -> GrayImage {
        GrayImage::from_fn(width, height, |x, y| {
            ::image::Luma([b'0' + ((x + y * 3 + seed) % 10) as u8])
        })
    }

    #[test]
    fn scanned_pdf_with_a_bad_second_page_yields_the_first_before_the_error() {
        let first = pattern(40, 30, 1);
        // a 100 x 100 image whose data inflates to 64 MiB
        let bomb = fixtures::flate_bomb(b"\x80", 64 << 20, 2);
        let pdf = fixtures::scanned_pages(&[
            fixtures::flate_gray_image(&first),
            fixtures::gray_image(100, 100, TWICE, &bomb),
            fixtures::flate_gray_image(&first),
        ]);
        let mut pages = crate::open_document(&pdf, &Limits::default())
            .expect("a PDF opens before its pages are read");
        match pages.next() {
            Some(Ok(PageInput::Image { image, .. })) => assert_eq!(image, first),
            other => panic!("page 1: {other:?}"),
        }
        match pages.next() {
            Some(Err(IngestError::PdfImageInflatesTooMuch { page: 2, .. })) => {}
            other => panic!("page 2: {other:?}"),
        }
        assert!(pages.next().is_none(), "nothing after the error");
        // read whole, the document still fails on its bad page
        assert!(crate::read_document(&pdf, &Limits::default()).is_err());
    }

    /// Pages with no text and no image, or an image nothing decodes, are empty
    /// pages; the document goes on (issue 16: one blank page failed it).
    #[test]
    fn a_page_without_a_readable_image_is_an_empty_page_not_an_error() {
        let first = pattern(40, 30, 1);
        let blank = fixtures::page_with_stream("", b"", ["", "", "", ""], &[]);
        let (_, pages) = crate::read_document(&blank, &Limits::default()).unwrap();
        assert!(
            matches!(&pages[..], [PageInput::Text { text, words, .. }] if text.is_empty() && words.is_empty()),
            "{pages:?}"
        );
        let unreadable = [
            // JBIG2 data that is not JBIG2
            fixtures::gray_image(100, 100, "/Filter /JBIG2Decode", &[0; 64]),
            // a filter no PDF reader knows
            fixtures::gray_image(10, 10, "/Filter /NoSuchDecode", &[0; 100]),
            // a JPEG that is not one
            fixtures::gray_image(10, 10, "/Filter /DCTDecode", b"not a JPEG"),
            // a colour space images cannot have
            fixtures::stream(
                "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /Pattern \
                 /BitsPerComponent 8",
                &[0; 4],
            ),
        ];
        for bad in unreadable {
            let pdf = fixtures::scanned_pages(&[
                fixtures::flate_gray_image(&first),
                bad,
                fixtures::flate_gray_image(&first),
            ]);
            let (_, pages) = crate::read_document(&pdf, &Limits::default()).unwrap();
            match &pages[..] {
                [PageInput::Image { image: a, .. }, PageInput::Text { text, .. }, PageInput::Image { image: b, .. }] =>
                {
                    assert!(text.is_empty());
                    assert_eq!((a, b), (&first, &first));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    /// The memory a scanned PDF takes: each page image is decoded when its page
    /// is asked for, none before, and none past the document's pixel budget.
    #[test]
    fn scanned_pdf_page_images_are_decoded_one_per_page_asked_for() {
        let images: Vec<GrayImage> = (0..12).map(|i| pattern(200, 300, i)).collect();
        let objects: Vec<Vec<u8>> = images.iter().map(fixtures::flate_gray_image).collect();
        let pdf = fixtures::scanned_pages(&objects);
        let decoded = || DECODED.with(std::cell::Cell::get);
        DECODED.with(|n| n.set(0));
        let pages = crate::open_document(&pdf, &Limits::default()).unwrap();
        assert_eq!(decoded(), 0, "no page image is decoded when the PDF opens");
        for (i, page) in pages.enumerate() {
            assert_eq!(decoded(), i + 1, "page {}", i + 1);
            match page {
                Ok(PageInput::Image { image, .. }) => assert_eq!(image, images[i]),
                other => panic!("page {}: {other:?}", i + 1),
            }
        }
        assert_eq!(decoded(), 12);

        // a budget of two and a half pages: the third page is refused undecoded
        DECODED.with(|n| n.set(0));
        let limits = Limits {
            max_document_pixels: 150_000,
            ..Limits::default()
        };
        let mut pages = crate::open_document(&pdf, &limits).unwrap();
        assert!(matches!(pages.next(), Some(Ok(_))));
        assert!(matches!(pages.next(), Some(Ok(_))));
        assert!(matches!(
            pages.next(),
            Some(Err(IngestError::DocumentTooLarge {
                pixels: 180_000,
                limit: 150_000
            }))
        ));
        assert!(pages.next().is_none());
        assert_eq!(decoded(), 2);
    }
}
