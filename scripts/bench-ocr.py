#!/usr/bin/env python3
"""OCR engines side by side (issue 17): docex extract --ocr ENGINE against the `tesseract`
command on the same scans, 2 in parallel, and the peak memory of a long run.

    scripts/bench-ocr.py [--receipts N] [--rss-docs N] [--engines tesseract,paddle,auto]

Sets:
  receipts  the N SROIE receipts of ../shared/data with the smallest ids (JPEG scans)
  pages     page-like scans: each of the first CUAD PDFs' first two pages rasterised by
            pdftoppm at 200 and 300 dpi (PNG with its resolution), and the samples' scanned
            invoice pages
Per set and engine: wall seconds of `docex extract --jobs 2 --ocr ENGINE` and of
`tesseract IMG OUT tsv` run by 2 parallel processes (OMP_THREAD_LIMIT=1), the ratio, and the
pages each engine read (from docex's log: which engine read each page). Peak RSS: the sum over
docex's process tree, sampled every 0.1 s, over --rss-docs receipts (distinct copies: docex
extracts one content once). Prints markdown; BENCHMARKS.md records one run.
Needs: the release build (scripts/setup.sh), ../shared/data, poppler-utils (pdftoppm).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBS = 2


def docex(binary: Path, docs: Path, out: Path, engine: str, jobs: int = JOBS) -> tuple[float, int]:
    """Wall seconds of one docex extract run, and its peak RSS in bytes (process tree)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1", DOCEX_LOG="warn")
    cmd = [str(binary), "extract", str(docs), "--out", str(out), "--jobs", str(jobs), "--ocr", engine, "--force", "-q"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode > 1:
        sys.exit(f"bench-ocr: docex exited {proc.returncode}: {err.decode()[-2000:]}")
    return elapsed, peak


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text().split()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def tesseract(images: list[Path], out: Path) -> float:
    """Wall seconds of `tesseract IMG OUT tsv` over `images`, JOBS at a time."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out.mkdir(parents=True, exist_ok=True)

    def one(image: Path) -> None:
        subprocess.run(
            ["tesseract", str(image), str(out / image.stem), "tsv"],
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    started = time.monotonic()
    with ThreadPoolExecutor(JOBS) as pool:
        list(pool.map(one, images))
    return time.monotonic() - started


def receipts(data: Path, n: int, into: Path) -> list[Path]:
    into.mkdir(parents=True)
    ids = sorted(p.stem for p in (data / "sroie" / "img").glob("*.jpg"))[:n]
    for i in ids:
        shutil.copy(data / "sroie" / "img" / f"{i}.jpg", into / f"{i}.jpg")
    return sorted(into.iterdir())


def pages(data: Path, n: int, into: Path) -> list[Path]:
    into.mkdir(parents=True)
    pdfs = sorted((data / "cuad" / "pdf").glob("*.pdf"))[:n]
    for k, pdf in enumerate(pdfs):
        for dpi in (200, 300):
            prefix = into / f"c{k:03}-{dpi}"
            subprocess.run(
                ["pdftoppm", "-gray", "-png", "-r", str(dpi), "-f", "1", "-l", "2", str(pdf), str(prefix)],
                check=True,
            )
    samples = ROOT / "samples" / "documents"
    subprocess.run(["pdfimages", "-png", str(samples / "invoice-scan.pdf"), str(into / "invoice-scan")], check=True)
    return sorted(into.iterdir())


def copies(src: list[Path], n: int, into: Path) -> None:
    """n distinct files cycling through `src` (JPEG ignores bytes after its end)."""
    into.mkdir(parents=True)
    for k in range(n):
        s = src[k % len(src)]
        data = s.read_bytes() + f"copy {k}".encode()
        (into / f"{k:05}-{s.name}").write_bytes(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--bin", type=Path, default=Path(os.environ.get("BIN", ROOT / "target" / "release" / "docex")))
    ap.add_argument("--receipts", type=int, default=100)
    ap.add_argument("--contracts", type=int, default=10, help="CUAD PDFs whose first two pages are rasterised")
    ap.add_argument("--engines", default="tesseract,paddle,auto", help="empty: only the memory run")
    ap.add_argument("--rss-docs", type=int, default=1000, help="0: no memory run")
    ap.add_argument("--rss-engines", default="paddle,auto")
    a = ap.parse_args()
    engines = [e for e in a.engines.split(",") if e]
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        sets = {"receipts": receipts(a.data, a.receipts, work / "receipts")}
        if engines:
            sets["pages"] = pages(a.data, a.contracts, work / "pages")
        cpu = os.cpu_count()
        print(f"machine: {cpu} cores; {time.strftime('%Y-%m-%d')}; docex {a.bin}; {JOBS} in parallel\n")
        if engines:
            print("| set | files | tesseract command s | engine | docex s | docex / tesseract |")
            print("|---|---|---|---|---|---|")
        for name, files in sets.items() if engines else ():
            t = tesseract(files, work / f"tess-{name}")
            for engine in engines:
                d, _ = docex(a.bin, files[0].parent, work / f"out-{name}-{engine}", engine)
                print(f"| {name} | {len(files)} | {t:.1f} | {engine} | {d:.1f} | **{d / t:.2f}x** |", flush=True)
        if a.rss_docs:
            copies(sets["receipts"], a.rss_docs, work / "many")
            print("\n| engine | documents | wall s | peak RSS (docex and its workers) |")
            print("|---|---|---|---|")
            for engine in a.rss_engines.split(","):
                d, peak = docex(a.bin, work / "many", work / f"out-many-{engine}", engine)
                print(f"| {engine} | {a.rss_docs} | {d:.0f} | {peak / 2**20:.0f} MiB |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
