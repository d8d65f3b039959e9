//! docex-normalize (in progress).

mod date;
mod scan;

pub use date::{find_dates, infer_date_order, parse_date, DateOrder, ParsedDate};
pub use scan::Found;
