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

use std::path::Path;
use std::time::Instant;

use super::error::{BookError, MirrorFault, Stage};
use super::health::{Stop, Waited};
use super::sink::{kept_sending_html, BodySink, Watcher};
use super::version::Validators;
use super::{root, Client, Fetched, Got, Listing, Located, Session};
use crate::atomic_file::PartFile;
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

/// The requests of one book.
pub(super) struct Attempt<'s, 'a> {
    pub(super) client: &'s Client,
    pub(super) session: &'s mut Session<'a>,
    pub(super) number: EbookNumber,
    pub(super) mode: Mode<'s>,
    /// Retries made so far, over all requests.
    retries: u32,
    /// Waits for a free file descriptor so far, over all requests: not retries.
    descriptor_waits: u32,
    /// Why the book was not found, when it was not.
    missing: Option<(String, Option<String>)>,
}

impl<'s, 'a> Attempt<'s, 'a> {
    pub(super) fn new(client: &'s Client, session: &'s mut Session<'a>, number: EbookNumber, mode: Mode<'s>) -> Self {
        Attempt { client, session, number, mode, retries: 0, descriptor_waits: 0, missing: None }
    }

    /// Counts the tries into the result.
    pub(super) fn finished<T: Tried>(&self, result: Result<T, BookError>) -> Result<T, BookError> {
        if result.as_ref().is_ok_and(Tried::found) {
            self.client.health().found_a_book();
        }
        let attempts = self.retries + 1;
        match result {
            Ok(found) => Ok(found.tried(attempts)),
            Err(error) => Err(BookError { attempts, ..error }),
        }
    }

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

    /// [`Session::list_versions`], retried.
    pub(super) async fn list_versions(&mut self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        let mut retry = 0;
        loop {
            let asked = Instant::now();
            match self.session.list_versions(folder).await {
                Ok(listed) => {
                    self.client.health().answered();
                    return Ok(listed);
                }
                Err(error) => {
                    let url = Some(self.session.url_of(folder));
                    self.wait_to_retry(error.at(url), &mut retry, asked).await?;
                }
            }
        }
    }

    /// [`Session::version_of`], retried.
    pub(super) async fn version_of(
        &mut self,
        candidate: &Candidate,
        known: &Validators,
    ) -> Result<Option<Validators>, BookError> {
        let mut retry = 0;
        loop {
            let asked = Instant::now();
            match self.session.version_of(&candidate.path, known).await {
                Ok(version) => {
                    self.client.health().answered();
                    return Ok(version);
                }
                Err(error) => {
                    let url = Some(self.session.url_of(&candidate.path));
                    self.wait_to_retry(error.at(url), &mut retry, asked).await?;
                }
            }
        }
    }

    pub(super) async fn list(&mut self, folder: &str) -> Result<Listing, BookError> {
        let mut retry = 0;
        loop {
            let asked = Instant::now();
            match self.session.list(folder).await {
                Ok(listing) => {
                    self.client.health().answered();
                    return Ok(listing);
                }
                Err(error) => self.wait_to_retry(error, &mut retry, asked).await?,
            }
        }
    }

    /// Downloads (or locates) `candidate`; `None` when the mirror has no such
    /// file. A file the folder's listing showed must be there: its absence is
    /// the server refusing it (a 550 for a file it cannot read), an error.
    pub(super) async fn get(&mut self, candidate: &Candidate, listed: Listed) -> Result<Option<Found>, BookError> {
        self.get_unless(candidate, listed, None).await
    }

    /// [`Attempt::get`], unless the server says the copy `current` describes
    /// is still current: then [`Found::Current`] (a conditional GET over
    /// HTTP; elsewhere the file is sent whatever).
    pub(super) async fn get_unless(
        &mut self,
        candidate: &Candidate,
        listed: Listed,
        current: Option<&Validators>,
    ) -> Result<Option<Found>, BookError> {
        let url = self.session.url_of(&candidate.path);
        let (raw_dir, watcher, commit) = match self.mode {
            Mode::Download(raw_dir, watcher, commit) => (raw_dir, watcher, commit),
            Mode::Locate => return self.locate(candidate, url).await,
        };
        let raw_path = raw_dir.join(&candidate.local_name);
        let write_error = |err: std::io::Error| {
            BookError::io(Stage::Write, format!("{}: {err}", raw_path.display()), &err).at(Some(url.clone()))
        };
        let mut retry = 0;
        loop {
            // A fresh temporary file for each try: a failed one is removed when
            // dropped. One not opened for lack of descriptors is waited for.
            let mut part = match PartFile::beside(&raw_path) {
                Ok(part) => part,
                Err(err) => {
                    self.wait_to_retry(write_error(err), &mut retry, Instant::now()).await?;
                    continue;
                }
            };
            // The mirror has answered once the file starts coming: the books
            // held back until then need not wait for the whole of this one.
            let health = self.client.health();
            let answered = || health.answered();
            let sink: BodySink<'_, PartFile> = BodySink::new(&mut part, self.client.limits.max_size, candidate.packing)
                .watched(&candidate.local_name, watcher)
                .on_answer(&answered);
            let asked = Instant::now();
            let got = match current {
                Some(known) => self.session.get_if_changed(&candidate.path, known, sink).await,
                None => self.session.get(&candidate.path, sink).await.map(Some),
            };
            if got.is_ok() {
                self.client.health().answered();
            }
            match got {
                Ok(None) => return Ok(Some(Found::Current)),
                Ok(Some(Got::Absent(_))) if listed == Listed::No => return Ok(None),
                Ok(Some(Got::Absent(reason))) => {
                    let message =
                        format!("{} is in the folder's listing, but the server refused it: {reason}", candidate.path);
                    return Err(BookError::permanent(Stage::Download, message).at(Some(url)));
                }
                Ok(Some(Got::File(mut received))) => {
                    let staged = match commit {
                        Commit::Now => part.commit(&raw_path).await.map(|()| None),
                        Commit::AfterCleaning => part.finish().await.map(Some),
                    };
                    let staged = staged.map_err(write_error)?;
                    if !received.version.dated() {
                        received.version.listed = self.listed_date(candidate).await;
                    }
                    let fetched =
                        Fetched { candidate: candidate.clone(), url, raw_path, received, staged, attempts: 1 };
                    return Ok(Some(Found::Downloaded(fetched)));
                }
                Err(error) => self.wait_to_retry(error.at(Some(url.clone())), &mut retry, asked).await?,
            }
        }
    }

    /// The date the folder's index shows for `candidate`, for a server that
    /// gave nothing else to tell its versions apart by (an HTTP server
    /// without `ETag` or `Last-Modified`): one more request, on such servers only.
    async fn listed_date(&mut self, candidate: &Candidate) -> Option<String> {
        let (folder, name) = candidate.path.rsplit_once('/')?;
        match self.session.list_versions(&format!("{folder}/")).await {
            Ok(Some(entries)) => entries.into_iter().find(|(listed, _)| listed == name)?.1.listed,
            _ => None,
        }
    }

    /// Asks whether `candidate` exists, and its size, without downloading it.
    pub(super) async fn locate(&mut self, candidate: &Candidate, url: String) -> Result<Option<Found>, BookError> {
        let mut retry = 0;
        loop {
            let asked = Instant::now();
            let stat = self.session.stat(&candidate.path).await;
            if stat.is_ok() {
                self.client.health().answered();
            }
            match stat {
                Ok(None) => return Ok(None),
                Ok(Some(size)) => return Ok(Some(Found::Located(Located { candidate: candidate.clone(), url, size }))),
                Err(error) => self.wait_to_retry(error.at(Some(url.clone())), &mut retry, asked).await?,
            }
        }
    }

    /// Waits before trying a failed request (made at `asked`) again, or gives
    /// the error back when it must not be tried again. `retry` counts the
    /// request's retries; neither a wait for a free file descriptor nor a
    /// failure of the mirror's (the health's to handle) is one.
    pub(super) async fn wait_to_retry(
        &mut self,
        error: BookError,
        retry: &mut u32,
        asked: Instant,
    ) -> Result<(), BookError> {
        if error.out_of_descriptors {
            self.session.release();
            self.client.out_of_descriptors(asked);
            self.descriptor_waits += 1;
            if let Some(delay) = crate::retry::descriptor_delay(self.descriptor_waits, fastrand::f64()) {
                tracing::debug!("ebook {}: {error}; trying again in {:.1} s", self.number, delay.as_secs_f64());
                tokio::time::sleep(delay).await;
                return Ok(());
            }
        }
        let health = self.client.health();
        match error.mirror {
            Some(MirrorFault::Unreachable) => {
                match health.wait_out(&error, tokio::time::Instant::from_std(asked)).await {
                    Ok(Waited::Out) => return Ok(()),
                    // The mirror answers others: this failure is the book's.
                    Ok(Waited::Not) => {}
                    Err(stop) => return Err(stopped(error, stop)),
                }
            }
            Some(MirrorFault::Credentials) => {
                let stop = health.stop(Stop::new(super::health::StopKind::Credentials, error.message.clone()));
                return Err(stopped(error, stop));
            }
            Some(MirrorFault::RunStopped) => return Err(error),
            // Out of descriptors here: the request never reached the mirror.
            None if error.out_of_descriptors => {}
            // The mirror answered, if only with an error.
            None => health.answered(),
        }
        if error.busy {
            self.client.mirror_busy(asked);
        }
        *retry += 1;
        let retry = *retry;
        let Some(delay) = self.client.retry.delay(&error, retry, fastrand::f64()) else {
            return Err(kept_sending_html(error, retry));
        };
        self.retries += 1;
        let left = self.client.retry.retries + 1 - retry;
        let tries = if left == 1 { "try" } else { "tries" };
        tracing::warn!(
            "ebook {}: {error}; retrying in {:.1} s ({left} {tries} left)",
            self.number,
            delay.as_secs_f64()
        );
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

/// What counts its tries: a book's result.
pub(super) trait Tried {
    fn tried(self, attempts: u32) -> Self;

    /// Whether a file of the book was found.
    fn found(&self) -> bool {
        true
    }
}

impl Tried for Found {
    fn tried(self, attempts: u32) -> Self {
        match self {
            Found::Downloaded(fetched) => Found::Downloaded(Fetched { attempts, ..fetched }),
            located => located,
        }
    }
}

/// The book's error once the run has stopped: the reason, for its report entry.
fn stopped(error: BookError, stop: Stop) -> BookError {
    BookError::permanent(error.stage, stop.reason).at(error.url).mirror(MirrorFault::RunStopped)
}
