"""Dev-set evaluation through the shipped artifacts (ONNX + tokenizer.json + meta.json),
i.e. the same inputs and decoding the Rust side uses."""
from __future__ import annotations

import json
import os
import re
from collections import defaultdict

import numpy as np
from tokenizers import Tokenizer

from .export import onnx_session
from .labels import allowed_end, allowed_start, allowed_transition, bilou_to_spans, spans_to_bilou
from .text import MAX_CHARS, Encoder


def viterbi_np(em: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    n = em.shape[0]
    if n == 0:
        return []
    score = start + em[0]
    back = np.zeros((n, em.shape[1]), dtype=np.int64)
    for t in range(1, n):
        s = score[:, None] + trans
        back[t] = s.argmax(0)
        score = s.max(0) + em[t]
    score = score + end
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


def _lse(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def marginals_np(em, trans, start, end) -> np.ndarray:
    """Token label posteriors of the CRF (forward-backward in log space) [n, L]."""
    n, L = em.shape
    alpha = np.zeros((n, L))
    beta = np.zeros((n, L))
    alpha[0] = start + em[0]
    for t in range(1, n):
        alpha[t] = _lse(alpha[t - 1][:, None] + trans, 0) + em[t]
    beta[n - 1] = end
    for t in range(n - 2, -1, -1):
        beta[t] = _lse(trans + (em[t + 1] + beta[t + 1])[None, :], 1)
    logz = _lse(alpha[n - 1] + end, 0)
    return np.exp(alpha + beta - logz)


class Predictor:
    def __init__(self, model_dir: str):
        self.meta = json.load(open(os.path.join(model_dir, "meta.json"), encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.encoder = Encoder(self.tokenizer, self.meta["chars"])
        self.sess = onnx_session(os.path.join(model_dir, "model.onnx"))
        self.labels = self.meta["labels"]
        NEG = -1e4
        tr = np.asarray(self.meta["transitions"], dtype=np.float64)
        for i, a in enumerate(self.labels):
            for j, b in enumerate(self.labels):
                if not allowed_transition(a, b):
                    tr[i, j] = NEG
        self.trans = tr
        self.start = np.asarray(self.meta["start_transitions"]) + np.array(
            [0 if allowed_start(b) else NEG for b in self.labels])
        self.end = np.asarray(self.meta["end_transitions"]) + np.array(
            [0 if allowed_end(a) else NEG for a in self.labels])
        self.window = int(self.meta["window"])

    def tag(self, text: str, batch: int = 16):
        """-> (offsets, label strings, per-token CRF marginal probability of the chosen label)."""
        e = self.encoder.encode(text)
        n = len(e["offsets"])
        if n == 0:
            return [], [], []
        W = self.window
        wins = [(s, min(s + W, n)) for s in range(0, n, W)]
        labels, probs = [], []
        for k in range(0, len(wins), batch):
            chunk = wins[k:k + batch]
            T = max(b - a for a, b in chunk)
            B = len(chunk)
            w = np.zeros((B, T), np.int64)
            c = np.zeros((B, T, MAX_CHARS), np.int64)
            f = np.zeros((B, T, len(self.meta["features"])), np.float32)
            ln = np.zeros(B, np.int64)
            for i, (a, b) in enumerate(chunk):
                w[i, :b - a] = e["word_ids"][a:b]
                c[i, :b - a] = e["char_ids"][a:b]
                f[i, :b - a] = e["features"][a:b]
                ln[i] = b - a
            em = self.sess.run(None, {"word_ids": w, "char_ids": c, "features": f, "lengths": ln})[0]
            for i, (a, b) in enumerate(chunk):
                x = em[i, :b - a].astype(np.float64)
                path = viterbi_np(x, self.trans, self.start, self.end)
                p = marginals_np(x, self.trans, self.start, self.end)
                labels += [self.labels[j] for j in path]
                probs += [float(p[t, j]) for t, j in enumerate(path)]
        return e["offsets"], labels, probs

    def extract(self, text: str):
        """-> list of (char_start, char_end, type, score)."""
        offs, labels, probs = self.tag(text)
        out = []
        for a, b, typ in bilou_to_spans(labels):
            out.append((offs[a][0], offs[b - 1][1], typ, float(np.mean(probs[a:b]))))
        return out, offs, labels


def fold(s: str) -> str:
    return re.sub(r"[\W_]+", "", s.lower())


def evaluate_docs(pred: Predictor, docs, log=None):
    """Span-level P/R/F1 per (source, type) with exact token-span match, and document-level
    accuracy: the highest-scoring predicted span of a type equals (folded) a gold span text."""
    span = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    docacc = defaultdict(lambda: [0, 0])  # correct, total
    for d in docs:
        src = d.get("source", "?")
        spans_pred, offs, labels = pred.extract(d["text"])
        gold_tags = spans_to_bilou(offs, d.get("spans", []))
        g = set(bilou_to_spans(gold_tags))
        p = set(bilou_to_spans(labels))
        for key in {(src, t) for _, _, t in g | p}:
            pass
        for s in p & g:
            span[(src, s[2])][0] += 1
        for s in p - g:
            span[(src, s[2])][1] += 1
        for s in g - p:
            span[(src, s[2])][2] += 1
        gold_text = defaultdict(set)
        for a, b, t in g:
            gold_text[t].add(fold(d["text"][offs[a][0]:offs[b - 1][1]]))
        best = {}
        for s, e, t, sc in spans_pred:
            if t not in best or sc > best[t][0]:
                best[t] = (sc, d["text"][s:e])
        for t, golds in gold_text.items():
            ok = t in best and fold(best[t][1]) in golds
            docacc[(src, t)][0] += int(ok)
            docacc[(src, t)][1] += 1
    rows = []
    for key in sorted(set(span) | set(docacc)):
        tp, fp, fn = span[key]
        P = tp / (tp + fp) if tp + fp else 0.0
        R = tp / (tp + fn) if tp + fn else 0.0
        F = 2 * P * R / (P + R) if P + R else 0.0
        c, n = docacc.get(key, [0, 0])
        rows.append({"source": key[0], "type": key[1], "tp": tp, "fp": fp, "fn": fn,
                     "precision": round(P, 4), "recall": round(R, 4), "f1": round(F, 4),
                     "doc_correct": c, "doc_total": n, "doc_acc": round(c / n, 4) if n else None})
    return rows


def format_table(rows) -> str:
    lines = ["| source | field | P | R | F1 | gold spans | doc acc (n) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        acc = f"{r['doc_acc']:.3f} ({r['doc_total']})" if r["doc_total"] else "-"
        if r["tp"] + r["fn"] == 0:
            lines.append(f"| {r['source']} | {r['type']} | - | - | - | 0 ({r['fp']} predicted) | - |")
            continue
        lines.append(f"| {r['source']} | {r['type']} | {r['precision']:.3f} | {r['recall']:.3f} | "
                     f"{r['f1']:.3f} | {r['tp'] + r['fn']} | {acc} |")
    return "\n".join(lines)


class EnsemblePredictor(Predictor):
    """Several model folders with the same tokenizer and labels: emissions and CRF scores averaged."""

    def __init__(self, model_dirs: list[str]):
        super().__init__(model_dirs[0])
        members = [self] + [Predictor(d) for d in model_dirs[1:]]
        toks = {open(os.path.join(d, "tokenizer.json"), "rb").read() for d in model_dirs}
        if len(toks) != 1 or any(m.meta["chars"] != self.meta["chars"] for m in members):
            raise ValueError("ensemble members must share tokenizer.json and the character list")
        self.trans = np.mean([m.trans for m in members], axis=0)
        self.start = np.mean([m.start for m in members], axis=0)
        self.end = np.mean([m.end for m in members], axis=0)
        sessions = [m.sess for m in members]  # read before self.sess is replaced

        class _Avg:
            def run(self, names, feed):
                return [np.mean([s.run(names, feed)[0] for s in sessions], axis=0)]

        self.sess = _Avg()
