//! The command line: what the user typed, parsed and documented by clap, and
//! [`Cli::into_config`], the one place that turns it into a [`Config`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::Parser;

use crate::clean::CleanOptions;
use crate::config::Config;
use crate::fetch::Limits;
use crate::manifest::ManifestSource;
use crate::mirror::{Layout, Mirror, DEFAULT_MIRROR};
use crate::retry::RetryPolicy;

/// Fetch Project Gutenberg plain texts listed in a CSV manifest from a mirror,
/// strip the Gutenberg header, footer and licence, and keep the raw bytes.
#[derive(Debug, Parser)]
#[command(name = "gutenfetch", version, about, long_about = None)]
pub struct Cli {
    /// CSV manifest of books (`-` for stdin).
    ///
    /// Needs a header row with an ebook-number column named `FileNumber` or
    /// `Text#` (Project Gutenberg's pg_catalog.csv); `Title` and `author` or
    /// `Authors` are used when present. Rows of pg_catalog.csv whose `Type` is
    /// not `Text` are skipped. Bad rows are reported with their line and
    /// skipped.
    #[arg(long, short = 'm', value_name = "FILE", default_value = "ingest_file/Gutenberg_files.csv")]
    pub manifest: PathBuf,

    /// Output folder: clean books as OUT/<N>.txt, raw copies in OUT/raw/.
    #[arg(long, short = 'o', value_name = "OUT", default_value = "downloads")]
    pub out: PathBuf,

    /// Mirror to fetch from: https://, http://, ftp:// or file:// [default: https://aleph.gutenberg.org/].
    ///
    /// The URL names the root of a Gutenberg tree, where ebook 418 lives in
    /// 4/1/418/: a public HTTPS mirror, an FTP server
    /// (ftp://[user[:password]@]host[:port]/path/, anonymous without a user),
    /// or a local copy made with rsync (file:///srv/gutenberg/, or just the
    /// folder's path).
    #[arg(long, env = "GUTENFETCH_MIRROR", value_name = "URL", default_value = DEFAULT_MIRROR, hide_default_value = true)]
    pub mirror: String,

    /// How the mirror lays out books.
    ///
    /// `folders`: the main collection (4/1/418/418-0.txt, its zips, old/).
    /// `generated`: the generated collection, cache/epub/418/pg418.txt, one
    /// predictable UTF-8 file per book.
    #[arg(long, value_enum, default_value_t = Layout::Folders)]
    pub layout: Layout,

    /// Books in flight at once (1 to 64).
    ///
    /// Each book in flight uses one connection to the mirror; be polite to
    /// public mirrors.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,

    /// Seconds to wait for a connection, a reply, or the next bytes of a transfer.
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Largest file accepted, in MiB; a larger transfer fails its book.
    ///
    /// The largest Gutenberg plain texts are a few tens of MB.
    #[arg(long, value_name = "MIB", default_value_t = 256,
          value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_size: u64,

    /// Retries of a request that failed for a passing reason (dropped
    /// connection, timeout, HTTP 5xx or 429, FTP 4xx, short transfer).
    ///
    /// Each retry waits longer (exponential backoff with jitter, at most 30 s,
    /// or what the server asks with Retry-After, up to 2 minutes). Missing files
    /// and other permanent failures are never retried.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub retries: u32,

    /// Fetch every book again, even those whose clean text is already in OUT.
    #[arg(long)]
    pub force: bool,

    /// Keep "Produced by …" credit lines that follow the Gutenberg header.
    #[arg(long)]
    pub keep_credits: bool,

    /// Where to write the JSON report [default: OUT/gutenfetch-report.json].
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// No progress bars.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl Cli {
    /// Validates what was typed and resolves defaults into a [`Config`].
    pub fn into_config(self) -> anyhow::Result<Config> {
        let manifest =
            if self.manifest.as_os_str() == "-" { ManifestSource::Stdin } else { ManifestSource::Path(self.manifest) };
        if self.out.as_os_str().is_empty() {
            bail!("--out must name a folder");
        }
        let report = self.report.unwrap_or_else(|| self.out.join("gutenfetch-report.json"));
        Ok(Config {
            manifest,
            mirror: Mirror::parse(&self.mirror)?,
            layout: self.layout,
            report,
            out: self.out,
            jobs: usize::from(self.jobs),
            limits: Limits { timeout: Duration::from_secs(self.timeout), max_size: self.max_size * 1024 * 1024 },
            retry: RetryPolicy::new(self.retries),
            force: self.force,
            clean: CleanOptions { keep_credits: self.keep_credits },
            progress: !self.quiet,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_resolve() {
        let cli = Cli::try_parse_from(["gutenfetch"]).unwrap();
        let config = cli.into_config().unwrap();
        assert_eq!(config.mirror, Mirror::parse(DEFAULT_MIRROR).unwrap());
        assert_eq!(config.layout, Layout::Folders);
        assert_eq!(config.manifest, ManifestSource::Path("ingest_file/Gutenberg_files.csv".into()));
        assert_eq!(config.report, PathBuf::from("downloads/gutenfetch-report.json"));
        assert_eq!(config.jobs, 8);
    }

    #[test]
    fn jobs_out_of_range_is_a_usage_error() {
        assert!(Cli::try_parse_from(["gutenfetch", "--mirror", "ftp://h/", "--jobs", "0"]).is_err());
        assert!(Cli::try_parse_from(["gutenfetch", "--mirror", "ftp://h/", "--jobs", "65"]).is_err());
    }
}
