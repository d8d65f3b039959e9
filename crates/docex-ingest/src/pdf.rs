//! PDF pages: the text layer through pdf-extract, the page image where there is none.

use std::panic::{self, AssertUnwindSafe};

use docex_core::Extractor;
use image::{GrayImage, ImageFormat};
use pdf_extract::{Document, LoadOptions, Object, ObjectId, PlainTextOutput};
use tracing::debug;

use crate::{raster, IngestError, Limits, PageInput};

/// Reads a PDF's pages, decrypting an encrypted PDF (see [`load`]).
pub(crate) fn read_pdf(
    bytes: &[u8],
    limits: &Limits,
    password: Option<&str>,
) -> Result<Vec<PageInput>, IngestError> {
    let doc = load(bytes, password)?;
    let pages = doc.get_pages();
    if pages.len() > limits.max_pages {
        return Err(IngestError::TooManyPages {
            pages: pages.len(),
            limit: limits.max_pages,
        });
    }
    if pages.is_empty() {
        return Err(IngestError::PdfNoPages);
    }
    let mut out = Vec::with_capacity(pages.len());
    for (&number, &id) in &pages {
        let page = number as usize;
        let text = catch("text extraction", || {
            let mut s = String::new();
            pdf_extract::output_doc_page(&doc, &mut PlainTextOutput::new(&mut s), number).map(|_| s)
        })
        .map_err(|reason| IngestError::PdfText { page, reason })?
        .map_err(|e| IngestError::PdfText {
            page,
            reason: e.to_string(),
        })?;
        if text.trim().is_empty() {
            debug!(page, "no text layer; taking the page image for OCR");
            let (image, dpi) = page_image(&doc, id, page, limits)?;
            out.push(PageInput::Image {
                image,
                dpi,
                extractor: Extractor::PdfOcr,
            });
        } else {
            out.push(PageInput::Text {
                text: tidy(&text),
                extractor: Extractor::PdfText,
            });
        }
    }
    Ok(out)
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

/// Drops the blank lines pdf-extract puts before a page and trailing spaces on lines.
fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty()).unwrap_or(0);
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    lines[first..last].join("\n")
}

/// The largest image drawn on the page, decoded to grayscale, with the DPI implied
/// by the page width.
fn page_image(
    doc: &Document,
    id: ObjectId,
    page: usize,
    limits: &Limits,
) -> Result<(GrayImage, Option<u32>), IngestError> {
    let no_image = |reason: String| IngestError::NoPageImage { page, reason };
    let images = doc
        .get_page_images(id)
        .map_err(|e| no_image(e.to_string()))?;
    let img = images
        .into_iter()
        .max_by_key(|i| i.width * i.height)
        .ok_or_else(|| no_image("no image on the page".into()))?;
    let (w, h) = (img.width.max(0) as u64, img.height.max(0) as u64);
    if w * h > limits.max_pixels {
        return Err(IngestError::TooLarge {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    let filters = img.filters.clone().unwrap_or_default();
    let gray = if filters.iter().any(|f| f == "DCTDecode") {
        raster::decode(img.content, Some(ImageFormat::Jpeg), limits)?
    } else if filters.iter().all(|f| f == "FlateDecode") {
        let stream = doc
            .get_object(img.id)
            .and_then(Object::as_stream)
            .map_err(|e| no_image(e.to_string()))?;
        let data = if filters.is_empty() {
            stream.content.clone()
        } else {
            stream
                .decompressed_content()
                .map_err(|e| no_image(e.to_string()))?
        };
        let bpc = img.bits_per_component.unwrap_or(8);
        let channels = match img.color_space.as_deref() {
            Some("DeviceRGB") | Some("CalRGB") => 3,
            Some("DeviceCMYK") => 4,
            _ => 1,
        };
        raw_to_gray(&data, w as u32, h as u32, channels, bpc).ok_or_else(|| {
            no_image(format!(
                "unsupported raw image: {channels} channels, {bpc} bits"
            ))
        })?
    } else {
        return Err(no_image(format!(
            "image encoding {filters:?} is not supported"
        )));
    };
    let dpi =
        page_width_points(doc, id).map(|pts| (gray.width() as f32 * 72.0 / pts).round() as u32);
    Ok((gray, dpi))
}

fn raw_to_gray(data: &[u8], w: u32, h: u32, channels: usize, bpc: i64) -> Option<GrayImage> {
    let (wu, hu) = (w as usize, h as usize);
    let pixels: Vec<u8> = match (channels, bpc) {
        (1, 8) => data.get(..wu * hu)?.to_vec(),
        (1, 1) => return raster::bilevel_to_gray(data, w, h),
        (3, 8) => data
            .get(..wu * hu * 3)?
            .chunks_exact(3)
            .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
            .collect(),
        (4, 8) => data
            .get(..wu * hu * 4)?
            .chunks_exact(4)
            .map(|p| {
                255 - (p[0] as u32 * 3 / 10
                    + p[1] as u32 * 59 / 100
                    + p[2] as u32 * 11 / 100
                    + p[3] as u32)
                    .min(255) as u8
            })
            .collect(),
        _ => return None,
    };
    GrayImage::from_raw(w, h, pixels)
}

fn page_width_points(doc: &Document, id: ObjectId) -> Option<f32> {
    let mut dict = doc.get_dictionary(id).ok()?;
    // MediaBox is inheritable from the page tree.
    for _ in 0..32 {
        if let Ok(mb) = dict.get(b"MediaBox").and_then(Object::as_array) {
            let n: Vec<f32> = mb
                .iter()
                .filter_map(|o| {
                    o.as_float()
                        .ok()
                        .or_else(|| o.as_i64().ok().map(|i| i as f32))
                })
                .collect();
            return (n.len() == 4 && n[2] > n[0]).then(|| n[2] - n[0]);
        }
        let parent = dict.get(b"Parent").and_then(Object::as_reference).ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn tidy_drops_blank_lead_and_trailing_spaces() {
        assert_eq!(
            tidy("\n\n  Invoice  \nTotal 12.00   \n\n"),
            "  Invoice\nTotal 12.00"
        );
    }

    #[test]
    fn raw_bilevel_expands() {
        let img = raw_to_gray(&[0b1010_0000], 3, 1, 1, 1).unwrap();
        assert_eq!(img.as_raw(), &vec![255, 0, 255]);
    }

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
}
