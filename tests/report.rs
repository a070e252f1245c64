//! Where the report goes: a destination that cannot be written is found
//! before anything is fetched, and the folder it goes to is tidied like OUT.

use crate::util::generated::{write_manifest, write_mirror};
use crate::util::{fetch, fixture_mirror, report, tree, HttpOptions, HttpServer, TestDir};

#[test]
fn a_report_that_cannot_be_written_is_fatal_before_any_book_is_fetched() {
    let server = HttpServer::start(&fixture_mirror(), HttpOptions::default());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    dir.write("a-file", "in the way");
    let out = dir.join("out");
    let in_a_file = dir.join("a-file/report.json");
    let a_folder = dir.join("a-folder");
    std::fs::create_dir(&a_folder).unwrap();
    for (report, says) in [
        ("/proc/nope.json", "cannot write the report /proc/nope.json"),
        (in_a_file.to_str().unwrap(), "cannot create the report's folder"),
        (a_folder.to_str().unwrap(), "it is a folder"),
    ] {
        let run = fetch(&manifest, &server.url(), &out, &["--report", report]).expect_code(2);
        assert!(run.stderr.contains(says), "--report {report}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "no summary for a run that did not start: {}", run.stdout);
        assert!(server.requests().is_empty(), "--report {report}: fetched {:?}", server.requests());
        assert!(tree(&out).is_empty(), "--report {report}: wrote {:?}", tree(&out).keys());
    }
    assert_eq!(std::fs::read_to_string(dir.join("a-file")).unwrap(), "in the way");
}

#[test]
fn the_reports_folder_is_made_and_cleared_of_a_killed_runs_temporary_files() {
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    // PID 4194305 is above Linux's pid_max limit, so no process has it.
    let stale = dir.write("reports/.gutenfetch-4194305-abc.part", "half a report");
    let kept = dir.write("reports/older.json", "{}");
    let mirror = fixture_mirror().to_str().unwrap().to_owned();
    let report = dir.join("reports/run.json");
    fetch(&manifest, &mirror, &dir.join("out"), &["--report", report.to_str().unwrap()]).expect_code(0);

    assert!(!stale.exists(), "the stale temporary file is removed");
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "{}", "other files are left alone");
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(written["summary"]["ok"], 1);
    assert!(!dir.join("out/gutenfetch-report.json").exists());

    let deeper = dir.join("reports/2026/11/run.json");
    fetch(&manifest, &mirror, &dir.join("out"), &["--report", deeper.to_str().unwrap()]).expect_code(0);
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&deeper).unwrap()).unwrap();
    assert_eq!(written["summary"]["skipped"], 1, "its folders were made");
}

#[test]
fn the_report_lists_every_book_once_in_manifest_order_however_they_finish() {
    let dir = TestDir::new();
    // 300 books of many sizes, in an order unrelated to their numbers, so
    // that eight transfers at once finish them out of order.
    let numbers: Vec<u32> = (0..300u32).map(|i| (i * 7919) % 997 + 1).collect();
    let (missing, done_before) = (&numbers[40..50], &numbers[100..130]);
    write_mirror(&dir.join("mirror"), numbers.iter().copied().filter(|n| !missing.contains(n)));
    let server = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
    let out = dir.join("out");
    let first = dir.join("first.csv");
    write_manifest(&first, done_before.iter().copied());
    fetch(&first, &server.url(), &out, &[]).expect_code(0);

    // The whole manifest, with a bad row and a duplicate among the books.
    let manifest = dir.join("m.csv");
    write_manifest(&manifest, numbers.iter().copied());
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.insert_str(text.find("\n").unwrap() + 1, "x,bad,row\n");
    text.push_str(&format!("{},again,row\n", numbers[0]));
    std::fs::write(&manifest, text).unwrap();
    fetch(&manifest, &server.url(), &out, &["--jobs", "8"]).expect_code(1);

    let report = report(&out);
    let books = report["books"].as_array().unwrap();
    let listed: Vec<u32> = books.iter().map(|b| b["ebook"].as_u64().unwrap() as u32).collect();
    assert_eq!(listed, numbers, "every book once, in manifest order");
    let lines: Vec<u64> = books.iter().map(|b| b["manifest_line"].as_u64().unwrap()).collect();
    assert_eq!(lines, (3..303).collect::<Vec<u64>>(), "the bad row is line 2");
    let status = |n: &u32| books[numbers.iter().position(|m| m == n).unwrap()]["status"].as_str().unwrap().to_owned();
    assert!(missing.iter().all(|n| status(n) == "failed") && done_before.iter().all(|n| status(n) == "skipped"));
    let summary = &report["summary"];
    assert_eq!((summary["books"].as_u64(), summary["ok"].as_u64()), (Some(300), Some(260)));
    assert_eq!((summary["bad_rows"].as_u64(), summary["duplicate_rows"].as_u64()), (Some(1), Some(1)));
}
