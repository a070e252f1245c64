//! Input that tries to do harm: manifest rows and server listings with path
//! tricks and control characters, an output folder that cannot be made or
//! written, and a disk that fills up mid-run.
//!
//! As root, two tests mount a small tmpfs: a real disk that fills up, and a
//! read-only output folder. A user cannot mount, so there the output folder
//! has mode 0555 and the disk is a file-size limit (`ulimit -f`), under which
//! writes fail mid-file just the same, with "File too large".

use std::path::Path;

use crate::util::generated::{assert_book_complete, mirror_and_manifest};
use crate::util::{
    assert_no_temp_files, book_entry, books_tree, fetch, fixture_mirror, has_raw_controls, report, tree, FaultyHttp,
    FtpOptions, FtpServer, HttpFault, HttpOptions, PathFault, TestDir,
};

/// Everything under the test folder, outside `out`: nothing may be written there.
fn outside(dir: &TestDir, out: &str) -> Vec<std::path::PathBuf> {
    tree(&dir.join("")).into_keys().filter(|path| !path.starts_with(out)).collect()
}

#[test]
fn manifest_rows_with_path_tricks_huge_numbers_and_control_characters_harm_nothing() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write(
        "m.csv",
        "FileNumber,Title,author\n\
         ../../etc/passwd,Escape,X\n\
         /etc/passwd,Absolute,X\n\
         1/../2,Climb,X\n\
         99999999999999999999,Huge,X\n\
         12345678,Eight digits,X\n\
         43,\"Jekyll \x1b[2J\x1b]0;owned\x07\",\"Steven\x1b[31mson\x00\"\n\
         9999999,\"Missing \x1b[5mblink\u{9b}\",\"\x7fDel\"\n\
         \x1b[2J,Number is an escape,X\n",
    );
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(1);

    assert!(!has_raw_controls(&run.stdout), "stdout carries raw control characters:\n{:?}", run.stdout);
    assert!(!has_raw_controls(&run.stderr), "stderr carries raw control characters:\n{:?}", run.stderr);
    for (line, what) in [(2, "../../etc/passwd"), (3, "/etc/passwd"), (4, "1/../2"), (5, "99999999999999999999")] {
        assert!(
            run.stdout.contains(&format!("m.csv:{line}: ")) && run.stdout.contains(what),
            "row {line}:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("m.csv:6: ") && run.stdout.contains("m.csv:9: "), "{}", run.stdout);
    assert_eq!(outside(&dir, "out"), [Path::new("m.csv")], "nothing written outside the output folder");
    let files: Vec<_> = tree(&out).into_keys().collect();
    assert_eq!(
        files,
        ["43.txt", "gutenfetch-report.json", "gutenfetch-runs.jsonl", "provenance/43.json", "raw/43-0.txt"]
            .map(std::path::PathBuf::from),
        "only the good book"
    );

    let report = report(&out);
    assert_eq!(report["summary"]["bad_rows"], 6);
    assert_eq!(report["summary"]["ok"], 1);
    let jekyll = book_entry(&report, 43);
    assert_eq!(
        jekyll["title"], "Jekyll \x1b[2J\x1b]0;owned\x07",
        "the report keeps the title as it was (JSON-escaped)"
    );
    assert!(run.stdout.contains("failed: ebook 9999999 (Missing ?[5mblink?)"), "{}", run.stdout);
}

#[test]
fn ftp_listings_with_hostile_names_are_never_used_as_paths_nor_printed_raw() {
    let dir = TestDir::new();
    dir.write("mirror/4/1/418/418-h/418-h.htm", "<html></html>");
    dir.write("mirror/4/1/418/old/readme", "not a book");
    dir.write("mirror/etc/passwd.txt", "the mirror's own secret");
    let hostile: Vec<String> = [
        "../../../etc/passwd.txt",
        "../../../../../../etc/passwd",
        "/etc/passwd.txt",
        "..",
        "...txt",
        ".hidden.txt",
        "evil\0name.txt",
        "\x1b]0;owned\x07title.txt",
        "\x1b[2Jclear.txt",
        "tab\there.txt",
        "418\r.txt",
    ]
    .map(String::from)
    .to_vec();
    // The folder's listing shows an old/ too, so that one is listed as well.
    let folder = [hostile.clone(), vec!["old".to_owned()]].concat();
    let options = FtpOptions {
        listings: vec![("4/1/418".into(), folder), ("4/1/418/old".into(), hostile)],
        ..FtpOptions::default()
    };
    let server = FtpServer::faulty(&dir.join("mirror"), options);
    let manifest = dir.write("m.csv", "FileNumber,Title\n418,Good Works\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &["--retries", "0"]).expect_code(1);

    for path in server.gets() {
        assert!(path.starts_with("4/1/418/") && !path.contains(".."), "asked for {path:?}");
        assert!(!path.chars().any(char::is_control), "asked for {path:?}");
    }
    assert!(!has_raw_controls(&run.stdout) && !has_raw_controls(&run.stderr), "{:?}\n{:?}", run.stdout, run.stderr);
    let entry = book_entry(&report(&out), 418);
    assert_eq!(entry["status"], "failed");
    assert!(entry["error"]["message"].as_str().unwrap().contains("no plain-text file"), "{entry}");
    // The folder is listed first (STAT), so nothing is probed; a listed path
    // counts by its last part, inside the folder: `/etc/passwd.txt` in old/ is old/passwd.txt.
    assert_eq!(server.gets(), ["4/1/418/old/passwd.txt"]);
    assert_eq!(outside(&dir, "out").len(), 4, "the mirror and the manifest, nothing more");
    assert!(books_tree(&out).is_empty(), "only the report and the runs file: {:?}", tree(&out).keys());
}

#[test]
fn http_index_pages_with_hostile_links_are_never_followed_out_of_the_folder() {
    let dir = TestDir::new();
    dir.write("mirror/4/1/418/418-h/418-h.htm", "<html></html>");
    dir.write("mirror/etc/passwd.txt", "the mirror's own secret");
    let page = r#"<html><body><pre>
<a href="../../../etc/passwd.txt">up</a>
<a href="/etc/passwd.txt">absolute</a>
<a href="http://127.0.0.2/418-0.txt">elsewhere</a>
<a href="%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd.txt">encoded</a>
<a href="..%2F..%2F418.txt">half encoded</a>
<a href="%1b%5b2Jclear.txt">escape</a>
<a href="evil%00name.txt">nul</a>
<a href="old/">old/</a>
</pre></body></html>"#;
    let faults = vec![
        PathFault::new("/4/1/418/", HttpFault::Page(page.into()), usize::MAX),
        PathFault::new("/4/1/418/old/", HttpFault::Page(page.into()), usize::MAX),
    ];
    let server = FaultyHttp::start(&dir.join("mirror"), HttpOptions::default(), faults, None);
    let manifest = dir.write("m.csv", "FileNumber\n418\n");
    let out = dir.join("out");
    let run = fetch(&manifest, &server.url(), &out, &["--retries", "0"]).expect_code(1);

    // The root is looked at once, the first book not being found (see mirror_health.rs).
    assert!(server.requests().iter().filter(|path| *path == "/").count() <= 1, "{:?}", server.requests());
    for path in server.requests().into_iter().filter(|path| path != "/") {
        assert!(path.starts_with("/4/1/418/") && !path.contains(".."), "asked for {path:?}");
        assert!(!path.chars().any(char::is_control), "asked for {path:?}");
    }
    assert!(!has_raw_controls(&run.stdout) && !has_raw_controls(&run.stderr), "{:?}\n{:?}", run.stdout, run.stderr);
    let entry = book_entry(&report(&out), 418);
    assert!(entry["error"]["message"].as_str().unwrap().contains("no plain-text file"), "{entry}");
    assert!(books_tree(&out).is_empty(), "only the report and the runs file: {:?}", tree(&out).keys());
}

#[test]
fn an_output_folder_that_cannot_be_made_is_fatal_with_a_clear_message() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n");
    dir.write("a-file", "in the way");
    // Root may write anywhere, but not inside a regular file.
    let out = dir.join("a-file/out");
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(2);

    assert!(run.stderr.contains("cannot create output folder"), "{}", run.stderr);
    assert!(run.stderr.contains("a-file/out"), "the folder is named: {}", run.stderr);
    assert_eq!(server.retrievals(), 0, "nothing is fetched for a run that cannot write");
    assert_eq!(std::fs::read_to_string(dir.join("a-file")).unwrap(), "in the way");
}

#[test]
fn an_existing_output_folder_that_cannot_be_written_is_fatal_and_nothing_is_written() {
    let server = FtpServer::anonymous(&fixture_mirror());
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n");
    let out = dir.join("read-only");
    // A user cannot write into a folder of mode 0555; root can, but not into a read-only mount.
    let mount = if is_root() {
        Some(Tmpfs::mount(out.clone(), "ro,size=64k"))
    } else {
        std::fs::create_dir(&out).unwrap();
        set_mode(&out, 0o555);
        None
    };
    let run = fetch(&manifest, &server.url(), &out, &[]).expect_code(2);

    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("gutenfetch: error: cannot create output folder"), "{}", run.stderr);
    assert!(first.contains(out.to_str().unwrap()), "the folder is named: {first}");
    assert!(first.contains("Read-only file system") || first.contains("Permission denied"), "the reason: {first}");
    assert_eq!(server.retrievals(), 0, "nothing is fetched for a run that cannot write");
    assert!(tree(&out).is_empty(), "nothing written: {:?}", tree(&out).keys());
    assert_eq!(outside(&dir, "read-only"), [Path::new("m.csv")], "nor anywhere else");
    drop(mount);
    set_mode(&out, 0o755);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether this process runs as root (effective UID 0).
fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let uids = status.lines().find_map(|l| l.strip_prefix("Uid:")).expect("a Uid line");
    uids.split_whitespace().nth(1) == Some("0")
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs with `options` (e.g. `size=512k`) at `path`. Needs root.
    fn mount(path: std::path::PathBuf, options: &str) -> Tmpfs {
        assert!(
            is_root(),
            "this test needs root: it mounts a tmpfs (`mount -t tmpfs`). Run the tests as root, e.g. \
             `sudo -E env \"PATH=$PATH\" cargo test` (the GitHub workflow does)"
        );
        std::fs::create_dir_all(&path).unwrap();
        let output = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&path)
            .output()
            .expect("mount(8) is installed");
        assert!(
            output.status.success(),
            "this test needs root and tmpfs, but `mount -t tmpfs` failed (in a container, it needs \
             CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Tmpfs(path)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_disk_that_fills_up_fails_the_books_that_do_not_fit_and_leaves_no_temporary_file() {
    let dir = TestDir::new();
    // 40 books of 2 to 30 kB each, raw and clean: about 1.2 MB, on a 512 kB
    // disk; or, for a user, a 16 KiB limit on each file (10 books, so that
    // the report fits).
    let books: Vec<u32> = (1001..=if is_root() { 1040 } else { 1010 }).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let server = FtpServer::anonymous(&dir.join("mirror"));
    let disk = is_root().then(|| Tmpfs::mount(dir.join("disk"), "size=512k"));
    let out = disk.as_ref().map_or_else(|| dir.join("out"), |disk| disk.0.join("out"));
    let report_path = dir.join("report.json");
    let args = ["--manifest", manifest.to_str().unwrap(), "--mirror", &server.url(), "--out", out.to_str().unwrap()];
    let args = [&args[..], &["--report", report_path.to_str().unwrap(), "--retries", "1"]].concat();
    let run = if disk.is_some() {
        crate::util::run(&args)
    } else {
        // SIGXFSZ ignored, a write past the limit fails with EFBIG instead of killing the process.
        let mut limited = std::process::Command::new("bash");
        for var in ["GUTENFETCH_MIRROR", "GUTENFETCH_FTP_PASSWORD", "RUST_LOG"] {
            limited.env_remove(var);
        }
        let limited = limited
            .args(["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_gutenfetch"))
            .arg("--quiet")
            .args(&args)
            .output()
            .expect("bash runs");
        crate::util::Run::of(limited)
    };
    run.expect_code(1);
    let full_disk = if disk.is_some() { "No space left" } else { "File too large" };

    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let (mut ok, mut full) = (0, 0);
    for &n in &books {
        let entry = book_entry(&report, n.into());
        if entry["status"] == "ok" {
            ok += 1;
            assert_book_complete(&out, n);
        } else {
            full += 1;
            assert_eq!(entry["error"]["stage"], "write", "{entry}");
            assert!(entry["error"]["message"].as_str().unwrap().contains(full_disk), "{entry}");
            assert!(!out.join(format!("{n}.txt")).exists(), "ebook {n} failed but has a clean text");
        }
    }
    assert!(ok > 0 && full > 0, "{ok} books fitted, {full} did not");
    assert_no_temp_files(&out);
    drop(disk);
}
