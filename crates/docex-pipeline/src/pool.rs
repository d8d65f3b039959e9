//! Worker processes: the risky work (PDF parsing, image decoding, OCR) runs in
//! child processes, one document at a time each, so a document that crashes its
//! worker (a stack overflow deep in a PDF parser, an abort in a C library) or runs
//! past the time limit costs that document only.
//!
//! ```text
//!  supervisor (docex extract / watch)            worker processes (docex worker)
//!  jobs ─► slot thread 1 ── JSON line ─► stdin ─► Pipeline ─► stdout ── result line ─┐
//!       ─► slot thread 2 ── ...                                                        │
//!  results ◄─────────────── Finished | Crashed(status) | TimedOut ◄────────────────────┘
//! ```
//!
//! A slot thread owns its child: it writes one request, waits for the one result
//! line (or end of output: a crash; or the time limit: it kills the child), and
//! starts a fresh child after a crash or a kill. Children run in their own process
//! group, so a Ctrl-C at the terminal reaches the supervisor only, which decides
//! whether the documents in flight finish or are abandoned. A child whose
//! supervisor dies sees its stdin close and exits after its current document.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use docex_core::{DocumentResult, InputDoc};
use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

/// Marks a worker's result line: anything else a library prints to stdout is noise.
const RESULT_MARK: &str = "\u{1e}DOCEX ";

/// How to start a worker process (`docex worker` with the pipeline's options).
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment (secrets such as a PDF password go here, not in `args`).
    pub envs: Vec<(OsString, OsString)>,
    /// Where the workers' stderr goes: inherited when `None`, else each line is
    /// handed to this function (a progress bar writes log lines above itself).
    pub stderr: Option<fn(&[u8])>,
}

impl WorkerCommand {
    /// Starts one worker with no work and waits for it: it exits 0 once its
    /// pipeline is built, so a broken model or library shows here, before any
    /// document could be blamed for it. Returns the worker's stderr on failure.
    pub fn preflight(&self) -> Result<(), String> {
        let out = Command::new(&self.program)
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("cannot start {}: {e}", self.program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }
}

/// One document to process; `id` is the caller's.
#[derive(Debug, Clone)]
pub struct Job {
    /// The caller's key for this job.
    pub id: u64,
    /// The document.
    pub doc: InputDoc,
}

/// How a job ended.
#[derive(Debug)]
pub enum JobEnd {
    /// The worker answered (the result may itself be an error row).
    Finished(Box<DocumentResult>),
    /// The worker died on it (its exit status or signal).
    Crashed(String),
    /// The worker ran past the time limit and was killed.
    TimedOut(Duration),
    /// The pool was aborted while it ran.
    Abandoned,
}

/// A finished job.
#[derive(Debug)]
pub struct Done {
    /// The caller's key.
    pub id: u64,
    /// The document.
    pub doc: InputDoc,
    /// What happened.
    pub end: JobEnd,
}

/// A pool of worker processes fed from a queue.
#[derive(Debug)]
pub struct ProcessPool {
    jobs: Option<Sender<Job>>,
    results: Receiver<Done>,
    abort: Arc<AtomicBool>,
    draining: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

#[derive(Serialize, Deserialize)]
struct Request {
    /// The path's bytes: file names need not be UTF-8.
    path: Vec<u8>,
    display: String,
}

impl ProcessPool {
    /// Starts `workers` slots (each starts its process on its first job).
    pub fn start(command: WorkerCommand, workers: usize, timeout: Duration) -> ProcessPool {
        let (jobs_tx, jobs_rx) = mpsc::channel::<Job>();
        let jobs_rx = Arc::new(Mutex::new(jobs_rx));
        let (results_tx, results) = mpsc::channel();
        let abort = Arc::new(AtomicBool::new(false));
        let draining = Arc::new(AtomicBool::new(false));
        let threads = (0..workers.max(1))
            .map(|i| {
                let slot = Slot {
                    index: i,
                    command: command.clone(),
                    timeout,
                    abort: abort.clone(),
                    draining: draining.clone(),
                    child: None,
                };
                let (jobs_rx, results_tx) = (jobs_rx.clone(), results_tx.clone());
                std::thread::Builder::new()
                    .name(format!("docex-slot-{i}"))
                    .spawn(move || slot.run(&jobs_rx, &results_tx))
                    .expect("spawn slot thread")
            })
            .collect();
        ProcessPool {
            jobs: Some(jobs_tx),
            results,
            abort,
            draining,
            threads,
        }
    }

    /// Queues a job.
    pub fn submit(&self, job: Job) {
        if let Some(tx) = &self.jobs {
            // the slots only stop reading when the pool is dropped
            let _ = tx.send(job);
        }
    }

    /// Finished jobs, in the order they finish.
    pub fn results(&self) -> &Receiver<Done> {
        &self.results
    }

    /// Lets the jobs in flight finish and ends every queued one as
    /// [`JobEnd::Abandoned`] without starting it.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Kills the workers: every job in flight ends as [`JobEnd::Abandoned`].
    pub fn abort(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.abort.store(true, Ordering::SeqCst);
    }

    /// Stops taking jobs and waits for the slots (and their processes) to end.
    pub fn shutdown(mut self) {
        self.jobs = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Option<String>>,
}

struct Slot {
    index: usize,
    command: WorkerCommand,
    timeout: Duration,
    abort: Arc<AtomicBool>,
    draining: Arc<AtomicBool>,
    child: Option<Worker>,
}

impl Slot {
    fn run(mut self, jobs: &Mutex<Receiver<Job>>, results: &Sender<Done>) {
        loop {
            let job = {
                let rx = jobs.lock().unwrap_or_else(|p| p.into_inner());
                rx.recv()
            };
            let Ok(job) = job else { break };
            let end = if self.draining.load(Ordering::SeqCst) {
                JobEnd::Abandoned
            } else {
                self.process(&job.doc)
            };
            if results
                .send(Done {
                    id: job.id,
                    doc: job.doc,
                    end,
                })
                .is_err()
            {
                break;
            }
        }
        if let Some(mut w) = self.child.take() {
            drop(w.stdin); // end of input: the worker exits
            let _ = w.child.wait();
        }
    }

    fn spawn(&self) -> std::io::Result<Worker> {
        let mut child = Command::new(&self.command.program)
            .args(&self.command.args)
            .envs(self.command.envs.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(match self.command.stderr {
                Some(_) => Stdio::piped(),
                None => Stdio::inherit(),
            })
            .process_group(0)
            .spawn()?;
        if let (Some(forward), Some(stderr)) = (self.command.stderr, child.stderr.take()) {
            std::thread::Builder::new()
                .name(format!("docex-slot-{}-err", self.index))
                .spawn(move || {
                    let mut reader = BufReader::new(stderr);
                    let mut line = Vec::new();
                    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                        forward(&line);
                        line.clear();
                    }
                })?;
        }
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        let index = self.index;
        std::thread::Builder::new()
            .name(format!("docex-slot-{index}-out"))
            .spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = String::from_utf8_lossy(&line);
                            match text.strip_prefix(RESULT_MARK) {
                                Some(json) => {
                                    if tx.send(Some(json.trim_end().to_owned())).is_err() {
                                        return;
                                    }
                                }
                                None => debug!(worker = index, "stdout: {}", text.trim_end()),
                            }
                        }
                    }
                }
                let _ = tx.send(None);
            })?;
        debug!(worker = index, pid = child.id(), "worker started");
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    fn process(&mut self, doc: &InputDoc) -> JobEnd {
        let request = serde_json::to_string(&Request {
            path: doc.path.as_os_str().as_bytes().to_vec(),
            display: doc.display.clone(),
        })
        .expect("request serialises");
        // A worker that died between jobs shows it when written to: start a fresh one.
        let mut sent = false;
        for _ in 0..2 {
            if self.child.is_none() {
                match self.spawn() {
                    Ok(w) => self.child = Some(w),
                    Err(e) => return JobEnd::Crashed(format!("cannot start a worker: {e}")),
                }
            }
            let w = self.child.as_mut().expect("just started");
            if writeln!(w.stdin, "{request}")
                .and_then(|()| w.stdin.flush())
                .is_ok()
            {
                sent = true;
                break;
            }
            self.reap();
        }
        if !sent {
            return JobEnd::Crashed("the worker does not take input".into());
        }
        let started = Instant::now();
        loop {
            let w = self.child.as_mut().expect("a worker is running");
            match w.lines.recv_timeout(Duration::from_millis(100)) {
                Ok(Some(json)) => {
                    return match serde_json::from_str::<DocumentResult>(&json) {
                        Ok(r) => JobEnd::Finished(Box::new(r)),
                        Err(e) => {
                            self.kill();
                            JobEnd::Crashed(format!("unreadable worker answer: {e}"))
                        }
                    };
                }
                Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                    let status = self.reap();
                    return JobEnd::Crashed(status);
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.abort.load(Ordering::SeqCst) {
                        self.kill();
                        return JobEnd::Abandoned;
                    }
                    if started.elapsed() >= self.timeout {
                        warn!(document = %doc.display, seconds = self.timeout.as_secs(), "time limit: killing its worker");
                        self.kill();
                        return JobEnd::TimedOut(self.timeout);
                    }
                }
            }
        }
    }

    fn kill(&mut self) {
        if let Some(mut w) = self.child.take() {
            let _ = w.child.kill();
            let _ = w.child.wait();
        }
    }

    /// Waits for a dead worker and describes how it ended.
    fn reap(&mut self) -> String {
        let Some(mut w) = self.child.take() else {
            return "worker gone".into();
        };
        drop(w.stdin);
        let status = match w.child.wait() {
            Ok(s) => s,
            Err(e) => return format!("worker lost: {e}"),
        };
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (_, Some(sig)) => format!("worker crashed (signal {sig}{})", signal_name(sig)),
            (Some(code), _) => format!("worker crashed (exit status {code})"),
            _ => "worker crashed".into(),
        }
    }
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        6 => ", SIGABRT: e.g. a stack overflow or an abort in a library",
        9 => ", SIGKILL: e.g. out of memory",
        11 => ", SIGSEGV",
        _ => "",
    }
}

/// The worker side: answers one result line per request line on stdin until
/// stdin closes.
pub fn serve(mut process: impl FnMut(&InputDoc) -> DocumentResult) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let request: Request = serde_json::from_str(&line)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let doc = InputDoc {
            path: PathBuf::from(OsString::from_vec(request.path)),
            display: request.display,
        };
        let result = process(&doc);
        let json = serde_json::to_string(&result).expect("results serialise");
        writeln!(out, "{RESULT_MARK}{json}")?;
        out.flush()?;
    }
    Ok(())
}
