//! Worker processes: the risky work (PDF parsing, image decoding, OCR) runs in
//! child processes, one document at a time each, so a document that crashes its
//! worker (a stack overflow deep in a PDF parser, an abort in a C library) or runs
//! past the time limit costs that document only.
//!
//! ```text
//!  supervisor (docex extract / watch)            worker processes (docex worker)
//!  jobs ─► slot thread 1 ── JSON line ─► stdin ─► Pipeline ─► stdout ── result line ─┐
//!       ─► slot thread 2 ── ...                                                        │
//!  results ◄──── Finished | Crashed(status) | TimedOut | OverMemory ◄──────────────────┘
//! ```
//!
//! A slot thread owns its child: it writes one request, waits for the one result
//! line (or end of output: a crash; or the time limit, counted from when a fresh
//! child says it is ready: it kills the child), and starts a fresh child after a
//! crash or a kill. While it waits it reads the child's resident memory every
//! 100 ms and kills it over the memory limit; inside the child, [`limit_memory`] is
//! the backstop for allocations faster than that, and a child that aborts on a
//! failed allocation (it says so on stderr) is over the memory limit too, not a
//! crash. Children run in their own process group, so a Ctrl-C at the terminal
//! reaches the supervisor only, which decides whether the documents in flight
//! finish or are abandoned. A child whose supervisor dies sees its stdin close and
//! exits after its current document.

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

/// What a worker prints on stderr when an allocation fails before it aborts: Rust's
/// allocation error handler, and C++'s terminate on an uncaught `std::bad_alloc`.
const ALLOCATION_FAILED: [&str; 2] = ["memory allocation of ", "std::bad_alloc"];

/// Marks a worker's result line: anything else a library prints to stdout is noise.
const RESULT_MARK: &str = "\u{1e}DOCEX ";

/// What a worker says (after [`RESULT_MARK`]) once it has started and reads requests.
const READY: &str = "ready";

/// How to start a worker process (`docex worker` with the pipeline's options).
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment (secrets such as a PDF password go here, not in `args`).
    pub envs: Vec<(OsString, OsString)>,
    /// Where the workers' stderr goes, line by line: this process's stderr when
    /// `None`, else this function (a progress bar writes log lines above itself).
    pub stderr: Option<fn(&[u8])>,
    /// Resident memory one worker may use, in MB, before it is killed and its
    /// document quarantined; `None`: no limit. The worker's own backstop
    /// ([`limit_memory`]) is the caller's to pass in `args`.
    pub max_memory_mb: Option<u64>,
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
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        use std::os::unix::process::ExitStatusExt;
        Err(match out.status.signal() {
            Some(sig) => format!(
                "{} was killed by signal {sig} ({}) while starting{}{stderr}",
                self.program.display(),
                signal_name(sig),
                if stderr.is_empty() { "" } else { ":\n" }
            ),
            None if stderr.is_empty() => {
                format!("{} exited with {}", self.program.display(), out.status)
            }
            None => stderr,
        })
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
    /// The worker went over the memory limit (in MB): killed, or its allocation failed.
    OverMemory(u64),
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
    /// Set when the worker said on stderr that an allocation failed.
    allocation_failed: Arc<AtomicBool>,
    /// Ends when the worker's stderr does.
    stderr_done: Receiver<()>,
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
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()?;
        // stderr is read line by line: forwarded, and watched for a failed allocation
        let allocation_failed = Arc::new(AtomicBool::new(false));
        let (done_tx, stderr_done) = mpsc::channel();
        let stderr = child.stderr.take().expect("piped");
        let (forward, failed) = (self.command.stderr, allocation_failed.clone());
        std::thread::Builder::new()
            .name(format!("docex-slot-{}-err", self.index))
            .spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let text = String::from_utf8_lossy(&line);
                    if ALLOCATION_FAILED.iter().any(|m| text.contains(m)) {
                        failed.store(true, Ordering::SeqCst);
                    }
                    match forward {
                        Some(forward) => forward(&line),
                        None => {
                            let _ = std::io::stderr().lock().write_all(&line);
                        }
                    }
                    line.clear();
                }
                let _ = done_tx.send(());
            })?;
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
            allocation_failed,
            stderr_done,
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
        let mut started = Instant::now();
        loop {
            let w = self.child.as_mut().expect("a worker is running");
            match w.lines.recv_timeout(Duration::from_millis(100)) {
                // a fresh worker is ready: the document's time starts now (its start-up
                // had a time limit of its own, as long)
                Ok(Some(line)) if line == READY => started = Instant::now(),
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
                    return match (self.reap(), self.command.max_memory_mb) {
                        (Death::AllocationFailed, Some(limit)) => JobEnd::OverMemory(limit),
                        (Death::AllocationFailed, None) => {
                            JobEnd::Crashed("worker ran out of memory".into())
                        }
                        (Death::Crashed(status), _) => JobEnd::Crashed(status),
                    };
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
                    if let Some(limit) = self.command.max_memory_mb {
                        if resident_mb(w.child.id()).is_some_and(|mb| mb > limit) {
                            warn!(document = %doc.display, megabytes = limit, "memory limit: killing its worker");
                            self.kill();
                            return JobEnd::OverMemory(limit);
                        }
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

    /// Waits for a dead worker and says how it ended.
    fn reap(&mut self) -> Death {
        let Some(mut w) = self.child.take() else {
            return Death::Crashed("worker gone".into());
        };
        drop(w.stdin);
        let status = match w.child.wait() {
            Ok(s) => s,
            Err(e) => return Death::Crashed(format!("worker lost: {e}")),
        };
        // its last words on stderr decide whether it ran out of memory
        let _ = w.stderr_done.recv_timeout(Duration::from_secs(2));
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (_, Some(6)) if w.allocation_failed.load(Ordering::SeqCst) => Death::AllocationFailed,
            (_, Some(sig)) => Death::Crashed(format!(
                "worker crashed (signal {sig}, {}{})",
                signal_name(sig),
                match sig {
                    6 => ": e.g. a stack overflow or an abort in a library",
                    9 => ": e.g. out of memory",
                    _ => "",
                }
            )),
            (Some(code), _) => Death::Crashed(format!("worker crashed (exit status {code})")),
            _ => Death::Crashed("worker crashed".into()),
        }
    }
}

/// How a worker that stopped answering ended.
enum Death {
    /// It said an allocation failed (its [`limit_memory`] backstop, or the machine's).
    AllocationFailed,
    /// Anything else, described.
    Crashed(String),
}

/// `SIGBUS` for 7: the signal's name.
fn signal_name(sig: i32) -> &'static str {
    nix::sys::signal::Signal::try_from(sig).map_or("unknown signal", |s| s.as_str())
}

/// The resident memory of process `pid` in MB (`VmRSS` in `/proc/PID/status`);
/// `None` once it is gone.
fn resident_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// The worker's backstop for a memory limit of `limit_mb` (what the supervisor
/// polls): the data segment limit (`RLIMIT_DATA`) of the process, at twice the
/// limit and 1 GB more, so that only an allocation faster than the supervisor's
/// 100 ms poll meets it. `RLIMIT_DATA` counts writable private memory, resident or
/// not (a worker starts with 40 to 115 MB of it; ONNX Runtime and Tesseract run under
/// it); `RLIMIT_AS` would also count mapped library files and reserved, never used
/// address space. An allocation over it fails: Rust and C++ code abort saying so,
/// which the supervisor reports as over the memory limit.
pub fn limit_memory(limit_mb: u64) -> nix::Result<()> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let backstop = limit_mb
        .saturating_mul(2)
        .saturating_add(1024)
        .saturating_mul(1 << 20);
    let (_, hard) = getrlimit(Resource::RLIMIT_DATA)?;
    setrlimit(Resource::RLIMIT_DATA, backstop.min(hard), hard)
}

/// The worker side: answers one result line per request line on stdin until
/// stdin closes.
pub fn serve(mut process: impl FnMut(&InputDoc) -> DocumentResult) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{RESULT_MARK}{READY}")?;
    out.flush()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A "worker" that is a shell script.
    fn sh(script: &str, max_memory_mb: Option<u64>) -> WorkerCommand {
        WorkerCommand {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            envs: Vec::new(),
            stderr: None,
            max_memory_mb,
        }
    }

    /// A worker killed by a signal while starting (a truncated library's SIGBUS)
    /// was reported with its empty stderr only.
    #[test]
    fn a_worker_killed_by_a_signal_at_start_is_reported_with_the_signal_name() {
        let err = sh("kill -BUS $$", None).preflight().unwrap_err();
        assert!(err.contains("signal 7 (SIGBUS)"), "{err}");
        assert!(err.contains("/bin/sh"), "{err}");
        let err = sh("echo cannot load >&2; exit 3", None)
            .preflight()
            .unwrap_err();
        assert_eq!(err, "cannot load");
    }

    /// One job through a pool of one `command`, with no time limit to speak of (the
    /// scripts answer at once or are killed for their memory).
    fn one_job(command: WorkerCommand) -> JobEnd {
        let pool = ProcessPool::start(command, 1, Duration::from_secs(24 * 3600));
        pool.submit(Job {
            id: 1,
            doc: InputDoc {
                path: "doc.txt".into(),
                display: "doc.txt".into(),
            },
        });
        let done = pool
            .results()
            .recv_timeout(Duration::from_secs(600))
            .expect("the job ends within 10 minutes");
        pool.shutdown();
        done.end
    }

    /// A worker that aborts because an allocation failed (its memory backstop) was
    /// reported as a crash, "stack overflow or abort", and retried.
    #[test]
    fn a_worker_aborting_on_a_failed_allocation_is_over_the_memory_limit() {
        let script =
            "read line; echo 'memory allocation of 1048576 bytes failed' >&2; kill -ABRT $$";
        let end = one_job(sh(script, Some(300)));
        assert!(matches!(end, JobEnd::OverMemory(300)), "{end:?}");
        // any other abort is a crash
        let end = one_job(sh("read line; kill -ABRT $$", Some(300)));
        match end {
            JobEnd::Crashed(why) => assert!(why.contains("signal 6, SIGABRT"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// A worker whose resident memory passes the limit is killed.
    #[test]
    fn a_worker_over_the_resident_memory_limit_is_killed() {
        // awk holds a string of 64 MB, over a 16 MB limit, and waits for more input
        let script = "read line; exec awk 'BEGIN { s = \"x\"; while (length(s) < 64000000) s = s s; getline l < \"/dev/stdin\" }'";
        let end = one_job(sh(script, Some(16)));
        assert!(matches!(end, JobEnd::OverMemory(16)), "{end:?}");
    }
}
