//! `gutenfetch strip FILE…`: the cleaner on local files, for people who
//! already hold a mirror. Same rules as a fetch; files are cleaned in
//! parallel on rayon and each output is written atomically.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::atomic_file;
use crate::clean::{clean, CleanOptions};
use crate::terminal_safe::terminal_safe;
use crate::unzip::text_from_zip;
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
    let pool = crate::clean_stage::pool()?;
    let results: Vec<Result<Option<String>, String>> = pool.install(|| {
        jobs.par_iter().map(|(input, name)| strip_one(input, name.as_deref().map_err(Clone::clone)?, config)).collect()
    });

    let mut code = ExitCode::Success;
    for ((input, _), result) in jobs.iter().zip(results) {
        match result {
            Ok(Some(text)) => match std::io::stdout().lock().write_all(text.as_bytes()) {
                // A reader that has seen enough (`| head`) is not an error.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(code),
                written => written.context("writing to stdout")?,
            },
            Ok(None) => {}
            Err(message) => {
                tracing::error!("{}: {message}", input.display());
                code = ExitCode::BooksFailed;
            }
        }
    }
    Ok(code)
}

/// Cleans one input: the text itself without `--out`, `None` once written.
fn strip_one(input: &StripInput, name: &str, config: &StripConfig) -> Result<Option<String>, String> {
    let raw = read(input).map_err(|err| format!("cannot read: {err}"))?;
    let text = if raw.starts_with(b"PK\x03\x04") { text_from_zip(&raw, None, config.max_size)? } else { raw };
    let cleaned = clean(&text, &config.clean).map_err(|err| err.to_string())?;
    if !cleaned.markers_found {
        tracing::warn!("{}: no Gutenberg markers found, text kept whole", input.display());
    }
    let Some(out) = &config.out else { return Ok(Some(cleaned.text)) };
    let dest = out.join(name);
    atomic_file::write(&dest, cleaned.text.as_bytes())
        .map_err(|err| format!("cannot write {}: {err}", dest.display()))?;
    Ok(None)
}

fn read(input: &StripInput) -> std::io::Result<Vec<u8>> {
    match input {
        StripInput::Path(path) => std::fs::read(path),
        StripInput::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin().lock().read_to_end(&mut bytes)?;
            Ok(bytes)
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
