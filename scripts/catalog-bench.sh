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
#    (Without filters the dry run keeps every row: it prints its plan whole
#    at the end, so its memory follows the books kept, which is shown too.)
# 2. Export: an output folder of every text in /work/shared/corpus (fetched
#    from a file:// mirror made of them) written as JSONL, compared with
#    `cat` of the same clean texts into a file on the same disk, and of the
#    clean texts and raw copies (export reads both: the raw for its sha256).
#
# Usage: scripts/catalog-bench.sh   (prints the figures; leaves nothing behind)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=$PWD/target/release/gutenfetch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
measure() { # label command...
    /usr/bin/time -f "$1: %e s wall, %M KiB peak RSS" "${@:2}" >/dev/null 2>"$work/time" || true
    tail -n 1 "$work/time"
}

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

echo "== export: the corpus's texts as JSONL, against cat of the same clean texts"
corpus=/work/shared/corpus
mirror=$work/mirror
folder_of() { # ebook → its folder on a mirror (418 → 4/1/418, 7 → 0/7)
    local d=$1 f=""
    [ ${#d} -eq 1 ] && f="0/"
    for ((j = 0; j < ${#d} - 1; j++)); do f="$f${d:$j:1}/"; done
    echo "$f$d"
}
printf 'FileNumber\n' >"$work/corpus.csv"
n=0
for text in "$corpus"/pg*.txt; do
    n=$((n + 1))
    mkdir -p "$mirror/$(folder_of $n)"
    cp "$text" "$mirror/$(folder_of $n)/$n-0.txt"
    echo "$n" >>"$work/corpus.csv"
done
"$bin" -q --manifest "$work/corpus.csv" --mirror "file://$mirror" --out "$work/corpus" >/dev/null || true
bytes=$(cat "$work"/corpus/*.txt | wc -c)
echo "$n books, $bytes bytes of clean text, $(cat "$work"/corpus/raw/* | wc -c) bytes raw"
sync
for round in 1 2 3; do
    measure "round $round: cat of the clean texts" sh -c "cat '$work'/corpus/*.txt > '$work/cat.out'"
    measure "round $round: cat of the clean texts and raw copies" \
        sh -c "cat '$work'/corpus/*.txt '$work'/corpus/raw/* > '$work/cat.out'"
    measure "round $round: export --jsonl" "$bin" -q export "$work/corpus" --jsonl "$work/corpus.jsonl"
done
echo "dataset: $(wc -c <"$work/corpus.jsonl") bytes, $(wc -l <"$work/corpus.jsonl") lines"
