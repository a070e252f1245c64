//! Writes the fixture mirror and manifest of synthetic Gutenberg books (see
//! tests/util/synth.rs and synth_mirror.rs), or the clean text each book
//! must become:
//!
//! ```text
//! cargo run --example fixture_mirror -- tests/fixtures          # mirror/ and manifest.csv
//! cargo run --example fixture_mirror -- --expected DIR          # DIR/N.txt for every book
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
    let written = match args.as_slice() {
        [flag, dir] if flag == "--expected" => write_expected(&PathBuf::from(dir)),
        [dir] if !dir.starts_with('-') => synth_mirror::write_fixtures(&PathBuf::from(dir)),
        _ => {
            eprintln!("usage: fixture_mirror DIR | fixture_mirror --expected DIR");
            std::process::exit(2);
        }
    };
    if let Err(e) = written {
        eprintln!("fixture_mirror: {e}");
        std::process::exit(1);
    }
}

/// `DIR/N.txt`: the body of every fixture book, as gutenfetch must write it.
fn write_expected(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for &(n, _, _) in synth_mirror::FIXTURE_BOOKS {
        std::fs::write(dir.join(format!("{n}.txt")), synth_mirror::fixture_book(n).body())?;
    }
    Ok(())
}
