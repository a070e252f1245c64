//! The process's own limits, as cron and CI set them: a stdout or stderr
//! whose reader went away (`2>&1 | head -3`), and few file descriptors
//! (`ulimit -n 64`). Neither may panic the run, lose its report, change what
//! its exit code means, or fail a book.

use std::io::BufRead;
use std::os::unix::process::CommandExt;

use crate::util::generated::{assert_book_complete, mirror_and_manifest};
use crate::util::{
    assert_no_temp_files, gutenfetch_logging, report, FtpOptions, FtpServer, HttpOptions, HttpServer, TestDir,
};

/// A manifest of `books`, followed by `bad` rows that are not numbers: each
/// is logged as an error, so the run writes far more than a pipe holds.
fn manifest_with_bad_rows(dir: &TestDir, books: &[u32], bad: usize) -> std::path::PathBuf {
    let manifest = mirror_and_manifest(dir, books);
    let mut csv = std::fs::read_to_string(&manifest).unwrap();
    for row in 0..bad {
        csv.push_str(&format!("not-a-number-{row},Title,Author\n"));
    }
    std::fs::write(&manifest, csv).unwrap();
    manifest
}

/// `gutenfetch … 2>&1 | head -3`: stdout and stderr are one pipe, whose
/// reader takes three lines and goes. The run has thousands of error lines
/// to log, more than the pipe holds, so it is still writing when the reader
/// leaves, whatever the timing; and once more with the reader gone before
/// the run starts. Either way: no panic (exit 101 before), the report
/// written, every book fetched, and exit 1 for the bad rows, as without the pipe.
#[test]
fn a_closed_stdout_and_stderr_neither_panic_nor_lose_the_report() {
    for lines_read in [3, 0] {
        let dir = TestDir::new();
        let books: Vec<u32> = (701..=705).collect();
        let manifest = manifest_with_bad_rows(&dir, &books, 5000);
        let server = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
        let out = dir.join("out");

        let (reader, writer) = std::io::pipe().unwrap();
        let mut child = gutenfetch_logging()
            .args(["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url()])
            .args(["--out", out.to_str().unwrap()])
            .stdout(writer.try_clone().unwrap())
            .stderr(writer)
            .spawn()
            .unwrap();
        let mut head = std::io::BufReader::new(reader);
        for _ in 0..lines_read {
            let mut line = String::new();
            head.read_line(&mut line).unwrap();
            assert!(!line.is_empty(), "the run writes at least three lines");
        }
        drop(head);
        let status = child.wait().unwrap();

        assert_eq!(status.code(), Some(1), "{lines_read} lines read: bad rows make exit 1, not a panic's 101");
        let report = report(&out);
        assert_eq!(report["summary"]["ok"], books.len(), "{lines_read} lines read");
        assert_eq!(report["bad_rows"].as_array().unwrap().len(), 5000);
        for &n in &books {
            assert_book_complete(&out, n);
        }
    }
}

/// Runs `cmd` with at most `limit` file descriptors open (soft and hard, as
/// `ulimit -n` in a shell sets them).
fn with_descriptor_limit(cmd: &mut std::process::Command, limit: u64) -> &mut std::process::Command {
    let rlimit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    // SAFETY: setrlimit is async-signal-safe and `rlimit` is a plain value
    // copied into the closure; nothing is allocated between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// `ulimit -n 64` with `--jobs 64`: a transfer holds a socket (two over
/// FTP) and its part file, so 64 at once cannot all have theirs. Books wait
/// for descriptors (fewer at once) instead of failing: every one is
/// fetched, exit 0, over HTTP and over FTP.
#[test]
fn with_ulimit_n_64_and_64_jobs_every_book_is_fetched() {
    let dir = TestDir::new();
    let books: Vec<u32> = (1001..=1300).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let http = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
    let ftp = FtpServer::anonymous(&dir.join("mirror"));
    for (transport, url) in [("http", http.url()), ("ftp", ftp.url())] {
        let out = dir.join(transport);
        let mut cmd = gutenfetch_logging();
        cmd.args(["--manifest", manifest.to_str().unwrap(), "--mirror", &url]).args([
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "64",
        ]);
        let output = with_descriptor_limit(&mut cmd, 64).output().unwrap();
        let run = crate::util::Run::of(output).expect_code(0);

        let report = report(&out);
        assert_eq!(report["summary"]["ok"], books.len(), "{transport}: {}", run.stderr);
        assert_eq!(report["summary"]["failed"], 0, "{transport}");
        for &n in &books {
            assert_book_complete(&out, n);
        }
        assert_no_temp_files(&out);
    }
}

/// `gutenfetch completions bash | head -1` and the man page: printed into a
/// pipe already closed, they exit 0 (clap_complete panicked on the error).
#[test]
fn completions_and_the_man_page_into_a_closed_pipe_exit_0() {
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = gutenfetch_logging().args(args).stdout(writer).status().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
}

/// A server that never answers QUIT does not hold the end of a run for the
/// whole `--timeout` (here an hour): the goodbye is a courtesy, waited for
/// briefly. The run ends with its report and exit 0.
#[test]
fn a_server_that_never_answers_quit_does_not_hold_the_end_of_the_run() {
    let dir = TestDir::new();
    let books: Vec<u32> = (1401..=1404).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let options = FtpOptions { ignores_quit: true, ..FtpOptions::default() };
    let server = FtpServer::faulty(&dir.join("mirror"), options);
    let out = dir.join("out");

    let child = gutenfetch_logging()
        .args(["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url()])
        .args(["--out", out.to_str().unwrap(), "--jobs", "2", "--timeout", "3600"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The bound only keeps a broken run (one waiting an hour for the
    // server's answer) from hanging the suite; nothing is timed.
    let (exited, exit) = std::sync::mpsc::channel();
    let waiting = std::thread::spawn(move || exited.send(child.wait_with_output().unwrap()));
    let output = exit.recv_timeout(std::time::Duration::from_secs(60)).expect("the run ends");
    waiting.join().unwrap().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(server.count_of("QUIT") > 0, "the run said goodbye: {:?}", server.commands());
    assert_eq!(report(&out)["summary"]["ok"], books.len());
}
