//! Books made up by a test, with Gutenberg markers, laid out as a mirror in
//! a temporary folder: as many as a test needs, each different in size and
//! text, and the clean text each must become.

use std::path::Path;

use super::book_folder;

/// The raw file of generated book `n`: a header, a START marker, a body of
/// a size that varies with `n`, an END marker and a licence.
pub fn raw_book(n: u32) -> String {
    let mut body = format!("THE MADE-UP BOOK NUMBER {n}\r\n\r\nChapter 1\r\n\r\n");
    let lines = 20 + (n as usize * 37) % 400;
    for line in 0..lines {
        body.push_str(&format!("Line {line} of book {n}: the quick brown fox jumps over the lazy dog.\r\n"));
    }
    format!(
        "The Project Gutenberg eBook of Book {n}\r\n\r\nTitle: Book {n}\r\n\r\n\
         *** START OF THE PROJECT GUTENBERG EBOOK BOOK {n} ***\r\n{body}\
         *** END OF THE PROJECT GUTENBERG EBOOK BOOK {n} ***\r\n\r\nThe licence.\r\n"
    )
}

/// Writes books `numbers` as `N-0.txt` into a mirror rooted at `root`.
pub fn write_mirror(root: &Path, numbers: impl IntoIterator<Item = u32>) {
    for n in numbers {
        let folder = book_folder(root, n);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{n}-0.txt")), raw_book(n)).unwrap();
    }
}

/// A manifest of `numbers` (with titles) at `path`.
pub fn write_manifest(path: &Path, numbers: impl IntoIterator<Item = u32>) {
    let mut csv = String::from("FileNumber,Title,author\n");
    for n in numbers {
        csv.push_str(&format!("{n},Book {n},Author {n}\n"));
    }
    std::fs::write(path, csv).unwrap();
}

/// Writes `books` as a mirror at `dir/mirror` and a manifest at `dir/m.csv`; returns the manifest.
pub fn mirror_and_manifest(dir: &super::TestDir, books: &[u32]) -> std::path::PathBuf {
    write_mirror(&dir.join("mirror"), books.iter().copied());
    let manifest = dir.join("m.csv");
    write_manifest(&manifest, books.iter().copied());
    manifest
}

/// Checks that `out` holds book `n` complete: its raw copy byte for byte and
/// the body between the markers as its clean text.
pub fn assert_book_complete(out: &Path, n: u32) {
    let raw = std::fs::read(out.join(format!("raw/{n}-0.txt"))).unwrap_or_else(|_| panic!("raw/{n}-0.txt exists"));
    assert!(raw == raw_book(n).as_bytes(), "raw/{n}-0.txt is the served file");
    let clean = std::fs::read_to_string(out.join(format!("{n}.txt"))).unwrap_or_else(|_| panic!("{n}.txt exists"));
    assert!(clean.starts_with(&format!("THE MADE-UP BOOK NUMBER {n}\n")), "{n}.txt starts with its body");
    let lines = 20 + (n as usize * 37) % 400;
    let last = format!("Line {} of book {n}: the quick brown fox jumps over the lazy dog.\n", lines - 1);
    assert!(clean.ends_with(&last), "{n}.txt ends with its last line");
    assert!(!clean.contains("START OF THE PROJECT") && !clean.contains("licence"), "{n}.txt is stripped");
}
