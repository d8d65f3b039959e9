//! Bounded decoding of PDF streams.
//!
//! lopdf and pdf-extract inflate a stream whole, however far it inflates: a
//! 1 KB stream compressed twice inflates to gigabytes. So every stream they
//! would inflate is first decoded here with a cap, and a document whose streams
//! go past it is refused before they touch it:
//!
//! - object and cross-reference streams, which lopdf inflates while it parses
//!   the file, in the raw bytes before it parses ([`check_structure_streams`]);
//! - the streams a page uses (its content, forms, fonts, colour profiles and
//!   images, which pdf-extract inflates, images each time they are drawn) before
//!   pdf-extract reads the page ([`Inflation::check_page`]).
//!
//! A page's content streams and forms together may inflate to
//! [`Limits::max_pdf_content_bytes`] (pdf-extract holds every operator of them
//! at once, up to some 300 bytes for each byte of `q Q q Q`), an image stream to
//! what its declared width, height, colour components and bits need, any other
//! stream to [`Limits::max_pdf_stream_bytes`]; all of a document's streams
//! together to [`Limits::max_pdf_inflated_bytes`].

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Write};

use flate2::read::{DeflateDecoder, ZlibDecoder};
use pdf_extract::{Dictionary, Document, Object, ObjectId, Stream};

use crate::{IngestError, Limits};

/// A stream decodes to more than the cap it was given.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OverLimit;

/// Decodes a stream as lopdf's `decompressed_content` does (Flate, LZW and
/// ASCII85, in order; the first filter it does not decode ends the chain), each
/// layer held to `cap` bytes. Predictors are not applied: they only shrink.
pub(crate) fn decode(stream: &Stream, cap: u64) -> Result<Vec<u8>, OverLimit> {
    let params = stream
        .dict
        .get(b"DecodeParms")
        .and_then(Object::as_dict)
        .ok();
    match stream.filters() {
        Ok(filters) => decode_layers(&stream.content, &filters, params, cap),
        Err(_) => Ok(stream.content.clone()),
    }
}

/// What [`decode`] gives, without copying a stream that needs no decoding
/// (a JPEG, an uncompressed stream), which is still held to `cap`.
fn decoded_len(stream: &Stream, cap: u64) -> Result<u64, OverLimit> {
    let decodes = |f: &&[u8]| matches!(*f, b"FlateDecode" | b"LZWDecode" | b"ASCII85Decode");
    let len = match stream.filters() {
        Ok(filters) if filters.first().is_some_and(decodes) => decode(stream, cap)?.len(),
        _ => stream.content.len(),
    };
    if len as u64 > cap {
        Err(OverLimit)
    } else {
        Ok(len as u64)
    }
}

fn decode_layers(
    data: &[u8],
    filters: &[&[u8]],
    params: Option<&Dictionary>,
    cap: u64,
) -> Result<Vec<u8>, OverLimit> {
    let mut out = data.to_vec();
    for filter in filters {
        out = match *filter {
            b"FlateDecode" => inflate(&out, cap)?,
            b"LZWDecode" => {
                let early_change = params
                    .and_then(|p| p.get(b"EarlyChange").and_then(Object::as_i64).ok())
                    .is_none_or(|v| v != 0);
                unlzw(&out, early_change, cap)?
            }
            // at most 4 bytes out per byte in: no bomb
            b"ASCII85Decode" => ascii85(&out),
            _ => break,
        };
        if out.len() as u64 > cap {
            return Err(OverLimit);
        }
    }
    Ok(out)
}

/// ASCII base-85 to bytes, up to `~>`; whitespace skipped, `z` four zeros, a
/// short last group as the standard says. At most 4 bytes out per byte in.
pub(crate) fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 4 / 5);
    let mut group = [0u8; 5];
    let mut n = 0;
    let start = if data.starts_with(b"<~") { 2 } else { 0 };
    for &b in &data[start..] {
        match b {
            b'~' => break,
            b'z' if n == 0 => out.extend_from_slice(&[0; 4]),
            b'!'..=b'u' => {
                group[n] = b - b'!';
                n += 1;
                if n == 5 {
                    let v = group.iter().fold(0u64, |v, &d| v * 85 + d as u64);
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for d in group.iter_mut().skip(n) {
            *d = 84;
        }
        let v = group.iter().fold(0u64, |v, &d| v * 85 + d as u64);
        out.extend_from_slice(&(v as u32).to_be_bytes()[..n - 1]);
    }
    out
}

/// Zlib, falling back to raw deflate after the 2-byte header when zlib gives
/// nothing (as lopdf does); a corrupt tail keeps what inflated before it.
pub(crate) fn inflate(input: &[u8], cap: u64) -> Result<Vec<u8>, OverLimit> {
    let mut out = Vec::new();
    let zlib = ZlibDecoder::new(input).take(cap + 1).read_to_end(&mut out);
    if zlib.is_err() && out.is_empty() && input.len() > 2 {
        let _ = DeflateDecoder::new(&input[2..])
            .take(cap + 1)
            .read_to_end(&mut out);
    }
    if out.len() as u64 > cap {
        Err(OverLimit)
    } else {
        Ok(out)
    }
}

pub(crate) fn unlzw(input: &[u8], early_change: bool, cap: u64) -> Result<Vec<u8>, OverLimit> {
    use weezl::{decode::Decoder, BitOrder};
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut sink = Capped {
        out: Vec::new(),
        cap,
    };
    let _ = decoder.into_stream(&mut sink).decode_all(input);
    if sink.out.len() as u64 > cap {
        Err(OverLimit)
    } else {
        Ok(sink.out)
    }
}

/// A `Vec` that refuses to grow past `cap` (keeping one byte over, to tell).
struct Capped {
    out: Vec<u8>,
    cap: u64,
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = (self.cap + 1).saturating_sub(self.out.len() as u64) as usize;
        if room == 0 {
            return Err(io::Error::other("over the cap"));
        }
        let n = buf.len().min(room);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Checks, in the raw file, the object and cross-reference streams that lopdf
/// inflates while it parses; returns the bytes they inflate to. (In an
/// encrypted file object streams are encrypted and cannot be checked here.)
pub(crate) fn check_structure_streams(bytes: &[u8], limits: &Limits) -> Result<u64, IngestError> {
    let ends = Endstreams::new(bytes);
    let mut total = 0;
    let mut from = 0;
    while let Some(at) = find(bytes, b"stream", from) {
        from = at + b"stream".len();
        let Some(data) = stream_data_start(bytes, at) else {
            continue;
        };
        let Some(dict) = dict_before(bytes, at) else {
            continue;
        };
        let kind = if has_name(dict, b"/ObjStm") {
            "object stream"
        } else if has_name(dict, b"/XRef") {
            "cross-reference stream"
        } else {
            continue;
        };
        let filters = raw_filters(dict);
        let filters: Vec<&[u8]> = filters.iter().map(Vec::as_slice).collect();
        let end = ends.after(data).unwrap_or(bytes.len());
        let cap = limits.max_pdf_stream_bytes;
        match decode_layers(&bytes[data..end], &filters, None, cap) {
            Ok(out) => total += out.len() as u64,
            Err(OverLimit) => {
                return Err(IngestError::PdfStreamTooLarge {
                    what: format!("{kind}{}", object_number_before(bytes, at)),
                    limit_mb: cap >> 20,
                })
            }
        }
        if total > limits.max_pdf_inflated_bytes {
            return Err(IngestError::PdfInflatesTooMuch {
                limit_mb: limits.max_pdf_inflated_bytes >> 20,
            });
        }
    }
    Ok(total)
}

/// Where the `endstream` keywords of a file are, found once when first asked:
/// many broken streams without one cost one pass over the file, not one each.
pub(crate) struct Endstreams<'a> {
    bytes: &'a [u8],
    positions: OnceCell<Vec<usize>>,
}

impl<'a> Endstreams<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Endstreams {
            bytes,
            positions: OnceCell::new(),
        }
    }

    /// The first `endstream` at or after `from`.
    pub(crate) fn after(&self, from: usize) -> Option<usize> {
        let positions = self.positions.get_or_init(|| {
            let mut all = Vec::new();
            let mut at = 0;
            while let Some(found) = find(self.bytes, b"endstream", at) {
                all.push(found);
                at = found + 1;
            }
            all
        });
        let i = positions.partition_point(|&p| p < from);
        positions.get(i).copied()
    }
}

/// The first `needle` in `hay` at or after `from`.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

/// Where the data of a stream starts, if `at` is a `stream` keyword (not
/// `endstream`) followed by an end of line.
pub(crate) fn stream_data_start(bytes: &[u8], at: usize) -> Option<usize> {
    if bytes[..at].ends_with(b"end") {
        return None;
    }
    let after = at + b"stream".len();
    match bytes.get(after..)? {
        [b'\r', b'\n', ..] => Some(after + 2),
        [b'\n' | b'\r', ..] => Some(after + 1),
        _ => None,
    }
}

/// The dictionary (`<<` to `>>`) just before a `stream` keyword at `at`, if it
/// is under 16 KiB (an object or cross-reference stream's is far smaller): a
/// file of many `>> stream` costs at most that much each.
fn dict_before(bytes: &[u8], at: usize) -> Option<&[u8]> {
    let end = bytes[..at].iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    if !bytes[..end].ends_with(b">>") {
        return None;
    }
    let mut depth = 0usize;
    let mut i = end;
    while i >= 2 {
        match &bytes[i - 2..i] {
            b">>" => {
                depth += 1;
                i -= 2;
            }
            b"<<" => {
                depth -= 1;
                i -= 2;
                if depth == 0 {
                    return Some(&bytes[i..end]);
                }
            }
            _ => i -= 1,
        }
        if end - i > 16 << 10 {
            return None;
        }
    }
    None
}

/// " 12 0" when `N G obj` stands before the dictionary of the stream at `at`.
fn object_number_before(bytes: &[u8], at: usize) -> String {
    let start = at.saturating_sub(4096);
    let Some(obj) = bytes[start..at]
        .windows(3)
        .rposition(|w| w == b"obj")
        .map(|p| p + start)
    else {
        return String::new();
    };
    let head = String::from_utf8_lossy(&bytes[obj.saturating_sub(24)..obj]);
    let numbers: Vec<&str> = head.split_ascii_whitespace().rev().take(2).collect();
    match numbers[..] {
        [g, n]
            if n.bytes().all(|b| b.is_ascii_digit()) && g.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!(" {n} {g}")
        }
        _ => String::new(),
    }
}

/// A name in a raw dictionary, followed by a delimiter.
fn has_name(dict: &[u8], name: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = find(dict, name, from) {
        from = at + 1;
        match dict.get(at + name.len()) {
            Some(b) if b.is_ascii_alphanumeric() => continue,
            _ => return true,
        }
    }
    false
}

/// The names of a raw dictionary's `/Filter` (one name or an array).
fn raw_filters(dict: &[u8]) -> Vec<Vec<u8>> {
    let Some(at) = find(dict, b"/Filter", 0) else {
        return Vec::new();
    };
    let rest = &dict[at + b"/Filter".len()..];
    let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
    let value = if rest.first() == Some(&b'[') {
        &rest[..rest.iter().position(|&b| b == b']').unwrap_or(rest.len())]
    } else {
        let end = rest[1.min(rest.len())..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || b"/<>[]".contains(b))
            .map_or(rest.len(), |p| p + 1);
        &rest[..end]
    };
    value
        .split(|&b| b == b'/')
        .skip(1)
        .map(|n| {
            n.iter()
                .copied()
                .take_while(u8::is_ascii_alphanumeric)
                .collect()
        })
        .collect()
}

/// What a document's streams inflated to so far, each stream counted once.
#[derive(Debug)]
pub(crate) struct Inflation {
    limits: Limits,
    sizes: HashMap<ObjectId, u64>,
    total: u64,
}

impl Inflation {
    /// Starts the count with what the structure streams inflated to.
    pub(crate) fn new(limits: &Limits, structure: u64) -> Self {
        Inflation {
            limits: *limits,
            sizes: HashMap::new(),
            total: structure,
        }
    }

    /// Checks every stream page `page` uses, which pdf-extract may inflate:
    /// its content streams and the forms its resources hold (together at most
    /// [`Limits::max_pdf_content_bytes`]), and what else its resources reach
    /// (fonts, colour profiles, images), not following `/Parent`.
    pub(crate) fn check_page(
        &mut self,
        doc: &Document,
        id: ObjectId,
        page: usize,
    ) -> Result<(), IngestError> {
        let contents: HashSet<ObjectId> = doc.get_page_contents(id).into_iter().collect();
        let Ok(dict) = doc.get_dictionary(id) else {
            return Ok(());
        };
        let mut stack: Vec<&Object> = Vec::new();
        if let Ok(c) = dict.get(b"Contents") {
            stack.push(c);
        }
        if let Some(r) = super::inherited(doc, id, b"Resources") {
            stack.push(r);
        }
        let mut seen = HashSet::new();
        let mut content = 0;
        while let Some(object) = stack.pop() {
            let object = match object {
                Object::Reference(r) => {
                    if !seen.insert(*r) {
                        continue;
                    }
                    let Ok(o) = doc.get_object(*r) else {
                        continue;
                    };
                    if let Object::Stream(s) = o {
                        let kind = Kind::of(s, contents.contains(r));
                        let size = self.check_stream(doc, *r, s, kind, page)?;
                        if kind == Kind::Content {
                            content += size;
                            if content > self.limits.max_pdf_content_bytes {
                                return Err(content_error(page, &self.limits));
                            }
                        }
                    }
                    o
                }
                o => o,
            };
            match object {
                Object::Array(items) => stack.extend(items),
                Object::Dictionary(d) => stack.extend(walk(d)),
                Object::Stream(s) => stack.extend(walk(&s.dict)),
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks one stream against its cap (once per document) and adds it to the
    /// document's count; returns what it inflates to.
    fn check_stream(
        &mut self,
        doc: &Document,
        id: ObjectId,
        stream: &Stream,
        kind: Kind,
        page: usize,
    ) -> Result<u64, IngestError> {
        if let Some(&size) = self.sizes.get(&id) {
            return Ok(size);
        }
        let cap = match kind {
            Kind::Content => self.limits.max_pdf_content_bytes,
            Kind::Image => image_cap(doc, stream, &self.limits)?,
            Kind::Other => self.limits.max_pdf_stream_bytes,
        };
        let size = match decoded_len(stream, cap) {
            Ok(size) => size,
            Err(OverLimit) => {
                return Err(match kind {
                    Kind::Content => content_error(page, &self.limits),
                    Kind::Image => {
                        let (width, height) = dimensions(stream);
                        IngestError::PdfImageInflatesTooMuch {
                            page,
                            width,
                            height,
                            limit_mb: cap.div_ceil(1 << 20),
                        }
                    }
                    Kind::Other => IngestError::PdfStreamTooLarge {
                        what: format!("stream {} {} used by page {page}", id.0, id.1),
                        limit_mb: cap >> 20,
                    },
                })
            }
        };
        self.sizes.insert(id, size);
        self.total += size;
        if self.total > self.limits.max_pdf_inflated_bytes {
            return Err(IngestError::PdfInflatesTooMuch {
                limit_mb: self.limits.max_pdf_inflated_bytes >> 20,
            });
        }
        Ok(size)
    }
}

/// How a stream is held to a cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A page's content stream or a form: operators pdf-extract holds at once.
    Content,
    /// An image: as much as its declared size needs.
    Image,
    /// Fonts, colour profiles and the rest: bytes.
    Other,
}

impl Kind {
    fn of(stream: &Stream, page_content: bool) -> Kind {
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            _ if page_content => Kind::Content,
            Ok(b"Form") => Kind::Content,
            Ok(b"Image") => Kind::Image,
            _ => Kind::Other,
        }
    }
}

fn content_error(page: usize, limits: &Limits) -> IngestError {
    IngestError::PdfContentTooLarge {
        page,
        limit_mb: limits.max_pdf_content_bytes >> 20,
    }
}

/// What an image's data may inflate to: its rows at the declared width,
/// components and bits (a predictor's byte per row included), plus 1 MiB.
/// An image over the pixel limit is refused before it is inflated.
pub(crate) fn image_cap(
    doc: &Document,
    stream: &Stream,
    limits: &Limits,
) -> Result<u64, IngestError> {
    let (w, h) = dimensions(stream);
    if w * h > limits.max_pixels {
        return Err(IngestError::TooLarge {
            width: w,
            height: h,
            limit: limits.max_pixels,
        });
    }
    let dict = &stream.dict;
    let mask = dict
        .get(b"ImageMask")
        .and_then(Object::as_bool)
        .unwrap_or(false);
    let bits = if mask {
        1
    } else {
        dict.get(b"BitsPerComponent")
            .and_then(Object::as_i64)
            .unwrap_or(8)
            .clamp(1, 16) as u64
    };
    let components = if mask {
        1
    } else {
        dict.get(b"ColorSpace")
            .ok()
            .map_or(4, |cs| components(doc, cs))
    };
    let row = (w * components * bits).div_ceil(8) + 1;
    Ok(row * h + (1 << 20))
}

/// The values of a dictionary to walk for streams: all but the links up the tree.
fn walk(dict: &Dictionary) -> impl Iterator<Item = &Object> {
    dict.iter()
        .filter(|(k, _)| !matches!(k.as_slice(), b"Parent" | b"P"))
        .map(|(_, v)| v)
}

fn dimensions(stream: &Stream) -> (u64, u64) {
    let get = |k: &[u8]| {
        stream
            .dict
            .get(k)
            .and_then(Object::as_i64)
            .unwrap_or(0)
            .max(0) as u64
    };
    (get(b"Width"), get(b"Height"))
}

/// Colour components of a colour space; 4 (CMYK, the most of the common ones)
/// when it cannot be told.
fn components(doc: &Document, cs: &Object) -> u64 {
    let cs = match cs {
        Object::Reference(r) => match doc.get_object(*r) {
            Ok(o) => o,
            Err(_) => return 4,
        },
        o => o,
    };
    match cs {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" | b"Indexed" | b"Pattern" => 1,
            b"DeviceRGB" | b"CalRGB" | b"Lab" | b"RGB" => 3,
            _ => 4,
        },
        Object::Array(a) => match a.first().and_then(|n| n.as_name().ok()) {
            Some(b"Indexed" | b"Separation" | b"I" | b"CalGray") => 1,
            Some(b"CalRGB" | b"Lab") => 3,
            Some(b"DeviceN") => a
                .get(1)
                .and_then(|names| match names {
                    Object::Reference(r) => doc.get_object(*r).ok(),
                    o => Some(o),
                })
                .and_then(|names| names.as_array().ok())
                .map_or(4, |names| (names.len() as u64).max(1)),
            Some(b"ICCBased") => a
                .get(1)
                .and_then(|s| s.as_reference().ok())
                .and_then(|r| doc.get_object(r).ok())
                .and_then(|s| s.as_stream().ok())
                .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok())
                .map_or(4, |n| n.clamp(1, 32) as u64),
            _ => 4,
        },
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn twice_compressed_stream_stops_at_the_cap() {
        let data = fixtures::flate_bomb(b"q Q ", 8 << 20, 2);
        assert!(data.len() < 4096, "{}", data.len());
        let filters: [&[u8]; 2] = [b"FlateDecode", b"FlateDecode"];
        assert_eq!(
            decode_layers(&data, &filters, None, 1 << 20),
            Err(OverLimit)
        );
        let out = decode_layers(&data, &filters, None, 16 << 20).unwrap();
        assert_eq!(out.len(), 8 << 20);
        assert!(out.starts_with(b"q Q q Q "));
    }

    #[test]
    fn lzw_stream_stops_at_the_cap() {
        let zeros = vec![0u8; 4 << 20];
        let mut encoder = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
        let data = encoder.encode(&zeros).unwrap();
        let filters: [&[u8]; 1] = [b"LZWDecode"];
        assert_eq!(
            decode_layers(&data, &filters, None, 1 << 20),
            Err(OverLimit)
        );
        assert_eq!(
            decode_layers(&data, &filters, None, 8 << 20).unwrap(),
            zeros
        );
    }

    #[test]
    fn raw_filters_reads_a_name_or_an_array() {
        assert_eq!(
            raw_filters(b"<< /Filter /FlateDecode /N 3 >>"),
            [b"FlateDecode"]
        );
        assert_eq!(
            raw_filters(b"<</Filter[/FlateDecode /LZWDecode]>>"),
            [b"FlateDecode".to_vec(), b"LZWDecode".to_vec()]
        );
        assert!(raw_filters(b"<< /Length 3 >>").is_empty());
    }
}
