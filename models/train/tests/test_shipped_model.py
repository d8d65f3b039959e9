"""Checks on the shipped model folder (models/docex-tagger-v2), through onnxruntime only."""
import json
import os

import numpy as np
import pytest

from docex_train.evaluate import Predictor
from docex_train.export import onnx_session, run_onnx
from docex_train.labels import LABELS
from docex_train.text import FEATURES, MAX_CHARS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODEL = os.path.join(REPO, "models", "docex-tagger-v2")
pytestmark = pytest.mark.skipif(not os.path.exists(os.path.join(MODEL, "model.onnx")), reason="no shipped model")


def test_files_and_meta():
    total = sum(os.path.getsize(os.path.join(MODEL, f)) for f in os.listdir(MODEL))
    assert total < 25_000_000
    meta = json.load(open(os.path.join(MODEL, "meta.json"), encoding="utf-8"))
    assert meta["labels"] == LABELS
    assert meta["features"] == FEATURES and meta["max_chars"] == MAX_CHARS and meta["window"] == 256
    L = len(LABELS)
    assert len(meta["transitions"]) == L and all(len(r) == L for r in meta["transitions"])
    assert len(meta["start_transitions"]) == L and len(meta["end_transitions"]) == L
    assert len(set(meta["chars"])) == len(meta["chars"])
    tok = json.load(open(os.path.join(MODEL, "tokenizer.json"), encoding="utf-8"))
    assert tok["model"]["type"] == "WordLevel"
    assert tok["model"]["vocab"]["[PAD]"] == 0 and tok["model"]["vocab"]["[UNK]"] == 1


def test_onnx_io_and_padding_invariance():
    meta = json.load(open(os.path.join(MODEL, "meta.json"), encoding="utf-8"))
    sess = onnx_session(os.path.join(MODEL, "model.onnx"))
    assert [i.name for i in sess.get_inputs()] == ["word_ids", "char_ids", "features", "lengths"]
    assert [o.name for o in sess.get_outputs()] == ["emissions"]
    rng = np.random.default_rng(0)
    V = len(json.load(open(os.path.join(MODEL, "tokenizer.json"), encoding="utf-8"))["model"]["vocab"])
    C = len(meta["chars"]) + 2
    lengths = [11, 4, 1]
    B, T = len(lengths), max(lengths)
    w = rng.integers(1, V, (B, T))
    c = rng.integers(0, C, (B, T, MAX_CHARS))
    F = len(meta["features"])
    f = (rng.random((B, T, F)) > 0.5).astype(np.float32)
    for b, n in enumerate(lengths):
        w[b, n:] = 0
        c[b, n:] = 0
        f[b, n:] = 0
    out = run_onnx(sess, w, c, f, lengths)
    assert out.shape == (B, T, len(LABELS))
    for b, n in enumerate(lengths):
        for pad in (0, 7):
            w1 = np.zeros((1, n + pad), np.int64)
            w1[0, :n] = w[b, :n]
            c1 = np.zeros((1, n + pad, MAX_CHARS), np.int64)
            c1[0, :n] = c[b, :n]
            f1 = np.zeros((1, n + pad, F), np.float32)
            f1[0, :n] = f[b, :n]
            o1 = run_onnx(sess, w1, c1, f1, [n])
            assert np.abs(o1[0, :n] - out[b, :n]).max() < 1e-4


def test_tags_an_invoice():
    pred = Predictor(MODEL)
    text = "ACME Trading Sdn Bhd\nInvoice No: INV-1042\nDate: 12/03/2021\nTotal: RM 1,234.50"
    spans, _, _ = pred.extract(text)
    types = {t for _, _, t, _ in spans}
    assert "TOTAL" in types or "INVOICE_DATE" in types
