#!/usr/bin/env bash
# Generates samples/photos: a small council event ("Riverside summer fair") made of real
# photographs of people from the drewnoakes/metadata-extractor-images collection in
# ../shared/corpus ("You are free to use these media files however you wish"; see
# samples/SOURCES.md). Each is re-encoded at most 960 pixels on its longer side with its own
# metadata stripped, then given people metadata the way real tools write it, via ExifTool, and
# the EXIF a phone writes (time, GPS, serial) for export scrubbing to remove. Face regions sit on
# the faces Clearance's detector finds in these very pixels. The outputs are committed; run this
# only to regenerate them. Needs: imagemagick (convert), libimage-exiftool-perl, ffmpeg, and the
# corpus at ../shared/corpus.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${CORPUS:-$here/../shared/corpus}/metadata-extractor-images/jpg
cd "$here/samples/photos"
for tool in convert exiftool ffmpeg; do
  command -v "$tool" >/dev/null || { echo "make-samples: needs $tool (apt-get install imagemagick libimage-exiftool-perl ffmpeg)" >&2; exit 2; }
done
[ -d "$corpus" ] || { echo "make-samples: needs the photo collection at $corpus (set CORPUS=DIR)" >&2; exit 2; }
rm -f ./*.jpg ./*.mp4 ./*.xmp

photo() { # name source [extra convert options, e.g. a crop]: upright, ≤960 px, nothing of the original's metadata
  local name=$1 source=$2; shift 2
  convert "$corpus/$source" -auto-orient "$@" -resize '960x960>' -strip -sampling-factor 2x2 \
    -define jpeg:dct-method=integer -quality 80 "$name"
}
camera() { # EXIF as a phone writes it: time, GPS, serial — the things export must scrub
  exiftool -q -overwrite_original -Make=Apple -Model="iPhone 13" -BodySerialNumber="F2LXK0ABCD12" \
    -DateTimeOriginal="$2" -OffsetTimeOriginal=+01:00 -GPSLatitude=51.4545 -GPSLatitudeRef=N \
    -GPSLongitude=2.5879 -GPSLongitudeRef=W -Orientation#=1 "$1"
}
size() { identify -format '%w %h' "$1"; }
mwg() { # Lightroom-style MWG face regions on $NAME: "name,x,y,w,h" (top-left corner, fractions) ...
  local list="" w h
  read -r w h <<<"$(size "$NAME")"
  for r in "$@"; do IFS=, read -r n x y rw rh <<<"$r"
    # MWG gives the centre of the area.
    local cx cy; cx=$(awk "BEGIN{printf \"%.4f\", $x + $rw / 2}"); cy=$(awk "BEGIN{printf \"%.4f\", $y + $rh / 2}")
    list+="${list:+,}{Area={X=$cx,Y=$cy,W=$rw,H=$rh,Unit=normalized},${n:+Name=$n,}Type=Face}"; done
  exiftool -q -overwrite_original "-RegionInfo={AppliedToDimensions={W=$w,H=$h,Unit=pixel},RegionList=[$list]}" "$NAME"
}

# Amira Khan, adult, consented to social and website: a studio portrait (Canon EOS 7D).
NAME=amira-stage.jpg;      photo $NAME "Canon EOS 7D.jpg"; camera $NAME "2026:07:04 11:02:10"
mwg "Amira Khan,0.414,0.173,0.215,0.198"
exiftool -q -overwrite_original -XMP-xmpMM:DocumentID=xmp.did:riverside-amira-stage-0001 $NAME

# An edited crop of the same photo, as Lightroom exports it: tied to the original by xmpMM.
NAME=amira-stage-crop.jpg; photo $NAME "Canon EOS 7D.jpg" -crop 400x400+100+60 +repage; camera $NAME "2026:07:04 11:02:10"
exiftool -q -overwrite_original -XMP-xmpMM:DocumentID=xmp.did:riverside-amira-stage-crop \
  -XMP-xmpMM:OriginalDocumentID=xmp.did:riverside-amira-stage-0001 \
  "-XMP-xmpMM:DerivedFrom={DocumentID=xmp.did:riverside-amira-stage-0001}" $NAME

# Leo, a child (a boy with his bicycle, Canon PowerShot G2): digiKam writes MWG regions,
# Microsoft regions and PersonInImage together.
NAME=leo-face-painting.jpg; photo $NAME "Canon PowerShot G2 (3).jpg"; camera $NAME "2026:07:04 11:40:00"
mwg "Leo Martins,0.251,0.155,0.071,0.101"
exiftool -q -overwrite_original "-RegionInfoMP={Regions=[{PersonDisplayName=Leo Martins,Rectangle=0.251|, 0.155|, 0.071|, 0.101}]}" \
  -XMP-iptcExt:PersonInImage="Leo Martins" "-XMP-digiKam:TagsList=People/Leo Martins" $NAME

# Two people, one a child, in Microsoft Photo Gallery regions (Nikon E900, cropped to the man in
# the blue shirt and the girl; the names are the fair's, not theirs).
NAME=amira-and-leo.jpg;    photo "$NAME" "Nikon E900 (2).jpg" -resize 960x960 -crop 437x720+480+0 +repage; camera $NAME "2026:07:04 12:15:31"
exiftool -q -overwrite_original "-RegionInfoMP={Regions=[{PersonDisplayName=Amira Khan,Rectangle=0.170|, 0.245|, 0.141|, 0.112},{PersonDisplayName=Leo Martins,Rectangle=0.768|, 0.595|, 0.133|, 0.126}]}" $NAME

# Joan, a service user (a woman by the sea, Sony Cybershot).
NAME=joan-garden.jpg;      photo $NAME "Sony Cybershot (8).jpg"; camera $NAME "2026:07:04 12:30:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Joan Price" $NAME

# Tom, who withdrew (a young man, Konica Q-M100).
NAME=tom-raffle.jpg;       photo $NAME "Konica Q-M100 (1).jpg"; camera $NAME "2026:07:04 13:05:12"
exiftool -q -overwrite_original "-XMP-iptcExt:PersonInImageWDetails={PersonName=Tom Reed}" $NAME

# Grace, whose 2022 consent expired (a woman with a headset).
NAME=grace-choir.jpg;      photo $NAME "Issue 116.jpg"; camera $NAME "2026:07:04 14:00:00"
mwg "Grace Obi,0.521,0.139,0.167,0.468"

# Cllr Hart, an elected member, at a lectern (Sony Cybershot).
NAME=cllr-hart-ribbon.jpg; photo $NAME "Sony Cybershot (5).jpg"; camera $NAME "2026:07:04 10:00:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="David Hart" \
  -XMP-plus:ModelReleaseStatus#=MR-LMR $NAME

# A crowd: a string orchestra on stage; an iPhone writes unnamed face regions on the faces it finds.
NAME=crowd.jpg;            photo $NAME "Issue 154.jpg"; camera $NAME "2026:07:04 15:20:00"
mwg ",0.593,0.050,0.035,0.082" ",0.859,0.061,0.045,0.099" ",0.461,0.199,0.048,0.117" \
    ",0.305,0.091,0.046,0.112" ",0.155,0.106,0.043,0.109" ",0.582,0.164,0.046,0.100"

# Two people are called Sam Taylor (a man in a stadium).
NAME=sam-tombola.jpg;      photo $NAME "Photoshop (4).jpg"; camera $NAME "2026:07:04 15:45:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Sam Taylor" $NAME

# Chris Walker is not in the register (a man at a dinner table).
NAME=visitor.jpg;          photo $NAME "FujiFilm DS-7 (3).jpg"; camera $NAME "2026:07:04 16:10:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Chris Walker" $NAME

# No one: a workshop before the fair opens.
NAME=empty-hall.jpg;       photo $NAME "Nikon D1X.jpg"; camera $NAME "2026:07:04 08:30:00"

# People named only in a Lightroom sidecar, not in the JPEG itself (a woman at a table).
NAME=bake-off.jpg;         photo $NAME "Nikon E885.jpg"; camera $NAME "2026:07:04 14:30:00"
exiftool -q -o bake-off.xmp "-XMP-iptcExt:PersonInImage=Amira Khan" "-XMP-dc:Subject=bake-off" 2>/dev/null \
  || exiftool -q -o bake-off.xmp -tagsFromFile bake-off.jpg "-XMP-iptcExt:PersonInImage=Amira Khan"

# One short video: two seconds of the stage photo, slowly zooming, with a creation time and
# location as a phone records them.
ffmpeg -loglevel error -loop 1 -i amira-stage.jpg -vf "scale=320:480,zoompan=z='1+0.002*on':d=20:s=240x360:fps=10" \
  -t 2 -c:v libx264 -pix_fmt yuv420p -metadata creation_time=2026-07-04T13:30:00Z -y stage-clip.mp4
# iPhone-style location (Apple ISO 6709 key) and ©xyz, then people in the XMP uuid box.
exiftool -q -overwrite_original "-Keys:GPSCoordinates=51.4545, -2.5879, 12" "-UserData:GPSCoordinates=51.4545, -2.5879" \
  -Keys:Make=Apple "-Keys:Model=iPhone 13" -XMP-iptcExt:PersonInImage="Amira Khan" stage-clip.mp4

ls -l
