#!/usr/bin/env bash
# Times `cratedig export` of a synthetic catalogue (default 100,000 tracks)
# in each format, with peak memory, next to the peer: the sqlite3 CLI
# writing the same rows (the same joins, without the listing lists) as CSV.
#   bench/export/run.sh [BUILD_DIR] [TRACKS]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tracks=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/catalogue.db"
"$build/bench/export/export_make_db" "$db" "$tracks"
cratedig="$build/cli/cratedig"
measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null
  read -r wall user sys kib <"$work/time"
  printf "%-22s %8s s wall %6.2f CPU s %7.1f MiB peak\n" "$name" "$wall" \
    "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $kib / 1024" | bc)"
}
echo "export of $tracks tracks ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
# The binary alone (libtorch and the rest mapped in): the export's own
# memory is its peak above this.
measure "cratedig --version" "$cratedig" --version
for f in csv jsonl json; do
  measure "cratedig $f" "$cratedig" -q export --db "$db" --format $f \
    --out "$work/out.$f"
  echo "    $(wc -l <"$work/out.$f") lines, $(du -m "$work/out.$f" | cut -f1) MiB"
done
measure "cratedig csv --releases" "$cratedig" -q export --db "$db" \
  --releases --out "$work/rel.csv"
measure "cratedig csv, no lists" "$cratedig" -q export --db "$db" \
  --out "$work/nolists.csv" --fields track_id,track_store_id,release_store_id,position,artist,title,release_artist,release_title,label,catalogue_number,release_date,store_genre,parent_genre,duration_s,bpm,preview_url,preview_downloaded,preview_file,url
measure "sqlite3 -csv (peer)" sqlite3 -readonly -csv -header "$db" \
  "SELECT t.id, t.store_id, r.store_id, t.position, t.artist, t.title,
     r.artist, r.title, r.label, r.catalogue_number, r.release_date,
     r.store_genre, r.parent_genre, t.duration_s, t.bpm, t.preview_url,
     COALESCE(p.status = 'ok', 0), CASE WHEN p.status = 'ok' THEN p.path END,
     r.url
   FROM tracks t JOIN releases r ON r.id = t.release_id
   LEFT JOIN previews p ON p.track_id = t.id ORDER BY t.id"
