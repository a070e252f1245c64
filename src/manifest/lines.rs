//! Line numbers for a manifest read as a stream.
//!
//! The csv crate gives each record's byte offset; its own line numbers are
//! one short with CRLF. [`LineEnds`] sits under the csv reader, notes where
//! every line end passes by, and turns a record's offset into its line. It
//! remembers only the line ends between the last record and what csv has
//! read ahead (its buffer, 8 KiB), so a manifest of any size costs the same.

use std::collections::VecDeque;
use std::io::{self, Read};

pub struct LineEnds<R> {
    inner: R,
    /// Bytes read so far: the offset of the next byte.
    read: u64,
    /// Offsets of the `\r` and `\n` bytes not yet passed, and whether each is `\n`.
    ends: VecDeque<(u64, bool)>,
    /// The line of the last record asked about (the header is line 1).
    line: u64,
}

impl<R: Read> LineEnds<R> {
    pub fn new(inner: R) -> Self {
        LineEnds { inner, read: 0, ends: VecDeque::new(), line: 1 }
    }

    /// The line a record starting at `byte` is on, for offsets that only
    /// ever grow. A record's offset may point at the line end that precedes
    /// it, so line-end bytes there are passed over first.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = byte;
        while let Some(&(at, newline)) = self.ends.front() {
            if at > start {
                break;
            }
            if at == start {
                start += 1;
            }
            self.line += u64::from(newline);
            self.ends.pop_front();
        }
        self.line
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let offset = self.read;
        self.ends.extend(memchr::memchr2_iter(b'\r', b'\n', &buf[..n]).map(|i| (offset + i as u64, buf[i] == b'\n')));
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
}
