//! Shared helpers for the integration tests: fixture paths, a fresh temp dir
//! per test, the real binary, and failure output that shows what went wrong.

pub mod corpus;
pub mod fault_http;
pub mod fixture_books;
pub mod ftp_server;
pub mod generated;
pub mod http_server;
pub mod implode;
pub mod server_thread;
pub mod synth;
pub mod synth_mirror;

use std::path::{Path, PathBuf};
use std::process::Output;

pub use fault_http::{FaultyHttp, HttpFault, PathFault, RandomFaults};
pub use ftp_server::{FtpFault, FtpFaultKind, FtpOptions, FtpOutage, FtpServer};
pub use http_server::{HttpOptions, HttpServer};
pub use synth_mirror::book_folder;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixture mirror in tests/fixtures/mirror (synthetic books: see `synth_mirror`).
pub fn fixture_mirror() -> PathBuf {
    fixtures().join("mirror")
}

/// A scratch folder for one test, removed when dropped.
pub struct TestDir {
    dir: tempfile::TempDir,
}

impl TestDir {
    pub fn new() -> Self {
        TestDir { dir: tempfile::Builder::new().prefix("gutenfetch-test-").tempdir().unwrap() }
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file under the test folder and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

/// The gutenfetch binary, quiet (errors only), in a clean environment.
pub fn gutenfetch() -> std::process::Command {
    let mut cmd = gutenfetch_logging();
    cmd.arg("--quiet");
    cmd
}

/// The gutenfetch binary at its default log level (warnings too), as cron runs it.
pub fn gutenfetch_logging() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gutenfetch"));
    for var in ["GUTENFETCH_MIRROR", "GUTENFETCH_FTP_PASSWORD", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    cmd
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics, showing both streams, unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs gutenfetch with `args` and captures everything.
pub fn run(args: &[&str]) -> Run {
    Run::of(gutenfetch().args(args).output().expect("gutenfetch runs"))
}

/// Runs a fetch of `manifest` from `mirror` into `out`, plus any extra args.
pub fn fetch(manifest: &Path, mirror: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--manifest", manifest.to_str().unwrap(), "--mirror", mirror, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// The parsed JSON report of a run into `out`.
pub fn report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("gutenfetch-report.json")).expect("the report exists");
    serde_json::from_str(&text).expect("the report is JSON")
}

/// The report entry of ebook `n`.
pub fn book_entry(report: &serde_json::Value, n: u64) -> serde_json::Value {
    report["books"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["ebook"] == n)
        .unwrap_or_else(|| panic!("ebook {n} is in the report"))
        .clone()
}

/// Every file under `dir` (relative path → bytes), for comparing whole outputs.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(path.strip_prefix(root).unwrap().to_owned(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut files = std::collections::BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Panics if a temporary file (`.gutenfetch-<pid>-*.part`) is anywhere under `dir`.
pub fn assert_no_temp_files(dir: &Path) {
    for path in tree(dir).keys() {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(!name.starts_with(".gutenfetch-"), "temporary file left behind: {}", path.display());
    }
}

/// The temporary files under `dir`.
pub fn temp_files(dir: &Path) -> Vec<PathBuf> {
    tree(dir)
        .into_keys()
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with(".gutenfetch-"))
        .collect()
}

/// Starts a fetch without waiting for it, its output captured.
pub fn spawn_fetch(manifest: &Path, mirror: &str, out: &Path, extra: &[&str]) -> std::process::Child {
    let mut args = vec!["--manifest", manifest.to_str().unwrap(), "--mirror", mirror, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    gutenfetch()
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gutenfetch starts")
}

/// Sends `signal` (like `INT` or `KILL`) to a process this test started.
pub fn signal(child: &std::process::Child, signal: &str) {
    let status = std::process::Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
    assert!(status.unwrap().success(), "kill -{signal} {}", child.id());
}

/// The files of a run's output that make up the books (everything but the
/// report, the runs history and the provenance records, which say when and
/// from where).
pub fn books_tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = tree(dir);
    files.remove(Path::new("gutenfetch-report.json"));
    files.remove(Path::new("gutenfetch-runs.jsonl"));
    files.retain(|path, _| !path.starts_with("provenance"));
    files
}

/// Whether `text` holds a control character other than a line end, which
/// would reach the terminal raw (ESC sequences, BEL, NUL, C1 controls).
pub fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}
