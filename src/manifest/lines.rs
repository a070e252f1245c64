//! Line numbers for a manifest read as a stream.
//!
//! The csv crate gives each record's byte offset; its own line numbers are
//! one short with CRLF. [`LineEnds`] sits under the csv reader, notes where
//! every line end passes by, and turns a record's offset into its line. It
//! remembers only the line ends between the last record and what csv has
//! read ahead (its buffer, [`BUFFER`] bytes), in room made at the start for
//! a buffer of nothing but line ends, so a manifest of any length costs the
//! same (only a single row spanning more lines than that would need more).
//!
//! It also bounds a row: the bytes read since the last row ended (the row
//! being read, and what csv reads ahead) may not pass [`MAX_ROW`], so a
//! header or row of megabytes is an error naming its line, found having
//! read no more than that, instead of a record csv grows without end.

use std::collections::VecDeque;
use std::io::{self, Read};

/// The csv reader's buffer: manifests are small, and reads of 1 KiB keep
/// what is read ahead of the rows, and so remembered here, small too.
pub const BUFFER: usize = 1024;

/// The longest header or row accepted: 1 MiB. pg_catalog.csv's longest rows
/// are a few KiB (long subject lists); a longer row is not a manifest's.
pub const MAX_ROW: u64 = 1 << 20;

/// Marks an offset in `ends` as a `\n` (offsets never reach 2^63).
const NEWLINE: u64 = 1 << 63;

pub struct LineEnds<R> {
    inner: R,
    /// Bytes read so far: the offset of the next byte.
    read: u64,
    /// Offsets of the `\r` and `\n` bytes not yet passed, `\n`s marked [`NEWLINE`].
    ends: VecDeque<u64>,
    /// The line of the last record asked about (the header is line 1).
    line: u64,
    /// Where the row being read starts: the end of the last row read.
    row_start: u64,
}

impl<R: Read> LineEnds<R> {
    pub fn new(inner: R) -> Self {
        LineEnds { inner, read: 0, ends: VecDeque::with_capacity(BUFFER), line: 1, row_start: 0 }
    }

    /// A row (or the header) ended at `byte`: the next one starts there.
    pub fn row_ended(&mut self, byte: u64) {
        self.row_start = self.row_start.max(byte);
    }

    /// The line a record starting at `byte` is on, for offsets that only
    /// ever grow. A record's offset may point at the line end that precedes
    /// it, so line-end bytes there are passed over first.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = byte;
        while let Some(&end) = self.ends.front() {
            let at = end & !NEWLINE;
            if at > start {
                break;
            }
            if at == start {
                start += 1;
            }
            self.line += u64::from(end & NEWLINE != 0);
            self.ends.pop_front();
        }
        self.line
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.saturating_sub(self.row_start) > MAX_ROW + BUFFER as u64 {
            let line = self.line_at(self.row_start);
            let what = if line == 1 { "the header" } else { "a row" };
            let message = format!("line {line}: {what} is longer than {} MiB (not a manifest)", MAX_ROW >> 20);
            return Err(io::Error::new(io::ErrorKind::InvalidData, message));
        }
        let n = self.inner.read(buf)?;
        let offset = self.read;
        let mark = |i: usize| (offset + i as u64) | if buf[i] == b'\n' { NEWLINE } else { 0 };
        self.ends.extend(memchr::memchr2_iter(b'\r', b'\n', &buf[..n]).map(mark));
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` through the tracker in pieces of `step` bytes, asking
    /// for the line of each offset in `offsets` once the bytes are past it.
    fn lines_of(text: &[u8], step: usize, offsets: &[u64]) -> Vec<u64> {
        let mut ends = LineEnds::new(text);
        let mut buf = vec![0; step];
        while ends.read(&mut buf).unwrap() > 0 {}
        offsets.iter().map(|&at| ends.line_at(at)).collect()
    }

    #[test]
    fn a_record_offset_at_a_line_end_belongs_to_the_next_line() {
        // Records at 0, at 1 (the CR before b, as csv may give) and at 6 or 8 (c).
        let text = b"a\r\nb\r\n\r\nc";
        for step in [1, 3, 64] {
            assert_eq!(lines_of(text, step, &[0, 1, 8]), [1, 2, 4], "step {step}");
            assert_eq!(lines_of(text, step, &[0, 3, 6]), [1, 2, 4], "step {step}");
        }
        assert_eq!(lines_of(b"h\nx\n\n\ny\n", 2, &[2, 6]), [2, 5]);
    }

    #[test]
    fn a_row_past_the_limit_is_an_error_naming_its_line() {
        let mut text = b"h\n1\n2\n".to_vec();
        text.extend(std::iter::repeat_n(b'9', 3 * MAX_ROW as usize));
        let mut ends = LineEnds::new(text.as_slice());
        ends.row_ended(2);
        ends.line_at(2);
        ends.row_ended(4);
        ends.line_at(4);
        ends.row_ended(6);
        let mut buf = vec![0; 4096];
        let mut read = 0;
        let err = loop {
            match ends.read(&mut buf) {
                Ok(n) => read += n,
                Err(err) => break err,
            }
        };
        assert_eq!(err.to_string(), "line 4: a row is longer than 1 MiB (not a manifest)");
        assert!(read as u64 <= MAX_ROW + 2 * BUFFER as u64 + 4096, "{read} bytes read");
    }
}
