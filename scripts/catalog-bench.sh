#!/usr/bin/env bash
# Benchmark of issue 18 (release binary, loopback and local files only):
#
# 1. Catalog selection: a pg_catalog.csv of 7,500 and of 75,000 rows with the
#    real column set is read, filtered and planned. "Planned" is a whole
#    `--dry-run` against a file:// mirror that holds none of the books: every
#    row is read twice (survey, then the books), every filter applied, and
#    each book kept is located on the mirror (a folder lookup that finds
#    nothing) and printed. The filters keep the same books (28) at both
#    sizes, so peak RSS shows whether memory follows the catalog's size.
#    Without filters every row is kept and planned; the dry run prints each
#    book as it is found and keeps only counts, so its memory stays flat too.
# 2. Export: an output folder of every text in /work/shared/corpus (fetched
#    from a file:// mirror made of them) written as JSONL, against the same
#    bytes moved by `cat`: export reads each clean text (escaped, counted,
#    written) and its raw copy (for the sha256), so the yardstick is `cat`
#    of the clean texts and raw copies into a file on the same disk. Every
#    command overwrites its output of the previous run, as a nightly export
#    does (on ext4 replacing a file flushes the new one: both pay it). The
#    SHA-256 of the raw copies alone (openssl, SHA-NI where the CPU has it)
#    is shown as the floor hashing sets. With hyperfine installed the
#    figures are its means over 30 runs, else three rounds of /usr/bin/time.
#    The machine's load is printed before and after: on a shared machine,
#    compare figures of one run of the script, not across runs.
#
# Usage: scripts/catalog-bench.sh [catalog|export]
#   (both parts by default; prints the figures; leaves nothing behind)
set -euo pipefail
part=${1:-all}
case $part in all | catalog | export) ;; *) echo "usage: $0 [catalog|export]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=$PWD/target/release/gutenfetch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label command...
    /usr/bin/time -f "$1: %e s wall, %M KiB peak RSS" "${@:2}" >/dev/null 2>"$work/time" || true
    tail -n 1 "$work/time"
}

catalog_part() {
    python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
langs = ["en"] * 12 + ["de", "fr", "fi", "nl", "it", "es", "pt", "en; fr", "en; la"]
shelves = ["Children's Literature", "Science Fiction", "Poetry", "Best Books Ever Listings", ""]
for rows in (7500, 75000):
    rng = random.Random(18)
    with open(f"{work}/catalog-{rows}.csv", "w", encoding="utf-8") as f:
        f.write("Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves\n")
        for n in range(1, rows + 1):
            kind = "Sound" if n % 97 == 0 else "Text"
            # 40 books, the same at either size, are by "Marker, Bench".
            author = "Marker, Bench, 1800-1870" if n <= 4000 and n % 100 == 0 else \
                f"Author{rng.randrange(20000)}, Given, {1500 + rng.randrange(400)}-{1900 + rng.randrange(120)}"
            title = f"\"A Title, Volume {n}\nWith a Second Line\"" if n % 50 == 0 else f"Title of book {n}"
            subjects = f"\"Subject {rng.randrange(5000)} -- Fiction; Topic {rng.randrange(900)}\""
            f.write(f"{n},{kind},{1971 + n % 55}-{1 + n % 12:02}-{1 + n % 28:02},{title},{rng.choice(langs)},"
                    f"\"{author}\",{subjects},PR; PZ,\"{rng.choice(shelves)}\"\n")
PY
    mkdir -p "$work/empty"
    echo "== catalog: read, filter and plan (--dry-run, file:// mirror holding none of the books)"
    for rows in 7500 75000; do
        cat=$work/catalog-$rows.csv
        measure "$rows rows, --author marker --language en --issued 1971..2030 --subject fiction" \
            "$bin" --manifest "$cat" --mirror "file://$work/empty" --out "$work/out" --dry-run \
            --author marker --language en --issued 1971..2030 --subject fiction
        measure "$rows rows, no filter (every book planned and printed)" \
            "$bin" --manifest "$cat" --mirror "file://$work/empty" --out "$work/out" --dry-run
    done
    "$bin" --manifest "$work/catalog-75000.csv" --mirror "file://$work/empty" --out "$work/out" --dry-run \
        --author marker --language en --issued 1971..2030 --subject fiction | head -5 || true
}

export_part() {
    echo "== export: the corpus's texts as JSONL, against cat of the bytes it reads"
    local corpus=/work/shared/corpus mirror=$work/mirror n=0 text folder
    printf 'FileNumber\n' >"$work/corpus.csv"
    for text in "$corpus"/pg*.txt; do
        n=$((n + 1))
        folder=$mirror/$(folder_of $n)
        mkdir -p "$folder"
        cp "$text" "$folder/$n-0.txt"
        echo "$n" >>"$work/corpus.csv"
    done
    "$bin" -q --manifest "$work/corpus.csv" --mirror "file://$mirror" --out "$work/corpus" >/dev/null || true
    echo "$n books: $(cat "$work"/corpus/*.txt | wc -c) bytes of clean text, $(cat "$work"/corpus/raw/* | wc -c) raw"
    local export="$bin -q export $work/corpus --jsonl $work/corpus.jsonl"
    local cat_both="sh -c 'cat $work/corpus/*.txt $work/corpus/raw/* > $work/cat.out'"
    local cat_clean="sh -c 'cat $work/corpus/*.txt > $work/cat.out'"
    local hash="sh -c 'openssl dgst -sha256 $work/corpus/raw/* > /dev/null'"
    sync
    echo "load: $(uptime)"
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style basic -w 3 -r 30 -n "export --jsonl" "$export" -n "cat of the clean texts and raw copies" \
            "$cat_both" -n "cat of the clean texts" "$cat_clean" -n "sha256 of the raw copies (openssl)" "$hash" |
            grep -E '^(Benchmark|  Time|  Range)'
    else
        for round in 1 2 3; do
            measure "round $round: export --jsonl" sh -c "$export"
            measure "round $round: cat of the clean texts and raw copies" sh -c "$cat_both"
            measure "round $round: cat of the clean texts" sh -c "$cat_clean"
        done
    fi
    echo "load: $(uptime)"
    echo "dataset: $(wc -c <"$work/corpus.jsonl") bytes, $(wc -l <"$work/corpus.jsonl") lines"
}

folder_of() { # ebook → its folder on a mirror (418 → 4/1/418, 7 → 0/7)
    local d=$1 f=""
    [ ${#d} -eq 1 ] && f="0/"
    for ((j = 0; j < ${#d} - 1; j++)); do f="$f${d:$j:1}/"; done
    echo "$f$d"
}

if [ "$part" != export ]; then catalog_part; fi
if [ "$part" != catalog ]; then export_part; fi
