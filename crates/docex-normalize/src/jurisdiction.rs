//! Governing law: the place named in a governing-law clause.

use std::sync::LazyLock;

use regex::Regex;

use crate::party::fold;

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("jurisdiction pattern is valid")
}

/// Words before the place: `governed by the laws of the State of`, `courts of`.
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:(?:is|are|shall\s+be|will\s+be)\s+)?(?:governed\s+by|construed\s+(?:in\s+accordance\s+with|under)|interpreted\s+(?:in\s+accordance\s+with|under)|in\s+accordance\s+with|pursuant\s+to|subject\s+to|under|by|and|the|(?:exclusive\s+|non-exclusive\s+)?jurisdiction\s+of|(?:internal\s+|substantive\s+)?laws?\s+(?:of|in)|courts?\s+(?:of|in|located\s+in)|(?:state|commonwealth|province|territory|canton|emirate|kingdom|(?:federal\s+)?republic|grand\s+duchy|principality)\s+of)\b\s*",
    )
});

/// Words after the place: conflict-of-laws riders, federal law, the country.
static TAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:,?\s*(?:without\s+(?:regard|reference|giving\s+effect)|excluding|exclusive\s+of|notwithstanding|other\s+than|applicable\s+(?:therein|to|in)|as\s+applied|including|which\s+apply|and\s+the\s+(?:federal|applicable)\s+laws?)\b.*|,\s*(?:USA|U\.S\.A?\.?|United\s+States(?:\s+of\s+America)?)|\s+laws?)$",
    )
});

/// Countries whose name is "the State of ...": the country, as other places are named
/// (`the State of Israel` is `Israel`, as `the State of New York` is `New York`).
static STATE_NAMED: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bthe\s+state\s+of\s+(israel|qatar|kuwait|eritrea|palestine)\b"));

/// What is not a place.
const GENERIC: &[&str] = &[
    "applicable",
    "applicable law",
    "governing",
    "law",
    "laws",
    "state",
    "country",
    "jurisdiction",
];

fn is_edge_punct(c: char) -> bool {
    c.is_whitespace() || ",;:.\"'“”‘’()[]".contains(c)
}

/// The place in a governing-law phrase: `"the State of New York"` →
/// `"New York"`, `"laws of England and Wales"` → `"England and Wales"`,
/// `"Delaware"` → `"Delaware"`.
///
/// Strips leading `governed by`, `the laws of`, `the State of` (also
/// Commonwealth, Province, Federal Republic, Grand Duchy ... of), `courts of`,
/// and trailing
/// conflict-of-laws riders (`, without regard to ...`), `and the federal laws
/// of ...`, `, USA` and a final `law(s)` (`New York law`). The place keeps its
/// case. `None` when nothing or no place is left.
pub fn clean_jurisdiction(text: &str) -> Option<String> {
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(c) = STATE_NAMED.captures(&s) {
        return Some(c[1].to_string());
    }
    let mut s = s;
    loop {
        let before = s.clone();
        let trimmed = s.trim_matches(is_edge_punct);
        let trimmed = LEAD.replace(trimmed, "");
        let trimmed = TAIL.replace(&trimmed, "");
        s = trimmed.trim_matches(is_edge_punct).to_string();
        if s == before {
            break;
        }
    }
    let folded = fold(&s);
    if folded.is_empty()
        || GENERIC.contains(&folded.as_str())
        || !s.chars().any(char::is_alphabetic)
    {
        return None;
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_jurisdiction_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("the State of New York", Some("New York")),
            ("laws of England and Wales", Some("England and Wales")),
            ("Delaware", Some("Delaware")),
            ("the laws of the State of California", Some("California")),
            (
                "governed by the laws of the State of New York, without regard to its conflict of laws principles",
                Some("New York"),
            ),
            ("the Commonwealth of Massachusetts", Some("Massachusetts")),
            ("the Province of Ontario", Some("Ontario")),
            ("the Republic of Singapore.", Some("Singapore")),
            ("Malaysia", Some("Malaysia")),
            ("New York law", Some("New York")),
            ("the State of Texas, USA", Some("Texas")),
            (
                "the laws of the State of Delaware and the federal laws of the United States",
                Some("Delaware"),
            ),
            ("the courts of England", Some("England")),
            ("the Federal Republic of Germany", Some("Germany")),
            ("the Grand Duchy of Luxembourg", Some("Luxembourg")),
            ("the Netherlands", Some("Netherlands")),
            ("the laws of the State of Israel", Some("Israel")),
            ("England and Wales law", Some("England and Wales")),
            ("the United Kingdom", Some("United Kingdom")),
            ("the laws of the United States", Some("United States")),
            ("  (Germany) ", Some("Germany")),
            // nothing left
            ("applicable law", None),
            ("the laws of", None),
            ("", None),
            ("123", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                clean_jurisdiction(input).as_deref(),
                expected,
                "clean_jurisdiction({input:?})"
            );
        }
    }
}
