//! Constraints between chosen values: net + tax = total, the due date not before the
//! invoice date. A value that breaks one keeps its place at a lower confidence.

use docex_core::{Entity, Fields, Role};
use docex_normalize as norm;

use crate::INCONSISTENT_PENALTY;

/// Lowers the confidence of chosen values that disagree with each other.
pub(crate) fn check_consistency(f: &Fields, entities: &mut [Entity]) {
    let cents = |v: &Option<String>| v.as_deref().and_then(norm::decimal_cents);
    let mut bad: Vec<(Role, &Option<String>)> = Vec::new();
    if let (Some(n), Some(t), Some(total)) = (
        cents(&f.net_amount),
        cents(&f.tax_amount),
        cents(&f.total_amount),
    ) {
        if (n + t - total).abs() > 1 {
            bad.extend([
                (Role::NetAmount, &f.net_amount),
                (Role::TaxAmount, &f.tax_amount),
                (Role::TotalAmount, &f.total_amount),
            ]);
        }
    }
    if let (Some(i), Some(d)) = (&f.invoice_date, &f.due_date) {
        if d < i {
            bad.push((Role::DueDate, &f.due_date));
        }
    }
    for (role, value) in bad {
        for e in entities
            .iter_mut()
            .filter(|e| e.role == Some(role) && Some(&e.value) == value.as_ref())
        {
            e.confidence *= INCONSISTENT_PENALTY;
        }
    }
}
