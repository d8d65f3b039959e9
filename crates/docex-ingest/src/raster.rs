//! Raster images: PNG and JPEG through `image`, multi-page TIFF through `tiff`,
//! one frame decoded at a time.

use std::io::Cursor;

use docex_core::Extractor;
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader};
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

use crate::{IngestError, Limits, PageInput, PixelBudget};

/// Decodes a PNG or JPEG file into one page.
pub(crate) fn read_image(bytes: &[u8], limits: &Limits) -> Result<PageInput, IngestError> {
    let image = decode(bytes, None, limits)?;
    let dpi = png_dpi(bytes).or_else(|| jpeg_dpi(bytes));
    Ok(PageInput::Image {
        image,
        dpi,
        extractor: Extractor::ImageOcr,
        text_layer: None,
    })
}

/// Decodes an encoded image to 8-bit gray the way it is meant to be seen (its Exif
/// orientation applied), checking the pixel limit before allocating (the header's
/// claimed size is checked, not the file size) and that a JPEG is whole.
pub(crate) fn decode(
    bytes: &[u8],
    format: Option<ImageFormat>,
    limits: &Limits,
) -> Result<GrayImage, IngestError> {
    let format = match format {
        Some(f) => f,
        None => image::guess_format(bytes).map_err(IngestError::Image)?,
    };
    // The JPEG decoder fills what is missing with grey and calls that a success.
    if format == ImageFormat::Jpeg {
        check_jpeg_whole(bytes)?;
    }
    let mut decoder = ImageReader::with_format(Cursor::new(bytes), format)
        .into_decoder()
        .map_err(IngestError::Image)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w as u64, h as u64, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    // The decoded buffer takes the colour type's bytes per pixel (2 for 16-bit grey,
    // 8 for 16-bit RGBA), within the pixel limit checked above.
    let mut image_limits = image::Limits::default();
    image_limits.max_alloc = Some(decoder.total_bytes().saturating_add(DECODER_SCRATCH));
    decoder
        .set_limits(image_limits)
        .map_err(IngestError::Image)?;
    let image = DynamicImage::from_decoder(decoder).map_err(IngestError::Image)?;
    Ok(oriented(image.into_luma8(), orientation))
}

/// Room for a decoder's own buffers (rows, inflate window) besides the image.
const DECODER_SCRATCH: u64 = 16 << 20;

/// `image` turned and flipped as its orientation tag says it is shown.
fn oriented(image: GrayImage, orientation: Orientation) -> GrayImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut image = DynamicImage::ImageLuma8(image);
    image.apply_orientation(orientation);
    image.into_luma8()
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

/// Walks a JPEG's markers to its end-of-image marker without decoding anything: a
/// file cut short (no end-of-image marker), one with no scan at all (header only),
/// or one whose scan data is too short to code its claimed pixels (each MCU takes at
/// least one bit of Huffman-coded data) is [`IngestError::TruncatedJpeg`].
pub(crate) fn check_jpeg_whole(bytes: &[u8]) -> Result<(), IngestError> {
    let truncated = |reason: String| Err(IngestError::TruncatedJpeg(reason));
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Ok(()); // not a JPEG at all: the decoder says so
    }
    let mut frame: Option<(u32, u32, u64)> = None; // width, height, MCUs
    let mut scan_bytes = 0u64;
    let mut i = 2;
    loop {
        // the next marker: 0xFF (fill bytes allowed), then its code
        while i < bytes.len() && bytes[i] != 0xFF {
            i += 1; // stray bytes between segments, which decoders skip
        }
        while i < bytes.len() && bytes[i] == 0xFF {
            i += 1;
        }
        let Some(&code) = bytes.get(i) else {
            return truncated(if scan_bytes == 0 {
                "the file ends in its header: no image data".into()
            } else {
                format!(
                    "the file ends after {} bytes without an end-of-image marker",
                    bytes.len()
                )
            });
        };
        i += 1;
        match code {
            0xD9 => break,
            0x00 | 0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(i..i + 2)
            .map(|l| u16::from_be_bytes([l[0], l[1]]) as usize)
        else {
            return truncated("the file ends in its header: no image data".into());
        };
        let segment = bytes.get(i + 2..i + len.max(2));
        match code {
            // start of frame (not DHT C4, JPG C8, DAC CC): dimensions and sampling
            0xC0..=0xCF if !matches!(code, 0xC4 | 0xC8 | 0xCC) => {
                if let Some(sof) = segment.filter(|s| s.len() >= 6) {
                    let h = u16::from_be_bytes([sof[1], sof[2]]) as u32;
                    let w = u16::from_be_bytes([sof[3], sof[4]]) as u32;
                    let components = sof[6..].chunks_exact(3).take(sof[5] as usize);
                    let (hmax, vmax) = components.fold((1, 1), |(hm, vm), c| {
                        (hm.max((c[1] >> 4).max(1)), vm.max((c[1] & 15).max(1)))
                    });
                    let mcus =
                        (w as u64).div_ceil(8 * hmax as u64) * (h as u64).div_ceil(8 * vmax as u64);
                    frame = Some((w, h, mcus));
                }
            }
            0xDA => {
                // the scan's entropy-coded data runs to the next marker that is not a
                // stuffed 0xFF00 or a restart marker
                let start = (i + len).min(bytes.len());
                let mut j = start;
                loop {
                    match bytes
                        .get(j..)
                        .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                    {
                        None => {
                            return truncated(format!(
                                "the file ends inside its image data after {} bytes",
                                bytes.len()
                            ))
                        }
                        Some(p) => j += p,
                    }
                    match bytes.get(j + 1) {
                        Some(0x00 | 0xFF | 0xD0..=0xD7) => j += 1,
                        Some(_) => break,
                        None => {
                            return truncated(format!(
                                "the file ends inside its image data after {} bytes",
                                bytes.len()
                            ))
                        }
                    }
                }
                scan_bytes += (j - start) as u64;
                i = j;
                continue;
            }
            _ => {}
        }
        i += len;
    }
    if scan_bytes == 0 {
        return truncated("no image data between its header and its end".into());
    }
    if let Some((w, h, mcus)) = frame {
        if scan_bytes.saturating_mul(8) < mcus {
            return truncated(format!(
                "{scan_bytes} bytes of image data cannot hold {w}x{h} pixels"
            ));
        }
    }
    Ok(())
}

/// The frames of a TIFF, each a page, decoded one at a time as they are asked for:
/// only the frame being read is in memory. [`TiffFrames::open`] reads every frame's
/// header first, so a file with too many frames, a frame over the pixel limit or
/// frames over the document's pixel budget is refused before any is decoded.
pub(crate) struct TiffFrames<'a> {
    decoder: Decoder<Cursor<&'a [u8]>>,
    limits: Limits,
    /// Frames handed out so far.
    read: usize,
    /// Frames in the file.
    frames: usize,
}

impl<'a> TiffFrames<'a> {
    pub(crate) fn open(
        bytes: &'a [u8],
        limits: &Limits,
        budget: &mut PixelBudget,
    ) -> Result<TiffFrames<'a>, IngestError> {
        let open = || -> Result<_, IngestError> {
            let mut tiff_limits = tiff::decoder::Limits::default();
            // the widest frame read: 16-bit RGBA, 8 bytes a pixel, within the pixel limit
            tiff_limits.decoding_buffer_size =
                usize::try_from(limits.max_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
            Ok(Decoder::new(Cursor::new(bytes))
                .map_err(IngestError::Tiff)?
                .with_limits(tiff_limits))
        };
        let mut headers = open()?;
        let mut frames = 0;
        let mut pixels = 0u64;
        loop {
            frames += 1;
            if frames > limits.max_pages {
                return Err(IngestError::TooManyPages {
                    pages: frames,
                    limit: limits.max_pages,
                });
            }
            let (w, h) = headers.dimensions().map_err(IngestError::Tiff)?;
            check_pixels(w as u64, h as u64, limits)?;
            pixels = pixels.saturating_add(w as u64 * h as u64);
            if !headers.more_images() {
                break;
            }
            headers.next_image().map_err(IngestError::Tiff)?;
        }
        budget.take(pixels)?;
        Ok(TiffFrames {
            decoder: open()?,
            limits: *limits,
            read: 0,
            frames,
        })
    }

    /// The next frame, decoded; `None` after the last (or after an error).
    pub(crate) fn next_frame(&mut self) -> Option<Result<PageInput, IngestError>> {
        if self.read == self.frames {
            return None;
        }
        let first = self.read == 0;
        self.read += 1;
        let page = if first {
            self.frame()
        } else {
            self.decoder
                .next_image()
                .map_err(IngestError::Tiff)
                .and_then(|()| self.frame())
        };
        if page.is_err() {
            self.read = self.frames;
        }
        Some(page)
    }

    fn frame(&mut self) -> Result<PageInput, IngestError> {
        let decoder = &mut self.decoder;
        let (w, h) = decoder.dimensions().map_err(IngestError::Tiff)?;
        check_pixels(w as u64, h as u64, &self.limits)?;
        let dpi = decoder
            .get_tag_f32(Tag::XResolution)
            .ok()
            .filter(|d| *d > 10.0)
            .map(|d| d.round() as u32);
        let orientation = decoder
            .get_tag_u32(Tag::Orientation)
            .ok()
            .and_then(|o| Orientation::from_exif(o.min(255) as u8))
            .unwrap_or(Orientation::NoTransforms);
        let color = decoder.colortype().map_err(IngestError::Tiff)?;
        let data = decoder.read_image().map_err(IngestError::Tiff)?;
        let image = oriented(tiff_to_gray(data, color, w, h)?, orientation);
        Ok(PageInput::Image {
            image,
            dpi,
            extractor: Extractor::ImageOcr,
            text_layer: None,
        })
    }
}

/// Every frame of a TIFF as a page, all decoded ([`TiffFrames`] reads one at a time).
#[cfg(test)]
pub(crate) fn read_tiff(bytes: &[u8], limits: &Limits) -> Result<Vec<PageInput>, IngestError> {
    let mut budget = PixelBudget::new(limits);
    let mut frames = TiffFrames::open(bytes, limits, &mut budget)?;
    std::iter::from_fn(|| frames.next_frame()).collect()
}

fn tiff_to_gray(
    data: DecodingResult,
    color: tiff::ColorType,
    w: u32,
    h: u32,
) -> Result<GrayImage, IngestError> {
    use tiff::ColorType as C;
    use DecodingResult::{U16, U8};
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
    let dynamic = match (data, color) {
        (U8(buf), C::Gray(8)) => GrayImage::from_raw(w, h, buf).map(DynamicImage::ImageLuma8),
        (U8(buf), C::Gray(1)) => bilevel_to_gray(&buf, w, h).map(DynamicImage::ImageLuma8),
        (U8(buf), C::RGB(8)) => image::RgbImage::from_raw(w, h, buf).map(DynamicImage::ImageRgb8),
        (U8(buf), C::RGBA(8)) => {
            image::RgbaImage::from_raw(w, h, buf).map(DynamicImage::ImageRgba8)
        }
        (U8(buf), C::GrayA(8)) => {
            image::GrayAlphaImage::from_raw(w, h, buf).map(DynamicImage::ImageLumaA8)
        }
        (U16(buf), C::Gray(16)) => {
            image::ImageBuffer::from_raw(w, h, buf).map(DynamicImage::ImageLuma16)
        }
        (U16(buf), C::GrayA(16)) => {
            image::ImageBuffer::from_raw(w, h, buf).map(DynamicImage::ImageLumaA16)
        }
        (U16(buf), C::RGB(16)) => {
            image::ImageBuffer::from_raw(w, h, buf).map(DynamicImage::ImageRgb16)
        }
        (U16(buf), C::RGBA(16)) => {
            image::ImageBuffer::from_raw(w, h, buf).map(DynamicImage::ImageRgba16)
        }
        _ => None,
    };
    dynamic.map(DynamicImage::into_luma8).ok_or_else(bad)
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

    /// A grey JPEG of `w` x `h` with some structure (so its scan data is not trivial).
    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let image = GrayImage::from_fn(w, h, |x, y| image::Luma([((x * y) ^ (x + y)) as u8]));
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
            .unwrap();
        out
    }

    /// Offset of the first `FF xx` marker.
    fn marker(bytes: &[u8], code: u8) -> usize {
        bytes.windows(2).position(|m| m == [0xFF, code]).unwrap()
    }

    /// The JPEG with its frame header (SOF0) claiming `w` x `h`.
    fn claiming(mut bytes: Vec<u8>, w: u16, h: u16) -> Vec<u8> {
        let sof = marker(&bytes, 0xC0);
        bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
        bytes
    }

    fn truncated_jpeg_error(bytes: &[u8]) -> String {
        match decode(bytes, None, &Limits::default()) {
            Ok(image) => panic!("decoded as {}x{}", image.width(), image.height()),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.starts_with("truncated JPEG: "), "{msg}");
                msg
            }
        }
    }

    #[test]
    fn truncated_jpeg_is_an_error_not_a_grey_page() {
        let bytes = jpeg(400, 300);
        assert!(decode(&bytes, None, &Limits::default()).is_ok());
        for cut in [40, 90] {
            truncated_jpeg_error(&bytes[..bytes.len() * cut / 100]);
        }
        // only the end-of-image marker missing
        truncated_jpeg_error(&bytes[..bytes.len() - 2]);
    }

    #[test]
    fn header_only_jpeg_is_an_error_before_its_claimed_size_is_allocated() {
        // 15000 x 15000 is under the pixel limit; there is no scan data at all
        let bytes = claiming(jpeg(64, 64), 15_000, 15_000);
        let header = &bytes[..marker(&bytes, 0xDA)];
        let msg = truncated_jpeg_error(header);
        assert!(msg.contains("no image data"), "{msg}");
        // the same header with an end-of-image marker but still no scan
        truncated_jpeg_error(&[header, &[0xFF, 0xD9][..]].concat());
        // scan data for 64 x 64 pixels cannot hold 15000 x 15000
        let msg = truncated_jpeg_error(&bytes);
        assert!(msg.contains("15000x15000"), "{msg}");
    }

    #[test]
    fn sixteen_bit_png_under_the_pixel_limit_is_read() {
        let limits = Limits {
            max_pixels: 100,
            max_pages: 10,
            ..Limits::default()
        };
        for image in [
            DynamicImage::ImageLuma16(image::ImageBuffer::from_pixel(
                10,
                10,
                image::Luma([40_000]),
            )),
            DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(
                10,
                10,
                image::Rgba([0, 65_535, 0, 65_535]),
            )),
        ] {
            let mut out = Vec::new();
            image
                .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
                .unwrap();
            let gray = decode(&out, None, &limits).unwrap();
            assert_eq!(gray.dimensions(), (10, 10));
        }
    }

    /// A TIFF of `frames` white 8-bit grey frames of `w` x `h`, all drawing on one
    /// PackBits strip: a few hundred KB that decode to `frames * w * h` bytes.
    pub(crate) fn white_tiff(w: u32, h: u32, frames: usize) -> Vec<u8> {
        use crate::fixtures::{gray_tiff, packbits_row};
        let strip = packbits_row(w, 0xFF).repeat(h as usize);
        gray_tiff(&[strip], &vec![(w, h, 32773, 0); frames])
    }

    #[test]
    fn white_tiff_fixture_reads() {
        let pages = read_tiff(&white_tiff(300, 200, 3), &Limits::default()).unwrap();
        assert_eq!(pages.len(), 3);
        let PageInput::Image { image, .. } = &pages[2] else {
            panic!("not an image")
        };
        assert_eq!(image.dimensions(), (300, 200));
        assert!(image.pixels().all(|p| p[0] == 255));
    }

    /// Frames are decoded as they are asked for: the first page of a TIFF whose
    /// second frame cannot be decoded comes out before the second one's error.
    #[test]
    fn tiff_frames_are_decoded_one_at_a_time() {
        let mut bytes = white_tiff(300, 200, 2);
        // the second frame claims LZW for the PackBits strip
        let compression = [0x03, 0x01, 3, 0, 1, 0, 0, 0, 0x05, 0x80];
        let second = bytes
            .windows(compression.len())
            .enumerate()
            .filter(|(_, w)| *w == compression)
            .nth(1)
            .unwrap()
            .0;
        bytes[second + 8] = 5;
        bytes[second + 9] = 0;
        let mut pages = crate::open_document(&bytes, &Limits::default()).unwrap();
        assert!(matches!(pages.next(), Some(Ok(PageInput::Image { .. }))));
        assert!(matches!(pages.next(), Some(Err(IngestError::Tiff(_)))));
        assert!(pages.next().is_none());
    }

    #[test]
    fn pages_over_the_document_pixel_budget_are_refused_naming_the_limit() {
        let limits = Limits {
            max_document_pixels: 100_000,
            ..Limits::default()
        };
        // a TIFF from its frame headers, before any is decoded
        let err = crate::open_document(&white_tiff(300, 200, 2), &limits).unwrap_err();
        assert!(matches!(
            err,
            IngestError::DocumentTooLarge {
                pixels: 120_000,
                limit: 100_000
            }
        ));
        assert!(err.to_string().contains("max_document_megapixels"), "{err}");
        assert!(crate::open_document(&white_tiff(300, 200, 1), &limits).is_ok());
        // other page images as they are read
        let bytes = png(400, 300);
        let mut pages = crate::open_document(&bytes, &limits).unwrap();
        assert!(matches!(
            pages.next(),
            Some(Err(IngestError::DocumentTooLarge { .. }))
        ));
    }

    /// The case: 60 frames that decode to 36 MB each (2.2 GB in all, from a
    /// 570 KB file here, 153 KB there) are refused from their headers.
    #[test]
    fn multi_frame_tiff_over_the_document_pixel_budget_is_refused_before_decoding() {
        let bytes = white_tiff(6000, 6000, 60);
        match crate::read_document(&bytes, &Limits::default()) {
            Ok((_, pages)) => panic!("{} pages decoded", pages.len()),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("per document"), "{msg}");
            }
        }
    }

    /// An APP1 Exif segment whose only tag is Orientation = `value`.
    fn exif_orientation(value: u16) -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0\x01\0".to_vec();
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0]);
        tiff.extend_from_slice(&value.to_le_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let body = [&b"Exif\0\0"[..], &tiff].concat();
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
        app1.extend_from_slice(&body);
        app1
    }

    #[test]
    fn jpeg_exif_orientation_is_applied() {
        // stored 80 x 40, black on the left; orientation 6 shows it turned 90 degrees
        // clockwise: 40 x 80, black on top
        let stored = GrayImage::from_fn(80, 40, |x, _| image::Luma([if x < 40 { 0 } else { 255 }]));
        let mut bytes = Vec::new();
        stored
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)
            .unwrap();
        let bytes = [&bytes[..2], &exif_orientation(6), &bytes[2..]].concat();
        let shown = decode(&bytes, None, &Limits::default()).unwrap();
        assert_eq!(shown.dimensions(), (40, 80));
        assert!(shown.get_pixel(20, 10)[0] < 64 && shown.get_pixel(20, 70)[0] > 192);
    }
}
