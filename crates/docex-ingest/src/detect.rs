use docex_core::InputKind;

use crate::IngestError;

/// Recognises a file type from its first bytes; the file name plays no part.
///
/// Text is anything that decodes as UTF-8 (or Latin-1 without control bytes)
/// in its first 8 KiB.
pub fn detect_kind(bytes: &[u8]) -> Result<InputKind, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(InputKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(InputKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(InputKind::Jpeg);
    }
    if bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
    {
        return Ok(InputKind::Tiff);
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let utf8_ok = match std::str::from_utf8(sample) {
        Ok(_) => true,
        // A multi-byte character cut at the sample's end is still text.
        Err(e) => e.error_len().is_none(),
    };
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    if controls == 0 && (utf8_ok || sample.iter().all(|&b| b >= 0x20 || b.is_ascii_whitespace())) {
        return Ok(InputKind::Text);
    }
    Err(IngestError::Unsupported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_content() {
        let table: &[(&[u8], Option<InputKind>)] = &[
            (b"%PDF-1.7\n...", Some(InputKind::Pdf)),
            (b"\x89PNG\r\n\x1a\n\0\0", Some(InputKind::Png)),
            (b"\xFF\xD8\xFF\xE0", Some(InputKind::Jpeg)),
            (b"II*\0\x08\0", Some(InputKind::Tiff)),
            (b"MM\0*\0\0", Some(InputKind::Tiff)),
            ("Invoice 12 €\n".as_bytes(), Some(InputKind::Text)),
            (b"\x00\x01\x02\x03garbage", None),
            (b"", None),
        ];
        for (bytes, expected) in table {
            assert_eq!(detect_kind(bytes).ok(), *expected, "{bytes:?}");
        }
    }
}
