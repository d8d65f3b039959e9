//! Page images: the largest image a page draws, decoded to 8-bit gray for OCR.
//!
//! An image's data goes through its filters in order: the byte filters
//! (ASCIIHex, ASCII85, LZW and Flate with their PNG or TIFF predictors,
//! RunLength) and last, where there is one, an image codec: DCT (JPEG, through
//! `image`), JPX (JPEG 2000, `hayro-jpeg2000`), CCITTFax G3/G4 (`hayro-ccitt`)
//! or JBIG2 (`hayro-jbig2`). The samples then become gray through the image's
//! colour space (device, ICC by its component count, calibrated, Lab by its
//! lightness, Indexed, Separation and DeviceN by their tint) and `/Decode`; a
//! stencil mask (`/ImageMask`) paints black; a soft mask (`/SMask`) is laid
//! over white, so what is transparent is white.
//!
//! Each layer of bytes is held to what the image's declared size needs
//! ([`inflate::image_cap`]): a bomb is [`IngestError::PdfImageInflatesTooMuch`],
//! as the page's streams are when [`inflate::Inflation::check_page`] meets them
//! first. What nothing here decodes is [`IngestError::NoPageImage`], which the
//! page reader turns into an empty page.

use std::collections::HashSet;

use image::{GrayImage, ImageFormat};
use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

use super::inflate::{self, OverLimit};
use crate::{raster, IngestError, Limits, PixelBudget};

/// The largest image drawn on the page (among its XObjects and those of the
/// forms it draws), decoded to grayscale, with the DPI implied by the page
/// width. Its pixels are charged to `budget` before it is decoded (as its
/// dictionary declares them; what a codec gives beyond that, after).
/// [`IngestError::NoPageImage`] when the page has no image or nothing here
/// decodes it.
pub(crate) fn page_image(
    doc: &Document,
    id: ObjectId,
    page: usize,
    limits: &Limits,
    budget: &mut PixelBudget,
) -> Result<(GrayImage, Option<u32>), IngestError> {
    let reader = Reader { doc, page, limits };
    let (_, stream) = images_of(doc, id)
        .into_iter()
        .max_by_key(|(_, s)| {
            let (w, h) = dimensions(&s.dict);
            w * h
        })
        .ok_or_else(|| reader.unreadable("no image on the page"))?;
    let (w, h) = dimensions(&stream.dict);
    if w * h > limits.max_pixels {
        return Err(IngestError::TooLarge {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    budget.take(w * h)?;
    let gray = reader.image(stream, budget, true)?;
    #[cfg(test)]
    super::DECODED.with(|n| n.set(n.get() + 1));
    let decoded = gray.width() as u64 * gray.height() as u64;
    budget.take(decoded.saturating_sub(w * h))?;
    let dpi = super::page_width_points(doc, id)
        .map(|pts| (gray.width() as f32 * 72.0 / pts).round() as u32);
    Ok((gray, dpi))
}

/// The image XObjects a page draws: those of its resources and, down to a few
/// levels, of the forms among them.
fn images_of(doc: &Document, page: ObjectId) -> Vec<(ObjectId, &Stream)> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Object, usize)> = Vec::new();
    if let Some(resources) = super::inherited(doc, page, b"Resources") {
        stack.push((resources, 0));
    }
    while let Some((resources, depth)) = stack.pop() {
        let Some(xobjects) = resolve(doc, resources)
            .and_then(|r| r.as_dict().ok())
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| resolve(doc, x))
            .and_then(|x| x.as_dict().ok())
        else {
            continue;
        };
        for (_, value) in xobjects.iter() {
            let Ok(id) = value.as_reference() else {
                continue;
            };
            if !seen.insert(id) {
                continue;
            }
            let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
                continue;
            };
            match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Image") => found.push((id, stream)),
                Ok(b"Form") if depth < 8 => {
                    if let Ok(r) = stream.dict.get(b"Resources") {
                        stack.push((r, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    match object {
        Object::Reference(r) => doc.get_object(*r).ok(),
        o => Some(o),
    }
}

/// Declared width and height.
fn dimensions(dict: &Dictionary) -> (u64, u64) {
    let get = |k: &[u8]| dict.get(k).and_then(Object::as_i64).unwrap_or(0).max(0) as u64;
    (get(b"Width"), get(b"Height"))
}

fn number(o: &Object) -> Option<f32> {
    o.as_float()
        .ok()
        .or_else(|| o.as_i64().ok().map(|i| i as f32))
}

/// Decodes the images of one page.
struct Reader<'a> {
    doc: &'a Document,
    page: usize,
    limits: &'a Limits,
}

/// What a filter chain ends in.
enum Decoded {
    /// Samples, packed in rows as the image dictionary describes them.
    Samples(Vec<u8>),
    /// Samples of the given size, 1 bit each (0 black unless `/BlackIs1`),
    /// from a fax or JBIG2 codec.
    Bits(Vec<u8>, u32, u32),
    /// Pixels from a JPEG or JPEG 2000 codec.
    Gray(GrayImage),
}

impl<'a> Reader<'a> {
    fn unreadable(&self, reason: impl Into<String>) -> IngestError {
        IngestError::NoPageImage {
            page: self.page,
            reason: reason.into(),
        }
    }

    fn get<'o>(&self, dict: &'o Dictionary, key: &[u8]) -> Option<&'o Object>
    where
        'a: 'o,
    {
        dict.get(key).ok().and_then(|o| match o {
            Object::Reference(r) => self.doc.get_object(*r).ok(),
            o => Some(o),
        })
    }

    /// One image stream to gray, its soft mask laid over white when `masked`.
    fn image(
        &self,
        stream: &Stream,
        budget: &mut PixelBudget,
        masked: bool,
    ) -> Result<GrayImage, IngestError> {
        let dict = &stream.dict;
        let (w, h) = dimensions(dict);
        if w == 0 || h == 0 {
            return Err(self.unreadable(format!("an image of {w}x{h} pixels")));
        }
        let stencil = self
            .get(dict, b"ImageMask")
            .and_then(|o| o.as_bool().ok())
            .unwrap_or(false);
        let bpc = if stencil {
            1
        } else {
            self.get(dict, b"BitsPerComponent")
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(8) as u32
        };
        let space = if stencil {
            Space::Gray
        } else {
            match self.get(dict, b"ColorSpace") {
                Some(cs) => self.space(cs, 0)?,
                None => Space::Gray,
            }
        };
        let decode = self.get(dict, b"Decode").and_then(|d| {
            let d: Vec<f32> = d.as_array().ok()?.iter().filter_map(number).collect();
            (d.len() == 2 * space.components()).then_some(d)
        });
        let gray = match self.filters(stream)? {
            Decoded::Samples(data) => {
                if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
                    return Err(self.unreadable(format!("{bpc} bits per component")));
                }
                let pixels = Pixels {
                    space,
                    bpc,
                    decode,
                    stencil,
                };
                raw_to_gray(&data, w as u32, h as u32, &pixels)
            }
            Decoded::Bits(data, bw, bh) => {
                let pixels = Pixels {
                    space: if stencil { Space::Gray } else { space },
                    bpc: 1,
                    decode,
                    stencil,
                };
                raw_to_gray(&data, bw, bh, &pixels)
            }
            Decoded::Gray(mut gray) => {
                // `/Decode [1 0]` on a one-component JPEG inverts it.
                if decode.as_deref() == Some(&[1.0, 0.0]) {
                    image::imageops::invert(&mut gray);
                }
                gray
            }
        };
        if !masked {
            return Ok(gray);
        }
        let Some(Object::Stream(smask)) = self.get(dict, b"SMask") else {
            return Ok(gray);
        };
        let (mw, mh) = dimensions(&smask.dict);
        if mw * mh > self.limits.max_pixels {
            return Err(IngestError::TooLarge {
                width: mw,
                height: mh,
                limit: self.limits.max_pixels,
            });
        }
        budget.take(mw * mh)?;
        match self.image(smask, budget, false) {
            Ok(mask) => Ok(over_white(gray, &mask)),
            Err(IngestError::NoPageImage { reason, .. }) => {
                tracing::debug!(page = self.page, "soft mask not read ({reason})");
                Ok(gray)
            }
            Err(e) => Err(e),
        }
    }

    /// Runs the image's data through its filters.
    fn filters(&self, stream: &Stream) -> Result<Decoded, IngestError> {
        let dict = &stream.dict;
        let names: Vec<Vec<u8>> = match self.get(dict, b"Filter") {
            None | Some(Object::Null) => Vec::new(),
            Some(Object::Name(n)) => vec![n.clone()],
            Some(Object::Array(a)) => a
                .iter()
                .filter_map(|f| resolve(self.doc, f)?.as_name().ok().map(<[u8]>::to_vec))
                .collect(),
            Some(other) => {
                return Err(self.unreadable(format!("a /Filter of {}", other.enum_variant())))
            }
        };
        let params: Vec<Option<&Dictionary>> = match self.get(dict, b"DecodeParms") {
            Some(Object::Array(a)) => a
                .iter()
                .map(|p| resolve(self.doc, p).and_then(|p| p.as_dict().ok()))
                .collect(),
            Some(Object::Dictionary(d)) => vec![Some(d)],
            _ => Vec::new(),
        };
        let cap = inflate::image_cap(self.doc, stream, self.limits)?;
        let over = || {
            let (width, height) = dimensions(dict);
            IngestError::PdfImageInflatesTooMuch {
                page: self.page,
                width,
                height,
                limit_mb: cap.div_ceil(1 << 20),
            }
        };
        let mut data = stream.content.clone();
        for (i, name) in names.iter().enumerate() {
            let p = params.get(i).copied().flatten();
            let last = i + 1 == names.len();
            data = match name.as_slice() {
                b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
                b"ASCII85Decode" | b"A85" => inflate::ascii85(&data),
                b"RunLengthDecode" | b"RL" => run_length(&data, cap).map_err(|_| over())?,
                b"FlateDecode" | b"Fl" => {
                    let out = inflate::inflate(&data, cap).map_err(|_| over())?;
                    predict(out, p, cap).map_err(|e| self.unreadable(e))?
                }
                b"LZWDecode" | b"LZW" => {
                    let early = self.int(p, b"EarlyChange").unwrap_or(1) != 0;
                    let out = inflate::unlzw(&data, early, cap).map_err(|_| over())?;
                    predict(out, p, cap).map_err(|e| self.unreadable(e))?
                }
                b"Crypt" => data,
                b"DCTDecode" | b"DCT" if last => {
                    return match raster::decode(&data, Some(ImageFormat::Jpeg), self.limits) {
                        Ok(gray) => Ok(Decoded::Gray(gray)),
                        Err(e @ IngestError::TooLarge { .. }) => Err(e),
                        Err(e) => Err(self.unreadable(format!("JPEG: {}", error_chain(&e)))),
                    }
                }
                b"JPXDecode" if last => return self.jpx(&data).map(Decoded::Gray),
                b"CCITTFaxDecode" | b"CCF" if last => return self.ccitt(&data, dict, p),
                b"JBIG2Decode" if last => return self.jbig2(&data, p),
                other => {
                    return Err(self.unreadable(format!(
                        "image encoding {:?} is not supported",
                        String::from_utf8_lossy(other)
                    )))
                }
            };
            if data.len() as u64 > cap {
                return Err(over());
            }
        }
        Ok(Decoded::Samples(data))
    }

    fn int(&self, params: Option<&Dictionary>, key: &[u8]) -> Option<i64> {
        self.get(params?, key)?.as_i64().ok()
    }

    fn flag(&self, params: Option<&Dictionary>, key: &[u8]) -> Option<bool> {
        self.get(params?, key)?.as_bool().ok()
    }

    fn check_pixels(&self, w: u64, h: u64) -> Result<(), IngestError> {
        if w * h > self.limits.max_pixels {
            return Err(IngestError::TooLarge {
                width: w,
                height: h,
                limit: self.limits.max_pixels,
            });
        }
        Ok(())
    }

    /// CCITT Group 3 or 4 fax data to rows of bits.
    fn ccitt(
        &self,
        data: &[u8],
        dict: &Dictionary,
        params: Option<&Dictionary>,
    ) -> Result<Decoded, IngestError> {
        use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
        let (_, height) = dimensions(dict);
        let k = self.int(params, b"K").unwrap_or(0);
        let columns = self
            .int(params, b"Columns")
            .unwrap_or(1728)
            .clamp(1, 1 << 20) as u32;
        let rows = match self.int(params, b"Rows").unwrap_or(0) {
            r if r > 0 => (r as u64).min(height),
            _ => height,
        } as u32;
        self.check_pixels(columns as u64, rows as u64)?;
        let black_is_1 = self.flag(params, b"BlackIs1").unwrap_or(false);
        let settings = DecodeSettings {
            columns,
            rows,
            end_of_block: self.flag(params, b"EndOfBlock").unwrap_or(true),
            end_of_line: self.flag(params, b"EndOfLine").unwrap_or(false),
            rows_are_byte_aligned: self.flag(params, b"EncodedByteAlign").unwrap_or(false),
            encoding: match k {
                k if k < 0 => EncodingMode::Group4,
                0 => EncodingMode::Group3_1D,
                _ => EncodingMode::Group3_2D,
            },
            strict: false,
        };
        let mut sink = FaxRows::new(columns, rows, black_is_1);
        let result = hayro_ccitt::decode(data, &mut sink, &mut DecoderContext::new(settings));
        match result {
            Err(e) if sink.row == 0 => Err(self.unreadable(format!("CCITT fax data: {e:?}"))),
            _ => Ok(Decoded::Bits(sink.bits, columns, rows)),
        }
    }

    /// JBIG2 data (with its `/JBIG2Globals`) to rows of bits.
    fn jbig2(&self, data: &[u8], params: Option<&Dictionary>) -> Result<Decoded, IngestError> {
        use hayro_jbig2::{DecodeSettings, Globals, Page};
        let settings = DecodeSettings::default();
        let globals = match params.and_then(|p| self.get(p, b"JBIG2Globals")) {
            Some(Object::Stream(s)) => {
                let bytes = inflate::decode(s, self.limits.max_pdf_stream_bytes)
                    .map_err(|OverLimit| self.unreadable("JBIG2 globals too large"))?;
                let globals = Globals::new(&bytes, &settings)
                    .map_err(|e| self.unreadable(format!("JBIG2 globals: {e:?}")))?;
                Some(globals)
            }
            _ => None,
        };
        let page = Page::new_embedded(data, globals.as_ref(), &settings)
            .map_err(|e| self.unreadable(format!("JBIG2 data: {e:?}")))?;
        let (w, h) = (page.width(), page.height());
        self.check_pixels(w as u64, h as u64)?;
        let mut sink = Jbig2Rows::new(w, h);
        page.decode(&mut sink)
            .map_err(|e| self.unreadable(format!("JBIG2 data: {e:?}")))?;
        Ok(Decoded::Bits(sink.bits, w, h))
    }

    /// JPEG 2000 (a JP2 file or a bare codestream) to gray, with its own colour
    /// space (which the PDF's `/ColorSpace` only repeats); alpha laid over white.
    fn jpx(&self, data: &[u8]) -> Result<GrayImage, IngestError> {
        use hayro_jpeg2000::{DecodeSettings, DecoderContext, Image};
        let fail = |e: hayro_jpeg2000::DecodeError| self.unreadable(format!("JPEG 2000: {e:?}"));
        let image = Image::new(data, &DecodeSettings::default()).map_err(fail)?;
        let (w, h) = (image.width(), image.height());
        self.check_pixels(w as u64, h as u64)?;
        let alpha = image.has_alpha();
        let channels = image.color_space().num_channels() as usize;
        let space = match channels {
            3 => Space::Rgb,
            4 => Space::Cmyk,
            _ => Space::Gray,
        };
        let mut ctx = DecoderContext::default();
        let samples = image.decode(&mut ctx).map_err(fail)?.data_u8();
        let step = channels + alpha as usize;
        if samples.len() < w as usize * h as usize * step {
            return Err(self.unreadable("JPEG 2000: fewer samples than pixels"));
        }
        let mut values = vec![0.0f32; channels.min(4)];
        let pixels = samples
            .chunks_exact(step)
            .map(|p| {
                let g = if channels == 1 || channels > 4 {
                    p[0]
                } else {
                    for (v, &s) in values.iter_mut().zip(p) {
                        *v = s as f32 / 255.0;
                    }
                    space.gray(&values)
                };
                match alpha {
                    true => over_white_pixel(g, p[step - 1]),
                    false => g,
                }
            })
            .collect();
        GrayImage::from_raw(w, h, pixels).ok_or_else(|| self.unreadable("JPEG 2000: bad size"))
    }

    /// A colour space: a name or an array, `depth` deep in Indexed bases.
    fn space(&self, cs: &Object, depth: usize) -> Result<Space, IngestError> {
        let unsupported = |what: &str| self.unreadable(format!("colour space {what}"));
        let (family, args): (&[u8], &[Object]) = match cs {
            Object::Name(n) => (n, &[]),
            Object::Array(a) => match a.first().and_then(|f| resolve(self.doc, f)) {
                Some(Object::Name(n)) => (n, &a[1..]),
                _ => return Err(unsupported("(an array without a name)")),
            },
            Object::Reference(_) => match resolve(self.doc, cs) {
                Some(o) if depth < 4 => return self.space(o, depth + 1),
                _ => return Err(unsupported("(a broken reference)")),
            },
            _ => return Err(unsupported("(not a name or an array)")),
        };
        let arg = |i: usize| args.get(i).and_then(|o| resolve(self.doc, o));
        Ok(match family {
            b"DeviceGray" | b"G" | b"CalGray" => Space::Gray,
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Space::Rgb,
            b"DeviceCMYK" | b"CMYK" => Space::Cmyk,
            b"Lab" => Space::Lab,
            b"ICCBased" => {
                let Some(Object::Stream(profile)) = arg(0) else {
                    return Err(unsupported("ICCBased without its profile"));
                };
                match self.get(&profile.dict, b"Alternate") {
                    Some(alt) if depth < 4 => match self.space(alt, depth + 1) {
                        Ok(s) => return Ok(s),
                        Err(_) => self.by_components(&profile.dict)?,
                    },
                    _ => self.by_components(&profile.dict)?,
                }
            }
            b"Separation" => {
                let none = matches!(arg(0), Some(Object::Name(n)) if n == b"None");
                Space::Tint { n: 1, none }
            }
            b"DeviceN" => {
                let n = arg(0)
                    .and_then(|names| names.as_array().ok())
                    .map_or(1, |names| names.len().max(1));
                Space::Tint { n, none: false }
            }
            b"Indexed" | b"I" if depth < 4 => {
                let base = match arg(0) {
                    Some(b) => self.space(b, depth + 1)?,
                    None => return Err(unsupported("Indexed without a base")),
                };
                if matches!(base, Space::Indexed { .. }) {
                    return Err(unsupported("Indexed over Indexed"));
                }
                let hival = arg(1)
                    .and_then(|h| h.as_i64().ok())
                    .unwrap_or(255)
                    .clamp(0, 255) as usize;
                let lookup = match arg(2) {
                    Some(Object::String(s, _)) => s.clone(),
                    Some(Object::Stream(s)) => inflate::decode(s, 1 << 20)
                        .map_err(|OverLimit| unsupported("Indexed with a huge lookup table"))?,
                    _ => return Err(unsupported("Indexed without a lookup table")),
                };
                Space::Indexed {
                    base: Box::new(base),
                    hival,
                    lookup,
                }
            }
            other => return Err(unsupported(&String::from_utf8_lossy(other))),
        })
    }

    fn by_components(&self, profile: &Dictionary) -> Result<Space, IngestError> {
        match self.get(profile, b"N").and_then(|n| n.as_i64().ok()) {
            Some(1) => Ok(Space::Gray),
            Some(3) => Ok(Space::Rgb),
            Some(4) => Ok(Space::Cmyk),
            n => Err(self.unreadable(format!("ICCBased with {n:?} components"))),
        }
    }
}

/// The whole error message, its sources after colons.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s += &format!(": {inner}");
        source = inner.source();
    }
    s
}

/// Rows of bits from the fax decoder, white until drawn.
struct FaxRows {
    bits: Vec<u8>,
    stride: usize,
    columns: u32,
    rows: u32,
    row: u32,
    black: bool,
}

impl FaxRows {
    fn new(columns: u32, rows: u32, black_is_1: bool) -> Self {
        let stride = (columns as usize).div_ceil(8);
        let white = if black_is_1 { 0 } else { 0xFF };
        FaxRows {
            bits: vec![white; stride * rows as usize],
            stride,
            columns,
            rows,
            row: 0,
            black: black_is_1,
        }
    }
}

impl hayro_ccitt::Decoder for FaxRows {
    fn push_row(&mut self, changes: &[u32]) {
        if self.row >= self.rows {
            return;
        }
        let row = &mut self.bits[self.row as usize * self.stride..][..self.stride];
        for run in changes.chunks(2) {
            let end = run
                .get(1)
                .copied()
                .unwrap_or(self.columns)
                .min(self.columns);
            for x in run[0].min(end)..end {
                let (byte, bit) = (x as usize / 8, 7 - x % 8);
                if self.black {
                    row[byte] |= 1 << bit;
                } else {
                    row[byte] &= !(1 << bit);
                }
            }
        }
        self.row += 1;
    }
}

/// Rows of bits from the JBIG2 decoder, 0 for black as a PDF image has them.
struct Jbig2Rows {
    bits: Vec<u8>,
    stride: usize,
    height: u32,
    row: u32,
    x: usize,
}

impl Jbig2Rows {
    fn new(width: u32, height: u32) -> Self {
        let stride = (width as usize).div_ceil(8);
        Jbig2Rows {
            bits: vec![0xFF; stride * height as usize],
            stride,
            height,
            row: 0,
            x: 0,
        }
    }
}

impl hayro_jbig2::Decoder for Jbig2Rows {
    fn push_pixel(&mut self, black: bool) {
        if self.row < self.height && self.x < self.stride * 8 {
            if black {
                let at = self.row as usize * self.stride + self.x / 8;
                self.bits[at] &= !(0x80 >> (self.x % 8));
            }
            self.x += 1;
        }
    }

    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        for _ in 0..chunk_count as usize * 8 {
            self.push_pixel(black);
        }
    }

    fn next_line(&mut self) {
        self.row += 1;
        self.x = 0;
    }
}

/// Hex digits to bytes, up to `>`; whitespace skipped, an odd last digit
/// followed by 0.
fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high = None;
    for &b in data {
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            b'>' => break,
            _ => continue,
        };
        match high.take() {
            None => high = Some(v),
            Some(h) => out.push(h << 4 | v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    out
}

/// PackBits-style run lengths (PDF's RunLengthDecode), held to `cap` bytes.
fn run_length(data: &[u8], cap: u64) -> Result<Vec<u8>, OverLimit> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&len) = data.get(i) {
        match len {
            128 => break,
            0..=127 => {
                let end = (i + 2 + len as usize).min(data.len());
                out.extend_from_slice(&data[i + 1..end]);
                i = end;
            }
            _ => {
                let Some(&b) = data.get(i + 1) else { break };
                out.extend(std::iter::repeat_n(b, 257 - len as usize));
                i += 2;
            }
        }
        if out.len() as u64 > cap {
            return Err(OverLimit);
        }
    }
    Ok(out)
}

/// Undoes a Flate or LZW predictor (`/Predictor` 2: TIFF, 10 to 15: PNG), rows
/// of `/Columns` pixels of `/Colors` components of `/BitsPerComponent` bits.
fn predict(data: Vec<u8>, params: Option<&Dictionary>, cap: u64) -> Result<Vec<u8>, String> {
    let get = |k: &[u8], default: i64| {
        params
            .and_then(|p| p.get(k).ok())
            .and_then(|v| v.as_i64().ok())
            .unwrap_or(default)
    };
    let predictor = get(b"Predictor", 1);
    if predictor <= 1 {
        return Ok(data);
    }
    let colors = get(b"Colors", 1).clamp(1, 32) as usize;
    let bpc = get(b"BitsPerComponent", 8);
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("a predictor on {bpc} bits per component"));
    }
    let bpc = bpc as usize;
    let columns = get(b"Columns", 1).max(1) as u64;
    let row = (columns * (colors * bpc) as u64).div_ceil(8);
    if row > cap {
        return Err(format!("a predictor on rows of {columns} columns"));
    }
    let row = row as usize;
    let bpp = (colors * bpc).div_ceil(8);
    match predictor {
        2 => {
            let mut out = data;
            for line in out.chunks_mut(row) {
                tiff_row(line, colors, bpc);
            }
            Ok(out)
        }
        10..=15 => {
            let mut out = Vec::with_capacity(data.len() / (row + 1) * row);
            let mut prev = vec![0u8; row];
            for line in data.chunks(row + 1) {
                let (kind, line) = (line[0], &line[1..]);
                let mut cur = line.to_vec();
                cur.resize(row, 0);
                for i in 0..row {
                    let a = if i >= bpp { cur[i - bpp] } else { 0 };
                    let (b, c) = (prev[i], if i >= bpp { prev[i - bpp] } else { 0 });
                    cur[i] = cur[i].wrapping_add(match kind {
                        1 => a,
                        2 => b,
                        3 => ((a as u16 + b as u16) / 2) as u8,
                        4 => paeth(a, b, c),
                        _ => 0,
                    });
                }
                out.extend_from_slice(&cur[..line.len().min(row)]);
                prev = cur;
            }
            Ok(out)
        }
        p => Err(format!("predictor {p}")),
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let (pa, pb, pc) = (
        (p - a as i16).abs(),
        (p - b as i16).abs(),
        (p - c as i16).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Undoes TIFF horizontal differencing on one row.
fn tiff_row(line: &mut [u8], colors: usize, bpc: usize) {
    let samples = line.len() * 8 / bpc;
    let max = if bpc == 16 { 0xFFFF } else { (1u32 << bpc) - 1 };
    for i in colors..samples {
        let v = sample(line, i, bpc).wrapping_add(sample(line, i - colors, bpc)) & max;
        put_sample(line, i, bpc, v);
    }
}

/// The `i`-th sample of `bpc` bits in `row` (big-endian, as PDF packs them).
fn sample(row: &[u8], i: usize, bpc: usize) -> u32 {
    match bpc {
        8 => row[i] as u32,
        16 => u16::from_be_bytes([row[2 * i], row[2 * i + 1]]) as u32,
        _ => {
            let bit = i * bpc;
            let shift = 8 - bpc - bit % 8;
            (row[bit / 8] as u32 >> shift) & ((1 << bpc) - 1)
        }
    }
}

fn put_sample(row: &mut [u8], i: usize, bpc: usize, v: u32) {
    match bpc {
        8 => row[i] = v as u8,
        16 => row[2 * i..2 * i + 2].copy_from_slice(&(v as u16).to_be_bytes()),
        _ => {
            let bit = i * bpc;
            let shift = 8 - bpc - bit % 8;
            let mask = (((1u32 << bpc) - 1) << shift) as u8;
            row[bit / 8] = (row[bit / 8] & !mask) | ((v << shift) as u8 & mask);
        }
    }
}

/// A colour space, as far as gray needs it.
#[derive(Debug, Clone, PartialEq)]
enum Space {
    Gray,
    Rgb,
    Cmyk,
    /// CIE L*a*b*: the lightness alone.
    Lab,
    /// Separation or DeviceN: `n` tints of inks, the darkest taken; `/None`
    /// paints nothing.
    Tint {
        n: usize,
        none: bool,
    },
    /// A palette of `hival + 1` colours of `base`.
    Indexed {
        base: Box<Space>,
        hival: usize,
        lookup: Vec<u8>,
    },
}

impl Space {
    fn components(&self) -> usize {
        match self {
            Space::Gray | Space::Indexed { .. } => 1,
            Space::Rgb | Space::Lab => 3,
            Space::Cmyk => 4,
            Space::Tint { n, .. } => *n,
        }
    }

    /// The default `/Decode` of component `c` for samples up to `max`.
    fn range(&self, c: usize, max: f32) -> (f32, f32) {
        match self {
            Space::Indexed { .. } => (0.0, max),
            Space::Lab if c == 0 => (0.0, 100.0),
            Space::Lab => (-100.0, 100.0),
            _ => (0.0, 1.0),
        }
    }

    /// Gray (0 black, 255 white) of one colour's component values.
    fn gray(&self, v: &[f32]) -> u8 {
        let level = match self {
            Space::Gray => v[0],
            Space::Rgb => 0.299 * v[0] + 0.587 * v[1] + 0.114 * v[2],
            Space::Cmyk => {
                let k = 1.0 - v[3].clamp(0.0, 1.0);
                let (r, g, b) = ((1.0 - v[0]) * k, (1.0 - v[1]) * k, (1.0 - v[2]) * k);
                0.299 * r + 0.587 * g + 0.114 * b
            }
            Space::Lab => v[0] / 100.0,
            Space::Tint { none: true, .. } => 1.0,
            Space::Tint { .. } => 1.0 - v.iter().copied().fold(0.0, f32::max),
            Space::Indexed {
                base,
                hival,
                lookup,
            } => {
                let index = (v[0].round().max(0.0) as usize).min(*hival);
                let m = base.components();
                let mut values = [0.0f32; 32];
                for (c, value) in values.iter_mut().enumerate().take(m) {
                    let byte = lookup.get(index * m + c).copied().unwrap_or(0);
                    let (lo, hi) = base.range(c, 255.0);
                    *value = lo + byte as f32 / 255.0 * (hi - lo);
                }
                return base.gray(&values[..m]);
            }
        };
        (level.clamp(0.0, 1.0) * 255.0).round() as u8
    }
}

/// How an image's samples become gray.
struct Pixels {
    space: Space,
    bpc: u32,
    decode: Option<Vec<f32>>,
    /// A stencil mask: where the (decoded) sample is 0 it paints black.
    stencil: bool,
}

/// Samples packed in rows (each row starting on a byte) to gray; rows the data
/// does not reach are white.
fn raw_to_gray(data: &[u8], w: u32, h: u32, pixels: &Pixels) -> GrayImage {
    let n = pixels.space.components().clamp(1, 32);
    let bpc = pixels.bpc as usize;
    // 16-bit samples are read by their high byte
    let levels = if bpc == 16 { 256 } else { 1 << bpc };
    let max = (levels - 1) as f32;
    // per component: sample -> value in the colour space's range
    let tables: Vec<Vec<f32>> = (0..n)
        .map(|c| {
            let (lo, hi) = match &pixels.decode {
                Some(d) => (d[2 * c], d[2 * c + 1]),
                None => pixels.space.range(c, max),
            };
            (0..levels)
                .map(|s| lo + s as f32 * (hi - lo) / max)
                .collect()
        })
        .collect();
    let one: Vec<u8> = if n == 1 {
        tables[0]
            .iter()
            .map(|&v| match pixels.stencil {
                true if v < 0.5 => 0,
                true => 255,
                false => pixels.space.gray(&[v]),
            })
            .collect()
    } else {
        Vec::new()
    };
    let stride = (w as usize * n * bpc).div_ceil(8);
    let mut out = vec![255u8; w as usize * h as usize];
    let mut values = vec![0.0f32; n];
    for (row, line) in out.chunks_exact_mut(w as usize).enumerate() {
        let Some(src) = data.get(row * stride..(row + 1) * stride) else {
            break;
        };
        for (x, px) in line.iter_mut().enumerate() {
            let at = |c: usize| {
                let s = sample(src, x * n + c, bpc) as usize;
                if bpc == 16 {
                    s >> 8
                } else {
                    s
                }
            };
            *px = if n == 1 {
                one[at(0)]
            } else {
                for (c, v) in values.iter_mut().enumerate() {
                    *v = tables[c][at(c)];
                }
                pixels.space.gray(&values)
            };
        }
    }
    GrayImage::from_raw(w, h, out).expect("w x h pixels")
}

/// `gray` seen through `alpha` (its own size, stretched) over white.
fn over_white(mut gray: GrayImage, alpha: &GrayImage) -> GrayImage {
    let (w, h) = gray.dimensions();
    let (aw, ah) = alpha.dimensions();
    for (x, y, px) in gray.enumerate_pixels_mut() {
        let ax = (x as u64 * aw as u64 / w as u64) as u32;
        let ay = (y as u64 * ah as u64 / h as u64) as u32;
        px.0[0] = over_white_pixel(px.0[0], alpha.get_pixel(ax, ay).0[0]);
    }
    gray
}

fn over_white_pixel(gray: u8, alpha: u8) -> u8 {
    let (g, a) = (gray as u32, alpha as u32);
    ((g * a + 255 * (255 - a) + 127) / 255) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{fixtures, PageInput};

    /// The page image of a one-page scan whose image XObject has `dict` (after
    /// `/Type /XObject /Subtype /Image`) and `data`; `more` are objects 6 and on.
    fn decoded_with(dict: &str, data: &[u8], more: &[Vec<u8>]) -> Result<GrayImage, IngestError> {
        let image = fixtures::stream(&format!("/Type /XObject /Subtype /Image {dict}"), data);
        let mut pdf_objects = vec![image];
        pdf_objects.extend_from_slice(more);
        let pdf = scanned_page_with(&pdf_objects);
        let (_, mut pages) = crate::read_document(&pdf, &Limits::default())?;
        match pages.pop() {
            Some(PageInput::Image { image, .. }) => Ok(image),
            other => panic!("not an image page: {other:?}"),
        }
    }

    fn decoded(dict: &str, data: &[u8]) -> GrayImage {
        decoded_with(dict, data, &[]).unwrap_or_else(|e| panic!("{dict}: {e}"))
    }

    /// [`fixtures::scanned_pages`] of one page whose image is object 5, with
    /// more objects after it.
    fn scanned_page_with(objects: &[Vec<u8>]) -> Vec<u8> {
        let mut all = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
              /Resources << /XObject << /Im1 5 0 R >> >> >>"
                .to_vec(),
            fixtures::stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
        ];
        all.extend_from_slice(objects);
        fixtures::pdf(&all)
    }

    fn gray(width: u32, rest: &str) -> String {
        format!("/Width {width} /ColorSpace /DeviceGray /BitsPerComponent 8 {rest}")
    }

    /// 4 x 2 gray pixels, every value different.
    const PIXELS: [u8; 8] = [0, 40, 80, 120, 160, 200, 240, 255];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn ascii_hex_encode(data: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = data
            .iter()
            .flat_map(|b| format!("{b:02X} ").into_bytes())
            .collect();
        out.push(b'>');
        out
    }

    fn ascii85_encode(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in data.chunks(4) {
            let mut group = [0u8; 4];
            group[..chunk.len()].copy_from_slice(chunk);
            let mut v = u32::from_be_bytes(group);
            if v == 0 && chunk.len() == 4 {
                out.push(b'z');
                continue;
            }
            let mut digits = [0u8; 5];
            for d in digits.iter_mut().rev() {
                *d = b'!' + (v % 85) as u8;
                v /= 85;
            }
            out.extend_from_slice(&digits[..chunk.len() + 1]);
            out.push(b'\n');
        }
        out.extend_from_slice(b"~>");
        out
    }

    /// Literal runs of up to 3 bytes and repeat runs, ended by 128.
    fn run_length_encode(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < data.len() {
            let run = data[i..]
                .iter()
                .take_while(|&&b| b == data[i])
                .count()
                .min(128);
            if run >= 2 {
                out.extend_from_slice(&[(257 - run) as u8, data[i]]);
                i += run;
            } else {
                let n = (data.len() - i).min(3);
                out.push(n as u8 - 1);
                out.extend_from_slice(&data[i..i + n]);
                i += n;
            }
        }
        out.push(128);
        out
    }

    fn lzw_encode(data: &[u8], early_change: bool) -> Vec<u8> {
        use weezl::{encode::Encoder, BitOrder};
        let mut encoder = if early_change {
            Encoder::with_tiff_size_switch(BitOrder::Msb, 8)
        } else {
            Encoder::new(BitOrder::Msb, 8)
        };
        encoder.encode(data).unwrap()
    }

    /// Rows of `row` bytes PNG-filtered, row `i` with filter `kinds[i % 5]`.
    fn png_encode(data: &[u8], row: usize, bpp: usize, kinds: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut prev = vec![0u8; row];
        for (i, line) in data.chunks(row).enumerate() {
            let kind = kinds[i % kinds.len()];
            out.push(kind);
            for x in 0..row {
                let a = if x >= bpp { line[x - bpp] } else { 0 };
                let (b, c) = (prev[x], if x >= bpp { prev[x - bpp] } else { 0 });
                out.push(line[x].wrapping_sub(match kind {
                    1 => a,
                    2 => b,
                    3 => ((a as u16 + b as u16) / 2) as u8,
                    4 => paeth(a, b, c),
                    _ => 0,
                }));
            }
            prev = line.to_vec();
        }
        out
    }

    #[test]
    fn each_byte_filter_and_chain_decodes_exactly() {
        let flate = fixtures::zlib(&PIXELS);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("", PIXELS.to_vec()),
            ("/Filter /FlateDecode", flate.clone()),
            ("/Filter /Fl", flate.clone()),
            ("/Filter /ASCIIHexDecode", ascii_hex_encode(&PIXELS)),
            ("/Filter /AHx", ascii_hex_encode(&PIXELS)),
            ("/Filter /ASCII85Decode", ascii85_encode(&PIXELS)),
            ("/Filter /A85", ascii85_encode(&[0, 0, 0, 0, 9, 9, 9, 9])),
            ("/Filter /RunLengthDecode", run_length_encode(&PIXELS)),
            ("/Filter /LZWDecode", lzw_encode(&PIXELS, true)),
            (
                "/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>",
                lzw_encode(&PIXELS, false),
            ),
            (
                "/Filter [/ASCII85Decode /FlateDecode]",
                ascii85_encode(&flate),
            ),
            (
                "/Filter [/ASCIIHexDecode /RunLengthDecode]",
                ascii_hex_encode(&run_length_encode(&PIXELS)),
            ),
            (
                "/Filter [/ASCII85Decode /LZWDecode /FlateDecode]",
                ascii85_encode(&lzw_encode(&flate, true)),
            ),
            (
                "/Filter [/ASCIIHexDecode /FlateDecode] \
                 /DecodeParms [null << /Predictor 12 /Columns 4 >>]",
                ascii_hex_encode(&fixtures::zlib(&png_encode(&PIXELS, 4, 1, &[2]))),
            ),
        ];
        for (filter, data) in cases {
            let image = decoded(&gray(4, &format!("/Height 2 {filter}")), &data);
            let want: &[u8] = if filter == "/Filter /A85" {
                &[0, 0, 0, 0, 9, 9, 9, 9]
            } else {
                &PIXELS
            };
            assert_eq!(image.dimensions(), (4, 2), "{filter}");
            assert_eq!(image.as_raw(), want, "{filter}");
        }
    }

    #[test]
    fn ascii_filters_end_short_groups_and_odd_digits() {
        // 5 and 7 bytes: a last ASCII85 group of 2 and 4 characters
        for n in [5, 7] {
            let dict = gray(n, "/Height 1 /Filter /ASCII85Decode");
            let data = &[3, 1, 4, 1, 5, 9, 2][..n as usize];
            assert_eq!(decoded(&dict, &ascii85_encode(data)).as_raw(), data);
        }
        // "<~" opens a group; an odd last hex digit is followed by 0
        let dict = gray(3, "/Height 1 /Filter /ASCII85Decode");
        assert_eq!(decoded(&dict, b"<~!<N?~>").as_raw(), &[1, 2, 3]);
        let dict = gray(3, "/Height 1 /Filter /ASCIIHexDecode");
        assert_eq!(decoded(&dict, b"01 0\n2 f>").as_raw(), &[1, 2, 240]);
    }

    #[test]
    fn png_and_tiff_predictors_undo_exactly() {
        // 3 x 5 RGB, 8 bits: each of the five PNG filters on one row
        let rgb: Vec<u8> = (0..45u32).map(|i| (i * 37 % 251) as u8).collect();
        let want: Vec<u8> = rgb
            .chunks(3)
            .map(|p| {
                Space::Rgb.gray(&[
                    p[0] as f32 / 255.0,
                    p[1] as f32 / 255.0,
                    p[2] as f32 / 255.0,
                ])
            })
            .collect();
        let png = png_encode(&rgb, 9, 3, &[0, 1, 2, 3, 4]);
        for (filter, data) in [
            ("/Filter /FlateDecode", fixtures::zlib(&png)),
            ("/Filter /LZWDecode", lzw_encode(&png, true)),
        ] {
            let dict = format!(
                "/Width 3 /Height 5 /ColorSpace /DeviceRGB /BitsPerComponent 8 {filter} \
                 /DecodeParms << /Predictor 15 /Colors 3 /Columns 3 >>"
            );
            assert_eq!(decoded(&dict, &data).as_raw(), &want, "{filter}");
        }
        // TIFF predictor 2, 8 bits, 3 colours
        let mut tiff = rgb.clone();
        for line in tiff.chunks_mut(9) {
            for i in (3..9).rev() {
                line[i] = line[i].wrapping_sub(line[i - 3]);
            }
        }
        let dict = "/Width 3 /Height 5 /ColorSpace /DeviceRGB /BitsPerComponent 8 \
                    /Filter /FlateDecode /DecodeParms << /Predictor 2 /Colors 3 /Columns 3 >>";
        assert_eq!(decoded(dict, &fixtures::zlib(&tiff)).as_raw(), &want);
        // TIFF predictor 2, 16 bits, gray: the high bytes are the pixels
        let wide: Vec<u16> = PIXELS.iter().map(|&p| p as u16 * 257).collect();
        let mut diffs = Vec::new();
        for line in wide.chunks(4) {
            for (i, v) in line.iter().enumerate() {
                let d = if i == 0 {
                    *v
                } else {
                    v.wrapping_sub(line[i - 1])
                };
                diffs.extend_from_slice(&d.to_be_bytes());
            }
        }
        let dict = "/Width 4 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 16 \
                    /Filter /FlateDecode \
                    /DecodeParms << /Predictor 2 /Colors 1 /BitsPerComponent 16 /Columns 4 >>";
        assert_eq!(decoded(dict, &fixtures::zlib(&diffs)).as_raw(), &PIXELS);
    }

    #[test]
    fn gray_of_every_bit_depth() {
        // 1, 2 and 4 bits: rows start on a byte
        let cases: [(u32, &[u8], &[u8]); 4] = [
            (
                1,
                &[0b1010_0000, 0b0110_0000],
                &[255, 0, 255, 0, 0, 255, 255, 0],
            ),
            (
                2,
                &[0b0001_1011, 0b1110_0100],
                &[0, 85, 170, 255, 255, 170, 85, 0],
            ),
            (
                4,
                &[0x0F, 0x5A, 0xF0, 0x33],
                &[0, 255, 85, 170, 255, 0, 51, 51],
            ),
            (
                16,
                &[
                    0, 0, 0x80, 0, 0xFF, 0xFF, 1, 0, 0xFF, 0, 0, 9, 0x10, 0, 0x20, 0,
                ],
                &[0, 128, 255, 1, 255, 0, 16, 32],
            ),
        ];
        for (bits, data, want) in cases {
            let dict =
                format!("/Width 4 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent {bits}");
            assert_eq!(decoded(&dict, data).as_raw(), want, "{bits} bits");
        }
    }

    #[test]
    fn colour_spaces_become_gray() {
        // white, black, red, green, blue, and the same in other spaces
        let rgb = [255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
        let want = [255, 0, 76, 150, 29];
        let icc = |n: u32, alt: &str| fixtures::stream(&format!("/N {n} {alt}"), b"");
        let rgb_dict =
            |space: &str| format!("/Width 5 /Height 1 /ColorSpace {space} /BitsPerComponent 8");
        for (space, more) in [
            ("/DeviceRGB", vec![]),
            ("/CalRGB", vec![]),
            ("[/CalRGB << /WhitePoint [0.95 1 1.09] >>]", vec![]),
            ("[/ICCBased 6 0 R]", vec![icc(3, "")]),
            ("[/ICCBased 6 0 R]", vec![icc(3, "/Alternate /DeviceRGB")]),
            ("6 0 R", vec![b"[/ICCBased 7 0 R]".to_vec(), icc(3, "")]),
        ] {
            let image = decoded_with(&rgb_dict(space), &rgb, &more).unwrap();
            assert_eq!(image.as_raw(), &want, "{space}");
        }
        let cmyk = [
            0, 0, 0, 0, 0, 0, 0, 255, 0, 255, 255, 0, 255, 0, 255, 0, 255, 255, 0, 0,
        ];
        let cmyk_dict =
            |space: &str| format!("/Width 5 /Height 1 /ColorSpace {space} /BitsPerComponent 8");
        for (space, more) in [
            ("/DeviceCMYK", vec![]),
            ("[/ICCBased 6 0 R]", vec![icc(4, "")]),
        ] {
            let image = decoded_with(&cmyk_dict(space), &cmyk, &more).unwrap();
            assert_eq!(image.as_raw(), &want, "{space}");
        }
        let grays = [0, 100, 255];
        for (space, more) in [
            ("/DeviceGray", vec![]),
            ("/CalGray", vec![]),
            ("[/CalGray << /WhitePoint [0.95 1 1.09] >>]", vec![]),
            ("[/ICCBased 6 0 R]", vec![icc(1, "")]),
            ("[/ICCBased 6 0 R]", vec![icc(4, "/Alternate /DeviceGray")]),
        ] {
            let dict = format!("/Width 3 /Height 1 /ColorSpace {space} /BitsPerComponent 8");
            assert_eq!(
                decoded_with(&dict, &grays, &more).unwrap().as_raw(),
                &grays,
                "{space}"
            );
        }
        // Lab: the lightness L* (0 to 100) alone
        let lab = [0, 128, 128, 255, 0, 255, 128, 10, 10];
        let dict = "/Width 3 /Height 1 /ColorSpace [/Lab << /WhitePoint [0.95 1 1.09] >>] \
                    /BitsPerComponent 8";
        assert_eq!(decoded(dict, &lab).as_raw(), &[0, 255, 128]);
        // Separation and DeviceN: ink tint, 1 the full ink (black), the darkest ink
        let dict = "/Width 3 /Height 1 /BitsPerComponent 8 \
                    /ColorSpace [/Separation /Spot /DeviceCMYK 6 0 R]";
        let tint = fixtures::stream(
            "/FunctionType 4 /Domain [0 1] /Range [0 1 0 1 0 1 0 1]",
            b"{0 0 0 4 -1 roll}",
        );
        let image = decoded_with(dict, &[0, 51, 255], std::slice::from_ref(&tint)).unwrap();
        assert_eq!(image.as_raw(), &[255, 204, 0]);
        let dict = "/Width 2 /Height 1 /BitsPerComponent 8 \
                    /ColorSpace [/DeviceN [/Cyan /Spot] /DeviceCMYK 6 0 R]";
        let image = decoded_with(dict, &[0, 0, 51, 255], std::slice::from_ref(&tint)).unwrap();
        assert_eq!(image.as_raw(), &[255, 0]);
        let dict = "/Width 1 /Height 1 /BitsPerComponent 8 \
                    /ColorSpace [/Separation /None /DeviceGray 6 0 R]";
        assert_eq!(
            decoded_with(dict, &[255], &[tint]).unwrap().as_raw(),
            &[255]
        );
    }

    #[test]
    fn indexed_colours_look_up_their_palette() {
        // palette: red, white, black, blue (RGB); 2 bits an index
        let palette = [255, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 255];
        let data = [0b0001_1011];
        let want = [76, 255, 0, 29];
        let string_lookup = format!(
            "/Width 4 /Height 1 /BitsPerComponent 2 /ColorSpace [/Indexed /DeviceRGB 3 <{}>]",
            palette
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        assert_eq!(decoded(&string_lookup, &data).as_raw(), &want);
        let stream_lookup =
            "/Width 4 /Height 1 /BitsPerComponent 2 /ColorSpace [/Indexed /DeviceRGB 3 6 0 R]";
        let lookup = fixtures::stream("/Filter /FlateDecode", &fixtures::zlib(&palette));
        assert_eq!(
            decoded_with(stream_lookup, &data, &[lookup])
                .unwrap()
                .as_raw(),
            &want
        );
        // an ICC base, and a /Decode that turns the indices around
        let icc = fixtures::stream("/N 3", b"");
        let dict = format!(
            "/Width 4 /Height 1 /BitsPerComponent 2 /Decode [3 0] \
             /ColorSpace [/Indexed [/ICCBased 6 0 R] 3 <{}>]",
            palette
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        assert_eq!(
            decoded_with(&dict, &data, &[icc]).unwrap().as_raw(),
            &[29, 0, 255, 76]
        );
    }

    #[test]
    fn decode_arrays_and_stencil_masks() {
        let dict = gray(4, "/Height 2 /Decode [1 0]");
        let inverted: Vec<u8> = PIXELS.iter().map(|p| 255 - p).collect();
        assert_eq!(decoded(&dict, &PIXELS).as_raw(), &inverted);
        // half the range
        let dict = gray(2, "/Height 1 /Decode [0 0.5]");
        assert_eq!(decoded(&dict, &[0, 255]).as_raw(), &[0, 128]);
        // a stencil mask paints where its sample is 0 ([0 1]) or 1 ([1 0])
        let mask = "/Width 4 /Height 1 /ImageMask true";
        assert_eq!(decoded(mask, &[0b0011_0000]).as_raw(), &[0, 0, 255, 255]);
        let mask = "/Width 4 /Height 1 /ImageMask true /Decode [1 0]";
        assert_eq!(decoded(mask, &[0b0011_0000]).as_raw(), &[255, 255, 0, 0]);
        let mask = "/Width 4 /Height 1 /ImageMask true /BitsPerComponent 1 /Decode [1 0]";
        assert_eq!(decoded(mask, &[0b0011_0000]).as_raw(), &[255, 255, 0, 0]);
    }

    #[test]
    fn soft_mask_lays_the_image_over_white() {
        // black image; the mask opaque, transparent, half; a mask of another size
        let dict = gray(3, "/Height 1 /SMask 6 0 R");
        let smask = fixtures::stream(
            "/Type /XObject /Subtype /Image /Width 3 /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 8",
            &[255, 0, 128],
        );
        assert_eq!(
            decoded_with(&dict, &[0, 0, 0], &[smask]).unwrap().as_raw(),
            &[0, 255, 127]
        );
        let smask = fixtures::stream(
            "/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray \
             /BitsPerComponent 1 /Filter /ASCIIHexDecode",
            b"00>",
        );
        assert_eq!(
            decoded_with(&dict, &[0, 0, 0], &[smask]).unwrap().as_raw(),
            &[255, 255, 255]
        );
    }

    /// The 16 x 4 bi-level test pattern the fax samples below code, by rows;
    /// '1' black.
    const PATTERN: [&str; 4] = [
        "1001010100101010",
        "0101001010100101",
        "0010101001010100",
        "1010010101001010",
    ];

    fn pattern(black: u8) -> Vec<u8> {
        PATTERN
            .concat()
            .bytes()
            .map(|b| if b == b'1' { black } else { 255 - black })
            .collect()
    }

    // CCITT fax samples of PATTERN, written once by libtiff 4 (through Pillow
    // 13, `Image.save(compression="group4" | "group3")`, T4Options 1 for 2-D),
    // taken from the TIFF strips. The TIFF is min-is-black, so the codes' black
    // runs are the pattern's white pixels (/BlackIs1 true reads it the right
    // way round), as poppler's pdfimages reads them too.
    const G4: &str = "\
        23e47447447c8e8104a820b6820b696d0416d0416ded0416d04a002002";
    const G3: &str = "\
        0011f1d0e87c743a1d0009aa1d0f8e8743e3a1c004d71d0e87c743a1f0011d0f8e8743e3a1d0";
    const G3_2D: &str = "\
        0018f8e8743e3a1d0e8004820b6820b6940066b8e8743e3a1d0f8009ed0416d04a";
    const JPX_GRAY_J2K: &str = "\
        ff4fff5100290000000000080000000600000000000000000000000800000006000000000000000000010701\
        01ff52000c00000001000204040001ff5c000a4040484850484850ff64002500014372656174656420627920\
        4f70656e4a5045472076657273696f6e20322e352e34ff90000a00000000002e0001ff93df8028078b70621d\
        c7da0900420d02ff7f08c1f38480f843001beda77f0cbd7fffd9";
    const JPX_GRAY_JP2: &str = "\
        0000000c6a5020200d0a870a00000014667479706a703220000000006a7032200000002d6a70326800000016\
        6968647200000006000000080001070700000000000f636f6c7201000000000011000000a66a703263ff4fff\
        510029000000000008000000060000000000000000000000080000000600000000000000000001070101ff52\
        000c00000001000204040001ff5c000a4040484850484850ff640025000143726561746564206279204f7065\
        6e4a5045472076657273696f6e20322e352e34ff90000a00000000002e0001ff93df8028078b70621dc7da09\
        00420d02ff7f08c1f38480f843001beda77f0cbd7fffd9";
    const JPX_RGB_J2K: &str = "\
        ff4fff51002f0000000000040000000200000000000000000000000400000002000000000000000000030701\
        01070101070101ff52000c00000001000104040001ff5c00074040484850ff64002500014372656174656420\
        6279204f70656e4a5045472076657273696f6e20322e352e34ff90000a0000000000550001ff93cfb40c0c56\
        37c7d40605e7bfdf80180713bfcfc00e7e0071f801800b3f5f06eabf02b280cfc00e3ed038fc00c00249c705\
        e7c3094787c0f9014fc00e3f00300a6e0bb06603f1e9ffd9";
    const JPEG_CMYK: &str = "\
        ffd8ffee000e41646f626500640000000000ffdb004300020101010101020101010202020202040302020202\
        0504040304060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0aff\
        c000140800100010044311004d11005911004b1100ffc4001f00000105010101010101000000000000000001\
        02030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613\
        516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a\
        434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495\
        969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3\
        e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda000e0443004d0059004b00003f00fdfcafdfcafdfcafdfca28\
        a2bf803a28a2bfbfca28a2bf803affd9";

    #[test]
    fn ccitt_group_3_and_4_decode() {
        let dict = |parms: &str| {
            format!(
                "/Width 16 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 1 \
                 /Filter /CCITTFaxDecode /DecodeParms << /Columns 16 {parms} >>"
            )
        };
        let cases = [
            ("/K -1 /BlackIs1 true", G4, 0),
            ("/K -1", G4, 255),
            ("/K -1 /Rows 4 /BlackIs1 true /EndOfBlock true", G4, 0),
            ("/K 0 /EndOfLine true /BlackIs1 true", G3, 0),
            ("/K 1 /EndOfLine true /BlackIs1 true", G3_2D, 0),
        ];
        for (parms, data, black) in cases {
            let image = decoded(&dict(parms), &hex(data));
            assert_eq!(image.dimensions(), (16, 4), "{parms}");
            assert_eq!(image.as_raw(), &pattern(black), "{parms}");
        }
        // a stencil mask in G4 paints black where the sample is 0
        let mask = "/Width 16 /Height 4 /ImageMask true /Filter /CCITTFaxDecode \
                    /DecodeParms << /K -1 /Columns 16 >>";
        assert_eq!(decoded(mask, &hex(G4)).as_raw(), &pattern(255));
        // chained after Flate (after ASCIIHex, pdf-extract 0.12.1 panics on the
        // page: it parses a drawn image's data as content operators)
        let chained = "/Width 16 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 1 \
                       /Filter [/Fl /CCF] /DecodeParms [null << /K -1 /Columns 16 >>]";
        assert_eq!(
            decoded(chained, &fixtures::zlib(&hex(G4))).as_raw(),
            &pattern(255)
        );
    }

    /// An embedded JBIG2 stream (T.88 Annex D.3) of one page whose only region
    /// is a generic region of `width` x `height`, MMR-coded: `mmr` is a Group 4
    /// fax code of it, whose black runs are JBIG2's black pixels.
    fn jbig2_mmr(width: u32, height: u32, mmr: &[u8]) -> Vec<u8> {
        let segment = |number: u32, kind: u8, data: &[u8]| {
            let mut s = number.to_be_bytes().to_vec();
            s.extend_from_slice(&[kind, 0, 1]); // type; no referred segments; page 1
            s.extend_from_slice(&(data.len() as u32).to_be_bytes());
            s.extend_from_slice(data);
            s
        };
        let mut page = [width.to_be_bytes(), height.to_be_bytes(), [0; 4], [0; 4]].concat();
        page.extend_from_slice(&[0, 0, 0]); // flags, striping
        let mut region = [width.to_be_bytes(), height.to_be_bytes(), [0; 4], [0; 4]].concat();
        region.extend_from_slice(&[0, 1]); // OR; generic region flags: MMR
        region.extend_from_slice(mmr);
        [
            segment(0, 48, &page),
            segment(1, 38, &region),
            segment(2, 49, &[]),
        ]
        .concat()
    }

    #[test]
    fn jbig2_decodes_with_and_without_globals() {
        // G4's black runs are PATTERN's white pixels: JBIG2 paints them black
        let data = jbig2_mmr(16, 4, &hex(G4));
        let dict = "/Width 16 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 1 \
                    /Filter /JBIG2Decode";
        assert_eq!(decoded(dict, &data).as_raw(), &pattern(255));
        let dict = format!("{dict} /Decode [1 0]");
        assert_eq!(decoded(&dict, &data).as_raw(), &pattern(0));
        // the globals stream (here compressed, holding no segment) is read and passed
        let globals = fixtures::stream("/Filter /FlateDecode", &fixtures::zlib(b""));
        let dict = "/Width 16 /Height 4 /ColorSpace /DeviceGray /BitsPerComponent 1 \
                    /Filter /JBIG2Decode /DecodeParms << /JBIG2Globals 6 0 R >>";
        assert_eq!(
            decoded_with(dict, &data, &[globals]).unwrap().as_raw(),
            &pattern(255)
        );
    }

    // JPEG 2000 samples, lossless (reversible 5/3), written once by OpenJPEG
    // 2.5.4 through Pillow 13: an 8 x 6 gray ramp (pixel (x, y) is (30x + 7y)
    // mod 256) as a bare codestream and as a JP2 file; 4 x 2 RGB: red, green,
    // blue, white, black, (128, 128, 128), (10, 20, 30), (200, 100, 50).
    // A JPEG of 16 x 16 CMYK, the left half no ink, the right half full black
    // (K 255), written by libjpeg through Pillow 13 (Adobe inverted CMYK).

    #[test]
    fn jpeg_2000_decodes_exactly() {
        let ramp: Vec<u8> = (0..6u32)
            .flat_map(|y| (0..8u32).map(move |x| ((x * 30 + y * 7) % 256) as u8))
            .collect();
        for data in [JPX_GRAY_J2K, JPX_GRAY_JP2] {
            let dict = "/Width 8 /Height 6 /ColorSpace /DeviceGray /BitsPerComponent 8 \
                        /Filter /JPXDecode";
            assert_eq!(decoded(dict, &hex(data)).as_raw(), &ramp);
        }
        // the colour space may be left to the codestream
        let dict = "/Width 4 /Height 2 /Filter /JPXDecode";
        let rgb = [76, 150, 29, 255, 0, 128, 18, 124];
        assert_eq!(decoded(dict, &hex(JPX_RGB_J2K)).as_raw(), &rgb);
    }

    #[test]
    fn jpeg_gray_inverted_and_cmyk() {
        let mut jpeg = Vec::new();
        GrayImage::from_fn(16, 8, |x, _| image::Luma([if x < 8 { 0 } else { 255 }]))
            .write_to(&mut std::io::Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        let dict = "/Width 16 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 \
                    /Filter /DCTDecode";
        let image = decoded(dict, &jpeg);
        assert!(image.get_pixel(2, 2).0[0] < 20 && image.get_pixel(13, 2).0[0] > 235);
        let image = decoded(&format!("{dict} /Decode [1 0]"), &jpeg);
        assert!(image.get_pixel(2, 2).0[0] > 235 && image.get_pixel(13, 2).0[0] < 20);
        let dict = "/Width 16 /Height 16 /ColorSpace /DeviceCMYK /BitsPerComponent 8 \
                    /Filter /DCTDecode";
        let image = decoded(dict, &hex(JPEG_CMYK));
        assert_eq!(image.dimensions(), (16, 16));
        let (white, black) = (image.get_pixel(2, 8).0[0], image.get_pixel(13, 8).0[0]);
        assert!(white > 235 && black < 40, "{white} {black}");
    }

    #[test]
    fn an_image_inside_a_form_is_found() {
        let pdf = fixtures::pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
              /Resources << /XObject << /Fm1 5 0 R >> >> >>"
                .to_vec(),
            fixtures::stream("", b"/Fm1 Do"),
            fixtures::stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 595 842] \
                 /Resources << /XObject << /Im1 6 0 R >> >>",
                b"q 595 0 0 842 0 0 cm /Im1 Do Q",
            ),
            fixtures::gray_image(4, 2, "", &PIXELS),
        ]);
        let (_, pages) = crate::read_document(&pdf, &Limits::default()).unwrap();
        match &pages[..] {
            [PageInput::Image { image, .. }] => assert_eq!(image.as_raw(), &PIXELS),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn run_length_and_ascii_bombs_stop_at_the_images_size() {
        // 4 x 2 pixels may take 1 MiB and a little; this run-length stream gives 4 MiB
        let bomb: Vec<u8> = std::iter::repeat_n([129u8, 7], 32 << 10)
            .flatten()
            .collect();
        for filter in ["/Filter /RunLengthDecode", "/Filter [/AHx /RL]"] {
            let data = if filter.contains("AHx") {
                ascii_hex_encode(&bomb)
            } else {
                bomb.clone()
            };
            let err =
                decoded_with(&gray(4, &format!("/Height 2 {filter}")), &data, &[]).unwrap_err();
            assert!(
                matches!(err, IngestError::PdfImageInflatesTooMuch { page: 1, .. }),
                "{filter}: {err}"
            );
        }
    }

    #[test]
    fn raw_bilevel_expands() {
        let pixels = Pixels {
            space: Space::Gray,
            bpc: 1,
            decode: None,
            stencil: false,
        };
        let img = raw_to_gray(&[0b1010_0000], 3, 1, &pixels);
        assert_eq!(img.as_raw(), &vec![255, 0, 255]);
    }
}
