#!/usr/bin/env bash
# Generates samples/photos: a small council event ("Riverside summer fair") whose pictures carry
# people metadata the way real tools write it, via ExifTool. The outputs are committed; run this
# only to regenerate them. Needs: imagemagick (convert), libimage-exiftool-perl, ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/../samples/photos"
for tool in convert exiftool ffmpeg; do
  command -v "$tool" >/dev/null || { echo "make-samples: needs $tool (apt-get install imagemagick libimage-exiftool-perl ffmpeg)" >&2; exit 2; }
done
rm -f ./*.jpg ./*.mp4 ./*.xmp

# A 640×480 "photo": a coloured backdrop with pale ovals where faces are. Deterministic bytes.
photo() { # name colour [ovals as "cx,cy rx,ry" ...]
  local name=$1 colour=$2; shift 2
  local draw=()
  for oval in "$@"; do draw+=(-draw "ellipse ${oval% *} ${oval#* } 0,360"); done
  convert -size 640x480 "gradient:$colour-white" -fill '#f1c9a5' "${draw[@]}" \
    -define jpeg:dct-method=integer -quality 80 -strip "$name"
}
camera() { # EXIF as a phone writes it: time, GPS, serial — the things export must scrub
  exiftool -q -overwrite_original -Make=Apple -Model="iPhone 13" -BodySerialNumber="F2LXK0ABCD12" \
    -DateTimeOriginal="$2" -OffsetTimeOriginal=+01:00 -GPSLatitude=51.4545 -GPSLatitudeRef=N \
    -GPSLongitude=2.5879 -GPSLongitudeRef=W -Orientation#=1 "$1"
}
mwg() { # Lightroom-style MWG face regions: name,cx,cy,w,h ...
  local list=""
  for r in "$@"; do IFS=, read -r n x y w h <<<"$r"
    list+="${list:+,}{Area={X=$x,Y=$y,W=$w,H=$h,Unit=normalized},Name=$n,Type=Face}"; done
  exiftool -q -overwrite_original "-RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[$list]}" "$NAME"
}

NAME=amira-stage.jpg;     photo $NAME '#2e6f9e' "320,200 60,80"; camera $NAME "2026:07:04 11:02:10"
mwg "Amira Khan,0.5,0.42,0.19,0.33"
exiftool -q -overwrite_original -XMP-xmpMM:DocumentID=xmp.did:riverside-amira-stage-0001 $NAME

# An edited crop of the same photo, as Lightroom exports it: tied to the original by xmpMM.
NAME=amira-stage-crop.jpg; photo $NAME '#2e6f9e' "320,240 90,120"; camera $NAME "2026:07:04 11:02:10"
exiftool -q -overwrite_original -XMP-xmpMM:DocumentID=xmp.did:riverside-amira-stage-crop \
  -XMP-xmpMM:OriginalDocumentID=xmp.did:riverside-amira-stage-0001 \
  "-XMP-xmpMM:DerivedFrom={DocumentID=xmp.did:riverside-amira-stage-0001}" $NAME

# digiKam writes MWG regions, Microsoft regions and PersonInImage together.
NAME=leo-face-painting.jpg; photo $NAME '#8a3ea0' "250,220 55,70"; camera $NAME "2026:07:04 11:40:00"
mwg "Leo Martins,0.39,0.46,0.17,0.29"
exiftool -q -overwrite_original "-RegionInfoMP={Regions=[{PersonDisplayName=Leo Martins,Rectangle=0.30625|, 0.3125|, 0.171875|, 0.291667}]}" \
  -XMP-iptcExt:PersonInImage="Leo Martins" "-XMP-digiKam:TagsList=People/Leo Martins" $NAME

NAME=amira-and-leo.jpg;   photo $NAME '#c8553d' "200,200 55,75" "440,240 45,60"; camera $NAME "2026:07:04 12:15:31"
exiftool -q -overwrite_original "-RegionInfoMP={Regions=[{PersonDisplayName=Amira Khan,Rectangle=0.2265625|, 0.2604167|, 0.171875|, 0.3125},{PersonDisplayName=Leo Martins,Rectangle=0.6171875|, 0.375|, 0.140625|, 0.25}]}" $NAME

NAME=joan-garden.jpg;     photo $NAME '#4f8a3a' "330,210 60,80"; camera $NAME "2026:07:04 12:30:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Joan Price" $NAME

NAME=tom-raffle.jpg;      photo $NAME '#d9a13b' "300,230 60,80"; camera $NAME "2026:07:04 13:05:12"
exiftool -q -overwrite_original "-XMP-iptcExt:PersonInImageWDetails={PersonName=Tom Reed}" $NAME

NAME=grace-choir.jpg;     photo $NAME '#6b4f3a' "320,190 50,70"; camera $NAME "2026:07:04 14:00:00"
mwg "Grace Obi,0.5,0.4,0.16,0.29"

NAME=cllr-hart-ribbon.jpg; photo $NAME '#1f3b5a' "310,200 60,80"; camera $NAME "2026:07:04 10:00:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="David Hart" \
  -XMP-plus:ModelReleaseStatus#=MR-LMR $NAME

# iPhones write unnamed face regions.
NAME=crowd.jpg;           photo $NAME '#7a7a7a' "150,220 40,55" "320,210 42,58" "490,230 40,55"; camera $NAME "2026:07:04 15:20:00"
exiftool -q -overwrite_original "-RegionInfo={AppliedToDimensions={W=640,H=480,Unit=pixel},RegionList=[{Area={X=0.234,Y=0.458,W=0.125,H=0.229,Unit=normalized},Type=Face},{Area={X=0.5,Y=0.4375,W=0.131,H=0.242,Unit=normalized},Type=Face},{Area={X=0.766,Y=0.479,W=0.125,H=0.229,Unit=normalized},Type=Face}]}" $NAME

NAME=sam-tombola.jpg;     photo $NAME '#3a7a7a' "320,220 60,80"; camera $NAME "2026:07:04 15:45:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Sam Taylor" $NAME

NAME=visitor.jpg;         photo $NAME '#9e2e55' "320,220 60,80"; camera $NAME "2026:07:04 16:10:00"
exiftool -q -overwrite_original -XMP-iptcExt:PersonInImage="Chris Walker" $NAME

NAME=empty-hall.jpg;      photo $NAME '#b0b0b0'; camera $NAME "2026:07:04 08:30:00"

# People named only in a Lightroom sidecar, not in the JPEG itself.
NAME=bake-off.jpg;        photo $NAME '#e07a5f' "330,210 60,80"; camera $NAME "2026:07:04 14:30:00"
exiftool -q -o bake-off.xmp "-XMP-iptcExt:PersonInImage=Amira Khan" "-XMP-dc:Subject=bake-off" 2>/dev/null \
  || exiftool -q -o bake-off.xmp -tagsFromFile bake-off.jpg "-XMP-iptcExt:PersonInImage=Amira Khan"

# One short video (2 s, tiny) with a creation time and location, as a phone records it.
ffmpeg -loglevel error -f lavfi -i "color=c=0x2e6f9e:s=160x120:d=2:r=10" -c:v libx264 -pix_fmt yuv420p \
  -metadata creation_time=2026-07-04T13:30:00Z -y stage-clip.mp4
# iPhone-style location (Apple ISO 6709 key) and ©xyz, then people in the XMP uuid box.
exiftool -q -overwrite_original "-Keys:GPSCoordinates=51.4545, -2.5879, 12" "-UserData:GPSCoordinates=51.4545, -2.5879" \
  -Keys:Make=Apple "-Keys:Model=iPhone 13" -XMP-iptcExt:PersonInImage="Amira Khan" stage-clip.mp4

ls -l
