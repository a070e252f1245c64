//! `gutenfetch strip`: the flags of the local cleaning command.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use crate::clean::CleanOptions;
use crate::strip::{StripConfig, StripInput};

#[derive(Debug, Args)]
pub struct StripArgs {
    /// Gutenberg text files (or their zips) to clean; `-` reads stdin.
    ///
    /// With one file and no --out, the clean text goes to stdout.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Write each clean text to DIR/<file name> (`stdin.txt` for `-`, `<name>.txt` for a zip).
    ///
    /// DIR is created when missing; each file appears only complete. Without
    /// --out, the one file's clean text goes to stdout (several files need
    /// --out).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Keep "Produced by …" credit lines that follow the Gutenberg header.
    ///
    /// Without --keep-credits, the credits block right after the header is
    /// removed with it, as in a fetch.
    #[arg(long)]
    pub keep_credits: bool,

    /// Largest text accepted from a zip, in MiB [default: 256].
    ///
    /// A zip whose text is larger fails that file; the others still run.
    #[arg(long, value_name = "MIB", default_value_t = 256, hide_default_value = true,
          value_parser = super::numbers::from_to::<u64>(1, 65536))]
    pub max_size: u64,

    /// Debugging lines too: -v for gutenfetch's, -vv for its traces.
    ///
    /// Without -v: a warning for each text kept whole (no Gutenberg markers
    /// found) or whose encoding was guessed, and an error for each file that
    /// could not be cleaned. `RUST_LOG` overrides this.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors: no warnings.
    ///
    /// Without --quiet, warnings are logged too (see --verbose).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl StripArgs {
    pub fn into_config(self) -> anyhow::Result<StripConfig> {
        if self.out.is_none() && self.files.len() > 1 {
            bail!("strip: {} files need --out DIR (only one can go to stdout)", self.files.len());
        }
        let inputs = self
            .files
            .into_iter()
            .map(|path| if path.as_os_str() == "-" { StripInput::Stdin } else { StripInput::Path(path) })
            .collect();
        Ok(StripConfig {
            inputs,
            out: self.out,
            clean: CleanOptions { keep_credits: self.keep_credits },
            max_size: self.max_size * 1024 * 1024,
        })
    }
}
