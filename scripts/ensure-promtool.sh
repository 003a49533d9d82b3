#!/usr/bin/env bash
# Prints the path of a promtool (Prometheus' own checker of configuration and rule files) for test/infra.
# Uses PROMTOOL or the one on PATH; else extracts Debian's (package prometheus) into .cache/promtool without
# installing the package (no daemon, no dependencies, no root needed).
set -euo pipefail
if [ -n "${PROMTOOL:-}" ]; then echo "$PROMTOOL"; exit 0; fi
if command -v promtool >/dev/null; then command -v promtool; exit 0; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/.cache/promtool"
if [ ! -x "$target/usr/bin/promtool" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "promtool is missing: install Prometheus' promtool or set PROMTOOL" >&2
    exit 1
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq prometheus >/dev/null 2>&1) || { apt-get update -qq >/dev/null && (cd "$work" && apt-get download -qq prometheus >/dev/null); }
  mkdir -p "$target"
  dpkg-deb -x "$work"/prometheus_*.deb "$target"
fi
echo "$target/usr/bin/promtool"
