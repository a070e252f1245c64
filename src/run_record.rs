//! When, how and with what a run ran: its start and end (RFC 3339, UTC), its
//! exit code, the version and the effective settings. The report opens with
//! it, the summary's first line names its end and exit code, and each run
//! appends it with its counts to `OUT/gutenfetch-runs.jsonl`, so a nightly
//! job's record survives the next night's report.

use std::io::Write as _;
use std::path::Path;
use std::time::SystemTime;

use anyhow::Context;
use serde::{Serialize, Serializer};

use crate::config::Config;
use crate::mirror::Layout;
use crate::report::Totals;
use crate::ExitCode;

/// The runs history, one JSON line per run, in the output folder.
pub const HISTORY_FILE: &str = "gutenfetch-runs.jsonl";

/// An instant as RFC 3339 in UTC, to the millisecond: `2026-12-06T03:30:00.123Z`.
/// Always the same length, so the stamps of a log or a history sort as text.
pub fn timestamp(at: SystemTime) -> String {
    let at = time::OffsetDateTime::from(at);
    let (year, month, day) = (at.year(), u8::from(at.month()), at.day());
    let (hour, minute, second, ms) = (at.hour(), at.minute(), at.second(), at.millisecond());
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{ms:03}Z")
}

/// Seconds rounded to the millisecond for the record: `0.006`, never `5.618e-06`.
pub fn seconds_ms<S: Serializer>(seconds: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((seconds * 1000.0).round() / 1000.0)
}

/// The settings a run used, after defaults: what to pass to run it again.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub manifest: String,
    /// Without its password, as every log line shows it.
    pub mirror: String,
    pub out: String,
    pub report: String,
    pub jobs: usize,
    /// `K/N`, or `null` for the whole manifest.
    pub shard: Option<String>,
    pub language: Option<String>,
    pub limit: Option<usize>,
    pub layout: &'static str,
    pub retries: u32,
    pub timeout_seconds: u64,
    pub max_size_mib: u64,
    pub keep_credits: bool,
    pub force: bool,
    pub update: bool,
}

impl Settings {
    pub fn of(config: &Config) -> Settings {
        let selection = &config.selection;
        Settings {
            manifest: config.manifest.to_string(),
            mirror: config.mirror.display_url(),
            out: config.out.to_string_lossy().into_owned(),
            report: config.report.to_string_lossy().into_owned(),
            jobs: config.jobs,
            shard: selection.shard.map(|s| format!("{}/{}", s.index, s.count)),
            language: selection.language.clone(),
            limit: selection.limit,
            layout: match config.layout {
                Layout::Folders => "folders",
                Layout::Generated => "generated",
            },
            retries: config.retry.retries,
            timeout_seconds: config.limits.timeout.as_secs(),
            max_size_mib: config.limits.max_size / (1024 * 1024),
            keep_credits: config.clean.keep_credits,
            force: config.force,
            update: config.update,
        }
    }
}

/// When and how a run ran.
#[derive(Clone, Debug, Serialize)]
pub struct RunRecord {
    pub gutenfetch_version: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub exit_code: i32,
    pub settings: Settings,
}

impl RunRecord {
    pub fn new(config: &Config, started: SystemTime, finished: SystemTime, exit: ExitCode) -> RunRecord {
        RunRecord {
            gutenfetch_version: env!("CARGO_PKG_VERSION"),
            started_at: timestamp(started),
            finished_at: timestamp(finished),
            exit_code: exit.code(),
            settings: Settings::of(config),
        }
    }

    /// The summary's first line, for a log that holds many nights.
    pub fn headline(&self) -> String {
        let meaning = match self.exit_code {
            0 => "all complete",
            1 => "some failed",
            130 => "interrupted",
            _ => "fatal error",
        };
        format!("{} exit code {}: {meaning}", self.finished_at, self.exit_code)
    }
}

/// One line of the runs history.
#[derive(Serialize)]
struct HistoryLine<'a> {
    #[serde(flatten)]
    run: &'a RunRecord,
    summary: &'a Totals,
}

/// Appends the run to `out_dir/gutenfetch-runs.jsonl` with one write, so a
/// line is whole or absent even if two runs end at once.
pub fn append_history(out_dir: &Path, run: &RunRecord, totals: &Totals) -> anyhow::Result<()> {
    let path = out_dir.join(HISTORY_FILE);
    let mut line = serde_json::to_vec(&HistoryLine { run, summary: totals }).expect("a record of strings and numbers");
    line.push(b'\n');
    let appended =
        std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| f.write_all(&line));
    appended.with_context(|| format!("cannot append to the runs history {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_to_the_millisecond() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(1_780_000_000_123_456_789);
        assert_eq!(timestamp(at), "2026-05-28T20:26:40.123Z");
        assert_eq!(timestamp(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn seconds_round_to_the_millisecond() {
        let json = |s: f64| {
            let mut out = Vec::new();
            seconds_ms(&s, &mut serde_json::Serializer::new(&mut out)).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(json(5.618e-06), "0.0");
        assert_eq!(json(2.41449), "2.414");
    }
}
