//! The contract terms family: agreement, effective and expiration dates by their
//! labels and clauses, and the dates that follow from others (an expiration from the
//! start and the term).

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Fields, Page, Role, TaggedSpan};
use docex_normalize as norm;
use regex::Regex;

use crate::choose::{chosen, chosen_index, listed_party};
use crate::parties::PREAMBLE_CHARS;
use crate::text::{last_chars, page_of};
use crate::SCANNED_CONFIDENCE;

/// `effective` right before a date: `made and effective`, `effective as of (this)`,
/// `entered into effective on`.
pub(crate) static EFFECTIVE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beffective\s+(?:as\s+of\s+|on\s+|from\s+)?(?:this\s+|the\s+)?$").expect("regex")
});

/// An Effective Date that is the agreement's own date: `"Effective Date" means the date
/// first written above`, `dated as of the Effective Date`, `entered into as of the
/// Effective Date`, `This Agreement shall commence on the date first written above`, `This
/// Lease is effective on the date first written above`.
pub(crate) static EFFECTIVE_IS_AGREEMENT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:effective\s+date["”]?\s+(?:means|shall\s+mean|is)|(?:commence|take\s+effect|become\s+effective|(?:is|shall\s+be)\s+effective)\s+(?:on|as\s+of))\s+the\s+date\s+(?:first\s+(?:written|set\s+forth|above)|hereof|of\s+this\s+agreement)|(?:dated|entered\s+into|made)\s+as\s+of\s+the\s+effective\s+date"#,
    )
    .expect("regex")
});

/// What a label says a contract date is. A commencement date (a term's first day) is
/// the effective date only when nothing states one: `made as of June 20, 2024 (the
/// "Effective Date") ... commencing on July 1, 2024 (the "Commencement Date")` is
/// effective on June 20.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum DateLabel {
    Agreement,
    Effective,
    Commencement,
    Expiration,
}

impl DateLabel {
    /// The role a labelled date takes (a commencement date only once chosen).
    fn role(self) -> Role {
        match self {
            DateLabel::Agreement => Role::AgreementDate,
            DateLabel::Effective | DateLabel::Commencement => Role::EffectiveDate,
            DateLabel::Expiration => Role::ExpirationDate,
        }
    }
}

/// Labels before a contract date, spaces folded: a header line (`Effective Date: July 1,
/// 2024`, `Commencement Date:   January 1, 2024`), a definition (`"Commencement Date"
/// means 1 April 2025`), or the clause's own words (`shall enter into force on
/// 01.05.2024`, `takes effect on`, `is entered into on September 12, 2024`).
pub(crate) static LABELS_BEFORE: LazyLock<Vec<(Regex, DateLabel)>> = LazyLock::new(|| {
    let label = |words: &str| {
        Regex::new(&format!(
            r#"(?i)\b(?:{words})\s+date["”']?(?:\s+of\s+this\s+\w+)?(?:\s+(?:means|shall\s+mean|shall\s+be|will\s+be|is))?\s*[:\-–]?\s*(?:the\s+)?$"#
        ))
        .expect("regex")
    };
    let clause =
        |words: &str| Regex::new(&format!(r"(?i)\b(?:{words})\s+(?:the\s+)?$")).expect("regex");
    vec![
        (label("effective"), DateLabel::Effective),
        (
            clause(
                r"(?:enters?|entered|comes?|came)\s+into\s+(?:force|effect)\s+(?:on|as\s+of|from)|takes?\s+effect\s+(?:on|as\s+of|from)",
            ),
            DateLabel::Effective,
        ),
        (
            label("commencement|start|starting|beginning"),
            DateLabel::Commencement,
        ),
        (
            label("expiration|expiry|termination|end|ending"),
            DateLabel::Expiration,
        ),
        (label("agreement"), DateLabel::Agreement),
        (
            clause(
                r"(?:is|was)\s+(?:made\s+and\s+)?(?:made|entered\s+into|executed)\s+(?:on|as\s+of)(?:\s+this)?",
            ),
            DateLabel::Agreement,
        ),
    ]
});

/// A definition right after a date: `June 30, 2026 (the "Expiration Date")`.
pub(crate) static DEFINED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*,?\s*\((?:the\s+|this\s+)?["“'‘]?(?:(effective)|(commencement|start)|(expiration|expiry|termination|end))\s+date["”'’]?\s*\)"#)
        .expect("regex")
});

/// `ending on` before a date in a sentence about the term (`for a fixed term of three (3)
/// years, ending on 30.04.2027`, `"CONTRACT PERIOD" means ... terminating on May 31,
/// 2016`, `expiring at 11:59 p.m. on`): the expiration date. Other periods end on dates
/// too (`the period beginning on the Effective Date and ending on December 31, 2018`).
pub(crate) static TERM_ENDS_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:ending|expiring|terminating)\s+(?:at\s+[\d:.]+\s*(?:[ap]\.?m\.?)?\s+)?on\s+(?:the\s+)?$")
        .expect("regex")
});

/// A sentence about the contract's own term.
pub(crate) static ABOUT_THE_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:term|(?:contract|agreement|lease|licen[cs]e|rental)\s+period)\b")
        .expect("regex")
});

/// A term counted from a date (`takes effect for five (5) years from 1 October 2024`, `for
/// a period of 36 months commencing`), in a sentence about the term or the agreement; not
/// a period that merely starts on one (`fiscal year beginning April 1, 1999`).
pub(crate) static TERM_FROM: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        Regex::new(r"(?i)(?:\b\d+|\(\d+\))\s+(?:years?|months?)\s+(?:from|commencing(?:\s+on)?|starting(?:\s+on)?|beginning(?:\s+on)?)\s+(?:the\s+)?$")
            .expect("regex"),
        Regex::new(r"(?i)\b(?:term|agreement|lease|contract|licen[cs]e)\b").expect("regex"),
    )
});

/// A stated end right after a date that [`TERM_STARTS_BEFORE`] says starts a term
/// (`commencing on the 1st day of July, 2024 and ending on ...`, also past a definition:
/// `commencing on January 1, 2025 (the "Commencement Date") and ending on`): the date is
/// the term's first day.
pub(crate) static ENDING_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:\([^)]*\)\s*)?,?\s*(?:and\s+)?(?:ending|expiring|terminating|through|until)\b",
    )
    .expect("regex")
});

/// How many characters before a date its label is looked for in.
pub(crate) const DATE_LABEL_REACH: usize = 80;

/// A contract this long (characters) or shorter has its dates labelled anywhere; a
/// longer one in its first half only, since addenda, exhibits and schedules come last
/// and their dates are theirs (`ADDENDUM ... Effective Date: March 21, 2014`).
pub(crate) const DATE_LABEL_ANYWHERE: usize = 10_000;

/// What the text around a date says it is: `before` is the text up to it (spaces folded),
/// `after` the text after it, `sentence` its sentence up to it.
pub(crate) fn date_label(before: &str, after: &str, sentence: &str) -> Option<DateLabel> {
    let (from, about) = &*TERM_FROM;
    let defined = DEFINED_AFTER.captures(after).map(|c| {
        if c.get(1).is_some() {
            DateLabel::Effective
        } else if c.get(2).is_some() {
            DateLabel::Commencement
        } else {
            DateLabel::Expiration
        }
    });
    LABELS_BEFORE
        .iter()
        .find(|(label, _)| label.is_match(before))
        .map(|(_, l)| *l)
        .or(defined)
        .or_else(|| {
            (TERM_STARTS_BEFORE.is_match(before) && ENDING_AFTER.is_match(after))
                .then_some(DateLabel::Commencement)
        })
        .or_else(|| {
            (from.is_match(before) && about.is_match(sentence)).then_some(DateLabel::Commencement)
        })
        .or_else(|| {
            (TERM_ENDS_ON.is_match(before) && ABOUT_THE_TERM.is_match(sentence))
                .then_some(DateLabel::Expiration)
        })
}

/// A contract's dates by their labels (see [`date_label`]), over the tagger: a date
/// labelled agreement, effective or expiration date takes that role at least at the
/// scanners' confidence, and the first date labelled for a role is that field. The
/// tagger reads such lines as invoice headers (`Commencement Date: ...` as an invoice
/// date) or takes a defined commencement date for the agreement's own. Returns the first
/// commencement date, for [`derive_contract_dates`] to use when nothing states the
/// effective date; it is no expiration date.
pub(crate) fn labelled_contract_dates(
    f: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) -> Option<usize> {
    // characters before each page, and the whole length
    let mut length = 0;
    let offsets: Vec<usize> = pages
        .iter()
        .map(|(p, _)| {
            let start = length;
            length += p.text.chars().count() + 1;
            start
        })
        .collect();
    let reach = if length <= DATE_LABEL_ANYWHERE {
        length
    } else {
        length / 2
    };
    let was: Vec<_> = CONTRACT_DATE_ROLES
        .iter()
        .map(|&r| chosen_index(entities, r, |_| true))
        .collect();
    let mut first: Vec<Role> = Vec::new();
    let mut relabelled = Vec::new();
    let mut commencement = None;
    for (i, e) in entities
        .iter_mut()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Date)
    {
        let Some(page) = page_of(pages, e.page) else {
            continue;
        };
        if offsets
            .get(e.page.saturating_sub(1))
            .map_or(0, |o| o + e.start)
            > reach
        {
            continue;
        }
        let wider = page.slice(e.start.saturating_sub(4 * DATE_LABEL_REACH), e.start);
        let before = last_chars(&wider, DATE_LABEL_REACH)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            + " ";
        let after = page.slice(e.end, e.end + 60);
        let sentence = wider.rsplit_once(". ").map_or(wider.as_str(), |(_, s)| s);
        let Some(label) = date_label(&before, &after, sentence) else {
            continue;
        };
        if label == DateLabel::Commencement {
            commencement.get_or_insert(i);
            if e.role == Some(Role::ExpirationDate) {
                e.role = None;
                relabelled.push(i);
            }
            continue;
        }
        // `entered into as of Nov. 02, 2019 (the "Effective Date")` dates the agreement and
        // defines its effective date at once
        if e.role == Some(Role::AgreementDate) && DEFINED_AFTER.is_match(&after) {
            let role = label.role();
            if !first.contains(&role) {
                first.push(role);
                *f.slot_mut(role).expect("a contract date has a field") = Some(e.value.clone());
            }
            continue;
        }
        let role = label.role();
        if e.role != Some(role) {
            relabelled.push(i);
        }
        e.role = Some(role);
        e.confidence = e.confidence.max(SCANNED_CONFIDENCE);
        if !first.contains(&role) {
            first.push(role);
            *f.slot_mut(role).expect("a contract date has a field") = Some(e.value.clone());
        }
    }
    // a field whose chosen date a label gave another role takes the next candidate; for
    // the agreement date one in the contract's head (a prior agreement's date deep in
    // the text is not this one's), else none, and derive_contract_dates dates the
    // agreement by an effective date stated in the head
    let head = in_head(entities);
    for (i, &role) in CONTRACT_DATE_ROLES.iter().enumerate() {
        if first.contains(&role) || !was[i].is_some_and(|at| relabelled.contains(&at)) {
            continue;
        }
        let next = chosen_index(entities, role, |e| role != Role::AgreementDate || head(e));
        *f.slot_mut(role).expect("a contract date has a field") =
            next.map(|n| entities[n].value.clone());
    }
    commencement
}

/// The roles of a contract's dates.
pub(crate) const CONTRACT_DATE_ROLES: [Role; 3] = [
    Role::AgreementDate,
    Role::EffectiveDate,
    Role::ExpirationDate,
];

/// Whether a mention stands in a contract's head: on the first page, at most
/// [`PREAMBLE_CHARS`] after the first party named there.
pub(crate) fn in_head(entities: &[Entity]) -> impl Fn(&Entity) -> bool {
    let first_party = entities
        .iter()
        .filter(|e| e.page == 1 && listed_party(e))
        .map(|e| e.start)
        .min()
        .unwrap_or(0);
    move |e: &Entity| e.page == 1 && e.start <= first_party + PREAMBLE_CHARS
}

/// Words that start a term right before its first day (`commencing on`, `beginning`,
/// `starting as of`).
pub(crate) static TERM_STARTS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:commenc\w*|beginning|starting)\s+(?:on\s+|as\s+of\s+|with\s+)?(?:the\s+)?$",
    )
    .expect("regex")
});

/// Contract dates that follow from others. A preamble that defines its date as the
/// "Effective Date" (`as of March 5, 2021 (the "Effective Date")`) gives the
/// effective date, and with nothing stating one the `commencement` date (an index into
/// `entities`, from [`labelled_contract_dates`]) does; an effective date stated in the contract's head (at most
/// [`PREAMBLE_CHARS`] after the first party) with no agreement date found gives the
/// agreement date; a term with no stated end gives the expiration date (start +
/// term), as contract reviewers (and CUAD's annotators) read them, and so does a term
/// whose "end" the tagger found where it starts (`commencing on January 1, 2016`).
pub(crate) fn derive_contract_dates(
    f: &mut Fields,
    entities: &mut [Entity],
    commencement: Option<usize>,
    pages: &[(Page, Vec<TaggedSpan>)],
    all_text: &str,
) {
    if f.effective_date.is_none() {
        if let Some(e) = chosen(entities, Role::AgreementDate) {
            let page = page_of(pages, e.page).expect("entity page exists");
            let after = page.slice(e.end, e.end + 60).to_lowercase();
            let before = page
                .slice(e.start.saturating_sub(40), e.start)
                .to_lowercase();
            // `made and effective November 7, 2017`, `effective as of this 1st day of
            // March 2020`, `... 2017 (the "Effective Date")`, or an Effective Date
            // defined as the agreement's date
            if after.contains("effective date")
                || EFFECTIVE_BEFORE.is_match(&before)
                || EFFECTIVE_IS_AGREEMENT_DATE.is_match(all_text)
            {
                f.effective_date = Some(e.value.clone());
            }
        }
    }
    // a term's first day, when nothing states the effective date
    if let Some(e) = commencement
        .filter(|_| f.effective_date.is_none())
        .and_then(|i| entities.get_mut(i))
    {
        e.role = Some(Role::EffectiveDate);
        e.confidence = e.confidence.max(SCANNED_CONFIDENCE);
        f.effective_date = Some(e.value.clone());
    }
    // a contract whose head states its effective date and no other date (`THE
    // EFFECTIVE DATE OF THIS RESELLER AGREEMENT SHALL BE: Sept 29, 2004`) is dated by it
    if f.agreement_date.is_none() {
        let head = in_head(entities);
        if let Some(e) = chosen(entities, Role::EffectiveDate).filter(|e| head(e)) {
            f.agreement_date = Some(e.value.clone());
        }
    }
    // `twenty (20) years, commencing on January 1, 2016`: a date tagged as the end that
    // starts the term is where the term is counted from
    if let (Some(e), Some(term)) = (chosen(entities, Role::ExpirationDate), &f.term) {
        let page = page_of(pages, e.page).expect("entity page exists");
        let before = page.slice(e.start.saturating_sub(40), e.start);
        if TERM_STARTS_BEFORE.is_match(&before) {
            let end = chrono_date(&e.value).and_then(|d| norm::add_duration(d, term));
            f.expiration_date = end.map(|d| d.to_string());
        }
    }
    if f.expiration_date.is_none() {
        let start = f.effective_date.as_ref().or(f.agreement_date.as_ref());
        if let (Some(start), Some(term)) = (start, &f.term) {
            let date = chrono_date(start).and_then(|d| norm::add_duration(d, term));
            f.expiration_date = date.map(|d| d.to_string());
        }
    }
}

pub(crate) fn chrono_date(iso: &str) -> Option<norm::NaiveDate> {
    norm::NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok()
}
