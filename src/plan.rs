//! Decides what each book needs, from what the output folder already holds,
//! so a re-run finishes what is missing and redoes nothing that is complete.

use std::path::{Path, PathBuf};

use crate::layout::raw_names;
use crate::manifest::Book;

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
}

/// What one book needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Its clean text exists: nothing to do.
    Skip,
    /// Its raw copy exists but not its clean text: clean again, no download.
    Reclean(PathBuf),
    Fetch,
}

/// The step for `book`; with `force` every book is fetched again.
pub fn step_for(book: &Book, out: &OutputLayout, force: bool) -> Step {
    if force {
        return Step::Fetch;
    }
    if out.clean_path(book).is_file() {
        return Step::Skip;
    }
    raw_names(book.number)
        .into_iter()
        .map(|name| out.raw_dir.join(name))
        .find(|path| path.is_file())
        .map_or(Step::Fetch, Step::Reclean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ebook::EbookNumber;

    #[test]
    fn steps_follow_what_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputLayout::new(dir.path());
        std::fs::create_dir_all(&out.raw_dir).unwrap();
        let number = EbookNumber::parse("418").unwrap();
        let book = Book { number, title: None, author: None, language: None, line: 2, row: 0 };

        assert_eq!(step_for(&book, &out, false), Step::Fetch);
        std::fs::write(out.raw_dir.join("418.txt"), "raw").unwrap();
        std::fs::write(out.raw_dir.join("418-8.txt"), "raw").unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Reclean(out.raw_dir.join("418-8.txt")));
        std::fs::write(out.clean_path(&book), "clean").unwrap();
        assert_eq!(step_for(&book, &out, false), Step::Skip);
        assert_eq!(step_for(&book, &out, true), Step::Fetch);
    }
}
