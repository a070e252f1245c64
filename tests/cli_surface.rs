//! The command line beyond a plain fetch: `strip`, selection flags,
//! completions and man page, and what stderr looks like without a terminal.

use std::io::Write;
use std::process::Stdio;

use gutenfetch::clean::{clean, CleanOptions};

use crate::util::fixture_books::fixture_manifest;
use crate::util::{book_folder, fetch, fixture_mirror, fixtures, report, run, tree, Run, TestDir};

fn corpus(name: &str) -> std::path::PathBuf {
    fixtures().join("corpus").join(name)
}

fn cleaned(name: &str) -> String {
    clean(&std::fs::read(corpus(name)).unwrap(), &CleanOptions::default()).unwrap().text
}

fn mirror_url() -> String {
    fixture_mirror().to_str().unwrap().to_owned()
}

#[test]
fn strip_prints_one_file_to_stdout() {
    let run = run(&["strip", corpus("pg84.txt").to_str().unwrap()]).expect_code(0);
    assert!(run.stdout == cleaned("pg84.txt"), "stdout is the clean text");
}

#[test]
fn strip_writes_many_files_and_a_bad_one_fails_alone() {
    let dir = TestDir::new();
    let empty_body = dir.write(
        "empty.txt",
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n",
    );
    let zip = book_folder(&fixture_mirror(), 10089).join("10089.zip");
    let out = dir.join("clean");
    let (kafka, nobp_path, missing) = (corpus("pg22367.txt"), corpus("pg1342-nobp.txt"), dir.join("missing.txt"));
    let files = [&kafka, &nobp_path, &zip, &empty_body, &missing].map(|p| p.to_str().unwrap());
    let output = crate::util::gutenfetch_logging().args(["strip", "--out", out.to_str().unwrap()]).args(files).output();
    let run = Run::of(output.unwrap()).expect_code(1);
    assert!(std::fs::read_to_string(out.join("pg22367.txt")).unwrap() == cleaned("pg22367.txt"));
    assert!(
        std::fs::read_to_string(out.join("10089.txt")).unwrap() == cleaned("pg10089.txt"),
        "the text inside the zip"
    );
    let nobp = std::fs::read(corpus("pg1342-nobp.txt")).unwrap();
    assert!(std::fs::read(out.join("pg1342-nobp.txt")).unwrap() == nobp, "no markers: kept whole");
    assert!(run.stderr.contains("pg1342-nobp.txt: no Gutenberg markers found"), "{}", run.stderr);
    assert!(run.stderr.contains("empty.txt: Gutenberg markers found but the book body is empty"), "{}", run.stderr);
    assert!(run.stderr.contains("missing.txt: cannot read"), "{}", run.stderr);
    assert!(!out.join("empty.txt").exists() && !out.join("missing.txt").exists());
}

#[test]
fn strip_reads_stdin_and_refuses_several_files_without_out() {
    let mut child = crate::util::gutenfetch()
        .args(["strip", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&std::fs::read(corpus("pg43.txt")).unwrap()).unwrap();
    let run = Run::of(child.wait_with_output().unwrap()).expect_code(0);
    assert!(run.stdout == cleaned("pg43.txt"));

    let two = run_two();
    assert!(two.stderr.contains("need --out"), "{}", two.stderr);
}

fn run_two() -> Run {
    run(&["strip", corpus("pg43.txt").to_str().unwrap(), corpus("pg84.txt").to_str().unwrap()]).expect_code(2)
}

#[test]
fn shards_split_a_manifest_with_no_overlap_and_nothing_left_out() {
    let dir = TestDir::new();
    let whole = dir.join("whole");
    fetch(&fixture_manifest(), &mirror_url(), &whole, &[]).expect_code(0);
    let mut parts = std::collections::BTreeMap::new();
    for k in 1..=3 {
        let out = dir.join(&format!("shard{k}"));
        fetch(&fixture_manifest(), &mirror_url(), &out, &["--shard", &format!("{k}/3")]).expect_code(0);
        let books = report(&out)["summary"]["books"].as_u64().unwrap();
        assert!(books >= 6, "shard {k} has {books} of the 20 books");
        for (path, bytes) in tree(&out) {
            if path.to_str() != Some("gutenfetch-report.json") {
                assert!(parts.insert(path.clone(), bytes).is_none(), "{} is in two shards", path.display());
            }
        }
    }
    let mut expected = tree(&whole);
    expected.remove(std::path::Path::new("gutenfetch-report.json"));
    assert_eq!(parts, expected, "the shards together are the whole run");
    run(&["--shard", "4/3"]).expect_code(2);
}

#[test]
fn language_and_limit_filter_a_catalog() {
    let dir = TestDir::new();
    let catalog = dir.write(
        "pg_catalog.csv",
        "Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves\n\
         22367,Text,2007-08-01,Die Verwandlung,de,\"Kafka, Franz\",,,\n\
         43,Text,1992-10-01,Jekyll and Hyde,en,\"Stevenson, Robert Louis\",,,\n\
         84,Text,1993-10-01,Frankenstein,en,\"Shelley, Mary\",,,\n\
         24675,Text,2008-02-01,Ontboezemingen,nl,Gabriel,,,\n",
    );
    let out = dir.join("out");
    fetch(&catalog, &mirror_url(), &out, &["--language", "en", "--limit", "1"]).expect_code(0);
    let names: Vec<_> = tree(&out).into_keys().filter(|p| p.parent() == Some(std::path::Path::new(""))).collect();
    assert_eq!(names, [std::path::PathBuf::from("43.txt"), "gutenfetch-report.json".into()]);
    let classic = dir.write("m.csv", "FileNumber\n43\n");
    let run = fetch(&classic, &mirror_url(), &dir.join("o2"), &["--language", "en"]).expect_code(2);
    assert!(run.stderr.contains("Language"), "{}", run.stderr);
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    let bash = run(&["completions", "bash"]).expect_code(0);
    assert!(bash.stdout.contains("--manifest") && bash.stdout.contains("strip"), "bash completion");
    let man = run(&["man"]).expect_code(0);
    assert!(man.stdout.contains(".TH gutenfetch") && man.stdout.contains("\\-\\-mirror"), "{}", &man.stdout[..200]);
    let version = run(&["--version"]).expect_code(0);
    assert_eq!(version.stdout.trim(), format!("gutenfetch {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn without_a_terminal_stderr_is_plain_text() {
    let dir = TestDir::new();
    let out = dir.join("out");
    let output = crate::util::gutenfetch_logging()
        .args(["-v", "--manifest", fixture_manifest().to_str().unwrap(), "--mirror", &mirror_url()])
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let run = Run::of(output).expect_code(0);
    assert!(!run.stderr.contains('\x1b') && !run.stderr.contains('\r'), "no control codes:\n{}", run.stderr);
    assert_eq!(run.stderr.lines().filter(|l| l.contains(": ok, ")).count(), 20, "-v: a line per book\n{}", run.stderr);
    let quiet = fetch(&fixture_manifest(), &mirror_url(), &dir.join("q"), &[]).expect_code(0);
    assert_eq!(quiet.stderr, "", "--quiet with nothing wrong says nothing on stderr");
}
