#!/usr/bin/env bash
# wrk against POST /api/v1/check (one asset per request, cycling through every sample asset, each
# a real verdict from the ledger) and against the static GET /health in the same run, on
# loopback: requests/s, p99 latency, and the ratio.
# Aim: >= 5,000 checks/s on two cores, p99 < 10 ms.   DURATION=10s CONNECTIONS=32 to change.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/release/clearance
command -v wrk > /dev/null || { echo "skipped: wrk is not installed (Debian package wrk; make bench installs it)"; exit 0; }
[ -x "$bin" ] || { echo "skipped: $bin not built (swift build -c release)"; exit 0; }
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-1}
work=$(mktemp -d /tmp/clearance-bench-http.XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT

CLEARANCE=$bin samples/load.sh "$work/bench.db" > /dev/null
"$bin" user add --name bench-editor --role editor --db "$work/bench.db" > /dev/null
token=$("$bin" user token bench-editor --db "$work/bench.db")
asset=$(sha256sum samples/photos/amira-stage.jpg | cut -d' ' -f1)
# Every sample asset (the .xmp is a sidecar, not an asset): cleared and blocked ones alike.
mapfile -t assets < <(find samples/photos -type f ! -name '*.xmp' -print0 | sort -z | xargs -0 sha256sum | cut -d' ' -f1)

# Port 0: the server picks a free one and prints it.
"$bin" serve --db "$work/bench.db" --config samples/config.json --port 0 --log-level warning > "$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*serving on http://localhost:\([0-9]*\).*|\1|p' "$work/serve.out")
  [ -n "$port" ] && break
  kill -0 "$server" 2> /dev/null || { cat "$work/serve.out" >&2; exit 1; }
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "the server did not start" >&2; exit 1; }
base=http://127.0.0.1:$port

body="{\"assets\":[\"$asset\"],\"channel\":\"facebook\"}"
# One real call first: the verdict must be the one the samples promise (Amira, cleared).
answer=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" "$base/api/v1/check")
case "$answer" in *'"cleared" : true'*|*'"cleared":true'*) ;; *) echo "unexpected check answer: $answer" >&2; exit 1 ;; esac

{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  echo "wrk.headers[\"Authorization\"] = \"Bearer $token\""
  echo 'bodies = {'
  for a in "${assets[@]}"; do echo "  '{\"assets\":[\"$a\"],\"channel\":\"facebook\"}',"; done
  echo '}'
  echo 'next_body = 0'
  echo 'request = function()'
  echo '  next_body = next_body % #bodies + 1'
  echo '  return wrk.format(nil, nil, nil, bodies[next_body])'
  echo 'end'
} > "$work/check.lua"

run() {  # name, wrk arguments…  → "<requests/s> <p99 ms> <non-2xx>"
  local name=$1; shift
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" > "$work/$name.wrk"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    END { printf "%s %s %d\n", rps, p99, bad }' "$work/$name.wrk"
}
read -r health_rps health_p99 health_bad < <(run health "$base/health")
read -r check_rps check_p99 check_bad < <(run check -s "$work/check.lua" "$base/api/v1/check")
[ "$health_bad" -eq 0 ] && [ "$check_bad" -eq 0 ] || { echo "non-2xx answers: health $health_bad, check $check_bad" >&2; exit 1; }

# The same run's reference for the check's own work: plain indexed reads of the rows each of
# those checks relies on (asset, mentions, name index, people, consents), no HTTP, one read
# transaction per asset (clearance-bench reads; needs the release build of clearance-bench).
reads_p50=; reads_p99=
if [ -x .build/release/clearance-bench ]; then
  read -r _ reads_p50 reads_p99 < <(.build/release/clearance-bench reads "$work/bench.db" 200 "${assets[@]}")
fi
echo "http: wrk -t$threads -c$connections -d$duration on loopback, $(nproc) cores shared by server and wrk"
awk -v n="${#assets[@]}" -v hr="$health_rps" -v hp="$health_p99" -v cr="$check_rps" -v cp="$check_p99" 'BEGIN {
  printf "  GET  /health (static)            : %9.0f requests/s, p99 %6.2f ms\n", hr, hp;
  printf "  POST /api/v1/check (one asset)   : %9.0f requests/s, p99 %6.2f ms  (%d sample assets in turn)\n", cr, cp, n;
  printf "  check / health                   : %9.2fx of the static route (aim: >= 5000 checks/s, p99 < 10 ms: %s)\n",
         cr / hr, (cr >= 5000 && cp < 10) ? "met" : "not met";
}'
if [ -n "$reads_p99" ]; then
  awk -v hp="$health_p99" -v cp="$check_p99" -v r50="$reads_p50" -v r99="$reads_p99" 'BEGIN {
    own = cp - hp; if (own < 0) own = 0;
    printf "  plain indexed reads, same assets : p50 %6.3f ms, p99 %6.3f ms  (no HTTP; the rows each check relies on)\n", r50, r99;
    printf "  check p99 - static p99           : %6.2f ms = %.0fx the plain reads p99\n", own, own / r99;
  }'
else
  echo "  plain indexed reads: skipped (build clearance-bench with swift build -c release)"
fi
