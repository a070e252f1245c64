//! `--update`: whether a book's file on the mirror has changed since its
//! copy was taken, asked as cheaply as the protocol allows, and the new
//! version fetched only when it has.
//!
//! - HTTP: one conditional GET of the file taken (a 304 costs no body; a
//!   changed file comes in the same answer). A book not taken as `N-0.txt`
//!   first asks for `N-0.txt`, the file most worth having: two requests.
//!   A server that sends neither `ETag` nor `Last-Modified` is compared on
//!   its index page's size and date instead, else on `Content-Length`.
//! - FTP: one `STAT` of the folder over the control connection shows every
//!   file with its size and date, so a better file and a changed one are
//!   seen together, with no data connection; servers without STAT get
//!   `SIZE` and `MDTM` on the file taken (and `SIZE` of `N-0.txt`).
//! - `file://`: the folder read and the file's size and modification time.
//!
//! A file gone from its place is looked for as a fresh run would; only a
//! book with no file left at all is "gone upstream", and its copy stays.

use super::attempt::{Attempt, Tried};
use super::resolve::{Commit, Found, Listed, Mode};
use super::version::{compare, Compared, Validators};
use super::{BookError, Client, Fetched, Located, Session};
use crate::ebook::EbookNumber;
use crate::layout::{folder_candidates, listed_candidates, packing_of, Candidate, Packing};
use crate::mirror::Layout;

/// What is known of a book's copy on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    /// The mirror's file it was taken from, relative to the root, when
    /// its provenance is known.
    pub path: Option<String>,
    /// The raw copy's name under `OUT/raw/`.
    pub local_name: String,
    /// What the mirror said of the version taken; without provenance, only
    /// the raw copy's size.
    pub version: Validators,
}

/// What asking gave.
#[derive(Debug)]
pub enum Rechecked {
    /// The copy is current; `by_size` when only sizes could tell.
    Unchanged { by_size: bool },
    /// A newer version, or a better file, downloaded (staged, in a download).
    Changed { fetched: Box<Fetched>, why: String },
    /// What a download would fetch, and why (`--dry-run`).
    WouldFetch { located: Located, why: String },
    /// The mirror has no file of the book any more: its words.
    Gone(String),
}

impl Tried for Rechecked {
    fn tried(self, attempts: u32) -> Self {
        match self {
            Rechecked::Changed { fetched, why } => {
                Rechecked::Changed { fetched: Box::new(Fetched { attempts, ..*fetched }), why }
            }
            other => other,
        }
    }

    fn found(&self) -> bool {
        !matches!(self, Rechecked::Gone(_))
    }
}

impl Client {
    /// Asks whether the book's file changed since `known` and, when
    /// `raw_dir` is given, downloads the new version beside the old copy
    /// (staged: it replaces the copy once cleaned); without it, only says.
    pub async fn recheck(
        &self,
        number: EbookNumber,
        known: &Known,
        raw_dir: Option<&std::path::Path>,
        watcher: super::Watcher<'_>,
    ) -> Result<Rechecked, BookError> {
        let mode = match raw_dir {
            Some(raw_dir) => Mode::Download(raw_dir, watcher, Commit::AfterCleaning),
            None => Mode::Locate,
        };
        let mut session = self.session();
        let mut attempt = Attempt::new(self, &mut session, number, mode);
        let result = attempt.recheck(known).await;
        attempt.finished(result)
    }
}

impl Attempt<'_, '_> {
    async fn recheck(&mut self, known: &Known) -> Result<Rechecked, BookError> {
        let Some(path) = known.path.as_deref() else { return self.by_size(known).await };
        let taken = Candidate {
            path: path.to_owned(),
            local_name: known.local_name.clone(),
            packing: packing_of(path).unwrap_or(Packing::Plain),
        };
        let (folder, name) = split(&taken.path);
        let http = matches!(self.session, Session::Http(_));
        // Where listing is cheap (FTP STAT, a local folder), one listing
        // shows both a better file and the version of the file taken.
        let listed = match !http && self.session.lists_cheaply() {
            true => self.list_versions(folder).await?,
            false => None,
        };
        if let Some((found, why)) = self.better_than(&taken, listed.as_deref()).await? {
            return Ok(changed(found, why));
        }
        let tagged = known.version.etag.is_some() || known.version.last_modified.is_some();
        if http && tagged && matches!(self.mode, Mode::Download(..)) {
            // One conditional GET: 304, or the new version in the same answer.
            return match self.get_unless(&taken, Listed::No, Some(&known.version)).await? {
                Some(Found::Current) => Ok(Rechecked::Unchanged { by_size: false }),
                Some(found) => Ok(changed(found, format!("{} changed on the mirror", taken.path))),
                None => self.moved_or_gone(&taken).await,
            };
        }
        let now = match &listed {
            Some(entries) => match entries.iter().find(|(listed, _)| listed == name) {
                None => return self.moved_or_gone(&taken).await,
                // A link, or a listing without sizes: ask the file itself.
                Some((_, version)) if version.size.is_none() => self.version_of(&taken, &known.version).await?,
                Some((_, version)) => Some(version.clone()),
            },
            // A server without validators: its index page's size and date.
            None if http && !tagged && known.version.listed.is_some() => match self.listed_version(&taken).await? {
                Some(version) => Some(version),
                None => self.version_of(&taken, &known.version).await?,
            },
            None => self.version_of(&taken, &known.version).await?,
        };
        let Some(now) = now else { return self.moved_or_gone(&taken).await };
        match compare(&known.version, &now) {
            Compared::Same => Ok(Rechecked::Unchanged { by_size: false }),
            Compared::SameSize => Ok(Rechecked::Unchanged { by_size: true }),
            Compared::Changed(what) => {
                let why = format!("{} changed on the mirror ({what})", taken.path);
                match self.take(&taken, Listed::Yes).await? {
                    Some(found) => Ok(changed(found, why)),
                    None => self.moved_or_gone(&taken).await,
                }
            }
        }
    }

    /// A file of the book better than the one taken (an `N-0.txt` where
    /// `N-8.txt` was taken), fetched (or located). Where listings are cheap
    /// the book's folder is listed (`listed`, when that is the folder of
    /// the file taken); elsewhere only `N-0.txt` is asked for.
    async fn better_than(
        &mut self,
        taken: &Candidate,
        listed: Option<&[(String, Validators)]>,
    ) -> Result<Option<(Found, String)>, BookError> {
        if self.client.layout == Layout::Generated {
            return Ok(None);
        }
        let own = folder_candidates(self.number);
        let rank = |c: &Candidate| own.iter().position(|o| o.path == c.path).unwrap_or(own.len());
        if rank(taken) == 0 {
            return Ok(None);
        }
        let folder = self.number.folder();
        let best = if self.session.lists_cheaply() && !matches!(self.session, Session::Http(_)) {
            let book_folder;
            let entries = match listed.filter(|_| split(&taken.path).0 == folder) {
                Some(entries) => Some(entries),
                None => {
                    book_folder = self.list_versions(&folder).await?;
                    book_folder.as_deref()
                }
            };
            match entries {
                Some(entries) => listed_candidates(self.number, entries.iter().map(|(name, _)| name.as_str()))
                    .into_iter()
                    .next()
                    .map(|best| (best, Listed::Yes)),
                None => Some((own[0].clone(), Listed::No)),
            }
        } else {
            Some((own[0].clone(), Listed::No))
        };
        let Some((best, listed)) = best.filter(|(best, _)| rank(best) < rank(taken)) else { return Ok(None) };
        let why = format!("{} appeared on the mirror, better than {}", best.path, taken.path);
        Ok(self.take(&best, listed).await?.map(|found| (found, why)))
    }

    /// No provenance: the book's best file now, compared with the copy by
    /// name and size.
    async fn by_size(&mut self, known: &Known) -> Result<Rechecked, BookError> {
        let mode = std::mem::replace(&mut self.mode, Mode::Locate);
        let located = self.find().await;
        self.mode = mode;
        let located = match located? {
            Some(Found::Located(located)) => located,
            _ => return self.gone().await,
        };
        let why = if located.candidate.local_name != known.local_name {
            format!("the mirror's best file is now {}", located.candidate.path)
        } else if located.size.is_some() && located.size != known.version.size {
            let (was, now) = (known.version.size.unwrap_or(0), located.size.unwrap_or(0));
            format!("{} changed on the mirror (size {was} → {now} bytes)", located.candidate.path)
        } else {
            return Ok(Rechecked::Unchanged { by_size: true });
        };
        match self.take(&located.candidate, Listed::Yes).await? {
            Some(found) => Ok(changed(found, why)),
            None => self.moved_or_gone(&located.candidate).await,
        }
    }

    /// The file taken is gone from its place: the book's best file now, as a
    /// fresh run would find it, else gone upstream.
    async fn moved_or_gone(&mut self, taken: &Candidate) -> Result<Rechecked, BookError> {
        match self.find().await? {
            Some(found) => Ok(changed(found, format!("{} is gone from the mirror", taken.path))),
            None => self.gone().await,
        }
    }

    /// The book has no file on the mirror. Should that be the first book
    /// looked for, the root is looked at as for a fresh run: a wrong
    /// `--mirror` stops the run rather than calling every book gone.
    async fn gone(&mut self) -> Result<Rechecked, BookError> {
        let why = self.why_missing();
        let error = self.not_found(why.clone(), None).await;
        match error.mirror {
            Some(super::MirrorFault::RunStopped) => Err(error),
            _ => Ok(Rechecked::Gone(why)),
        }
    }

    /// Downloads or locates `candidate`, as the mode says.
    async fn take(&mut self, candidate: &Candidate, listed: Listed) -> Result<Option<Found>, BookError> {
        match self.mode {
            Mode::Download(..) => self.get(candidate, listed).await,
            Mode::Locate => self.locate(candidate, self.session.url_of(&candidate.path)).await,
        }
    }

    /// The size and date the folder's index page shows for `taken`.
    async fn listed_version(&mut self, taken: &Candidate) -> Result<Option<Validators>, BookError> {
        let (folder, name) = split(&taken.path);
        let entries = self.list_versions(folder).await?;
        Ok(entries.and_then(|entries| entries.into_iter().find(|(listed, _)| listed == name)).map(|(_, v)| v))
    }
}

/// A mirror path's folder (with its `/`) and file name.
fn split(path: &str) -> (&str, &str) {
    path.rfind('/').map_or(("", path), |at| path.split_at(at + 1))
}

fn changed(found: Found, why: String) -> Rechecked {
    match found {
        Found::Downloaded(fetched) => Rechecked::Changed { fetched: Box::new(fetched), why },
        Found::Located(located) => Rechecked::WouldFetch { located, why },
        Found::Current => Rechecked::Unchanged { by_size: false },
    }
}
