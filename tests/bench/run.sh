#!/usr/bin/env bash
# The full benchmark (docs/performance.md): seeds the data set if the database does not hold it
# yet, starts the release server on it (timing the start-up), runs every workload with its
# baselines, and prints the table with the server's memory.
#
# Usage: tests/bench/run.sh [PARTIES] [SECONDS] [CONNECTIONS]
#   defaults 1000000 parties, 10 s per workload, 16 connections
#   CRM_DATABASE_URL=postgres://… runs it on PostgreSQL; otherwise SQLite in $BENCH_DATA_DIR
#   (default target/bench-data)
set -euo pipefail
cd "$(dirname "$0")/../.."
PARTIES="${1:-1000000}"
SECONDS_PER="${2:-10}"
CONNECTIONS="${3:-16}"
PORT="${BENCH_PORT:-18484}"
export CRM_DATA_DIR="${BENCH_DATA_DIR:-target/bench-data}" CRM_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
mkdir -p "$CRM_DATA_DIR"
DB_URL="${CRM_DATABASE_URL:-sqlite://$CRM_DATA_DIR/crm.db}"

cargo build -q --release --locked -p crm-server -p crm-bench
BIN=target/release/crm-server
BENCH=target/release/crm-bench
MARKER="$CRM_DATA_DIR/seeded-$PARTIES"
if [[ -n "${CRM_DATABASE_URL:-}" ]]; then MARKER="$CRM_DATA_DIR/seeded-pg-$PARTIES"; fi
if [[ ! -f "$MARKER" ]]; then
    echo "seeding $PARTIES parties into $DB_URL"
    /usr/bin/time -f "seed: %e s, peak %M KiB" "$BIN" seed --parties "$PARTIES" --seed 42 --batch 10000
    touch "$MARKER"
fi

start=$(date +%s%N)
"$BIN" serve >"$CRM_DATA_DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.005; done
echo "start-up to the first healthy answer: $(( ($(date +%s%N) - start) / 1000000 )) ms"
TOKEN="$("$BIN" token --subject bench --role admin)"
"$BENCH" load --url "http://127.0.0.1:$PORT" --token "$TOKEN" --database-url "$DB_URL" \
    --parties "$PARTIES" --seed 42 --connections "$CONNECTIONS" --seconds "$SECONDS_PER" \
    --server-pid "$SERVER"
