#!/usr/bin/env python3
"""Reading PDFs (issue 16): the words `docex text` reads against pdftotext's, every
PDF's `docex extract` status, generated PDFs end to end, and speed on text PDFs.

    BIN=target/release/docex scripts/bench-pdftext.py [--quick] [--data /work/shared/data]
        [--gen out-bench/print-pdfs] [--groups nda_pdf,cuad/pdf,chromium-serif,...]
        [--no-speed]

Groups: DATA/nda_pdf (203 browser-printed NDAs), DATA/cuad/pdf (388 contracts), and
each folder of generated PDFs under --gen (scripts/gen-print-pdfs.py; run with
`--n 40 --seeds 1,2` if the folder is missing). Each group is split in halves:
SEEN (developed against) and UNSEEN (held out). A real PDF is UNSEEN when the first
hex digit of the md5 of its file name is 8-f; a generated one when it comes from
seed 2 (`s2-*`).

Words: `docex text FILE...` and `pdftotext -enc UTF-8 FILE -` (poppler-utils: the
yardstick only, never a dependency of docex). Both texts are folded the same way,
NFKC (ligatures such as U+FB01 to `fi`, compatibility and full-width forms, no-break
spaces to spaces), with soft hyphens (U+00AD) and zero-width characters (U+200B-U+200D,
U+2060, U+FEFF) removed, a hyphen at the end of a line dropped and the line joined to
the next (pdftotext dehyphenates so: `agree-` + `ment` -> `agreement`), and split
on whitespace (str.split); case and punctuation are kept. recall = |docex ∩ pdftotext| / |pdftotext| and precision = |docex ∩
pdftotext| / |docex|, word multisets, summed over the documents of a half
(micro-averaged). `<0.99` is the share of documents whose recall is under 0.99 (a
document where pdftotext reads no word counts as recall 1); `worst` the three
lowest recalls.

Status: `docex extract` on every PDF of the group; rows neither `ok` nor `duplicate`
(the same bytes as another file of the group) are counted with their errors. End to end (generated groups): the documents.csv row of NAME.pdf must equal
the row of its text source NAME.txt in every column but document and pages;
mismatching cells are counted per column, and the last column is the yardstick's own
word recall of the text sources (pdftotext against NAME.txt: where it is under 1,
pdftotext misreads the PDF: it splits letter-spaced words at kerned pairs, `US A`,
`L AW`, and joins `- 1 -` to `-1-`), then docex's recall and precision of the source
words (the truth for these groups). Speed: `docex extract --jobs 2` over the
cuad/pdf text PDFs (those whose every page has words for pdftotext: a scanned page
would time docex's OCR against pdftotext reading nothing; reading, tagging, fields;
the worker start included) against
`pdftotext` over the same files two at a time (xargs -P2), both in pages/s (the pages
pdfinfo counts in all the files) and in pages per CPU second (user + system, workers
included: steadier than wall time on a shared machine), the medians of 3 pairs of runs
(--speed-runs), and docex's peak RSS (`/usr/bin/time -f %M`:
the largest single process, supervisor or worker).

--quick takes 40 files per group (the first by md5 of "quick:" + name: both halves) for
development. The full run takes about 15 minutes on 2 cores (8 with --speed-runs 1).
Prints one markdown table; the details (worst documents, errors, mismatches) follow it.
"""

import argparse
import collections
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN_GROUPS = ["chromium-serif", "chromium-sans", "chromium-spaced", "chromium-condensed",
              "libreoffice", "reportlab"]
REMOVED = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
QUICK = 40
CHUNK = 20  # files per `docex text` call


LINE_END_HYPHEN = re.compile(r"-[ \t]*\n[ \t]*(?=\S)")


def words(text):
    text = unicodedata.normalize("NFKC", text).translate(REMOVED)
    # pdftotext drops a hyphen that ends a line and joins the line to the next
    # (`agree-` `ment` -> `agreement`; also a rule of dashes and the word under it):
    # folded on both sides
    return collections.Counter(LINE_END_HYPHEN.sub("", text).split())


def md5_hex(name):
    return hashlib.md5(name.encode()).hexdigest()


def unseen(path, generated):
    if generated:
        return path.name.startswith("s2-")
    return md5_hex(path.name)[0] in "89abcdef"


def pdftotext(path):
    try:
        r = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"],
                           capture_output=True, timeout=300)
        return r.stdout.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        return ""


def docex_text(bin_, files):
    """{file: text} for the files docex read; the others are missing."""
    r = subprocess.run([bin_, "text", "--quiet"] + [str(f) for f in files],
                       capture_output=True, timeout=3600)
    out = r.stdout.decode("utf-8", errors="replace")
    texts, pos = {}, 0
    marks = []
    for f in files:
        header = f"==> {f} <==\n"
        at = out.find(header, pos)
        if at >= 0:
            marks.append((f, at, at + len(header)))
            pos = at + len(header)
    if len(files) == 1 and r.returncode == 0:
        return {files[0]: out}
    for k, (f, _, start) in enumerate(marks):
        end = marks[k + 1][1] if k + 1 < len(marks) else len(out)
        text = out[start:end]
        if k + 1 < len(marks) and text.endswith("\n\n"):
            text = text[:-1]  # the blank line before the next header
        texts[f] = text
    return texts


def read_rows(csv_path):
    with open(csv_path, newline="", encoding="utf-8") as fh:
        return {r["document"]: r for r in csv.DictReader(fh)}


def extract(bin_, files, jobs, timed=False):
    """documents.csv rows by file name, and (wall seconds, peak RSS KiB) when timed."""
    with tempfile.TemporaryDirectory(prefix="bench-pdftext-") as tmp:
        # a folder of links: documents.csv names them by file name
        inbox = Path(tmp) / "in"
        inbox.mkdir()
        for f in files:
            (inbox / f.name).symlink_to(f.resolve())
        cmd = [bin_, "extract", str(inbox), "--out", str(Path(tmp) / "out"),
               "--jobs", str(jobs), "--quiet"]
        measured = None
        if timed:
            tfile = Path(tmp) / "time"
            cmd = ["/usr/bin/time", "-o", str(tfile), "-f", "%e %U %S %M"] + cmd
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall, user, system, rss = tfile.read_text().split()[-4:]
            measured = (float(wall), float(user) + float(system), int(rss))
        else:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows = read_rows(Path(tmp) / "out/documents.csv")
    return {Path(k).name: v for k, v in rows.items()}, measured


def pdf_pages(path):
    """The page count pdfinfo reads (0 if it cannot)."""
    r = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, errors="replace")
    m = re.search(r"^Pages:\s+(\d+)", r.stdout, re.M)
    return int(m.group(1)) if m else 0


def pdftotext_speed(files):
    """(wall seconds, CPU seconds) of pdftotext over the files, two at a time."""
    with tempfile.NamedTemporaryFile("r") as tfile:
        subprocess.run(["/usr/bin/time", "-o", tfile.name, "-f", "%e %U %S",
                        "xargs", "-0", "-P2", "-n1", "sh", "-c", 'pdftotext -q "$0" /dev/null'],
                       input=b"\0".join(str(f).encode() for f in files), check=False)
        wall, user, system = tfile.read().split()[-3:]
    return float(wall), float(user) + float(system)


class Half:
    def __init__(self):
        self.inter = self.ref = self.got = 0
        self.docs = []  # (recall, precision, name)

    def add(self, name, ref, got):
        inter = sum((ref & got).values())
        nref, ngot = sum(ref.values()), sum(got.values())
        self.inter += inter
        self.ref += nref
        self.got += ngot
        self.docs.append((inter / nref if nref else 1.0, inter / ngot if ngot else 1.0, name))

    def cells(self):
        if not self.docs:
            return ["", "", "", ""]
        recall = self.inter / self.ref if self.ref else 1.0
        precision = self.inter / self.got if self.got else 1.0
        low = sum(1 for r, _, _ in self.docs if r < 0.99) / len(self.docs)
        worst = ", ".join(f"{r:.2f}" for r, _, _ in sorted(self.docs)[:3])
        return [f"{recall:.3f}", f"{precision:.3f}", f"{low:.2f}", worst]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"{QUICK} files per group")
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--gen", type=Path, default=ROOT / "out-bench/print-pdfs")
    ap.add_argument("--groups", default="", help="comma-separated group names (default: all)")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--speed-runs", type=int, default=3,
                    help="timed pairs (pdftotext, docex extract) on cuad/pdf (3)")
    args = ap.parse_args()
    bin_ = os.environ.get("BIN", str(ROOT / "target/release/docex"))
    if not shutil.which("pdftotext"):
        sys.exit("bench-pdftext: pdftotext is missing: apt-get install poppler-utils "
                 "(the yardstick of this benchmark only; docex does not use it)")
    if not Path(bin_).exists():
        sys.exit(f"bench-pdftext: {bin_} missing: cargo build --release (or set BIN=)")
    if not args.gen.exists():
        print(f"bench-pdftext: generating {args.gen} (scripts/gen-print-pdfs.py)", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "scripts/gen-print-pdfs.py"), str(args.gen)],
                       check=True)

    groups = [("nda_pdf", args.data / "nda_pdf", False), ("cuad/pdf", args.data / "cuad/pdf", False)]
    groups += [(g, args.gen / g, True) for g in GEN_GROUPS]
    if args.groups:
        wanted = args.groups.split(",")
        groups = [g for g in groups if g[0] in wanted]

    table = []
    details = []
    speed = None
    for name, folder, generated in groups:
        if not folder.is_dir():
            details.append(f"- {name}: {folder} missing, skipped")
            continue
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pdf")
        if args.quick:
            files = sorted(sorted(files, key=lambda p: md5_hex("quick:" + p.name))[:QUICK])
        started = time.monotonic()
        with ThreadPoolExecutor(2) as pool:
            ref = dict(zip(files, pool.map(pdftotext, files)))
            chunks = [files[i:i + CHUNK] for i in range(0, len(files), CHUNK)]
            got = {}
            for part in pool.map(lambda c: docex_text(bin_, c), chunks):
                got.update(part)
        halves = {False: Half(), True: Half()}
        for f in files:
            halves[unseen(f, generated)].add(f.name, words(ref[f]), words(got.get(f, "")))
        failed_text = [f.name for f in files if f not in got]
        # the yardstick's own recall of the text sources (generated groups)
        yard, truth = Half(), Half()
        if generated:
            for f in files:
                source = words(f.with_suffix(".txt").read_text(encoding="utf-8"))
                yard.add(f.name, source, words(ref[f]))
                truth.add(f.name, source, words(got.get(f, "")))

        # status (and speed on cuad), end to end for generated groups
        timed = name == "cuad/pdf" and not args.no_speed
        inputs = files + ([f.with_suffix(".txt") for f in files] if generated else [])
        rows, _ = extract(bin_, inputs, 2)
        if timed:
            # text PDFs (the speed target): every page has words for
            # pdftotext; a scanned page would time docex's OCR against nothing
            text_pdfs = [f for f in files
                         # pdftotext ends every page with a form feed
                         if all(p.split() for p in ref[f].split("\f")[:-1])]
            # pairs of runs, pdftotext then docex, for a ratio each on a machine of
            # changing load
            runs = []
            for _ in range(max(args.speed_runs, 1)):
                pt_wall = pdftotext_speed(text_pdfs)
                runs.append((extract(bin_, text_pdfs, 2, timed=True)[1], pt_wall))
        not_ok = collections.Counter()
        for f in files:
            row = rows.get(f.name)
            status = row["status"] if row else "missing"
            if status not in ("ok", "duplicate"):
                error = re.sub(r"\bpage \d+", "page N", (row or {}).get("error", ""))
                not_ok[(status, error[:120])] += 1
        mismatch = collections.Counter()
        e2e_docs = 0
        if generated:
            for f in files:
                a, b = rows.get(f.name), rows.get(f.with_suffix(".txt").name)
                if not a or not b:
                    mismatch["(row missing)"] += 1
                    continue
                bad = [c for c in a if c not in ("document", "pages") and a[c] != b[c]]
                e2e_docs += not bad
                for c in bad:
                    mismatch[c] += 1
        if timed:
            speed = (sum(pdf_pages(f) for f in text_pdfs), runs, len(text_pdfs))

        seen, held = halves[False], halves[True]
        statuses = collections.Counter(rows.get(f.name, {}).get("status") for f in files)
        ok = f"{statuses['ok'] + statuses['duplicate']}/{len(files)}"
        if statuses["duplicate"]:
            details.append(f"- {name}: {statuses['duplicate']} duplicates (the same bytes as another "
                           "file: status duplicate, counted as ok)")
        e2e = f"{e2e_docs}/{len(files)}" if generated else ""
        table.append([name, f"{len(seen.docs)}/{len(held.docs)}"] + seen.cells() + held.cells()
                     + [ok, e2e, yard.cells()[0], "/".join(truth.cells()[:2]).strip("/")])
        for label, half in (("seen", seen), ("unseen", held)):
            worst = sorted(half.docs)[:3]
            if worst and worst[0][0] < 0.99:
                details.append(f"- {name} {label} worst: " + "; ".join(
                    f"{n} recall {r:.2f} precision {p:.2f}" for r, p, n in worst))
        for (status, error), n in not_ok.most_common():
            details.append(f"- {name}: {n} x {status}: {error}")
        if failed_text:
            details.append(f"- {name}: docex text failed on {len(failed_text)}: {', '.join(failed_text[:5])}")
        if mismatch:
            details.append(f"- {name} end to end, mismatching cells per column: "
                           + ", ".join(f"{c} {n}" for c, n in mismatch.most_common()))
        print(f"bench-pdftext: {name}: {len(files)} files in {time.monotonic() - started:.0f} s",
              file=sys.stderr)

    head = ["group", "files seen/unseen", "recall", "precision", "<0.99", "worst",
            "recall (unseen)", "precision (unseen)", "<0.99 (unseen)", "worst (unseen)",
            "extract ok", "PDF row = text row", "pdftotext recall of source",
            "docex recall/precision of source"]
    print(f"docex: {bin_}{' (--quick)' if args.quick else ''}\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in table:
        print("| " + " | ".join(row) + " |")
    if speed:
        pages, runs, n = speed
        mid = len(runs) // 2

        def median(values):
            return sorted(values)[mid]

        wall, pt_wall = median(d[0] for d, _ in runs), median(p[0] for _, p in runs)
        cpu, pt_cpu = median(d[1] for d, _ in runs), median(p[1] for _, p in runs)
        ratios = sorted(p[0] / d[0] for d, p in runs)
        rss = max(d[2] for d, _ in runs)
        print(f"\nSpeed, cuad/pdf text PDFs ({n} files whose every page has words for "
              f"pdftotext, {pages} pages), 2 workers, median of {len(runs)} "
              f"runs each: docex extract {pages / wall:.1f} pages/s ({wall:.1f} s; {cpu:.1f} CPU s), "
              f"pdftotext -P2 {pages / pt_wall:.1f} pages/s ({pt_wall:.1f} s; {pt_cpu:.1f} CPU s): "
              f"docex at **{pt_wall / wall:.2f}x** pdftotext's pages/s (run pairs "
              f"{', '.join(f'{r:.2f}' for r in ratios)}), **{pt_cpu / cpu:.2f}x** its pages per CPU "
              f"second; docex peak RSS {rss / 1024:.0f} MiB")
    if details:
        print("\n" + "\n".join(details))


if __name__ == "__main__":
    main()
