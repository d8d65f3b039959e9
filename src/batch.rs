//! Batch runs: documents in, worker processes, the manifest, the tables out.
//!
//! [`Batch`] is shared by `docex extract` (a fixed list of inputs) and `docex
//! watch` (files as they arrive). It decides for each document whether it is new
//! (hash unknown or unfinished), already done (skipped), a copy of another
//! document (a `duplicate` row), or another shard's; hands new ones to the
//! [`ProcessPool`]; retries a crashed document once and quarantines it the second
//! time; records every end in the manifest in one transaction; and regenerates the
//! tables from the manifest every few seconds and at the end. One run at a time
//! writes to an output folder: it holds the lock on `DIR/docex.lock`.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use docex_batch::manifest::{Manifest, Shard, Status};
use docex_batch::pool::{Job, JobEnd, ProcessPool, WorkerCommand};
use docex_core::{content_hash, DocumentResult, DocumentRows, InputDoc, TableWriter};
use docex_output::{rows_of, Tables, DOCUMENT_COLUMNS};
use tracing::{debug, info, warn};

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
    /// Where the file is (absolute), for the manifest.
    source: PathBuf,
    hash: String,
    size: u64,
    crashes: u32,
}

/// One batch run over an output folder.
pub struct Batch {
    /// The lock on `out`, held while the batch lives.
    _lock: std::fs::File,
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
        let lock = lock_output(out)?;
        let manifest = Manifest::open(out)?;
        Ok(Batch {
            _lock: lock,
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
        let hashed = content_hash(&doc.path);
        self.admit_hashed(doc, hashed)
    }

    /// [`Batch::admit`] for a caller that has hashed the file already
    /// ([`content_hash`]'s result, error included).
    pub fn admit_hashed(
        &mut self,
        doc: InputDoc,
        hashed: std::io::Result<(String, u64)>,
    ) -> anyhow::Result<Option<End>> {
        self.admitted += 1;
        if self.progress.length() < Some(self.admitted) {
            self.progress.set_length(self.admitted);
        }
        let source = std::path::absolute(&doc.path).unwrap_or_else(|_| doc.path.clone());
        let (hash, size) = match hashed {
            Ok(h) => h,
            Err(e) => {
                if self.shard.is_some_and(|s| !s.takes(&doc.display)) {
                    return Ok(Some(self.count(End::OtherShard)));
                }
                let reason = format!("cannot read the file: {e}");
                let rows = error_rows(&doc.display, "error", &reason);
                self.record(None, None, rows, &source)?;
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
            return self.duplicate(&doc, &hash, first, &source).map(Some);
        }
        self.seen.insert(hash.clone(), doc.display.clone());
        if let Some(known) = self.manifest.known(&hash)? {
            let finished = match known.status {
                Status::Done => !self.redo.all,
                Status::Failed | Status::Quarantined => !(self.redo.all || self.redo.failed),
                Status::Running => false,
            };
            let holds = |name: &str| -> anyhow::Result<bool> {
                Ok(self.manifest.row_hash(name)?.flatten().as_deref() == Some(hash.as_str()))
            };
            if finished && holds(&doc.display)? {
                self.manifest.set_source(&doc.display, &source)?;
                return Ok(Some(self.count(End::Skipped)));
            }
            if finished && known.document != doc.display && holds(&known.document)? {
                return self
                    .duplicate(&doc, &hash, known.document, &source)
                    .map(Some);
            }
            if finished {
                // extracted before under a name that holds other content now, or
                // is gone (a rename): this name shows that extraction
                info!(document = %doc.display, "extracted before as {}", known.document);
                let reason = format!("same content as {}", known.document);
                let rows = error_rows(&doc.display, "duplicate", &reason);
                self.record(Some(&hash), None, rows, &source)?;
                return Ok(Some(self.count(End::Skipped)));
            }
        }
        self.dispatch(InFlight {
            doc,
            source,
            hash,
            size,
            crashes: 0,
        })?;
        Ok(None)
    }

    /// Drops the rows of documents in `roots` that `listed` does not name (they
    /// were deleted or renamed): `docex extract`'s tables describe its inputs as
    /// they are. Returns how many were dropped.
    pub fn forget_missing(
        &mut self,
        roots: &[PathBuf],
        listed: &HashSet<String>,
    ) -> anyhow::Result<usize> {
        let gone = self.manifest.forget_missing(roots, listed)?;
        for document in &gone {
            debug!(%document, "no longer in the input: its rows are dropped");
        }
        if !gone.is_empty() {
            info!(
                documents = gone.len(),
                "no longer in the input: their rows are dropped"
            );
            self.dirty = true;
        }
        Ok(gone.len())
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

    fn duplicate(
        &mut self,
        doc: &InputDoc,
        hash: &str,
        of: String,
        source: &Path,
    ) -> anyhow::Result<End> {
        let reason = format!("same content as {of}");
        info!(document = %doc.display, "duplicate: {reason}");
        let rows = error_rows(&doc.display, "duplicate", &reason);
        self.record(Some(hash), None, rows, source)?;
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
                // the rows describe the bytes the worker read: recorded under their
                // hash, so a file changed after it was hashed is never taken as done
                // with content it does not hold (a later run reads it again)
                let read = result.content_hash.as_deref().unwrap_or(&job.hash);
                if read != job.hash {
                    warn!(document = %job.doc.display, "the file changed while it was read: its rows describe the bytes read");
                    self.manifest.forget_running(&job.hash)?;
                    job.hash = read.to_owned();
                    self.seen.insert(job.hash.clone(), job.doc.display.clone());
                }
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
                self.record(Some(&job.hash), Some(status), rows, &job.source)?;
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
            &job.source,
        )?;
        Ok(End::Quarantined(reason))
    }

    fn record(
        &mut self,
        hash: Option<&str>,
        status: Option<(Status, Option<&str>)>,
        rows: DocumentRows,
        source: &Path,
    ) -> anyhow::Result<()> {
        self.manifest.finish(hash, status, &rows, Some(source))?;
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
    present(
        &mut rows,
        &manifest.row_hashes()?,
        &manifest.results()?,
        &manifest.extracted_as()?,
    );
    tables
        .write_tables(out, &rows)
        .map_err(|e| anyhow::anyhow!(e))
        .with_context(|| format!("writing the tables in {}", out.display()))?;
    Ok(rows.len())
}

/// Each name shows the extraction of the content it holds now (`results`, by
/// hash), whatever name that content was extracted under: a file renamed, or given
/// another file's old content, is not a row without values. Of the names holding
/// one content, the one it was extracted as (else the first) shows it as it ended;
/// the others are `duplicate` rows naming that one, with its values and its entity
/// rows under their own name: every file of the batch has its values in the
/// tables, though each content was extracted once. A row with no extraction stored
/// (an unreadable file; a copy whose original is still in flight) shows as stored.
fn present(
    rows: &mut [DocumentRows],
    hashes: &HashMap<String, String>,
    results: &HashMap<String, DocumentRows>,
    extracted_as: &HashMap<String, String>,
) {
    const STATUS: usize = 1;
    const ERROR: usize = 2;
    debug_assert_eq!(DOCUMENT_COLUMNS[STATUS], "status");
    debug_assert_eq!(DOCUMENT_COLUMNS[ERROR], "error");
    let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(hash) = hashes.get(&r.document) {
            holders.entry(hash.as_str()).or_default().push(i);
        }
    }
    let mut shown: Vec<(usize, DocumentRows)> = Vec::new();
    for (hash, names) in holders {
        let Some(result) = results.get(hash) else {
            continue;
        };
        let first = names
            .iter()
            .copied()
            .find(|&i| extracted_as.get(hash) == Some(&rows[i].document))
            .unwrap_or(names[0]);
        for &i in &names {
            let name = &rows[i].document;
            let mut row = DocumentRows {
                document: name.clone(),
                document_row: result.document_row.clone(),
                entity_rows: result.entity_rows.clone(),
            };
            if let Some(cell) = row.document_row.first_mut() {
                cell.clone_from(name);
            }
            for e in &mut row.entity_rows {
                if let Some(cell) = e.first_mut() {
                    cell.clone_from(name);
                }
            }
            if i != first && row.document_row.len() > ERROR {
                row.document_row[STATUS] = "duplicate".into();
                row.document_row[ERROR] = format!("same content as {}", rows[first].document);
            }
            shown.push((i, row));
        }
    }
    for (i, row) in shown {
        rows[i] = row;
    }
}

/// The rows of a document that has no extraction of its own.
fn error_rows(document: &str, status: &str, reason: &str) -> DocumentRows {
    let mut rows = rows_of(&DocumentResult {
        document: document.to_owned(),
        outcome: Err(reason.to_owned()),
        content_hash: None,
    });
    debug_assert_eq!(DOCUMENT_COLUMNS[1], "status");
    rows.document_row[1] = status.to_owned();
    rows
}

/// `docex merge`: the union of shard outputs, as one manifest and one set of tables
/// (see [`Manifest::absorb`]: merging again updates).
pub fn merge(shards: &[PathBuf], out: &Path, tables: &Tables) -> anyhow::Result<usize> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let _lock = lock_output(out)?;
    let mut manifest = Manifest::open(out)?;
    for dir in shards {
        let db = dir.join(docex_batch::manifest::MANIFEST_FILE);
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
        info!(shard = %dir.display(), new_documents = added, "merged");
    }
    write_tables(&manifest, out, tables)
}

/// The lock file in an output folder.
const LOCK_FILE: &str = "docex.lock";

/// Takes the lock on the output folder `out` (an advisory lock on
/// `out/docex.lock`, which names the holder's process), so that two runs never
/// write one manifest and one set of tables: the second is refused, naming the
/// first. The lock ends with the returned file (or the process).
pub fn lock_output(out: &Path) -> anyhow::Result<std::fs::File> {
    let path = out.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = match holder.trim() {
                "" => "a process that has not yet said which".to_owned(),
                h => h.to_owned(),
            };
            anyhow::bail!(
                "{} is in use by another docex run ({holder}; lock {}): wait for it to \
                 end, or give another --out",
                out.display(),
                path.display()
            );
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
    let command = std::env::args().nth(1).unwrap_or_default();
    file.set_len(0)
        .and_then(|()| writeln!(file, "pid {}, docex {command}", std::process::id()))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(file)
}
