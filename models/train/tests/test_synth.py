"""Tests for the synthetic document generator and renderer."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from docex_train import render, synth

N = 400


@pytest.fixture(scope="module")
def docs():
    return synth.generate(N, 1234)


def test_deterministic_per_seed(docs):
    assert synth.generate(N, 1234) == docs
    assert synth.generate(25, 1234) == docs[:25]  # doc i does not depend on n
    assert synth.generate(25, 99) != docs[:25]


def test_format_and_mix(docs):
    kinds = {"invoice": 0, "receipt": 0, "contract": 0}
    ids = set()
    for d in docs:
        assert set(d) == {"id", "source", "doc_type", "text", "spans", "fields"}
        assert d["source"] == "synth"
        assert d["fields"]["doc_type"] == d["doc_type"]
        kinds[d["doc_type"]] += 1
        ids.add(d["id"])
    assert len(ids) == N
    assert 0.45 < kinds["invoice"] / N < 0.65
    assert 0.12 < kinds["receipt"] / N < 0.28
    assert 0.17 < kinds["contract"] / N < 0.33


def test_spans_valid(docs):
    for d in docs:
        t = d["text"]
        assert synth.validate(d) == [], d["id"]
        for s, e, lab in d["spans"]:
            assert 0 <= s < e <= len(t)
            val = t[s:e]
            assert val.strip() == val and val, (d["id"], lab, val)
            assert lab in synth.LABELS


def _amount(v: str) -> Decimal:
    assert v == "" or (v.count(".") == 1 and len(v.split(".")[1]) == 2 and "," not in v), v
    return Decimal(v)


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def test_fields_consistent_with_spans(docs):
    for d in docs:
        f, t = d["fields"], d["text"]
        by = {}
        for s, e, lab in d["spans"]:
            by.setdefault(lab, []).append(t[s:e])
        if d["doc_type"] == "invoice":
            assert set(f) == {"doc_type", *synth.INVOICE_FIELDS}
            assert f["vendor"] and f["vendor"] in by["VENDOR"]
            assert (f["customer"] != "") == ("CUSTOMER" in by)
            if f["customer"]:
                assert f["customer"] in [" ".join(v.split()) for v in by["CUSTOMER"]]
            assert f["invoice_number"] in by["INVOICE_NO"]
            dt.date.fromisoformat(f["invoice_date"])
            assert (f["due_date"] != "") == ("DUE_DATE" in by)
            if f["due_date"]:
                assert f["due_date"] >= f["invoice_date"]
            total = _amount(f["total_amount"])
            for v in by["TOTAL"]:
                assert _digits(v) == _digits(f["total_amount"]).lstrip("0") or _digits(v) == _digits(f["total_amount"])
            if f["net_amount"]:
                assert _amount(f["net_amount"]) + _amount(f["tax_amount"]) == total
                assert all(_digits(v) == _digits(f["net_amount"]) for v in by["NET"])
                assert all(_digits(v) == _digits(f["tax_amount"]) for v in by["TAX"])
            else:
                assert "NET" not in by and "TAX" not in by
            assert f["currency"] in {"EUR", "USD", "GBP", "CHF", "INR", "MYR"}
        elif d["doc_type"] == "receipt":
            assert set(f) == {"doc_type", *synth.RECEIPT_FIELDS}
            assert f["vendor"] in by["VENDOR"]
            assert len(by["INVOICE_DATE"]) == 1
            _amount(f["total_amount"])
            assert all(_digits(v) == _digits(f["total_amount"]) for v in by["TOTAL"])
        else:
            assert set(f) == {"doc_type", *synth.CONTRACT_FIELDS}
            parties = f["parties"].split("; ")
            spans = [" ".join(v.split()).lower() for v in by["PARTY"]]
            for p in parties:
                assert p.lower() in spans
            assert "AGREEMENT_DATE" in by
            assert f["jurisdiction"] in by["JURISDICTION"]
            eff = f["effective_date"] or f["agreement_date"]
            assert f["expiration_date"] > eff
            if f["term"]:
                assert f["term"][0] == "P" and f["term"][-1] in "YMD" and f["term"][1:-1].isdigit()
                assert "TERM" in by
            for lab in ("PARTY", "JURISDICTION"):
                assert lab in by
            # aliases are never PARTY spans
            assert not any(v in ('Company', 'Licensee', 'Distributor') for v in by["PARTY"])


def test_amount_and_date_formats():
    assert synth.fmt_amount(123456, "de") == "1.234,56"
    assert synth.fmt_amount(123456, "en") == "1,234.56"
    assert synth.fmt_amount(123456, "fr") == "1 234,56"
    assert synth.fmt_amount(123456, "ch") == "1'234.56"
    assert synth.fmt_amount(12345678, "in") == "1,23,456.78"
    d = dt.date(2024, 3, 5)
    assert synth.fmt_date(d, "dmy_dot") == "05.03.2024"
    assert synth.fmt_date(d, "mdy_slash") == "03/05/2024"
    assert synth.fmt_date(d, "month_d_y") == "March 5, 2024"
    assert synth.fmt_date(d, "dd_mon_yy") == "05-Mar-24"
    assert synth.fmt_date(d, "legal") == "5th day of March, 2024"


def test_variety(docs):
    text = "\n".join(d["text"] for d in docs)
    for needle in ["IBAN", "GmbH", "Ltd", "Inc", "Sdn Bhd", "Bill to", "Due Date", "Governing Law",
                   "\f"]:
        assert needle.lower() in text.lower(), needle
    currencies = {d["fields"].get("currency") for d in docs}
    assert {"EUR", "USD", "GBP", "CHF", "INR", "MYR"} <= currencies


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_text_pdf_contains_total(tmp_path, docs):
    seen = 0
    for d in docs[:40]:
        if d["doc_type"] == "contract":
            continue
        p = tmp_path / f"{d['id'].replace('/', '_')}.pdf"
        pages = render.text_pdf(d, str(p), seed=seen)
        assert pages == d["text"].count("\f") + 1
        out = subprocess.run(["pdftotext", "-raw", str(p), "-"], capture_output=True, text=True,
                             check=True).stdout
        norm = " ".join(out.split())
        for s, e, lab in d["spans"]:
            if lab == "TOTAL":
                assert render.pdf_safe(" ".join(d["text"][s:e].split())) in norm, (d["id"], out)
        seen += 1
    assert seen > 10


def test_images_and_tiff(tmp_path, docs):
    d = next(x for x in docs if x["doc_type"] == "contract" and "\f" in x["text"])
    ims = render.page_images(d, dpi=100, seed=1)
    assert len(ims) == d["text"].count("\f") + 1
    assert all(im.mode == "L" for im in ims)
    assert render.tiff(ims, str(tmp_path / "c.tiff"), dpi=100) == len(ims)
    assert render.image_pdf(ims, str(tmp_path / "c.pdf"), dpi=100) == len(ims)
    assert (tmp_path / "c.pdf").stat().st_size > 0
