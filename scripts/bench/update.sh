# The bench's `--update` section (issue 17), sourced by scripts/bench.sh and
# run with its servers, helpers and variables.
#
# For FTP and HTTP each: fetch the books once into a folder of their own
# (counted), then time `--update` passes over it when nothing changed (each
# pass leaves the books as they were), then change one book in ten on the
# mirror and time passes that must fetch those again (every timed pass starts
# from a copy of the folder taken before the change, restored by hyperfine's
# --prepare). One untimed pass of each kind is counted from the servers'
# logs: HTTP requests per book (nginx's access log), FTP commands and data
# connections (vsftpd's protocol log, TCP connections the namespace
# accepted). The baseline is gutenfetch's fresh fetch of the same books,
# timed by bench_ftp/bench_http (or bench_fresh_gutenfetch with --update-only).

# Every counted pass, one JSON object a line (pass_counts.py).
UPDATE_COUNTS=update-counts.jsonl

bench_update() {
    bench_update_protocol ftp "$FTP_URL" "$WORK/vsftpd.log"
    if ((HTTP_SUPPORTED)); then
        bench_update_protocol http "$HTTP_URL" "$WORK/nginx-access.log"
    fi
}

# bench_update_protocol PROTOCOL MIRROR_URL SERVER_LOG
bench_update_protocol() {
    local protocol=$1 url=$2 server_log=$3
    local out=$WORK/out-update-$protocol snap=$WORK/out-update-$protocol.snap aside=$WORK/changed-books
    local fresh update
    fresh=$(gutenfetch_cmd "$url" "$out" "$WORK/bench-manifest.csv")
    update="$fresh --update"

    log "update, $protocol: fetching $BOOKS books once into $out (counted)"
    rm -rf "$out" "$snap"
    counted_pass "$protocol" fresh "$out" "$server_log" "$fresh"
    verify_gutenfetch_output "$out" "$WORK/bench-chosen.tsv"

    log "update, $protocol: nothing changed on the mirror"
    books_state "$out" >"$WORK/update-$protocol.before"
    records_state "$out" >"$WORK/update-$protocol.records-before"
    counted_pass "$protocol" unchanged "$out" "$server_log" "$update"
    expect_summary "$out" updated=0 "unchanged=$BOOKS" failed=0
    run_child hyperfine --runs "$RUNS" --style basic --export-json "$WORK/update-$protocol-unchanged.json" \
        -n "gutenfetch $protocol update-unchanged" "$update" >&2
    books_state "$out" >"$WORK/update-$protocol.after"
    cmp -s "$WORK/update-$protocol.before" "$WORK/update-$protocol.after" ||
        die "update passes over an unchanged mirror touched books in $out (diff $WORK/update-$protocol.{before,after})"
    records_state "$out" | cmp -s "$WORK/update-$protocol.records-before" - ||
        log "note: update passes over an unchanged mirror rewrote provenance records in $out"

    # The snapshot holds the books as they were before the change; every
    # timed pass starts from a copy of it, so each sees the same books changed.
    cp -a "$out" "$snap"
    python3 "$HELPERS/change_books.py" change "$WORK/mirror" "$WORK/bench-chosen.tsv" "$aside" >&2
    local changed
    changed=$(wc -l <"$aside/changed.tsv")
    log "update, $protocol: $changed of $BOOKS books changed on the mirror"
    counted_pass "$protocol" changed "$out" "$server_log" "$update"
    expect_summary "$out" "updated=$changed" "unchanged=$((BOOKS - changed))" failed=0
    local restore
    restore="rm -rf $(printf %q "$out") && cp -a $(printf %q "$snap") $(printf %q "$out")"
    run_child hyperfine --runs "$RUNS" --style basic --export-json "$WORK/update-$protocol-changed.json" \
        --prepare "$restore" -n "gutenfetch $protocol update-changed" "$update" >&2
    # The last pass is left in place: the changed books are the mirror's new
    # copies byte for byte (the live mirror holds them now), the rest as before.
    verify_gutenfetch_output "$out" "$WORK/bench-chosen.tsv"
    python3 "$HELPERS/change_books.py" restore "$WORK/mirror" "$aside" >&2
    rm -rf "$out" "$snap"
}

# counted_pass PROTOCOL LABEL OUT SERVER_LOG COMMAND: runs COMMAND (a quoted
# command line) once and appends what it asked of the server to UPDATE_COUNTS.
counted_pass() {
    local protocol=$1 label=$2 out=$3 server_log=$4 command=$5
    local slice=$WORK/update-$protocol-$label.log said=$WORK/update-$protocol-$label.out
    local from opens
    from=$(stat -c %s "$server_log")
    opens=$(server_tcp_opens)
    eval "run_child $command" >"$said" 2>&1 || { cat "$said" >&2; die "update pass ($protocol, $label) failed"; }
    tail -c +$((from + 1)) "$server_log" >"$slice"
    opens=$(($(server_tcp_opens) - opens))
    grep -E '^  (fetched|updated|unchanged|failed|took)|logins' "$said" | sed 's/^/    /' >&2 || true
    python3 "$HELPERS/pass_counts.py" "$protocol" "$slice" "$out" --label "$label" --opens "$opens" \
        >>"$WORK/$UPDATE_COUNTS"
    tail -n 1 "$WORK/$UPDATE_COUNTS" | sed 's/^/    counts: /' >&2
}

# TCP connections accepted so far in the servers' namespace (PassiveOpens):
# the client makes no others, so a pass's delta is its control and data
# connections (FTP) or its HTTP connections.
server_tcp_opens() {
    ip netns exec "$NS" awk '/^Tcp:/ { if (!col) { for (i = 1; i <= NF; i++) if ($i == "PassiveOpens") col = i } else print $col }' \
        /proc/net/snmp
}

# books_state OUT: every raw copy and clean text with its size and time.
books_state() {
    (cd "$1" && find raw -maxdepth 1 -type f -printf '%p %s %T@\n' && find . -maxdepth 1 -name '*.txt' -printf '%p %s %T@\n') | sort
}

# records_state OUT: the provenance records, with their times.
records_state() {
    (cd "$1" && find provenance -maxdepth 1 -type f -printf '%p %s %T@\n') | sort
}

# expect_summary OUT KEY=VALUE...: the last report's summary says so.
expect_summary() {
    local out=$1
    shift
    python3 - "$out/gutenfetch-report.json" "$@" <<'EOF' || die "unexpected update summary in $out/gutenfetch-report.json"
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
wrong = [f"{k}: {summary.get(k)} (expected {v})" for k, v in (a.split("=") for a in sys.argv[2:]) if str(summary.get(k)) != v]
if wrong:
    print("bench: " + "; ".join(wrong), file=sys.stderr)
    sys.exit(1)
EOF
}

# With --update-only the lftp/aria2c runs are skipped, but the baseline is
# still gutenfetch's own fresh fetch of the same books, timed the same way.
bench_fresh_gutenfetch() {
    local protocol url out
    for protocol in ftp http; do
        [[ $protocol == http ]] && ((!HTTP_SUPPORTED)) && continue
        url=$FTP_URL
        [[ $protocol == http ]] && url=$HTTP_URL
        out=$WORK/out-gutenfetch-$protocol
        log "timing $protocol: gutenfetch fresh fetch (the update baseline), $RUNS runs"
        run_child hyperfine --runs "$RUNS" --style basic --export-json "$WORK/$protocol.json" \
            --prepare "rm -rf $(printf %q "$out")" \
            -n "gutenfetch $protocol" "$(gutenfetch_cmd "$url" "$out" "$WORK/bench-manifest.csv")" >&2
        verify_gutenfetch_output "$out" "$WORK/bench-chosen.tsv"
        rm -rf "$out"
    done
}
