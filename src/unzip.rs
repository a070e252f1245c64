//! Takes the book's text out of a Gutenberg zip (`N-0.zip`, `N-8.zip`,
//! `N.zip`, or an old-style zip such as `gwork10.zip`). Old zips may use the
//! legacy Implode method, which the `zip` crate reads with `legacy-zip`.

use std::io::{Cursor, Read, Seek};

use crate::ebook::EbookNumber;

/// Whether `zip` opens and names a `.txt` entry, as [`text_from_zip`] needs.
/// Only the central directory is read; nothing is decompressed, so this is
/// cheap enough to ask of every raw copy when a run plans its work.
pub fn check_holds_text(zip: impl Read + Seek) -> Result<(), String> {
    let archive = zip::ZipArchive::new(zip).map_err(|err| format!("not a readable zip: {err}"))?;
    if archive.file_names().any(|name| name.is_ok_and(|name| is_text_entry(&name))) {
        Ok(())
    } else {
        Err("the zip holds no .txt file".to_owned())
    }
}

/// A `.txt` file entry, whatever the case, not a folder.
fn is_text_entry(name: &str) -> bool {
    !name.ends_with('/') && name.to_ascii_lowercase().ends_with(".txt")
}

/// The bytes of the text inside `zip`: the book's own name if present
/// (`N-0.txt` > `N-8.txt` > `N.txt`), else the first `.txt` entry by name.
/// An entry larger than `max_size` is refused, so a zip bomb cannot fill memory.
pub fn text_from_zip(zip: &[u8], number: Option<EbookNumber>, max_size: u64) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).map_err(|err| format!("not a readable zip: {err}"))?;
    let texts: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| {
            let name = archive.name_for_index(i)?.ok()?.into_owned();
            let base = name.rsplit('/').next().unwrap_or(&name).to_ascii_lowercase();
            is_text_entry(&name).then_some((i, base))
        })
        .collect();
    let own: Vec<String> =
        number.map(|n| ["-0.txt", "-8.txt", ".txt"].map(|s| format!("{n}{s}")).to_vec()).unwrap_or_default();
    let chosen = own
        .iter()
        .find_map(|name| texts.iter().find(|(_, base)| base == name))
        .or_else(|| texts.iter().min_by(|a, b| a.1.cmp(&b.1)))
        .map(|(i, _)| *i)
        .ok_or("the zip holds no .txt file")?;
    let entry = archive.by_index(chosen).map_err(|err| format!("cannot read the zip entry: {err}"))?;
    let mut text = Vec::new();
    entry.take(max_size + 1).read_to_end(&mut text).map_err(|err| format!("cannot decompress the zip entry: {err}"))?;
    if text.len() as u64 > max_size {
        return Err(format!("the text in the zip is larger than the size limit of {max_size} bytes"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(data).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn n(value: u32) -> EbookNumber {
        EbookNumber::parse(&value.to_string()).unwrap()
    }

    #[test]
    fn prefers_the_books_own_name_then_any_text() {
        let zip = zip_of(&[("418/readme.txt", b"readme"), ("418/418-8.txt", b"eight"), ("418.htm", b"<html>")]);
        assert_eq!(text_from_zip(&zip, Some(n(418)), 100).unwrap(), b"eight");
        let zip = zip_of(&[("gwork10.txt", b"old text"), ("a.jpg", b"\xff\xd8")]);
        assert_eq!(text_from_zip(&zip, Some(n(418)), 100).unwrap(), b"old text");
    }

    #[test]
    fn refuses_zips_without_text_oversized_entries_and_garbage() {
        assert!(text_from_zip(&zip_of(&[("a.htm", b"x")]), Some(n(1)), 100).unwrap_err().contains("no .txt"));
        let big = vec![b'a'; 10_000];
        assert!(text_from_zip(&zip_of(&[("1.txt", &big)]), Some(n(1)), 9_999).unwrap_err().contains("size limit"));
        assert!(text_from_zip(b"PK\x03\x04 not really", Some(n(1)), 100).is_err());
    }

    #[test]
    fn the_cheap_check_agrees_with_what_extraction_needs() {
        let good = zip_of(&[("418/README", b"r"), ("418/418.TXT", b"text")]);
        assert_eq!(check_holds_text(Cursor::new(&good)), Ok(()));
        let no_text = zip_of(&[("a.htm", b"x"), ("b.txt/", b"")]);
        assert!(check_holds_text(Cursor::new(&no_text)).unwrap_err().contains("no .txt"));
        // Cut short, as by a transfer that stopped: the central directory is gone.
        assert!(check_holds_text(Cursor::new(&good[..good.len() / 2])).unwrap_err().contains("not a readable zip"));
        assert!(check_holds_text(Cursor::new(b"<html>busy</html>")).is_err());
    }
}
