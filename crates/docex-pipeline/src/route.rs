//! Which OCR engine reads a page image when the pipeline's `[ocr] engine` is `auto`.
//!
//! Tesseract reads dense, page-like scans well and fast (0.16 % character error on
//! contract pages against PP-OCR's 4.7 %), PP-OCR reads receipts and photos far
//! better (the labelled vendor in the text 86 against 62 of 100 SROIE receipts,
//! the total 99 against 78). So a page image goes to Tesseract when it is the size
//! of a sheet of office paper, to PP-OCR otherwise:
//!
//! - with a resolution (the file's, or the PDF page's), its physical size: a sheet
//!   is [`SHEET_WIDTH`] inches wide and [`SHEET_HEIGHT`] high, either way round
//!   (A4, US Letter and Legal, A5 excluded);
//! - without one, its shape and size: a page's height over width in [`SHEET_RATIO`]
//!   and at least [`SHEET_PIXELS`] pixels on the short side (a page scanned at 150
//!   dpi or more).
//!
//! Measured on the 509 SROIE receipts: 455 say 300 dpi and are 2 to 3.2 inches
//! wide; 71 of them are 4961 x 7016 pixels tagged 300 dpi, a 16.5-inch sheet, not
//! office paper: all go to PP-OCR. The generated invoices and contracts scanned at
//! 200 and 300 dpi are A4 or Letter: all go to Tesseract. The numbers behind the
//! rule are in BENCHMARKS.md ("OCR engines").

use image::GrayImage;

/// Where a page image is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Tesseract: a page-like scan.
    Tesseract,
    /// PP-OCR: a receipt, a photo, anything else.
    Paddle,
}

/// Width of a sheet of office paper in inches (A4 8.27, Letter and Legal 8.5),
/// with room for a scanner's margins.
const SHEET_WIDTH: (f32, f32) = (7.5, 9.0);
/// Height of a sheet of office paper in inches (Letter 11, A4 11.69, Legal 14).
const SHEET_HEIGHT: (f32, f32) = (10.0, 14.5);
/// Height over width of a page scanned without a resolution (Letter 1.29, A4 1.41,
/// Legal 1.65).
const SHEET_RATIO: (f32, f32) = (1.25, 1.7);
/// The short side, in pixels, of a page scanned without a resolution.
const SHEET_PIXELS: u32 = 1200;

/// The engine for `image`, scanned at `dpi` if known.
pub fn route(image: &GrayImage, dpi: Option<u32>) -> Route {
    let (w, h) = image.dimensions();
    let (short, long) = (w.min(h), w.max(h));
    let sheet = match dpi.filter(|d| (50..=2400).contains(d)) {
        Some(dpi) => {
            let inches = |px: u32| px as f32 / dpi as f32;
            within(inches(short), SHEET_WIDTH) && within(inches(long), SHEET_HEIGHT)
        }
        None => short >= SHEET_PIXELS && within(long as f32 / short.max(1) as f32, SHEET_RATIO),
    };
    if sheet {
        Route::Tesseract
    } else {
        Route::Paddle
    }
}

fn within(v: f32, (lo, hi): (f32, f32)) -> bool {
    (lo..=hi).contains(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: u32, h: u32) -> GrayImage {
        GrayImage::new(w, h)
    }

    #[test]
    fn office_paper_goes_to_tesseract_either_way_round() {
        // A4 at 300 dpi, Letter at 200 dpi, A4 landscape
        assert_eq!(route(&blank(2480, 3508), Some(300)), Route::Tesseract);
        assert_eq!(route(&blank(1700, 2200), Some(200)), Route::Tesseract);
        assert_eq!(route(&blank(3508, 2480), Some(300)), Route::Tesseract);
        // no resolution: a page-shaped image of page-scan size
        assert_eq!(route(&blank(2480, 3508), None), Route::Tesseract);
    }

    #[test]
    fn receipts_photos_and_odd_sizes_go_to_pp_ocr() {
        // a receipt 2.5 inches wide at 300 dpi; a till roll; a receipt with no dpi
        assert_eq!(route(&blank(750, 1800), Some(300)), Route::Paddle);
        assert_eq!(route(&blank(600, 9000), Some(300)), Route::Paddle);
        assert_eq!(route(&blank(620, 1400), None), Route::Paddle);
        // a 16.5-inch sheet (SROIE's mis-tagged 600 dpi scans), a phone photo
        assert_eq!(route(&blank(4961, 7016), Some(300)), Route::Paddle);
        assert_eq!(route(&blank(3024, 4032), Some(72)), Route::Paddle);
        assert_eq!(route(&blank(1, 1), None), Route::Paddle);
    }
}
