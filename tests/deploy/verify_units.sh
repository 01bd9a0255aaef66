#!/bin/sh
# The systemd units in deploy/: each one parses and loads (`systemd-analyze verify`, with
# /usr/local/bin/clearance pointed at the binary just built, since verify wants it to exist), and
# the service's sandbox keeps its exposure at or under 2.0 (`systemd-analyze security --offline`;
# it rated 1.4 when written). Skips when systemd-analyze is missing.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BINARY=${CLEARANCE:-$ROOT/.build/debug/clearance}
if ! command -v systemd-analyze > /dev/null; then
    echo "deploy units: skipped (systemd-analyze is not installed)"
    exit 0
fi
[ -x "$BINARY" ] || { echo "deploy units: $BINARY is not built"; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT"/deploy/*.service "$ROOT"/deploy/*.timer "$WORK"/
sed -i "s#/usr/local/bin/clearance#$BINARY#g" "$WORK"/*.service
cd "$WORK"
systemd-analyze verify ./*.service ./*.timer
for unit in clearance.service clearance-notify.service; do
    systemd-analyze security --offline=true --threshold=20 "$unit" > security.txt || {
        tail -3 security.txt
        echo "deploy units: $unit is exposed beyond 2.0"
        exit 1
    }
    tail -1 security.txt
done
echo "deploy units: verified"
