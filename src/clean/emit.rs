//! Pass 2: the kept pieces of the text, written out with every line end as
//! `\n` and, for a book whose markers were found, the blank lines at both of
//! its ends trimmed, so that it ends in exactly one `\n`.
//!
//! Streams: it is handed whole lines a window at a time and holds back only
//! the blank lines it has not yet seen the end of, so a book of any size
//! passes through a few buffers of window size.
//!
//! Line ends: CRLF and the CR CR LF of badly saved files are one line break
//! (never an extra blank line); a bare CR (old Mac) is a line break too.

use std::io::{self, Write};

use memchr::{memchr, memrchr};

use super::counts::TextCounts;
use super::line_ends::normalize_into;
use super::lines::{is_blank, is_space};
use super::reuse::{self, Reused};

/// Whether the text is the book (trimmed) or a text kept whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// No markers: every line is kept; only line ends change, and a missing
    /// final `\n` is added.
    Whole,
    /// The book: blank lines at both ends go.
    Trimmed,
}

/// Writes the clean text to `out`.
pub(crate) struct Emitter<'w> {
    out: &'w mut dyn Write,
    mode: Mode,
    /// A non-blank line has been written.
    started: bool,
    /// Blank lines after the last line written, held back until more text
    /// shows they are not the end.
    pending: Reused,
    normalized: Reused,
    written: u64,
    counts: TextCounts,
    ends_with_newline: bool,
}

impl<'w> Emitter<'w> {
    pub fn new(out: &'w mut dyn Write, mode: Mode) -> Self {
        Emitter {
            out,
            mode,
            started: false,
            pending: reuse::take(),
            normalized: reuse::take(),
            written: 0,
            counts: TextCounts::default(),
            ends_with_newline: false,
        }
    }

    /// Takes the next whole lines of the kept text; only the very last line
    /// of the text may lack its `\n`.
    pub fn push(&mut self, lines: &[u8]) -> io::Result<()> {
        if memchr(b'\r', lines).is_none() {
            return self.push_normalized(lines);
        }
        let mut normalized = std::mem::take(&mut self.normalized);
        let end = normalize_into(lines, &mut normalized, 0);
        let result = self.push_normalized(&normalized[..end]);
        self.normalized = normalized;
        result
    }

    /// Ends the text: `Ok(None)` if a book turned out to be nothing but
    /// blank lines, else the bytes written and their lines and words.
    pub fn finish(mut self) -> io::Result<Option<(u64, TextCounts)>> {
        match self.mode {
            Mode::Whole if self.written > 0 && !self.ends_with_newline => self.write(b"\n")?,
            Mode::Trimmed if !self.started => return Ok(None),
            _ => {}
        }
        Ok(Some((self.written, self.counts)))
    }

    fn push_normalized(&mut self, chunk: &[u8]) -> io::Result<()> {
        match self.mode {
            Mode::Whole => self.write(chunk),
            Mode::Trimmed => self.push_trimmed(chunk),
        }
    }

    fn push_trimmed(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        if !self.started {
            let Some(first) = first_content_line(chunk) else { return Ok(()) };
            chunk = &chunk[first..];
            self.started = true;
        }
        let Some(end) = content_end(chunk) else {
            self.pending.extend_from_slice(chunk);
            return Ok(());
        };
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.write(&pending)?;
            self.pending = pending;
            self.pending.clear();
        }
        self.write(&chunk[..end])?;
        self.write(b"\n")?;
        let rest = &chunk[end..];
        self.pending.extend_from_slice(rest.strip_prefix(b"\n").unwrap_or(rest));
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some(&last) = bytes.last() {
            self.out.write_all(bytes)?;
            self.written += bytes.len() as u64;
            self.counts.add(bytes);
            self.ends_with_newline = last == b'\n';
        }
        Ok(())
    }
}

/// Offset of the first non-blank line of `chunk`, if any.
fn first_content_line(chunk: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let first = from + chunk[from..].iter().position(|&b| !is_space(b))?;
        let line_start = memrchr(b'\n', &chunk[..first]).map_or(0, |i| i + 1);
        let line_end = memchr(b'\n', &chunk[first..]).map_or(chunk.len(), |i| first + i);
        if chunk[first] < 0x80 || !is_blank(&chunk[line_start..line_end]) {
            return Some(line_start);
        }
        from = line_end;
    }
}

/// Offset where the last non-blank line of `chunk` ends (before its `\n`).
fn content_end(chunk: &[u8]) -> Option<usize> {
    let mut end = chunk.len();
    loop {
        let last = chunk[..end].iter().rposition(|&b| !is_space(b))?;
        let line_start = memrchr(b'\n', &chunk[..last]).map_or(0, |i| i + 1);
        let line_end = memchr(b'\n', &chunk[last..]).map_or(chunk.len(), |i| last + i);
        if chunk[last] < 0x80 || !is_blank(&chunk[line_start..line_end]) {
            return Some(line_end);
        }
        end = line_start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emit(mode: Mode, chunks: &[&str]) -> Option<String> {
        let mut out = Vec::new();
        let mut e = Emitter::new(&mut out, mode);
        for c in chunks {
            e.push(c.as_bytes()).unwrap();
        }
        let (n, counts) = e.finish().unwrap()?;
        assert_eq!(n as usize, out.len());
        let mut whole = TextCounts::default();
        whole.add(&out);
        assert_eq!(counts, whole, "counted piece by piece as on the whole text");
        Some(String::from_utf8(out).unwrap())
    }

    #[test]
    fn trims_blank_lines_across_chunks() {
        let t = emit(Mode::Trimmed, &["\n  \n", "\u{a0}\nA\n\n", "  \n", "B  \n\n", "\n\u{3000}\n"]);
        assert_eq!(t.as_deref(), Some("A\n\n  \nB  \n"));
        assert_eq!(emit(Mode::Trimmed, &["\n", " \r\n"]), None);
        assert_eq!(emit(Mode::Trimmed, &["x"]).as_deref(), Some("x\n"));
    }

    #[test]
    fn stray_bare_cr_does_not_leave_a_blank_edge() {
        assert_eq!(emit(Mode::Trimmed, &["\r<\r\nx\r\n\r"]).as_deref(), Some("<\nx\n"));
    }

    #[test]
    fn whole_text_keeps_every_line_and_ends_with_lf() {
        assert_eq!(emit(Mode::Whole, &["\n\n a\r\n", "\r\nb"]).as_deref(), Some("\n\n a\n\nb\n"));
        assert_eq!(emit(Mode::Whole, &[]).as_deref(), Some(""));
    }
}
