#!/usr/bin/env bash
# Installs what docex needs on Debian/Ubuntu, idempotently:
#   1. system packages (Tesseract + Leptonica + English data, clang for bindgen; Chromium and LibreOffice Calc with --tests)
#   2. the ONNX Runtime shared library, unzipped from the PyPI `onnxruntime` wheel into .ort/
#   3. the Rust build (release binary, or the test build with `--tests`)
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.31.1
APT_PACKAGES=(libtesseract-dev libleptonica-dev tesseract-ocr-eng clang libclang-dev pkg-config python3-pip)
# --tests only: headless Chromium renders `docex explain --html` pages (tests/e2e/explain.rs);
# LibreOffice reads tables.xlsx back (tests/e2e/exports.rs).
TEST_APT_PACKAGES=(chromium libreoffice-calc-nogui)
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

if [ ! -f ".ort/libonnxruntime.so.${ORT_VERSION}" ]; then
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
fi

case "${1:-}" in
  --tests) cargo build --workspace --all-targets ;;
  *) cargo build --release ;;
esac
