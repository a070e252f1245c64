//! The ebook number: the one piece of a manifest row that becomes a path.
//!
//! It is validated here, once, so everything downstream can build mirror and
//! output paths from it without further checks.

use std::fmt;

use crate::terminal_safe::quote_short;

/// A Project Gutenberg ebook number: 1 to 7 ASCII digits, not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EbookNumber(u32);

/// Why a manifest field is not an ebook number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidNumber {
    #[error("no ebook number")]
    Empty,
    /// The field, quoted short: it may be megabytes of anything.
    #[error("ebook number {0} is not 1 to 7 ASCII digits")]
    NotDigits(String),
    #[error("ebook number 0 does not exist (numbers start at 1)")]
    Zero,
}

impl EbookNumber {
    /// The largest number of digits an ebook number may have.
    pub const MAX_DIGITS: usize = 7;

    /// Parses a manifest field: 1 to 7 ASCII digits and nothing else. Anything
    /// that is not a digit is rejected, whitespace and line ends included
    /// (`" 418"`, a quoted `"418\n"`), so `../x`, `-5`, `1/../2` and `4e3`
    /// never reach a path and a damaged row is reported rather than guessed at.
    pub fn parse(field: &str) -> Result<Self, InvalidNumber> {
        if field.is_empty() {
            return Err(InvalidNumber::Empty);
        }
        if field.len() > Self::MAX_DIGITS || !field.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidNumber::NotDigits(quote_short(field)));
        }
        match field.parse::<u32>() {
            Ok(0) => Err(InvalidNumber::Zero),
            Ok(n) => Ok(EbookNumber(n)),
            Err(_) => Err(InvalidNumber::NotDigits(quote_short(field))),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// The book's folder relative to the mirror root, with a trailing slash:
    /// every digit but the last, then the number itself (418 → `4/1/418/`);
    /// single-digit books live under `0/` (7 → `0/7/`).
    pub fn folder(self) -> String {
        let n = self.0.to_string();
        let mut folder = String::with_capacity(2 * n.len() + 2);
        if n.len() == 1 {
            folder.push_str("0/");
        }
        for digit in n[..n.len() - 1].chars() {
            folder.push(digit);
            folder.push('/');
        }
        folder.push_str(&n);
        folder.push('/');
        folder
    }
}

impl fmt::Display for EbookNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> EbookNumber {
        EbookNumber::parse(s).unwrap()
    }

    #[test]
    fn folders_follow_the_mirror_layout() {
        assert_eq!(n("418").folder(), "4/1/418/");
        assert_eq!(n("12345").folder(), "1/2/3/4/12345/");
        assert_eq!(n("7").folder(), "0/7/");
        assert_eq!(n("10").folder(), "1/10/");
        assert_eq!(n("1234567").folder(), "1/2/3/4/5/6/1234567/");
    }

    #[test]
    fn leading_zeros_name_the_same_book() {
        assert_eq!(n("007"), n("7"));
        assert_eq!(n("0418"), n("418"));
    }

    #[test]
    fn whitespace_anywhere_is_not_a_number() {
        for bad in [" 418", "418 ", " 418 ", "\t418", "418\n", "418\r\n", "\n418", "418\u{a0}", "  "] {
            assert_eq!(EbookNumber::parse(bad), Err(InvalidNumber::NotDigits(quote_short(bad))), "{bad:?}");
        }
    }

    #[test]
    fn anything_but_digits_is_rejected() {
        for bad in ["../x", "-5", "1/../2", "/abs", "4e3", "12345678", "１２", "41 8", "0x1f", "+3"] {
            assert!(matches!(EbookNumber::parse(bad), Err(InvalidNumber::NotDigits(_))), "{bad:?} was accepted");
        }
        assert_eq!(EbookNumber::parse(""), Err(InvalidNumber::Empty));
        assert_eq!(EbookNumber::parse("0"), Err(InvalidNumber::Zero));
        assert_eq!(EbookNumber::parse("0000"), Err(InvalidNumber::Zero));
    }
}
