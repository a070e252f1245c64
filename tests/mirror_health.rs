//! Faults of the whole run, not of one book: a mirror that cannot be
//! reached, one that goes down mid-run, a refused login, a wrong root. Each
//! ends fast with one clear line, every book in the report, and the exit
//! code that says what happened. Waits are bounded by `--outage-budget` and
//! by connections counted at the server, never by a clock in the test.

use std::path::{Path, PathBuf};

use crate::util::fixture_books::{assert_fixture_books_complete, fixture_manifest, FIXTURE_BOOKS};
use crate::util::{
    book_entry, fetch, fixture_mirror, gutenfetch_logging, report, spawn_fetch, FaultyHttp, FtpOptions, FtpOutage,
    FtpServer, HttpFault, HttpOptions, HttpServer, PathFault, Run, TestDir,
};

/// A manifest of `n` books (none needs to exist: no book is fetched).
fn manifest_of(dir: &TestDir, n: u32) -> PathBuf {
    let rows: String = (1..=n).map(|i| format!("{}\n", 10_000 + i)).collect();
    dir.write("m.csv", format!("FileNumber\n{rows}"))
}

/// A fetch at the default log level, as cron runs it (stderr holds warnings and errors).
fn fetch_logged(manifest: &Path, mirror: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--manifest", manifest.to_str().unwrap(), "--mirror", mirror, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    Run::of(gutenfetch_logging().args(&args).output().expect("gutenfetch runs"))
}

/// The lines of a log without the progress line written every few seconds.
fn lines_but_progress(log: &str) -> Vec<&str> {
    log.lines().filter(|line| !line.contains(" progress: ")).collect()
}

/// A loopback port where nothing listens: connections to it are refused.
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server that accepts every connection and closes it at once: no FTP
/// greeting, no TLS handshake. It counts the connections.
fn hanging_up() -> FtpServer {
    let outage = FtpOutage { after: 0, refused: usize::MAX };
    FtpServer::faulty(&fixture_mirror(), FtpOptions { outage: Some(outage), ..FtpOptions::default() })
}

/// Checks a run that could not start: exit 2, `line` the only line on
/// stderr, every one of `books` not started with that reason in the report.
fn assert_could_not_start(run: Run, out: &Path, books: u64, line: &str) {
    let run = run.expect_code(2);
    let lines = lines_but_progress(&run.stderr);
    assert_eq!(lines.len(), 1, "one line on stderr:\n{}", run.stderr);
    assert!(lines[0].contains(line), "{line:?} in\n{}", run.stderr);
    let report = report(out);
    let summary = &report["summary"];
    assert_eq!((summary["books"].as_u64(), summary["not_started"].as_u64()), (Some(books), Some(books)));
    assert!(summary["stopped"].as_str().unwrap().contains(line), "{summary}");
    let first = &report["books"][0];
    assert_eq!(first["status"], "not_started");
    assert!(first["warnings"][0].as_str().unwrap().contains(line), "{first}");
    assert!(run.stdout.contains(line), "the summary says why:\n{}", run.stdout);
}

#[test]
fn a_mirror_refusing_connections_ends_a_5000_book_run_with_one_line() {
    let dir = TestDir::new();
    let (manifest, out) = (manifest_of(&dir, 5000), dir.join("out"));
    let port = dead_port();
    let run = fetch_logged(&manifest, &format!("http://127.0.0.1:{port}/"), &out, &["--outage-budget", "2"]);
    let line = format!("cannot reach the mirror 127.0.0.1:{port}: Connection refused");
    assert_could_not_start(run, &out, 5000, &line);
}

#[test]
fn a_mirror_that_hangs_up_is_tried_a_few_times_whatever_the_manifest() {
    // TLS handshakes and FTP greetings that never come are the mirror's
    // fault too; the server counts every try.
    for scheme in ["https", "ftp"] {
        let server = hanging_up();
        let dir = TestDir::new();
        let (manifest, out) = (manifest_of(&dir, 5000), dir.join("out"));
        let mirror = format!("{scheme}://{}/", server.addr);
        let run = fetch_logged(&manifest, &mirror, &out, &["--jobs", "16", "--outage-budget", "2"]);
        assert_could_not_start(run, &out, 5000, &format!("cannot reach the mirror {}: ", server.addr));
        // One try, then probes after 0.25, 0.5 and 1 s, and a last one at the 2 s budget.
        let tries = server.hung_up();
        assert!((2..=5).contains(&tries), "{scheme}: {tries} connections for 5000 books");
    }
}

#[test]
fn a_host_name_that_does_not_resolve_ends_the_run_with_one_line() {
    let dir = TestDir::new();
    let (manifest, out) = (manifest_of(&dir, 200), dir.join("out"));
    let run = fetch_logged(&manifest, "http://mirror.invalid/", &out, &["--outage-budget", "1"]);
    assert_could_not_start(run, &out, 200, "cannot reach the mirror mirror.invalid:80: ");
}

#[test]
fn an_ftp_port_where_nothing_listens_ends_the_run_with_one_line() {
    let dir = TestDir::new();
    let (manifest, out) = (manifest_of(&dir, 200), dir.join("out"));
    let port = dead_port();
    let run = fetch_logged(&manifest, &format!("ftp://127.0.0.1:{port}/"), &out, &["--outage-budget", "1"]);
    assert_could_not_start(run, &out, 200, &format!("cannot reach the mirror 127.0.0.1:{port}: Connection refused"));
}

#[test]
fn an_outage_mid_run_is_waited_out_and_every_book_fetched() {
    // The server drops every connection at the sixth transfer, then hangs up
    // on the next three: one book at a time with 2 retries, a book charged
    // for each would fail.
    let outage = FtpOutage { after: 5, refused: 3 };
    let server = FtpServer::faulty(&fixture_mirror(), FtpOptions { outage: Some(outage), ..FtpOptions::default() });
    let dir = TestDir::new();
    let out = dir.join("out");
    let run = fetch_logged(&fixture_manifest(), &server.url(), &out, &["--jobs", "1", "--retries", "2"]);
    let run = run.expect_code(0);
    assert_eq!(server.hung_up(), 3, "the outage happened");
    assert!(run.stderr.contains("answers again after"), "{}", run.stderr);
    assert_fixture_books_complete(&out);
    let report = report(&out);
    for (n, _, _) in FIXTURE_BOOKS {
        let attempts = book_entry(&report, u64::from(*n))["attempts"].as_u64().unwrap();
        assert!(attempts <= 3, "ebook {n}: {attempts} tries; the refused connections are not charged");
    }
}

#[test]
fn an_outage_longer_than_the_budget_stops_the_run_with_exit_1() {
    let outage = FtpOutage { after: 5, refused: usize::MAX };
    let server = FtpServer::faulty(&fixture_mirror(), FtpOptions { outage: Some(outage), ..FtpOptions::default() });
    let dir = TestDir::new();
    let out = dir.join("out");
    let extra = ["--jobs", "1", "--outage-budget", "1"];
    let run = fetch_logged(&fixture_manifest(), &server.url(), &out, &extra).expect_code(1);
    let stops: Vec<&str> = run.stderr.lines().filter(|l| l.contains("has not answered for 1 s")).collect();
    assert_eq!(stops.len(), 1, "{}", run.stderr);
    // Probes after 0.25 and 0.5 s, a last one at 1 s.
    assert!(server.hung_up() <= 5, "{} connections in a 1 s budget", server.hung_up());
    let summary = &report(&out)["summary"];
    let books = FIXTURE_BOOKS.len() as u64;
    assert_eq!(summary["ok"].as_u64().unwrap(), 5, "{summary}");
    assert_eq!(summary["not_started"].as_u64().unwrap(), books - 5, "the book in flight and the rest: {summary}");
    assert_eq!(summary["failed"], 0);
    assert!(summary["stopped"].as_str().unwrap().contains("the outage budget"), "{summary}");
}

#[test]
fn a_wrong_ftp_password_ends_the_run_after_one_pass() {
    let server = FtpServer::with_login(&fixture_mirror(), "reader", "right");
    let dir = TestDir::new();
    let out = dir.join("out");
    let mirror = format!("ftp://reader@{}/", server.addr);
    let extra = ["--jobs", "8", "--ftp-password", "wrong"];
    let run = fetch_logged(&fixture_manifest(), &mirror, &out, &extra).expect_code(2);
    assert_eq!(server.count_of("PASS"), 1, "{:?}", server.commands());
    let lines = lines_but_progress(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    for words in ["refused the login of user \"reader\"", "530", "GUTENFETCH_FTP_PASSWORD"] {
        assert!(lines[0].contains(words), "{words:?} in {}", lines[0]);
    }
    assert!(!run.stderr.contains("wrong") && !run.stdout.contains("wrong"), "the password is never shown");
    let summary = &report(&out)["summary"];
    assert_eq!(summary["not_started"].as_u64().unwrap(), FIXTURE_BOOKS.len() as u64, "{summary}");
}

#[test]
fn http_401_ends_the_run_after_one_request() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions { login_required: true, ..HttpOptions::default() });
    let dir = TestDir::new();
    let out = dir.join("out");
    let run = fetch_logged(&fixture_manifest(), &server.url(), &out, &["--jobs", "8"]).expect_code(2);
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
    let lines = lines_but_progress(&run.stderr);
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].contains("the mirror asks for a login (HTTP 401 Unauthorized"), "{}", lines[0]);
    assert_eq!(report(&out)["summary"]["not_started"].as_u64().unwrap(), FIXTURE_BOOKS.len() as u64);
}

#[test]
fn a_root_one_folder_above_the_tree_gets_a_hint() {
    let dir = TestDir::new();
    let above = dir.join("above");
    std::fs::create_dir_all(above.join("gutenberg/4/1")).unwrap();
    std::fs::write(above.join("README"), "not a Gutenberg tree\n").unwrap();
    let server = FtpServer::anonymous(&above);
    let out = dir.join("out");
    let run = fetch(&fixture_manifest(), &server.url(), &out, &["--jobs", "4"]).expect_code(2);
    let hint = format!(
        "the mirror root ftp://{0}/ does not look like a Gutenberg tree (no digit folders, no GUTINDEX \
         files): check --mirror; the Gutenberg tree may be ftp://{0}/gutenberg/",
        server.addr
    );
    assert_eq!(run.stderr.matches(&hint).count(), 1, "{hint}\nin\n{}", run.stderr);
    let summary = &report(&out)["summary"];
    assert_eq!(summary["stopped"].as_str(), Some(hint.as_str()));
    assert!(summary["not_started"].as_u64().unwrap() >= FIXTURE_BOOKS.len() as u64 - 4, "{summary}");
}

#[test]
fn a_missing_first_book_on_a_right_root_is_only_that_book() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n9999999\n43\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &[]).expect_code(1);
    let report = report(&out);
    assert_eq!(book_entry(&report, 9_999_999)["status"], "failed");
    let summary = &report["summary"];
    assert_eq!((summary["ok"].as_u64(), summary["failed"].as_u64()), (Some(2), Some(1)), "{summary}");
    assert_eq!(summary["stopped"], serde_json::Value::Null);
}

#[test]
fn the_books_held_back_start_once_the_first_file_starts_coming() {
    // Until the mirror first answers, one book goes out alone; it has answered
    // once that book's file starts coming. Each book's file is held mid-body
    // until the test has seen both asked for: were the second book held back
    // until the first is whole, it would never be asked for (and the wait
    // below fails, bounded, rather than hangs).
    const JEKYLL: &str = "/4/43/43-0.txt";
    const FRANKENSTEIN: &str = "/8/84/84-0.txt";
    let held = HttpFault::Gated { after: 1000 };
    let faults = vec![PathFault::new(JEKYLL, held.clone(), 1), PathFault::new(FRANKENSTEIN, held, 1)];
    let server = FaultyHttp::start(&fixture_mirror(), HttpOptions::default(), faults, None);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    let out = dir.join("out");
    // A --timeout the held transfer cannot reach however slow the machine.
    let mut child = spawn_fetch(&manifest, &server.url(), &out, &["--jobs", "2", "--timeout", "600"]);
    let both_asked = |log: &[String]| [JEKYLL, FRANKENSTEIN].iter().all(|path| log.iter().any(|p| p == path));
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.wait_for("the second book while the first one's file is held", both_asked)
    }));
    if let Err(panic) = waited {
        child.kill().unwrap();
        child.wait().unwrap();
        std::panic::resume_unwind(panic);
    }
    server.open_gate();
    Run::of(child.wait_with_output().unwrap()).expect_code(0);
    let report = report(&out);
    for (n, path) in [(43, JEKYLL), (84, FRANKENSTEIN)] {
        assert_eq!(server.count(path), 1, "{path} asked for once, and held until both were asked for");
        let entry = book_entry(&report, n);
        assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("ok"), Some(1)), "{entry}");
    }
}
