//! `gutenfetch strip FILE…`: the cleaner on local files, for people who
//! already hold a mirror. Same rules as a fetch; files are cleaned in
//! parallel on the same named rayon pool, streaming, and each output is
//! written atomically.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::atomic_file::SyncPartFile;
use crate::clean::{clean_stream, CleanError, CleanOptions, Spill};
use crate::terminal_safe::terminal_safe;
use crate::unzip::{is_zip, text_file_from_zip};
use crate::ExitCode;

/// One file to clean.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StripInput {
    Path(PathBuf),
    Stdin,
}

impl StripInput {
    fn display(&self) -> String {
        match self {
            StripInput::Path(path) => terminal_safe(&path.display().to_string()).into_owned(),
            StripInput::Stdin => "<stdin>".to_owned(),
        }
    }
}

/// A resolved `strip` command line.
#[derive(Clone, Debug)]
pub struct StripConfig {
    pub inputs: Vec<StripInput>,
    /// Where clean files go; `None` prints the one clean text to stdout.
    pub out: Option<PathBuf>,
    pub clean: CleanOptions,
    /// Largest text taken out of a zip.
    pub max_size: u64,
}

/// Cleans every input; a file that fails is reported and the others go on.
pub fn run(config: &StripConfig) -> anyhow::Result<ExitCode> {
    if let Some(out) = &config.out {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create output folder {}", out.display()))?;
    }
    let mut names = HashSet::new();
    let jobs: Vec<(&StripInput, Result<String, String>)> = config
        .inputs
        .iter()
        .map(|input| {
            let name = output_name(input);
            // Two inputs with the same file name would overwrite each other.
            let name = name.and_then(|n| {
                if names.insert(n.clone()) {
                    Ok(n)
                } else {
                    Err(format!("another input is also written as {n}"))
                }
            });
            (input, name)
        })
        .collect();
    let strip = |(input, name): &(&StripInput, Result<String, String>)| {
        strip_one(input, name.as_deref().map_err(Clone::clone), config)
    };
    let results: Vec<Result<(), Failure>> = if config.out.is_some() {
        crate::clean_stage::pool()?.install(|| jobs.par_iter().map(strip).collect())
    } else {
        // The one file for stdout is cleaned on this thread: the caller
        // holds stdout's lock (lib.rs), so no other thread could write it.
        jobs.iter().map(strip).collect()
    };

    let mut code = ExitCode::Success;
    for ((input, _), result) in jobs.iter().zip(results) {
        match result {
            Ok(()) => {}
            // A reader that has seen enough (`| head`) is not an error.
            Err(Failure::Stdout(err)) if err.kind() == io::ErrorKind::BrokenPipe => return Ok(code),
            Err(Failure::Stdout(err)) => return Err(err).context("writing to stdout"),
            Err(Failure::Book(message)) => {
                tracing::error!("{}: {message}", input.display());
                code = ExitCode::BooksFailed;
            }
        }
    }
    Ok(code)
}

/// Why one input was not cleaned.
enum Failure {
    /// This input failed; the others go on.
    Book(String),
    /// Standard output failed: nothing more can be printed.
    Stdout(io::Error),
}

/// Cleans one input, streaming: into `--out` through a temporary file
/// renamed when complete, or straight to stdout. Stdin and zips are first
/// copied to unnamed temporary files (in `--out`, else the system's folder),
/// since cleaning reads its input twice.
fn strip_one(input: &StripInput, name: Result<&str, String>, config: &StripConfig) -> Result<(), Failure> {
    let name = name.map_err(Failure::Book)?;
    let scratch_dir = config.out.clone().unwrap_or_else(std::env::temp_dir);
    let cannot_read = |err: io::Error| Failure::Book(format!("cannot read: {err}"));
    let mut file = open(input, &scratch_dir).map_err(cannot_read)?;
    if is_zip(&mut file).map_err(cannot_read)? {
        file = text_file_from_zip(file, None, config.max_size, &scratch_dir).map_err(Failure::Book)?;
    }
    // The same recogniser as a fetch's: a saved captcha or error page is not a book.
    if crate::html::file_looks_like_html(&mut file).map_err(cannot_read)? {
        return Err(Failure::Book("an HTML page, not a text: nothing to clean".to_owned()));
    }
    let len = file.metadata().map_err(cannot_read)?.len();
    let spill = Spill::In(&scratch_dir);
    let book_failure = |err: CleanError| Failure::Book(err.to_string());
    let findings = match &config.out {
        None => {
            let mut stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
            let findings =
                clean_stream(&mut file, len, spill, &config.clean, &mut stdout).map_err(|err| match err {
                    CleanError::Write(err) => Failure::Stdout(err),
                    err => book_failure(err),
                })?;
            stdout.flush().map_err(Failure::Stdout)?;
            findings
        }
        Some(out) => {
            let dest = out.join(name);
            let cannot_write = |err: io::Error| Failure::Book(format!("cannot write {}: {err}", dest.display()));
            let mut part = SyncPartFile::beside(&dest).map_err(cannot_write)?;
            let mut writer = BufWriter::with_capacity(64 * 1024, part.file());
            let findings = clean_stream(&mut file, len, spill, &config.clean, &mut writer).map_err(book_failure)?;
            writer.flush().map_err(cannot_write)?;
            drop(writer);
            part.commit(&dest).map_err(cannot_write)?;
            findings
        }
    };
    if !findings.markers_found {
        tracing::warn!("{}: no Gutenberg markers found, text kept whole", input.display());
    }
    Ok(())
}

/// The input as a file to read from its start; stdin is copied to an
/// unnamed temporary file in `scratch_dir` first.
fn open(input: &StripInput, scratch_dir: &Path) -> io::Result<File> {
    match input {
        StripInput::Path(path) => File::open(path),
        StripInput::Stdin => {
            let mut copy = tempfile::tempfile_in(scratch_dir)?;
            io::copy(&mut io::stdin().lock(), &mut copy)?;
            copy.seek(SeekFrom::Start(0))?;
            Ok(copy)
        }
    }
}

/// The clean file's name under `--out`: the input's own name, `<stem>.txt`
/// for a zip, `stdin.txt` for stdin.
fn output_name(input: &StripInput) -> Result<String, String> {
    let path = match input {
        StripInput::Stdin => return Ok("stdin.txt".to_owned()),
        StripInput::Path(path) => path,
    };
    let name = path.file_name().and_then(|n| n.to_str()).ok_or("has no usable file name")?;
    Ok(match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("zip") => format!("{}.txt", &name[..name.len() - 4]),
        _ => name.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names() {
        assert_eq!(output_name(&StripInput::Stdin).unwrap(), "stdin.txt");
        assert_eq!(output_name(&StripInput::Path("a/b/418-8.txt".into())).unwrap(), "418-8.txt");
        assert_eq!(output_name(&StripInput::Path("gwork10.ZIP".into())).unwrap(), "gwork10.txt");
        assert!(output_name(&StripInput::Path("/".into())).is_err());
    }
}
