#!/usr/bin/env bash
# Makes the HEIF-family files the HEIC/AVIF tests run on, with real encoders (heif-enc: libheif + x265 /
# aom; scripts/heif-arrange.py: the same libheif API for what heif-enc 1.15 cannot write), from one photo.
#   usage: heif-samples.sh SOURCE.jpg DEST
# In DEST (800x500 pixels stored; EXIF: DateTimeOriginal 2024:05:06 07:08:09, Make Apple, Model iPhone 15,
# GPS 48.8566 N 2.3522 E, Orientation 6):
#   exif.jpg            the JPEG the others are made from (pixels 800x500, displayed 500x800 by its EXIF)
#   exif-o6.heic        heif-enc's HEVC HEIC of it: Exif kept, orientation only in the Exif (no irot)
#   irot6.heic          the same pixels with the orientation as an irot box, Exif kept (as an iPhone writes)
#   irot6.avif          the same as AV1 (AVIF)
#   plain.avif          heif-enc's AVIF of exif.jpg
#   other.heic          another picture (640x400, no EXIF)
#   multi-primary-last.heic  other.heic's image first, then exif-o6.heic's, which is the primary
# Safe to run again: it does nothing when DEST is complete. Prints DEST on its last line.
set -euo pipefail
source=$1
dest=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$dest/.complete" ]; then echo "$dest"; exit 0; fi
bash "$here/ensure-image-tools.sh"
command -v python3 >/dev/null || { echo "python3 is missing (scripts/heif-arrange.py needs it)" >&2; exit 1; }
# ImageMagick 6 (Debian) or 7; a stand-in `convert` may shadow it on PATH.
if command -v magick >/dev/null; then im=(magick); elif [ -x /usr/bin/convert-im6.q16 ]; then im=(/usr/bin/convert-im6.q16); else im=(convert); fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${im[@]}" "$source" -strip -resize '800x500^' -gravity center -extent 800x500 -quality 90 "$work/exif.jpg"
exiftool -q -overwrite_original -DateTimeOriginal='2024:05:06 07:08:09' -Make=Apple -Model='iPhone 15' -Orientation#=6 \
  -GPSLatitude=48.8566 -GPSLatitudeRef=N -GPSLongitude=2.3522 -GPSLongitudeRef=E "$work/exif.jpg"
"${im[@]}" "$source" -strip -flop -resize '640x400^' -gravity center -extent 640x400 -quality 90 "$work/other.jpg"
heif-enc -q 60 "$work/exif.jpg" -o "$work/exif-o6.heic" >/dev/null
heif-enc -q 60 "$work/other.jpg" -o "$work/other.heic" >/dev/null
heif-enc -q 60 "$work/exif.jpg" -o "$work/plain.avif" >/dev/null
python3 "$here/heif-arrange.py" "$work/irot6.heic" "$work/exif-o6.heic" --orientation 6
python3 "$here/heif-arrange.py" "$work/irot6.avif" "$work/exif-o6.heic" --orientation 6 --av1
python3 "$here/heif-arrange.py" "$work/multi-primary-last.heic" "$work/exif-o6.heic" "$work/other.heic"
cp "$work"/exif.jpg "$work"/*.heic "$work"/*.avif "$dest/"
touch "$dest/.complete"
echo "$dest"
