#!/usr/bin/env bash
# How Tests/LedgerIntegrityTests/Fixtures/v4-ledger was made: a ledger written by the version
# before issue 12 (commit 8e83870, migrations 0001-0004), to test that this version opens,
# binds and verifies it. Kept for the record; the fixture is committed and not rebuilt.
#   git worktree add /tmp/v4 8e83870 && (cd /tmp/v4 && swift build)
#   scripts/make-v4-ledger-fixture.sh /tmp/v4/.build/debug/clearance /tmp/v4-ledger
# then copy clearance.db and its key to the fixture folder as ledger.sqlite(.key), and the
# check output (asset, file name, cleared, codes) as verdicts-facebook.json.
set -euo pipefail
bin=$1; out=$2
here=$(cd "$(dirname "$0")/../samples" && pwd)
rm -rf "$out"; mkdir -p "$out"
db="$out/clearance.db"
CLEARANCE=$bin "$here/load.sh" "$db" > "$out/load.txt"
c() { "$bin" "$@" --db "$db" --config "$here/config.json"; }
id() { python3 -c 'import json,sys; d=json.load(sys.stdin); print((d[0] if isinstance(d,list) else d)["id"])'; }
sam1=$(sed -n 's/.*Sam Taylor \(P-[^ ]*\) \/.*/\1/p' "$out/load.txt")
c tag "$here/photos/sam-tombola.jpg" --person "$sam1" --by "Editor Ben Cole"
c tag "$here/photos/joan-garden.jpg" --service-users --by "DPO Sam Okafor"
mkdir -p "$out/export"
c export "$here/photos/amira-stage.jpg" "$here/photos/cllr-hart-ribbon.jpg" --channel facebook --to "$out/export" \
  --post-url https://www.facebook.com/riverside --by "Editor Ben Cole"
hart=$(c person show "David Hart" --json | id)
hart_ref=$(c consent list --person "$hart" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["reference"])')
c consent withdraw "$hart_ref" --received-via letter --by "DPO Sam Okafor"
c takedown done T-1 --note "Post removed" --by "DPO Sam Okafor"
c erase "$(c person show "Grace Obi" --json | id)"
c check "$here"/photos/*.jpg "$here"/photos/*.mp4 --channel facebook --at 2026-12-01 --json > "$out/check-facebook.json" || true
c verify
