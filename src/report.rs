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
use crate::run_record::{seconds_ms, RunRecord};
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
    /// `--update`: fetched again because their file changed on the mirror
    /// (or a better file appeared), their copies replaced.
    pub updated: usize,
    /// `--update`: found as they were on the mirror; nothing touched.
    pub unchanged: usize,
    /// Of `unchanged`, those compared by size alone (no usable provenance record, or a server that tells nothing else).
    pub compared_by_size: usize,
    /// `--update`: no file of theirs left on the mirror; their copies kept.
    pub gone_upstream: usize,
    /// Stopped by a signal (SIGINT, SIGTERM, SIGHUP, …): run the same command again to finish.
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
    #[serde(serialize_with = "seconds_ms")]
    pub download_seconds: f64,
    /// CPU time spent decoding and stripping, summed over books.
    #[serde(serialize_with = "seconds_ms")]
    pub clean_seconds: f64,
    #[serde(serialize_with = "seconds_ms")]
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
            updated: t.updated,
            unchanged: t.unchanged,
            compared_by_size: t.compared_by_size,
            gone_upstream: t.gone_upstream,
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
    /// Version, times, exit code and settings.
    #[serde(flatten)]
    run: &'a RunRecord,
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
    run: &RunRecord,
    inputs: &RunInputs,
    totals: &Totals,
    problems: &[RowProblem],
    ledger: &Ledger,
) -> anyhow::Result<()> {
    let contents = Report {
        run,
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

/// At most this many failed books and bad rows are named in the summary.
pub const NAMED_AT_MOST: usize = 10;

/// The one-screen summary: a timestamped line with the exit code, counts,
/// bytes, times, then (when `name_failures`; otherwise the log named them
/// as they happened) the first [`NAMED_AT_MOST`] bad rows and failed books.
pub fn summary(
    run: &RunRecord,
    inputs: &RunInputs,
    totals: &Totals,
    problems: &[RowProblem],
    failures: &[Failure],
    name_failures: bool,
) -> String {
    let t = totals;
    let mut s = String::new();
    let _ = writeln!(s, "{}", run.headline());
    let _ = writeln!(s, "gutenfetch: {} from {}", counted(t.books, "book"), terminal_safe(inputs.manifest));
    let (raw, clean) = (human_bytes(t.raw_bytes), human_bytes(t.clean_bytes));
    if t.recleaned == 0 {
        let _ = writeln!(s, "  fetched  {:>6}   {raw} raw, {clean} clean", t.ok);
    } else {
        let _ = writeln!(s, "  fetched  {:>6}", t.ok - t.recleaned);
        let _ = writeln!(s, "  re-cleaned {:>4}   from raw copies in the output folder", t.recleaned);
        let _ = writeln!(s, "  together         {raw} raw, {clean} clean");
    }
    if t.updated + t.unchanged + t.gone_upstream > 0 {
        let _ = writeln!(s, "  updated  {:>6}   changed on the mirror: fetched again", t.updated);
        let by_size = match t.compared_by_size {
            0 => String::new(),
            n => format!(" ({n} by size only: see the report)"),
        };
        let _ = writeln!(s, "  unchanged {:>5}   as on the mirror{by_size}", t.unchanged);
        if t.gone_upstream > 0 {
            let _ = writeln!(s, "  gone upstream {:>1}   not on the mirror now: copies kept", t.gone_upstream);
        }
    }
    let _ = writeln!(s, "  skipped  {:>6}   already complete in the output folder", t.skipped);
    let named_above = if t.failed > 0 && !name_failures { "   each named in the log above" } else { "" };
    let _ = writeln!(s, "  failed   {:>6}{named_above}", t.failed);
    if t.interrupted {
        let _ = writeln!(s, "  not started {:>3}   interrupted: run again to finish", t.not_started);
    } else if let Some(reason) = &t.stopped {
        let _ = writeln!(s, "  not started {:>3}   {}", t.not_started, terminal_safe(reason));
    }
    if t.bad_rows > 0 {
        let named_above = if name_failures { "" } else { ", each named in the log above" };
        let _ = writeln!(s, "  bad rows {:>6}   skipped{named_above}", t.bad_rows);
    }
    if t.no_markers > 0 {
        let _ = writeln!(s, "  no Gutenberg markers found in {}: kept whole", counted(t.no_markers, "book"));
    }
    // Every line fits 60 columns, so a narrow terminal shows it whole.
    let _ = writeln!(
        s,
        "  took {:.2} s: download {:.2} s, cleaning {:.2} s CPU",
        t.total_seconds, t.download_seconds, t.clean_seconds
    );
    if let Some(logins) = t.ftp_logins {
        let _ = writeln!(s, "  FTP logins {logins:>4}   one per pooled connection");
    }
    if name_failures {
        let manifest = terminal_safe(inputs.manifest);
        let rows = problems.iter().map(|p| format!("  bad row: {manifest}:{}: {}", p.line, terminal_safe(&p.message)));
        let books = failures.iter().map(|f| {
            let title = f.title.as_deref().map(|t| format!(" ({})", shortened(t))).unwrap_or_default();
            format!("  failed: ebook {}{title}: {}", f.ebook, terminal_safe(&f.message))
        });
        let mut named = rows.chain(books);
        for line in named.by_ref().take(NAMED_AT_MOST) {
            let _ = writeln!(s, "{line}");
        }
        let more = named.count();
        if more > 0 {
            let _ = writeln!(s, "  and {more} more: see the report");
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
        let run = record();
        let plain = Totals { books: 3, ok: 3, raw_bytes: 2000, clean_bytes: 1000, ..Totals::default() };
        let text = summary(&run, &inputs, &plain, &[], &[], true);
        assert!(text.contains("  fetched       3   2.0 kB raw, 1.0 kB clean\n"), "{text}");
        assert!(!text.contains("re-cleaned") && !text.contains("not started"), "{text}");

        let interrupted =
            Totals { books: 9, ok: 3, recleaned: 2, not_started: 6, interrupted: true, ..Totals::default() };
        let text = summary(&run, &inputs, &interrupted, &[], &[], true);
        assert!(text.contains("  fetched       1\n  re-cleaned    2   from raw copies"), "{text}");
        assert!(text.contains("  not started   6   interrupted: run again to finish"), "{text}");
    }

    fn record() -> RunRecord {
        let args = crate::cli::Cli::try_parse_args(["gutenfetch", "--manifest", "m.csv"]).unwrap();
        let Ok(crate::cli::Action::Fetch(config)) = args.into_action() else { panic!("a fetch") };
        let at = std::time::SystemTime::UNIX_EPOCH;
        RunRecord::new(&config, at, at, crate::ExitCode::BooksFailed)
    }

    fn failure(n: u32) -> Failure {
        Failure {
            line: u64::from(n),
            ebook: crate::ebook::EbookNumber::parse(&n.to_string()).unwrap(),
            title: None,
            message: "gone".into(),
        }
    }

    #[test]
    fn the_summary_opens_with_the_time_and_exit_code_and_names_ten_failures_at_most() {
        let inputs = RunInputs { manifest: "m.csv", mirror: "file:///m/" };
        let totals = Totals { books: 12, ok: 0, failed: 12, ..Totals::default() };
        let failures: Vec<Failure> = (1..=12).map(failure).collect();
        let text = summary(&record(), &inputs, &totals, &[], &failures, true);
        let first = text.lines().next().unwrap();
        assert_eq!(first, "1970-01-01T00:00:00.000Z exit code 1: some failed");
        assert_eq!(text.lines().filter(|l| l.starts_with("  failed: ebook")).count(), 10, "{text}");
        assert!(text.contains("  failed: ebook 10: gone\n  and 2 more: see the report\n"), "{text}");

        let text = summary(&record(), &inputs, &totals, &[], &failures, false);
        assert!(!text.contains("failed: ebook") && text.contains("each named in the log above"), "{text}");
    }
}
