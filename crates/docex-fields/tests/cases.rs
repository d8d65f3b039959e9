//! The field rules' cases, as data: every `tests/cases/*.toml` file lists
//! documents (pages of text, the spans a tagger gave them) and what `resolve`
//! must make of them. One test runs every case of every file and fails once,
//! listing each failing check with its file, case, field, expected and got.
//!
//! A case (a `[[case]]` table):
//!
//! ```toml
//! [[case]]
//! name = "a-tagged-total-wins-over-the-total-line"   # unique in its file
//! why = "the rule only fills what the tagger left empty"
//! locale = { date_order = "month-first", currency = "USD" }   # optional
//! text = "SHOP\nTotal 61.65\nGST 3.49"   # one page; or parts, see `Text`
//! extractor = "ocr"                      # `text` (default) or `ocr`
//! tags = [{ needle = "3.49", role = "total_amount", confidence = 0.8 }]
//! doc_type = "receipt"
//! fields = { total_amount = "3.49" }     # by their `documents.csv` names
//! none = ["vendor"]                      # fields with no value
//! not = { customer = "SHOP" }            # a value a field must not have
//! parties = []                           # the whole list, in order
//! entities = [{ first = { role = "total_amount" }, text = "3.49", confidence_below = 0.9 }]
//! ```
//!
//! A document of several pages gives `[[case.page]]` tables (`text`, `extractor`,
//! `tags`) instead of the top-level ones. A case that names an unknown field,
//! role, kind or document type, or tags a needle its page does not hold, is an
//! error, reported like a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use docex_core::{
    DocType, Entity, EntityKind, Extraction, Extractor, Fields, Page, Role, TaggedSpan,
};
use docex_normalize::DateOrder;
use serde::Deserialize;

use docex_fields::{resolve, Locale};

/// One file of cases.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    case: Vec<Case>,
}

/// A document, and what its extraction must hold.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Unique in its file; failures name it.
    name: String,
    /// What rule the case pins, in a line.
    why: String,
    /// The pipeline's `[locale]` defaults; none when absent.
    locale: Option<LocaleSpec>,
    /// The text of a one-page document (with `extractor` and `tags`), or none
    /// when `page` lists the pages.
    text: Option<Text>,
    extractor: Option<ExtractorSpec>,
    tags: Option<Vec<Tag>>,
    #[serde(default)]
    page: Vec<PageSpec>,
    /// Expected document type (`invoice`, `receipt`, `contract`, `other`).
    doc_type: Option<String>,
    /// Expected field values, by field name.
    #[serde(default)]
    fields: BTreeMap<String, String>,
    /// Fields that must have no value.
    #[serde(default)]
    none: Vec<String>,
    /// Values that fields must not have (they may have another, or none).
    #[serde(default)]
    not: BTreeMap<String, String>,
    /// The expected `parties` list, whole and in order (`[]`: none).
    parties: Option<Vec<String>>,
    /// Expectations on the entity rows.
    #[serde(default)]
    entities: Vec<EntityExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocaleSpec {
    /// `day-first` or `month-first`, as in a pipeline's `[locale]`.
    date_order: Option<String>,
    currency: Option<String>,
}

/// One page of a document of several.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageSpec {
    text: Text,
    #[serde(default)]
    extractor: ExtractorSpec,
    #[serde(default)]
    tags: Vec<Tag>,
}

/// A page's text: a string, or a list of parts joined, where a part is a string
/// or `{ repeat = "...", times = N }` (filler that puts the rest of the text far in).
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    Whole(String),
    Parts(Vec<Part>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Part {
    Str(String),
    Repeat(Repeat),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repeat {
    repeat: String,
    times: usize,
}

impl Text {
    fn build(&self) -> String {
        match self {
            Text::Whole(s) => s.clone(),
            Text::Parts(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Str(s) => s.clone(),
                    Part::Repeat(r) => r.repeat.repeat(r.times),
                })
                .collect(),
        }
    }
}

/// How the page's text was read: a text layer, or OCR (the rules that mend
/// misreadings apply to OCR only).
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ExtractorSpec {
    #[default]
    Text,
    Ocr,
}

/// A span the tagger gave: the `occurrence`-th (from 1, not overlapping the
/// ones before) `needle` of the page.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tag {
    needle: String,
    /// The role by its field name (`total_amount`, `parties` ...).
    role: String,
    #[serde(default = "default_confidence")]
    confidence: f32,
    #[serde(default = "first")]
    occurrence: usize,
}

fn default_confidence() -> f32 {
    0.9
}

fn first() -> usize {
    1
}

/// An expectation on the entities. With `first` (the first entity, in page and
/// offset order, that has those properties) or `chosen` (the entity a role's
/// field took: the most confident with a value, the first of equals), that
/// entity must have the other properties given; otherwise `count` entities (at
/// least one without it) have them all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityExpect {
    first: Option<Props>,
    chosen: Option<String>,
    count: Option<usize>,
    role: Option<String>,
    kind: Option<String>,
    text: Option<String>,
    value: Option<String>,
    start: Option<usize>,
    end: Option<usize>,
    confidence_below: Option<f32>,
    confidence_above: Option<f32>,
}

impl EntityExpect {
    /// The properties the entity (or `count` entities) must have.
    fn props(&self) -> Props {
        Props {
            role: self.role.clone(),
            kind: self.kind.clone(),
            text: self.text.clone(),
            value: self.value.clone(),
            start: self.start,
            end: self.end,
            confidence_below: self.confidence_below,
            confidence_above: self.confidence_above,
        }
    }
}

/// Properties of an entity; `role = "none"` is an entity without a role, and
/// the confidence bounds are strict.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Props {
    role: Option<String>,
    kind: Option<String>,
    text: Option<String>,
    value: Option<String>,
    start: Option<usize>,
    end: Option<usize>,
    confidence_below: Option<f32>,
    confidence_above: Option<f32>,
}

impl Props {
    fn is_empty(&self) -> bool {
        self.role.is_none()
            && self.kind.is_none()
            && self.text.is_none()
            && self.value.is_none()
            && self.start.is_none()
            && self.end.is_none()
            && self.confidence_below.is_none()
            && self.confidence_above.is_none()
    }

    /// Checks the names; the properties with their names resolved.
    fn resolve(&self) -> Result<Wanted<'_>, String> {
        let role = match self.role.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(name) => Some(Some(role_named(name)?)),
        };
        let kind = self.kind.as_deref().map(kind_named).transpose()?;
        Ok(Wanted {
            props: self,
            role,
            kind,
        })
    }
}

impl fmt::Display for Props {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let strings = [
            ("role", &self.role),
            ("kind", &self.kind),
            ("text", &self.text),
            ("value", &self.value),
        ];
        for (key, v) in strings {
            if let Some(v) = v {
                parts.push(format!("{key} = {v:?}"));
            }
        }
        for (key, v) in [("start", self.start), ("end", self.end)] {
            if let Some(v) = v {
                parts.push(format!("{key} = {v}"));
            }
        }
        let bounds = [
            ("confidence_below", self.confidence_below),
            ("confidence_above", self.confidence_above),
        ];
        for (key, v) in bounds {
            if let Some(v) = v {
                parts.push(format!("{key} = {v}"));
            }
        }
        write!(f, "{{ {} }}", parts.join(", "))
    }
}

/// [`Props`] with the role and kind names resolved.
struct Wanted<'p> {
    props: &'p Props,
    role: Option<Option<Role>>,
    kind: Option<EntityKind>,
}

impl Wanted<'_> {
    /// What of the properties `e` lacks, one line each (none: it has them all).
    fn mismatches(&self, e: &Entity) -> Vec<String> {
        let p = self.props;
        let mut out = Vec::new();
        if let Some(role) = self.role {
            if e.role != role {
                let name = |r: Option<Role>| r.map_or("none", Role::field_name);
                out.push(format!(
                    "role: expected {}, got {}",
                    name(role),
                    name(e.role)
                ));
            }
        }
        if let Some(kind) = self.kind {
            if e.kind != kind {
                out.push(format!(
                    "kind: expected {}, got {}",
                    kind.as_str(),
                    e.kind.as_str()
                ));
            }
        }
        for (key, want, got) in [("text", &p.text, &e.text), ("value", &p.value, &e.value)] {
            if let Some(want) = want {
                if want != got {
                    out.push(format!("{key}: expected {want:?}, got {got:?}"));
                }
            }
        }
        for (key, want, got) in [("start", p.start, e.start), ("end", p.end, e.end)] {
            if let Some(want) = want {
                if want != got {
                    out.push(format!("{key}: expected {want}, got {got}"));
                }
            }
        }
        if let Some(bound) = p.confidence_below {
            if e.confidence >= bound {
                out.push(format!(
                    "confidence: expected below {bound}, got {}",
                    e.confidence
                ));
            }
        }
        if let Some(bound) = p.confidence_above {
            if e.confidence <= bound {
                out.push(format!(
                    "confidence: expected above {bound}, got {}",
                    e.confidence
                ));
            }
        }
        out
    }
}

fn role_named(name: &str) -> Result<Role, String> {
    Role::ALL
        .into_iter()
        .find(|r| r.field_name() == name)
        .ok_or_else(|| {
            let names: Vec<_> = Role::ALL.iter().map(|r| r.field_name()).collect();
            format!("unknown role {name:?} (roles: {})", names.join(", "))
        })
}

fn kind_named(name: &str) -> Result<EntityKind, String> {
    use EntityKind::*;
    let kinds = [Date, Amount, Party, Id, Duration, Place];
    kinds
        .into_iter()
        .find(|k| k.as_str() == name)
        .ok_or_else(|| format!("unknown entity kind {name:?}"))
}

fn doc_type_named(name: &str) -> Result<DocType, String> {
    use DocType::*;
    [Invoice, Receipt, Contract, Other]
        .into_iter()
        .find(|d| d.as_str() == name)
        .ok_or_else(|| format!("unknown doc_type {name:?}"))
}

/// The single-valued fields, by their `documents.csv` names: one per role but
/// `parties` (a list), and `currency`.
fn field_names() -> Vec<&'static str> {
    Role::ALL
        .into_iter()
        .filter(|&r| r != Role::Party)
        .map(Role::field_name)
        .chain(["currency"])
        .collect()
}

/// The value of the single-valued field `name`.
fn field(fields: &Fields, name: &str) -> Option<String> {
    if name == "currency" {
        return fields.currency.clone();
    }
    let role = role_named(name).expect("a checked field name");
    fields.value(role).map(str::to_owned)
}

fn check_field_name(name: &str) -> Result<(), String> {
    if name == "parties" {
        return Err("`parties` is a list: give it as `parties = [...]`".into());
    }
    let names = field_names();
    if names.contains(&name) {
        Ok(())
    } else {
        Err(format!(
            "unknown field {name:?} (fields: {})",
            names.join(", ")
        ))
    }
}

/// A document's pages and their tagged spans, as `resolve` takes them.
type Document = Vec<(Page, Vec<TaggedSpan>)>;

/// The page and its tagged spans, with the needles found.
fn page(
    number: usize,
    text: String,
    extractor: ExtractorSpec,
    tags: &[Tag],
) -> Result<(Page, Vec<TaggedSpan>), String> {
    let spans = tags
        .iter()
        .map(|t| {
            let role = role_named(&t.role)?;
            let byte = text
                .match_indices(t.needle.as_str())
                .nth(t.occurrence.wrapping_sub(1))
                .map(|(at, _)| at)
                .ok_or_else(|| {
                    format!(
                        "needle {:?} (occurrence {}) is not in the text of page {number}",
                        t.needle, t.occurrence
                    )
                })?;
            let start = text[..byte].chars().count();
            Ok(TaggedSpan {
                start,
                end: start + t.needle.chars().count(),
                role,
                confidence: t.confidence,
            })
        })
        .collect::<Result<_, String>>()?;
    let extractor = match extractor {
        ExtractorSpec::Text => Extractor::PlainText,
        ExtractorSpec::Ocr => Extractor::ImageOcr,
    };
    let page = Page {
        number,
        text,
        words: Vec::new(),
        extractor,
        size: None,
    };
    Ok((page, spans))
}

impl Case {
    /// The pages and locale to resolve, or why the case is malformed.
    fn input(&self) -> Result<(Document, Locale), String> {
        let pages = match (&self.text, self.page.is_empty()) {
            (Some(text), true) => {
                let tags = self.tags.as_deref().unwrap_or_default();
                let extractor = self.extractor.unwrap_or_default();
                vec![page(1, text.build(), extractor, tags)?]
            }
            (None, false) if self.extractor.is_none() && self.tags.is_none() => self
                .page
                .iter()
                .enumerate()
                .map(|(i, p)| page(i + 1, p.text.build(), p.extractor, &p.tags))
                .collect::<Result<_, _>>()?,
            (None, false) => return Err("`extractor` and `tags` go in each [[case.page]]".into()),
            (Some(_), false) => return Err("give `text` or [[case.page]], not both".into()),
            (None, true) => return Err("no `text` and no [[case.page]]".into()),
        };
        let mut locale = Locale::default();
        if let Some(l) = &self.locale {
            locale.date_order = match l.date_order.as_deref() {
                None => None,
                Some("day-first") => Some(DateOrder::DayFirst),
                Some("month-first") => Some(DateOrder::MonthFirst),
                Some(other) => {
                    return Err(format!(
                        "locale.date_order must be day-first or month-first, not {other:?}"
                    ))
                }
            };
            locale.currency = l.currency.clone();
        }
        Ok((pages, locale))
    }

    /// Checks that every name the expectations use is known and that the case
    /// expects something.
    fn check_expectations(&self) -> Result<(), String> {
        for name in self.fields.keys().chain(&self.none).chain(self.not.keys()) {
            check_field_name(name)?;
        }
        let mut seen = BTreeSet::new();
        for name in self.fields.keys().chain(&self.none) {
            if !seen.insert(name) {
                return Err(format!("field {name} is both in `fields` and `none`"));
            }
        }
        if let Some(d) = &self.doc_type {
            doc_type_named(d)?;
        }
        for e in &self.entities {
            let props = e.props();
            props.resolve()?;
            if let Some(sel) = &e.first {
                sel.resolve()?;
            }
            if let Some(role) = &e.chosen {
                role_named(role)?;
            }
            let selectors = usize::from(e.first.is_some()) + usize::from(e.chosen.is_some());
            if selectors > 1 || (selectors == 1 && e.count.is_some()) {
                return Err("an entity expectation takes one of `first`, `chosen`, `count`".into());
            }
            if props.is_empty() && e.count.is_none() {
                return Err("an entity expectation checks nothing".into());
            }
        }
        let expects_something = self.doc_type.is_some()
            || !self.fields.is_empty()
            || !self.none.is_empty()
            || !self.not.is_empty()
            || self.parties.is_some()
            || !self.entities.is_empty();
        if !expects_something {
            return Err("the case expects nothing".into());
        }
        Ok(())
    }

    /// Runs the case: one line for each check that fails, or the one error that
    /// makes the case malformed.
    fn run(&self) -> Vec<String> {
        let input = self.check_expectations().and_then(|()| self.input());
        let (pages, locale) = match input {
            Ok(input) => input,
            Err(e) => return vec![format!("error: {e}")],
        };
        let x = resolve(&pages, &locale);
        self.compare(&x)
    }

    fn compare(&self, x: &Extraction) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(want) = &self.doc_type {
            if x.doc_type.as_str() != want {
                out.push(format!("doc_type: expected {want}, got {}", x.doc_type));
            }
        }
        for (name, want) in &self.fields {
            let got = field(&x.fields, name);
            if got.as_deref() != Some(want.as_str()) {
                out.push(format!("{name}: expected {want:?}, got {}", shown(&got)));
            }
        }
        for name in &self.none {
            let got = field(&x.fields, name);
            if got.is_some() {
                out.push(format!("{name}: expected no value, got {}", shown(&got)));
            }
        }
        for (name, unwanted) in &self.not {
            let got = field(&x.fields, name);
            if got.as_deref() == Some(unwanted.as_str()) {
                out.push(format!(
                    "{name}: expected anything but {unwanted:?}, got it"
                ));
            }
        }
        if let Some(want) = &self.parties {
            if *want != x.fields.parties {
                out.push(format!(
                    "parties: expected {want:?}, got {:?}",
                    x.fields.parties
                ));
            }
        }
        for e in &self.entities {
            out.extend(e.compare(&x.entities));
        }
        out
    }
}

impl EntityExpect {
    fn compare(&self, entities: &[Entity]) -> Vec<String> {
        // the names were checked before the case ran
        let props = self.props();
        let wanted = props.resolve().expect("checked names");
        let picked = if let Some(sel) = &self.first {
            let selector = sel.resolve().expect("checked names");
            let found = entities.iter().find(|e| selector.mismatches(e).is_empty());
            Some((format!("first entity with {sel}"), found))
        } else if let Some(role) = &self.chosen {
            let role = role_named(role).expect("checked names");
            let which = format!("chosen {} entity", role.field_name());
            Some((which, chosen(entities, role)))
        } else {
            None
        };
        match picked {
            Some((which, None)) => {
                vec![format!("entity: found no {which} in {}", listed(entities))]
            }
            Some((which, Some(e))) => wanted
                .mismatches(e)
                .into_iter()
                .map(|m| format!("entity: the {which}: {m}"))
                .collect(),
            None => {
                let n = entities
                    .iter()
                    .filter(|e| wanted.mismatches(e).is_empty())
                    .count();
                match self.count {
                    Some(want) if n != want => vec![format!(
                        "entity: expected {want} with {}, got {n} in {}",
                        props,
                        listed(entities)
                    )],
                    None if n == 0 => vec![format!(
                        "entity: none with {} in {}",
                        props,
                        listed(entities)
                    )],
                    _ => Vec::new(),
                }
            }
        }
    }
}

/// The entity a role's field takes: the most confident with a value, the first
/// of equals.
fn chosen(entities: &[Entity], role: Role) -> Option<&Entity> {
    entities
        .iter()
        .filter(|e| e.role == Some(role) && !e.value.is_empty())
        .fold(None, |best: Option<&Entity>, e| match best {
            Some(b) if b.confidence >= e.confidence => best,
            _ => Some(e),
        })
}

fn shown(value: &Option<String>) -> String {
    value
        .as_ref()
        .map_or("no value".into(), |v| format!("{v:?}"))
}

/// The entities, one short line each, for a failure message.
fn listed(entities: &[Entity]) -> String {
    let rows: Vec<String> = entities
        .iter()
        .map(|e| {
            format!(
                "\n        p{} {}..{} {} {} {:?} -> {:?} ({:.3})",
                e.page,
                e.start,
                e.end,
                e.role.map_or("none", Role::field_name),
                e.kind.as_str(),
                e.text,
                e.value,
                e.confidence
            )
        })
        .collect();
    format!("the entities:{}", rows.concat())
}

#[test]
fn every_rule_case_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no case files in {}", dir.display());
    let (mut cases, mut failed, mut unread, mut report) = (0, 0, 0, String::new());
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let parsed: CaseFile = match toml::from_str(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                unread += 1;
                report += &format!("{file}: error: {e}\n");
                continue;
            }
        };
        let mut names = BTreeSet::new();
        for case in &parsed.case {
            cases += 1;
            let mut lines = case.run();
            if !names.insert(case.name.as_str()) {
                lines.push("error: another case of the file has this name".into());
            }
            if !lines.is_empty() {
                failed += 1;
                report += &format!("{file}: case {:?} ({})\n", case.name, case.why);
                for line in lines {
                    report += &format!("    {line}\n");
                }
            }
        }
    }
    eprintln!("{cases} rule cases in {} files", files.len());
    assert!(
        failed == 0 && unread == 0,
        "{failed} of {cases} rule cases failed, {unread} case files could not be read:\n{report}"
    );
}
