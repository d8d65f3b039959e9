//! The document type, decided before any field is resolved: words in the text
//! (`lexicons/doctype.toml`) and the candidates' roles. The type decides which
//! resolvers run and which fields a document has.

use docex_core::{DocType, Entity, Fields, Page, Role, TaggedSpan};
use docex_normalize as norm;
use regex::Regex;

use crate::amounts::has_total;
use crate::choose::{chosen, chosen_index, listed_party};
use crate::lexicon::matchers;
use crate::names::same_party;

/// What speaks for each document type: counts of its words in the text
/// (`lexicons/doctype.toml`) and the candidates' roles before any field is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Contract words.
    pub contract_words: usize,
    /// Billing words.
    pub billing_words: usize,
    /// Till words.
    pub till_words: usize,
    /// Words naming an invoice.
    pub invoice_words: usize,
    /// A party is named (a mention confident enough to be listed).
    pub parties: bool,
    /// A customer is named.
    pub customer: bool,
    /// A due date is tagged.
    pub due_date: bool,
    /// Some amount would be the total (see [`has_total`]); asked only when the words
    /// and the other roles do not decide (`None`: not asked).
    pub total: Option<bool>,
}

impl Evidence {
    /// The evidence in a document's text and candidates.
    pub(crate) fn of(
        text: &str,
        entities: &[Entity],
        pages: &[(Page, Vec<TaggedSpan>)],
    ) -> Evidence {
        let lower = text.to_lowercase();
        let m = matchers();
        let count = |words: &Regex| words.find_iter(&lower).count();
        let mut evidence = Evidence {
            contract_words: count(&m.contract),
            billing_words: count(&m.billing),
            till_words: count(&m.till),
            invoice_words: count(&m.invoice),
            parties: entities.iter().any(listed_party),
            customer: chosen(entities, Role::Customer).is_some(),
            due_date: chosen(entities, Role::DueDate).is_some(),
            total: None,
        };
        // the total costs a run of the total rules on a copy: only when it decides
        if evidence.by_words_and_roles().is_none() {
            evidence.total = Some(has_total(entities, pages));
        }
        evidence
    }

    /// Contract words, a named party counting two.
    fn contract(&self) -> usize {
        self.contract_words + 2 * usize::from(self.parties)
    }

    /// The type the words and the tagged roles give on their own, if they decide.
    fn by_words_and_roles(&self) -> Option<DocType> {
        let contract = self.contract();
        let billing = self.billing_words + usize::from(self.customer) + usize::from(self.due_date);
        let (till, invoice) = (self.till_words, self.invoice_words);
        if contract >= 3 && contract > billing + invoice {
            Some(DocType::Contract)
        } else if billing >= 1 && billing >= till {
            Some(DocType::Invoice)
        } else if till >= 1 {
            Some(DocType::Receipt)
        } else if invoice >= 1 {
            Some(DocType::Invoice)
        } else {
            None
        }
    }

    /// The document type the evidence gives. "Invoice" alone decides little (many till
    /// receipts are headed "TAX INVOICE"); billing words such as "bill to" or "due date"
    /// and a customer or due date do.
    pub fn doc_type(&self) -> DocType {
        if let Some(t) = self.by_words_and_roles() {
            t
        } else if self.total == Some(true) {
            DocType::Receipt
        } else if self.contract() > 0 {
            DocType::Contract
        } else {
            DocType::Other
        }
    }
}

/// On an invoice or receipt, the tagger's contract roles point at what a bill has, when
/// the bill's own role found nothing: the date it took for an agreement's is the bill's
/// date (`Invoice Date: June 18, 2025` on a freelancer's invoice), and the first party
/// named, unless it is the customer, the vendor (`COPPER SKILLET KITCHEN LLC` atop a
/// receipt).
pub(crate) fn contract_roles_on_bills(fields: &mut Fields, entities: &mut [Entity]) {
    if fields.invoice_date.is_none() {
        let date = [Role::AgreementDate, Role::EffectiveDate]
            .into_iter()
            .find_map(|role| chosen_index(entities, role, |_| true));
        if let Some(i) = date {
            entities[i].role = Some(Role::InvoiceDate);
            fields.invoice_date = Some(entities[i].value.clone());
        }
    }
    if fields.vendor.is_none() {
        let customer = fields.customer.as_deref().map(norm::fold);
        if let Some(e) = entities.iter_mut().filter(|e| listed_party(e)).find(|e| {
            customer
                .as_ref()
                .is_none_or(|c| !same_party(c, &norm::fold(&e.value)))
        }) {
            e.role = Some(Role::Vendor);
            fields.vendor = Some(e.value.clone());
        }
    }
}

/// Contracts have no invoice fields and invoices no contract fields.
pub(crate) fn keep_fields_of(doc_type: DocType, f: &mut Fields) {
    match doc_type {
        DocType::Contract => {
            let keep = Fields {
                parties: std::mem::take(&mut f.parties),
                agreement_date: f.agreement_date.take(),
                effective_date: f.effective_date.take(),
                expiration_date: f.expiration_date.take(),
                term: f.term.take(),
                jurisdiction: f.jurisdiction.take(),
                ..Fields::default()
            };
            *f = keep;
        }
        DocType::Invoice | DocType::Receipt => {
            f.parties.clear();
            f.agreement_date = None;
            f.effective_date = None;
            f.expiration_date = None;
            f.term = None;
            f.jurisdiction = None;
        }
        DocType::Other => {}
    }
}
