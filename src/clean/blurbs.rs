//! In-body licence blurbs: the World Library notice
//! `<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS …>>` that the 1990s
//! Shakespeare texts repeat between plays (and between acts of the single
//! plays). It is removed wherever it appears in the body, and unlike a header
//! it never decides where the book starts.

use super::lines::{lines_from, Line, Words};

/// The notice is eight lines; allow for rewrapping.
const MAX_BLURB_LINES: usize = 16;

/// `<<THIS ELECTRONIC VERSION OF …` (the World Library Shakespeare notice).
pub(crate) fn is_blurb_start(w: &Words) -> bool {
    w.is(0, "this") && w.is(1, "electronic") && w.is(2, "version")
}

/// The end of a `<<THIS ELECTRONIC VERSION …>>` blurb: past the line with `>>`
/// or, failing that, past `… CHARGES FOR DOWNLOAD [TIME OR FOR MEMBERSHIP]`.
/// `None` when neither comes soon: then it is not the blurb and stays.
pub(crate) fn blurb_end(text: &str, first: Line) -> Option<usize> {
    let lines: Vec<Line> = lines_from(text, first.start).take(MAX_BLURB_LINES).collect();
    if let Some(l) = lines.iter().find(|l| l.text.contains(">>")) {
        return Some(l.next);
    }
    let upper = |l: &Line| l.text.to_ascii_uppercase();
    let i = lines.iter().position(|l| upper(l).contains("CHARGES FOR DOWNLOAD"))?;
    let last = match lines.get(i + 1) {
        Some(next) if upper(next).contains("MEMBERSHIP") => next,
        _ => &lines[i],
    };
    Some(last.next)
}

#[cfg(test)]
mod tests {
    use super::super::markers::{scan, Kind};

    #[test]
    fn blurb_extent() {
        let t = "<<THIS ELECTRONIC VERSION OF THE WORKS\nIS PROVIDED.>>\n\nText\n";
        let m = scan(t);
        assert_eq!((m.len(), m[0].kind, m[0].start), (1, Kind::Blurb, 0));
        assert_eq!(&t[m[0].end..], "\nText\n");
        let t = "<<THIS ELECTRONIC VERSION OF\nSERVICE THAT CHARGES FOR DOWNLOAD\nTIME OR FOR MEMBERSHIP.\nText\n";
        assert_eq!(&t[scan(t)[0].end..], "Text\n");
        assert!(scan("<<THIS ELECTRONIC VERSION is a quote\nand goes on\n").is_empty());
    }
}
