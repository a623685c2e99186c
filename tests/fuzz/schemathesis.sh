#!/usr/bin/env bash
# Fuzzes the API surface with schemathesis (PyPI): every operation of the served OpenAPI
# document, and of the official TMF v4 Swagger files of the APIs served, must answer without
# a 5xx and with a response that conforms to its schema. (Status codes are not checked
# against the v4 files: they omit 422, which TMF630 prescribes for semantic validation.)
#
# The generator's own health checks (examples too large or too slow to generate, which
# depend on the machine's load) are suppressed: they judge the test data, not the API.
#
# Usage: tests/fuzz/schemathesis.sh [MAX_EXAMPLES]   (default 20 per operation; CI uses a few)
# Builds and starts its own server (debug build, or $CRM_SERVER_BIN) on 127.0.0.1 with a
# fresh SQLite database, and stops it.
set -euo pipefail
cd "$(dirname "$0")/../.."
MAX_EXAMPLES="${1:-20}"
# The coverage phase (every boundary value of every parameter) takes hours over 170
# operations; the default is the fuzzing phase. SCHEMATHESIS_PHASES=coverage,fuzzing for more.
PHASES="${SCHEMATHESIS_PHASES:-fuzzing}"
PORT="${FUZZ_PORT:-18282}"
VENV=target/fuzz-venv
SPECS_DIR="${TMF_SPECS_DIR:-../shared/tmf-specs}"

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==4.32.5"
fi
# CRM_SERVER_BIN: a server binary already built (the full benchmark passes the release one).
BIN="${CRM_SERVER_BIN:-target/debug/crm-server}"
if [[ -z "${CRM_SERVER_BIN:-}" ]]; then
    cargo build -q --locked -p crm-server
fi

DATA="$(mktemp -d)"
export CRM_DATA_DIR="$DATA" CRM_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
unset CRM_DATABASE_URL
"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
done
TOKEN="$("$BIN" token --subject fuzz --role admin)"
BASE="http://127.0.0.1:$PORT"

run() {
    "$VENV/bin/schemathesis" run "$@" \
        --header "Authorization: Bearer $TOKEN" \
        --checks not_a_server_error,response_schema_conformance \
        --max-examples "$MAX_EXAMPLES" \
        --phases "$PHASES" \
        --seed 42 \
        --suppress-health-check all \
        --no-color
}

status=0
echo "==> served OpenAPI document"
run "$BASE/openapi.json" --url "$BASE" || status=1

if [[ -d "$SPECS_DIR" ]]; then
    for spec in TMF632-PartyManagement TMF629-CustomerManagement TMF669-PartyRoleManagement \
        TMF666-AccountManagement TMF683-PartyInteraction TMF620-ProductCatalog \
        TMF622-ProductOrdering TMF637-ProductInventory TMF621-TroubleTicket \
        TMF678-CustomerBillManagement; do
        file="$SPECS_DIR/$spec-v4.0.0.swagger.json"
        base_path="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['basePath'])" "$file")"
        echo "==> official $spec v4.0.0"
        run "$file" --url "$BASE$base_path" || status=1
    done
else
    echo "(no official specs at $SPECS_DIR: served document only)"
fi
exit $status
