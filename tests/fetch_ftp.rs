//! The whole pipeline over FTP against an in-process libunftp server.

use std::path::Path;

use gutenfetch::clean::{clean, CleanOptions};

use crate::util::{book_entry, book_folder, fetch, fixture_mirror, fixtures, report, tree, FtpServer, TestDir};

/// (ebook, the file a mirror folder offers that must be chosen)
const FIXTURE_BOOKS: &[(u64, &str)] = &[
    (418, "418.txt"),
    (11, "11-0.txt"),
    (43, "43-0.txt"),
    (84, "84-0.txt"),
    (98, "98-0.txt"),
    (1013, "1013.txt"),
    (1080, "1080-0.txt"),
    (1342, "1342-0.txt"),
    (10026, "10026.txt"),
    (10028, "10028.txt"),
    (10089, "10089.txt"),
    (10509, "10509.txt"),
    (22367, "22367-8.txt"),
    (24675, "24675-8.txt"),
    (33956, "33956.txt"),
    (35190, "35190.txt"),
    (35589, "35589.txt"),
    (36261, "36261.txt"),
    (38003, "38003.txt"),
    (69030, "69030-0.txt"),
];

fn fixture_manifest() -> std::path::PathBuf {
    fixtures().join("manifest.csv")
}

/// Checks every fixture book in `out`: the raw copy is the mirror's file byte
/// for byte, and the clean text is what the cleaner makes of it.
fn assert_fixture_books_complete(out: &Path) {
    for &(n, name) in FIXTURE_BOOKS {
        let served = std::fs::read(book_folder(&fixture_mirror(), n as u32).join(name)).unwrap();
        let raw = std::fs::read(out.join("raw").join(name)).unwrap_or_else(|_| panic!("raw/{name} exists"));
        assert!(raw == served, "raw/{name} differs from the served file");
        let expected = clean(&served, &CleanOptions::default()).unwrap().text;
        let written = std::fs::read_to_string(out.join(format!("{n}.txt"))).unwrap();
        assert!(written == expected, "{n}.txt is not the cleaned text of {name}");
        assert!(!written.contains("*** START OF"), "{n}.txt still has its header");
    }
}

#[test]
fn fetches_every_fixture_book_and_keeps_raw_bytes() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let out = dir.join("out");
    let run = fetch(&fixture_manifest(), &server.url(), &out, &[]).expect_code(0);

    assert_fixture_books_complete(&out);
    let report = report(&out);
    assert_eq!(report["summary"]["ok"], FIXTURE_BOOKS.len());
    assert_eq!(report["summary"]["failed"], 0);
    for &(n, name) in FIXTURE_BOOKS {
        let entry = book_entry(&report, n);
        assert_eq!(entry["status"], "ok", "{entry}");
        let url = entry["url"].as_str().unwrap();
        assert!(url.starts_with(&server.url()) && url.ends_with(name), "{url}");
    }
    assert!(run.stdout.contains("fetched"), "{}", run.stdout);
    // No temporary file is left anywhere.
    for path in tree(&out).keys() {
        assert!(!path.to_string_lossy().contains(".gutenfetch-"), "left behind: {}", path.display());
    }
}

#[test]
fn chooses_utf8_then_eight_bit_then_ascii_and_never_a_superseded_copy() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n11\n22367\n418\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    let mut raw: Vec<String> = std::fs::read_dir(out.join("raw"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    raw.sort();
    assert_eq!(raw, ["11-0.txt", "22367-8.txt", "418.txt"]);
    let kafka = std::fs::read_to_string(out.join("22367.txt")).unwrap();
    assert!(kafka.contains("aus unruhigen Träumen erwachte"), "Latin-1 decoded");
}

#[test]
fn control_connections_are_reused_and_closed_with_quit() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let out = dir.join("out");
    fetch(&fixture_manifest(), &server.url(), &out, &["--jobs", "2"]).expect_code(0);

    let logins = server.logins();
    assert!((1..=2).contains(&logins), "{logins} logins for {} books at --jobs 2", FIXTURE_BOOKS.len());
    assert_eq!(report(&out)["summary"]["ftp_logins"], logins);
    assert_eq!(server.retrievals(), FIXTURE_BOOKS.len());
    assert_eq!(server.logouts(), logins, "every connection ends with QUIT");
}

#[test]
fn jobs_1_and_jobs_16_write_the_same_files() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let (one, many) = (dir.join("one"), dir.join("many"));
    fetch(&fixture_manifest(), &server.url(), &one, &["--jobs", "1"]).expect_code(0);
    assert_eq!(server.logins(), 1, "--jobs 1 needs one connection");
    fetch(&fixture_manifest(), &server.url(), &many, &["--jobs", "16"]).expect_code(0);

    let strip_report = |dir: &Path| {
        let mut files = tree(dir);
        files.remove(Path::new("gutenfetch-report.json"));
        files
    };
    let (a, b) = (strip_report(&one), strip_report(&many));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs between --jobs 1 and --jobs 16", path.display());
    }
}

#[test]
fn a_missing_book_or_a_folder_without_text_fails_alone() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "author,FileNumber,Title\nX,43,Jekyll\nLuther,1670,Small Catechism\nNobody,9999999,Missing\nY,84,Frankenstein\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(1);

    assert!(out.join("43.txt").is_file() && out.join("84.txt").is_file());
    assert!(!out.join("1670.txt").exists() && !out.join("9999999.txt").exists());
    let report = report(&out);
    for (n, message) in [(1670, "no plain-text file in 1/6/7/1670/"), (9999999, "not found on the mirror")] {
        let entry = book_entry(&report, n);
        assert_eq!(entry["status"], "failed");
        assert_eq!(entry["error"]["stage"], "resolve");
        assert!(entry["error"]["message"].as_str().unwrap().contains(message), "{entry}");
    }
    assert!(run.stdout.contains("failed: ebook 1670 (Small Catechism)"), "{}", run.stdout);
    assert!(run.stdout.contains("failed: ebook 9999999"), "{}", run.stdout);
}

#[test]
fn single_digit_books_live_under_0() {
    let dir = TestDir::new();
    let body = "THE TEXT OF BOOK SEVEN\n\nIt is short, and it was generated by this test.\n";
    let text = format!("Header\r\n*** START OF THE PROJECT GUTENBERG EBOOK SEVEN ***\r\n{}*** END OF THE PROJECT GUTENBERG EBOOK SEVEN ***\r\nLicence\r\n", body.replace('\n', "\r\n"));
    dir.write("mirror/0/7/7.txt", &text);
    let server = FtpServer::anonymous(&dir.join("mirror"));
    let manifest = dir.write("m.csv", "FileNumber\n7\n");
    fetch(&manifest, &server.url(), &dir.join("out"), &[]).expect_code(0);
    assert_eq!(std::fs::read_to_string(dir.join("out/7.txt")).unwrap(), body);
    assert_eq!(std::fs::read(dir.join("out/raw/7.txt")).unwrap(), text.as_bytes());
}

#[test]
fn a_mirror_root_below_the_login_folder_and_credentials_in_the_url() {
    let dir = TestDir::new();
    let text = std::fs::read(book_folder(&fixture_mirror(), 43).join("43-0.txt")).unwrap();
    dir.write("site/pub/gutenberg/4/43/43-0.txt", &text);
    let server = FtpServer::with_login(&dir.join("site"), "reader", "s3cret");
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let url = format!("ftp://reader:s3cret@{}/pub/gutenberg/", server.addr);
    fetch(&manifest, &url, &dir.join("out"), &[]).expect_code(0);
    assert!(dir.join("out/43.txt").is_file());
    let entry = book_entry(&report(&dir.join("out")), 43);
    assert!(!entry["url"].as_str().unwrap().contains("s3cret"), "the report never holds the password");

    let wrong = format!("ftp://reader:wrong@{}/pub/gutenberg/", server.addr);
    let run = fetch(&manifest, &wrong, &dir.join("out2"), &[]).expect_code(1);
    assert!(run.stdout.contains("login"), "{}", run.stdout);
}

#[test]
fn a_rerun_skips_complete_books_and_recleans_from_raw() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    assert_eq!(server.retrievals(), 3);
    let before = tree(&out);

    std::fs::remove_file(out.join("84.txt")).unwrap();
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    assert_eq!(server.retrievals(), 3, "nothing is downloaded again");
    let report = report(&out);
    assert_eq!(book_entry(&report, 43)["status"], "skipped");
    assert_eq!(book_entry(&report, 84)["status"], "ok", "cleaned again from raw/84-0.txt");
    let mut after = tree(&out);
    let mut before = before;
    before.remove(Path::new("gutenfetch-report.json"));
    after.remove(Path::new("gutenfetch-report.json"));
    assert_eq!(before, after);

    fetch(&manifest, &server.url(), &out, &["--force"]).expect_code(0);
    assert_eq!(server.retrievals(), 6, "--force fetches everything again");
}
