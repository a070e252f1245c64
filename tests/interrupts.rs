//! Runs stopped part-way: killed outright, or asked to stop with SIGINT or
//! SIGTERM. Never a partial file under a final name; a re-run finishes the
//! rest and fetches nothing twice. Every wait is on the server seeing a
//! request, never on a clock.

use std::path::Path;

use crate::util::fault_http::per_path;
use crate::util::generated::{assert_book_complete, mirror_and_manifest, raw_book};
use crate::util::{
    assert_no_temp_files, book_entry, books_tree, fetch, report, signal, spawn_fetch, temp_files, FaultyHttp,
    HttpFault, HttpOptions, PathFault, Run, TestDir,
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
        let run = Run::of(child.wait_with_output().unwrap());
        assert_ne!(run.code, 0, "SIG{sig}: an interrupted run is not a success");

        let report = report(&out);
        for n in [201, 202] {
            assert_eq!(book_entry(&report, n.into())["status"], "ok", "SIG{sig}");
            assert_book_complete(&out, n);
        }
        let abandoned = book_entry(&report, 203);
        assert_eq!(abandoned["status"], "failed");
        assert!(abandoned["error"]["message"].as_str().unwrap().contains("interrupted"), "{abandoned}");
        for n in 204..=206 {
            let entry = book_entry(&report, n);
            assert_eq!(entry["status"], "failed", "SIG{sig}: {entry}");
            assert!(entry["error"]["message"].as_str().unwrap().contains("not fetched"), "{entry}");
        }
        assert_eq!(report["summary"]["ok"], 2);
        assert!(!out.join("203.txt").exists() && !out.join("raw/203-0.txt").exists());
        assert_no_temp_files(&out);
        assert_eq!(server.count(&path_of(204)), 0, "SIG{sig}: nothing was started after the signal");
    }
}
