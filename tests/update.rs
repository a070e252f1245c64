//! `--update`: an output folder kept in sync with its mirror. Each complete
//! book is asked about as cheaply as its transport allows; only what changed
//! is fetched again, old copies stay whole until the new ones are, and a
//! book gone from the mirror keeps its copies.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::util::fault_http::{FaultyHttp, HttpFault, PathFault};
use crate::util::ftp_server::FtpServer;
use crate::util::generated::{raw_book, write_manifest, write_mirror};
use crate::util::{
    assert_no_temp_files, book_entry, book_folder, books_tree, fetch, report, signal, spawn_fetch, tree, HttpOptions,
    HttpServer, Run, TestDir,
};

/// Books 701–706 have `N-0.txt`; 707 only `N-8.txt`, until its `N-0.txt` appears.
const BOOKS: [u32; 7] = [701, 702, 703, 704, 705, 706, 707];

fn file_of(root: &Path, n: u32, name: &str) -> PathBuf {
    book_folder(root, n).join(name)
}

/// The request path of `name` in book `n`'s folder.
fn path_of(n: u32, name: &str) -> String {
    format!("{}/{name}", book_folder(Path::new("/"), n).display())
}

fn setup(dir: &TestDir) -> (PathBuf, PathBuf) {
    let root = dir.join("mirror");
    write_mirror(&root, BOOKS.into_iter().filter(|&n| n != 707));
    std::fs::create_dir_all(book_folder(&root, 707)).unwrap();
    std::fs::write(file_of(&root, 707, "707-8.txt"), raw_book(707)).unwrap();
    let manifest = dir.join("m.csv");
    write_manifest(&manifest, BOOKS);
    (manifest, root)
}

/// Rewrites a mirror file and dates it two hours off its old date (before
/// it: a date in the future is listed by `ls -l` with its year only), so
/// that even a listing to the minute shows another date.
fn rewrite(path: &Path, contents: &[u8]) {
    let was = std::fs::metadata(path).map(|m| m.modified().unwrap()).unwrap_or(SystemTime::now());
    std::fs::write(path, contents).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(was - Duration::from_secs(7200)).unwrap();
}

/// The book's text with one word changed and the size kept.
fn same_size_change(n: u32) -> Vec<u8> {
    let text = raw_book(n).replace("Line 3 of book", "LINE 3 of book");
    assert_eq!(text.len(), raw_book(n).len());
    text.into_bytes()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn statuses(out: &Path) -> Vec<(u64, String)> {
    let report = report(out);
    let books = report["books"].as_array().unwrap();
    books.iter().map(|b| (b["ebook"].as_u64().unwrap(), b["status"].as_str().unwrap().to_owned())).collect()
}

fn expect_statuses(out: &Path, expected: &[(u32, &str)]) {
    let got = statuses(out);
    for &(n, status) in expected {
        let found = got.iter().find(|(ebook, _)| *ebook == u64::from(n)).map(|(_, s)| s.as_str());
        assert_eq!(found, Some(status), "ebook {n}: {:?}", book_entry(&report(out), n.into()));
    }
}

/// The three transports, each serving the same folder.
enum Served {
    Http(HttpServer),
    Ftp(FtpServer),
    File(String),
}

impl Served {
    fn url(&self) -> String {
        match self {
            Served::Http(server) => server.url(),
            Served::Ftp(server) => server.url(),
            Served::File(url) => url.clone(),
        }
    }
}

fn update(manifest: &Path, served: &Served, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--update"];
    args.extend_from_slice(extra);
    fetch(manifest, &served.url(), out, &args)
}

/// The whole story over one transport: nothing changed (and nothing asked
/// beyond the cheapest check), then a file grown, a file changed in place
/// at the same size, a file removed, and a better file appearing.
fn keeps_in_sync(serve: impl Fn(&Path) -> Served) {
    let dir = TestDir::new();
    let (manifest, root) = setup(&dir);
    let served = serve(&root);
    let out = dir.join("out");
    fetch(&manifest, &served.url(), &out, &[]).expect_code(0);
    for n in BOOKS {
        let name = if n == 707 { "707-8.txt" } else { &format!("{n}-0.txt") };
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(format!("provenance/{n}.json"))).unwrap()).unwrap();
        let raw = std::fs::read(out.join("raw").join(name)).unwrap();
        assert_eq!(record["sha256"], sha256(&raw), "ebook {n}: the record's SHA-256 is the raw copy's");
        assert_eq!(record["size"], raw.len(), "ebook {n}");
        assert_eq!(record["local_name"], name, "ebook {n}");
    }

    // Nothing changed: every book is asked about, none is touched.
    let complete = books_tree(&out);
    let records = tree(&out.join("provenance"));
    let mark = asked(&served);
    update(&manifest, &served, &out, &[]).expect_code(0);
    assert!(books_tree(&out) == complete, "an unchanged pass leaves every file as it was");
    assert!(tree(&out.join("provenance")) == records, "and every record");
    expect_statuses(&out, &BOOKS.map(|n| (n, "unchanged")));
    assert_eq!(report(&out)["summary"]["unchanged"], 7);
    match &served {
        Served::Http(server) => {
            let answered = &server.answered()[mark..];
            for n in BOOKS.into_iter().filter(|&n| n != 707) {
                let asked: Vec<_> = answered.iter().filter(|a| a.path.starts_with(&path_of(n, ""))).collect();
                assert_eq!(asked.len(), 1, "ebook {n}: one request: {asked:?}");
                assert!(asked[0].conditional && asked[0].status == 304, "ebook {n}: {asked:?}");
            }
            let asked: Vec<_> = answered.iter().filter(|a| a.path.starts_with(&path_of(707, ""))).collect();
            let paths: Vec<&str> = asked.iter().map(|a| a.path.as_str()).collect();
            assert_eq!(paths, [path_of(707, "707-0.txt"), path_of(707, "707-8.txt")], "ebook 707: {asked:?}");
            assert_eq!(asked[1].status, 304);
        }
        Served::Ftp(server) => {
            let commands = &server.commands()[mark..];
            let data = ["PASV", "EPSV", "RETR", "LIST", "NLST"];
            let opened: Vec<_> = commands.iter().filter(|c| data.contains(&c.as_str())).collect();
            assert!(opened.is_empty(), "no data connection for an unchanged pass: {opened:?}");
            let stats = commands.iter().filter(|c| *c == "STAT").count();
            assert_eq!(stats, BOOKS.len(), "one STAT of each book's folder: {commands:?}");
        }
        Served::File(_) => {}
    }

    // Upstream changes.
    let grown = raw_book(701).replace("Line 0 of book 701", "Line 0 of book 701 A LINE ADDED UPSTREAM.").into_bytes();
    rewrite(&file_of(&root, 701, "701-0.txt"), &grown);
    rewrite(&file_of(&root, 702, "702-0.txt"), &same_size_change(702));
    std::fs::remove_file(file_of(&root, 703, "703-0.txt")).unwrap();
    let better = raw_book(707).replace("Line 0 of book", "Line zero of book");
    std::fs::write(file_of(&root, 707, "707-0.txt"), &better).unwrap();

    // A dry run says so and changes nothing.
    let before = books_tree(&out);
    let plan = update(&manifest, &served, &out, &["--dry-run", "--format", "json"]).expect_code(0);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let action = |n: u32| {
        let books = plan["books"].as_array().unwrap();
        books.iter().find(|b| b["ebook"] == n).unwrap()["action"].as_str().unwrap().to_owned()
    };
    let actions: Vec<String> = BOOKS.iter().map(|&n| action(n)).collect();
    let expected = ["update", "update", "gone_upstream", "unchanged", "unchanged", "unchanged", "update"];
    assert_eq!(actions, expected, "{plan}");
    assert_eq!(plan["summary"]["to_update"], 3);
    assert!(books_tree(&out) == before, "a dry run writes nothing");

    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(
        &out,
        &[(701, "updated"), (702, "updated"), (703, "gone_upstream"), (704, "unchanged"), (707, "updated")],
    );
    let summary = report(&out)["summary"].clone();
    assert_eq!(
        (&summary["updated"], &summary["unchanged"], &summary["gone_upstream"]),
        (&3.into(), &3.into(), &1.into())
    );
    assert_eq!(std::fs::read(out.join("raw/701-0.txt")).unwrap(), grown);
    assert!(std::fs::read_to_string(out.join("701.txt")).unwrap().contains("A LINE ADDED UPSTREAM."));
    assert_eq!(std::fs::read(out.join("raw/702-0.txt")).unwrap(), same_size_change(702));
    assert!(std::fs::read_to_string(out.join("702.txt")).unwrap().contains("LINE 3 of book 702"));
    assert_eq!(std::fs::read_to_string(out.join("raw/707-0.txt")).unwrap(), better);
    assert!(!out.join("raw/707-8.txt").exists(), "the copy replaced by a better file is gone");
    assert!(std::fs::read_to_string(out.join("707.txt")).unwrap().contains("Line zero of book 707"));
    for file in ["703.txt", "raw/703-0.txt", "704.txt", "raw/704-0.txt"] {
        assert_eq!(std::fs::read(out.join(file)).ok(), before.get(Path::new(file)).cloned(), "{file} untouched");
    }
    let entry = book_entry(&report(&out), 701);
    let change = &entry["update"];
    assert_eq!(change["old"]["size"], raw_book(701).len(), "{entry}");
    assert_eq!(change["new"]["size"], grown.len(), "{entry}");
    assert_eq!(change["old"]["sha256"], sha256(raw_book(701).as_bytes()), "{entry}");
    assert_eq!(change["new"]["sha256"], sha256(&grown), "{entry}");
    let entry = book_entry(&report(&out), 702);
    assert_eq!(entry["update"]["old"]["size"], entry["update"]["new"]["size"], "{entry}");
    assert_ne!(entry["update"]["old"]["version"], entry["update"]["new"]["version"], "{entry}");
    let gone = book_entry(&report(&out), 703);
    assert!(gone["warnings"][0].as_str().unwrap().contains("kept"), "{gone}");
    assert_no_temp_files(&out);

    // Once in sync, in sync.
    let synced = books_tree(&out);
    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &[(701, "unchanged"), (702, "unchanged"), (703, "gone_upstream"), (707, "unchanged")]);
    assert!(books_tree(&out) == synced);
}

/// Where the server's log of requests stands now.
fn asked(served: &Served) -> usize {
    match served {
        Served::Http(server) => server.answered().len(),
        Served::Ftp(server) => server.commands().len(),
        Served::File(_) => 0,
    }
}

#[test]
fn over_http_a_conditional_get_a_book_and_only_changes_are_fetched() {
    keeps_in_sync(|root| Served::Http(HttpServer::start(root, HttpOptions::default())));
}

#[test]
fn over_ftp_one_stat_a_book_and_only_changes_are_fetched() {
    keeps_in_sync(|root| Served::Ftp(FtpServer::anonymous(root)));
}

#[test]
fn over_a_local_mirror_sizes_and_times_and_only_changes_are_fetched() {
    keeps_in_sync(|root| Served::File(url::Url::from_directory_path(root).unwrap().to_string()));
}

#[test]
fn a_server_without_etag_or_last_modified_is_compared_on_its_index_page() {
    let dir = TestDir::new();
    let (manifest, root) = setup(&dir);
    let options = HttpOptions { autoindex: true, no_validators: true, ..HttpOptions::default() };
    let server = HttpServer::start(&root, options);
    let served = Served::Http(server);
    let out = dir.join("out");
    fetch(&manifest, &served.url(), &out, &[]).expect_code(0);
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("provenance/701.json")).unwrap()).unwrap();
    assert!(record["version"]["listed"].is_string(), "the index page's date is recorded: {record}");

    let Served::Http(server) = &served else { unreachable!() };
    let mark = server.requests().len();
    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &BOOKS.map(|n| (n, "unchanged")));
    let files: Vec<String> = server.requests()[mark..]
        .iter()
        .filter(|p| p.ends_with(".txt") && !p.ends_with("707-0.txt"))
        .cloned()
        .collect();
    assert!(files.is_empty(), "unchanged books are not downloaded: {files:?}");

    rewrite(&file_of(&root, 702, "702-0.txt"), &same_size_change(702));
    rewrite(&file_of(&root, 704, "704-0.txt"), b"The Project Gutenberg eBook\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\nShort now.\r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n");
    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &[(702, "updated"), (704, "updated"), (701, "unchanged")]);
    assert_eq!(std::fs::read(out.join("raw/702-0.txt")).unwrap(), same_size_change(702));
    assert_eq!(std::fs::read_to_string(out.join("704.txt")).unwrap(), "Short now.\n");
}

#[test]
fn without_provenance_records_sizes_are_compared_and_the_summary_says_so() {
    let dir = TestDir::new();
    let (manifest, root) = setup(&dir);
    let served = Served::Http(HttpServer::start(&root, HttpOptions::default()));
    let out = dir.join("out");
    fetch(&manifest, &served.url(), &out, &[]).expect_code(0);
    std::fs::remove_dir_all(out.join("provenance")).unwrap();
    let grown = raw_book(701).replace("Line 0 of book", "Line 0 (MORE) of book").into_bytes();
    rewrite(&file_of(&root, 701, "701-0.txt"), &grown);

    let run = update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &[(701, "updated"), (702, "unchanged"), (707, "unchanged")]);
    let summary = report(&out)["summary"].clone();
    assert_eq!(summary["compared_by_size"], 6, "{summary}");
    assert!(run.stdout.contains("by size only"), "{}", run.stdout);
    let entry = book_entry(&report(&out), 702);
    assert!(entry["warnings"][0].as_str().unwrap().contains("no record"), "{entry}");
    assert_eq!(std::fs::read(out.join("raw/701-0.txt")).unwrap(), grown);
    assert!(out.join("provenance/701.json").is_file(), "the book fetched again has a record again");
}

#[test]
fn an_interrupted_update_keeps_the_old_files_and_a_rerun_finishes() {
    let dir = TestDir::new();
    let (manifest, root) = setup(&dir);
    let out = dir.join("out");
    // The first GET of 701's file is served; the next (the update's) stalls halfway.
    let stall = PathFault::new(&path_of(701, "701-0.txt"), HttpFault::Stall { after: 200 }, 1).after(1);
    let server = FaultyHttp::start(&root, HttpOptions::default(), vec![stall], None);
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    let before = books_tree(&out);
    let records = tree(&out.join("provenance"));
    let grown = raw_book(701).replace("Line 0 of book", "Line 0 (NEW.) of book").into_bytes();
    rewrite(&file_of(&root, 701, "701-0.txt"), &grown);

    let child = spawn_fetch(&manifest, &server.url(), &out, &["--update", "--jobs", "1"]);
    let asked = |paths: &[String]| paths.iter().filter(|p| *p == &path_of(701, "701-0.txt")).count() == 2;
    server.wait_for("the stalled download", asked);
    signal(&child, "TERM");
    let stopped = Run::of(child.wait_with_output().unwrap());
    assert_ne!(stopped.code, 0, "{}", stopped.stderr);
    assert!(books_tree(&out) == before, "the old raw copy and clean text are intact");
    assert!(tree(&out.join("provenance")) == records, "and the records");
    assert_no_temp_files(&out);
    assert_eq!(book_entry(&report(&out), 701)["status"], "failed", "abandoned, not updated");

    update(&manifest, &Served::File(server.url()), &out, &[]).expect_code(0);
    expect_statuses(&out, &[(701, "updated"), (702, "unchanged")]);
    assert_eq!(std::fs::read(out.join("raw/701-0.txt")).unwrap(), grown);
    assert!(std::fs::read_to_string(out.join("701.txt")).unwrap().contains("NEW."));
}

/// A file regenerated byte for byte (a new date, a new ETag) is downloaded
/// once to be sure, but nothing is replaced; its record learns the new
/// version, so the next pass costs a 304 (or a listing) again.
fn same_bytes_are_not_replaced(serve: impl Fn(&Path) -> Served) {
    let dir = TestDir::new();
    let (manifest, root) = setup(&dir);
    let served = serve(&root);
    let out = dir.join("out");
    fetch(&manifest, &served.url(), &out, &[]).expect_code(0);
    let complete = books_tree(&out);
    let record = |out: &Path| std::fs::read_to_string(out.join("provenance/704.json")).unwrap();
    let was = record(&out);
    rewrite(&file_of(&root, 704, "704-0.txt"), raw_book(704).as_bytes());

    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &BOOKS.map(|n| (n, "unchanged")));
    assert!(books_tree(&out) == complete, "nothing replaced");
    assert_ne!(record(&out), was, "the record holds the new version");
    let mark = asked(&served);
    update(&manifest, &served, &out, &[]).expect_code(0);
    expect_statuses(&out, &[(704, "unchanged")]);
    if let Served::Http(server) = &served {
        let asked: Vec<_> = server.answered()[mark..].iter().filter(|a| a.path.contains("704-0")).cloned().collect();
        assert!(asked.len() == 1 && asked[0].status == 304, "{asked:?}");
    }
}

#[test]
fn over_http_a_file_regenerated_with_the_same_bytes_is_not_replaced() {
    same_bytes_are_not_replaced(|root| Served::Http(HttpServer::start(root, HttpOptions::default())));
}

#[test]
fn over_ftp_a_file_regenerated_with_the_same_bytes_is_not_replaced() {
    same_bytes_are_not_replaced(|root| Served::Ftp(FtpServer::anonymous(root)));
}
