//! The sharding examples in `deploy/` (Kubernetes Indexed Job, Slurm job array):
//! their manifests parse, N is the same in every place it is written, their shell
//! scripts call `docex` with the right arguments and map its exit codes as
//! `deploy/README.md` says (run here with a fake `docex` on `PATH`), and every
//! `docex` subcommand and option they use exists in this binary's `--help`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy");

const EXTRACT_JOB: &str = "kubernetes/docex-indexed-job.yaml";
const MERGE_JOB: &str = "kubernetes/docex-merge-job.yaml";
const ARRAY_SBATCH: &str = "slurm/docex-array.sbatch";
const MERGE_SBATCH: &str = "slurm/docex-merge.sbatch";

fn read(name: &str) -> String {
    let path = Path::new(DEPLOY).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest(name: &str) -> Value {
    serde_norway::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn container(job: &Value) -> &Value {
    let containers = job["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    assert_eq!(containers.len(), 1, "{job}");
    &containers[0]
}

/// The `sh -c` script of a Job's container. Kubernetes rewrites `$(NAME)` and `$$`
/// in `command` and `args` before the shell sees them, so the script must use
/// neither for what it passes to the shell to be what the shell runs.
fn job_script(job: &Value) -> String {
    let c = container(job);
    assert_eq!(c["command"], serde_json::json!(["sh", "-c"]));
    let script = c["args"][0].as_str().expect("args[0] is the script");
    assert!(
        !script.contains("$(") && !script.contains("$$"),
        "Kubernetes would substitute $(...) or $$ in:\n{script}"
    );
    script.to_owned()
}

/// The name of the volume claim a Job mounts at `path`.
fn claim_at<'a>(job: &'a Value, path: &str) -> &'a Value {
    let mount = container(job)["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == path)
        .unwrap_or_else(|| panic!("nothing mounted at {path}"));
    let volume = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap_or_else(|| panic!("no volume {}", mount["name"]));
    &volume["persistentVolumeClaim"]["claimName"]
}

fn int(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// A folder with a fake `docex` that writes its arguments, one a line, to
/// `FAKE_DOCEX_ARGS` and exits with `FAKE_DOCEX_RC`; with `FAKE_DOCEX_WAIT` set it
/// waits instead until SIGTERM, notes it in `FAKE_DOCEX_ARGS.signal`, exits 130.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let docex = bin.join("docex");
        std::fs::write(
            &docex,
            r#"#!/bin/sh
trap 'kill "$s" 2>/dev/null; echo TERM >"$FAKE_DOCEX_ARGS.signal"; exit 130' TERM
printf '%s\n' "$@" >"$FAKE_DOCEX_ARGS"
if [ -n "${FAKE_DOCEX_WAIT:-}" ]; then sleep 60 & s=$!; wait "$s"; fi
exit "${FAKE_DOCEX_RC:-0}"
"#,
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&docex, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fake { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn args_file(&self) -> PathBuf {
        self.path().join("args")
    }

    /// `program args...` with the fake first on `PATH`, exiting with `rc`.
    fn command(&self, program: &str, args: &[&str], rc: i32) -> Command {
        let _ = std::fs::remove_file(self.args_file());
        let path = format!(
            "{}:{}",
            self.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env("PATH", path)
            .env("FAKE_DOCEX_ARGS", self.args_file())
            .env("FAKE_DOCEX_RC", rc.to_string());
        for var in [
            "DOCEX_ARCHIVE",
            "DOCEX_RESULTS",
            "DOCEX_SHARDS",
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_COUNT",
            "SLURM_CPUS_PER_TASK",
            "JOB_COMPLETION_INDEX",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    /// The arguments docex was called with, or None when it was not called.
    fn docex_args(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.args_file()).ok()?;
        Some(text.lines().map(str::to_owned).collect())
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Runs the extract Job's script as pod `index` would, docex exiting with `rc`.
fn run_extract_pod(fake: &Fake, index: u64, rc: i32) -> Output {
    let script = job_script(&manifest(EXTRACT_JOB));
    fake.command("sh", &["-c", &script], rc)
        .env("JOB_COMPLETION_INDEX", index.to_string())
        .output()
        .unwrap()
}

#[test]
fn kubernetes_extract_job_is_indexed_with_one_n_everywhere() {
    let job = manifest(EXTRACT_JOB);
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = int(&spec["completions"]);
    assert_eq!(int(&spec["parallelism"]), n, "parallelism == completions");

    let fake = Fake::new();
    let last = n - 1;
    let o = run_extract_pod(&fake, last, 0);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let args = fake.docex_args().expect("docex was called");
    let c = container(&job);
    let cpus = c["resources"]["limits"]["cpu"].as_str().expect("cpu limit");
    assert_eq!(
        args,
        strings(&[
            "extract",
            "/archive",
            "--out",
            &format!("/results/shard-{last}"),
            "--shard",
            &format!("{last}/{n}"),
            "--jobs",
            cpus,
        ]),
        "pod {last} of {n}: shard {last}/{n}, its own folder, one worker per CPU"
    );

    // /archive and /results are the two volumes, the archive read-only.
    let mounts = c["volumeMounts"].as_array().unwrap();
    let mount = |path: &str| {
        mounts
            .iter()
            .find(|m| m["mountPath"] == path)
            .unwrap_or_else(|| panic!("no volume at {path}"))
    };
    assert_eq!(mount("/archive")["readOnly"], true);
    assert_ne!(mount("/results")["readOnly"], true);
    let env: Vec<&str> = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    for var in ["OMP_THREAD_LIMIT", "DOCEX_MODELS", "ORT_DYLIB_PATH"] {
        assert!(env.contains(&var), "{var} not set: {env:?}");
    }
    assert!(c["resources"]["requests"].is_object(), "resource requests");
}

#[test]
fn kubernetes_extract_counts_exit_code_1_as_success_and_fails_fast_on_2() {
    let fake = Fake::new();
    for (docex_rc, pod_rc) in [(0, 0), (1, 0), (2, 2), (130, 130)] {
        let o = run_extract_pod(&fake, 0, docex_rc);
        assert_eq!(
            o.status.code(),
            Some(pod_rc),
            "docex exit {docex_rc}: {o:?}"
        );
    }
    let job = manifest(EXTRACT_JOB);
    let spec = &job["spec"];
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(
        spec["podReplacementPolicy"], "Failed",
        "one writer per shard"
    );
    assert!(int(&spec["backoffLimitPerIndex"]) > 0);
    let rules = spec["podFailurePolicy"]["rules"].as_array().unwrap();
    let fail_job = rules
        .iter()
        .find(|r| r["action"] == "FailJob")
        .expect("a FailJob rule");
    assert_eq!(fail_job["onExitCodes"]["values"], serde_json::json!([2]));
    assert_eq!(
        fail_job["onExitCodes"]["containerName"],
        container(&job)["name"]
    );
    assert!(
        rules
            .iter()
            .any(|r| r["action"] == "Ignore"
                && r["onPodConditions"][0]["type"] == "DisruptionTarget"),
        "evictions are not counted"
    );
}

#[test]
fn kubernetes_extract_passes_sigterm_on_to_docex() {
    let fake = Fake::new();
    let script = job_script(&manifest(EXTRACT_JOB));
    let mut pod = fake
        .command("sh", &["-c", &script], 0)
        .env("JOB_COMPLETION_INDEX", "0")
        .env("FAKE_DOCEX_WAIT", "1")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while fake.docex_args().is_none() {
        assert!(Instant::now() < deadline, "docex never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the shell get from starting docex to its trap.
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-TERM", &pod.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = pod.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            pod.kill().unwrap();
            panic!("the script did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        fake.path().join("args.signal").exists(),
        "docex got no SIGTERM"
    );
    assert_eq!(status.code(), Some(130), "docex's own exit code");
}

#[test]
fn kubernetes_merge_job_merges_every_shard_folder() {
    let extract = manifest(EXTRACT_JOB);
    let job = manifest(MERGE_JOB);
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    assert_eq!(
        claim_at(&job, "/results"),
        claim_at(&extract, "/results"),
        "the same results volume"
    );

    let n = int(&extract["spec"]["completions"]);
    let fake = Fake::new();
    let results = fake.path().join("results");
    for k in 0..n {
        std::fs::create_dir_all(results.join(format!("shard-{k}"))).unwrap();
    }
    let results = results.to_str().unwrap();
    let script = job_script(&job).replace("/results", results);
    for (docex_rc, pod_rc) in [(0, 0), (1, 0), (2, 2)] {
        let o = fake
            .command("sh", &["-c", &script], docex_rc)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(pod_rc),
            "docex exit {docex_rc}: {o:?}"
        );
    }
    let mut expected = vec!["merge".to_owned()];
    expected.extend((0..n).map(|k| format!("{results}/shard-{k}")));
    expected.extend(["--out".to_owned(), format!("{results}/all")]);
    assert_eq!(fake.docex_args().unwrap(), expected);
}

#[test]
fn sbatch_scripts_pass_bash_syntax_check() {
    for name in [ARRAY_SBATCH, MERGE_SBATCH] {
        let o = Command::new("bash")
            .arg("-n")
            .arg(Path::new(DEPLOY).join(name))
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: {o:?}");
    }
}

/// The value of `#SBATCH --NAME=VALUE` in a script.
fn sbatch_option(script: &str, name: &str) -> String {
    let prefix = format!("#SBATCH --{name}=");
    script
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix}"))
        .trim()
        .to_owned()
}

/// N of the job array `--array=0-M` (an optional `%limit` after it): M + 1.
fn array_shards() -> u64 {
    let array = sbatch_option(&read(ARRAY_SBATCH), "array");
    let range = array.split('%').next().unwrap();
    let (first, last) = range
        .split_once('-')
        .unwrap_or_else(|| panic!("--array={array} is not 0-M"));
    assert_eq!(first, "0", "shards are numbered from 0");
    last.parse::<u64>().unwrap() + 1
}

fn run_sbatch(fake: &Fake, name: &str, rc: i32, env: &[(&str, &str)]) -> Output {
    let script = Path::new(DEPLOY).join(name);
    let results = fake.path().join("results");
    let mut cmd = fake.command("bash", &[script.to_str().unwrap()], rc);
    cmd.env("DOCEX_RESULTS", &results)
        .env("DOCEX_ARCHIVE", "/data/archive")
        .current_dir(fake.path());
    cmd.envs(env.iter().copied()).output().unwrap()
}

#[test]
fn slurm_array_task_runs_its_shard_of_n_equal_to_the_array_size() {
    let n = array_shards();
    let cpus = sbatch_option(&read(ARRAY_SBATCH), "cpus-per-task");
    let fake = Fake::new();
    let results = fake.path().join("results");
    let last = (n - 1).to_string();
    for (docex_rc, task_rc) in [(0, 0), (1, 1), (2, 2)] {
        let o = run_sbatch(
            &fake,
            ARRAY_SBATCH,
            docex_rc,
            &[("SLURM_ARRAY_TASK_ID", last.as_str())],
        );
        assert_eq!(o.status.code(), Some(task_rc), "{o:?}");
        let status = results.join(format!("status/shard-{last}.exit"));
        assert_eq!(
            std::fs::read_to_string(&status).unwrap().trim(),
            docex_rc.to_string(),
            "the exit code the merge reads"
        );
    }
    assert_eq!(
        fake.docex_args().unwrap(),
        strings(&[
            "extract",
            "/data/archive",
            "--out",
            &format!("{}/shard-{last}", results.display()),
            "--shard",
            &format!("{last}/{n}"),
            "--jobs",
            &cpus,
        ]),
    );

    // A re-run of some shards is a smaller array: N must not follow it.
    run_sbatch(
        &fake,
        ARRAY_SBATCH,
        0,
        &[
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ],
    );
    assert!(fake.docex_args().unwrap().contains(&format!("0/{n}")));

    // A task outside 0..N (or no array at all) is a set-up error, and runs nothing.
    for env in [vec![("SLURM_ARRAY_TASK_ID", n.to_string())], vec![]] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let o = run_sbatch(&fake, ARRAY_SBATCH, 0, &env);
        assert_eq!(o.status.code(), Some(2), "{env:?}: {o:?}");
        assert_eq!(fake.docex_args(), None);
    }
}

#[test]
fn slurm_merge_runs_only_when_every_shard_finished() {
    let n = array_shards();
    let fake = Fake::new();
    let results = fake.path().join("results");
    let status = results.join("status");
    std::fs::create_dir_all(&status).unwrap();
    let mark = |k: u64, rc: &str| std::fs::write(status.join(format!("shard-{k}.exit")), rc);

    // The last shard has not finished, or was interrupted: no merge, and say which.
    for k in 0..n - 1 {
        mark(k, if k == 0 { "1" } else { "0" }).unwrap();
    }
    for last in [None, Some("130"), Some("2")] {
        if let Some(rc) = last {
            mark(n - 1, rc).unwrap();
        }
        let o = run_sbatch(&fake, MERGE_SBATCH, 0, &[]);
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        assert_eq!(fake.docex_args(), None, "merged with a shard missing");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains(&format!("--array={}", n - 1)), "{stderr}");
    }

    mark(n - 1, "0").unwrap();
    let o = run_sbatch(&fake, MERGE_SBATCH, 0, &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let results = results.display();
    let mut expected = vec!["merge".to_owned()];
    expected.extend((0..n).map(|k| format!("{results}/shard-{k}")));
    expected.extend(["--out".to_owned(), format!("{results}/all")]);
    assert_eq!(fake.docex_args().unwrap(), expected);
}

/// `(subcommand, options)` of every `docex` command line in a shell script (comments
/// left out, `\` continuations joined).
fn docex_invocations(script: &str) -> Vec<(String, Vec<String>)> {
    let joined = script.replace("\\\n", " ");
    let mut found = Vec::new();
    for line in joined.lines() {
        if line.trim_start().starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            if *w != "docex" && !w.ends_with("/docex") {
                continue;
            }
            let Some(sub) = words.get(i + 1) else {
                continue;
            };
            let options = words[i + 2..]
                .iter()
                .take_while(|w| !matches!(**w, "&" | "&&" | "||" | ";" | "|"))
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap().to_owned())
                .collect();
            found.push(((*sub).to_owned(), options));
        }
    }
    found
}

/// Fails until `docex merge` and `docex extract --shard` exist.
#[test]
fn every_docex_option_in_the_examples_exists() {
    let mut uses = Vec::new();
    for name in [EXTRACT_JOB, MERGE_JOB] {
        uses.extend(docex_invocations(&job_script(&manifest(name))));
    }
    for name in [ARRAY_SBATCH, MERGE_SBATCH] {
        uses.extend(docex_invocations(&read(name)));
    }
    let mut subcommands: Vec<&str> = uses.iter().map(|(s, _)| s.as_str()).collect();
    subcommands.sort();
    subcommands.dedup();
    assert_eq!(subcommands, ["extract", "merge"], "{uses:?}");

    let mut missing = Vec::new();
    for sub in subcommands {
        let o = super::docex(&[sub, "--help"]);
        if !o.status.success() {
            missing.push(format!(
                "`docex {sub}`: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
            continue;
        }
        let help = String::from_utf8_lossy(&o.stdout);
        let documented = |option: &str| {
            help.match_indices(option).any(|(at, _)| {
                !help[at + option.len()..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
            })
        };
        for (_, options) in uses.iter().filter(|(s, _)| s == sub) {
            for option in options {
                if !documented(option) {
                    missing.push(format!("`docex {sub} {option}`"));
                }
            }
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "not in `docex SUBCOMMAND --help`:\n{}",
        missing.join("\n")
    );
}
