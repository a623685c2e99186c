#!/usr/bin/env bash
# The full benchmark and reliability table (docs/performance.md), in one command:
#   1. seeds the data set if the database does not hold it yet;
#   2. starts the release server on it, timing the start-up to the first healthy answer;
#   3. runs every load workload with its same-run baselines, and the server's memory;
#   4. runs the crash test (SIGKILL under write load, restart, check every acknowledged
#      write and its event) on a database of the same kind;
#   5. fuzzes the API surface with schemathesis (the served document and the official v4
#      files) against the release server.
# Every part talks only to 127.0.0.1 and stops by itself. Exits non-zero if any part fails.
#
# Usage: tests/bench/run.sh [PARTIES] [SECONDS] [CONNECTIONS]
#   defaults 1000000 parties, 10 s per workload, 16 connections
#   CRM_DATABASE_URL=postgres://…/crm_bench runs it on PostgreSQL (the crash test then uses
#   the database crm_crash on the same server, created if missing); otherwise SQLite in
#   $BENCH_DATA_DIR (default target/bench-data).
#   CRASH_ROUNDS (default 20), FUZZ_EXAMPLES (default 10 per operation); 0 skips the part.
set -euo pipefail
cd "$(dirname "$0")/../.."
PARTIES="${1:-1000000}"
SECONDS_PER="${2:-10}"
CONNECTIONS="${3:-16}"
CRASH_ROUNDS="${CRASH_ROUNDS:-20}"
FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-10}"
PORT="${BENCH_PORT:-18484}"
export CRM_DATA_DIR="${BENCH_DATA_DIR:-target/bench-data}" CRM_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
mkdir -p "$CRM_DATA_DIR"
DB_URL="${CRM_DATABASE_URL:-sqlite://$CRM_DATA_DIR/crm.db}"

step() { printf '\n## %s\n\n' "$*"; }

cargo build -q --release --locked -p crm-server -p crm-bench
BIN=target/release/crm-server
BENCH=target/release/crm-bench
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "database: ${DB_URL%%\?*}"

MARKER="$CRM_DATA_DIR/seeded-$PARTIES"
if [[ -n "${CRM_DATABASE_URL:-}" ]]; then MARKER="$CRM_DATA_DIR/seeded-pg-$PARTIES"; fi
if [[ ! -f "$MARKER" ]]; then
    step "seeding $PARTIES parties"
    /usr/bin/time -f "seed: %e s, peak %M KiB" "$BIN" seed --parties "$PARTIES" --seed 42 --batch 10000
    touch "$MARKER"
fi

step "load ($PARTIES parties, $CONNECTIONS connections, $SECONDS_PER s per workload)"
start=$(date +%s%N)
"$BIN" serve >"$CRM_DATA_DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$CRM_DATA_DIR/server.log"; exit 1; }
    sleep 0.005
done
echo "start-up to the first healthy answer: $(( ($(date +%s%N) - start) / 1000000 )) ms"
TOKEN="$("$BIN" token --subject bench --role admin)"
"$BENCH" load --url "http://127.0.0.1:$PORT" --token "$TOKEN" --database-url "$DB_URL" \
    --parties "$PARTIES" --seed 42 --connections "$CONNECTIONS" --seconds "$SECONDS_PER" \
    --server-pid "$SERVER"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

status=0
if [[ "$CRASH_ROUNDS" -gt 0 ]]; then
    step "crash test ($CRASH_ROUNDS rounds)"
    crash_args=(--server-bin "$BIN" --rounds "$CRASH_ROUNDS" --port $((PORT + 1)))
    if [[ -n "${CRM_DATABASE_URL:-}" ]]; then
        crash_url="${CRM_DATABASE_URL%/*}/crm_crash"
        psql "${CRM_DATABASE_URL%/*}/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname = 'crm_crash'" \
            | grep -q 1 || psql "${CRM_DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE crm_crash"
        crash_args+=(--database-url "$crash_url")
    fi
    (unset CRM_DATABASE_URL; "$BENCH" crash "${crash_args[@]}") || status=1
fi

if [[ "$FUZZ_EXAMPLES" -gt 0 ]]; then
    step "schemathesis ($FUZZ_EXAMPLES examples per operation)"
    log="$CRM_DATA_DIR/schemathesis.log"
    if CRM_SERVER_BIN="$BIN" FUZZ_PORT=$((PORT + 2)) tests/fuzz/schemathesis.sh "$FUZZ_EXAMPLES" >"$log" 2>&1; then
        fuzz="no failures"
    else
        fuzz="FAILURES"
        status=1
    fi
    grep -E '^==>|(passed|failed|errored)$|^=+ .* in [0-9.]+s =+$' "$log" || true
    echo "schemathesis: $fuzz (full output: $log)"
fi
exit $status
