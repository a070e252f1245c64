//! Synthetic Gutenberg books: a body in the project's own words (a seeded
//! PRNG over a small word list), wrapped in the header and footer of one era
//! the cleaner knows, encoded in one charset, with one line-end form.
//!
//! The generator knows each book's body, so a test can assert that cleaning
//! the raw file gives exactly that body. The boilerplate is the format's
//! marker lines and a line or two of licence standing for the whole.
//! Deterministic: the same `Book` always gives the same bytes, so the
//! checked-in fixture mirror can be compared with a fresh one.
//!
//! Shared with `examples/fixture_mirror.rs` through `#[path]`: no `super::`.

/// The header and footer forms, as `src/clean/rules.rs` names their eras.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// E1 (1991–2001): `*END*THE SMALL PRINT!…*END*`, then `End of The Project Gutenberg Etext of X`.
    SmallPrint,
    /// E1 that ends with the closing `*****The Project Gutenberg Etext of X*****` line.
    SmallPrintClosingLine,
    /// E2 (early 2000s): a `***START OF THE PROJECT GUTENBERG EBOOK` whose title wraps.
    WrappedStart,
    /// E2 (2000–2003): `*These eBooks Were Prepared By Thousands of Volunteers!*`, fields, a START,
    /// `Credit for e-text:`, and no END marker.
    Volunteers,
    /// E3 (2004–2019): `*** START OF THIS …`, `End of Project Gutenberg's X`, the full licence.
    Licence2004,
    /// E4 (2020+): `Release date:`, `Most recently updated:`, `Credits:`, `*** START OF THE …`.
    Release2020,
    /// E5 (2023+): the START and END lines and nothing else.
    Short2023,
    /// E3 with a German footer: `Ende dieses Projekt Gutenberg Etextes X`.
    German,
    /// E3 with a French footer: `Fin de Project Gutenberg's X`.
    French,
    /// No marker at all: the cleaner keeps the text whole.
    NoMarkers,
    /// E1 whose closing line does not open with "End of": `The end of Project
    /// Gutenberg etext of X`, a transcriber's list and the Small Print after it.
    TheEndOf,
    /// E3 over an E1 text: the old title block (`The Project Gutenberg Etext
    /// of X` / `by Y` / `(#6 in our series by Y)` / `***`) and old credits
    /// right after the new START.
    Reissued,
    /// E3 whose START line was cut away: the metadata block still opens it.
    StartCut,
}

pub const ERAS: &[Era] = &[
    Era::SmallPrint,
    Era::SmallPrintClosingLine,
    Era::WrappedStart,
    Era::Volunteers,
    Era::Licence2004,
    Era::Release2020,
    Era::Short2023,
    Era::German,
    Era::French,
    Era::NoMarkers,
    Era::TheEndOf,
    Era::Reissued,
    Era::StartCut,
];

/// How the bytes are encoded, and what the header says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Utf8Bom,
    Latin1,
    Windows1252,
    /// UTF-8 bytes under `Character set encoding: ASCII` (re-encoded files keep the old label).
    Utf8SaysAscii,
    /// Windows-1252 bytes under `Character set encoding: UTF-8`.
    Windows1252SaysUtf8,
}

pub const CHARSETS: &[Charset] = &[
    Charset::Utf8,
    Charset::Utf8Bom,
    Charset::Latin1,
    Charset::Windows1252,
    Charset::Utf8SaysAscii,
    Charset::Windows1252SaysUtf8,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnd {
    Lf,
    CrLf,
    /// CR CR LF, as badly re-saved files have.
    CrCrLf,
}

pub const LINE_ENDS: &[LineEnd] = &[LineEnd::Lf, LineEnd::CrLf, LineEnd::CrCrLf];

/// One synthetic book: its number seeds its words.
#[derive(Clone, Copy, Debug)]
pub struct Book {
    pub n: u32,
    pub era: Era,
    pub charset: Charset,
    pub line_end: LineEnd,
    /// Paragraphs of body: the size of the book (about 400 bytes each).
    pub paragraphs: usize,
}

/// Words that can never form a marker, a credit or an old header's opening
/// (no "end", "start", "project", "produced", "this" …: see clean_props).
const WORDS: &[&str] = &[
    "the", "a", "lantern", "river", "grey", "stone", "orchard", "window", "quiet", "morning", "letter", "road", "mill",
    "harbour", "winter", "garden", "lamp", "across", "under", "before", "after", "slowly", "bright", "old", "little",
    "we", "she", "he", "they", "walked", "waited", "kept", "found", "carried", "opened", "heard", "saw", "and", "but",
    "with", "over", "near", "long", "field", "bridge", "candle", "music", "rain", "north", "salt", "bread", "door",
    "hill", "clock", "ferry", "copper", "wool", "valley",
];

/// Nouns and adjectives for titles and surnames.
const NAMES: &[&str] = &[
    "lantern", "river", "grey", "stone", "orchard", "window", "quiet", "morning", "letter", "road", "mill", "harbour",
    "winter", "garden", "lamp", "bright", "field", "bridge", "candle", "north", "salt", "hill", "clock", "ferry",
    "copper", "valley",
];

/// Words each charset can carry beyond ASCII, so decoding is tested too.
fn accents(charset: Charset) -> &'static [&'static str] {
    match charset {
        Charset::Utf8 | Charset::Utf8Bom | Charset::Utf8SaysAscii => {
            &["café", "Zoë", "façade", "œuvre", "“well”", "so—then", "Ångström", "naïve"]
        }
        Charset::Latin1 => &["café", "Zoë", "façade", "Müller", "Straße", "señor", "Ångström", "naïve"],
        Charset::Windows1252 | Charset::Windows1252SaysUtf8 => {
            &["café", "“well”", "it’s", "so—then", "œuvre", "Müller"]
        }
    }
}

const ROMAN: &[&str] = &["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

impl Book {
    pub fn new(n: u32, era: Era, charset: Charset, line_end: LineEnd, paragraphs: usize) -> Self {
        Book { n, era, charset, line_end, paragraphs }
    }

    fn rng(&self, salt: u64) -> fastrand::Rng {
        fastrand::Rng::with_seed(u64::from(self.n) * 1_000_003 + salt)
    }

    fn words(&self, rng: &mut fastrand::Rng, count: usize) -> Vec<&'static str> {
        (0..count).map(|_| WORDS[rng.usize(2..WORDS.len())]).collect()
    }

    /// A title of three or four words, capitalised: `The Grey Lantern Mill`.
    pub fn title(&self) -> String {
        let mut rng = self.rng(1);
        let count = rng.usize(2..4);
        let words = std::iter::once("the").chain((0..count).map(|_| NAMES[rng.usize(..NAMES.len())]));
        words.map(capitalise).collect::<Vec<_>>().join(" ")
    }

    pub fn author(&self) -> String {
        let mut rng = self.rng(2);
        let first = ["Ada", "Tomas", "Irene", "Jonas", "Marta", "Olaf", "Nell", "Piet"][rng.usize(..8)];
        format!("{first} {}", capitalise(NAMES[rng.usize(..NAMES.len())]))
    }

    /// The book as the cleaner must give it back: `\n` line ends, no blank
    /// line first or last, one final newline.
    pub fn body(&self) -> String {
        let mut rng = self.rng(3);
        let accents = accents(self.charset);
        let mut lines = vec![self.title().to_uppercase(), String::new(), format!("by {}", self.author())];
        for p in 0..self.paragraphs {
            if p % 4 == 0 {
                lines.extend([String::new(), String::new(), format!("CHAPTER {}.", ROMAN[(p / 4) % ROMAN.len()])]);
            } else if p % 7 == 3 {
                lines.extend([String::new(), "       *       *       *       *       *".to_owned()]);
            }
            lines.push(String::new());
            let mut line = String::new();
            for s in 0..rng.usize(3..6) {
                let count = rng.usize(6..14);
                let mut words = self.words(&mut rng, count);
                if s % 2 == 1 {
                    let (at, accent) = (rng.usize(..count), rng.usize(..accents.len()));
                    words[at] = accents[accent];
                }
                let sentence = capitalise(&words.join(" ")) + if rng.bool() { "." } else { ";" };
                for word in sentence.split(' ') {
                    if !line.is_empty() && line.chars().count() + word.chars().count() > 68 {
                        lines.push(std::mem::take(&mut line));
                    }
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                }
            }
            lines.push(line);
        }
        lines.join("\n") + "\n"
    }

    /// The whole file, as a mirror serves it.
    pub fn raw(&self) -> Vec<u8> {
        let text = self.text();
        let text = match self.line_end {
            LineEnd::Lf => text,
            LineEnd::CrLf => text.replace('\n', "\r\n"),
            LineEnd::CrCrLf => text.replace('\n', "\r\r\n"),
        };
        match self.charset {
            Charset::Utf8 | Charset::Utf8SaysAscii => text.into_bytes(),
            Charset::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
            Charset::Latin1 | Charset::Windows1252 | Charset::Windows1252SaysUtf8 => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
                assert!(!unmappable, "book {}: {:?} cannot hold its text", self.n, self.charset);
                bytes.into_owned()
            }
        }
    }

    /// What `Character set encoding:` says.
    fn declared(&self) -> &'static str {
        match self.charset {
            Charset::Utf8 | Charset::Utf8Bom | Charset::Windows1252SaysUtf8 => "UTF-8",
            Charset::Latin1 | Charset::Windows1252 => "ISO-8859-1",
            Charset::Utf8SaysAscii => "ASCII",
        }
    }

    /// The text with `\n` line ends, before encoding.
    fn text(&self) -> String {
        let (n, title, author, body) = (self.n, self.title(), self.author(), self.body());
        let upper = title.to_uppercase();
        let charset = self.declared();
        let e3_head = format!(
            "The Project Gutenberg EBook of {title}, by {author}\n\n\
             This eBook is for the use of anyone anywhere at no cost and with\n\
             almost no restrictions whatsoever.\n\n\n\
             Title: {title}\n\nAuthor: {author}\n\nRelease Date: March 2, 2011 [EBook #{n}]\n\n\
             Language: English\n\nCharacter set encoding: {charset}\n\n\
             *** START OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n\n\n\n\n\
             Produced by Ada Volunteer and the Online Distributed\n\
             Proofreading Team at http://www.pgdp.net\n\n\n\n\n"
        );
        let e3_tail = format!(
            "\n\n*** END OF THIS PROJECT GUTENBERG EBOOK {upper} ***\n\n\
             ***** This file should be named {n}.txt or {n}.zip *****\n\n\
             *** START: FULL LICENSE ***\n\nTHE FULL PROJECT GUTENBERG LICENSE\n\
             PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK\n"
        );
        let small_print = format!(
            "*****The Project Gutenberg Etext of {title}*****\n#3 in our series by {author}\n\n\
             Copyright laws are changing all over the world, be sure to check\n\
             the laws for your country before redistributing these files!\n\n\
             {title}\n\nby {author}\n\nMay, 1996  [Etext #{n}]\n\n\
             ***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n\
             Why is this \"Small Print!\" statement here? You know: lawyers.\n\
             *END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n\n"
        );
        match self.era {
            Era::SmallPrint => format!("{small_print}{body}\n\n\nEnd of The Project Gutenberg Etext of {title}\n"),
            Era::SmallPrintClosingLine => format!(
                "{small_print}{body}\n\n\n*****The Project Gutenberg Etext of {title}*****\n\
                 ******This file should be named text{n}.txt or text{n}.zip******\n"
            ),
            Era::WrappedStart => {
                let (first, rest) = upper.split_once(' ').unwrap();
                format!(
                    "The Project Gutenberg eBook, {title}, by {author}\n\n\n\
                     This eBook is for the use of anyone anywhere at no cost and with\n\
                     almost no restrictions whatsoever.\n\n\n\n\
                     Title: {title}\n\nAuthor:  {author}\n\nRelease Date: October 2, 2003  [eBook #{n}]\n\n\
                     Language: English\n\nChatacter set encoding: {charset}\n\n\n\
                     ***START OF THE PROJECT GUTENBERG EBOOK {first},\n{rest}***\n\n\n\
                     E-text prepared by Jonas Volunteer and Project Gutenberg Distributed\n\
                     Proofreaders\n\n\n\n{body}\n\n\n\
                     End of the Project Gutenberg EBook of {title}, by {author}\n\n\
                     ***END OF THE PROJECT GUTENBERG EBOOK {upper}***\n\n\
                     ******* This file should be named {n}.txt or {n}.zip *******\n"
                )
            }
            Era::Volunteers => format!(
                "The Project Gutenberg EBook of {title}, by {author}\n\n\
                 Copyright laws are changing all over the world.\n\n\
                 *****These eBooks Were Prepared By Thousands of Volunteers!*****\n\n\
                 Title: {title}\n\nAuthor: {author}\n\nRelease Date: November, 2003 [EBook #{n}]\n\
                 [Yes, we are more than one year ahead of schedule]\n\n\
                 Edition: 10\n\nLanguage: English\n\nCharacter set encoding: {charset}\n\n\
                 *** START OF THE PROJECT GUTENBERG EBOOK, {upper} ***\n\n\
                 Credit for e-text: Marta Volunteer, Olaf Volunteer and the Online\n\
                 Distributed Proofreading Team.\n\n\n{body}\n\n\n\
                 End of the Project Gutenberg EBook of {title}, by {author}\n\n\
                 ******* This file should be named {n}.txt or {n}.zip *******\n"
            ),
            Era::Licence2004 => {
                format!("{e3_head}{body}\n\n\n\nEnd of Project Gutenberg's {title}, by {author}\n{e3_tail}")
            }
            Era::German => {
                format!("{e3_head}{body}\n\n\n\nEnde dieses Projekt Gutenberg Etextes {title}, von {author}\n{e3_tail}")
            }
            Era::French => {
                format!("{e3_head}{body}\n\n\n\nFin de Project Gutenberg's {title}, par {author}\n{e3_tail}")
            }
            Era::Release2020 => format!(
                "The Project Gutenberg eBook of {title}\n\n\
                 This ebook is for the use of anyone anywhere in the United States and\n\
                 most other parts of the world at no cost and with almost no restrictions\n\
                 whatsoever.\n\n\
                 Title: {title}\n\nAuthor: {author}\n\nRelease date: May 1, 1996 [eBook #{n}]\n\
                 \x20               Most recently updated: October 29, 2024\n\n\
                 Language: English\n\nCredits: Nell Volunteer and Piet Volunteer\n\n\n\
                 *** START OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n\n{body}\n\n\n\
                 *** END OF THE PROJECT GUTENBERG EBOOK {upper} ***\n\n\n\n\
                 Updated editions will replace the previous one - the old editions will\n\
                 be renamed.\n\nSTART: FULL LICENSE\n\nTHE FULL PROJECT GUTENBERG LICENSE\n"
            ),
            Era::Short2023 => {
                format!("*** START OF THE PROJECT GUTENBERG EBOOK {n} ***\n{body}*** END OF THE PROJECT GUTENBERG EBOOK {n} ***\n")
            }
            Era::NoMarkers => body,
            Era::TheEndOf => format!(
                "{small_print}{body}\n\n\nThe end of Project Gutenberg etext of \"{title}\"\n\n\
                 Transcriber's list of changes: page 4, teh -> the.\n\n\
                 ***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n"
            ),
            Era::Reissued => {
                let old = format!(
                    "The Project Gutenberg Etext of {title}\nby {author}\n(#6 in our series by {author})\n***\n\n\
                     This etext was prepared by Old Volunteer.\n\n\n"
                );
                format!("{e3_head}{old}{body}\n\n\n\nEnd of Project Gutenberg's {title}, by {author}\n{e3_tail}")
            }
            Era::StartCut => {
                let cut: String =
                    e3_head.lines().filter(|l| !l.starts_with("*** START")).map(|l| format!("{l}\n")).collect();
                format!("{cut}{body}\n\n\n\nEnd of Project Gutenberg's {title}, by {author}\n{e3_tail}")
            }
        }
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Every era in every charset and line-end form: the matrix the cleaner must
/// turn back into each body (numbers from 900_000 up, so no fixture clashes).
pub fn matrix() -> Vec<Book> {
    let mut books = Vec::new();
    for (e, &era) in ERAS.iter().enumerate() {
        for (c, &charset) in CHARSETS.iter().enumerate() {
            for (l, &line_end) in LINE_ENDS.iter().enumerate() {
                let n = 900_000 + (e * 100 + c * 10 + l) as u32;
                books.push(Book::new(n, era, charset, line_end, 3 + (e + c + l) % 5));
            }
        }
    }
    books
}
