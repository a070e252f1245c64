//! From the catalog to a dataset (issue 18): `gutenfetch catalog` over
//! HTTP, FTP and file:// (downloaded once, then answered "not modified"),
//! `--manifest` as a URL with every filter, alone and combined, against a
//! catalog the test writes, and the JSONL dataset of a run and of `export`.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::generated::write_mirror;
use crate::util::{fixture_mirror, run, FtpServer, HttpOptions, HttpServer, Run, TestDir};

/// A catalog with Project Gutenberg's columns: a multi-language row,
/// authors with dates, a `Sound` row, quoted fields holding commas and a
/// newline, a row without a date.
const CATALOG: &str = "\
Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves
1,Text,1971-12-01,The Declaration of Independence of the United States of America,en,\"Jefferson, Thomas, 1743-1826\",\"United States -- History -- Revolution, 1775-1783 -- Sources\",E201; JK,Politics
2,Text,1972-12-01,Faust: Der Tragödie erster Teil,de,\"Goethe, Johann Wolfgang von, 1749-1832\",Tragedies; Legends -- Germany,PT,German Literature; Drama
3,Sound,1973-01-01,Faust (audio),de,\"Goethe, Johann Wolfgang von, 1749-1832\",,,
4,Text,2001-05-05,Alice's Adventures in Wonderland,en; fr,\"Carroll, Lewis, 1832-1898\",Fantasy fiction; Children's stories,PR; PZ,Children's Literature
5,Text,2010-10-10,\"Les Misérables, a title with a comma
and a newline\",FR,\"Hugo, Victor, 1802-1885\",Paris (France) -- Fiction,PQ,\"French Literature; Children's Literature\"
6,Text,,Undated,en,\"Anonymous\",Poetry,PN,
";

/// A mirror at `dir/mirror` holding `books` and the catalog at its
/// `cache/epub/feeds/pg_catalog.csv`.
fn mirror_with_catalog(dir: &TestDir, books: &[u32]) -> std::path::PathBuf {
    let root = dir.join("mirror");
    write_mirror(&root, books.iter().copied());
    dir.write("mirror/cache/epub/feeds/pg_catalog.csv", CATALOG);
    root
}

fn catalog(out: &Path, mirror: &str, fallback: &str) -> Run {
    run(&["catalog", "--out", out.to_str().unwrap(), "--mirror", mirror, "--catalog-url", fallback])
}

/// Changes the catalog on the mirror, with a time the next check cannot miss.
fn change_catalog(root: &Path) {
    let path = root.join("cache/epub/feeds/pg_catalog.csv");
    std::fs::write(&path, format!("{CATALOG}7,Text,2020-01-01,New,en,Someone,,,\n")).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
}

#[test]
fn the_catalog_over_http_is_fetched_once_then_answered_not_modified() {
    let dir = TestDir::new();
    let root = mirror_with_catalog(&dir, &[]);
    let server = HttpServer::start(&root, HttpOptions::default());
    // The fallback is a loopback port nothing listens on: never reached.
    let (out, fallback) = (dir.join("pg_catalog.csv"), "http://127.0.0.1:9/pg_catalog.csv");
    catalog(&out, &server.url(), fallback).expect_code(0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CATALOG);
    let before = std::fs::metadata(&out).unwrap().modified().unwrap();

    let second = catalog(&out, &server.url(), fallback).expect_code(0);
    assert!(second.stdout.contains("is current"), "{}", second.stdout);
    let answered = server.answered();
    let last = answered.last().unwrap();
    assert_eq!(answered.len(), 2, "{answered:?}");
    assert_eq!((last.path.as_str(), last.conditional, last.status), ("/cache/epub/feeds/pg_catalog.csv", true, 304));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CATALOG, "the file is unchanged");
    assert_eq!(std::fs::metadata(&out).unwrap().modified().unwrap(), before, "the file was not rewritten");

    change_catalog(&root);
    catalog(&out, &server.url(), fallback).expect_code(0);
    assert!(std::fs::read_to_string(&out).unwrap().ends_with("7,Text,2020-01-01,New,en,Someone,,,\n"));
    assert_eq!(server.answered().last().unwrap().status, 200, "a changed catalog is downloaded");
    crate::util::assert_no_temp_files(dir.join("").as_path());
}

#[test]
fn the_catalog_over_ftp_is_fetched_once_then_compared_by_size_and_time() {
    let dir = TestDir::new();
    let root = mirror_with_catalog(&dir, &[]);
    let server = FtpServer::anonymous(&root);
    let (out, fallback) = (dir.join("pg_catalog.csv"), "http://127.0.0.1:9/pg_catalog.csv");
    catalog(&out, &server.url(), fallback).expect_code(0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CATALOG);
    assert_eq!(server.retrievals(), 1);

    let second = catalog(&out, &server.url(), fallback).expect_code(0);
    assert!(second.stdout.contains("is current"), "{}", second.stdout);
    assert_eq!(server.retrievals(), 1, "nothing downloaded the second time");
    assert!(server.count_of("MDTM") >= 2 && server.count_of("SIZE") >= 2, "{:?}", server.commands());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CATALOG);

    change_catalog(&root);
    catalog(&out, &server.url(), fallback).expect_code(0);
    assert_eq!(server.retrievals(), 2, "a changed catalog is downloaded");
    assert!(std::fs::read_to_string(&out).unwrap().contains("New,en,Someone"));
}

#[test]
fn a_mirror_without_the_catalog_falls_back_to_the_catalog_url_and_file_mirrors_work_too() {
    let dir = TestDir::new();
    let fallback_root = mirror_with_catalog(&dir, &[]);
    let feeds = HttpServer::start(&fallback_root.join("cache/epub/feeds"), HttpOptions::default());
    let fallback = format!("{}pg_catalog.csv", feeds.url());
    // The fixture mirror carries no catalog.
    let bare = fixture_mirror();
    let out = dir.join("from-fallback.csv");
    catalog(&out, bare.to_str().unwrap(), &fallback).expect_code(0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), CATALOG);
    catalog(&out, bare.to_str().unwrap(), &fallback).expect_code(0);
    assert_eq!(feeds.answered().iter().map(|a| a.status).collect::<Vec<_>>(), [200, 304]);

    // A local mirror that carries it: copied, then left alone.
    let local = dir.join("from-local.csv");
    let mirror = format!("file://{}", fallback_root.display());
    catalog(&local, &mirror, &fallback).expect_code(0);
    assert_eq!(std::fs::read_to_string(&local).unwrap(), CATALOG);
    let second = catalog(&local, &mirror, &fallback).expect_code(0);
    assert!(second.stdout.contains("is current"), "{}", second.stdout);
    assert_eq!(feeds.answered().len(), 2, "the fallback was not asked");

    // Neither has it: a clear error naming both.
    let nowhere = catalog(&dir.join("none.csv"), bare.to_str().unwrap(), &format!("{}nope.csv", feeds.url()));
    let nowhere = nowhere.expect_code(2);
    assert!(nowhere.stderr.contains("cannot download pg_catalog.csv") && nowhere.stderr.contains("nope.csv"));
    assert!(!dir.join("none.csv").exists());
}

/// `--dry-run --format json` of the catalog served at `url` with `filters`: the ebooks it keeps, and the document.
fn dry_run(url: &str, mirror: &Path, filters: &[&str]) -> (Vec<u64>, serde_json::Value) {
    let mut args = vec!["--manifest", url, "--mirror", mirror.to_str().unwrap(), "--dry-run", "--format", "json"];
    args.extend_from_slice(filters);
    let result = run(&args).expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&result.stdout).unwrap();
    let books = doc["books"].as_array().unwrap().iter().map(|b| b["ebook"].as_u64().unwrap()).collect();
    (books, doc)
}

#[test]
fn every_filter_alone_and_combined_on_a_catalog_given_by_url() {
    let dir = TestDir::new();
    let root = mirror_with_catalog(&dir, &[1, 2, 4, 5, 6]);
    let server = HttpServer::start(&root, HttpOptions::default());
    let url = format!("{}cache/epub/feeds/pg_catalog.csv", server.url());
    let cases: &[(&[&str], &[u64])] = &[
        (&[], &[1, 2, 4, 5, 6]),
        (&["--language", "en"], &[1, 4, 6]),
        (&["--language", "fr"], &[4, 5]),
        (&["--author", "GOETHE"], &[2]),
        (&["--author", "1832"], &[2, 4]),
        (&["--title", "faust"], &[2]),
        (&["--title", "with a comma\nand"], &[5]),
        (&["--subject", "children's literature"], &[4, 5]),
        (&["--subject", "pz"], &[4]),
        (&["--subject", "tragedies"], &[2]),
        (&["--issued", "1971..1972"], &[1, 2]),
        (&["--issued", "2001.."], &[4, 5]),
        (&["--issued", "..1971-12-01"], &[1]),
        (&["--issued", "1972-12..2001-05"], &[2, 4]),
        (&["--language", "en", "--subject", "children"], &[4]),
        (&["--language", "fr", "--author", "hugo", "--issued", "2000..2010"], &[5]),
        (&["--author", "goethe", "--language", "en"], &[]),
    ];
    for (filters, expected) in cases {
        let (books, _) = dry_run(&url, &root, filters);
        assert_eq!(books, *expected, "{filters:?}");
    }
    // The dry run says what each filter kept, in the order they apply.
    let (_, doc) = dry_run(&url, &root, &["--subject", "children", "--language", "en"]);
    assert_eq!(doc["listed"], 5, "the Sound row is not a book");
    let kept: Vec<(String, u64)> = doc["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["filter"].as_str().unwrap().to_owned(), f["kept"].as_u64().unwrap()))
        .collect();
    assert_eq!(kept, [("--language".to_owned(), 3), ("--subject".to_owned(), 1)]);
    let table = run(&["--manifest", &url, "--mirror", root.to_str().unwrap(), "--dry-run", "--author", "carroll"]);
    assert!(table.stdout.contains("5 books in the manifest\n  --author carroll: 1 kept\n"), "{}", table.stdout);
}

#[test]
fn a_filter_whose_column_the_manifest_lacks_is_a_clear_error() {
    let dir = TestDir::new();
    let manifest = dir.write("plain.csv", "FileNumber,Title\n1,A\n");
    for (flag, value, says) in [
        ("--author", "x", "--author needs an `Authors`"),
        ("--subject", "x", "--subject needs a `Subjects`, `LoCC` or `Bookshelves` column"),
        ("--issued", "1900..", "--issued needs an `Issued` column"),
        ("--language", "en", "--language needs a `Language` column"),
    ] {
        let result = run(&["--manifest", manifest.to_str().unwrap(), "--out", "/nonexistent/never", flag, value]);
        let result = result.expect_code(2);
        assert!(result.stderr.contains(says) && result.stderr.contains("plain.csv"), "{flag}: {}", result.stderr);
    }
    let bad = run(&["--manifest", manifest.to_str().unwrap(), "--issued", "last year"]).expect_code(2);
    assert!(bad.stderr.contains("FROM..TO"), "{}", bad.stderr);
}

/// Lines and words as a reader counts them.
fn counts(text: &str) -> (u64, u64) {
    (text.matches('\n').count() as u64, text.split_ascii_whitespace().count() as u64)
}

fn jsonl_lines(bytes: &[u8]) -> Vec<serde_json::Value> {
    std::str::from_utf8(bytes).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn the_dataset_holds_every_clean_book_in_order_and_export_gives_the_same_file() {
    let dir = TestDir::new();
    // Book 4 is missing from the mirror: it fails.
    let root = mirror_with_catalog(&dir, &[1, 2, 5, 6]);
    let server = HttpServer::start(&root, HttpOptions::default());
    let url = format!("{}cache/epub/feeds/pg_catalog.csv", server.url());
    let out = dir.join("out");
    let fetch = |extra: &[&str]| {
        let mut args = vec!["--manifest", url.as_str(), "--mirror", root.to_str().unwrap()];
        args.extend_from_slice(&["--out", out.to_str().unwrap()]);
        args.extend_from_slice(extra);
        run(&args)
    };
    // Book 2 is complete before the run: skipped in it.
    fetch(&["--title", "faust"]).expect_code(0);
    let jsonl = dir.join("books.jsonl");
    fetch(&["--jsonl", jsonl.to_str().unwrap()]).expect_code(1);

    let lines = jsonl_lines(&std::fs::read(&jsonl).unwrap());
    let ebooks: Vec<u64> = lines.iter().map(|l| l["ebook"].as_u64().unwrap()).collect();
    assert_eq!(ebooks, [1, 2, 5, 6], "the clean books in manifest order; the failed one left out");
    let report = crate::util::report(&out);
    for line in &lines {
        let n = line["ebook"].as_u64().unwrap();
        let clean = std::fs::read_to_string(out.join(format!("{n}.txt"))).unwrap();
        assert_eq!(line["text"], clean.as_str(), "ebook {n}");
        let (lines, words) = counts(&clean);
        assert_eq!((line["lines"].as_u64().unwrap(), line["words"].as_u64().unwrap()), (lines, words), "ebook {n}");
        let raw = std::fs::read(out.join(format!("raw/{n}-0.txt"))).unwrap();
        let sha: String = Sha256::digest(&raw).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(line["sha256"], sha.as_str(), "ebook {n}");
        // The report agrees, for the skipped book too (learned when it was fetched).
        let entry = crate::util::book_entry(&report, n);
        assert_eq!((entry["lines"].as_u64(), entry["words"].as_u64()), (Some(lines), Some(words)), "{n}");
        assert_eq!(line["url"], entry["url"]);
    }
    let hugo = &lines[2];
    assert_eq!(hugo["title"], "Les Misérables, a title with a comma\nand a newline");
    assert_eq!((hugo["author"].as_str(), hugo["language"].as_str()), (Some("Hugo, Victor, 1802-1885"), Some("FR")));
    assert_eq!(
        (hugo["subjects"].as_str(), hugo["issued"].as_str()),
        (Some("Paris (France) -- Fiction"), Some("2010-10-10"))
    );
    assert!(hugo["url"].as_str().unwrap().ends_with("/5/5-0.txt"), "{}", hugo["url"]);
    assert_eq!(lines[3]["issued"], serde_json::Value::Null, "absent where the row has none");

    // `export` of the same folder: the same bytes, plain, to stdout, and compressed.
    let again = dir.join("again.jsonl");
    run(&["export", out.to_str().unwrap(), "--jsonl", again.to_str().unwrap()]).expect_code(0);
    let first = std::fs::read(&jsonl).unwrap();
    assert!(std::fs::read(&again).unwrap() == first, "export gives the same file");
    let stdout = crate::util::gutenfetch().args(["export", out.to_str().unwrap(), "--jsonl", "-"]).output().unwrap();
    assert!(stdout.stdout == first, "export to stdout gives the same bytes");
    let (gz, zst) = (dir.join("books.jsonl.gz"), dir.join("books.jsonl.zst"));
    for path in [&gz, &zst] {
        run(&["export", out.to_str().unwrap(), "--jsonl", path.to_str().unwrap()]).expect_code(0);
    }
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()), &mut unzipped)
        .unwrap();
    assert!(unzipped == first, ".gz holds the same lines");
    assert!(zstd::decode_all(std::fs::File::open(&zst).unwrap()).unwrap() == first, ".zst holds the same lines");
    crate::util::assert_no_temp_files(&dir.join(""));
}
