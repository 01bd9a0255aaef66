#!/usr/bin/env bash
# Prints a directory holding the corpus's media repeated to at least $1 files (symlinks, so the
# bytes read are the corpus's own). Benchmarks share it so they measure the same files.
set -euo pipefail
want=${1:-2000}
corpus=${CORPUS:-../shared/corpus}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 3; }
out=${BENCH_SET:-/tmp/clearance-bench-set-$want}
if [ ! -f "$out/.complete" ]; then
  rm -rf "$out"; mkdir -p "$out"
  mapfile -t files < <(find "$(cd "$corpus" && pwd)" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.heic' \
      -o -iname '*.heif' -o -iname '*.tif' -o -iname '*.tiff' -o -iname '*.png' -o -iname '*.mp4' -o -iname '*.mov' \
      -o -iname '*.m4v' \) | sort)
  copies=$(( (want + ${#files[@]} - 1) / ${#files[@]} ))
  for ((c = 0; c < copies; c++)); do
    mkdir -p "$out/$c"
    for f in "${files[@]}"; do ln -s "$f" "$out/$c/$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"; done
  done
  touch "$out/.complete"
fi
echo "$out"
