//! Keeps secrets out of everything gutenfetch writes: log lines (the FTP and
//! HTTP libraries' own included), the report, the dry run, error messages.
//!
//! [`redact`] is the one function every shown URL and every written message
//! goes through. It hides the password of any `scheme://user:password@`
//! in the text, and every secret the run was given ([`remember`]): a
//! password may also come from `--ftp-password`, and a library may print it
//! without a URL around it (suppaftp logs `PASS …` at trace level).

use std::borrow::Cow;
use std::sync::RwLock;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// What a hidden password is shown as.
pub const MASK: &str = "***";

/// The secrets of this process, in every spelling they may be written in.
/// Global because the log writer, like the logger, is one for the process.
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// The characters the `url` crate percent-encodes in a URL's userinfo.
const USERINFO: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b':')
    .add(b';')
    .add(b'=')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'|');

/// Hides `secret` from now on wherever [`redact`] runs: as given, and
/// percent-decoded and percent-encoded (a URL may hold either).
pub fn remember(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let decoded = percent_decode_str(secret).decode_utf8_lossy().into_owned();
    let encoded = utf8_percent_encode(&decoded, USERINFO).to_string();
    let mut secrets = SECRETS.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    for spelling in [secret.to_owned(), decoded, encoded] {
        if !secrets.contains(&spelling) {
            secrets.push(spelling);
        }
    }
    // Longest first, so that a secret inside another is not half-hidden.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with the password of every URL in it, and every remembered
/// secret, replaced by [`MASK`]. Borrows when there is nothing to hide.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut shown = hide_url_passwords(text);
    let secrets = SECRETS.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    for secret in secrets.iter() {
        if shown.contains(secret.as_str()) {
            shown = Cow::Owned(shown.replace(secret.as_str(), MASK));
        }
    }
    shown
}

/// `text` with the password of each `scheme://user:password@host` as
/// [`MASK`]. Works on the text, since a URL that does not parse, or one
/// inside an error message, is shown too. An `@` after the host (in the
/// path) is not userinfo.
fn hide_url_passwords(text: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut done = 0; // `text[..done]` is in `out` (or needs no change).
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let authority_start = search + found + 3;
        let authority_len = text[authority_start..]
            .find(|c: char| matches!(c, '/' | '?' | '#' | ')' | '"' | '\'' | '>') || c.is_whitespace())
            .unwrap_or(text.len() - authority_start);
        let authority = &text[authority_start..authority_start + authority_len];
        search = authority_start + authority_len;
        let Some(at) = authority.rfind('@') else { continue };
        let Some(colon) = authority[..at].find(':') else { continue };
        let (password_start, password_end) = (authority_start + colon + 1, authority_start + at);
        let out = out.get_or_insert_with(String::new);
        out.push_str(&text[done..password_start]);
        out.push_str(MASK);
        done = password_end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[done..]);
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_hidden_wherever_they_are_in_the_text() {
        assert_eq!(hide_url_passwords("ftp://reader:s3cret@127.0.0.1:21/x"), "ftp://reader:***@127.0.0.1:21/x");
        assert_eq!(
            hide_url_passwords("error for url (http://u:p%40ss@h/a) and https://v:w@i"),
            "error for url (http://u:***@h/a) and https://v:***@i"
        );
        assert_eq!(hide_url_passwords("ftp://a@b/c:d@e"), "ftp://a@b/c:d@e", "an @ in the path is not userinfo");
        assert_eq!(hide_url_passwords("ftp://anonymous@h/"), "ftp://anonymous@h/");
        assert!(matches!(hide_url_passwords("https://x.org/"), Cow::Borrowed(_)));
    }

    #[test]
    fn remembered_secrets_are_hidden_in_every_spelling() {
        remember("t0p:s@cret");
        for spelling in ["PASS t0p:s@cret", "PASS t0p%3As%40cret"] {
            assert_eq!(redact(spelling), "PASS ***", "{spelling}");
        }
        remember("w%40rd5");
        assert_eq!(redact("w@rd5 and w%40rd5"), "*** and ***");
        remember("");
        assert_eq!(redact("nothing here"), "nothing here");
    }
}
