//! Repairs of a parsed PDF where lopdf gives up and poppler does not: streams
//! whose `/Length` is wrong or refers to itself, and page trees whose `/Kids`
//! loop back up.

use std::collections::{BTreeMap, HashSet};

use pdf_extract::xref::XrefEntry;
use pdf_extract::{Document, Object, ObjectId};
use tracing::debug;

use super::inflate::{find, stream_data_start, Endstreams};

/// Re-reads the streams lopdf could not: it takes exactly `/Length` bytes and
/// then wants `endstream`, so with a wrong length it keeps only the stream's
/// dictionary, and with a length that cannot be resolved (a reference to the
/// stream itself, say) an empty stream. Such a stream is read again up to its `endstream`, as poppler does.
/// Returns how many were recovered.
pub(crate) fn recover_streams(doc: &mut Document, bytes: &[u8]) -> usize {
    // lopdf's offsets count from the header.
    let start = find(bytes, b"%PDF-", 0).unwrap_or(0);
    let bytes = &bytes[start..];
    let broken: Vec<(ObjectId, usize)> = doc
        .reference_table
        .entries
        .iter()
        .filter_map(|(&number, entry)| match *entry {
            XrefEntry::Normal { offset, generation } => {
                Some(((number, generation), offset as usize))
            }
            _ => None,
        })
        .filter(|(id, _)| match doc.objects.get(id) {
            None | Some(Object::Dictionary(_)) => true,
            Some(Object::Stream(s)) => s.content.is_empty(),
            Some(_) => false,
        })
        .collect();
    let ends = Endstreams::new(bytes);
    let mut recovered = 0;
    for (id, offset) in broken {
        let Some(mut object) = reread_stream(bytes, offset, id, &ends) else {
            continue;
        };
        if let Some(state) = &doc.encryption_state {
            if pdf_extract::encryption::decrypt_object(state, id, &mut object).is_err() {
                continue;
            }
        }
        debug!(object = ?id, "stream read up to its endstream: its /Length is wrong");
        doc.objects.insert(id, object);
        recovered += 1;
    }
    recovered
}

/// The stream object `id` at `offset`, its data taken up to `endstream`.
fn reread_stream(bytes: &[u8], offset: usize, id: ObjectId, ends: &Endstreams) -> Option<Object> {
    let mut at = offset;
    let skip_space = |at: &mut usize| {
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    for expected in [id.0.to_string(), id.1.to_string(), "obj".into()] {
        skip_space(&mut at);
        if !bytes.get(at..)?.starts_with(expected.as_bytes()) {
            return None;
        }
        at += expected.len();
    }
    skip_space(&mut at);
    let dict_start = at;
    let dict_end = dict_end(bytes, dict_start)?;
    at = dict_end;
    skip_space(&mut at);
    if !bytes.get(at..)?.starts_with(b"stream") {
        return None;
    }
    let data_start = stream_data_start(bytes, at)?;
    let mut data_end = ends.after(data_start)?;
    if bytes[..data_end].ends_with(b"\r\n") {
        data_end -= 2;
    } else if bytes[..data_end].ends_with(b"\n") || bytes[..data_end].ends_with(b"\r") {
        data_end -= 1;
    }
    let data = &bytes[data_start..data_end.max(data_start)];
    let dict = with_length(&bytes[dict_start..dict_end], data.len());
    // lopdf parses an object only as part of a file: a file of this one object.
    let mut file = b"%PDF-1.7\n".to_vec();
    let object_at = file.len();
    file.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    file.extend_from_slice(&dict);
    file.extend_from_slice(b"\nstream\n");
    file.extend_from_slice(data);
    file.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = file.len();
    file.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f \n{} 1\n{object_at:010} {:05} n \n\
             trailer\n<< /Size {} >>\nstartxref\n{xref}\n%%EOF\n",
            id.0,
            id.1,
            id.0 + 1
        )
        .as_bytes(),
    );
    let mut one = Document::load_mem(&file).ok()?;
    match one.objects.remove(&id)? {
        o @ Object::Stream(_) => Some(o),
        _ => None,
    }
}

/// The end of the dictionary (`<<` ... `>>`) starting at `start`, skipping
/// strings; None past 64 KiB (a stream's dictionary is far smaller).
fn dict_end(bytes: &[u8], start: usize) -> Option<usize> {
    if !bytes.get(start..)?.starts_with(b"<<") {
        return None;
    }
    let bytes = &bytes[..bytes.len().min(start + (64 << 10))];
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => {
                // a literal string: balanced parentheses, backslash escapes
                let mut parens = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => parens += 1,
                        b')' => {
                            parens -= 1;
                            if parens == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'<' => {
                // a hex string
                i += bytes[i..].iter().position(|&b| b == b'>')?;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The dictionary with its `/Length` (a number or a reference) set to `len`.
fn with_length(dict: &[u8], len: usize) -> Vec<u8> {
    let mut from = 0;
    while let Some(at) = find(dict, b"/Length", from) {
        from = at + 1;
        let mut end = at + b"/Length".len();
        if dict.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            continue; // /Length1 and the like
        }
        // the value: `N` or `N G R`
        let token = |end: &mut usize| {
            while dict.get(*end).is_some_and(u8::is_ascii_whitespace) {
                *end += 1;
            }
            let begin = *end;
            while dict.get(*end).is_some_and(u8::is_ascii_digit) {
                *end += 1;
            }
            *end > begin
        };
        if !token(&mut end) {
            continue;
        }
        let number_end = end;
        let mut reference_end = end;
        if token(&mut reference_end) {
            while dict.get(reference_end).is_some_and(u8::is_ascii_whitespace) {
                reference_end += 1;
            }
            if dict.get(reference_end) == Some(&b'R') {
                end = reference_end + 1;
            } else {
                end = number_end;
            }
        }
        return [
            &dict[..at],
            format!("/Length {len}").as_bytes(),
            &dict[end..],
        ]
        .concat();
    }
    [
        &dict[..2],
        format!(" /Length {len} ").as_bytes(),
        &dict[2..],
    ]
    .concat()
}

/// The pages in page-tree order, each once. lopdf's walk follows a `/Kids`
/// entry that points back up the tree round the loop until its step budget
/// runs out, reading pages again and never reaching the ones after the loop;
/// poppler skips a node it has seen. When the two differ, the tree is
/// flattened (the root's `/Kids` become the pages; `/Parent` links, which
/// inherited attributes follow, stay), so that pdf-extract, which numbers pages
/// with lopdf's walk, reads the same pages.
pub(crate) fn pages(doc: &mut Document) -> BTreeMap<u32, ObjectId> {
    let found = doc.get_pages();
    let Ok(root) = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
    else {
        return found;
    };
    let walked = walk(doc, root);
    if walked.is_empty() || found.values().eq(walked.iter()) {
        return found;
    }
    debug!(
        lopdf = found.len(),
        pages = walked.len(),
        "page tree loops back on itself; reading each page once"
    );
    let kids: Vec<Object> = walked.iter().map(|&id| Object::Reference(id)).collect();
    if let Ok(node) = doc.get_dictionary_mut(root) {
        node.set("Count", walked.len() as i64);
        node.set("Kids", kids);
    }
    doc.get_pages()
}

/// Depth-first, each node once (as lopdf: up to 256 levels, a node is a page
/// or a page-tree node by its `/Type`).
fn walk(doc: &Document, root: ObjectId) -> Vec<ObjectId> {
    let kids_of = |id: ObjectId| -> Vec<ObjectId> {
        doc.get_dictionary(id)
            .and_then(|d| d.get_deref(b"Kids", doc))
            .and_then(Object::as_array)
            .map(|kids| kids.iter().filter_map(|k| k.as_reference().ok()).collect())
            .unwrap_or_default()
    };
    let mut seen = HashSet::from([root]);
    let mut pages = Vec::new();
    let mut stack = vec![kids_of(root).into_iter()];
    while let Some(level) = stack.last_mut() {
        let Some(kid) = level.next() else {
            stack.pop();
            continue;
        };
        if !seen.insert(kid) {
            continue;
        }
        match doc.get_dictionary(kid).and_then(|d| d.get_type()) {
            Ok(b"Page") => pages.push(kid),
            Ok(b"Pages") if stack.len() < 256 => stack.push(kids_of(kid).into_iter()),
            _ => {}
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_replaced_whatever_it_was() {
        assert_eq!(
            with_length(b"<< /Length 4 0 R /Filter /FlateDecode >>", 12),
            b"<< /Length 12 /Filter /FlateDecode >>"
        );
        assert_eq!(
            with_length(b"<</Length1 5 /Length 999>>", 3),
            b"<</Length1 5 /Length 3>>"
        );
        assert_eq!(with_length(b"<< >>", 3), b"<< /Length 3  >>");
    }

    #[test]
    fn dict_end_skips_strings_and_nesting() {
        let d = b"<< /A (a >> b) /B << /C 1 >> /D <AB>>> stream";
        assert_eq!(dict_end(d, 0), Some(d.len() - " stream".len()));
    }
}
