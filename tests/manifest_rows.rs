//! Manifest handling seen from the command line: bad rows, catalog format,
//! stdin, and manifests that cannot be used at all.

use std::io::Write;
use std::process::Stdio;

use crate::util::{book_entry, fetch, fixture_mirror, report, run, FtpServer, Run, TestDir};

#[test]
fn the_shipped_default_manifest_parses_cleanly() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ingest_file/Gutenberg_files.csv");
    let source = gutenfetch::manifest::ManifestSource::Path(path);
    let manifest = gutenfetch::manifest::read(&source, &Default::default()).unwrap();
    assert!(manifest.problems.is_empty(), "{:?}", manifest.problems);
    let books: Vec<_> = manifest.books().map(Result::unwrap).collect();
    let numbers: Vec<u32> = books.iter().map(|b| b.number.get()).collect();
    for luther in [418, 1670, 16797, 38544, 53499] {
        assert!(numbers.contains(&luther), "ebook {luther} is in the default manifest");
    }
    assert!(books.iter().all(|b| b.title().is_some() && b.author().is_some()));
}

#[test]
fn bad_rows_are_named_by_line_and_the_good_ones_still_run() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write(
        "books.csv",
        "author,FileNumber,Title\nStevenson,43,Jekyll\nX,../x,Evil\nY,-5,Negative\nZ,,Empty\nShelley,84,Frankenstein\n",
    );
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(1);

    assert!(out.join("43.txt").is_file() && out.join("84.txt").is_file());
    for (line, what) in [(3, "../x"), (4, "-5"), (5, "no ebook number")] {
        let needle = format!("books.csv:{line}: ");
        // --quiet: named once, in the summary.
        let row = run
            .stdout
            .lines()
            .find(|l| l.contains(&needle))
            .unwrap_or_else(|| panic!("line {line} reported:\n{}", run.stdout));
        assert!(row.contains(what), "{row}");
    }
    let report = report(&out);
    assert_eq!(report["summary"]["bad_rows"], 3);
    assert_eq!(report["summary"]["ok"], 2);
    assert_eq!(report["bad_rows"][0]["line"], 3);
}

#[test]
fn pg_catalog_rows_that_are_not_text_are_skipped() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write(
        "pg_catalog.csv",
        "\u{feff}Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves\r\n\
         43,Text,1992-10-01,\"The Strange Case of Dr. Jekyll and Mr. Hyde\",en,\"Stevenson, Robert Louis, 1850-1894\",\"Horror tales; Psychological fiction\",PR,\"Category: Novels\"\r\n\
         10000,Sound,2003-11-01,An Audio Book,en,Someone,,,\r\n\
         1080,,1997-10-01,A Modest Proposal,en,\"Swift, Jonathan\",,,\r\n\
         84,Text,1993-10-01,\"Frankenstein; Or, The Modern Prometheus\",en,\"Shelley, Mary Wollstonecraft, 1797-1851\",,PR,\r\n",
    );
    let out = dir.join("out");
    let output = crate::util::gutenfetch_logging()
        .args(["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url(), "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let run = Run::of(output).expect_code(0);
    let report = report(&out);
    assert_eq!(report["summary"]["books"], 2);
    assert_eq!(report["summary"]["not_text_rows"], 2, "Sound and an empty Type");
    assert!(run.stderr.contains("skipped 2 rows whose Type is not Text"), "{}", run.stderr);
    let jekyll = book_entry(&report, 43);
    assert_eq!(jekyll["author"], "Stevenson, Robert Louis, 1850-1894");
    assert_eq!(book_entry(&report, 84)["title"], "Frankenstein; Or, The Modern Prometheus");
    assert!(!out.join("10000.txt").exists());
    assert!(!out.join("1080.txt").exists(), "a row with an empty Type is not fetched, though the mirror has it");
    assert_eq!(server.retrievals(), 2);
}

#[test]
fn whitespace_around_a_number_is_a_bad_row_named_by_its_line() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write(
        "books.csv",
        "author,FileNumber,Title\nA, 43,Jekyll\nB,\"84\n\",Frankenstein\nC,1080\t,Proposal\nD,11,Alice\n",
    );
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(1);
    for (line, field) in [(2, r#"" 43""#), (3, r#""84\n""#), (5, r#""1080\t""#)] {
        let needle = format!("books.csv:{line}: ebook number {field} is not 1 to 7 ASCII digits");
        assert!(run.stdout.contains(&needle), "{needle}\n{}", run.stdout);
    }
    let report = report(&out);
    assert_eq!((report["summary"]["bad_rows"].as_u64(), report["summary"]["ok"].as_u64()), (Some(3), Some(1)));
    assert!(out.join("11.txt").is_file());
    for n in [43, 84, 1080] {
        assert!(!out.join(format!("{n}.txt")).exists(), "ebook {n} came from a bad row");
    }
}

#[test]
fn the_manifest_can_come_from_stdin() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let out = dir.join("out");
    let mut child = crate::util::gutenfetch()
        .args(["--manifest", "-", "--mirror", &server.url(), "--out", out.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"FileNumber\n1080\n").unwrap();
    Run::of(child.wait_with_output().unwrap()).expect_code(0);
    assert!(out.join("1080.txt").is_file());
    assert_eq!(report(&out)["manifest"], "<stdin>");
}

#[test]
fn unusable_manifests_are_fatal_and_named() {
    let dir = TestDir::new();
    let mirror = "ftp://127.0.0.1:9/";
    let cases = [
        (dir.write("no-number.csv", "author,Title\nLuther,Good Works\n"), "no ebook-number column"),
        (dir.write("empty.csv", ""), "is empty"),
        (dir.write("header-only.csv", "FileNumber,Title\n"), "is empty"),
        (dir.join("missing.csv"), "cannot read manifest"),
    ];
    for (path, message) in cases {
        let run = fetch(&path, mirror, &dir.join("out"), &[]).expect_code(2);
        assert!(run.stderr.contains(message), "{message}:\n{}", run.stderr);
        assert!(run.stderr.contains(path.file_name().unwrap().to_str().unwrap()), "{}", run.stderr);
    }
    assert!(!dir.join("out").exists(), "nothing is written for a fatal manifest");
}

#[test]
fn usage_errors_exit_2() {
    run(&["--mirror", "ftp://127.0.0.1:9/", "--jobs", "0"]).expect_code(2);
    let bad = run(&["--mirror", "gopher://x/"]).expect_code(2);
    assert!(bad.stderr.contains("unsupported scheme"), "{}", bad.stderr);
}
