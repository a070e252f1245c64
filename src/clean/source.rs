//! Where the cleaner reads a text from, a window at a time: bytes in memory
//! (the in-memory cleaner) or a file (the clean stage and `strip`), and where
//! a re-encoded copy goes while it is cleaned.
//!
//! Both sources go through the same engine; a file is never read whole. A
//! pass asks for a window of whole lines ([`window_at`]); the layout asks for
//! the lines near one place ([`lines_at`]). A file source keeps one buffer of
//! about a window (larger only while a single line is longer, up to
//! [`MAX_LINE`]: a longer line fails the text, so a crafted file of one
//! enormous line cannot make the cleaner hold it whole).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use memchr::memrchr;

use super::layout::{whole_lines, CONTEXT};
use super::reuse::{self, Reused};
use super::CleanError;

/// How much a pass reads at a time.
pub(crate) const WINDOW: usize = 128 * 1024;

/// The longest line cleaned: 4 MiB. Gutenberg's texts have lines of under a
/// few hundred bytes (a paragraph per line is a few KiB); a text with a line
/// longer than this is not a book, and cleaning it would hold the line.
pub const MAX_LINE: usize = 4 << 20;

/// A text to clean, read by offset.
pub(crate) trait Source {
    /// Its length in bytes.
    fn len(&self) -> u64;
    /// Bytes from `pos`: `max` of them, or fewer only at the end.
    fn read_at(&mut self, pos: u64, max: usize) -> io::Result<&[u8]>;
    /// How much a pass reads at a time.
    fn window(&self) -> usize;
}

/// Whole lines from `pos` (a line start) up to `end`: about `want` bytes, cut
/// back to a line end unless they reach `end`; more if one line is longer.
/// Empty only when `pos >= end` (or the input ends early). A line longer
/// than [`MAX_LINE`] is an error, found having read no more than that.
pub(crate) fn window_at(src: &mut dyn Source, pos: u64, end: u64, want: usize) -> Result<&[u8], CleanError> {
    let available = end.saturating_sub(pos);
    let mut want = want.max(1) as u64;
    let len = loop {
        let take = want.min(available) as usize;
        let bytes = src.read_at(pos, take).map_err(CleanError::Read)?;
        if bytes.len() < take || take as u64 == available {
            break bytes.len();
        }
        if let Some(newline) = memrchr(b'\n', bytes) {
            break newline + 1;
        }
        if take >= MAX_LINE {
            return Err(CleanError::LineTooLong { at: pos });
        }
        want = want.saturating_mul(2).min(MAX_LINE as u64);
    };
    src.read_at(pos, len).map_err(CleanError::Read)
}

/// Whole lines from `pos` up to `end`, at most [`CONTEXT`] bytes of them:
/// what the layout looks at near the header end and after each cut.
pub(crate) fn lines_at(src: &mut dyn Source, pos: u64, end: u64) -> io::Result<&[u8]> {
    let take = end.saturating_sub(pos).min(CONTEXT as u64) as usize;
    let bytes = src.read_at(pos, take)?;
    let reaches_end = pos + bytes.len() as u64 >= end;
    Ok(whole_lines(bytes, CONTEXT, reaches_end))
}

/// A text in memory.
pub(crate) struct MemSource<B> {
    bytes: B,
    window: usize,
}

impl<B: AsRef<[u8]>> MemSource<B> {
    pub fn new(bytes: B, window: usize) -> Self {
        MemSource { bytes, window }
    }
}

impl<B: AsRef<[u8]>> Source for MemSource<B> {
    fn len(&self) -> u64 {
        self.bytes.as_ref().len() as u64
    }

    fn read_at(&mut self, pos: u64, max: usize) -> io::Result<&[u8]> {
        let bytes = self.bytes.as_ref();
        let start = (pos as usize).min(bytes.len());
        Ok(&bytes[start..start + max.min(bytes.len() - start)])
    }

    fn window(&self) -> usize {
        self.window
    }
}

/// A text read from a file (or anything seekable), through one buffer.
pub(crate) struct ReadSource<R> {
    inner: R,
    len: u64,
    window: usize,
    buf: Reused,
    /// Offset of `buf[0]` in the text; `buf[..filled]` is valid.
    buf_pos: u64,
    filled: usize,
    /// Where `inner` will read next.
    inner_pos: Option<u64>,
}

impl<R: Read + Seek> ReadSource<R> {
    pub fn new(inner: R, len: u64, window: usize) -> Self {
        ReadSource { inner, len, window, buf: reuse::take(), buf_pos: 0, filled: 0, inner_pos: None }
    }
}

impl<R: Read + Seek> Source for ReadSource<R> {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, pos: u64, max: usize) -> io::Result<&[u8]> {
        let want_end = pos.saturating_add(max as u64).min(self.len).max(pos);
        let want = (want_end - pos) as usize;
        let buffered_end = self.buf_pos + self.filled as u64;
        if pos >= self.buf_pos && want_end <= buffered_end {
            let from = (pos - self.buf_pos) as usize;
            return Ok(&self.buf[from..from + want]);
        }
        // Keep what is buffered from `pos` on (the part of a line a window
        // cut off), and read only the rest.
        if pos >= self.buf_pos && pos <= buffered_end {
            let from = (pos - self.buf_pos) as usize;
            self.buf.copy_within(from..self.filled, 0);
            self.filled -= from;
        } else {
            self.filled = 0;
        }
        self.buf_pos = pos;
        if self.buf.len() < want {
            // Exactly, not doubling: the buffer is kept from book to book.
            let len = self.buf.len();
            self.buf.reserve_exact(want - len);
            self.buf.resize(want, 0);
        }
        let read_from = pos + self.filled as u64;
        if self.inner_pos != Some(read_from) {
            self.inner.seek(SeekFrom::Start(read_from))?;
            self.inner_pos = Some(read_from);
        }
        while self.filled < want {
            let n = match self.inner.read(&mut self.buf[self.filled..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            self.filled += n;
            self.inner_pos = Some(pos + self.filled as u64);
        }
        Ok(&self.buf[..want.min(self.filled)])
    }

    fn window(&self) -> usize {
        self.window
    }
}

/// Where a re-encoded copy of a text goes while it is cleaned.
#[derive(Clone, Copy, Debug)]
pub enum Spill<'a> {
    /// In memory: the in-memory cleaner, which holds the text anyway.
    Memory,
    /// An unnamed temporary file in this folder (the output's), which the
    /// system removes even if the process is killed.
    In(&'a Path),
}

/// A re-encoded copy being written. The file is written unbuffered: the
/// transcoder writes it a 64 KiB chunk at a time anyway.
pub(crate) enum Scratch {
    Memory(Vec<u8>),
    File(File),
}

impl Scratch {
    /// A copy of a text of about `len` bytes (room is made for that much in
    /// memory; re-encoded Latin-1 grows a little).
    pub fn new(spill: Spill, len: u64) -> io::Result<Scratch> {
        Ok(match spill {
            Spill::Memory => Scratch::Memory(Vec::with_capacity(len as usize + len as usize / 8)),
            Spill::In(dir) => Scratch::File(tempfile::tempfile_in(dir)?),
        })
    }

    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            Scratch::Memory(bytes) => bytes,
            Scratch::File(file) => file,
        }
    }

    /// The copy, complete, as a text to clean.
    pub fn into_source(self, window: usize) -> io::Result<AnySource> {
        Ok(match self {
            Scratch::Memory(bytes) => AnySource::Memory(MemSource::new(bytes, window)),
            Scratch::File(file) => {
                let len = file.metadata()?.len();
                AnySource::File(ReadSource::new(file, len, window))
            }
        })
    }
}

/// A re-encoded copy to clean.
pub(crate) enum AnySource {
    Memory(MemSource<Vec<u8>>),
    File(ReadSource<File>),
}

impl Source for AnySource {
    fn len(&self) -> u64 {
        match self {
            AnySource::Memory(s) => s.len(),
            AnySource::File(s) => s.len(),
        }
    }

    fn read_at(&mut self, pos: u64, max: usize) -> io::Result<&[u8]> {
        match self {
            AnySource::Memory(s) => s.read_at(pos, max),
            AnySource::File(s) => s.read_at(pos, max),
        }
    }

    fn window(&self) -> usize {
        match self {
            AnySource::Memory(s) => s.window(),
            AnySource::File(s) => s.window(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    fn windows(src: &mut dyn Source, want: usize) -> Vec<String> {
        let (mut pos, mut out) = (0, Vec::new());
        let len = src.len();
        while pos < len {
            let w = window_at(src, pos, len, want).unwrap().to_vec();
            pos += w.len() as u64;
            out.push(String::from_utf8(w).unwrap());
        }
        out
    }

    #[test]
    fn windows_are_whole_lines_from_memory_and_from_a_reader() {
        let text = "ab\ncdefgh\n\nij";
        // A window doubles until it holds a line end, then keeps all it read.
        let expected = ["ab\n", "cdefgh\n\n", "ij"];
        assert_eq!(windows(&mut MemSource::new(text, 2), 2), expected);
        assert_eq!(windows(&mut ReadSource::new(Cursor::new(text), text.len() as u64, 2), 2), expected);
        let mut big = ReadSource::new(Cursor::new(text), text.len() as u64, 64);
        assert_eq!(windows(&mut big, 64), [text]);
    }

    #[test]
    fn a_line_longer_than_the_limit_fails_having_read_no_more_than_the_limit() {
        let mut text = vec![b'x'; 3 * MAX_LINE];
        text[10] = b'\n';
        let mut src = ReadSource::new(Cursor::new(&text), text.len() as u64, 64);
        assert_eq!(window_at(&mut src, 0, text.len() as u64, 64).unwrap().len(), 11);
        let err = window_at(&mut src, 11, text.len() as u64, 64).unwrap_err();
        assert!(matches!(err, CleanError::LineTooLong { at: 11 }), "{err}");
        assert!(src.buf.capacity() <= MAX_LINE, "the buffer stayed within the limit: {}", src.buf.capacity());
        // A last line without a line end, under the limit, is fine.
        let last = vec![b'x'; MAX_LINE - 1];
        let mut src = MemSource::new(&last, 64);
        assert_eq!(window_at(&mut src, 0, MAX_LINE as u64 - 1, 64).unwrap().len(), MAX_LINE - 1);
    }

    #[test]
    fn a_reader_serves_any_offset_again() {
        let text: Vec<u8> = (0..=255).collect();
        let mut src = ReadSource::new(Cursor::new(text.clone()), 256, 16);
        assert_eq!(src.read_at(10, 5).unwrap(), &text[10..15]);
        assert_eq!(src.read_at(12, 40).unwrap(), &text[12..52]);
        assert_eq!(src.read_at(200, 100).unwrap(), &text[200..]);
        assert_eq!(src.read_at(3, 2).unwrap(), &text[3..5]);
        assert_eq!(lines_at(&mut src, 250, 256).unwrap(), &text[250..]);
    }

    #[test]
    fn scratch_round_trips_in_memory_and_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        for spill in [Spill::Memory, Spill::In(dir.path())] {
            let mut scratch = Scratch::new(spill, 8).unwrap();
            scratch.writer().write_all(b"one\ntwo\n").unwrap();
            let mut src = scratch.into_source(4).unwrap();
            assert_eq!(src.read_at(4, 100).unwrap(), b"two\n");
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "unnamed temporary files");
    }
}
