//! Finds a book's file on the mirror with as few requests as the mirror
//! allows, the same way over every transport, retrying each request that
//! fails for a passing reason.
//!
//! Where a listing costs as much as a request for a file (HTTP, FTP without
//! STAT), `N-0.txt`, both the first choice and what most books have, is asked
//! for before anything else: one request for most books. Otherwise (FTP with
//! STAT, local mirrors) the folder is listed first: one round trip, then the
//! right file, whatever the folder holds. The listing (or, without one,
//! probing each name in preference order) decides, then the `old/` subfolder.
//! Each request is made, and retried, by the book's [`Attempt`].

use std::path::Path;

use super::attempt::{stopped, Attempt};
use super::error::{BookError, Stage};
use super::sink::Watcher;
use super::{root, Client, Fetched, Listing, Located, Session};
use crate::ebook::EbookNumber;
use crate::layout::{folder_candidates, generated_candidate, listed_candidates, old_candidates, Candidate};
use crate::mirror::Layout;

/// Whether a candidate was seen in the folder's listing, or is only a name
/// worth asking for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Listed {
    Yes,
    No,
}

/// Whether a listing entry is the `old/` subfolder (servers write it `old`, `old/`).
fn is_old_folder(entry: &str) -> bool {
    entry.trim_end_matches(['\r', '\n']).trim_end_matches('/').rsplit('/').next() == Some("old")
}

/// What to do with the file once found.
#[derive(Clone, Copy)]
pub enum Mode<'p> {
    /// Download it into this folder, telling the watcher how it goes.
    Download(&'p Path, Watcher<'p>, Commit),
    /// Only find it and ask its size (`--dry-run`): nothing is downloaded or written.
    Locate,
}

/// When a downloaded file takes its place in the raw folder.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// As soon as it is whole.
    Now,
    /// Only once its clean text is written too: the copy it replaces stays
    /// whole until then ([`Fetched::staged`]).
    AfterCleaning,
}

/// The file found for a book.
pub enum Found {
    Downloaded(Fetched),
    Located(Located),
    /// Asked for on condition, the copy on disk is current (HTTP 304).
    Current,
}

/// Finds the book's file and, in [`Mode::Download`], downloads it.
pub async fn find_book(
    client: &Client,
    session: &mut Session<'_>,
    number: EbookNumber,
    mode: Mode<'_>,
) -> Result<Found, BookError> {
    let mut attempt = Attempt::new(client, session, number, mode);
    let result = attempt.run().await;
    attempt.finished(result)
}

impl Attempt<'_, '_> {
    async fn run(&mut self) -> Result<Found, BookError> {
        match self.find().await? {
            Some(found) => Ok(found),
            None => {
                let (message, url) = self.missing.take().unwrap_or_default();
                Err(self.not_found(message, url).await)
            }
        }
    }

    /// The book's best file; `None` when the mirror has none (why is in `missing`).
    pub(super) async fn find(&mut self) -> Result<Option<Found>, BookError> {
        let number = self.number;
        if self.client.layout == Layout::Generated {
            let candidate = generated_candidate(number);
            let found = self.get(&candidate, Listed::No).await?;
            if found.is_none() {
                let url = Some(self.session.url_of(&candidate.path));
                self.missing = Some((format!("{} not found on the mirror", candidate.path), url));
            }
            return Ok(found);
        }

        let folder = number.folder();
        let folder_url = Some(self.session.url_of(&folder));
        let own = folder_candidates(number);
        let probed_first = !self.session.lists_cheaply();
        if probed_first {
            if let Some(found) = self.get(&own[0], Listed::No).await? {
                return Ok(Some(found));
            }
        }
        let (rest, listed, has_old) = match self.list(&folder).await.map_err(|e| e.at(folder_url.clone()))? {
            Listing::Names(names) => {
                let has_old = names.iter().any(|name| is_old_folder(name));
                (listed_candidates(number, names.iter().map(String::as_str)), Listed::Yes, has_old)
            }
            Listing::Unavailable => (own.clone(), Listed::No, true),
            Listing::Missing => {
                self.missing = Some((format!("folder {folder} not found on the mirror"), folder_url));
                return Ok(None);
            }
        };
        let rest = rest.iter().filter(|c| !(probed_first && **c == own[0]));
        if let Some(fetched) = self.first_of(rest, listed).await? {
            return Ok(Some(fetched));
        }
        let old_folder = format!("{folder}old/");
        // A listing that shows no `old/` spares asking for one.
        let old = if !has_old {
            Vec::new()
        } else {
            match self.list(&old_folder).await.map_err(|e| e.at(folder_url.clone()))? {
                Listing::Names(names) => old_candidates(number, Some(&names)),
                Listing::Unavailable => old_candidates(number, None),
                Listing::Missing => Vec::new(),
            }
        };
        // Names in old/ other than the book's own are guesses from the listing
        // (gwork10.txt), so a missing one only means: try the next.
        if let Some(fetched) = self.first_of(old.iter(), Listed::No).await? {
            return Ok(Some(fetched));
        }
        let message =
            format!("no plain-text file in {folder} or {old_folder} (no N-0.txt, N-8.txt, N.txt or their zips)");
        self.missing = Some((message, folder_url));
        Ok(None)
    }

    /// The book is not on the mirror. If it is the first book looked for and
    /// none has been found, the root is looked at once: a root that is not a
    /// Gutenberg tree stops the run rather than failing every book alike.
    pub(super) async fn not_found(&mut self, message: String, url: Option<String>) -> BookError {
        let error = BookError::permanent(Stage::Resolve, message).at(url);
        if !self.client.health().root_check_due() {
            return error;
        }
        match root::check(self.session).await {
            Some(stop) => stopped(error, self.client.health().stop(stop)),
            None => error,
        }
    }

    async fn first_of(
        &mut self,
        candidates: impl Iterator<Item = &Candidate>,
        listed: Listed,
    ) -> Result<Option<Found>, BookError> {
        for candidate in candidates {
            if let Some(fetched) = self.get(candidate, listed).await? {
                return Ok(Some(fetched));
            }
        }
        Ok(None)
    }

    /// Why the book was not found, after [`Attempt::find`] found nothing.
    pub(super) fn why_missing(&self) -> String {
        self.missing.as_ref().map_or_else(|| "no file of the book on the mirror".to_owned(), |(why, _)| why.clone())
    }
}
