//! Runs stopped part-way: killed outright, or asked to stop with SIGINT,
//! SIGTERM, SIGHUP or SIGQUIT, one signal or a burst. Never a partial file
//! under a final name, never a temporary file left short of SIGKILL, always
//! a report; a re-run finishes the rest and fetches nothing twice. Every wait is on the server seeing a
//! request or on the run's output, never on a clock.

use std::path::Path;

use crate::util::fault_http::per_path;
use crate::util::generated::{assert_book_complete, mirror_and_manifest, raw_book};
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

/// SIGINT, SIGTERM, SIGHUP (a closed terminal, a session ending) and every
/// other signal sent to end a process (SIGQUIT, SIGUSR1/2, SIGALRM, and
/// SIGXCPU/SIGXFSZ from resource limits): the run stops scheduling, abandons
/// the stalled transfer, removes its temporary file and writes a report that
/// says which books were done, abandoned and never started.
#[test]
fn any_signal_but_sigkill_stops_the_run_with_a_report_and_no_temporary_files() {
    for sig in ["INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "ALRM", "XCPU", "XFSZ"] {
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

/// Watches a folder for files renamed into it, as every file of a run is
/// committed (inotify: the test waits for the event, not on a clock).
struct Renames {
    inotify: std::fs::File,
}

impl Renames {
    fn watch(dir: &Path) -> Renames {
        use std::os::fd::FromRawFd;
        let path = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        // SAFETY: plain system calls on a valid path; the descriptor is owned by the File.
        unsafe {
            let fd = libc::inotify_init1(libc::IN_CLOEXEC);
            assert!(fd >= 0, "inotify_init1");
            assert!(libc::inotify_add_watch(fd, path.as_ptr(), libc::IN_MOVED_TO) >= 0, "inotify_add_watch");
            Renames { inotify: std::fs::File::from_raw_fd(fd) }
        }
    }

    /// Blocks until a file named `name` has been renamed into the folder.
    fn wait_for(&mut self, name: &str) {
        let header = std::mem::size_of::<libc::inotify_event>();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let read = std::io::Read::read(&mut self.inotify, &mut buf).unwrap();
            let mut at = 0;
            while at + header <= read {
                let len = u32::from_ne_bytes(buf[at + 12..at + 16].try_into().unwrap()) as usize;
                let raw = &buf[at + header..at + header + len];
                if raw.split(|&b| b == 0).next() == Some(name.as_bytes()) {
                    return;
                }
                at += header + len;
            }
        }
    }
}

/// Once the report is written, a signal ends the run at once, whatever it
/// is doing. To catch the run there deterministically, its stdout is a pipe
/// already full that nobody reads: the summary can never be printed, so the
/// run can only end through the signal sent once the report is in place.
#[test]
fn a_signal_once_the_report_is_written_exits_at_once_with_130_and_no_partial_file() {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    let dir = TestDir::new();
    let manifest = mirror_and_manifest(&dir, &[501]);
    let faults = vec![PathFault::new(&path_of(501), HttpFault::Stall { after: 500 }, usize::MAX)];
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut renames = Renames::watch(&out);
    let (reader, mut writer) = std::io::pipe().unwrap();
    // SAFETY: F_GETPIPE_SZ on a pipe this test owns.
    let capacity = unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_GETPIPE_SZ) };
    writer.write_all(&vec![b'.'; usize::try_from(capacity).unwrap()]).unwrap();

    let mut child = gutenfetch()
        .args(["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url(), "--out", out.to_str().unwrap()])
        .stdout(writer)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    server.wait_for("the stalled book", |log| log.contains(&path_of(501)));
    signal(&child, "INT");
    renames.wait_for("gutenfetch-report.json");
    signal(&child, "INT");
    // The bound only keeps a broken run (one that ignores the signal) from
    // hanging the suite; nothing is timed.
    let (exited, exit) = std::sync::mpsc::channel();
    std::thread::spawn(move || exited.send(child.wait().unwrap()));
    let status = exit.recv_timeout(std::time::Duration::from_secs(60)).expect("the signal ends the run");
    assert_eq!(status.code(), Some(130), "the signal exits with 130");
    drop(reader);

    let report = report(&out);
    assert_eq!(report["summary"]["interrupted"], true, "the report was written before the summary");
    assert_eq!(book_entry(&report, 501)["status"], "failed");
    assert!(books_tree(&out).keys().all(|path| !path.starts_with("raw")), "{:?}", books_tree(&out).keys());
    assert_no_temp_files(&out);
}

/// `timeout -s TERM 3 gutenfetch …` sends SIGTERM to the run and to its
/// process group, so two arrive back to back; a cron daemon may send a
/// second one of its own. However they fall, the report is written and no
/// temporary file is left. Six rounds, as the run that lost its report in
/// two of six did.
#[test]
fn a_burst_of_sigterms_as_timeout_sends_always_leaves_a_report() {
    use std::os::unix::process::CommandExt;
    for round in 0..6 {
        let dir = TestDir::new();
        let books: Vec<u32> = (601..=608).collect();
        let manifest = mirror_and_manifest(&dir, &books);
        let stalled = path_of(603);
        let faults = vec![PathFault::new(&stalled, HttpFault::Stall { after: 500 }, usize::MAX)];
        let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);
        let out = dir.join("out");

        let url = server.url();
        let mut args = vec!["--manifest", manifest.to_str().unwrap(), "--mirror", &url];
        args.extend(["--out", out.to_str().unwrap(), "--jobs", "1"]);
        // Its own process group, as `timeout` puts it in.
        let child = gutenfetch()
            .args(&args)
            .process_group(0)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        server.wait_for("the stalled book", |log| log.contains(&stalled));
        let pid = child.id().to_string();
        // One kill(1), two signals: to the process, then to its group.
        let sent = std::process::Command::new("kill").args(["-TERM", "--", &pid, &format!("-{pid}")]).status();
        assert!(sent.unwrap().success(), "kill -TERM {pid} -{pid}");
        let run = Run::of(child.wait_with_output().unwrap()).expect_code(130);

        let report = report(&out);
        assert_eq!(report["summary"]["interrupted"], true, "round {round}");
        assert_eq!(book_entry(&report, 603)["status"], "failed", "round {round}");
        // Books 601 and 602 were downloaded; the second signal may come
        // before the cleaner got to 602: then it is not started, its raw
        // copy kept for the next run.
        for n in [601, 602] {
            match book_entry(&report, n.into())["status"].as_str().unwrap() {
                "ok" => assert_book_complete(&out, n),
                "not_started" => {
                    assert!(std::fs::read(out.join(format!("raw/{n}-0.txt"))).unwrap() == raw_book(n).as_bytes());
                    assert!(!out.join(format!("{n}.txt")).exists(), "round {round}");
                }
                other => panic!("round {round}: ebook {n} is {other}"),
            }
        }
        let summary = &report["summary"];
        assert_eq!(summary["ok"].as_u64().unwrap() + summary["not_started"].as_u64().unwrap(), 7, "{summary}");
        assert!(!run.stderr.contains("panicked"), "round {round}: {}", run.stderr);
        assert_no_temp_files(&out);
    }
}
