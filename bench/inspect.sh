#!/usr/bin/env bash
# inspect throughput (metadata only: --no-faces; bench/faces.sh measures faces) beside ExifTool
# reading the same fields from the same files, in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
set_dir=$(bash bench/corpus-set.sh 2000) || { echo "skipped: ../shared/corpus is absent"; exit 0; }
n=$(find -L "$set_dir" -type f ! -name '.*' | wc -l)
bin=.build/release/clearance
now() { date +%s.%N; }

t0=$(now); "$bin" inspect --json --no-faces "$set_dir" >/dev/null 2>&1 || true; t1=$(now)
exiftool -json -n -r -q -q -DateTimeOriginal -OffsetTimeOriginal -CreateDate -GPSLatitude -GPSLongitude \
  -GPSAltitude -Make -Model -SerialNumber -Orientation -ImageWidth -ImageHeight -PersonInImage \
  -PersonInImageWDetails -RegionInfo -RegionInfoMP -ImageRegion -ModelReleaseStatus -ModelReleaseID \
  -DocumentID -OriginalDocumentID -DerivedFrom "$set_dir" >/dev/null 2>&1 || true
t2=$(now)

awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  ours = n / (b - a); ref = n / (c - b);
  printf "inspect: %d files\n", n;
  printf "  clearance inspect --json --no-faces : %8.1f files/s (%.2f s)\n", ours, b - a;
  printf "  exiftool -json -n                   : %8.1f files/s (%.2f s)\n", ref, c - b;
  printf "  ratio                               : %8.1fx ExifTool (aim: >= 10x)\n", ours / ref;
}'
