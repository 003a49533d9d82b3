#!/bin/sh
# Backup and restore of the platform on real infrastructure (compose, Kubernetes, one process per service):
# the metadata and accounts databases (pg_dump, custom format) and the two buckets (an S3 mirror with the
# MinIO client, mc). Used by the `backup` service of infra/compose (profile `backup`), or by hand.
#
#   backup-infra.sh backup DIR      one backup into DIR (must not exist): dumps, buckets, SHA256SUMS, counts.txt
#   backup-infra.sh verify DIR      checksums, then each dump restored into a scratch database and counted
#   backup-infra.sh restore DIR     into the databases and buckets named below (platform stopped)
#   backup-infra.sh prune ROOT      removes backups in ROOT older than BACKUP_RETENTION_DAYS (default 14)
#   backup-infra.sh every SECONDS   backup into BACKUP_ROOT/<UTC time> then prune, forever (the schedule)
#
# Environment: METADATA_DATABASE_URL, ACCOUNTS_DATABASE_URL (postgresql://...); BACKUP_S3_ALIAS, an mc
# alias of the object store (e.g. MC_HOST_platform=http://key:secret@minio:9000 and BACKUP_S3_ALIAS=platform;
# unset: the buckets are skipped, with a warning); ORIGINALS_BUCKET, VARIANTS_BUCKET (originals,
# variants); VERIFY_DATABASE_URL, a server where verify may create and drop scratch databases (default:
# the metadata database's server, database `postgres`).
#
# Order, and why it keeps the set consistent: each pg_dump is one consistent snapshot (one transaction);
# the databases are dumped first, the buckets mirrored after. Objects are only ever added and deleted,
# never changed, and an upload lands in the bucket (its original, then its record) before metadata hears
# of it: so every photo the metadata dump names has its objects in the later mirror, and what arrived
# meanwhile is an extra object, harmless (`npm run rebuild-metadata` even recovers those photos from
# their records). The one gap: a photo deleted between the dump and the mirror comes back as a record
# without its files; delete it again after a restore. Dumped the other way round, the dump could name
# photos whose files the mirror never saw. Metadata before accounts: an account made in between is only
# an account with no photos. Albums and grants live in metadata's database: the dump holds them.
set -eu

ORIGINALS_BUCKET=${ORIGINALS_BUCKET:-originals}
VARIANTS_BUCKET=${VARIANTS_BUCKET:-variants}
DATABASES="metadata accounts"

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
url_of() { eval "printf '%s' \"\${$(printf '%s' "$1" | tr a-z A-Z)_DATABASE_URL:-}\""; }
buckets() { printf '%s %s' "$ORIGINALS_BUCKET" "$VARIANTS_BUCKET"; }
# "schema.table rows" for every table of the database at $1, sorted.
table_rows() {
  psql --no-psqlrc -At -d "$1" -c "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1" |
    while read -r table; do printf '%s %s\n' "$table" "$(psql --no-psqlrc -At -d "$1" -c "SELECT count(*) FROM $table")"; done
}

backup() {
  dir=$1
  [ ! -e "$dir" ] || die "$dir exists: choose a new directory"
  partial="$dir.partial"
  rm -rf "$partial" && mkdir -p "$partial"
  started=$(date +%s)
  for db in $DATABASES; do
    url=$(url_of "$db"); [ -n "$url" ] || die "$(printf '%s' "$db" | tr a-z A-Z)_DATABASE_URL is not set"
    say "dumping $db"
    # Rows per table counted just before and just after the dump (its snapshot lies between), for verify
    # to check what a restore holds: on a busy platform the two may differ by what changed meanwhile.
    table_rows "$url" >"$partial/.before"
    pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$partial/$db.dump"
    table_rows "$url" | paste -d' ' "$partial/.before" - | while read -r table before _ after; do
      [ "$before" -le "$after" ] && printf '%s %s %s %s\n' "$db" "$table" "$before" "$after" || printf '%s %s %s %s\n' "$db" "$table" "$after" "$before"
    done >>"$partial/counts.txt"
    rm "$partial/.before"
  done
  if [ -n "${BACKUP_S3_ALIAS:-}" ]; then
    for bucket in $(buckets); do
      say "mirroring bucket $bucket"
      mc mirror --quiet "$BACKUP_S3_ALIAS/$bucket" "$partial/buckets/$bucket"
      printf 'bucket %s %s\n' "$bucket" "$(find "$partial/buckets/$bucket" -type f | wc -l)" >>"$partial/objects.txt"
    done
  else
    say "warning: BACKUP_S3_ALIAS is not set: the buckets are NOT in this backup"
  fi
  (cd "$partial" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
  mv "$partial" "$dir" # a backup appears whole or not at all
  say "backup $dir done in $(($(date +%s) - started)) s"
  cat "$dir/counts.txt" "$dir/objects.txt" 2>/dev/null || true
}

verify() {
  dir=$1
  [ -f "$dir/SHA256SUMS" ] || die "$dir: no SHA256SUMS, not a backup"
  (cd "$dir" && sha256sum --quiet --check SHA256SUMS) || die "$dir: checksums differ"
  server=${VERIFY_DATABASE_URL:-$(printf '%s' "$(url_of metadata)" | sed 's#/[^/?]*\([?].*\)\{0,1\}$#/postgres\1#')}
  failed=0
  for db in $DATABASES; do
    scratch="verify_${db}_$$"
    psql --no-psqlrc -q -d "$server" -c "CREATE DATABASE $scratch"
    url=$(printf '%s' "$server" | sed "s#/postgres\([?].*\)\{0,1\}\$#/$scratch\1#")
    if pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$dir/$db.dump"; then
      grep "^$db " "$dir/counts.txt" | while read -r _ table low high; do
        got=$(psql --no-psqlrc -At -d "$url" -c "SELECT count(*) FROM $table")
        [ "$got" -ge "$low" ] && [ "$got" -le "$high" ] || { say "$db $table: $low-$high rows at backup, $got restored"; echo x; }
      done | grep -q x && failed=1
    else
      say "$db.dump does not restore"; failed=1
    fi
    psql --no-psqlrc -q -d "$server" -c "DROP DATABASE $scratch WITH (FORCE)"
  done
  [ "$failed" = 0 ] || die "$dir: verify failed"
  say "backup $dir verified: checksums, dumps restore, row counts match"
}

restore() {
  dir=$1
  (cd "$dir" && sha256sum --quiet --check SHA256SUMS) || die "$dir: checksums differ, nothing restored"
  for db in $DATABASES; do
    url=$(url_of "$db"); [ -n "$url" ] || die "$(printf '%s' "$db" | tr a-z A-Z)_DATABASE_URL is not set"
    say "restoring $db"
    pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$dir/$db.dump"
  done
  if [ -d "$dir/buckets" ]; then
    [ -n "${BACKUP_S3_ALIAS:-}" ] || die "BACKUP_S3_ALIAS is not set: cannot restore the buckets"
    for bucket in $(buckets); do
      say "restoring bucket $bucket"
      mc mirror --quiet --overwrite "$dir/buckets/$bucket" "$BACKUP_S3_ALIAS/$bucket"
    done
  fi
  say "restored $dir"
}

prune() {
  root=$1 days=${BACKUP_RETENTION_DAYS:-14}
  find "$root" -mindepth 1 -maxdepth 1 -type d -mtime "+$((days - 1))" -print -exec rm -rf {} + >&2
}

case "${1:-}" in
  backup | verify | restore | prune) [ $# -eq 2 ] || die "usage: $0 $1 DIR"; "$1" "$2" ;;
  every)
    [ $# -eq 2 ] || die "usage: $0 every SECONDS"
    root=${BACKUP_ROOT:-/backups}
    while true; do
      # In a subshell, so a failing step (die) ends this backup, not the schedule. The marker is what the
      # compose service's healthcheck reads: unhealthy until a backup succeeds again.
      if (backup "$root/$(date -u +%Y%m%dT%H%M%SZ)"); then rm -f "$root/.last-failure"; else
        date -u >"$root/.last-failure"; say "backup failed; next try in $2 s"
      fi
      prune "$root"
      sleep "$2"
    done
    ;;
  *) die "usage: $0 backup DIR | verify DIR | restore DIR | prune ROOT | every SECONDS" ;;
esac
