//! gutenfetch: batch ingestion of Project Gutenberg plain texts.
//!
//! Data flows one way: [`manifest`] → [`plan`] → [`fetch`] → [`clean_stage`]
//! → [`report`], wired together by [`pipeline`]; [`provenance`] records
//! where each book's copy came from, for `--update`. `main.rs` only parses the
//! command line and calls [`run`]. At either end, beside the flow: [`catalog`]
//! keeps Project Gutenberg's catalog (a manifest) current, and [`export`]
//! turns what a run left in its output folder into a JSONL dataset.

pub mod atomic_file;
pub mod buffer_pool;
pub mod catalog;
pub mod clean;
pub mod clean_stage;
pub mod cli;
pub mod config;
pub mod dry_run;
pub mod ebook;
pub mod exit_code;
pub mod export;
pub mod fetch;
pub mod html;
pub mod interrupt;
pub mod layout;
pub mod ledger;
pub mod logging;
pub mod manifest;
pub mod memory;
pub mod mirror;
pub mod outcome;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod provenance;
pub mod redact;
pub mod refetch;
pub mod report;
pub mod retry;
pub mod run_record;
pub mod select;
pub mod strip;
pub mod terminal_safe;
pub mod unzip;

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use clap::CommandFactory;

use cli::{Action, Cli};
pub use config::Config;
pub use exit_code::ExitCode;

/// Does what the command line asked for.
pub fn run_action(action: Action) -> anyhow::Result<ExitCode> {
    match action {
        Action::Fetch(config) => match config.dry_run {
            Some(format) => dry_run::run(&config, format),
            None => run(&config),
        },
        Action::Strip(config) => strip::run(&config),
        Action::Catalog(config) => catalog::run(&config),
        Action::Export(config) => export::run(&config),
        // Both made in memory, then printed: written straight to a closed
        // stdout (`| head`), clap_complete panics on the error.
        Action::Completions(shell) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "gutenfetch", &mut script);
            progress::print_out(&String::from_utf8_lossy(&script));
            Ok(ExitCode::Success)
        }
        Action::Man(out) => {
            match out {
                Some(dir) => cli::man::write_all(Cli::command(), &dir)?,
                None => {
                    let mut page = Vec::new();
                    cli::man::render_main(Cli::command(), &mut page).context("writing the man page")?;
                    progress::print_out(&String::from_utf8_lossy(&page));
                }
            }
            Ok(ExitCode::Success)
        }
    }
}

/// How long the end of a run waits for work still on tokio's blocking
/// threads: a file write of an abandoned transfer finishing (its temporary
/// file removed), never longer. Dropping a runtime waits for every blocking
/// task, and one stuck (a name lookup of an unresponsive resolver, a read
/// on a hung network file system) would keep a finished run alive after its
/// summary, for as long as it stays stuck.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// How long a run asked twice to quit waits for stdout to take its summary.
const HURRIED_PRINT_WAIT: Duration = Duration::from_secs(1);

/// Runs a whole fetch: every book of the manifest to an outcome, then the
/// report and the summary. Errors are fatal (nothing per-book is); each
/// destination is checked before the first book is fetched.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let (started, started_at) = (Instant::now(), SystemTime::now());
    // Built first, so Ctrl-C is handled from here to the last line of the summary.
    // The blocking pool does the file writes of the transfers in flight, a
    // 64 KiB chunk taking tens of microseconds: four threads keep up with
    // any number of transfers. More would only come and go with bursts of
    // writes, each with its own stack and malloc arena, so memory would
    // depend on how bursty a run happened to be.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .context("starting tokio")?;
    let interrupted = interrupt::watch(&runtime);
    let code = run_on(config, &runtime, interrupted, (started, started_at));
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
    code
}

fn run_on(
    config: &Config,
    runtime: &tokio::runtime::Runtime,
    interrupted: interrupt::Interrupted,
    (started, started_at): (Instant, SystemTime),
) -> anyhow::Result<ExitCode> {
    let manifest = manifest::read(&config.manifest, &config.selection)?;
    let manifest_name = config.manifest.to_string();
    if config.manifest == manifest::ManifestSource::BuiltIn {
        tracing::info!("{}", dry_run::built_in_note(manifest.book_count));
    }
    if logging::failures_in_log() {
        for problem in &manifest.problems {
            let message = terminal_safe::terminal_safe(&problem.message);
            let name = terminal_safe::terminal_safe(&manifest_name);
            tracing::error!("{name}:{}: {message} (row skipped)", problem.line);
        }
    }
    let out = plan::OutputLayout::new(&config.out);
    out.prepare()?;
    report::prepare_destination(&config.report, &out.dir)?;
    if let Some(jsonl) = config.jsonl.as_deref().filter(|dest| dest.as_os_str() != "-") {
        atomic_file::check_writable(jsonl).with_context(|| format!("cannot write {}", jsonl.display()))?;
    }
    let result = pipeline::run(config, &out, &manifest, runtime, interrupted)?;
    let totals = report::Totals::new(&manifest, &result, started.elapsed().as_secs_f64());

    let exit = if result.interrupted {
        ExitCode::Interrupted
    } else if totals.failed > 0 || totals.bad_rows > 0 || result.manifest_failed {
        ExitCode::BooksFailed
    } else {
        ExitCode::Success
    };
    // A run the mirror's health stopped could not start (2) or was cut short (1).
    let exit = result.stopped.as_ref().map_or(exit, |stop| exit.merge(stop.exit_code()));
    let record = run_record::RunRecord::new(config, started_at, SystemTime::now(), exit);
    let mirror = config.mirror.display_url();
    let inputs = report::RunInputs { manifest: &manifest_name, mirror: &mirror };
    report::write(&config.report, &record, &inputs, &totals, &manifest.problems, &result.ledger)?;
    interrupt::report_written();
    // The report is written: a history that cannot grow is said, not fatal.
    if let Err(err) = run_record::append_history(&out.dir, &record, &totals) {
        tracing::error!("{err:#}");
    }
    let failures = result.ledger.failures();
    let name_failures = !logging::failures_in_log();
    let summary = report::summary(&record, &inputs, &totals, &manifest.problems, failures, name_failures);
    let mut summary = format!("{summary}  report: {}\n", config.report.display());
    let mut dataset_on_stdout = false;
    if let Some(jsonl) = &config.jsonl {
        if interrupt::hurried() {
            tracing::warn!("asked twice to quit: no dataset written (`gutenfetch export` writes it from OUT)");
        } else {
            // From the report just written, so it equals what `export` gives.
            let exported = export::write(&out.dir, &config.report, jsonl)?;
            summary += &format!("  dataset: {} ({})\n", jsonl.display(), progress::counted(exported.books, "book"));
            dataset_on_stdout = jsonl.as_os_str() == "-";
        }
    }
    if dataset_on_stdout {
        // stdout carries the dataset alone.
        progress::print_err(&summary);
    } else if interrupt::hurried() {
        // Asked twice to quit: a stdout that does not take the summary
        // (a stalled pipe) is not waited for.
        progress::print_out_within(progress::fit_to_stdout(summary), HURRIED_PRINT_WAIT);
    } else {
        progress::print_out(&progress::fit_to_stdout(summary));
    }
    Ok(exit)
}
