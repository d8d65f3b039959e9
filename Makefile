# The two commands of the README:
#   make demo   set up (apt packages, ONNX Runtime, release build) and run docex on samples/
#   make test   set up (same, test build) and run every test; .ci/run calls exactly this
.PHONY: demo test setup train samples lint

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

# Retrain the shipped model from ../shared/data and the generator (needs the Python
# environment of models/train/requirements.txt; see models/train/README.md).
train:
	cd models/train && python -m docex_train train --data ../../../shared/data --out ../docex-tagger-v1

samples:
	cd models/train && python -m docex_train.samples --out ../../samples
