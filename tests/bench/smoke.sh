#!/usr/bin/env bash
# A few seconds of every benchmark, so the harness cannot rot (CI runs it; it asserts that
# every request succeeds and nothing acknowledged is lost, never a timing).
#
# Usage: tests/bench/smoke.sh [debug|release]   (default debug)
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE="${1:-debug}"
if [[ "$PROFILE" == release ]]; then
    cargo build -q --release --locked -p crm-server -p crm-bench
else
    cargo build -q --locked -p crm-server -p crm-bench
fi
BIN="target/$PROFILE/crm-server"
BENCH="target/$PROFILE/crm-bench"
PORT="${SMOKE_PORT:-18383}"
DATA="$(mktemp -d)"
export CRM_DATA_DIR="$DATA" CRM_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
unset CRM_DATABASE_URL
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT

"$BIN" seed --parties 2000 --seed 42 >/dev/null
"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
done
TOKEN="$("$BIN" token --subject bench --role admin)"
"$BENCH" load --url "http://127.0.0.1:$PORT" --token "$TOKEN" \
    --database-url "sqlite://$DATA/crm.db" --parties 2000 --seed 42 \
    --connections 4 --seconds 1 --server-pid "$SERVER"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

# Connection limits: idle, silent and slowloris connections against a server with short
# timeouts; each must be closed by the server (generous slack: no timing is asserted).
CRM_CONNECTIONS__HEADER_READ_TIMEOUT_SECS=1 CRM_CONNECTIONS__IDLE_TIMEOUT_SECS=2 \
    CRM_LISTEN="127.0.0.1:$((PORT + 2))" "$BIN" serve >"$DATA/server-idle.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$((PORT + 2))/health" >/dev/null && break
    sleep 0.1
done
"$BENCH" idle --url "http://127.0.0.1:$((PORT + 2))" --server-pid "$SERVER" \
    --idle 50 --silent 10 --slow 20 --line-ms 300 \
    --header-read-timeout-secs 1 --idle-timeout-secs 2 --slack-secs 10
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

# The bill import as a billing system runs it (`crm-server import bills`, one database
# connection): a small generated file, then the same file again, which must change nothing.
"$BENCH" import --server-bin "$BIN" --rates 2000 --accounts 20

"$BENCH" crash --server-bin "$BIN" --rounds 2 --writers 4 --min-ms 200 --max-ms 600 \
    --port $((PORT + 1))
