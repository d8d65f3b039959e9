//! Batch runs: documents in, worker processes, the manifest, the tables out.
//!
//! [`Batch`] is shared by `docex extract` (a fixed list of inputs) and `docex
//! watch` (files as they arrive). It decides for each document whether it is new
//! (hash unknown or unfinished), already done (skipped), a copy of another
//! document (a `duplicate` row), or another shard's; hands new ones to the
//! [`ProcessPool`]; retries a crashed document once and quarantines it the second
//! time; records every end in the manifest in one transaction; and regenerates the
//! tables from the manifest every few seconds and at the end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use docex_core::{DocumentResult, DocumentRows, InputDoc, TableWriter};
use docex_output::{rows_of, Tables, DOCUMENT_COLUMNS};
use docex_pipeline::manifest::{content_hash, Manifest, Shard, Status};
use docex_pipeline::pool::{Job, JobEnd, ProcessPool, WorkerCommand};
use tracing::{info, warn};

/// How often the tables are regenerated while a run goes on; less often when
/// writing them takes longer than a fifth of this (large batches, xlsx).
const TABLES_EVERY: Duration = Duration::from_secs(5);

/// 0 running, 1 stop taking documents (first SIGINT/SIGTERM), 2 abandon the ones in flight.
static SIGNALS: AtomicU8 = AtomicU8::new(0);

/// Installs the SIGINT/SIGTERM handler: the first signal lets the documents in
/// flight finish, the second abandons them (they stay `running` in the manifest
/// and the next run redoes them). Either way the tables are written whole.
pub fn handle_signals() {
    let installed = ctrlc::set_handler(|| {
        let n = SIGNALS.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 1 {
            eprintln!(
                "docex: stopping after the documents in flight (signal again to abandon them)"
            );
        }
    });
    if let Err(e) = installed {
        warn!("no signal handler: {e}");
    }
}

/// Whether a stop was asked for.
pub fn stopping() -> bool {
    SIGNALS.load(Ordering::SeqCst) > 0
}

/// What to redo.
#[derive(Debug, Clone, Copy, Default)]
pub struct Redo {
    /// Everything, done or not (`--force`).
    pub all: bool,
    /// Failed and quarantined documents (`--retry-failed`).
    pub failed: bool,
}

/// How a document's part in this run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// Extracted.
    Done,
    /// An error row (unreadable, corrupt, encrypted, over a limit).
    Failed(String),
    /// Crashed its worker twice or ran out of time.
    Quarantined(String),
    /// The same content as the named document: a `duplicate` row.
    Duplicate(String),
    /// Done in an earlier run: nothing to do.
    Skipped,
    /// Not this shard's.
    OtherShard,
    /// Abandoned by a stop; redone next run.
    Abandoned,
}

/// Counts for the final log line and the exit code.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Extracted.
    pub ok: usize,
    /// Error rows.
    pub failed: usize,
    /// Quarantined.
    pub quarantined: usize,
    /// Duplicate rows.
    pub duplicate: usize,
    /// Done before.
    pub skipped: usize,
    /// Other shards'.
    pub other_shard: usize,
    /// Abandoned.
    pub abandoned: usize,
}

impl std::fmt::Display for Counts {
    /// `ok=3 failed=1 ...`: the one log line that ends a run.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ok={} failed={} quarantined={} duplicate={} skipped={} other_shard={} abandoned={}",
            self.ok,
            self.failed,
            self.quarantined,
            self.duplicate,
            self.skipped,
            self.other_shard,
            self.abandoned
        )
    }
}

struct InFlight {
    doc: InputDoc,
    hash: String,
    size: u64,
    crashes: u32,
}

/// One batch run over an output folder.
pub struct Batch {
    out: PathBuf,
    tables: Tables,
    manifest: Manifest,
    pool: ProcessPool,
    redo: Redo,
    shard: Option<Shard>,
    seen: HashMap<String, String>,
    in_flight: HashMap<u64, InFlight>,
    next_id: u64,
    tables_written: Instant,
    /// How long the last writing of the tables took.
    tables_took: Duration,
    dirty: bool,
    /// Documents done out of those expected or admitted (drawn on a terminal only).
    progress: indicatif::ProgressBar,
    admitted: u64,
    /// What happened, by document, for this run's caller.
    pub counts: Counts,
}

impl Batch {
    /// Opens the manifest in `out` and starts `jobs` worker processes; `tables` are
    /// the tables it keeps in `out`.
    pub fn open(
        out: &Path,
        tables: Tables,
        worker: WorkerCommand,
        jobs: usize,
        timeout: Duration,
        redo: Redo,
        shard: Option<Shard>,
    ) -> anyhow::Result<Batch> {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let manifest = Manifest::open(out)?;
        Ok(Batch {
            out: out.to_owned(),
            tables,
            manifest,
            pool: ProcessPool::start(worker, jobs, timeout),
            redo,
            shard,
            seen: HashMap::new(),
            in_flight: HashMap::new(),
            next_id: 0,
            tables_written: Instant::now(),
            tables_took: Duration::ZERO,
            dirty: true,
            progress: crate::progress::documents(0),
            admitted: 0,
            counts: Counts::default(),
        })
    }

    /// Says how many documents the run will admit, for the progress bar's total and
    /// time left (without it, the total is the documents admitted so far).
    pub fn expect(&mut self, documents: usize) {
        self.progress.set_length(documents as u64);
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Documents handed to workers and not yet back.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Takes a document: hands it to a worker, or ends it at once (skipped,
    /// duplicate, unreadable, another shard's) and says how.
    pub fn admit(&mut self, doc: InputDoc) -> anyhow::Result<Option<End>> {
        self.admitted += 1;
        if self.progress.length() < Some(self.admitted) {
            self.progress.set_length(self.admitted);
        }
        let (hash, size) = match content_hash(&doc.path) {
            Ok(h) => h,
            Err(e) => {
                if self.shard.is_some_and(|s| !s.takes(&doc.display)) {
                    return Ok(Some(self.count(End::OtherShard)));
                }
                let reason = format!("cannot read the file: {e}");
                self.record(None, None, error_rows(&doc.display, "error", &reason))?;
                return Ok(Some(self.count(End::Failed(reason))));
            }
        };
        if self.shard.is_some_and(|s| !s.takes(&hash)) {
            return Ok(Some(self.count(End::OtherShard)));
        }
        if let Some(first) = self.seen.get(&hash) {
            if *first == doc.display {
                return Ok(Some(self.count(End::Skipped)));
            }
            let first = first.clone();
            return self.duplicate(&doc, &hash, first).map(Some);
        }
        self.seen.insert(hash.clone(), doc.display.clone());
        if let Some(known) = self.manifest.known(&hash)? {
            let finished = match known.status {
                Status::Done => !self.redo.all,
                Status::Failed | Status::Quarantined => !(self.redo.all || self.redo.failed),
                Status::Running => false,
            };
            if finished {
                if known.document != doc.display {
                    return self.duplicate(&doc, &hash, known.document).map(Some);
                }
                if self.manifest.has_rows(&doc.display)? {
                    return Ok(Some(self.count(End::Skipped)));
                }
            }
        }
        self.dispatch(InFlight {
            doc,
            hash,
            size,
            crashes: 0,
        })?;
        Ok(None)
    }

    /// Marks the document running in the manifest and hands it to a worker.
    fn dispatch(&mut self, job: InFlight) -> anyhow::Result<()> {
        self.manifest.start(&job.hash, &job.doc.display, job.size)?;
        let id = self.next_id;
        self.next_id += 1;
        self.pool.submit(Job {
            id,
            doc: job.doc.clone(),
        });
        self.in_flight.insert(id, job);
        Ok(())
    }

    fn duplicate(&mut self, doc: &InputDoc, hash: &str, of: String) -> anyhow::Result<End> {
        let reason = format!("same content as {of}");
        info!(document = %doc.display, "duplicate: {reason}");
        self.record(
            Some(hash),
            None,
            error_rows(&doc.display, "duplicate", &reason),
        )?;
        Ok(self.count(End::Duplicate(of)))
    }

    /// Waits up to `wait` for a document to come back from its worker; returns it
    /// and how it ended (a first crash is retried, not returned).
    pub fn next_done(&mut self, wait: Duration) -> anyhow::Result<Option<(InputDoc, End)>> {
        match SIGNALS.load(Ordering::SeqCst) {
            0 => {}
            1 => self.pool.drain(),
            _ => self.pool.abort(),
        }
        let done = match self.pool.results().recv_timeout(wait) {
            Ok(d) => d,
            Err(_) => {
                self.write_tables_if_due()?;
                return Ok(None);
            }
        };
        let Some(mut job) = self.in_flight.remove(&done.id) else {
            return Ok(None);
        };
        let end = match done.end {
            JobEnd::Finished(result) => {
                let end = match &result.outcome {
                    Ok(_) => End::Done,
                    Err(e) => End::Failed(e.clone()),
                };
                let status = match &end {
                    End::Done => (Status::Done, None),
                    _ => (
                        Status::Failed,
                        result.outcome.as_ref().err().map(String::as_str),
                    ),
                };
                let rows = rows_of(&result);
                self.record(Some(&job.hash), Some(status), rows)?;
                end
            }
            JobEnd::Crashed(why) if job.crashes == 0 && !stopping() => {
                warn!(document = %job.doc.display, "{why}: retrying once in a fresh worker");
                job.crashes += 1;
                self.dispatch(job)?;
                return Ok(None);
            }
            JobEnd::Crashed(why) => self.quarantine(&job, format!("quarantined: {why}, twice"))?,
            JobEnd::TimedOut(limit) => self.quarantine(
                &job,
                format!(
                    "quarantined: still running after the {} s time limit (--timeout)",
                    limit.as_secs()
                ),
            )?,
            JobEnd::OverMemory(mb) => self.quarantine(
                &job,
                format!("quarantined: over the memory limit of {mb} MB (--max-memory-mb)"),
            )?,
            JobEnd::Abandoned => End::Abandoned,
        };
        if let End::Failed(e) | End::Quarantined(e) = &end {
            warn!(document = %job.doc.display, error = %e, "failed");
        }
        self.write_tables_if_due()?;
        Ok(Some((job.doc, self.count(end))))
    }

    fn quarantine(&mut self, job: &InFlight, reason: String) -> anyhow::Result<End> {
        self.record(
            Some(&job.hash),
            Some((Status::Quarantined, Some(&reason))),
            error_rows(&job.doc.display, "quarantined", &reason),
        )?;
        Ok(End::Quarantined(reason))
    }

    fn record(
        &mut self,
        hash: Option<&str>,
        status: Option<(Status, Option<&str>)>,
        rows: DocumentRows,
    ) -> anyhow::Result<()> {
        self.manifest.finish(hash, status, &rows)?;
        self.dirty = true;
        Ok(())
    }

    fn count(&mut self, end: End) -> End {
        self.progress.inc(1);
        let c = &mut self.counts;
        match &end {
            End::Done => c.ok += 1,
            End::Failed(_) => c.failed += 1,
            End::Quarantined(_) => c.quarantined += 1,
            End::Duplicate(_) => c.duplicate += 1,
            End::Skipped => c.skipped += 1,
            End::OtherShard => c.other_shard += 1,
            End::Abandoned => c.abandoned += 1,
        }
        end
    }

    fn write_tables_if_due(&mut self) -> anyhow::Result<()> {
        let every = TABLES_EVERY.max(self.tables_took * 5);
        if self.dirty && self.tables_written.elapsed() >= every {
            self.write_tables()?;
        }
        Ok(())
    }

    /// Regenerates the tables from the manifest.
    pub fn write_tables(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        write_tables(&self.manifest, &self.out, &self.tables)?;
        self.tables_took = started.elapsed();
        self.tables_written = Instant::now();
        self.dirty = false;
        Ok(())
    }

    /// Waits for the documents in flight, writes the tables and stops the workers.
    pub fn finish(mut self) -> anyhow::Result<Counts> {
        while self.in_flight() > 0 {
            self.next_done(Duration::from_millis(200))?;
        }
        self.write_tables()?;
        self.pool.shutdown();
        self.progress.finish_and_clear();
        Ok(self.counts)
    }
}

/// Writes `tables` of everything `manifest` holds into `out`; returns how many
/// documents they list.
pub fn write_tables(manifest: &Manifest, out: &Path, tables: &Tables) -> anyhow::Result<usize> {
    let mut rows = manifest.rows()?;
    fill_duplicates(&mut rows, &manifest.row_hashes()?);
    tables
        .write_tables(out, &rows)
        .map_err(|e| anyhow::anyhow!(e))
        .with_context(|| format!("writing the tables in {}", out.display()))?;
    Ok(rows.len())
}

/// A duplicate's row shows the values of the copy that was extracted (status stays
/// `duplicate` and the error column names that copy), and its entity rows are that
/// copy's under its own name: every file of the batch has its values in the tables,
/// though each content was extracted once. The copy may finish after its duplicate
/// was found, which is why this happens when the tables are written.
fn fill_duplicates(rows: &mut [DocumentRows], hashes: &HashMap<String, String>) {
    const STATUS: usize = 1;
    const FIRST_FIELD: usize = 3; // after document, status, error
    debug_assert_eq!(DOCUMENT_COLUMNS[FIRST_FIELD], "doc_type");
    let extracted: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.document_row.get(STATUS).is_some_and(|s| s == "ok"))
        .filter_map(|(i, r)| Some((hashes.get(&r.document)?.as_str(), i)))
        .collect();
    let fills: Vec<(usize, usize)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.document_row.get(STATUS).is_some_and(|s| s == "duplicate"))
        .filter_map(|(i, r)| Some((i, *extracted.get(hashes.get(&r.document)?.as_str())?)))
        .collect();
    for (dup, original) in fills {
        let (fields, entities) = (
            rows[original].document_row[FIRST_FIELD..].to_vec(),
            rows[original].entity_rows.clone(),
        );
        let row = &mut rows[dup];
        row.document_row.truncate(FIRST_FIELD);
        row.document_row.extend(fields);
        row.entity_rows = entities
            .into_iter()
            .map(|mut e| {
                e[0] = row.document.clone();
                e
            })
            .collect();
    }
}

/// The rows of a document that has no extraction of its own.
fn error_rows(document: &str, status: &str, reason: &str) -> DocumentRows {
    let mut rows = rows_of(&DocumentResult {
        document: document.to_owned(),
        outcome: Err(reason.to_owned()),
    });
    debug_assert_eq!(DOCUMENT_COLUMNS[1], "status");
    rows.document_row[1] = status.to_owned();
    rows
}

/// `docex merge`: the union of shard outputs, as one manifest and one set of tables.
pub fn merge(shards: &[PathBuf], out: &Path, tables: &Tables) -> anyhow::Result<usize> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut manifest = Manifest::open(out)?;
    for dir in shards {
        let db = dir.join(docex_pipeline::manifest::MANIFEST_FILE);
        if !db.is_file() {
            anyhow::bail!(
                "{}: no {} (not a docex output folder)",
                dir.display(),
                db.display()
            );
        }
        if dir.canonicalize().ok() == out.canonicalize().ok() {
            continue;
        }
        let added = manifest
            .absorb(&db)
            .with_context(|| format!("merging {}", dir.display()))?;
        info!(shard = %dir.display(), documents = added, "merged");
    }
    write_tables(&manifest, out, tables)
}
