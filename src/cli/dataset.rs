//! `gutenfetch catalog` and `gutenfetch export`: the flags of the two
//! commands at either end of a dataset (the catalog to choose books from,
//! the JSONL file made of them).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::catalog::{CatalogConfig, DEFAULT_CATALOG_URL};
use crate::export::ExportConfig;
use crate::mirror::{Mirror, DEFAULT_MIRROR};

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Where to keep the catalog [default: pg_catalog.csv].
    ///
    /// Replaced atomically (complete or absent). What the server said of it
    /// (ETag, Last-Modified, or FTP size and time) is kept beside it in
    /// FILE.validators.json, so the next run downloads it only if it changed.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "pg_catalog.csv", hide_default_value = true)]
    pub out: PathBuf,

    /// Mirror to ask first, at its cache/epub/feeds/pg_catalog.csv [default: https://aleph.gutenberg.org/].
    ///
    /// https://, http://, ftp:// or file://, as for a fetch (and from
    /// GUTENFETCH_MIRROR). A mirror without the catalog is not an error:
    /// --catalog-url is tried next.
    #[arg(long, env = "GUTENFETCH_MIRROR", value_name = "URL", default_value = DEFAULT_MIRROR, hide_default_value = true,
          hide_env_values = true)]
    pub mirror: String,

    /// Where to get the catalog when the mirror has none [default: Project Gutenberg's offline catalog].
    ///
    /// Project Gutenberg asks bulk users to take its catalogs from its
    /// offline-catalog feeds (updated weekly) rather than crawl its site.
    /// [default: https://www.gutenberg.org/cache/epub/feeds/pg_catalog.csv]
    #[arg(long, value_name = "URL", default_value = DEFAULT_CATALOG_URL, hide_default_value = true)]
    pub catalog_url: url::Url,

    /// Seconds to wait for a connection, a reply, or the next bytes [default: 30].
    ///
    /// A download that stalls this long fails (the mirror's, then the
    /// fallback's).
    #[arg(long, value_name = "SECS", default_value_t = 30, hide_default_value = true,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

impl CatalogArgs {
    /// `progress`: whether a bar may be drawn (not --quiet, not --progress never).
    pub fn into_config(self, progress: bool) -> anyhow::Result<CatalogConfig> {
        Ok(CatalogConfig {
            out: self.out,
            mirror: Mirror::parse(&self.mirror)?,
            fallback: self.catalog_url,
            timeout: Duration::from_secs(self.timeout),
            progress,
        })
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The output folder of a fetch (its clean books, raw/ and report).
    ///
    /// Nothing is fetched: the books, their order and what the manifest said
    /// of them come from the folder's report.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,

    /// The JSONL dataset to write (`-` for stdout; FILE.gz or FILE.zst is compressed).
    ///
    /// One JSON object a line per clean book, in manifest order: ebook,
    /// title, author, language, subjects, issued, url, sha256, lines, words
    /// and text. Written atomically.
    #[arg(long, value_name = "FILE", required = true)]
    pub jsonl: PathBuf,

    /// The run's report, if not in OUT [default: OUT/gutenfetch-report.json].
    ///
    /// For a run made with --report elsewhere. Without --report, the report
    /// in OUT is read.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

impl ExportArgs {
    pub fn into_config(self) -> ExportConfig {
        let report = self.report.unwrap_or_else(|| self.out.join("gutenfetch-report.json"));
        ExportConfig { out: self.out, report, jsonl: self.jsonl }
    }
}
