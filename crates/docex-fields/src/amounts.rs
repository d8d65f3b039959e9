//! The amounts family: which amount is the total, the net and the tax. The tagger's
//! roles first; then the arithmetic and the labels around the amounts: what was paid
//! minus the change, a total line, past a subtotal or the net, after rounding to the
//! coin, a misread last digit, net + tax = total. Label and tax words:
//! `lexicons/labels.toml`, `lexicons/taxes.toml`; coins: `lexicons/locale.toml`.

use std::sync::LazyLock;

use docex_core::{Entity, EntityKind, Fields, Page, Role, TaggedSpan};
use docex_normalize as norm;
use regex::Regex;

use crate::choose::{chosen, push_sorted};
use crate::lexicon::matchers;
use crate::sources::{entity, is_ocr};
use crate::text::{last_chars, line_at, line_before, page_of};
use crate::{FALLBACK_PENALTY, SCANNED_CONFIDENCE, UNSURE_TOTAL};

/// When the tagger gave no total, the plain evidence still does, at a lower
/// confidence: what was paid minus the change (see [`paid_minus_change`]; also over a
/// tagged total the tagger is unsure of), else the largest amount on a line that says
/// "total" (or "amount due", "grand", ...) and is not a subtotal, a quantity, a discount
/// or the change.
pub(crate) fn fallback_total(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
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
pub(crate) type WholeAmount = (usize, usize, String);

/// Whole amounts with thousands separators on a line (`4,500`: money, though it has no
/// cents), not followed by decimals or `%`.
pub(crate) fn whole_amounts(line: &str) -> Vec<WholeAmount> {
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

/// The total-role entity of a whole amount on the line of `page` that starts at character
/// `offset`.
pub(crate) fn whole_amount_entity(
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
pub(crate) fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.chars().count() + 1;
        Some((start, line))
    })
}

/// A line that states a document total, not a subtotal, quantity, discount or change.
pub(crate) fn is_total_line(line: &str) -> bool {
    matchers().total_line.is_match(line) && !matchers().not_total_line.is_match(line)
}

/// A whole amount with thousands separators (`4,500`, or in Indian grouping
/// `7,08,708`): money, though it has no cents. Not a number's tail (`08,708`).
pub(crate) static WHOLE_AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d,])(\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})\b").expect("regex")
});

/// The tagger sometimes takes the subtotal for the total (`Sub Total 3813.56 ...
/// Grand Total 4,500`), or is surer of it than of the total. When the chosen total
/// stands right after a subtotal label and a later total line (not a subtotal,
/// quantity, discount or change line) holds a larger amount, at most twice the
/// subtotal, that amount is the total (at a lower confidence unless it was tagged as
/// one); whole amounts with thousands separators count there too.
pub(crate) fn past_the_subtotal(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, sub)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let total = &entities[t];
    if !matchers()
        .subtotal_label
        .is_match(last_chars(line_before(&page.text, total.start), 40))
    {
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

/// How many lines after a total its rounding line may stand, and after the rounding
/// line the rounded total.
pub(crate) const ROUNDING_REACH: usize = 3;

/// `cents` rounded to the nearest multiple of `unit` (halves away from zero).
pub(crate) fn round_to(cents: i64, unit: i64) -> i64 {
    let r = cents.rem_euclid(unit);
    if 2 * r >= unit {
        cents - r + unit
    } else {
        cents - r
    }
}

/// The index of the entity that gave the chosen total, its page and its value in cents.
pub(crate) fn chosen_total<'p>(
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
pub(crate) fn pass_total(fields: &mut Fields, entities: &mut [Entity], from: usize, to: usize) {
    entities[from].role = None;
    if entities[to].role.is_none() {
        entities[to].role = Some(Role::TotalAmount);
        entities[to].confidence *= FALLBACK_PENALTY;
    }
    fields.total_amount = Some(entities[to].value.clone());
}

/// The total role passes from entity `from` to `e`, a new entity.
pub(crate) fn add_total(fields: &mut Fields, entities: &mut Vec<Entity>, from: usize, e: Entity) {
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
pub(crate) fn after_rounding(
    fields: &mut Fields,
    entities: &mut Vec<Entity>,
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, cents)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let total = &entities[t];
    let unit = matchers().cash_unit(total.currency.as_deref());
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
        .take_while(|(_, l)| {
            !matchers().payment_line.is_match(l) || matchers().rounding_line.is_match(l)
        })
        .position(|(_, l)| matchers().rounding_line.is_match(l))
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
        after.iter().any(|l| {
            on(e, l)
                && !matchers().payment_line.is_match(l.1)
                && !matchers().change_line.is_match(l.1)
        }) && amount_of(e)
            .is_some_and(|c| c != cents && c.rem_euclid(unit) == 0 && 2 * (c - cents).abs() <= unit)
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

/// A total chosen on a line that says it is before tax (`Total (Excluding GST) 41.42`)
/// is the net amount. When the page states a tax amount (on a tax line) and also the
/// sum of the two (`SUBTOTAL 43.90` = 41.42 + `6% GST 2.48`), that sum is the total.
pub(crate) fn past_the_net(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, net)) = chosen_total(fields, entities, pages) else {
        return;
    };
    if !matchers()
        .before_tax
        .is_match(line_at(&page.text, entities[t].start))
    {
        return;
    }
    let amount = |e: &Entity| {
        (e.kind == EntityKind::Amount && e.page == page.number)
            .then(|| norm::decimal_cents(&e.value))
            .flatten()
    };
    let taxes: Vec<i64> = entities
        .iter()
        .filter(|e| matchers().tax_line.is_match(line_at(&page.text, e.start)))
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

/// A label (the start of a line, up to an amount) that says the amount is the tax: `Sales
/// Tax (7.25%):`, `HST (ON) 13%`, `GST included`, `Total GST`; not a total with the tax in
/// it nor an amount before tax.
pub(crate) fn tax_label(label: &str) -> bool {
    let label = cell(label);
    next_to(&matchers().tax_line, label) && !before_tax(label) && !total_with_tax(label)
}

/// The part of a label after the last amount on its line: the amount's own cell in a row
/// of a table (`Taxable Amount 7627.12 CGST SGST` labels what follows as CGST and SGST).
pub(crate) fn cell(label: &str) -> &str {
    static MONEY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d[\d,]*[.,]\d{2}\b").expect("regex"));
    MONEY
        .find_iter(label)
        .filter(|m| !label[m.end()..].trim_start().starts_with('%'))
        .last()
        .map_or(label, |m| &label[m.end()..])
}

/// A label that says the amount has the tax in it: `Total (inc GST)`.
pub(crate) fn total_with_tax(label: &str) -> bool {
    matchers().total_line.is_match(label) && matchers().tax_included.is_match(label)
}

/// A label that says the amount is before tax, anywhere in it.
pub(crate) fn before_tax(label: &str) -> bool {
    matchers().subtotal_label.is_match(label) || matchers().before_tax.is_match(label)
}

/// A label that says the amount is before tax: `Subtotal`, `Net amount`, `Total excl. VAT`.
pub(crate) fn net_label(label: &str) -> bool {
    let label = cell(label);
    next_to(&matchers().subtotal_label, label) || next_to(&matchers().before_tax, label)
}

/// Whether `label` (a line up to an amount) ends in what `words` match, with at most a
/// rate between them and the amount (`VAT 20%`, `Sales Tax (7.25%):`): in a table's
/// header row (`Rate Amount GST% 4418 41 3813.56`) the word heads a column.
pub(crate) fn next_to(words: &Regex, label: &str) -> bool {
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
pub(crate) fn stated_net_and_tax(
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
    let loose_tax = |l: &str| {
        matchers().tax_line.is_match(l) && !before_tax(cell(l)) && !total_with_tax(cell(l))
    };
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
pub(crate) fn labelled_amounts(
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
pub(crate) fn one_stated_tax(
    entities: &[Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
    total: i64,
) -> Option<usize> {
    let mut names: Vec<String> = pages
        .iter()
        .flat_map(|(p, _)| {
            matchers()
                .tax_name
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
            page_of(pages, entities[i].page).is_some_and(|p| {
                matchers()
                    .total_line
                    .is_match(line_before(&p.text, entities[i].start))
            })
        })
        .collect();
    let single = if names.len() < 2 { one(&stated) } else { None };
    single.or_else(|| one(&on_total_line))
}

/// OCR reads a receipt total's final `0` as a `6` or an `8` (`23.66` for `23.60`). On
/// a scan, a chosen total off the coin that the receipt states elsewhere with only
/// its last digit different, on the coin (a tax summary's `23.60`), is that amount.
pub(crate) fn misread_last_digit(
    fields: &mut Fields,
    entities: &mut [Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) {
    let Some((t, page, cents)) = chosen_total(fields, entities, pages) else {
        return;
    };
    let unit = matchers().cash_unit(entities[t].currency.as_deref());
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

/// On a receipt, what was paid minus the change is the total: the index of the
/// last untagged amount above the payment line with that value, when the page has
/// a payment amount and a change amount (the total line itself is often misread,
/// the payment and change lines less so).
pub(crate) fn paid_minus_change(
    entities: &[Entity],
    pages: &[(Page, Vec<TaggedSpan>)],
) -> Option<usize> {
    let line_of = |e: &Entity| Some(line_at(&page_of(pages, e.page)?.text, e.start).to_owned());
    let amounts: Vec<(usize, i64, String)> = entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Amount)
        .filter_map(|(i, e)| Some((i, norm::decimal_cents(&e.value)?, line_of(e)?)))
        .collect();
    let change = amounts.iter().find(|(_, _, l)| {
        matchers().change_line.is_match(l) && !matchers().payment_line.is_match(l)
    })?;
    let paid = amounts.iter().rfind(|(i, _, l)| {
        *i < change.0 && matchers().payment_line.is_match(l) && !matchers().change_line.is_match(l)
    })?;
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
                && !matchers().payment_line.is_match(l)
                && !matchers().change_line.is_match(l)
        })
        .map(|(i, _, _)| *i)
}

/// When net, tax and total are not all tagged but the amounts on the page make
/// net + tax = total with the ones that are, the missing role goes to that amount
/// (the arithmetic is stronger evidence than a low tagger score).
pub(crate) fn complete_amounts(entities: &mut [Entity]) {
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

/// The currency of the chosen total: its own mark, else the document's (`currency`),
/// when the document has a total or a net amount.
pub(crate) fn currency_of_total(fields: &mut Fields, entities: &[Entity], currency: Option<&str>) {
    fields.currency = fields
        .total_amount
        .as_ref()
        .and_then(|_| chosen(entities, Role::TotalAmount).and_then(|e| e.currency.clone()))
        .or_else(|| {
            currency
                .filter(|_| fields.total_amount.is_some() || fields.net_amount.is_some())
                .map(str::to_owned)
        });
}

/// Whether some amount would be the document's total: the tagged one, or one that
/// net + tax or [`fallback_total`] gives (both run on a copy: the document type is
/// decided before any resolver changes a candidate).
pub(crate) fn has_total(entities: &[Entity], pages: &[(Page, Vec<TaggedSpan>)]) -> bool {
    let mut copy = entities.to_vec();
    complete_amounts(&mut copy);
    let mut fields = Fields {
        total_amount: chosen(&copy, Role::TotalAmount).map(|e| e.value.clone()),
        ..Fields::default()
    };
    fallback_total(&mut fields, &mut copy, pages);
    fields.total_amount.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
