//! Takes the book's text out of a Gutenberg zip (`N-0.zip`, `N-8.zip`,
//! `N.zip`, or an old-style zip such as `gwork10.zip`). Old zips may use the
//! legacy Implode method, which the `zip` crate reads with `legacy-zip`.
//!
//! The cleaner unzips into an unnamed temporary file beside its output
//! ([`text_file_from_zip`]), so a large text is never held in memory.
//!
//! The `zip` crate reads a zip's whole central directory into memory when it
//! opens it (a zip of a million entries took 265 MB). A book's zip holds a
//! few files, so the end-of-central-directory record is read first and a
//! zip listing more than [`MAX_ENTRIES`] entries, or a central directory
//! larger than [`MAX_DIRECTORY_BYTES`], is refused before the crate opens it.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::ebook::EbookNumber;

/// The most entries a book's zip may list.
pub const MAX_ENTRIES: u64 = 1000;
/// The largest central directory a book's zip may have.
pub const MAX_DIRECTORY_BYTES: u64 = 1 << 20;

/// End-of-central-directory signatures, and the size of those records.
const EOCD: &[u8; 4] = b"PK\x05\x06";
const EOCD_LEN: usize = 22;
const ZIP64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
const ZIP64_EOCD: &[u8; 4] = b"PK\x06\x06";

/// Opens `zip` once its size is known to be bounded ([`check_directory_size`]).
fn open<R: Read + Seek>(mut zip: R) -> Result<zip::ZipArchive<R>, String> {
    check_directory_size(&mut zip)?;
    zip::ZipArchive::new(zip).map_err(|err| format!("not a readable zip: {err}"))
}

/// Refuses a zip whose end-of-central-directory record (any of them in the
/// last 64 KiB, the most a zip comment allows, as the crate may use any)
/// lists more than [`MAX_ENTRIES`] or [`MAX_DIRECTORY_BYTES`], reading only
/// those records. A zip without one is left to the crate to refuse.
fn check_directory_size(zip: &mut (impl Read + Seek)) -> Result<(), String> {
    let unreadable = |err: std::io::Error| format!("not a readable zip: {err}");
    let len = zip.seek(SeekFrom::End(0)).map_err(unreadable)?;
    let tail_len = len.min((EOCD_LEN + u16::MAX as usize) as u64);
    let tail = read_at(zip, len - tail_len, tail_len as usize).map_err(unreadable)?;
    let tail_start = len - tail_len;
    for at in memchr::memmem::rfind_iter(&tail, EOCD) {
        let Some(record) = tail.get(at..at + EOCD_LEN) else { continue };
        let (mut entries, mut size) = (u64::from(le16(&record[10..])), u64::from(le32(&record[12..])));
        if entries == 0xFFFF || size == 0xFFFF_FFFF || le32(&record[16..]) == 0xFFFF_FFFF {
            if let Some((entries64, size64)) = zip64_counts(zip, tail_start + at as u64).map_err(unreadable)? {
                (entries, size) = (entries.max(entries64), size.max(size64));
            }
        }
        if entries > MAX_ENTRIES || size > MAX_DIRECTORY_BYTES {
            return Err(format!(
                "the zip lists {entries} entries in a central directory of {size} bytes: a book's zip holds at \
                 most {MAX_ENTRIES} entries in {} KiB",
                MAX_DIRECTORY_BYTES >> 10
            ));
        }
    }
    zip.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    Ok(())
}

/// The entry count and directory size of the zip64 record that the
/// locator before the end record at `eocd` points to, if there is one.
fn zip64_counts(zip: &mut (impl Read + Seek), eocd: u64) -> std::io::Result<Option<(u64, u64)>> {
    let Some(locator_at) = eocd.checked_sub(20) else { return Ok(None) };
    let locator = read_at(zip, locator_at, 20)?;
    if locator.len() < 20 || &locator[..4] != ZIP64_LOCATOR {
        return Ok(None);
    }
    let record = read_at(zip, le64(&locator[8..]), 56)?;
    if record.len() < 56 || &record[..4] != ZIP64_EOCD {
        return Ok(None);
    }
    Ok(Some((le64(&record[32..]), le64(&record[40..]))))
}

/// Up to `len` bytes of `zip` from `pos` (fewer at its end).
fn read_at(zip: &mut (impl Read + Seek), pos: u64, len: usize) -> std::io::Result<Vec<u8>> {
    zip.seek(SeekFrom::Start(pos))?;
    let mut bytes = Vec::with_capacity(len);
    zip.take(len as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn le16(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn le64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

/// Whether `zip` opens and names a `.txt` entry, as [`extract_text`] needs.
/// Only the central directory is read; nothing is decompressed, so this is
/// cheap enough to ask of every raw copy when a run plans its work.
pub fn check_holds_text(zip: impl Read + Seek) -> Result<(), String> {
    let archive = open(zip)?;
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

/// Copies the text inside `zip` to `dest`: the book's own name if present
/// (`N-0.txt` > `N-8.txt` > `N.txt`), else the first `.txt` entry by name.
/// An entry larger than `max_size` is refused, so a zip bomb cannot fill
/// memory or disk. Returns the text's size.
pub fn extract_text<R: Read + Seek>(
    zip: R,
    number: Option<EbookNumber>,
    max_size: u64,
    dest: &mut dyn Write,
) -> Result<u64, String> {
    let mut archive = open(zip)?;
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
    let mut entry = entry.take(max_size + 1);
    let mut buf = vec![0; 64 * 1024];
    let mut size = 0;
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(format!("cannot decompress the zip entry: {err}")),
        };
        size += n as u64;
        if size > max_size {
            return Err(format!("the text in the zip is larger than the size limit of {max_size} bytes"));
        }
        dest.write_all(&buf[..n]).map_err(|err| format!("cannot write the unzipped text: {err}"))?;
    }
    Ok(size)
}

/// The bytes of the text inside `zip` (see [`extract_text`]), in memory.
pub fn text_from_zip(zip: &[u8], number: Option<EbookNumber>, max_size: u64) -> Result<Vec<u8>, String> {
    let mut text = Vec::new();
    extract_text(Cursor::new(zip), number, max_size, &mut text)?;
    Ok(text)
}

/// The text inside `zip` in an unnamed temporary file in `dir`, read from
/// its start; the system removes it when it is closed.
pub fn text_file_from_zip(zip: File, number: Option<EbookNumber>, max_size: u64, dir: &Path) -> Result<File, String> {
    let mut text = tempfile::tempfile_in(dir).map_err(|err| format!("cannot create a temporary file: {err}"))?;
    let mut writer = std::io::BufWriter::new(&mut text);
    extract_text(zip, number, max_size, &mut writer)?;
    writer.flush().map_err(|err| format!("cannot write the unzipped text: {err}"))?;
    drop(writer);
    text.seek(SeekFrom::Start(0)).map_err(|err| format!("cannot read the unzipped text: {err}"))?;
    Ok(text)
}

/// Whether `file` starts like a zip; leaves it at its start.
pub fn is_zip(file: &mut File) -> std::io::Result<bool> {
    let mut magic = [0; 4];
    let n = file.read(&mut magic)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(n == 4 && &magic == b"PK\x03\x04")
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn a_zip_listing_too_many_entries_is_refused_before_it_is_opened() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("{i}.txt")).collect();
        let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let zip = zip_of(&many);
        let err = text_from_zip(&zip, Some(n(1)), 100).unwrap_err();
        assert!(err.contains("lists 1001 entries") && err.contains("at most 1000"), "{err}");
        assert!(check_holds_text(Cursor::new(&zip)).unwrap_err().contains("1001 entries"));
        let fine = zip_of(&many[..MAX_ENTRIES as usize]);
        assert_eq!(text_from_zip(&fine, Some(n(1)), 100).unwrap(), b"");
    }

    #[test]
    fn a_zip64_record_claiming_a_million_entries_is_refused() {
        // A zip64 end record (56 bytes), its locator (20), and an end record saying "see zip64".
        let mut zip = b"PK\x06\x06".to_vec();
        zip.extend_from_slice(&44u64.to_le_bytes());
        zip.extend_from_slice(&[0; 20]);
        zip.extend_from_slice(&1_000_000u64.to_le_bytes());
        zip.extend_from_slice(&46_000_000u64.to_le_bytes());
        zip.extend_from_slice(&0u64.to_le_bytes());
        zip.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        zip.extend_from_slice(&0u64.to_le_bytes());
        zip.extend_from_slice(&1u32.to_le_bytes());
        zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\0");
        let err = check_holds_text(Cursor::new(&zip)).unwrap_err();
        assert!(err.contains("lists 1000000 entries"), "{err}");
    }

    #[test]
    fn unzips_to_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("43.zip");
        std::fs::write(&zip_path, zip_of(&[("43.txt", b"the text")])).unwrap();
        let mut zip = File::open(&zip_path).unwrap();
        assert!(is_zip(&mut zip).unwrap());
        let mut text = String::new();
        text_file_from_zip(zip, Some(n(43)), 100, dir.path()).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, "the text");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the zip: the text file has no name");
    }
}
