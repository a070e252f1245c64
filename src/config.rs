//! Everything a run needs, resolved from the command line: the stages see
//! this, never clap.

use std::path::PathBuf;

use crate::clean::CleanOptions;
use crate::fetch::Limits;
use crate::manifest::ManifestSource;
use crate::mirror::{Layout, Mirror};
use crate::retry::RetryPolicy;
use crate::select::Selection;

#[derive(Clone, Debug)]
pub struct Config {
    pub manifest: ManifestSource,
    /// Output folder: clean books at the top, raw copies in `raw/`.
    pub out: PathBuf,
    /// Where the JSON report goes.
    pub report: PathBuf,
    pub mirror: Mirror,
    pub layout: Layout,
    /// Books in flight at once.
    pub jobs: usize,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// Which books of the manifest this run takes.
    pub selection: Selection,
    /// Fetch again even books whose clean text exists.
    pub force: bool,
    /// Ask the mirror whether complete books changed, and fetch those again.
    pub update: bool,
    pub clean: CleanOptions,
    /// Where to write the JSONL dataset after the run (`-` for stdout).
    pub jsonl: Option<PathBuf>,
    /// Find every book and print what would be fetched, in this format, instead of fetching.
    pub dry_run: Option<OutputFormat>,
}

/// How `--dry-run` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    Text,
    /// One JSON document for scripts.
    Json,
}
