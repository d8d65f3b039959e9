//! Text helpers: lines, labels before a position, pages by number.

use std::sync::LazyLock;

use docex_core::{Page, TaggedSpan};
use regex::Regex;

/// The label right before character `at`: the last 25 characters of its line before
/// it, with the end of the line above when the label was broken off (`Ch Date` /
/// `. : 10-10-2019`, `Ch .` / `No . : 2399/2401`).
pub(crate) fn label_before(text: &str, at: usize) -> String {
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\s*(?:no|nr|number|num|date|dt)?\s*[.:#\-•·]*\s*[.:]?\s*$")
            .expect("regex")
    });
    let before = line_before(text, at);
    if !BARE.is_match(before) {
        return last_chars(before, 25).to_owned();
    }
    let above_end = at - before.chars().count();
    let above = line_before(text, above_end.saturating_sub(1));
    last_chars(&format!("{above} {before}"), 25).to_owned()
}

/// Byte offsets in `text` of the start of the line that holds character `at`, of `at`,
/// and of that line's end.
pub(crate) fn line_bounds(text: &str, at: usize) -> (usize, usize, usize) {
    let byte = text.char_indices().nth(at).map_or(text.len(), |(b, _)| b);
    let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let end = text[byte..].find('\n').map_or(text.len(), |i| byte + i);
    (start, byte, end)
}

/// The part of the line of `text` before character `at`.
pub(crate) fn line_before(text: &str, at: usize) -> &str {
    let (start, byte, _) = line_bounds(text, at);
    &text[start..byte]
}

/// The line of `text` that holds character `at`.
pub(crate) fn line_at(text: &str, at: usize) -> &str {
    let (start, _, end) = line_bounds(text, at);
    &text[start..end]
}

/// The last `n` characters of `s` (all of it when shorter).
pub(crate) fn last_chars(s: &str, n: usize) -> &str {
    s.char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(s, |(b, _)| &s[b..])
}

/// The page numbered `number` (pages are numbered from 1 in order; a search otherwise).
pub(crate) fn page_of(pages: &[(Page, Vec<TaggedSpan>)], number: usize) -> Option<&Page> {
    let by_index = pages.get(number.wrapping_sub(1)).map(|(p, _)| p);
    by_index
        .filter(|p| p.number == number)
        .or_else(|| pages.iter().map(|(p, _)| p).find(|p| p.number == number))
}
