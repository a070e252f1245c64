//! Finds a book's file on the mirror with as few requests as the mirror
//! allows, the same way over every transport.
//!
//! `N-0.txt` is both the first choice and what most books have, so it is
//! asked for before anything else: one request for most books. Only when it
//! is missing does the folder's listing (or, without one, probing each name
//! in preference order) decide, then the `old/` subfolder.

use std::path::Path;

use tokio::fs::File;
use tokio::io::BufWriter;

use super::error::{BookError, Stage};
use super::sink::BodySink;
use super::{Fetched, Limits, Listing, Session};
use crate::atomic_file::PartFile;
use crate::ebook::EbookNumber;
use crate::layout::{folder_candidates, generated_candidate, listed_candidates, old_candidates, Candidate, Packing};
use crate::mirror::Layout;

/// Finds and downloads the book's file into `raw_dir`.
pub async fn fetch_book(
    session: &mut Session<'_>,
    number: EbookNumber,
    layout: Layout,
    raw_dir: &Path,
    limits: &Limits,
) -> Result<Fetched, BookError> {
    let mut attempt = Attempt { session, raw_dir, limits };
    if layout == Layout::Generated {
        let candidate = generated_candidate(number);
        return match attempt.get(&candidate).await? {
            Some(fetched) => Ok(fetched),
            None => Err(BookError::permanent(Stage::Resolve, format!("{} not found on the mirror", candidate.path))
                .at(Some(attempt.session.url_of(&candidate.path)))),
        };
    }

    let folder = number.folder();
    let folder_url = Some(attempt.session.url_of(&folder));
    let own = folder_candidates(number);
    if let Some(fetched) = attempt.get(&own[0]).await? {
        return Ok(fetched);
    }
    let rest = match attempt.session.list(&folder).await.map_err(|e| e.at(folder_url.clone()))? {
        Listing::Names(names) => listed_candidates(number, names.iter().map(String::as_str)),
        Listing::Unavailable => own.clone(),
        Listing::Missing => {
            let message = format!("folder {folder} not found on the mirror");
            return Err(BookError::permanent(Stage::Resolve, message).at(folder_url));
        }
    };
    if let Some(fetched) = attempt.first_of(rest.iter().filter(|c| **c != own[0])).await? {
        return Ok(fetched);
    }
    let old_folder = format!("{folder}old/");
    let old = match attempt.session.list(&old_folder).await.map_err(|e| e.at(folder_url.clone()))? {
        Listing::Names(names) => old_candidates(number, Some(&names)),
        Listing::Unavailable => old_candidates(number, None),
        Listing::Missing => Vec::new(),
    };
    if let Some(fetched) = attempt.first_of(old.iter()).await? {
        return Ok(fetched);
    }
    let message = format!("no plain-text file in {folder} or {old_folder} (no N-0.txt, N-8.txt, N.txt or their zips)");
    Err(BookError::permanent(Stage::Resolve, message).at(folder_url))
}

/// Requests of one book, all into `raw_dir`.
struct Attempt<'s, 'a> {
    session: &'s mut Session<'a>,
    raw_dir: &'s Path,
    limits: &'s Limits,
}

impl Attempt<'_, '_> {
    async fn first_of(&mut self, candidates: impl Iterator<Item = &Candidate>) -> Result<Option<Fetched>, BookError> {
        for candidate in candidates {
            if let Some(fetched) = self.get(candidate).await? {
                return Ok(Some(fetched));
            }
        }
        Ok(None)
    }

    /// Downloads `candidate` to its raw path; `None` when the mirror has no such file.
    async fn get(&mut self, candidate: &Candidate) -> Result<Option<Fetched>, BookError> {
        let url = self.session.url_of(&candidate.path);
        let raw_path = self.raw_dir.join(&candidate.local_name);
        let write_error =
            |err: std::io::Error| BookError::permanent(Stage::Write, format!("{}: {err}", raw_path.display()));
        let mut part = PartFile::beside(&raw_path).map_err(write_error)?;
        let sink: BodySink<'_, BufWriter<File>> =
            BodySink::new(part.writer(), self.limits.max_size, candidate.packing == Packing::Plain);
        let Some(bytes) = self.session.get(&candidate.path, sink).await.map_err(|e| e.at(Some(url.clone())))? else {
            return Ok(None);
        };
        part.commit(&raw_path).await.map_err(|e| write_error(e).at(Some(url.clone())))?;
        Ok(Some(Fetched { candidate: candidate.clone(), url, raw_path, bytes }))
    }
}
