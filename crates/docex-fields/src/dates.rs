//! The dates family of bills: which date is the invoice's. Other dates' labels
//! (`lexicons/labels.toml`, `other_date`) demote them; with no tagged invoice date the
//! document's first date is one.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Fields, Page, Role, TaggedSpan};
use regex::Regex;

use crate::lexicon::matchers;
use crate::text::{label_before, page_of};
use crate::FALLBACK_PENALTY;

/// A bare `Date:` or `Invoice Date:` right before a date (the word naming the document, if
/// any, captured).
pub(crate) static INVOICE_DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w.])(?:(invoice|inv|bill|receipt|document|doc)\.?\s*)?(?:date|dated|dt)\b[ .:\-•·]*$")
        .expect("regex")
});

/// A word before `date` (`Event date:`, `Arrival Date`): a label that names some date,
/// which [`INVOICE_DATE_LABEL`] then did not name as the invoice's.
pub(crate) static ANOTHER_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z]{2,}\.?\s+(?:date|dt)\b[ .:\-•·]*$").expect("regex"));

/// Multiplier for an invoice date tagged where its label names another date.
pub(crate) const OTHER_DATE_PENALTY: f32 = 0.8;

/// The tagger tends to give every `Date :` on an invoice the invoice-date role. One
/// whose label says it is an order, challan, delivery or due date is no candidate
/// when a date stands under a plain `Date :` or `Invoice Date :` (an untagged one
/// becomes a candidate at the scanners' confidence), and a weaker one otherwise.
pub(crate) fn demote_other_dates(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
    let mut other = Vec::new();
    // invoice-date candidates under no label, or one naming some other date
    let mut unlabelled = Vec::new();
    let mut plain = false;
    let mut named = false;
    for (i, e) in entities.iter_mut().enumerate().filter(|(_, e)| {
        e.kind == EntityKind::Date && matches!(e.role, None | Some(Role::InvoiceDate))
    }) {
        let Some(page) = page_of(pages, e.page) else {
            continue;
        };
        let label = label_before(&page.text, e.start);
        if matchers().other_date_label.is_match(&label) {
            if e.role.is_some() {
                other.push(i);
            }
        } else if let Some(m) = INVOICE_DATE_LABEL.captures(&label) {
            e.role.get_or_insert(Role::InvoiceDate);
            plain = true;
            named |= m.get(1).is_some();
            // `Event date:` reads as a bare `date:`, but names another date
            if m.get(1).is_none() && ANOTHER_DATE.is_match(&label) {
                unlabelled.push(i);
            }
        } else if e.role.is_some() {
            unlabelled.push(i);
        }
    }
    // beside a date under a plain label, a challan or order date is no candidate at all;
    // beside one that names the invoice's date, no date under another label is
    // (`Event date: 06/14/2025`)
    for i in other {
        if plain {
            entities[i].role = None;
        } else {
            entities[i].confidence *= OTHER_DATE_PENALTY;
        }
    }
    if named {
        for i in unlabelled {
            entities[i].role = None;
        }
    }
}

/// When the tagger gave no invoice date, the first date of the document is one, at a
/// lower confidence (invoices and receipts put their own date before due and delivery
/// dates).
pub(crate) fn first_date(fields: &mut Fields, entities: &mut [Entity]) {
    if fields.invoice_date.is_none() {
        if let Some(e) = entities
            .iter_mut()
            .find(|e| e.role.is_none() && e.kind == EntityKind::Date)
        {
            e.role = Some(Role::InvoiceDate);
            e.confidence *= FALLBACK_PENALTY;
            fields.invoice_date = Some(e.value.clone());
        }
    }
}
