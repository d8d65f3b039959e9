//! From tagged pages to one document's entities and fields.
//!
//! Every date and amount on a page becomes an entity (the scanners in
//! `docex-normalize` find them whether or not the tagger gave them a role), the
//! tagger's spans give roles, and each field takes the most confident candidate of
//! its role whose value normalises. Consistency checks (net + tax = total, due date
//! not before the invoice date) lower the confidence of the values they involve.

use docex_core::{
    DocType, Entity, EntityKind, Extraction, Extractor, Fields, Page, Role, TaggedSpan,
};
use docex_normalize as norm;
use norm::DateOrder;
use regex::Regex;
use std::sync::LazyLock;

mod parties;
use parties::{
    add_between_parties, drop_alias_heads, keep_preamble_parties, split_joined_parties,
    PREAMBLE_CHARS,
};

/// Confidence given to a date or amount found by the scanners alone (no role).
const SCANNED_CONFIDENCE: f32 = 0.9;
/// Multiplier for a value whose reading depends on a guessed date order.
const AMBIGUOUS_PENALTY: f32 = 0.6;
/// Multiplier for values that fail a consistency check.
const INCONSISTENT_PENALTY: f32 = 0.7;
/// Multiplier for a field that no tagged span gave, taken by a fallback rule.
const FALLBACK_PENALTY: f32 = 0.5;
/// A tagged total below this confidence yields to paid minus change on a receipt.
const UNSURE_TOTAL: f32 = 0.6;
/// Parties below this confidence are not listed in `parties`.
const MIN_PARTY_CONFIDENCE: f32 = 0.3;
/// Multiplier for a date mended from an OCR misread (`92/02/2018` read for `02/02/2018`).
const OCR_MENDED_PENALTY: f32 = 0.8;

/// Document-independent defaults from the pipeline's `[locale]`.
#[derive(Debug, Clone, Default)]
pub struct Locale {
    /// Date order for documents without evidence.
    pub date_order: Option<DateOrder>,
    /// Currency for documents without any currency mark.
    pub currency: Option<String>,
}

/// Builds the extraction of one document from its pages and their tagged spans.
pub fn assemble(pages: &[(Page, Vec<TaggedSpan>)], locale: &Locale) -> Extraction {
    let all_text: String = pages
        .iter()
        .map(|(p, _)| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let detect = if pages.iter().any(|(p, _)| is_ocr(p)) {
        norm::detect_currency_in_scan
    } else {
        norm::detect_currency
    };
    let currency = detect(&all_text).or_else(|| locale.currency.clone());
    let latest_year = norm::latest_document_year();
    let scanned_dates: Vec<(usize, norm::Found, Option<String>)> = pages
        .iter()
        .enumerate()
        .flat_map(|(i, (p, _))| {
            scan_dates(p, latest_year)
                .into_iter()
                .map(move |(f, m)| (i, f, m))
        })
        .collect();
    let date_texts: Vec<&str> = scanned_dates
        .iter()
        .filter(|(_, _, mended)| mended.is_none())
        .map(|(_, f, _)| f.text.as_str())
        .collect();
    let (order, order_known) = match norm::infer_date_order(&date_texts) {
        Some(o) => (o, true),
        None => match &locale.date_order {
            Some(o) => (*o, true),
            // dates written with dots (`09.04.2020`) are day-first wherever they are written
            None if date_texts.iter().any(|t| DOTTED_DATE.is_match(t)) => {
                (DateOrder::DayFirst, false)
            }
            // US dollars mean month-first, but on a scan one stray `$` (an OCR'd `S`) is
            // no evidence, and on a text layer only a price is (`$1.00`, not `6374 $ GRN`)
            None if currency.as_deref() == Some("USD")
                && (clearly_dollars(&all_text)
                    || (!pages.iter().any(|(p, _)| is_ocr(p))
                        && DOLLAR_PRICE.is_match(&all_text))) =>
            {
                (DateOrder::MonthFirst, false)
            }
            // so does a US address (`Santa Clara, CA 95054`) with no other currency
            None if currency.as_deref().is_none_or(|c| c == "USD")
                && US_ADDRESS.is_match(&all_text) =>
            {
                (DateOrder::MonthFirst, false)
            }
            None => (DateOrder::DayFirst, false),
        },
    };

    let mut entities = Vec::new();
    for (i, (page, spans)) in pages.iter().enumerate() {
        // A tagged date, amount or duration that does not read as one is a tagger
        // mistake, not a value: it is dropped (names and ids are kept as written).
        entities.extend(
            widen_ids(page, &widen_names(page, &merge_split_names(page, spans)))
                .iter()
                .map(|span| {
                    let ocr_latest = is_ocr(page).then_some(latest_year);
                    tagged_entity(
                        page,
                        span,
                        order,
                        order_known,
                        currency.as_deref(),
                        ocr_latest,
                    )
                })
                .filter(|e| {
                    !e.value.is_empty()
                        || matches!(
                            e.kind,
                            EntityKind::Party | EntityKind::Id | EntityKind::Place
                        )
                }),
        );
        let taken: Vec<(usize, usize)> = spans.iter().map(|s| (s.start, s.end)).collect();
        let free = |s: usize, e: usize| !taken.iter().any(|&(a, b)| a < e && s < b);
        // this page's dates: scanned_dates is in page order (a filter over all of them
        // for every page was quadratic in a long document's length)
        let on_page = scanned_dates.partition_point(|(j, _, _)| *j < i)
            ..scanned_dates.partition_point(|(j, _, _)| *j <= i);
        for (_, f, mended) in &scanned_dates[on_page] {
            if !free(f.start, f.end) {
                continue;
            }
            if let Some(d) = norm::parse_date(mended.as_deref().unwrap_or(&f.text), order) {
                let mut conf = if d.ambiguous && !order_known {
                    SCANNED_CONFIDENCE * AMBIGUOUS_PENALTY
                } else {
                    SCANNED_CONFIDENCE
                };
                if mended.is_some() {
                    conf *= OCR_MENDED_PENALTY;
                }
                entities.push(entity(
                    page,
                    None,
                    EntityKind::Date,
                    f.start,
                    f.end,
                    d.date.to_string(),
                    conf,
                    None,
                ));
            }
        }
        for f in norm::find_amounts(&page.text) {
            // `RM 65. 20` on a scan is one amount (see split_cents)
            let (end, cents) = if is_ocr(page) {
                split_cents(page, f.start, f.end)
            } else {
                (f.end, None)
            };
            if !free(f.start, end) {
                continue;
            }
            let text = format!("{}{}", f.text, cents.unwrap_or_default());
            if let Some(a) = norm::parse_amount_in(&text, currency.as_deref()) {
                entities.push(entity(
                    page,
                    None,
                    EntityKind::Amount,
                    f.start,
                    end,
                    a.value,
                    SCANNED_CONFIDENCE,
                    a.currency,
                ));
            }
        }
    }
    entities.sort_by_key(|e| (e.page, e.start, e.end));

    roles_by_heading(&mut entities, pages);
    demote_other_dates(&mut entities, pages);
    prefer_invoice_numbers(&mut entities, pages);
    complete_amounts(&mut entities);
    let mut fields = choose_fields(&mut entities);
    fall_back(&mut fields, &mut entities, pages);
    if fields.invoice_number.is_none() {
        fields.invoice_number = labelled_invoice_number(&mut entities, pages);
    }
    past_the_subtotal(&mut fields, &mut entities, pages);
    after_rounding(&mut fields, &mut entities, pages);
    misread_last_digit(&mut fields, &mut entities, pages);
    past_the_net(&mut fields, &mut entities, pages);
    stated_net_and_tax(&mut fields, &mut entities, pages);
    let doc_type = classify(&all_text, &fields);
    if matches!(doc_type, DocType::Invoice | DocType::Receipt) {
        contract_roles_on_bills(&mut fields, &mut entities);
    }
    keep_fields_of(doc_type, &mut fields);
    fields.currency = fields
        .total_amount
        .as_ref()
        .and_then(|_| chosen(&entities, Role::TotalAmount).and_then(|e| e.currency.clone()))
        .or_else(|| {
            currency
                .clone()
                .filter(|_| fields.total_amount.is_some() || fields.net_amount.is_some())
        });
    if doc_type == DocType::Contract {
        drop_alias_heads(&mut fields, &mut entities, pages, &all_text);
        split_joined_parties(&mut fields, &mut entities, pages);
        keep_preamble_parties(&mut fields, &mut entities, pages, &all_text);
        add_between_parties(&mut fields, &mut entities, pages, &all_text);
        let commencement = labelled_contract_dates(&mut fields, &mut entities, pages);
        derive_contract_dates(&mut fields, &mut entities, commencement, pages, &all_text);
    }
    check_consistency(&fields, &mut entities);
    Extraction {
        doc_type,
        pages: pages.len(),
        empty_pages: pages
            .iter()
            .filter(|(p, _)| p.text.trim().is_empty())
            .count(),
        fields,
        entities,
    }
}

fn is_ocr(page: &Page) -> bool {
    matches!(page.extractor, Extractor::PdfOcr | Extractor::ImageOcr)
}

/// A page's dates, each with its mended text when it is an OCR misread (see
/// [`norm::repair_ocr_date`]): a date the scanner read with an impossible year, or
/// one it could not read at all (`92/02/2018`, `O9/02/17`). Text layers are not mended.
fn scan_dates(page: &Page, latest_year: i32) -> Vec<(norm::Found, Option<String>)> {
    let mut found: Vec<(norm::Found, Option<String>)> = norm::find_dates(&page.text)
        .into_iter()
        .map(|f| (f, None))
        .collect();
    if !is_ocr(page) {
        return found;
    }
    for (f, mended) in norm::find_ocr_dates(&page.text, latest_year) {
        match found
            .iter_mut()
            .find(|(g, _)| g.start < f.end && f.start < g.end)
        {
            // the same span, or a misread date around a plain one (`|7-06-2018`, whose
            // `|` was a `1`, around `7-06-2018`)
            Some((g, m)) if f.start <= g.start && g.end <= f.end => {
                *g = f;
                *m = Some(mended);
            }
            Some(_) => {}
            None => found.push((f, Some(mended))),
        }
    }
    found.sort_by_key(|(f, _)| f.start);
    found
}

/// Whether a date span at `start` with text `text` has a `|` glued before its one-digit
/// day (`|7-06-2018`), at the start of a word: OCR's reading of a `1`, which
/// [`norm::repair_ocr_date`] mends once the span takes it in.
fn glued_bar(page: &Page, start: usize, text: &str) -> bool {
    let before: Vec<char> = page.slice(start.saturating_sub(2), start).chars().collect();
    let (mark, lead) = match before[..] {
        [lead, mark] => (mark, Some(lead)),
        [mark] => (mark, None),
        _ => return false,
    };
    let mut chars = text.chars();
    let one_digit_day = chars.next().is_some_and(|c| c.is_ascii_digit())
        && chars.next().is_some_and(|c| matches!(c, '/' | '-' | '.'));
    one_digit_day && mark == '|' && !lead.is_some_and(char::is_alphanumeric)
}

#[allow(clippy::too_many_arguments)]
fn entity(
    page: &Page,
    role: Option<Role>,
    kind: EntityKind,
    start: usize,
    end: usize,
    value: String,
    confidence: f32,
    currency: Option<String>,
) -> Entity {
    Entity {
        page: page.number,
        role,
        kind,
        text: page.slice(start, end),
        value,
        confidence,
        start,
        end,
        bbox: page.bbox_of(start, end),
        currency,
    }
}

/// Normalises a tagged span by its role's kind. A span whose value does not
/// normalise keeps an empty value (and can never become a field). On OCR'd pages
/// (`ocr_latest`: the latest plausible year) a date misread is mended first.
fn tagged_entity(
    page: &Page,
    span: &TaggedSpan,
    order: DateOrder,
    order_known: bool,
    currency: Option<&str>,
    ocr_latest: Option<i32>,
) -> Entity {
    let kind = span.role.kind();
    let (mut start, end) = if kind == EntityKind::Amount {
        with_sign(page, span.start, span.end)
    } else {
        (span.start, span.end)
    };
    if kind == EntityKind::Date
        && ocr_latest.is_some()
        && glued_bar(page, start, &page.slice(start, end))
    {
        start -= 1;
    }
    let mut text = page.slice(start, end);
    // a brand line tagged with the legal name under it (`Bramble & Bean` / `Bramble and
    // Bean Coffee Co. Ltd`) is not part of the name
    if let Some(k) = norm::legal_line_start(&text).filter(|_| kind == EntityKind::Party) {
        start += k;
        text = text.chars().skip(k).collect();
    }
    let (end, cents) = match (kind, ocr_latest) {
        (EntityKind::Amount, Some(_)) => split_cents(page, start, end),
        _ => (end, None),
    };
    text.extend(cents);
    let mut conf = span.confidence;
    let mut cur = None;
    let value = match kind {
        EntityKind::Date => {
            let mended = ocr_latest.and_then(|y| {
                norm::repair_ocr_date(&text, y).or_else(|| {
                    norm::find_ocr_dates(&text, y)
                        .into_iter()
                        .next()
                        .map(|(_, m)| m)
                })
            });
            if mended.is_some() {
                conf *= OCR_MENDED_PENALTY;
            }
            let text = mended.unwrap_or(text);
            let parsed = norm::parse_date(&text, order).or_else(|| {
                norm::find_dates(&text)
                    .into_iter()
                    .find_map(|f| norm::parse_date(&f.text, order))
            });
            parsed.map(|d| {
                if d.ambiguous && !order_known {
                    conf *= AMBIGUOUS_PENALTY;
                }
                d.date.to_string()
            })
        }
        EntityKind::Amount => {
            let parsed = norm::parse_amount_in(&text, currency).or_else(|| {
                norm::find_amounts(&text)
                    .into_iter()
                    .find_map(|f| norm::parse_amount_in(&f.text, currency))
            });
            parsed.map(|a| {
                cur = a.currency;
                a.value
            })
        }
        // `SUN VICTORY SON BHD`: OCR misreads the legal form as often as any word, and
        // leaves specks around names (`é . ° HAPPY SNACKS`)
        EntityKind::Party if ocr_latest.is_some() => {
            norm::clean_party(&norm::mend_legal_form(&norm::trim_ocr_specks(&text)))
        }
        EntityKind::Party => norm::clean_party(&text),
        EntityKind::Id => clean_id(&text),
        EntityKind::Duration => norm::parse_duration(&text),
        EntityKind::Place => norm::clean_jurisdiction(&text),
    };
    entity(
        page,
        Some(span.role),
        kind,
        start,
        end,
        value.unwrap_or_default(),
        conf,
        cur,
    )
}

/// OCR often splits the cents off a receipt amount (`RM 65. 20`, `247 .55`, `177, 20`)
/// and the tagger then labels the whole part only. When a tagged amount has no
/// decimals and a separator and two digits follow it with a space on one side, the
/// span grows over them; returns the new end and the cents as `.NN` to append.
fn split_cents(page: &Page, start: usize, end: usize) -> (usize, Option<String>) {
    static CENTS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:[.,] | [.,] ?)(\d{2})\b").expect("regex"));
    let amount = page.slice(start, end);
    if amount.contains(['.', ',']) || !amount.ends_with(|c: char| c.is_ascii_digit()) {
        return (end, None);
    }
    let after = page.slice(end, end + 6);
    match CENTS.captures(&after) {
        Some(c) => {
            let m = c.get(0).expect("whole match");
            (
                end + after[..m.end()].chars().count(),
                Some(format!(".{}", &c[1])),
            )
        }
        None => (end, None),
    }
}

/// The tagger labels the number of `-119.00` or `(119.00)`, not the sign: the span
/// grows over a minus right before it (`EUR -119.00`, not `A-119.00`) or over the
/// brackets around it, so that credit notes keep negative amounts.
fn with_sign(page: &Page, start: usize, end: usize) -> (usize, usize) {
    let before = |k: usize| start.checked_sub(k).and_then(|i| page.text.chars().nth(i));
    if matches!(before(1), Some('-' | '\u{2212}')) && !before(2).is_some_and(char::is_alphanumeric)
    {
        return (start - 1, end);
    }
    if before(1) == Some('(') && page.text.chars().nth(end) == Some(')') {
        return (start - 1, end + 1);
    }
    (start, end)
}

/// The tagger sometimes ends a name at a line-internal space and starts a new one
/// (`ACME ROBOTICS` + `CORP.`); same-role name spans separated by spaces alone are one,
/// and so are vendor or customer spans on consecutive lines, and places joined by a bare
/// `and` (`England and Wales`).
fn merge_split_names(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<TaggedSpan> = Vec::with_capacity(spans.len());
    for s in &sorted {
        if let Some(prev) = out.last_mut() {
            let gap = page.slice(prev.end, s.start);
            // a vendor or customer name broken over two lines of a letterhead or an
            // address block is one name too (contract parties are not: signature
            // blocks list different parties line by line)
            let one_line_break = matches!(s.role, Role::Vendor | Role::Customer)
                && gap.chars().filter(|&c| c == '\n').count() == 1;
            // `England` + `and` + `Wales`: one governing law
            let one_place = s.role.kind() == EntityKind::Place && gap.trim() == "and";
            if prev.role == s.role
                && (one_place
                    || s.role.kind() == EntityKind::Party
                        && gap
                            .chars()
                            .all(|c| c == ' ' || c == '\t' || (c == '\n' && one_line_break)))
            {
                // `ACME LLP Acme Llp`: the same name twice in a row is one mention
                if norm::fold(&page.slice(prev.start, prev.end))
                    != norm::fold(&page.slice(s.start, s.end))
                {
                    prev.end = s.end;
                }
                prev.confidence = prev.confidence.min(s.confidence);
                continue;
            }
        }
        out.push(s.clone());
    }
    out
}

/// A numeric date with dots between its parts: `09.04.2020`.
static DOTTED_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$").expect("regex"));

/// A US state's code before a ZIP code: `Santa Clara, CA 95054`, `Chicago, IL 60614-1234`.
static US_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DC|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|MA|MD|ME|MI|MN|MO|MS|MT|NC|ND|NE|NH|NJ|NM|NV|NY|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VA|VT|WA|WI|WV|WY),?[ \t]+\d{5}(?:-\d{4})?\b")
        .expect("regex")
});

/// A price in dollars: `$1.00`, `$ 12`.
static DOLLAR_PRICE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\s?\d").expect("regex"));

/// More than one `$`, or a written `USD` / `US$`.
fn clearly_dollars(text: &str) -> bool {
    text.matches('$').count() >= 2 || text.contains("USD") || text.contains("US$")
}

/// Lines that state a document total, and lines that only look like one.
static TOTAL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:total|amount due|balance due|amount payable|to pay|grand|jumlah|summe|gesamt|montant|betrag)\b")
        .expect("regex")
});
static NOT_TOTAL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)sub[ -]?total|\b(?:qty|quantity|items?|discount|saving|savings|change|rounding|tendered)\b")
        .expect("regex")
});

/// When the tagger gave no invoice date, no vendor or no total, the plain evidence
/// still does, at a lower confidence: the name signed for under the totals that also
/// heads the first page (see [`signed_vendor`]), the first date of the document (invoices and
/// receipts put their own date before due and delivery dates), and the largest
/// amount on a line that says "total" (or "amount due", "grand", ...) and is not
/// a subtotal, a quantity, a discount or the change.
fn fall_back(fields: &mut Fields, entities: &mut Vec<Entity>, pages: &[(Page, Vec<TaggedSpan>)]) {
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
    // a total the tagger is unsure of yields to the payment arithmetic
    let unsure = chosen(entities, Role::TotalAmount)
        .filter(|e| e.confidence < UNSURE_TOTAL)
        .map(|e| e.value.clone());
    if fields.total_amount.is_none() || unsure.is_some() {
        if let Some(i) = paid_minus_change(entities, pages) {
            let value = entities[i].value.clone();
            let same =
                unsure.as_deref().and_then(norm::decimal_cents) == norm::decimal_cents(&value);
            if !same {
                for e in entities
                    .iter_mut()
                    .filter(|e| e.role == Some(Role::TotalAmount))
                {
                    e.role = None;
                }
                let e = &mut entities[i];
                e.role = Some(Role::TotalAmount);
                e.confidence *= FALLBACK_PENALTY;
                fields.total_amount = Some(value);
            }
        }
    }
    if fields.total_amount.is_none() {
        let on_total_line = |e: &Entity| {
            let page = page_of(pages, e.page)?;
            is_total_line(line_at(&page.text, e.start))
                .then(|| norm::decimal_cents(&e.value))
                .flatten()
        };
        // a net the tagger saw on a total line that says nothing of before tax
        // (`TOTAL (GST INCL.) $155.18`) is a candidate too
        let mistaken_net = |e: &Entity| {
            e.role == Some(Role::NetAmount)
                && page_of(pages, e.page)
                    .is_some_and(|p| !before_tax(line_before(&p.text, e.start)))
        };
        if let Some((_, e)) = entities
            .iter_mut()
            .filter(|e| e.kind == EntityKind::Amount && (e.role.is_none() || mistaken_net(e)))
            .filter_map(|e| on_total_line(e).map(|c| (c, e)))
            .max_by_key(|(c, _)| *c)
        {
            if e.role == Some(Role::NetAmount) {
                fields.net_amount = None;
            }
            e.role = Some(Role::TotalAmount);
            e.confidence *= FALLBACK_PENALTY;
            fields.total_amount = Some(e.value.clone());
            return;
        }
        // no amount with cents there: a whole one with thousands separators (`Grand Total : 4,500`)
        let mut best: Option<(i64, &Page, usize, WholeAmount)> = None;
        for (page, _) in pages {
            for (offset, line) in lines_with_offsets(&page.text).filter(|(_, l)| is_total_line(l)) {
                for whole in whole_amounts(line) {
                    let cents = norm::decimal_cents(&whole.2).unwrap_or(0);
                    // the first of equal amounts
                    if best.as_ref().is_none_or(|b| cents > b.0) {
                        best = Some((cents, page, offset, whole));
                    }
                }
            }
        }
        if let Some((_, page, offset, whole)) = best {
            let confidence = SCANNED_CONFIDENCE * FALLBACK_PENALTY;
            let e = whole_amount_entity(page, offset, whole, confidence, None);
            fields.total_amount = Some(e.value.clone());
            push_sorted(entities, e);
        }
    }
}

/// A whole amount found on a line: its first character and end in the line, and its
/// value as `4500.00`.
type WholeAmount = (usize, usize, String);

/// Whole amounts with thousands separators on a line (`4,500`: money, though it has no
/// cents), not followed by decimals or `%`.
fn whole_amounts(line: &str) -> Vec<WholeAmount> {
    WHOLE_AMOUNT
        .captures_iter(line)
        .filter_map(|c| c.get(1))
        .filter(|m| !matches!(line[m.end()..].chars().next(), Some('.' | ',' | '%')))
        .map(|m| {
            let start = line[..m.start()].chars().count();
            (
                start,
                start + m.as_str().len(),
                format!("{}.00", m.as_str().replace(',', "")),
            )
        })
        .collect()
}

/// A label that says the amount after it is before tax or charges.
static SUBTOTAL_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:sub[ -]?total|taxable\s+(?:amount|value)|net\s+amount|excl(?:\.|uding|usive)?\s+(?:of\s+)?(?:tax|gst|vat|sst)|before\s+(?:tax|gst|vat|sst)|w/o\s+(?:tax|gst|vat))")
        .expect("regex")
});
/// The total-role entity of a whole amount on the line of `page` that starts at character
/// `offset`.
fn whole_amount_entity(
    page: &Page,
    offset: usize,
    (start, end, value): WholeAmount,
    confidence: f32,
    currency: Option<String>,
) -> Entity {
    let (start, end) = (offset + start, offset + end);
    let role = Some(Role::TotalAmount);
    entity(
        page,
        role,
        EntityKind::Amount,
        start,
        end,
        value,
        confidence,
        currency,
    )
}

/// Each line of `text` with the character offset of its first character.
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.chars().count() + 1;
        Some((start, line))
    })
}

/// A line that states a document total, not a subtotal, quantity, discount or change.
fn is_total_line(line: &str) -> bool {
    TOTAL_LINE.is_match(line) && !NOT_TOTAL_LINE.is_match(line)
}

/// A whole amount with thousands separators (`4,500`, or in Indian grouping
/// `7,08,708`): money, though it has no cents. Not a number's tail (`08,708`).
static WHOLE_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d,])(\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})\b").expect("regex")
});

/// The tagger sometimes takes the subtotal for the total (`Sub Total 3813.56 ...
/// Grand Total 4,500`), or is surer of it than of the total. When the chosen total
/// stands right after a subtotal label and a later total line (not a subtotal,
/// quantity, discount or change line) holds a larger amount, at most twice the
/// subtotal, that amount is the total (at a lower confidence unless it was tagged as
/// one); whole amounts with thousands separators count there too.
fn past_the_subtotal(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, sub)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let total = &entities[t];
    if !SUBTOTAL_LABEL.is_match(last_chars(line_before(&page.text, total.start), 40)) {
        return;
    }
    let fits = |cents: i64| cents > sub && cents <= 2 * sub;
    // the total lines after the subtotal's
    let lines = lines_with_offsets(&page.text)
        .skip_while(|(at, line)| at + line.chars().count() < total.end)
        .skip(1)
        .filter(|(_, line)| is_total_line(line));
    for (offset, line) in lines {
        let end = offset + line.chars().count();
        let scanned = entities.iter().position(|e| {
            e.page == page.number
                && matches!(e.role, None | Some(Role::TotalAmount))
                && e.kind == EntityKind::Amount
                && (offset..end).contains(&e.start)
                && norm::decimal_cents(&e.value).is_some_and(fits)
        });
        if let Some(i) = scanned {
            pass_total(fields, entities, t, i);
            return;
        }
        let whole = whole_amounts(line)
            .into_iter()
            .find(|(_, _, value)| norm::decimal_cents(value).is_some_and(fits));
        if let Some(whole) = whole {
            let currency = entities[t].currency.clone();
            let confidence = entities[t].confidence * FALLBACK_PENALTY;
            let e = whole_amount_entity(page, offset, whole, confidence, currency);
            add_total(fields, entities, t, e);
            return;
        }
    }
}

/// A line that adjusts a total to what coins can pay (`Rounding Adj -0.02`,
/// `Round Off 0.40`).
static ROUNDING_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:rounding|rounded|round[\s-]*off|rnd\s+adj)\b").expect("regex")
});
/// How many lines after a total its rounding line may stand, and after the rounding
/// line the rounded total.
const ROUNDING_REACH: usize = 3;

/// The smallest coin that cash totals are rounded to, in cents: 5 unless the
/// currency is known to round otherwise.
fn cash_unit(currency: Option<&str>) -> i64 {
    match currency {
        Some("INR" | "SEK" | "NOK") => 100,
        Some("DKK") => 50,
        Some("NZD") => 10,
        _ => 5,
    }
}

/// `cents` rounded to the nearest multiple of `unit` (halves away from zero).
fn round_to(cents: i64, unit: i64) -> i64 {
    let r = cents.rem_euclid(unit);
    if 2 * r >= unit {
        cents - r + unit
    } else {
        cents - r
    }
}

/// The index of the entity that gave the chosen total, its page and its value in cents.
fn chosen_total<'p>(
    fields: &Fields,
    entities: &[Entity],
    pages: &'p [(Page, Vec<TaggedSpan>)],
) -> Option<(usize, &'p Page, i64)> {
    let v = fields.total_amount.as_deref()?;
    let t = entities
        .iter()
        .position(|e| e.role == Some(Role::TotalAmount) && e.value == v)?;
    Some((
        t,
        page_of(pages, entities[t].page)?,
        norm::decimal_cents(v)?,
    ))
}

/// The total role passes from entity `from` to the amount `to`, which takes it at a
/// fallback confidence unless it was tagged as a total.
fn pass_total(fields: &mut Fields, entities: &mut [Entity], from: usize, to: usize) {
    entities[from].role = None;
    if entities[to].role.is_none() {
        entities[to].role = Some(Role::TotalAmount);
        entities[to].confidence *= FALLBACK_PENALTY;
    }
    fields.total_amount = Some(entities[to].value.clone());
}

/// The total role passes from entity `from` to `e`, a new entity.
fn add_total(fields: &mut Fields, entities: &mut Vec<Entity>, from: usize, e: Entity) {
    entities[from].role = None;
    fields.total_amount = Some(e.value.clone());
    push_sorted(entities, e);
}

/// A receipt that rounds its total to the coin (`Total 31.47 / Rounding -0.02 / Total
/// 31.45`) was paid the rounded amount, and that is its total; the tagger often
/// takes the first. When the chosen total is not a multiple of the coin and a
/// rounding line follows it closely (before any payment line: one after it rounds the
/// change), the total becomes, in this order:
/// - the first amount on the rounding line or the lines right after it (not a payment
///   or change line) that is a multiple of the coin and less than half a coin away;
/// - the chosen total plus or minus the rounding line's adjustment, when exactly one
///   sign gives a multiple of the coin (OCR often loses the sign);
/// - on a scan, where both are often garbled, the chosen total rounded to the coin.
///
/// The last two have no amount of their own in the text: their entity is the
/// rounding line, at a fallback confidence.
fn after_rounding(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, cents)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let total = &entities[t];
    let unit = cash_unit(total.currency.as_deref());
    if cents.rem_euclid(unit) == 0 {
        return;
    }
    let lines: Vec<(usize, &str)> = lines_with_offsets(&page.text)
        .skip_while(|(at, line)| at + line.chars().count() < total.end)
        .take(ROUNDING_REACH + 1)
        .collect();
    // a rounding line after the payment line rounds the change, not the total
    let Some(r) = lines
        .iter()
        .skip(1)
        .take_while(|(_, l)| !PAYMENT_LINE.is_match(l) || ROUNDING_LINE.is_match(l))
        .position(|(_, l)| ROUNDING_LINE.is_match(l))
    else {
        return;
    };
    let after = &lines[r + 1..];
    let (line_start, line) = after[0];
    let line_end = line_start + line.chars().count();
    let on = |e: &Entity, (at, l): &(usize, &str)| {
        e.page == page.number && (*at..at + l.chars().count()).contains(&e.start)
    };
    let amount_of = |e: &Entity| {
        (e.kind == EntityKind::Amount && matches!(e.role, None | Some(Role::TotalAmount)))
            .then(|| norm::decimal_cents(&e.value))
            .flatten()
    };
    let rounded = entities.iter().position(|e| {
        after
            .iter()
            .any(|l| on(e, l) && !PAYMENT_LINE.is_match(l.1) && !CHANGE_LINE.is_match(l.1))
            && amount_of(e).is_some_and(|c| {
                c != cents && c.rem_euclid(unit) == 0 && 2 * (c - cents).abs() <= unit
            })
    });
    if let Some(i) = rounded {
        pass_total(fields, entities, t, i);
        return;
    }
    // the adjustment, whichever its sign (OCR loses minus signs): the one that reaches
    // the coin
    let adjusted = entities
        .iter()
        .filter(|e| on(e, &after[0]))
        .filter_map(amount_of)
        .map(i64::abs)
        .filter(|c| *c != 0 && *c < unit.max(100))
        .find_map(|c| {
            let fits: Vec<i64> = [cents + c, cents - c]
                .into_iter()
                .filter(|v| v.rem_euclid(unit) == 0)
                .collect();
            (fits.len() == 1).then(|| fits[0])
        });
    let value = adjusted.or_else(|| is_ocr(page).then(|| round_to(cents, unit)));
    if let Some(v) = value.filter(|v| *v > 0) {
        let confidence = entities[t].confidence * FALLBACK_PENALTY;
        let currency = entities[t].currency.clone();
        let trimmed = line.trim_start();
        let start = line_start + (line.chars().count() - trimmed.chars().count());
        let end = line_end - (line.chars().count() - line.trim_end().chars().count());
        let e = entity(
            page,
            Some(Role::TotalAmount),
            EntityKind::Amount,
            start,
            end,
            format!("{}.{:02}", v / 100, v % 100),
            confidence,
            currency,
        );
        add_total(fields, entities, t, e);
    }
}

/// A total stated before tax: `Total (Excluding GST)`, `Total excl. VAT`, `Net of tax`.
static BEFORE_TAX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:excl(?:uding|usive\s+of|\.)?|before\s+(?:tax|gst|vat)|net\s+of|w/o)\b")
        .expect("regex")
});
/// The name of a tax, as documents that levy two name them (`CGST` and `SGST`, `GST` and
/// `PST`); not `tax` or `VAT` alone.
static TAX_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:(?:[CSI]|UT)GST|GST|HST|PST|QST)\b").expect("regex"));
/// A line that states a tax amount (`6% GST`, read `6XGST` too; India's CGST, SGST, IGST
/// and UTGST; Canada's HST, PST and QST; `USt`, `BTW`).
static TAX_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b|[0-9%x])(?:(?:[csi]|ut)?gst|hst|pst|qst|vat|tax|sst|mwst|ust|tva|iva|btw)\b",
    )
    .expect("regex")
});

/// A total chosen on a line that says it is before tax (`Total (Excluding GST) 41.42`)
/// is the net amount. When the page states a tax amount (on a tax line) and also the
/// sum of the two (`SUBTOTAL 43.90` = 41.42 + `6% GST 2.48`), that sum is the total.
fn past_the_net(fields: &mut Fields, entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
    let Some((t, page, net)) = chosen_total(fields, entities, pages) else {
        return;
    };
    if !BEFORE_TAX.is_match(line_at(&page.text, entities[t].start)) {
        return;
    }
    let amount = |e: &Entity| {
        (e.kind == EntityKind::Amount && e.page == page.number)
            .then(|| norm::decimal_cents(&e.value))
            .flatten()
    };
    let taxes: Vec<i64> = entities
        .iter()
        .filter(|e| TAX_LINE.is_match(line_at(&page.text, e.start)))
        .filter_map(amount)
        .filter(|&c| c > 0 && c < net)
        .collect();
    let with_tax = entities.iter().position(|e| {
        e.role.is_none() && amount(e).is_some_and(|c| taxes.iter().any(|&tax| c == net + tax))
    });
    if let Some(i) = with_tax {
        pass_total(fields, entities, t, i);
    }
}

/// Words that make a tax line a total: `Total (inc GST)`, `Total Sales (Inclusive GST)`.
static TAX_INCLUDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:inc|incl|including|inclusive|included|with|after|plus)\b").expect("regex")
});

/// A label (the start of a line, up to an amount) that says the amount is the tax: `Sales
/// Tax (7.25%):`, `HST (ON) 13%`, `GST included`, `Total GST`; not a total with the tax in
/// it nor an amount before tax.
fn tax_label(label: &str) -> bool {
    let label = cell(label);
    next_to(&TAX_LINE, label) && !before_tax(label) && !total_with_tax(label)
}

/// The part of a label after the last amount on its line: the amount's own cell in a row
/// of a table (`Taxable Amount 7627.12 CGST SGST` labels what follows as CGST and SGST).
fn cell(label: &str) -> &str {
    static MONEY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d[\d,]*[.,]\d{2}\b").expect("regex"));
    MONEY
        .find_iter(label)
        .filter(|m| !label[m.end()..].trim_start().starts_with('%'))
        .last()
        .map_or(label, |m| &label[m.end()..])
}

/// A label that says the amount has the tax in it: `Total (inc GST)`.
fn total_with_tax(label: &str) -> bool {
    TOTAL_LINE.is_match(label) && TAX_INCLUDED.is_match(label)
}

/// A label that says the amount is before tax, anywhere in it.
fn before_tax(label: &str) -> bool {
    SUBTOTAL_LABEL.is_match(label) || BEFORE_TAX.is_match(label)
}

/// A label that says the amount is before tax: `Subtotal`, `Net amount`, `Total excl. VAT`.
fn net_label(label: &str) -> bool {
    let label = cell(label);
    next_to(&SUBTOTAL_LABEL, label) || next_to(&BEFORE_TAX, label)
}

/// Whether `label` (a line up to an amount) ends in what `words` match, with at most a
/// rate between them and the amount (`VAT 20%`, `Sales Tax (7.25%):`): in a table's
/// header row (`Rate Amount GST% 4418 41 3813.56`) the word heads a column.
fn next_to(words: &Regex, label: &str) -> bool {
    static RATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)?\s*%").expect("regex"));
    words.find_iter(label).last().is_some_and(|m| {
        !RATE
            .replace_all(&label[m.end()..], "")
            .contains(|c: char| c.is_ascii_digit())
    })
}

/// Net and tax amounts by their labels, once the total is chosen. A tagged tax as large
/// as the total, or a net above it (in size: a credit note's are negative), is none. A missing net or tax is an amount on a line
/// labelled for it (`Subtotal: $1,250.00`, `Sales Tax (7.25%): $90.63`, not a rate)
/// that with the other adds up to the total; with neither known, a pair that does, or
/// else the one tax amount the page states (`GST included $76.64`; a delivery fee
/// between subtotal and tax breaks the sum). The tagger misses these lines in layouts
/// it has not seen, though their labels are plain.
fn stated_net_and_tax(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some(total) = fields.total_amount.as_deref().and_then(norm::decimal_cents) else {
        return;
    };
    let known = |v: &Option<String>| v.as_deref().and_then(norm::decimal_cents);
    // in size: a credit note's amounts are negative
    let impossible_net = known(&fields.net_amount).is_some_and(|n| n.abs() > total.abs());
    let impossible_tax = known(&fields.tax_amount).is_some_and(|t| t.abs() >= total.abs());
    for (role, impossible) in [
        (Role::NetAmount, impossible_net),
        (Role::TaxAmount, impossible_tax),
    ] {
        if impossible {
            *fields.slot_mut(role).expect("amount field") = None;
            for e in entities.iter_mut().filter(|e| e.role == Some(role)) {
                e.role = None;
            }
        }
    }
    let (net, tax) = (known(&fields.net_amount), known(&fields.tax_amount));
    let adds_up = |a: i64, b: i64| (a + b - total).abs() <= 1;
    if net.zip(tax).is_some_and(|(n, t)| adds_up(n, t)) {
        return;
    }
    // a known value first (no entity to move), then the labelled ones; with the sum to
    // confirm it, a tax line may also state the taxed base (`SALES TAX 9.0% ON 25.46  2.29`)
    let known_first = |v: Option<i64>, found: Vec<(usize, i64)>| -> Vec<(Option<usize>, i64)> {
        v.map(|c| (None, c))
            .into_iter()
            .chain(found.into_iter().map(|(i, c)| (Some(i), c)))
            .collect()
    };
    let nets = known_first(net, labelled_amounts(entities, pages, total, &net_label));
    let loose_tax =
        |l: &str| TAX_LINE.is_match(l) && !before_tax(cell(l)) && !total_with_tax(cell(l));
    let taxes = known_first(tax, labelled_amounts(entities, pages, total, &loose_tax));
    let pair = nets.iter().find_map(|&(n, nc)| {
        let &(t, _) = taxes.iter().find(|&&(_, tc)| adds_up(nc, tc))?;
        Some((n, t))
    });
    let (n, t) = match pair {
        Some(found) => found,
        None if tax.is_none() => (None, one_stated_tax(entities, pages, total)),
        None => (None, None),
    };
    for (found, role) in [(n, Role::NetAmount), (t, Role::TaxAmount)] {
        let Some(i) = found else {
            continue;
        };
        // a labelled amount that adds up replaces a tagged one that does not
        for e in entities.iter_mut().filter(|e| e.role == Some(role)) {
            e.role = None;
        }
        entities[i].role = Some(role);
        *fields.slot_mut(role).expect("amount field") = Some(entities[i].value.clone());
    }
}

/// The free amounts (no role yet) of `entities` below the total in size, not rates, on
/// lines whose label `is` accepts: (entity, cents).
fn labelled_amounts(
    entities: &[Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
    total: i64,
    is: &dyn Fn(&str) -> bool,
) -> Vec<(usize, i64)> {
    entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Amount && e.role.is_none())
        .filter_map(|(i, e)| {
            let page = page_of(pages, e.page)?;
            let rate = page.slice(e.end, e.end + 1) == "%";
            let cents = norm::decimal_cents(&e.value)?;
            let below = cents != 0 && cents.abs() < total.abs();
            (is(line_before(&page.text, e.start)) && !rate && below).then_some((i, cents))
        })
        .collect()
}

/// With no net + tax sum to go by, the one tax amount a page states (`GST included
/// $76.64`), unless the document names two taxes (CGST and SGST, GST and PST: one line is
/// a part of the tax), or else the one on a `Total Tax` line. One amount, not one value:
/// equal CGST and SGST lines are two halves of the tax.
fn one_stated_tax(
    entities: &[Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
    total: i64,
) -> Option<usize> {
    let mut names: Vec<String> = pages
        .iter()
        .flat_map(|(p, _)| {
            TAX_NAME
                .find_iter(&p.text)
                .map(|m| m.as_str().to_lowercase())
        })
        .collect();
    names.sort();
    names.dedup();
    let stated = labelled_amounts(entities, pages, total, &tax_label);
    let one = |c: &[(usize, i64)]| c.first().map(|&(i, _)| i).filter(|_| c.len() == 1);
    let on_total_line: Vec<_> = stated
        .iter()
        .copied()
        .filter(|&(i, _)| {
            page_of(pages, entities[i].page)
                .is_some_and(|p| TOTAL_LINE.is_match(line_before(&p.text, entities[i].start)))
        })
        .collect();
    let single = if names.len() < 2 { one(&stated) } else { None };
    single.or_else(|| one(&on_total_line))
}

/// OCR reads a receipt total's final `0` as a `6` or an `8` (`23.66` for `23.60`). On
/// a scan, a chosen total off the coin that the receipt states elsewhere with only
/// its last digit different, on the coin (a tax summary's `23.60`), is that amount.
fn misread_last_digit(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, cents)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let unit = cash_unit(entities[t].currency.as_deref());
    if !is_ocr(page) || cents.rem_euclid(unit) == 0 {
        return;
    }
    let stated = entities.iter().position(|e| {
        e.kind == EntityKind::Amount
            && e.role.is_none()
            && norm::decimal_cents(&e.value)
                .is_some_and(|c| c / 10 == cents / 10 && c != cents && c.rem_euclid(unit) == 0)
    });
    if let Some(i) = stated {
        pass_total(fields, entities, t, i);
    }
}

/// A receipt's payment line (`CASH 20.00`, `Visa 12.50`) and its change line.
static PAYMENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:cash|payment|paid|pay|tendered|tender|card|visa|mastercard|master|amex|debit|credit|e-?wallet)\b")
        .expect("regex")
});
static CHANGE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:change|kembali|balance)\b").expect("regex"));

/// On a receipt, what was paid minus the change is the total: the index of the
/// last untagged amount above the payment line with that value, when the page has
/// a payment amount and a change amount (the total line itself is often misread,
/// the payment and change lines less so).
fn paid_minus_change(entities: &[Entity], pages: &[(Page, Vec<TaggedSpan>)]) -> Option<usize> {
    let line_of = |e: &Entity| Some(line_at(&page_of(pages, e.page)?.text, e.start).to_owned());
    let amounts: Vec<(usize, i64, String)> = entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Amount)
        .filter_map(|(i, e)| Some((i, norm::decimal_cents(&e.value)?, line_of(e)?)))
        .collect();
    let change = amounts
        .iter()
        .find(|(_, _, l)| CHANGE_LINE.is_match(l) && !PAYMENT_LINE.is_match(l))?;
    let paid = amounts
        .iter()
        .rfind(|(i, _, l)| *i < change.0 && PAYMENT_LINE.is_match(l) && !CHANGE_LINE.is_match(l))?;
    let total = paid.1 - change.1;
    if total <= 0 {
        return None;
    }
    amounts
        .iter()
        .rfind(|(i, c, l)| {
            *i < paid.0
                && *c == total
                && entities[*i].role.is_none()
                && !PAYMENT_LINE.is_match(l)
                && !CHANGE_LINE.is_match(l)
        })
        .map(|(i, _, _)| *i)
}

/// `For ACME TRADING` / `for and on behalf of ACME TRADING` above a signature.
static SIGNED_FOR: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
    (
        Regex::new(r"(?i)\bfor\b").expect("regex"),
        // the words after one `for` (matched at every `for`: one can sit inside
        // another's words, as in "Thank you for Your Business / For ACME")
        Regex::new(r"(?i)^\s+(?:and\s+on\s+behalf\s+of\s+)?((?:[A-Z0-9&][\w&.'-]*\s+){0,5}[A-Z0-9&][\w&.'-]*)")
            .expect("regex"),
    )
});
/// How many lines at the top of the first page count as its letterhead.
const LETTERHEAD_LINES: usize = 4;

/// The issuer of an invoice signs "For ACME TRADING" under the totals, and the same
/// name heads the first page: the longest run of capitalised words after a `for`
/// that also stands in the letterhead is the vendor (for when the tagger found none,
/// as on a letterhead it has never seen).
fn signed_vendor(pages: &[(Page, Vec<TaggedSpan>)]) -> Option<(usize, usize, String)> {
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

/// Words that end a letterhead's name on its first line: the labels that follow it.
const LETTERHEAD_LABELS: &[&str] = &[
    "factory",
    "address",
    "registered",
    "regd",
    "office",
    "head",
    "tel",
    "tel.",
    "phone",
    "ph",
    "ph.",
    "mob",
    "mobile",
    "fax",
    "email",
    "e-mail",
    "website",
    "gst",
    "gstin",
    "vat",
    "tax",
    "invoice",
    "cin",
    "pan",
    "no",
    "no.",
];

/// An email or web address: the mailbox and the domain's first label.
static MAIL_OR_WEB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([a-z0-9._-]+)@([a-z0-9-]+)\.|\bwww\.([a-z0-9-]+)\.").expect("regex")
});

/// The name that opens the first page (its capitalised words, at most six, up to a
/// label such as `Factory Address:-` or `GSTIN`) when the document's own email or web
/// address spells it: `AVIVA DOORS ... avivadoor@gmail.com`. For when the tagger found
/// no vendor and no signature names one.
fn mailed_vendor(pages: &[(Page, Vec<TaggedSpan>)]) -> Option<(usize, usize, String)> {
    let first = &pages.first()?.0;
    let line = first.text.lines().find(|l| !l.trim().is_empty())?;
    let mut end = None;
    for (at, word) in norm::words_at(line).take(6) {
        let label = LETTERHEAD_LABELS.contains(&word.to_lowercase().as_str());
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
fn find_words<'t>(text: &'t str, words: &[&str]) -> Option<&'t str> {
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

/// Inserts `e` where it belongs in reading order.
fn push_sorted(entities: &mut Vec<Entity>, e: Entity) {
    let at = entities.partition_point(|x| (x.page, x.start, x.end) <= (e.page, e.start, e.end));
    entities.insert(at, e);
}

/// Headings that say whose name follows: the customer's (`Bill To:`, `CUSTOMER`) or the
/// vendor's (`From:`, `Supplier:`, `Remit to:`). Not `Account holder:`, the customer on a
/// utility bill and the payee in an invoice's bank details.
static HEADINGS: LazyLock<[(Regex, Role); 2]> = LazyLock::new(|| {
    let heading =
        |words: &str| Regex::new(&format!(r"(?i)^\s*(?:{words})\s*[:\-]?\s*$")).expect("regex");
    [
        (
            heading(
                r"bill(?:ed)?\s+to|sold\s+to|invoice\s+to|customer(?:\s+name)?|client(?:\s+name)?|buyer|purchaser",
            ),
            Role::Customer,
        ),
        (
            heading(r"from|seller|supplier|vendor|sold\s+by|remit\s+to|pay(?:able)?\s+to|payee"),
            Role::Vendor,
        ),
    ]
});

/// A vendor or customer name right after a heading that names its role (on its line,
/// or alone on the line above) takes that role: the tagger reads roles from where a name
/// stands, and some bills print the customer first (`CUSTOMER` / `Dale & Renata
/// Whitcombe` above `From:` / `Ironbark Roofing & Exteriors LLC`). Contract parties are
/// left alone (`CUSTOMER: Acme Inc.` in a signature block names a party).
fn roles_by_heading(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
    for e in entities
        .iter_mut()
        .filter(|e| matches!(e.role, Some(Role::Vendor | Role::Customer)))
    {
        let Some(page) = page_of(pages, e.page) else {
            continue;
        };
        let heading = label_before(&page.text, e.start);
        if let Some((_, role)) = HEADINGS.iter().find(|(h, _)| h.is_match(&heading)) {
            e.role = Some(*role);
            e.confidence = e.confidence.max(SCANNED_CONFIDENCE);
        }
    }
}

/// Labels of the other dates an invoice carries: order, delivery, challan, PO,
/// dispatch, shipping, due and print dates.
static OTHER_DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:order|ordered|delivery|delivered|ch|challan|dc|po|p\.o|purchase|dispatch|despatch|ship(?:ped|ping)?|due|print(?:ed)?|expiry|valid)\b[ .:#\-]*(?:date|dt|on)?[ .:\-•·]*$")
        .expect("regex")
});
/// A bare `Date:` or `Invoice Date:` right before a date (the word naming the document, if
/// any, captured).
static INVOICE_DATE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^\w.])(?:(invoice|inv|bill|receipt|document|doc)\.?\s*)?(?:date|dated|dt)\b[ .:\-•·]*$")
        .expect("regex")
});
/// A word before `date` (`Event date:`, `Arrival Date`): a label that names some date,
/// which [`INVOICE_DATE_LABEL`] then did not name as the invoice's.
static ANOTHER_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z]{2,}\.?\s+(?:date|dt)\b[ .:\-•·]*$").expect("regex"));
/// Multiplier for an invoice date tagged where its label names another date.
const OTHER_DATE_PENALTY: f32 = 0.8;

/// The tagger tends to give every `Date :` on an invoice the invoice-date role. One
/// whose label says it is an order, challan, delivery or due date is no candidate
/// when a date stands under a plain `Date :` or `Invoice Date :` (an untagged one
/// becomes a candidate at the scanners' confidence), and a weaker one otherwise.
fn demote_other_dates(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
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
        if OTHER_DATE_LABEL.is_match(&label) {
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

/// The label right before character `at`: the last 25 characters of its line before
/// it, with the end of the line above when the label was broken off (`Ch Date` /
/// `. : 10-10-2019`, `Ch .` / `No . : 2399/2401`).
fn label_before(text: &str, at: usize) -> String {
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

/// `Invoice No . :`, `Invoice #`, `Bill No:`, `Inv. Number` right before an id.
static INVOICE_NO_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:invoice|inv|bill|receipt)\s*\.?\s*(?:no|nr|number|num|#)\b\s*[.:#\-]*\s*[.:]?\s*$|(?i)\b(?:invoice|inv)\s*#\s*$")
        .expect("regex")
});
/// The tagger gives the invoice-number role to challan and order numbers too (`Ch . No .
/// : 2399/2401`) and to stray numbers, sometimes more surely than to the invoice number.
/// Beside an id under a plain `Invoice No :` label, ids under no such label are no
/// candidates.
fn prefer_invoice_numbers(entities: &mut [Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
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
fn labelled_invoice_number(
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

/// Byte offsets in `text` of the start of the line that holds character `at`, of `at`,
/// and of that line's end.
fn line_bounds(text: &str, at: usize) -> (usize, usize, usize) {
    let byte = text.char_indices().nth(at).map_or(text.len(), |(b, _)| b);
    let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let end = text[byte..].find('\n').map_or(text.len(), |i| byte + i);
    (start, byte, end)
}

/// The part of the line of `text` before character `at`.
fn line_before(text: &str, at: usize) -> &str {
    let (start, byte, _) = line_bounds(text, at);
    &text[start..byte]
}

/// The line of `text` that holds character `at`.
fn line_at(text: &str, at: usize) -> &str {
    let (start, _, end) = line_bounds(text, at);
    &text[start..end]
}

/// The last `n` characters of `s` (all of it when shorter).
fn last_chars(s: &str, n: usize) -> &str {
    s.char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(s, |(b, _)| &s[b..])
}

/// The page numbered `number` (pages are numbered from 1 in order; a search otherwise).
fn page_of(pages: &[(Page, Vec<TaggedSpan>)], number: usize) -> Option<&Page> {
    let by_index = pages.get(number.wrapping_sub(1)).map(|(p, _)| p);
    by_index
        .filter(|p| p.number == number)
        .or_else(|| pages.iter().map(|(p, _)| p).find(|p| p.number == number))
}

/// Invoice numbers are whole words: the tagger sometimes starts or ends one inside
/// a word (`113/19` of `TI-113/19`), so an id span grows to the whitespace around it,
/// but not past a label separator (`No.:123`, `#123`) or a bracket.
fn widen_ids(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
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

/// The tagger often ends a company name before its legal form (`99 SPEED MART` +
/// `S/B`, `ACME` + `, Inc.`): a name span grows over a legal form that follows it on
/// its line (see [`norm::legal_form_after`]; on OCR'd pages misread forms count too).
///
/// It also starts some names a word or two late (`National Football League` + `Alumni,
/// Inc.`): a name span grows left over the capitalised words before it on its line
/// (see [`norm::name_words_before`]), never into another span.
fn widen_names(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
    let mut out = spans.to_vec();
    let ends: Vec<usize> = spans.iter().map(|s| s.end).collect();
    for s in out
        .iter_mut()
        .filter(|s| s.role.kind() == EntityKind::Party)
    {
        let after = page.slice(s.end, s.end + 80);
        if let Some(n) = norm::legal_form_after(&after, is_ocr(page)) {
            s.end += n;
        }
        let floor = ends
            .iter()
            .copied()
            .filter(|&e| e <= s.start)
            .max()
            .unwrap_or(0);
        let before = page.slice(floor.max(s.start.saturating_sub(120)), s.start);
        s.start -= norm::name_words_before(&before, &page.slice(s.start, s.end));
    }
    out
}

/// `TI-113/19 - 20` and `19 - 20/433`: an id that ends or starts with a two-digit
/// year, with the next (or previous) year after a detached hyphen, carries an
/// Indian-style fiscal year (`2019-20`) that OCR and tokenisers split off.
fn join_fiscal_year(chars: &[char], s: &mut TaggedSpan) {
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

/// When net, tax and total are not all tagged but the amounts on the page make
/// net + tax = total with the ones that are, the missing role goes to that amount
/// (the arithmetic is stronger evidence than a low tagger score).
fn complete_amounts(entities: &mut [Entity]) {
    let best = |es: &[Entity], role: Role| {
        chosen(es, role).and_then(|e| norm::decimal_cents(&e.value).map(|c| (c, e.confidence)))
    };
    let (net, tax, total) = (
        best(entities, Role::NetAmount),
        best(entities, Role::TaxAmount),
        best(entities, Role::TotalAmount),
    );
    let (missing, want, conf) = match (net, tax, total) {
        (Some((n, a)), Some((t, b)), None) => (Role::TotalAmount, n + t, a.min(b)),
        (Some((n, a)), None, Some((t, b))) => (Role::TaxAmount, t - n, a.min(b)),
        _ => return,
    };
    let hit = entities
        .iter_mut()
        .filter(|e| e.kind == EntityKind::Amount && norm::decimal_cents(&e.value) == Some(want))
        .filter(|e| e.role != Some(Role::NetAmount))
        .max_by_key(|e| (e.page, e.start)); // the last one: totals come after their parts
    if let Some(e) = hit {
        e.role = Some(missing);
        e.confidence = e.confidence.max(conf * 0.9);
    }
}

/// Spaces around a hyphen or slash inside an id (`TI-113/19 - 20`) are the OCR's or
/// tokeniser's, not the issuer's.
static ID_JOINT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*([-/])\s*").expect("regex"));

fn clean_id(text: &str) -> Option<String> {
    let t = text
        .trim()
        .trim_start_matches(['#', ':', '.', ' '])
        .trim_end_matches([',', ';', '.', ':'])
        .trim();
    (!t.is_empty() && t.chars().any(|c| c.is_ascii_alphanumeric()))
        .then(|| ID_JOINT.replace_all(t, "$1").into_owned())
}

/// For each role, the most confident entity with a value (earlier wins ties).
fn chosen(entities: &[Entity], role: Role) -> Option<&Entity> {
    chosen_index(entities, role, |_| true).map(|i| &entities[i])
}

/// The index of the [`chosen`] mention of `role` among those `keep` accepts: the most
/// confident with a value, the first of equals.
fn chosen_index(entities: &[Entity], role: Role, keep: impl Fn(&Entity) -> bool) -> Option<usize> {
    entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.role == Some(role) && !e.value.is_empty() && keep(e))
        .fold(None, |best: Option<(usize, &Entity)>, (i, e)| match best {
            Some((_, b)) if b.confidence >= e.confidence => best,
            _ => Some((i, e)),
        })
        .map(|(i, _)| i)
}

/// A mention that lists its name in `parties`: a party with a name, confident enough.
fn listed_party(e: &Entity) -> bool {
    e.role == Some(Role::Party) && !e.value.is_empty() && e.confidence >= MIN_PARTY_CONFIDENCE
}

fn choose_fields(entities: &mut [Entity]) -> Fields {
    let mut fields = Fields::default();
    for role in Role::ALL {
        if let Some(slot) = fields.slot_mut(role) {
            *slot = chosen(entities, role).map(|e| e.value.clone());
        }
    }
    fields.parties = distinct_parties(
        entities
            .iter()
            .filter(|e| listed_party(e))
            .map(|e| e.value.as_str()),
    );
    fields
}

/// Party names in order, each once: a name that is [`same_party`] as one before it is
/// left out.
fn distinct_parties<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let key = norm::fold(name);
        if !seen.iter().any(|k| same_party(k, &key)) {
            seen.push(key);
            out.push(name.to_string());
        }
    }
    out
}

/// Whole words only (`change` is not in `exchange`, `member` not in `membership`).
fn words(list: &[&str]) -> Regex {
    Regex::new(&format!(r"\b(?:{})\b", list.join("|"))).expect("keyword regex")
}

/// Contract prose: a receipt never says "shall" or "hereby".
static CONTRACT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    words(&[
        "agreement",
        "contract",
        "hereinafter",
        "whereas",
        "witnesseth",
        "in witness whereof",
        "governing law",
        "the parties",
        "shall",
        "hereby",
        "herein",
        "pursuant to",
        "notwithstanding",
    ])
});
static BILLING_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    words(&[
        "bill to",
        "billed to",
        "invoice to",
        "ship to",
        "sold to",
        "due date",
        "payment due",
        "payment terms",
        "iban",
        "swift",
        "buyer",
        "consignee",
        "remit",
        "purchase order",
        "customer no",
        "vat no",
        "vat id",
    ])
});
static TILL_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    words(&[
        "receipt",
        "cash",
        "change",
        "cashier",
        "rounding",
        "tender",
        "thank you",
        "visa",
        "mastercard",
        "member",
        "qty",
    ])
});
static INVOICE_WORDS: LazyLock<Regex> =
    LazyLock::new(|| words(&["invoice", "rechnung", "facture", "factura"]));

/// Two folded party names are one party when one contains the other (`AM CAPITAL
/// ACQUISITION COMPANY` in `I-AM Capital Acquisition Company`, or a signature line
/// that runs two names together) or they differ by a few letters (OCR, typos).
fn same_party(a: &str, b: &str) -> bool {
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

/// Keyword and role evidence for the document type. "Invoice" alone decides
/// little (many till receipts are headed "TAX INVOICE"); billing words such as
/// "bill to" or "due date" and the tagger's customer and due-date fields do.
fn classify(text: &str, fields: &Fields) -> DocType {
    let lower = text.to_lowercase();
    let count = |words: &Regex| words.find_iter(&lower).count();
    let contract = count(&CONTRACT_WORDS) + 2 * usize::from(!fields.parties.is_empty());
    let billing = count(&BILLING_WORDS)
        + usize::from(fields.customer.is_some())
        + usize::from(fields.due_date.is_some());
    let till = count(&TILL_WORDS);
    let invoice = count(&INVOICE_WORDS);
    if contract >= 3 && contract > billing + invoice {
        DocType::Contract
    } else if billing >= 1 && billing >= till {
        DocType::Invoice
    } else if till >= 1 {
        DocType::Receipt
    } else if invoice >= 1 {
        DocType::Invoice
    } else if fields.total_amount.is_some() {
        DocType::Receipt
    } else if contract > 0 {
        DocType::Contract
    } else {
        DocType::Other
    }
}

/// On an invoice or receipt, the tagger's contract roles point at what a bill has, when
/// the bill's own role found nothing: the date it took for an agreement's is the bill's
/// date (`Invoice Date: June 18, 2025` on a freelancer's invoice), and the first party
/// named, unless it is the customer, the vendor (`COPPER SKILLET KITCHEN LLC` atop a
/// receipt).
fn contract_roles_on_bills(fields: &mut Fields, entities: &mut [Entity]) {
    if fields.invoice_date.is_none() {
        let date = [Role::AgreementDate, Role::EffectiveDate]
            .into_iter()
            .find_map(|role| chosen_index(entities, role, |_| true));
        if let Some(i) = date {
            entities[i].role = Some(Role::InvoiceDate);
            fields.invoice_date = Some(entities[i].value.clone());
        }
    }
    if fields.vendor.is_none() {
        let customer = fields.customer.as_deref().map(norm::fold);
        if let Some(e) = entities.iter_mut().filter(|e| listed_party(e)).find(|e| {
            customer
                .as_ref()
                .is_none_or(|c| !same_party(c, &norm::fold(&e.value)))
        }) {
            e.role = Some(Role::Vendor);
            fields.vendor = Some(e.value.clone());
        }
    }
}

/// Contracts have no invoice fields and invoices no contract fields.
fn keep_fields_of(doc_type: DocType, f: &mut Fields) {
    match doc_type {
        DocType::Contract => {
            let keep = Fields {
                parties: std::mem::take(&mut f.parties),
                agreement_date: f.agreement_date.take(),
                effective_date: f.effective_date.take(),
                expiration_date: f.expiration_date.take(),
                term: f.term.take(),
                jurisdiction: f.jurisdiction.take(),
                ..Fields::default()
            };
            *f = keep;
        }
        DocType::Invoice | DocType::Receipt => {
            f.parties.clear();
            f.agreement_date = None;
            f.effective_date = None;
            f.expiration_date = None;
            f.term = None;
            f.jurisdiction = None;
        }
        DocType::Other => {}
    }
}

/// `effective` right before a date: `made and effective`, `effective as of (this)`,
/// `entered into effective on`.
static EFFECTIVE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beffective\s+(?:as\s+of\s+|on\s+|from\s+)?(?:this\s+|the\s+)?$").expect("regex")
});
/// An Effective Date that is the agreement's own date: `"Effective Date" means the date
/// first written above`, `dated as of the Effective Date`, `entered into as of the
/// Effective Date`, `This Agreement shall commence on the date first written above`, `This
/// Lease is effective on the date first written above`.
static EFFECTIVE_IS_AGREEMENT_DATE: LazyLock<Regex> = LazyLock::new(|| {
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
enum DateLabel {
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
static LABELS_BEFORE: LazyLock<Vec<(Regex, DateLabel)>> = LazyLock::new(|| {
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
static DEFINED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\s*,?\s*\((?:the\s+|this\s+)?["“'‘]?(?:(effective)|(commencement|start)|(expiration|expiry|termination|end))\s+date["”'’]?\s*\)"#)
        .expect("regex")
});

/// `ending on` before a date in a sentence about the term (`for a fixed term of three (3)
/// years, ending on 30.04.2027`, `"CONTRACT PERIOD" means ... terminating on May 31,
/// 2016`, `expiring at 11:59 p.m. on`): the expiration date. Other periods end on dates
/// too (`the period beginning on the Effective Date and ending on December 31, 2018`).
static TERM_ENDS_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:ending|expiring|terminating)\s+(?:at\s+[\d:.]+\s*(?:[ap]\.?m\.?)?\s+)?on\s+(?:the\s+)?$")
        .expect("regex")
});
/// A sentence about the contract's own term.
static ABOUT_THE_TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:term|(?:contract|agreement|lease|licen[cs]e|rental)\s+period)\b")
        .expect("regex")
});
/// A term counted from a date (`takes effect for five (5) years from 1 October 2024`, `for
/// a period of 36 months commencing`), in a sentence about the term or the agreement; not
/// a period that merely starts on one (`fiscal year beginning April 1, 1999`).
static TERM_FROM: LazyLock<(Regex, Regex)> = LazyLock::new(|| {
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
static ENDING_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:\([^)]*\)\s*)?,?\s*(?:and\s+)?(?:ending|expiring|terminating|through|until)\b",
    )
    .expect("regex")
});

/// How many characters before a date its label is looked for in.
const DATE_LABEL_REACH: usize = 80;
/// A contract this long (characters) or shorter has its dates labelled anywhere; a
/// longer one in its first half only, since addenda, exhibits and schedules come last
/// and their dates are theirs (`ADDENDUM ... Effective Date: March 21, 2014`).
const DATE_LABEL_ANYWHERE: usize = 10_000;

/// What the text around a date says it is: `before` is the text up to it (spaces folded),
/// `after` the text after it, `sentence` its sentence up to it.
fn date_label(before: &str, after: &str, sentence: &str) -> Option<DateLabel> {
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
fn labelled_contract_dates(
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
const CONTRACT_DATE_ROLES: [Role; 3] = [
    Role::AgreementDate,
    Role::EffectiveDate,
    Role::ExpirationDate,
];

/// Whether a mention stands in a contract's head: on the first page, at most
/// [`PREAMBLE_CHARS`] after the first party named there.
fn in_head(entities: &[Entity]) -> impl Fn(&Entity) -> bool {
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
static TERM_STARTS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
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
fn derive_contract_dates(
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

fn chrono_date(iso: &str) -> Option<norm::NaiveDate> {
    norm::NaiveDate::parse_from_str(iso, "%Y-%m-%d").ok()
}

/// Lowers the confidence of chosen values that disagree with each other.
fn check_consistency(f: &Fields, entities: &mut [Entity]) {
    let cents = |v: &Option<String>| v.as_deref().and_then(norm::decimal_cents);
    let mut bad: Vec<(Role, &Option<String>)> = Vec::new();
    if let (Some(n), Some(t), Some(total)) = (
        cents(&f.net_amount),
        cents(&f.tax_amount),
        cents(&f.total_amount),
    ) {
        if (n + t - total).abs() > 1 {
            bad.extend([
                (Role::NetAmount, &f.net_amount),
                (Role::TaxAmount, &f.tax_amount),
                (Role::TotalAmount, &f.total_amount),
            ]);
        }
    }
    if let (Some(i), Some(d)) = (&f.invoice_date, &f.due_date) {
        if d < i {
            bad.push((Role::DueDate, &f.due_date));
        }
    }
    for (role, value) in bad {
        for e in entities
            .iter_mut()
            .filter(|e| e.role == Some(role) && Some(&e.value) == value.as_ref())
        {
            e.confidence *= INCONSISTENT_PENALTY;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        Page {
            number: 1,
            text: text.into(),
            words: Vec::new(),
            extractor: Extractor::PlainText,
            size: None,
        }
    }

    /// A page read by OCR.
    fn scan(text: &str) -> Page {
        Page {
            extractor: Extractor::ImageOcr,
            ..page(text)
        }
    }

    /// A one-page text document with each needle tagged in its role at 0.9, assembled.
    fn tagged_page(text: &str, tagged: &[(&str, Role)]) -> Extraction {
        let spans = tagged
            .iter()
            .map(|&(needle, role)| span(text, needle, role, 0.9))
            .collect();
        assemble(&[(page(text), spans)], &Locale::default())
    }

    fn span(text: &str, needle: &str, role: Role, confidence: f32) -> TaggedSpan {
        let byte = text.find(needle).unwrap();
        let start = text[..byte].chars().count();
        TaggedSpan {
            start,
            end: start + needle.chars().count(),
            role,
            confidence,
        }
    }

    #[test]
    fn without_tagged_date_and_total_the_first_date_and_the_total_line_decide() {
        let text = "SHOP\nDate: 14-12-16 10:02\nItem 2 x 3.00 6.00\nSubtotal 60.00\n\
                    Total Sales (Inclusive GST) RM 61.65\nTotal GST 3.49\nCash 100.00\nChange 38.35\n\
                    Due 21-12-16";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2016-12-14"));
        assert_eq!(x.fields.total_amount.as_deref(), Some("61.65"));
        let total = x
            .entities
            .iter()
            .find(|e| e.role == Some(Role::TotalAmount))
            .unwrap();
        assert!(
            total.confidence < SCANNED_CONFIDENCE,
            "{}",
            total.confidence
        );
        // a tagged total wins over the rule
        let spans = vec![span(text, "3.49", Role::TotalAmount, 0.8)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("3.49"));
    }

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
    fn one_stray_dollar_sign_does_not_make_dates_month_first() {
        let text = "KEDAI\n08/04/2018 02:09 pm\nChange $1.10\nTotal RM 18.90";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2018-04-08"));
        let text = "ACME Inc.\n08/04/2018\nSubtotal $10.00\nTotal $11.00";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2018-08-04"));
    }

    #[test]
    fn a_vendor_name_over_two_lines_is_one_name_but_parties_are_not() {
        let text = "LIAN CHI PU TIAN VEGETARIAN\nRESTAURANT SDN BHD\nTotal 5.00";
        let spans = vec![
            span(text, "LIAN CHI PU TIAN VEGETARIAN", Role::Vendor, 0.6),
            span(text, "RESTAURANT SDN BHD", Role::Vendor, 0.9),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(
            x.fields.vendor.as_deref(),
            Some("LIAN CHI PU TIAN VEGETARIAN RESTAURANT SDN BHD")
        );
        // a brand line above the legal name that spells it is not part of the name
        let text = "Bramble & Bean\nBramble and Bean Coffee Co. Ltd\nTotal 5.00";
        let name = "Bramble & Bean\nBramble and Bean Coffee Co. Ltd";
        let x = tagged_page(text, &[(name, Role::Vendor)]);
        assert_eq!(
            x.fields.vendor.as_deref(),
            Some("Bramble and Bean Coffee Co. Ltd")
        );
        let vendor = x.entities.iter().find(|e| e.role == Some(Role::Vendor));
        assert_eq!(
            vendor.map(|e| e.start),
            Some(15),
            "the entity starts at the legal name"
        );
        let text = "between ACME INC.\nBETA LLC shall agree";
        let spans = vec![
            span(text, "ACME INC.", Role::Party, 0.9),
            span(text, "BETA LLC", Role::Party, 0.9),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.parties.len(), 2, "{:?}", x.fields.parties);
    }

    #[test]
    fn places_joined_by_a_bare_and_are_one_governing_law() {
        let text = "governed by the laws of England and Wales.";
        let x = tagged_page(
            text,
            &[
                ("England", Role::Jurisdiction),
                ("Wales", Role::Jurisdiction),
            ],
        );
        assert_eq!(x.fields.jurisdiction.as_deref(), Some("England and Wales"));
    }

    #[test]
    fn the_same_name_twice_in_a_row_is_not_doubled() {
        let text = "Buyer: SIDDHARTH VALUE HOMES LLP Siddharth Value Homes Llp\nBill to";
        let spans = vec![
            span(text, "SIDDHARTH VALUE HOMES LLP", Role::Customer, 0.8),
            span(text, "Siddharth Value Homes Llp", Role::Customer, 0.7),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(
            x.fields.customer.as_deref(),
            Some("SIDDHARTH VALUE HOMES LLP")
        );
    }

    #[test]
    fn contract_prose_with_exchange_and_membership_is_a_contract() {
        let text = "The Company shall pay the fees in exchange for the membership. The Member \
                    hereby agrees that all cash tendered shall be refunded pursuant to Section 2.";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.doc_type, DocType::Contract);
        // an insurance endorsement says `contract`, not `agreement`, and has cash in it
        let text = "ENDORSEMENT Effective Date: July 1, 2019. All assets, including contracts \
                    of insurance and cash, have been transferred. Thrivent now has all obligations \
                    under this contract, as if it had issued the contract. All terms of this contract \
                    remain unchanged.";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.doc_type, DocType::Contract);
    }

    #[test]
    fn an_invoice_number_cut_inside_a_word_grows_to_the_word() {
        let text = "Invoice No . : TI-113/19 - 20\nDate";
        let p = page(text);
        let spans = vec![span(text, "113/19 - 20", Role::InvoiceNumber, 0.7)];
        let x = assemble(&[(p, spans)], &Locale::default());
        assert_eq!(x.fields.invoice_number.as_deref(), Some("TI-113/19-20"));
        let text = "Invoice No.:INV-7 due";
        let spans = vec![span(text, "INV-7", Role::InvoiceNumber, 0.7)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_number.as_deref(), Some("INV-7"));
    }

    #[test]
    fn most_confident_candidate_wins_and_is_normalised() {
        let t = "INVOICE\nDate: 03/04/2024\nDue: 25/04/2024\nSubtotal €1.000,00 VAT €190,00\nTotal €1.190,00";
        let spans = vec![
            span(t, "03/04/2024", Role::InvoiceDate, 0.9),
            span(t, "25/04/2024", Role::DueDate, 0.8),
            span(t, "€1.000,00", Role::NetAmount, 0.9),
            span(t, "€190,00", Role::TaxAmount, 0.9),
            span(t, "€1.190,00", Role::TotalAmount, 0.95),
            span(t, "€1.000,00", Role::TotalAmount, 0.2),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        assert_eq!(x.doc_type, DocType::Invoice);
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2024-04-03"));
        assert_eq!(x.fields.due_date.as_deref(), Some("2024-04-25"));
        assert_eq!(x.fields.total_amount.as_deref(), Some("1190.00"));
        assert_eq!(x.fields.net_amount.as_deref(), Some("1000.00"));
        assert_eq!(x.fields.currency.as_deref(), Some("EUR"));
    }

    #[test]
    fn inconsistent_totals_lose_confidence() {
        let t = "Invoice\nNet 100.00\nTax 19.00\nTotal 150.00";
        let spans = vec![
            span(t, "100.00", Role::NetAmount, 0.9),
            span(t, "19.00", Role::TaxAmount, 0.9),
            span(t, "150.00", Role::TotalAmount, 0.9),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        let total = x
            .entities
            .iter()
            .find(|e| e.role == Some(Role::TotalAmount))
            .unwrap();
        assert!(total.confidence < 0.9, "{}", total.confidence);
    }

    #[test]
    fn untagged_dates_and_amounts_are_entities_without_role() {
        let t = "Invoice 01/05/2024\nOrder date 12/31/2023\nShipping $5.00";
        let spans = vec![span(t, "01/05/2024", Role::InvoiceDate, 0.9)];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        let kinds: Vec<_> = x
            .entities
            .iter()
            .map(|e| (e.kind, e.role, e.value.as_str()))
            .collect();
        assert!(
            kinds.contains(&(EntityKind::Date, None, "2023-12-31")),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(EntityKind::Amount, None, "5.00")),
            "{kinds:?}"
        );
    }

    #[test]
    fn unparseable_span_never_becomes_a_field() {
        let t = "Invoice\nDate: soon";
        let x = assemble(
            &[(page(t), vec![span(t, "soon", Role::InvoiceDate, 0.99)])],
            &Locale::default(),
        );
        assert_eq!(x.fields.invoice_date, None);
    }

    #[test]
    fn contract_dates_follow_from_the_preamble_and_the_term() {
        let t = "This Agreement is entered into as of March 5, 2021 (the \"Effective Date\") by Foo Inc. and Bar LLC. \
                 WHEREAS the parties agree, the term is two (2) years. Governing law: Delaware.";
        let spans = vec![
            span(t, "March 5, 2021", Role::AgreementDate, 0.9),
            span(t, "Foo Inc.", Role::Party, 0.9),
            span(t, "two (2) years", Role::Term, 0.9),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        assert_eq!(x.fields.agreement_date.as_deref(), Some("2021-03-05"));
        assert_eq!(x.fields.effective_date.as_deref(), Some("2021-03-05"));
        assert_eq!(x.fields.term.as_deref(), Some("P2Y"));
        assert_eq!(x.fields.expiration_date.as_deref(), Some("2023-03-05"));
    }

    #[test]
    fn a_term_commencing_on_the_tagged_end_runs_from_it() {
        let t = "This Agreement is made November 17, 2015 between the Town and Roanoke Gas \
                 Company. The term of the Franchise shall be twenty (20) years, commencing on \
                 January 1, 2016. Governing law: Virginia.";
        let tagged = |end: &str| {
            tagged_page(
                t,
                &[
                    ("November 17, 2015", Role::AgreementDate),
                    ("twenty (20) years", Role::Term),
                    (end, Role::ExpirationDate),
                ],
            )
            .fields
        };
        let f = tagged("January 1, 2016");
        assert_eq!(f.term.as_deref(), Some("P20Y"));
        assert_eq!(f.expiration_date.as_deref(), Some("2036-01-01"));
        // an end stated as an end stays
        let t = t.replace("commencing on", "ending on");
        let f = tagged_page(
            &t,
            &[
                ("twenty (20) years", Role::Term),
                ("January 1, 2016", Role::ExpirationDate),
            ],
        )
        .fields;
        assert_eq!(f.expiration_date.as_deref(), Some("2016-01-01"));
    }

    #[test]
    fn net_and_tax_come_from_their_labelled_lines_when_they_add_up() {
        // (lines after the header, the tagged total, the amount the tagger called the tax,
        // net, tax)
        type Case = (
            &'static str,
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            // the tagger's tax is the total: none; the labelled pair adds up
            (
                "Subtotal:       $1,250.00\nSales Tax (7.25%): $90.63\nTotal: $1,340.63\nDue: $1,340.63",
                "Total: $1,340.63",
                Some("Due: $1,340.63"),
                Some("1250.00"),
                Some("90.63"),
            ),
            ("Subtotal      3,622.00\nHST (ON) 13%      470.86\nTotal (CAD)   $4,092.86", "$4,092.86", None, Some("3622.00"), Some("470.86")),
            // a sum that does not add up gives no net, and the one tax stated
            ("Subtotal      3,622.00\nHST (ON) 13%      470.86\nTotal (CAD)   $1,340.63", "$1,340.63", None, None, Some("470.86")),
            // the tax included in the total, no net stated
            ("Total (inc GST)      $843.00\nGST included        $76.64", "$843.00", None, None, Some("76.64")),
            // a fee between subtotal and tax: the one tax amount stated, no net
            ("Rental subtotal  2,435.00\nDelivery  194.80\nSales tax 9.25%  243.26\nBalance Due  $2,873.06", "$2,873.06", None, None, Some("243.26")),
            // a labelled pair that adds up replaces a tagged tax that does not (the taxed base)
            (
                "SUBTOTAL    35.46\nSALES TAX 9.0% ON 25.46    2.29\nTOTAL    37.75",
                "TOTAL    37.75",
                Some("ON 25.46"),
                Some("35.46"),
                Some("2.29"),
            ),
            // several taxes and a tip: the `Total Tax` line
            (
                "Subtotal 112.50\nGST 5% 5.63\nPST 10% 2.60\nTotal Tax 8.23\nTIP 21.00\nTOTAL $141.73",
                "$141.73",
                None,
                None,
                Some("8.23"),
            ),
            // equal CGST and SGST halves that add up to nothing stated: no tax rather than half
            (
                "Taxable Value 1650.00\nCGST @ 9% 148.50\nSGST @ 9% 148.50\nGrand Total 2000.00",
                "2000.00",
                None,
                None,
                None,
            ),
            // a table row's earlier cell does not label the amounts after it
            (
                "Taxable Amount 7627.12 CGST SGST 686.44 686.44\nGrand Total 9,000.00",
                "9,000.00",
                None,
                None,
                None,
            ),
            // a tax word heading a table column is no label
            ("Rate Amount GST% 4418 41 3813.56\nGrand Total 4,500.00", "4,500.00", None, None, None),
        ];
        for &(lines, total, tagged_tax, net, tax) in cases {
            let text = format!("INVOICE\nAcme Ltd\n{lines}");
            let amount = |s: &str| s.rsplit(' ').next().unwrap().to_string();
            // the amount at the end of `s`, where `s` stands in the text
            let in_text = |s: &str, role| {
                let end = text[..text.find(s).unwrap() + s.len()].chars().count();
                TaggedSpan {
                    start: end - amount(s).chars().count(),
                    end,
                    role,
                    confidence: 0.9,
                }
            };
            let mut spans = vec![in_text(total, Role::TotalAmount)];
            spans.extend(tagged_tax.map(|t| in_text(t, Role::TaxAmount)));
            let x = assemble(&[(page(&text), spans)], &Locale::default());
            assert_eq!(x.fields.net_amount.as_deref(), net, "{lines:?}");
            assert_eq!(x.fields.tax_amount.as_deref(), tax, "{lines:?}");
        }
    }

    #[test]
    fn contract_roles_on_a_bill_fill_its_own_fields() {
        let text = "Priya Natarajan Design LLC\nINVOICE\nInvoice Date: June 18, 2025\n\
                    Bill To: Harbor Books Inc.\nDesign work  900.00\nTotal due  900.00";
        let x = tagged_page(
            text,
            &[
                ("June 18, 2025", Role::AgreementDate),
                ("Priya Natarajan Design LLC", Role::Party),
                ("Harbor Books Inc.", Role::Customer),
                ("900.00\nTotal due  900.00", Role::TotalAmount),
            ],
        );
        assert_eq!(x.doc_type, DocType::Invoice);
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2025-06-18"));
        assert_eq!(
            x.fields.vendor.as_deref(),
            Some("Priya Natarajan Design LLC")
        );
        // the customer tagged as a party is not the vendor
        let x = tagged_page(
            text,
            &[
                ("Harbor Books Inc.", Role::Party),
                ("Harbor Books Inc.", Role::Customer),
            ],
        );
        assert_ne!(x.fields.vendor.as_deref(), Some("Harbor Books Inc."));
        assert!(x.fields.parties.is_empty());
    }

    #[test]
    fn a_dollar_price_or_a_us_address_reads_dates_month_first() {
        let receipt = |dollar: &str| {
            let text = format!("HARVEST MARKET\n04/02/2025 10:14\nMILK {dollar}\nTOTAL 3.50");
            assemble(&[(page(&text), vec![])], &Locale::default())
                .fields
                .invoice_date
        };
        assert_eq!(receipt("$3.50").as_deref(), Some("2025-04-02"));
        // a lone `$` (an Indian invoice's text keeps one from its source) is no evidence
        assert_eq!(receipt("3.50 $ GRN").as_deref(), Some("2025-02-04"));
        // a US address is, unless another currency or dotted dates say otherwise
        let dated = |date: &str, tail: &str| {
            let text = format!("This Agreement is effective {date} between Tripath Technology, Inc., \
                                3900 Freedom Circle, Santa Clara, CA 95054 and Uniquest Corp.{tail}");
            assemble(&[(page(&text), vec![])], &Locale::default())
                .entities
                .iter()
                .find(|e| e.kind == EntityKind::Date)
                .map(|e| e.value.clone())
        };
        assert_eq!(dated("7/1/98", "").as_deref(), Some("1998-07-01"));
        assert_eq!(dated("09.04.2020", "").as_deref(), Some("2020-04-09"));
        assert_eq!(
            dated("7/1/98", " Fee: EUR 100.00").as_deref(),
            Some("1998-01-07")
        );
    }

    #[test]
    fn a_date_labelled_as_the_invoice_date_beats_other_labelled_dates() {
        let text = "INVOICE\nEvent date: 2025-06-14\nInvoice date: 2025-05-28\nTotal 10.00";
        let spans = vec![
            span(text, "2025-06-14", Role::InvoiceDate, 0.9),
            span(text, "2025-05-28", Role::InvoiceDate, 0.6),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2025-05-28"));
    }

    #[test]
    fn a_net_tagged_on_a_total_line_with_the_tax_in_it_is_the_total() {
        let text =
            "TAX INVOICE\nBRUSH SET  $18.50\nTOTAL (GST INCL.)   $155.18\nEFTPOS   $155.18\n\
                    Includes GST of   $14.11";
        let x = tagged_page(text, &[("155.18", Role::NetAmount)]);
        assert_eq!(x.fields.total_amount.as_deref(), Some("155.18"));
        assert_eq!(x.fields.net_amount, None);
        assert_eq!(x.fields.tax_amount.as_deref(), Some("14.11"));
        // a net under a before-tax label stays the net
        let text = "Total excl. GST   $141.07\nGST   $14.11\nTOTAL   $155.18";
        let x = tagged_page(text, &[("141.07", Role::NetAmount)]);
        assert_eq!(x.fields.net_amount.as_deref(), Some("141.07"));
    }

    #[test]
    fn a_heading_gives_the_name_under_it_its_role() {
        let text = "CUSTOMER\nDale & Renata Whitcombe\n5581 Sycamore Ridge Rd\nINVOICE 3318\n\
                    From:\nIronbark Roofing LLC\nTotal due 10.00\n\
                    Account holder: Ironbark Roofing LLC";
        // the tagger read them by position: the first name the vendor, the second the customer
        let spans = vec![
            span(text, "Dale & Renata Whitcombe", Role::Vendor, 0.9),
            span(text, "Ironbark Roofing LLC", Role::Customer, 0.6),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.vendor.as_deref(), Some("Ironbark Roofing LLC"));
        assert_eq!(
            x.fields.customer.as_deref(),
            Some("Dale & Renata Whitcombe")
        );
        // a heading on the name's own line; `Account holder:` decides nothing
        let text = "Bill To: Harbor Books Inc.\nAccount holder: Acme Ltd\nTotal 5.00";
        let spans = vec![
            span(text, "Harbor Books Inc.", Role::Vendor, 0.9),
            span(text, "Acme Ltd", Role::Customer, 0.9),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.customer.as_deref(), Some("Harbor Books Inc."));
        assert_eq!(x.fields.vendor, None);
    }

    #[test]
    fn contract_dates_follow_their_labels_over_the_tagger() {
        let head = "SERVICES AGREEMENT between Acme Robotics, Inc. and Beta LLC (the Parties).\n";
        // (text after the head, the date in it, the role the tagger gave, the field it fills)
        let cases: &[(&str, &str, Option<Role>, Role)] = &[
            ("Effective Date: July 1, 2024\n", "July 1, 2024", Some(Role::AgreementDate), Role::EffectiveDate),
            ("Commencement Date:      January 1, 2024\n", "January 1, 2024", Some(Role::InvoiceDate), Role::EffectiveDate),
            ("1.1 \"Commencement Date\" means 1 April 2025;", "1 April 2025", Some(Role::AgreementDate), Role::EffectiveDate),
            ("This Agreement shall enter into force on 01.05.2024.", "01.05.2024", Some(Role::AgreementDate), Role::EffectiveDate),
            ("It takes effect on March 3, 2025.", "March 3, 2025", None, Role::EffectiveDate),
            ("The lease is for twelve (12) months, commencing on the 1st day of July, 2024 and ending on June 30, 2025.", "the 1st day of July, 2024", None, Role::EffectiveDate),
            ("Expiration Date: December 31, 2028\n", "December 31, 2028", Some(Role::InvoiceDate), Role::ExpirationDate),
            ("for a fixed term of three (3) years, ending on 30.04.2027.", "30.04.2027", None, Role::ExpirationDate),
            ("This Memorandum is entered into on September 12, 2024.", "September 12, 2024", Some(Role::ExpirationDate), Role::AgreementDate),
        ];
        for &(body, date, tagged, field) in cases {
            let text = format!("{head}{body}");
            let mut spans = vec![
                ("Acme Robotics, Inc.", Role::Party),
                ("Beta LLC", Role::Party),
            ];
            spans.extend(tagged.map(|role| (date, role)));
            let mut x = tagged_page(&text, &spans);
            let value = x.fields.slot_mut(field).unwrap().clone();
            assert!(value.is_some(), "{body:?}: no {field:?}");
            let labelled = x.entities.iter().find(|e| e.text == date).unwrap();
            assert_eq!(labelled.role, Some(field), "{body:?}");
            assert_eq!(value.as_deref(), Some(labelled.value.as_str()), "{body:?}");
        }
    }

    #[test]
    fn a_stated_effective_date_beats_the_terms_commencement() {
        let parties = [
            ("Pinecrest Media Group, Inc.", Role::Party),
            ("Larkspur Health Analytics LLC", Role::Party),
        ];
        let head = "THIS SUBLEASE is made and entered into as of June 20, 2024 (the \"Effective Date\"), \
                    by and between Pinecrest Media Group, Inc. and Larkspur Health Analytics LLC.\n";
        let term =
            "2. Term. The term shall be twenty-four (24) months, commencing on July 1, 2024 \
                    (the \"Commencement Date\") and expiring at 11:59 p.m. on June 30, 2026 (the \
                    \"Expiration Date\").";
        let text = format!("{head}{term}");
        let tags = [&parties[..], &[("June 20, 2024", Role::AgreementDate)]].concat();
        let f = tagged_page(&text, &tags).fields;
        assert_eq!(f.agreement_date.as_deref(), Some("2024-06-20"));
        assert_eq!(f.effective_date.as_deref(), Some("2024-06-20"));
        assert_eq!(f.expiration_date.as_deref(), Some("2026-06-30"));
        // said to be effective on the agreement's date: the commencement is the term's start only
        let text = "LEASE dated December 2, 2024 between Pinecrest Media Group, Inc. and Larkspur Health \
             Analytics LLC.\nThis Lease is effective on the date first written above. The lease term \
             is thirty-six (36) months, commencing on January 1, 2025 (the \"Commencement Date\") \
             and ending on December 31, 2027.".to_string();
        let tags = [&parties[..], &[("December 2, 2024", Role::AgreementDate)]].concat();
        let f = tagged_page(&text, &tags).fields;
        assert_eq!(f.effective_date.as_deref(), Some("2024-12-02"));
        assert_eq!(f.expiration_date.as_deref(), Some("2027-12-31"));
        // with nothing stating one, the commencement date is the effective date, and a term
        // counted from it ends the contract
        let text = "DISTRIBUTION AGREEMENT dated 10 September 2024 between Pinecrest Media Group, Inc. and \
             Larkspur Health Analytics LLC.\nThis Agreement takes effect for five (5) years from 1 \
             October 2024 (the Term).".to_string();
        let tags = [
            &parties[..],
            &[
                ("10 September 2024", Role::AgreementDate),
                ("five (5) years", Role::Term),
                ("1 October 2024", Role::ExpirationDate),
            ],
        ]
        .concat();
        let f = tagged_page(&text, &tags).fields;
        assert_eq!(f.effective_date.as_deref(), Some("2024-10-01"));
        assert_eq!(f.expiration_date.as_deref(), Some("2029-10-01"));
        // an agreement date defined as the commencement yields to a stated effective date
        let text =
            "LEASE made as of May 1, 2024 (the \"Commencement Date\") between Pinecrest Media \
                    Group, Inc. and Larkspur Health Analytics LLC.\nThe Lease is effective as of \
                    April 15, 2024 (the \"Effective Date\").";
        let tags = [
            &parties[..],
            &[
                ("May 1, 2024", Role::AgreementDate),
                ("April 15, 2024", Role::EffectiveDate),
            ],
        ]
        .concat();
        let f = tagged_page(text, &tags).fields;
        assert_eq!(f.agreement_date.as_deref(), Some("2024-05-01"));
        assert_eq!(f.effective_date.as_deref(), Some("2024-04-15"));
        // a fiscal year that begins on a date is no term
        let text = "LICENSE dated March 1, 1999 between Pinecrest Media Group, Inc. and Larkspur Health \
             Analytics LLC.\nDuring the term, royalties are due for the fiscal year beginning April \
             1, 1999 and each year after.".to_string();
        let f = tagged_page(&text, &parties).fields;
        assert_eq!(f.effective_date, None);
    }

    #[test]
    fn contract_date_labels_skip_other_periods_and_attachments() {
        let head = "AGREEMENT made as of May 1, 2016 between Acme Robotics, Inc. and Beta LLC.\n";
        let parties = [
            ("Acme Robotics, Inc.", Role::Party),
            ("Beta LLC", Role::Party),
        ];
        // a period that is not the term ends on a date that is no expiration date
        let text = format!("{head}During the period beginning on the date hereof and ending on December 31, 2018 each Party may offer sites.");
        let f = tagged_page(
            &text,
            &[&parties[..], &[("May 1, 2016", Role::AgreementDate)]].concat(),
        )
        .fields;
        assert_eq!(f.expiration_date, None);
        // an addendum's effective date, past the first half of a long contract, is the addendum's
        let filler = "The Parties shall cooperate in good faith. ".repeat(300);
        let text = format!("{head}{filler}\nADDENDUM\nEffective Date: March 21, 2019\n");
        let f = tagged_page(
            &text,
            &[&parties[..], &[("May 1, 2016", Role::AgreementDate)]].concat(),
        )
        .fields;
        assert_eq!(f.effective_date, None);
        assert_eq!(f.agreement_date.as_deref(), Some("2016-05-01"));
    }

    #[test]
    fn an_agreement_date_a_label_takes_is_replaced_only_from_the_head() {
        // the chosen agreement date is labelled effective; a prior agreement's date deep in
        // the text does not replace it: the agreement is dated by its effective date
        let filler = "Each Party keeps the other's information confidential. ".repeat(30);
        let text = format!(
            "RESEARCH AGREEMENT between Acme Robotics, Inc. and Beta LLC.\nEffective Date: April 17, 2017\n\
             {filler}This Agreement supersedes the Confidentiality Agreement dated July 22, 2016."
        );
        let f = tagged_page(
            &text,
            &[
                ("Acme Robotics, Inc.", Role::Party),
                ("Beta LLC", Role::Party),
                ("April 17, 2017", Role::AgreementDate),
                ("July 22, 2016", Role::AgreementDate),
            ],
        )
        .fields;
        assert_eq!(f.effective_date.as_deref(), Some("2017-04-17"));
        assert_eq!(f.agreement_date.as_deref(), Some("2017-04-17"));
    }

    #[test]
    fn an_agreement_date_said_to_be_effective_is_the_effective_date() {
        let effective = |t: &str| {
            let x = tagged_page(
                t,
                &[
                    ("March 5, 2021", Role::AgreementDate),
                    ("Foo Inc.", Role::Party),
                ],
            );
            assert_eq!(x.fields.agreement_date.as_deref(), Some("2021-03-05"));
            x.fields.effective_date
        };
        let tail = " by Foo Inc. and Bar LLC. The parties shall perform hereunder.";
        for lead in [
            "This Agreement is made and effective March 5, 2021",
            "This Agreement, effective as of this March 5, 2021,",
        ] {
            let t = format!("{lead}{tail}");
            assert_eq!(effective(&t).as_deref(), Some("2021-03-05"), "{lead}");
        }
        let defined = format!(
            "This Agreement is dated March 5, 2021{tail} \"Effective Date\" means the date first written above."
        );
        assert_eq!(effective(&defined).as_deref(), Some("2021-03-05"));
        // dated one day, effective another: the agreement date is not the effective date
        let other =
            format!("This Agreement is dated March 5, 2021, effective as of May 1, 2020{tail}");
        assert_eq!(effective(&other), None);
    }

    #[test]
    fn an_effective_date_in_the_head_dates_a_contract_with_no_other_date() {
        let agreement = |t: &str| {
            let x = tagged_page(
                t,
                &[
                    ("McDATA CORPORATION", Role::Party),
                    ("Sept 29, 2004", Role::EffectiveDate),
                ],
            );
            assert_eq!(x.fields.effective_date.as_deref(), Some("2004-09-29"));
            x.fields.agreement_date
        };
        let head = "RESELLER AGREEMENT\nMcDATA CORPORATION (\"McDATA\") and the RESELLER.\n\
                    THE EFFECTIVE DATE OF THIS RESELLER AGREEMENT SHALL BE: Sept 29, 2004\n";
        let body = "The parties agree to the terms of the Agreement as follows. ".repeat(20);
        let t = format!("{head}{body}");
        assert_eq!(agreement(&t).as_deref(), Some("2004-09-29"));
        // stated deep in the body, the effective date says nothing of the contract's date
        let t = format!(
            "RESELLER AGREEMENT\nMcDATA CORPORATION and the RESELLER.\n{body}\
             The effective date of the price list shall be Sept 29, 2004."
        );
        assert_eq!(agreement(&t), None);
    }

    #[test]
    fn missing_total_is_the_amount_that_makes_net_plus_tax() {
        let t = "Invoice\nNet 1.234,56\nVAT 234,57\nTotal 1.469,13\nPaid 100,00";
        let spans = vec![
            span(t, "1.234,56", Role::NetAmount, 0.9),
            span(t, "234,57", Role::TaxAmount, 0.9),
            span(t, "1.469,13", Role::TaxAmount, 0.5),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("1469.13"));
        assert_eq!(x.fields.tax_amount.as_deref(), Some("234.57"));
    }

    #[test]
    fn a_name_split_at_a_space_is_one_party() {
        // (no recitals: a name met after `WHEREAS` would be no party)
        let t = "This Agreement between Foo Inc. and Bar LLC. The parties hereby agree.\nACME ROBOTICS CORP.\nBy: J. Doe";
        let spans = vec![
            span(t, "ACME ROBOTICS", Role::Party, 0.9),
            span(t, "CORP.", Role::Party, 0.8),
            span(t, "Foo Inc.", Role::Party, 0.9),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        assert_eq!(
            x.fields.parties,
            vec!["Foo Inc.".to_string(), "ACME ROBOTICS CORP.".to_string()]
        );
    }

    #[test]
    fn contracts_keep_only_contract_fields() {
        let t = "This Agreement is made between Foo Inc. and Bar LLC. WHEREAS the parties agree. Governing law: Delaware.";
        let spans = vec![
            span(t, "Foo Inc.", Role::Party, 0.9),
            span(t, "Bar LLC", Role::Party, 0.9),
            span(t, "Foo Inc.", Role::Vendor, 0.5),
        ];
        let x = assemble(&[(page(t), spans)], &Locale::default());
        assert_eq!(x.doc_type, DocType::Contract);
        assert_eq!(
            x.fields.parties,
            vec!["Foo Inc.".to_string(), "Bar LLC".to_string()]
        );
        assert_eq!(x.fields.vendor, None);
    }

    #[test]
    fn a_fiscal_year_split_off_an_invoice_number_is_joined_back() {
        for (text, tagged, want) in [
            (
                "Invoice No . : TI-113/19 - 20\nTotal 1.00",
                "TI-113/19",
                "TI-113/19-20",
            ),
            (
                "Invoice No . : 19 - 20/433 and 2019 - 21",
                "20/433",
                "19-20/433",
            ),
        ] {
            let spans = vec![span(text, tagged, Role::InvoiceNumber, 0.9)];
            let x = assemble(&[(page(text), spans)], &Locale::default());
            assert_eq!(x.fields.invoice_number.as_deref(), Some(want), "{text}");
        }
        // a following number that is not the next year stays out
        let text = "Invoice No TI-113/19 - 23";
        let spans = vec![span(text, "TI-113/19", Role::InvoiceNumber, 0.9)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_number.as_deref(), Some("TI-113/19"));
    }

    #[test]
    fn without_a_tagged_vendor_the_signature_that_matches_the_letterhead_decides() {
        let text = "AVIVA DOORS Factory Address:- GAT NO.255B\nPUNE 411062\nTAX INVOICE\n\
                    Invoice No TI-1 Date 05-04-2019\nGrand Total 33,800.00\n\
                    Thank you for Your Business\nFor AVIVA DOORS mait AVIL Terms";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.vendor.as_deref(), Some("AVIVA DOORS"));
        let v = x
            .entities
            .iter()
            .find(|e| e.role == Some(Role::Vendor))
            .unwrap();
        assert_eq!((v.start, v.end), (0, 11));
        assert!(v.confidence < SCANNED_CONFIDENCE);
        // a name after "for" that the letterhead does not carry is no vendor
        let text = "ACME LTD\nINVOICE\nTotal 10.00\nFor Globex Corporation";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.vendor, None);
        // and a tagged vendor is never replaced
        let text = "AVIVA DOORS\nINVOICE\nTotal 10.00\nFor AVIVA DOORS";
        let spans = vec![span(text, "INVOICE", Role::Vendor, 0.9)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.vendor.as_deref(), Some("INVOICE"));
    }

    #[test]
    fn without_a_tagged_vendor_the_letterhead_name_its_email_spells_decides() {
        let vendor = |text: &str| {
            let x = assemble(&[(page(text), vec![])], &Locale::default());
            let e = x
                .entities
                .into_iter()
                .find(|e| e.role == Some(Role::Vendor));
            (x.fields.vendor, e.map(|e| (e.start, e.end)))
        };
        let text = "  AVIVA DOORS Factory Address:- GAT NO.255B PUNE-411062\n\
                    Email : - avivadoor@gmail.com TAX INVOICE\nInvoice No TI-1\nGrand Total 33,800.00";
        assert_eq!(vendor(text), (Some("AVIVA DOORS".into()), Some((2, 13))));
        // a name, not the column beside it
        let text = "Aquapath          Bill\n5927 5th Avenue\nE: info@aquapath.net\nTotal 9.00";
        assert_eq!(vendor(text).0.as_deref(), Some("Aquapath"));
        // a web address spells it too
        let text =
            "Hartmann Logistik GmbH Tel 030 1234\nwww.hartmann-logistik.de\nInvoice 7\nTotal 9.00";
        assert_eq!(vendor(text).0.as_deref(), Some("Hartmann Logistik GmbH"));
        // an address that spells another name, or none at all: no vendor
        let text = "AVIVA DOORS Factory Address:- PUNE\nEmail : sales@globex.com\nTotal 9.00";
        assert_eq!(vendor(text).0, None);
        let text = "AVIVA DOORS Factory Address:- PUNE\nInvoice 7\nTotal 9.00";
        assert_eq!(vendor(text).0, None);
    }

    #[test]
    fn an_invoice_date_tagged_under_another_dates_label_loses_to_a_plain_date() {
        // the plain `Date :` is untagged and ambiguous (0.9 x 0.6), the tagged
        // challan date is less sure than that once its label is read
        let text = "Invoice No 7\nDate : 07-08-2019\nCh Date . : 06-08-2019\nTotal 10.00";
        let spans = vec![span(text, "06-08-2019", Role::InvoiceDate, 0.6)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2019-08-07"));
        let text =
            "Invoice No 7\nDate : 31-05-2019\nCh . No . : 1507 Ch Date . : 25-05-2019\nTotal 10.00";
        let spans = vec![
            span(text, "31-05-2019", Role::InvoiceDate, 0.95),
            span(text, "25-05-2019", Role::InvoiceDate, 0.99),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2019-05-31"));
        // a challan date much surer than the plain date (which is not ambiguous here),
        // its label broken off onto the line above, and an OCR'd `•` for the colon
        for text in [
            "Invoice No 7\nDate : 12-11-2019 Po\nCh . No . : 2254 Ch Date\n. : 11-11-2019 Vehicle",
            "Invoice No 7\nDate • 12-11-2019 Po\nCh Date . : 11-11-2019 Vehicle",
        ] {
            let spans = vec![
                span(text, "12-11-2019", Role::InvoiceDate, 0.6),
                span(text, "11-11-2019", Role::InvoiceDate, 1.0),
            ];
            let x = assemble(&[(page(text), spans)], &Locale::default());
            assert_eq!(
                x.fields.invoice_date.as_deref(),
                Some("2019-11-12"),
                "{text}"
            );
        }
        // with nothing else tagged, the delivery date is still the answer
        let text = "Invoice No 7\nDelivery date: 25-05-2019\nTotal 10.00";
        let spans = vec![span(text, "25-05-2019", Role::InvoiceDate, 0.99)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2019-05-25"));
    }

    #[test]
    fn a_credit_note_keeps_its_negative_amounts() {
        let text =
            "CREDIT NOTE\nNet: EUR -100.00\nVAT: EUR (19.00)\nTotal: EUR -119.00\nRef A-5.00";
        let spans = vec![
            span(text, "100.00", Role::NetAmount, 0.9),
            span(text, "19.00", Role::TaxAmount, 0.9),
            span(text, "119.00", Role::TotalAmount, 0.9),
        ];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.net_amount.as_deref(), Some("-100.00"));
        assert_eq!(x.fields.tax_amount.as_deref(), Some("-19.00"));
        assert_eq!(x.fields.total_amount.as_deref(), Some("-119.00"));
        let total = x
            .entities
            .iter()
            .find(|e| e.role == Some(Role::TotalAmount))
            .unwrap();
        assert_eq!(total.text, "-119.00");
        // net + tax = total holds, so nothing was marked inconsistent
        assert!(total.confidence > 0.85, "{}", total.confidence);
        // a hyphen inside a reference is no sign
        let text = "Ref A-5.00";
        let x = assemble(
            &[(page(text), vec![span(text, "5.00", Role::TotalAmount, 0.9)])],
            &Locale::default(),
        );
        assert_eq!(x.fields.total_amount.as_deref(), Some("5.00"));
    }

    #[test]
    fn without_a_tagged_total_a_receipt_total_is_what_was_paid_minus_the_change() {
        // the total line is misread ("6 00"), the payment and change lines are not
        let text = "HARDWARE TRADING\n3.00 x 2.00 6.00 SR\nSubtotal 6 00\nTotal incl GST 6 00\n\
                    Payment 10.00\nChange Due 4.00\n";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("6.00"));
        // no change line: no such evidence (the payment may include a tip)
        let text = "SHOP\nItem 6.00\nCash 10.00\n";
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.total_amount, None);
    }

    #[test]
    fn an_unsure_tagged_total_yields_to_paid_minus_change() {
        let text = "SHOP\nItem 9.50\nTotal 10.50\nCash 20.00\nChange 10.50\n";
        let spans = vec![span(text, "10.50", Role::TotalAmount, 0.52)];
        let x = assemble(&[(page(text), spans.clone())], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("9.50"));
        let totals = x
            .entities
            .iter()
            .filter(|e| e.role == Some(Role::TotalAmount))
            .count();
        assert_eq!(totals, 1, "the unsure one is a plain amount now");
        // a sure one stays
        let spans = vec![span(text, "10.50", Role::TotalAmount, 0.9)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("10.50"));
    }

    #[test]
    fn ocr_misread_dates_are_mended_on_scans_only() {
        let text = "KEDAI PAPAN\nDoc No: CS00013125 Date: 92/02/2018 Cashier\nTotal 12.00";
        let x = assemble(&[(scan(text), vec![])], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2018-02-02"));
        let date = x
            .entities
            .iter()
            .find(|e| e.kind == EntityKind::Date)
            .unwrap();
        assert_eq!(date.text, "92/02/2018");
        assert!(date.confidence < SCANNED_CONFIDENCE, "{date:?}");
        // a text layer says what it says
        let x = assemble(&[(page(text), vec![])], &Locale::default());
        assert_eq!(x.fields.invoice_date, None);
        // a tagged date with a year read wrong (2078 for 2018), and one the scanner reads as is
        let text = "Date: 20/04/2078 Cashier\nDue 27/04/2018";
        let spans = vec![span(text, "20/04/2078", Role::InvoiceDate, 0.9)];
        let x = assemble(&[(scan(text), spans.clone())], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2018-04-20"));
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.invoice_date.as_deref(), Some("2078-04-20"));
    }

    #[test]
    fn a_bar_glued_before_a_one_digit_day_is_a_one_on_scans_only() {
        let date = |page: Page, tagged: Option<&str>| {
            let spans = tagged
                .map(|t| vec![span(&page.text, t, Role::InvoiceDate, 0.9)])
                .unwrap_or_default();
            let x = assemble(&[(page, spans)], &Locale::default());
            let e = x
                .entities
                .iter()
                .find(|e| e.kind == EntityKind::Date)
                .map(|e| (e.text.clone(), e.value.clone()));
            (x.fields.invoice_date, e)
        };
        let text = "CASH BILL\nDate: |7-06-2018 14:07:29\nTotal 9.00";
        for tagged in [Some("7-06-2018"), None] {
            let (field, e) = date(scan(text), tagged);
            if tagged.is_some() {
                assert_eq!(field.as_deref(), Some("2018-06-17"));
            }
            assert_eq!(
                e,
                Some(("|7-06-2018".into(), "2018-06-17".into())),
                "{tagged:?}"
            );
        }
        // a text layer says what it says; a bar inside a word or before two digits is no 1
        let (field, _) = date(page(text), Some("7-06-2018"));
        assert_eq!(field.as_deref(), Some("2018-06-07"));
        let text = "CASH BILL\nRef A|7-06-2018 x\nDate: |27-06-2018\n";
        let (_, e) = date(scan(text), None);
        assert_eq!(e, Some(("7-06-2018".into(), "2018-06-07".into())));
    }

    #[test]
    fn cents_split_off_by_ocr_are_joined_on_scans_only() {
        for (line, amount) in [
            ("Total Sales RM 65. 20", "65"),
            ("Total Include GST 247 .55", "247"),
            ("CREDIT RM 177, 20 |", "177"),
        ] {
            let text = format!("SHOP\n{line}\nThank you");
            let spans = vec![span(&text, amount, Role::TotalAmount, 0.8)];
            let x = assemble(&[(scan(&text), spans.clone())], &Locale::default());
            let want = format!("{amount}.{}", &line[line.len() - 2..]);
            let want = if line.ends_with('|') {
                format!("{amount}.20")
            } else {
                want
            };
            assert_eq!(
                x.fields.total_amount.as_deref(),
                Some(want.as_str()),
                "{line}"
            );
            // a text layer is taken as written
            let x = assemble(&[(page(&text), spans)], &Locale::default());
            assert_eq!(x.fields.total_amount.as_deref(), Some(amount), "{line}");
        }
        // untagged, the scanned amount on the total line is whole too
        let text = "SHOP\nTotal Sales RM 65. 20\nThank you";
        let x = assemble(&[(scan(text), vec![])], &Locale::default());
        assert_eq!(x.fields.total_amount.as_deref(), Some("65.20"));
        // cents already there, or a count after a comma without a space: unchanged
        for (line, amount, want) in [
            ("Total 12.50 .20", "12.50", "12.50"),
            ("Total 12,20 x", "12", "12"),
        ] {
            let text = format!("SHOP\n{line}\n");
            let spans = vec![span(&text, amount, Role::TotalAmount, 0.8)];
            let x = assemble(&[(scan(&text), spans)], &Locale::default());
            assert_eq!(x.fields.total_amount.as_deref(), Some(want), "{line}");
        }
    }

    #[test]
    fn a_name_grows_over_its_legal_form_and_first_words_and_a_misread_form_is_mended_on_scans() {
        let vendor = |page: Page, name: &str| {
            let spans = vec![span(&page.text, name, Role::Vendor, 0.8)];
            let x = assemble(&[(page, spans)], &Locale::default());
            let e = x.entities.iter().find(|e| e.role == Some(Role::Vendor));
            (x.fields.vendor.clone(), e.map(|e| e.end))
        };
        let text = "99 SPEED MART S/B (519537-X)\nLOT 2811, JALAN ANGSA\nTotal 9.90";
        let (name, end) = vendor(scan(text), "99 SPEED MART");
        assert_eq!(name.as_deref(), Some("99 SPEED MART S/B"));
        // the entity's position covers the form: it is traceable to what was read
        assert_eq!(end, Some("99 SPEED MART S/B".len()));
        let text = "This Agreement is between Acme, Inc. (the \"Company\") and Bob.";
        let spans = vec![span(text, "Acme", Role::Party, 0.8)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(x.fields.parties, vec!["Acme, Inc.".to_string()]);
        // a name started late grows left over its capitalised words, not over `between`
        let text = "Addendum made by and between MTI TECHNOLOGY CORPORATION and Beta.";
        let spans = vec![span(text, "TECHNOLOGY CORPORATION", Role::Party, 0.8)];
        let x = assemble(&[(page(text), spans)], &Locale::default());
        assert_eq!(
            x.fields.parties,
            vec!["MTI TECHNOLOGY CORPORATION".to_string()]
        );

        let text = "SUN VICTORY SON BHD\n(Co. 12345-X)\nTotal 9.90";
        let (name, _) = vendor(scan(text), "SUN VICTORY SON BHD");
        assert_eq!(name.as_deref(), Some("SUN VICTORY SDN BHD"));
        // a text layer says what it says
        let (name, _) = vendor(page(text), "SUN VICTORY SON BHD");
        assert_eq!(name.as_deref(), Some("SUN VICTORY SON BHD"));
        let text = "KING'S CONFECTIONERY\n$/B 273900-U\nTotal 9.90";
        // a form on the next line is not taken
        let (name, _) = vendor(scan(text), "KING'S CONFECTIONERY");
        assert_eq!(name.as_deref(), Some("KING'S CONFECTIONERY"));
    }

    #[test]
    fn contract_parties_are_the_names_of_the_preamble() {
        let filler = "The parties shall perform their obligations hereunder. ".repeat(30);
        let text = format!(
            "TABLE OF CONTENTS\n{filler}\nThis Agreement is made between Acme Corp. and Beta LLC.\n\
             {filler}\nNotices shall be copied to Gamma & Partners LLP.\nGoverning law: Delaware."
        );
        let spans = vec![
            span(&text, "Acme Corp.", Role::Party, 0.9),
            span(&text, "Beta LLC", Role::Party, 0.9),
            span(&text, "Gamma & Partners LLP", Role::Party, 0.9),
        ];
        let x = assemble(&[(page(&text), spans)], &Locale::default());
        assert_eq!(x.doc_type, DocType::Contract);
        // named after a cover page: the window starts at the first party
        assert_eq!(x.fields.parties, vec!["Acme Corp.", "Beta LLC"]);
        let gamma = x.entities.iter().find(|e| e.text == "Gamma & Partners LLP");
        assert_eq!(
            gamma.map(|e| e.role),
            Some(None),
            "kept as an entity without the role"
        );
    }

    #[test]
    fn a_name_first_met_in_the_recitals_is_not_a_party() {
        let text = "This Agreement is made between Acme Corp. and Beta LLC.\n\
                    WHEREAS, Acme, of which Gamma Advisers LLC is an affiliate, owns the mark; \
                    and WHEREAS, the parties shall agree as follows.";
        let x = tagged_page(
            text,
            &[
                ("Acme Corp.", Role::Party),
                ("Beta LLC", Role::Party),
                ("Gamma Advisers LLC", Role::Party),
            ],
        );
        assert_eq!(x.doc_type, DocType::Contract);
        assert_eq!(x.fields.parties, vec!["Acme Corp.", "Beta LLC"]);
        // without recitals, a name that close is in the preamble
        let text = text.replace("WHEREAS", "Note");
        let x = tagged_page(
            &text,
            &[
                ("Acme Corp.", Role::Party),
                ("Beta LLC", Role::Party),
                ("Gamma Advisers LLC", Role::Party),
            ],
        );
        assert_eq!(
            x.fields.parties,
            vec!["Acme Corp.", "Beta LLC", "Gamma Advisers LLC"]
        );
    }

    #[test]
    fn the_other_name_of_a_between_clause_is_a_party_when_the_clause_says_so() {
        let parties = |text: &str, tagged: &str| {
            let x = tagged_page(text, &[(tagged, Role::Party)]);
            assert_eq!(x.doc_type, DocType::Contract);
            (x.fields.parties, x.entities)
        };
        let text = "THIS AGREEMENT is entered into by and between NETWORK 1 FINANCIAL, INC. \
                    (\"NETWORK 1\"), a Virginia Corporation, and Payment Data Systems, Inc., the \
                    Affiliate Office (\"AFFILIATE\"), a Nevada Corporation. The parties shall agree.";
        let (names, entities) = parties(text, "NETWORK 1 FINANCIAL, INC.");
        assert_eq!(
            names,
            ["NETWORK 1 FINANCIAL, INC.", "Payment Data Systems, Inc."]
        );
        let added = entities
            .iter()
            .find(|e| e.value == "Payment Data Systems, Inc.");
        let added = added.expect("an entity for the added party");
        assert_eq!(added.text, "Payment Data Systems, Inc.");
        assert!(added.confidence < SCANNED_CONFIDENCE);
        // the name before the tagged one, in the document's order
        let text = "THIS AGREEMENT made by and between the TOWN OF VINTON, VIRGINIA, a Virginia \
                    municipal corporation (\"Grantor\"), and ROANOKE GAS COMPANY (\"Grantee\"). \
                    The parties shall agree.";
        let (names, _) = parties(text, "ROANOKE GAS COMPANY");
        assert_eq!(names, ["TOWN OF VINTON, VIRGINIA", "ROANOKE GAS COMPANY"]);
        // nothing says Bob is a party's name; `Trust` is the contract's alias for one
        let text =
            "This Agreement is between Acme, Inc. (the \"Company\") and Bob. Bob shall work.";
        assert_eq!(parties(text, "Acme, Inc.").0, ["Acme, Inc."]);
        let text = "This Agreement is between Acme Corp. (\"Acme\") and the Trust, a Delaware \
                    trust. The \"Trust\" means the Smith Family Trust, which shall agree.";
        assert_eq!(parties(text, "Acme Corp.").0, ["Acme Corp."]);
    }

    #[test]
    fn a_party_list_run_into_one_name_is_taken_apart() {
        // an alias the contract defines, before the name it lists next
        let text = "Physician Sales & Service, Inc. (\"PSS\") shall merge by and among PSS, PSS \
                    Merger Corp. (\"Merger Corp.\") and GSMS, as the parties hereby agree.";
        let x = tagged_page(
            text,
            &[
                ("Physician Sales & Service, Inc.", Role::Party),
                ("PSS, PSS Merger Corp.", Role::Party),
            ],
        );
        assert_eq!(
            x.fields.parties,
            ["Physician Sales & Service, Inc.", "PSS Merger Corp."]
        );
        let merger = x.entities.iter().find(|e| e.value == "PSS Merger Corp.");
        assert_eq!(merger.map(|e| e.text.as_str()), Some("PSS Merger Corp."));
        // an alias that is the name's own head keeps its form
        for name in ["Bank of America, N. A", "Qualigen, Inc. and its Affiliates"] {
            let alias = name.split(',').next().unwrap();
            let text = format!(
                "This Agreement is made between {name} (\"{alias}\") and Beta LLC, as the \
                 parties hereby agree."
            );
            let x = tagged_page(&text, &[(name, Role::Party), ("Beta LLC", Role::Party)]);
            assert_eq!(x.fields.parties, [name, "Beta LLC"]);
        }
        // two names in capitals a title joins with a lowercase `and`
        let text = "ENDORSEMENT AGREEMENT entered into by and between ANDY NORTH   and   GOLFERS \
                    INCORPORATED. The parties hereby agree.";
        let x = tagged_page(
            text,
            &[("ANDY NORTH   and   GOLFERS INCORPORATED", Role::Party)],
        );
        assert_eq!(x.fields.parties, ["ANDY NORTH", "GOLFERS INCORPORATED"]);
        let texts: Vec<&str> = x.entities.iter().map(|e| e.text.as_str()).collect();
        assert!(texts.contains(&"ANDY NORTH") && texts.contains(&"GOLFERS INCORPORATED"));
        // one name in mixed case keeps its `and`
        let text = "This Agreement between Alamogordo Federal Savings and Loan Association and \
                    the parties hereby agree.";
        let x = tagged_page(
            text,
            &[(
                "Alamogordo Federal Savings and Loan Association",
                Role::Party,
            )],
        );
        assert_eq!(
            x.fields.parties,
            ["Alamogordo Federal Savings and Loan Association"]
        );
    }

    #[test]
    fn whole_amounts_are_read_in_both_groupings() {
        let values =
            |line: &str| -> Vec<String> { whole_amounts(line).into_iter().map(|w| w.2).collect() };
        assert_eq!(values("Grand Total 4,500 Note"), ["4500.00"]);
        assert_eq!(values("Grand Total 7,08,708 HSN"), ["708708.00"]);
        assert_eq!(values("Total : 1,28,856"), ["128856.00"]);
        assert_eq!(
            values("12,345,678 and 1,000 2,000"),
            ["12345678.00", "1000.00", "2000.00"]
        );
        // decimals, percentages and plain numbers are not whole amounts
        assert!(values("Total 4,500.00 18,000% 4500 1,2345").is_empty());
        // the offsets are the amount's, in characters
        let line = "Grand Total ₹ 7,08,708";
        let (start, end, _) = &whole_amounts(line)[0];
        let got: String = line.chars().skip(*start).take(end - start).collect();
        assert_eq!(got, "7,08,708");
    }

    #[test]
    fn a_subtotal_taken_for_the_total_yields_to_the_grand_total_after_it() {
        let total = |text: &str, tagged: &[&str]| {
            let spans = tagged
                .iter()
                .map(|t| span(text, t, Role::TotalAmount, 0.9))
                .collect();
            let x = assemble(&[(page(text), spans)], &Locale::default());
            x.fields.total_amount
        };
        let text = "Invoice No 12\nGSTIN 27AARF Sub Total 3813.56 Bank INDIAN\n\
                    CGST 343.22 SGST 343.22\nGrand Total HSN Summary : 4,500 Note";
        assert_eq!(total(text, &["3813.56"]).as_deref(), Some("4500.00"));
        // tagged both: the grand total wins even when the tagger is surer of the subtotal
        let text = "Sub Total 7627.12\nGrand Total : 9,000.00 Thanks";
        assert_eq!(
            total(text, &["7627.12", "9,000.00"]).as_deref(),
            Some("9000.00")
        );
        // not after a subtotal label, or no plausible grand total: as tagged
        let text = "Total 3813.56\nGrand Total : 4,500";
        assert_eq!(total(text, &["3813.56"]).as_deref(), Some("3813.56"));
        let text = "Sub Total 100.00\nGrand Total : 4,500";
        assert_eq!(total(text, &["100.00"]).as_deref(), Some("100.00"));
        // nothing tagged: a whole amount on a total line, not a percentage or a quantity
        let text = "Invoice 7\nQty 1,200 pcs\nGST 18%\nGrand Total HSN Summary : 4,500 Note";
        assert_eq!(total(text, &[]).as_deref(), Some("4500.00"));
        // a receipt's total before tax, then with it
        let text = "Total Sales (Excluding GST) : 616.59\nGST 0.00\n\
                    Total Sales (Inclusive of GST) : 616.60\nVISA : 616.60";
        assert_eq!(total(text, &["616.59"]).as_deref(), Some("616.60"));
    }

    #[test]
    fn a_total_before_tax_yields_to_the_total_with_tax() {
        let total = |text: &str| {
            let spans = vec![span(text, "41.42", Role::TotalAmount, 0.5)];
            assemble(&[(scan(text), spans)], &Locale::default())
                .fields
                .total_amount
        };
        let text = "SUBTOTAL: 43.90\nTotal (Excluding GST) 41.42\n6XGST 2.48\nCASH 100.00";
        assert_eq!(total(text).as_deref(), Some("43.90"));
        // no tax stated, or no sum of the two: as tagged
        assert_eq!(
            total("SUBTOTAL: 43.90\nTotal (Excluding GST) 41.42\nService 2.48").as_deref(),
            Some("41.42")
        );
        assert_eq!(
            total("Total (Excluding GST) 41.42\n6% GST 2.48\nCASH 100.00").as_deref(),
            Some("41.42")
        );
        // a total that does not say it is before tax stays
        assert_eq!(
            total("SUBTOTAL: 43.90\nTotal 41.42\n6% GST 2.48").as_deref(),
            Some("41.42")
        );
    }

    #[test]
    fn a_scanned_total_with_a_misread_last_digit_is_the_amount_the_receipt_states() {
        let total = |page: Page| {
            let spans = vec![span(&page.text, "23.66", Role::TotalAmount, 0.9)];
            assemble(&[(page, spans)], &Locale::default())
                .fields
                .total_amount
        };
        let text = "Total Sales (Inclusive GST) RM 23.66
CASH RM 24.00
\
                    GST Summary Amount (RM) Tax (RM)
Z 0% 23.60 0.00";
        assert_eq!(total(scan(text)).as_deref(), Some("23.60"));
        // a text layer says what it says; no such amount stated, nothing to go by
        assert_eq!(total(page(text)).as_deref(), Some("23.66"));
        let text = "Total Sales (Inclusive GST) RM 23.66
CASH RM 24.00
Z 0% 23.50 0.00";
        assert_eq!(total(scan(text)).as_deref(), Some("23.66"));
    }

    #[test]
    fn a_total_rounded_to_the_coin_is_what_was_paid() {
        let total = |page: Page, tagged: &str| {
            let spans = vec![span(&page.text, tagged, Role::TotalAmount, 0.9)];
            let x = assemble(&[(page, spans)], &Locale::default());
            let e = chosen(&x.entities, Role::TotalAmount).cloned();
            (x.fields.total_amount, e.map(|e| e.text))
        };
        // the rounded total is stated after the rounding line
        let text = "Total Amount 31.47\nRounding -0.02\nNet Total 31.45\nCASH 50.00\nCHANGE 18.55";
        assert_eq!(total(page(text), "31.47").0.as_deref(), Some("31.45"));
        // not stated: the total plus the adjustment, traced to the rounding line
        let text = "Total Sales 177.22\nRounding Adjustment -0.02\nCASH 200.00";
        let (value, at) = total(page(text), "177.22");
        assert_eq!(value.as_deref(), Some("177.20"));
        assert_eq!(at.as_deref(), Some("Rounding Adjustment -0.02"));
        // a sign OCR lost: the one that reaches the coin
        let text = "Total 13.58\nRounding 0.02\n";
        assert_eq!(total(page(text), "13.58").0.as_deref(), Some("13.60"));
        // both garbled: a scan rounds to the coin, a text layer keeps what it says
        let text = "Total Sales RM 13.58\nRounding Adjustment RM 2\nRounding RM = 13.4!\n";
        assert_eq!(total(scan(text), "13.58").0.as_deref(), Some("13.60"));
        assert_eq!(total(page(text), "13.58").0.as_deref(), Some("13.58"));
        // a rounding line after the payment rounds the change; a total on the coin stays
        let text = "TOTAL (GST INCL) 38.37\nCASH 40.35\nROUNDING ADJUSTMENTS 0.02\nCHANGE DUE 2.00";
        assert_eq!(total(scan(text), "38.37").0.as_deref(), Some("38.37"));
        let text = "Total 26.80\nRounding 0.02\nTotal 26.82";
        assert_eq!(total(page(text), "26.80").0.as_deref(), Some("26.80"));
        // Indian invoices round off to the rupee
        let text = "Total INR 4499.60\nRound Off 0.40\nGrand Total 4500.00";
        assert_eq!(total(page(text), "4499.60").0.as_deref(), Some("4500.00"));
        // no rounding line near the total: as tagged
        let text = "Total 13.58\nCash 20.00\nChange 6.42\nThank you\nRounding policy applies";
        assert_eq!(total(scan(text), "13.58").0.as_deref(), Some("13.58"));
    }

    #[test]
    fn an_invoice_number_under_its_label_beats_other_numbers_and_is_read_when_untagged() {
        let number = |text: &str, tagged: &[(&str, f32)]| {
            let spans = tagged
                .iter()
                .map(|(t, c)| span(text, t, Role::InvoiceNumber, *c))
                .collect();
            assemble(&[(page(text), spans)], &Locale::default())
                .fields
                .invoice_number
        };
        // the challan number is surer, its label broken over two lines
        let text = "Invoice No . : TI-530/19 - 20\nDate : 04-12-2019 Ch .\nNo . : 2399/2401 PUNE";
        let tagged = [("TI-530/19", 0.5), ("2399/2401", 0.92)];
        assert_eq!(number(text, &tagged).as_deref(), Some("TI-530/19-20"));
        // nothing tagged: the number after the label, not a word after it
        let text = "TAX INVOICE\nInvoice No . : TI-184/19 - 20 : 26-05-2019\nTotal 10.00";
        assert_eq!(number(text, &[]).as_deref(), Some("TI-184/19-20"));
        let text = "Invoice No Date Amount\nTotal 10.00";
        assert_eq!(number(text, &[]), None);
        // `#` before a colon, `Num`, and a heading with the number alone on its line
        for (text, want) in [
            ("Invoice #: 3318\nTotal 10.00", "3318"),
            ("Invoice Num 77-A1\nTotal 10.00", "77-A1"),
            ("Roofing LLC\nINVOICE 3318\nTotal 10.00", "3318"),
        ] {
            assert_eq!(number(text, &[]).as_deref(), Some(want), "{text:?}");
        }
        // a heading with words after it names no number
        assert_eq!(number("INVOICE 2 PAGES ATTACHED\nTotal 10.00", &[]), None);
        // without an Invoice No label the tagger decides
        let text = "Bill 7\nRef No : 2399/2401\nTotal 10.00";
        assert_eq!(
            number(text, &[("2399/2401", 0.6)]).as_deref(),
            Some("2399/2401")
        );
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
