//! A folder's index page (nginx autoindex, Apache `Indexes`) read for its
//! file names and, where each line shows them, the date and size: what a
//! server without `ETag` or `Last-Modified` tells of its files' versions.

use crate::fetch::version::Validators;

/// File names linked from an index page, each with the date and size its
/// line shows (nginx: `22-Nov-2026 03:00  242634`; Apache: `2026-11-22
/// 03:00  237K`, a rounded size, not kept). Each name is the last path
/// segment of a relative `href`, percent-decoded. Parent links, absolute
/// links, sort links (`?C=M;O=A`) and fragments are dropped.
pub(super) fn index_entries(html: &str) -> Vec<(String, Validators)> {
    let lower = html.to_ascii_lowercase();
    let mut names = Vec::new();
    let mut rest = 0;
    while let Some(found) = lower[rest..].find("href=") {
        let start = rest + found + "href=".len();
        rest = start;
        let Some(quote) = html[start..].chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        let value_start = start + 1;
        let Some(len) = html[value_start..].find(quote) else { break };
        let href = &html[value_start..value_start + len];
        rest = value_start + len;
        let href = href.split(['?', '#']).next().unwrap_or("");
        if href.is_empty() || href.starts_with('/') || href.contains("://") || href.starts_with("..") {
            continue;
        }
        let name = href.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy().into_owned();
        if !name.is_empty() && name != "." {
            names.push((name, listed_version(line_after_link(html, &lower, rest))));
        }
    }
    names
}

/// The text of an index line after the link that starts before `from`, tags removed.
fn line_after_link(html: &str, lower: &str, from: usize) -> String {
    let Some(close) = lower[from..].find("</a>") else { return String::new() };
    let start = from + close + "</a>".len();
    let line = &html[start..start + html[start..].find('\n').unwrap_or(html.len() - start)];
    let mut text = String::new();
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// The date (`22-Nov-2026 03:00`, `2026-11-22 03:00`) and an exact size in
/// bytes, when an index line shows them.
fn listed_version(line: String) -> Validators {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(at) = words.windows(2).position(|pair| {
        let is_day = pair[0].contains('-') && pair[0].bytes().any(|b| b.is_ascii_digit());
        let is_time = pair[1].len() >= 4 && pair[1].bytes().all(|b| b.is_ascii_digit() || b == b':');
        is_day && is_time && pair[1].contains(':')
    }) else {
        return Validators::default();
    };
    let size = words.get(at + 2).and_then(|word| word.parse().ok());
    Validators { listed: Some(format!("{} {}", words[at], words[at + 1])), size, ..Validators::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_pages_of_nginx_and_apache_yield_file_names() {
        let nginx = r#"<html><head><title>Index of /4/1/418/</title></head><body><h1>Index of /4/1/418/</h1><hr><pre><a href="../">../</a>
<a href="418-h/">418-h/</a>                                             09-Jan-2021 10:00       -
<a href="old/">old/</a>                                               09-Jan-2021 10:00       -
<a href="418.txt">418.txt</a>                                           09-Jan-2021 10:00  242634
<a href="418.txt.20030101">418.txt.20030101</a>
</pre><hr></body></html>"#;
        assert_eq!(index_names(nginx), ["418-h", "old", "418.txt", "418.txt.20030101"]);
        let apache = r##"<tr><td><a href="?C=N;O=D">Name</a></td><td><a HREF='/parent/'>Parent</a><a href='418%2D0.txt'>x</a><a href="https://elsewhere/418-0.zip">y</a><a href="#top">t</a>"##;
        assert_eq!(index_names(apache), ["418-0.txt"]);
        let entries = index_entries(nginx);
        let listed = |at: usize| (entries[at].1.listed.as_deref(), entries[at].1.size);
        assert_eq!(listed(2), (Some("09-Jan-2021 10:00"), Some(242634)));
        assert_eq!(listed(1), (Some("09-Jan-2021 10:00"), None));
        assert_eq!(listed(3), (None, None));
        let apache_row = "<tr><td><a href=\"418-0.txt\">418-0.txt</a></td><td align=\"right\">2026-11-22 03:00  </td><td align=\"right\">237K</td></tr>\n";
        assert_eq!(index_entries(apache_row)[0].1.listed.as_deref(), Some("2026-11-22 03:00"));
        assert_eq!(index_entries(apache_row)[0].1.size, None);
    }

    fn index_names(html: &str) -> Vec<String> {
        index_entries(html).into_iter().map(|(name, _)| name).collect()
    }
}
