#!/usr/bin/env bash
# `make bench`: every benchmark prints its own reference measured in the same run, and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
for part in bench/inspect.sh bench/ingest.sh bench/faces.sh bench/http.sh; do
  echo "== $part"
  bash "$part"
done
if [ -x .build/release/clearance-bench ]; then
  for suite in ledger gate; do
    echo "== clearance-bench $suite"
    .build/release/clearance-bench "$suite"
  done
  # After gate: it copies the register gate cached into PostgreSQL for its check latencies.
  echo "== clearance-bench postgres"
  if scripts/postgres-cluster.sh available; then
    # Shared buffers that hold the whole register (about 470 MB), as a server sized for its
    # database has: with PostgreSQL's default of 128 MB the checks read pages back from the
    # page cache, which this kind of virtual machine empties within minutes, and the slowest
    # checks then waited on the disk.
    POSTGRES_SHARED_BUFFERS=${POSTGRES_SHARED_BUFFERS:-1GB} scripts/postgres-cluster.sh with .build/release/clearance-bench postgres
  else
    echo "postgres: skipped (PostgreSQL is not installed: apt-get install postgresql)"
  fi
fi
