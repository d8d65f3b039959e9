"""Tiny random-init model of the real architecture, plus expected outputs, for the Rust tests."""
from __future__ import annotations

import json
import os

import torch

from .export import parity_check, save_model_dir
from .labels import LABELS
from .model import Tagger, viterbi
from .text import Encoder, build_chars, build_vocab, make_tokenizer

FIXTURE_TEXT = "ACME GmbH\n\nInvoice No: INV-2024-001\n   Total: €1.234,56 due 15.03.2024"
VOCAB_SENTENCES = [
    "Invoice No: INV-2024-001 Date: 12/03/2021",
    "Invoice number INV-7 total amount due",
    "Total: $1,234.56 due on 15.03.2024",
    "Total € 99,00 VAT 19% net amount",
    "Bill to: ACME GmbH, Berlin",
    "Bill to ACME Ltd. Receipt RM12.50",
]


def build_fixture(out_dir: str, seed: int = 1234):
    torch.manual_seed(seed)
    vocab = build_vocab(VOCAB_SENTENCES, min_count=2)
    tokenizer = make_tokenizer(vocab)
    enc0 = Encoder(tokenizer, [])
    toks = []
    for s in VOCAB_SENTENCES:
        toks += [s[a:b] for a, b in enc0.encode(s)["offsets"]]
    chars = build_chars(toks, min_count=2)
    model = Tagger(len(vocab) + 2, len(chars), LABELS, word_dim=8, char_dim=6, char_filters=8,
                   char_kernel=3, hidden=12, dropout=0.0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 1:
                p.normal_(0.0, 0.5)
        model.word_emb.weight[0].zero_()
        model.char_emb.weight[0].zero_()
    model.eval()
    save_model_dir(model, tokenizer, chars, out_dir, name="docex-tagger-tiny-fixture")
    parity_check(model, os.path.join(out_dir, "model.onnx"))

    enc = Encoder(tokenizer, chars).encode(FIXTURE_TEXT)
    n = len(enc["word_ids"])
    w = torch.tensor([enc["word_ids"]])
    c = torch.tensor([enc["char_ids"]])
    f = torch.tensor([enc["features"]], dtype=torch.float32)
    with torch.no_grad():
        em = model(w, c, f, torch.tensor([n]))[0]
        trans, start, end = model.crf._params()
        path = viterbi(em, trans, start, end)
    expected = {
        "text": FIXTURE_TEXT,
        "tokens": [list(o) for o in enc["offsets"]],
        "word_ids": enc["word_ids"],
        "char_ids": enc["char_ids"],
        "features": enc["features"],
        "emissions": em.double().tolist(),
        "labels": [LABELS[i] for i in path],
    }
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(expected, fh, ensure_ascii=False)
    total = sum(os.path.getsize(os.path.join(out_dir, x)) for x in os.listdir(out_dir))
    return expected, total
