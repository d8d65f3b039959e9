//! Constraints between chosen values: net + tax = total, the due date not before the
//! invoice date ([`Check`]). A value that breaks one keeps its place at a lower
//! confidence; the review lists the document by the same checks.

use docex_core::{Check, Entity, Fields};
use docex_normalize as norm;

use crate::INCONSISTENT_PENALTY;

/// The checks the chosen fields break.
pub(crate) fn checks(f: &Fields) -> Vec<Check> {
    fn amount(v: &Option<String>) -> (&str, Option<i64>) {
        let v = v.as_deref().unwrap_or_default();
        (v, norm::decimal_cents(v))
    }
    Check::of(
        [
            amount(&f.net_amount),
            amount(&f.tax_amount),
            amount(&f.total_amount),
        ],
        (f.invoice_date.as_deref(), f.due_date.as_deref()),
    )
}

/// Lowers the confidence of chosen values that disagree with each other.
pub(crate) fn check_consistency(f: &Fields, entities: &mut [Entity]) {
    for check in checks(f) {
        for &role in check.roles() {
            let value = f.value(role);
            for e in entities
                .iter_mut()
                .filter(|e| e.role == Some(role) && Some(e.value.as_str()) == value)
            {
                e.confidence *= INCONSISTENT_PENALTY;
            }
        }
    }
}
