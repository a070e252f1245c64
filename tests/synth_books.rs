//! The synthetic books of `util::synth`: every era, charset and line-end
//! form, cleaned back to exactly the body the generator wrote.

use gutenfetch::clean::{clean, CleanOptions, EncodingSource};

use crate::util::synth::{matrix, Book, Charset, Era, LineEnd};
use crate::util::synth_mirror::{fixture_book, mirror_files, write_fixtures, FIXTURE_BOOKS};
use crate::util::tree;

/// The first line where two texts differ, for a readable failure.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "texts differ only in line ends".into(),
            (x, y) => return format!("first difference at line {n}:\n  expected: {x:?}\n  actual:   {y:?}"),
        }
    }
    unreachable!()
}

fn check(book: &Book) -> Option<String> {
    let cleaned = match clean(&book.raw(), &CleanOptions::default()) {
        Ok(c) => c,
        Err(e) => return Some(format!("{book:?}: {e}")),
    };
    let body = book.body();
    if cleaned.text != body {
        return Some(format!("{book:?}: {}", first_difference(&body, &cleaned.text)));
    }
    if cleaned.findings.markers_found != (book.era != Era::NoMarkers) {
        return Some(format!("{book:?}: markers_found is {}", cleaned.findings.markers_found));
    }
    None
}

#[test]
fn every_era_charset_and_line_end_cleans_to_its_body() {
    let failures: Vec<String> = matrix().iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{} of {} books:\n{}", failures.len(), matrix().len(), failures.join("\n"));
}

/// Every generated file of the fixture mirror that is a plain text, with the
/// book it holds (zips are checked in `zips`, their contents here).
fn fixture_texts() -> Vec<(String, Vec<u8>)> {
    let mut texts: Vec<(String, Vec<u8>)> =
        FIXTURE_BOOKS.iter().map(|&(n, served, _)| (format!("{n}/{served}"), fixture_book(n).raw())).collect();
    texts.extend(mirror_files().into_iter().filter(|(path, _)| path.contains(".txt") && !path.contains(".zip")));
    texts
}

#[test]
fn the_checked_in_fixtures_are_what_the_generator_writes() {
    let fixtures = crate::util::fixtures();
    if std::env::var_os("GUTENFETCH_BLESS").is_some() {
        write_fixtures(&fixtures).unwrap();
    }
    let fresh = crate::util::TestDir::new();
    write_fixtures(&fresh.join("")).unwrap();
    let (checked_in, generated) = (tree(&fixtures.join("mirror")), tree(&fresh.join("mirror")));
    let names = |t: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&checked_in), names(&generated), "the files of tests/fixtures/mirror");
    for (path, bytes) in &generated {
        assert!(
            checked_in[path] == *bytes,
            "tests/fixtures/mirror/{} differs from what the generator writes: \
             cargo run --example fixture_mirror -- tests/fixtures",
            path.display()
        );
    }
    let manifest = std::fs::read_to_string(fixtures.join("manifest.csv")).unwrap();
    assert!(manifest == std::fs::read_to_string(fresh.join("manifest.csv")).unwrap(), "tests/fixtures/manifest.csv");
    let size: usize = generated.values().map(Vec::len).sum();
    assert!(size < 400 << 10, "the fixture mirror stays small: {size} bytes");
}

#[test]
fn every_fixture_book_cleans_to_its_body() {
    for &(n, _, _) in FIXTURE_BOOKS {
        assert_eq!(check(&fixture_book(n)), None);
    }
}

#[test]
fn each_era_is_reported_with_its_markers() {
    use gutenfetch::clean::{FooterKind as F, HeaderKind as H};
    let expected = |era: Era| match era {
        Era::SmallPrint | Era::TheEndOf => (Some(H::SmallPrintEnd), Some(F::EndOfBookLine)),
        Era::Reissued => (Some(H::StartLine), Some(F::EndOfBookLine)),
        Era::StartCut => (Some(H::MetadataBlock), Some(F::EndOfBookLine)),
        Era::SmallPrintClosingLine => (Some(H::SmallPrintEnd), Some(F::ClosingEtextLine)),
        Era::WrappedStart | Era::Licence2004 | Era::Volunteers => (Some(H::StartLine), Some(F::EndOfBookLine)),
        Era::Release2020 | Era::Short2023 => (Some(H::StartLine), Some(F::EndMarker)),
        Era::German => (Some(H::StartLine), Some(F::German)),
        Era::French => (Some(H::StartLine), Some(F::French)),
        Era::NoMarkers => (None, None),
    };
    for book in matrix() {
        let f = clean(&book.raw(), &CleanOptions::default()).unwrap().findings;
        assert_eq!((f.header, f.footer), expected(book.era), "{book:?}");
        let credits = matches!(
            book.era,
            Era::WrappedStart
                | Era::Volunteers
                | Era::Licence2004
                | Era::German
                | Era::French
                | Era::Reissued
                | Era::StartCut
        );
        assert_eq!(f.credits_removed, credits, "{book:?}");
    }
}

#[test]
fn each_charset_is_decided_as_its_bytes_say() {
    for book in matrix() {
        let f = clean(&book.raw(), &CleanOptions::default()).unwrap().findings;
        let declares = !matches!(
            book.era,
            Era::SmallPrint
                | Era::SmallPrintClosingLine
                | Era::TheEndOf
                | Era::Release2020
                | Era::Short2023
                | Era::NoMarkers
        );
        // Windows-1252 is named ISO-8859-1 when no byte uses its extra
        // characters (0x80–0x9F: curly quotes, dashes).
        let eight_bit = if book.raw().iter().any(|b| (0x80..0xa0).contains(b)) { "windows-1252" } else { "ISO-8859-1" };
        let expected = match book.charset {
            Charset::Utf8Bom => (EncodingSource::Bom, "UTF-8"),
            Charset::Utf8 | Charset::Utf8SaysAscii => (EncodingSource::ValidUtf8, "UTF-8"),
            Charset::Latin1 | Charset::Windows1252 if declares => (EncodingSource::Declared, eight_bit),
            // No declaration, or one of UTF-8 that the bytes do not fit.
            Charset::Latin1 | Charset::Windows1252 | Charset::Windows1252SaysUtf8 => {
                (EncodingSource::Fallback, eight_bit)
            }
        };
        assert_eq!((f.encoding_source, f.encoding), expected, "{book:?}");
    }
}

#[test]
fn a_text_without_markers_passes_through_unchanged() {
    let book = Book::new(7, Era::NoMarkers, Charset::Utf8, LineEnd::Lf, 6);
    let cleaned = clean(&book.raw(), &CleanOptions::default()).unwrap();
    assert!(!cleaned.findings.markers_found);
    assert!(cleaned.text.as_bytes() == book.raw(), "kept byte for byte");
}

#[test]
fn no_boilerplate_survives_in_any_fixture_text() {
    for (name, raw) in fixture_texts() {
        let text = clean(&raw, &CleanOptions::default()).unwrap().text;
        for needle in ["START OF TH", "END OF TH", "Project Gutenberg", "SMALL PRINT", "LICENSE", "Produced by", "\r"] {
            assert!(!text.contains(needle), "{name}: output contains {needle:?}");
        }
    }
}

#[test]
fn tiny_windows_clean_every_synthetic_book_as_memory_does() {
    let mut files = fixture_texts();
    files.extend(matrix().iter().step_by(7).map(|b| (format!("{b:?}"), b.raw())));
    crate::clean_golden::assert_tiny_windows_clean_as_memory_does(&files);
}

/// The smoke run puts stand-ins beside the mirror for the default manifest's
/// books it lacks, and compares gutenfetch's output with `expected_body`.
#[test]
fn stand_ins_clean_to_the_bodies_the_smoke_run_expects() {
    use crate::util::synth_mirror::{expected_body, stand_in};
    for n in [1670, 16797, 38544, 53499] {
        assert!(clean(&stand_in(n).raw(), &CleanOptions::default()).unwrap().text == expected_body(n), "{n}");
    }
    assert!(expected_body(43) == fixture_book(43).body());
}
