//! Money: one span to a plain decimal and an ISO 4217 code, a document's
//! currency, and a scanner for money-looking numbers.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::date::find_dates;
use crate::scan::{char_after, char_before, second_char_after, to_found, Found};

/// A money amount read from text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Amount {
    /// Plain decimal: optional `-`, digits, `.` and the decimals as written
    /// (`"1469.06"`, `"1234.50"`, `"12"`); no thousands separators.
    pub value: String,
    /// ISO 4217 code of the currency mark next to the number, if any.
    pub currency: Option<String>,
}

impl Amount {
    /// The value in hundredths, rounded half away from zero; see [`decimal_cents`].
    pub fn cents(&self) -> Option<i64> {
        decimal_cents(&self.value)
    }
}

/// A plain decimal (an [`Amount::value`], or a field value the pipeline keeps
/// as a string) in hundredths, rounded half away from zero, so that amounts can
/// be compared exactly: `net + tax == total` within one cent is
/// `(net + tax - total).abs() <= 1`. `None` when it is not a plain decimal or
/// does not fit.
pub fn decimal_cents(value: &str) -> Option<i64> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || (frac.is_empty() && digits.contains('.'))
    {
        return None;
    }
    let frac = frac.as_bytes();
    let digit = |i: usize| frac.get(i).map_or(0, |b| i64::from(b - b'0'));
    let mut cents = int
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(digit(0) * 10 + digit(1))?;
    if digit(2) >= 5 {
        cents = cents.checked_add(1)?;
    }
    Some(if negative { -cents } else { cents })
}

/// `lexicons/currencies.toml`: the marks and codes amounts carry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Currencies {
    /// ISO 4217 codes recognised when written out.
    codes: Vec<String>,
    /// Currencies a bare `$` may stand for.
    dollars: Vec<String>,
    /// Marks other than ISO codes, with their codes, in matching order.
    mark: Vec<Mark>,
    /// Tax numbers that name a dollar's country.
    dollar_country: Vec<DollarCountry>,
}

/// A currency mark and the code it stands for (`RM` for `MYR`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mark {
    mark: String,
    code: String,
}

/// A tax number's pattern and the dollar it names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DollarCountry {
    pattern: String,
    code: String,
}

static CURRENCIES: LazyLock<Currencies> = LazyLock::new(|| {
    toml::from_str(include_str!("../lexicons/currencies.toml"))
        .expect("lexicons/currencies.toml (tested)")
});

/// Currency marks other than ISO codes, with the code they stand for.
/// A bare `$` is the US dollar unless the document says otherwise (see [`parse_amount_in`]).
static MARKS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    CURRENCIES
        .mark
        .iter()
        .map(|m| (m.mark.as_str(), m.code.as_str()))
        .collect()
});

/// ISO 4217 codes recognised when written out.
static CODES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| CURRENCIES.codes.iter().map(String::as_str).collect());

/// Currencies a bare `$` may stand for: the dollars, and the pesos that write it too.
static DOLLARS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| CURRENCIES.dollars.iter().map(String::as_str).collect());

/// The country a document's tax number names, for a bare `$` where no currency code is
/// written (`lexicons/currencies.toml`, `dollar_country`).
static DOLLAR_COUNTRY: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    CURRENCIES
        .dollar_country
        .iter()
        .map(|d| (regex(&d.pattern), d.code.as_str()))
        .collect()
});

/// The ISO code of a currency mark or code, exactly as matched.
fn currency_code(mark: &str) -> Option<&'static str> {
    MARKS
        .iter()
        .find(|(m, _)| *m == mark)
        .map(|&(_, code)| code)
        .or_else(|| CODES.iter().copied().find(|c| *c == mark))
}

/// Alternation of every mark and code, longest first.
fn currency_alternation() -> String {
    let mut all: Vec<&str> = MARKS
        .iter()
        .map(|(m, _)| *m)
        .chain(CODES.iter().copied())
        .collect();
    all.sort_by_key(|m| std::cmp::Reverse(m.chars().count()));
    all.iter()
        .map(|m| regex::escape(m))
        .collect::<Vec<_>>()
        .join("|")
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("amount pattern is valid")
}

static PREFIX: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"^(?:{})", currency_alternation())));
static SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"(?:{})$", currency_alternation())));

/// Spaces that may group thousands: space, no-break space, narrow no-break
/// space, thin space.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−')
}

fn trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_group_space(c))
}

/// Parses one amount, with the currency its mark gives (`$` is USD).
///
/// Takes both conventions: `1,234.56`, `1.234,56`, `1 234,56` (also with
/// no-break or narrow no-break spaces), `1'234.56`, `1234`, `1234.5`, `12,50`.
/// A single `,` or `.` followed by exactly three digits groups thousands
/// (`1,234` and `1.234` are 1234; `0.125` stays a decimal); a single comma
/// followed by one or two digits is the decimal comma. Negatives: `-12.00`,
/// `(12.00)`, `12.00-`. `12.-` is 12. Indian grouping (`1,23,456.00`) is
/// read too. Currency marks and codes may stand before or after, attached or spaced: `$ US$ € £ ¥ ₹ Rs Rs. RM Fr.` and
/// ISO codes such as `USD EUR GBP CHF SGD AUD CAD JPY INR MYR`. Anything else
/// around the number gives `None`.
pub fn parse_amount(text: &str) -> Option<Amount> {
    parse_amount_in(text, None)
}

/// Like [`parse_amount`], with the document's currency (from
/// [`detect_currency`] or the pipeline config) for amounts without a mark,
/// and as the meaning of a bare `$` when it is a dollar currency (`SGD`, `AUD`...).
pub fn parse_amount_in(text: &str, document_currency: Option<&str>) -> Option<Amount> {
    let (value, mark) = parse_parts(text)?;
    let currency = match (mark, document_currency) {
        (None, doc) => doc.map(str::to_string),
        (Some("$"), Some(doc)) if DOLLARS.contains(&doc) => Some(doc.to_string()),
        (Some(mark), _) => currency_code(mark).map(str::to_string),
    };
    Some(Amount { value, currency })
}

/// The plain decimal and the currency mark as written.
fn parse_parts(text: &str) -> Option<(String, Option<&str>)> {
    let mut s = trim_space(text.trim_matches(|c: char| c.is_whitespace() || ":;,*".contains(c)));
    let mut negative = false;
    let mut mark: Option<&str> = None;
    let take_mark = |m: &'static str, mark: &mut Option<&str>| match *mark {
        Some(seen) if currency_code(seen) != currency_code(m) => false,
        _ => {
            *mark = Some(m);
            true
        }
    };
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        s = trim_space(inner);
    }
    // Sign and mark before the number, in either order: `-$12`, `$-12`, `USD -12`.
    for _ in 0..2 {
        if let Some(rest) = s.strip_prefix(is_minus) {
            if negative {
                return None;
            }
            negative = true;
            s = trim_space(rest);
        }
        if let Some(m) = PREFIX.find(s) {
            let rest = &s[m.end()..];
            // `RM` and `Rs` must not be the start of a word.
            if rest.starts_with(|c: char| c.is_alphabetic()) {
                return None;
            }
            if !take_mark(static_mark(m.as_str())?, &mut mark) {
                return None;
            }
            s = trim_space(rest);
        }
    }
    if let Some(m) = SUFFIX.find(s) {
        let rest = &s[..m.start()];
        if rest.ends_with(|c: char| c.is_alphabetic())
            || !take_mark(static_mark(m.as_str())?, &mut mark)
        {
            return None;
        }
        s = trim_space(rest);
    }
    // Swiss and German "no cents": `12.-`, `12,–`.
    let mut no_decimals = false;
    for tail in [".-", ",-", ".–", ",–"] {
        if let Some(rest) = s.strip_suffix(tail) {
            s = rest;
            no_decimals = true;
            break;
        }
    }
    if !no_decimals {
        if let Some(rest) = s.strip_suffix(is_minus) {
            if negative {
                return None;
            }
            negative = true;
            s = trim_space(rest);
        }
    }
    let (int, frac) = split_number(s)?;
    if no_decimals && frac.is_some() {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut value = String::new();
    let zero = int == "0" && frac.as_deref().is_none_or(|f| f.bytes().all(|b| b == b'0'));
    if negative && !zero {
        value.push('-');
    }
    value.push_str(int);
    if let Some(frac) = frac {
        value.push('.');
        value.push_str(&frac);
    }
    Some((value, mark))
}

/// The `'static` spelling of a matched mark (the regex only matches table entries).
fn static_mark(m: &str) -> Option<&'static str> {
    MARKS
        .iter()
        .map(|(m, _)| *m)
        .chain(CODES.iter().copied())
        .find(|x| *x == m)
}

/// Splits a bare number into integer digits and decimal digits, deciding
/// which separator is the decimal one and checking the thousands groups.
fn split_number(s: &str) -> Option<(String, Option<String>)> {
    let mut runs: Vec<&str> = Vec::new();
    let mut seps: Vec<char> = Vec::new();
    let mut rest = s;
    loop {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        runs.push(&rest[..end]);
        rest = &rest[end..];
        let Some(sep) = rest.chars().next() else {
            break;
        };
        if !(sep == '.' || sep == ',' || sep == '\'' || sep == '’' || is_group_space(sep)) {
            return None;
        }
        seps.push(if is_group_space(sep) { ' ' } else { sep });
        rest = &rest[sep.len_utf8()..];
    }
    let count = |c: char| seps.iter().filter(|&&s| s == c).count();
    let last = seps.last().copied();
    let decimal = match last {
        None => None,
        Some(sep @ ('.' | ',')) => {
            let other = if sep == '.' { ',' } else { '.' };
            let grouped_before = seps.len() > 1;
            if count(sep) > 1 {
                None
            } else if count(other) > 0 || grouped_before {
                Some(sep)
            } else {
                // A lone separator: three digits after it group thousands,
                // unless the integer part is zero.
                let after = runs[1].len();
                let int = runs[0];
                match after {
                    3 if int.len() <= 3 && !int.starts_with('0') => None,
                    1..=3 => Some(sep),
                    _ if sep == '.' => Some(sep),
                    _ => return None,
                }
            }
        }
        Some(_) => None,
    };
    let (int_runs, frac) = match decimal {
        Some(_) => (
            &runs[..runs.len() - 1],
            Some(runs[runs.len() - 1].to_string()),
        ),
        None => (&runs[..], None),
    };
    let group_seps = &seps[..int_runs.len() - 1];
    if let Some(&first) = group_seps.first() {
        let consistent = group_seps.iter().all(|&s| s == first) && Some(first) != decimal;
        let (head, tail) = (&int_runs[0], &int_runs[1..]);
        let western = head.len() <= 3 && tail.iter().all(|r| r.len() == 3);
        // Indian lakh/crore grouping: 1,23,45,678.
        let indian = head.len() <= 2
            && tail.len() >= 2
            && tail[..tail.len() - 1].iter().all(|r| r.len() == 2)
            && tail[tail.len() - 1].len() == 3;
        let grouped = western || indian;
        if !consistent || !grouped {
            return None;
        }
    }
    Some((int_runs.concat(), frac))
}

static CURRENCY_SCAN: LazyLock<Regex> = LazyLock::new(|| regex(&currency_alternation()));

/// Decides a document's currency from the marks and codes in its text.
///
/// ISO codes and symbols count wherever they stand as words; marks that are
/// also ordinary letters (`RM`, `Rs`, `Fr.`, `Rp`) count only next to a number
/// or in parentheses (`Total (RM)`).
/// The most frequent currency wins (the first seen on a tie). A bare `$` counts
/// for the dollar or peso currency the document names (`SGD`, `AUD`, `MXN`...), else for
/// the country its tax number names (`ABN 53 612 884 270`: AUD), else for USD.
pub fn detect_currency(text: &str) -> Option<String> {
    currency_of(text, false)
}

/// [`detect_currency`] for text read by OCR, which reads an `S` as `$` (`$/B`,
/// `JLN $$21/35`) and specks as `£`: there a symbol counts only right next to an
/// amount with cents (`$12.50`, `1.234,56 €`).
pub fn detect_currency_in_scan(text: &str) -> Option<String> {
    currency_of(text, true)
}

/// An amount with cents right after a mark (after at most one space).
static CENTS_AFTER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^[ \u{a0}]?\d[\d,.'\u{a0}]*[.,]\d{2}(?:[^\d.,]|$)"));
/// An amount with cents right before a mark.
static CENTS_BEFORE: LazyLock<Regex> = LazyLock::new(|| regex(r"\d[.,]\d{2}[ \u{a0}]?$"));

fn currency_of(text: &str, scan: bool) -> Option<String> {
    let mut tally: Vec<(&'static str, usize)> = Vec::new();
    let mut bare_dollars = 0;
    for m in CURRENCY_SCAN.find_iter(text) {
        let mark = m.as_str();
        let letters = mark.starts_with(|c: char| c.is_ascii_alphabetic());
        if letters {
            let glued_before = char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric());
            let glued_after = char_after(text, m.end()).is_some_and(|c| c.is_alphabetic());
            if glued_before || glued_after {
                continue;
            }
            let is_code = CODES.contains(&mark) || mark.ends_with('$');
            let in_parens =
                char_before(text, m.start()) == Some('(') && char_after(text, m.end()) == Some(')');
            if !is_code && !in_parens && !next_to_number(text, m.start(), m.end()) {
                continue;
            }
        } else if scan
            && !CENTS_AFTER.is_match(&text[m.end()..])
            && !CENTS_BEFORE.is_match(&text[..m.start()])
        {
            continue;
        }
        if mark == "$" {
            bare_dollars += 1;
            continue;
        }
        let Some(code) = currency_code(mark) else {
            continue;
        };
        match tally.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => tally.push((code, 1)),
        }
    }
    if bare_dollars > 0 {
        let named = || {
            DOLLAR_COUNTRY
                .iter()
                .find(|(re, _)| re.is_match(text))
                .map(|&(_, code)| code)
        };
        let dollar = tally
            .iter()
            .filter(|(c, _)| DOLLARS.contains(c))
            .max_by_key(|(_, n)| *n)
            .map(|(c, _)| *c)
            .or_else(named)
            .unwrap_or("USD");
        match tally.iter_mut().find(|(c, _)| *c == dollar) {
            Some((_, n)) => *n += bare_dollars,
            None => tally.push((dollar, bare_dollars)),
        }
    }
    let best = tally.iter().map(|(_, n)| *n).max()?;
    tally
        .iter()
        .find(|(_, n)| *n == best)
        .map(|(c, _)| c.to_string())
}

/// Whether a digit follows the mark (after at most one space) or precedes it.
fn next_to_number(text: &str, start: usize, end: usize) -> bool {
    let after = text[end..].trim_start_matches(|c: char| is_group_space(c));
    let before = text[..start].trim_end_matches(|c: char| is_group_space(c));
    after.starts_with(|c: char| c.is_ascii_digit())
        || before.ends_with(|c: char| c.is_ascii_digit())
}

/// A money-looking number with an optional mark before or after it. Space
/// grouping with plain spaces is only taken with a decimal comma (`1 234,56`):
/// with a decimal point, `2 100.00` is more often a quantity and a price.
static AMOUNT_SCAN: LazyLock<Regex> = LazyLock::new(|| {
    let cur = currency_alternation();
    regex(&format!(
        r"(?:(?P<pre>{cur})[ \u{{a0}}]?)?(?P<num>\d{{1,3}}(?:[\u{{a0}}\u{{202f}}\u{{2009}}'’]\d{{3}})+(?:[.,]\d{{1,2}})?|\d{{1,3}}(?: \d{{3}})+,\d{{2}}|\d{{1,2}}(?:,\d{{2}})+,\d{{3}}(?:\.\d{{1,2}})?|\d{{1,3}}(?:,\d{{3}})+(?:\.\d{{1,2}})?|\d{{1,3}}(?:\.\d{{3}})+(?:,\d{{1,2}})?|\d{{1,12}}(?:[.,]\d{{1,2}})?)(?:[ \u{{a0}}]?(?P<post>{cur}))?"
    ))
});

/// Finds money-looking numbers in free text, in text order.
///
/// A hit is a number with a currency mark before or after it, or with exactly
/// two decimals; the span includes the mark, a leading minus and wrapping
/// parentheses, and is meant to be read with [`parse_amount_in`]. Numbers that
/// are part of a date, a percentage, a longer number or a word (`INV12.50`,
/// `1.2.3`) are left out.
pub fn find_amounts(text: &str) -> Vec<Found> {
    let date_ranges: Vec<(usize, usize)> = {
        let dates = find_dates(text);
        let index: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        dates
            .iter()
            .map(|f| (index[f.start], index[f.end]))
            .collect()
    };
    let mut ranges = Vec::new();
    for c in AMOUNT_SCAN.captures_iter(text) {
        let num = c.name("num").expect("num is not optional");
        let mut start = num.start();
        let mut end = num.end();
        let mut marked = false;
        if let Some(pre) = c.name("pre") {
            let letters = pre.as_str().starts_with(|c: char| c.is_alphabetic());
            let glued = char_before(text, pre.start()).is_some_and(|c| c.is_alphanumeric());
            if !(letters && glued) {
                start = pre.start();
                marked = true;
            }
        }
        if let Some(post) = c.name("post") {
            let glued = char_after(text, post.end()).is_some_and(|c| c.is_alphanumeric());
            if !glued {
                end = post.end();
                marked = true;
            }
        }
        if !marked && !has_cents(num.as_str()) {
            continue;
        }
        // The number must not continue a longer token on either side.
        let before = char_before(text, start);
        let before2 = before.and_then(|b| char_before(text, start - b.len_utf8()));
        let glued_before = before.is_some_and(|b| b.is_alphanumeric())
            || matches!((before, before2), (Some('.' | ',' | '/' | '-'), Some(d)) if d.is_ascii_digit());
        let after = char_after(text, end);
        let after2 = second_char_after(text, end);
        let glued_after = after.is_some_and(|a| a.is_alphanumeric() || a == '%')
            || matches!((after, after2), (Some('.' | ',' | '/' | '-'), Some(d)) if d.is_ascii_digit());
        let percent = text[end..]
            .trim_start_matches(is_group_space)
            .starts_with('%');
        if glued_before || glued_after || percent {
            continue;
        }
        if date_ranges.iter().any(|&(s, e)| start < e && s < end) {
            continue;
        }
        // Sign: a minus right before, or parentheses around.
        if let Some(b) = before.filter(|&b| is_minus(b)) {
            let sign_start = start - b.len_utf8();
            if char_before(text, sign_start).is_none_or(|c| c.is_whitespace() || c == '(') {
                start = sign_start;
            }
        }
        if char_before(text, start) == Some('(') && char_after(text, end) == Some(')') {
            start -= 1;
            end += 1;
        }
        if parse_amount(&text[start..end]).is_some() {
            ranges.push((start, end));
        }
    }
    to_found(text, ranges)
}

/// Whether a scanned number ends in a two-digit decimal part.
fn has_cents(num: &str) -> bool {
    let b = num.as_bytes();
    b.len() > 3 && matches!(b[b.len() - 3], b'.' | b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Examples {
        example: Vec<Example>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Example {
        #[serde(default)]
        amount: Option<String>,
        #[serde(default)]
        document: Option<String>,
        #[serde(default)]
        text: Option<String>,
        code: String,
    }

    #[test]
    fn the_currencies_examples_hold() {
        let examples: Examples =
            toml::from_str(include_str!("../lexicons/examples/currencies.toml")).unwrap();
        let mut failures = Vec::new();
        for x in &examples.example {
            let got = match (&x.amount, &x.text) {
                (Some(a), None) => {
                    parse_amount_in(a, x.document.as_deref()).and_then(|a| a.currency)
                }
                (None, Some(t)) => detect_currency(t),
                _ => panic!(
                    "an example has an amount or a text: {:?} {:?}",
                    x.amount, x.text
                ),
            };
            if got.as_deref().unwrap_or_default() != x.code {
                failures.push(format!(
                    "{:?}{:?}: {got:?}, not {:?}",
                    x.amount, x.text, x.code
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(
            (
                MARKS.len(),
                CODES.len(),
                DOLLARS.len(),
                DOLLAR_COUNTRY.len()
            ),
            (27, 35, 10, 4)
        );
    }

    #[test]
    fn parse_amount_table() {
        type Case = (&'static str, Option<(&'static str, Option<&'static str>)>);
        let cases: &[Case] = &[
            // plain numbers and both conventions
            ("1469.06", Some(("1469.06", None))),
            ("1,234.56", Some(("1234.56", None))),
            ("1.234,56", Some(("1234.56", None))),
            ("1 234,56", Some(("1234.56", None))),
            ("1\u{a0}234,56", Some(("1234.56", None))),
            ("1\u{202f}234,56", Some(("1234.56", None))),
            ("1'234.56", Some(("1234.56", None))),
            ("1’234.56", Some(("1234.56", None))),
            ("1,234,567.89", Some(("1234567.89", None))),
            ("1.234.567,89", Some(("1234567.89", None))),
            ("1.234.567", Some(("1234567", None))),
            ("1234", Some(("1234", None))),
            ("1234.5", Some(("1234.5", None))),
            ("1234.50", Some(("1234.50", None))),
            ("12,50", Some(("12.50", None))),
            ("12,5", Some(("12.5", None))),
            ("1,234", Some(("1234", None))),
            ("1.234", Some(("1234", None))),
            ("0.125", Some(("0.125", None))),
            ("12.3456", Some(("12.3456", None))),
            ("0012.00", Some(("12.00", None))),
            (".50", None),
            // negatives
            ("-12.00", Some(("-12.00", None))),
            ("(12.00)", Some(("-12.00", None))),
            ("12.00-", Some(("-12.00", None))),
            ("-$12.00", Some(("-12.00", Some("USD")))),
            ("$-12.00", Some(("-12.00", Some("USD")))),
            ("($1,200.00)", Some(("-1200.00", Some("USD")))),
            ("-0.00", Some(("0.00", None))),
            // currency marks and codes, before or after, attached or spaced
            ("$1,234.56", Some(("1234.56", Some("USD")))),
            ("$ 12", Some(("12", Some("USD")))),
            ("US$ 99.90", Some(("99.90", Some("USD")))),
            ("€1.234,56", Some(("1234.56", Some("EUR")))),
            ("1.234,56 €", Some(("1234.56", Some("EUR")))),
            ("12,50€", Some(("12.50", Some("EUR")))),
            ("£12.00", Some(("12.00", Some("GBP")))),
            ("¥1,200", Some(("1200", Some("JPY")))),
            ("₹1,500.00", Some(("1500.00", Some("INR")))),
            ("Rs. 1,500.00", Some(("1500.00", Some("INR")))),
            ("Rs1500", Some(("1500", Some("INR")))),
            ("INR 1500", Some(("1500", Some("INR")))),
            ("RM 1,469.06", Some(("1469.06", Some("MYR")))),
            ("RM12.50", Some(("12.50", Some("MYR")))),
            ("MYR 12.50", Some(("12.50", Some("MYR")))),
            ("USD 1,234.56", Some(("1234.56", Some("USD")))),
            ("1,234.56 USD", Some(("1234.56", Some("USD")))),
            ("EUR 12,50", Some(("12.50", Some("EUR")))),
            ("GBP12", Some(("12", Some("GBP")))),
            ("CHF 1'234.50", Some(("1234.50", Some("CHF")))),
            ("Fr. 12.50", Some(("12.50", Some("CHF")))),
            ("CHF 12.-", Some(("12", Some("CHF")))),
            ("SGD 45.00", Some(("45.00", Some("SGD")))),
            ("S$45.00", Some(("45.00", Some("SGD")))),
            ("AUD 10", Some(("10", Some("AUD")))),
            ("CAD 10.00", Some(("10.00", Some("CAD")))),
            ("JPY 5000", Some(("5000", Some("JPY")))),
            ("$12.00 USD", Some(("12.00", Some("USD")))),
            (" 12.00 : ", Some(("12.00", None))),
            // garbage
            ("$12.00 EUR", None),
            ("Total 12.00", None),
            ("12.00 dollars", None),
            ("RMX 12", None),
            ("abc", None),
            ("", None),
            ("$", None),
            ("12..50", None),
            ("1,2345", None),
            ("12 34", None),
            ("1,23,456", Some(("123456", None))),
            ("₹1,23,45,678.50", Some(("12345678.50", Some("INR")))),
            ("1,23,45", None),
            ("12,345,67", None),
            ("1.234,567.89", None),
            ("12/03/2018", None),
            ("--12", None),
        ];
        for &(input, expected) in cases {
            let got = parse_amount(input);
            let got = got
                .as_ref()
                .map(|a| (a.value.as_str(), a.currency.as_deref()));
            assert_eq!(got, expected, "parse_amount({input:?})");
        }
    }

    #[test]
    fn document_currency_fills_in() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("12.00", Some("EUR"), Some("EUR")),
            ("12.00", None, None),
            ("$12.00", Some("SGD"), Some("SGD")),
            ("$12.00", Some("EUR"), Some("USD")),
            ("£12.00", Some("EUR"), Some("GBP")),
        ];
        for &(input, doc, expected) in cases {
            let got = parse_amount_in(input, doc).expect(input);
            assert_eq!(got.currency.as_deref(), expected, "{input:?} in {doc:?}");
        }
    }

    #[test]
    fn cents_table() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1469.06", Some(146906)),
            ("12", Some(1200)),
            ("12.5", Some(1250)),
            ("-12.00", Some(-1200)),
            ("0.125", Some(13)),
            ("0.124", Some(12)),
            ("-0.125", Some(-13)),
            ("1.", None),
            ("", None),
            ("1,234.00", None),
            ("99999999999999999999", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(decimal_cents(input), expected, "decimal_cents({input:?})");
        }
        let total = |s: &str| parse_amount(s).and_then(|a| a.cents());
        assert_eq!(total("1.234,56 €"), Some(123456));
    }

    #[test]
    fn detect_currency_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Total: RM 1,469.06\nTax RM 83.16", Some("MYR")),
            ("Amount due $120.00", Some("USD")),
            ("All amounts in SGD. Total $120.00, tax $8.40", Some("SGD")),
            ("Summe 12,50 € zzgl. MwSt 2,38 €; USD 1", Some("EUR")),
            ("Rs. 500 and Rs 20", Some("INR")),
            ("TOTAL (RM)   45.10", Some("MYR")),
            ("FROM the ROOM, Mrs Smith", None),
            ("Price in GBP", Some("GBP")),
            (
                "Currency: MXN\nSubtotal $26,040.00\nTotal $30,206.40",
                Some("MXN"),
            ),
            ("ABN 53 612 884 270\nTOTAL (GST INCL.) $155.18", Some("AUD")),
            (
                "GST/HST No.: 784512390 RT0001\nTotal $4,092.86",
                Some("CAD"),
            ),
            ("no money here", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(detect_currency(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn on_scans_a_symbol_counts_only_next_to_an_amount_with_cents() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            // an S read as $: dollars from a text layer, not from a scan
            (
                "KING'S CONFECTIONERY $/B\nNo.128G JLN $$21/35\nTax(RM) 1.20",
                Some("USD"),
                Some("MYR"),
            ),
            ("SELANGOR [.£.\nTotal 12.00", Some("GBP"), None),
            ("PUNE $ 18119 282", Some("USD"), None),
            // real symbols by real amounts count on both
            ("Amount due $120.00, paid $ 20.00", Some("USD"), Some("USD")),
            ("Summe 1.234,56 € inkl. MwSt", Some("EUR"), Some("EUR")),
            ("Total RM 45.10", Some("MYR"), Some("MYR")),
        ];
        for &(input, text_layer, scan) in cases {
            assert_eq!(detect_currency(input).as_deref(), text_layer, "{input:?}");
            assert_eq!(detect_currency_in_scan(input).as_deref(), scan, "{input:?}");
        }
    }

    #[test]
    fn find_amounts_table() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Subtotal 1,234.56 Tax 123.46 Total USD 1,358.02",
                &["1,234.56", "123.46", "USD 1,358.02"],
            ),
            ("Summe: 1.234,56 € (inkl. 19% MwSt)", &["1.234,56 €"]),
            ("Montant 1 234,56 EUR", &["1 234,56 EUR"]),
            ("Total RM12.50, change RM 0.50", &["RM12.50", "RM 0.50"]),
            ("Discount (12.00) and refund -5.00", &["(12.00)", "-5.00"]),
            ("Paid $45 by card", &["$45"]),
            ("Total ₹1,23,456.00 incl. GST", &["₹1,23,456.00"]),
            ("FROM 12.00 to 13.00", &["12.00", "13.00"]),
            // not amounts
            ("Date 12.03.2018, qty 3, VAT 19.00%", &[]),
            ("discount 12.50 % off", &[]),
            ("Call +60 12-345 6789 or (555) 123-4567", &[]),
            ("Invoice INV12.50 ref 123456789 version 1.2.3", &[]),
            ("Qty 2 unit 100", &[]),
        ];
        for &(text, expected) in cases {
            let found: Vec<String> = find_amounts(text).into_iter().map(|f| f.text).collect();
            assert_eq!(found, expected, "find_amounts({text:?})");
        }
    }
}
