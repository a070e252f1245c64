//! The flags of a fetch (gutenfetch without a subcommand) and their
//! resolution into a [`Config`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::Args;

use crate::clean::CleanOptions;
use crate::config::{Config, OutputFormat};
use crate::fetch::Limits;
use crate::manifest::ManifestSource;
use crate::mirror::{Layout, Mirror, DEFAULT_MIRROR};
use crate::retry::RetryPolicy;
use crate::select::{Selection, Shard};

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// CSV manifest of books: a file, a URL, or `-` for stdin [default: the built-in list].
    ///
    /// Without --manifest, gutenfetch uses the list built into it (a copy of
    /// the repository's ingest_file/Gutenberg_files.csv: works of and about
    /// Martin Luther and a few classics), from any folder. A URL (e.g. a
    /// mirror's cache/epub/feeds/pg_catalog.csv) is downloaded to a temporary
    /// file first; `gutenfetch catalog` keeps a copy instead. Needs a header row with an ebook-number column named `FileNumber` or
    /// `Text#` (Project Gutenberg's pg_catalog.csv); `Title` and `author` or
    /// `Authors` are used when present. Rows of pg_catalog.csv whose `Type` is
    /// not `Text` are skipped. Bad rows are reported with their line and
    /// skipped; the rest still runs.
    #[arg(long, short = 'm', value_name = "FILE")]
    pub manifest: Option<PathBuf>,

    /// Output folder: clean books as OUT/<N>.txt, raw copies in OUT/raw/ [default: downloads].
    ///
    /// Created (with OUT/raw/) when missing; an existing folder that cannot be
    /// written is a fatal error. Running again into the same folder finishes
    /// what is missing and redoes nothing that is complete.
    #[arg(long, short = 'o', value_name = "OUT", default_value = "downloads", hide_default_value = true)]
    pub out: PathBuf,

    /// Mirror to fetch from: https://, http://, ftp:// or file:// [default: https://aleph.gutenberg.org/].
    ///
    /// The URL names the root of a Gutenberg tree, where ebook 418 lives in
    /// 4/1/418/: a public HTTPS mirror, an FTP server
    /// (ftp://[user[:password]@]host[:port]/path/, anonymous without a user;
    /// the password may come from GUTENFETCH_FTP_PASSWORD instead), or a local
    /// copy made with rsync (file:///srv/gutenberg/, or just the folder's path).
    // The value is never shown in --help: a URL may carry a password.
    #[arg(long, env = "GUTENFETCH_MIRROR", value_name = "URL", default_value = DEFAULT_MIRROR, hide_default_value = true,
          hide_env_values = true)]
    pub mirror: String,

    /// Password for an FTP mirror whose URL names a user but no password.
    ///
    /// Keeps the password out of the process list and shell history. Without
    /// --ftp-password (or GUTENFETCH_FTP_PASSWORD), such a URL logs in with an
    /// empty password; a password in the URL itself always wins.
    #[arg(long, env = "GUTENFETCH_FTP_PASSWORD", value_name = "PASSWORD", hide_env_values = true)]
    pub ftp_password: Option<String>,

    /// How the mirror lays out books [default: folders].
    ///
    /// `folders`: the main collection (4/1/418/418-0.txt, its zips, old/).
    /// `generated`: the generated collection, cache/epub/418/pg418.txt, one
    /// predictable UTF-8 file per book.
    #[arg(long, value_enum, default_value_t = Layout::Folders, hide_default_value = true)]
    pub layout: Layout,

    /// Books in flight at once, 1 to 64 [default: 8].
    ///
    /// Each book in flight uses one connection to the mirror; be polite to
    /// public mirrors. gutenfetch lowers this by itself when a mirror says it
    /// is overloaded (FTP 421, HTTP 429 or 503).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8, hide_default_value = true,
          value_parser = super::numbers::from_to::<u16>(1, 64))]
    pub jobs: u16,

    /// Seconds to wait for a connection, a reply, or the next bytes of a transfer [default: 30].
    ///
    /// A transfer that stalls this long is abandoned and retried; there is no
    /// limit on the total time of a transfer that keeps moving.
    #[arg(long, value_name = "SECS", default_value_t = 30, hide_default_value = true,
          value_parser = super::numbers::from_to::<u64>(1, 3600))]
    pub timeout: u64,

    /// Retries of a request that failed for a passing reason [default: 8].
    ///
    /// Dropped connections, timeouts, HTTP 5xx and 429, HTML pages served in
    /// place of a file, FTP 4xx replies and transfers that end short of the
    /// file's size are retried after a growing wait (exponential backoff
    /// with jitter, at most 30 s, or what the server asks for with
    /// Retry-After, up to 2 minutes). Missing files and other permanent
    /// failures are never retried.
    #[arg(long, value_name = "N", default_value_t = 8, hide_default_value = true,
          value_parser = super::numbers::from_to::<u32>(0, 100))]
    pub retries: u32,

    /// Seconds to wait out an outage of the mirror before stopping the run [default: 300].
    ///
    /// When requests to a mirror that has answered start failing at the
    /// connection level (refused, unreachable, name not resolved, TLS or
    /// connect time-out), no new book starts and the mirror is probed with
    /// backoff; work resumes when it answers. After this long the run stops:
    /// the books not started are reported as such, and the exit code is 1.
    /// A mirror that never answered is given 25 s from the run's start (or
    /// this, if shorter), then the run stops with exit code 2.
    #[arg(long, value_name = "SECS", default_value_t = 300, hide_default_value = true,
          value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub outage_budget: u64,

    /// Largest file accepted, in MiB [default: 256].
    ///
    /// The largest Gutenberg plain texts are a few tens of MB; a larger (or
    /// endless) response fails its book.
    #[arg(long, value_name = "MIB", default_value_t = 256, hide_default_value = true,
          value_parser = super::numbers::from_to::<u64>(1, 65536))]
    pub max_size: u64,

    /// Process only shard K of N (1-based): the manifest rows whose position falls to it.
    ///
    /// Row r (0-based, in manifest order) belongs to shard r mod N + 1, so N
    /// machines or jobs given 1/N … N/N split one manifest with no overlap.
    /// For a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/N.
    /// Without --shard, every row of the manifest is processed.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Keep only books whose `Language` (pg_catalog.csv) includes CODE, e.g. `en`.
    ///
    /// CODE is compared case-insensitively with each code of the column
    /// (pg_catalog.csv lists several as `en; fr`). A manifest without a
    /// `Language` column is then a fatal error. Without --language, books of
    /// every language are kept.
    #[arg(long, value_name = "CODE")]
    pub language: Option<String>,

    /// Keep only books whose `Authors` contains TEXT (case-insensitive).
    ///
    /// pg_catalog.csv names authors as `Goethe, Johann Wolfgang von,
    /// 1749-1832`; any part matches (`goethe`, `1749`). A manifest without an
    /// `Authors` (or `author`) column is then a fatal error. Without
    /// --author, books by every author are kept.
    #[arg(long, value_name = "TEXT")]
    pub author: Option<String>,

    /// Keep only books whose `Title` contains TEXT (case-insensitive).
    ///
    /// A manifest without a `Title` column is then a fatal error. Without
    /// --title, books of every title are kept.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Keep only books whose `Subjects`, `LoCC` or `Bookshelves` contain TEXT (case-insensitive).
    ///
    /// E.g. `--subject "children's literature"` (a bookshelf), `--subject
    /// PZ` (a Library of Congress class), `--subject poetry`. A manifest
    /// with none of these columns is then a fatal error. Without --subject,
    /// books on every subject are kept.
    #[arg(long, value_name = "TEXT")]
    pub subject: Option<String>,

    /// Keep only books whose `Issued` date falls in FROM..TO (both included).
    ///
    /// Each end is a year, YYYY-MM or YYYY-MM-DD, and either may be left
    /// out: `2000..2009`, `2020-06-01..`, `..1999`. Rows without a date are
    /// not kept. A manifest without an `Issued` column is then a fatal error.
    /// Without --issued, books issued at any date are kept.
    #[arg(long, value_name = "FROM..TO")]
    pub issued: Option<crate::select::Issued>,

    /// Keep only the first N books of the manifest (after the filters, before --shard).
    ///
    /// Counts books in manifest order once bad rows, duplicates and non-Text
    /// rows are dropped. The shards of a split all take the same first N and
    /// divide them. Without --limit, every book is kept.
    #[arg(long, value_name = "N", value_parser = super::numbers::at_least::<u64>(1))]
    pub limit: Option<u64>,

    /// Download every book again and replace both its files, even when complete.
    ///
    /// Without --force, a book is skipped when both its clean text OUT/<N>.txt
    /// and a usable raw copy in OUT/raw/ exist; one with only its raw copy is
    /// cleaned again without a download; one with only its clean text, or a
    /// raw copy that cannot be cleaned (empty, an HTML page, a broken zip), is
    /// downloaded again. With --force, every book is downloaded and both files
    /// replaced, each only once its new version is complete.
    #[arg(long)]
    pub force: bool,

    /// Keep the output folder in sync: fetch again each complete book whose
    /// file changed on the mirror.
    ///
    /// Each complete book is checked as cheaply as the protocol allows,
    /// against what was recorded when its copy was taken (OUT/provenance/):
    /// over HTTP a conditional GET (a 304 costs no body), over FTP one STAT
    /// of its folder (or SIZE and MDTM) on the control connection, for a
    /// local mirror its size and time. A book whose file changed, or that
    /// has a better file now (an N-0.txt where N-8.txt was taken), is
    /// fetched again; its new copies replace the old ones only once both
    /// are complete. A book gone from the mirror keeps its copies: nothing
    /// is ever deleted. Without a record (a folder made before records
    /// existed), the sizes are compared. Books not yet complete are fetched
    /// as without --update. Without --update, a complete book is skipped
    /// without asking the mirror.
    #[arg(long, conflicts_with = "force")]
    pub update: bool,

    /// Keep "Produced by …" credit lines that follow the Gutenberg header.
    ///
    /// Without --keep-credits, the credits block right after the header
    /// ("Produced by …", "E-text prepared by …", "Credits: …") is removed with
    /// it; the book itself is the same either way.
    #[arg(long)]
    pub keep_credits: bool,

    /// Find every book on the mirror and print what would be fetched; write nothing.
    ///
    /// Lists folders and chooses files as a real run does, and asks each
    /// file's size (FTP SIZE, HTTP HEAD) instead of downloading it. Books
    /// already complete in OUT are shown as such. Exits 1 when a book is not
    /// found or a row is bad. Without --dry-run, gutenfetch fetches.
    #[arg(long)]
    pub dry_run: bool,

    /// Output of --dry-run: `text` (a table) or `json` [default: text].
    ///
    /// `json` prints one document: the manifest, the mirror, the bad rows and,
    /// per book, its number, title, action (`fetch`, `reclean`, `skip` or
    /// `missing`), chosen file, URL, size and error.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, hide_default_value = true, requires = "dry_run")]
    pub format: OutputFormat,

    /// Where to write the JSON report [default: OUT/gutenfetch-report.json].
    ///
    /// Written at the end of every run, interrupted runs included, atomically
    /// (complete or absent); its folder is created when missing. It holds a
    /// summary and one entry per book (status, URL, paths, bytes, encoding,
    /// attempts, error); README.md describes the fields.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Also write the clean books as a JSONL dataset to FILE (`-` for stdout).
    ///
    /// After the run, one JSON object a line per clean book (fetched or
    /// already complete), in manifest order: ebook, title, author, language,
    /// subjects, issued, url, sha256 (of the raw copy), lines, words and text.
    /// Written atomically; FILE.gz or FILE.zst is compressed.
    /// `gutenfetch export OUT --jsonl FILE` writes the same from an existing
    /// output folder. Without --jsonl, no dataset file is written.
    #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
    pub jsonl: Option<PathBuf>,
}

impl FetchArgs {
    /// Validates what was typed and resolves defaults into a [`Config`].
    pub fn into_config(self) -> anyhow::Result<Config> {
        let manifest = self.manifest.map_or(ManifestSource::BuiltIn, ManifestSource::from_arg);
        if self.out.as_os_str().is_empty() {
            bail!("--out must name a folder");
        }
        let mut mirror = Mirror::parse(&self.mirror)?;
        // Before anything is logged: from here on no output can show them.
        for secret in mirror.password().into_iter().chain(self.ftp_password.as_deref()) {
            crate::redact::remember(secret);
        }
        if let (Mirror::Ftp(endpoint), Some(password)) = (&mut mirror, self.ftp_password) {
            if endpoint.user != "anonymous" && endpoint.password.is_empty() {
                endpoint.password = password;
            }
        }
        let report = self.report.unwrap_or_else(|| self.out.join("gutenfetch-report.json"));
        tracing::debug!(
            "settings: manifest {}, mirror {} ({:?} layout), out {}, report {}, {} jobs, timeout {} s, {} retries, \
             max size {} MiB, outage budget {} s, force {}, update {}, keep credits {}",
            manifest,
            mirror.display_url(),
            self.layout,
            self.out.display(),
            report.display(),
            self.jobs,
            self.timeout,
            self.retries,
            self.max_size,
            self.outage_budget,
            self.force,
            self.update,
            self.keep_credits
        );
        Ok(Config {
            manifest,
            mirror,
            layout: self.layout,
            report,
            out: self.out,
            jobs: usize::from(self.jobs),
            limits: Limits {
                timeout: Duration::from_secs(self.timeout),
                max_size: self.max_size * 1024 * 1024,
                outage_budget: Duration::from_secs(self.outage_budget),
            },
            retry: RetryPolicy::new(self.retries),
            selection: Selection {
                language: self.language,
                author: self.author,
                title: self.title,
                subject: self.subject,
                issued: self.issued,
                limit: self.limit.map(|n| n as usize),
                shard: self.shard,
            },
            jsonl: self.jsonl,
            force: self.force,
            update: self.update,
            clean: CleanOptions { keep_credits: self.keep_credits },
            dry_run: self.dry_run.then_some(self.format),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Action, Cli};

    fn config(args: &[&str]) -> Config {
        let cli = Cli::try_parse_args(std::iter::once("gutenfetch").chain(args.iter().copied())).unwrap();
        match cli.into_action().unwrap() {
            Action::Fetch(config) => *config,
            _ => panic!("not a fetch"),
        }
    }

    #[test]
    fn defaults_resolve() {
        let config = config(&[]);
        assert_eq!(config.manifest, ManifestSource::BuiltIn);
        assert_eq!(config.mirror, Mirror::parse(DEFAULT_MIRROR).unwrap());
        assert_eq!(config.layout, Layout::Folders);
        assert_eq!(config.report, PathBuf::from("downloads/gutenfetch-report.json"));
        assert_eq!(config.jobs, 8);
        assert_eq!(config.retry, RetryPolicy::new(8));
        assert_eq!(config.limits.outage_budget, Duration::from_secs(300));
    }

    #[test]
    fn jobs_out_of_range_is_a_usage_error() {
        for jobs in ["0", "65"] {
            assert!(Cli::try_parse_args(["gutenfetch", "--jobs", jobs]).is_err());
        }
    }

    #[test]
    fn a_mirror_error_never_shows_the_password() {
        for url in ["ftp://reader:s3cret@127.0.0.1:99999/", "gopher://reader:s3cret@host/", "ftp://reader:s3cret@/"] {
            let cli = Cli::try_parse_args(["gutenfetch", "--mirror", url]).unwrap();
            let err = cli.into_action().err().expect("a bad mirror is an error");
            let message = format!("{err:#}");
            assert!(!message.contains("s3cret") && message.contains("reader:***@"), "{message}");
        }
    }

    #[test]
    fn the_ftp_password_fills_a_url_that_names_only_the_user() {
        let args = ["--mirror", "ftp://reader@127.0.0.1/", "--ftp-password", "s3cret"];
        let Mirror::Ftp(endpoint) = config(&args).mirror else { panic!() };
        assert_eq!((endpoint.user.as_str(), endpoint.password.as_str()), ("reader", "s3cret"));
        let args = ["--mirror", "ftp://reader:inline@127.0.0.1/", "--ftp-password", "s3cret"];
        let Mirror::Ftp(endpoint) = config(&args).mirror else { panic!() };
        assert_eq!(endpoint.password, "inline", "a password in the URL wins");
    }
}
