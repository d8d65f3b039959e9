//! What the scanners return, and the byte-to-character bookkeeping behind it.

use serde::{Deserialize, Serialize};

/// A value-looking expression a scanner found in free text.
///
/// Offsets are *character* (Unicode scalar value) offsets, like every offset in
/// docex, so a hit maps straight onto a page's text and word boxes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Found {
    /// First character of the expression.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The expression as it appears in the text (`start..end`).
    pub text: String,
}

/// Maps byte offsets of one text to character offsets.
pub(crate) struct CharIndex {
    /// Byte offset of every character, in order.
    bytes: Vec<usize>,
}

impl CharIndex {
    pub(crate) fn new(text: &str) -> Self {
        CharIndex {
            bytes: text.char_indices().map(|(b, _)| b).collect(),
        }
    }

    /// The character offset of a byte offset on a character boundary (or the end).
    pub(crate) fn char_at(&self, byte: usize) -> usize {
        self.bytes.partition_point(|&b| b < byte)
    }
}

/// Turns byte ranges into [`Found`]s, dropping any range that overlaps an
/// earlier-starting (or, at the same start, longer) one.
pub(crate) fn to_found(text: &str, mut ranges: Vec<(usize, usize)>) -> Vec<Found> {
    ranges.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let index = CharIndex::new(text);
    let mut out: Vec<Found> = Vec::new();
    let mut last_end = 0;
    for (s, e) in ranges {
        if !out.is_empty() && s < last_end {
            continue;
        }
        last_end = e;
        out.push(Found {
            start: index.char_at(s),
            end: index.char_at(e),
            text: text[s..e].to_string(),
        });
    }
    out
}

/// The character before byte offset `at`, if any.
pub(crate) fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

/// The character at or after byte offset `at`, if any.
pub(crate) fn char_after(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

/// The second character at or after byte offset `at`, if any.
pub(crate) fn second_char_after(text: &str, at: usize) -> Option<char> {
    text[at..].chars().nth(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_not_bytes() {
        let text = "€ 5 – ok";
        // "5" is byte 4 (after the 3-byte euro sign and a space), character 2.
        let found = to_found(text, vec![(4, 5)]);
        assert_eq!(
            found,
            vec![Found {
                start: 2,
                end: 3,
                text: "5".into()
            }]
        );
    }

    #[test]
    fn overlaps_keep_the_earlier_longer_range() {
        let found = to_found("abcdefgh", vec![(2, 4), (0, 3), (0, 2), (5, 8)]);
        let spans: Vec<_> = found.iter().map(|f| (f.start, f.end)).collect();
        assert_eq!(spans, vec![(0, 3), (5, 8)]);
    }
}
