//! Contract parties: the preamble names them. The tagger finds most of the names;
//! these rules read the preamble's own wording around them: where it ends, the
//! other name of a `between A and B`, a list run into one name.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Fields, Page, Role, TaggedSpan};
use docex_normalize as norm;
use regex::Regex;

use crate::choose::{distinct_parties, listed_party, push_sorted};
use crate::names::same_party;
use crate::sources::entity;
use crate::text::page_of;
use crate::{FALLBACK_PENALTY, SCANNED_CONFIDENCE};

/// How far (in characters) after the first party named a contract's other parties are
/// named: the preamble (`This Agreement is made by and between A, a Delaware
/// corporation with offices at ..., and B, ...`).
pub(crate) const PREAMBLE_CHARS: usize = 1000;

/// Where a contract's recitals or operative part begins (`WHEREAS`, `RECITALS`,
/// `Background`, `NOW, THEREFORE`): the preamble that names the parties has ended.
/// Written as headings are, capitalised: `whereas` inside a clause is prose. Not
/// `WITNESSETH`, which old forms write before the parties (`WITNESSETH, that A and B`).
static RECITALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:WHEREAS|Whereas|RECITALS|Recitals|BACKGROUND|Background|NOW,?\s+THEREFORE|Now,?\s+[Tt]herefore)\b",
    )
    .expect("recitals regex")
});

/// A contract names its parties together, in the preamble. A name tagged as a party
/// that is first named far after the first party is an affiliate, a guarantor, counsel
/// to be copied on notices or a brand the contract is about, not a party: of the 44
/// such names on the CUAD dev contracts, 42 were not parties. The preamble ends
/// [`PREAMBLE_CHARS`] after the first party, or sooner where the recitals begin: a
/// name first met in `WHEREAS, the Licensor, of which New Mountain Finance Advisers
/// BDC, L.L.C. is an affiliate` is not a party either. Their mentions lose the
/// party role (they stay in the entities); `parties` keeps the preamble's names.
pub(crate) fn keep_preamble_parties(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
    all_text: &str,
) {
    let mut page_start = std::collections::HashMap::new();
    let mut at = 0;
    for (p, _) in pages {
        page_start.insert(p.number, at);
        at += p.text.chars().count() + 1;
    }
    let pos = |e: &Entity| page_start.get(&e.page).copied().unwrap_or(0) + e.start;
    let first_mention = |key: &str| {
        entities
            .iter()
            .filter(|e| listed_party(e) && same_party(&norm::fold(&e.value), key))
            .map(pos)
            .min()
    };
    let Some(first) = entities.iter().filter(|e| listed_party(e)).map(pos).min() else {
        return;
    };
    let end = preamble_end(all_text, first);
    let (kept, far): (Vec<String>, Vec<String>) = fields
        .parties
        .drain(..)
        .partition(|p| first_mention(&norm::fold(p)).is_none_or(|m| m <= end));
    fields.parties = kept;
    let folded = |list: &[String]| list.iter().map(|p| norm::fold(p)).collect::<Vec<_>>();
    let (kept, far) = (folded(&fields.parties), folded(&far));
    for e in entities.iter_mut().filter(|e| e.role == Some(Role::Party)) {
        let key = norm::fold(&e.value);
        if far.iter().any(|k| same_party(k, &key)) && !kept.iter().any(|k| same_party(k, &key)) {
            e.role = None;
        }
    }
}

/// Whether the contract defines `name` as a short name in quotes (`("PSS")`).
fn defined_alias(all_text: &str, name: &str) -> bool {
    all_text.contains(&format!("\"{name}\"")) || all_text.contains(&format!("“{name}”"))
}

/// A list of parties that names one by its alias runs two into one tagged name (`by
/// and among PSS, PSS Merger Corp. ("Merger Corp.") and GSMS`): a party named
/// `PSS, PSS Merger Corp.`, whose head before the comma is an alias the contract
/// defines, is the name after it.
pub(crate) fn drop_alias_heads(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
    all_text: &str,
) {
    for e in entities.iter_mut().filter(|e| listed_party(e)) {
        let Some((head, rest)) = e.value.split_once(", ") else {
            continue;
        };
        // a name of its own (`PSS Merger Corp.`), not the rest of this one (`N. A`,
        // `Inc. and its Affiliates` after `Bank of America`, `Qualigen`)
        let first = rest.split_whitespace().next().unwrap_or("");
        let rest_is_a_name = rest.split_whitespace().count() >= 2
            && first.chars().filter(|c| c.is_alphanumeric()).count() >= 3
            && first.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
            && !norm::form_word(first);
        if !rest_is_a_name || !defined_alias(all_text, head) {
            continue;
        }
        let rest = rest.to_string();
        for p in fields.parties.iter_mut().filter(|p| **p == e.value) {
            p.clone_from(&rest);
        }
        // the mention keeps pointing at what was written: the name without its head
        if let Some(b) = e.text.rfind(&rest) {
            let start = e.start + e.text[..b].chars().count();
            narrow(e, pages, start, start + rest.chars().count());
        }
        e.value = rest;
    }
    fields.parties = distinct_parties(fields.parties.iter().map(String::as_str));
}

/// Points a mention at part of what it covered: characters `start..end` of its page.
fn narrow(e: &mut Entity, pages: &[(Page, Vec<TaggedSpan>)], start: usize, end: usize) {
    if let Some(page) = page_of(pages, e.page) {
        (e.start, e.end) = (start, end);
        e.text = page.slice(start, end);
        e.bbox = page.bbox_of(start, end);
    }
}

/// A lowercase `and` between words, with the whitespace around it.
static LOWER_AND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+and\s+").expect("and regex"));

/// The tagger sometimes runs two names a title joins into one (`ANDY NORTH and GOLFERS
/// INCORPORATED`). A name in capitals cannot hold a lowercase `and`: such a party is
/// the two names on either side of it, each its own mention. (`Savings and Loan
/// Association` is one name: it is not in capitals.)
pub(crate) fn split_joined_parties(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let capitals =
        |s: &str| s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase);
    let mut halves = Vec::new();
    for e in entities.iter_mut().filter(|e| listed_party(e)) {
        let ands: Vec<_> = LOWER_AND.find_iter(&e.text).collect();
        let [m] = ands[..] else {
            continue;
        };
        let (left, right) = (&e.text[..m.start()], &e.text[m.end()..]);
        if !capitals(left) || !capitals(right) {
            continue;
        }
        let (Some(a), Some(b)) = (norm::clean_party(left), norm::clean_party(right)) else {
            continue;
        };
        if let Some(i) = fields.parties.iter().position(|p| *p == e.value) {
            fields.parties.splice(i..=i, [a.clone(), b.clone()]);
        }
        let (start, end) = (e.start, e.end);
        let mut second = e.clone();
        narrow(
            &mut second,
            pages,
            start + e.text[..m.end()].chars().count(),
            end,
        );
        second.value = b;
        narrow(e, pages, start, start + left.chars().count());
        e.value = a;
        halves.push(second);
    }
    for e in halves {
        push_sorted(entities, e);
    }
}

/// `between` opening a preamble's clause, in any case.
static BETWEEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbetween\s+").expect("between regex"));

/// The tagger sometimes misses one of the two names a preamble joins (`by and between
/// NETWORK 1 FINANCIAL, INC. (...), and Payment Data Systems, Inc., ...`). In the
/// first `between A and B` clause around the first party (within [`PREAMBLE_CHARS`])
/// where A or B is a listed party, the other becomes one too when the clause says it
/// is a party's name ([`norm::between_names`]: a legal form, a definition, a
/// description) and the contract does not use it as another party's alias
/// (`"Trust"`). Its entity is at the fallback confidence.
pub(crate) fn add_between_parties(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
    all_text: &str,
) {
    let Some(first) = entities
        .iter()
        .filter(|e| listed_party(e))
        .min_by_key(|e| (e.page, e.start))
    else {
        return;
    };
    let Some(page) = page_of(pages, first.page) else {
        return;
    };
    let byte_at = |chars: usize| {
        page.text
            .char_indices()
            .nth(chars)
            .map_or(page.text.len(), |(b, _)| b)
    };
    let (from, to) = (
        byte_at(first.start.saturating_sub(PREAMBLE_CHARS)),
        byte_at(first.start + PREAMBLE_CHARS),
    );
    let listed = |name: &str| {
        let key = norm::fold(name);
        fields
            .parties
            .iter()
            .position(|p| same_party(&norm::fold(p), &key))
    };
    for m in BETWEEN.find_iter(&page.text[from..to]) {
        let at = from + m.end();
        let Some([a, b]) = norm::between_names(&page.text[at..]) else {
            continue;
        };
        let (new, index) = match (listed(&a.name), listed(&b.name)) {
            (Some(_), Some(_)) | (None, None) => continue,
            (Some(i), None) => (b, i + 1),
            (None, Some(i)) => (a, i),
        };
        if new.named_as_party && !defined_alias(all_text, &new.name) {
            let chars = |byte: usize| page.text[..at + byte].chars().count();
            let e = entity(
                page,
                Some(Role::Party),
                EntityKind::Party,
                chars(new.start),
                chars(new.end),
                new.name.clone(),
                SCANNED_CONFIDENCE * FALLBACK_PENALTY,
                None,
            );
            fields.parties.insert(index, new.name);
            push_sorted(entities, e);
        }
        return;
    }
}

/// The character offset in `all_text` where the preamble that starts with the first
/// party (at `first`) ends: [`PREAMBLE_CHARS`] on, or where the recitals begin.
fn preamble_end(all_text: &str, first: usize) -> usize {
    let Some((from, _)) = all_text.char_indices().nth(first) else {
        return first + PREAMBLE_CHARS;
    };
    let recitals = RECITALS
        .find_at(all_text, from)
        .map(|m| first + all_text[from..m.start()].chars().count());
    recitals.map_or(first + PREAMBLE_CHARS, |r| r.min(first + PREAMBLE_CHARS))
}
