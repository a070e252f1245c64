//! Hand-made cases, one or more per point of the cleaner's specification,
//! each small enough to read the expected output off the input.

use gutenfetch::clean::{clean, CleanError, CleanOptions, Cleaned, EncodingSource, FooterKind, HeaderKind};

const LICENCE: &str = "\
Updated editions will replace the previous one.

*** START: FULL LICENSE ***

THE FULL PROJECT GUTENBERG LICENSE
PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK

*** END: FULL LICENSE ***
";

const SMALL_PRINT: &str = "\
***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***
Why is this \"Small Print!\" statement here?  You know: lawyers.
*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*
";

fn run(raw: &str) -> Cleaned {
    run_bytes(raw.as_bytes())
}

fn run_bytes(raw: &[u8]) -> Cleaned {
    clean(raw, &CleanOptions::default()).expect("cleans")
}

#[test]
fn wrapped_start_title_leaves_no_remnant() {
    let raw = "The Project Gutenberg EBook of Holmes\n\n\
        ***START OF THE PROJECT GUTENBERG EBOOK THE ADVENTURES OF SHERLOCK\nHOLMES ***\n\n\
        THE ADVENTURES OF SHERLOCK HOLMES\n\nTo Sherlock Holmes she is always THE woman.\n\n\
        ***END OF THE PROJECT GUTENBERG EBOOK THE ADVENTURES OF SHERLOCK\nHOLMES ***\n";
    let c = run(raw);
    assert_eq!(c.text, "THE ADVENTURES OF SHERLOCK HOLMES\n\nTo Sherlock Holmes she is always THE woman.\n");
    assert_eq!((c.findings.header, c.findings.footer), (Some(HeaderKind::StartLine), Some(FooterKind::EndMarker)));
}

#[test]
fn start_marker_without_space_or_closing_asterisks() {
    let raw = "***START OF THE PROJECT GUTENBERG EBOOK\n\nBody line.\n***END OF THE PROJECT GUTENBERG EBOOK\n";
    assert_eq!(run(raw).text, "Body line.\n");
}

#[test]
fn short_book_with_licence_after_end_in_first_lines() {
    let raw = format!(
        "*** START OF THIS PROJECT GUTENBERG EBOOK A POEM ***\n\nA Poem\n\nRoses are red.\n\n\
         *** END OF THIS PROJECT GUTENBERG EBOOK A POEM ***\n\n{LICENCE}"
    );
    assert_eq!(run(&raw).text, "A Poem\n\nRoses are red.\n");
}

#[test]
fn full_license_start_after_end_is_never_a_header() {
    // Even without a START line, the licence's `*** START: FULL LICENSE ***`
    // must not become the header end.
    let raw = format!("The book.\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n{LICENCE}");
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.header), ("The book.\n", None));
}

#[test]
fn small_print_without_footer() {
    let raw = format!("*****The Project Gutenberg Etext of Alice*****\nintro\n{SMALL_PRINT}\n\nALICE\n\nTHE END\n");
    let c = run(&raw);
    assert_eq!(c.text, "ALICE\n\nTHE END\n");
    assert_eq!((c.findings.header, c.findings.footer), (Some(HeaderKind::SmallPrintEnd), None));
}

#[test]
fn small_print_with_closing_asterisk_line() {
    let raw = format!(
        "*****The Project Gutenberg Etext of Good Works*****\n\n{SMALL_PRINT}\nGOOD WORKS\n\nAmen.\n\n\
         *****The Project Gutenberg Etext of Good Works*****\n\n"
    );
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.footer), ("GOOD WORKS\n\nAmen.\n", Some(FooterKind::ClosingEtextLine)));
}

#[test]
fn small_print_end_variants() {
    for end in ["*END THE SMALL PRINT! FOR PUBLIC DOMAIN EBOOKS*Ver.02/11/02*END*", "**END*THE SMALL PRINT"] {
        let raw = format!("header\n{end}\nBook.\n*** END OF THE PROJECT GUTENBERG EBOOK ***\n");
        assert_eq!(run(&raw).text, "Book.\n", "{end}");
    }
}

#[test]
fn in_body_blurbs_are_removed_and_text_between_kept() {
    let blurb = "<<THIS ELECTRONIC VERSION OF THE COMPLETE WORKS OF WILLIAM\n\
        SHAKESPEARE IS COPYRIGHT 1990-1993 BY WORLD LIBRARY, INC., AND IS\n\
        COMMERCIALLY.  PROHIBITED COMMERCIAL DISTRIBUTION INCLUDES BY ANY\n\
        SERVICE THAT CHARGES FOR DOWNLOAD TIME OR FOR MEMBERSHIP.>>\n";
    let raw = format!(
        "*** START OF THE PROJECT GUTENBERG EBOOK WORKS ***\n\n{blurb}\n\n1603\n\nHAMLET\n\nTHE END\n\n\n\
         {blurb}\n\n\n1606\n\nMACBETH\n\nTHE END\n\n{blurb}\n\
         *** END OF THE PROJECT GUTENBERG EBOOK WORKS ***\n"
    );
    let c = run(&raw);
    assert_eq!(c.text, "1603\n\nHAMLET\n\nTHE END\n\n\n1606\n\nMACBETH\n\nTHE END\n");
    assert_eq!(c.findings.blurbs_removed, 3);
}

#[test]
fn older_header_inside_the_body_is_removed() {
    let raw = format!(
        "The Project Gutenberg EBook of Emma\n\n*** START OF THIS PROJECT GUTENBERG EBOOK EMMA ***\n\n\
         Produced by Someone\n\n*****The Project Gutenberg Etext of Emma*****\nold intro\n{SMALL_PRINT}\n\
         EMMA\n\nThe end.\n\n*** END OF THIS PROJECT GUTENBERG EBOOK EMMA ***\n{LICENCE}"
    );
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.inner_headers_removed), ("EMMA\n\nThe end.\n", 1));

    let raw = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nThe Project Gutenberg EBook of X\n\
        Title: X\n\n***START OF THE PROJECT GUTENBERG EBOOK X***\nX\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n";
    assert_eq!(run(raw).text, "X\n");
}

#[test]
fn no_markers_means_text_kept_whole() {
    let raw = "\u{feff}\n\n  Chapter 1\r\n\r\nIt was a dark night.\r\n\r\n\r\n";
    let c = run(raw);
    assert!(!c.findings.markers_found);
    assert_eq!(c.text, "\n\n  Chapter 1\n\nIt was a dark night.\n\n\n");
    assert_eq!(run("no final newline").text, "no final newline\n");
    assert_eq!(run("").text, "");
}

#[test]
fn markers_with_empty_body_is_an_error() {
    for raw in [
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n  \n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n",
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nProduced by Someone\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n",
        "*** END OF THE PROJECT GUTENBERG EBOOK X ***\nlicence\n",
    ] {
        let err = clean(raw.as_bytes(), &CleanOptions::default()).unwrap_err();
        assert!(matches!(err, CleanError::EmptyBody), "{raw:?}");
        assert!(err.to_string().contains("empty"));
    }
}

#[test]
fn latin1_bytes_with_wrong_ascii_label() {
    let raw = b"Character set encoding: ASCII\r\n\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n\
        M\xe4dchen f\xfcr Stra\xdfe\r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n";
    let c = run_bytes(raw);
    assert_eq!(c.text, "Mädchen für Straße\n");
    assert_eq!((c.findings.encoding, c.findings.encoding_source), ("ISO-8859-1", EncodingSource::Fallback));
}

#[test]
fn windows_1252_punctuation_is_decoded() {
    let raw = b"*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\x93Quoted\x94 \x96 dash\n";
    let c = run_bytes(raw);
    assert_eq!((c.text.as_str(), c.findings.encoding), ("\u{201c}Quoted\u{201d} \u{2013} dash\n", "windows-1252"));
}

#[test]
fn latin1_label_on_valid_utf8_keeps_utf8() {
    let raw = "Character set encoding: ISO-8859-1\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nCafé\n";
    let c = run(raw);
    assert_eq!(
        (c.text.as_str(), c.findings.encoding, c.findings.encoding_source),
        ("Café\n", "UTF-8", EncodingSource::ValidUtf8)
    );
}

#[test]
fn declared_latin1_is_reported_as_declared() {
    let raw = b"Chatacter set encoding: ISO-8859-1\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nCaf\xe9\n";
    let c = run_bytes(raw);
    assert_eq!((c.text.as_str(), c.findings.encoding_source), ("Café\n", EncodingSource::Declared));
}

#[test]
fn crlf_and_cr_cr_lf_are_single_line_breaks() {
    let body = ["Line one", "", "Line two"];
    for eol in ["\r\n", "\r\r\n", "\n", "\r"] {
        let raw = format!(
            "*** START OF THE PROJECT GUTENBERG EBOOK X ***{eol}{eol}{}{eol}{eol}*** END OF THE PROJECT GUTENBERG EBOOK X ***{eol}",
            body.join(eol)
        );
        assert_eq!(run(&raw).text, "Line one\n\nLine two\n", "{eol:?}");
    }
}

#[test]
fn bom_is_removed() {
    let c = run("\u{feff}The Project Gutenberg eBook\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nText\n");
    assert_eq!((c.text.as_str(), c.findings.encoding_source), ("Text\n", EncodingSource::Bom));
}

#[test]
fn german_and_french_footers() {
    let de =
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nText.\n\nEnde dieses Projekt Gutenberg Etextes X.\nLizenz\n";
    let fr = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nTexte.\n\nFin de Project Gutenberg's X, par Y\nLicence\n";
    assert_eq!((run(de).text.as_str(), run(de).findings.footer), ("Text.\n", Some(FooterKind::German)));
    assert_eq!((run(fr).text.as_str(), run(fr).findings.footer), ("Texte.\n", Some(FooterKind::French)));
}

#[test]
fn end_of_project_gutenberg_line_before_end_marker() {
    let raw = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\nBook.\n\n\
        End of Project Gutenberg's X, by Y\n\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n";
    let c = run(raw);
    assert_eq!((c.text.as_str(), c.findings.footer), ("Book.\n", Some(FooterKind::EndOfBookLine)));
}

const CREDITED: &str = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\n\n\
    Produced by Julia Miller and the Online Distributed\nProofreading Team at http://www.pgdp.net\n\n\n\
    E-text prepared by A. N. Other\n\n\nTHE BOOK\n\nText.\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n";

#[test]
fn credits_are_removed_by_default() {
    let c = run(CREDITED);
    assert_eq!((c.text.as_str(), c.findings.credits_removed), ("THE BOOK\n\nText.\n", true));
}

#[test]
fn credits_are_kept_on_request() {
    let c = clean(CREDITED.as_bytes(), &CleanOptions { keep_credits: true }).unwrap();
    assert!(c.text.starts_with("Produced by Julia Miller"));
    assert!(c.text.ends_with("THE BOOK\n\nText.\n") && !c.findings.credits_removed);
}

#[test]
fn credits_never_delete_text_before_them() {
    // Credit lines in the header are header; the body is untouched.
    let e4 = "The Project Gutenberg eBook of X\n\nProduced by: Roger Frank\n\n\
        *** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nFirst line of the book.\n";
    assert_eq!(run(e4).text, "First line of the book.\n");
    // A credit paragraph after real text is the book's, not a header marker.
    let later = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\nPreface text.\n\nProduced by the author.\n\nMore.\n";
    assert_eq!(run(later).text, "Preface text.\n\nProduced by the author.\n\nMore.\n");
    // Without a header, the opening lines are the book's own.
    let headerless = "Produced by the Theatre Guild\nAct I\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n";
    assert_eq!(run(headerless).text, "Produced by the Theatre Guild\nAct I\n");
}

#[test]
fn small_print_licence_after_end_is_not_a_header() {
    let raw = format!("Title\n\nBook.\n***END OF THE PROJECT GUTENBERG EBOOK X***\n{SMALL_PRINT}After.\n");
    assert_eq!(run(&raw).text, "Title\n\nBook.\n");
}

#[test]
fn gutenbergs_note_about_its_html_edition_goes_with_the_credits() {
    let raw = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nProduced by A. Volunteer\n\n\
               Note: Project Gutenberg also has an HTML version of this\n      file which includes the original illustrations.\n\n\
               THE BOOK\n\nIts text.\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n";
    assert_eq!(run(raw).text, "THE BOOK\n\nIts text.\n");
    let kept = clean(raw.as_bytes(), &CleanOptions { keep_credits: true }).unwrap();
    assert!(kept.text.starts_with("Produced by A. Volunteer\n\nNote: Project Gutenberg also has"), "{}", kept.text);
}

// ---- Defects found by the audit of the first cleaner, one case each. ----

/// `book` re-released inside an E3 START/END pair, after a credit and a note.
pub fn rereleased(book: &str) -> gutenfetch::clean::Cleaned {
    let raw = format!(
        "The Project Gutenberg EBook of Alice, by Lewis Carroll\n\n*** START OF THIS PROJECT GUTENBERG EBOOK ALICE ***\n\n\
         Produced by A. Volunteer\n\n[Transcriber's note: the original 1994 file follows unchanged.]\n\n{book}\n\n\
         *** END OF THIS PROJECT GUTENBERG EBOOK ALICE ***\n\nlicence\n"
    );
    run(&raw)
}

#[test]
fn a_rereleased_small_print_file_is_not_truncated_at_its_old_closing_line() {
    // A Small Print file whose old header opens with a
    // `*****The Project Gutenberg Etext of X*****` line and that has no footer
    // of its own (as alice30.txt; clean_golden runs the real one).
    use crate::util::synth::{Book, Charset, Era, LineEnd};
    let small_print = Book::new(11, Era::SmallPrint, Charset::Utf8, LineEnd::Lf, 8);
    let raw = String::from_utf8(small_print.raw()).unwrap();
    let without_footer = &raw[..raw.rfind("End of The Project Gutenberg Etext").unwrap()];
    let c = rereleased(without_footer);
    let note = "[Transcriber's note: the original 1994 file follows unchanged.]\n\n";
    assert!(c.text == format!("{note}{}", small_print.body()), "{}", c.text);
    assert_eq!(
        (c.findings.inner_headers_removed, c.findings.credits_removed, c.findings.footer),
        (1, true, Some(FooterKind::EndMarker))
    );
}

#[test]
fn an_old_header_opening_with_a_two_star_title_and_no_small_print() {
    let raw = "The Project Gutenberg EBook of Emma\n\n*** START OF THIS PROJECT GUTENBERG EBOOK EMMA ***\n\n\n\
        **The Project Gutenberg Etext of Emma, by Jane Austen**\n#3 in our series by Jane Austen\n\n\
        Please take a look at the important information in this header.\n\n\
        *These Etexts Prepared By Hundreds of Volunteers and Donations*\n\nEMMA\n\nChapter 1 text.\n\n\
        *** END OF THIS PROJECT GUTENBERG EBOOK EMMA ***\nlicence\n";
    let c = run(raw);
    assert_eq!((c.text.as_str(), c.findings.inner_headers_removed), ("EMMA\n\nChapter 1 text.\n", 1));
}

#[test]
fn a_closing_etext_line_in_mid_book_keeps_everything_after_it() {
    let body =
        "VOLUME ONE\n\nText one.\n\n*****The Project Gutenberg Etext of Volume Two*****\n\nVOLUME TWO\nText two.\n";
    let raw = format!(
        "*** START OF THIS PROJECT GUTENBERG EBOOK COLLECTED ***\n\n{body}\n*** END OF THIS PROJECT GUTENBERG EBOOK COLLECTED ***\nlicence\n"
    );
    assert_eq!(run(&raw).text, body);
    // Without any footer after it, the same line mid-book is not one either.
    let raw = format!("{SMALL_PRINT}\n{body}");
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.footer), (body, None));
}

#[test]
fn a_closing_etext_line_followed_by_its_file_name_line_ends_the_book() {
    let raw = format!(
        "{SMALL_PRINT}\nGOOD WORKS\n\nAmen.\n\n*****The Project Gutenberg Etext of Good Works*****\n\
         ******This file should be named gwork10.txt or gwork10.zip******\n\n"
    );
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.footer), ("GOOD WORKS\n\nAmen.\n", Some(FooterKind::ClosingEtextLine)));
}

#[test]
fn a_credit_line_directly_above_the_title_takes_only_itself() {
    let raw = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nProduced by David Widger\nTHE ADVENTURES OF TOM\n\
        By Mark Twain\n\nCHAPTER I\n\nText.\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n";
    let c = run(raw);
    assert_eq!(c.text, "THE ADVENTURES OF TOM\nBy Mark Twain\n\nCHAPTER I\n\nText.\n");
    let raw = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nE-text prepared by A\nCHAPTER I\nText.\n\
        *** END OF THIS PROJECT GUTENBERG EBOOK X ***\n";
    assert_eq!(run(raw).text, "CHAPTER I\nText.\n");
}

#[test]
fn an_old_header_after_a_note_is_removed_and_the_note_kept() {
    let raw = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\n[Note: this is a re-release of the 2003 edition.]\n\n\
        The Project Gutenberg EBook of X\nTitle: X\nCharacter set encoding: ASCII\n\n\
        ***START OF THE PROJECT GUTENBERG EBOOK X***\n\nCHAPTER I\nText.\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n";
    let c = run(raw);
    assert_eq!(c.text, "[Note: this is a re-release of the 2003 edition.]\n\nCHAPTER I\nText.\n");
    assert_eq!(c.findings.inner_headers_removed, 1);
}

#[test]
fn an_old_header_ending_at_the_volunteers_line_is_removed_with_its_fields() {
    let raw = "The Project Gutenberg EBook of Emma\n\n*** START OF THIS PROJECT GUTENBERG EBOOK EMMA ***\n\n\n\
        The Project Gutenberg Etext of Emma, by Jane Austen\n(#3 in our series)\n\n\
        **Welcome To The World of Free Plain Vanilla Electronic Texts**\n\n\
        *****These eBooks Were Prepared By Thousands of Volunteers!*****\n\nTitle: Emma\n\nEMMA\n\nChapter 1 text.\n\n\
        *** END OF THIS PROJECT GUTENBERG EBOOK EMMA ***\nlicence\n";
    let c = run(raw);
    assert_eq!((c.text.as_str(), c.findings.inner_headers_removed), ("EMMA\n\nChapter 1 text.\n", 1));
}

#[test]
fn copyrighted_start_and_end_markers() {
    let raw = "hdr\n*** START OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK FOO ***\n\nFOO\nTHE END\n\
        *** END OF THE COPYRIGHTED PROJECT GUTENBERG EBOOK FOO ***\nlicence\n";
    let c = run(raw);
    assert_eq!(
        (c.text.as_str(), c.findings.header, c.findings.footer),
        ("FOO\nTHE END\n", Some(HeaderKind::StartLine), Some(FooterKind::EndMarker))
    );
}

#[test]
fn late_1990s_footers_german_etext_and_copyrighted_notice() {
    let de = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nText.\n\nEnde dieses Etextes.\nLizenz\n";
    assert_eq!((run(de).text.as_str(), run(de).findings.footer), ("Text.\n", Some(FooterKind::German)));
    let cp = "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n\nText.\n\n\
        **This is a COPYRIGHTED Project Gutenberg Etext, Details Above**\nLizenz\n";
    assert_eq!((run(cp).text.as_str(), run(cp).findings.footer), ("Text.\n", Some(FooterKind::CopyrightedNotice)));
}

#[test]
fn strip_into_a_pipe_closed_early_ends_quietly() {
    use std::io::Read;
    // A synthetic book far larger than a pipe holds (64 KiB).
    let dir = crate::util::TestDir::new();
    let big = crate::util::synth::Book::new(
        35589,
        crate::util::synth::Era::WrappedStart,
        crate::util::synth::Charset::Utf8,
        crate::util::synth::LineEnd::CrCrLf,
        1200,
    );
    let book = dir.write("big.txt", big.raw());
    assert!(std::fs::metadata(&book).unwrap().len() > 256 << 10);
    let mut child = crate::util::gutenfetch_logging()
        .args(["strip", book.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, as `head` does, then close the pipe: the book
    // cannot all fit in the pipe, so the writer meets the closed end.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let run = crate::util::Run::of(child.wait_with_output().unwrap());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "a closed pipe is no error");
}

/// Peak memory while streaming a 50 MB book (UTF-8, then Latin-1, which is
/// re-encoded to a temporary file) stays a few MiB above what it was before.
/// Run alone, so that no other test's memory counts:
/// `cargo test --release --test integration streaming_memory -- --ignored --nocapture`
/// (`cargo run --release --example clean_memory` prints the figures).
#[test]
#[ignore = "measures the process's peak memory: run alone"]
fn streaming_memory_does_not_grow_with_the_book() {
    use std::io::{BufWriter, Write};
    let peak_mib = || {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let kib = status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).unwrap();
        kib.parse::<f64>().unwrap() / 1024.0
    };
    let dir = tempfile::tempdir().unwrap();
    let before = peak_mib();
    for latin1 in [false, true] {
        let raw = dir.path().join("book.txt");
        let mut book = BufWriter::new(std::fs::File::create(&raw).unwrap());
        book.write_all(b"*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n\r\nProduced by A\r\n\r\n").unwrap();
        let line: &[u8] = if latin1 { b"The whale, caf\xe9.\r\n" } else { "The whale, caf\u{e9}.\r\n".as_bytes() };
        for _ in 0..(50 << 20) / line.len() {
            book.write_all(line).unwrap();
        }
        book.write_all(b"*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n").unwrap();
        drop(book);
        let len = std::fs::metadata(&raw).unwrap().len();
        let mut out = BufWriter::new(std::fs::File::create(dir.path().join("clean.txt")).unwrap());
        let input = std::fs::File::open(&raw).unwrap();
        let findings = gutenfetch::clean::clean_stream(
            input,
            len,
            gutenfetch::clean::Spill::In(dir.path()),
            &CleanOptions::default(),
            &mut out,
        )
        .unwrap();
        assert!(findings.clean_bytes > 45 << 20);
        let grown = peak_mib() - before;
        println!("latin1 {latin1}: peak RSS {:.1} MiB, {grown:.1} MiB above the start", peak_mib());
        assert!(grown < 16.0, "cleaning a 50 MB book raised peak memory by {grown:.1} MiB");
    }
}
