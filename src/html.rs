//! The one HTML recogniser: tells an HTML page (a captcha, a "slow down"
//! page, an error page) from a book by its first bytes. Used by the fetch
//! sink on the first chunk of every transfer, by the plan on raw copies
//! left by earlier runs, and by `gutenfetch strip`.
//!
//! Only the start of a file is looked at: a page opens with markup (a tag or
//! a comment) after whitespace at most, while a Gutenberg text opens with words
//! and may mention `<html>` anywhere in its body without being a page.

use std::io::{self, Read, Seek, SeekFrom};

/// How many leading bytes are enough to decide.
pub const SNIFF_LEN: usize = 512;

/// Tags that open an HTML page (after whitespace), lower case,
/// without their `<`. Each must be followed by a space, `>` or `/`, so that
/// `<header-of-a-poem` or `<htmlish>` are not taken for markup.
const OPENING_TAGS: &[&str] =
    &["!doctype", "html", "head", "body", "meta", "title", "script", "style", "link", "noscript", "?xml"];

/// Whether a body starting with `start` (its first [`SNIFF_LEN`] bytes, or
/// all of it when shorter) is an HTML page rather than a text.
pub fn looks_like_html(start: &[u8]) -> bool {
    let text = decode_start(start);
    let rest = text.trim_start();
    // An opening comment is markup (a CDN's or a framework's banner); no
    // text opens with one.
    if rest.starts_with("<!--") {
        return true;
    }
    let Some(tag) = rest.strip_prefix('<') else { return false };
    OPENING_TAGS.iter().any(|name| {
        tag.len() >= name.len()
            && tag.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
            && tag[name.len()..].chars().next().is_none_or(|c| c.is_whitespace() || c == '>' || c == '/')
    })
}

/// The start as text: UTF-16 when it opens with a UTF-16 byte order mark
/// (a page saved by some servers and editors), else the bytes as UTF-8,
/// its BOM dropped, invalid sequences replaced (they cannot be markup).
fn decode_start(start: &[u8]) -> String {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| from([pair[0], pair[1]])).collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = start.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = start.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
        String::from_utf8_lossy(start).into_owned()
    }
}

/// Whether the file read by `reader` is an HTML page; the reader is put back
/// at its start.
pub fn file_looks_like_html(reader: &mut (impl Read + Seek)) -> io::Result<bool> {
    let mut start = Vec::with_capacity(SNIFF_LEN);
    reader.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut start)?;
    reader.seek(SeekFrom::Start(0))?;
    Ok(looks_like_html(&start))
}

#[cfg(test)]
mod tests {
    use super::looks_like_html;

    fn utf16le(text: &str) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        bytes
    }

    #[test]
    fn pages_in_every_common_form_are_recognised() {
        for page in [
            "\r\n  <!DOCTYPE html>\n<html>",
            "<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">",
            "\u{FEFF}<HTML><body>captcha",
            "<!-- served by cdn --> \n<!-- again -->\n<div>slow down</div><html>",
            "<!-- a comment longer than the window",
            "<meta http-equiv=\"refresh\" content=\"0; url=/captcha\">",
            "<title>Just a moment…</title>",
            "<head><title>429</title></head>",
            "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
            "<body/>",
            "<script>location='/check'</script>",
        ] {
            assert!(looks_like_html(page.as_bytes()), "{page:?}");
        }
        assert!(looks_like_html(&utf16le("<!DOCTYPE html><html>")));
        let mut be = vec![0xFE, 0xFF];
        be.extend("\n<title>Just a moment...</title>".encode_utf16().flat_map(u16::to_be_bytes));
        assert!(looks_like_html(&be));
    }

    #[test]
    fn texts_are_not_taken_for_pages() {
        for text in [
            "The Project Gutenberg eBook of <Title>",
            "\u{FEFF}The Project Gutenberg",
            "<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS",
            "<header of a poem>\nand its lines",
            "<htmlish> is not a tag",
            "A book that explains the <html> element and <title> tags.",
            "",
            "   \n\n",
        ] {
            assert!(!looks_like_html(text.as_bytes()), "{text:?}");
        }
        assert!(!looks_like_html(&utf16le("The Project Gutenberg EBook <html>")));
        assert!(!looks_like_html(b"\xE9t\xE9 \xE0 Paris <html>"), "Latin-1 bytes are not markup");
    }
}
