//! Page text to model inputs, exactly as `models/README.md` specifies (and as
//! `models/train/docex_train/text.py` computes them in training).

use std::collections::HashMap;

use tokenizers::Tokenizer;

use crate::TaggerError;

/// Number of token features.
pub const N_FEATURES: usize = 8;

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
        let mut prev_end: Option<usize> = None;
        for &(s, e) in &offsets {
            let tok = &chars[s.min(chars.len())..e.min(chars.len())];
            let line_start = match prev_end {
                None => true,
                Some(p) => chars[p.min(s)..s].contains(&'\n'),
            };
            out.features.push(features(tok, line_start));
            let mut ids: Vec<i64> = tok
                .iter()
                .take(self.max_chars)
                .map(|c| *self.char_index.get(c).unwrap_or(&1))
                .collect();
            ids.resize(self.max_chars, 0);
            out.char_ids.push(ids);
            prev_end = Some(e);
        }
        out.offsets = offsets;
        Ok(out)
    }
}

/// The 8 token features, in the contract's order.
pub fn features(tok: &[char], line_start: bool) -> [f32; N_FEATURES] {
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
        line_start,
    ];
    flags.map(|b| if b { 1.0 } else { 0.0 })
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

    fn f(s: &str) -> [f32; N_FEATURES] {
        features(&s.chars().collect::<Vec<_>>(), false)
    }

    #[test]
    fn feature_table() {
        // upper title has_digit all_digit punct numeric currency line_start
        let table: &[(&str, [f32; 8])] = &[
            ("ACME", [1., 0., 0., 0., 0., 0., 0., 0.]),
            ("Acme", [0., 1., 0., 0., 0., 0., 0., 0.]),
            ("A", [1., 1., 0., 0., 0., 0., 0., 0.]),
            ("2024", [0., 0., 1., 1., 0., 1., 0., 0.]),
            ("1.234,56", [0., 0., 1., 0., 0., 1., 0., 0.]),
            ("12/", [0., 0., 1., 0., 0., 0., 0., 0.]),
            ("€", [0., 0., 0., 0., 1., 0., 1., 0.]),
            (":", [0., 0., 0., 0., 1., 0., 0., 0.]),
            ("iPhone", [0., 0., 0., 0., 0., 0., 0., 0.]),
        ];
        for (tok, expected) in table {
            assert_eq!(&f(tok), expected, "{tok}");
        }
    }
}
