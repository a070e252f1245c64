//! The command line: what the user typed, parsed and documented by clap, and
//! [`Cli::into_action`], the one place that turns it into what to do. The
//! stages only ever see the resolved configs, never clap.

mod dataset;
mod fetch;
pub mod man;
mod numbers;
mod strip;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub use dataset::{CatalogArgs, ExportArgs};
pub use fetch::FetchArgs;
pub use strip::StripArgs;

use crate::catalog::CatalogConfig;
use crate::config::Config;
use crate::export::ExportConfig;
use crate::strip::StripConfig;

/// Fetch Project Gutenberg plain texts listed in a CSV manifest from a mirror,
/// strip the Gutenberg header, footer and licence, and keep the raw bytes.
///
/// Without a subcommand, gutenfetch fetches: it reads the manifest, finds each
/// book's folder on the mirror (ebook 418 in 4/1/418/), downloads its plain
/// text, and writes OUT/<N>.txt (clean UTF-8), OUT/raw/<file> (the bytes as
/// served) and OUT/gutenfetch-report.json.
///
/// Exit codes: 0 every book fetched or already complete; 1 the run finished
/// but some books or manifest rows failed; 2 usage or fatal error; 130
/// interrupted (SIGINT, SIGTERM, SIGHUP or another signal sent to end it).
#[derive(Debug, Parser)]
#[command(name = "gutenfetch", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub fetch: FetchArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean local Gutenberg files: no network, the same rules as a fetch.
    Strip(StripArgs),
    /// Download Project Gutenberg's catalog, pg_catalog.csv, if it changed.
    Catalog(CatalogArgs),
    /// Write the clean books of an output folder as a JSONL dataset, without the network.
    Export(ExportArgs),
    /// Print a completion script for a shell.
    Completions {
        /// The shell to complete for.
        ///
        /// For bash: `gutenfetch completions bash > /etc/bash_completion.d/gutenfetch`.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `gutenfetch man > gutenfetch.1`, or write every page.
    Man {
        /// Write every page (gutenfetch.1 and one per subcommand) into DIR.
        ///
        /// DIR is created when missing. Without --out, gutenfetch(1) alone goes
        /// to stdout; its SUBCOMMANDS section names the pages --out writes
        /// (gutenfetch-strip(1), …).
        #[arg(long, short = 'o', value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// How much a fetch says while it works; typed before a subcommand, the
/// first two serve it too.
#[derive(Clone, Debug, Default, Args)]
pub struct OutputArgs {
    /// More log lines: -v one line per book, -vv debugging detail.
    ///
    /// Without -v: warnings (retries, texts without markers, guessed
    /// encodings), errors (failed books, bad rows) and, when no bars are
    /// drawn, a progress line every few seconds. -v adds a line per book and
    /// gutenfetch's own debugging lines (the resolved settings, what the
    /// manifest held); -vv adds gutenfetch's traces (each skipped row) and the
    /// libraries' debugging (FTP commands, HTTP connections). `RUST_LOG`
    /// (e.g. `RUST_LOG=gutenfetch=debug`) overrides all of this.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors and the final summary; no progress display.
    ///
    /// Failed books and bad rows still go to stderr and the summary to stdout;
    /// warnings, progress lines and bars do not, even with --progress always.
    /// Without --quiet, warnings are logged too (see --verbose).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// When to draw progress bars on stderr [default: auto].
    ///
    /// `auto` draws them when stderr is a terminal; otherwise (cron, CI, a
    /// pipe) plain log lines report progress instead. `always` draws them even
    /// when stderr is not a terminal, `never` not at all. --quiet turns them
    /// off whatever this says.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ProgressWhen::Auto, hide_default_value = true)]
    pub progress: ProgressWhen,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ProgressWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// What the command line asks for, resolved and validated.
pub enum Action {
    Fetch(Box<Config>),
    Strip(StripConfig),
    Catalog(CatalogConfig),
    Export(ExportConfig),
    Completions(clap_complete::Shell),
    Man(Option<PathBuf>),
}

impl Cli {
    /// Parses the process's arguments; on a usage error prints it and exits with 2.
    pub fn parse_args() -> Cli {
        Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|err| err.exit())
    }

    /// Parses `args` (the program name first). The output flags go before or
    /// after a subcommand; a fetch flag typed with a subcommand is an error
    /// rather than silently ignored.
    pub fn try_parse_args<I: IntoIterator<Item = T>, T: Into<OsString> + Clone>(args: I) -> Result<Cli, clap::Error> {
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(args)?;
        if let Some((name, _)) = matches.subcommand() {
            let fetch_flags = FetchArgs::augment_args(clap::Command::new("fetch"));
            let typed = fetch_flags
                .get_arguments()
                .map(|arg| arg.get_id().as_str())
                .chain(["progress"])
                .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine));
            if let Some(id) = typed {
                let message =
                    format!("--{} is a fetch option: `gutenfetch {name}` does not take it", id.replace('_', "-"));
                return Err(command.error(clap::error::ErrorKind::ArgumentConflict, message));
            }
        }
        Cli::from_arg_matches(&matches)
    }

    /// How much to say: the fetch's flags, or those typed before and after
    /// a subcommand (`gutenfetch -q strip …`, `gutenfetch strip -v …`).
    pub fn output(&self) -> OutputArgs {
        match &self.command {
            Some(Command::Strip(strip)) => OutputArgs {
                verbose: self.output.verbose.max(strip.verbose),
                quiet: self.output.quiet || strip.quiet,
                progress: ProgressWhen::Never,
            },
            _ => self.output.clone(),
        }
    }

    /// Validates what was typed and resolves defaults.
    pub fn into_action(self) -> anyhow::Result<Action> {
        Ok(match self.command {
            None => Action::Fetch(Box::new(self.fetch.into_config()?)),
            Some(Command::Strip(args)) => Action::Strip(args.into_config()?),
            Some(Command::Catalog(args)) => {
                let progress = !self.output.quiet && self.output.progress != ProgressWhen::Never;
                Action::Catalog(args.into_config(progress)?)
            }
            Some(Command::Export(args)) => Action::Export(args.into_config()),
            Some(Command::Completions { shell }) => Action::Completions(shell),
            Some(Command::Man { out }) => Action::Man(out),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Issue 6: every flag has a one-line help and a long help, and says what
    /// happens when it is not given: its default, or "Without --flag, …".
    #[test]
    fn every_flag_has_a_short_and_a_long_help_stating_its_default() {
        fn check(cmd: &clap::Command, problems: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                let name = match (arg.get_long(), arg.get_short()) {
                    (Some(long), _) => format!("--{long}"),
                    (None, Some(short)) => format!("-{short}"),
                    (None, None) => format!("<{id}>"),
                };
                let where_ = format!("`{} {name}`", cmd.get_name());
                let short = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                let long = arg.get_long_help().map(|h| h.to_string()).unwrap_or_default();
                if short.trim().is_empty() || short.contains('\n') {
                    problems.push(format!("{where_}: no one-line help"));
                }
                if long.trim().is_empty() || long == short {
                    problems.push(format!("{where_}: no long help beyond the one line"));
                }
                if arg.is_required_set() || arg.is_positional() {
                    continue; // nothing happens "when omitted"
                }
                let text = format!("{short}\n{long}");
                let shown_by_clap = !arg.is_hide_default_value_set() && !arg.get_default_values().is_empty();
                let stated = text.contains("[default: ")
                    || arg.get_long().is_some_and(|l| text.contains(&format!("Without --{l}")))
                    || arg.get_short().is_some_and(|s| text.contains(&format!("Without -{s}")));
                if !(stated || shown_by_clap) {
                    problems.push(format!("{where_}: the help does not say what happens without it"));
                }
                if arg.is_hide_default_value_set() && !arg.get_default_values().is_empty() {
                    let default = arg.get_default_values()[0].to_string_lossy().into_owned();
                    if !text.contains(&format!("[default: {default}]")) {
                        problems.push(format!("{where_}: the hidden default {default:?} is not in its help"));
                    }
                }
            }
            for sub in cmd.get_subcommands() {
                check(sub, problems);
            }
        }
        let mut problems = Vec::new();
        check(&Cli::command(), &mut problems);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn subcommands_do_not_take_fetch_flags() {
        assert!(Cli::try_parse_args(["gutenfetch", "strip", "a.txt"]).is_ok());
        let err = Cli::try_parse_args(["gutenfetch", "--jobs", "2", "strip", "a.txt"]).unwrap_err();
        assert!(err.to_string().contains("--jobs is a fetch option"), "{err}");
        assert!(Cli::try_parse_args(["gutenfetch", "--ftp-password", "x", "man"]).is_err());
        // -q and -v go before or after `strip`.
        let quiet = Cli::try_parse_args(["gutenfetch", "-q", "strip", "a.txt"]).unwrap();
        assert!(quiet.output().quiet);
        let verbose = Cli::try_parse_args(["gutenfetch", "strip", "-v", "a.txt"]).unwrap();
        assert_eq!(verbose.output().verbose, 1);
        assert!(Cli::try_parse_args(["gutenfetch", "--progress", "always", "strip", "a.txt"]).is_err());
    }
}
