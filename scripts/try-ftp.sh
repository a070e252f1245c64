#!/usr/bin/env bash
# Try gutenfetch end to end on any machine, with no network: serve the fixture
# mirror (tests/fixtures/mirror, synthetic books in Gutenberg's forms) over FTP on loopback,
# fetch every book of its manifest into downloads/, then stop the server and
# exit with gutenfetch's exit code. Extra arguments go to gutenfetch.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}

cargo build --release --quiet --bin gutenfetch
# The test server only serves a few files: its debug build (shared with the tests) is enough.
cargo build --quiet --example serve_mirror

# The server binds before it prints its URL, so once the line is read it is ready.
coproc SERVER { exec "$target/debug/examples/serve_mirror" tests/fixtures/mirror 127.0.0.1:0; }
server_pid=$SERVER_PID
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r line <&"${SERVER[0]}"
url=${line##* at }
url=${url%% *}
echo "try-ftp: $line"

"$target/release/gutenfetch" --manifest tests/fixtures/manifest.csv --out downloads --mirror "$url" "$@"
