//! Property tests: any body wrapped in any era's header and footer, with any
//! line-end style, comes back exactly; text without markers comes back whole.
//!
//! Bodies are built from words that cannot form a marker or credit phrase
//! (see `is_safe_word`), so the expected output is simply the body.

use gutenfetch::clean::{clean, clean_stream_windowed, CleanError, CleanOptions, Cleaned, Spill};
use proptest::prelude::*;

/// Words whose presence could form a marker or credit opening.
const UNSAFE_WORDS: &[&str] = &[
    "end",
    "ende",
    "fin",
    "start",
    "these",
    "this",
    "produced",
    "transcribed",
    "special",
    "credit",
    "credits",
    "prepared",
    "etext",
    "ebook",
    "project",
    "gutenberg",
    "small",
    "print",
];

const VOCABULARY: &[&str] = &[
    "the",
    "whale",
    "sea",
    "Ishmael",
    "call",
    "me",
    "years",
    "ago",
    "never",
    "mind",
    "how",
    "long",
    "precisely",
    "CHAPTER",
    "I.",
    "Loomings.",
    "café",
    "Grüße",
    "naïve",
    "“quoted”",
    "—",
    "it's",
    "and,",
    "of",
    "to",
    "Mr.",
];

fn is_safe_word(w: &str) -> bool {
    !UNSAFE_WORDS.iter().any(|u| w.eq_ignore_ascii_case(u))
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(VOCABULARY).prop_map(str::to_owned),
        1 => "[a-zA-Z]{1,10}[.,;!?]?".prop_filter("marker word", |w| is_safe_word(w.trim_end_matches(['.', ',', ';', '!', '?']))),
    ]
}

/// A line of text: optional indentation, then words.
fn content_line() -> impl Strategy<Value = String> {
    ("[ ]{0,6}", prop::collection::vec(word(), 1..10))
        .prop_map(|(indent, words)| format!("{indent}{}", words.join(" ")))
}

/// Content lines, blank lines and section separators.
fn any_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => content_line(),
        3 => Just(String::new()),
        1 => Just("       *       *       *       *       *".to_owned()),
    ]
}

/// A body that starts and ends with content, as a cleaned book does.
fn body() -> impl Strategy<Value = Vec<String>> {
    (content_line(), prop::collection::vec(any_line(), 0..40), content_line()).prop_map(|(first, mid, last)| {
        let mut lines = vec![first];
        lines.extend(mid);
        lines.push(last);
        lines
    })
}

fn title() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Z]{2,9}", 2..8).prop_map(|w| w.join(" "))
}

const LICENCE: &str = "Updated editions will replace the previous one.\n\n*** START: FULL LICENSE ***\n\n\
    THE FULL PROJECT GUTENBERG LICENSE\nPLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK\n\n\
    *END*THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*\n\n*** END: FULL LICENSE ***\n";

/// Wraps `body` the way files of header era `era` (1–5) are wrapped.
fn wrap(era: u8, title: &str, body: &str, variant: u8) -> String {
    let (head_title, tail_title) = title.split_at(title.find(' ').unwrap_or(0));
    match era {
        1 => {
            let footer = match variant % 3 {
                0 => String::new(),
                1 => format!("*****The Project Gutenberg Etext of {title}*****\n"),
                _ => format!("End of The Project Gutenberg Etext of {title}\n"),
            };
            format!(
                "*****The Project Gutenberg Etext of {title}*****\n#2 in our series\n\n\
                 *These Etexts Prepared By Hundreds of Volunteers and Donations*\n\n\
                 ***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\nWhy is this \"Small Print!\" here?\n\
                 *END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n\n{body}\n\n\n{footer}"
            )
        }
        2 => format!(
            "The Project Gutenberg EBook of {title}\n\nChatacter set encoding: US-ASCII\n\n\n\
             ***START OF THE PROJECT GUTENBERG EBOOK {head_title}\n{tail_title}***\n\n\n\
             E-text prepared by Jonathan Ingram and Project Gutenberg Distributed\nProofreaders\n\n\n\n{body}\n\n\n\
             ***END OF THE PROJECT GUTENBERG EBOOK {head_title}\n{tail_title}***\n\n\
             ******* This file should be named 10026.txt or 10026.zip *******\n\n{LICENCE}"
        ),
        3 => format!(
            "The Project Gutenberg EBook of {title}, by A\n\nTitle: {title}\n\nCharacter set encoding: ASCII\n\n\
             *** START OF THIS PROJECT GUTENBERG EBOOK {title} ***\n\n\n\n\nProduced by Julia Miller and the Online\n\
             Distributed Proofreading Team\n\n\n\n{body}\n\n\n\nEnd of Project Gutenberg's {title}, by A\n\n\
             *** END OF THIS PROJECT GUTENBERG EBOOK {title} ***\n\n***** This file should be named 1.txt *****\n{LICENCE}"
        ),
        4 => format!(
            "\u{feff}The Project Gutenberg eBook of {title}\n\nTitle: {title}\n\nProduced by: Roger Frank\n\n\
             *** START OF THE PROJECT GUTENBERG EBOOK {title} ***\n\n\n{body}\n\n\
             *** END OF THE PROJECT GUTENBERG EBOOK {title} ***\n\nUpdated editions will replace the previous one.\n\n\
             START: FULL LICENSE\n\nTHE FULL PROJECT GUTENBERG LICENSE\n"
        ),
        _ => format!(
            "*** START OF THE PROJECT GUTENBERG EBOOK {} ***\n\n{body}\n\n\n*** END OF THE PROJECT GUTENBERG EBOOK {} ***\n",
            variant, variant
        ),
    }
}

fn eol() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&["\n", "\r\n", "\r\r\n"][..])
}

/// Marker lines of every kind, for the robustness property.
const MARKER_LINES: &[&str] = &[
    "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
    "***START OF THE PROJECT GUTENBERG EBOOK X",
    "TITLE CONTINUED***",
    "*** END OF THE PROJECT GUTENBERG EBOOK X ***",
    "End of Project Gutenberg's X",
    "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*",
    "*****The Project Gutenberg Etext of X*****",
    "*** START: FULL LICENSE ***",
    "<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS",
    "SERVICE THAT CHARGES FOR DOWNLOAD TIME OR FOR MEMBERSHIP.>>",
    "Produced by Someone",
    "Ende dieses Projekt Gutenberg Etextes",
    "Fin de Project Gutenberg's X",
    "*These Etexts Were Prepared By Thousands of Volunteers!*",
    "The Project Gutenberg EBook of X",
];

fn soup_line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(MARKER_LINES).prop_map(str::to_owned),
        2 => any_line(),
        1 => "[ *<>a-zA-Z\r]{0,12}",
    ]
}

/// The streaming engine through windows of `window` bytes.
fn clean_windowed(raw: &[u8], opts: &CleanOptions, window: usize) -> Result<Cleaned, CleanError> {
    let mut out = Vec::new();
    let input = std::io::Cursor::new(raw);
    let findings = clean_stream_windowed(input, raw.len() as u64, Spill::Memory, opts, &mut out, window)?;
    Ok(Cleaned { text: String::from_utf8(out).expect("UTF-8 out"), findings })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn wrapped_body_comes_back_exactly(
        body in body(), title in title(), era in 1u8..=5, variant in any::<u8>(), eol in eol()
    ) {
        let body = body.join("\n");
        let raw = wrap(era, &title, &body, variant).replace('\n', eol);
        let cleaned = clean(raw.as_bytes(), &CleanOptions::default()).expect("cleans");
        prop_assert!(cleaned.findings.markers_found);
        prop_assert_eq!(&cleaned.text, &format!("{body}\n"));
        let windowed = clean_windowed(raw.as_bytes(), &CleanOptions::default(), 1 + usize::from(variant) % 97).expect("cleans");
        prop_assert_eq!((windowed.text, windowed.findings), (cleaned.text, cleaned.findings));
    }

    #[test]
    fn text_without_markers_is_kept_whole(
        lines in prop::collection::vec(any_line(), 0..40),
        final_eol in any::<bool>(),
        bom in any::<bool>(),
        eol in eol(),
    ) {
        let mut expected = lines.join("\n");
        if final_eol && !lines.is_empty() {
            expected.push('\n');
        }
        let raw = format!("{}{}", if bom { "\u{feff}" } else { "" }, expected.replace('\n', eol));
        if !expected.is_empty() && !expected.ends_with('\n') {
            expected.push('\n');
        }
        let cleaned = clean(raw.as_bytes(), &CleanOptions::default()).expect("cleans");
        prop_assert!(!cleaned.findings.markers_found);
        prop_assert_eq!(cleaned.text, expected);
    }

    #[test]
    fn any_mix_of_markers_cleans_without_panicking(
        lines in prop::collection::vec(soup_line(), 0..30), eol in eol(), keep_credits in any::<bool>()
    ) {
        let raw = lines.join(eol);
        match clean(raw.as_bytes(), &CleanOptions { keep_credits }) {
            Ok(cleaned) => {
                prop_assert!(!cleaned.text.contains('\r'));
                prop_assert!(cleaned.text.is_empty() || cleaned.text.ends_with('\n'));
                if cleaned.findings.markers_found {
                    prop_assert!(!cleaned.text.ends_with("\n\n") && !cleaned.text.starts_with('\n'));
                }
            }
            Err(e) => prop_assert!(matches!(e, gutenfetch::clean::CleanError::EmptyBody), "{e}"),
        }
    }

    #[test]
    fn where_a_window_ends_changes_nothing(
        lines in prop::collection::vec(soup_line(), 0..30),
        eol in eol(),
        window in 1usize..80,
        keep_credits in any::<bool>(),
        latin1 in any::<bool>(),
    ) {
        let mut raw = lines.join(eol).into_bytes();
        if latin1 {
            // Not UTF-8: both go through a re-encoded copy.
            raw.extend_from_slice(b"Caf\xe9\r\n");
        }
        let opts = CleanOptions { keep_credits };
        match (clean(&raw, &opts), clean_windowed(&raw, &opts, window)) {
            (Ok(whole), Ok(windowed)) => prop_assert_eq!((windowed.text, windowed.findings), (whole.text, whole.findings)),
            (Err(CleanError::EmptyBody), Err(CleanError::EmptyBody)) => {}
            (whole, windowed) => prop_assert!(false, "in memory {:?}, windowed {:?}", whole.map(|c| c.text), windowed.map(|c| c.text)),
        }
    }
}
