#!/usr/bin/env python3
"""Change one book in ten on the bench's mirror, and put the originals back.

usage: change_books.py change MIRROR CHOSEN_TSV ASIDE [--every K]
       change_books.py restore MIRROR ASIDE

`change` takes every K-th book of CHOSEN_TSV (default 10, so 20 of 200) and
replaces its chosen file on the mirror with a corrected edition: a note
inserted after the START marker, so both the content and the size change
(ASCII, valid in every encoding the mirror uses). The original is moved (not
copied, so it keeps its modification time) to ASIDE/original/PATH and the
changed copy is kept as ASIDE/changed/PATH for checking what a client
fetched; ASIDE/changed.tsv lists number, path, old size, new size.

`restore` moves the originals back over the changed files, with their own
modification times: a mirror restored this way is, to a client, the mirror
before the change (same size, date and so HTTP ETag).
"""
import argparse
import os
import shutil

NOTE = (b"[Corrected edition: the bench changed this file to stand for a fixed\r\n"
        b"text regenerated upstream; its size and content differ from the copy first taken.]\r\n\r\n")
MARKER = b"*** START OF THE PROJECT GUTENBERG EBOOK"


def change(mirror, chosen, aside, every):
    rows = []
    with open(chosen) as f:
        for i, line in enumerate(f, 1):
            if i % every == 0:
                n, path, _ = line.rstrip("\n").split("\t")
                rows.append((n, path))
    if os.path.exists(os.path.join(aside, "changed.tsv")):
        raise SystemExit(f"change_books: {aside} already holds a change; restore it first")
    listed = []
    for n, path in rows:
        live = os.path.join(mirror, path)
        original = os.path.join(aside, "original", path)
        changed = os.path.join(aside, "changed", path)
        with open(live, "rb") as f:
            data = f.read()
        start = data.find(MARKER)
        if start < 0:
            raise SystemExit(f"change_books: no START marker in {live}")
        cut = data.index(b"\r\n", start) + 2
        new = data[:cut] + b"\r\n" + NOTE + data[cut:]
        os.makedirs(os.path.dirname(original), exist_ok=True)
        os.makedirs(os.path.dirname(changed), exist_ok=True)
        os.rename(live, original)
        for target in (changed, live):
            with open(target, "wb") as f:
                f.write(new)
        listed.append(f"{n}\t{path}\t{len(data)}\t{len(new)}\n")
    with open(os.path.join(aside, "changed.tsv"), "w") as f:
        f.write("".join(listed))
    print(f"changed {len(listed)} books on the mirror (every {every}th of {chosen})")


def restore(mirror, aside):
    listing = os.path.join(aside, "changed.tsv")
    with open(listing) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    for _, path, _, _ in rows:
        os.replace(os.path.join(aside, "original", path), os.path.join(mirror, path))
    shutil.rmtree(os.path.join(aside, "original"))
    os.remove(listing)
    print(f"restored {len(rows)} books on the mirror")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("change")
    c.add_argument("mirror")
    c.add_argument("chosen")
    c.add_argument("aside")
    c.add_argument("--every", type=int, default=10)
    r = sub.add_parser("restore")
    r.add_argument("mirror")
    r.add_argument("aside")
    a = ap.parse_args()
    if a.what == "change":
        change(a.mirror, a.chosen, a.aside, a.every)
    else:
        restore(a.mirror, a.aside)


if __name__ == "__main__":
    main()
