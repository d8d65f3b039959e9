//! The ids family: the invoice number. Whole words, a fiscal year split off by OCR
//! joined again, ids under an invoice-number label preferred, and with no tagged
//! number the word after such a label.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Page, Role, TaggedSpan};
use regex::Regex;

use crate::choose::push_sorted;
use crate::sources::entity;
use crate::text::{label_before, page_of};
use crate::{FALLBACK_PENALTY, SCANNED_CONFIDENCE};

/// `Invoice No . :`, `Invoice #`, `Bill No:`, `Inv. Number` right before an id.
pub(crate) static INVOICE_NO_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:invoice|inv|bill|receipt)\s*\.?\s*(?:no|nr|number|num|#)\b\s*[.:#\-]*\s*[.:]?\s*$|(?i)\b(?:invoice|inv)\s*#\s*$")
        .expect("regex")
});

/// The tagger gives the invoice-number role to challan and order numbers too (`Ch . No .
/// : 2399/2401`) and to stray numbers, sometimes more surely than to the invoice number.
/// Beside an id under a plain `Invoice No :` label, ids under no such label are no
/// candidates.
pub(crate) fn prefer_invoice_numbers(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
    let label_of = |e: &Entity| Some(label_before(&page_of(pages, e.page)?.text, e.start));
    let ids: Vec<(usize, String)> = entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.role == Some(Role::InvoiceNumber))
        .filter_map(|(i, e)| Some((i, label_of(e)?)))
        .collect();
    if !ids.iter().any(|(_, l)| INVOICE_NO_LABEL.is_match(l)) {
        return;
    }
    for (i, label) in ids {
        if !INVOICE_NO_LABEL.is_match(&label) {
            entities[i].role = None;
        }
    }
}

/// When the tagger gave no invoice number, the word after a plain `Invoice No :` label
/// is one (with a fiscal year split off after it: `TI-184/19 - 20`), at the fallback
/// confidence.
pub(crate) fn labelled_invoice_number(
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) -> Option<String> {
    // `Invoice No : 42`, `Invoice #: 42`, `Invoice Num 42`, or a heading `INVOICE 3318`
    // alone on its line
    static AFTER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:invoice|inv|bill)\s*\.?\s*(?:(?:no|nr|number|num)\b|#)\s*[.:#]*\s*[.:]?\s*([A-Z0-9][A-Z0-9/\-_.]*[A-Z0-9]|[A-Z0-9])|(?m)^[ \t]*invoice[ \t]+([A-Z0-9][A-Z0-9/\-_]*[0-9][A-Z0-9/\-_]*)[ \t]*$")
            .expect("regex")
    });
    for (page, _) in pages {
        let chars: Vec<char> = page.text.chars().collect();
        for c in AFTER_LABEL.captures_iter(&page.text) {
            let m = c.get(1).or_else(|| c.get(2)).expect("a number group");
            // a number, not a word that happens to follow the label (`Invoice No Date`)
            if !m.as_str().chars().any(|ch| ch.is_ascii_digit()) {
                continue;
            }
            let start = page.text[..m.start()].chars().count();
            let mut span = TaggedSpan {
                start,
                end: start + m.as_str().chars().count(),
                role: Role::InvoiceNumber,
                confidence: SCANNED_CONFIDENCE * FALLBACK_PENALTY,
            };
            join_fiscal_year(&chars, &mut span);
            let Some(value) = clean_id(&page.slice(span.start, span.end)) else {
                continue;
            };
            let e = entity(
                page,
                Some(Role::InvoiceNumber),
                EntityKind::Id,
                span.start,
                span.end,
                value.clone(),
                span.confidence,
                None,
            );
            push_sorted(entities, e);
            return Some(value);
        }
    }
    None
}

/// Invoice numbers are whole words: the tagger sometimes starts or ends one inside
/// a word (`113/19` of `TI-113/19`), so an id span grows to the whitespace around it,
/// but not past a label separator (`No.:123`, `#123`) or a bracket.
pub(crate) fn widen_ids(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
    if !spans.iter().any(|s| s.role.kind() == EntityKind::Id) {
        return spans.to_vec();
    }
    let chars: Vec<char> = page.text.chars().collect();
    let mut out = spans.to_vec();
    for s in out.iter_mut().filter(|s| s.role.kind() == EntityKind::Id) {
        let stop = |c: char| c.is_whitespace() || matches!(c, ':' | '#' | '(' | ')' | '[' | ']');
        while s.start > 0 && s.start <= chars.len() && !stop(chars[s.start - 1]) {
            s.start -= 1;
        }
        while s.end < chars.len() && !stop(chars[s.end]) {
            s.end += 1;
        }
    }
    for s in out.iter_mut().filter(|s| s.role.kind() == EntityKind::Id) {
        join_fiscal_year(&chars, s);
    }
    out
}

/// `TI-113/19 - 20` and `19 - 20/433`: an id that ends or starts with a two-digit
/// year, with the next (or previous) year after a detached hyphen, carries an
/// Indian-style fiscal year (`2019-20`) that OCR and tokenisers split off.
pub(crate) fn join_fiscal_year(chars: &[char], s: &mut TaggedSpan) {
    let two_digits = |from: usize| -> Option<u32> {
        let d = chars.get(from..from + 2)?;
        d.iter().all(char::is_ascii_digit).then(|| {
            d.iter()
                .fold(0, |n, c| n * 10 + c.to_digit(10).unwrap_or(0))
        })
    };
    let is_digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    // forward: `..19` + ` - 20`
    if s.end >= 2 && !is_digit(s.end.wrapping_sub(3)) {
        if let Some(year) = two_digits(s.end - 2) {
            let mut i = s.end;
            while chars.get(i) == Some(&' ') {
                i += 1;
            }
            if chars.get(i) == Some(&'-') {
                i += 1;
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
                if two_digits(i) == Some((year + 1) % 100) && !is_digit(i + 2) {
                    s.end = i + 2;
                    return;
                }
            }
        }
    }
    // backward: `19 - ` + `20/433`
    if let Some(year) = two_digits(s.start).filter(|_| !is_digit(s.start + 2)) {
        let mut i = s.start;
        while i > 0 && chars[i - 1] == ' ' {
            i -= 1;
        }
        if i > 0 && chars[i - 1] == '-' {
            i -= 1;
            while i > 0 && chars[i - 1] == ' ' {
                i -= 1;
            }
            if i >= 2
                && two_digits(i - 2) == Some((year + 99) % 100)
                && (i == 2 || !chars[i - 3].is_alphanumeric())
            {
                s.start = i - 2;
            }
        }
    }
}

/// Spaces around a hyphen or slash inside an id (`TI-113/19 - 20`) are the OCR's or
/// tokeniser's, not the issuer's.
pub(crate) static ID_JOINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*([-/])\s*").expect("regex"));

pub(crate) fn clean_id(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches(['#', ':', '.', ' '])
        .trim_end_matches([',', ';', '.', ':'])
        .trim();
    (!t.is_empty() && t.chars().any(|c| c.is_ascii_alphanumeric()))
        .then(|| ID_JOINT.replace_all(t, "$1").into_owned())
}
