//! The pipeline over HTTP (an in-process axum server shaped like nginx) and
//! over file://, and the promise that every transport writes the same bytes.

use std::path::Path;

use crate::util::fixture_books::{assert_fixture_books_complete, fixture_manifest, FIXTURE_BOOKS};
use crate::util::synth::{Charset, Era, LineEnd};
use crate::util::{
    book_entry, book_folder, fetch, fixture_mirror, report, FtpServer, HttpOptions, HttpServer, TestDir,
};

fn without_report(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    crate::util::books_tree(dir)
}

fn file_url(dir: &Path) -> String {
    url::Url::from_directory_path(dir).unwrap().to_string()
}

#[test]
fn every_layout_over_http_with_and_without_folder_listings() {
    let dir = TestDir::new();
    for autoindex in [true, false] {
        let server = HttpServer::start(&fixture_mirror(), HttpOptions { autoindex, ..HttpOptions::default() });
        let out = dir.join(&format!("out-autoindex-{autoindex}"));
        fetch(&fixture_manifest(), &server.url(), &out, &[]).expect_code(0);
        assert_fixture_books_complete(&out);
        assert_eq!(report(&out)["summary"]["ok"], FIXTURE_BOOKS.len());
    }
}

#[test]
fn http_ftp_and_file_mirrors_give_byte_identical_output() {
    let dir = TestDir::new();
    let http = HttpServer::start(&fixture_mirror(), HttpOptions { autoindex: true, ..HttpOptions::default() });
    let ftp = FtpServer::anonymous(&fixture_mirror());
    let runs = [("http", http.url()), ("ftp", ftp.url()), ("file", file_url(&fixture_mirror()))];
    let outputs: Vec<_> = runs
        .iter()
        .map(|(name, url)| {
            let out = dir.join(name);
            fetch(&fixture_manifest(), url, &out, &[]).expect_code(0);
            (name, without_report(&out))
        })
        .collect();
    let (first_name, first) = &outputs[0];
    for (name, files) in &outputs[1..] {
        assert_eq!(first.keys().collect::<Vec<_>>(), files.keys().collect::<Vec<_>>(), "{first_name} vs {name}");
        for (path, bytes) in first {
            assert!(bytes == &files[path], "{} differs between {first_name} and {name}", path.display());
        }
    }
}

#[test]
fn a_book_with_n0_costs_one_request_and_a_zip_only_folder_three() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions { autoindex: true, ..HttpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n36261\n");
    fetch(&manifest, &server.url(), &dir.join("out"), &[]).expect_code(0);
    assert_eq!(server.requests_under("/4/43/"), ["/4/43/43-0.txt"]);
    assert_eq!(
        server.requests_under("/3/6/2/6/36261/"),
        ["/3/6/2/6/36261/36261-0.txt", "/3/6/2/6/36261/", "/3/6/2/6/36261/36261.zip"]
    );
}

#[test]
fn without_listings_the_names_are_probed_in_preference_order() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions::default());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n22367\n");
    fetch(&manifest, &server.url(), &dir.join("out"), &[]).expect_code(0);
    let folder = "/2/2/3/6/22367/";
    let expected: Vec<String> =
        ["22367-0.txt", "", "22367-8.txt"].iter().map(|name| format!("{folder}{name}")).collect();
    assert_eq!(server.requests_under(folder), expected);
}

#[test]
fn redirects_are_followed() {
    let options = HttpOptions { autoindex: true, moved_prefix: Some("/moved/".into()), ..HttpOptions::default() };
    let server = HttpServer::start(&fixture_mirror(), options);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n1013\n");
    let out = dir.join("out");
    fetch(&manifest, &format!("{}moved/", server.url()), &out, &[]).expect_code(0);
    assert!(out.join("43.txt").is_file() && out.join("1013.txt").is_file());
    assert!(server.requests().contains(&"/4/43/43-0.txt".to_owned()), "the redirect was followed");
}

#[test]
fn an_html_page_served_as_a_book_every_time_fails_that_book_only_once_retries_are_spent() {
    let options = HttpOptions { html_instead: vec!["/8/84/84-0.txt".into()], ..HttpOptions::default() };
    let server = HttpServer::start(&fixture_mirror(), options);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n84\n43\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &["--retries", "1"]).expect_code(1);
    let entry = book_entry(&report(&out), 84);
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["attempts"], 2, "a captcha page is a busy signal, retried after the backoff like a 429");
    assert_eq!(entry["error"]["stage"], "download");
    let message = entry["error"]["message"].as_str().unwrap();
    assert!(message.contains("kept answering with an HTML page (2 tries)"), "{entry}");
    assert!(!out.join("84.txt").exists() && !out.join("raw/84-0.txt").exists(), "never saved as the book");
    assert!(out.join("43.txt").is_file());
    assert!(run.stdout.contains("failed: ebook 84"), "{}", run.stdout);
}

#[test]
fn the_generated_layout_has_one_url_per_book() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions::default());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n22367\n418\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--layout", "generated"]).expect_code(1);
    assert_eq!(server.requests_under("/cache/epub/43/"), ["/cache/epub/43/pg43.txt"]);
    let served = std::fs::read(fixture_mirror().join("cache/epub/43/pg43.txt")).unwrap();
    assert!(std::fs::read(out.join("raw/pg43.txt")).unwrap() == served);
    assert!(out.join("43.txt").is_file() && out.join("22367.txt").is_file());
    let missing = book_entry(&report(&out), 418);
    assert!(missing["error"]["message"].as_str().unwrap().contains("cache/epub/418/pg418.txt not found"), "{missing}");
}

#[test]
fn old_style_names_in_old_are_found_through_a_listing() {
    let dir = TestDir::new();
    let text = crate::util::synth::Book::new(418, Era::SmallPrintClosingLine, Charset::Latin1, LineEnd::CrLf, 6).raw();
    dir.write("mirror/4/1/418/old/gwork10.txt", &text);
    dir.write("mirror/4/1/418/old/gwork09.txt", "an older edition");
    dir.write("mirror/4/1/418/418-h/418-h.htm", "<html></html>");
    let manifest = dir.write("m.csv", "FileNumber\n418\n");
    let http = HttpServer::start(&dir.join("mirror"), HttpOptions { autoindex: true, ..HttpOptions::default() });
    for (name, url) in [("http", http.url()), ("file", file_url(&dir.join("mirror")))] {
        let out = dir.join(name);
        fetch(&manifest, &url, &out, &[]).expect_code(0);
        assert!(std::fs::read(out.join("raw/418-old.txt")).unwrap() == text, "{name}: newest old edition, renamed");
        assert!(book_entry(&report(&out), 418)["url"].as_str().unwrap().ends_with("old/gwork10.txt"));
    }
}

#[test]
fn a_file_mirror_reports_missing_books_and_folders_without_text() {
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n1670\n9999999\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &file_url(&fixture_mirror()), &out, &[]).expect_code(1);
    let report = report(&out);
    assert!(book_entry(&report, 1670)["error"]["message"].as_str().unwrap().contains("no plain-text file"));
    assert!(book_entry(&report, 9999999)["error"]["message"].as_str().unwrap().contains("not found on the mirror"));
    assert_eq!(book_entry(&report, 43)["status"], "ok");
    assert!(book_folder(&fixture_mirror(), 43).join("43-0.txt").is_file());
}

#[test]
fn an_empty_file_is_not_a_book() {
    let dir = TestDir::new();
    dir.write("mirror/4/43/43-0.txt", "");
    let server = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "1"]).expect_code(1);
    let entry = book_entry(&report(&out), 43);
    assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("failed"), Some(2)));
    assert!(entry["error"]["message"].as_str().unwrap().contains("empty file"), "{entry}");
    assert!(!out.join("43.txt").exists() && !out.join("raw/43-0.txt").exists());
}

#[test]
fn once_listings_work_a_missing_folder_is_two_requests_and_old_is_asked_for_only_when_listed() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions { autoindex: true, ..HttpOptions::default() });
    let dir = TestDir::new();
    // 22367's listing shows no old/; 9999999's folder does not exist.
    let manifest = dir.write("m.csv", "FileNumber\n22367\n9999999\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--jobs", "1"]).expect_code(1);

    let folder = "/2/2/3/6/22367/";
    let expected: Vec<String> = ["22367-0.txt", "", "22367-8.txt"].iter().map(|n| format!("{folder}{n}")).collect();
    assert_eq!(server.requests_under(folder), expected, "no old/ in the listing, so none asked for");
    let missing = "/9/9/9/9/9/9/9999999/";
    assert_eq!(server.requests_under(missing), [format!("{missing}9999999-0.txt"), missing.to_owned()]);
    let entry = book_entry(&report(&out), 9999999);
    assert!(entry["error"]["message"].as_str().unwrap().contains("not found on the mirror"), "{entry}");
}

#[test]
fn a_mirror_that_refuses_listings_is_not_asked_for_one_again() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions::default());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n22367\n24675\n");
    fetch(&manifest, &server.url(), &dir.join("out"), &["--jobs", "1"]).expect_code(0);
    let folder_requests = server.requests().into_iter().filter(|path| path.ends_with('/')).collect::<Vec<_>>();
    assert_eq!(folder_requests, ["/2/2/3/6/22367/"], "the first 403 is remembered");
}
