//! The field layer's vocabulary, as data: the TOML files in `lexicons/` (label words per
//! field and language, tax words, document-type words, locale facts), compiled into the
//! binary, read once, and turned into the matchers the rules use ([`matchers`]).
//!
//! A word list is a table of regex fragments by language (`en = [...]`, `de = [...]`);
//! its matcher joins them, English first and then the other languages in name order,
//! into one alternation framed as the list's comment says (whole words, the end of a
//! label, a heading line). A new language's words are lines in these files, not code.
//! Each file has an examples file (`lexicons/examples/`) that the tests run through the
//! same matchers.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use thiserror::Error;

/// Regex fragments by language code.
pub type Words = BTreeMap<String, Vec<String>>;

/// `lexicons/doctype.toml`: words that tell a document's type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocTypeWords {
    /// Contract prose.
    pub contract: Words,
    /// Billing words.
    pub billing: Words,
    /// A till's words.
    pub till: Words,
    /// Words naming an invoice.
    pub invoice: Words,
}

/// `lexicons/labels.toml`: label words per field.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// A line that states a total.
    pub total: Words,
    /// Words of lines that only look like a total.
    pub not_total: Words,
    /// Stems of such lines, matched anywhere.
    pub not_total_stems: Words,
    /// A label before an amount before tax or charges.
    pub subtotal: Words,
    /// A total stated before tax.
    pub before_tax: Words,
    /// A payment line.
    pub payment: Words,
    /// A change line.
    pub change: Words,
    /// A rounding line.
    pub rounding: Words,
    /// A heading naming the customer.
    pub customer_heading: Words,
    /// A heading naming the vendor.
    pub vendor_heading: Words,
    /// Labels of an invoice's other dates.
    pub other_date: Words,
    /// Words that end a letterhead's name (plain words).
    pub letterhead_end: Words,
}

/// `lexicons/taxes.toml`: tax words.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxes {
    /// Words of a tax line.
    pub tax: Words,
    /// Names of taxes (case-sensitive).
    pub tax_name: Words,
    /// Words that make a tax line a total.
    pub tax_included: Words,
}

/// `lexicons/locale.toml`: locale facts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocaleFacts {
    /// The coin cash totals round to, in cents, by currency (`default` for the rest).
    pub cash_unit: BTreeMap<String, i64>,
    /// US addresses.
    pub us_address: UsAddress,
}

/// US state codes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsAddress {
    /// Two-letter codes.
    pub states: Vec<String>,
}

/// Every lexicon file, parsed.
#[derive(Debug)]
pub struct Lexicon {
    /// `doctype.toml`.
    pub doctype: DocTypeWords,
    /// `labels.toml`.
    pub labels: Labels,
    /// `taxes.toml`.
    pub taxes: Taxes,
    /// `locale.toml`.
    pub locale: LocaleFacts,
}

/// A lexicon file that does not parse or whose patterns do not compile.
#[derive(Debug, Error)]
pub enum LexiconError {
    /// The TOML is invalid or has unknown keys.
    #[error("lexicon {file}: {source}")]
    Toml {
        /// The file under `lexicons/`.
        file: &'static str,
        /// The parse error.
        #[source]
        source: toml::de::Error,
    },
    /// A list's patterns do not make a regex.
    #[error("lexicon {file}, list {list}: {source}")]
    Pattern {
        /// The file under `lexicons/`.
        file: &'static str,
        /// The list.
        list: &'static str,
        /// The regex error.
        #[source]
        source: regex::Error,
    },
    /// A required entry is missing.
    #[error("lexicon {file}: {what}")]
    Missing {
        /// The file under `lexicons/`.
        file: &'static str,
        /// What is missing.
        what: &'static str,
    },
}

/// The files, as compiled in.
pub const FILES: [(&str, &str); 4] = [
    ("doctype.toml", include_str!("../lexicons/doctype.toml")),
    ("labels.toml", include_str!("../lexicons/labels.toml")),
    ("taxes.toml", include_str!("../lexicons/taxes.toml")),
    ("locale.toml", include_str!("../lexicons/locale.toml")),
];

impl Lexicon {
    /// Parses the compiled-in files.
    pub fn embedded() -> Result<Lexicon, LexiconError> {
        fn parse<T: serde::de::DeserializeOwned>(i: usize) -> Result<T, LexiconError> {
            let (file, text) = FILES[i];
            toml::from_str(text).map_err(|source| LexiconError::Toml { file, source })
        }
        Ok(Lexicon {
            doctype: parse(0)?,
            labels: parse(1)?,
            taxes: parse(2)?,
            locale: parse(3)?,
        })
    }
}

/// The regexes the rules match, built from the [`Lexicon`].
#[derive(Debug)]
pub struct Matchers {
    /// doctype `contract`: whole words, on lowercased text.
    pub contract: Regex,
    /// doctype `billing`.
    pub billing: Regex,
    /// doctype `till`.
    pub till: Regex,
    /// doctype `invoice`.
    pub invoice: Regex,
    /// labels `total`: whole words, any case.
    pub total_line: Regex,
    /// labels `not_total` (whole words) and `not_total_stems` (anywhere).
    pub not_total_line: Regex,
    /// labels `subtotal`: from a word's start.
    pub subtotal_label: Regex,
    /// labels `before_tax`: whole words.
    pub before_tax: Regex,
    /// labels `payment`: whole words.
    pub payment_line: Regex,
    /// labels `change`: whole words.
    pub change_line: Regex,
    /// labels `rounding`: whole words.
    pub rounding_line: Regex,
    /// labels `customer_heading`: the whole label.
    pub customer_heading: Regex,
    /// labels `vendor_heading`: the whole label.
    pub vendor_heading: Regex,
    /// labels `other_date`: the end of a label.
    pub other_date_label: Regex,
    /// labels `letterhead_end`, lowercased.
    pub letterhead_end: Vec<String>,
    /// taxes `tax`: whole words or after a digit, `%` or `x`.
    pub tax_line: Regex,
    /// taxes `tax_name`: whole words, case-sensitive.
    pub tax_name: Regex,
    /// taxes `tax_included`: whole words.
    pub tax_included: Regex,
    /// locale `us_address`: a state code before a ZIP code.
    pub us_address: Regex,
    /// locale `cash_unit`.
    pub cash_units: BTreeMap<String, i64>,
    /// locale `cash_unit.default`.
    pub cash_unit_default: i64,
}

/// The fragments of a list joined as one alternation: English first, then the other
/// languages in name order.
pub fn alternation(words: &Words) -> String {
    let english = words.get("en").into_iter().flatten();
    let others = words
        .iter()
        .filter(|(lang, _)| lang.as_str() != "en")
        .flat_map(|(_, w)| w);
    english
        .chain(others)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("|")
}

impl Matchers {
    /// Builds every matcher, or says which list is wrong.
    pub fn build(lex: &Lexicon) -> Result<Matchers, LexiconError> {
        let re = |file: &'static str, list: &'static str, pattern: String| {
            Regex::new(&pattern).map_err(|source| LexiconError::Pattern { file, list, source })
        };
        let (d, l, t) = (&lex.doctype, &lex.labels, &lex.taxes);
        let words = |list: &'static str, w: &Words| {
            re("doctype.toml", list, format!(r"\b(?:{})\b", alternation(w)))
        };
        let label = |list: &'static str, w: &Words| {
            re(
                "labels.toml",
                list,
                format!(r"(?i)\b(?:{})\b", alternation(w)),
            )
        };
        let heading = |list: &'static str, w: &Words| {
            re(
                "labels.toml",
                list,
                format!(r"(?i)^\s*(?:{})\s*[:\-]?\s*$", alternation(w)),
            )
        };
        let cash_unit_default =
            *lex.locale
                .cash_unit
                .get("default")
                .ok_or(LexiconError::Missing {
                    file: "locale.toml",
                    what: "cash_unit.default",
                })?;
        Ok(Matchers {
            contract: words("contract", &d.contract)?,
            billing: words("billing", &d.billing)?,
            till: words("till", &d.till)?,
            invoice: words("invoice", &d.invoice)?,
            total_line: label("total", &l.total)?,
            not_total_line: re(
                "labels.toml",
                "not_total",
                format!(
                    r"(?i)(?:{})|\b(?:{})\b",
                    alternation(&l.not_total_stems),
                    alternation(&l.not_total)
                ),
            )?,
            subtotal_label: re(
                "labels.toml",
                "subtotal",
                format!(r"(?i)\b(?:{})", alternation(&l.subtotal)),
            )?,
            before_tax: label("before_tax", &l.before_tax)?,
            payment_line: label("payment", &l.payment)?,
            change_line: label("change", &l.change)?,
            rounding_line: label("rounding", &l.rounding)?,
            customer_heading: heading("customer_heading", &l.customer_heading)?,
            vendor_heading: heading("vendor_heading", &l.vendor_heading)?,
            other_date_label: re(
                "labels.toml",
                "other_date",
                format!(
                    r"(?i)\b(?:{})\b[ .:#\-]*(?:date|dt|on)?[ .:\-•·]*$",
                    alternation(&l.other_date)
                ),
            )?,
            letterhead_end: l
                .letterhead_end
                .values()
                .flatten()
                .map(|w| w.to_lowercase())
                .collect(),
            tax_line: re(
                "taxes.toml",
                "tax",
                format!(r"(?i)(?:\b|[0-9%x])(?:{})\b", alternation(&t.tax)),
            )?,
            tax_name: re(
                "taxes.toml",
                "tax_name",
                format!(r"\b(?:{})\b", alternation(&t.tax_name)),
            )?,
            tax_included: re(
                "taxes.toml",
                "tax_included",
                format!(r"(?i)\b(?:{})\b", alternation(&t.tax_included)),
            )?,
            us_address: re(
                "locale.toml",
                "us_address",
                format!(
                    r"\b(?:{}),?[ \t]+\d{{5}}(?:-\d{{4}})?\b",
                    lex.locale.us_address.states.join("|")
                ),
            )?,
            cash_units: lex.locale.cash_unit.clone(),
            cash_unit_default,
        })
    }

    /// Every list's matcher with its file and name, as the examples files name them.
    pub fn lists(&self) -> [(&'static str, &'static str, &Regex); 18] {
        [
            ("doctype", "contract", &self.contract),
            ("doctype", "billing", &self.billing),
            ("doctype", "till", &self.till),
            ("doctype", "invoice", &self.invoice),
            ("labels", "total", &self.total_line),
            ("labels", "not_total", &self.not_total_line),
            ("labels", "subtotal", &self.subtotal_label),
            ("labels", "before_tax", &self.before_tax),
            ("labels", "payment", &self.payment_line),
            ("labels", "change", &self.change_line),
            ("labels", "rounding", &self.rounding_line),
            ("labels", "customer_heading", &self.customer_heading),
            ("labels", "vendor_heading", &self.vendor_heading),
            ("labels", "other_date", &self.other_date_label),
            ("taxes", "tax", &self.tax_line),
            ("taxes", "tax_name", &self.tax_name),
            ("taxes", "tax_included", &self.tax_included),
            ("locale", "us_address", &self.us_address),
        ]
    }

    /// The matcher of a list by its file and name (see [`Matchers::lists`]).
    pub fn by_name(&self, file: &str, list: &str) -> Option<&Regex> {
        self.lists()
            .into_iter()
            .find(|(f, l, _)| *f == file && *l == list)
            .map(|(_, _, re)| re)
    }

    /// The coin a currency's cash totals round to, in cents.
    pub fn cash_unit(&self, currency: Option<&str>) -> i64 {
        currency
            .and_then(|c| self.cash_units.get(c))
            .copied()
            .unwrap_or(self.cash_unit_default)
    }
}

static MATCHERS: LazyLock<Result<Matchers, LexiconError>> =
    LazyLock::new(|| Matchers::build(&Lexicon::embedded()?));

/// Checks the lexicons once (the pipeline calls it when it starts, so a broken file
/// stops the run before any document).
pub fn check() -> Result<(), &'static LexiconError> {
    MATCHERS.as_ref().map(|_| ())
}

/// The matchers the rules use.
///
/// # Panics
///
/// When the compiled-in lexicons are broken, which the crate's tests and
/// [`check`] at start-up catch first.
pub fn matchers() -> &'static Matchers {
    match MATCHERS.as_ref() {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Examples {
        #[serde(default)]
        example: Vec<Example>,
        #[serde(default)]
        cash_unit: Vec<CashUnit>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Example {
        list: String,
        text: String,
        matches: bool,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CashUnit {
        currency: String,
        cents: i64,
    }

    const EXAMPLES: [(&str, &str); 4] = [
        ("doctype", include_str!("../lexicons/examples/doctype.toml")),
        ("labels", include_str!("../lexicons/examples/labels.toml")),
        ("taxes", include_str!("../lexicons/examples/taxes.toml")),
        ("locale", include_str!("../lexicons/examples/locale.toml")),
    ];

    #[test]
    fn the_lexicons_parse_and_build() {
        check().unwrap();
    }

    #[test]
    fn every_example_matches_as_it_says() {
        let m = matchers();
        let mut failures = Vec::new();
        let mut seen: Vec<(String, bool)> = Vec::new();
        for (file, text) in EXAMPLES {
            let examples: Examples = toml::from_str(text).unwrap();
            for x in &examples.example {
                let re = m
                    .by_name(file, &x.list)
                    .unwrap_or_else(|| panic!("examples/{file}.toml: no list {:?}", x.list));
                // the document type counts its words in lowercased text
                let text = if file == "doctype" {
                    x.text.to_lowercase()
                } else {
                    x.text.clone()
                };
                if re.is_match(&text) != x.matches {
                    failures.push(format!(
                        "examples/{file}.toml: {:?} {} {:?}",
                        x.text,
                        if x.matches {
                            "should match"
                        } else {
                            "should not match"
                        },
                        x.list
                    ));
                }
                seen.push((format!("{file}/{}", x.list), x.matches));
            }
            for c in &examples.cash_unit {
                let got = m.cash_unit(Some(&c.currency));
                if got != c.cents {
                    failures.push(format!(
                        "cash unit of {}: {got}, not {}",
                        c.currency, c.cents
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // every list has an example that matches and one that does not
        for (file, list, _) in m.lists() {
            let name = format!("{file}/{list}");
            for want in [true, false] {
                assert!(
                    seen.contains(&(name.clone(), want)),
                    "{name} has no example that {}",
                    if want { "matches" } else { "does not match" }
                );
            }
        }
    }

    #[test]
    fn a_broken_pattern_names_its_file_and_list() {
        let mut lex = Lexicon::embedded().unwrap();
        lex.labels
            .total
            .insert("xx".into(), vec!["(unclosed".into()]);
        let err = Matchers::build(&lex).unwrap_err().to_string();
        assert!(
            err.contains("labels.toml") && err.contains("total"),
            "{err}"
        );
    }

    #[test]
    fn english_comes_first_then_the_other_languages_by_name() {
        let words: Words = [
            ("fr".to_string(), vec!["montant".to_string()]),
            ("en".to_string(), vec!["total".to_string()]),
            ("de".to_string(), vec!["summe".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(alternation(&words), "total|summe|montant");
    }
}
