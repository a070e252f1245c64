//! The scale-out recipes in examples/scale-out/: the shard commands they run,
//! read out of the files themselves so they cannot drift, split the fixture
//! manifest with no book in two shards and none left out.

use std::collections::BTreeSet;
use std::path::Path;

use gutenfetch::manifest::ManifestSource;
use gutenfetch::select::Selection;

use crate::util::fixture_books::fixture_manifest;
use crate::util::{fixture_mirror, report, Run, TestDir};

/// The fetch command of an example: its one line that runs `gutenfetch … --shard …`.
fn shard_command(example: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scale-out").join(example);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> =
        text.lines().map(str::trim).filter(|l| l.starts_with("gutenfetch ") && l.contains("--shard")).collect();
    assert_eq!(lines.len(), 1, "{example}: one shard command: {lines:?}");
    lines[0].to_owned()
}

/// What the command's text names: the index variable in `$((VAR + 1))`, N
/// in `…/N`, and the manifest after `--manifest`.
fn parts(command: &str) -> (String, usize, String) {
    let after = |marker: &str| {
        &command[command.find(marker).unwrap_or_else(|| panic!("{marker} in {command}")) + marker.len()..]
    };
    let var = after("$((").split(' ').next().unwrap().to_owned();
    let count = after("+ 1))/").chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap();
    let manifest = after("--manifest ").split(' ').next().unwrap().trim_matches('"').to_owned();
    (var, count, manifest)
}

fn manifest_books() -> BTreeSet<u64> {
    let manifest =
        gutenfetch::manifest::read(&ManifestSource::Path(fixture_manifest()), &Selection::default()).unwrap();
    manifest.books().map(|b| u64::from(b.unwrap().number.get())).collect()
}

/// Runs `command` as the example's shell would, once per index, in a fresh folder.
fn run_every_shard(example: &str, declared: impl Fn(&str, usize) -> bool) {
    let command = shard_command(example);
    let (var, count, manifest) = parts(&command);
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scale-out").join(example));
    assert!(declared(&text.unwrap(), count), "{example} starts {count} jobs, as many as --shard …/{count} expects");

    let dir = TestDir::new();
    dir.write(&manifest, std::fs::read(fixture_manifest()).unwrap());
    let bin = Path::new(env!("CARGO_BIN_EXE_gutenfetch")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    for index in 0..count {
        let output = std::process::Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.join(""))
            .env_remove("GUTENFETCH_FTP_PASSWORD")
            .env_remove("RUST_LOG")
            .env("PATH", &path)
            .env("GUTENFETCH_MIRROR", fixture_mirror())
            .env(&var, index.to_string())
            .output()
            .unwrap();
        Run::of(output).expect_code(0);
    }

    let mut seen = BTreeSet::new();
    let outs: Vec<_> = std::fs::read_dir(dir.join(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("gutenfetch-report.json").is_file())
        .collect();
    assert_eq!(outs.len(), count, "{example}: each shard writes its own output folder: {outs:?}");
    for out in outs {
        for book in report(&out)["books"].as_array().unwrap() {
            let n = book["ebook"].as_u64().unwrap();
            assert!(seen.insert(n), "{example}: ebook {n} is in two shards");
            assert_eq!(book["status"], "ok", "{book}");
        }
    }
    assert_eq!(seen, manifest_books(), "{example}: the shards together are the manifest");
}

#[test]
fn the_kubernetes_indexed_job_splits_the_manifest_exactly() {
    run_every_shard("kubernetes-indexed-job.yaml", |text, n| {
        text.contains(&format!("completions: {n}\n")) && text.contains("completionMode: Indexed")
    });
}

#[test]
fn the_github_actions_matrix_splits_the_manifest_exactly() {
    run_every_shard("github-actions-matrix.yml", |text, n| {
        let list: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        text.contains(&format!("index: [{}]", list.join(", "))) && text.contains("INDEX: ${{ matrix.index }}")
    });
}
