#!/usr/bin/env bash
# Face detection throughput: `clearance inspect --json` (metadata and faces, every core) over
# full-size camera JPEGs from the corpus, beside `djpeg -scale 1/2` decoding the same files (one
# process per core) in the same run, and the ratio of the two times. Each is timed three times,
# alternating, and the fastest run counts: the machine is shared, and the fastest run is the one
# least disturbed by others. Aim: within 3x of the decode time, about 8 twelve-megapixel photos a
# second on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus}
[ -d "$corpus" ] || { echo "skipped: $corpus is absent"; exit 0; }
command -v djpeg > /dev/null || { echo "skipped: djpeg is missing (Debian package libjpeg-turbo-progs)"; exit 0; }
bin=.build/release/clearance
cores=$(nproc)
runs=${FACES_RUNS:-3}
work=$(mktemp -d /tmp/clearance-bench-faces.XXXXXX)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

# $1: name of the set; $2: copies of each photo; the rest: photos (corpus paths), each linked
# under several names so that a run lasts a few seconds.
measure() {
  local name=$1 copies=$2; shift 2
  local dir="$work/$name"
  mkdir -p "$dir"
  for ((c = 0; c < copies; c++)); do
    for p in "$@"; do
      [ -f "$corpus/$p" ] || { echo "skipped: $corpus/$p is absent"; return 0; }
      ln -s "$(cd "$corpus" && pwd)/$p" "$dir/$c-$(basename "$p" | tr ' ' _)"
    done
  done
  find "$dir" -type l -print0 | sort -z > "$work/$name.files"
  local n megapixels
  n=$(tr -cd '\0' < "$work/$name.files" | wc -c)
  megapixels=$(xargs -0 identify -ping -format '%w %h\n' < "$work/$name.files" 2>/dev/null | awk '{ s += $1 * $2 } END { printf "%.1f", s / 1e6 }')
  xargs -0 cat < "$work/$name.files" > /dev/null  # both read from the page cache
  local best_faces=999999 best_decode=999999 t0 t1 t2
  for ((r = 0; r < runs; r++)); do
    t0=$(now); "$bin" inspect --json "$dir" > "$work/$name.json"; t1=$(now)
    xargs -0 -P "$cores" -n 1 djpeg -scale 1/2 -outfile /dev/null < "$work/$name.files"; t2=$(now)
    best_faces=$(awk -v a="$t0" -v b="$t1" -v m="$best_faces" 'BEGIN { d = b - a; print (d < m ? d : m) }')
    best_decode=$(awk -v a="$t1" -v b="$t2" -v m="$best_decode" 'BEGIN { d = b - a; print (d < m ? d : m) }')
  done
  local found nulls
  found=$(grep -c '"score"' "$work/$name.json" || true)
  nulls=$(grep -c '"detectedFaces" : null' "$work/$name.json" || true)
  [ "$nulls" -eq 0 ] || { echo "faces were not looked for in $nulls of $n files" >&2; exit 1; }
  echo "faces, $name: $n JPEGs, $megapixels megapixels in all, $cores cores, fastest of $runs runs; $found faces found"
  awk -v n="$n" -v mp="$megapixels" -v f="$best_faces" -v d="$best_decode" -v cores="$cores" 'BEGIN {
    printf "  clearance inspect (faces)        : %6.2f s, %5.1f photos/s, %6.1f megapixels/s\n", f, n / f, mp / f;
    printf "  djpeg -scale 1/2, %d processes    : %6.2f s, %5.1f photos/s\n", cores, d, n / d;
    printf "  inspect time / djpeg time        : %6.2fx (aim: <= 3x)\n", f / d;
  }'
}

# The corpus's one 12-megapixel camera JPEG (Olympus E-P3, 4032x3024; files of 4 MiB and more
# are not in the corpus), then camera and phone JPEGs of 4 to 12 megapixels.
measure "12-megapixel" 24 "exif-samples/jpg/tests/42_IndexError.jpg"
measure "4-12-megapixel" 4 \
  "exif-samples/jpg/tests/42_IndexError.jpg" "exif-samples/jpg/hdr/iphone_hdr_NO.jpg" \
  "exif-samples/jpg/hdr/iphone_hdr_YES.jpg" "exif-samples/jpg/mobile/jolla.jpg" \
  "exif-samples/jpg/mobile/HMD_Nokia_8.3_5G.jpg" "metadata-extractor-images/jpg/Issue 177.jpg" \
  "metadata-extractor-images/jpg/Nokia Lumia 800.jpg" "exif-samples/jpg/tests/67-0_length_string.jpg" \
  "exif-samples/jpg/tests/30-type_error.jpg" "exif-samples/jpg/tests/33-type_error.jpg"
