//! Sources: the candidates of one document. Every tagged span becomes an entity of its
//! role, its span mended first where OCR or the tagger cut it (a sign, split cents, a
//! legal form, a name broken over lines); every date and amount the scanners find
//! outside them becomes a candidate with no role. Also the document's currency and
//! date order, which the values' readings depend on.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Extractor, Page, Role, TaggedSpan};
use docex_normalize as norm;
use docex_normalize::DateOrder;
use regex::Regex;

use crate::ids::{clean_id, widen_ids};
use crate::lexicon::matchers;
use crate::{Locale, AMBIGUOUS_PENALTY, OCR_MENDED_PENALTY, SCANNED_CONFIDENCE};

pub(crate) fn is_ocr(page: &Page) -> bool {
    matches!(page.extractor, Extractor::PdfOcr | Extractor::ImageOcr)
}

/// A page's dates, each with its mended text when it is an OCR misread (see
/// [`norm::repair_ocr_date`]): a date the scanner read with an impossible year, or
/// one it could not read at all (`92/02/2018`, `O9/02/17`). Text layers are not mended.
pub(crate) fn scan_dates(page: &Page, latest_year: i32) -> Vec<(norm::Found, Option<String>)> {
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
pub(crate) fn glued_bar(page: &Page, start: usize, text: &str) -> bool {
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
pub(crate) fn entity(
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
pub(crate) fn tagged_entity(
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
pub(crate) fn split_cents(page: &Page, start: usize, end: usize) -> (usize, Option<String>) {
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
pub(crate) fn with_sign(page: &Page, start: usize, end: usize) -> (usize, usize) {
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
pub(crate) fn merge_split_names(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
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
pub(crate) static DOTTED_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$").expect("regex"));

/// A price in dollars: `$1.00`, `$ 12`.
pub(crate) static DOLLAR_PRICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\s?\d").expect("regex"));

/// More than one `$`, or a written `USD` / `US$`.
pub(crate) fn clearly_dollars(text: &str) -> bool {
    text.matches('$').count() >= 2 || text.contains("USD") || text.contains("US$")
}

/// The tagger often ends a company name before its legal form (`99 SPEED MART` +
/// `S/B`, `ACME` + `, Inc.`): a name span grows over a legal form that follows it on
/// its line (see [`norm::legal_form_after`]; on OCR'd pages misread forms count too).
///
/// It also starts some names a word or two late (`National Football League` + `Alumni,
/// Inc.`): a name span grows left over the capitalised words before it on its line
/// (see [`norm::name_words_before`]), never into another span.
pub(crate) fn widen_names(page: &Page, spans: &[TaggedSpan]) -> Vec<TaggedSpan> {
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

/// Every candidate of one document: each tagged span as an entity of its role (a tagged
/// date, amount or duration that does not read as one is dropped: a tagger mistake),
/// and every date and amount the scanners find outside them, with no role, at
/// [`SCANNED_CONFIDENCE`]. Returns them in reading order with the document's currency
/// (its own mark, else the locale's).
pub(crate) fn candidates(
    pages: &[(Page, Vec<TaggedSpan>)],
    all_text: &str,
    locale: &Locale,
) -> (Vec<Entity>, Option<String>) {
    let detect = if pages.iter().any(|(p, _)| is_ocr(p)) {
        norm::detect_currency_in_scan
    } else {
        norm::detect_currency
    };
    let currency = detect(all_text).or_else(|| locale.currency.clone());
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
                && (clearly_dollars(all_text)
                    || (!pages.iter().any(|(p, _)| is_ocr(p))
                        && DOLLAR_PRICE.is_match(all_text))) =>
            {
                (DateOrder::MonthFirst, false)
            }
            // so does a US address (`Santa Clara, CA 95054`) with no other currency
            None if currency.as_deref().is_none_or(|c| c == "USD")
                && matchers().us_address.is_match(all_text) =>
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
    (entities, currency)
}
