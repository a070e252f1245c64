//! A file on disk is the book, complete, and nothing outside the mirror is
//! read: crafted local mirrors (links leaving the tree, a FIFO, a device),
//! transfers confirmed short, bodies encoded unasked, HTML pages in every
//! common form, and raw copies that fail only when cleaned.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::util::generated::{assert_book_complete, mirror_and_manifest, raw_book};
use crate::util::{
    assert_no_temp_files, book_entry, books_tree, fetch, fixture_mirror, fixtures, report, run, spawn_fetch, tree,
    FaultyHttp, FtpFault, FtpFaultKind, FtpOptions, FtpServer, HttpFault, HttpOptions, PathFault, RandomFaults, Run,
    TestDir,
};

fn file_url(dir: &Path) -> String {
    url::Url::from_directory_path(dir).unwrap().to_string()
}

fn served(path: &str) -> Vec<u8> {
    std::fs::read(fixture_mirror().join(path.trim_start_matches('/'))).unwrap()
}

fn error_of(report: &serde_json::Value, n: u64) -> String {
    book_entry(report, n)["error"]["message"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn links_leaving_a_local_mirror_are_refused_and_links_inside_it_followed() {
    let dir = TestDir::new();
    dir.write("outside/secret.txt", raw_book(418));
    dir.write("outside/419-0.txt", raw_book(419));
    dir.write("mirror/shared/421.txt", raw_book(421));
    let mirror = dir.join("mirror");
    let link = |target: &Path, at: &str| {
        let at = mirror.join(at);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, at).unwrap();
    };
    link(&dir.join("outside/secret.txt"), "4/1/418/418-0.txt");
    link(&dir.join("outside"), "4/1/419");
    // As rsync makes them: relative, inside the tree.
    link(Path::new("../../../shared/421.txt"), "4/2/421/421-0.txt");
    let manifest = dir.write("m.csv", "FileNumber\n418\n419\n421\n");
    let out = dir.join("out");
    fetch(&manifest, &file_url(&mirror), &out, &[]).expect_code(1);

    let report = report(&out);
    for n in [418, 419] {
        assert_eq!(book_entry(&report, n)["status"], "failed");
        let message = error_of(&report, n);
        assert!(message.contains("outside the mirror's folder"), "ebook {n}: {message}");
    }
    assert_eq!(book_entry(&report, 421)["status"], "ok");
    let files: Vec<_> = tree(&out).into_keys().collect();
    assert_eq!(
        files,
        ["421.txt", "gutenfetch-report.json", "gutenfetch-runs.jsonl", "provenance/421.json", "raw/421-0.txt"]
            .map(std::path::PathBuf::from)
    );
}

#[test]
fn a_fifo_and_a_link_to_a_device_are_refused_without_blocking() {
    let dir = TestDir::new();
    let mirror = dir.join("mirror");
    std::fs::create_dir_all(mirror.join("4/1/418")).unwrap();
    let fifo = mirror.join("4/1/418/418-0.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    std::fs::create_dir_all(mirror.join("4/1/419")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", mirror.join("4/1/419/419-0.txt")).unwrap();
    dir.write("mirror/4/2/420/420-0.txt", raw_book(420));
    let manifest = dir.write("m.csv", "FileNumber\n418\n419\n420\n");
    let out = dir.join("out");

    // Run apart, so that a regression (a read that blocks for ever) fails
    // the test instead of hanging the suite. Nothing is timed: the run ends
    // on its own, the bound is only there for a broken build.
    let child = spawn_fetch(&manifest, &file_url(&mirror), &out, &["--timeout", "5"]);
    let pid = child.id();
    let (done, ended) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output().unwrap()));
    let Ok(output) = ended.recv_timeout(Duration::from_secs(120)) else {
        // The process this test started, by its id; SIGTERM went unheard before the fix.
        std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
        panic!("the run blocked on the FIFO or the device");
    };
    Run::of(output).expect_code(1);

    let report = report(&out);
    assert!(error_of(&report, 418).contains("not a regular file"), "{}", error_of(&report, 418));
    assert!(error_of(&report, 419).contains("outside the mirror's folder"), "{}", error_of(&report, 419));
    assert_book_complete(&out, 420);
    assert!(!out.join("raw/418-0.txt").exists() && !out.join("raw/419-0.txt").exists());
}

#[test]
fn an_ftp_transfer_confirmed_early_is_caught_by_the_listed_size_and_retried_to_a_whole_file() {
    // No size in the 150 reply: only the folder's STAT listing knows it.
    const JEKYLL: &str = "4/43/43-0.txt";
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Truncate { after: 7000 }, 1)];
    let server = FtpServer::faulty(&fixture_mirror(), FtpOptions { faults, ..FtpOptions::default() });
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(0);

    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL), "never the short copy");
    assert_eq!(book_entry(&report(&out), 43)["attempts"], 2);
    assert_eq!(server.count_of("SIZE"), 0, "the listing gave the size: no extra round trip");
    assert_no_temp_files(&out);
}

#[test]
fn an_ftp_transfer_confirmed_early_with_no_size_listed_is_checked_with_size() {
    // A listing of names only (NLST), no size in the 150 reply: SIZE tells.
    const JEKYLL: &str = "4/43/43-0.txt";
    let faults = vec![FtpFault::new(JEKYLL, FtpFaultKind::Truncate { after: 7000 }, 1)];
    let listings = vec![("4/43".to_owned(), vec!["43-0.txt".to_owned()])];
    let options = FtpOptions { faults, listings, ..FtpOptions::default() };
    let server = FtpServer::faulty(&fixture_mirror(), options);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(0);
    assert!(std::fs::read(out.join("raw/43-0.txt")).unwrap() == served(JEKYLL), "never the short copy");
    assert_eq!(book_entry(&report(&out), 43)["attempts"], 2);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn a_body_gzipped_unasked_is_refused_never_saved_as_the_book() {
    const JEKYLL: &str = "/4/43/43-0.txt";
    let body = gzip(&served(JEKYLL));
    let fault = HttpFault::Served { content_type: "text/plain", content_encoding: Some("gzip"), body };
    let server = FaultyHttp::start(
        &fixture_mirror(),
        HttpOptions::default(),
        vec![PathFault::new(JEKYLL, fault, usize::MAX)],
        None,
    );
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &[]).expect_code(1);

    let report = report(&out);
    assert_eq!(book_entry(&report, 43)["status"], "failed");
    assert!(error_of(&report, 43).contains("Content-Encoding: gzip"), "{}", error_of(&report, 43));
    assert_eq!(server.count(JEKYLL), 1, "a server that ignores Accept-Encoding does it again: not retried");
    assert!(!out.join("raw/43-0.txt").exists() && !out.join("43.txt").exists());
    assert_eq!(book_entry(&report, 84)["status"], "ok");
}

/// HTML pages as mirrors send them when they throttle, labelled text/plain
/// so only their first bytes tell.
fn html_pages() -> [Vec<u8>; 4] {
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend("<!DOCTYPE html><html><body>slow down</body></html>".encode_utf16().flat_map(u16::to_le_bytes));
    [
        b"\n<!-- cache: miss -->\n<!DOCTYPE html><html><p>Too many requests</p></html>".to_vec(),
        b"<meta http-equiv=\"refresh\" content=\"5; url=/captcha\">".to_vec(),
        "<title>Just a moment\u{2026}</title><p>Checking your browser</p>".as_bytes().to_vec(),
        utf16,
    ]
}

fn html_fault(body: Vec<u8>) -> HttpFault {
    HttpFault::Served { content_type: "text/plain", content_encoding: None, body }
}

#[test]
fn html_pages_in_four_forms_are_a_busy_signal_retried_and_never_kept() {
    let books = ["/4/43/43-0.txt", "/8/84/84-0.txt", "/9/98/98-0.txt", "/1/3/4/1342/1342-0.txt"];
    let mut faults: Vec<PathFault> =
        books.iter().zip(html_pages()).map(|(path, page)| PathFault::new(path, html_fault(page), 1)).collect();
    // One more that never stops sending the page.
    faults.push(PathFault::new("/1/0/8/1080/1080-0.txt", html_fault(html_pages()[2].clone()), usize::MAX));
    let server = FaultyHttp::start(&fixture_mirror(), HttpOptions::default(), faults, None);
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n98\n1342\n1080\n");
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--retries", "2"]).expect_code(1);

    let report = report(&out);
    for (n, path) in [43, 84, 98, 1342].into_iter().zip(books) {
        let entry = book_entry(&report, n);
        assert_eq!((entry["status"].as_str(), entry["attempts"].as_u64()), (Some("ok"), Some(2)), "{entry}");
        let name = path.rsplit('/').next().unwrap();
        assert!(std::fs::read(out.join("raw").join(name)).unwrap() == served(path), "{name} is the book");
    }
    let message = error_of(&report, 1080);
    assert!(message.contains("kept answering with an HTML page (3 tries)"), "{message}");
    assert!(message.contains("rate limit or captcha"), "{message}");
    assert!(!out.join("raw/1080-0.txt").exists() && !out.join("1080.txt").exists(), "never kept");
}

#[test]
fn html_pages_mixed_into_random_faults_still_end_with_every_book_whole() {
    let dir = TestDir::new();
    let books: Vec<u32> = (1..=30).map(|i| 3000 + i * 7).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let pages = html_pages();
    // Every third book answers with an HTML page once or twice; the others
    // fail a third of their requests at random (resets, 5xx, stalls).
    let faults = books
        .iter()
        .step_by(3)
        .enumerate()
        .map(|(i, &n)| {
            let path = format!("/{}", crate::util::book_folder(Path::new(""), n).join(format!("{n}-0.txt")).display());
            PathFault::new(&path, html_fault(pages[i % 4].clone()), 1 + i % 2)
        })
        .collect();
    let random = RandomFaults { seed: 3, rate: 1.0 / 3.0 };
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, Some(random));
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &["--timeout", "1"]).expect_code(0);

    assert!(server.faults_served() >= 15, "only {} faults: the test tests little", server.faults_served());
    for &n in &books {
        assert_book_complete(&out, n);
    }
    assert_no_temp_files(&out);
}

#[test]
fn a_corrupt_raw_zip_and_an_empty_body_raw_text_are_fetched_again_in_the_same_run() {
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n10089\n43\n");
    let out = dir.join("out");
    let mirror = file_url(&fixture_mirror());
    fetch(&manifest, &mirror, &out, &[]).expect_code(0);
    let first = books_tree(&out);

    // The zip's directory still opens, but its data fails the CRC check.
    let zip = out.join("raw/10089.zip");
    let mut bytes = std::fs::read(&zip).unwrap();
    let middle = bytes.len() / 2;
    for byte in &mut bytes[middle - 50..middle + 50] {
        *byte ^= 0x5a;
    }
    std::fs::write(&zip, bytes).unwrap();
    // Markers with nothing between them: a transfer gone wrong.
    std::fs::write(
        out.join("raw/43-0.txt"),
        "*** START OF THE PROJECT GUTENBERG EBOOK JEKYLL ***\n\n*** END OF THE PROJECT GUTENBERG EBOOK JEKYLL ***\n",
    )
    .unwrap();
    for clean in ["10089.txt", "43.txt"] {
        std::fs::remove_file(out.join(clean)).unwrap();
    }
    fetch(&manifest, &mirror, &out, &[]).expect_code(0);

    assert!(books_tree(&out) == first, "the same books as the first run, byte for byte");
    let report = report(&out);
    for (n, name) in [(10089, "raw/10089.zip"), (43, "raw/43-0.txt")] {
        let entry = book_entry(&report, n);
        assert_eq!(entry["status"], "ok", "{entry}");
        assert!(entry["url"].as_str().is_some(), "fetched in this run: {entry}");
        let warnings = entry["warnings"].to_string();
        assert!(warnings.contains(name) && warnings.contains("removed and fetched again"), "{warnings}");
    }
    assert_no_temp_files(&out);
}

#[test]
fn strip_refuses_an_html_page_but_cleans_a_text_that_mentions_html() {
    let dir = TestDir::new();
    let page = dir.write("captcha.txt", "<!-- cdn -->\n<title>Just a moment...</title>");
    let text = dir.write(
        "book.txt",
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nA book about the <html> and <title> tags.\n\
         *** END OF THE PROJECT GUTENBERG EBOOK X ***\n",
    );
    let failed = run(&["strip", page.to_str().unwrap()]).expect_code(1);
    assert!(failed.stderr.contains("captcha.txt") && failed.stderr.contains("HTML page"), "{}", failed.stderr);
    let ok = run(&["strip", text.to_str().unwrap()]).expect_code(0);
    assert!(ok.stdout.contains("A book about the <html> and <title> tags."), "{}", ok.stdout);
}

#[test]
fn the_html_recogniser_never_fires_on_a_real_book() {
    let mut checked = 0;
    let mut roots = vec![fixtures()];
    // The real corpus (never copied into the repository) when GUTENFETCH_CORPUS names it.
    let real = std::env::var_os("GUTENFETCH_CORPUS").filter(|v| !v.is_empty());
    if real.is_some() {
        roots.push(crate::util::corpus::corpus_dir());
    }
    for root in &roots {
        for (path, bytes) in tree(root) {
            let name = path.to_string_lossy();
            if !(name.ends_with(".txt") || name.contains(".txt.")) || name.contains("-h/") {
                continue;
            }
            let start = &bytes[..bytes.len().min(gutenfetch::html::SNIFF_LEN)];
            assert!(!gutenfetch::html::looks_like_html(start), "{} taken for HTML", root.join(&path).display());
            checked += 1;
        }
    }
    let expected = if real.is_some() { 20 + crate::util::corpus::facts().len() } else { 20 };
    assert!(checked >= expected, "only {checked} books checked");
}
