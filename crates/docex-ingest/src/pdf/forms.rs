//! Text that is not in a page's content stream: the values of filled form
//! fields (AcroForm widgets) and the text of FreeText annotations (typewriter
//! text, text boxes). pdf-extract reads only the content stream, so a filled
//! form read without these lost its values, and a page whose only text was in
//! them looked like a page without text.

use pdf_extract::content::Content;
use pdf_extract::{decode_text_string, Dictionary, Document, Object, ObjectId};

use super::inflate;

/// Annotation flags that keep an annotation off the page (Hidden, NoView).
const HIDDEN: i64 = 2 | 32;

/// The text of a page's filled text and choice fields (their `/V`) and of its
/// FreeText annotations (their `/Contents`), one annotation a line, top to
/// bottom and left to right; where those are missing, the text their
/// appearance stream shows (decoded under `cap` bytes). Check boxes, radio
/// buttons, push buttons and signatures give no text, nor do hidden
/// annotations or comments (sticky notes, which are not drawn on the page).
pub(crate) fn annotation_text(doc: &Document, page: ObjectId, cap: u64) -> String {
    let Ok(dict) = doc.get_dictionary(page) else {
        return String::new();
    };
    let annots = match dict.get_deref(b"Annots", doc).and_then(Object::as_array) {
        Ok(a) => a,
        Err(_) => return String::new(),
    };
    let mut found: Vec<(f32, f32, String)> = Vec::new();
    for annot in annots {
        let Ok(annot) = deref(doc, annot).as_dict() else {
            continue;
        };
        if annot.get(b"F").and_then(Object::as_i64).unwrap_or(0) & HIDDEN != 0 {
            continue;
        }
        let text = match annot.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Widget") => match field(doc, annot) {
                (Some(b"Btn" | b"Sig"), _) => None,
                (_, Some(value)) => Some(value),
                (_, None) => appearance_text(doc, annot, cap),
            },
            Ok(b"FreeText") => annot
                .get(b"Contents")
                .ok()
                .and_then(text_string)
                .filter(|t| !t.trim().is_empty())
                .or_else(|| appearance_text(doc, annot, cap)),
            _ => None,
        };
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let (x, top) = rect_corner(doc, annot);
        found.push((top, x, text));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.total_cmp(&b.1)));
    found
        .into_iter()
        .map(|(_, _, t)| t.replace("\r\n", "\n").replace('\r', "\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A widget's field type and, for text and choice fields, its value: `/FT` and
/// `/V` may sit on the widget or on a field above it (`/Parent`).
fn field<'a>(doc: &'a Document, widget: &'a Dictionary) -> (Option<&'a [u8]>, Option<String>) {
    let mut field_type = None;
    let mut value = None;
    let mut node = widget;
    for _ in 0..32 {
        if field_type.is_none() {
            field_type = node.get(b"FT").and_then(Object::as_name).ok();
        }
        if value.is_none() {
            value = node.get(b"V").ok().map(|v| deref(doc, v));
        }
        if field_type.is_some() && value.is_some() {
            break;
        }
        match node.get(b"Parent").ok().map(|p| deref(doc, p)) {
            Some(Object::Dictionary(parent)) => node = parent,
            _ => break,
        }
    }
    let value = match (field_type, value) {
        (Some(b"Tx" | b"Ch"), Some(v @ Object::String(..))) => text_string(v),
        (Some(b"Ch"), Some(Object::Array(options))) => {
            let chosen: Vec<String> = options
                .iter()
                .filter_map(|o| text_string(deref(doc, o)))
                .collect();
            Some(chosen.join(", "))
        }
        _ => None,
    };
    (field_type, value.filter(|v| !v.trim().is_empty()))
}

/// The text an annotation's normal appearance (`/AP /N`) shows: the strings
/// of its text operators, bytes read as WinAnsi. None when a font in it is
/// composite (Type0), whose codes are glyph numbers, not characters.
fn appearance_text(doc: &Document, annot: &Dictionary, cap: u64) -> Option<String> {
    let ap = deref(doc, annot.get(b"AP").ok()?).as_dict().ok()?;
    let Object::Stream(stream) = deref(doc, ap.get(b"N").ok()?) else {
        return None;
    };
    let data = inflate::decode(stream, cap).ok()?;
    let content = Content::decode(&data).ok()?;
    let fonts = stream
        .dict
        .get(b"Resources")
        .map(|r| deref(doc, r))
        .and_then(Object::as_dict)
        .and_then(|r| r.get(b"Font"))
        .map(|f| deref(doc, f))
        .and_then(Object::as_dict)
        .ok();
    let mut text = String::new();
    let push = |bytes: &[u8], text: &mut String| text.extend(bytes.iter().map(|&b| winansi(b)));
    for op in &content.operations {
        match (op.operator.as_str(), op.operands.as_slice()) {
            ("Tf", [Object::Name(name), ..]) => {
                let font = fonts.and_then(|f| f.get(name).ok()).map(|f| deref(doc, f));
                let subtype = font
                    .and_then(|f| f.as_dict().ok())
                    .and_then(|f| f.get(b"Subtype").and_then(Object::as_name).ok());
                if subtype == Some(b"Type0") {
                    return None;
                }
            }
            ("Tj", [Object::String(s, _)]) => push(s, &mut text),
            ("'" | "\"", [.., Object::String(s, _)]) => {
                text.push('\n');
                push(s, &mut text);
            }
            ("TJ", [Object::Array(items)]) => {
                for item in items {
                    match item {
                        Object::String(s, _) => push(s, &mut text),
                        Object::Integer(n) if *n < -250 => text.push(' '),
                        Object::Real(n) if *n < -250.0 => text.push(' '),
                        _ => {}
                    }
                }
            }
            ("T*", _) => text.push('\n'),
            ("Td" | "TD", [_, ty]) if ty.as_float().is_ok_and(|y| y != 0.0) => text.push('\n'),
            ("ET", _) => text.push('\n'),
            _ => {}
        }
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// A byte of WinAnsiEncoding: Latin-1, but for the printable 0x80-0x9F.
fn winansi(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        b => b as char,
    }
}

fn text_string(o: &Object) -> Option<String> {
    decode_text_string(o).ok()
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

/// The top-left corner of an annotation's `/Rect`.
fn rect_corner(doc: &Document, annot: &Dictionary) -> (f32, f32) {
    let numbers: Vec<f32> = annot
        .get(b"Rect")
        .map(|r| deref(doc, r))
        .and_then(Object::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|n| {
                    n.as_float()
                        .ok()
                        .or_else(|| n.as_i64().ok().map(|i| i as f32))
                })
                .collect()
        })
        .unwrap_or_default();
    match numbers[..] {
        [x0, y0, x1, y1] => (x0.min(x1), y0.max(y1)),
        _ => (0.0, 0.0),
    }
}

/// Whether the PDF is a dynamic XFA form: its AcroForm carries `/XFA` (the
/// form as XML, laid out by the viewer) and no fields, so its pages are only a
/// placeholder for viewers without XFA. `needs_rendering` is the catalog's
/// `/NeedsRendering` (the pages must be rendered from the XFA).
pub(crate) fn xfa_only(doc: &Document) -> Option<XfaForm> {
    let catalog = doc.catalog().ok()?;
    let acroform = deref(doc, catalog.get(b"AcroForm").ok()?).as_dict().ok()?;
    acroform.get(b"XFA").ok()?;
    let fields = acroform
        .get(b"Fields")
        .map(|f| deref(doc, f))
        .and_then(Object::as_array)
        .map_or(0, Vec::len);
    (fields == 0).then(|| XfaForm {
        needs_rendering: catalog
            .get(b"NeedsRendering")
            .and_then(Object::as_bool)
            .unwrap_or(false),
    })
}

/// What [`xfa_only`] found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XfaForm {
    /// The catalog says the pages must be rendered from the XFA.
    pub(crate) needs_rendering: bool,
}
