#!/usr/bin/env bash
# Pages per second of the OCR path and the text-PDF path, with 1 vs 2
# workers, on copies of the generated samples. Prints a table; numbers are from one
# run on this machine (shared and noisy: compare rows of the same run).
#   scripts/bench-throughput.sh [COPIES]
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-8}
scripts/setup.sh >/dev/null
bin=target/release/docex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/scans" "$work/text"
for i in $(seq 1 "$copies"); do
  cp samples/documents/receipt.png "$work/scans/receipt-$i.png"
  cp samples/documents/invoice-scan.pdf "$work/scans/invoice-scan-$i.pdf"
  cp samples/documents/invoice-multipage.tiff "$work/scans/invoice-multipage-$i.tiff"
done
# Text pages are ~50x faster than scans: take more of them for a measurable time.
for i in $(seq 1 $((copies * 6))); do
  cp samples/documents/invoice-text.pdf "$work/text/invoice-text-$i.pdf"
  cp samples/documents/contract.pdf "$work/text/contract-$i.pdf"
done
# docex extracts one content once (copies are reported as duplicates): a trailing
# line after the end of each file, which readers ignore, makes every copy its own.
for f in "$work"/scans/* "$work"/text/*; do
  printf '\n%% copy %s\n' "$(basename "$f")" >>"$f"
done

pages() { awk -F, 'NR>1 {s+=$5} END {print s}' "$1/documents.csv"; }

run() { # label, omp limit, jobs, input
  local label=$1 omp=$2 jobs=$3 input=$4 out="$work/out-$RANDOM"
  local t0 t1
  t0=$(date +%s.%N)
  OMP_THREAD_LIMIT=$omp DOCEX_LOG=warn "$bin" extract "$input" --out "$out" --jobs "$jobs" >/dev/null
  t1=$(date +%s.%N)
  local n; n=$(pages "$out")
  awk -v l="$label" -v n="$n" -v a="$t0" -v b="$t1" -v o="$omp" -v j="$jobs" \
    'BEGIN { printf "| %-34s | %4d | %3d | %5d | %7.2f | %7.2f |\n", l, j, o, n, b-a, n/(b-a) }'
}

echo "machine: $(nproc) cores, $(uname -m); $copies copies of each sample"
echo "| run                                | jobs | OMP | pages | seconds | pages/s |"
echo "|------------------------------------|------|-----|-------|---------|---------|"
run "OCR (scans), 1 worker"             1 1 "$work/scans"
run "OCR (scans), 2 workers"            1 2 "$work/scans"
run "text PDFs, 1 worker"               1 1 "$work/text"
run "text PDFs, 2 workers"              1 2 "$work/text"
