//! What a re-run makes of what an output folder already holds. The contract
//! is `OUT/<N>.txt` plus a raw copy in `OUT/raw/`: a re-run ends with the
//! output of a fresh run, fetching only what is missing or unusable.

use std::path::Path;

use crate::util::fault_http::per_path;
use crate::util::generated::mirror_and_manifest;
use crate::util::{
    book_entry, book_folder, books_tree, fetch, fixture_mirror, report, HttpOptions, HttpServer, TestDir,
};

/// The request path of `file` in ebook `n`'s folder.
fn path_of(n: u32, file: &str) -> String {
    format!("{}/{file}", book_folder(Path::new("/"), n).display())
}

fn zip_holding(name: &str) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
    writer.write_all(b"<html>not the book</html>").unwrap();
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_raw_copy_that_cannot_be_cleaned_is_fetched_again() {
    let dir = TestDir::new();
    let server = HttpServer::start(&fixture_mirror(), HttpOptions::default());
    let manifest = dir.write("m.csv", "FileNumber\n43\n84\n10089\n11\n1342\n");
    let reference = dir.join("reference");
    fetch(&manifest, &server.url(), &reference, &[]).expect_code(0);
    let fresh = server.requests().len();

    // What a broken or older run could leave, none of it with a clean text.
    let out = dir.join("out");
    let real_zip = std::fs::read(reference.join("raw/10089.zip")).unwrap();
    dir.write("out/raw/43-0.txt", "<!DOCTYPE html>\n<html><body>Too many requests</body></html>\n");
    dir.write("out/raw/84-0.txt", "");
    dir.write("out/raw/10089.zip", &real_zip[..real_zip.len() / 2]);
    dir.write("out/raw/11-0.zip", zip_holding("11.htm"));
    dir.write("out/raw/1342-0.txt", std::fs::read(reference.join("raw/1342-0.txt")).unwrap());

    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    assert!(books_tree(&out) == books_tree(&reference), "the output is a fresh run's, file for file");
    let again = per_path(&server.requests()[fresh..]);
    for (n, file) in [(43, "43-0.txt"), (84, "84-0.txt"), (10089, "10089.zip"), (11, "11-0.txt")] {
        assert!(again.contains_key(&path_of(n, file)), "ebook {n}: its unusable raw copy was not fetched again");
    }
    assert!(!again.contains_key(&path_of(1342, "1342-0.txt")), "a usable raw copy is re-cleaned, not fetched");
    assert!(!out.join("raw/11-0.zip").exists(), "the unusable copy under another name is removed");

    let report = report(&out);
    for n in [43, 84, 10089, 11] {
        let entry = book_entry(&report, n);
        assert_eq!(entry["status"], "ok", "{entry}");
        assert!(entry["url"].as_str().unwrap().starts_with(&server.url()), "{entry}");
    }
    let recleaned = book_entry(&report, 1342);
    assert_eq!(recleaned["status"], "ok", "{recleaned}");
    assert!(recleaned["url"].is_null() && recleaned["attempts"] == 0, "nothing was fetched: {recleaned}");
    assert_eq!(recleaned["raw_path"], "raw/1342-0.txt", "relative to the output folder");
    assert_eq!(report["summary"]["recleaned"], 1);

    let before = server.requests().len();
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    assert_eq!(server.requests().len(), before, "now complete: nothing fetched");
    assert_eq!(crate::util::report(&out)["summary"]["skipped"], 5);
}

#[test]
fn a_clean_text_whose_raw_copy_is_gone_is_fetched_again_and_skipped_books_say_what_is_on_disk() {
    let dir = TestDir::new();
    let books: Vec<u32> = (501..=506).collect();
    let manifest = mirror_and_manifest(&dir, &books);
    let server = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
    let out = dir.join("out");
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    let complete = books_tree(&out);
    let first = server.requests().len();

    for n in [502, 505] {
        std::fs::remove_file(out.join(format!("raw/{n}-0.txt"))).unwrap();
    }
    fetch(&manifest, &server.url(), &out, &[]).expect_code(0);
    assert!(books_tree(&out) == complete, "the raw copies are back, as a fresh run leaves them");
    let again = per_path(&server.requests()[first..]);
    let mut fetched: Vec<&str> = again.keys().map(String::as_str).collect();
    fetched.sort();
    assert_eq!(fetched, [path_of(502, "502-0.txt"), path_of(505, "505-0.txt")]);

    let report = report(&out);
    for n in [502u32, 505] {
        let entry = book_entry(&report, n.into());
        assert_eq!(entry["status"], "ok", "{entry}");
        assert_eq!(entry["url"], format!("{}{}", server.url(), &path_of(n, &format!("{n}-0.txt"))[1..]));
    }
    for n in [501u32, 503, 504, 506] {
        let entry = book_entry(&report, n.into());
        let (raw, clean) = (out.join(format!("raw/{n}-0.txt")), out.join(format!("{n}.txt")));
        assert_eq!(entry["status"], "skipped", "{entry}");
        assert_eq!(entry["raw_path"], format!("raw/{n}-0.txt"), "{entry}");
        assert_eq!(entry["clean_path"], format!("{n}.txt"), "{entry}");
        assert_eq!(entry["raw_bytes"], std::fs::metadata(&raw).unwrap().len(), "{entry}");
        assert_eq!(entry["clean_bytes"], std::fs::metadata(&clean).unwrap().len(), "{entry}");
        assert!(entry["url"].is_null(), "nothing fetched: {entry}");
        // Not decoded in this run: what the run that fetched it learned, from its report.
        assert_eq!((&entry["encoding"], &entry["markers_found"]), (&"UTF-8".into(), &true.into()), "{entry}");
    }
    assert_eq!((report["summary"]["ok"].as_u64(), report["summary"]["skipped"].as_u64()), (Some(2), Some(4)));
}
