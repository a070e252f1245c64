//! Defaults that work anywhere (the built-in manifest, from a folder outside
//! the checkout) and help that fits each command.

use clap::CommandFactory;
use gutenfetch::manifest::ManifestSource;
use gutenfetch::select::Selection;

use crate::util::generated::{assert_book_complete, write_mirror};
use crate::util::{gutenfetch, report, Run, TestDir};

fn built_in_books() -> Vec<u32> {
    let manifest = gutenfetch::manifest::read(&ManifestSource::BuiltIn, &Selection::default()).unwrap();
    manifest.books().map(|book| book.unwrap().number.get()).collect()
}

#[test]
fn the_built_in_manifest_works_from_a_folder_outside_the_checkout() {
    let dir = TestDir::new();
    let books = built_in_books();
    assert!(books.len() >= 10, "the built-in list is ingest_file/Gutenberg_files.csv: {books:?}");
    let mirror = dir.join("mirror");
    write_mirror(&mirror, books.iter().copied());
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let in_elsewhere = |args: &[&str]| {
        let mut command = gutenfetch();
        command.current_dir(&elsewhere).args(["--mirror", mirror.to_str().unwrap()]).args(args);
        Run::of(command.output().unwrap())
    };

    let dry = in_elsewhere(&["--dry-run", "--out", "downloads"]).expect_code(0);
    assert!(dry.stdout.starts_with("manifest: the built-in list of"), "{}", dry.stdout);
    assert!(dry.stdout.contains("pass your own with --manifest FILE"), "{}", dry.stdout);

    in_elsewhere(&["--out", "downloads"]).expect_code(0);
    let out = elsewhere.join("downloads");
    for &n in &books {
        assert_book_complete(&out, n);
    }
    let report = report(&out);
    assert_eq!(report["summary"]["ok"].as_u64(), Some(books.len() as u64));
    assert!(report["settings"]["manifest"].as_str().unwrap().contains("built-in"), "{}", report["settings"]);

    let help = Run::of(gutenfetch().arg("--help").output().unwrap()).expect_code(0);
    assert!(help.stdout.contains("[default: the built-in list]"), "{}", help.stdout);
}

/// The long names of the fetch's options (gutenfetch without a subcommand).
fn fetch_options() -> Vec<String> {
    gutenfetch::cli::Cli::command().get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect()
}

#[test]
fn each_subcommand_shows_its_own_options_and_words_only() {
    let root = gutenfetch::cli::Cli::command();
    for sub in root.get_subcommands().filter(|s| s.get_name() != "help") {
        let own: Vec<String> = sub.get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect();
        for flag in ["--help", "-h"] {
            let run = Run::of(gutenfetch().args([sub.get_name(), flag]).output().unwrap()).expect_code(0);
            let text = run.stdout;
            for option in fetch_options().iter().filter(|o| !own.contains(o)) {
                let shown = text.split(|c: char| !(c.is_alphanumeric() || c == '-')).any(|word| word == option);
                assert!(!shown, "`gutenfetch {} {flag}` mentions the fetch's {option}:\n{text}", sub.get_name());
            }
            // `catalog` has its own --mirror, which may be an FTP server.
            let own_mirror = own.iter().any(|o| o == "--mirror");
            let words = ["retries", "FTP", "bad row", "mirror", "progress"];
            for word in words.into_iter().filter(|w| !(own_mirror && ["FTP", "mirror"].contains(w))) {
                assert!(!text.contains(word), "`gutenfetch {} {flag}` says {word:?}:\n{text}", sub.get_name());
            }
        }
    }
}

#[test]
fn numeric_limits_say_their_range_in_words() {
    for (args, expected) in [
        (["--limit", "0"], "expected a whole number, at least 1"),
        (["--jobs", "65"], "expected a whole number from 1 to 64"),
        (["--retries", "101"], "expected a whole number from 0 to 100"),
    ] {
        let run = Run::of(gutenfetch().args(args).output().unwrap()).expect_code(2);
        assert!(run.stderr.contains(expected) && !run.stderr.contains(".."), "{}", run.stderr);
    }
}
