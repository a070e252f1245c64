//! `gutenfetch catalog`: keeps a local copy of Project Gutenberg's weekly
//! catalog, `pg_catalog.csv`, current at the cost of one conditional
//! request, and downloads a `--manifest` given as a URL.
//!
//! The catalog is taken from the mirror's `cache/epub/feeds/` when the
//! mirror carries it, else from Project Gutenberg's offline-catalog location
//! (`--catalog-url`). What the server said of the copy (ETag and
//! Last-Modified, or FTP SIZE and MDTM, or a local file's size and time) is
//! kept in a small sidecar beside it, `FILE.validators.json`, and offered
//! next time, so an unchanged catalog costs a 304 (or two FTP replies) and
//! leaves the file untouched. Reading the rows stays with `manifest/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::atomic_file::{PartFile, SyncPartFile};
use crate::fetch::single::{Fresh, Validators};
use crate::fetch::{Client, Limits, TransferUpdate};
use crate::mirror::{Layout, Mirror};
use crate::retry::RetryPolicy;
use crate::ExitCode;

/// Where mirrors that carry the generated collection keep the catalog.
pub const FEED_PATH: &str = "cache/epub/feeds/pg_catalog.csv";

/// Project Gutenberg's own offline catalog, which it asks bulk users to use.
pub const DEFAULT_CATALOG_URL: &str = "https://www.gutenberg.org/cache/epub/feeds/pg_catalog.csv";

/// The catalog is ~15 MB today; anything this large is not it.
const MAX_SIZE: u64 = 1 << 30;

/// What `gutenfetch catalog` needs, resolved from the command line.
#[derive(Clone, Debug)]
pub struct CatalogConfig {
    pub out: PathBuf,
    pub mirror: Mirror,
    /// Where to go when the mirror has no `cache/epub/feeds/pg_catalog.csv`.
    pub fallback: url::Url,
    pub timeout: Duration,
    /// Draw a progress bar (on a terminal, not --quiet).
    pub progress: bool,
}

/// What is remembered of the copy on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Sidecar {
    /// Where the copy came from (no password): validators of another source mean nothing.
    url: String,
    #[serde(flatten)]
    validators: Validators,
}

/// Downloads the catalog to `config.out` unless the copy there is current.
pub fn run(config: &CatalogConfig) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    crate::atomic_file::check_writable(&config.out)
        .with_context(|| format!("cannot write the catalog {}", config.out.display()))?;
    let sidecar = sidecar_path(&config.out);
    let known = config.out.is_file().then(|| read_sidecar(&sidecar)).flatten();
    // No outage is waited out: the fallback mirror is tried instead.
    let limits = Limits { timeout: config.timeout, max_size: MAX_SIZE, outage_budget: Duration::ZERO };
    let mirror = Client::new(&config.mirror, Layout::Folders, limits.clone(), RetryPolicy::new(0), 1)?;
    let (fallback_mirror, fallback_path) = split(&config.fallback)?;
    let fallback = Client::new(&fallback_mirror, Layout::Folders, limits, RetryPolicy::new(0), 1)?;
    let bar = progress_bar(config.progress);
    let watch = |update: TransferUpdate| match update {
        TransferUpdate::Started { expected, .. } => bar.set_length(expected.unwrap_or(0)),
        TransferUpdate::Progress { bytes } => bar.set_position(bytes),
        TransferUpdate::Finished => {}
    };
    let result = runtime.block_on(async {
        let mut tried = Vec::new();
        for (client, path) in [(&mirror, FEED_PATH), (&fallback, fallback_path.as_str())] {
            let url = client.url_of(path);
            let known = known.as_ref().filter(|k| k.url == url).map(|k| &k.validators);
            let mut part = PartFile::beside(&config.out)
                .with_context(|| format!("cannot write the catalog {}", config.out.display()))?;
            let fresh = client.get_file(path, known, &mut part, Some(&watch)).await;
            client.close().await;
            match fresh {
                Ok(Fresh::Unchanged) => return Ok((url, None)),
                Ok(Fresh::Downloaded { bytes, validators }) => {
                    part.commit(&config.out)
                        .await
                        .with_context(|| format!("cannot write the catalog {}", config.out.display()))?;
                    return Ok((url, Some((bytes, validators))));
                }
                Ok(Fresh::Absent(why)) => tried.push(format!("{url}: {why}")),
                Err(error) => tried.push(format!("{url}: {error}")),
            }
            tracing::info!("no catalog at {}", tried.last().map(String::as_str).unwrap_or(""));
        }
        bail!("cannot download pg_catalog.csv: {}", tried.join("; "))
    });
    bar.finish_and_clear();
    let (url, downloaded) = result?;
    let out = config.out.display();
    match downloaded {
        None => crate::progress::print_out(&format!("{out} is current (not modified at {url})\n")),
        Some((bytes, validators)) => {
            write_sidecar(&sidecar, &Sidecar { url: url.clone(), validators })?;
            crate::progress::print_out(&format!("{out}: {} from {url}\n", crate::progress::human_bytes(bytes)));
        }
    }
    Ok(ExitCode::Success)
}

/// Downloads a manifest named by URL to an unnamed temporary file, for
/// `manifest/` to read as it reads any file.
pub fn download_to_temp(url: &url::Url) -> std::io::Result<std::fs::File> {
    let other = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let mut file = tempfile::tempfile()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (mirror, path) = split(url).map_err(|e| other(&e))?;
    let limits = Limits { timeout: Duration::from_secs(30), max_size: MAX_SIZE, outage_budget: Duration::ZERO };
    let client = Client::new(&mirror, Layout::Folders, limits, RetryPolicy::new(0), 1).map_err(|e| other(&e))?;
    let fresh = runtime.block_on(client.get_file(&path, None, &mut file, None)).map_err(|e| other(&e))?;
    match fresh {
        Fresh::Downloaded { .. } => Ok(file),
        Fresh::Absent(why) => Err(std::io::Error::new(std::io::ErrorKind::NotFound, why)),
        Fresh::Unchanged => Err(other(&"the server answered 304 to an unconditional request")),
    }
}

/// A file's URL as the mirror holding its folder and its name there.
fn split(url: &url::Url) -> anyhow::Result<(Mirror, String)> {
    let name = url.path_segments().and_then(|mut s| s.next_back()).filter(|n| !n.is_empty());
    let Some(name) = name else { bail!("{} does not name a file", crate::redact::redact(url.as_str())) };
    let folder = url.join("./").context("the URL's folder")?;
    Ok((Mirror::parse(folder.as_str())?, name.to_owned()))
}

/// `pg_catalog.csv` → `pg_catalog.csv.validators.json`, beside it.
pub fn sidecar_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".validators.json");
    out.with_file_name(name)
}

fn read_sidecar(path: &Path) -> Option<Sidecar> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).inspect_err(|e| tracing::debug!("ignoring {}: {e}", path.display())).ok()
}

fn write_sidecar(path: &Path, sidecar: &Sidecar) -> anyhow::Result<()> {
    let written = SyncPartFile::beside(path).and_then(|mut part| {
        serde_json::to_writer_pretty(part.file(), sidecar).map_err(std::io::Error::other)?;
        part.commit(path)
    });
    written.with_context(|| format!("cannot write {}", path.display()))
}

fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let style =
        indicatif::ProgressStyle::with_template("pg_catalog.csv {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    indicatif::ProgressBar::new(0).with_style(style)
}
