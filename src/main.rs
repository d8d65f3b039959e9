//! docex command line (in progress).
fn main() {}
