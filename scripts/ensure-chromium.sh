#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (root + apt; Playwright's own
# browser download is not used). Elsewhere, set CHROMIUM_PATH to any Chromium or Chrome binary.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Chromium is missing: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
