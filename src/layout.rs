//! Which files on a mirror may hold a book, best first.
//!
//! A folder listing comes from the server and is untrusted. Names built here
//! from the ebook number are only compared with it. The one place a listed
//! name is requested as is (an old-style name like `gwork10.txt` in `old/`),
//! it must pass [`is_safe_name`], and it still never becomes a local file
//! name: the raw copy is saved under a name built from the ebook number.

use crate::ebook::EbookNumber;

/// How a candidate file holds the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packing {
    Plain,
    /// A zip archive with the text inside.
    Zip,
}

/// A file that may hold the book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Path relative to the mirror root, e.g. `4/1/418/418-0.txt`.
    pub path: String,
    /// Name of the raw copy under `OUT/raw/`, always built from the number.
    pub local_name: String,
    pub packing: Packing,
}

/// The suffixes of a folder's own files, best first: UTF-8, then 8-bit (often
/// better than the plain `N.txt`, which is sometimes accent-stripped), then
/// ASCII; texts before their zips.
const OWN_SUFFIXES: [(&str, Packing); 6] = [
    ("-0.txt", Packing::Plain),
    ("-8.txt", Packing::Plain),
    (".txt", Packing::Plain),
    ("-0.zip", Packing::Zip),
    ("-8.zip", Packing::Zip),
    (".zip", Packing::Zip),
];

/// The names of the book's own files in preference order.
fn own_names(number: EbookNumber) -> impl Iterator<Item = (String, Packing)> {
    OWN_SUFFIXES.into_iter().map(move |(suffix, packing)| (format!("{number}{suffix}"), packing))
}

/// Every candidate in the book's folder, best first: what to probe when the
/// server gives no listing.
pub fn folder_candidates(number: EbookNumber) -> Vec<Candidate> {
    in_folder(&number.folder(), own_names(number))
}

/// The candidates a folder listing shows, best first.
pub fn listed_candidates<'a>(number: EbookNumber, listing: impl IntoIterator<Item = &'a str>) -> Vec<Candidate> {
    let names: Vec<&str> = listing.into_iter().map(last_component).collect();
    in_folder(&number.folder(), own_names(number).filter(|(name, _)| names.contains(&name.as_str())))
}

/// Candidates in the folder's `old/` subfolder: its own names first, then,
/// when there is a listing, any other safely named text or zip (old-style
/// names such as `gwork10.txt`), the highest version first.
pub fn old_candidates(number: EbookNumber, listing: Option<&[String]>) -> Vec<Candidate> {
    let old = format!("{}old/", number.folder());
    let Some(listing) = listing else {
        return in_folder(&old, own_names(number));
    };
    let names: Vec<&str> = listing.iter().map(|entry| last_component(entry)).collect();
    let mut candidates = in_folder(&old, own_names(number).filter(|(name, _)| names.contains(&name.as_str())));
    // An entry that points elsewhere (`../x.txt`) is not a file of this folder.
    let mut others: Vec<(&str, Packing)> = listing
        .iter()
        .filter(|entry| !entry.contains(".."))
        .map(|entry| last_component(entry))
        .filter(|name| is_safe_name(name) && !candidates.iter().any(|c| c.path.ends_with(name)))
        .filter_map(|name| packing_of(name).map(|packing| (name, packing)))
        .collect();
    // Plain before zip; within each, the highest name (gwork11 over gwork10) first.
    others.sort_by(|a, b| (a.1 == Packing::Zip).cmp(&(b.1 == Packing::Zip)).then(b.0.cmp(a.0)));
    candidates.extend(others.into_iter().map(|(name, packing)| Candidate {
        path: format!("{old}{name}"),
        local_name: old_local_name(number, packing),
        packing,
    }));
    candidates
}

/// The one file of the generated collection: `cache/epub/N/pgN.txt`.
pub fn generated_candidate(number: EbookNumber) -> Candidate {
    Candidate {
        path: format!("cache/epub/{number}/pg{number}.txt"),
        local_name: format!("pg{number}.txt"),
        packing: Packing::Plain,
    }
}

/// Every raw-copy name a book can have under `OUT/raw/`, best first, so a
/// re-run can find what an earlier run downloaded.
pub fn raw_names(number: EbookNumber) -> Vec<String> {
    let mut names: Vec<String> = own_names(number).map(|(name, _)| name).collect();
    names.push(old_local_name(number, Packing::Plain));
    names.push(old_local_name(number, Packing::Zip));
    names.push(generated_candidate(number).local_name);
    names
}

/// Whether a name from a listing is safe to request: a plain file name, with
/// nothing that could climb out of the folder or upset a terminal.
pub fn is_safe_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && !name.starts_with('.')
        && !name.contains("..")
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn in_folder(folder: &str, names: impl Iterator<Item = (String, Packing)>) -> Vec<Candidate> {
    names.map(|(name, packing)| Candidate { path: format!("{folder}{name}"), local_name: name, packing }).collect()
}

fn old_local_name(number: EbookNumber, packing: Packing) -> String {
    match packing {
        Packing::Plain => format!("{number}-old.txt"),
        Packing::Zip => format!("{number}-old.zip"),
    }
}

/// `.txt` or `.zip`, whatever the case; superseded copies (`x.txt.2003`) are neither.
pub fn packing_of(name: &str) -> Option<Packing> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".txt") {
        Some(Packing::Plain)
    } else if lower.ends_with(".zip") {
        Some(Packing::Zip)
    } else {
        None
    }
}

/// The file name of a listing entry: some servers answer NLST with paths.
fn last_component(entry: &str) -> &str {
    let entry = entry.trim_end_matches(['\r', '\n']);
    let entry = entry.strip_suffix('/').unwrap_or(entry);
    entry.rsplit('/').next().unwrap_or(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: u32) -> EbookNumber {
        EbookNumber::parse(&value.to_string()).unwrap()
    }

    fn paths(candidates: &[Candidate]) -> Vec<&str> {
        candidates.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn texts_come_before_zips_utf8_before_eight_bit_before_ascii() {
        let listing = ["418.zip", "418.txt", "418-8.txt", "418-0.txt", "418-h", "418-0.zip"];
        assert_eq!(
            paths(&listed_candidates(n(418), listing)),
            ["4/1/418/418-0.txt", "4/1/418/418-8.txt", "4/1/418/418.txt", "4/1/418/418-0.zip", "4/1/418/418.zip"]
        );
        assert_eq!(folder_candidates(n(7)).len(), 6);
        assert_eq!(folder_candidates(n(7))[0].path, "0/7/7-0.txt");
    }

    #[test]
    fn superseded_copies_other_books_and_formats_never_match() {
        let listing = ["418.txt.20030101", "4180.txt", "41-0.txt", "418-h", "418.epub", "418-0.txt.bak"];
        assert!(listed_candidates(n(418), listing).is_empty());
    }

    #[test]
    fn path_entries_match_by_name_only() {
        let c = listed_candidates(n(418), ["4/1/418/418-8.txt\r", "./418.txt"]);
        assert_eq!(paths(&c), ["4/1/418/418-8.txt", "4/1/418/418.txt"]);
        // A hostile entry can only ever select a name built here.
        assert_eq!(paths(&listed_candidates(n(418), ["../../418-0.txt"])), ["4/1/418/418-0.txt"]);
        assert!(listed_candidates(n(418), ["../../etc/passwd", "418-0.txt\0"]).is_empty());
    }

    #[test]
    fn old_folder_prefers_own_names_then_the_newest_old_style_text() {
        let listing: Vec<String> = [
            "gwork10.zip",
            "gwork10.txt",
            "gwork11.txt",
            "../x.txt",
            ".hidden.txt",
            "notes.doc",
            "418.txt",
            "a\x1b.txt",
        ]
        .map(String::from)
        .to_vec();
        let c = old_candidates(n(418), Some(&listing));
        assert_eq!(
            paths(&c),
            ["4/1/418/old/418.txt", "4/1/418/old/gwork11.txt", "4/1/418/old/gwork10.txt", "4/1/418/old/gwork10.zip"]
        );
        let locals: Vec<&str> = c.iter().map(|c| c.local_name.as_str()).collect();
        assert_eq!(locals, ["418.txt", "418-old.txt", "418-old.txt", "418-old.zip"]);
        assert_eq!(old_candidates(n(418), None).len(), 6, "without a listing, probe the own names");
    }

    #[test]
    fn safe_names() {
        for good in ["gwork10.txt", "418-0.zip", "A_b.TXT"] {
            assert!(is_safe_name(good), "{good}");
        }
        for bad in ["", "..", "../x", "a/b", ".x", "a\0b", "a b", "ä.txt", "a\x1b[2J"] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn generated_layout_and_raw_names() {
        assert_eq!(generated_candidate(n(418)).path, "cache/epub/418/pg418.txt");
        let names = raw_names(n(11));
        assert_eq!(names.first().map(String::as_str), Some("11-0.txt"));
        assert!(names.contains(&"11-old.zip".to_owned()) && names.contains(&"pg11.txt".to_owned()));
    }
}
