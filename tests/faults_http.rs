//! An HTTP mirror that fails on purpose: what is retried, how often, what is
//! not, and that a failure never leaves a file behind.

use crate::util::fault_http::per_path;
use crate::util::{
    assert_no_temp_files, book_entry, fetch, fixture_mirror, report, FaultyHttp, HttpFault, HttpOptions, PathFault,
    TestDir,
};

const JEKYLL: &str = "/4/43/43-0.txt";
const FRANKENSTEIN: &str = "/8/84/84-0.txt";

fn served(path: &str) -> Vec<u8> {
    std::fs::read(fixture_mirror().join(path.trim_start_matches('/'))).unwrap()
}

fn faulty(faults: Vec<PathFault>) -> FaultyHttp {
    FaultyHttp::start(&fixture_mirror(), HttpOptions { autoindex: true, ..HttpOptions::default() }, faults, None)
}

#[test]
fn a_connection_reset_mid_body_is_retried_until_the_book_is_whole() {
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Reset { after: 4000 }, 2)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "3"]).expect_code(0);

    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL), "the raw copy is whole");
    assert!(out.join("43.txt").is_file());
    assert_eq!(server.count(JEKYLL), 3, "two resets, then the book");
    let entry = book_entry(&report(&out), 43);
    assert_eq!(entry["status"], "ok");
    assert_eq!(entry["attempts"], 3);
    assert_no_temp_files(&out);
}

#[test]
fn a_body_shorter_than_its_content_length_is_retried() {
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Short { after: 10_000 }, 1)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(0);

    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL), "never the short copy");
    assert_eq!(server.count(JEKYLL), 2);
    assert_eq!(book_entry(&report(&out), 43)["attempts"], 2);
    assert_no_temp_files(&out);
}

#[test]
fn a_transfer_that_stalls_mid_body_times_out_and_is_retried() {
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Stall { after: 3000 }, 1)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--timeout", "1", "--retries", "2"]).expect_code(0);

    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL));
    assert_eq!(server.count(JEKYLL), 2, "the stalled transfer was given up and tried again");
    let report = report(&out);
    assert_eq!(book_entry(&report, 43)["attempts"], 2);
    assert_eq!(book_entry(&report, 1080)["attempts"], 1, "the other book was not held up");
    assert_no_temp_files(&out);
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times_then_the_book_fails_alone() {
    let always = usize::MAX;
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Status { code: 500, retry_after: None }, always)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber,Title\n43,Jekyll\n1080,A Modest Proposal\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(1);

    assert_eq!(server.count(JEKYLL), 3, "one try and two retries");
    let report = report(&out);
    let entry = book_entry(&report, 43);
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["attempts"], 3);
    assert_eq!(entry["error"]["stage"], "download");
    assert!(entry["error"]["message"].as_str().unwrap().contains("500"), "{entry}");
    assert!(entry["url"].as_str().unwrap().ends_with(JEKYLL), "{entry}");
    assert_eq!(book_entry(&report, 1080)["status"], "ok");
    assert_eq!((report["summary"]["ok"].as_u64(), report["summary"]["failed"].as_u64()), (Some(1), Some(1)));
    assert!(!out.join("43.txt").exists() && !out.join("raw/43-0.txt").exists());
    assert!(run.stdout.contains("failed: ebook 43 (Jekyll)"), "{}", run.stdout);
    assert_no_temp_files(&out);
}

#[test]
fn a_missing_book_or_a_refused_request_is_not_retried() {
    let server =
        faulty(vec![PathFault::new(FRANKENSTEIN, HttpFault::Status { code: 400, retry_after: None }, usize::MAX)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n9999999\n84\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "5"]).expect_code(1);

    let counts = per_path(&server.requests());
    assert!(counts.iter().all(|(_, n)| *n == 1), "no request was repeated: {counts:?}");
    let report = report(&out);
    let missing = book_entry(&report, 9999999);
    assert_eq!((missing["status"].as_str(), missing["attempts"].as_u64()), (Some("failed"), Some(1)));
    let refused = book_entry(&report, 84);
    assert_eq!((refused["status"].as_str(), refused["attempts"].as_u64()), (Some("failed"), Some(1)));
    assert!(refused["error"]["message"].as_str().unwrap().contains("400"), "{refused}");
    assert_eq!(book_entry(&report, 43)["status"], "ok");
}

/// A server asking for a wait longer than gutenfetch waits (2 minutes) fails
/// the book at once: proof that `Retry-After` was read, without timing anything.
#[test]
fn retry_after_longer_than_two_minutes_fails_the_book_at_once_in_seconds_or_as_a_date() {
    let in_an_hour = httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(3600));
    let faults = vec![
        PathFault::new(JEKYLL, HttpFault::Status { code: 503, retry_after: Some("121".into()) }, usize::MAX),
        PathFault::new(FRANKENSTEIN, HttpFault::Status { code: 429, retry_after: Some(in_an_hour) }, usize::MAX),
    ];
    let server = faulty(faults);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "3"]).expect_code(1);

    let report = report(&out);
    for (n, path) in [(43, JEKYLL), (84, FRANKENSTEIN)] {
        assert_eq!(server.count(path), 1, "{path} was not asked again");
        let entry = book_entry(&report, n);
        assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("failed"), Some(1)), "{entry}");
        assert!(!out.join(format!("{n}.txt")).exists());
    }
    assert_eq!(book_entry(&report, 1080)["status"], "ok");
}

/// A `Retry-After` of now (0 seconds, or a date already past) is retried at
/// once, and the book is fetched.
#[test]
fn retry_after_of_now_is_retried_and_the_books_are_fetched() {
    let past = httpdate::fmt_http_date(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30));
    let faults = vec![
        PathFault::new(JEKYLL, HttpFault::Status { code: 503, retry_after: Some("0".into()) }, 2),
        PathFault::new(FRANKENSTEIN, HttpFault::Status { code: 429, retry_after: Some(past) }, 1),
    ];
    let server = faulty(faults);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "3"]).expect_code(0);

    let report = report(&out);
    assert_eq!((server.count(JEKYLL), server.count(FRANKENSTEIN)), (3, 2));
    assert_eq!(book_entry(&report, 43)["attempts"], 3);
    assert_eq!(book_entry(&report, 84)["attempts"], 2);
    assert!(std::fs::read(out.join("raw/84-0.txt")).unwrap() == served(FRANKENSTEIN));
}

#[test]
fn an_endless_body_fails_its_book_at_the_size_limit() {
    let server = faulty(vec![PathFault::new(JEKYLL, HttpFault::Endless, usize::MAX)]);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--max-size", "1", "--retries", "3"]).expect_code(1);

    let report = report(&out);
    let entry = book_entry(&report, 43);
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["error"]["stage"], "download");
    assert!(entry["error"]["message"].as_str().unwrap().contains("size limit of 1048576 bytes"), "{entry}");
    assert_eq!(entry["attempts"], 1, "a file too large stays too large: no retry");
    assert_eq!(server.count(JEKYLL), 1);
    assert!(!out.join("43.txt").exists() && !out.join("raw/43-0.txt").exists());
    assert_eq!(book_entry(&report, 1080)["status"], "ok");
    assert_no_temp_files(&out);
}

#[test]
fn a_file_over_the_size_limit_fails_without_retries() {
    // Frankenstein is 436 kB: over a limit of … 1 MiB is the smallest --max-size, so make a bigger book.
    let dir = TestDir::new();
    let mut big = crate::util::generated::raw_book(5);
    while big.len() < (1 << 20) + 1000 {
        big.push_str("More licence text that makes this file larger than one mebibyte.\r\n");
    }
    dir.write("mirror/0/5/5-0.txt", &big);
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), Vec::new(), None);
    let manifest = dir.write("m.csv", "FileNumber\n5\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--max-size", "1"]).expect_code(1);
    let entry = book_entry(&report(&out), 5);
    assert!(entry["error"]["message"].as_str().unwrap().contains("--max-size"), "{entry}");
    assert_eq!(server.count("/0/5/5-0.txt"), 1);
    assert!(!out.join("raw/5-0.txt").exists());
    assert_no_temp_files(&out);
}
