//! Peak memory of cleaning a generated 50 MB book from a file, the way the
//! clean stage does (streaming, re-encoding a Latin-1 book to a temporary
//! file), then of cleaning the same book in memory for comparison.
//!
//! `cargo run --release --example clean_memory` prints the process's peak
//! resident set (VmHWM) after each step; Linux only.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use gutenfetch::clean::{clean, clean_stream, CleanOptions, Spill};

const BOOK_BYTES: u64 = 50 * 1024 * 1024;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    let kib: f64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB");
    kib / 1024.0
}

/// A CRLF book of about `bytes` bytes with an E3 header, credits and licence;
/// in Latin-1 when `latin1`, so that it has to be re-encoded.
fn write_book(path: &Path, bytes: u64, latin1: bool) {
    let mut out = BufWriter::new(File::create(path).unwrap());
    let charset = if latin1 { "ISO-8859-1" } else { "UTF-8" };
    write!(
        out,
        "The Project Gutenberg EBook of Memory, by Nobody\r\n\r\nCharacter set encoding: {charset}\r\n\r\n\
         *** START OF THIS PROJECT GUTENBERG EBOOK MEMORY ***\r\n\r\nProduced by A. Volunteer and the Online\r\n\
         Distributed Proofreading Team\r\n\r\n\r\nMEMORY\r\n\r\n"
    )
    .unwrap();
    let line: &[u8] = if latin1 {
        b"It was the best of times, it was the worst of times, caf\xe9.\r\n"
    } else {
        "It was the best of times, it was the worst of times, caf\u{e9}.\r\n".as_bytes()
    };
    let mut written = 0;
    while written < bytes {
        for n in 0..8 {
            out.write_all(if n == 7 { b"\r\n" } else { line }).unwrap();
        }
        written += 7 * line.len() as u64 + 2;
    }
    out.write_all(b"\r\n*** END OF THIS PROJECT GUTENBERG EBOOK MEMORY ***\r\n\r\n*** START: FULL LICENSE ***\r\n")
        .unwrap();
    out.flush().unwrap();
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    println!("before cleaning: peak RSS {:.1} MiB", peak_rss_mib());
    for (name, latin1) in [("UTF-8", false), ("Latin-1", true)] {
        let raw = dir.path().join(format!("{name}.txt"));
        write_book(&raw, BOOK_BYTES, latin1);
        let len = std::fs::metadata(&raw).unwrap().len();
        let mut out = BufWriter::new(File::create(dir.path().join("clean.txt")).unwrap());
        let started = Instant::now();
        let findings =
            clean_stream(File::open(&raw).unwrap(), len, Spill::In(dir.path()), &CleanOptions::default(), &mut out)
                .unwrap();
        out.flush().unwrap();
        println!(
            "{name} book of {:.1} MiB streamed from a file in {:.2} s ({} clean bytes, {}): peak RSS {:.1} MiB",
            len as f64 / 1048576.0,
            started.elapsed().as_secs_f64(),
            findings.clean_bytes,
            findings.encoding,
            peak_rss_mib()
        );
    }
    let raw = std::fs::read(dir.path().join("UTF-8.txt")).unwrap();
    let cleaned = clean(&raw, &CleanOptions::default()).unwrap();
    println!(
        "for comparison, the UTF-8 book cleaned in memory ({} bytes): peak RSS {:.1} MiB",
        cleaned.text.len(),
        peak_rss_mib()
    );
}
