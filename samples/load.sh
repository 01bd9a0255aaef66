#!/usr/bin/env bash
# Loads the Riverside summer fair into a new ledger: the people in samples/photos, their
# consents (one of each situation the gate must handle), then ingests the photos.
#   samples/load.sh [DB]      (default: samples/riverside.db; refuses to overwrite)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${CLEARANCE:-$here/../.build/debug/clearance}
db=${1:-$here/riverside.db}
c() { "$bin" "$@" --db "$db" --config "$here/config.json"; }

"$bin" init --db "$db"
by=(--by "Officer Priya Shah" --event "Riverside summer fair 2026" --form-version "photo-consent-v3" --method tablet)

amira=$(c person add --name "Amira Khan" --email amira@example.org --born 1990-04-12)
c consent record --person "$amira" --channels social,website "${by[@]}" --given 2026-07-04 >/dev/null

# A child: her father consented for the website and print only.
leo=$(c person add --name "Leo Martins" --born 2017-09-30)
c consent record --person "$leo" --channels website,print --guardian "Rosa Martins" --relationship mother \
  "${by[@]}" --given 2026-07-04 >/dev/null

# A service user: never publishable, whatever is signed.
joan=$(c person add --name "Joan Price" --service-user)

# Consented, then withdrew by email a week later.
tom=$(c person add --name "Tom Reed" --phone "07700 900123")
tom_ref=$(c consent record --person "$tom" --channels social,website "${by[@]}" --given 2026-07-04)
c consent withdraw "$tom_ref" --received-via email --by "DPO Sam Okafor" >/dev/null

# Consent from the 2022 fair, expired before this one.
grace=$(c person add --name "Grace Obi")
c consent record --person "$grace" --channels social,website "${by[@]}" --given 2022-07-02 --expires 2025-07-01 >/dev/null

# A councillor: pre-election rules apply to council channels (see config.json).
hart=$(c person add --name "David Hart" --alias "Cllr David Hart" --elected-member)
c consent record --person "$hart" --channels social,website,print,press "${by[@]}" --given 2026-07-04 >/dev/null

# Two people share a name: a photo naming "Sam Taylor" is ambiguous until tagged.
sam1=$(c person add --name "Sam Taylor" --born 1985-01-01)
sam2=$(c person add --name "Sam Taylor" --born 2001-06-15)
c consent record --person "$sam1" --channels social "${by[@]}" --given 2026-07-04 >/dev/null

c ingest "$here/photos"
c tag "$here/photos/empty-hall.jpg" --no-people --by "Editor Ben Cole" >/dev/null
echo "loaded $db: Amira $amira, Leo $leo, Joan $joan, Tom $tom ($tom_ref withdrawn), Grace $grace, Cllr Hart $hart, Sam Taylor $sam1 / $sam2"
