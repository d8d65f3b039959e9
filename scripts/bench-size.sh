#!/usr/bin/env bash
# Cost per MB as documents grow (issue 15): generated documents of 10 KB, 100 KB, 1 MB and
# 10 MB, as plain text (log- and invoice-like lines, no form feeds) and as a text PDF of
# 60-line pages (scripts/gen-size.py), each extracted alone by one worker. Prints a
# markdown table of seconds and peak RSS (`/usr/bin/time -f %M`, the largest process:
# docex or its worker) per size; BENCHMARKS.md records one run. Flat per MB is the target.
#   scripts/bench-size.sh [SIZE_BYTES...]      (default 10000 100000 1000000 10000000)
#   BIN=path/to/docex scripts/bench-size.sh    (another build, e.g. the one before a change)
# Each run is under `ulimit -v` (MEM_KB, default 8000000) and --timeout TIMEOUT (default
# 1800 s), so a build that does not scale fails its row instead of taking the host down.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000 10000000)
bin=${BIN:-$PWD/target/release/docex}
[ -n "${BIN:-}" ] || cargo build --release -q
mem_kb=${MEM_KB:-8000000}
timeout=${TIMEOUT:-1800}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_THREAD_LIMIT=1 DOCEX_LOG=warn

echo "machine: $(getconf _NPROCESSORS_ONLN) cores, $(uname -m), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg); $(date -u +%F); $bin"

# one run: DIR (holding in/); leaves DIR/time ("seconds KB") and DIR/out
extract() {
  set +e
  (
    ulimit -v "$mem_kb"
    /usr/bin/time -f '%e %M' -o "$1/time" \
      "$bin" extract "$1/in" --out "$1/out" --jobs 1 --timeout "$timeout" -q
  ) >/dev/null 2>"$1/err"
  set -e
  read -r secs kb <"$1/time" 2>/dev/null || { secs=0 kb=0; }
}
# the fixed cost of a run (start-up, model load, tables) on a one-line text: the least
# of three runs, since the machine is shared
base_s=999 base_kb=0
for i in 1 2 3; do
  mkdir -p "$work/base$i/in"
  echo "Invoice INV-$i total 12.00" >"$work/base$i/in/doc.txt"
  extract "$work/base$i"
  base_s=$(awk -v a="$base_s" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
  base_kb=$((kb > base_kb ? kb : base_kb))
done
echo "fixed cost of a run (a one-line text): $base_s s, $((base_kb / 1024)) MiB peak RSS;" \
  "the per-MB columns are of what a document adds to it"
echo
echo "| input | size | pages | status | seconds | peak RSS MiB | s/MB | RSS MiB/MB |"
echo "|---|---|---|---|---|---|---|---|"
for kind in text pdf; do
  for size in "${sizes[@]}"; do
    ext=$([ "$kind" = text ] && echo txt || echo pdf)
    dir="$work/$kind-$size"
    mkdir -p "$dir/in"
    scripts/gen-size.py "$kind" "$size" "$dir/in/doc.$ext"
    bytes=$(stat -c %s "$dir/in/doc.$ext")
    extract "$dir"
    row=$(tail -n +2 "$dir/out/documents.csv" 2>/dev/null | head -1)
    status=$(echo "$row" | awk -F, '{print $2}')
    pages=$(echo "$row" | awk -F, '{print $5}')
    [ "$secs" != 0 ] || status="killed ($(tail -c 200 "$dir/err" | tr '\n|' '  '))"
    awk -v k="$kind" -v b="$bytes" -v p="${pages:--}" -v st="${status:-none}" -v s="$secs" -v m="$kb" \
      -v bs="$base_s" -v bm="$base_kb" 'BEGIN {
      mb = b / 1e6
      printf "| %s | %s | %s | %s | %.1f | %.0f | %.1f | %.0f |\n", k,
        (b >= 1e6 ? sprintf("%.1f MB", mb) : sprintf("%.0f KB", b / 1e3)), p, st, s, m / 1024,
        (s - bs) / mb, (m - bm) / 1024 / mb
    }'
  done
done
