//! Legal forms at the end of company names (`Ltd`, `GmbH`, `Sdn Bhd`, `S/B`): the
//! form a tagged name stopped short of, and the form OCR misread (`SON BHD`, `$/B`).
//! Names (`party.rs`, `preamble.rs`) ask it whether words are a form's; it asks
//! nothing of theirs.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::distance::edit_distance;

/// Legal forms (`lexicons/legal_forms.toml`), each as its words are written without
/// dots, upper case, in the file's order. Callers try the most words first, so that
/// `GMBH & CO KG` wins over `GMBH` and `SDN BHD` over `BHD`.
static FORMS: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    forms(include_str!("../lexicons/legal_forms.toml")).expect("lexicons/legal_forms.toml (tested)")
});

/// `lexicons/legal_forms.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormsFile {
    form: Vec<FormEntry>,
}

/// One legal form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormEntry {
    /// Its words without dots, upper case, space-separated.
    words: String,
    /// The countries that use it (ISO 3166-1 alpha-2): documentation for now.
    #[allow(dead_code)]
    countries: Vec<String>,
}

/// The forms of a legal forms file, in order.
fn forms(toml_text: &str) -> Result<Vec<Vec<String>>, String> {
    let file: FormsFile = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    file.form
        .into_iter()
        .map(|f| {
            let words: Vec<String> = f.words.split(' ').map(str::to_owned).collect();
            if words.iter().any(|w| w.is_empty() || *w != bare(w)) {
                return Err(format!(
                    "{:?} is not written bare (upper case, no dots)",
                    f.words
                ));
            }
            Ok(words)
        })
        .collect()
}

/// A word as the forms are written: dots and a trailing comma dropped, upper case.
fn bare(word: &str) -> String {
    word.trim_end_matches(',')
        .chars()
        .filter(|&c| c != '.')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether OCR reads `want` as `seen` often enough to mend it in a legal form.
fn misread(seen: char, want: char) -> bool {
    matches!(
        (seen, want),
        ('O' | '0' | 'U' | 'Q' | 'B', 'D')
            | ('3' | '8', 'B')
            | ('$' | '5' | '§' | '8', 'S')
            | ('0' | 'Q' | 'D', 'O')
            | ('1' | '|' | 'L' | '!', 'I')
            | ('1' | '|' | 'I', 'L')
            | ('6', 'G')
            | ('2', 'Z')
    )
}

/// Misread characters of `word` against the form word `want` (both bare), or `None`
/// when they differ otherwise or in more than one place (two in a slashed form such
/// as `S/B`, whose slash holds it in place: `5/8`).
fn misreads(word: &str, want: &str) -> Option<usize> {
    if word.chars().count() != want.chars().count() {
        return None;
    }
    let mut n = 0;
    for (s, w) in word.chars().zip(want.chars()) {
        if s != w {
            if !misread(s, w) {
                return None;
            }
            n += 1;
        }
    }
    (n <= 1 || (n == 2 && want.contains('/'))).then_some(n)
}

/// The form the words spell, if any: exactly, or (with `ocr`) with one misread
/// character per word in a form of three letters or more (`AG` and `SA` are too
/// short to tell from noise). Returns the form and how many characters were misread.
fn form_of(words: &[&str], ocr: bool) -> Option<(&'static [String], usize)> {
    FORMS.iter().find_map(|form| {
        if form.len() != words.len() {
            return None;
        }
        let mut n = 0;
        for (w, want) in words.iter().zip(form.iter()) {
            let w = bare(w);
            if w == **want {
                continue;
            }
            if !ocr || want.len() < 3 {
                return None;
            }
            n += misreads(&w, want)?;
        }
        Some((form.as_slice(), n))
    })
}

/// How many characters at the start of `after` (the text right after a name) are a
/// legal form the name stopped short of: `99 SPEED MART` + ` S/B (519537-X)` takes
/// ` S/B`, `ACME` + `, Inc. (the "Company")` takes `, Inc.`. The form must stand on
/// the name's line, as whole words; on OCR'd text (`ocr`) misread forms count too.
pub fn legal_form_after(after: &str, ocr: bool) -> Option<usize> {
    let line = after.split('\n').next().unwrap_or("");
    let lead = line.len() - line.trim_start_matches([',', ' ']).len();
    if lead == 0 || line[..lead].matches(',').count() > 1 {
        return None;
    }
    // the next words (up to four), each with where it ends; a closing bracket ends the run
    let mut words: Vec<(&str, usize)> = Vec::new();
    let mut offset = lead;
    for raw in line[lead..].split(' ') {
        let word = raw.trim_end_matches([')', ';', ':']);
        if word.is_empty() || words.len() == 4 {
            break;
        }
        words.push((word, offset + word.len()));
        offset += raw.len() + 1;
        if word.len() < raw.len() {
            break;
        }
    }
    (1..=words.len()).rev().find_map(|k| {
        let texts: Vec<&str> = words[..k].iter().map(|(w, _)| *w).collect();
        form_of(&texts, ocr)?;
        let end = words[k - 1].1;
        // a comma after the form is the sentence's, not the name's
        let end = end - usize::from(line[..end].ends_with(','));
        Some(line[..end].chars().count())
    })
}

/// Whether `word` is (a word of) a legal form, as written (`Sdn.`, `BHD`, `Inc.`).
pub fn form_word(word: &str) -> bool {
    let w = bare(word);
    FORMS.iter().any(|form| form.contains(&w))
}

/// Whether `words` are a name that ends in a legal form (misread ones count), with a
/// word before the form that is not one of a form's (`SDN BHD` alone names nothing).
pub(crate) fn names_a_company(words: &[&str]) -> bool {
    (1..words.len().min(5)).any(|k| {
        let (head, tail) = words.split_at(words.len() - k);
        form_of(tail, true).is_some()
            && head
                .iter()
                .any(|w| w.chars().any(char::is_alphabetic) && !form_word(w))
    })
}

/// The name with an OCR-misread legal form at its end spelled right:
/// `SUN VICTORY SON BHD` → `SUN VICTORY SDN BHD`, `KING'S CONFECTIONERY $/B` →
/// `KING'S CONFECTIONERY S/B`. Dots and the case of the letters read right are
/// kept (`Sdn. Bho.` → `Sdn. Bhd.`). A name that ends in `SDN` alone lost its `BHD`
/// (`Sendirian Berhad` is one form): `SKCA TIMBER SON` → `SKCA TIMBER SDN BHD`.
/// Only for OCR'd text.
pub fn mend_legal_form(name: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    if let Some(mended) = mend_sdn_bhd(&words) {
        return mended;
    }
    if let Some(sdn) = lone_sdn(&words) {
        let head = words[..words.len() - 1].join(" ");
        return format!("{head} {} {}", respell(sdn, "SDN"), in_case_of(sdn, "BHD"));
    }
    for k in (1..=words.len().min(4)).rev() {
        let tail = &words[words.len() - k..];
        let Some((form, misread)) = form_of(tail, true) else {
            continue;
        };
        if misread == 0 || k == words.len() {
            return name.to_string();
        }
        let mended: Vec<String> = tail
            .iter()
            .zip(form.iter())
            .map(|(w, want)| respell(w, want))
            .collect();
        let head = words[..words.len() - k].join(" ");
        return format!("{head} {}", mended.join(" "));
    }
    name.to_string()
}

/// `SDN BHD` at the end of a name of more words where one of the two is read right (or
/// with one misread letter) and the other is garbled further, keeping its first
/// letter: `SDN BILD`, `SDN BEED`, `Sdiv Bhd`, `SIN BHD` (two edits at most). The
/// pair holds the garbled word in place as a slash does in `S/B`.
fn mend_sdn_bhd(words: &[&str]) -> Option<String> {
    let [head @ .., sdn, bhd] = words else {
        return None;
    };
    if head.is_empty() {
        return None;
    }
    let near = |word: &str, want: &str| {
        let w: Vec<char> = bare(word).chars().collect();
        let first = w.first() == want.chars().next().as_ref();
        let edits = edit_distance(&w, &want.chars().collect::<Vec<_>>());
        first && (1..=2).contains(&edits) && (3..=5).contains(&w.len())
    };
    let right = |word: &str, want: &str| misreads(&bare(word), want).is_some_and(|n| n <= 1);
    let (sdn_ok, bhd_ok) = (right(sdn, "SDN"), right(bhd, "BHD"));
    if !((sdn_ok && near(bhd, "BHD")) || (bhd_ok && near(sdn, "SDN"))) {
        return None;
    }
    // a word read right keeps its letters; a garbled one is written anew, dot kept
    let fix = |word: &str, want: &str, ok: bool| {
        if ok {
            respell(word, want)
        } else {
            in_case_of(word, want) + if word.ends_with('.') { "." } else { "" }
        }
    };
    Some(format!(
        "{} {} {}",
        head.join(" "),
        fix(sdn, "SDN", sdn_ok),
        fix(bhd, "BHD", bhd_ok)
    ))
}

/// The last of `words` when it is `SDN` (or `SDN` with one misread letter) ending a
/// name of more words: half of `SDN BHD`, whose `BHD` OCR lost or left on the next
/// line. Not `& SON` or `AND SON`, which are names.
fn lone_sdn<'w>(words: &[&'w str]) -> Option<&'w str> {
    let [.., before, last] = words else {
        return None;
    };
    let bare = bare(last);
    let exact = bare == "SDN";
    let after_and = matches!(before.to_uppercase().as_str(), "&" | "AND" | "N");
    (exact || (misreads(&bare, "SDN") == Some(1) && !after_and)).then_some(*last)
}

/// Whether a word is written in lower case after its first letter (`Sdn`, `Bhd.`).
fn lower_after_first(word: &str) -> bool {
    word.chars().skip(1).any(char::is_lowercase)
}

/// The form word `want` (upper case) written in the case of `word`: `Bhd` for `Sdiv`,
/// `BHD` for `SIN`.
fn in_case_of(word: &str, want: &str) -> String {
    if lower_after_first(word) {
        let mut chars = want.chars();
        chars
            .next()
            .into_iter()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    } else {
        want.to_string()
    }
}

/// `word` with its characters other than dots and a final comma replaced by those
/// of `want` where they differ, in lower case when the word's other letters are.
fn respell(word: &str, want: &str) -> String {
    let lower = lower_after_first(word);
    let mut want = want.chars();
    word.chars()
        .map(|c| {
            if c == '.' || (c == ',' && want.as_str().is_empty()) {
                return c;
            }
            let w = want.next().unwrap_or(c);
            if c.to_uppercase().eq(std::iter::once(w)) {
                c
            } else if lower {
                w.to_ascii_lowercase()
            } else {
                w
            }
        })
        .collect()
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
        after: String,
        takes: String,
        #[serde(default)]
        ocr: bool,
    }

    #[test]
    fn the_legal_forms_examples_hold() {
        let examples: Examples =
            toml::from_str(include_str!("../lexicons/examples/legal_forms.toml")).unwrap();
        let mut failures = Vec::new();
        for x in &examples.example {
            let got = legal_form_after(&x.after, x.ocr)
                .map(|n| x.after.chars().take(n).collect::<String>())
                .unwrap_or_default();
            if got != x.takes {
                failures.push(format!(
                    "{:?} (ocr {}): took {got:?}, not {:?}",
                    x.after, x.ocr, x.takes
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(FORMS.len(), 37, "every form of the file is read");
    }

    #[test]
    fn a_form_not_written_bare_is_refused() {
        let bad = "[[form]]\nwords = \"Sdn. Bhd.\"\ncountries = [\"MY\"]\n";
        assert!(forms(bad).unwrap_err().contains("Sdn. Bhd."));
        let unknown = "[[form]]\nwords = \"LTD\"\ncountries = []\nlanguage = \"en\"\n";
        assert!(forms(unknown).is_err());
    }

    #[test]
    fn a_form_after_the_name_is_taken() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            (" S/B (519537-X)", false, Some(" S/B")),
            (", Inc. (the \"Company\")", false, Some(", Inc.")),
            (" Sdn. Bhd.\nNo. 12 Jalan", false, Some(" Sdn. Bhd.")),
            (" GmbH & Co. KG, Berlin", false, Some(" GmbH & Co. KG")),
            (" Ltd, of London", false, Some(" Ltd")),
            (" SON BHD (123-X)", true, Some(" SON BHD")),
            (" $/B", true, Some(" $/B")),
            (" SB\n", false, Some(" SB")),
            (" 5B", true, None),
            (" 5/8 (519S37-X)", true, Some(" 5/8")),
            (" 8/8 273500-U (KJ)", true, Some(" 8/8")),
            (" SBN 3HD a) 8 oO", true, Some(" SBN 3HD")),
            (" 5/8 inch", false, None),
            // not on OCR'd text, not in two-letter forms, not a word that merely starts so
            (" SON BHD", false, None),
            (" 5A", true, None),
            (" Ltda", false, None),
            (" Limited liability", false, Some(" Limited")),
            // the next line is not the name's
            ("\nLTD", false, None),
            // glued to the name is not after it
            ("LTD", false, None),
            (" and its affiliates", false, None),
        ];
        for (after, ocr, want) in cases {
            let got: Option<String> =
                legal_form_after(after, *ocr).map(|n| after.chars().take(n).collect());
            assert_eq!(got.as_deref(), *want, "{after:?}");
        }
    }

    #[test]
    fn misread_forms_are_spelled_right() {
        let cases = [
            ("SUN VICTORY SON BHD", "SUN VICTORY SDN BHD"),
            ("FOUR QUARTERS SUN BHD", "FOUR QUARTERS SDN BHD"),
            (
                "SUPER SEVEN CASH & CARRY SDN 3HD",
                "SUPER SEVEN CASH & CARRY SDN BHD",
            ),
            (
                "GH DISTRIBUTOR & MARKETING SDN BHO",
                "GH DISTRIBUTOR & MARKETING SDN BHD",
            ),
            ("KING'S CONFECTIONERY $/B", "KING'S CONFECTIONERY S/B"),
            ("99 SPEED MART 5/B", "99 SPEED MART S/B"),
            ("99 SPEED MART 5/8", "99 SPEED MART S/B"),
            ("KING'S CONFECTIONERY 8/8", "KING'S CONFECTIONERY S/B"),
            (
                "SUPER SEVEN CASH & CARRY SBN 3HD",
                "SUPER SEVEN CASH & CARRY SDN BHD",
            ),
            // two misreads only in a slashed form
            ("ACME 5ON BHD", "ACME 5ON BHD"),
            ("Kedai Jaya Sdn. Bho.", "Kedai Jaya Sdn. Bhd."),
            ("Acme 1NC", "Acme INC"),
            // right already, or not a form, or only a form: unchanged
            ("ACME SDN BHD", "ACME SDN BHD"),
            // `SDN` alone lost its `BHD`, but `& SON` is a name
            ("SINNATHAMBY HOLDINGS SDN", "SINNATHAMBY HOLDINGS SDN BHD"),
            (
                "SKCA HARDWARE & TIMBER SON",
                "SKCA HARDWARE & TIMBER SDN BHD",
            ),
            ("Kedai Jaya Sdn.", "Kedai Jaya Sdn. Bhd"),
            ("SMITH & SON", "SMITH & SON"),
            ("JONES AND SON", "JONES AND SON"),
            ("SDN", "SDN"),
            // one word of `SDN BHD` read right holds the other, garbled further
            (
                "GARDENIA BAKERIES (KL) SDN BILD",
                "GARDENIA BAKERIES (KL) SDN BHD",
            ),
            ("WARAKUYA SDN BEED", "WARAKUYA SDN BHD"),
            ("Dion Realties Sdiv Bhd", "Dion Realties Sdn Bhd"),
            (
                "Guardian Health And Beauty Sda Bhd",
                "Guardian Health And Beauty Sdn Bhd",
            ),
            ("MR. D.I.Y. (M) SIN BHD", "MR. D.I.Y. (M) SDN BHD"),
            ("WARAKUYA SDN BRAID", "WARAKUYA SDN BRAID"),
            ("ACME SDN OLD", "ACME SDN OLD"),
            ("SON BHD", "SON BHD"),
            ("HAPPY 5A", "HAPPY 5A"),
            ("PAGOH REST AND SERVICE AREA", "PAGOH REST AND SERVICE AREA"),
        ];
        for (name, want) in cases {
            assert_eq!(mend_legal_form(name), want, "{name}");
        }
    }
}
