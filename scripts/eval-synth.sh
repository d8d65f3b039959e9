#!/usr/bin/env bash
# End-to-end scores on generated documents: a regression guard for field rules beyond the
# narrow real dev splits (see models/train/docex_train/synth_eval.py).
#   1. the set (models/train/work/synthset: text documents and one-page scans from the
#      generator with a seed training never uses, labels.jsonl), built once
#   2. the release binary (scripts/setup.sh)
#   3. docex extract -> RUN, docex eval: the table on stdout, mismatches in RUN/errors.csv
# RUN=DIR writes elsewhere; EXTRACT_ARGS="--models DIR" scores another model folder. The
# scores are high by construction (training uses the same generator): compare builds.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
SET=models/train/work/synthset
RUN=${RUN:-models/train/work/synthrun}

if [ ! -f "$SET/labels.jsonl" ]; then
  if [ ! -x "$PY" ]; then
    echo "eval-synth: no $PY; run \`make eval-synth\` (it creates the Python environment)" >&2
    exit 2
  fi
  PYTHONPATH=models/train "$PY" -m docex_train synth-eval --out "$SET"
fi

scripts/setup.sh

status=0
# shellcheck disable=SC2086 # EXTRACT_ARGS: extra options, e.g. "--models DIR"
target/release/docex extract "$SET/docs" --out "$RUN" --force -q ${EXTRACT_ARGS:-} || status=$?
# 1: some documents failed (error rows, scored as wrong); 2: nothing was run
if [ "$status" -gt 1 ]; then
  exit "$status"
fi
target/release/docex eval --labels "$SET/labels.jsonl" "$RUN" --errors "$RUN/errors.csv"
echo
echo "mismatches: $RUN/errors.csv"
