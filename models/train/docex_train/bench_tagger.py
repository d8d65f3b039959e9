"""Tokens per second of the tagger in PyTorch, the way the seed's code runs it: eager,
no compilation, one sequence (window) at a time, then more windows per batch for the
batch-size scaling. The counterpart of the Rust `tagger_speed` example on the same text
(scripts/bench.sh runs both and prints the ratio).

    python -m docex_train bench-tagger --model models/docex-tagger-v2 --text FILE [--batches 1,4,16]

The architecture is read from the shipped ONNX graph's weight shapes. The weights are
loaded from models/train/work/checkpoint.pt when a training run left it (the shipped
model's checkpoint); otherwise they are random. The speed of a forward pass does not
depend on the values of the weights, only on their shapes.
"""
from __future__ import annotations

import json
import os
import time

import torch
from tokenizers import Tokenizer

from .model import Tagger
from .text import MAX_CHARS, Encoder

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKPOINT = os.path.join(os.path.dirname(HERE), "work", "checkpoint.pt")


def architecture(onnx_path: str, meta: dict) -> dict:
    """The Tagger config whose weights have the shapes of the ONNX graph's."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(onnx_path).graph
    w = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    lstms = [n for n in g.node if n.op_type in ("LSTM", "GRU")]
    hidden = next(a.i for a in lstms[0].attribute if a.name == "hidden_size")
    word = w["word_emb.weight"]
    # each bidirectional layer is two one-way RNN nodes (model.BiRNN)
    config = dict(vocab_size=word.shape[0], word_dim=word.shape[1], labels=meta["labels"],
                  n_features=len(meta["features"]), hidden=hidden, layers=len(lstms) // 2,
                  rnn=lstms[0].op_type.lower())
    if "char_emb.weight" in w:
        config.update(n_chars=w["char_emb.weight"].shape[0] - 2, char_dim=w["char_emb.weight"].shape[1],
                      char_filters=w["char_cnn.weight"].shape[0], char_kernel=w["char_cnn.weight"].shape[2])
    else:
        config.update(n_chars=len(meta["chars"]), char="none")
    return config


def load(model_dir: str) -> tuple[Tagger, Encoder, int, str]:
    meta = json.load(open(os.path.join(model_dir, "meta.json"), encoding="utf-8"))
    encoder = Encoder(Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json")), meta["chars"])
    config = architecture(os.path.join(model_dir, "model.onnx"), meta)
    weights = "random (same shapes)"
    state = None
    if os.path.exists(CHECKPOINT):
        ck = torch.load(CHECKPOINT, map_location="cpu", weights_only=False)
        if all(ck["config"].get(k) == v for k, v in config.items() if k != "labels"):
            config, state, weights = ck["config"], ck["state_dict"], CHECKPOINT
    model = Tagger(**config)
    if state is not None:
        model.load_state_dict(state)
    model.eval()
    return model, encoder, int(meta["window"]), weights


def windows(enc: dict, window: int):
    n = len(enc["word_ids"])
    for s in range(0, n, window):
        e = min(s + window, n)
        yield (enc["word_ids"][s:e], enc["char_ids"][s:e], enc["features"][s:e])


def batch_tensors(chunk):
    T = max(len(w) for w, _, _ in chunk)
    B = len(chunk)
    w = torch.zeros((B, T), dtype=torch.long)
    c = torch.zeros((B, T, MAX_CHARS), dtype=torch.long)
    f = torch.zeros((B, T, len(chunk[0][2][0])), dtype=torch.float32)
    ln = torch.zeros(B, dtype=torch.long)
    for i, (wi, ci, fi) in enumerate(chunk):
        n = len(wi)
        w[i, :n] = torch.tensor(wi)
        c[i, :n] = torch.tensor(ci)
        f[i, :n] = torch.tensor(fi)
        ln[i] = n
    return w, c, f, ln


def tag(model: Tagger, encoder: Encoder, text: str, window: int, batch: int) -> int:
    """Encode, run and CRF-decode one text; returns its number of tokens."""
    enc = encoder.encode(text)
    wins = list(windows(enc, window))
    with torch.no_grad():
        for k in range(0, len(wins), batch):
            w, c, f, ln = batch_tensors(wins[k:k + batch])
            em = model(w, c, f, ln)
            model.crf.decode(em, ln)
    return len(enc["word_ids"])


def run(model_dir: str, text_path: str, batches: list[int], repeats: int, threads: int) -> list[dict]:
    torch.set_num_threads(threads)
    model, encoder, window, weights = load(model_dir)
    text = open(text_path, encoding="utf-8").read()
    out = []
    for b in batches:
        tag(model, encoder, text, window, b)  # warm-up
        start = time.perf_counter()
        tokens = sum(tag(model, encoder, text, window, b) for _ in range(repeats))
        secs = time.perf_counter() - start
        row = dict(engine="pytorch-eager", batch=b, threads=threads, tokens=tokens, seconds=round(secs, 3),
                   tokens_per_s=round(tokens / secs), weights=weights)
        print(json.dumps(row), flush=True)
        out.append(row)
    return out


SIZES = (  # (name, Tagger keyword arguments): the shipped shape first
    ("BiLSTM 128 x 2 (shipped)", dict(hidden=128, layers=2)),
    ("BiLSTM 96 x 2", dict(hidden=96, layers=2)),
    ("BiLSTM 64 x 2", dict(hidden=64, layers=2)),
    ("BiLSTM 128 x 1", dict(hidden=128, layers=1)),
    ("BiGRU 128 x 2", dict(hidden=128, layers=2, rnn="gru")),
)


def sizes(model_dir: str, tokens: int = 191, repeats: int = 100) -> list[dict]:
    """Forward-pass tokens/s of other model shapes (random weights, one window of `tokens`,
    1 thread) in ONNX Runtime and in eager PyTorch: what a smaller tagger would buy. Prints a
    markdown table."""
    import tempfile

    import numpy as np
    import onnxruntime as ort

    from .export import export_onnx

    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(model_dir, "meta.json"), encoding="utf-8"))
    vocab = architecture(os.path.join(model_dir, "model.onnx"), meta)["vocab_size"]
    rng = np.random.default_rng(0)
    n_feat = len(meta["features"])
    feeds = {"word_ids": rng.integers(1, 1000, (1, tokens)), "char_ids": rng.integers(1, 50, (1, tokens, MAX_CHARS)),
             "features": rng.random((1, tokens, n_feat)).astype(np.float32), "lengths": np.array([tokens])}
    tensors = [torch.from_numpy(feeds[k]) for k in ("word_ids", "char_ids", "features", "lengths")]

    def rate(fn, n: int) -> float:
        for _ in range(max(2, n // 10)):
            fn()
        start = time.perf_counter()
        for _ in range(n):
            fn()
        return n * tokens / (time.perf_counter() - start)

    out = []
    print("| model | ONNX Runtime tokens/s | PyTorch eager tokens/s | ratio | ONNX MB |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, kw in SIZES:
            torch.manual_seed(0)
            model = Tagger(vocab_size=vocab, n_chars=len(meta["chars"]), labels=meta["labels"],
                           n_features=n_feat, **kw).eval()
            path = os.path.join(tmp, "m.onnx")
            export_onnx(model, path)
            so = ort.SessionOptions()
            so.intra_op_num_threads = so.inter_op_num_threads = 1
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            with torch.no_grad():
                row = dict(shape=name, onnxruntime=round(rate(lambda: sess.run(None, feeds), repeats)),
                           pytorch=round(rate(lambda: model(*tensors), max(10, repeats // 4))),
                           onnx_mb=round(os.path.getsize(path) / 2**20, 1))
            print(f"| {name} | {row['onnxruntime']} | {row['pytorch']} | "
                  f"{row['onnxruntime'] / row['pytorch']:.2f}x | {row['onnx_mb']} |", flush=True)
            out.append(row)
    return out
