//! Regression tests on the real Gutenberg texts (about 55 files, described
//! by their SOURCES.md) in the folder `GUTENFETCH_CORPUS` names. They stay
//! outside the repository; `tests/corpus_facts.tsv` pins each file's SHA-256,
//! the raw lines where its book starts and ends, and the SHA-256 of its clean
//! text. The same checks run on synthetic books always (`synth_books`).
//!
//! Without the variable these tests are ignored (see build.rs). To record
//! the facts again after a deliberate change to the cleaner (review what
//! changed: the test prints every file whose clean text or lines moved):
//! `GUTENFETCH_CORPUS=../shared/corpus GUTENFETCH_BLESS=1 cargo test --test integration clean_golden::`

use std::fs;

use gutenfetch::clean::{
    clean, clean_stream_windowed, CleanOptions, Cleaned, EncodingSource, FooterKind, HeaderKind, Spill,
};

use crate::synth_books::first_difference;
use crate::util::corpus::{
    body_lines, corpus_file, corpus_files, facts, facts_path, sha256_hex, txt_names_in_folder, Fact, FACTS_HEADER,
};

fn clean_bytes(name: &str, raw: &[u8]) -> Cleaned {
    clean(raw, &CleanOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn clean_file(name: &str) -> Cleaned {
    clean_bytes(name, &corpus_file(name))
}

fn fact_of(name: &str, raw: &[u8]) -> Fact {
    let cleaned = clean_bytes(name, raw);
    let (first_line, last_line) = body_lines(raw, cleaned.findings.encoding, &cleaned.text);
    Fact {
        name: name.to_owned(),
        sha256: sha256_hex(raw),
        first_line,
        last_line,
        clean_sha256: sha256_hex(cleaned.text.as_bytes()),
    }
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn corpus_facts() {
    if std::env::var_os("GUTENFETCH_BLESS").is_some() {
        let dir = crate::util::corpus::corpus_dir();
        let mut tsv = FACTS_HEADER.to_owned();
        for name in txt_names_in_folder() {
            let fact = fact_of(&name, &fs::read(dir.join(&name)).unwrap());
            let old = facts().into_iter().find(|f| f.name == name);
            if old.as_ref() != Some(&fact) {
                println!("blessed {name}: was {old:?}");
            }
            tsv.push_str(&fact.to_line());
        }
        fs::write(facts_path(), tsv).unwrap();
        return;
    }
    let files = corpus_files();
    let mut failures = Vec::new();
    for (expected, (name, raw)) in facts().iter().zip(&files) {
        if sha256_hex(raw) != expected.sha256 {
            failures.push(format!("{name}: the file is not the one the facts describe (SHA-256 differs)"));
            continue;
        }
        let actual = fact_of(name, raw);
        if actual != *expected {
            failures.push(format!("{name}: expected {expected:?}\n  actual {actual:?}"));
        }
    }
    let listed: Vec<String> = facts().into_iter().map(|f| f.name).collect();
    for name in txt_names_in_folder().into_iter().filter(|n| !listed.contains(n)) {
        failures
            .push(format!("{name} is in the corpus but not in tests/corpus_facts.tsv: bless (see the module docs)"));
    }
    assert!(failures.is_empty(), "{} of {} real texts:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn the_facts_name_every_book_with_its_first_and_last_lines_found() {
    let facts = facts();
    assert!(facts.len() >= 50, "{} real texts named", facts.len());
    for f in &facts {
        assert!(f.first_line > 0 && f.last_line >= f.first_line, "{f:?}: the book's lines are found in the raw file");
    }
}

/// Boilerplate the cleaner is known to leave in a real text today, and why.
/// Remove an entry when the cleaner learns the form (the test says which).
const KNOWN_LEFTOVERS: &[(&str, &str, &str)] = &[
    (
        "pg1-when12.txt",
        "The Project Gutenberg Etext of",
        "old title line after Hart's 25-line preface, past the 4 lines a note before an old header may take",
    ),
    ("pg135-lesms10.txt", "END OF TH", "book text: chapter titles `End of the Petit-Picpus`"),
    ("pg135-lesms10.txt", "wrapped-title remnant", "book text: names elided as `Cl****** T*******`"),
    ("pg13951.txt", "wrapped-title remnant", "book text: a name elided as `***` by its author"),
    ("pg1619.txt", "wrapped-title remnant", "book text: the glossary's `****` separators"),
    ("pg20-plboss10.txt", "END OF TH", "a 1991 text without markers, kept whole"),
];

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn no_boilerplate_survives() {
    let mut failures = Vec::new();
    for (name, raw) in corpus_files() {
        let cleaned = clean_bytes(&name, &raw);
        let text = &cleaned.text;
        let remnant = |l: &str| l.trim_end().ends_with("***") && l.chars().any(char::is_alphabetic);
        let mut check = |what: &str, kept: bool| {
            let known = KNOWN_LEFTOVERS.iter().any(|&(n, w, _)| n == name && w == what);
            if kept != known {
                failures.push(match known {
                    true => format!("{name} no longer holds {what:?}: remove it from KNOWN_LEFTOVERS"),
                    false => format!("{name}: output holds {what:?}"),
                });
            }
        };
        for needle in [
            "START OF TH",
            "END OF TH",
            "End of Project Gutenberg",
            "End of the Project Gutenberg",
            "SMALL PRINT",
            "FULL LICENSE",
            "The Project Gutenberg Etext of",
            "\r",
            "\u{feff}",
        ] {
            check(needle, text.contains(needle));
        }
        check("wrapped-title remnant", text.lines().any(remnant));
        if cleaned.findings.markers_found {
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{name}: one final newline");
            assert!(!text.starts_with('\n'), "{name}: leading blank line");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn latin1_files_decode_without_replacement_characters() {
    for name in ["pg22367.txt", "pg24675.txt"] {
        let c = clean_file(name);
        assert_eq!(
            (c.findings.encoding, c.findings.encoding_source),
            ("ISO-8859-1", EncodingSource::Declared),
            "{name}"
        );
        assert!(!c.text.contains('\u{fffd}'), "{name}: replacement character");
        assert!(c.text.chars().any(|ch| "äöüßÄÖÜë".contains(ch)), "{name}: its accented letters decoded");
    }
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn both_kafka_editions_give_the_same_book() {
    let latin1 = clean_file("pg22367.txt").text;
    let unisteg = clean_file("pg22367-unisteg.txt");
    assert_eq!((unisteg.findings.header, unisteg.findings.footer), (None, Some(FooterKind::EndMarker)));
    // The two copies differ in one corrected word near the start; the rest of
    // the book, here its last part, must come out the same.
    let tail = |t: &str| t[t.len() - 20_000..].to_owned();
    assert!(tail(&latin1) == tail(&unisteg.text), "Kafka editions end differently");
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn pride_and_prejudice_stub_equals_the_boilerplate_free_copy() {
    let stub = clean_file("pg1342.txt");
    let bare = clean_file("pg1342-nobp.txt");
    assert!(stub.findings.markers_found && !bare.findings.markers_found);
    assert_eq!(stub.text.trim_end(), bare.text.trim_end());
    let raw = String::from_utf8(corpus_file("pg1342-nobp.txt")).unwrap();
    assert_eq!(bare.text, raw, "no-marker control must pass through unchanged");
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn markers_are_reported() {
    let kinds = |n: &str| {
        let c = clean_file(n);
        (c.findings.header, c.findings.footer)
    };
    assert_eq!(kinds("pg11-alice30.txt"), (Some(HeaderKind::SmallPrintEnd), None));
    assert_eq!(kinds("pg418-gwork10.txt"), (Some(HeaderKind::SmallPrintEnd), Some(FooterKind::ClosingEtextLine)));
    assert_eq!(kinds("pg1013.txt"), (Some(HeaderKind::StartLine), Some(FooterKind::EndOfBookLine)));
    assert_eq!(kinds("pg43.txt"), (Some(HeaderKind::StartLine), Some(FooterKind::EndMarker)));
    assert_eq!(clean_file("pg98.txt").findings.encoding_source, EncodingSource::Bom);
    assert_eq!(clean_file("pg33956.txt").findings.encoding_source, EncodingSource::ValidUtf8);
}

/// A re-released Small Print file (alice30, whose old header holds a
/// `*****The Project Gutenberg Etext of …*****` line) inside a START/END pair,
/// after a credit and a note, is not truncated at its old closing line.
#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn a_rereleased_real_small_print_file_is_not_truncated_at_its_old_closing_line() {
    let alice30 = String::from_utf8(corpus_file("pg11-alice30.txt")).unwrap();
    let c = crate::clean_cases::rereleased(&alice30);
    let book = clean_file("pg11-alice30.txt").text;
    assert!(c.text == format!("[Transcriber's note: the original 1994 file follows unchanged.]\n\n{book}"));
    assert_eq!(
        (c.findings.inner_headers_removed, c.findings.credits_removed, c.findings.footer),
        (1, true, Some(FooterKind::EndMarker))
    );
}

/// The streaming engine reading through tiny windows (so that markers,
/// wrapped START lines, blurbs, CR CR LF pairs and credits straddle window
/// ends) and re-encoding to files gives what cleaning in memory gives.
pub fn assert_tiny_windows_clean_as_memory_does(files: &[(String, Vec<u8>)]) {
    let scratch = tempfile::tempdir().unwrap();
    for (name, raw) in files {
        let whole = clean_bytes(name, raw);
        for window in [1, 61, 4096] {
            let mut out = Vec::new();
            let input = std::io::Cursor::new(raw);
            let spill = Spill::In(scratch.path());
            let findings =
                clean_stream_windowed(input, raw.len() as u64, spill, &CleanOptions::default(), &mut out, window)
                    .unwrap_or_else(|e| panic!("{name}, window {window}: {e}"));
            assert!(
                out == whole.text.as_bytes(),
                "{name}, window {window}: {}",
                first_difference(&whole.text, &String::from_utf8_lossy(&out))
            );
            assert_eq!(findings, whole.findings, "{name}, window {window}");
        }
    }
    assert_eq!(fs::read_dir(scratch.path()).unwrap().count(), 0, "re-encoded copies leave no files");
}

#[test]
#[cfg_attr(not(gutenfetch_corpus), ignore = "needs GUTENFETCH_CORPUS=../shared/corpus (.ci/run sets it)")]
fn tiny_windows_clean_every_corpus_file_as_memory_does() {
    assert_tiny_windows_clean_as_memory_does(&corpus_files());
}
