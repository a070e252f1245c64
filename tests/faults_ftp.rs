//! An FTP mirror that fails on purpose: transfers aborted, cut short or
//! stalled mid-file, connections refused past a limit, missing files.

use crate::util::fixture_books::{assert_fixture_books_complete, fixture_manifest, FIXTURE_BOOKS};
use std::path::Path;

use crate::util::ftp_server::per_path;
use crate::util::{
    assert_no_temp_files, book_entry, book_folder, fetch, fixture_mirror, report, spawn_fetch, FtpFault, FtpFaultKind,
    FtpOptions, FtpServer, TestDir,
};

const JEKYLL: &str = "4/43/43-0.txt";

fn served(path: &str) -> Vec<u8> {
    std::fs::read(fixture_mirror().join(path)).unwrap()
}

fn faulty(options: FtpOptions) -> FtpServer {
    FtpServer::faulty(&fixture_mirror(), options)
}

#[test]
fn a_transfer_aborted_mid_file_is_retried_until_the_book_is_whole() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Abort { after: 5000 }, 2)];
    let server = faulty(FtpOptions { faults, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "3"]).expect_code(0);

    assert_eq!(per_path(&server.gets())[JEKYLL], 3, "two aborted transfers, then the whole file");
    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL));
    let report = report(&out);
    assert_eq!(book_entry(&report, 43)["attempts"], 3);
    assert_eq!(book_entry(&report, 1080)["attempts"], 1);
    assert_no_temp_files(&out);
}

#[test]
fn a_transfer_cut_short_but_confirmed_is_caught_by_the_size_in_the_150_reply() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Truncate { after: 7000 }, 1)];
    let server = faulty(FtpOptions { faults, announce_sizes: true, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(0);

    assert_eq!(per_path(&server.gets())[JEKYLL], 2);
    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL), "never the short copy");
    assert_eq!(book_entry(&report(&out), 43)["attempts"], 2);
    assert_no_temp_files(&out);
}

#[test]
fn a_short_transfer_that_keeps_coming_short_fails_with_the_sizes_in_the_message() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Truncate { after: 7000 }, usize::MAX)];
    let server = faulty(FtpOptions { faults, announce_sizes: true, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "1"]).expect_code(1);

    let entry = book_entry(&report(&out), 43);
    assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("failed"), Some(2)));
    let message = entry["error"]["message"].as_str().unwrap();
    let size = served(JEKYLL).len();
    assert!(message.contains(&format!("after 7000 of the file's {size} bytes")), "{message}");
    assert!(!out.join("raw/43-0.txt").exists() && !out.join("43.txt").exists());
    assert_no_temp_files(&out);
}

#[test]
fn a_stalled_transfer_times_out_and_is_retried_on_a_new_connection() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Stall { after: 3000 }, 1)];
    let server = faulty(FtpOptions { faults, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--timeout", "1", "--retries", "2", "--jobs", "1"]).expect_code(0);

    assert_eq!(per_path(&server.gets())[JEKYLL], 2);
    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL));
    assert_eq!(book_entry(&report(&out), 43)["attempts"], 2);
    // The stalled connection is in an unknown state: it is dropped and a new one logged in.
    assert_eq!(server.logins(), 2, "one connection for --jobs 1, plus one after the stall");
    assert_no_temp_files(&out);
}

#[test]
fn a_transient_reply_that_never_clears_fails_after_the_retries() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Abort { after: 100 }, usize::MAX)];
    let server = faulty(FtpOptions { faults, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber,Title\n43,Jekyll\n84,Frankenstein\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &["--retries", "1"]).expect_code(1);

    assert_eq!(per_path(&server.gets())[JEKYLL], 2, "one try, one retry");
    let report = report(&out);
    let entry = book_entry(&report, 43);
    assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("failed"), Some(2)));
    assert_eq!(entry["error"]["stage"], "download");
    assert!(entry["error"]["message"].as_str().unwrap().contains("451"), "{entry}");
    assert_eq!(book_entry(&report, 84)["status"], "ok");
    assert!(run.stdout.contains("failed: ebook 43 (Jekyll)"), "{}", run.stdout);
    assert!(!out.join("raw/43-0.txt").exists());
    assert_no_temp_files(&out);
}

#[test]
fn a_missing_file_is_not_retried() {
    let server = faulty(FtpOptions::default());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n9999999\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "5"]).expect_code(1);

    let gets = per_path(&server.gets());
    // The missing folder's listing says so: no file of it is even asked for.
    assert!(!gets.keys().any(|path| path.starts_with("9/9/9/")), "{gets:?}");
    assert!(gets.values().all(|n| *n == 1), "nothing was asked twice: {gets:?}");
    let entry = book_entry(&report(&out), 9999999);
    assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("failed"), Some(1)));
    assert_eq!(entry["error"]["stage"], "resolve");
}

#[test]
fn a_server_that_refuses_connections_past_a_limit_gets_every_book_over_the_connections_it_allows() {
    let server = faulty(FtpOptions { max_connections: Some(2), ..FtpOptions::default() });
    let dir = TestDir::new();
    let out = dir.join("out");
    fetch(&fixture_manifest(), &server.url(), &out, &["--jobs", "8"]).expect_code(0);

    assert!(server.refused() > 0, "the limit was hit");
    assert!(server.peak_connections() <= 2, "{} connections at once", server.peak_connections());
    assert_fixture_books_complete(&out);
    let report = report(&out);
    assert_eq!(report["summary"]["ok"], FIXTURE_BOOKS.len());
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["ftp_logins"], server.logins());
    assert_no_temp_files(&out);
}

/// With a limit of two connections and one of them held by a stalled
/// transfer, every other book still goes through the other connection: the
/// limit comes down to the two connections the server accepted, not to the
/// ones that happened to have finished logging in when the refusals came
/// (none, in a burst of connects, which made it one).
#[test]
fn a_connection_limit_lowers_concurrency_to_the_limit_and_not_below() {
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Stall { after: 100 }, 1)];
    let server = faulty(FtpOptions { max_connections: Some(2), faults, ..FtpOptions::default() });
    let dir = TestDir::new();
    let mut child = spawn_fetch(&fixture_manifest(), &server.url(), &dir.join("out"), &["--jobs", "8"]);

    let others: Vec<String> = FIXTURE_BOOKS
        .iter()
        .filter(|(n, _, _)| *n != 43)
        .map(|&(n, served, _)| book_folder(Path::new(""), n).join(served).to_string_lossy().into_owned())
        .collect();
    server.wait_for("every other book while ebook 43 stalls", |gets| others.iter().all(|path| gets.contains(path)));
    assert_eq!(per_path(&server.gets())[JEKYLL], 1, "ebook 43 was still stalled: the others did not wait for it");
    assert!(server.refused() > 0 && server.peak_connections() <= 2);
    child.kill().unwrap();
    child.wait().unwrap();
}
