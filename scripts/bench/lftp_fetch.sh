#!/usr/bin/env bash
# lftp's side of the FTP benchmark: fetch the books of a manifest from a
# Gutenberg-layout mirror the way gutenfetch does, discovering each book's file.
#
# usage: lftp_fetch.sh MANIFEST.csv FTP_URL OUT_DIR JOBS
#
# Like gutenfetch, lftp is given only ebook numbers: it lists each book's folder
# (NLST, one per book, JOBS at a time on JOBS connections), the best file is
# picked by gutenfetch's rule (N-0.txt, then N-8.txt, then N.txt), and lftp
# downloads the picked files JOBS at a time (mget -P). So lftp does the same
# protocol work per book as gutenfetch: one listing and one RETR.
#
# Tuned for lftp's best chance: no SIZE/MDTM before each RETR (gutenfetch
# sends neither), and ftp:sync-mode off so that lftp pipelines its commands
# (PASV and RETR in one flight), which gutenfetch does not do.
#
# Two lftp processes, not one: lftp has no way to hand the listings of
# parallel jobs to a later command reliably (output of `nlist > file &` is
# not all flushed at `wait all`), so the pick happens between them. That
# costs lftp one extra login round (about 5 round trips), ~3% at 200 books.
set -euo pipefail

manifest=$1 url=$2 out=$3 jobs=$4
mkdir -p "$out"

settings="set ftp:use-size off; set ftp:use-mdtm off; set ftp:sync-mode off;
set net:connection-limit $jobs; set cmd:queue-parallel $jobs; set xfer:clobber on;
set net:max-retries 2; set net:timeout 30"

# Gutenberg layout: every digit but the last, then N (418 -> 4/1/418/, 7 -> 0/7/).
folders=$(awk -F, 'NR > 1 && $1 ~ /^[0-9]+$/ {
    n = $1; path = ""
    if (length(n) == 1) path = "0/"
    else for (i = 1; i < length(n); i++) path = path substr(n, i, 1) "/"
    print path n "/"
}' "$manifest")

# Phase 1: list every folder, JOBS at a time. NLST with a path answers full paths.
listing=$(
    {
        echo "$settings"
        echo "open $url"
        for folder in $folders; do echo "queue nlist $folder"; done
        echo "wait all"
    } | lftp
)

# Pick the best plain text in each folder, as gutenfetch does.
picked=$(awk '{
    n = split($0, part, "/"); if (n < 2) next
    book = part[n - 1]; name = part[n]
    rank = (name == book "-0.txt") ? 0 : (name == book "-8.txt") ? 1 : (name == book ".txt") ? 2 : -1
    if (rank >= 0 && (!(book in best) || rank < best[book])) { best[book] = rank; file[book] = $0 }
} END { for (b in file) print file[b] }' <<<"$listing")

want=$(wc -w <<<"$folders")
have=$(wc -w <<<"$picked")
if ((have != want)); then
    echo "lftp_fetch: found a text in $have of $want folders" >&2
    exit 1
fi

# Phase 2: download the picked files, JOBS at a time.
{
    echo "$settings"
    echo "open $url"
    # shellcheck disable=SC2086 # one word per file, on purpose
    echo "mget -P $jobs -O $out" $picked
} | lftp
