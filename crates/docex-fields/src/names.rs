//! The names family of bills: vendor and customer. A heading above a name gives its
//! role (`lexicons/labels.toml`); with no tagged vendor, the name signed for under the
//! totals or spelled by the document's email or web address. Also when two names are
//! one party.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Fields, Page, Role, TaggedSpan};
use docex_normalize as norm;
use regex::Regex;

use crate::choose::push_sorted;
use crate::lexicon::matchers;
use crate::sources::entity;
use crate::text::{label_before, page_of};
use crate::{FALLBACK_PENALTY, SCANNED_CONFIDENCE};

/// `For ACME TRADING` / `for and on behalf of ACME TRADING` above a signature.
pub(crate) static SIGNED_FOR: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        Regex::new(r"(?i)\bfor\b").expect("regex"),
        // the words after one `for` (matched at every `for`: one can sit inside
        // another's words, as in "Thank you for Your Business / For ACME")
        Regex::new(r"(?i)^\s+(?:and\s+on\s+behalf\s+of\s+)?((?:[A-Z0-9&][\w&.'-]*\s+){0,5}[A-Z0-9&][\w&.'-]*)")
            .expect("regex"),
    )
});

/// How many lines at the top of the first page count as its letterhead.
pub(crate) const LETTERHEAD_LINES: usize = 4;

/// The issuer of an invoice signs "For ACME TRADING" under the totals, and the same
/// name heads the first page: the longest run of capitalised words after a `for`
/// that also stands in the letterhead is the vendor (for when the tagger found none,
/// as on a letterhead it has never seen).
pub(crate) fn signed_vendor(pages: &[(Page, Vec<TaggedSpan>)]) -> Option<(usize, usize, String)> {
    let first = &pages.first()?.0;
    let head_end = first
        .text
        .char_indices()
        .filter(|&(_, c)| c == '\n')
        .nth(LETTERHEAD_LINES - 1)
        .map_or(first.text.len(), |(b, _)| b);
    let head = &first.text[..head_end];
    let mut best: Option<(usize, usize, String)> = None;
    for (i, (page, _)) in pages.iter().enumerate() {
        let (word_for, name_after) = &*SIGNED_FOR;
        for at in word_for.find_iter(&page.text) {
            let Some(cap) = name_after.captures(&page.text[at.end()..]) else {
                continue;
            };
            // the letterhead is above the signature, never the signature itself
            let head = if i == 0 {
                &head[..head.len().min(at.start())]
            } else {
                head
            };
            let words: Vec<&str> = cap[1].split_whitespace().collect();
            // every prefix, longest first, that starts with a capital letter per word
            for n in (1..=words.len()).rev() {
                let name = &words[..n];
                if !name.iter().all(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '&')
                }) {
                    continue;
                }
                let letters = name
                    .iter()
                    .flat_map(|w| w.chars())
                    .filter(|c| c.is_alphabetic())
                    .count();
                if letters < 4 {
                    break;
                }
                if let Some(m) = find_words(head, name) {
                    let text =
                        m.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '&');
                    let m_start = m.as_ptr() as usize - head.as_ptr() as usize;
                    let at = head[..m_start].chars().count()
                        + m.find(text).map_or(0, |b| m[..b].chars().count());
                    if best
                        .as_ref()
                        .is_none_or(|b| text.chars().count() > b.1 - b.0)
                    {
                        best = Some((at, at + text.chars().count(), text.to_owned()));
                    }
                    break;
                }
            }
        }
    }
    best
}

/// An email or web address: the mailbox and the domain's first label.
pub(crate) static MAIL_OR_WEB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([a-z0-9._-]+)@([a-z0-9-]+)\.|\bwww\.([a-z0-9-]+)\.").expect("regex")
});

/// The name that opens the first page (its capitalised words, at most six, up to a
/// label such as `Factory Address:-` or `GSTIN`) when the document's own email or web
/// address spells it: `AVIVA DOORS ... avivadoor@gmail.com`. For when the tagger found
/// no vendor and no signature names one.
pub(crate) fn mailed_vendor(pages: &[(Page, Vec<TaggedSpan>)]) -> Option<(usize, usize, String)> {
    let first = &pages.first()?.0;
    let line = first.text.lines().find(|l| !l.trim().is_empty())?;
    let mut end = None;
    for (at, word) in norm::words_at(line).take(6) {
        let label = matchers().letterhead_end.contains(&word.to_lowercase());
        let capital =
            word.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) || word == "&";
        // a wide gap starts another column (`Aquapath          Bill`)
        let column = end.is_some_and(|e| line[e..at].contains("  ") || line[e..at].contains('\t'));
        if label || !capital || column || word.ends_with([':', '-']) {
            break;
        }
        end = Some(at + word.len());
    }
    let start_byte = line.len() - line.trim_start().len();
    let name = &line[start_byte..end?];
    let key = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .flat_map(|c| c.to_lowercase())
            .collect()
    };
    let name_key = key(name);
    let spelled = pages.iter().any(|(p, _)| {
        MAIL_OR_WEB.captures_iter(&p.text).any(|c| {
            c.iter().skip(1).flatten().any(|part| {
                let part = key(part.as_str());
                part.len() >= 5 && (name_key.starts_with(&part) || part.starts_with(&name_key))
            })
        })
    });
    if !spelled || name_key.len() < 5 {
        return None;
    }
    let line_start = first.text[..line.as_ptr() as usize - first.text.as_ptr() as usize]
        .chars()
        .count();
    let at = line_start + line[..start_byte].chars().count();
    Some((at, at + name.chars().count(), name.to_owned()))
}

/// The first place in `text` where `words` stand in a row, in any case, separated by
/// whitespace and not inside longer words: the match with the character on either
/// side of it (as a regex `(?i)(?:^|\W)w1\s+w2...(?:$|\W)` finds it, without building
/// one regex per name: contracts have hundreds of `for`s to try).
pub(crate) fn find_words<'t>(text: &'t str, words: &[&str]) -> Option<&'t str> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    // the text lowercased, whitespace runs as one space, each char with its byte in `text`
    let mut squeezed: Vec<(char, usize)> = Vec::with_capacity(text.len());
    for (b, c) in text.char_indices() {
        if c.is_whitespace() {
            if squeezed.last().is_none_or(|&(l, _)| l != ' ') {
                squeezed.push((' ', b));
            }
        } else {
            squeezed.extend(c.to_lowercase().map(|l| (l, b)));
        }
    }
    let needle: Vec<char> = words.join(" ").to_lowercase().chars().collect();
    let n = needle.len();
    let start = (0..=squeezed.len().checked_sub(n)?).find(|&i| {
        squeezed[i..i + n]
            .iter()
            .map(|&(c, _)| c)
            .eq(needle.iter().copied())
            && (i == 0 || !is_word(squeezed[i - 1].0))
            && squeezed.get(i + n).is_none_or(|&(c, _)| !is_word(c))
    })?;
    let from = if start == 0 { 0 } else { squeezed[start - 1].1 };
    let last = squeezed
        .get(start + n)
        .unwrap_or(&squeezed[start + n - 1])
        .1;
    let to = last + text[last..].chars().next().map_or(0, char::len_utf8);
    Some(&text[from..to])
}

/// A vendor or customer name right after a heading that names its role (on its line,
/// or alone on the line above) takes that role: the tagger reads roles from where a name
/// stands, and some bills print the customer first (`CUSTOMER` / `Dale & Renata
/// Whitcombe` above `From:` / `Ironbark Roofing & Exteriors LLC`). Contract parties are
/// left alone (`CUSTOMER: Acme Inc.` in a signature block names a party).
pub(crate) fn roles_by_heading(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
    for e in entities
        .iter_mut()
        .filter(|e| matches!(e.role, Some(Role::Vendor | Role::Customer)))
    {
        let Some(page) = page_of(pages, e.page) else {
            continue;
        };
        let heading = label_before(&page.text, e.start);
        // headings that say whose name follows (lexicons/labels.toml)
        let headings = [
            (&matchers().customer_heading, Role::Customer),
            (&matchers().vendor_heading, Role::Vendor),
        ];
        if let Some((_, role)) = headings.iter().find(|(h, _)| h.is_match(&heading)) {
            e.role = Some(*role);
            e.confidence = e.confidence.max(SCANNED_CONFIDENCE);
        }
    }
}

/// Two folded party names are one party when one contains the other (`AM CAPITAL
/// ACQUISITION COMPANY` in `I-AM Capital Acquisition Company`, or a signature line
/// that runs two names together) or they differ by a few letters (OCR, typos).
pub(crate) fn same_party(a: &str, b: &str) -> bool {
    let (a, b) = (
        a.split_whitespace().collect::<Vec<_>>(),
        b.split_whitespace().collect::<Vec<_>>(),
    );
    let (a, b) = (a.join(" "), b.join(" "));
    let contains = |x: &str, y: &str| !y.is_empty() && format!(" {x} ").contains(&format!(" {y} "));
    if contains(&a, &b) || contains(&b, &a) {
        return true;
    }
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let longest = x.len().max(y.len());
    longest > 0 && (norm::edit_distance(&x, &y) as f32) <= 0.15 * longest as f32
}

/// When the tagger gave no vendor, the name signed for under the totals that also heads
/// the first page (see [`signed_vendor`]), else the letterhead's name that the document's
/// own email or web address spells (see [`mailed_vendor`]), at a lower confidence.
pub(crate) fn fallback_vendor(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    if fields.vendor.is_none() {
        if let Some((start, end, text)) = signed_vendor(pages).or_else(|| mailed_vendor(pages)) {
            if let Some(value) = norm::clean_party(&text) {
                let page = &pages[0].0;
                let mut e = entity(
                    page,
                    Some(Role::Vendor),
                    EntityKind::Party,
                    start,
                    end,
                    value.clone(),
                    SCANNED_CONFIDENCE,
                    None,
                );
                e.confidence *= FALLBACK_PENALTY;
                fields.vendor = Some(value);
                push_sorted(entities, e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_repeated_in_the_signature_block_is_listed_once() {
        let table = [
            (
                "i am capital acquisition company",
                "am capital acquisition company",
                true,
            ),
            (
                "mount knowledge holdings inc",
                "ma mount knowledge holdings inc",
                true,
            ),
            (
                "eco science solutions inc",
                "eco sciences solutions inc",
                true,
            ),
            (
                "todos medical ltd",
                "todos medical ltd care g b plus ltd",
                true,
            ),
            ("todos medical ltd", "care g b plus ltd", false),
            ("acme corp", "acme holdings corp", false),
        ];
        for (a, b, same) in table {
            assert_eq!(same_party(a, b), same, "{a} / {b}");
        }
    }

    #[test]
    fn words_in_a_row_are_found_in_any_case_across_whitespace_but_not_inside_words() {
        let text = "ACMEX Ltd\nTel 1\nFor Acme\n  Trading, Pune";
        assert_eq!(
            find_words(text, &["ACME", "TRADING"]),
            Some(" Acme\n  Trading,")
        );
        assert_eq!(
            find_words("Acme Trading", &["acme", "trading"]),
            Some("Acme Trading")
        );
        assert_eq!(find_words("ACMEX TRADING", &["ACME", "TRADING"]), None);
        assert_eq!(find_words("ACME TRADINGS", &["ACME", "TRADING"]), None);
    }
}
