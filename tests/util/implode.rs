//! A small writer of PKZIP "Implode" (method 6) zips, the legacy method some
//! old Gutenberg zips use and no Debian tool writes any more. It exists to
//! make test fixtures; gutenfetch itself only reads such zips (through the
//! `zip` crate's `legacy-zip` decoder).
//!
//! Format (APPNOTE 5.3, as the decoder reads it): a 4 KiB window and no
//! literal tree (flags 0), so a literal is a 1 bit and 8 raw bits; a match is
//! a 0 bit, the low 6 bits of distance-1 raw, its high 6 bits through the
//! distance tree, then length-2 through the length tree (63 means "plus an
//! extra byte"). Both trees give every one of their 64 symbols a 6-bit code,
//! so the canonical code of symbol s is s itself. Huffman codes go into the
//! LSB-first bit stream MSB first and inverted.

/// Bits gathered least significant first, as Implode reads them.
struct BitWriter {
    bytes: Vec<u8>,
    bit: u32,
}

impl BitWriter {
    fn raw(&mut self, value: u32, bits: u32) {
        for i in 0..bits {
            self.push((value >> i) & 1 == 1);
        }
    }

    fn code(&mut self, code: u32, bits: u32) {
        for i in (0..bits).rev() {
            self.push((code >> i) & 1 == 0);
        }
    }

    fn push(&mut self, one: bool) {
        if self.bit == 0 {
            self.bytes.push(0);
        }
        if one {
            *self.bytes.last_mut().unwrap() |= 1 << self.bit;
        }
        self.bit = (self.bit + 1) % 8;
    }
}

const WINDOW: usize = 4096;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 2 + 63 + 255;

/// Implode-compresses `data` (greedy LZ77 over a 4 KiB window).
pub fn implode(data: &[u8]) -> Vec<u8> {
    let mut out = BitWriter { bytes: Vec::new(), bit: 0 };
    // Length tree, then distance tree: 4 entries of "16 codes of 6 bits" each.
    for _ in 0..2 {
        out.bytes.extend_from_slice(&[3, 0xF5, 0xF5, 0xF5, 0xF5]);
    }
    let mut recent: std::collections::HashMap<[u8; 3], Vec<usize>> = std::collections::HashMap::new();
    let mut i = 0;
    while i < data.len() {
        let (mut best_len, mut best_dist) = (0, 0);
        if i + MIN_MATCH <= data.len() {
            let key = [data[i], data[i + 1], data[i + 2]];
            for &start in recent.get(&key).into_iter().flatten().rev().take(32) {
                if i - start > WINDOW {
                    break;
                }
                let len = data[start..].iter().zip(&data[i..]).take(MAX_MATCH).take_while(|(a, b)| a == b).count();
                if len > best_len {
                    (best_len, best_dist) = (len, i - start);
                }
            }
        }
        let step = if best_len >= MIN_MATCH {
            let dist = (best_dist - 1) as u32;
            out.push(false);
            out.raw(dist & 0x3F, 6);
            out.code(dist >> 6, 6);
            let sym = best_len - 2;
            if sym >= 63 {
                out.code(63, 6);
                out.raw((sym - 63) as u32, 8);
            } else {
                out.code(sym as u32, 6);
            }
            best_len
        } else {
            out.push(true);
            out.raw(u32::from(data[i]), 8);
            1
        };
        for j in i..i + step {
            if j + MIN_MATCH <= data.len() {
                recent.entry([data[j], data[j + 1], data[j + 2]]).or_default().push(j);
            }
        }
        i += step;
    }
    out.bytes
}

/// A one-entry zip holding `data` under `name`, imploded.
pub fn implode_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let compressed = implode(data);
    let crc = crc32fast::hash(data);
    // 1996-01-01 00:00, when such zips were made.
    let (time, date) = (0u16, ((1996 - 1980) << 9 | 1 << 5 | 1) as u16);
    let sizes = |zip: &mut Vec<u8>| {
        zip.extend_from_slice(&crc.to_le_bytes());
        zip.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(data.len() as u32).to_le_bytes());
        zip.extend_from_slice(&(name.len() as u16).to_le_bytes());
        zip.extend_from_slice(&0u16.to_le_bytes()); // extra field length
    };
    let mut zip = Vec::new();
    zip.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    for field in [10u16, 0, 6, time, date] {
        zip.extend_from_slice(&field.to_le_bytes()); // version, flags, method 6, time, date
    }
    sizes(&mut zip);
    zip.extend_from_slice(name.as_bytes());
    zip.extend_from_slice(&compressed);

    let central = zip.len() as u32;
    zip.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    for field in [10u16, 10, 0, 6, time, date] {
        zip.extend_from_slice(&field.to_le_bytes()); // made by, needed, flags, method, time, date
    }
    sizes(&mut zip);
    for field in [0u16, 0, 0] {
        zip.extend_from_slice(&field.to_le_bytes()); // comment length, disk, internal attributes
    }
    zip.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    zip.extend_from_slice(&0u32.to_le_bytes()); // offset of the local header
    zip.extend_from_slice(name.as_bytes());
    let central_len = zip.len() as u32 - central;

    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for field in [0u16, 0, 1, 1] {
        zip.extend_from_slice(&field.to_le_bytes());
    }
    zip.extend_from_slice(&central_len.to_le_bytes());
    zip.extend_from_slice(&central.to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}
