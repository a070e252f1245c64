//! The fixture mirror and manifest (`tests/fixtures/`), written by the
//! generator in `synth`: which synthetic book sits in which folder, under
//! which name and packing, and the distractors a real mirror has beside them.
//!
//! The tree is checked in so that `cargo test`, scripts/smoke.sh and the
//! README's try-it command need nothing beside the repository; the test
//! `synth_books::the_checked_in_fixtures_are_what_the_generator_writes`
//! keeps it equal to what this module writes. To write it again:
//! `cargo run --example fixture_mirror -- tests/fixtures`.
//!
//! Shared with `examples/fixture_mirror.rs` through `#[path]`: it needs
//! `synth` and `implode` beside it, nothing else of the test utilities.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use super::implode::implode_zip;
use super::synth::{Book, Charset, Era, LineEnd};

/// (ebook, the file in its folder that must be chosen, its raw copy's name),
/// in manifest order.
pub const FIXTURE_BOOKS: &[(u32, &str, &str)] = &[
    (418, "418.txt", "418.txt"),
    (11, "11-0.txt", "11-0.txt"),
    (43, "43-0.txt", "43-0.txt"),
    (84, "84-0.txt", "84-0.txt"),
    (98, "98-0.txt", "98-0.txt"),
    (135, "135.zip", "135.zip"),
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

/// The synthetic book served for fixture ebook `n`: an era, charset and
/// line-end form each, so that together they cover every one.
pub fn fixture_book(n: u32) -> Book {
    use Charset::*;
    use Era::*;
    use LineEnd::*;
    let (era, charset, line_end, paragraphs) = match n {
        418 => (Licence2004, Windows1252, CrLf, 10),
        11 => (Release2020, Utf8Bom, CrLf, 12),
        // Larger than the byte offsets where the fault tests cut it (10 000).
        43 => (Release2020, Utf8, Lf, 90),
        84 => (Release2020, Utf8Bom, CrLf, 14),
        98 => (Short2023, Utf8Bom, CrCrLf, 10),
        135 => (Licence2004, Latin1, CrLf, 8),
        1013 => (Licence2004, Utf8SaysAscii, CrLf, 8),
        1080 => (Short2023, Utf8, CrLf, 6),
        1342 => (Short2023, Utf8, CrCrLf, 12),
        10026 => (WrappedStart, Utf8SaysAscii, CrLf, 10),
        10028 => (Volunteers, Latin1, CrLf, 10),
        10089 => (SmallPrint, Latin1, CrLf, 10),
        10509 => (Licence2004, Windows1252SaysUtf8, CrCrLf, 10),
        22367 => (German, Latin1, CrLf, 10),
        24675 => (French, Latin1, Lf, 10),
        33956 => (Licence2004, Utf8, CrLf, 8),
        35190 => (SmallPrintClosingLine, Windows1252, CrLf, 8),
        35589 => (WrappedStart, Utf8, CrCrLf, 10),
        36261 => (Release2020, Utf8, Lf, 10),
        38003 => (SmallPrintClosingLine, Utf8SaysAscii, Lf, 8),
        69030 => (Release2020, Utf8, Lf, 8),
        _ => panic!("ebook {n} is not a fixture book"),
    };
    Book::new(n, era, charset, line_end, paragraphs)
}

/// A synthetic stand-in for a book the fixture mirror lacks (the smoke run
/// puts some beside the mirror for the default manifest's books).
pub fn stand_in(n: u32) -> Book {
    Book::new(n, Era::Release2020, Charset::Utf8, LineEnd::CrLf, 6)
}

/// The clean text gutenfetch must write for ebook `n`: a fixture book's or a stand-in's body.
pub fn expected_body(n: u32) -> String {
    match FIXTURE_BOOKS.iter().any(|&(f, _, _)| f == n) {
        true => fixture_book(n).body(),
        false => stand_in(n).body(),
    }
}

/// Zip-only folders: the packing of each zipped fixture book.
fn zip_method(n: u32) -> Option<zip::CompressionMethod> {
    match n {
        135 => Some(zip::CompressionMethod::Stored),
        36261 => Some(zip::CompressionMethod::Deflated),
        10089 => Some(zip::CompressionMethod::Implode),
        _ => None,
    }
}

/// The folder of ebook `n` inside a mirror root (`4/1/418`, `0/7`).
pub fn book_folder(root: &Path, n: u32) -> PathBuf {
    let digits = n.to_string();
    let mut folder = root.to_owned();
    if digits.len() == 1 {
        folder.push("0");
    }
    for d in digits[..digits.len() - 1].chars() {
        folder.push(d.to_string());
    }
    folder.join(&digits)
}

/// A zip holding `name`, packed with `method`, dated so its bytes never change.
pub fn zip_of(name: &str, data: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
    if method == zip::CompressionMethod::Implode {
        return implode_zip(name, data);
    }
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let when = zip::DateTime::from_date_and_time(2011, 5, 1, 0, 0, 0).unwrap();
    let options = zip::write::SimpleFileOptions::default().compression_method(method).last_modified_time(when);
    writer.start_file(name, options).unwrap();
    writer.write_all(data).unwrap();
    writer.finish().unwrap().into_inner()
}

/// The bytes the mirror serves for fixture ebook `n` (its text, or its zip).
pub fn served_bytes(n: u32) -> Vec<u8> {
    let raw = fixture_book(n).raw();
    match zip_method(n) {
        Some(method) => zip_of(&format!("{n}.txt"), &raw, method),
        None => raw,
    }
}

const README: &str = "# Fixture mirror

A small Project Gutenberg mirror in the real folder layout (ebook 418 in `4/1/418/`),
used by the tests, scripts/smoke.sh and the README's try-it command. Every text is a
synthetic book written by `tests/util/synth.rs` (the project's own words inside the
markers of one Gutenberg era each); `tests/util/synth_mirror.rs` says which book is
where. Do not edit by hand: `cargo run --example fixture_mirror -- tests/fixtures`
writes this folder and `../manifest.csv` again, and a test checks they match.

Names as a mirror gives them: `N-0.txt` UTF-8, `N-8.txt` 8-bit, `N.txt` anything older.

Other layouts a real mirror has:
- `1/0/0/8/10089/10089.zip`: a zip-only folder, the zip compressed with the legacy Implode
  method (written by `tests/util/implode.rs`; Info-ZIP `unzip` reads it too);
- `3/6/2/6/36261/36261.zip`: a zip-only folder, Deflate;
- `1/3/135/135.zip`: a zip-only folder, Stored;
- `1/0/1/1013/old/1013.txt`: a folder with no text of its own, only an `old/` subfolder;
- `cache/epub/43/pg43.txt`, `cache/epub/22367/pg22367.txt`: the generated collection
  (`--layout generated`); the second is a UTF-8 version of 22367 (header cut).

Distractors that must never be chosen:
- `4/1/418/418.txt.19960101`: a superseded copy (a 1996 Small Print edition);
- `4/1/418/418-h/`, `1/6/7/1670/1670-h/`: HTML editions;
- `1/11/11.txt`: an older edition beside the preferred `11-0.txt`;
- `1/6/7/1670/`: a folder with no plain text at all.
";

fn html(title: &str) -> Vec<u8> {
    format!("<html><head><title>{title}</title></head><body><p>An HTML edition.</p></body></html>\n").into_bytes()
}

/// Every file of the mirror: its path under the root, and its bytes.
pub fn mirror_files() -> Vec<(String, Vec<u8>)> {
    let root = Path::new("");
    let mut files: Vec<(String, Vec<u8>)> = FIXTURE_BOOKS
        .iter()
        .map(|&(n, served, _)| (book_folder(root, n).join(served).to_str().unwrap().to_owned(), served_bytes(n)))
        .collect();
    let superseded = Book::new(418, Era::SmallPrint, Charset::Latin1, LineEnd::CrLf, 9).raw();
    let older_11 = Book::new(11, Era::SmallPrint, Charset::Windows1252, LineEnd::CrLf, 9).raw();
    let kafka_utf8 = Book::new(22367, Era::German, Charset::Utf8, LineEnd::Lf, 10).raw();
    let start = kafka_utf8.windows(9).position(|w| w == b"*** START").unwrap();
    files.extend([
        ("4/1/418/418.txt.19960101".to_owned(), superseded),
        ("4/1/418/418-h/418-h.htm".to_owned(), html("418")),
        ("1/11/11.txt".to_owned(), older_11),
        ("1/6/7/1670/1670-h/1670-h.htm".to_owned(), html("1670")),
        ("cache/epub/43/pg43.txt".to_owned(), served_bytes(43)),
        ("cache/epub/22367/pg22367.txt".to_owned(), kafka_utf8[start..].to_vec()),
        ("README.md".to_owned(), README.as_bytes().to_vec()),
    ]);
    files.sort();
    files
}

/// The manifest of every fixture book, columns in an unusual order as users' files have.
pub fn manifest() -> String {
    let mut csv = String::from("author,FileNumber,Title\n");
    for &(n, _, _) in FIXTURE_BOOKS {
        let book = fixture_book(n);
        csv.push_str(&format!("{},{n},{}\n", book.author(), book.title()));
    }
    csv
}

/// Writes `dir/mirror/…` and `dir/manifest.csv`, replacing any mirror there.
pub fn write_fixtures(dir: &Path) -> std::io::Result<()> {
    let mirror = dir.join("mirror");
    if mirror.exists() {
        std::fs::remove_dir_all(&mirror)?;
    }
    for (path, bytes) in mirror_files() {
        let path = mirror.join(path);
        std::fs::create_dir_all(path.parent().unwrap())?;
        std::fs::write(path, bytes)?;
    }
    std::fs::write(dir.join("manifest.csv"), manifest())
}
