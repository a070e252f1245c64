//! Decides what each book needs, from what the output folder already holds,
//! so a re-run finishes what is missing and redoes nothing that is complete;
//! with `--update`, a complete book is checked against the mirror instead,
//! from what its provenance record says of its copy.
//!
//! A book is complete when both halves of the output contract are there:
//! `OUT/<N>.txt` and a usable raw copy in `OUT/raw/`. A raw copy is usable
//! when it can be cleaned: a `.txt` that is not empty and not an HTML page,
//! or a `.zip` whose central directory opens and names a `.txt` entry. The
//! checks read a few hundred bytes per book, never a whole file.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::atomic_file;
use crate::fetch::Known;
use crate::html::{looks_like_html, SNIFF_LEN};
use crate::layout::raw_names;
use crate::manifest::Book;
use crate::outcome::CopyNote;
use crate::unzip::check_holds_text;

/// Where a run writes: `OUT/<N>.txt` and `OUT/raw/<file name>`.
#[derive(Clone, Debug)]
pub struct OutputLayout {
    pub dir: PathBuf,
    pub raw_dir: PathBuf,
}

impl OutputLayout {
    pub fn new(dir: &Path) -> Self {
        OutputLayout { dir: dir.to_owned(), raw_dir: dir.join("raw") }
    }

    pub fn clean_path(&self, book: &Book) -> PathBuf {
        self.dir.join(format!("{}.txt", book.number))
    }

    /// Creates both folders and removes the temporary files a killed run left in them.
    pub fn prepare(&self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.raw_dir)
            .with_context(|| format!("cannot create output folder {}", self.raw_dir.display()))?;
        let records = self.dir.join(crate::provenance::FOLDER);
        for dir in [&self.dir, &self.raw_dir, &records] {
            if dir.is_dir() {
                remove_stale(dir)?;
            }
        }
        Ok(())
    }
}

/// Removes the temporary files that killed runs left in `dir`, saying how many.
pub fn remove_stale(dir: &Path) -> anyhow::Result<()> {
    let removed = atomic_file::remove_stale(dir)
        .with_context(|| format!("cannot clear stale temporary files in {}", dir.display()))?;
    if removed > 0 {
        tracing::info!("removed {removed} temporary files a killed run left in {}", dir.display());
    }
    Ok(())
}

/// What one book needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Its clean text and a usable raw copy are there: nothing to do.
    Skip { raw_path: PathBuf },
    /// A usable raw copy is there but not the clean text: clean it again, no download.
    Reclean(PathBuf),
    /// Fetch it (and clean what was fetched).
    Fetch(Why),
    /// `--update`: it is complete; ask the mirror whether its file changed.
    Recheck(Box<Recheck>),
}

/// What `--update` knows of a complete book's copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recheck {
    pub raw_path: PathBuf,
    pub known: Known,
    /// The copy as its report entry describes it, should it be replaced.
    pub old: CopyNote,
    /// Why it is compared by size alone, when it is.
    pub by_size: Option<String>,
}

/// With `--update`, a complete book is rechecked instead of skipped, from
/// its provenance record when that still describes its copy and comes from
/// the mirror at `mirror_root`.
pub fn update_step(step: Step, book: &Book, out: &OutputLayout, mirror_root: &str) -> Step {
    let Step::Skip { raw_path } = step else { return step };
    let (known, recorded) = crate::provenance::known(&out.dir, book.number, &raw_path, mirror_root);
    let (sha256, by_size) = match recorded {
        Ok(sha256) => (Some(sha256), None),
        Err(why) => (None, Some(why)),
    };
    let old = CopyNote {
        file: known.path.clone(),
        size: known.version.size.unwrap_or(0),
        sha256,
        version: known.version.clone(),
    };
    Step::Recheck(Box::new(Recheck { raw_path, known, old, by_size }))
}

/// Why a book is fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// Nothing of it is in the output folder.
    Missing,
    /// `--force`.
    Forced,
    /// Its clean text is there but no raw copy: a fresh run would have both.
    NoRawCopy,
    /// Its raw copies cannot be cleaned (each with the reason); they are of
    /// no use, and are removed before the book is fetched again.
    Unusable(Vec<(PathBuf, String)>),
}

/// The step for `book`; with `force` every book is fetched again.
pub fn step_for(book: &Book, out: &OutputLayout, force: bool) -> Step {
    if force {
        return Step::Fetch(Why::Forced);
    }
    let mut unusable = Vec::new();
    let mut usable = None;
    for path in raw_names(book.number).into_iter().map(|name| out.raw_dir.join(name)) {
        match check_raw_copy(&path) {
            RawCopy::Absent => continue,
            RawCopy::Usable => {
                usable = Some(path);
                break;
            }
            RawCopy::Unusable(why) => unusable.push((path, why)),
        }
    }
    let has_clean = out.clean_path(book).is_file();
    match usable {
        Some(raw_path) if has_clean => Step::Skip { raw_path },
        Some(raw_path) => Step::Reclean(raw_path),
        None if !unusable.is_empty() => Step::Fetch(Why::Unusable(unusable)),
        None if has_clean => Step::Fetch(Why::NoRawCopy),
        None => Step::Fetch(Why::Missing),
    }
}

/// What a raw copy on disk is good for.
#[derive(Debug, PartialEq, Eq)]
enum RawCopy {
    /// No regular file by that name.
    Absent,
    Usable,
    Unusable(String),
}

fn check_raw_copy(path: &Path) -> RawCopy {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        _ => return RawCopy::Absent,
    }
    // Opened while transfers may hold every descriptor: a copy that could
    // not be opened for that is not unusable (it would be removed).
    let opened =
        crate::retry::waiting_for_descriptors(crate::fetch::error::out_of_descriptors, || std::fs::File::open(path));
    let checked = opened.map_err(|err| format!("cannot be read: {err}")).and_then(|file| {
        if path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("zip")) {
            check_holds_text(std::io::BufReader::new(file))
        } else {
            check_text(file)
        }
    });
    match checked {
        Ok(()) => RawCopy::Usable,
        Err(why) => RawCopy::Unusable(why),
    }
}

fn check_text(file: std::fs::File) -> Result<(), String> {
    let mut start = Vec::new();
    file.take(SNIFF_LEN as u64).read_to_end(&mut start).map_err(|err| format!("cannot be read: {err}"))?;
    if start.is_empty() {
        Err("it is empty".to_owned())
    } else if looks_like_html(&start) {
        Err("it is an HTML page, not the text".to_owned())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ebook::EbookNumber;

    fn setup() -> (tempfile::TempDir, OutputLayout, Book) {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputLayout::new(dir.path());
        std::fs::create_dir_all(&out.raw_dir).unwrap();
        let number = EbookNumber::parse("418").unwrap();
        let book = Book::new(number, 2, 0);
        (dir, out, book)
    }

    fn zip_with(name: &str) -> Vec<u8> {
        use std::io::Write;
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(b"the text").unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn steps_follow_what_is_on_disk() {
        let (_dir, out, book) = setup();
        assert_eq!(step_for(&book, &out, false), Step::Fetch(Why::Missing));
        std::fs::write(out.raw_dir.join("418.txt"), "raw").unwrap();
        std::fs::write(out.raw_dir.join("418-8.txt"), "raw").unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Reclean(out.raw_dir.join("418-8.txt")));
        std::fs::write(out.clean_path(&book), "clean").unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Skip { raw_path: out.raw_dir.join("418-8.txt") });
        assert_eq!(step_for(&book, &out, true), Step::Fetch(Why::Forced));
    }

    #[test]
    fn a_clean_text_without_its_raw_copy_is_fetched_again() {
        let (_dir, out, book) = setup();
        std::fs::write(out.clean_path(&book), "clean").unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Fetch(Why::NoRawCopy));
        std::fs::create_dir(out.raw_dir.join("418.txt")).unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Fetch(Why::NoRawCopy), "a folder is not a raw copy");
    }

    #[test]
    fn unusable_raw_copies_are_fetched_again_and_a_usable_one_wins() {
        let (_dir, out, book) = setup();
        std::fs::write(out.raw_dir.join("418-0.txt"), "").unwrap();
        std::fs::write(out.raw_dir.join("418-8.txt"), "\n<!DOCTYPE html><html>captcha</html>").unwrap();
        let good_zip = zip_with("418.txt");
        std::fs::write(out.raw_dir.join("418.zip"), &good_zip[..good_zip.len() - 30]).unwrap();
        std::fs::write(out.raw_dir.join("418-0.zip"), zip_with("418.htm")).unwrap();
        let Step::Fetch(Why::Unusable(found)) = step_for(&book, &out, false) else { panic!("not a fetch") };
        let names: Vec<String> =
            found.iter().map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["418-0.txt", "418-8.txt", "418-0.zip", "418.zip"]);
        let why: Vec<&str> = found.iter().map(|(_, why)| why.as_str()).collect();
        assert_eq!(why[..2], ["it is empty", "it is an HTML page, not the text"]);
        assert!(why[2].contains("no .txt") && why[3].contains("not a readable zip"), "{why:?}");

        std::fs::write(out.raw_dir.join("418-old.zip"), zip_with("gwork10.txt")).unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Reclean(out.raw_dir.join("418-old.zip")));
    }

    #[test]
    fn prepare_makes_both_folders_and_clears_dead_runs_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputLayout::new(&dir.path().join("out"));
        out.prepare().unwrap();
        let stale = out.raw_dir.join(format!("{}4194305-x{}", atomic_file::TEMP_PREFIX, atomic_file::TEMP_SUFFIX));
        std::fs::write(&stale, "half").unwrap();
        out.prepare().unwrap();
        assert!(out.raw_dir.is_dir() && !stale.exists());
    }
}
