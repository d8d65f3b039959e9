//! A contract's preamble: the two names that `between A and B` joins
//! (`by and between NETWORK 1 FINANCIAL, INC. ("NETWORK 1"), a Virginia Corporation
//! with its principal place of business at ..., and Payment Data Systems, Inc., the
//! Affiliate Office ("AFFILIATE"), ...`).

use std::sync::LazyLock;

use regex::Regex;

use crate::legal_form::form_word;
use crate::party::{clean_party, ABBREVIATIONS, ENTITY_KIND, NAME_PARTICLES};

/// A name in a `between A and B` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseName {
    /// Byte offset of the name as written, in the clause.
    pub start: usize,
    /// Byte offset just past the name as written.
    pub end: usize,
    /// The name, cleaned ([`clean_party`]).
    pub name: String,
    /// Whether the clause says it names a party: a legal form ends it (`Payment Data
    /// Systems, Inc.`), a definition follows it (`Paul Silas ("Celebrity")`) or a
    /// description (`TOWN OF VINTON, VIRGINIA, a Virginia municipal corporation`).
    pub named_as_party: bool,
}

/// The `and` between the two names, in any case.
static AND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\s+and\s+").expect("and regex"));

/// A definition right after a name: `("Celebrity")`, `(the "Company")`,
/// `(hereinafter referred to as "Buyer")`.
static DEFINED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*,?\s*\((?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+|called\s+)?)?["“']"#)
        .expect("definition regex")
});

/// Lowercase words inside names (`Bank of America`, `Food For Athletes`).
const CONNECTORS: &[&str] = &["of", "and", "the", "for", "&", "-"];

/// Entity words that end a name as a legal form does, though no form of
/// [`form_word`]'s: `ROANOKE GAS COMPANY`, `Keefe Partners L.P.`, `Chase Bank USA, N.A.`.
const ENTITY_WORDS: &[&str] = &["COMPANY", "CO", "LP", "NA", "BANK", "TRUST", "PARTNERSHIP"];

/// How many names a clause may hold, in words.
const MAX_NAME_WORDS: usize = 8;

/// How far (in bytes) the clause runs at most: a preamble sentence, not the contract.
const MAX_CLAUSE: usize = 1000;

/// The two names of a `between A and B` clause, `clause` being the text right after
/// `between`: A up to the first `and` outside brackets that a capitalised word
/// follows, B after it, each up to its first description or definition. The clause
/// ends at its sentence's end. `None` when it has no such `and` or a side holds no
/// name of at most eight capitalised words (`of`, `and`, `the`, `for` may join them).
pub fn between_names(clause: &str) -> Option<[ClauseName; 2]> {
    let end = sentence_end(clause);
    let clause = &clause[..end];
    let and = AND.find_iter(clause).find(|m| {
        depth_at(clause, m.start()) == 0 && {
            let next = clause[m.end()..].trim_start_matches("the ");
            next.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
                && !next.starts_with("State")
                && !next.starts_with("Commonwealth")
        }
    })?;
    let a = clause_name(clause, 0, and.start())?;
    let b = clause_name(clause, and.end(), clause.len())?;
    Some([a, b])
}

/// Where the clause's sentence ends: a `.` outside brackets before a capitalised word
/// that does not end an abbreviation (`Inc. ("NETGEAR")`, `L.L.C., a`), or a `;`.
fn sentence_end(clause: &str) -> usize {
    let mut depth = 0usize;
    let mut limit = MAX_CLAUSE.min(clause.len());
    while !clause.is_char_boundary(limit) {
        limit -= 1;
    }
    for (i, c) in clause[..limit].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => return i,
            '.' if depth == 0 => {
                let after = &clause[i + 1..];
                let next_word = after.trim_start();
                let word = clause[..i].rsplit(char::is_whitespace).next().unwrap_or("");
                let abbreviation = word.contains('.')
                    || word.chars().count() == 1
                    || ABBREVIATIONS.contains(&word.to_lowercase().as_str());
                if after.starts_with(char::is_whitespace)
                    && next_word.starts_with(char::is_uppercase)
                    && !abbreviation
                {
                    return i;
                }
            }
            _ => {}
        }
    }
    limit
}

/// How many brackets are open at `at`.
fn depth_at(text: &str, at: usize) -> usize {
    text[..at].chars().fold(0usize, |d, c| match c {
        '(' => d + 1,
        ')' => d.saturating_sub(1),
        _ => d,
    })
}

/// The name that opens `clause[from..to]`: its capitalised words, up to a bracket, a
/// lowercase word after a comma (`, a Delaware corporation`, `, the Affiliate
/// Office`) or any other lowercase word but a connector.
fn clause_name(clause: &str, from: usize, to: usize) -> Option<ClauseName> {
    let side = &clause[from..to];
    let mut start = None;
    let mut end = 0;
    let mut after_comma = false;
    for (at, word) in words_at(side) {
        if start.is_none() && word.eq_ignore_ascii_case("the") {
            continue;
        }
        let lower = word.starts_with(|c: char| c.is_lowercase());
        let connector = CONNECTORS.contains(&word) || NAME_PARTICLES.contains(&word);
        if word.starts_with('(') || (lower && (after_comma || !connector)) {
            break;
        }
        start.get_or_insert(at);
        end = at + word.len();
        after_comma = word.ends_with(',');
    }
    let start = start?;
    let written = &side[start..end];
    let name = clean_party(written)?;
    let words: Vec<&str> = name.split_whitespace().collect();
    let last = words.last()?.to_lowercase();
    if words.len() > MAX_NAME_WORDS || CONNECTORS.contains(&last.as_str()) {
        return None;
    }
    // the written name ends where its cleaned text does (a `,` or `.` trimmed off)
    let last_word = words.last()?;
    let end = start + written.rfind(last_word)? + last_word.len();
    let after = &side[end..];
    let bare_last: String = last
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_uppercase();
    let named_as_party = form_word(last_word)
        || ENTITY_WORDS.contains(&bare_last.as_str())
        || DEFINED.is_match(after)
        || ENTITY_KIND.find(after).is_some_and(|m| m.start() == 0);
    Some(ClauseName {
        start: from + start,
        end: from + end,
        name,
        named_as_party,
    })
}

/// The whitespace-separated words of `text` with their byte offsets.
pub fn words_at(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two names and whether each is named as a party.
    fn names(clause: &str) -> Option<[(String, bool); 2]> {
        between_names(clause).map(|[a, b]| {
            for n in [&a, &b] {
                assert_eq!(
                    clean_party(&clause[n.start..n.end]).as_deref(),
                    Some(n.name.as_str()),
                    "the offsets hold the name"
                );
            }
            [(a.name, a.named_as_party), (b.name, b.named_as_party)]
        })
    }

    fn pair(a: &str, a_named: bool, b: &str, b_named: bool) -> Option<[(String, bool); 2]> {
        Some([(a.to_string(), a_named), (b.to_string(), b_named)])
    }

    #[test]
    fn the_names_of_a_between_clause_are_found_with_their_evidence() {
        let usio =
            "NETWORK  1 FINANCIAL, INC. (\"NETWORK  1\"),  a  Virginia Corporation with its \
                    principal place of business at 1501  Farm  Credit  Drive, McLean, Virginia \
                    22102-5004, and Payment Data  Systems,  Inc.,  the  Affiliate Office \
                    (\"AFFILIATE\"), a Nevada Corporation.  NETWORK  1  and  Affiliate  agree:";
        assert_eq!(
            names(usio),
            pair(
                "NETWORK 1 FINANCIAL, INC.",
                true,
                "Payment Data Systems, Inc.",
                true
            )
        );
        let town = "the TOWN OF VINTON, VIRGINIA, a Virginia municipal corporation (\"Grantor\"), \
                    and ROANOKE GAS COMPANY, a Virginia corporation (\"Grantee\").";
        assert_eq!(
            names(town),
            pair(
                "TOWN OF VINTON, VIRGINIA",
                true,
                "ROANOKE GAS COMPANY",
                true
            )
        );
        let person = "Healthcare Distribution Specialists LLC (\"HDS\"), a  Delaware corporation, \
                      and Paul Silas (\"Celebrity), an individual.";
        assert_eq!(
            names(person),
            pair(
                "Healthcare Distribution Specialists LLC",
                true,
                "Paul Silas",
                true
            )
        );
        // a name with nothing that says it is a party's
        let bare = "Acme, Inc. (the \"Company\") and Bob. Bob shall work.";
        assert_eq!(names(bare), pair("Acme, Inc.", true, "Bob", false));
        // `and` inside a definition or before `the State of` joins no names
        let inner = "Acme LLC (\"Acme and its affiliates\"), organized under the laws of Delaware \
                     and the State of Texas, and Beta Corp.";
        assert_eq!(names(inner), pair("Acme LLC", true, "Beta Corp.", true));
    }

    #[test]
    fn a_clause_without_two_names_is_none() {
        // prose, not a preamble
        assert_eq!(names("the parties and their affiliates."), None);
        // the sentence ends before any `and`
        assert_eq!(
            names("Acme Corp. (\"Acme\"). This Agreement and the Schedules."),
            None
        );
        // a role word is no name
        assert_eq!(
            names("Homewood Suites LLC (\"we\") and the Franchisee (\"you\")."),
            None
        );
        // too many words for a name
        assert_eq!(
            names("Acme Corp. and One Two Three Four Five Six Seven Eight Nine Inc."),
            None
        );
    }
}
