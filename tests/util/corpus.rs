//! The real Gutenberg texts the regression tests read: they stay outside the
//! repository, in the folder `GUTENFETCH_CORPUS` names (../shared/corpus on
//! every development machine and in CI). What the repository keeps about
//! each is facts, not text: `tests/corpus_facts.tsv` holds its SHA-256, the
//! lines where its book starts and ends, and the SHA-256 of its clean text.
//!
//! Tests that need the corpus carry
//! `#[cfg_attr(not(gutenfetch_corpus), ignore = "…")]` (build.rs sets the
//! cfg when the variable is set). Once set, a missing folder or a file the
//! facts name but the folder lacks fails the test: it never passes empty.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The folder of real texts: `GUTENFETCH_CORPUS` now, or as it was at build time.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("GUTENFETCH_CORPUS")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| option_env!("GUTENFETCH_CORPUS").map(PathBuf::from))
        .expect("GUTENFETCH_CORPUS names the folder of real texts (e.g. ../shared/corpus)");
    assert!(dir.is_dir(), "GUTENFETCH_CORPUS={} is not a folder", dir.display());
    dir
}

/// The facts file, beside the tests.
pub fn facts_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus_facts.tsv")
}

/// What is known of one real text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub name: String,
    pub sha256: String,
    /// 1-based lines of the raw file holding the clean text's first and last
    /// non-blank lines (0: not found as a raw line, e.g. a rewrapped title).
    pub first_line: usize,
    pub last_line: usize,
    pub clean_sha256: String,
}

pub const FACTS_HEADER: &str = "# file\tsha256\tbody_first_line\tbody_last_line\tclean_sha256\n";

impl Fact {
    pub fn to_line(&self) -> String {
        let Fact { name, sha256, first_line, last_line, clean_sha256 } = self;
        format!("{name}\t{sha256}\t{first_line}\t{last_line}\t{clean_sha256}\n")
    }
}

/// The committed facts, in file-name order.
pub fn facts() -> Vec<Fact> {
    let text = std::fs::read_to_string(facts_path()).expect("tests/corpus_facts.tsv");
    let parse = |(i, line): (usize, &str)| {
        let f: Vec<&str> = line.split('\t').collect();
        let number = |s: &str| s.parse().unwrap_or_else(|_| panic!("corpus_facts.tsv line {}: {s:?}", i + 1));
        assert_eq!(f.len(), 5, "corpus_facts.tsv line {}: five columns", i + 1);
        Fact {
            name: f[0].to_owned(),
            sha256: f[1].to_owned(),
            first_line: number(f[2]),
            last_line: number(f[3]),
            clean_sha256: f[4].to_owned(),
        }
    };
    text.lines().enumerate().filter(|(_, l)| !l.starts_with('#') && !l.is_empty()).map(parse).collect()
}

/// Every real text the facts name, read from the corpus folder; panics if
/// one is missing, so a thinner corpus cannot pass.
pub fn corpus_files() -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir();
    let facts = facts();
    assert!(!facts.is_empty(), "corpus_facts.tsv names no file");
    let read = |f: &Fact| {
        let path = dir.join(&f.name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{} is named by tests/corpus_facts.tsv but cannot be read: {e}", path.display())
        });
        (f.name.clone(), bytes)
    };
    facts.iter().map(read).collect()
}

/// One real text by name.
pub fn corpus_file(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `.txt` files in the corpus folder now, sorted.
pub fn txt_names_in_folder() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .map(|e| e.expect("dir entry").file_name().into_string().expect("UTF-8 name"))
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The 1-based raw lines where `clean` (the cleaned form of `raw`, decoded
/// from `encoding`) starts and ends: the first raw line from which its first
/// non-blank lines follow, and the last at which its last ones end.
pub fn body_lines(raw: &[u8], encoding: &str, clean: &str) -> (usize, usize) {
    let encoding = encoding_rs::Encoding::for_label(encoding.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
    let (decoded, _) = encoding.decode_with_bom_removal(raw);
    let unified = decoded.replace("\r\r\n", "\n").replace("\r\n", "\n").replace('\r', "\n");
    let raw_lines: Vec<&str> = unified.split('\n').collect();
    let lines: Vec<&str> = clean.lines().collect();
    let Some(f) = lines.iter().position(|l| !l.trim().is_empty()) else { return (0, 0) };
    let l = lines.iter().rposition(|l| !l.trim().is_empty()).unwrap();
    let head = &lines[f..lines.len().min(f + 3)];
    let tail = &lines[l + 1 - (l + 1 - f).min(3)..=l];
    let first = raw_lines.windows(head.len()).position(|w| w == head).map_or(0, |i| i + 1);
    let last = raw_lines.windows(tail.len()).rposition(|w| w == tail).map_or(0, |i| i + tail.len());
    (first, last)
}
