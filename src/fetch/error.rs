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
    /// The process (EMFILE) or the system (ENFILE) ran out of file
    /// descriptors: not the book's fault, and fewer transfers at once help.
    pub out_of_descriptors: bool,
}

impl BookError {
    pub fn permanent(stage: Stage, message: impl Into<String>) -> Self {
        BookError::new(stage, Persistence::Permanent, message.into())
    }

    pub fn transient(stage: Stage, message: impl Into<String>) -> Self {
        BookError::new(stage, Persistence::Transient, message.into())
    }

    fn new(stage: Stage, persistence: Persistence, message: String) -> Self {
        BookError {
            stage,
            persistence,
            message,
            url: None,
            busy: false,
            retry_after: None,
            attempts: 1,
            out_of_descriptors: false,
            mirror: None,
        }
    }

    /// A failed system call (opening a file, a folder, a socket): transient
    /// when it ran out of file descriptors, permanent otherwise.
    pub fn io(stage: Stage, message: impl Into<String>, err: &std::io::Error) -> Self {
        if out_of_descriptors(err) {
            BookError::transient(stage, message).lacking_descriptors()
        } else {
            BookError::permanent(stage, message)
        }
    }

    /// The same error, marked as the process having run out of file
    /// descriptors when `source` (or anything in its chain) says so.
    pub fn descriptors_from(self, source: &(dyn std::error::Error + 'static)) -> Self {
        let mut cause = Some(source);
        while let Some(err) = cause {
            if err.downcast_ref::<std::io::Error>().is_some_and(out_of_descriptors) {
                return self.lacking_descriptors();
            }
            cause = err.source();
        }
        self
    }

    /// The same error, marked as the server saying it is overloaded.
    pub fn busy(self, retry_after: Option<std::time::Duration>) -> Self {
        BookError { busy: true, retry_after, ..self }
    }

    /// The same error, marked as the mirror's (see [`MirrorFault`]).
    pub fn mirror(self, fault: MirrorFault) -> Self {
        BookError { mirror: Some(fault), ..self }
    }

    /// The same error, marked as the process having run out of file descriptors.
    pub fn lacking_descriptors(self) -> Self {
        BookError { out_of_descriptors: true, persistence: Persistence::Transient, ..self }
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

/// EMFILE ("too many open files") or ENFILE (the system's table is full),
/// also when wrapped.
pub fn out_of_descriptors(err: &std::io::Error) -> bool {
    if matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) {
        return true;
    }
    let Some(inner) = err.get_ref() else { return false };
    if inner.downcast_ref::<std::io::Error>().is_some_and(out_of_descriptors) {
        return true;
    }
    // tempfile wraps its errors to add the path, and its wrapper hides the
    // original from `source()`: only its text still carries the code.
    says_out_of_descriptors(&inner.to_string())
}

/// Whether the text of an error (an `io::Error` turned into a message) says
/// EMFILE or ENFILE.
pub fn says_out_of_descriptors(message: &str) -> bool {
    [libc::EMFILE, libc::ENFILE].iter().any(|code| message.contains(&format!("(os error {code})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_out_of_descriptors_is_transient_and_said_so_wherever_it_is_in_the_chain() {
        let emfile = std::io::Error::from_raw_os_error(libc::EMFILE);
        let opened = BookError::io(Stage::Write, "raw/11-0.txt", &emfile);
        assert_eq!((opened.persistence, opened.out_of_descriptors), (Persistence::Transient, true));
        let full = std::io::Error::from_raw_os_error(libc::ENOSPC);
        let opened = BookError::io(Stage::Write, "raw/11-0.txt", &full);
        assert_eq!((opened.persistence, opened.out_of_descriptors), (Persistence::Permanent, false));

        let in_temp_dir = tempfile::Builder::new().tempfile_in("/nonexistent/folder").unwrap_err();
        assert!(!out_of_descriptors(&in_temp_dir), "{in_temp_dir}");
        let wrapped = std::io::Error::other(std::io::Error::from_raw_os_error(libc::ENFILE));
        assert!(out_of_descriptors(&wrapped));
        let connect = BookError::permanent(Stage::Resolve, "connect").descriptors_from(&wrapped);
        assert_eq!((connect.persistence, connect.out_of_descriptors), (Persistence::Transient, true));
        let refused = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert!(!BookError::transient(Stage::Resolve, "connect").descriptors_from(&refused).out_of_descriptors);
    }
}
