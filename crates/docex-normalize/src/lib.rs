//! docex-normalize (in progress).

mod amount;
mod date;
mod duration;
mod jurisdiction;
mod party;
mod scan;

pub use amount::{
    decimal_cents, detect_currency, find_amounts, parse_amount, parse_amount_in, Amount,
};
pub use date::{find_dates, infer_date_order, parse_date, DateOrder, ParsedDate};
pub use duration::parse_duration;
pub use jurisdiction::clean_jurisdiction;
pub use party::{clean_party, fold};
pub use scan::Found;
