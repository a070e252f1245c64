//! The books of tests/fixtures/mirror and tests/fixtures/manifest.csv, and
//! the check that an output folder holds every one of them, correct.

use std::path::{Path, PathBuf};

pub use super::synth_mirror::FIXTURE_BOOKS;
use super::synth_mirror::{fixture_book, served_bytes};
use super::{book_folder, fixture_mirror, fixtures};

pub fn fixture_manifest() -> PathBuf {
    fixtures().join("manifest.csv")
}

/// Checks every fixture book in `out`: the raw copy is the mirror's file byte
/// for byte, and the clean text is the body the generator wrote.
pub fn assert_fixture_books_complete(out: &Path) {
    for &(n, served, raw_name) in FIXTURE_BOOKS {
        let served_bytes_on_disk = std::fs::read(book_folder(&fixture_mirror(), n).join(served)).unwrap();
        assert!(served_bytes_on_disk == served_bytes(n), "the fixture mirror's {served} is stale");
        let raw = std::fs::read(out.join("raw").join(raw_name)).unwrap_or_else(|_| panic!("raw/{raw_name} exists"));
        assert!(raw == served_bytes_on_disk, "raw/{raw_name} differs from the served {served}");
        let written = std::fs::read_to_string(out.join(format!("{n}.txt"))).unwrap();
        assert!(written == fixture_book(n).body(), "{n}.txt is not the body of {served}");
    }
}
