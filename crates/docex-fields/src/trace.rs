//! The path of every field, for `docex explain --trace`: the candidates with their
//! evidence, the document type's evidence, and what each resolver step changed.

use docex_core::{DocType, Entity, EntityKind, Fields, Page, Role, TaggedSpan};

use crate::doctype::Evidence;
use crate::text::{label_before, page_of};

/// A candidate as the sources proposed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The entity (role from the tagger, or none from the scanners).
    pub entity: Entity,
    /// The label right before it on its line (see `label_before`).
    pub label: String,
}

/// One change a step made.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A field's value changed.
    Field {
        /// The field's name (a `documents.csv` column).
        field: &'static str,
        /// Before the step.
        before: String,
        /// After it.
        after: String,
    },
    /// A candidate's role or confidence changed.
    Candidate {
        /// The entity after the step.
        entity: Entity,
        /// Its role before.
        role_before: Option<Role>,
        /// Its confidence before.
        confidence_before: f32,
    },
    /// A step added a candidate of its own (a value no source proposed as such).
    Added {
        /// The new entity.
        entity: Entity,
    },
}

/// A resolver step that changed something.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The field family (`names`, `dates`, `ids`, `amounts`, `parties`, `terms`,
    /// `doctype`, `choice`, `constraints`).
    pub family: &'static str,
    /// What the rule does.
    pub rule: &'static str,
    /// Its changes.
    pub changes: Vec<Change>,
}

/// Everything one document's fields went through.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// The candidates the sources proposed, in reading order.
    pub candidates: Vec<Candidate>,
    /// The document type and what spoke for it.
    pub doc_type: Option<(DocType, Evidence)>,
    /// The steps that changed a field or a candidate, in order.
    pub steps: Vec<Step>,
}

/// Each field's value, by name: every role's, and the currency.
fn field_values(f: &Fields) -> Vec<(&'static str, String)> {
    Role::ALL
        .into_iter()
        .map(|role| {
            let value = match role {
                Role::Party => f.parties.join("; "),
                _ => f.value(role).unwrap_or_default().to_owned(),
            };
            (role.field_name(), value)
        })
        .chain([("currency", f.currency.clone().unwrap_or_default())])
        .collect()
}

/// Where an entity stands, to match it before and after a step.
fn key(e: &Entity) -> (usize, usize, usize, EntityKind, &str) {
    (e.page, e.start, e.end, e.kind, e.value.as_str())
}

impl Trace {
    pub(crate) fn candidates(&mut self, entities: &[Entity], pages: &[(Page, Vec<TaggedSpan>)]) {
        self.candidates = entities
            .iter()
            .map(|e| Candidate {
                entity: e.clone(),
                label: page_of(pages, e.page)
                    .map(|p| label_before(&p.text, e.start))
                    .unwrap_or_default(),
            })
            .collect();
    }

    pub(crate) fn doc_type(&mut self, doc_type: DocType, evidence: &Evidence) {
        self.doc_type = Some((doc_type, evidence.clone()));
    }

    pub(crate) fn record(
        &mut self,
        family: &'static str,
        rule: &'static str,
        (fields_before, entities_before): (&Fields, &[Entity]),
        (fields_after, entities_after): (&Fields, &[Entity]),
    ) {
        let mut changes: Vec<Change> = field_values(fields_before)
            .into_iter()
            .zip(field_values(fields_after))
            .filter(|((_, b), (_, a))| a != b)
            .map(|((field, before), (_, after))| Change::Field {
                field,
                before,
                after,
            })
            .collect();
        let mut unmatched: Vec<&Entity> = entities_before.iter().collect();
        for e in entities_after {
            match unmatched.iter().position(|b| key(b) == key(e)) {
                Some(i) => {
                    let b = unmatched.remove(i);
                    if b.role != e.role || b.confidence != e.confidence {
                        changes.push(Change::Candidate {
                            entity: e.clone(),
                            role_before: b.role,
                            confidence_before: b.confidence,
                        });
                    }
                }
                None => changes.push(Change::Added { entity: e.clone() }),
            }
        }
        if !changes.is_empty() {
            self.steps.push(Step {
                family,
                rule,
                changes,
            });
        }
    }
}
