//! What an HTTP answer or failure means for a book: whether trying again
//! could help, whether the server is overloaded and how long it asked us
//! to wait, and the body encodings refused.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, CONTENT_ENCODING, RETRY_AFTER};
use reqwest::{Response, StatusCode};

use crate::fetch::error::{BookError, MirrorFault, Stage};
use crate::redact::redact;

/// How a failed status is classified: `None` for "no such thing here".
pub(super) fn classify(status: StatusCode) -> Option<fn(Stage, String) -> BookError> {
    match status {
        StatusCode::NOT_FOUND
        | StatusCode::GONE
        | StatusCode::FORBIDDEN
        | StatusCode::UNAUTHORIZED
        | StatusCode::METHOD_NOT_ALLOWED => None,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT => Some(BookError::transient),
        s if s.is_server_error() => Some(BookError::transient),
        _ => Some(BookError::permanent),
    }
}

/// 429 and 503 say the server is overloaded: the error is marked busy (fewer
/// books at once) with the wait the server asked for in `Retry-After`.
pub(super) fn overloaded(error: BookError, response: &Response) -> BookError {
    match response.status() {
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            error.busy(retry_after(response.headers(), SystemTime::now()))
        }
        _ => error,
    }
}

/// `Retry-After` as seconds or as an HTTP date (a date already past means now).
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

pub(super) fn transport_error(stage: Stage, path: &str, err: &reqwest::Error) -> BookError {
    // The whole chain says what happened (e.g. "connection reset by peer").
    let mut message = format!("{path}: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    // reqwest takes the password out of the URLs it shows, but a redirect
    // may name one: what is shown goes through the one redaction.
    let message = redact(&message).into_owned();
    let error = if err.is_redirect() || err.is_builder() {
        BookError::permanent(stage, message)
    } else if err.is_connect() {
        // Name resolution, refused, unreachable, TLS handshake, connect time-out:
        // the mirror's, not the book's.
        BookError::transient(stage, message).mirror(MirrorFault::Unreachable)
    } else {
        BookError::transient(stage, message)
    };
    // A socket that could not be made for lack of descriptors, say so.
    error.descriptors_from(err)
}

/// A `Content-Encoding` other than identity, which this client never asks for.
pub(super) fn content_encoding(response: &Response) -> Option<String> {
    let value = response.headers().get(CONTENT_ENCODING)?;
    let value = String::from_utf8_lossy(value.as_bytes()).trim().to_ascii_lowercase();
    (!value.is_empty() && value != "identity").then(|| crate::terminal_safe::terminal_safe(&value).into_owned())
}

/// A body encoded although identity was asked for. Saving it would put
/// compressed bytes in `raw/` and mojibake in the book; decoding what was
/// not asked for would trust a server that already ignored the request.
/// A server that does it once does it every time, so the book fails at once
/// (permanent): the message says why, and the next run asks again.
pub(super) fn encoded_body(encoding: &str) -> BookError {
    let message = format!(
        "the server sent the file with Content-Encoding: {encoding}, though asked for the file's own bytes \
         (Accept-Encoding: identity): refused"
    );
    BookError::permanent(Stage::Download, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let after = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            retry_after(&headers, now)
        };
        assert_eq!(after("120"), Some(Duration::from_secs(120)));
        assert_eq!(after(" 0 "), Some(Duration::ZERO));
        assert_eq!(after("Sun, 06 Nov 1994 08:50:07 GMT"), Some(Duration::from_secs(30)));
        assert_eq!(after("Sun, 06 Nov 1994 08:00:00 GMT"), Some(Duration::ZERO), "a date past is now");
        assert_eq!(after("soon"), None);
        assert_eq!(after("-5"), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn refusals_to_list_are_not_failures_but_server_errors_are() {
        assert!(classify(StatusCode::FORBIDDEN).is_none());
        assert!(classify(StatusCode::NOT_FOUND).is_none());
        let transient = classify(StatusCode::SERVICE_UNAVAILABLE).unwrap()(Stage::Resolve, String::new());
        assert_eq!(transient.persistence, crate::fetch::Persistence::Transient);
        let permanent = classify(StatusCode::BAD_REQUEST).unwrap()(Stage::Resolve, String::new());
        assert_eq!(permanent.persistence, crate::fetch::Persistence::Permanent);
    }
}
