//! Raster images: PNG and JPEG through `image`, multi-page TIFF through `tiff`.

use std::io::Cursor;

use docex_core::Extractor;
use image::{DynamicImage, GrayImage, ImageFormat, ImageReader};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

use crate::{IngestError, Limits, PageInput};

/// Decodes a PNG or JPEG file into one page.
pub(crate) fn read_image(bytes: &[u8], limits: &Limits) -> Result<PageInput, IngestError> {
    let image = decode(bytes, None, limits)?;
    let dpi = png_dpi(bytes).or_else(|| jpeg_dpi(bytes));
    Ok(PageInput::Image {
        image,
        dpi,
        extractor: Extractor::ImageOcr,
    })
}

/// Decodes an encoded image to 8-bit gray, checking the pixel limit before
/// allocating (the header's claimed size is checked, not the file size).
pub(crate) fn decode(
    bytes: &[u8],
    format: Option<ImageFormat>,
    limits: &Limits,
) -> Result<GrayImage, IngestError> {
    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, IngestError> {
        let mut reader = ImageReader::new(Cursor::new(bytes));
        match format {
            Some(f) => reader.set_format(f),
            None => {
                reader = reader
                    .with_guessed_format()
                    .map_err(|e| IngestError::Image(e.into()))?
            }
        }
        Ok(reader)
    };
    let (w, h) = reader()?.into_dimensions().map_err(IngestError::Image)?;
    check_pixels(w as u64, h as u64, limits)?;
    let mut reader = reader()?;
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4));
    reader.limits(image_limits);
    let image = reader.decode().map_err(IngestError::Image)?;
    Ok(image.to_luma8())
}

fn check_pixels(w: u64, h: u64, limits: &Limits) -> Result<(), IngestError> {
    if w * h > limits.max_pixels {
        return Err(IngestError::TooLarge {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

/// Every frame of a TIFF is a page.
pub(crate) fn read_tiff(bytes: &[u8], limits: &Limits) -> Result<Vec<PageInput>, IngestError> {
    let mut decoder = Decoder::new(Cursor::new(bytes)).map_err(IngestError::Tiff)?;
    let mut tiff_limits = tiff::decoder::Limits::default();
    tiff_limits.decoding_buffer_size = limits.max_pixels as usize * 4;
    decoder = decoder.with_limits(tiff_limits);
    let mut pages = Vec::new();
    loop {
        let (w, h) = decoder.dimensions().map_err(IngestError::Tiff)?;
        check_pixels(w as u64, h as u64, limits)?;
        let dpi = decoder
            .get_tag_f32(Tag::XResolution)
            .ok()
            .filter(|d| *d > 10.0)
            .map(|d| d.round() as u32);
        let color = decoder.colortype().map_err(IngestError::Tiff)?;
        let data = decoder.read_image().map_err(IngestError::Tiff)?;
        let image = tiff_to_gray(data, color, w, h)?;
        pages.push(PageInput::Image {
            image,
            dpi,
            extractor: Extractor::ImageOcr,
        });
        if pages.len() > limits.max_pages {
            return Err(IngestError::TooManyPages {
                pages: pages.len(),
                limit: limits.max_pages,
            });
        }
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(IngestError::Tiff)?;
    }
    Ok(pages)
}

fn tiff_to_gray(
    data: DecodingResult,
    color: tiff::ColorType,
    w: u32,
    h: u32,
) -> Result<GrayImage, IngestError> {
    use tiff::ColorType as C;
    let bad = || {
        IngestError::Image(image::ImageError::Unsupported(
            image::error::UnsupportedError::from_format_and_kind(
                ImageFormat::Tiff.into(),
                image::error::UnsupportedErrorKind::GenericFeature(format!(
                    "TIFF colour type {color:?}"
                )),
            ),
        ))
    };
    let DecodingResult::U8(buf) = data else {
        return Err(bad());
    };
    let dynamic = match color {
        C::Gray(8) => GrayImage::from_raw(w, h, buf).map(DynamicImage::ImageLuma8),
        C::Gray(1) => bilevel_to_gray(&buf, w, h).map(DynamicImage::ImageLuma8),
        C::RGB(8) => image::RgbImage::from_raw(w, h, buf).map(DynamicImage::ImageRgb8),
        C::RGBA(8) => image::RgbaImage::from_raw(w, h, buf).map(DynamicImage::ImageRgba8),
        C::GrayA(8) => image::GrayAlphaImage::from_raw(w, h, buf).map(DynamicImage::ImageLumaA8),
        _ => None,
    };
    dynamic.map(|d| d.to_luma8()).ok_or_else(bad)
}

/// Expands packed 1-bit rows (most significant bit first, 1 = white) to 8-bit gray,
/// as bilevel scans are stored in TIFF and in PDF image streams.
pub(crate) fn bilevel_to_gray(packed: &[u8], w: u32, h: u32) -> Option<GrayImage> {
    let (wu, hu) = (w as usize, h as usize);
    let row = wu.div_ceil(8);
    let rows = packed.get(..row * hu)?;
    let px = (0..hu)
        .flat_map(|y| (0..wu).map(move |x| (y, x)))
        .map(|(y, x)| {
            if rows[y * row + x / 8] & (0x80 >> (x % 8)) != 0 {
                255
            } else {
                0
            }
        })
        .collect();
    GrayImage::from_raw(w, h, px)
}

/// DPI from a PNG `pHYs` chunk (pixels per metre).
fn png_dpi(bytes: &[u8]) -> Option<u32> {
    let pos = bytes.windows(4).take(4096).position(|w| w == b"pHYs")?;
    let d = bytes.get(pos + 4..pos + 13)?;
    let ppm = u32::from_be_bytes([d[0], d[1], d[2], d[3]]);
    (d[8] == 1 && ppm > 0).then(|| (ppm as f32 * 0.0254).round() as u32)
}

/// DPI from a JPEG JFIF header.
fn jpeg_dpi(bytes: &[u8]) -> Option<u32> {
    let pos = bytes.windows(5).take(64).position(|w| w == b"JFIF\0")?;
    let d = bytes.get(pos + 7..pos + 10)?;
    let x = u16::from_be_bytes([d[1], d[2]]) as u32;
    match d[0] {
        1 if x > 10 => Some(x),
        2 if x > 4 => Some((x as f32 * 2.54).round() as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        GrayImage::new(w, h)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn pixel_limit_is_checked_from_the_header() {
        let limits = Limits {
            max_pixels: 100,
            max_pages: 10,
            ..Limits::default()
        };
        assert!(matches!(
            decode(&png(20, 20), None, &limits),
            Err(IngestError::TooLarge { .. })
        ));
        assert!(decode(&png(10, 10), None, &limits).is_ok());
    }

    #[test]
    fn truncated_png_is_an_error() {
        let bytes = png(50, 50);
        assert!(decode(&bytes[..bytes.len() / 2], None, &Limits::default()).is_err());
    }
}
