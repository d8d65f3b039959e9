# The two commands of the README:
#   make demo   set up (apt packages, ONNX Runtime, release build) and run docex on samples/
#   make test   set up (same, test build) and run every test; .ci/run calls exactly this:
#               the Rust checks and tests, then ruff and the training package's tests (lint-py,
#               test-py) and the probe scores against their floors (eval-probe), on the test build
.PHONY: demo test setup train samples lint lint-py test-py eval eval-seen eval-synth eval-probe

demo:
	scripts/setup.sh
	target/release/docex extract samples/documents --out out/samples
	@echo "--- out/samples/documents.csv"; cat out/samples/documents.csv

test:
	scripts/setup.sh --tests
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace
	$(MAKE) lint-py test-py eval-probe DOCEX_BIN=target/debug/docex DOCEX_SETUP="scripts/setup.sh --tests"

# The docex binary that test-py and eval-probe run, and the setup that builds it: the release
# build; `make test` passes its test build instead, which writes the same documents.csv and
# entities.csv for the probe documents (checked 2026-12-06) and spares CI a second build.
DOCEX_BIN := target/release/docex
DOCEX_SETUP := scripts/setup.sh

setup:
	scripts/setup.sh

lint:
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings

# Retrain the shipped model from ../shared/data and the generator, and rebuild the samples.
# Both use the Python environment of models/train/requirements.txt in .venv (created here).
# The stamp is written only after pip succeeds: a half-finished install is retried, and a
# changed requirements file is installed again.
PY := .venv/bin/python
PY_ENV := .venv/.requirements-installed
$(PY_ENV): models/train/requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q -r models/train/requirements.txt
	touch $@

# ruff over all the repo's Python (ruff.toml), at the version requirements-lint.txt pins:
# installed into .venv once, and again when the pin changes.
RUFF := .venv/bin/ruff
$(RUFF): requirements-lint.txt | $(PY_ENV)
	$(PY) -m pip install -q -r requirements-lint.txt
	touch $@

lint-py: $(RUFF)
	$(RUFF) check .

# The training package's tests, every one: DOCEX_NO_SKIP makes a skipped test fail, and
# test_paddle_text reads a receipt with DOCEX_BIN.
test-py: $(PY_ENV)
	$(DOCEX_SETUP)
	DOCEX_NO_SKIP=1 DOCEX_BIN=$(abspath $(DOCEX_BIN)) PYTHONPATH=models/train $(PY) -m pytest -q models/train

train: $(PY_ENV)
	PYTHONPATH=models/train $(PY) -m docex_train train --data ../shared/data --out models/docex-tagger-v2

samples: $(PY_ENV)
	PYTHONPATH=models/train $(PY) -m docex_train.samples --out samples --check

# End-to-end dev scores (needs ../shared/data): docex extract + docex eval on the model card's
# dev splits; the table on stdout, mismatches in models/train/work/devrun/errors.csv.
eval: $(PY_ENV)
	scripts/eval-dev.sh

# The same on the training documents (models/train/work/trainrun): scores overstate, the
# model has seen them; four times the documents to check a field rule on.
eval-seen: $(PY_ENV)
	SPLIT=train scripts/eval-dev.sh

# The same on generated documents of an unused seed (text and scans): a guard for field
# rules beyond the narrow dev splits; compare two builds, the level is high by construction.
eval-synth: $(PY_ENV)
	scripts/eval-synth.sh

# The same on hand-written documents of kinds and layouts neither ../shared/data nor the
# generator has (models/probe/README.md); needs no Python packages and no data. Fails when a
# score falls below its floor in models/probe/floors.tsv (scripts/check-floors.py).
PROBE := models/train/work/proberun
eval-probe:
	$(DOCEX_SETUP)
	$(DOCEX_BIN) extract models/probe/docs --out $(PROBE) --force -q
	$(DOCEX_BIN) eval --labels models/probe/labels.jsonl $(PROBE) --errors $(PROBE)/errors.csv
	$(DOCEX_BIN) eval --labels models/probe/labels.jsonl $(PROBE) --json > $(PROBE)/scores.json
	scripts/check-floors.py models/probe/floors.tsv $(PROBE)/scores.json
