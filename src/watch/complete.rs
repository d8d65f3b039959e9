//! Whether a file in the inbox is whole, beyond the settle time: a writer that
//! pauses longer than `--settle` (a stalled network copy, a scanner between pages)
//! must not have its file read half-written.
//!
//! Two checks, both cheap and both only for files about to be taken:
//! - the format's own end, where it has one: a PDF ends with `%%EOF` after its
//!   `startxref`, a PNG with its `IEND` chunk, a JPEG with its end marker, and a
//!   TIFF's directories and strips lie inside the file. Other files (text) have
//!   no end to check.
//! - no process holds the file open for writing, where the OS tells (Linux:
//!   `/proc/PID/fd` and the access mode in `/proc/PID/fdinfo`; processes of other
//!   users are not visible to a non-root watch).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How much of a file's end is read for the end markers.
const TAIL: u64 = 2048;

/// Why `path` cannot be whole yet, judged by its format's end; `None` when it
/// is whole or its format has no end to check.
pub fn incomplete(path: &Path) -> std::io::Result<Option<String>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = [0u8; 8];
    let n = read_at(&mut file, 0, &mut head)?;
    let head = &head[..n];
    let tail = |file: &mut File| -> std::io::Result<Vec<u8>> {
        let start = len.saturating_sub(TAIL);
        let mut buf = vec![0u8; (len - start) as usize];
        let n = read_at(file, start, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    };
    if head.starts_with(b"%PDF-") {
        return Ok(pdf_end(&tail(&mut file)?));
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        let tail = tail(&mut file)?;
        let whole = tail.len() >= 12 && &tail[tail.len() - 8..tail.len() - 4] == b"IEND";
        return Ok((!whole).then(|| "a PNG without its IEND chunk at the end".to_owned()));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let tail = tail(&mut file)?;
        // some cameras pad a JPEG with zero bytes after its end marker
        let end = trim_end(&tail, |b| b == 0);
        let whole = end.ends_with(&[0xFF, 0xD9]);
        return Ok((!whole).then(|| "a JPEG without its end marker (FFD9)".to_owned()));
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return tiff_end(&mut file, len, head.starts_with(b"II"));
    }
    Ok(None)
}

/// A PDF's end: `%%EOF` last (after white space), `startxref` before it.
fn pdf_end(tail: &[u8]) -> Option<String> {
    let end = trim_end(tail, |b| b.is_ascii_whitespace() || b == 0);
    if !end.ends_with(b"%%EOF") {
        return Some("a PDF that does not end with %%EOF".to_owned());
    }
    if !end.windows(9).any(|w| w == b"startxref") {
        return Some("a PDF without startxref before its %%EOF".to_owned());
    }
    None
}

fn trim_end(bytes: &[u8], junk: impl Fn(u8) -> bool) -> &[u8] {
    let keep = bytes.iter().rposition(|&b| !junk(b)).map_or(0, |i| i + 1);
    &bytes[..keep]
}

/// A TIFF is whole when every directory, every value stored outside its entry and
/// every strip or tile lies inside the file.
fn tiff_end(file: &mut File, len: u64, le: bool) -> std::io::Result<Option<String>> {
    let u16_of = |b: &[u8]| {
        let b = [b[0], b[1]];
        if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_of = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let past = |what: &str, end: u64| {
        Some(format!(
            "a TIFF whose {what} ends at byte {end}, past its end ({len} bytes)"
        ))
    };
    let mut word = [0u8; 4];
    read_at(file, 4, &mut word)?;
    let mut ifd = u64::from(u32_of(&word));
    let mut visited = HashSet::new();
    // a loop of directories is the decoder's error to report, not a missing end
    while ifd != 0 && visited.insert(ifd) && visited.len() <= 10_000 {
        if ifd + 2 > len {
            return Ok(past("directory", ifd + 2));
        }
        let mut count = [0u8; 2];
        read_at(file, ifd, &mut count)?;
        let entries = u64::from(u16_of(&count));
        let end = ifd + 2 + 12 * entries + 4;
        if end > len {
            return Ok(past("directory", end));
        }
        let mut dir = vec![0u8; (12 * entries + 4) as usize];
        read_at(file, ifd + 2, &mut dir)?;
        // tag -> (type, count, value or offset)
        let mut tags: HashMap<u16, (u16, u64, [u8; 4])> = HashMap::new();
        for e in dir[..dir.len() - 4].chunks_exact(12) {
            let (tag, kind, n) = (
                u16_of(&e[0..2]),
                u16_of(&e[2..4]),
                u64::from(u32_of(&e[4..8])),
            );
            let value: [u8; 4] = e[8..12].try_into().expect("4 bytes");
            let size = type_size(kind) * n;
            if size > 4 {
                let end = u64::from(u32_of(&value)) + size;
                if end > len {
                    return Ok(past(&format!("tag {tag}"), end));
                }
            }
            tags.insert(tag, (kind, n, value));
        }
        // strips (273 offsets, 279 byte counts) and tiles (324, 325)
        for (offsets, counts) in [(273, 279), (324, 325)] {
            let (Some(&o), Some(&c)) = (tags.get(&offsets), tags.get(&counts)) else {
                continue;
            };
            let starts = numbers(file, o, &u16_of, &u32_of)?;
            let sizes = numbers(file, c, &u16_of, &u32_of)?;
            if let Some(end) = starts.iter().zip(&sizes).map(|(s, n)| s + n).max() {
                if end > len {
                    return Ok(past("image data", end));
                }
            }
        }
        ifd = u64::from(u32_of(&dir[dir.len() - 4..]));
    }
    Ok(None)
}

/// The bytes of one value of a TIFF field type (0 for types this check ignores).
fn type_size(kind: u16) -> u64 {
    match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 | 13 => 4,
        5 | 10 | 12 => 8,
        _ => 0,
    }
}

/// A SHORT or LONG array field's values (already known to lie inside the file).
fn numbers(
    file: &mut File,
    (kind, n, value): (u16, u64, [u8; 4]),
    u16_of: &impl Fn(&[u8]) -> u16,
    u32_of: &impl Fn(&[u8]) -> u32,
) -> std::io::Result<Vec<u64>> {
    let size = type_size(kind);
    if !(kind == 3 || kind == 4) {
        return Ok(Vec::new());
    }
    let bytes = if size * n <= 4 {
        value[..(size * n) as usize].to_vec()
    } else {
        let mut buf = vec![0u8; (size * n) as usize];
        read_at(file, u64::from(u32_of(&value)), &mut buf)?;
        buf
    };
    Ok(bytes
        .chunks_exact(size as usize)
        .map(|b| {
            if kind == 3 {
                u64::from(u16_of(b))
            } else {
                u64::from(u32_of(b))
            }
        })
        .collect())
}

/// Reads up to `buf.len()` bytes at `offset`; returns how many.
fn read_at(file: &mut File, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    file.seek(SeekFrom::Start(offset))?;
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// The files among `paths` that some process holds open for writing, as far as
/// `/proc` shows (nothing on other systems). One walk of `/proc` for them all.
pub fn open_for_writing(paths: &[PathBuf]) -> HashSet<PathBuf> {
    let mut found = HashSet::new();
    if !cfg!(target_os = "linux") || paths.is_empty() {
        return found;
    }
    let wanted: HashMap<PathBuf, &PathBuf> = paths
        .iter()
        .filter_map(|p| Some((p.canonicalize().ok()?, p)))
        .collect();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return found;
    };
    for proc in procs.flatten() {
        let pid = proc.file_name();
        if !pid.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(proc.path().join("fd")) else {
            continue; // gone, or another user's
        };
        for fd in fds.flatten() {
            let Some(path) = std::fs::read_link(fd.path())
                .ok()
                .and_then(|target| wanted.get(&target).copied())
            else {
                continue;
            };
            let info = proc.path().join("fdinfo").join(fd.file_name());
            if std::fs::read_to_string(info).is_ok_and(|i| writes(&i)) {
                found.insert(path.clone());
            }
        }
    }
    found
}

/// Whether an `/proc/PID/fdinfo/FD` text says the descriptor was opened for
/// writing (`flags:` in octal; access mode O_WRONLY 1 or O_RDWR 2).
fn writes(fdinfo: &str) -> bool {
    fdinfo
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        .is_some_and(|flags| flags & 0o3 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A little-endian TIFF of one 4 x 4 strip of grey, 8 + 16 bytes of header and
    /// pixels, then its directory.
    fn tiff() -> Vec<u8> {
        let mut b = b"II*\0".to_vec();
        b.extend_from_slice(&24u32.to_le_bytes());
        b.extend_from_slice(&[0x80; 16]);
        let entries: [(u16, u16, u32); 7] = [
            (256, 3, 4),
            (257, 3, 4),
            (258, 3, 8),
            (262, 3, 1),
            (273, 4, 8),
            (278, 3, 4),
            (279, 4, 16),
        ];
        b.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, kind, value) in entries {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&kind.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.extend_from_slice(&value.to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes());
        b
    }

    fn png() -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&[0; 17]);
        b.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        b
    }

    #[test]
    fn a_file_is_whole_only_with_its_formats_end() {
        let pdf =
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<<>>\nstartxref\n20\n%%EOF\r\n";
        let jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0stuff\xff\xd9";
        let tiff = tiff();
        let png = png();
        let mut jpeg_padded = jpeg.to_vec();
        jpeg_padded.extend_from_slice(&[0; 7]);
        let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
            ("pdf", pdf.to_vec(), None),
            ("pdf cut", pdf[..40].to_vec(), Some("%%EOF")),
            (
                "pdf without startxref",
                b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF".to_vec(),
                Some("startxref"),
            ),
            ("png", png.clone(), None),
            ("png cut", png[..png.len() - 12].to_vec(), Some("IEND")),
            ("jpeg", jpeg.to_vec(), None),
            ("jpeg padded", jpeg_padded, None),
            ("jpeg cut", jpeg[..jpeg.len() - 3].to_vec(), Some("FFD9")),
            ("tiff", tiff.clone(), None),
            (
                "tiff cut",
                tiff[..tiff.len() - 10].to_vec(),
                Some("directory"),
            ),
            ("text", b"INVOICE\nTotal: 3".to_vec(), None),
            ("empty", Vec::new(), None),
        ];
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, want) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let got = incomplete(&path).unwrap();
            match (want, &got) {
                (None, None) => {}
                (Some(w), Some(g)) if g.contains(w) => {}
                _ => panic!("{name}: {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn every_sample_document_is_whole() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/documents");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(incomplete(&path).unwrap(), None, "{}", path.display());
        }
    }

    #[test]
    fn a_tiff_strip_past_the_end_is_incomplete() {
        // the directory first, the strip after it: cut inside the strip
        let mut b = b"II*\0".to_vec();
        b.extend_from_slice(&8u32.to_le_bytes());
        let strip_at = 8 + 2 + 2 * 12 + 4;
        b.extend_from_slice(&2u16.to_le_bytes());
        for (tag, value) in [(273u16, strip_at as u32), (279, 100)] {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&4u16.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.extend_from_slice(&value.to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&[0; 60]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tif");
        std::fs::write(&path, &b).unwrap();
        let why = incomplete(&path).unwrap().unwrap();
        assert!(why.contains("image data ends at byte 138"), "{why}");
        b.extend_from_slice(&[0; 40]);
        std::fs::write(&path, &b).unwrap();
        assert_eq!(incomplete(&path).unwrap(), None);
    }

    #[test]
    fn a_file_open_for_writing_is_seen_and_one_open_for_reading_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let (w, r) = (dir.path().join("w.txt"), dir.path().join("r.txt"));
        let mut writer = File::create(&w).unwrap();
        writer.write_all(b"half").unwrap();
        std::fs::write(&r, b"whole").unwrap();
        let _reader = File::open(&r).unwrap();
        let open = open_for_writing(&[w.clone(), r.clone()]);
        if cfg!(target_os = "linux") {
            assert_eq!(open, HashSet::from([w.clone()]));
        }
        drop(writer);
        assert!(open_for_writing(&[w, r]).is_empty());
    }

    #[test]
    fn fdinfo_access_modes() {
        assert!(writes("pos:\t0\nflags:\t0100001\nmnt_id:\t1\n"));
        assert!(writes("pos:\t0\nflags:\t02000002\n"));
        assert!(!writes("pos:\t0\nflags:\t0100000\n"));
        assert!(!writes("nothing"));
    }
}
