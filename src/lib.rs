//! gutenfetch: batch ingestion of Project Gutenberg plain texts.
//!
//! Data flows one way: [`manifest`] → [`plan`] → [`fetch`] → [`clean_stage`]
//! → [`report`], wired together by [`pipeline`]. `main.rs` only parses the
//! command line and calls [`run`].

pub mod atomic_file;
pub mod buffer_pool;
pub mod clean;
pub mod clean_stage;
pub mod cli;
pub mod config;
pub mod dry_run;
pub mod ebook;
pub mod exit_code;
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
pub mod redact;
pub mod refetch;
pub mod report;
pub mod retry;
pub mod select;
pub mod strip;
pub mod terminal_safe;
pub mod unzip;

use std::time::Instant;

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;

use cli::{Action, Cli};
pub use config::Config;
pub use exit_code::ExitCode;

/// Does what the command line asked for.
pub fn run_action(action: Action) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match action {
        Action::Fetch(config) => match config.dry_run {
            Some(format) => dry_run::run(&config, format),
            None => run(&config),
        },
        Action::Strip(config) => strip::run(&config),
        Action::Completions(shell) => {
            clap_complete::generate(shell, &mut Cli::command(), "gutenfetch", &mut stdout);
            Ok(ExitCode::Success)
        }
        Action::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut stdout).context("writing the man page")?;
            stdout.flush()?;
            Ok(ExitCode::Success)
        }
    }
}

/// Runs a whole fetch: every book of the manifest to an outcome, then the
/// report and the summary. Errors are fatal (nothing per-book is); each
/// destination is checked before the first book is fetched.
pub fn run(config: &Config) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
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
    let manifest = manifest::read(&config.manifest, &config.selection)?;
    let manifest_name = config.manifest.to_string();
    for problem in &manifest.problems {
        let message = terminal_safe::terminal_safe(&problem.message);
        tracing::error!("{}:{}: {message} (row skipped)", terminal_safe::terminal_safe(&manifest_name), problem.line);
    }
    let out = plan::OutputLayout::new(&config.out);
    out.prepare()?;
    report::prepare_destination(&config.report, &out.dir)?;
    let result = pipeline::run(config, &out, &manifest, &runtime, interrupted)?;
    let totals = report::Totals::new(&manifest, &result, started.elapsed().as_secs_f64());

    let mirror = config.mirror.display_url();
    let inputs = report::RunInputs { manifest: &manifest_name, mirror: &mirror };
    report::write(&config.report, &inputs, &totals, &manifest.problems, &result.ledger)?;
    print!("{}", report::summary(&inputs, &totals, &manifest.problems, result.ledger.failures()));
    println!("  report: {}", config.report.display());

    let code = if result.interrupted {
        ExitCode::Interrupted
    } else if totals.failed > 0 || totals.bad_rows > 0 || result.manifest_failed {
        ExitCode::BooksFailed
    } else {
        ExitCode::Success
    };
    // A run the mirror's health stopped could not start (2) or was cut short (1).
    Ok(result.stopped.as_ref().map_or(code, |stop| code.merge(stop.exit_code())))
}
