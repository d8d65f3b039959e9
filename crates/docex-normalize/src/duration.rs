//! Durations: contract terms and notice periods to ISO 8601 (`P2Y`, `P36M`).

use std::sync::LazyLock;

use regex::{Captures, Regex};

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// The value of an English number word below a thousand (`"thirty-six"`,
/// `"thirty six"`, `"one hundred and eighty"`, `"Twelve"`); `a`/`an` are one.
fn number_word(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    if word == "a" || word == "an" {
        return Some(1);
    }
    let parts: Vec<&str> = word
        .split(|c: char| c == '-' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    match parts.iter().position(|&p| p == "hundred") {
        Some(1) => {
            let hundreds = below_hundred(&parts[..1]).filter(|h| (1..=9).contains(h))?;
            let rest = match &parts[2..] {
                [] => 0,
                ["and", rest @ ..] | rest => below_hundred(rest)?,
            };
            Some(hundreds * 100 + rest)
        }
        Some(_) => None,
        None => below_hundred(&parts),
    }
}

/// `["thirty", "six"]` → 36; `["twelve"]` → 12.
fn below_hundred(parts: &[&str]) -> Option<u32> {
    let ones = |w: &str| ONES.iter().position(|o| *o == w).map(|n| n as u32);
    let tens = |w: &str| {
        let w = if w == "fourty" { "forty" } else { w };
        TENS.iter()
            .position(|t| !t.is_empty() && *t == w)
            .map(|n| n as u32 * 10)
    };
    match parts {
        [one] => tens(one).or_else(|| ones(one)),
        [ten, one] => Some(tens(ten)? + ones(one).filter(|o| (1..=9).contains(o))?),
        _ => None,
    }
}

/// A number word below a thousand: hundreds, then tens (with an optional
/// unit), teens and units before the shorter words they start with.
fn number_word_pattern() -> String {
    let tens = "twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety";
    let units = "one|two|three|four|five|six|seven|eight|nine";
    let teens = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen";
    // Longer words first so that `fourteen` is not read as `four`.
    let mut small: Vec<&str> = teens
        .split('|')
        .chain(units.split('|'))
        .chain(["zero"])
        .collect();
    small.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let small = small.join("|");
    let below_hundred = format!(r"(?:(?:{tens})(?:[\s-]+(?:{units}))?|{small})");
    format!(
        r"(?:(?:{units})[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?{below_hundred}\b)?|{below_hundred})\b"
    )
}

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    let word = number_word_pattern();
    Regex::new(&format!(
        r"(?i)(?:\b(?P<word>{word}|an?\b)\s*)?(?:\(\s*(?P<paren>\d{{1,3}})\s*\)\s*)?(?:\b(?P<digits>\d{{1,3}})(?:\s*\(\s*(?P<pword>{word})\s*\))?)?\s*-?\s*(?:calendar\s+)?(?P<unit>years?|yrs?|months?|mos?|weeks?|wks?|days?)\b"
    ))
    .expect("duration pattern is valid")
});

static JOINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:,\s*)?(?:and\s+|&\s*)?$").expect("joiner pattern is valid")
});

/// The count of one match: a number word wins over the digits (in contracts
/// the words govern), an article only when nothing else is written.
fn count(c: &Captures<'_>) -> Option<u32> {
    let word = c.name("word").map(|m| m.as_str());
    let article = word.is_some_and(|w| w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an"));
    let digits = |name| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let written = |name| c.name(name).and_then(|m| number_word(m.as_str()));
    if !article {
        if let Some(n) = word.and_then(number_word) {
            return Some(n);
        }
    }
    written("pword")
        .or_else(|| digits("paren"))
        .or_else(|| digits("digits"))
        .or_else(|| article.then_some(1))
}

/// Parses a duration to ISO 8601: `P2Y`, `P36M`, `P90D`, `P4W`, `P1Y6M`.
///
/// The number may be digits, English words below a thousand, or both
/// (`two (2) years`, `thirty-six (36) months`, `12 (twelve) months`); `a`/`an`
/// count one. Units are years, months, weeks and (calendar) days, singular or
/// plural, spaced or hyphenated (`12-month`). Words around the duration are
/// skipped (`a term of two (2) years from the Effective Date`). Parts joined by
/// `and` or a comma add up (`one year and six months` is `P1Y6M`; weeks then
/// become days). Fractions (`1.5 years`) and business days give `None`.
pub fn parse_duration(text: &str) -> Option<String> {
    let mut parts: Vec<(char, u32)> = Vec::new();
    let mut last_end = None;
    for c in DURATION.captures_iter(text) {
        let m = c.get(0).expect("group 0 always matches");
        if let Some(end) = last_end {
            if !JOINER.is_match(&text[end..m.start()]) {
                break;
            }
        }
        // `1.5 years`: the match starts inside a decimal number.
        let before = text[..m.start()].strip_suffix(['.', ',']);
        if before.is_some_and(|b| b.ends_with(|c: char| c.is_ascii_digit())) {
            return None;
        }
        let Some(n) = count(&c) else {
            if parts.is_empty() {
                continue;
            }
            break;
        };
        let unit = match c["unit"].to_lowercase().chars().next() {
            Some('y') => 'Y',
            Some('m') => 'M',
            Some('w') => 'W',
            _ => 'D',
        };
        if parts.iter().any(|&(u, _)| u == unit) {
            break;
        }
        parts.push((unit, n));
        last_end = Some(m.end());
    }
    if parts.is_empty() {
        return None;
    }
    if let [('W', n)] = parts[..] {
        return Some(format!("P{n}W"));
    }
    let get = |unit| {
        parts
            .iter()
            .find(|&&(u, _)| u == unit)
            .map_or(0, |&(_, n)| n)
    };
    let days = get('D') + 7 * get('W');
    let mut out = String::from("P");
    for (n, unit) in [(get('Y'), 'Y'), (get('M'), 'M'), (days, 'D')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out == "P" {
        out.push_str(&format!("0{}", parts[0].0));
    }
    Some(out)
}

/// The date `duration` (an ISO 8601 duration of years, months, weeks and days, as
/// [`parse_duration`] writes them) after `start`: `2021-04-01` + `P2Y` is
/// `2023-04-01`. Month ends clamp (`2024-01-31` + `P1M` is `2024-02-29`). `None`
/// for anything else (times, fractions) or a date out of range.
pub fn add_duration(start: chrono::NaiveDate, duration: &str) -> Option<chrono::NaiveDate> {
    let mut rest = duration.strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (mut months, mut days) = (0u32, 0u64);
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: u32 = rest[..digits].parse().ok()?;
        match rest[digits..].chars().next()? {
            'Y' => months = months.checked_add(n.checked_mul(12)?)?,
            'M' => months = months.checked_add(n)?,
            'W' => days += u64::from(n) * 7,
            'D' => days += u64::from(n),
            _ => return None,
        }
        rest = &rest[digits + 1..];
    }
    start
        .checked_add_months(chrono::Months::new(months))?
        .checked_add_days(chrono::Days::new(days))
}

#[cfg(test)]
mod tests {
    #[test]
    fn add_duration_table() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let table: &[(&str, &str, Option<&str>)] = &[
            ("2021-04-01", "P2Y", Some("2023-04-01")),
            ("2024-01-31", "P1M", Some("2024-02-29")),
            ("2024-03-01", "P90D", Some("2024-05-30")),
            ("2024-03-01", "P1Y6M", Some("2025-09-01")),
            ("2024-03-01", "P2W", Some("2024-03-15")),
            ("2024-03-01", "PT5H", None),
            ("2024-03-01", "2Y", None),
            ("2024-03-01", "P", None),
        ];
        for (start, dur, want) in table {
            assert_eq!(
                super::add_duration(d(start), dur),
                want.map(d),
                "{start} + {dur}"
            );
        }
    }

    use super::*;

    #[test]
    fn parse_duration_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("two (2) years", Some("P2Y")),
            ("2 years", Some("P2Y")),
            ("thirty-six (36) months", Some("P36M")),
            ("Thirty Six (36) Months", Some("P36M")),
            ("ninety (90) days", Some("P90D")),
            ("one year", Some("P1Y")),
            ("6 months", Some("P6M")),
            ("12-month", Some("P12M")),
            ("a 12-month term", Some("P12M")),
            ("five (5) year", Some("P5Y")),
            ("twelve (12) months", Some("P12M")),
            ("12 (twelve) months", Some("P12M")),
            ("fourteen days", Some("P14D")),
            ("four weeks", Some("P4W")),
            ("2 wks", Some("P2W")),
            ("thirty (30) calendar days", Some("P30D")),
            ("ninety-nine years", Some("P99Y")),
            ("one hundred eighty (180) days", Some("P180D")),
            ("three hundred sixty-five (365) days", Some("P365D")),
            ("one hundred and twenty days", Some("P120D")),
            ("365 days", Some("P365D")),
            ("twenty years", Some("P20Y")),
            ("a year", Some("P1Y")),
            ("one (1) yr", Some("P1Y")),
            ("(3) months", Some("P3M")),
            ("3mos", Some("P3M")),
            ("zero days", Some("P0D")),
            // words disagree with digits: the words govern
            ("two (3) years", Some("P2Y")),
            // surrounding words and combinations
            (
                "for a term of two (2) years from the Effective Date",
                Some("P2Y"),
            ),
            ("one year and six months", Some("P1Y6M")),
            ("1 year, 2 months and 3 days", Some("P1Y2M3D")),
            ("2 weeks and 3 days", Some("P17D")),
            ("2 years; thereafter 1 year", Some("P2Y")),
            // garbage and unsupported
            ("years", None),
            ("the term", None),
            ("1.5 years", None),
            ("30 business days", None),
            ("tenant", None),
            ("", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                parse_duration(input).as_deref(),
                expected,
                "parse_duration({input:?})"
            );
        }
    }

    #[test]
    fn number_words() {
        let cases: &[(&str, Option<u32>)] = &[
            ("zero", Some(0)),
            ("seventeen", Some(17)),
            ("forty", Some(40)),
            ("fourty-two", Some(42)),
            ("ninety nine", Some(99)),
            ("twenty-ten", None),
            ("one hundred", Some(100)),
            ("nine hundred and ninety-nine", Some(999)),
            ("twelve hundred", None),
            ("hundred five", None),
            ("hundred", None),
            ("one two three", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(number_word(input), expected, "number_word({input:?})");
        }
    }
}
