//! Which file in a book's folder is the plain text.
//!
//! A folder listing comes from the server and is untrusted: its names are only
//! compared with the names built here from the ebook number, never used as
//! paths. So a listing entry like `../../etc/passwd` can match nothing.

use crate::ebook::EbookNumber;

/// The flavours of plain text a folder may hold, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextKind {
    /// `N-0.txt`: UTF-8.
    Utf8,
    /// `N-8.txt`: an 8-bit charset, often ISO-8859-1. Preferred over `N.txt`,
    /// which is sometimes an accent-stripped rendering of the same book.
    EightBit,
    /// `N.txt`: ASCII.
    Ascii,
}

impl TextKind {
    pub const PREFERENCE: [TextKind; 3] = [TextKind::Utf8, TextKind::EightBit, TextKind::Ascii];

    fn suffix(self) -> &'static str {
        match self {
            TextKind::Utf8 => "-0.txt",
            TextKind::EightBit => "-8.txt",
            TextKind::Ascii => ".txt",
        }
    }
}

/// The plain-text file chosen for a book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextFile {
    /// File name inside the book's folder, built from the ebook number.
    pub name: String,
    pub kind: TextKind,
}

impl TextFile {
    pub fn new(number: EbookNumber, kind: TextKind) -> Self {
        TextFile { name: format!("{number}{}", kind.suffix()), kind }
    }
}

/// Picks the preferred plain-text file among the entries of a folder listing.
///
/// Entries may be bare names (`418.txt`) or paths (`4/1/418/418.txt`, as some
/// servers answer NLST with a path); only the last component is compared.
/// Superseded copies (`418.txt.20030101`), HTML folders and other formats
/// never match.
pub fn choose_text_file<'a>(number: EbookNumber, listing: impl IntoIterator<Item = &'a str>) -> Option<TextFile> {
    let names: Vec<&str> = listing.into_iter().map(last_component).collect();
    TextKind::PREFERENCE
        .into_iter()
        .map(|kind| TextFile::new(number, kind))
        .find(|file| names.contains(&file.name.as_str()))
}

fn last_component(entry: &str) -> &str {
    let entry = entry.trim_end_matches(['\r', '\n']);
    let entry = entry.strip_suffix('/').unwrap_or(entry);
    entry.rsplit('/').next().unwrap_or(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(n: u32, listing: &[&str]) -> Option<String> {
        let number = EbookNumber::parse(&n.to_string()).unwrap();
        choose_text_file(number, listing.iter().copied()).map(|f| f.name)
    }

    #[test]
    fn prefers_utf8_then_eight_bit_then_ascii() {
        let all = ["418.txt", "418-8.txt", "418-0.txt", "418-h", "418.zip"];
        assert_eq!(choose(418, &all).as_deref(), Some("418-0.txt"));
        assert_eq!(choose(418, &all[..2]).as_deref(), Some("418-8.txt"));
        assert_eq!(choose(418, &all[..1]).as_deref(), Some("418.txt"));
    }

    #[test]
    fn ignores_superseded_copies_other_books_and_formats() {
        let listing = ["418.txt.20030101", "4180.txt", "41-0.txt", "418-h", "418-0.zip", "418.epub"];
        assert_eq!(choose(418, &listing), None);
    }

    #[test]
    fn accepts_path_entries_but_matches_only_the_name() {
        assert_eq!(choose(418, &["4/1/418/418-8.txt\r"]).as_deref(), Some("418-8.txt"));
        assert_eq!(choose(418, &["./418.txt"]).as_deref(), Some("418.txt"));
        // A hostile entry can only ever match a name we built ourselves.
        assert_eq!(choose(418, &["../../418-0.txt"]).as_deref(), Some("418-0.txt"));
        assert_eq!(choose(418, &["../../etc/passwd", "418-0.txt\0"]), None);
    }
}
