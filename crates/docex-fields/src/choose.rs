//! The choice: for each role, the most confident candidate with a value, and the
//! helpers every resolver uses to find or add a chosen candidate.

use docex_core::{Entity, Fields, Role};
use docex_normalize as norm;

use crate::names::same_party;
use crate::MIN_PARTY_CONFIDENCE;

/// Inserts `e` where it belongs in reading order.
pub(crate) fn push_sorted(entities: &mut Vec<Entity>, e: Entity) {
    let at = entities.partition_point(|x| (x.page, x.start, x.end) <= (e.page, e.start, e.end));
    entities.insert(at, e);
}

/// For each role, the most confident entity with a value (earlier wins ties).
pub(crate) fn chosen(entities: &[Entity], role: Role) -> Option<&Entity> {
    chosen_index(entities, role, |_| true).map(|i| &entities[i])
}

/// The index of the [`chosen`] mention of `role` among those `keep` accepts: the most
/// confident with a value, the first of equals.
pub(crate) fn chosen_index(
    entities: &[Entity],
    role: Role,
    keep: impl Fn(&Entity) -> bool,
) -> Option<usize> {
    entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.role == Some(role) && !e.value.is_empty() && keep(e))
        .fold(None, |best: Option<(usize, &Entity)>, (i, e)| match best {
            Some((_, b)) if b.confidence >= e.confidence => best,
            _ => Some((i, e)),
        })
        .map(|(i, _)| i)
}

/// A mention that lists its name in `parties`: a party with a name, confident enough.
pub(crate) fn listed_party(e: &Entity) -> bool {
    e.role == Some(Role::Party) && !e.value.is_empty() && e.confidence >= MIN_PARTY_CONFIDENCE
}

pub(crate) fn choose_fields(entities: &mut [Entity]) -> Fields {
    let mut fields = Fields::default();
    for role in Role::ALL {
        if let Some(slot) = fields.slot_mut(role) {
            *slot = chosen(entities, role).map(|e| e.value.clone());
        }
    }
    fields.parties = distinct_parties(
        entities
            .iter()
            .filter(|e| listed_party(e))
            .map(|e| e.value.as_str()),
    );
    fields
}

/// Party names in order, each once: a name that is [`same_party`] as one before it is
/// left out.
pub(crate) fn distinct_parties<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for name in names {
        let key = norm::fold(name);
        if !seen.iter().any(|k| same_party(k, &key)) {
            seen.push(key);
            out.push(name.to_string());
        }
    }
    out
}

/// Every single-valued field's value has its entity: the mention it was read from, in
/// the field's role. A value a rule took from a mention in another role (an agreement
/// date that is also the effective date) gets a second entity on the same mention; a
/// value that follows from others (an expiration date from the start and the term) gets
/// one on the term's mention, at the lower confidence of the two it follows from.
pub(crate) fn each_value_has_its_entity(fields: &Fields, entities: &mut Vec<Entity>) {
    for role in Role::ALL {
        let Some(value) = fields.value(role).map(str::to_owned) else {
            continue;
        };
        if entities
            .iter()
            .any(|e| e.role == Some(role) && e.value == value)
        {
            continue;
        }
        let same_value = entities
            .iter()
            .filter(|e| e.kind == role.kind() && e.value == value && e.role.is_some())
            .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
            .or_else(|| {
                entities
                    .iter()
                    .find(|e| e.kind == role.kind() && e.value == value)
            });
        let added = match same_value {
            Some(e) => Entity {
                role: Some(role),
                ..e.clone()
            },
            None if role == Role::ExpirationDate => {
                let Some(term) = chosen(entities, Role::Term) else {
                    continue;
                };
                let start = [Role::EffectiveDate, Role::AgreementDate]
                    .into_iter()
                    .find_map(|r| chosen(entities, r))
                    .map_or(term.confidence, |s| s.confidence);
                Entity {
                    role: Some(role),
                    kind: role.kind(),
                    value,
                    confidence: term.confidence.min(start),
                    currency: None,
                    ..term.clone()
                }
            }
            None => continue,
        };
        push_sorted(entities, added);
    }
}
