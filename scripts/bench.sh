#!/usr/bin/env bash
# End-to-end benchmark of gutenfetch against lftp (FTP) and aria2c (HTTP).
#
# One run: generate a synthetic Gutenberg mirror, serve it with vsftpd and
# nginx inside a network namespace of our own behind an added round-trip delay,
# time every tool several times, compute the round-trip lower bound of the FTP
# run, measure gutenfetch's peak RSS for 100 and 1000 books, time and count
# `--update` passes (nothing changed, one book in ten changed), and print a
# markdown table (also written to target/bench/ with the raw JSON).
#
# Needs root (network namespace, TUN devices, servers). Network rule: clients
# talk only to 10.77.0.2 (the namespace made here) and loopback; nothing else.
# See scripts/bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bash scripts/bench.sh [options]
  --books N      books in the timed runs (default 200)
  --runs K       timed runs per tool (default 5)
  --rtt-ms MS    round-trip delay added between client and servers (default 20)
  --jobs J       concurrent transfers for every tool (default 16)
  --seed S       mirror generator seed (default 7)
  --skip-memory  skip the peak-RSS runs (100 vs 1000 books)
  --skip-update  skip the --update passes
  --update-only  only gutenfetch: its fresh fetch (the baseline) and the --update passes
  --keep         keep the work dir (mirror, configs, logs, outputs)
EOF
}

BOOKS=200
RUNS=5
RTT_MS=20
JOBS=16
SEED=7
SKIP_MEMORY=0
SKIP_UPDATE=0
UPDATE_ONLY=0
KEEP=0
MEMORY_BOOKS=(100 1000)
MEMORY_RUNS=3

parse_args() {
    while (($#)); do
        case $1 in
            --books) BOOKS=$2; shift 2 ;;
            --runs) RUNS=$2; shift 2 ;;
            --rtt-ms) RTT_MS=$2; shift 2 ;;
            --jobs) JOBS=$2; shift 2 ;;
            --seed) SEED=$2; shift 2 ;;
            --skip-memory) SKIP_MEMORY=1; shift ;;
            --skip-update) SKIP_UPDATE=1; shift ;;
            --update-only) UPDATE_ONLY=1; SKIP_MEMORY=1; shift ;;
            --keep) KEEP=1; shift ;;
            -h | --help) usage; exit 0 ;;
            *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
        esac
    done
    for value in "$BOOKS" "$RUNS" "$RTT_MS" "$JOBS" "$SEED"; do
        [[ $value =~ ^[0-9]+$ ]] || { echo "bench: not a whole number: $value" >&2; exit 2; }
    done
    ((BOOKS >= 1 && RUNS >= 2 && JOBS >= 1)) || { echo "bench: need --books >= 1, --runs >= 2, --jobs >= 1" >&2; exit 2; }
    ((!(SKIP_UPDATE && UPDATE_ONLY))) || { echo "bench: --skip-update and --update-only exclude each other" >&2; exit 2; }
}

REPO=$(cd "$(dirname "$0")/.." && pwd)
HELPERS=$REPO/scripts/bench
# shellcheck source=bench/update.sh
source "$HELPERS/update.sh"
# GUTENFETCH_BIN=path times another build (say, main's, for a before/after); none is built then.
GUTENFETCH=${GUTENFETCH_BIN:-$REPO/target/release/gutenfetch}
RESULTS=$REPO/target/bench

# The namespace and the addresses netdelay.py gives the two ends of the link.
NS=gfbench
SERVER_IP=10.77.0.2
CLIENT_IF=gfc0
FTP_PORT=2121
HTTP_PORT=8080
FTP_URL=ftp://$SERVER_IP:$FTP_PORT/
HTTP_URL=http://$SERVER_IP:$HTTP_PORT/

# What cleanup must undo; each is set only once this run has made the thing.
WORK=
MADE_NS=0
MADE_ROUTE=0
PIDS=()
RELAY_PID=

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- setup ----

need_root_and_tools() {
    ((EUID == 0)) || die "needs root (network namespace, TUN devices, servers)"
    local missing=()
    command -v vsftpd >/dev/null || [[ -x /usr/sbin/vsftpd ]] || missing+=(vsftpd)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
    command -v lftp >/dev/null || missing+=(lftp)
    command -v aria2c >/dev/null || missing+=(aria2)
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    [[ -x /usr/bin/time ]] || missing+=(time)
    command -v ping >/dev/null || missing+=(iputils-ping)
    command -v curl >/dev/null || missing+=(curl)
    command -v ip >/dev/null || missing+=(iproute2)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    # The Debian packages start their own vsftpd/nginx on the default ports;
    # ours run apart from them, in the namespace, on other ports.
    export PATH=$PATH:/usr/sbin:/sbin
}

build_gutenfetch() {
    if [ -n "${GUTENFETCH_BIN:-}" ]; then
        [ -x "$GUTENFETCH_BIN" ] || die "GUTENFETCH_BIN=$GUTENFETCH_BIN is not an executable"
        log "timing $GUTENFETCH_BIN ($("$GUTENFETCH_BIN" --version))"
        return
    fi
    log "building gutenfetch (release)"
    (cd "$REPO" && cargo build --release --quiet --bin gutenfetch)
}

make_work_dir() {
    WORK=$(mktemp -d /tmp/gutenfetch-bench.XXXXXX)
    # vsftpd serves as user ftp and nginx's workers run as nobody: both must
    # be able to walk into the mirror.
    chmod 755 "$WORK"
    mkdir -p "$RESULTS"
    log "work dir $WORK"
}

generate_mirror() {
    # One mirror serves every part: the timed runs use the first BOOKS rows of
    # its manifest (a random subset), the memory runs the first 100 and 1000.
    # Its size does not depend on --skip-memory or --update-only (the seed's
    # draw does), so every kind of run times the same BOOKS books (~5 s more).
    local total=$BOOKS
    for n in "${MEMORY_BOOKS[@]}"; do ((n > total)) && total=$n; done
    python3 "$HELPERS/make_mirror.py" --books "$total" --seed "$SEED" --out "$WORK" \
        --ftp-base "$FTP_URL" --http-base "$HTTP_URL" >&2
    subset "$BOOKS" bench
    # A blob outside the mirror for measuring what the delayed link can carry.
    mkdir -p "$WORK/blob"
    head -c $((64 << 20)) /dev/urandom >"$WORK/blob/blob.bin"
}

# subset N NAME: NAME-manifest.csv, NAME-chosen.tsv, NAME-urls-{ftp,http}.txt for the first N books.
subset() {
    local n=$1 name=$2
    head -n $((n + 1)) "$WORK/manifest.csv" >"$WORK/$name-manifest.csv"
    head -n "$n" "$WORK/chosen.tsv" >"$WORK/$name-chosen.tsv"
    head -n "$n" "$WORK/urls-ftp.txt" >"$WORK/$name-urls-ftp.txt"
    head -n "$n" "$WORK/urls-http.txt" >"$WORK/$name-urls-http.txt"
}

# ------------------------------------------------------- network + delay ---

create_namespace() {
    # netdelay.py's TUN names and addresses are fixed, so two benches cannot
    # share the machine: refuse rather than touch someone else's link.
    ip netns list | grep -w "$NS" >/dev/null && die "namespace $NS already exists (another bench running?)"
    ip link show "$CLIENT_IF" >/dev/null 2>&1 && die "device $CLIENT_IF already exists (another bench running?)"
    ip netns add "$NS"
    MADE_NS=1
    ip -n "$NS" link set lo up
    # Whatever happens to the TUN link, 10.77.0.0/30 can never leave the machine.
    # (No `ip route | grep -q` here: under pipefail, grep leaving early can
    # fail the pipe with SIGPIPE and make an existing route look missing.)
    if [[ -z $(ip route show type blackhole 10.77.0.0/30) ]]; then
        ip route add blackhole 10.77.0.0/30 metric 4000
        MADE_ROUTE=1
    fi
}

kernel_has_netem() {
    # A throw-away qdisc on the namespace's loopback tells without modprobe.
    ip netns exec "$NS" tc qdisc add dev lo root netem delay 1ms 2>/dev/null || return 1
    ip netns exec "$NS" tc qdisc del dev lo root
}

start_delay_link() {
    if kernel_has_netem; then
        # Kernel path: a veth pair with the same addresses, half the delay on each side.
        log "netem available: veth pair with netem delay"
        ip link add "$CLIENT_IF" type veth peer name gfs0
        ip link set gfs0 netns "$NS"
        ip addr add 10.77.0.1/30 dev "$CLIENT_IF"
        ip link set "$CLIENT_IF" up
        ip -n "$NS" addr add "$SERVER_IP/30" dev gfs0
        ip -n "$NS" link set gfs0 up
        local half
        half=$(awk -v r="$RTT_MS" 'BEGIN { printf "%.3fms", r / 2 }')
        tc qdisc add dev "$CLIENT_IF" root netem delay "$half"
        ip netns exec "$NS" tc qdisc add dev gfs0 root netem delay "$half"
    else
        # No netem on this kernel: the userspace relay holds each packet half
        # the delay each way; GSO/TSO offload is on by default in it, so it
        # moves 64 KiB super-packets rather than 1500-byte ones.
        log "no netem in this kernel: userspace relay netdelay.py (TUN, GSO/TSO offload on)"
        local ready=$WORK/netdelay.ready
        setsid python3 "$HELPERS/netdelay.py" --ns "$NS" --delay-ms "$RTT_MS" --ready "$ready" \
            2>"$WORK/netdelay.log" &
        RELAY_PID=$!
        PIDS+=("$RELAY_PID")
        wait_for "delay relay" test -s "$ready"
    fi
}

# wait_for WHAT CMD...: polls CMD for up to 10 s.
wait_for() {
    local what=$1
    shift
    for _ in $(seq 100); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "$what did not come up (see $WORK/*.log)"
}

write_vsftpd_conf() {
    mkdir -p "$WORK/vsftpd-empty"
    cat >"$WORK/vsftpd.conf" <<EOF
# Anonymous, read-only, in the foreground so that our PID is the listener's.
listen=YES
listen_ipv6=NO
listen_address=$SERVER_IP
listen_port=$FTP_PORT
background=NO
anonymous_enable=YES
no_anon_password=YES
local_enable=NO
write_enable=NO
anon_upload_enable=NO
anon_mkdir_write_enable=NO
anon_root=$WORK/mirror
ftp_username=ftp
secure_chroot_dir=$WORK/vsftpd-empty
pasv_enable=YES
pasv_address=$SERVER_IP
pasv_min_port=30000
pasv_max_port=39999
connect_from_port_20=NO
# 16 transfers and their control connections, plus the memory runs' reconnects.
max_clients=500
max_per_ip=500
# Its seccomp filter rejects some syscalls of newer libcs/kernels.
seccomp_sandbox=NO
# Every command and reply to the log, for counting what an --update pass asks.
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
syslog_enable=NO
vsftpd_log_file=$WORK/vsftpd.log
idle_session_timeout=120
data_connection_timeout=120
EOF
}

write_nginx_conf() {
    mkdir -p "$WORK/nginx-tmp"
    cat >"$WORK/nginx.conf" <<EOF
# Foreground master so that our PID is nginx's; every path in the work dir.
daemon off;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
    # One line a request, for counting what an --update pass asks.
    log_format bench '\$connection \$request_method \$uri \$status \$body_bytes_sent';
    access_log $WORK/nginx-access.log bench;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    types { text/plain txt; text/html htm html; }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {
        listen $SERVER_IP:$HTTP_PORT;
        root $WORK/mirror;
        autoindex on;
        location /_blob/ { alias $WORK/blob/; }
    }
}
EOF
}

start_servers() {
    write_vsftpd_conf
    write_nginx_conf
    # setsid and `ip netns exec` both exec, so $! is the server's own PID.
    setsid ip netns exec "$NS" vsftpd "$WORK/vsftpd.conf" >"$WORK/vsftpd.out" 2>&1 &
    PIDS+=($!)
    setsid ip netns exec "$NS" nginx -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
    PIDS+=($!)
    wait_for vsftpd bash -c "exec 3<>/dev/tcp/$SERVER_IP/$FTP_PORT"
    wait_for nginx curl -sf -o /dev/null "$HTTP_URL"
    log "vsftpd at $FTP_URL and nginx at $HTTP_URL in namespace $NS"
}

measure_rtt() {
    local line
    line=$(ping -c 5 -i 0.2 -q "$SERVER_IP" | grep -E '^(rtt|round-trip)')
    MEASURED_RTT_MS=$(awk -F'[/ =]+' '{ print $7 }' <<<"$line")
    log "ping $SERVER_IP (added $RTT_MS ms): $line"
    awk -v m="$MEASURED_RTT_MS" -v r="$RTT_MS" 'BEGIN { exit !(m >= 0.8 * r) }' ||
        die "measured RTT $MEASURED_RTT_MS ms is far below the requested $RTT_MS ms"
}

measure_bandwidth() {
    # Four parallel streams of the 64 MiB blob: what the delayed link carries
    # once windows are open. Slow start makes it an underestimate, so the
    # bytes/bandwidth term of the lower bound errs low, as a lower bound should.
    local start end
    start=$(date +%s.%N)
    for _ in 1 2 3 4; do
        curl -sf -o /dev/null "${HTTP_URL}_blob/blob.bin" &
    done
    wait_children_ok
    end=$(date +%s.%N)
    LINK_MBPS=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 4 * 64 * 1048576 * 8 / (e - s) / 1e6 }')
    log "link carries about $LINK_MBPS Mbit/s (4 x 64 MiB over HTTP)"
}

# Waits for the curl jobs only (not the servers in PIDS); fails if any failed.
wait_children_ok() {
    local pid
    for pid in $(jobs -p); do
        in_list "$pid" "${PIDS[@]}" && continue
        wait "$pid" || die "bandwidth probe failed"
    done
}

in_list() {
    local x=$1
    shift
    for y; do [[ $x == "$y" ]] && return 0; done
    return 1
}

# ------------------------------------------------------------ the runs ----

gutenfetch_supports_http() {
    # Support is detected, not assumed: HTTP lands in a later merge. Port 9 on
    # loopback has no listener; only the scheme check matters here.
    local said
    said=$("$GUTENFETCH" --mirror http://127.0.0.1:9/ --manifest /dev/null --out "$WORK/http-probe" --quiet 2>&1) || true
    [[ ${said,,} != *"unsupported scheme"* ]]
}

# gutenfetch_cmd PROTOCOL_URL OUT MANIFEST
gutenfetch_cmd() {
    printf '%q --manifest %q --out %q --mirror %q --jobs %q --quiet' "$GUTENFETCH" "$3" "$2" "$1" "$JOBS"
}

check_run_gutenfetch() {
    # One untimed run first: shows gutenfetch's summary (FTP logins among it)
    # and leaves every chosen file in the servers' page cache for all tools.
    log "check run: gutenfetch over FTP, $BOOKS books"
    eval "run_child $(gutenfetch_cmd "$FTP_URL" "$WORK/out-check" "$WORK/bench-manifest.csv")" >&2
    verify_gutenfetch_output "$WORK/out-check" "$WORK/bench-chosen.tsv"
    rm -rf "$WORK/out-check"
}

bench_ftp() {
    local gf_out=$WORK/out-gutenfetch-ftp lftp_out=$WORK/out-lftp
    log "timing FTP: gutenfetch vs lftp, $RUNS runs each"
    # One --prepare per command (same order), so that each command's last
    # output survives for the checks below.
    run_child hyperfine --runs "$RUNS" --style basic --export-json "$WORK/ftp.json" \
        --prepare "rm -rf $(printf %q "$gf_out")" --prepare "rm -rf $(printf %q "$lftp_out")" \
        -n "gutenfetch ftp" "$(gutenfetch_cmd "$FTP_URL" "$gf_out" "$WORK/bench-manifest.csv")" \
        -n "lftp ftp" "$(printf 'bash %q %q %q %q %q' "$HELPERS/lftp_fetch.sh" \
            "$WORK/bench-manifest.csv" "$FTP_URL" "$lftp_out" "$JOBS")" >&2
    # The last run of each is left in place: check that it really fetched everything.
    verify_gutenfetch_output "$gf_out" "$WORK/bench-chosen.tsv"
    verify_flat_output lftp "$lftp_out" "$WORK/bench-chosen.tsv"
}

bench_http() {
    local gf_out=$WORK/out-gutenfetch-http aria_out=$WORK/out-aria2c
    # aria2c gets the exact URL list (no discovery): the strongest form of the
    # peer. Options: one connection per file (-x1), 16 files at once (-j16),
    # no preallocation, no control file, no console output.
    local aria
    aria=$(printf 'aria2c --no-conf -q -i %q --dir %q -j %q -x1 -s1 --allow-overwrite=true --auto-file-renaming=false --file-allocation=none --auto-save-interval=0 --console-log-level=error --summary-interval=0 --download-result=hide' \
        "$WORK/bench-urls-http.txt" "$aria_out" "$JOBS")
    local commands=(--prepare "rm -rf $(printf %q "$aria_out")" -n "aria2c http" "$aria")
    if ((HTTP_SUPPORTED)); then
        commands=(--prepare "rm -rf $(printf %q "$gf_out")"
            -n "gutenfetch http" "$(gutenfetch_cmd "$HTTP_URL" "$gf_out" "$WORK/bench-manifest.csv")" "${commands[@]}")
        log "timing HTTP: gutenfetch vs aria2c, $RUNS runs each"
    else
        log "timing HTTP: aria2c only (gutenfetch HTTP: not supported yet)"
    fi
    run_child hyperfine --runs "$RUNS" --style basic --export-json "$WORK/http.json" "${commands[@]}" >&2
    ((HTTP_SUPPORTED)) && verify_gutenfetch_output "$gf_out" "$WORK/bench-chosen.tsv"
    verify_flat_output aria2c "$aria_out" "$WORK/bench-chosen.tsv"
}

# verify_gutenfetch_output OUT CHOSEN: the raw copy of each book is the mirror's
# chosen file byte for byte, and its clean text exists without the PG header.
verify_gutenfetch_output() {
    local out=$1 chosen=$2 n path _ bad=0
    while IFS=$'\t' read -r n path _; do
        cmp -s "$WORK/mirror/$path" "$out/raw/${path##*/}" || { log "gutenfetch: raw $path differs or is missing"; bad=1; }
        if [[ ! -s $out/$n.txt ]] || grep -q '\*\*\* START OF THE PROJECT GUTENBERG' "$out/$n.txt"; then
            log "gutenfetch: clean $n.txt missing or not cleaned"
            bad=1
        fi
    done <"$chosen"
    ((!bad)) || die "gutenfetch output in $out is wrong"
}

# verify_flat_output TOOL OUT CHOSEN: every chosen file, byte for byte, in OUT.
verify_flat_output() {
    local tool=$1 out=$2 chosen=$3 path bad=0
    while IFS=$'\t' read -r _ path _; do
        cmp -s "$WORK/mirror/$path" "$out/${path##*/}" || { log "$tool: $path differs or is missing"; bad=1; }
    done <"$chosen"
    ((!bad)) || die "$tool output in $out is wrong"
}

compute_lower_bound() {
    python3 "$HELPERS/lower_bound.py" "$WORK/bench-chosen.tsv" --rtt-ms "$MEASURED_RTT_MS" --jobs "$JOBS" \
        --link-mbps "$LINK_MBPS" --json "$WORK/lower-bound.json" >&2
}

measure_memory() {
    # Peak RSS with /usr/bin/time -v, MEMORY_RUNS runs per size, each into a
    # fresh folder: one run's peak depends on which buffers happen to be at
    # their largest at once, so the median is the figure and the range is shown.
    local runs=() n out k rss rsses wall walls bytes line
    for n in "${MEMORY_BOOKS[@]}"; do
        subset "$n" "mem$n"
        out=$WORK/out-mem$n
        rsses=() walls=()
        log "peak RSS: gutenfetch over FTP, $n books, --jobs $JOBS, $MEMORY_RUNS runs"
        for ((k = 1; k <= MEMORY_RUNS; k++)); do
            rm -rf "$out"
            run_child /usr/bin/time -v -o "$WORK/time-mem$n.txt" \
                "$GUTENFETCH" --manifest "$WORK/mem$n-manifest.csv" --out "$out" --mirror "$FTP_URL" \
                --jobs "$JOBS" --quiet >"$WORK/mem$n.out" 2>&1 || { cat "$WORK/mem$n.out" >&2; die "memory run of $n books failed"; }
            ((k == 1)) && grep -E 'fetched|logins' "$WORK/mem$n.out" | sed 's/^/    /' >&2
            rsses+=("$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time-mem$n.txt")")
            line=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/time-mem$n.txt")
            walls+=("$(awk -v t="$line" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')")
        done
        log "    max RSS (KiB) of each run: ${rsses[*]}"
        bytes=$(awk -F'\t' '{ s += $3 } END { print s }' "$WORK/mem$n-chosen.tsv")
        local IFS=,
        runs+=("{\"books\": $n, \"max_rss_kib\": [${rsses[*]}], \"wall_s\": [${walls[*]}], \"bytes\": $bytes}")
        unset IFS
        rm -rf "$out"
    done
    local IFS=,
    echo "{\"jobs\": $JOBS, \"runs\": [${runs[*]}]}" >"$WORK/memory.json"
}

write_report() {
    local stamp title
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    title="$BOOKS books, $RUNS runs, RTT +$RTT_MS ms (measured $MEASURED_RTT_MS ms), $JOBS transfers, link ~$LINK_MBPS Mbit/s"
    python3 "$HELPERS/report.py" "$WORK" --title "$title" >"$WORK/table.md"
    mkdir -p "$RESULTS/$stamp"
    cp "$WORK/table.md" "$WORK"/*.json "$RESULTS/$stamp/"
    [[ -e $WORK/$UPDATE_COUNTS ]] && cp "$WORK/$UPDATE_COUNTS" "$RESULTS/$stamp/"
    cp "$WORK/table.md" "$RESULTS/latest.md"
    echo
    cat "$WORK/table.md"
    echo
    log "written to $RESULTS/$stamp/ (table.md and raw JSON)"
}

# -------------------------------------------------------------- cleanup ----

# run_child CMD...: runs a long client command in the background and waits
# for it. bash runs a trap only once its foreground command ends, but `wait`
# is cut short by a signal, so Ctrl-C reaches cleanup at once.
run_child() {
    "$@" &
    wait $!
}

# All processes below PID, children before parents' siblings, by PID.
descendants() {
    local child
    for child in $(pgrep -P "$1"); do
        echo "$child"
        descendants "$child"
    done
}

# stop_pids PID...: TERM, up to 5 s to go, then KILL. Only PIDs this run started.
stop_pids() {
    local pid alive
    kill -TERM "$@" 2>/dev/null
    for _ in $(seq 50); do
        alive=()
        for pid; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
        ((${#alive[@]})) || return 0
        sleep 0.1
    done
    kill -KILL "${alive[@]}" 2>/dev/null
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    # Every process below this script is one it started: clients (hyperfine,
    # lftp, ...) and servers with their workers, by PID. Then whatever is
    # still inside our namespace (only ours: this run made it). The relay
    # goes last, so nothing is cut off from its peer while stopping.
    local pid others=()
    for pid in $(descendants $$); do
        [[ $pid == "${RELAY_PID:-}" ]] || others+=("$pid")
    done
    stop_pids "${others[@]}"
    if ((MADE_NS)); then
        mapfile -t others < <(ip netns pids "$NS" 2>/dev/null)
        stop_pids "${others[@]}"
    fi
    [[ -n ${RELAY_PID:-} ]] && stop_pids "$RELAY_PID"
    wait 2>/dev/null
    # The TUN devices vanish with the relay; a veth pair (netem path) with its namespace.
    ip link del "$CLIENT_IF" 2>/dev/null
    ((MADE_NS)) && ip netns del "$NS" 2>/dev/null
    ((MADE_ROUTE)) && ip route del blackhole 10.77.0.0/30 metric 4000 2>/dev/null
    if [[ -n $WORK ]]; then
        if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$rc"
}

main() {
    parse_args "$@"
    need_root_and_tools
    build_gutenfetch
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    make_work_dir
    generate_mirror
    create_namespace
    start_delay_link
    start_servers
    measure_rtt
    measure_bandwidth
    if [[ ${BENCH_SERVE_ONLY:-} == 1 ]]; then
        # For poking at the servers by hand; Ctrl-C cleans up as usual.
        log "BENCH_SERVE_ONLY: serving $WORK until interrupted"
        sleep infinity &
        PIDS+=($!)
        wait $!
    fi
    if gutenfetch_supports_http; then
        HTTP_SUPPORTED=1
        log "gutenfetch HTTP: supported"
    else
        HTTP_SUPPORTED=0
        log "gutenfetch HTTP: not supported yet"
    fi
    check_run_gutenfetch
    if ((UPDATE_ONLY)); then
        bench_fresh_gutenfetch
    else
        bench_ftp
        bench_http
    fi
    ((SKIP_UPDATE)) || bench_update
    compute_lower_bound
    ((SKIP_MEMORY)) || measure_memory
    write_report
}

main "$@"
