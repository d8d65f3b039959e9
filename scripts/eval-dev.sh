#!/usr/bin/env bash
# End-to-end dev scores: docex (OCR, tagger, field rules) on the model card's dev splits.
#   1. the dev set (models/train/work/devset: SROIE scans, MIDD and CUAD text, labels.jsonl),
#      built from ../shared/data once with `python -m docex_train devset`
#   2. the release binary (scripts/setup.sh)
#   3. docex extract -> models/train/work/devrun, timed
#   4. docex eval: the table on stdout and in devrun/eval.md, every mismatch in devrun/errors.csv
# RUN=DIR writes elsewhere; EXTRACT_ARGS="--models DIR" evaluates another model folder.
# `make eval` runs this with the Python environment of `make train`.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-../shared/data}
PY=${PY:-.venv/bin/python}
WORK=models/train/work
# SPLIT=train scores the training documents instead (models/train/work/trainset, trainrun):
# the model has seen them, so the scores overstate, but they are four times the documents
# to check a field rule on. `make eval-seen` runs that.
SPLIT=${SPLIT:-dev}
case "$SPLIT" in
  dev) DEVSET=$WORK/devset ;;
  train) DEVSET=$WORK/trainset ;;
  *) echo "eval-dev: SPLIT is dev or train, not $SPLIT" >&2; exit 2 ;;
esac
RUN=${RUN:-$WORK/${SPLIT}run}

if [ ! -f "$DEVSET/labels.jsonl" ]; then
  if [ ! -x "$PY" ]; then
    echo "eval-dev: no $PY; run \`make eval\` (it creates the Python environment)" >&2
    exit 2
  fi
  PYTHONPATH=models/train "$PY" -m docex_train devset --data "$DATA" --out "$DEVSET" --split "$SPLIT"
fi

scripts/setup.sh

start=$(date +%s.%N)
status=0
# shellcheck disable=SC2086 # EXTRACT_ARGS: extra options, e.g. "--models DIR"
# --force: the run folder's manifest would otherwise skip documents done by an earlier model
target/release/docex extract "$DEVSET/docs" --out "$RUN" --force ${EXTRACT_ARGS:-} || status=$?
end=$(date +%s.%N)
# 1: some documents failed; they are error rows and count as wrong. 2: nothing was run.
if [ "$status" -gt 1 ]; then
  exit "$status"
fi
documents=$(find "$DEVSET/docs" -type f | wc -l)
awk -v s="$start" -v e="$end" -v n="$documents" -v j="$(nproc)" \
  'BEGIN { printf "docex extract: %d documents in %.1f s (%d cores)\n\n", n, e - s, j }'

# eval.md: the table the model card includes (python -m docex_train card)
target/release/docex eval --labels "$DEVSET/labels.jsonl" "$RUN" --errors "$RUN/errors.csv" | tee "$RUN/eval.md"
echo
echo "mismatches: $RUN/errors.csv"
