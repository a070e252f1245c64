//! Turns the raw bytes of a Gutenberg plain-text file into the clean book:
//! decode to UTF-8, then cut the Project Gutenberg header, footer and licence.
//!
//! Pure functions only: no I/O, no logging. The pipeline calls [`clean`] on a
//! rayon worker and records what [`Cleaned`] says about the text in the report.

use std::fmt;

/// What the caller can choose about cleaning.
#[derive(Clone, Debug, Default)]
pub struct CleanOptions {
    /// Keep "Produced by …" credit lines that follow the header.
    pub keep_credits: bool,
}

/// The clean book and what was learned while making it.
#[derive(Clone, Debug)]
pub struct Cleaned {
    /// The book as UTF-8 with `\n` line ends and no BOM.
    pub text: String,
    /// Name of the encoding the bytes were decoded from (e.g. "UTF-8", "windows-1252").
    pub encoding: &'static str,
    /// False when no Gutenberg marker was found and the text was kept whole.
    pub markers_found: bool,
}

/// Why a text could not be cleaned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CleanError {
    /// Markers were found but nothing of the book lies between them.
    EmptyBody,
}

impl fmt::Display for CleanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CleanError::EmptyBody => f.write_str("Gutenberg markers found but the book body is empty"),
        }
    }
}

impl std::error::Error for CleanError {}

/// Decodes and strips one Gutenberg text.
pub fn clean(raw: &[u8], _opts: &CleanOptions) -> Result<Cleaned, CleanError> {
    let raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    let (text, encoding) = match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(raw).0.into_owned(), "windows-1252"),
    };
    let text = text.replace('\r', "");
    let mut start = None;
    let mut end = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let upper = line.to_ascii_uppercase();
        if start.is_none() && upper.starts_with("*** START OF") {
            start = Some(offset + line.len());
        } else if start.is_some() && end.is_none() && upper.starts_with("*** END OF") {
            end = Some(offset);
        }
        offset += line.len();
    }
    let markers_found = start.is_some() || end.is_some();
    let body = &text[start.unwrap_or(0)..end.unwrap_or(text.len())];
    let body = body.trim_matches('\n');
    if markers_found && body.trim().is_empty() {
        return Err(CleanError::EmptyBody);
    }
    Ok(Cleaned { text: format!("{body}\n"), encoding, markers_found })
}
