"""ONNX export, meta.json, tokenizer.json, and the PyTorch <-> onnxruntime parity check."""
from __future__ import annotations

import json
import os

import numpy as np
import torch

from .model import Tagger
from .text import FEATURES, MAX_CHARS

INPUT_NAMES = ["word_ids", "char_ids", "features", "lengths"]
OUTPUT_NAMES = ["emissions"]
DYNAMIC_AXES = {
    "word_ids": {0: "B", 1: "T"},
    "char_ids": {0: "B", 1: "T"},
    "features": {0: "B", 1: "T"},
    "lengths": {0: "B"},
    "emissions": {0: "B", 1: "T"},
}


def dummy_inputs(vocab_size: int, n_chars: int, lengths=(7, 3), seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    B, T = len(lengths), max(lengths)
    w = torch.randint(1, vocab_size, (B, T), generator=g)
    c = torch.randint(0, n_chars + 2, (B, T, MAX_CHARS), generator=g)
    f = (torch.rand(B, T, len(FEATURES), generator=g) > 0.5).float()
    ln = torch.tensor(lengths, dtype=torch.long)
    for b, n in enumerate(lengths):
        w[b, n:] = 0
        c[b, n:] = 0
        f[b, n:] = 0
    return w, c, f, ln


def export_onnx(model: Tagger, path: str):
    model = model.eval()
    cfg = model.config
    args = dummy_inputs(cfg["vocab_size"], cfg["n_chars"])
    torch.onnx.export(model, args, path, input_names=INPUT_NAMES, output_names=OUTPUT_NAMES,
                      dynamic_axes=DYNAMIC_AXES, opset_version=17, dynamo=False,
                      do_constant_folding=True)


def write_meta(model: Tagger, chars: list[str], path: str, name: str, window: int = 256):
    crf = model.crf
    meta = {
        "name": name,
        "labels": list(model.labels),
        "max_chars": MAX_CHARS,
        "chars": list(chars),
        "features": list(FEATURES),
        "transitions": crf.transitions.detach().double().tolist(),
        "start_transitions": crf.start_transitions.detach().double().tolist(),
        "end_transitions": crf.end_transitions.detach().double().tolist(),
        "window": window,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False)
    return meta


def save_model_dir(model: Tagger, tokenizer, chars: list[str], out_dir: str, name: str,
                   window: int = 256):
    os.makedirs(out_dir, exist_ok=True)
    export_onnx(model, os.path.join(out_dir, "model.onnx"))
    tokenizer.save(os.path.join(out_dir, "tokenizer.json"))
    write_meta(model, chars, os.path.join(out_dir, "meta.json"), name, window)


def onnx_session(path: str):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def run_onnx(sess, w, c, f, ln) -> np.ndarray:
    return sess.run(None, {"word_ids": np.asarray(w, dtype=np.int64),
                           "char_ids": np.asarray(c, dtype=np.int64),
                           "features": np.asarray(f, dtype=np.float32),
                           "lengths": np.asarray(ln, dtype=np.int64)})[0]


def parity_check(model: Tagger, onnx_path: str, seed: int = 0, atol: float = 1e-4) -> float:
    """Max |torch - onnx| over valid positions of random padded batches; also checks that a
    row's output does not depend on padding. Raises AssertionError on failure."""
    model = model.eval()
    sess = onnx_session(onnx_path)
    cfg = model.config
    worst = 0.0
    rng = np.random.default_rng(seed)
    for k in range(4):
        B = int(rng.integers(1, 6))
        lengths = [int(x) for x in rng.integers(1, 40, size=B)]
        w, c, f, ln = dummy_inputs(cfg["vocab_size"], cfg["n_chars"], lengths, seed=seed + k)
        with torch.no_grad():
            pt = model(w, c, f, ln).numpy()
        ox = run_onnx(sess, w.numpy(), c.numpy(), f.numpy(), ln.numpy())
        assert ox.shape == pt.shape, (ox.shape, pt.shape)
        for b, n in enumerate(lengths):
            d = float(np.abs(pt[b, :n] - ox[b, :n]).max())
            worst = max(worst, d)
            assert d <= atol, f"torch/onnx mismatch {d}"
            # the same row alone, unpadded, and with extra padding
            for extra in (0, 13):
                T = n + extra
                w1 = torch.zeros(1, T, dtype=torch.long)
                w1[0, :n] = w[b, :n]
                c1 = torch.zeros(1, T, MAX_CHARS, dtype=torch.long)
                c1[0, :n] = c[b, :n]
                f1 = torch.zeros(1, T, f.size(2))
                f1[0, :n] = f[b, :n]
                l1 = torch.tensor([n])
                o1 = run_onnx(sess, w1.numpy(), c1.numpy(), f1.numpy(), l1.numpy())
                d1 = float(np.abs(o1[0, :n] - ox[b, :n]).max())
                worst = max(worst, d1)
                assert d1 <= atol, f"padding changes the output by {d1}"
    return worst
