//! What can go wrong while fetching one book, classified for the report and
//! for the retry policy.

use std::fmt;

/// The stage of a book's journey at which it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Listing the book's folder and choosing its text file.
    Resolve,
    /// Transferring the file.
    Download,
    /// Decoding and stripping the text.
    Clean,
    /// Writing a file under the output folder.
    Write,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Resolve => "resolve",
            Stage::Download => "download",
            Stage::Clean => "clean",
            Stage::Write => "write",
        })
    }
}

/// Whether trying again could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// Connection trouble, timeouts, 4xx FTP replies: the next try may work.
    Transient,
    /// Missing file, no text in the folder, a full disk: trying again will not help.
    Permanent,
}

/// A failure that is the mirror's, not the book's: the run's [`Health`]
/// decides what happens next, not the book's retry policy.
///
/// [`Health`]: super::health::Health
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MirrorFault {
    /// No answer at the connection level: the name did not resolve, the
    /// connection was refused or unreachable, TLS or the greeting failed or timed out.
    Unreachable,
    /// The mirror refused the login (FTP 530, HTTP 401 or 407).
    Credentials,
    /// The run stopped (see the health's verdict) before this book got its file.
    RunStopped,
}

/// Why one book could not be fetched. A value, not a panic: it reaches the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BookError {
    pub stage: Stage,
    pub persistence: Persistence,
    pub message: String,
    /// What was being fetched, when it was known.
    pub url: Option<String>,
    /// The server said it is overloaded (FTP 421, HTTP 429 or 503): fewer
    /// connections at once would help.
    pub busy: bool,
    /// How long the server asked us to wait (HTTP `Retry-After`).
    pub retry_after: Option<std::time::Duration>,
    /// Tries made of the request that failed.
    pub attempts: u32,
    /// The failure concerns the whole mirror, not this book.
    pub mirror: Option<MirrorFault>,
}

impl BookError {
    pub fn permanent(stage: Stage, message: impl Into<String>) -> Self {
        BookError::new(stage, Persistence::Permanent, message.into())
    }

    pub fn transient(stage: Stage, message: impl Into<String>) -> Self {
        BookError::new(stage, Persistence::Transient, message.into())
    }

    fn new(stage: Stage, persistence: Persistence, message: String) -> Self {
        BookError { stage, persistence, message, url: None, busy: false, retry_after: None, attempts: 1, mirror: None }
    }

    /// The same error, marked as the server saying it is overloaded.
    pub fn busy(self, retry_after: Option<std::time::Duration>) -> Self {
        BookError { busy: true, retry_after, ..self }
    }

    /// The same error, marked as the mirror's (see [`MirrorFault`]).
    pub fn mirror(self, fault: MirrorFault) -> Self {
        BookError { mirror: Some(fault), ..self }
    }

    /// The same error, naming the URL it concerns.
    pub fn at(self, url: Option<String>) -> Self {
        BookError { url, ..self }
    }
}

impl fmt::Display for BookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.stage, self.message)
    }
}

impl std::error::Error for BookError {}
