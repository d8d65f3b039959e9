//! Batch runs: which documents a run takes ([`collect_inputs`]), the worker
//! processes that read them ([`pool`]) and the [`manifest`] of what is done.
//!
//! ```text
//!  inputs ──► collect_inputs ──► content hash ──► manifest: new? done? this shard's?
//!         ──► pool: docex worker processes (a Pipeline each, one document at a time)
//!         ──► results ──► manifest (one transaction per document) ──► tables
//! ```
//!
//! # Why the boundary is here
//!
//! The stages (`docex-pipeline`) turn one document into one result and know
//! nothing of runs. Everything here is about the run around them, and none of it
//! needs a stage: the pool speaks to `docex worker` processes over pipes (a
//! request line in, a [`docex_core::DocumentResult`] line out), so a document
//! that crashes its worker or runs past a limit costs that document only; the
//! manifest remembers every document by content hash across runs, machines and
//! shards, so a run killed at any moment redoes only the documents it had in
//! flight, and the tables (`docex-output`) are regenerated from it. The binary wires
//! the two to a pipeline (`docex extract`, `docex watch`, `docex worker`); this
//! crate depends on `docex-core` only, so the process boundary and the record of
//! what is done can be read and tested without a model, an OCR engine or a PDF.

pub mod manifest;
pub mod pool;

mod inputs;

pub use inputs::{collect_inputs, InputError};
