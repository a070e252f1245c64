#!/usr/bin/env bash
# Smoke run with real daemons: serve the fixture mirror with vsftpd and with
# nginx (folder listings on, and off) from Debian, on loopback only; run the
# release binary against each and against file://; check the outputs are
# complete, byte for byte what the mirror holds, and identical across all
# four; then run every command of README.md's sh blocks; stop the daemons
# this script started, by PID.
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
gutenfetch=$repo/target/release/gutenfetch

# The daemons drop privileges: give them a world-readable copy of the mirror.
chmod 755 "$work"
cp -r tests/fixtures/mirror "$work/mirror"
# The default manifest's Luther books beyond 418 are not in the corpus: for the
# README's main job, stand-in texts from the corpus sit under their numbers.
place() { # ebook file-name corpus-file
    local n=$1 dir=""
    for ((i = 0; i < ${#n} - 1; i++)); do dir="$dir${n:$i:1}/"; done
    mkdir -p "$work/mirror/$dir$n"
    cp "tests/fixtures/corpus/$3" "$work/mirror/$dir$n/$2"
}
place 1670 1670-0.txt pg1080.txt
place 16797 16797.txt pg10509.txt
place 38544 38544-8.txt pg24675.txt
place 53499 53499-0.txt pg69030.txt
chmod -R a+rX "$work/mirror"
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

# Every book of the manifest has a clean text and a raw copy equal to the mirror's file.
books=$(tail -n +2 tests/fixtures/manifest.csv | cut -d, -f2 | grep -cE '^[0-9]+$')
clean=$(find "$work/out-file" -maxdepth 1 -name '*.txt' | wc -l)
[ "$clean" -eq "$books" ] || die "file: $clean clean texts for $books books"
for raw in "$work"/out-file/raw/*; do
    name=$(basename "$raw")
    matches=$(find "$work/mirror" -name "$name" -not -path '*/cache/*' | wc -l)
    [ "$matches" -eq 1 ] || die "raw/$name matches $matches mirror files"
    cmp -s "$raw" "$(find "$work/mirror" -name "$name" -not -path '*/cache/*')" || die "raw/$name differs from the mirror"
done

for other in vsftpd nginx-autoindex-on nginx-autoindex-off; do
    diff -r --exclude=gutenfetch-report.json "$work/out-file" "$work/out-$other" >/dev/null \
        || die "$other output differs from file://"
done
log "all four runs wrote the same $books books, byte for byte"

# Every command in README.md's sh blocks, as written, in a scratch copy of the
# project, with the public mirror replaced by the local nginx.
run_readme_commands() {
    local scratch=$work/readme
    mkdir -p "$scratch"
    git ls-files -z | xargs -0 cp --parents -t "$scratch"
    # The catalog the README's pg_catalog.csv example reads.
    cat >"$scratch/pg_catalog.csv" <<'CSV'
Text#,Type,Issued,Title,Language,Authors,Subjects,LoCC,Bookshelves
22367,Text,2007-08-01,Die Verwandlung,de,"Kafka, Franz, 1883-1924",Metamorphosis -- Fiction,PT,
43,Text,1992-10-01,The Strange Case of Dr. Jekyll and Mr. Hyde,en,"Stevenson, Robert Louis, 1850-1894",,PR,
10000,Sound,2003-11-01,An Audio Book,de,Someone,,,
CSV
    local n=0
    while IFS= read -r line; do
        case "$line" in
            "" | "cargo test") continue ;; # .ci/run has run the tests
        esac
        line=${line//127.0.0.1:2121/127.0.0.1:$ftp_port}
        n=$((n + 1))
        if ! (cd "$scratch" && GUTENFETCH_MIRROR="http://127.0.0.1:$http_on/" CARGO_TARGET_DIR="$repo/target" \
            PATH="$HOME/.cargo/bin:$PATH" bash -c "$line" >"$work/readme-$n.log" 2>&1); then
            cat "$work/readme-$n.log" >&2
            die "README command failed: $line"
        fi
        log "README: ok: $line"
    done < <(awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' README.md)
    [ "$n" -ge 5 ] || die "found only $n README commands"
}
run_readme_commands
log "ok"
