//! The field layer: from tagged pages to one document's entities and fields.
//!
//! ```text
//! pages + tagged spans
//!   │ sources      every tagged span, every scanned date and amount: candidates (entities)
//!   │              with their evidence (role, confidence, page, position, label before them)
//!   │ doctype      contract, invoice, receipt or other, from words and the candidates' roles
//!   │ resolvers    one per field family, in order: names (vendor, customer), dates, ids,
//!   │              amounts (total, net, tax) for bills; parties and terms (contract dates,
//!   │              term, governing law) for contracts
//!   │ constraints  net + tax = total, due date not before the invoice date
//!   ▼
//! Extraction { doc_type, fields, entities }
//! ```
//!
//! Each resolver chooses among the candidates of its family and gives the chosen entity
//! its role; a field's value is its chosen entity's. The words the rules look for
//! (labels, tax words, document-type words, locale defaults) are data: the TOML
//! lexicons in `lexicons/` ([`lexicon`]). [`resolve_traced`] records every step's
//! changes for `docex explain --trace`.
//!
//! The layer is a crate of its own because it is the one place that knows what a
//! document's fields are: the tagger only proposes spans, normalisation only reads
//! values, and the pipeline only runs the stages.

mod amounts;
mod choose;
mod constraints;
mod dates;
mod doctype;
mod ids;
pub mod lexicon;
mod names;
mod parties;
mod sources;
mod terms;
mod text;
pub mod trace;

use docex_core::{DocType, Entity, Extraction, Fields, Page, TaggedSpan};
use docex_normalize::DateOrder;

pub use trace::Trace;

/// Confidence given to a date or amount found by the scanners alone (no role).
pub(crate) const SCANNED_CONFIDENCE: f32 = 0.9;
/// Multiplier for a value whose reading depends on a guessed date order.
pub(crate) const AMBIGUOUS_PENALTY: f32 = 0.6;
/// Multiplier for values that fail a consistency check.
pub(crate) const INCONSISTENT_PENALTY: f32 = 0.7;
/// Multiplier for a field that no tagged span gave, taken by a fallback rule.
pub(crate) const FALLBACK_PENALTY: f32 = 0.5;
/// A tagged total below this confidence yields to paid minus change on a receipt.
pub(crate) const UNSURE_TOTAL: f32 = 0.6;
/// Parties below this confidence are not listed in `parties`.
pub(crate) const MIN_PARTY_CONFIDENCE: f32 = 0.3;
/// Multiplier for a date mended from an OCR misread (`92/02/2018` read for `02/02/2018`).
pub(crate) const OCR_MENDED_PENALTY: f32 = 0.8;

/// Document-independent defaults from the pipeline's `[locale]`.
#[derive(Debug, Clone, Default)]
pub struct Locale {
    /// Date order for documents without evidence.
    pub date_order: Option<DateOrder>,
    /// Currency for documents without any currency mark.
    pub currency: Option<String>,
}

/// A document's pages with the tagger's spans on each.
pub type TaggedPages = [(Page, Vec<TaggedSpan>)];

/// The extraction of one document from its pages and their tagged spans.
pub fn resolve(pages: &TaggedPages, locale: &Locale) -> Extraction {
    run(pages, locale, None)
}

/// [`resolve`], with the path of every field: the candidates, the document type's
/// evidence and each step's changes.
pub fn resolve_traced(pages: &TaggedPages, locale: &Locale) -> (Extraction, Trace) {
    let mut trace = Trace::default();
    let x = run(pages, locale, Some(&mut trace));
    (x, trace)
}

/// The resolvers' state: the candidates and the fields chosen so far, and the trace
/// that records each step when one is kept.
struct Run<'a> {
    pages: &'a TaggedPages,
    entities: Vec<Entity>,
    fields: Fields,
    trace: Option<&'a mut Trace>,
}

impl Run<'_> {
    /// Runs one rule of a field family; with a trace, records what it changed.
    fn step(
        &mut self,
        family: &'static str,
        rule: &'static str,
        f: impl FnOnce(&mut Fields, &mut Vec<Entity>, &TaggedPages),
    ) {
        let before = self
            .trace
            .is_some()
            .then(|| (self.fields.clone(), self.entities.clone()));
        f(&mut self.fields, &mut self.entities, self.pages);
        if let (Some(trace), Some((fields, entities))) = (self.trace.as_deref_mut(), before) {
            trace.record(
                family,
                rule,
                (&fields, &entities),
                (&self.fields, &self.entities),
            );
        }
    }
}

fn run(pages: &TaggedPages, locale: &Locale, mut trace: Option<&mut Trace>) -> Extraction {
    let all_text: String = pages
        .iter()
        .map(|(p, _)| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    // 1. sources
    let (entities, currency) = sources::candidates(pages, &all_text, locale);
    if let Some(t) = trace.as_deref_mut() {
        t.candidates(&entities, pages);
    }
    let mut run = Run {
        pages,
        entities,
        fields: Fields::default(),
        trace,
    };
    // a heading names the role of the name under it, whatever the document
    run.step("names", "roles by heading", |_, e, p| {
        names::roles_by_heading(e, p)
    });
    // 2. the document type, from its words and the candidates' roles
    let evidence = doctype::Evidence::of(&all_text, &run.entities, pages);
    let doc_type = evidence.doc_type();
    if let Some(t) = run.trace.as_deref_mut() {
        t.doc_type(doc_type, &evidence);
    }
    // 3. the resolvers of the type's field families
    if doc_type == DocType::Contract {
        run.step("choice", "most confident of each role", |f, e, _| {
            *f = choose::choose_fields(e)
        });
        run.step("doctype", "contract fields only", |f, _, _| {
            doctype::keep_fields_of(doc_type, f)
        });
        run.step("parties", "alias heads dropped", |f, e, p| {
            parties::drop_alias_heads(f, e, p, &all_text)
        });
        run.step("parties", "joined names split", |f, e, p| {
            parties::split_joined_parties(f, e, p)
        });
        run.step("parties", "preamble parties kept", |f, e, p| {
            parties::keep_preamble_parties(f, e, p, &all_text)
        });
        run.step("parties", "between A and B", |f, e, p| {
            parties::add_between_parties(f, e, p, &all_text)
        });
        let mut commencement = None;
        run.step("terms", "labelled contract dates", |f, e, p| {
            commencement = terms::labelled_contract_dates(f, e, p)
        });
        run.step("terms", "derived contract dates", |f, e, p| {
            terms::derive_contract_dates(f, e, commencement, p, &all_text)
        });
    } else {
        run.step("dates", "other dates demoted", |_, e, p| {
            dates::demote_other_dates(e, p)
        });
        run.step("ids", "labelled invoice numbers preferred", |_, e, p| {
            ids::prefer_invoice_numbers(e, p)
        });
        run.step("amounts", "net + tax = total completed", |_, e, _| {
            amounts::complete_amounts(e)
        });
        run.step("choice", "most confident of each role", |f, e, _| {
            *f = choose::choose_fields(e)
        });
        run.step("dates", "first date as invoice date", |f, e, _| {
            dates::first_date(f, e)
        });
        run.step(
            "names",
            "vendor signed for or mailed",
            names::fallback_vendor,
        );
        run.step(
            "amounts",
            "total from the payment or a total line",
            amounts::fallback_total,
        );
        run.step("ids", "number after an invoice-number label", |f, e, p| {
            if f.invoice_number.is_none() {
                f.invoice_number = ids::labelled_invoice_number(e, p);
            }
        });
        run.step(
            "amounts",
            "total past the subtotal",
            amounts::past_the_subtotal,
        );
        run.step("amounts", "total after rounding", amounts::after_rounding);
        run.step("amounts", "misread last digit", |f, e, p| {
            amounts::misread_last_digit(f, e, p)
        });
        run.step("amounts", "total past the net", |f, e, p| {
            amounts::past_the_net(f, e, p)
        });
        run.step("amounts", "stated net and tax", |f, e, p| {
            amounts::stated_net_and_tax(f, e, p)
        });
        if matches!(doc_type, DocType::Invoice | DocType::Receipt) {
            run.step("doctype", "contract roles on bills", |f, e, _| {
                doctype::contract_roles_on_bills(f, e)
            });
        }
        run.step("doctype", "fields of the type only", |f, _, _| {
            doctype::keep_fields_of(doc_type, f)
        });
        run.step("amounts", "currency of the total", |f, e, _| {
            amounts::currency_of_total(f, e, currency.as_deref())
        });
    }
    // 4. each value with its entity, then the constraints between them
    run.step("choice", "each value has its entity", |f, e, _| {
        choose::each_value_has_its_entity(f, e)
    });
    run.step(
        "constraints",
        "net + tax = total, due after issue",
        |f, e, _| constraints::check_consistency(f, e),
    );
    let Run {
        fields, entities, ..
    } = run;
    Extraction {
        doc_type,
        pages: pages.len(),
        empty_pages: pages
            .iter()
            .filter(|(p, _)| p.text.trim().is_empty())
            .count(),
        fields,
        entities,
    }
}
