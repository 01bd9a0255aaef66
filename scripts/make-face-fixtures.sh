#!/usr/bin/env bash
# Builds the face detection fixtures in Tests/FaceDetectionTests/Fixtures from two photos of the
# public metadata-extractor-images collection ("free to use however you wish"), read from
# ../shared/corpus. The fixtures are committed; tests never need this script or the corpus.
#
# Needs (Debian packages; this script installs nothing):
#   imagemagick              convert
#   ffmpeg                   ffmpeg (with libx264)
#   libimage-exiftool-perl   exiftool (sets the EXIF orientation and the QuickTime rotation)
#
# Idempotent: every fixture is rebuilt from scratch on each run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${CORPUS:-$here/../shared/corpus}/metadata-extractor-images/jpg"
out="$here/Tests/FaceDetectionTests/Fixtures"

missing=()
convert -version 2>/dev/null | grep -q ImageMagick || missing+=("imagemagick (convert)")
command -v ffmpeg >/dev/null || missing+=("ffmpeg")
command -v exiftool >/dev/null || missing+=("libimage-exiftool-perl (exiftool)")
if ((${#missing[@]})); then
    echo "make-face-fixtures.sh needs: ${missing[*]}" >&2
    exit 2
fi
[ -d "$corpus" ] || { echo "make-face-fixtures.sh needs the corpus at $corpus" >&2; exit 2; }
mkdir -p "$out"

# Three people indoors (a Nikon E900 photo), cropped to 640×480; no metadata kept.
convert "$corpus/Nikon E900 (2).jpg" -crop 960x720+320+180 +repage -resize 640x480 -strip -quality 85 "$out/group.jpg"
# The same pixels stored turned a quarter left, with EXIF orientation 6 to show them upright.
convert "$out/group.jpg" -rotate 270 -quality 85 "$out/group-orientation-6.jpg"
exiftool -q -overwrite_original -Orientation#=6 "$out/group-orientation-6.jpg"
# A face filling the frame: a man in a cap (metadata-extractor-dotnet issue 51.jpg), cropped close.
convert "$corpus/metadata-extractor-dotnet issue 51.jpg" -crop 460x460+470+170 +repage -strip -quality 85 "$out/close-up.jpg"
# A daisy: a close-up with no one in it.
convert "$corpus/Canon PowerShot S230.jpg" -resize 480x480 -strip -quality 85 "$out/daisy.jpg"

# 1.5 s of the daisy, then 2 s of the group, 10 frames a second: faces only from 1.5 s on.
ffmpeg -v error -y -loop 1 -t 1.5 -i "$out/daisy.jpg" -loop 1 -t 2 -i "$out/group.jpg" \
    -filter_complex "[0]scale=480:360,setsar=1[a];[1]scale=480:360,setsar=1[b];[a][b]concat=n=2:v=1:a=0,fps=10,format=yuv420p[v]" \
    -map "[v]" -c:v libx264 -preset veryslow -crf 30 -g 10 -movflags +faststart -map_metadata -1 "$out/group-clip.mp4"
# The same clip stored turned a quarter left, with a display matrix turning it back, as a phone
# held upright writes it (ffprobe: rotation -90).
ffmpeg -v error -y -i "$out/group-clip.mp4" -vf transpose=2 -c:v libx264 -preset veryslow -crf 30 -g 10 \
    -map_metadata -1 "$out/group-clip-rotated.mp4"
exiftool -q -overwrite_original -Rotation=90 "$out/group-clip-rotated.mp4"
echo "face fixtures written to $out"
