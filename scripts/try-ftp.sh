#!/usr/bin/env bash
# Try gutenfetch end to end on any machine, with no network: serve the fixture
# mirror (tests/fixtures/mirror, real Gutenberg texts) over FTP on loopback,
# fetch every book of its manifest into downloads/, then stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin gutenfetch --example serve_mirror

# The server binds before it prints its URL, so once the line is read it is ready.
coproc SERVER { exec ./target/release/examples/serve_mirror tests/fixtures/mirror 127.0.0.1:0; }
server_pid=$SERVER_PID
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
read -r line <&"${SERVER[0]}"
url=${line##* at }
url=${url%% *}
echo "try-ftp: $line"

./target/release/gutenfetch --manifest tests/fixtures/manifest.csv --out downloads --mirror "$url" "$@"
