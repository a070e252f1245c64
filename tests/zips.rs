//! The zip fixtures: zip-only folders of the fixture mirror holding
//! synthetic books, one per method (Stored, Deflate, and the legacy Implode
//! written by tests/util/implode.rs).

use std::io::{Cursor, Read};

use crate::util::implode::{implode, implode_zip};
use crate::util::synth_mirror::fixture_book;
use crate::util::{book_folder, fixture_mirror};

/// (ebook, zip file in its folder, entry name, method)
const ZIPS: &[(u32, &str, &str, zip::CompressionMethod)] = &[
    (135, "135.zip", "135.txt", zip::CompressionMethod::Stored),
    (10089, "10089.zip", "10089.txt", zip::CompressionMethod::Implode),
    (36261, "36261.zip", "36261.txt", zip::CompressionMethod::Deflated),
];

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
fn fixture_zips_hold_their_books_with_the_intended_methods() {
    for &(n, zip_name, entry, method) in ZIPS {
        let path = book_folder(&fixture_mirror(), n).join(zip_name);
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} exists", path.display()));
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut file = archive.by_name(entry).unwrap();
        assert_eq!(file.compression(), method, "{zip_name}");
        let mut inside = Vec::new();
        file.read_to_end(&mut inside).unwrap();
        assert!(inside == fixture_book(n).raw(), "{zip_name} holds book {n}");
    }
}
