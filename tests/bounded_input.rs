//! Memory stays bounded on hostile input: a book of one enormous line, a
//! manifest row or header of megabytes, a bad field of any length, a zip
//! listing too many entries. Each is refused with a clear error, the other
//! books go on, and the child's peak RSS stays small.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::util::generated::{assert_book_complete, write_mirror};
use crate::util::{book_entry, book_folder, gutenfetch, report, Run, TestDir};

/// The bound for cleaning a 200 MB one-line book.
const MAX_RSS_BYTES: u64 = 64 << 20;

/// Runs `cmd` to its end; its output and its peak resident memory in bytes.
///
/// The child is started by a small Python parent that reports it, not by this
/// process: at exec Linux counts into the child's `ru_maxrss` the peak of the
/// memory it was forked (or vforked) from, and this test process holds the
/// data of many tests at once. Python's own ~10 MB is all the child inherits.
fn run_measured(cmd: Command) -> (Run, u64) {
    const MEASURE: &str = "import resource, subprocess, sys\n\
        code = subprocess.call(sys.argv[2:])\n\
        open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n\
        sys.exit(code if code >= 0 else 128 - code)\n";
    let peak_file = tempfile::NamedTempFile::new().unwrap();
    let mut parent = Command::new("python3");
    parent.args(["-c", MEASURE]).arg(peak_file.path()).arg(cmd.get_program()).args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => parent.env(key, value),
            None => parent.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        parent.current_dir(dir);
    }
    let output = parent.output().expect("python3 runs (it measures the child's peak memory)");
    let run = Run::of(output);
    let peak = std::fs::read_to_string(peak_file.path()).unwrap();
    // Linux reports ru_maxrss in KiB.
    let kib: u64 = peak.trim().parse().unwrap_or_else(|_| panic!("no peak RSS measured: {}", run.stderr));
    (run, kib * 1024)
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
