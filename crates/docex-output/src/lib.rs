//! docex-output (in progress).
