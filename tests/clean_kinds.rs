//! The three kinds of boilerplate that outlive the markers the cleaner knows
//! (issue 19, section 2), each in the eras it is found in, through the
//! public `clean` and, once, through `gutenfetch strip`: a closing line that
//! does not open with "End of", an older header kept inside the body, and a
//! metadata block opening a text whose START line was cut away.

use gutenfetch::clean::{clean, CleanOptions, Cleaned, FooterKind, HeaderKind};

const BOOK: &str = "THE BOOK\r\n\r\nby A. Writer\r\n\r\nCHAPTER I\r\n\r\nIt began in the rain.\r\n";
const CLEAN_BOOK: &str = "THE BOOK\n\nby A. Writer\n\nCHAPTER I\n\nIt began in the rain.\n";

/// E1's Small Print header, kept short.
const SMALL_PRINT: &str = "**The Project Gutenberg Etext of The Book**\r\n\r\n\
    ***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\r\nLawyers.\r\n\
    *END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\r\n\r\n";

fn run(raw: &str) -> Cleaned {
    clean(raw.as_bytes(), &CleanOptions::default()).expect("cleans")
}

#[test]
fn closing_lines_that_do_not_open_with_end_of_end_the_book() {
    let tail = "\r\nTranscriber's list of changes: p. 4 teh -> the.\r\n\r\n\
                ***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\r\nLawyers.\r\n";
    for closing in [
        "The end of Project Gutenberg etext of \"The Book\"",
        "The End of the Project Gutenberg EBook of The Book",
        "THE END OF THIS PROJECT GUTENBERG E-TEXT OF THE BOOK",
        "This is the end of the Project Gutenberg Edition of THE BOOK",
        "*** The end of this eBook ***",
        "End of this is COPYRIGHTED Project Gutenberg Etext, Details Below",
    ] {
        let c = run(&format!("{SMALL_PRINT}{BOOK}\r\n\r\n{closing}\r\n{tail}"));
        assert_eq!(c.text, CLEAN_BOOK, "{closing}");
        assert_eq!(c.findings.footer, Some(FooterKind::EndOfBookLine), "{closing}");
    }
    // E3: the plain line before the END marker, in lower case.
    let e3 = format!(
        "*** START OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n{BOOK}\r\n\
         the end of the project gutenberg ebook of the book\r\n\r\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\r\n"
    );
    assert_eq!(run(&e3).text, CLEAN_BOOK);
}

#[test]
fn prose_about_an_end_stays() {
    let body = "CHAPTER I\r\n\r\nThe end of the story was near.\r\nThis is the end of all our hopes.\r\n\
                The end of the chapter. Project Gutenberg thanks you.\r\nIt rained.\r\n";
    let c = run(&format!(
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n{body}*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
    ));
    assert_eq!(c.text, body.replace('\r', ""));
}

#[test]
fn an_older_header_kept_after_a_newer_start_is_cut() {
    // E3 header over an E1 text: the old title block, then the old credits.
    let e3 = format!(
        "The Project Gutenberg EBook of The Book, by A. Writer\r\n\r\n\
         *** START OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n\r\n\
         The Project Gutenberg Etext of The Book\r\nby A. Writer\r\n(#6 in our series by A. Writer)\r\n***\r\n\r\n\
         This etext was prepared by A. Volunteer.\r\n\r\n\r\n{BOOK}\r\n\
         *** END OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n"
    );
    let c = run(&e3);
    assert_eq!(c.text, CLEAN_BOOK);
    assert_eq!((c.findings.inner_headers_removed, c.findings.credits_removed), (1, true));
    // E4 header over an E1 text whose old title line is starred, with its
    // file-name and editions lines (pg135-lesms10 repeats such a block after
    // its own Small Print).
    let e4 = format!(
        "\u{feff}The Project Gutenberg eBook of The Book\r\n\r\n*** START OF THE PROJECT GUTENBERG EBOOK THE BOOK ***\r\n\
         *******The Project Gutenberg Etext of \"The Book\"*******\r\n    by A. Writer\r\n\
         *****This file should be named book10.txt or book10.zip*****\r\n\r\n\
         Corrected EDITIONS of our etexts get a new NUMBER, book11.txt.\r\n\
         VERSIONS based on separate sources get new LETTER, book10a.txt.\r\n\r\n{BOOK}\r\n\
         *** END OF THE PROJECT GUTENBERG EBOOK THE BOOK ***\r\n"
    );
    assert_eq!(run(&e4).text, CLEAN_BOOK);
    // An E1 Small Print header followed by its own title block again.
    let e1 = format!(
        "{SMALL_PRINT}*****The Project Gutenberg Etext of The Book*****\r\n#2 in our series by A. Writer\r\n\r\n{BOOK}"
    );
    assert_eq!(run(&e1).text, CLEAN_BOOK);
    // E1 copyrighted etexts: the Small Print ends `*SMALL PRINT! … *END*`,
    // and their title block comes again after it (pg1619).
    let copyrighted = format!(
        "**This is a COPYRIGHTED Project Gutenberg Etext, Details Below**\r\n\
         The Project Gutenberg Etext of The Book by A. Writer\r\n\r\n\
         *These Etexts Prepared By Hundreds of Volunteers and Donations*\r\n\r\nWe need your donations.\r\n\r\n\
         ***START** SMALL PRINT! for COPYRIGHT PROTECTED ETEXTS ***\r\nLawyers.\r\n\
         *SMALL PRINT! Ver.04.29.93 FOR COPYRIGHT PROTECTED ETEXTS*END*\r\n\r\n\
         **This is a COPYRIGHTED Project Gutenberg Etext, Details Below**\r\n\
         The Project Gutenberg Etext of The Book by A. Writer\r\n\r\n{BOOK}\r\n\
         End of this is COPYRIGHTED Project Gutenberg Etext, Details Below\r\n"
    );
    let c = run(&copyrighted);
    assert_eq!((c.text.as_str(), c.findings.header), (CLEAN_BOOK, Some(HeaderKind::SmallPrintEnd)));
}

#[test]
fn a_title_page_after_a_start_line_stays() {
    // A title page that names the book (and opens with "by") is the book's.
    let raw = format!(
        "*** START OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n\r\n{BOOK}\r\n\
         *** END OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n"
    );
    let c = run(&raw);
    assert_eq!((c.text.as_str(), c.findings.inner_headers_removed), (CLEAN_BOOK, 0));
    let by_first = "By the waters of the river\r\nwe sat down.\r\n";
    let raw = format!(
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\nThe Project Gutenberg Etext of X\r\n\r\n{by_first}\
         *** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n"
    );
    assert_eq!(run(&raw).text, by_first.replace('\r', ""));
}

#[test]
fn a_metadata_block_without_its_start_line_is_header() {
    let metadata = "Title: The Book\r\n\r\nAuthor: A. Writer\r\n\r\nTranslator: B. Writer\r\n\r\n\
                    Release Date: May 1, 2004 [EBook #12345]\r\n\r\nLanguage: English\r\n\r\n\
                    Character set encoding: ISO-8859-1\r\n\r\n";
    let licence = "\r\n*** END OF THIS PROJECT GUTENBERG EBOOK THE BOOK ***\r\n\r\nThe licence.\r\n";
    // E3 trimmed above the START line: the title line and its paragraph stay.
    let e3 = format!(
        "The Project Gutenberg EBook of The Book, by A. Writer\r\n\r\n\
         This eBook is for the use of anyone anywhere at no cost and with\r\nalmost no restrictions whatsoever.\r\n\r\n\
         {metadata}\r\nProduced by A. Volunteer\r\n\r\n{BOOK}{licence}"
    );
    let c = run(&e3);
    assert_eq!(c.text, CLEAN_BOOK);
    assert_eq!((c.findings.header, c.findings.footer), (Some(HeaderKind::MetadataBlock), Some(FooterKind::EndMarker)));
    // Trimmed to the metadata block itself; E4's indented continuations.
    let e4 = format!(
        "Title: The Book\r\n       A Tale\r\n\r\nAuthor: A. Writer\r\n\r\nRelease date: May 1, 2020 [eBook #1]\r\n\
         \x20               Most recently updated: June 2, 2022\r\n\r\nLanguage: English\r\n\r\n\r\n{BOOK}{licence}"
    );
    assert_eq!(run(&e4).text, CLEAN_BOOK);
    // E2b: a Volunteers line ends the header, the block and a bare `***` follow.
    let e2b = format!(
        "The Project Gutenberg EBook of The Book\r\n\r\n\
         *****These eBooks Were Prepared By Thousands of Volunteers!*****\r\n\r\n\r\n{metadata}***\r\n\r\n\r\n{BOOK}\r\n\
         End of The Project Gutenberg EBook of The Book\r\n"
    );
    assert_eq!(run(&e2b).text, CLEAN_BOOK);
}

#[test]
fn a_lone_title_field_or_no_footer_keeps_the_text() {
    // One `Title:` line is a book's; without a footer nothing says it is a
    // Gutenberg file at all.
    let one_field = format!("Title: The Book\r\n\r\n{BOOK}*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\n");
    assert_eq!(run(&one_field).text, format!("Title: The Book\n\n{CLEAN_BOOK}"));
    let no_footer = "Title: The Book\r\nAuthor: A. Writer\r\n\r\nIt rained.\r\n";
    let c = run(no_footer);
    assert_eq!(
        (c.text.as_str(), c.findings.markers_found),
        ("Title: The Book\nAuthor: A. Writer\n\nIt rained.\n", false)
    );
}

#[test]
fn strip_cleans_the_three_kinds_alike() {
    let dir = tempfile::tempdir().unwrap();
    let raw = format!(
        "Title: The Book\r\nAuthor: A. Writer\r\nLanguage: English\r\n\r\n\
         The Project Gutenberg Etext of The Book\r\n(#6 in our series by A. Writer)\r\n*****\r\n\r\n{BOOK}\r\n\
         The end of Project Gutenberg etext of The Book\r\nThe licence.\r\n"
    );
    let file = dir.path().join("book.txt");
    std::fs::write(&file, raw).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gutenfetch")).arg("strip").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), CLEAN_BOOK);
}
