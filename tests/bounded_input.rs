//! Memory stays bounded on hostile input: a book of one enormous line, a
//! manifest row or header of megabytes, a bad field of any length, a zip
//! listing too many entries. Each is refused with a clear error, the other
//! books go on, and the child's peak RSS (from `wait4`) stays small.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::generated::{assert_book_complete, write_mirror};
use crate::util::{book_entry, book_folder, gutenfetch, report, Run, TestDir};

/// The bound for cleaning a 200 MB one-line book.
const MAX_RSS_BYTES: u64 = 64 << 20;

/// Runs `cmd` to its end; its output and its peak resident memory in bytes.
// `wait4` reaps the child (std's `wait` cannot give its rusage).
#[allow(clippy::zombie_processes)]
fn run_measured(mut cmd: Command) -> (Run, u64) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("gutenfetch runs");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: the child is ours and not yet waited for; both pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4: {}", std::io::Error::last_os_error());
    let output = std::process::Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(status),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    // Linux reports ru_maxrss in KiB.
    (Run::of(output), usage.ru_maxrss as u64 * 1024)
}

/// Writes `len` bytes of `x` (no line end) to `path`, a MiB at a time.
fn write_one_line(path: &Path, len: usize) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..len >> 20 {
        file.write_all(&chunk).unwrap();
    }
    file.flush().unwrap();
}

fn file_url(dir: &Path) -> String {
    url::Url::from_directory_path(dir).unwrap().to_string()
}

#[test]
fn a_200_mb_book_of_one_line_is_refused_in_bounded_memory() {
    let dir = TestDir::new();
    let book = dir.join("in/one-line.txt");
    write_one_line(&book, 200 << 20);
    let out = dir.join("out");
    let mut cmd = gutenfetch();
    cmd.args(["strip", "--out", out.to_str().unwrap(), book.to_str().unwrap()]);
    let (run, rss) = run_measured(cmd);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("one-line.txt") && run.stderr.contains("runs past 4 MiB without a line end"),
        "{}",
        run.stderr
    );
    assert!(rss < MAX_RSS_BYTES, "peak RSS {} MiB", rss >> 20);
    assert!(!out.join("one-line.txt").exists(), "nothing is written for it");
}

#[test]
fn a_fetched_book_of_one_giant_line_fails_alone() {
    let dir = TestDir::new();
    let mirror = dir.join("mirror");
    write_mirror(&mirror, [1]);
    write_one_line(&book_folder(&mirror, 2).join("2-0.txt"), 10 << 20);
    let manifest = dir.write("m.csv", "FileNumber\n1\n2\n");
    let out = dir.join("out");
    let mut cmd = gutenfetch();
    cmd.args(["--manifest", manifest.to_str().unwrap(), "--mirror", &file_url(&mirror)]);
    cmd.args(["--out", out.to_str().unwrap()]);
    let (run, rss) = run_measured(cmd);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_book_complete(&out, 1);
    let entry = book_entry(&report(&out), 2);
    assert_eq!(entry["status"], "failed", "{entry}");
    assert!(entry["error"]["message"].as_str().unwrap().contains("without a line end"), "{entry}");
    assert!(!out.join("2.txt").exists());
    assert!(rss < MAX_RSS_BYTES, "peak RSS {} MiB", rss >> 20);
}

/// No run of more than `QUOTED` copies of `c` in `text`: a field is quoted short.
fn assert_quoted_short(what: &str, text: &str, c: char) {
    let longest = text.split(|x| x != c).map(str::len).max().unwrap_or(0);
    assert!(longest <= 100, "{what} quotes {longest} characters of the field");
}

#[test]
fn a_bad_field_is_quoted_short_in_stderr_stdout_and_the_report() {
    let dir = TestDir::new();
    let mirror = dir.join("mirror");
    write_mirror(&mirror, [1]);
    // 500 KB: under the row limit, so a bad row among good ones.
    let manifest = dir.write("m.csv", format!("FileNumber,Title\n1,One\n4{},Bad\n", "z".repeat(500_000)));
    let out = dir.join("out");
    let mut cmd = crate::util::gutenfetch_logging();
    cmd.args(["--manifest", manifest.to_str().unwrap(), "--mirror", &file_url(&mirror)]);
    cmd.args(["--out", out.to_str().unwrap(), "-vv"]);
    let (run, _) = run_measured(cmd);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_book_complete(&out, 1);
    let report = std::fs::read_to_string(out.join("gutenfetch-report.json")).unwrap();
    // Named once: in the log (not quiet, no terminal), so the summary only counts it.
    for (what, text) in [("stderr", &run.stderr), ("the report", &report)] {
        assert!(text.contains("… (500001 bytes)"), "{what} names the bad row:\n{text}");
    }
    assert!(run.stdout.contains("bad rows      1   skipped, each named in the log above"), "{}", run.stdout);
    for (what, text) in [("stderr", &run.stderr), ("stdout", &run.stdout), ("the report", &report)] {
        assert_quoted_short(what, text, 'z');
    }
}

#[test]
fn a_manifest_row_or_header_of_10_mb_is_a_clear_error_naming_the_line() {
    let dir = TestDir::new();
    let big = "9".repeat(10 << 20);
    for (name, csv, says) in [
        (
            "row.csv",
            format!("FileNumber,Title\n1,One\n{big},Bad\n2,Two\n"),
            "row.csv: line 3: a row is longer than 1 MiB",
        ),
        ("header.csv", format!("FileNumber,{big}\n1\n"), "header.csv: line 1: the header is longer than 1 MiB"),
    ] {
        let manifest = dir.write(name, csv);
        let mut cmd = gutenfetch();
        cmd.args(["--manifest", manifest.to_str().unwrap(), "--mirror", &file_url(&dir.join("")), "--dry-run"]);
        let (run, rss) = run_measured(cmd);
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert!(run.stderr.len() + run.stdout.len() < 1000, "short: {} bytes", run.stderr.len());
        assert!(rss < MAX_RSS_BYTES, "peak RSS {} MiB", rss >> 20);
    }
}

#[test]
fn a_zip_listing_too_many_entries_is_refused() {
    let dir = TestDir::new();
    let mirror = dir.join("mirror");
    write_mirror(&mirror, [1]);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..2000 {
        zip.start_file(format!("{i}.txt"), zip::write::SimpleFileOptions::default()).unwrap();
    }
    let zip_path = book_folder(&mirror, 2).join("2-0.zip");
    std::fs::create_dir_all(zip_path.parent().unwrap()).unwrap();
    std::fs::write(&zip_path, zip.finish().unwrap().into_inner()).unwrap();
    let manifest = dir.write("m.csv", "FileNumber\n1\n2\n");
    let out = dir.join("out");
    let run = crate::util::fetch(&manifest, &file_url(&mirror), &out, &[]).expect_code(1);
    assert_book_complete(&out, 1);
    let entry = book_entry(&report(&out), 2);
    let message = entry["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("lists 2000 entries") && message.contains("at most 1000"), "{entry}\n{}", run.stderr);

    let strip = crate::util::run(&["strip", zip_path.to_str().unwrap()]);
    assert_eq!(strip.code, 1);
    assert!(strip.stderr.contains("2-0.zip") && strip.stderr.contains("lists 2000 entries"), "{}", strip.stderr);
}
