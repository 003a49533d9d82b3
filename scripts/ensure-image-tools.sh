#!/usr/bin/env bash
# Installs the real encoders the format corpus (test/formats/format-corpus.ts) makes its photos with
# (Debian: heif-enc, cwebp/img2webp, ImageMagick, exiftool), libheif's headers and a C compiler
# (test/formats/heif-compose.c, compiled at generation, writes what heif-enc 1.15 cannot: irot
# orientation, EXIF orientation without irot, a primary image that is not the first) and the ICC profiles
# the colour tests convert with (icc-profiles-free: sRGB, Adobe RGB (1998) compatible) when one is
# missing. Elsewhere, install those by other means.
set -euo pipefail
missing=()
command -v heif-enc >/dev/null || missing+=(libheif-examples)
command -v cwebp >/dev/null && command -v img2webp >/dev/null || missing+=(webp)
# Check the package, not the name: a stand-in `convert` may be on PATH.
dpkg-query -W -f='${Status}' imagemagick 2>/dev/null | grep -q "ok installed" || command -v magick >/dev/null || missing+=(imagemagick)
command -v exiftool >/dev/null || missing+=(libimage-exiftool-perl)
# Frame-limit bad inputs (services/upload/src/test-support/animations.ts): many-frame GIFs and APNGs.
command -v gifsicle >/dev/null || missing+=(gifsicle)
command -v apngasm >/dev/null || missing+=(apngasm)
[ -f /usr/share/color/icc/compatibleWithAdobeRGB1998.icc ] || missing+=(icc-profiles-free)
command -v pkg-config >/dev/null && pkg-config --exists libheif 2>/dev/null || missing+=(libheif-dev pkg-config)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Image tools missing (${missing[*]}): install heif-enc, cwebp, img2webp, gif2webp, ImageMagick, gifsicle, apngasm, exiftool, icc-profiles-free, libheif-dev and a C compiler" >&2
  exit 1
fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
