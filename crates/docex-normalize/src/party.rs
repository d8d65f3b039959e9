//! Parties: a tagged name cleaned of labels, quotes and legal boilerplate, and
//! the folded form used to compare names.

use std::sync::LazyLock;

use regex::Regex;

use crate::distance::edit_distance;
use crate::legal_form::{form_word, names_a_company};

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("party pattern is valid")
}

/// Labels that are stripped even without a colon (`Ship to ACME`).
static PHRASE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:bill(?:ed)?\s+to|sold\s+to|ship(?:ped)?\s+to|deliver(?:ed)?\s+to|invoice(?:d)?\s+to|remit(?:tance)?\s+to|issued\s+(?:to|by)|billed\s+by|prepared\s+for|(?:billing|delivery|shipping)\s+address|factur[ée]\s+[àa]|livr[ée]\s+[àa]|(?:by\s+and\s+)?between|attn|attention|(?:party\s+)?m\s*/\s*s)\b\.?\s*[:\-–]?\s*\.?\s*",
    )
});

/// Single-word labels, stripped only before a colon or dash (`To:` but not `Toyota`).
static WORD_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)^(?:vendor|supplier|seller|customer|buyer|purchaser|client|from|to|payee|payer|merchant|store|company|party|lessor|lessee|licensor|licensee|landlord|tenant|contractor|consultant|employer|employee|name|recipient|kunde|rechnungsempfänger|empfänger|lieferant|lieferadresse|verkäufer|käufer|fournisseur|vendeur|acheteur)\s*[:\-–]\s*",
    )
});

/// A trailing parenthetical that defines or registers the party:
/// `(the "Company")`, `(hereinafter "Buyer")`, `(Company No. 12345-X)`.
static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i)\s*\([^()]*(?:["“”'‘’]|\bhereinafter\b|\bherein\b|\bno\.?\s*:?\s*\d|\bregistration\b|\breg\.)[^()]*\)\s*$"#,
    )
});

/// Boilerplate after the name: `, a Delaware corporation`, `, hereinafter ...`,
/// `, incorporated in ...` (or cut short: `, incorporated`, in lower case: `, Incorporated`
/// is a legal form), `, with its principal office at ...`, `, Company No. ...`, an address
/// after `of` (`Aoife Brennan of 12 Seafield Crescent`).
static DESCRIPTION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i),?\s*(?:(?:hereinafter|herein\s+after)\b|(?:incorporated|organi[sz]ed|registered|existing|duly\s+organi[sz]ed)\s+(?:in|under|and)\b|(?:with|having)\s+(?:its\s+)?(?:principal\s+|registered\s+|head\s+)?(?:office|offices|place\s+of\s+business|address)\b|(?:company|registration|reg\.?|co\.?)\s*(?:no\.?|number)\s*:?\s*\d|(?-i:(?:incorporated|organi[sz]ed|registered)\s*$)|(?-i:of\s+\d+[A-Za-z]?\s+[A-Z])).*$",
    )
});

/// `, a Delaware corporation` and kin: an article, a few words, an entity kind.
pub(crate) static ENTITY_KIND: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i),\s*(?:an?|the)\s+(?:[\w.&'’\-]+\s+){0,6}?(?:corporation|company|limited\s+liability\s+company|limited\s+partnership|general\s+partnership|partnership|llc|entity|organi[sz]ation|association|trust|bank|individual|sole\s+proprietorship|body\s+corporate|soci[ée]t[ée])\b.*$",
    )
});

/// Another name the party trades or traded under, or the note that it is a person:
/// `, d/b/a Recreation USA`, `, a/k/a E-Path FX`, `(f/k/a Marrero Terminal, LLC)`,
/// `, Individual`.
static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)(?:,?\s*\(?\b(?:d/b/a|d\.b\.a\.?|dba|doing\s+business\s+as|trading\s+as|t/a|a/k/a|also\s+known\s+as|f/k/a|formerly\s+known\s+as|n/k/a|now\s+known\s+as)\s|,\s*(?:an\s+)?individual\b).*$",
    )
});

/// Abbreviations whose final `.` belongs to the name.
pub(crate) const ABBREVIATIONS: &[&str] = &[
    "co", "corp", "inc", "ltd", "pvt", "bhd", "pte", "pty", "plc", "llc", "llp", "lp", "sa", "ag",
    "nv", "bv", "srl", "spa", "jr", "sr", "intl", "assn", "bros", "mfg", "dept", "st", "limited",
];

/// What a party cannot be: the role words contracts and forms use in place of a name.
const GENERIC: &[&str] = &[
    "company",
    "customer",
    "client",
    "vendor",
    "supplier",
    "seller",
    "buyer",
    "purchaser",
    "licensee",
    "licensor",
    "lessor",
    "lessee",
    "landlord",
    "tenant",
    "contractor",
    "subcontractor",
    "franchisee",
    "franchisor",
    "consultant",
    "employer",
    "employee",
    "provider",
    "service provider",
    "recipient",
    "kunde",
    "lieferant",
    "fournisseur",
    "discloser",
    "disclosing party",
    "receiving party",
    "party",
    "parties",
    "both parties",
    "each party",
    "owner",
    "agent",
    "distributor",
    "partner",
    "borrower",
    "lender",
    "guarantor",
    "merchant",
    "store",
    "payee",
    "payer",
    "name",
    "from",
    "to",
    "bill to",
    "ship to",
    "sold to",
    "invoice to",
    "n a",
    "na",
    "none",
    "tbd",
];

/// Words that end a name's run to the left: they join, introduce or describe names
/// (role words, `from` and `to` among them, are in `GENERIC`, which is checked too).
const NOT_NAME_WORDS: &[&str] = &[
    "and",
    "between",
    "by",
    "among",
    "amongst",
    "with",
    "this",
    "that",
    "agreement",
    "dated",
    "made",
    "entered",
    "into",
    "for",
    "on",
    "in",
    "at",
    "is",
    "as",
    "said",
    "each",
    "whereas",
    "witnesseth",
    "date",
    "only",
];

/// Words of a document's own labels, which stand before the name in a letterhead
/// (`TAX INVOICE SHAH MARKETING`, `Payment SHAH MARKETING`, `QUOTATION245 ...`) but are
/// never part of it.
const DOCUMENT_LABEL_WORDS: &[&str] = &[
    "invoice",
    "tax",
    "gst",
    "vat",
    "quotation",
    "quote",
    "estimate",
    "proforma",
    "payment",
    "receipt",
    "bill",
    "note",
    "delivery",
    "challan",
    "original",
    "duplicate",
    "triplicate",
    "copy",
    "order",
    "statement",
    "memo",
    "credit",
    "debit",
    "no",
    "ref",
    "total",
];

/// How many characters at the end of `before` (the text right before the tagged
/// `name`, on its line) belong to the name: the tagger sometimes starts a name one or two words
/// late (`National Football League` + `Alumni, Inc.`, `MTI` + `TECHNOLOGY CORPORATION`).
/// At most four words, each capitalised or holding a digit (`bw-3`) or `&`, none a
/// joining word (`and`, `between`), a role word (`Licensee`) or ending in a comma,
/// colon, quote or bracket; a word ending in `.` only as an initial (`D.`), a number
/// only of two to four digits (`99 SPEED MART`, not the `2` of a list nor an account
/// number), a word of one or two letters only as an initial (`D.`, not a logo's `M`),
/// and none a document label (`TAX INVOICE`, `Payment`, `QUOTATION245`). A firm
/// named after its partners takes them over their commas (`Keefe,` + `Bruyette &
/// Woods, Inc.`): when the name's second word is `&`, capitalised words that end
/// in a comma are taken, and once one is, only such words.
pub fn name_words_before(before: &str, name: &str) -> usize {
    let line = before.rsplit('\n').next().unwrap_or("");
    if !line.ends_with(' ') || line.ends_with("  ") {
        return 0;
    }
    let mut taken = 0;
    // right to left: the name's first word, then the words before it
    let words: Vec<&str> = std::iter::once(name.split_whitespace().next().unwrap_or(""))
        .chain(line[..line.len() - 1].rsplit(' ').take(4))
        .collect();
    let letter = |w: &str| w.chars().count() == 1 && w != "&";
    let firm = name.split_whitespace().nth(1) == Some("&");
    let mut partners = false;
    for (i, &word) in words.iter().enumerate().skip(1) {
        let first = word.chars().next();
        let name_like = word == "&"
            || first.is_some_and(char::is_uppercase)
            || (first.is_some_and(char::is_alphanumeric)
                && word.chars().any(|c| c.is_ascii_digit()));
        let lower = word.to_lowercase();
        let bare = lower.trim_end_matches(['.', ',']);
        let initial = word.chars().count() == 2 && first.is_some_and(char::is_alphabetic);
        // `QUOTATION245`: a label with the document's number run into it
        let label = bare.trim_end_matches(|c: char| c.is_ascii_digit());
        let number = !word.chars().any(char::is_alphabetic);
        // a letter or two left of a letterhead name is a logo's or a stamp's (`M SHAH
        // MARKETING`, `KO SHAH MARKETING`), not an initial (`D.`) nor one of a run of
        // initials (`C W KHOO`)
        let in_initials =
            letter(word) && (words.get(i + 1).is_some_and(|w| letter(w)) || letter(words[i - 1]));
        let stray_letters = !number
            && word != "&"
            && word.chars().count() <= 2
            && !word.ends_with('.')
            && !in_initials;
        // `Keefe,` before `Bruyette & Woods`: a partner's name, with letters only
        let partner = firm
            && word.len() > 3
            && word.ends_with(',')
            && word[..word.len() - 1]
                .chars()
                .all(|c| c.is_alphabetic() || c == '\'');
        // past a partner, only partners
        let stops = ((partners || word.ends_with([',', ';', ':', ')', ']', '"', '”', '\'', '’']))
            && !partner)
            || (word.ends_with('.') && !initial)
            // a list number or a quantity, not a name's number (`99 SPEED MART`); nor
            // an account, phone or document number (`1711119`, `2.91112E+11`, `2/214`)
            || (word.len() == 1 && first.is_some_and(|c| c.is_ascii_digit()))
            || (number && (word.len() > 4 || word.contains(['.', ',', '/', '+'])))
            || stray_letters
            || word.contains('+')
            || NOT_NAME_WORDS.contains(&bare)
            || GENERIC.contains(&bare)
            || DOCUMENT_LABEL_WORDS.contains(&label);
        if !name_like || stops {
            break;
        }
        partners |= partner;
        taken += word.chars().count() + 1;
    }
    taken
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Punctuation trimmed from the ends of a name (parentheses are balanced separately).
fn is_edge_punct(c: char) -> bool {
    c.is_whitespace() || ",;:\"'“”‘’«»*–—-_/|".contains(c)
}

/// Removes wrapping or unmatched parentheses at the ends.
fn balance_parens(s: &str) -> &str {
    let mut s = s;
    loop {
        let opens = s.matches('(').count();
        let closes = s.matches(')').count();
        let before = s;
        if s.starts_with('(') && s.ends_with(')') && opens == closes {
            let inner = &s[1..s.len() - 1];
            // Only if the outer pair wraps everything: `(A) and (B)` stays.
            if inner.find(')') >= inner.find('(') || !inner.contains(')') {
                s = inner;
            }
        } else if s.ends_with(')') && closes > opens {
            s = &s[..s.len() - 1];
        } else if s.starts_with('(') && opens > closes {
            s = &s[1..];
        }
        s = s.trim_matches(is_edge_punct);
        if s == before {
            return s;
        }
    }
}

/// Lowercase words that begin names: `de Elektro OHG`, `van Leeuwen BV`, `von Bülow`.
pub(crate) const NAME_PARTICLES: &[&str] = &[
    "de", "da", "di", "do", "du", "dos", "das", "del", "della", "der", "den", "des", "la", "le",
    "van", "von", "ten", "ter", "zu", "zur", "af", "al", "el", "bin", "ibn",
];

/// Drops the lowercase word a tagged name can start with (`the TOWN OF VINTON`,
/// `retain Gianluca Rotino`): a word of lowercase letters before a word that starts
/// with a capital or a digit. `eBay Inc.`, `bw-3 SYSTEMS` and names that start with a
/// particle (`de Elektro OHG`, `van Leeuwen BV`) stay.
fn without_leading_lowercase(s: &str) -> &str {
    match s.split_once(' ') {
        Some((word, after))
            if !word.is_empty()
                && word.chars().all(|c| c.is_ascii_lowercase())
                && !NAME_PARTICLES.contains(&word)
                && after.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) =>
        {
            after
        }
        _ => s,
    }
}

/// A word OCR made of a logo's edge, a rule or a stain: no letter or digit, and not
/// one that joins the words of a name (`&`, `-`, `+`, `/`, `.`, brackets).
fn junk_word(word: &str) -> bool {
    !word.chars().any(char::is_alphanumeric)
        && !word
            .chars()
            .all(|c| matches!(c, '&' | '-' | '+' | '/' | '.' | '(' | ')' | '\''))
}

/// The name among the parts of an OCR'd line that junk words cut apart (`PPUBOG |
/// YHM Aeon Tebrau City`, `Sticky Bones * Timeless Kitchenette Sdn Bhd`, `31901 014 ,
/// SYARIKAT PERNIAGAAN GIN KEE`): the one part that names a company by its legal
/// form, else the last part when it has two words or more that are not a form; all
/// the words otherwise.
fn past_ocr_junk<'w>(words: &[&'w str]) -> Vec<&'w str> {
    let parts: Vec<&[&str]> = words
        .split(|w| junk_word(w))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return words.to_vec();
    }
    let companies: Vec<&&[&str]> = parts.iter().filter(|p| names_a_company(p)).collect();
    if let [company] = companies[..] {
        return company.to_vec();
    }
    let last = parts[parts.len() - 1];
    let named = last
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic) && !form_word(w))
        .count();
    if named >= 2 {
        return last.to_vec();
    }
    words.to_vec()
}

/// A name read by OCR without the specks around it: what junk words cut off (see
/// `past_ocr_junk`), leading and trailing words with no letter or digit (`é . °
/// HAPPY SNACKS`), and one- or two-letter lowercase words at the ends of a name
/// otherwise in capitals (`RESTORAN SIAM VILLAGE oo`).
pub fn trim_ocr_specks(name: &str) -> String {
    let all: Vec<&str> = name.split_whitespace().collect();
    let words = past_ocr_junk(&all);
    let capitals = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .filter(|w| !w.chars().any(char::is_lowercase))
        .count();
    let speck = |w: &str| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphanumeric()).collect();
        letters.is_empty()
            || (capitals >= 2
                && letters.len() <= 2
                && letters.iter().all(|c| c.is_lowercase() || !c.is_ascii()))
    };
    let start = words.iter().position(|w| !speck(w)).unwrap_or(words.len());
    let end = words
        .iter()
        .rposition(|w| !speck(w))
        .map_or(start, |i| i + 1);
    words[start..end].join(" ")
}

/// Drops a sentence-final `.` unless it ends an abbreviation (`Corp.`, `S.A.`).
fn trailing_period(s: &str) -> &str {
    let Some(stem) = s.strip_suffix('.') else {
        return s;
    };
    let last = stem.rsplit(' ').next().unwrap_or(stem);
    let keep = last.contains('.')
        || last.chars().count() == 1
        || ABBREVIATIONS.contains(&last.to_lowercase().as_str());
    if keep {
        s
    } else {
        stem
    }
}

/// Cleans a tagged party name: `"Bill to: ACME Corp."` → `"ACME Corp."`.
///
/// Strips leading labels (`Bill to`, `Sold To :`, `Ship to`, `Invoice to`,
/// `Billing address`, `Facturé à`, `between`; single-word labels (also German
/// and French ones: `Kunde`, `Rechnungsempfänger`, `Fournisseur`) such as `Vendor`, `Customer`, `From`, `To`
/// only before a colon or dash), quotes, commas, colons and unmatched or
/// wrapping parentheses at the ends, trailing definitions (`(the "Company")`,
/// `(hereinafter "Buyer")`, `(Company No. 12345-X)`) and descriptions
/// (`, a Delaware corporation`, `, with its principal office at ...`), and
/// collapses whitespace. A final `.` is kept only after an abbreviation.
/// `None` when nothing with a letter is left or only a role word
/// (`Company`, `the Customer`, `Licensee`, `the Parties`).
pub fn clean_party(text: &str) -> Option<String> {
    let mut s = collapse_whitespace(text);
    loop {
        let before = s.clone();
        let trimmed = s.trim_matches(is_edge_punct);
        let trimmed = PHRASE_LABEL.replace(trimmed, "");
        let trimmed = WORD_LABEL.replace(&trimmed, "");
        let trimmed = DEFINITION.replace(&trimmed, "");
        let trimmed = DESCRIPTION.replace(&trimmed, "");
        let trimmed = ENTITY_KIND.replace(&trimmed, "");
        let trimmed = ALIAS.replace(&trimmed, "");
        let trimmed = without_leading_lowercase(&trimmed);
        s = trailing_period(balance_parens(trimmed.trim_matches(is_edge_punct))).to_string();
        if s == before {
            break;
        }
    }
    let s = once(&s);
    if !s.chars().any(char::is_alphabetic) {
        return None;
    }
    let folded = fold(&s);
    let role = folded.strip_prefix("the ").unwrap_or(&folded);
    if GENERIC.contains(&role) || (s.chars().count() == 1) {
        return None;
    }
    Some(s)
}

/// Where the legal name starts in a name tagged over lines whose last line is a
/// company's legal name and whose earlier line is its brand, a word of which the legal
/// name spells (`Bramble & Bean` / `Bramble and Bean Coffee Co. Ltd`, `THE ASHCOMBE
/// HOTEL` / `Ashcombe Hospitality Partners LP`): receipts print the brand above the
/// company. `None` for a name broken over two lines, whose lines share no word
/// (`LIAN CHI PU TIAN VEGETARIAN` / `RESTAURANT SDN BHD`) or whose first line runs on
/// (`THE COFFEE BEAN &` / `TEA LEAF (M) SDN. BHD.`). In characters.
pub fn legal_line_start(name: &str) -> Option<usize> {
    let (brand, legal) = name.trim_end().rsplit_once('\n')?;
    let legal_words: Vec<&str> = legal.split_whitespace().collect();
    let runs_on = brand.trim_end().ends_with(['&', ',', '-', '+'])
        || brand
            .split_whitespace()
            .last()
            .is_some_and(|w| ["and", "of", "the", "for"].contains(&w.to_lowercase().as_str()));
    if runs_on || !names_a_company(&legal_words) {
        return None;
    }
    let spelled = fold(legal);
    let spelled: Vec<&str> = spelled.split_whitespace().collect();
    let shared = fold(brand)
        .split_whitespace()
        .any(|w| w.chars().count() >= 3 && !["the", "and"].contains(&w) && spelled.contains(&w));
    shared.then(|| brand.chars().count() + 1)
}

/// A name written twice in a row (`SIDDHARTH VALUE HOMES LLP Siddharth Value Homes
/// Lip`: a letterhead's name and its stamp's, read as one) is the name once. The halves
/// must be at least two words each and fold alike but for a few letters (OCR).
fn once(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let half = words.len() / 2;
    if half < 2 || !words.len().is_multiple_of(2) {
        return name.to_string();
    }
    let (first, second) = (words[..half].join(" "), words[half..].join(" "));
    let (a, b): (Vec<char>, Vec<char>) = (
        fold(&first).chars().collect(),
        fold(&second).chars().collect(),
    );
    let alike = (edit_distance(&a, &b) as f32) <= 0.15 * a.len().max(b.len()) as f32;
    if alike {
        first
    } else {
        name.to_string()
    }
}

/// Folds a name for comparison: lowercase, common Latin accents removed,
/// `.` and apostrophes dropped (`A.C.M.E.` = `ACME`), `&` read as `and`, other
/// punctuation as a space, whitespace collapsed.
///
/// `fold("ACME Corp.") == fold("acme  corp")`; `fold("Müller & Söhne") == "muller and sohne"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            '.' | '\'' | '’' | '‘' => {}
            '&' => out.push_str(" and "),
            c if c.is_alphanumeric() => match unaccent(c) {
                Some(plain) => out.push_str(plain),
                None => out.push(c),
            },
            _ => out.push(' '),
        }
    }
    collapse_whitespace(&out)
}

/// The plain spelling of a lowercase accented Latin letter.
fn unaccent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_brand_line_above_the_legal_name_is_not_the_name() {
        let cases = [
            (
                "Bramble & Bean\nBramble and Bean Coffee Co. Ltd",
                Some("Bramble and Bean Coffee Co. Ltd"),
            ),
            (
                "FRISCHMARKT KRÄMER\nFrischmarkt Krämer GmbH & Co. KG",
                Some("Frischmarkt Krämer GmbH & Co. KG"),
            ),
            (
                "THE ASHCOMBE HOTEL\nAshcombe Hospitality Partners LP",
                Some("Ashcombe Hospitality Partners LP"),
            ),
            // a name broken over two lines
            ("LIAN CHI PU TIAN VEGETARIAN\nRESTAURANT SDN BHD", None),
            ("THE COFFEE BEAN &\nTEA LEAF (M) SDN. BHD.", None),
            // a tagline under a person's name: no legal form
            ("Priya Natarajan\nPriya Natarajan Design", None),
            ("Acme Ltd", None),
        ];
        for (name, legal) in cases {
            let kept = legal_line_start(name).map(|k| name.chars().skip(k).collect::<String>());
            assert_eq!(kept.as_deref(), legal, "{name:?}");
        }
    }

    #[test]
    fn ocr_specks_around_a_name_are_trimmed() {
        let cases = [
            ("é . ° HAPPY SNACKS ENTERPRISE", "HAPPY SNACKS ENTERPRISE"),
            ("RESTORAN SIAM VILLAGE oo", "RESTORAN SIAM VILLAGE"),
            ("| 99 SPEED MART S/B", "99 SPEED MART S/B"),
            // names in mixed case keep their short words, inner words stay
            ("Cafe de la Paix", "Cafe de la Paix"),
            ("mi Casa", "mi Casa"),
            ("A & W RESTAURANT", "A & W RESTAURANT"),
            ("ONE ONE THREE SEAFOOD", "ONE ONE THREE SEAFOOD"),
            // junk words cut a name: the part with a legal form, else the last
            ("PPUBOG | YHM Aeon Tebrau City", "YHM Aeon Tebrau City"),
            (
                "Sticky Bones * Timeless Kitchenette Sdn Bhd",
                "Timeless Kitchenette Sdn Bhd",
            ),
            ("ACME TRADING SDN BHD | Ot", "ACME TRADING SDN BHD"),
            (
                "31901 014 , SYARIKAT PERNIAGAAN GIN KEE",
                "SYARIKAT PERNIAGAAN GIN KEE",
            ),
            ("AOI : : AEON CO. (M) BHD", "AEON CO. (M) BHD"),
            // joiners are no junk; a last part of one word or a bare form is no name
            ("B & BEST RESTAURANT", "B & BEST RESTAURANT"),
            ("MR . DAKGALBI SOLARIS", "MR . DAKGALBI SOLARIS"),
            ("ACME TRADING , SDN BHD", "ACME TRADING , SDN BHD"),
            ("HAPPY SNACKS | Ot", "HAPPY SNACKS | Ot"),
        ];
        for (name, want) in cases {
            assert_eq!(trim_ocr_specks(name), want, "{name}");
        }
    }

    #[test]
    fn words_of_the_name_before_a_late_start_are_counted() {
        let cases: &[(&str, &str)] = &[
            (
                "Chapter; National Football League ",
                "National Football League ",
            ),
            ("made by and between MTI ", "MTI "),
            ("19____, by and between bw-3 ", "bw-3 "),
            ("Dr. George D. ", "George D. "),
            ("a Pennsylvania corporation, Gulf ", "Gulf "),
            ("THE COFFEE BEAN & ", "THE COFFEE BEAN & "),
            // nothing to take
            ("between ", ""),
            ("the Licensee ", ""),
            ("(\"Buyer\") ", ""),
            ("Keefe, ", ""),
            ("Agent: ", ""),
            ("ACME", ""),
            ("One Two Three Four Five ", "Two Three Four Five "),
            ("line above\n", ""),
            ("1. ", ""),
            ("Qty 2 ", ""),
            ("RM 10,080.00 Ten Thousand Eighty Only ", ""),
            ("| 99 ", "99 "),
            // a letterhead's labels and numbers are not the name's
            ("TAX INVOICE ", ""),
            ("Payment ", ""),
            ("QUOTATION245 ", ""),
            ("Delivery Note ", ""),
            ("1711119 ", ""),
            ("2.91112E+11 M ", ""),
            ("KO ", ""),
            ("C W ", "C W "),
            ("Cash Sale C ", ""),
            ("Cash Sale : A B ", "A B "),
            ("Paynient k2 ", ""),
            ("2/214 GST INVOICE ", ""),
            ("Door No 7 Seven Hills ", "Seven Hills "),
        ];
        for (before, want) in cases {
            let n = name_words_before(before, "KHOO HARDWARE");
            let got: String = before.chars().skip(before.chars().count() - n).collect();
            assert_eq!(got, *want, "{before:?}");
        }
        // a firm's partners before its `&` (`Keefe,` + `Bruyette & Woods`), and only they
        let firm = "Bruyette & Woods, Inc.";
        assert_eq!(name_words_before("Exhibit 1.2 Keefe, ", firm), 7);
        assert_eq!(name_words_before("with Elias, Matz, ", firm), 13);
        assert_eq!(name_words_before("Agent Keefe, ", firm), 7);
        assert_eq!(name_words_before("Bank of Keefe, ", firm), 7);
        assert_eq!(name_words_before("with 1st, ", firm), 0);
        assert_eq!(name_words_before("the Company, ", firm), 0);
        // an initial joins a name that starts with one (`C` + `W KHOO HARDWARE`)
        assert_eq!(name_words_before("C ", "W KHOO HARDWARE"), 2);
        assert_eq!(name_words_before("M ", "SHAH MARKETING"), 0);
    }

    #[test]
    fn clean_party_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Bill to: ACME Corp.", Some("ACME Corp.")),
            ("Sold To : Foo Ltd", Some("Foo Ltd")),
            ("Vendor: X Trading", Some("X Trading")),
            ("Supplier - Globex GmbH", Some("Globex GmbH")),
            ("From: Initech LLC", Some("Initech LLC")),
            ("To: Jane Doe", Some("Jane Doe")),
            ("Ship to ACME Corp", Some("ACME Corp")),
            ("Invoice to: Umbrella plc,", Some("Umbrella plc")),
            ("BILL TO:\n  Wayne   Enterprises", Some("Wayne Enterprises")),
            ("Toyota Motor Corp.", Some("Toyota Motor Corp.")),
            // Messrs before an Indian customer, and a name read twice (letterhead and stamp)
            (
                "Party M / s . SIDDHARTH VALUE HOMES LLP",
                Some("SIDDHARTH VALUE HOMES LLP"),
            ),
            ("M/s. Shah Marketing", Some("Shah Marketing")),
            (
                "SIDDHARTH VALUE HOMES LLP Siddharth Value Homes Lip",
                Some("SIDDHARTH VALUE HOMES LLP"),
            ),
            ("Johnson Johnson", Some("Johnson Johnson")),
            ("New York New Jersey", Some("New York New Jersey")),
            ("Rechnungsempfänger: Müller GmbH", Some("Müller GmbH")),
            ("Kunde: Foo AG", Some("Foo AG")),
            ("Facturé à : Dupont SAS", Some("Dupont SAS")),
            ("Billing address: Foo Ltd", Some("Foo Ltd")),
            ("Customer: ACME, Inc.", Some("ACME, Inc.")),
            ("Fromm Family Foods", Some("Fromm Family Foods")),
            ("\"Acme Widgets, Inc.\"", Some("Acme Widgets, Inc.")),
            ("“Blue Sky Ltd”", Some("Blue Sky Ltd")),
            ("(Stark Industries)", Some("Stark Industries")),
            ("Stark Industries)", Some("Stark Industries")),
            ("ACME (Pty) Ltd", Some("ACME (Pty) Ltd")),
            ("Kedai ABC (M) Sdn. Bhd.", Some("Kedai ABC (M) Sdn. Bhd.")),
            ("Foo Inc., a Delaware corporation", Some("Foo Inc.")),
            (
                "KESTREL DATA SERVICES LIMITED, incorporated",
                Some("KESTREL DATA SERVICES LIMITED"),
            ),
            ("GOLFERS, Incorporated", Some("GOLFERS, Incorporated")),
            (
                "Aoife Brennan of 12 Seafield Crescent, Clontarf",
                Some("Aoife Brennan"),
            ),
            ("Bank of America, N.A.", Some("Bank of America, N.A.")),
            (
                "the TOWN OF VINTON, VIRGINIA",
                Some("TOWN OF VINTON, VIRGINIA"),
            ),
            ("retain Gianluca Rotino", Some("Gianluca Rotino")),
            ("eBay Inc.", Some("eBay Inc.")),
            ("de Elektro OHG", Some("de Elektro OHG")),
            ("van Leeuwen Transport BV", Some("van Leeuwen Transport BV")),
            (
                "bw-3 FRANCHISE SYSTEMS, INC.",
                Some("bw-3 FRANCHISE SYSTEMS, INC."),
            ),
            ("the Company", None),
            (
                "Holiday RV Superstores, Inc., d/b/a Recreation USA",
                Some("Holiday RV Superstores, Inc."),
            ),
            ("Bruce Jenner, Individual", Some("Bruce Jenner")),
            (
                "SFG Financial Corp, a/k/a E-Path FX",
                Some("SFG Financial Corp"),
            ),
            (
                "MAGELLAN TERMINALS HOLDINGS, L.P. (f/k/a Marrero Terminal, LLC)",
                Some("MAGELLAN TERMINALS HOLDINGS, L.P."),
            ),
            ("ACME DBA Widgets", Some("ACME")),
            ("Individual Solutions Ltd", Some("Individual Solutions Ltd")),
            (
                "Bar LLC, a New York limited liability company, with offices at 1 Main St",
                Some("Bar LLC"),
            ),
            (
                "Baz Ltd, a company incorporated in England",
                Some("Baz Ltd"),
            ),
            ("Qux Pte. Ltd. (the \"Company\")", Some("Qux Pte. Ltd.")),
            (
                "Zed Corp (hereinafter referred to as “Licensor”)",
                Some("Zed Corp"),
            ),
            ("Zed Corp, hereinafter \"Licensor\"", Some("Zed Corp")),
            (
                "Kedai Maju Sdn Bhd (Company No. 123456-X)",
                Some("Kedai Maju Sdn Bhd"),
            ),
            (
                "Widget Co, with its principal office at 5 Elm Rd",
                Some("Widget Co"),
            ),
            ("between Alpha Corporation.", Some("Alpha Corporation")),
            ("John Smith.", Some("John Smith")),
            ("A Better Company", Some("A Better Company")),
            // nothing or only a role left
            ("Customer:", None),
            ("Supplier", None),
            ("the Company", None),
            ("Licensee", None),
            ("the Parties", None),
            ("(the \"Customer\")", None),
            ("Bill to:", None),
            ("  , : ", None),
            ("12345", None),
            ("", None),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                clean_party(input).as_deref(),
                expected,
                "clean_party({input:?})"
            );
        }
    }

    #[test]
    fn fold_table() {
        let cases: &[(&str, &str)] = &[
            ("ACME Corp.", "acme corp"),
            ("  acme   CORP ", "acme corp"),
            ("A.C.M.E.", "acme"),
            ("O'Brien & Sons", "obrien and sons"),
            ("Müller-Lüdenscheidt GmbH", "muller ludenscheidt gmbh"),
            ("Société Générale, S.A.", "societe generale sa"),
            ("Straße", "strasse"),
            ("", ""),
        ];
        for &(input, expected) in cases {
            assert_eq!(fold(input), expected, "fold({input:?})");
        }
    }
}
