//! The requests of one book, each retried while it fails for a passing
//! reason: listing a folder, getting or locating a file, asking a file's
//! version. A failure of the whole mirror is handed to its health, which
//! waits it out or stops the run; a book's own failure is retried under the
//! run's policy, and a lack of file descriptors is waited for, not retried.

use std::time::Instant;

use super::error::{BookError, MirrorFault, Stage};
use super::health::{Stop, Waited};
use super::resolve::{Commit, Found, Listed, Mode};
use super::sink::{kept_sending_html, BodySink};
use super::version::Validators;
use super::{Client, Fetched, Got, Listing, Located, Session};
use crate::atomic_file::PartFile;
use crate::ebook::EbookNumber;
use crate::layout::Candidate;

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
    pub(super) missing: Option<(String, Option<String>)>,
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
}

impl Attempt<'_, '_> {
    /// [`Session::list`], retried.
    pub(super) async fn list(&mut self, folder: &str) -> Result<Listing, BookError> {
        match self.ask(Ask::List(folder)).await? {
            Told::Listing(listing) => Ok(listing),
            _ => unreachable!("a listing answers a listing"),
        }
    }

    /// [`Session::list_versions`], retried.
    pub(super) async fn list_versions(&mut self, folder: &str) -> Result<Option<Vec<(String, Validators)>>, BookError> {
        match self.ask(Ask::Versions(folder)).await? {
            Told::Versions(versions) => Ok(versions),
            _ => unreachable!("versions answer versions"),
        }
    }

    /// [`Session::version_of`], retried.
    pub(super) async fn version_of(
        &mut self,
        candidate: &Candidate,
        known: &Validators,
    ) -> Result<Option<Validators>, BookError> {
        match self.ask(Ask::VersionOf(&candidate.path, known)).await? {
            Told::Version(version) => Ok(version),
            _ => unreachable!("a version answers a version"),
        }
    }

    /// Asks `question` until it is answered or must not be asked again.
    async fn ask(&mut self, question: Ask<'_>) -> Result<Told, BookError> {
        let mut retry = 0;
        loop {
            let asked = Instant::now();
            let told = match question {
                Ask::List(folder) => self.session.list(folder).await.map(Told::Listing),
                Ask::Versions(folder) => self.session.list_versions(folder).await.map(Told::Versions),
                Ask::VersionOf(path, known) => self.session.version_of(path, known).await.map(Told::Version),
            };
            match told {
                Ok(told) => {
                    self.client.health().answered();
                    return Ok(told);
                }
                Err(error) => {
                    // A listing's error is placed by its caller, who knows the book's folder.
                    let url = match question {
                        Ask::List(_) => error.url.clone(),
                        Ask::Versions(path) | Ask::VersionOf(path, _) => Some(self.session.url_of(path)),
                    };
                    self.wait_to_retry(error.at(url), &mut retry, asked).await?;
                }
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

/// A question for the mirror that downloads nothing.
#[derive(Clone, Copy)]
enum Ask<'q> {
    List(&'q str),
    Versions(&'q str),
    VersionOf(&'q str, &'q Validators),
}

/// Its answer.
enum Told {
    Listing(Listing),
    Versions(Option<Vec<(String, Validators)>>),
    Version(Option<Validators>),
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
pub(super) fn stopped(error: BookError, stop: Stop) -> BookError {
    BookError::permanent(error.stage, stop.reason).at(error.url).mirror(MirrorFault::RunStopped)
}
