//! Numeric flags whose errors say their range in words: `--limit 0` answers
//! "expected a whole number, at least 1", not clap's
//! `0 is not in 1..18446744073709551615`.

/// A parser for a whole number from `min` to `max`, both included.
pub fn from_to<T: TryFrom<u64>>(min: u64, max: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync {
    move |text| within(text, min, max, &format!("a whole number from {min} to {max}"))
}

/// A parser for a whole number of at least `min`.
pub fn at_least<T: TryFrom<u64>>(min: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync {
    move |text| within(text, min, u64::MAX, &format!("a whole number, at least {min}"))
}

fn within<T: TryFrom<u64>>(text: &str, min: u64, max: u64, expected: &str) -> Result<T, String> {
    let n: u64 = text.trim().parse().map_err(|_| format!("expected {expected}"))?;
    if n < min || n > max {
        return Err(format!("expected {expected}"));
    }
    T::try_from(n).map_err(|_| format!("expected {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_said_in_words() {
        assert_eq!(from_to::<u16>(1, 64)("0"), Err("expected a whole number from 1 to 64".to_owned()));
        assert_eq!(from_to::<u16>(1, 64)("64"), Ok(64));
        assert_eq!(at_least::<u64>(1)("0"), Err("expected a whole number, at least 1".to_owned()));
        assert_eq!(at_least::<u64>(1)("x"), Err("expected a whole number, at least 1".to_owned()));
    }
}
