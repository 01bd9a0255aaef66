#!/usr/bin/env bash
# ingest throughput beside the floor (sha256sum reading and hashing the same bytes) and beside
# ExifTool reading the same fields as bench/inspect.sh, over the same files, in one run. A fresh
# ingest looks for faces in every new picture and video (bench/faces.sh measures that against
# decoding); ingesting the same files again, all known, decodes no pixel and is held to the
# floor.
set -euo pipefail
cd "$(dirname "$0")/.."
set_dir=$(bash bench/corpus-set.sh 2000) || { echo "skipped: ../shared/corpus is absent"; exit 0; }
bin=.build/release/clearance
cores=$(nproc)
work=$(mktemp -d /tmp/clearance-bench-ingest.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

find -L "$set_dir" -type f ! -name '.*' -print0 | sort -z > "$work/files"
n=$(tr -cd '\0' < "$work/files" | wc -c)
bytes=$(xargs -0 cat < "$work/files" | wc -c)
# Every tool then reads from the page cache, so the order of the runs does not favour any.
xargs -0 cat < "$work/files" > /dev/null

"$bin" init --db "$work/ingest.db" > /dev/null
# stderr kept aside: Exempi prints a line for each malformed XMP packet in the corpus.
t0=$(now); "$bin" ingest --db "$work/ingest.db" "$set_dir" > "$work/ingest.out" 2> "$work/ingest.err"; t1=$(now)
"$bin" ingest --db "$work/ingest.db" "$set_dir" > "$work/again.out" 2> /dev/null; t5=$(now)
grep -q "^0 new, " "$work/again.out" || { echo "re-ingest stored new assets: $(cat "$work/again.out")" >&2; exit 1; }
t1b=$(now)
# Ingest reads on every core, so the floor does too: one sha256sum per core over the same list.
xargs -0 -P "$cores" -n 64 sha256sum < "$work/files" > "$work/sha.out"; t2=$(now)
xargs -0 sha256sum < "$work/files" > /dev/null; t3=$(now)
exiftool -json -n -r -q -q -DateTimeOriginal -OffsetTimeOriginal -CreateDate -GPSLatitude -GPSLongitude \
  -GPSAltitude -Make -Model -SerialNumber -Orientation -ImageWidth -ImageHeight -PersonInImage \
  -PersonInImageWDetails -RegionInfo -RegionInfoMP -ImageRegion -ModelReleaseStatus -ModelReleaseID \
  -DocumentID -OriginalDocumentID -DerivedFrom "$set_dir" > /dev/null 2>&1 || true
t4=$(now)

hashed=$(wc -l < "$work/sha.out")
[ "$hashed" -eq "$n" ] || { echo "sha256sum hashed $hashed of $n files" >&2; exit 1; }
echo "ingest: $n files, $(( bytes / 1048576 )) MiB, $cores cores; clearance says: $(cat "$work/ingest.out")"
awk -v n="$n" -v cores="$cores" -v a="$t0" -v b="$t1" -v k="$t5" -v b2="$t1b" -v c="$t2" -v d="$t3" -v e="$t4" 'BEGIN {
  ours = n / (b - a); again = n / (k - b); floor = n / (c - b2); single = n / (d - c); ref = n / (e - d);
  printf "  clearance ingest (fresh db, faces): %8.1f files/s (%.2f s)\n", ours, b - a;
  printf "  clearance ingest again (all known): %8.1f files/s (%.2f s)\n", again, k - b;
  printf "  sha256sum, %d processes           : %8.1f files/s (%.2f s)\n", cores, floor, c - b2;
  printf "  sha256sum, 1 process              : %8.1f files/s (%.2f s)\n", single, d - c;
  printf "  exiftool -json -n (same fields)   : %8.1f files/s (%.2f s)\n", ref, e - d;
  printf "  re-ingest time / sha256sum time   : %8.2fx (aim: <= 2x; %.2fx of 1-process sha256sum)\n", floor / again, single / again;
  printf "  fresh ingest time / sha256sum time: %8.2fx (faces looked for in every new file; see bench/faces.sh)\n", floor / ours;
  printf "  fresh ingest speed / ExifTool     : %8.1fx (aim before faces: >= 10x)\n", ours / ref;
}'
