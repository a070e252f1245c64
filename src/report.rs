//! The run's record: counts and timings ([`Totals`]), the JSON report written
//! to disk, and the one-screen summary printed at the end.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write as _};
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::atomic_file;
use crate::ledger::{Books, Failure, Ledger};
use crate::manifest::{Manifest, RowProblem};
use crate::pipeline::RunResult;
use crate::progress::{counted, human_bytes};
use crate::terminal_safe::{shortened, terminal_safe};

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
    /// Why the run stopped before its end on its own (the mirror could not
    /// be reached, refused the login, has no Gutenberg tree at its root, or
    /// stopped answering for longer than the outage budget); `null` otherwise.
    pub stopped: Option<String>,
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
        let t = run.ledger.tally();
        Totals {
            books: manifest.book_count,
            ok: t.ok,
            recleaned: t.recleaned,
            skipped: t.skipped,
            failed: t.failed,
            not_started: t.not_started,
            interrupted: run.interrupted,
            stopped: run.stopped.as_ref().map(|stop| stop.reason.clone()),
            bad_rows: manifest.problems.len(),
            duplicate_rows: manifest.duplicates,
            not_text_rows: manifest.not_text,
            no_markers: t.no_markers,
            raw_bytes: t.raw_bytes,
            clean_bytes: t.clean_bytes,
            download_seconds: run.download_seconds,
            clean_seconds: t.clean_seconds,
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
    books: Books<'a>,
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

/// Writes the JSON report atomically, streaming the books from the ledger.
pub fn write(
    report: &Path,
    inputs: &RunInputs,
    totals: &Totals,
    problems: &[RowProblem],
    ledger: &Ledger,
) -> anyhow::Result<()> {
    let contents = Report {
        gutenfetch_version: env!("CARGO_PKG_VERSION"),
        manifest: inputs.manifest,
        mirror: inputs.mirror,
        summary: totals,
        bad_rows: BadRow::all(problems),
        books: ledger.books(),
    };
    let written = atomic_file::SyncPartFile::beside(report).and_then(|mut part| {
        let mut out = BufWriter::new(part.file());
        serde_json::to_writer_pretty(&mut out, &contents).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()?;
        drop(out);
        part.commit(report)
    });
    written.with_context(|| format!("cannot write the report {}", report.display()))
}

/// The one-screen summary: counts, bytes, times, then each failure by name.
pub fn summary(inputs: &RunInputs, totals: &Totals, problems: &[RowProblem], failures: &[Failure]) -> String {
    let t = totals;
    let mut s = String::new();
    let _ = writeln!(s, "gutenfetch: {} from {}", counted(t.books, "book"), terminal_safe(inputs.manifest));
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
    } else if let Some(reason) = &t.stopped {
        let _ = writeln!(s, "  not started {:>3}   {}", t.not_started, terminal_safe(reason));
    }
    if t.bad_rows > 0 {
        let _ = writeln!(s, "  bad rows {:>6}   skipped", t.bad_rows);
    }
    if t.no_markers > 0 {
        let _ = writeln!(s, "  no Gutenberg markers found in {}: kept whole", counted(t.no_markers, "book"));
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
    for f in failures {
        let title = f.title.as_deref().map(|t| format!(" ({})", shortened(t))).unwrap_or_default();
        let _ = writeln!(s, "  failed: ebook {}{title}: {}", f.ebook, terminal_safe(&f.message));
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
