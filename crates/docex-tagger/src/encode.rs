//! Page text to model inputs, exactly as `models/README.md` specifies (and as
//! `models/train/docex_train/text.py` computes them in training).

use std::collections::HashMap;

use tokenizers::Tokenizer;

use crate::TaggerError;

/// The token features, in the contract's order: word shape, then layout from the
/// page text's own geometry (the same for OCR'd scans, text PDFs and plain text).
pub const FEATURES: [&str; N_FEATURES] = [
    "upper",
    "title",
    "has_digit",
    "all_digit",
    "punct",
    "numeric",
    "currency",
    "line_start",
    "line_end",
    "para_start",
    "rel_y",
    "rel_x",
    "top_lines",
    "line_len",
];

/// Number of token features.
pub const N_FEATURES: usize = 14;
/// Word-shape features, the first ones.
const N_SHAPE: usize = 7;
/// Lines of a page (with tokens) that count as its top.
const TOP_LINES: usize = 3;
/// `line_len` is tokens on the line, capped here, over this.
const LINE_LEN_CAP: usize = 10;

/// A page's tokens and the model inputs for them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// Character offsets of each token in the page text.
    pub offsets: Vec<(usize, usize)>,
    /// Vocabulary id of each token.
    pub word_ids: Vec<i64>,
    /// `max_chars` character ids per token.
    pub char_ids: Vec<Vec<i64>>,
    /// [`N_FEATURES`] features per token.
    pub features: Vec<[f32; N_FEATURES]>,
}

/// Tokenizer plus character vocabulary.
#[derive(Debug)]
pub struct Encoder {
    tokenizer: Tokenizer,
    char_index: HashMap<char, i64>,
    max_chars: usize,
}

impl Encoder {
    /// Builds the encoder from a loaded tokenizer and the model's character list.
    pub fn new(tokenizer: Tokenizer, chars: &[String], max_chars: usize) -> Encoder {
        let char_index = chars
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.chars().next().map(|c| (c, i as i64 + 2)))
            .collect();
        Encoder {
            tokenizer,
            char_index,
            max_chars,
        }
    }

    /// Characters per token in `char_ids`.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Tokenizes `text` and computes every model input.
    pub fn encode(&self, text: &str) -> Result<Encoded, TaggerError> {
        let enc = self
            .tokenizer
            .encode_char_offsets(text, false)
            .map_err(|e| TaggerError::Tokenizer(e.to_string()))?;
        let chars: Vec<char> = text.chars().collect();
        let offsets: Vec<(usize, usize)> = enc.get_offsets().to_vec();
        let mut out = Encoded {
            word_ids: enc.get_ids().iter().map(|&i| i as i64).collect(),
            ..Encoded::default()
        };
        let layout = layout_features(&chars, &offsets);
        for (&(s, e), lay) in offsets.iter().zip(layout) {
            let tok = &chars[s.min(chars.len())..e.min(chars.len())];
            let mut f = [0.0; N_FEATURES];
            f[..N_SHAPE].copy_from_slice(&shape_features(tok));
            f[N_SHAPE..].copy_from_slice(&lay);
            out.features.push(f);
            let mut ids: Vec<i64> = tok
                .iter()
                .take(self.max_chars)
                .map(|c| *self.char_index.get(c).unwrap_or(&1))
                .collect();
            ids.resize(self.max_chars, 0);
            out.char_ids.push(ids);
        }
        out.offsets = offsets;
        Ok(out)
    }
}

/// The word-shape features of one token (the first [`N_SHAPE`] of [`FEATURES`]).
pub fn shape_features(tok: &[char]) -> [f32; N_SHAPE] {
    let is_digit = |c: &char| c.is_ascii_digit();
    let has_letter = tok.iter().any(|c| c.is_alphabetic());
    let has_digit = tok.iter().any(is_digit);
    let upper = has_letter
        && tok
            .iter()
            .filter(|c| c.is_alphabetic())
            .all(|c| c.is_uppercase());
    let title = tok
        .first()
        .is_some_and(|c| c.is_alphabetic() && c.is_uppercase())
        && !tok[1..].iter().any(|c| c.is_uppercase());
    let all_digit = !tok.is_empty() && tok.iter().all(is_digit);
    let punct = !has_letter && !has_digit;
    let currency = tok.iter().any(|c| matches!(c, '$' | '€' | '£' | '₹' | '¥'));
    let flags = [
        upper,
        title,
        has_digit,
        all_digit,
        punct,
        numeric(tok),
        currency,
    ];
    flags.map(|b| if b { 1.0 } else { 0.0 })
}

/// The layout features of every token (the last 7 of [`FEATURES`]), as `models/README.md`
/// defines them: `line_start`, `line_end`, `para_start` (first token of the page or after a
/// blank line), `rel_y` (newlines before the line / newlines in the page), `rel_x` (column /
/// longest line), `top_lines` (one of the page's first 3 lines with tokens) and `line_len`
/// (tokens on the line / 10, at most 1). Form feeds separate pages; each has its own geometry.
pub fn layout_features(chars: &[char], offsets: &[(usize, usize)]) -> Vec<[f32; 7]> {
    let at = |i: usize| i.min(chars.len());
    let gap = |a: usize, b: usize| &chars[at(a)..at(b).max(at(a))];
    let mut out = Vec::with_capacity(offsets.len());
    let (mut page_start, mut last_line, mut width) = (0, 1, 1);
    let (mut line_no, mut newlines, mut counted_to) = (0, 0, 0);
    let mut i = 0;
    while i < offsets.len() {
        let s0 = offsets[i].0;
        let before = if i == 0 {
            gap(0, s0)
        } else {
            gap(offsets[i - 1].1, s0)
        };
        let para = if i == 0 || before.contains(&'\u{c}') {
            page_start = chars[..at(s0)]
                .iter()
                .rposition(|&c| c == '\u{c}')
                .map_or(0, |p| p + 1);
            let page_end = chars[at(s0)..]
                .iter()
                .position(|&c| c == '\u{c}')
                .map_or(chars.len(), |p| at(s0) + p);
            let page = &chars[page_start..page_end];
            last_line = page.iter().filter(|&&c| c == '\n').count().max(1);
            width = page
                .split(|&c| c == '\n')
                .map(<[char]>::len)
                .max()
                .unwrap_or(0)
                .max(1);
            (line_no, newlines, counted_to) = (0, 0, page_start);
            true
        } else {
            line_no += 1;
            before.iter().filter(|&&c| c == '\n').count() >= 2
        };
        let mut j = i + 1;
        while j < offsets.len()
            && !gap(offsets[j - 1].1, offsets[j].0)
                .iter()
                .any(|&c| c == '\n' || c == '\u{c}')
        {
            j += 1;
        }
        newlines += gap(counted_to, s0).iter().filter(|&&c| c == '\n').count();
        counted_to = at(s0).max(counted_to);
        let line_begin = chars[page_start..at(s0).max(page_start)]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(page_start, |p| page_start + p + 1);
        let rel_y = newlines as f32 / last_line as f32;
        let line_len = (j - i).min(LINE_LEN_CAP) as f32 / LINE_LEN_CAP as f32;
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        for (t, &(start, _)) in offsets.iter().enumerate().take(j).skip(i) {
            let col = start.saturating_sub(line_begin) as f32;
            out.push([
                flag(t == i),
                flag(t == j - 1),
                flag(para && t == i),
                rel_y,
                (col / width as f32).min(1.0),
                flag(line_no < TOP_LINES),
                line_len,
            ]);
        }
        i = j;
    }
    out
}

/// `^[0-9]+([.,/:-][0-9]+)*$`
fn numeric(tok: &[char]) -> bool {
    let mut need_digit = true;
    for c in tok {
        if c.is_ascii_digit() {
            need_digit = false;
        } else if matches!(c, '.' | ',' | '/' | ':' | '-') && !need_digit {
            need_digit = true;
        } else {
            return false;
        }
    }
    !tok.is_empty() && !need_digit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> [f32; N_SHAPE] {
        shape_features(&s.chars().collect::<Vec<_>>())
    }

    #[test]
    fn feature_table() {
        // upper title has_digit all_digit punct numeric currency
        let table: &[(&str, [f32; N_SHAPE])] = &[
            ("ACME", [1., 0., 0., 0., 0., 0., 0.]),
            ("Acme", [0., 1., 0., 0., 0., 0., 0.]),
            ("A", [1., 1., 0., 0., 0., 0., 0.]),
            ("2024", [0., 0., 1., 1., 0., 1., 0.]),
            ("1.234,56", [0., 0., 1., 0., 0., 1., 0.]),
            ("12/", [0., 0., 1., 0., 0., 0., 0.]),
            ("€", [0., 0., 0., 0., 1., 0., 1.]),
            (":", [0., 0., 0., 0., 1., 0., 0.]),
            ("iPhone", [0., 0., 0., 0., 0., 0., 0.]),
        ];
        for (tok, expected) in table {
            assert_eq!(&f(tok), expected, "{tok}");
        }
    }

    /// The examples in `tests/data/layout_table.json`, which
    /// `models/train/tests/test_text.py` checks against the Python implementation.
    #[test]
    fn layout_table() {
        #[derive(serde::Deserialize)]
        struct Table {
            features: Vec<String>,
            cases: Vec<Case>,
        }
        #[derive(serde::Deserialize)]
        struct Case {
            text: String,
            expected: Vec<[f32; 7]>,
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/layout_table.json");
        let table: Table = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(table.features, FEATURES[N_SHAPE..]);
        for Case { text, expected } in &table.cases {
            let chars: Vec<char> = text.chars().collect();
            let mut offsets = Vec::new();
            let mut start = None;
            for (i, c) in chars.iter().chain([&' ']).enumerate() {
                match (c.is_whitespace(), start) {
                    (false, None) => start = Some(i),
                    (true, Some(s)) => {
                        offsets.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            let got = layout_features(&chars, &offsets);
            assert_eq!(got.len(), expected.len(), "{text:?}");
            for (g, e) in got.iter().zip(expected.iter()) {
                for (a, b) in g.iter().zip(e) {
                    assert!((a - b).abs() < 1e-6, "{text:?}: {g:?} != {e:?}");
                }
            }
        }
    }
}
