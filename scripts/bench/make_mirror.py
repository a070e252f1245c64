#!/usr/bin/env python3
"""Generate a synthetic Project Gutenberg mirror for the end-to-end benchmark.

Layout as on a real mirror: ebook N lives in a folder made of every digit of N
but the last, then N (418 -> 4/1/418/, 12345 -> 1/2/3/4/12345/, 7 -> 0/7/).
The folder holds N-0.txt (UTF-8), N-8.txt (Latin-1) or N.txt (ASCII); some
folders hold two of them (so the choice matters), and most an HTML subfolder
N-h/ that a client must ignore.

Sizes are log-normal (median about 300 KB, long tail to a few MB, capped),
ebook numbers are spread over 1..70000, and every text has a real-looking
Project Gutenberg header, START/END markers and licence. The output is fully
determined by --seed.

Besides the mirror it writes:
  manifest.csv      header FileNumber, one ebook a line, in random order (so
                    the first K rows are a random subset of K books)
  chosen.tsv        number, relative path of the file a client should pick, size
  urls-ftp.txt      the exact URL of each chosen file, over FTP
  urls-http.txt     the same over HTTP (aria2c -i)
"""
import argparse
import math
import os
import random

WORDS = (
    "the of and to in that was his he it with is for as had you not be her on at by which have or from "
    "this him but all she they were my are me one their so an said them we who would been will no when "
    "there if more out up into do any your what has man could other than our some very time upon about "
    "may its only now like little then can should made did us such great before must two these see know "
    "over much down after first mr good men own never most old shall day where those came come himself "
    "way work life without go make well through being long say might how am too even under new "
    "again many while last right place yet thought house world here same still hand every people eyes "
    "morning river garden letter captain country father mother window answered silence remember".split()
)
# Words that make a text non-ASCII; written as UTF-8 in N-0.txt and as
# Latin-1 in N-8.txt (all of them are in Latin-1).
ACCENTED = "café naïve façade déjà señor über Müller Zürich rôle élan garçon piñata crème fiancée".split()
TITLE_WORDS = (
    "Adventures Voyage History Memoirs Letters Poems Travels Journey Island Garden Secret Tales "
    "Kingdom River Mountain Castle Letters Life Times Legends Stories Sea North Old New Last".split()
)
NAMES = "Jane Thomas Mary Charles Emily Henry Anne William Louisa George Edith Martin".split()
SURNAMES = "Austen Hardy Shelley Dickens Bronte James Alcott Eliot Wharton Luther Twain Defoe".split()

LICENCE = (
    "Updated editions will replace the previous one--the old editions will be renamed.\n\n"
    "Creating the works from print editions not protected by U.S. copyright law means that no one owns "
    "a United States copyright in these works, so the Foundation (and you!) can copy and distribute it "
    "in the United States without permission and without paying copyright royalties. Special rules, set "
    "forth in the General Terms of Use part of this license, apply to copying and distributing Project "
    "Gutenberg electronic works to protect the PROJECT GUTENBERG concept and trademark.\n\n"
    "START: FULL LICENSE\n\n"
    "THE FULL PROJECT GUTENBERG LICENSE\nPLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK\n\n"
    "To protect the Project Gutenberg mission of promoting the free distribution of electronic works, "
    "by using or distributing this work (or any other work associated in any way with the phrase "
    "\"Project Gutenberg\"), you agree to comply with all the terms of the Full Project Gutenberg "
    "License available with this file or online at www.gutenberg.org/license.\n"
)


def folder_of(n):
    """4/1/418/ for 418, 0/7/ for 7: every digit but the last, then N."""
    digits = str(n)
    parts = list(digits[:-1]) if len(digits) > 1 else ["0"]
    return "/".join(parts + [digits]) + "/"


def make_paragraphs(rng, count, accented):
    """A pool of paragraphs to build bodies from: generating every word of a
    gigabyte of text in Python would take minutes, assembling pool items is fast."""
    pool = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(2, 9)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 13))]
            if accented and rng.random() < 0.3:
                words[rng.randrange(len(words))] = rng.choice(ACCENTED)
            lines.append(" ".join(words))
        text = "\r\n".join(lines)
        pool.append(text[0].upper() + text[1:] + ".")
    return pool


def title_of(rng):
    return "The " + " ".join(rng.sample(TITLE_WORDS, rng.randint(1, 3))) + " of " + rng.choice(SURNAMES)


def book_text(rng, n, size, pool, title, author):
    """A Project Gutenberg plain text of roughly `size` characters, CRLF line ends."""
    header = (
        f"The Project Gutenberg eBook of {title}\r\n\r\n"
        "This ebook is for the use of anyone anywhere in the United States and\r\n"
        "most other parts of the world at no cost and with almost no restrictions\r\n"
        "whatsoever. You may copy it, give it away or re-use it under the terms\r\n"
        "of the Project Gutenberg License included with this ebook or online\r\n"
        "at www.gutenberg.org.\r\n\r\n"
        f"Title: {title}\r\n\r\nAuthor: {author}\r\n\r\n"
        f"Release date: {rng.choice(['January', 'May', 'October'])} {rng.randint(1, 28)}, "
        f"{rng.randint(1994, 2023)} [eBook #{n}]\r\n\r\nLanguage: English\r\n\r\n"
        f"*** START OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\r\n\r\n\r\n"
    )
    footer = (
        f"\r\n\r\n*** END OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\r\n\r\n"
        + LICENCE.replace("\n", "\r\n")
    )
    body = [f"{title.upper()}\r\n\r\nBy {author}\r\n\r\n"]
    have = len(header) + len(footer) + len(body[0])
    chapter = 1
    while have < size:
        if rng.random() < 0.02:
            part = f"CHAPTER {chapter}\r\n\r\n"
            chapter += 1
        else:
            part = rng.choice(pool) + "\r\n\r\n"
        body.append(part)
        have += len(part)
    return header + "".join(body) + footer


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--books", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True, help="work dir: the mirror goes to OUT/mirror")
    ap.add_argument("--median-kb", type=float, default=300.0)
    ap.add_argument("--sigma", type=float, default=1.0, help="log-normal shape: 1.0 puts 1%% of books above 3 MB")
    ap.add_argument("--max-mb", type=float, default=8.0)
    ap.add_argument("--ftp-base", default="ftp://10.77.0.2:2121/")
    ap.add_argument("--http-base", default="http://10.77.0.2:8080/")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    mirror = os.path.join(a.out, "mirror")
    os.makedirs(mirror, exist_ok=True)
    pools = {"utf8": make_paragraphs(rng, 3000, True), "ascii": make_paragraphs(rng, 3000, False)}

    numbers = rng.sample(range(1, 70001), a.books)  # random order: any prefix is a random subset
    rows = []
    total = 0
    for n in numbers:
        size = min(int(rng.lognormvariate(math.log(a.median_kb * 1000), a.sigma)), int(a.max_mb * 1e6))
        size = max(size, 8000)
        roll = rng.random()
        # 60% UTF-8, 20% Latin-1, 20% ASCII: roughly today's Gutenberg mix.
        kind = "-0" if roll < 0.6 else "-8" if roll < 0.8 else ""
        title, author = title_of(rng), f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        folder = folder_of(n)
        os.makedirs(os.path.join(mirror, folder), exist_ok=True)

        def write(suffix, nbytes):
            name = f"{n}{suffix}.txt"
            text = book_text(rng, n, nbytes, pools["ascii" if suffix == "" else "utf8"], title, author)
            data = text.encode({"-0": "utf-8", "-8": "latin-1", "": "ascii"}[suffix])
            with open(os.path.join(mirror, folder, name), "wb") as f:
                f.write(data)
            return name, len(data)

        chosen, nbytes = write(kind, size)
        # About one folder in six also holds a worse encoding of the same
        # book, as many old Gutenberg folders do: the client must pick the best.
        if rng.random() < 0.17:
            worse = {"-0": ["-8", ""], "-8": [""], "": []}[kind]
            if worse:
                write(rng.choice(worse), size)
        # Superseded copies and HTML are there to be ignored.
        if rng.random() < 0.05:
            with open(os.path.join(mirror, folder, f"{n}.txt.2003{rng.randint(1, 12):02d}01"), "wb") as f:
                f.write(b"old copy\r\n")
        if rng.random() < 0.7:
            html = os.path.join(mirror, folder, f"{n}-h")
            os.makedirs(os.path.join(html, "images"), exist_ok=True)
            with open(os.path.join(html, f"{n}-h.htm"), "w", encoding="utf-8") as f:
                f.write(f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n")
        rows.append((n, folder + chosen, nbytes))
        total += nbytes

    with open(os.path.join(a.out, "manifest.csv"), "w") as f:
        f.write("FileNumber\n" + "".join(f"{n}\n" for n, _, _ in rows))
    with open(os.path.join(a.out, "chosen.tsv"), "w") as f:
        f.write("".join(f"{n}\t{path}\t{size}\n" for n, path, size in rows))
    for base, name in ((a.ftp_base, "urls-ftp.txt"), (a.http_base, "urls-http.txt")):
        with open(os.path.join(a.out, name), "w") as f:
            f.write("".join(f"{base}{path}\n" for _, path, _ in rows))
    sizes = sorted(s for _, _, s in rows)
    print(f"mirror: {len(rows)} books, {total / 1e6:.1f} MB chosen files, "
          f"median {sizes[len(sizes) // 2] / 1e3:.0f} KB, max {sizes[-1] / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
