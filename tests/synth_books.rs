//! The synthetic books of `util::synth`: every era, charset and line-end
//! form, cleaned back to exactly the body the generator wrote.

use gutenfetch::clean::{clean, CleanOptions};

use crate::util::synth::{matrix, Book, Era};

/// The first line where two texts differ, for a readable failure.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "texts differ only in line ends".into(),
            (x, y) => return format!("first difference at line {n}:\n  expected: {x:?}\n  actual:   {y:?}"),
        }
    }
    unreachable!()
}

fn check(book: &Book) -> Option<String> {
    let cleaned = match clean(&book.raw(), &CleanOptions::default()) {
        Ok(c) => c,
        Err(e) => return Some(format!("{book:?}: {e}")),
    };
    let body = book.body();
    if cleaned.text != body {
        return Some(format!("{book:?}: {}", first_difference(&body, &cleaned.text)));
    }
    if cleaned.findings.markers_found != (book.era != Era::NoMarkers) {
        return Some(format!("{book:?}: markers_found is {}", cleaned.findings.markers_found));
    }
    None
}

#[test]
fn every_era_charset_and_line_end_cleans_to_its_body() {
    let failures: Vec<String> = matrix().iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{} of {} books:\n{}", failures.len(), matrix().len(), failures.join("\n"));
}
