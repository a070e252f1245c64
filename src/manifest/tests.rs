//! Tests of manifest reading, through the survey and the books read back.

use super::*;

/// A manifest's survey with its books read back.
struct Parsed {
    books: Vec<Book>,
    problems: Vec<RowProblem>,
    duplicates: usize,
    not_text: usize,
}

fn parse_str(text: &str) -> Parsed {
    let m = parse(text.as_bytes(), "test.csv", &Selection::default()).unwrap();
    let books: Vec<Book> = m.books().map(Result::unwrap).collect();
    assert_eq!(books.len(), m.book_count, "the survey counts the books read back");
    Parsed { books, problems: m.problems, duplicates: m.duplicates, not_text: m.not_text }
}

fn numbers(parsed: &Parsed) -> Vec<u32> {
    parsed.books.iter().map(|b| b.number.get()).collect()
}

#[test]
fn a_book_of_a_bare_number_is_small() {
    // Books in flight and queued are held: 32 bytes, not 96.
    assert!(std::mem::size_of::<Book>() <= 32, "{} bytes", std::mem::size_of::<Book>());
    let number = EbookNumber::parse("418").unwrap();
    let book = Book::new(number, 2, 0).with_about(None, Some("Luther".into()), None);
    assert_eq!((book.title(), book.author(), book.language()), (None, Some("Luther"), None));
    assert_eq!(Book::new(number, 2, 0).with_about(None, None, None), Book::new(number, 2, 0));
}

#[test]
fn classic_manifest_with_bom_crlf_and_quoted_commas() {
    let m = parse_str("\u{feff}author,FileNumber,Title\r\nLuther,418,\"A Treatise on Good Works, 1520\"\r\n");
    assert_eq!(numbers(&m), [418]);
    let book = &m.books[0];
    assert_eq!(book.title(), Some("A Treatise on Good Works, 1520"));
    assert_eq!(book.author(), Some("Luther"));
    assert_eq!(book.line, 2);
}

#[test]
fn line_numbers_hold_for_every_line_end_and_multiline_fields() {
    for text in ["FileNumber\nx\n11\ny\n", "FileNumber\r\nx\r\n11\r\ny\r\n", "FileNumber,T\n\"a\nb\",c\n11\ny\n"] {
        let m = parse_str(text);
        let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
        let expected = if text.contains('"') { vec![2, 5] } else { vec![2, 4] };
        assert_eq!(lines, expected, "{text:?}");
    }
}

#[test]
fn pg_catalog_keeps_only_text_rows() {
    let m = parse_str(
        "Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves\n\
         418,Text,1996-01-01,A Treatise on Good Works,en,\"Luther, Martin, 1483-1546\",,,\n\
         9000,Sound,2004-01-01,Some Audio Book,en,Someone,,,\n\
         9001,,2004-01-01,No Type At All,en,Someone,,,\n\
         9002,\"  \",2004-01-01,A Blank Type,en,Someone,,,\n\
         11,text,2008-06-27,Alice,en,\"Carroll, Lewis\",,,\n",
    );
    assert_eq!(numbers(&m), [418, 11], "only Text rows are books");
    assert_eq!(m.not_text, 3, "Sound, empty and blank Types are counted as not Text");
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    assert_eq!(m.books[0].author(), Some("Luther, Martin, 1483-1546"));
}

#[test]
fn headers_match_case_insensitively_in_any_order() {
    let m = parse_str("TITLE,filenumber,Extra\nAlice,11,x\n");
    assert_eq!(numbers(&m), [11]);
    assert_eq!(m.books[0].title(), Some("Alice"));
    assert_eq!(m.books[0].author(), None);
}

#[test]
fn bad_rows_are_reported_by_line_and_skipped() {
    let m = parse_str("FileNumber,Title\n418,ok\n../x,a\n-5,b\n,c\nabc,d\n1/../2,e\n11,ok\n");
    assert_eq!(numbers(&m), [418, 11]);
    let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7]);
    assert!(m.problems[0].message.contains("../x"), "{}", m.problems[0].message);
    assert_eq!(m.problems[2].message, "no ebook number");
}

#[test]
fn a_short_row_is_a_bad_row() {
    let m = parse_str("author,FileNumber,Title\nLuther\nLuther,418,Good Works\n");
    assert_eq!(numbers(&m), [418]);
    assert_eq!(m.problems.len(), 1);
    assert_eq!(m.problems[0].line, 2);
    assert_eq!(m.problems[0].message, "short row: 1 of the header's 3 fields");
    // In pg_catalog.csv a row cut before its Type is bad, not silently "not Text".
    let m = parse_str("Text#,Type,Title\n418\n11,Text,Alice\n");
    assert_eq!((numbers(&m), m.not_text, m.problems.len()), (vec![11], 0, 1));
}

#[test]
fn whitespace_around_a_number_is_a_bad_row_with_its_line() {
    let m = parse_str("author,FileNumber,Title\nA, 418,x\nB,418 ,x\nC,\"418\n\",x\nD,\"\t11\",x\nE,84,ok\n");
    assert_eq!(numbers(&m), [84]);
    let lines: Vec<u64> = m.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 3, 4, 6], "the quoted field with a newline spans lines 4-5");
    assert!(m.problems[0].message.contains("\" 418\""), "{}", m.problems[0].message);
    assert!(m.problems[2].message.contains("\"418\\n\""), "{}", m.problems[2].message);
}

#[test]
fn duplicates_are_fetched_once() {
    let m = parse_str("FileNumber\n418\n11\n0418\n418\n");
    assert_eq!(numbers(&m), [418, 11]);
    assert_eq!(m.duplicates, 2);
}

#[test]
fn unusable_manifests_are_errors() {
    assert!(matches!(parse("".as_bytes(), "x", &Selection::default()), Err(ManifestError::Empty(_))));
    assert!(matches!(parse("FileNumber\n".as_bytes(), "x", &Selection::default()), Err(ManifestError::Empty(_))));
    let err = parse("author,Title\nLuther,Good Works\n".as_bytes(), "books.csv", &Selection::default()).unwrap_err();
    assert!(matches!(err, ManifestError::NoNumberColumn { .. }));
    assert!(err.to_string().contains("books.csv"), "{err}");
}

#[test]
fn books_are_numbered_in_order_and_lines_hold_past_the_readers_buffer() {
    // Far more than csv's 8 KiB buffer, CRLF, with a multi-line field and blank lines.
    let mut text = String::from("FileNumber,Title\r\n");
    let mut expected = Vec::new();
    for n in 1..=3000u32 {
        let line = text.matches('\n').count() as u64 + 1;
        if n % 7 == 0 {
            text.push_str(&format!("{n},\"two\r\nlines\"\r\n\r\n"));
        } else {
            text.push_str(&format!("{n},t\r\n"));
        }
        expected.push((n, line));
    }
    let m = parse_str(&text);
    let got: Vec<(u32, u64)> = m.books.iter().map(|b| (b.number.get(), b.line)).collect();
    assert_eq!(got, expected);
    assert!(m.books.iter().enumerate().all(|(i, b)| b.seq as usize == i && b.row == i));
}

#[test]
fn the_books_can_be_read_again_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(&path, "FileNumber\n418\nx\n11\n418\n").unwrap();
    let m = read(&ManifestSource::Path(path.clone()), &Selection::default()).unwrap();
    // Replaced after the survey: the run keeps the file it opened.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "FileNumber\n1\n").unwrap();
    for _ in 0..2 {
        let numbers: Vec<u32> = m.books().map(|b| b.unwrap().number.get()).collect();
        assert_eq!(numbers, [418, 11]);
    }
    assert_eq!((m.book_count, m.problems.len(), m.duplicates), (2, 1, 1));
}
