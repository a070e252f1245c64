#!/usr/bin/env bash
# Smoke run with real daemons: serve the fixture mirror with vsftpd and with
# nginx (folder listings on, and off) from Debian, on loopback only; run the
# release binary against each and against file://; check the outputs are
# complete and correct (raw copies byte for byte what the mirror holds, clean
# texts equal to the bodies the fixture generator wrote, no Gutenberg marker
# left) and identical across all four; then run every command of README.md's
# sh blocks and its cron line, in a scratch copy of the project, with
# `cargo install` going to a scratch root; check the repository was left as
# it was; stop the daemons this script started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

log() { printf 'smoke: %s\n' "$*"; }
die() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }

install_daemons() {
    local missing=()
    command -v vsftpd >/dev/null || [ -x /usr/sbin/vsftpd ] || missing+=(vsftpd)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    export PATH="$PATH:/usr/sbin"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1 (a daemon has no other way to say it is ready).
wait_for_port() {
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "nothing listens on port $1"
}

# What the repository holds besides target/, to check nothing is left in it.
repo_files() { git status --porcelain --untracked-files=all --ignored | grep -v '^!! target/' || true; }
repo_before=$(repo_files)

pids=()
work=$(mktemp -d /tmp/gutenfetch-smoke.XXXXXX)
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

install_daemons
cargo build --release --locked --quiet
cargo build --locked --quiet --example fixture_mirror
gutenfetch=$repo/target/release/gutenfetch
generator=${CARGO_TARGET_DIR:-$repo/target}/debug/examples/fixture_mirror

# The daemons drop privileges: give them a world-readable copy of the mirror.
chmod 755 "$work"
cp -r tests/fixtures/mirror "$work/mirror"
# The default manifest's Luther books beyond 418 are not in the fixture mirror:
# for the README's main job, synthetic stand-ins sit under their numbers.
stand_ins=(1670 16797 38544 53499)
place() { # ebook file-name
    local n=$1 dir=""
    for ((i = 0; i < ${#n} - 1; i++)); do dir="$dir${n:$i:1}/"; done
    mkdir -p "$work/mirror/$dir$n"
    "$generator" --stand-in "$n" "$work/mirror/$dir$n/$2"
}
place 1670 1670-0.txt
place 16797 16797.txt
place 38544 38544-8.txt
place 53499 53499-0.txt
chmod -R a+rX "$work/mirror"
# The clean text of every book, as the generator wrote its body.
expected=$work/expected
"$generator" --expected "$expected" "${stand_ins[@]}"
mkdir -p "$work/empty"

ftp_port=$(free_port); http_on=$(free_port); http_off=$(free_port)

cat >"$work/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=$ftp_port
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$work/mirror
local_enable=NO
write_enable=NO
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=40000
pasv_max_port=40999
seccomp_sandbox=NO
secure_chroot_dir=$work/empty
vsftpd_log_file=$work/vsftpd.log
max_clients=200
max_per_ip=100
CONF

cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/nginx-body;
    proxy_temp_path $work/nginx-proxy;
    fastcgi_temp_path $work/nginx-fastcgi;
    uwsgi_temp_path $work/nginx-uwsgi;
    scgi_temp_path $work/nginx-scgi;
    types { text/plain txt; application/zip zip; text/html htm html; }
    default_type application/octet-stream;
    server { listen 127.0.0.1:$http_on;  root $work/mirror; autoindex on; }
    server { listen 127.0.0.1:$http_off; root $work/mirror; autoindex off; }
}
CONF

vsftpd "$work/vsftpd.conf" & pids+=($!)
nginx -c "$work/nginx.conf" & pids+=($!)
wait_for_port "$ftp_port"; wait_for_port "$http_on"; wait_for_port "$http_off"
log "vsftpd on port $ftp_port, nginx on $http_on (autoindex on) and $http_off (autoindex off)"

run() { # name mirror-url
    local out=$work/out-$1
    if ! "$gutenfetch" --quiet --manifest tests/fixtures/manifest.csv --out "$out" --mirror "$2" >"$work/$1.log" 2>&1; then
        cat "$work/$1.log" >&2
        die "$1: gutenfetch did not exit 0"
    fi
    log "$1: $(grep -E '^  fetched' "$work/$1.log" | tr -s ' ')"
}
run vsftpd "ftp://127.0.0.1:$ftp_port/"
run nginx-autoindex-on "http://127.0.0.1:$http_on/"
run nginx-autoindex-off "http://127.0.0.1:$http_off/"
run file "file://$work/mirror/"

# Checks an output folder: every raw copy is a mirror file byte for byte, each
# has its clean text, that text equals the body the generator wrote and keeps
# no Gutenberg START/END or Small Print line; the folder holds $2 books.
check_output() { # out-folder expected-books
    local out=$1 raw name n matches checked=0 clean
    clean=$(find "$out" -maxdepth 1 -name '*.txt' | wc -l)
    [ "$clean" -eq "$2" ] || die "$out: $clean clean texts for $2 books"
    for raw in "$out"/raw/*; do
        name=$(basename "$raw")
        matches=$(find "$work/mirror" -name "$name" -not -path '*/cache/*' | wc -l)
        [ "$matches" -eq 1 ] || die "raw/$name matches $matches mirror files"
        cmp -s "$raw" "$(find "$work/mirror" -name "$name" -not -path '*/cache/*')" || die "raw/$name differs from the mirror"
        n=${name%%[-.]*}
        [ -f "$out/$n.txt" ] || die "$out: raw/$name has no clean text $n.txt"
        if grep -Eiq '^[[:space:]]*\*+ ?(START|END)[: ]+OF (THE|THIS) PROJECT GUTENBERG|\*END\*THE SMALL PRINT' "$out/$n.txt"; then
            die "$out/$n.txt still holds a Gutenberg marker line"
        fi
        [ -f "$expected/$n.txt" ] || die "$out: the generator wrote no book $n"
        cmp -s "$out/$n.txt" "$expected/$n.txt" || die "$out/$n.txt differs from the body the generator wrote"
        checked=$((checked + 1))
    done
    log "$(basename "$out"): $2 books, $checked equal to the bodies the generator wrote, no marker line left"
    [ "$checked" -eq "$2" ] || die "$out: only $checked of $2 books were checked against their body"
}

# Every book of the manifest has a clean text and a raw copy equal to the mirror's file.
books=$(tail -n +2 tests/fixtures/manifest.csv | cut -d, -f2 | grep -cE '^[0-9]+$')
check_output "$work/out-file" "$books"

for other in vsftpd nginx-autoindex-on nginx-autoindex-off; do
    diff -r --exclude=gutenfetch-report.json --exclude=gutenfetch-runs.jsonl --exclude=provenance \
        "$work/out-file" "$work/out-$other" >/dev/null || die "$other output differs from file://"
done
log "all four runs wrote the same $books books, byte for byte"

# --update against the real servers: nothing changed, then one book's file
# changed in place (same size, another date), then put back.
update_all() { # expected-updated expected-unchanged
    local name summary
    for name in vsftpd nginx-autoindex-on nginx-autoindex-off file; do
        case $name in
            vsftpd) url="ftp://127.0.0.1:$ftp_port/" ;;
            nginx-autoindex-on) url="http://127.0.0.1:$http_on/" ;;
            nginx-autoindex-off) url="http://127.0.0.1:$http_off/" ;;
            file) url="file://$work/mirror/" ;;
        esac
        "$gutenfetch" --quiet --update --manifest tests/fixtures/manifest.csv --out "$work/out-$name" --mirror "$url" \
            >"$work/update-$name.log" 2>&1 || { cat "$work/update-$name.log" >&2; die "$name: --update did not exit 0"; }
        summary=$(tr -d ' \n' <"$work/out-$name/gutenfetch-report.json")
        [[ $summary == *"\"updated\":$1,"* && $summary == *"\"unchanged\":$2,"* ]] \
            || die "$name: --update: expected $1 updated and $2 unchanged: $(grep -E 'updated|unchanged' "$work/update-$name.log")"
    done
}
update_all 0 "$books"
changed_raw=$(find "$work/out-file/raw" -name '*-0.txt' | head -1)
changed=$(find "$work/mirror" -name "$(basename "$changed_raw")" -not -path '*/cache/*')
cp -p "$changed" "$work/original-book"
sed -i '0,/e/s//E/' "$changed"
touch -d '-2 hours' "$changed"
cmp -s "$changed" "$work/original-book" && die "the book to change for --update did not change"
update_all 1 $((books - 1))
cmp -s "$changed" "$work/out-vsftpd/raw/$(basename "$changed")" || die "--update did not fetch the changed file over FTP"
cp -p "$work/original-book" "$changed"
update_all 1 $((books - 1))
log "--update over vsftpd, nginx (autoindex on and off) and file://: $books unchanged, then 1 changed fetched again, then put back"

# Every command in README.md's sh blocks, as written, in a scratch copy of the
# project, with the public mirror replaced by the local nginx and `cargo
# install` going to a scratch root (its bin/ first on PATH, so the commands
# after it run the installed binary); then the README's cron line, minus the
# schedule, twice, as two nights would.
scratch=$work/readme
install_root=$work/cargo-root
in_scratch() { # command-line log-name
    (cd "$scratch" && GUTENFETCH_MIRROR="http://127.0.0.1:$http_on/" CARGO_TARGET_DIR="$repo/target" \
        CARGO_INSTALL_ROOT="$install_root" PATH="$install_root/bin:$PATH" bash -c "$1" >"$work/$2.log" 2>&1)
}

run_readme_commands() {
    mkdir -p "$scratch"
    git ls-files -z | xargs -0 cp --parents -t "$scratch"
    # The catalog the README's pg_catalog.csv example reads.
    cat >"$scratch/pg_catalog.csv" <<'CSV'
Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves
22367,Text,2007-08-01,Die Verwandlung,de,"Kafka, Franz, 1883-1924",Metamorphosis -- Fiction,PT,
43,Text,1992-10-01,The Strange Case of Dr. Jekyll and Mr. Hyde,en,"Stevenson, Robert Louis, 1850-1894",,PR,
10000,Sound,2003-11-01,An Audio Book,de,Someone,,,
CSV
    # The same catalog where mirrors keep it, for the README's `gutenfetch catalog`.
    mkdir -p "$work/mirror/cache/epub/feeds"
    cp "$scratch/pg_catalog.csv" "$work/mirror/cache/epub/feeds/pg_catalog.csv"
    chmod -R a+rX "$work/mirror/cache"
    local n=0
    while IFS= read -r line; do
        case "$line" in
            "" | "cargo test") continue ;; # .ci/run has run the tests
        esac
        line=${line//127.0.0.1:2121/127.0.0.1:$ftp_port}
        n=$((n + 1))
        if ! in_scratch "$line" "readme-$n"; then
            cat "$work/readme-$n.log" >&2
            die "README command failed: $line"
        fi
        log "README: ok: $line"
    done < <(awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' README.md)
    [ "$n" -ge 7 ] || die "found only $n README commands"
    [ -x "$install_root/bin/gutenfetch" ] || die "cargo install did not install into $install_root"

    # What the README's commands wrote: the main job and the offline run share
    # downloads/ (the default manifest's books and the fixture manifest's), the
    # CI smoke run wrote smoke/, strip wrote clean/.
    local both
    both=$(tail -q -n +2 ingest_file/Gutenberg_files.csv tests/fixtures/manifest.csv | cut -d, -f2 | sort -u | grep -cE '^[0-9]+$')
    check_output "$scratch/downloads" "$both"
    check_output "$scratch/smoke" "$books"
    cmp -s "$scratch/clean/1342-0.txt" "$expected/1342.txt" || die "strip: clean/1342-0.txt is not the body of book 1342"
}
run_readme_commands

# The cron line (a `text` block: a crontab entry, not a shell command): its
# command, minus the schedule, run from a scratch folder standing in for its
# `cd` target, with books.csv there; the second night finds everything done.
run_cron_line() { # entry kind
    local command night dir=$work/cron-$2 second
    command=$(printf '%s\n' "$1" | sed -E 's/^([^[:space:]]+[[:space:]]+){5}//')
    [[ $command == "cd "* ]] || die "the cron line's command should start with cd: $command"
    mkdir -p "$dir"
    cp tests/fixtures/manifest.csv "$dir/books.csv"
    command=$(printf '%s\n' "$command" | sed -E "s#^cd [^[:space:]]+#cd $dir#")
    for night in 1 2; do
        in_scratch "$command" "cron-$2-$night" || die "cron line, night $night, did not exit 0: $command"
        grep -q '"failed": 0' "$dir/corpus/gutenfetch-report.json" || die "cron line, night $night: failures"
    done
    second=skipped
    [ "$2" = update ] && second=unchanged
    grep -q "\"$second\": $books" "$dir/corpus/gutenfetch-report.json" || die "cron line: the second night fetched again"
    if grep -q $'\e' "$dir/gutenfetch.log"; then die "cron line: control codes in gutenfetch.log"; fi
    check_output "$dir/corpus" "$books"
    log "cron line: ok twice (the second night: all $books books $second): $command"
}
cron_entries=$(awk '/^```text$/ { on = 1; next } /^```/ { on = 0 } on && /^[0-9*@]/' README.md)
[ "$(printf '%s\n' "$cron_entries" | grep -c .)" -eq 2 ] \
    || die "expected two cron lines in README.md (a fetch, an --update), found: $cron_entries"
while IFS= read -r entry; do
    if [[ $entry == *--update* ]]; then run_cron_line "$entry" update; else run_cron_line "$entry" fetch; fi
done <<<"$cron_entries"

[ "$(repo_files)" = "$repo_before" ] || die "the smoke run left files in the repository: $(diff <(echo "$repo_before") <(repo_files))"
log "ok"
