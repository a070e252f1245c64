//! Writes the fixture mirror and manifest of synthetic Gutenberg books (see
//! tests/util/synth.rs and synth_mirror.rs), or the clean text each book
//! must become:
//!
//! ```text
//! cargo run --example fixture_mirror -- tests/fixtures            # mirror/ and manifest.csv
//! cargo run --example fixture_mirror -- --expected DIR [N …]      # DIR/N.txt: every book, and stand-ins N
//! cargo run --example fixture_mirror -- --stand-in N FILE         # a synthetic book N for a mirror that lacks it
//! ```

#[allow(dead_code)]
#[path = "../tests/util/implode.rs"]
mod implode;
#[allow(dead_code)]
#[path = "../tests/util/synth.rs"]
mod synth;
#[allow(dead_code)]
#[path = "../tests/util/synth_mirror.rs"]
mod synth_mirror;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |s: &str| s.parse::<u32>().unwrap_or_else(|_| usage());
    let written = match args.as_slice() {
        [flag, dir, extra @ ..] if flag == "--expected" => {
            write_expected(&PathBuf::from(dir), &extra.iter().map(|n| number(n)).collect::<Vec<_>>())
        }
        [flag, n, file] if flag == "--stand-in" => std::fs::write(file, synth_mirror::stand_in(number(n)).raw()),
        [dir] if !dir.starts_with('-') => synth_mirror::write_fixtures(&PathBuf::from(dir)),
        _ => usage(),
    };
    if let Err(e) = written {
        eprintln!("fixture_mirror: {e}");
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: fixture_mirror DIR | --expected DIR [N …] | --stand-in N FILE");
    std::process::exit(2);
}

/// `DIR/N.txt`: the body of every fixture book and of the stand-ins
/// `extra`, as gutenfetch must write it.
fn write_expected(dir: &std::path::Path, extra: &[u32]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let fixtures = synth_mirror::FIXTURE_BOOKS.iter().map(|&(n, _, _)| n);
    for n in fixtures.chain(extra.iter().copied()) {
        std::fs::write(dir.join(format!("{n}.txt")), synth_mirror::expected_body(n))?;
    }
    Ok(())
}
