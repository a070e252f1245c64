//! No secret is ever written: a password in an `http://` or `ftp://` mirror
//! URL, or in GUTENFETCH_FTP_PASSWORD, is absent from stdout, stderr, the
//! report and the dry run's output, at `-vv` and at `RUST_LOG=trace` (where
//! the FTP library logs the `PASS` command it sends).

use std::path::Path;
use std::process::Command;

use crate::util::generated::{mirror_and_manifest, write_manifest};
use crate::util::{gutenfetch_logging, FtpServer, HttpOptions, HttpServer, Run, TestDir};

const SECRET: &str = "s3cretW0rd";

/// Every way a run is watched: `-vv`, and `RUST_LOG=trace` (libraries included).
fn verbosities() -> [(&'static str, Option<&'static str>); 2] {
    [("-vv", None), ("-v", Some("trace"))]
}

/// Runs gutenfetch with `args` at `flag`/`rust_log`, with `env` set.
fn run(args: &[&str], flag: &str, rust_log: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut cmd: Command = gutenfetch_logging();
    cmd.args(args).arg(flag).arg("--progress").arg("never");
    if let Some(filter) = rust_log {
        cmd.env("RUST_LOG", filter);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    Run::of(cmd.output().expect("gutenfetch runs"))
}

/// Panics with the place unless `secret` is absent from `text`.
fn assert_hidden(what: &str, text: &str, secret: &str) {
    if let Some(at) = text.find(secret) {
        let from = text[..at].char_indices().rev().nth(120).map_or(0, |(i, _)| i);
        panic!("{what} shows the password: …{}…", &text[from..(at + secret.len() + 60).min(text.len())]);
    }
}

/// A fetch and both dry runs (text, JSON) of `manifest` from `mirror`, at
/// both verbosities: the password shows nowhere. `expect` is a piece of
/// the trace that must be there, proving the lines that could leak were written.
fn check_every_output(dir: &TestDir, manifest: &Path, mirror: &str, env: &[(&str, &str)], expect: &str) {
    check_hidden_in_every_output(dir, manifest, mirror, env, expect, &[SECRET]);
}

fn check_hidden_in_every_output(
    dir: &TestDir,
    manifest: &Path,
    mirror: &str,
    env: &[(&str, &str)],
    expect: &str,
    secrets: &[&str],
) {
    for (round, (flag, rust_log)) in verbosities().into_iter().enumerate() {
        let out = dir.join(&format!("out{round}"));
        let common = ["--manifest", manifest.to_str().unwrap(), "--mirror", mirror, "--retries", "0"];
        let args = [&common[..], &["--out", out.to_str().unwrap()]].concat();
        let fetch = run(&args, flag, rust_log, env).expect_code(1);
        let report = std::fs::read_to_string(out.join("gutenfetch-report.json")).expect("a report");
        assert!(report.contains("\"ok\""), "book 1 was fetched: {report}");
        for (what, text) in [("stdout", &fetch.stdout), ("stderr", &fetch.stderr), ("the report", &report)] {
            for secret in secrets {
                assert_hidden(&format!("fetch {flag} RUST_LOG={rust_log:?}: {what}"), text, secret);
            }
        }
        if rust_log.is_some() {
            assert!(fetch.stderr.contains(expect), "the trace has {expect:?}:\n{}", fetch.stderr);
        }
        for format in ["text", "json"] {
            let dry_out = dir.join("dry");
            let dry = [&common[..], &["--dry-run", "--format", format, "--out", dry_out.to_str().unwrap()]].concat();
            let dry = run(&dry, flag, rust_log, env).expect_code(1);
            assert!(dry.stdout.contains("fetch"), "a plan is printed: {}", dry.stdout);
            for (what, text) in [("stdout", &dry.stdout), ("stderr", &dry.stderr)] {
                for secret in secrets {
                    assert_hidden(&format!("dry run {format} {flag} RUST_LOG={rust_log:?}: {what}"), text, secret);
                }
            }
        }
    }
}

/// Book 1 on the mirror, book 2 missing (its error names URLs too).
fn mirror_with_one_book_missing(dir: &TestDir) -> std::path::PathBuf {
    let manifest = mirror_and_manifest(dir, &[1]);
    write_manifest(&manifest, [1, 2]);
    manifest
}

#[test]
fn an_http_password_in_the_mirror_url_is_never_written() {
    let dir = TestDir::new();
    let manifest = mirror_with_one_book_missing(&dir);
    let server = HttpServer::start(&dir.join("mirror"), HttpOptions { autoindex: true, ..Default::default() });
    let mirror = format!("http://reader:{SECRET}@{}/", server.addr);
    check_every_output(&dir, &manifest, &mirror, &[], "reader:***@");
}

#[test]
fn a_percent_encoded_http_password_is_never_written_either_way() {
    let dir = TestDir::new();
    let manifest = mirror_with_one_book_missing(&dir);
    let server = HttpServer::start(&dir.join("mirror"), HttpOptions::default());
    // `%57` is `W`: the URL holds one spelling, the decoded password another.
    let mirror = format!("http://reader:s3cret%570rd@{}/", server.addr);
    check_hidden_in_every_output(&dir, &manifest, &mirror, &[], "reader:***@", &[SECRET, "s3cret%570rd"]);
}

#[test]
fn an_http_mirror_that_refuses_connections_shows_no_password_in_its_errors() {
    let dir = TestDir::new();
    let manifest = dir.write("m.csv", "FileNumber\n1\n");
    // Bound and dropped: nothing listens on the port, the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mirror = format!("http://reader:{SECRET}@127.0.0.1:{port}/");
    let out = dir.join("out");
    let args = ["--manifest", manifest.to_str().unwrap(), "--mirror", &mirror, "--out", out.to_str().unwrap()];
    let args = [&args[..], &["--retries", "0"]].concat();
    for (flag, rust_log) in verbosities() {
        let run = run(&args, flag, rust_log, &[]);
        assert!(run.code == 1 || run.code == 2, "fails: {}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("127.0.0.1"), "the error names the mirror: {}", run.stderr);
        assert_hidden("stdout", &run.stdout, SECRET);
        assert_hidden("stderr", &run.stderr, SECRET);
        if let Ok(report) = std::fs::read_to_string(out.join("gutenfetch-report.json")) {
            assert_hidden("the report", &report, SECRET);
        }
    }
}

#[test]
fn an_ftp_password_in_the_url_is_not_logged_by_the_ftp_library() {
    let dir = TestDir::new();
    let manifest = mirror_with_one_book_missing(&dir);
    let server = FtpServer::with_login(&dir.join("mirror"), "reader", SECRET);
    let mirror = format!("ftp://reader:{SECRET}@{}/", server.addr);
    // suppaftp traces each command it sends: `PASS` is there, its argument is not.
    check_every_output(&dir, &manifest, &mirror, &[], "CC OUT: PASS ***");
}

#[test]
fn an_ftp_password_from_the_environment_is_never_written() {
    let dir = TestDir::new();
    let manifest = mirror_with_one_book_missing(&dir);
    let server = FtpServer::with_login(&dir.join("mirror"), "reader", SECRET);
    let mirror = format!("ftp://reader@{}/", server.addr);
    check_every_output(&dir, &manifest, &mirror, &[("GUTENFETCH_FTP_PASSWORD", SECRET)], "CC OUT: PASS ***");
    assert!(server.logins() > 0, "the password from the environment logged in");
}
