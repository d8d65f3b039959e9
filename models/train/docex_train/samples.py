"""Write the shipped sample documents and their expected fields.

Usage (from the repository root)::

    cd models/train && ../../.venv/bin/python -m docex_train.samples --out ../../samples
    # or: PYTHONPATH=models/train .venv/bin/python -m docex_train.samples --out samples

Add ``--check`` to read every sample back (``pdftotext`` for text PDFs,
``tesseract`` for images) and verify that each labelled value is in the text.

Everything is deterministic: the documents come from ``synth.make_document``
with fixed seeds and pinned options, the scans from ``render`` with fixed
seeds.  Writes into ``OUT`` (the repository's ``samples/``): the documents into
``OUT/documents/`` (what ``docex extract samples/documents`` and the end-to-end
tests read) and the expected output into ``OUT/expected/``:

* ``invoice-text.pdf``       text PDF invoice, EUR, 1.234,56, dd.mm.yyyy, due date, net/tax/total, customer
* ``invoice-scan.pdf``       scanned invoice (image-only PDF, JPEG), USD, "March 5, 2024" dates
* ``receipt.png``            photo-like receipt, MYR
* ``contract.pdf``           two-page text PDF contract (parties, dates, term, governing law)
* ``invoice-multipage.tiff`` two-page TIFF invoice, GBP, totals on page 2
* ``notes.txt``              plain-text e-mail invoice, CHF, 1'234.56, dd.mm.yyyy
* ``expected/documents.csv`` the fields each sample must yield
* ``expected/<name>.json``   the generated document (text, spans, fields) per sample
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import subprocess
import tempfile

from . import render, synth

COLUMNS = ["document", "status", "error", "doc_type", "pages", "vendor", "customer", "invoice_number",
           "invoice_date", "due_date", "currency", "net_amount", "tax_amount", "total_amount", "parties",
           "agreement_date", "effective_date", "expiration_date", "term", "jurisdiction"]

DPI = 200


def _doc(kind: str, seed: int, opts: dict) -> dict:
    return synth.make_document(kind, random.Random(f"docex-sample-{seed}"), opts)


def invoice_text() -> dict:
    return _doc("invoice", 1, dict(
        country="DE", amt_style="de", date_style="dmy_dot", sym="€", sym_pos="after_sp",
        vendor="Hartmann Logistik GmbH", customer="Nordlicht Medien AG", invoice_number="RE-2024-0315",
        invoice_date=dt.date(2024, 3, 5), due_days=30, force_net=123456, tax_rate=19,
        has_due=True, has_tax=True, has_customer=True, simple=True, pages=1, email=False,
        header="left", title="INVOICE", meta_style="above", l_invno="Invoice No.", l_date="Invoice Date",
        l_due="Due Date", l_cust="Bill to", l_net="Net amount", l_total="Total", tax_name="VAT",
        tot_style="right", item_style="full", whitespace="layout", columns="side", width=84))


def invoice_scan() -> dict:
    return _doc("invoice", 2, dict(
        country="US", amt_style="en", date_style="month_d_y", sym="$", sym_pos="before",
        vendor="Bluegate Software Inc.", customer="Riverside Dental Group LLC", invoice_number="INV-10482",
        invoice_date=dt.date(2024, 2, 12), due_days=30, force_net=842000, tax_rate=7,
        has_due=True, has_tax=True, has_customer=True, simple=True, pages=1, email=False,
        header="left", title="INVOICE", meta_style="above", l_invno="Invoice #", l_date="Date",
        l_due="Payment due", l_cust="Bill To", l_net="Subtotal", l_total="Amount Due", tax_name="Sales Tax",
        tot_style="right", item_style="full", whitespace="layout", columns="side", width=78))


def receipt() -> dict:
    return _doc("receipt", 3, dict(
        country="MY", amt_style="en", date_style="dmy_slash", sym="RM", vendor="KEDAI MAJU JAYA SDN BHD",
        invoice_date=dt.date(2019, 11, 23), centered=True, n_items=4, whitespace="layout", width=36,
        date_label="Date: ", total_label="TOTAL", tax_included=True, tax_lines=False))


def contract() -> dict:
    opts = dict(
        ctype=("Distribution Agreement", "Company", "Distributor"), party_a="Acme Robotics Corp.",
        party_b="Northwind Traders Ltd", agreement_date=dt.date(2021, 3, 5), date_style="legal",
        pre_style="us", eff_mode="separate", eff_days=27, term_mode="term_and_exp",
        term=("two (2) years", "P2Y", 2, "years"), juris=("the State of ", "New York"),
        title_case="DISTRIBUTION AGREEMENT", whitespace="layout", width=90, page_footer="page",
        lines_per_page=10_000)
    one = _doc("contract", 4, opts)
    n_lines = one["text"].count("\n")
    opts["lines_per_page"] = n_lines // 2 + 1
    return _doc("contract", 4, opts)


def invoice_multipage() -> dict:
    return _doc("invoice", 5, dict(
        country="GB", amt_style="en", date_style="d_month_y", sym="£", sym_pos="before",
        vendor="Thornbury Office Supplies Ltd", customer="Greenway Architects LLP", invoice_number="TOS-58213",
        invoice_date=dt.date(2023, 11, 14), due_days=30, tax_rate=20, n_items=16,
        has_due=True, has_tax=True, has_customer=True, simple=True, pages=2, email=False,
        header="left", title="INVOICE", meta_style="above", l_invno="Invoice No.", l_date="Invoice Date",
        l_due="Due Date", l_cust="Invoice to", l_net="Subtotal", l_total="Total", tax_name="VAT",
        tot_style="right", item_style="full", whitespace="layout", columns="side", width=80))


def notes() -> dict:
    return _doc("invoice", 6, dict(
        email=True, country="CH", amt_style="ch", date_style="dmy_dot", sym="CHF",
        vendor="Alpenblick Consulting AG", customer="Seeland Immobilien GmbH", invoice_number="2024-0117",
        invoice_date=dt.date(2024, 4, 2), force_net=450000, tax_rate=8.1))


def expected_row(name: str, doc: dict, pages: int) -> dict:
    f = doc["fields"]
    row = {c: "" for c in COLUMNS}
    row.update({"document": name, "status": "ok", "error": "", "pages": str(pages)})
    for k, v in f.items():
        if k in row:
            row[k] = v
    return row


def build(root: str) -> list[tuple[str, dict, int]]:
    out = os.path.join(root, "documents")
    os.makedirs(out, exist_ok=True)
    os.makedirs(os.path.join(root, "expected"), exist_ok=True)
    made = []

    d = invoice_text()
    made.append(("invoice-text.pdf", d, render.text_pdf(d, os.path.join(out, "invoice-text.pdf"), font="Helvetica")))

    d = invoice_scan()
    ims = render.page_images(d, dpi=DPI, kind="a4", font="sans", seed=2, max_pt=11)
    made.append(("invoice-scan.pdf", d, render.image_pdf(ims, os.path.join(out, "invoice-scan.pdf"), dpi=DPI, quality=70)))

    d = receipt()
    ims = render.page_images(d, dpi=DPI, kind="receipt", font="mono", seed=3, min_px=30)
    render.png(ims[0], os.path.join(out, "receipt.png"), dpi=DPI)
    made.append(("receipt.png", d, 1))

    d = contract()
    made.append(("contract.pdf", d, render.text_pdf(d, os.path.join(out, "contract.pdf"), font="Times")))

    d = invoice_multipage()
    ims = render.page_images(d, dpi=DPI, kind="a4", font="serif", seed=5, max_pt=11)
    made.append(("invoice-multipage.tiff", d, render.tiff(ims, os.path.join(out, "invoice-multipage.tiff"), dpi=DPI)))

    d = notes()
    with open(os.path.join(out, "notes.txt"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(d["text"])
    made.append(("notes.txt", d, 1))

    made.sort(key=lambda x: x[0])
    with open(os.path.join(root, "expected", "documents.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for name, doc, pages in made:
            w.writerow(expected_row(name, doc, pages))
    for name, doc, pages in made:
        with open(os.path.join(root, "expected", name.rsplit(".", 1)[0] + ".json"), "w", encoding="utf-8") as fh:
            json.dump({"document": name, "pages": pages, **doc}, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    return made


# --------------------------------------------------------------------------
# read-back check
# --------------------------------------------------------------------------

def read_back(path: str) -> str:
    if path.endswith(".txt"):
        return open(path, encoding="utf-8").read()
    if path.endswith(".pdf"):
        txt = subprocess.run(["pdftotext", "-raw", path, "-"], capture_output=True, text=True).stdout
        if txt.strip():
            return txt
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdfimages", "-all", path, os.path.join(tmp, "p")], check=True)
            return "\f".join(_ocr(os.path.join(tmp, f)) for f in sorted(os.listdir(tmp)))
    if path.endswith((".tif", ".tiff")):
        from PIL import Image, ImageSequence
        pages = []
        with tempfile.TemporaryDirectory() as tmp, Image.open(path) as im:
            for i, fr in enumerate(ImageSequence.Iterator(im)):
                p = os.path.join(tmp, f"{i}.png")
                fr.save(p)
                pages.append(_ocr(p))
        return "\f".join(pages)
    return _ocr(path)


def _ocr(path: str) -> str:
    return subprocess.run(["tesseract", path, "-", "-l", "eng", "--psm", "3"], capture_output=True,
                          text=True).stdout


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def check(out: str, made) -> list[str]:
    problems = []
    for name, doc, pages in made:
        got = _norm(read_back(os.path.join(out, "documents", name)))
        for s, e, lab in doc["spans"]:
            val = _norm(doc["text"][s:e])
            if val not in got:
                problems.append(f"{name}: {lab} {val!r} not found")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="samples")
    ap.add_argument("--check", action="store_true", help="read samples back with pdftotext/tesseract")
    a = ap.parse_args()
    made = build(a.out)
    for name, doc, pages in made:
        size = os.path.getsize(os.path.join(a.out, "documents", name))
        print(f"{name:26s} {pages} page(s) {size / 1024:7.1f} KiB")
    if a.check:
        probs = check(a.out, made)
        for p in probs:
            print("CHECK:", p)
        print("check:", "ok" if not probs else f"{len(probs)} problem(s)")
        if probs:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
