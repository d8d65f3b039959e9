#!/usr/bin/env python3
"""Prints generated invoices and contracts to PDF the way real software does, for
scripts/bench-pdftext.py (issue 16): each document of the project's generator
(models/train/docex_train/synth.py) as HTML printed by headless Chromium in four
fonts, exported by LibreOffice Writer, and drawn by reportlab.

    scripts/gen-print-pdfs.py OUT [--n 40] [--seeds 1,2] [--groups all] [--jobs 3]

OUT gets one folder per group, each holding NAME.pdf and NAME.txt (the document's
text, pages split by form feeds: what docex's row from the PDF is compared with):

    chromium-serif/      Liberation Serif (a Times), bold headings
    chromium-sans/       Liberation Sans (an Arial)
    chromium-spaced/     DejaVu Sans, letter-spacing 0.1em
    chromium-condensed/  Liberation Sans Narrow
    libreoffice/         a flat ODT (Liberation Serif, column gaps as spaces) through
                         soffice --convert-to pdf
    reportlab/           reportlab's canvas, DejaVu Sans (TrueType), one drawString
                         per column segment

NAME is `s{seed}-{i:03d}-{kind}`: seed 1 is the seen half of the benchmark, seed 2 the
unseen half. The first N invoices and contracts of generate(·, seed) are taken
(receipts skipped). Each document line keeps its line; columns (runs of 2+ spaces in
the generated text) stay apart (Chromium: inline blocks at their columns, never
overlapping; LibreOffice: the spaces; reportlab: positions as render.py places them).

Needs chromium (apt `chromium`, installed by scripts/setup.sh --tests), soffice with
Writer (apt `libreoffice-writer-nogui`) and, for reportlab, a small venv it creates
itself in .venv-bench/ (pip install reportlab; not the project's .venv). A missing
tool skips its groups with a message.
"""

import argparse
import html
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-bench"
sys.path.insert(0, str(ROOT / "models/train"))
from docex_train.synth import generate  # noqa: E402  (standard library only)

GROUPS = ["chromium-serif", "chromium-sans", "chromium-spaced", "chromium-condensed",
          "libreoffice", "reportlab"]

CHROMIUM_STYLE = {
    "chromium-serif": "font-family: 'Liberation Serif';",
    "chromium-sans": "font-family: 'Liberation Sans';",
    "chromium-spaced": "font-family: 'DejaVu Sans'; letter-spacing: 0.1em;",
    "chromium-condensed": "font-family: 'Liberation Sans Narrow';",
}

_SEG = re.compile(r"\S+(?: \S+)*")


def segments(line):
    """Column segments of a line: (start column, text); runs of 2+ spaces split."""
    return [(m.start(), m.group(0)) for m in _SEG.finditer(line)]


def pages_of(text):
    return [p[:-1] if p.endswith("\n") else p for p in text.split("\f")]


def is_heading(line, ln):
    s = line.strip()
    return bool(s) and (ln == 0 or (s.isupper() and len(s) < 60 and not any(c.isdigit() for c in s)))


def documents(n, seed):
    """The first n invoices and contracts of the generator's stream for seed."""
    out, batch = [], n * 2
    while len(out) < n:
        docs = generate(batch, seed)
        out = [(i, d) for i, d in enumerate(docs) if d["doc_type"] in ("invoice", "contract")][:n]
        batch *= 2
    return [(f"s{seed}-{i:03d}-{d['doc_type']}", d) for i, d in out]


# ---------------------------------------------------------------- Chromium

def chromium_html(text, style):
    """One div per line (pre-wrap), each column an inline block at least as wide as
    the gap to the next column (in ch), so columns line up and never overlap."""
    pages = pages_of(text)
    cols = max([len(line.rstrip()) for p in pages for line in p.split("\n")] + [40])
    # A4 less 2 x 18 mm is 174 mm wide; a ch is about 0.55 em (0.65 letter-spaced)
    size_pt = min(11.0, 174 / 25.4 * 72 / (cols * 0.62))
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><style>",
           "@page { size: A4; margin: 18mm; }",
           f"body {{ {style} font-size: {size_pt:.2f}pt; line-height: 1.3; }}",
           ".l { white-space: pre-wrap; margin: 0; min-height: 1.3em; }",
           ".c { display: inline-block; }",
           "section { break-after: page; } section:last-child { break-after: auto; }",
           "</style></head><body>"]
    for page in pages:
        out.append("<section>")
        for ln, line in enumerate(page.split("\n")):
            segs = segments(line)
            weight = " style='font-weight: bold'" if is_heading(line, ln) else ""
            cells = []
            for k, (col, s) in enumerate(segs):
                nxt = segs[k + 1][0] if k + 1 < len(segs) else None
                width = f"min-width: {nxt - col}ch; " if nxt is not None else ""
                pad = f"margin-left: {col}ch; " if k == 0 and col else ""
                gap = "margin-right: 0.6em; " if nxt is not None else ""
                cells.append(f"<span class='c' style='{pad}{width}{gap}'>{html.escape(s)}</span>")
            out.append(f"<div class='l'{weight}>{''.join(cells)}</div>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


def chromium_print(chromium, html_path, pdf_path):
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
             f"--print-to-pdf={pdf_path}", "--no-pdf-header-footer", html_path.as_uri()],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    if r.returncode != 0 or not pdf_path.exists():
        raise RuntimeError(f"chromium {html_path}: {r.stderr.decode(errors='replace')[-300:]}")


# ---------------------------------------------------------------- LibreOffice

def fodt(text):
    """A flat ODT: one paragraph per line, column gaps as spaces (<text:s/>), a page
    break before each page after the first; Liberation Serif 10.5 pt."""
    def para(line, style):
        parts, pos = [], 0
        for m in re.finditer(r" {2,}", line):
            parts.append(html.escape(line[pos:m.start()]))
            parts.append(f'<text:s text:c="{m.end() - m.start()}"/>')
            pos = m.end()
        parts.append(html.escape(line[pos:]))
        return f'<text:p text:style-name="{style}">{"".join(parts)}</text:p>'

    paras = []
    for n, page in enumerate(pages_of(text)):
        for ln, line in enumerate(page.split("\n")):
            style = "B" if ln == 0 and n > 0 else ("H" if is_heading(line, ln) else "P")
            if ln == 0 and n > 0 and is_heading(line, ln):
                style = "BH"
            paras.append(para(line, style))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
 <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:text-properties style:font-name="Liberation Serif" fo:font-size="10.5pt"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm"
  fo:page-height="29.7cm" fo:margin-top="1.8cm" fo:margin-bottom="1.8cm"
  fo:margin-left="1.8cm" fo:margin-right="1.8cm"/></style:page-layout>
 <style:style style:name="P" style:family="paragraph"/>
 <style:style style:name="H" style:family="paragraph"><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="B" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/></style:style>
 <style:style style:name="BH" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
{chr(10).join(paras)}
</office:text></office:body></office:document>
"""


def libreoffice_convert(soffice, sources, outdir):
    """All sources in one soffice run (its own profile, so it never meets a desktop
    instance)."""
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir)] + [str(s) for s in sources],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(f"soffice: {r.stderr.decode(errors='replace')[-300:]}")


# ---------------------------------------------------------------- reportlab

REPORTLAB_DRAW = r'''
import json, sys
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))
for job in json.load(sys.stdin):
    pages, path = job["pages"], job["pdf"]
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    margin = 48.0
    usable_w, usable_h = A4[0] - 2 * margin, A4[1] - 2 * margin
    cols = max([l["segs"][-1][0] + len(l["segs"][-1][1]) for p in pages for l in p if l["segs"]] + [40])
    size = min(10.5, usable_w / (cols * 0.6))
    for page in pages:
        lh, psize = size * 1.32, size
        if len(page) * lh > usable_h:
            lh = usable_h / max(1, len(page))
            psize = min(size, lh / 1.2)
        cw = usable_w / cols
        y = A4[1] - margin - psize
        for line in page:
            font = "DejaVuSans-Bold" if line["bold"] else "DejaVuSans"
            prev_end = -1.0
            for k, (col, s) in enumerate(line["segs"]):
                w = pdfmetrics.stringWidth(s, font, psize)
                x = margin + col * cw
                if k > 0 and col + len(s) >= cols - 1:
                    x = margin + usable_w - w  # a right-aligned column
                if prev_end >= 0 and x < prev_end + psize * 0.6:
                    x = prev_end + psize * 0.6
                c.setFont(font, psize)
                c.drawString(x, y, s)
                prev_end = x + w
            y -= lh
        c.showPage()
    c.save()
'''


def venv_python():
    """.venv-bench's python with reportlab, created on first use."""
    py = VENV / "bin/python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if subprocess.run([str(py), "-c", "import reportlab"], capture_output=True).returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "reportlab"], check=True)
    return py


def reportlab_jobs(docs, outdir):
    import json
    jobs = []
    for name, d in docs:
        pages = []
        for page in pages_of(d["text"]):
            pages.append([{"segs": segments(line), "bold": is_heading(line, ln)}
                          for ln, line in enumerate(page.split("\n"))])
        jobs.append({"pages": pages, "pdf": str(outdir / f"{name}.pdf")})
    return json.dumps(jobs)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=40, help="invoices and contracts per seed (40)")
    ap.add_argument("--seeds", default="1,2", help="generator seeds (1 = seen, 2 = unseen)")
    ap.add_argument("--groups", default="all", help="comma-separated groups, or all")
    ap.add_argument("--jobs", type=int, default=3, help="Chromium prints at a time (3)")
    args = ap.parse_args()
    groups = GROUPS if args.groups == "all" else args.groups.split(",")
    docs = [x for s in args.seeds.split(",") for x in documents(args.n, int(s))]

    for g in groups:
        d = args.out / g
        d.mkdir(parents=True, exist_ok=True)
        for name, doc in docs:
            (d / f"{name}.txt").write_text(doc["text"], encoding="utf-8")

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromium_groups = [g for g in groups if g.startswith("chromium-")]
    if chromium_groups and not chromium:
        print("gen-print-pdfs: chromium not found (apt install chromium): skipping "
              + ", ".join(chromium_groups), file=sys.stderr)
    elif chromium_groups:
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
            work = []
            for g in chromium_groups:
                for name, doc in docs:
                    h = Path(tmp) / f"{g}-{name}.html"
                    h.write_text(chromium_html(doc["text"], CHROMIUM_STYLE[g]), encoding="utf-8")
                    work.append(pool.submit(chromium_print, chromium, h, args.out / g / f"{name}.pdf"))
            for w in work:
                w.result()
        print(f"gen-print-pdfs: chromium: {len(docs)} documents x {len(chromium_groups)} fonts",
              file=sys.stderr)

    if "libreoffice" in groups:
        soffice = shutil.which("soffice")
        if not soffice:
            print("gen-print-pdfs: soffice not found (apt install libreoffice-writer-nogui): "
                  "skipping libreoffice", file=sys.stderr)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                sources = []
                for name, doc in docs:
                    s = Path(tmp) / f"{name}.fodt"
                    s.write_text(fodt(doc["text"]), encoding="utf-8")
                    sources.append(s)
                libreoffice_convert(soffice, sources, args.out / "libreoffice")
            missing = [n for n, _ in docs if not (args.out / "libreoffice" / f"{n}.pdf").exists()]
            if missing:
                sys.exit(f"gen-print-pdfs: soffice wrote no PDF for {missing[:5]} (is Writer installed?)")
            print(f"gen-print-pdfs: libreoffice: {len(docs)} documents", file=sys.stderr)

    if "reportlab" in groups:
        py = venv_python()
        subprocess.run([str(py), "-c", REPORTLAB_DRAW], input=reportlab_jobs(docs, args.out / "reportlab"),
                       text=True, check=True)
        print(f"gen-print-pdfs: reportlab: {len(docs)} documents", file=sys.stderr)


if __name__ == "__main__":
    random.seed(0)
    os.environ.setdefault("TZ", "UTC")
    main()
