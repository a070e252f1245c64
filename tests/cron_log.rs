//! What cron keeps: timestamped log lines without a terminal, a summary that
//! opens with the time and the exit code, each failure named once, and a
//! report and runs history that say when, how and with what each run ran.

use crate::util::generated::mirror_and_manifest;
use crate::util::{book_entry, fetch, gutenfetch_logging, report, Run, TestDir};

/// `2026-12-06T03:30:00.123Z`: RFC 3339, UTC, to the millisecond.
fn is_timestamp(text: &str) -> bool {
    let pattern = "dddd-dd-ddTdd:dd:dd.dddZ";
    text.len() == pattern.len()
        && text.chars().zip(pattern.chars()).all(|(c, p)| if p == 'd' { c.is_ascii_digit() } else { c == p })
}

fn starts_with_timestamp(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(stamp, _)| is_timestamp(stamp))
}

#[test]
fn without_a_terminal_every_line_is_timestamped_and_each_failure_is_named_once() {
    let dir = TestDir::new();
    let manifest = mirror_and_manifest(&dir, &[501, 502]);
    // A book the mirror lacks and a bad row.
    std::fs::write(&manifest, std::fs::read_to_string(&manifest).unwrap() + "9999,Gone,Nobody\n../x,Bad,Row\n")
        .unwrap();
    let mirror = dir.join("mirror");
    let args = ["--manifest", manifest.to_str().unwrap(), "--mirror", mirror.to_str().unwrap()];

    let out = dir.join("out");
    let output = gutenfetch_logging().args(args).args(["-v", "--out", out.to_str().unwrap()]).output().unwrap();
    let run = Run::of(output).expect_code(1);
    assert!(run.stderr.lines().count() > 3, "-v logs:\n{}", run.stderr);
    for line in run.stderr.lines() {
        assert!(starts_with_timestamp(line), "a log line without its time: {line:?}");
    }
    let first = run.stdout.lines().next().unwrap();
    assert!(starts_with_timestamp(first) && first.contains("exit code 1"), "{first}");
    let both = format!("{}{}", run.stderr, run.stdout);
    assert_eq!(both.matches("ebook 9999").count(), 1, "named once:\n{both}");
    assert_eq!(both.matches("m.csv:5:").count(), 1, "the bad row named once:\n{both}");

    // --quiet: nothing but the summary, which names them.
    let quiet = gutenfetch_logging().args(args).args(["-q", "--out", dir.join("q").to_str().unwrap()]).output();
    let quiet = Run::of(quiet.unwrap()).expect_code(1);
    assert_eq!(quiet.stderr, "", "--quiet: the summary only");
    assert!(starts_with_timestamp(quiet.stdout.lines().next().unwrap()), "{}", quiet.stdout);
    assert!(
        quiet.stdout.contains("failed: ebook 9999 (Gone)") && quiet.stdout.contains("bad row: "),
        "{}",
        quiet.stdout
    );
}

#[test]
fn the_report_says_when_how_and_with_what_and_the_runs_file_keeps_every_run() {
    let dir = TestDir::new();
    let manifest = mirror_and_manifest(&dir, &[501, 502, 503]);
    let mirror = dir.join("mirror");
    let out = dir.join("out");
    let flags = ["--jobs", "2", "--retries", "3", "--shard", "1/1", "--keep-credits", "--timeout", "7"];
    fetch(&manifest, mirror.to_str().unwrap(), &out, &flags).expect_code(0);
    let first = report(&out);
    fetch(&manifest, mirror.to_str().unwrap(), &out, &flags).expect_code(0);
    let second = report(&out);

    for r in [&first, &second] {
        assert_eq!(r["gutenfetch_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(r["exit_code"], 0);
        let (started, finished) = (r["started_at"].as_str().unwrap(), r["finished_at"].as_str().unwrap());
        assert!(is_timestamp(started) && is_timestamp(finished) && started <= finished, "{started} {finished}");
        let s = &r["settings"];
        assert_eq!(s["manifest"], manifest.to_str().unwrap());
        assert_eq!(s["mirror"], format!("file://{}/", mirror.display()));
        assert_eq!(s["out"], out.to_str().unwrap());
        assert_eq!(
            (s["jobs"].as_u64(), s["retries"].as_u64(), s["timeout_seconds"].as_u64()),
            (Some(2), Some(3), Some(7))
        );
        assert_eq!((&s["shard"], &s["layout"], &s["max_size_mib"]), (&"1/1".into(), &"folders".into(), &256.into()));
        assert_eq!(
            (&s["keep_credits"], &s["force"], &s["language"], &s["limit"]),
            (&true.into(), &false.into(), &serde_json::Value::Null, &serde_json::Value::Null)
        );
        for key in ["download_seconds", "clean_seconds", "total_seconds"] {
            let ms = r["summary"][key].as_f64().unwrap() * 1000.0;
            assert!((ms - ms.round()).abs() < 1e-6, "{key} is rounded to the millisecond: {}", r["summary"][key]);
        }
    }
    assert_eq!(second["summary"]["skipped"], 3);
    let (fetched, skipped) = (book_entry(&first, 502), book_entry(&second, 502));
    assert_eq!((&fetched["raw_path"], &fetched["clean_path"]), (&"raw/502-0.txt".into(), &"502.txt".into()));
    for key in ["raw_path", "clean_path", "raw_bytes", "clean_bytes", "encoding", "markers_found"] {
        assert_eq!(fetched[key], skipped[key], "a skipped book keeps what the run that fetched it learned: {key}");
    }

    let history = std::fs::read_to_string(out.join("gutenfetch-runs.jsonl")).unwrap();
    let runs: Vec<serde_json::Value> = history.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(runs.len(), 2, "one line per run:\n{history}");
    for (line, report) in runs.iter().zip([&first, &second]) {
        for key in ["started_at", "finished_at", "exit_code", "gutenfetch_version", "settings", "summary"] {
            assert_eq!(line[key], report[key], "{key}: the history line says what the report said");
        }
    }
    assert!(runs[0]["finished_at"].as_str() <= runs[1]["started_at"].as_str());
    assert_eq!((runs[0]["summary"]["ok"].as_u64(), runs[1]["summary"]["skipped"].as_u64()), (Some(3), Some(3)));
}
