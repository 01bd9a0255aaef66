#!/usr/bin/env bash
# Property-based test of the JSON API against its own OpenAPI document (schemathesis, PyPI):
# a throwaway copy of the summer-fair ledger, `clearance serve` on a free loopback port, a
# bounded number of generated requests per operation, once with a DPO's token and once with an
# admin's. Fails on any 5xx answer and on any answer the document does not describe (status
# code, content type, body schema). Run by `make test`; SCHEMATHESIS_EXAMPLES=N to change N.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${CLEARANCE:-$root/.build/debug/clearance}
venv=$root/.build/schemathesis-venv
version=4.32.5
examples=${SCHEMATHESIS_EXAMPLES:-15}

[ -x "$bin" ] || { echo "schemathesis: $bin is not built (swift build)"; exit 1; }
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version"
fi

work=$(mktemp -d /tmp/clearance-schemathesis-XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/fair.db
CLEARANCE=$bin "$root/samples/load.sh" "$db" > /dev/null
c() { "$bin" "$@" --db "$db"; }
c user add --name st-dpo --role dpo > /dev/null
c user add --name st-admin --role admin > /dev/null
c user add --name st-spare --role editor > /dev/null
dpo=$(c user token st-dpo 2> /dev/null)
admin=$(c user token st-admin 2> /dev/null)

"$bin" serve --db "$db" --config "$root/samples/config.json" --port 0 --log-level error > "$work/serve.out" 2> "$work/serve.err" &
server=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*serving on http:\/\/localhost:\([0-9]*\).*/\1/p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$server" 2> /dev/null || { cat "$work/serve.err"; echo "schemathesis: the server did not start"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "schemathesis: the server did not say its port"; exit 1; }

# schemathesis keeps a cache in the working directory: the throwaway folder, not the repository.
cd "$work"
status=0
# One worker: with two, Hypothesis parses lambdas' source on both threads at once, and Python
# 3.11's ast.parse is not safe for that (seen: "SystemError: AST constructor recursion depth
# mismatch" in the coverage phase, failing the run with every generated case passing).
for who in dpo admin; do
  token=${!who}
  echo "schemathesis: $examples examples per operation as the $who"
  "$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
      --header "Authorization: Bearer $token" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      --max-examples "$examples" --phases examples,coverage,fuzzing --seed 11 --workers 1 \
      --generation-database none --no-color --warnings off || status=1
done
exit $status
