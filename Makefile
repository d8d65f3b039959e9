# The two commands of the README:
#   make demo   set up (apt packages, ONNX Runtime, release build) and run docex on samples/
#   make test   set up (same, test build) and run every test; .ci/run calls exactly this
.PHONY: demo test setup train samples lint eval eval-seen eval-synth eval-probe

demo:
	scripts/setup.sh
	target/release/docex extract samples/documents --out out/samples
	@echo "--- out/samples/documents.csv"; cat out/samples/documents.csv

test:
	scripts/setup.sh --tests
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

setup:
	scripts/setup.sh

lint:
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings

# Retrain the shipped model from ../shared/data and the generator, and rebuild the samples.
# Both use the Python environment of models/train/requirements.txt in .venv (created here).
PY := .venv/bin/python
$(PY):
	python3 -m venv .venv
	$(PY) -m pip install -q -r models/train/requirements.txt

train: $(PY)
	PYTHONPATH=models/train $(PY) -m docex_train train --data ../shared/data --out models/docex-tagger-v2

samples: $(PY)
	PYTHONPATH=models/train $(PY) -m docex_train.samples --out samples --check

# End-to-end dev scores (needs ../shared/data): docex extract + docex eval on the model card's
# dev splits; the table on stdout, mismatches in models/train/work/devrun/errors.csv.
eval: $(PY)
	scripts/eval-dev.sh

# The same on the training documents (models/train/work/trainrun): scores overstate, the
# model has seen them; four times the documents to check a field rule on.
eval-seen: $(PY)
	SPLIT=train scripts/eval-dev.sh

# The same on generated documents of an unused seed (text and scans): a guard for field
# rules beyond the narrow dev splits; compare two builds, the level is high by construction.
eval-synth: $(PY)
	scripts/eval-synth.sh

# The same on hand-written documents of kinds and layouts neither ../shared/data nor the
# generator has (models/probe/README.md); needs no Python and no data.
eval-probe:
	scripts/setup.sh
	target/release/docex extract models/probe/docs --out models/train/work/proberun --force -q
	target/release/docex eval --labels models/probe/labels.jsonl models/train/work/proberun --errors models/train/work/proberun/errors.csv
