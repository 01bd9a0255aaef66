#!/usr/bin/env bash
# Builds the small test pictures in Tests/MediaMetadataTests/Fixtures.
#
# Metadata is written by ExifTool, the way real tools (Lightroom, digiKam, iPhone, Windows
# Photo Gallery, IPTC-aware editors) lay it out, so the tests read files shaped like the
# ones users bring. Base pictures are tiny gradients from ImageMagick.
#
# Needs (Debian packages; this script installs nothing):
#   libimage-exiftool-perl   exiftool
#   imagemagick              convert
#   python3                  for the one fixture ExifTool refuses to write (broken XMP)
#
# Idempotent: every fixture is rebuilt from scratch on each run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/Tests/MediaMetadataTests/Fixtures"

missing=()
command -v exiftool >/dev/null || missing+=("libimage-exiftool-perl (exiftool)")
convert -version 2>/dev/null | grep -q ImageMagick || missing+=("imagemagick (convert)")
command -v python3 >/dev/null || missing+=("python3")
if ((${#missing[@]})); then
    echo "make-fixtures.sh needs: ${missing[*]}" >&2
    echo "install with: apt-get install libimage-exiftool-perl imagemagick python3" >&2
    exit 2
fi

mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Stored pixels are 64x48 (landscape) for every fixture; rotated ones say so in EXIF.
base="$work/base.jpg"
convert -size 64x48 gradient:'#4080c0-#c08040' -strip -quality 40 "$base"

et() { exiftool -q -q -overwrite_original -m "$@"; }

fresh() { # fresh NAME: a new copy of the base picture
    rm -f "$out/$1"
    cp "$base" "$out/$1"
}

# --- MWG regions as Lightroom writes them: named faces, AppliedToDimensions in pixels,
#     names also as keywords, and a document ID (the original of edited-copy.jpg).
fresh mwg-lightroom.jpg
et -XMP-mwg-rs:RegionInfo='{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.25,Y=0.375,W=0.125,H=0.25,Unit=normalized},Name=Alice Example,Type=Face},{Area={X=0.7,Y=0.5,W=0.2,H=0.3,Unit=normalized},Name=Bob Example,Type=Face}]}' \
    -XMP-dc:Subject='Alice Example' -XMP-dc:Subject='Bob Example' -XMP-dc:Subject='council event' \
    -XMP-xmpMM:DocumentID='xmp.did:0a1b2c3d-original' \
    -XMP-xmpMM:OriginalDocumentID='xmp.did:0a1b2c3d-original' \
    "$out/mwg-lightroom.jpg"

# --- digiKam: MWG regions, the same faces as Microsoft regions, PersonInImage and a
#     People/ tag path.
fresh mwg-digikam.jpg
et -XMP-mwg-rs:RegionInfo='{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.5,Y=0.5,W=0.25,H=0.5,Unit=normalized},Name=Carol Example,Type=Face}]}' \
    -XMP-MP:RegionInfoMP='{Regions=[{PersonDisplayName=Carol Example,Rectangle=0.375|, 0.25|, 0.25|, 0.5}]}' \
    -XMP-iptcExt:PersonInImage='Carol Example' \
    -XMP-digiKam:TagsList='People/Carol Example' \
    "$out/mwg-digikam.jpg"

# --- iPhone: unnamed Face regions (the camera detects faces, it does not name them).
fresh mwg-iphone-unnamed.jpg
et -XMP-mwg-rs:RegionInfo='{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.3,Y=0.4,W=0.1,H=0.2,Unit=normalized},Type=Face},{Area={X=0.6,Y=0.45,W=0.12,H=0.16,Unit=normalized},Type=Face},{Area={X=0.9,Y=0.9,W=0.1,H=0.1,Unit=normalized},Type=Focus}]}' \
    "$out/mwg-iphone-unnamed.jpg"

# --- IPTC Person Shown (names only).
fresh iptc-person-in-image.jpg
et -XMP-iptcExt:PersonInImage='Dan Example' -XMP-iptcExt:PersonInImage='Erin Example' \
    "$out/iptc-person-in-image.jpg"

# --- IPTC Person Shown with details: names and identifiers.
fresh iptc-person-details.jpg
et -XMP-iptcExt:PersonInImageWDetails='[{PersonName=Frank Example,PersonId=[https://example.org/people/frank,urn:clearance:person:42]},{PersonId=[urn:clearance:person:43]}]' \
    "$out/iptc-person-details.jpg"

# --- IPTC image regions: a human rectangle (relative, named by the region), a pixel
#     rectangle naming a person, a circle, a polygon, and a product region that is not a person.
fresh iptc-image-region.jpg
et -XMP-iptcExt:ImageRegion='[{RegionBoundary={RbShape=rectangle,RbUnit=relative,RbX=0.1,RbY=0.2,RbW=0.3,RbH=0.4},RCtype=[{Identifier=[http://cv.iptc.org/newscodes/imageregiontype/human],Name=Human}],Name=Guest speaker},{RegionBoundary={RbShape=rectangle,RbUnit=pixel,RbX=32,RbY=12,RbW=16,RbH=24},PersonInImage=[Gina Example]},{RegionBoundary={RbShape=circle,RbUnit=relative,RbX=0.5,RbY=0.5,RbRx=0.1},RCtype=[{Identifier=[http://cv.iptc.org/newscodes/imageregiontype/human]}]},{RegionBoundary={RbShape=polygon,RbUnit=relative,RbVertices=[{RbX=0.6,RbY=0.1},{RbX=0.9,RbY=0.2},{RbX=0.7,RbY=0.4}]},PersonInImageWDetails=[{PersonName=Hana Example,PersonId=[urn:clearance:person:44]}]},{RegionBoundary={RbShape=rectangle,RbUnit=relative,RbX=0,RbY=0,RbW=0.1,RbH=0.1},RCtype=[{Identifier=[http://cv.iptc.org/newscodes/imageregiontype/product]}],Name=Coffee cup}]' \
    "$out/iptc-image-region.jpg"

# --- Windows Photo Gallery people regions, one face marked "ignore" by the user.
fresh mp-regions.jpg
et -XMP-MP:RegionInfoMP='{Regions=[{PersonDisplayName=Ivan Example,Rectangle=0.1|, 0.2|, 0.3|, 0.4,PersonEmailDigest=2FD4E1C67A2D28FCED849EE1BB76E7391B93EB13,PersonLiveIdCID=1234567890123456789},{PersonDisplayName=ffffffffffffffff,Rectangle=0.6|, 0.1|, 0.2|, 0.2}]}' \
    "$out/mp-regions.jpg"

# --- Sidecars: digiKam names them photo.jpg.xmp, Lightroom photo.xmp. The pictures carry
#     no XMP of their own, except sidecar-lightroom.jpg which repeats one face inside
#     (it must be counted once).
fresh sidecar-digikam.jpg
rm -f "$out/sidecar-digikam.jpg.xmp"
exiftool -q -q -o "$out/sidecar-digikam.jpg.xmp" \
    -XMP-mwg-rs:RegionInfo='{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.5,Y=0.5,W=0.5,H=0.5,Unit=normalized},Name=Jill Example,Type=Face}]}' \
    -XMP-iptcExt:PersonInImage='Jill Example'
fresh sidecar-lightroom.jpg
rm -f "$out/sidecar-lightroom.xmp"
region_kim='{Area={X=0.25,Y=0.25,W=0.25,H=0.25,Unit=normalized},Name=Kim Example,Type=Face}'
exiftool -q -q -o "$out/sidecar-lightroom.xmp" \
    -XMP-mwg-rs:RegionInfo="{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[$region_kim,{Area={X=0.75,Y=0.75,W=0.2,H=0.2,Unit=normalized},Name=Lee Example,Type=Face}]}" \
    -XMP-plus:ModelReleaseStatus#=MR-UMR -XMP-dc:Subject='sidecar keyword'
et -XMP-mwg-rs:RegionInfo="{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[$region_kim]}" \
    -XMP-plus:ModelReleaseStatus#=MR-NON "$out/sidecar-lightroom.jpg"

# --- PLUS release fields: bare codes in one file, vocabulary URIs in the other.
fresh plus-release-code.jpg
et -XMP-plus:ModelReleaseStatus#=MR-LMR -XMP-plus:ModelReleaseID='REL-2024-001' -XMP-plus:ModelReleaseID='REL-2024-002' \
    -XMP-plus:MinorModelAgeDisclosure#=AG-UNK -XMP-iptcExt:PersonInImage='Mia Example' \
    "$out/plus-release-code.jpg"
fresh plus-release-uri.jpg
et -XMP-plus:ModelReleaseStatus#=http://ns.useplus.org/ldf/vocab/MR-NON \
    -XMP-plus:MinorModelAgeDisclosure#=http://ns.useplus.org/ldf/vocab/AG-A15 \
    "$out/plus-release-uri.jpg"

# --- An edited copy of mwg-lightroom.jpg, as an editor records it in xmpMM.
rm -f "$out/edited-copy.jpg"
cp "$out/mwg-lightroom.jpg" "$out/edited-copy.jpg"
et -XMP-xmpMM:DocumentID='xmp.did:9f8e7d6c-edited' \
    -XMP-xmpMM:InstanceID='xmp.iid:9f8e7d6c-edited-1' \
    -XMP-xmpMM:DerivedFromDocumentID='xmp.did:0a1b2c3d-original' \
    -XMP-xmpMM:DerivedFromInstanceID='xmp.iid:0a1b2c3d-original-1' \
    "$out/edited-copy.jpg"

# --- Rotated phone pictures: stored 64x48, shown as portrait 48x64. Regions are in the
#     stored frame (MWG guidelines). EXIF GPS, serial number and camera for scrub tests.
for o in 6 8; do
    name="rotated-$o.jpg"
    fresh "$name"
    et -IFD0:Orientation#=$o -IFD0:Make='Canon' -IFD0:Model='Canon EOS R6' \
        -ExifIFD:SerialNumber='012345678901' -ExifIFD:DateTimeOriginal='2024:06:01 10:20:30' \
        -ExifIFD:OffsetTimeOriginal='+01:00' \
        -GPS:GPSLatitude=51.5 -GPS:GPSLatitudeRef=N -GPS:GPSLongitude=0.125 -GPS:GPSLongitudeRef=W \
        -GPS:GPSAltitude=35 -GPS:GPSAltitudeRef#=0 \
        -XMP-mwg-rs:RegionInfo='{AppliedToDimensions={W=64,H=48,Unit=pixel},RegionList=[{Area={X=0.25,Y=0.25,W=0.25,H=0.25,Unit=normalized},Name=Noor Example,Type=Face}]}' \
        -XMP-MP:RegionInfoMP='{Regions=[{PersonDisplayName=Noor Example,Rectangle=0.125|, 0.125|, 0.25|, 0.25}]}' \
        -XMP-iptcExt:ImageRegion='[{RegionBoundary={RbShape=rectangle,RbUnit=pixel,RbX=8,RbY=6,RbW=16,RbH=12},PersonInImage=[Noor Example]}]' \
        "$out/$name"
done

# --- Camera facts only in XMP (no EXIF block), as some DAM exports leave them.
fresh xmp-camera-only.jpg
et -XMP-exif:DateTimeOriginal='2023:12:24 18:30:00+00:00' \
    -XMP-exif:GPSLatitude=-33.8568 -XMP-exif:GPSLongitude=151.2153 \
    -XMP-exif:GPSAltitude=12.5 -XMP-exif:GPSAltitudeRef#=1 \
    -XMP-tiff:Make='Apple' -XMP-tiff:Model='iPhone 12' -XMP-aux:SerialNumber='C39XK0ABCDEF' \
    "$out/xmp-camera-only.jpg"

# --- A JPEG whose XMP packet is not well-formed XML (a truncated write). ExifTool will not
#     produce this, so the APP1 segment is put together by hand.
rm -f "$out/broken-xmp.jpg"
python3 - "$base" "$out/broken-xmp.jpg" <<'PY'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
xml = (b"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>"
       b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
       b"xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'><Iptc4xmpExt:PersonInImage>"
       b"<rdf:Bag><rdf:li>Truncated Person")
payload = b"http://ns.adobe.com/xap/1.0/\x00" + xml
segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
open(dst, 'wb').write(data[:2] + segment + data[2:])
PY

ls -l "$out" | awk 'NR>1 {total += $5} END {print "fixtures: " NR-1 " files, " total " bytes"}'
