//! The zip fixtures: an Implode zip made by tests/util/implode.rs and a
//! Deflate zip, both of real Gutenberg texts, checked in under the fixture
//! mirror. `GUTENFETCH_BLESS=1 cargo test zips::` writes them again.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use crate::util::implode::{implode, implode_zip};
use crate::util::{book_folder, fixture_mirror, fixtures};

/// (ebook, zip file in its folder, entry name, corpus file, method)
const ZIPS: &[(u32, &str, &str, &str, zip::CompressionMethod)] = &[
    (10089, "10089.zip", "10089.txt", "pg10089.txt", zip::CompressionMethod::Implode),
    (36261, "36261.zip", "36261.txt", "pg36261.txt", zip::CompressionMethod::Deflated),
];

fn deflate_zip(name: &str, data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let when = zip::DateTime::from_date_and_time(2011, 5, 1, 0, 0, 0).unwrap();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(when);
    writer.start_file(name, options).unwrap();
    writer.write_all(data).unwrap();
    writer.finish().unwrap().into_inner()
}

#[test]
fn the_implode_writer_round_trips_through_the_zip_crate() {
    let mut data = Vec::new();
    for i in 0..3000u32 {
        data.extend_from_slice(format!("line {} of {}: {}\n", i, i % 7, "ab".repeat((i % 200) as usize)).as_bytes());
    }
    data.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let zip = implode_zip("x.txt", &data);
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut entry = archive.by_index(0).unwrap();
    assert_eq!(entry.compression(), zip::CompressionMethod::Implode);
    let mut back = Vec::new();
    entry.read_to_end(&mut back).unwrap();
    assert!(back == data, "implode round trip");
    assert!(implode(&data).len() < data.len(), "matches make it smaller");
}

#[test]
fn fixture_zips_hold_the_real_texts_with_the_intended_methods() {
    let bless = std::env::var_os("GUTENFETCH_BLESS").is_some();
    for &(n, zip_name, entry, corpus, method) in ZIPS {
        let text = std::fs::read(fixtures().join("corpus").join(corpus)).unwrap();
        let path: PathBuf = book_folder(&fixture_mirror(), n).join(zip_name);
        if bless {
            let zip = match method {
                zip::CompressionMethod::Implode => implode_zip(entry, &text),
                _ => deflate_zip(entry, &text),
            };
            std::fs::write(&path, zip).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} exists", path.display()));
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = archive.by_name(entry).unwrap();
        assert_eq!(file.compression(), method, "{zip_name}");
        let mut inside = Vec::new();
        file.read_to_end(&mut inside).unwrap();
        assert!(inside == text, "{zip_name} holds {corpus}");
    }
}
