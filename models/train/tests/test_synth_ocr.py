"""Tests for generated documents put through Tesseract (docex_train.synth_ocr)."""

from __future__ import annotations

import os
import shutil

import pytest

from docex_train import synth, synth_ocr as so

# --- the fuzzy aligner ------------------------------------------------------------

def _match(text, gold):
    m = so.best_match(text, gold)
    return None if m is None else text[m[0]:m[1]]


def test_finds_ocr_damaged_invoice_number():
    assert _match("Invoice No: lNV-2O24-0117", "INV-2024-0117") == "lNV-2O24-0117"
    assert _match("Invoice No:\nlNV-2O24-0117 Date: 05.03.2024", "INV-2024-0117") == "lNV-2O24-0117"


def test_finds_damaged_names_and_dates():
    assert _match("Bill to: Hartmann Logistik GrnbH\nKoln", "Hartmann Logistik GmbH") == "Hartmann Logistik GrnbH"
    assert _match("Datum: O5.03.2O24", "05.03.2024") == "O5.03.2O24"
    assert _match("Tota1 due: 1,234.S6", "1,234.56") == "1,234.S6"


def test_rejects_unrelated_text():
    assert so.best_match("Invoice No: lNV-2O24-0117", "Hartmann Logistik GmbH") is None
    assert so.best_match("Phone +49 30 1234567\nThank you", "INV-2024-0117") is None
    assert so.best_match("Total 11,900.00", "1,900.00") is None  # a digit more is another number
    assert so.best_match("Total 19.00", "91.00") is None
    assert so.best_match("", "INV-2024-0117") is None


def test_span_edges_fall_on_token_boundaries():
    # currency glued to the number, punctuation after a name: not in the span
    assert _match("Total: €1.234,56", "1.234,56") == "1.234,56"
    assert _match("Total: EUR1.234,56", "1.234,56") == "1.234,56"
    assert _match("between Acme Robotics Corp., a Delaware", "Acme Robotics Corp.") == "Acme Robotics Corp."
    assert _match("Invoice #10045", "10045") == "10045"
    # not a match inside a longer number
    assert so.best_match("Total 15.00", "5.00") is None


def test_align_page_keeps_order_of_repeated_values():
    gold = "Item  54.66\nTotal MYR 54.66\nDEBIT 54.66\n"
    s = gold.index("MYR 54.66") + 4
    spans, al, dr, fz = so.align_page(gold, [[s, s + 5, "TOTAL"]],
                                      "Item\nTotal\nDEBIT\n54.66\nMYR 54.66\n54.66")
    ocr = "Item\nTotal\nDEBIT\n54.66\nMYR 54.66\n54.66"
    assert spans == [[ocr.index("MYR") + 4, ocr.index("MYR") + 9, "TOTAL"]]
    assert al == {"TOTAL": 1} and dr == {} and fz == {}


def test_align_page_refuses_a_closer_distractor():
    gold = "Order date 2014-08-29\nInvoice date 2014-08-28\n"
    s = gold.index("2014-08-28")
    span = [[s, s + 10, "INVOICE_DATE"]]
    # the invoice date misread as the order date: ambiguous, dropped
    spans, al, dr, _ = so.align_page(gold, span, "Order date 2014-08-29\nInvoice date 2014-O8-29")
    assert spans == [] and dr == {"INVOICE_DATE": 1}
    # usual confusions (O/0, B/8) count as exact
    ocr = "Order date 2014-08-29\nInvoice date 2014-O8-2B\n"
    spans, al, dr, fz = so.align_page(gold, span, ocr)
    assert [ocr[a:b] for a, b, _ in spans] == ["2014-O8-2B"] and fz == {}
    # misread into something no closer to another date of the page: aligned, counted fuzzy
    ocr = "Order date 2014-08-29\nInvoice date 2014-08-2S\n"
    spans, al, dr, fz = so.align_page(gold, span, ocr)
    assert [ocr[a:b] for a, b, _ in spans] == ["2014-08-2S"] and fz == {"INVOICE_DATE": 1}
    # unreadable: dropped
    spans, al, dr, _ = so.align_page(gold, span, "Order date 2014-08-29\nInvoice date ?9#-&&")
    assert spans == [] and al == {} and dr == {"INVOICE_DATE": 1}


def test_align_page_labels_every_occurrence_and_different_types():
    gold = "ACME LTD\nNet 100.00\nTax 19.00\nTotal 119.00\nPay 119.00 to ACME LTD\n"
    spans = []
    for lab, val, k in (("VENDOR", "ACME LTD", 0), ("NET", "100.00", 0), ("TAX", "19.00", 0),
                        ("TOTAL", "119.00", 0), ("TOTAL", "119.00", 1), ("VENDOR", "ACME LTD", 1)):
        pos = -1
        for _ in range(k + 1):
            pos = gold.index(val, pos + 1)
        spans.append([pos, pos + len(val), lab])
    ocr = "ACME LTD\nNet 100.00\nTax 19.0O\nTota1 119.00\nPay 119.00 to ACME 1TD"
    got, al, dr, _ = so.align_page(gold, spans, ocr)
    assert sorted((ocr[a:b], lab) for a, b, lab in got) == sorted([
        ("ACME LTD", "VENDOR"), ("100.00", "NET"), ("19.0O", "TAX"), ("119.00", "TOTAL"),
        ("119.00", "TOTAL"), ("ACME 1TD", "VENDOR")])
    assert sum(al.values()) == 6 and not dr


# --- end to end with the real tesseract -------------------------------------------

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
SEED = 14  # two short single-page documents (an invoice and a receipt): a few seconds of OCR


@needs_tesseract
def test_generate_ocr_end_to_end_and_cache(tmp_path, monkeypatch):
    logs = []
    docs = so.generate_ocr(2, SEED, str(tmp_path), jobs=1, log=logs.append)
    assert docs, "no page kept"
    gen = synth.generate(2, SEED + so.SEED_OFFSET)
    assert [g["doc_type"] for g in gen] == ["invoice", "receipt"]  # the seed still picks short documents
    by_id = {d["id"]: d for d in docs}
    assert set(by_id) <= {"synth_ocr/0", "synth_ocr/1"}
    n_spans = 0
    for d in docs:
        i = int(d["id"].split("/")[1])
        g = gen[i]
        assert d["source"] == "synth_ocr" and d["doc_type"] == g["doc_type"] and d["group"] == f"synth_ocr/{i}"
        # not the generated text: it went through OCR (single spaces, no blank lines)
        assert d["text"] != g["text"] and "\n\n" not in d["text"] and "  " not in d["text"]
        gold_vals = {}
        for s, e, lab in g["spans"]:
            gold_vals.setdefault(lab, set()).add(" ".join(g["text"][s:e].split()))
        for s, e, lab in d["spans"]:
            assert 0 <= s < e <= len(d["text"])
            got = d["text"][s:e]
            assert got == got.strip()
            best = max(so.similarity(so.canon(got), so.canon(v)) for v in gold_vals[lab])
            assert best >= 0.8, (lab, got, gold_vals[lab])
            n_spans += 1
        assert sorted(d["spans"]) == d["spans"]
    st = docs.stats
    assert not st["cached"] and st["pages"] == 2
    assert sum(c["aligned"] for c in st["types"].values()) == n_spans
    assert n_spans >= 0.6 * len(gen[0]["spans"] + gen[1]["spans"])
    cache = tmp_path / so.CACHE_NAME
    assert cache.exists() and (tmp_path / so.META_NAME).exists()
    mtime = os.stat(cache).st_mtime_ns

    # second call: read from the cache, no OCR, no rendering
    def boom(*a, **k):
        raise AssertionError("OCR ran again")
    monkeypatch.setattr(so.subprocess, "run", boom)
    monkeypatch.setattr(so, "process_document", boom)
    again = so.generate_ocr(2, SEED, str(tmp_path), jobs=1, log=logs.append)
    assert list(again) == list(docs) and again.stats["cached"]
    assert os.stat(cache).st_mtime_ns == mtime

    # another key (n=1): rebuilt from the per-document parts, still without OCR
    monkeypatch.undo()
    monkeypatch.setattr(so, "ocr_image", boom)
    monkeypatch.setattr(so, "process_document", boom)
    one = so.generate_ocr(1, SEED, str(tmp_path), jobs=1, log=logs.append)
    assert list(one) == [d for d in docs if d["id"] == "synth_ocr/0"]
    assert not one.stats["cached"] and one.stats["ocr_documents_this_call"] == 0


def test_align_page_follows_context_when_ocr_reorders_or_loses_lines():
    # the item table is lost: the one "5.817,00" left is the subtotal, not the line item
    gold = "Description Qty Price Amount\n22460 Gear motor 100 58,17 5.817,00\n\nSub-total: 5.817,00\n"
    s = gold.index("Sub-total: ") + 11
    ocr = "Dear Customer\nSub-total: 5.817,00\nVAT @ 21%: 1.221,57"
    spans, al, dr, _ = so.align_page(gold, [[s, s + 8, "NET"]], ocr)
    assert spans == [[ocr.index("5.817"), ocr.index("5.817") + 8, "NET"]] and not dr
    # a block read first by Tesseract: its date is not the issue date
    gold = "Date of issue - 23/06/2017\nDue date - 07/07/2017\n\nServices for the period 01/06/2017 - 23/06/2017\n"
    s = gold.index("23/06/2017")
    ocr = "Services for the period 01/06/2017 - 23/06/2017\nDate of issue - 23/06/2017\nDue date - 07/07/2017"
    spans, _, _, _ = so.align_page(gold, [[s, s + 10, "INVOICE_DATE"]], ocr)
    k = ocr.index("issue - ") + 8
    assert spans == [[k, k + 10, "INVOICE_DATE"]]
