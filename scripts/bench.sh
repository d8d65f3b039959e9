#!/usr/bin/env bash
# docex side by side with the tools it competes with, in one run on this machine, on
# inputs generated from samples/ (every copy made distinct, since docex extracts one
# content once). Prints markdown tables; BENCHMARKS.md records one run of it.
#   scripts/bench.sh [COPIES]        (default 8; each copy adds 4 scanned and 54 text-PDF pages)
# Sections: 1 OCR path vs the tesseract command, 2 tagger vs eager PyTorch, 3 text PDFs
# vs pdftotext, 4 peak memory for 100 and 1000 documents, 5 1 vs 2 workers.
# Needs: make setup (release build, .ort/), poppler-utils (pdftotext), and for section 2
# the Python environment of `make train` (.venv); without it that section says so.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-8}
cores=$(nproc)
scripts/setup.sh >/dev/null
cargo build --release -q -p docex-tagger --example tagger_speed
bin=$PWD/target/release/docex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_THREAD_LIMIT=1 DOCEX_LOG=warn

# Distinct copies: a trailing line after the end of the file, which readers ignore.
copy() { # src dst
  cp "$1" "$2"
  printf '\n%% copy %s\n' "$(basename "$2")" >>"$2"
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
pages_of() { awk -F, 'NR>1 {s+=$5} END {print s}' "$1/documents.csv"; }

mkdir -p "$work/scans" "$work/text"
for i in $(seq 1 "$copies"); do
  copy samples/documents/receipt.png "$work/scans/receipt-$i.png"
  copy samples/documents/invoice-multipage.tiff "$work/scans/invoice-multipage-$i.tiff"
  copy samples/documents/invoice-scan.pdf "$work/scans/invoice-scan-$i.pdf"
done
# the tesseract command reads images, not PDFs: the image-only PDF's embedded page image
# (what docex OCRs) stands in for it there; docex reads the PDF itself
pdfimages -png samples/documents/invoice-scan.pdf "$work/scan-page"
mkdir -p "$work/scans-img"
for f in "$work"/scans/*.png "$work"/scans/*.tiff; do cp "$f" "$work/scans-img/"; done
for i in $(seq 1 "$copies"); do copy "$work"/scan-page-000.png "$work/scans-img/invoice-scan-$i.png"; done
# text pages are ~20x faster than scans: 18 times as many, so the run's fixed start-up
# cost (reported on its own) does not dominate the rate
for i in $(seq 1 $((copies * 18))); do
  copy samples/documents/invoice-text.pdf "$work/text/invoice-text-$i.pdf"
  copy samples/documents/contract.pdf "$work/text/contract-$i.pdf"
done

echo "machine: $cores cores, $(uname -m), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%F); $copies copies of each sample"
echo

# docex extract over DOCS vs a per-file TOOL command, run by xargs -P cores on every file
# of TOOL_DIR with the file as its last argument (outputs go next to the inputs); prints
# the table, sets $d and $t (seconds)
side_by_side() { # what, docs, tool label, tool dir, tool command...
  local what=$1 docs=$2 label=$3 tool_dir=$4 out="$work/o-$RANDOM" t0 t1 t2 t3 pages
  shift 4
  t0=$(now)
  "$bin" extract "$docs" --out "$out" --jobs "$cores" >/dev/null 2>&1 || true
  t1=$(now)
  pages=$(pages_of "$out")
  find "$tool_dir" -type f -print0 >"$work/tool-files"
  t2=$(now)
  xargs -0 -P "$cores" -n 1 "$@" <"$work/tool-files"
  t3=$(now)
  d=$(secs "$t0" "$t1"); t=$(secs "$t2" "$t3")
  echo "| run | pages | seconds | pages/s |"
  echo "|---|---|---|---|"
  echo "| docex extract --jobs $cores ($what + tagging + fields) | $pages | $d | $(ratio "$pages" "$d") |"
  echo "| $label, xargs -P $cores | $pages | $t | $(ratio "$pages" "$t") |"
  echo
}

# 1 ------------------------------------------------------------------------------
echo "### 1. OCR path: docex extract vs the tesseract command ($cores in parallel, OMP_THREAD_LIMIT=1)"
echo
side_by_side OCR "$work/scans" "tesseract IMG OUT tsv" "$work/scans-img" \
  sh -c 'exec tesseract "$1" "$1" tsv >/dev/null 2>&1' _
echo "docex / tesseract wall time: **$(ratio "$d" "$t")** (target <= 0.90)"
echo

# 2 ------------------------------------------------------------------------------
echo "### 2. Tagger: Rust tokenizer + ONNX Runtime vs eager PyTorch, 1 thread each"
echo
text=$work/tagger-text.txt
for i in $(seq 1 4); do
  pdftotext samples/documents/contract.pdf - ; cat samples/documents/notes.txt; pdftotext samples/documents/invoice-text.pdf -
done >"$text"
# one page of 1, 4 and 16 windows of 256 tokens: the Rust tagger runs a page's full windows as one
# batch (and a shorter last window on its own)
python3 - "$text" "$work" <<'EOF'
import sys
words = open(sys.argv[1], encoding="utf-8").read().split()
for n, tokens in ((1, 200), (4, 1000), (16, 4000)):
    out = []
    while sum(len(w) // 4 + 1 for w in out) < tokens:
        out += words
    open(f"{sys.argv[2]}/text-{n}.txt", "w", encoding="utf-8").write(" ".join(out[: tokens * 3 // 4]))
EOF
echo "| engine | windows per batch | tokens/s |"
echo "|---|---|---|"
rust_1=""
for n in 1 4 16; do
  line=$(target/release/examples/tagger_speed models/docex-tagger-v2 "$work/text-$n.txt" cpu 20)
  tps=$(sed -n 's/.*tokens_per_s=\([0-9]*\).*/\1/p' <<<"$line")
  tokens=$(sed -n 's/.* tokens=\([0-9]*\).*/\1/p' <<<"$line")
  [ "$n" = 1 ] && rust_1=$tps
  echo "| Rust (docex-tagger, ONNX Runtime CPU) | $n ($tokens tokens) | $tps |"
done
if [ -x .venv/bin/python ]; then
  py=$(PYTHONPATH=models/train .venv/bin/python -m docex_train bench-tagger --model models/docex-tagger-v2 \
    --text "$text" --batches 1,4,16 --repeats 3 --threads 1)
  while read -r row; do
    b=$(sed -n 's/.*"batch": \([0-9]*\).*/\1/p' <<<"$row")
    tps=$(sed -n 's/.*"tokens_per_s": \([0-9]*\).*/\1/p' <<<"$row")
    [ "$b" = 1 ] && py_1=$tps
    echo "| PyTorch eager (the seed's way at batch 1) | $b | $tps |"
  done <<<"$py"
  echo
  echo "Rust at one window / PyTorch eager one sequence at a time: **$(ratio "$rust_1" "$py_1")x** (target >= 5)"
  echo
  echo "The forward pass alone, one window of 191 tokens, 1 thread, the shipped shape and smaller ones"
  echo '(random weights; `python -m docex_train bench-sizes`):'
  echo
  PYTHONPATH=models/train .venv/bin/python -m docex_train bench-sizes --model models/docex-tagger-v2 2>/dev/null
else
  echo
  echo "PyTorch side skipped: no .venv (run \`make train\` once to create it)"
fi
echo

# 3 ------------------------------------------------------------------------------
echo "### 3. Text PDFs: docex extract vs pdftotext ($cores in parallel)"
echo
cp -r "$work/text" "$work/text-tool"
side_by_side text "$work/text" "pdftotext FILE" "$work/text-tool" pdftotext
echo "docex / pdftotext pages per second: **$(ratio "$t" "$d")** (target >= 0.50)"
echo
mkdir -p "$work/one"
cp samples/documents/invoice-text.pdf "$work/one/"
t0=$(now)
"$bin" extract "$work/one" --out "$work/o-one" --jobs "$cores" >/dev/null 2>&1 || true
t1=$(now)
echo "One text PDF alone (the fixed cost of a run: supervisor, a check worker, $cores workers loading the model): $(secs "$t0" "$t1") s"
echo

# 4 ------------------------------------------------------------------------------
echo "### 4. Peak memory (supervisor + worker processes, RSS summed, sampled every 50 ms)"
echo
peak_rss() { # pid -> peak KiB of it and its children
  local pid=$1 peak=0 now_kb
  while kill -0 "$pid" 2>/dev/null; do
    now_kb=$(ps -o rss= -p "$pid" --ppid "$pid" 2>/dev/null | awk '{s+=$1} END {print s+0}')
    [ "$now_kb" -gt "$peak" ] && peak=$now_kb
    sleep 0.05
  done
  echo "$peak"
}
echo "| documents (9 in 10 text, 1 in 10 scans) | seconds | peak RSS |"
echo "|---|---|---|"
for n in 100 1000; do
  dir=$work/mem-$n
  mkdir -p "$dir"
  for i in $(seq 1 "$n"); do
    if [ $((i % 10)) -eq 0 ]; then
      copy samples/documents/receipt.png "$dir/r-$i.png"
    else
      printf 'INVOICE\nInvoice No: INV-%d\nDate: 2024-03-01\nTotal: EUR %d.00\n' "$i" "$i" >"$dir/t-$i.txt"
    fi
  done
  t0=$(now)
  "$bin" extract "$dir" --out "$work/o-mem-$n" --jobs "$cores" >/dev/null 2>&1 &
  pid=$!
  peak=$(peak_rss "$pid")
  wait "$pid" || true
  t1=$(now)
  echo "| $n | $(secs "$t0" "$t1") | $(awk -v k="$peak" 'BEGIN { printf "%.0f MiB", k / 1024 }') |"
done
echo

# 5 ------------------------------------------------------------------------------
echo "### 5. Scaling: 1 vs $cores workers"
echo
echo "| input | 1 worker pages/s | $cores workers pages/s | speed-up |"
echo "|---|---|---|---|"
for kind in scans text; do
  t0=$(now)
  "$bin" extract "$work/$kind" --out "$work/o-1-$kind" --jobs 1 >/dev/null 2>&1 || true
  t1=$(now)
  p=$(pages_of "$work/o-1-$kind")
  one=$(ratio "$p" "$(secs "$t0" "$t1")")
  t0=$(now)
  "$bin" extract "$work/$kind" --out "$work/o-n-$kind" --jobs "$cores" >/dev/null 2>&1 || true
  t1=$(now)
  many=$(ratio "$p" "$(secs "$t0" "$t1")")
  echo "| $kind ($p pages) | $one | $many | **$(ratio "$many" "$one")x** |"
done
