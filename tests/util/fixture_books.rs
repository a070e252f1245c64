//! The books of tests/fixtures/mirror and tests/fixtures/manifest.csv, and
//! the check that an output folder holds every one of them, correct.

use std::path::{Path, PathBuf};

use gutenfetch::clean::{clean, CleanOptions};
use gutenfetch::ebook::EbookNumber;
use gutenfetch::unzip::text_from_zip;

use super::{book_folder, fixture_mirror, fixtures};

/// (ebook, the file in its folder that must be chosen, its raw copy's name)
pub const FIXTURE_BOOKS: &[(u32, &str, &str)] = &[
    (418, "418.txt", "418.txt"),
    (11, "11-0.txt", "11-0.txt"),
    (43, "43-0.txt", "43-0.txt"),
    (84, "84-0.txt", "84-0.txt"),
    (98, "98-0.txt", "98-0.txt"),
    (1013, "old/1013.txt", "1013.txt"),
    (1080, "1080-0.txt", "1080-0.txt"),
    (1342, "1342-0.txt", "1342-0.txt"),
    (10026, "10026.txt", "10026.txt"),
    (10028, "10028.txt", "10028.txt"),
    (10089, "10089.zip", "10089.zip"),
    (10509, "10509.txt", "10509.txt"),
    (22367, "22367-8.txt", "22367-8.txt"),
    (24675, "24675-8.txt", "24675-8.txt"),
    (33956, "33956.txt", "33956.txt"),
    (35190, "35190.txt", "35190.txt"),
    (35589, "35589.txt", "35589.txt"),
    (36261, "36261.zip", "36261.zip"),
    (38003, "38003.txt", "38003.txt"),
    (69030, "69030-0.txt", "69030-0.txt"),
];

pub fn fixture_manifest() -> PathBuf {
    fixtures().join("manifest.csv")
}

/// Checks every fixture book in `out`: the raw copy is the mirror's file byte
/// for byte, and the clean text is what the cleaner makes of its text.
pub fn assert_fixture_books_complete(out: &Path) {
    for &(n, served, raw_name) in FIXTURE_BOOKS {
        let served_bytes = std::fs::read(book_folder(&fixture_mirror(), n).join(served)).unwrap();
        let raw = std::fs::read(out.join("raw").join(raw_name)).unwrap_or_else(|_| panic!("raw/{raw_name} exists"));
        assert!(raw == served_bytes, "raw/{raw_name} differs from the served {served}");
        let text = if served.ends_with(".zip") {
            text_from_zip(&raw, Some(EbookNumber::parse(&n.to_string()).unwrap()), u64::MAX >> 1).unwrap()
        } else {
            raw
        };
        let expected = clean(&text, &CleanOptions::default()).unwrap().text;
        let written = std::fs::read_to_string(out.join(format!("{n}.txt"))).unwrap();
        assert!(written == expected, "{n}.txt is not the cleaned text of {served}");
    }
}
