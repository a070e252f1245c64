//! The `gutenfetch` binary: parse, run, print a fatal error once, exit.

use gutenfetch::cli::Cli;
use gutenfetch::ExitCode;

fn main() -> std::process::ExitCode {
    // clap prints usage errors itself and exits with 2, as the contract says.
    let cli = Cli::parse_args();
    gutenfetch::logging::init(&cli.output());
    let code = match cli.into_action().and_then(gutenfetch::run_action) {
        Ok(code) => code,
        Err(err) => {
            let message = gutenfetch::redact::redact(&format!("{err:#}")).into_owned();
            gutenfetch::progress::print_err(&format!("gutenfetch: error: {message}\n"));
            ExitCode::Fatal
        }
    };
    std::process::ExitCode::from(code.code() as u8)
}
