//! Robustness promises that src/fetch cannot keep alone, kept by the
//! binary around it:
//!
//! - retries and "the mirror is busy" are `tracing::warn!`s, which reach
//!   stderr only through the subscriber `main` installs;
//! - an interrupted run exits 130, which `gutenfetch::run` decides from
//!   `RunResult::interrupted`.
//!
//! The log tests set RUST_LOG=warn, since the harness passes --quiet.

use std::path::Path;

use crate::util::generated::mirror_and_manifest;
use crate::util::{
    book_entry, fixture_mirror, gutenfetch, report, signal, spawn_fetch, FaultyHttp, FtpOptions, FtpServer, HttpFault,
    HttpOptions, PathFault, Run, TestDir,
};

const JEKYLL: &str = "/4/43/43-0.txt";

fn fetch_logged(manifest: &Path, mirror: &str, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--manifest", manifest.to_str().unwrap(), "--mirror", mirror, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    Run::of(gutenfetch().env("RUST_LOG", "warn").args(&args).output().unwrap())
}

/// The delays of the "retrying in X s" lines of ebook `n` in `stderr`.
fn retry_delays(stderr: &str, n: u32) -> Vec<f64> {
    stderr
        .lines()
        .filter(|line| line.contains(&format!("ebook {n}:")))
        .filter_map(|line| line.split("retrying in ").nth(1)?.split(' ').next()?.parse().ok())
        .collect()
}

fn faulty(faults: Vec<PathFault>) -> FaultyHttp {
    FaultyHttp::start(&fixture_mirror(), HttpOptions::default(), faults, None)
}

#[test]
fn each_retry_is_logged_with_the_tries_left() {
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Reset { after: 4000 }, 2)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let run = fetch_logged(&manifest, &server.url(), &dir.join("out"), &["--retries", "3"]).expect_code(0);

    assert_eq!(retry_delays(&run.stderr, 43).len(), 2, "two retries logged:\n{}", run.stderr);
    assert!(run.stderr.contains("(3 tries left)") && run.stderr.contains("(2 tries left)"), "{}", run.stderr);
}

#[test]
fn the_wait_a_server_asks_for_is_the_wait_logged() {
    let server = faulty(vec![
        PathFault::new(JEKYLL, HttpFault::Status { code: 503, retry_after: Some("1".into()) }, 1),
        PathFault::new("/8/84/84-0.txt", HttpFault::Status { code: 429, retry_after: Some("date+2".into()) }, 1),
    ]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    let run = fetch_logged(&manifest, &server.url(), &dir.join("out"), &["--retries", "3"]).expect_code(0);

    // Backoff alone would wait 0.25 to 0.5 s before the first retry.
    assert_eq!(retry_delays(&run.stderr, 43), [1.0], "{}", run.stderr);
    let date = retry_delays(&run.stderr, 84);
    assert!(date.len() == 1 && date[0] > 0.9 && date[0] <= 2.0, "{date:?}\n{}", run.stderr);
}

#[test]
fn too_many_requests_lowers_concurrency_and_says_so_and_no_book_fails() {
    let paths = ["/4/43/43-0.txt", "/8/84/84-0.txt", "/1/0/8/1080/1080-0.txt", "/1/11/11-0.txt", "/9/98/98-0.txt"];
    // All five refused at once, whenever each request happens to be sent.
    let busy = HttpFault::Burst { code: 429, retry_after: Some("0".into()), of: paths.len() };
    let server = faulty(paths.iter().map(|path| PathFault::new(path, busy.clone(), 1)).collect());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n1080\n11\n98\n1342\n");
    let out = dir.join("out");
    let run = fetch_logged(&manifest, &server.url(), &out, &["--jobs", "8", "--retries", "2"]).expect_code(0);

    assert!(run.stderr.contains("the mirror is busy: now at most 4 books at once"), "{}", run.stderr);
    // Five refusals of one burst are one signal: halved once, not down to 1.
    assert!(!run.stderr.contains("now at most 2") && !run.stderr.contains("now at most 1"), "{}", run.stderr);
    assert_eq!(report(&out)["summary"]["ok"], 6);
}

#[test]
fn an_ftp_connection_limit_is_logged_as_the_new_limit() {
    let server = FtpServer::faulty(&fixture_mirror(), FtpOptions { max_connections: Some(2), ..FtpOptions::default() });
    let dir = TestDir::new();
    let out = dir.join("out");
    let manifest = crate::util::fixture_books::fixture_manifest();
    let run = fetch_logged(&manifest, &server.url(), &out, &["--jobs", "8"]).expect_code(0);

    assert!(run.stderr.contains("the mirror is busy: now at most 2 books at once"), "{}", run.stderr);
    assert!(!run.stderr.contains("now at most 1 book"), "{}", run.stderr);
}

#[test]
fn an_interrupted_run_exits_130() {
    let dir = TestDir::new();
    let books: Vec<u32> = (301..=304).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let stalled = "/3/0/302/302-0.txt";
    let faults = vec![PathFault::new(stalled, HttpFault::Stall { after: 100 }, usize::MAX)];
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);
    let out = dir.join("out");

    let child = spawn_fetch(&manifest, &server.url(), &out, &["--jobs", "1"]);
    server.wait_for("the stalled book", |log| log.iter().any(|p| p == stalled));
    signal(&child, "INT");
    let run = Run::of(child.wait_with_output().unwrap());
    assert_eq!(run.code, 130, "exit code of an interrupted run\n{}\n{}", run.stdout, run.stderr);
    assert_eq!(book_entry(&report(&out), 301)["status"], "ok", "the report is still written");
}
