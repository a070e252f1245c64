//! Pass 1 over the text: every marker, in order, with where it ends.
//!
//! The scanner is fed windows of whole lines and sees every line exactly
//! once, so it needs no lookahead and its result cannot depend on where one
//! window ends and the next begins. What a marker needs from the lines after
//! it is worked out by small pending states, resolved as those lines arrive:
//! - a START line whose title wraps runs on to the line with the closing
//!   asterisks (at most `MAX_START_CONTINUATION` lines, none blank);
//! - a licence blurb runs to its `>>` (or its last words) within
//!   `MAX_BLURB_LINES`, or is no blurb at all;
//! - a closing Etext line `closes` the book only if nothing but
//!   `CLOSING_TAIL` lines come before a strong footer or the end.

use super::gate::GATE;
use super::lines::{contains_ignore_case, is_blank, line_text, LineEnds};
use super::markers::{classify, has_closing_stars, is_closing_tail, start_is_closed, FooterKind, Kind, Marker};
use super::rules::{
    Extent, MarkerRule, BLURB_AFTER_LAST, BLURB_CLOSE, BLURB_LAST_WORDS, MAX_BLURB_LINES, MAX_START_CONTINUATION,
};

/// `end` of a blurb whose extent is not known yet, or that turned out to be none.
const UNRESOLVED: u64 = u64::MAX;

/// Collects the markers of a text fed to it in order.
#[derive(Default)]
pub(crate) struct Scanner {
    markers: Vec<Marker>,
    /// Some state below waits for the next lines, which must all be seen.
    busy: bool,
    start: Option<PendingStart>,
    blurbs: Vec<PendingBlurb>,
    closing: Vec<usize>,
}

/// A START line whose closing asterisks may be on one of the next lines.
struct PendingStart {
    index: usize,
    lines_left: usize,
}

/// A `<<THIS ELECTRONIC VERSION` line waiting for its end.
struct PendingBlurb {
    index: usize,
    seen: usize,
    /// The line with the last words, as (its number in the blurb, its end).
    last_words: Option<(usize, u64)>,
    /// The end of the `… MEMBERSHIP` line right after it.
    membership: Option<u64>,
}

impl PendingBlurb {
    /// Takes the blurb's next line; `Some` once its end is known (`UNRESOLVED`
    /// when it is no blurb).
    fn take_line(&mut self, text: &[u8], next: u64) -> Option<u64> {
        let n = self.seen;
        self.seen += 1;
        if text.windows(2).any(|w| w == BLURB_CLOSE) {
            return Some(next);
        }
        match self.last_words {
            None if contains_ignore_case(text, BLURB_LAST_WORDS) => self.last_words = Some((n, next)),
            Some((at, _)) if at + 1 == n && contains_ignore_case(text, BLURB_AFTER_LAST) => {
                self.membership = Some(next)
            }
            _ => {}
        }
        (self.seen == MAX_BLURB_LINES).then(|| self.fallback())
    }

    fn fallback(&self) -> u64 {
        self.membership.or(self.last_words.map(|(_, end)| end)).unwrap_or(UNRESOLVED)
    }
}

impl Scanner {
    /// Feeds a window of whole lines (the last may lack its `\n` only at the
    /// end of the text) that begins at offset `base`.
    pub fn feed(&mut self, window: &[u8], base: u64) {
        let mut start = 0;
        for end in LineEnds::new(window) {
            self.line(&window[start..=end], base + start as u64);
            start = end + 1;
        }
        if start < window.len() {
            self.line(&window[start..], base + start as u64);
        }
    }

    /// One line; almost every one ends at the byte gate or the first-word
    /// test, so this is inlined into the loop and the rest is not.
    #[inline(always)]
    fn line(&mut self, line: &[u8], start: u64) {
        let next = start + line.len() as u64;
        if self.busy {
            let text = line_text(line);
            self.take_line(text, classify(text), start, next);
        } else if GATE[usize::from(line[0])] {
            if let Some(rule) = classify(line) {
                self.take_line(line_text(line), Some(rule), start, next);
            }
        }
    }

    /// A line that is a marker or that a pending state waits for.
    #[inline(never)]
    fn take_line(&mut self, text: &[u8], rule: Option<&'static MarkerRule>, start: u64, next: u64) {
        let kind = rule.map(|r| r.kind);
        if let Some(pending) = self.start.take() {
            if is_blank(text) || kind.is_some() {
                // The START line ends at its own line.
            } else if has_closing_stars(text) {
                self.markers[pending.index].end = next;
            } else if pending.lines_left > 1 {
                self.start = Some(PendingStart { lines_left: pending.lines_left - 1, ..pending });
            }
        }
        self.advance_blurbs(text, next);
        if !self.closing.is_empty() {
            self.advance_closing(text, kind);
        }
        self.busy = self.start.is_some() || !self.blurbs.is_empty() || !self.closing.is_empty();
        let Some(rule) = rule else { return };
        let index = self.markers.len();
        let end = if rule.extent == Extent::Blurb { UNRESOLVED } else { next };
        self.markers.push(Marker { kind: rule.kind, start, end, closes: false });
        match rule.extent {
            Extent::ToClosingStars if !start_is_closed(text) => {
                self.start = Some(PendingStart { index, lines_left: MAX_START_CONTINUATION });
            }
            Extent::Blurb => {
                self.blurbs.push(PendingBlurb { index, seen: 0, last_words: None, membership: None });
                self.advance_blurbs(text, next);
            }
            _ => {}
        }
        if rule.kind == Kind::Footer(FooterKind::ClosingEtextLine) {
            self.closing.push(index);
        }
        self.busy = self.start.is_some() || !self.blurbs.is_empty() || !self.closing.is_empty();
    }

    fn advance_blurbs(&mut self, text: &[u8], next: u64) {
        let markers = &mut self.markers;
        self.blurbs.retain_mut(|blurb| match blurb.take_line(text, next) {
            Some(end) => {
                markers[blurb.index].end = end;
                false
            }
            None => true,
        });
    }

    /// A closing line closes the book at a strong footer; tail lines keep the
    /// question open; any other line says it was not the end.
    fn advance_closing(&mut self, text: &[u8], kind: Option<Kind>) {
        let closes = match kind {
            Some(k) if k.is_strong_footer() => true,
            Some(Kind::Footer(FooterKind::ClosingEtextLine)) => return,
            _ if is_blank(text) || is_closing_tail(text) => return,
            _ => false,
        };
        for index in self.closing.drain(..) {
            self.markers[index].closes = closes;
        }
    }

    /// The markers, once the whole text has been fed.
    pub fn finish(mut self) -> Vec<Marker> {
        for blurb in std::mem::take(&mut self.blurbs) {
            self.markers[blurb.index].end = blurb.fallback();
        }
        for index in self.closing.drain(..) {
            self.markers[index].closes = true;
        }
        self.markers.retain(|m| m.end != UNRESOLVED);
        self.markers
    }
}

/// Every marker of a text held whole.
#[cfg(test)]
pub(crate) fn scan(text: &[u8]) -> Vec<Marker> {
    let mut scanner = Scanner::default();
    scanner.feed(text, 0);
    scanner.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest<'a>(t: &'a str, m: &Marker) -> &'a str {
        &t[m.end as usize..]
    }

    #[test]
    fn wrapped_start_runs_to_closing_asterisks() {
        let t = "***START OF THE PROJECT GUTENBERG EBOOK THE MIRROR,\nAMUSEMENT, 1827***\n\nBody\n";
        let m = scan(t.as_bytes());
        assert_eq!(m.len(), 1);
        assert_eq!(rest(t, &m[0]), "\nBody\n");
    }

    #[test]
    fn unclosed_start_ends_at_its_line() {
        let t = "***START OF THE PROJECT GUTENBERG EBOOK X\n\nBody *** here\n";
        assert_eq!(rest(t, &scan(t.as_bytes())[0]), "\nBody *** here\n");
        let t = "***START OF THE PROJECT GUTENBERG EBOOK X\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n";
        let m = scan(t.as_bytes());
        assert_eq!((m.len(), rest(t, &m[0])), (2, "*** END OF THE PROJECT GUTENBERG EBOOK X ***\n"));
    }

    #[test]
    fn blurb_extent() {
        let t = "<<THIS ELECTRONIC VERSION OF THE WORKS\nIS PROVIDED.>>\n\nText\n";
        let m = scan(t.as_bytes());
        assert_eq!((m.len(), m[0].kind, m[0].start), (1, Kind::Blurb, 0));
        assert_eq!(rest(t, &m[0]), "\nText\n");
        let t = "<<THIS ELECTRONIC VERSION OF\nSERVICE THAT CHARGES FOR DOWNLOAD\nTIME OR FOR MEMBERSHIP.\nText\n";
        assert_eq!(rest(t, &scan(t.as_bytes())[0]), "Text\n");
        assert!(scan(b"<<THIS ELECTRONIC VERSION is a quote\nand goes on\n").is_empty());
    }

    #[test]
    fn closing_line_closes_only_before_licence_or_the_end() {
        let closes = |t: &str| {
            scan(t.as_bytes()).iter().find(|m| m.kind == Kind::Footer(FooterKind::ClosingEtextLine)).unwrap().closes
        };
        assert!(closes("Amen.\n\n*****The Project Gutenberg Etext of X*****\n\n"));
        assert!(closes(
            "Amen.\n*****The Project Gutenberg Etext of X*****\n*****This file should be named x10.txt*****\n"
        ));
        assert!(closes(
            "Amen.\n*****The Project Gutenberg Etext of X*****\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n"
        ));
        assert!(!closes("*****The Project Gutenberg Etext of Volume Two*****\n\nVOLUME TWO\n"));
    }
}
