//! Dates: one span to a calendar date, a document's day/month order, and a
//! scanner that finds every date expression in free text.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

use crate::scan::{char_after, char_before, second_char_after, to_found, Found};

/// How to read an all-numeric date whose day and month could be swapped.
///
/// The order only decides what the digits cannot: `25/12/2024` is read as
/// 25 December under every order, `05/12/2024` depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `dd/mm/yyyy`: most of the world.
    DayFirst,
    /// `mm/dd/yyyy`: the United States.
    MonthFirst,
    /// `yy/mm/dd` for all-two-digit dates (East Asia); otherwise as [`DateOrder::DayFirst`].
    YearFirst,
}

/// A date read from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParsedDate {
    /// The calendar date.
    pub date: NaiveDate,
    /// True when the text was numeric and the [`DateOrder`] chose between two
    /// valid readings (day and month both 1..=12 and different, or a
    /// `yy/mm/dd` reading under [`DateOrder::YearFirst`]).
    pub ambiguous: bool,
}

/// Years a date may have: anything else is a number that only looks like a date.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Month names and abbreviations, lowercase: English, German, French, Spanish, Malay.
const MONTHS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mär", 3),
    ("mrz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("okt", 10),
    ("dezember", 12),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("janv", 1),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("fevr", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("ene", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("abr", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("ago", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("dic", 12),
    // Malay
    ("januari", 1),
    ("februari", 2),
    ("mac", 3),
    ("mei", 5),
    ("julai", 7),
    ("ogos", 8),
    ("disember", 12),
    ("dis", 12),
];

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == name).map(|&(_, m)| m)
}

/// Alternation of all month names, longest first so `march` wins over `mar`.
fn month_alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.join("|")
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("date pattern is valid")
}

static WEEKDAY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?\s*,?\s*",
    )
});

static TIME_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:\s*,?\s*(?:at\s+)?|T)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?(?:\s*(?:z|utc|gmt|[+-]\d{2}(?::?\d{2})?|[a-z]{3,4}))?$",
    )
});

static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| regex(r"^(\d{1,4})([/.\-])(\d{1,2})([/.\-])(\d{1,4})$"));

/// An ordinal suffix, also as PDF text layers split or space superscripts
/// (`5th`, `5 th`, `20t h`).
const ORDINAL: &str = r"\s?(?:s\s?t|n\s?d|r\s?d|t\s?h)";

static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)^(?:the\s+)?(\d{{1,2}})(?:{o}|er)?\.?(?:\s+day)?(?:\s+of)?(?:\s+de)?[\s\-/.]*({})\.?(?:\s+del?)?[\s\-/.,]*('?\d{{2}}|\d{{4}})$",
        month_alternation(),
        o = ORDINAL
    ))
});

static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)^({})\.?[\s\-/.]*(\d{{1,2}})(?:{o})?(?:\s*,\s*|[\s\-/.]+)('?\d{{2}}|\d{{4}})$",
        month_alternation(),
        o = ORDINAL
    ))
});

static YEAR_MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)^(\d{{4}})[\s\-/.,]+({})\.?[\s\-/.,]+(\d{{1,2}})(?:{o})?$",
        month_alternation(),
        o = ORDINAL
    ))
});

/// Characters trimmed from both ends of a date span.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || ",:;.()[]\"“”‘’'".contains(c)
}

/// The date part of a span: trimmed, without a weekday before or a time after.
fn date_core(text: &str) -> String {
    let text = text.trim_matches(is_trimmed);
    let text = WEEKDAY_PREFIX.replace(text, "");
    let text = TIME_SUFFIX.replace(&text, "");
    text.trim_matches(is_trimmed).to_string()
}

/// A year as written: two digits (optionally after `'`) pivot at 69, four must be in range.
fn year(text: &str) -> Option<i32> {
    let digits = text.trim_start_matches('\'');
    let y: i32 = digits.parse().ok()?;
    let y = match digits.len() {
        2 if y <= 69 => 2000 + y,
        2 => 1900 + y,
        4 => y,
        _ => return None,
    };
    YEARS.contains(&y).then_some(y)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    if !YEARS.contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses one date expression.
///
/// The span is the date: labels and surrounding words are not skipped, but
/// whitespace and punctuation at either end, a weekday before the date and a
/// time after it are. Numeric dates take `/`, `.` or `-` (the same twice);
/// written months may be English, German, French, Spanish or Malay names or
/// abbreviations, with ordinals (`5th`, `the 5th day of March, 2021`). Two-digit
/// years are 20xx up to 69 and 19xx from 70; years outside 1900..=2100 and
/// impossible dates (`31/02/2024`) give `None`.
///
/// `order` is used only when the digits leave a choice; see [`DateOrder`].
pub fn parse_date(text: &str, order: DateOrder) -> Option<ParsedDate> {
    let core = date_core(text);
    if let Some(c) = NUMERIC.captures(&core) {
        return numeric(&c, order);
    }
    let unambiguous = |date| {
        Some(ParsedDate {
            date,
            ambiguous: false,
        })
    };
    if let Some(c) = DAY_MONTH_YEAR.captures(&core) {
        return unambiguous(ymd(year(&c[3])?, month_number(&c[2])?, c[1].parse().ok()?)?);
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(&core) {
        return unambiguous(ymd(year(&c[3])?, month_number(&c[1])?, c[2].parse().ok()?)?);
    }
    if let Some(c) = YEAR_MONTH_DAY.captures(&core) {
        return unambiguous(ymd(year(&c[1])?, month_number(&c[2])?, c[3].parse().ok()?)?);
    }
    None
}

fn numeric(c: &Captures<'_>, order: DateOrder) -> Option<ParsedDate> {
    if c[2] != c[4] {
        return None;
    }
    let (first, second, last) = (&c[1], &c[3], &c[5]);
    let a: u32 = first.parse().ok()?;
    let b: u32 = second.parse().ok()?;
    let z: u32 = last.parse().ok()?;
    if first.len() == 4 {
        // yyyy-mm-dd: never written the other way round.
        if last.len() > 2 {
            return None;
        }
        let date = ymd(a as i32, b, z)?;
        return Some(ParsedDate {
            date,
            ambiguous: false,
        });
    }
    if first.len() > 2 {
        return None;
    }
    if order == DateOrder::YearFirst && first.len() == 2 && last.len() == 2 {
        let date = ymd(year(first)?, b, z)?;
        return Some(ParsedDate {
            date,
            ambiguous: true,
        });
    }
    let y = year(last)?;
    let (day, month, ambiguous) = match (a, b) {
        (a, b) if a > 12 && b > 12 => return None,
        (a, b) if a > 12 => (a, b, false),
        (a, b) if b > 12 => (b, a, false),
        (a, b) if a == b => (a, b, false),
        (a, b) => match order {
            DateOrder::MonthFirst => (b, a, true),
            DateOrder::DayFirst | DateOrder::YearFirst => (a, b, true),
        },
    };
    let date = ymd(y, month, day)?;
    Some(ParsedDate { date, ambiguous })
}

/// Decides a document's day/month order from its dates.
///
/// Each candidate that is an all-numeric `a/b/year` date with exactly one of
/// `a`, `b` above 12 (and at most 31) is a vote: `25/12/2024` for
/// [`DateOrder::DayFirst`], `12/25/2024` for [`DateOrder::MonthFirst`]. The
/// majority wins. Without such votes, the written dates vote (`April 8, 2020` for
/// month-first, `8 April 2020` for day-first): a writer who puts the month first in
/// words does in figures too. `None` when there are no votes or they tie.
pub fn infer_date_order(candidates: &[&str]) -> Option<DateOrder> {
    let (mut day_first, mut month_first) = (0usize, 0usize);
    let (mut written_day, mut written_month) = (0usize, 0usize);
    for text in candidates {
        let core = date_core(text);
        let Some(c) = NUMERIC.captures(&core) else {
            // `the 8th day of April` is written in both orders' countries: no vote
            let day_of = core.to_lowercase().contains("day of");
            written_month += usize::from(MONTH_DAY_YEAR.is_match(&core));
            written_day += usize::from(DAY_MONTH_YEAR.is_match(&core) && !day_of);
            continue;
        };
        if c[2] != c[4] || c[1].len() > 2 || year(&c[5]).is_none() {
            continue;
        }
        let (a, b): (u32, u32) = match (c[1].parse(), c[3].parse()) {
            (Ok(a), Ok(b)) => (a, b),
            _ => continue,
        };
        match (a, b) {
            (13..=31, 1..=12) => day_first += 1,
            // dotted dates are written day-first; `12.17.26` that only reads
            // month-first is a time with dots (OCR), not evidence
            (1..=12, 13..=31) if &c[2] != "." => month_first += 1,
            _ => {}
        }
    }
    if day_first + month_first == 0 {
        (day_first, month_first) = (written_day, written_month);
    }
    match day_first.cmp(&month_first) {
        std::cmp::Ordering::Greater => Some(DateOrder::DayFirst),
        std::cmp::Ordering::Less => Some(DateOrder::MonthFirst),
        std::cmp::Ordering::Equal => None,
    }
}

static SCAN_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|\d{1,2}-\d{1,2}-(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.\d{4}|\d{2}\.\d{2}\.\d{2}",
    )
});

/// Written-month forms. A two-digit year is only taken after `-`, `/`, `.` or
/// `'` (`05-Mar-24`, `5 Mar '24`): after a space it is too often a count.
static SCAN_WORDS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let m = month_alternation();
    let o = ORDINAL;
    vec![
        regex(&format!(
            r"(?i)\b(?:the\s+)?\d{{1,2}}(?:{o}|er)?\.?(?:\s+day\s+of|\s+of|\s+de)?[\s\-/.]*(?:{m})\b\.?(?:\s+del?)?(?:[\s\-/.,]*\d{{4}}|[\-/.]\d{{2}}|\s*'\d{{2}})\b"
        )),
        regex(&format!(
            r"(?i)\b(?:{m})\b\.?[\s\-/.]*\d{{1,2}}(?:{o})?\b(?:\s*,\s*|[\s\-/.]+)(?:\d{{4}}|'\d{{2}})\b"
        )),
        regex(&format!(
            r"(?i)\b\d{{4}}[ \-/.](?:{m})\b\.?[ \-/.]\d{{1,2}}(?:{o})?\b"
        )),
    ]
});

/// Whether a numeric match is a whole token and not part of a longer number
/// (`v1.2.24`, `10.0.0.1`, `+44-12-03-2018`).
fn numeric_stands_alone(text: &str, start: usize, end: usize) -> bool {
    let glued = |c: Option<char>, next: Option<char>| {
        matches!(c, Some(c) if c.is_alphanumeric())
            || matches!((c, next), (Some('/' | '.' | '-' | '+'), Some(n)) if n.is_ascii_digit())
    };
    let before = char_before(text, start);
    let before2 = before.and_then(|c| char_before(text, start - c.len_utf8()));
    let after = char_after(text, end);
    let after2 = second_char_after(text, end);
    let iso_time = after == Some('T') && after2.is_some_and(|c| c.is_ascii_digit());
    !glued(before, before2) && (iso_time || !glued(after, after2))
}

/// Finds every date expression in free text, in text order.
///
/// Spans cover the date itself (no weekday, no time) and are meant to be read
/// with [`parse_date`] under the document's [`DateOrder`] (see
/// [`infer_date_order`]). A numeric hit must be a whole token and a valid date
/// under at least one order, with a year in 1900..=2100, which keeps out
/// amounts (`12.50`), versions (`1.2.3`), IP addresses and most phone numbers.
pub fn find_dates(text: &str) -> Vec<Found> {
    let mut ranges = Vec::new();
    let valid = |span: &str| {
        parse_date(span, DateOrder::DayFirst).is_some()
            || parse_date(span, DateOrder::MonthFirst).is_some()
    };
    for m in SCAN_NUMERIC.find_iter(text) {
        if numeric_stands_alone(text, m.start(), m.end()) && valid(m.as_str()) {
            ranges.push((m.start(), m.end()));
        }
    }
    for re in SCAN_WORDS.iter() {
        for m in re.find_iter(text) {
            if valid(m.as_str()) {
                ranges.push((m.start(), m.end()));
            }
        }
    }
    to_found(text, ranges)
}

/// What Tesseract reads for a digit in a date: the digits, and letters it takes
/// for `0` and `1`.
const OCR_DIGIT: &str = "[0-9OoDQIl|]";

static OCR_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"^({d}{{1,2}})([/.\-])({d}{{1,2}})([/.\-])({d}{{4}}|{d}{{2}})$",
        d = OCR_DIGIT
    ))
});

/// The shapes of [`SCAN_NUMERIC`] with [`OCR_DIGIT`]s, and slashes read as `7` or `1`
/// (`2670572018`, `20/0472078`).
static SCAN_OCR_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"{d}{{1,2}}/{d}{{1,2}}/(?:{d}{{4}}|{d}{{2}})|{d}{{1,2}}-{d}{{1,2}}-(?:{d}{{4}}|{d}{{2}})|{d}{{1,2}}\.{d}{{1,2}}\.{d}{{4}}|{d}{{2}}\.{d}{{2}}\.{d}{{2}}|\d{{2}}[71]\d{{2}}[71]\d{{4}}|\d{{1,2}}/\d{{2}}[71]\d{{4}}|\d{{2}}[71]\d{{1,2}}/\d{{4}}",
        d = OCR_DIGIT
    ))
});

/// A date with its month written whose day OCR read with letters (`Q1-Nov-2017`,
/// `O5 Mar 2018`): the day, and the rest as read.
static OCR_WRITTEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i)^({d}{{1,2}})([-\s/.]+{m}[a-z]*\.?[-\s/.,]+\d{{4}})$",
        d = OCR_DIGIT,
        m = MONTH_STEMS
    ))
});

/// [`OCR_WRITTEN`] in running text.
static SCAN_OCR_WRITTEN: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?i){d}{{1,2}}[-\s/.]+{m}[a-z]*\.?[-\s/.,]+\d{{4}}",
        d = OCR_DIGIT,
        m = MONTH_STEMS
    ))
});

/// The English months' first three letters.
const MONTH_STEMS: &str = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";

/// `dd/mm/yyyy` with one or both slashes read as `7` or `1`.
static SLASH_MISREAD: LazyLock<[Regex; 3]> = LazyLock::new(|| {
    [
        regex(r"^(\d{2})[71](\d{2})[71](\d{4})$"),
        regex(r"^(\d{1,2})/(\d{2})[71](\d{4})$"),
        regex(r"^(\d{2})[71](\d{1,2})/(\d{4})$"),
    ]
});

/// Whether a numeric date reads as a valid date, under some day/month order, with a
/// year from 1950 to `latest_year`.
fn plausible(text: &str, latest_year: i32) -> bool {
    [DateOrder::DayFirst, DateOrder::MonthFirst]
        .iter()
        .filter_map(|&o| parse_date(text, o))
        .any(|p| (FIRST_PLAUSIBLE_YEAR..=latest_year).contains(&chrono::Datelike::year(&p.date)))
}

/// The digits of an [`OCR_DIGIT`] run: the letters Tesseract reads for `0` and `1`
/// turned back into them.
fn ocr_digits(s: &str) -> String {
    s.chars()
        .map(|ch| match ch {
            'O' | 'o' | 'D' | 'Q' => '0',
            'I' | 'l' | '|' => '1',
            d => d,
        })
        .collect()
}

/// Digits Tesseract misreads on receipts, each with the digit it was: a `1` read as
/// `7` or `4`, a `0` read as `6` or `9`. Only used to turn an impossible date into
/// a possible one, never the other way.
const OCR_CONFUSIONS: &[(char, char)] = &[('7', '1'), ('4', '1'), ('6', '0'), ('9', '0')];

/// Years a scanned invoice or receipt date is taken to have.
const FIRST_PLAUSIBLE_YEAR: i32 = 1950;

/// Mends an OCR'd numeric date that cannot be right: letters read for digits
/// (`O9/02/17`, `D2/02/17`), a day or month out of range (`92/02/2018`, `04/42/2017`),
/// a year after `latest_year` (`20/04/2078`, `12-02-2618`) or slashes read as `7` or
/// `1` (`2670572018`). Returns the mended
/// text (same separators) when the fewest digit changes from `OCR_CONFUSIONS`
/// (at most one in the day and month, one in the year) give exactly one date that is valid under some day/month order
/// with a year from 1950 to `latest_year`. `None` when the text needs no mending,
/// is not a numeric date, or cannot be mended unambiguously.
pub fn repair_ocr_date(text: &str, latest_year: i32) -> Option<String> {
    let core = text.trim_matches(is_trimmed);
    if let Some(c) = OCR_WRITTEN.captures(core) {
        let mended = format!("{}{}", ocr_digits(&c[1]), &c[2]);
        return (mended != core && plausible(&mended, latest_year)).then_some(mended);
    }
    if let Some(c) = SLASH_MISREAD.iter().find_map(|re| re.captures(core)) {
        let slashed = format!("{}/{}/{}", &c[1], &c[2], &c[3]);
        return repair_ocr_date(&slashed, latest_year)
            .or_else(|| plausible(&slashed, latest_year).then_some(slashed));
    }
    let c = OCR_NUMERIC.captures(core)?;
    if c[2] != c[4] {
        return None;
    }
    let sep = &c[2];
    let fields = [ocr_digits(&c[1]), ocr_digits(&c[3]), ocr_digits(&c[5])];
    // every field as read, and with one confusable digit changed
    let variants = |f: &str| -> Vec<(String, usize)> {
        let mut out = vec![(f.to_string(), 0)];
        for (i, ch) in f.char_indices() {
            for &(seen, was) in OCR_CONFUSIONS {
                if ch == seen {
                    out.push((format!("{}{was}{}", &f[..i], &f[i + 1..]), 1));
                }
            }
        }
        out
    };
    let [a, b, y] = fields.each_ref().map(|f| variants(f));
    let mut best: Option<(usize, String)> = None;
    let mut tied = false;
    for (fa, ca) in &a {
        for (fb, cb) in &b {
            for (fy, cy) in &y {
                let cost = ca + cb + cy;
                if ca + cb > 1 || best.as_ref().is_some_and(|(c, _)| cost > *c) {
                    continue;
                }
                let candidate = format!("{fa}{sep}{fb}{sep}{fy}");
                if !plausible(&candidate, latest_year) {
                    continue;
                }
                match &best {
                    Some((c, _)) if *c == cost => tied = true,
                    _ => {
                        best = Some((cost, candidate));
                        tied = false;
                    }
                }
            }
        }
    }
    let (_, mended) = best.filter(|_| !tied)?;
    (mended != core).then_some(mended)
}

/// Finds the numeric dates of OCR'd text that need [`repair_ocr_date`], in text
/// order: each span (of the text as read) with its mended date text.
pub fn find_ocr_dates(text: &str, latest_year: i32) -> Vec<(Found, String)> {
    let numeric = SCAN_OCR_NUMERIC
        .find_iter(text)
        .filter(|m| m.as_str().chars().filter(char::is_ascii_digit).count() >= 4)
        .filter(|m| numeric_stands_alone(text, m.start(), m.end()));
    let written = SCAN_OCR_WRITTEN
        .find_iter(text)
        .filter(|m| !char_before(text, m.start()).is_some_and(char::is_alphanumeric));
    let ranges = numeric
        .chain(written)
        .map(|m| (m.start(), m.end()))
        .collect();
    to_found(text, ranges)
        .into_iter()
        .filter_map(|f| repair_ocr_date(&f.text, latest_year).map(|r| (f, r)))
        .collect()
}

/// The latest year a document's own date may have: next year, by the clock.
pub fn latest_document_year() -> i32 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    chrono::DateTime::from_timestamp(now, 0).map_or(2100, |t| chrono::Datelike::year(&t) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DateOrder::*;

    fn iso(p: Option<ParsedDate>) -> Option<String> {
        p.map(|p| p.date.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn parse_date_table() {
        let cases: &[(&str, DateOrder, Option<&str>)] = &[
            // numeric, both conventions
            ("12/03/2018", DayFirst, Some("2018-03-12")),
            ("12/03/2018", MonthFirst, Some("2018-12-03")),
            ("25/12/2024", MonthFirst, Some("2024-12-25")),
            ("12/25/2024", DayFirst, Some("2024-12-25")),
            ("05.03.2024", DayFirst, Some("2024-03-05")),
            ("5-3-2024", DayFirst, Some("2024-03-05")),
            ("5/3/24", MonthFirst, Some("2024-05-03")),
            ("01/02/70", DayFirst, Some("1970-02-01")),
            ("01/02/69", DayFirst, Some("2069-02-01")),
            ("2024-03-05", MonthFirst, Some("2024-03-05")),
            ("2024/3/5", DayFirst, Some("2024-03-05")),
            ("2024.03.05", DayFirst, Some("2024-03-05")),
            ("24/03/05", YearFirst, Some("2024-03-05")),
            ("24/03/2005", YearFirst, Some("2005-03-24")),
            // times after, weekday before, punctuation around
            ("12/03/2018 10:15", DayFirst, Some("2018-03-12")),
            ("12/03/2018, 10:15 AM", DayFirst, Some("2018-03-12")),
            ("2024-03-05T10:15:00Z", DayFirst, Some("2024-03-05")),
            ("  12/03/2018: ", DayFirst, Some("2018-03-12")),
            ("(12/03/2018),", DayFirst, Some("2018-03-12")),
            ("Tue, 5 March 2024", DayFirst, Some("2024-03-05")),
            ("Tuesday 05/03/2024", MonthFirst, Some("2024-05-03")),
            // written months
            ("5 March 2024", MonthFirst, Some("2024-03-05")),
            ("March 5, 2024", DayFirst, Some("2024-03-05")),
            ("05-Mar-24", MonthFirst, Some("2024-03-05")),
            ("5-MAR-2024", DayFirst, Some("2024-03-05")),
            ("Mar 5 2024", DayFirst, Some("2024-03-05")),
            ("Sept. 30, 2023", DayFirst, Some("2023-09-30")),
            ("5th March 2024", DayFirst, Some("2024-03-05")),
            ("1st Jan 2020", DayFirst, Some("2020-01-01")),
            ("the 5th day of March, 2021", DayFirst, Some("2021-03-05")),
            // superscript ordinals as PDF text layers give them
            ("20t h day of November, 2018", DayFirst, Some("2018-11-20")),
            ("1 st day of October 2008", DayFirst, Some("2008-10-01")),
            ("March 5 th, 2021", MonthFirst, Some("2021-03-05")),
            ("March 5th, 2021", DayFirst, Some("2021-03-05")),
            ("5 Mar '24", DayFirst, Some("2024-03-05")),
            ("2024-Mar-05", DayFirst, Some("2024-03-05")),
            ("2024 March 5", DayFirst, Some("2024-03-05")),
            // other languages
            ("5. März 2024", DayFirst, Some("2024-03-05")),
            ("1. Januar 2020", DayFirst, Some("2020-01-01")),
            ("1er janvier 2020", DayFirst, Some("2020-01-01")),
            ("15 août 2022", DayFirst, Some("2022-08-15")),
            ("5 de marzo de 2024", DayFirst, Some("2024-03-05")),
            ("3 enero 2021", DayFirst, Some("2021-01-03")),
            ("5 Mac 2024", DayFirst, Some("2024-03-05")),
            ("12 Ogos 2023", DayFirst, Some("2023-08-12")),
            ("1 Mei 2023", DayFirst, Some("2023-05-01")),
            ("31 Dis 2023", DayFirst, Some("2023-12-31")),
            ("9 Okt 2023", DayFirst, Some("2023-10-09")),
            // invalid dates and garbage
            ("31/02/2024", DayFirst, None),
            ("29/02/2023", DayFirst, None),
            ("29/02/2024", DayFirst, Some("2024-02-29")),
            ("31 April 2024", DayFirst, None),
            ("13/13/2024", DayFirst, None),
            ("12/03/1850", DayFirst, None),
            ("12/03-2018", DayFirst, None),
            ("123/03/2018", DayFirst, None),
            ("March 2024", DayFirst, None),
            ("Date: 12/03/2018", DayFirst, None),
            ("12.50", DayFirst, None),
            ("hello", DayFirst, None),
            ("", DayFirst, None),
            ("5 Marchy 2024", DayFirst, None),
            ("10:15", DayFirst, None),
        ];
        for &(input, order, expected) in cases {
            assert_eq!(
                iso(parse_date(input, order)).as_deref(),
                expected,
                "parse_date({input:?}, {order:?})"
            );
        }
    }

    #[test]
    fn ambiguity_flag() {
        let cases: &[(&str, DateOrder, bool)] = &[
            ("05/03/2024", DayFirst, true),
            ("05/03/2024", MonthFirst, true),
            ("25/03/2024", DayFirst, false),
            ("03/25/2024", DayFirst, false),
            ("03/03/2024", DayFirst, false),
            ("2024-03-05", DayFirst, false),
            ("5 March 2024", MonthFirst, false),
            ("24/03/05", YearFirst, true),
        ];
        for &(input, order, expected) in cases {
            let parsed = parse_date(input, order).expect(input);
            assert_eq!(parsed.ambiguous, expected, "{input:?} {order:?}");
        }
    }

    #[test]
    fn infer_date_order_table() {
        let cases: &[(&[&str], Option<DateOrder>)] = &[
            (&["25/12/2024", "05/03/2024"], Some(DayFirst)),
            (&["12/25/2024", "05/03/2024"], Some(MonthFirst)),
            (&["13.01.2020 10:00"], Some(DayFirst)),
            (&["05/03/2024", "2024-03-05"], None),
            // without figures that decide, the written dates do
            (
                &["05/03/2024", "2024-03-05", "5 March 2024"],
                Some(DayFirst),
            ),
            (&["4/8/2020", "April 8, 2020"], Some(MonthFirst)),
            (&["03/01/05", "Mar. 1st, 2005"], Some(MonthFirst)),
            (&["03/01/05", "the 1st day of March, 2005"], None),
            (
                &["25/12/2024", "April 8, 2020", "May 9, 2020"],
                Some(DayFirst),
            ),
            (&["25/12/2024", "12/25/2024"], None),
            (&["25/12/2024", "26/12/2024", "12/25/2024"], Some(DayFirst)),
            (&["32/12/2024"], None),
            // a time OCR'd with dots (12:17:26) is no month-first evidence
            (&["06/01/18", "12.17.26"], None),
            (&["12.17.2026"], None),
            (&[], None),
        ];
        for &(inputs, expected) in cases {
            assert_eq!(infer_date_order(inputs), expected, "{inputs:?}");
        }
    }

    #[test]
    fn find_dates_table() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Invoice date: 12/03/2018 Due: 2018-04-11",
                &["12/03/2018", "2018-04-11"],
            ),
            (
                "Made on the 5th day of March, 2021 by and between",
                &["the 5th day of March, 2021"],
            ),
            (
                "made and entered into this 20t h day of December 2018 (the",
                &["20t h day of December 2018"],
            ),
            (
                "Signed Tue, 5 March 2024 at 10:15; effective March 5th, 2021.",
                &["5 March 2024", "March 5th, 2021"],
            ),
            (
                "Shipped 05-Mar-24, paid 5-MAR-2024",
                &["05-Mar-24", "5-MAR-2024"],
            ),
            ("Datum: 5. März 2024", &["5. März 2024"]),
            ("Tarikh: 12 Ogos 2023", &["12 Ogos 2023"]),
            ("Date 12.03.2018. Total 12.50", &["12.03.2018"]),
            // not dates
            ("Total 12.50 EUR, qty 3", &[]),
            ("Call 555-123-4567 or +44 20 7946 0958", &[]),
            ("Version 1.2.3 and v1.2.24 on 10.0.0.1", &[]),
            ("Ref 12/34/2024 and 2024-13-01", &[]),
            ("Part no. 12/03/20189", &[]),
            ("Paid 12 May, 25 people attended", &[]),
            ("the year 2024 and 1999", &[]),
        ];
        for &(text, expected) in cases {
            let found: Vec<String> = find_dates(text).into_iter().map(|f| f.text).collect();
            assert_eq!(found, expected, "find_dates({text:?})");
        }
    }

    #[test]
    fn find_dates_offsets_are_chars() {
        let text = "Fälligkeit: 5. März 2024";
        let found = find_dates(text);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        let span: String = text.chars().skip(f.start).take(f.end - f.start).collect();
        assert_eq!(span, "5. März 2024");
        assert_eq!((f.start, f.end), (12, 24));
    }

    #[test]
    fn ocr_misreads_in_dates_are_mended() {
        let cases: &[(&str, Option<&str>)] = &[
            ("92/02/2018", Some("02/02/2018")),
            ("04/42/2017", Some("04/12/2017")),
            ("41/05/2018", Some("11/05/2018")),
            ("20/04/2078", Some("20/04/2018")),
            ("63/05/2078", Some("03/05/2018")),
            ("12-02-2618", Some("12-02-2018")),
            ("O9/02/17", Some("09/02/17")),
            ("D2/02/17", Some("02/02/17")),
            ("2670572018", Some("26/05/2018")),
            ("20/0472078", Some("20/04/2018")),
            ("1771172017", Some("17/11/2017")),
            // a written month's day read with letters
            ("Q1-Nov-2017", Some("01-Nov-2017")),
            ("O5 Mar 2018", Some("05 Mar 2018")),
            ("l2-Dec-2016", Some("12-Dec-2016")),
            ("01-Nov-2017", None),
            ("Q1-Nov-2077", None),
            ("QQ-Nov-2017", None),
            // right as read: nothing to mend
            ("20/04/2018", None),
            ("31/12/2026", None),
            // not mendable, or not one way only
            ("3h-06-16", None),
            ("99/99/2018", None),
            ("77/77/2077", None),
            ("12/05-2018", None),
            ("0123456789", None),
            ("2075552018", None),
        ];
        for (text, want) in cases {
            assert_eq!(repair_ocr_date(text, 2027).as_deref(), *want, "{text}");
        }
        // the latest year decides what is implausible
        assert_eq!(repair_ocr_date("01/02/2027", 2027), None);
        assert_eq!(
            repair_ocr_date("01/02/2047", 2027).as_deref(),
            Some("01/02/2017")
        );
    }

    #[test]
    fn find_ocr_dates_gives_spans_as_read_and_mended_text() {
        let found = find_ocr_dates("Date Q1-Nov-2017_11:20 Item ABQ1-Nov-2017", 2027);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|(f, r)| (f.text.as_str(), r.as_str()))
            .collect();
        assert_eq!(got, [("Q1-Nov-2017", "01-Nov-2017")], "not inside a word");
        let text = "Doc No: CS00013125 Date: 92/02/2018 Cashier\nTel 03-2078-2322 Inv 20/04/2018 Mate:O9/02/17 x\n\
                    Version 91.1.15 Tel 0127772018";
        let found = find_ocr_dates(text, 2027);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|(f, r)| (f.text.as_str(), r.as_str()))
            .collect();
        assert_eq!(
            got,
            [("92/02/2018", "02/02/2018"), ("O9/02/17", "09/02/17")]
        );
        let (f, _) = &found[0];
        assert_eq!(
            text.chars()
                .skip(f.start)
                .take(f.end - f.start)
                .collect::<String>(),
            "92/02/2018"
        );
    }
}
