//! `--dry-run`: reads the manifest and finds every book on the mirror (lists
//! folders, chooses files, asks sizes) without downloading or writing
//! anything, then prints what a real run would do, as a table or as JSON.

use std::fmt::Write as _;
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use tokio::task::JoinSet;

use crate::config::{Config, OutputFormat};
use crate::fetch::Client;
use crate::manifest::Book;
use crate::manifest::ManifestSource;
use crate::plan::{step_for, OutputLayout, Step};
use crate::progress::{counted, human_bytes};
use crate::redact::redact;
use crate::report::BadRow;
use crate::terminal_safe::terminal_safe;
use crate::ExitCode;

/// What a real run would do with one book.
#[derive(Debug, Serialize)]
struct Planned {
    ebook: u32,
    title: Option<String>,
    /// `fetch`, `reclean` (its raw copy is in OUT/raw/), `skip` (complete) or `missing`.
    action: &'static str,
    /// The file chosen on the mirror, relative to its root.
    file: Option<String>,
    url: Option<String>,
    /// The size the server reports, when it does.
    size: Option<u64>,
    error: Option<String>,
}

impl Planned {
    fn of(book: &Book, action: &'static str, error: Option<String>) -> Self {
        Planned {
            ebook: book.number.get(),
            title: book.title().map(str::to_owned),
            action,
            file: None,
            url: None,
            size: None,
            error,
        }
    }
}

/// How many books one filter of the selection left (after those before it).
#[derive(Serialize)]
struct Kept {
    filter: &'static str,
    value: String,
    kept: usize,
}

#[derive(Serialize)]
struct DryRun<'a> {
    manifest: String,
    mirror: String,
    summary: Counts,
    /// Books in the manifest before any selection, then what each filter kept.
    listed: usize,
    filters: &'a [Kept],
    /// The same shape as in the report: `{"line": …, "error": …}`.
    bad_rows: Vec<BadRow<'a>>,
    books: &'a [Planned],
}

/// The dry run's counts, named as the report's summary names them where
/// they mean the same.
#[derive(Serialize)]
struct Counts {
    books: usize,
    to_fetch: usize,
    /// Bytes of the books to fetch, as far as the mirror said.
    to_fetch_bytes: u64,
    to_reclean: usize,
    skipped: usize,
    missing: usize,
    bad_rows: usize,
    duplicate_rows: usize,
    not_text_rows: usize,
}

impl Counts {
    fn of(planned: &[Planned], manifest: &crate::manifest::Manifest) -> Counts {
        let count = |action| planned.iter().filter(|p| p.action == action).count();
        Counts {
            books: planned.len(),
            to_fetch: count("fetch"),
            to_fetch_bytes: planned.iter().filter_map(|p| p.size).sum(),
            to_reclean: count("reclean"),
            skipped: count("skip"),
            missing: count("missing"),
            bad_rows: manifest.problems.len(),
            duplicate_rows: manifest.duplicates,
            not_text_rows: manifest.not_text,
        }
    }
}

/// Runs the dry run and prints its result to stdout.
pub fn run(config: &Config, format: OutputFormat) -> anyhow::Result<ExitCode> {
    let manifest = crate::manifest::read(&config.manifest, &config.selection)?;
    // The plan is printed whole at the end, so the books are all held here.
    let books = manifest.books().collect::<Result<Vec<Book>, _>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let client =
        Arc::new(Client::new(&config.mirror, config.layout, config.limits.clone(), config.retry.clone(), config.jobs)?);
    let out = OutputLayout::new(&config.out);
    let planned = runtime.block_on(plan_all(&client, books, &out, config.force));
    runtime.block_on(client.close());

    let bad_rows = BadRow::all(&manifest.problems);
    let kept: Vec<Kept> = manifest
        .kept_by_filter
        .iter()
        .map(|&(filter, kept)| Kept {
            filter: filter.flag(),
            value: config.selection.value_of(filter).unwrap_or_default(),
            kept,
        })
        .collect();
    let counts = Counts::of(&planned, &manifest);
    let text = match format {
        OutputFormat::Json => {
            let report = DryRun {
                manifest: config.manifest.to_string(),
                mirror: config.mirror.display_url(),
                summary: counts,
                listed: manifest.listed,
                filters: &kept,
                bad_rows,
                books: &planned,
            };
            serde_json::to_string_pretty(&report).expect("the plan serialises") + "\n"
        }
        OutputFormat::Text => {
            let built_in = (config.manifest == ManifestSource::BuiltIn).then(|| built_in_note(counts.books));
            built_in.map(|note| note + "\n").unwrap_or_default()
                + &funnel(manifest.listed, &kept)
                + &table(&planned, &manifest.problems, &counts)
        }
    };
    crate::progress::print_out(&text);
    let failed = planned.iter().any(|p| p.action == "missing") || !manifest.problems.is_empty();
    let code = if failed { ExitCode::BooksFailed } else { ExitCode::Success };
    Ok(client.health().stopped().map_or(code, |stop| code.merge(stop.exit_code())))
}

/// Finds every book, at most the throttle's limit at once, in manifest order.
async fn plan_all(client: &Arc<Client>, books: Vec<Book>, out: &OutputLayout, force: bool) -> Vec<Planned> {
    let mut tasks = JoinSet::new();
    for (index, book) in books.into_iter().enumerate() {
        match step_for(&book, out, force) {
            Step::Skip { .. } => tasks.spawn(std::future::ready((index, Planned::of(&book, "skip", None)))),
            Step::Reclean(_) => tasks.spawn(std::future::ready((index, Planned::of(&book, "reclean", None)))),
            Step::Fetch(_) => {
                // As in a real run: one book until the mirror answers, none once it stopped the run.
                let admitted = match client.health().admit().await {
                    Ok(admitted) => admitted,
                    Err(stop) => {
                        let error = format!("not looked for: {}", stop.reason);
                        tasks.spawn(std::future::ready((index, Planned::of(&book, "missing", Some(error)))));
                        continue;
                    }
                };
                let permit = client.throttle().acquire().await;
                let client = Arc::clone(client);
                tasks.spawn(async move {
                    let _permit = (permit, admitted);
                    let result = match client.locate(book.number).await {
                        Ok(located) => Planned {
                            file: Some(located.candidate.path),
                            url: Some(redact(&located.url).into_owned()),
                            size: located.size,
                            ..Planned::of(&book, "fetch", None)
                        },
                        Err(error) => {
                            let url = error.url.as_deref().map(|url| redact(url).into_owned());
                            let error = redact(&error.to_string()).into_owned();
                            Planned { url, ..Planned::of(&book, "missing", Some(error)) }
                        }
                    };
                    (index, result)
                })
            }
        };
    }
    let mut planned: Vec<(usize, Planned)> = tasks.join_all().await;
    planned.sort_by_key(|(index, _)| *index);
    planned.into_iter().map(|(_, p)| p).collect()
}

/// What each filter kept, one line each, when any was given.
fn funnel(listed: usize, kept: &[Kept]) -> String {
    let mut s = String::new();
    if !kept.is_empty() {
        let _ = writeln!(s, "{} in the manifest", counted(listed, "book"));
        for k in kept {
            let _ = writeln!(s, "  {} {}: {} kept", k.filter, terminal_safe(&k.value), k.kept);
        }
    }
    s
}

/// Says that the built-in list is in use, and how to pass another.
pub fn built_in_note(books: usize) -> String {
    format!(
        "manifest: the built-in list of {} (a copy of ingest_file/Gutenberg_files.csv); \
         pass your own with --manifest FILE",
        counted(books, "book")
    )
}

fn table(planned: &[Planned], problems: &[crate::manifest::RowProblem], counts: &Counts) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:>8}  {:<8}  {:>10}  file", "ebook", "action", "size");
    for p in planned {
        let size = p.size.map(human_bytes).unwrap_or_else(|| "-".to_owned());
        let what = match (&p.file, &p.error) {
            (Some(file), _) => file.clone(),
            (None, Some(error)) => terminal_safe(error).into_owned(),
            (None, None) => String::new(),
        };
        let _ = writeln!(s, "{:>8}  {:<8}  {:>10}  {what}", p.ebook, p.action, size);
    }
    for problem in problems {
        let _ = writeln!(s, "bad row at line {}: {}", problem.line, terminal_safe(&problem.message));
    }
    let _ = writeln!(
        s,
        "{}: {} to fetch ({}), {} to re-clean, {} already complete, {} not found",
        counted(counts.books, "book"),
        counts.to_fetch,
        human_bytes(counts.to_fetch_bytes),
        counts.to_reclean,
        counts.skipped,
        counts.missing
    );
    s
}
