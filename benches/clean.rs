//! Decode + strip throughput on the real corpus (the folder
//! `GUTENFETCH_CORPUS` names, by default ../shared/corpus beside the
//! checkout), in two groups: inputs that are valid UTF-8 (ASCII included)
//! and Latin-1 inputs that take the declared-charset path. Run with
//! `cargo bench --bench clean -- --warm-up-time 1 --measurement-time 3`.

use std::fs;
use std::path::{Path, PathBuf};

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gutenfetch::clean::{clean, CleanOptions};

/// A corpus file: its name and raw bytes.
type File = (String, Vec<u8>);

/// The corpus split by whether the bytes are valid UTF-8.
fn corpus() -> (Vec<File>, Vec<File>) {
    let dir = std::env::var_os("GUTENFETCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    let mut files: Vec<File> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the real corpus {} (set GUTENFETCH_CORPUS): {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files.into_iter().partition(|(_, raw)| std::str::from_utf8(raw).is_ok())
}

fn bench_group(c: &mut Criterion, name: &str, files: &[File], singles: &[&str]) {
    let opts = CleanOptions::default();
    let mut group = c.benchmark_group(name);
    let total: usize = files.iter().map(|(_, raw)| raw.len()).sum();
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("whole-corpus", |b| {
        b.iter(|| {
            for (_, raw) in files {
                let _ = black_box(clean(black_box(raw), &opts));
            }
        })
    });
    for (file, raw) in files.iter().filter(|(f, _)| singles.contains(&f.as_str())) {
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(file), raw, |b, raw| {
            b.iter(|| black_box(clean(black_box(raw), &opts)))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let (utf8, latin1) = corpus();
    // LF, CRLF, CR CR LF and BOM representatives.
    bench_group(c, "utf8", &utf8, &["pg43.txt", "pg35589.txt", "pg98.txt", "pg1342-nobp.txt"]);
    bench_group(c, "latin1", &latin1, &["pg22367.txt", "pg24675.txt"]);
}

criterion_group!(clean_benches, benches);
criterion_main!(clean_benches);
