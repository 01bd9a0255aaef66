#!/usr/bin/env bash
# Draws the capture app's icons (Sources/ClearanceHTTP/Public/icon-192.png, icon-512.png) with
# ImageMagick: a white tick on the theme's blue, inside the middle 80% so that a "maskable" crop
# (a circle or a rounded square) keeps all of it. Committed; run again only to change them.
set -euo pipefail
out=$(cd "$(dirname "$0")/.." && pwd)/Sources/ClearanceHTTP/Public
for size in 192 512; do
  s=$size
  convert -size ${s}x${s} xc:'#1d4f91' -fill none -stroke white -strokewidth $((s / 12)) \
    -draw "stroke-linecap round stroke-linejoin round polyline $((s * 30 / 100)),$((s * 52 / 100)) $((s * 44 / 100)),$((s * 66 / 100)) $((s * 71 / 100)),$((s * 36 / 100))" \
    -strip -define png:exclude-chunks=date,time "$out/icon-$size.png"
done
