//! docex-pipeline (in progress).
