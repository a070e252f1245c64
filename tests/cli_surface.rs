//! The command line beyond a plain fetch: `strip`, selection flags,
//! completions and man page, and what stderr looks like without a terminal.

use std::io::Write;
use std::process::Stdio;

use gutenfetch::clean::{clean, CleanOptions};

use crate::util::fixture_books::{fixture_manifest, FIXTURE_BOOKS};
use crate::util::synth::{Book, Charset, Era, LineEnd};
use crate::util::synth_mirror::fixture_book;
use crate::util::{book_folder, fetch, fixture_mirror, report, run, tree, Run, TestDir};

/// A text of the fixture mirror: ebook `n`'s file `name` (synthetic books).
fn book_file(n: u32, name: &str) -> std::path::PathBuf {
    book_folder(&fixture_mirror(), n).join(name)
}

fn cleaned(path: &std::path::Path) -> String {
    clean(&std::fs::read(path).unwrap(), &CleanOptions::default()).unwrap().text
}

fn mirror_url() -> String {
    fixture_mirror().to_str().unwrap().to_owned()
}

#[test]
fn strip_prints_one_file_to_stdout() {
    let run = run(&["strip", book_file(84, "84-0.txt").to_str().unwrap()]).expect_code(0);
    assert!(run.stdout == fixture_book(84).body(), "stdout is the clean text");
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
    let no_markers = Book::new(1342, Era::NoMarkers, Charset::Utf8, LineEnd::Lf, 12).raw();
    let nobp_path = dir.write("pg1342-nobp.txt", &no_markers);
    let (kafka, missing) = (book_file(22367, "22367-8.txt"), dir.join("missing.txt"));
    let files = [&kafka, &nobp_path, &zip, &empty_body, &missing].map(|p| p.to_str().unwrap());
    let output = crate::util::gutenfetch_logging().args(["strip", "--out", out.to_str().unwrap()]).args(files).output();
    let run = Run::of(output.unwrap()).expect_code(1);
    assert!(std::fs::read_to_string(out.join("22367-8.txt")).unwrap() == fixture_book(22367).body());
    assert!(
        std::fs::read_to_string(out.join("10089.txt")).unwrap() == fixture_book(10089).body(),
        "the text inside the zip"
    );
    assert!(std::fs::read(out.join("pg1342-nobp.txt")).unwrap() == no_markers, "no markers: kept whole");
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
    child.stdin.take().unwrap().write_all(&std::fs::read(book_file(43, "43-0.txt")).unwrap()).unwrap();
    let run = Run::of(child.wait_with_output().unwrap()).expect_code(0);
    assert!(run.stdout == cleaned(&book_file(43, "43-0.txt")));

    let two = run_two();
    assert!(two.stderr.contains("need --out"), "{}", two.stderr);
}

fn run_two() -> Run {
    let (a, b) = (book_file(43, "43-0.txt"), book_file(84, "84-0.txt"));
    run(&["strip", a.to_str().unwrap(), b.to_str().unwrap()]).expect_code(2)
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
        for (path, bytes) in crate::util::books_tree(&out) {
            assert!(parts.insert(path.clone(), bytes).is_none(), "{} is in two shards", path.display());
        }
    }
    let expected = crate::util::books_tree(&whole);
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
    assert_eq!(names, ["43.txt", "gutenfetch-report.json", "gutenfetch-runs.jsonl"].map(std::path::PathBuf::from));
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
    assert_eq!(
        run.stderr.lines().filter(|l| l.contains(": ok, ")).count(),
        FIXTURE_BOOKS.len(),
        "-v: a line per book\n{}",
        run.stderr
    );
    let quiet = fetch(&fixture_manifest(), &mirror_url(), &dir.join("q"), &[]).expect_code(0);
    assert_eq!(quiet.stderr, "", "--quiet with nothing wrong says nothing on stderr");
}

/// Runs gutenfetch (quiet) with its umask set by a shell, as a login shell or cron would.
fn under_umask(umask: &str, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", "umask \"$1\" && shift && exec \"$@\"", "sh", umask, env!("CARGO_BIN_EXE_gutenfetch"), "--quiet"]);
    for var in ["GUTENFETCH_MIRROR", "GUTENFETCH_FTP_PASSWORD", "RUST_LOG"] {
        cmd.env_remove(var);
    }
    Run::of(cmd.args(args).output().expect("sh runs gutenfetch"))
}

#[test]
fn output_files_get_the_mode_the_umask_gives_like_any_tool() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n10089\n");
    for (umask, expected) in [("022", 0o644), ("027", 0o640)] {
        let (out, clean) = (dir.join(&format!("out-{umask}")), dir.join(&format!("clean-{umask}")));
        let fetch_args = ["--manifest", manifest.to_str().unwrap(), "--mirror", &mirror_url()];
        under_umask(umask, &[&fetch_args[..], &["--out", out.to_str().unwrap()]].concat()).expect_code(0);
        under_umask(umask, &["strip", "--out", clean.to_str().unwrap(), book_file(84, "84-0.txt").to_str().unwrap()])
            .expect_code(0);
        let mut files: Vec<_> = tree(&out).into_keys().map(|p| out.join(p)).collect();
        files.extend(tree(&clean).into_keys().map(|p| clean.join(p)));
        let names: Vec<_> = files.iter().map(|p| p.strip_prefix(dir.join("")).unwrap().to_owned()).collect();
        let expected_files = 9;
        assert_eq!(
            files.len(),
            expected_files,
            "clean texts, raw copies, provenance records, the report, the runs file, strip's output: {names:?}"
        );
        for path in &files {
            let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, expected, "{} under umask {umask}: mode {mode:o}", path.display());
        }
    }
}

#[test]
fn help_and_man_name_the_environment_variables_but_never_show_their_values() {
    for args in [&["--help"][..], &["-h"], &["man"], &["strip", "--help"]] {
        let output = crate::util::gutenfetch_logging()
            .env("GUTENFETCH_MIRROR", "ftp://reader:s3cret@127.0.0.1:1/")
            .env("GUTENFETCH_FTP_PASSWORD", "pa55word")
            .args(args)
            .output()
            .unwrap();
        let run = Run::of(output).expect_code(0);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains("s3cret") && !all.contains("pa55word"), "{args:?} shows a secret:\n{all}");
        if args[0] != "strip" {
            assert!(all.contains("GUTENFETCH_MIRROR") && all.contains("GUTENFETCH_FTP_PASSWORD"), "{args:?}:\n{all}");
        }
    }
    let bad = crate::util::gutenfetch_logging()
        .env("GUTENFETCH_MIRROR", "ftp://reader:s3cret@127.0.0.1:99999/")
        .arg("--dry-run")
        .output()
        .unwrap();
    let bad = Run::of(bad).expect_code(2);
    assert!(bad.stderr.contains("reader:***@") && !bad.stderr.contains("s3cret"), "{}", bad.stderr);
}

#[test]
fn quiet_wins_over_progress_always_and_verbose_shows_the_settings() {
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "Text#,Type\n43,Text\n84,\n43,Text\n");
    let args = |out: &str| {
        let out = dir.join(out);
        ["--manifest", manifest.to_str().unwrap(), "--mirror", &mirror_url(), "--out", out.to_str().unwrap()]
            .map(String::from)
    };
    let quiet = crate::util::gutenfetch_logging().args(["-q", "--progress", "always"]).args(args("q")).output();
    let quiet = Run::of(quiet.unwrap()).expect_code(0);
    assert_eq!(quiet.stderr, "", "-q draws no bars even with --progress always");
    let bars = crate::util::gutenfetch_logging().args(["--progress", "always"]).args(args("bars")).output();
    assert!(Run::of(bars.unwrap()).expect_code(0).stderr.contains('\x1b'), "--progress always alone draws bars");

    let verbose = Run::of(crate::util::gutenfetch_logging().arg("-v").args(args("v")).output().unwrap()).expect_code(0);
    assert!(verbose.stderr.contains("settings: manifest") && verbose.stderr.contains("8 jobs"), "{}", verbose.stderr);
    assert!(verbose.stderr.contains("1 book, 0 bad rows, 1 duplicate row, 1 row whose Type"), "{}", verbose.stderr);
    assert!(!verbose.stderr.contains("TRACE"), "-v has no traces:\n{}", verbose.stderr);
    let traced =
        Run::of(crate::util::gutenfetch_logging().arg("-vv").args(args("vv")).output().unwrap()).expect_code(0);
    assert!(traced.stderr.contains(":3: Type \"\" is not Text: skipped"), "{}", traced.stderr);
    assert!(traced.stderr.contains(":4: ebook 43 listed again"), "{}", traced.stderr);
}

#[test]
fn the_fixture_mirror_readme_names_files_that_exist() {
    let readme = std::fs::read_to_string(fixture_mirror().join("README.md")).unwrap();
    let paths: Vec<&str> = readme
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            span.contains('/') && (span.starts_with(|c: char| c.is_ascii_digit()) || span.starts_with("cache/"))
        })
        .collect();
    assert!(paths.len() >= 8, "{paths:?}");
    for path in paths {
        assert!(
            fixture_mirror().join(path).exists(),
            "tests/fixtures/mirror/README.md names {path}, which is not there"
        );
    }
}
