"""End-to-end training: convert -> vocabulary -> windows -> train -> export -> evaluate -> card."""
from __future__ import annotations

import json
import os
import platform
import random
import sys
import time

import numpy as np
import torch

from .convert import convert_all, read_jsonl, write_jsonl
from .data import EncodedDoc, collate
from .export import parity_check, save_model_dir
from .labels import LABELS
from .model import Tagger
from .text import Encoder, build_chars, build_vocab, make_tokenizer

DEFAULTS = dict(seed=7, epochs=12, batch=32, lr=2e-3, window=256, vocab_size=20000,
                word_dropout=0.05, cuad_windows=1400, midd_windows=500, synth_docs=700, synth_frac=0.3,
                time_budget=2700.0, clip=5.0, threads=1, synth_ocr_docs=300,
                init_seed=-1,  # weights' seed; -1: the same as seed (data, sampling, generator)
                # architecture (the ablation table in the model card switches these)
                rnn="lstm", layers=2, char="cnn", crf=True, shape=True, layout=True, hidden=128)
ARCH_KEYS = ("rnn", "layers", "char", "crf", "shape", "layout", "hidden")
# real sources cut into tiled windows: the receipts (the data set's Tesseract text, the text as
# docex reads it, the ground-truth OCR lines), every window each epoch, then MIDD, resampled
EVERY_EPOCH = ("sroie", "sroie_box", "sroie_psm6", "sroie_paddle")
TILED_SOURCES = (*EVERY_EPOCH, "midd")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_synth(n: int, seed: int, work: str, wait_s: float = 0.0):
    """Generated documents from docex_train.synth (if it exists)."""
    t0 = time.time()
    while True:
        try:
            from . import synth  # noqa: F401
            break
        except ImportError:
            if time.time() - t0 >= wait_s:
                log("docex_train.synth not available: training without generated documents")
                return []
            time.sleep(15)
    try:
        docs = synth.generate(n, seed)
    except Exception as e:  # the generator is someone else's module: don't die with it
        log(f"synth.generate failed ({e!r}): training without generated documents")
        return []
    good = []
    for i, d in enumerate(docs):
        if not d.get("text"):
            continue
        d = dict(d)
        d.setdefault("source", "synth")
        d.setdefault("id", f"synth/{i}")
        d["spans"] = [list(s) for s in d.get("spans", []) if s[2] in {lab[2:] for lab in LABELS if lab != "O"}]
        good.append(d)
    write_jsonl(os.path.join(work, "data", "synth.jsonl"), good)
    return good


def load_synth_ocr(n: int, seed: int, work: str):
    """Generated documents rendered to images and read back by Tesseract (docex_train.synth_ocr),
    so part of the generated data carries real OCR noise. Cached in the work folder."""
    try:
        from .synth_ocr import generate_ocr
    except ImportError:
        log("docex_train.synth_ocr not available: no OCR'd generated documents")
        return []
    return generate_ocr(n, seed, work, log=log)


def batches_by_length(items, batch: int, rng: random.Random):
    order = sorted(range(len(items)), key=lambda i: (len(items[i]["word_ids"]) + rng.random() * 24))
    bs = [order[k:k + batch] for k in range(0, len(order), batch)]
    rng.shuffle(bs)
    return bs


def run_train(data_root: str, out_dir: str, work: str, name: str | None = None,
              synth_wait: float = 0.0, **kw):
    cfg = dict(DEFAULTS, **{k: v for k, v in kw.items() if v is not None})
    # One intra-op thread: the model is small and Python-loop bound, and on a shared 2-core
    # machine two OpenMP threads collapse to ~1/6 of the speed as soon as another process runs.
    torch.set_num_threads(cfg["threads"])
    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    t_start = time.time()
    os.makedirs(work, exist_ok=True)
    data_dir = os.path.join(work, "data")

    log("converting real data")
    splits = convert_all(data_root, data_dir, log=log, ocr_cache=os.path.join(work, "sroie_psm6"))
    train_docs = {s: read_jsonl(os.path.join(data_dir, f"{s}.train.jsonl"))
                  for s in (*TILED_SOURCES, "cuad")}
    dev_docs = {s: read_jsonl(os.path.join(data_dir, f"{s}.dev.jsonl")) for s in ("sroie", "midd", "cuad")}
    synth_docs = load_synth(cfg["synth_docs"], cfg["seed"], work, synth_wait) if cfg["synth_docs"] else []
    synth_docs += load_synth_ocr(cfg["synth_ocr_docs"], cfg["seed"], work) if cfg["synth_ocr_docs"] else []
    log(f"synth docs: {len(synth_docs)} ({sum(d.get('source') == 'synth_ocr' for d in synth_docs)} through OCR)")

    # vocabulary and characters from the training split only
    all_train = [d for v in train_docs.values() for d in v] + synth_docs
    vocab = build_vocab((d["text"] for d in all_train), min_count=2, max_size=cfg["vocab_size"])
    tokenizer = make_tokenizer(vocab)
    log(f"vocabulary: {len(vocab) + 2} entries")
    tok_texts = []
    for d in all_train:
        t = d["text"]
        enc = tokenizer.encode(t, add_special_tokens=False)
        tok_texts.extend(t[a:b] for a, b in enc.offsets)
    chars = build_chars(tok_texts, min_count=3, max_size=300)
    del tok_texts
    encoder = Encoder(tokenizer, chars)
    log(f"characters: {len(chars)}")

    # windows: every SROIE receipt (the data set's Tesseract text, the text as docex's OCR reads
    # it and the ground-truth OCR text) each epoch; MIDD
    # (one vendor's layout, ~2.5 windows per invoice), CUAD and generated windows resampled per epoch
    rng = random.Random(cfg["seed"])
    W = cfg["window"]
    pools = {}
    for s in TILED_SOURCES:
        pools[s] = []
        for d in train_docs[s]:
            ed = EncodedDoc(d, encoder)
            pools[s] += [ed.window(a, b) for a, b in ed.tiled_windows(W)]
    cuad_pool = []
    for d in train_docs["cuad"]:
        ed = EncodedDoc(d, encoder)
        cuad_pool += [(ed, a, b) for a, b in ed.labelled_windows(W, rng)]
    pools["synth"] = []
    for d in synth_docs:
        ed = EncodedDoc(d, encoder)
        pools["synth"] += [ed.window(a, b) for a, b in ed.tiled_windows(W)]
    per_epoch = {s: len(pools[s]) for s in EVERY_EPOCH}
    per_epoch["midd"] = min(cfg["midd_windows"], len(pools["midd"]))
    per_epoch["cuad"] = min(cfg["cuad_windows"], len(cuad_pool))
    n_real = sum(per_epoch.values())
    per_epoch["synth"] = min(len(pools["synth"]), int(cfg["synth_frac"] / (1 - cfg["synth_frac"]) * n_real))
    pool_sizes = {k: len(v) for k, v in pools.items()}
    pool_sizes["cuad"] = len(cuad_pool)
    log("windows per epoch / pool: " + ", ".join(f"{k} {per_epoch[k]}/{pool_sizes[k]}" for k in per_epoch))

    torch.manual_seed(cfg["seed"] if cfg["init_seed"] < 0 else cfg["init_seed"])
    model = Tagger(len(vocab) + 2, len(chars), LABELS, **{k: cfg[k] for k in ARCH_KEYS})
    log("architecture: " + ", ".join(f"{k}={cfg[k]}" for k in ARCH_KEYS))
    # A GPU when there is one (16 epochs: ~4 min on an H100, ~30 min on 2 CPU cores); same seeds either way.
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    log(f"training on {device}")
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    nrng = np.random.default_rng(cfg["seed"])
    t_train = time.time()
    tokens_seen, stopped_early = 0, False
    history = []
    for ep in range(cfg["epochs"]):
        model.train()
        items = [ed.window(a, b) for ed, a, b in rng.sample(cuad_pool, per_epoch["cuad"])]
        for k in (*TILED_SOURCES, "synth"):
            items += rng.sample(pools[k], per_epoch[k])
        total, nb = 0.0, 0
        # linear decay of the learning rate over the epochs
        for g in opt.param_groups:
            g["lr"] = cfg["lr"] * (1.0 - 0.6 * ep / max(1, cfg["epochs"] - 1))
        for bi in batches_by_length(items, cfg["batch"], rng):
            w, c, f, ln, y = (t.to(device) for t in collate([items[i] for i in bi], cfg["word_dropout"], nrng))
            em = model(w, c, f, ln)
            loss = model.loss(em, y, ln)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
            opt.step()
            total += loss.item()
            nb += 1
            tokens_seen += int(ln.sum())
            if time.time() - t_train > cfg["time_budget"]:
                stopped_early = True
                break
        el = time.time() - t_train
        history.append({"epoch": ep + 1, "loss": round(total / max(nb, 1), 4), "elapsed_s": round(el, 1)})
        log(f"epoch {ep + 1}: loss {total / max(nb, 1):.4f}, {len(items)} windows, "
            f"{tokens_seen / el:.0f} tokens/s, {el:.0f}s")
        if stopped_early:
            log("time budget reached: stopping")
            break
    train_s = time.time() - t_train
    model.eval()
    model.to("cpu")

    log(f"exporting to {out_dir}")
    # the model is named after its folder (models/docex-tagger-v3 -> docex-tagger-v3)
    name = name or os.path.basename(os.path.normpath(out_dir))
    save_model_dir(model, tokenizer, chars, out_dir, name=name, window=W)
    worst = parity_check(model, os.path.join(out_dir, "model.onnx"))
    log(f"onnx parity: max abs diff {worst:.2e}")
    torch.save({"state_dict": model.state_dict(), "config": model.config, "chars": chars},
               os.path.join(work, "checkpoint.pt"))

    from .evaluate import Predictor, evaluate_docs, format_table
    pred = Predictor(out_dir)
    results = {}
    for s in ("sroie", "midd", "cuad"):
        t0 = time.time()
        results[s] = evaluate_docs(pred, dev_docs[s])
        log(f"dev {s}: {len(dev_docs[s])} docs in {time.time() - t0:.0f}s")
    rows = [r for s in results for r in results[s]]
    log("\n" + format_table(rows))
    total_s = time.time() - t_start
    info = {
        "command": "python -m docex_train " + " ".join(sys.argv[1:]) if sys.argv else "",
        "config": cfg, "vocab": len(vocab) + 2, "chars": len(chars), "history": history,
        "train_seconds": round(train_s, 1), "total_seconds": round(total_s, 1),
        "tokens_seen": tokens_seen, "stopped_early": stopped_early, "parity_max_abs": worst,
        "windows": {"per_epoch": per_epoch, "pool": pool_sizes},
        "synth_docs": len(synth_docs), "cpu": platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(), "torch": torch.__version__, "device": str(device),
        "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None,
        "dev": rows, "splits": splits,
        "train_docs": {s: len(v) for s, v in train_docs.items()},
        "dev_docs": {s: len(v) for s, v in dev_docs.items()},
    }
    with open(os.path.join(work, "train_info.json"), "w") as f:
        json.dump(info, f, indent=1)
    from .card import write_card
    write_card(out_dir, info, work)
    log(f"done in {total_s:.0f}s (training {train_s:.0f}s)")
    return info
