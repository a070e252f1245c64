//! One named file of the mirror, not a book: what `gutenfetch catalog` and
//! a `--manifest` URL download, through the same transports as the books,
//! asking first whether the copy already on disk is still current.
//!
//! How "current" is known depends on the transport: HTTP answers a
//! conditional GET (`If-None-Match`, `If-Modified-Since`) with 304; FTP
//! gives `SIZE` and `MDTM` to compare; a local mirror's file has a size and
//! a modification time.

use super::sink::{BodySink, Destination, Watcher};
use super::{BookError, Client, Got, Session};
use crate::layout::Packing;

pub use super::version::Validators;

/// What asking for the file gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Fresh {
    /// The copy described by the validators given is current: nothing was written.
    Unchanged,
    /// The file, this many bytes, is in the destination.
    Downloaded { bytes: u64, validators: Validators },
    /// The mirror has no such file.
    Absent(String),
}

impl Client {
    /// Downloads `path` into `out` unless `known` (what was learned when the
    /// copy on disk was made) shows that copy is current. A file of more
    /// than `max_size` bytes fails.
    pub async fn get_file(
        &self,
        path: &str,
        known: Option<&Validators>,
        out: &mut impl Destination,
        watcher: Watcher<'_>,
    ) -> Result<Fresh, BookError> {
        let sink = BodySink::new(out, self.limits.max_size, Packing::Plain).watched(path, watcher);
        let mut session = self.session();
        let (got, validators) = match &mut session {
            Session::Http(mirror) => {
                match mirror.get_if_changed(path, known.unwrap_or(&Validators::default()), sink).await? {
                    None => return Ok(Fresh::Unchanged),
                    Some(got) => {
                        let version = match &got {
                            Got::File(received) => received.version.clone(),
                            Got::Absent(_) => Validators::default(),
                        };
                        (got, Validators { size: None, ..version })
                    }
                }
            }
            Session::Ftp(ftp) => {
                let Some(size) = ftp.stat(path).await? else { return Ok(Fresh::Absent("no such file".to_owned())) };
                let validators = Validators { size, modified: ftp.modified(path).await?, ..Validators::default() };
                if current(known, &validators) {
                    return Ok(Fresh::Unchanged);
                }
                (ftp.get(path, sink).await?, validators)
            }
            Session::File(mirror) => {
                let validators = match tokio::fs::metadata(mirror.path_of(path)).await {
                    Ok(meta) => super::file::version_of(&meta),
                    Err(_) => Validators::default(),
                };
                if current(known, &validators) {
                    return Ok(Fresh::Unchanged);
                }
                (mirror.get(path, sink).await?, validators)
            }
        };
        Ok(match got {
            Got::File(received) => Fresh::Downloaded { bytes: received.bytes, validators },
            Got::Absent(why) => Fresh::Absent(why),
        })
    }

    /// The URL of `path` on this mirror, for messages (never with a password).
    pub fn url_of(&self, path: &str) -> String {
        self.session().url_of(path)
    }
}

/// Whether the copy `known` describes is the file now described by `now`:
/// both size and time must be known and equal.
fn current(known: Option<&Validators>, now: &Validators) -> bool {
    known.is_some_and(|known| now.size.is_some() && now.modified.is_some() && known == now)
}
