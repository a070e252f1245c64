//! `--dry-run`: reads the manifest and finds every book on the mirror (lists
//! folders, chooses files, asks sizes) without downloading or writing
//! anything, and prints what a real run would do, as a table or as JSON,
//! each book as it is found (in manifest order), the summary last.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufWriter, Write as _};
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::config::{Config, OutputFormat};
use crate::fetch::{Client, Rechecked};
use crate::manifest::Book;
use crate::manifest::ManifestSource;
use crate::plan::{step_for, update_step, OutputLayout, Step};
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
    /// `fetch`, `reclean` (its raw copy is in OUT/raw/), `skip` (complete) or
    /// `missing`; with `--update`, for complete books: `update` (changed on
    /// the mirror: fetched again), `unchanged` or `gone_upstream`.
    action: &'static str,
    /// Why it would be fetched again (`--update`).
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
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
            why: None,
            file: None,
            url: None,
            size: None,
            error,
        }
    }

    /// The file a real run would fetch, as found.
    fn located(book: &Book, action: &'static str, located: crate::fetch::Located) -> Self {
        Planned {
            file: Some(located.candidate.path),
            url: Some(redact(&located.url).into_owned()),
            size: located.size,
            ..Planned::of(book, action, None)
        }
    }

    /// A book that could not be found (or checked), and why.
    fn missing(book: &Book, error: &crate::fetch::BookError) -> Self {
        let url = error.url.as_deref().map(|url| redact(url).into_owned());
        Planned { url, ..Planned::of(book, "missing", Some(redact(&error.to_string()).into_owned())) }
    }
}

/// How many books one filter of the selection left (after those before it).
#[derive(Serialize)]
struct Kept {
    filter: &'static str,
    value: String,
    kept: usize,
}

/// The dry run's counts, named as the report's summary names them where
/// they mean the same.
#[derive(Default, Serialize)]
struct Counts {
    books: usize,
    to_fetch: usize,
    /// Bytes of the books to fetch, as far as the mirror said.
    to_fetch_bytes: u64,
    to_reclean: usize,
    skipped: usize,
    missing: usize,
    /// `--update`: complete books whose file changed on the mirror.
    to_update: usize,
    unchanged: usize,
    gone_upstream: usize,
    bad_rows: usize,
    duplicate_rows: usize,
    not_text_rows: usize,
}

impl Counts {
    fn add(&mut self, planned: &Planned) {
        self.books += 1;
        match planned.action {
            "fetch" => self.to_fetch += 1,
            "reclean" => self.to_reclean += 1,
            "skip" => self.skipped += 1,
            "update" => self.to_update += 1,
            "unchanged" => self.unchanged += 1,
            "gone_upstream" => self.gone_upstream += 1,
            _ => self.missing += 1,
        }
        self.to_fetch_bytes += planned.size.unwrap_or(0);
    }
}

/// Runs the dry run, printing each book's line to stdout as it is found
/// (in manifest order) and the summary at the end: only counts are kept,
/// so memory does not follow the manifest's size.
pub fn run(config: &Config, format: OutputFormat) -> anyhow::Result<ExitCode> {
    let manifest = crate::manifest::read(&config.manifest, &config.selection)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    let client =
        Arc::new(Client::new(&config.mirror, config.layout, config.limits.clone(), config.retry.clone(), config.jobs)?);
    let out = OutputLayout::new(&config.out);
    let kept: Vec<Kept> = manifest
        .kept_by_filter
        .iter()
        .map(|&(filter, kept)| Kept {
            filter: filter.flag(),
            value: config.selection.value_of(filter).unwrap_or_default(),
            kept,
        })
        .collect();
    let mut printer = Printer { format, stdout: BufWriter::new(std::io::stdout()), first: true };
    printer.start(config, &manifest, &kept);
    // Enough books in flight to keep every connection the throttle allows busy.
    let window = config.jobs.max(1) * 4 + 16;
    let update = config.update.then(|| client.url_of(""));
    client.mostly_asking();
    let steps = |book: &Book| {
        let step = step_for(book, &out, config.force);
        match &update {
            Some(mirror_root) => update_step(step, book, &out, mirror_root),
            None => step,
        }
    };
    let planned = runtime.block_on(plan_all(&client, &manifest, steps, window, |p| printer.book(p)));
    runtime.block_on(client.close());
    let mut counts = planned?;
    counts.bad_rows = manifest.problems.len();
    counts.duplicate_rows = manifest.duplicates;
    counts.not_text_rows = manifest.not_text;
    printer.finish(&manifest.problems, &counts);
    let failed = counts.missing > 0 || !manifest.problems.is_empty();
    let code = if failed { ExitCode::BooksFailed } else { ExitCode::Success };
    Ok(client.health().stopped().map_or(code, |stop| code.merge(stop.exit_code())))
}

/// Finds every book, at most the throttle's limit at once, handing each to
/// `each` in manifest order; at most `window` books are held at a time.
async fn plan_all(
    client: &Arc<Client>,
    manifest: &crate::manifest::Manifest,
    steps: impl Fn(&Book) -> Step,
    window: usize,
    mut each: impl FnMut(&Planned),
) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let mut in_flight: VecDeque<JoinHandle<Planned>> = VecDeque::with_capacity(window);
    let mut done = |planned: Planned, counts: &mut Counts| {
        counts.add(&planned);
        each(&planned);
    };
    for book in manifest.books() {
        let book = book?;
        if in_flight.len() >= window {
            let oldest = in_flight.pop_front().expect("a book in flight");
            done(oldest.await.context("planning a book")?, &mut counts);
        }
        let step = steps(&book);
        let task = match step {
            Step::Skip { .. } => tokio::spawn(std::future::ready(Planned::of(&book, "skip", None))),
            Step::Reclean(_) => tokio::spawn(std::future::ready(Planned::of(&book, "reclean", None))),
            step @ (Step::Fetch(_) | Step::Recheck(_)) => {
                // As in a real run: one book until the mirror answers, none once it stopped the run.
                match client.health().admit().await {
                    Err(stop) => {
                        let error = format!("not looked for: {}", stop.reason);
                        tokio::spawn(std::future::ready(Planned::of(&book, "missing", Some(error))))
                    }
                    Ok(admitted) => {
                        let permit = client.throttle().acquire().await;
                        let client = Arc::clone(client);
                        tokio::spawn(async move {
                            let _permit = (permit, admitted);
                            if let Step::Recheck(recheck) = step {
                                return recheck_planned(&client, &book, &recheck.known).await;
                            }
                            match client.locate(book.number).await {
                                Ok(located) => Planned::located(&book, "fetch", located),
                                Err(error) => Planned::missing(&book, &error),
                            }
                        })
                    }
                }
            }
        };
        in_flight.push_back(task);
    }
    while let Some(oldest) = in_flight.pop_front() {
        done(oldest.await.context("planning a book")?, &mut counts);
    }
    Ok(counts)
}

/// `--update`: what a run would do with a complete book.
async fn recheck_planned(client: &Client, book: &Book, known: &crate::fetch::Known) -> Planned {
    match client.recheck(book.number, known, None, None).await {
        Ok(Rechecked::Unchanged { .. }) => Planned::of(book, "unchanged", None),
        Ok(Rechecked::Gone(why)) => Planned { why: Some(why), ..Planned::of(book, "gone_upstream", None) },
        Ok(Rechecked::WouldFetch { located, why }) => {
            Planned { why: Some(redact(&why).into_owned()), ..Planned::located(book, "update", located) }
        }
        Ok(Rechecked::Changed { .. }) => unreachable!("a dry run downloads nothing"),
        Err(error) => Planned::missing(book, &error),
    }
}

/// Prints the plan as it comes: a table (the funnel, a line a book, the
/// bad rows, the summary) or one JSON document, written a piece at a time:
/// `manifest`, `mirror`, `listed`, `filters`, `bad_rows`, then `books`, and
/// `summary` last since its counts are known only then. A closed stdout
/// loses the text, not the run (as [`crate::progress::print_out`]).
struct Printer {
    format: OutputFormat,
    stdout: BufWriter<std::io::Stdout>,
    /// No book printed yet (JSON needs commas between them).
    first: bool,
}

impl Printer {
    fn print(&mut self, text: &str) {
        let _ = self.stdout.write_all(text.as_bytes());
    }

    fn start(&mut self, config: &Config, manifest: &crate::manifest::Manifest, kept: &[Kept]) {
        let text = match self.format {
            OutputFormat::Json => {
                let mut s = String::from("{\n");
                let _ = writeln!(s, "  \"manifest\": {},", pretty(&config.manifest.to_string(), 2));
                let _ = writeln!(s, "  \"mirror\": {},", pretty(&config.mirror.display_url(), 2));
                let _ = writeln!(s, "  \"listed\": {},", manifest.listed);
                let _ = writeln!(s, "  \"filters\": {},", pretty(&kept, 2));
                // The same shape as in the report: `{"line": …, "error": …}`.
                let _ = writeln!(s, "  \"bad_rows\": {},", pretty(&BadRow::all(&manifest.problems), 2));
                s + "  \"books\": ["
            }
            OutputFormat::Text => {
                let built_in =
                    (config.manifest == ManifestSource::BuiltIn).then(|| built_in_note(manifest.book_count) + "\n");
                let mut s = built_in.unwrap_or_default() + &funnel(manifest.listed, kept);
                let _ = writeln!(s, "{:>8}  {:<8}  {:>10}  file", "ebook", "action", "size");
                s
            }
        };
        self.print(&text);
    }

    fn book(&mut self, p: &Planned) {
        let text = match self.format {
            OutputFormat::Json => format!("{}\n    {}", if self.first { "" } else { "," }, pretty(p, 4)),
            OutputFormat::Text => {
                let size = p.size.map(human_bytes).unwrap_or_else(|| "-".to_owned());
                let what = match (&p.file, &p.error, &p.why) {
                    (_, _, Some(why)) => terminal_safe(why).into_owned(),
                    (Some(file), _, None) => file.clone(),
                    (None, Some(error), None) => terminal_safe(error).into_owned(),
                    (None, None, None) => String::new(),
                };
                format!("{:>8}  {:<8}  {:>10}  {what}\n", p.ebook, p.action, size)
            }
        };
        self.first = false;
        self.print(&text);
    }

    fn finish(mut self, problems: &[crate::manifest::RowProblem], counts: &Counts) {
        let text = match self.format {
            OutputFormat::Json => {
                let books_end = if self.first { "]" } else { "\n  ]" };
                format!("{books_end},\n  \"summary\": {}\n}}\n", pretty(counts, 2))
            }
            OutputFormat::Text => {
                let mut s = String::new();
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
                if counts.to_update + counts.unchanged + counts.gone_upstream > 0 {
                    let _ = writeln!(
                        s,
                        "--update: {} changed on the mirror (in the bytes to fetch), {} unchanged, {} gone upstream \
                         (kept)",
                        counts.to_update, counts.unchanged, counts.gone_upstream
                    );
                }
                s
            }
        };
        self.print(&text);
        let _ = self.stdout.flush();
    }
}

/// `value` as pretty JSON, its lines after the first indented by `indent`
/// spaces to sit inside the document.
fn pretty(value: &impl Serialize, indent: usize) -> String {
    let json = serde_json::to_string_pretty(value).expect("the plan serialises");
    json.replace('\n', &format!("\n{}", " ".repeat(indent)))
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
