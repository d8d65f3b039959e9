//! Small files written byte by byte for the tests, good and deliberately bad.

use std::collections::BTreeMap;
use std::sync::Arc;

use pdf_extract::encryption::crypt_filters::{Aes256CryptFilter, CryptFilter};
use pdf_extract::{Document, EncryptionState, EncryptionVersion, Object, Permissions};

/// A PDF of the given objects (numbered from 1; object 1 is the catalog) with a
/// correct cross-reference table.
pub(crate) fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A one-page PDF showing `text`.
pub(crate) fn one_page(text: &str) -> Vec<u8> {
    page(&format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET"), 1, "")
}

/// One page drawn by `content`, its page tree claiming `count` pages; `extra`
/// goes into the page dictionary.
pub(crate) fn page(content: &str, count: u64, extra: &str) -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [3 0 R] /Count {count} >>").into_bytes(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> {extra} >>"
        )
        .into_bytes(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        )
        .into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ])
}

/// An array nested `depth` levels deep: `[[[...]]]`.
pub(crate) fn nested_array(depth: usize) -> String {
    "[".repeat(depth) + &"]".repeat(depth)
}

/// A dictionary nested `depth` levels deep: `<< /A << /A ... >> >>`.
pub(crate) fn nested_dictionary(depth: usize) -> String {
    "<< /A ".repeat(depth) + &">> ".repeat(depth)
}

/// [`one_page`] encrypted with 40-bit RC4 (V1, R2), owner password "owner".
pub(crate) fn encrypted(text: &str, user_password: &str) -> Vec<u8> {
    encrypt(text, |doc| {
        EncryptionState::try_from(EncryptionVersion::V1 {
            document: doc,
            owner_password: "owner",
            user_password,
            permissions: Permissions::PRINTABLE,
        })
    })
}

/// [`one_page`] encrypted with AES-256 (V5, R6), owner password "owner".
pub(crate) fn encrypted_aes256(text: &str, user_password: &str) -> Vec<u8> {
    let filter: Arc<dyn CryptFilter> = Arc::new(Aes256CryptFilter);
    encrypt(text, |_| {
        EncryptionState::try_from(EncryptionVersion::V5 {
            encrypt_metadata: true,
            crypt_filters: BTreeMap::from([(b"StdCF".to_vec(), filter)]),
            file_encryption_key: &[7; 32],
            stream_filter: b"StdCF".to_vec(),
            string_filter: b"StdCF".to_vec(),
            owner_password: "owner",
            user_password,
            permissions: Permissions::PRINTABLE,
        })
    })
}

fn encrypt(
    text: &str,
    state: impl FnOnce(&Document) -> Result<EncryptionState, pdf_extract::Error>,
) -> Vec<u8> {
    let mut doc = Document::load_mem(&one_page(text)).unwrap();
    let id = Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer.set("ID", vec![id.clone(), id]);
    let state = state(&doc).unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A grayscale PNG whose header claims `width` x `height` pixels; its only
/// image data is an empty zlib stream.
pub(crate) fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = [width.to_be_bytes(), height.to_be_bytes()].concat();
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        (
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
        ),
        (b"IEND", &[][..]),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        (0..8).fold(crc ^ b as u32, |c, _| {
            if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            }
        })
    })
}

/// A stream object: `<< /Length n {dict} >>` and `data`.
pub(crate) fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {} {dict} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A one-page PDF whose content stream (object 4) is `content` under the
/// filters in `dict` (e.g. `/Filter [/FlateDecode /FlateDecode]`); the other
/// strings go into the catalog, the page tree node, the page and its resources
/// (which hold font `/F1`, object 5), and `more` are objects 6 and on.
pub(crate) fn page_with_stream(
    dict: &str,
    content: &[u8],
    [catalog, tree, page, resources]: [&str; 4],
    more: &[Vec<u8>],
) -> Vec<u8> {
    let mut objects = vec![
        format!("<< /Type /Catalog /Pages 2 0 R {catalog} >>").into_bytes(),
        format!("<< /Type /Pages /Kids [3 0 R] /Count 1 {tree} >>").into_bytes(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> {resources} >> {page} >>"
        )
        .into_bytes(),
        stream(dict, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    objects.extend_from_slice(more);
    pdf(&objects)
}

/// `size` bytes of `pattern` repeated (`size` a multiple of 1 MiB, 1 MiB a
/// multiple of the pattern), zlib-compressed `layers` times. The first layer is
/// one compressed MiB repeated (each copy ends in a full flush, so none refers
/// back into another): writing a gigabyte bomb costs a few milliseconds.
pub(crate) fn flate_bomb(pattern: &[u8], size: usize, layers: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const CHUNK: usize = 1 << 20;
    assert!(
        size.is_multiple_of(CHUNK) && CHUNK.is_multiple_of(pattern.len()),
        "see the doc"
    );
    let chunk: Vec<u8> = pattern.iter().copied().cycle().take(CHUNK).collect();
    let mut deflate = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(CHUNK);
    deflate
        .compress_vec(&chunk, &mut block, FlushCompress::Full)
        .unwrap();
    let copies = size / CHUNK;
    let mut data = vec![0x78, 0xda];
    for _ in 0..copies {
        data.extend_from_slice(&block);
    }
    data.extend_from_slice(&[0x03, 0x00]); // a final, empty, fixed-Huffman block
    let one = adler32(&chunk);
    let all = (1..copies).fold(one, |sum, _| adler32_combine(sum, one, CHUNK as u64));
    data.extend_from_slice(&all.to_be_bytes());
    for _ in 1..layers {
        data = zlib(&data);
    }
    data
}

/// `data` zlib-compressed.
pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

fn adler32(bytes: &[u8]) -> u32 {
    let (a, b) = bytes.iter().fold((1u64, 0u64), |(a, b), &x| {
        let a = (a + x as u64) % 65521;
        (a, (b + a) % 65521)
    });
    (b << 16 | a) as u32
}

/// The Adler-32 of two runs of bytes from the sums of each (zlib's
/// `adler32_combine`).
fn adler32_combine(first: u32, second: u32, second_len: u64) -> u32 {
    const BASE: u64 = 65521;
    let rem = second_len % BASE;
    let (a1, b1) = (first as u64 & 0xffff, first as u64 >> 16);
    let (a2, b2) = (second as u64 & 0xffff, second as u64 >> 16);
    let a = (a1 + a2 + BASE - 1) % BASE;
    let b = (rem * a1 + b1 + b2 + BASE - rem) % BASE;
    (b << 16 | a) as u32
}

/// A gray image XObject, `width` x `height` pixels, 8 bits each: `data` under the
/// filters in `filter` (e.g. `/Filter /FlateDecode`, or "" for raw pixels).
pub(crate) fn gray_image(width: u32, height: u32, filter: &str, data: &[u8]) -> Vec<u8> {
    stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 {filter}"
        ),
        data,
    )
}

/// `image` as a Flate-compressed gray image XObject ([`gray_image`]).
pub(crate) fn flate_gray_image(image: &image::GrayImage) -> Vec<u8> {
    let (w, h) = image.dimensions();
    gray_image(w, h, "/Filter /FlateDecode", &zlib(image.as_raw()))
}

/// A scan without a text layer: one A4 page for each image object (e.g.
/// [`gray_image`]), each page showing only its image, over the whole page.
pub(crate) fn scanned_pages(images: &[Vec<u8>]) -> Vec<u8> {
    let kids: Vec<String> = (0..images.len())
        .map(|i| format!("{} 0 R", 3 + 3 * i))
        .collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            images.len()
        )
        .into_bytes(),
    ];
    for (i, image) in images.iter().enumerate() {
        let n = 3 + 3 * i;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R \
                 /Resources << /XObject << /Im1 {} 0 R >> >> >>",
                n + 1,
                n + 2
            )
            .into_bytes(),
        );
        objects.push(stream("", b"q 595 0 0 842 0 0 cm /Im1 Do Q"));
        objects.push(image.clone());
    }
    pdf(&objects)
}

/// One row of `width` pixels of the grey `value`, PackBits-compressed (runs of 128):
/// rows of a [`gray_tiff`] strip with compression 32773.
pub(crate) fn packbits_row(width: u32, value: u8) -> Vec<u8> {
    let mut row = Vec::new();
    let mut left = width;
    while left > 0 {
        let run = left.min(128);
        row.extend_from_slice(&[(1 - run as i32) as u8, value]);
        left -= run;
    }
    row
}

/// A little-endian TIFF of 8-bit grey frames of one strip each: `strips` are
/// written once, and frame `(width, height, compression, strip)` draws on strip
/// number `strip` (compression 1: raw pixels; 32773: PackBits, see
/// [`packbits_row`]). Frames may share a strip, so 60 white frames of 6000 x 6000
/// take a few hundred KB.
pub(crate) fn gray_tiff(strips: &[Vec<u8>], frames: &[(u32, u32, u16, usize)]) -> Vec<u8> {
    let mut out = b"II*\0\0\0\0\0".to_vec();
    let mut offsets = Vec::new();
    for strip in strips {
        offsets.push(out.len() as u32);
        out.extend_from_slice(strip);
        if out.len() % 2 == 1 {
            out.push(0);
        }
    }
    let mut link = 4; // where the offset of the next frame's directory goes
    for &(width, height, compression, strip) in frames {
        let ifd = out.len() as u32;
        out[link..link + 4].copy_from_slice(&ifd.to_le_bytes());
        let entries: [(u16, u16, u32); 9] = [
            (256, 4, width),
            (257, 4, height),
            (258, 3, 8),
            (259, 3, compression as u32),
            (262, 3, 1), // black is zero
            (273, 4, offsets[strip]),
            (277, 3, 1),
            (278, 4, height),
            (279, 4, strips[strip].len() as u32),
        ];
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, kind, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
            if kind == 3 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        link = out.len();
        out.extend_from_slice(&0u32.to_le_bytes());
    }
    out
}
