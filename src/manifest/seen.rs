//! The ebook numbers a manifest has named so far, for its duplicate rows.
//!
//! A bitmap in blocks of 4096 numbers, each made when the first number in
//! it turns up: Gutenberg's numbers (1 to ~80 000) take 20 blocks of
//! 512 bytes however many rows name them, and the largest possible number
//! (7 digits) adds 20 KB of block pointers, so memory does not grow with
//! the manifest.

use crate::ebook::EbookNumber;

const BLOCK_BITS: usize = 4096;
const WORDS: usize = BLOCK_BITS / 64;

#[derive(Default)]
pub struct Seen {
    blocks: Vec<Option<Box<[u64; WORDS]>>>,
}

impl Seen {
    /// Adds `number`; whether it was new.
    pub fn insert(&mut self, number: EbookNumber) -> bool {
        let n = number.get() as usize;
        let (block, bit) = (n / BLOCK_BITS, n % BLOCK_BITS);
        if block >= self.blocks.len() {
            self.blocks.resize_with(block + 1, || None);
        }
        let words = self.blocks[block].get_or_insert_with(|| Box::new([0; WORDS]));
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let new = words[word] & mask == 0;
        words[word] |= mask;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_number_is_new_once() {
        let mut seen = Seen::default();
        let numbers = ["1", "63", "64", "4095", "4096", "418", "9999999"].map(|n| EbookNumber::parse(n).unwrap());
        assert!(numbers.iter().all(|&n| seen.insert(n)));
        assert!(numbers.iter().all(|&n| !seen.insert(n)));
        assert!(seen.insert(EbookNumber::parse("419").unwrap()));
        assert_eq!(seen.blocks.iter().flatten().count(), 3, "blocks only where numbers fall");
    }
}
