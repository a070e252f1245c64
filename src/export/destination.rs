//! Where the dataset goes: stdout, or a file that is complete or absent,
//! compressed when its name ends in `.gz` (gzip) or `.zst` (zstandard).

use std::io::{self, BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;

use crate::atomic_file::SyncPartFile;

/// A dataset being written.
pub enum Destination {
    Stdout(BufWriter<Stdout>),
    // Boxed: the encoders are large, and there is one destination per export.
    File(Box<FileDestination>),
}

pub struct FileDestination {
    part: SyncPartFile,
    dest: PathBuf,
    writer: Writer,
}

/// The file's bytes, as they are written to the temporary file.
pub enum Writer {
    Plain(BufWriter<std::fs::File>),
    Gzip(GzEncoder<BufWriter<std::fs::File>>),
    Zstd(zstd::Encoder<'static, BufWriter<std::fs::File>>),
}

impl Destination {
    /// `-` is stdout; a file is written beside `dest` and renamed at [`Destination::commit`].
    pub fn create(dest: &Path) -> io::Result<Destination> {
        if dest.as_os_str() == "-" {
            return Ok(Destination::Stdout(BufWriter::with_capacity(super::BUFFER, io::stdout())));
        }
        let mut part = SyncPartFile::beside(dest)?;
        let file = BufWriter::with_capacity(super::BUFFER, part.file().try_clone()?);
        let writer = match dest.extension().and_then(|e| e.to_str()) {
            Some("gz") => Writer::Gzip(GzEncoder::new(file, flate2::Compression::default())),
            Some("zst") => Writer::Zstd(zstd::Encoder::new(file, 3)?),
            _ => Writer::Plain(file),
        };
        Ok(Destination::File(Box::new(FileDestination { part, dest: dest.to_owned(), writer })))
    }

    /// Ends the stream and, for a file, puts it in place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Destination::Stdout(mut out) => out.flush(),
            Destination::File(file) => {
                let FileDestination { part, dest, writer } = *file;
                let mut file = match writer {
                    Writer::Plain(file) => file,
                    Writer::Gzip(gzip) => gzip.finish()?,
                    Writer::Zstd(zstd) => zstd.finish()?,
                };
                file.flush()?;
                drop(file);
                part.commit(&dest)
            }
        }
    }
}

impl Destination {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Destination::Stdout(out) => out,
            Destination::File(file) => match &mut file.writer {
                Writer::Plain(w) => w,
                Writer::Gzip(w) => w,
                Writer::Zstd(w) => w,
            },
        }
    }
}

impl Write for Destination {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.writer().write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer().write_all(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}
