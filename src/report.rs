//! The run's record: counts and timings ([`Totals`]), the JSON report written
//! to disk, and the one-screen summary printed at the end.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::atomic_file;
use crate::fetch::Stage;
use crate::manifest::{Manifest, RowProblem};
use crate::outcome::{BookOutcome, Status};
use crate::pipeline::RunResult;
use crate::progress::human_bytes;
use crate::terminal_safe::terminal_safe;

/// Counts and timings of a run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Books in the manifest after dropping bad rows, duplicates and non-text rows.
    pub books: usize,
    /// Fetched and cleaned, or re-cleaned, in this run.
    pub ok: usize,
    /// Of `ok`, those cleaned again from their raw copy, with nothing fetched.
    pub recleaned: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Books the run never started because it was interrupted.
    pub not_started: usize,
    /// Stopped by SIGINT or SIGTERM: run the same command again to finish.
    pub interrupted: bool,
    pub bad_rows: usize,
    pub duplicate_rows: usize,
    pub not_text_rows: usize,
    /// Books kept whole because no Gutenberg marker was found.
    pub no_markers: usize,
    /// Bytes of the books done in this run (`ok`), raw and clean.
    pub raw_bytes: u64,
    pub clean_bytes: u64,
    /// Wall time of the download stage.
    pub download_seconds: f64,
    /// CPU time spent decoding and stripping, summed over books.
    pub clean_seconds: f64,
    pub total_seconds: f64,
    /// FTP logins made (one per pooled connection), when the mirror is FTP.
    pub ftp_logins: Option<usize>,
}

impl Totals {
    pub fn new(manifest: &Manifest, run: &RunResult, total_seconds: f64) -> Self {
        let count = |status| run.outcomes.iter().filter(|o| o.status == status).count();
        let ok: Vec<&BookOutcome> = run.outcomes.iter().filter(|o| o.status == Status::Ok).collect();
        Totals {
            books: manifest.books.len(),
            ok: ok.len(),
            recleaned: ok.iter().filter(|o| o.recleaned()).count(),
            skipped: count(Status::Skipped),
            failed: count(Status::Failed),
            not_started: count(Status::NotStarted),
            interrupted: run.interrupted,
            bad_rows: manifest.problems.len(),
            duplicate_rows: manifest.duplicates,
            not_text_rows: manifest.not_text,
            no_markers: ok.iter().filter(|o| o.markers_found == Some(false)).count(),
            raw_bytes: ok.iter().map(|o| o.raw_bytes).sum(),
            clean_bytes: ok.iter().map(|o| o.clean_bytes).sum(),
            download_seconds: run.download_seconds,
            clean_seconds: run.outcomes.iter().map(|o| o.clean_seconds).sum(),
            total_seconds,
            ftp_logins: run.logins,
        }
    }
}

#[derive(Serialize)]
struct Report<'a> {
    gutenfetch_version: &'static str,
    manifest: &'a str,
    mirror: &'a str,
    summary: &'a Totals,
    bad_rows: Vec<BadRow<'a>>,
    books: Vec<BookEntry<'a>>,
}

/// A skipped manifest row, as the report and `--dry-run --format json` show it.
#[derive(Serialize)]
pub struct BadRow<'a> {
    pub line: u64,
    pub error: &'a str,
}

impl<'a> BadRow<'a> {
    pub fn all(problems: &'a [RowProblem]) -> Vec<BadRow<'a>> {
        problems.iter().map(|p| BadRow { line: p.line, error: &p.message }).collect()
    }
}

#[derive(Serialize)]
struct BookEntry<'a> {
    ebook: u32,
    title: Option<&'a str>,
    author: Option<&'a str>,
    manifest_line: u64,
    status: Status,
    url: Option<&'a str>,
    raw_path: Option<&'a Path>,
    clean_path: Option<&'a Path>,
    raw_bytes: u64,
    clean_bytes: u64,
    encoding: Option<&'a str>,
    markers_found: Option<bool>,
    attempts: u32,
    warnings: &'a [String],
    error: Option<ErrorEntry<'a>>,
}

#[derive(Serialize)]
struct ErrorEntry<'a> {
    stage: Stage,
    message: &'a str,
}

/// The names the report records for the run's inputs.
pub struct RunInputs<'a> {
    pub manifest: &'a str,
    pub mirror: &'a str,
}

/// Makes sure the report can be written before any book is fetched: creates
/// its folder, clears the temporary files killed runs left there (the output
/// folder's own are cleared with it), and makes a temporary file there, as
/// writing the report will.
pub fn prepare_destination(report: &Path, out_dir: &Path) -> anyhow::Result<()> {
    let cannot = || format!("cannot write the report {}", report.display());
    if report.is_dir() {
        anyhow::bail!("{}: it is a folder", cannot());
    }
    let dir = report.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create the report's folder {}", dir.display()))?;
    let same = |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    if !same(dir, out_dir) {
        crate::plan::remove_stale(dir)?;
    }
    atomic_file::check_writable(report).with_context(cannot)
}

/// Writes the JSON report atomically.
pub fn write(report: &Path, json: &str) -> anyhow::Result<()> {
    atomic_file::write(report, json.as_bytes()).with_context(|| format!("cannot write the report {}", report.display()))
}

/// Renders the JSON report.
pub fn to_json(inputs: &RunInputs, totals: &Totals, problems: &[RowProblem], outcomes: &[BookOutcome]) -> String {
    let report = Report {
        gutenfetch_version: env!("CARGO_PKG_VERSION"),
        manifest: inputs.manifest,
        mirror: inputs.mirror,
        summary: totals,
        bad_rows: BadRow::all(problems),
        books: outcomes.iter().map(book_entry).collect(),
    };
    serde_json::to_string_pretty(&report).expect("the report serialises") + "\n"
}

fn book_entry(o: &BookOutcome) -> BookEntry<'_> {
    BookEntry {
        ebook: o.book.number.get(),
        title: o.book.title.as_deref(),
        author: o.book.author.as_deref(),
        manifest_line: o.book.line,
        status: o.status,
        url: o.url.as_deref(),
        raw_path: o.raw_path.as_deref(),
        clean_path: o.clean_path.as_deref(),
        raw_bytes: o.raw_bytes,
        clean_bytes: o.clean_bytes,
        encoding: o.encoding,
        markers_found: o.markers_found,
        attempts: o.attempts,
        warnings: &o.warnings,
        error: o.error.as_ref().map(|e| ErrorEntry { stage: e.stage, message: &e.message }),
    }
}

/// The one-screen summary: counts, bytes, times, then each failure by name.
pub fn summary(inputs: &RunInputs, totals: &Totals, problems: &[RowProblem], outcomes: &[BookOutcome]) -> String {
    let t = totals;
    let mut s = String::new();
    let books = if t.books == 1 { "book" } else { "books" };
    let _ = writeln!(s, "gutenfetch: {} {books} from {}", t.books, terminal_safe(inputs.manifest));
    let (raw, clean) = (human_bytes(t.raw_bytes), human_bytes(t.clean_bytes));
    if t.recleaned == 0 {
        let _ = writeln!(s, "  fetched  {:>6}   {raw} raw, {clean} clean", t.ok);
    } else {
        let _ = writeln!(s, "  fetched  {:>6}", t.ok - t.recleaned);
        let _ = writeln!(s, "  re-cleaned {:>4}   from their raw copies in the output folder", t.recleaned);
        let _ = writeln!(s, "  together         {raw} raw, {clean} clean");
    }
    let _ = writeln!(s, "  skipped  {:>6}   already complete in the output folder", t.skipped);
    let _ = writeln!(s, "  failed   {:>6}", t.failed);
    if t.interrupted {
        let _ = writeln!(s, "  not started {:>3}   interrupted: run the same command again to finish", t.not_started);
    }
    if t.bad_rows > 0 {
        let _ = writeln!(s, "  bad rows {:>6}   skipped", t.bad_rows);
    }
    if t.no_markers > 0 {
        let books = if t.no_markers == 1 { "book" } else { "books" };
        let _ = writeln!(s, "  no Gutenberg markers found in {} {books}: kept whole", t.no_markers);
    }
    let logins = t.ftp_logins.map(|n| format!(", {n} FTP logins")).unwrap_or_default();
    let _ = writeln!(
        s,
        "  download stage {:.2} s, cleaning {:.2} s CPU, whole run {:.2} s{logins}",
        t.download_seconds, t.clean_seconds, t.total_seconds
    );
    for problem in problems {
        let _ = writeln!(
            s,
            "  bad row: {}:{}: {}",
            terminal_safe(inputs.manifest),
            problem.line,
            terminal_safe(&problem.message)
        );
    }
    for o in outcomes {
        if let Some(error) = &o.error {
            let title = o.book.title.as_deref().map(|t| format!(" ({})", terminal_safe(t))).unwrap_or_default();
            let _ = writeln!(s, "  failed: ebook {}{title}: {}", o.book.number, terminal_safe(&error.to_string()));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_splits_fetched_from_recleaned_and_says_when_interrupted() {
        let inputs = RunInputs { manifest: "m.csv", mirror: "file:///m/" };
        let plain = Totals { books: 3, ok: 3, raw_bytes: 2000, clean_bytes: 1000, ..Totals::default() };
        let text = summary(&inputs, &plain, &[], &[]);
        assert!(text.contains("  fetched       3   2.0 kB raw, 1.0 kB clean\n"), "{text}");
        assert!(!text.contains("re-cleaned") && !text.contains("not started"), "{text}");

        let interrupted =
            Totals { books: 9, ok: 3, recleaned: 2, not_started: 6, interrupted: true, ..Totals::default() };
        let text = summary(&inputs, &interrupted, &[], &[]);
        assert!(text.contains("  fetched       1\n  re-cleaned    2   from their raw copies"), "{text}");
        assert!(text.contains("  not started   6   interrupted: run the same command again"), "{text}");
    }
}
