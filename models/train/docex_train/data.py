"""Documents -> encoded training windows."""
from __future__ import annotations

import random

import numpy as np

from .labels import LABELS, spans_to_bilou
from .text import FEATURES, MAX_CHARS, Encoder, char_ids_for, features_for

LABEL_ID = {label: i for i, label in enumerate(LABELS)}


def repair_edges(tags: np.ndarray) -> np.ndarray:
    """A window cut through an entity: make its first/last tags valid BILOU
    (I-/L- at the start become B-/U-, B-/I- at the end become U-/L-)."""
    if len(tags) == 0:
        return tags
    t = [LABELS[i] for i in tags]
    if t[0][:2] in ("I-", "L-"):
        t[0] = ("B-" if t[0][0] == "I" else "U-") + t[0][2:]
    if t[-1][:2] in ("B-", "I-"):
        t[-1] = ("U-" if t[-1][0] == "B" else "L-") + t[-1][2:]
        if len(t) == 1 and t[0][:2] == "L-":
            t[0] = "U-" + t[0][2:]
    return np.asarray([LABEL_ID[x] for x in t], dtype=np.int64)


class EncodedDoc:
    """A document tokenised once; windows are cut from it."""

    def __init__(self, doc: dict, encoder: Encoder):
        self.doc = doc
        self.text = doc["text"]
        enc = encoder.tokenizer.encode(self.text, add_special_tokens=False)
        self.offsets = [tuple(o) for o in enc.offsets]
        self.word_ids = np.asarray(enc.ids, dtype=np.int64)
        tags = spans_to_bilou(self.offsets, doc.get("spans", []))
        self.tags = np.asarray([LABEL_ID[t] for t in tags], dtype=np.int64)
        self.encoder = encoder
        self.features = np.asarray(features_for(self.text, self.offsets), dtype=np.float32).reshape(-1, len(FEATURES))
        self._chars = {}

    def __len__(self):
        return len(self.offsets)

    def char_ids(self, i: int):
        if i not in self._chars:
            s, e = self.offsets[i]
            self._chars[i] = char_ids_for(self.text[s:e], self.encoder.char_index)
        return self._chars[i]

    def window(self, start: int, end: int):
        ci = [self.char_ids(i) for i in range(start, end)]
        return {"word_ids": self.word_ids[start:end], "char_ids": np.asarray(ci, dtype=np.int64),
                "features": self.features[start:end], "tags": repair_edges(self.tags[start:end]),
                "source": self.doc.get("source", "?")}

    def tiled_windows(self, window: int):
        """Non-overlapping windows from the start, as the Rust side tags long documents."""
        return [(s, min(s + window, len(self))) for s in range(0, max(len(self), 1), window) if s < len(self)]

    def labelled_windows(self, window: int, rng: random.Random, n_random: float = 0.3):
        """Windows that cover every labelled token (at random offsets), plus about
        n_random x as many random windows of the rest."""
        n = len(self)
        if n <= window:
            return [(0, n)] if n else []
        pos = np.nonzero(self.tags)[0].tolist()
        out, covered_to = [], -1
        for p in pos:
            if p < covered_to:
                continue
            s = max(0, min(p - rng.randint(8, window - 32), n - window))
            out.append((s, s + window))
            covered_to = s + window - 8
        k = max(1, int(round(n_random * len(out)))) if out else 2
        for _ in range(k):
            s = rng.randint(0, n - window)
            out.append((s, s + window))
        return out


def collate(items, word_dropout: float = 0.0, rng: np.random.Generator | None = None):
    import torch
    B = len(items)
    T = max(len(it["word_ids"]) for it in items)
    w = np.zeros((B, T), dtype=np.int64)
    c = np.zeros((B, T, MAX_CHARS), dtype=np.int64)
    f = np.zeros((B, T, len(FEATURES)), dtype=np.float32)
    y = np.zeros((B, T), dtype=np.int64)
    ln = np.zeros(B, dtype=np.int64)
    for b, it in enumerate(items):
        n = len(it["word_ids"])
        w[b, :n] = it["word_ids"]
        c[b, :n] = it["char_ids"]
        f[b, :n] = it["features"]
        y[b, :n] = it["tags"]
        ln[b] = n
    if word_dropout > 0 and rng is not None:
        drop = (rng.random(w.shape) < word_dropout) & (w > 1)
        w[drop] = 1
    return (torch.from_numpy(w), torch.from_numpy(c), torch.from_numpy(f), torch.from_numpy(ln),
            torch.from_numpy(y))
