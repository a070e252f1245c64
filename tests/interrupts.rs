//! Runs stopped part-way: killed outright, or asked to stop with SIGINT or
//! SIGTERM. Never a partial file under a final name; a re-run finishes the
//! rest and fetches nothing twice. Every wait is on the server seeing a
//! request or on the run's output, never on a clock.

use std::path::Path;

use crate::util::fault_http::per_path;
use crate::util::generated::{assert_book_complete, mirror_and_manifest, raw_book, write_mirror};
use crate::util::{
    assert_no_temp_files, book_entry, books_tree, fetch, gutenfetch, report, signal, spawn_fetch, temp_files,
    FaultyHttp, HttpFault, HttpOptions, PathFault, Run, TestDir,
};

fn path_of(n: u32) -> String {
    let folder = crate::util::book_folder(Path::new("/"), n);
    format!("{}/{n}-0.txt", folder.display())
}

/// Every file under a final name in `out` is complete; returns the books whose raw copy is there.
fn assert_only_complete_files(out: &Path, books: &[u32]) -> Vec<u32> {
    let mut fetched = Vec::new();
    for &n in books {
        let raw = out.join(format!("raw/{n}-0.txt"));
        if raw.exists() {
            assert!(std::fs::read(&raw).unwrap() == raw_book(n).as_bytes(), "raw/{n}-0.txt is whole");
            fetched.push(n);
        }
        if out.join(format!("{n}.txt")).exists() {
            assert_book_complete(out, n);
        }
    }
    for path in books_tree(out).keys() {
        let name = path.file_name().unwrap().to_string_lossy();
        assert!(
            name.starts_with(".gutenfetch-")
                || books.iter().any(|n| name == format!("{n}.txt") || name == format!("{n}-0.txt")),
            "unexpected file {}",
            path.display()
        );
    }
    fetched
}

#[test]
fn a_run_killed_mid_way_is_finished_by_the_next_without_fetching_anything_twice() {
    let dir = TestDir::new();
    let books: Vec<u32> = (101..=112).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let stalled = path_of(107);
    let server = FaultyHttp::start(
        &dir.join("mirror"),
        HttpOptions::default(),
        vec![PathFault::new(&stalled, HttpFault::Stall { after: 500 }, 1)],
        None,
    );
    let out = dir.join("out");

    let mut child = spawn_fetch(&manifest, &server.url(), &out, &["--jobs", "2"]);
    server.wait_for("the stalled book", |log| log.contains(&stalled));
    child.kill().unwrap(); // SIGKILL: nothing of the run gets to tidy up
    child.wait().unwrap();

    let fetched = assert_only_complete_files(&out, &books);
    assert!(!fetched.contains(&107), "the stalled book never appears under its name");
    assert!(!temp_files(&out).is_empty(), "the stalled book's temporary file is still there after SIGKILL");
    assert!(!out.join("gutenfetch-report.json").exists(), "a killed run writes no report");
    let first_run = server.requests().len();

    fetch(&manifest, &server.url(), &out, &["--jobs", "2"]).expect_code(0);
    for &n in &books {
        assert_book_complete(&out, n);
    }
    assert_no_temp_files(&out);
    let again = per_path(&server.requests()[first_run..]);
    for n in &fetched {
        assert!(!again.contains_key(&path_of(*n)), "ebook {n} was complete and was fetched again");
    }
    let report = report(&out);
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(
        report["summary"]["ok"].as_u64().unwrap() + report["summary"]["skipped"].as_u64().unwrap(),
        books.len() as u64
    );
    assert_eq!(book_entry(&report, 107)["status"], "ok");
}

/// SIGINT and SIGTERM: the run stops scheduling, abandons the stalled
/// transfer, removes its temporary file and writes a report that says which
/// books were done, abandoned and never started.
#[test]
fn sigint_or_sigterm_stop_the_run_with_a_report_and_no_temporary_files() {
    for sig in ["INT", "TERM"] {
        let dir = TestDir::new();
        let books: Vec<u32> = (201..=206).collect();
        let manifest = mirror_and_manifest(&dir, &books);
        let stalled = path_of(203);
        let server = FaultyHttp::start(
            &dir.join("mirror"),
            HttpOptions::default(),
            vec![PathFault::new(&stalled, HttpFault::Stall { after: 500 }, usize::MAX)],
            None,
        );
        let out = dir.join("out");

        let child = spawn_fetch(&manifest, &server.url(), &out, &["--jobs", "1"]);
        server.wait_for("the stalled book", |log| log.contains(&stalled));
        signal(&child, sig);
        let run = Run::of(child.wait_with_output().unwrap()).expect_code(130);
        assert!(run.stdout.contains("not started   3   interrupted"), "SIG{sig}: {}", run.stdout);

        let report = report(&out);
        for n in [201, 202] {
            assert_eq!(book_entry(&report, n.into())["status"], "ok", "SIG{sig}");
            assert_book_complete(&out, n);
        }
        let abandoned = book_entry(&report, 203);
        assert_eq!(abandoned["status"], "failed");
        assert!(abandoned["error"]["message"].as_str().unwrap().contains("interrupted"), "{abandoned}");
        assert_eq!(abandoned["error"]["stage"], "download", "{abandoned}");
        for n in 204..=206 {
            let entry = book_entry(&report, n);
            assert_eq!(entry["status"], "not_started", "SIG{sig}: {entry}");
            assert!(entry["error"].is_null(), "{entry}");
            assert!(entry["warnings"][0].as_str().unwrap().contains("interrupted"), "{entry}");
        }
        assert_eq!(report["summary"]["ok"], 2);
        assert_eq!(report["summary"]["not_started"], 3);
        assert_eq!(report["summary"]["interrupted"], true);
        assert!(!out.join("203.txt").exists() && !out.join("raw/203-0.txt").exists());
        assert_no_temp_files(&out);
        assert_eq!(server.count(&path_of(204)), 0, "SIG{sig}: nothing was started after the signal");
    }
}

/// Books start in manifest order, re-cleans as well as downloads, and none
/// starts after the signal. Here one download stalls with `--jobs 1`, so the
/// next book waits for the only permit when the signal comes: it and the
/// re-cleans after it are not started, and are done by the next run.
#[test]
fn after_sigint_no_book_starts_neither_a_download_nor_a_reclean() {
    let dir = TestDir::new();
    let books: Vec<u32> = (401..=460).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let out = dir.join("out");
    let (stalled, waiting) = (404, 405);
    let recleaned: Vec<u32> = books.iter().copied().filter(|&n| n != stalled && n != waiting).collect();
    for &n in &recleaned {
        dir.write(&format!("out/raw/{n}-0.txt"), raw_book(n));
    }
    let faults = vec![PathFault::new(&path_of(stalled), HttpFault::Stall { after: 500 }, 1)];
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);

    let child = spawn_fetch(&manifest, &server.url(), &out, &["--jobs", "1"]);
    server.wait_for("the stalled book", |log| log.contains(&path_of(stalled)));
    signal(&child, "INT");
    let run = Run::of(child.wait_with_output().unwrap()).expect_code(130);

    let report = report(&out);
    for n in 401..=403 {
        let entry = book_entry(&report, n.into());
        assert_eq!(entry["status"], "ok", "started before the signal, so cleaned: {entry}");
        assert!(entry["url"].is_null() && entry["attempts"] == 0, "re-cleaned, not fetched: {entry}");
        assert_book_complete(&out, n);
    }
    assert_eq!(book_entry(&report, stalled.into())["status"], "failed");
    for n in std::iter::once(waiting).chain(406..=460) {
        let entry = book_entry(&report, n.into());
        assert_eq!(entry["status"], "not_started", "{entry}");
        assert!(!out.join(format!("{n}.txt")).exists(), "ebook {n} was cleaned after the signal");
    }
    for &n in &recleaned {
        assert!(std::fs::read(out.join(format!("raw/{n}-0.txt"))).unwrap() == raw_book(n).as_bytes());
    }
    let summary = &report["summary"];
    assert_eq!((summary["ok"].as_u64(), summary["recleaned"].as_u64()), (Some(3), Some(3)), "{summary}");
    assert_eq!((summary["failed"].as_u64(), summary["not_started"].as_u64()), (Some(1), Some(56)), "{summary}");
    assert_eq!(summary["interrupted"], true);
    assert!(run.stdout.contains("not started  56   interrupted"), "{}", run.stdout);
    assert_eq!(server.count(&path_of(waiting)), 0, "the book waiting for a permit never started");
    assert!(!out.join(format!("{stalled}.txt")).exists() && !out.join(format!("raw/{stalled}-0.txt")).exists());
    assert_no_temp_files(&out);

    // The next run does what the first left: fetches two, re-cleans the rest.
    let first_run = server.requests().len();
    fetch(&manifest, &server.url(), &out, &["--jobs", "1"]).expect_code(0);
    for &n in &books {
        assert_book_complete(&out, n);
    }
    let again = per_path(&server.requests()[first_run..]);
    for &n in &recleaned {
        assert!(!again.contains_key(&path_of(n)), "ebook {n} had its raw copy and was fetched");
    }
    let summary = crate::util::report(&out)["summary"].clone();
    assert_eq!((summary["skipped"].as_u64(), summary["recleaned"].as_u64()), (Some(3), Some(55)), "{summary}");
    assert_eq!(summary["interrupted"], false);
}

/// A second Ctrl-C ends the run at once, whatever it is doing. To catch the
/// run between the two deterministically, the test stops reading its stdout:
/// the summary (long: the ten bad rows it names are 10 kB each) then cannot
/// be printed to the end, so the run can only end through the second signal.
#[test]
fn a_second_sigint_exits_at_once_with_130_and_no_partial_file() {
    use std::io::BufRead;
    let dir = TestDir::new();
    write_mirror(&dir.join("mirror"), [501]);
    let mut csv = String::from("FileNumber\n501\n");
    for row in 0..20 {
        csv.push_str(&format!("not-a-number-{row}-{}\n", "x".repeat(10_000)));
    }
    let manifest = dir.write("m.csv", csv);
    let faults = vec![PathFault::new(&path_of(501), HttpFault::Stall { after: 500 }, usize::MAX)];
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);
    let out = dir.join("out");

    let mut child = gutenfetch()
        .args(["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url(), "--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for("the stalled book", |log| log.contains(&path_of(501)));
    signal(&child, "INT");
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.ends_with(" exit code 130: interrupted\n"), "the summary has begun: {first}");
    signal(&child, "INT");
    // The bound only keeps a broken run (one that ignores the signal) from
    // hanging the suite; nothing is timed.
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || exited.send(child.wait().unwrap()));
    let status = exit.recv_timeout(std::time::Duration::from_secs(60)).expect("the second SIGINT ends the run");
    assert_eq!(status.code(), Some(130), "the second SIGINT exits with 130");

    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(rest.contains("bad row") && !rest.contains("  report: "), "cut short in the summary");
    let report = report(&out);
    assert_eq!(report["summary"]["interrupted"], true, "the report was written before the summary");
    assert_eq!(book_entry(&report, 501)["status"], "failed");
    assert!(books_tree(&out).is_empty(), "no file under a final name: {:?}", books_tree(&out).keys());
}
