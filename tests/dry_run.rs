//! `--dry-run`: finds what a real run would fetch, over every transport,
//! without downloading or writing anything.

use crate::util::fixture_books::{fixture_manifest, FIXTURE_BOOKS};
use crate::util::{book_folder, fetch, fixture_mirror, FtpServer, HttpOptions, HttpServer, TestDir};

fn plan_json(mirror: &str, out: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--dry-run", "--format", "json"];
    args.extend_from_slice(extra);
    let run = fetch(&fixture_manifest(), mirror, out, &args).expect_code(0);
    serde_json::from_str(&run.stdout).expect("--format json prints one JSON document")
}

#[test]
fn a_dry_run_names_the_files_a_real_run_fetches_and_writes_nothing() {
    let dir = TestDir::new();
    let http = HttpServer::start(&fixture_mirror(), HttpOptions { autoindex: true, ..HttpOptions::default() });
    let ftp = FtpServer::anonymous(&fixture_mirror());
    let file = fixture_mirror().to_str().unwrap().to_owned();
    for mirror in [http.url(), ftp.url(), file] {
        let out = dir.join("never-written");
        let plan = plan_json(&mirror, &out, &[]);
        assert!(!out.exists(), "{mirror}: a dry run writes nothing");
        let books = plan["books"].as_array().unwrap();
        assert_eq!(books.len(), FIXTURE_BOOKS.len());
        for &(n, served, _) in FIXTURE_BOOKS {
            let book = books.iter().find(|b| b["ebook"] == n).unwrap();
            let folder = book_folder(&fixture_mirror(), n);
            let size = std::fs::metadata(folder.join(served)).unwrap().len();
            assert_eq!(book["action"], "fetch", "{mirror}: {book}");
            assert!(book["file"].as_str().unwrap().ends_with(served), "{mirror}: {book}");
            assert_eq!(book["size"], size, "{mirror}: the size the server reports, {book}");
        }
    }
    assert_eq!(ftp.retrievals(), 0, "FTP: SIZE, never RETR");
}

#[test]
fn a_dry_run_shows_complete_books_and_missing_ones() {
    let dir = TestDir::new();
    let out = dir.join("out");
    let mirror = fixture_mirror().to_str().unwrap().to_owned();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n1670\n");
    fetch(&manifest, &mirror, &out, &[]).expect_code(1);
    std::fs::remove_file(out.join("84.txt")).unwrap();
    let before = crate::util::tree(&out);
    let run = fetch(&manifest, &mirror, &out, &["--dry-run"]).expect_code(1);
    assert_eq!(crate::util::tree(&out), before, "nothing changed on disk");
    let line = |n: &str| run.stdout.lines().find(|l| l.trim_start().starts_with(n)).unwrap().to_owned();
    assert!(line("43 ").contains("skip"), "{}", run.stdout);
    assert!(line("84 ").contains("reclean"), "{}", run.stdout);
    assert!(line("1670 ").contains("missing") && line("1670 ").contains("no plain-text file"), "{}", run.stdout);
    assert!(run.stdout.contains("3 books: 0 to fetch"), "{}", run.stdout);
}

#[test]
fn a_dry_run_lists_bad_rows_as_the_report_does() {
    let dir = TestDir::new();
    let mirror = fixture_mirror().to_str().unwrap().to_owned();
    let manifest = dir.write("m.csv", "FileNumber\n43\n../x\n\n-5\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &mirror, &out, &["--dry-run", "--format", "json"]).expect_code(1);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    fetch(&manifest, &mirror, &out, &[]).expect_code(1);
    let report = crate::util::report(&out);

    assert_eq!(plan["bad_rows"], report["bad_rows"], "one shape for both");
    let rows = plan["bad_rows"].as_array().unwrap();
    assert_eq!(rows.iter().map(|row| row["line"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 5]);
    assert!(rows[0]["error"].as_str().unwrap().contains("../x"), "{}", plan["bad_rows"]);
}
